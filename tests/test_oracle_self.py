#!/usr/bin/python3
"""The oracle can fail: tests/oracle.py is fed rings built here with pyproj
(nothing from georeach) that are right, and rings that are wrong in one known
way each, and must pass the first and flag every one of the others.

  right       885 km ring round Belgorod (4,096 vertices), a 1,500 km cap
              round the North Pole (cut at +-180, closed along lat = 90), a
              ring across the antimeridian cut into two pieces, a sector:
              no misclassified point, boundary error < 1 m, valid, winding
              ok, area within 1e-5 of the exact one.
  wrong       radius 100 m too long (boundary error ~100 m, area off);
              an uncut antimeridian edge (vertices straight from the direct
              problem, jumping from +179 to -179); the pole cap inside out
              (closed over the South Pole instead); clockwise winding; a
              sector turned by 5 degrees; 20 km short of the antipodal
              distance, the direct problem's circle taken for the boundary
              (kilometres off by the inverse distance), against the hole
              traced on the inverse distance (right).
usage: test_oracle_self.py"""
import json
import os
import sys
import tempfile

import numpy as np
from pyproj import Geod

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, done  # noqa: E402
import oracle  # noqa: E402

G = Geod(ellps="WGS84")


def circle(lat, lon, r, n=4096, az0=0.0, width=360.0, closed=True):
    az = az0 + width * np.arange(n + (0 if closed else 1)) / n
    x, y, _ = G.fwd(np.full(az.size, lon), np.full(az.size, lat), az, np.full(az.size, r))
    return np.asarray(x), np.asarray(y)


def write(path, rings):
    """rings: list of polygons, each a list of [(x, y), ...] rings (closed here)."""
    polys = []
    for p in rings:
        polys.append([[list(map(float, c)) for c in list(ring) + [ring[0]]] for ring in p])
    geom = {"type": "MultiPolygon", "coordinates": polys}
    with open(path, "w") as f:
        json.dump({"type": "FeatureCollection",
                   "features": [{"type": "Feature", "properties": {}, "geometry": geom}]}, f)
    return path


def ccw_ring(lat, lon, r, n=4096):
    """A ring that crosses neither +-180 nor a pole, counter-clockwise."""
    x, y = circle(lat, lon, r, n)
    return list(zip(x[::-1], y[::-1]))


def pole_cap(lat, lon, r, n=4096, inside_out=False):
    """A cap round the North Pole: the boundary sorted by longitude, cut at
    +-180 and closed along lat = 90 (inside_out: along lat = -90)."""
    x, y = circle(lat, lon, r, n)
    k = np.argsort(x)
    x, y = x[k], y[k]
    # the boundary's latitude at +-180, interpolated across the wrap
    x0, y0, x1, y1 = x[-1], y[-1], x[0] + 360.0, y[0]
    y180 = y0 + (180.0 - x0) * (y1 - y0) / (x1 - x0)
    bottom = [(-180.0, y180)] + list(zip(x, y)) + [(180.0, y180)]
    pole = -90.0 if inside_out else 90.0
    top = [(180.0, pole)] + [(float(v), pole) for v in np.arange(179.0, -180.0, -1.0)] + [(-180.0, pole)]
    ring = bottom + top
    if inside_out:
        ring = ring[::-1]           # keep the exterior counter-clockwise: only the content is wrong
    return ring


def split_at_antimeridian(lat, lon, r, n=4096):
    """A ring across +-180 as two pieces meeting on it (counter-clockwise),
    the crossings interpolated, each piece closed along its side of the cut."""
    x, y = circle(lat, lon, r, n)
    x, y = x[::-1], y[::-1]
    xu = np.degrees(np.unwrap(np.radians(x)))          # continuous longitudes
    if xu.max() <= 180.0:
        xu = xu + 360.0
    east = xu <= 180.0
    m = xu.size
    k = next(i for i in range(m) if east[i - 1] and not east[i])   # a west run starts here
    xu, y, east = np.roll(xu, -k), np.roll(y, -k), np.roll(east, -k)
    j = int(np.argmax(east))                                        # the east run starts here

    def cross(i0, i1):
        return y[i0] + (180.0 - xu[i0]) * (y[i1] - y[i0]) / (xu[i1] - xu[i0])
    c1 = cross(m - 1, 0)          # east -> west
    c2 = cross(j - 1, j)          # west -> east
    west = [(-180.0, c1)] + [(a - 360.0, b) for a, b in zip(xu[:j], y[:j])] + \
        [(-180.0, v) for v in _fill(c2, c1)[:-1]]
    east = [(180.0, c2)] + list(zip(xu[j:], y[j:])) + [(180.0, v) for v in _fill(c1, c2)[:-1]]
    return [[east], [west]]


def _fill(a, b, step=0.5):
    """Latitudes from a to b (both included) at most `step` degrees apart."""
    n = max(1, int(np.ceil(abs(b - a) / step)))
    return [a + (b - a) * i / n for i in range(n + 1)]


def score(path, lat, lon, r, r0=0.0, az=None):
    return oracle.score_ring(path, lat, lon, r, r0, az, lattice_n=100000)


def summary(s):
    return ("misclassified %s, boundary_err_max_m %.3f, valid %s, uncut %s, winding %s, area rel %s"
            % (s["misclassified"], s["boundary_err_max_m"] if s["boundary_err_max_m"] is not None else -1,
               s["valid"], s["uncut_antimeridian_edges"], s["rfc7946_winding_ok"], s["area_lonlat_rel_err"]))


def passes(s, tol=1.0, area=1e-5):
    return (s["misclassified"] == 0 and s["boundary_err_max_m"] is not None and s["boundary_err_max_m"] < tol
            and s["valid"] and s["uncut_antimeridian_edges"] == 0 and s["coords_out_of_range"] == 0
            and s["rfc7946_winding_ok"] and s["area_lonlat_rel_err"] is not None
            and abs(s["area_lonlat_rel_err"]) < area)


with tempfile.TemporaryDirectory() as d:
    # ------------------------------------------------------------ right ----
    kn = write(os.path.join(d, "kn23.geojson"), [[ccw_ring(50.6, 36.6, 885000.0)]])
    s = score(kn, 50.6, 36.6, 885000.0)
    check(passes(s), "right: 885 km ring from pyproj vertices passes (%s)" % summary(s))

    # 16,384 vertices: near the pole longitude runs fast along the boundary
    cap = write(os.path.join(d, "cap.geojson"), [[pole_cap(78.2, 15.6, 1500000.0, 16384)]])
    s = score(cap, 78.2, 15.6, 1500000.0)
    check(passes(s), "right: cap round the North Pole passes (%s)" % summary(s))

    fiji = write(os.path.join(d, "fiji.geojson"), split_at_antimeridian(-17.7, 178.0, 1500000.0))
    s = score(fiji, -17.7, 178.0, 1500000.0)
    check(passes(s), "right: ring across the antimeridian, cut in two, passes (%s)" % summary(s))

    # centre, out along 60 deg, the arc back to 300 deg, in along 300 deg: the
    # radials densified too (a straight lon/lat line is kilometres off them)
    x, y = circle(50.6, 36.6, 885000.0, 2048, 300.0, 120.0, closed=False)
    t = np.linspace(0.0, 885000.0, 400)[1:-1]
    ox, oy, _ = G.fwd(np.full(t.size, 36.6), np.full(t.size, 50.6), np.full(t.size, 60.0), t)
    ix, iy, _ = G.fwd(np.full(t.size, 36.6), np.full(t.size, 50.6), np.full(t.size, 300.0), t[::-1])
    sector = [(36.6, 50.6)] + list(zip(ox, oy)) + list(zip(x, y))[::-1] + list(zip(ix, iy))
    sec = write(os.path.join(d, "sector.geojson"), [[sector]])
    s = score(sec, 50.6, 36.6, 885000.0, az=(300.0, 60.0))
    check(passes(s), "right: sector 300:60 passes (%s)" % summary(s))

    # ------------------------------------------------------------ wrong ----
    far = write(os.path.join(d, "plus100.geojson"), [[ccw_ring(50.6, 36.6, 885100.0)]])
    s = score(far, 50.6, 36.6, 885000.0)
    check(not passes(s, tol=10.0, area=1e-4) and 95.0 < s["boundary_err_max_m"] < 105.0
          and abs(s["area_lonlat_rel_err"]) > 1e-4,
          "wrong: radius 100 m too long is flagged: boundary error ~100 m, area off (%s)" % summary(s))

    x, y = circle(-17.7, 178.0, 1500000.0)
    raw = write(os.path.join(d, "uncut.geojson"), [[list(zip(x[::-1], y[::-1]))]])
    s = score(raw, -17.7, 178.0, 1500000.0)
    check(s["uncut_antimeridian_edges"] > 0 and s["misclassified"] > 1000 and not passes(s, 10.0, 1e-4),
          "wrong: uncut antimeridian edges are flagged, and the world the other way round (%s)" % summary(s))

    inv = write(os.path.join(d, "inside_out.geojson"), [[pole_cap(78.2, 15.6, 1500000.0, inside_out=True)]])
    s = score(inv, 78.2, 15.6, 1500000.0)
    check(s["misclassified"] > 10000 and s["false_inside"] > 0 and s["false_outside"] > 0
          and not passes(s, 10.0, 1e-4),
          "wrong: pole cap inside out (closed over the South Pole) is flagged (%s)" % summary(s))

    cw = write(os.path.join(d, "clockwise.geojson"), [[ccw_ring(50.6, 36.6, 885000.0)[::-1]]])
    s = score(cw, 50.6, 36.6, 885000.0)
    check(s["rfc7946_winding_ok"] is False and s["misclassified"] == 0 and not passes(s, 10.0, 1e-4),
          "wrong: clockwise exterior is flagged by the winding check only (%s)" % summary(s))

    s = score(sec, 50.6, 36.6, 885000.0, az=(305.0, 65.0))
    check(s["misclassified"] > 0 and s["boundary_err_max_m"] > 10000.0,
          "wrong: sector turned by 5 degrees is flagged (%s)" % summary(s))

    # 20 km short of the antipodal distance from the equator the direct
    # problem's circle is not the boundary: scored by the inverse distance it
    # is kilometres off (the polygon is the Earth less the 'hole' it traces
    # round the antipode, here (0, 0))
    r = oracle.HALF_MERIDIAN - 20000.0
    frame = [(-180.0, -90.0), (180.0, -90.0), (180.0, 90.0), (-180.0, 90.0)]
    hx, hy = circle(0.0, -180.0, r, 4096)
    hole = list(zip(hx, hy))[::-1]           # increasing azimuth runs counter-clockwise there
    anti = write(os.path.join(d, "antipode_direct.geojson"), [[frame, hole]])
    s = score(anti, 0.0, -180.0, r)
    check(s["boundary_err_max_m"] is not None and s["boundary_err_max_m"] > 1000.0,
          "wrong: near the antipode the direct circle is kilometres from the true boundary "
          "by the inverse distance (%s)" % summary(s))
    hx, hy = oracle.hole_near_antipode(0.0, -180.0, r, 4096)
    true_hole = write(os.path.join(d, "antipode_true.geojson"), [[frame, list(zip(hx, hy))]])
    s = score(true_hole, 0.0, -180.0, r)
    check(s["boundary_err_max_m"] is not None and s["boundary_err_max_m"] < 50.0 and s["misclassified"] == 0
          and s["valid"] and s["rfc7946_winding_ok"],
          "right: the hole traced on the inverse distance is close to the true boundary (%s)" % summary(s))
done()
