/* GStreamer Cartesia text-to-speech source: the text property, non-live
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/* Non-live, text from the property: one utterance, its audio pushed chunk
 * by chunk as it arrives (or in blocks, gstcartesiattssrc-blocks.c), with
 * timestamps from 0, then EOS.  The streaming thread's alone: every field
 * it uses but the settings is touched by no other thread. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc-private.h"

#include <string.h>

#define GST_CAT_DEFAULT gst_cartesia_tts_src_debug

void
gst_cartesia_tts_src_oneshot_reset (GstCartesiaTtsSrc * self)
{
  g_clear_pointer (&self->utterance_text, g_free);
  g_clear_pointer (&self->context_id, g_free);
  self->spoke_text = FALSE;
  self->n_samples = 0;
  self->utterance_samples = 0;
  self->utterance_start = 0;
  self->next_pts = 0;
  cartesia_sample_carry_clear (&self->carry);
}

void
gst_cartesia_tts_src_oneshot_stop (GstCartesiaTtsSrc * self,
    CartesiaSession * session)
{
  if (self->context_id)
    cartesia_session_cancel (session, self->context_id);
}


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
fail_text_utterance (GstCartesiaTtsSrc * self, CartesiaEvent * event)
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

  return fail_text_utterance (self, event);
}

GstFlowReturn
gst_cartesia_tts_src_oneshot_create (GstCartesiaTtsSrc * self,
    GstBuffer ** outbuf)
{
  GstFlowReturn ret;

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
        ret = fail_text_utterance (self, event);
        if (ret != GST_FLOW_OK)
          return ret;
        break;
    }
  }
}
