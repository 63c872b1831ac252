#!/usr/bin/env bash
# valgrind memcheck over end-to-end CLI runs: every output format, annuli,
# sectors, the antipodal tracing, places, MGRS, the catalogue, and error
# paths.  Any error or definite/indirect leak fails (no suppressions needed
# so far: GDAL, GEOS and PROJ free what they allocate on these paths).
# "Possibly lost" blocks are not shown: GLib, under Pango, keeps its type
# system and interned strings (pango_language_from_string) for the life of
# the process by design, and valgrind counts them as possibly lost.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=$(cd "$(dirname "$0")/../data" && pwd)
pass=0 fail=0
run() { # expected-exit args...
  local want=$1; shift
  valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect --error-exitcode=99 -q "$bin" "$@" >/dev/null 2>"$tmp/err"
  local rc=$?
  if [ $rc -eq "$want" ] && ! grep -q '==[0-9]*==' "$tmp/err"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "FAIL (exit $rc, want $want): georeach $*"; head -20 "$tmp/err"
  fi
}
run 0 rings --site=-17.7,178 --range 1500km --min-range 100km -o "$tmp/a.geojson"
run 0 rings --sites "$data/sites/iran_bases.csv" --range 2000km -o "$tmp/b.shp"
run 0 rings --site Belgorod --missile KN-23,Iskander-M --band --azimuth 300:60 -o "$tmp/c.gpkg"
run 0 rings --site 39,125 --range 20002931m --tolerance 50m -o "$tmp/d.fgb"
run 0 rings --site 78.2,15.6 --rings 500,1500 -o "$tmp/e.kml"
run 0 rings --site 37UDB1234567890 --range 300km -o "$tmp/f.csv" --threads 2
run 0 rings --site 90,0 --range 1000km --azimuth 300:20 -o -
run 0 missiles --as json
run 0 locate Springfield "50 36 00N 36 36 00E"
run 0 map --site=-17.7,178 --range 1500km --width 400 -o "$tmp/m.png"
run 0 map --sites "$data/sites/jan2024_launch_areas.csv" --missile KN-23 --target Kyiv \
  --target Berlin --cities 5 --credit x --label-max 5 --dpi 200 --transparent --width 400 \
  -o "$tmp/m2.png"
run 2 map --site 1,1 --range 5 -o "$tmp/x.tif"
run 2 rings --site 91,0 --range 5 -o "$tmp/x.geojson"
run 2 rings --missile nope --site 1,1 -o "$tmp/x.kml"
run 1 rings --sites /nonexistent.csv --range 5 -o "$tmp/x.geojson"
run 1 rings --site 1,1 --range 5 -o "$tmp/a.geojson"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
