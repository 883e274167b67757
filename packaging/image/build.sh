#!/bin/sh
# build.sh: a Raspberry Pi image with Smiley Kiosk, from Debian's archive alone (bookworm, arm64),
# for a Raspberry Pi 3, 4 or 400 (Debian's arm64 kernel also boots the Pi 2 B v1.2, the CM3 and
# the CM4; not the Pi 5). The same layout as Debian's own Raspberry Pi images
# (https://raspi.debian.net): an MBR with a FAT boot partition RASPIFIRM (the Pi's boot firmware,
# Debian's config.txt and cmdline.txt, the kernel, its initrd and device trees) and an ext4 root
# RASPIROOT.
#
# The root is made with mmdebstrap (arm64 programs run under qemu-user through binfmt_misc); the
# two file systems are made from directories, without mounting them or a loop device
# (mkfs.vfat and mcopy, mke2fs -d), and written into the image at their partitions' offsets.
#
# In the image: the arm64 smiley-kiosk package (packaging/cross-arm64.sh --in-chroot --deb) with
# cage and its hardened units, the first-boot import, systemd-networkd (DHCP on the Ethernet
# port), systemd-timesyncd, OpenSSH off (see packaging/image/files/smiley-kiosk-ssh), root's
# password locked. On the boot partition next to Debian's config.txt: smiley-kiosk.conf.example.
#
# From Debian's non-free-firmware component: raspi-firmware (the Pi's boot loader and GPU
# firmware: bootcode.bin, start*.elf, fixup*.dat; a Pi does not boot without them) and
# firmware-brcm80211 (the Wi-Fi chip's firmware). Everything else is from main.
#
# Usage: sudo packaging/image/build.sh [--deb PACKAGE.deb] [--out DIR] [--cache DIR]
#                                      [--size-slack MB] [--no-xz]
#   --deb   the arm64 package (default: build/arm64/smiley-kiosk_*_arm64.deb)
#   --out   where the image goes (default: build/image); writes smiley-kiosk-raspi-arm64.img,
#           the same compressed (.img.xz) and the kernel and initrd for qemu's direct boot
#   --cache DIR  keep the root file system, as a tar, in DIR; a later build with the same
#           packages and settings (packaging/image/files) only installs the kiosk's package into
#           a copy of it: a few minutes instead of half an hour
#   --size-slack  free space left in the root file system, in MiB (default 512); the root
#           partition is not grown at boot
#   --no-xz  no .img.xz (the boot test needs only the raw image)
#
# Needs root (mmdebstrap --mode=root, binfmt_misc), Debian's mirror, and the packages mmdebstrap,
# arch-test, qemu-user-static, binfmt-support, dosfstools, mtools, fdisk, e2fsprogs, xz-utils.
# Takes 15-25 minutes on 2 cores, most of it in dpkg under qemu-user. Prints how long each step
# took and the image's sizes.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
deb=""
out=$top/build/image
cache=""
no_xz=0
slack=512

while [ $# -gt 0 ]; do
  case "$1" in
    --deb) deb=$(realpath "$2"); shift ;;
    --out) out=$2; shift ;;
    --cache) cache=$(realpath "$2"); shift ;;
    --no-xz) no_xz=1 ;;
    --size-slack) slack=$2; shift ;;
    *) echo "usage: $0 [--deb PACKAGE.deb] [--out DIR] [--cache DIR] [--size-slack MB] [--no-xz]" >&2; exit 2 ;;
  esac
  shift
done

if [ -z "$deb" ]; then
  for f in "$top"/build/arm64/smiley-kiosk_*_arm64.deb; do
    [ -f "$f" ] && deb=$f
  done
fi
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
  echo "build.sh: no arm64 package; build it first: sudo packaging/cross-arm64.sh --in-chroot --deb" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "build.sh: needs root (mmdebstrap --mode=root, binfmt_misc): sudo $0" >&2
  exit 2
fi

started=$(date +%s)
step () {
  echo
  echo "== $* ($(($(date +%s) - started)) s)"
}

step "packages on this machine"
need=""
# arch-test: mmdebstrap refuses a foreign architecture without it ("install arch-test for foreign
# architecture support"), and it is only a recommendation of mmdebstrap's.
for p in mmdebstrap arch-test qemu-user-static binfmt-support dosfstools mtools fdisk e2fsprogs \
         xz-utils; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    need="$need $p"
  fi
done
if [ -n "$need" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
    --no-install-recommends $need > /dev/null ||
    { echo "build.sh: could not install$need" >&2; exit 1; }
  echo "installed$need"
fi
if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  update-binfmts --enable qemu-aarch64 2>/dev/null || true
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  echo "build.sh: arm64 programs cannot run here: binfmt_misc has no qemu-aarch64 entry" >&2
  exit 1
fi

mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/smiley-kiosk-image.XXXXXX")
root=$work/root
cleanup () {
  if mountpoint -q "$root/proc" 2>/dev/null; then
    umount "$root/proc" || umount -l "$root/proc"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# The files the image gets besides the packages.
files=$top/packaging/image/files
# dpkg inside the root reads the package under the path apt gives it, the same as outside.
pkgdir=/tmp/smiley-kiosk-image-deb
rm -rf "$pkgdir"
mkdir -p "$pkgdir"
cp "$deb" "$pkgdir/"
pkg=$pkgdir/$(basename "$deb")

# linux-image-arm64: Debian's kernel, with the Pi's drivers (vc4 KMS, the SD card, USB, Ethernet)
# and qemu's virtio ones. initramfs-tools: the Pi's firmware loads the initrd next to the kernel.
# cage, GTK 4 and Mesa come with the kiosk's package.
packages="systemd-sysv,udev,dbus,kmod,initramfs-tools,linux-image-arm64"
packages="$packages,raspi-firmware,firmware-brcm80211,wireless-regdb"
packages="$packages,systemd-timesyncd,systemd-resolved,iproute2,openssh-server,e2fsprogs,dosfstools"
# logind lets the kiosk's session take the seat (libseat's logind back end asks it to activate
# the session) only with polkit's consent: without polkitd it refuses ("Permission denied") and
# cage cannot start.
packages="$packages,polkitd"
# The cached root is the one these files made; packages added to the list since are installed
# into it.
key=$(cat "$files"/* | sha256sum | cut -c1-16)
cached=""
if [ -n "$cache" ] && [ -f "$cache/root-$key.tar" ]; then
  cached=$cache/root-$key.tar
fi

if [ -n "$cached" ]; then
  step "the root from $cached, with $(basename "$deb")"
  mkdir "$root"
  tar -C "$root" --numeric-owner -xpf "$cached"
  # dpkg's scripts and Debian's raspi-firmware hook (ischroot) need /proc, as under mmdebstrap.
  mount -t proc proc "$root/proc"
  cp "$deb" "$root/tmp/"
  # apt needs the build machine's name servers; the image's resolv.conf (systemd-resolved's) is
  # put back after.
  mv "$root/etc/resolv.conf" "$work/resolv.conf.image"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive sh -c "apt-get update -q &&
      apt-get install -y -q --no-install-recommends $(echo "$packages" | tr , ' ') \
        /tmp/$(basename "$deb") && apt-get clean && rm -rf /var/lib/apt/lists/*" \
    > "$work/apt.log" 2>&1 ||
    { tail -n 30 "$work/apt.log"; echo "build.sh: the cached root cannot take this package;" \
        "remove $cached to build it anew" >&2; exit 1; }
  rm -f "$root/tmp/$(basename "$deb")" "$root/etc/resolv.conf"
  mv "$work/resolv.conf.image" "$root/etc/resolv.conf"
  sh "$files/customize.sh" "$root" "$files"
  umount "$root/proc"
else
  step "mmdebstrap bookworm arm64 (with $(basename "$deb"))"
  nice -n 10 mmdebstrap --mode=root --architectures=arm64 --variant=minbase \
    --components=main,non-free-firmware --include="$packages" --include="$pkg" \
    --essential-hook='mkdir -p "$1/boot/firmware" "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d"' \
    --essential-hook="cp $files/initramfs.conf \"\$1/etc/initramfs-tools/conf.d/smiley-kiosk-image\"" \
    --essential-hook="cp $files/initramfs-modules \"\$1/usr/share/initramfs-tools/modules.d/smiley-kiosk-image\"" \
    --setup-hook="mkdir -p \"\$1$pkgdir\" && cp \"$pkg\" \"\$1$pkgdir/\"" \
    --customize-hook="sh $files/customize.sh \"\$1\" $files" \
    --customize-hook="rm -rf \"\$1$pkgdir\"" \
    bookworm "$root" \
    "deb $mirror bookworm main non-free-firmware" \
    "deb $mirror bookworm-updates main non-free-firmware" \
    "deb $security bookworm-security main non-free-firmware" \
    > "$work/mmdebstrap.log" 2>&1 ||
    { tail -n 40 "$work/mmdebstrap.log"; exit 1; }
  grep -E "^I: (installing|running)" "$work/mmdebstrap.log" | tail -n 3 || true
  if [ -n "$cache" ]; then
    mkdir -p "$cache"
    rm -f "$cache"/root-*.tar
    tar -C "$root" --numeric-owner -cpf "$cache/root-$key.tar.new" . &&
      mv "$cache/root-$key.tar.new" "$cache/root-$key.tar"
    echo "cached the root as $cache/root-$key.tar"
  fi
fi
rm -rf "$pkgdir"

step "file systems"
# The boot partition: what Debian's raspi-firmware put into /boot/firmware, and the example.
mv "$root/boot/firmware" "$work/firmware"
mkdir "$root/boot/firmware"
cp "$top/packaging/pi-gen/stage-smiley-kiosk/00-smiley-kiosk/files/smiley-kiosk.conf.example" \
  "$work/firmware/smiley-kiosk.conf.example"
ls "$work/firmware" | tr '\n' ' '
echo
# The kernel and initrd, for qemu's direct kernel boot (packaging/test-image.sh).
cp "$root"/boot/vmlinuz-* "$out/vmlinuz"
cp "$root"/boot/initrd.img-* "$out/initrd.img"

mib=1048576
boot_mib=256
fat=$work/boot.vfat
truncate -s $((boot_mib * mib)) "$fat"
mkfs.vfat -F 32 -n RASPIFIRM "$fat" > /dev/null
MTOOLS_SKIP_CHECK=1 mcopy -s -p -m -i "$fat" "$work"/firmware/* ::/

root_used=$(du -s -B 1M "$root" | cut -f1)
root_mib=$((root_used + root_used / 5 + slack))
ext4=$work/root.ext4
truncate -s $((root_mib * mib)) "$ext4"
mke2fs -q -t ext4 -L RASPIROOT -d "$root" "$ext4"
echo "root: ${root_used} MiB of files in a ${root_mib} MiB file system"

step "disk image"
# MBR, as the Pi's boot ROM reads it: the FAT partition first (type 0x0c), the root after it.
img=$out/smiley-kiosk-raspi-arm64.img
rm -f "$img" "$img.xz"
start=4
truncate -s $(((start + boot_mib + root_mib) * mib)) "$img"
sfdisk --quiet "$img" <<EOF
label: dos
unit: sectors
start=$((start * 2048)), size=$((boot_mib * 2048)), type=c
start=$(((start + boot_mib) * 2048)), size=$((root_mib * 2048)), type=83
EOF
dd if="$fat" of="$img" bs=1M seek=$start conv=notrunc,sparse status=none
dd if="$ext4" of="$img" bs=1M seek=$((start + boot_mib)) conv=notrunc,sparse status=none
sfdisk --dump "$img" | tail -n 2

raw=$(stat -c %s "$img")
echo
echo "image: $img"
if [ "$no_xz" -eq 0 ]; then
  step "xz"
  nice -n 10 xz -T2 -6 -k "$img"
  compressed=$(stat -c %s "$img.xz")
  echo "size: $((raw / mib)) MiB raw, $((compressed / mib)) MiB as .img.xz"
else
  echo "size: $((raw / mib)) MiB raw (no .img.xz: --no-xz)"
fi
echo "build.sh: $(($(date +%s) - started)) s in all"
