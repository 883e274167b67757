#!/bin/sh
# fuzz-run-one.sh: one libFuzzer run of a harness, for `meson test --suite fuzz` and
# run-fuzzers.sh. The seeds and regressions are read from the source tree, never written: the
# corpus that grows, the crash files and the log go to BUILD-DIR/TARGET-*.
#   fuzz-run-one.sh HARNESS SECONDS SOURCE-DIR BUILD-DIR TARGET [more libFuzzer options]
set -eu

harness=$1 seconds=$2 src=$3 build=$4 target=$5
shift 5

work=$build/$target-corpus
artifacts=$build/$target-artifacts
mkdir -p "$work" "$artifacts"
if [ -d "$src/corpus/$target" ]; then
  cp -n "$src/corpus/$target"/* "$work"/ 2>/dev/null || true
fi
dict=""
if [ -f "$src/$target.dict" ]; then
  dict="-dict=$src/$target.dict"
fi
regressions=""
if [ -d "$src/regressions/$target" ]; then
  regressions="$src/regressions/$target"
fi

exec "$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" $dict "$@" "$work" $regressions
