#!/bin/bash -e
# pi-gen, on the build machine: puts the kiosk's package into the image, an example
# configuration on the boot partition, and turns the console's screen blanking off.

shopt -s nullglob
debs=(files/smiley-kiosk_*_arm64.deb)
if [ "${#debs[@]}" -ne 1 ]; then
	echo "stage-smiley-kiosk: put exactly one smiley-kiosk_<version>_arm64.deb into $(pwd)/files" >&2
	echo "  (packaging/cross-arm64.sh --in-chroot --deb builds it)" >&2
	exit 1
fi
install -d "${ROOTFS_DIR}/tmp/smiley-kiosk"
install -m 644 "${debs[0]}" "${ROOTFS_DIR}/tmp/smiley-kiosk/"

# Raspberry Pi OS bookworm mounts the boot partition at /boot/firmware; older layouts at /boot.
boot="${ROOTFS_DIR}/boot/firmware"
[ -f "${boot}/cmdline.txt" ] || boot="${ROOTFS_DIR}/boot"

# The kernel blanks the console after 10 minutes; the kiosk's screen must stay on.
if ! grep -q 'consoleblank=' "${boot}/cmdline.txt"; then
	sed -i '1 s/$/ consoleblank=0/' "${boot}/cmdline.txt"
fi

# What IT staff copy to smiley-kiosk.conf on any PC (it is imported at boot; see deploy.md).
install -m 644 files/smiley-kiosk.conf.example "${boot}/smiley-kiosk.conf.example"
