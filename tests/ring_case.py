#!/usr/bin/python3
"""One named ring case, end to end: run the georeach binary, read its GeoJSON
back through GDAL, score it with the project's oracle (tests/oracle.py:
pyproj/GeographicLib truth on a 200,000-point lattice, nothing from src/) and
assert; with GEOREACH_SHARED set, also with shared/tools/ring_oracle.py.

usage: ring_case.py GEOREACH NAME LAT LON RANGE_M [--min M] [--az A:B] [--tol M]
                    [--area-rel X]

Asserts: zero misclassified lattice points; boundary error along every edge
<= tolerance; valid; no uncut antimeridian edge; coordinates in range; RFC 7946
winding; |area of the polygon as read - true area| / true area <= --area-rel
(default 1e-4); the err_m field <= tolerance and >= 0.5 x the oracle's edge
error (an honest figure); area_km2 equal to the reader's lon/lat area to 1e-7.
"""
import argparse
import os
import subprocess
import sys
import tempfile

from osgeo import ogr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("georeach")
    ap.add_argument("name")
    ap.add_argument("lat", type=float)
    ap.add_argument("lon", type=float)
    ap.add_argument("range_m", type=float)
    ap.add_argument("--min", type=float, default=0.0)
    ap.add_argument("--az")
    ap.add_argument("--tol", type=float, default=10.0)
    ap.add_argument("--area-rel", type=float, default=1e-4)
    a = ap.parse_args()
    check = H.check

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, a.name + ".geojson")
        cmd = [a.georeach, "rings", "--site=%.12g,%.12g" % (a.lat, a.lon),
               "--range=%.6fm" % a.range_m, "--tolerance=%gm" % a.tol, "-o", out, "-q"]
        if a.min > 0:
            cmd.append("--min-range=%.6fm" % a.min)
        if a.az:
            cmd.append("--azimuth=" + a.az)
        r = subprocess.run(cmd, capture_output=True, text=True)
        check(r.returncode == 0, "%s: georeach exits 0 (%s)" % (a.name, r.stderr.strip()))
        if r.returncode != 0:
            H.done()
        az = tuple(float(v) for v in a.az.split(":")) if a.az else None
        argv = H.oracle_argv(out, a.lat, a.lon, a.range_m, a.min, az=az)
        ds = ogr.Open(out)
        feat = ds.GetLayer(0).GetNextFeature()
        err_m, area_km2 = feat.GetField("err_m"), feat.GetField("area_km2")
        ds = None
        for label, s, ocmd in H.oracles(argv):
            def t(text):
                return H.tagged(label, text)
            if "error" in s:
                check(False, t("%s: scored (%s | %s)" % (a.name, s["error"], ocmd)))
                continue
            be = s.get("boundary_err_max_m")
            if be is None and s.get("boundary_exists_in_truth") is False:
                be = 0.0
            check(s["misclassified"] == 0, t("misclassified lattice points: %d" % s["misclassified"]))
            check(be is not None and be <= a.tol, t("boundary error %s m <= %g m" % (be, a.tol)))
            check(s["valid"], t("valid geometry"))
            check(s["uncut_antimeridian_edges"] == 0, t("no uncut antimeridian edge"))
            check(s["coords_out_of_range"] == 0, t("coordinates in range"))
            check(s["rfc7946_winding_ok"], t("RFC 7946 winding"))
            rel = s.get("area_lonlat_rel_err")
            check(rel is not None and abs(rel) <= a.area_rel,
                  t("area as read vs true: rel err %s <= %g" % (rel, a.area_rel)))
            if label == "oracle":
                check(0 <= err_m <= a.tol, "err_m field %g within [0, %g]" % (err_m, a.tol))
            if be and be > 0.01:
                check(err_m >= 0.5 * be, t("err_m %g is honest (oracle %g)" % (err_m, be)))
            lonlat = s.get("area_lonlat_m2")
            if lonlat:
                # the field is the area of the geometry before GeoJSON's
                # rounding, which moves each vertex by at most 1e-3 of the
                # tolerance (README) and so the area by at most the
                # perimeter times that (a degree is at most 111.7 km)
                perim_m = feat.GetGeometryRef().Boundary().Length() * 111700
                slack = perim_m * 1e-3 * a.tol
                check(abs(area_km2 * 1e6 - lonlat) <= 1e-7 * lonlat + slack,
                      t("area_km2 %.6f = reader's area %.6f km2 (within %.3g m2 of rounding)"
                        % (area_km2, lonlat / 1e6, slack)))
    H.done()


if __name__ == "__main__":
    main()
