/* GStreamer Cartesia text-to-speech source: the clock and the timeline
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/* The clock waits and the buffer stamping of live mode and the non-live
 * timeline, in one place: running time now, the wait for the end of a
 * buffer (cut short by unlock(), or by the first audio of an idle source),
 * timeline samples <-> running time, and the stamps of each buffer. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc-private.h"
#include "gstcartesiattssrc-clock.h"

#define GST_CAT_DEFAULT gst_cartesia_tts_src_debug

/* Object lock held: something queued since the wait began is due by @end
 * (untimed, or a cue that starts before it). */
static gboolean
ops_due (GstCartesiaTtsSrc * self, GstClockTime end)
{
  return cartesia_inbox_has_due (self->inbox, end);
}

/* Session thread: audio came in.  An idle live source waiting for the end
 * of a buffer of silence stops waiting, so speech starts at once, if the
 * audio can be for something due by the end of that buffer. */
static void
on_audio_arrived (gpointer user_data)
{
  GstCartesiaTtsSrc *self = user_data;

  GST_OBJECT_LOCK (self);
  /* Also before the wait has begun: clock_wait_until() looks at this. */
  self->audio_pending = TRUE;
  if (self->wake_on_audio && self->clock_id
      && (self->wake_due || ops_due (self, self->wake_end)))
    gst_clock_id_unschedule (self->clock_id);
  GST_OBJECT_UNLOCK (self);
}

GstClockTime
gst_cartesia_tts_src_clock_now (GstCartesiaTtsSrc * self)
{
  GstClock *clock = gst_element_get_clock (GST_ELEMENT (self));
  GstClockTime now, base;

  if (clock == NULL)
    return GST_CLOCK_TIME_NONE;
  now = gst_clock_get_time (clock);
  base = gst_element_get_base_time (GST_ELEMENT (self));
  gst_object_unref (clock);
  return now > base ? now - base : 0;
}

/* Waits until the clock reaches running time @rt; unlock() cuts it short. */
GstFlowReturn
gst_cartesia_tts_src_clock_wait_until (GstCartesiaTtsSrc * self,
    GstClockTime rt)
{
  GstClock *clock = gst_element_get_clock (GST_ELEMENT (self));
  GstClockID id;
  GstClockReturn ret;
  gboolean flushing;

  if (clock == NULL)
    return GST_FLOW_OK;
  id = gst_clock_new_single_shot_id (clock,
      gst_element_get_base_time (GST_ELEMENT (self)) + rt);
  gst_object_unref (clock);

  GST_OBJECT_LOCK (self);
  if (self->flushing) {
    GST_OBJECT_UNLOCK (self);
    gst_clock_id_unref (id);
    return GST_FLOW_FLUSHING;
  }
  /* Audio that would have ended the wait came before it began. */
  if (self->wake_on_audio && self->audio_pending
      && (self->wake_due || ops_due (self, self->wake_end))) {
    GST_OBJECT_UNLOCK (self);
    gst_clock_id_unref (id);
    return GST_FLOW_OK;
  }
  self->clock_id = id;
  GST_OBJECT_UNLOCK (self);

  ret = gst_clock_id_wait (id, NULL);

  GST_OBJECT_LOCK (self);
  self->clock_id = NULL;
  /* Unscheduled: unlock() (flushing), or audio for an idle source. */
  flushing = ret == GST_CLOCK_UNSCHEDULED && self->flushing;
  GST_OBJECT_UNLOCK (self);
  gst_clock_id_unref (id);
  return flushing ? GST_FLOW_FLUSHING : GST_FLOW_OK;
}

/* Object lock held.  Nothing speaks: the first audio of something due by
 * @end (queued, or queued while this buffer's wait goes on: see
 * on_audio_arrived) should not wait for the end of a buffer of silence.  A
 * cue for later is not due: its audio must not make the output run ahead
 * of the clock. */
void
gst_cartesia_tts_src_clock_set_wake (GstCartesiaTtsSrc * self,
    GstClockTime end)
{
  self->wake_end = end;
  cartesia_scheduler_wake (self->scheduler, end, &self->wake_on_audio,
      &self->wake_due);
}

/* The running time of timeline sample @samples. */
GstClockTime
gst_cartesia_tts_src_clock_time_of (GstCartesiaTtsSrc * self,
    guint64 samples)
{
  return self->first_pts + gst_util_uint64_scale_int (samples, GST_SECOND,
      self->rate);
}

/* The timeline sample at running time @rt (0 if already gone by). */
guint64
gst_cartesia_tts_src_clock_position_of (GstCartesiaTtsSrc * self,
    GstClockTime rt)
{
  if (!GST_CLOCK_TIME_IS_VALID (rt))
    return CARTESIA_PLAYER_NONE;
  if (rt <= self->first_pts)
    return 0;
  return gst_util_uint64_scale_int_round (rt - self->first_pts, self->rate,
      GST_SECOND);
}

/* Stamps @buf as the next @n samples of the timeline, which it advances;
 * returns where it ends. */
GstClockTime
gst_cartesia_tts_src_clock_stamp (GstCartesiaTtsSrc * self,
    GstBuffer * buf, guint n)
{
  GstClockTime pts =
      gst_cartesia_tts_src_clock_time_of (self, self->live_samples);
  GstClockTime end =
      gst_cartesia_tts_src_clock_time_of (self, self->live_samples + n);

  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = end - pts;
  GST_BUFFER_OFFSET (buf) = self->live_samples;
  GST_BUFFER_OFFSET_END (buf) = self->live_samples + n;
  if (self->live_samples == 0)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  self->live_samples += n;
  return end;
}

void
gst_cartesia_tts_src_clock_watch_audio (GstCartesiaTtsSrc * self,
    CartesiaSession * session)
{
  cartesia_session_set_notify (session, CARTESIA_EVENT_AUDIO,
      on_audio_arrived, self);
}
