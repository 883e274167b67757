#!/bin/sh
# dev.sh: the commands a newcomer needs, from a fresh Debian 12 checkout.
#   packaging/dev.sh demo [--config FILE]   install what is needed, build, start the kiosk in a
#                                           window
#   packaging/dev.sh test                   install what is needed, build, run the whole test suite
#   packaging/dev.sh server                 install what is needed, build, start smiley-kiosk-server
#                                           on 127.0.0.1:8080 with a PostgreSQL of its own, a demo
#                                           site and a demo kiosk; writes a kiosk configuration
#                                           that delivers to it (_build/dev-server/kiosk.conf)
#   packaging/dev.sh server stop|reset      stop the server and its PostgreSQL (reset: and delete
#                                           its database, token and kiosk state)
# SMILEY_KIOSK_BUILDDIR builds elsewhere than _build; SMILEY_KIOSK_DEV_PORT serves on another
# port than 8080.
set -eu

origin=$(pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
build=${SMILEY_KIOSK_BUILDDIR:-$top/_build}
case "$build" in
  /*) ;;
  *) build=$top/$build ;;
esac
cd "$top"

# The development server: its PostgreSQL, log, pid file, token and kiosk configuration.
dev=$build/dev-server
server_bin=$build/src/server/smiley-kiosk-server
port=${SMILEY_KIOSK_DEV_PORT:-8080}
dash_port=$((port + 1))

server_running () {
  [ -f "$dev/server.pid" ] && kill -0 "$(cat "$dev/server.pid")" 2>/dev/null
}

server_stop () {
  if server_running; then
    pid=$(cat "$dev/server.pid")
    kill -TERM "$pid"
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
      echo "dev.sh: the server (pid $pid) did not stop in 10 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "dev.sh: smiley-kiosk-server (pid $pid) stopped"
  fi
  rm -f "$dev/server.pid"
  if [ -f "$dev/pg/data/PG_VERSION" ]; then
    sh packaging/pg-cluster.sh stop "$dev/pg"
    echo "dev.sh: PostgreSQL in $dev/pg stopped"
  fi
}

if [ "${1:-}" = server ] && { [ "${2:-}" = stop ] || [ "${2:-}" = reset ]; }; then
  server_stop
  if [ "$2" = reset ]; then
    rm -rf "$dev"
    echo "dev.sh: removed $dev"
  fi
  exit 0
fi

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
    # Translations from the build tree; the database goes to ~/.local/state/smiley-kiosk, or to
    # the state-directory of a configuration given with --config FILE (the one of dev.sh server
    # has its own). FILE is relative to where dev.sh was started.
    cd "$origin"
    SMILEY_KIOSK_LOCALEDIR="$build/po" exec "$build/src/smiley-kiosk" --windowed "$@"
    ;;
  server)
    shift
    if [ $# -gt 0 ] && [ "$1" != start ]; then
      echo "usage: packaging/dev.sh server [start|stop|reset]" >&2
      exit 2
    fi
    [ -x "$server_bin" ] || {
      echo "dev.sh: $server_bin was not built (meson configure $build -Dserver=enabled)" >&2
      exit 1
    }
    mkdir -p "$dev"
    conninfo=$(sh packaging/pg-cluster.sh start "$dev/pg" | tail -n 1)

    cat > "$dev/server.conf" <<EOF
# Written by packaging/dev.sh server.
[database]
conninfo=$conninfo

[http]
listen=127.0.0.1:$port

[dashboard]
listen=127.0.0.1:$dash_port
EOF
    server () {
      "$server_bin" --config "$dev/server.conf" "$@"
    }

    if server_running; then
      echo "dev.sh: smiley-kiosk-server is running already (pid $(cat "$dev/server.pid"))"
    else
      : > "$dev/server.log"
      nohup "$server_bin" --config "$dev/server.conf" serve >> "$dev/server.log" 2>&1 < /dev/null &
      echo $! > "$dev/server.pid"
      i=0
      until grep -q 'listening on' "$dev/server.log"; do
        if ! server_running || [ $i -ge 300 ]; then
          echo "dev.sh: smiley-kiosk-server did not start; the end of $dev/server.log:" >&2
          tail -n 20 "$dev/server.log" >&2
          server_running && kill -TERM "$(cat "$dev/server.pid")"
          rm -f "$dev/server.pid"
          exit 1
        fi
        sleep 0.1
        i=$((i + 1))
      done
    fi

    # The demo site, in this machine's time zone; the demo kiosk and its token, once.
    if ! server site list | awk 'NR > 1 { print $1 }' | grep -qx demo-shop; then
      zone=$(timedatectl show -p Timezone --value 2>/dev/null || true)
      [ -n "$zone" ] || zone=$(cat /etc/timezone 2>/dev/null || true)
      [ -n "$zone" ] || zone=$(readlink /etc/localtime 2>/dev/null | sed -n 's|.*/zoneinfo/||p')
      if [ -z "$zone" ] || [ ! -f "/usr/share/zoneinfo/$zone" ]; then
        zone=Europe/Berlin
      fi
      server site add demo-shop --time-zone "$zone" --type shop
    fi
    if ! server device list | awk 'NR > 1 { print $1 }' | grep -qx demo-kiosk; then
      out=$(server device add demo-kiosk --site demo-shop)
      # The token is the line after the first empty one; it is shown once.
      (umask 077 && echo "$out" | awk 'NF == 0 { getline; print; exit }' > "$dev/token")
      echo "Device demo-kiosk added to site demo-shop; its token is in $dev/token."
    elif [ ! -s "$dev/token" ]; then
      echo "dev.sh: demo-kiosk exists but $dev/token is gone, and a token is shown only once:" \
           "start afresh with packaging/dev.sh server reset" >&2
      exit 1
    fi
    chmod 600 "$dev/token"

    # A dashboard administrator with a random password, once.
    if ! server user list | awk 'NR > 1 { print $1 }' | grep -qx admin; then
      (umask 077 && head -c 18 /dev/urandom | base64 | tr '+/' '-_' > "$dev/dashboard-password")
      server user add admin --admin < "$dev/dashboard-password"
    fi

    cat > "$dev/kiosk.conf" <<EOF
# Written by packaging/dev.sh server: a kiosk that delivers to the development server.
#   packaging/dev.sh demo --config $dev/kiosk.conf
[kiosk]
device-id=demo-kiosk
# Its own database, not the one of dev.sh demo without --config.
state-directory=$dev/kiosk-state

[cloud]
url=http://127.0.0.1:$port
token-file=$dev/token
# Quick to show a survey published with "survey publish" and its heartbeats.
survey-poll-interval=30
heartbeat-interval=30
EOF

    cat <<EOF

smiley-kiosk-server is running on http://127.0.0.1:$port (pid $(cat "$dev/server.pid"), log $dev/server.log)
PostgreSQL:  $conninfo
             psql "$conninfo" -c 'select * from responses'
Commands:    $server_bin --config $dev/server.conf device list
             ... export --site demo-shop

A kiosk delivers to it with:
  [kiosk]
  device-id=demo-kiosk
  [cloud]
  url=http://127.0.0.1:$port
  token-file=$dev/token

The dashboard: http://localhost:$dash_port  (user admin, password in $dev/dashboard-password)

Ready to use: $dev/kiosk.conf
  packaging/dev.sh demo --config $dev/kiosk.conf
Stop both: packaging/dev.sh server stop
EOF
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
    echo "usage: packaging/dev.sh demo|test [arguments] | server [start|stop|reset]" >&2
    exit 2
    ;;
esac
