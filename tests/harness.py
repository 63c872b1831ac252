"""The one harness the Python tests import (tests/*.py, tests/e2e/*.py): the
georeach binary, the oracle, checks that print one line each, and the closing
line "N passed, N failed" that ctest's runners read (tests/data/test_data.py,
test_coords_geoconvert.py and test_ballistic_rk4.py keep their own counting;
none of them scores with an oracle).

Run the tests with /usr/bin/python3 (Debian's interpreter, which has pyproj,
shapely 1.8, GDAL's osgeo, numpy and scipy), the binary as argv[1]:

    /usr/bin/python3 tests/e2e/test_oracle_cases.py build/georeach

The scorer is the project's own tests/oracle.py (run in-process).  When the
environment variable GEOREACH_SHARED names a shared/ folder (CMake passes the
cache variable GEOREACH_SHARED_DIR that way), the tests also score with
$GEOREACH_SHARED/tools/ring_oracle.py and assert the same things of it: a
second, optional opinion.  Nothing here looks for shared/ on its own.

Two styles of check, one counter:
  check(ok, what)                       the plain style (module functions);
  Report(title).check(name, ok, detail) the named style of the e2e tests;
done() / Report.finish() print "N passed, N failed" and exit 1 on a failure.
E2E tests work in a scratch directory under $TMPDIR (kept with
GEOREACH_E2E_KEEP=1).
"""
import atexit
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

PY = "/usr/bin/python3"
TESTS = os.path.dirname(os.path.abspath(__file__))
HERE = TESTS
REPO = os.path.dirname(TESTS)
DATA = os.path.join(REPO, "data")
ORACLE = os.path.join(TESTS, "oracle.py")
CASES = os.path.join(TESTS, "cases.tsv")
BIN = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
HALF_MERIDIAN = 20003931.458625447     # m, = GEOD.inv(0, -90, 0, 90)[2]
R_MEAN = 6371008.8
CUT_EPS = 1e-9          # degrees: "exactly" on a cut line (as the oracle)
NEAR_DUP_DEG = 1e-7     # consecutive vertices closer than this (lon/lat plane) = near-duplicate
FIELDS = ["site", "site_lat", "site_lon", "missile", "min_km", "range_km",
          "az_from", "az_to", "tol_m", "err_m", "area_km2"]


# pyproj, GDAL and shapely are loaded when first used: a test that needs none
# of them (or loads QGIS first) does not pay for them.
def __getattr__(name):
    if name == "GEOD":
        import pyproj
        globals()["GEOD"] = pyproj.Geod(ellps="WGS84")
        return globals()["GEOD"]
    raise AttributeError(name)


def _gdal():
    from osgeo import ogr, osr, gdal
    ogr.UseExceptions()
    osr.UseExceptions()
    gdal.UseExceptions()
    return ogr, osr, gdal


# ------------------------------------------------------------ locations ----
def shared_dir():
    """$GEOREACH_SHARED, or None: the shared oracle is never looked for."""
    d = os.environ.get("GEOREACH_SHARED")
    return os.path.abspath(d) if d else None


def shared_oracle_path():
    d = shared_dir()
    return os.path.join(d, "tools", "ring_oracle.py") if d else None


def oracle_path():
    return ORACLE


def cases_path():
    return CASES


def read_cases(group=None):
    """Rows of tests/cases.tsv as dicts (numbers as floats, '-' as None),
    optionally only one group ('public' or 'ctest')."""
    import csv
    rows = []
    with open(CASES) as f:
        lines = [ln for ln in f if ln.strip() and not ln.startswith("#")]
    for row in csv.DictReader(lines, delimiter="\t"):
        row = {k: (None if v in ("-", "") else v) for k, v in row.items()}
        for k in ("lat", "lon", "radius_m", "min_radius_m", "tol_m", "area_rel"):
            if row.get(k) is not None:
                row[k] = float(row[k])
        if group is None or row.get("group") == group:
            rows.append(row)
    return rows


# --------------------------------------------------------------- oracles ----
def oracle_argv(path, lat=None, lon=None, r=None, r0=0.0, az=None, sites=None, where=None, extra=()):
    """The oracle's command line (after the program name)."""
    argv = [path, "--radius-m", repr(float(r))]
    if r0:
        argv += ["--min-radius-m", repr(float(r0))]
    if sites is not None:
        argv += ["--sites", sites]
    elif lat is not None:
        argv += ["--lat", repr(float(lat)), "--lon", repr(float(lon))]
    if az is not None:
        argv += ["--az-from", repr(float(az[0])), "--az-to", repr(float(az[1]))]
    if where:
        argv += ["--where", where]
    return argv + list(extra)


def own_oracle(argv):
    """Score with tests/oracle.py in this process; {"error": ...} on failure."""
    if TESTS not in sys.path:
        sys.path.insert(0, TESTS)
    import oracle
    try:
        return oracle.run_args([a for a in argv if a != "--json"])
    except Exception as exc:            # noqa: BLE001 (a test decides)
        return {"error": "oracle.py failed: %s: %s" % (type(exc).__name__, exc)}
    except SystemExit as exc:
        return {"error": "oracle.py refused the arguments: %s" % exc}


def shared_oracle(argv):
    """Score with $GEOREACH_SHARED/tools/ring_oracle.py (a subprocess)."""
    p = run([PY, shared_oracle_path()] + list(argv) + ["--json"], timeout=900)
    try:
        return json.loads(p.stdout)
    except ValueError:
        return {"error": "ring_oracle.py printed no JSON: rc %s stderr %s" % (p.returncode, short(p.stderr))}


def oracles(argv):
    """[(label, result, command line)]: the project's oracle ("oracle"), then
    the shared one ("shared") when GEOREACH_SHARED is set."""
    out = [("oracle", own_oracle(argv), cmdline([PY, ORACLE] + list(argv) + ["--json"]))]
    if shared_dir():
        out.append(("shared", shared_oracle(argv), cmdline([PY, shared_oracle_path()] + list(argv) + ["--json"])))
    return out


def run_oracles(path, lat=None, lon=None, r=None, r0=0.0, az=None, sites=None, where=None, extra=()):
    return oracles(oracle_argv(path, lat, lon, r, r0, az, sites, where, extra))


def run_oracle(path, lat=None, lon=None, r=None, r0=0.0, az=None, sites=None, where=None, extra=()):
    """The project's oracle only: (result, command line)."""
    _, res, cmd = run_oracles(path, lat, lon, r, r0, az, sites, where, extra)[0]
    return res, cmd


def tagged(label, text):
    """A check's text for the shared oracle carries its label; the project's
    oracle keeps the text as it was."""
    return text if label == "oracle" else "[%s] %s" % (label, text)


def binary_from_argv():
    if len(sys.argv) < 2:
        print("usage: %s PATH/TO/georeach" % os.path.basename(sys.argv[0]), file=sys.stderr)
        sys.exit(2)
    b = os.path.abspath(sys.argv[1])
    if not (os.path.isfile(b) and os.access(b, os.X_OK)):
        print("FAIL setup: georeach binary %s not found or not executable" % b)
        sys.exit(2)
    return b


def scratch_dir(tag):
    base = os.environ.get("TMPDIR") or tempfile.gettempdir()
    d = tempfile.mkdtemp(prefix="georeach-e2e-%s-" % tag, dir=base)
    if os.environ.get("GEOREACH_E2E_KEEP") != "1":
        atexit.register(shutil.rmtree, d, True)
    else:
        print("# scratch kept in %s" % d)
    return d


# ------------------------------------------------------------- reporting ----
class Report:
    """Collects checks; prints one line per check; the closing line
    "N passed, N failed" and the exit status at the end."""

    def __init__(self, title=None):
        self.title = title
        self.n_pass = 0
        self.fails = []
        self.t0 = time.time()
        if title:
            print("# %s" % title, flush=True)

    def check(self, name, ok, detail=""):
        if ok:
            self.n_pass += 1
            print("PASS %s%s" % (name, ("  (%s)" % short(detail, 240)) if detail else ""), flush=True)
        else:
            self.fails.append(name)
            print("FAIL %s: %s" % (name, detail), flush=True)
        return ok

    def info(self, name, detail):
        print("INFO %s: %s" % (name, detail), flush=True)

    def add(self, results):
        """results: iterable of (name, ok, detail); ok None = information only."""
        for name, ok, detail in results:
            if ok is None:
                self.info(name, detail)
            else:
                self.check(name, ok, detail)

    def finish(self):
        dt = time.time() - self.t0
        if self.title:
            print("# %s: %.1f s" % (self.title, dt))
        if self.fails:
            print("# failed: " + ", ".join(self.fails))
        print("%d passed, %d failed" % (self.n_pass, len(self.fails)), flush=True)
        sys.exit(1 if self.fails else 0)


_default = Report()


def check(ok, what):
    """Print 'ok' or 'FAIL' and the claim; count it."""
    if ok:
        _default.n_pass += 1
    else:
        _default.fails.append(what)
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    return ok


def done():
    """Print 'N passed, N failed' and exit non-zero on any failure."""
    _default.finish()


def short(s, n=400):
    s = s if isinstance(s, str) else repr(s)
    s = s.strip().replace("\n", "\\n")
    return s if len(s) <= n else s[:n] + "..."


def run(cmd, cwd=None, timeout=300, stdin_data=None):
    """Run a command; returns CompletedProcess with text stdout/stderr (a
    timeout gives returncode None and the message in stderr)."""
    try:
        return subprocess.run(cmd, cwd=cwd, timeout=timeout, input=stdin_data,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              stdin=None if stdin_data is not None else subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout or ""
        if isinstance(out, bytes):
            out = out.decode("utf-8", "replace")
        return subprocess.CompletedProcess(cmd, None, out, "TIMEOUT after %s s" % timeout)
    except OSError as exc:             # e.g. the binary is being relinked
        return subprocess.CompletedProcess(cmd, None, "", "cannot run %s: %s" % (cmd[0], exc))


def cmdline(cmd):
    import shlex
    return " ".join(shlex.quote(c) for c in cmd)


# ------------------------------------------------------------- reading -----
def read_features(path, layer=None):
    """[(properties dict, shapely geometry or None, ogr field types)], layer
    SRS (osr or None), driver name."""
    import shapely.wkb
    _ogr, _osr, gdal = _gdal()
    ds = gdal.OpenEx(path, gdal.OF_VECTOR)
    lyr = ds.GetLayerByName(layer) if layer else ds.GetLayer(0)
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    out = []
    for f in lyr:
        g = f.GetGeometryRef()
        if g is not None and g.GetDimension() == 1:
            continue  # a KML's outline placemarks: the boundary lines of the rings
        props = {}
        for i, n in enumerate(names):
            props[n] = f.GetField(i) if f.IsFieldSetAndNotNull(i) else None
        sg = None
        if g is not None:
            g = g.Clone()
            g.FlattenTo2D()
            sg = shapely.wkb.loads(bytes(g.ExportToWkb()))
        out.append((props, sg))
    srs = lyr.GetSpatialRef()
    srs = srs.Clone() if srs is not None else None
    drv = ds.GetDriver().ShortName
    del lyr, ds
    return out, srs, drv, names


def is_epsg4326(srs):
    if srs is None:
        return False
    _ogr, osr, _gdal_ = _gdal()
    wgs = osr.SpatialReference()
    wgs.ImportFromEPSG(4326)
    s = srs.Clone()
    return bool(s.IsGeographic()) and bool(s.IsSameGeogCS(wgs))


def polygons_of(g):
    if g is None or g.is_empty:
        return []
    from shapely.geometry import Polygon, MultiPolygon
    if isinstance(g, Polygon):
        return [g]
    if isinstance(g, MultiPolygon):
        return list(g.geoms)
    out = []
    for h in getattr(g, "geoms", []):
        out += polygons_of(h)
    return out


def rings_of(g):
    """[(coords array (closed), is_exterior)]"""
    out = []
    for p in polygons_of(g):
        out.append((np.asarray(p.exterior.coords)[:, :2], True))
        for h in p.interiors:
            out.append((np.asarray(h.coords)[:, :2], False))
    return out


def on_cut(x, y):
    m = np.zeros(np.shape(x), dtype=int)
    m |= np.where(np.abs(x - 180.0) <= CUT_EPS, 1, 0)
    m |= np.where(np.abs(x + 180.0) <= CUT_EPS, 2, 0)
    m |= np.where(np.abs(y - 90.0) <= CUT_EPS, 4, 0)
    m |= np.where(np.abs(y + 90.0) <= CUT_EPS, 8, 0)
    return m


def boundary_vertices(g):
    """Vertices not on a cut line (lon = +-180, lat = +-90), as (lon, lat) arrays."""
    xs, ys = [], []
    for c, _ in rings_of(g):
        x, y = c[:-1, 0], c[:-1, 1]
        k = on_cut(x, y) == 0
        xs.append(x[k])
        ys.append(y[k])
    if not xs:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(xs), np.concatenate(ys)


def boundary_edges(g):
    """Edges not lying along one cut line: (x0, y0, x1, y1) arrays."""
    parts = [[], [], [], []]
    for c, _ in rings_of(g):
        cut = on_cut(c[:, 0], c[:, 1])
        keep = (cut[:-1] & cut[1:]) == 0
        parts[0].append(c[:-1, 0][keep]); parts[1].append(c[:-1, 1][keep])
        parts[2].append(c[1:, 0][keep]); parts[3].append(c[1:, 1][keep])
    if not parts[0]:
        return [np.zeros(0)] * 4
    return [np.concatenate(p) for p in parts]


def signed_area(c):
    x, y = c[:, 0], c[:, 1]
    return 0.5 * float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))


# ---------------------------------------------------- geometry rules -------
def geometry_rule_checks(g, tag, winding=True):
    """The contract's geometry rules that the oracle does not score (or scores
    only in part): OGC validity, coordinates in range, RFC 7946 winding,
    no (near-)duplicate consecutive vertices, cut lines densified (<= 1 deg),
    pieces meeting exactly on +-180.  Returns [(name, ok, detail)]."""
    out = []
    if g is None or g.is_empty:
        return [("%s.geometry_present" % tag, False, "no geometry / empty")]
    out.append(("%s.geom_type" % tag, g.geom_type in ("MultiPolygon", "Polygon"), g.geom_type))
    if not g.is_valid:
        from shapely.validation import explain_validity
        out.append(("%s.valid" % tag, False, explain_validity(g)))
    else:
        out.append(("%s.valid" % tag, True, ""))
    rings = rings_of(g)
    allc = np.concatenate([c for c, _ in rings]) if rings else np.zeros((0, 2))
    bad = int(np.sum(~np.isfinite(allc).all(1) | (np.abs(allc[:, 0]) > 180 + CUT_EPS)
                     | (np.abs(allc[:, 1]) > 90 + CUT_EPS)))
    out.append(("%s.coords_in_range" % tag, bad == 0, "%d vertices outside [-180,180]x[-90,90]" % bad if bad else ""))
    if winding:
        wrong = []
        for c, ext in rings:
            sa = signed_area(c)
            if (ext and sa <= 0) or (not ext and sa >= 0):
                wrong.append("%s ring (%d vertices) signed area %.3g" % ("exterior" if ext else "hole", len(c) - 1, sa))
        out.append(("%s.winding_rfc7946" % tag, not wrong, "; ".join(wrong[:3])))
    dups = []
    long_cut = []
    for c, _ in rings:
        d = np.hypot(np.diff(c[:, 0]), np.diff(c[:, 1]))
        k = np.nonzero(d < NEAR_DUP_DEG)[0]
        for i in k[:3]:
            dups.append("(%.10f, %.10f)->(%.10f, %.10f)" % (c[i, 0], c[i, 1], c[i + 1, 0], c[i + 1, 1]))
        cut = on_cut(c[:, 0], c[:, 1])
        along = (cut[:-1] & cut[1:]) != 0
        # (1 degree, and what GeoJSON's rounding adds: < 1e-7 degree at 10 m)
        lk = np.nonzero(along & (d > 1.0 + 2e-7))[0]
        for i in lk[:3]:
            long_cut.append("(%.6f, %.6f)->(%.6f, %.6f) %.3f deg" % (c[i, 0], c[i, 1], c[i + 1, 0], c[i + 1, 1], d[i]))
    out.append(("%s.no_near_duplicate_vertices" % tag, not dups,
                "consecutive vertices closer than %g deg: %s" % (NEAR_DUP_DEG, "; ".join(dups)) if dups else ""))
    out.append(("%s.cut_lines_densified_1deg" % tag, not long_cut,
                "edges along lon=+-180 / lat=+-90 longer than 1 deg: %s" % "; ".join(long_cut) if long_cut else ""))
    # pieces meet exactly on +-180: latitudes where the boundary arrives on
    # lon=+180 (an endpoint of an edge that is not along the cut) must also be
    # latitudes where it arrives on lon=-180, and vice versa
    lat_e, lat_w = [], []
    for c, _ in rings:
        cut = on_cut(c[:, 0], c[:, 1])
        along = (cut[:-1] & cut[1:]) != 0
        for i in range(len(c) - 1):
            if along[i]:
                continue
            for j in (i, i + 1):
                if abs(c[j, 1]) >= 90 - CUT_EPS:
                    continue
                if cut[j] & 1:
                    lat_e.append(c[j, 1])
                elif cut[j] & 2:
                    lat_w.append(c[j, 1])
    se = sorted(set(round(v, 9) for v in lat_e))
    sw = sorted(set(round(v, 9) for v in lat_w))
    out.append(("%s.antimeridian_pieces_meet" % tag, se == sw,
                ("boundary meets lon=+180 at lat %s but lon=-180 at lat %s" % (se[:6], sw[:6])) if se != sw
                else "%d crossing(s) of +-180" % len(se)))
    return out


def union_of(geoms):
    from shapely.ops import unary_union
    gs = [g for g in geoms if g is not None and not g.is_empty]
    return unary_union(gs) if gs else None


def classify(g, lon, lat):
    """Planar lon/lat 'covers' of every point (the way GeoJSON readers see it)."""
    from shapely.geometry import Point
    from shapely.prepared import prep
    pg = prep(g)
    return np.array([pg.covers(Point(x, y)) for x, y in zip(lon, lat)], bool)


def approx_perimeter_area(r, r0=0.0, width_deg=360.0):
    """Spherical estimate of the true ring's perimeter and area (for error
    budgets only)."""
    def cap(s):
        if s <= 0:
            return 0.0, 0.0
        th = min(s / R_MEAN, math.pi)
        return 2 * math.pi * R_MEAN * math.sin(th), 2 * math.pi * R_MEAN ** 2 * (1 - math.cos(th))
    po, ao = cap(r)
    pi_, ai = cap(r0)
    k = width_deg / 360.0
    p = k * (po + pi_) + (2 * (min(r, HALF_MERIDIAN) - r0) if width_deg < 360 else 0.0)
    return p, k * (ao - ai)


def area_rel_limit(tol_m, r, r0=0.0, width_deg=360.0):
    """Relative area error a boundary within tol_m of the truth can cause:
    tol * perimeter / area, never below 1e-4."""
    p, a = approx_perimeter_area(r, r0, width_deg)
    return max(1e-4, tol_m * p / a if a > 0 else 0.0)
