#!/usr/bin/python3
"""georeach map read back from outside: the pictures are decoded with GDAL and
probed at points whose place in the picture is computed independently, with
pyproj, from the projection and pixel transform the tool prints (--verbose),
and whose inside/outside truth comes from pyproj's geodesic inverse:
  - KN-23 from the January 2024 launch areas (4 overlapping rings, azimuthal
    equidistant), a ring holding the North Pole, a 13,000 km ring (Robinson,
    across the antimeridian, holding the pole), a launch basket clipped to
    Russia and Belarus, and a union of the North Korean bases;
  - the site markers are where the sites project; probes inside are the
    ring colour over land or sea (alpha blend of the printed colours), probes
    outside are plain land or sea;
  - no outline is drawn along the cut line lon = 180 or the pole line
    (no ring-coloured pixel there);
  - PNG, SVG and PDF of the asked size; bad input: unknown extension, a
    folder that does not exist, an existing file, bad sizes and projections,
    a full disk (exit code, message, nothing left behind).
usage: test_map.py GEOREACH"""

import csv
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import numpy as np
from osgeo import gdal
from pyproj import Geod, Transformer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, DATA, check, done  # noqa: E402

gdal.UseExceptions()
GEOD = Geod(ellps="WGS84")
W, H = 800, 600


def hexrgb(h):
    return np.array([int(h[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def run_map(out, *args):
    p = subprocess.run([BIN, "map", *args, "-o", out, "--width", str(W), "--height", str(H),
                        "-v", "-q", "--overwrite"], capture_output=True, text=True)
    info = {"rc": p.returncode, "stderr": p.stderr, "colours": {}}
    for line in p.stderr.splitlines():
        m = re.match(r"georeach: (size|projection|geotransform|style|colour) (.*)", line)
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
        else:
            k, hx, label = val.split(" ", 2)
            info["colours"][int(k)] = (hexrgb(hx), label)
    return info


class Picture:
    """A PNG and the means to find a lon/lat in it."""

    def __init__(self, path, info):
        ds = gdal.Open(path)
        self.driver = ds.GetDriver().ShortName
        self.size = (ds.RasterXSize, ds.RasterYSize)
        self.px = np.dstack([ds.GetRasterBand(i + 1).ReadAsArray() for i in range(min(3, ds.RasterCount))]).astype(float)
        self.tr = Transformer.from_crs("EPSG:4326", info["proj"], always_xy=True)
        self.gt = info["gt"]
        st = info["style"]
        self.land, self.ocean = hexrgb(st["land"]), hexrgb(st["ocean"])
        self.site = hexrgb(st["site"])
        self.alpha = float(st["fill-alpha"])
        # fills are stronger over the sea (style: fill-alpha-sea)
        self.alpha_sea = float(st.get("fill-alpha-sea", st["fill-alpha"]))

    def pixel(self, lat, lon):
        x, y = self.tr.transform(lon, lat)
        return (x - self.gt[0]) / self.gt[1], (y - self.gt[3]) / self.gt[5]

    def share(self, lat, lon, colours, tol=6, best=max):
        """Share of a 5x5 window round lat, lon within tol of one of colours:
        the best (or with best=min, the worst) of the window there and four
        windows 8 pixels away, so that a label over the point does not hide
        what is under it."""
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

    def tinted(self, colour):
        return [self.alpha * colour + (1 - self.alpha) * self.land,
                self.alpha_sea * colour + (1 - self.alpha_sea) * self.ocean]


def inside(lat, lon, sites, r_m):
    """In some site's disc, and the distance to the nearest boundary / R."""
    ds = [GEOD.inv(b, a, lon, lat)[2] for (a, b) in sites]
    return min(ds) <= r_m, min(abs(d - r_m) for d in ds) / r_m


def probe(pic, name, lat, lon, colour, sites, r_m, want_inside):
    """A probe whose truth, by pyproj's inverse, must be as expected (and at
    least 3% of the range from every ring's boundary)."""
    truth, margin = inside(lat, lon, sites, r_m)
    check(truth == want_inside and margin > 0.03, "%s: probe %.3f,%.3f is %s, %.0f%% of R from a boundary (pyproj inverse)"
          % (name, lat, lon, "inside" if truth else "outside", 100 * margin))
    if want_inside:
        s = pic.share(lat, lon, pic.tinted(colour))
        check(s >= 0.6, "%s: %.3f,%.3f drawn in the ring colour over land or sea (%.0f%% of a 5x5 window)"
              % (name, lat, lon, 100 * s))
    else:
        s = pic.share(lat, lon, [pic.land, pic.ocean])
        t = pic.share(lat, lon, pic.tinted(colour), best=max)
        check(s >= 0.6 and t == 0, "%s: %.3f,%.3f plain land or sea (%.0f%%), no ring colour (%.0f%%)"
              % (name, lat, lon, 100 * s, 100 * t))


def sites_drawn(pic, name, sites):
    for (lat, lon) in sites:
        c, r = pic.pixel(lat, lon)
        v = pic.px[int(r), int(c)]
        check(np.all(np.abs(v - pic.site) <= 12), "%s: site marker at %.3f,%.3f (pixel %.1f,%.1f is %s)"
              % (name, lat, lon, c, r, v.astype(int).tolist()))


def no_stroke_along(pic, name, what, pts, colour):
    """No pixel near these lon/lat points has the ring's outline colour."""
    stroke = colour * 0.85
    bad = 0
    n = 0
    for (lat, lon) in pts:
        c, r = pic.pixel(lat, lon)
        if not (1 <= c < pic.size[0] - 1 and 1 <= r < pic.size[1] - 1):
            continue
        n += 1
        win = pic.px[int(r) - 1:int(r) + 2, int(c) - 1:int(c) + 2].reshape(-1, 3)
        bad += int(np.any(np.all(np.abs(win - stroke) <= 40, axis=1)))
    check(n > 10 and bad == 0, "%s: no outline along %s (%d of %d points)" % (name, what, bad, n))


def png_case(d, name, args):
    out = os.path.join(d, name + ".png")
    info = run_map(out, *args)
    ok = check(info["rc"] == 0 and os.path.exists(out) and "proj" in info and "gt" in info,
               "%s: exits 0, writes %s, prints projection and transform%s"
               % (name, os.path.basename(out), "" if info["rc"] == 0 else " (%s)" % info["stderr"].strip()))
    if not ok:
        return None, info
    pic = Picture(out, info)
    check(pic.driver == "PNG" and pic.size == (W, H) and info["size"] == (W, H),
          "%s: a %dx%d PNG (%s %dx%d)" % (name, W, H, pic.driver, *pic.size))
    return pic, info


def main():
    sites_csv = os.path.join(DATA, "sites", "jan2024_launch_areas.csv")
    jan = [(50.5977, 36.5858), (51.7304, 36.1926), (51.6720, 39.1843), (45.7086, 34.3933)]
    with tempfile.TemporaryDirectory() as d:
        # 1. KN-23 over Ukraine: four overlapping 885 km rings, one colour
        pic, info = png_case(d, "kn23_ukraine", ["--sites", sites_csv, "--missile", "KN-23"])
        if pic:
            check(info["proj"].startswith("+proj=aeqd"), "kn23_ukraine: azimuthal equidistant (%s)" % info["proj"])
            col = info["colours"][0][0]
            sites_drawn(pic, "kn23_ukraine", jan)
            for lat, lon in [(43.2, 31.0), (47.0, 28.0), (48.3, 31.2), (51.5, 31.5)]:
                probe(pic, "kn23_ukraine", lat, lon, col, jan, 885000, True)
            for lat, lon in [(48.5, 19.5), (37.5, 29.0), (52.5, 21.5)]:
                probe(pic, "kn23_ukraine", lat, lon, col, jan, 885000, False)

        # 2. a ring holding the North Pole
        sv = [(78.2, 15.6)]
        pic, info = png_case(d, "north_pole", ["--site", "78.2,15.6", "--range", "1500km"])
        if pic:
            col = info["colours"][0][0]
            sites_drawn(pic, "north_pole", sv)
            probe(pic, "north_pole", 89.5, 135.0, col, sv, 1500000, True)
            probe(pic, "north_pole", 89.0, -164.4, col, sv, 1500000, True)
            probe(pic, "north_pole", 66.0, -12.0, col, sv, 1500000, False)
            probe(pic, "north_pole", 72.0, -62.0, col, sv, 1500000, False)
            # the cut line (lon 180) inside the ring: no outline
            pts = [(lat, lon) for lat in np.arange(88.0, 89.999, 0.02) for lon in (180.0, -179.99)
                   if GEOD.inv(15.6, 78.2, lon, lat)[2] < 0.97 * 1500000]
            no_stroke_along(pic, "north_pole", "lon 180 inside the ring", pts, col)

        # 3. a 13,000 km ring from Pyongyang: world map, the pole inside, the
        # antimeridian crossed
        py = [(39.0339, 125.7543)]
        pic, info = png_case(d, "icbm_13000km", ["--site", "39.0339,125.7543", "--range", "13000km"])
        if pic:
            check(info["proj"].startswith("+proj=robin"), "icbm_13000km: Robinson (%s)" % info["proj"])
            col = info["colours"][0][0]
            sites_drawn(pic, "icbm_13000km", py)
            for lat, lon in [(40.0, -100.0), (48.0, 2.0), (-25.0, 135.0), (85.0, -40.0), (0.0, -170.0)]:
                probe(pic, "icbm_13000km", lat, lon, col, py, 13000000, True)
            # round the antipode (-39.03, -54.25), which is on the map's edge
            for lat, lon in [(-20.0, -20.0), (-40.0, -35.0), (-10.0, -35.0)]:
                probe(pic, "icbm_13000km", lat, lon, col, py, 13000000, False)
            pts = [(lat, 180.0) for lat in np.arange(-40, 85, 1.0)]
            no_stroke_along(pic, "icbm_13000km", "the antimeridian", pts, col)
            pts = [(89.999, lon) for lon in np.arange(-179, 180, 3.0)]
            no_stroke_along(pic, "icbm_13000km", "the pole line", pts, col)

        # 4. a launch basket: Kyiv and Lviv both within 885 km, inside RU and BY
        tg = [(50.4547, 30.5238), (49.8383, 24.0232)]
        pic, info = png_case(d, "basket", ["--target", "Kyiv", "--target", "Lviv", "--range", "885km",
                                           "--within", "RU,BY"])
        if pic:
            col = info["colours"][0][0]

            def in_basket(lat, lon):
                return all(GEOD.inv(b, a, lon, lat)[2] <= 885000 for a, b in tg)
            check(in_basket(53.9, 27.57) and in_basket(52.23, 21.01),
                  "basket: Minsk and Warsaw within 885 km of both targets (pyproj)")
            s = pic.share(53.9, 27.57, pic.tinted(col))
            check(s >= 0.6, "basket: Minsk (Belarus) in the basket colour (%.0f%%)" % (100 * s))
            s = pic.share(52.23, 21.01, pic.tinted(col))
            check(s == 0, "basket: Warsaw (Poland, outside RU and BY) not in it (%.0f%%)" % (100 * s))
            s = pic.share(46.5, 30.7, pic.tinted(col))
            check(not in_basket(46.5, 30.7) or s == 0, "basket: Odesa (Ukraine) not in it (%.0f%%)" % (100 * s))

        # 5. union of the North Korean bases at 1000 km
        nk_csv = os.path.join(DATA, "sites", "north_korea_bases.csv")
        nk = []
        with open(nk_csv) as f:
            for row in csv.DictReader(f):
                nk.append((float(row["lat"]), float(row["lon"])))
        pic, info = png_case(d, "union_nk", ["--sites", nk_csv, "--range", "1000km", "--union",
                                             "--no-countries"])
        if pic:
            col = info["colours"][0][0]
            sites_drawn(pic, "union_nk", nk[:1])
            for lat, lon in [(37.0, 131.0), (35.0, 126.0), (44.0, 121.0)]:
                probe(pic, "union_nk", lat, lon, col, nk, 1000000, True)
            for lat, lon in [(35.68, 139.69), (31.0, 113.0)]:
                probe(pic, "union_nk", lat, lon, col, nk, 1000000, False)

        # SVG and PDF of the asked size
        svg = os.path.join(d, "m.svg")
        info = run_map(svg, "--site", "50.6,36.6", "--range", "885km", "--projection", "globe", "--no-countries")
        ok = info["rc"] == 0 and os.path.exists(svg)
        if ok:
            root = ET.parse(svg).getroot()
            ok = root.tag.endswith("svg") and root.get("width") in ("%dpt" % W, str(W)) and \
                root.get("height") in ("%dpt" % H, str(H))
        check(ok, "svg: a %dx%d SVG document (globe)" % (W, H))
        pdf = os.path.join(d, "m.pdf")
        info = run_map(pdf, "--site", "50.6,36.6", "--range", "885km", "--projection",
                       "+proj=laea +lat_0=50 +lon_0=30", "--no-countries")
        data = open(pdf, "rb").read() if os.path.exists(pdf) else b""
        check(info["rc"] == 0 and data.startswith(b"%PDF-") and
              re.search(rb"/MediaBox \[ *0 0 %d %d *\]" % (W, H), data) is not None,
              "pdf: a %dx%d PDF (PROJ string projection)" % (W, H))

        # bad input: exit code, one message, nothing left behind
        def bad(name, want, args, needle):
            before = set(os.listdir(d))
            p = subprocess.run([BIN, "map", "--site", "50.6,36.6", "--range", "885km", *args],
                               capture_output=True, text=True)
            lines = p.stderr.strip().splitlines()
            left = set(os.listdir(d)) - before
            check(p.returncode == want and len(lines) == 1 and needle in p.stderr and not left,
                  "bad input %s: exit %d (got %d), one line naming '%s' (%s), nothing left %s"
                  % (name, want, p.returncode, needle, p.stderr.strip(), sorted(left)))
        bad("unknown extension", 2, ["-o", os.path.join(d, "x.tif")], "x.tif")
        bad("no such folder", 1, ["-o", os.path.join(d, "nope", "x.png")], "nope")
        bad("existing file", 1, ["-o", os.path.join(d, "kn23_ukraine.png")], "--overwrite")
        os.mkdir(os.path.join(d, "dir.png"))
        bad("folder as output", 1, ["-o", os.path.join(d, "dir.png")], "folder")
        bad("width", 2, ["--width", "50", "-o", os.path.join(d, "w.png")], "--width")
        bad("projection", 2, ["--projection", "+proj=nonsense", "-o", os.path.join(d, "p.png")], "--projection")
        bad("cities", 2, ["--cities", "-3", "-o", os.path.join(d, "c.png")], "--cities")
        bad("dpi", 2, ["--dpi", "0", "-o", os.path.join(d, "t.png")], "--dpi")
        bad("stdout", 2, ["-o", "-"], "standard output")

        # a full disk (a 64 KiB tmpfs): exit 1, "No space", nothing left
        tiny = os.path.join(d, "tiny")
        os.mkdir(tiny)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", tiny],
                          capture_output=True).returncode == 0:
            try:
                # 48 KiB taken: what is left holds none of the pictures
                filler = os.path.join(tiny, "filler")
                with open(filler, "wb") as f:
                    f.write(b"\0" * 48 * 1024)
                for ext in ("png", "svg", "pdf"):
                    p = subprocess.run([BIN, "map", "--site", "50.6,36.6", "--range", "885km", "--no-countries",
                                        "-o", os.path.join(tiny, "m." + ext)], capture_output=True, text=True)
                    left = [f for f in os.listdir(tiny) if f != "filler"]
                    check(p.returncode == 1 and "No space" in p.stderr and left == [],
                          "full disk, %s: exit 1 (got %d), says so (%s), nothing left %s"
                          % (ext, p.returncode, p.stderr.strip(), left))
            finally:
                subprocess.run(["umount", tiny])
        else:
            print("note: cannot mount a tmpfs here (not root?): the full-disk cases were not run")
    done()


main()
