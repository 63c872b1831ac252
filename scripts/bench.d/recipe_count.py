#!/usr/bin/python3
"""The Python peer for overlap counts: shapely (GEOS) the usual way.  The
union of all ring boundaries (shapely.ops.unary_union: noding), polygonize,
each face counted at its representative point by the rings an STRtree
returns whose prepared polygon contains it, the faces dissolved per count
(unary_union), one feature per count written to a GeoPackage (osgeo.ogr).

usage: recipe_count.py RINGS.gpkg OUT.gpkg

RINGS.gpkg holds the rings (georeach rings ... -o RINGS.gpkg, made before the
timed run, so both sides count the very same polygons).  Reading them is in
the time the caller measures.  Prints one JSON line of phase timings.
"""
import sys
import time

T0 = time.perf_counter()
import json  # noqa: E402
import os  # noqa: E402

from osgeo import ogr, osr  # noqa: E402
import shapely.wkb  # noqa: E402
from shapely.ops import polygonize, unary_union  # noqa: E402
from shapely.prepared import prep  # noqa: E402
from shapely.strtree import STRtree  # noqa: E402

ogr.UseExceptions()


def main():
    src, out = sys.argv[1], sys.argv[2]
    t = {}
    ds = ogr.Open(src)
    rings = [shapely.wkb.loads(bytes(f.GetGeometryRef().ExportToWkb())) for f in ds.GetLayer(0)]
    ds = None
    t["read"] = time.perf_counter() - T0
    noded = unary_union([g.boundary for g in rings])
    t["noding"] = time.perf_counter() - T0
    faces = list(polygonize(noded))
    t["polygonize"] = time.perf_counter() - T0
    tree = STRtree(rings)
    index = {id(g): i for i, g in enumerate(rings)}
    prepared = [prep(g) for g in rings]
    by_count = {}
    for f in faces:
        p = f.representative_point()
        c = sum(1 for g in tree.query(p) if prepared[index[id(g)]].contains(p))
        if c:
            by_count.setdefault(c, []).append(f)
    t["counting"] = time.perf_counter() - T0
    bands = {c: unary_union(fs) for c, fs in sorted(by_count.items())}
    t["dissolve"] = time.perf_counter() - T0
    if os.path.exists(out):
        os.remove(out)
    ods = ogr.GetDriverByName("GPKG").CreateDataSource(out)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    lyr = ods.CreateLayer("overlap", srs, ogr.wkbMultiPolygon)
    lyr.CreateField(ogr.FieldDefn("count", ogr.OFTInteger))
    lyr.StartTransaction()
    for c, g in bands.items():
        feat = ogr.Feature(lyr.GetLayerDefn())
        feat.SetField("count", c)
        feat.SetGeometry(ogr.ForceToMultiPolygon(ogr.CreateGeometryFromWkb(g.wkb)))
        lyr.CreateFeature(feat)
    lyr.CommitTransaction()
    ods = None
    t["write"] = time.perf_counter() - T0
    t["faces"] = len(faces)
    t["bands"] = len(bands)
    print(json.dumps(t))


main()
