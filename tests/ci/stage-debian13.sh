#!/usr/bin/env bash
# CI stage: the whole test suite on Debian 13 (trixie: GStreamer 1.26,
# json-glib 1.10, libsoup 3.6, GLib 2.84), in a debootstrap root
# (tests/ci/debian-root.sh, cached between runs outside the clone).
#
#   tests/ci/stage-debian13.sh OUTDIR
#
# Copies the source tree into the root, installs the dependencies there with
# the project's own tests/install-deps.sh, builds with --werror (normal
# build) and runs `meson test` (which includes fuzz-short: each libFuzzer
# harness for 20 s against json-glib 1.10).  The test log comes back as
# OUTDIR/testlog.json for tests/run-tests.sh to count.
# Exit status: 0 all passed, 77 skipped (no root here: said loudly), else
# failed.
set -uo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:?usage: stage-debian13.sh OUTDIR}"
suite=trixie
mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -f "$out/testlog.json"

# The tree as it is (not only what is committed), without build directories.
# tests/sdk/node_modules comes along when the host's tests/install-deps.sh
# (run by run-tests.sh first) fetched it: the root reaches Debian's archive,
# but the npm registry may need TLS settings only the host has.
stage_src=$(mktemp -d "${TMPDIR:-/tmp}/gst-cartesia-d13.XXXXXX")
trap 'rm -rf "$stage_src"' EXIT
tar -C "$src" --exclude=./.git --exclude='./build*' --exclude=./subprojects/packagecache \
  -cf - . | tar -C "$stage_src" -xf -

"$src/tests/ci/debian-root.sh" "$suite" --instance ci --apt-cache \
  --bind "$stage_src:/src" --bind "$out:/out" -- /bin/bash -c '
set -uo pipefail
cd /src
./tests/install-deps.sh || { echo "install-deps.sh FAILED in Debian 13"; exit 1; }
echo "=== Debian $(cat /etc/debian_version): GStreamer $(pkg-config --modversion gstreamer-1.0),"\
" json-glib $(pkg-config --modversion json-glib-1.0), libsoup $(pkg-config --modversion libsoup-3.0),"\
" GLib $(pkg-config --modversion glib-2.0)"
rm -rf /root/build-debian13
meson setup /root/build-debian13 --werror >/root/setup.log 2>&1 \
  || { cat /root/setup.log; echo "=== Debian 13: meson setup FAILED"; exit 1; }
ninja -C /root/build-debian13 || { echo "=== Debian 13: BUILD FAILED"; exit 1; }
meson test -C /root/build-debian13 --print-errorlogs
rc=$?
cp /root/build-debian13/meson-logs/testlog.json /out/testlog.json
grep -q "/ fuzz-short\"" /out/testlog.json \
  || { echo "=== Debian 13: fuzz-short did not run (no libFuzzer?)"; rc=1; }
exit $rc
'
