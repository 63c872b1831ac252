#!/usr/bin/python3
"""Peer 2, the azimuthal-equidistant buffer recipe: for every site a pyproj
Transformer from a per-site '+proj=aeqd +lat_0 +lon_0 +datum=WGS84' CRS to
EPSG:4326, shapely Point(0, 0).buffer(R, resolution=q) in that plane, the
ring transformed back to lon/lat, and a GeoPackage written through osgeo.ogr.

usage: recipe_aeqd.py SITES.csv COUNTS.csv RANGE_M OUT.gpkg [--naive]

The buffer has 4q vertices evenly spaced in azimuth (PROJ's ellipsoidal aeqd
is GeographicLib's exact geodesic, so its vertices lie on the true circle);
q = n/4 with n from COUNTS.csv, the same count as the pyproj recipe (n is a
multiple of 4, so both recipes produce the same vertex set).  Handling of the
antimeridian/poles as in recipe_pyproj.py.  Prints a JSON line of timings.
"""
import sys
import time

T0 = time.perf_counter()
import os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
from pyproj import CRS, Transformer
from shapely.geometry import Point
from common import GpkgWriter, read_counts, read_sites, ring_to_multipolygon
import json


def main(argv):
    naive = "--naive" in argv
    args = [a for a in argv if a != "--naive"]
    sites, counts, r, out = args[0], args[1], float(args[2]), args[3]
    t_import = time.perf_counter() - T0
    names, lat, lon = read_sites(sites)
    cnt = read_counts(counts)
    wgs84 = CRS.from_epsg(4326)
    w = GpkgWriter(out)
    t_tr = t_buf = t_proj = t_geom = t_write = 0.0
    nv = 0
    for nm, a, o in zip(names, lat, lon):
        q = cnt[nm] // 4
        t1 = time.perf_counter()
        aeqd = CRS.from_proj4("+proj=aeqd +lat_0=%r +lon_0=%r +datum=WGS84 +units=m +no_defs" % (a, o))
        tr = Transformer.from_crs(aeqd, wgs84, always_xy=True)
        t2 = time.perf_counter()
        ring = Point(0.0, 0.0).buffer(r, resolution=q).exterior
        xy = np.asarray(ring.coords)[:-1]
        t3 = time.perf_counter()
        lons, lats = tr.transform(xy[:, 0], xy[:, 1])
        t4 = time.perf_counter()
        mp = ring_to_multipolygon(lons, lats, a, fix=not naive)
        t5 = time.perf_counter()
        w.add(nm, a, o, r / 1000.0, mp, len(xy))
        t6 = time.perf_counter()
        t_tr += t2 - t1; t_buf += t3 - t2; t_proj += t4 - t3; t_geom += t5 - t4; t_write += t6 - t5
        nv += len(xy)
    t7 = time.perf_counter()
    w.close()
    t_write += time.perf_counter() - t7
    print(json.dumps({"import_s": t_import, "transformer_s": t_tr, "buffer_s": t_buf,
                      "transform_s": t_proj, "geometry_s": t_geom, "write_s": t_write,
                      "vertices": nv, "total_in_process_s": time.perf_counter() - T0}))


if __name__ == "__main__":
    main(sys.argv[1:])
