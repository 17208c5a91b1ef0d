/* GStreamer Cartesia text-to-speech source: what it tells the application
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/* The one place that turns what happened to an utterance into what the
 * application sees: element messages (words, phonemes, lifecycle), errors
 * and warnings with their details, the texts of the errors the element
 * makes itself, and the statistics of the `stats` property.  It calls
 * nothing of the element but the subtitle pad (a word is a caption too);
 * the files that decide what happened call it. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc-private.h"

#include <string.h>

#define GST_CAT_DEFAULT gst_cartesia_tts_src_debug

/* ---- element messages ---- */

void
gst_cartesia_tts_src_post_element_message (GstCartesiaTtsSrc * self,
    GstStructure * s)
{
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

/* An utterance's life, live (and the sink pad's, non-live): queued, then
 * started and finished, or failed. */
void
gst_cartesia_tts_src_post_queued (GstCartesiaTtsSrc * self, const gchar * id,
    const gchar * text)
{
  gst_cartesia_tts_src_post_element_message (self,
      gst_structure_new ("cartesia-utterance-queued",
          "id", G_TYPE_STRING, id, "text", G_TYPE_STRING, text, NULL));
}

void
gst_cartesia_tts_src_post_failed (GstCartesiaTtsSrc * self, const gchar * id,
    const gchar * reason)
{
  gst_cartesia_tts_src_post_element_message (self,
      gst_structure_new ("cartesia-utterance-failed",
          "id", G_TYPE_STRING, id, "reason", G_TYPE_STRING, reason, NULL));
}

void
gst_cartesia_tts_src_post_word (GstCartesiaTtsSrc * self, const gchar * word,
    const gchar * id, const gchar * context_id, GstClockTime base,
    gdouble start_s, gdouble end_s)
{
  GstClockTime start = base + (GstClockTime) (start_s * GST_SECOND);
  GstClockTime end = base + (GstClockTime) (end_s * GST_SECOND);
  GstClockTime duration = end > start ? end - start : 0;
  /* Sonic's inline tags are instructions, never words. */
  g_autofree gchar *bare = cartesia_text_strip_tags (word);
  GstStructure *s;

  if (*bare == '\0' && *word != '\0')
    return;
  s = gst_structure_new ("cartesia-word", "word", G_TYPE_STRING, bare,
      "context-id", G_TYPE_STRING, context_id,
      "timestamp", G_TYPE_UINT64, start,
      "duration", G_TYPE_UINT64, duration, NULL);

  if (id)
    gst_structure_set (s, "id", G_TYPE_STRING, id, NULL);
  gst_cartesia_tts_src_post_element_message (self, s);
  gst_cartesia_tts_src_subtitle_add (self, start, duration, bare);
}

void
gst_cartesia_tts_src_post_words (GstCartesiaTtsSrc * self,
    CartesiaEvent * event, const gchar * id, const gchar * context_id,
    GstClockTime base)
{
  guint i;

  for (i = 0; i < event->n_words; i++)
    gst_cartesia_tts_src_post_word (self, event->words[i], id, context_id,
        base, event->word_start[i], event->word_end[i]);
}

void
gst_cartesia_tts_src_post_phonemes (GstCartesiaTtsSrc * self,
    CartesiaEvent * event, const gchar * id, const gchar * context_id,
    GstClockTime base)
{
  guint i;

  for (i = 0; i < event->n_words; i++) {
    /* Rounded: 0.22 s is 219999999.99 ns as a double. */
    GstClockTime start = base + (GstClockTime) (event->word_start[i] *
        GST_SECOND + 0.5);
    GstClockTime end = base + (GstClockTime) (event->word_end[i] *
        GST_SECOND + 0.5);
    GstStructure *s = gst_structure_new ("cartesia-phoneme",
        "phoneme", G_TYPE_STRING, event->words[i],
        "context-id", G_TYPE_STRING, context_id,
        "start", G_TYPE_UINT64, start,
        "end", G_TYPE_UINT64, MAX (start, end), NULL);

    if (id)
      gst_structure_set (s, "id", G_TYPE_STRING, id, NULL);
    gst_cartesia_tts_src_post_element_message (self, s);
  }
}

/* ---- an utterance's life (live mode and the timeline) ---- */

void
gst_cartesia_tts_src_post_utterance_word (GstCartesiaTtsSrc * self,
    const CartesiaUtterance * u, const CartesiaWord * w, gboolean phoneme)
{
  gchar *words[2] = { w->word, NULL };
  gdouble start = w->start, end = w->end;
  CartesiaEvent one = {.n_words = 1,.words = words,
    .word_start = &start,.word_end = &end
  };

  if (phoneme)
    gst_cartesia_tts_src_post_phonemes (self, &one, u->id, u->context_id,
        u->started_rt);
  else
    gst_cartesia_tts_src_post_word (self, w->word, u->id, u->context_id,
        u->started_rt, w->start, w->end);
}

void
gst_cartesia_tts_src_post_utterance_started (GstCartesiaTtsSrc * self,
    const CartesiaUtterance * u, GstClockTime at)
{
  GstClockTime ttfa = cartesia_utterance_ttfa (u);
  gboolean word_timestamps;
  guint i;

  gst_cartesia_tts_src_count_started (self, ttfa);
  gst_cartesia_tts_src_post_element_message (self,
      gst_structure_new ("cartesia-utterance-started",
          "id", G_TYPE_STRING, u->id,
          "running-time", G_TYPE_UINT64, at,
          "time-to-first-audio", G_TYPE_UINT64, ttfa, NULL));
  GST_OBJECT_LOCK (self);
  word_timestamps = self->word_timestamps;
  GST_OBJECT_UNLOCK (self);
  if (!word_timestamps)
    gst_cartesia_tts_src_subtitle_add (self, at, GST_CLOCK_TIME_NONE,
        u->text);
  for (i = 0; i < u->words->len; i++)
    gst_cartesia_tts_src_post_utterance_word (self, u,
        &g_array_index (u->words, CartesiaWord, i), FALSE);
  for (i = 0; i < u->phonemes->len; i++)
    gst_cartesia_tts_src_post_utterance_word (self, u,
        &g_array_index (u->phonemes, CartesiaWord, i), TRUE);
}

void
gst_cartesia_tts_src_post_utterance_finished (GstCartesiaTtsSrc * self,
    const CartesiaUtterance * u, GstClockTime end, guint64 samples,
    guint64 underrun, gboolean interrupted)
{
  gst_cartesia_tts_src_post_element_message (self,
      gst_structure_new ("cartesia-utterance-finished",
          "id", G_TYPE_STRING, u->id,
          "running-time", G_TYPE_UINT64, end,
          "duration", G_TYPE_UINT64,
          gst_util_uint64_scale_int (samples, GST_SECOND, self->rate),
          "time-to-first-audio", G_TYPE_UINT64, cartesia_utterance_ttfa (u),
          "underrun-duration", G_TYPE_UINT64,
          gst_util_uint64_scale_int (underrun, GST_SECOND, self->rate),
          "interrupted", G_TYPE_BOOLEAN, interrupted, NULL));
}

/* The anchors' per-cue message (gst-plugins-rs synthesizers), with more. */
void
gst_cartesia_tts_src_post_cue_finished (GstCartesiaTtsSrc * self,
    const CartesiaUtterance * u, gboolean clipped)
{
  gst_cartesia_tts_src_post_element_message (self,
      gst_structure_new ("cartesia-cue-finished",
          "id", G_TYPE_STRING, u->id,
          "text", G_TYPE_STRING, u->text,
          "pts", G_TYPE_UINT64, u->cue_pts,
          "running-time", G_TYPE_UINT64, u->start_rt,
          "duration", G_TYPE_UINT64, GST_CLOCK_TIME_IS_VALID (u->end_rt) ?
          u->end_rt - u->start_rt : GST_CLOCK_TIME_NONE,
          "speech-duration", G_TYPE_UINT64,
          gst_util_uint64_scale_int (u->speech_bytes / self->bpf, GST_SECOND,
              self->rate),
          "speed", G_TYPE_DOUBLE, u->settings->speed_set ?
          u->settings->speed : 1.0,
          "clipped", G_TYPE_BOOLEAN, clipped, NULL));
}

/* ---- errors ---- */

void
gst_cartesia_tts_src_post_failure (GstCartesiaTtsSrc * self,
    CartesiaEvent * event, const gchar * context_id, GstMessageType type)
{
  GQuark domain = GST_RESOURCE_ERROR;
  gint code;
  GstStructure *details = gst_structure_new_empty ("details");

  switch (event->error_kind) {
    case CARTESIA_ERROR_SETTINGS:
      code = GST_RESOURCE_ERROR_SETTINGS;
      break;
    case CARTESIA_ERROR_NOT_AUTHORIZED:
      code = GST_RESOURCE_ERROR_NOT_AUTHORIZED;
      break;
    case CARTESIA_ERROR_NOT_FOUND:
      code = GST_RESOURCE_ERROR_NOT_FOUND;
      break;
    case CARTESIA_ERROR_OPEN:
      code = GST_RESOURCE_ERROR_OPEN_READ;
      break;
    case CARTESIA_ERROR_DECODE:
      domain = GST_STREAM_ERROR;
      code = GST_STREAM_ERROR_DECODE;
      break;
    case CARTESIA_ERROR_READ:
    default:
      code = GST_RESOURCE_ERROR_READ;
      break;
  }
  if (event->http_status)
    gst_structure_set (details, "http-status-code", G_TYPE_UINT,
        event->http_status, NULL);
  if (event->tls_errors)
    gst_structure_set (details, "tls-errors", G_TYPE_TLS_CERTIFICATE_FLAGS,
        (GTlsCertificateFlags) event->tls_errors, NULL);
  if (context_id)
    gst_structure_set (details, "context-id", G_TYPE_STRING, context_id, NULL);
  /* What Cartesia's support asks for; it identifies a request, not a key. */
  if (event->request_id)
    gst_structure_set (details, "request-id", G_TYPE_STRING,
        event->request_id, NULL);

  gst_element_message_full_with_details (GST_ELEMENT (self), type, domain,
      code, g_strdup (event->error_text), g_strdup (event->error_debug),
      __FILE__, GST_FUNCTION, __LINE__, details);
}

void
gst_cartesia_tts_src_error_wrong_segment (GstCartesiaTtsSrc * self,
    GstFormat format)
{
  GST_ELEMENT_ERROR (self, STREAM, FORMAT,
      ("Timed text needs a TIME segment, not %s",
          gst_format_get_name (format)),
      ("set input-mode=stream for text without timing"));
}

/* ---- statistics (the stats property) ---- */

void
gst_cartesia_tts_src_count_started (GstCartesiaTtsSrc * self,
    GstClockTime ttfa)
{
  GST_OBJECT_LOCK (self);
  self->stat_utterances++;
  if (GST_CLOCK_TIME_IS_VALID (ttfa)) {
    self->stat_last_ttfa = ttfa;
    self->stat_ttfa_sum += ttfa;
    self->stat_ttfa_count++;
  }
  GST_OBJECT_UNLOCK (self);
}

void
gst_cartesia_tts_src_count_failed (GstCartesiaTtsSrc * self)
{
  GST_OBJECT_LOCK (self);
  self->stat_failed++;
  GST_OBJECT_UNLOCK (self);
}

void
gst_cartesia_tts_src_count_interrupted (GstCartesiaTtsSrc * self)
{
  GST_OBJECT_LOCK (self);
  self->stat_interrupted++;
  GST_OBJECT_UNLOCK (self);
}

void
gst_cartesia_tts_src_count_underrun (GstCartesiaTtsSrc * self,
    GstClockTime duration)
{
  GST_OBJECT_LOCK (self);
  self->stat_underrun += duration;
  GST_OBJECT_UNLOCK (self);
}

void
gst_cartesia_tts_src_reset_stats (GstCartesiaTtsSrc * self)
{
  GST_OBJECT_LOCK (self);
  self->stat_utterances = self->stat_failed = self->stat_interrupted = 0;
  self->stat_last_ttfa = GST_CLOCK_TIME_NONE;
  self->stat_ttfa_sum = self->stat_underrun = 0;
  self->stat_ttfa_count = 0;
  memset (&self->stat_session, 0, sizeof (self->stat_session));
  GST_OBJECT_UNLOCK (self);
}

void
gst_cartesia_tts_src_keep_session_stats (GstCartesiaTtsSrc * self,
    CartesiaSession * session)
{
  CartesiaSessionStats last;

  cartesia_session_get_stats (session, &last);
  GST_OBJECT_LOCK (self);
  self->stat_session = last;
  GST_OBJECT_UNLOCK (self);
}

GstStructure *
gst_cartesia_tts_src_create_stats (GstCartesiaTtsSrc * self)
{
  CartesiaSessionStats session;
  GstStructure *s;

  GST_OBJECT_LOCK (self);
  session = self->stat_session;
  if (self->session)
    cartesia_session_get_stats (self->session, &session);
  s = gst_structure_new ("cartesia-stats",
      "utterances", G_TYPE_UINT, self->stat_utterances,
      "utterances-failed", G_TYPE_UINT, self->stat_failed,
      "utterances-interrupted", G_TYPE_UINT, self->stat_interrupted,
      "bytes-received", G_TYPE_UINT64, session.audio_bytes,
      "connections", G_TYPE_UINT, session.connections,
      "reconnects", G_TYPE_UINT, session.connections > 1 ?
      session.connections - 1 : 0,
      "retries", G_TYPE_UINT, session.retries,
      "time-to-first-audio", G_TYPE_UINT64, self->stat_last_ttfa,
      "time-to-first-audio-mean", G_TYPE_UINT64, self->stat_ttfa_count ?
      self->stat_ttfa_sum / self->stat_ttfa_count : GST_CLOCK_TIME_NONE,
      "underrun-duration", G_TYPE_UINT64, self->stat_underrun, NULL);
  GST_OBJECT_UNLOCK (self);
  return s;
}
