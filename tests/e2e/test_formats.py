#!/usr/bin/python3
"""End-to-end: every output format georeach writes, read back through GDAL/OGR
the way QGIS reads it.

usage: /usr/bin/python3 tests/e2e/test_formats.py PATH/TO/georeach

  * A ring across the antimeridian (Fiji -17.7,178.0, 1500 km) written as
    .geojson .gpkg .shp .kml .fgb .csv, with --format GeoJSON to a .json name,
    and as `-o -` (GeoJSON on stdout): the driver GDAL detects, one feature,
    every contract field with the right value (site name, site_lat/lon,
    range_km, min_km, tol_m = default 10, err_m <= 10, az_from/az_to null,
    area_km2 the same in every format), CRS EPSG:4326 where the format
    carries one, OGC-valid geometry, coordinates in range, RFC 7946 winding
    (not for .shp and .kml, whose own conventions GDAL applies when it
    writes them), cut lines densified, the same geometry (area) in every
    format, and the oracle's score (misclassified 0, boundary error <= 10 m).
  * --sites: a 2-site CSV (name,lat,lon), a CSV with other column names
    (lng,latitude,name), a GeoJSON point layer, --rings with 3 distances,
    and a sector (--azimuth 300:60, az_from/az_to set in .gpkg and .shp);
    union scored with the oracle's --sites mode.
  * Existing output refused (exit 1, one-line stderr, file untouched: same
    bytes and mtime) without --overwrite, replaced (not appended to) with it,
    for .geojson, .gpkg and .shp.
  * --quiet: nothing on stderr on success.
  * Site names in UTF-8 and with quotes and commas round-trip in every
    format; --threads 1, 2 and 4 write the same features in the same order.
"""
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import harness as C  # noqa: E402

FIJI = ("Fiji", -17.7, 178.0)
FIJI_R = 1500000.0
DEFAULT_TOL = 10.0
# this test is about I/O: a coarser oracle lattice (50,000 points, ~100 km
# apart) keeps it fast; test_oracle_cases.py scores the geometry in full
LATTICE = ("--lattice", "50000")
FORMATS = [
    # ext, expected OGR drivers, has CRS, RFC 7946 winding applies
    (".geojson", ("GeoJSON",), True, True),
    (".gpkg", ("GPKG",), True, True),
    (".shp", ("ESRI Shapefile",), True, False),
    (".kml", ("LIBKML", "KML"), True, False),
    (".fgb", ("FlatGeobuf",), True, True),
    (".csv", ("CSV",), False, True),
]


def num(v):
    """A field value as float, None for null / empty (CSV and KML give strings)."""
    if v is None:
        return None
    if isinstance(v, str):
        v = v.strip()
        if v == "":
            return None
        try:
            return float(v)
        except ValueError:
            return v
    return float(v)


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def one_line(s):
    lines = [x for x in s.split("\n") if x.strip()]
    return len(lines) == 1


class T:
    def __init__(self, binary, scratch, rep):
        self.bin = binary
        self.dir = scratch
        self.rep = rep

    def georeach(self, args, stdin=None):
        cmd = [self.bin, "rings"] + args
        p = C.run(cmd, cwd=self.dir, stdin_data=stdin)
        p.cmd = C.cmdline(cmd)
        return p

    def ran(self, tag, p, path=None):
        ok = p.returncode == 0 and (path is None or os.path.exists(path))
        return self.rep.check("%s.georeach_ran" % tag, ok, "exit %s, stderr: %s | %s"
                              % (p.returncode, C.short(p.stderr), p.cmd))

    def check_ring_file(self, tag, path, drivers, has_crs, winding, site, r, r0=0.0, az=None, tol=DEFAULT_TOL):
        rep = self.rep
        try:
            feats, srs, drv, names = C.read_features(path)
        except Exception as exc:      # noqa: BLE001
            rep.check("%s.readable_by_ogr" % tag, False, "%s: %s" % (type(exc).__name__, exc))
            return None
        rep.check("%s.driver" % tag, drv in drivers, "OGR opened it with %s, expected %s" % (drv, drivers))
        rep.check("%s.one_feature" % tag, len(feats) == 1, "%d features" % len(feats))
        missing = [f for f in C.FIELDS if f not in names]
        rep.check("%s.fields_present" % tag, not missing, "missing %s; fields %s" % (missing, names))
        if not feats:
            return None
        pr, g = feats[0]
        name, lat, lon = site
        rep.check("%s.field_site" % tag, pr.get("site") == name, "site %r, expected %r" % (pr.get("site"), name))
        for fld, want in (("site_lat", lat), ("site_lon", lon), ("range_km", r / 1000.0),
                          ("min_km", r0 / 1000.0), ("tol_m", tol)):
            v = num(pr.get(fld))
            if fld == "min_km" and v is None:
                v = 0.0 if r0 == 0 else None
            rep.check("%s.field_%s" % (tag, fld), v is not None and abs(v - want) <= 1e-9 * max(1, abs(want)),
                      "%s = %r, expected %r" % (fld, pr.get(fld), want))
        rep.check("%s.field_missile_empty" % tag, pr.get("missile") in ("", None), "missile %r" % pr.get("missile"))
        af, at = num(pr.get("az_from")), num(pr.get("az_to"))
        if az is None:
            rep.check("%s.field_az_null" % tag, af is None and at is None, "az_from %r az_to %r (want null)"
                      % (pr.get("az_from"), pr.get("az_to")))
        else:
            rep.check("%s.field_az_values" % tag, af is not None and at is not None and
                      abs((af - az[0]) % 360) < 1e-9 and abs((at - az[1]) % 360) < 1e-9,
                      "az_from %r az_to %r, expected %r" % (pr.get("az_from"), pr.get("az_to"), az))
        e = num(pr.get("err_m"))
        rep.check("%s.field_err_m" % tag, e is not None and 0 <= e <= tol, "err_m %r, tolerance %g" % (pr.get("err_m"), tol))
        a = num(pr.get("area_km2"))
        rep.check("%s.field_area_km2_positive" % tag, a is not None and a > 0, "area_km2 %r" % pr.get("area_km2"))
        if has_crs:
            rep.check("%s.crs_epsg4326" % tag, C.is_epsg4326(srs),
                      "layer SRS %s" % (srs.ExportToProj4() if srs is not None else None))
        rep.add(("%s.%s" % (tag, n.split(".", 1)[1]), ok, d) for n, ok, d in C.geometry_rule_checks(g, "g", winding))
        return pr, g

    def oracle(self, tag, path, lat, lon, r, r0=0.0, az=None, tol=DEFAULT_TOL, winding=True, where=None):
        # the project's oracle ("tag.oracle"), and the shared one ("tag.shared")
        # when GEOREACH_SHARED is set
        for label, o, ocmd in C.run_oracles(path, lat, lon, r, r0, az=az, where=where, extra=LATTICE):
            if "error" in o:
                self.rep.check("%s.%s_scored" % (tag, label), False, "%s | %s" % (o["error"], ocmd))
                continue
            be = o.get("boundary_err_max_m")
            ok = (o.get("misclassified") == 0 and be is not None and be <= tol and o.get("valid")
                  and o.get("uncut_antimeridian_edges") == 0 and o.get("coords_out_of_range") == 0
                  and (o.get("rfc7946_winding_ok") or not winding))
            self.rep.check("%s.%s" % (tag, label), ok, "misclassified %s, boundary_err_max_m %s, valid %s, uncut %s, "
                           "out_of_range %s, winding %s | %s"
                           % (o.get("misclassified"), be, o.get("valid"), o.get("uncut_antimeridian_edges"),
                              o.get("coords_out_of_range"), o.get("winding"), ocmd))


def main():
    binary = C.binary_from_argv()
    rep = C.Report("test_formats: georeach output formats read back through OGR (%s)" % binary)
    scratch = C.scratch_dir("formats")
    t = T(binary, scratch, rep)
    fiji_site = "--site=%s=%r,%r" % FIJI
    areas = {}
    planar = {}

    # ------------------------------------------------ one ring, every format
    for ext, drivers, has_crs, winding in FORMATS:
        tag = "fiji" + ext
        path = os.path.join(scratch, "fiji_" + ext[1:] + ext)
        p = t.georeach([fiji_site, "--range=1500km", "-o", path])
        if not t.ran(tag, p, path):
            continue
        if ext == ".shp":
            side = [os.path.exists(os.path.join(scratch, "fiji_shp" + s)) for s in (".dbf", ".shx", ".prj")]
            rep.check("%s.sidecar_files" % tag, all(side), ".dbf/.shx/.prj present: %s" % side)
        out = t.check_ring_file(tag, path, drivers, has_crs, winding, FIJI, FIJI_R)
        if out:
            areas[ext] = num(out[0].get("area_km2"))
            planar[ext] = out[1].area if out[1] is not None else None
        t.oracle(tag, path, FIJI[1], FIJI[2], FIJI_R, winding=winding)
    ref = areas.get(".gpkg")
    if ref:
        bad = {k: v for k, v in areas.items() if v is None or abs(v - ref) > 1e-6 * ref}
        rep.check("fiji.area_km2_same_in_every_format", not bad, "gpkg %r, differing: %s" % (ref, bad))
    refp = planar.get(".gpkg")
    if refp:
        bad = {k: v for k, v in planar.items() if v is None or abs(v - refp) > 1e-6 * refp}
        rep.check("fiji.same_geometry_in_every_format", not bad,
                  "planar lon/lat area gpkg %r, differing: %s" % (refp, bad))

    # ------------------------------------------------ --format DRIVER
    path = os.path.join(scratch, "fiji_fmt.json")
    p = t.georeach([fiji_site, "--range=1500km", "--format=GeoJSON", "-o", path])
    if t.ran("format_option", p, path):
        t.check_ring_file("format_option", path, ("GeoJSON",), True, True, FIJI, FIJI_R)

    # ------------------------------------------------ -o - (stdout)
    p = t.georeach([fiji_site, "--range=1500km", "-o", "-"])
    if t.ran("stdout", p):
        try:
            doc = json.loads(p.stdout)
            parsed = True
        except ValueError as exc:
            parsed = False
            rep.check("stdout.is_json", False, "%s; stdout starts %s" % (exc, C.short(p.stdout, 200)))
        if parsed:
            rep.check("stdout.is_json", True)
            feats = doc.get("features") or []
            rep.check("stdout.feature_collection", doc.get("type") == "FeatureCollection" and len(feats) == 1,
                      "type %r, %d features" % (doc.get("type"), len(feats)))
            if feats:
                props = feats[0].get("properties") or {}
                rep.check("stdout.az_from_is_json_null", "az_from" in props and props["az_from"] is None
                          and "az_to" in props and props["az_to"] is None,
                          "az_from %r az_to %r (keys present: %s)" % (props.get("az_from"), props.get("az_to"),
                                                                      "az_from" in props))
            rep.check("stdout.no_crs_member_rfc7946", "crs" not in doc, "GeoJSON has a crs member")
            path = os.path.join(scratch, "stdout.geojson")
            with open(path, "w") as f:
                f.write(p.stdout)
            t.check_ring_file("stdout", path, ("GeoJSON",), True, True, FIJI, FIJI_R)
            t.oracle("stdout", path, FIJI[1], FIJI[2], FIJI_R)
        left = sorted(x for x in os.listdir(scratch) if x.startswith("-"))
        rep.check("stdout.no_file_named_dash", not left, "files %s" % left)

    # ------------------------------------------------ --quiet
    path = os.path.join(scratch, "quiet.geojson")
    p = t.georeach([fiji_site, "--range=1500km", "--quiet", "-o", path])
    if t.ran("quiet", p, path):
        rep.check("quiet.stderr_empty", p.stderr.strip() == "", "stderr %s" % C.short(p.stderr))

    # ------------------------------------------------ --sites CSV, 2 sites
    sites_csv = os.path.join(scratch, "sites.csv")
    with open(sites_csv, "w") as f:
        f.write("name,lat,lon\nBelgorod,50.6,36.6\nFiji,-17.7,178.0\n")
    want = {"Belgorod": (50.6, 36.6), "Fiji": (-17.7, 178.0)}
    for ext in (".gpkg", ".geojson", ".shp"):
        tag = "sites_csv" + ext
        path = os.path.join(scratch, "two_" + ext[1:] + ext)
        p = t.georeach(["--sites", sites_csv, "--range", "885km", "-o", path])
        if not t.ran(tag, p, path):
            continue
        feats, srs, drv, names = C.read_features(path)
        rep.check("%s.two_features" % tag, len(feats) == 2, "%d features" % len(feats))
        got = {}
        for pr, g in feats:
            got[pr.get("site")] = (num(pr.get("site_lat")), num(pr.get("site_lon")), num(pr.get("range_km")))
            rep.add(("%s.%s.%s" % (tag, pr.get("site"), n.split(".", 1)[1]), ok, d)
                    for n, ok, d in C.geometry_rule_checks(g, "g", ext != ".shp"))
        ok = set(got) == set(want) and all(
            abs(got[k][0] - want[k][0]) < 1e-9 and abs(got[k][1] - want[k][1]) < 1e-9 and abs(got[k][2] - 885) < 1e-9
            for k in want)
        rep.check("%s.site_names_and_centres" % tag, ok, "got %r, want %r" % (got, want))
        if ext == ".gpkg":
            for label, o, ocmd in C.run_oracles(path, r=885000.0, sites=sites_csv, extra=LATTICE):
                rep.check("%s.%s_union" % (tag, label),
                          "error" not in o and o.get("misclassified") == 0 and o.get("valid"),
                          "misclassified %s valid %s error %s | %s" % (o.get("misclassified"), o.get("valid"),
                                                                       o.get("error"), ocmd))
            for k, (la, lo) in want.items():
                t.oracle("%s.%s" % (tag, k), path, la, lo, 885000.0, where="site = '%s'" % k)

    # other column names, in another order, no name column needed
    alt_csv = os.path.join(scratch, "alt.csv")
    with open(alt_csv, "w") as f:
        f.write("lng,latitude,name\n36.6,50.6,B\n178.0,-17.7,F\n")
    path = os.path.join(scratch, "alt.gpkg")
    p = t.georeach(["--sites=" + alt_csv, "--range=885km", "-o", path])
    if t.ran("sites_csv_alt_columns", p, path):
        feats, _, _, _ = C.read_features(path)
        got = sorted((pr.get("site"), num(pr.get("site_lat")), num(pr.get("site_lon"))) for pr, _ in feats)
        rep.check("sites_csv_alt_columns.values", got == [("B", 50.6, 36.6), ("F", -17.7, 178.0)], "got %r" % got)

    # a GDAL point layer
    pts = os.path.join(scratch, "sites_points.geojson")
    with open(pts, "w") as f:
        json.dump({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": "Belgorod"}, "geometry": {"type": "Point", "coordinates": [36.6, 50.6]}},
            {"type": "Feature", "properties": {"name": "Fiji"}, "geometry": {"type": "Point", "coordinates": [178.0, -17.7]}}]}, f)
    path = os.path.join(scratch, "from_points.gpkg")
    p = t.georeach(["--sites", pts, "--range=885km", "-o", path])
    if t.ran("sites_point_layer", p, path):
        feats, _, _, _ = C.read_features(path)
        got = sorted((pr.get("site"), num(pr.get("site_lat")), num(pr.get("site_lon"))) for pr, _ in feats)
        rep.check("sites_point_layer.values", got == [("Belgorod", 50.6, 36.6), ("Fiji", -17.7, 178.0)], "got %r" % got)

    # --rings: one feature per distance per site
    path = os.path.join(scratch, "rings.fgb")
    p = t.georeach(["--sites", sites_csv, "--rings=300km,600km,885km", "-o", path])
    if t.ran("rings", p, path):
        feats, _, _, _ = C.read_features(path)
        got = sorted((pr.get("site"), num(pr.get("range_km"))) for pr, _ in feats)
        exp = sorted((s, d) for s in want for d in (300.0, 600.0, 885.0))
        rep.check("rings.one_feature_per_site_and_distance", got == exp, "got %r" % got)
        for d in (300, 600, 885):
            mins = set(num(pr.get("min_km")) or 0.0 for pr, _ in feats if num(pr.get("range_km")) == d)
            if len(mins) != 1:
                rep.check("rings.%dkm.min_km_consistent" % d, False, "min_km values %s" % mins)
                continue
            r0 = mins.pop() * 1000.0
            for label, o, ocmd in C.run_oracles(path, r=d * 1000.0, r0=r0, sites=sites_csv,
                                                where="range_km = %d" % d, extra=LATTICE):
                rep.check("rings.%dkm.%s_union" % (d, label),
                          "error" not in o and o.get("misclassified") == 0 and o.get("valid"),
                          "misclassified %s valid %s error %s | %s" % (o.get("misclassified"), o.get("valid"),
                                                                       o.get("error"), ocmd))

    # a sector: az_from / az_to carried as values
    for ext in (".gpkg", ".shp"):
        tag = "sector" + ext
        path = os.path.join(scratch, "sector" + ext)
        p = t.georeach(["--site=Belgorod=50.6,36.6", "--range=885km", "--azimuth=300:60", "-o", path])
        if t.ran(tag, p, path):
            t.check_ring_file(tag, path, ("GPKG", "ESRI Shapefile"), True, ext != ".shp",
                              ("Belgorod", 50.6, 36.6), 885000.0, az=(300.0, 60.0))
            t.oracle(tag, path, 50.6, 36.6, 885000.0, az=(300.0, 60.0), winding=ext != ".shp")

    # ------------------------------------------------ names: UTF-8, commas, quotes
    odd = os.path.join(scratch, "odd_names.csv")
    names = ["Белгород ☢", 'Quote "Q", comma']
    with open(odd, "w", encoding="utf-8") as f:
        f.write('name,lat,lon\n"%s",50.6,36.6\n"%s",-17.7,178.0\n' % (names[0], names[1].replace('"', '""')))
    for ext in (".geojson", ".gpkg", ".shp", ".kml", ".fgb", ".csv"):
        tag = "names_utf8_quotes" + ext
        path = os.path.join(scratch, "odd_" + ext[1:] + ext)
        p = t.georeach(["--sites", odd, "--range=885km", "-o", path])
        if t.ran(tag, p, path):
            feats, _, _, _ = C.read_features(path)
            got = sorted(pr.get("site") or "" for pr, _ in feats)
            rep.check("%s.round_trip" % tag, got == sorted(names), "got %r" % got)

    # ------------------------------------------------ --threads: same output
    rnd = __import__("random").Random(5)
    many = os.path.join(scratch, "many.csv")
    with open(many, "w") as f:
        f.write("name,lat,lon\n")
        for i in range(40):
            f.write("S%02d,%.5f,%.5f\n" % (i, rnd.uniform(-89, 89), rnd.uniform(-180, 180)))
    outs = {}
    for n in (1, 2, 4):
        path = os.path.join(scratch, "threads%d.gpkg" % n)
        p = t.georeach(["--sites", many, "--rings=500km,5000km", "--threads=%d" % n, "-o", path])
        if t.ran("threads_%d" % n, p, path):
            feats, _, _, _ = C.read_features(path)
            outs[n] = [(pr.get("site"), pr.get("range_km"), pr.get("err_m"), pr.get("area_km2"), g.wkb_hex)
                       for pr, g in feats]
    if len(outs) == 3:
        same = outs[1] == outs[2] == outs[4]
        rep.check("threads.same_features_same_order", same and len(outs[1]) == 80,
                  "%d/%d/%d features; identical: %s" % (len(outs[1]), len(outs[2]), len(outs[4]), same))

    # ------------------------------------------------ --overwrite
    for ext in (".geojson", ".gpkg", ".shp"):
        tag = "overwrite" + ext
        path = os.path.join(scratch, "ow_" + ext[1:] + ext)
        p = t.georeach([fiji_site, "--range=1500km", "-o", path])
        if not t.ran(tag + ".first", p, path):
            continue
        h0, m0 = sha(path), os.stat(path).st_mtime_ns
        before = sorted(os.listdir(scratch))
        p = t.georeach([fiji_site, "--range=1000km", "-o", path])
        rep.check("%s.refused_exit_1" % tag, p.returncode == 1, "exit %s | %s" % (p.returncode, p.cmd))
        rep.check("%s.refused_one_line_stderr" % tag, one_line(p.stderr) and p.stdout == "",
                  "stderr %s stdout %s" % (C.short(p.stderr), C.short(p.stdout)))
        rep.check("%s.refused_file_untouched" % tag, sha(path) == h0 and os.stat(path).st_mtime_ns == m0,
                  "content or mtime changed")
        rep.check("%s.refused_no_new_files" % tag, sorted(os.listdir(scratch)) == before,
                  "new files: %s" % sorted(set(os.listdir(scratch)) - set(before)))
        p = t.georeach([fiji_site, "--range=1000km", "--overwrite", "-o", path])
        if t.ran(tag + ".replace", p, path):
            feats, _, _, _ = C.read_features(path)
            rk = [num(pr.get("range_km")) for pr, _ in feats]
            rep.check("%s.replaced_not_appended" % tag, rk == [1000.0], "range_km of features: %s" % rk)

    rep.finish()


if __name__ == "__main__":
    main()
