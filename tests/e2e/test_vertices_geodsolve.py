#!/usr/bin/python3
"""End-to-end: the vertices and edges georeach writes, checked against the true
geodesic circle with two independent implementations of the inverse problem:
GeographicLib's GeodSolve (one batch `GeodSolve -i -p 9` process per ring,
every point a line on stdin) and pyproj.Geod(ellps='WGS84').inv.

usage: /usr/bin/python3 tests/e2e/test_vertices_geodsolve.py PATH/TO/georeach

Output is GeoPackage (coordinates stored as doubles; GDAL's RFC 7946 GeoJSON
writer rounds to 7 decimals, about 1 cm, which would blur a 1 mm check).
Vertices on a cut line (lon = +-180 or lat = +-90) are skipped: they are
chord/closure vertices added by cutting.  Per ring:
  * every vertex lies within the tolerance T of the true boundary (shortest
    distance R or R0 from the centre; for a sector, the arcs or the radials),
    by GeodSolve and by pyproj, and the two agree to 1 micrometre;
  * the lon/lat points at t = 1/4, 1/2, 3/4 of every boundary edge are within
    T of the true circle (GeodSolve), a second opinion on the oracle;
  * sector corners (azimuth A or B at R and at R0) are vertices placed to
    1 mm: their positions come from `GeodSolve` (direct problem);
  * rings near the antipode (R = 20003931 m - 20 km) pin the cut-locus trap:
    there the direct problem's endpoint is not at shortest distance R
    (measured: up to 787 m short from 30N, 3.85 km from the equator), so a
    ring traced with the direct problem alone fails the T check.
INFO lines (not checks) give how far vertices sit off the circle: georeach
moves vertices off the circle on purpose (src/ring.c, straddle(): chords
then straddle the curve and the area is unbiased), so "every vertex within
1 mm of the circle" is not part of the contract; the tolerance is.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import numpy as np  # noqa: E402

import harness as C  # noqa: E402

MM = 1e-3
CASES = [
    # name, lat, lon, R m, R0 m, tolerance m, sector (A, B) or None
    ("belgorod_885km", 50.60, 36.60, 885000.0, 0.0, 10.0, None),
    ("annulus_fiji_antimeridian", -17.7, 178.0, 1500000.0, 500000.0, 10.0, None),
    ("svalbard_holds_north_pole", 78.2, 15.6, 1500000.0, 0.0, 10.0, None),
    ("mcmurdo_holds_south_pole", -77.85, 166.67, 1000000.0, 0.0, 10.0, None),
    ("pyongyang_beyond_hemisphere", 39.03, 125.75, 13000000.0, 0.0, 50.0, None),
    ("near_antipode_minus_20km", 30.0, 45.0, 20003931.0 - 20000.0, 0.0, 10.0, None),
    ("near_antipode_equator_minus_20km", 0.0, 0.0, 20003931.0 - 20000.0, 0.0, 10.0, None),
    ("sector_annulus_wraps_north", 50.60, 36.60, 885000.0, 300000.0, 10.0, (300.0, 60.0)),
]


def fnum(v):
    """Fixed-point text: GeodSolve reads a trailing 'e' as the hemisphere East,
    so 1e-05 must never be written in exponent form."""
    s = ("%.12f" % float(v)).rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def geodsolve(args, lines):
    p = C.run(["GeodSolve"] + args + ["-p", "9"], stdin_data="".join(l + "\n" for l in lines), timeout=300)
    out = [o for o in p.stdout.split("\n") if o.strip()]
    bad = [o for o in out if "ERROR" in o]
    if p.returncode != 0 or bad or len(out) != len(lines):
        raise RuntimeError("GeodSolve %s: exit %s, %d lines for %d inputs, %s %s"
                           % (" ".join(args), p.returncode, len(out), len(lines), bad[:2], C.short(p.stderr)))
    return np.array([[float(x) for x in o.split()] for o in out])


def geodsolve_inverse(lat0, lon0, lats, lons):
    """(azi1, s12) from (lat0, lon0) to every point, one GeodSolve process."""
    r = geodsolve(["-i"], ["%s %s %s %s" % (fnum(lat0), fnum(lon0), fnum(a), fnum(b)) for a, b in zip(lats, lons)])
    return r[:, 0], r[:, 2]


def boundary_err(s, az, r, r0, sector):
    """Distance to the nearest true piece: |s - R|, |s - R0| and, for a
    sector, the radials (spherical cross-track, fine at these offsets)."""
    e = np.abs(s - r)
    if r0 > 0:
        e = np.minimum(e, np.abs(s - r0))
    if sector is not None:
        width = (sector[1] - sector[0]) % 360.0 or 360.0
        inside = np.mod(az - sector[0], 360.0) <= width + 1e-9
        e = np.where(inside, e, np.inf)
        for a in (sector[0], sector[0] + width):
            dz = np.radians(np.abs((az - a + 180.0) % 360.0 - 180.0))
            sig = s / C.R_MEAN
            xt = np.where(dz < np.pi / 2, np.abs(np.arcsin(np.clip(np.sin(sig) * np.sin(dz), -1, 1))) * C.R_MEAN, s)
            on_seg = (s >= r0 - 1.0) & (s <= r + 1.0)
            e = np.minimum(e, np.where(on_seg, xt, np.inf))
    return e


def main():
    binary = C.binary_from_argv()
    rep = C.Report("test_vertices_geodsolve: georeach vertices vs GeodSolve and pyproj (%s)" % binary)
    p = C.run(["GeodSolve", "--version"])
    if not rep.check("setup.geodsolve_available", p.returncode == 0, C.short(p.stdout + p.stderr)):
        rep.finish()
    scratch = C.scratch_dir("geodsolve")
    for name, lat, lon, r, r0, tol, sector in CASES:
        out = os.path.join(scratch, name + ".gpkg")
        cmd = [binary, "rings", "--site=%s,%s" % (fnum(lat), fnum(lon)), "--range=%sm" % fnum(r)]
        if r0 > 0:
            cmd.append("--min-range=%sm" % fnum(r0))
        if sector is not None:
            cmd.append("--azimuth=%s:%s" % (fnum(sector[0]), fnum(sector[1])))
        cmd += ["--tolerance=%sm" % fnum(tol), "-o", out]
        print("# %s: %s" % (name, C.cmdline(cmd)), flush=True)
        p = C.run(cmd)
        if not rep.check("%s.georeach_ran" % name, p.returncode == 0 and os.path.exists(out),
                         "exit %s, stderr: %s" % (p.returncode, C.short(p.stderr))):
            continue
        feats, _, _, _ = C.read_features(out)
        g = C.union_of([f[1] for f in feats]) if len(feats) > 1 else (feats[0][1] if feats else None)
        if not rep.check("%s.has_geometry" % name, g is not None and not g.is_empty, "%d features" % len(feats)):
            continue
        vx, vy = C.boundary_vertices(g)
        if not rep.check("%s.has_boundary_vertices" % name, vx.size > 0,
                         "%d vertices off the cut lines (R < half meridian: 0 means the circle is missing)" % vx.size):
            continue
        # ---- GeodSolve on every vertex
        try:
            azg, dg = geodsolve_inverse(lat, lon, vy, vx)
        except RuntimeError as exc:
            rep.check("%s.geodsolve_ran" % name, False, str(exc))
            continue
        eg = boundary_err(dg, azg, r, r0, sector)
        k = int(np.argmax(eg))
        rep.check("%s.vertices_within_tolerance_geodsolve" % name, eg[k] <= tol,
                  "%d vertices; worst %.4f m (tolerance %g) at lon %.10f lat %.10f (GeodSolve s12 %.4f, azi1 %.6f)"
                  % (vx.size, eg[k], tol, vx[k], vy[k], dg[k], azg[k]))
        on = eg <= MM
        print("INFO %s: %d of %d vertices within 1 mm of the true boundary; max offset %.3f m = %.2f T, median %.3f m"
              % (name, int(on.sum()), vx.size, eg.max(), eg.max() / tol, float(np.median(eg))), flush=True)
        # ---- pyproj on the same vertices
        azp, _, dp = C.GEOD.inv(np.full(vx.size, lon), np.full(vx.size, lat), vx, vy)
        dp = np.asarray(dp)
        ep = boundary_err(dp, np.asarray(azp), r, r0, sector)
        k = int(np.argmax(ep))
        rep.check("%s.vertices_within_tolerance_pyproj" % name, ep[k] <= tol,
                  "worst %.4f m at lon %.10f lat %.10f (pyproj s12 %.4f)" % (ep[k], vx[k], vy[k], dp[k]))
        agree = float(np.max(np.abs(dp - dg)))
        rep.check("%s.geodsolve_pyproj_agree_1um" % name, agree <= 1e-6, "max |pyproj - GeodSolve| %.3g m" % agree)
        if r0 > 0:
            n_out = int(np.sum(np.abs(dg - r) <= tol))
            n_in = int(np.sum(np.abs(dg - r0) <= tol))
            rep.check("%s.both_circles_drawn" % name, n_out > 0 and n_in > 0,
                      "%d vertices within T of R, %d of R0" % (n_out, n_in))
        # ---- sector corners: exact vertices, positions from GeodSolve's direct problem
        if sector is not None:
            width = (sector[1] - sector[0]) % 360.0 or 360.0
            corners = [(a, s) for a in (sector[0], sector[0] + width) for s in ((r, r0) if r0 > 0 else (r,))]
            try:
                pos = geodsolve([], ["%s %s %s %s" % (fnum(lat), fnum(lon), fnum(a), fnum(s)) for a, s in corners])
            except RuntimeError as exc:
                rep.check("%s.geodsolve_direct_ran" % name, False, str(exc))
                pos = None
            if pos is not None:
                for (a, s), (clat, clon, _) in zip(corners, pos):
                    _, _, dd = C.GEOD.inv(np.full(vx.size, clon), np.full(vx.size, clat), vx, vy)
                    j = int(np.argmin(dd))
                    rep.check("%s.corner_az%g_s%gkm_exact_1mm" % (name, a % 360, s / 1000), dd[j] <= MM,
                              "nearest vertex to the corner (lat %.10f lon %.10f) is %.6f m away (lon %.10f lat %.10f)"
                              % (clat, clon, dd[j], vx[j], vy[j]))
        # ---- edge interior points, second opinion on the boundary error
        x0, y0, x1, y1 = C.boundary_edges(g)
        ts = np.array([0.25, 0.5, 0.75])
        sx = (x0[:, None] + (x1 - x0)[:, None] * ts).ravel()
        sy = (y0[:, None] + (y1 - y0)[:, None] * ts).ravel()
        try:
            azs, ds = geodsolve_inverse(lat, lon, sy, sx)
        except RuntimeError as exc:
            rep.check("%s.geodsolve_edges_ran" % name, False, str(exc))
            continue
        es = boundary_err(ds, azs, r, r0, sector)
        k = int(np.argmax(es))
        rep.check("%s.edge_points_within_tolerance_geodsolve" % name, es[k] <= tol,
                  "%d edges; worst %.4f m (tolerance %g) at lon %.10f lat %.10f"
                  % (x0.size, es[k], tol, sx[k], sy[k]))
    rep.finish()


if __name__ == "__main__":
    main()
