#!/bin/bash -e
# pi-gen, inside the image: installs the kiosk with its dependencies (cage, GTK 4, Mesa, ...) from
# the Raspberry Pi OS and Debian archives, and enables it.

apt-get install -y /tmp/smiley-kiosk/smiley-kiosk_*_arm64.deb
rm -rf /tmp/smiley-kiosk

# The package enables both already; said again so that the image does not depend on it.
systemctl enable smiley-kiosk-first-boot.service smiley-kiosk.service

# Boot to the console (the kiosk), not to a desktop, should a later stage add one.
systemctl set-default multi-user.target
