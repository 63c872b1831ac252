#!/usr/bin/python3
"""The ballistic model against an independent reference (issue 8).

The reference integrates the two-body equations, r'' = -GM r / |r|^3, in an
inertial frame with classical fixed-step RK4 (numpy, all trajectories of a
batch at once), from the burnout state built here from first principles:
position R + h straight above the launch point, velocity = the ground-relative
(speed, azimuth, flight-path angle) in the local east/north/up frame plus
omega x r.  Impact is the first step that ends below r = R, refined by
bisection on the length of a single RK4 step from the last state above; the
impact point is turned back by omega * tof about the axis (the Earth turns at
7.2921159e-5 rad/s).  Nothing is shared with src/ballistic.c (which uses the
closed-form conic) but the constants GM and R, which the probe prints.

Checked, for SRBM (885 km), IRBM (4,000 km) and ICBM (13,000 km) burnout
speeds, eastward, westward and northward launches from five latitudes, burnout
altitude 0 and 100 km:
  1. single shots: impact point within TOL_POS_M, flight time within TOL_TOF_S;
  2. the longest shot per launch azimuth: no gamma of a scan (2 deg over
     (0, 90), 0.01 deg within 0.3 deg of the library's gamma) lands farther
     than the library's maximum + TOL_POS_M, and the scan's best is within
     TOL_SCAN_M of it (the scan's own step error); a flight that never lands
     (in orbit, from 100 km up) must be the library's in_orbit answer;
  3. the reach boundary R(beta): RK4 shots round the library's boundary
     trajectory never land beyond R(their beta) + TOL_POS_M;
  4. flights to a target: the library's launch lands on the target within
     TOL_POS_M and tof; and the minimum-energy one is minimal: the RK4 speed
     needed at gamma +- 2 deg (solved by Newton on RK4 shots) is higher.

Usage: test_ballistic_rk4.py PROBE [--omega-scale X]
(--omega-scale multiplies omega in the reference only: with 1.0001 the test
must fail, which shows that it can.)
"""
import subprocess
import sys

import numpy as np

TOL_POS_M = 1.0     # impact points, metres
TOL_TOF_S = 1e-3    # flight times, seconds
TOL_SCAN_M = 0.5    # best of a 0.01 deg scan vs the true maximum
DT = 0.5            # RK4 step, seconds
OMEGA = 7.2921159e-5

probe = sys.argv[1]
omega_ref = OMEGA * (float(sys.argv[sys.argv.index("--omega-scale") + 1])
                     if "--omega-scale" in sys.argv else 1.0)
failures = []


def check(ok, msg):
    if not ok:
        failures.append(msg)
        print("FAIL", msg)


def run_probe(lines):
    out = subprocess.run([probe], input="\n".join(lines) + "\n",
                         capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.strip().split("\n"):
        if line.startswith("error"):
            raise SystemExit("probe: " + line)
        rows.append([float(x) for x in line.split()])
    return rows


def model(nominal, alt):
    v, R, gm, omega, h = run_probe([f"model {nominal} {alt}"])[0]
    assert abs(omega - OMEGA) < 1e-15
    return dict(nominal=nominal, alt=alt, v=v, R=R, gm=gm)


def traj(row):
    k = ["launch_az", "gamma", "speed", "lat", "lon", "range", "az", "tof",
         "in_orbit", "wraps"]
    return dict(zip(k, row))


def lib(m, cmds):
    """Run probe commands for model m; one dict per command."""
    head = [f"model {m['nominal']} {m['alt']}"]
    rows = run_probe(head + cmds)[1:]
    return [dict(traj(r[1:]), in_range=r[0]) if c.startswith("tof")
            else traj(r) for c, r in zip(cmds, rows)]


def burnout_state(m, lat, lon, az, gamma, speed):
    """Inertial position and velocity at burnout (arrays, N x 3)."""
    lat, lon, az, gamma = (np.radians(np.asarray(x, float))
                           for x in (lat, lon, az, gamma))
    speed = np.asarray(speed, float) * np.ones_like(lat)
    up = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon),
                   np.sin(lat)], -1)
    east = np.stack([-np.sin(lon), np.cos(lon), np.zeros_like(lon)], -1)
    north = np.stack([-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon),
                      np.cos(lat)], -1)
    r = (m["R"] + m["alt"]) * up
    horiz = np.sin(az)[:, None] * east + np.cos(az)[:, None] * north
    v_rel = speed[:, None] * (np.cos(gamma)[:, None] * horiz +
                              np.sin(gamma)[:, None] * up)
    v = v_rel + np.cross(np.array([0, 0, omega_ref]), r)
    return r, v


def rk4_step(r, v, h, gm):
    def acc(x):
        return -gm * x / np.linalg.norm(x, axis=1, keepdims=True) ** 3
    h = np.asarray(h, float).reshape(-1, 1)
    k1r, k1v = v, acc(r)
    k2r, k2v = v + 0.5 * h * k1v, acc(r + 0.5 * h * k1r)
    k3r, k3v = v + 0.5 * h * k2v, acc(r + 0.5 * h * k2r)
    k4r, k4v = v + h * k3v, acc(r + h * k3r)
    return (r + h / 6 * (k1r + 2 * k2r + 2 * k3r + k4r),
            v + h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v))


def fly(m, lat, lon, az, gamma, speed=None):
    """RK4 flights; returns impact lat, lon (deg, Earth-fixed) and tof (s)."""
    speed = m["v"] if speed is None else speed
    r, v = burnout_state(m, lat, lon, az, gamma, speed)
    n, R, gm = len(r), m["R"], m["gm"]
    t = 0.0
    hit_r = np.full((n, 3), np.nan)
    tof = np.full(n, np.nan)
    live = np.arange(n)
    while len(live) and t < 12000:  # two orbits: never lands
        r1, v1 = rk4_step(r[live], v[live], DT, gm)
        below = np.linalg.norm(r1, axis=1) < R
        if below.any():
            idx = live[below]
            r0, v0 = r[idx], v[idx]
            lo, hi = np.zeros(len(idx)), np.full(len(idx), DT)
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                rm, _ = rk4_step(r0, v0, mid, gm)
                under = np.linalg.norm(rm, axis=1) < R
                hi = np.where(under, mid, hi)
                lo = np.where(under, lo, mid)
            rm, _ = rk4_step(r0, v0, 0.5 * (lo + hi), gm)
            hit_r[idx] = rm
            tof[idx] = t + 0.5 * (lo + hi)
        r[live], v[live] = r1, v1
        live = live[~below]
        t += DT
    turn = omega_ref * tof
    x, y, z = hit_r.T
    lon_i = np.degrees(np.arctan2(y, x) - turn)
    lat_i = np.degrees(np.arctan2(z, np.hypot(x, y)))
    return lat_i, (lon_i + 180) % 360 - 180, tof


def sphere_dist(R, lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * R * np.arcsin(np.sqrt(np.minimum(a, 1)))


def azimuth(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    return np.degrees(np.arctan2(np.sin(dl) * np.cos(p2),
                                 np.cos(p1) * np.sin(p2) -
                                 np.sin(p1) * np.cos(p2) * np.cos(dl))) % 360


MISSILES = [("SRBM", 885e3), ("IRBM", 4000e3), ("ICBM", 13000e3)]
LATS = [(0.0, 0.0), (39.03, 125.75), (50.6, 36.6), (-45.0, -70.0), (75.0, 10.0)]
AZS = [("east", 90.0), ("west", 270.0), ("north", 0.0)]
worst = dict(pos=0.0, tof=0.0, scan_excess=-np.inf, scan_gap=0.0,
             env=-np.inf, aim_pos=0.0, aim_tof=0.0)


def shots_and_max(name, m):
    """1 and 2 for one missile model, every latitude and azimuth."""
    cases = [(la, lo, az, an) for la, lo in LATS for an, az in AZS]
    mx = lib(m, [f"max {la} {lo} {az}" for la, lo, az, _ in cases])
    # 1: shots at the library's best gamma and at 20, 45, 70 deg
    spec = [(la, lo, az, g) for (la, lo, az, _), t in zip(cases, mx)
            for g in (t["gamma"], 20.0, 45.0, 70.0)]
    sh = lib(m, [f"shot {la} {lo} {az} {g}" for la, lo, az, g in spec])
    la, lo, az, g = map(np.array, zip(*spec))
    rla, rlo, rtof = fly(m, la, lo, az, g)
    d = sphere_dist(m["R"], rla, rlo, [t["lat"] for t in sh], [t["lon"] for t in sh])
    dt = np.abs(rtof - [t["tof"] for t in sh])
    worst["pos"] = max(worst["pos"], d.max())
    worst["tof"] = max(worst["tof"], dt.max())
    for k in np.where((d > TOL_POS_M) | (dt > TOL_TOF_S))[0]:
        check(False, f"{name} alt {m['alt']/1e3:g} km shot {spec[k]}: impact "
              f"{d[k]:.3f} m, tof {dt[k]:.6f} s apart")
    # 2: scan gamma with RK4: nothing beats the library's maximum
    scan = []
    for (la_, lo_, az_, an), t in zip(cases, mx):
        gs = np.concatenate([np.arange(1.0, 90.0, 2.0),
                             t["gamma"] + np.arange(-0.3, 0.3001, 0.01)])
        gs = gs[(gs > 0) & (gs < 90)]
        scan.append((la_, lo_, az_, an, t, gs))
    la = np.concatenate([[s[0]] * len(s[5]) for s in scan])
    lo = np.concatenate([[s[1]] * len(s[5]) for s in scan])
    az = np.concatenate([[s[2]] * len(s[5]) for s in scan])
    gs = np.concatenate([s[5] for s in scan])
    rla, rlo, _ = fly(m, la, lo, az, gs)
    rng = sphere_dist(m["R"], la, lo, rla, rlo)
    k0 = 0
    for la_, lo_, az_, an, t, g in scan:
        seg = rng[k0:k0 + len(g)]
        k0 += len(g)
        if np.isnan(seg).any():
            check(t["in_orbit"] == 1, f"{name} ({la_}, {lo_}) {an}: an RK4 "
                  "flight never lands, the library's maximum is not in orbit")
            continue
        best = seg.max()
        excess, gap = best - t["range"], t["range"] - best
        worst["scan_excess"] = max(worst["scan_excess"], excess)
        worst["scan_gap"] = max(worst["scan_gap"], gap)
        check(excess <= TOL_POS_M, f"{name} ({la_}, {lo_}) {an}: an RK4 gamma "
              f"lands {excess:.3f} m beyond the library's maximum")
        check(gap <= TOL_SCAN_M, f"{name} ({la_}, {lo_}) {an}: the library's "
              f"maximum is {gap:.3f} m beyond the best RK4 gamma")
    return cases, mx


def envelope(name, m, la, lo, beta):
    """3: RK4 shots round the boundary trajectory along beta never land
    beyond R(beta')."""
    (t,) = lib(m, [f"reach {la} {lo} {beta}"])
    if t["wraps"]:
        return
    daz, dg = np.meshgrid(np.linspace(-2, 2, 9), np.linspace(-1.5, 1.5, 13))
    az = t["launch_az"] + daz.ravel()
    g = t["gamma"] + dg.ravel()
    rla, rlo, _ = fly(m, np.full(len(az), la), np.full(len(az), lo), az, g)
    d = sphere_dist(m["R"], la, lo, rla, rlo)
    b = azimuth(la, lo, rla, rlo)
    bound = lib(m, [f"reach {la} {lo} {x}" for x in b])
    ex = d - np.array([x["range"] for x in bound])
    worst["env"] = max(worst["env"], ex.max())
    check(ex.max() <= TOL_POS_M, f"{name} ({la}, {lo}) beta {beta}: an RK4 "
          f"shot lands {ex.max():.3f} m beyond R(beta)")


def newton_speed(m, la, lo, lat_t, lon_t, gamma, az, v):
    """RK4: the launch azimuth and speed that land on the target at this
    gamma (Newton, forward differences)."""
    for _ in range(8):
        ha, hv = 1e-4, 1e-3
        rla, rlo, _ = fly(m, [la] * 3, [lo] * 3, [az, az + ha, az], [gamma] * 3,
                          [v, v, v + hv])
        # residual: east/north offset from the target, metres
        dlon = (rlo - lon_t + 180) % 360 - 180
        res = np.stack([np.radians(dlon) * np.cos(np.radians(lat_t)),
                        np.radians(rla - lat_t)], -1) * m["R"]
        if np.hypot(*res[0]) < 1e-3:
            break
        J = np.stack([(res[1] - res[0]) / ha, (res[2] - res[0]) / hv], -1)
        step = np.linalg.solve(J, -res[0])
        az, v = az + step[0], v + step[1]
    return v


def targets(name, m, la, lo, beta, frac):
    """4: flights to a target at frac of R(beta)."""
    (t,) = lib(m, [f"reach {la} {lo} {beta}"])
    # the target: along beta at frac of the boundary range, on the sphere
    p, b = np.radians(la), np.radians(beta)
    s = frac * t["range"] / m["R"]
    lat_t = np.degrees(np.arcsin(np.sin(p) * np.cos(s) +
                                 np.cos(p) * np.sin(s) * np.cos(b)))
    lon_t = lo + np.degrees(np.arctan2(np.sin(b) * np.sin(s) * np.cos(p),
                                       np.cos(s) - np.sin(p) * np.sin(np.radians(lat_t))))
    aims = lib(m, [f"tof {la} {lo} {lat_t} {lon_t} {k}" for k in (0, 1, 2)])
    check(all(a["in_range"] == 1 for a in aims), f"{name}: target in range")
    rla, rlo, rtof = fly(m, [la] * 3, [lo] * 3, [a["launch_az"] for a in aims],
                         [a["gamma"] for a in aims], [a["speed"] for a in aims])
    d = sphere_dist(m["R"], rla, rlo, lat_t, lon_t)
    dt = np.abs(rtof - [a["tof"] for a in aims])
    worst["aim_pos"] = max(worst["aim_pos"], d.max())
    worst["aim_tof"] = max(worst["aim_tof"], dt.max())
    check(d.max() <= TOL_POS_M and dt.max() <= TOL_TOF_S,
          f"{name} ({la}, {lo}) to ({lat_t:.4f}, {lon_t:.4f}): RK4 lands "
          f"{d.max():.3f} m from the target, tof {dt.max():.6f} s apart")
    me = aims[0]
    for dg in (-2.0, 2.0):
        v = newton_speed(m, la, lo, lat_t, lon_t, me["gamma"] + dg,
                         me["launch_az"], me["speed"])
        check(v > me["speed"], f"{name}: RK4 needs {v:.4f} m/s at gamma "
              f"{me['gamma'] + dg:.3f}, less than the minimum-energy "
              f"{me['speed']:.4f} m/s")
    return me, aims


def main():
    report = []
    for name, nominal in MISSILES:
        for alt in (0.0, 100e3):
            m = model(nominal, alt)
            cases, mx = shots_and_max(name, m)
            if alt == 0:
                report.append((name, m, cases, mx))
            for la, lo in LATS[:3]:
                for beta in (0.0, 90.0, 200.0, 270.0):
                    envelope(name, m, la, lo, beta)
            targets(name, m, LATS[1][0], LATS[1][1], 250.0, 0.8)
            targets(name, m, LATS[2][0], LATS[2][1], 80.0, 0.6)
    print(f"shots: impact within {worst['pos']:.2e} m (tol {TOL_POS_M} m), "
          f"tof within {worst['tof']:.2e} s (tol {TOL_TOF_S} s)")
    print(f"longest shot: RK4 gamma scan beats the library by at most "
          f"{worst['scan_excess']:+.2e} m (tol {TOL_POS_M} m); the scan's best "
          f"is within {worst['scan_gap']:.3f} m below it (tol {TOL_SCAN_M} m)")
    print(f"boundary R(beta): RK4 shots land at most {worst['env']:+.2e} m "
          f"beyond it (tol {TOL_POS_M} m)")
    print(f"flights to targets: RK4 lands within {worst['aim_pos']:.2e} m, tof "
          f"within {worst['aim_tof']:.2e} s")
    for name, m, cases, mx in report:
        for (la, lo, az, an), t in zip(cases, mx):
            if (la, lo) in ((39.03, 125.75), (50.6, 36.6)):
                print(f"  {name} {m['nominal']/1e3:.0f} km from ({la}, {lo}) "
                      f"{an:5s}: max {t['range']/1e3:9.3f} km at gamma "
                      f"{t['gamma']:6.3f}, lands at azimuth {t['az']:7.3f}, "
                      f"tof {t['tof']:7.1f} s{' (wraps)' if t['wraps'] else ''}")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
