#!/bin/sh
# run-valgrind.sh: the core and fault tests under valgrind's memcheck, in a plain debugoptimized
# build of their own.
#   tests/run-valgrind.sh [build-dir]
# A definite leak, an invalid read or write or a use of uninitialised memory fails the test. The
# last line is "valgrind: N passed, N failed, N skipped"; the exit status is meson test's.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$top/build-valgrind}")
cd "$top"

sh packaging/install-deps.sh
case "$(dpkg-query -W -f='${Status}' valgrind 2>/dev/null || true)" in
  *"install ok installed"*) ;;
  *)
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
      SUDO="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends valgrind
    ;;
esac

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=debugoptimized -Dbenchmarks=false
fi
meson compile -C "$build"

# gc-friendly (set by the test environment) and always-malloc let memcheck see every block GLib
# hands out. Inside the tests, timeouts of the code under test (a TLS handshake within a connect
# timeout) and the tests' own bounded waits are multiplied by KIOSK_TEST_TIME_SCALE.
export G_SLICE=always-malloc
export KIOSK_TEST_TIME_SCALE=10
# The power-cut simulation cuts 1200 times at random among at most 9 sync points and 30 writes,
# which takes over 8 minutes under memcheck; 100 cuts run the same code paths (the sanitizer run
# keeps all 1200).
export KIOSK_POWERCUT_ITERATIONS=100
valgrind="valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite
  --show-leak-kinds=definite --error-exitcode=1 --track-origins=yes --num-callers=30
  --suppressions=$top/tests/valgrind.supp"

# test-buttons runs through umockdev-wrapper, a shell script that execs env, which preloads
# libumockdev and execs the test: valgrind has to follow those execs into the test program (sh and
# env are checked too, cheaply). Only there: children of the other tests would be checked twice as
# slowly, and some are killed on purpose.
preloaded="test-buttons"
plain=""
wrapped=""
for t in $(meson test -C "$build" --list --suite core --suite faults 2>/dev/null |
           sed -n 's/^[^ ]* \/ //p'); do
  case " $preloaded " in
    *" $t "*) wrapped="$wrapped $t" ;;
    *) plain="$plain $t" ;;
  esac
done

rm -f "$build"/meson-logs/valgrind-*
start=$(date +%s)
status=0
meson test -C "$build" --print-errorlogs --logbase valgrind-plain -t 10 \
  --wrap="$(echo $valgrind)" $plain || status=$?
if [ -n "$wrapped" ]; then
  meson test -C "$build" --print-errorlogs --logbase valgrind-preloaded -t 10 \
    --wrap="$(echo $valgrind) --trace-children=yes" \
    $wrapped || status=$?
fi
end=$(date +%s)

# Per test: result, time and what memcheck found (from its report on stderr).
python3 - "$((end - start))" "$build"/meson-logs/valgrind-*.json <<'PY'
import json, re, sys
passed = failed = skipped = 0
for path in sys.argv[2:]:
    for line in open(path):
        r = json.loads(line)
        log = (r.get("stderr") or "") + (r.get("stdout") or "")
        errors = sum(int(n) for n in re.findall(r"ERROR SUMMARY: (\d+) errors", log))
        leaks = len(re.findall(r"are definitely lost in loss record", log))
        reads = len(re.findall(r"== Invalid read of size", log))
        writes = len(re.findall(r"== Invalid write of size", log))
        name = r["name"].split(" / ")[-1]
        print(f"  {name:20} {r['result']:7} {r['duration']:7.1f} s  errors {errors}, "
              f"definite leaks {leaks}, invalid reads {reads}, invalid writes {writes}")
        if r["result"] in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r["result"] == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"valgrind: {passed} passed, {failed} failed, {skipped} skipped in {sys.argv[1]} s")
PY
exit $status
