/* gst-cartesia: live mode's scheduler: events in, actions out (pure).
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cartesia-scheduler-events.h"

GArray *
cartesia_actions_new (void)
{
  return g_array_new (FALSE, TRUE, sizeof (CartesiaAction));
}

const gchar *
cartesia_action_type_name (CartesiaActionType type)
{
  switch (type) {
    case CARTESIA_ACTION_FAIL:
      return "fail";
    case CARTESIA_ACTION_WARN:
      return "warn";
    case CARTESIA_ACTION_TIMED_OUT:
      return "timed-out";
    case CARTESIA_ACTION_STREAM_HEARD:
      return "stream-heard";
    case CARTESIA_ACTION_FIRST_ANSWER_PLAYS:
      return "first-answer-plays";
    case CARTESIA_ACTION_WORD:
      return "word";
    case CARTESIA_ACTION_CANCEL:
      return "cancel";
    case CARTESIA_ACTION_DROPPED:
      return "dropped";
    case CARTESIA_ACTION_STARTED:
      return "started";
    case CARTESIA_ACTION_FINISHED:
      return "finished";
    case CARTESIA_ACTION_CUE_FINISHED:
      return "cue-finished";
    case CARTESIA_ACTION_UNDERRUN:
      return "underrun";
    case CARTESIA_ACTION_INTERRUPTED:
      return "interrupted";
    case CARTESIA_ACTION_CAPTION_GAP:
      return "caption-gap";
    case CARTESIA_ACTION_FORGET:
      return "forget";
  }
  return "?";
}

static CartesiaAction *
append (GArray * actions, CartesiaActionType type, CartesiaUtterance * u)
{
  CartesiaAction a = { 0, };

  a.type = type;
  a.u = u;
  a.at = GST_CLOCK_TIME_NONE;
  g_array_append_val (actions, a);
  return &g_array_index (actions, CartesiaAction, actions->len - 1);
}

/* All of @u is in: the player may end it once it has played it. */
static void
drain (CartesiaScheduler * sched, CartesiaUtterance * u)
{
  CartesiaPlayer *player = cartesia_scheduler_get_player (sched);

  cartesia_utterance_done (u);
  if (player)
    cartesia_player_finish (player, u->handle);
}

static void
on_words (CartesiaUtterance * u, const CartesiaEvent * event,
    GArray * actions)
{
  /* Words and phonemes: posted once the start of the speech is known. */
  gboolean phonemes = event->type == CARTESIA_EVENT_PHONEMES;
  guint i;

  for (i = 0; i < event->n_words; i++) {
    CartesiaWord w = { g_strdup (event->words[i]), event->word_start[i],
      event->word_end[i]
    };

    g_array_append_val (phonemes ? u->phonemes : u->words, w);
    if (cartesia_utterance_is_started (u)) {
      CartesiaAction *a = append (actions, CARTESIA_ACTION_WORD, u);

      a->word = w;
      a->phonemes = phonemes;
    }
  }
}

static void
on_error (CartesiaScheduler * sched, CartesiaUtterance * u, const CartesiaEvent * event,
    const CartesiaSchedulerHooks * hooks, GArray * actions)
{
  /* Streamed text that spoke already: a continuation the server refused
   * (its context expired) goes to a new context instead. */
  if (u->from_sink && u->first_audio_at != 0 && hooks && hooks->stream_lost
      && hooks->stream_lost (u, event->error_text, hooks->user_data)) {
    append (actions, CARTESIA_ACTION_CANCEL, u);
    drain (sched, u);
    return;
  }
  if (u->refit && u->held && !u->held_second && u->held->len) {
    /* The faster answer failed: the first one plays, clipped. */
    append (actions, CARTESIA_ACTION_FIRST_ANSWER_PLAYS, u);
    cartesia_scheduler_release_held (sched, u);
    drain (sched, u);
    return;
  }
  append (actions, CARTESIA_ACTION_FAIL, u);
}

void
cartesia_scheduler_on_server_event (CartesiaScheduler * sched,
    const CartesiaEvent * event, GstClockTime audio_rt,
    const CartesiaSchedulerHooks * hooks, GArray * actions)
{
  CartesiaPlayer *player = cartesia_scheduler_get_player (sched);
  CartesiaUtterance *u;
  CartesiaAction *a;
  const guint8 *data;
  gsize len;

  if (event->type == CARTESIA_EVENT_ERROR && event->context_id == NULL) {
    /* Concerns every utterance with the server, or none (a pre-connect). */
    g_autoptr (GPtrArray) with = cartesia_scheduler_with_server (sched);
    guint i;

    for (i = 0; i < with->len; i++)
      append (actions, CARTESIA_ACTION_FAIL, g_ptr_array_index (with, i));
    if (with->len == 0)
      append (actions, CARTESIA_ACTION_WARN, NULL);
    return;
  }
  u = cartesia_scheduler_find_by_context (sched, event->context_id);
  if (u == NULL || cartesia_utterance_is_done (u))
    return;                     /* late output of a dropped utterance */

  cartesia_utterance_heard (u, event->received_at);
  switch (event->type) {
    case CARTESIA_EVENT_SENT:
      break;
    case CARTESIA_EVENT_AUDIO:
      if (u->from_sink) {
        a = append (actions, CARTESIA_ACTION_STREAM_HEARD, u);
        a->received_at = event->received_at;
      }
      if (u->first_audio_at == 0)
        cartesia_utterance_first_audio (u, event->received_at, audio_rt);
      data = g_bytes_get_data (event->audio, &len);
      if (!cartesia_utterance_hold_audio (u, data, len) && player)
        cartesia_player_push (player, u->handle, data, len);
      break;
    case CARTESIA_EVENT_TIMESTAMPS:
    case CARTESIA_EVENT_PHONEMES:
      on_words (u, event, actions);
      break;
    case CARTESIA_EVENT_DONE:
      if (u->held && hooks && hooks->fit_cue
          && hooks->fit_cue (u, hooks->user_data))
        break;                  /* asked again, faster */
      drain (sched, u);
      break;
    case CARTESIA_EVENT_ERROR:
      on_error (sched, u, event, hooks, actions);
      break;
  }
}

void
cartesia_scheduler_on_player_event (CartesiaScheduler * sched,
    const CartesiaPlayerEvent * e, GstClockTime pts, gint rate,
    gboolean word_timestamps, GArray * actions)
{
  CartesiaUtterance *u = cartesia_scheduler_find_by_handle (sched, e->id);
  GstClockTime at;
  CartesiaAction *a;
  gboolean failed;

  if (u == NULL || rate <= 0)
    return;
  at = pts + gst_util_uint64_scale_int (e->offset, GST_SECOND, rate);
  if (e->type == CARTESIA_PLAYER_STARTED) {
    GstClockTime skipped = gst_util_uint64_scale_int (e->skipped,
        GST_SECOND, rate);

    /* Late, its head was cut: its words keep their place in its audio. */
    cartesia_utterance_started (u, at > skipped ? at - skipped : 0);
    a = append (actions, CARTESIA_ACTION_STARTED, u);
    a->at = at;
    return;
  }

  /* Finished: what is left of it on the server goes too. */
  failed = u->state == CARTESIA_UTTERANCE_FAILED;
  if (e->clipped && !cartesia_utterance_is_done (u))
    append (actions, CARTESIA_ACTION_CANCEL, u);
  if (!failed) {
    a = append (actions, CARTESIA_ACTION_FINISHED, u);
    a->at = at;
    a->samples = e->samples;
    a->underrun_samples = e->underrun_samples;
    a->interrupted = e->interrupted;
    a->clipped = e->clipped;
  }
  if (!failed && u->from_sink && GST_CLOCK_TIME_IS_VALID (u->start_rt)) {
    a = append (actions, CARTESIA_ACTION_CUE_FINISHED, u);
    a->clipped = e->clipped;
  }
  a = append (actions, CARTESIA_ACTION_UNDERRUN, u);
  a->underrun = gst_util_uint64_scale_int (e->underrun_samples, GST_SECOND,
      rate);
  a->underrun_samples = e->underrun_samples;
  a->clipped = e->clipped;
  if (e->interrupted && !failed)
    append (actions, CARTESIA_ACTION_INTERRUPTED, u);
  if (!word_timestamps) {
    a = append (actions, CARTESIA_ACTION_CAPTION_GAP, u);
    a->at = at;
  }
  a = append (actions, CARTESIA_ACTION_FORGET, u);
  a->at = at;
}

void
cartesia_scheduler_check_timeouts (CartesiaScheduler * sched, gint64 now,
    guint timeout_s, guint stall_ms, CartesiaSchedulerOpenFunc is_open,
    gpointer user_data, GArray * actions)
{
  GList *l;

  if (!timeout_s && !stall_ms)
    return;
  for (l = cartesia_scheduler_list (sched); l; l = l->next) {
    CartesiaUtterance *u = l->data;
    /* Streamed text still coming: the server waits for us, not we for it,
     * and its silence counts from the end of the text. */
    gboolean open = is_open && is_open (u, user_data);
    CartesiaTimeoutKind kind = cartesia_utterance_timed_out (u, now,
        timeout_s, stall_ms, open);
    CartesiaAction *a;

    if (kind == CARTESIA_TIMEOUT_NONE)
      continue;
    a = append (actions, CARTESIA_ACTION_TIMED_OUT, u);
    a->received_at = now;
    a->timeout_s = timeout_s;
    a->stall_ms = kind == CARTESIA_TIMEOUT_STALL ? stall_ms : 0;
  }
}

void
cartesia_scheduler_drop (CartesiaScheduler * sched, CartesiaUtterance * u,
    gboolean failed, GstClockTime now_rt, GArray * actions)
{
  CartesiaPlayer *player = cartesia_scheduler_get_player (sched);
  gboolean playing = player && cartesia_player_is_playing (player, u->handle);
  CartesiaAction *a;

  append (actions, CARTESIA_ACTION_DROPPED, u);
  if (cartesia_utterance_drop (u, failed))
    append (actions, CARTESIA_ACTION_CANCEL, u);
  if (player)
    cartesia_player_remove (player, u->handle);
  if (playing)
    return;                     /* fades out: the player reports it */
  if (!failed) {
    a = append (actions, CARTESIA_ACTION_FINISHED, u);
    a->at = now_rt;
    a->interrupted = TRUE;
    append (actions, CARTESIA_ACTION_INTERRUPTED, u);
  }
  append (actions, CARTESIA_ACTION_FORGET, u);
}

void
cartesia_scheduler_interrupt (CartesiaScheduler * sched, GstClockTime now_rt,
    GArray * actions)
{
  CartesiaUtterance *head = cartesia_scheduler_head (sched);

  if (head)
    cartesia_scheduler_drop (sched, head, FALSE, now_rt, actions);
}

void
cartesia_scheduler_clear_waiting (CartesiaScheduler * sched,
    GstClockTime now_rt, GArray * actions)
{
  CartesiaPlayer *player = cartesia_scheduler_get_player (sched);
  GList *l;

  for (l = cartesia_scheduler_list (sched); l; l = l->next) {
    CartesiaUtterance *u = l->data;

    if (!cartesia_utterance_is_dropped (u)
        && !(player && cartesia_player_is_playing (player, u->handle)))
      cartesia_scheduler_drop (sched, u, FALSE, now_rt, actions);
  }
}

void
cartesia_scheduler_drop_from_sink (CartesiaScheduler * sched,
    GstClockTime now_rt, GArray * actions)
{
  GList *l;

  for (l = cartesia_scheduler_list (sched); l; l = l->next) {
    CartesiaUtterance *u = l->data;

    if (u->from_sink && !cartesia_utterance_is_dropped (u))
      cartesia_scheduler_drop (sched, u, FALSE, now_rt, actions);
  }
}
