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
MISSILE_COLS = ["name", "aliases", "origin", "class", "min_km", "range_km",
                "range_low_km", "range_high_km", "source"]
CLASSES = {"SRBM", "MRBM", "IRBM", "ICBM", "cruise", "drone", "rocket artillery",
           "air-launched ballistic"}
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
def catalogue_has_40_rows():
    assert len(missiles) >= 40, len(missiles)


@check
def catalogue_required_fields():
    for r in missiles:
        for k in ("name", "class", "origin", "source"):
            assert r[k].strip(), f"{r['name']!r}: empty {k}"
        assert r["class"] in CLASSES, f"{r['name']!r}: class {r['class']!r}"


@check
def catalogue_ranges_ordered():
    for r in missiles:
        mn = num(r["min_km"], "min_km", r)
        rg = num(r["range_km"], "range_km", r)
        assert 0 <= mn < rg, f"{r['name']!r}: min {mn} range {rg}"
        if r["range_low_km"]:
            lo = num(r["range_low_km"], "range_low_km", r)
            assert lo <= rg, f"{r['name']!r}: low {lo} > range {rg}"
        if r["range_high_km"]:
            hi = num(r["range_high_km"], "range_high_km", r)
            assert rg <= hi, f"{r['name']!r}: range {rg} > high {hi}"
        assert rg <= 20037, f"{r['name']!r}: range beyond half the Earth"


@check
def catalogue_names_and_aliases_unique():
    seen = {}
    for r in missiles:
        names = [r["name"]] + [a.strip() for a in r["aliases"].split("|") if a.strip()]
        assert all(" | " not in a for a in names)
        for a in names:
            k = norm(a)
            assert k, f"{r['name']!r}: empty alias"
            assert k not in seen or seen[k] == r["name"], \
                f"{a!r} names both {seen.get(k)!r} and {r['name']!r}"
            seen[k] = r["name"]


@check
def catalogue_kn23_is_885():
    kn23 = [r for r in missiles if r["name"] == "KN-23"]
    assert len(kn23) == 1
    r = kn23[0]
    assert float(r["range_km"]) == 885, r["range_km"]
    assert "885" in r["source"] and "550" in r["source"], r["source"]
    assert "hwasong11" in {norm(a) for a in r["aliases"].split("|")}


@check
def catalogue_fields_fit_the_c_struct():
    # struct reach_missile (include/georeach/catalogue.h) holds NUL-terminated
    # copies: name[64], aliases[512], origin[64], klass[48], source[512]
    for r in missiles:
        for k, size in (("name", 64), ("aliases", 512), ("origin", 64), ("class", 48),
                        ("source", 512)):
            assert len(r[k].encode("utf-8")) < size, f"{r['name']!r}: {k} too long"


@check
def catalogue_readable_by_gdal():
    assert gdal_count(missiles_path) == len(missiles)


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
