#!/usr/bin/python3
"""Sites files as analysts have them (issue 15): which layer is read, which
columns are recognised, and parameters per row.

References are independent of georeach's reader: GDAL's KML driver (not the
LIBKML driver georeach opens Google Earth files with) lists the point
placemarks, ogr2ogr makes the KMZ and GeoPackages, GeoConvert reads the DMS
and MGRS cells, and every per-row ring is compared with a single-site run
given the same values on the command line.

    /usr/bin/python3 tests/test_sites_files.py build/georeach
"""
import json
import os
import subprocess
import sys
import tempfile

from harness import BIN, check, done

from osgeo import gdal, ogr

gdal.UseExceptions()
HERE = os.path.dirname(os.path.abspath(__file__))
KML = os.path.join(HERE, "data", "sites", "google_earth_launchers.kml")
TABLE = os.path.join(HERE, "data", "sites", "launchers_table.csv")
TMP = tempfile.mkdtemp(prefix="georeach-sites-")


OUT = os.path.join(TMP, "never.geojson")


def run(args, stdin=None):
    # a refusal must write nothing: the file is removed before each run
    if OUT in args and os.path.exists(OUT):
        os.remove(OUT)
    p = subprocess.run([BIN] + args, input=stdin, capture_output=True, text=True, cwd=TMP)
    return p.returncode, p.stdout, p.stderr


def rings(args, stdin=None):
    """Features of `georeach rings ARGS -o -` (None and the message on failure)."""
    rc, out, err = run(["rings"] + args + ["-o", "-", "-q"], stdin)
    if rc != 0:
        return None, err
    return json.loads(out)["features"], err


def write(name, text, encoding="utf-8"):
    path = os.path.join(TMP, name)
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(text)
    return path


def sites_of(feats):
    return [(f["properties"]["site"], round(f["properties"]["site_lat"], 9),
             round(f["properties"]["site_lon"], 9)) for f in feats]


# --- KML from Google Earth: every placemark of every folder ---------------
ref = []
ds = gdal.OpenEx(KML, gdal.OF_VECTOR, allowed_drivers=["KML"])
for i in range(ds.GetLayerCount()):
    lyr = ds.GetLayer(i)
    for f in lyr:
        g = f.GetGeometryRef()
        if g and ogr.GT_Flatten(g.GetGeometryType()) == ogr.wkbPoint:
            ref.append((lyr.GetName(), f.GetField("Name"), round(g.GetY(), 9), round(g.GetX(), 9)))
ds = None
feats, err = rings(["--sites", KML, "--range", "100km"])
check(feats is not None, "a Google Earth KML with nested folders is read (%s)" % (err.strip() if feats is None else "ok"))
got = sorted(sites_of(feats or []))
want = sorted(("%s/%s" % (fo, n), la, lo) for fo, n, la, lo in ref)
check(got == want and len(want) == 5,
      "every point placemark of every folder, named FOLDER/NAME, where GDAL's KML driver puts it (%d of %d)" % (len(got), len(want)))
rc, out, err = run(["rings", "--sites", KML, "--range", "100km", "-o", "-"])
check(rc == 0 and "skipped 2 placemarks that are not points" in err,
      "the line and the polygon are skipped and counted on stderr: %r" % err.strip())
feats, _ = rings(["--sites", KML, "--layer", "Belgorod oblast", "--range", "100km"])
check(feats is not None and [s[0] for s in sites_of(feats)] == ["Belgorod", "Valuyki"],
      "--layer names one folder (its sites without the folder prefix)")
rc, out, err = run(["rings", "--sites", KML, "--layer", "Kursk oblast", "--range", "100km", "-o", "-"])
check(rc == 0 and len(json.loads(out)["features"]) == 1 and
      "skipped 1 placemark that is not a point" in err,
      "a named folder: its line is skipped and counted too: %r" % err.strip())
feats2, _ = rings(["--sites", KML + "|layername=Belgorod oblast", "--range", "100km"])
check(feats2 is not None and sites_of(feats2) == sites_of(feats or []),
      "FILE|layername=NAME reads the same as --layer NAME")

kmz = os.path.join(TMP, "launchers.kmz")
subprocess.run(["ogr2ogr", "-f", "LIBKML", kmz, KML], check=True, capture_output=True)
feats, err = rings(["--sites", kmz, "--range", "100km"])
check(feats is not None and sorted(s[1:] for s in sites_of(feats)) == sorted(w[1:] for w in want),
      "a KMZ (ogr2ogr -f LIBKML) gives the same points")

# --- GeoPackages: the only point layer, or a refusal listing the layers ---
own = os.path.join(TMP, "own.gpkg")
rc, _, err = run(["rings", "--site", "Belgorod=50.6,36.6", "--site", "Kursk=51.73,36.19",
                  "--range", "300km", "-o", own, "-q"])
feats, err = rings(["--sites", own, "--range", "100km"])
check(feats is not None and sites_of(feats) == [("Belgorod", 50.6, 36.6), ("Kursk", 51.73, 36.19)],
      "georeach's own GeoPackage (rings + sites) is read from its 'sites' layer (%s)" % (err.strip()[:200] if feats is None else "ok"))
feats, err = rings(["--sites", own, "--layer", "rings", "--range", "100km"])
check(feats is None and "not points" in err and err.count("\n") == 1,
      "--layer rings (polygons) is refused in one line: %s" % err.strip()[:160])
two = os.path.join(TMP, "two.gpkg")
a = write("a.csv", "name,lat,lon\nA,50,30\n")
b = write("b.csv", "name,lat,lon\nB,51,31\nC,52,32\n")
subprocess.run(["ogr2ogr", "-f", "GPKG", two, a, "-nln", "east", "-oo", "X_POSSIBLE_NAMES=lon",
                "-oo", "Y_POSSIBLE_NAMES=lat", "-a_srs", "EPSG:4326"], check=True, capture_output=True)
subprocess.run(["ogr2ogr", "-f", "GPKG", "-update", two, b, "-nln", "west", "-oo",
                "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat", "-a_srs", "EPSG:4326"],
               check=True, capture_output=True)
out_file = OUT
rc, _, err = run(["rings", "--sites", two, "--range", "100km", "-o", out_file])
check(rc == 1 and "east (Point, 1 feature)" in err and "west (Point, 2 features)" in err
      and "--layer" in err and err.count("\n") == 1 and not os.path.exists(out_file),
      "two point layers: exit 1, one line listing layers, types and counts, nothing written: %s" % err.strip())
feats, _ = rings(["--sites", two, "--layer", "west", "--range", "100km"])
check(feats is not None and [s[0] for s in sites_of(feats)] == ["B", "C"], "--layer west reads west")
rc, _, err = run(["rings", "--sites", two, "--layer", "north", "--range", "100km", "-o", out_file])
check(rc == 1 and "no layer 'north'" in err and "east (Point" in err and not os.path.exists(out_file),
      "--layer of a missing layer: exit 1 naming it and the layers: %s" % err.strip())

# --from-area with --layer: the polygon layer of a GeoPackage whose first
# layer is points gives what the polygon alone gives
box = write("box.geojson", json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "box"}, "geometry": {"type": "Polygon",
     "coordinates": [[[36, 50], [37, 50], [37, 51], [36, 51], [36, 50]]]}}]}))
area = os.path.join(TMP, "area.gpkg")
subprocess.run(["ogr2ogr", "-f", "GPKG", area, two, "east"], check=True, capture_output=True)
subprocess.run(["ogr2ogr", "-f", "GPKG", "-update", area, box, "-nln", "box"], check=True, capture_output=True)
alone, _ = rings(["--from-area", box, "--range", "100km"])
named, err = rings(["--from-area", area, "--layer", "box", "--range", "100km"])
check(alone is not None and named is not None and named[0]["geometry"] == alone[0]["geometry"],
      "--from-area FILE --layer NAME reads that layer (%s)" % (err.strip() if named is None else "ok"))

# --- CSV header styles ----------------------------------------------------
styles = {
    "Name,Latitude,Longitude": "Name",
    "City,LAT,LONG": "City",
    "site_name,lat_dd,lon_dd": "site_name",
    "Launcher,Lat (deg),Lon (deg)": "Launcher",
    "base,Y,X": "base",
    "Title,latitude,lng": "Title",
    "label,LATITUDE_WGS84,LONGITUDE_WGS84": "label",
}
for header in styles:
    path = write("style.csv", header + "\nAlpha,50.6,36.6\nBravo,-33.9,18.4\n")
    feats, err = rings(["--sites", path, "--range", "100km"])
    check(feats is not None and sites_of(feats) == [("Alpha", 50.6, 36.6), ("Bravo", -33.9, 18.4)],
          "header %r: names and points read (%s)" % (header, err.strip()[:120] if feats is None else "ok"))

path = write("semi.csv", "Name;Lat (deg);Lon (deg);Range\nA;50,6;36,6;300,5\nB;-33,9;18,4;\n")
feats, err = rings(["--sites", path, "--range", "100km"])
check(feats is not None and sites_of(feats) == [("A", 50.6, 36.6), ("B", -33.9, 18.4)]
      and [f["properties"]["range_km"] for f in feats] == [300.5, 100.0],
      "';' separator: decimal commas in coordinates and ranges (%s)" % (err.strip()[:160] if feats is None else "ok"))
path = write("comma.csv", 'Name,Lat,Lon\nA,"50,6","36,6"\n')
rc, _, err = run(["rings", "--sites", path, "--range", "100km", "-o", out_file])
check(rc == 1 and "bad latitude '50,6'" in err and not os.path.exists(out_file),
      "',' separator: a decimal comma is a bad latitude, not 50.6 (%s)" % err.strip())

# a coords column: DMS and MGRS, checked with GeoConvert
cells = ["50d36'N 36d36'E", "37UDB1234567890", "33.9S 18.4E", "50.6,36.6"]
ref = []
for c in cells:
    g = subprocess.run(["GeoConvert", "-p", "4"], input=c + "\n", capture_output=True, text=True).stdout.split()
    ref.append((float(g[0]), float(g[1])))
path = write("coords.csv", "site,coords\n" + "".join('S%d,"%s"\n' % (i, c) for i, c in enumerate(cells)))
feats, err = rings(["--sites", path, "--range", "100km"])
# GeoConvert -p 4 prints 9 decimals of a degree: agreement to 1e-8 degrees (1 mm)
ok = feats is not None and len(feats) == len(cells) and all(
    abs(f["properties"]["site_lat"] - r[0]) < 1e-8 and abs(f["properties"]["site_lon"] - r[1]) < 1e-8
    for f, r in zip(feats, ref))
check(ok, "a coords column in DMS, MGRS and hemisphere forms: the points GeoConvert gives (%s)"
      % (err.strip()[:160] if feats is None else [(f["properties"]["site_lat"], f["properties"]["site_lon"]) for f in feats]))
path = write("mgrs.csv", "name,MGRS\nM,37UDB1234567890\n")
feats, _ = rings(["--sites", path, "--range", "100km"])
check(feats is not None and abs(feats[0]["properties"]["site_lat"] - ref[1][0]) < 1e-8,
      "an mgrs column is a point column")
path = write("odd.csv", "who,where_lat,where_lon\nQ,10,20\n")
feats, err = rings(["--sites", path, "--lat-field", "where_lat", "--lon-field", "WHERE LON",
                    "--name-field", "who", "--range", "100km"])
check(feats is not None and sites_of(feats) == [("Q", 10.0, 20.0)],
      "--lat-field/--lon-field/--name-field name columns (exactly or ignoring case and punctuation)")
path = write("pt.csv", "who,spot\nQ,10N 20E\n")
feats, err = rings(["--sites", path, "--point-field", "spot", "--name-field", "who", "--range", "100km"])
check(feats is not None and sites_of(feats) == [("Q", 10.0, 20.0)], "--point-field names a point column")
path = write("none.csv", "who,northing,easting\nQ,10,20\n")
rc, _, err = run(["rings", "--sites", path, "--range", "100km", "-o", out_file])
check(rc == 1 and "found: who, northing, easting" in err and "--lat-field" in err and "--point-field" in err
      and err.count("\n") == 1 and not os.path.exists(out_file),
      "no coordinate columns: exit 1, one line listing the columns and the options: %s" % err.strip())
rc, _, err = run(["rings", "--sites", path, "--lat-field", "lat", "--lon-field", "easting", "--range",
                  "100km", "-o", out_file])
check(rc == 1 and "--lat-field 'lat': no such column" in err and not os.path.exists(out_file),
      "--lat-field of a missing column: exit 1 naming it: %s" % err.strip())

# --- standard input -------------------------------------------------------
feats, err = rings(["--sites", "-", "--range", "100km"], stdin="City,Lat,Lon\nX,50.6,36.6\n")
check(feats is not None and sites_of(feats) == [("X", 50.6, 36.6)], "--sites - reads a CSV from standard input")
gj = json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "G"}, "geometry": {"type": "Point", "coordinates": [36.6, 50.6]}}]})
feats, err = rings(["--sites", "/vsistdin/", "--range", "100km"], stdin=gj)
check(feats is not None and sites_of(feats) == [("G", 50.6, 36.6)], "--sites /vsistdin/ reads GeoJSON from standard input")
rc, out, err = run(["query", "--sites", "-", "--target", "50.45,30.52", "--range", "885km", "--as", "csv", "-q"],
                   stdin="name,lat,lon\nB,50.6,36.6\n")
check(rc == 0 and out.splitlines()[1].startswith('B,,"50.450000,30.520000",'), "query reads its sites from standard input")

# --- parameters per row ---------------------------------------------------
feats, err = rings(["--sites", TABLE, "--range", "250km", "--tolerance", "20m"])
check(feats is not None, "the per-row table is read (%s)" % (err.strip() if feats is None else "ok"))
rows = [l.split(",") for l in open(TABLE, encoding="utf-8").read().splitlines()[1:]]
singles = []
for name, lat, lon, missile, rng, mn, az, tol in rows:
    args = ["--site", "%s=%s,%s" % (name, lat, lon)]
    args += ["--missile", missile] if missile and not rng else []
    if rng:
        args += ["--range", rng]
    elif not missile:
        args += ["--range", "250km"]
    if mn:
        args += ["--min-range", mn]
    if az:
        args += ["--azimuth", az]
    args += ["--tolerance", tol or "20m"]
    if missile and rng:
        # a row's own range for its missile: the catalogue name, that range
        one, e1 = rings(args)
        singles.append((name, one, e1, True))
    else:
        one, e1 = rings(args)
        singles.append((name, one, e1, False))
by_site = {}
for f in feats or []:
    by_site.setdefault(f["properties"]["site"], []).append(f)
for name, one, e1, own_range in singles:
    mine = by_site.get(name, [])
    if own_range:
        # the single run cannot say "KN-23 at 300 mi"; compare with --range and the name
        ok = one is not None and len(mine) == 1 and mine[0]["geometry"] == one[0]["geometry"] and \
            mine[0]["properties"]["missile"] == "KN-23" and one[0]["properties"]["missile"] == ""
    else:
        strip = lambda p: {k: v for k, v in p.items() if k not in ("site",)}
        ok = one is not None and len(mine) == len(one) and all(
            a["geometry"] == b["geometry"] and strip(a["properties"]) == strip(b["properties"])
            for a, b in zip(mine, one))
    check(ok, "row %s: the same features as a single-site run with its values on the command line" % name)
check(feats is not None and [f["properties"]["site"] for f in feats][:2] == ["Belgorod", "Kursk"],
      "rows keep the file's order")

# --union: one coverage per weapon, each the union of its sites' rings
cov, err = rings(["--sites", TABLE, "--range", "250km", "--union"])
weapons = sorted((f["properties"]["missile"], f["properties"]["range_km"], f["properties"]["min_km"],
                  f["properties"]["az_from"], f["properties"]["sites"]) for f in cov or [])
check(cov is not None and len(cov) == 6 and all(w[4] == 1 for w in weapons) and
      [w[1] for w in weapons].count(250.0) == 2 and ("KN-23", 885.0, 0.0, None, 1) in weapons,
      "--union: one coverage per weapon (Bryansk and Crimea: 250 km at tolerances 50 and 20 m, two): %s" % weapons)
same = write("same.csv", "name,lat,lon,range\nA,50,30,400km\nB,52,33,400\nC,55,37,600km\n")
cov, _ = rings(["--sites", same, "--union"])
ref_a, _ = rings(["--site", "50,30", "--site", "52,33", "--range", "400km", "--union"])
check(cov is not None and ref_a is not None and len(cov) == 2 and cov[0]["geometry"] == ref_a[0]["geometry"]
      and cov[0]["properties"]["sites"] == 2,
      "--union of the rows of one range is the union of those sites given on the command line")
cnt, _ = rings(["--sites", same, "--count"])
check(cnt is not None and {f["properties"]["range_km"] for f in cnt} == {400.0, 600.0},
      "--count: overlap bands per range")

# query: each site's own weapon
rc, out, err = run(["query", "--sites", TABLE, "--range", "250km", "--target", "50.45,30.52", "--as", "csv", "-q"])
lines = out.splitlines()[1:]
ok = rc == 0 and len(lines) == 6
for l in lines if ok else []:
    site, missile = l.split(",")[:2]
    row = next(r for r in rows if r[0] == site)
    args = ["query", "--site", "%s=%s,%s" % tuple(row[:3]), "--target", "50.45,30.52", "--as", "csv", "-q"]
    args += ["--missile", row[3]] if row[3] and not row[4] else ["--range", row[4] or "250km"]
    if row[5]:
        args += ["--min-range", row[5]]
    one = run(args)[1].splitlines()[1]
    if row[3] and row[4]:
        ok &= one.split(",")[2:] == l.split(",")[2:]
    else:
        ok &= one == l
check(ok, "query: every site with its own weapon, as single-site queries give it")

# map: each target's verdict (verbose) against pyproj's geodesics with every
# row's weapon (range, minimum range, sector), the catalogue ranges from the table
import pyproj
geod = pyproj.Geod(ellps="WGS84")
cat = {"KN-23": 885.0, "Iskander-M": 500.0}
cat_min = {"KN-23": 0.0, "Iskander-M": 50.0}
targets = [(50.45, 30.52), (55.75, 37.62), (48.0, 37.8), (56.5, 33.0), (52.2, 45.5), (47.5, 30.0),
           (60.0, 30.3), (45.0, 20.0), (42.0, 47.0), (58.5, 46.0)]
png = os.path.join(TMP, "rows.png")
args = ["map", "--sites", TABLE, "--range", "250km", "--tolerance", "20m", "-o", png, "-v"]
for la, lo in targets:
    args += ["--target", "%g,%g" % (la, lo)]
rc, out, err = run(args)
verdicts = [l.split()[2] for l in err.splitlines() if l.startswith("georeach: target ")]
def az_in(az, a, b):
    az, a, b = az % 360, a % 360, b % 360
    return a <= az <= b if a <= b else az >= a or az <= b
want, margin_ok = [], True
for la, lo in targets:
    hit = False
    for name, lat, lon, missile, rng, mn, az, tol in rows:
        missile = {"kn23": "KN-23"}.get(missile, missile)
        r = float(rng.replace("km", "").replace(" mi", "")) * (1.609344 if "mi" in rng else 1) if rng else \
            cat[missile] if missile else 250.0
        r0 = float(mn) if mn else cat_min.get(missile, 0.0) if missile and not rng else 0.0
        fwd, _, d = geod.inv(float(lon), float(lat), lo, la)
        d /= 1000
        margin_ok &= min(abs(d - r), abs(d - r0) if r0 else 1e9) > 1.0
        if r0 <= d <= r and (not az or az_in(fwd, *map(float, az.split(":")))):
            hit = True
    want.append("in-reach" if hit else "out-of-reach")
check(rc == 0 and margin_ok and verdicts == want and "in-reach" in want and "out-of-reach" in want,
      "map: each target's verdict with every row's own weapon, as pyproj's geodesics say: %s" % verdicts)
colours = [l for l in err.splitlines() if l.startswith("georeach: colour ")]
check(len(colours) == 6 and any("Iskander-M 50-500 km, azimuth 300-60" in l for l in colours),
      "map: one legend colour per weapon and group of sites (%d)" % len(colours))

# --- refusals: one line, exit 1 or 2, nothing written ----------------------
bad = [
    ("name,lat,lon,range\nA,50,30,12abc\n", [], 1, "row 1 (A): bad range '12abc' (column range)"),
    ("name,lat,lon,missile\nA,50,30,Nonesuch\n", [], 1, "row 1 (A): bad missile"),
    ("name,lat,lon,range,min_range\nA,50,30,100,200\n", [], 1, "row 1 (A): bad min_range"),
    ("name,lat,lon,azimuth\nA,50,30,north:10\n", ["--range", "100"], 1, "bad azimuth 'north:10'"),
    ("name,lat,lon,az_from,az_to\nA,50,30,10,\n", ["--range", "100"], 1, "bad az_to (empty, and az_from is given)"),
    ("name,lat,lon,tolerance\nA,50,30,-5\n", ["--range", "100"], 1, "bad tolerance '-5'"),
    ("name,lat,lon,range\nA,50,30,\n", [], 1, "row 1 (A): no range"),
    ("name,lat,lon\nA,50,30\n", [], 2, "no range: give --range"),
    ("name,lat,lon,range\nA,50,30,100\n", ["--field-units", "parsecs"], 2, "--field-units: 'parsecs'"),
]
for text, extra, code, needle in bad:
    path = write("bad.csv", text)
    rc, out, err = run(["rings", "--sites", path, "-o", out_file] + extra)
    check(rc == code and needle in err and err.count("\n") == 1 and not os.path.exists(out_file),
          "refused with exit %d naming the culprit (%s): %s" % (code, needle, err.strip()))
path = write("newline.csv", 'name,lat,lon,range,missile\n"A\nB",50,30,abc,\n"C\nD",50,30,,Nonesuch\n')
rc, _, err = run(["rings", "--sites", path, "--range", "100", "-o", out_file])
check(rc == 1 and "row 1 (A\\nB): bad range" in err and err.count("\n") == 1,
      "a name holding a newline is escaped in the message: %r" % err)
path = write("newline2.csv", 'name,lat,lon,missile\n"C\nD",50,30,Nonesuch\n')
rc, _, err = run(["rings", "--sites", path, "--range", "100", "-o", out_file])
check(rc == 1 and "row 1 (C\\nD): bad missile" in err and err.count("\n") == 1,
      "... and in a per-row weapon's message: %r" % err)
path = write("skip.csv", "name,lat,lon,range\nA,50,30,12abc\nB,51,31,100\nC,52,32,Nonesuch\n")
rc, out, err = run(["rings", "--sites", path, "--skip-bad", "-o", "-"])
check(rc == 0 and len(json.loads(out)["features"]) == 1 and "skipped 2 bad rows" in err,
      "--skip-bad skips rows with bad values and counts them: %s" % err.strip())
path = write("units.csv", "name,lat,lon,Range (mi)\nA,50,30,100\n")
feats, _ = rings(["--sites", path])
check(feats is not None and abs(feats[0]["properties"]["range_km"] - 160.9344) < 1e-9,
      "a range column's unit in its name (range_mi): bare numbers in miles")
path = write("units2.csv", "name,lat,lon,range\nA,50,30,100\n")
feats, _ = rings(["--sites", path, "--field-units", "nmi"])
check(feats is not None and abs(feats[0]["properties"]["range_km"] - 185.2) < 1e-9,
      "--field-units nmi: bare numbers in nautical miles")
done()
