#!/usr/bin/python3
"""scripts/bench whatif: one what-if query, as typed, against geod and
GeodSolve answering the same pair.

    scripts/bench whatif [--runs 21] [--georeach PATH]

Each command is run --runs times in a fresh process (interleaved, so a
change of load hits all of them alike); the table gives the median, min and
max wall time and the median CPU time (user + system of the child), with the
load average before and after.  The distances are printed too: the three
must agree (Belgorod and Kyiv as the bundled gazetteer places them).

  georeach, names    georeach query --site Belgorod --missile KN-23 --target Kyiv -q
  georeach, coords   the same with the gazetteer's coordinates and --range 885km
  geod -I            echo 'LAT1 LON1 LAT2 LON2' | geod -I +ellps=WGS84 -f %.3f +units=km
  GeodSolve -i       echo 'LAT1 LON1 LAT2 LON2' | GeodSolve -i
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import time

ROOT = os.environ.get("BENCH_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def timed(argv, stdin=None):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    if p.returncode != 0:
        raise SystemExit("bench whatif: %s failed: %s" % (" ".join(argv), p.stderr.strip()))
    return wall, cpu, p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--georeach", default=os.path.join(ROOT, "build", "georeach"))
    a = ap.parse_args()
    g = a.georeach
    # the places' coordinates as georeach reads them (one untimed run)
    loc = subprocess.run([g, "locate", "Belgorod", "Kyiv"], capture_output=True, text=True, check=True)
    (la1, lo1), (la2, lo2) = [l.split()[:2] for l in loc.stdout.splitlines()]
    pair = "%s %s %s %s\n" % (la1, lo1, la2, lo2)
    cmds = [
        ("georeach query, place names", [g, "query", "--site", "Belgorod", "--missile", "KN-23",
                                         "--target", "Kyiv", "-q"], None),
        ("georeach query, coordinates", [g, "query", "--site", "%s,%s" % (la1, lo1), "--range", "885km",
                                         "--target", "%s,%s" % (la2, lo2), "-q"], None),
    ]
    if shutil.which("geod"):
        cmds.append(("geod -I (PROJ)", ["geod", "-I", "+ellps=WGS84", "-f", "%.3f", "+units=km"], pair))
    if shutil.which("GeodSolve"):
        cmds.append(("GeodSolve -i (GeographicLib)", ["GeodSolve", "-i"], pair))
    load0 = os.getloadavg()
    res = {c[0]: [] for c in cmds}
    out = {}
    for _ in range(a.runs):
        for name, argv, stdin in cmds:
            w, c, o = timed(argv, stdin)
            res[name].append((w, c))
            out[name] = o
    load1 = os.getloadavg()
    print("what-if: Belgorod -> Kyiv, %d runs each, %d cores, load average %.2f before, %.2f after"
          % (a.runs, os.cpu_count(), load0[0], load1[0]))
    print("%-32s %9s %9s %9s %9s" % ("command", "wall ms", "min ms", "max ms", "cpu ms"))
    for name, _, _ in cmds:
        ws = [x[0] * 1e3 for x in res[name]]
        cs = [x[1] * 1e3 for x in res[name]]
        print("%-32s %9.1f %9.1f %9.1f %9.1f" % (name, statistics.median(ws), min(ws), max(ws),
                                               statistics.median(cs)))
    row = out[cmds[0][0]].splitlines()[1].split()
    print("distance: georeach %s km" % row[3], end="")
    if "geod -I (PROJ)" in out:
        print(", geod %s km" % out["geod -I (PROJ)"].split()[2], end="")
    if "GeodSolve -i (GeographicLib)" in out:
        print(", GeodSolve %.3f km" % (float(out["GeodSolve -i (GeographicLib)"].split()[2]) / 1000), end="")
    print()


if __name__ == "__main__":
    main()
