#!/bin/sh
# test-package.sh: builds the Debian packages (smiley-kiosk and smiley-kiosk-server) and checks
# them as a fresh Debian 12 machine gets them.
#
#   1. dpkg-buildpackage -us -uc -b on a clean copy of the tree, with packaging/debian as ./debian
#   2. lintian: no errors
#   3. installs the .deb with apt into a fresh Debian 12 root made with debootstrap, and checks
#      the files, conffiles, the user "kiosk" (sysusers.d), directories (tmpfiles.d), the units
#      (enabled, systemd-analyze verify clean, security exposure <= 3.0), the PAM modules
#   4. the session relay (smiley-kiosk-session) passes READY/WATCHDOG on and stops its children;
#      --calibrate-touch has udev apply a turned screen's touch rule only when the rule changes
#   5. the first-boot import: a valid file is installed, an invalid one rejected with its error
#      kept, the token ends up in a root-owned 0600 file and off the boot partition
#   6. purge removes the package and keeps the responses
#   7. smiley-kiosk-server installs beside it: files, conffile, the user (sysusers.d), the unit
#      (valid, not enabled, exposure <= 2.0), postinst's instructions, check-config
#   8. with --boot, packaging/test-boot.sh: both packages booted under systemd-nspawn, the server
#      against PostgreSQL installed there
#
# Usage: sudo packaging/test-package.sh [--worktree] [--check] [--boot] [--keep] [--cache DIR]
#   --worktree   build the working tree as it is (tracked and new files), not the last commit
#   --check      run the test suites (but 'ui') during the build; CI runs them anyway
#   --keep       keep the work directory (the root, the .deb, the logs)
#   --boot       also boot the package with systemd and check the units as they run
#   --cache DIR  keep the debootstrap of the base system in DIR and reuse it (still a fresh copy)
#
# Needs root (debootstrap, chroot) and Debian's package mirror; installs what it needs with apt.
# Ends with "packaging: N passed, N failed"; exit status 0 only when nothing failed.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
from=head
check=0
boot_test=0
keep=0
cache=""

while [ $# -gt 0 ]; do
  case "$1" in
    --worktree) from=worktree ;;
    --check) check=1 ;;
    --keep) keep=1 ;;
    --boot) boot_test=1 ;;
    --cache) cache=$2; shift ;;
    *) echo "usage: $0 [--worktree] [--check] [--boot] [--keep] [--cache DIR]" >&2; exit 2 ;;
  esac
  shift
done

if [ "$(id -u)" -ne 0 ]; then
  echo "test-package.sh: needs root (debootstrap and chroot): sudo $0" >&2
  exit 2
fi

started=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/var/tmp}/smiley-kiosk-pkgtest.XXXXXX")
root=$work/root
passed=0
failed=0

cleanup () {
  for m in "$root/proc" "$root/sys" "$root/dev/pts"; do
    if mountpoint -q "$m" 2>/dev/null; then
      umount "$m" || umount -l "$m" || true
    fi
  done
  if [ "$keep" -eq 1 ]; then
    echo "test-package.sh: kept $work"
  elif ! grep -q " $work/" /proc/mounts; then
    rm -rf "$work"
  else
    echo "test-package.sh: $work still has mounts; not removed" >&2
  fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

step () {
  echo
  echo "== $* ($(($(date +%s) - started)) s)"
}

ok () {
  passed=$((passed + 1))
  echo "ok - $*"
}

not_ok () {
  failed=$((failed + 1))
  echo "not ok - $*"
}

# check DESCRIPTION COMMAND...: one test
check () {
  what=$1
  shift
  if "$@" > "$work/check.log" 2>&1; then
    ok "$what"
  else
    not_ok "$what"
    sed 's/^/    /' "$work/check.log" | head -n 30
  fi
}

in_root () {
  chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"
}

# apt-get on this machine. Another installation (unattended-upgrades, a concurrent job) may hold
# the dpkg lock: wait for it up to 5 minutes, and say so plainly if it is still held.
host_apt () {
  if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@"; then
    return 0
  else
    apt_status=$?
  fi
  echo "test-package.sh: apt-get $1 failed (status $apt_status); if it says \"Could not get lock\"," \
       "another apt or dpkg held this machine's lock for more than 5 minutes" >&2
  return "$apt_status"
}

# --- 1. Build -------------------------------------------------------------------------------

step "tools"
need=""
for p in dpkg-dev debhelper lintian debootstrap git; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
  host_apt update -q
  host_apt install -y -q --no-install-recommends $need
fi

step "source ($from)"
version=$(dpkg-parsechangelog -l "$top/packaging/debian/changelog" -S Version)
src=$work/smiley-kiosk-$version
mkdir -p "$src"
if [ "$from" = head ]; then
  git -C "$top" archive --format=tar HEAD | tar -x -C "$src"
else
  (cd "$top" && git ls-files -z --cached --others --exclude-standard |
     xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
     tar --null -T - -c) | tar -x -C "$src"
fi
cp -r "$src/packaging/debian" "$src/debian"
echo "$(git -C "$top" rev-parse --short HEAD)${from#head}: $src"

step "build dependencies"
profiles=nocheck
[ "$check" -eq 1 ] && profiles=""
host_apt build-dep -y -q --no-install-recommends \
  ${profiles:+-o APT::Build-Profiles=$profiles} "$src" > "$work/build-dep.log" 2>&1 ||
  { cat "$work/build-dep.log"; exit 1; }

step "dpkg-buildpackage -us -uc -b"
build_started=$(date +%s)
if (cd "$src" &&
    DEB_BUILD_OPTIONS="${profiles:+nocheck} parallel=$(nproc)" \
    dpkg-buildpackage -us -uc -b ${profiles:+-P$profiles}) > "$work/build.log" 2>&1; then
  ok "dpkg-buildpackage -us -uc -b ($(($(date +%s) - build_started)) s)"
else
  not_ok "dpkg-buildpackage -us -uc -b"
  tail -n 40 "$work/build.log"
  echo "packaging: $passed passed, $failed failed"
  exit 1
fi
if [ "$check" -eq 1 ]; then
  echo "tests during the build: $(grep -E '^(Ok|Fail|Skipped|Timeout): ' "$work/build.log" | tr -s ' ' | paste -sd' ' -)"
fi
deb=$(ls "$work"/smiley-kiosk_"$version"_*.deb)
server_deb=$(ls "$work"/smiley-kiosk-server_"$version"_*.deb)
changes=$(ls "$work"/smiley-kiosk_"$version"_*.changes)
echo "$deb"
echo "$server_deb"

# --- 2. lintian -----------------------------------------------------------------------------

step "lintian"
lintian --info --display-info --no-tag-display-limit "$changes" > "$work/lintian.log" 2>&1 || true
sed 's/^/    /' "$work/lintian.log"
check "lintian reports no errors" sh -c "! grep -q '^E: ' '$work/lintian.log'"

# --- 3. Install into a fresh root -----------------------------------------------------------

step "debootstrap $suite"
bootstrap_started=$(date +%s)
if [ -n "$cache" ] && [ -f "$cache/$suite-minbase.tgz" ]; then
  debootstrap --variant=minbase --unpack-tarball="$cache/$suite-minbase.tgz" \
    "$suite" "$root" "$mirror" > "$work/debootstrap.log" 2>&1
else
  if [ -n "$cache" ]; then
    mkdir -p "$cache"
    debootstrap --variant=minbase --make-tarball="$cache/$suite-minbase.tgz" \
      "$suite" "$work/tarball-root" "$mirror" > "$work/debootstrap-tarball.log" 2>&1
    debootstrap --variant=minbase --unpack-tarball="$cache/$suite-minbase.tgz" \
      "$suite" "$root" "$mirror" > "$work/debootstrap.log" 2>&1
  else
    debootstrap --variant=minbase "$suite" "$root" "$mirror" > "$work/debootstrap.log" 2>&1
  fi
fi ||
  { tail -n 20 "$work/debootstrap.log"; exit 1; }
echo "debootstrap took $(($(date +%s) - bootstrap_started)) s"
mount -t proc proc "$root/proc"
# Nothing may start in the root.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
# The host's mirrors (with bookworm-updates and -security), as the machine would have.
if ls /etc/apt/sources.list.d/*.sources > /dev/null 2>&1; then
  cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/"
  rm -f "$root/etc/apt/sources.list"
elif [ -s /etc/apt/sources.list ]; then
  cp /etc/apt/sources.list "$root/etc/apt/sources.list"
fi
cp "$deb" "$server_deb" "$root/tmp/"

step "apt-get install ./$(basename "$deb")"
install_started=$(date +%s)
in_root sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
                 --no-install-recommends /tmp/'"$(basename "$deb")" > "$work/install.log" 2>&1 ||
  { tail -n 40 "$work/install.log"; }
check "the package installs into a fresh Debian 12 with its dependencies ($(($(date +%s) - install_started)) s)" \
  in_root dpkg-query -W -f='${Status}\n' smiley-kiosk
echo "installed size: $(in_root dpkg-query -W -f='${Installed-Size} KiB\n' smiley-kiosk)"

step "files"
for f in /usr/bin/smiley-kiosk \
         /usr/libexec/smiley-kiosk/smiley-kiosk-session \
         /usr/libexec/smiley-kiosk/smiley-kiosk-first-boot \
         /lib/systemd/system/smiley-kiosk.service \
         /lib/systemd/system/smiley-kiosk-first-boot.service \
         /usr/lib/sysusers.d/smiley-kiosk.conf \
         /usr/lib/tmpfiles.d/smiley-kiosk.conf \
         /etc/pam.d/smiley-kiosk \
         /lib/udev/rules.d/70-smiley-kiosk.rules \
         /etc/smiley-kiosk/kiosk.conf \
         /etc/default/smiley-kiosk \
         /usr/share/man/man1/smiley-kiosk.1.gz \
         /usr/share/applications/org.smileykiosk.SmileyKiosk.desktop \
         /usr/share/metainfo/org.smileykiosk.SmileyKiosk.metainfo.xml \
         /usr/share/icons/hicolor/scalable/apps/org.smileykiosk.SmileyKiosk.svg \
         /usr/share/locale/de/LC_MESSAGES/smiley-kiosk.mo \
         /usr/share/doc/smiley-kiosk/copyright; do
  check "installed: $f" test -f "$root$f"
done
check "installed: deploy.md" sh -c "ls '$root'/usr/share/doc/smiley-kiosk/deploy.md*"
check "executables: smiley-kiosk, the relay and the import script" \
  test -x "$root/usr/bin/smiley-kiosk" -a -x "$root/usr/libexec/smiley-kiosk/smiley-kiosk-session" \
       -a -x "$root/usr/libexec/smiley-kiosk/smiley-kiosk-first-boot"
conffiles=$(in_root dpkg-query -W -f='${Conffiles}\n' smiley-kiosk)
for f in /etc/smiley-kiosk/kiosk.conf /etc/default/smiley-kiosk /etc/pam.d/smiley-kiosk; do
  check "conffile: $f" sh -c "echo '$conffiles' | grep -q ' $f '"
done
check "the binary runs: smiley-kiosk --version" in_root smiley-kiosk --version
check "the shipped configuration is valid and uses /var/lib/smiley-kiosk" \
  sh -c "chroot '$root' runuser -u kiosk -- smiley-kiosk --check-config |
         grep -q 'database  *\/var\/lib\/smiley-kiosk\/responses.db'"
check "man page: smiley-kiosk(1) lists --check-config and --status" \
  sh -c "zcat '$root/usr/share/man/man1/smiley-kiosk.1.gz' | grep -q 'check-config' &&
         zcat '$root/usr/share/man/man1/smiley-kiosk.1.gz' | grep -q 'status'"

step "user and directories"
check "user kiosk exists, system uid, home /var/lib/smiley-kiosk, no login shell" \
  sh -c "in_root() { chroot '$root' \"\$@\"; }
         line=\$(in_root getent passwd kiosk) &&
         uid=\$(echo \"\$line\" | cut -d: -f3) && [ \"\$uid\" -lt 1000 ] &&
         [ \"\$(echo \"\$line\" | cut -d: -f6)\" = /var/lib/smiley-kiosk ] &&
         [ \"\$(echo \"\$line\" | cut -d: -f7)\" = /usr/sbin/nologin ]"
groups=$(in_root id -nG kiosk 2>/dev/null || true)
echo "kiosk is in: $groups"
for g in video render input; do
  check "kiosk is in the group $g" sh -c "echo ' $groups ' | grep -q ' $g '"
done
check "kiosk is not in the groups sudo, tty, adm" sh -c "! echo ' $groups ' | grep -qE ' (sudo|tty|adm) '"
check "no password: kiosk cannot log in" sh -c "chroot '$root' getent shadow kiosk | cut -d: -f2 | grep -q '^[!*]'"
check "/var/lib/smiley-kiosk: kiosk:kiosk 0750" \
  sh -c "[ \"\$(chroot '$root' stat -c '%U:%G %a' /var/lib/smiley-kiosk)\" = 'kiosk:kiosk 750' ]"
check "/run/smiley-kiosk: root:root 0755" \
  sh -c "[ \"\$(chroot '$root' stat -c '%U:%G %a' /run/smiley-kiosk)\" = 'root:root 755' ]"
check "/etc/smiley-kiosk/credentials: root:root 0755" \
  sh -c "[ \"\$(chroot '$root' stat -c '%U:%G %a' /etc/smiley-kiosk/credentials)\" = 'root:root 755' ]"

step "units"
# systemd-analyze verify runs man(1) on Documentation=; a minimal root has no man-db.
in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends man-db' \
  > "$work/man-db.log" 2>&1 || tail -n 20 "$work/man-db.log"
check "smiley-kiosk.service is enabled" \
  test -L "$root/etc/systemd/system/multi-user.target.wants/smiley-kiosk.service"
check "smiley-kiosk-first-boot.service is enabled" \
  test -L "$root/etc/systemd/system/multi-user.target.wants/smiley-kiosk-first-boot.service"
in_root systemd-analyze verify --man=yes /lib/systemd/system/smiley-kiosk.service \
  /lib/systemd/system/smiley-kiosk-first-boot.service > "$work/verify.log" 2>&1 || true
sed 's/^/    /' "$work/verify.log"
check "systemd-analyze verify: no output, both units" test ! -s "$work/verify.log"
for unit in smiley-kiosk.service smiley-kiosk-first-boot.service; do
  exposure=$(in_root systemd-analyze security --offline=true "/lib/systemd/system/$unit" 2>&1 |
             sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  echo "$unit: exposure ${exposure:-?}"
  check "$unit: systemd-analyze security exposure ${exposure:-?} <= 3.0" \
    awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 3.0) }'
done
for m in pam_systemd.so pam_loginuid.so pam_limits.so; do
  check "PAM module of /etc/pam.d/smiley-kiosk exists: $m" \
    sh -c "ls '$root'/lib/*/security/$m '$root'/usr/lib/*/security/$m 2>/dev/null | grep -q ."
done
check "cage is installed (the compositor the unit runs)" test -x "$root/usr/bin/cage"

# --- 4. The session relay -------------------------------------------------------------------

step "smiley-kiosk-session (notify relay)"
relay=$root/usr/libexec/smiley-kiosk/smiley-kiosk-session
mkdir -m 0700 "$work/rt"
cat > "$work/listen.py" <<'EOF'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.settimeout(5)
with open(sys.argv[2], "w") as out:
    try:
        while True:
            msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
            pid = [struct.unpack("iII", d[:12])[0] for l, t, d in anc
                   if l == socket.SOL_SOCKET and t == socket.SCM_CREDENTIALS]
            out.write("%s %s\n" % (pid[0] if pid else "?", msg.decode().replace("\n", "|")))
            out.flush()
            if b"STOPPING=1" in msg:
                break
    except socket.timeout:
        pass
EOF
if command -v python3 > /dev/null; then
  python3 "$work/listen.py" "$work/upstream.sock" "$work/notify.log" &
  listener=$!
  i=0
  while [ ! -S "$work/upstream.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  # The "kiosk": tells READY with a MAINPID of its own (dropped), pings, reports its
  # environment, stops.
  RUNTIME_DIRECTORY=$work/rt NOTIFY_SOCKET=$work/upstream.sock WATCHDOG_PID=1 WATCHDOG_USEC=30000000 \
    "$relay" python3 -c '
import os, socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
path = os.environ["NOTIFY_SOCKET"]
s.sendto(b"READY=1\nMAINPID=4242\nSTATUS=env " + " ".join(
  "%s=%s" % (k, os.environ.get(k, "-")) for k in ("XDG_RUNTIME_DIR", "WATCHDOG_PID", "WATCHDOG_USEC")).encode(), path)
s.sendto(b"WATCHDOG=1", path)
s.sendto(b"STOPPING=1", path)
raise SystemExit(3)' &
  relay_pid=$!
  wait $relay_pid && relay_status=0 || relay_status=$?
  wait $listener || true
  sed 's/^/    /' "$work/notify.log"
  check "relay: READY=1 and WATCHDOG=1 arrive from the relay's own PID" \
    sh -c "grep -q '^$relay_pid READY=1|' '$work/notify.log' && grep -q '^$relay_pid WATCHDOG=1' '$work/notify.log'"
  check "relay: MAINPID= from the kiosk is not passed on" sh -c "! grep -q MAINPID '$work/notify.log'"
  check "relay: the kiosk gets XDG_RUNTIME_DIR=\$RUNTIME_DIRECTORY, WATCHDOG_USEC, no WATCHDOG_PID" \
    grep -q "XDG_RUNTIME_DIR=$work/rt WATCHDOG_PID=- WATCHDOG_USEC=30000000" "$work/notify.log"
  check "relay: exits with the compositor's status (3)" test "$relay_status" -eq 3
else
  not_ok "relay: python3 is needed for the notify test"
fi
# cage gets WLR_LIBINPUT_NO_DEVICES=1 only when no input device is there for it (with it set,
# wlroots 0.15 would lose the first touch after every start); a value from the service's
# environment is kept.
mkdir -p "$work/fakebin"
printf '%s\n' '#!/bin/sh' 'echo "no-devices=${WLR_LIBINPUT_NO_DEVICES:-unset}"' > "$work/fakebin/cage"
chmod +x "$work/fakebin/cage"
WLR_LIBINPUT_NO_DEVICES=0 "$relay" "$work/fakebin/cage" -d -- true > "$work/nodev-kept.out" 2>&1 || true
check "relay: a WLR_LIBINPUT_NO_DEVICES from the service's environment is kept" \
  grep -qx "no-devices=0" "$work/nodev-kept.out"
env -u WLR_LIBINPUT_NO_DEVICES "$relay" "$work/fakebin/cage" -d -- true > "$work/nodev.out" 2>&1 || true
sed 's/^/    /' "$work/nodev.out"
check "relay: WLR_LIBINPUT_NO_DEVICES=1 for cage only when it has no input device" \
  sh -c "{ grep -qx 'smiley-kiosk-session: 0 input device(s) for cage: WLR_LIBINPUT_NO_DEVICES=1' '$work/nodev.out' && grep -qx no-devices=1 '$work/nodev.out'; } || { grep -Eqx 'smiley-kiosk-session: [1-9][0-9]* input device\(s\) for cage' '$work/nodev.out' && grep -qx no-devices=unset '$work/nodev.out'; }"
# SIGTERM: passed on; a child that ignores it is killed after the grace period.
"$relay" sh -c 'sh -c "trap \"\" TERM; sleep 61.5" & sleep 61.5' &
relay_pid=$!
sleep 0.5
kill -TERM $relay_pid
t0=$(date +%s)
wait $relay_pid && relay_status=0 || relay_status=$?
check "relay: a stop (SIGTERM) ends the session, stubborn children included, status 0, < 10 s" \
  sh -c "[ $relay_status -eq 0 ] && [ $(($(date +%s) - t0)) -lt 10 ] && ! pgrep -f 'sleep 6[1].5' > /dev/null"

# systemd's PAM helper, (sd-pam), is a child of the main process: the relay must not wait for it.
t0=$(date +%s)
sh -c 'sleep 62.5 & exec "$0" sh -c "exit 7"' "$relay" && relay_status=0 || relay_status=$?
check "relay: exits with the compositor while another child of its own (sd-pam) lives on" \
  sh -c "[ $relay_status -eq 7 ] && [ $(($(date +%s) - t0)) -lt 5 ]"
# A stop goes to the kiosk, not to cage (cage 0.1.4 aborts when both go at once); cage follows.
printf '%s\n' '#!/bin/sh' \
  'trap "echo cage-got-TERM >> $LOG; exit 143" TERM' \
  'sh -c "trap \"echo kiosk-got-TERM >> $LOG; exit 0\" TERM; sleep 63.5 & wait" &' \
  'wait $!' \
  'echo cage-saw-kiosk-leave >> $LOG' > "$work/fake-cage"
chmod 0755 "$work/fake-cage"
LOG=$work/stop.log "$relay" "$work/fake-cage" &
relay_pid=$!
sleep 0.5
kill -TERM $relay_pid
wait $relay_pid && relay_status=0 || relay_status=$?
sed 's/^/    /' "$work/stop.log"
check "relay: a stop reaches the kiosk; cage leaves after it, unsignalled" \
  sh -c "[ $relay_status -eq 0 ] && [ \"\$(tr '\n' ' ' < '$work/stop.log')\" = 'kiosk-got-TERM cage-saw-kiosk-leave ' ]"

# Touch follows a turned picture: --calibrate-touch, the unit's ExecStartPre as root, writes the
# rule and has udev apply it when the rotation changes, and leaves udev alone when the service
# restarts with the same one. udevadm is a stand-in here that notes its calls (and fails on
# demand); the root's own is put back after.
step "smiley-kiosk-session --calibrate-touch"
rule=$root/run/udev/rules.d/61-smiley-kiosk-rotation.rules
calls=$root/tmp/udevadm.calls
udevadm_saved=""
if [ -e "$root/usr/bin/udevadm" ]; then
  udevadm_saved=$root/usr/bin/udevadm.test-package
  mv "$root/usr/bin/udevadm" "$udevadm_saved"
fi
mkdir -p "$root/run/udev"
fake_udevadm () {
  printf '%s\n' '#!/bin/sh' 'echo "$*" >> /tmp/udevadm.calls' "exit $1" > "$root/usr/bin/udevadm"
  chmod 0755 "$root/usr/bin/udevadm"
}
# calibrate ROTATION [CONFIG]: the unit's ExecStartPre with that rotation in CONFIG (a path in
# the root, /tmp/rotation.conf unless given).
calibrate () {
  conf=${2:-/tmp/rotation.conf}
  printf '[display]\nrotation=%s\n' "$1" > "$root$conf"
  rm -f "$calls"
  in_root /usr/libexec/smiley-kiosk/smiley-kiosk-session --calibrate-touch "$conf" \
    > "$work/calibrate.out" 2>&1 && calibrate_status=0 || calibrate_status=$?
  sed 's/^/    /' "$work/calibrate.out"
}
# applied MATRIX: the rule holds MATRIX (none: there is no rule), and udev was asked to apply it.
applied () {
  if [ -n "$1" ]; then
    grep -qF "ENV{LIBINPUT_CALIBRATION_MATRIX}=\"$1\"" "$rule" || return 1
  else
    [ ! -e "$rule" ] || return 1
  fi
  [ "$calibrate_status" -eq 0 ] && grep -qx 'control --reload' "$calls" &&
    grep -qx 'trigger --settle --action=change --subsystem-match=input' "$calls"
}
left_alone () {
  [ "$calibrate_status" -eq 0 ] && [ ! -e "$calls" ]
}
kept () {
  left_alone && [ -e "$rule" ] && grep -q 'turned with it already' "$work/calibrate.out"
}
refused () {
  [ "$calibrate_status" -eq 1 ] && [ ! -e "$rule" ] &&
    grep -q 'udevadm could not apply' "$work/calibrate.out"
}
fake_udevadm 0
calibrate 90
check "calibrate-touch, rotation=90: the rule has the turned matrix, udev applies it" \
  applied "0 -1 1 1 0 0"
calibrate 90
check "calibrate-touch, a restart with the same rotation: udev is left alone, the rule stays" \
  kept
calibrate 180
check "calibrate-touch, rotation=180: the rule is rewritten and applied again" \
  applied "-1 0 1 0 -1 1"
calibrate 0
check "calibrate-touch, rotation=0: the rule is removed and udev applies that" applied ""
calibrate 0
check "calibrate-touch, rotation=0 again: nothing to do" left_alone
fake_udevadm 1
calibrate 270
check "calibrate-touch, udevadm fails: status 1, and the rule goes so that the next start tries again" \
  refused
fake_udevadm 0
calibrate 270
check "calibrate-touch, the next start: the rule is written and applied" applied "0 1 0 -1 0 1"
calibrate 45
check "calibrate-touch, rotation=45 (the kiosk refuses it; the picture is not turned): the rule is removed and udev applies that" \
  applied ""
# A configuration named with a newline: the name goes into the rule's comment, and the line after
# the newline must not become a rule of its own.
odd_conf=$(printf '/tmp/rotation\nSUBSYSTEM=="input", ENV{ID_INPUT}="0"\n.conf')
calibrate 90 "$odd_conf"
check "calibrate-touch, a configuration whose name holds a newline: its rule is the one rule line, the name stays in the comment" \
  sh -c "[ \"\$(grep -vc '^#' '$rule')\" = 1 ] && grep -q '^# .*rotation?SUBSYSTEM' '$rule' && ! grep -q 'ID_INPUT}=\"0\"\$' '$rule'"
rm -f "$root$odd_conf"
rm -f "$root/usr/bin/udevadm" "$rule" "$root/tmp/rotation.conf" "$calls"
if [ -n "$udevadm_saved" ]; then
  mv "$udevadm_saved" "$root/usr/bin/udevadm"
fi

# --- 5. First-boot import -------------------------------------------------------------------

step "first-boot import"
boot=$root/boot/firmware
mkdir -p "$boot"
import () {
  in_root /usr/libexec/smiley-kiosk/smiley-kiosk-first-boot > "$work/import.log" 2>&1 &&
    import_status=0 || import_status=$?
  sed 's/^/    /' "$work/import.log"
}
token_ok () {
  [ "$(chroot "$root" stat -c '%U:%G %a' /etc/smiley-kiosk/credentials/token)" = "root:root 600" ] &&
    [ "$(cat "$root/etc/smiley-kiosk/credentials/token")" = "$1" ]
}
off_boot () {
  ! grep -rqF "$1" "$boot"
}

# Nothing there: nothing happens.
cp "$root/etc/smiley-kiosk/kiosk.conf" "$work/shipped.conf"
import
check "import: no file on the boot partition, nothing changes" \
  sh -c "[ $import_status -eq 0 ] && cmp -s '$work/shipped.conf' '$root/etc/smiley-kiosk/kiosk.conf'"

# A valid file, as written with Notepad (BOM, CRLF), with the token inline.
printf '\357\273\277# Shop 12, front door\r\n[kiosk]\r\ndevice-id=shop-12-door\r\nthank-you-seconds=4\r\n\r\n[cloud]\r\nurl=https://feedback.example.com\r\ntoken = tok-VALID-0123456789abcdef\r\n' \
  > "$boot/smiley-kiosk.conf"
import
check "import: a valid file is installed (exit 0)" \
  sh -c "[ $import_status -eq 0 ] && grep -qx 'device-id=shop-12-door' '$root/etc/smiley-kiosk/kiosk.conf'"
check "import: the installed file passes --check-config, as the user kiosk" \
  sh -c "chroot '$root' runuser -u kiosk -- smiley-kiosk --check-config | grep -q 'shop-12-door'"
check "import: token-file names /etc/smiley-kiosk/credentials/token; state-directory is set" \
  sh -c "grep -qx 'token-file=/etc/smiley-kiosk/credentials/token' '$root/etc/smiley-kiosk/kiosk.conf' &&
         grep -qx 'state-directory=/var/lib/smiley-kiosk' '$root/etc/smiley-kiosk/kiosk.conf'"
check "import: the token is in a root-owned file with mode 0600" token_ok tok-VALID-0123456789abcdef
check "import: the token is not in kiosk.conf" \
  sh -c "! grep -q 'tok-VALID' '$root/etc/smiley-kiosk/kiosk.conf'"
check "import: the token left the boot partition; smiley-kiosk.conf.imported is there without it" \
  sh -c "[ ! -e '$boot/smiley-kiosk.conf' ] && [ -f '$boot/smiley-kiosk.conf.imported' ] &&
         ! grep -rqF tok-VALID '$boot'"
check "import: the previous configuration is kept as kiosk.conf.previous" \
  cmp -s "$work/shipped.conf" "$root/etc/smiley-kiosk/kiosk.conf.previous"
check "import: no error file" test ! -e "$root/run/smiley-kiosk/first-boot-error"

# An invalid file: nothing changes, the error is kept, the token still leaves the FAT partition.
cp "$root/etc/smiley-kiosk/kiosk.conf" "$work/good.conf"
printf '[kiosk]\nmisuse-intervall=3\n[cloud]\nurl=https://feedback.example.com\ntoken=tok-REJECTED-42\n' \
  > "$boot/smiley-kiosk.conf"
import
check "import: an invalid file is rejected (exit 1), the configuration is unchanged" \
  sh -c "[ $import_status -eq 1 ] && cmp -s '$work/good.conf' '$root/etc/smiley-kiosk/kiosk.conf'"
check "import: the previous token is unchanged" token_ok tok-VALID-0123456789abcdef
sed 's/^/    | /' "$root/run/smiley-kiosk/first-boot-error" 2>/dev/null || true
check "import: /run/smiley-kiosk/first-boot-error names the line: smiley-kiosk.conf:2: [kiosk] misuse-intervall" \
  grep -q '^smiley-kiosk.conf:2: \[kiosk\] misuse-intervall: unknown key' "$root/run/smiley-kiosk/first-boot-error"
check "import: the error file is readable by the kiosk (0644)" \
  sh -c "[ \"\$(stat -c %a '$root/run/smiley-kiosk/first-boot-error')\" = 644 ]"
check "import: the rejected file and the error are left on the boot partition, without the token" \
  sh -c "[ -f '$boot/smiley-kiosk.conf.rejected' ] && [ -f '$boot/smiley-kiosk.conf.error' ] &&
         [ ! -e '$boot/smiley-kiosk.conf' ] && ! grep -rqF tok-REJECTED '$boot'"

# The token in smiley-kiosk.token next to the file; the error file of before goes away.
printf '[kiosk]\ndevice-id=shop-12-door\n\n[cloud]\nurl=https://feedback.example.com\n' > "$boot/smiley-kiosk.conf"
printf 'tok-FILE-987\r\n' > "$boot/smiley-kiosk.token"
import
check "import: a token in smiley-kiosk.token is installed, root-owned, mode 0600" \
  sh -c "[ $import_status -eq 0 ]" 
check "import: ... with the new token" token_ok tok-FILE-987
check "import: ... and smiley-kiosk.token is gone from the boot partition" \
  sh -c "[ ! -e '$boot/smiley-kiosk.token' ] && ! grep -rqF tok-FILE '$boot'"
check "import: ... and the earlier error is gone" \
  sh -c "[ ! -e '$root/run/smiley-kiosk/first-boot-error' ] && [ ! -e '$boot/smiley-kiosk.conf.error' ]"

# A token alone is not used, and does not stay either.
printf 'tok-ALONE\n' > "$boot/smiley-kiosk.token"
import
check "import: a token without a configuration is rejected and removed" \
  sh -c "[ $import_status -eq 1 ] && [ ! -e '$boot/smiley-kiosk.token' ] &&
         grep -q 'smiley-kiosk.token' '$root/run/smiley-kiosk/first-boot-error'"
check "import: ... the installed token is unchanged" token_ok tok-FILE-987

# The example the Raspberry Pi image puts on the boot partition, copied as it is.
cp "$src/packaging/pi-gen/stage-smiley-kiosk/00-smiley-kiosk/files/smiley-kiosk.conf.example" \
  "$boot/smiley-kiosk.conf"
import
check "import: the Pi image's smiley-kiosk.conf.example, copied to smiley-kiosk.conf, is accepted" \
  test "$import_status" -eq 0

# --- 6. Purge -------------------------------------------------------------------------------

step "purge"
echo "responses" > "$root/var/lib/smiley-kiosk/responses.db"
in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q smiley-kiosk' > "$work/purge.log" 2>&1 ||
  tail -n 20 "$work/purge.log"
check "purge: the package, its configuration and the token are gone" \
  sh -c "! chroot '$root' dpkg-query -W smiley-kiosk 2>/dev/null | grep -q . ;
         [ ! -e '$root/usr/bin/smiley-kiosk' ] && [ ! -e '$root/etc/smiley-kiosk' ] &&
         [ ! -e '$root/lib/systemd/system/smiley-kiosk.service' ] &&
         [ ! -e '$root/etc/systemd/system/multi-user.target.wants/smiley-kiosk.service' ]"
check "purge: the responses in /var/lib/smiley-kiosk are kept" test -f "$root/var/lib/smiley-kiosk/responses.db"

# --- 7. The server package ------------------------------------------------------------------

step "apt-get install ./$(basename "$server_deb")"
install_started=$(date +%s)
in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
                 /tmp/'"$(basename "$server_deb")" > "$work/server-install.log" 2>&1 ||
  { tail -n 40 "$work/server-install.log"; }
check "smiley-kiosk-server installs with its dependencies, without PostgreSQL ($(($(date +%s) - install_started)) s)" \
  in_root dpkg-query -W -f='${Status}\n' smiley-kiosk-server
echo "installed size: $(in_root dpkg-query -W -f='${Installed-Size} KiB\n' smiley-kiosk-server)"
sed -n '/is installed but not started/,/server.md/p' "$work/server-install.log" | sed 's/^/    | /'
check "postinst says how to create the role and the database (PostgreSQL is only recommended)" \
  sh -c "grep -q 'sudo -u postgres createuser smiley-kiosk-server' '$work/server-install.log' &&
         grep -q 'sudo -u postgres createdb --owner=smiley-kiosk-server smiley_kiosk' '$work/server-install.log' &&
         ! chroot '$root' sh -c 'command -v psql'"
for f in /usr/bin/smiley-kiosk-server \
         /lib/systemd/system/smiley-kiosk-server.service \
         /usr/lib/sysusers.d/smiley-kiosk-server.conf \
         /etc/smiley-kiosk/server.conf \
         /usr/share/man/man8/smiley-kiosk-server.8.gz \
         /usr/share/doc/smiley-kiosk-server/examples/server.conf \
         /usr/share/doc/smiley-kiosk-server/copyright; do
  check "installed: $f" test -f "$root$f"
done
check "installed: server.md, cloud-api.md" \
  sh -c "ls '$root'/usr/share/doc/smiley-kiosk-server/server.md* '$root'/usr/share/doc/smiley-kiosk-server/cloud-api.md*"
check "the kiosk package does not carry the server, nor the server the kiosk" \
  sh -c "! dpkg-deb -c '$deb' | grep -q server; ! dpkg-deb -c '$server_deb' | grep -q 'bin/smiley-kiosk\$'"
check "conffile: /etc/smiley-kiosk/server.conf" \
  sh -c "chroot '$root' dpkg-query -W -f='\${Conffiles}\n' smiley-kiosk-server | grep -q ' /etc/smiley-kiosk/server.conf '"
check "user smiley-kiosk-server exists, system uid, no login shell, no password" \
  sh -c "line=\$(chroot '$root' getent passwd smiley-kiosk-server) &&
         [ \"\$(echo \"\$line\" | cut -d: -f3)\" -lt 1000 ] &&
         [ \"\$(echo \"\$line\" | cut -d: -f7)\" = /usr/sbin/nologin ] &&
         chroot '$root' getent shadow smiley-kiosk-server | cut -d: -f2 | grep -q '^[!*]'"
check "smiley-kiosk-server --version" in_root smiley-kiosk-server --version
check "the shipped server.conf is valid, checked as the user smiley-kiosk-server" \
  sh -c "chroot '$root' runuser -u smiley-kiosk-server -- smiley-kiosk-server check-config |
         grep -q '^/etc/smiley-kiosk/server.conf: the configuration is valid'"
check "man page: smiley-kiosk-server(8) has a section per command, the dashboard's users too" \
  sh -c "for c in serve migrate check-config group site device survey export user; do
           zcat '$root/usr/share/man/man8/smiley-kiosk-server.8.gz' | grep -q \"^\.SS \$c\" || exit 1; done"
check "the shipped server.conf and smiley-kiosk-server(8) document [dashboard] listen, threads, secure-cookies" \
  sh -c "for k in listen threads secure-cookies; do
           sed -n '/^\[dashboard\]/,\$p' '$root/etc/smiley-kiosk/server.conf' | grep -q \"^#\$k=\" &&
           zcat '$root/usr/share/man/man8/smiley-kiosk-server.8.gz' | grep -q \"^\.B \[dashboard\] \$k\" || exit 1
         done"
check "smiley-kiosk-server.service is not enabled (the database comes first)" \
  test ! -e "$root/etc/systemd/system/multi-user.target.wants/smiley-kiosk-server.service"
in_root systemd-analyze verify --man=yes /lib/systemd/system/smiley-kiosk-server.service \
  > "$work/server-verify.log" 2>&1 || true
sed 's/^/    /' "$work/server-verify.log"
check "systemd-analyze verify smiley-kiosk-server.service: no output" test ! -s "$work/server-verify.log"
exposure=$(in_root systemd-analyze security --offline=true /lib/systemd/system/smiley-kiosk-server.service 2>&1 |
           sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
echo "smiley-kiosk-server.service: exposure ${exposure:-?}"
check "smiley-kiosk-server.service: systemd-analyze security exposure ${exposure:-?} <= 2.0" \
  awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.0) }'
in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q smiley-kiosk-server' \
  > "$work/server-purge.log" 2>&1 || tail -n 20 "$work/server-purge.log"
check "purge: smiley-kiosk-server, its configuration and its unit are gone" \
  sh -c "[ ! -e '$root/usr/bin/smiley-kiosk-server' ] && [ ! -e '$root/etc/smiley-kiosk/server.conf' ] &&
         [ ! -e '$root/lib/systemd/system/smiley-kiosk-server.service' ]"

# --- 8. Boot -------------------------------------------------------------------------------

if [ "$boot_test" -eq 1 ]; then
  step "boot under systemd-nspawn (test-boot.sh)"
  sh "$top/packaging/test-boot.sh" "$deb" --server "$server_deb" ${cache:+--cache "$cache"} \
    > "$work/boot.log" 2>&1 || true
  grep -E '^(ok|not ok) |^    \| |booted' "$work/boot.log" || tail -n 30 "$work/boot.log"
  boot_passed=$(sed -n 's/^boot: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$work/boot.log")
  boot_failed=$(sed -n 's/^boot: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$work/boot.log")
  if [ -z "$boot_passed" ]; then
    not_ok "test-boot.sh did not finish"
  else
    passed=$((passed + boot_passed))
    failed=$((failed + boot_failed))
  fi
fi

echo
echo "package test took $(($(date +%s) - started)) s"
echo "packaging: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
