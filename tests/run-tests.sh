#!/usr/bin/env bash
# Installs what is missing, builds gst-cartesia in fresh build directories and
# runs every test: a normal build, one under AddressSanitizer and
# UndefinedBehaviorSanitizer, then the CI stages under tests/ci/ (the
# gst-check suites under ThreadSanitizer, the suite on Debian 13, the Debian
# packages).  Prints each stage's result and time, the
# total time, and ends with one "tests: N passed, N failed" line counting
# every stage.  A stage that cannot run here (say, no root for debootstrap)
# says so loudly and counts as skipped, never as passed.
set -uo pipefail
cd "$(dirname "$0")/.."

./tests/install-deps.sh --ci || exit 1

passed=0
failed=0
status=0
total_start=$SECONDS
results=()
testlogs=()

run_suite () {
  local dir="$1"; shift
  local start=$SECONDS
  rm -rf "$dir"
  echo "=== $dir: meson setup $*"
  if ! meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || ! ninja -C "$dir"; then
    cat "$dir.setup.log" 2>/dev/null
    echo "=== $dir: BUILD FAILED"
    failed=$((failed + 1))
    status=1
    results+=("$dir: BUILD FAILED ($((SECONDS - start)) s)")
    return
  fi
  testlogs+=("$dir/meson-logs/testlog.json")
  if meson test -C "$dir" --print-errorlogs; then
    results+=("$dir: passed ($((SECONDS - start)) s)")
  else
    status=1
    results+=("$dir: FAILED ($((SECONDS - start)) s)")
  fi
}

# run_stage NAME SCRIPT [DIR [TESTLOG]]: SCRIPT DIR (default build-ci/NAME)
# leaves TESTLOG (default DIR/testlog.json) and exits 0 (passed), 77
# (skipped) or anything else (failed).
run_stage () {
  local name="$1" script="$2"
  local dir="${3:-build-ci/$name}" start=$SECONDS rc
  local log="${4:-$dir/testlog.json}"
  echo "=== stage $name: $script $dir"
  rm -f "$log"
  "$script" "$dir"
  rc=$?
  if [ "$rc" -eq 77 ]; then
    results+=("stage $name: SKIPPED, not run here ($((SECONDS - start)) s)")
    return
  fi
  if [ -f "$log" ]; then
    testlogs+=("$log")
  elif [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))          # failed before its tests ran
  fi
  if [ "$rc" -eq 0 ]; then
    results+=("stage $name: passed ($((SECONDS - start)) s)")
  else
    status=1
    results+=("stage $name: FAILED, exit $rc ($((SECONDS - start)) s)")
  fi
}

run_suite build-tests --werror

# LeakSanitizer reports leaks; UBSan aborts on the first finding.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
run_suite build-tests-asan -Db_sanitize=address,undefined -Db_lundef=false
unset ASAN_OPTIONS UBSAN_OPTIONS

run_stage tsan tests/ci/stage-tsan.sh build-tests-tsan \
  build-tests-tsan/meson-logs/testlog.json
run_stage debian13 tests/ci/stage-debian13.sh
run_stage package tests/ci/stage-package.sh

read -r p f < <(python3 tests/tally.py "${testlogs[@]}")
passed=$((passed + p))
failed=$((failed + f))
echo "=== results"
printf '%s\n' "${results[@]}"
echo "total time: $((SECONDS - total_start)) s"
echo "tests: $passed passed, $failed failed"
exit $status
