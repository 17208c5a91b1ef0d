#!/usr/bin/env bash
# CI stage: the Debian packages.  Builds gstreamer1.0-cartesia and
# cartesia-emulator with `dpkg-buildpackage -us -uc -b` (its dh_auto_test runs
# the test suite) from a copy of the tree, runs lintian on them, installs them
# with apt into a clean Debian 12 root (tests/ci/debian-root.sh --fresh, so
# the dependencies come from the archive) and there, with no
# GST_PLUGIN_PATH, checks that gst-inspect-1.0 finds cartesiattssrc and that
# a gst-launch-1.0 line speaks through the installed cartesia-emulator into
# a WAV file of the expected format.
#
#   tests/ci/stage-package.sh OUTDIR
#
# Each check is a TAP line in OUTDIR/testlog.json (meson's format) for
# tests/run-tests.sh to count; the .debs and logs stay in OUTDIR.
# Exit status: 0 all passed, 77 skipped (said loudly), else failed.
set -uo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:?usage: stage-package.sh OUTDIR}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -rf "$out"/*.deb "$out"/testlog.json "$out"/wav "$out"/*.log

n=0
failed=0
tap=""
check () {  # check OK|FAIL TEXT
  n=$((n + 1))
  if [ "$1" = OK ]; then
    tap+="ok $n - $2"$'\n'
    echo "ok $n - $2"
  else
    tap+="not ok $n - $2"$'\n'
    echo "not ok $n - $2"
    failed=$((failed + 1))
  fi
}
finish () {
  python3 - "$out/testlog.json" "$failed" "$tap" <<'PY'
import json, sys
path, failed, tap = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, "w") as f:
    f.write(json.dumps({"name": "package", "result": "FAIL" if failed else "OK",
                        "stdout": tap}) + "\n")
PY
  [ "$failed" -eq 0 ]
  exit $?
}

for tool in dpkg-buildpackage dh lintian help2man; do
  if ! command -v "$tool" >/dev/null; then
    echo "stage-package: $tool is missing (tests/install-deps.sh installs it)"
    check FAIL "tools: $tool is installed"
    finish
  fi
done

# Build from a copy: the clone stays as it was (no obj-*/, no debian/ files).
work=$(mktemp -d "${TMPDIR:-/tmp}/gst-cartesia-pkg.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/gst-cartesia"
tar -C "$src" --exclude=./.git --exclude='./build*' -cf - . \
  | tar -C "$work/gst-cartesia" -xf -

echo "=== dpkg-buildpackage -us -uc -b (log: $out/dpkg-buildpackage.log)"
if (cd "$work/gst-cartesia" && dpkg-buildpackage -us -uc -b) \
    >"$out/dpkg-buildpackage.log" 2>&1; then
  check OK "dpkg-buildpackage -us -uc -b, its test suite included"
else
  tail -n 25 "$out/dpkg-buildpackage.log"
  check FAIL "dpkg-buildpackage -us -uc -b, its test suite included"
  finish
fi
cp "$work"/*.deb "$out/"
ls -l "$out"/*.deb

echo "=== lintian"
lintian --tag-display-limit 0 --display-info "$work"/*.changes >"$out/lintian.log" 2>&1
cat "$out/lintian.log"
if grep -q '^E: ' "$out/lintian.log"; then
  check FAIL "lintian: no errors"
else
  check OK "lintian: no errors ($(grep -c '^W: ' "$out/lintian.log") warnings, $(grep -c '^I: ' "$out/lintian.log") informational tags)"
fi

# In a clean Debian 12 root, as an operator would install them.
mkdir -p "$out/wav"
"$src/tests/ci/debian-root.sh" bookworm --fresh --apt-cache \
  --bind "$out:/pkg" -- /bin/bash -c '
set -u
say () { echo "RESULT $1 $2"; }
export DEBIAN_FRONTEND=noninteractive
if apt-get update -qq && apt-get install -y -qq \
    /pkg/gstreamer1.0-cartesia_*.deb /pkg/cartesia-emulator_*.deb \
    gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
    >/pkg/apt.log 2>&1; then
  say OK "apt-get install of both packages in a clean Debian 12 root"
else
  tail -n 30 /pkg/apt.log
  say FAIL "apt-get install of both packages in a clean Debian 12 root"
  exit 0
fi
unset GST_PLUGIN_PATH GST_PLUGIN_PATH_1_0
if gst-inspect-1.0 cartesiattssrc >/pkg/inspect.log 2>&1 \
    && grep -q "Source/Audio/Network" /pkg/inspect.log; then
  say OK "gst-inspect-1.0 cartesiattssrc finds the installed element (no GST_PLUGIN_PATH)"
else
  cat /pkg/inspect.log
  say FAIL "gst-inspect-1.0 cartesiattssrc finds the installed element (no GST_PLUGIN_PATH)"
fi
if [ -x /usr/bin/cartesia-emulator ] && [ -f /usr/share/man/man1/cartesia-emulator.1.gz ]; then
  say OK "/usr/bin/cartesia-emulator and its man page are installed"
else
  say FAIL "/usr/bin/cartesia-emulator and its man page are installed"
fi
cartesia-emulator --port 0 >/tmp/emu.out 2>/tmp/emu.err &
emu=$!
for _ in $(seq 100); do
  [ -s /tmp/emu.out ] && break
  sleep 0.1
done
url=$(head -n1 /tmp/emu.out)
case "$url" in
  http://127.0.0.1:*) ;;
  *) cat /tmp/emu.err; say FAIL "cartesia-emulator prints its base URL"; kill $emu; exit 0 ;;
esac
if timeout 60 gst-launch-1.0 -q cartesiattssrc base-url="$url" api-key=test \
    text="Hello from the Debian package" ! audio/x-raw,format=S16LE,rate=24000 \
    ! wavenc ! filesink location=/pkg/wav/hello.wav >/pkg/launch.log 2>&1; then
  say OK "gst-launch-1.0 cartesiattssrc ! wavenc ! filesink through the installed emulator"
else
  cat /pkg/launch.log
  say FAIL "gst-launch-1.0 cartesiattssrc ! wavenc ! filesink through the installed emulator"
fi
kill $emu
wait $emu 2>/dev/null
exit 0
' >"$out/root.log" 2>&1
rc=$?
cat "$out/root.log"
if [ $rc -eq 77 ]; then
  echo "stage-package: SKIPPED the install checks: no Debian 12 root here"
  finish
fi
[ $rc -eq 0 ] || check FAIL "the clean Debian 12 root ran (exit $rc)"
while read -r _ result text; do
  check "$result" "$text"
done < <(grep '^RESULT ' "$out/root.log")

# The WAV: RIFF/WAVE, PCM, mono, 24000 Hz, 16 bit, a data chunk that fills
# the file and holds about a second or more of speech: byte for byte what the
# emulator's /tts/bytes endpoint answers for the same request (the emulator
# of the package build, started here on a free loopback port).
emulator=$(ls "$work"/gst-cartesia/obj-*/tests/emulator/cartesia-emulator 2>/dev/null | head -n1)
wav_check=$(python3 - "$out/wav/hello.wav" "$emulator" <<'PY'
import json, struct, subprocess, sys, urllib.request
try:
    data = open(sys.argv[1], "rb").read()
except OSError as e:
    print(f"no file: {e}"); sys.exit(1)
if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
    print(f"not a RIFF/WAVE file ({len(data)} bytes)"); sys.exit(1)
pos, fmt, size, samples = 12, None, None, None
while pos + 8 <= len(data):
    cid, clen = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
    if cid == b"fmt ":
        fmt = struct.unpack("<HHIIHH", data[pos + 8:pos + 24])
    elif cid == b"data":
        size = clen
        samples = data[pos + 8:pos + 8 + clen]
        if pos + 8 + clen != len(data):
            print(f"data chunk of {clen} bytes in a {len(data)}-byte file"); sys.exit(1)
    pos += 8 + clen + (clen & 1)
if fmt is None or size is None:
    print("no fmt or data chunk"); sys.exit(1)
if fmt[:3] != (1, 1, 24000) or fmt[5] != 16:
    print(f"format {fmt}, not PCM mono 24000 Hz 16 bit"); sys.exit(1)
if size < 24000 * 2 or size % 2:
    print(f"{size} bytes of audio: less than a second, or half a sample"); sys.exit(1)
if not sys.argv[2]:
    print("no emulator in the package build to compare with"); sys.exit(1)
emu = subprocess.Popen([sys.argv[2], "--port", "0"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
try:
    url = emu.stdout.readline().strip()
    body = json.dumps({
        "model_id": "sonic-3", "transcript": "Hello from the Debian package",
        "voice": {"mode": "id", "id": "694f9389-aac1-45b6-b726-9d9369183238"},
        "output_format": {"container": "raw", "encoding": "pcm_s16le",
                          "sample_rate": 24000},
        "language": "en"}).encode()
    req = urllib.request.Request(url + "/tts/bytes", data=body, headers={
        "Cartesia-Version": "2025-04-16", "Authorization": "Bearer test",
        "Content-Type": "application/json"})
    # Loopback only: no proxy from the environment.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    expected = opener.open(req, timeout=60).read()
except Exception as e:
    print(f"no reference audio from the emulator's /tts/bytes: {e}"); sys.exit(1)
finally:
    emu.terminate()
    emu.wait(timeout=30)
if samples != expected:
    print(f"{size} bytes of audio differ from the {len(expected)} bytes of "
          "the emulator's /tts/bytes"); sys.exit(1)
print(f"PCM mono 24000 Hz 16 bit, {size} bytes ({size / 48000:.2f} s), byte "
      "for byte the emulator's /tts/bytes answer")
PY
)
if [ $? -eq 0 ]; then
  check OK "the WAV file: $wav_check"
else
  check FAIL "the WAV file: $wav_check"
fi
finish
