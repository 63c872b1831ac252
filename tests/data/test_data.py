#!/usr/bin/python3
"""Checks of the bundled data in data/: the missile catalogue, the cities
gazetteer, the country polygons and the launch-site sets.

Run with Debian's python3 (it has osgeo, shapely 1.8, pyproj):
    /usr/bin/python3 tests/data/test_data.py [--quiet]
Prints one line per check (only failures with --quiet) and ends with
"N passed, N failed"; exits 1 if any check failed.
"""
import csv
import json
import math
import os
import re
import sys
import traceback

from osgeo import gdal
from pyproj import Geod
from shapely.geometry import Point, shape
from shapely.validation import explain_validity

gdal.UseExceptions()
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DATA = os.path.join(ROOT, "data")
QUIET = "--quiet" in sys.argv[1:]
GEOD = Geod(ellps="WGS84")

results = []


def check(fn):
    """Run one check; a check fails by raising (AssertionError or other)."""
    name = fn.__name__
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - report every kind of failure
        detail = str(e) if isinstance(e, AssertionError) else traceback.format_exc(limit=2)
        results.append((name, False))
        print(f"FAIL {name}: {detail}")
    else:
        results.append((name, True))
        if not QUIET:
            print(f"ok   {name}")
    return fn


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, strict=True))


def gdal_count(path):
    ds = gdal.OpenEx(path, gdal.OF_VECTOR)
    return ds.GetLayer(0).GetFeatureCount()


def area_km2(geom):
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def parts(geom):
    return list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]


# ---------------------------------------------------------------- catalogue
MISSILE_COLS = ["name", "aliases", "shared_names", "origin", "class", "min_km", "range_km",
                "range_kind", "source", "range_low_km", "low_kind", "low_source",
                "range_high_km", "high_kind", "high_source", "notes"]
CLASSES = {"SRBM", "MRBM", "IRBM", "ICBM", "cruise", "drone", "rocket artillery",
           "air-launched ballistic"}
# what a figure is (data/README.md); "none": no public maximum, nothing drawn
KINDS = {"official", "government estimate", "manufacturer", "analyst estimate",
         "press claim", "test flight"}
missiles_path = os.path.join(DATA, "missiles.csv")
missiles = read_csv(missiles_path)


def num(s, field, row):
    try:
        v = float(s)
    except ValueError:
        raise AssertionError(f"{row['name']!r}: {field} {s!r} is not a number")
    assert math.isfinite(v), f"{row['name']!r}: {field} not finite"
    return v


def norm(s):
    """Aliases compare case- and punctuation-insensitively."""
    return re.sub(r"[^0-9a-z]+", "", s.casefold())


def split(s):
    return [a.strip() for a in s.split("|") if a.strip()]


def names_of(r):
    """The row's own names (name and aliases), normalized."""
    return [norm(a) for a in [r["name"]] + split(r["aliases"])]


def shared_of(r):
    """The row's shared names, normalized, with whether it is the '*' row."""
    return [(norm(a), a.startswith("*")) for a in split(r["shared_names"])]


def key_rows():
    """Every normalized name -> the set of rows (by name) listing it."""
    keys = {}
    for r in missiles:
        for k in names_of(r) + [k for k, _ in shared_of(r)]:
            keys.setdefault(k, set()).add(r["name"])
    return keys


def edit1(a, b):
    """Edit distance of a and b is at most 1 (and a != b)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def serial(a, b):
    """a and b, one edit apart, differ only in a designation serial: a
    different number (DF-21 / DF-26, Kh-22 / Kh-32), a variant letter after a
    number (Hwasong-11Ga / 11Na) or the last character (Fatah-I / Fatah-II,
    Scarab A / Scarab B).  These are different designations, not spellings."""
    p = 0
    while p < min(len(a), len(b)) and a[p] == b[p]:
        p += 1
    ra, rb = a[p:], b[p:]
    if len(ra) <= 1 and len(rb) <= 1:
        return True  # the last character
    if p and a[p - 1].isdigit():
        return True  # after a number
    diff = (ra[:1] + rb[:1])
    return diff.isdigit()


@check
def catalogue_header():
    with open(missiles_path, newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header == MISSILE_COLS, header


@check
def catalogue_rows_parse():
    with open(missiles_path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, strict=True))
    bad = [i + 1 for i, r in enumerate(rows) if len(r) != len(MISSILE_COLS)]
    assert not bad, f"rows with a wrong field count (line numbers): {bad}"


@check
def catalogue_has_90_rows():
    assert len(missiles) >= 90, len(missiles)


@check
def catalogue_required_fields():
    for r in missiles:
        for k in ("name", "class", "origin", "source", "range_kind"):
            assert r[k].strip(), f"{r['name']!r}: empty {k}"
        assert r["class"] in CLASSES, f"{r['name']!r}: class {r['class']!r}"
        assert r["range_kind"] in KINDS | {"none"}, f"{r['name']!r}: kind {r['range_kind']!r}"
        assert re.match(r"[^:]{3,}: .*\S", r["source"]), \
            f"{r['name']!r}: source {r['source']!r} is not 'who (when): figure'"


@check
def catalogue_ranges_ordered():
    for r in missiles:
        mn = num(r["min_km"], "min_km", r)
        if r["range_kind"] == "none":
            assert not r["range_km"] and not r["range_low_km"] and not r["range_high_km"], \
                f"{r['name']!r}: kind none takes no figure"
            assert mn == 0
            continue
        rg = num(r["range_km"], "range_km", r)
        assert 0 <= mn < rg, f"{r['name']!r}: min {mn} range {rg}"
        if r["range_low_km"]:
            lo = num(r["range_low_km"], "range_low_km", r)
            assert lo < rg, f"{r['name']!r}: low {lo} >= range {rg}"
        if r["range_high_km"]:
            hi = num(r["range_high_km"], "range_high_km", r)
            assert rg < hi, f"{r['name']!r}: range {rg} >= high {hi}"
        assert rg <= 20037, f"{r['name']!r}: range beyond half the Earth"


@check
def catalogue_every_figure_has_kind_and_source():
    for r in missiles:
        for fig, kind, src in (("range_low_km", "low_kind", "low_source"),
                               ("range_high_km", "high_kind", "high_source")):
            if r[fig]:
                assert r[kind] in KINDS, f"{r['name']!r}: {kind} {r[kind]!r}"
                assert r[src].strip(), f"{r['name']!r}: {fig} without {src}"
                # "WHO (WHEN): FIGURE", e.g. "ISPR (Pakistan military) 2025-05-03: 450 km"
                assert re.match(r"[^:]{3,}: .*\d", r[src]), \
                    f"{r['name']!r}: {src} {r[src]!r} is not 'who (when): figure'"
            else:
                assert not r[kind] and not r[src], f"{r['name']!r}: {kind}/{src} without {fig}"


@check
def catalogue_none_rows_say_so():
    none = [r for r in missiles if r["range_kind"] == "none"]
    assert len(none) >= 5, [r["name"] for r in none]
    for r in none:
        assert "no public maximum" in r["source"].lower(), f"{r['name']!r}: {r['source']!r}"


@check
def catalogue_own_names_unique():
    # a name or alias belongs to one row: it equals no other row's name, alias
    # or shared name (a name several rows answer to is a shared name in each)
    keys = key_rows()
    for r in missiles:
        own = names_of(r)
        assert all(own), f"{r['name']!r}: empty alias"
        assert all(" | " not in a for a in split(r["aliases"]))
        for k in own:
            assert keys[k] == {r["name"]}, f"{k!r} of {r['name']!r} also names {keys[k] - {r['name']}}"


@check
def catalogue_shared_names_declared():
    # each shared name: listed by two or more rows, exactly one marking it '*'
    star = {}
    for r in missiles:
        for k, s in shared_of(r):
            assert k not in names_of(r), f"{r['name']!r}: {k!r} both own and shared"
            star.setdefault(k, []).append((r["name"], s))
    for k, rows in star.items():
        assert len(rows) >= 2, f"shared name {k!r} listed only by {rows}"
        assert sum(s for _, s in rows) == 1, f"shared name {k!r}: one '*' row wanted: {rows}"


@check
def catalogue_ambiguous_names_of_the_issue():
    keys = key_rows()
    want = {"fateh": {"Fateh-110", "Fateh-313", "Fath-360"},
            "iskander": {"Iskander-M", "Iskander-E", "Iskander-K"},
            "fatah": {"Fatah-I", "Fattah-1"},
            "hwasong11": {"KN-23", "KN-24", "Hwasong-11Da-4.5"},
            "tochka": {"Tochka-U", "9K79 Tochka"},
            "kheibar": {"Khorramshahr", "Kheibar Shekan"}}
    for k, rows in want.items():
        assert rows <= keys.get(k, set()), f"{k!r} names {keys.get(k)}, wanted at least {rows}"


@check
def catalogue_near_collisions_declared():
    # two names one edit apart in different rows (Fatah / Fattah) are declared:
    # one of them is a shared name covering the other's rows.  Designation
    # serials (DF-21 / DF-26, Fatah-I / Fatah-II) are not spellings: see serial().
    keys = sorted(key_rows().items())
    bad = []
    for i, (a, ra) in enumerate(keys):
        for b, rb in keys[i + 1:]:
            if ra == rb or not edit1(a, b) or serial(a, b):
                continue
            if not (ra <= rb or rb <= ra):
                bad.append(f"{a} {sorted(ra)} / {b} {sorted(rb)}")
    assert not bad, "undeclared near-collisions: " + "; ".join(bad)


@check
def catalogue_aliases_are_names():
    # descriptions go to notes
    words = re.compile(r"\b(family|derivative|variant|north korean|cruise missile|guided mrl|"
                       r"heavy-warhead|based on|version)\b", re.I)
    for r in missiles:
        for a in split(r["aliases"]) + split(r["shared_names"]):
            assert not words.search(a), f"{r['name']!r}: {a!r} is a description (notes)"


@check
def catalogue_kn23_is_885():
    kn23 = [r for r in missiles if r["name"] == "KN-23"]
    assert len(kn23) == 1
    r = kn23[0]
    assert float(r["range_km"]) == 885, r["range_km"]
    assert "885" in r["source"] and "550" in r["source"], r["source"]
    assert ("hwasong11", True) in shared_of(r)


@check
def catalogue_issue_rows():
    by = {r["name"]: r for r in missiles}
    ab = by["Abdali"]
    assert "hatf2" in names_of(ab) and float(ab["range_km"]) == 450 and \
        float(ab["range_low_km"]) == 180 and "ISPR" in ab["low_source"], ab
    assert "df21d" not in names_of(by["DF-21"]) and by["DF-21D"]["range_kind"]
    k = by["Kh-101"]
    assert float(k["range_low_km"]) == 2500 and float(k["range_km"]) == 4500 and \
        float(k["range_high_km"]) == 5500, k
    assert "gave no range" in by["Emad"]["source"]
    assert float(by["Fatah-I"]["range_high_km"]) == 140
    for n in ("DF-21D", "Hwasong-16B", "Hwasong-19", "Hwasal-1", "Hwasal-2", "PrSM", "Agni-V",
              "Fath-360", "Qiam-1", "Qassem Basir", "Kh-22", "Kh-32", "Kh-55", "Kh-555", "Kh-59",
              "Kh-69", "9M729", "P-800 Oniks", "Tomahawk", "JASSM", "JASSM-ER", "BrahMos",
              "Shaheen-III", "Ababeel", "RS-24 Yars", "RS-28 Sarmat", "Avangard", "Jericho II",
              "Jericho III", "Blue Sparrow", "Air LORA", "Burkan-2H", "Burkan-3", "Toufan",
              "Palestine-2", "Iskander-E", "Iskander-K", "9K79 Tochka", "Fateh-313"):
        assert n in by, f"{n} missing"


@check
def catalogue_fields_fit_the_c_struct():
    # struct reach_missile (include/georeach/catalogue.h) holds NUL-terminated copies
    sizes = {"name": 64, "aliases": 512, "shared_names": 256, "origin": 64, "class": 48,
             "range_kind": 24, "source": 512, "low_kind": 24, "low_source": 256,
             "high_kind": 24, "high_source": 256, "notes": 512}
    for r in missiles:
        for k, size in sizes.items():
            assert len(r[k].encode("utf-8")) < size, f"{r['name']!r}: {k} too long"


@check
def catalogue_readable_by_gdal():
    assert gdal_count(missiles_path) == len(missiles)


@check
def catalogue_in_the_fuzz_corpus():
    # tests/fuzz/fuzz_catalogue replays its corpus (ctest fuzz_catalogue_corpus):
    # it holds the catalogue as it is
    corpus = os.path.join(ROOT, "tests", "fuzz", "corpus", "fuzz_catalogue", "missiles.csv")
    with open(corpus, "rb") as a, open(missiles_path, "rb") as b:
        assert a.read() == b.read(), "copy data/missiles.csv to " + corpus


# ------------------------------------------------------------------- cities
CITY_COLS = ["geonameid", "name", "asciiname", "alternatenames", "country_code",
             "admin1_code", "population", "capital", "feature_code", "lat", "lon"]
cities_path = os.path.join(DATA, "cities.csv")
cities = read_csv(cities_path)


@check
def cities_header():
    with open(cities_path, newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == CITY_COLS


@check
def cities_count():
    # GeoNames (2020 dump) places with >= 15,000 people: 24,323, plus capitals
    assert 24000 <= len(cities) <= 26000, len(cities)
    caps = [c for c in cities if c["capital"] == "1"]
    assert 200 <= len(caps) <= 260, len(caps)


@check
def cities_fields_valid():
    ids = set()
    for c in cities:
        lat, lon = float(c["lat"]), float(c["lon"])
        assert -90 <= lat <= 90 and -180 <= lon <= 180, c
        pop = int(c["population"])
        assert c["capital"] in ("0", "1"), c
        assert pop >= 15000 or c["capital"] == "1", c
        assert (c["capital"] == "1") == (c["feature_code"] == "PPLC"), c
        assert re.fullmatch(r"[A-Z]{2}", c["country_code"]), c
        assert c["name"] and c["asciiname"], c
        assert c["asciiname"].isascii(), c
        assert c["geonameid"] not in ids, c
        ids.add(c["geonameid"])


@check
def cities_no_duplicates():
    keys = [(c["name"], c["country_code"], c["lat"], c["lon"]) for c in cities]
    dup = len(keys) - len(set(keys))
    assert dup == 0, f"{dup} duplicate (name, country, lat, lon)"


@check
def cities_known_places():
    by = {(c["asciiname"], c["country_code"]): c for c in cities}
    for name, cc, lat, lon, cap in [("Kyiv", "UA", 50.45, 30.52, "1"),
                                    ("Pyongyang", "KP", 39.03, 125.75, "1"),
                                    ("Tehran", "IR", 35.69, 51.42, "1"),
                                    ("Belgorod", "RU", 50.61, 36.58, "0"),
                                    ("Kharkiv", "UA", 49.98, 36.25, "0")]:
        c = by.get((name, cc))
        assert c, f"{name} missing"
        assert abs(float(c["lat"]) - lat) < 0.05 and abs(float(c["lon"]) - lon) < 0.05, c
        assert c["capital"] == cap, c
    kyiv = by[("Kyiv", "UA")]
    assert "Kiev" in kyiv["alternatenames"].split("|"), kyiv["alternatenames"][:200]


@check
def cities_readable_by_gdal():
    assert gdal_count(cities_path) == len(cities)


# ---------------------------------------------------------------- countries
countries_path = os.path.join(DATA, "countries.geojson")
with open(countries_path, encoding="utf-8") as f:
    countries_doc = json.load(f)
features = countries_doc["features"]
C = {f["properties"]["name"]: shape(f["geometry"]) for f in features}
PROPS = {f["properties"]["name"]: f["properties"] for f in features}


@check
def countries_structure():
    assert countries_doc["type"] == "FeatureCollection"
    assert 230 <= len(features) <= 260, len(features)
    a2 = [f["properties"]["iso_a2"] for f in features if f["properties"]["iso_a2"]]
    a3 = [f["properties"]["iso_a3"] for f in features if f["properties"]["iso_a3"]]
    assert len(a2) == len(set(a2)) and len(a3) == len(set(a3)), "duplicate ISO codes"
    assert len(a3) >= 230, len(a3)
    for f in features:
        p = f["properties"]
        assert set(p) >= {"iso_a2", "iso_a3", "name"}, p
        assert p["name"], p
        assert p["iso_a2"] is None or re.fullmatch(r"[A-Z]{2}", p["iso_a2"]), p
        assert p["iso_a3"] is None or re.fullmatch(r"[A-Z]{3}", p["iso_a3"]), p
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon"), p
    for name, a3 in [("Russia", "RUS"), ("Ukraine", "UKR"), ("North Korea", "PRK"),
                     ("Iran", "IRN"), ("Canada", "CAN"), ("Fiji", "FJI"),
                     ("Antarctica", "ATA"), ("United States of America", "USA")]:
        assert PROPS[name]["iso_a3"] == a3, (name, PROPS[name])


@check
def countries_all_valid():
    bad = [(n, explain_validity(g)) for n, g in C.items() if not g.is_valid or g.is_empty]
    assert not bad, bad


@check
def countries_coordinates_in_range():
    for n, g in C.items():
        x0, y0, x1, y1 = g.bounds
        assert -180 <= x0 and x1 <= 180 and -90 <= y0 and y1 <= 90, (n, g.bounds)


@check
def countries_rfc7946_winding():
    # RFC 7946: exterior rings counter-clockwise, holes clockwise
    for n, g in C.items():
        for p in parts(g):
            assert p.exterior.is_ccw, n
            assert all(not r.is_ccw for r in p.interiors), n


# Known areas (km2) and the tolerance allowed for 1:50m generalisation.
AREAS = [
    # name, reference km2, tolerance, what the reference is
    ("Russia", 17_098_246, 0.02, "total incl. inland water (Rosstat / CIA)"),
    ("Canada", 9_984_670, 0.02, "total incl. fresh water (Statistics Canada); land only is 9,093,507"),
    ("Fiji", 18_274, 0.03, "total (CIA World Factbook)"),
    ("Antarctica", 12_300_000, 0.03, "grounded ice and rock, ice shelves excluded (NE draws the grounding line; 14.0-14.2 M with shelves)"),
    ("Brazil", 8_515_767, 0.02, "total (IBGE)"),
    ("Australia", 7_741_220, 0.02, "total (CIA World Factbook)"),
    ("Kazakhstan", 2_724_900, 0.02, "total (CIA World Factbook)"),
    ("Ukraine", 603_550, 0.02, "total incl. Crimea (CIA World Factbook)"),
]

for _name, _ref, _tol, _what in AREAS:
    def _area_check(name=_name, ref=_ref, tol=_tol, what=_what):
        a = area_km2(C[name])
        rel = a / ref - 1
        assert abs(rel) <= tol, f"{name}: {a:,.0f} km2 vs {ref:,} ({what}): {rel:+.2%} > {tol:.0%}"
        if not QUIET:
            print(f"     {name}: {a:,.0f} km2 vs {ref:,} km2 ({what}): {rel:+.2%}")
    _area_check.__name__ = "country_area_" + _name.lower()
    check(_area_check)


@check
def antarctica_holds_the_south_pole():
    ant = C["Antarctica"]
    assert ant.intersects(Point(0, -90)), "South Pole (lat -90) not in Antarctica"
    assert ant.contains(Point(0, -89.5))
    # the interior is there (a blind make-valid drops it): points all round at 85 S
    for lon in (-179.9, -135, -90, -45, 0, 45, 90, 135, 179.9):
        assert ant.contains(Point(lon, -85)), f"({lon}, -85) outside Antarctica"
    assert ant.bounds[0] == -180 and ant.bounds[2] == 180 and ant.bounds[1] == -90


@check
def antimeridian_split_countries():
    for name in ("Russia", "Fiji"):
        ps = parts(C[name])
        west = [p for p in ps if p.bounds[2] < 0 and p.bounds[0] <= -179]
        east = [p for p in ps if p.bounds[0] > 0 and p.bounds[2] >= 179]
        assert west and east, f"{name}: parts on both sides of the antimeridian missing"
        # pieces cut at the antimeridian meet it exactly
        assert any(p.bounds[0] == -180 for p in west) and any(p.bounds[2] == 180 for p in east), name
        for p in ps:
            assert p.bounds[2] - p.bounds[0] < 180 or name == "Russia", (name, p.bounds)
    # Chukotka east of 180 belongs to Russia, not to a sliver spanning the map
    assert C["Russia"].contains(Point(-175, 66.5))
    assert not C["Russia"].contains(Point(0, 66.5))


@check
def crimea_with_ukraine():
    assert C["Ukraine"].contains(Point(34.10, 44.95)), "Simferopol"
    assert C["Ukraine"].contains(Point(33.52, 44.60)), "Sevastopol"
    assert not C["Russia"].contains(Point(34.10, 44.95))
    assert C["Russia"].contains(Point(36.59, 50.60)), "Belgorod"


@check
def countries_readable_by_gdal():
    assert gdal_count(countries_path) == len(features)


# -------------------------------------------------------------------- sites
SITES = os.path.join(DATA, "sites")


@check
def sites_files_parse():
    names = sorted(os.listdir(SITES))
    for fn in ("jan2024_launch_areas.csv", "north_korea_bases.csv", "iran_bases.csv"):
        assert fn in names, fn
    for fn in names:
        if not fn.endswith(".csv"):
            continue
        path = os.path.join(SITES, fn)
        with open(path, newline="", encoding="utf-8") as f:
            assert next(csv.reader(f)) == ["name", "lat", "lon", "note"], fn
        rows = read_csv(path)
        assert rows, fn
        for r in rows:
            lat, lon = float(r["lat"]), float(r["lon"])
            assert -90 <= lat <= 90 and -180 <= lon <= 180, (fn, r)
            assert r["name"].strip() and r["note"].strip(), (fn, r)
            if fn != "jan2024_launch_areas.csv":   # new sets: rounded to 0.01 degree
                assert re.fullmatch(r"-?\d+\.\d\d", r["lat"]) and re.fullmatch(r"-?\d+\.\d\d", r["lon"]), (fn, r)
        assert len({r["name"] for r in rows}) == len(rows), fn
        assert gdal_count(path) == len(rows), fn


@check
def sites_lie_in_their_country():
    for fn, country in (("north_korea_bases.csv", "North Korea"), ("iran_bases.csv", "Iran"),
                        ("jan2024_launch_areas.csv", None)):
        for r in read_csv(os.path.join(SITES, fn)):
            pt = Point(float(r["lon"]), float(r["lat"]))
            if country is None:   # Russian launch areas incl. occupied Crimea
                ok = C["Russia"].distance(pt) < 0.05 or C["Ukraine"].contains(pt)
            else:
                ok = C[country].distance(pt) < 0.05   # 1:50m coast: allow ~5 km
            assert ok, (fn, r["name"])


@check
def countries_fgb_is_the_geojson():
    # data/countries.fgb (what georeach reads) holds the same features
    from osgeo import ogr
    ds = ogr.Open(os.path.join(DATA, "countries.fgb"))
    lyr = ds.GetLayer(0)
    assert lyr.GetFeatureCount() == len(features)
    for f, ref in zip(lyr, features):
        p = ref["properties"]
        assert (f.GetField("iso_a2"), f.GetField("name")) == (p["iso_a2"], p["name"]), p
        g = shape(json.loads(f.GetGeometryRef().ExportToJson()))
        assert g.equals_exact(shape(ref["geometry"]), 0), p["name"]
    ds = None


passed = sum(1 for _, ok in results if ok)
failed = len(results) - passed
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
