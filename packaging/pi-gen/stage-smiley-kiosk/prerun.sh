#!/bin/bash -e
# The first boot of an image whose user is not set asks for one on the screen, where the kiosk
# should be; nobody is there to answer.
if [ "${DISABLE_FIRST_BOOT_USER_RENAME:-0}" != "1" ] || [ -z "${FIRST_USER_PASS:-}" ]; then
	echo "stage-smiley-kiosk: set FIRST_USER_PASS and DISABLE_FIRST_BOOT_USER_RENAME=1 in the config" >&2
	exit 1
fi

# pi-gen: start from the root file system of the stage before (stage2, Raspberry Pi OS Lite).
if [ ! -d "${ROOTFS_DIR}" ]; then
	copy_previous
fi
