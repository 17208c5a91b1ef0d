#!/usr/bin/env bash
# The launch lines of docs/cookbook.md, runnable, each exactly as written
# there (tests/docs/check-cookbook.py checks that they agree).
#
#   examples/cookbook.sh [RECIPE...]     run every recipe, or the ones named
#   examples/cookbook.sh --list          the recipes
#   examples/cookbook.sh --print         the launch lines, one per line
#
# Runs in the current directory (files are written there).  Needs the plugin
# where GStreamer finds it (GST_PLUGIN_PATH=<build>/gst/cartesia for a build
# that is not installed) and CARTESIA_API_KEY.
#
# Environment, for running without speakers, screens or servers (the test
# suite sets all of them; see docs/cookbook.md):
#   CARTESIA_BASE_URL  adds base-url=... to every cartesiattssrc (an emulator)
#   AUDIO_SINK         replaces autoaudiosink   (e.g. "fakesink sync=true")
#   VIDEO_SINK         replaces autovideosink
#   RTMP_SINK          replaces rtmp2sink and its location (e.g. "filesink location=stream.flv")
#   LIVE_SECONDS       stops each live recipe (is-live=true) after this many
#                      seconds with SIGINT, as Ctrl-C would (otherwise they
#                      run until Ctrl-C)
set -uo pipefail

mode=run

# Prints the arguments as a launch line, quoted as docs/cookbook.md writes
# them: key="value with spaces".
print_line () {
  local out="" a
  for a in "$@"; do
    if [[ "$a" =~ ^[A-Za-z0-9_.:/@!+,=-]*$ && -n "$a" ]]; then
      out+="$a "
    elif [[ "$a" =~ ^([A-Za-z0-9_.:-]+)=(.*)$ ]]; then
      out+="${BASH_REMATCH[1]}=\"${BASH_REMATCH[2]}\" "
    else
      out+="\"$a\" "
    fi
  done
  echo "${out% }"
}

# Runs a launch line, after the substitutions the environment asks for.
run () {
  local args=() a skip_next=0 live=0
  if [ "$mode" = print ]; then
    print_line "$@"
    return 0
  fi
  for a in "$@"; do
    if [ $skip_next = 1 ]; then
      skip_next=0
      continue
    fi
    case "$a" in
      is-live=true) live=1; args+=("$a") ;;
      cartesiattssrc)
        args+=("$a")
        [ -n "${CARTESIA_BASE_URL:-}" ] && args+=("base-url=$CARTESIA_BASE_URL") ;;
      autoaudiosink)
        if [ -n "${AUDIO_SINK:-}" ]; then args+=($AUDIO_SINK); else args+=("$a"); fi ;;
      autovideosink)
        if [ -n "${VIDEO_SINK:-}" ]; then args+=($VIDEO_SINK); else args+=("$a"); fi ;;
      rtmp2sink)
        if [ -n "${RTMP_SINK:-}" ]; then args+=($RTMP_SINK); skip_next=1; else args+=("$a"); fi ;;
      *) args+=("$a") ;;
    esac
  done
  echo "+ $(print_line "${args[@]}")" >&2
  if [ $live = 1 ] && [ -n "${LIVE_SECONDS:-}" ]; then
    # SIGINT, as Ctrl-C: gst-launch-1.0 -e sends EOS and finishes the files
    # (--foreground: INT to gst-launch-1.0 only, once, as a second one kills
    # it; -k: KILL if it still runs 30 s later)
    timeout --foreground --preserve-status -k 30 -s INT "$LIVE_SECONDS" "${args[@]}"
  else
    "${args[@]}"
  fi
}

# Fails, marking the recipe skipped, when an element it needs is not
# installed.
skip_reason=""
need () {
  local e
  [ "$mode" = print ] && return 0
  for e in "$@"; do
    case "$e" in
      autoaudiosink) [ -n "${AUDIO_SINK:-}" ] && e=${AUDIO_SINK%% *} ;;
      autovideosink) [ -n "${VIDEO_SINK:-}" ] && e=${VIDEO_SINK%% *} ;;
      rtmp2sink) [ -n "${RTMP_SINK:-}" ] && e=${RTMP_SINK%% *} ;;
    esac
    if ! gst-inspect-1.0 --exists "$e" 2>/dev/null; then
      skip_reason="needs $e, which is not installed"
      return 1
    fi
  done
}

# ---- the recipes (docs/cookbook.md, in the same order) ----

recipe_file () {
  need wavenc || return
  run gst-launch-1.0 cartesiattssrc text="Hello from GStreamer" ! wavenc ! filesink location=hello.wav
}

recipe_speakers () {
  need autoaudiosink || return
  run gst-launch-1.0 cartesiattssrc text="Hello from GStreamer" ! audioconvert ! audioresample ! autoaudiosink
}

recipe_music () {
  need audiomixer decodebin vorbisenc autoaudiosink || return
  # a stand-in for your music when there is none
  if [ "$mode" = run ] && [ ! -e music.ogg ]; then
    gst-launch-1.0 -q audiotestsrc wave=sine freq=330 volume=0.3 num-buffers=200 \
      ! audioconvert ! vorbisenc ! oggmux ! filesink location=music.ogg || return
  fi
  run gst-launch-1.0 audiomixer name=mix ! audioconvert ! audioresample ! autoaudiosink \
    filesrc location=music.ogg ! decodebin ! audioconvert ! audioresample ! volume volume=0.3 ! mix. \
    cartesiattssrc text="Now playing: the music" ! audioconvert ! audioresample ! mix.
}

recipe_live_mix () {
  need audiomixer autoaudiosink || return
  run gst-launch-1.0 -e audiomixer name=mix ! audioconvert ! autoaudiosink \
    audiotestsrc is-live=true wave=ticks volume=0.2 ! audioconvert ! mix. \
    cartesiattssrc is-live=true text="This is a live announcement" ! audioconvert ! mix.
}

recipe_captions () {
  need videotestsrc textoverlay autovideosink autoaudiosink || return
  run gst-launch-1.0 videotestsrc is-live=true ! textoverlay name=ov ! videoconvert ! autovideosink \
    cartesiattssrc name=tts is-live=true word-timestamps=true text="Captions follow the words" \
    ! audioconvert ! autoaudiosink tts.subtitle_src ! ov.text_sink
}

recipe_rtmp () {
  need lamemp3enc mpegaudioparse flvmux rtmp2sink || return
  run gst-launch-1.0 -e cartesiattssrc is-live=true text="Hello, stream" ! audioconvert ! audioresample \
    ! audio/x-raw,rate=44100 ! lamemp3enc ! mpegaudioparse ! flvmux streamable=true \
    ! rtmp2sink location=rtmp://live.example.com/app/STREAM_KEY
}

recipe_rtp () {
  need opusenc rtpopuspay udpsink || return
  run gst-launch-1.0 -e cartesiattssrc is-live=true text="Hello over RTP" ! audioconvert ! audioresample \
    ! opusenc ! rtpopuspay ! udpsink host=127.0.0.1 port=5004
}

recipe_srt () {
  need subparse wavenc || return
  # a stand-in for your subtitles when there are none
  if [ "$mode" = run ] && [ ! -e talk.srt ]; then
    printf '1\n00:00:00,500 --> 00:00:02,000\nHello from a subtitle.\n\n2\n00:00:02,500 --> 00:00:04,000\nAnd a <i>second</i> one.\n' > talk.srt
  fi
  run gst-launch-1.0 filesrc location=talk.srt ! subparse ! cartesiattssrc ! wavenc ! filesink location=talk.wav
}

recipe_dub () {
  need subparse wavenc || return
  if [ "$mode" = run ] && [ ! -e talk.srt ]; then
    printf '1\n00:00:00,500 --> 00:00:02,000\nHello from a subtitle.\n\n2\n00:00:02,500 --> 00:00:04,000\nAnd a <i>second</i> one.\n' > talk.srt
  fi
  run gst-launch-1.0 -m filesrc location=talk.srt ! subparse \
    ! cartesiattssrc overflow=fit max-speed=1.3 \
      speaker-map="map,spk_0=(string)694f9389-aac1-45b6-b726-9d9369183238,spk_1=(string)79a125e8-cd45-4c13-8a67-188112f4dd22" \
    ! wavenc ! filesink location=dub.wav
}

speak_line () {
  run gst-launch-1.0 -q cartesiattssrc text="$1" ! audioconvert ! audioresample ! autoaudiosink
}

recipe_stdin () {
  need autoaudiosink || return
  if [ "$mode" = print ]; then
    speak_line '$line'
    return
  fi
  # docs/cookbook.md pipes some program into the loop; here, two lines
  printf '%s\n' "Good morning." "Here is the news." |
    while IFS= read -r line; do
      speak_line "$line" || exit 1
    done
}

recipes=(file speakers music live_mix captions rtmp rtp srt dub stdin)

# ---- main ----

case "${1:-}" in
  --list) printf '%s\n' "${recipes[@]//_/-}"; exit 0 ;;
  --print) mode=print; shift ;;
esac

selected=("$@")
[ ${#selected[@]} -eq 0 ] && selected=("${recipes[@]}")

failed=() skipped=()
for r in "${selected[@]}"; do
  r=${r//-/_}
  if ! declare -F "recipe_$r" >/dev/null; then
    echo "cookbook.sh: no recipe '$r' (see --list)" >&2
    exit 2
  fi
  if [ "$mode" = print ]; then
    "recipe_$r"
    continue
  fi
  echo "== ${r//_/-}" >&2
  skip_reason=""
  if ! "recipe_$r"; then
    if [ -n "$skip_reason" ]; then
      echo "   skipped: $skip_reason" >&2
      skipped+=("${r//_/-}")
    else
      failed+=("${r//_/-}")
    fi
  fi
done

[ "$mode" = print ] && exit 0
echo "cookbook: ${#selected[@]} recipes, ${#failed[@]} failed${failed:+ (${failed[*]})}, ${#skipped[@]} skipped${skipped:+ (${skipped[*]})}" >&2
[ ${#failed[@]} -eq 0 ]
