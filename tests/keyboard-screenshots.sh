#!/bin/sh
# keyboard-screenshots.sh [BUILDDIR]: renders the comment page with the Arabic, Russian and Hebrew
# keyboards (test-window, /window/layout/keyboards) and copies the 1280x800 pictures the README
# shows into docs/keyboards/.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}

meson test -C "$build" --suite ui test-window --test-args "-p /window/layout/keyboards"

mkdir -p "$top/docs/keyboards"
for language in ar ru he; do
  cp "$build/tests/page-keyboard-comment-1280x800-$language.png" "$top/docs/keyboards/$language.png"
  echo "docs/keyboards/$language.png"
done
