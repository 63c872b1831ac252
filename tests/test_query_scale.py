#!/usr/bin/python3
"""georeach query at scale against an independent reference: 200 sites x
200,000 seeded targets (uniform on the sphere, plus sites on the poles and the
antimeridian, targets on them, on the sites, and 5 cm either side of 885 km
from a site), --range 885km --in-range --nearest.

Reference, without georeach's pruning: the straight-line (chord) distance
between two points of the WGS84 surface, in ECEF, is never more than the
geodesic distance, so pairs with chord > R + 1 m cannot be in range; the
others (~0.5 % of all pairs) get pyproj.Geod(ellps='WGS84').inv.  For a target
no site reaches, the nearest site overall is among those whose chord is at
most the geodesic distance to the site of least chord.

Checked: the set of targets in range equals georeach's (rows with
in_range true); each one's nearest capable site and distance (1 mm; georeach
writes km with 6 decimals); each unreachable target's row, when georeach
writes one, names the nearest site (ties within 1 mm accepted) and in_range false.
No timing assertions.  usage: test_query_scale.py GEOREACH"""

import csv
import os
import subprocess
import sys
import tempfile

import numpy as np
from pyproj import Geod

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, check, done  # noqa: E402

R = 885000.0                  # the reference's range, m (georeach gets "885km")
NS, NT = 200, 200000
A, F = 6378137.0, 1 / 298.257223563
E2 = F * (2 - F)
G = Geod(ellps="WGS84")


def uniform(rng, n):
    u = rng.uniform(0.0, 1.0, (n, 2))
    return np.degrees(np.arcsin(2.0 * u[:, 0] - 1.0)), 360.0 * u[:, 1] - 180.0


def ecef(lat, lon):
    p, l = np.radians(lat), np.radians(lon)
    n = A / np.sqrt(1 - E2 * np.sin(p) ** 2)
    return np.stack([n * np.cos(p) * np.cos(l), n * np.cos(p) * np.sin(l), n * (1 - E2) * np.sin(p)], axis=1)


def write(path, prefix, lat, lon, decimals):
    """Write name,lat,lon; return the coordinates as written (parsed back)."""
    w = len(str(len(lat) - 1))
    la = ["%.*f" % (decimals[i], v) for i, v in enumerate(lat)]
    lo = ["%.*f" % (decimals[i], v) for i, v in enumerate(lon)]
    with open(path, "w") as f:
        f.write("name,lat,lon\n")
        f.writelines("%s%0*d,%s,%s\n" % (prefix, w, i, a, o) for i, (a, o) in enumerate(zip(la, lo)))
    return np.array(la, dtype=float), np.array(lo, dtype=float)


# ---- sites: 4 special (both poles, on and next to the antimeridian) + random
rng = np.random.default_rng(20240117)
slat, slon = uniform(rng, NS)
slat[:4], slon[:4] = [90.0, -90.0, 10.0, -35.0], [0.0, 0.0, 180.0, -179.9]
# the sites are the values as written (1e-6 deg); the boundary targets below
# are placed from these
slat = np.array(["%.6f" % v for v in slat], dtype=float)
slon = np.array(["%.6f" % v for v in slon], dtype=float)
# ---- targets: random, then special ones
tlat, tlon = uniform(rng, NT)
spec_lat, spec_lon = [], []
spec_lat += [89.5, 88.0, -89.9, -84.0, 90.0, -90.0]            # round the poles
spec_lon += [123.0, -60.0, -45.0, 170.0, 0.0, 77.0]
spec_lat += [10.0, 12.0, 9.0, -35.2, -34.8]                     # across the antimeridian
spec_lon += [-179.0, 179.5, -175.0, 179.8, -179.2]
spec_lat += list(slat[:30])                                     # on sites
spec_lon += list(slon[:30])
# 5 cm inside and outside the range of 40 sites, random azimuths
k = np.arange(40)
az = rng.uniform(-180, 180, 40)
for d in (R - 0.05, R + 0.05):
    lo2, la2, _ = G.fwd(slon[4 + k], slat[4 + k], az, np.full(40, d))
    spec_lat += list(la2)
    spec_lon += list(lo2)
nspec = len(spec_lat)
tlat = np.concatenate([tlat, spec_lat])
tlon = np.concatenate([tlon, spec_lon])
NT = len(tlat)
dec_t = [6] * (NT - 80) + [9] * 80          # boundary targets: 1e-9 deg (0.1 mm)

with tempfile.TemporaryDirectory() as d:
    sf, tf = os.path.join(d, "sites.csv"), os.path.join(d, "targets.csv")
    wlat, wlon = write(sf, "s", slat, slon, [6] * NS)
    assert np.array_equal(wlat, slat) and np.array_equal(wlon, slon)
    tlat, tlon = write(tf, "t", tlat, tlon, dec_t)
    snames = ["s%03d" % i for i in range(NS)]
    tw = len(str(NT - 1))
    p = subprocess.run([BIN, "query", "--sites", sf, "--targets", tf, "--range", "885km", "--in-range",
                        "--nearest", "--as", "csv", "-q"], capture_output=True, text=True)
    check(p.returncode == 0, "georeach query ran (exit %d%s)" % (p.returncode, (": " + p.stderr.strip()[-200:])
                                                                   if p.returncode else ""))
    rows = list(csv.DictReader(p.stdout.splitlines()))

# ---- reference: chord prefilter, then the inverse problem on candidates
us, ut = ecef(slat, slon), ecef(tlat, tlon)
ns2, nt2 = (us ** 2).sum(1), (ut ** 2).sum(1)
cand_s, cand_t = [], []
chord_min = np.full(NT, np.inf)
chord_arg = np.zeros(NT, dtype=np.int64)
CH = 20
for i0 in range(0, NS, CH):
    # |a - b|^2 expanded; its rounding error (~0.1 m^2) is far inside the 1 m slack
    c2 = ns2[i0:i0 + CH, None] + nt2[None, :] - 2.0 * (us[i0:i0 + CH] @ ut.T)
    c = np.sqrt(np.maximum(c2, 0.0))
    ii, tt = np.nonzero(c <= R + 1.0)
    cand_s.append(ii + i0)
    cand_t.append(tt)
    j = np.argmin(c, axis=0)
    m = c[j, np.arange(NT)]
    better = m < chord_min
    chord_min[better] = m[better]
    chord_arg[better] = j[better] + i0
cand_s, cand_t = np.concatenate(cand_s), np.concatenate(cand_t)
s = G.inv(slon[cand_s], slat[cand_s], tlon[cand_t], tlat[cand_t])[2]
inr = s <= R
cs, ct, cd = cand_s[inr], cand_t[inr], s[inr]
order = np.lexsort((cs, cd, ct))             # by target, then distance, then site
cs, ct, cd = cs[order], ct[order], cd[order]
first = np.ones(len(ct), bool)
first[1:] = ct[1:] != ct[:-1]
ref = {int(t): (int(i), float(x)) for t, i, x in zip(ct[first], cs[first], cd[first])}
# every in-range distance of a target, to accept a tie within 1 mm
inrange_d = {}
for t, i, x in zip(ct, cs, cd):
    inrange_d.setdefault(int(t), {})[int(i)] = float(x)
print("reference: %d candidate pairs of %d (chord <= R + 1 m), %d in range, %d of %d targets reachable"
      % (len(cand_s), NS * (NT), len(cs), len(ref), NT))

# ---- compare the reachable targets
sidx = {n: i for i, n in enumerate(snames)}
got_in, got_out, bad_rows = {}, {}, 0
for r in rows:
    try:
        t = int(r["target"][1:])
        i = sidx[r["site"]]
        x = float(r["dist_km"]) * 1000.0
        flag = r["in_range"]
    except (KeyError, ValueError, TypeError):
        bad_rows += 1
        continue
    if r["target"] != "t%0*d" % (tw, t) or (t in got_in or t in got_out):
        bad_rows += 1
        continue
    if flag not in ("true", "false"):  # CSV booleans are true/false (README)
        bad_rows += 1
        continue
    (got_in if flag == "true" else got_out)[t] = (i, x)
check(bad_rows == 0, "every row names a known site and a target once (%d bad of %d)" % (bad_rows, len(rows)))
miss = sorted(set(ref) - set(got_in))
extra = sorted(set(got_in) - set(ref))
check(not miss and not extra,
      "reachable set: georeach %d, reference %d (missing %d%s, extra %d%s)"
      % (len(got_in), len(ref), len(miss), (" e.g. t%d" % miss[0]) if miss else "",
         len(extra), (" e.g. t%d" % extra[0]) if extra else ""))
bnd_in = [t for t in range(NT - 80, NT - 40)]
bnd_out = [t for t in range(NT - 40, NT)]
kk = np.arange(40)
sb = G.inv(slon[4 + kk], slat[4 + kk], tlon[NT - 80 + kk], tlat[NT - 80 + kk])[2] - R
sa = G.inv(slon[4 + kk], slat[4 + kk], tlon[NT - 40 + kk], tlat[NT - 40 + kk])[2] - R
check(np.all(np.abs(sb + 0.05) < 1e-3) and np.all(np.abs(sa - 0.05) < 1e-3),
      "boundary targets as written: %.4f..%.4f m and %.4f..%.4f m from R" % (sb.min(), sb.max(), sa.min(), sa.max()))
check(all(t in got_in for t in bnd_in),
      "targets 5 cm inside the range of a site are reachable (%d of 40)" % sum(t in got_in for t in bnd_in))
check(sum(t in got_in and got_in[t][0] == 4 + (t - (NT - 40)) for t in bnd_out) == 0,
      "targets 5 cm outside the range of a site are not reached by that site")
wrong_site = ties = 0
worst = 0.0
example = None
for t, (i, x) in got_in.items():
    if t not in ref:
        continue
    ri, rx = ref[t]
    if i != ri:
        xi = inrange_d.get(t, {}).get(i)
        if xi is not None and xi - rx < 1e-3:
            ties += 1
        else:
            wrong_site += 1
            example = example or (t, i, x, ri, rx)
            continue
    worst = max(worst, abs(x - inrange_d[t][i]))
check(wrong_site == 0, "nearest capable site: %d wrong, %d ties within 1 mm%s"
      % (wrong_site, ties, (" (e.g. t%d: georeach s%03d %.3f m, reference s%03d %.3f m)" % example)
                            if example else ""))
check(worst <= 1e-3, "distances to the nearest capable site: worst |diff| %.3f mm (csv keeps mm)" % (worst * 1e3))

# ---- the unreachable targets, when georeach writes them
unreach = np.array(sorted(set(range(NT)) - set(ref)), dtype=np.int64)
if got_out:
    check(sorted(got_out) == unreach.tolist(),
          "rows with in_range false: exactly the %d unreachable targets (georeach wrote %d)" % (len(unreach), len(got_out)))
    # nearest site overall: s(site of least chord) bounds the chord of the nearest
    s_m = G.inv(slon[chord_arg[unreach]], slat[chord_arg[unreach]], tlon[unreach], tlat[unreach])[2]
    cs2, ct2 = [], []
    for i0 in range(0, NS, CH):
        c2 = ns2[i0:i0 + CH, None] + nt2[None, unreach] - 2.0 * (us[i0:i0 + CH] @ ut[unreach].T)
        ii, tt = np.nonzero(np.sqrt(np.maximum(c2, 0.0)) <= s_m[None, :] + 1.0)
        cs2.append(ii + i0)
        ct2.append(tt)
    cs2, ct2 = np.concatenate(cs2), np.concatenate(ct2)
    s2 = G.inv(slon[cs2], slat[cs2], tlon[unreach[ct2]], tlat[unreach[ct2]])[2]
    best = np.full(len(unreach), np.inf)
    np.minimum.at(best, ct2, s2)
    dist_of = {}
    for j, i, x in zip(ct2.tolist(), cs2.tolist(), s2.tolist()):
        dist_of[(j, i)] = x
    bad = 0
    worst_u = 0.0
    for j, t in enumerate(unreach.tolist()):
        if t not in got_out:
            continue
        i, x = got_out[t]
        xi = dist_of.get((j, i))
        if xi is None or xi - best[j] >= 1e-3:
            bad += 1
            continue
        worst_u = max(worst_u, abs(x - xi))
    check(bad == 0 and worst_u <= 1e-3,
          "unreachable targets: the nearest site overall (%d wrong; %d candidate pairs), distances worst "
          "|diff| %.3f mm" % (bad, len(cs2), worst_u * 1e3))
else:
    print("note: georeach wrote no row for the %d unreachable targets (--in-range applied)" % len(unreach))
check(len(ref) > NT // 2 and len(unreach) > 1000,
      "the workload has both kinds of target (%d reachable, %d not)" % (len(ref), len(unreach)))
done()
