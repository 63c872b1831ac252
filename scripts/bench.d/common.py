"""Shared helpers for the georeach benchmark rig (scripts/bench).

Only the Debian interpreter /usr/bin/python3 has pyproj, shapely, GDAL (osgeo)
and numpy; every script here is run with it.
"""
import csv
import json
import math
import os
import subprocess
import time

import numpy as np
from osgeo import ogr, osr
import pyproj
import shapely.wkb
from shapely.geometry import MultiPolygon, Point, Polygon, box
from shapely.ops import unary_union
from shapely.prepared import prep

ogr.UseExceptions()
osr.UseExceptions()

GEOD = pyproj.Geod(ellps="WGS84")
CUT_EPS = 1e-9
# the project's own scorer (tests/oracle.py), found from this file: no fixed path
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ORACLE = os.path.join(REPO, "tests", "oracle.py")
# edge samples: t = k/9 (k = 1..8) plus the midpoint (the shared ring_oracle.py's
# choice; tests/oracle.py takes 15 points, t = k/16)
EDGE_T = np.array(sorted(set([k / 9.0 for k in range(1, 9)] + [0.5])))


def oracle_paths():
    """[(label, script)]: tests/oracle.py, then $GEOREACH_SHARED/tools/ring_oracle.py
    when GEOREACH_SHARED is set (an optional second opinion)."""
    out = [("oracle", ORACLE)]
    if os.environ.get("GEOREACH_SHARED"):
        out.append(("shared", os.path.join(os.environ["GEOREACH_SHARED"], "tools", "ring_oracle.py")))
    return out


def run_oracles(args, timeout=1800):
    """Run every oracle of oracle_paths() with these arguments (plus --json):
    [(label, result dict or None, error text or None)]."""
    out = []
    for label, script in oracle_paths():
        try:
            p = subprocess.run(["/usr/bin/python3", script] + list(args) + ["--json"],
                               capture_output=True, text=True, timeout=timeout)
            out.append((label, json.loads(p.stdout), None))
        except Exception as e:  # noqa: BLE001 (the oracle is optional in a bench)
            out.append((label, None, "%s failed: %s" % (os.path.basename(script), e)))
    return out


# ------------------------------------------------------------------ sites --
def make_sites(n, seed):
    """n sites uniform on the sphere (full sphere, poles included), seeded;
    the first k sites of a run with n > k are the k sites of a run with k.
    Coordinates are rounded to 1e-6 deg; the rounded values are the sites."""
    rng = np.random.default_rng(seed)
    u = rng.uniform(0.0, 1.0, (n, 2))       # one (lat, lon) draw per site:
    lat = np.degrees(np.arcsin(2.0 * u[:, 0] - 1.0))   # the first k sites of
    lon = 360.0 * u[:, 1] - 180.0                      # any n are the same
    lat = np.round(lat, 6)
    lon = np.round(lon, 6)
    names = ["s%05d" % i for i in range(n)]
    return names, lat, lon


def write_sites(path, names, lat, lon):
    with open(path, "w", newline="") as f:
        f.write("name,lat,lon\n")
        for nm, a, o in zip(names, lat, lon):
            f.write("%s,%.6f,%.6f\n" % (nm, a, o))


def read_sites(path):
    names, lat, lon = [], [], []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            names.append(row["name"])
            lat.append(float(row["lat"]))
            lon.append(float(row["lon"]))
    return names, np.array(lat), np.array(lon)


def read_counts(path):
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            out[row["name"]] = int(row["n"])
    return out


# ------------------------------------------- the peers' antimeridian fix --
def ring_to_multipolygon(lons, lats, clat, fix=True):
    """Open ring (lon/lat arrays, no closing repeat) -> shapely MultiPolygon.

    fix=False: the common recipe as people write it: Polygon(zip(lon, lat)).
    fix=True: the minimal handling: unwrap longitudes; if the boundary winds
    once around a pole (unrolled dlon = +-360) close it along the pole line of
    the pole nearer the centre (right for rings smaller than a hemisphere);
    then cut the unwrapped polygon into [-180, 180] by intersecting it with
    shifted boxes, and union the pieces.  Rings that cross nothing take the plain path (no cost).
    """
    lons = np.asarray(lons, float)
    lats = np.asarray(lats, float)
    if not fix:
        return MultiPolygon([Polygon(np.column_stack([lons, lats]))])
    d = np.diff(lons)
    closing = lons[0] - lons[-1]
    if np.all(np.abs(d) < 180.0) and abs(closing) < 180.0:
        return MultiPolygon([Polygon(np.column_stack([lons, lats]))])
    lu = np.unwrap(lons, period=360.0)
    wind = lu[-1] + ((closing + 180.0) % 360.0 - 180.0) - lu[0]
    if abs(wind) > 180.0:
        jumps = np.nonzero(np.abs(np.diff(np.append(lons, lons[0]))) > 180.0)[0]
        if len(jumps) == 1:
            return MultiPolygon([_polar_polygon(lons, lats, jumps[0], clat)])
        pole = 90.0 if clat >= 0 else -90.0
        end = lu[0] + wind
        xy = np.vstack([np.column_stack([lu, lats]),
                        [[end, lats[0]], [end, pole], [lu[0], pole]]])
    else:
        xy = np.column_stack([lu, lats])
    poly = Polygon(xy)
    if not poly.is_valid:
        poly = poly.buffer(0)
    parts = []
    for k in (-1, 0, 1):
        b = box(-180.0 + 360.0 * k, -90.0, 180.0 + 360.0 * k, 90.0)
        if not poly.intersects(b):
            continue
        g = poly.intersection(b)
        for p in getattr(g, "geoms", [g]):
            if p.geom_type != "Polygon" or p.is_empty or p.area == 0:
                continue
            if k:
                p = _translate(p, -360.0 * k)
            parts.append(p)
    if len(parts) > 1:
        u = unary_union(parts)
        parts = list(getattr(u, "geoms", [u]))
    return MultiPolygon(parts)


def _polar_polygon(lons, lats, j, clat):
    """Ring winding once around a pole and crossing +-180 once (between
    vertex j and j+1): open it there and close it along the pole line."""
    n = len(lons)
    order = np.r_[j + 1:n, 0:j + 1]
    x = lons[order]
    y = lats[order]
    # crossing chord: from the last vertex (x[-1]) to the first (x[0])
    x_last, x_first = x[-1], x[0]
    edge = 180.0 if x_last > 0 else -180.0           # side the chord leaves from
    xf = x_first + (360.0 if x_last > 0 else -360.0)  # first vertex, unwrapped
    t = (edge - x_last) / (xf - x_last)
    lat_x = y[-1] + t * (y[0] - y[-1])
    pole = 90.0 if clat >= 0 else -90.0
    xy = np.vstack([[[-edge, lat_x]], np.column_stack([x, y]),
                    [[edge, lat_x], [edge, pole], [-edge, pole]]])
    return Polygon(xy)


def _translate(p, dx):
    ext = np.asarray(p.exterior.coords)
    ext[:, 0] += dx
    holes = []
    for h in p.interiors:
        c = np.asarray(h.coords)
        c[:, 0] += dx
        holes.append(c)
    return Polygon(ext, holes)



# ------------------------------------------------------------ GPKG output --
class GpkgWriter:
    """One GeoPackage layer 'rings' of MultiPolygons in EPSG:4326, written in
    a single transaction (the usual way; without it GPKG inserts are slow)."""

    FIELDS = [("site", ogr.OFTString), ("site_lat", ogr.OFTReal),
              ("site_lon", ogr.OFTReal), ("range_km", ogr.OFTReal),
              ("n_vertices", ogr.OFTInteger)]

    def __init__(self, path):
        if os.path.exists(path):
            os.remove(path)
        drv = ogr.GetDriverByName("GPKG")
        self.ds = drv.CreateDataSource(path)
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(4326)
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        self.lyr = self.ds.CreateLayer("rings", srs, ogr.wkbMultiPolygon)
        for name, t in self.FIELDS:
            self.lyr.CreateField(ogr.FieldDefn(name, t))
        self.defn = self.lyr.GetLayerDefn()
        self.lyr.StartTransaction()

    def add(self, site, lat, lon, range_km, mp, nv):
        f = ogr.Feature(self.defn)
        f.SetField("site", site)
        f.SetField("site_lat", float(lat))
        f.SetField("site_lon", float(lon))
        f.SetField("range_km", float(range_km))
        f.SetField("n_vertices", int(nv))
        f.SetGeometryDirectly(ogr.CreateGeometryFromWkb(mp.wkb))
        self.lyr.CreateFeature(f)

    def close(self):
        self.lyr.CommitTransaction()
        self.ds = None


# ---------------------------------------------------- the vertex counts ---
def chord_error(lat, r, n, lon=0.0):
    """Max |s - r| over the n evenly spaced (in azimuth, from 0) exact vertices
    of the ring around (lat, lon) and 9 points along each straight lon/lat
    chord, with the same handling (unwrap) the peers get.  Edges along cut
    lines do not exist before cutting, so all chords are scored."""
    az = np.arange(n) * (360.0 / n)
    lo, la, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, float(r)))
    lo = np.unwrap(lo, period=360.0)
    x0, y0 = lo, la
    x1, y1 = np.roll(lo, -1), np.roll(la, -1)
    # the closing chord in unwrapped coordinates
    x1[-1] = x0[-1] + ((lo[0] - lo[-1] + 180.0) % 360.0 - 180.0)
    t = EDGE_T[None, :]
    sx = (x0[:, None] + (x1 - x0)[:, None] * t).ravel()
    sy = (y0[:, None] + (y1 - y0)[:, None] * t).ravel()
    sx = (sx + 180.0) % 360.0 - 180.0
    m = np.abs(np.abs(sy) - 90.0) > 1e-12
    _, _, s = GEOD.inv(np.full(m.sum(), lon), np.full(m.sum(), lat), sx[m], sy[m])
    return float(np.max(np.abs(s - r)))


def _r4(x):
    return int(4 * math.ceil(x / 4.0))


def min_count(lat, r, tol, start, nmax):
    """Smallest n (multiple of 4) whose evenly spaced ring is within
    tol by chord_error; nmax (and its error) when even nmax is not enough."""
    n = max(16, min(nmax, _r4(start)))
    e = chord_error(lat, r, n)
    lo, hi = None, None
    if e > tol:
        lo = n
        while e > tol and n < nmax:
            n = min(nmax, _r4(n * max(1.05, math.sqrt(e / tol) * 1.02)))
            e = chord_error(lat, r, n)
            if e > tol:
                lo = n
        if e > tol:
            return nmax, e
        hi, ehi = n, e
    else:
        hi, ehi = n, e
        while n > 16:
            n = max(16, _r4(n * min(0.95, math.sqrt(e / tol) * 0.98)))
            e = chord_error(lat, r, n)
            if e <= tol:
                hi, ehi = n, e
            else:
                lo = n
                break
        if lo is None:
            return hi, ehi
    while hi - lo > 4:
        mid = _r4((lo + hi) / 2.0)
        if mid >= hi or mid <= lo:
            break
        e = chord_error(lat, r, mid)
        if e <= tol:
            hi, ehi = mid, e
        else:
            lo = mid
    return hi, ehi


def count_table(r, tol, step=0.25, nmax=65536, cache_dir=None, log=None):
    """Per-|latitude| minimal vertex count for the evenly-spaced recipes.
    The ellipsoid is symmetric in longitude and between hemispheres, so the
    chord error of an evenly spaced ring depends on |lat| (and r) only."""
    key = "counts_r%.3f_tol%.4f_step%g_nmax%d.json" % (r, tol, step, nmax)
    if cache_dir:
        p = os.path.join(cache_dir, key)
        if os.path.exists(p):
            with open(p) as f:
                d = json.load(f)
            d["cached"] = True
            return d
    t0 = time.perf_counter()
    lats = np.arange(0.0, 90.0 + 1e-9, step)
    ns, es = [], []
    start = 256
    for a in lats:
        n, e = min_count(float(min(a, 90.0 - 1e-7)), r, tol, start, nmax)
        ns.append(n)
        es.append(e)
        start = n
    d = {"step": step, "nmax": nmax, "lats": lats.tolist(), "n": ns, "err": es,
         "seconds": time.perf_counter() - t0, "cached": False}
    if cache_dir:
        os.makedirs(cache_dir, exist_ok=True)
        with open(os.path.join(cache_dir, key), "w") as f:
            json.dump(d, f)
    return d


def counts_for_sites(table, lat, r, tol, steep=1.10):
    """Per site: the larger count of the two bracketing grid latitudes, or,
    where those differ by more than `steep` (the band where the ring passes
    near a pole and the count explodes), the site's own minimal count.
    Returns (counts, number of sites searched individually)."""
    step = table["step"]
    nmax = table["nmax"]
    n = np.array(table["n"])
    a = np.abs(np.asarray(lat))
    i0 = np.clip(np.floor(a / step).astype(int), 0, len(n) - 1)
    i1 = np.clip(i0 + 1, 0, len(n) - 1)
    out = np.maximum(n[i0], n[i1])
    lo = np.minimum(n[i0], n[i1])
    own = np.nonzero(out > steep * lo)[0]
    for i in own:
        out[i] = min_count(float(min(a[i], 90.0 - 1e-7)), r, tol, out[i], nmax)[0]
    return out, len(own)


# ---------------------------------------------------------------- reading --
def read_layer(path):
    """{site name: (site_lat, site_lon, [WKB of each feature])} and the
    vertex totals (distinct: each ring's closing repeat not counted)."""
    ds = ogr.Open(path)
    if ds is None:
        raise RuntimeError("cannot open %s" % path)
    lyr = ds.GetLayer(0)
    defn = lyr.GetLayerDefn()
    fields = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    feats = {}
    nv = 0
    nfeat = 0
    err_m = []
    for f in lyr:
        nfeat += 1
        g = f.GetGeometryRef()
        if g is None:
            continue
        nv += _count_vertices(g)
        name = f.GetField("site") if "site" in fields else str(f.GetFID())
        slat = f.GetField("site_lat") if "site_lat" in fields else None
        slon = f.GetField("site_lon") if "site_lon" in fields else None
        if "err_m" in fields and f.GetField("err_m") is not None:
            err_m.append(f.GetField("err_m"))
        ent = feats.setdefault(name, (slat, slon, []))
        ent[2].append(bytes(g.ExportToWkb()))
    return {"features": feats, "vertices": nv, "n_features": nfeat,
            "fields": fields, "err_m_max": max(err_m) if err_m else None,
            "layer": lyr.GetName(), "geom_type": ogr.GeometryTypeToName(lyr.GetGeomType())}


def _count_vertices(g):
    n = g.GetGeometryCount()
    if n == 0:
        c = g.GetPointCount()
        if c > 1:
            p0, p1 = g.GetPoint_2D(0), g.GetPoint_2D(c - 1)
            if p0 == p1:
                c -= 1
        return c
    return sum(_count_vertices(g.GetGeometryRef(i)) for i in range(n))


def _geoms(wkb):
    if isinstance(wkb, list):
        out = []
        for w in wkb:
            out.extend(_geoms(w))
        return out
    g = shapely.wkb.loads(wkb)
    return list(getattr(g, "geoms", [g]))


# ---------------------------------------------------------------- scoring --
def score_ring(wkb, clat, clon, r):
    """Sampled accuracy of one site's geometry, read as straight lon/lat edges:
    max |s(centre, p) - r| over vertices and 9 points per edge (edges with both
    ends on the same cut line lon=+-180 / lat=+-90 skipped; vertices on cut
    lines skipped), the count of uncut antimeridian edges (|dlon| > 180), and
    probes that a correct ring classifies one way beyond doubt (centre and
    r/2 inside, r+5 km and the antipode outside, poles by their distance)."""
    polys = _geoms(wkb)
    xs_all, ys_all = [], []
    n_cross = 0
    for p in polys:
        for ring in [p.exterior] + list(p.interiors):
            c = np.asarray(ring.coords)[:, :2]
            if len(c) < 2:
                continue
            x, y = c[:, 0], c[:, 1]
            if x[0] != x[-1] or y[0] != y[-1]:
                x = np.append(x, x[0]); y = np.append(y, y[0])
            cut = (np.where(np.abs(x - 180) <= CUT_EPS, 1, 0) | np.where(np.abs(x + 180) <= CUT_EPS, 2, 0)
                   | np.where(np.abs(y - 90) <= CUT_EPS, 4, 0) | np.where(np.abs(y + 90) <= CUT_EPS, 8, 0))
            keep_v = cut[:-1] == 0
            xs_all.append(x[:-1][keep_v]); ys_all.append(y[:-1][keep_v])
            same = (cut[:-1] & cut[1:]) != 0
            pole_edge = ((cut[:-1] & cut[1:]) & 12) != 0
            n_cross += int(np.sum((np.abs(np.diff(x)) > 180.0) & ~pole_edge))
            b = ~same
            x0, y0, x1, y1 = x[:-1][b], y[:-1][b], x[1:][b], y[1:][b]
            t = EDGE_T[None, :]
            xs_all.append((x0[:, None] + (x1 - x0)[:, None] * t).ravel())
            ys_all.append((y0[:, None] + (y1 - y0)[:, None] * t).ravel())
    if not xs_all:
        return {"err": float("inf"), "uncut": 0, "probes_wrong": -1, "empty": True}
    px = np.concatenate(xs_all); py = np.concatenate(ys_all)
    px = np.clip(px, -180.0, 180.0); py = np.clip(py, -90.0, 90.0)
    _, _, s = GEOD.inv(np.full(px.size, clon), np.full(px.size, clat), px, py)
    err = float(np.max(np.abs(s - r))) if px.size else float("inf")
    # probes
    geom = MultiPolygon(polys) if len(polys) > 1 else polys[0]
    pg = prep(geom)
    wrong = 0
    az = np.arange(8) * 45.0 + 22.5
    for dist, want in ((r * 0.5, True), (r - 5000.0, True), (r + 5000.0, False)):
        lo, la, _ = GEOD.fwd(np.full(8, clon), np.full(8, clat), az, np.full(8, dist))
        for a, b in zip(lo, la):
            if pg.covers(Point(a, b)) != want:
                wrong += 1
    if pg.covers(Point(clon, clat)) is not True:
        wrong += 1
    alon = clon - 180.0 if clon > 0 else clon + 180.0
    if pg.covers(Point(alon, -clat)):
        wrong += 1
    for plat in (90.0, -90.0):
        _, _, dp = GEOD.inv(clon, clat, clon, plat)
        if abs(dp - r) > 1000.0 and pg.covers(Point(clon, plat)) != (dp < r):
            wrong += 1
    return {"err": err, "uncut": n_cross, "probes_wrong": wrong, "empty": False}


# ---------------------------------------------------------------- running --
def timed_run(cmd, log_path, env=None):
    """Run cmd under GNU time; wall (perf_counter), peak RSS (KiB), user+sys."""
    tf = log_path + ".time"
    have_time = os.path.exists("/usr/bin/time")
    full = (["/usr/bin/time", "-f", "%e %M %U %S", "-o", tf] + cmd) if have_time else cmd
    t0 = time.perf_counter()
    with open(log_path, "w") as log:
        p = subprocess.run(full, stdout=log, stderr=subprocess.STDOUT, env=env)
    wall = time.perf_counter() - t0
    rss = cpu = None
    if have_time and os.path.exists(tf):
        try:
            last = open(tf).read().strip().splitlines()[-1].split()
            rss = int(last[1]); cpu = float(last[2]) + float(last[3])
        except (IndexError, ValueError):
            pass
    else:
        import resource
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        rss = ru.ru_maxrss; cpu = ru.ru_utime + ru.ru_stime
    return {"rc": p.returncode, "wall": wall, "rss_kb": rss, "cpu": cpu, "log": log_path}
