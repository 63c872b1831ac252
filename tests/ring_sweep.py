#!/usr/bin/python3
"""Seeded random ring cases, each scored by ring_case.py (tests/oracle.py):
centres uniform on the sphere plus some on the poles and the antimeridian;
ranges from 1 km to past the antipode; a third annuli, a third sectors;
tolerances from 1 m to 1 km.  usage: ring_sweep.py GEOREACH [N] [SEED]"""
import math
import os
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from harness import check, done  # noqa: E402


def cases(n, seed):
    rnd = random.Random(seed)
    for i in range(n):
        lat = math.degrees(math.asin(rnd.uniform(-1, 1)))
        lon = rnd.uniform(-180, 180)
        if i % 10 == 3:
            lon = rnd.choice([180.0, -180.0, 179.9, -179.95])
        if i % 10 == 7:
            lat = rnd.choice([90.0, -90.0, 89.99, -89.5])
        r = math.exp(rnd.uniform(math.log(1000), math.log(2.1e7)))
        args = ["%.6f" % lat, "%.6f" % lon, "%.3f" % r]
        kind = i % 3
        if kind == 1:
            args += ["--min", "%.3f" % (r * rnd.uniform(0.05, 0.9))]
        if kind == 2 and r < 1.99e7:
            a = rnd.uniform(-360, 360)
            w = rnd.uniform(5, 355)
            args += ["--az=%.3f:%.3f" % (a, a + w)]
            if rnd.random() < 0.5:
                args += ["--min", "%.3f" % (r * rnd.uniform(0.05, 0.9))]
        tol = rnd.choice([1, 5, 10, 50, 200, 1000])
        args += ["--tol", str(tol)]
        # coarse tolerances on small rings: the area bound scales with
        # tolerance x perimeter / area
        area_rel = max(1e-4, 4 * tol / max(r, 1))
        args += ["--area-rel", "%g" % area_rel]
        yield "sweep_%02d" % i, args


def run(bin_, name, args):
    p = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "ring_case.py"), bin_, name] + args,
                       capture_output=True, text=True)
    return name, args, p.returncode, p.stdout + p.stderr


def main():
    bin_ = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 2024
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        for name, args, rc, out in ex.map(lambda c: run(bin_, *c), cases(n, seed)):
            check(rc == 0, "%s %s%s" % (name, " ".join(args), "" if rc == 0 else "\n" + "\n".join(
                l for l in out.splitlines() if "FAIL" in l)))
    done()


if __name__ == "__main__":
    sys.exit(main())
