#!/usr/bin/env bash
# The official SDK's WebSocket against cartesia-emulator --tls (README.md):
# with the emulator's CA in NODE_EXTRA_CA_CERTS it gets exactly the audio the
# emulator renders; without it, it fails at once with a certificate error
# instead of hanging.
# Usage: tests/sdk/run-sdk-tls-check.sh EMULATOR_EXE
# Needs node, openssl and tests/sdk/node_modules (tests/install-deps.sh runs
# `npm ci` here); a missing piece fails, it never passes silently.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
emulator="${1:?usage: run-sdk-tls-check.sh EMULATOR_EXE}"

for tool in node openssl cmp; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (tests/install-deps.sh)" >&2; exit 1; }
done
[ -d "$here/node_modules/@cartesia/cartesia-js" ] || {
  echo "FAIL: $here/node_modules is missing: run tests/install-deps.sh (npm ci in tests/sdk)" >&2; exit 1; }

work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }; rm -rf "$work"' EXIT
"$emulator" --tls --voice=synthetic >"$work/emulator.out" 2>"$work/emulator.err" &
pid=$!
for _ in $(seq 200); do
  [ "$(wc -l <"$work/emulator.out")" -ge 2 ] && break
  sleep 0.1
done
url="$(sed -n 1p "$work/emulator.out")"
ca="$(sed -n 2p "$work/emulator.out")"
case "$url" in
  https://*) ;;
  *) echo "FAIL: no https base URL from cartesia-emulator --tls: '$url'" >&2; cat "$work/emulator.err" >&2; exit 1 ;;
esac
[ -f "$ca" ] || { echo "FAIL: the emulator's CA file '$ca' is missing" >&2; exit 1; }
echo "emulator at $url, CA $ca"

"$emulator" --render "Hello world" --voice=synthetic >"$work/expected.raw"

NODE_EXTRA_CA_CERTS="$ca" timeout 60 node "$here/websocket-tls.mjs" "$url" "$work/got.raw"
if ! cmp -s "$work/expected.raw" "$work/got.raw"; then
  echo "FAIL: the SDK's audio over wss differs from the emulator's rendering" >&2
  exit 1
fi
echo "ok: SDK WebSocket over wss with NODE_EXTRA_CA_CERTS: $(stat -c %s "$work/got.raw") bytes, identical to --render"

set +e
msg="$(timeout 60 node "$here/websocket-tls.mjs" "$url" "$work/untrusted.raw" 2>&1)"
rc=$?
set -e
if [ $rc -ne 1 ] || ! grep -qi "certificate" <<<"$msg"; then
  echo "FAIL: without the CA the SDK should fail at once with a certificate error (exit $rc): $msg" >&2
  exit 1
fi
echo "ok: without the CA it fails at once: $msg"
echo "PASS"
