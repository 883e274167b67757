#!/bin/sh
# test-potfiles.sh: every file with translatable strings is in po/POTFILES.in, and every file
# listed there exists, so translators see every string.
set -eu
top="$1"
cd "$top"
status=0
listed=$(grep -v '^#' po/POTFILES.in | sed '/^$/d')

for f in $listed; do
  [ -f "$f" ] || { echo "not ok - po/POTFILES.in lists $f, which does not exist"; status=1; }
done

for f in $( { grep -rlE '(^|[^A-Za-z0-9_])(_|N_|C_|NC_|g_dngettext|ngettext)[[:space:]]*\(' src 2>/dev/null;
              # The dashboard's D_() and DN_() (kiosk-dash.h defines them: sources only).
              grep -rlE '(^|[^A-Za-z0-9_])(D_|DN_)[[:space:]]*\(' --include='*.c' src 2>/dev/null;
              grep -rl 'translatable="yes"' ui data 2>/dev/null; } | sort -u); do
  echo "$listed" | grep -qxF "$f" || { echo "not ok - $f has translatable strings but is missing from po/POTFILES.in"; status=1; }
done

[ $status -eq 0 ] && echo "ok - po/POTFILES.in is complete"
exit $status
