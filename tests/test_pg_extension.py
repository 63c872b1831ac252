#!/usr/bin/python3
"""The georeach PostgreSQL extension (src/pg, docs/SQL.md) on a real
throwaway server, against the CLI and independent references.

usage: /usr/bin/python3 tests/test_pg_extension.py PATH/TO/georeach

A throwaway PostgreSQL 15 cluster is started on 127.0.0.1 as in
test_postgis.py (temporary data folder, free port, as "postgres" through
runuser when run as root), always stopped and removed at the end.  Exit 77
(skipped) when PostgreSQL's binaries are missing, or when the extension is
not installed (scripts/setup --gis installs it) outside CI; in CI (CI=true)
a missing extension is a failure.

  * Rings, annuli, sectors, concentric bands, missile rings for the hard
    cases (a pole inside, past a hemisphere, the whole globe, across +/-180)
    against `georeach rings` for the same inputs: the same vertices
    (ST_OrderingEquals of the extension's geometry and the CLI's GeoPackage
    geometry), georeach_area() against the CLI's area_km2 to 1e-9 relative,
    err_m against the CLI's err_m; ST_IsValid; every boundary vertex off the
    cut and pole lines at a geodesic distance (pyproj's Geod, GeographicLib)
    within the tolerance of R or R0 from the site; and, for rings within a
    hemisphere clear of the cut and the poles, ST_Area(geom::geography)
    within tolerance x perimeter of georeach_area().  For the 13,000 km ring
    ST_Area(geography) is shown to be wrong (the world-spanning exterior has
    no geodesic meaning).
  * The catalogue against `georeach missiles --format csv`.
  * georeach_coverage() against `georeach rings --union` for 700 sites
    (buried sites and several union runs: the library's whole path), and
    for a handful across +/-180 and round a pole: area to 1e-9 relative.
  * georeach_overlap() against `georeach rings --count [--min-count 2]`.
  * georeach_basket() against `georeach basket`, with and without a clip
    polygon (--within FILE).
  * Errors: bad arguments give SQLSTATE 22023 with the library's message;
    NULL gives NULL.
  * statement_timeout = 1s stops a coverage of 30,000 sites (tens of seconds
    of work) within 1 s more, under a CPU load the test creates; the session
    and PostGIS's GEOS work afterwards.
  * Parallel query (max_parallel_workers_per_gather = 2, costs 0): the plan
    is parallel and the coverage and the sum of ring areas are the same as
    serial.
"""
import csv
import json
import math
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, DATA, check, done  # noqa: E402


def pg_bindir():
    for d in [os.environ.get("PG_BINDIR", "")] + ["/usr/lib/postgresql/%d/bin" % v for v in (15, 16, 17)]:
        if d and all(os.access(os.path.join(d, b), os.X_OK) for b in ("initdb", "pg_ctl", "postgres")):
            return d
    return None


BINDIR = pg_bindir()
if not BINDIR or not shutil.which("pg_config"):
    print("skip: PostgreSQL 15 (initdb, pg_ctl, pg_config) is not installed (scripts/setup --gis)")
    sys.exit(77)
if not BIN:
    print("usage: test_pg_extension.py GEOREACH")
    sys.exit(2)
SHAREDIR = subprocess.run(["pg_config", "--sharedir"], capture_output=True, text=True).stdout.strip()
if not os.path.exists(os.path.join(SHAREDIR, "extension", "georeach.control")):
    if os.environ.get("CI") == "true":
        check(False, "the georeach extension is installed (scripts/setup --gis)")
        done()
    print("skip: the georeach extension is not installed in %s (scripts/setup --gis)" % SHAREDIR)
    sys.exit(77)

import pyproj  # noqa: E402
from osgeo import ogr  # noqa: E402

ogr.UseExceptions()
GEOD = pyproj.Geod(ellps="WGS84")
AS_ROOT = os.geteuid() == 0
RUN_AS = []
if AS_ROOT:
    user = "postgres"
    try:
        pwd.getpwnam(user)
    except KeyError:
        user = "nobody"
    RUN_AS = ["runuser", "-u", user, "--"]

# The extension loads libgeoreach from the checkout's build/prefix (its
# rpath): the server's user must be able to read it.  A checkout that user
# cannot enter (e.g. under a private home folder) is said and skipped.
if AS_ROOT:
    ext_so = os.path.join(subprocess.run(["pg_config", "--pkglibdir"], capture_output=True,
                                         text=True).stdout.strip(), "georeach.so")
    r = subprocess.run(RUN_AS + ["ldd", ext_so], capture_output=True, text=True)
    if "libgeoreach" in r.stdout and "not found" in r.stdout:
        print("skip: %s cannot read libgeoreach from this checkout (ldd: %s)"
              % (RUN_AS[2], [l.strip() for l in r.stdout.splitlines() if "not found" in l]))
        sys.exit(77)

base = tempfile.mkdtemp(prefix="georeach-pgext-")
os.chmod(base, 0o755)
PGDATA = os.path.join(base, "data")
if AS_ROOT:
    pw = pwd.getpwnam(RUN_AS[2])
    os.chown(base, pw.pw_uid, pw.pw_gid)
work = tempfile.mkdtemp(prefix="georeach-pgext-work-")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=kw.pop("timeout", 600), **kw)


PORT = None
started = False


def stop_cluster():
    if started:
        run(RUN_AS + [os.path.join(BINDIR, "pg_ctl"), "-D", PGDATA, "-m", "immediate", "-w", "stop"])
    shutil.rmtree(base, True)
    shutil.rmtree(work, True)


def psql_raw(sql, db="georeach"):
    return run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose", "-At",
                "-F", "|", "-h", "127.0.0.1", "-p", str(PORT), "-U", "postgres", "-d", db,
                "-c", sql])


def psql(sql, db="georeach"):
    r = psql_raw(sql, db)
    if r.returncode != 0:
        raise RuntimeError("psql: %s: %s" % (sql[:300], r.stderr.strip()))
    return [line.split("|") for line in r.stdout.splitlines() if line]


def georeach(*args):
    r = run([BIN] + list(args))
    if r.returncode != 0:
        print("     georeach %s: exit %d: %s" % (" ".join(args)[:300], r.returncode, r.stderr.strip()[:500]))
    return r


def cli_features(path, layer=None):
    """(wkb hex, fields) of every feature of a GDAL file."""
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName(layer) if layer else ds.GetLayer(0)
    out = []
    for f in lyr:
        g = f.GetGeometryRef()
        out.append((g.ExportToWkb(ogr.wkbNDR).hex(), f.items()))
    return out


def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


def site_sql(lat, lon):
    return "ST_SetSRID(ST_MakePoint(%r, %r), 4326)::geography" % (lon, lat)


try:
    # ------------------------------------------------------------ cluster
    r = run(RUN_AS + [os.path.join(BINDIR, "initdb"), "-D", PGDATA, "-A", "trust", "-U", "postgres",
                      "-E", "UTF8", "--locale=C", "--no-sync"])
    if not check(r.returncode == 0, "initdb a throwaway cluster in %s" % PGDATA):
        print(r.stderr)
        raise SystemExit
    for attempt in range(3):
        PORT = free_port()
        r = run(RUN_AS + [os.path.join(BINDIR, "pg_ctl"), "-D", PGDATA, "-w", "-t", "60",
                          "-l", os.path.join(base, "log"), "-o",
                          "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off "
                          "-c full_page_writes=off -c max_worker_processes=8 "
                          "-c max_parallel_workers=4" % (PORT, base), "start"])
        if r.returncode == 0:
            started = True
            break
    if not check(started, "PostgreSQL started on 127.0.0.1:%s" % PORT):
        print(open(os.path.join(base, "log")).read()[-2000:])
        raise SystemExit
    psql("CREATE DATABASE georeach", db="postgres")
    psql("CREATE EXTENSION postgis")
    psql("CREATE EXTENSION georeach")
    check(True, "CREATE EXTENSION georeach (version %s), PostGIS %s" % (
        psql("SELECT extversion FROM pg_extension WHERE extname = 'georeach'")[0][0],
        psql("SELECT postgis_lib_version()")[0][0]))

    # --------------------------------------------------------- rings
    # name, lat, lon, range_m, min_range_m, azimuths, tolerance_m, simple
    cases = [
        ("KN-23 from Belgorod", 50.6, 36.6, 885e3, 0, None, 10.0, True),
        ("13,000 km from Pyongyang (past a hemisphere)", 39.03, 125.75, 13000e3, 0, None, 10.0, False),
        ("1,000 km round 89.5N (North Pole inside)", 89.5, 0.0, 1000e3, 0, None, 10.0, False),
        ("3,000 km from Fiji (across +/-180)", -17.7, 178.0, 3000e3, 0, None, 10.0, False),
        ("whole globe (20,100 km)", 10.0, 20.0, 20100e3, 0, None, 10.0, False),
        ("annulus 1,000-3,000 km from Pyongyang", 39.03, 125.75, 3000e3, 1000e3, None, 10.0, True),
        ("sector 300..60 deg, 2,000 km from Tehran", 35.7, 51.4, 2000e3, 0, (300.0, 60.0), 1.0, True),
        ("annular sector 500-1500 km, 90..180 deg, 1 km tolerance", 40.0, -100.0, 1500e3, 500e3,
         (90.0, 180.0), 1000.0, True),
        ("South Pole inside, 2,500 km from 70S 179.9E", -70.0, 179.9, 2500e3, 0, None, 5.0, False),
    ]
    for name, lat, lon, R, R0, az, tol, simple in cases:
        out = os.path.join(work, "ring.gpkg")
        args = ["rings", "--site", "%r,%r" % (lat, lon), "--range", "%rm" % R,
                "--tolerance", "%rm" % tol, "-o", out, "--overwrite", "--quiet"]
        if R0:
            args += ["--min-range", "%rm" % R0]
        if az:
            args += ["--azimuth", "%r:%r" % az]
        if georeach(*args).returncode != 0:
            check(False, "%s: the CLI builds it" % name)
            continue
        wkb, fields = cli_features(out)[0]
        azs = "%r, %r" % az if az else "NULL, NULL"
        row = psql(
            "WITH e AS (SELECT (georeach_ring_ex(%s, %r, %r, %s, %s)).*), "
            "c AS (SELECT ST_GeomFromWKB('\\x%s'::bytea, 4326) AS g) "
            "SELECT ST_OrderingEquals(e.geom, c.g), ST_IsValid(e.geom), georeach_area(e.geom), "
            "e.err_m, e.area_m2, ST_GeometryType(e.geom), ST_SRID(e.geom), "
            "ST_Area(e.geom::geography), ST_Perimeter(e.geom::geography), ST_AsGeoJSON(e.geom, 17), "
            "georeach_area(georeach_ring(%s, %r, %r, %s, %s)) = georeach_area(e.geom) "
            "FROM e, c" % (site_sql(lat, lon), R, R0, azs, tol, wkb, site_sql(lat, lon), R, R0, azs, tol))[0]
        same, valid, area, err, area_m2 = row[0] == "t", row[1] == "t", float(row[2]), float(row[3]), float(row[4])
        check(same, "%s: the same vertices as `georeach rings` (ST_OrderingEquals)" % name)
        check(valid and row[5] == "ST_MultiPolygon" and row[6] == "4326",
              "%s: a valid MultiPolygon, SRID 4326" % name)
        check(rel(area, fields["area_km2"] * 1e6) < 1e-9 and rel(area_m2, area) < 1e-12,
              "%s: georeach_area %.6f km2 = CLI area_km2 %.6f (1e-9 relative)" % (
                  name, area / 1e6, fields["area_km2"]))
        check(abs(err - fields["err_m"]) <= 1e-6 * max(1.0, err) and err <= tol,
              "%s: err_m %.4f m = CLI's %.4f m, within the tolerance %g m" % (name, err, fields["err_m"], tol))
        check(row[10] == "t", "%s: georeach_ring() is georeach_ring_ex()'s geom" % name)
        # independent: geodesic distance of the boundary vertices from the site
        gj = json.loads(row[9])
        worst = 0.0
        nv = 0
        if R < 20003931.46:
            for poly in gj["coordinates"]:
                for ring in poly:
                    for x, y in ring:
                        if abs(abs(x) - 180) < 1e-9 or abs(abs(y) - 90) < 1e-9:
                            continue  # cut and pole lines are no boundary
                        az12, _, s = GEOD.inv(lon, lat, x, y)
                        d = min(abs(s - R), abs(s - R0) if R0 else 1e300)
                        if az:
                            # or on a radial edge: the distance from the
                            # geodesic at that azimuth, s |sin(az12 - az)|
                            for a in az:
                                d = min(d, s * abs(math.sin(math.radians(az12 - a))))
                        worst = max(worst, d)
                        nv += 1
            check(nv > 20 and worst <= tol,
                  "%s: %d boundary vertices at geodesic distance (pyproj) R or R0 within %.3g m (tolerance %g)"
                  % (name, nv, worst, tol))
        else:
            check(area > 0 and rel(area, 5.10065622e14) < 1e-6,
                  "%s: the whole ellipsoid, %.6e m2" % (name, area))
        if simple:
            pg_area, perim = float(row[7]), float(row[8])
            check(abs(pg_area - area) <= tol * perim,
                  "%s: ST_Area(geography) %.1f km2 within tolerance x perimeter (%.1f km2) of georeach_area"
                  % (name, pg_area / 1e6, tol * perim / 1e6))
        if not az and R < 10000e3:
            # independent: PostGIS's geodesic area of georeach_geography()
            geo = psql("SELECT ST_Area(georeach_geography(g)), ST_Perimeter(georeach_geography(g)) FROM "
                       "(SELECT georeach_ring(%s, %r, %r, NULL, NULL, %r) g) s" % (site_sql(lat, lon), R, R0, tol))[0]
            ga, gp = float(geo[0]), float(geo[1])
            check(abs(ga - area) <= (tol + 8.0) * gp,
                  "%s: ST_Area(georeach_geography()) %.1f km2 within (tolerance + 8 m) x perimeter (%.1f km2) "
                  "of georeach_area" % (name, ga / 1e6, (tol + 8.0) * gp / 1e6))
        if R == 13000e3:
            r = psql_raw("SELECT georeach_geography(georeach_ring(%s, 13000e3))" % site_sql(lat, lon))
            check(r.returncode != 0 and "22023" in r.stderr and "half the Earth" in r.stderr,
                  "%s: georeach_geography refuses it (22023, more than half the Earth)" % name)
            pg_area = float(row[7])
            check(pg_area < 0.5 * area,
                  "%s: ST_Area(geom::geography) reads the world-spanning exterior as geodesics: %.0f km2, "
                  "not %.0f km2 (docs/SQL.md)" % (name, pg_area / 1e6, area / 1e6))

    # geometry(Point, 4326) sites give the same as geography
    row = psql("SELECT ST_OrderingEquals(georeach_ring(ST_SetSRID(ST_MakePoint(36.6, 50.6), 4326), 885e3), "
               "georeach_ring(%s, 885e3))" % site_sql(50.6, 36.6))[0]
    check(row[0] == "t", "a geometry(Point,4326) site gives the geography site's ring")
    row = psql("SELECT ST_OrderingEquals(georeach_annulus(%s, 1e6, 3e6), georeach_ring(%s, 3e6, 1e6)), "
               "ST_OrderingEquals(georeach_sector(%s, 2e6, 300, 60), georeach_ring(%s, 2e6, 0, 300, 60))"
               % ((site_sql(39.03, 125.75),) * 2 + (site_sql(35.7, 51.4),) * 2))[0]
    check(row == ["t", "t"], "georeach_annulus and georeach_sector are georeach_ring with min range / azimuths")

    # the geometry(Point, 4326) overloads of the geography-site functions
    g1, g2 = site_sql(50.6, 36.6), "ST_SetSRID(ST_MakePoint(36.6, 50.6), 4326)"
    h1, h2 = site_sql(49.8, 24.0), "ST_SetSRID(ST_MakePoint(24.0, 49.8), 4326)"
    row = psql(
        "SELECT (SELECT bool_and(ST_OrderingEquals(a.geom, b.geom)) FROM georeach_concentric(%s, '{1e6,2e6}') a "
        "JOIN georeach_concentric(%s, '{1e6,2e6}') b USING (range_m)), "
        "ST_OrderingEquals(georeach_missile_ring(%s, 'KN-23'), georeach_missile_ring(%s, 'KN-23')), "
        "ST_OrderingEquals(georeach_basket(ARRAY[%s, %s], 1e6), georeach_basket(ARRAY[%s, %s], 1e6)), "
        "(SELECT bool_and(ST_OrderingEquals(a.geom, b.geom)) FROM georeach_overlap(ARRAY[%s, %s], 1e6) a "
        "JOIN georeach_overlap(ARRAY[%s, %s], 1e6) b USING (count))"
        % (g1, g2, g1, g2, g1, h1, g2, h2, g1, h1, g2, h2))[0]
    check(row == ["t"] * 4, "geometry(Point,4326) sites: concentric, missile ring, basket and overlap "
          "as with geography sites")
    r = psql_raw("SELECT georeach_missile_ring(ST_SetSRID(ST_MakePoint(10, 10), 3857), 'KN-23')")
    check(r.returncode != 0 and "22023" in r.stderr and "SRID 3857" in r.stderr,
          "a geometry site in SRID 3857 is refused (22023) before any cast to geography")

    # concentric bands vs the CLI's --rings
    out = os.path.join(work, "conc.gpkg")
    georeach("rings", "--site", "89.0,0", "--rings", "1000km,2000km,3000km", "-o", out, "--overwrite", "--quiet")
    cli = [f[1]["area_km2"] for f in cli_features(out)]
    rows = psql("SELECT min_range_m, range_m, georeach_area(geom), ST_IsValid(geom) FROM "
                "georeach_concentric(%s, '{3e6,1e6,2e6}') ORDER BY range_m" % site_sql(89.0, 0.0))
    bands = [float(r[2]) for r in rows]
    discs = [sum(bands[:i + 1]) for i in range(len(bands))]
    check(len(rows) == 3 and [float(r[0]) for r in rows] == [0, 1e6, 2e6] and all(r[3] == "t" for r in rows)
          and all(rel(d, c * 1e6) < 1e-9 for d, c in zip(discs, cli)),
          "georeach_concentric round 89N: bands 0-1000-2000-3000 km whose cumulative areas are the CLI's "
          "--rings discs (1e-9)")

    # missile rings and the catalogue
    row = psql("SELECT ST_OrderingEquals(georeach_missile_ring(%s, 'kn23'), georeach_ring(%s, 885e3))"
               % ((site_sql(50.6, 36.6),) * 2))[0]
    check(row[0] == "t", "georeach_missile_ring(site, 'kn23') is the 885 km ring")
    r = georeach("missiles", "--format", "csv")
    cat = list(csv.DictReader(r.stdout.splitlines()))
    rows = psql("SELECT missile, coalesce(range_m::text, ''), min_range_m, coalesce(source, '') "
                "FROM georeach_catalogue()")
    same = len(rows) == len(cat) and len(cat) > 20
    for c, s in zip(cat, rows):
        km = c["range_km"]
        same = same and c["name"] == s[0] and (
            (km == "" and s[1] == "") or (km != "" and abs(float(km) * 1000 - float(s[1])) < 1e-6)) \
            and c["source"] == s[3]
    check(same, "georeach_catalogue(): %d rows, names, ranges (m) and sources as `georeach missiles`"
          % len(rows))

    # ------------------------------------------------------ coverage
    import random
    rnd = random.Random(20)
    sites = [(rnd.uniform(30, 55), rnd.uniform(20, 60)) for _ in range(700)]
    with open(os.path.join(work, "sites.csv"), "w") as f:
        f.write("name,lat,lon\n")
        for i, (la, lo) in enumerate(sites):
            f.write("s%d,%r,%r\n" % (i, la, lo))
    psql("CREATE TABLE sites (id int PRIMARY KEY, site geography(Point, 4326))")
    psql("INSERT INTO sites VALUES " + ",".join(
        "(%d, %s)" % (i, site_sql(la, lo)) for i, (la, lo) in enumerate(sites)))
    for R in (1500e3, 300e3):
        out = os.path.join(work, "cov.gpkg")
        georeach("rings", "--sites", os.path.join(work, "sites.csv"), "--range", "%rm" % R, "--union",
                 "-o", out, "--overwrite", "--quiet")
        cli = [f for f in cli_features(out, "coverage")][0]
        row = psql("SELECT georeach_area(g), ST_IsValid(g), ST_NumGeometries(g) FROM "
                   "(SELECT georeach_coverage(site, %r) AS g FROM sites) s" % R)[0]
        check(rel(float(row[0]), cli[1]["area_km2"] * 1e6) < 1e-9 and row[1] == "t",
              "georeach_coverage of 700 sites at %g km: %.3f km2 = `rings --union` %.3f km2 (1e-9), valid"
              % (R / 1e3, float(row[0]) / 1e6, cli[1]["area_km2"]))
    hard = [(-17.7, 178.0), (-16.0, -179.0), (65.0, 179.5), (88.0, 10.0), (85.0, -120.0)]
    with open(os.path.join(work, "hard.csv"), "w") as f:
        f.write("name,lat,lon\n")
        for i, (la, lo) in enumerate(hard):
            f.write("h%d,%r,%r\n" % (i, la, lo))
    out = os.path.join(work, "hard.gpkg")
    georeach("rings", "--sites", os.path.join(work, "hard.csv"), "--range", "2500km", "--union",
             "-o", out, "--overwrite", "--quiet")
    cli = cli_features(out, "coverage")[0]
    row = psql("SELECT georeach_area(g), ST_IsValid(g) FROM (SELECT georeach_coverage(s, 2500e3) g FROM "
               "(VALUES %s) v(s)) x" % ",".join("(%s)" % site_sql(la, lo) for la, lo in hard))[0]
    check(rel(float(row[0]), cli[1]["area_km2"] * 1e6) < 1e-9 and row[1] == "t",
          "georeach_coverage across +/-180 and round the North Pole: %.3f km2 = CLI (1e-9), valid"
          % (float(row[0]) / 1e6))

    # ---------------------------------------------------- overlap counts
    ov = [(50.0, 30.0), (51.0, 33.0), (49.0, 35.0), (50.5, 31.0), (-17.7, 178.0), (-17.0, -179.5)]
    with open(os.path.join(work, "ov.csv"), "w") as f:
        f.write("name,lat,lon\n")
        for i, (la, lo) in enumerate(ov):
            f.write("o%d,%r,%r\n" % (i, la, lo))
    arr = "ARRAY[%s]" % ",".join(site_sql(la, lo) for la, lo in ov)
    for k in (0, 2):
        out = os.path.join(work, "ov.gpkg")
        georeach("rings", "--sites", os.path.join(work, "ov.csv"), "--range", "500km", "--count",
                 *(["--min-count", str(k)] if k else []), "-o", out, "--overwrite", "--quiet")
        cli = sorted((f[1]["count"], f[1]["area_km2"], f[0]) for f in cli_features(out, "overlap"))
        rows = psql("SELECT count, at_least, georeach_area(geom), ST_IsValid(geom), ST_AsBinary(geom) "
                    "FROM georeach_overlap(%s, 500e3, 10, %d) ORDER BY count" % (arr, k))
        same = len(rows) == len(cli) and len(rows) > 0
        for r, c in zip(rows, cli):
            same = same and int(r[0]) == c[0] and (r[1] == "t") == (k > 0) and r[3] == "t" \
                and rel(float(r[2]), c[1] * 1e6) < 1e-9 and r[4][2:] == c[2]
        check(same, "georeach_overlap(min_count %d): %d bands as `rings --count%s` (counts, same WKB, "
              "area 1e-9, valid)" % (k, len(rows), " --min-count %d" % k if k else ""))

    # -------------------------------------------------------- baskets
    targets = [(50.45, 30.52), (49.84, 24.03), (46.48, 30.72)]
    out = os.path.join(work, "basket.gpkg")
    targs = []
    for la, lo in targets:
        targs += ["--target", "%r,%r" % (la, lo)]
    georeach("basket", *targs, "--range", "1500km", "-o", out, "--overwrite", "--quiet")
    cli = cli_features(out)[0]
    arr = "ARRAY[%s]" % ",".join(site_sql(la, lo) for la, lo in targets)
    row = psql("SELECT georeach_area(g), ST_IsValid(g), ST_OrderingEquals(g, ST_GeomFromWKB('\\x%s'::bytea, 4326)) "
               "FROM (SELECT georeach_basket(%s, 1500e3) g) s" % (cli[0], arr))[0]
    check(rel(float(row[0]), cli[1]["area_km2"] * 1e6) < 1e-9 and row[1] == "t" and row[2] == "t",
          "georeach_basket of 3 targets at 1,500 km: the CLI's basket (same vertices, area 1e-9)")
    clip = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon", "coordinates": [[[25, 45], [45, 45], [45, 60], [25, 60], [25, 45]]]}}]}
    with open(os.path.join(work, "clip.geojson"), "w") as f:
        json.dump(clip, f)
    georeach("basket", *targs, "--range", "1500km", "--within", os.path.join(work, "clip.geojson"),
             "-o", out, "--overwrite", "--quiet")
    cli = cli_features(out)[0]
    row = psql("SELECT georeach_area(g), ST_IsValid(g) FROM (SELECT georeach_basket(%s, 1500e3, 0, 10, "
               "ST_MakeEnvelope(25, 45, 45, 60, 4326)) g) s" % arr)[0]
    check(rel(float(row[0]), cli[1]["area_km2"] * 1e6) < 1e-9 and row[1] == "t",
          "georeach_basket clipped to a polygon: %.3f km2 = `basket --within FILE` (1e-9)" % (float(row[0]) / 1e6))

    # --------------------------------------------------------- errors
    bad = [
        ("a negative range", "SELECT georeach_ring(%s, -5)" % site_sql(50, 36)),
        ("a tolerance below 0.1 m", "SELECT georeach_ring(%s, 1e6, 0, NULL, NULL, 0.01)" % site_sql(50, 36)),
        ("min range above range", "SELECT georeach_annulus(%s, 2e6, 1e6)" % site_sql(50, 36)),
        ("latitude 91", "SELECT georeach_ring(ST_SetSRID(ST_MakePoint(10, 91), 4326), 1e6)"),
        ("a polygon as site", "SELECT georeach_ring(ST_MakeEnvelope(0, 0, 1, 1, 4326), 1e6)"),
        ("SRID 3857", "SELECT georeach_ring(ST_SetSRID(ST_MakePoint(10, 10), 3857), 1e6)"),
        ("an unknown missile", "SELECT georeach_missile_ring(%s, 'no-such-missile')" % site_sql(50, 36)),
        ("a sector with one azimuth", "SELECT georeach_ring(%s, 1e6, 0, 10, NULL)" % site_sql(50, 36)),
        ("two ranges in one coverage group",
         "SELECT georeach_coverage(s, r) FROM (VALUES (%s, 1e6), (%s, 2e6)) v(s, r)"
         % (site_sql(50, 36), site_sql(51, 37))),
        ("a basket of no targets", "SELECT georeach_basket('{}'::geography[], 1e6)"),
    ]
    for what, sql in bad:
        r = psql_raw(sql)
        check(r.returncode != 0 and "ERROR:  22023:" in r.stderr and "georeach:" in r.stderr,
              "%s: SQLSTATE 22023 with the library's message (%s)" % (
                  what, r.stderr.strip().splitlines()[0][:140] if r.stderr.strip() else "no error"))
    row = psql("SELECT georeach_ring(NULL::geography, 1e6) IS NULL, georeach_ring(%s, NULL) IS NULL, "
               "georeach_area(NULL) IS NULL" % site_sql(50, 36))[0]
    check(row == ["t", "t", "t"], "NULL site, NULL range and NULL geometry give NULL")

    # --------------------------------------------------- cancellation
    psql("CREATE TABLE many AS SELECT i, ST_SetSRID(ST_MakePoint(-180 + 360 * random(), "
         "-80 + 160 * random()), 4326)::geography AS site FROM generate_series(1, 30000) i")
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        t0 = time.monotonic()
        r = psql_raw("SET statement_timeout = '1s'; SET max_parallel_workers_per_gather = 0; "
                     "SELECT georeach_area(georeach_coverage(site, 3000e3, 1.0)) FROM many")
        elapsed = time.monotonic() - t0
    finally:
        burner.kill()
        burner.wait()
    check(r.returncode != 0 and "57014" in r.stderr and elapsed < 2.0,
          "statement_timeout = 1s stops a coverage of 30,000 sites after %.2f s (< 2 s, one busy process "
          "beside it): %s" % (elapsed, (r.stderr.strip().splitlines() or ["no error"])[0][:100]))
    row = psql("SELECT ST_Area(ST_Union(ST_Buffer(ST_MakePoint(x, 0), 1))) > 0, "
               "georeach_area(georeach_ring(%s, 1e6)) > 0 FROM generate_series(0, 3) x" % site_sql(0, 0))[0]
    check(row == ["t", "t"], "after the cancel, PostGIS (GEOS) and georeach work in a new session")
    # and in the same session: PostGIS's SIGINT handler asks GEOS to stop
    # too; a request left pending must not break the session's next union
    r = run(["psql", "-X", "-q", "-At", "-h", "127.0.0.1", "-p", str(PORT), "-U", "postgres", "-d",
             "georeach", "-f", "-"], input=
            "SET statement_timeout = '1s';\n"
            "SELECT georeach_area(georeach_coverage(site, 3000e3, 1.0)) FROM many;\n"
            "RESET statement_timeout;\n"
            "SELECT 'union', round(ST_Area(ST_Union(ST_Buffer(ST_MakePoint(x, 0), 1)))::numeric, 6) "
            "FROM generate_series(0, 3) x;\n"
            "SELECT 'ring', georeach_area(georeach_coverage(site, 1e6)) > 0 FROM sites;\n")
    check("57014" in r.stderr or "statement timeout" in r.stderr, "the same session: the coverage is cancelled")
    check("union|" in r.stdout and "ring|t" in r.stdout,
          "the same session after the cancel: ST_Union (GEOS) and georeach_coverage still work (%s)"
          % (r.stdout.strip().replace("\n", "; ") or r.stderr.strip()[:200]))

    # -------------------------------------------------- parallel query
    par = ("SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; "
           "SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; ")
    ser = "SET max_parallel_workers_per_gather = 0; "
    q_cov = "SELECT ST_AsBinary(georeach_coverage(site, 1500e3)) FROM sites"
    q_sum = "SELECT sum(georeach_area(georeach_ring(site, 2000e3))) FROM sites"
    plan = "\n".join(x[0] for x in psql(par + "EXPLAIN " + q_cov))
    check("Gather" in plan and "Partial Aggregate" in plan,
          "with max_parallel_workers_per_gather = 2 the coverage plan is parallel (Gather, Partial Aggregate)")
    b = psql(ser + q_cov)[0][0]
    # three times: a worker's message to the leader raises an interrupt
    # that is no cancel, at a moment that varies (once taken for a cancel)
    runs = [psql_raw(par + q_cov) for _ in range(3)]
    a = [r.stdout.strip() for r in runs]
    check(all(r.returncode == 0 for r in runs) and all(x == b for x in a) and len(b) > 1000,
          "parallel coverage = serial coverage, byte for byte, 3 runs (%d bytes of WKB)%s" % (
              len(b), "".join(" " + r.stderr.strip()[:120] for r in runs if r.returncode)))
    a, b = float(psql(par + q_sum)[0][0]), float(psql(ser + q_sum)[0][0])
    check(rel(a, b) < 1e-12, "parallel sum of 700 ring areas = serial (%.6e m2)" % a)
except (RuntimeError, subprocess.TimeoutExpired) as e:
    check(False, "unexpected: %s" % e)
finally:
    stop_cluster()
done()
