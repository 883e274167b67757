#!/bin/sh
# test-boot.sh: boots a fresh Debian 12 with the package installed under systemd-nspawn, and checks
# the units as systemd runs them: the first-boot import before the kiosk, the PAM session, the
# kiosk reaching READY=1 through smiley-kiosk-session, the token handed over as a credential, the
# sandbox the kiosk really runs in, a watchdog restart, and a clean stop.
#
# A container has no VT and no GPU: a drop-in replaces tty1 by nothing and the DRM back end by
# wlroots' headless one (WLR_BACKENDS=headless, pixman, GSK_RENDERER=cairo). Everything else is
# the unit as shipped.
#
# With --server SERVER.deb, also smiley-kiosk-server with PostgreSQL from Debian in the same
# machine: the role and the database made as postinst says, the unit started as shipped, its
# sandbox and exposure, /healthz, a heartbeat from a device added with the command line.
#
# Usage: sudo packaging/test-boot.sh PACKAGE.deb [--server SERVER.deb] [--cache DIR] [--keep]
# Needs root, systemd-nspawn (package systemd-container) and Debian's mirror.
# Ends with "boot: N passed, N failed".
set -eu

deb=""
server_deb=""
cache=""
keep=0
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
while [ $# -gt 0 ]; do
  case "$1" in
    --cache) cache=$2; shift ;;
    --server) server_deb=$(realpath "$2"); shift ;;
    --keep) keep=1 ;;
    *.deb) deb=$(realpath "$1") ;;
    *) echo "usage: $0 PACKAGE.deb [--server SERVER.deb] [--cache DIR] [--keep]" >&2; exit 2 ;;
  esac
  shift
done
[ -f "$deb" ] || { echo "usage: $0 PACKAGE.deb [--cache DIR] [--keep]" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "test-boot.sh: needs root" >&2; exit 2; }

# Another installation on this machine (unattended-upgrades, a concurrent job) may hold the dpkg
# lock: wait for it up to 5 minutes, and say so plainly if it is still held.
for p in debootstrap systemd-container; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
      --no-install-recommends "$p" ||
      { echo "test-boot.sh: could not install $p (if apt said \"Could not get lock\", another" \
             "apt or dpkg held this machine's lock for more than 5 minutes)" >&2; exit 1; }
  fi
done

started=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/var/tmp}/smiley-kiosk-boot.XXXXXX")
root=$work/root
passed=0
failed=0
cleanup () {
  mountpoint -q "$root/proc" 2>/dev/null && umount "$root/proc"
  if [ "$keep" -eq 1 ]; then echo "test-boot.sh: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

echo "== debootstrap and install"
if [ -n "$cache" ] && [ -f "$cache/bookworm-minbase.tgz" ]; then
  debootstrap --variant=minbase --unpack-tarball="$cache/bookworm-minbase.tgz" bookworm "$root" \
    "$mirror" > "$work/debootstrap.log" 2>&1
else
  debootstrap --variant=minbase bookworm "$root" "$mirror" > "$work/debootstrap.log" 2>&1
fi
if ls /etc/apt/sources.list.d/*.sources > /dev/null 2>&1; then
  cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/"
  rm -f "$root/etc/apt/sources.list"
fi
cp "$deb" "$root/tmp/"
server_pkgs=""
if [ -n "$server_deb" ]; then
  cp "$server_deb" "$root/tmp/"
  server_pkgs="postgresql curl /tmp/$(basename "$server_deb")"
fi
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
chroot "$root" sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
  --no-install-recommends systemd-sysv dbus procps util-linux /tmp/$(basename "$deb") $server_pkgs" \
  > "$work/install.log" 2>&1 || { tail -n 30 "$work/install.log"; exit 1; }
umount "$root/proc"
rm -f "$root/usr/sbin/policy-rc.d"

# The container's stand-ins for tty1 and the GPU.
mkdir -p "$root/etc/systemd/system/smiley-kiosk.service.d"
cat > "$root/etc/systemd/system/smiley-kiosk.service.d/container.conf" <<'EOF'
[Unit]
ConditionPathExists=
[Service]
TTYPath=
StandardInput=null
UtmpIdentifier=
TTYReset=no
TTYVHangup=no
TTYVTDisallocate=no
Environment=WLR_BACKENDS=headless WLR_RENDERER=pixman GSK_RENDERER=cairo
EOF
# What IT staff would drop on the boot partition.
mkdir -p "$root/boot/firmware"
printf '[kiosk]\r\ndevice-id=boot-test\r\n\r\n[cloud]\r\nurl=http://127.0.0.1:9\r\ntoken=tok-BOOT-4711\r\n' \
  > "$root/boot/firmware/smiley-kiosk.conf"

# The checks run inside, after the kiosk started, and write "key=value" lines.
cat > "$root/usr/local/sbin/kiosk-check" <<'EOF'
#!/bin/sh
out=/kiosk-check.out
exec 2>/kiosk-check.err
say () { echo "$1=$2" >> $out; }
wait_active () {
  t=0
  while [ $t -lt 90 ]; do
    [ "$(systemctl is-active smiley-kiosk)" = active ] && break
    sleep 1; t=$((t + 1))
  done
  echo $t
}
say ready_after "$(wait_active)"
say state "$(systemctl is-active smiley-kiosk)"
say main_cmd "$(ps -o args= -p "$(systemctl show -p MainPID --value smiley-kiosk)" | cut -d' ' -f1)"
say first_boot "$(systemctl show -p Result --value smiley-kiosk-first-boot)"
say device_id "$(sed -n 's/^device-id=//p' /etc/smiley-kiosk/kiosk.conf)"
say token_outside "$(stat -c '%U:%a' /etc/smiley-kiosk/credentials/token)"
say boot_files "$(ls /boot/firmware | tr '\n' ' ')"
s=$(loginctl list-sessions --no-legend | awk '$3 == "kiosk" { print $1 }' | head -n 1)
say session "$(loginctl show-session "$s" -p Type -p Class -p Service --value | tr '\n' ' ')"
app=$(pgrep -u kiosk -x smiley-kiosk | head -n 1)
cage=$(pgrep -u kiosk -x cage | head -n 1)
say app_running "${app:+yes}"
say cage_running "${cage:+yes}"
say app_cgroup "$(cut -d: -f3 /proc/$app/cgroup | grep -o 'session-[0-9]*.scope' | head -n 1)"
say env "$(tr '\0' '\n' < /proc/$app/environ | grep -E '^(XDG_RUNTIME_DIR|NOTIFY_SOCKET|WATCHDOG_USEC|WATCHDOG_PID)=' | sort | tr '\n' ' ')"
say status "$(grep -E '^(NoNewPrivs|Seccomp|CapEff|CapBnd):' /proc/$app/status | tr -s '\t ' ' ' | tr '\n' ' ')"
say token_inside "$(nsenter -t "$app" -m setpriv --reuid=kiosk --regid=kiosk --clear-groups cat /etc/smiley-kiosk/credentials/token 2>&1)"
say token_inside_mode "$(nsenter -t "$app" -m stat -c '%U:%a' /etc/smiley-kiosk/credentials/token 2>&1)"
as_kiosk () { nsenter -t "$app" -m setpriv --reuid=kiosk --regid=kiosk --clear-groups "$@"; }
say home_hidden "$(as_kiosk ls /home 2>&1 | head -n 1)"
say boot_hidden "$(as_kiosk ls /boot/firmware 2>&1 | head -n 1)"
say etc_readonly "$(as_kiosk touch /var/lib/smiley-kiosk/x /etc/x 2>&1 | tr '\n' ' ')"
say database "$(stat -c '%U' /var/lib/smiley-kiosk/responses.db 2>&1)"
# A USB stick mounted after the kiosk started (the admin screen's Export CSV looks in /media and
# /run/media): it must show inside the sandbox, writable.
mkdir -p /media/usb-test /run/media/kiosk/usb-test
mount -t tmpfs -o "uid=$(id -u kiosk),mode=0700" stick /media/usb-test
mount -t tmpfs -o "uid=$(id -u kiosk),mode=0700" stick /run/media/kiosk/usb-test
say usb_media "$(as_kiosk sh -c 'touch /media/usb-test/x && echo writable' 2>&1)"
say usb_run_media "$(as_kiosk sh -c 'touch /run/media/kiosk/usb-test/x && echo writable' 2>&1)"
umount /media/usb-test /run/media/kiosk/usb-test
say token_errors "$(journalctl -b -u smiley-kiosk --no-pager | grep -ci 'token-file')"

# Watchdog: a kiosk that stops answering is restarted.
before=$(systemctl show -p NRestarts --value smiley-kiosk)
kill -STOP "$app"
t=0
while [ $t -lt 90 ] && [ "$(systemctl show -p NRestarts --value smiley-kiosk)" = "$before" ]; do
  sleep 1; t=$((t + 1))
done
say watchdog_restart_after "$t"
say watchdog_result "$(journalctl -b -u smiley-kiosk --no-pager | grep -c 'Watchdog timeout')"
say ready_again_after "$(wait_active)"
say old_app_gone "$(kill -0 "$app" 2>/dev/null && echo no || echo yes)"

# A stop: clean, nothing left, the login prompt is asked back.
systemctl stop smiley-kiosk
say stop_result "$(systemctl show -p Result --value smiley-kiosk)"
sleep 1
say leftovers "$(pgrep -u kiosk -x 'cage|smiley-kiosk' | wc -l)"
say getty_asked "$(journalctl -b --no-pager | grep -c 'getty@tty1')"
say cage_aborted "$(journalctl -b --no-pager | grep -c 'Assertion')"
if [ -x /usr/local/sbin/server-check ]; then
  /usr/local/sbin/server-check
fi
journalctl -b --no-pager > /kiosk-check.journal
systemctl poweroff
EOF
chmod 0755 "$root/usr/local/sbin/kiosk-check"

if [ -n "$server_deb" ]; then
  # What docs/server.md and the package's postinst tell IT staff to do, then the unit as shipped.
  cat > "$root/usr/local/sbin/server-check" <<'EOF'
#!/bin/sh
out=/kiosk-check.out
say () { echo "$1=$2" >> $out; }
t=0
while [ $t -lt 60 ] && ! runuser -u postgres -- pg_isready -q; do sleep 1; t=$((t + 1)); done
say server_pg_ready "$(runuser -u postgres -- pg_isready > /dev/null 2>&1 && echo yes)"
say server_enabled_by_package "$(systemctl is-enabled smiley-kiosk-server 2>&1)"
(cd / && runuser -u postgres -- createuser smiley-kiosk-server &&
   runuser -u postgres -- createdb --owner=smiley-kiosk-server smiley_kiosk) >&2
say server_database "$?"
systemctl enable --now smiley-kiosk-server >&2
t=0
health=""
while [ $t -lt 30 ]; do
  health=$(curl -s http://127.0.0.1:8080/healthz)
  [ "$health" = ok ] && break
  sleep 1; t=$((t + 1))
done
say server_healthz "$health"
say server_healthz_after "$t"
say server_state "$(systemctl is-active smiley-kiosk-server)"
say server_listening "$(journalctl -b -u smiley-kiosk-server --no-pager | grep -o 'listening on [^ ]*' | head -n 1)"
# The managers' dashboard, the second listener ([dashboard] listen), through the same sandbox.
say server_dashboard "$(journalctl -b -u smiley-kiosk-server --no-pager | grep -o 'dashboard on [^ ]*' | head -n 1)"
t=0
login=""
while [ $t -lt 10 ]; do
  login=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8081/login)
  [ "$login" = 200 ] && break
  sleep 1; t=$((t + 1))
done
say server_dashboard_login "$login"
# man-db is not in this root; test-package.sh verifies the unit's Documentation= with it.
say server_verify "$(systemd-analyze verify --man=no smiley-kiosk-server.service 2>&1 | tr '\n' ' ')"
say server_exposure "$(systemd-analyze security smiley-kiosk-server.service 2>&1 |
                      sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')"
pid=$(systemctl show -p MainPID --value smiley-kiosk-server)
say server_user "$(ps -o user= -p "$pid")"
say server_status "$(grep -E '^(NoNewPrivs|Seccomp|CapEff):' /proc/$pid/status | tr -s '\t ' ' ' | tr '\n' ' ')"
say server_etc_readonly "$(nsenter -t "$pid" -m setpriv --reuid=smiley-kiosk-server --regid=smiley-kiosk-server --clear-groups touch /etc/smiley-kiosk/x 2>&1)"
# A site and a device from the command line; the device's heartbeat goes through the sandboxed
# server into PostgreSQL (peer authentication from inside the service's user namespace).
S="runuser -u smiley-kiosk-server -- smiley-kiosk-server"
(cd / && $S site add boot-shop --time-zone Europe/Berlin --type shop) >&2
token=$(cd / && $S device add boot-kiosk --site boot-shop | sed -n 4p)
say server_token_length "${#token}"
say server_heartbeat "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' --data '{"version": "0.1.0", "uptime_s": 60,
  "queue_depth": 3, "oldest_pending_age_s": 0, "dead_letter_count": 0, "last_upload_ok_at": null,
  "last_error": null, "clock_synced": true, "survey_id": "demo", "survey_version": 1,
  "last_seq": 7}' http://127.0.0.1:8080/v1/devices/boot-kiosk/heartbeat)"
say server_device_list "$(cd / && $S device list | grep boot-kiosk | tr -s ' ')"
say server_wrong_token "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer nope' \
  -H 'Content-Type: application/json' --data '{}' http://127.0.0.1:8080/v1/devices/boot-kiosk/heartbeat)"
systemctl stop smiley-kiosk-server
say server_stop_result "$(systemctl show -p Result --value smiley-kiosk-server)"
EOF
  chmod 0755 "$root/usr/local/sbin/server-check"
fi
cat > "$root/etc/systemd/system/kiosk-check.service" <<'EOF'
[Unit]
After=smiley-kiosk.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/kiosk-check
EOF
ln -s /etc/systemd/system/kiosk-check.service \
  "$root/etc/systemd/system/multi-user.target.wants/kiosk-check.service"

echo "== boot ($(($(date +%s) - started)) s)"
boot_started=$(date +%s)
# --keep-unit and --register=no: no systemd needed on the host. --private-network: the machine's
# loopback is its own, so a server or a PostgreSQL on the host's 127.0.0.1:8080 or :5432 is not
# mistaken for the one under test.
timeout 300 systemd-nspawn -D "$root" -b --register=no --keep-unit --console=passive --private-network \
  > "$work/nspawn.log" 2>&1 || true
echo "booted, checked and powered off in $(($(date +%s) - boot_started)) s"

val () { sed -n "s/^$1=//p" "$root/kiosk-check.out" 2>/dev/null | head -n 1; }
check () {
  if [ "$2" = ok ]; then passed=$((passed + 1)); echo "ok - $1"
  else failed=$((failed + 1)); echo "not ok - $1"; fi
}
is () { [ "$(val "$1")" = "$2" ] && echo ok || echo "no: $1=$(val "$1")"; }
has () { case "$(val "$1")" in *"$2"*) echo ok ;; *) echo "no: $1=$(val "$1")" ;; esac; }
num_le () { v=$(val "$1"); [ -n "$v" ] && [ "$v" -le "$2" ] && echo ok || echo "no: $1=$v"; }

sed 's/^/    /' "$root/kiosk-check.out" 2>/dev/null || tail -n 20 "$work/nspawn.log"
check "the first-boot import ran before the kiosk and installed the file" \
  "$( [ "$(val first_boot)" = success ] && [ "$(val device_id)" = boot-test ] && echo ok)"
check "the token is root's (0600) outside the service" "$(is token_outside root:600)"
check "the boot partition keeps no token: $(val boot_files)" "$(has boot_files smiley-kiosk.conf.imported)"
check "smiley-kiosk.service is active: READY=1 came through smiley-kiosk-session ($(val ready_after) s)" \
  "$( [ "$(val state)" = active ] && is main_cmd /usr/libexec/smiley-kiosk/smiley-kiosk-session)"
check "cage and the kiosk run" "$( [ "$(val app_running)" = yes ] && is cage_running yes)"
check "a logind session of type wayland, class user: $(val session)" \
  "$(case " $(val session) " in *' wayland '*) case " $(val session) " in *' user '*) echo ok ;; esac ;; esac)"
check "the kiosk is in the session's scope ($(val app_cgroup))" "$(has app_cgroup session-)"
check "the kiosk's environment: $(val env)" \
  "$( [ "$(val env)" = "NOTIFY_SOCKET=/run/smiley-kiosk/session/notify WATCHDOG_USEC=30000000 XDG_RUNTIME_DIR=/run/smiley-kiosk/session " ] && echo ok)"
check "the kiosk: no new privileges, seccomp, no capabilities" \
  "$(st=$(val status); case "$st" in *'NoNewPrivs: 1'*) case "$st" in *'Seccomp: 2'*)
     case "$st" in *'CapEff: 0000000000000000'*) echo ok ;; esac ;; esac ;; esac)"
check "the kiosk reads its copy of the token at the configured path" "$(is token_inside tok-BOOT-4711)"
check "... owned by kiosk, mode 0400" "$(is token_inside_mode kiosk:400)"
check "the kiosk reported no token problem" "$(is token_errors 0)"
check "the kiosk cannot see /home or the boot partition" \
  "$( case "$(val home_hidden)$(val boot_hidden)" in *denied*denied*) echo ok ;; esac)"
check "the kiosk can write its database directory, not /etc" \
  "$(is etc_readonly "touch: cannot touch '/etc/x': Read-only file system ")"
check "the database belongs to kiosk" "$(is database kiosk)"
check "a USB stick mounted later under /media shows in the sandbox, writable" "$(is usb_media writable)"
check "... and under /run/media" "$(is usb_run_media writable)"
check "the watchdog restarts a kiosk that stops answering ($(val watchdog_restart_after) s)" \
  "$( [ "$(val watchdog_result)" -ge 1 ] 2>/dev/null && num_le watchdog_restart_after 60)"
check "... which is ready again ($(val ready_again_after) s), the hung one gone" \
  "$( [ "$(val old_app_gone)" = yes ] && num_le ready_again_after 60)"
check "systemctl stop: result success, nothing left" \
  "$( [ "$(val stop_result)" = success ] && is leftovers 0)"
check "... and tty1's login prompt is asked back" "$( [ "$(val getty_asked)" -ge 1 ] 2>/dev/null && echo ok)"
check "cage never aborted on a stop (the kiosk is stopped first)" "$(is cage_aborted 0)"

if [ -n "$server_deb" ]; then
  check "PostgreSQL from Debian runs in the machine" "$(is server_pg_ready yes)"
  check "smiley-kiosk-server.service is not enabled by the package" "$(is server_enabled_by_package disabled)"
  check "the role and the database, as postinst says (createuser, createdb)" "$(is server_database 0)"
  check "the unit starts, says $(val server_listening), /healthz answers ok ($(val server_healthz_after) s)" \
    "$( [ "$(val server_state)" = active ] && [ "$(val server_listening)" = 'listening on http://127.0.0.1:8080' ] &&
        is server_healthz ok)"
  check "the dashboard listens too ($(val server_dashboard)), its sign-in page answers (HTTP $(val server_dashboard_login))" \
    "$( [ "$(val server_dashboard)" = 'dashboard on http://127.0.0.1:8081' ] && is server_dashboard_login 200)"
  check "systemd-analyze verify smiley-kiosk-server.service: no output" "$(is server_verify '')"
  check "smiley-kiosk-server.service: exposure $(val server_exposure) <= 2.0 (as it runs)" \
    "$(awk -v e="$(val server_exposure)" 'BEGIN { exit !(e != "" && e <= 2.0) }' && echo ok)"
  check "the server runs as smiley-kiosk-server: no new privileges, seccomp, no capabilities" \
    "$( [ "$(val server_user)" = smiley-kiosk-server ] && st=$(val server_status) &&
        case "$st" in *'NoNewPrivs: 1'*) case "$st" in *'Seccomp: 2'*)
          case "$st" in *'CapEff: 0000000000000000'*) echo ok ;; esac ;; esac ;; esac)"
  check "the server cannot write /etc" "$(has server_etc_readonly 'Read-only file system')"
  check "device add prints a token; the device's heartbeat is accepted (HTTP $(val server_heartbeat))" \
    "$( [ "$(val server_token_length)" -ge 20 ] 2>/dev/null && case "$(val server_heartbeat)" in 2??) echo ok ;; esac)"
  check "device list shows the heartbeat: $(val server_device_list)" \
    "$(case "$(val server_device_list)" in *'boot-kiosk boot-shop active '*' 0.1.0 3') echo ok ;; esac)"
  check "a wrong token is refused (HTTP $(val server_wrong_token))" "$(is server_wrong_token 401)"
  check "systemctl stop smiley-kiosk-server: result success" "$(is server_stop_result success)"
fi

if [ "$failed" -ne 0 ] && [ -f "$root/kiosk-check.journal" ]; then
  grep -E "smiley-kiosk|cage|kiosk-check|postgres" "$root/kiosk-check.journal" | tail -n 60 | sed 's/^/    | /'
fi
echo "boot test took $(($(date +%s) - started)) s"
echo "boot: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
