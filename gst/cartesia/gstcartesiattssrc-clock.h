/* GStreamer Cartesia text-to-speech source: the clock and the timeline
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#pragma once

/* Used by gstcartesiattssrc-live.c and -timeline.c (the streaming thread);
 * it calls neither. */

#include "gstcartesiattssrc-private.h"

G_BEGIN_DECLS

/* Live: the session's first audio of an utterance may end the wait for
 * the end of a buffer of silence (see set_wake()). */
void gst_cartesia_tts_src_clock_watch_audio (GstCartesiaTtsSrc * self,
    CartesiaSession * session);
/* The running time now; NONE without a clock. */
GstClockTime gst_cartesia_tts_src_clock_now (GstCartesiaTtsSrc * self);
/* Object lock held: idle (nothing started), the first audio of something
 * the scheduler has due by @end, or that is queued and due by then, ends
 * the next wait early. */
void gst_cartesia_tts_src_clock_set_wake (GstCartesiaTtsSrc * self,
    GstClockTime end);
/* Waits until the clock reaches running time @rt; unlock() cuts it short
 * (FLUSHING), and so does audio set_wake() allows for (OK). */
GstFlowReturn gst_cartesia_tts_src_clock_wait_until (GstCartesiaTtsSrc * self,
    GstClockTime rt);
/* The running time of timeline sample @samples. */
GstClockTime gst_cartesia_tts_src_clock_time_of (GstCartesiaTtsSrc * self,
    guint64 samples);
/* The timeline sample at running time @rt (0 if already gone by; NONE for
 * NONE). */
guint64 gst_cartesia_tts_src_clock_position_of (GstCartesiaTtsSrc * self,
    GstClockTime rt);
/* Stamps @buf as the next @n samples of the timeline, which it advances;
 * returns where it ends. */
GstClockTime gst_cartesia_tts_src_clock_stamp (GstCartesiaTtsSrc * self,
    GstBuffer * buf, guint n);

G_END_DECLS
