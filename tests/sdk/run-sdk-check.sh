#!/bin/sh
# The official Cartesia JS SDK against the emulator (tests/sdk/README.md).
# Usage: tests/sdk/run-sdk-check.sh EMULATOR_EXE
# Needs node >= 18 and tests/sdk/node_modules (tests/install-deps.sh runs
# `npm ci` here); a missing piece fails, it never passes silently.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
emulator=${1:?usage: run-sdk-check.sh EMULATOR_EXE}

command -v node >/dev/null || { echo "FAIL: node is not installed (tests/install-deps.sh)" >&2; exit 1; }
[ -d "$here/node_modules/@cartesia/cartesia-js" ] || {
  echo "FAIL: $here/node_modules is missing: run tests/install-deps.sh (npm ci in tests/sdk)" >&2; exit 1; }

out=$(mktemp)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
# The program's default voice (espeak when built with it): real words,
# where splitting a word would be heard.  Any key is accepted.
"$emulator" --port 0 >"$out" 2>/dev/null &
pid=$!
i=0
while [ ! -s "$out" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
url=$(head -n1 "$out" | grep -o 'http://[^ ]*' || true)
[ -n "$url" ] || { echo "FAIL: the emulator printed no URL" >&2; exit 1; }
echo "emulator at $url"
timeout 120 node "$here/sdk-check.cjs" "$url"
