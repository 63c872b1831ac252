#!/usr/bin/env bash
# The layers of src/ (README, "Layout"): each may include headers of the
# layers before it and its own, never one after it (no import circle), and
# only the external headers its rule allows.  The compiler enforces the
# external ones too (src/fence/); this names every offence at once.
# usage: test_layers.sh SOURCE_DIR
set -uo pipefail
cd "$1/src" || exit 2
order=(core geodesy geom io data coverage render apps cli)
declare -A allowed=(
  [core]='proj.h geodesic.h'
  [geodesy]='geodesic.h'
  [geom]='geos_c.h geodesic.h'
  [io]='gdal.h ogr_api.h ogr_srs_api.h ogr_core.h cpl_conv.h cpl_string.h cpl_vsi.h cpl_error.h cpl_minixml.h gdal_utils.h geodesic.h'
  [data]='geodesic.h'
  [coverage]='geodesic.h'
  [render]='cairo.h cairo-pdf.h cairo-svg.h fontconfig/fontconfig.h proj.h geodesic.h pango/pangocairo.h'
  [apps]='geodesic.h'
  [cli]=''
)
external='geos_c.h|proj.h|geodesic.h|gdal.h|ogr_[a-z_]*.h|cpl_[a-z_]*.h|gdal_[a-z_]*.h|cairo[a-z-]*.h|fontconfig/fontconfig.h|pango/[a-z]*.h'
pass=0 fail=0
rank() { local i; for i in "${!order[@]}"; do [ "${order[$i]}" = "$1" ] && echo "$i" && return; done; echo -1; }
for layer in "${order[@]}"; do
  [ -d "$layer" ] || continue
  me=$(rank "$layer") bad=()
  for f in "$layer"/*.[ch]; do
    [ -e "$f" ] || continue
    while IFS= read -r inc; do
      dep=${inc%%/*}
      r=$(rank "$dep")
      if [ "$r" -gt "$me" ]; then bad+=("$f includes \"$inc\" (layer $dep comes after $layer)"); fi
    done < <(grep -oE '^#include "[a-z]+/[a-z_]+\.h"' "$f" | sed 's/#include "\(.*\)"/\1/' | grep -v '^georeach/')
    while IFS= read -r inc; do
      case " ${allowed[$layer]} " in *" $inc "*) ;; *) bad+=("$f includes <$inc>, which $layer may not use") ;; esac
    done < <(grep -oE "^#include <($external)>" "$f" | sed 's/#include <\(.*\)>/\1/')
  done
  if [ ${#bad[@]} -eq 0 ]; then echo "ok   $layer: includes only layers before it and its allowed libraries"; pass=$((pass + 1))
  else echo "FAIL $layer:"; printf '     %s\n' "${bad[@]}"; fail=$((fail + 1)); fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
