#!/bin/sh
# Smoke test of the benchmark's pace part (issue 17): that it runs every
# client (the element live and non-live, the bare client with and without a
# hand-off, the official SDK) against the paced emulator and prints a figure
# for each.  The figures themselves are not judged here: on a loaded machine
# they are noise, and a missed target (exit status 1) is the benchmark's
# business, not this test's.  A client that fails, or a missing SDK, fails.
# Usage: smoke-pace.sh CARTESIA_BENCH (environment as tests/bench/meson.build)
set -u
bench=${1:?usage: smoke-pace.sh CARTESIA_BENCH}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout 300 "$bench" --only pace --paces 20 --pace-seconds 1 --pace-repeats 1 >"$out"
status=$?
cat "$out"
if [ $status -ne 0 ] && [ $status -ne 1 ]; then
  echo "FAIL: cartesia-bench exited with $status" >&2
  exit 1
fi
fail=0
for client in 'cartesiattssrc (non-live)' 'cartesiattssrc is-live=true' \
    'bare client' 'bare client + one thread hand-off' 'official SDK'; do
  # "| every 20 ms | <client> | 1 | <cpu> | ..." with a number, no failures
  if ! grep -F "| every 20 ms | $client" "$out" \
      | grep -Eq '\| 1 \| [0-9]+\.[0-9]+ \| [0-9.]+–[0-9.]+ \| [0-9.]+ \| [0-9.]+ \|'; then
    echo "FAIL: no figures for \"$client\"" >&2
    fail=1
  fi
done
if grep -q "SDK cannot run\|0 (.* failed)" "$out"; then
  echo "FAIL: a client failed" >&2
  fail=1
fi
[ $fail -eq 0 ] && echo "PASS: every client of the pace part ran and printed its figures"
exit $fail
