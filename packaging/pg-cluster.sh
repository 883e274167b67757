#!/bin/sh
# pg-cluster.sh: a PostgreSQL cluster of our own in a directory, for packaging/dev.sh server and
# the benchmarks. It listens on a Unix socket in DIR, and on 127.0.0.1:$PGPORT_TCP when that is set.
#   pg-cluster.sh start DIR    initdb when DIR/data is missing, start, create database
#                              smiley_kiosk; the conninfo is the last line on stdout (also when it
#                              was running already)
#   pg-cluster.sh stop DIR [fast|immediate]
#   pg-cluster.sh status DIR   "running" and the conninfo (exit 0), "stopped" (exit 3), no
#                              cluster (exit 4)
# PostgreSQL refuses to run as root: as root it runs as nobody. SMILEY_KIOSK_PG_BINDIR overrides
# where PostgreSQL's programs are.
set -eu

prog=pg-cluster.sh
database=smiley_kiosk

die () {
  echo "$prog: $*" >&2
  exit 1
}

usage () {
  echo "usage: $prog start DIR | stop DIR [fast|immediate] | status DIR" >&2
  exit 2
}

[ $# -ge 2 ] || usage
action=$1
dir=$2
mode=${3:-fast}
case "$action" in
  start | status) [ $# -eq 2 ] || usage ;;
  stop) [ $# -le 3 ] || usage ;;
  *) usage ;;
esac
case "$mode" in
  fast | immediate) ;;
  *) die "stop mode must be fast or immediate, not '$mode'" ;;
esac
# DIR goes into a conninfo and a server command line unquoted.
case "$dir" in
  *[[:space:]\'\"\\]*) die "DIR must not contain spaces, quotes or backslashes: '$dir'" ;;
esac

if [ -n "${SMILEY_KIOSK_PG_BINDIR:-}" ]; then
  bindir=$SMILEY_KIOSK_PG_BINDIR
  [ -x "$bindir/initdb" ] \
    || die "PostgreSQL is not installed: $bindir/initdb not found (SMILEY_KIOSK_PG_BINDIR=$bindir)"
else
  bindir=$(pg_config --bindir 2>/dev/null || true)
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    bindir=/usr/lib/postgresql/15/bin
  fi
  [ -x "$bindir/initdb" ] \
    || die "PostgreSQL is not installed: $bindir/initdb not found (apt-get install postgresql)"
fi

# as_pg COMMAND...: runs COMMAND as the user PostgreSQL runs as.
if [ "$(id -u)" -eq 0 ]; then
  command -v setpriv >/dev/null 2>&1 \
    || die "running as root needs setpriv (util-linux) to run PostgreSQL as nobody"
  pg_uid=$(id -u nobody 2>/dev/null) \
    || die "PostgreSQL refuses to run as root, and there is no user nobody to run it as"
  pg_gid=$(id -g nobody)
  as_pg () {
    setpriv --reuid="$pg_uid" --regid="$pg_gid" --clear-groups -- "$@"
  }
else
  pg_uid=$(id -u)
  as_pg () {
    "$@"
  }
fi

if [ "$action" = start ]; then
  mkdir -p "$dir" || die "could not make $dir"
fi
[ -d "$dir" ] || {
  echo "$prog: no cluster in $dir: it does not exist" >&2
  exit 4
}
dir=$(cd "$dir" && pwd)
data=$dir/data
log=$dir/postgres.log
# The programs run as nobody must not start in a directory it cannot enter (root's home).
cd "$dir"

# pg_status: 0 running, 3 stopped, 4 no cluster, as pg_ctl status says.
pg_status () {
  if [ ! -f "$data/PG_VERSION" ]; then
    return 4
  fi
  as_pg "$bindir/pg_ctl" status -D "$data" >/dev/null 2>&1 || return $?
}

# conninfo: how to reach the running cluster, from its postmaster.pid (line 4 the port, 5 the
# socket directory, 6 the TCP address it listens on).
conninfo () {
  port=$(sed -n 4p "$data/postmaster.pid")
  socket_dir=$(sed -n 5p "$data/postmaster.pid")
  tcp=$(sed -n 6p "$data/postmaster.pid")
  if [ -n "$tcp" ]; then
    echo "host=$tcp port=$port user=postgres dbname=$database"
  else
    echo "host=$socket_dir port=$port user=postgres dbname=$database"
  fi
}

case "$action" in
  status)
    status=0
    pg_status || status=$?
    case $status in
      0) echo running; conninfo ;;
      3) echo stopped ;;
      *) echo "$prog: no cluster in $dir (no $data/PG_VERSION)" >&2 ;;
    esac
    exit $status
    ;;

  stop)
    status=0
    pg_status || status=$?
    case $status in
      0) ;;
      3) echo "$prog: not running in $dir" >&2; exit 0 ;;
      *) die "no cluster in $dir (no $data/PG_VERSION)" ;;
    esac
    as_pg "$bindir/pg_ctl" stop -D "$data" -m "$mode" -w -t 60 >&2 \
      || die "could not stop PostgreSQL in $dir; the end of $log:
$(tail -n 20 "$log" 2>/dev/null)"
    exit 0
    ;;
esac

# start
port=${PGPORT_TCP:-5432}
case "$port" in
  '' | *[!0-9]*) die "PGPORT_TCP must be a port number, not '$port'" ;;
esac
listen=
if [ -n "${PGPORT_TCP:-}" ]; then
  listen=127.0.0.1
fi
socket=$dir/.s.PGSQL.$port
[ ${#socket} -lt 108 ] \
  || die "the socket path $socket is too long for a Unix socket; choose a shorter DIR"

status=0
pg_status || status=$?
if [ $status -eq 0 ]; then
  if [ "$(sed -n 6p "$data/postmaster.pid")" != "$listen" ] \
     || [ "$(sed -n 4p "$data/postmaster.pid")" != "$port" ]; then
    echo "$prog: already running in $dir with other settings; stop it to change them" >&2
  fi
  conninfo
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  chown "$pg_uid:$pg_gid" "$dir" || die "could not give $dir to user nobody for PostgreSQL"
  as_pg test -w "$dir" -a -x "$dir" \
    || die "user nobody cannot write to $dir (as root, PostgreSQL runs as nobody): choose a \
directory it can reach, e.g. under /tmp or /var/tmp"
fi

if [ $status -eq 4 ]; then
  if [ -d "$data" ] && [ -n "$(ls -A "$data")" ]; then
    die "$data is not empty but is not a PostgreSQL cluster (no PG_VERSION); move it away"
  fi
  out=$(as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
          --no-instructions 2>&1) \
    || die "initdb failed in $data:
$out"
fi

owner=$(stat -c %u "$data")
[ "$owner" = "$pg_uid" ] \
  || die "$data belongs to uid $owner, but PostgreSQL would run as uid $pg_uid; \
start it as that user, or chown -R $pg_uid $data"

as_pg "$bindir/pg_ctl" start -D "$data" -l "$log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses=$listen -c max_connections=300" >&2 \
  || die "PostgreSQL did not start in $dir; the end of $log:
$(tail -n 20 "$log" 2>/dev/null)"

exists=$("$bindir/psql" -X -q -t -A -h "$dir" -p "$port" -U postgres -d postgres \
           -c "SELECT 1 FROM pg_database WHERE datname = '$database'") \
  || die "could not ask PostgreSQL in $dir for database $database"
if [ "$exists" != 1 ]; then
  "$bindir/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres \
    -c "CREATE DATABASE $database OWNER postgres" >&2 \
    || die "could not create database $database in $dir"
fi

conninfo
