/* GStreamer Cartesia text-to-speech source: live mode
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/* A live cartesiattssrc is a clocked source, like audiotestsrc is-live=true:
 * every buffer holds samples-per-buffer samples, stamped with the running
 * time, and is pushed once the clock has reached its end, filled with
 * whatever speech has arrived by then (silence otherwise).  The application
 * queues, interrupts and clears utterances from any thread; those requests
 * are applied by the streaming thread at the next buffer. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc-private.h"
#include "gstcartesiattssrc-live.h"
#include "gstcartesiattssrc-clock.h"
#include "cartesia-scheduler-events.h"

#include <string.h>

#define GST_CAT_DEFAULT gst_cartesia_tts_src_debug

/* The scheduler's player (NULL: none yet). */
static CartesiaPlayer *
player_of (GstCartesiaTtsSrc * self)
{
  return self->scheduler ? cartesia_scheduler_get_player (self->scheduler) :
      NULL;
}

void
gst_cartesia_tts_src_live_init (GstCartesiaTtsSrc * self)
{
  self->first_pts = GST_CLOCK_TIME_NONE;
}

void
gst_cartesia_tts_src_live_start (GstCartesiaTtsSrc * self,
    CartesiaSession * session)
{
  self->first_pts = GST_CLOCK_TIME_NONE;
  self->live_samples = 0;
  if (self->scheduler == NULL)
    self->scheduler = cartesia_scheduler_new ();
  self->live_in_flight = 0;
  GST_OBJECT_LOCK (self);
  self->live_queued = 0;
  GST_OBJECT_UNLOCK (self);
  self->wake_on_audio = FALSE;
  if (gst_base_src_is_live (GST_BASE_SRC (self)))
    gst_cartesia_tts_src_clock_watch_audio (self, session);
}

void
gst_cartesia_tts_src_live_stop (GstCartesiaTtsSrc * self)
{
  /* The player goes with it. */
  g_clear_pointer (&self->scheduler, cartesia_scheduler_free);
  cartesia_inbox_drop_all (self->inbox);
}

/* ---- utterances (streaming thread) ---- */

void
gst_cartesia_tts_src_live_ensure_player (GstCartesiaTtsSrc * self)
{
  CartesiaPlayer *player;

  if (player_of (self))
    return;
  GST_OBJECT_LOCK (self);
  player = cartesia_player_new (self->sample_format,
      gst_util_uint64_scale_int (self->fade_ms, self->rate, 1000));
  cartesia_player_set_prebuffer (player,
      gst_util_uint64_scale_int (self->prebuffer_ms, self->rate, 1000));
  GST_OBJECT_UNLOCK (self);
  /* Non-live output is the server's audio, bit for bit, between cuts. */
  cartesia_player_set_edge_fades (player,
      gst_base_src_is_live (GST_BASE_SRC (self)));
  cartesia_scheduler_set_player (self->scheduler, player);
}

/* @u leaves the queue for good. */
static void
forget_utterance (GstCartesiaTtsSrc * self, CartesiaUtterance * u)
{
  GST_OBJECT_LOCK (self);
  if (u->context_id)
    self->live_in_flight--;
  if (!u->from_sink && self->live_queued > 0)
    self->live_queued--;
  GST_OBJECT_UNLOCK (self);
  if (u->from_sink)
    cartesia_inbox_give_room (self->inbox);
  cartesia_scheduler_forget (self->scheduler, u);
}

static void carry_out (GstCartesiaTtsSrc * self, GArray * actions,
    CartesiaEvent * event, GstClockTime now_rt);

/* Stops @u: on the server, in the player and in the queue.  One that was
 * playing fades out and is reported by the player at the next buffer. */
static void
drop_utterance (GstCartesiaTtsSrc * self, CartesiaUtterance * u,
    gboolean failed, GstClockTime now_rt)
{
  g_autoptr (GArray) actions = cartesia_actions_new ();

  cartesia_scheduler_drop (self->scheduler, u, failed, now_rt, actions);
  carry_out (self, actions, NULL, now_rt);
}

/* Live: @u, not started, could not reach the server.  Within
 * max-wait-ms of being queued it waits and is requested again (TRUE). */
static gboolean
wait_for_server (GstCartesiaTtsSrc * self, CartesiaUtterance * u,
    CartesiaEvent * event)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree gchar *cancel = NULL;
  guint max_wait;

  GST_OBJECT_LOCK (self);
  max_wait = self->max_wait_ms;
  GST_OBJECT_UNLOCK (self);
  if (!cartesia_utterance_wait_for_server (u,
          gst_base_src_is_live (GST_BASE_SRC (self)), event->error_kind,
          event->http_status, now, max_wait, &cancel))
    return FALSE;

  GST_INFO_OBJECT (self, "utterance %s: %s; waiting for the server (%"
      G_GINT64_FORMAT " of %u ms of max-wait-ms left)", u->id,
      event->error_text, max_wait - (now - u->queued_at) / 1000, max_wait);
  if (cancel) {
    cartesia_session_cancel (self->session, cancel);
    GST_OBJECT_LOCK (self);
    self->live_in_flight--;
    GST_OBJECT_UNLOCK (self);
  }
  return TRUE;
}

/* @u is given up, whatever the error. */
static void
fail_utterance_now (GstCartesiaTtsSrc * self, CartesiaUtterance * u,
    CartesiaEvent * event, GstClockTime now_rt)
{
  gboolean live = gst_base_src_is_live (GST_BASE_SRC (self));

  /* Live, the show goes on; a non-live stream with a hole is a failure. */
  gst_cartesia_tts_src_post_failure (self, event, u->context_id,
      live ? GST_MESSAGE_WARNING : GST_MESSAGE_ERROR);
  if (!live)
    self->fatal = TRUE;
  gst_cartesia_tts_src_count_failed (self);
  gst_cartesia_tts_src_post_failed (self, u->id, event->error_text);
  drop_utterance (self, u, TRUE, now_rt);
}

/* @u failed to reach the server or the server refused it: it waits out an
 * outage (max-wait-ms), or is given up. */
static void
fail_utterance (GstCartesiaTtsSrc * self, CartesiaUtterance * u,
    CartesiaEvent * event, GstClockTime now_rt)
{
  if (!wait_for_server (self, u, event))
    fail_utterance_now (self, u, event, now_rt);
}

static void
add_to_player (GstCartesiaTtsSrc * self, CartesiaUtterance * u,
    CartesiaInboxOp * op)
{
  CartesiaPlayerTiming t = { CARTESIA_PLAYER_NONE, CARTESIA_PLAYER_NONE,
    TRUE, FALSE
  };

  if (GST_CLOCK_TIME_IS_VALID (op->start)) {
    t.start = gst_cartesia_tts_src_clock_position_of (self, op->start);
    switch (op->overflow) {
      case GST_CARTESIA_OVERFLOW_FIT:
      case GST_CARTESIA_OVERFLOW_CLIP:
        t.end = gst_cartesia_tts_src_clock_position_of (self, op->end);
        t.after_previous = FALSE;
        t.cut_late_start = TRUE;
        break;
      case GST_CARTESIA_OVERFLOW_OVERLAP:
        t.after_previous = FALSE;
        break;
      case GST_CARTESIA_OVERFLOW_SHIFT:
        break;
    }
  }
  cartesia_player_add_timed (player_of (self), u->handle, &t);
}

/* The sink pad flushed: its utterances go, on the server too.  Non-live,
 * the timeline starts again from 0, as the segment after the flush does;
 * live, it stays on the clock and what speaks fades out. */
static void
flush_sink_utterances (GstCartesiaTtsSrc * self, GstClockTime now_rt)
{
  gboolean live = gst_base_src_is_live (GST_BASE_SRC (self));
  g_autoptr (GArray) actions = cartesia_actions_new ();
  GList *l;

  cartesia_scheduler_drop_from_sink (self->scheduler, now_rt, actions);
  carry_out (self, actions, NULL, now_rt);
  if (live)
    return;
  /* Nothing of the old timeline is played any more. */
  while ((l = cartesia_scheduler_list (self->scheduler))) {
    CartesiaUtterance *u = l->data;

    if (u->state != CARTESIA_UTTERANCE_FAILED)
      gst_cartesia_tts_src_post_utterance_finished (self, u, now_rt, 0, 0,
          TRUE);
    forget_utterance (self, u);
  }
  cartesia_scheduler_set_player (self->scheduler, NULL);
  self->first_pts = 0;
  self->live_samples = 0;
  gst_cartesia_tts_src_subtitle_reset (self);
}

/* Returns TRUE if the sink pad flushed. */
gboolean
gst_cartesia_tts_src_live_apply_ops (GstCartesiaTtsSrc * self,
    GstClockTime now_rt)
{
  GQueue ops = G_QUEUE_INIT;
  gboolean flushed = FALSE;
  CartesiaInboxOp *op;

  cartesia_inbox_take_all (self->inbox, &ops);

  while ((op = g_queue_pop_head (&ops))) {
    g_autoptr (GArray) actions = cartesia_actions_new ();

    switch (op->type) {
      case CARTESIA_INBOX_OP_QUEUE:{
        CartesiaUtterance *u = cartesia_utterance_new (op->id, op->text,
            op->queued_at);

        /* Requested at once by the thread that queued it. */
        if (op->context_id)
          cartesia_utterance_requested (u, g_steal_pointer (&op->context_id),
              op->sent_at);
        u->start_rt = op->start;
        u->from_sink = op->from_sink;
        u->settings = g_steal_pointer (&op->settings);
        u->end_rt = op->end;
        u->cue_pts = op->pts;
        /* Its answer is weighed against the cue before any of it plays. */
        if (op->overflow == GST_CARTESIA_OVERFLOW_FIT
            && GST_CLOCK_TIME_IS_VALID (op->start)
            && GST_CLOCK_TIME_IS_VALID (op->end) && op->end > op->start)
          u->held = g_byte_array_new ();
        /* From here, before it can start: queued comes first. */
        if (u->from_sink)
          gst_cartesia_tts_src_post_queued (self, u->id, u->text);
        cartesia_scheduler_add (self->scheduler, u);
        add_to_player (self, u, op);
        break;
      }
      case CARTESIA_INBOX_OP_FLUSH:
        flush_sink_utterances (self, now_rt);
        if (player_of (self) == NULL)
          gst_cartesia_tts_src_live_ensure_player (self);
        flushed = TRUE;
        break;
      case CARTESIA_INBOX_OP_INTERRUPT:
        /* What speaks now, or is about to. */
        cartesia_scheduler_interrupt (self->scheduler, now_rt, actions);
        carry_out (self, actions, NULL, now_rt);
        break;
      case CARTESIA_INBOX_OP_CLEAR:
        /* Everything waiting; what speaks now goes on. */
        cartesia_scheduler_clear_waiting (self->scheduler, now_rt, actions);
        carry_out (self, actions, NULL, now_rt);
        break;
    }
    cartesia_inbox_op_free (op);
  }
  return flushed;
}

void
gst_cartesia_tts_src_live_send_requests (GstCartesiaTtsSrc * self)
{
  gint64 now = g_get_monotonic_time ();
  CartesiaUtterance *u;

  while ((u = cartesia_scheduler_next_request (self->scheduler, now))) {
    gchar *context_id;

    GST_OBJECT_LOCK (self);
    self->live_in_flight++;
    gst_cartesia_tts_src_send_request_locked (self, u->settings, u->text,
        &context_id);
    GST_OBJECT_UNLOCK (self);
    cartesia_utterance_requested (u, context_id, now);
    GST_DEBUG_OBJECT (self, "utterance %s: context %s", u->id, u->context_id);
  }
}

/* Was @context_id requested with an op the streaming thread has not
 * applied yet?  Ops requested at once (from the application's or the sink
 * pad's thread) can be answered before the streaming thread next looks. */
static gboolean
op_pending (GstCartesiaTtsSrc * self, const gchar * context_id)
{
  gboolean pending;

  /* Under the object lock: the other threads request an utterance and
   * push its op under one hold of it. */
  GST_OBJECT_LOCK (self);
  pending = cartesia_inbox_has_context (self->inbox, context_id);
  GST_OBJECT_UNLOCK (self);
  return pending;
}

/* overflow=fit, the whole answer is in: if it is longer than its cue, ask
 * again once with a faster speed (returns TRUE), estimated from its length;
 * else it plays (clipped by the player if still too long). */
static gboolean
fit_cue (GstCartesiaTtsSrc * self, CartesiaUtterance * u)
{
  gboolean live = gst_base_src_is_live (GST_BASE_SRC (self));
  GstClockTime now_rt = GST_CLOCK_TIME_NONE, delay = 0;
  gdouble max_speed;
  gchar *context_id;
  CartesiaFit fit;
  gint64 now;

  GST_OBJECT_LOCK (self);
  max_speed = self->max_speed;
  GST_OBJECT_UNLOCK (self);
  if (live) {
    now_rt = gst_cartesia_tts_src_clock_now (self);
    delay = gst_cartesia_tts_src_sink_delay (self);
  }
  cartesia_utterance_weigh_fit (u, self->bpf, self->rate, max_speed, live,
      now_rt, delay, &fit);
  if (fit.too_late)
    GST_INFO_OBJECT (self, "cue %s: no time left to ask again", u->id);
  GST_DEBUG_OBJECT (self, "cue %s: %" G_GUINT64_FORMAT " samples of speech "
      "at speed %.3f for a cue of %" G_GUINT64_FORMAT ": %s%.3f", u->id,
      fit.speech, fit.speed, fit.cue, fit.faster > 0.0 ? "asking again at " :
      "plays, ", fit.faster > 0.0 ? fit.faster : fit.speed);
  if (fit.faster == 0.0) {
    cartesia_scheduler_release_held (self->scheduler, u);
    return FALSE;
  }

  cartesia_utterance_ask_faster (u, fit.faster);
  now = g_get_monotonic_time ();
  GST_OBJECT_LOCK (self);
  gst_cartesia_tts_src_send_request_locked (self, u->settings, u->text,
      &context_id);
  GST_OBJECT_UNLOCK (self);
  cartesia_utterance_rerequested (u, context_id, now);
  return TRUE;
}

static gboolean
fit_cue_hook (CartesiaUtterance * u, gpointer user_data)
{
  return fit_cue (user_data, u);
}

static gboolean
stream_lost_hook (CartesiaUtterance * u, const gchar * reason,
    gpointer user_data)
{
  return gst_cartesia_tts_src_sink_stream_lost (user_data, u->context_id,
      reason);
}

/* Carries out what the scheduler decided about @event (a server event,
 * or NULL: a player event), in order. */
static void
carry_out (GstCartesiaTtsSrc * self, GArray * actions, CartesiaEvent * event,
    GstClockTime now_rt)
{
  guint i;

  for (i = 0; i < actions->len; i++) {
    CartesiaAction *a = &g_array_index (actions, CartesiaAction, i);
    CartesiaUtterance *u = a->u;

    switch (a->type) {
      case CARTESIA_ACTION_FAIL:
        fail_utterance (self, u, event, now_rt);
        break;
      case CARTESIA_ACTION_WARN:
        gst_cartesia_tts_src_post_failure (self, event, NULL,
            GST_MESSAGE_WARNING);
        break;
      case CARTESIA_ACTION_TIMED_OUT:{
        g_autoptr (CartesiaEvent) timeout =
            cartesia_event_new_timeout (NULL, a->received_at, a->timeout_s,
            a->stall_ms);

        fail_utterance_now (self, u, timeout, now_rt);
        break;
      }
      case CARTESIA_ACTION_STREAM_HEARD:
        gst_cartesia_tts_src_sink_stream_heard (self, u->context_id,
            a->received_at);
        break;
      case CARTESIA_ACTION_FIRST_ANSWER_PLAYS:
        GST_WARNING_OBJECT (self, "cue %s: asking again failed (%s); the "
            "first answer plays", u->id, event->error_text);
        break;
      case CARTESIA_ACTION_WORD:
        gst_cartesia_tts_src_post_utterance_word (self, u, &a->word,
            a->phonemes);
        break;
      case CARTESIA_ACTION_CANCEL:
        cartesia_session_cancel (self->session, u->context_id);
        break;
      case CARTESIA_ACTION_DROPPED:
        /* Streamed text that comes after opens a new utterance (first: no
         * more of it may go to the context being cancelled). */
        GST_OBJECT_LOCK (self);
        if (u->context_id
            && g_strcmp0 (self->stream_context_id, u->context_id) == 0)
          g_clear_pointer (&self->stream_context_id, g_free);
        GST_OBJECT_UNLOCK (self);
        break;
      case CARTESIA_ACTION_STARTED:
        gst_cartesia_tts_src_post_utterance_started (self, u, a->at);
        break;
      case CARTESIA_ACTION_FINISHED:
        gst_cartesia_tts_src_post_utterance_finished (self, u, a->at,
            a->samples, a->underrun_samples, a->interrupted);
        break;
      case CARTESIA_ACTION_CUE_FINISHED:
        gst_cartesia_tts_src_post_cue_finished (self, u, a->clipped);
        break;
      case CARTESIA_ACTION_UNDERRUN:
        if (a->underrun_samples)
          GST_WARNING_OBJECT (self, "utterance %s: %" G_GUINT64_FORMAT
              " samples of silence while waiting for the server", u->id,
              a->underrun_samples);
        if (a->clipped)
          GST_DEBUG_OBJECT (self, "utterance %s clipped at the end of its "
              "cue", u->id);
        gst_cartesia_tts_src_count_underrun (self, a->underrun);
        break;
      case CARTESIA_ACTION_INTERRUPTED:
        gst_cartesia_tts_src_count_interrupted (self);
        break;
      case CARTESIA_ACTION_CAPTION_GAP:
        gst_cartesia_tts_src_subtitle_add (self, a->at, GST_CLOCK_TIME_NONE,
            "");
        break;
      case CARTESIA_ACTION_FORGET:
        forget_utterance (self, u);
        break;
    }
  }
}

void
gst_cartesia_tts_src_live_on_event (GstCartesiaTtsSrc * self,
    CartesiaEvent * event, GstClockTime now_rt)
{
  CartesiaSchedulerHooks hooks = { fit_cue_hook, stream_lost_hook, self };
  g_autoptr (GArray) actions = cartesia_actions_new ();
  GstClockTime audio_rt = GST_CLOCK_TIME_NONE;

  /* Audio for an utterance the streaming thread has yet to take in is
   * its audio, not the late output of a dropped one.  (A flush among the
   * ops needs no telling: the timeline reads its input afresh after each
   * event.) */
  if (event->context_id && cartesia_scheduler_find_by_context
      (self->scheduler, event->context_id) == NULL
      && op_pending (self, event->context_id)) {
    GST_DEBUG_OBJECT (self, "context %s answered before its utterance was "
        "taken in", event->context_id);
    gst_cartesia_tts_src_live_apply_ops (self, now_rt);
  }
  if (event->type == CARTESIA_EVENT_AUDIO)
    audio_rt = gst_cartesia_tts_src_clock_now (self);
  cartesia_scheduler_on_server_event (self->scheduler, event, audio_rt,
      &hooks, actions);
  carry_out (self, actions, event, now_rt);
}

/* Takes whatever the session has, without waiting. */
static GstFlowReturn
drain_events (GstCartesiaTtsSrc * self, GstClockTime now_rt)
{
  for (;;) {
    g_autoptr (CartesiaEvent) event = NULL;

    switch (cartesia_session_pop (self->session, 0, &event)) {
      case CARTESIA_POP_FLUSHING:
        return GST_FLOW_FLUSHING;
      case CARTESIA_POP_TIMEOUT:
        return GST_FLOW_OK;
      case CARTESIA_POP_EVENT:
        gst_cartesia_tts_src_live_on_event (self, event, now_rt);
        break;
      case CARTESIA_POP_WAKEUP:
        break;
    }
  }
}

static gboolean
stream_open (CartesiaUtterance * u, gpointer user_data)
{
  GstCartesiaTtsSrc *self = user_data;
  gboolean open;

  GST_OBJECT_LOCK (self);
  open = u->context_id && g_strcmp0 (u->context_id,
      self->stream_context_id) == 0;
  GST_OBJECT_UNLOCK (self);
  return open;
}

void
gst_cartesia_tts_src_live_check_timeouts (GstCartesiaTtsSrc * self,
    GstClockTime now_rt)
{
  g_autoptr (GArray) actions = cartesia_actions_new ();
  guint stall_ms;

  GST_OBJECT_LOCK (self);
  stall_ms = self->stall_timeout_ms;
  GST_OBJECT_UNLOCK (self);
  cartesia_scheduler_check_timeouts (self->scheduler, g_get_monotonic_time (),
      self->timeout, stall_ms, stream_open, self, actions);
  carry_out (self, actions, NULL, now_rt);
}

void
gst_cartesia_tts_src_live_player_events (GstCartesiaTtsSrc * self,
    GArray * events, GstClockTime pts)
{
  g_autoptr (GArray) actions = cartesia_actions_new ();
  gboolean word_timestamps;
  guint i;

  GST_OBJECT_LOCK (self);
  word_timestamps = self->word_timestamps;
  GST_OBJECT_UNLOCK (self);
  for (i = 0; i < events->len; i++) {
    g_array_set_size (actions, 0);
    cartesia_scheduler_on_player_event (self->scheduler,
        &g_array_index (events, CartesiaPlayerEvent, i), pts, self->rate,
        word_timestamps, actions);
    carry_out (self, actions, NULL, pts);
  }
}

/* The sink pad had EOS and all it brought was said. */
gboolean
gst_cartesia_tts_src_live_sink_drained (GstCartesiaTtsSrc * self)
{
  gboolean eos;

  GST_OBJECT_LOCK (self);
  eos = cartesia_inbox_is_drained (self->inbox)
      && self->stream_context_id == NULL
      && (self->stream_sentence == NULL || self->stream_sentence->len == 0);
  GST_OBJECT_UNLOCK (self);
  return eos && cartesia_scheduler_length (self->scheduler) == 0;
}

void
gst_cartesia_tts_src_live_rebase (GstCartesiaTtsSrc * self, gint old_rate)
{
  if (player_of (self) == NULL)
    return;
  /* Silence so far: the timeline goes on, counted in the new format. */
  if (GST_CLOCK_TIME_IS_VALID (self->first_pts) && old_rate > 0)
    self->first_pts += gst_util_uint64_scale_int (self->live_samples,
        GST_SECOND, old_rate);
  self->live_samples = 0;
  cartesia_scheduler_set_player (self->scheduler, NULL);
}

GstClockTime
gst_cartesia_tts_src_live_latency (GstCartesiaTtsSrc * self)
{
  guint n;
  gint rate;

  /* Also asked from the application's thread (the latency query). */
  GST_OBJECT_LOCK (self);
  n = self->samples_per_buffer;
  rate = self->rate;
  GST_OBJECT_UNLOCK (self);
  return (rate ? gst_util_uint64_scale_int (n, GST_SECOND, rate) : 0) +
      gst_cartesia_tts_src_sink_delay (self);
}

/* An utterance starts where the fill is once its first audio is in; a sink
 * plays that position a latency later.  Audio that arrived late in the
 * period would leave the server's next chunks almost no room for jitter:
 * such an utterance starts a little later in its buffer, so that the sink
 * plays its first sample jitter-margin-ms after it arrived at the earliest
 * (when the streaming thread took it in: a thread woken late errs on the
 * side of a larger margin).  A cue keeps its running time. */
static void
apply_jitter_margin (GstCartesiaTtsSrc * self, GstClockTime pts)
{
  GstClockTime margin, latency, not_before;
  GList *l;

  GST_OBJECT_LOCK (self);
  margin = self->jitter_margin_ms * GST_MSECOND;
  GST_OBJECT_UNLOCK (self);
  if (margin == 0)
    return;
  latency = gst_cartesia_tts_src_live_latency (self);
  for (l = cartesia_scheduler_list (self->scheduler); l; l = l->next) {
    CartesiaUtterance *u = l->data;

    not_before = cartesia_utterance_not_before (u, margin, pts, latency);
    if (!GST_CLOCK_TIME_IS_VALID (not_before))
      continue;
    GST_LOG_OBJECT (self, "utterance %s: starts %" GST_TIME_FORMAT
        " into its buffer", u->id, GST_TIME_ARGS (not_before - pts));
    cartesia_player_set_not_before (player_of (self), u->handle,
        gst_cartesia_tts_src_clock_position_of (self, not_before));
  }
}

GstFlowReturn
gst_cartesia_tts_src_live_create (GstCartesiaTtsSrc * self,
    GstBuffer ** outbuf)
{
  GstClockTime pts, end, delay, now;
  GstFlowReturn ret;
  GstBuffer *buf;
  GstMapInfo map;
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE,
      sizeof (CartesiaPlayerEvent));
  guint n, k;

  GST_OBJECT_LOCK (self);
  n = self->samples_per_buffer;
  GST_OBJECT_UNLOCK (self);
  gst_cartesia_tts_src_live_ensure_player (self);

  /* The timeline starts at the running time of the first buffer and then
   * only ever advances by whole samples. */
  if (!GST_CLOCK_TIME_IS_VALID (self->first_pts)) {
    self->first_pts = gst_cartesia_tts_src_clock_now (self);
    if (!GST_CLOCK_TIME_IS_VALID (self->first_pts))
      self->first_pts = 0;
  }
  pts = gst_cartesia_tts_src_clock_time_of (self, self->live_samples);
  end = gst_cartesia_tts_src_clock_time_of (self, self->live_samples + n);

  /* New utterances go to the server now, not after the wait. */
  gst_cartesia_tts_src_live_apply_ops (self, pts);
  gst_cartesia_tts_src_sink_check_idle (self);
  gst_cartesia_tts_src_live_send_requests (self);
  delay = gst_cartesia_tts_src_sink_delay (self);
  now = gst_cartesia_tts_src_clock_now (self);
  GST_OBJECT_LOCK (self);
  gst_cartesia_tts_src_clock_set_wake (self, end);
  /* One early buffer at most: already ahead of the clock, wait for it. */
  if (GST_CLOCK_TIME_IS_VALID (now) && now < pts + delay)
    self->wake_on_audio = FALSE;
  GST_OBJECT_UNLOCK (self);

  /* Like a capture device: the buffer is complete when its time is over,
   * holding every sample of speech that arrived until then; and what the
   * application asked for meanwhile (an interrupt) applies to it. */
  if (gst_cartesia_tts_src_live_sink_drained (self))
    return GST_FLOW_EOS;
  ret = gst_cartesia_tts_src_clock_wait_until (self, end + delay);
  GST_OBJECT_LOCK (self);
  self->wake_on_audio = FALSE;
  GST_OBJECT_UNLOCK (self);
  if (ret != GST_FLOW_OK)
    return ret;

  gst_cartesia_tts_src_live_apply_ops (self, pts);
  GST_OBJECT_LOCK (self);
  self->audio_pending = FALSE;
  GST_OBJECT_UNLOCK (self);
  ret = drain_events (self, pts);
  if (ret != GST_FLOW_OK)
    return ret;
  gst_cartesia_tts_src_live_check_timeouts (self, pts);
  gst_cartesia_tts_src_live_send_requests (self);
  apply_jitter_margin (self, pts);

  /* Speech whose next chunk is late stops the buffer short: that chunk
   * has until a sink plays its first sample, the end of the next wait,
   * instead of until now. */
  buf = gst_buffer_new_allocate (NULL, (gsize) n * self->bpf, NULL);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  k = cartesia_player_fill_live (player_of (self), map.data, n, events);
  gst_buffer_unmap (buf, &map);
  if (k < n) {
    GST_LOG_OBJECT (self, "speech ran out %u samples into the buffer", k);
    gst_buffer_resize (buf, 0, (gssize) k * self->bpf);
  }
  gst_cartesia_tts_src_live_player_events (self, events, pts);
  end = gst_cartesia_tts_src_clock_stamp (self, buf, k);
  gst_cartesia_tts_src_subtitle_advance (self, end);
  /* A finished utterance makes room for the next request. */
  gst_cartesia_tts_src_live_send_requests (self);

  *outbuf = buf;
  return GST_FLOW_OK;
}
