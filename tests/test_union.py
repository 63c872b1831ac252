#!/usr/bin/python3
"""georeach rings --union scored by ring_oracle.py's sites mode (truth: some
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
from checks import BIN, ORACLE, check, done  # noqa: E402



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
        ocmd = ["/usr/bin/python3", ORACLE, out, "--sites", sites, "--radius-m", str(r), "--mode", "any", "--json"]
        if az:
            args.append("--azimuth=" + az)
            a, b = az.split(":")
            ocmd += ["--az-from", a, "--az-to", b]
        p = subprocess.run(args, capture_output=True, text=True)
        check(p.returncode == 0, "%s: --union exits 0 (%s)" % (name, p.stderr.strip()))
        s = json.loads(subprocess.run(ocmd, capture_output=True, text=True).stdout)
        check(s.get("misclassified") == 0 and s.get("valid") and s.get("uncut_antimeridian_edges") == 0
              and s.get("rfc7946_winding_ok") and s.get("coords_out_of_range") == 0,
              "%s: oracle misclassified %s, valid %s, uncut %s, winding %s" %
              (name, s.get("misclassified"), s.get("valid"), s.get("uncut_antimeridian_edges"),
               s.get("rfc7946_winding_ok")))
        ds = ogr.Open(out)
        lyr = ds.GetLayer(0)
        feat = lyr.GetNextFeature()
        check(lyr.GetFeatureCount() == 1 and feat.GetField("sites") == len(pts),
              "%s: one coverage feature from %d sites" % (name, feat.GetField("sites")))
        ds = None
done()
