#!/usr/bin/python3
"""georeach's own scorer for reach-ring layers: truth from the geodesic
inverse problem on WGS84 (pyproj / GeographicLib), nothing from src/.

usage:
  ring:     oracle.py FILE --lat LAT --lon LON --radius-m R [--min-radius-m R0]
                      [--az A:B | --az-from A --az-to B] [--layer L] [--where SQL]
                      [--lattice N] [--json]
  sites:    oracle.py FILE --sites SITES --radius-m R [--min-radius-m R0]
                      [--mode any|all] [--az A:B] [...]
  counts:   oracle.py FILE --sites SITES --radius-m R --count-field NAME
                      [--count-mode exact|atleast] [...]
  area:     oracle.py FILE --area TERRITORY --radius-m R [--area-layer L]
                      [--area-where SQL] [--area-spacing-m 250] [...]

The truth
  ring      R0 <= s(centre, P) <= R, s the shortest geodesic distance
            (Geod.inv); with a sector also the initial azimuth from the centre
            in [A, B] clockwise (A -> B may wrap through north; a full turn or
            an empty interval is the whole circle).
  sites     any: some site has R0 <= s <= R (and the azimuth in the sector);
            all: every site does; counts: the number of sites that do.
  area      inside the territory (planar lon/lat, as a reader sees it) or
            within R of its boundary.

How FILE is read: any OGR vector layer (reprojected to EPSG:4326 if it has
another CRS), the union of the features (after --where), every edge a straight
line in (lon, lat) degrees and containment planar, as GeoJSON and QGIS
readers do.

What is measured (JSON keys in brackets)
  classification  a Fibonacci lattice of N points (200,000 by default) plus
                  probes on the poles, near them and along both sides of the
                  antimeridian; points within MARGIN (1 km) of a true boundary
                  (an arc, a sector's radial, the centre of a sector, any site's
                  circle in the sites modes) are not scored; probes use "covers"
                  (a point on an edge is inside: cut lines hold points)
                  [misclassified, class_points_scored, false_inside,
                  false_outside, misclassified_examples, ...].
  boundary error  (ring mode) every vertex and 15 points along every edge
                  (t = k/16), except vertices on a cut line (lon = +-180,
                  lat = +-90) and edges lying along one: the distance to the
                  nearest true boundary piece: |s - R| (|s - R0|) for arcs,
                  which is right even within 100 km of the antipodal distance
                  where the direct problem's circle is not the boundary; the
                  geodesic distance to the radial segment (foot found by
                  iterating Geod.fwd / Geod.inv) for a sector's sides
                  [boundary_err_max_m, vertex_err_max_m, edge_err_max_m,
                  boundary_vertices, boundary_exists_in_truth].
  geometry        GEOS validity per feature [valid, validity]; edges with
                  |dlon| > 180 not along a pole line [uncut_antimeridian_edges];
                  [coords_out_of_range, coords_non_finite]; RFC 7946 winding
                  by planar shoelace [rfc7946_winding_ok, winding].
  area            the ellipsoidal area of the region as read (Green's theorem
                  with the zone-area function, Gauss-Legendre along each
                  straight lon/lat edge) [area_lonlat_m2] and, in ring mode,
                  the exact area [area_true_m2]: a cap is a dense polygon of
                  direct-problem points with geodesic edges (2^14 and 2^15
                  vertices, Richardson); a centre on a pole is a zone; within
                  100 km of the antipodal distance the Earth less the hole
                  round the antipode, traced by bisection on the inverse
                  distance along rays from the antipode; [area_lonlat_rel_err].

It exits 0 whenever it could score (the caller decides what passes), 2 when
the file cannot be read.  Importable: score_ring(), score_sites(),
score_area(), run_args(argv) (the command line in-process), and the helpers
below; tests/harness.py calls it in-process.

Cost, measured on the 2-core box while it was loaded (load 12-15): a one-centre
ring 0.2-1.7 s (200,000 points; the 1 km-short-of-antipodal ring with its hole
tracing 1.6 s), a sector 0.4-2.8 s, overlap counts of 5 sites 4.9 s and of 60
sites 17 s, a union of 60 sites 9 s, reach from North Korea 1.1 s.

Checked against the shared ring_oracle.py on the 31 ctest ring cases of
tests/cases.tsv (misclassified, boundary error to 1e-9 m, validity, winding;
exact areas within 1.3e-9 relative for a 1 km ring, 3e-12 or better from
100 km up, sectors 2e-13) and on counts, union and territory outputs (the same
verdicts).
"""
import argparse
import csv
import json
import math
import os
import sys
import time

import numpy as np
from osgeo import gdal, ogr, osr
from pyproj import Geod
import shapely.wkb
from shapely.validation import explain_validity

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

GEOD = Geod(ellps="WGS84")
A_AX = GEOD.a
B_AX = GEOD.b
FLAT = GEOD.f
E2 = GEOD.es
ECC = math.sqrt(E2)
HALF_MERIDIAN = GEOD.inv(0.0, -90.0, 0.0, 90.0)[2]
ANTIPODE_ZONE_M = 100e3       # within this of HALF_MERIDIAN the direct circle is not the boundary
MARGIN_M = 1000.0
CUT_EPS = 1e-9
ON_EDGE_DEG = 1e-9
DEFAULT_LATTICE = 200000
EDGE_T = np.arange(1, 16) / 16.0
GL_X, GL_W = np.polynomial.legendre.leggauss(16)
GL_T = 0.5 * (GL_X + 1.0)
GL_W = 0.5 * GL_W


# --------------------------------------------------------------- areas ----
def zone_area(phi):
    """Area between the equator and latitude phi (radians) per radian of
    longitude on the WGS84 ellipsoid."""
    s = np.sin(phi)
    return 0.5 * B_AX * B_AX * (s / (1.0 - E2 * s * s) + np.arctanh(ECC * s) / ECC)


EARTH_AREA = float(4.0 * math.pi * zone_area(math.pi / 2))


def ring_area_lonlat(x, y):
    """Signed ellipsoidal area (m^2, counter-clockwise positive) of a closed
    ring whose edges are straight lines in (lon, lat) degrees."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    if x.size < 4:
        return 0.0
    dl = np.radians(x[1:] - x[:-1])
    phi0 = math.radians(float(np.mean(y)))
    g0 = float(zone_area(phi0))
    phis = np.radians(y[:-1, None] + (y[1:] - y[:-1])[:, None] * GL_T[None, :])
    gm = (zone_area(phis) - g0) @ GL_W
    return -float(np.sum(gm * dl) + g0 * np.sum(dl))


def polygons_area_lonlat(polys):
    """Area of a list of shapely polygons as a lon/lat-planar reader sees them."""
    tot = 0.0
    for p in polys:
        c = np.asarray(p.exterior.coords)
        tot += abs(ring_area_lonlat(c[:, 0], c[:, 1]))
        for h in p.interiors:
            c = np.asarray(h.coords)
            tot -= abs(ring_area_lonlat(c[:, 0], c[:, 1]))
    return tot


def _geodesic_polygon_area_cw(lons, lats):
    """Area enclosed by a clockwise geodesic polygon (may exceed half the Earth)."""
    a, _ = GEOD.polygon_area_perimeter(lons, lats)
    return (-a) % EARTH_AREA


def _pole_cap(lat, lon, r):
    """Cap of radius r round a pole: a zone."""
    north = lat > 0
    la = GEOD.fwd(lon, lat, 180.0 if north else 0.0, r)[1]
    if north:
        return float(2 * math.pi * (zone_area(math.pi / 2) - zone_area(math.radians(la))))
    return float(2 * math.pi * (zone_area(math.radians(la)) + zone_area(math.pi / 2)))


def hole_near_antipode(lat, lon, r, n=4096):
    """Boundary of { P : s(centre, P) > r } round the antipode, for r close to
    the antipodal distance: bisection on the inverse distance along n rays
    from the antipode.  Returns (lons, lats) in clockwise order (increasing
    azimuth from the antipode)."""
    alat, alon = -lat, lon + 180.0
    az = np.arange(n) * 360.0 / n
    c_lon = np.full(n, lon)
    c_lat = np.full(n, lat)
    a_lon = np.full(n, alon)
    a_lat = np.full(n, alat)

    def dist(t):
        x, y, _ = GEOD.fwd(a_lon, a_lat, az, t)
        return np.asarray(GEOD.inv(c_lon, c_lat, x, y)[2])

    lo = np.zeros(n)
    hi = np.full(n, 3.0 * (HALF_MERIDIAN - r) + 150e3)
    for _ in range(20):
        bad = dist(hi) > r
        if not bad.any():
            break
        lo = np.where(bad, hi, lo)
        hi = np.where(bad, hi * 2, hi)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        out = dist(mid) > r
        lo = np.where(out, mid, lo)
        hi = np.where(out, hi, mid)
    x, y, _ = GEOD.fwd(a_lon, a_lat, az, 0.5 * (lo + hi))
    return np.asarray(x), np.asarray(y)


def cap_area(lat, lon, r):
    """Exact area of { P : s(centre, P) <= r } (m^2)."""
    if r <= 0:
        return 0.0
    if r >= HALF_MERIDIAN:
        return EARTH_AREA
    if abs(lat) >= 90.0:
        return _pole_cap(lat, lon, r)
    if r > HALF_MERIDIAN - ANTIPODE_ZONE_M:
        hx, hy = hole_near_antipode(lat, lon, r)
        hole = abs(GEOD.polygon_area_perimeter(hx, hy)[0])
        return EARTH_AREA - hole

    def dense(n):
        az = np.arange(n) * 360.0 / n
        x, y, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, r))
        return _geodesic_polygon_area_cw(x, y)
    a1, a2 = dense(1 << 14), dense(1 << 15)
    return (4.0 * a2 - a1) / 3.0


def sector_area(lat, lon, r, r0, az_from, width):
    """Exact area of the annular sector (None where it cannot be computed
    this way: within 100 km of the antipodal distance)."""
    if width >= 360.0:
        return cap_area(lat, lon, r) - cap_area(lat, lon, r0)
    if abs(lat) >= 90.0:
        return width / 360.0 * (cap_area(lat, lon, r) - cap_area(lat, lon, r0))
    if r > HALF_MERIDIAN - ANTIPODE_ZONE_M:
        return None

    def dense(n):
        az = az_from + width * np.arange(n + 1) / n
        ox, oy, _ = GEOD.fwd(np.full(n + 1, lon), np.full(n + 1, lat), az, np.full(n + 1, r))
        if r0 > 0:
            ix, iy, _ = GEOD.fwd(np.full(n + 1, lon), np.full(n + 1, lat), az[::-1], np.full(n + 1, r0))
            xs, ys = np.concatenate([ox, ix]), np.concatenate([oy, iy])
        else:
            xs, ys = np.concatenate([[lon], ox]), np.concatenate([[lat], oy])
        return _geodesic_polygon_area_cw(xs, ys)
    n = max(256, int(round((1 << 15) * width / 360.0)))
    a1, a2 = dense(n), dense(2 * n)
    return (4.0 * a2 - a1) / 3.0


# ------------------------------------------------------------- reading ----
def _open_layer(path, layer=None, where=None):
    ds = gdal.OpenEx(path, gdal.OF_VECTOR)
    if ds is None:
        raise IOError("cannot open %s" % path)
    lyr = ds.GetLayerByName(layer) if layer else ds.GetLayer(0)
    if lyr is None:
        raise IOError("no layer %r in %s" % (layer, path))
    if where:
        lyr.SetAttributeFilter(where)
    return ds, lyr


def _transform_for(lyr, warnings):
    srs = lyr.GetSpatialRef()
    if srs is None:
        return None
    wgs = osr.SpatialReference()
    wgs.ImportFromEPSG(4326)
    wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    if srs.IsGeographic() and srs.IsSameGeogCS(wgs):
        return None
    src = srs.Clone()
    src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    warnings.append("layer CRS is not EPSG:4326: reprojected")
    return osr.CoordinateTransformation(src, wgs)


def read_polygons(path, layer=None, where=None, field=None):
    """[(feature index, shapely Polygon, field value)], feature count, warnings."""
    warnings = []
    ds, lyr = _open_layer(path, layer, where)
    ct = _transform_for(lyr, warnings)
    out = []
    nfeat = 0
    geoms = []
    for f in lyr:
        g = f.GetGeometryRef()
        if g is not None and g.GetDimension() == 1:
            continue  # a KML's outline placemarks (boundary lines), not rings
        val = None
        if field is not None:
            i = f.GetFieldIndex(field)
            val = f.GetField(i) if i >= 0 and f.IsFieldSetAndNotNull(i) else None
        fid = nfeat
        nfeat += 1
        if g is None:
            geoms.append(None)
            continue
        g = g.Clone()
        if ct is not None:
            g.Transform(ct)
        g.FlattenTo2D()
        g = ogr.ForceToMultiPolygon(g)
        sg = shapely.wkb.loads(bytes(g.ExportToWkb()))
        geoms.append(sg)
        for p in getattr(sg, "geoms", [sg]):
            if not p.is_empty:
                out.append((fid, p, val))
    del lyr, ds
    return out, geoms, nfeat, warnings


def _plain_sites(path):
    """lat/lon columns of a CSV/TSV (any order, common names), or headerless
    'lat lon' lines; None if the file is not such a table."""
    try:
        with open(path, newline="") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        return None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return None
    delim = "\t" if "\t" in lines[0] else ("," if "," in lines[0] else (";" if ";" in lines[0] else None))

    def split(ln):
        return [c.strip() for c in (ln.split(delim) if delim else ln.split())]
    head = [h.lower() for h in split(lines[0])]
    lat_names, lon_names = ("lat", "latitude", "y"), ("lon", "lng", "long", "longitude", "x")
    ilat = next((head.index(n) for n in lat_names if n in head), None)
    ilon = next((head.index(n) for n in lon_names if n in head), None)
    rows = lines[1:]
    if ilat is None or ilon is None:
        ilat, ilon, rows = 0, 1, lines
    lat, lon = [], []
    for ln in rows:
        c = list(csv.reader([ln], delimiter=delim))[0] if delim else ln.split()
        try:
            lat.append(float(c[ilat]))
            lon.append(float(c[ilon]))
        except (ValueError, IndexError):
            return None
    return np.array(lat), np.array(lon)


def read_sites(path, layer=None, where=None):
    """(lat array, lon array) of the centres in a CSV/TSV or an OGR point layer."""
    if not layer and not where and os.path.splitext(path)[1].lower() in (".csv", ".tsv", ".txt", ""):
        got = _plain_sites(path)
        if got is not None:
            return got
    warnings = []
    ds, lyr = _open_layer(path, layer, where)
    ct = _transform_for(lyr, warnings)
    lat, lon = [], []
    for f in lyr:
        g = f.GetGeometryRef()
        if g is None or g.GetDimension() == 1:
            continue
        g = g.Clone()
        if ct is not None:
            g.Transform(ct)
        if g.GetGeometryCount() > 0:
            for i in range(g.GetGeometryCount()):
                p = g.GetGeometryRef(i)
                lon.append(p.GetX())
                lat.append(p.GetY())
        else:
            lon.append(g.GetX())
            lat.append(g.GetY())
    return np.array(lat), np.array(lon)


# ------------------------------------------------------------ geometry ----
def on_cut(x, y):
    """Bit mask: 1 lon=+180, 2 lon=-180, 4 lat=+90, 8 lat=-90."""
    x = np.asarray(x)
    y = np.asarray(y)
    return ((np.abs(x - 180.0) <= CUT_EPS) * 1 | (np.abs(x + 180.0) <= CUT_EPS) * 2
            | (np.abs(y - 90.0) <= CUT_EPS) * 4 | (np.abs(y + 90.0) <= CUT_EPS) * 8)


class Rings:
    """Every ring of a list of (feature, polygon) as flat edge arrays."""

    def __init__(self, items):
        x0, y0, x1, y1, pid, ext = [], [], [], [], [], []
        self.rings = []          # (coords, polygon index, is_exterior)
        self.poly_feature = []
        for k, (fid, p, _val) in enumerate(items):
            self.poly_feature.append(fid)
            for c, is_ext in [(np.asarray(p.exterior.coords)[:, :2], True)] + \
                    [(np.asarray(h.coords)[:, :2], False) for h in p.interiors]:
                if len(c) < 2:
                    continue
                self.rings.append((c, k, is_ext))
                x0.append(c[:-1, 0]); y0.append(c[:-1, 1])
                x1.append(c[1:, 0]); y1.append(c[1:, 1])
                pid.append(np.full(len(c) - 1, k))
        cat = (lambda a: np.concatenate(a) if a else np.zeros(0))
        self.x0, self.y0, self.x1, self.y1 = cat(x0), cat(y0), cat(x1), cat(y1)
        self.pid = cat(pid).astype(np.int64)
        self.npoly = len(items)
        self.poly_feature = np.array(self.poly_feature, dtype=np.int64)


def _band_pairs(ysorted, lo, hi, inclusive=False):
    """For each edge e with band [lo[e], hi[e]) (or [lo, hi] when inclusive),
    the pairs (edge, position in ysorted) of points inside the band."""
    a = np.searchsorted(ysorted, lo, "left")
    b = np.searchsorted(ysorted, hi, "right" if inclusive else "left")
    cnt = np.maximum(b - a, 0)
    tot = int(cnt.sum())
    e = np.repeat(np.arange(lo.size), cnt)
    start = np.cumsum(cnt) - cnt
    pos = np.arange(tot) - np.repeat(start - a, cnt)
    return e, pos


def memberships(rings, px, py, chunk_edges=200000):
    """(point index, polygon index) pairs: the point is inside the polygon by
    the even-odd rule with straight lon/lat edges (rays towards +lon)."""
    px = np.asarray(px, float)
    py = np.asarray(py, float)
    order = np.argsort(py, kind="stable")
    ys = py[order]
    keys = []
    nonflat = np.nonzero(rings.y0 != rings.y1)[0]
    for s in range(0, nonflat.size, chunk_edges):
        ed = nonflat[s:s + chunk_edges]
        x0, y0, x1, y1 = rings.x0[ed], rings.y0[ed], rings.x1[ed], rings.y1[ed]
        e, pos = _band_pairs(ys, np.minimum(y0, y1), np.maximum(y0, y1))
        if e.size == 0:
            continue
        pi = order[pos]
        qy = py[pi]
        xi = x0[e] + (qy - y0[e]) * (x1[e] - x0[e]) / (y1[e] - y0[e])
        hit = px[pi] < xi
        keys.append(pi[hit].astype(np.int64) * max(rings.npoly, 1) + rings.pid[ed][e][hit])
    if not keys:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    k, c = np.unique(np.concatenate(keys), return_counts=True)
    k = k[(c & 1) == 1]
    return k // max(rings.npoly, 1), k % max(rings.npoly, 1)


def on_boundary(rings, px, py, eps=ON_EDGE_DEG):
    """Points lying on an edge (within eps degrees in the lon/lat plane)."""
    px = np.asarray(px, float)
    py = np.asarray(py, float)
    out = np.zeros(px.size, bool)
    if rings.x0.size == 0 or px.size == 0:
        return out
    order = np.argsort(py, kind="stable")
    ys = py[order]
    e, pos = _band_pairs(ys, np.minimum(rings.y0, rings.y1) - eps, np.maximum(rings.y0, rings.y1) + eps,
                         inclusive=True)
    pi = order[pos]
    x0, y0, x1, y1 = rings.x0[e], rings.y0[e], rings.x1[e], rings.y1[e]
    dx, dy = x1 - x0, y1 - y0
    ll = dx * dx + dy * dy
    t = np.where(ll > 0, ((px[pi] - x0) * dx + (py[pi] - y0) * dy) / np.where(ll > 0, ll, 1), 0.0)
    t = np.clip(t, 0.0, 1.0)
    d = np.hypot(px[pi] - (x0 + t * dx), py[pi] - (y0 + t * dy))
    out[pi[d <= eps]] = True
    return out


def inside_union(rings, px, py, covers_from=None):
    """Is each point inside the union of the polygons; points from index
    covers_from on also count as inside when they lie on an edge."""
    pt, _ = memberships(rings, px, py)
    inside = np.zeros(np.size(px), bool)
    inside[pt] = True
    if covers_from is not None and covers_from < np.size(px):
        inside[covers_from:] |= on_boundary(rings, np.asarray(px)[covers_from:], np.asarray(py)[covers_from:])
    return inside


def geometry_report(items, geoms, nfeat):
    """Validity, cut-line and winding facts, vertices off the cut lines and
    the boundary edges (not lying along one cut line)."""
    res = {"features": int(nfeat), "polygons": len(items)}
    reasons = []
    valid = True
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            continue
        if not g.is_valid:
            valid = False
            reasons.append("feature %d: %s" % (i, explain_validity(g)))
    res["valid"] = bool(valid) and any(g is not None and not g.is_empty for g in geoms)
    if not any(g is not None and not g.is_empty for g in geoms):
        reasons.append("no polygon geometry")
    res["validity"] = "; ".join(reasons[:10]) if reasons else "Valid Geometry"
    rings = Rings(items)
    nv = 0
    bad_range = nonfin = uncut = 0
    wrong_wind = []
    n_ext = n_hole = 0
    vx, vy = [], []
    ex0, ey0, ex1, ey1 = [], [], [], []
    for c, _k, is_ext in rings.rings:
        x, y = c[:, 0], c[:, 1]
        nv += len(c) - 1
        fin = np.isfinite(x) & np.isfinite(y)
        nonfin += int((~fin[:-1]).sum())
        bad_range += int(((np.abs(x[:-1]) > 180 + CUT_EPS) | (np.abs(y[:-1]) > 90 + CUT_EPS))[fin[:-1]].sum())
        dx = np.abs(np.diff(x))
        polar = (np.abs(y[:-1]) >= 90 - CUT_EPS) & (np.abs(y[1:]) >= 90 - CUT_EPS)
        uncut += int(((dx > 180.0) & ~polar).sum())
        sa = 0.5 * float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))
        if is_ext:
            n_ext += 1
        else:
            n_hole += 1
        if (is_ext and not sa > 0) or (not is_ext and not sa < 0):
            wrong_wind.append("%s of %d vertices has signed area %.3g deg2"
                              % ("exterior" if is_ext else "hole", len(c) - 1, sa))
        cut = on_cut(x, y)
        keepv = cut[:-1] == 0
        vx.append(x[:-1][keepv]); vy.append(y[:-1][keepv])
        keepe = (cut[:-1] & cut[1:]) == 0
        ex0.append(x[:-1][keepe]); ey0.append(y[:-1][keepe])
        ex1.append(x[1:][keepe]); ey1.append(y[1:][keepe])
    cat = (lambda a: np.concatenate(a) if a else np.zeros(0))
    res["vertices"] = int(nv)
    res["rings_exterior"] = n_ext
    res["rings_holes"] = n_hole
    res["coords_out_of_range"] = int(bad_range)
    res["coords_non_finite"] = int(nonfin)
    res["uncut_antimeridian_edges"] = int(uncut)
    res["rfc7946_winding_ok"] = not wrong_wind
    res["winding"] = ("exteriors counter-clockwise, holes clockwise" if not wrong_wind
                      else "; ".join(wrong_wind[:5]))
    polys = [p for _f, p, _v in items]
    if len([g for g in geoms if g is not None and not g.is_empty]) > 1:
        try:
            from shapely.ops import unary_union
            u = unary_union([g for g in geoms if g is not None and not g.is_empty])
            polys = list(getattr(u, "geoms", [u]))
        except Exception as exc:   # noqa: BLE001 (an invalid input: sum the parts)
            res.setdefault("warnings", []).append("union failed (%s): areas summed" % exc)
    res["area_lonlat_m2"] = float(polygons_area_lonlat([p for p in polys if p.geom_type == "Polygon"]))
    bnd = (cat(vx), cat(vy), (cat(ex0), cat(ey0), cat(ex1), cat(ey1)))
    return res, rings, bnd


# ------------------------------------------------------------- points -----
def fibonacci_lattice(n):
    """n points spread evenly over the sphere (lon, lat degrees)."""
    i = np.arange(n) + 0.5
    lat = np.degrees(np.arcsin(1.0 - 2.0 * i / n))
    lon = np.mod(np.degrees(i * math.pi * (3.0 - math.sqrt(5.0))) + 180.0, 360.0) - 180.0
    return lon, lat


def probe_points():
    """Both poles (several longitudes), rings near them, and both sides of
    the antimeridian."""
    xs, ys = [], []
    for la in (90.0, -90.0):
        for lo in (-180.0, -90.0, 0.0, 90.0, 180.0):
            xs.append(lo); ys.append(la)
    for la in (89.99, 89.9, 89.0, -89.0, -89.9, -89.99):
        for lo in np.arange(-180.0, 180.0, 15.0) + 7.5:
            xs.append(lo); ys.append(la)
    lats = np.arange(-89.75, 90.0, 0.5)
    for lo in (180.0, -180.0, 179.9999, -179.9999):
        xs.extend([lo] * lats.size); ys.extend(lats.tolist())
    return np.array(xs), np.array(ys)


def points(lattice_n):
    lx, ly = fibonacci_lattice(lattice_n)
    qx, qy = probe_points()
    return np.concatenate([lx, qx]), np.concatenate([ly, qy]), lx.size


# --------------------------------------------------------------- truth ----
def sector_width(az_from, az_to):
    w = (az_to - az_from) % 360.0
    return 360.0 if w == 0 else w


def in_sector(az, az_from, width):
    return np.mod(np.asarray(az) - az_from, 360.0) <= width + 1e-12


def inv_from(lon, lat, px, py):
    """(azimuth, distance) from one centre to every point."""
    n = np.size(px)
    az, _, s = GEOD.inv(np.full(n, float(lon)), np.full(n, float(lat)), np.asarray(px, float),
                        np.asarray(py, float))
    return np.asarray(az), np.asarray(s)


def radial_distance(lon, lat, az, t_lo, t_hi, px, py, s, paz, iters=12):
    """Geodesic distance from each point to the radial segment that leaves
    (lon, lat) at azimuth az between distances t_lo and t_hi: the foot is
    found by moving along the radial by the along-track component of the
    distance to the current foot."""
    n = np.size(px)
    px = np.asarray(px, float)
    py = np.asarray(py, float)
    if n == 0:
        return np.zeros(0)
    t = np.clip(np.asarray(s) * np.cos(np.radians(np.asarray(paz) - az)), t_lo, t_hi)
    clon, clat, caz = np.full(n, float(lon)), np.full(n, float(lat)), np.full(n, float(az))
    d = None
    for _ in range(iters):
        qx, qy, back = GEOD.fwd(clon, clat, caz, t)
        qaz = np.asarray(back) + 180.0
        a, _, d = GEOD.inv(np.asarray(qx), np.asarray(qy), px, py)
        d = np.asarray(d)
        step = d * np.cos(np.radians(np.asarray(a) - qaz))
        tn = np.clip(t + step, t_lo, t_hi)
        if np.all(np.abs(tn - t) < 1e-4):
            t = tn
            break
        t = tn
    qx, qy, _ = GEOD.fwd(clon, clat, caz, t)
    return np.asarray(GEOD.inv(np.asarray(qx), np.asarray(qy), px, py)[2])


def maybe_near_radial(s, paz, az, within):
    """Cheap pre-filter: False where a point is surely farther than `within`
    from the whole geodesic through the centre at azimuth az (spherical
    cross-track distance, with 1 % of s as room for the ellipsoid)."""
    rm = 6371008.8
    xt = rm * np.abs(np.arcsin(np.clip(np.sin(np.asarray(s) / rm) * np.sin(np.radians(np.asarray(paz) - az)),
                                       -1.0, 1.0)))
    return xt < within + 2000.0 + 0.01 * np.asarray(s)


def boundary_distance(lon, lat, r, r0, px, py, sector=None):
    """Distance of each point to the nearest true boundary piece of the ring
    (inf where the truth has no boundary)."""
    az, s = inv_from(lon, lat, px, py)
    d = np.full(s.size, np.inf)
    ins = in_sector(az, sector[0], sector[1]) if sector else np.ones(s.size, bool)
    if r < HALF_MERIDIAN:
        d = np.where(ins, np.minimum(d, np.abs(s - r)), d)
    if r0 > 0:
        d = np.where(ins, np.minimum(d, np.abs(s - r0)), d)
    if sector:
        t_hi = min(r, HALF_MERIDIAN)
        for a in (sector[0], sector[0] + sector[1]):
            d = np.minimum(d, radial_distance(lon, lat, a, r0, t_hi, px, py, s, az))
    return d, s, az


# ------------------------------------------------------------- scoring ----
def _class_summary(res, truth, inside, scored, nl, px, py, dist, margin):
    wrong = scored & (inside != truth)
    res["class_lattice_n"] = int(nl)
    res["class_probe_n"] = int(truth.size - nl)
    res["class_points_scored"] = int(scored.sum())
    res["misclassified"] = int(wrong.sum())
    res["false_inside"] = int((wrong & inside).sum())
    res["false_outside"] = int((wrong & ~inside).sum())
    res["misclassified_probes"] = int(wrong[nl:].sum())
    res["true_inside_points"] = int((truth & scored).sum())
    idx = np.nonzero(wrong)[0]
    idx = idx[np.argsort(-margin[idx])][:5]
    res["misclassified_examples"] = [
        {"lon": float(px[i]), "lat": float(py[i]), "dist_m": None if dist is None else float(dist[i]),
         "truly_inside": bool(truth[i]), "polygon_says_inside": bool(inside[i]),
         "kind": "lattice" if i < nl else "probe"} for i in idx]
    return wrong


def _read(res, path, layer, where, field=None):
    items, geoms, nfeat, warnings = read_polygons(path, layer, where, field)
    res["warnings"] = warnings
    geo, rings, bnd = geometry_report(items, geoms, nfeat)
    res["warnings"] += geo.pop("warnings", [])
    res.update(geo)
    return items, rings, bnd


def score_ring(path, lat, lon, r, r0=0.0, az=None, layer=None, where=None, lattice_n=DEFAULT_LATTICE):
    """Score a one-centre ring, annulus or sector layer; az = (from, to) or None."""
    t0 = time.time()
    r, r0, lat, lon = float(r), float(r0 or 0.0), float(lat), float(lon)
    sector = None
    if az is not None:
        w = sector_width(float(az[0]), float(az[1]))
        if w < 360.0:
            sector = (float(az[0]) % 360.0, w)
    res = {"oracle": "georeach tests/oracle.py", "mode": "sector" if sector else "ring", "file": path,
           "center": [lat, lon], "radius_m": r, "min_radius_m": r0,
           "az_from": az[0] if az else None, "az_to": az[1] if az else None}
    _items, rings, (vx, vy, edges) = _read(res, path, layer, where)

    # boundary error
    exists = r < HALF_MERIDIAN or r0 > 0
    res["boundary_exists_in_truth"] = bool(exists)
    res["boundary_vertices"] = int(vx.size)
    res["vertex_err_max_m"] = res["edge_err_max_m"] = None
    if exists and vx.size:
        d, _, _ = boundary_distance(lon, lat, r, r0, vx, vy, sector)
        k = int(np.argmax(d))
        res["vertex_err_max_m"] = float(d[k])
        res["vertex_err_worst_at"] = [float(vx[k]), float(vy[k])]
    x0, y0, x1, y1 = edges
    res["boundary_edges"] = int(x0.size)
    if exists and x0.size:
        sx = (x0[:, None] + (x1 - x0)[:, None] * EDGE_T[None, :]).ravel()
        sy = (y0[:, None] + (y1 - y0)[:, None] * EDGE_T[None, :]).ravel()
        d, _, _ = boundary_distance(lon, lat, r, r0, sx, sy, sector)
        k = int(np.argmax(d))
        res["edge_err_max_m"] = float(d[k])
        res["edge_err_worst_at"] = [float(sx[k]), float(sy[k])]
    errs = [e for e in (res["vertex_err_max_m"], res["edge_err_max_m"]) if e is not None]
    res["boundary_err_max_m"] = max(errs) if errs else None

    # classification
    px, py, nl = points(lattice_n)
    az_p, s = inv_from(lon, lat, px, py)
    truth = (s <= r) & (s >= r0)
    margin = np.full(s.size, np.inf)
    if r < HALF_MERIDIAN:
        margin = np.abs(s - r)
    if r0 > 0:
        margin = np.minimum(margin, np.abs(s - r0))
    if sector:
        ins = in_sector(az_p, sector[0], sector[1])
        truth &= ins
        margin = np.where(ins, margin, np.inf)
        margin = np.minimum(margin, s)                 # the apex: azimuth undefined
        near = (s >= r0 - 2 * MARGIN_M) & (s <= r + 2 * MARGIN_M)
        t_hi = min(r, HALF_MERIDIAN)
        for a in (sector[0], sector[0] + sector[1]):
            idx = np.nonzero(near & maybe_near_radial(s, az_p, a, MARGIN_M))[0]
            dr = radial_distance(lon, lat, a, r0, t_hi, px[idx], py[idx], s[idx], az_p[idx])
            margin[idx] = np.minimum(margin[idx], dr)
        if r > HALF_MERIDIAN - 2 * ANTIPODE_ZONE_M:
            margin = np.where(s > HALF_MERIDIAN - 150e3, 0.0, margin)   # azimuth ill-defined there
    scored = margin > MARGIN_M
    inside = inside_union(rings, px, py, covers_from=nl)
    _class_summary(res, truth, inside, scored, nl, px, py, s, margin)

    # area
    width = sector[1] if sector else 360.0
    at = sector_area(lat, lon, r, r0, sector[0] if sector else 0.0, width)
    res["area_true_m2"] = None if at is None else float(at)
    al = res["area_lonlat_m2"]
    res["area_lonlat_rel_err"] = float((al - at) / at) if at else None
    res["seconds"] = round(time.time() - t0, 3)
    return res


def _unit_reduced(lat, lon):
    """Unit vectors of the reduced latitude: for two points at angle theta
    between them, b * theta <= s <= a * theta."""
    phi = np.radians(np.asarray(lat, float))
    beta = np.arctan2((1.0 - FLAT) * np.sin(phi), np.cos(phi))
    lam = np.radians(np.asarray(lon, float))
    return np.column_stack([np.cos(beta) * np.cos(lam), np.cos(beta) * np.sin(lam), np.sin(beta)])


def _chord(theta):
    return 2.0 * math.sin(min(theta, math.pi) / 2.0) * (1 + 1e-12) + (1e-9 if theta >= math.pi else 0.0)


def site_counts(px, py, slat, slon, r, r0, sector=None):
    """Per point: the number of sites with R0 <= s <= R (and the azimuth in
    the sector), and whether any site's boundary lies within MARGIN_M."""
    from scipy.spatial import cKDTree
    n = np.size(px)
    count = np.zeros(n, np.int64)
    near = np.zeros(n, bool)
    if slat.size == 0:
        return count, near
    up = _unit_reduced(py, px)
    us = _unit_reduced(slat, slon)
    theta_max = (r + MARGIN_M) / B_AX
    tp, ts = cKDTree(up), cKDTree(us)
    m = tp.sparse_distance_matrix(ts, _chord(theta_max), output_type="ndarray")
    i = m["i"].astype(np.int64)
    j = m["j"].astype(np.int64)
    theta = 2.0 * np.arcsin(np.clip(m["v"] / 2.0, 0.0, 1.0))
    lo, hi = B_AX * theta, A_AX * theta
    if sector:
        need = np.ones(i.size, bool)
        sure_in = np.zeros(i.size, bool)
    else:
        sure_in = (hi <= r - MARGIN_M) & (lo >= r0 + MARGIN_M)
        sure_out = (lo >= r + MARGIN_M) | (hi <= r0 - MARGIN_M)
        need = ~(sure_in | sure_out)
    k = np.nonzero(need)[0]
    az, _, s = GEOD.inv(slon[j[k]], slat[j[k]], px[i[k]], py[i[k]])
    az, s = np.asarray(az), np.asarray(s)
    pin = (s <= r) & (s >= r0)
    pnear = (np.abs(s - r) < MARGIN_M) | ((r0 > 0) & (np.abs(s - r0) < MARGIN_M))
    if sector:
        ins = in_sector(az, sector[0], sector[1])
        pin &= ins
        pnear &= ins
        pnear |= s < MARGIN_M
        for a in (sector[0], sector[0] + sector[1]):
            cand = np.nonzero((s >= r0 - 2 * MARGIN_M) & (s <= r + 2 * MARGIN_M)
                              & maybe_near_radial(s, az, a, MARGIN_M))[0]
            for site in np.unique(j[k][cand]):
                sel = cand[j[k][cand] == site]
                dr = radial_distance(slon[site], slat[site], a, r0, min(r, HALF_MERIDIAN),
                                     px[i[k][sel]], py[i[k][sel]], s[sel], az[sel])
                pnear[sel] |= dr < MARGIN_M
    count += np.bincount(i[sure_in], minlength=n)
    count += np.bincount(i[k][pin], minlength=n)
    near[i[k][pnear]] = True
    return count, near


def score_sites(path, sites, r, r0=0.0, mode="any", az=None, count_field=None, count_mode=None,
                layer=None, where=None, sites_layer=None, sites_where=None, lattice_n=DEFAULT_LATTICE):
    """Score a union (any), an intersection (all) or overlap counts
    (count_field) of rings round many centres."""
    t0 = time.time()
    r, r0 = float(r), float(r0 or 0.0)
    sector = None
    if az is not None:
        w = sector_width(float(az[0]), float(az[1]))
        if w < 360.0:
            sector = (float(az[0]) % 360.0, w)
    slat, slon = read_sites(sites, sites_layer, sites_where)
    res = {"oracle": "georeach tests/oracle.py", "file": path, "sites_file": sites, "sites": int(slat.size),
           "radius_m": r, "min_radius_m": r0, "mode": ("count-" + (count_mode or "exact")) if count_field else mode}
    items, rings, _ = _read(res, path, layer, where, count_field)
    px, py, nl = points(lattice_n)
    cnt, near = site_counts(px, py, slat, slon, r, r0, sector)
    scored = ~near
    margin = np.where(near, 0.0, 1.0)
    if count_field:
        vals = np.array([parse_count(v) for _f, _p, v in items], dtype=np.int64) if items else np.zeros(0, np.int64)
        # probes sit on the cut lines, where a band's edge lies: they are
        # looked up 1e-7 deg (about a centimetre) inside the frame
        qx, qy = px.copy(), py.copy()
        qx[nl:] = np.clip(qx[nl:], -180.0 + 1e-7, 180.0 - 1e-7)
        qy[nl:] = np.clip(qy[nl:], -90.0 + 1e-7, 90.0 - 1e-7)
        pt, poly = memberships(rings, qx, qy)
        label = np.zeros(px.size, np.int64)
        overlap = np.zeros(px.size, bool)
        if pt.size:
            lv = vals[poly]
            label[pt] = lv                      # any of them; overlaps flagged below
            lo = np.full(px.size, np.iinfo(np.int64).max)
            hi = np.full(px.size, np.iinfo(np.int64).min)
            np.minimum.at(lo, pt, lv)
            np.maximum.at(hi, pt, lv)
            has = np.zeros(px.size, bool)
            has[pt] = True
            overlap = has & (lo != hi)
        if count_mode == "atleast":
            levels = np.unique(vals)
            idx = np.searchsorted(levels, cnt, "right") - 1
            expect = np.where(idx >= 0, levels[np.maximum(idx, 0)], 0)
        else:
            expect = cnt
        wrong_lbl = (label != expect) | overlap
        res["count_overlap_points"] = int((overlap & scored).sum())
        res["count_too_high"] = int((scored & (label > expect)).sum())
        res["count_too_low"] = int((scored & (label < expect)).sum())
        hist = np.bincount(cnt[:nl][scored[:nl]])
        res["true_count_histogram"] = {str(k): int(v) for k, v in enumerate(hist) if v}
        truth = np.zeros(px.size, bool)
        inside = wrong_lbl
        _class_summary(res, truth, inside, scored, nl, px, py, None, margin)
    else:
        truth = cnt > 0 if mode == "any" else cnt == slat.size
        inside = inside_union(rings, px, py, covers_from=nl)
        _class_summary(res, truth, inside, scored, nl, px, py, None, margin)
    res["true_lattice_area_m2"] = float(EARTH_AREA * (cnt[:nl] > 0).sum() / nl)
    res["seconds"] = round(time.time() - t0, 3)
    return res


def parse_count(v):
    if v is None:
        return 0
    if isinstance(v, (int, float)):
        return int(v)
    s = str(v).strip().lstrip(">=").strip()
    try:
        return int(float(s))
    except ValueError:
        return 0


def densify_boundary(items, spacing):
    """Points along every ring edge (straight in lon/lat) no more than about
    `spacing` metres apart, edges along one cut line left out."""
    xs, ys = [], []
    rings = Rings(items)
    cut0 = on_cut(rings.x0, rings.y0)
    cut1 = on_cut(rings.x1, rings.y1)
    keep = (cut0 & cut1) == 0
    x0, y0, x1, y1 = rings.x0[keep], rings.y0[keep], rings.x1[keep], rings.y1[keep]
    if x0.size == 0:
        return np.zeros(0), np.zeros(0)
    tt = np.linspace(0, 1, 9)
    sx = x0[:, None] + (x1 - x0)[:, None] * tt
    sy = y0[:, None] + (y1 - y0)[:, None] * tt
    seg = np.asarray(GEOD.inv(sx[:, :-1].ravel(), sy[:, :-1].ravel(), sx[:, 1:].ravel(), sy[:, 1:].ravel())[2])
    length = seg.reshape(x0.size, 8).sum(1)
    npieces = np.maximum(1, np.ceil(length / spacing).astype(np.int64))
    e = np.repeat(np.arange(x0.size), npieces)
    k = np.arange(e.size) - np.repeat(np.cumsum(npieces) - npieces, npieces)
    t = k / npieces[e]
    xs = x0[e] + (x1 - x0)[e] * t
    ys = y0[e] + (y1 - y0)[e] * t
    return xs, ys


def score_area(path, area, r, layer=None, where=None, area_layer=None, area_where=None, spacing=250.0,
               lattice_n=DEFAULT_LATTICE):
    """Score reach from a territory: inside it, or within R of its boundary."""
    from scipy.spatial import cKDTree
    t0 = time.time()
    r = float(r)
    res = {"oracle": "georeach tests/oracle.py", "mode": "area", "file": path, "area_file": area, "radius_m": r,
           "area_spacing_m": spacing}
    _items, rings, _ = _read(res, path, layer, where)
    titems, _tg, _nf, _w = read_polygons(area, area_layer, area_where)
    trings = Rings(titems)
    px, py, nl = points(lattice_n)
    in_terr = inside_union(trings, px, py, covers_from=nl)
    bx, by = densify_boundary(titems, spacing)
    res["territory_samples"] = int(bx.size)
    d = np.full(px.size, np.inf)
    if bx.size:
        tree = cKDTree(_unit_reduced(by, bx))
        up = _unit_reduced(py, px)
        out_idx = np.nonzero(~in_terr)[0]
        # a bound on the search: beyond it the distance is surely > R + margin
        ub = _chord((r + 2 * MARGIN_M + spacing) / B_AX)
        c, _ = tree.query(up[out_idx], k=1, distance_upper_bound=ub)
        th = np.where(np.isfinite(c), 2.0 * np.arcsin(np.clip(np.where(np.isfinite(c), c, 0.0) / 2.0, 0.0, 1.0)),
                      np.pi)
        lo, hi = B_AX * th, A_AX * th
        d[out_idx] = np.where(hi < r - MARGIN_M, hi, np.where(lo > r + MARGIN_M + spacing, lo, np.nan))
        amb = out_idx[np.isnan(d[out_idx])]
        thm = th[np.isnan(d[out_idx])]
        for n0 in range(0, amb.size, 2000):
            blk, tb = amb[n0:n0 + 2000], thm[n0:n0 + 2000]
            lists = tree.query_ball_point(up[blk], [_chord(t * A_AX / B_AX) for t in tb])
            cnt = np.array([len(x) for x in lists])
            flat = np.concatenate([np.asarray(x, np.int64) for x in lists]) if cnt.sum() else np.zeros(0, np.int64)
            pi = np.repeat(blk, cnt)
            s = np.asarray(GEOD.inv(px[pi], py[pi], bx[flat], by[flat])[2])
            best = np.full(px.size, np.inf)
            np.minimum.at(best, pi, s)
            d[blk] = best[blk]
    d[in_terr] = 0.0
    truth = in_terr | (d <= r)
    scored = in_terr | (d < r - MARGIN_M) | (d > r + MARGIN_M + spacing)
    margin = np.where(scored, 1.0, 0.0)
    inside = inside_union(rings, px, py, covers_from=nl)
    _class_summary(res, truth, inside, scored, nl, px, py, d, margin)
    res["seconds"] = round(time.time() - t0, 3)
    return res


# ---------------------------------------------------------------- CLI -----
def parse_az(text):
    a, b = text.split(":")
    return float(a), float(b)


def build_parser():
    ap = argparse.ArgumentParser(description="Score a reach-ring layer against the geodesic truth.")
    ap.add_argument("file")
    ap.add_argument("--lat", type=float)
    ap.add_argument("--lon", type=float)
    ap.add_argument("--radius-m", type=float, required=True)
    ap.add_argument("--min-radius-m", type=float, default=0.0)
    ap.add_argument("--az", help="sector A:B, degrees clockwise from north (may wrap)")
    ap.add_argument("--az-from", type=float)
    ap.add_argument("--az-to", type=float)
    ap.add_argument("--layer")
    ap.add_argument("--where")
    ap.add_argument("--lattice", type=int, default=DEFAULT_LATTICE)
    ap.add_argument("--sites")
    ap.add_argument("--sites-layer")
    ap.add_argument("--sites-where")
    ap.add_argument("--mode", choices=["any", "all"], default="any")
    ap.add_argument("--count-field")
    ap.add_argument("--count-mode", choices=["exact", "atleast"])
    ap.add_argument("--area")
    ap.add_argument("--area-layer")
    ap.add_argument("--area-where")
    ap.add_argument("--area-spacing-m", type=float, default=250.0)
    ap.add_argument("--json", action="store_true")
    return ap


def run_args(argv):
    """Parse oracle.py's command line and score; returns the result dict."""
    a = build_parser().parse_args(argv)
    az = parse_az(a.az) if a.az else ((a.az_from, a.az_to) if a.az_from is not None and a.az_to is not None
                                      else None)
    if a.area:
        return score_area(a.file, a.area, a.radius_m, a.layer, a.where, a.area_layer, a.area_where,
                          a.area_spacing_m, a.lattice)
    if a.sites:
        return score_sites(a.file, a.sites, a.radius_m, a.min_radius_m, a.mode, az, a.count_field, a.count_mode,
                           a.layer, a.where, a.sites_layer, a.sites_where, a.lattice)
    if a.lat is None or a.lon is None:
        raise SystemExit("oracle.py: --lat and --lon (or --sites, or --area) are needed")
    return score_ring(a.file, a.lat, a.lon, a.radius_m, a.min_radius_m, az, a.layer, a.where, a.lattice)


def human(res):
    keys = ["mode", "features", "vertices", "misclassified", "class_points_scored", "boundary_err_max_m",
            "vertex_err_max_m", "edge_err_max_m", "valid", "validity", "uncut_antimeridian_edges",
            "coords_out_of_range", "rfc7946_winding_ok", "winding", "area_lonlat_m2", "area_true_m2",
            "area_lonlat_rel_err", "count_too_high", "count_too_low", "count_overlap_points", "seconds"]
    lines = ["%-26s %s" % (k, res[k]) for k in keys if k in res]
    for ex in res.get("misclassified_examples", []):
        lines.append("  misclassified: %s" % ex)
    for w in res.get("warnings", []):
        lines.append("  warning: %s" % w)
    return "\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        res = run_args(argv)
    except (IOError, RuntimeError) as exc:
        res = {"error": str(exc)}
        if "--json" in argv:
            print(json.dumps(res))
        else:
            print("oracle.py: %s" % exc, file=sys.stderr)
        return 2
    if "--json" in argv:
        print(json.dumps(res))
    else:
        print(human(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
