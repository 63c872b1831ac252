"""Lines (issue 16): rings --radials, query's site-to-target geodesics
(query_lines), basket's targets layer, and the query tables (display
widths, UTF-8, target lat/lon, one boolean form per format).

References: GeodSolve (geographiclib-tools, GeographicLib's C++ code) for the
positions along each geodesic (-L: the direct problem on one line, -i: the
inverse problem), pyproj's Geod for the distance from a chord point to the
geodesic (minimised over the distance along it by golden-section search,
vectorised), and glibc's wcwidth() in the C.UTF-8 locale for display
widths.  The chord points checked (1/10, 1/4, 1/2, 3/4, 9/10 of each
segment) include ones georeach's controller never looks at.

Usage: /usr/bin/python3 tests/test_lines.py build/georeach
"""
import ctypes
import json
import math
import os
import subprocess
import sys

import numpy as np

from harness import BIN, check, done, run, scratch_dir

from osgeo import ogr
import pyproj

ogr.UseExceptions()
GEOD = pyproj.Geod(ellps="WGS84")
W = scratch_dir("lines")
TOL = 10.0


def geodsolve_line(lat, lon, az, dists):
    """Positions at the distances along the geodesic (GeodSolve -L)."""
    txt = "\n".join("%.12f" % s for s in dists) + "\n"
    p = subprocess.run(["GeodSolve", "-L", repr(lat), repr(lon), repr(az), "-p", "12"],
                       input=txt, capture_output=True, text=True, check=True)
    out = np.array([[float(x) for x in l.split()[:2]] for l in p.stdout.splitlines()])
    return out[:, 0], out[:, 1]


def geodsolve_inverse(lat1, lon1, lat2, lon2):
    p = subprocess.run(["GeodSolve", "-i", "-p", "12"],
                       input="%r %r %r %r\n" % (lat1, lon1, lat2, lon2),
                       capture_output=True, text=True, check=True)
    azi1, _azi2, s12 = (float(x) for x in p.stdout.split())
    return azi1, s12


def dist_to_geodesic(lat0, lon0, az, s_lo, s_hi, qlat, qlon):
    """Distance (m) from each point Q to the geodesic from (lat0, lon0) at
    azimuth az, minimised over the distance s in [s_lo, s_hi] along it."""
    qlat, qlon = np.asarray(qlat, float), np.asarray(qlon, float)
    n = len(qlat)
    a = np.full(n, float(s_lo)) if np.isscalar(s_lo) else np.asarray(s_lo, float)
    b = np.full(n, float(s_hi)) if np.isscalar(s_hi) else np.asarray(s_hi, float)
    g = (math.sqrt(5) - 1) / 2
    lat0s, lon0s, azs = np.full(n, lat0), np.full(n, lon0), np.full(n, az)

    def f(s):
        lo, la, _ = GEOD.fwd(lon0s, lat0s, azs, s)
        return GEOD.inv(lo, la, qlon, qlat)[2]

    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(60):
        left = fc < fd
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        nc, nd = b - g * (b - a), a + g * (b - a)
        c, d = nc, nd
        fc, fd = f(c), f(d)
    return np.minimum(fc, fd)


def parts_of(geom):
    """A (Multi)LineString as a list of [(lon, lat), ...]."""
    t = ogr.GT_Flatten(geom.GetGeometryType())
    geoms = [geom] if t == ogr.wkbLineString else [geom.GetGeometryRef(i) for i in range(geom.GetGeometryCount())]
    return [[(g.GetX(i), g.GetY(i)) for i in range(g.GetPointCount())] for g in geoms]


def check_line(name, lat0, lon0, az, s0, s1, parts, tol, end_exact=None, on_line=1e-3):
    """Every vertex on the geodesic (GeodSolve, within on_line metres), every chord within tol,
    the ends at s0 and s1, cut only at +/-180 and at a pole.  Returns the
    largest chord distance measured."""
    pts = [p for part in parts for p in part]
    lon = np.array([p[0] for p in pts])
    lat = np.array([p[1] for p in pts])
    check(len(parts) >= 1 and all(len(p) >= 2 for p in parts), "%s: %d parts of 2+ vertices" % (name, len(parts)))
    check(bool(np.all(np.abs(lon) <= 180) and np.all(np.abs(lat) <= 90)),
          "%s: every vertex in [-180,180] x [-90,90]" % name)
    # distance along the geodesic of each vertex: from the start, by the
    # inverse problem (shortest = this geodesic for these lengths)
    s = GEOD.inv(np.full(len(pts), lon0), np.full(len(pts), lat0), lon, lat)[2]
    glat, glon = geodsolve_line(lat0, lon0, az, s)
    off = GEOD.inv(glon, glat, lon, lat)[2]
    check(float(np.max(off)) < on_line, "%s: all %d vertices on the geodesic (GeodSolve -L), worst %.2e m"
          % (name, len(pts), float(np.max(off))))
    check(bool(np.all(np.diff(s) > -1e-3)), "%s: vertices in order along the geodesic" % name)
    check(abs(s[0] - s0) < 1e-3, "%s: starts at %.3f km (got %.6f)" % (name, s0 / 1000, s[0] / 1000))
    check(abs(s[-1] - s1) < 1e-3, "%s: ends at %.3f km (got %.6f)" % (name, s1 / 1000, s[-1] / 1000))
    if end_exact:
        elat, elon = end_exact
        dl = (lon[-1] - elon + 540) % 360 - 180
        check(lat[-1] == elat and abs(dl) < 1e-12, "%s: last vertex is the target exactly" % name)
    # cuts: a part ends on +/-180 and the next starts on the other side at
    # the same latitude, or both are at a pole
    for i in range(len(parts) - 1):
        (ax, ay), (bx, by) = parts[i][-1], parts[i + 1][0]
        at_cut = abs(abs(ax) - 180) < 1e-9 and abs(bx + ax) < 1e-9 and abs(ay - by) < 1e-9
        at_pole = abs(ay) > 89.9 and GEOD.inv(ax, ay, bx, by)[2] <= 2 * tol
        check(at_cut or at_pole, "%s: part %d ends on %s" % (name, i, "the antimeridian" if at_cut else "a pole" if at_pole else "NEITHER cut: (%r,%r) -> (%r,%r)" % (ax, ay, bx, by)))
    # chords: points at fractions of every segment, their distance to the
    # geodesic minimised over the distance along it
    qla, qlo, lo_s, hi_s = [], [], [], []
    k = 0
    for part in parts:
        for j in range(len(part) - 1):
            (x0, y0), (x1, y1) = part[j], part[j + 1]
            for fr in (0.1, 0.25, 0.5, 0.75, 0.9):
                qlo.append(x0 + fr * (x1 - x0))
                qla.append(y0 + fr * (y1 - y0))
                lo_s.append(max(0.0, s[k + j] - 2000.0))
                hi_s.append(s[k + j + 1] + 2000.0)
            check_dlon = abs(x1 - x0) < 180
            if not check_dlon:
                check(False, "%s: a segment jumps across the map (%r -> %r)" % (name, x0, x1))
        k += len(part)
    d = dist_to_geodesic(lat0, lon0, az, np.array(lo_s), np.array(hi_s), qla, qlo)
    worst = float(np.max(d)) if len(d) else 0.0
    check(worst <= tol, "%s: %d chord points within %.1f m of the geodesic (worst %.3f m)"
          % (name, len(d), tol, worst))
    return worst


def features(path, layer=None):
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName(layer) if layer else ds.GetLayer(0)
    out = []
    for f in lyr:
        props = {lyr.GetLayerDefn().GetFieldDefn(i).GetName(): f.GetField(i)
                 for i in range(f.GetFieldCount())}
        g = f.GetGeometryRef()
        out.append((props, g.Clone() if g else None))
    return out


def rings(*args):
    r = run([BIN, "rings", "-q"] + list(args), cwd=W)
    check(r.returncode == 0, "rings %s: exit 0 %s" % (" ".join(args), r.stderr.strip()[:200]))
    return r


# ---------------------------------------------------------------- radials
# Anadyr: az 0 passes over the North Pole, 90 crosses the antimeridian;
# an annulus; the south polar case passes the pole exactly (az 180) and
# nearly (az 181); a site on the antimeridian.
CASES = [
    ("anadyr", 64.73, 177.51, "3000km", None, "0,45,90,180,270", None),
    ("annulus", 64.73, 177.51, "5000km", "1000km", "6", None),
    ("southpole", -89.5, 30.0, "1500km", None, "180,181,0,90", None),
    ("onthecut", 10.0, 180.0, "2500km", None, "4", None),
    ("sector", 50.6, 36.6, "885km", None, "8", "60:120"),
]
for name, lat, lon, rng, mn, rad, sector in CASES:
    out = "%s.gpkg" % name
    args = ["--site", "%r,%r" % (lat, lon), "--range", rng, "--radials", rad, "-o", out]
    if mn:
        args += ["--min-range", mn]
    if sector:
        args += ["--azimuth", sector]
    rings(*args)
    ds = ogr.Open(os.path.join(W, out))
    names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
    check("rings" in names and "radials" in names, "%s: layers rings and radials in one GeoPackage %s" % (name, names))
    feats = features(os.path.join(W, out), "radials")
    want = ([360.0 * i / int(rad) for i in range(int(rad))] if "," not in rad
            else [float(x) for x in rad.split(",")])
    if sector:
        a, b = (float(x) for x in sector.split(":"))
        want = [z for z in want if (z - a) % 360 <= (b - a) % 360]
    got = sorted(p["az_deg"] for p, _ in feats)
    check(got == sorted(want), "%s: radials at azimuths %s (got %s)" % (name, sorted(want), got))
    for p, g in feats:
        s0 = (p["min_km"] or 0) * 1000
        s1 = p["range_km"] * 1000
        worst = check_line("%s az %g" % (name, p["az_deg"]), lat, lon, p["az_deg"], s0, s1,
                           parts_of(g), TOL)
        check(p["err_m"] <= TOL and p["tol_m"] == TOL and p["site_lat"] == lat,
              "%s az %g: fields tol_m %g err_m %.3f site_lat" % (name, p["az_deg"], p["tol_m"], p["err_m"]))

# The checker can fail: radials drawn to 20 km must be found farther than
# 10 m off the geodesic somewhere (and within their 20 km).
rings("--site", "64.73,177.51", "--range", "3000km", "--radials", "45,", "--tolerance", "20km",
      "-o", "coarse.gpkg")
(p, g), = features(os.path.join(W, "coarse.gpkg"), "radials")
segs = [(a, b) for part in parts_of(g) for a, b in zip(part, part[1:])]
qlo = [(a[0] + b[0]) / 2 for a, b in segs]
qla = [(a[1] + b[1]) / 2 for a, b in segs]
d = dist_to_geodesic(64.73, 177.51, 45.0, 0.0, 3.01e6, qla, qlo)
check(float(np.max(d)) > TOL and float(np.max(d)) <= 20000,
      "control: a 20 km radial's chords are seen %.0f m off (> 10 m, <= 20 km)" % float(np.max(d)))

# single-layer formats: a file beside (OUT_radials.EXT); standard output refused
rings("--site", "64.73,177.51", "--range", "3000km", "--radials", "4", "-o", "r.geojson")
check(os.path.exists(os.path.join(W, "r_radials.geojson")), "GeoJSON: radials in r_radials.geojson")
rr = features(os.path.join(W, "r_radials.geojson"))
check(len(rr) == 4, "GeoJSON: 4 radials (got %d)" % len(rr))
for p, g in rr:
    # GeoJSON's coordinates are rounded by at most 1e-3 of the tolerance (README)
    check_line("geojson az %g" % p["az_deg"], 64.73, 177.51, p["az_deg"], 0, 3e6, parts_of(g), TOL,
               on_line=1e-3 + 1e-3 * TOL)
rings("--site", "64.73,177.51", "--range", "3000km", "--radials", "4", "-o", "rs.shp")  # a stem of its own: r.qml is r.geojson's style
check(len(features(os.path.join(W, "rs_radials.shp"))) == 4, "shapefile: 4 radials in rs_radials.shp")
r = run([BIN, "rings", "--site", "1,1", "--range", "100km", "--radials", "4", "-o", "-"], cwd=W)
check(r.returncode == 2 and "one layer" in r.stderr, "-o - --radials: refused, exit 2")
r = run([BIN, "rings", "--site", "1,1", "--range", "100km", "--radials", "0", "-o", "x.gpkg"], cwd=W)
check(r.returncode == 2, "--radials 0: usage error")
r = run([BIN, "rings", "--site", "1,1", "--range", "100km", "--radials", "4,x", "-o", "x.gpkg"], cwd=W)
check(r.returncode == 2, "--radials 4,x: usage error")

# ------------------------------------------------------------ query lines
SITES = [("Анадырь", 64.73, 177.51), ("North", 80.0, 0.0), ("평양", 39.03, 125.75)]
TARGETS = [("Honolulu", 21.3, -157.86), ("OverThePole", 80.0, 180.0), ("Hagåtña", 13.47, 144.75),
           ("서울특별시", 37.57, 126.98), ("Харків", 49.99, 36.23),
           ("Khuzestan launch area near the Iranian border", 31.3, 48.7)]
with open(os.path.join(W, "s.csv"), "w", encoding="utf-8") as fh:
    fh.write("name,lat,lon\n" + "".join("%s,%r,%r\n" % t for t in SITES))
with open(os.path.join(W, "t.csv"), "w", encoding="utf-8") as fh:
    fh.write("name,lat,lon\n" + "".join('"%s",%r,%r\n' % t for t in TARGETS))
Q = ["query", "--sites", "s.csv", "--targets", "t.csv", "--range", "7000km", "-q"]
r = run([BIN] + Q + ["-o", "q.gpkg"], cwd=W)
check(r.returncode == 0, "query -o q.gpkg: exit 0 %s" % r.stderr[:200])
ds = ogr.Open(os.path.join(W, "q.gpkg"))
names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
check("query" in names and "query_lines" in names, "query: layers query and query_lines %s" % names)
lines = features(os.path.join(W, "q.gpkg"), "query_lines")
pts_ = features(os.path.join(W, "q.gpkg"), "query")
check(len(lines) == len(SITES) * len(TARGETS) == len(pts_), "query_lines: one line per row (%d)" % len(lines))
site_at = {n: (a, b) for n, a, b in SITES}
tgt_at = {n: (a, b) for n, a, b in TARGETS}
for p, g in lines:
    (la1, lo1), (la2, lo2) = site_at[p["site"]], tgt_at[p["target"]]
    az1, s12 = geodsolve_inverse(la1, lo1, la2, lo2)
    check_line("%s->%s" % (p["site"], p["target"]), la1, lo1, az1, 0, s12, parts_of(g), TOL,
               end_exact=(la2, lo2))
    check(abs(p["dist_km"] * 1000 - s12) < 1e-3 and p["target_lat"] == la2 and p["target_lon"] == lo2
          and p["in_range"] in (0, 1) and p["in_range"] == (s12 <= 7e6),
          "%s->%s: fields (dist_km, target_lat/lon, in_range) as the query" % (p["site"], p["target"]))
r = run([BIN] + Q + ["-o", "nl.gpkg", "--no-lines"], cwd=W)
ds = ogr.Open(os.path.join(W, "nl.gpkg"))
check(r.returncode == 0 and "query_lines" not in [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())],
      "query --no-lines: no layer query_lines")
ds = None
f = [q for q, _ in pts_][0]
check("target_lat" in f and "target_lon" in f, "query point layer: target_lat, target_lon fields")

# booleans: one form per format
r = run([BIN] + Q + ["-o", "q.geojson"], cwd=W)
js = json.load(open(os.path.join(W, "q.geojson"), encoding="utf-8"))
check(all(isinstance(ft["properties"]["in_range"], bool) for ft in js["features"]),
      "GeoJSON: in_range is true/false")
check(os.path.exists(os.path.join(W, "q_query_lines.geojson")), "GeoJSON: lines beside as q_query_lines.geojson")
r = run([BIN] + Q + ["-o", "qc.csv"], cwd=W)
rows = open(os.path.join(W, "qc.csv"), encoding="utf-8").read().splitlines()
hdr = rows[0].split(",")
idx = hdr.index("in_range")
import csv
cr = list(csv.reader(open(os.path.join(W, "qc.csv"), encoding="utf-8")))
check(all(row[idx] in ("true", "false") for row in cr[1:]), "GDAL CSV: in_range true/false")
check("target_lat" in hdr and "target_lon" in hdr, "GDAL CSV: target_lat, target_lon")
r = run([BIN] + Q + ["-o", "qs.shp"], cwd=W)
ds = ogr.Open(os.path.join(W, "qs.shp"))
fd = ds.GetLayer(0).GetLayerDefn().GetFieldDefn(ds.GetLayer(0).GetLayerDefn().GetFieldIndex("in_range"))
check(fd.GetType() == ogr.OFTInteger, "shapefile: in_range an integer field (0/1)")
ds = None
r = run([BIN] + Q + ["--as", "csv"], cwd=W)
cr = list(csv.reader(r.stdout.splitlines()))
check(cr[0][:5] == ["site", "missile", "target", "target_lat", "target_lon"],
      "query --as csv: target_lat, target_lon columns")
check(all(row[cr[0].index("in_range")] in ("true", "false") for row in cr[1:]) and len(cr) == 19,
      "query --as csv: in_range true/false, 18 rows")
check(all(float(row[3]) == round(tgt_at[row[2]][0], 6) and float(row[4]) == round(tgt_at[row[2]][1], 6)
          for row in cr[1:]), "query --as csv: target_lat/lon are the targets'")
r = run([BIN] + Q + ["--as", "json"], cwd=W)
jr = json.loads(r.stdout)
check(all(isinstance(x["in_range"], bool) and "target_lat" in x for x in jr), "query --as json: booleans, target_lat")

# ----------------------------------------------------------------- tables
libc = ctypes.CDLL("libc.so.6")
libc.setlocale(6, b"C.UTF-8")  # LC_ALL
libc.wcwidth.restype = ctypes.c_int


def wcswidth(s):
    return sum(max(0, libc.wcwidth(ctypes.c_wchar(c))) for c in s)


r = subprocess.run([BIN] + Q, cwd=W, capture_output=True)
raw = r.stdout
try:
    text = raw.decode("utf-8", "strict")
    ok = True
except UnicodeDecodeError as e:
    ok, text = False, raw.decode("utf-8", "replace")
check(ok, "query table: valid UTF-8")
tl = text.splitlines()
check(len(tl) == 1 + len(SITES) * len(TARGETS), "query table: header + 18 rows")
# every column starts at the same display column in every row: the end
# of the DIST_KM column (a right-aligned number after the names)
ends = []
for line in tl:
    i = line.index("DIST_KM") + len("DIST_KM") if line.startswith("SITE") else None
    if i is None:
        # the names are known: the distance number ends at the first
        # digit run after the target name
        for n, _, _ in TARGETS:
            if n in line:
                j = line.index(n) + len(n)
                k = j + len(line[j:]) - len(line[j:].lstrip())
                i = k + len(line[k:].split(" ")[0])
                break
    ends.append(wcswidth(line[:i]))
check(len(set(ends)) == 1, "query table: DIST_KM column ends at display column %s in every row (glibc wcwidth)"
      % sorted(set(ends)))
check(all(any(n in line for n, _, _ in TARGETS) for line in tl[1:]) and
      sum("Khuzestan launch area near the Iranian border" in line for line in tl) == len(SITES),
      "query table: names never cut")
# the MISSILE column ("-") starts at the same display column in every row
mcol = set()
for line in tl[1:]:
    for n, _, _ in SITES:
        if line.startswith(n):
            rest = line[len(n):]
            mcol.add(wcswidth(n) + len(rest) - len(rest.lstrip()))
check(len(mcol) == 1, "query table: MISSILE column starts at one display column %s" % sorted(mcol))

# the catalogue table too: names of one's own catalogue in any script
rows = list(csv.reader(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                                         "missiles.csv"), encoding="utf-8")))
rows[1][0], rows[2][0] = "화성-11가", "Искандер-М"
with open(os.path.join(W, "cat.csv"), "w", encoding="utf-8", newline="") as fh:
    csv.writer(fh).writerows(rows[:4])
r = subprocess.run([BIN, "missiles", "--catalogue", "cat.csv"], cwd=W, capture_output=True)
ml = r.stdout.decode("utf-8").splitlines()
col = {wcswidth(line[:line.index("SRBM")]) for line in ml[1:]} | {wcswidth(ml[0][:ml[0].index("CLASS")])}
check(r.returncode == 0 and len(ml) == 4 and col == {21} and "화성-11가" in ml[1],
      "missiles table: CLASS at display column 21 after Hangul and Cyrillic names (%s)" % sorted(col))

# ------------------------------------------------------- basket's targets
r = run([BIN, "basket", "--target", "50.45,30.52", "--target", "Hagåtña=13.47,144.75",
         "--range", "12000km", "-o", "b.gpkg", "-q"], cwd=W)
check(r.returncode == 0, "basket -o b.gpkg: exit 0 %s" % r.stderr[:200])
t = features(os.path.join(W, "b.gpkg"), "targets")
check(len(t) == 2 and t[1][0]["name"] == "Hagåtña" and t[1][1].GetX() == 144.75 and t[1][1].GetY() == 13.47,
      "basket: targets point layer beside the basket (names, positions)")
r = run([BIN, "basket", "--target", "50.45,30.52", "--range", "1000km", "-o", "b.geojson", "-q"], cwd=W)
check(r.returncode == 0 and len(features(os.path.join(W, "b_targets.geojson"))) == 1,
      "basket -o b.geojson: targets in b_targets.geojson")

done()
