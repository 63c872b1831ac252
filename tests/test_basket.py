#!/usr/bin/python3
"""georeach basket scored from outside: the oracle's sites mode (tests/oracle.py;
also shared/tools/ring_oracle.py when GEOREACH_SHARED is set) (truth:
every target within R for 'all', some target for 'any', by pyproj's inverse
on a 200,000-point lattice) on baskets in Ukraine, across the antimeridian
and round the North Pole; --within checked with shapely (inside the
territory, and equal to the unclipped basket intersected with it).
usage: test_basket.py GEOREACH"""

import json
import os
import subprocess
import sys
import tempfile

from osgeo import ogr
from shapely import wkt as swkt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, HERE, check, done, oracles, tagged  # noqa: E402



def geom(path):
    ds = ogr.Open(path)
    f = ds.GetLayer(0).GetNextFeature()
    g = swkt.loads(f.GetGeometryRef().ExportToWkt())
    area = f.GetField("area_km2")
    return g, area


CASES = [
    ("ukraine_all", [(50.45, 30.52), (49.84, 24.02)], 885000, "all"),
    ("antimeridian_all", [(-17.7, 178.0), (-13.8, -172.0)], 1500000, "all"),
    ("antimeridian_any", [(-17.7, 178.0), (-13.8, -172.0)], 1500000, "any"),
    ("pole_any", [(85.0, 20.0), (80.0, -160.0)], 1200000, "any"),
    ("pole_all", [(85.0, 20.0), (80.0, -160.0)], 1500000, "all"),
]
with tempfile.TemporaryDirectory() as d:
    for name, pts, r, mode in CASES:
        sites = os.path.join(d, name + ".csv")
        with open(sites, "w") as f:
            f.write("name,lat,lon\n" + "".join("t%d,%r,%r\n" % (i, a, b) for i, (a, b) in enumerate(pts)))
        out = os.path.join(d, name + ".geojson")
        args = [BIN, "basket", "--targets", sites, "--range", "%dm" % r, "-o", out, "-q"]
        if mode == "any":
            args.append("--any")
        p = subprocess.run(args, capture_output=True, text=True)
        check(p.returncode == 0, "%s: basket exits 0 (%s)" % (name, p.stderr.strip()))
        for label, s, _ in oracles([out, "--sites", sites, "--radius-m", str(r), "--mode", mode, "--json"]):
            check(s.get("misclassified") == 0 and s.get("valid") and s.get("uncut_antimeridian_edges") == 0
                  and s.get("rfc7946_winding_ok"),
                  tagged(label, "%s: oracle misclassified %s, valid %s, uncut %s, winding %s%s" %
                         (name, s.get("misclassified"), s.get("valid"), s.get("uncut_antimeridian_edges"),
                          s.get("rfc7946_winding_ok"), (" (%s)" % s["error"]) if "error" in s else "")))
    # --within: the unclipped basket intersected with the territory
    full = os.path.join(d, "full.gpkg")
    clip = os.path.join(d, "clip.gpkg")
    base = [BIN, "basket", "--target", "50.45,30.52", "--target", "49.84,24.02", "--missile", "KN-23", "-q"]
    subprocess.run(base + ["-o", full], check=True)
    p = subprocess.run(base + ["--within", "RU,BY", "-o", clip], capture_output=True, text=True)
    check(p.returncode == 0, "--within RU,BY exits 0 (%s)" % p.stderr.strip())
    gf, af = geom(full)
    gc, ac = geom(clip)
    ds = ogr.Open(os.path.join(HERE, "..", "data", "countries.geojson"))
    terr = None
    for f in ds.GetLayer(0):
        if f.GetField("iso_a2") in ("RU", "BY"):
            g = swkt.loads(f.GetGeometryRef().ExportToWkt())
            terr = g if terr is None else terr.union(g)
    want = gf.intersection(terr)
    check(gc.is_valid and gc.difference(terr.buffer(1e-9)).area < 1e-9,
          "clipped basket lies in RU+BY (outside: %.2e deg2)" % gc.difference(terr.buffer(1e-9)).area)
    check(abs(gc.area - want.area) < 1e-6 * want.area,
          "clipped = basket x territory (%.6f vs %.6f deg2)" % (gc.area, want.area))
    check(0 < ac < af, "area_km2 clipped %.0f < unclipped %.0f" % (ac, af))
    p = subprocess.run(base + ["--within", "Atlantis", "-o", os.path.join(d, "x.gpkg")], capture_output=True,
                       text=True)
    check(p.returncode == 2 and "Atlantis" in p.stderr and not os.path.exists(os.path.join(d, "x.gpkg")),
          "--within Atlantis: exit 2 naming it (%s)" % p.stderr.strip())
done()
