#!/usr/bin/env bash
# Installs what is missing, builds gst-cartesia in fresh build directories and
# runs every test twice: a normal build, then one under AddressSanitizer and
# UndefinedBehaviorSanitizer; then the gst-check suites under ThreadSanitizer
# (tests/ci/stage-tsan.sh).  Ends with one "tests: N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."

./tests/install-deps.sh || exit 1

passed=0
failed=0
status=0

run_suite () {
  local dir="$1"; shift
  rm -rf "$dir"
  echo "=== $dir: meson setup $*"
  if ! meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || ! ninja -C "$dir"; then
    cat "$dir.setup.log" 2>/dev/null
    echo "=== $dir: BUILD FAILED"
    failed=$((failed + 1))
    status=1
    return
  fi
  if ! meson test -C "$dir" --print-errorlogs; then
    status=1
  fi
}

run_suite build-tests --werror

# LeakSanitizer reports leaks; UBSan aborts on the first finding.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
run_suite build-tests-asan -Db_sanitize=address,undefined -Db_lundef=false

tests/ci/stage-tsan.sh build-tests-tsan || status=1

read -r p f < <(python3 tests/tally.py build-tests/meson-logs/testlog.json \
  build-tests-asan/meson-logs/testlog.json \
  build-tests-tsan/meson-logs/testlog.json)
passed=$((passed + p))
failed=$((failed + f))
echo "tests: $passed passed, $failed failed"
exit $status
