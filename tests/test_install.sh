#!/usr/bin/env bash
# Install into a temporary prefix and use georeach from there as a user and a
# C programmer would: the command from an unrelated folder (no environment
# variable: it finds its data under PREFIX/share/georeach), the examples built
# with pkg-config alone and with find_package(georeach), and only public names
# exported.  usage: test_install.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
build=$1 src=$2
pass=0 fail=0
check() { # check "claim" command...
  local what=$1; shift
  if "$@" >/tmp/georeach-install-check.$$ 2>&1; then echo "ok   $what"; pass=$((pass + 1))
  else echo "FAIL $what"; sed 's/^/     /' /tmp/georeach-install-check.$$ | head -20; fail=$((fail + 1)); fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp" /tmp/georeach-install-check.$$' EXIT
prefix=$tmp/prefix work=$tmp/elsewhere
mkdir -p "$work"
unset GEOREACH_DATA
check "cmake --install into a temporary prefix" cmake --install "$build" --prefix "$prefix"
bin=$prefix/bin/georeach
libdir=$(dirname "$(find "$prefix" -name 'libgeoreach.so.*' -o -name libgeoreach.a | head -1)")
cd "$work" || exit 1

check "the installed command runs from an unrelated folder" \
  "$bin" rings --missile KN-23 --site Pyongyang -o x.gpkg -q
check "and wrote one ring" bash -c "ogrinfo -so x.gpkg rings | grep -q 'Feature Count: 1'"
check "it reads the installed data (--version names PREFIX/share/georeach)" \
  bash -c "'$bin' --version | grep -qF '$prefix/'"
check "a man page per command" bash -c \
  "for c in '' -rings -query -basket -map -missiles -locate; do head -1 '$prefix/share/man/man1/georeach'\$c.1 | grep -q '^.TH' || exit 1; done"
check "bash completion lists a command's options" bash -c \
  "source '$prefix/share/bash-completion/completions/georeach'; COMP_WORDS=('$bin' rings --mis); COMP_CWORD=2; _georeach; printf '%s\n' \"\${COMPREPLY[@]}\" | grep -qx -- --missile"

# The Python module (python/georeach), installed into Debian's Python path
# under the prefix: imported from an unrelated folder with PYTHONPATH only, it
# loads the installed library (not the build tree's) and reads the installed
# data.
pydir=$(dirname "$(find "$prefix" -path '*dist-packages/georeach/__init__.py' | head -1)" 2>/dev/null)
if [ -f "$libdir/libgeoreach.so.1" ] || ls "$libdir"/libgeoreach.so.* >/dev/null 2>&1; then
  check "the Python module is installed under PREFIX/lib/python3*/dist-packages" \
    bash -c "[ -n '$pydir' ] && case '$pydir' in '$prefix'/lib/python3*/dist-packages/georeach) ;; *) exit 1;; esac"
  check "import georeach (installed) loads the installed library and draws a KN-23 ring" \
    env -u GEOREACH_LIBRARY PYTHONPATH="$(dirname "$pydir")" /usr/bin/python3 -c "
import georeach, os
assert georeach.__file__.startswith('$prefix/'), georeach.__file__
assert os.path.realpath(georeach.library_path()).startswith(os.path.realpath('$prefix') + '/'), georeach.library_path()
(f,) = georeach.rings(site='Pyongyang', missile='KN-23')
assert f['properties']['range_km'] == 885.0 and f['geometry']['type'] == 'Polygon', f['properties']
"
  rel=${pydir#"$prefix"/}
  # lib/python3/dist-packages is Debian's for /usr; lib/python3.X/... for /usr/local
  check "that folder is on Debian's python3 path for the configured prefix ($rel)" \
    /usr/bin/python3 -c "import sys; r = '${rel%/georeach}'; p = ('/usr/' if r.startswith('lib/python3/') else '/usr/local/') + r; assert p in sys.path, (p, sys.path)"
fi

export PKG_CONFIG_PATH=$libdir/pkgconfig
for ex in "$src"/docs/examples/*.c; do
  name=$(basename "$ex" .c)
  check "$name builds with pkg-config --cflags --libs georeach" bash -c \
    "cc -Wall -Wextra -Werror '$ex' \$(pkg-config --cflags --libs georeach) -Wl,-rpath,'$libdir' -o '$name'"
  check "$name runs" "./$name"
done
check "kn23_pyongyang answers Seoul in range, Tokyo out" bash -c \
  "./kn23_pyongyang | grep -q 'Seoul.*in range' && ./kn23_pyongyang | grep -q 'Tokyo.*out of range'"
check "rings_app ran 'rings' through apps.h: one ring in a GeoPackage" bash -c \
  "ogrinfo -so kn23_app.gpkg rings | grep -q 'Feature Count: 1'"
check "the examples build with find_package(georeach)" bash -c \
  "cmake -S '$src/docs/examples' -B cm -DCMAKE_PREFIX_PATH='$prefix' -DCMAKE_BUILD_RPATH='$libdir' >/dev/null && cmake --build cm >/dev/null"
check "and run" bash -c "for x in cm/kn23_pyongyang cm/rings_app; do [ ! -e \$x ] || \$x >/dev/null || exit 1; done"

so=$(ls "$libdir"/libgeoreach.so.* 2>/dev/null | head -1)
if [ -n "$so" ]; then
  check "the shared library has a SONAME with the ABI version" bash -c \
    "readelf -d '$so' | grep -q 'SONAME.*libgeoreach.so.[0-9]'"
  # Every exported function or object is declared in a public header.
  nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^_' | sort -u > exported.txt
  cat "$prefix"/include/georeach/*.h | grep -oE '\breach_[a-z0-9_]+\b' | sort -u > declared.txt
  check "nm -D lists only names of the public headers ($(wc -l < exported.txt) names)" \
    bash -c "comm -23 exported.txt declared.txt | tee /dev/stderr | wc -l | grep -qx 0"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
