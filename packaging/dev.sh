#!/bin/sh
# dev.sh: the two commands a newcomer needs, from a fresh Debian 12 checkout.
#   packaging/dev.sh demo   install what is needed, build, start the kiosk in a window
#   packaging/dev.sh test   install what is needed, build, run the whole test suite
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/_build"
cd "$top"

sh packaging/install-deps.sh

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build"
fi
meson compile -C "$build"

case "${1:-}" in
  demo)
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
      echo "dev.sh: no display (DISPLAY or WAYLAND_DISPLAY); start this from a desktop session" >&2
      exit 1
    fi
    shift
    # Translations from the build tree; the database goes to ~/.local/state/smiley-kiosk.
    SMILEY_KIOSK_LOCALEDIR="$build/po" exec "$build/src/smiley-kiosk" --windowed "$@"
    ;;
  test)
    shift
    status=0
    meson test -C "$build" --print-errorlogs "$@" || status=$?
    python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
    exit $status
    ;;
  *)
    echo "usage: packaging/dev.sh demo|test [arguments]" >&2
    exit 2
    ;;
esac
