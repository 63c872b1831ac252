#!/usr/bin/python3
"""Places and points (issue #15): countries by name or code with suggestions,
the bases table and its ambiguity rules, point text against GeoConvert,
option errors before any look-up, and the compiled gazetteer index against
the CSVs read through GDAL.  References are independent of the code under
test: data/cities.csv, data/bases.csv and data/countries.fgb read here with
Python's csv and GDAL, and GeographicLib's GeoConvert.
usage: test_places.py GEOREACH"""
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

from osgeo import ogr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, done  # noqa: E402

BIN = sys.argv[1]
DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")


def run(*args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([BIN] + list(args), capture_output=True, text=True, env=e)


def key(s):
    """reach_name_key, written again here: ASCII letters and digits
    lower-cased, other ASCII dropped, other bytes kept."""
    return bytes(c if c >= 0x80 else ord(chr(c).lower()) for c in s.encode()
                 if c >= 0x80 or chr(c).isalnum())


cities = list(csv.DictReader(open(os.path.join(DATA, "cities.csv"), encoding="utf-8")))
bases = list(csv.DictReader(open(os.path.join(DATA, "bases.csv"), encoding="utf-8")))
city_keys = {}
for r in cities:
    for n in [r["name"], r["asciiname"]] + (r["alternatenames"].split("|") if r["alternatenames"] else []):
        city_keys.setdefault(key(n), []).append(r)
ds = ogr.Open(os.path.join(DATA, "countries.fgb"))
countries = [(f.GetField("iso_a2"), f.GetField("iso_a3"), f.GetField("name")) for f in ds.GetLayer(0)]


def one_line(err):
    return len(err.strip().splitlines()) == 1


# ---- countries: names and codes, suggestions --------------------------------
def query_cities(country):
    r = run("query", "--site", "50.6,36.6", "--range", "885km", "--targets", "cities",
            "--country", country, "--as", "csv", "-q")
    return r, [row["target"] for row in csv.DictReader(r.stdout.splitlines())]


ua = sorted("%s,%s" % (r["name"], r["country_code"]) for r in cities if r["country_code"] == "UA")
for spelling in ["UA", "UKR", "Ukraine", "ukraine", " UKRAINE "]:
    r, got = query_cities(spelling)
    check(r.returncode == 0 and sorted(got) == ua,
          "--country %r: the %d Ukrainian rows of cities.csv (got %d; %s)"
          % (spelling, len(ua), len(got), r.stderr.strip()[:120]))
kp_kr = sorted("%s,%s" % (r["name"], r["country_code"]) for r in cities
               if r["country_code"] in ("KP", "KR"))
r, got = query_cities("north korea,South-Korea")
check(r.returncode == 0 and sorted(got) == kp_kr, "--country 'north korea,South-Korea': KP and KR rows")
r, got = query_cities("GF")
check(r.returncode == 0 and len(got) == sum(1 for c in cities if c["country_code"] == "GF"),
      "--country GF (no polygon of its own) still takes French Guiana's places")
r, _ = query_cities("Ukrain")
check(r.returncode == 2 and "Ukraine (UA)" in r.stderr and "Ukrain'" in r.stderr and one_line(r.stderr),
      "--country Ukrain: exit 2, suggests Ukraine (UA) (%s)" % r.stderr.strip())
r, _ = query_cities("AQ")
check(r.returncode == 1 and "min-population" not in r.stderr and "AQ" in r.stderr and one_line(r.stderr),
      "--country AQ (no city): names the country, not --min-population (%s)" % r.stderr.strip())
r = run("query", "--site", "50.6,36.6", "--range", "885km", "--targets", "cities", "--country", "UA",
        "--min-population", "99999999", "-q")
check(r.returncode == 1 and "99999999" in r.stderr, "--min-population given: the refusal names it")

# every bundled country's alpha-2, alpha-3 and name resolve to the same area
r = run("rings", "--from-area", "Atlantis", "--range", "100km", "-o", "/nonexistent/x.gpkg")
check(r.returncode == 2 and "Atlantis" in r.stderr and "--from-area" in r.stderr,
      "--from-area Atlantis: exit 2 before anything (%s)" % r.stderr.strip())
r = run("basket", "--target", "50.45,30.52", "--range", "885km", "--within", "Russa", "-o", "x.gpkg")
check(r.returncode == 2 and "Russia (RU)" in r.stderr and one_line(r.stderr),
      "--within Russa: suggests Russia (RU) (%s)" % r.stderr.strip())
with tempfile.TemporaryDirectory() as d:
    areas = {}
    for spelling in ["KP", "PRK", "North Korea", "dprk"]:
        out = os.path.join(d, "%s.geojson" % key(spelling).decode())
        r = run("rings", "--from-area", spelling, "--range", "50km", "--tolerance", "1km", "-o", out, "-q")
        ods = ogr.Open(out) if r.returncode == 0 else None  # alive while its layer is read
        f = ods.GetLayer(0).GetNextFeature() if ods else None
        areas[spelling] = f.GetField("area_km2") if f else None
        ods = None
    check(len(set(areas.values())) == 1 and None not in areas.values(),
          "--from-area KP, PRK, 'North Korea', dprk: one territory (%s)" % areas)

# ---- bases: every name of every row, and the ambiguity rules ----------------
for b in bases:
    lat, lon = float(b["lat"]), float(b["lon"])
    for n in [b["name"]] + [a for a in b["aliases"].split("|") if a]:
        r = run("locate", n)
        got = r.stdout.split()[:2]
        ok = r.returncode == 0 and len(got) == 2
        if key(n) in city_keys:
            # a city of that name comes first, unless it is this very place
            big = max(city_keys[key(n)], key=lambda c: int(c["population"] or 0))
            want = (float(big["lat"]), float(big["lon"]))
            ok = ok and abs(float(got[0]) - want[0]) < 1e-9 and abs(float(got[1]) - want[1]) < 1e-9
            check(ok, "base name %r is also a city: the city, %s (%s)" % (n, big["name"], r.stderr.strip()))
        else:
            ok = ok and abs(float(got[0]) - lat) < 1e-9 and abs(float(got[1]) - lon) < 1e-9
            check(ok and "data/bases.csv" in r.stderr and b["kind"] in r.stderr,
                  "base %r -> %s (%.4f, %.4f), kind on stderr (%s)" % (n, b["name"], lat, lon, r.stderr.strip()))
# the names
for n, want in [("Guam", "Andersen Air Force Base"), ("Andersen AFB", "Andersen Air Force Base"),
                ("Diego Garcia", "Naval Support Facility Diego Garcia"), ("Ramstein", "Ramstein Air Base"),
                ("Pearl Harbor", "Joint Base Pearl Harbor-Hickam"), ("Incirlik", "Incirlik Air Base"),
                ("Al Udeid", "Al Udeid Air Base"), ("Kadena", "Kadena Air Base"), ("Osan AB", "Osan Air Base"),
                ("Misawa AB", "Misawa Air Base"), ("Camp Humphreys", "Camp Humphreys"), ("Amari", "Ämari Air Base"),
                ("Rzeszow-Jasionka", "Rzeszów-Jasionka Airport")]:
    r = run("locate", n)
    check(r.returncode == 0 and r.stdout.strip().endswith(want), "%s is %s (%s)" % (n, want, r.stdout.strip()))
# the launch areas of data/sites are rows of the bases table, same coordinates
for path in ["jan2024_launch_areas.csv", "north_korea_bases.csv", "iran_bases.csv"]:
    for s in csv.DictReader(open(os.path.join(DATA, "sites", path), encoding="utf-8")):
        row = [b for b in bases if b["name"] == s["name"]]
        check(len(row) == 1 and float(row[0]["lat"]) == float(s["lat"]) and float(row[0]["lon"]) == float(s["lon"])
              and row[0]["source"].strip(), "data/sites/%s: %s in bases.csv with a source" % (path, s["name"]))
check(all(b["source"].strip() and b["country_code"] and b["kind"] for b in bases), "every base row has a source")
# Belgorod the launch area is Belgorod the city (within 5 km): not ambiguous
r = run("locate", "--strict", "Belgorod")
check(r.returncode == 0 and "several" not in r.stderr, "Belgorod: one place with --strict (%s)" % r.stderr.strip())
r = run("locate", "Andersen AFV")
check(r.returncode == 2 and "Andersen Air Force Base,GU" in r.stderr, "Andersen AFV: suggests the base (%s)" % r.stderr.strip())
# the rules with a base far from the city of its name: another data folder
# (its CSVs differ from the compiled index, so they are read through GDAL)
with tempfile.TemporaryDirectory() as d:
    for f in ["cities.csv", "missiles.csv", "countries.fgb"]:
        shutil.copy(os.path.join(DATA, f), d)
    with open(os.path.join(DATA, "bases.csv"), encoding="utf-8") as src, \
            open(os.path.join(d, "bases.csv"), "w", encoding="utf-8") as dst:
        dst.write(src.read() + "Lviv Test Range,Lviv|Test Range Two,UA,test range,48.0,25.0,test row\n"
                  "Test Range Two B,Test Range Two,UA,test range,47.0,26.0,test row\n")
    env = {"GEOREACH_DATA": d}
    r = run("locate", "Lviv", env=env)
    check(r.returncode == 0 and r.stdout.startswith("49.83") and "most populous of several" in r.stderr,
          "Lviv (city and a base 90 km away): the city, said ambiguous (%s)" % r.stderr.strip())
    r = run("locate", "--strict", "Lviv", env=env)
    check(r.returncode == 2 and "2 places" in r.stderr, "--strict Lviv: an error (%s)" % r.stderr.strip())
    r = run("locate", "Test Range Two", env=env)
    check(r.returncode == 0 and r.stdout.startswith("48.0") and "first of several" in r.stderr,
          "two bases of one name: the first in the file, said (%s)" % r.stderr.strip())
    r = run("locate", "--strict", "Test Range Two", env=env)
    check(r.returncode == 2 and "2 places" in r.stderr, "--strict: two bases of one name is an error")
    r = run("locate", "Lviv Test Range", env=env)
    check(r.returncode == 0 and r.stdout.startswith("48.0"), "a base of the GDAL-read table by its name")

# ---- point text against GeoConvert ------------------------------------------
texts = ["50.6 36.6", "36.6E 50.6N", "36.6E,50.6N", "E36.6 N50.6", "36.6 50.6N", "50.6N 36.6",
         "-33.9 18.4", "50.6   36.6", "36.6W 50.6S", "50.6 36.6E", "50d36' 36d36'", "0 0",
         "-89.5 -179.5", "12.5E 7.25S", "W122.4 N37.8"]
for t in texts:
    g = subprocess.run(["GeoConvert"], input=t + "\n", capture_output=True, text=True).stdout.split()
    r = run("locate", t)
    mine = r.stdout.split()
    ok = r.returncode == 0 and len(g) == 2 and len(mine) >= 2 and \
        abs(float(mine[0]) - float(g[0])) < 1e-5 and abs(float(mine[1]) - float(g[1])) < 1e-5
    check(ok, "%r: georeach %s, GeoConvert %s" % (t, mine[:2], g))
for t in ["50.6N 36.6N", "36.6E 50.6W", "50.6N,36.6S"]:
    g = subprocess.run(["GeoConvert"], input=t + "\n", capture_output=True, text=True).stdout
    r = run("locate", t)
    check(g.startswith("ERROR") and r.returncode == 2 and one_line(r.stderr),
          "%r: refused by both (%s / %s)" % (t, g.strip(), r.stderr.strip()))

# ---- options checked before any look-up -------------------------------------
with tempfile.TemporaryDirectory() as d:
    exists = os.path.join(d, "exists.geojson")
    open(exists, "w").write("{}")
    cases = [
        (["rings", "--site", "Kyiv", "--range", "100km", "--min-count", "3", "-o", os.path.join(d, "a.gpkg")], 2),
        (["rings", "--site", "Kyivv", "--range", "100km", "--min-count", "3", "-o", os.path.join(d, "a.gpkg")], 2),
        (["rings", "--site", "Kyiv", "--range", "100km", "-o", exists], 1),
        (["rings", "--site", "Kyiv", "--range", "100km", "-o", os.path.join(d, "nofolder", "a.gpkg")], 1),
        (["rings", "--site", "Kyiv", "--range", "100km", "-f", "NoSuchDriver", "-o", os.path.join(d, "a.x")], 2),
        (["rings", "--from-area", "Atlantis", "--range", "100km", "-o", os.path.join(d, "a.gpkg")], 2),
        (["basket", "--target", "Kyiv", "--range", "885km", "--within", "Atlantis", "-o", os.path.join(d, "b.gpkg")], 2),
        (["basket", "--target", "Kyiv", "--range", "885km", "-o", exists], 1),
        (["query", "--site", "Belgorod", "--target", "Kyiv", "--range", "885km", "--country", "UA"], 2),
        (["query", "--site", "Belgorod", "--targets", "cities", "--range", "885km", "--country", "Ukrain"], 2),
        (["query", "--site", "Belgorod", "--target", "Kyiv", "--range", "885km", "-o", exists], 1),
        (["map", "--target", "Kyiv", "--range", "885km", "--within", "Atlantis", "-o", os.path.join(d, "m.png")], 2),
    ]
    for args, code in cases:
        r = run(*args)
        check(r.returncode == code and " is " not in r.stderr.split("(see")[0].replace("' is not", "")
              and "people" not in r.stderr and one_line(r.stderr) and not os.path.exists(os.path.join(d, "a.gpkg")),
              "%s: exit %d, no place named first (%s)" % (" ".join(args[:1] + args[-4:]), code, r.stderr.strip()))
    r = run("rings", "--site", "Kyivv", "--range", "100km", "--min-count", "3", "-o", os.path.join(d, "a.gpkg"))
    check("--min-count" in r.stderr and "Kyivv" not in r.stderr, "the option error, not the place's, comes first")

# ---- the compiled index against the CSVs read through GDAL ------------------
def all_cities(env=None):
    r = run("query", "--site", "0,0", "--range", "1km", "--targets", "cities", "--as", "json", "-q", env=env)
    return r.returncode, json.loads(r.stdout) if r.returncode == 0 else []


c1, rows_ix = all_cities()
c2, rows_gdal = all_cities({"GEOREACH_NO_INDEX": "1"})
check(c1 == 0 and c2 == 0 and rows_ix == rows_gdal and len(rows_ix) == len(cities),
      "every place: the index and GDAL's reading agree (%d and %d rows; cities.csv %d)"
      % (len(rows_ix), len(rows_gdal), len(cities)))
bad = [(c["name"], row["target"]) for c, row in zip(cities, rows_ix)
       if row["target"] != "%s,%s" % (c["name"], c["country_code"]) or
       abs(row["target_lat"] - float(c["lat"])) > 1e-9 or abs(row["target_lon"] - float(c["lon"])) > 1e-9]
check(len(rows_ix) == len(cities) and not bad, "index rows equal cities.csv, name and position (%s)" % bad[:3])
for minpop in ["15000", "100000", "1000000", "0"]:
    r1 = run("query", "--site", "0,0", "--range", "1km", "--targets", "cities", "--min-population", minpop, "--as", "csv", "-q")
    want = sum(1 for c in cities if int(c["population"] or 0) >= int(minpop))
    check(r1.returncode == 0 and len(r1.stdout.splitlines()) - 1 == want,
          "--min-population %s: %d rows, as cities.csv's populations say" % (minpop, want))
random.seed(15)
names = []
for c in random.sample(cities, 150):
    alts = [a for a in c["alternatenames"].split("|") if a]
    names += [c["name"]] + random.sample(alts, min(2, len(alts)))
names += [b["name"] for b in bases] + ["Guam", "Ramstien", "Zaporizhzhia", "kyiv"]
a = run("locate", *names)
b2 = run("locate", *names, env={"GEOREACH_NO_INDEX": "1"})
check(a.returncode == b2.returncode and a.stdout == b2.stdout and a.stderr == b2.stderr and a.stdout,
      "%d names (keys and alternate names) read alike from the index and from GDAL" % len(names))

# the catalogue compiled in (io/compiled.h) against missiles.csv read through GDAL
for fmt in ["csv", "json"]:
    a = run("missiles", "--as", fmt)
    b2 = run("missiles", "--as", fmt, env={"GEOREACH_NO_INDEX": "1"})
    check(a.returncode == 0 and a.stdout == b2.stdout and len(a.stdout) > 1000,
          "missiles --as %s: the compiled catalogue and GDAL's reading agree" % fmt)
rows = list(csv.DictReader(run("missiles", "--as", "csv").stdout.splitlines()))
ref = list(csv.DictReader(open(os.path.join(DATA, "missiles.csv"), encoding="utf-8")))
check(len(rows) == len(ref) and all(r["name"] == f["name"] and r["range_km"] == f["range_km"]
                                    for r, f in zip(rows, ref)),
      "the catalogue's %d rows: names and ranges as in missiles.csv" % len(ref))
# a run by names alone opens no GDAL (the loader's list of objects)
r = run("query", "--site", "Belgorod", "--missile", "KN-23", "--target", "Kyiv", "-q", env={"LD_DEBUG": "files"})
check(r.returncode == 0 and "libgdal" not in r.stderr, "a what-if by names never opens libgdal")
r = run("rings", "--site", "Belgorod", "--missile", "KN-23", "-o", "-", "-q", env={"LD_DEBUG": "files"})
check(r.returncode == 0 and "libgdal" in r.stderr and '"FeatureCollection"' in r.stdout,
      "writing a layer opens it (dlopen on first use)")

done()
