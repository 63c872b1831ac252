#!/usr/bin/python3
"""Bounded memory: 'georeach rings --sites FILE' (no --union/--count) reads and
writes a batch at a time.  Writes N seeded random sites (default 1,000,000)
and N/10 of them to CSV, draws a coarse ring round each into a GeoPackage,
and prints the peak RSS of both runs (wait4's ru_maxrss): the big run must
not need more than the small one plus 16 MiB, nor hold all sites in memory at
once (N x 144 bytes).  Checks the feature count and a few features' fields.
Under AddressSanitizer (--sanitized) the RSS is printed, not judged: ASan
keeps freed memory in quarantine (256 MiB by default) and its shadow grows
with it, so the bounds are asserted in the normal build.
usage: test_stream.py GEOREACH [N] [--sanitized]"""

import os
import random
import subprocess
import sys
import tempfile

from osgeo import ogr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, check, done  # noqa: E402

N = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
SANITIZED = "--sanitized" in sys.argv


def peak_run(args):
    """Run, return (exit code, stderr, peak RSS in MiB) of that child alone."""
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return p.returncode, err.read().decode().strip(), ru.ru_maxrss / 1024.0


with tempfile.TemporaryDirectory() as d:
    rnd = random.Random(1000000)
    rows = []
    for i in range(N):
        rows.append("site%d,%.6f,%.6f\n" % (i, rnd.uniform(-89.9, 89.9), rnd.uniform(-180, 180)))
    big, small = os.path.join(d, "big.csv"), os.path.join(d, "small.csv")
    with open(big, "w") as f:
        f.write("name,lat,lon\n")
        f.writelines(rows)
    with open(small, "w") as f:
        f.write("name,lat,lon\n")
        f.writelines(rows[:N // 10])
    peaks = {}
    for name, src, n in (("small", small, N // 10), ("big", big, N)):
        out = os.path.join(d, name + ".gpkg")
        rc, err, peak = peak_run([BIN, "rings", "--sites", src, "--range", "20km", "--tolerance", "500m",
                                  "-o", out, "-q"])
        peaks[name] = peak
        print("peak RSS with %d sites: %.1f MiB" % (n, peak))
        check(rc == 0, "%s: %d sites exit 0 (%s)" % (name, n, err))
        ds = ogr.Open(out)
        lyr = ds.GetLayer(0)
        check(lyr.GetFeatureCount() == n, "%s: %d rings written (%d)" % (name, n, lyr.GetFeatureCount()))
        for k in (1, n // 2 + 1, n):
            f = lyr.GetFeature(k)
            nm, lat, lon = rows[k - 1].strip().split(",")
            check(f is not None and f.GetField("site") == nm and abs(f.GetField("site_lat") - float(lat)) < 1e-9
                  and abs(f.GetField("site_lon") - float(lon)) < 1e-9,
                  "%s: feature %d is %s's ring" % (name, k, nm))
        ds = None
        os.remove(out)
    if SANITIZED:
        print("sanitizer build: peak RSS %.1f / %.1f MiB printed, not judged" % (peaks["small"], peaks["big"]))
    else:
        check(peaks["big"] <= peaks["small"] + 16,
              "peak RSS %.1f MiB for %d sites <= %.1f MiB for %d + 16 MiB" % (peaks["big"], N, peaks["small"], N // 10))
        held = N * 144 / 2**20
        check(peaks["big"] < peaks["small"] + held / 2,
              "the big run does not hold its sites in memory (they would take %.0f MiB)" % held)
done()
