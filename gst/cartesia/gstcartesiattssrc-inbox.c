/* GStreamer Cartesia text-to-speech source: the inbox's producers
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/* The application queues, interrupts and clears utterances from any thread
 * (the action signals); the sink pad's thread queues the utterances of its
 * text and its flushes.  Each is an op in the inbox (cartesia-inbox.c),
 * which the streaming thread takes at its next buffer
 * (gstcartesiattssrc-live.c).  An utterance is requested from the thread
 * that queues it when it can be (a format is negotiated and there is room
 * among the requests in flight), so that no request waits for the
 * streaming thread; the request is sent and its op pushed under one hold
 * of the object lock. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc-private.h"

#define GST_CAT_DEFAULT gst_cartesia_tts_src_debug

/* ---- requests from the application (any thread) ---- */

/* Any thread, object lock held: something for the streaming thread (an
 * idle non-live timeline waits in the session).  stop() takes the session
 * under the lock, so it cannot go away meanwhile. */
void
gst_cartesia_tts_src_wake_locked (GstCartesiaTtsSrc * self)
{
  if (self->session)
    cartesia_session_wakeup (self->session);
}

static void
wake (GstCartesiaTtsSrc * self)
{
  GST_OBJECT_LOCK (self);
  gst_cartesia_tts_src_wake_locked (self);
  GST_OBJECT_UNLOCK (self);
}

void
gst_cartesia_tts_src_queue_utterance (GstCartesiaTtsSrc * self,
    const gchar * raw_text, const gchar * raw_id)
{
  gst_cartesia_tts_src_queue_utterance_with (self, raw_text, raw_id, NULL);
}

void
gst_cartesia_tts_src_queue_utterance_full (GstCartesiaTtsSrc * self,
    const gchar * text, const gchar * id, const GstStructure * overrides)
{
  g_autofree gchar *problems = NULL;
  CartesiaSettings *settings;

  GST_OBJECT_LOCK (self);
  settings = gst_cartesia_tts_src_dup_settings_locked (self);
  GST_OBJECT_UNLOCK (self);
  if (overrides && !cartesia_settings_apply (settings, overrides, &problems))
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("Ignored settings of utterance \"%s\": %s", id ? id : "(no id)",
            problems), (NULL));
  gst_cartesia_tts_src_queue_utterance_with (self, text, id, settings);
}

void
gst_cartesia_tts_src_queue_utterance_with (GstCartesiaTtsSrc * self,
    const gchar * raw_text, const gchar * raw_id, CartesiaSettings * settings)
{
  g_autoptr (CartesiaSettings) own = settings;
  g_autofree gchar *text = NULL;
  g_autofree gchar *id = NULL;
  gboolean full = FALSE;
  guint max_queued = 0;
  CartesiaInboxOp *op;

  if (!gst_base_src_is_live (GST_BASE_SRC (self))) {
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("Utterances are queued in live mode only (is-live=true): this one "
            "is not spoken"), (NULL));
    return;
  }
  text = gst_cartesia_tts_src_clean_text (self, raw_text, "utterance text");
  if (text == NULL) {
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("An utterance with no text was queued: nothing to say"), (NULL));
    return;
  }
  if (raw_id && *raw_id)
    id = gst_cartesia_tts_src_clean_text (self, raw_id, "utterance id");

  GST_OBJECT_LOCK (self);
  if (id == NULL)
    id = g_strdup_printf ("utterance-%u", ++self->next_auto_id);
  if (self->text_mode != GST_CARTESIA_TEXT_MODE_INTERRUPT
      && self->max_queued > 0 && self->live_queued >= self->max_queued) {
    full = TRUE;
    max_queued = self->max_queued;
  } else {
    /* The place is taken in the hold that checked for it: two threads
     * queuing at once cannot both take the last one. */
    self->live_queued++;
  }
  GST_OBJECT_UNLOCK (self);
  if (full)
    goto queue_full;

  /* Before the streaming thread can see it: "queued" comes first. */
  gst_cartesia_tts_src_post_queued (self, id, text);

  op = cartesia_inbox_op_new (CARTESIA_INBOX_OP_QUEUE, text, id);
  GST_OBJECT_LOCK (self);
  /* The settings as they are now: later changes are for later utterances. */
  op->settings = own ? g_steal_pointer (&own) :
      gst_cartesia_tts_src_dup_settings_locked (self);
  /* With room among the requests in flight, ask the server now rather than
   * when the streaming thread next wakes (up to a buffer later).  Still
   * under the object lock: stop() takes the session under it; and pushed
   * under it, so that the ops of two threads keep the order of their
   * requests. */
  if (self->session && self->encoding
      && self->live_in_flight < GST_CARTESIA_REQUESTS_AHEAD) {
    op->sent_at = g_get_monotonic_time ();
    self->live_in_flight++;
    gst_cartesia_tts_src_send_request_locked (self, op->settings, text,
        &op->context_id);
    GST_DEBUG_OBJECT (self, "utterance %s: context %s, requested at once",
        id, op->context_id);
  }
  if (self->text_mode == GST_CARTESIA_TEXT_MODE_INTERRUPT) {
    cartesia_inbox_push (self->inbox,
        cartesia_inbox_op_new (CARTESIA_INBOX_OP_CLEAR, NULL, NULL));
    cartesia_inbox_push (self->inbox,
        cartesia_inbox_op_new (CARTESIA_INBOX_OP_INTERRUPT, NULL, NULL));
  }
  cartesia_inbox_push (self->inbox, op);
  GST_OBJECT_UNLOCK (self);
  return;

  /* ERRORS */
queue_full:
  {
    gchar *reason = g_strdup_printf ("The queue is full (max-queued=%u): "
        "the utterance is not spoken", max_queued);

    GST_ELEMENT_WARNING (self, RESOURCE, BUSY, ("%s", reason),
        ("utterance %s refused", id));
    gst_cartesia_tts_src_count_failed (self);
    gst_cartesia_tts_src_post_failed (self, id, reason);
    g_free (reason);
    return;
  }
}

/* Object lock held: whether the pad may queue now, waiting for room
 * (@wait) if it must, the object lock released meanwhile.  Nothing is
 * queued while flushing, or once the output stopped for good. */
GstFlowReturn
gst_cartesia_tts_src_wait_for_room_locked (GstCartesiaTtsSrc * self,
    gboolean wait)
{
  GstFlowReturn ret;

  ret = cartesia_inbox_wait_for_room (self->inbox,
      GST_OBJECT_GET_LOCK (self), wait);
  if (ret == GST_FLOW_OK && self->session == NULL)
    ret = GST_FLOW_FLUSHING;
  return ret;
}

/* From the sink pad's thread (or the streaming thread, for streamed text
 * that stopped coming), object lock held: text from upstream, requested
 * at once (the caps are known by then).  With @timing->start it is a cue;
 * otherwise it plays after the others.  An @open utterance is streamed
 * text: it becomes stream_context_id, for continuations.  The streaming
 * thread posts its cartesia-utterance-queued message. */
void
gst_cartesia_tts_src_queue_sink_utterance_locked (GstCartesiaTtsSrc * self,
    const gchar * text, const gchar * id,
    const GstCartesiaUtteranceTiming * timing, gboolean open)
{
  CartesiaInboxOp *op = cartesia_inbox_op_new (CARTESIA_INBOX_OP_QUEUE, text, id);

  op->from_sink = TRUE;
  op->start = timing->start;
  op->end = timing->end;
  op->overflow = timing->overflow;
  op->pts = timing->pts;
  op->settings = gst_cartesia_tts_src_sink_settings_locked (self);
  if (self->session && self->encoding) {
    op->context_id = cartesia_request_new_context_id ();
    op->sent_at = g_get_monotonic_time ();
    self->live_in_flight++;
    if (open) {
      /* Its continuations say what its first input said. */
      cartesia_settings_free (self->stream_settings);
      self->stream_settings = cartesia_settings_copy (op->settings);
      g_free (self->stream_settings_id);
      self->stream_settings_id = g_strdup (op->context_id);
    }
    gst_cartesia_tts_src_send_settings_text_locked (self, op->settings,
        op->context_id, text, open);
    if (open) {
      g_free (self->stream_context_id);
      self->stream_context_id = g_strdup (op->context_id);
      self->stream_last_text = op->sent_at;
    }
  }
  cartesia_inbox_push (self->inbox, op);
  gst_cartesia_tts_src_wake_locked (self);
}

void
gst_cartesia_tts_src_queue_flush (GstCartesiaTtsSrc * self)
{
  cartesia_inbox_push (self->inbox,
      cartesia_inbox_op_new (CARTESIA_INBOX_OP_FLUSH, NULL, NULL));
  wake (self);
}

void
gst_cartesia_tts_src_interrupt (GstCartesiaTtsSrc * self)
{
  cartesia_inbox_push (self->inbox,
      cartesia_inbox_op_new (CARTESIA_INBOX_OP_INTERRUPT, NULL, NULL));
}

void
gst_cartesia_tts_src_clear (GstCartesiaTtsSrc * self)
{
  cartesia_inbox_push (self->inbox,
      cartesia_inbox_op_new (CARTESIA_INBOX_OP_CLEAR, NULL, NULL));
}
