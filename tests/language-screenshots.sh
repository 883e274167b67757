#!/bin/sh
# language-screenshots.sh [BUILDDIR]: renders every page in every language with test-languages
# and copies the ones docs/languages/ shows (Arabic, right to left, and Russian, at 800x480).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}

meson test -C "$build" --suite languages test-languages

mkdir -p "$top/docs/languages"
for language in ar ru; do
  for page in survey follow-up comment contact thanks admin; do
    name=language-$page-800x480-$language.png
    cp "$build/tests/$name" "$top/docs/languages/$page-800x480-$language.png"
    echo "docs/languages/$page-800x480-$language.png"
  done
done
