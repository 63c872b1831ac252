#!/usr/bin/python3
"""georeach map for every layer kind (issue #17), read back from outside: the
pictures are decoded with GDAL and probed at points placed with pyproj from the
projection and pixel transform the tool prints (--verbose); what each probe
must show is decided independently, with pyproj's geodesic inverse:
  - --count (North Korean bases, one range): a probe reached by k sites (k
    counted with pyproj distances to every base) is the ramp colour of level
    1, 2 or 3+ over land or sea, and none of the other levels' colours;
  - --layer of the GeoPackage 'georeach rings --count' wrote: the same probes,
    the same colours;
  - --from-area KP: probes whose pyproj distance to North Korea (its polygon
    from data/countries.fgb, edges densified to 0.02 degree) is below the range
    are the range's colour, those beyond it plain land or sea;
  - --layer of a rings GeoPackage (georeach fields): inside some site's disc by
    pyproj is the colour printed for the missile, outside plain;
  - --layer of layers with no georeach field, written by ogr2ogr (a polygon in
    EPSG:3857, a line, points): the polygon's inside (judged with OGR on the
    source polygon) in the colour printed for the layer, a pixel on the line in
    the line colour, the points' markers where they project;
  - usage refusals: --count with two ranges, --from-area with sites, --each
    with --count, a layer that cannot be read.
usage: test_map_layers.py GEOREACH"""

import os
import re
import subprocess
import sys
import tempfile

import numpy as np
from osgeo import gdal, ogr
from pyproj import Geod, Transformer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, DATA, check, done  # noqa: E402

gdal.UseExceptions()
ogr.UseExceptions()
GEOD = Geod(ellps="WGS84")
W, H = 800, 600
BASES = os.path.join(DATA, "sites", "north_korea_bases.csv")
JAN = os.path.join(DATA, "sites", "jan2024_launch_areas.csv")


def hexrgb(h):
    return np.array([int(h[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def read_sites(path):
    ds = ogr.Open("CSV:" + path)
    lyr = ds.GetLayer(0)
    return [(float(f.GetField("lat")), float(f.GetField("lon"))) for f in lyr]


def run_map(out, *args):
    p = subprocess.run([BIN, "map", *args, "-o", out, "--width", str(W), "--height", str(H),
                        "-v", "-q", "--overwrite"], capture_output=True, text=True)
    info = {"rc": p.returncode, "stderr": p.stderr, "colours": {}, "ramp": {}, "layer": {}}
    for line in p.stderr.splitlines():
        m = re.match(r"georeach: (size|projection|geotransform|style|colour|ramp|layer-colour) (.*)", line)
        if not m:
            continue
        key, val = m.groups()
        if key == "projection":
            info["proj"] = val
        elif key == "geotransform":
            info["gt"] = [float(v) for v in val.split(",")]
        elif key == "size":
            info["size"] = tuple(int(v) for v in val.split("x"))
        elif key == "style":
            kv = val.split()
            info["style"] = dict(zip(kv[0::2], kv[1::2]))
        elif key == "ramp":
            k, hx = val.split()
            info["ramp"][int(k.rstrip("+"))] = hexrgb(hx)
        elif key == "layer-colour":
            k, hx, name = val.split(" ", 2)
            info["layer"][name] = hexrgb(hx)
        else:
            k, hx, label = val.split(" ", 2)
            info["colours"][int(k)] = hexrgb(hx)
    return info


class Picture:
    def __init__(self, path, info):
        ds = gdal.Open(path)
        self.px = np.dstack([ds.GetRasterBand(i + 1).ReadAsArray() for i in range(3)]).astype(float)
        self.tr = Transformer.from_crs("EPSG:4326", info["proj"], always_xy=True)
        self.gt = info["gt"]
        st = info["style"]
        self.land, self.ocean = hexrgb(st["land"]), hexrgb(st["ocean"])
        self.site = hexrgb(st["site"])
        self.alpha = float(st["fill-alpha"])
        self.alpha_sea = float(st["fill-alpha-sea"])
        self.strong = float(st["fill-alpha-strong"])

    def pixel(self, lat, lon):
        x, y = self.tr.transform(lon, lat)
        return (x - self.gt[0]) / self.gt[1], (y - self.gt[3]) / self.gt[5]

    def on_map(self, lat, lon, margin=20):
        c, r = self.pixel(lat, lon)
        return margin <= c < W - margin and 90 <= r < H - margin

    def share(self, lat, lon, colours, tol=6, best=max):
        """Share of a 5x5 window within tol of one of colours: the best of the
        window there and four 8 pixels away (a label may cover one)."""
        c, r = self.pixel(lat, lon)
        shares = []
        for dc, dr in ((0, 0), (8, 0), (-8, 0), (0, 8), (0, -8)):
            cc, rr = int(c) + dc, int(r) + dr
            win = self.px[max(rr - 2, 0):rr + 3, max(cc - 2, 0):cc + 3].reshape(-1, 3)
            if len(win) == 0:
                continue
            ok = np.zeros(len(win), dtype=bool)
            for col in colours:
                ok |= np.all(np.abs(win - col) <= tol, axis=1)
            shares.append(ok.mean())
        return best(shares) if shares else 0.0

    def stroke(self, lat, lon, colour, under):
        """Whether a stroke of colour crosses the 5x5 window at the point: some
        pixel at least 40% of the way from the nearest of the colours under it
        to the stroke's (an antialiased 1-pixel line on a pixel boundary
        shows at half strength in two columns)."""
        c, r = self.pixel(lat, lon)
        win = self.px[max(int(r) - 2, 0):int(r) + 3, max(int(c) - 2, 0):int(c) + 3].reshape(-1, 3)
        best = 0.0
        for p in win:
            base = min(under, key=lambda b: float(np.sum((p - b) ** 2)))
            d = colour - base
            best = max(best, float(np.dot(p - base, d) / max(np.dot(d, d), 1e-9)))
        return best >= 0.4

    def tinted(self, colour):
        return [self.alpha * colour + (1 - self.alpha) * self.land,
                self.alpha_sea * colour + (1 - self.alpha_sea) * self.ocean]

    def ramp(self, colour):
        return [self.strong * colour + (1 - self.strong) * b for b in (self.land, self.ocean)]


def why(info):
    return "exit 0" if info["rc"] == 0 else "exit %d: %s" % (info["rc"], info["stderr"].strip()[-300:])


def grid(lat0, lat1, lon0, lon1, n):
    return [(lat0 + (lat1 - lat0) * i / (n - 1), lon0 + (lon1 - lon0) * j / (n - 1))
            for i in range(n) for j in range(n)]


def count_probes(name, pic, info, sites, r_m, probes):
    """Probes by level; each must be the ramp colour of its pyproj count."""
    ramp = info["ramp"]
    per = {1: [0, 0], 2: [0, 0], 3: [0, 0]}
    for (lat, lon) in probes:
        if not pic.on_map(lat, lon):
            continue
        ds = [GEOD.inv(b, a, lon, lat)[2] for (a, b) in sites]
        if min(abs(d - r_m) for d in ds) < 0.04 * r_m:
            continue  # too near a ring's edge to judge a pixel
        if min(ds) < 60e3:
            continue  # the site markers and their names
        k = sum(d <= r_m for d in ds)
        if k == 0:
            continue
        lv = min(k, 3)
        own = pic.share(lat, lon, pic.ramp(ramp[lv]))
        other = max(pic.share(lat, lon, pic.ramp(ramp[o])) for o in (1, 2, 3) if o != lv)
        per[lv][0] += 1
        per[lv][1] += int(own >= 0.6 and own > other)
    for lv in (1, 2, 3):
        n, ok = per[lv]
        check(n >= 4 and ok >= 0.9 * n,
              "%s: probes reached by %s site%s (pyproj) drawn in ramp level %d: %d of %d"
              % (name, "%d+" % lv if lv == 3 else lv, "" if lv == 1 else "s", lv, ok, n))


def territory(path, iso):
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    lyr.SetAttributeFilter("iso_a2 = '%s'" % iso)
    f = lyr.GetNextFeature()
    return f.GetGeometryRef().Clone()


def boundary_points(g, step=0.02):
    pts = []
    def ring(r):
        n = r.GetPointCount()
        for i in range(n - 1):
            x0, y0, x1, y1 = r.GetX(i), r.GetY(i), r.GetX(i + 1), r.GetY(i + 1)
            m = max(1, int(np.ceil(max(abs(x1 - x0), abs(y1 - y0)) / step)))
            for k in range(m):
                pts.append((x0 + (x1 - x0) * k / m, y0 + (y1 - y0) * k / m))
    def walk(h):
        if h.GetGeometryType() in (ogr.wkbLineString, ogr.wkbLinearRing) or h.GetGeometryCount() == 0:
            ring(h)
        else:
            for i in range(h.GetGeometryCount()):
                walk(h.GetGeometryRef(i))
    walk(g)
    return np.array(pts)


def inside_polygon(g, lat, lon):
    p = ogr.Geometry(ogr.wkbPoint)
    p.AddPoint_2D(lon, lat)
    return g.Contains(p)


def main():
    bases = read_sites(BASES)
    jan = read_sites(JAN)
    with tempfile.TemporaryDirectory() as d:
        # --count: 300 km round the North Korean bases
        r_count = 300e3
        out = os.path.join(d, "count.png")
        info = run_map(out, "--sites", BASES, "--range", "300km", "--count")
        ok = check(info["rc"] == 0 and len(info["ramp"]) == 3,
                   "count: map --count exits 0 and prints the ramp (%s)" % why(info))
        probes = grid(36.0, 43.5, 122.0, 132.5, 41)
        if ok:
            pic = Picture(out, info)
            count_probes("count", pic, info, bases, r_count, probes)
            # a perturbed reference must fail: counted with 250 km instead
            per_bad = 0
            n = 0
            for (lat, lon) in probes:
                ds = [GEOD.inv(b, a, lon, lat)[2] for (a, b) in bases]
                if not pic.on_map(lat, lon) or min(ds) < 60e3:
                    continue
                k_true, k_bad = sum(x <= r_count for x in ds), sum(x <= 250e3 for x in ds)
                if k_bad == 0 or min(k_true, 3) == min(k_bad, 3) or min(abs(x - r_count) for x in ds) < 0.04 * r_count:
                    continue
                n += 1
                per_bad += int(pic.share(lat, lon, pic.ramp(info["ramp"][min(k_bad, 3)])) >= 0.6)
            check(n >= 4 and per_bad <= 0.1 * n,
                  "count: the probes judged with 250 km instead fail (%d of %d would pass)" % (per_bad, n))

        # --layer of what 'georeach rings --count' wrote
        gpkg = os.path.join(d, "overlap.gpkg")
        p = subprocess.run([BIN, "rings", "--sites", BASES, "--range", "300km", "--count", "-o", gpkg, "-q"],
                           capture_output=True, text=True)
        check(p.returncode == 0, "layer: rings --count wrote a GeoPackage")
        out = os.path.join(d, "layer_count.png")
        info = run_map(out, "--layer", gpkg)
        if check(info["rc"] == 0, "layer: map --layer overlap.gpkg exits 0 (%s)" % why(info)):
            count_probes("layer count", Picture(out, info), info, bases, r_count, probes)

        # --from-area KP, 500 km
        r_area = 500e3
        kp = territory(os.path.join(DATA, "countries.fgb"), "KP")
        bpts = boundary_points(kp)
        out = os.path.join(d, "area.png")
        info = run_map(out, "--from-area", "KP", "--range", "500km")
        if check(info["rc"] == 0 and 0 in info["colours"],
                 "area: map --from-area KP exits 0 (%s)" % why(info)):
            pic = Picture(out, info)
            col = info["colours"][0]
            n_in = n_out = ok_in = ok_out = 0
            for (lat, lon) in grid(32.0, 48.0, 118.0, 137.0, 31):
                if not pic.on_map(lat, lon):
                    continue
                inside = inside_polygon(kp, lat, lon)
                dist = 0.0 if inside else min(GEOD.inv(np.full(len(bpts), lon), np.full(len(bpts), lat),
                                                      bpts[:, 0], bpts[:, 1])[2])
                if inside:
                    continue  # the territory itself: its outline and label
                if abs(dist - r_area) < 0.05 * r_area:
                    continue
                if dist < r_area:
                    n_in += 1
                    ok_in += int(pic.share(lat, lon, pic.tinted(col)) >= 0.6)
                else:
                    n_out += 1
                    ok_out += int(pic.share(lat, lon, [pic.land, pic.ocean]) >= 0.6
                                  and pic.share(lat, lon, pic.tinted(col)) == 0)
            check(n_in >= 20 and ok_in >= 0.9 * n_in,
                  "area: probes within 500 km of North Korea (pyproj) in the range's colour: %d of %d" % (ok_in, n_in))
            check(n_out >= 20 and ok_out >= 0.9 * n_out,
                  "area: probes beyond 500 km plain land or sea: %d of %d" % (ok_out, n_out))

        # --layer of a rings GeoPackage: coloured by missile
        rings = os.path.join(d, "rings.gpkg")
        subprocess.run([BIN, "rings", "--sites", JAN, "--missile", "KN-23", "-o", rings, "-q"], check=True)
        out = os.path.join(d, "layer_rings.png")
        info = run_map(out, "--layer", rings)
        if check(info["rc"] == 0 and "KN-23" in info["layer"],
                 "layer: rings.gpkg drawn, KN-23 given a colour (%s)" % why(info)):
            pic = Picture(out, info)
            col = info["layer"]["KN-23"]
            n_in = n_out = ok_in = ok_out = 0
            for (lat, lon) in grid(40.0, 60.0, 22.0, 52.0, 25):
                if not pic.on_map(lat, lon):
                    continue
                ds = [GEOD.inv(b, a, lon, lat)[2] for (a, b) in jan]
                if min(abs(x - 885e3) for x in ds) < 0.04 * 885e3 or min(ds) < 60e3:
                    continue
                if min(ds) <= 885e3:
                    n_in += 1
                    ok_in += int(pic.share(lat, lon, pic.tinted(col)) >= 0.6)
                else:
                    n_out += 1
                    ok_out += int(pic.share(lat, lon, [pic.land, pic.ocean]) >= 0.6)
            check(n_in >= 20 and ok_in >= 0.9 * n_in,
                  "layer rings: probes in some KN-23 disc (pyproj) in the KN-23 colour: %d of %d" % (ok_in, n_in))
            check(n_out >= 10 and ok_out >= 0.9 * n_out,
                  "layer rings: probes outside every disc plain: %d of %d" % (ok_out, n_out))

        # layers with no georeach field, written by ogr2ogr: a polygon in
        # EPSG:3857, a line and points
        poly = os.path.join(d, "ukraine_3857.gpkg")
        p = subprocess.run(["ogr2ogr", "-f", "GPKG", "-t_srs", "EPSG:3857", "-select", "name",
                            "-where", "iso_a2 = 'UA'", "-nln", "zone", poly,
                            os.path.join(DATA, "countries.fgb")], capture_output=True, text=True)
        check(p.returncode == 0, "layer: ogr2ogr wrote a polygon layer in EPSG:3857 (%s)" % p.stderr.strip())
        csv = os.path.join(d, "lines.csv")
        with open(csv, "w") as f:
            f.write("id,WKT\n1,\"LINESTRING (20 56, 44 56)\"\n")
        line = os.path.join(d, "line.geojson")
        subprocess.run(["ogr2ogr", "-f", "GeoJSON", "-a_srs", "EPSG:4326", line, csv, "-nln", "route"],
                       check=True, capture_output=True)
        pcsv = os.path.join(d, "pts.csv")
        pts = [(47.0, 45.0, "East"), (55.5, 25.0, "North")]
        with open(pcsv, "w") as f:
            f.write("name,WKT\n" + "".join("%s,\"POINT (%g %g)\"\n" % (n, lo, la) for (la, lo, n) in pts))
        pgj = os.path.join(d, "pts.geojson")
        subprocess.run(["ogr2ogr", "-f", "GeoJSON", "-a_srs", "EPSG:4326", pgj, pcsv, "-nln", "places"],
                       check=True, capture_output=True)
        out = os.path.join(d, "layer_plain.png")
        info = run_map(out, "--layer", poly, "--layer", line, "--layer", pgj)
        if check(info["rc"] == 0 and "zone" in info["layer"] and "route" in info["layer"],
                 "layer: polygon, line and points with no georeach field drawn (%s)" % why(info)):
            pic = Picture(out, info)
            ua = territory(os.path.join(DATA, "countries.fgb"), "UA")
            bp = boundary_points(ua, 0.05)
            col = info["layer"]["zone"]
            n_in = n_out = ok_in = ok_out = 0
            for (lat, lon) in grid(43.0, 54.0, 20.0, 42.0, 23):
                if not pic.on_map(lat, lon):
                    continue
                db = min(GEOD.inv(np.full(len(bp), lon), np.full(len(bp), lat), bp[:, 0], bp[:, 1])[2])
                if db < 40e3:
                    continue
                if inside_polygon(ua, lat, lon):
                    n_in += 1
                    ok_in += int(pic.share(lat, lon, pic.tinted(col)) >= 0.6)
                else:
                    n_out += 1
                    ok_out += int(pic.share(lat, lon, pic.tinted(col)) == 0)
            check(n_in >= 15 and ok_in >= 0.9 * n_in,
                  "layer plain: probes inside Ukraine (OGR on the source polygon) in the layer colour: %d of %d" % (ok_in, n_in))
            check(n_out >= 15 and ok_out >= 0.9 * n_out,
                  "layer plain: probes outside it not in that colour: %d of %d" % (ok_out, n_out))
            stroke = info["layer"]["route"] * 0.85
            hits = n = 0
            for lon in np.arange(24.0, 41.0, 1.0):
                c, r = pic.pixel(56.0, lon)
                if not (2 <= c < W - 2 and 2 <= r < H - 2):
                    continue
                n += 1
                win = pic.px[int(r) - 2:int(r) + 3, int(c) - 2:int(c) + 3].reshape(-1, 3)
                hits += int(np.min(np.max(np.abs(win - stroke), axis=1)) <= 45)  # a thin antialiased line
            check(n >= 10 and hits >= 0.9 * n, "layer plain: the line along 56N drawn in its colour: %d of %d" % (hits, n))
            for (lat, lon, name) in pts:
                c, r = pic.pixel(lat, lon)
                v = pic.px[int(r), int(c)]
                check(np.all(np.abs(v - pic.site) <= 12),
                      "layer plain: point %s marked at %.1f,%.1f (pixel %s)" % (name, lat, lon, v.astype(int).tolist()))

        # several sites: one coverage outline per missile by default, every
        # ring's outline with --each.  Probes on one site's circle that lie
        # well inside another site's disc (pyproj) are inside the union: no
        # outline there by default, one there with --each.
        r = 885e3
        inner = []
        for (a, b) in jan:
            for az in np.arange(0.0, 360.0, 2.0):
                lon, lat, _ = GEOD.fwd(b, a, az, r)
                others = [GEOD.inv(b2, a2, lon, lat)[2] for (a2, b2) in jan if (a2, b2) != (a, b)]
                if min(others) < 0.9 * r and min(abs(x - r) for x in others) > 0.05 * r:
                    inner.append((lat, lon))
        strokes = {}
        for flag in ([], ["--each"]):
            out = os.path.join(d, "outline%s.png" % "".join(flag))
            info = run_map(out, "--sites", JAN, "--missile", "KN-23", *flag)
            if not check(info["rc"] == 0, "outline %s: exits 0 (%s)" % (flag or "default", why(info))):
                continue
            pic = Picture(out, info)
            stroke = info["colours"][0] * 0.85
            n = hit = 0
            for (lat, lon) in inner:
                if not pic.on_map(lat, lon, 4):
                    continue
                c, rr = pic.pixel(lat, lon)
                n += 1
                win = pic.px[int(rr) - 1:int(rr) + 2, int(c) - 1:int(c) + 2].reshape(-1, 3)
                hit += int(np.min(np.max(np.abs(win - stroke), axis=1)) <= 40)
            strokes[bool(flag)] = (hit, n)
        if len(strokes) == 2:
            (h0, n0), (h1, n1) = strokes[False], strokes[True]
            check(n0 >= 20 and h0 <= 0.05 * n0,
                  "outline default: no outline on circles inside the union (%d of %d points)" % (h0, n0))
            check(n1 >= 20 and h1 >= 0.8 * n1,
                  "outline --each: every circle outlined inside the union too (%d of %d points)" % (h1, n1))

        # features with no geometry or a collection are skipped and counted
        gj = os.path.join(d, "mixed.geojson")
        with open(gj, "w") as f:
            f.write('{"type":"FeatureCollection","features":['
                    '{"type":"Feature","properties":{"name":"a"},"geometry":null},'
                    '{"type":"Feature","properties":{"name":"b"},"geometry":{"type":"GeometryCollection",'
                    '"geometries":[{"type":"Point","coordinates":[30,50]}]}},'
                    '{"type":"Feature","properties":{"name":"Here"},"geometry":{"type":"Point","coordinates":[30,50]}}]}')
        p = subprocess.run([BIN, "map", "--layer", gj, "-o", os.path.join(d, "mixed.png")],
                           capture_output=True, text=True)
        check(p.returncode == 0 and "skipped 2 features" in p.stderr,
              "layer: a null geometry and a collection skipped and counted (%s)" % p.stderr.strip())

        # --radials: the stroke of each radial at points along its geodesic
        # (pyproj forward problem), in the colour printed for the missile; a
        # sector keeps only the radials inside it; none drawn without it
        site = (64.73, 177.51)  # Anadyr: the radials cross +/-180
        for args, azs, label in ((["--radials", "12"], [30.0 * k for k in range(12)], "12 radials"),
                                 (["--radials", "8", "--azimuth", "200:340"], [225.0, 270.0, 315.0],
                                  "sector 200:340, 8 radials"),
                                 ([], [30.0 * k for k in range(12)], "no --radials")):
            out = os.path.join(d, "radials.png")
            info = run_map(out, "--site", "Anadyr=%r,%r" % site, "--missile", "KN-23", *args)
            if not check(info["rc"] == 0, "radials (%s): %s" % (label, why(info))):
                continue
            pic = Picture(out, info)
            line = info["colours"][0]
            hits = tot = 0
            for az in azs:
                for frac in (0.3, 0.5, 0.7, 0.9):
                    lon, lat, _ = GEOD.fwd(site[1], site[0], az, frac * 885e3)
                    if not pic.on_map(lat, lon):
                        continue
                    tot += 1
                    hits += pic.stroke(lat, lon, line, pic.tinted(line))
            if args:
                check(tot >= 8 and hits == tot,
                      "radials (%s): the stroke on the geodesic at %d of %d probes" % (label, hits, tot))
            else:
                check(tot >= 8 and hits <= tot // 8,
                      "no --radials: no stroke along the would-be radials (%d of %d probes)" % (hits, tot))
            if "--azimuth" in args:
                off = 0
                for az in (0.0, 45.0, 90.0, 135.0, 180.0):
                    lon, lat, _ = GEOD.fwd(site[1], site[0], az, 0.5 * 885e3)
                    off += pic.stroke(lat, lon, line, pic.tinted(line) + [pic.land, pic.ocean])
                check(off == 0, "radials outside the sector 200:340 not drawn (%d of 5 seen)" % off)

        # refusals
        for args, what in ((["--sites", JAN, "--missile", "KN-23,Iskander-M", "--count"], "one range"),
                           (["--site", "Belgorod", "--from-area", "KP", "--range", "500km"], "--from-area"),
                           (["--sites", JAN, "--range", "500km", "--count", "--each"], "--each"),
                           (["--layer", os.path.join(d, "nothing.gpkg")], "--layer"),
                           (["--from-area", "KP", "--range", "500km", "--radials", "4"], "--from-area"),
                           (["--target", "Kyiv", "--missile", "KN-23", "--radials", "4"], "--radials")):
            p = subprocess.run([BIN, "map", *args, "-o", os.path.join(d, "x.png")], capture_output=True, text=True)
            rc_want = 1 if what == "--layer" else 2
            check(p.returncode == rc_want and what in p.stderr and not os.path.exists(os.path.join(d, "x.png")),
                  "refusal %s: exit %d, one line naming it (%s)" % (what, p.returncode, p.stderr.strip()))
    done()


main()
