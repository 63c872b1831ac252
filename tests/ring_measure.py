"""Rings from tests/ring_probe and their error measured from outside with
pyproj: the distance from the true boundary (s(C, P) = R, s = R0, the
sector's radial geodesics) of every vertex and of points along every straight
lon/lat edge, refined on the worst edges.  Independent of the kernel: only
pyproj's Geod.inv / Geod.fwd (GeographicLib) and numpy."""
import math
import os
import subprocess

import numpy as np
from pyproj import Geod

G = Geod(ellps="WGS84")
HALF_MERIDIAN_M = 20003931.4586


class Probe:
    """A running ring_probe; env adds to the environment (test knobs)."""

    def __init__(self, path, env=None):
        e = dict(os.environ)
        e.update(env or {})
        self.p = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, env=e)

    def _line(self):
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("ring_probe died")
        return line.split()

    def ring(self, lat, lon, r, r0, tol, az=None):
        q = "ring %.17g %.17g %.17g %.17g %.17g" % (lat, lon, r, r0, tol)
        if az:
            q += " %.17g %.17g" % az
        self.p.stdin.write(q + "\n")
        self.p.stdin.flush()
        w = self._line()
        if w[0] == "error":
            return {"error": " ".join(w[1:])}
        out = {"err_m": float(w[1]), "area_m2": float(w[2]), "whole": int(w[4]),
               "north": int(w[5]), "south": int(w[6]), "polys": []}
        for _ in range(int(w[3])):
            nr = int(self._line()[1])
            rings = []
            for _ in range(nr):
                npts = int(self._line()[1])
                xy = np.array([[float(v) for v in self.p.stdout.readline().split()]
                               for _ in range(npts)]).reshape(-1, 2)
                rings.append(xy)
            out["polys"].append(rings)
        return out

    def circle(self, lat, lon, r, tol, azs):
        q = "circle %.17g %.17g %.17g %.17g " % (lat, lon, r, tol)
        q += " ".join("%.17g" % a for a in azs)
        self.p.stdin.write(q + "\n")
        self.p.stdin.flush()
        w = self._line()
        if w[0] == "error":
            raise RuntimeError(" ".join(w[1:]))
        pts = np.array([[float(v) for v in self.p.stdout.readline().split()]
                        for _ in azs]).reshape(-1, 2)
        return int(w[1]), float(w[2]), pts[:, 0], pts[:, 1]

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def _in_sector(az, a0, w):
    d = np.mod(az - a0, 360.0)
    return d <= w


def _radial_dist(lat, lon, az, r0, r, plon, plat):
    """Distance from points P to the geodesic segment from C along az for
    distances [r0, r]: Newton steps on the foot point (the geodesic from the
    foot to P meets the radial at a right angle), then the exact distance."""
    n = plon.size
    clon = np.full(n, lon)
    clat = np.full(n, lat)
    azc, _, s = G.inv(clon, clat, plon, plat)
    t = np.clip(s * np.cos(np.radians(azc - az)), r0, r)
    for _ in range(5):
        glon, glat, baz = G.fwd(clon, clat, np.full(n, az), t)
        fwd_az = baz + 180.0
        azg, _, d = G.inv(glon, glat, plon, plat)
        t = np.clip(t + d * np.cos(np.radians(azg - fwd_az)), r0, r)
    glon, glat, _ = G.fwd(clon, clat, np.full(n, az), t)
    return G.inv(glon, glat, plon, plat)[2]


def point_err(spec, plon, plat):
    """Distance of the points from the true boundary of spec = (lat, lon, R,
    R0, az-or-None)."""
    lat, lon, r, r0, az = spec
    n = plon.size
    azc, _, s = G.inv(np.full(n, lon), np.full(n, lat), plon, plat)
    e = np.abs(s - r)
    if r0 > 0:
        e = np.minimum(e, np.abs(s - r0))
    if az is None:
        return e
    a0 = az[0]
    w = math.fmod(az[1] - az[0], 360.0)
    if w <= 0:
        w += 360.0
    on_arcs = _in_sector(azc, a0, w)
    e = np.where(on_arcs, e, np.inf)
    e = np.minimum(e, _radial_dist(lat, lon, a0, r0, r, plon, plat))
    e = np.minimum(e, _radial_dist(lat, lon, a0 + w, r0, r, plon, plat))
    return e


def _edges(ring):
    """Edges of a closed ring (its last point repeats the first), leaving out
    the cut lines: along lon = +-180 and along lat = +-90."""
    a, b = ring[:-1], ring[1:]
    cut = ((np.abs(a[:, 0]) == 180) & (a[:, 0] == b[:, 0])) | \
          ((np.abs(a[:, 1]) == 90) & (a[:, 1] == b[:, 1]))
    return a[~cut], b[~cut]


def measure(spec, ring_out, per_edge=8, refine_edges=40, refine_pts=64):
    """Largest distance from the true boundary over the vertices and points
    along every edge of the ring (per_edge interior points on every edge,
    refine_pts on the refine_edges worst).  Returns (max error, the edge's
    length in metres, its first vertex)."""
    A, B = [], []
    for poly in ring_out["polys"]:
        for ring in poly:
            a, b = _edges(ring)
            A.append(a)
            B.append(b)
    if not A:
        return 0.0, 0.0, None
    A = np.concatenate(A)
    B = np.concatenate(B)
    ne = len(A)
    if ne == 0:  # nothing but cut lines (the whole globe)
        return 0.0, 0.0, None

    def along(idx, k):
        f = np.arange(0, k + 1) / (k + 1.0)  # the first vertex and k inside
        ax, bx = A[idx][:, None, :], B[idx][:, None, :]
        p = ax + f[None, :, None] * (bx - ax)
        return p.reshape(-1, 2)

    idx = np.arange(ne)
    p = along(idx, per_edge)
    e = point_err(spec, p[:, 0], p[:, 1]).reshape(ne, per_edge + 1)
    emax = e.max(axis=1)
    worst = np.argsort(emax)[-refine_edges:]
    p = along(worst, refine_pts)
    e2 = point_err(spec, p[:, 0], p[:, 1]).reshape(len(worst), refine_pts + 1)
    emax[worst] = np.maximum(emax[worst], e2.max(axis=1))
    i = int(np.argmax(emax))
    length = G.inv(A[i, 0], A[i, 1], B[i, 0], B[i, 1])[2]
    return float(emax[i]), float(length), A[i]


def valid_rounded(ring_out, decimals=9):
    """Is every polygon valid after rounding to `decimals` (GeoJSON's 9)?"""
    from shapely.geometry import Polygon
    from shapely.validation import explain_validity
    for poly in ring_out["polys"]:
        rings = [np.round(r, decimals) for r in poly]
        pg = Polygon(rings[0], rings[1:])
        if not pg.is_valid:
            return False, explain_validity(pg)
    return True, "valid"


def valid(ring_out):
    return valid_rounded(ring_out, 15)
