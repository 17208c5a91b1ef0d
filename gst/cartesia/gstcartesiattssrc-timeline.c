/* GStreamer Cartesia text-to-speech source: non-live timeline
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/* Non-live text from the sink pad plays on live mode's timeline (see
 * gstcartesiattssrc-live.c), filled as fast as the server's audio comes
 * instead of by the clock. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc-private.h"
#include "gstcartesiattssrc-live.h"
#include "gstcartesiattssrc-clock.h"

#define GST_CAT_DEFAULT gst_cartesia_tts_src_debug

/* Non-live, text from the sink pad: the timeline of live mode, filled as
 * fast as the server's audio comes instead of by the clock; never with
 * silence the input has not vouched for (a cue may yet start there), and
 * never with silence for audio still on its way. */
GstFlowReturn
gst_cartesia_tts_src_timeline_create (GstCartesiaTtsSrc * self,
    GstBuffer ** outbuf)
{
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE,
      sizeof (CartesiaPlayerEvent));
  guint n;

  GST_OBJECT_LOCK (self);
  n = self->samples_per_buffer;
  GST_OBJECT_UNLOCK (self);
  if (!GST_CLOCK_TIME_IS_VALID (self->first_pts))
    self->first_pts = 0;

  for (;;) {
    g_autoptr (CartesiaEvent) event = NULL;
    GstClockTime pts, end, horizon_rt, silence_rt;
    CartesiaPlayer *player;
    GstBuffer *buf;
    GstMapInfo map;
    guint64 horizon, limit;
    gboolean eos, cues, shift, starved;
    gint64 next_check;
    guint k;

    /* Timed cues: nothing goes past where the input has come to, since a
     * cue may yet start there; after EOS, silence fills up to the end of
     * the last cue.  Streamed text: speech only, as it comes.  Read before
     * the ops are applied: every cue queued before this reading is in. */
    GST_OBJECT_LOCK (self);
    cues = self->sink_mode == GST_CARTESIA_INPUT_MODE_CUES;
    /* Shifted, no cue can start before what plays has ended. */
    shift = self->overflow == GST_CARTESIA_OVERFLOW_SHIFT;
    horizon_rt = silence_rt = self->sink_horizon;
    eos = cartesia_inbox_is_eos (self->inbox);
    if (eos && GST_CLOCK_TIME_IS_VALID (self->sink_end))
      silence_rt = MAX (silence_rt, self->sink_end);
    GST_OBJECT_UNLOCK (self);

    gst_cartesia_tts_src_live_ensure_player (self);
    pts = gst_cartesia_tts_src_clock_time_of (self, self->live_samples);
    if (gst_cartesia_tts_src_live_apply_ops (self, pts))
      continue;                 /* a new timeline: read the input again */
    gst_cartesia_tts_src_live_check_timeouts (self, pts);
    if (self->fatal) {
      /* The pad's thread stops waiting, and upstream hears of it. */
      cartesia_inbox_stop_output (self->inbox, GST_FLOW_ERROR);
      return GST_FLOW_ERROR;
    }
    gst_cartesia_tts_src_live_send_requests (self);

    horizon = cues ?
        gst_cartesia_tts_src_clock_position_of (self, silence_rt) : 0;
    limit = cues && !eos && !shift ?
        gst_cartesia_tts_src_clock_position_of (self, horizon_rt) :
        CARTESIA_PLAYER_NONE;
    /* The scheduler's, new after a flush (read after the ops). */
    player = cartesia_scheduler_get_player (self->scheduler);
    cartesia_player_set_limit (player, limit);
    if (gst_cartesia_tts_src_live_sink_drained (self)
        && self->live_samples >= horizon)
      return GST_FLOW_EOS;

    buf = gst_buffer_new_allocate (NULL, (gsize) n * self->bpf, NULL);
    gst_buffer_map (buf, &map, GST_MAP_WRITE);
    k = cartesia_player_fill_ready (player, map.data, n, horizon, events);
    gst_buffer_unmap (buf, &map);
    gst_cartesia_tts_src_live_player_events (self, events, pts);
    g_array_set_size (events, 0);
    /* Stopped where the next cue may start: the pad may queue it even when
     * the utterances waiting fill its quota (they cannot end before it). */
    starved = k < n && limit != CARTESIA_PLAYER_NONE
        && cartesia_player_get_position (player) >= limit;
    cartesia_inbox_set_starved (self->inbox, starved);
    if (k > 0) {
      gst_buffer_resize (buf, 0, (gssize) k * self->bpf);
      end = gst_cartesia_tts_src_clock_stamp (self, buf, k);
      gst_cartesia_tts_src_subtitle_advance (self, end);
      gst_cartesia_tts_src_live_send_requests (self);
      *outbuf = buf;
      return GST_FLOW_OK;
    }
    gst_buffer_unref (buf);
    /* The last utterance finished in this very fill: EOS now, not after
     * the wait below. */
    if (gst_cartesia_tts_src_live_sink_drained (self)
        && self->live_samples >= horizon)
      return GST_FLOW_EOS;

    /* Nothing to say yet: wait for the server, the input, or the time to
     * end streamed text that stopped coming (and to check for timeouts). */
    next_check = gst_cartesia_tts_src_sink_check_idle (self);
    if (next_check < 0)
      next_check = g_get_monotonic_time () + G_TIME_SPAN_SECOND;
    switch (cartesia_session_pop (self->session, next_check, &event)) {
      case CARTESIA_POP_FLUSHING:
        return GST_FLOW_FLUSHING;
      case CARTESIA_POP_EVENT:
        gst_cartesia_tts_src_live_on_event (self, event, pts);
        break;
      case CARTESIA_POP_TIMEOUT:
      case CARTESIA_POP_WAKEUP:
        break;
    }
  }
}
