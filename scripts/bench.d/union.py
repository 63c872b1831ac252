#!/usr/bin/python3
"""scripts/bench union: georeach's coverage (rings --union) against the Python recipe.

    scripts/bench union [--sites N | --quick] [--seed S] [--range 885km]
                        [--tolerance 10m] [--max-lat 60] [--repeat R]
                        [--methods georeach,georeach-t1,python] [--no-oracle] [--profile]
                        [--georeach PATH] [--workdir DIR] [--keep] [--nmax 65536]

Workload (issue text): N (default 10,000; --quick 1,000) seeded random sites,
uniform on the sphere restricted to |lat| <= --max-lat (60):
lat = asin(uniform(-sin 60, sin 60)), lon uniform; the union of their rings of
--range at --tolerance, as one feature in a GeoPackage, made by:

  georeach        georeach rings --sites S.csv --range R --tolerance T --union
                  -o out.gpkg --overwrite --quiet      (default threads: one per
                  core; and again with --threads 1)
  python recipe   recipe_union.py in its own process: pyproj Geod.fwd for all
                  vertices of all rings in one vectorised call, a shapely polygon
                  per ring (antimeridian: unwrap, cut at +-180 with boxes),
                  shapely.ops.unary_union, one feature written with osgeo.ogr

Each is one fresh child process, timed whole (startup, imports, reading,
writing included) under /usr/bin/time: wall, user+sys, peak RSS.  --repeat R
takes the fastest of R runs.

Equal accuracy: the recipe's rings get, per site, the smallest evenly spaced
vertex count (a multiple of 4) whose straight lon/lat chords stay within the
tolerance (the same untimed per-latitude search and cache as scripts/bench
rings); georeach gets --tolerance.

Areas (untimed, both outputs read back from their GeoPackages):
  geodesic   pyproj Geod.geometry_area_perimeter on every polygon, after
             cutting each result into 30-degree longitude strips (meridian
             cuts are geodesics; GeographicLib reduces a polygon's area to
             (-A/2, A/2], and a +-60 deg band exceeds half the Earth) and
             orienting the pieces (exterior CCW, holes CW);
  lon/lat    the exact ellipsoidal area of the region a lon/lat reader sees
             (straight lon/lat edges; tests/oracle.py's ring_area_lonlat), which
             is what georeach's area_km2 field states.
The two results must agree within the tolerance's share: |difference| <=
L * tolerance, L = the geodesic length of the union's boundary (edges along
the +-180 cut line not counted).  Each method's rings are within the
tolerance of the true circles, so each area is within L * tolerance of the
true union's area.

--profile perf-records one more (untimed) georeach run with DWARF call graphs
and prints the CPU share and wall window of each phase (ring building, the
copy into GEOS, GEOSUnaryUnion_r, writing, ...) and the hottest functions;
the work directory is then kept (perf.data).

--no-oracle skips tests/oracle.py (and, with GEOREACH_SHARED set, the shared
ring_oracle.py) --sites ... --mode any on
each output (200,000-point lattice: points > 1 km from the true boundary that
are misclassified, validity, uncut antimeridian edges, winding).
"""
import argparse
import json
import math
import os
import re
import shutil
import sys
import tempfile
import time
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy as np  # noqa: E402
import shapely.wkb  # noqa: E402
from shapely.geometry import box  # noqa: E402
from shapely.geometry.polygon import orient  # noqa: E402
from osgeo import ogr  # noqa: E402

import common  # noqa: E402
import rings  # noqa: E402  (sites_counts: the per-latitude minimal counts, cached)

PY = "/usr/bin/python3"
CUT_EPS = 1e-9
UNITS = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "nmi": 1852.0, "ft": 0.3048}

say = rings.say
fmt = rings.fmt


def dist_m(text, bare_unit):
    """'885km', '10m', '550mi', '478nmi', '2900ft' -> metres; a bare number is in bare_unit."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-z]*)\s*", text)
    if not m or (m.group(2) and m.group(2) not in UNITS):
        raise argparse.ArgumentTypeError("bad distance %r (use 885km, 10m, 550mi, 478nmi, 2900ft)" % text)
    return float(m.group(1)) * UNITS[m.group(2) or bare_unit]


def parse(argv):
    root = os.environ.get("BENCH_ROOT") or os.path.dirname(os.path.dirname(HERE))
    ap = argparse.ArgumentParser(prog="scripts/bench union",
                                 description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=10000, help="number of random sites (10000)")
    ap.add_argument("--quick", action="store_true", help="1,000 sites (unless --sites is given too)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-lat", type=float, default=60.0, help="sites within +-this latitude (60)")
    ap.add_argument("--range", dest="range_m", type=lambda s: dist_m(s, "km"), default=885000.0, metavar="DIST",
                    help="ring range: 885km, 550mi, ...; a bare number is km (885km)")
    ap.add_argument("--tolerance", dest="tol_m", type=lambda s: dist_m(s, "m"), default=10.0, metavar="DIST",
                    help="tolerance: 10m, 0.01km, ...; a bare number is m (10m)")
    ap.add_argument("--methods", default="georeach,georeach-t1,python",
                    help="any of georeach (default threads), georeach-t1 (--threads 1), python")
    ap.add_argument("--repeat", type=int, default=1, help="timed runs per method; the fastest is reported")
    ap.add_argument("--no-oracle", action="store_true", help="skip the oracle on the outputs")
    ap.add_argument("--profile", action="store_true",
                    help="also perf-record one (untimed) georeach run and print where its time goes")
    ap.add_argument("--georeach", default=os.path.join(root, "build", "georeach"))
    ap.add_argument("--workdir", help="work here (kept) instead of a temporary directory")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--nmax", type=int, default=65536, help="cap on a recipe ring's vertex count")
    a = ap.parse_args(argv)
    if a.quick and "--sites" not in " ".join(argv):
        a.sites = 1000
    if a.sites < 1 or not 0 < a.max_lat <= 90 or a.range_m <= 0 or a.tol_m <= 0:
        ap.error("--sites, --max-lat, --range and --tolerance must be positive (--max-lat <= 90)")
    return a


def make_sites(n, seed, max_lat):
    """n sites uniform on the sphere within |lat| <= max_lat, seeded, rounded to
    1e-6 deg (the rounded values are the sites); the first k of any n agree."""
    rng = np.random.default_rng(seed)
    u = rng.uniform(0.0, 1.0, (n, 2))
    s = math.sin(math.radians(max_lat))
    lat = np.round(np.degrees(np.arcsin((2.0 * u[:, 0] - 1.0) * s)), 6)
    lon = np.round(360.0 * u[:, 1] - 180.0, 6)
    return ["s%05d" % i for i in range(n)], lat, lon


# ------------------------------------------------------------ reading back --
def read_result(path):
    """The polygons of every feature of the file's first layer, its distinct
    vertex count and its fields (of the first feature)."""
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    polys, nv, fields, nfeat = [], 0, {}, 0
    for f in lyr:
        nfeat += 1
        if nfeat == 1:
            fields = {f.GetFieldDefnRef(i).GetName(): f.GetField(i) for i in range(f.GetFieldCount())}
        g = f.GetGeometryRef()
        if g is None:
            continue
        nv += common._count_vertices(g)
        s = shapely.wkb.loads(bytes(g.ExportToWkb()))
        polys.extend(getattr(s, "geoms", [s]))
    on_cut = 0
    for c in rings_of(polys):
        on_cut += int(np.sum(np.abs(np.abs(c[:-1, 0]) - 180.0) <= CUT_EPS))
    return {"polys": polys, "vertices": nv, "on_cut": on_cut, "fields": fields,
            "n_features": nfeat, "layer": lyr.GetName()}


def rings_of(polys):
    for p in polys:
        yield np.asarray(p.exterior.coords)[:, :2]
        for h in p.interiors:
            yield np.asarray(h.coords)[:, :2]


def boundary_length(polys):
    """Geodesic length (m) of every edge of every ring, edges lying on a cut
    line (both ends on lon = +-180, or on lat = +-90) not counted."""
    x0s, y0s, x1s, y1s = [], [], [], []
    n_rings = 0
    for c in rings_of(polys):
        n_rings += 1
        x, y = c[:, 0], c[:, 1]
        cut = ((np.abs(x - 180.0) <= CUT_EPS) * 1 | (np.abs(x + 180.0) <= CUT_EPS) * 2
               | (np.abs(y - 90.0) <= CUT_EPS) * 4 | (np.abs(y + 90.0) <= CUT_EPS) * 8)
        keep = (cut[:-1] & cut[1:]) == 0
        x0s.append(x[:-1][keep]); y0s.append(y[:-1][keep])
        x1s.append(x[1:][keep]); y1s.append(y[1:][keep])
    if not x0s:
        return 0.0, 0
    _, _, d = common.GEOD.inv(np.concatenate(x0s), np.concatenate(y0s),
                              np.concatenate(x1s), np.concatenate(y1s))
    return float(np.sum(d)), n_rings


def geodesic_area(polys, strip=30.0):
    """Sum of pyproj Geod.geometry_area_perimeter over the pieces of the
    polygons in longitude strips `strip` degrees wide, pieces oriented."""
    total = 0.0
    for p in polys:
        x0, _, x1, _ = p.bounds
        k0 = int(math.floor((x0 + 180.0) / strip))
        k1 = int(math.ceil((x1 + 180.0) / strip))
        for k in range(k0, k1):
            b = box(-180.0 + k * strip, -90.0, -180.0 + (k + 1) * strip, 90.0)
            piece = p.intersection(b)
            for q in getattr(piece, "geoms", [piece]):
                if q.geom_type != "Polygon" or q.is_empty:
                    continue
                total += common.GEOD.geometry_area_perimeter(orient(q, 1.0))[0]
    return total


def lonlat_area(polys):
    """Exact ellipsoidal area (m2) of the region bounded by straight lon/lat
    edges (tests/oracle.py's Green's-theorem integral)."""
    sys.path.insert(0, os.path.dirname(common.ORACLE))
    from oracle import ring_area_lonlat  # noqa: E402
    total = 0.0
    for p in polys:
        c = np.asarray(p.exterior.coords)
        total += abs(ring_area_lonlat(c[:, 0], c[:, 1]))
        for h in p.interiors:
            c = np.asarray(h.coords)
            total -= abs(ring_area_lonlat(c[:, 0], c[:, 1]))
    return total


def run_oracle(path, sites_csv, r):
    """tests/oracle.py (and the shared ring_oracle.py with GEOREACH_SHARED):
    (the project oracle's result or None, one line of text)."""
    keys = ("misclassified", "scored", "class_points_scored", "valid", "uncut_antimeridian_edges",
            "coords_out_of_range", "rfc7946_winding_ok", "area_lonlat_vs_lattice_rel")
    first, parts = None, []
    for label, d, err in common.run_oracles([path, "--sites", sites_csv, "--radius-m", "%.3f" % r,
                                            "--mode", "any"]):
        if d is None:
            parts.append("%s: %s" % (label, err))
            continue
        if first is None and label == "oracle":
            first = d
        parts.append("%s: " % label + ", ".join("%s %s" % (k, d.get(k)) for k in keys if k in d))
    return first, "; ".join(parts)


# ----------------------------------------------------------------- profile --
# Top-level phases of a georeach --union run, by the outermost frame of each
# sample that names one of these functions (src/rings.c, src/overlay.c); a
# renamed function only moves its samples to "other".
PHASES = [("ring building (threaded)", "reach_ring_build", None),
          ("union: copy into GEOS (to_geos)", "to_geos", "reach_geom_union_all"),
          ("union: copy back (from_geos)", "from_geos", "reach_geom_union_all"),
          ("union: partial unions of runs (threaded)", "GEOSUnaryUnion_r", "runs_work"),
          ("union: final GEOSUnaryUnion_r", "GEOSUnaryUnion_r", "reach_geom_union_all"),
          ("union: rest", "reach_geom_union_all", None),
          ("area of the union", "reach_geom_area_m2", None),
          ("writing (GDAL)", "reach_writer_add_coverage", None),
          ("writer open/close", "reach_writer_close", None)]


def perf_samples(data):
    p = subprocess.run(["perf", "script", "-i", data, "-F", "tid,time,ip,sym"],
                       capture_output=True, text=True)
    samples, cur = [], None
    for line in p.stdout.splitlines():
        t = line.split()
        if not t:
            continue
        if len(t) >= 2 and t[0].isdigit() and t[1].endswith(":") and not line[:1] == "\t":
            try:
                cur = [int(t[0]), float(t[1][:-1]), []]
                samples.append(cur)
                continue
            except ValueError:
                pass
        if cur is not None and len(t) >= 2:
            cur[2].append(t[1].split("+0x")[0])       # innermost first
    return samples


def profile(cmd, wd):
    """perf record (DWARF call graphs) one georeach run; print where its wall
    and CPU time go.  Untimed: perf slows the run down a little."""
    if not shutil.which("perf"):
        say("profile: perf not found")
        return
    data = os.path.join(wd, "perf.data")
    p = subprocess.run(["perf", "record", "-F", "499", "--call-graph", "dwarf,16384", "-o", data,
                        "--"] + cmd, capture_output=True, text=True)
    if p.returncode != 0:
        say("profile: perf record failed: %s" % p.stderr.strip()[-400:])
        return
    say("")
    say("profile of %s" % " ".join(cmd))
    report(data)


def report(data):
    """Phases, their CPU share and wall window, and the hottest functions of a
    perf.data recorded with --call-graph dwarf at 499 Hz."""
    S = perf_samples(data)
    if not S:
        say("profile: no samples")
        return
    t0 = min(x[1] for x in S)
    span = max(x[1] for x in S) - t0
    from collections import Counter, defaultdict
    cnt, win, sub, self_ = Counter(), defaultdict(lambda: [1e99, -1e99]), Counter(), Counter()
    tids = Counter(x[0] for x in S)
    for tid, t, st in S:
        self_[st[0] if st else "?"] += 1
        lab = "other (startup, reading sites, GDAL/PROJ init, ...)"
        for label, fn, within in PHASES:
            if fn in st and (within is None or within in st):
                lab = label
                break
        cnt[lab] += 1
        w = win[lab]
        w[0] = min(w[0], t - t0)
        w[1] = max(w[1], t - t0)
        if lab.startswith("ring building"):
            for parent in ("disc_region", "reach_ring_build"):
                if parent in st:
                    i = st.index(parent)
                    sub["%s -> %s" % (parent, st[i - 1] if i > 0 else "(self)")] += 1
                    break
    n = len(S)
    say("  perf record -F 499 --call-graph dwarf: %d samples over %.2f s on %d thread(s) (%s)"
        % (n, span, len(tids), ", ".join("%d samples" % v for _, v in tids.most_common())))
    say("  %-52s %7s %8s   %s" % ("phase", "cpu %", "cpu s", "wall window (s from start)"))
    for lab, v in cnt.most_common():
        say("  %-52s %6.1f%% %8.2f   %.2f .. %.2f" % (lab, 100.0 * v / n, v / 499.0, win[lab][0], win[lab][1]))
    say("  ring building, by callee:")
    for k, v in sub.most_common(8):
        say("    %-50s %6.1f%%" % (k, 100.0 * v / n))
    say("  hottest functions (self):")
    for k, v in self_.most_common(12):
        say("    %-50s %6.1f%%" % (k[:50], 100.0 * v / n))
    say("  (perf data kept in %s)" % data)


# -------------------------------------------------------------------- main --
def main(argv):
    a = parse(argv)
    t_start = time.perf_counter()
    methods = [m.strip() for m in a.methods.split(",") if m.strip()]
    bad = [m for m in methods if m not in ("georeach", "georeach-t1", "python")]
    if bad:
        say("bench union: unknown method(s) %s" % ", ".join(bad))
        return 2
    r, tol = a.range_m, a.tol_m
    wd = a.workdir or tempfile.mkdtemp(prefix="georeach-bench-union-")
    os.makedirs(wd, exist_ok=True)
    ncpu = os.cpu_count() or 1

    names, lat, lon = make_sites(a.sites, a.seed, a.max_lat)
    sites_csv = os.path.join(wd, "sites.csv")
    common.write_sites(sites_csv, names, lat, lon)
    names, lat, lon = common.read_sites(sites_csv)
    n_sites = len(names)
    say("georeach bench: union  %d sites (seed %d, uniform on the sphere within |lat| <= %g), "
        "range %g km, tolerance %g m, %d cores" % (n_sites, a.seed, a.max_lat, r / 1000.0, tol, ncpu))
    say("work dir: %s" % wd)
    la = os.getloadavg()
    say("load average at start: %.2f %.2f %.2f%s" % (la + (
        "  (WARNING: the machine is busy; timings will be noisy)" if la[0] > 0.5 else "",)))
    have_gr = rings.have_exe(a.georeach)
    if have_gr:
        st = os.stat(a.georeach)
        say("georeach binary: %s (%d bytes, modified %s)" % (
            a.georeach, st.st_size, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(st.st_mtime))))
    elif any(m.startswith("georeach") for m in methods):
        say("georeach: %s not found or not executable: its rows are skipped" % a.georeach)

    rows = {}
    gr_cmd = None
    labels = {"georeach": "georeach (default threads)", "georeach-t1": "georeach --threads 1",
              "python": "python recipe"}

    # ---- georeach
    for tag in ("georeach", "georeach-t1"):
        if tag not in methods or not have_gr:
            continue
        out = os.path.join(wd, "%s.gpkg" % tag)
        cmd = [a.georeach, "rings", "--sites", sites_csv, "--range", "%.6gm" % r,
               "--tolerance", "%.6gm" % tol, "--union", "-o", out, "--overwrite", "--quiet"]
        if tag == "georeach-t1":
            cmd += ["--threads", "1"]
        say("running %s ..." % " ".join(cmd))
        res = rings.run_best(cmd, wd, tag, a.repeat)
        res.update({"out": out, "threads": "1" if tag == "georeach-t1" else "all (%d)" % ncpu})
        if res["rc"] != 0 or not os.path.exists(out):
            say("  %s FAILED (exit %s); log tail:\n%s" % (tag, res["rc"], rings.log_tail(res["log"])))
            res["failed"] = True
        rows[tag] = res
        if tag == "georeach":
            gr_cmd = cmd

    # ---- python recipe
    if "python" in methods:
        ns = argparse.Namespace(nmax=a.nmax)
        counts, cal = rings.sites_counts(ns, wd, names, lat, lon, r, tol)
        say("recipe vertex counts: %d..%d per ring, %d in all; found in %.1f s (untimed; table %s, "
            "%d sites searched one by one%s; %d capped at %d)"
            % (counts.min(), counts.max(), counts.sum(), cal["seconds"],
               "cached" if cal["table_cached"] else "computed", cal["searched"],
               ", cached" if cal["sites_cached"] else "", cal["capped"], a.nmax))
        out = os.path.join(wd, "python.gpkg")
        cmd = [PY, os.path.join(HERE, "recipe_union.py"), sites_csv, os.path.join(wd, "counts.csv"),
               repr(r), out]
        say("running the python recipe (recipe_union.py) ...")
        res = rings.run_best(cmd, wd, "python", a.repeat)
        res.update({"out": out, "threads": "1", "phases": rings.peer_json(res["log"])})
        if res["rc"] != 0 or not os.path.exists(out):
            say("  python recipe FAILED (exit %s); log tail:\n%s" % (res["rc"], rings.log_tail(res["log"])))
            res["failed"] = True
        rows["python"] = res

    # ---- read back, areas, boundary length
    ok = {t: x for t, x in rows.items() if not x.get("failed")}
    for tag, res in ok.items():
        R = read_result(res["out"])
        res["vertices"] = R["vertices"]
        res["on_cut"] = R["on_cut"]
        res["n_features"] = R["n_features"]
        res["n_polys"] = len(R["polys"])
        res["fields"] = R["fields"]
        res["area_geod"] = geodesic_area(R["polys"])
        res["area_lonlat"] = lonlat_area(R["polys"])
        res["L"], res["n_rings"] = boundary_length(R["polys"])

    # ---- table
    base = ok.get("georeach")
    base1 = ok.get("georeach-t1")
    py = ok.get("python")
    say("")
    hdr = "%-27s %-7s %8s %8s %8s %9s %17s %17s %7s %7s" % (
        "method", "threads", "time_s", "cpu_s", "rss_MB", "vertices", "area_km2 (geod)",
        "area_km2 (lonlat)", "x_gr", "x_gr_t1")
    say(hdr)
    say("-" * len(hdr))
    for tag in ("georeach", "georeach-t1", "python"):
        res = rows.get(tag)
        if not res:
            continue
        if res.get("failed"):
            say("%-27s FAILED (exit %s) log: %s" % (labels[tag], res["rc"], res["log"]))
            continue
        say("%-27s %-7s %8s %8s %8s %9s %17s %17s %7s %7s" % (
            labels[tag], res["threads"], fmt(res["wall"], ".2f"), fmt(res["cpu"], ".2f"),
            fmt(res["rss_kb"] / 1024.0 if res["rss_kb"] else None, ".0f"), fmt(res["vertices"], "d"),
            fmt(res["area_geod"] / 1e6, ".3f"), fmt(res["area_lonlat"] / 1e6, ".3f"),
            fmt(res["wall"] / base["wall"], ".2f") if base else "n/a",
            fmt(res["wall"] / base1["wall"], ".2f") if base1 else "n/a"))
    say("")
    say("columns: time_s wall time of the whole process (startup, imports, reading, writing); cpu_s")
    say("  user+sys; rss_MB peak resident set; vertices distinct vertices written (closing repeats not")
    say("  counted); area_km2 geodesic (pyproj geometry_area_perimeter, 30-deg strips) and lon/lat")
    say("  (exact area inside straight lon/lat edges); x_gr / x_gr_t1: time over georeach's (default")
    say("  threads / --threads 1).")

    # ---- details
    for tag, res in ok.items():
        det = ["%d feature(s), %d polygon(s), %d ring(s) in layer '%s'"
               % (res["n_features"], res["n_polys"], res["n_rings"], read_layer_name(res["out"]))]
        f = res["fields"]
        if "area_km2" in f and f["area_km2"] is not None:
            det.append("area_km2 field %.3f (lon/lat area read back %+.3g km2)"
                       % (f["area_km2"], res["area_lonlat"] / 1e6 - f["area_km2"]))
        if f.get("err_m") is not None:
            det.append("err_m field %.3f m" % f["err_m"])
        if "sites" in f:
            det.append("sites field %s" % f["sites"])
        det.append("boundary length %.0f km" % (res["L"] / 1000.0))
        det.append("%d of its vertices on lon = +-180 (%d off it)" % (res["on_cut"], res["vertices"] - res["on_cut"]))
        ph = res.get("phases")
        if ph:
            det.append("in-process: " + ", ".join("%s %.2f s" % (k[:-2], v) for k, v in ph.items()
                                                   if k.endswith("_s"))
                       + "; %d vertices in, %d ring polygons" % (ph["vertices_in"], ph["ring_polygons"]))
        say("%s: %s" % (labels[tag], "; ".join(det)))
    if base and ncpu > 1 and base.get("cpu") and base.get("wall"):
        say("georeach (default threads) used %.2f cores on average (cpu %.2f s / wall %.2f s)%s"
            % (base["cpu"] / base["wall"], base["cpu"], base["wall"],
               "" if base["cpu"] >= 1.2 * base["wall"] else
               ": about one core: its threading did not engage for most of the run, "
               "or another process held the other core"))

    # ---- goals
    say("")
    if base and py:
        ratio = py["wall"] / base["wall"]
        say("time ratio python recipe / georeach = %.2fx (goal >= 5x) -> %s; / georeach --threads 1 = %s"
            % (ratio, "MET" if ratio >= 5 else "NOT MET",
               ("%.2fx" % (py["wall"] / base1["wall"])) if base1 else "n/a"))
        say("peak RSS python recipe %.0f MB, georeach %.0f MB (%.2fx)"
            % (py["rss_kb"] / 1024.0, base["rss_kb"] / 1024.0, py["rss_kb"] / base["rss_kb"]))
    ref = base or base1
    if ref and py:
        L = max(ref["L"], py["L"])
        bound = L * tol
        for kind in ("geod", "lonlat"):
            d = py["area_%s" % kind] - ref["area_%s" % kind]
            say("area (%s) python - georeach = %+.3f km2 (%+.2e relative); bound L * tol = %.0f km * %g m "
                "= %.3f km2 -> %s (|diff| = %.2f of the bound)"
                % ("geodesic" if kind == "geod" else "lon/lat", d / 1e6, d / ref["area_%s" % kind],
                   L / 1000.0, tol, bound / 1e6, "within" if abs(d) <= bound else "OUTSIDE",
                   abs(d) / bound if bound else float("nan")))
        say("  (the recipe's vertices lie on the circles, so its chords cut inside them: expect it "
            "smaller by about 2/3 of its chord sag times L)")

    # ---- oracle
    if not a.no_oracle and ok:
        say("")
        say("oracle --sites sites.csv --radius-m %g --mode any:" % r)
        for tag, res in ok.items():
            t0 = time.perf_counter()
            _, txt = run_oracle(res["out"], sites_csv, r)
            say("  %-27s %s (%.1f s)" % (labels[tag], txt, time.perf_counter() - t0))

    if a.profile and gr_cmd:
        prof_cmd = list(gr_cmd)
        prof_cmd[prof_cmd.index("-o") + 1] = os.path.join(wd, "georeach-perf.gpkg")
        profile(prof_cmd, wd)

    say("")
    la = os.getloadavg()
    say("load average at end: %.2f %.2f %.2f" % la)
    say("bench wall time %.1f s" % (time.perf_counter() - t_start))
    if a.keep or a.workdir or a.profile:
        say("outputs kept in %s" % wd)
    else:
        shutil.rmtree(wd, ignore_errors=True)
    return 0


def read_layer_name(path):
    ds = ogr.Open(path)
    return ds.GetLayer(0).GetName()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
