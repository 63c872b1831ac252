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
  * The default style: GeoPackage (its layer_styles table) and shapefile
    (the .qml sidecar) open with a categorized renderer on "missile" whose
    categories are exactly the missiles written, in order, with labels on
    ("KN-23 885 km", evaluated by QGIS's expression engine on a feature);
    GeoJSON and FlatGeobuf, which carry no style, open with QGIS's plain
    single symbol; KML opens with QGIS's embedded-symbol renderer and its
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
    from qgis.PyQt.QtCore import QSize
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
STYLED = (".gpkg", ".shp")

QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()


def georeach(*args):
    r = subprocess.run([BIN] + list(args) + ["-q"], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        print("FAIL georeach %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.strip()))
    return r.returncode == 0


def uri(path, layer=None):
    return path + ("|layername=" + layer if layer else "")


def ogr_features(path, layer=None):
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName(layer) if layer else ds.GetLayer(0)
    return [(f.GetFieldAsString("missile") if f.GetFieldIndex("missile") >= 0 else None,
             f.GetStyleString()) for f in lyr]


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
    check([r[2] for r in rows] == ["rings", "sites"], "gpkg layer_styles: rows for rings, sites (%s)" % rows)
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
        lyrs = [layers[ext]]
        if ext == ".gpkg":
            lyrs = [sites, layers[ext]]
        path, img, bare = render(ext[1:], lyrs)
        outline = [rgb for rgb in (cat_gpkg or {}).values()] if ext in STYLED + (".kml",) else []
        check_png("qgis_%s.png" % ext[1:], img, bare, 0.35, [(c[0], c[1], c[2]) for c in outline])
    world = [open_layer(hard[".gpkg"], "rings", "hard"),
             open_layer(os.path.join(work, "big_gpkg.gpkg"), "rings", "big")]
    path, img, bare = render("hard_cases", world, QgsRectangle(-180, -90, 180, 90), (1200, 600))
    check_png("qgis_hard_cases.png", img, bare, 0.5)


try:
    main()
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
