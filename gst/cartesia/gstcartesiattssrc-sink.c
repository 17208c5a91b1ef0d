/* GStreamer Cartesia text-to-speech source: the sink pad
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/* Text from upstream, in one of two shapes:
 *
 * - timed cues (subparse, captions): each buffer, with a PTS and a
 *   duration, is an utterance placed at the cue's running time; speech
 *   longer than its cue is clipped, overlaps the next, or shifts it
 *   (#GstCartesiaTtsSrc:overflow);
 * - streamed text (an LLM's tokens): the text continues the open
 *   utterance (gstcartesiattssrc-stream.c).
 *
 * This file is the pad: its chain and events, and the cues.  The pad's
 * thread queues utterances, and sends their requests itself so
 * that no request waits for the streaming thread; the streaming thread
 * plays them on the timeline of live mode (gstcartesiattssrc-live.c). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc-private.h"


#define GST_CAT_DEFAULT gst_cartesia_tts_src_debug

void
gst_cartesia_tts_src_sink_init (GstCartesiaTtsSrc * self)
{
  /* The inbox is the sink pad's and the application's way in. */
  self->inbox = cartesia_inbox_new ();
  gst_segment_init (&self->sink_segment, GST_FORMAT_TIME);
  self->sink_end = GST_CLOCK_TIME_NONE;
}

void
gst_cartesia_tts_src_sink_finalize (GstCartesiaTtsSrc * self)
{
  g_clear_pointer (&self->inbox, cartesia_inbox_free);
  gst_cartesia_tts_src_stream_finalize (self);
  cartesia_text_reader_free (self->sink_reader);
}

/* Object lock held. */
static void
reset_input (GstCartesiaTtsSrc * self)
{
  self->sink_horizon = 0;
  self->sink_end = GST_CLOCK_TIME_NONE;
  cartesia_inbox_set_eos (self->inbox, FALSE);
  gst_cartesia_tts_src_stream_reset_locked (self);
}

void
gst_cartesia_tts_src_sink_start (GstCartesiaTtsSrc * self)
{
  GST_OBJECT_LOCK (self);
  reset_input (self);
  self->sink_mode = self->input_mode;
  cartesia_inbox_reset_input (self->inbox);
  self->warned_invalid = FALSE;
  self->next_cue = 0;
  self->fatal = FALSE;
  self->upstream_latency = 0;
  gst_segment_init (&self->sink_segment, GST_FORMAT_TIME);
  GST_OBJECT_UNLOCK (self);
}

/* The element stops: a pad thread waiting for room or caps gives up. */
void
gst_cartesia_tts_src_sink_unblock (GstCartesiaTtsSrc * self)
{
  GST_OBJECT_LOCK (self);
  cartesia_inbox_set_flushing (self->inbox, TRUE);
  /* The session and the format go next. */
  cartesia_inbox_set_ready (self->inbox, FALSE);
  g_clear_pointer (&self->stream_context_id, g_free);
  GST_OBJECT_UNLOCK (self);
}

GstClockTime
gst_cartesia_tts_src_sink_delay (GstCartesiaTtsSrc * self)
{
  GstClockTime delay = 0;

  /* Live, a cue is placed at its running time: the output runs the latency
   * budget behind the clock so that its speech can be there in time. */
  GST_OBJECT_LOCK (self);
  if (self->sink_pad && self->sink_mode == GST_CARTESIA_INPUT_MODE_CUES)
    delay = self->latency_ms * GST_MSECOND + self->upstream_latency;
  GST_OBJECT_UNLOCK (self);
  return delay;
}

/* ---- timed cues ---- */

static GstFlowReturn
queue_cue (GstCartesiaTtsSrc * self, GstBuffer * buf, const gchar * text)
{
  GstCartesiaUtteranceTiming timing;
  g_autofree gchar *id = NULL;
  GstClockTime pts = GST_BUFFER_PTS (buf), stop;
  guint64 cstart, cstop;
  GstFlowReturn ret;
  GstSegment segment;

  if (!GST_CLOCK_TIME_IS_VALID (pts))
    goto no_timestamp;
  timing.pts = pts;

  GST_OBJECT_LOCK (self);
  segment = self->sink_segment;
  timing.overflow = self->overflow;
  GST_OBJECT_UNLOCK (self);
  if (segment.format != GST_FORMAT_TIME)
    goto wrong_format;

  /* The part of the cue inside the segment counts (a seek may land in the
   * middle of one); a cue of no duration has no end to clip at. */
  stop = GST_BUFFER_DURATION_IS_VALID (buf) && GST_BUFFER_DURATION (buf) > 0 ?
      pts + GST_BUFFER_DURATION (buf) : GST_CLOCK_TIME_NONE;
  if (!gst_segment_clip (&segment, GST_FORMAT_TIME, pts, stop, &cstart,
          &cstop)) {
    GST_DEBUG_OBJECT (self, "cue at %" GST_TIME_FORMAT " is outside the "
        "segment: dropped", GST_TIME_ARGS (pts));
    return GST_FLOW_OK;
  }
  timing.start = gst_segment_to_running_time (&segment, GST_FORMAT_TIME,
      cstart);
  timing.end = GST_CLOCK_TIME_IS_VALID (stop) && GST_CLOCK_TIME_IS_VALID (cstop)
      ? gst_segment_to_running_time (&segment, GST_FORMAT_TIME, cstop) :
      GST_CLOCK_TIME_NONE;
  if (!GST_CLOCK_TIME_IS_VALID (timing.start))
    return GST_FLOW_OK;

  GST_OBJECT_LOCK (self);
  /* Silence may now run up to the cue's start: nothing comes before it. */
  self->sink_horizon = MAX (self->sink_horizon, timing.start);
  if (GST_CLOCK_TIME_IS_VALID (timing.end))
    self->sink_end = GST_CLOCK_TIME_IS_VALID (self->sink_end) ?
        MAX (self->sink_end, timing.end) : timing.end;
  if (cartesia_text_is_blank (text)) {
    gst_cartesia_tts_src_wake_locked (self);
    GST_OBJECT_UNLOCK (self);
    return GST_FLOW_OK;
  }
  ret = gst_cartesia_tts_src_wait_for_room_locked (self, TRUE);
  if (ret == GST_FLOW_OK) {
    id = g_strdup_printf ("cue-%u", ++self->next_cue);
    GST_LOG_OBJECT (self, "%s at %" GST_TIME_FORMAT ": %s", id,
        GST_TIME_ARGS (timing.start), text);
    gst_cartesia_tts_src_queue_sink_utterance_locked (self, text, id, &timing,
        FALSE);
  }
  GST_OBJECT_UNLOCK (self);
  return ret;

  /* ERRORS */
wrong_format:
  {
    gst_cartesia_tts_src_error_wrong_segment (self, segment.format);
    return GST_FLOW_ERROR;
  }
no_timestamp:
  {
    GST_ELEMENT_ERROR (self, STREAM, FAILED,
        ("Timed text needs timestamps: a cue came without a PTS"),
        ("set input-mode=stream for text without timing"));
    return GST_FLOW_ERROR;
  }
}

/* ---- the pad ---- */

/* Waits until the audio format is negotiated (requests need it). */
static GstFlowReturn
wait_until_ready (GstCartesiaTtsSrc * self)
{
  return cartesia_inbox_wait_ready (self->inbox);
}

static GstCartesiaInputMode
resolve_mode (GstCartesiaTtsSrc * self, GstBuffer * buf)
{
  GstCartesiaInputMode mode;
  gboolean decided = FALSE;

  GST_OBJECT_LOCK (self);
  if (self->sink_mode == GST_CARTESIA_INPUT_MODE_AUTO) {
    /* Timestamps in a BYTES segment (appsrc, fdsrc) place nothing. */
    self->sink_mode = GST_BUFFER_PTS_IS_VALID (buf)
        && GST_BUFFER_DURATION_IS_VALID (buf)
        && self->sink_segment.format == GST_FORMAT_TIME ?
        GST_CARTESIA_INPUT_MODE_CUES : GST_CARTESIA_INPUT_MODE_STREAM;
    decided = TRUE;
  }
  mode = self->sink_mode;
  GST_OBJECT_UNLOCK (self);

  if (decided) {
    GST_INFO_OBJECT (self, "text input: %s", mode ==
        GST_CARTESIA_INPUT_MODE_CUES ? "timed cues" : "streamed text");
    /* Live, cues add the latency budget to ours. */
    if (mode == GST_CARTESIA_INPUT_MODE_CUES
        && gst_base_src_is_live (GST_BASE_SRC (self)))
      gst_element_post_message (GST_ELEMENT (self),
          gst_message_new_latency (GST_OBJECT (self)));
  }
  return mode;
}

/* Once per stream: a text source that is not UTF-8 must not flood the bus. */
static void
warn_invalid (GstCartesiaTtsSrc * self, guint invalid)
{
  GST_DEBUG_OBJECT (self, "%u invalid UTF-8 sequences replaced", invalid);
  if (self->warned_invalid)
    return;
  self->warned_invalid = TRUE;
  GST_ELEMENT_WARNING (self, STREAM, DECODE,
      ("The text input is not valid UTF-8: invalid sequences are replaced "
          "with U+FFFD (%u in this buffer; later ones are only logged)",
          invalid), (NULL));
}

static GstFlowReturn
sink_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (parent);
  g_autofree gchar *text = NULL;
  GstFlowReturn ret;
  GstMapInfo map;
  guint invalid = 0;

  ret = wait_until_ready (self);
  if (ret != GST_FLOW_OK)
    goto done;
  if (self->sink_reader == NULL)
    self->sink_reader = cartesia_text_reader_new (FALSE);

  if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
    ret = GST_FLOW_ERROR;
    goto done;
  }
  text = cartesia_text_reader_feed (self->sink_reader, map.data, map.size,
      &invalid);
  gst_buffer_unmap (buf, &map);

  if (resolve_mode (self, buf) == GST_CARTESIA_INPUT_MODE_CUES) {
    /* A cue is whole: nothing of it waits for the next. */
    g_autofree gchar *rest = cartesia_text_reader_finish (self->sink_reader,
        &invalid);
    gchar *whole = g_strconcat (text, rest, NULL);

    g_free (text);
    text = whole;
  }
  if (invalid)
    warn_invalid (self, invalid);

  GST_OBJECT_LOCK (self);
  ret = self->sink_mode == GST_CARTESIA_INPUT_MODE_CUES ? GST_FLOW_CUSTOM_SUCCESS
      : GST_FLOW_OK;
  GST_OBJECT_UNLOCK (self);
  if (ret == GST_FLOW_CUSTOM_SUCCESS)
    ret = queue_cue (self, buf, text);
  else
    ret = gst_cartesia_tts_src_stream_append (self, text);

done:
  gst_buffer_unref (buf);
  return ret;
}

static gboolean
set_caps (GstCartesiaTtsSrc * self, GstCaps * caps)
{
  GstStructure *s = gst_caps_get_structure (caps, 0);
  gboolean markup =
      g_strcmp0 (gst_structure_get_string (s, "format"), "pango-markup") == 0;

  GST_DEBUG_OBJECT (self, "text input caps %" GST_PTR_FORMAT, caps);
  cartesia_text_reader_free (self->sink_reader);
  self->sink_reader = cartesia_text_reader_new (markup);
  return TRUE;
}

static gboolean
set_segment (GstCartesiaTtsSrc * self, GstEvent * event)
{
  const GstSegment *segment;
  gboolean cues;

  gst_event_parse_segment (event, &segment);
  GST_OBJECT_LOCK (self);
  /* Streamed text has no timing: any segment does (appsrc's default is
   * BYTES).  Cues are placed in time: theirs must be TIME. */
  cues = self->sink_mode == GST_CARTESIA_INPUT_MODE_CUES;
  if (!cues || segment->format == GST_FORMAT_TIME)
    self->sink_segment = *segment;
  GST_OBJECT_UNLOCK (self);
  if (cues && segment->format != GST_FORMAT_TIME)
    goto wrong_format;
  return TRUE;

  /* ERRORS */
wrong_format:
  {
    gst_cartesia_tts_src_error_wrong_segment (self, segment->format);
    return FALSE;
  }
}

static void
on_gap (GstCartesiaTtsSrc * self, GstEvent * event)
{
  GstClockTime ts, duration, rt;

  gst_event_parse_gap (event, &ts, &duration);
  if (GST_CLOCK_TIME_IS_VALID (duration))
    ts += duration;
  GST_OBJECT_LOCK (self);
  rt = self->sink_segment.format != GST_FORMAT_TIME ? GST_CLOCK_TIME_NONE :
      gst_segment_to_running_time (&self->sink_segment, GST_FORMAT_TIME, ts);
  if (GST_CLOCK_TIME_IS_VALID (rt))
    self->sink_horizon = MAX (self->sink_horizon, rt);
  gst_cartesia_tts_src_wake_locked (self);
  GST_OBJECT_UNLOCK (self);
}

static void
on_eos (GstCartesiaTtsSrc * self)
{
  g_autofree gchar *rest = NULL;
  guint invalid = 0;

  if (self->sink_reader) {
    rest = cartesia_text_reader_finish (self->sink_reader, &invalid);
    if (*rest && self->sink_mode != GST_CARTESIA_INPUT_MODE_CUES)
      gst_cartesia_tts_src_stream_append (self, rest);
  }
  gst_cartesia_tts_src_stream_close (self, TRUE);
  GST_OBJECT_LOCK (self);
  cartesia_inbox_set_eos (self->inbox, TRUE);
  gst_cartesia_tts_src_wake_locked (self);
  GST_OBJECT_UNLOCK (self);
}

/* FLUSH_START: the text so far is void.  Its utterances go, on the server
 * too; non-live, the flush goes on downstream and the timeline starts
 * again, as upstream's does.  Live, the output stays on the clock. */
static void
on_flush_start (GstCartesiaTtsSrc * self, GstEvent * event)
{
  GstEvent *seek, *stop;

  GST_DEBUG_OBJECT (self, "text input flushing");
  GST_OBJECT_LOCK (self);
  cartesia_inbox_set_flushing (self->inbox, TRUE);
  reset_input (self);
  GST_OBJECT_UNLOCK (self);
  gst_cartesia_tts_src_queue_flush (self);
  if (gst_base_src_is_live (GST_BASE_SRC (self)))
    return;

  /* The captions first: their task may be blocked pushing one.  (No
   * subtitle pad: the subtitle file drops the events.) */
  gst_cartesia_tts_src_subtitle_flush (self, gst_event_copy (event));

  /* GstBaseSrc flushes downstream, stops and restarts its streaming thread
   * (which applies the flush first), and starts a new segment at 0. */
  seek = gst_event_new_seek (1.0, GST_FORMAT_TIME, GST_SEEK_FLAG_FLUSH,
      GST_SEEK_TYPE_SET, 0, GST_SEEK_TYPE_NONE, GST_CLOCK_TIME_NONE);
  gst_event_set_seqnum (seek, gst_event_get_seqnum (event));
  if (!gst_element_send_event (GST_ELEMENT (self), seek))
    GST_WARNING_OBJECT (self, "could not flush downstream");

  stop = gst_event_new_flush_stop (TRUE);
  gst_event_set_seqnum (stop, gst_event_get_seqnum (event));
  gst_cartesia_tts_src_subtitle_flush (self, stop);
}

static void
on_flush_stop (GstCartesiaTtsSrc * self)
{
  g_autofree gchar *rest = NULL;
  guint invalid = 0;

  if (self->sink_reader)
    rest = cartesia_text_reader_finish (self->sink_reader, &invalid);
  GST_OBJECT_LOCK (self);
  gst_segment_init (&self->sink_segment, GST_FORMAT_TIME);
  reset_input (self);
  /* A seek after the end starts the speech again. */
  cartesia_inbox_flush_stop (self->inbox);
  GST_OBJECT_UNLOCK (self);
}

static gboolean
sink_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (parent);
  gboolean ret = TRUE;

  GST_LOG_OBJECT (pad, "%" GST_PTR_FORMAT, event);
  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS:{
      GstCaps *caps;

      gst_event_parse_caps (event, &caps);
      ret = set_caps (self, caps);
      break;
    }
    case GST_EVENT_SEGMENT:
      ret = set_segment (self, event);
      break;
    case GST_EVENT_GAP:
      on_gap (self, event);
      break;
    case GST_EVENT_EOS:
      on_eos (self);
      break;
    case GST_EVENT_FLUSH_START:
      on_flush_start (self, event);
      break;
    case GST_EVENT_FLUSH_STOP:
      on_flush_stop (self);
      break;
    case GST_EVENT_CUSTOM_DOWNSTREAM:
      if (gst_event_has_name (event, GST_CARTESIA_UTTERANCE_END))
        gst_cartesia_tts_src_stream_close (self, TRUE);
      else
        gst_cartesia_tts_src_sink_settings_event (self, event);
      break;
    default:
      /* Upstream's stream, tags and the like are not the audio's. */
      break;
  }
  gst_event_unref (event);
  return ret;
}

static gboolean
sink_activate_mode (GstPad * pad, GstObject * parent, GstPadMode mode,
    gboolean active)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (parent);

  if (mode != GST_PAD_MODE_PUSH)
    return FALSE;
  /* Deactivating waits for the pad's thread: it must not wait for room. */
  cartesia_inbox_set_flushing (self->inbox, !active);
  return TRUE;
}

GstPad *
gst_cartesia_tts_src_request_sink_pad (GstCartesiaTtsSrc * self,
    GstPadTemplate * templ)
{
  GstPad *pad;

  /* Which timeline the element runs is chosen when it starts. */
  if (GST_STATE (self) > GST_STATE_READY
      || GST_STATE_PENDING (self) > GST_STATE_READY) {
    GST_WARNING_OBJECT (self, "the sink pad must be requested before the "
        "element starts (in NULL or READY)");
    return NULL;
  }
  GST_OBJECT_LOCK (self);
  if (self->sink_pad) {
    GST_OBJECT_UNLOCK (self);
    GST_WARNING_OBJECT (self, "there is one sink pad at most");
    return NULL;
  }
  GST_OBJECT_UNLOCK (self);

  pad = gst_pad_new_from_template (templ, "sink");
  gst_pad_set_chain_function (pad, GST_DEBUG_FUNCPTR (sink_chain));
  gst_pad_set_event_function (pad, GST_DEBUG_FUNCPTR (sink_event));
  gst_pad_set_activatemode_function (pad,
      GST_DEBUG_FUNCPTR (sink_activate_mode));
  GST_PAD_SET_ACCEPT_TEMPLATE (pad);
  GST_OBJECT_LOCK (self);
  self->sink_pad = pad;
  GST_OBJECT_UNLOCK (self);
  if (GST_STATE (self) >= GST_STATE_PAUSED)
    gst_pad_set_active (pad, TRUE);
  gst_element_add_pad (GST_ELEMENT (self), pad);
  return pad;
}

void
gst_cartesia_tts_src_release_sink_pad (GstCartesiaTtsSrc * self, GstPad * pad)
{
  GST_OBJECT_LOCK (self);
  if (self->sink_pad == pad)
    self->sink_pad = NULL;
  GST_OBJECT_UNLOCK (self);
  gst_pad_set_active (pad, FALSE);
  gst_element_remove_pad (GST_ELEMENT (self), pad);
}
