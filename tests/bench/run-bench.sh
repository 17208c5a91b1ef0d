#!/bin/sh
# Benchmarks of issue 7: builds what they need and prints Markdown tables.
#
#   tests/bench/run-bench.sh                 the default run (~10 minutes)
#   tests/bench/run-bench.sh --quick         a smoke run (~1 minute)
#   tests/bench/run-bench.sh --only cpu,memory --memory-minutes 100
#   tests/bench/run-bench.sh --help          every option
#
# BUILD_DIR (default: build-bench in the source tree) and MESON_ARGS (extra
# `meson setup` arguments for a new build dir) may be set.  The exit status
# is 1 when a target of issue 7 failed.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build-bench}

if [ ! -f "$build/build.ninja" ]; then
  # shellcheck disable=SC2086
  meson setup "$build" "$src" ${MESON_ARGS:-} >/dev/null
fi
ninja -C "$build" tests/bench/cartesia-bench tests/bench/bench-emulator \
  gst/cartesia/libgstcartesia.so >/dev/null

GST_PLUGIN_PATH_1_0=$build/gst/cartesia
GST_PLUGIN_SYSTEM_PATH_1_0=$build/tests/bench/system-plugins
GST_REGISTRY=$build/tests/bench/bench.registry
GST_REGISTRY_FORK=no
no_proxy=127.0.0.1,localhost,::1
# the official SDK's scripts (the pace and latency parts; npm ci there)
CARTESIA_BENCH_SDK_DIR=$src/tests/sdk
export GST_PLUGIN_PATH_1_0 GST_PLUGIN_SYSTEM_PATH_1_0 GST_REGISTRY \
  GST_REGISTRY_FORK no_proxy CARTESIA_BENCH_SDK_DIR
exec "$build/tests/bench/cartesia-bench" "$@"
