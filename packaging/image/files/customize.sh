#!/bin/sh
# customize.sh ROOT FILES: the image's own settings, run by build.sh (mmdebstrap's customize hook)
# on the build machine after every package is installed in ROOT. FILES is packaging/image/files.
set -eu
root=$1
files=$2
in_root () {
  chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"
}

echo smiley-kiosk > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tsmiley-kiosk\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
  > "$root/etc/hosts"

# The partitions by label, as in Debian's own Raspberry Pi images: the card may be /dev/mmcblk0
# on a Pi, /dev/sda from a USB reader, /dev/vda under qemu.
cat > "$root/etc/fstab" <<'FSTAB'
# <file system>   <mount point>   <type>  <options>  <dump>  <pass>
LABEL=RASPIROOT   /               ext4    rw         0       1
LABEL=RASPIFIRM   /boot/firmware  vfat    rw         0       2
FSTAB

# Debian's raspi-firmware writes config.txt and cmdline.txt from these when the kernel is
# installed or updated: the root by label, the kernel's messages on the serial port and the
# screen, and the screen never blanked by the console (the kiosk decides when it dims).
sed -i 's|^#ROOTPART=.*|ROOTPART=LABEL=RASPIROOT|; s|^#CONSOLES=.*|CONSOLES="ttyS1,115200 tty0"|' \
  "$root/etc/default/raspi-firmware"
echo "consoleblank=0" > "$root/etc/default/raspi-extra-cmdline"
in_root env DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/z50-raspi-firmware

# The network: DHCP on the wired port (systemd-networkd), names and time from it.
install -m 0644 "$files/50-wired.network" "$root/etc/systemd/network/50-wired.network"

# GTK draws with cairo: a Raspberry Pi 3 is too slow for GTK's OpenGL renderer, and on a 4 the
# kiosk's few flat shapes gain nothing from it.
sed -i 's/^#GSK_RENDERER=cairo/GSK_RENDERER=cairo/' "$root/etc/default/smiley-kiosk"

# SSH: installed, off. A public key put on the boot partition turns it on (key only).
install -m 0755 "$files/smiley-kiosk-ssh" "$root/usr/libexec/smiley-kiosk/smiley-kiosk-ssh"
install -m 0644 "$files/smiley-kiosk-ssh.service" "$root/etc/systemd/system/smiley-kiosk-ssh.service"
install -m 0644 "$files/sshd-keys-only.conf" "$root/etc/ssh/sshd_config.d/smiley-kiosk.conf"
# Each card makes its own host keys at its first boot, not one set shared by every card.
rm -f "$root"/etc/ssh/ssh_host_*
install -m 0644 "$files/ssh-host-keys.service" "$root/etc/systemd/system/smiley-kiosk-ssh-host-keys.service"

# What runs at boot. The presets decide on the first boot too (the machine ID is made then).
install -d "$root/etc/systemd/system-preset"
install -m 0644 "$files/50-smiley-kiosk-image.preset" "$root/etc/systemd/system-preset/"
in_root systemctl disable ssh.service > /dev/null 2>&1 || true
in_root systemctl enable smiley-kiosk.service smiley-kiosk-first-boot.service \
  smiley-kiosk-ssh.service systemd-networkd.service systemd-resolved.service \
  systemd-timesyncd.service
in_root systemctl set-default multi-user.target

# No password anyone could guess: root's is locked; SSH with a key is the way in.
in_root passwd --lock root > /dev/null
# A machine ID of its own for every card, made at its first boot.
: > "$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
