#!/usr/bin/python3
"""Warning time (issue 18): isochrones, flight times of depressed, lofted and
fixed-angle trajectories, and query's tof_s, against references written here.

The arrival time at a point is the free-flight time of the trajectory the
model flies there (default: the minimum-energy one, query's tof_s); the
isochrone of t is the boundary of {points reached within t}.  Checked:
  1. monotonicity: along 24 azimuths the model's arrival time T(d) grows with
     the distance d from 0 to the reach R(beta) (min-energy, depressed, a
     fixed 20 deg angle; SRBM to ICBM), so the set is star-shaped; the
     lofted time falls (so lofted isochrones are refused, exit 2);
  2. every vertex of `rings --model ballistic --minutes/--seconds` output:
     pyproj gives its azimuth beta and distance s from the site; the model's
     flight time to it (ballistic_probe `along`) is within the time
     equivalent of the tolerance of t, |T(s) - t| <= tol dT/dd (where t is
     beyond the time to the reach boundary, s is R(beta) within tol); edge
     middles too, against R_t(beta) (probe `iso`);
  3. at a sample of vertices the flight the model gives is integrated with
     RK4 written here (two-body, inertial frame, the Earth turned back at
     impact): it lands within 1 m of the vertex's point on the model sphere
     and its flight time is within the time equivalent of the tolerance of t;
  4. nesting: t1 < t2 => ring(t1) inside ring(t2) (the part of ring(t1)
     outside ring(t2) is a sliver no wider than the tolerance);
  5. the largest isochrone equals the reach ring (`--model ballistic` without
     times): identical geometry;
  6. --union: a random point is in the union of the sites' isochrones iff its
     earliest arrival from any site (probe `along` from each) is <= t;
  7. depressed, lofted and fixed-angle flights to targets east and west, for
     SRBM (885 km), IRBM (4,000 km) and ICBM (10,000 km): RK4 from the
     library's launch state lands on the target within 1 m with the
     library's flight time within 1e-3 s; depressed < min-energy < lofted;
  8. query: tof_s (ballistic) is the model's flight to the target's azimuth
     and distance; with --tof a circle's tof_s is the non-rotating model's
     (omega 0); --nearest --by time picks the earliest arrival.

usage: test_isochrone.py GEOREACH BALLISTIC_PROBE [--tof-scale X]
(--tof-scale multiplies the RK4 reference's flight times: 1.001 must fail.)
"""
import csv
import io
import json
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
from osgeo import ogr
from pyproj import Geod

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, check, done  # noqa: E402

PROBE = sys.argv[2]
SCALE = float(sys.argv[sys.argv.index("--tof-scale") + 1]) if "--tof-scale" in sys.argv else 1.0
G = Geod(ellps="WGS84")
OMEGA = 7.2921159e-5
DT = 0.5


def probe(lines):
    out = subprocess.run([PROBE], input="\n".join(lines) + "\n", capture_output=True,
                         text=True, check=True).stdout.strip().split("\n")
    for line in out:
        if line.startswith("error"):
            raise SystemExit("probe: " + line)
    return [[float(x) for x in line.split()] for line in out]


KEYS = ["launch_az", "gamma", "speed", "lat", "lon", "range", "az", "tof", "in_orbit", "wraps"]


def traj(row, lead=0):
    d = dict(zip(KEYS, row[lead:]))
    if lead:
        d["flag"] = row[0]
    return d


def model(nominal):
    v, R, gm, omega, h = probe(["model %r 0" % nominal])[0]
    return dict(nominal=nominal, v=v, R=R, gm=gm)


def lib(nominal, cmds, aim=None):
    head = ["model %r 0" % nominal] + (["aim %s" % aim] if aim else [])
    rows = probe(head + cmds)[1:]
    return [traj(r, 1 if c.split()[0] in ("along", "iso", "tof") else 0) for c, r in zip(cmds, rows)]


# ---- RK4, from first principles --------------------------------------------

def fly(m, lat, lon, az, gamma, speed):
    """RK4 flights (vectorised); impact lat, lon (Earth-fixed) and tof."""
    lat, lon, az, gamma = (np.radians(np.asarray(x, float)) for x in (lat, lon, az, gamma))
    speed = np.asarray(speed, float) * np.ones_like(lat)
    up = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], -1)
    east = np.stack([-np.sin(lon), np.cos(lon), np.zeros_like(lon)], -1)
    north = np.stack([-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)], -1)
    r = m["R"] * up
    horiz = np.sin(az)[:, None] * east + np.cos(az)[:, None] * north
    v = speed[:, None] * (np.cos(gamma)[:, None] * horiz + np.sin(gamma)[:, None] * up)
    v = v + np.cross(np.array([0, 0, OMEGA]), r)
    gm, R = m["gm"], m["R"]

    def acc(x):
        return -gm * x / np.linalg.norm(x, axis=1, keepdims=True) ** 3

    def step(r, v, h):
        h = np.asarray(h, float).reshape(-1, 1)
        k1r, k1v = v, acc(r)
        k2r, k2v = v + 0.5 * h * k1v, acc(r + 0.5 * h * k1r)
        k3r, k3v = v + 0.5 * h * k2v, acc(r + 0.5 * h * k2r)
        k4r, k4v = v + h * k3v, acc(r + h * k3r)
        return (r + h / 6 * (k1r + 2 * k2r + 2 * k3r + k4r),
                v + h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v))

    n = len(r)
    hit, tof, live, t = np.full((n, 3), np.nan), np.full(n, np.nan), np.arange(n), 0.0
    # one tiny step first: a shot from the ground starts at r = R exactly
    while len(live) and t < 12000:
        r1, v1 = step(r[live], v[live], DT)
        below = np.linalg.norm(r1, axis=1) < R
        if t == 0:
            below &= False
        if below.any():
            idx = live[below]
            lo, hi = np.zeros(len(idx)), np.full(len(idx), DT)
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                rm, _ = step(r[idx], v[idx], mid)
                under = np.linalg.norm(rm, axis=1) < R
                hi, lo = np.where(under, mid, hi), np.where(under, lo, mid)
            rm, _ = step(r[idx], v[idx], 0.5 * (lo + hi))
            hit[idx], tof[idx] = rm, t + 0.5 * (lo + hi)
        r[live], v[live] = r1, v1
        live = live[~below]
        t += DT
    x, y, z = hit.T
    lon_i = np.degrees(np.arctan2(y, x) - OMEGA * tof)
    lat_i = np.degrees(np.arctan2(z, np.hypot(x, y)))
    return lat_i, (lon_i + 180) % 360 - 180, tof * SCALE


def sphere_point(lat, lon, beta, s, R):
    p, b, d = np.radians(lat), np.radians(beta), np.asarray(s) / R
    la = np.arcsin(np.sin(p) * np.cos(d) + np.cos(p) * np.sin(d) * np.cos(b))
    lo = np.radians(lon) + np.arctan2(np.sin(b) * np.sin(d) * np.cos(p),
                                      np.cos(d) - np.sin(p) * np.sin(la))
    return np.degrees(la), (np.degrees(lo) + 180) % 360 - 180


def sphere_dist(R, lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * R * np.arcsin(np.sqrt(np.minimum(a, 1)))


def vertices(g):
    """Vertices and edge middles of a MultiPolygon off the cut and pole lines."""
    vs, ms = [], []
    for i in range(g.GetGeometryCount()):
        poly = g.GetGeometryRef(i)
        for j in range(poly.GetGeometryCount()):
            ring = poly.GetGeometryRef(j).GetPoints()
            for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
                if (abs(x0) == 180 and x0 == x1) or (abs(y0) == 90 and y0 == y1):
                    continue
                if abs(x0) != 180 and abs(y0) != 90:
                    vs.append((x0, y0))
                ms.append(((x0 + x1) / 2, (y0 + y1) / 2))
    return vs, ms


def read_layer(path):
    ds = ogr.Open(path)
    out = []
    for f in ds.GetLayer(0):
        out.append((dict((k, f.GetField(k)) for k in f.keys()),
                    ogr.ForceToMultiPolygon(f.GetGeometryRef().Clone())))
    ds = None
    return out


def run(args):
    return subprocess.run([BIN] + args, capture_output=True, text=True)


# ---- 1. monotonicity ------------------------------------------------------

MONO = [("SRBM", 885e3, 50.6, 36.6), ("IRBM", 4000e3, 40.0, 127.0),
        ("ICBM", 10000e3, 60.0, 40.0)]
for name, nominal, lat, lon in MONO:
    betas = np.arange(0, 360, 15.0)
    R = [t["range"] for t in lib(nominal, ["reach %r %r %r" % (lat, lon, b) for b in betas])]
    for aim, label, sign in (("0", "min-energy", 1), ("1", "depressed", 1),
                             ("3 20", "gamma 20", 1), ("2", "lofted", -1)):
        # the reach of a fixed angle is its own
        Ra = R if aim != "3 20" else [t["range"] for t in lib(
            nominal, ["reach %r %r %r" % (lat, lon, b) for b in betas], aim)]
        cmds, idx = [], []
        for b, r in zip(betas, Ra):
            # lofted: over 30-95 % of R (shorter ones can need more than the
            # 89.5 deg the library searches up to, and it then flies slower
            # shots; near R the full-speed angle is a double root)
            for d in (np.linspace(0.3, 0.95, 60) if sign < 0 else np.linspace(0.002, 0.998, 60)) * r:
                cmds.append("along %r %r %r %r %s" % (lat, lon, b, d, aim.split()[0]))
        T = np.array([t["tof"] for t in lib(nominal, cmds, aim if aim.startswith("3") else None)])
        T = T.reshape(len(betas), 60)
        dT = np.diff(T, axis=1) * sign
        check(np.all(np.isfinite(T)) and dT.min() > 0,
              "%s %s from (%g, %g): arrival time %s with distance along 24 azimuths "
              "(60 distances each; least step %.3g s)" %
              (name, label, lat, lon, "grows" if sign > 0 else "falls", dT.min()))

# ---- 2-6. isochrones --------------------------------------------------------

CASES = [  # name, lat, lon, nominal m, tolerance m, times s, extra args
    ("kn23_belgorod", 50.6107, 36.5802, 885e3, 10, [60, 120, 240, 600], []),
    ("kn23_depressed", 50.6107, 36.5802, 885e3, 10, [30, 60, 180, 600], ["--trajectory", "depressed"]),
    ("srbm_gamma20_fiji", -17.7, 178.0, 1500e3, 10, [120, 300], ["--gamma", "20"]),
    ("irbm_north_korea", 40.0, 127.0, 4000e3, 20, [300, 900], []),
    ("holds_north_pole", 80.0, 20.0, 2000e3, 10, [240, 540, 900], []),
    ("icbm_high_latitude", 60.0, 40.0, 10000e3, 50, [900, 1800], []),
]

with tempfile.TemporaryDirectory() as tmp:
    for name, lat, lon, nominal, tol, times, extra in CASES:
        aim = "1" if "depressed" in extra else ("3 %s" % extra[1] if "--gamma" in extra else "0")
        aim_head = aim  # the model's trajectory (iso and reach use it)
        out = os.path.join(tmp, name + ".geojson")
        p = run(["rings", "--site", "%r,%r" % (lat, lon), "--range", "%dm" % nominal,
                 "--model", "ballistic", "--seconds", ",".join(str(t) for t in times),
                 "--tolerance", "%dm" % tol, "-o", out, "-q"] + extra)
        if not check(p.returncode == 0, "%s: exits 0 (%s)" % (name, p.stderr.strip())):
            continue
        feats = read_layer(out)
        check([f["tof_s"] for f, _ in feats] == times,
              "%s: one feature per time, tof_s %s" % (name, [f["tof_s"] for f, _ in feats]))
        m = model(nominal)
        rk_pts = []
        for (f, g), t in zip(feats, times):
            vs, ms = vertices(g)
            check(g.IsValid(), "%s t=%ds: GEOS-valid, %d vertices, err_m %.2f" % (name, t, len(vs), f["err_m"]))
            az, _, s = G.inv([lon] * len(vs), [lat] * len(vs), [v[0] for v in vs], [v[1] for v in vs])
            az = np.asarray(az) % 360
            reach = lib(nominal, ["reach %r %r %r" % (lat, lon, b) for b in az], aim_head)
            fl = lib(nominal, ["along %r %r %r %r %s" % (lat, lon, b, d, aim.split()[0])
                               for b, d in zip(az, s)] +
                     ["along %r %r %r %r %s" % (lat, lon, b, d + 50, aim.split()[0])
                      for b, d in zip(az, s)], aim_head)
            n = len(vs)
            worst_t = worst_s = 0.0
            nclip = 0
            for k in range(n):
                T_R = reach[k]["tof"]
                if t >= T_R:  # clipped: the vertex is on the reach boundary
                    nclip += 1
                    worst_s = max(worst_s, abs(s[k] - reach[k]["range"]) / tol)
                    continue
                a, b = fl[k], fl[n + k]
                rate = (b["tof"] - a["tof"]) / 50 if b["flag"] else a["tof"] / s[k]
                if not a["flag"]:
                    worst_t = np.inf
                    continue
                worst_t = max(worst_t, abs(a["tof"] - t) / (tol * rate))
                rk_pts.append((t, s[k], tol * rate, a, az[k]))
            check(worst_t <= 1 and worst_s <= 1,
                  "%s t=%ds: %d vertices: |T - t| <= %.3f x the tolerance's time equivalent; "
                  "%d on the reach boundary within %.3f x tol" % (name, t, n, worst_t, nclip, worst_s))
            # the poles: in the ring iff the flight there takes at most t
            for plat in (90, -90):
                paz, _, ps = G.inv(lon, lat, 0, plat)
                (pf,) = lib(nominal, ["along %r %r %r %r %s" % (lat, lon, paz % 360, ps, aim.split()[0])],
                            aim_head)
                (pr,) = lib(nominal, ["reach %r %r %r" % (lat, lon, paz % 360)], aim_head)
                by_model = bool(pf["flag"]) and ps <= pr["range"] and pf["tof"] <= t
                pt = ogr.CreateGeometryFromWkt("POINT (0 %r)" % (plat - 1e-9 * np.sign(plat)))
                check(g.Intersects(pt) == by_model,
                      "%s t=%ds: pole %+d in the ring %s, by the model %s (T %.1f s)"
                      % (name, t, plat, g.Intersects(pt), by_model, pf["tof"]))
            # edge middles against R_t(beta) of the library
            ms = ms[::3]
            az, _, s = G.inv([lon] * len(ms), [lat] * len(ms), [v[0] for v in ms], [v[1] for v in ms])
            iso = lib(nominal, ["iso %r %r %r %r" % (lat, lon, b % 360, t) for b in az], aim_head)
            em = max(abs(d - i["range"]) for d, i in zip(s, iso))
            check(em <= tol and em <= f["err_m"] + 1e-3 + 0.02 * tol,
                  "%s t=%ds: %d edge middles within %.3f m of R_t(beta) (tol %d m, err_m %.3f)"
                  % (name, t, len(ms), em, tol, f["err_m"]))
        # 3. RK4 at a sample of vertices
        random.Random(18).shuffle(rk_pts)
        rk_pts = rk_pts[:12]
        if rk_pts:
            a = [x[3] for x in rk_pts]
            rla, rlo, rtof = fly(m, [lat] * len(a), [lon] * len(a), [x["launch_az"] for x in a],
                                 [x["gamma"] for x in a], [x["speed"] for x in a])
            # the vertex's own point on the model sphere: its beta and s
            vla, vlo = sphere_point(lat, lon, np.array([x[4] for x in rk_pts]),
                                    np.array([x[1] for x in rk_pts]), m["R"])
            dpos = sphere_dist(m["R"], rla, rlo, vla, vlo)
            off = [abs(rt - x[0]) / x[2] for rt, x in zip(rtof, rk_pts)]
            check(dpos.max() <= 1 and max(off) <= 1,
                  "%s: RK4 of %d vertices' flights lands within %.3f m; |tof_rk4 - t| <= %.3f x "
                  "the tolerance's time equivalent" % (name, len(a), dpos.max(), max(off)))
        # 4. nesting
        for (f1, g1), (f2, g2) in zip(feats, feats[1:]):
            diff = g1.Difference(g2)
            # a sliver of width <= 2 tol along the perimeter, in square degrees
            per = g1.Boundary().Length()
            deg = 2 * tol / 111e3 / np.cos(np.radians(min(abs(lat), 80)))
            check(diff.Area() <= per * deg,
                  "%s: ring(%gs) inside ring(%gs) (outside part %.3g deg2, bound %.3g)"
                  % (name, f1["tof_s"], f2["tof_s"], diff.Area(), per * deg))
        # 5. the largest isochrone is the reach ring
        if name in ("kn23_belgorod", "kn23_depressed"):
            out2 = os.path.join(tmp, name + "_reach.geojson")
            p = run(["rings", "--site", "%r,%r" % (lat, lon), "--range", "%dm" % nominal,
                     "--model", "ballistic", "--tolerance", "%dm" % tol, "-o", out2, "-q"] + extra)
            (fr, gr), = read_layer(out2)
            same = gr.Equals(feats[-1][1]) and gr.ExportToWkt() == feats[-1][1].ExportToWkt()
            check(p.returncode == 0 and same,
                  "%s: the %gs isochrone (beyond every boundary time) is the reach ring, vertex "
                  "for vertex" % (name, times[-1]))

    # map draws them, one legend entry per time
    p = run(["map", "--site", "50.6,36.6", "--missile", "KN-23", "--model", "ballistic",
             "--minutes", "1,2", "-o", os.path.join(tmp, "m.png"), "-v"])
    check(p.returncode == 0 and "within 1 min" in p.stderr and "within 2 min" in p.stderr,
          "map --minutes 1,2: two isochrones in the legend")
    # lofted isochrones refused
    p = run(["rings", "--site", "50,36", "--missile", "KN-23", "--model", "ballistic",
             "--trajectory", "lofted", "--minutes", "2", "-o", os.path.join(tmp, "l.geojson")])
    check(p.returncode == 2 and "annulus" in p.stderr, "lofted isochrones refused: %s" % p.stderr.strip())
    p = run(["rings", "--site", "50,36", "--missile", "KN-23", "--minutes", "2",
             "-o", os.path.join(tmp, "c.geojson")])
    check(p.returncode == 2, "--minutes without --model ballistic refused: %s" % p.stderr.strip())

    # 6. union: the earliest arrival from any site
    sites = [("A", 50.6, 36.6), ("B", 45.7, 34.4)]
    sf = os.path.join(tmp, "sites.csv")
    with open(sf, "w") as f:
        f.write("name,lat,lon\n" + "".join("%s,%r,%r\n" % s for s in sites))
    out = os.path.join(tmp, "union.geojson")
    t = 150
    p = run(["rings", "--sites", sf, "--missile", "KN-23", "--model", "ballistic", "--union",
             "--seconds", str(t), "-o", out, "-q"])
    if check(p.returncode == 0, "union of isochrones: exits 0 (%s)" % p.stderr.strip()):
        (fu, gu), = read_layer(out)
        rnd = random.Random(6)
        pts = [(lo + rnd.uniform(-2.4, 2.4), la + rnd.uniform(-1.6, 1.6))
               for _, la, lo in sites for _ in range(150)]
        T = []
        for _, la, lo in sites:
            az, _, s = G.inv([lo] * len(pts), [la] * len(pts), [p[0] for p in pts], [p[1] for p in pts])
            r = lib(885e3, ["along %r %r %r %r 0" % (la, lo, b % 360, d) for b, d in zip(az, s)])
            T.append([x["tof"] if x["flag"] else np.inf for x in r])
        T = np.min(np.array(T), axis=0)
        bad = decided = 0
        for (x, y), tt in zip(pts, T):
            if abs(tt - t) < 0.05:  # within ~20 m of the boundary: undecided at 10 m
                continue
            decided += 1
            inside = gu.Intersects(ogr.CreateGeometryFromWkt("POINT (%r %r)" % (x, y)))
            bad += inside != (tt <= t)
        check(bad == 0 and decided > 200 and fu.get("tof_s") == t,
              "union of 2 sites' %ds isochrones: %d of %d random points disagree with the "
              "earliest arrival from either site" % (t, bad, decided))

# ---- 7. depressed, lofted, fixed angle vs RK4 --------------------------------

for name, nominal in (("SRBM", 885e3), ("IRBM", 4000e3), ("ICBM", 10000e3)):
    m = model(nominal)
    for dirname, beta in (("east", 90.0), ("west", 270.0)):
        la, lo = 40.0, 127.0
        (rb,) = lib(nominal, ["reach %r %r %r" % (la, lo, beta)])
        tla, tlo = sphere_point(la, lo, beta, 0.6 * rb["range"], m["R"])
        fl = lib(nominal, ["tof %r %r %r %r %d" % (la, lo, tla, tlo, k) for k in (0, 1, 2)])
        fl += lib(nominal, ["tof %r %r %r %r 3" % (la, lo, tla, tlo)], "3 %r" % (fl[1]["gamma"] + 3))
        rla, rlo, rtof = fly(m, [la] * 4, [lo] * 4, [f["launch_az"] for f in fl],
                             [f["gamma"] for f in fl], [f["speed"] for f in fl])
        dpos = sphere_dist(m["R"], rla, rlo, tla, tlo)
        dt = np.abs(rtof - [f["tof"] for f in fl])
        order = fl[1]["tof"] < fl[0]["tof"] < fl[2]["tof"]
        full = abs(fl[1]["speed"] - m["v"]) < 1e-6 * m["v"] and abs(fl[2]["speed"] - m["v"]) < 1e-6 * m["v"]
        check(all(f["flag"] == 1 for f in fl) and dpos.max() <= 1 and dt.max() <= 1e-3 and order and full,
              "%s %s to %.0f km: RK4 lands within %.3f m, tof within %.2g s; min-energy %.1f s "
              "(gamma %.2f), depressed %.1f s (gamma %.2f), lofted %.1f s (gamma %.2f), "
              "fixed gamma %.2f: %.1f s" %
              (name, dirname, 0.6 * rb["range"] / 1e3, dpos.max(), dt.max(), fl[0]["tof"], fl[0]["gamma"],
               fl[1]["tof"], fl[1]["gamma"], fl[2]["tof"], fl[2]["gamma"], fl[3]["gamma"], fl[3]["tof"]))

# ---- 8. query ---------------------------------------------------------------

p = run(["query", "--site", "50.6,36.6", "--missile", "KN-23", "--target", "49.98,36.25",
         "--target", "50.45,30.52", "--target", "49.84,24.02", "--model", "ballistic",
         "--trajectory", "depressed", "--format", "json", "-q"])
rows = json.loads(p.stdout) if p.returncode == 0 else []
if check(len(rows) == 3, "query --trajectory depressed: 3 rows (%s)" % p.stderr.strip()):
    worst = 0
    for r in rows:
        if r["in_range"]:
            (x,) = lib(885e3, ["along 50.6 36.6 %r %r 1" % (r["az_deg"], r["dist_km"] * 1000)])
            worst = max(worst, abs(x["tof"] - r["tof_s"]))
    check(worst < 2e-3, "query tof_s = the depressed flight to the target's azimuth and distance "
          "(to %.2g s)" % worst)
p = run(["query", "--site", "50.6,36.6", "--range", "885km", "--target", "50.45,30.52",
         "--tof", "--format", "csv", "-q"])
rows = list(csv.DictReader(io.StringIO(p.stdout)))
if check(p.returncode == 0 and len(rows) == 1 and "tof_s" in rows[0],
         "query --tof with circles: a tof_s column (%s)" % p.stderr.strip()):
    r = rows[0]
    lines = ["model 885000 0 0", "along 50.6 36.6 %s %r 0" % (r["az_deg"], float(r["dist_km"]) * 1000)]
    x = probe(lines)[1]
    # the non-rotating min-energy flight: closed form on the sphere
    mm = model(885e3)
    psi = float(r["dist_km"]) * 1000 / mm["R"]
    g = np.pi / 4 - psi / 4
    nu = 2 * np.sin(psi / 2) / (1 + np.sin(psi / 2))
    a = mm["R"] / (2 - nu)
    e = np.sqrt(1 - nu * (2 - nu) * np.cos(g) ** 2)
    th = np.arccos((nu * np.cos(g) ** 2 - 1) / e)  # true anomaly at burnout
    E = 2 * np.arctan(np.sqrt((1 - e) / (1 + e)) * np.tan(th / 2))
    tof = 2 * (np.pi - (E - e * np.sin(E))) * np.sqrt(a ** 3 / mm["gm"])
    check(abs(float(r["tof_s"]) - x[8]) < 2e-3 and abs(float(r["tof_s"]) - tof) < 2e-3,
          "circle tof_s %.3f s = non-rotating model %.3f s = closed-form min-energy ellipse %.3f s"
          % (float(r["tof_s"]), x[8], tof))
# --nearest --by time: the earliest arrival, not the nearest site
p = run(["query", "--site", "Near=50.0,34.0", "--site", "Far=50.0,28.0", "--missile", "KN-23",
         "--target", "50.0,31.2", "--model", "ballistic", "--trajectory", "depressed",
         "--nearest", "--by", "time", "--format", "json", "-q"])
rows = json.loads(p.stdout) if p.returncode == 0 else []
if check(len(rows) == 1, "query --nearest --by time: one row (%s)" % p.stderr.strip()):
    t = {}
    for nm, la, lo in (("Near", 50.0, 34.0), ("Far", 50.0, 28.0)):
        az, _, s = G.inv(lo, la, 31.2, 50.0)
        (x,) = lib(885e3, ["along %r %r %r %r 1" % (la, lo, az % 360, s)])
        t[nm] = x["tof"]
    best = min(t, key=t.get)
    check(rows[0]["site"] == best and abs(rows[0]["tof_s"] - t[best]) < 2e-3,
          "--by time picks %s (%.3f s; the other %.3f s)" % (rows[0]["site"], rows[0]["tof_s"],
                                                            max(t.values())))

done()
