#!/usr/bin/python3
"""georeach map for a graphics desk, read back from outside (issue #17):
  - targets (--target with sites) are diamonds at the pixel pyproj projects
    them to, in the in-reach colour exactly when pyproj's geodesic inverse
    puts them within the range of some site, else in the out-of-reach colour;
  - the N most populous places in reach are named (--cities): the most
    populous place in reach by pyproj is among them and its dot is where
    pyproj projects it; no two placed texts (labels, legend, credit, scale
    bar, title) overlap, by the boxes the layout reports (-v);
  - text goes through Pango: names in Korean, Arabic, Cyrillic, Chinese,
    Hebrew, Greek, Devanagari and Thai are drawn with 0 unknown glyphs (the
    tool's count, and Python's own Pango, via GObject introspection, on the
    same font), their ink differs from the boxes drawn for characters no font
    has, and a name of unassigned code points is reported as unknown (so the
    count can fail); every name and alternate name of data/cities.csv has 0
    unknown glyphs in Python's Pango with the fonts scripts/setup installs;
    Arabic is shaped (the joined word is narrower than its letters laid out
    one by one, in Python's Pango, and the tool's box has the joined width);
  - a blue fill over the sea differs from the plain ocean by a visible
    margin (>= 50 of 255 in some channel; 39 with the old single alpha);
  - the credit carries the catalogue's source of the range and --credit;
    --label-max shortens names; --dpi writes a pHYs chunk (checked with its
    CRC, and read back by Pillow when there); --transparent leaves the margins transparent and the map opaque.
usage: test_map_text.py GEOREACH"""

import csv
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np
from osgeo import gdal
from pyproj import Geod, Transformer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, DATA, check, done  # noqa: E402

gdal.UseExceptions()
GEOD = Geod(ellps="WGS84")
W, H = 1200, 900
TEXT_KINDS = ("title", "point", "region", "city", "country", "legend", "credit", "scale")


def hexrgb(h):
    return np.array([int(h[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def run_map(out, *args, size=(W, H)):
    p = subprocess.run([BIN, "map", *args, "-o", out, "--width", str(size[0]), "--height",
                        str(size[1]), "-v", "--overwrite"], capture_output=True, text=True)
    info = {"rc": p.returncode, "stderr": p.stderr, "labels": [], "targets": []}
    for line in p.stderr.splitlines():
        m = re.match(r"georeach: (projection|geotransform|style|label|target) (.*)", line)
        if not m:
            continue
        key, val = m.groups()
        if key == "projection":
            info["proj"] = val
        elif key == "geotransform":
            info["gt"] = [float(v) for v in val.split(",")]
        elif key == "style":
            kv = val.split()
            info["style"] = dict(zip(kv[0::2], kv[1::2]))
        elif key == "label":
            kind, box, _, unknown, text = (val.split(" ", 4) + [""])[:5]
            info["labels"].append({"kind": kind, "box": [float(v) for v in box.split(",")],
                                   "unknown": int(unknown), "text": text})
        else:
            verdict, ll, name = val.split(" ", 2)
            lat, lon = (float(v) for v in ll.split(","))
            info["targets"].append((verdict, lat, lon, name))
    return info


def read_png(path):
    ds = gdal.Open(path)
    return np.dstack([ds.GetRasterBand(i + 1).ReadAsArray()
                      for i in range(ds.RasterCount)]).astype(float)


def pixel_of(info, lat, lon):
    tr = Transformer.from_crs("EPSG:4326", info["proj"], always_xy=True)
    x, y = tr.transform(lon, lat)
    gt = info["gt"]
    return (x - gt[0]) / gt[1], (y - gt[3]) / gt[5]


def near(v, colour, tol=10):
    return bool(np.all(np.abs(v[:3] - colour) <= tol))


def overlapping(labels):
    bad = []
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            a, b = labels[i]["box"], labels[j]["box"]
            if a[0] < b[2] - 0.01 and b[0] < a[2] - 0.01 and a[1] < b[3] - 0.01 and b[1] < a[3] - 0.01:
                bad.append((labels[i]["kind"], labels[i]["text"][:20], labels[j]["kind"], labels[j]["text"][:20]))
    return bad


def pango_layout(size_px=14):
    """Python's own Pango (GObject introspection), on the font the tool asks
    for: an independent count of unknown glyphs."""
    import gi
    gi.require_version("Pango", "1.0")
    gi.require_version("PangoCairo", "1.0")
    from gi.repository import Pango, PangoCairo
    ctx = PangoCairo.FontMap.get_default().create_context()
    lay = Pango.Layout.new(ctx)
    fd = Pango.FontDescription.from_string("DejaVu Sans")
    fd.set_absolute_size(size_px * Pango.SCALE)
    lay.set_font_description(fd)
    return lay, Pango


SAMPLE = [  # name, lat, lon: places in the scripts of the news
    ("서울", 37.566, 126.978), ("평양", 39.034, 125.754), ("بغداد", 33.315, 44.366),
    ("Київ", 50.450, 30.524), ("北京", 39.904, 116.407), ("ירושלים", 31.769, 35.216),
    ("Αθήνα", 37.984, 23.728), ("दिल्ली", 28.614, 77.209), ("กรุงเทพ", 13.756, 100.502),
    ("Харків", 49.981, 36.253), ("طهران", 35.689, 51.389), ("東京", 35.690, 139.692),
]
TOFU = "\U0010FFFD\U000FFFFD\U0010FFFD"  # private use planes: no font has them


def main():
    sites_csv = os.path.join(DATA, "sites", "jan2024_launch_areas.csv")
    jan = []
    with open(sites_csv) as f:
        for row in csv.DictReader(f):
            jan.append((float(row["lat"]), float(row["lon"])))
    R = 885000

    def reach_dist(lat, lon):
        return min(GEOD.inv(b, a, lon, lat)[2] for a, b in jan)

    with tempfile.TemporaryDirectory() as d:
        # 1. the January 2024 case: KN-23, the five cities and two out of reach
        out = os.path.join(d, "jan.png")
        targets = ["Kyiv", "Kharkiv", "Zaporizhzhia", "Odesa", "Lviv", "Berlin", "Warsaw"]
        args = ["--sites", sites_csv, "--missile", "KN-23", "--cities", "12",
                "--credit", "Graphics: the desk"]
        for t in targets:
            args += ["--target", t]
        info = run_map(out, *args)
        ok = check(info["rc"] == 0 and os.path.exists(out) and "gt" in info,
                   "jan2024: exits 0 and prints projection, transform, labels (%s)"
                   % info["stderr"].strip().splitlines()[-1:])
        if ok:
            px = read_png(out)
            st = info["style"]
            c_in, c_out, c_city = hexrgb(st["target-in"]), hexrgb(st["target-out"]), hexrgb(st["city"])
            check(len(info["targets"]) == len(targets), "jan2024: a verdict for each of %d targets (%d)"
                  % (len(targets), len(info["targets"])))
            n_in = n_out = 0
            for verdict, lat, lon, name in info["targets"]:
                dist = reach_dist(lat, lon)
                truth = dist <= R
                n_in += truth
                n_out += not truth
                # the rings are traced to 10 m: 100 m from the boundary is clear
                check(abs(dist - R) > 100 and verdict == ("in-reach" if truth else "out-of-reach"),
                      "jan2024: %s at %.0f km from the nearest site (pyproj): %s, the tool says %s"
                      % (name, dist / 1000, "in reach" if truth else "out of reach", verdict))
                c, r = pixel_of(info, lat, lon)
                v = px[int(r), int(c)]
                want = c_in if truth else c_out
                check(near(v, want), "jan2024: %s marker at pixel %.1f,%.1f is %s (%s, the %s colour)"
                      % (name, c, r, v[:3].astype(int).tolist(), want.astype(int).tolist(),
                         "in-reach" if truth else "out-of-reach"))
            check(n_in >= 5 and n_out >= 1, "jan2024: targets both in (%d) and out of reach (%d)" % (n_in, n_out))
            labels = info["labels"]
            names = {l["text"] for l in labels if l["kind"] == "point"}
            for t in ("Kyiv", "Kharkiv", "Lviv"):
                check(t in names, "jan2024: target %s is labelled" % t)
            bad = overlapping(labels)
            check(len(labels) > 20 and not bad, "jan2024: no two of %d placed texts overlap %s"
                  % (len(labels), bad[:3]))
            check(all(l["kind"] in TEXT_KINDS for l in labels), "jan2024: known label kinds")
            check(all(0 <= l["box"][0] and l["box"][2] <= W and 0 <= l["box"][1] and l["box"][3] <= H
                      for l in labels), "jan2024: every text inside the picture")
            # the cities: the most populous place in reach, away from the
            # points, is named and dotted where pyproj projects it
            cities = [l["text"] for l in labels if l["kind"] == "city"]
            check(0 < len(cities) <= 12, "jan2024: %d cities named (at most 12): %s" % (len(cities), cities))
            places = []
            with open(os.path.join(DATA, "cities.csv")) as f:
                for row in csv.DictReader(f):
                    places.append((int(row["population"]), row["name"], float(row["lat"]), float(row["lon"])))
            places.sort(reverse=True)
            marked = [(lat, lon) for _, lat, lon, _ in info["targets"]] + jan
            top = None
            for pop, name, lat, lon in places:
                if reach_dist(lat, lon) < 0.98 * R and all(GEOD.inv(lon, lat, b, a)[2] > 150000 for a, b in marked):
                    top = (pop, name, lat, lon)
                    break
            check(top is not None and top[1] in cities,
                  "jan2024: the most populous place in reach by pyproj (%s, %s people) is named"
                  % (top[1] if top else None, top[0] if top else None))
            for pop, name, lat, lon in places:
                if name in cities[:4] and reach_dist(lat, lon) <= R:
                    c, r = pixel_of(info, lat, lon)
                    v = px[int(round(r - 0.5)), int(round(c - 0.5))]
                    check(near(v, c_city, 30), "jan2024: city %s dot at pixel %.1f,%.1f (%s)"
                          % (name, c, r, v[:3].astype(int).tolist()))
            for pop, name, lat, lon in places:
                if name in cities:
                    check(reach_dist(lat, lon) <= R * 1.001 or
                          any(p[1] == name and reach_dist(p[2], p[3]) <= R for p in places),
                          "jan2024: named city %s is in reach (pyproj)" % name)
                    cities.remove(name)
            credit = [l["text"] for l in labels if l["kind"] == "credit"]
            check(credit and "US NSC" in credit[0] and "KN-23 885 km" in credit[0] and
                  "Graphics: the desk" in credit[0],
                  "jan2024: the credit names the catalogue's source and --credit (%s)" % credit[:1])

        # 2. names in the scripts of the news: glyphs, not boxes
        lay, Pango = pango_layout()
        for name, _, _ in SAMPLE + [(TOFU, 0, 0)]:
            lay.set_text(name, -1)
            u = lay.get_unknown_glyphs_count()
            want = 0 if name != TOFU else 3
            check(u == want, "python Pango: %s has %d unknown glyphs (want %d)" % (ascii(name), u, want))
        # Arabic shaped: joined narrower than its letters one by one
        word = "بغداد"
        lay.set_text(word, -1)
        joined = lay.get_pixel_extents()[1].width
        apart = 0
        for ch in word:
            lay.set_text(ch, -1)
            apart += lay.get_pixel_extents()[1].width
        check(joined < apart - 2, "python Pango: Arabic is shaped (joined %d px < letters apart %d px)"
              % (joined, apart))

        tcsv = os.path.join(d, "targets.csv")
        with open(tcsv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["name", "lat", "lon"])
            for name, lat, lon in SAMPLE:
                w.writerow([name, lat, lon])
        out = os.path.join(d, "scripts.png")
        info = run_map(out, "--site", "39.0,125.7", "--range", "13000km", "--targets", tcsv,
                       "--no-countries", size=(1600, 1000))
        if check(info["rc"] == 0, "scripts: a world map with %d targets named in 9 scripts" % len(SAMPLE)):
            pts = {l["text"]: l for l in info["labels"] if l["kind"] == "point"}
            placed = [n for n, _, _ in SAMPLE if n in pts]
            check(len(placed) >= 8 and all(n in placed for n in ("서울", "بغداد", "Київ")),
                  "scripts: %d of %d names placed, Korean, Arabic and Cyrillic among them" % (len(placed), len(SAMPLE)))
            for n in placed:
                check(pts[n]["unknown"] == 0, "scripts: %s drawn with 0 unknown glyphs (tool: %d)"
                      % (ascii(n), pts[n]["unknown"]))
            # the tool's box of the Arabic name has the joined width
            if "بغداد" in pts:
                b = pts["بغداد"]["box"]
                check(b[2] - b[0] < apart * 13 / 14 - 1,
                      "scripts: the Arabic label is as wide as the joined word (%.1f px; letters apart %.1f)"
                      % (b[2] - b[0], apart * 13 / 14))
            # ink: the same places named with code points no font has
            with open(tcsv, "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["name", "lat", "lon"])
                for name, lat, lon in SAMPLE:
                    w.writerow([TOFU[:2] if len(name) <= 2 else TOFU, lat, lon])
            out2 = os.path.join(d, "tofu.png")
            info2 = run_map(out2, "--site", "39.0,125.7", "--range", "13000km", "--targets", tcsv,
                            "--no-countries", size=(1600, 1000))
            tofu = [l for l in info2["labels"] if l["kind"] == "point"]
            check(info2["rc"] == 0 and tofu and all(l["unknown"] >= 2 for l in tofu),
                  "tofu: names of unassigned code points are counted as unknown (%s)"
                  % [l["unknown"] for l in tofu])
            a, b = read_png(out), read_png(out2)
            for n in ("서울", "بغداد", "Київ"):
                if n not in pts:
                    continue
                x0, y0, x1, y1 = (int(round(v)) for v in pts[n]["box"])
                ca, cb = a[y0:y1, x0:x1, :3], b[y0:y1, x0:x1, :3]
                ink = int((ca.sum(axis=2) < 300).sum())
                diff = float(np.abs(ca - cb).mean()) if cb.shape == ca.shape else 999
                check(ink > 20 and diff > 3,
                      "ink: %s has %d dark pixels and differs from the missing-glyph boxes there (mean |diff| %.1f)"
                      % (ascii(n), ink, diff))

        # 3. the bundled gazetteer: every name has glyphs
        lay, _ = pango_layout()
        n = bad = 0
        first = None
        with open(os.path.join(DATA, "cities.csv")) as f:
            for row in csv.DictReader(f):
                for name in [row["name"]] + [a for a in row["alternatenames"].split("|") if a]:
                    lay.set_text(name, -1)
                    n += 1
                    if lay.get_unknown_glyphs_count():
                        bad += 1
                        first = first or name
        check(n > 20000 and bad == 0, "gazetteer: %d names and alternate names, %d with unknown glyphs %s"
              % (n, bad, ascii(first) if first else ""))

        # 4. a blue ring over the sea keeps its colour
        out = os.path.join(d, "sea.png")
        info = run_map(out, "--site", "43.2,34.0", "--rings", "150,450", size=(800, 600))
        if check(info["rc"] == 0, "sea: rings of 150 and 450 km from the middle of the Black Sea"):
            px = read_png(out)
            st = info["style"]
            ocean = hexrgb(st["ocean"])
            blue = np.array([0x1f, 0x77, 0xb4], dtype=float)
            a_sea = float(st.get("fill-alpha-sea", st["fill-alpha"]))
            plon, plat, _ = GEOD.fwd(34.0, 43.2, 270, 300000)
            c, r = pixel_of(info, plat, plon)
            want = a_sea * blue + (1 - a_sea) * ocean
            win = px[int(r) - 2:int(r) + 3, int(c) - 2:int(c) + 3, :3].reshape(-1, 3)
            share = float(np.mean([near(v, want, 6) for v in win]))
            v = np.median(win, axis=0)
            margin = float(np.max(np.abs(v - ocean)))
            check(share >= 0.6 and margin >= 50,
                  "sea: 300 km west, in the blue ring only, %.0f%% of a 5x5 window is the blue tint %s over "
                  "the sea; its median %s is %d/255 from the ocean %s"
                  % (100 * share, want.astype(int).tolist(), v.astype(int).tolist(), margin,
                     ocean.astype(int).tolist()))

        # 5. --label-max, --dpi, --transparent
        out = os.path.join(d, "short.png")
        info = run_map(out, "--site", "Belgorod", "--range", "885km", "--target", "Zaporizhzhia",
                       "--label-max", "6", "--dpi", "300", "--transparent", size=(800, 600))
        if check(info["rc"] == 0, "options: --label-max 6 --dpi 300 --transparent"):
            pts = [l["text"] for l in info["labels"] if l["kind"] == "point"]
            check("Zapor\u2026" in pts, "label-max: Zaporizhia drawn as 'Zapor\u2026' (%s)" % pts)
            data = open(out, "rb").read()
            chunks, pos = {}, 8
            crc_ok = True
            while pos + 8 <= len(data):
                ln, typ = struct.unpack(">I4s", data[pos:pos + 8])
                body = data[pos + 8:pos + 8 + ln]
                crc = struct.unpack(">I", data[pos + 8 + ln:pos + 12 + ln])[0]
                crc_ok &= zlib.crc32(typ + body) == crc
                chunks.setdefault(typ, body)
                pos += 12 + ln
            ppm = struct.unpack(">IIB", chunks[b"pHYs"]) if b"pHYs" in chunks else None
            check(crc_ok and ppm == (11811, 11811, 1),
                  "dpi: pHYs says %s pixels per metre (300 dpi = 11811), every chunk's CRC right: %s" % (ppm, crc_ok))
            ds = gdal.Open(out)
            px = read_png(out)
            check(ds.RasterCount == 4 and px[2, 2, 3] == 0 and px[300, 400, 3] == 255,
                  "transparent: RGBA, a margin pixel alpha %d, the map's middle alpha %d"
                  % (px[2, 2, 3] if px.shape[2] > 3 else -1, px[300, 400, 3] if px.shape[2] > 3 else -1))
            try:
                from PIL import Image
                dpi = Image.open(out).info.get("dpi")
                check(dpi is not None and all(abs(v - 300) < 0.01 for v in dpi),
                      "dpi: Pillow reads %s dpi" % (dpi,))
            except ImportError:
                print("note: no Pillow here: the pHYs chunk was checked by hand only")
        # SVG and PDF with the new layers
        for ext in ("svg", "pdf"):
            out = os.path.join(d, "m." + ext)
            info = run_map(out, "--sites", sites_csv, "--missile", "KN-23", "--target", "Kyiv",
                           "--cities", "5", "--transparent", size=(800, 600))
            check(info["rc"] == 0 and os.path.getsize(out) > 1000, "%s: written with targets and cities" % ext)
    done()


main()
