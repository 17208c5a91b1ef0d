/* GStreamer Cartesia text-to-speech source: streamed text from the sink pad
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/* Streamed text (an LLM's tokens): the text continues the open utterance,
 * one websocket context, so that speech starts before the sentence is
 * complete.  Tokens are gathered into clauses (cartesia-aggregator.c), each
 * sent with max_buffer_delay_ms 0 unless max-buffer-delay-ms says
 * otherwise, tags never cut.  The utterance ends at EOS, at the custom
 * downstream event "cartesia-utterance-end", or when no text came for a
 * while: before the server's context can expire (1 s after its last
 * audio), so that text after a pause goes to a new context.  Over SSE,
 * which has no continuations, each complete sentence is its own request.
 *
 * The sink pad's thread appends and closes (gstcartesiattssrc-sink.c); the
 * streaming thread ends text that stopped coming, and says what the server
 * heard or refused (gstcartesiattssrc-live.c).  All of it under the object
 * lock; a wait for room lets it go (gstcartesiattssrc-inbox.c).  Whether
 * a context continues is the session's to say, never the transport
 * property's. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc-private.h"

#define GST_CAT_DEFAULT gst_cartesia_tts_src_debug

/* Streamed text ends after this long without more, when
 * max-buffer-delay-ms does not say less.  Cartesia's context expires 1 s
 * after its last audio went out, and that audio went out after the last
 * input was sent: ending 700 ms after it leaves the message 300 ms to
 * arrive, so that no input goes to an expired context. */
#define STREAM_END_MS 700

/* Over SSE, a partial sentence goes after this long without text. */
#define SSE_IDLE_MS 3000

/* The first input of a streamed utterance waits for this many words (a
 * word or two alone shifts the accent), or for the text to pause this
 * long. */
#define FIRST_WORDS 4
#define PAUSE_MS 400

/* Object lock held: no streamed text, none open. */
void
gst_cartesia_tts_src_stream_reset_locked (GstCartesiaTtsSrc * self)
{
  g_clear_pointer (&self->stream_context_id, g_free);
  if (self->stream_sentence)
    g_string_truncate (self->stream_sentence, 0);
  if (self->stream_agg)
    cartesia_aggregator_reset (self->stream_agg);
  g_clear_pointer (&self->stream_sent_id, g_free);
  g_queue_clear_full (&self->stream_unheard, g_free);
  g_queue_clear_full (&self->stream_unheard_at, g_free);
}

void
gst_cartesia_tts_src_stream_finalize (GstCartesiaTtsSrc * self)
{
  g_free (self->stream_context_id);
  if (self->stream_sentence)
    g_string_free (self->stream_sentence, TRUE);
  cartesia_aggregator_free (self->stream_agg);
  g_free (self->stream_sent_id);
  g_queue_clear_full (&self->stream_unheard, g_free);
  g_queue_clear_full (&self->stream_unheard_at, g_free);
}

/* Object lock held: how long streamed text waits for more before its
 * utterance ends. */
static gint64
idle_span (GstCartesiaTtsSrc * self)
{
  gint ms;

  if (self->session && !cartesia_session_continues_contexts (self->session))
    ms = self->max_buffer_delay_ms > 0 ? self->max_buffer_delay_ms :
        SSE_IDLE_MS;
  else
    ms = self->max_buffer_delay_ms > 0 ?
        MIN (self->max_buffer_delay_ms, STREAM_END_MS) : STREAM_END_MS;
  return (gint64) ms * G_TIME_SPAN_MILLISECOND;
}

/* Object lock held. */
static GstFlowReturn
queue_untimed_locked (GstCartesiaTtsSrc * self, const gchar * text,
    gboolean open, gboolean wait)
{
  GstCartesiaUtteranceTiming timing = { GST_CLOCK_TIME_NONE,
    GST_CLOCK_TIME_NONE, GST_CARTESIA_OVERFLOW_SHIFT
  };
  g_autofree gchar *id = NULL;
  GstFlowReturn ret;

  ret = gst_cartesia_tts_src_wait_for_room_locked (self, wait);
  if (ret != GST_FLOW_OK)
    return ret;
  id = g_strdup_printf ("text-%u", ++self->next_cue);
  gst_cartesia_tts_src_queue_sink_utterance_locked (self, text, id, &timing,
      open);
  return GST_FLOW_OK;
}

/* Over SSE: every complete sentence is a request of its own.  Each is
 * taken out and queued under one hold of the lock, so sentences queued by
 * the pad's thread and by an idle end keep their order. */
static GstFlowReturn
queue_sentences (GstCartesiaTtsSrc * self, gboolean all, gboolean wait)
{
  GstFlowReturn ret = GST_FLOW_OK;

  GST_OBJECT_LOCK (self);
  while (ret == GST_FLOW_OK) {
    g_autofree gchar *sentence = NULL;
    gsize end;

    if (self->stream_sentence == NULL)
      self->stream_sentence = g_string_new (NULL);
    end = cartesia_text_sentence_end (self->stream_sentence->str);
    if (end == 0 && all)
      end = self->stream_sentence->len;
    if (end == 0)
      break;
    sentence = g_strndup (self->stream_sentence->str, end);
    if (!cartesia_text_is_blank (sentence)) {
      ret = gst_cartesia_tts_src_wait_for_room_locked (self, wait);
      if (ret != GST_FLOW_OK)
        break;
      /* Taken after the wait: an idle end may have taken it meanwhile. */
      end = MIN (end, self->stream_sentence->len);
      g_free (sentence);
      sentence = g_strndup (self->stream_sentence->str, end);
      if (!cartesia_text_is_blank (sentence))
        ret = queue_untimed_locked (self, sentence, FALSE, FALSE);
    }
    g_string_erase (self->stream_sentence, 0, end);
  }
  GST_OBJECT_UNLOCK (self);
  return ret;
}

/* Object lock held: the aggregator of streamed text.  With the server's
 * buffer off (the default, or max-buffer-delay-ms 0) it gathers clauses;
 * otherwise the server gathers, and it only keeps tags whole. */
static CartesiaAggregator *
stream_aggregator (GstCartesiaTtsSrc * self)
{
  if (self->stream_agg == NULL)
    self->stream_agg = cartesia_aggregator_new (self->max_buffer_delay_ms <= 0,
        FIRST_WORDS, PAUSE_MS * G_TIME_SPAN_MILLISECOND);
  return self->stream_agg;
}

/* Object lock held: @text went to context @context_id at @now; kept until
 * audio comes after it, in case the server refuses it. */
static void
remember_sent (GstCartesiaTtsSrc * self, const gchar * context_id,
    const gchar * text, gint64 now)
{
  gint64 *at = g_new (gint64, 1);

  if (g_strcmp0 (self->stream_sent_id, context_id) != 0) {
    g_free (self->stream_sent_id);
    self->stream_sent_id = g_strdup (context_id);
    g_queue_clear_full (&self->stream_unheard, g_free);
    g_queue_clear_full (&self->stream_unheard_at, g_free);
  }
  *at = now;
  g_queue_push_tail (&self->stream_unheard, g_strdup (text));
  g_queue_push_tail (&self->stream_unheard_at, at);
  self->stream_last_send = now;
}

/* Object lock held: @text goes to the open streamed utterance, or opens
 * one.  Cartesia joins inputs verbatim: the aggregator kept the spaces. */
static GstFlowReturn
send_stream_locked (GstCartesiaTtsSrc * self, const gchar * text,
    gboolean wait)
{
  gint64 now = g_get_monotonic_time ();
  GstFlowReturn ret;

  if (self->session == NULL || cartesia_inbox_is_flushing (self->inbox))
    return GST_FLOW_FLUSHING;
  if (self->stream_context_id) {
    /* A huge piece goes as several inputs. */
    gst_cartesia_tts_src_send_text_locked (self, self->stream_context_id,
        text, TRUE);
    remember_sent (self, self->stream_context_id, text, now);
    return GST_FLOW_OK;
  }
  if (cartesia_text_is_blank (text))
    return GST_FLOW_OK;         /* between utterances */
  ret = queue_untimed_locked (self, text, TRUE, wait);
  if (ret == GST_FLOW_OK && self->stream_context_id)
    remember_sent (self, self->stream_context_id, text, now);
  return ret;
}

GstFlowReturn
gst_cartesia_tts_src_stream_append (GstCartesiaTtsSrc * self,
    const gchar * text)
{
  g_autofree gchar *piece = NULL;
  GstFlowReturn ret = GST_FLOW_OK;
  gint64 now = g_get_monotonic_time ();

  if (*text == '\0')
    return GST_FLOW_OK;

  GST_OBJECT_LOCK (self);
  self->stream_last_text = now;
  if (self->session == NULL || cartesia_inbox_is_flushing (self->inbox)) {
    GST_OBJECT_UNLOCK (self);
    return GST_FLOW_FLUSHING;
  }
  /* Without continued contexts (SSE), every sentence is a request. */
  if (!cartesia_session_continues_contexts (self->session)) {
    if (self->stream_sentence == NULL)
      self->stream_sentence = g_string_new (NULL);
    g_string_append (self->stream_sentence, text);
    GST_OBJECT_UNLOCK (self);
    return queue_sentences (self, FALSE, TRUE);
  }
  piece = cartesia_aggregator_push (stream_aggregator (self), text, now);
  if (piece)
    ret = send_stream_locked (self, piece, TRUE);
  /* The streaming thread sends what a pause leaves held. */
  gst_cartesia_tts_src_wake_locked (self);
  GST_OBJECT_UNLOCK (self);
  return ret;
}

void
gst_cartesia_tts_src_stream_close (GstCartesiaTtsSrc * self, gboolean wait)
{
  g_autofree gchar *rest = NULL;
  gchar *context_id;

  GST_OBJECT_LOCK (self);
  if (self->stream_agg)
    rest = cartesia_aggregator_finish (self->stream_agg);
  if (rest && self->stream_context_id == NULL
      && !cartesia_text_is_blank (rest)) {
    /* All of it in one input: a closed utterance of its own. */
    if (queue_untimed_locked (self, rest, FALSE, wait) == GST_FLOW_OK)
      self->stream_last_send = g_get_monotonic_time ();
    g_clear_pointer (&rest, g_free);
  }
  context_id = g_steal_pointer (&self->stream_context_id);
  if (context_id && self->session) {
    GST_DEBUG_OBJECT (self, "end of streamed text for %s", context_id);
    if (rest) {
      gst_cartesia_tts_src_send_text_locked (self, context_id, rest, TRUE);
      remember_sent (self, context_id, rest, g_get_monotonic_time ());
    }
    gst_cartesia_tts_src_send_input (self, context_id, "", FALSE);
  }
  GST_OBJECT_UNLOCK (self);
  g_free (context_id);
  queue_sentences (self, TRUE, wait);
}

gint64
gst_cartesia_tts_src_sink_check_idle (GstCartesiaTtsSrc * self)
{
  gint64 now = g_get_monotonic_time (), deadline, held, last_text;
  g_autofree gchar *piece = NULL;
  gboolean open;

  GST_OBJECT_LOCK (self);
  /* Text held for its clause goes once the input paused. */
  if (self->stream_agg) {
    piece = cartesia_aggregator_poll (self->stream_agg, now);
    if (piece)
      send_stream_locked (self, piece, FALSE);
  }
  open = self->stream_context_id != NULL || (self->stream_sentence
      && self->stream_sentence->len > 0) || (self->stream_agg
      && !cartesia_aggregator_is_empty (self->stream_agg));
  last_text = self->stream_last_text;
  deadline = MAX (last_text, self->stream_last_send) + idle_span (self);
  held = self->stream_agg ?
      cartesia_aggregator_deadline (self->stream_agg) : -1;
  GST_OBJECT_UNLOCK (self);
  if (!open)
    return -1;
  if (held >= 0 && held < deadline)
    deadline = held;
  if (now < deadline)
    return deadline;
  GST_DEBUG_OBJECT (self, "no more text for %" G_GINT64_FORMAT " ms: the "
      "utterance ends", (now - last_text) / 1000);
  /* The streaming thread never waits for room: it is what makes room. */
  gst_cartesia_tts_src_stream_close (self, FALSE);
  return -1;
}

void
gst_cartesia_tts_src_sink_stream_heard (GstCartesiaTtsSrc * self,
    const gchar * context_id, gint64 received_at)
{
  GST_OBJECT_LOCK (self);
  /* What went before this audio came is the server's: it spoke or will
   * speak it (inputs of a context are answered in order). */
  if (g_strcmp0 (context_id, self->stream_sent_id) == 0) {
    while (self->stream_unheard_at.length > 0
        && *(gint64 *) g_queue_peek_head (&self->stream_unheard_at) <
        received_at) {
      g_free (g_queue_pop_head (&self->stream_unheard_at));
      g_free (g_queue_pop_head (&self->stream_unheard));
    }
  }
  GST_OBJECT_UNLOCK (self);
}

gboolean
gst_cartesia_tts_src_sink_stream_lost (GstCartesiaTtsSrc * self,
    const gchar * context_id, const gchar * reason)
{
  /* Taken before the text is sent again: audio that comes after this is
   * an answer to it.  Taken after, it missed the first audio of a server
   * that answered while this thread was preempted, and the text, spoken
   * already, went again with the next refused continuation. */
  gint64 now = g_get_monotonic_time ();
  GString *text;
  gboolean open;
  gchar *piece;

  GST_OBJECT_LOCK (self);
  if (g_strcmp0 (context_id, self->stream_sent_id) != 0) {
    GST_OBJECT_UNLOCK (self);
    return FALSE;
  }
  text = g_string_new (NULL);
  while ((piece = g_queue_pop_head (&self->stream_unheard))) {
    g_string_append (text, piece);
    g_free (piece);
  }
  g_queue_clear_full (&self->stream_unheard_at, g_free);
  open = g_strcmp0 (self->stream_context_id, context_id) == 0;
  GST_INFO_OBJECT (self, "streamed context %s refused more text (%s): "
      "%" G_GSIZE_FORMAT " bytes go to a new context", context_id, reason,
      text->len);
  if (open)
    g_clear_pointer (&self->stream_context_id, g_free);
  if (!cartesia_text_is_blank (text->str)) {
    gchar *now_open;

    /* The streaming thread never waits for room: it is what makes room. */
    queue_untimed_locked (self, text->str, open, FALSE);
    now_open = open ? self->stream_context_id : NULL;
    if (now_open)
      remember_sent (self, now_open, text->str, now);
  }
  g_string_free (text, TRUE);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}
