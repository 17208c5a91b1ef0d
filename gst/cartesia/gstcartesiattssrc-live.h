/* GStreamer Cartesia text-to-speech source: the live timeline's steps
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#pragma once

/* What gstcartesiattssrc-live.c lends the non-live timeline
 * (gstcartesiattssrc-timeline.c), which drives the same utterances and
 * player without a clock.  All on the streaming thread. */

#include "gstcartesiattssrc-private.h"

G_BEGIN_DECLS

void gst_cartesia_tts_src_live_ensure_player (GstCartesiaTtsSrc * self);
/* Takes in what the application and the sink pad queued; TRUE if the sink
 * pad flushed. */
gboolean gst_cartesia_tts_src_live_apply_ops (GstCartesiaTtsSrc * self,
    GstClockTime now_rt);
void gst_cartesia_tts_src_live_check_timeouts (GstCartesiaTtsSrc * self,
    GstClockTime now_rt);
void gst_cartesia_tts_src_live_send_requests (GstCartesiaTtsSrc * self);
void gst_cartesia_tts_src_live_on_event (GstCartesiaTtsSrc * self,
    CartesiaEvent * event, GstClockTime now_rt);
/* What the player reported in the fill that made the buffer at @pts. */
void gst_cartesia_tts_src_live_player_events (GstCartesiaTtsSrc * self,
    GArray * events, GstClockTime pts);
/* The sink pad had EOS and all it brought was said. */
gboolean gst_cartesia_tts_src_live_sink_drained (GstCartesiaTtsSrc * self);

G_END_DECLS
