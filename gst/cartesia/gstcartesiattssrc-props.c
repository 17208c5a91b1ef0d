/* GStreamer Cartesia text-to-speech source: its properties and action signals
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/* What gst-inspect-1.0 shows of the element: its properties with their
 * defaults, ranges and enum types, and its action signals.  Their values
 * live in gstcartesiattssrc-props-access.c. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc-props.h"

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

#define STRING_PROP(name, nick, blurb, def) \
  g_param_spec_string (name, nick, blurb, def, \
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY)
/* A voice setting: changeable while playing, for the next utterance. */
#define SETTING_PROP(name, nick, blurb, def) \
  g_param_spec_string (name, nick, blurb, def, \
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)

void
gst_cartesia_tts_src_install_properties (GObjectClass * gobject_class)
{
  gpointer klass = gobject_class;

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

  gst_type_mark_as_plugin_api (GST_TYPE_CARTESIA_TRANSPORT, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_CARTESIA_TEXT_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_CARTESIA_INPUT_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_CARTESIA_OVERFLOW, 0);
}

void
gst_cartesia_tts_src_init_properties (GstCartesiaTtsSrc * self)
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
}
