#!/usr/bin/python3
"""scripts/bench query: which targets are in range of any site, and the nearest site, against PostGIS.

    scripts/bench query [--sites N] [--targets N] [--seed S] [--range 885km]
                        [--quick] [--keep] [--workdir DIR] [--repeat R]
                        [--pg-forms lateral,join] [--no-postgis] [--explain]
                        [--whatif-runs 9] [--profile] [--georeach PATH]

Workload (issue text): N sites (default 1,000) and M targets (default
1,000,000), seeded, uniform on the whole sphere (lat = asin(u), u uniform in
[-1, 1]; lon uniform), rounded to 1e-6 deg and written as name,lat,lon CSV
files; range 885 km.  The question: for each target reachable from any site,
the nearest site that reaches it and its distance (WGS84, shortest geodesic).
--quick: 100 sites x 100,000 targets.

  georeach   georeach query --sites S.csv --targets T.csv --range 885km
             --in-range --nearest --as csv > out.csv  (one process:
             reading both CSV files through GDAL, the query, writing CSV).
             --nearest writes one row per target (the nearest site that
             reaches it, or the nearest site with in_range 0 if none does);
             the reachable targets are the rows with in_range = 1.
             "load (proxy)" is a second run that only reads the files
             (one site, --range 1m --in-range: 1 dot product per target,
             no output); query = total - load.
  postgis    PostgreSQL 15 + PostGIS 3 started by this script (temp data
             dir, 127.0.0.1, a free port; initdb as 'postgres' when run as
             root), stopped and deleted at the end, also on error or Ctrl-C.
             load:  CREATE UNLOGGED TABLE (name, lat, lon, g geography(Point)
                    GENERATED from lon/lat), server-side COPY of each CSV, a
                    GiST index on each g, ANALYZE both.
             query (each form in --pg-forms; COPY (...) TO STDOUT csv > file):
               lateral  SELECT t.name, n.name, n.d FROM targets t CROSS JOIN
                        LATERAL (SELECT s.name, ST_Distance(t.g, s.g) d FROM
                        sites s WHERE ST_DWithin(t.g, s.g, R) ORDER BY d,
                        s.name LIMIT 1) n
               join     SELECT DISTINCT ON (t.name) t.name, s.name,
                        ST_Distance(t.g, s.g) d FROM sites s JOIN targets t
                        ON ST_DWithin(s.g, t.g, R) ORDER BY t.name, d, s.name
               exists   SELECT t.name FROM targets t WHERE EXISTS (SELECT 1
                        FROM sites s WHERE ST_DWithin(t.g, s.g, R)): the
                        reachable set alone, the form issue #14 names; its
                        goal line is load + this form over georeach's
                        -o F.csv --as csv run (which also finds the nearest)
             Geography distances are on the spheroid (use_spheroid defaults
             to true); PostGIS 3 computes them with PROJ's geod_inverse
             (GeographicLib), the same code georeach calls.  The total is
             load + the fastest form that finds the nearest site.
  what-if    georeach query --site Belgorod --missile KN-23 --target Kyiv,
             median wall of --whatif-runs runs, as typed (with the stderr
             summary) and with -q.

Server settings (stated in the output): shared_buffers 512MB, work_mem
256MB, maintenance_work_mem 1GB, fsync/synchronous_commit/full_page_writes
off, autovacuum off (ANALYZE is explicit and timed), everything else default
(JIT on, max_parallel_workers_per_gather 2: the planner may use parallel
workers; whether it did is printed per form).  cpu_s for PostGIS is the
server's CPU (backends, parallel workers, background processes).

The answers are compared: reachable sets, nearest-site assignments (a
different site at a distance within 1 mm is a tie) and distances (georeach
writes km with 6 decimals, so up to 0.5 mm of rounding).  --profile also
runs the georeach query under `perf record -g` and counts its geod_inverse
calls (an LD_PRELOAD shim).
"""
import argparse
import csv
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy as np  # noqa: E402
import common  # noqa: E402

PGBIN = "/usr/lib/postgresql/15/bin"
PG_SETTINGS = [("shared_buffers", "512MB"), ("work_mem", "256MB"),
               ("maintenance_work_mem", "1GB"), ("fsync", "off"),
               ("synchronous_commit", "off"), ("full_page_writes", "off"),
               ("autovacuum", "off"), ("max_wal_size", "4GB"),
               ("checkpoint_timeout", "30min")]
FORMS = {
    "lateral": ("SELECT t.name, n.name, n.d FROM targets t CROSS JOIN LATERAL "
                "(SELECT s.name, ST_Distance(t.g, s.g) AS d FROM sites s "
                "WHERE ST_DWithin(t.g, s.g, {r!r}) ORDER BY 2, 1 LIMIT 1) n"),
    "join": ("SELECT DISTINCT ON (t.name) t.name, s.name, ST_Distance(t.g, s.g) AS d "
             "FROM sites s JOIN targets t ON ST_DWithin(s.g, t.g, {r!r}) "
             "ORDER BY t.name, d, s.name"),
    # which targets are in range at all (no nearest site): the form the
    # speed issue (#14) names; its rows carry no site
    "exists": ("SELECT t.name, '', 0 FROM targets t WHERE EXISTS (SELECT 1 FROM sites s "
               "WHERE ST_DWithin(t.g, s.g, {r!r}))"),
}
SETS_ONLY = {"exists"}  # forms that answer only the reachable set
WHATIF = ["--site", "Belgorod", "--missile", "KN-23", "--target", "Kyiv"]
INSTANT_S = 0.1      # the usual threshold for "feels instant"


class Interrupted(Exception):
    pass


def parse(argv):
    root = os.environ.get("BENCH_ROOT") or os.path.dirname(os.path.dirname(HERE))
    ap = argparse.ArgumentParser(prog="scripts/bench query",
                                 description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, help="number of random sites (1000; --quick 100)")
    ap.add_argument("--targets", type=int, help="number of random targets (1000000; --quick 100000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--range", default="885km", help="as georeach reads it: 885km, 550mi, 885000m (885km)")
    ap.add_argument("--quick", action="store_true", help="100 sites x 100,000 targets")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (data, outputs, logs)")
    ap.add_argument("--workdir", help="work here (kept) instead of a new temp dir")
    ap.add_argument("--repeat", type=int, default=1, help="timed georeach runs; the best is reported")
    ap.add_argument("--pg-forms", default="lateral,join,exists",
                    help="PostGIS query forms to time (lateral,join,exists)")
    ap.add_argument("--no-postgis", action="store_true", help="georeach only")
    ap.add_argument("--no-file-out", action="store_true",
                    help="skip the -o FILE runs (stream and GDAL CSV) timed against stdout")
    ap.add_argument("--explain", action="store_true", help="print the PostGIS plans")
    ap.add_argument("--whatif-runs", type=int, default=9, help="runs of the single what-if query (9; 0 = skip)")
    ap.add_argument("--profile", action="store_true",
                    help="perf record the georeach query and count its geod_inverse calls")
    ap.add_argument("--georeach", default=os.path.join(root, "build", "georeach"))
    a = ap.parse_args(argv)
    if a.sites is None:
        a.sites = 100 if a.quick else 1000
    if a.targets is None:
        a.targets = 100000 if a.quick else 1000000
    a.forms = [f.strip() for f in a.pg_forms.split(",") if f.strip()]
    for f in a.forms:
        if f not in FORMS:
            ap.error("--pg-forms: unknown form '%s' (lateral, join, exists)" % f)
    if a.sites < 1 or a.targets < 1:
        ap.error("--sites and --targets must be at least 1")
    return a


def say(*a):
    print(*a, flush=True)


def fmt(v, spec):
    return "n/a" if v is None else format(v, spec)


UNITS = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "nmi": 1852.0, "ft": 0.3048}


def range_m(text):
    m = re.fullmatch(r"\s*([0-9.eE+-]+)\s*([a-z]*)\s*", text)
    if not m or (m.group(2) or "km") not in UNITS:
        raise SystemExit("bench query: --range '%s': give a number and km, m, mi, nmi or ft" % text)
    return float(m.group(1)) * UNITS[m.group(2) or "km"]


# ------------------------------------------------------------------ data --
def make_targets(n, seed):
    """n targets uniform on the sphere, seeded (a stream of its own, apart
    from the sites'); as common.make_sites, the first k of any n are the
    same, and the values rounded to 1e-6 deg are the targets."""
    rng = np.random.default_rng([seed, 1])
    u = rng.uniform(0.0, 1.0, (n, 2))
    lat = np.round(np.degrees(np.arcsin(2.0 * u[:, 0] - 1.0)), 6)
    lon = np.round(360.0 * u[:, 1] - 180.0, 6)
    return lat, lon


def write_points(path, prefix, lat, lon):
    w = max(1, len(str(len(lat) - 1)))
    fmt_ = "%s%%0%dd,%%.6f,%%.6f\n" % (prefix, w)
    with open(path, "w") as f:
        f.write("name,lat,lon\n")
        f.writelines(fmt_ % (i, a, o) for i, (a, o) in enumerate(zip(lat.tolist(), lon.tolist())))


# --------------------------------------------------------------- running --
def run_timed(cmd, out_path, err_path, env=None):
    """Run cmd (stdout to out_path, stderr to err_path) under GNU time:
    wall (perf_counter), user+sys, peak RSS."""
    tf = err_path + ".time"
    have_time = os.path.exists("/usr/bin/time")
    full = (["/usr/bin/time", "-f", "%e %M %U %S", "-o", tf] + cmd) if have_time else cmd
    t0 = time.perf_counter()
    with open(out_path, "w") as out, open(err_path, "w") as err:
        p = subprocess.run(full, stdout=out, stderr=err, env=env)
    wall = time.perf_counter() - t0
    rss = cpu = None
    if have_time and os.path.exists(tf):
        try:
            last = open(tf).read().strip().splitlines()[-1].split()
            rss, cpu = int(last[1]), float(last[2]) + float(last[3])
        except (IndexError, ValueError):
            pass
    return {"rc": p.returncode, "wall": wall, "cpu": cpu, "rss_kb": rss, "out": out_path, "err": err_path}


def tail(path, n=10):
    try:
        return "\n".join("    | " + l for l in open(path, errors="replace").read().splitlines()[-n:])
    except OSError:
        return ""


# --------------------------------------------------------------- postgis --
class PgServer:
    """A throwaway PostgreSQL cluster: initdb into DIR/pgdata (as 'postgres'
    when we are root), listening on 127.0.0.1:PORT and a socket in DIR only,
    in a session of its own (a terminal Ctrl-C reaches us, not it)."""

    def __init__(self, wd):
        self.wd = wd
        self.data = os.path.join(wd, "pgdata")
        self.sock = os.path.join(wd, "pgsock")
        self.log = os.path.join(wd, "postgres.log")
        self.port = None
        self.started = False
        self.as_user = None
        if os.geteuid() == 0:
            for u in ("postgres", "nobody"):
                if subprocess.run(["id", "-u", u], capture_output=True).returncode == 0:
                    self.as_user = u
                    break
            if not self.as_user:
                raise RuntimeError("running as root and neither 'postgres' nor 'nobody' exists for initdb")

    def _cmd(self, argv):
        if self.as_user:
            return ["runuser", "-u", self.as_user, "--"] + argv
        return argv

    def _chown(self, path):
        if self.as_user:
            shutil.chown(path, user=self.as_user)

    def start(self):
        shutil.rmtree(self.data, ignore_errors=True)     # a --workdir used before
        for d in (self.data, self.sock):
            os.makedirs(d, exist_ok=True)
            self._chown(d)
        os.chmod(self.data, 0o700)
        with open(self.log, "w"):
            pass
        self._chown(self.log)
        p = subprocess.run(self._cmd([os.path.join(PGBIN, "initdb"), "-D", self.data, "-A", "trust",
                                      "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"]),
                           capture_output=True, text=True, start_new_session=True)
        if p.returncode != 0:
            raise RuntimeError("initdb failed:\n%s%s" % (p.stdout, p.stderr))
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        opts = ["-p", str(self.port), "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=%s" % self.sock]
        for k, v in PG_SETTINGS:
            opts += ["-c", "%s=%s" % (k, v)]
        self.started = True    # from here on, stop() has something to do
        p = subprocess.run(self._cmd([os.path.join(PGBIN, "pg_ctl"), "-D", self.data, "-l", self.log,
                                      "-w", "-t", "60", "-o", " ".join(opts), "start"]),
                           capture_output=True, text=True, start_new_session=True,
                           stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            raise RuntimeError("pg_ctl start failed:\n%s%s\n%s" % (p.stdout, p.stderr, tail(self.log)))
        self.pm_pid = int(open(os.path.join(self.data, "postmaster.pid")).readline())
        time.sleep(0.2)
        self.base_children = self.children()   # checkpointer, walwriter, ...

    def stop(self):
        if not self.started:
            return
        self.started = False
        pg_ctl = os.path.join(PGBIN, "pg_ctl")
        p = subprocess.run(self._cmd([pg_ctl, "-D", self.data, "-m", "fast", "-w", "-t", "30", "stop"]),
                           capture_output=True, text=True, start_new_session=True)
        if p.returncode != 0:
            subprocess.run(self._cmd([pg_ctl, "-D", self.data, "-m", "immediate", "-w", "-t", "30", "stop"]),
                           capture_output=True, text=True, start_new_session=True)

    def psql(self, sql=None, file=None, out=None, at=False):
        """Run psql (ON_ERROR_STOP); stdout to `out` (a path) or returned."""
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
               "-U", "postgres", "-d", "postgres"]
        if at:
            cmd += ["-A", "-t"]
        cmd += ["-f", file] if file else ["-c", sql]
        if out:
            with open(out, "w") as f:
                p = subprocess.run(cmd, stdout=f, stderr=subprocess.PIPE, text=True)
            res = ""
        else:
            p = subprocess.run(cmd, capture_output=True, text=True)
            res = p.stdout
        if p.returncode != 0:
            raise RuntimeError("psql failed (%s):\n%s" % (sql or file, p.stderr.strip()))
        return res

    # CPU of the whole server: the postmaster, its live children, and the
    # children it has reaped (finished backends and parallel workers).
    def cpu(self):
        tck = os.sysconf("SC_CLK_TCK")

        def stat(pid):
            try:
                s = open("/proc/%d/stat" % pid).read()
            except OSError:
                return None
            f = s[s.rindex(")") + 2:].split()
            return int(f[1]), [int(x) for x in f[11:15]]   # ppid; utime stime cutime cstime

        me = stat(self.pm_pid)
        if me is None:
            return None
        total = sum(me[1])
        for d in os.listdir("/proc"):
            if d.isdigit():
                st = stat(int(d))
                if st and st[0] == self.pm_pid:
                    total += st[1][0] + st[1][1]
        return total / tck

    def children(self):
        out = set()
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    s = open("/proc/%s/stat" % d).read()
                    if int(s[s.rindex(")") + 2:].split()[1]) == self.pm_pid:
                        out.add(int(d))
                except (OSError, ValueError):
                    pass
        return out

    def settle(self, timeout=10.0):
        """Wait until the postmaster has reaped every child that was not
        there when the server came up (backends, parallel workers): their
        CPU is then in its cutime, and cpu() cannot race with the exits."""
        t0 = time.time()
        while time.time() - t0 < timeout:
            if self.children() <= self.base_children:
                return
            time.sleep(0.02)


def postgis_run(a, wd, sites_csv, targets_csv, r_m, pg):
    res = {"forms": {}}
    pg.start()
    ver = pg.psql("CREATE EXTENSION postgis; SELECT postgis_full_version(); SELECT version()", at=True)
    vs = re.findall(r'(POSTGIS|PROJ|GEOS)="([^"]*)"', ver)
    pgv = re.search(r"PostgreSQL [0-9.]+", ver)
    res["version"] = ", ".join(([pgv.group(0)] if pgv else []) + ["%s %s" % kv for kv in vs])
    load_sql = os.path.join(wd, "load.sql")
    geog = "geography(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED"
    steps = [
        ("tables", "CREATE UNLOGGED TABLE sites (name text, lat float8, lon float8, g %s);\n"
                   "CREATE UNLOGGED TABLE targets (name text, lat float8, lon float8, g %s);" % (geog, geog)),
        ("copy", "COPY sites (name, lat, lon) FROM '%s' WITH (FORMAT csv, HEADER true);\n"
                 "COPY targets (name, lat, lon) FROM '%s' WITH (FORMAT csv, HEADER true);"
                 % (sites_csv, targets_csv)),
        ("index", "CREATE INDEX sites_g ON sites USING gist (g);\n"
                  "CREATE INDEX targets_g ON targets USING gist (g);"),
        ("analyze", "ANALYZE sites;\nANALYZE targets;"),
    ]
    with open(load_sql, "w") as f:
        f.write("\\timing on\n")
        for tag, sql in steps:
            f.write("\\echo step %s\n%s\n" % (tag, sql))
    pg.settle()
    c0, t0 = pg.cpu(), time.perf_counter()
    txt = pg.psql(file=load_sql)
    wall = time.perf_counter() - t0
    pg.settle()
    c1 = pg.cpu()
    sub, cur = {}, None
    for line in txt.splitlines():
        m = re.match(r"step (\w+)", line)
        if m:
            cur = m.group(1)
            continue
        m = re.match(r"Time: ([0-9.]+) ms", line)
        if m and cur:
            sub[cur] = sub.get(cur, 0.0) + float(m.group(1)) / 1000.0
    res["load"] = {"wall": wall, "cpu": (c1 - c0) if c0 is not None and c1 is not None else None, "sub": sub}
    n = pg.psql("SELECT (SELECT count(*) FROM sites) || ' ' || (SELECT count(*) FROM targets)", at=True).split()
    res["loaded"] = (int(n[0]), int(n[1]))

    for form in a.forms:
        q = FORMS[form].format(r=r_m)
        plan = pg.psql("EXPLAIN " + q, at=True)
        info = {"plan": plan, "parallel": "Gather" in plan,
                "index": sorted(set(re.findall(r"Index (?:Only )?Scan using (\w+)", plan)))}
        if a.explain:
            say("PostGIS plan (%s):\n%s" % (form, "\n".join("    " + l for l in plan.splitlines())))
        out = os.path.join(wd, "postgis_%s.csv" % form)
        say("running PostGIS %s query ..." % form)
        pg.settle()
        c0, t0 = pg.cpu(), time.perf_counter()
        pg.psql("COPY (%s) TO STDOUT WITH (FORMAT csv)" % q, out=out)
        info["wall"] = time.perf_counter() - t0
        pg.settle()
        c1 = pg.cpu()
        info["cpu"] = (c1 - c0) if c0 is not None and c1 is not None else None
        info["out"] = out
        res["forms"][form] = info
    return res


# ------------------------------------------------------------- comparing --
def read_georeach(path):
    """{target: (site, dist_m)} of the rows with in_range true; rows in all."""
    got, rows = {}, 0
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            rows += 1
            if row["in_range"] == "true":
                got[row["target"]] = (row["site"], float(row["dist_km"]) * 1000.0)
    return got, rows


def read_postgis(path):
    got = {}
    with open(path, newline="") as f:
        for t, s, d in csv.reader(f):
            got[t] = (s, float(d))
    return got


def compare(gr, pg, coords_s, coords_t, sets_only=False):
    """Reachable sets, nearest sites (ties within 1 mm), distances; with
    sets_only (a form that gives no site), the reachable sets alone."""
    only_gr = sorted(set(gr) - set(pg))
    only_pg = sorted(set(pg) - set(gr))
    if sets_only:
        return {"n_gr": len(gr), "n_pg": len(pg), "only_gr": len(only_gr), "only_pg": len(only_pg),
                "same_site": 0, "ties": 0, "wrong_site": 0, "dist_max_mm": 0.0, "dist_over_1mm": 0,
                "notes": ["%s: %s" % (t, "georeach only" if t in gr else "PostGIS only")
                          for t in (only_gr + only_pg)[:8]],
                "ok": not only_gr and not only_pg, "sets_only": True}
    both = [t for t in gr if t in pg]
    same = [t for t in both if gr[t][0] == pg[t][0]]
    diff = [t for t in both if gr[t][0] != pg[t][0]]
    dd = np.array([abs(gr[t][1] - pg[t][1]) for t in same]) if same else np.zeros(0)
    ties = [t for t in diff if abs(gr[t][1] - pg[t][1]) < 1e-3]
    wrong_site = [t for t in diff if abs(gr[t][1] - pg[t][1]) >= 1e-3]
    far = [t for t in same if abs(gr[t][1] - pg[t][1]) >= 1e-3]
    # an independent arbiter (pyproj: GeographicLib) for every disagreement
    notes = []
    for t in (only_gr + only_pg + wrong_site + far)[:8]:
        tl = coords_t[t]
        parts = []
        for who, ans in (("georeach", gr.get(t)), ("postgis", pg.get(t))):
            if ans:
                sl = coords_s[ans[0]]
                s = common.GEOD.inv(sl[1], sl[0], tl[1], tl[0])[2]
                parts.append("%s %s %.4f m (pyproj %.4f m)" % (who, ans[0], ans[1], s))
            else:
                parts.append("%s: not reachable" % who)
        notes.append("%s: %s" % (t, "; ".join(parts)))
    return {"n_gr": len(gr), "n_pg": len(pg), "only_gr": len(only_gr), "only_pg": len(only_pg),
            "same_site": len(same), "ties": len(ties), "wrong_site": len(wrong_site),
            "dist_max_mm": float(dd.max() * 1000) if len(dd) else 0.0, "dist_over_1mm": len(far),
            "notes": notes,
            "ok": not only_gr and not only_pg and not wrong_site and not far}


def pg_vs_pyproj(pg, coords_s, coords_t, k=20000, seed=5):
    """PostGIS distances against pyproj (GeographicLib) on k sampled rows."""
    keys = list(pg)
    if not keys:
        return None
    rng = np.random.default_rng(seed)
    pick = [keys[i] for i in rng.choice(len(keys), size=min(k, len(keys)), replace=False)]
    s = np.array([coords_s[pg[t][0]] for t in pick])
    tt = np.array([coords_t[t] for t in pick])
    ref = common.GEOD.inv(s[:, 1], s[:, 0], tt[:, 1], tt[:, 0])[2]
    d = np.array([pg[t][1] for t in pick])
    return len(pick), float(np.max(np.abs(d - ref)))


# --------------------------------------------------------------- profile --
SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
struct geod_geodesic;
typedef void (*inv_fn)(const struct geod_geodesic *, double, double, double, double,
                       double *, double *, double *);
static unsigned long long n;
static inv_fn real;
__attribute__((destructor)) static void report(void) {
  fprintf(stderr, "geod_inverse calls: %llu\n", n);
}
void geod_inverse(const struct geod_geodesic *g, double lat1, double lon1, double lat2,
                  double lon2, double *s12, double *azi1, double *azi2) {
  if (!real) real = (inv_fn)dlsym(RTLD_NEXT, "geod_inverse");
  n++;
  real(g, lat1, lon1, lat2, lon2, s12, azi1, azi2);
}
"""


def profile(a, wd, cmd):
    say("")
    say("profile of the georeach query (perf record -g):")
    data = os.path.join(wd, "perf.data")
    with open(os.devnull, "w") as dn:
        p = subprocess.run(["perf", "record", "-q", "-g", "-o", data, "--"] + cmd, stdout=dn,
                           stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        say("  perf record failed: %s" % p.stderr.strip()[-300:])
    else:
        for sort, lim in (("dso", 1.0), ("dso,sym", 1.0)):
            rep = subprocess.run(["perf", "report", "-i", data, "--no-children", "--stdio", "--sort", sort,
                                  "--percent-limit", str(lim), "-g", "none"],
                                 capture_output=True, text=True).stdout
            say("  by %s:" % ("library" if sort == "dso" else "function"))
            for l in rep.splitlines():
                if re.match(r"\s+[0-9.]+%", l):
                    say("    " + l.strip())
    cc = shutil.which("cc")
    if cc:
        src, so = os.path.join(wd, "count_inverse.c"), os.path.join(wd, "count_inverse.so")
        open(src, "w").write(SHIM)
        if subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", so, src, "-ldl"]).returncode == 0:
            env = dict(os.environ, LD_PRELOAD=so)
            p = subprocess.run(cmd + ["-q"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
            m = re.search(r"geod_inverse calls: (\d+)", p.stderr)
            if m:
                say("  geod_inverse calls: %s (%.2f per target)" % (f"{int(m.group(1)):,}", int(m.group(1)) / a.targets))


# ------------------------------------------------------------------ main --
def main(argv):
    a = parse(argv)
    t_start = time.perf_counter()
    r_m = range_m(a.range)
    if not (os.path.isfile(a.georeach) and os.access(a.georeach, os.X_OK)):
        say("bench query: %s is not an executable (build it, or pass --georeach PATH)" % a.georeach)
        return 2
    wd = a.workdir or tempfile.mkdtemp(prefix="georeach-bench-query-")
    os.makedirs(wd, exist_ok=True)
    os.chmod(wd, 0o755)          # the server (another user) reads the CSV files from here
    keep = a.keep or bool(a.workdir)

    def on_term(signum, frame):
        raise Interrupted("signal %d" % signum)
    old = {s: signal.signal(s, on_term) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return run(a, wd, r_m, t_start)
    except (KeyboardInterrupt, Interrupted) as e:
        say("\nbench query: interrupted (%s); cleaning up" % (str(e) or "Ctrl-C"))
        return 130
    finally:
        srv = _SERVER[0]
        if srv is not None:
            srv.stop()
        for s, h in old.items():
            signal.signal(s, h)
        if keep:
            say("work dir kept: %s" % wd)
        else:
            shutil.rmtree(wd, ignore_errors=True)


_SERVER = [None]


def run(a, wd, r_m, t_start):
    ncpu = os.cpu_count() or 1
    say("georeach bench: query  %d sites x %d targets (seed %d, uniform on the whole sphere), range %s "
        "(%.0f m), %d cores" % (a.sites, a.targets, a.seed, a.range, r_m, ncpu))
    say("work dir: %s" % wd)
    la = os.getloadavg()
    say("load average at start: %.2f %.2f %.2f%s" % (la + (
        "  (WARNING: the machine is busy; timings will be noisy)" if la[0] > 0.5 else "",)))
    st = os.stat(a.georeach)
    say("georeach binary: %s (modified %s)" % (a.georeach, time.strftime("%Y-%m-%d %H:%M:%S",
                                                                         time.localtime(st.st_mtime))))

    # ---- data (untimed)
    t0 = time.perf_counter()
    names, slat, slon = common.make_sites(a.sites, a.seed)
    sites_csv = os.path.join(wd, "sites.csv")
    common.write_sites(sites_csv, names, slat, slon)
    tlat, tlon = make_targets(a.targets, a.seed)
    targets_csv = os.path.join(wd, "targets.csv")
    write_points(targets_csv, "t", tlat, tlon)
    for p in (sites_csv, targets_csv):
        os.chmod(p, 0o644)
    say("data: %s (%.1f MB), %s (%.1f MB); written in %.1f s (untimed)"
        % (os.path.basename(sites_csv), os.path.getsize(sites_csv) / 1e6, os.path.basename(targets_csv),
           os.path.getsize(targets_csv) / 1e6, time.perf_counter() - t0))

    # ---- georeach
    cmd = [a.georeach, "query", "--sites", sites_csv, "--targets", targets_csv, "--range", a.range,
           "--in-range", "--nearest", "--as", "csv"]
    say("running %s > georeach.csv ..." % " ".join(cmd))
    best = None
    for i in range(max(1, a.repeat)):
        res = run_timed(cmd, os.path.join(wd, "georeach.csv"), os.path.join(wd, "georeach.%d.err" % i))
        if res["rc"] != 0:
            say("georeach FAILED (exit %d):\n%s" % (res["rc"], tail(res["err"])))
            return 1
        if best is None or res["wall"] < best["wall"]:
            best = res
    gr = best
    gr["stderr_bytes"] = os.path.getsize(gr["err"])
    load_cmd = [a.georeach, "query", "--site", "0,0", "--targets", targets_csv, "--range", "1m",
                "--in-range", "--as", "csv", "-q"]
    grl = None
    for i in range(max(1, a.repeat)):
        res = run_timed(load_cmd, os.devnull, os.path.join(wd, "georeach_load.%d.err" % i))
        if res["rc"] == 0 and (grl is None or res["wall"] < grl["wall"]):
            grl = res
    gr_ans, gr_rows = read_georeach(gr["out"])

    # ---- the same rows to a file: -o with --as csv (the staged stream) and
    # -o out.csv alone (GDAL's CSV writer, a WKT column), against stdout
    fileout = []
    if not a.no_file_out:
        for tag, extra in (("-o F.csv --as csv (stream)", ["-o", os.path.join(wd, "georeach_o.csv")]),
                           ("-o F.csv (GDAL CSV)", ["-o", os.path.join(wd, "georeach_gdal.csv")])):
            c = list(cmd) + extra + ["--overwrite"]
            if "GDAL" in tag:
                c = [x for x in c if x not in ("--as", "csv")]
            res = run_timed(c, os.devnull, os.path.join(wd, "georeach_o.err"))
            same = None
            if res["rc"] == 0 and "stream" in tag:
                same = open(extra[1], "rb").read() == open(gr["out"], "rb").read()
            fileout.append((tag, res, same))

    # ---- what-if
    whatif = {}
    if a.whatif_runs > 0:
        for tag, extra in (("as typed", []), ("-q", ["-q"])):
            walls, cpus = [], []
            for i in range(a.whatif_runs):
                res = run_timed([a.georeach, "query"] + WHATIF + extra, os.path.join(wd, "whatif.out"),
                                os.path.join(wd, "whatif.err"))
                if res["rc"] != 0:
                    say("what-if query FAILED:\n%s" % tail(res["err"]))
                    break
                walls.append(res["wall"])
                if res["cpu"] is not None:
                    cpus.append(res["cpu"])
            if walls:
                whatif[tag] = (statistics.median(walls), min(walls), max(walls), len(walls),
                               statistics.median(cpus) if cpus else None)

    # ---- PostGIS
    pgres = None
    if not a.no_postgis:
        try:
            srv = PgServer(wd)
            _SERVER[0] = srv
            say("starting PostgreSQL (initdb%s) ..." % (" as '%s'" % srv.as_user if srv.as_user else ""))
            pgres = postgis_run(a, wd, sites_csv, targets_csv, r_m, srv)
        except RuntimeError as e:
            say("PostGIS side FAILED: %s" % e)
            pgres = None
        finally:
            if _SERVER[0] is not None:
                _SERVER[0].stop()
                _SERVER[0] = None

    # ---- compare
    coords_s = {nm: (la_, lo_) for nm, la_, lo_ in zip(names, slat.tolist(), slon.tolist())}

    class TC(dict):
        def __missing__(self, k):
            i = int(k[1:])
            return (float(tlat[i]), float(tlon[i]))
    coords_t = TC()
    cmp_ = {}
    pg_geolib = None
    if pgres:
        for form, info in pgres["forms"].items():
            ans = read_postgis(info["out"])
            cmp_[form] = compare(gr_ans, ans, coords_s, coords_t, sets_only=form in SETS_ONLY)
            if pg_geolib is None and form not in SETS_ONLY:
                pg_geolib = pg_vs_pyproj(ans, coords_s, coords_t)

    # ---- table
    say("")
    hdr = "%-34s %8s %8s %9s %10s  %s" % ("method / phase", "wall_s", "cpu_s", "rss_MiB", "reachable", "x_georeach")
    say(hdr)
    say("-" * len(hdr))
    gw = gr["wall"]

    def row(label, wall, cpu, rss, n, x=True):
        say("%-34s %8s %8s %9s %10s  %s" % (label, fmt(wall, ".2f"), fmt(cpu, ".2f"),
                                             fmt(rss / 1024.0 if rss else None, ".0f"),
                                             "" if n is None else "{:,}".format(n),
                                             fmt(wall / gw, ".2f") if x and wall is not None else ""))
    row("georeach (1 process, total)", gw, gr["cpu"], gr["rss_kb"], len(gr_ans))
    if grl:
        row("  load (proxy: read the files)", grl["wall"], grl["cpu"], grl["rss_kb"], None, x=False)
        row("  query + write (total - load)", gw - grl["wall"],
            (gr["cpu"] - grl["cpu"]) if gr["cpu"] is not None and grl["cpu"] is not None else None,
            None, None, x=False)
    best_form = None
    if pgres:
        L = pgres["load"]
        for form, info in pgres["forms"].items():
            if form in SETS_ONLY:
                continue  # the goal's question includes the nearest site
            if best_form is None or info["wall"] < pgres["forms"][best_form]["wall"]:
                best_form = form
        bf = pgres["forms"].get(best_form)
        if bf:
            row("PostGIS (load + %s query)" % best_form, L["wall"] + bf["wall"],
                (L["cpu"] + bf["cpu"]) if L["cpu"] is not None and bf["cpu"] is not None else None, None,
                cmp_[best_form]["n_pg"])
        row("  load (COPY, geography, GiST)", L["wall"], L["cpu"], None, None, x=False)
        sub = L["sub"]
        if sub:
            say("    %s" % ", ".join("%s %.2f" % (k, v) for k, v in sub.items()))
        for form, info in pgres["forms"].items():
            row("  query: %s%s" % (form, "" if form == best_form else " (reachable set only)"
                                    if form in SETS_ONLY else " (slower form)"), info["wall"],
                info["cpu"], None, cmp_[form]["n_pg"], x=False)
    say("")
    say("columns: wall_s elapsed (georeach: the whole process, startup, reading, writing included; PostGIS:")
    say("  the client's view of each phase, psql start included); cpu_s user+sys (PostGIS: the whole server);")
    say("  reachable: targets in range of at least one site; x_georeach: wall over georeach's.")
    for tag, res, same in fileout:
        if res["rc"] != 0:
            say("georeach %s FAILED (exit %d)" % (tag, res["rc"]))
            continue
        say("georeach %s: wall %.2f s, cpu %s s = %.2fx / %sx the stdout run%s"
            % (tag, res["wall"], "%.2f" % res["cpu"] if res["cpu"] is not None else "n/a",
               res["wall"] / gr["wall"],
               "%.2f" % (res["cpu"] / gr["cpu"]) if res["cpu"] and gr.get("cpu") else "n/a",
               "" if same is None else "; the same bytes as stdout: %s" % same))
    say("georeach: %d rows written (one per target), stderr %d bytes; --threads does not apply to query (one thread)"
        % (gr_rows, gr["stderr_bytes"]))
    if pgres:
        say("PostGIS: %s; loaded %d sites, %d targets (server-side COPY)" % (pgres["version"], *pgres["loaded"]))
        say("  settings: %s; JIT and parallel query at their defaults (max_parallel_workers_per_gather 2)"
            % ", ".join("%s=%s" % kv for kv in PG_SETTINGS))
        for form, info in pgres["forms"].items():
            say("  %s plan: %s, indexes used: %s" % (
                form, "parallel (Gather)" if info["parallel"] else "serial (the planner chose no parallel workers)",
                ", ".join(info["index"]) or "NONE (WARNING: no GiST index scan)"))
        if pg_geolib:
            say("  PostGIS ST_Distance vs pyproj Geod.inv (GeographicLib) on %d sampled rows: max |diff| %.2e m"
                % pg_geolib)

    # ---- agreement
    say("")
    for form, c in cmp_.items():
        if c.get("sets_only"):
            say("agreement with PostGIS %s: reachable georeach %s, PostGIS %s (only georeach %d, only PostGIS %d)"
                " -> %s" % (form, "{:,}".format(c["n_gr"]), "{:,}".format(c["n_pg"]), c["only_gr"],
                            c["only_pg"], "IDENTICAL" if c["ok"] else "MISMATCH"))
            for n_ in c["notes"]:
                say("    " + n_)
            continue
        say("agreement with PostGIS %s: reachable georeach %s, PostGIS %s (only georeach %d, only PostGIS %d); "
            "nearest site same %s, ties within 1 mm %d, different %d; distance max |diff| %.3f mm, > 1 mm: %d -> %s"
            % (form, "{:,}".format(c["n_gr"]), "{:,}".format(c["n_pg"]), c["only_gr"], c["only_pg"],
               "{:,}".format(c["same_site"]), c["ties"], c["wrong_site"], c["dist_max_mm"], c["dist_over_1mm"],
               "IDENTICAL" if c["ok"] else "MISMATCH"))
        for n_ in c["notes"]:
            say("    " + n_)

    # ---- goals
    say("")
    if pgres and best_form:
        tot = pgres["load"]["wall"] + pgres["forms"][best_form]["wall"]
        ratio = tot / gw
        ok = ratio >= 10 and all(c["ok"] for c in cmp_.values())
        say("goal    PostGIS / georeach wall, loading included = %.2fx (goal >= 10x) -> %s"
            % (ratio, "MET" if ok else "NOT MET"))
        pc = pgres["load"]["cpu"], pgres["forms"][best_form]["cpu"]
        if gr["cpu"] and None not in pc:
            say("        by CPU time (less sensitive to a busy machine): PostGIS %.2f s / georeach %.2f s = %.2fx"
                % (sum(pc), gr["cpu"], sum(pc) / gr["cpu"]))
        say("        query phases only: PostGIS %s %.2f s / georeach (total - load proxy) %s"
            % (best_form, pgres["forms"][best_form]["wall"],
               ("%.2f s = %.2fx" % (gw - grl["wall"], pgres["forms"][best_form]["wall"] / (gw - grl["wall"])))
               if grl and gw > grl["wall"] else "n/a"))
    ex = pgres["forms"].get("exists") if pgres else None
    stream = [res for tag, res, same in fileout if "stream" in tag and res["rc"] == 0 and same]
    if ex and stream:
        tot = pgres["load"]["wall"] + ex["wall"]
        ratio = tot / stream[0]["wall"]
        ok = ratio >= 10 and cmp_["exists"]["ok"]
        say("goal    (issue #14) PostGIS load + EXISTS query / georeach -o F.csv --as csv (in range and the "
            "nearest site, to a file), wall = %.2f s / %.2f s = %.2fx (goal >= 10x) -> %s"
            % (tot, stream[0]["wall"], ratio, "MET" if ok else "NOT MET"))
    for tag, (med, lo, hi, n, cpu) in whatif.items():
        say("what-if georeach query %s%s: median %.3f s (min %.3f, max %.3f, %d runs; median cpu %s s) -> %s"
            % (" ".join(WHATIF), "" if tag == "as typed" else " -q", med, lo, hi, n, fmt(cpu, ".2f"),
               "instant (< %.1f s)" % INSTANT_S if med < INSTANT_S else "NOT instant (>= %.1f s)" % INSTANT_S))

    if a.profile:
        profile(a, wd, cmd)
    say("")
    la = os.getloadavg()
    say("load average at end: %.2f %.2f %.2f" % la)
    say("bench wall time %.1f s" % (time.perf_counter() - t_start))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
