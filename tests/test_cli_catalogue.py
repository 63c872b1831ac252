#!/usr/bin/python3
"""The catalogue and place names through the command line: the issue's own
example (georeach rings --missile KN-23 --site Pyongyang -o kn23.gpkg), several
missiles with --band, 'georeach missiles' in its three formats, and the errors
(unknown missile with suggestions, unknown place, strict ambiguity).
usage: test_cli_catalogue.py GEOREACH"""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

from osgeo import ogr

fails = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        fails.append(what)


def run(*args):
    return subprocess.run([BIN] + list(args), capture_output=True, text=True)


BIN = sys.argv[1]
with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "kn23.gpkg")
    r = run("rings", "--missile", "KN-23", "--site", "Pyongyang", "-o", out)
    check(r.returncode == 0, "rings --missile KN-23 --site Pyongyang exits 0 (%s)" % r.stderr.strip())
    check("Pyongyang,KP" in r.stderr, "stderr says which Pyongyang was used")
    ds = ogr.Open(out)  # keep the dataset alive while its layer is used
    f = ds.GetLayer(0).GetNextFeature()
    check(f.GetField("missile") == "KN-23" and f.GetField("range_km") == 885,
          "missile=KN-23, range_km=885 (%s, %s)" % (f.GetField("missile"), f.GetField("range_km")))
    check(f.GetField("site") == "Pyongyang", "site name from the gazetteer")

    out2 = os.path.join(d, "many.geojson")
    r = run("rings", "--missile", "kn23,Iskander-M,fateh 110", "--band", "--site", "Belgorod",
            "--site", "Crimea=45.7,34.4", "-o", out2, "-q")
    check(r.returncode == 0, "several missiles with --band (%s)" % r.stderr.strip())
    ds2 = ogr.Open(out2)
    feats = [(f.GetField("site"), f.GetField("missile"), f.GetField("band"), f.GetField("range_km"),
              f.GetField("min_km")) for f in ds2.GetLayer(0)]
    kn = [x for x in feats if x[0] == "Belgorod" and x[1] == "KN-23"]
    check(sorted(x[2] for x in kn) == ["low", "nominal"] and {x[3] for x in kn} == {885, 690},
          "KN-23 nominal 885 and low 690 km: %s" % kn)
    isk = [x for x in feats if x[1] == "Iskander-M"]
    check(len(isk) == 2 and all(x[4] == 50 for x in isk), "Iskander-M keeps its 50 km minimum: %s" % isk)
    check(len({x[0] for x in feats}) == 2, "both sites")

    r = run("missiles", "--as", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    check(r.returncode == 0 and len(rows) >= 40, "missiles --as csv: %d rows" % len(rows))
    r = run("missiles", "--as", "json", "--origin", "north korea")
    js = json.loads(r.stdout)
    check(all(m["origin"] == "North Korea" for m in js) and any(m["name"] == "KN-23" for m in js),
          "missiles --as json --origin 'north korea': %d rows" % len(js))
    # the old spelling still works, with one note on stderr
    r = run("missiles", "--format", "csv")
    check(r.returncode == 0 and r.stdout.startswith("name,aliases,") and "--as csv" in r.stderr,
          "missiles --format csv (deprecated): csv, and a note naming --as: %s" % r.stderr.strip())
    r = run("missiles", "--class", "ICBM")
    check(r.returncode == 0 and "Hwasong-15" in r.stdout and "KN-23" not in r.stdout,
          "missiles --class ICBM table")

    for args, code, word in [
        (["rings", "--missile", "KN-32", "--site", "50,36", "-o", os.path.join(d, "x.geojson")], 2, "KN-23"),
        (["rings", "--missile", "Iskandr", "--site", "50,36", "-o", os.path.join(d, "x.geojson")], 2, "Iskander-M"),
        (["rings", "--range", "5", "--site", "Pyongyng", "-o", os.path.join(d, "x.geojson")], 2, "Pyongyang"),
        (["rings", "--range", "5", "--site", "Springfield", "--strict", "-o", os.path.join(d, "x.geojson")], 2, "Springfield"),
        (["rings", "--range", "5", "--band", "--site", "50,36", "-o", os.path.join(d, "x.geojson")], 2, "--band"),
        (["missiles", "--format", "xml"], 2, "xml"),
        (["missiles", "--as", "xml"], 2, "xml"),
        (["missiles", "--origin", "atlantis"], 1, "atlantis"),
        (["rings", "--missile", "KN-23", "--catalogue", os.path.join(d, "none.csv"), "--site", "50,36",
          "-o", os.path.join(d, "x.geojson")], 1, "none.csv"),
    ]:
        r = run(*args)
        lines = [l for l in r.stderr.splitlines() if l.strip()]
        check(r.returncode == code and len(lines) == 1 and word.lower() in r.stderr.lower(),
              "%s: exit %d (want %d), one line naming %s: %s" % (" ".join(args[:3]), r.returncode, code, word,
                                                                r.stderr.strip()))
    check(not os.path.exists(os.path.join(d, "x.geojson")), "no output left by the errors")

print("%d failed: %s" % (len(fails), "; ".join(fails)) if fails else "all checks passed")
sys.exit(1 if fails else 0)
