#!/usr/bin/python3
"""The ring kernel's error bound, measured from outside (ring_measure.py:
pyproj's Geod.inv from the centre at every vertex and along every edge).

  test_ring_kernel.py RING_PROBE sweep [N] [SEED]   seeded random rings
  test_ring_kernel.py RING_PROBE issue13            items 14-16 of issue 13

sweep: N rings (36 in ctest; more by argument) with tolerances 0.1 m-100 m,
ranges 1 m-20,003 km (log-uniform, plus the quarter meridian, the
antipodal zone and its edge), discs, annuli and sectors, centres uniform on
the sphere plus poles and the antimeridian.  For each: the largest distance
from the true boundary along every edge is at most the tolerance and at most
the ring's err_m, and the ring is valid before and after rounding to 1e-9
degrees (GeoJSON).
issue13: item 14 (err_m understated near the quarter meridian), 15 (sectors
wider than 359.98 degrees), 16 (the tiny hole 25 um short of the antipodal
distance), each one the case of the issue."""
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from harness import check, done  # noqa: E402
import ring_measure as rm  # noqa: E402

RATIOS = []
# Measurement noise of pyproj's inverse problem (GeographicLib, ~15 nm).
SLACK_M = 1e-6


def sweep_cases(n, seed):
    rnd = random.Random(seed)
    special = [9.98e6, 9.9819e6, rm.HALF_MERIDIAN_M - 1e5 + 1, rm.HALF_MERIDIAN_M - 5e4,
               rm.HALF_MERIDIAN_M - 1.0, 1.0, 20003e3]
    for i in range(n):
        lat = math.degrees(math.asin(rnd.uniform(-1, 1)))
        lon = rnd.uniform(-180, 180)
        if i % 9 == 4:
            lon = rnd.choice([180.0, -180.0, 179.99, -179.9])
        if i % 9 == 7:
            lat = rnd.choice([90.0, -90.0, 89.999, -89.9])
        if i % 5 == 2:
            r = rnd.choice(special)
        else:
            r = math.exp(rnd.uniform(math.log(1.0), math.log(20003e3)))
        tol = math.exp(rnd.uniform(math.log(0.1), math.log(100.0)))
        # keep the measurement affordable: no more than ~40,000 vertices
        tol = max(tol, min(100.0, r * 1e-8 * 4))
        r0, az = 0.0, None
        kind = i % 3
        if kind == 1:
            r0 = r * rnd.uniform(0.05, 0.95)
        if kind == 2 and r < rm.HALF_MERIDIAN_M - 1e5:
            a = rnd.uniform(-360, 360)
            w = rnd.choice([rnd.uniform(1, 359), 359.99, 359.999, 0.5])
            az = (a, a + w)
            if rnd.random() < 0.5:
                r0 = r * rnd.uniform(0.05, 0.9)
        yield (lat, lon, r, r0, az), tol


def name(spec, tol):
    lat, lon, r, r0, az = spec
    s = "site=%.6f,%.6f range=%.4fm" % (lat, lon, r)
    if r0:
        s += " min=%.4fm" % r0
    if az:
        s += " az=%.4f:%.4f" % az
    return s + " tol=%gm" % tol


def judge(probe, spec, tol, err_extra=""):
    out = probe.ring(spec[0], spec[1], spec[2], spec[3], tol, spec[4])
    what = name(spec, tol) + err_extra
    if "error" in out:
        check(False, "%s: builds (%s)" % (what, out["error"]))
        return None
    if out["whole"]:
        check(out["err_m"] == 0, "%s: whole globe, err_m 0" % what)
        return out
    e, length, at = rm.measure(spec, out)
    if out["err_m"] > 0 and e > SLACK_M:
        RATIOS.append((e / out["err_m"], e / tol, name(spec, tol)))
    check(e <= tol + SLACK_M and e <= out["err_m"] + SLACK_M,
          "%s: measured %.6g m (edge %.0f m at %s) <= tolerance and err_m %.6g m"
          % (what, e, length, "%.4f,%.4f" % (at[1], at[0]) if at is not None else "-",
             out["err_m"]))
    ok, why = rm.valid(out)
    ok9, why9 = rm.valid_rounded(out, 9)
    check(ok and ok9, "%s: valid (%s), valid rounded to 1e-9 deg (%s)" % (what, why, why9))
    return out


def sweep(probe, n, seed):
    for spec, tol in sweep_cases(n, seed):
        judge(probe, spec, tol)


def issue13(probe):
    # 14: near the quarter meridian at 0.1 m the worst edge (near the
    # equator) was 0.1168 m against err_m 0.0867 m.
    judge(probe, (-8.325074, -129.615206, 9981898.2803, 0, None), 0.1, " [13.14]")
    judge(probe, (-8.325074, -129.615206, 9981898.2803, 3e6, None), 0.1, " [13.14 annulus]")
    judge(probe, (-8.325074, -129.615206, 9981898.2803, 0, (10, 200)), 0.1,
          " [13.14 sector]")
    # 15: sectors wider than 359.98 degrees crossed their own radials.
    for az in [(30, 29.99), (30, 389.99), (30, 29.999), (0, 359.99), (30, 29.99999),
               (-45.5, -45.51), (30, 30.001)]:
        judge(probe, (45, 45, 1000e3, 0, az), 10, " [13.15]")
    judge(probe, (45, 45, 1000e3, 200e3, (30, 29.99)), 10, " [13.15 annular]")
    # Slits and slivers of 1e-7 degrees over 1,000 km: valid at full
    # precision (GeoPackage); near the centre they are narrower than 1e-9
    # degrees, so GeoJSON's rounding is not claimed for them.
    for az in [(30, 29.9999999), (30, 30.0000001)]:
        for r in (1e6, 1e7):
            out = probe.ring(45, 45, r, 0, 0.1, az)
            ok, why = (False, out["error"]) if "error" in out else rm.valid(out)
            check(ok, "site=45,45 range=%gm az=%g:%.7f tol=0.1m [13.15 1e-7 deg]: valid at "
                  "full precision (%s)" % (r, az[0], az[1], why))
    # 16: 25 um short of the antipodal distance, the hole round the antipode
    # rounded to 1e-9 degrees collapsed into a self-intersecting ring.
    judge(probe, (-52.28837, 135.337888, rm.HALF_MERIDIAN_M - 25e-6, 0, None), 1,
          " [13.16]")
    for d in [1e-6, 1e-4, 1e-3, 0.01, 0.1]:
        judge(probe, (30, 45, rm.HALF_MERIDIAN_M - d, 0, None), 1, " [13.16 %g m short]" % d)
    judge(probe, (-52.28837, 135.337888, rm.HALF_MERIDIAN_M - 25e-6, 1e6, None), 1,
          " [13.16 annulus]")


def main():
    probe = rm.Probe(sys.argv[1])
    mode = sys.argv[2] if len(sys.argv) > 2 else "issue13"
    if mode == "sweep":
        n = int(sys.argv[3]) if len(sys.argv) > 3 else 36
        seed = int(sys.argv[4]) if len(sys.argv) > 4 else 2026
        sweep(probe, n, seed)
    else:
        issue13(probe)
    probe.close()
    if RATIOS:
        worst = max(RATIOS)
        print("largest measured / err_m: %.4f (%s); largest measured / tolerance: %.4f"
              % (worst[0], worst[2], max(r[1] for r in RATIOS)))
    done()


if __name__ == "__main__":
    main()
