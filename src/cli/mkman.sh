#!/bin/sh
# A man page from a command's --help (the one option table writes both):
#   mkman.sh GEOREACH [COMMAND] VERSION > georeach-COMMAND.1
set -eu
bin=$1 cmd=$2 version=$3
if [ -n "$cmd" ]; then
  name="georeach-$cmd"; help=$("$bin" "$cmd" --help)
else
  name=georeach; help=$("$bin" --help)
fi
summary=$(printf '%s\n' "$help" | awk 'seen && NF {print; exit} !NF {seen=1}' | sed 's/^ *//')
upper=$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')
printf '.TH %s 1 "" "georeach %s" "User Commands"\n' "$upper" "$version"
printf '.SH NAME\n%s \\- %s\n' "$name" "$(printf '%s' "$summary" | sed 's/\\/\\\\/g; s/^\./\\\&./')"
printf '.SH DESCRIPTION\n.nf\n'
# Verbatim: escape backslashes, and lines starting with . or ' (roff requests).
printf '%s\n' "$help" | sed 's/\\/\\e/g; s/^\([.'"'"']\)/\\\&\1/'
printf '.fi\n.SH SEE ALSO\ngeoreach(1), the README of the georeach sources\n'
