#!/bin/sh
# run-sanitizers.sh: the test suite built with AddressSanitizer, LeakSanitizer and
# UndefinedBehaviorSanitizer, in a build directory of its own.
#   tests/run-sanitizers.sh [--core] [build-dir]
# --core runs only the suites that need no display (core, faults and cli). The last line is
# "sanitizers: N passed, N failed, N skipped"; the exit status is meson test's.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
suites=""
if [ "${1:-}" = "--core" ]; then
  suites="--suite core --suite faults --suite cli"
  shift
fi
build=$(realpath -m "${1:-$top/build-sanitize}")
cd "$top"

sh packaging/install-deps.sh
# The sanitizer runtimes of Debian 12's gcc (usually already there as dependencies of gcc-12).
missing=""
for p in libasan8 libubsan1; do
  case "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done
if [ -n "$missing" ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends $missing
fi

# b_lundef=false: the sanitizer runtime provides symbols the shared objects leave undefined.
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Db_sanitize=address,undefined -Db_lundef=false -Dbenchmarks=false
fi
meson compile -C "$build"

export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# The instrumented code runs two to three times slower; the server's end-to-end drain runs a
# shorter version here (5 000 responses, 20 kills of the server) and in full in the plain suite.
export KIOSK_E2E_RESPONSES="${KIOSK_E2E_RESPONSES:-5000}" KIOSK_E2E_KILLS="${KIOSK_E2E_KILLS:-20}"
# GLib 2.74 still serves GObjects, GVariants and lists from its slice allocator, whose blocks
# AddressSanitizer sees neither freed nor leaked; plain malloc makes them visible.
export G_SLICE=always-malloc
# Suppressions cover leaks inside system libraries only; each is explained in the file.
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
asan="detect_leaks=1:abort_on_error=0"

# Three groups, each with its own ASAN_OPTIONS:
# - umockdev-wrapper preloads libumockdev ahead of the ASan runtime, which ASan refuses by
#   default: those two tests run with the link-order check off.
# - test-uploader's TLS server sometimes loses a GError inside glib-networking when a read is
#   cancelled. Telling that apart needs the allocation's whole stack, which the fast unwinder
#   cannot give (it stops at the first system library built without frame pointers), and the
#   slow one makes the uploader miss its own 2 s stop deadline. So this test runs here with ASan
#   and UBSan but without leak detection; tests/run-valgrind.sh checks it for leaks, with full
#   stacks and that one leak suppressed (tests/valgrind.supp).
preloaded="test-buttons test-application"
noleaks="test-uploader"
all=$(meson test -C "$build" --list $suites 2>/dev/null | sed -n 's/^[^ ]* \/ //p')
plain=""
wrapped=""
leakless=""
for t in $all; do
  case " $preloaded " in *" $t "*) wrapped="$wrapped $t"; continue ;; esac
  case " $noleaks " in *" $t "*) leakless="$leakless $t"; continue ;; esac
  plain="$plain $t"
done

rm -f "$build"/meson-logs/sanitize-*.json
start=$(date +%s)
status=0
ASAN_OPTIONS="$asan" meson test -C "$build" --print-errorlogs --timeout-multiplier 2 \
  --logbase sanitize-plain $plain || status=$?
if [ -n "$wrapped" ]; then
  ASAN_OPTIONS="$asan:verify_asan_link_order=0" meson test -C "$build" --print-errorlogs \
    --logbase sanitize-preloaded $wrapped || status=$?
fi
if [ -n "$leakless" ]; then
  ASAN_OPTIONS="detect_leaks=0" meson test -C "$build" --print-errorlogs \
    --logbase sanitize-noleaks $leakless || status=$?
fi
end=$(date +%s)

python3 - "$((end - start))" "$build"/meson-logs/sanitize-*.json <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[2:]:
    for line in open(path):
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"sanitizers: {passed} passed, {failed} failed, {skipped} skipped in {sys.argv[1]} s")
PY
exit $status
