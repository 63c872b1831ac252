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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, done  # noqa: E402


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

    # issue #21: names resolved like places, bands with a source per figure
    r = run("missiles", "--format", "csv")
    rows = {m["name"]: m for m in csv.DictReader(io.StringIO(r.stdout))}
    new = ["DF-21D", "Hwasong-16B", "Hwasong-19", "Hwasal-1", "Hwasal-2", "PrSM", "Agni-V",
           "Fath-360", "Qiam-1", "Qassem Basir", "Kh-22", "Kh-32", "Kh-55", "Kh-555", "Kh-59",
           "Kh-69", "9M729", "P-800 Oniks", "Tomahawk", "JASSM", "JASSM-ER", "BrahMos",
           "Shaheen-III", "Ababeel", "RS-24 Yars", "RS-28 Sarmat", "Avangard", "Jericho II",
           "Blue Sparrow", "Air LORA", "Burkan-3", "Toufan", "Palestine-2", "Iskander-E",
           "Iskander-K", "9K79 Tochka"]
    missing = [n for n in new if n not in rows or not rows[n]["source"] or not rows[n]["range_kind"]]
    check(not missing, "missiles --format csv lists the new rows with kind and source (missing: %s)" % missing)
    ab = rows.get("Abdali", {})
    check(ab.get("range_km") == "450" and ab.get("range_low_km") == "180" and "ISPR" in ab.get("low_source", "")
          and ab.get("range_kind") == "official", "Abdali: 450 official, low 180 with its ISPR source: %s" % ab)
    check(rows.get("Hwasong-19", {}).get("range_km") == "" and rows["Hwasong-19"]["range_kind"] == "none",
          "Hwasong-19: no range, kind none")
    check(rows.get("Palestine-2", {}).get("range_kind") == "press claim", "Palestine-2 is a press claim")
    js = json.loads(run("missiles", "--format", "json", "--origin", "pakistan").stdout)
    fi = [m for m in js if m["name"] == "Fatah-I"]
    check(fi and fi[0]["range_high_km"] == 140 and fi[0]["shared_names"] == ["*Fatah", "*Fatah-1"]
          and fi[0]["high_kind"] == "official", "json: Fatah-I band and shared names: %s" % fi)
    r = run("missiles", "--class", "cruise")
    check(r.returncode == 0 and "KIND" in r.stdout and "Kh-101" in r.stdout, "table shows the kind")

    def layer(path):
        ds = ogr.Open(path)
        return [(f.GetField("missile"), f.GetField("band"), f.GetField("range_km")) for f in ds.GetLayer(0)]

    out3 = os.path.join(d, "hatf.geojson")
    r = run("rings", "--missile", "Hatf-2", "--site", "33.6,73.0", "-o", out3)
    check(r.returncode == 0 and layer(out3) == [("Abdali", "nominal", 450)] and "names" not in r.stderr,
          "--missile Hatf-2: the nominal 450 km, no ambiguity (%s; %s)" % (layer(out3), r.stderr.strip()))
    r = run("rings", "--missile", "Hatf-2", "--band", "--site", "33.6,73.0", "-o", out3, "--overwrite")
    check(r.returncode == 0 and sorted(layer(out3)) == [("Abdali", "low", 180), ("Abdali", "nominal", 450)],
          "--missile Hatf-2 --band adds the 180 km low figure: %s" % layer(out3))
    out5 = os.path.join(d, "kinds.gpkg")
    r = run("rings", "--missile", "Kh-101,Palestine-2", "--band", "--site", "50,36", "-o", out5, "-q")
    ds5 = ogr.Open(out5)
    kinds = sorted((f.GetField("missile"), f.GetField("band"), f.GetField("kind")) for f in ds5.GetLayer("rings"))
    check(r.returncode == 0 and kinds == [("Kh-101", "high", "government estimate"),
                                          ("Kh-101", "low", "analyst estimate"),
                                          ("Kh-101", "nominal", "official"),
                                          ("Palestine-2", "nominal", "press claim")],
          "the rings layer carries each figure's kind: %s" % kinds)

    for cmd in (["rings", "--site", "50,36", "-o", os.path.join(d, "y.geojson")],
                ["query", "--site", "50,36", "--target", "Kyiv"]):
        r = run(cmd[0], "--missile", "Fatah", "--strict", *cmd[1:])
        lines = [l for l in r.stderr.splitlines() if l.strip()]
        check(r.returncode == 2 and len(lines) == 1 and "Fatah-I" in r.stderr and "Fattah-1" in r.stderr,
              "%s --missile Fatah --strict fails listing Fatah-I and Fattah-1: %s" % (cmd[0], r.stderr.strip()))
    check(not os.path.exists(os.path.join(d, "y.geojson")), "no output left by --strict")
    out4 = os.path.join(d, "fatah.geojson")
    r = run("rings", "--missile", "Fatah", "--site", "33.6,73.0", "-o", out4)
    check(r.returncode == 0 and layer(out4) == [("Fatah-I", "nominal", 120)] and "Fattah-1" in r.stderr
          and "taken as Fatah-I" in r.stderr, "--missile Fatah: Fatah-I taken, Fattah-1 named: %s" % r.stderr.strip())
    r = run("rings", "--missile", "Tochka", "--site", "50,36", "-o", out4, "--overwrite", "-q")
    check(r.returncode == 0 and not r.stderr and layer(out4) == [("Tochka-U", "nominal", 120)],
          "--missile Tochka -q: Tochka-U, no note (%s)" % r.stderr.strip())
    for name, taken in (("Fateh", "Fateh-110"), ("Iskander", "Iskander-M"), ("Kheibar", "Khorramshahr"),
                        ("Hwasong-11", "KN-23")):
        r = run("rings", "--missile", name, "--site", "50,36", "-o", out4, "--overwrite")
        check(r.returncode == 0 and ("taken as " + taken) in r.stderr, "%s -> %s, said: %s" % (name, taken, r.stderr.strip()))
    r = run("rings", "--missile", "DF-21D", "--site", "30,120", "-o", out4, "--overwrite", "-q")
    check(r.returncode == 0 and layer(out4) == [("DF-21D", "nominal", 1450)], "DF-21D is its own row: %s" % layer(out4))
    r = run("rings", "--missile", "Hwasong-19", "--site", "39,125.7", "-o", os.path.join(d, "z.geojson"))
    check(r.returncode == 2 and "no public maximum" in r.stderr and "--range" in r.stderr
          and not os.path.exists(os.path.join(d, "z.geojson")), "Hwasong-19 draws nothing: %s" % r.stderr.strip())

done()
