#!/usr/bin/env bash
# Installs, with apt-get, whatever of gst-cartesia's build, test and demo
# dependencies is missing on a Debian 12 or 13 machine.  Uses sudo when not
# root.
#
#   tests/install-deps.sh [--ci]
#
# --ci: also what the CI stages of tests/run-tests.sh use (tests/ci/): a
# Debian root made with debootstrap, and the tools that build and check the
# Debian packages.
set -euo pipefail

packages=(
  build-essential meson ninja-build pkg-config
  # nm reads the object files for the layering check (tests/docs)
  binutils
  libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libsoup-3.0-dev libjson-glib-dev glib-networking
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-alsa gstreamer1.0-pulseaudio
  clang libclang-rt-dev
  libespeak-ng-dev gstreamer1.0-x python3-gi python3-gst-1.0
  # the network suite: certificates for the emulator's TLS, a real proxy
  openssl tinyproxy
)
if [ "${1:-}" = "--ci" ]; then
  packages+=(debootstrap debhelper dpkg-dev fakeroot lintian help2man)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
# The official SDK check (tests/sdk) runs on Node.js: any node >= 18 will
# do, Debian's or another.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  echo "Installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# @cartesia/cartesia-js and ws, pinned by tests/sdk/package-lock.json, from
# the npm registry.
sdk_dir="$(cd "$(dirname "$0")" && pwd)/sdk"
if [ ! -d "$sdk_dir/node_modules/@cartesia/cartesia-js" ]; then
  echo "Installing the SDK check's npm packages in $sdk_dir"
  (cd "$sdk_dir" && npm ci --no-audit --no-fund)
fi
