"""Output safety (issue #13): what the real binary leaves on disk when paths
are long, writes fail, the destination is a device or FIFO, a shapefile's
sidecars exist, two runs race, the reader of standard output goes away, a
run is killed, or a map does not fit in memory.  Everything is judged from
the file system (stat, listings, contents read back through OGR), not from
georeach's own messages.

usage: test_output_safety.py GEOREACH"""
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, check, done  # noqa: E402

from osgeo import ogr  # noqa: E402

ogr.UseExceptions()
RING = ["--site", "50.6,36.6", "--range", "885km"]
TMP = tempfile.mkdtemp(prefix="georeach-safety-")
PRIVATE_TMP = os.path.join(TMP, "tmpdir")  # the runs' $TMPDIR
os.mkdir(PRIVATE_TMP)
ENV = dict(os.environ, TMPDIR=PRIVATE_TMP)


def run(args, cwd=None, limits=None, stdout=subprocess.PIPE, timeout=600):
    def pre():
        if limits:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # as a shell's trap ''
            for what, value in limits:
                resource.setrlimit(what, (value, value))
    return subprocess.run([BIN] + args, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE,
                          env=ENV, preexec_fn=pre, timeout=timeout)


def staging(folder):
    return sorted(n for n in os.listdir(folder) if n.startswith((".georeach-", "georeach-")))


def features(path):
    ds = ogr.Open(path)
    return ds.GetLayer(0).GetFeatureCount() if ds else -1


def folder(name):
    d = os.path.join(TMP, name)
    os.mkdir(d)
    return d


def sites_file(d, n):
    p = os.path.join(d, "sites.csv")
    with open(p, "w") as f:
        f.write("name,lat,lon\n")
        for i in range(n):
            f.write("s%d,%.3f,%.3f\n" % (i, -60 + (i * 7.31) % 120, -180 + (i * 37.7) % 360))
    return p


def wait_for(pred, proc, what):
    """Wait (readiness, not a sleep) until pred() or the process ended."""
    while not pred():
        if proc.poll() is not None:
            return False
        time.sleep(0.002)
    return True


# 1. long paths: where they say, or refused; never the current folder
def long_paths():
    d = folder("long")
    cwd = folder("cwd")
    with open(os.path.join(cwd, "out.geojson"), "w") as f:
        f.write("SENTINEL")
    root_before = set(n for n in os.listdir("/") if n.startswith(".georeach"))
    deep = d
    while len(deep) < 2300:
        deep = os.path.join(deep, "d" * 200)
    os.makedirs(deep)
    target = os.path.join(deep, "out.geojson")
    r = run(["rings"] + RING + ["-o", target], cwd=cwd)
    check(r.returncode == 0, "long_path_%d: exit 0 (got %d: %s)" % (len(target), r.returncode,
                                                                   r.stderr.decode()[:200]))
    check(os.path.exists(target) and features(target) == 1,
          "long_path_%d: the ring is where the path says" % len(target))
    check(open(os.path.join(cwd, "out.geojson"), "rb").read() == b"SENTINEL",
          "long_path: the file of that name in the current folder is untouched")
    root_after = set(n for n in os.listdir("/") if n.startswith(".georeach"))
    check(root_after <= root_before, "long_path: nothing staged in / (%s)" % (root_after - root_before))
    # past PATH_MAX: made one folder at a time through descriptors
    fd = os.open(deep, os.O_RDONLY)
    plen = len(deep)
    while plen < 5000:
        os.mkdir("e" * 200, dir_fd=fd)
        nfd = os.open("e" * 200, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
        plen += 201
    target = deep + ("/" + "e" * 200) * ((plen - len(deep)) // 201) + "/out.geojson"
    r = run(["rings"] + RING + ["-o", target], cwd=cwd)
    try:
        st = os.stat("out.geojson", dir_fd=fd)
        there = st.st_size > 0
    except OSError:
        there = False
    os.close(fd)
    check((r.returncode == 0 and there) or (r.returncode == 1 and not there),
          "long_path_%d: written where it says or refused (exit %d, there %s: %s)"
          % (len(target), r.returncode, there, r.stderr.decode()[:120]))
    check(open(os.path.join(cwd, "out.geojson"), "rb").read() == b"SENTINEL" and staging(cwd) == [],
          "long_path_%d: current folder untouched" % len(target))


# 2. write failures other than a full disk: nothing replaces the old file
def write_errors():
    d = folder("efbig")
    for ext in ("geojson", "kml", "csv", "fgb", "gpkg", "shp"):
        p = os.path.join(d, "r." + ext)
        if ext != "shp":
            with open(p, "w") as f:
                f.write("OLD")
        r = run(["rings", "--site", "50.6,36.6", "--rings", "300km,600km,885km", "--tol", "1",
                 "-o", p, "--overwrite"], limits=[(resource.RLIMIT_FSIZE, 20000)])
        err = r.stderr.decode()
        check(r.returncode == 1 and "too large" in err.lower(),
              "efbig.%s: exit 1 naming the reason (exit %d: %s)" % (ext, r.returncode, err[:160]))
        if ext != "shp":
            check(open(p, "rb").read() == b"OLD", "efbig.%s: the old file is untouched" % ext)
        else:
            check(not any(n.startswith("r.") and n[2:] in ("shp", "shx", "dbf") for n in os.listdir(d)),
                  "efbig.shp: no shapefile left")
        check(staging(d) == [], "efbig.%s: no staging left %s" % (ext, staging(d)))
    out = os.path.join(d, "stdout.json")
    with open(out, "wb") as f:
        r = run(["rings", "--site", "50.6,36.6", "--rings", "300km,600km,885km", "--tol", "1",
                 "-o", "-"], limits=[(resource.RLIMIT_FSIZE, 20000)], stdout=f)
    check(r.returncode == 1 and os.path.getsize(out) == 0,
          "efbig.stdout: exit 1, nothing on standard output (exit %d, %d bytes)"
          % (r.returncode, os.path.getsize(out)))
    check(staging(PRIVATE_TMP) == [], "efbig.stdout: nothing left in $TMPDIR")


# 3. devices and FIFOs are written through, never replaced
def reader(path, sink):
    def go():
        with open(path, "rb") as f:
            sink.append(f.read())
    t = threading.Thread(target=go)
    t.start()
    return t


def devices():
    d = folder("fifo")
    safe = True
    for cmd, name, extra, probe in (
            ("rings", "p.geojson", RING, lambda b: json.loads(b)["type"] == "FeatureCollection"),
            ("query", "q.csv", ["--site", "50.6,36.6", "--range", "885km", "--target", "55.75,37.62"],
             lambda b: b.count(b"\n") >= 2),
            ("map", "m.png", RING + ["--width", "300", "--height", "300"],
             lambda b: b[:8] == b"\x89PNG\r\n\x1a\n")):
        p = os.path.join(d, name)
        os.mkfifo(p)
        keep = p + ".keep"  # the FIFO itself, should the name be replaced
        os.link(p, keep)
        for ow in (["--overwrite"], []):
            got = []
            t = reader(p, got)
            r = run([cmd] + extra + ["-o", p] + ow)
            t.join(0.001)
            if t.is_alive():  # nothing came through: release the reader
                try:
                    os.close(os.open(keep, os.O_WRONLY | os.O_NONBLOCK))
                except OSError:
                    pass
            t.join()
            fifo = stat.S_ISFIFO(os.stat(p).st_mode)
            safe = safe and fifo
            check(r.returncode == 0 and fifo, "fifo.%s%s: exit 0 and still a FIFO (exit %d, fifo %s: %s)"
                  % (cmd, ow and ".overwrite" or "", r.returncode, fifo, r.stderr.decode()[:120]))
            ok = False
            try:
                ok = bool(got and probe(got[0]))
            except ValueError:
                pass
            check(ok, "fifo.%s%s: the reader got the output (%d bytes)"
                  % (cmd, ow and ".overwrite" or "", len(got[0]) if got else 0))
        check(staging(d) == [] and staging(PRIVATE_TMP) == [], "fifo.%s: nothing left" % cmd)
        os.unlink(keep)
    # /dev/null, without --overwrite only (never risk the real one), and
    # /dev/stdout only once FIFOs are known to survive
    null_before = os.stat("/dev/null")
    r = run(["rings"] + RING + ["-o", "/dev/null", "--format", "GeoJSON"])
    null_after = os.stat("/dev/null")
    check(r.returncode == 0, "dev_null: exit 0 (%d: %s)" % (r.returncode, r.stderr.decode()[:120]))
    check(stat.S_ISCHR(null_after.st_mode) and null_after.st_rdev == null_before.st_rdev,
          "dev_null: still the character device")
    if safe:
        link_before = os.readlink("/dev/stdout") if os.path.islink("/dev/stdout") else None
        r = run(["rings"] + RING + ["-o", "/dev/stdout", "--format", "GeoJSON", "--overwrite"])
        link_after = os.readlink("/dev/stdout") if os.path.islink("/dev/stdout") else None
        ok = False
        try:
            ok = json.loads(r.stdout)["type"] == "FeatureCollection"
        except ValueError:
            pass
        check(r.returncode == 0 and ok, "dev_stdout: the GeoJSON came out on standard output (exit %d)"
              % r.returncode)
        check(link_after == link_before, "dev_stdout: /dev/stdout untouched (%s -> %s)"
              % (link_before, link_after))
    else:
        check(False, "dev_stdout: not tried (FIFOs were replaced: /dev/stdout would be too)")


# 4. a shapefile's sidecars are one output with it
def sidecars():
    d = folder("shp")
    p = os.path.join(d, "x.shp")
    with open(os.path.join(d, "x.dbf"), "w") as f:
        f.write("OLD DBF")
    r = run(["rings"] + RING + ["-o", p])
    check(r.returncode == 1, "sidecar.exists: refused without --overwrite (exit %d)" % r.returncode)
    check(open(os.path.join(d, "x.dbf"), "rb").read() == b"OLD DBF" and not os.path.exists(p),
          "sidecar.exists: the old .dbf untouched, no .shp")
    check(staging(d) == [], "sidecar.exists: no staging left")
    for junk in ("x.qix", "x.sbn", "x.sbx", "x.shp.xml", "x.CPG"):
        with open(os.path.join(d, junk), "w") as f:
            f.write("STALE")
    r = run(["rings"] + RING + ["-o", p, "--overwrite"])
    left = sorted(os.listdir(d))
    check(r.returncode == 0 and features(p) == 1, "sidecar.overwrite: new shapefile reads back")
    check(not any(n in left for n in ("x.qix", "x.sbn", "x.sbx", "x.shp.xml", "x.CPG")),
          "sidecar.overwrite: no stale sidecar left (%s)" % left)
    g = os.path.join(d, "g.gpkg")
    with open(g + "-wal", "w") as f:
        f.write("STALE WAL")
    r = run(["rings"] + RING + ["-o", g])
    check(r.returncode == 1 and not os.path.exists(g), "sidecar.gpkg_wal: refused without --overwrite")
    r = run(["rings"] + RING + ["-o", g, "--overwrite"])
    check(r.returncode == 0 and not os.path.exists(g + "-wal") and features(g) == 1,
          "sidecar.gpkg_wal: stale -wal removed, new GeoPackage reads back")


# 5. two runs racing for one name: exactly one wins
def race():
    d = folder("race")
    sites = sites_file(d, 60)
    out = os.path.join(d, "r.geojson")
    args = [BIN, "rings", "--sites", sites, "--range", "885km", "--tol", "1", "-o", out, "-q"]
    a = subprocess.Popen(args, stderr=subprocess.PIPE, env=ENV)
    # A has passed its existence check once its staging folder exists
    if not wait_for(lambda: staging(d), a, "a"):
        check(False, "race: run A ended before it could be paused")
        return
    os.kill(a.pid, signal.SIGSTOP)
    b = subprocess.run(args, stderr=subprocess.PIPE, env=ENV)
    os.kill(a.pid, signal.SIGCONT)
    a_err = a.communicate()[1].decode()
    rcs = sorted([a.returncode, b.returncode])
    check(rcs == [0, 1], "race: one run exits 0, the other 1 (A %d, B %d: %s)"
          % (a.returncode, b.returncode, a_err[:160]))
    check(b.returncode == 0 and features(out) == 60, "race: the first to finish is the one kept")
    check(staging(d) == [], "race: no staging left")


# 6. a closed standard output, and runs killed with -9
def closed_pipe():
    p = subprocess.Popen([BIN, "rings", "--site", "50.6,36.6", "--rings", "300km,600km,885km,1200km",
                          "--tol", "0.5", "-o", "-"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=ENV)
    head = p.stdout.read(100)
    p.stdout.close()
    err = p.communicate()[1].decode()
    check(len(head) == 100, "closed_pipe: the reader got its 100 bytes")
    check(staging(PRIVATE_TMP) == [], "closed_pipe: nothing left in $TMPDIR (%s; exit %d)"
          % (staging(PRIVATE_TMP), p.returncode))
    check(p.returncode in (0, 1, 141) or p.returncode == -signal.SIGPIPE,
          "closed_pipe: ended (exit %d: %s)" % (p.returncode, err[:120]))


def killed():
    d = folder("killed")
    sites = sites_file(d, 60)
    for dest, where in ((os.path.join(d, "k.geojson"), d), ("-", PRIVATE_TMP)):
        k = subprocess.Popen([BIN, "rings", "--sites", sites, "--range", "885km", "--tol", "1",
                              "-o", dest, "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env=ENV)
        if not wait_for(lambda: staging(where), k, "k"):
            check(False, "killed.%s: run ended before it could be killed" % dest)
            continue
        k.kill()
        k.wait()
        left = staging(where)
        check(len(left) == 1, "killed.%s: kill -9 leaves its staging entry (%s)" % (dest, left))
        live = os.path.join(where, ".georeach-%d-0badf00d" % os.getpid())
        os.mkdir(live)
        r = run(["rings"] + RING + ["-o", os.path.join(d, "after.geojson") if dest != "-" else "-",
                                    "--overwrite"])
        check(r.returncode == 0, "killed.%s: the next run succeeds" % dest)
        check(not any(n in staging(where) for n in left),
              "killed.%s: the next run in that folder removed it (%s)" % (dest, staging(where)))
        check(os.path.isdir(live), "killed.%s: a live process's staging entry is kept" % dest)
        os.rmdir(live)


# 10/13. map: out of memory is a clean error; long names work
def map_memory():
    # AddressSanitizer reserves terabytes of shadow memory: it cannot start
    # under ulimit -v at all, so the sanitizer build leaves this to the other
    if "libasan" in subprocess.run(["ldd", BIN], capture_output=True, text=True).stdout:
        print("skip map_oom: a sanitizer build cannot run under ulimit -v")
        return
    d = folder("mapmem")
    crashed, outcomes = [], {}
    # 800 MB: the raster (256 MB), the libraries, and Pango's fonts and thread.
    # Not in between: there the raster fits but Pango's font-sorting thread
    # may not, and GLib aborts the process (a known gap, in the README)
    for kb in list(range(415000, 447500, 2500)) + [800000]:
        out = os.path.join(d, "m%d.png" % kb)
        r = run(["map"] + RING + ["--width", "8000", "--height", "8000", "-o", out, "-q"],
                limits=[(resource.RLIMIT_AS, kb * 1024)])
        outcomes[kb] = r.returncode
        lines = [ln for ln in r.stderr.decode().splitlines() if ln.strip()]
        if r.returncode < 0 or r.returncode > 1 or (r.returncode == 1 and len(lines) != 1):
            crashed.append((kb, r.returncode, lines[:2]))
        if r.returncode != 0 and os.path.exists(out):
            crashed.append((kb, "left " + out))
    check(not crashed, "map_oom: every run under ulimit -v exits 0 or 1 with one line (%s)" % crashed)
    check(staging(d) == [] and all(n.endswith(".png") for n in os.listdir(d)),
          "map_oom: nothing but finished pictures left (%s)" % sorted(os.listdir(d))[:5])
    check(outcomes[800000] == 0, "map_oom: 8000x8000 with 800 MB of address space is drawn")
    name = "n" * 240 + ".png"
    r = run(["map"] + RING + ["--width", "200", "--height", "200", "-o", os.path.join(d, name)])
    check(r.returncode == 0 and os.path.exists(os.path.join(d, name)),
          "map_long_name: a %d-byte file name is written (exit %d: %s)"
          % (len(name), r.returncode, r.stderr.decode()[:120]))


# 14. the GeoJSON's rounding is counted in err_m (an upper bound of the
# true error of what is written), and stays within 1e-3 of the tolerance:
# coordinates printed to the decimals it needs (7 at 10 m, 8 at 1 m, 9 at
# 0.1 m), no more
def rounding():
    import json
    import math
    import re
    for tol, decimals in (("10", 7), ("1", 8), ("0.1", 9)):
        d = folder("round" + tol)
        g, j = os.path.join(d, "r.gpkg"), os.path.join(d, "r.geojson")
        for p in (g, j):
            run(["rings", "--site", "50.6,36.6", "--range", "885km", "--tol", tol, "-o", p])
        dg, dj = ogr.Open(g), ogr.Open(j)  # kept open while their features are read
        fg = dg.GetLayer(0).GetNextFeature()
        fj = dj.GetLayer(0).GetNextFeature()
        added = fj.GetField("err_m") - fg.GetField("err_m")

        def ring(f):
            m = ogr.ForceToMultiPolygon(f.GetGeometryRef().Clone())
            return m.GetGeometryRef(0).GetGeometryRef(0).GetPoints()
        pg, pj = ring(fg), ring(fj)
        worst = max(math.hypot((a[0] - b[0]) * 111320 * math.cos(math.radians(a[1])),
                               (a[1] - b[1]) * 111700) for a, b in zip(pg, pj)) if len(pg) == len(pj) else 1e9
        check(len(pg) == len(pj) and 0 <= worst <= added,
              "rounding --tol %s: GeoJSON vertices within the err_m it adds (worst %.3g m, added %.3g m)"
              % (tol, worst, added))
        check(0 < added <= 1e-3 * float(tol),
              "rounding --tol %s: the rounding bound is within 1e-3 of the tolerance (%.3g m)"
              % (tol, added))
        # the digits printed: d + 3 significant figures, so the longitudes
        # here (36-48 E, two integer digits) have d + 1 decimals at most, and
        # some have exactly that (not fewer than the rounding claims)
        with open(j) as fh:
            doc = json.load(fh)
        text = json.dumps(doc["features"][0]["geometry"]["coordinates"])
        most = max(len(m) for m in re.findall(r"\[\d+\.(\d+),", text.replace("[ ", "[")))
        check(most == decimals + 1,
              "rounding --tol %s: longitudes of two digits printed with up to %d decimals (got %d)"
              % (tol, decimals + 1, most))


# every format leaves exactly its own files (no temporary file moved in)
def only_outputs():
    # a one-layer format gets its outline as the sibling r_outline.EXT, and
    # every file format but GeoPackage and KML its .qml styles beside it
    def with_outline(*exts):
        return sorted(["r" + e for e in exts] + ["r_outline" + e for e in exts])
    want = {"geojson": with_outline(".geojson", ".qml"), "gpkg": ["r.gpkg"], "kml": ["r.kml"],
            "kmz": ["r.kmz"], "fgb": with_outline(".fgb", ".qml"),
            "csv": with_outline(".csv", ".csvt", ".prj", ".qml"), "gml": ["r.gml", "r.qml", "r.xsd"],
            "shp": with_outline(".cpg", ".dbf", ".prj", ".qml", ".shp", ".shx")}
    for ext, files in want.items():
        d = folder("only_" + ext)
        r = run(["rings"] + RING + ["-o", os.path.join(d, "r." + ext)])
        got = sorted(os.listdir(d))
        check(r.returncode == 0 and got == files, "only_outputs.%s: %s" % (ext, got))
    # 250-byte names: the staging names are short whatever the name
    d = folder("long_names")
    for ext in ("kml", "geojson", "gpkg"):
        name = "n" * (250 - len(ext) - 1) + "." + ext
        r = run(["rings"] + RING + ["-o", os.path.join(d, name)])
        check(r.returncode == 0 and os.path.exists(os.path.join(d, name)) and staging(d) == [],
              "long_name.%s: a %d-byte name is written (exit %d: %s)"
              % (ext, len(name), r.returncode, r.stderr.decode()[-120:]))


try:
    for t in (only_outputs, rounding, long_paths, write_errors, devices, sidecars, race, closed_pipe, killed, map_memory):
        try:
            t()
        except Exception as e:  # one part's surprise must not hide the others
            check(False, "%s: raised %s: %s" % (t.__name__, type(e).__name__, e))
finally:
    shutil.rmtree(TMP, ignore_errors=True)
done()
