/* GStreamer Cartesia text-to-speech source: the subtitle_src pad
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/* What is spoken, as timed text on the audio's timeline: each utterance's
 * text from its first sample to its last (an empty buffer ends it), or with
 * word-timestamps each word for its duration.  Items wait here until the
 * audio buffer covering their start is made, so text and GAP events go out
 * in time order and just as far as the audio has: a textoverlay with
 * wait-text never stalls, and captions are never late. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc-private.h"

#include <string.h>

#define GST_CAT_DEFAULT gst_cartesia_tts_src_debug

/* The pad, with a ref, or NULL when nobody asked for it. */
static GstPad *
get_pad (GstCartesiaTtsSrc * self)
{
  GstPad *pad = NULL;

  GST_OBJECT_LOCK (self);
  if (self->subtitle_pad)
    pad = gst_object_ref (self->subtitle_pad);
  GST_OBJECT_UNLOCK (self);
  return pad;
}

void
gst_cartesia_tts_src_subtitle_reset (GstCartesiaTtsSrc * self)
{
  cartesia_captions_reset (self->captions);
}

void
gst_cartesia_tts_src_subtitle_add (GstCartesiaTtsSrc * self,
    GstClockTime start, GstClockTime duration, const gchar * text)
{
  if (self->subtitle_pad == NULL)
    return;                     /* read without the lock: a hint only */
  cartesia_captions_add (self->captions, start, duration, text);
}

/* ---- the pad's task: pushes what the streaming thread made ---- */

/* Takes @obj (a buffer or an event) for the pad's task to push. */
static void
out_push (GstCartesiaTtsSrc * self, gpointer obj)
{
  g_mutex_lock (&self->subtitle_lock);
  if (self->subtitle_flushing) {
    g_mutex_unlock (&self->subtitle_lock);
    gst_mini_object_unref (obj);
    return;
  }
  g_queue_push_tail (&self->subtitle_out, obj);
  g_cond_signal (&self->subtitle_cond);
  g_mutex_unlock (&self->subtitle_lock);
}

static void
out_set_flushing (GstCartesiaTtsSrc * self, gboolean flushing)
{
  g_mutex_lock (&self->subtitle_lock);
  self->subtitle_flushing = flushing;
  if (flushing)
    g_queue_clear_full (&self->subtitle_out,
        (GDestroyNotify) gst_mini_object_unref);
  g_cond_broadcast (&self->subtitle_cond);
  g_mutex_unlock (&self->subtitle_lock);
}

static void
subtitle_loop (gpointer user_data)
{
  GstPad *pad = user_data;
  GstCartesiaTtsSrc *self = gst_pad_get_element_private (pad);
  gpointer obj;

  g_mutex_lock (&self->subtitle_lock);
  while (g_queue_is_empty (&self->subtitle_out) && !self->subtitle_flushing)
    g_cond_wait (&self->subtitle_cond, &self->subtitle_lock);
  if (self->subtitle_flushing) {
    g_mutex_unlock (&self->subtitle_lock);
    gst_pad_pause_task (pad);
    return;
  }
  obj = g_queue_pop_head (&self->subtitle_out);
  g_mutex_unlock (&self->subtitle_lock);

  if (GST_IS_EVENT (obj)) {
    gst_pad_push_event (pad, GST_EVENT (obj));
  } else {
    GstFlowReturn ret = gst_pad_push (pad, GST_BUFFER (obj));

    /* Captions must never stop the audio: a refusal is only logged. */
    if (ret != GST_FLOW_OK)
      GST_DEBUG_OBJECT (self, "subtitle push: %s", gst_flow_get_name (ret));
  }
}

static gboolean
subtitle_activate_mode (GstPad * pad, GstObject * parent, GstPadMode mode,
    gboolean active)
{
  /* Not @parent: the pad is activated before it is added when the element
   * is running already. */
  GstCartesiaTtsSrc *self = gst_pad_get_element_private (pad);

  if (mode != GST_PAD_MODE_PUSH)
    return FALSE;
  if (active) {
    out_set_flushing (self, FALSE);
    return gst_pad_start_task (pad, subtitle_loop, pad, NULL);
  }
  out_set_flushing (self, TRUE);
  return gst_pad_stop_task (pad);
}

/* A flush from the sink pad (non-live): FLUSH_START empties what waits and
 * stops the task (after the event has unblocked it downstream);
 * FLUSH_STOP goes out and the task starts again.  Without the pad, @event
 * is dropped. */
void
gst_cartesia_tts_src_subtitle_flush (GstCartesiaTtsSrc * self,
    GstEvent * event)
{
  GstPad *pad = get_pad (self);

  if (pad == NULL) {
    gst_event_unref (event);
    return;
  }
  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_START) {
    out_set_flushing (self, TRUE);
    gst_pad_push_event (pad, event);
    gst_pad_pause_task (pad);
  } else {
    gst_pad_push_event (pad, event);
    out_set_flushing (self, FALSE);
    gst_pad_start_task (pad, subtitle_loop, pad, NULL);
  }
  gst_object_unref (pad);
}

/* ---- the streaming thread's side ---- */

static void
push_headers (GstCartesiaTtsSrc * self, GstPad * pad)
{
  g_autofree gchar *stream_id = gst_pad_create_stream_id (pad,
      GST_ELEMENT (self), "subtitle");
  g_autoptr (GstCaps) caps = gst_caps_new_simple ("text/x-raw",
      "format", G_TYPE_STRING, "utf8", NULL);
  GstSegment segment;

  out_push (self, gst_event_new_stream_start (stream_id));
  out_push (self, gst_event_new_caps (caps));
  /* The audio's own segment: timestamps are running times live, stream
   * times from 0 otherwise, and both are positions in this segment. */
  gst_segment_init (&segment, GST_FORMAT_TIME);
  out_push (self, gst_event_new_segment (&segment));
}

/* Frees @caption's text. */
static void
push_caption (GstCartesiaTtsSrc * self, CartesiaCaption * caption)
{
  gsize len;
  GstBuffer *buf;

  if (caption->type == CARTESIA_CAPTION_GAP) {
    out_push (self, gst_event_new_gap (caption->start, caption->duration));
    return;
  }
  len = strlen (caption->text);
  buf = gst_buffer_new_allocate (NULL, len, NULL);
  gst_buffer_fill (buf, 0, caption->text, len);
  g_clear_pointer (&caption->text, g_free);
  GST_BUFFER_PTS (buf) = caption->start;
  GST_BUFFER_DURATION (buf) = caption->duration;
  out_push (self, buf);
}

void
gst_cartesia_tts_src_subtitle_advance (GstCartesiaTtsSrc * self,
    GstClockTime until)
{
  GstPad *pad = get_pad (self);
  CartesiaCaption caption;
  guint serial;

  if (pad == NULL)
    return;
  GST_OBJECT_LOCK (self);
  serial = self->subtitle_pad_serial;
  GST_OBJECT_UNLOCK (self);
  /* A pad asked for later (or again, after one was released) starts its
   * own stream. */
  if (cartesia_captions_begin_stream (self->captions, serial))
    push_headers (self, pad);
  while (cartesia_captions_next (self->captions, until, &caption))
    push_caption (self, &caption);
  gst_object_unref (pad);
}

static void
subtitle_eos (GstCartesiaTtsSrc * self)
{
  GstPad *pad = get_pad (self);

  if (pad == NULL)
    return;
  gst_cartesia_tts_src_subtitle_advance (self, G_MAXUINT64 - 1);
  out_push (self, gst_event_new_eos ());
  gst_object_unref (pad);
}

/* Whatever ends the audio (the end of non-live speech, or an EOS sent to a
 * live source) ends the text too, from the streaming thread, after the last
 * caption. */
static GstPadProbeReturn
on_src_event (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (user_data);

  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS) {
    subtitle_eos (self);
    /* The sink pad takes no more text: the audio has ended. */
    cartesia_inbox_stop_output (self->inbox, GST_FLOW_EOS);
  }
  return GST_PAD_PROBE_OK;
}

void
gst_cartesia_tts_src_subtitle_init (GstCartesiaTtsSrc * self)
{
  self->captions = cartesia_captions_new ();
  g_queue_init (&self->subtitle_out);
  g_mutex_init (&self->subtitle_lock);
  g_cond_init (&self->subtitle_cond);
  gst_pad_add_probe (GST_BASE_SRC_PAD (self),
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_src_event, self, NULL);
}

/* GstBaseSrc (1.22) names its stream with gst_pad_create_stream_id (pad,
 * element, NULL), which refuses (a critical, and no stream id) when the
 * element has more than one source pad.  It does so once, when it sends
 * STREAM_START, between start() and the first create().  For that window
 * the subtitle pad is left out of the element's count of source pads; it
 * stays in the element's list of pads all along.  The subtitle pad names its
 * own stream explicitly. */
void
gst_cartesia_tts_src_subtitle_finalize (GstCartesiaTtsSrc * self)
{
  g_clear_pointer (&self->captions, cartesia_captions_free);
  g_queue_clear_full (&self->subtitle_out,
      (GDestroyNotify) gst_mini_object_unref);
  g_mutex_clear (&self->subtitle_lock);
  g_cond_clear (&self->subtitle_cond);
}

void
gst_cartesia_tts_src_subtitle_hide (GstCartesiaTtsSrc * self, gboolean hide)
{
  GstElement *element = GST_ELEMENT (self);

  GST_OBJECT_LOCK (self);
  if (hide && self->subtitle_pad && !self->subtitle_pad_hidden) {
    element->numsrcpads--;
    self->subtitle_pad_hidden = TRUE;
  } else if (!hide && self->subtitle_pad_hidden) {
    element->numsrcpads++;
    self->subtitle_pad_hidden = FALSE;
  }
  GST_OBJECT_UNLOCK (self);
}

/* A seek comes through src too (textoverlay sends one up both its
 * inputs): once is enough. */
static gboolean
subtitle_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  if (GST_EVENT_TYPE (event) == GST_EVENT_SEEK) {
    gst_event_unref (event);
    return TRUE;
  }
  return gst_pad_event_default (pad, parent, event);
}

/* The element's request_new_pad() for subtitle_src. */
GstPad *
gst_cartesia_tts_src_request_subtitle_pad (GstCartesiaTtsSrc * self,
    GstPadTemplate * templ)
{
  GstElement *element = GST_ELEMENT (self);
  GstPad *pad;

  GST_OBJECT_LOCK (self);
  if (self->subtitle_pad) {
    GST_OBJECT_UNLOCK (self);
    GST_ELEMENT_WARNING (self, CORE, PAD,
        ("There is one subtitle_src pad at most: the request is refused"),
        (NULL));
    return NULL;
  }
  GST_OBJECT_UNLOCK (self);

  pad = gst_pad_new_from_template (templ, "subtitle_src");
  gst_pad_use_fixed_caps (pad);
  gst_pad_set_event_function (pad, GST_DEBUG_FUNCPTR (subtitle_event));
  gst_pad_set_element_private (pad, self);
  gst_pad_set_activatemode_function (pad,
      GST_DEBUG_FUNCPTR (subtitle_activate_mode));
  if (GST_STATE (element) >= GST_STATE_PAUSED)
    gst_pad_set_active (pad, TRUE);
  GST_OBJECT_LOCK (self);
  self->subtitle_pad = pad;
  self->subtitle_pad_serial++;
  /* Started but not yet streaming: hidden from the count before it is in
   * it (see below), so the stream is never named with two source pads. */
  if (self->before_first_create) {
    element->numsrcpads--;
    self->subtitle_pad_hidden = TRUE;
  }
  GST_OBJECT_UNLOCK (self);
  gst_element_add_pad (element, pad);
  return pad;
}

/* The element's release_pad() for subtitle_src. */
void
gst_cartesia_tts_src_release_subtitle_pad (GstCartesiaTtsSrc * self,
    GstPad * pad)
{
  gst_cartesia_tts_src_subtitle_hide (self, FALSE);
  GST_OBJECT_LOCK (self);
  if (self->subtitle_pad == pad)
    self->subtitle_pad = NULL;
  GST_OBJECT_UNLOCK (self);
  gst_pad_set_active (pad, FALSE);
  gst_element_remove_pad (GST_ELEMENT (self), pad);
}
