#!/bin/sh
# staff-screenshots.sh [BUILDDIR]: renders the staff screens (admin, PIN pad) and the closed and
# attract screens with the display tests and copies the ones the README shows into docs/.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}

meson test -C "$build" --suite ui test-admin test-screens

for name in admin-1280x800-en admin-800x480-en admin-480x800-en pin-800x480-en \
            admin-first-boot-error-1280x800 closed-800x480 attract-1280x800; do
  target=$(echo "$name" | sed 's/-en$//')
  cp "$build/tests/$name.png" "$top/docs/$target.png"
  echo "docs/$target.png"
done
