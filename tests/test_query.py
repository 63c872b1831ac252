#!/usr/bin/python3
"""georeach query against GeographicLib's GeodSolve (independent): distances,
azimuths, in_range and margins of every row; --in-range (which skips pairs by
a bound) returns exactly the in-range rows of the full table; --nearest
matches a brute force over the full table; and the bound itself, b theta <= s
<= a theta on the reduced-latitude sphere, holds on 200,000 random pairs
including antipodal and polar ones.  usage: test_query.py GEOREACH"""

import csv
import io
import math
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
from pyproj import Geod

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, check, done  # noqa: E402



rnd = random.Random(11)


def rpt():
    return math.degrees(math.asin(rnd.uniform(-1, 1))), rnd.uniform(-180, 180)


sites = [rpt() for _ in range(12)] + [(90, 0), (-89.9, 170), (10, 180)]
targets = [rpt() for _ in range(400)] + [(-s[0], s[1] + 180) for s in sites[:3]] + [(-90, 0), (0, -180)]
R, R0 = 4000.0, 300.0
with tempfile.TemporaryDirectory() as d:
    sf, tf = os.path.join(d, "s.csv"), os.path.join(d, "t.csv")
    with open(sf, "w") as f:
        f.write("name,lat,lon\n" + "".join("s%d,%.9f,%.9f\n" % (i, a, b) for i, (a, b) in enumerate(sites)))
    with open(tf, "w") as f:
        f.write("name,lat,lon\n" + "".join("t%d,%.9f,%.9f\n" % (i, a, b) for i, (a, b) in enumerate(targets)))
    base = [BIN, "query", "--sites", sf, "--targets", tf, "--range", "%gkm" % R, "--min-range", "%gkm" % R0,
            "--as", "csv", "-q"]
    full = list(csv.DictReader(io.StringIO(subprocess.run(base, capture_output=True, text=True,
                                                           check=True).stdout)))
    check(len(full) == len(sites) * len(targets), "full table: %d rows" % len(full))
    lines = []
    for r in full:
        a = sites[int(r["site"][1:])]
        b = targets[int(r["target"][1:])]
        lines.append("%.9f %.9f %.9f %.9f" % (a[0], a[1], b[0], b[1]))
    ref = subprocess.run(["GeodSolve", "-i", "-p", "9"], input="\n".join(lines) + "\n",
                         capture_output=True, text=True, check=True).stdout.split("\n")
    worst_d = worst_a = 0.0
    bad_flag = bad_margin = 0
    for r, line in zip(full, ref):
        azi1, azi2, s12 = map(float, line.split())
        dist = float(r["dist_km"]) * 1000
        worst_d = max(worst_d, abs(dist - s12))
        if s12 > 1 and abs(abs(s12 - 20003931.46) ) > 1000:  # azimuths are defined
            for mine, theirs in ((float(r["az_deg"]), azi1), (float(r["baz_deg"]), azi2)):
                worst_a = max(worst_a, abs((mine - theirs + 180) % 360 - 180))
        want = R0 * 1000 <= s12 <= R * 1000
        bad_flag += (r["in_range"] == "true") != want and abs(s12 - R * 1000) > 1 and abs(s12 - R0 * 1000) > 1
        bad_margin += abs(float(r["margin_km"]) - (R - s12 / 1000)) > 2e-6
    check(worst_d < 0.001, "distances vs GeodSolve: worst %.6f m (csv keeps mm)" % worst_d)
    check(worst_a < 2e-6, "azimuths vs GeodSolve: worst %.6f deg" % worst_a)
    check(bad_flag == 0, "in_range flags: %d wrong" % bad_flag)
    check(bad_margin == 0, "margins: %d wrong" % bad_margin)

    inr = list(csv.DictReader(io.StringIO(subprocess.run(base + ["--in-range"], capture_output=True,
                                                          text=True, check=True).stdout)))
    want = [(r["site"], r["target"]) for r in full if r["in_range"] == "true"]
    got = [(r["site"], r["target"]) for r in inr]
    check(got == want, "--in-range returns exactly the in-range rows (%d of %d)" % (len(got), len(full)))

    near = list(csv.DictReader(io.StringIO(subprocess.run(base + ["--nearest"], capture_output=True,
                                                           text=True, check=True).stdout)))
    bad = 0
    for t in range(len(targets)):
        rows = [r for r in full if r["target"] == "t%d" % t]
        cap = [r for r in rows if r["in_range"] == "true"]
        pick = min(cap or rows, key=lambda r: float(r["dist_km"]))
        n = near[t]
        if n["target"] != "t%d" % t or abs(float(n["dist_km"]) - float(pick["dist_km"])) > 1e-6 or \
                n["in_range"] != pick["in_range"]:
            bad += 1
    check(len(near) == len(targets) and bad == 0, "--nearest matches brute force (%d wrong)" % bad)

    # -o FILE with --as: the bytes standard output gets, through the staged stream
    for fmt in ("csv", "table", "json"):
        args = [BIN, "query", "--sites", sf, "--targets", tf, "--range", "%gkm" % R, "--as", fmt, "-q"]
        std = subprocess.run(args, capture_output=True, check=True).stdout
        of = os.path.join(d, "rows." + fmt)
        p1 = subprocess.run(args + ["-o", of], capture_output=True)
        got = open(of, "rb").read() if os.path.exists(of) else b""
        check(p1.returncode == 0 and got == std and p1.stdout == b"",
              "-o rows.%s --as %s: the same %d bytes as standard output, none on it" % (fmt, fmt, len(std)))
        p2 = subprocess.run(args + ["-o", of], capture_output=True, text=True)
        check(p2.returncode == 1 and "exists" in p2.stderr and open(of, "rb").read() == std,
              "-o rows.%s again without --overwrite: refused (exit %d), the file untouched" % (fmt, p2.returncode))
    left = [n for n in os.listdir(d) if n.startswith(".georeach-")]
    check(not left, "no staging files left (%s)" % left)

# the pruning bound
g = Geod(ellps="WGS84")
a, f = 6378137.0, 1 / 298.257223563
b = a * (1 - f)
N = 200000
lat1 = np.degrees(np.arcsin(np.random.default_rng(3).uniform(-1, 1, N)))
lon1 = np.random.default_rng(4).uniform(-180, 180, N)
lat2 = np.degrees(np.arcsin(np.random.default_rng(5).uniform(-1, 1, N)))
lon2 = np.random.default_rng(6).uniform(-180, 180, N)
lat2[:2000] = -lat1[:2000] + np.random.default_rng(7).normal(0, 0.3, 2000).clip(-5, 5)
lat2[:2000] = lat2[:2000].clip(-90, 90)
lon2[:2000] = lon1[:2000] + 180 + np.random.default_rng(8).normal(0, 0.3, 2000)
lat1[2000:3000] = 89.999


def unit(lat, lon):
    beta = np.arctan((1 - f) * np.tan(np.radians(lat)))
    lam = np.radians(lon)
    return np.stack([np.cos(beta) * np.cos(lam), np.cos(beta) * np.sin(lam), np.sin(beta)])


u, v = unit(lat1, lon1), unit(lat2, lon2)
cr = np.cross(u.T, v.T)
th = np.arctan2(np.linalg.norm(cr, axis=1), (u * v).sum(axis=0))
s = g.inv(lon1, lat1, lon2, lat2)[2]
lo, hi = (s - b * th).min(), (a * th - s).min()
check(lo >= -1e-6 and hi >= -1e-6,
      "bound b theta <= s <= a theta on %d pairs: min slack %.3f m / %.3f m" % (N, lo, hi))
# countries reached: the share of Ukraine, Belarus and Moldova inside the
# KN-23 ring round Belgorod, against shapely + pyproj (a 4,000-vertex ring
# from Geod.fwd, geodesic areas of the intersections)
import re
from osgeo import ogr
from shapely import wkt as swkt
from shapely.geometry import Polygon
p = subprocess.run([BIN, "query", "--site", "50.5977,36.5858", "--range", "885km", "--target", "0,0",
                    "--as", "csv"], capture_output=True, text=True)
got = {m.group(1): float(m.group(2)) for m in re.finditer(r"\b([A-Z]{2}) ([0-9.]+)%", p.stderr)}
lons, lats, _ = g.fwd(np.full(4000, 36.5858), np.full(4000, 50.5977), np.linspace(0, 360, 4000, endpoint=False),
                      np.full(4000, 885000.0))
ring = Polygon(zip(lons, lats))
ds = ogr.Open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "countries.geojson"))
for f in ds.GetLayer(0):
    cc = f.GetField("iso_a2")
    if cc not in ("UA", "BY", "MD"):
        continue
    c = swkt.loads(f.GetGeometryRef().ExportToWkt())
    share = 100 * abs(g.geometry_area_perimeter(c.intersection(ring))[0]) / abs(g.geometry_area_perimeter(c)[0])
    check(cc in got and abs(got[cc] - share) < 0.2,
          "%s share inside the ring: georeach %s%%, shapely+pyproj %.2f%%" % (cc, got.get(cc), share))
ds = None
done()
