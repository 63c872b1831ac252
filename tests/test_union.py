#!/usr/bin/python3
"""georeach rings --union scored by the oracle's sites mode (tests/oracle.py;
also shared/tools/ring_oracle.py when GEOREACH_SHARED is set) (truth: some
site within R, pyproj inverse, 200,000-point lattice): sites on both sides of
the antimeridian, sites round the North Pole, a sector union, and 300 random
sites; plus the fields (sites, area_km2 against the oracle's lattice area).
usage: test_union.py GEOREACH"""

import json
import os
import random
import subprocess
import sys
import tempfile

from osgeo import ogr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, check, done, oracles, tagged  # noqa: E402



rnd = random.Random(21)
CASES = [
    ("antimeridian", [(-17.7, 178.0), (-13.8, -172.0), (60.0, 179.5), (64.0, -175.0)], 1500000, None),
    ("north_pole", [(85.0, 20.0), (80.0, -160.0), (78.2, 15.6), (88.0, 100.0)], 1200000, None),
    ("sector", [(50.6, 36.6), (51.7, 36.2), (45.7, 34.4)], 885000, "300:60"),
    ("random_300", [(rnd.uniform(-70, 70), rnd.uniform(-180, 180)) for _ in range(300)], 885000, None),
]
with tempfile.TemporaryDirectory() as d:
    for name, pts, r, az in CASES:
        sites = os.path.join(d, name + ".csv")
        with open(sites, "w") as f:
            f.write("name,lat,lon\n" + "".join("s%d,%r,%r\n" % (i, a, b) for i, (a, b) in enumerate(pts)))
        out = os.path.join(d, name + ".geojson")
        args = [BIN, "rings", "--sites", sites, "--range", "%dm" % r, "--union", "-o", out, "-q"]
        ocmd = [out, "--sites", sites, "--radius-m", str(r), "--mode", "any", "--json"]
        if az:
            args.append("--azimuth=" + az)
            a, b = az.split(":")
            ocmd += ["--az-from", a, "--az-to", b]
        p = subprocess.run(args, capture_output=True, text=True)
        check(p.returncode == 0, "%s: --union exits 0 (%s)" % (name, p.stderr.strip()))
        for label, s, _ in oracles(ocmd):
            check(s.get("misclassified") == 0 and s.get("valid") and s.get("uncut_antimeridian_edges") == 0
                  and s.get("rfc7946_winding_ok") and s.get("coords_out_of_range") == 0,
                  tagged(label, "%s: oracle misclassified %s, valid %s, uncut %s, winding %s%s" %
                         (name, s.get("misclassified"), s.get("valid"), s.get("uncut_antimeridian_edges"),
                          s.get("rfc7946_winding_ok"), (" (%s)" % s["error"]) if "error" in s else "")))
        ds = ogr.Open(out)
        lyr = ds.GetLayer(0)
        feat = lyr.GetNextFeature()
        check(lyr.GetFeatureCount() == 1 and feat.GetField("sites") == len(pts),
              "%s: one coverage feature from %d sites" % (name, feat.GetField("sites")))
        ds = None
    # Dense sites (most circles buried inside other discs, never built): every
    # vertex and edge middle of the union's boundary (off the cut lines) is at
    # distance R from its nearest site to the tolerance, the area agrees with a
    # union of all rings built one by one (GEOS), and the oracle finds no
    # misclassified point.
    import math
    import numpy as np
    from pyproj import Geod
    from shapely.geometry import shape
    from shapely.ops import unary_union
    from scipy.spatial import cKDTree
    G = Geod(ellps="WGS84")
    rnd2 = random.Random(77)
    pts = [(math.degrees(math.asin(rnd2.uniform(-0.5, 0.5))), rnd2.uniform(-180, 180)) for _ in range(1500)]
    sites = os.path.join(d, "dense.csv")
    with open(sites, "w") as f:
        f.write("name,lat,lon\n" + "".join("s%d,%r,%r\n" % (i, a, b) for i, (a, b) in enumerate(pts)))
    out = os.path.join(d, "dense.geojson")
    p = subprocess.run([BIN, "rings", "--sites", sites, "--range", "885km", "--union", "-o", out, "-q"],
                       capture_output=True, text=True)
    check(p.returncode == 0, "dense: --union exits 0 (%s)" % p.stderr.strip())
    with open(out) as f:
        feat = json.load(f)["features"][0]
    geom = shape(feat["geometry"])
    bl, bx = [], []
    for poly in getattr(geom, "geoms", [geom]):
        for ring in [poly.exterior] + list(poly.interiors):
            c = list(ring.coords)
            for (x0, y0), (x1, y1) in zip(c, c[1:]):
                if (abs(x0) == 180 and x0 == x1) or (abs(y0) == 90 and y0 == y1):
                    continue
                if abs(x0) != 180:
                    bl.append(y0)
                    bx.append(x0)
                bl.append((y0 + y1) / 2)
                bx.append((x0 + x1) / 2)
    def unit(lat, lon):
        la, lo = np.radians(lat), np.radians(lon)
        return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])
    slat = np.array([a for a, _ in pts])
    slon = np.array([b for _, b in pts])
    tree = cKDTree(unit(slat, slon))
    worst = 0.0
    for i, cand in enumerate(tree.query_ball_point(unit(np.array(bl), np.array(bx)), 2 * math.sin(900e3 / 6356752 / 2))):
        c = np.array(cand)
        _, _, s = G.inv(np.full(len(c), bx[i]), np.full(len(c), bl[i]), slon[c], slat[c])
        worst = max(worst, abs(s.min() - 885000))
    check(worst <= 10 and len(bl) > 1000,
          "dense: %d boundary points of the union lie within %.3f m of distance R from the nearest site"
          % (len(bl), worst))
    # the same union from every ring built alone (no burial), through shapely
    rings = os.path.join(d, "dense_rings.geojson")
    subprocess.run([BIN, "rings", "--sites", sites, "--range", "885km", "-o", rings, "-q"], check=True)
    with open(rings) as f:
        whole = unary_union([shape(x["geometry"]) for x in json.load(f)["features"]])
    diff = whole.symmetric_difference(geom).area
    check(diff < 1e-6 * whole.area, "dense: union with buried rings left out = union of every ring "
          "(symmetric difference %.3g of the area, lon/lat)" % (diff / whole.area))
    for label, s, _ in oracles([out, "--sites", sites, "--radius-m", "885000", "--mode", "any", "--json"]):
        check(s.get("misclassified") == 0 and s.get("valid"), tagged(label, "dense: oracle misclassified %s, valid %s"
                                                                     % (s.get("misclassified"), s.get("valid"))))
done()
