#!/usr/bin/python3
"""scripts/bench rings: georeach's reach rings against the Python recipes.

    scripts/bench rings [--sites N] [--seed S] [--range-km 885] [--tolerance-m 10]
                        [--threads T] [--no-single-thread] [--score-rings 200]
                        [--oracle K] [--naive] [--methods georeach,pyproj,aeqd]
                        [--repeat R] [--georeach PATH] [--workdir DIR] [--keep]
                        [--sites-file CSV] [--nmax 65536]

Workload (issue text): N (default 10,000) seeded random sites, uniform on the
whole sphere, rings of --range-km at --tolerance-m written to GeoPackage by:

  georeach       build/georeach rings --sites S.csv --range 885km --tolerance 10m
                 -o out.gpkg --overwrite --quiet   (all cores, and --threads 1)
  pyproj         Geod.fwd per ring (vectorised) + shapely Polygon + osgeo.ogr
  aeqd           per-site aeqd Transformer + Point.buffer + transform back + ogr
  geod_direct    direct_cost.c: the bare geod_direct calls, one per vertex of
                 georeach's output (single thread, best of 3)
  kernel         kernel_cost.c: reach_ring_build() on every site, rings built
                 in memory and freed, no output (single thread, best of 3),
                 against the bare geod_direct cost of its own vertices; both
                 timed in wall and in thread CPU time (the CPU ratio is the
                 one that survives a busy machine)

Vertex counts for the peers: evenly spaced vertices reach a tolerance only
with enough of them, and how many depends on |latitude| (the ellipsoid is
symmetric in longitude and between hemispheres).  Before the timed runs the
rig finds, on a 0.25 deg grid of latitudes, the smallest count (a multiple of
4, so the AEQD buffer's vertices are the same set) whose straight lon/lat
chords stay within the tolerance (9 samples per chord, as the shared ring_oracle.py
does); a site gets the larger count of its two grid neighbours, or its own
search where they differ by > 10 % (rings that pass near a pole, where the
count explodes; capped by --nmax).  This search is NOT timed: the peers are
handed the best evenly spaced count for free.  Cached in
${XDG_CACHE_HOME:-~/.cache}/georeach-bench.

The peers get the minimal antimeridian / pole handling (common.py); --naive
runs them as Polygon(zip(lon, lat)) instead, and ~5 % of the rings are then
wrong (crossing +-180, or holding a pole).

Accuracy: the same random subset of --score-rings sites for every method plus
a hard set (rings nearest each pole, nearest +-180, and those needing the most
vertices); for each ring max |s(centre, p) - R| over vertices and 9 points per
straight lon/lat edge (edges along lon=+-180 / lat=+-90 cut lines skipped),
uncut antimeridian edges, and 27 probes per ring (points at R/2, R-5 km,
R+5 km, centre, antipode, poles) that a correct ring classifies beyond doubt.
--oracle K also runs the project's oracle (tests/oracle.py) on K single rings
per method, and $GEOREACH_SHARED/tools/ring_oracle.py too when GEOREACH_SHARED
is set.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy as np  # noqa: E402
import common  # noqa: E402

PY = "/usr/bin/python3"


def parse(argv):
    root = os.environ.get("BENCH_ROOT") or os.path.dirname(os.path.dirname(HERE))
    ap = argparse.ArgumentParser(prog="scripts/bench rings",
                                 description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=10000, help="number of random sites (10000)")
    ap.add_argument("--sites-file", help="use this name,lat,lon CSV instead of random sites")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--range-km", type=float, default=885.0)
    ap.add_argument("--tolerance-m", type=float, default=10.0)
    ap.add_argument("--threads", type=int, help="georeach --threads for the main run (default: its own, all cores)")
    ap.add_argument("--no-single-thread", action="store_true", help="skip the georeach --threads 1 run")
    ap.add_argument("--score-rings", type=int, default=200, help="random rings scored per method (0 = all)")
    ap.add_argument("--oracle", type=int, default=2, help="oracle runs per method (0 = none)")
    ap.add_argument("--naive", action="store_true", help="peers without antimeridian/pole handling")
    ap.add_argument("--methods", default="georeach,pyproj,aeqd")
    ap.add_argument("--repeat", type=int, default=1, help="timed runs per method; the best is reported")
    ap.add_argument("--georeach", default=os.path.join(root, "build", "georeach"))
    ap.add_argument("--before", help="another georeach binary (e.g. an older build) run the same way, "
                                     "all cores, as a 'before' row in the same run")
    ap.add_argument("--kernel-cost", default=os.environ.get("BENCH_KERNEL_COST"),
                    help="compiled kernel_cost (scripts/bench builds it)")
    ap.add_argument("--direct-cost", default=os.environ.get("BENCH_DIRECT_COST"),
                    help="compiled direct_cost (scripts/bench builds it)")
    ap.add_argument("--workdir")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--nmax", type=int, default=65536, help="cap on a peer ring's vertex count")
    return ap.parse_args(argv)


def have_exe(p):
    return bool(p) and os.path.isfile(p) and os.access(p, os.X_OK)


def say(*a):
    print(*a, flush=True)


def fmt(v, spec):
    if v is None:
        return "n/a"
    if isinstance(v, float) and not np.isfinite(v):
        return "inf"
    return format(v, spec)


def sites_counts(a, wd, names, lat, lon, r, tol):
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "georeach-bench")
    t0 = time.perf_counter()
    table = common.count_table(r, tol, step=0.25, nmax=a.nmax, cache_dir=cache)
    h = hashlib.sha1(open(os.path.join(wd, "sites.csv"), "rb").read()).hexdigest()[:16]
    key = os.path.join(cache, "sitecounts_%s_r%.3f_tol%.4f_nmax%d.json" % (h, r, tol, a.nmax))
    if os.path.exists(key):
        d = json.load(open(key))
        counts, searched, cached = np.array(d["n"]), d["searched"], True
    else:
        counts, searched = common.counts_for_sites(table, lat, r, tol)
        os.makedirs(cache, exist_ok=True)
        json.dump({"n": [int(x) for x in counts], "searched": int(searched)}, open(key, "w"))
        cached = False
    with open(os.path.join(wd, "counts.csv"), "w") as f:
        f.write("name,n\n")
        for nm, n in zip(names, counts):
            f.write("%s,%d\n" % (nm, n))
    capped = int(np.sum(counts >= a.nmax))
    return counts, {"seconds": time.perf_counter() - t0, "table_cached": table.get("cached", False),
                    "sites_cached": cached, "searched": searched, "capped": capped}


def run_best(cmd, wd, tag, repeat):
    best = None
    for i in range(repeat):
        res = common.timed_run(cmd, os.path.join(wd, "%s.%d.log" % (tag, i)))
        if res["rc"] != 0:
            return res
        if best is None or res["wall"] < best["wall"]:
            best = res
    return best


def log_tail(path, n=15):
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        return ""
    return "\n".join("    | " + l for l in lines[-n:])


def peer_json(path):
    try:
        for line in reversed(open(path).read().splitlines()):
            if line.startswith("{"):
                return json.loads(line)
    except (OSError, ValueError):
        pass
    return None


def pick_hard(names, lat, lon, counts, r):
    idx = []
    order_n = np.argsort(-lat)            # nearest the north pole
    order_s = np.argsort(lat)             # nearest the south pole
    order_am = np.argsort(180.0 - np.abs(lon))
    order_cnt = np.argsort(-counts)
    for order, k in ((order_n, 3), (order_s, 3), (order_am, 5), (order_cnt, 5)):
        got = 0
        for i in order:
            if i not in idx:
                idx.append(int(i)); got += 1
            if got == k:
                break
    return idx


def score(layer, names, lat, lon, idx, r):
    errs, per, uncut, wrong, missing, worst = [], [], 0, 0, 0, (-1.0, None)
    for i in idx:
        ent = layer["features"].get(names[i])
        if ent is None:
            missing += 1
            continue
        s = common.score_ring(ent[2], lat[i], lon[i], r)
        errs.append(s["err"]); per.append((names[i], s["err"]))
        uncut += s["uncut"]; wrong += max(0, s["probes_wrong"])
        if s["err"] > worst[0]:
            worst = (s["err"], names[i])
    return {"err_max": max(errs) if errs else None, "errs": errs, "per": per, "uncut": uncut,
            "probes_wrong": wrong, "missing": missing, "worst": worst}


def oracle(path, site, clat, clon, r):
    """One line per oracle (tests/oracle.py; the shared one with GEOREACH_SHARED)."""
    parts = []
    for label, d, err in common.run_oracles([path, "--where", "site = '%s'" % site, "--lat", "%.9f" % clat,
                                            "--lon", "%.9f" % clon, "--radius-m", "%.3f" % r], timeout=600):
        if d is None:
            parts.append("%s: %s" % (label, err))
            continue
        num = lambda k: float("nan") if d.get(k) is None else float(d[k])  # noqa: E731
        parts.append("%s: misclassified %s, boundary_err_max_m %.3f, valid %s, uncut %s, area_rel_err %.2e"
                     % (label, d.get("misclassified"), num("boundary_err_max_m"), d.get("valid"),
                        d.get("uncut_antimeridian_edges"), num("area_lonlat_rel_err")))
    return "; ".join(parts)


def main(argv):
    a = parse(argv)
    t_start = time.perf_counter()
    methods = [m.strip() for m in a.methods.split(",") if m.strip()]
    r = a.range_km * 1000.0
    tol = a.tolerance_m
    wd = a.workdir or tempfile.mkdtemp(prefix="georeach-bench-")
    os.makedirs(wd, exist_ok=True)
    ncpu = os.cpu_count() or 1

    # ---- sites
    if a.sites_file:
        shutil.copy(a.sites_file, os.path.join(wd, "sites.csv"))
        names, lat, lon = common.read_sites(os.path.join(wd, "sites.csv"))
        src = a.sites_file
    else:
        names, lat, lon = common.make_sites(a.sites, a.seed)
        common.write_sites(os.path.join(wd, "sites.csv"), names, lat, lon)
        names, lat, lon = common.read_sites(os.path.join(wd, "sites.csv"))
        src = "seed %d, uniform on the whole sphere" % a.seed
    sites_csv = os.path.join(wd, "sites.csv")
    n_sites = len(names)
    say("georeach bench: rings  %d sites (%s), range %g km, tolerance %g m, %d cores"
        % (n_sites, src, a.range_km, tol, ncpu))
    say("work dir: %s" % wd)
    la = os.getloadavg()
    say("load average at start: %.2f %.2f %.2f%s" % (la + (
        "  (WARNING: the machine is busy; timings will be noisy)" if la[0] > 0.5 else "",)))
    if have_exe(a.georeach):
        st = os.stat(a.georeach)
        say("georeach binary: %s (%d bytes, modified %s)" % (a.georeach, st.st_size,
                                                             time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(st.st_mtime))))

    counts, cal = sites_counts(a, wd, names, lat, lon, r, tol)
    say("peer vertex counts: %d..%d per ring, %d in all; found in %.1f s (untimed; table %s, "
        "%d sites searched one by one%s; %d capped at %d)"
        % (counts.min(), counts.max(), counts.sum(), cal["seconds"],
           "cached" if cal["table_cached"] else "computed", cal["searched"],
           ", cached" if cal["sites_cached"] else "", cal["capped"], a.nmax))

    rows = {}   # tag -> dict
    rng = np.random.default_rng(a.seed + 7919)
    k = n_sites if a.score_rings <= 0 else min(a.score_rings, n_sites)
    rand_idx = [int(i) for i in rng.choice(n_sites, size=k, replace=False)]
    hard_idx = pick_hard(names, lat, lon, counts, r)

    # ---- georeach
    have_gr = "georeach" in methods and have_exe(a.georeach)
    if "georeach" in methods and not have_gr:
        say("georeach: %s not found or not executable: its rows are skipped" % a.georeach)
    gr_runs = []
    if have_gr:
        gr_runs.append(("georeach", a.threads, "%s" % (a.threads if a.threads else "all (%d)" % ncpu)))
        if not a.no_single_thread and ncpu > 1 and a.threads != 1:
            gr_runs.append(("georeach -t1", 1, "1"))
    for tag, thr, thr_label in gr_runs:
        out = os.path.join(wd, "georeach%s.gpkg" % ("_t1" if thr == 1 and tag != "georeach" else ""))
        cmd = [a.georeach, "rings", "--sites", sites_csv, "--range", "%gkm" % a.range_km,
               "--tolerance", "%gm" % tol, "-o", out, "--overwrite", "--quiet"]
        if thr:
            cmd += ["--threads", str(thr)]
        say("running %s ..." % " ".join(cmd))
        res = run_best(cmd, wd, tag.replace(" ", ""), a.repeat)
        res.update({"threads": thr_label, "out": out, "cmd": cmd})
        if res["rc"] != 0 or not os.path.exists(out):
            say("  %s FAILED (exit %s); log tail:\n%s" % (tag, res["rc"], log_tail(res["log"])))
            res["failed"] = True
        rows[tag] = res

    if a.before and have_exe(a.before):
        out = os.path.join(wd, "before.gpkg")
        cmd = [a.before, "rings", "--sites", sites_csv, "--range", "%gkm" % a.range_km,
               "--tolerance", "%gm" % tol, "-o", out, "--overwrite", "--quiet"]
        say("running %s (before) ..." % " ".join(cmd))
        res = run_best(cmd, wd, "before", a.repeat)
        res.update({"threads": "all (%d)" % ncpu, "out": out, "cmd": cmd})
        if res["rc"] != 0 or not os.path.exists(out):
            res["failed"] = True
        rows["before"] = res
    elif a.before:
        say("--before %s: not an executable" % a.before)

    # ---- peers
    peer_cmd = {"pyproj": "recipe_pyproj.py", "aeqd": "recipe_aeqd.py"}
    for m in ("pyproj", "aeqd"):
        if m not in methods:
            continue
        out = os.path.join(wd, "%s.gpkg" % m)
        cmd = [PY, os.path.join(HERE, peer_cmd[m]), sites_csv, os.path.join(wd, "counts.csv"), repr(r), out]
        if a.naive:
            cmd.append("--naive")
        say("running %s recipe ..." % m)
        res = run_best(cmd, wd, m, a.repeat)
        res.update({"threads": "1", "out": out, "phases": peer_json(res["log"])})
        if res["rc"] != 0 or not os.path.exists(out):
            say("  %s FAILED (exit %s); log tail:\n%s" % (m, res["rc"], log_tail(res["log"])))
            res["failed"] = True
        rows[m] = res

    # ---- read and score outputs
    layers = {}
    for tag, res in rows.items():
        if res.get("failed"):
            continue
        if tag in ("georeach -t1", "before") and "georeach" in layers:
            L = common.read_layer(res["out"])
            res["vertices"] = L["vertices"]
            res["n_features"] = L["n_features"]
            continue
        L = common.read_layer(res["out"])
        layers[tag] = L
        res["vertices"] = L["vertices"]
        res["n_features"] = L["n_features"]
        res["sites_missing"] = sum(1 for nm in names if nm not in L["features"])
        res["rand"] = score(L, names, lat, lon, rand_idx, r)
        res["hard"] = score(L, names, lat, lon, hard_idx, r)
        res["err_m_field_max"] = L["err_m_max"]
        res["fields"] = L["fields"]

    # ---- bare geod_direct cost
    direct = None
    n_direct = None
    if "georeach" in rows and "vertices" in rows["georeach"]:
        n_direct, n_direct_src = rows["georeach"]["vertices"], "georeach's output"
    elif "pyproj" in rows and "vertices" in rows["pyproj"]:
        n_direct, n_direct_src = rows["pyproj"]["vertices"], "the pyproj recipe's output (no georeach)"
    if n_direct and a.direct_cost and os.access(a.direct_cost, os.X_OK):
        p = subprocess.run([a.direct_cost, str(n_direct), repr(r), sites_csv, "3"],
                           capture_output=True, text=True)
        kv = dict(l.split(None, 1) for l in p.stdout.splitlines() if " " in l)
        if p.returncode == 0 and "seconds" in kv:
            direct = {"wall": float(kv["seconds"]), "per_call_ns": float(kv["per_call_ns"]),
                      "cpu": float(kv.get("cpu_seconds", kv["seconds"])),
                      "vertices": n_direct, "src": n_direct_src}
        else:
            say("direct_cost failed: %s %s" % (p.stdout, p.stderr))
    elif n_direct:
        say("direct_cost binary not available (run through scripts/bench, or pass --direct-cost)")

    # ---- the kernel alone, against the bare cost of its own vertices
    kernel = None
    if a.kernel_cost and os.access(a.kernel_cost, os.X_OK) and a.direct_cost:
        say("running the kernel alone (kernel_cost, 1 thread, best of 3) ...")
        p = subprocess.run([a.kernel_cost, sites_csv, repr(r), repr(tol), "3"],
                           capture_output=True, text=True)
        kv = dict(l.split(None, 1) for l in p.stdout.splitlines() if " " in l)
        if p.returncode == 0 and "seconds" in kv:
            kernel = {"wall": float(kv["seconds"]), "cpu": float(kv["cpu_seconds"]),
                      "vertices": int(kv["vertices"]), "err_m": float(kv["err_max_m"])}
            p = subprocess.run([a.direct_cost, str(kernel["vertices"]), repr(r), sites_csv, "3"],
                               capture_output=True, text=True)
            kd = dict(l.split(None, 1) for l in p.stdout.splitlines() if " " in l)
            if p.returncode == 0:
                kernel["d_wall"] = float(kd["seconds"])
                kernel["d_cpu"] = float(kd["cpu_seconds"])
        else:
            say("kernel_cost failed: %s %s" % (p.stdout, p.stderr))
    elif a.kernel_cost is None:
        say("kernel_cost binary not available (run through scripts/bench after building georeach)")

    # ---- table
    base = rows.get("georeach") if rows.get("georeach") and not rows["georeach"].get("failed") else None
    base_t1 = rows.get("georeach -t1") if rows.get("georeach -t1") and not rows["georeach -t1"].get("failed") else None
    say("")
    hdr = ("%-22s %-8s %8s %8s %10s %9s %9s %6s %6s %6s %8s %10s %8s"
           % ("method", "threads", "wall_s", "cpu_s", "vertices", "err_rand", "err_hard",
              ">tol", "wrong", "uncut", "rss_MiB", "x_georeach", "x_gr_t1"))
    say(hdr)
    say("-" * len(hdr))
    labels = {"georeach": "georeach", "georeach -t1": "georeach --threads 1",
              "pyproj": "pyproj fwd+shapely+ogr", "aeqd": "aeqd buffer+ogr",
              "before": "georeach --before"}
    for tag in ("georeach", "georeach -t1", "before", "pyproj", "aeqd"):
        res = rows.get(tag)
        if not res:
            continue
        if res.get("failed"):
            say("%-22s FAILED (exit %s) log: %s" % (labels[tag], res["rc"], res["log"]))
            continue
        rd, hd = res.get("rand"), res.get("hard")
        over = sum(1 for e in rd["errs"] if e > tol) if rd else None
        say("%-22s %-8s %8s %8s %10s %9s %9s %6s %6s %6s %8s %10s %8s" % (
            labels[tag], res["threads"], fmt(res["wall"], ".2f"), fmt(res["cpu"], ".2f"),
            fmt(res.get("vertices"), "d"),
            fmt(rd["err_max"], ".2f") if rd else "same", fmt(hd["err_max"], ".2f") if hd else "same",
            fmt(over, "d") if rd else "", fmt(rd["probes_wrong"] + hd["probes_wrong"], "d") if rd else "",
            fmt(rd["uncut"] + hd["uncut"], "d") if rd else "",
            fmt(res["rss_kb"] / 1024.0 if res["rss_kb"] else None, ".0f"),
            fmt(res["wall"] / base["wall"], ".2f") if base else "n/a",
            fmt(res["wall"] / base_t1["wall"], ".2f") if base_t1 else "n/a"))
    if direct:
        say("%-22s %-8s %8s %8s %10s %9s %9s %6s %6s %6s %8s %10s %8s" % (
            "geod_direct bare", "1", fmt(direct["wall"], ".2f"), fmt(direct["wall"], ".2f"),
            fmt(direct["vertices"], "d"), "", "", "", "", "", "", 
            fmt(direct["wall"] / base["wall"], ".2f") if base else "n/a",
            fmt(direct["wall"] / base_t1["wall"], ".2f") if base_t1 else "n/a"))
    say("")
    say("columns: wall_s whole process (startup, imports, writing included); cpu_s user+sys; vertices")
    say("  distinct (closing repeats not counted, cut-line vertices counted); err_rand / err_hard: max")
    say("  |s - R| in m on %d random rings / %d hard rings (pole, antimeridian, most vertices); >tol:"
        % (len(rand_idx), len(hard_idx)))
    say("  random rings over %g m; wrong: probes misclassified; uncut: edges with |dlon| > 180;" % tol)
    say("  x_georeach / x_gr_t1: wall time over georeach's (all cores / --threads 1).")

    # ---- details
    for tag in ("georeach", "pyproj", "aeqd"):
        res = rows.get(tag)
        if not res or res.get("failed"):
            continue
        det = []
        if res.get("n_features") != n_sites:
            det.append("%d features for %d sites" % (res["n_features"], n_sites))
        if res.get("sites_missing"):
            det.append("%d sites have no feature" % res["sites_missing"])
        if res.get("err_m_field_max") is not None:
            det.append("its err_m field max %.3f m" % res["err_m_field_max"])
        w = res["rand"]["worst"] if res.get("rand") else None
        wh = res["hard"]["worst"] if res.get("hard") else None
        if w and w[1]:
            det.append("worst random ring %s (%.2f m)" % (w[1], w[0]))
        if wh and wh[1]:
            det.append("worst hard ring %s (%.2f m)" % (wh[1], wh[0]))
        ph = res.get("phases")
        if ph:
            det.append("in-process: " + ", ".join("%s %.2f" % (k_[:-2], v) for k_, v in ph.items()
                                                   if k_.endswith("_s")))
        say("%s: %s" % (labels[tag], "; ".join(det)))
        if tag in layers and res.get("hard"):
            over = [(e, nm) for nm, e in res["hard"]["per"] if e > tol]
            if over:
                say("  hard rings over %g m: %s" % (tol, ", ".join("%s %.0f m" % (nm, e) for e, nm in over)))
    if base and ncpu > 1 and a.threads != 1 and base.get("cpu") and base["cpu"] < 1.2 * base["wall"]:
        say("WARNING: the multi-threaded georeach run used about one core (cpu %.2f s, wall %.2f s): "
            "its threading did not engage, or another process held the other core(s)"
            % (base["cpu"], base["wall"]))
    if base_t1 and base and base.get("vertices") != base_t1.get("vertices"):
        say("NOTE: georeach --threads 1 wrote %s vertices, the default run %s"
            % (base_t1.get("vertices"), base.get("vertices")))

    # ---- goals
    say("")
    if base and "pyproj" in rows and not rows["pyproj"].get("failed"):
        py = rows["pyproj"]
        ratio = py["wall"] / base["wall"]
        e_gr = max(base["rand"]["err_max"] or 0, base["hard"]["err_max"] or 0)
        e_py = max(py["rand"]["err_max"] or 0, py["hard"]["err_max"] or 0)
        ok = ratio >= 10 and e_gr <= max(e_py, tol) and base["rand"]["probes_wrong"] + base["hard"]["probes_wrong"] == 0
        say("goal 1  pyproj / georeach wall = %.2fx (goal >= 10x); max error georeach %.2f m vs pyproj %.2f m -> %s"
            % (ratio, e_gr, e_py, "MET" if ok else "NOT MET"))
        if base_t1:
            say("        pyproj / georeach --threads 1 = %.2fx" % (py["wall"] / base_t1["wall"]))
        if base.get("cpu") and py.get("cpu"):
            say("        in CPU time (user+sys): pyproj / georeach = %.2fx" % (py["cpu"] / base["cpu"]))
    bf = rows.get("before")
    if base and bf and not bf.get("failed"):
        say("before  georeach --before / georeach: wall %.2fx, cpu %.2fx (same %s vertices: %s)"
            % (bf["wall"] / base["wall"], bf["cpu"] / base["cpu"], fmt(base.get("vertices"), "d"),
               bf.get("vertices") == base.get("vertices")))
    if base and direct:
        say("goal 2  georeach / bare geod_direct = %.2fx (goal <= 3x) -> %s; --threads 1: %s; "
            "bare cost %.0f ns/call x %d calls (= %s)"
            % (base["wall"] / direct["wall"], "MET" if base["wall"] / direct["wall"] <= 3 else "NOT MET",
               ("%.2fx" % (base_t1["wall"] / direct["wall"])) if base_t1 else "n/a",
               direct["per_call_ns"], direct["vertices"], direct["src"]))
    elif direct:
        say("bare geod_direct cost for %d calls (%s): %.2f s (%.0f ns/call)"
            % (direct["vertices"], direct["src"], direct["wall"], direct["per_call_ns"]))
    if kernel and "d_cpu" in kernel:
        rc, rw = kernel["cpu"] / kernel["d_cpu"], kernel["wall"] / kernel["d_wall"]
        say("goal 3  kernel alone (rings in memory, 1 thread) / bare geod_direct of its %d vertices:"
            " cpu %.3f s / %.3f s = %.2fx, wall %.3f s / %.3f s = %.2fx (goal <= 0.5x) -> %s;"
            " largest err_m %.3f m"
            % (kernel["vertices"], kernel["cpu"], kernel["d_cpu"], rc, kernel["wall"],
               kernel["d_wall"], rw, "MET" if rc <= 0.5 else "NOT MET", kernel["err_m"]))

    # ---- oracle spot checks
    if a.oracle > 0 and layers:
        picks = []
        i_pole = int(np.argmax(np.abs(lat)))
        am = [i for i in np.argsort(180.0 - np.abs(lon)) if i != i_pole]
        picks = [i_pole, int(am[0]), int(np.argsort(np.abs(lat))[n_sites // 2])][:a.oracle]
        # and every method's worst scored ring when it is over the tolerance
        pos = {nm: j for j, nm in enumerate(names)}
        for tag in layers:
            for part in ("rand", "hard"):
                w = rows[tag].get(part, {}).get("worst")
                if w and w[1] and w[0] > tol and pos[w[1]] not in picks:
                    picks.append(pos[w[1]])
        say("")
        say("oracle spot checks (tests/oracle.py%s):" % (", shared ring_oracle.py" if len(common.oracle_paths()) > 1
                                                          else ""))
        for i in picks:
            for tag, L in layers.items():
                res = rows[tag]
                say("  %-8s %s (%.4f, %.4f): %s" % (tag, names[i], lat[i], lon[i],
                                                    oracle(res["out"], names[i], lat[i], lon[i], r)))
    say("")
    la = os.getloadavg()
    say("load average at end: %.2f %.2f %.2f" % la)
    say("bench wall time %.1f s" % (time.perf_counter() - t_start))
    if not a.keep and not a.workdir:
        shutil.rmtree(wd, ignore_errors=True)
    elif a.keep or a.workdir:
        say("outputs kept in %s" % wd)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
