#!/bin/sh
# test-image.sh: boots the Raspberry Pi image (packaging/image/build.sh) in
# qemu-system-aarch64 -M virt and checks, from outside, what IT staff would see on a Pi's screen:
#
#   boot 1  a smiley-kiosk.conf on the FAT partition is imported by the first-boot unit; the kiosk
#           reaches its first frame (screendump); a tap sent with QMP input-send-event (absolute
#           position and button, through the virtio tablet, libinput and cage) lands on a face;
#           then the power is pulled (QMP quit, no shutdown)
#   boot 2  with a smiley-kiosk.conf that has a mistake: refused with its file:line error on the
#           screen, the kiosk keeps the old configuration; a clean shutdown, then the image's
#           SQLite database, read from the ext4 file system, holds the tap of boot 1 as the right
#           face
#   boot 3  [display] rotation=90: cage turns its output, and a tap on a face as it shows on the
#           turned screen is recorded as that face
#
# The image's own kernel, initrd and command line (cmdline.txt from the FAT partition) are booted
# directly by qemu, which stands in for the Pi's boot firmware (raspi-firmware is on the FAT
# partition and unused here). Two settings differ from a Pi, on the kernel command line only: the
# serial console is qemu's ttyAMA0, and WLR_RENDERER=pixman (qemu's virtio GPU has no OpenGL; a
# Pi's vc4 has). The test works on a copy of the image, into which it puts packaging/image/
# image-check (a unit that reports what it sees on the serial console); the image is untouched.
#
# Usage: sudo packaging/test-image.sh [--image DIR] [--rebuild] [--quick] [--docs DIR] [--keep]
#   --image DIR  the image's directory (default build/image); built there by
#                packaging/image/build.sh (--cache DIR) if it holds no image yet
#   --rebuild    build it again first, with build/arm64/smiley-kiosk_*_arm64.deb: from the
#                root file system cached in DIR, a few minutes
#   --quick      boot 1 only, with a clean shutdown after the tap, then the database (for CI)
#   --docs DIR   save the screendumps there as PNG (survey, answered, rejected, rotated,
#                rotated-answered)
#
# IMAGE_CMDLINE_EXTRA (more of the kernel command line, e.g. systemd.setenv=WLR_...=...) and
# IMAGE_DISPLAY (qemu's display device, default virtio-gpu-pci,xres=1280,yres=800) try other
# settings without editing this file.
#
# Ends with "image: N passed, N failed". Needs root (debugfs writes into the copy),
# qemu-system-arm, qemu-efi-aarch64 is not needed, mtools, e2fsprogs, fdisk, sqlite3 and Debian's
# /usr/bin/python3.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
image_dir=$top/build/image
quick=0
rebuild=0
docs=""
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --image) image_dir=$(realpath "$2"); shift ;;
    --quick) quick=1 ;;
    --rebuild) rebuild=1 ;;
    --docs) docs=$(realpath "$2"); shift ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 [--image DIR] [--rebuild] [--quick] [--docs DIR] [--keep]" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" -eq 0 ] || { echo "test-image.sh: needs root" >&2; exit 2; }

need=""
for p in qemu-system-arm mtools e2fsprogs fdisk sqlite3 python3; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    need="$need $p"
  fi
done
if [ -n "$need" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
    --no-install-recommends $need > /dev/null ||
    { echo "test-image.sh: could not install$need" >&2; exit 1; }
fi

started=$(date +%s)
img=$image_dir/smiley-kiosk-raspi-arm64.img
if [ "$rebuild" -eq 1 ] || [ ! -f "$img" ] || [ ! -f "$image_dir/vmlinuz" ] ||
   [ ! -f "$image_dir/initrd.img" ]; then
  echo "== building the image in $image_dir"
  sh "$top/packaging/image/build.sh" --out "$image_dir" --cache "$image_dir" --no-xz
fi

work=$(mktemp -d "${TMPDIR:-/var/tmp}/smiley-kiosk-image-test.XXXXXX")
qemu_pid=""
passed=0
failed=0
cleanup () {
  if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid" 2>/dev/null || true
  fi
  if [ "$keep" -eq 1 ]; then echo "test-image.sh: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

check () {
  if [ "$2" = ok ]; then passed=$((passed + 1)); echo "ok - $1"
  else failed=$((failed + 1)); echo "not ok - $1${2:+ ($2)}"; fi
}

qmp () {
  /usr/bin/python3 "$top/packaging/image/qmp.py" "$work/qmp.sock" "$@"
}

echo "== a copy of $(basename "$img") ($(($(stat -c %s "$img") / 1048576)) MiB)"
disk=$work/card.img
cp --sparse=always "$img" "$disk"
# The partitions' offsets in bytes, from the image's own partition table.
boot_offset=$(($(sfdisk --dump "$disk" | sed -n 's/.*1 : start= *\([0-9]*\),.*/\1/p') * 512))
root_offset=$(($(sfdisk --dump "$disk" | sed -n 's/.*2 : start= *\([0-9]*\),.*/\1/p') * 512))
fat="$disk@@$boot_offset"
ext4="$disk?offset=$root_offset"
export MTOOLS_SKIP_CHECK=1

# The image's kernel command line, as the Pi's firmware would pass it.
cmdline=$(mtype -i "$fat" ::cmdline.txt | tr -d '\r\n')
echo "cmdline.txt: $cmdline"
cmdline=$(echo "$cmdline" | sed 's/console=ttyS1,115200/console=ttyAMA0/')
cmdline="$cmdline systemd.setenv=WLR_RENDERER=pixman systemd.setenv=WLR_NO_HARDWARE_CURSORS=1"
cmdline="$cmdline${IMAGE_CMDLINE_EXTRA:+ $IMAGE_CMDLINE_EXTRA}"
display=${IMAGE_DISPLAY:-virtio-gpu-pci,xres=1280,yres=800}
echo "qemu's kernel command line: $cmdline"
echo "qemu's display: $display"

# The reporting unit, in the copy only.
cat > "$work/image-check.service" <<'EOF'
[Unit]
Description=Smiley Kiosk image test: report what the image does
After=smiley-kiosk.service

[Service]
Type=simple
ExecStart=/usr/local/sbin/image-check
EOF
cat > "$work/debugfs.cmd" <<EOF
cd /usr/local/sbin
write $top/packaging/image/image-check image-check
sif image-check mode 0100755
cd /etc/systemd/system
write $work/image-check.service image-check.service
sif image-check.service mode 0100644
cd /etc/systemd/system/multi-user.target.wants
symlink image-check.service /etc/systemd/system/image-check.service
mkdir /etc/systemd/system/smiley-kiosk.service.d
cd /etc/systemd/system/smiley-kiosk.service.d
write $work/emulation.conf emulation.conf
sif emulation.conf mode 0100644
EOF
# Emulated, on a busy machine, the kiosk starts tens of times slower than on a Pi: the unit's
# 60 s for READY=1 and 30 s watchdog would restart it before its first frame.
printf '[Service]\nTimeoutStartSec=900\nWatchdogSec=300\n' > "$work/emulation.conf"
debugfs -w -f "$work/debugfs.cmd" "$ext4" > "$work/debugfs.log" 2>&1 ||
  { cat "$work/debugfs.log"; exit 1; }

# boot NAME: powers the copy on; the serial console goes to $work/NAME.serial.
boot () {
  rm -f "$work/qmp.sock"
  serial=$work/$1.serial
  : > "$serial"
  nice -n 10 qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 1024 \
    -kernel "$image_dir/vmlinuz" -initrd "$image_dir/initrd.img" -append "$cmdline" \
    -drive file="$disk",format=raw,if=none,id=card -device virtio-blk-pci,drive=card \
    -device "$display" -device virtio-tablet-pci \
    -device virtio-keyboard-pci \
    -netdev user,id=net -device virtio-net-pci,netdev=net,romfile= \
    -display none -serial "file:$serial" -qmp "unix:$work/qmp.sock,server=on,wait=off" \
    -no-reboot > "$work/$1.qemu.log" 2>&1 &
  qemu_pid=$!
  boot_started=$(date +%s)
}

# running: qemu has not ended (a child that ended but is not reaped yet is a zombie, "Z").
running () {
  [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null &&
    [ "$(ps -o stat= -p "$qemu_pid" | cut -c1)" != Z ]
}

# report KEY: what image-check said in this boot.
report () {
  sed -n "s/.*image-check: $1=//p" "$serial" | tr -d '\r' | head -n 1
}

# wait_report KEY SECONDS
wait_report () {
  t=0
  while [ $t -lt "$2" ] && ! grep -q "image-check: $1=" "$serial"; do
    if ! running; then
      return 1
    fi
    sleep 2; t=$((t + 2))
  done
  grep -q "image-check: $1=" "$serial"
}

# wait_off SECONDS: qemu ends once the guest has powered off.
wait_off () {
  t=0
  while [ $t -lt "$1" ] && running; do
    sleep 1; t=$((t + 1))
  done
  if running; then
    qmp quit || true
    wait "$qemu_pid" 2>/dev/null || true
    qemu_pid=""
    return 1
  fi
  wait "$qemu_pid" 2>/dev/null || true
  qemu_pid=""
}

# The faces' centres, as fractions of the screen's width and height, on the survey's first
# screen: four faces in a row, very happy (face 3) on the left to very unhappy (face 0) on the
# right; at 1280x800, and at 800x1280 (the same screen turned: the row is lower down).
face_x () {
  case "$1" in 3) echo 0.144 ;; 2) echo 0.381 ;; 1) echo 0.619 ;; 0) echo 0.856 ;; esac
}
face_y=0.716
portrait_face_y=0.85

# responses: the rows of the image's database, read from the ext4 file system, not through the
# guest (after a clean shutdown; the write-ahead log is read too if one is left).
responses () {
  rm -f "$work/responses.db" "$work/responses.db-wal"
  debugfs -R "dump /var/lib/smiley-kiosk/responses.db $work/responses.db" "$ext4" > /dev/null 2>&1
  debugfs -R "dump /var/lib/smiley-kiosk/responses.db-wal $work/responses.db-wal" "$ext4" \
    > /dev/null 2>&1
  [ -s "$work/responses.db-wal" ] || rm -f "$work/responses.db-wal"
  sqlite3 "$work/responses.db" "$1" 2>&1
}

screenshot () {
  if [ -n "$docs" ]; then
    mkdir -p "$docs"
    qmp screendump "$docs/$1.png" || true
  fi
  qmp screendump "$work/$1.ppm" || true
}

# --- Boot 1 -----------------------------------------------------------------------------------

# With the admin screen (PIN 0000, the example in kiosk.conf), where a refused file's errors show.
cat > "$work/good.conf" <<'EOF'
[kiosk]
device-id=image-test

[admin]
pin-hash=$y$j9T$k.cXNRuCSlCQWGyiM.vB11$r9bkWRikksXUuDuap9mpn7MevUQ2.rIMSOqXvFx7lT7
EOF
mcopy -o -i "$fat" "$work/good.conf" ::smiley-kiosk.conf

echo "== boot 1: the configuration on the FAT partition, the first frame, a tap, the power pulled"
boot first
frame=$(qmp wait-frame "$work/first-frame.ppm" 900 2>"$work/frame.err") || frame=""
check "the kiosk's first frame after ${frame:-?} s from power-on (emulated, 2 cores)" \
  "$( [ -n "$frame" ] && echo ok || cat "$work/frame.err")"
wait_report done 600 || true
for key in kiosk_state first_boot device_id boot_files cage_args kiosk_user ssh renderer \
           system_state failed_units startup kiosk_start_us kiosk_ready_us uptime_s mem_used_kib \
           mem_total_kib kiosk_rss_kib cage_rss_kib; do
  echo "    $key=$(report $key)"
done
check "the first-boot unit imported smiley-kiosk.conf (device-id $(report device_id))" \
  "$( [ "$(report first_boot)" = success ] && [ "$(report device_id)" = image-test ] && echo ok)"
check "the FAT partition keeps it as smiley-kiosk.conf.imported" \
  "$(case "$(report boot_files)" in *smiley-kiosk.conf.imported*) echo ok ;; esac)"
check "smiley-kiosk.service is active: cage and the kiosk, as the user kiosk" \
  "$( [ "$(report kiosk_state)" = active ] && [ "$(report kiosk_user)" = kiosk ] && echo ok)"
check "SSH is off" "$(case "$(report ssh)" in disabled\ inactive) echo ok ;; esac)"
kiosk_s=""
if [ -n "$(report kiosk_ready_us)" ] && [ -n "$(report kiosk_start_us)" ]; then
  kiosk_s=$(awk -v a="$(report kiosk_start_us)" -v b="$(report kiosk_ready_us)" \
              'BEGIN { printf "%.1f", (b - a) / 1e6 }')
fi
echo "    the kiosk's service from its start to READY=1: ${kiosk_s:-?} s of the" \
     "$(awk -v b="$(report kiosk_ready_us)" 'BEGIN { printf "%.1f", b / 1e6 }') s from the kernel's start"
echo "    idle memory of the whole system: $(report mem_used_kib) KiB used of $(report mem_total_kib) KiB"
screenshot survey

tap_face=3
qmp screendump "$work/before-tap.ppm"
qmp tap "$(face_x $tap_face)" "$face_y"
answer=$(qmp wait-change "$work/before-tap.ppm" "$work/after-tap.ppm" 300 2>&1) || answer=""
check "the tap is answered on the screen (the next page after ${answer:-?} s, emulated)" \
  "$( [ -n "$answer" ] && echo ok)"
screenshot answered
if [ "$quick" -eq 1 ]; then
  qmp powerdown
  check "a clean shutdown from the power button" "$(wait_off 600 && echo ok)"
else
  qmp quit
  wait "$qemu_pid" 2>/dev/null || true
  qemu_pid=""
  echo "    the power was pulled $(($(date +%s) - boot_started)) s after power-on"

  # --- Boot 2 ---------------------------------------------------------------------------------

  printf '[kiosk]\r\ndevice-id=image-test-2\r\nmisuse-intervall=5\r\n' > "$work/bad.conf"
  mcopy -o -i "$fat" "$work/bad.conf" ::smiley-kiosk.conf
  echo "== boot 2: after the power cut, a configuration with a mistake"
  boot second
  frame2=$(qmp wait-frame "$work/second-frame.ppm" 900 2>/dev/null) || frame2=""
  wait_report done 600 || true
  for key in kiosk_state first_boot device_id boot_files first_boot_error; do
    echo "    $key=$(report $key)"
  done
  check "the kiosk comes back after the power cut (first frame after ${frame2:-?} s)" \
    "$( [ -n "$frame2" ] && [ "$(report kiosk_state)" = active ] && echo ok)"
  check "the first-boot unit refused the file: $(report first_boot_error)" \
    "$( [ "$(report first_boot)" = exit-code ] &&
        case "$(report first_boot_error)" in 'smiley-kiosk.conf:3: [kiosk] misuse-intervall'*) echo ok ;; esac)"
  check "the kiosk keeps its configuration (device-id $(report device_id))" \
    "$( [ "$(report device_id)" = image-test ] && echo ok)"
  check "the FAT partition has smiley-kiosk.conf.rejected and .error" \
    "$(case "$(report boot_files)" in *smiley-kiosk.conf.error*smiley-kiosk.conf.rejected*) echo ok ;; esac)"
  screenshot rejected
  qmp powerdown
  check "a clean shutdown from the power button" "$(wait_off 600 && echo ok)"
fi

rows=$(responses "SELECT count(*) || ' ' || group_concat(face || ':' || input) FROM responses;")
check "the tap is in the image's database as face $tap_face (touch): $rows" \
  "$( [ "$rows" = "1 $tap_face:touch" ] && echo ok)"

if [ "$quick" -eq 0 ]; then

  # --- Boot 3 ---------------------------------------------------------------------------------

  sed 's/$/\r/' "$work/good.conf" > "$work/rotated.conf"
  printf '\r\n[display]\r\nrotation=90\r\n' >> "$work/rotated.conf"
  mcopy -o -i "$fat" "$work/rotated.conf" ::smiley-kiosk.conf
  echo "== boot 3: [display] rotation=90"
  boot rotated
  frame3=$(qmp wait-frame "$work/rotated-frame.ppm" 900 2>/dev/null) || frame3=""
  wait_report done 600 || true
  for key in kiosk_state first_boot cage_args touch_matrix session_log; do
    echo "    $key=$(report $key)"
  done
  check "imported, and cage runs with -r: $(report cage_args)" \
    "$( [ "$(report first_boot)" = success ] &&
        case "$(report cage_args)" in *'cage -r -d'*) echo ok ;; esac)"
  check "udev gave the tablet the turned touch's matrix: $(report touch_matrix)" \
    "$( [ "$(report touch_matrix)" = "0 -1 1 1 0 0" ] && echo ok)"
  screenshot rotated
  # For a screen turned 90 degrees clockwise, cage turns the picture the other way: on the
  # screen as qemu shows it (and as a touchscreen fixed to it reports a touch) the survey's
  # point (x, y) is at (y, 1 - x), the row of faces runs up the right-hand side.
  rot_face=1
  qmp screendump "$work/before-tap.ppm"
  qmp tap "$portrait_face_y" "$(awk -v x="$(face_x $rot_face)" 'BEGIN { print 1 - x }')"
  # Turned, the faces are smaller: the next page may change less than the 30 % wait-change
  # needs, so the database below decides.
  qmp wait-change "$work/before-tap.ppm" "$work/after-tap.ppm" 120 > /dev/null || true
  screenshot rotated-answered
  qmp powerdown
  check "a clean shutdown from the power button" "$(wait_off 600 && echo ok)"
  newest=$(responses "SELECT face || ':' || input FROM responses ORDER BY seq DESC LIMIT 1;")
  check "a tap on the turned screen's face $rot_face is recorded as face $rot_face: $newest" \
    "$( [ "$newest" = "$rot_face:touch" ] && echo ok)"
fi

if [ "$failed" -ne 0 ]; then
  for f in "$work"/*.serial; do
    echo "    --- $(basename "$f") (last lines)"
    grep -v "^\s*$" "$f" | tail -n 25 | sed 's/^/    | /'
  done
fi
echo "image test took $(($(date +%s) - started)) s"
echo "image: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
