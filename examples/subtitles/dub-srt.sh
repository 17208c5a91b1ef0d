#!/bin/sh
# dub-srt.sh SUBTITLES.srt [VIDEO] [OUTPUT.webm] [SPEECH.wav]
#
# Speaks each subtitle cue at its time, in sync with a video: writes a WebM
# with the video (subtitles burnt in) and the speech as its audio track, and
# the speech alone as a WAV file.  Without VIDEO, a test pattern as long as
# the subtitles stands in for it.  The subtitles go through subparse once and
# are shared by textoverlay and cartesiattssrc's sink pad.
#
# Needs CARTESIA_API_KEY (and CARTESIA_BASE_URL for a local cartesia-emulator).
set -eu

srt=${1:?usage: dub-srt.sh SUBTITLES.srt [VIDEO] [OUTPUT.webm] [SPEECH.wav]}
video=${2:-}
out=${3:-dubbed.webm}
wav=${4:-speech.wav}
base_url=${CARTESIA_BASE_URL:-https://api.cartesia.ai}

for element in subparse textoverlay vp8enc webmmux vorbisenc wavenc; do
  if ! gst-inspect-1.0 --exists "$element"; then
    echo "dub-srt.sh: GStreamer element $element is missing" >&2
    exit 77   # skipped, for the test suite
  fi
done

if [ -n "$video" ]; then
  picture="filesrc location=$video ! decodebin ! videoconvert"
else
  # The end of the last cue, in frames at 25 per second (plus one second).
  frames=$(awk -F' --> ' '/-->/ { split($2, t, /[:,]/); end = t[1]*3600 + t[2]*60 + t[3] + t[4]/1000 }
                           END { printf "%d", (end + 1) * 25 }' "$srt")
  picture="videotestsrc num-buffers=$frames pattern=smpte ! video/x-raw,width=640,height=360,framerate=25/1"
fi

# shellcheck disable=SC2086 # $picture is a pipeline fragment
exec gst-launch-1.0 -e \
  webmmux name=mux ! filesink location="$out" \
  $picture ! textoverlay name=overlay valignment=bottom ! videoconvert \
    ! vp8enc deadline=1 ! queue ! mux. \
  filesrc location="$srt" ! subparse ! tee name=cues \
    cues. ! queue ! overlay.text_sink \
    cues. ! queue ! cartesiattssrc base-url="$base_url" overflow=clip \
      ! audio/x-raw,format=S16LE,rate=24000 ! tee name=speech \
    speech. ! queue ! audioconvert ! vorbisenc ! queue ! mux. \
    speech. ! queue ! wavenc ! filesink location="$wav"
