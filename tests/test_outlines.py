#!/usr/bin/python3
"""The outline layers (issue 16), read back through OGR and checked against
the polygons they outline, in every format; and the formats chosen from
GDAL's driver metadata.

usage: /usr/bin/python3 tests/test_outlines.py PATH/TO/georeach

For a ring across the antimeridian (KN-23 from Anadyr), a cap over the North
Pole, a --union across the Pacific and a --count overlap across it:
  * one outline feature per polygon feature, with the same fields (source
    among them: the catalogue's citation of the range);
  * no outline segment lies on lon = +/-180 or lat = +/-90 (a cut or a pole
    closure), and every outline vertex is a vertex of its polygon's rings;
  * the outline is the rest of the polygon's boundary: its length equals
    the length of the polygon's rings less the segments on those lines
    (summed here segment by segment in Python, not by GEOS), to 1e-9;
  * every outline line ends on the antimeridian or is closed (a cut at
    +/-180 is the only place a true boundary stops).
Formats: by extension .kmz (LIBKML), .gml, .shp.zip; .parquet and .gpkg.zip
refused naming the GDAL version; --overwrite refused for a folder output.
"""
import math
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, check, done  # noqa: E402
from osgeo import ogr  # noqa: E402

ogr.UseExceptions()
work = tempfile.mkdtemp(prefix="georeach-outlines-")


def georeach(*args):
    r = subprocess.run([BIN] + list(args) + ["-q"], capture_output=True, text=True, timeout=300)
    return r


def on_cut(a, b):
    return (a[0] == b[0] and abs(a[0]) == 180) or (a[1] == b[1] and abs(a[1]) == 90)


def rings_of(g):
    """Every ring (polygons) or line (lines) of an OGR geometry, as point lists."""
    out = []
    if g.GetGeometryCount() == 0:
        return [[(p[0], p[1]) for p in g.GetPoints() or []]]
    for i in range(g.GetGeometryCount()):
        out += rings_of(g.GetGeometryRef(i))
    return out


def seg_len(pts):
    return sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(pts, pts[1:]))


def layers(path, ext):
    """(polygon features, outline features) as OGR reads them."""
    stem = path[: -len(ext)]
    if ext in (".kml", ".kmz"):
        ds = ogr.Open(path)
        feats = [f for f in ds.GetLayer(0)]
        return ([f for f in feats if f.GetGeometryRef().GetDimension() == 2],
                [f for f in feats if f.GetGeometryRef().GetDimension() == 1], ds)
    if ext in (".gpkg", ".gml"):
        ds = ogr.Open(path)
        names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
        main = [n for n in names if not n.endswith("_outline") and n != "sites"][0]
        return list(ds.GetLayerByName(main)), list(ds.GetLayerByName(main + "_outline")), ds
    ds, ds2 = ogr.Open(path), ogr.Open(stem + "_outline" + ext)
    return list(ds.GetLayer(0)), list(ds2.GetLayer(0)), (ds, ds2)


def fields(f):
    return {f.GetFieldDefnRef(i).GetName(): f.GetField(i) for i in range(f.GetFieldCount())
            # a KML's own fields, CSV's WKT text, GML's ids: not georeach's
            if f.GetFieldDefnRef(i).GetName() not in ("Name", "description", "WKT", "gml_id")}


anadyr = "Anadyr=64.73,177.5"
pacific = ["--site", anadyr, "--site", "Nome=64.5,-165.4", "--site", "Petropavlovsk=53.0,158.65",
           "--missile", "KN-23"]
CASES = [("ring", ["rings", "--site", anadyr, "--missile", "KN-23"], True),
         ("cap", ["rings", "--site", "Arctic=84,30", "--range", "1500km"], False),
         ("union", ["rings"] + pacific + ["--union"], True),
         ("overlap", ["rings"] + pacific + ["--count"], True)]
FORMATS = [".geojson", ".gpkg", ".shp", ".kml", ".kmz", ".fgb", ".csv", ".gml"]

for case, args, from_catalogue in CASES:
    for ext in FORMATS:
        tag = "%s%s" % (case, ext)
        path = os.path.join(work, "%s_%s%s" % (case, ext[1:], ext))
        r = georeach(*(args + ["-o", path]))
        if not check(r.returncode == 0, "%s: written (%s)" % (tag, r.stderr.strip()[-200:])):
            continue
        polys, lines, _keep = layers(path, ext)
        check(len(polys) == len(lines) and len(polys) >= 1,
              "%s: an outline feature per polygon feature (%d, %d)" % (tag, len(polys), len(lines)))
        same = all(fields(p) == fields(q) for p, q in zip(polys, lines))
        check(same, "%s: the outline features carry the polygons' fields" % tag)
        src = [fields(p).get("source") for p in polys]
        if from_catalogue:
            check(all(s and "885 km" in s for s in src),
                  "%s: source, the catalogue's citation, on every feature (%s)" % (tag, src[0]))
        else:
            check(all(not s for s in src), "%s: no source for a range given by hand (%s)" % (tag, src))
        bad_seg = bad_vertex = bad_end = 0
        from collections import Counter
        worst = 0.0
        for p, q in zip(polys, lines):
            pr = rings_of(p.GetGeometryRef())
            lr = rings_of(q.GetGeometryRef())
            verts = set(v for ring in pr for v in ring)
            want = sum(math.hypot(b[0] - a[0], b[1] - a[1]) for ring in pr for a, b in zip(ring, ring[1:])
                       if not on_cut(a, b))
            got = sum(seg_len(line) for line in lr)
            worst = max(worst, abs(got - want) / max(want, 1e-300))
            # a line ends on the antimeridian or where boundaries meet (an
            # overlap band's node, where 3 or more line ends meet), else it
            # is closed
            ends = Counter(v for line in lr if line[0] != line[-1] for v in (line[0], line[-1]))
            for line in lr:
                bad_seg += sum(1 for a, b in zip(line, line[1:]) if on_cut(a, b))
                bad_vertex += sum(1 for v in line if v not in verts)
                closed = line[0] == line[-1]
                bad_end += 0 if closed or all(abs(v[0]) == 180 or ends[v] >= 3
                                              for v in (line[0], line[-1])) else 1
        check(bad_seg == 0, "%s: no outline segment on lon = +/-180 or lat = +/-90 (%d)" % (tag, bad_seg))
        check(bad_vertex == 0, "%s: every outline vertex is a polygon vertex (%d not)" % (tag, bad_vertex))
        check(worst < 1e-9, "%s: outline length = the rings' length less the cut segments (rel. %.1e)"
              % (tag, worst))
        check(bad_end == 0, "%s: every outline line is closed or ends on the antimeridian or a node (%d not)"
              % (tag, bad_end))
        _keep = polys = lines = None

# ------------------------------------------------------- formats from GDAL
d = os.path.join(work, "fmt")
os.mkdir(d)
base = ["rings", "--site", "Kyiv=50.45,30.52", "--range", "300km"]
for name, driver in (("a.kmz", "LIBKML"), ("b.gml", "GML"), ("c.shp.zip", "ESRI Shapefile"),
                     ("d.xml", "GML"), ("e.gdb", "OpenFileGDB")):
    r = georeach(*(base + ["-o", os.path.join(d, name)]))
    drv = None
    if r.returncode == 0:
        ds = ogr.Open(os.path.join(d, name))
        drv = ds.GetDriver().GetName() if ds else None
        ds = None
    check(r.returncode == 0 and drv == driver, "%s: written by extension, read back with %s (%s; %s)"
          % (name, driver, drv, r.stderr.strip()[-150:]))
for name, want in (("a.parquet", "'.parquet'"), ("a.gpkg.zip", "'.gpkg.zip'")):
    r = georeach(*(base + ["-o", os.path.join(d, name)]))
    check(r.returncode == 2 and want in r.stderr and "GDAL 3" in r.stderr and not os.path.exists(os.path.join(d, name)),
          "%s: refused (exit 2) naming the extension and GDAL's version (%s)" % (name, r.stderr.strip()[:160]))
r = georeach(*(base + ["-o", os.path.join(d, "e.gdb"), "--overwrite"]))
check(r.returncode == 1 and "never replaced" in r.stderr,
      "e.gdb --overwrite: a folder output is not replaced (exit %d: %s)" % (r.returncode, r.stderr.strip()[:160]))
r = georeach(*(base + ["-f", "ESRI Shapefile", "-o", os.path.join(d, "shpdir")]))
got = sorted(os.listdir(os.path.join(d, "shpdir"))) if r.returncode == 0 else []
check("rings.qml" in got and "rings_outline.qml" in got and "rings_outline.shp" in got
      and not os.path.exists(os.path.join(d, "shpdir.qml")),
      "-f 'ESRI Shapefile' -o shpdir: styles and outline inside the folder (%s)" % got)

# sources on the other layers made from a catalogue missile
for cmd, name in ((["basket", "--target", "Kyiv", "--target", "Lviv", "--missile", "KN-23"], "basket.gpkg"),
                  (["query", "--site", "Belgorod", "--missile", "KN-23,Iskander-M", "--target", "Kyiv"],
                   "query.gpkg")):
    path = os.path.join(d, name)
    r = georeach(*(cmd + ["-o", path]))
    got = []
    if r.returncode == 0:
        ds = ogr.Open(path)
        got = [(f.GetField("missile"), f.GetField("source")) for f in ds.GetLayer(0)]
        ds = None
    cat = {"KN-23": "885 km", "Iskander-M": "500 km"}
    check(got and all(s and cat[m] in s for m, s in got),
          "%s: source, the catalogue's citation, on every feature (%s)" % (name, got))

import shutil  # noqa: E402
shutil.rmtree(work, True)
done()
