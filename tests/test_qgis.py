#!/usr/bin/python3
"""georeach's output opened and drawn by QGIS itself (headless, QGIS 3.22's
Python API), as a user would open it.

usage: /usr/bin/python3 tests/test_qgis.py PATH/TO/georeach [ARTIFACT_DIR]

  * Rings of KN-23, Iskander-M and Fateh-110 (with --band) from the four
    January 2024 launch areas, written as GeoJSON, GeoPackage, shapefile,
    KML and FlatGeobuf; plus hard cases (a ring across the antimeridian, one
    holding the North Pole, one larger than a hemisphere) in every format.
    Each layer: valid, the feature count OGR reads, CRS EPSG:4326, every
    geometry non-empty and GEOS-valid (QgsGeometry.isGeosValid).
  * The default style: GeoPackage (its layer_styles table), shapefile,
    GeoJSON and FlatGeobuf (the .qml sidecar) open with a categorized renderer on "missile" whose
    categories are exactly the missiles written, in order, with labels on
    ("KN-23 885 km", evaluated by QGIS's expression engine on a feature);
    KML opens with QGIS's embedded-symbol renderer and its
    placemarks carry the same colours as the GeoPackage categories, and
    names ("Belgorod: KN-23 885 km").  The
    layer_styles rows are as QGIS needs them (f_table_schema '', not NULL;
    the geometry column's name; useAsDefault 1).  The GeoPackage's "sites"
    layer (4 points, names labelled), and the styled coverage (--union),
    basket and query layers, and the fallback category of range-only rings.
  * A PNG per format of the layers over data/countries.geojson, rendered with
    QgsMapRendererSequentialJob, kept in ARTIFACT_DIR (default: tests/
    artifacts beside the binary) and printed; each is checked not blank
    (the layers change a large share of the basemap's pixels), and the
    styled ones show the categories' outline colours.
  * Seams: a ring across the antimeridian (KN-23 from Anadyr), a cap over
    the North Pole and a --union coverage across the Pacific, written as
    GeoJSON, GeoPackage, shapefile, KML, KMZ, FlatGeobuf, CSV and GML, each
    opened as QGIS opens it (fill layer + outline layer, styles from the
    file), drawn in plate carree and in a Pacific-centred projection: no
    stroke pixel on the cut (lon = +/-180, the pole line) inside the fill;
    the old outlined polygon style, drawn the same way, is caught.  KML's
    own structure (folder, fill and outline placemarks, names, colours) and a
    KMZ round trip.
Exit 77 (skipped) when QGIS's Python bindings are not installed.
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

os.environ["QT_QPA_PLATFORM"] = "offscreen"
work = tempfile.mkdtemp(prefix="georeach-qgis-")
os.environ.setdefault("XDG_RUNTIME_DIR", work)  # Qt wants one (0700, as mkdtemp makes it)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, DATA, check, done  # noqa: E402

try:
    from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsExpression,
                           QgsExpressionContext, QgsExpressionContextUtils, QgsMapRendererSequentialJob,
                           QgsMapSettings, QgsRectangle, QgsVectorLayer, Qgis)
    from qgis.core import QgsSingleSymbolRenderer, QgsSymbolLayer
    from qgis.PyQt.QtCore import QSize, Qt
    from qgis.PyQt.QtGui import QColor, QImage
except ImportError as e:
    print("skip: QGIS's Python bindings are missing (%s); scripts/setup installs python3-qgis" % e)
    shutil.rmtree(work, True)
    sys.exit(77)
import numpy as np
from osgeo import ogr

ogr.UseExceptions()
T0 = time.time()
if not BIN:
    print("usage: test_qgis.py GEOREACH [ARTIFACT_DIR]")
    sys.exit(2)
ART = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else
                      os.environ.get("GEOREACH_ARTIFACTS") or
                      os.path.join(os.path.dirname(BIN), "tests", "artifacts"))
os.makedirs(ART, exist_ok=True)
SITES = os.path.join(DATA, "sites", "jan2024_launch_areas.csv")
COUNTRIES = os.path.join(DATA, "countries.geojson")
MISSILES = ["KN-23", "Iskander-M", "Fateh-110"]
FORMATS = [".geojson", ".gpkg", ".shp", ".kml", ".fgb"]
STYLED = (".gpkg", ".shp", ".geojson", ".fgb")

QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()


def georeach(*args):
    r = subprocess.run([BIN] + list(args) + ["-q"], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        print("FAIL georeach %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.strip()))
    return r.returncode == 0


def uri(path, layer=None):
    if path.endswith((".kml", ".kmz")):  # the polygons; the outlines are line placemarks
        return path + "|geometrytype=MultiPolygon"
    return path + ("|layername=" + layer if layer else "")


def ogr_features(path, layer=None):
    """(missile, style) of each polygon feature (a KML's outline placemarks,
    lines, left out)."""
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName(layer) if layer else ds.GetLayer(0)
    return [(f.GetFieldAsString("missile") if f.GetFieldIndex("missile") >= 0 else None,
             f.GetStyleString()) for f in lyr
            if f.GetGeometryRef() is None or f.GetGeometryRef().GetDimension() != 1]


def open_layer(path, layer=None, tag=None):
    lyr = QgsVectorLayer(uri(path, layer), tag or os.path.basename(path), "ogr")
    return lyr


def check_layer(lyr, tag, expect_n):
    """Valid, count, CRS, every geometry valid in GEOS."""
    if not check(lyr.isValid(), "%s: QGIS opens it" % tag):
        return False
    check(lyr.featureCount() == expect_n, "%s: %d features (%d)" % (tag, expect_n, lyr.featureCount()))
    check(lyr.crs().authid() == "EPSG:4326", "%s: CRS EPSG:4326 (%s)" % (tag, lyr.crs().authid()))
    bad = [f.id() for f in lyr.getFeatures()
           if f.geometry().isNull() or f.geometry().isEmpty() or not f.geometry().isGeosValid()]
    check(not bad, "%s: every geometry non-empty and GEOS-valid%s" % (tag, " (bad: %s)" % bad[:5] if bad else ""))
    return True


def categories(lyr):
    r = lyr.renderer()
    if r is None or r.type() != "categorizedSymbol":
        return None
    return [(c.value(), c.symbol().color().getRgb()) for c in r.categories()]


def label_of(lyr, feature):
    """The label text QGIS computes for a feature."""
    s = lyr.labeling().settings()
    ctx = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(lyr))
    ctx.setFeature(feature)
    if not s.isExpression:
        return str(feature[s.fieldName])
    return QgsExpression(s.fieldName).evaluate(ctx)


def check_style(lyr, tag, attr, values):
    """Categorized on attr with exactly these values in order, labels on."""
    r = lyr.renderer()
    check(r is not None and r.type() == "categorizedSymbol",
          "%s: default style applied: categorized renderer (%s)" % (tag, r.type() if r else None))
    if r is None or r.type() != "categorizedSymbol":
        return
    check(r.classAttribute() == attr, "%s: categories on %s (%s)" % (tag, attr, r.classAttribute()))
    got = [c.value() for c in r.categories()]
    check(got == values, "%s: categories %s (%s)" % (tag, values, got))
    check(lyr.labelsEnabled() and lyr.labeling() is not None, "%s: labels on" % tag)


def render(name, layers, extent=None, size=(1000, 700)):
    """Draw layers over the countries; return (path, RGB array) and the
    same without the layers."""
    base = QgsVectorLayer(COUNTRIES, "countries", "ogr")
    sym = base.renderer().symbol()
    sym.setColor(QColor(236, 233, 226))
    sym.symbolLayer(0).setStrokeColor(QColor(150, 150, 150))
    images = []
    for with_layers in (True, False):
        ms = QgsMapSettings()
        ms.setLayers((layers if with_layers else []) + [base])
        ms.setBackgroundColor(QColor(205, 222, 240))
        ms.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
        if extent is None:
            extent = QgsRectangle()
            for lyr in layers:
                extent.combineExtentWith(lyr.extent())
            extent.scale(1.08)
        ms.setExtent(extent)
        ms.setOutputSize(QSize(*size))
        job = QgsMapRendererSequentialJob(ms)
        job.start()
        job.waitForFinished()
        img = job.renderedImage().convertToFormat(QImage.Format_RGB32)
        if with_layers:
            path = os.path.join(ART, "qgis_%s.png" % name)
            img.save(path)
        ptr = img.constBits()
        ptr.setsize(img.sizeInBytes())
        arr = np.frombuffer(ptr, np.uint8).reshape(img.height(), img.width(), 4)[:, :, 2::-1].copy()
        images.append(arr)
    print("     artifact: %s" % path)
    return path, images[0], images[1]


def check_png(tag, img, bare, min_changed, colours=()):
    changed = np.any(np.abs(img.astype(int) - bare.astype(int)) > 6, axis=2).mean()
    distinct = len(np.unique(img.reshape(-1, 3), axis=0))
    check(changed >= min_changed and distinct > 200,
          "%s: PNG not blank: the layers change %.0f%% of the basemap's pixels (>= %.0f%%), "
          "%d colours" % (tag, 100 * changed, 100 * min_changed, distinct))
    for rgb in colours:
        near = (np.abs(img.astype(int) - np.array(rgb[:3])).max(axis=2) <= 12).sum()
        check(near >= 200, "%s: outline colour %s drawn (%d pixels)" % (tag, rgb[:3], near))


def main():
    """Everything that holds QGIS objects, so that they are gone before
    QgsApplication.exitQgis()."""
    # ------------------------------------------------------------- rings
    outs = {}
    for ext in FORMATS:
        # one name per format: QGIS would apply NAME.qml to any NAME.*
        outs[ext] = os.path.join(work, "jan2024_%s%s" % (ext[1:], ext))
        georeach("rings", "--sites", SITES, "--missile", ",".join(MISSILES), "--band", "-o", outs[ext])
    truth = ogr_features(outs[".geojson"])
    n = len(truth)
    order = []
    for m, _ in truth:
        if m not in order:
            order.append(m)
    check(n >= 12 and order == MISSILES, "rings: %d rings of %s (OGR, GeoJSON)" % (n, order))
    layers = {}
    for ext in FORMATS:
        tag = "rings%s" % ext
        lyr = open_layer(outs[ext], "rings" if ext == ".gpkg" else None, tag)
        if not check_layer(lyr, tag, n):
            continue
        layers[ext] = lyr
        check(len(ogr_features(outs[ext])) == n, "%s: OGR reads the same count" % tag)
        if ext in STYLED:
            check_style(lyr, tag, "missile", MISSILES)
            f = next(lyr.getFeatures())
            text = label_of(lyr, f)
            want = "%s %s km" % (f["missile"], format(int(round(f["range_km"])), ","))
            check(text == want, "%s: label of the first ring is '%s' ('%s')" % (tag, want, text))
        elif ext == ".kml":
            r = lyr.renderer()
            check(r is not None and r.type() == "embeddedSymbol",
                  "%s: QGIS draws KML with its own styles (embedded symbols: %s)" % (tag, r.type() if r else None))
        else:
            r = lyr.renderer()
            check(r is not None and r.type() == "singleSymbol",
                  "%s: no style in the format: QGIS's plain single symbol (%s)" % (tag, r.type() if r else None))
    # colours agree: GeoPackage categories, shapefile categories, KML styles
    cat_gpkg = dict(categories(layers[".gpkg"]) or []) if ".gpkg" in layers else {}
    cat_shp = dict(categories(layers[".shp"]) or []) if ".shp" in layers else {}
    check(cat_gpkg and cat_gpkg == cat_shp, "rings: the same category colours in .gpkg and .shp")
    kml_ok = True
    for m, style in ogr_features(outs[".kml"]):
        fill = cat_gpkg.get(m)
        want = "#%02X%02X%02X%02X" % tuple(fill) if fill else None
        if not style or not want or "BRUSH(fc:%s)" % want not in style:
            kml_ok = False
            print("     %s: KML style %s, GeoPackage fill %s" % (m, style, want))
    check(kml_ok, "rings.kml: every placemark's fill is its missile's GeoPackage colour")
    kml_ds = ogr.Open(outs[".kml"])
    first = kml_ds.GetLayer(0).GetNextFeature()
    want = "%s: %s %.0f km" % (first["site"], first["missile"], float(first["range_km"]))
    check(first.GetField("Name") == want, "rings.kml: placemark name '%s' (%s)" % (want, first.GetField("Name")))
    kml_ds = first = None
    with sqlite3.connect(outs[".gpkg"]) as db:
        rows = db.execute("SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                          "useAsDefault, length(styleQML) FROM layer_styles ORDER BY id").fetchall()
        geom = {t: g for t, g in db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns")}
    check([r[2] for r in rows] == ["rings", "sites", "rings_outline"],
          "gpkg layer_styles: rows for rings, sites, rings_outline (%s)" % rows)
    check(all(r[0] == "" and r[1] == "" and r[4] == 1 and r[5] > 500 and r[3] == geom.get(r[2]) for r in rows),
          "gpkg layer_styles: schema '' (not NULL), geometry column as the table's, useAsDefault 1")
    sites = open_layer(outs[".gpkg"], "sites", "sites.gpkg")
    if check_layer(sites, "sites.gpkg", 4):
        r = sites.renderer()
        check(r.type() == "singleSymbol" and r.symbol().type() == Qgis.SymbolType.Marker
              and sites.labelsEnabled() and sites.labeling().settings().fieldName in ("name", '"name"'),
              "sites.gpkg: marker symbol, labelled with the site name")
        names = sorted(f["name"] for f in sites.getFeatures())
        check(names == ["Belgorod", "Dzhankoi (Crimea)", "Kursk", "Voronezh"], "sites.gpkg: names %s" % names)

    # ------------------------------------------ the other layers' styles
    cov = os.path.join(work, "coverage.gpkg")
    if georeach("rings", "--sites", SITES, "--missile", "KN-23,Iskander-M", "--union", "-o", cov):
        lyr = open_layer(cov, "coverage", "coverage.gpkg")
        if check_layer(lyr, "coverage.gpkg", 2):
            check_style(lyr, "coverage.gpkg", "missile", ["KN-23", "Iskander-M"])
            f = next(lyr.getFeatures())
            check(label_of(lyr, f) == "KN-23 885 km, 4 sites",
                  "coverage.gpkg: label '%s'" % label_of(lyr, f))
    bsk = os.path.join(work, "basket.shp")
    if georeach("basket", "--target", "Kyiv", "--target", "Lviv", "--missile", "KN-23", "-o", bsk):
        lyr = open_layer(bsk, None, "basket.shp")
        if check_layer(lyr, "basket.shp", 1):
            check_style(lyr, "basket.shp", "missile", ["KN-23"])
    qry = os.path.join(work, "query.gpkg")
    if georeach("query", "--site", "Belgorod", "--missile", "KN-23", "--target", "Kyiv",
                "--target", "Lviv", "-o", qry):
        lyr = open_layer(qry, "query", "query.gpkg")
        if check_layer(lyr, "query.gpkg", 2):
            check_style(lyr, "query.gpkg", "in_range", ["1", "0"])
    plain = os.path.join(work, "plain.gpkg")
    if georeach("rings", "--site", "Belgorod=50.6,36.6", "--rings", "300km,600km", "-o", plain):
        lyr = open_layer(plain, "rings", "range-only rings.gpkg")
        if check_layer(lyr, "range-only rings.gpkg", 2):
            check_style(lyr, "range-only rings.gpkg", "missile", [""])
            f = next(lyr.getFeatures())
            check(label_of(lyr, f) == "300 km", "range-only rings.gpkg: label '%s'" % label_of(lyr, f))

    # ------------------------------------------------------- hard cases
    hard_sites = os.path.join(work, "hard.csv")
    with open(hard_sites, "w") as f:
        f.write("name,lat,lon\nFiji,-17.7,178.0\nSvalbard,78.2,15.6\n")
    hard = {}
    for ext in FORMATS:
        hard[ext] = os.path.join(work, "hard_%s%s" % (ext[1:], ext))
        georeach("rings", "--sites", hard_sites, "--range", "1500km", "-o", hard[ext])
        big = os.path.join(work, "big_%s%s" % (ext[1:], ext))
        georeach("rings", "--site", "Pyongyang=39.03,125.75", "--range", "13000km", "-o", big)
        for path, tag in ((hard[ext], "antimeridian+pole%s" % ext), (big, "beyond-hemisphere%s" % ext)):
            lyr = open_layer(path, "rings" if ext == ".gpkg" else None, tag)
            check_layer(lyr, tag, 2 if path == hard[ext] else 1)

    # ------------------------------------------------------------ render
    for ext in FORMATS:
        if ext not in layers:
            continue
        # the fill-only polygons under their outline layer, as from the file
        outl = seam_layers(outs[ext], ext)[1]
        check(outl.isValid() and outl.featureCount() == n,
              "rings%s: the outline layer opens with a line per ring (%d)" % (ext, outl.featureCount()))
        if ext in STYLED and outl.renderer() and outl.renderer().type() == "categorizedSymbol":
            # low/high bands dashed: the outline style's data-defined line
            # style, evaluated by QGIS on a low-band feature
            cats = outl.renderer().categories()
            props = [c.symbol().symbolLayer(0).dataDefinedProperties() for c in cats]
            low = [f for f in outl.getFeatures() if f["band"] == "low"]
            ctx = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(outl))
            ctx.setFeature(low[0] if low else next(outl.getFeatures()))
            got = [p.value(QgsSymbolLayer.PropertyStrokeStyle, ctx) for p in props]
            check(low and all(p.isActive(QgsSymbolLayer.PropertyStrokeStyle) for p in props)
                  and set(got) == {"dash"},
                  "rings%s: the outline style dashes the low band (%s)" % (ext, got))
        lyrs = [outl, layers[ext]]
        if ext == ".gpkg":
            lyrs = [sites, outl, layers[ext]]
        path, img, bare = render(ext[1:], lyrs)
        outline = [rgb for rgb in (cat_gpkg or {}).values()] if ext in STYLED + (".kml",) else []
        check_png("qgis_%s.png" % ext[1:], img, bare, 0.35, [(c[0], c[1], c[2]) for c in outline])
    world = [open_layer(hard[".gpkg"], "rings", "hard"),
             open_layer(os.path.join(work, "big_gpkg.gpkg"), "rings", "big")]
    path, img, bare = render("hard_cases", world, QgsRectangle(-180, -90, 180, 90), (1200, 600))
    check_png("qgis_hard_cases.png", img, bare, 0.5)



# ------------------------------------------------------------------ seams
SEAM_FORMATS = [".geojson", ".gpkg", ".shp", ".kml", ".kmz", ".fgb", ".csv", ".gml"]
PACIFIC = "+proj=eqc +lon_0=180 +datum=WGS84 +units=m +no_defs"


def seam_layers(path, ext):
    """The polygon layer and its outline layer, as QGIS opens them from the
    file (KML: the polygon and line placemarks of one folder)."""
    stem, _ = os.path.splitext(path)
    if ext in (".kml", ".kmz"):
        return (QgsVectorLayer(path + "|geometrytype=MultiPolygon", "fill" + ext, "ogr"),
                QgsVectorLayer(path + "|geometrytype=MultiLineString", "outline" + ext, "ogr"))
    if ext in (".gpkg", ".gml"):
        ds = ogr.Open(path)
        names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
        ds = None
        main = [n for n in names if not n.endswith("_outline") and n != "sites"][0]
        return (QgsVectorLayer(uri(path, main), "fill" + ext, "ogr"),
                QgsVectorLayer(uri(path, main + "_outline"), "outline" + ext, "ogr"))
    return (QgsVectorLayer(path, "fill" + ext, "ogr"),
            QgsVectorLayer(stem + "_outline" + ext, "outline" + ext, "ogr"))


def draw(layers, crs, extent, size):
    ms = QgsMapSettings()
    ms.setLayers(layers)
    ms.setBackgroundColor(QColor(255, 255, 255))
    ms.setDestinationCrs(QgsCoordinateReferenceSystem.fromProj(crs) if crs.startswith("+")
                         else QgsCoordinateReferenceSystem(crs))
    ms.setExtent(extent)
    ms.setOutputSize(QSize(*size))
    job = QgsMapRendererSequentialJob(ms)
    job.start()
    job.waitForFinished()
    img = job.renderedImage().convertToFormat(QImage.Format_RGB32)
    ptr = img.constBits()
    ptr.setsize(img.sizeInBytes())
    return img, np.frombuffer(ptr, np.uint8).reshape(img.height(), img.width(), 4)[:, :, 2::-1].astype(int)


def seam_strokes(arr, cut, axis, alone=None):
    """Stroke pixels on a cut line inside the fill: the band of 3 pixels
    around column (axis 1) or row (axis 0) `cut`, at the positions where the
    pixels 6 and 9 away on the inner side(s) are fill (tinted, not white,
    not a stroke): a stroke is a pixel with a channel below 190 (the shipped
    fills over white stay above 210; strokes are opaque palette colours).
    `alone`: the outline layer drawn by itself; where it crosses the cut (a
    true boundary meeting the antimeridian) its stroke is not a seam, and the
    4 positions either side are left out.  (An outline layer that ran along
    the cut would leave no position inside: the caller's count check fails.)"""
    a = arr if axis == 1 else arr.transpose(1, 0, 2)
    crossing = np.zeros(a.shape[0], bool)
    if alone is not None:
        b = alone if axis == 1 else alone.transpose(1, 0, 2)
        hit = (b.min(axis=2) < 190)[:, max(cut - 1, 0):cut + 2].any(axis=1)
        for r in np.nonzero(hit)[0]:
            crossing[max(r - 4, 0):r + 5] = True
    h, w, _ = a.shape
    lo = a.min(axis=2)
    fill = (lo < 250) & (lo >= 200)
    stroke = lo < 190
    n = inside = 0
    for r in range(h):
        sides = [c for c in (cut - 6, cut - 9, cut + 6, cut + 9) if 0 <= c < w]
        if crossing[r] or not sides or not all(fill[r, c] for c in sides):
            continue
        inside += 1
        n += int(any(stroke[r, c] for c in range(max(cut - 1, 0), min(cut + 2, w))))
    return n, inside


def check_seams(tag, fill, outline, world, old_style=False):
    """Render plate carree (the cuts at columns 0 and W-1, the pole line at
    row 0) and Pacific-centred (the cut at the middle column)."""
    fill.setLabelsEnabled(False)
    size = (1440, 720)
    results = []
    for name, crs, extent, cuts in (
            ("platecarree", "EPSG:4326", QgsRectangle(-180, -90, 180, 90),
             [(0, 1), (size[0] - 1, 1), (0, 0)]),
            ("pacific", PACIFIC, QgsRectangle(-20037508.34, -10018754.17, 20037508.34, 10018754.17),
             [(size[0] // 2, 1), (0, 0)])):
        img, arr = draw([outline, fill], crs, extent, size)
        _, alone = draw([outline], crs, extent, size)
        path = os.path.join(ART, "qgis_seam_%s_%s.png" % (tag.replace(" ", "_").replace(".", ""), name))
        img.save(path)
        total = inside = 0
        for cut, axis in cuts:
            n, i = seam_strokes(arr, cut, axis, alone)
            total += n
            inside += i
        results.append((name, total, inside, path))
    return results


def seams():
    anadyr = "Anadyr=64.73,177.5"
    cases = [("ring", ["rings", "--site", anadyr, "--missile", "KN-23"], 1),
             ("cap", ["rings", "--site", "Arctic=84,30", "--range", "1500km"], 1),
             ("union", ["rings", "--site", anadyr, "--site", "Nome=64.5,-165.4",
                        "--site", "Petropavlovsk=53.0,158.65", "--missile", "KN-23", "--union"], 1)]
    for case, args, nfeat in cases:
        for ext in SEAM_FORMATS:
            tag = "%s%s" % (case, ext)
            path = os.path.join(work, "seam_%s_%s%s" % (case, ext[1:], ext))
            if not georeach(*(args + ["-o", path])):
                check(False, "%s: written" % tag)
                continue
            fill, outline = seam_layers(path, ext)
            if not (check(fill.isValid() and outline.isValid(),
                          "%s: QGIS opens the fill and the outline layer" % tag)):
                continue
            check(fill.crs().authid() == "EPSG:4326" and outline.crs().authid() == "EPSG:4326",
                  "%s: QGIS reads the CRS, EPSG:4326, of both layers (%s, %s)"
                  % (tag, fill.crs().authid(), outline.crs().authid()))
            check(fill.featureCount() == nfeat and outline.featureCount() == nfeat,
                  "%s: %d fill, %d outline features (%d)" % (tag, fill.featureCount(),
                                                             outline.featureCount(), nfeat))
            # the style came from the file: sidecar, layer_styles or KML's own
            fr, orr = fill.renderer(), outline.renderer()
            if ext in (".kml", ".kmz"):
                check(fr.type() == "embeddedSymbol" and orr.type() == "embeddedSymbol",
                      "%s: KML styles drawn (embedded symbols)" % tag)
            else:
                ok = fr.type() == "categorizedSymbol" and (ext == ".gml" or orr.type() == "categorizedSymbol")
                check(ok, "%s: styles loaded from the file (%s, %s)" % (tag, fr.type(), orr.type()))
                if fr.type() == "categorizedSymbol":
                    cats = fr.categories()  # held: a category owns its symbol
                    sls = [c.symbol().symbolLayer(0) for c in cats]
                    check(sls and all(sl.strokeStyle() == Qt.NoPen for sl in sls),
                          "%s: the polygon style draws no outline" % tag)
            for name, n, inside, png in check_seams(tag, fill, outline, None):
                check(inside > 20 and n == 0,
                      "%s, %s: no stroke pixel on the cut inside the fill (%d of %d positions) %s"
                      % (tag, name, n, inside, png))
            if ext == ".gpkg":
                # the old behaviour (an outline on every polygon edge) is caught
                cats = fr.categories()
                sym = cats[0].symbol().clone()
                sl = sym.symbolLayer(0)
                sl.setStrokeStyle(Qt.SolidLine)
                sl.setStrokeColor(QColor(60, 60, 60))
                sl.setStrokeWidth(0.5)
                fill.setRenderer(QgsSingleSymbolRenderer(sym))
                for name, n, inside, png in check_seams(tag + " old", fill, outline, None):
                    if case == "cap" and name == "pacific":
                        # QGIS draws a cap that spans every longitude wrongly
                        # in a projection centred on 180 (its -180 and 180
                        # edges land on one meridian): nothing to compare
                        continue
                    check(n > inside // 2,
                          "%s, %s: an outlined polygon style (the old one) shows the seam: "
                          "%d of %d positions" % (tag, name, n, inside))
    # KML as Google Earth reads it: the document's own structure
    import xml.etree.ElementTree as ET
    import zipfile
    kml = os.path.join(work, "seam_ring_kml.kml")
    kmz = os.path.join(work, "seam_ring_kmz.kmz")
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    for path in (kml, kmz):
        if path.endswith(".kmz"):
            # LIBKML's KMZ: doc.kml links (NetworkLink) to layers/rings.kml,
            # a Document per layer, as Google Earth opens it
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
                doc = ET.fromstring(z.read("doc.kml"))
                hrefs = [h.text for h in doc.findall(".//k:NetworkLink/k:Link/k:href", ns)]
                check(hrefs == ["layers/rings.kml"] and hrefs[0] in names,
                      "kmz: doc.kml links to the layer's KML inside the zip (%s)" % hrefs)
                root = ET.fromstring(z.read(hrefs[0])) if hrefs and hrefs[0] in names else doc
            containers = root.findall("k:Document", ns)
        else:
            root = ET.parse(path).getroot()
            containers = root.findall(".//k:Folder", ns)
        check([f.findtext("k:name", namespaces=ns) for f in containers] == ["rings"],
              "%s: one folder/document 'rings' holding the placemarks" % os.path.basename(path))
        marks = root.findall(".//k:Placemark", ns)
        polys = [m for m in marks if m.find(".//k:Polygon", ns) is not None]
        lines = [m for m in marks if m.find(".//k:LineString", ns) is not None]
        check(len(polys) == 1 and len(lines) == 1 and len(marks) == 2,
              "%s: a fill placemark and an outline placemark (%d, %d)" % (path[-4:], len(polys), len(lines)))

        def style(m, what, key):
            st = m.find(".//k:Style/k:%s" % what, ns)
            if st is None:  # a shared style (LIBKML)
                url = (m.findtext("k:styleUrl", namespaces=ns) or "").lstrip("#")
                st = root.find(".//k:Style[@id='%s']/k:%s" % (url, what), ns)
            return None if st is None else st.findtext("k:" + key, namespaces=ns)
        for m in polys:
            fillc, linec = style(m, "PolyStyle", "color"), style(m, "LineStyle", "color")
            check(fillc and int(fillc[:2], 16) > 0 and (linec is None or linec[:2] == "00"),
                  "%s: the polygon is filled (%s) with no visible outline (%s)" % (path[-4:], fillc, linec))
            check(m.findtext("k:name", namespaces=ns) == "Anadyr: KN-23 885 km",
                  "%s: polygon named '%s'" % (path[-4:], m.findtext("k:name", namespaces=ns)))
        for m in lines:
            linec = style(m, "LineStyle", "color")
            check(linec and linec[:2].lower() == "ff", "%s: the outline is drawn (%s)" % (path[-4:], linec))
            coords = [tuple(map(float, c.split(",")[:2])) for ls in m.findall(".//k:LineString", ns)
                      for c in ls.findtext("k:coordinates", namespaces=ns).split()]
            on_cut = sum(1 for (x0, y0), (x1, y1) in zip(coords, coords[1:]) if abs(x0) == 180 and x0 == x1)
            check(len(m.findall(".//k:LineString", ns)) == 2 and on_cut == 0,
                  "%s: the outline is two lines, none along lon = +/-180" % path[-4:])
    # KMZ round trip: what OGR reads from the .kmz is the .kml's
    a, b = ogr.Open(kml), ogr.Open(kmz)

    def feats(ds):
        out = []
        for f in ds.GetLayer(0):
            g = f.GetGeometryRef().Clone()
            g.FlattenTo2D()
            out.append((g, f.GetField("Name"), f.GetField("missile"), f.GetField("range_km")))
        return out
    fa, fb = feats(a), feats(b)
    from shapely import wkb as swkb
    same = len(fa) == len(fb) == 2 and all(
        x[1:] == y[1:] and x[0].GetGeometryName() == y[0].GetGeometryName() and
        swkb.loads(bytes(x[0].ExportToWkb())).hausdorff_distance(swkb.loads(bytes(y[0].ExportToWkb()))) < 1e-9
        for x, y in zip(fa, fb))
    check(same, "kmz round trip: OGR reads the .kmz's placemarks as the .kml's (geometry, name, "
          "fields): %s" % [(x[0].GetGeometryName(), x[1]) for x in fb])


try:
    if os.environ.get("GEOREACH_QGIS_SEAMS_ONLY") != "1":  # for working on the seam checks
        main()
    seams()
finally:
    app.exitQgis()
    if os.environ.get("GEOREACH_E2E_KEEP") != "1":
        shutil.rmtree(work, True)
    else:
        print("# scratch kept in %s" % work)
print("# %.1f s" % (time.time() - T0))
try:
    done()
except SystemExit as e:
    # PyQGIS may crash tearing down Qt objects after exitQgis(): leave now
    sys.stdout.flush()
    os._exit(e.code)
