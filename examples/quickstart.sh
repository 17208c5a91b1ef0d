#!/usr/bin/env bash
# Speaks a sentence with cartesiattssrc into a WAV file, and plays it when
# this machine has an audio output.
#
#   examples/quickstart.sh ["Text to say"] [output.wav]
#
# The output (default cartesia-hello.wav) is relative to the directory it is
# run from.  With CARTESIA_API_KEY set, it uses the real Cartesia API;
# without it, it starts the bundled cartesia-emulator on loopback, which
# speaks through espeak-ng (or in synthetic tones when it was built without
# libespeak-ng).
#
# QUICKSTART_BUILD_DIR: an existing meson build directory to use instead of
# build/ in the repository (the tests use theirs); QUICKSTART_PLAY=no: do not
# play the file.
set -euo pipefail

text="${1:-Hello from GStreamer. This is cartesiattssrc speaking.}"
# Resolved before leaving the caller's directory.
out="$(realpath -m "${2:-cartesia-hello.wav}")"
build="$(realpath -m "${QUICKSTART_BUILD_DIR:-$(dirname "$0")/../build}")"
cd "$(dirname "$0")/.."

./tests/install-deps.sh
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Dtests=disabled >/dev/null
fi
ninja -C "$build" >/dev/null

export GST_PLUGIN_PATH="$build/gst/cartesia${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
src_args=()
emulator_pid=""
cleanup () { [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null || true; }
trap cleanup EXIT

if [ -n "${CARTESIA_API_KEY:-}" ]; then
  echo "Using the Cartesia API (key from CARTESIA_API_KEY)."
else
  # The emulator prints its base URL as its first line.
  coproc EMU { exec "$build/tests/emulator/cartesia-emulator" --port 0 2>/dev/null; }
  emulator_pid=$EMU_PID
  read -r -t 10 url <&"${EMU[0]}"
  voice="synthetic tones: it was built without libespeak-ng"
  "$build/tests/emulator/cartesia-emulator" --render . --voice=espeak >/dev/null 2>&1 \
    && voice="espeak-ng's voice"
  echo "No CARTESIA_API_KEY: using the bundled emulator at $url ($voice)."
  src_args=(base-url="$url" api-key=emulator)
fi

gst-launch-1.0 -q cartesiattssrc "${src_args[@]}" text="$text" \
  ! audioconvert ! wavenc ! filesink location="$out"
echo "Wrote $out"

# Play it when there is somewhere to play it: a sound card or a sound server.
if [ "${QUICKSTART_PLAY:-}" = no ]; then
  echo "Not playing it (QUICKSTART_PLAY=no)."
elif [ -e /dev/snd/controlC0 ] || [ -n "${PULSE_SERVER:-}" ] \
    || [ -S "${XDG_RUNTIME_DIR:-/nonexistent}/pulse/native" ]; then
  echo "Playing it..."
  timeout 60 gst-launch-1.0 -q filesrc location="$out" ! wavparse \
    ! audioconvert ! audioresample ! autoaudiosink \
    || echo "Could not play it here; the file is still at $out"
else
  echo "No audio output found on this machine; play $out elsewhere."
fi
