#!/usr/bin/env bash
# CI stage: builds gst-cartesia with ThreadSanitizer in a fresh directory and
# runs the gst-check suites (meson suite "check") under it.  Called by
# tests/run-tests.sh; tests/tally.py counts DIR/meson-logs/testlog.json.
#
#   tests/ci/stage-tsan.sh [DIR]        (default: build-tests-tsan)
#
# Debian's GLib and GStreamer are not built with TSan: the test programs
# interpose GLib's locks, queues and sources to tell TSan what they order
# (tests/check/cartesia-tsan-glib.c), uninstrumented libraries' own memory
# accesses are not checked (ignore_noninstrumented_modules=1), and
# tests/check/tsan.supp holds the rest, for GLib/GStreamer/libsoup internals
# only.  Any report in our code fails its test (exit code 66).
set -uo pipefail
cd "$(dirname "$0")/../.."

dir="${1:-build-tests-tsan}"
rm -rf "$dir"
echo "=== $dir: meson setup -Db_sanitize=thread -Db_lundef=false"
start=$(date +%s)
if ! meson setup "$dir" -Db_sanitize=thread -Db_lundef=false --werror \
      >"$dir.setup.log" 2>&1 || ! ninja -C "$dir"; then
  cat "$dir.setup.log" 2>/dev/null
  echo "=== $dir: BUILD FAILED"
  # Counted as one failure by tests/tally.py.
  mkdir -p "$dir/meson-logs"
  echo '{"name": "tsan-build", "result": "FAIL", "stdout": ""}' \
    >"$dir/meson-logs/testlog.json"
  exit 1
fi
status=0
if ! meson test -C "$dir" --suite check --print-errorlogs; then
  status=1
fi
echo "=== $dir: $(( $(date +%s) - start )) s"
exit $status
