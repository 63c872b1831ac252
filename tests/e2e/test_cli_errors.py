#!/usr/bin/python3
"""End-to-end: the georeach command line, bad inputs first.

usage: /usr/bin/python3 tests/e2e/test_cli_errors.py PATH/TO/georeach

Table-driven.  Every bad input runs in a fresh directory holding only its
input files, with TMPDIR pointing at an empty private directory, and must:
  * exit 2 when the command line is wrong, 1 when data or a file is wrong;
  * print exactly one non-empty line on stderr that names the culprit (one of
    the listed keywords, case-insensitive) and nothing on stdout;
  * leave no file behind: not the output, not a temporary (in the working
    directory, next to the output, or in TMPDIR).
Then an interrupted run (SIGINT, SIGTERM once its first progress mark is
out): non-zero exit, nothing left.  Then the accepted forms: --help / rings --help / --version, coordinate
formats (decimal, hemisphere letters, DMS, labels), distance units, the
--opt=value and --opt value spellings, several --site options; checked on
the GeoJSON that `-o -` prints.
"""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import harness as C  # noqa: E402

OK_SITE = "--site=50.6,36.6"
OK_RANGE = "--range=885km"
OUT = "{d}/out.geojson"

SITES_NO_COORDS = "name,foo,bar\nA,1,2\n"
SITES_BAD_LAT = "name,lat,lon\nA,50,36\nB,91,10\n"
SITES_NOT_NUMBER = "name,lat,lon\nA,50,36\nB,abc,10\n"
BINARY = bytes(range(256)) * 16

# name, argv after the binary ({d}: the case's directory), expected exit code,
# keywords (any one, case-insensitive) the stderr line must contain,
# input files {name: bytes or str}
BAD = [
    # ---- command line: exit 2
    ("latitude_91", ["rings", "--site=91,36.6", OK_RANGE, "-o", OUT], 2, ["91"], {}),
    ("latitude_minus_90_5", ["rings", "--site=-90.5,10", OK_RANGE, "-o", OUT], 2, ["90.5"], {}),
    ("two_latitudes_hemispheres", ["rings", "--site=50.6N,36.6N", OK_RANGE, "-o", OUT], 2,
     ["50.6n", "36.6n", "latitudes"], {}),
    ("nan_latitude", ["rings", "--site=nan,36.6", OK_RANGE, "-o", OUT], 2, ["nan"], {}),
    ("inf_longitude", ["rings", "--site=50.6,inf", OK_RANGE, "-o", OUT], 2, ["inf"], {}),
    ("empty_site", ["rings", "--site=", OK_RANGE, "-o", OUT], 2, ["site"], {}),
    ("garbage_site", ["rings", "--site=hello", OK_RANGE, "-o", OUT], 2, ["hello"], {}),
    ("one_number_site", ["rings", "--site=50.6", OK_RANGE, "-o", OUT], 2, ["50.6", "site"], {}),
    ("site_trailing_junk", ["rings", "--site=50.6,36.6x", OK_RANGE, "-o", OUT], 2, ["36.6x", "site"], {}),
    ("negative_range", ["rings", OK_SITE, "--range=-5km", "-o", OUT], 2, ["-5km", "range"], {}),
    ("zero_range", ["rings", OK_SITE, "--range=0", "-o", OUT], 2, ["range"], {}),
    ("garbage_range", ["rings", OK_SITE, "--range=abc", "-o", OUT], 2, ["abc", "range"], {}),
    ("unknown_unit", ["rings", OK_SITE, "--range=885parsecs", "-o", OUT], 2, ["parsecs"], {}),
    ("tolerance_zero", ["rings", OK_SITE, OK_RANGE, "--tolerance=0", "-o", OUT], 2, ["tolerance"], {}),
    ("tolerance_negative", ["rings", OK_SITE, OK_RANGE, "--tolerance=-1", "-o", OUT], 2, ["tolerance"], {}),
    ("tolerance_absurd_1e9m", ["rings", OK_SITE, OK_RANGE, "--tolerance=1e9m", "-o", OUT], 2, ["tolerance"], {}),
    ("min_range_equals_range", ["rings", OK_SITE, "--range=500km", "--min-range=500km", "-o", OUT], 2,
     ["min"], {}),
    ("min_range_above_range", ["rings", OK_SITE, "--range=500km", "--min-range=600km", "-o", OUT], 2,
     ["min"], {}),
    ("min_range_negative", ["rings", OK_SITE, OK_RANGE, "--min-range=-1km", "-o", OUT], 2, ["min"], {}),
    ("azimuth_garbage", ["rings", OK_SITE, OK_RANGE, "--azimuth=abc", "-o", OUT], 2, ["azimuth", "abc"], {}),
    ("azimuth_missing_end", ["rings", OK_SITE, OK_RANGE, "--azimuth=10:", "-o", OUT], 2, ["azimuth", "10:"], {}),
    ("rings_list_garbage", ["rings", OK_SITE, "--rings=300km,abc", "-o", OUT], 2, ["abc", "rings"], {}),
    ("threads_garbage", ["rings", OK_SITE, OK_RANGE, "--threads=abc", "-o", OUT], 2, ["threads", "abc"], {}),
    ("missing_output", ["rings", OK_SITE, OK_RANGE], 2, ["-o", "output"], {}),
    ("missing_range", ["rings", OK_SITE, "-o", OUT], 2, ["range"], {}),
    ("missing_site", ["rings", OK_RANGE, "-o", OUT], 2, ["site"], {}),
    ("option_without_value", ["rings", OK_SITE, "-o", OUT, "--range"], 2, ["range"], {}),
    ("unknown_option", ["rings", OK_SITE, OK_RANGE, "--frobnicate", "-o", OUT], 2, ["frobnicate"], {}),
    ("unknown_command", ["frobnicate", OK_SITE, OK_RANGE, "-o", OUT], 2, ["frobnicate"], {}),
    ("unknown_extension", ["rings", OK_SITE, OK_RANGE, "-o", "{d}/out.xyz"], 2, ["xyz", "format", "extension"], {}),
    ("unknown_format_driver", ["rings", OK_SITE, OK_RANGE, "--format=NoSuchDriver", "-o", OUT], 2,
     ["nosuchdriver"], {}),
    # ---- data or file: exit 1
    ("sites_csv_without_coordinate_columns", ["rings", "--sites={d}/nocoords.csv", OK_RANGE, "-o", OUT], 1,
     ["nocoords.csv", "column"], {"nocoords.csv": SITES_NO_COORDS}),
    ("sites_empty_file", ["rings", "--sites={d}/empty.csv", OK_RANGE, "-o", OUT], 1, ["empty.csv"],
     {"empty.csv": b""}),
    ("sites_binary_file", ["rings", "--sites={d}/binary.bin", OK_RANGE, "-o", OUT], 1, ["binary.bin"],
     {"binary.bin": BINARY}),
    ("sites_missing_file", ["rings", "--sites={d}/nope.csv", OK_RANGE, "-o", OUT], 1, ["nope.csv"], {}),
    ("sites_latitude_91_in_file", ["rings", "--sites={d}/badlat.csv", OK_RANGE, "-o", OUT], 1, ["91"],
     {"badlat.csv": SITES_BAD_LAT}),
    ("sites_non_numeric_latitude", ["rings", "--sites={d}/nan.csv", OK_RANGE, "-o", OUT], 1, ["abc", "line 3"],
     {"nan.csv": SITES_NOT_NUMBER}),
    ("sites_bad_row_with_stdout_output", ["rings", "--sites={d}/badlat.csv", OK_RANGE, "-o", "-"], 1, ["91"],
     {"badlat.csv": SITES_BAD_LAT}),
    ("output_directory_missing", ["rings", OK_SITE, OK_RANGE, "-o", "{d}/nodir/out.geojson"], 1, ["nodir"], {}),
    ("output_unwritable_proc", ["rings", OK_SITE, OK_RANGE, "-o", "/proc/x.geojson"], 1, ["/proc"], {}),
    ("output_is_a_directory", ["rings", OK_SITE, OK_RANGE, "-o", "{d}/adir.geojson"], 1, ["adir"],
     {"adir.geojson/": None}),
    ("overwrite_does_not_replace_a_directory", ["rings", OK_SITE, OK_RANGE, "--overwrite", "-o", "{d}/adir.geojson"],
     1, ["adir"], {"adir.geojson/": None, "adir.geojson/keep.txt": "keep me\n"}),
]

MI, NMI, FT = 1.609344, 1.852, 0.0003048
# name, argv after "rings" (then "-o -"), expected {field: value} on every
# feature, expected feature count
GOOD = [
    ("decimal_equals", ["--site=50.6,36.6", "--range=885km"], {"site_lat": 50.6, "site_lon": 36.6, "range_km": 885.0}, 1),
    ("separate_values", ["--site", "50.6,36.6", "--range", "885km"], {"site_lat": 50.6, "range_km": 885.0}, 1),
    ("hemisphere_letters", ["--site=50.6N,36.6E", "--range=885km"], {"site_lat": 50.6, "site_lon": 36.6}, 1),
    ("hemisphere_south_west", ["--site=17.7S,178.0W", "--range=885km"], {"site_lat": -17.7, "site_lon": -178.0}, 1),
    ("dms", ["--site=50d36'N,36d36'E", "--range=885km"], {"site_lat": 50.6, "site_lon": 36.6}, 1),
    ("labelled_site", ["--site=Belgorod=50.6,36.6", "--range=885km"], {"site": "Belgorod", "site_lat": 50.6}, 1),
    ("two_sites", ["--site=A=50.6,36.6", "--site=B=45,34", "--range=885km"], {"range_km": 885.0}, 2),
    ("bare_number_is_km", ["--site=50.6,36.6", "--range=885"], {"range_km": 885.0}, 1),
    ("metres", ["--site=50.6,36.6", "--range=885000m"], {"range_km": 885.0}, 1),
    ("statute_miles", ["--site=50.6,36.6", "--range=550mi"], {"range_km": 550 * MI}, 1),
    ("nautical_miles", ["--site=50.6,36.6", "--range=478nmi"], {"range_km": 478 * NMI}, 1),
    ("feet", ["--site=50.6,36.6", "--range=2903543ft"], {"range_km": 2903543 * FT}, 1),
    ("min_range_and_tolerance_units", ["--site=50.6,36.6", "--range=885km", "--min-range=300000m",
                                       "--tolerance=0.05km"], {"min_km": 300.0, "tol_m": 50.0}, 1),
    ("default_tolerance_10m", ["--site=50.6,36.6", "--range=885km"], {"tol_m": 10.0}, 1),
    ("azimuth_wraps_north", ["--site=50.6,36.6", "--range=885km", "--azimuth=300:60"],
     {"az_from": 300.0, "az_to": 60.0}, 1),
    ("rings_list", ["--site=50.6,36.6", "--rings=300km,600km,885km"], {}, 3),
]


def one_line(s):
    return len([x for x in s.split("\n") if x.strip()]) == 1


def listing(d):
    out = []
    for root, dirs, files in os.walk(d):
        for n in dirs + files:
            out.append(os.path.relpath(os.path.join(root, n), d))
    return sorted(out)


def main():
    binary = C.binary_from_argv()
    rep = C.Report("test_cli_errors: georeach command line (%s)" % binary)
    scratch = C.scratch_dir("cli")
    tmp = os.path.join(scratch, "_tmpdir")
    os.mkdir(tmp)
    env = dict(os.environ, TMPDIR=tmp)

    def run(args, cwd):
        import subprocess
        try:
            return subprocess.run([binary] + args, cwd=cwd, env=env, timeout=60, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
        except subprocess.TimeoutExpired:
            return subprocess.CompletedProcess(args, None, "", "TIMEOUT")
        except OSError as exc:
            return subprocess.CompletedProcess(args, None, "", "cannot run %s: %s" % (binary, exc))

    # ------------------------------------------------------------ bad input
    for name, argv, code, keys, files in BAD:
        d = os.path.join(scratch, name)
        os.mkdir(d)
        for fn, data in files.items():
            if fn.endswith("/"):
                os.mkdir(os.path.join(d, fn[:-1]))
                continue
            with open(os.path.join(d, fn), "wb") as f:
                f.write(data.encode() if isinstance(data, str) else data)
        before = listing(d)
        args = [a.replace("{d}", d) for a in argv]
        p = run(args, d)
        cl = C.cmdline([binary] + args)
        rep.check("%s.exit_%d" % (name, code), p.returncode == code,
                  "exit %s (expected %d); stderr %s | %s" % (p.returncode, code, C.short(p.stderr), cl))
        err = p.stderr.strip()
        rep.check("%s.stderr_one_line" % name, err != "" and one_line(p.stderr),
                  "stderr (%d lines): %s" % (len(err.split("\n")) if err else 0, C.short(p.stderr)))
        low = err.lower()
        rep.check("%s.stderr_names_culprit" % name, any(k.lower() in low for k in keys),
                  "stderr %r; wanted one of %s" % (C.short(err, 200), keys))
        rep.check("%s.stdout_empty" % name, p.stdout == "", ("stdout %s" % C.short(p.stdout, 200)) if p.stdout else "")
        after = listing(d)
        rep.check("%s.no_file_left" % name, after == before,
                  ("new files: %s" % sorted(set(after) - set(before))) if after != before else "")
        left_tmp = listing(tmp)
        rep.check("%s.no_temp_file_left" % name, not left_tmp, ("in TMPDIR: %s" % left_tmp) if left_tmp else "")
        for x in left_tmp:
            xp = os.path.join(tmp, x)
            shutil.rmtree(xp, True) if os.path.isdir(xp) else os.remove(xp)
    left = [x for x in listing(scratch) if "/" not in x and x not in [b[0] for b in BAD] and x != "_tmpdir"]
    rep.check("no_stray_files_in_scratch", not left, "stray: %s" % left)
    p = run([], scratch)
    rep.check("no_arguments.exit_2", p.returncode == 2, "exit %s; stderr %s" % (p.returncode, C.short(p.stderr)))
    rep.check("proc_file_not_created", not os.path.exists("/proc/x.geojson"), "/proc/x.geojson exists")

    # -------------------------------------------------------- help, version
    d = os.path.join(scratch, "_good")
    os.mkdir(d)
    p = run(["--help"], d)
    rep.check("help.exit_0_stdout", p.returncode == 0 and "rings" in p.stdout and p.stderr.strip() == "",
              "exit %s; stdout %s; stderr %s" % (p.returncode, C.short(p.stdout, 200), C.short(p.stderr, 200)))
    p = run(["rings", "--help"], d)
    miss = [o for o in ("--site", "--sites", "--range", "--min-range", "--rings", "--azimuth", "--tolerance",
                        "-o", "--format", "--overwrite", "--quiet", "--threads") if o not in p.stdout]
    rep.check("rings_help.exit_0_stdout_lists_options", p.returncode == 0 and not miss and p.stderr.strip() == "",
              "exit %s; options missing from help: %s; stderr %s" % (p.returncode, miss, C.short(p.stderr, 200)))
    p = run(["--version"], d)
    rep.check("version.exit_0", p.returncode == 0 and any(ch.isdigit() for ch in p.stdout),
              "exit %s; stdout %s" % (p.returncode, C.short(p.stdout, 200)))

    # -------------------------------------------------------- good input
    for name, argv, want, nfeat in GOOD:
        args = ["rings"] + argv + ["-o", "-"]
        p = run(args, d)
        cl = C.cmdline([binary] + args)
        if not rep.check("good.%s.exit_0" % name, p.returncode == 0,
                         "exit %s; stderr %s | %s" % (p.returncode, C.short(p.stderr), cl)):
            continue
        try:
            doc = json.loads(p.stdout)
        except ValueError as exc:
            rep.check("good.%s.geojson_on_stdout" % name, False, "%s | %s" % (exc, cl))
            continue
        feats = doc.get("features") or []
        rep.check("good.%s.features" % name, len(feats) == nfeat, "%d features, expected %d | %s"
                  % (len(feats), nfeat, cl))
        bad = []
        for f in feats:
            pr = f.get("properties") or {}
            for k, v in want.items():
                got = pr.get(k)
                if isinstance(v, float):
                    ok = isinstance(got, (int, float)) and abs(got - v) <= 1e-9 * max(1.0, abs(v))
                else:
                    ok = got == v
                if not ok:
                    bad.append("%s=%r (want %r)" % (k, got, v))
        rep.check("good.%s.values" % name, not bad, ("; ".join(bad[:4]) + " | " + cl) if bad else
                  ", ".join("%s=%r" % kv for kv in sorted(want.items())))
    if listing(d):
        rep.check("good.no_files_written_with_stdout_output", False, "files: %s" % listing(d))

    # -------------------------------------------------------- interruption
    # a run of a few seconds (1000 sites, 3000 km, 0.1 m), signalled after 1 s:
    # it must stop with a non-zero status and leave nothing behind
    import random
    import signal
    import subprocess
    import time
    d = os.path.join(scratch, "_interrupt")
    os.mkdir(d)
    rnd = random.Random(7)
    sites = os.path.join(scratch, "_many_sites.csv")
    with open(sites, "w") as f:
        f.write("name,lat,lon\n")
        for i in range(1000):
            f.write("S%d,%.4f,%.4f\n" % (i, rnd.uniform(-80, 80), rnd.uniform(-180, 180)))
    for sig in (signal.SIGINT, signal.SIGTERM):
        tag = "interrupted_by_%s" % sig.name
        args = ["rings", "--sites", sites, "--range=3000km", "--tolerance=0.1m", "--progress",
                "-o", os.path.join(d, "out.gpkg")]
        try:
            p = subprocess.Popen([binary] + args, cwd=d, env=env, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            rep.check("%s.started" % tag, False, "cannot run %s: %s" % (binary, exc))
            continue
        # wait for the work to have begun (its first progress mark), not a
        # fixed time that a busy machine may not honour
        first = p.stderr.read(1)
        if not first:
            print("INFO %s: georeach finished before its first progress mark; interruption not tested" % tag)
            p.communicate()
            for x in listing(d):
                os.remove(os.path.join(d, x))
            continue
        p.send_signal(sig)
        t = time.time()
        try:
            out, err = p.communicate(timeout=60)
            took = time.time() - t
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            took = None
        rep.check("%s.stopped" % tag, took is not None and p.returncode != 0,
                  "exit %s, %s after the signal" % (p.returncode, "%.1f s" % took if took is not None else "still running after 60 s"))
        left = listing(d)
        rep.check("%s.nothing_left" % tag, not left, ("left: %s" % left) if left else "")
        rep.check("%s.no_temp_file_left" % tag, not listing(tmp), ("in TMPDIR: %s" % listing(tmp)) if listing(tmp) else "")
        for x in left:
            xp = os.path.join(d, x)
            shutil.rmtree(xp, True) if os.path.isdir(xp) else os.remove(xp)
    rep.finish()


if __name__ == "__main__":
    main()
