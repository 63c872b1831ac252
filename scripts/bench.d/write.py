"""The writers' cost, without any ring tracing (issue #14).

    scripts/bench write [--build DIR] [--reps N] [--quick] [--options]

Compiles bench.d/write_cost.c against DIR/libgeoreach.a (default: build/ in
the repository) and times reach_writer_open/add/commit for GeoPackage and
GeoJSON: 2,000 features x 500 vertices (1 M vertices: the per-vertex cost)
and 100,000 features x 20 vertices (the per-feature cost: attributes, the
"sites" layer, the R-trees).  Best of N runs; prints s per million vertices
and s per 1,000 features, with the load average before and after (the
machine is shared: compare only runs made under a similar load).

--options also times GDAL's own GeoJSON writer (Python bindings, the same
geometry 1,000 times) under the layer options that set the number format:
COORDINATE_PRECISION 6..9, SIGNIFICANT_FIGURES, none.
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.environ.get("BENCH_ROOT", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))


def load():
    return "%.2f %.2f %.2f" % os.getloadavg()


def build(builddir, tmp):
    lib = os.path.join(builddir, "libgeoreach.a")
    if not os.path.exists(lib):
        sys.exit("bench write: %s not found (build first, or --build DIR)" % lib)
    libs = subprocess.run(["pkg-config", "--libs", "gdal", "geos", "proj", "cairo", "fontconfig"],
                          capture_output=True, text=True, check=True).stdout.split()
    exe = os.path.join(tmp, "write_cost")
    subprocess.run(["cc", "-O2", "-I", os.path.join(ROOT, "include"), os.path.join(HERE, "write_cost.c"),
                    lib] + libs + ["-lpthread", "-lm", "-o", exe], check=True)
    return exe


def once(exe, out, n, v):
    r = subprocess.run([exe, out, str(n), str(v)], capture_output=True, text=True)
    if r.returncode:
        sys.exit("bench write: %s" % r.stderr.strip())
    vals = dict(line.split() for line in r.stdout.splitlines())
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(out + suffix):
            os.unlink(out + suffix)
    return {k: float(x) for k, x in vals.items()}


def gdal_options(tmp):
    from osgeo import ogr, osr
    ogr.UseExceptions()
    v = 500
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for k in range(v + 1):
        a = 2 * math.pi * (k % v) / v
        ring.AddPoint_2D(36.6 + 6 * math.sin(a), 50.6 - 4 * math.cos(a))
    poly = ogr.Geometry(ogr.wkbPolygon)
    poly.AddGeometry(ring)
    mp = ogr.Geometry(ogr.wkbMultiPolygon)
    mp.AddGeometry(poly)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    n = 1000
    print("\nGDAL's GeoJSON writer, %d features x %d vertices, by number format (load %s):" % (n, v, load()))
    for opts in (["RFC7946=YES", "COORDINATE_PRECISION=9"], ["RFC7946=YES", "COORDINATE_PRECISION=8"],
                 ["RFC7946=YES", "COORDINATE_PRECISION=7"], ["RFC7946=YES", "COORDINATE_PRECISION=6"],
                 ["RFC7946=YES", "SIGNIFICANT_FIGURES=10"], ["RFC7946=YES"], []):
        path = os.path.join(tmp, "o.geojson")
        t = time.time()
        ds = ogr.GetDriverByName("GeoJSON").CreateDataSource(path)
        lyr = ds.CreateLayer("rings", srs, ogr.wkbMultiPolygon, opts)
        for _ in range(n):
            f = ogr.Feature(lyr.GetLayerDefn())
            f.SetGeometry(mp)
            lyr.CreateFeature(f)
        ds = None
        dt = time.time() - t
        print("  %-45s %6.2f s/Mvert  %9d bytes" % (",".join(opts) or "(none)", dt / (n * v / 1e6),
                                                    os.path.getsize(path)))
        os.unlink(path)


def main():
    ap = argparse.ArgumentParser(description="writer cost (GeoPackage, GeoJSON)")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="a tenth of the features")
    ap.add_argument("--options", action="store_true", help="also GDAL's GeoJSON number-format options")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="georeach-bench-write-")
    try:
        exe = build(a.build, tmp)
        div = 10 if a.quick else 1
        print("bench write: %s (load before: %s)" % (exe, load()))
        print("%-8s %9s %6s %10s %12s %9s %9s %9s" % ("format", "features", "verts", "s total",
                                                       "s/Mvert", "s/1000f", "add_s", "commit_s"))
        for ext in ("gpkg", "geojson"):
            for n, v in ((2000 // div, 500), (100000 // div, 20)):
                best = None
                for _ in range(a.reps):
                    r = once(exe, os.path.join(tmp, "w." + ext), n, v)
                    if best is None or r["seconds"] < best["seconds"]:
                        best = r
                print("%-8s %9d %6d %10.3f %12.3f %9.3f %9.3f %9.3f" % (
                    ext, n, v, best["seconds"], best["seconds"] / (n * v / 1e6),
                    best["seconds"] / (n / 1000), best["add_s"], best["commit_s"]))
                sys.stdout.flush()
        print("load after: %s" % load())
        if a.options:
            gdal_options(tmp)
    finally:
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        os.rmdir(tmp)


if __name__ == "__main__":
    main()
