#!/usr/bin/python3
"""Coverage beyond --union: overlap bands (--count, --min-count) and reach from
a territory (--from-area), each checked against a truth computed here or by
the project's oracle (tests/oracle.py; also shared/tools/ring_oracle.py when
GEOREACH_SHARED is set), plus byte-identical output for any thread
count.

  counts     oracle counts mode (200,000-point lattice: the number of sites
             within R, pyproj inverse) for sites across the antimeridian,
             round the North Pole and 60 random sites; --min-count against
             the 'atleast' mode; the bands' areas weighted by their counts
             add up to the sum of the rings' areas.
  from-area  oracle area mode (lattice: inside the territory, or geodesic
             distance to its boundary <= R), and a brute force of our own
             with a much tighter band: every vertex and edge middle of the
             result's boundary (off the cut and pole lines) must lie within
             the tolerance of distance R from the territory, measured with
             pyproj to the territory's boundary sampled every 50 m (the
             sampling adds at most 50^2/(8R) m, below a millimetre).  Cases:
             North Korea (bundled), a territory across the antimeridian
             (Chukotka-like, two pieces meeting on +-180, a GeoJSON layer) and
             one round the North Pole.
usage: test_coverage.py GEOREACH"""

import json
import math
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
from osgeo import ogr
from pyproj import Geod
from scipy.spatial import cKDTree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, DATA, check, done, oracles, tagged  # noqa: E402

G = Geod(ellps="WGS84")


def run(args):
    p = subprocess.run([BIN] + args, capture_output=True, text=True)
    return p.returncode, p.stderr.strip()


def oracle(args):
    """[(label, score)]: the project's oracle, and the shared one when
    GEOREACH_SHARED is set."""
    return [(label, s) for label, s, _ in oracles(args + ["--json"])]


def write_sites(path, pts):
    with open(path, "w") as f:
        f.write("name,lat,lon\n" + "".join("s%d,%r,%r\n" % (i, a, b) for i, (a, b) in enumerate(pts)))


def features(path):
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    out = []
    for f in lyr:
        out.append((f.items(), f.GetGeometryRef().Clone()))
    ds = None
    return out


def ring_area_km2(d, lat, lon, r):
    p = os.path.join(d, "one.geojson")
    run(["rings", "--site", "%r,%r" % (lat, lon), "--range", "%dm" % r, "-o", p, "--overwrite", "-q"])
    return features(p)[0][0]["area_km2"]


def unit(lat, lon):
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def boundary_samples(geom, spacing_m):
    """The territory's boundary (straight lon/lat edges) every spacing_m."""
    lats, lons = [], []
    for i in range(geom.GetGeometryCount()):
        poly = geom.GetGeometryRef(i)
        for j in range(poly.GetGeometryCount()):
            pts = poly.GetGeometryRef(j).GetPoints()
            for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
                _, _, s = G.inv(x0, y0, x1, y1)
                n = max(1, int(math.ceil(s / spacing_m)))
                u = np.arange(n) / n
                lons.append(x0 + u * (x1 - x0))
                lats.append(y0 + u * (y1 - y0))
    return np.concatenate(lats), np.concatenate(lons)


def dist_to_samples(tree, blat, blon, lat, lon, R):
    """Geodesic distance from each point to the nearest boundary sample: the
    candidates within a chord a bit beyond R's, then exact pyproj inverses."""
    q = unit(lat, lon)
    theta = (R * 1.01 + 20000) / 6356752.0
    chord = 2 * math.sin(theta / 2)
    out = np.full(len(lat), np.inf)
    for i, cand in enumerate(tree.query_ball_point(q, chord)):
        if not cand:
            continue
        c = np.array(cand)
        _, _, s = G.inv(np.full(len(c), lon[i]), np.full(len(c), lat[i]), blon[c], blat[c])
        out[i] = s.min()
    return out


def boundary_points(geom):
    """Vertices and edge middles of a result, off the cut and pole lines."""
    lat, lon = [], []
    for i in range(geom.GetGeometryCount()):
        poly = geom.GetGeometryRef(i)
        for j in range(poly.GetGeometryCount()):
            pts = poly.GetGeometryRef(j).GetPoints()
            for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
                if (abs(x0) == 180 and x0 == x1) or (abs(y0) == 90 and y0 == y1):
                    continue
                if not (abs(x0) == 180 or abs(y0) == 90):
                    lat.append(y0)
                    lon.append(x0)
                lat.append((y0 + y1) / 2)
                lon.append((x0 + x1) / 2)
    return np.array(lat), np.array(lon)


with tempfile.TemporaryDirectory() as d:
    # --- overlap counts --------------------------------------------------
    rnd = random.Random(55)
    CASES = [
        ("antimeridian", [(-17.7, 178.0), (-13.8, -172.0), (60.0, 179.5), (64.0, -175.0), (-20, -179)], 1500000),
        ("north_pole", [(85.0, 20.0), (80.0, -160.0), (78.2, 15.6), (88.0, 100.0), (75, 60)], 1200000),
        ("random_60", [(rnd.uniform(-60, 60), rnd.uniform(-180, 180)) for _ in range(60)], 885000),
    ]
    for name, pts, r in CASES:
        sites = os.path.join(d, name + ".csv")
        write_sites(sites, pts)
        out = os.path.join(d, name + "_count.geojson")
        rc, err = run(["rings", "--sites", sites, "--range", "%dm" % r, "--count", "-o", out, "-q"])
        check(rc == 0, "%s: --count exits 0 (%s)" % (name, err))
        for label, s in oracle([out, "--sites", sites, "--radius-m", str(r), "--count-field", "count",
                                "--count-mode", "exact"]):
            check(s.get("misclassified") == 0 and s.get("valid") and s.get("uncut_antimeridian_edges") == 0
                  and s.get("rfc7946_winding_ok") and s.get("count_overlap_points") == 0,
                  tagged(label, "%s: oracle counts: misclassified %s (too high %s, too low %s), valid %s, "
                         "winding %s, overlapping bands %s, true counts %s%s" %
                         (name, s.get("misclassified"), s.get("count_too_high"), s.get("count_too_low"),
                          s.get("valid"), s.get("rfc7946_winding_ok"), s.get("count_overlap_points"),
                          s.get("true_count_histogram"), (" (%s)" % s["error"]) if "error" in s else "")))
        feats = features(out)
        counts = [f[0]["count"] for f in feats]
        check(counts == sorted(counts) and len(set(counts)) == len(counts) and
              all(f[0]["sites"] == len(pts) and f[0]["at_least"] == 0 for f in feats),
              "%s: one band per count, increasing: %s" % (name, counts))
        weighted = sum(f[0]["count"] * f[0]["area_km2"] for f in feats)
        if name != "random_60":
            rings = sum(ring_area_km2(d, a, b, r) for a, b in pts)
            check(abs(weighted - rings) < 1e-6 * rings,
                  "%s: sum of count x band area %.3f km2 = sum of ring areas %.3f km2" %
                  (name, weighted, rings))
        k = 2
        out2 = os.path.join(d, name + "_min2.geojson")
        rc, err = run(["rings", "--sites", sites, "--range", "%dm" % r, "--count", "--min-count",
                       str(k), "-o", out2, "-q"])
        f2 = features(out2) if rc == 0 else []
        check(rc == 0 and len(f2) == 1 and f2[0][0]["count"] == k and f2[0][0]["at_least"] == 1,
              "%s: --min-count %d gives one band 'at least %d' (%s)" % (name, k, k, err))
        for label, s in oracle([out2, "--sites", sites, "--radius-m", str(r), "--count-field", "count",
                                "--count-mode", "atleast"]):
            check(s.get("misclassified") == 0 and s.get("valid"),
                  tagged(label, "%s: oracle 'at least %d': misclassified %s, valid %s" %
                         (name, k, s.get("misclassified"), s.get("valid"))))
        above = sum(f[0]["area_km2"] for f in feats if f[0]["count"] >= k)
        if f2:
            check(abs(f2[0][0]["area_km2"] - above) < 1e-6 * above,
                  "%s: 'at least %d' area %.3f km2 = the exact bands' %.3f km2" %
                  (name, k, f2[0][0]["area_km2"], above))

    # --- reach from a territory -------------------------------------------
    # A Chukotka-like territory across the antimeridian (two pieces meeting on
    # +-180, as a GeoJSON layer would hold it) and a cap round the North Pole.
    chuk = os.path.join(d, "chukotka.geojson")
    with open(chuk, "w") as f:
        json.dump({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "chuk"},
                   "geometry": {"type": "MultiPolygon", "coordinates": [
                       [[[172, 64], [180, 62.5], [180, 69.5], [176, 70], [170, 69.8], [172, 64]]],
                       [[[-180, 62.5], [-174, 64.5], [-169, 66], [-176, 68.5], [-180, 69.5], [-180, 62.5]]]]}}]},
                  f)
    arctic = os.path.join(d, "arctic.geojson")
    with open(arctic, "w") as f:
        ring = [[x, 84 + 2 * math.sin(math.radians(3 * x))] for x in range(-180, 181, 10)]
        ring += [[180, 90], [-180, 90], ring[0]]
        json.dump({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                   "geometry": {"type": "Polygon", "coordinates": [ring]}}]}, f)
    AREAS = [("KP", "KP", 885000, 10), ("chukotka", chuk, 500000, 10), ("arctic", arctic, 300000, 5)]
    for name, what, r, tol in AREAS:
        out = os.path.join(d, name + "_area.gpkg")
        rc, err = run(["rings", "--from-area", what, "--range", "%dm" % r, "--tolerance", "%dm" % tol,
                       "-o", out, "-q"])
        check(rc == 0, "%s: --from-area exits 0 (%s)" % (name, err))
        if rc:
            continue
        feats = features(out)
        items, geom = feats[0]
        # the territory as georeach read it, written by ogr2ogr for the oracle
        terr = what
        if what == "KP":
            terr = os.path.join(d, "kp.geojson")
            subprocess.run(["ogr2ogr", "-f", "GeoJSON", terr, os.path.join(DATA, "countries.geojson"),
                            "-where", "iso_a2 = 'KP'"], check=True)
        for label, s in oracle([out, "--area", terr, "--radius-m", str(r)]):
            check(s.get("misclassified") == 0 and s.get("valid") and s.get("uncut_antimeridian_edges") == 0
                  and s.get("rfc7946_winding_ok") is not False,
                  tagged(label, "%s: oracle area mode: misclassified %s, valid %s, uncut %s%s" %
                         (name, s.get("misclassified"), s.get("valid"), s.get("uncut_antimeridian_edges"),
                          (" (%s)" % s["error"]) if "error" in s else "")))
        ds = ogr.Open(terr)
        tg = ogr.Geometry(ogr.wkbMultiPolygon)
        for f in ds.GetLayer(0):
            g = f.GetGeometryRef()
            if g.GetGeometryType() == ogr.wkbPolygon:
                tg.AddGeometry(g)
            else:
                for i in range(g.GetGeometryCount()):
                    tg.AddGeometry(g.GetGeometryRef(i))
        ds = None
        blat, blon = boundary_samples(tg, 50.0)
        tree = cKDTree(unit(blat, blon))
        plat, plon = boundary_points(geom)
        dist = dist_to_samples(tree, blat, blon, plat, plon, r)
        err_m = np.abs(dist - r)
        worst = float(err_m.max())
        check(worst <= tol and len(plat) > 100,
              "%s: %d boundary points of the result lie within %.3f m of distance R from the territory "
              "(tolerance %d m; err_m field %.3f m)" % (name, len(plat), worst, tol, items["err_m"]))
        check(items["err_m"] <= tol and items["from_area"] != "" and items["sites"] > 10,
              "%s: fields: from_area '%s', %d boundary samples, err_m %.3f <= %d" %
              (name, items["from_area"], items["sites"], items["err_m"], tol))

    # --- the same output whatever the thread count --------------------------
    sites = os.path.join(d, "random_60.csv")
    for mode in (["--union"], ["--count"], ["--from-area", chuk]):
        outs = []
        for th in ("1", "2", "3"):
            o = os.path.join(d, "det_%s_%s.geojson" % (mode[0][2:], th))
            src = [] if mode[0] == "--from-area" else ["--sites", sites]
            rc, err = run(["rings"] + src + ["--range", "885km", "--threads", th, "-o", o, "-q"] + mode)
            outs.append(open(o, "rb").read() if rc == 0 else b"")
        check(outs[0] and outs[0] == outs[1] == outs[2],
              "%s: byte-identical output with 1, 2 and 3 threads" % mode[0])

    # --- bad combinations -------------------------------------------------
    for args, what in ((["--site", "0,0", "--range", "10km", "--union", "--count"], "--union with --count"),
                       (["--site", "0,0", "--range", "10km", "--min-count", "2"], "--min-count without --count"),
                       (["--from-area", "KP", "--range", "10km", "--azimuth", "0:90"], "--from-area with a sector"),
                       (["--from-area", "KP", "--site", "0,0", "--range", "10km"], "--from-area with --site"),
                       (["--from-area", "Atlantis", "--range", "10km"], "an unknown territory"),
                       (["--site", "0,0", "--range", "10km", "--count", "--min-count", "x"], "--min-count x")):
        o = os.path.join(d, "bad.geojson")
        rc, err = run(["rings"] + args + ["-o", o])
        check(rc == 2 and not os.path.exists(o) and err.count("\n") == 0 and err,
              "refused: %s (exit %d: %s)" % (what, rc, err))
done()
