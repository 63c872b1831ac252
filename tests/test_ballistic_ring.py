#!/usr/bin/python3
"""georeach rings --model ballistic: the ring's boundary is the model's reach
R(beta) laid off along each azimuth beta from the launch point.  For every
vertex and edge middle of the output (off the cut and pole lines) the test
measures, with pyproj, the distance s and azimuth beta from the launch point,
asks the model (ballistic_probe: reach LAT LON BETA) for R(beta), and checks
|s - R(beta)| <= the tolerance; it checks the poles' membership against the
model too, GEOS validity, and that a launch whose flights can pass the
antipode is refused.  The model itself is checked against an RK4 integration
in test_ballistic_rk4.py.
usage: test_ballistic_ring.py GEOREACH BALLISTIC_PROBE"""

import os
import subprocess
import sys
import tempfile

from osgeo import ogr
from pyproj import Geod

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, check, done  # noqa: E402

PROBE = sys.argv[2]
G = Geod(ellps="WGS84")

CASES = [  # name, lat, lon, nominal range m, tolerance m
    ("kn23_belgorod", 50.6, 36.6, 885000, 10),
    ("irbm_north_korea", 40.0, 127.0, 4000000, 10),
    ("across_antimeridian", -17.7, 178.0, 1500000, 10),
    ("holds_north_pole", 80.0, 20.0, 2000000, 10),
    ("long_range_high_latitude", 60.0, 40.0, 10000000, 50),
]


def boundary(g, middles=True):
    """Vertices (and edge middles) of a MultiPolygon off the cut and pole lines."""
    pts = []
    for i in range(g.GetGeometryCount()):
        poly = g.GetGeometryRef(i)
        for j in range(poly.GetGeometryCount()):
            ring = poly.GetGeometryRef(j).GetPoints()
            for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
                if (abs(x0) == 180 and x0 == x1) or (abs(y0) == 90 and y0 == y1):
                    continue
                if abs(x0) != 180 and abs(y0) != 90:
                    pts.append((x0, y0))
                if middles:
                    pts.append(((x0 + x1) / 2, (y0 + y1) / 2))
    return pts


def reach(lat, lon, betas, nominal):
    lines = ["model %r 0" % nominal] + ["reach %r %r %r" % (lat, lon, b) for b in betas]
    p = subprocess.run([PROBE], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    out = p.stdout.strip().split("\n")[1:]
    return [float(x.split()[5]) for x in out]


with tempfile.TemporaryDirectory() as d:
    for name, lat, lon, rng, tol in CASES:
        out = os.path.join(d, name + ".geojson")
        p = subprocess.run([BIN, "rings", "--site", "%r,%r" % (lat, lon), "--range", "%dm" % rng,
                            "--model", "ballistic", "--tolerance", "%dm" % tol, "-o", out, "-q"],
                           capture_output=True, text=True)
        if not check(p.returncode == 0, "%s: exits 0 (%s)" % (name, p.stderr.strip())):
            continue
        ds = ogr.Open(out)
        f = ds.GetLayer(0).GetNextFeature()
        g = ogr.ForceToMultiPolygon(f.GetGeometryRef().Clone())
        err_field = f.GetField("err_m")
        ds = None
        check(g.IsValid(), "%s: GEOS-valid" % name)
        pts = boundary(g)
        az, _, s = G.inv([lon] * len(pts), [lat] * len(pts), [p[0] for p in pts], [p[1] for p in pts])
        R = reach(lat, lon, list(az), rng)
        errs = [abs(a - b) for a, b in zip(s, R)]
        worst = max(errs)
        check(worst <= tol, "%s: %d boundary points within %.3f m of R(beta) (tolerance %d m, err_m %.3f)"
              % (name, len(pts), worst, tol, err_field))
        spread = (min(R) / rng, max(R) / rng)
        check(0.9 < spread[0] <= spread[1] < 1.2,
              "%s: R(beta)/nominal spans %.4f..%.4f" % (name, spread[0], spread[1]))
        # the poles: in the ring iff their distance is within the reach that way
        for plat in (90, -90):
            paz, _, ps = G.inv(lon, lat, 0, plat)
            inside_model = ps <= reach(lat, lon, [paz], rng)[0]
            probe = ogr.CreateGeometryFromWkt("POINT (%r %r)" % (0.0, plat - 1e-9 * (1 if plat > 0 else -1)))
            inside_ring = g.Intersects(probe)
            check(inside_model == inside_ring, "%s: pole %+d in ring %s, by the model %s"
                  % (name, plat, inside_ring, inside_model))

    # query --model ballistic: range_km is R(az) of the model, tof_s the
    # minimum-energy flight time to the point at the target's azimuth and
    # distance when in range (the longest flight's when not), and in_range
    # agrees with the ring drawn by rings --model ballistic
    import csv
    import io
    import random
    rnd = random.Random(8)
    for name, lat, lon, rng, tol in CASES[:3]:
        targets = []
        for k in range(60):
            az = rnd.uniform(0, 360)
            dist = rng * rnd.uniform(0.3, 1.15)
            tlon, tlat, _ = G.fwd(lon, lat, az, dist)
            targets.append((tlat, tlon))
        tfile = os.path.join(d, name + "_t.csv")
        with open(tfile, "w") as f:
            f.write("name,lat,lon\n" + "".join("t%d,%r,%r\n" % (i, a, b) for i, (a, b) in enumerate(targets)))
        p = subprocess.run([BIN, "query", "--site", "%r,%r" % (lat, lon), "--range", "%dm" % rng,
                            "--targets", tfile, "--model", "ballistic", "--as", "csv", "-q"],
                           capture_output=True, text=True)
        rows = list(csv.DictReader(io.StringIO(p.stdout)))
        if not check(p.returncode == 0 and len(rows) == len(targets), "%s: query rows (%s)" % (name, p.stderr.strip())):
            continue
        lines = ["model %r 0" % rng]
        for (tlat, tlon), r in zip(targets, rows):
            lines.append("reach %r %r %s" % (lat, lon, r["az_deg"]))
            # the flight to the target's azimuth and distance (the rings'
            # correspondence between the model sphere and the ellipsoid)
            lines.append("along %r %r %s %r 0" % (lat, lon, r["az_deg"], float(r["dist_km"]) * 1000))
        pr = subprocess.run([PROBE], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
        out = pr.stdout.strip().split("\n")[1:]
        worst_r = worst_t = 0
        agree = True
        ring = os.path.join(d, name + ".geojson")
        ds = ogr.Open(ring)
        feat = ds.GetLayer(0).GetNextFeature()  # keep the feature while its geometry is used
        rg = feat.GetGeometryRef().Clone()
        feat = ds = None
        for k, r in enumerate(rows):
            reach_m = float(out[2 * k].split()[5])
            tof_line = out[2 * k + 1].split()
            worst_r = max(worst_r, abs(float(r["range_km"]) * 1000 - reach_m))
            dist = float(r["dist_km"]) * 1000
            inr = dist <= reach_m
            agree &= (r["in_range"] == "true") == inr
            if inr:
                worst_t = max(worst_t, abs(float(r["tof_s"]) - float(tof_line[8])))
            if abs(dist - reach_m) > 100:  # clear of the boundary: the ring agrees
                pt = ogr.CreateGeometryFromWkt("POINT (%r %r)" % (targets[k][1], targets[k][0]))
                agree &= rg.Intersects(pt) == inr
        check(agree and worst_r < 0.01 and worst_t < 0.01,
              "%s: 60 targets: range_km = R(az) to %.2g m, tof_s = min-energy flight to %.2g s, "
              "in_range agrees with the model and the ring" % (name, worst_r, worst_t))

    # basket --model ballistic: from every boundary point P of the launch
    # basket, the target is at the model's reach R_P(azimuth P->target)
    for name, lat, lon, rng in (("basket_kyiv_kn23", 50.45, 30.52, 885000),
                                ("basket_guam_irbm", 13.45, 144.79, 4000000),
                                ("basket_fiji_srbm", -17.7, 178.0, 1500000)):
        out = os.path.join(d, name + ".geojson")
        p = subprocess.run([BIN, "basket", "--target", "%r,%r" % (lat, lon), "--range", "%dm" % rng,
                            "--model", "ballistic", "-o", out, "-q"], capture_output=True, text=True)
        if not check(p.returncode == 0, "%s: exits 0 (%s)" % (name, p.stderr.strip())):
            continue
        ds = ogr.Open(out)
        feat = ds.GetLayer(0).GetNextFeature()
        g = ogr.ForceToMultiPolygon(feat.GetGeometryRef().Clone())
        feat = ds = None
        pts = boundary(g, middles=False)
        pts = pts[::max(1, len(pts) // 300)]
        az, _, dist = G.inv([p[0] for p in pts], [p[1] for p in pts], [lon] * len(pts), [lat] * len(pts))
        lines = ["model %r 0" % rng] + ["reach %r %r %r" % (py, px, a) for (px, py), a in zip(pts, az)]
        pr = subprocess.run([PROBE], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
        R = [float(x.split()[5]) for x in pr.stdout.strip().split("\n")[1:]]
        worst = max(abs(a - b) for a, b in zip(dist, R))
        check(g.IsValid() and worst <= 10, "%s: %d boundary vertices: the target lies %.3f m at most from "
              "the model's reach from there (tolerance 10 m)" % (name, len(pts), worst))

    # flights that can pass the antipode: not a ring, refused with a reason
    out = os.path.join(d, "wrap.geojson")
    p = subprocess.run([BIN, "rings", "--site", "39.03,125.75", "--range", "13000km", "--model", "ballistic",
                        "-o", out], capture_output=True, text=True)
    check(p.returncode != 0 and "antipode" in p.stderr and not os.path.exists(out),
          "13,000 km from Pyongyang (can fly past the antipode) refused: %s" % p.stderr.strip())
    p = subprocess.run([BIN, "rings", "--site", "50,30", "--range", "885km", "--model", "ballistic",
                        "--azimuth", "0:90", "-o", out], capture_output=True, text=True)
    check(p.returncode == 2 and not os.path.exists(out), "a ballistic sector is refused: %s" % p.stderr.strip())
done()
