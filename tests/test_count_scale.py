#!/usr/bin/python3
"""Overlap counts that scale (rings --count, tiled method): the bands against
the former all-pairs method, the partition they make, and stopping.

  same bands   a few hundred sites across the antimeridian and round the North
               Pole (plus a site given twice): the tiled bands and those of the
               former method (every boundary noded against every other at
               once, faces dissolved with a GEOS union; still in the library
               behind GEOREACH_OVERLAP=pairs) have the same counts, and for
               each count the symmetric difference (OGR, in the lon/lat plane)
               is below tolerance x boundary length (tolerance in degrees of
               latitude).  The check is shown to bite: band 1 against band 2
               of the reference fails it.  Also --min-count.
  partition    sum of count x band area = sum of the ring areas (each ring
               written alone) to 1e-6; every band valid (GEOS); bands do not
               overlap (the area of their union = the sum of their areas).
  threads      byte-identical output with --threads 1, 2 and 3.
  stopping     a --count of 2,500 sites under a CPU load this test makes (two
               busy processes): SIGINT once the progress line (on a pseudo-
               terminal) reaches 2.5% (ring building), 30% (tiles) and 85%
               (band assembly) stops it within 1 s each time, exit 130,
               'interrupted', and nothing is left in the output directory.
usage: test_count_scale.py GEOREACH"""

import os
import pty
import random
import select
import signal
import subprocess
import sys
import tempfile
import time

from osgeo import ogr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, check, done  # noqa: E402


def run(args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([BIN] + args, capture_output=True, text=True, env=e)
    return p.returncode, p.stderr.strip()


def write_sites(path, pts):
    with open(path, "w") as f:
        f.write("name,lat,lon\n" + "".join("s%d,%r,%r\n" % (i, a, b) for i, (a, b) in enumerate(pts)))


def bands(path):
    ds = ogr.Open(path)
    out = {}
    for f in ds.GetLayer(0):
        out[f.GetField("count")] = (f.GetGeometryRef().Clone(), f.GetField("area_km2"))
    return out


def length_deg(g):
    return g.Boundary().Length()


TOL_M = 10.0
TOL_DEG = TOL_M / 111320.0

with tempfile.TemporaryDirectory() as d:
    rnd = random.Random(2207)
    pts = []
    for _ in range(150):  # across the antimeridian
        pts.append((rnd.uniform(-70, 70), ((rnd.uniform(165, 195) + 180) % 360) - 180))
    for _ in range(100):  # round the North Pole
        pts.append((rnd.uniform(72, 89.5), rnd.uniform(-180, 180)))
    for _ in range(50):  # elsewhere
        pts.append((rnd.uniform(-60, 60), rnd.uniform(-180, 180)))
    pts.append(pts[7])  # the same site twice
    R = 1000000
    sites = os.path.join(d, "sites.csv")
    write_sites(sites, pts)
    base = ["rings", "--sites", sites, "--range", "%dm" % R, "--tolerance", "%gm" % TOL_M, "--count", "-q"]

    new = os.path.join(d, "new.gpkg")
    old = os.path.join(d, "old.gpkg")
    rc1, e1 = run(base + ["-o", new])
    rc2, e2 = run(base + ["-o", old], {"GEOREACH_OVERLAP": "pairs"})
    check(rc1 == 0 and rc2 == 0, "--count exits 0, tiled and all-pairs (%s %s)" % (e1, e2))
    A, B = bands(new), bands(old)
    check(sorted(A) == sorted(B) and len(A) > 5,
          "the same counts: %s vs %s" % (sorted(A), sorted(B)))
    worst = 0.0
    bad = []
    for c in sorted(set(A) & set(B)):
        ga, gb = A[c][0], B[c][0]
        sd = ga.SymDifference(gb).GetArea()
        lim = TOL_DEG * length_deg(gb)
        worst = max(worst, sd / lim)
        if not sd <= lim:
            bad.append((c, sd, lim))
    check(not bad, "every band within tolerance x boundary length of the all-pairs band "
          "(worst %.2e of the bound; over: %s)" % (worst, bad[:3]))
    # the check bites: a wrong band (count 2 for count 1) fails it
    if 1 in B and 2 in A:
        sd = A[2][0].SymDifference(B[1][0]).GetArea()
        check(sd > TOL_DEG * length_deg(B[1][0]),
              "control: band 2 against the reference band 1 fails the same check (%.3g deg2)" % sd)
    # partition
    ring_file = os.path.join(d, "rings.gpkg")
    rc, err = run(["rings", "--sites", sites, "--range", "%dm" % R, "--tolerance", "%gm" % TOL_M,
                   "-o", ring_file, "-q"])
    ring_sum = -1
    if rc == 0:
        ds = ogr.Open(ring_file)
        ring_sum = sum(f.GetField("area_km2") for f in ds.GetLayer(0))
        ds = None
    weighted = sum(c * A[c][1] for c in A)
    check(abs(weighted - ring_sum) <= 1e-6 * ring_sum,
          "sum of count x band area %.3f km2 = sum of %d ring areas %.3f km2 (rel %.1e)" %
          (weighted, len(pts), ring_sum, abs(weighted - ring_sum) / ring_sum))
    check(all(A[c][0].IsValid() for c in A), "every band is valid (GEOS)")
    u = None
    for c in A:
        u = A[c][0].Clone() if u is None else u.Union(A[c][0])
    total = sum(A[c][0].GetArea() for c in A)
    check(abs(u.GetArea() - total) <= 1e-9 * total,
          "bands do not overlap: area of their union %.9f = sum %.9f (deg2)" % (u.GetArea(), total))
    # --min-count
    m2 = os.path.join(d, "min3.gpkg")
    m2o = os.path.join(d, "min3_old.gpkg")
    rc1, _ = run(base + ["--min-count", "3", "-o", m2])
    rc2, _ = run(base + ["--min-count", "3", "-o", m2o], {"GEOREACH_OVERLAP": "pairs"})
    Am, Bm = bands(m2), bands(m2o)
    ok = rc1 == 0 and rc2 == 0 and list(Am) == [3] == list(Bm)
    sd = Am[3][0].SymDifference(Bm[3][0]).GetArea() if ok else -1
    above = sum(A[c][1] for c in A if c >= 3)
    check(ok and sd <= TOL_DEG * length_deg(Bm[3][0]) and abs(Am[3][1] - above) <= 1e-6 * above,
          "--min-count 3: one band, within the bound of the all-pairs one (%.3g deg2), area %.3f = "
          "the exact bands' %.3f km2" % (sd, Am[3][1] if ok else -1, above))
    # threads
    outs = []
    for th in ("1", "2", "3"):
        o = os.path.join(d, "t%s.geojson" % th)
        rc, _ = run(base + ["--threads", th, "-o", o])
        outs.append(open(o, "rb").read() if rc == 0 else b"")
    check(outs[0] and outs[0] == outs[1] == outs[2], "byte-identical output with 1, 2 and 3 threads")

# --- stopping --------------------------------------------------------------
with tempfile.TemporaryDirectory() as d:
    rnd = random.Random(5)
    sites = os.path.join(d, "big.csv")
    write_sites(sites, [(rnd.uniform(-60, 60), rnd.uniform(-150, 150)) for _ in range(2500)])
    outdir = os.path.join(d, "out")
    os.mkdir(outdir)
    load = [subprocess.Popen(["/usr/bin/python3", "-c", "while True: pass"]) for _ in range(2)]
    try:
        for pct in (2.5, 30, 85):
            out = os.path.join(outdir, "count.gpkg")
            master, slave = pty.openpty()
            p = subprocess.Popen([BIN, "rings", "--sites", sites, "--range", "885km", "--count", "-o", out],
                                 stdout=subprocess.DEVNULL, stderr=slave, close_fds=True)
            os.close(slave)
            seen, dots, t0, text = False, 0, None, b""
            while True:
                r, _, _ = select.select([master], [], [], 60)
                if not r:
                    break
                try:
                    chunk = os.read(master, 256)
                except OSError:
                    break
                if not chunk:
                    break
                text += chunk
                # GDAL-style progress: a dot or a tens figure every 2.5 %
                marks = sum(1 for ch in text.decode(errors="replace") if ch == ".")
                marks += sum(1 for t in ("10", "20", "30", "40", "50", "60", "70", "80", "90")
                             if t in text.decode(errors="replace"))
                if not seen and marks * 2.5 >= pct:
                    seen = True
                    t0 = time.monotonic()
                    p.send_signal(signal.SIGINT)
            rc = p.wait()
            took = time.monotonic() - t0 if t0 else float("inf")
            os.close(master)
            left = os.listdir(outdir)
            check(seen and rc == 130 and b"interrupted" in text and took <= 1.0 and not left,
                  "SIGINT at %g%% of the progress line: stopped %.2f s later, exit %d, %s, left: %s" %
                  (pct, took, rc, "'interrupted'" if b"interrupted" in text else "no message", left))
    finally:
        for q in load:
            q.kill()
            q.wait()

done()
