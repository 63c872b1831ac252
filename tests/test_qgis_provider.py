#!/usr/bin/python3
"""georeach's QGIS Processing provider (qgis/georeach_processing) in real QGIS
3.22, headless, against the command line's own output.

usage: /usr/bin/python3 tests/test_qgis_provider.py PATH/TO/georeach [ARTIFACT_DIR]

  * The plugin's provider registers its six algorithms, each with help text.
  * Every algorithm runs through processing.run on an in-memory layer in
    EPSG:4326 and on a GeoPackage layer in EPSG:3857 (the same places); the
    output opens in QGIS, valid (QgsGeometry.isGeosValid), in EPSG:4326, with
    the command's style (the GeoPackage's layer_styles: a categorized
    renderer); its features equal those of the same `georeach` command run
    on the places' lat/lon: exactly (fields and vertices) for the EPSG:4326
    layer; for the EPSG:3857 one (sites moved by the round trip through
    metres, ~1e-14 degrees) fields to 1e-6 relative (err_m to 1 mm) and
    every vertex within 1e-6 degrees of the command's boundary.
  * A bad option is a QgsProcessingException carrying the library's message.
  * Cancel: a feedback cancelled at the first or second progress report
    stops the run (QgsProcessingException), and neither the output nor a
    staging folder is left.
  * scripts/package-qgis-plugin's zip, unpacked into a folder named by
    QGIS_PLUGINPATH: `qgis_process plugins enable`, `list` shows the six
    algorithms, `help` their help, `run` gives the command's rings.
  * The result drawn with QgsMapRendererSequentialJob (PNG in ARTIFACT_DIR;
    with GEOREACH_UPDATE_DOCS=1 also docs/qgis_provider.png, the README's).
Exit 77 (skipped) when QGIS's Python bindings are not installed.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

os.environ["QT_QPA_PLATFORM"] = "offscreen"
work = tempfile.mkdtemp(prefix="georeach-qgis-provider-")
os.environ.setdefault("XDG_RUNTIME_DIR", work)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, DATA, REPO, check, done, read_features  # noqa: E402

try:
    from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsCoordinateTransform,
                           QgsFeature, QgsGeometry, QgsMapRendererSequentialJob, QgsMapSettings,
                           QgsPointXY, QgsProcessingException, QgsProcessingFeedback, QgsProject,
                           QgsRectangle, QgsVectorFileWriter, QgsVectorLayer)
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor, QImage
except ImportError as e:
    print("skip: QGIS's Python bindings are missing (%s); scripts/setup --gis installs python3-qgis" % e)
    shutil.rmtree(work, True)
    sys.exit(77)
import numpy as np  # noqa: E402

if not BIN:
    print("usage: test_qgis_provider.py GEOREACH [ARTIFACT_DIR]")
    sys.exit(2)
ART = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else
                      os.path.join(os.path.dirname(BIN), "tests", "artifacts"))
os.makedirs(ART, exist_ok=True)
LIB = os.path.join(os.path.dirname(BIN), "libgeoreach.so")
os.environ["GEOREACH_LIBRARY"] = LIB
sys.path.insert(0, "/usr/share/qgis/python/plugins")
sys.path.insert(0, os.path.join(REPO, "qgis"))
sys.path.insert(0, os.path.join(REPO, "python"))

QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
from processing.core.Processing import Processing  # noqa: E402
Processing.initialize()
import processing  # noqa: E402
from georeach_processing.plugin import GeoreachPlugin  # noqa: E402

plugin = GeoreachPlugin()
plugin.initProcessing()
reg = QgsApplication.processingRegistry()
IDS = ["basket", "coverage", "fromarea", "query", "rings", "warningtime"]
algs = sorted(a.id() for a in reg.providerById("georeach").algorithms())
check(algs == ["georeach:" + i for i in IDS], "the provider registers %s" % algs)
check(all(len(reg.algorithmById("georeach:" + i).shortHelpString()) > 100 for i in IDS),
      "each algorithm has help text")

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
MERC = QgsCoordinateReferenceSystem("EPSG:3857")
SITES = [("Belgorod", 50.6, 36.6), ("Dzhankoi", 45.7, 34.4), ("Voronezh", 51.67, 39.21)]
TARGETS = [("Kyiv", 50.4547, 30.5238), ("Lviv", 49.8383, 24.0232), ("Kharkiv", 49.9808, 36.2527)]
# a territory: a box round North Korea's coast (lon, lat), and a clip box
AREA = [(124.5, 38.0), (130.0, 38.0), (130.0, 42.5), (124.5, 42.5), (124.5, 38.0)]
WITHIN = [(30.0, 44.0), (45.0, 44.0), (45.0, 56.0), (30.0, 56.0), (30.0, 44.0)]
os.chdir(work)


def memory_points(rows, name):
    lyr = QgsVectorLayer("Point?crs=EPSG:4326&field=name:string", name, "memory")
    feats = []
    for n, lat, lon in rows:
        f = QgsFeature(lyr.fields())
        f.setAttribute("name", n)
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(lon, lat)))
        feats.append(f)
    lyr.dataProvider().addFeatures(feats)
    return lyr


def memory_polygon(ring, name):
    lyr = QgsVectorLayer("Polygon?crs=EPSG:4326&field=name:string", name, "memory")
    f = QgsFeature(lyr.fields())
    f.setAttribute("name", name)
    f.setGeometry(QgsGeometry.fromPolygonXY([[QgsPointXY(x, y) for x, y in ring]]))
    lyr.dataProvider().addFeatures([f])
    return lyr


def to_3857_file(lyr, name):
    """The layer written to a GeoPackage in EPSG:3857 (QGIS's own transform)."""
    path = os.path.join(work, name + "_3857.gpkg")
    opts = QgsVectorFileWriter.SaveVectorOptions()
    opts.driverName = "GPKG"
    opts.ct = QgsCoordinateTransform(WGS84, MERC, QgsProject.instance())
    err = QgsVectorFileWriter.writeAsVectorFormatV3(lyr, path, QgsProject.instance().transformContext(), opts)
    out = QgsVectorLayer(path, name, "ogr")
    assert err[0] == QgsVectorFileWriter.NoError and out.isValid() and out.crs().authid() == "EPSG:3857", err
    return out


def csv_of(rows, name):
    path = os.path.join(work, name + ".csv")
    with open(path, "w") as f:
        f.write("name,lat,lon\n" + "".join("%s,%r,%r\n" % r for r in rows))
    return path


def geojson_of(ring, name):
    path = os.path.join(work, name + ".geojson")
    with open(path, "w") as f:
        json.dump({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                   "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}}]}, f)
    return path


mem = {"sites": memory_points(SITES, "sites"), "targets": memory_points(TARGETS, "targets"),
       "area": memory_polygon(AREA, "area"), "within": memory_polygon(WITHIN, "within")}
files = {k: to_3857_file(v, k) for k, v in mem.items()}
ref_in = {"sites": csv_of(SITES, "sites"), "targets": csv_of(TARGETS, "targets"),
          "area": geojson_of(AREA, "area"), "within": geojson_of(WITHIN, "within")}

# algorithm, its parameters (layers named by key), the command's arguments, the layer
CASES = [
    ("rings", {"SITES": "sites", "MISSILE": "KN-23,Iskander-M"},
     ["rings", "--sites", "@sites", "--missile", "KN-23,Iskander-M"], "rings"),
    ("rings", {"SITES": "sites", "RANGE": "1500km", "MIN_RANGE": "300km", "AZIMUTH": "300:60"},
     ["rings", "--sites", "@sites", "--range", "1500km", "--min-range", "300km", "--azimuth", "300:60"], "rings"),
    ("coverage", {"SITES": "sites", "MISSILE": "KN-23", "MODE": 0},
     ["rings", "--sites", "@sites", "--missile", "KN-23", "--union"], "coverage"),
    ("coverage", {"SITES": "sites", "RANGE": "885km", "MODE": 1},
     ["rings", "--sites", "@sites", "--range", "885km", "--count"], "overlap"),
    ("fromarea", {"AREA": "area", "RANGE": "300km"},
     ["rings", "--from-area", "@area", "--range", "300km"], "coverage"),
    ("query", {"SITES": "sites", "TARGETS": "targets", "MISSILE": "KN-23,Iskander-M"},
     ["query", "--sites", "@sites", "--targets", "@targets", "--missile", "KN-23,Iskander-M"], "query"),
    ("basket", {"TARGETS": "targets", "MISSILE": "KN-23", "WITHIN": "within"},
     ["basket", "--targets", "@targets", "--missile", "KN-23", "--within", "@within"], "basket"),
    ("warningtime", {"SITES": "sites", "MISSILE": "KN-23", "MINUTES": "1,2,5"},
     ["rings", "--sites", "@sites", "--missile", "KN-23", "--model", "ballistic", "--minutes", "1,2,5"], "rings"),
]


def cli_ref(argv, layer, n):
    path = os.path.join(work, "cli%d.gpkg" % n)
    args = [ref_in[a[1:]] if a.startswith("@") else a for a in argv]
    p = subprocess.run([BIN] + args + ["-o", path, "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.returncode == 0, p.stderr
    return read_features(path, layer)[0]


def close(k, a, b, exact):
    if k in ("from_area", "within"):  # the file the layer was written to: a temporary one
        return os.path.basename(a) == os.path.basename(b)
    if isinstance(a, float) and isinstance(b, float) and not exact:
        # err_m is measured along the edges, whose vertices move when the
        # sites move by the 1e-14 degrees of the round trip through metres
        return abs(a - b) <= (1e-3 if k == "err_m" else 1e-9 + 1e-6 * abs(b))
    return a == b


def compare(got, ref, exact):
    """None when equal, else what differs."""
    if len(got) != len(ref):
        return "%d features, the command %d" % (len(got), len(ref))
    for i, ((pa, ga), (pb, gb)) in enumerate(zip(got, ref)):
        if set(pa) != set(pb):
            return "feature %d: fields %s vs %s" % (i, sorted(pa), sorted(pb))
        for k in pa:
            if not close(k, pa[k], pb[k], exact):
                return "feature %d: %s %r vs %r" % (i, k, pa[k], pb[k])
        if exact and not ga.equals_exact(gb, 0):
            return "feature %d: geometry differs" % i
        # the vertices are placed by a step controller on the measured error,
        # so a site moved by 1e-14 degrees gives other vertices on the same
        # boundary: within 1e-6 degrees (0.11 m, a hundredth of the 10 m budget)
        if not exact and ga.hausdorff_distance(gb) > 1e-6:
            return "feature %d: geometry %.3g degrees away" % (i, ga.hausdorff_distance(gb))
    return None


def run_alg(alg, params, layers, out, feedback=None):
    p = {k: (layers[v] if isinstance(v, str) and v in layers else v) for k, v in params.items()}
    p["OUTPUT"] = out
    return processing.run("georeach:" + alg, p, feedback=feedback)


results = {}
for n, (alg, params, argv, layer) in enumerate(CASES):
    ref = cli_ref(argv, layer, n)
    for tag, layers, exact in (("memory EPSG:4326", mem, True), ("GeoPackage EPSG:3857", files, False)):
        out = os.path.join(work, "%s_%d_%s.gpkg" % (alg, n, "mem" if exact else "file"))
        what = "%s %s on a %s layer" % (alg, " ".join("%s=%s" % kv for kv in params.items()
                                                       if kv[0] not in ("SITES", "TARGETS", "AREA", "WITHIN")), tag)
        try:
            r = run_alg(alg, params, layers, out)
        except QgsProcessingException as e:
            check(False, "%s: %s" % (what, e))
            continue
        lyr = QgsVectorLayer(r["OUTPUT"], layer, "ogr")
        feats = list(lyr.getFeatures()) if lyr.isValid() else []
        valid = all(f.geometry().isGeosValid() for f in feats)
        rend = lyr.renderer().type() if lyr.isValid() and lyr.renderer() else None
        check(lyr.isValid() and len(feats) > 0 and valid and lyr.crs().authid() == "EPSG:4326" and
              r["OUTPUT"].endswith("|layername=" + layer) and rend == "categorizedSymbol",
              "%s: output opens in QGIS, %d valid features in EPSG:4326, layer %s, styled (%s)" % (
                  what, len(feats), layer, rend))
        got = read_features(out, layer)[0]
        diff = compare(got, ref, exact)
        check(diff is None, "%s: equals `georeach %s` %s (%s)" % (
            what, " ".join(argv), "exactly" if exact else "(fields to 1e-9, vertices to 1e-6 deg)",
            diff or "%d features" % len(got)))
        results[(alg, n, exact)] = r["OUTPUT"]

# a comparison that can fail: the 885 km union against the KN-23 one from other sites
ref = cli_ref(["rings", "--site", "50.6,36.6", "--missile", "KN-23", "--union"], "coverage", 99)
got = read_features(results[("coverage", 2, True)].split("|")[0], "coverage")[0]
check(compare(got, ref, True) is not None and compare(got, ref, False) is not None,
      "the comparison tells another set of sites apart (it can fail)")

# --------------------------------------------------------------- errors ----
try:
    run_alg("rings", {"SITES": "sites", "MISSILE": "Iskandr"}, mem, os.path.join(work, "bad.gpkg"))
    check(False, "a bad missile raises")
except QgsProcessingException as e:
    p = subprocess.run([BIN, "rings", "--sites", ref_in["sites"], "--missile", "Iskandr", "-o", "x.gpkg"],
                       stderr=subprocess.PIPE, text=True)
    check(str(e) == p.stderr.strip() and not os.path.exists(os.path.join(work, "bad.gpkg")),
          "a bad missile: QgsProcessingException with the library's message (%s)" % e)
try:
    run_alg("rings", {"MISSILE": "KN-23"}, mem, os.path.join(work, "bad.gpkg"))
    check(False, "no sites raises")
except QgsProcessingException as e:
    check("point" in str(e), "no sites and no point: QgsProcessingException (%s)" % e)

# --------------------------------------------------------------- cancel ----
rnd = np.random.default_rng(5)
many = [("s%d" % i, float(rnd.uniform(-60, 60)), float(rnd.uniform(-170, 170))) for i in range(300)]
big = {"sites": memory_points(many, "many")}
os.makedirs(os.path.join(work, "cancel"))
for alg, params, when, stop in (
        ("rings", {"SITES": "sites", "RANGE": "885km"}, "at the first progress report", lambda v: True),
        ("rings", {"SITES": "sites", "RANGE": "885km"}, "mid-run (0 < progress < 100)", lambda v: 0 < v < 100),
        ("coverage", {"SITES": "sites", "RANGE": "885km", "MODE": 1}, "mid-run (0 < progress < 100)",
         lambda v: 0 < v < 100)):
    fb = QgsProcessingFeedback()
    seen = []

    def on_progress(v, fb=fb, seen=seen, stop=stop):
        seen.append(v)
        if stop(v):
            fb.cancel()
    fb.progressChanged.connect(on_progress)
    out = os.path.join(work, "cancel", "%s.gpkg" % alg)
    try:
        run_alg(alg, params, big, out, feedback=fb)
        check(False, "%s cancelled %s stops the run (progress %s)" % (alg, when, seen))
    except QgsProcessingException as e:
        left = os.listdir(os.path.join(work, "cancel"))
        check(fb.isCanceled() and "canceled" in str(e) and not left,
              "%s cancelled %s (at %.0f%%): stopped (%s), nothing left (%s)" % (
                  alg, when, seen[-1] if seen else -1, e, left))
r = run_alg("rings", {"SITES": "sites", "RANGE": "885km"}, big, os.path.join(work, "cancel", "whole.gpkg"),
            feedback=QgsProcessingFeedback())
check(os.listdir(os.path.join(work, "cancel")) == ["whole.gpkg"] and
      QgsVectorLayer(r["OUTPUT"], "x", "ogr").featureCount() == 300,
      "the same run not cancelled writes its 300 rings")

# ------------------------------------------------- loaded into the project ----
# As the toolbox runs it: the output layer (not the GeoPackage's first one)
# is added to the project, styled as the command wrote it (a category per
# missile): a GeoPackage from its layer_styles, a GeoJSON from the NAME.qml
# beside it, which Processing does not read by itself.

for ext, want in ((".gpkg", ["Iskander-M", "KN-23"]), (".geojson", ["Iskander-M", "KN-23"])):
    out = os.path.join(work, "loaded" + ext)
    r = processing.runAndLoadResults("georeach:rings", {"SITES": mem["sites"], "MISSILE": "KN-23,Iskander-M",
                                                        "OUTPUT": out})
    found = [l for l in QgsProject.instance().mapLayers().values() if l.source() == r["OUTPUT"]]
    rend = found[0].renderer().type() if found else None
    cats = sorted(c.value() for c in found[0].renderer().categories()) if rend == "categorizedSymbol" else []
    check(len(found) == 1 and found[0].featureCount() == 6 and cats == want and found[0].labelsEnabled(),
          "runAndLoadResults to %s: the rings layer is in the project, styled (%s, categories %s, labels on)" % (
              ext, rend, cats))
plain_json = QgsVectorLayer(os.path.join(work, "loaded.geojson"), "plain", "ogr")
check(plain_json.renderer().type() == "categorizedSymbol" and
      os.path.exists(os.path.join(work, "loaded.qml")),
      "the same GeoJSON opened by itself takes the command's loaded.qml too")

# ---------------------------------------------------------- qgis_process ----
zip_path = os.path.join(work, "plugin.zip")
p = subprocess.run([os.path.join(REPO, "scripts", "package-qgis-plugin"), "--library", LIB, zip_path],
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
names = zipfile.ZipFile(zip_path).namelist() if p.returncode == 0 else []
check("georeach_processing/metadata.txt" in names and "georeach_processing/georeach/__init__.py" in names,
      "scripts/package-qgis-plugin builds the zip with the module inside (%d files)" % len(names))
plugdir = os.path.join(work, "plugins")
zipfile.ZipFile(zip_path).extractall(plugdir)
env = dict(os.environ, HOME=os.path.join(work, "home"), QGIS_PLUGINPATH=plugdir,
           XDG_DATA_HOME=os.path.join(work, "home", "data"), XDG_CONFIG_HOME=os.path.join(work, "home", "config"))
for k in ("GEOREACH_LIBRARY", "PYTHONPATH"):
    env.pop(k, None)  # the zip's own module and library path only
os.makedirs(env["HOME"])
QP = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"


def qp(*args):
    return subprocess.run([QP] + list(args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, cwd=work, timeout=600)


pe = qp("plugins", "enable", "georeach_processing")
pl = qp("list")
listed = sorted(ln.split()[0] for ln in pl.stdout.splitlines() if ln.strip().startswith("georeach:"))
check(pe.returncode == 0 and listed == ["georeach:" + i for i in IDS],
      "qgis_process (QGIS_PLUGINPATH = the unpacked zip, plugin enabled) lists %s" % listed)
ph = qp("help", "georeach:warningtime")
check(ph.returncode == 0 and "isochrones" in ph.stdout and "MINUTES" in ph.stdout,
      "qgis_process help georeach:warningtime shows the help and the parameters")
qout = os.path.join(work, "qp.gpkg")
pr = qp("run", "georeach:rings", "--", "POINT=36.6,50.6 [EPSG:4326]", "MISSILE=KN-23", "OUTPUT=" + qout)
ref = cli_ref(["rings", "--site", "50.6,36.6", "--missile", "KN-23"], "rings", 100)
got = read_features(qout, "rings")[0] if os.path.exists(qout) else []
diff = compare(got, ref, True) if got else "no output: %s" % pr.stderr[-300:]
check(pr.returncode == 0 and diff is None,
      "qgis_process run georeach:rings equals `georeach rings --site 50.6,36.6 --missile KN-23` (%s)" % (diff or "exactly"))

env["GEOREACH_LIBRARY"] = "/nonexistent/libgeoreach.so.1"
pr = qp("run", "georeach:rings", "--", "POINT=36.6,50.6 [EPSG:4326]", "MISSILE=KN-23",
        "OUTPUT=" + os.path.join(work, "nolib.gpkg"))
check(pr.returncode != 0 and "libgeoreach is missing" in pr.stdout + pr.stderr and
      "/nonexistent/libgeoreach.so.1" in pr.stdout + pr.stderr and not os.path.exists(os.path.join(work, "nolib.gpkg")),
      "without the library (GEOREACH_LIBRARY=/nonexistent) the run fails saying what is missing")
del env["GEOREACH_LIBRARY"]

# ---------------------------------------------------------------- picture ----
def render(layers, extent, path, size=(1000, 720)):
    base = QgsVectorLayer(os.path.join(DATA, "countries.geojson"), "countries", "ogr")
    sym = base.renderer().symbol()
    sym.setColor(QColor(236, 233, 226))
    sym.symbolLayer(0).setStrokeColor(QColor(150, 150, 150))
    imgs = []
    for with_layers in (True, False):
        ms = QgsMapSettings()
        ms.setLayers((layers if with_layers else []) + [base])
        ms.setBackgroundColor(QColor(205, 222, 240))
        ms.setDestinationCrs(WGS84)
        ms.setExtent(extent)
        ms.setOutputSize(QSize(*size))
        job = QgsMapRendererSequentialJob(ms)
        job.start()
        job.waitForFinished()
        img = job.renderedImage().convertToFormat(QImage.Format_RGB32)
        if with_layers:
            img.save(path)
        ptr = img.constBits()
        ptr.setsize(img.sizeInBytes())
        imgs.append(np.frombuffer(ptr, np.uint8).reshape(img.height(), img.width(), 4)[:, :, :3].copy())
    return imgs


rings_layer = QgsVectorLayer(results[("rings", 0, False)], "rings", "ogr")
sites_layer = QgsVectorLayer(results[("rings", 0, False)].split("|")[0] + "|layername=sites", "sites", "ogr")
png = os.path.join(ART, "qgis_provider.png")
img, bare = render([sites_layer, rings_layer], QgsRectangle(20, 39, 50, 59), png)
changed = np.any(np.abs(img.astype(int) - bare.astype(int)) > 6, axis=2).mean()
check(sites_layer.isValid() and changed > 0.2,
      "the rings the provider drew from the EPSG:3857 layer, rendered by QGIS: %s (%.0f%% of the "
      "basemap's pixels changed)" % (png, 100 * changed))
if os.environ.get("GEOREACH_UPDATE_DOCS") == "1":
    shutil.copy(png, os.path.join(REPO, "docs", "qgis_provider.png"))
    print("     copied to docs/qgis_provider.png")

plugin.unload()
check(reg.providerById("georeach") is None, "unload removes the provider")
os.chdir("/")
shutil.rmtree(work, True)
done()
