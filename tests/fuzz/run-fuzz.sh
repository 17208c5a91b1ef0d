#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang straight from the sources (no
# meson build directory needed) and runs each for a bounded time.
#
#   tests/fuzz/run-fuzz.sh [SECONDS [RUNS]]
#
# SECONDS: time per harness (default 60).  RUNS: stop a harness after this
# many inputs (default: no limit).  Environment:
#   FUZZ_WORK_DIR  binaries, grown corpora and crashes
#                  (default ${TMPDIR:-/tmp}/gst-cartesia-fuzz; kept between
#                  runs, so each run starts from what the last one found)
#   FUZZ_TARGETS   which harnesses (default "sse message text")
#   CC             a clang with libFuzzer (default clang)
#   FUZZ_FORK      N: fuzz in N child processes and go on after a crash
#                  (each crash is still saved, and the run still fails)
# Exits non-zero when a harness crashed; the input is saved as
# $FUZZ_WORK_DIR/crashes-NAME/crash-* (replay it with the binary, or with the
# meson-built replay program: build/tests/fuzz/fuzz-replay-NAME FILE).
set -euo pipefail

seconds="${1:-60}"
runs="${2:--1}"
src="$(cd "$(dirname "$0")/../.." && pwd)"
work="${FUZZ_WORK_DIR:-${TMPDIR:-/tmp}/gst-cartesia-fuzz}"
targets="${FUZZ_TARGETS:-sse message text}"
cc="${CC:-clang}"
fork_args=""
if [ -n "${FUZZ_FORK:-}" ]; then
  # Keep going past crashes, saving each: to find more than the first bug.
  fork_args="-fork=$FUZZ_FORK -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1"
fi

declare -A sources=(
  [sse]="gst/cartesia/cartesia-sse.c"
  [message]="gst/cartesia/cartesia-json.c gst/cartesia/cartesia-message.c gst/cartesia/cartesia-message-flat.c"
  [text]="gst/cartesia/cartesia-text.c"
)

mkdir -p "$work"
# shellcheck disable=SC2207
deps=($(pkg-config --cflags --libs glib-2.0 json-glib-1.0))

# GLib 2.74's slice allocator would hide use-after-free from ASan.
export G_SLICE=always-malloc
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$src/tests/fuzz/lsan.supp:print_suppressions=0}"
# Whole stacks at malloc (GLib is built without frame pointers), so that the
# json-glib suppression matches; only the message harness needs them.
declare -A asan_options=(
  [sse]="detect_leaks=1"
  [message]="detect_leaks=1:fast_unwind_on_malloc=0"
  [text]="detect_leaks=1"
)

status=0
summary=()
for t in $targets; do
  files=()
  for f in ${sources[$t]}; do
    files+=("$src/$f")
  done
  bin="$work/fuzz-$t"
  echo "=== fuzz-$t: building with $cc"
  "$cc" -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$src/gst/cartesia" "$src/tests/fuzz/fuzz-$t.c" "${files[@]}" \
    "${deps[@]}" -o "$bin"

  corpus="$work/corpus-$t"
  crashes="$work/crashes-$t"
  mkdir -p "$corpus" "$crashes"
  log="$work/fuzz-$t.log"
  before=$(find "$crashes" -type f | wc -l)
  echo "=== fuzz-$t: ${seconds}s, runs ${runs}, log $log"
  # New inputs go to the first corpus directory only: the seeds in the
  # source tree stay as they are.  The harness's sanitizer options come
  # last, so they win over the caller's.
  # shellcheck disable=SC2086
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}${asan_options[$t]}" \
    "$bin" -max_total_time="$seconds" -runs="$runs" -timeout=10 $fork_args \
      -print_final_stats=1 -dict="$src/tests/fuzz/$t.dict" \
      -artifact_prefix="$crashes/" \
      "$corpus" "$src/tests/fuzz/corpus/$t" >"$log" 2>&1 && rc=0 || rc=$?
  after=$(find "$crashes" -type f | wc -l)
  if [ "$rc" -eq 0 ] && [ "$after" -eq "$before" ]; then
    result="ok"
  else
    result="FAILED (exit $rc, $((after - before)) new input(s) in $crashes/; see $log)"
    status=1
    grep -E -A12 'ERROR|runtime error|assertion|expected' "$log" | head -n 60 || tail -n 40 "$log"
  fi
  last="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  [ -n "$execs" ] || execs="$(echo "$last" | sed -n 's/^#\([0-9]*\).*/\1/p')"
  summary+=("fuzz-$t: $result; executions ${execs:-?}; last: ${last:-none}")
done

echo "=== summary"
printf '%s\n' "${summary[@]}"
exit $status
