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
#include "gstcartesiattssrc-props.h"

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

#define gst_cartesia_tts_src_parent_class parent_class
G_DEFINE_TYPE (GstCartesiaTtsSrc, gst_cartesia_tts_src, GST_TYPE_PUSH_SRC);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (cartesiattssrc, "cartesiattssrc",
    GST_RANK_NONE, GST_TYPE_CARTESIA_TTS_SRC,
    GST_DEBUG_CATEGORY_INIT (gst_cartesia_tts_src_debug, "cartesiattssrc", 0,
        "Cartesia text-to-speech source"));

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

  gst_cartesia_tts_src_install_properties (gobject_class);

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
}

static void
gst_cartesia_tts_src_init (GstCartesiaTtsSrc * self)
{
  gst_cartesia_tts_src_init_properties (self);
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
gst_cartesia_tts_src_finalize (GObject * object)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (object);

  gst_cartesia_tts_src_clear_properties (self);
  gst_cartesia_tts_src_net_finalize (self);
  g_free (self->context_id);
  g_free (self->utterance_text);
  gst_cartesia_tts_src_subtitle_finalize (self);
  gst_cartesia_tts_src_sink_finalize (self);
  g_clear_object (&self->blocks);
  gst_cartesia_tts_src_sink_settings_reset (self);

  G_OBJECT_CLASS (parent_class)->finalize (object);
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
          || (self->scheduler
              && cartesia_scheduler_length (self->scheduler) > 0))) {
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
  gst_cartesia_tts_src_oneshot_reset (self);
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
  api_key = gst_cartesia_tts_src_dup_api_key (self);
  if (api_key == NULL)
    goto no_key;
  gst_cartesia_tts_src_clear_secret (&api_key);
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
  api_key = gst_cartesia_tts_src_dup_api_key (self);
  if (api_key == NULL)
    return FALSE;

  reset_streaming_state (self);
  gst_cartesia_tts_src_reset_stats (self);
  gst_cartesia_tts_src_check_settings (self);
  gst_cartesia_tts_src_sink_start (self);
  gst_cartesia_tts_src_sink_settings_reset (self);
  session = create_session (self, api_key);
  gst_cartesia_tts_src_live_start (self, session);
  gst_cartesia_tts_src_clear_secret (&api_key);
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

  if (session) {
    gst_cartesia_tts_src_oneshot_stop (self, session);
    gst_cartesia_tts_src_keep_session_stats (self, session);
  }
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

static GstFlowReturn
gst_cartesia_tts_src_create (GstPushSrc * psrc, GstBuffer ** outbuf)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (psrc);

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
  return gst_cartesia_tts_src_oneshot_create (self, outbuf);
}
