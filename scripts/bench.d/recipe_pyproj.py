#!/usr/bin/python3
"""Peer 1, the common Python recipe: for every site, pyproj Geod.fwd (one
vectorised call per ring) at n evenly spaced azimuths, a shapely Polygon, and
a GeoPackage written through osgeo.ogr in one transaction.

usage: recipe_pyproj.py SITES.csv COUNTS.csv RANGE_M OUT.gpkg [--naive]

COUNTS.csv (name,n) gives each site's vertex count: the smallest evenly spaced
count whose straight lon/lat chords stay within the tolerance (found by
rings.py before the timed run; the search is not part of this recipe's time).
Without --naive the minimal antimeridian/pole handling of common.py is applied
(unwrap, close along the pole line, cut at +-180); with --naive the polygon is
Polygon(zip(lon, lat)) as it comes.  Prints a JSON line of phase timings.
"""
import sys
import time

T0 = time.perf_counter()
import os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
from pyproj import Geod
from common import GpkgWriter, read_counts, read_sites, ring_to_multipolygon
import json


def main(argv):
    naive = "--naive" in argv
    args = [a for a in argv if a != "--naive"]
    sites, counts, r, out = args[0], args[1], float(args[2]), args[3]
    t_import = time.perf_counter() - T0
    names, lat, lon = read_sites(sites)
    cnt = read_counts(counts)
    geod = Geod(ellps="WGS84")
    w = GpkgWriter(out)
    t_fwd = t_geom = t_write = 0.0
    nv = 0
    for nm, a, o in zip(names, lat, lon):
        n = cnt[nm]
        t1 = time.perf_counter()
        az = np.arange(n) * (360.0 / n)
        lons, lats, _ = geod.fwd(np.full(n, o), np.full(n, a), az, np.full(n, r))
        t2 = time.perf_counter()
        mp = ring_to_multipolygon(lons, lats, a, fix=not naive)
        t3 = time.perf_counter()
        w.add(nm, a, o, r / 1000.0, mp, n)
        t4 = time.perf_counter()
        t_fwd += t2 - t1; t_geom += t3 - t2; t_write += t4 - t3
        nv += n
    t5 = time.perf_counter()
    w.close()
    t_write += time.perf_counter() - t5
    print(json.dumps({"import_s": t_import, "fwd_s": t_fwd, "geometry_s": t_geom,
                      "write_s": t_write, "vertices": nv,
                      "total_in_process_s": time.perf_counter() - T0}))


if __name__ == "__main__":
    main(sys.argv[1:])
