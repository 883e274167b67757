#!/bin/sh
# run-benchmarks.sh: builds the benchmarks in a configured build directory and runs them all (under
# Xvfb where they need a display), printing a report to paste into the README.
#
# Usage: tests/bench/run-benchmarks.sh [BUILD_DIR]        (default: _build)
# Knobs (environment): RENDERERS="cairo gl" STARTUP_RUNS=5 IDLE_RUNS=3 IDLE_SECONDS=60
#   IDLE_RENDERER=cairo COMMIT_RUNS=3 COMMIT_TAPS=10000 TAP_FRAME_TAPS=200
#   TAP_FRAME_DRAIN=300000 (taps on the window while a backlog that size is delivered; 0: left out)
#   SOAK_RESPONSES=1000000 (0: leave the week-long soak out)
#   CHROMIUM=1 (0: leave Chromium out; it is skipped anyway when /usr/bin/chromium is missing)
#   INGEST=quick (full: the whole fleet benchmark, about 15 minutes; 0: leave it out; it is
#   skipped anyway when the server is not built)
#   DASHBOARD=quick (full: every dashboard page over 10 000 000 responses, about 20 minutes the
#   first time; 0: leave it out; skipped anyway when the server is not built)
#   DASHBOARD_DATA_DIR=DIR (full: keep the generated cluster there and reuse it)
set -u

build=${1:-_build}
renderers=${RENDERERS:-cairo gl}
startup_runs=${STARTUP_RUNS:-5}
idle_runs=${IDLE_RUNS:-3}
idle_seconds=${IDLE_SECONDS:-60}
idle_renderer=${IDLE_RENDERER:-cairo}
commit_runs=${COMMIT_RUNS:-3}
commit_taps=${COMMIT_TAPS:-10000}
tap_frame_taps=${TAP_FRAME_TAPS:-200}
tap_frame_drain=${TAP_FRAME_DRAIN:-300000}
soak_responses=${SOAK_RESPONSES:-1000000}
chromium=${CHROMIUM:-1}
ingest=${INGEST:-quick}
dashboard=${DASHBOARD:-quick}
dashboard_data_dir=${DASHBOARD_DATA_DIR:-}

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
screen="-screen 0 1280x800x24 -nolisten tcp"

die () {
  echo "run-benchmarks: $*" >&2
  exit 1
}

[ -f "$build/build.ninja" ] ||
  die "$build is not a configured build directory; first run: meson setup $build"
bench=$(cd "$build" && pwd)/tests/bench

for tool in meson xvfb-run xauth; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "$tool is missing; on Debian 12: sudo apt-get install meson xvfb xauth"
done

echo "== Building"
meson compile -C "$build" smiley-kiosk ref-circles bench-startup bench-idle bench-commit \
  bench-tap-frame bench-soak >"$bench.build.log" 2>&1 ||
  { cat "$bench.build.log"; die "the build failed (is the option benchmarks=true?)"; }
logs=$(mktemp -d "${TMPDIR:-/tmp}/smiley-bench-logs-XXXXXX")

# A private session bus per run, so GLib does not autolaunch one on the X display and every
# program finds the same environment. Without dbus-run-session, GLib decides.
if command -v dbus-run-session >/dev/null 2>&1; then
  bus="dbus-run-session --"
  bus_note="private session bus (dbus-run-session)"
else
  bus=""
  bus_note="no dbus-run-session: GLib may autolaunch a session bus"
fi

failed=0

# run NAME COMMAND...: stdout to the report, stderr to a log; warnings from it are shown.
run () {
  name=$1
  shift
  echo
  { "$@" 2>"$logs/$name.stderr"; echo $? >"$logs/$name.rc"; } | tee "$logs/$name.out"
  if [ "$(cat "$logs/$name.rc")" != 0 ]; then
    failed=$((failed + 1))
    echo "  FAILED: $name (stderr follows)"
    sed 's/^/  | /' "$logs/$name.stderr"
    return 1
  fi
  if grep -qE 'CRITICAL|WARNING|Gtk-|Gdk-|Gsk-' "$logs/$name.stderr"; then
    echo "  stderr had warnings:"
    grep -E 'CRITICAL|WARNING|Gtk-|Gdk-|Gsk-' "$logs/$name.stderr" | sort | uniq -c |
      sed 's/^/  | /'
  fi
  return 0
}

display () {
  # shellcheck disable=SC2086 # $bus is a command prefix or nothing
  $bus xvfb-run -a -s "$screen" "$@"
}

echo
echo "== Smiley Kiosk benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
revision=$(git -C "$srcdir" describe --always --dirty 2>/dev/null || echo "(not a git checkout)")
echo "  source     $srcdir $revision"
echo "  machine    $(uname -srm), $(nproc) cores," \
  "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
  "$(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
echo "  load       $(cut -d ' ' -f 1-3 /proc/loadavg) (1/5/15 min) at the start"
echo "  GTK        $(pkg-config --modversion gtk4 2>/dev/null || echo '?')," \
  "GLib $(pkg-config --modversion glib-2.0 2>/dev/null || echo '?')," \
  "Mesa $(dpkg-query -W -f '${Version}' libgl1-mesa-dri 2>/dev/null || echo '?')"
echo "  display    Xvfb $screen, no window manager; $bus_note"

echo
echo "== Tap to durable commit (no display)"
run commit "$bench/bench-commit" --runs "$commit_runs" --taps "$commit_taps" --dir "$bench"

if [ "$ingest" != 0 ] && meson compile -C "$build" smiley-kiosk-server bench-ingest \
  >>"$bench.build.log" 2>&1; then
  echo
  echo "== Kiosks into smiley-kiosk-server and PostgreSQL, beside COPY; HTTP libraries (no display)"
  if [ "$ingest" = full ]; then
    run ingest "$bench/bench-ingest"
  else
    run ingest "$bench/bench-ingest" --quick
  fi
elif [ "$ingest" != 0 ]; then
  echo
  echo "== Ingest: skipped (the server is not built: it needs libpq and libmicrohttpd)"
fi

if [ "$dashboard" != 0 ] && meson compile -C "$build" smiley-kiosk-server bench-dashboard \
  >>"$bench.build.log" 2>&1; then
  echo
  echo "== The managers' dashboard over a year of 200 sites' responses (no display)"
  if [ "$dashboard" = full ] && [ -n "$dashboard_data_dir" ]; then
    run dashboard "$bench/bench-dashboard" --data-dir "$dashboard_data_dir"
  elif [ "$dashboard" = full ]; then
    run dashboard "$bench/bench-dashboard"
  else
    run dashboard "$bench/bench-dashboard" --quick
  fi
elif [ "$dashboard" != 0 ]; then
  echo
  echo "== Dashboard: skipped (the server is not built: it needs libpq and libmicrohttpd)"
fi

if [ "$soak_responses" -gt 0 ]; then
  echo
  echo "== A simulated week of a busy kiosk: sync through outages, retention (no display)"
  run soak "$bench/bench-soak" --responses "$soak_responses"
fi

for renderer in $renderers; do
  echo
  echo "== Exec to first frame and memory, GSK_RENDERER=$renderer"
  extra=""
  if [ "$chromium" = 1 ] && [ "$renderer" = cairo ]; then
    extra="--chromium"
  fi
  # shellcheck disable=SC2086 # $extra is one option or nothing
  run "startup-$renderer" display "$bench/bench-startup" --runs "$startup_runs" \
    --renderer "$renderer" $extra
  if [ "$renderer" = gl ] && grep -q "fell back" "$logs/startup-gl.out"; then
    echo "  gl did not initialise under Xvfb; Mesa's software GL comes with:"
    echo "  sudo apt-get install libgl1-mesa-dri libegl-mesa0"
  fi
done

for renderer in $renderers; do
  echo
  echo "== Tap to thank-you frame, GSK_RENDERER=$renderer"
  run "tap-frame-$renderer" display "$bench/bench-tap-frame" --taps "$tap_frame_taps" \
    --renderer "$renderer" --dir "$bench"
  if [ "$renderer" = gl ] && ! grep -q "in use: GskGLRenderer" "$logs/tap-frame-gl.out"; then
    echo "  gl did not initialise: the figures above are not gl figures"
  fi
done

if [ "$tap_frame_drain" -gt 0 ]; then
  echo
  echo "== Tap to thank-you frame while the uploader delivers $tap_frame_drain responses, cairo"
  run tap-frame-drain display "$bench/bench-tap-frame" --renderer cairo \
    --drain "$tap_frame_drain" --dir "$bench"
fi

echo
echo "== Idle CPU and wake-ups, GSK_RENDERER=$idle_renderer"
run idle display "$bench/bench-idle" --runs "$idle_runs" --seconds "$idle_seconds" \
  --renderer "$idle_renderer"

echo
if [ "$failed" -gt 0 ]; then
  echo "== $failed benchmark(s) failed; their stderr is in $logs"
  exit 1
fi
echo "== Done (stderr of each benchmark: $logs)"
