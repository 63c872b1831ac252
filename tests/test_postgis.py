#!/usr/bin/python3
"""georeach against PostGIS: sites and targets read from PostGIS tables,
rings, baskets, coverage and query rows written to PostGIS tables, and the
stored geometries judged by PostGIS itself.

usage: /usr/bin/python3 tests/test_postgis.py PATH/TO/georeach

A throwaway PostgreSQL 15 + PostGIS 3 cluster is started on 127.0.0.1 (a
temporary data folder, a free port; as the user "postgres" through runuser
when run as root) and always stopped and removed at the end.  Exit 77
(skipped) only when PostgreSQL's binaries are missing.

  * --sites 'PG:... tables=launch_sites' (a geometry(Point,4326) table),
    a sites table in EPSG:3857 (reprojected on reading), and --targets from a
    table with lat/lon columns; a connection naming no table, of a database
    with several, is refused naming them.
  * -o PG:...: table "rings" (or tables=NAME / SCHEMA.NAME), geometry
    column geom, geometry(MultiPolygon,4326), a GiST index; one row per
    ring with every field.
  * ST_IsValid on every stored geometry.
  * ST_Area(geom::geography), which PostGIS computes on the spheroid with
    GeographicLib's algorithm, against the same polygon's area from pyproj's
    Geod (also GeographicLib): relative difference < 1e-9 (the same
    algorithm on the same vertices: PostGIS stored what georeach wrote).
    Against georeach's area_km2: georeach integrates straight lon/lat edges
    (what GeoJSON and QGIS draw), PostGIS geodesic edges; the two differ by
    the thin lenses between each edge and its geodesic.  For an edge spanning
    dlon at latitude phi the geodesic bows poleward by about
    R dlon^2 sin(phi) cos(phi) / 8, a lens of 2/3 of that times the edge's
    length R cos(phi) dlon; the test requires |difference| <= the sum of the
    lenses over all edges (with no cancellation between north and south
    edges: an upper bound), and also relative < 1e-6 (the bound is ~1e-6 for
    the 885 km rings, whose edges are ~9 km; the difference is ~1e-7).
  * Query: georeach query reads sites and targets from PostGIS and writes
    the rows to PostGIS; in_range against ST_DWithin(site::geography,
    target::geography, range) for every pair farther than 1 m from the
    range, and dist_km against ST_Distance(geography) to 1 mm; and, for
    targets more than 100 m (10x the tolerance) from the boundary, in_range
    against ST_Intersects of the stored ring and the target.
  * Nothing half-written: writing to an existing table without --overwrite
    is refused (exit 1) and the table is unchanged; a run that fails midway
    (a bad site row after 1,500 good ones) and runs interrupted by SIGINT
    after rows were sent (--overwrite: the old table is back unchanged; a new
    table: none is left) leave the database as it was, and no session is
    left open; a password in the connection string is not echoed.
  * basket and rings --union write their tables (valid, GiST-indexed).
"""
import csv
import math
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, DATA, check, done  # noqa: E402

T0 = time.time()


def pg_bindir():
    for d in [os.environ.get("PG_BINDIR", "")] + ["/usr/lib/postgresql/%d/bin" % v for v in (15, 16, 17, 14, 13)]:
        if d and all(os.access(os.path.join(d, b), os.X_OK) for b in ("initdb", "pg_ctl", "postgres")):
            return d
    try:
        d = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        if d and os.access(os.path.join(d, "initdb"), os.X_OK):
            return d
    except OSError:
        pass
    return None


BINDIR = pg_bindir()
if not BINDIR:
    print("skip: PostgreSQL's initdb/pg_ctl/postgres are not installed (scripts/setup installs "
          "postgresql-15-postgis-3)")
    sys.exit(77)
if not BIN:
    print("usage: test_postgis.py GEOREACH")
    sys.exit(2)

import numpy as np  # noqa: E402
import pyproj  # noqa: E402
import shapely.wkb  # noqa: E402

GEOD = pyproj.Geod(ellps="WGS84")
R_EARTH = 6371008.8
AS_ROOT = os.geteuid() == 0
RUN_AS = []
if AS_ROOT:
    user = "postgres"
    try:
        pwd.getpwnam(user)
    except KeyError:
        user = "nobody"
    RUN_AS = ["runuser", "-u", user, "--"]

base = tempfile.mkdtemp(prefix="georeach-pg-")
os.chmod(base, 0o755)
PGDATA = os.path.join(base, "data")
if AS_ROOT:
    pw = pwd.getpwnam(RUN_AS[2])
    os.chown(base, pw.pw_uid, pw.pw_gid)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=kw.pop("timeout", 300), **kw)


PORT = None
started = False


def stop_cluster():
    if started:
        run(RUN_AS + [os.path.join(BINDIR, "pg_ctl"), "-D", PGDATA, "-m", "immediate", "-w", "stop"])
    shutil.rmtree(base, True)


def psql(sql, db="georeach", ok=True):
    r = run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-F", "|", "-h", "127.0.0.1",
             "-p", str(PORT), "-U", "postgres", "-d", db, "-c", sql])
    if ok and r.returncode != 0:
        raise RuntimeError("psql: %s: %s" % (sql[:200], r.stderr.strip()))
    return [line.split("|") for line in r.stdout.splitlines() if line]


def georeach(*args, expect=0):
    r = run([BIN] + list(args))
    if r.returncode != expect:
        print("     georeach %s: exit %d: %s" % (" ".join(args)[:300], r.returncode, r.stderr.strip()[:500]))
    return r


def table_digest(table):
    rows = psql("SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY ogc_fid), '')) "
                "FROM %s t" % table)
    return tuple(rows[0])


def table_exists(table):
    return psql("SELECT to_regclass('%s') IS NOT NULL" % table)[0][0] == "t"


def lens_bound_m2(geom):
    """Sum over edges of the lens between a straight lon/lat edge and the
    geodesic through its ends (no cancellation): an upper bound of the area
    difference between the two readings of the polygon."""
    total = 0.0
    polys = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
    for p in polys:
        for ring in [p.exterior] + list(p.interiors):
            xy = np.asarray(ring.coords)
            dlon = np.radians(np.abs(np.diff(xy[:, 0])))
            phi = np.radians(np.maximum(np.abs(xy[:-1, 1]), np.abs(xy[1:, 1])))
            sag = R_EARTH * dlon ** 2 * np.sin(phi) * np.cos(phi) / 8
            total += float(np.sum(2.0 / 3.0 * R_EARTH * np.cos(phi) * dlon * sag))
    return total


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
                          "-c full_page_writes=off" % (PORT, base), "start"])
        if r.returncode == 0:
            started = True
            break
    if not check(started, "PostgreSQL started on 127.0.0.1:%s" % PORT):
        print(open(os.path.join(base, "log")).read()[-2000:])
        raise SystemExit
    psql("CREATE DATABASE georeach", db="postgres")
    psql("CREATE EXTENSION postgis")
    check(True, "PostGIS %s" % psql("SELECT postgis_lib_version()")[0][0])
    PG = "PG:host=127.0.0.1 port=%d dbname=georeach user=postgres" % PORT

    # ---------------------------------------------------- input tables
    with open(os.path.join(DATA, "sites", "jan2024_launch_areas.csv"), newline="") as f:
        sites = [(r["name"], float(r["lat"]), float(r["lon"])) for r in csv.DictReader(f)]
    psql("CREATE TABLE launch_sites (id serial PRIMARY KEY, name text, geom geometry(Point, 4326));"
         "CREATE TABLE launch_sites_3857 (id serial PRIMARY KEY, name text, geom geometry(Point, 3857));" +
         "".join("INSERT INTO launch_sites (name, geom) VALUES ('%s', ST_SetSRID(ST_MakePoint(%r, %r), 4326));"
                 % (n.replace("'", "''"), lon, lat) for n, lat, lon in sites) +
         "INSERT INTO launch_sites_3857 (name, geom) SELECT name, ST_Transform(geom, 3857) FROM launch_sites")
    with open(os.path.join(DATA, "cities.csv"), newline="") as f:
        targets = [(r["name"], float(r["lat"]), float(r["lon"])) for r in csv.DictReader(f)
                   if r["country_code"] in ("UA", "BY", "PL", "MD", "RO", "LT") and int(r["population"]) >= 150000]
    psql("CREATE TABLE targets (name text, lat float8, lon float8);" +
         "".join("INSERT INTO targets VALUES ('%s', %r, %r);" % (n.replace("'", "''"), lat, lon)
                 for n, lat, lon in targets))
    check(len(sites) == 4 and len(targets) > 40, "tables launch_sites (4), launch_sites_3857, targets (%d, lat/lon "
          "columns)" % len(targets))

    # ------------------------------------------------------------ rings
    src = "%s tables=launch_sites" % PG
    r = georeach("rings", "--sites", src, "--missile", "KN-23,Iskander-M", "-o", PG, "-q")
    check(r.returncode == 0, "rings --sites 'PG:... tables=launch_sites' -o 'PG:...': exit 0")
    rows = psql("SELECT site, missile, range_km, area_km2, ST_IsValid(geom), ST_IsValidReason(geom), "
                "ST_Area(geom::geography), ST_AsHEXEWKB(geom), ST_NPoints(geom) FROM rings ORDER BY ogc_fid")
    check(len(rows) == 8 and [x[0] for x in rows[::2]] == [s[0] for s in sites]
          and [x[1] for x in rows[:2]] == ["KN-23", "Iskander-M"],
          "table rings: 8 rows, site by site, KN-23 then Iskander-M (%d)" % len(rows))
    gc = psql("SELECT f_geometry_column, srid, type FROM geometry_columns WHERE f_table_name = 'rings'")
    check(gc == [["geom", "4326", "MULTIPOLYGON"]], "rings.geom is geometry(MultiPolygon, 4326) (%s)" % gc)
    idx = psql("SELECT indexdef FROM pg_indexes WHERE tablename = 'rings' AND indexdef ILIKE '%gist (geom)%'")
    check(len(idx) == 1, "rings has a GiST index on geom (%s)" % idx)
    check(all(x[4] == "t" for x in rows), "ST_IsValid on every ring (%s)" % [x[5] for x in rows if x[4] != "t"])
    worst_pp = worst_gr = 0.0
    ok_pp = ok_gr = True
    for site, missile, rng, area_km2, _, _, pg_m2, hexwkb, npts in rows:
        g = shapely.wkb.loads(bytes.fromhex(hexwkb))
        pp_m2 = abs(GEOD.geometry_area_perimeter(g)[0])
        pg_m2, gr_m2 = float(pg_m2), float(area_km2) * 1e6
        rel_pp = abs(pg_m2 - pp_m2) / pp_m2
        rel_gr = abs(pg_m2 - gr_m2) / pg_m2
        bound = lens_bound_m2(g)
        worst_pp, worst_gr = max(worst_pp, rel_pp), max(worst_gr, rel_gr)
        ok_pp &= rel_pp < 1e-9
        if not (abs(pg_m2 - gr_m2) <= bound and rel_gr < 1e-6):
            ok_gr = False
            print("     %s %s: PostGIS %.1f m2, georeach %.1f m2, diff %.1f m2, lens bound %.1f m2"
                  % (site, missile, pg_m2, gr_m2, pg_m2 - gr_m2, bound))
    check(ok_pp, "ST_Area(geography) = pyproj's geodesic area of the stored polygon (worst %.1e < 1e-9)" % worst_pp)
    check(ok_gr, "ST_Area(geography) vs georeach area_km2: within the edge-lens bound and < 1e-6 "
          "(worst %.1e)" % worst_gr)

    # outlines, sites and styles beside the rings table (issue 16)
    ol = psql("SELECT missile, source, GeometryType(geom), ST_NumGeometries(geom) FROM rings_outline "
              "ORDER BY ogc_fid")
    check(len(ol) == 8 and all(x[2] == "MULTILINESTRING" for x in ol)
          and [x[0] for x in ol[:2]] == ["KN-23", "Iskander-M"],
          "table rings_outline: a MultiLineString per ring, same order (%s)" % [x[:1] + x[2:] for x in ol[:2]])
    src_rows = psql("SELECT DISTINCT missile, source FROM rings ORDER BY 1")
    check(len(src_rows) == 2 and all(x[1] for x in src_rows),
          "rings.source: the catalogue citation on every ring (%s)" % [x[1][:40] for x in src_rows])
    st = psql("SELECT name, ST_X(geom), ST_Y(geom) FROM rings_sites ORDER BY ogc_fid")
    check([x[0] for x in st] == [x[0] for x in sites]
          and all(abs(float(a[1]) - b[2]) < 1e-9 and abs(float(a[2]) - b[1]) < 1e-9 for a, b in zip(st, sites)),
          "table rings_sites: the 4 launch sites as points (%s)" % [x[0] for x in st])
    ls = psql("SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, useasdefault, "
              "length(styleqml::text) > 500 FROM layer_styles ORDER BY id")
    check([x[2] for x in ls] == ["rings", "rings_outline", "rings_sites"]
          and all(x[0] == "georeach" and x[1] == "public" and x[3] == "geom" and x[4] == "t" and x[5] == "t"
                  for x in ls),
          "layer_styles: default QGIS styles of rings, rings_outline, rings_sites (%s)" % ls)
    try:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from qgis.core import QgsApplication, QgsVectorLayer
        have_qgis = True
    except ImportError:
        have_qgis = False
        print("     (QGIS's Python bindings missing: the styles are not opened in QGIS)")
    if have_qgis:
        qapp = QgsApplication([], False)
        qapp.initQgis()
        got = {}
        for t in ("rings", "rings_outline", "rings_sites"):
            lyr = QgsVectorLayer("host=127.0.0.1 port=%d dbname=georeach user=postgres "
                                 "table=\"public\".\"%s\" (geom)" % (PORT, t), t, "postgres")
            got[t] = (lyr.isValid(), lyr.renderer().type() if lyr.renderer() else None,
                      [c.value() for c in lyr.renderer().categories()]
                      if lyr.renderer() and lyr.renderer().type() == "categorizedSymbol" else None)
            lyr = None
        check(got["rings"] == (True, "categorizedSymbol", ["KN-23", "Iskander-M"])
              and got["rings_outline"] == (True, "categorizedSymbol", ["KN-23", "Iskander-M"])
              and got["rings_sites"][:2] == (True, "singleSymbol"),
              "QGIS opens rings, rings_outline, rings_sites with their styles from layer_styles (%s)" % got)
        qapp.exitQgis()

    # reprojected sites; table names; several tables without tables=
    r = georeach("rings", "--sites", "%s tables=launch_sites_3857" % PG, "--missile", "KN-23",
                 "-o", "%s tables=public.rings_3857" % PG, "-q")
    same = psql("SELECT count(*), max(abs(a.site_lat - b.site_lat) + abs(a.site_lon - b.site_lon)) "
                "FROM rings a JOIN rings_3857 b USING (site) WHERE a.missile = 'KN-23'")
    check(r.returncode == 0 and same[0][0] == "4" and float(same[0][1]) < 1e-9,
          "sites from an EPSG:3857 table land where the 4326 ones do, in tables=public.rings_3857 (%s)" % same)
    r = georeach("rings", "--sites", PG, "--range", "100km", "-o", os.path.join(base, "x.geojson"), expect=1)
    check(r.returncode == 1 and "tables=" in r.stderr and "launch_sites" in r.stderr,
          "--sites PG:... of a database with several tables: exit 1, asks for tables= ('%s')" % r.stderr.strip())

    # ------------------------------------------------------------ query
    r = georeach("query", "--sites", src, "--missile", "KN-23", "--targets", "%s tables=targets" % PG,
                 "-o", PG, "-q")
    check(r.returncode == 0, "query --sites PG --targets 'PG:... tables=targets' -o PG: exit 0")
    rows = psql("SELECT q.site, q.target, q.in_range, q.dist_km, q.range_km,"
                " ST_DWithin(s.geom::geography, q.geom::geography, q.range_km * 1000),"
                " ST_Distance(s.geom::geography, q.geom::geography),"
                " ST_Intersects(r.geom, q.geom),"
                " ST_Distance(ST_ExteriorRing(ST_GeometryN(r.geom, 1))::geography, q.geom::geography)"
                " FROM query q JOIN launch_sites s ON s.name = q.site"
                " JOIN rings r ON r.site = q.site AND r.missile = q.missile")
    n_pairs = len(sites) * len(targets)
    check(len(rows) == n_pairs, "query table: %d rows (%d)" % (n_pairs, len(rows)))
    bad_dw, bad_dist, bad_geom, near, judged = [], [], [], 0, 0
    for site, tgt, in_range, dist_km, rng, dwithin, pg_dist, inter, to_edge in rows:
        dist_m, pg_dist = float(dist_km) * 1000, float(pg_dist)
        if abs(dist_m - pg_dist) > 1e-3:
            bad_dist.append((site, tgt, dist_m, pg_dist))
        if abs(pg_dist - float(rng) * 1000) < 1.0:
            near += 1
            continue
        if (in_range in ("1", "t")) != (dwithin == "t"):
            bad_dw.append((site, tgt, in_range, dwithin))
        if float(to_edge) > 100:
            judged += 1
            if (in_range in ("1", "t")) != (inter == "t"):
                bad_geom.append((site, tgt, in_range, inter))
    check(not bad_dw, "in_range = ST_DWithin(geography) for %d pairs (%d within 1 m of the range "
          "left out): %s" % (len(rows) - near, near, bad_dw[:3]))
    check(not bad_dist, "dist_km = ST_Distance(geography) to 1 mm: %s" % bad_dist[:3])
    check(not bad_geom and judged > 100, "in_range = ST_Intersects(stored ring, target) for the %d pairs more "
          "than 100 m from the boundary: %s" % (judged, bad_geom[:3]))
    lines = psql("SELECT count(*), bool_and(ST_IsValid(l.geom)), max(ST_Distance(ST_EndPoint("
                 "ST_GeometryN(l.geom, ST_NumGeometries(l.geom)))::geography, q.geom::geography)) "
                 "FROM query_lines l JOIN query q USING (site, missile, target)")
    check(lines[0][0] == str(n_pairs) and lines[0][1] == "t" and float(lines[0][2]) < 1e-3,
          "query_lines: one valid site-to-target line per row in the same transaction, ending "
          "at the target (%s)" % lines)
    n_in = sum(1 for x in rows if x[2] in ("1", "t"))
    check(0 < n_in < len(rows), "some targets in range, some not (%d of %d)" % (n_in, len(rows)))

    # ------------------------------------------------- basket, coverage
    r = georeach("basket", "--target", "Kyiv", "--target", "Lviv", "--missile", "KN-23,Iskander-M",
                 "-o", PG, "-q")
    r2 = georeach("rings", "--sites", src, "--missile", "KN-23,Iskander-M", "--union", "-o", PG, "-q")
    bt = psql("SELECT count(*), string_agg(name, ',' ORDER BY name) FROM basket_targets")
    check(bt == [["2", "Kyiv,Lviv"]], "basket: table basket_targets beside basket (%s)" % bt)
    for t, n in (("basket", 2), ("coverage", 2)):
        v = psql("SELECT count(*), bool_and(ST_IsValid(geom)), (SELECT count(*) FROM pg_indexes WHERE "
                 "tablename = '%s' AND indexdef ILIKE '%%gist (geom)%%') FROM %s" % (t, t))
        check(v == [[str(n), "t", "1"]], "table %s: %d valid rows, GiST index (%s)" % (t, n, v))
    cov = psql("SELECT missile, sites, area_km2, ST_Area(geom::geography) / 1e6 FROM coverage")
    check(all(x[1] == "4" and abs(float(x[2]) - float(x[3])) / float(x[3]) < 1e-6 for x in cov),
          "coverage: 4 sites each, area_km2 = ST_Area(geography) to 1e-6 (%s)" % cov)

    # -------------------------------------------- nothing half-written
    before = table_digest("rings")
    r = georeach("rings", "--sites", src, "--missile", "KN-23", "-o", PG, expect=1)
    check(r.returncode == 1 and "exists" in r.stderr and "--overwrite" in r.stderr and table_digest("rings") == before,
          "an existing table without --overwrite: exit 1, table unchanged ('%s')" % r.stderr.strip())
    many = os.path.join(base, "many.csv")
    rnd = np.random.default_rng(7)
    lat, lon = rnd.uniform(-60, 60, 4000), rnd.uniform(-180, 180, 4000)
    with open(many, "w") as f:
        f.write("name,lat,lon\n")
        for i in range(4000):
            f.write("s%d,%.5f,%.5f\n" % (i, lat[i], lon[i]))
            if i == 1499:
                f.write("bad,95.0,10.0\n")
    r = georeach("rings", "--sites", many, "--range", "885km", "-o", PG, "--overwrite", "-q", expect=1)
    check(r.returncode == 1 and "95" in r.stderr and table_digest("rings") == before,
          "a run failing at row 1501 (--overwrite): exit 1, the old table back unchanged ('%s')" % r.stderr.strip())
    good = os.path.join(base, "good.csv")
    with open(many) as f, open(good, "w") as g:
        g.writelines(line for line in f if not line.startswith("bad,"))

    def interrupted(dest, table, expect_table):
        """SIGINT once the transaction holds the table and rows are on the way."""
        p = subprocess.Popen([BIN, "rings", "--sites", good, "--range", "885km", "-o", dest, "--overwrite", "-q"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seen, t_end = False, time.time() + 60
        while not seen and time.time() < t_end and p.poll() is None:
            act = psql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'georeach' AND pid <> "
                       "pg_backend_pid() AND state IN ('active', 'idle in transaction') AND "
                       "(query ILIKE 'COPY%' OR query ILIKE 'INSERT%')")
            seen = act[0][0] != "0"
            time.sleep(0.05)
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        err = p.communicate(timeout=120)[1]
        left = psql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'georeach' AND pid <> pg_backend_pid()")
        return seen, p.returncode, err.strip(), left[0][0]

    seen, rc, err, left = interrupted(PG, "rings", True)
    check(seen and rc == 130 and table_digest("rings") == before and left == "0",
          "SIGINT while rows are copied (--overwrite): exit %d, old table unchanged, no session left "
          "(rows seen on the way: %s; '%s')" % (rc, seen, err))
    seen, rc, err, left = interrupted("%s tables=fresh" % PG, "fresh", False)
    check(seen and rc == 130 and not table_exists("fresh") and left == "0",
          "SIGINT while rows are copied to a new table: exit %d, no table left (rows seen: %s)" % (rc, seen))
    r = georeach("rings", "--site", "50,36", "--range", "100km", "-o",
                 "PG:host=127.0.0.1 port=%d dbname=nosuchdb user=postgres password=s3cr3t" % PORT, expect=1)
    check(r.returncode == 1 and "s3cr3t" not in r.stderr and "password=***" in r.stderr and
          r.stderr.count("\n") == 1, "a failed connection: exit 1, one line, password hidden ('%s')" % r.stderr.strip())
except SystemExit:
    pass
finally:
    stop_cluster()
    check(not os.path.exists(base), "cluster stopped and removed")
print("# %.1f s" % (time.time() - T0))
done()
