/* GStreamer Cartesia text-to-speech source
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-cartesiattssrc
 * @title: cartesiattssrc
 *
 * Speaks text with the [Cartesia](https://cartesia.ai) text-to-speech API and
 * pushes the audio downstream as it streams in, without waiting for the whole
 * utterance.
 *
 * The element asks Cartesia for exactly the negotiated format: raw S16LE or
 * F32LE, mu-law or A-law, mono, at 8000, 16000, 22050, 24000, 44100 or 48000
 * Hz.  When downstream does not care it produces S16LE at 44100 Hz.  The
 * audio is bit-identical to what the server sent.
 *
 * The API key comes from the write-only #GstCartesiaTtsSrc:api-key property
 * or, when that is not set, from the `CARTESIA_API_KEY` environment variable.
 * The element never logs it nor puts it in a message.  On a gst-launch-1.0
 * command line prefer the environment variable: GStreamer's own parser logs
 * the whole pipeline description, `api-key=...` included, at GST_DEBUG levels
 * 4 and above.
 *
 * In non-live mode (the default) the element speaks #GstCartesiaTtsSrc:text
 * once, with timestamps from 0, and then sends EOS.  Each buffer is one
 * chunk of the server's audio, pushed as it arrives; with GstBaseSrc's
 * #GstBaseSrc:blocksize set, each holds that many bytes (whole samples),
 * the last one what is left.
 *
 * With #GstCartesiaTtsSrc:is-live it is a clocked source, like audiotestsrc
 * is-live=true: buffers of #GstCartesiaTtsSrc:samplesperbuffer samples at the
 * running time, silence while idle, speech spliced in at the first buffer
 * after it arrives, faded in and out (#GstCartesiaTtsSrc:fade-ms).  Every
 * new #GstCartesiaTtsSrc:text, and the #GstCartesiaTtsSrc::queue-utterance
 * action signal, queues an utterance; #GstCartesiaTtsSrc::interrupt and
 * #GstCartesiaTtsSrc::clear stop what speaks and what waits.  Element
 * messages follow each utterance: `cartesia-utterance-queued`, `-started`,
 * `-finished` and `-failed`, with running times.  When the server's next
 * chunk is late, the buffer stops short where speech ran out and the next
 * one continues from there at a sink's deadline; only audio later than that
 * becomes silence.  Speech whose first chunk comes late in a buffer's
 * period starts up to #GstCartesiaTtsSrc:jitter-margin-ms into its buffer,
 * so that the chunks after it have that much room.
 *
 * With #GstCartesiaTtsSrc:share-connection the WebSocket elements of a
 * process that have the same connection settings share one socket.
 *
 * A company CA or a TLS-inspecting gateway's is trusted with
 * #GstCartesiaTtsSrc:ssl-ca-file or #GstCartesiaTtsSrc:tls-database.  A
 * proxy (#GstCartesiaTtsSrc:proxy, or the system's) is reached with CONNECT,
 * with credentials in its URI or in #GstCartesiaTtsSrc:proxy-id and
 * #GstCartesiaTtsSrc:proxy-pw; a loopback #GstCartesiaTtsSrc:base-url never
 * goes through one.
 *
 * The `subtitle_src` request pad carries what is spoken as timed text on the
 * audio's timeline (each utterance, or each word with
 * #GstCartesiaTtsSrc:word-timestamps), with GAP events in between, for
 * textoverlay.  It has a streaming thread of its own: neither branch needs a
 * queue.
 *
 * With a `sink` request pad, text comes from upstream instead of
 * #GstCartesiaTtsSrc:text (#GstCartesiaTtsSrc:input-mode).  Timed cues
 * (subparse, captions) are each spoken at their running time, with silence
 * between them; speech longer than its cue is clipped, overlaps the next or
 * shifts it (#GstCartesiaTtsSrc:overflow); live, the output runs
 * #GstCartesiaTtsSrc:latency behind the clock so speech can be on time.
 * Streamed text (an LLM's tokens) continues one WebSocket context, so speech
 * starts before the sentence is complete: the element gathers it into
 * clauses, each generated at once (`max_buffer_delay_ms` 0, unless
 * #GstCartesiaTtsSrc:max-buffer-delay-ms is set), the first with four words
 * unless the text pauses, and never cuts one of Sonic's inline tags; the
 * utterance ends at EOS, at the custom downstream event
 * `cartesia-utterance-end`, or 700 ms without text (before Cartesia's
 * context can expire, 1 s after its last audio; a refused continuation goes
 * to a new context).  Over SSE each
 * sentence is a request of its own.  Pango markup is stripped; invalid UTF-8
 * is replaced, with a warning.  A flush on the sink pad cancels its
 * utterances on the server and drops their audio.
 *
 * The voice settings (#GstCartesiaTtsSrc:voice-id, model-id, language,
 * speed, volume, emotion, pronunciation-dict-id) may change while playing:
 * each utterance copies them when it is queued, so the next one uses the new
 * ones and the one speaking finishes as it began; streamed text switches at
 * its next utterance.  #GstCartesiaTtsSrc::queue-utterance-full gives one
 * utterance settings of its own; on the sink pad the custom downstream event
 * `cartesia-settings` changes them for the text after it, and
 * `rstranscribe/speaker-change` events pick the voice from
 * #GstCartesiaTtsSrc:speaker-map.  Unknown fields and bad values are left
 * out with a `RESOURCE/SETTINGS` warning.  With overflow=fit a cue's speech
 * that is longer than the cue is asked for again faster (up to
 * #GstCartesiaTtsSrc:max-speed), then clipped if still too long; every cue
 * posts `cartesia-cue-finished`.  #GstCartesiaTtsSrc:phoneme-timestamps
 * posts `cartesia-phoneme` messages for lip-sync.
 *
 * Errors: no API key, or a bad #GstCartesiaTtsSrc:base-url, fail the change
 * to PAUSED with `RESOURCE/SETTINGS`; a rejected key gives
 * `RESOURCE/NOT_AUTHORIZED`; a request the server refuses gives
 * `RESOURCE/SETTINGS` with the server's title and message; a server that
 * cannot be reached (after #GstCartesiaTtsSrc:retries) gives
 * `RESOURCE/OPEN_READ`; a lost connection or a server that stops answering
 * for #GstCartesiaTtsSrc:timeout seconds gives `RESOURCE/READ`; data that
 * cannot be decoded gives `STREAM/DECODE`.  A refused TLS certificate gives
 * `RESOURCE/OPEN_READ` with the reason (unknown authority, another host
 * name, expired...) and the remedy; a proxy that refuses or does not answer
 * is named as the one to blame.  Errors carry an `http-status-code` field in
 * their details when there was one, `tls-errors` (#GTlsCertificateFlags)
 * when a certificate was refused, and a `request-id` (the server's
 * X-Request-Id, for its support) when the server named the request.  In live mode
 * a failed utterance posts a warning instead and the element goes on.
 *
 * A pipeline that runs for days: a server silent in the middle of an
 * utterance for #GstCartesiaTtsSrc:stall-timeout-ms gives "The server
 * stalled" (`RESOURCE/READ`) and, live, the next utterance plays; live, an
 * utterance that cannot reach the server waits for it up to
 * #GstCartesiaTtsSrc:max-wait-ms; the live queue holds at most
 * #GstCartesiaTtsSrc:max-queued utterances (beyond, `RESOURCE/BUSY` and
 * `cartesia-utterance-failed`).  Text that is not UTF-8 is repaired with a
 * `STREAM/FORMAT` warning, text longer than 8 KiB goes as continuations of
 * one context, empty text warns, and a READY-only property set while running
 * is ignored with a `CORE/STATE_CHANGE` warning naming it.
 *
 * ## Example launch lines
 * |[
 * CARTESIA_API_KEY=sk_car_... gst-launch-1.0 cartesiattssrc text="Hello world" ! audioconvert ! autoaudiosink
 * ]| Speaks "Hello world" on the speakers.
 * |[
 * gst-launch-1.0 cartesiattssrc base-url=http://127.0.0.1:8080 api-key=test text="Hello world" ! \
 *     audio/x-raw,format=F32LE,rate=24000 ! filesink location=out.raw
 * ]| Writes 24 kHz float samples from a local `cartesia-emulator` to a file.
 * |[
 * gst-launch-1.0 cartesiattssrc text="Hello" ! wavenc ! filesink location=hello.wav
 * ]| Writes a WAV file (S16LE, 44100 Hz).
 * |[
 * gst-launch-1.0 audiomixer name=mix ! audioconvert ! autoaudiosink \
 *     audiotestsrc is-live=true volume=0.1 ! mix. \
 *     cartesiattssrc is-live=true text="Good evening" ! mix.
 * ]| Mixes speech over a live tone.
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! textoverlay name=ov ! autovideosink \
 *     cartesiattssrc name=tts is-live=true text="Live captions" ! audioconvert ! autoaudiosink \
 *     tts.subtitle_src ! ov.text_sink
 * ]| Live captions in sync with the speech.
 * |[
 * gst-launch-1.0 filesrc location=talk.srt ! subparse ! cartesiattssrc ! wavenc ! filesink location=talk.wav
 * ]| Speaks a subtitle file, each cue at its time, into a WAV file.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc-private.h"

#include <string.h>

GST_DEBUG_CATEGORY (gst_cartesia_tts_src_debug);
#define GST_CAT_DEFAULT gst_cartesia_tts_src_debug

/* The element's reference, where the plugin's origin keeps it. */
#define CARTESIA_DOC_URI GST_PACKAGE_ORIGIN "/blob/main/docs/cartesiattssrc.md"

/* Text to speak, from upstream (see the sink file). */
static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("text/x-raw, format = (string) { utf8, pango-markup }"));

/* What is spoken, timed on the audio's timeline (see the subtitles file). */
static GstStaticPadTemplate subtitle_template =
GST_STATIC_PAD_TEMPLATE ("subtitle_src", GST_PAD_SRC, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("text/x-raw, format = (string) utf8"));

#define DEFAULT_TEXT NULL
#define DEFAULT_BASE_URL "https://api.cartesia.ai"
#define DEFAULT_TRANSPORT CARTESIA_TRANSPORT_WEBSOCKET
#define DEFAULT_MODEL_ID "sonic-3"
#define DEFAULT_VOICE_ID "694f9389-aac1-45b6-b726-9d9369183238"
#define DEFAULT_LANGUAGE "en"
#define DEFAULT_CARTESIA_VERSION "2025-04-16"
#define DEFAULT_SPEED 1.0
#define DEFAULT_VOLUME 1.0
#define DEFAULT_EMOTION NULL
#define DEFAULT_PRONUNCIATION_DICT_ID NULL
#define DEFAULT_MAX_BUFFER_DELAY_MS -1
#define DEFAULT_WORD_TIMESTAMPS FALSE
#define DEFAULT_NORMALIZED_TIMESTAMPS FALSE
#define DEFAULT_IS_LIVE FALSE
#define DEFAULT_SAMPLES_PER_BUFFER 1024
#define DEFAULT_FADE_MS 5
#define DEFAULT_PREBUFFER_MS 0
#define DEFAULT_JITTER_MARGIN_MS 20
#define DEFAULT_TEXT_MODE GST_CARTESIA_TEXT_MODE_QUEUE
#define DEFAULT_INPUT_MODE GST_CARTESIA_INPUT_MODE_AUTO
#define DEFAULT_OVERFLOW GST_CARTESIA_OVERFLOW_CLIP
#define DEFAULT_LATENCY_MS 2000
#define DEFAULT_RETRIES 3
#define DEFAULT_RETRY_BACKOFF_FACTOR 0.5
#define DEFAULT_RETRY_BACKOFF_MAX 8.0
#define DEFAULT_TIMEOUT 15
#define DEFAULT_STALL_TIMEOUT_MS 5000
#define DEFAULT_MAX_QUEUED 64
#define DEFAULT_MAX_WAIT_MS 30000
/* Ten seconds at the highest rate: a buffer, not a recording. */
#define MAX_SAMPLES_PER_BUFFER 480000
#define DEFAULT_SSL_STRICT TRUE
#define DEFAULT_PROXY NULL
#define DEFAULT_SHARE_CONNECTION FALSE
#define DEFAULT_USER_AGENT "GStreamer cartesiattssrc " PACKAGE_VERSION " "
#define DEFAULT_PHONEME_TIMESTAMPS FALSE
#define DEFAULT_MAX_SPEED 1.25

enum
{
  PROP_0,
  PROP_TEXT,
  PROP_API_KEY,
  PROP_BASE_URL,
  PROP_TRANSPORT,
  PROP_MODEL_ID,
  PROP_VOICE_ID,
  PROP_LANGUAGE,
  PROP_CARTESIA_VERSION,
  PROP_SPEED,
  PROP_VOLUME,
  PROP_EMOTION,
  PROP_PRONUNCIATION_DICT_ID,
  PROP_MAX_BUFFER_DELAY_MS,
  PROP_WORD_TIMESTAMPS,
  PROP_NORMALIZED_TIMESTAMPS,
  PROP_IS_LIVE,
  PROP_SAMPLES_PER_BUFFER,
  PROP_FADE_MS,
  PROP_PREBUFFER_MS,
  PROP_JITTER_MARGIN_MS,
  PROP_TEXT_MODE,
  PROP_INPUT_MODE,
  PROP_OVERFLOW,
  PROP_LATENCY,
  PROP_STATS,
  PROP_RETRIES,
  PROP_RETRY_BACKOFF_FACTOR,
  PROP_RETRY_BACKOFF_MAX,
  PROP_TIMEOUT,
  PROP_SSL_STRICT,
  PROP_PROXY,
  PROP_USER_AGENT,
  PROP_SHARE_CONNECTION,
  PROP_STALL_TIMEOUT_MS,
  PROP_MAX_QUEUED,
  PROP_MAX_WAIT_MS,
  PROP_SPEAKER_MAP,
  PROP_PHONEME_TIMESTAMPS,
  PROP_MAX_SPEED,
  PROP_NET_FIRST,               /* and the others of gstcartesiattssrc-net.c */
};


GType
gst_cartesia_transport_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {CARTESIA_TRANSPORT_WEBSOCKET,
        "One WebSocket connection, kept open across utterances", "websocket"},
    {CARTESIA_TRANSPORT_SSE, "One HTTP Server-Sent-Events request per utterance",
        "sse"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstCartesiaTransport", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

#define GST_TYPE_CARTESIA_TEXT_MODE (gst_cartesia_text_mode_get_type ())
static GType
gst_cartesia_text_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_CARTESIA_TEXT_MODE_QUEUE,
        "New text waits for what is queued before it", "queue"},
    {GST_CARTESIA_TEXT_MODE_INTERRUPT,
        "New text interrupts what speaks and clears the queue", "interrupt"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstCartesiaTextMode", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

#define GST_TYPE_CARTESIA_INPUT_MODE (gst_cartesia_input_mode_get_type ())
static GType
gst_cartesia_input_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_CARTESIA_INPUT_MODE_AUTO, "Timed cues if the first buffer has a "
          "timestamp and a duration, else streamed text", "auto"},
    {GST_CARTESIA_INPUT_MODE_CUES, "Each buffer is a cue, spoken at its "
          "running time", "cues"},
    {GST_CARTESIA_INPUT_MODE_STREAM, "Buffers continue one utterance until "
          "EOS, the cartesia-utterance-end event or a pause in the text",
        "stream"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstCartesiaInputMode", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

#define GST_TYPE_CARTESIA_OVERFLOW (gst_cartesia_overflow_get_type ())
static GType
gst_cartesia_overflow_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_CARTESIA_OVERFLOW_CLIP, "Speech stops (fading) at the end of its "
          "cue", "clip"},
    {GST_CARTESIA_OVERFLOW_OVERLAP, "Speech goes on past its cue, mixed with "
          "the next", "overlap"},
    {GST_CARTESIA_OVERFLOW_SHIFT, "The next cue waits until the speech "
          "before it ended", "shift"},
    {GST_CARTESIA_OVERFLOW_FIT, "Speech too long for its cue is asked for "
          "again, faster (up to max-speed), and clipped if still too long",
        "fit"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstCartesiaOverflow", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

enum
{
  SIGNAL_QUEUE_UTTERANCE,
  SIGNAL_QUEUE_UTTERANCE_FULL,
  SIGNAL_INTERRUPT,
  SIGNAL_CLEAR,
  LAST_SIGNAL
};

static guint signals[LAST_SIGNAL];

#define gst_cartesia_tts_src_parent_class parent_class
G_DEFINE_TYPE (GstCartesiaTtsSrc, gst_cartesia_tts_src, GST_TYPE_PUSH_SRC);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (cartesiattssrc, "cartesiattssrc",
    GST_RANK_NONE, GST_TYPE_CARTESIA_TTS_SRC,
    GST_DEBUG_CATEGORY_INIT (gst_cartesia_tts_src_debug, "cartesiattssrc", 0,
        "Cartesia text-to-speech source"));

static void gst_cartesia_tts_src_set_property (GObject * object,
    guint prop_id, const GValue * value, GParamSpec * pspec);
static void gst_cartesia_tts_src_get_property (GObject * object,
    guint prop_id, GValue * value, GParamSpec * pspec);
static void gst_cartesia_tts_src_finalize (GObject * object);
static GstCaps *gst_cartesia_tts_src_fixate (GstBaseSrc * bsrc, GstCaps * caps);
static gboolean gst_cartesia_tts_src_set_caps (GstBaseSrc * bsrc,
    GstCaps * caps);
static gboolean gst_cartesia_tts_src_start (GstBaseSrc * bsrc);
static gboolean gst_cartesia_tts_src_stop (GstBaseSrc * bsrc);
static gboolean gst_cartesia_tts_src_unlock (GstBaseSrc * bsrc);
static gboolean gst_cartesia_tts_src_unlock_stop (GstBaseSrc * bsrc);
static gboolean gst_cartesia_tts_src_is_seekable (GstBaseSrc * bsrc);
static gboolean gst_cartesia_tts_src_event (GstBaseSrc * bsrc,
    GstEvent * event);
static gboolean gst_cartesia_tts_src_query (GstBaseSrc * bsrc,
    GstQuery * query);
static GstFlowReturn gst_cartesia_tts_src_create (GstPushSrc * psrc,
    GstBuffer ** outbuf);
static GstPad *gst_cartesia_tts_src_request_new_pad (GstElement * element,
    GstPadTemplate * templ, const gchar * name, const GstCaps * caps);
static void gst_cartesia_tts_src_release_pad (GstElement * element,
    GstPad * pad);
static GstStateChangeReturn gst_cartesia_tts_src_change_state (GstElement *
    element, GstStateChange transition);

#define STRING_PROP(name, nick, blurb, def) \
  g_param_spec_string (name, nick, blurb, def, \
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY)
/* A voice setting: changeable while playing, for the next utterance. */
#define SETTING_PROP(name, nick, blurb, def) \
  g_param_spec_string (name, nick, blurb, def, \
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)

static void
gst_cartesia_tts_src_class_init (GstCartesiaTtsSrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSrcClass *basesrc_class = GST_BASE_SRC_CLASS (klass);
  GstPushSrcClass *pushsrc_class = GST_PUSH_SRC_CLASS (klass);
  GstCaps *src_caps;
  gchar *caps_string;

  gobject_class->set_property = gst_cartesia_tts_src_set_property;
  gobject_class->get_property = gst_cartesia_tts_src_get_property;
  gobject_class->finalize = gst_cartesia_tts_src_finalize;

  g_object_class_install_property (gobject_class, PROP_TEXT,
      g_param_spec_string ("text", "Text",
          "What to say. In live mode, setting it while running queues a new "
          "utterance", DEFAULT_TEXT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_API_KEY,
      g_param_spec_string ("api-key", "API key",
          "Cartesia API key (write-only; never logged by this element). When "
          "not set, the CARTESIA_API_KEY environment variable is used; prefer "
          "it with gst-launch-1.0, whose parser logs the pipeline text at "
          "GST_DEBUG level 4 and above", NULL,
          G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_BASE_URL,
      STRING_PROP ("base-url", "Base URL",
          "API root. http:// is accepted only for loopback hosts (a local "
          "emulator), so that the key never travels in clear text",
          DEFAULT_BASE_URL));
  g_object_class_install_property (gobject_class, PROP_TRANSPORT,
      g_param_spec_enum ("transport", "Transport",
          "Which streaming endpoint to use", GST_TYPE_CARTESIA_TRANSPORT,
          DEFAULT_TRANSPORT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_MODEL_ID,
      SETTING_PROP ("model-id", "Model ID", "Cartesia model, e.g. sonic-3; may change "
          "while playing: the next utterance uses it",
          DEFAULT_MODEL_ID));
  g_object_class_install_property (gobject_class, PROP_VOICE_ID,
      SETTING_PROP ("voice-id", "Voice ID", "Cartesia voice ID (a UUID); may change "
          "while playing: the next utterance uses it",
          DEFAULT_VOICE_ID));
  g_object_class_install_property (gobject_class, PROP_LANGUAGE,
      SETTING_PROP ("language", "Language",
          "Language of the text, as an ISO 639-1 code (NULL: not sent); may "
          "change while playing: the next utterance uses it",
          DEFAULT_LANGUAGE));
  g_object_class_install_property (gobject_class, PROP_CARTESIA_VERSION,
      STRING_PROP ("cartesia-version", "Cartesia API version",
          "Sent as the Cartesia-Version header (YYYY-MM-DD)",
          DEFAULT_CARTESIA_VERSION));
  g_object_class_install_property (gobject_class, PROP_SPEED,
      g_param_spec_double ("speed", "Speed",
          "Speaking speed (generation_config.speed, sonic-3 and later); sent "
          "only when set; may change while playing: the next utterance uses it", 0.6, 1.5, DEFAULT_SPEED,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_VOLUME,
      g_param_spec_double ("volume", "Volume",
          "Loudness (generation_config.volume, sonic-3 and later); sent only "
          "when set; may change while playing: the next utterance uses it", 0.5, 2.0, DEFAULT_VOLUME,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_EMOTION,
      SETTING_PROP ("emotion", "Emotion",
          "Emotion (generation_config.emotion), e.g. calm or excited "
          "(NULL: not sent); may change while playing: the next utterance "
          "uses it", DEFAULT_EMOTION));
  g_object_class_install_property (gobject_class, PROP_PRONUNCIATION_DICT_ID,
      SETTING_PROP ("pronunciation-dict-id", "Pronunciation dictionary ID",
          "Pronunciation dictionary to apply (NULL: none); may change while "
          "playing: the next utterance uses it",
          DEFAULT_PRONUNCIATION_DICT_ID));
  g_object_class_install_property (gobject_class, PROP_MAX_BUFFER_DELAY_MS,
      g_param_spec_int ("max-buffer-delay-ms", "Max buffer delay (ms)",
          "How long the server may wait for more text of a websocket context "
          "before generating (-1 = the server's default, 0 = generate at "
          "once); streamed text on the sink pad is sent in clauses with 0 "
          "when -1 or 0, and ends its utterance after this long without "
          "more if under 700 ms",
          -1, 5000, DEFAULT_MAX_BUFFER_DELAY_MS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_WORD_TIMESTAMPS,
      g_param_spec_boolean ("word-timestamps", "Word timestamps",
          "Ask for word timings and post a \"cartesia-word\" element message "
          "per word", DEFAULT_WORD_TIMESTAMPS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstCartesiaTtsSrc:normalized-timestamps:
   *
   * With #GstCartesiaTtsSrc:word-timestamps, whether the words are the ones
   * spoken after normalization ("four two" for "42") instead of the words of
   * the text.  Sent as `use_normalized_timestamps` with every request that
   * asks for word timings.
   */
  g_object_class_install_property (gobject_class, PROP_NORMALIZED_TIMESTAMPS,
      g_param_spec_boolean ("normalized-timestamps", "Normalized timestamps",
          "Word timings carry the spoken, normalized words instead of the "
          "words of the text (use_normalized_timestamps)",
          DEFAULT_NORMALIZED_TIMESTAMPS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_IS_LIVE,
      g_param_spec_boolean ("is-live", "Is live",
          "Act as a live source: audio is stamped with the running time and "
          "every new text is queued as an utterance", DEFAULT_IS_LIVE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_SAMPLES_PER_BUFFER,
      g_param_spec_uint ("samplesperbuffer", "Samples per buffer",
          "Live mode: samples in each buffer; also the latency reported",
          1, MAX_SAMPLES_PER_BUFFER, DEFAULT_SAMPLES_PER_BUFFER,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_FADE_MS,
      g_param_spec_uint ("fade-ms", "Fade (ms)",
          "Live mode: linear fade at the start and end of speech and when "
          "an utterance is interrupted, so splices do not click (0 = none)",
          0, 1000, DEFAULT_FADE_MS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_PREBUFFER_MS,
      g_param_spec_uint ("prebuffer-ms", "Prebuffer (ms)",
          "Live mode: audio an utterance must have received before it "
          "starts, a margin against a network that delivers just in time "
          "(0 = start with the first chunk, the lowest latency)", 0, 10000,
          DEFAULT_PREBUFFER_MS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstCartesiaTtsSrc:jitter-margin-ms:
   *
   * Live mode: the least time between the arrival of an utterance's first
   * audio and the moment a sink plays it (its running time plus the
   * latency the element reports).  The server's later chunks have that
   * much room for network and scheduling jitter before the element must
   * fill in silence.  Speech whose first audio arrives late in a buffer's
   * period starts up to this much later inside its buffer; the buffer
   * itself leaves as soon as before.
   */
  g_object_class_install_property (gobject_class, PROP_JITTER_MARGIN_MS,
      g_param_spec_uint ("jitter-margin-ms", "Jitter margin (ms)",
          "Live mode: least time between an utterance's first audio "
          "arriving and a sink playing it; speech starts up to this much "
          "later within its buffer (0 = at the buffer's start)", 0, 1000,
          DEFAULT_JITTER_MARGIN_MS, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_TEXT_MODE,
      g_param_spec_enum ("text-mode", "Text mode",
          "Live mode: what new text (the text property or queue-utterance) "
          "does to what is speaking and queued", GST_TYPE_CARTESIA_TEXT_MODE,
          DEFAULT_TEXT_MODE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_INPUT_MODE,
      g_param_spec_enum ("input-mode", "Input mode",
          "Sink pad: what its buffers are, timed cues or streamed text",
          GST_TYPE_CARTESIA_INPUT_MODE, DEFAULT_INPUT_MODE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_OVERFLOW,
      g_param_spec_enum ("overflow", "Overflow",
          "Sink pad, timed cues: what happens to speech longer than its cue",
          GST_TYPE_CARTESIA_OVERFLOW, DEFAULT_OVERFLOW,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_LATENCY,
      g_param_spec_uint ("latency", "Latency (ms)",
          "Sink pad, timed cues, live: how far the output runs behind the "
          "clock so that each cue's speech is there at the cue's running "
          "time; added to the latency reported", 0, 60000,
          DEFAULT_LATENCY_MS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Counters since the last start, as a \"cartesia-stats\" "
          "structure: utterances, utterances-failed, utterances-interrupted, "
          "bytes-received, connections, reconnects, retries, "
          "time-to-first-audio (last), time-to-first-audio-mean, "
          "underrun-duration; times in ns, 18446744073709551615 "
          "(GST_CLOCK_TIME_NONE) while none is known", GST_TYPE_STRUCTURE,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * GstCartesiaTtsSrc::queue-utterance:
   * @src: the element
   * @text: what to say
   * @id: (nullable): the application's id for it, used in the utterance
   *   messages; NULL picks "utterance-N"
   *
   * Live mode: queues an utterance (or, with text-mode=interrupt, replaces
   * what speaks and what is queued).
   */
  signals[SIGNAL_QUEUE_UTTERANCE] = g_signal_new_class_handler
      ("queue-utterance", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_cartesia_tts_src_queue_utterance), NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * GstCartesiaTtsSrc::queue-utterance-full:
   * @src: the element
   * @text: what to say
   * @id: (nullable): the application's id for it, as in queue-utterance
   * @settings: (nullable): settings for this utterance only, named like the
   *   properties: voice-id, model-id, language, speed, volume, emotion,
   *   pronunciation-dict-id
   *
   * Live mode: queue-utterance with settings of its own.  A field that is
   * unknown or has a bad value is left out with a `RESOURCE/SETTINGS`
   * warning; the utterance speaks with the others.
   */
  signals[SIGNAL_QUEUE_UTTERANCE_FULL] = g_signal_new_class_handler
      ("queue-utterance-full", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_cartesia_tts_src_queue_utterance_full), NULL, NULL,
      NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, GST_TYPE_STRUCTURE);
  /**
   * GstCartesiaTtsSrc::interrupt:
   * @src: the element
   *
   * Live mode: stops the utterance that speaks (or is about to), within one
   * buffer: cancelled on the server, its queued audio dropped, faded out.
   */
  signals[SIGNAL_INTERRUPT] = g_signal_new_class_handler ("interrupt",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_cartesia_tts_src_interrupt), NULL, NULL, NULL,
      G_TYPE_NONE, 0);
  /**
   * GstCartesiaTtsSrc::clear:
   * @src: the element
   *
   * Live mode: drops every queued utterance; the one speaking goes on.
   */
  signals[SIGNAL_CLEAR] = g_signal_new_class_handler ("clear",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_cartesia_tts_src_clear), NULL, NULL, NULL,
      G_TYPE_NONE, 0);

  g_object_class_install_property (gobject_class, PROP_RETRIES,
      g_param_spec_int ("retries", "Retries",
          "How often to retry a connection refused with 408, 429 or 5xx, or "
          "lost to the network (-1 = forever)", -1, G_MAXINT, DEFAULT_RETRIES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_RETRY_BACKOFF_FACTOR,
      g_param_spec_double ("retry-backoff-factor", "Backoff factor",
          "Seconds before the first retry; each further retry waits twice as "
          "long, minus up to 25% random jitter", 0.0, G_MAXDOUBLE,
          DEFAULT_RETRY_BACKOFF_FACTOR, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_RETRY_BACKOFF_MAX,
      g_param_spec_double ("retry-backoff-max", "Maximum backoff",
          "Longest wait between two retries, in seconds", 0.0, G_MAXDOUBLE,
          DEFAULT_RETRY_BACKOFF_MAX, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_TIMEOUT,
      g_param_spec_uint ("timeout", "Timeout",
          "Seconds the server may stay silent during an utterance or a "
          "network operation before it is given up (0 = no timeout)", 0,
          3600, DEFAULT_TIMEOUT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_SSL_STRICT,
      g_param_spec_boolean ("ssl-strict", "SSL strict",
          "Refuse TLS certificates that cannot be verified", DEFAULT_SSL_STRICT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_PROXY,
      STRING_PROP ("proxy", "Proxy",
          "HTTP proxy URI (NULL: the system's proxy settings)", DEFAULT_PROXY));
  g_object_class_install_property (gobject_class, PROP_USER_AGENT,
      STRING_PROP ("user-agent", "User agent",
          "User-Agent header; a trailing space appends libsoup's own",
          DEFAULT_USER_AGENT));
  /**
   * GstCartesiaTtsSrc:share-connection:
   *
   * With the websocket transport, use one WebSocket (and one transport
   * thread) for every element of the process that shares and has the same
   * connection settings (base-url, api-key, cartesia-version, user-agent,
   * proxy, ssl-strict, timeout and the retry properties); Cartesia tells
   * their utterances apart by context id and limits the sockets an account
   * may open.  Each element still gets only its own audio, events and
   * errors, and the stats of what it used.  No effect with SSE.
   */
  g_object_class_install_property (gobject_class, PROP_SHARE_CONNECTION,
      g_param_spec_boolean ("share-connection", "Share connection",
          "Share one WebSocket with the other elements of the process that "
          "have the same connection settings (websocket transport only)",
          DEFAULT_SHARE_CONNECTION, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));

  /**
   * GstCartesiaTtsSrc:stall-timeout-ms:
   *
   * How long the server may stay silent in the middle of a generation,
   * once its first audio came, before the utterance is given up ("The
   * server stalled ...").  Live, the next utterance then plays; non-live,
   * the stream fails.  #GstCartesiaTtsSrc:timeout still bounds the wait
   * for the first audio and every network operation.
   */
  g_object_class_install_property (gobject_class, PROP_STALL_TIMEOUT_MS,
      g_param_spec_uint ("stall-timeout-ms", "Stall timeout (ms)",
          "Milliseconds the server may stay silent in the middle of an "
          "utterance, after its first audio, before the utterance is given "
          "up (0 = only timeout applies)", 0, 3600000,
          DEFAULT_STALL_TIMEOUT_MS, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstCartesiaTtsSrc:max-queued:
   *
   * Live mode: the most utterances of the application (the text property
   * and #GstCartesiaTtsSrc::queue-utterance) that may be queued or
   * speaking at once.  When the queue is full a new utterance is refused:
   * a warning and a `cartesia-utterance-failed` message say so, and what is
   * queued goes on.  With text-mode=interrupt new text replaces the queue
   * and is never refused.
   */
  g_object_class_install_property (gobject_class, PROP_MAX_QUEUED,
      g_param_spec_uint ("max-queued", "Max queued",
          "Live mode: most utterances queued or speaking at once; a new one "
          "beyond it is refused with a warning and a "
          "cartesia-utterance-failed message (0 = no limit)", 0, G_MAXINT,
          DEFAULT_MAX_QUEUED, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstCartesiaTtsSrc:max-wait-ms:
   *
   * Live mode: how long an utterance of the application waits for the
   * server during an outage.  One that fails to reach the server (it
   * cannot connect after #GstCartesiaTtsSrc:retries, the connection is
   * lost before its audio starts, or the server answers 408, 429 or 5xx)
   * is requested again, once a second, until this long after it was
   * queued; only then does it fail.
   */
  g_object_class_install_property (gobject_class, PROP_MAX_WAIT_MS,
      g_param_spec_uint ("max-wait-ms", "Max wait (ms)",
          "Live mode: how long a queued utterance waits for the server "
          "during an outage before it fails (0 = it fails with the first "
          "failed connection)", 0, 86400000, DEFAULT_MAX_WAIT_MS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstCartesiaTtsSrc:speaker-map:
   *
   * Sink pad: which voice speaks for which speaker.  Each field is a
   * speaker name, as the `rstranscribe/speaker-change` events of
   * gst-plugins-rs transcribers carry it in their `speaker` field, and its
   * value the voice id, e.g. `map,spk_0=(string)a0e9...,spk_1=(string)f786...`.
   * The text after such an event speaks with the speaker's voice; an
   * unmapped speaker keeps the voice of the text before.
   */
  g_object_class_install_property (gobject_class, PROP_SPEAKER_MAP,
      g_param_spec_boxed ("speaker-map", "Speaker map",
          "Sink pad: speaker name -> voice id, for rstranscribe/speaker-change "
          "events (unmapped speakers keep the current voice)",
          GST_TYPE_STRUCTURE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_PHONEME_TIMESTAMPS,
      g_param_spec_boolean ("phoneme-timestamps", "Phoneme timestamps",
          "Ask for phoneme timings and post a \"cartesia-phoneme\" element "
          "message per phoneme, for lip-sync", DEFAULT_PHONEME_TIMESTAMPS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_MAX_SPEED,
      g_param_spec_double ("max-speed", "Maximum speed",
          "Sink pad, timed cues, overflow=fit: the fastest speed a cue's "
          "speech may be asked for again with", 0.6, 1.5, DEFAULT_MAX_SPEED,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  gst_cartesia_tts_src_net_install_properties (gobject_class, PROP_NET_FIRST);

  /* Every format and rate of the table in cartesia-format.c. */
  caps_string = cartesia_format_caps_string ();
  src_caps = gst_caps_from_string (caps_string);
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new ("src", GST_PAD_SRC, GST_PAD_ALWAYS, src_caps));
  gst_caps_unref (src_caps);
  g_free (caps_string);
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class,
      &subtitle_template);
  element_class->request_new_pad =
      GST_DEBUG_FUNCPTR (gst_cartesia_tts_src_request_new_pad);
  element_class->release_pad =
      GST_DEBUG_FUNCPTR (gst_cartesia_tts_src_release_pad);
  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_cartesia_tts_src_change_state);
  gst_element_class_set_static_metadata (element_class,
      "Cartesia text-to-speech source", "Source/Audio/Network",
      "Speaks text with the Cartesia text-to-speech API",
      "gst-cartesia developers");
  /* gst-inspect-1.0 shows it as "Doc-uri" (the key exists since 1.0). */
  gst_element_class_add_static_metadata (element_class,
      GST_ELEMENT_METADATA_DOC_URI, CARTESIA_DOC_URI);

  basesrc_class->fixate = GST_DEBUG_FUNCPTR (gst_cartesia_tts_src_fixate);
  basesrc_class->set_caps = GST_DEBUG_FUNCPTR (gst_cartesia_tts_src_set_caps);
  basesrc_class->start = GST_DEBUG_FUNCPTR (gst_cartesia_tts_src_start);
  basesrc_class->stop = GST_DEBUG_FUNCPTR (gst_cartesia_tts_src_stop);
  basesrc_class->unlock = GST_DEBUG_FUNCPTR (gst_cartesia_tts_src_unlock);
  basesrc_class->unlock_stop =
      GST_DEBUG_FUNCPTR (gst_cartesia_tts_src_unlock_stop);
  basesrc_class->is_seekable =
      GST_DEBUG_FUNCPTR (gst_cartesia_tts_src_is_seekable);
  pushsrc_class->create = GST_DEBUG_FUNCPTR (gst_cartesia_tts_src_create);

  basesrc_class->query = GST_DEBUG_FUNCPTR (gst_cartesia_tts_src_query);
  basesrc_class->event = GST_DEBUG_FUNCPTR (gst_cartesia_tts_src_event);

  gst_type_mark_as_plugin_api (GST_TYPE_CARTESIA_TRANSPORT, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_CARTESIA_TEXT_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_CARTESIA_INPUT_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_CARTESIA_OVERFLOW, 0);
}

static void
gst_cartesia_tts_src_init (GstCartesiaTtsSrc * self)
{
  self->text = g_strdup (DEFAULT_TEXT);
  self->base_url = g_strdup (DEFAULT_BASE_URL);
  self->transport = DEFAULT_TRANSPORT;
  self->model_id = g_strdup (DEFAULT_MODEL_ID);
  self->voice_id = g_strdup (DEFAULT_VOICE_ID);
  self->language = g_strdup (DEFAULT_LANGUAGE);
  self->cartesia_version = g_strdup (DEFAULT_CARTESIA_VERSION);
  self->speed = DEFAULT_SPEED;
  self->volume = DEFAULT_VOLUME;
  self->emotion = g_strdup (DEFAULT_EMOTION);
  self->pronunciation_dict_id = g_strdup (DEFAULT_PRONUNCIATION_DICT_ID);
  self->max_buffer_delay_ms = DEFAULT_MAX_BUFFER_DELAY_MS;
  self->word_timestamps = DEFAULT_WORD_TIMESTAMPS;
  self->normalized_timestamps = DEFAULT_NORMALIZED_TIMESTAMPS;
  self->retries = DEFAULT_RETRIES;
  self->retry_backoff_factor = DEFAULT_RETRY_BACKOFF_FACTOR;
  self->retry_backoff_max = DEFAULT_RETRY_BACKOFF_MAX;
  self->timeout = DEFAULT_TIMEOUT;
  self->stall_timeout_ms = DEFAULT_STALL_TIMEOUT_MS;
  self->max_queued = DEFAULT_MAX_QUEUED;
  self->max_wait_ms = DEFAULT_MAX_WAIT_MS;
  self->ssl_strict = DEFAULT_SSL_STRICT;
  self->proxy = g_strdup (DEFAULT_PROXY);
  self->user_agent = g_strdup (DEFAULT_USER_AGENT);
  self->share_connection = DEFAULT_SHARE_CONNECTION;
  self->phoneme_timestamps = DEFAULT_PHONEME_TIMESTAMPS;
  self->max_speed = DEFAULT_MAX_SPEED;
  self->samples_per_buffer = DEFAULT_SAMPLES_PER_BUFFER;
  self->fade_ms = DEFAULT_FADE_MS;
  self->prebuffer_ms = DEFAULT_PREBUFFER_MS;
  self->jitter_margin_ms = DEFAULT_JITTER_MARGIN_MS;
  self->text_mode = DEFAULT_TEXT_MODE;
  self->input_mode = DEFAULT_INPUT_MODE;
  self->overflow = DEFAULT_OVERFLOW;
  self->latency_ms = DEFAULT_LATENCY_MS;
  gst_cartesia_tts_src_live_init (self);
  gst_cartesia_tts_src_sink_init (self);
  gst_cartesia_tts_src_subtitle_init (self);
  gst_cartesia_tts_src_blocks_init (self);
  self->stat_last_ttfa = GST_CLOCK_TIME_NONE;

  gst_base_src_set_format (GST_BASE_SRC (self), GST_FORMAT_TIME);
  gst_base_src_set_live (GST_BASE_SRC (self), DEFAULT_IS_LIVE);
  gst_base_src_set_automatic_eos (GST_BASE_SRC (self), FALSE);
}

static void
clear_secret (gchar ** secret)
{
  if (*secret)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static void
gst_cartesia_tts_src_finalize (GObject * object)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (object);

  g_free (self->text);
  clear_secret (&self->api_key);
  g_free (self->base_url);
  g_free (self->model_id);
  g_free (self->voice_id);
  g_free (self->language);
  g_free (self->cartesia_version);
  g_free (self->emotion);
  g_free (self->pronunciation_dict_id);
  g_free (self->proxy);
  gst_cartesia_tts_src_net_finalize (self);
  g_free (self->user_agent);
  if (self->speaker_map)
    gst_structure_free (self->speaker_map);
  g_free (self->context_id);
  g_free (self->utterance_text);
  gst_cartesia_tts_src_subtitle_finalize (self);
  gst_cartesia_tts_src_sink_finalize (self);
  g_clear_object (&self->blocks);
  gst_cartesia_tts_src_sink_settings_reset (self);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
set_text (GstCartesiaTtsSrc * self, const gchar * text)
{
  gboolean running;

  GST_OBJECT_LOCK (self);
  g_free (self->text);
  self->text = g_strdup (text);
  running = self->session != NULL;
  GST_OBJECT_UNLOCK (self);

  /* A live source that is running speaks every new text. */
  if (!running || !gst_base_src_is_live (GST_BASE_SRC (self)))
    return;
  if (text == NULL || *text == '\0')
    GST_DEBUG_OBJECT (self, "the text was cleared: nothing queued");
  else
    gst_cartesia_tts_src_queue_utterance (self, text, NULL);
}

static void
replace_string (GstCartesiaTtsSrc * self, gchar ** field, const GValue * value)
{
  GST_OBJECT_LOCK (self);
  g_free (*field);
  *field = g_value_dup_string (value);
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cartesia_tts_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (object);

  if (gst_cartesia_tts_src_refuse_property (self, pspec))
    return;

  switch (prop_id) {
    case PROP_TEXT:
      set_text (self, g_value_get_string (value));
      break;
    case PROP_API_KEY:
      GST_OBJECT_LOCK (self);
      clear_secret (&self->api_key);
      self->api_key = g_value_dup_string (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_BASE_URL:
      replace_string (self, &self->base_url, value);
      break;
    case PROP_TRANSPORT:
      GST_OBJECT_LOCK (self);
      self->transport = g_value_get_enum (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MODEL_ID:
      replace_string (self, &self->model_id, value);
      break;
    case PROP_VOICE_ID:
      replace_string (self, &self->voice_id, value);
      break;
    case PROP_LANGUAGE:
      replace_string (self, &self->language, value);
      break;
    case PROP_CARTESIA_VERSION:
      replace_string (self, &self->cartesia_version, value);
      break;
    case PROP_SPEED:
      GST_OBJECT_LOCK (self);
      self->speed = g_value_get_double (value);
      self->speed_set = TRUE;
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_VOLUME:
      GST_OBJECT_LOCK (self);
      self->volume = g_value_get_double (value);
      self->volume_set = TRUE;
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_EMOTION:
      replace_string (self, &self->emotion, value);
      break;
    case PROP_PRONUNCIATION_DICT_ID:
      replace_string (self, &self->pronunciation_dict_id, value);
      break;
    case PROP_MAX_BUFFER_DELAY_MS:
      GST_OBJECT_LOCK (self);
      self->max_buffer_delay_ms = g_value_get_int (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_WORD_TIMESTAMPS:
      GST_OBJECT_LOCK (self);
      self->word_timestamps = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_NORMALIZED_TIMESTAMPS:
      self->normalized_timestamps = g_value_get_boolean (value);
      break;
    case PROP_IS_LIVE:
      gst_base_src_set_live (GST_BASE_SRC (self), g_value_get_boolean (value));
      break;
    case PROP_SAMPLES_PER_BUFFER:
      GST_OBJECT_LOCK (self);
      self->samples_per_buffer = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_FADE_MS:
      GST_OBJECT_LOCK (self);
      self->fade_ms = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_PREBUFFER_MS:
      GST_OBJECT_LOCK (self);
      self->prebuffer_ms = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_JITTER_MARGIN_MS:
      GST_OBJECT_LOCK (self);
      self->jitter_margin_ms = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_TEXT_MODE:
      GST_OBJECT_LOCK (self);
      self->text_mode = g_value_get_enum (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_INPUT_MODE:
      GST_OBJECT_LOCK (self);
      self->input_mode = g_value_get_enum (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_OVERFLOW:
      GST_OBJECT_LOCK (self);
      self->overflow = g_value_get_enum (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_LATENCY:
      GST_OBJECT_LOCK (self);
      self->latency_ms = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_RETRIES:
      GST_OBJECT_LOCK (self);
      self->retries = g_value_get_int (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_RETRY_BACKOFF_FACTOR:
      GST_OBJECT_LOCK (self);
      self->retry_backoff_factor = g_value_get_double (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_RETRY_BACKOFF_MAX:
      GST_OBJECT_LOCK (self);
      self->retry_backoff_max = g_value_get_double (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_TIMEOUT:
      GST_OBJECT_LOCK (self);
      self->timeout = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_SSL_STRICT:
      GST_OBJECT_LOCK (self);
      self->ssl_strict = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_PROXY:
      replace_string (self, &self->proxy, value);
      break;
    case PROP_USER_AGENT:
      replace_string (self, &self->user_agent, value);
      break;
    case PROP_SHARE_CONNECTION:
      GST_OBJECT_LOCK (self);
      self->share_connection = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_STALL_TIMEOUT_MS:
      GST_OBJECT_LOCK (self);
      self->stall_timeout_ms = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MAX_QUEUED:
      GST_OBJECT_LOCK (self);
      self->max_queued = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MAX_WAIT_MS:
      GST_OBJECT_LOCK (self);
      self->max_wait_ms = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_SPEAKER_MAP:
      gst_cartesia_tts_src_set_speaker_map (self,
          gst_value_get_structure (value));
      break;
    case PROP_PHONEME_TIMESTAMPS:
      GST_OBJECT_LOCK (self);
      self->phoneme_timestamps = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MAX_SPEED:
      GST_OBJECT_LOCK (self);
      self->max_speed = g_value_get_double (value);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      if (!gst_cartesia_tts_src_net_set_property (self, prop_id, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_cartesia_tts_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (object);

  /* gst_base_src_is_live() takes the object lock itself. */
  if (prop_id == PROP_IS_LIVE) {
    g_value_set_boolean (value, gst_base_src_is_live (GST_BASE_SRC (self)));
    return;
  }
  if (prop_id == PROP_STATS) {
    g_value_take_boxed (value, gst_cartesia_tts_src_create_stats (self));
    return;
  }
  if (prop_id >= PROP_NET_FIRST) {
    if (!gst_cartesia_tts_src_net_get_property (self, prop_id, value))
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_TRANSPORT:
      g_value_set_enum (value, self->transport);
      break;
    case PROP_MODEL_ID:
      g_value_set_string (value, self->model_id);
      break;
    case PROP_VOICE_ID:
      g_value_set_string (value, self->voice_id);
      break;
    case PROP_LANGUAGE:
      g_value_set_string (value, self->language);
      break;
    case PROP_CARTESIA_VERSION:
      g_value_set_string (value, self->cartesia_version);
      break;
    case PROP_SPEED:
      g_value_set_double (value, self->speed);
      break;
    case PROP_VOLUME:
      g_value_set_double (value, self->volume);
      break;
    case PROP_EMOTION:
      g_value_set_string (value, self->emotion);
      break;
    case PROP_PRONUNCIATION_DICT_ID:
      g_value_set_string (value, self->pronunciation_dict_id);
      break;
    case PROP_MAX_BUFFER_DELAY_MS:
      g_value_set_int (value, self->max_buffer_delay_ms);
      break;
    case PROP_WORD_TIMESTAMPS:
      g_value_set_boolean (value, self->word_timestamps);
      break;
    case PROP_NORMALIZED_TIMESTAMPS:
      g_value_set_boolean (value, self->normalized_timestamps);
      break;
    case PROP_SAMPLES_PER_BUFFER:
      g_value_set_uint (value, self->samples_per_buffer);
      break;
    case PROP_FADE_MS:
      g_value_set_uint (value, self->fade_ms);
      break;
    case PROP_JITTER_MARGIN_MS:
      g_value_set_uint (value, self->jitter_margin_ms);
      break;
    case PROP_PREBUFFER_MS:
      g_value_set_uint (value, self->prebuffer_ms);
      break;
    case PROP_TEXT_MODE:
      g_value_set_enum (value, self->text_mode);
      break;
    case PROP_INPUT_MODE:
      g_value_set_enum (value, self->input_mode);
      break;
    case PROP_OVERFLOW:
      g_value_set_enum (value, self->overflow);
      break;
    case PROP_LATENCY:
      g_value_set_uint (value, self->latency_ms);
      break;
    case PROP_RETRIES:
      g_value_set_int (value, self->retries);
      break;
    case PROP_RETRY_BACKOFF_FACTOR:
      g_value_set_double (value, self->retry_backoff_factor);
      break;
    case PROP_RETRY_BACKOFF_MAX:
      g_value_set_double (value, self->retry_backoff_max);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_SSL_STRICT:
      g_value_set_boolean (value, self->ssl_strict);
      break;
    case PROP_PROXY:
      g_value_set_string (value, self->proxy);
      break;
    case PROP_USER_AGENT:
      g_value_set_string (value, self->user_agent);
      break;
    case PROP_SHARE_CONNECTION:
      g_value_set_boolean (value, self->share_connection);
      break;
    case PROP_STALL_TIMEOUT_MS:
      g_value_set_uint (value, self->stall_timeout_ms);
      break;
    case PROP_MAX_QUEUED:
      g_value_set_uint (value, self->max_queued);
      break;
    case PROP_MAX_WAIT_MS:
      g_value_set_uint (value, self->max_wait_ms);
      break;
    case PROP_SPEAKER_MAP:
      gst_value_set_structure (value, self->speaker_map);
      break;
    case PROP_PHONEME_TIMESTAMPS:
      g_value_set_boolean (value, self->phoneme_timestamps);
      break;
    case PROP_MAX_SPEED:
      g_value_set_double (value, self->max_speed);
      break;
    default:
      /* api-key is write-only: GObject never asks for it. */
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* ---- request pads: sink (text in) and subtitle_src (captions out) ---- */

static GstPad *
gst_cartesia_tts_src_request_new_pad (GstElement * element,
    GstPadTemplate * templ, const gchar * name, const GstCaps * caps)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (element);

  if (GST_PAD_TEMPLATE_DIRECTION (templ) == GST_PAD_SINK)
    return gst_cartesia_tts_src_request_sink_pad (self, templ);
  return gst_cartesia_tts_src_request_subtitle_pad (self, templ);
}

static void
gst_cartesia_tts_src_release_pad (GstElement * element, GstPad * pad)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (element);

  if (GST_PAD_IS_SINK (pad))
    gst_cartesia_tts_src_release_sink_pad (self, pad);
  else
    gst_cartesia_tts_src_release_subtitle_pad (self, pad);
}

/* ---- negotiation ---- */

static GstCaps *
gst_cartesia_tts_src_fixate (GstBaseSrc * bsrc, GstCaps * caps)
{
  GstStructure *s;

  /* Downstream's preference first; within it, S16LE at 44100 Hz. */
  caps = gst_caps_truncate (gst_caps_make_writable (caps));
  s = gst_caps_get_structure (caps, 0);
  if (gst_structure_has_field (s, "format"))
    gst_structure_fixate_field_string (s, "format",
        cartesia_format_default ()->caps_format);
  gst_structure_fixate_field_nearest_int (s, "rate",
      CARTESIA_FORMAT_DEFAULT_RATE);
  gst_structure_fixate_field_nearest_int (s, "channels", 1);

  return GST_BASE_SRC_CLASS (parent_class)->fixate (bsrc, caps);
}

static gboolean
gst_cartesia_tts_src_set_caps (GstBaseSrc * bsrc, GstCaps * caps)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (bsrc);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  const gchar *name = gst_structure_get_name (s);
  const CartesiaFormat *format = cartesia_format_from_caps (name,
      gst_structure_get_string (s, "format"));
  const gchar *encoding;
  gint rate, old_rate;
  gboolean changed;

  if (!gst_structure_get_int (s, "rate", &rate) || format == NULL)
    goto invalid;
  encoding = format->encoding;

  /* The server was asked for one format; audio already requested cannot
   * change to another in the middle of an utterance.  Checked and changed
   * under one hold of the lock: the sink pad's thread sends requests in
   * the format it reads under it. */
  GST_OBJECT_LOCK (self);
  changed = self->encoding != encoding || self->rate != rate;
  if (changed && (self->context_id || self->live_in_flight > 0
          || self->utterances.length > 0)) {
    GST_OBJECT_UNLOCK (self);
    GST_WARNING_OBJECT (self, "refusing %" GST_PTR_FORMAT " in the middle of "
        "an utterance", caps);
    return FALSE;
  }
  old_rate = self->rate;
  self->encoding = encoding;
  self->sample_format = format->sample_format;
  self->bpf = format->bytes_per_sample;
  self->rate = rate;
  /* Text from the sink pad waits for this. */
  cartesia_inbox_set_ready (self->inbox, self->session != NULL);
  GST_OBJECT_UNLOCK (self);
  GST_INFO_OBJECT (self, "asking Cartesia for %s at %d Hz", encoding, rate);
  if (changed)
    gst_cartesia_tts_src_live_rebase (self, old_rate);
  return TRUE;

  /* ERRORS */
invalid:
  {
    GST_ERROR_OBJECT (self, "unsupported caps %" GST_PTR_FORMAT, caps);
    return FALSE;
  }
}

/* ---- start and stop ---- */

static gchar *
dup_api_key (GstCartesiaTtsSrc * self)
{
  gchar *key;

  GST_OBJECT_LOCK (self);
  key = g_strdup (self->api_key);
  GST_OBJECT_UNLOCK (self);
  if (key == NULL || *key == '\0') {
    g_free (key);
    key = g_strdup (g_getenv ("CARTESIA_API_KEY"));
  }
  if (key && *key == '\0')
    g_clear_pointer (&key, g_free);
  return key;
}

static CartesiaSession *
create_session (GstCartesiaTtsSrc * self, gchar * api_key)
{
  CartesiaSessionConfig config = { 0, };
  CartesiaSession *session;

  GST_OBJECT_LOCK (self);
  config.base_url = self->base_url;
  config.api_key = api_key;
  config.cartesia_version = self->cartesia_version;
  config.user_agent = self->user_agent;
  config.proxy = self->proxy;
  config.ssl_strict = self->ssl_strict;
  config.timeout = self->timeout;
  config.retries = self->retries;
  config.retry_backoff_factor = self->retry_backoff_factor;
  config.retry_backoff_max = self->retry_backoff_max;
  config.transport = self->transport;
  gst_cartesia_tts_src_net_fill_config (self, &config);
  if (self->share_connection)
    session = cartesia_session_new_shared (&config);
  else
    session = cartesia_session_new (&config);
  GST_OBJECT_UNLOCK (self);
  return session;
}

static void
reset_streaming_state (GstCartesiaTtsSrc * self)
{
  gst_cartesia_tts_src_subtitle_reset (self);
  g_clear_pointer (&self->utterance_text, g_free);
  g_clear_pointer (&self->context_id, g_free);
  self->spoke_text = FALSE;
  self->n_samples = 0;
  self->utterance_samples = 0;
  self->utterance_start = 0;
  self->next_pts = 0;
  cartesia_sample_carry_clear (&self->carry);
}

/* Before PAUSED: settings that cannot work fail the state change with one
 * clear error (GstBaseSrc would add a generic second one after a failed
 * start()). */
static gboolean
check_settings (GstCartesiaTtsSrc * self)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *base_url = NULL;
  g_autofree gchar *text = NULL;
  gchar *api_key;
  gboolean has_text, has_sink;

  GST_OBJECT_LOCK (self);
  base_url = g_strdup (self->base_url);
  /* A copy: the application may set another text (and free this one) at
   * any time once the lock is released. */
  text = g_strdup (self->text);
  has_sink = self->sink_pad != NULL;
  GST_OBJECT_UNLOCK (self);
  has_text = text && *text;

  if (!cartesia_session_check_base_url (base_url, &error))
    goto bad_base_url;
  if (!gst_base_src_is_live (GST_BASE_SRC (self)) && !has_text && !has_sink)
    goto no_text;
  api_key = dup_api_key (self);
  if (api_key == NULL)
    goto no_key;
  clear_secret (&api_key);
  return gst_cartesia_tts_src_net_prepare (self);

  /* ERRORS */
bad_base_url:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Invalid base-url: %s", error->message), (NULL));
    return FALSE;
  }
no_text:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Nothing to say: set the text property"), (NULL));
    return FALSE;
  }
no_key:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("No Cartesia API key: set the api-key property or the "
            "CARTESIA_API_KEY environment variable"), (NULL));
    return FALSE;
  }
}

static GstStateChangeReturn
gst_cartesia_tts_src_change_state (GstElement * element,
    GstStateChange transition)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (element);

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED && !check_settings (self))
    return GST_STATE_CHANGE_FAILURE;
  return GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
}

static gboolean
gst_cartesia_tts_src_start (GstBaseSrc * bsrc)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (bsrc);
  g_autofree gchar *text = NULL;
  CartesiaSession *session;
  gchar *api_key;
  gboolean has_text, has_sink, live = gst_base_src_is_live (bsrc);

  GST_OBJECT_LOCK (self);
  /* A copy: the application may set another text (and free this one) at
   * any time once the lock is released. */
  text = g_strdup (self->text);
  has_sink = self->sink_pad != NULL;
  GST_OBJECT_UNLOCK (self);
  has_text = text && *text;

  /* check_settings() passed just before. */
  api_key = dup_api_key (self);
  if (api_key == NULL)
    return FALSE;

  reset_streaming_state (self);
  gst_cartesia_tts_src_reset_stats (self);
  gst_cartesia_tts_src_check_settings (self);
  gst_cartesia_tts_src_sink_start (self);
  gst_cartesia_tts_src_sink_settings_reset (self);
  session = create_session (self, api_key);
  gst_cartesia_tts_src_live_start (self, session);
  clear_secret (&api_key);
  /* Handshake now, while the pipeline prerolls, not when the text is due. */
  cartesia_session_connect (session);

  GST_OBJECT_LOCK (self);
  self->session = session;
  self->flushing = FALSE;
  self->before_first_create = TRUE;
  GST_OBJECT_UNLOCK (self);
  gst_cartesia_tts_src_subtitle_hide (self, TRUE);
  /* Live, a text set beforehand is the first utterance (unless the text
   * comes from upstream). */
  if (live && has_text && !has_sink)
    gst_cartesia_tts_src_queue_utterance (self, text, NULL);
  return TRUE;
}

static gboolean
gst_cartesia_tts_src_stop (GstBaseSrc * bsrc)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (bsrc);
  CartesiaSession *session;

  gst_cartesia_tts_src_sink_unblock (self);
  GST_OBJECT_LOCK (self);
  session = g_steal_pointer (&self->session);
  /* Negotiated afresh next time: text from upstream waits for it. */
  self->encoding = NULL;
  GST_OBJECT_UNLOCK (self);

  if (session && self->context_id)
    cartesia_session_cancel (session, self->context_id);
  if (session)
    gst_cartesia_tts_src_keep_session_stats (self, session);
  cartesia_session_free (session);
  self->before_first_create = FALSE;
  gst_cartesia_tts_src_subtitle_hide (self, FALSE);
  gst_cartesia_tts_src_live_stop (self);
  reset_streaming_state (self);
  return TRUE;
}

static gboolean
gst_cartesia_tts_src_unlock (GstBaseSrc * bsrc)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (bsrc);

  GST_OBJECT_LOCK (self);
  self->flushing = TRUE;
  if (self->session)
    cartesia_session_set_flushing (self->session, TRUE);
  if (self->clock_id)
    gst_clock_id_unschedule (self->clock_id);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_cartesia_tts_src_unlock_stop (GstBaseSrc * bsrc)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (bsrc);

  GST_OBJECT_LOCK (self);
  self->flushing = FALSE;
  if (self->session)
    cartesia_session_set_flushing (self->session, FALSE);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

/* With a sink pad the element is a filter of text into speech: a seek
 * (from the sinks, through src) goes to upstream, which flushes the sink
 * pad, which flushes src (see the sink file). */
static gboolean
gst_cartesia_tts_src_event (GstBaseSrc * bsrc, GstEvent * event)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (bsrc);
  GstPad *pad = NULL;
  gboolean ret;

  if (GST_EVENT_TYPE (event) == GST_EVENT_SEEK) {
    GST_OBJECT_LOCK (self);
    if (self->sink_pad)
      pad = gst_object_ref (self->sink_pad);
    GST_OBJECT_UNLOCK (self);
  }
  if (pad == NULL)
    return GST_BASE_SRC_CLASS (parent_class)->event (bsrc, event);
  GST_DEBUG_OBJECT (self, "seek: to upstream");
  ret = gst_pad_push_event (pad, gst_event_ref (event));
  gst_object_unref (pad);
  return ret;
}

static gboolean
gst_cartesia_tts_src_is_seekable (GstBaseSrc * bsrc)
{
  /* Speech is generated, not stored: there is nothing to seek in. */
  return FALSE;
}

/* Live cues come at their running time plus upstream's latency: the
 * budget for their speech starts after that. */
static void
query_upstream_latency (GstCartesiaTtsSrc * self)
{
  GstPad *pad = NULL;
  GstQuery *query;
  GstClockTime min = 0;
  gboolean live = FALSE;

  GST_OBJECT_LOCK (self);
  if (self->sink_pad)
    pad = gst_object_ref (self->sink_pad);
  GST_OBJECT_UNLOCK (self);
  if (pad == NULL)
    return;
  query = gst_query_new_latency ();
  if (gst_pad_peer_query (pad, query))
    gst_query_parse_latency (query, &live, &min, NULL);
  gst_query_unref (query);
  gst_object_unref (pad);
  GST_OBJECT_LOCK (self);
  self->upstream_latency = live && GST_CLOCK_TIME_IS_VALID (min) ? min : 0;
  GST_OBJECT_UNLOCK (self);
}

static gboolean
gst_cartesia_tts_src_query (GstBaseSrc * bsrc, GstQuery * query)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (bsrc);

  if (GST_QUERY_TYPE (query) == GST_QUERY_LATENCY
      && gst_base_src_is_live (bsrc)) {
    GstClockTime latency;
    gint rate;

    /* Live: a buffer leaves once its time is over, as from a capture card.
     * The rate is the streaming thread's to change, under the lock. */
    GST_OBJECT_LOCK (self);
    rate = self->rate;
    GST_OBJECT_UNLOCK (self);
    if (rate == 0)
      return FALSE;
    query_upstream_latency (self);
    latency = gst_cartesia_tts_src_live_latency (self);
    GST_DEBUG_OBJECT (self, "latency %" GST_TIME_FORMAT,
        GST_TIME_ARGS (latency));
    gst_query_set_latency (query, TRUE, latency, GST_CLOCK_TIME_NONE);
    return TRUE;
  }
  return GST_BASE_SRC_CLASS (parent_class)->query (bsrc, query);
}

/* ---- utterances ---- */

static void
begin_utterance (GstCartesiaTtsSrc * self, const gchar * text)
{
  self->context_id = cartesia_request_new_context_id ();
  g_free (self->utterance_text);
  self->utterance_text = g_strdup (text);
  self->utterance_sent_at = g_get_monotonic_time ();
  self->request_sent = FALSE;
  self->utterance_samples = 0;
  self->utterance_start = GST_CLOCK_TIME_NONE;
  cartesia_sample_carry_init (&self->carry, self->bpf);

  GST_DEBUG_OBJECT (self, "utterance %s: %" G_GSIZE_FORMAT " bytes of text",
      self->context_id, strlen (text));
  GST_OBJECT_LOCK (self);
  gst_cartesia_tts_src_send_text_locked (self, self->context_id, text, FALSE);
  GST_OBJECT_UNLOCK (self);
}

static void
end_utterance (GstCartesiaTtsSrc * self)
{
  guint dropped = cartesia_sample_carry_clear (&self->carry);

  if (dropped)
    GST_WARNING_OBJECT (self, "the server ended utterance %s with %u bytes "
        "of an incomplete sample; dropped", self->context_id, dropped);
  g_clear_pointer (&self->context_id, g_free);
  gst_adapter_clear (self->blocks);
}

/* Non-live: the text property, once; then EOS. */
static GstFlowReturn
next_utterance (GstCartesiaTtsSrc * self)
{
  gchar *text, *raw;

  if (self->spoke_text)
    return GST_FLOW_EOS;
  GST_OBJECT_LOCK (self);
  raw = g_strdup (self->text);
  GST_OBJECT_UNLOCK (self);
  self->spoke_text = TRUE;
  text = gst_cartesia_tts_src_clean_text (self, raw, "text property");
  g_free (raw);
  if (text == NULL) {
    GST_DEBUG_OBJECT (self, "no text: end of stream");
    return GST_FLOW_EOS;
  }
  begin_utterance (self, text);
  g_free (text);
  return GST_FLOW_OK;
}

/* Turns decoded audio into a buffer of whole samples; a sample split across
 * chunks is kept until its other part arrives.  NULL when no whole sample. */
static GstBuffer *
audio_to_buffer (GstCartesiaTtsSrc * self, GBytes * audio)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (audio, &len);
  CartesiaSampleSplit split;
  GstBuffer *buf;

  cartesia_sample_carry_push (&self->carry, data, len, &split);
  if (split.head_len == 0 && split.body_len == len) {
    /* Whole samples, as nearly always: the decoded chunk is the buffer. */
    return len ? gst_buffer_new_wrapped_bytes (audio) : NULL;
  }
  if (split.head_len + split.body_len == 0)
    return NULL;
  buf = gst_buffer_new_allocate (NULL, split.head_len + split.body_len, NULL);
  gst_buffer_fill (buf, 0, split.head, split.head_len);
  gst_buffer_fill (buf, split.head_len, split.body, split.body_len);
  return buf;
}

/* Stamps @buf, the utterance's next whole samples, on the timeline. */
static void
stamp_audio (GstCartesiaTtsSrc * self, GstBuffer * buf)
{
  guint64 n = gst_buffer_get_size (buf) / self->bpf;
  GstClockTime end;

  if (!GST_CLOCK_TIME_IS_VALID (self->utterance_start)) {
    self->utterance_start = self->next_pts;
    if (!self->word_timestamps)
      gst_cartesia_tts_src_subtitle_add (self, self->utterance_start,
          GST_CLOCK_TIME_NONE, self->utterance_text);
  }
  GST_BUFFER_PTS (buf) = self->utterance_start +
      gst_util_uint64_scale_int (self->utterance_samples, GST_SECOND,
      self->rate);
  self->utterance_samples += n;
  end = self->utterance_start +
      gst_util_uint64_scale_int (self->utterance_samples, GST_SECOND,
      self->rate);
  GST_BUFFER_DURATION (buf) = end - GST_BUFFER_PTS (buf);
  GST_BUFFER_OFFSET (buf) = self->n_samples;
  self->n_samples += n;
  GST_BUFFER_OFFSET_END (buf) = self->n_samples;
  if (self->utterance_samples == n)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  self->next_pts = end;
  gst_cartesia_tts_src_subtitle_advance (self, end);
}

/* Non-live, a failed utterance is a failed stream. */
static GstFlowReturn
fail_utterance (GstCartesiaTtsSrc * self, CartesiaEvent * event)
{
  gst_cartesia_tts_src_count_failed (self);
  gst_cartesia_tts_src_post_failure (self, event, self->context_id,
      GST_MESSAGE_ERROR);
  cartesia_session_cancel (self->session, self->context_id);
  end_utterance (self);
  return GST_FLOW_ERROR;
}

static GstFlowReturn
on_timeout (GstCartesiaTtsSrc * self, guint stall_ms)
{
  /* @stall_ms: in the middle of the utterance, 0 before its audio. */
  g_autoptr (CartesiaEvent) event = cartesia_event_new_timeout (NULL,
      g_get_monotonic_time (), self->timeout, stall_ms);

  return fail_utterance (self, event);
}

static GstFlowReturn
gst_cartesia_tts_src_create (GstPushSrc * psrc, GstBuffer ** outbuf)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (psrc);
  GstFlowReturn ret;

  if (G_UNLIKELY (self->before_first_create)) {
    /* GstBaseSrc has named its stream by now. */
    GST_OBJECT_LOCK (self);
    self->before_first_create = FALSE;
    GST_OBJECT_UNLOCK (self);
    gst_cartesia_tts_src_subtitle_hide (self, FALSE);
  }

  if (gst_base_src_is_live (GST_BASE_SRC (self)))
    return gst_cartesia_tts_src_live_create (self, outbuf);
  if (self->sink_pad)
    return gst_cartesia_tts_src_timeline_create (self, outbuf);

  for (;;) {
    g_autoptr (CartesiaEvent) event = NULL;
    gint64 end_time = -1;
    CartesiaPopResult res;
    gboolean stalling;
    guint stall_ms;

    /* More blocks from a chunk already in. */
    *outbuf = gst_cartesia_tts_src_blocks_take (self, NULL, FALSE);
    if (*outbuf) {
      stamp_audio (self, *outbuf);
      return GST_FLOW_OK;
    }

    if (self->context_id == NULL) {
      ret = next_utterance (self);
      if (ret != GST_FLOW_OK)
        return ret;
    }

    /* Time the server's silence, not the connecting and retrying that the
     * session bounds itself. */
    if (self->timeout && self->request_sent)
      end_time = g_get_monotonic_time () + self->timeout * G_TIME_SPAN_SECOND;
    /* In the middle of the utterance, a stall is told sooner. */
    GST_OBJECT_LOCK (self);
    stall_ms = self->stall_timeout_ms;
    GST_OBJECT_UNLOCK (self);
    stalling = stall_ms && (self->utterance_samples > 0
        || self->carry.len > 0);
    if (stalling) {
      gint64 stall_end = g_get_monotonic_time () + (gint64) stall_ms * 1000;

      end_time = end_time < 0 ? stall_end : MIN (end_time, stall_end);
    }
    res = cartesia_session_pop (self->session, end_time, &event);
    if (res == CARTESIA_POP_FLUSHING)
      return GST_FLOW_FLUSHING;
    if (res == CARTESIA_POP_WAKEUP)
      continue;
    if (res == CARTESIA_POP_TIMEOUT) {
      ret = on_timeout (self, stalling ? stall_ms : 0);
      if (ret != GST_FLOW_OK)
        return ret;
      continue;
    }

    /* Stale output of an utterance that was already given up. */
    if (event->context_id && g_strcmp0 (event->context_id,
            self->context_id) != 0)
      continue;

    self->request_sent = TRUE;
    switch (event->type) {
      case CARTESIA_EVENT_SENT:
        break;
      case CARTESIA_EVENT_AUDIO:
        if (self->utterance_samples == 0 && self->carry.len == 0
            && gst_adapter_available (self->blocks) == 0)
          gst_cartesia_tts_src_count_started (self,
              (event->received_at - self->utterance_sent_at) * GST_USECOND);
        *outbuf = gst_cartesia_tts_src_blocks_take (self,
            audio_to_buffer (self, event->audio), FALSE);
        if (*outbuf) {
          stamp_audio (self, *outbuf);
          return GST_FLOW_OK;
        }
        break;
      case CARTESIA_EVENT_TIMESTAMPS:
        gst_cartesia_tts_src_post_words (self, event, NULL, self->context_id,
            GST_CLOCK_TIME_IS_VALID (self->utterance_start) ?
            self->utterance_start : self->next_pts);
        break;
      case CARTESIA_EVENT_PHONEMES:
        gst_cartesia_tts_src_post_phonemes (self, event, NULL,
            self->context_id, GST_CLOCK_TIME_IS_VALID (self->utterance_start)
            ? self->utterance_start : self->next_pts);
        break;
      case CARTESIA_EVENT_DONE:
        /* The last, short block. */
        *outbuf = gst_cartesia_tts_src_blocks_take (self, NULL, TRUE);
        if (*outbuf)
          stamp_audio (self, *outbuf);
        GST_DEBUG_OBJECT (self, "utterance %s done after %" G_GUINT64_FORMAT
            " samples", self->context_id, self->utterance_samples);
        if (!self->word_timestamps)
          gst_cartesia_tts_src_subtitle_add (self, self->next_pts,
              GST_CLOCK_TIME_NONE, "");
        end_utterance (self);
        if (*outbuf)
          return GST_FLOW_OK;
        break;
      case CARTESIA_EVENT_ERROR:
        ret = fail_utterance (self, event);
        if (ret != GST_FLOW_OK)
          return ret;
        break;
    }
  }
}
