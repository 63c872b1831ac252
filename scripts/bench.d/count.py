#!/usr/bin/python3
"""scripts/bench count: overlap counts (rings --count) against the Python peer.

    scripts/bench count [--sizes 1000,3000,10000] [--range 885km] [--seed S]
                        [--peer-timeout 300] [--no-peer] [--georeach PATH]
                        [--workdir DIR] [--keep]

Workload (issue #22): N seeded random sites, lat uniform in [-60, 60], lon
uniform in [-150, 150] (degrees); the overlap bands of their rings of
--range at the default tolerance, written to a GeoPackage, by:

  georeach   georeach rings --sites S.csv --range R --count -o out.gpkg
             --overwrite --quiet   (threads: one per core); rings built and
             counted in the timed run
  peer       recipe_count.py in its own process (shapely 1.8 / GEOS 3.11):
             unary_union of every ring boundary, polygonize, a representative
             point per face counted with an STRtree and prepared polygons,
             unary_union per count, written with osgeo.ogr.  It reads the very
             rings georeach makes (written beforehand by georeach rings, not
             timed); it is stopped after --peer-timeout seconds and reported
             as "not finished in N s".

Each is one fresh child process, timed whole under /usr/bin/time: wall,
user+sys CPU, peak RSS.  The 1-minute load average before each run is shown:
on a shared machine wall times mean little without it.  When both finish, the
number of bands and the sum of count x band area (ellipsoidal area of the
lon/lat polygons, via georeach's area_km2 for its own, and a GeoPackage read
of the peer's compared by band through OGR) are compared.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy as np  # noqa: E402
from osgeo import ogr  # noqa: E402

PY = "/usr/bin/python3"
ROOT = os.environ.get("BENCH_ROOT", os.path.dirname(os.path.dirname(HERE)))


def sites_file(path, n, seed):
    rng = np.random.default_rng(seed)
    lat = np.round(rng.uniform(-60, 60, n), 6)
    lon = np.round(rng.uniform(-150, 150, n), 6)
    with open(path, "w") as f:
        f.write("name,lat,lon\n")
        for i in range(n):
            f.write("s%d,%.6f,%.6f\n" % (i, lat[i], lon[i]))


def timed(cmd, log, timeout=None):
    """wall, peak RSS (KiB), user+sys of cmd under GNU time; None wall on timeout."""
    tf = log + ".time"
    full = ["/usr/bin/time", "-f", "%e %M %U %S", "-o", tf] + cmd
    t0 = time.perf_counter()
    with open(log, "w") as lf:
        p = subprocess.Popen(full, stdout=lf, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return {"rc": None, "wall": None, "rss_kb": None, "cpu": None}
    wall = time.perf_counter() - t0
    rss = cpu = None
    try:
        last = open(tf).read().strip().splitlines()[-1].split()
        rss, cpu = int(last[1]), float(last[2]) + float(last[3])
    except (OSError, IndexError, ValueError):
        pass
    return {"rc": rc, "wall": wall, "rss_kb": rss, "cpu": cpu}


def bands_of(path):
    ds = ogr.Open(path)
    out = {}
    for f in ds.GetLayer(0):
        out[f.GetField("count")] = f.GetGeometryRef().Clone()
    ds = None
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,3000,10000")
    ap.add_argument("--range", default="885km")
    ap.add_argument("--seed", type=int, default=22)
    ap.add_argument("--peer-timeout", type=float, default=300)
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--georeach", default=os.path.join(ROOT, "build", "georeach"))
    ap.add_argument("--workdir")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    if not os.path.exists(a.georeach):
        sys.exit("bench count: no %s (build first)" % a.georeach)
    wd = a.workdir or tempfile.mkdtemp(prefix="georeach-bench-count.")
    os.makedirs(wd, exist_ok=True)
    print("bench count: %s, %s, sites |lat| <= 60, |lon| <= 150, seed %d, %d cores, work dir %s" %
          (a.range, "default tolerance", a.seed, os.cpu_count(), wd))
    print("%-7s %-9s %10s %10s %10s %8s  %s" % ("sites", "method", "wall s", "cpu s", "peak MB", "load1", "notes"))
    try:
        for n in [int(x) for x in a.sizes.split(",")]:
            s = os.path.join(wd, "sites_%d.csv" % n)
            sites_file(s, n, a.seed)
            out = os.path.join(wd, "count_%d.gpkg" % n)
            load = os.getloadavg()[0]
            r = timed([a.georeach, "rings", "--sites", s, "--range", a.range, "--count", "-o", out,
                       "--overwrite", "--quiet"], os.path.join(wd, "georeach_%d.log" % n))
            nb = len(bands_of(out)) if r["rc"] == 0 else 0
            print("%-7d %-9s %10.2f %10.2f %10.0f %8.2f  %s" %
                  (n, "georeach", r["wall"], r["cpu"] or -1, (r["rss_kb"] or 0) / 1024, load,
                   "%d bands" % nb if r["rc"] == 0 else "exit %s" % r["rc"]), flush=True)
            if a.no_peer:
                continue
            rings = os.path.join(wd, "rings_%d.gpkg" % n)
            subprocess.run([a.georeach, "rings", "--sites", s, "--range", a.range, "-o", rings,
                            "--overwrite", "--quiet"], check=True)
            pout = os.path.join(wd, "peer_%d.gpkg" % n)
            load = os.getloadavg()[0]
            p = timed([PY, os.path.join(HERE, "recipe_count.py"), rings, pout],
                      os.path.join(wd, "peer_%d.log" % n), timeout=a.peer_timeout)
            if p["wall"] is None:
                print("%-7d %-9s %10s %10s %10s %8.2f  not finished in %.0f s" %
                      (n, "peer", "-", "-", "-", load, a.peer_timeout), flush=True)
                continue
            note = "exit %s" % p["rc"]
            if p["rc"] == 0 and r["rc"] == 0:
                A, B = bands_of(out), bands_of(pout)
                worst = max((A[c].SymDifference(B[c]).GetArea() / max(B[c].GetArea(), 1e-300)
                             for c in set(A) & set(B)), default=float("nan"))
                note = "%d bands; same counts: %s; worst band symdiff/area %.1e" % (
                    len(B), sorted(A) == sorted(B), worst)
            print("%-7d %-9s %10.2f %10.2f %10.0f %8.2f  %s" %
                  (n, "peer", p["wall"], p["cpu"] or -1, (p["rss_kb"] or 0) / 1024, load, note),
                  flush=True)
    finally:
        if not a.keep and not a.workdir:
            shutil.rmtree(wd, ignore_errors=True)


main()
