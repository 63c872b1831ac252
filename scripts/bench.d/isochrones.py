"""scripts/bench isochrones: the cost of warning-time isochrones (issue 18).

Times `georeach rings --model ballistic` for the reach ring and for
isochrones (--seconds T, one ring per T) from a few sites, one thread, and
prints wall and CPU (user + sys of the child) seconds per ring, the median of
--repeat runs, with the load average before and after: on a shared machine
the CPU time is the figure to compare.

usage: scripts/bench isochrones [--repeat N] [--tolerance DIST]
"""
import argparse
import os
import resource
import statistics
import subprocess
import time

ROOT = os.environ.get("BENCH_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.join(ROOT, "build", "georeach")

CASES = [  # label, site, missile or range, times (s)
    ("KN-23 (885 km), Belgorod", "50.6,36.6", ["--missile", "KN-23"], [60, 120, 300]),
    ("IRBM (4,000 km), 40N 127E", "40,127", ["--range", "4000km"], [300, 600]),
    ("ICBM (10,000 km), 60N 40E", "60,40", ["--range", "10000km"], [900, 1800]),
]


def run(args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([BIN] + args, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tolerance", default="10m")
    a = ap.parse_args()
    print("load average before: %.2f %.2f %.2f" % os.getloadavg())
    for label, site, what, times in CASES:
        base = ["rings", "--site", site, *what, "--model", "ballistic", "--threads", "1",
                "--tolerance", a.tolerance, "-o", "-", "-q"]
        for name, extra, n in (("reach ring", [], 1),
                               ("isochrones %s s" % ",".join(map(str, times)),
                                ["--seconds", ",".join(map(str, times))], len(times))):
            w, c = zip(*[run(base + extra) for _ in range(a.repeat)])
            print("%-28s %-26s wall %7.3f s  cpu %7.3f s  per ring cpu %6.3f s"
                  % (label, name, statistics.median(w), statistics.median(c),
                     statistics.median(c) / n))
    print("load average after:  %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
