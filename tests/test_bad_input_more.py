#!/usr/bin/python3
"""More bad input and faults, beyond e2e/test_cli_errors.py: a full disk (a
64 KiB tmpfs, every output format), a huge line, a sites layer of polygons,
some bad rows with and without --skip-bad, a raster driver as --format,
sector syntax.  Each: exit code, one stderr line naming the culprit, nothing
left behind.  usage: test_bad_input_more.py GEOREACH"""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, check, done  # noqa: E402



def expect(args, code, word, cwd, leftover_dir=None):
    r = subprocess.run([BIN] + args, capture_output=True, text=True, cwd=cwd)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    ok = r.returncode == code and len(lines) == 1 and word.lower() in r.stderr.lower()
    check(ok, "%s -> exit %d (want %d), one line naming '%s': %s" %
          (" ".join(args)[:90], r.returncode, code, word, r.stderr.strip()[:200]))
    d = leftover_dir or cwd
    left = [f for f in os.listdir(d) if f.startswith(".georeach") or f.startswith("out")]
    check(not left, "nothing left in %s: %s" % (d, left))


with tempfile.TemporaryDirectory() as d:
    # full disk, every format
    tiny = os.path.join(d, "tiny")
    os.mkdir(tiny)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", tiny],
                             capture_output=True).returncode == 0
    if mounted:
        try:
            for ext in ["geojson", "gpkg", "shp", "fgb", "kml", "csv"]:
                expect(["rings", "--site", "1,1", "--rings", "100,200,300,400,500,600,700,800,900,1000",
                        "--tolerance", "1m", "-o", os.path.join(tiny, "out." + ext)], 1, "out." + ext, d,
                       leftover_dir=tiny)
                check(os.listdir(tiny) == [], "tmpfs empty after the %s failure: %s" % (ext, os.listdir(tiny)))
        finally:
            subprocess.run(["umount", tiny])
    else:
        print("note: cannot mount a tmpfs here (not root?): the full-disk cases were not run")
    # a huge line in a sites CSV
    huge = os.path.join(d, "huge.csv")
    with open(huge, "w") as f:
        f.write("name,lat,lon\nA,50,36\nB," + "9" * 2000000 + ",10\n")
    expect(["rings", "--sites", huge, "--range", "5", "-o", "out.geojson"], 1, "row 2", d)
    # a polygon layer as sites
    poly = os.path.join(d, "poly.geojson")
    with open(poly, "w") as f:
        f.write('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
                '"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}')
    expect(["rings", "--sites", poly, "--range", "5", "-o", "out.geojson"], 1, "not points", d)
    # a mixed layer: points and one polygon
    mixed = os.path.join(d, "mixed.geojson")
    with open(mixed, "w") as f:
        f.write('{"type":"FeatureCollection","features":['
                '{"type":"Feature","properties":{"name":"a"},"geometry":{"type":"Point","coordinates":[36,50]}},'
                '{"type":"Feature","properties":{"name":"b"},"geometry":{"type":"Polygon",'
                '"coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}')
    expect(["rings", "--sites", mixed, "--range", "5", "-o", "out.geojson"], 1, "feature 2", d)
    # some bad rows: named without --skip-bad, counted with it
    bad = os.path.join(d, "bad.csv")
    with open(bad, "w") as f:
        f.write("name,lat,lon\nA,50,36\nB,abc,10\nC,51,37\nD,95,10\n")
    expect(["rings", "--sites", bad, "--range", "5", "-o", "out.geojson"], 1, "row 2", d)
    r = subprocess.run([BIN, "rings", "--sites", bad, "--skip-bad", "--range", "5", "-o", "ok.geojson"],
                       capture_output=True, text=True, cwd=d)
    check(r.returncode == 0 and "skipped 2 bad rows" in r.stderr,
          "--skip-bad goes on and counts 2 rows: %s" % r.stderr.strip())
    from osgeo import ogr
    ds = ogr.Open(os.path.join(d, "ok.geojson"))
    check(ds is not None and ds.GetLayer(0).GetFeatureCount() == 2, "two rings written with --skip-bad")
    ds = None
    os.remove(os.path.join(d, "ok.geojson"))
    # formats GDAL cannot write as vectors
    expect(["rings", "--site", "1,1", "--range", "5", "-o", "out.tif", "--format", "GTiff"], 2, "GTiff", d)
    expect(["rings", "--site", "1,1", "--range", "5", "-o", "out.xyz", "--format", "NoSuchDriver"], 2,
           "NoSuchDriver", d)
    # sector syntax
    for az in ["10:10", "a:b", "10", ":", "10:1e999", "1000:10"]:
        expect(["rings", "--site", "1,1", "--range", "5", "--azimuth", az, "-o", "out.geojson"], 2, "azimuth", d)
    # output path is an existing directory name without extension
    expect(["rings", "--site", "1,1", "--range", "5", "-o", d], 2, d, d)

# kill test: a long run with --overwrite, interrupted, leaves the old file as
# it was and no temporary behind
import hashlib
import random
import signal
import time
with tempfile.TemporaryDirectory() as d:
    sites = os.path.join(d, "sites.csv")
    rnd = random.Random(3)
    with open(sites, "w") as f:
        f.write("name,lat,lon\n")
        for i in range(20000):
            f.write("s%d,%.5f,%.5f\n" % (i, rnd.uniform(-60, 60), rnd.uniform(-180, 180)))
    old = os.path.join(d, "old.gpkg")
    subprocess.run([BIN, "rings", "--site", "1,1", "--range", "5", "-o", old, "-q"], check=True)
    digest = hashlib.sha256(open(old, "rb").read()).hexdigest()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        p = subprocess.Popen([BIN, "rings", "--sites", sites, "--range", "885km", "-o", old, "--overwrite",
                              "--progress"], stderr=subprocess.PIPE, text=True)
        first = p.stderr.read(1)  # the first progress mark: the run has begun
        t0 = time.time()
        p.send_signal(sig)
        err = first + p.communicate()[1]
        took = time.time() - t0
        check(p.returncode == 130 and "interrupted" in err,
              "%s: exit %d, '%s'" % (sig.name, p.returncode, err.strip()))
        check(hashlib.sha256(open(old, "rb").read()).hexdigest() == digest, "%s: old file untouched" % sig.name)
        left = [f for f in os.listdir(d) if f.startswith(".georeach")]
        check(not left, "%s: no temporary left: %s" % (sig.name, left))
        print("     (stopped %.2f s after the signal)" % took)

done()
