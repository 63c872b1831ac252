#!/usr/bin/python3
"""Input safety of the readers, end to end through the georeach binary.

usage: /usr/bin/python3 tests/test_input_safety.py PATH/TO/georeach

  * A GeoJSON in EPSG:3857 with x = 1e20 or 1e30 (GDAL looped forever on
    them): refused within a generous bound, naming the feature and the CRS,
    nothing left behind; with --skip-bad the good point is read where
    pyproj puts it.  The same for a territory (--from-area) with such a
    vertex.
  * A FIFO given as --sites with no writer: SIGINT and SIGTERM stop the
    run (not SIGKILL), under a CPU load the test creates; the test waits
    until the process holds the FIFO open (no sleeping).  A FIFO with a
    writer gives the same rings as the file.
  * Names: valid UTF-8 cut at a character boundary (not at byte 127), and
    invalid bytes replaced by U+FFFD, in GeoJSON and GeoPackage; the
    expected names come from Python's own UTF-8 codec.
  * A newline in a path or a cell: one-line messages.
  * Coordinate cells holding "50", a newline and ".5" (or "50 .5",
    "50.5x"): a bad row naming the row and the column.
  * PostgreSQL passwords (keyword, 'quoted', backslash-escaped, URI) never
    appear on stdout or stderr of any command reading or writing an
    unreachable PG: source.
"""
import json
import shutil
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, check, done  # noqa: E402

import pyproj  # noqa: E402

if not BIN:
    print("usage: test_input_safety.py GEOREACH")
    sys.exit(2)

TMP = tempfile.mkdtemp(prefix="georeach-safety-")
HANG_S = 60  # generous: the fixed reader answers in well under a second


def run(args, timeout=HANG_S, **kw):
    """Run georeach; a run past the timeout is killed and reported as hung."""
    try:
        return subprocess.run([BIN] + args, capture_output=True, timeout=timeout, cwd=TMP, **kw)
    except subprocess.TimeoutExpired as e:
        # SIGKILL: the old reader ignored SIGTERM while looping in GDAL
        return subprocess.CompletedProcess(args, -9, e.stdout or b"", b"(hung: killed)")


def leftovers():
    return [n for n in os.listdir(TMP) if n.startswith(".georeach-")]


def one_line(b):
    return b.count(b"\n") == 1 and b.endswith(b"\n")


def write(name, data, mode="w"):
    p = os.path.join(TMP, name)
    with open(p, mode) as f:
        f.write(data)
    return p


def mercator(points):
    feats = [{"type": "Feature", "properties": {"name": n},
              "geometry": {"type": "Point", "coordinates": [x, y]}} for n, x, y in points]
    return json.dumps({"type": "FeatureCollection",
                       "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
                       "features": feats}).replace("1e+20", "1e20")


# ------------------------------------------- projected coordinates (item 8)
to_ll = pyproj.Transformer.from_crs(3857, 4326, always_xy=True)
for x in (1e20, 1e30, -1e300):
    src = write("m%g.geojson" % x, mercator([("good", 4000000.0, 6000000.0), ("bad", x, 5000000.0)]))
    t0 = time.time()
    r = run(["rings", "--sites", src, "--range", "100km", "-o", "m.geojson", "--overwrite"])
    dt = time.time() - t0
    err = r.stderr
    check(r.returncode == 1 and b"feature 2" in err and b"EPSG:3857" in err and one_line(err),
          "x = %g in EPSG:3857: refused in %.2f s naming feature 2 and the CRS (exit %d: %s)"
          % (x, dt, r.returncode, err.strip()[:160].decode(errors="replace")))
    check(not leftovers(), "x = %g: no .georeach-* folder left" % x)
    r = run(["rings", "--sites", src, "--range", "100km", "-o", "m.geojson", "--overwrite",
             "--skip-bad"])
    ok = r.returncode == 0
    if ok:
        feats = json.load(open(os.path.join(TMP, "m.geojson")))["features"]
        lon, lat = to_ll.transform(4000000.0, 6000000.0)
        p = feats[0]["properties"] if feats else {}
        # GeoJSON prints attributes to 10 significant figures at the default
        # tolerance (README): 1e-8 degree here
        ok = (len(feats) == 1 and abs(p.get("site_lat", 0) - lat) < 1e-7
              and abs(p.get("site_lon", 0) - lon) < 1e-7)
    check(ok, "x = %g with --skip-bad: the good point read where pyproj puts it (%s)"
          % (x, r.stderr.strip()[:120].decode(errors="replace")))

poly = json.dumps({"type": "FeatureCollection",
                   "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
                   "features": [{"type": "Feature", "properties": {},
                                 "geometry": {"type": "Polygon", "coordinates": [
                                     [[0, 0], [1e20, 0], [100000, 100000], [0, 0]]]}}]})
src = write("terr.geojson", poly.replace("1e+20", "1e20"))
t0 = time.time()
r = run(["rings", "--from-area", src, "--range", "100km", "-o", "t.geojson", "--overwrite"])
check(r.returncode in (1, 2) and b"FID 0" in r.stderr and one_line(r.stderr),
      "--from-area with a vertex at x = 1e20: refused in %.2f s naming the feature (exit %d: %s)"
      % (time.time() - t0, r.returncode, r.stderr.strip()[:160].decode(errors="replace")))
check(not leftovers(), "--from-area: no .georeach-* folder left")


# ------------------------------------------------------------ FIFOs (item 9)
def burners(n=2):
    """Background CPU load, ours: busy loops until killed."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def holds(pid, path):
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == path:
                    return True
            except OSError:
                pass
    except OSError:
        pass
    return False


for sig in (signal.SIGINT, signal.SIGTERM):
    fifo = os.path.join(TMP, "fifo_%d.csv" % sig)
    os.mkfifo(fifo)
    load = burners()
    try:
        p = subprocess.Popen([BIN, "rings", "--sites", fifo, "--range", "100km", "-o", "f.geojson",
                              "--overwrite"], cwd=TMP, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # ready: the process holds the FIFO open (the old reader blocked in
        # open(), before that); bounded so that a broken reader fails here
        t0 = time.time()
        while not holds(p.pid, fifo) and p.poll() is None and time.time() - t0 < HANG_S:
            time.sleep(0.01)
        ready = holds(p.pid, fifo)
        t0 = time.time()
        p.send_signal(sig)
        try:
            out, err = p.communicate(timeout=10)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            rc = None
        dt = time.time() - t0
    finally:
        for b in load:
            b.kill()
            b.wait()
    check(ready, "%s: the run holds the FIFO open while waiting for a writer" % sig.name)
    check(rc is not None and rc > 0 and b"interrupted" in err and one_line(err),
          "%s stops a run waiting on a FIFO with no writer: exit %s after %.2f s under load "
          "(bound 10 s): %s" % (sig.name, rc, dt, err.strip()[:120].decode(errors="replace")))
    check(not leftovers(), "%s: no .georeach-* folder left" % sig.name)

csv_text = "name,lat,lon\nA,50.6,36.6\nB,-17.7,178.0\nC,78.2,15.6\n"
plain = write("plain.csv", csv_text)
fifo = os.path.join(TMP, "writer.csv")
os.mkfifo(fifo)
writer = subprocess.Popen(["sh", "-c", 'cat "$1" > "$2"', "sh", plain, fifo])
r1 = run(["rings", "--sites", fifo, "--range", "300km", "-o", "fifo.geojson", "--overwrite"])
writer.wait()
r2 = run(["rings", "--sites", plain, "--range", "300km", "-o", "file.geojson", "--overwrite"])
same = False
if r1.returncode == 0 and r2.returncode == 0:
    a = json.load(open(os.path.join(TMP, "fifo.geojson")))["features"]
    b = json.load(open(os.path.join(TMP, "file.geojson")))["features"]
    same = len(a) == 3 and a == b
check(same, "a FIFO with a writer gives the same 3 rings as the file (%s)"
      % r1.stderr.strip()[:120].decode(errors="replace"))


# --------------------------------------------------------- UTF-8 (item 12)
def expected_name(raw):
    """Python's codec replaces ill-formed bytes (maximal subparts); then cut
    to at most 127 bytes without splitting a character."""
    s = raw.decode("utf-8", "replace")
    while len(s.encode()) > 127:
        s = s[:-1]
    return s


raw_names = ["é".encode() * 70, b"a" * 126 + "é".encode(), "日本".encode() * 30,
             b"\xff\xfeabc", b"caf\xc3", b"x\xed\xa0\x80y", b"ok"]
rows = b"name,lat,lon\n" + b"".join(b'"%s",%d,%d\n' % (n, 10 + i, 20 + i)
                                     for i, n in enumerate(raw_names))
src = write("names.csv", rows, "wb")
for fmt in ("geojson", "gpkg"):
    r = run(["rings", "--sites", src, "--range", "50km", "-o", "names." + fmt, "--overwrite"])
    got = []
    if r.returncode == 0 and fmt == "geojson":
        data = open(os.path.join(TMP, "names.geojson"), "rb").read()
        try:
            got = [f["properties"]["site"] for f in json.loads(data.decode("utf-8", "strict"))["features"]]
        except UnicodeDecodeError as e:
            got = ["(not UTF-8: %s)" % e]
    elif r.returncode == 0:
        db = sqlite3.connect(os.path.join(TMP, "names.gpkg"))
        db.text_factory = bytes
        try:
            got = [b.decode("utf-8", "strict") for (b,) in
                   db.execute("SELECT site FROM rings ORDER BY fid")]
        except UnicodeDecodeError as e:
            got = ["(not UTF-8: %s)" % e]
        db.close()
    want = [expected_name(n) for n in raw_names]
    check(got == want, "%s: names valid UTF-8, cut at a character boundary, ill-formed bytes "
          "as U+FFFD (%d of %d as expected%s)"
          % (fmt, sum(g == w for g, w in zip(got, want)), len(want),
             "" if got == want else ": first wrong %r" % next(
                 (g for g, w in zip(got, want) if g != w), got[:1])))

# ------------------------------------------ one-line messages (item 12)
r = run(["rings", "--sites", "no\nsuch.csv", "--range", "1km", "-o", "x.geojson", "--overwrite"])
check(r.returncode == 1 and one_line(r.stderr) and b"no\\nsuch.csv" in r.stderr,
      "a newline in a --sites path: a one-line error (%r)" % r.stderr[:100])
src = write("nl\nname.csv", "name,lat,lon\nx,bad,1\n")
r = run(["rings", "--sites", src, "--range", "1km", "-o", "x.geojson", "--overwrite"])
check(r.returncode == 1 and one_line(r.stderr), "a newline in a path with a bad row: one line (%r)"
      % r.stderr[:120])

# ---------------------------------------------- coordinate cells (item 13)
for cell in ("50\n.5", "50 .5", "50.5x", "50\t36", "50\r"):
    src = write("cell.csv", 'name,lat,lon\nok,10,20\nx,"%s",36\n' % cell)
    r = run(["rings", "--sites", src, "--range", "1km", "-o", "x.geojson", "--overwrite"])
    e = r.stderr
    check(r.returncode == 1 and b"row 2" in e and b"latitude" in e and b"column lat" in e
          and one_line(e), "latitude cell %r: a bad row naming row and column (%r)" % (cell, e[:140]))

# ------------------------------------------------ passwords (item 11)
SECRETS = {
    "keyword": ("PG:host=127.0.0.1 port=1 dbname=d user=u password=Hunter2pw tables=t", "Hunter2pw"),
    "quoted": ("PG:host=127.0.0.1 port=1 dbname=d password='Hun ter2 pw' tables=t", "ter2 pw"),
    "backslash": ("PG:host=127.0.0.1 port=1 dbname=d password=Wrong\\ PW99 tables=t", "PW99"),
    "uri": ("PG:postgresql://u:Sekr3tUri@127.0.0.1:1/d", "Sekr3tUri"),
    "uri-query": ("PG:postgresql://127.0.0.1:1/d?user=u&password=Sekr3tQ", "Sekr3tQ"),
}
for form, (conn, secret) in SECRETS.items():
    cmds = [
        ["rings", "--sites", conn, "--range", "100km", "-o", "x.geojson", "--overwrite"],
        ["rings", "--sites", conn, "--range", "100km", "-o", "x.geojson", "--overwrite",
         "--skip-bad"],
        ["rings", "--sites", conn, "--range", "100km", "--union", "-o", "x.geojson", "--overwrite"],
        ["rings", "--site", "50,36", "--range", "100km", "-o", conn],
        ["rings", "--site", "50,36", "--range", "100km", "--union", "-o", conn],
        ["rings", "--from-area", conn, "--range", "100km", "-o", "x.geojson", "--overwrite"],
        ["query", "--sites", conn, "--range", "100km", "--target", "50,36"],
        ["query", "--site", "50,36", "--range", "100km", "--targets", conn],
        ["query", "--site", "50,36", "--range", "100km", "--target", "50,37", "-o", conn],
        ["basket", "--targets", conn, "--range", "100km", "-o", "b.geojson", "--overwrite"],
        ["basket", "--target", "50,36", "--range", "100km", "-o", conn],
        ["map", "--sites", conn, "--range", "100km", "-o", "m.png", "--overwrite"],
        ["map", "--sites", conn, "--range", "100km", "-o", "m.png", "--overwrite", "--skip-bad"],
    ]
    leaks = []
    for c in cmds:
        r = run(c)
        if secret.encode() in r.stdout + r.stderr:
            leaks.append("%s: %s" % (" ".join(c[:2]), (r.stdout + r.stderr).strip()[:160]))
    check(not leaks, "%s password: never on stdout/stderr of %d commands%s"
          % (form, len(cmds), ": " + leaks[0] if leaks else ""))

shutil.rmtree(TMP, True)
done()
