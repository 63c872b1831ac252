#!/usr/bin/python3
"""The common Python recipe for a coverage (union of reach rings): pyproj
Geod.fwd for every vertex of every ring in one vectorised call, a shapely
polygon per ring (with common.py's antimeridian handling: unwrap, cut at
+-180 by intersecting with shifted boxes), shapely.ops.unary_union of all of
them, and one MultiPolygon feature written to a GeoPackage through osgeo.ogr.

usage: recipe_union.py SITES.csv COUNTS.csv RANGE_M OUT.gpkg

COUNTS.csv (name,n) gives each ring's vertex count: the smallest evenly spaced
count whose straight lon/lat chords stay within the tolerance (found by
union.py before the timed run, as for scripts/bench rings; not timed here).
Everything else (imports, reading, vertices, polygons, union, writing) is in
the time the caller measures.  Prints one JSON line of phase timings.
"""
import sys
import time

T0 = time.perf_counter()
import json  # noqa: E402
import os  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
from osgeo import ogr, osr  # noqa: E402
from pyproj import Geod  # noqa: E402
from shapely.geometry import MultiPolygon  # noqa: E402
from shapely.ops import unary_union  # noqa: E402

from common import read_counts, read_sites, ring_to_multipolygon  # noqa: E402

ogr.UseExceptions()
osr.UseExceptions()


def write_gpkg(path, mp, n_sites, range_km):
    if os.path.exists(path):
        os.remove(path)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    lyr = ds.CreateLayer("coverage", srs, ogr.wkbMultiPolygon)
    lyr.CreateField(ogr.FieldDefn("sites", ogr.OFTInteger))
    lyr.CreateField(ogr.FieldDefn("range_km", ogr.OFTReal))
    lyr.StartTransaction()
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetField("sites", int(n_sites))
    f.SetField("range_km", float(range_km))
    f.SetGeometryDirectly(ogr.CreateGeometryFromWkb(mp.wkb))
    lyr.CreateFeature(f)
    lyr.CommitTransaction()
    ds = None


def main(argv):
    sites, counts, r, out = argv[0], argv[1], float(argv[2]), argv[3]
    t_import = time.perf_counter() - T0

    t = time.perf_counter()
    names, lat, lon = read_sites(sites)
    cnt = read_counts(counts)
    n = np.array([cnt[nm] for nm in names], dtype=np.int64)
    t_read = time.perf_counter() - t

    # every vertex of every ring in one Geod.fwd call
    t = time.perf_counter()
    start = np.concatenate([[0], np.cumsum(n)])
    total = int(start[-1])
    ring = np.repeat(np.arange(len(n)), n)
    k = np.arange(total) - start[ring]
    az = k * (360.0 / n[ring])
    lons, lats, _ = Geod(ellps="WGS84").fwd(lon[ring], lat[ring], az, np.full(total, r))
    del ring, k, az
    t_fwd = time.perf_counter() - t

    # one (multi)polygon per ring, cut at +-180 where it crosses
    t = time.perf_counter()
    polys = []
    for i in range(len(n)):
        a, b = start[i], start[i + 1]
        polys.extend(ring_to_multipolygon(lons[a:b], lats[a:b], lat[i], fix=True).geoms)
    t_geom = time.perf_counter() - t

    t = time.perf_counter()
    u = unary_union(polys)
    t_union = time.perf_counter() - t
    mp = u if u.geom_type == "MultiPolygon" else MultiPolygon([u])

    t = time.perf_counter()
    write_gpkg(out, mp, len(n), r / 1000.0)
    t_write = time.perf_counter() - t

    print(json.dumps({"import_s": t_import, "read_s": t_read, "fwd_s": t_fwd,
                      "polygons_s": t_geom, "union_s": t_union, "write_s": t_write,
                      "vertices_in": total, "ring_polygons": len(polys),
                      "total_in_process_s": time.perf_counter() - T0}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
