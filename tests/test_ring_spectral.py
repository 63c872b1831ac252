#!/usr/bin/python3
"""The spectral circle (ring.c) against GeodSolve, and its check.

1. The interpolant rings trace circles with, evaluated at random azimuths
   (ring_probe "circle"), against GeodSolve's direct problem at the same
   azimuths, for ranges from 1 m to 20,003 km and centres from the equator
   to both poles: every point within twice the check's error (what rings
   add to err_m for the interpolant) and within 2e-3 of the tolerance the
   interpolant was built for (the check passes at 1e-3), or 3e-8 m (the
   rounding of the recurrences and of the comparison).
2. The check forced to fail: GEOREACH_TEST_SPECTRAL_N=4 starts from 4
   samples (metres to kilometres off); the check must grow them until it
   passes, the points must match GeodSolve as well, and rings built that
   way must still meet their tolerance (measured with pyproj along every
   edge, ring_measure.py).
usage: test_ring_spectral.py RING_PROBE"""
import math
import os
import random
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from harness import check, done  # noqa: E402
import ring_measure as rm  # noqa: E402

RANGES = [1.0, 37.0, 1000.0, 885e3, 5000e3, 9981.9e3, 13000e3, 19990e3, 20003e3]
LATS = [0.0, 50.0, -89.9, 90.0, -90.0, 89.999999, 12.345678, -63.2]


def geodsolve(lat, lon, azs, r):
    q = "".join("%.17g %.17g %.17g %.17g\n" % (lat, lon, a, r) for a in azs)
    out = subprocess.run(["GeodSolve", "-p", "12"], input=q, capture_output=True,
                         text=True, check=True).stdout.split("\n")
    pts = np.array([[float(v) for v in line.split()[:2]] for line in out if line.strip()])
    return pts[:, 0], pts[:, 1]


def compare(probe, lat, lon, r, tol, rnd, label):
    azs = [rnd.uniform(-180, 540) for _ in range(48)]
    ns, chk, plat, plon = probe.circle(lat, lon, r, tol, azs)
    glat, glon = geodsolve(lat, lon, azs, r)
    d = rm.G.inv(plon, plat, glon, glat)[2]
    bound = max(min(2 * chk, 2e-3 * tol), 3e-8)  # 3e-8 m: rounding (the recurrences, GeodSolve)
    check(ns > 0 and chk <= 1e-3 * tol and float(np.max(d)) <= bound,
          "%s: lat %g range %.6g m tol %g m: %d samples, check %.2g m <= 1e-3 tol, "
          "largest distance from GeodSolve at 48 azimuths %.3g m <= %.3g m"
          % (label, lat, r, tol, ns, chk, float(np.max(d)), bound))
    return ns


def main():
    rnd = random.Random(14)
    probe = rm.Probe(sys.argv[1])
    for r in RANGES:
        for lat in LATS:
            tol = rnd.choice([0.1, 1.0, 10.0, 100.0])
            compare(probe, lat, rnd.uniform(-180, 180), r, tol, rnd, "interpolant")
    for _ in range(12):
        lat = math.degrees(math.asin(rnd.uniform(-1, 1)))
        r = math.exp(rnd.uniform(0, math.log(20003e3)))
        compare(probe, lat, rnd.uniform(-180, 180), r, 0.1, rnd, "interpolant")
    probe.close()

    # 2. the check forced to fail
    forced = rm.Probe(sys.argv[1], {"GEOREACH_TEST_SPECTRAL_N": "4"})
    for r, lat in [(885e3, 50.0), (5000e3, 0.0), (13000e3, -37.0), (19990e3, 70.0)]:
        ns = compare(forced, lat, 20.0, r, 0.1, rnd, "forced from 4 samples")
        check(ns > 4, "forced from 4 samples: the check failed and grew them to %d" % ns)
    for spec, tol in [((50.0, 20.0, 885e3, 0.0, None), 0.1),
                      ((-37.0, 150.0, 13000e3, 2000e3, None), 1.0),
                      ((10.0, -170.0, 3000e3, 0.0, (20.0, 300.0)), 0.1)]:
        out = forced.ring(spec[0], spec[1], spec[2], spec[3], tol, spec[4])
        if "error" in out:
            check(False, "forced ring %s: %s" % (spec, out["error"]))
            continue
        e, _, _ = rm.measure(spec, out)
        check(e <= tol and e <= out["err_m"] + 1e-6,
              "forced from 4 samples: ring %s tol %g m: measured %.4g m <= tolerance, "
              "err_m %.4g m" % (spec, tol, e, out["err_m"]))
    forced.close()
    done()


if __name__ == "__main__":
    main()
