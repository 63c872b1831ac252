#!/usr/bin/python3
"""The Python module georeach (python/georeach, ctypes over libgeoreach's apps
API) against the command line's own output for the same inputs.

usage: /usr/bin/python3 tests/test_python.py PATH/TO/georeach

The module loads the library beside the binary (GEOREACH_LIBRARY); every
function's features must equal, field for field and coordinate for
coordinate, those of `georeach COMMAND ... -o x.geojson` (read as JSON);
missiles() equals `missiles --as json`, locate() the lines of `locate`,
run() the command's stdout.  Errors: the class, the status and the message
are the command's (its exit code and stderr line).  Threads: two calls run
inside the library at the same time (each one's progress callback waits at a
barrier for the other's) and give what they give one after the other.
Cancel: a progress callback returning False raises Interrupted and leaves no
output file and no staging folder.  Each comparison is shown able to fail on a
perturbed input.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, DATA, REPO, check, done, read_features  # noqa: E402

if not BIN:
    print("usage: test_python.py PATH/TO/georeach")
    sys.exit(2)
os.environ["GEOREACH_LIBRARY"] = os.path.join(os.path.dirname(BIN), "libgeoreach.so")
sys.path.insert(0, os.path.join(REPO, "python"))
import georeach  # noqa: E402

work = tempfile.mkdtemp(prefix="georeach-py-test-")
os.chdir(work)
SITES = os.path.join(DATA, "sites", "jan2024_launch_areas.csv")
check(os.path.samefile(georeach.library_path(), os.environ["GEOREACH_LIBRARY"]),
      "the module loaded the build's library (%s)" % georeach.library_path())


def cli(*args):
    return subprocess.run([BIN] + [str(a) for a in args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)


_n = [0]


def cli_features(command, *args):
    """The features of `georeach COMMAND ARGS -o x.geojson`."""
    _n[0] += 1
    path = os.path.join(work, "cli%d.geojson" % _n[0])
    p = cli(command, *args, "-o", path, "-q")
    if p.returncode != 0:
        return None, p.stderr.strip()
    with open(path) as f:
        return json.load(f)["features"], ""


def plain(features):
    return [{"type": f["type"], "properties": f["properties"], "geometry": f["geometry"]}
            for f in features]


def same(features, command, *args, what):
    ref, err = cli_features(command, *args)
    got = plain(features)
    ok = ref is not None and got == ref and len(got) > 0
    detail = err or ("%d features, %d vertices" % (len(got), sum(json.dumps(f["geometry"]).count("[") for f in got)))
    if ref is not None and got != ref:
        detail = "%d vs %d features; first difference in %s" % (
            len(got), len(ref), next((i for i, (a, b) in enumerate(zip(got, ref)) if a != b), "count"))
    check(ok, "%s equals `georeach %s %s` (%s)" % (what, command, " ".join(map(str, args)), detail))
    return ok


# ------------------------------------------------------------ rings ----
same(georeach.rings(site="Pyongyang", missile="KN-23"), "rings",
     "--site", "Pyongyang", "--missile", "KN-23", what="rings(site='Pyongyang', missile='KN-23')")
pts = [(50.6, 36.6), (45.7, 34.4), ("Launcher A", 47.1, 38.0)]
same(georeach.rings(sites=pts, range="885km", tolerance="10m"), "rings",
     "--site", "50.6,36.6", "--site", "45.7,34.4", "--site", "Launcher A=47.1,38.0",
     "--range", "885km", "--tolerance", "10m", what="rings(sites=[(lat, lon), ...], range, tolerance)")
same(georeach.rings(site="78.2,15.6", range=1500, min_range="300km", azimuth=(300, 60)), "rings",
     "--site", "78.2,15.6", "--range", "1500", "--min-range", "300km", "--azimuth", "300:60",
     what="rings: an annular sector through north round the pole")
same(georeach.rings(sites=SITES, missile=["KN-23", "Iskander-M"], band=True), "rings",
     "--sites", SITES, "--missile", "KN-23,Iskander-M", "--band",
     what="rings(sites=FILE, missile=[...], band=True)")
same(georeach.rings(site="Belgorod", rings=["300km", "600km", "885km"]), "rings",
     "--site", "Belgorod", "--rings", "300km,600km,885km", what="rings(rings=[...])")
same(georeach.rings(site=(39.03, 125.75), range="13000km"), "rings",
     "--site", "39.03,125.75", "--range", "13000km", what="rings: past a hemisphere")
same(georeach.rings(site="Belgorod", missile="KN-23", model="ballistic", minutes=[1, 2, 5]), "rings",
     "--site", "Belgorod", "--missile", "KN-23", "--model", "ballistic", "--minutes", "1,2,5",
     what="rings: ballistic isochrones (minutes=[1, 2, 5])")
# a comparison that can fail: another tolerance gives other vertices
ref, _ = cli_features("rings", "--site", "50.6,36.6", "--range", "885km", "--tolerance", "20m")
check(plain(georeach.rings(site=(50.6, 36.6), range="885km", tolerance="10m")) != ref,
      "the comparison tells 10 m rings from 20 m rings (it can fail)")

# --------------------------------------------------------- coverage ----
same(georeach.coverage(sites=SITES, missile=["KN-23", "Iskander-M"]), "rings",
     "--sites", SITES, "--missile", "KN-23,Iskander-M", "--union", what="coverage() (--union)")
nk = os.path.join(DATA, "sites", "north_korea_bases.csv")
same(georeach.coverage(sites=nk, missile="KN-23", count=True), "rings",
     "--sites", nk, "--missile", "KN-23", "--count", what="coverage(count=True)")
same(georeach.coverage(sites=nk, missile="KN-23", count=True, min_count=3), "rings",
     "--sites", nk, "--missile", "KN-23", "--count", "--min-count", "3", what="coverage(min_count=3)")
same(georeach.coverage(from_area="KP", missile="KN-23"), "rings",
     "--from-area", "KP", "--missile", "KN-23", what="coverage(from_area='KP')")

# ------------------------------------------------------ query, basket ----
q = georeach.query(site="Belgorod", missile=["KN-23", "Iskander-M"],
                   target=["Kyiv", "Kharkiv,UA", "Lviv"])
same(q, "query", "--site", "Belgorod", "--missile", "KN-23,Iskander-M", "--target", "Kyiv",
     "--target", "Kharkiv,UA", "--target", "Lviv", what="query(site, missile, target=[...])")
check(any("2 of 3 targets in range" in n for n in q.notes),
      "query's summary is in its notes (%s)" % [n for n in q.notes if "targets in range" in n][:1])
same(georeach.query(site=["Belgorod", "Dzhankoi"], missile="KN-23", model="ballistic",
                    target=["Kharkiv,UA", "Kyiv", "Odesa"], trajectory="depressed", nearest=True,
                    by="time"), "query",
     "--site", "Belgorod", "--site", "Dzhankoi", "--missile", "KN-23", "--model", "ballistic",
     "--target", "Kharkiv,UA", "--target", "Kyiv", "--target", "Odesa", "--trajectory", "depressed",
     "--nearest", "--by", "time", what="query: ballistic, nearest by time")
same(georeach.query(sites=SITES, range="885km", targets="cities", country="UA", in_range=True),
     "query", "--sites", SITES, "--range", "885km", "--targets", "cities", "--country", "UA",
     "--in-range", what="query(targets='cities', country='UA', in_range=True)")
same(georeach.basket(target=["Kyiv", "Lviv"], missile="KN-23", within=["RU", "BY"]), "basket",
     "--target", "Kyiv", "--target", "Lviv", "--missile", "KN-23", "--within", "RU,BY",
     what="basket(target=[...], within=[...])")
same(georeach.basket(target=[(50.45, 30.52), (49.84, 24.02)], range="885km", any=True), "basket",
     "--target", "50.45,30.52", "--target", "49.84,24.02", "--range", "885km", "--any",
     what="basket(any=True)")

# ---------------------------------------------------- missiles, locate ----
p = cli("missiles", "--as", "json")
check(georeach.missiles() == json.loads(p.stdout),
      "missiles() equals `missiles --as json` (%d rows)" % len(json.loads(p.stdout)))
p = cli("missiles", "--origin", "iran", "--class", "SRBM", "--as", "json")
m = georeach.missiles(origin="iran", class_="SRBM")
check(m == json.loads(p.stdout) and 0 < len(m) < 96,
      "missiles(origin='iran', class_='SRBM') equals the command (%d rows)" % len(m))
check(georeach.missiles(origin="iran") != json.loads(p.stdout),
      "and the comparison tells another filter apart")
texts = ["Kharkiv,UA", "37UDB1234567890", "50 36 00N 36 36 00E", "-33.9,18.4", "Label=1,2"]
p = cli("locate", "--", *texts)
got = georeach.locate(*texts)
want = [ln.split(None, 2) for ln in p.stdout.splitlines()]
check(len(got) == len(want) == len(texts) and all(
    "%.9f" % g["lat"] == w[0] and "%.9f" % g["lon"] == w[1] and (g["name"] or None) == (w[2] if len(w) > 2 else None)
    for g, w in zip(got, want)), "locate() gives the command's lines (%s)" % got[:2])
check(georeach.locate((50.6, 36.6))[0] == {"lat": 50.6, "lon": 36.6, "name": None},
      "locate((lat, lon))")

# ------------------------------------------------------ run(), output= ----
args = ["--site", "Belgorod", "--missile", "KN-23", "--target", "Kyiv", "-q"]
check(georeach.run("query", args).text == cli("query", *args).stdout,
      "run('query', [...]).text is the command's table")
check(georeach.run("rings", ["--help"]).text == cli("rings", "--help").stdout
      and georeach.help("rings") == cli("rings", "--help").stdout, "help('rings') is `rings --help`")
r = georeach.rings(sites=SITES, missile="KN-23", output="py.gpkg")
cli("rings", "--sites", SITES, "--missile", "KN-23", "-o", "cli.gpkg", "-q")
a, _, _, names_a = read_features("py.gpkg", "rings")
b, _, _, names_b = read_features("cli.gpkg", "rings")
check(isinstance(r, georeach.Result) and r.path == "py.gpkg" and names_a == names_b and
      [x[0] for x in a] == [x[0] for x in b] and all(x[1].equals_exact(y[1], 0) for x, y in zip(a, b)),
      "rings(output='py.gpkg') writes the GeoPackage the command writes (%d rings, %s)" % (len(a), r.notes))
import sqlite3  # noqa: E402
with sqlite3.connect("py.gpkg") as db:
    styled = db.execute("select count(*) from layer_styles").fetchone()[0]
check(styled >= 1, "with its QGIS styles (%d rows of layer_styles)" % styled)
try:
    georeach.rings(site=(50.6, 36.6), range=885, output="py.gpkg")
    check(False, "an existing output without overwrite is refused")
except georeach.Error as e:
    p = cli("rings", "--site", "50.6,36.6", "--range", "885", "-o", "py.gpkg")
    check(e.exit_code == p.returncode and "georeach: " + e.message == p.stderr.strip(),
          "an existing output is refused as the command refuses it (%s, exit %d)" % (e.message, e.exit_code))
r = georeach.rings(site=(50.6, 36.6), range=885, output="py.gpkg", overwrite=True)
check(len(read_features("py.gpkg", "rings")[0]) == 1, "overwrite=True replaces it")
fs = georeach.rings(site=(50.6, 36.6), range=885, shapely=True)
check(fs[0]["shape"].is_valid and fs[0]["shape"].geom_type == "Polygon" and
      abs(fs[0]["shape"].bounds[3] - 58.55) < 0.01, "shapely=True adds a valid shapely geometry")
check(fs.__geo_interface__["type"] == "FeatureCollection" and len(fs.__geo_interface__["features"]) == 1,
      "Features has a __geo_interface__")

ver = cli("--version").stdout
check("georeach %s " % georeach.version() in ver and "data: %s\n" % georeach.data_dir() in ver,
      "version() and data_dir() are what `georeach --version` says (%s, %s)" % (georeach.version(), georeach.data_dir()))

# ------------------------------------------------------------ errors ----
bad = [
    ("rings", dict(site="91,36.6", range="885km"), ["--site", "91,36.6", "--range", "885km"], georeach.UsageError),
    ("rings", dict(site="Belgorod", missile="Iskandr"), ["--site", "Belgorod", "--missile", "Iskandr"], georeach.UsageError),
    ("rings", dict(site="Belgorod", range="885km", missile="KN-23"), ["--site", "Belgorod", "--range", "885km", "--missile", "KN-23"], georeach.UsageError),
    ("rings", dict(sites="/nonexistent/sites.csv", range="885km"), ["--sites", "/nonexistent/sites.csv", "--range", "885km"], georeach.DataError),
    ("rings", dict(site="50,36", range="-5km"), ["--site", "50,36", "--range", "-5km"], georeach.UsageError),
    ("query", dict(site="Belgorod", range="885km", target="Nowhereville123"), ["--site", "Belgorod", "--range", "885km", "--target", "Nowhereville123"], georeach.UsageError),
    ("basket", dict(target="Kyiv", missile="KN-23", within="ZZ"), ["--target", "Kyiv", "--missile", "KN-23", "--within", "ZZ"], georeach.UsageError),
]
for cmd, kw, argv, cls in bad:
    p = cli(cmd, *argv, "-o", "err.geojson")
    try:
        getattr(georeach, cmd)(**kw)
        check(False, "%s(%s) raises" % (cmd, kw))
    except georeach.Error as e:
        check(isinstance(e, cls) and e.exit_code == p.returncode and p.returncode in (1, 2) and
              "georeach: " + e.message == p.stderr.strip().splitlines()[-1],
              "%s(%s) raises %s (status %s, exit %d) with the command's message: %s" % (
                  cmd, kw, type(e).__name__, e.status.name, p.returncode, e.message))
try:
    georeach.locate("Nowhereville123")
    check(False, "locate of an unknown place raises")
except georeach.UsageError as e:
    check(e.status == georeach.Status.ARG, "locate('Nowhereville123') raises UsageError: %s" % e)
try:
    georeach.rings(site=(50.6, 36.6), rnage="885km")
    check(False, "a misspelt keyword raises TypeError")
except TypeError:
    check(True, "a misspelt keyword raises TypeError")
check(not glob.glob(os.path.join(work, "err.geojson")), "no failed run left an output")

# a GEOREACH_LIBRARY that does not exist is an ImportError naming it
p = subprocess.run([sys.executable, "-c", "import georeach; georeach.version()"],
                   env=dict(os.environ, GEOREACH_LIBRARY="/nonexistent/libgeoreach.so.1",
                            PYTHONPATH=os.path.join(REPO, "python")),
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
check(p.returncode != 0 and "ImportError" in p.stderr and "/nonexistent/libgeoreach.so.1" in p.stderr,
      "GEOREACH_LIBRARY=/nonexistent: ImportError naming it")

# ----------------------------------------------------------- threads ----
import random  # noqa: E402
rnd = random.Random(7)
many = [(rnd.uniform(-60, 60), rnd.uniform(-170, 170)) for _ in range(120)]
jobs = {
    "rings": lambda prog: georeach.rings(sites=many, range="885km", threads=1, progress=prog),
    "coverage": lambda prog: georeach.coverage(sites=many[:60], range="1500km", threads=1, progress=prog),
}
serial = {k: plain(f(None)) for k, f in jobs.items()}
barrier = threading.Barrier(2, timeout=300)
met, results, errors = [], {}, []


def worker(name):
    first = [True]

    def prog(done_, msg):
        if first[0]:  # both calls are inside the library: meet once
            first[0] = False
            try:
                barrier.wait()
                met.append(name)
            except threading.BrokenBarrierError:
                pass
        return True
    try:
        results[name] = plain(jobs[name](prog))
    except Exception as e:  # noqa: BLE001
        errors.append(e)


ts = [threading.Thread(target=worker, args=(k,)) for k in jobs]
for t in ts:
    t.start()
for t in ts:
    t.join()
check(sorted(met) == ["coverage", "rings"],
      "two threads were inside the library at once (both progress callbacks met at a barrier)")
check(not errors and results == serial,
      "and built the same %d rings and %d coverage feature as one after the other%s" % (
          len(serial["rings"]), len(serial["coverage"]), (": %s" % errors) if errors else ""))
# two threads building the same rings (the same code paths at once)
out = [None, None]
ts = [threading.Thread(target=lambda i=i: out.__setitem__(i, plain(georeach.rings(sites=many, missile="KN-23"))))
      for i in range(2)]
for t in ts:
    t.start()
for t in ts:
    t.join()
check(out[0] == out[1] == plain(georeach.rings(sites=many, missile="KN-23")),
      "two threads drawing the same 120 rings agree with a serial run")

# ------------------------------------------------------------ cancel ----
os.makedirs("cancel")
calls = []
for name, fn in [("rings", lambda prog: georeach.rings(sites=many, range="885km", output="cancel/r.gpkg", progress=prog)),
                 ("coverage", lambda prog: georeach.coverage(sites=many, range="885km", output="cancel/c.gpkg", progress=prog)),
                 ("rings to memory", lambda prog: georeach.rings(sites=many, range="885km", progress=prog))]:
    seen = []

    def stop_later(done_, msg):
        seen.append(done_)
        return len(seen) < 2  # go on once, then stop
    try:
        fn(stop_later)
        check(False, "%s: a progress callback returning False stops the run" % name)
    except georeach.Interrupted as e:
        left = os.listdir("cancel")
        check(e.status == georeach.Status.INTERRUPTED and e.exit_code == 130 and len(seen) == 2 and not left,
              "%s: progress returning False at %.2f raises Interrupted (status %s) and leaves nothing (%s)" % (
                  name, seen[-1], e.status.name, left))


def boom(done_, msg):
    raise KeyboardInterrupt


try:
    georeach.rings(sites=many, range="885km", output="cancel/k.gpkg", progress=boom)
    check(False, "an exception in progress stops the run")
except KeyboardInterrupt:
    check(not os.listdir("cancel"), "an exception raised in progress (KeyboardInterrupt) stops the run "
                                    "and is raised again; nothing left")
# the same run without a stop writes the file (the cancel test can fail)
georeach.rings(sites=many, range="885km", output="cancel/r.gpkg", progress=lambda d, m: True)
check(os.listdir("cancel") == ["r.gpkg"], "the same run, not stopped, writes cancel/r.gpkg")

# ------------------------------------------------- docs/python.md ----
# The notebook-style session in docs/python.md, run as a doctest from the
# repository (its paths are data/...): what it shows is what the module prints.
import doctest  # noqa: E402
import io  # noqa: E402
import contextlib  # noqa: E402
os.chdir(REPO)
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    res = doctest.testfile(os.path.join(REPO, "docs", "python.md"), module_relative=False,
                           verbose=False)
check(res.failed == 0 and res.attempted >= 20,
      "docs/python.md: %d examples run, %d failed%s" % (res.attempted, res.failed,
                                                        "\n" + buf.getvalue() if res.failed else ""))

import shutil  # noqa: E402
os.chdir("/")
shutil.rmtree(work, True)
done()
