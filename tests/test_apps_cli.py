#!/usr/bin/python3
"""The command line over the library apps (apps.h): one option table, one
meaning per option, errors naming the command run, standard output checked.

  * a usage error of every command names that command ("see 'georeach
    query --help'"), exits 2, one line; numbers are parsed strictly;
  * every command's --help comes from the table (its options listed);
  * map --projection that PROJ only half-matches ("wat") is exit 2;
  * -f/--format is a GDAL driver in query too; table/csv/json is --as (the
    old --format csv still works, with a note);
  * stdout full (/dev/full) or closed: query, missiles, locate exit 1 naming
    standard output; a closed pipe (| head -c 100) ends the run as SIGPIPE
    does, quietly, nothing left;
  * query -o on a full disk is a write error (exit 1), not "interrupted";
  * a signal stops a run once it has started (its first progress mark),
    exit 130, nothing left.
usage: test_apps_cli.py GEOREACH"""

import os
import random
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, check, done  # noqa: E402


def run(args, cwd=None, **kw):
    return subprocess.run([BIN] + args, capture_output=True, text=True, cwd=cwd, timeout=300, **kw)


def one_line(s):
    return len([x for x in s.splitlines() if x.strip()]) == 1


with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "out.geojson")
    # ---- usage errors name the command actually run
    cases = [
        (["rings", "--frobnicate"], "rings", "frobnicate"),
        (["query", "--frobnicate"], "query", "frobnicate"),
        (["basket", "--frobnicate"], "basket", "frobnicate"),
        (["map", "--frobnicate"], "map", "frobnicate"),
        (["missiles", "--frobnicate"], "missiles", "frobnicate"),
        (["locate", "--frobnicate"], "locate", "frobnicate"),
        (["query", "--min-population", "x"], "query", "--min-population"),
        (["query", "--site", "1,1", "--range", "5", "--target", "91,0"], "query", "91"),
        (["basket", "--target", "1,1", "--range", "5", "--tolerance", "abc", "-o", out], "basket", "abc"),
        (["basket", "--target", "1,1", "--range", "5"], "basket", "output"),
        (["map", "--site", "1,1", "--range", "5", "--width", "50", "-o", os.path.join(d, "m.png")], "map", "--width"),
        (["map", "--site", "1,1", "--range", "5", "--model", "wat", "-o", os.path.join(d, "m.png")], "map", "--model"),
        (["query", "--site", "1,1", "--range", "5", "--target", "2,2", "--model", "both"], "query", "--model"),
        (["rings", "--site", "1,1", "--range", "5", "--count", "--min-count", "99999999999999999999999",
          "-o", out], "rings", "--min-count"),
        (["rings", "--site", "1,1", "--range", "5", "--threads", "99999999999999999999999", "-o", out], "rings",
         "--threads"),
        (["query", "--site", "1,1", "--range", "5", "--targets", "cities", "--min-population",
          "99999999999999999999999"], "query", "--min-population"),
        (["map", "--site", "1,1", "--range", "5", "--height", "4294967297", "-o", os.path.join(d, "m.png")], "map",
         "--height"),
        (["rings", "--site", "1,1", "--range", "5", "--min", "5", "-o", out], "rings", "ambiguous"),
        (["query", "--site", "1,1", "--range", "5", "--target", "2,2", "--as", "xml"], "query", "xml"),
        (["missiles", "--as", "geojson"], "missiles", "geojson"),
        (["query", "--site", "1,1", "--range", "5", "--target", "2,2", "--union"], "query", "--union"),
        (["rings", "extra", "--site", "1,1", "--range", "5", "-o", out], "rings", "extra"),
    ]
    for args, cmd, word in cases:
        r = run(args, cwd=d)
        see = "(see 'georeach %s --help')" % cmd
        check(r.returncode == 2 and one_line(r.stderr) and see in r.stderr and word.lower() in r.stderr.lower()
              and r.stdout == "",
              "%s: exit %s (want 2), one line naming '%s' and %s: %s"
              % (" ".join(args)[:70], r.returncode, word, see, r.stderr.strip()[:200]))
    check(os.listdir(d) == [], "usage errors leave nothing: %s" % os.listdir(d))
    r = run(["locate"])
    check(r.returncode == 2 and "georeach locate --help" in r.stderr, "locate without a point: exit 2: %s"
          % r.stderr.strip())

    # ---- --help from the one table
    want = {"rings": ["--site", "--from-area", "--range", "--rings", "--missile", "--azimuth", "--tolerance",
                      "-f, --format DRIVER", "--union", "--count", "--threads", "--progress"],
            "query": ["--site", "--target", "--min-population", "--as F", "-f, --format DRIVER", "--nearest"],
            "basket": ["--target", "--any", "--within", "--range", "--model", "-f, --format DRIVER"],
            "map": ["--site", "--target", "--projection", "--width", "--model", "--union"],
            "missiles": ["--origin", "--class", "--as F", "--catalogue"],
            "locate": ["--strict"]}
    for cmd, opts in want.items():
        r = run([cmd, "--help"])
        miss = [o for o in opts if o not in r.stdout]
        check(r.returncode == 0 and r.stdout.startswith("Usage: georeach %s" % cmd) and not miss and r.stderr == "",
              "%s --help: exit %d, options missing: %s" % (cmd, r.returncode, miss))
    r = run(["missiles", "--help"])
    check("--format DRIVER" not in r.stdout and "--range" not in r.stdout,
          "missiles --help shows no option missiles does not take")

    # ---- --projection checked
    png = os.path.join(d, "p.png")
    for proj, code in [("wat", 2), ("+proj=nonsense", 2), ("EPSG:3857", 0), ("+proj=laea +lat_0=50 +lon_0=30", 0)]:
        r = run(["map", "--site", "50,30", "--range", "500", "--width", "300", "--projection", proj, "-o", png, "-q"])
        ok = r.returncode == code and (code == 0) == os.path.exists(png)
        if code:
            ok = ok and one_line(r.stderr) and "--projection" in r.stderr and "georeach map --help" in r.stderr
        check(ok, "map --projection %r: exit %s (want %d), picture %s: %s"
              % (proj, r.returncode, code, os.path.exists(png), r.stderr.strip()[:200]))
        if os.path.exists(png):
            os.remove(png)

    # ---- one meaning per option: --as for text, -f for the driver
    base = ["query", "--site", "50.6,36.6", "--range", "885km", "--target", "Kyiv=50.45,30.52", "-q"]
    r = run(base + ["--as", "csv"])
    check(r.returncode == 0 and r.stdout.startswith("site,missile,target,") and r.stderr == "",
          "query --as csv: csv, nothing on stderr (%s)" % r.stderr.strip())
    r = run(base + ["--format", "csv"])
    check(r.returncode == 0 and r.stdout.startswith("site,missile,target,") and one_line(r.stderr)
          and "--as csv" in r.stderr, "query --format csv (old): csv and a note naming --as: %s" % r.stderr.strip())
    r = run(base + ["--as", "json"])
    check(r.returncode == 0 and r.stdout.lstrip().startswith("[") and '"in_range": true' in r.stdout,
          "query --as json")
    qj = os.path.join(d, "q.json")
    r = run(base + ["-f", "GeoJSON", "-o", qj])
    head = open(qj).read(200) if os.path.exists(qj) else ""
    check(r.returncode == 0 and '"FeatureCollection"' in head, "query -f GeoJSON -o q.json: a GeoJSON layer (%s)"
          % r.stderr.strip())
    check(os.path.exists(os.path.join(d, "q_query_lines.json")),
          "query -o q.json: the site-to-target lines beside it (q_query_lines.json)")
    r = run(base + ["-f", "NoSuchDriver", "-o", os.path.join(d, "q.xyz")])
    check(r.returncode == 2 and "NoSuchDriver" in r.stderr, "query -f NoSuchDriver: exit 2: %s" % r.stderr.strip())

    # ---- standard output full or closed
    for args in (base + ["--as", "csv"], ["missiles"], ["locate", "50,30"]):
        with open("/dev/full", "w") as full:
            p = subprocess.run([BIN] + args, stdout=full, stderr=subprocess.PIPE, text=True)
        check(p.returncode == 1 and one_line(p.stderr) and "standard output" in p.stderr
              and "No space" in p.stderr, "%s > /dev/full: exit %d (want 1): %s"
              % (" ".join(args[:3]), p.returncode, p.stderr.strip()))
        p = subprocess.run(" ".join("'%s'" % a for a in [BIN] + args) + " >&-", shell=True,
                           stderr=subprocess.PIPE, text=True)
        check(p.returncode == 1 and "standard output" in p.stderr, "%s with stdout closed: exit %d (want 1): %s"
              % (" ".join(args[:3]), p.returncode, p.stderr.strip()))

    # ---- a closed pipe: quiet, SIGPIPE's status, nothing left
    for args in (["query", "--site", "1,1", "--range", "100", "--targets", "cities", "--as", "csv", "-q"],
                 ["rings", "--site", "1,1", "--rings", ",".join(str(100 * k) for k in range(1, 41)),
                  "--tolerance", "1m", "-o", "-"]):
        p = subprocess.Popen([BIN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=d,
                             env=dict(os.environ, TMPDIR=d))
        p.stdout.read(100)
        p.stdout.close()
        err = p.stderr.read().decode()
        p.wait()
        check(p.returncode == -signal.SIGPIPE and err == "" and sorted(os.listdir(d)) == ["q.json", "q.qml", "q_query_lines.json"],
              "%s | head -c 100: killed by SIGPIPE (status %s), nothing on stderr (%r), nothing left (%s)"
              % (args[0], p.returncode, err[:200], os.listdir(d)))

    # ---- query -o on a full disk: the write error, not "interrupted"
    tiny = os.path.join(d, "tiny")
    os.mkdir(tiny)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", tiny], capture_output=True).returncode:
        print("note: cannot mount a tmpfs here (not root?): query -o on a full disk not run")
    else:
        try:
            for ext in ("csv", "gpkg"):
                r = run(["query", "--site", "1,1", "--range", "100", "--targets", "cities", "-q",
                         "-o", os.path.join(tiny, "out." + ext)])
                check(r.returncode == 1 and one_line(r.stderr) and "interrupted" not in r.stderr
                      and os.listdir(tiny) == [], "query -o full/out.%s: exit %d (want 1), %s, left %s"
                      % (ext, r.returncode, r.stderr.strip(), os.listdir(tiny)))
        finally:
            subprocess.run(["umount", tiny])

    # ---- a signal once the run has started (its first progress mark)
    sites = os.path.join(d, "sites.csv")
    rnd = random.Random(5)
    with open(sites, "w") as f:
        f.write("name,lat,lon\n")
        for i in range(3000):
            f.write("S%d,%.4f,%.4f\n" % (i, rnd.uniform(-80, 80), rnd.uniform(-180, 180)))
    gpkg = os.path.join(d, "sig.gpkg")
    for sig in (signal.SIGINT, signal.SIGTERM):
        p = subprocess.Popen([BIN, "rings", "--sites", sites, "--range", "3000km", "--tolerance", "0.1m",
                              "--progress", "-o", gpkg], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=d)
        first = p.stderr.read(1)  # the first progress mark: the work has begun
        if not first:
            p.wait()
            print("note: the run ended before its first progress mark; %s not tested" % sig.name)
            continue
        p.send_signal(sig)
        err = (first + p.stderr.read()).decode()
        p.wait()
        check(p.returncode == 130 and "interrupted" in err and not os.path.exists(gpkg),
              "%s after the first progress mark: exit %s (want 130), 'interrupted', nothing left: %r"
              % (sig.name, p.returncode, err[-120:]))

done()
