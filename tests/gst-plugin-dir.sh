#!/bin/sh
# gst-plugin-dir.sh DIR PLUGIN-FILE...
# Makes DIR a GStreamer plugin directory holding (symlinks to) just the given
# system plugins that exist, so a test scans a few plugins, not all of them.
dir="$1"
shift
mkdir -p "$dir" || exit 1
for f in "$@"; do
  [ -e "$f" ] && ln -sf "$f" "$dir/"
done
exit 0
