#!/bin/sh
# install-deps.sh: installs what building, running and testing Smiley Kiosk needs on Debian 12
# (bookworm) or Raspberry Pi OS bookworm. Idempotent and non-interactive; uses sudo when not root.
set -eu

# Build
BUILD="meson ninja-build pkg-config gcc libc6-dev gettext
       libglib2.0-dev libglib2.0-bin libgtk-4-dev libsqlite3-dev libjson-glib-dev libevdev-dev"
# Run: the SVG loader draws the faces; a font and an icon theme for GTK.
RUN="librsvg2-common fonts-dejavu-core adwaita-icon-theme hicolor-icon-theme"
# Test: validators, a headless X server, real key presses
TEST="desktop-file-utils appstream xvfb xauth xdotool libgl1-mesa-dri umockdev libumockdev-dev"

# The on-screen keyboard reads its keys from xkeyboard-config through libxkbcommon.
BUILD="$BUILD libxkbcommon-dev"
RUN="$RUN xkb-data"

# Background sync: libcurl (OpenSSL flavour) and zlib to build, the CA bundle to verify servers,
# and GIO's TLS backend for the test server that plays the cloud over HTTPS.
BUILD="$BUILD libcurl4-openssl-dev zlib1g-dev"
RUN="$RUN ca-certificates"
TEST="$TEST glib-networking"

# Server (src/server): libpq and libmicrohttpd to build it, and a PostgreSQL 15 server whose
# programs the server's tests and packaging/pg-cluster.sh use to start private clusters.
BUILD="$BUILD libpq-dev libmicrohttpd-dev"
TEST="$TEST postgresql"
# The outbox's tests (tests/test-server-delivery.c) send to a real SMTP server on loopback,
# one of them offering STARTTLS with a certificate openssl makes.
TEST="$TEST python3-aiosmtpd openssl"

# The reports' tests read the PDFs back with pdftotext; docs/reports/ is drawn by pdftoppm.
TEST="$TEST poppler-utils"

# Browser tests of the dashboard (tests/browser): Debian's Chromium, driven with Node.js by
# playwright-core and checked by axe-core, both from the npm registry (npm ci below). npm comes
# with some builds of nodejs and is a package of its own in Debian's. The emoji font draws the
# visitors' emoji in the pages' screenshots.
TEST="$TEST chromium nodejs fonts-noto-color-emoji"
command -v npm >/dev/null 2>&1 || TEST="$TEST npm"

PACKAGES=$(echo $BUILD $RUN $TEST)

# The browser tests' npm packages, at the versions of tests/browser/package-lock.json, once.
npm_packages () {
  top=$(cd "$(dirname "$0")/.." && pwd)
  if [ -f "$top/tests/browser/package-lock.json" ] && [ ! -d "$top/tests/browser/node_modules" ] \
     && command -v npm >/dev/null 2>&1; then
    echo "install-deps: npm ci --prefix tests/browser"
    npm ci --prefix "$top/tests/browser" --no-audit --no-fund
  fi
}

missing=""
for p in $PACKAGES; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done

if [ -z "$missing" ]; then
  echo "install-deps: all $(echo $PACKAGES | wc -w) packages are installed"
  npm_packages
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
npm_packages
