#!/usr/bin/python3
"""Point parsing against GeographicLib's GeoConvert (an independent
implementation): MGRS references in every UTM band of every third zone and in
the four polar UPS zones at precisions of 10 km to 1 m, and DMS strings
GeoConvert writes (with its own symbols), read back by `georeach locate`.

usage: test_coords_geoconvert.py GEOREACH"""
import random
import subprocess
import sys


def geoconvert(args, lines):
    p = subprocess.run(["GeoConvert"] + args, input="\n".join(lines) + "\n",
                       capture_output=True, text=True, check=True)
    return p.stdout.splitlines()


def main():
    bin_ = sys.argv[1]
    rnd = random.Random(7)
    pts = []
    for band in range(20):  # C..X, -80..84
        lo = -80 + 8 * band
        hi = 84 if band == 19 else lo + 8
        for zone in range(1, 61, 3):
            lon = -180 + 6 * (zone - 1) + rnd.uniform(0.2, 5.8)
            pts.append((rnd.uniform(lo + 0.1, hi - 0.1), lon))
    for _ in range(40):  # UPS caps
        pts.append((rnd.uniform(84.5, 89.9), rnd.uniform(-180, 180)))
        pts.append((rnd.uniform(-89.9, -80.5), rnd.uniform(-180, 180)))
    fails = checked = 0
    for prec in (-4, -2, 0):  # GeoConvert -p: 10 km, 100 m, 1 m squares
        mgrs = geoconvert(["-m", "-p", str(prec)], ["%.9f %.9f" % p for p in pts])
        ref = geoconvert(["-g", "-p", "6"], mgrs)
        out = subprocess.run([bin_, "locate"] + mgrs, capture_output=True, text=True)
        if out.returncode != 0:
            print("FAIL georeach locate: %s" % out.stderr.strip())
            return 1
        for m, r, o in zip(mgrs, ref, out.stdout.splitlines()):
            la, lo = map(float, r.split())
            gla, glo = map(float, o.split()[:2])
            dlon = (glo - lo + 180) % 360 - 180
            checked += 1
            if abs(gla - la) > 2e-6 or abs(dlon) > 2e-6 * (1 if abs(la) < 89 else 100):
                fails += 1
                print("FAIL %s: georeach %.7f %.7f, GeoConvert %.7f %.7f" % (m, gla, glo, la, lo))
    # DMS as GeoConvert writes it: 50d36'00.0"N 036d36'00.0"E
    dms = geoconvert(["-d", "-p", "1"], ["%.9f %.9f" % p for p in pts[::7]])
    out = subprocess.run([bin_, "locate"] + dms, capture_output=True, text=True)
    if out.returncode != 0:
        print("FAIL georeach locate (DMS): %s" % out.stderr.strip())
        return 1
    for d, p, o in zip(dms, pts[::7], out.stdout.splitlines()):
        gla, glo = map(float, o.split()[:2])
        checked += 1
        if abs(gla - p[0]) > 2e-5 or abs((glo - p[1] + 180) % 360 - 180) > 2e-5:
            fails += 1
            print("FAIL %s: georeach %.7f %.7f, truth %.7f %.7f" % (d, gla, glo, p[0], p[1]))
    print("%d passed, %d failed" % (checked - fails, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
