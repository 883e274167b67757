#!/bin/sh
# run-fuzzers.sh: every libFuzzer harness of tests/fuzz for a while, in a clang build of its own
# (AddressSanitizer, UndefinedBehaviorSanitizer, LeakSanitizer).
#   tests/fuzz/run-fuzzers.sh [seconds-per-target] [build-dir]
# Defaults: 60 s per target, build-fuzz next to the sources. Installs clang and libFuzzer
# (libclang-rt-14-dev) with apt-get when they are missing. The harnesses run one after the other;
# the seeds are copied into BUILD-DIR/fuzz-runs/TARGET-corpus, which keeps what they find, and the
# source tree is never written. Prints per target: executions, exec/s, corpus size, crashes.
# Exits non-zero when any harness found a crash, a leak or a timeout (the input is in
# BUILD-DIR/fuzz-runs/TARGET-artifacts/; see tests/fuzz/README.md for what to do with it).
set -eu

seconds=${1:-60}
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath -m "${2:-$top/build-fuzz}")
targets="config survey reply http fields batch"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

clang_ok() {
  command -v clang > /dev/null 2>&1 || return 1
  # libFuzzer's runtime is a separate package on Debian.
  printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' |
    clang -x c -fsanitize=fuzzer -o /dev/null - > /dev/null 2>&1
}

if ! clang_ok; then
  echo "run-fuzzers: installing clang and libclang-rt-14-dev"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    clang libclang-rt-14-dev
  clang_ok || { echo "run-fuzzers: clang cannot link -fsanitize=fuzzer" >&2; exit 2; }
fi

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" "$top" -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbenchmarks=false
fi
# The server's request parsing is there when the server is built (libpq and libmicrohttpd).
if grep -q '^build tests/fuzz/fuzz-server-request:' "$build/build.ninja"; then
  targets="$targets server-request"
fi
set --
for t in $targets; do
  set -- "$@" "tests/fuzz/fuzz-$t"
done
meson compile -C "$build" "$@"

# A finding stops the harness and is written as an artifact: undefined behaviour too.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

runs=$build/fuzz-runs
mkdir -p "$runs"
failed=0
summary=""
for t in $targets; do
  log=$runs/$t.log
  echo "run-fuzzers: fuzz-$t for $seconds s (log: $log)"
  status=0
  rm -rf "$runs/$t-artifacts"
  "$top/tests/fuzz/fuzz-run-one.sh" "$build/tests/fuzz/fuzz-$t" "$seconds" "$top/tests/fuzz" \
    "$runs" "$t" > "$log" 2>&1 || status=$?

  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.*\(cov: [0-9]* ft: [0-9]*\).*/\1/p')
  corpus=$(find "$runs/$t-corpus" -type f | wc -l)
  crashes=$(find "$runs/$t-artifacts" -type f | wc -l)
  line=$(printf '%-14s executions %-10s exec/s %-6s %-20s corpus %-5s crashes %s' "$t" \
         "${execs:-?}" "${rate:-?}" "${cov:-cov: ?}" "$corpus" "$crashes")
  if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    failed=1
    line="$line  FAILED (exit status $status)"
    grep -E 'ERROR|SUMMARY|^artifact_prefix|Test unit written' "$log" | head -n 5 | sed 's/^/    /'
  fi
  summary="$summary$line
"
done

printf '%s' "$summary"
exit $failed
