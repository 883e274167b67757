#!/bin/sh
# test-new-language.sh SOURCE_ROOT TEST_LANGUAGES: a translator adds a language by the steps of
# CONTRIBUTING.md, in a copy of the source tree, for a made-up language ("qtz", a code ISO 639
# keeps for local use): start po/qtz.po from the template, translate it (every text becomes
# "⟦text⟧"), name the language, add it to po/LINGUAS, build. Then the kiosk's pages
# (test-languages, with the copy's catalogues) must list it on the language bar by its own
# name and show its texts on every page, at 800x480 and 1280x800. No C and no JSON is edited.
set -eu
top=$1
pages=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "Bail out! $*"; exit 1; }

echo "# copying the source tree to $tmp/src"
mkdir "$tmp/src"
tar -C "$top" --exclude='./.git' --exclude='./_build*' --exclude='./build*' -cf - . |
  tar -C "$tmp/src" -xf -
cd "$tmp/src"

echo "# 1. start po/qtz.po from the template"
msginit --no-translator --locale=qtz --input=po/smiley-kiosk.pot --output-file=po/qtz.po \
  >/dev/null 2>&1 || fail "msginit failed"

echo "# 2. translate it: the plural rule, every text, the language's own name"
sed -i 's/^"Plural-Forms: .*"$/"Plural-Forms: nplurals=2; plural=(n != 1);\\n"/' po/qtz.po
msgen --output-file=po/qtz.po po/qtz.po || fail "msgen failed"
msgfilter --keep-header --input=po/qtz.po --output-file=po/qtz.po \
  sed -e '1s/^/⟦/' -e '$s/$/⟧/' || fail "msgfilter failed"
# The entry with msgctxt "language name" holds the name the language bar shows.
awk '/^msgctxt "language name"$/ { name = 1 }
     name && /^msgstr / { print "msgstr \"Qetzal\""; name = 0; next }
     { print }' po/qtz.po > po/qtz.po.new && mv po/qtz.po.new po/qtz.po
grep -q '^msgstr "Qetzal"$' po/qtz.po || fail "po/qtz.po has no language name entry"
msgfmt --check --statistics -o /dev/null po/qtz.po 2>&1 | sed 's/^/# /'

echo "# 3. add the code to po/LINGUAS"
echo qtz >> po/LINGUAS

echo "# 4. build (the catalogues: the program is the one under test)"
meson setup "$tmp/build" . -Dbenchmarks=false -Dserver=disabled >"$tmp/setup.log" 2>&1 ||
  { sed 's/^/# /' "$tmp/setup.log"; fail "meson setup failed"; }
meson compile -C "$tmp/build" smiley-kiosk-gmo >"$tmp/compile.log" 2>&1 ||
  { sed 's/^/# /' "$tmp/compile.log"; fail "building the catalogues failed"; }
[ -f "$tmp/build/po/qtz/LC_MESSAGES/smiley-kiosk.mo" ] || fail "no catalogue for qtz was built"

echo "# 5. the kiosk with these catalogues, in qtz: every page"
export SMILEY_KIOSK_LOCALEDIR="$tmp/build/po"
export SMILEY_KIOSK_NEW_LANGUAGE="qtz Qetzal"
set -- "$pages" --tap -p /languages/qtz
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null; then
  set -- xvfb-run -a -s '-screen 0 1920x1920x24 -nolisten tcp' "$@"
fi
"$@"
