#!/bin/sh
# cross-arm64.sh: cross-builds Smiley Kiosk for arm64 (a Raspberry Pi with 64-bit Raspberry Pi OS
# bookworm) on a Debian 12 amd64 machine, and runs the core and fault tests under qemu-user.
#
# On this machine: adds the arm64 architecture to dpkg, installs the cross compiler
# (gcc-aarch64-linux-gnu), the arm64 -dev packages (multiarch) and qemu-user-static, builds in
# build/arm64 with packaging/arm64-cross.ini and runs `meson test --suite core --suite faults`.
# With --deb it also builds the arm64 package, for the pi-gen stage:
#   dpkg-buildpackage -a arm64 -Pcross,nocheck -us -uc -b
#
# Usage: sudo packaging/cross-arm64.sh [--deb] [--in-chroot [--worktree] [--cache DIR] [--keep]]
#   --in-chroot  do it all in a fresh Debian 12 root made with debootstrap, and leave this
#                machine's packages alone (what CI uses); the results are copied to build/arm64
#   --worktree   (with --in-chroot) the working tree as it is, not the last commit
#   --cache DIR  (with --in-chroot) keep the debootstrap of the base system in DIR
#
# Needs root and Debian's package mirror. Prints how long each step took.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
builddir=${BUILDDIR:-$top/build/arm64}
deb=0
chroot_mode=0
from=head
cache=""
keep=0

while [ $# -gt 0 ]; do
  case "$1" in
    --deb) deb=1 ;;
    --in-chroot) chroot_mode=1 ;;
    --worktree) from=worktree ;;
    --cache) cache=$2; shift ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 [--deb] [--in-chroot [--worktree] [--cache DIR] [--keep]]" >&2; exit 2 ;;
  esac
  shift
done

if [ "$(id -u)" -ne 0 ]; then
  echo "cross-arm64.sh: needs root (apt-get, binfmt): sudo $0" >&2
  exit 2
fi

started=$(date +%s)
step () {
  echo
  echo "== $* ($(($(date +%s) - started)) s)"
}

# qemu-user runs the arm64 test programs, and the programs they start (a test that spawns a
# child, umockdev-wrapper): that needs the kernel's binfmt_misc to know arm64 executables.
ensure_binfmt () {
  if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  fi
  if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    update-binfmts --enable qemu-aarch64 2>/dev/null || true
  fi
  if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    echo "cross-arm64.sh: arm64 binaries cannot run: binfmt_misc has no qemu-aarch64 entry" >&2
    exit 1
  fi
}

# --- In a fresh root ------------------------------------------------------------------------

if [ "$chroot_mode" -eq 1 ]; then
  for p in debootstrap qemu-user-static binfmt-support git; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      # Another installation on this machine (unattended-upgrades, a concurrent job) may hold
      # the dpkg lock: wait for it up to 5 minutes rather than fail at once.
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -q &&
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
          --no-install-recommends debootstrap qemu-user-static binfmt-support git ||
        { echo "cross-arm64.sh: could not install debootstrap, qemu-user-static, binfmt-support," \
               "git (is another apt or dpkg still holding its lock?)" >&2; exit 1; }
      break
    fi
  done
  ensure_binfmt

  work=$(mktemp -d "${TMPDIR:-/var/tmp}/smiley-kiosk-arm64.XXXXXX")
  root=$work/root
  cleanup () {
    for m in "$root/dev/pts" "$root/proc/sys/fs/binfmt_misc" "$root/proc"; do
      if mountpoint -q "$m" 2>/dev/null; then
        umount "$m" 2>/dev/null || umount -l "$m" || true
      fi
    done
    if [ "$keep" -eq 1 ]; then
      echo "cross-arm64.sh: kept $work"
    elif ! grep -q " $work/" /proc/mounts; then
      rm -rf "$work"
    fi
  }
  trap cleanup EXIT
  trap 'exit 1' HUP INT TERM

  step "debootstrap bookworm"
  if [ -n "$cache" ] && [ ! -f "$cache/bookworm-minbase.tgz" ]; then
    mkdir -p "$cache"
    debootstrap --variant=minbase --make-tarball="$cache/bookworm-minbase.tgz" \
      bookworm "$work/tarball-root" "$mirror" > "$work/debootstrap.log" 2>&1
  fi
  debootstrap --variant=minbase ${cache:+--unpack-tarball="$cache/bookworm-minbase.tgz"} \
    bookworm "$root" "$mirror" >> "$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log"; exit 1; }
  if ls /etc/apt/sources.list.d/*.sources > /dev/null 2>&1; then
    cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/"
    rm -f "$root/etc/apt/sources.list"
  fi
  mount -t proc proc "$root/proc"
  # Pseudo-terminals, which umockdev's emulated input devices use.
  mount --bind /dev/pts "$root/dev/pts"
  # Nothing installed in the root may start a daemon.
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"

  step "source ($from)"
  mkdir -p "$root/src"
  if [ "$from" = head ]; then
    git -C "$top" archive --format=tar HEAD | tar -x -C "$root/src"
  else
    (cd "$top" && git ls-files -z --cached --others --exclude-standard |
       xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
       tar --null -T - -c) | tar -x -C "$root/src"
  fi

  status=0
  inner=""
  [ "$deb" -eq 1 ] && inner=--deb
  chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 HOME=/root \
    BUILDDIR=/src/build/arm64 sh /src/packaging/cross-arm64.sh $inner || status=$?

  rm -rf "$builddir"
  mkdir -p "$builddir"
  cp -a "$root/src/build/arm64/meson-logs" "$builddir/" 2>/dev/null || true
  cp -a "$root/src/build/arm64/src/smiley-kiosk" "$builddir/" 2>/dev/null || true
  cp "$root"/src/build/arm64/smiley-kiosk_*_arm64.deb \
     "$root"/src/build/arm64/smiley-kiosk-server_*_arm64.deb "$builddir/" 2>/dev/null || true
  echo
  echo "cross-arm64.sh: results in $builddir; $(($(date +%s) - started)) s in all"
  exit $status
fi

# --- On this machine ------------------------------------------------------------------------

. /etc/os-release
if [ "${VERSION_CODENAME:-}" != bookworm ]; then
  echo "cross-arm64.sh: made for Debian 12 (bookworm); this is ${PRETTY_NAME:-unknown}" >&2
fi

step "packages"
# fonts-dejavu-core: the charts' tests (test-chart) measure and draw text with PangoCairo.
NATIVE="meson ninja-build pkgconf gettext libglib2.0-dev-bin gcc-aarch64-linux-gnu
        qemu-user-static binfmt-support file fonts-dejavu-core"
# umockdev:arm64 brings the arm64 preload library that test-buttons needs (and its wrapper, a
# shell script). The core draws the charts with cairo (its SVG surface) and PangoCairo. libpq and
# libmicrohttpd are the server's (built when they are found, as in the package: both packages
# cross-build); its tests are in suite 'server', which needs PostgreSQL and is not run here.
ARM64="libc6-dev:arm64 libglib2.0-dev:arm64 libgtk-4-dev:arm64 libsqlite3-dev:arm64
       libjson-glib-dev:arm64 libevdev-dev:arm64 libcurl4-openssl-dev:arm64 zlib1g-dev:arm64
       libcrypt-dev:arm64 libcairo2-dev:arm64 libpango1.0-dev:arm64 libpq-dev:arm64
       libmicrohttpd-dev:arm64 libumockdev-dev:arm64 glib-networking:arm64
       umockdev:arm64"
if [ "$deb" -eq 1 ]; then
  NATIVE="$NATIVE dpkg-dev debhelper crossbuild-essential-arm64"
fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
fi
export DEBIAN_FRONTEND=noninteractive
# Wait for another installation's dpkg lock (up to 5 minutes) rather than fail at once.
lock_wait="-o DPkg::Lock::Timeout=300"
apt-get $lock_wait update -q > /dev/null
# GTK's -dev package needs libgirepository1.0-dev:arm64, which needs gobject-introspection:arm64,
# which needs python3:arm64: not installable next to the machine's own python3 (Debian 12 has no
# Multi-Arch for it). The build uses no introspection; an empty arm64 package of that name and
# version stands in for it.
gi_installed=$(dpkg-query -W -f='${Status} ${Architecture}\n' gobject-introspection 2>/dev/null |
               sed -n 's/^install ok installed //p')
if [ -n "$gi_installed" ] && [ "$gi_installed" != arm64 ]; then
  echo "cross-arm64.sh: gobject-introspection:$gi_installed is installed; run with --in-chroot" >&2
  exit 1
fi
if [ -z "$gi_installed" ]; then
  gi_version=$(apt-cache show --no-all-versions libgirepository1.0-dev:arm64 |
               sed -n 's/^Depends:.*gobject-introspection (= \([^)]*\)).*/\1/p')
  dummy=$(mktemp -d)
  mkdir "$dummy/pkg" "$dummy/pkg/DEBIAN"
  {
    echo "Package: gobject-introspection"
    echo "Version: $gi_version"
    echo "Architecture: arm64"
    echo "Maintainer: Smiley Kiosk maintainers <maintainers@smileykiosk.org>"
    echo "Description: empty stand-in, for cross-building Smiley Kiosk"
    echo " Satisfies libgirepository1.0-dev:arm64; installed by packaging/cross-arm64.sh."
  } > "$dummy/pkg/DEBIAN/control"
  dpkg-deb --build "$dummy/pkg" "$dummy/gi.deb" > /dev/null
  dpkg -i "$dummy/gi.deb" > /dev/null
  rm -rf "$dummy"
  echo "installed an empty gobject-introspection:arm64 $gi_version (see the comment)"
fi
# Never at the price of this machine's own packages: multiarch -dev packages of different
# versions cannot be installed side by side.
removed=$(apt-get $lock_wait install -s --no-install-recommends $NATIVE $ARM64 |
          sed -n 's/^Remv \([^ ]*\).*/\1/p')
if [ -n "$removed" ]; then
  echo "cross-arm64.sh: installing the arm64 packages would remove:" $removed >&2
  echo "cross-arm64.sh: run it with --in-chroot instead" >&2
  exit 1
fi
apt-get $lock_wait install -y -q --no-install-recommends $NATIVE $ARM64 > /tmp/cross-arm64-apt.log 2>&1 ||
  { tail -n 30 /tmp/cross-arm64-apt.log; exit 1; }
echo "installed $(echo $NATIVE $ARM64 | wc -w) packages and their dependencies"
ensure_binfmt

step "meson setup (cross file packaging/arm64-cross.ini)"
rm -rf "$builddir"
meson setup --cross-file "$top/packaging/arm64-cross.ini" -Dbenchmarks=false \
  "$builddir" "$top" > /tmp/cross-arm64-setup.log 2>&1 ||
  { tail -n 40 /tmp/cross-arm64-setup.log; exit 1; }
grep -E "Host machine cpu|Build machine cpu|Program.*(umockdev|xvfb)|Dependency umockdev" \
  /tmp/cross-arm64-setup.log || true

step "meson compile"
compile_started=$(date +%s)
meson compile -C "$builddir" > /tmp/cross-arm64-compile.log 2>&1 ||
  { tail -n 40 /tmp/cross-arm64-compile.log; exit 1; }
echo "compiled in $(($(date +%s) - compile_started)) s"
file "$builddir/src/smiley-kiosk"
if ! file "$builddir/src/smiley-kiosk" | grep -q "ARM aarch64"; then
  echo "cross-arm64.sh: the program is not an arm64 executable" >&2
  exit 1
fi
qemu-aarch64-static "$builddir/src/smiley-kiosk" --version

step "meson test --suite core --suite faults (under qemu-user)"
test_started=$(date +%s)
status=0
# test-crash kills a child recorder at a random moment up to 50 ms after it has started; under
# emulation the child needs far longer to open its database, so the window grows to 400 ms and
# the run to 60 kills.
tests=$(meson test -C "$builddir" --list --suite core --suite faults 2>/dev/null |
        sed -n 's|.* / ||p')
export KIOSK_CRASH_MAX_DELAY_MS=400 KIOSK_CRASH_ITERATIONS=60
# Emulation is several times slower; the timeouts grow with it.
meson test -C "$builddir" --print-errorlogs --timeout-multiplier 6 $tests || status=$?
echo "core tests under qemu took $(($(date +%s) - test_started)) s"

if [ "$deb" -eq 1 ] && [ "$status" -eq 0 ]; then
  step "dpkg-buildpackage -a arm64"
  parent=$(mktemp -d "${TMPDIR:-/var/tmp}/smiley-kiosk-deb.XXXXXX")
  src=$parent/smiley-kiosk
  mkdir "$src"
  (cd "$top" && tar --exclude=./_build --exclude=./build/arm64 --exclude=./.git -c .) |
    tar -x -C "$src"
  cp -r "$src/packaging/debian" "$src/debian"
  apt-get $lock_wait build-dep -y -q -a arm64 -o APT::Build-Profiles=cross,nocheck "$src" \
    > /tmp/cross-arm64-builddep.log 2>&1 ||
    { tail -n 30 /tmp/cross-arm64-builddep.log; exit 1; }
  (cd "$src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -a arm64 -Pcross,nocheck -us -uc -b) \
    > /tmp/cross-arm64-deb.log 2>&1 || { tail -n 40 /tmp/cross-arm64-deb.log; exit 1; }
  cp "$parent"/smiley-kiosk_*_arm64.deb "$parent"/smiley-kiosk-server_*_arm64.deb "$builddir/"
  rm -rf "$parent"
  ls -l "$builddir"/smiley-kiosk_*_arm64.deb "$builddir"/smiley-kiosk-server_*_arm64.deb
fi

echo
echo "cross-arm64.sh: $(($(date +%s) - started)) s in all"
exit $status
