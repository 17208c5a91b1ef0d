/* gst-cartesia: live mode's utterances and the decisions about them (pure).
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

#include "cartesia-scheduler.h"

struct _CartesiaScheduler
{
  GQueue utterances;            /* CartesiaUtterance, in the order they play */
  guint next_handle;
  CartesiaPlayer *player;       /* where they play; NULL: none yet */
};

static void
word_clear (gpointer data)
{
  g_free (((CartesiaWord *) data)->word);
}

static GArray *
words_new (void)
{
  GArray *words = g_array_new (FALSE, FALSE, sizeof (CartesiaWord));

  g_array_set_clear_func (words, word_clear);
  return words;
}

CartesiaUtterance *
cartesia_utterance_new (const gchar * id, const gchar * text,
    gint64 queued_at)
{
  CartesiaUtterance *u = g_new0 (CartesiaUtterance, 1);

  u->state = CARTESIA_UTTERANCE_QUEUED;
  u->id = g_strdup (id);
  u->text = g_strdup (text);
  u->queued_at = queued_at;
  u->first_audio_rt = GST_CLOCK_TIME_NONE;
  u->start_rt = GST_CLOCK_TIME_NONE;
  u->end_rt = GST_CLOCK_TIME_NONE;
  u->cue_pts = GST_CLOCK_TIME_NONE;
  u->started_rt = GST_CLOCK_TIME_NONE;
  u->words = words_new ();
  u->phonemes = words_new ();
  return u;
}

void
cartesia_utterance_free (CartesiaUtterance * u)
{
  if (u == NULL)
    return;
  g_free (u->id);
  g_free (u->text);
  g_free (u->context_id);
  cartesia_settings_free (u->settings);
  if (u->held)
    g_byte_array_unref (u->held);
  g_array_unref (u->words);
  g_array_unref (u->phonemes);
  g_free (u);
}

const gchar *
cartesia_utterance_state_name (CartesiaUtteranceState state)
{
  switch (state) {
    case CARTESIA_UTTERANCE_QUEUED:
      return "queued";
    case CARTESIA_UTTERANCE_REQUESTED:
      return "requested";
    case CARTESIA_UTTERANCE_PLAYING:
      return "playing";
    case CARTESIA_UTTERANCE_DRAINING:
      return "draining";
    case CARTESIA_UTTERANCE_DROPPED:
      return "dropped";
    case CARTESIA_UTTERANCE_FAILED:
      return "failed";
  }
  return "unknown";
}

gboolean
cartesia_utterance_is_started (const CartesiaUtterance * u)
{
  return GST_CLOCK_TIME_IS_VALID (u->started_rt);
}

gboolean
cartesia_utterance_is_done (const CartesiaUtterance * u)
{
  return u->state >= CARTESIA_UTTERANCE_DRAINING;
}

gboolean
cartesia_utterance_is_dropped (const CartesiaUtterance * u)
{
  return u->state >= CARTESIA_UTTERANCE_DROPPED;
}

GstClockTime
cartesia_utterance_ttfa (const CartesiaUtterance * u)
{
  if (u->sent_at == 0 || u->first_audio_at == 0)
    return GST_CLOCK_TIME_NONE;
  return (u->first_audio_at - u->sent_at) * GST_USECOND;
}

void
cartesia_utterance_requested (CartesiaUtterance * u, gchar * context_id,
    gint64 now)
{
  g_return_if_fail (u->state == CARTESIA_UTTERANCE_QUEUED);
  g_return_if_fail (context_id != NULL);

  g_free (u->context_id);
  u->context_id = context_id;
  u->sent_at = now;
  u->state = CARTESIA_UTTERANCE_REQUESTED;
}

void
cartesia_utterance_rerequested (CartesiaUtterance * u, gchar * context_id,
    gint64 now)
{
  g_return_if_fail (u->state == CARTESIA_UTTERANCE_REQUESTED);
  g_return_if_fail (context_id != NULL);

  g_array_set_size (u->words, 0);
  g_array_set_size (u->phonemes, 0);
  g_free (u->context_id);
  u->context_id = context_id;
  u->sent_at = now;
}

void
cartesia_utterance_heard (CartesiaUtterance * u, gint64 received_at)
{
  u->last_heard = received_at;
}

gboolean
cartesia_utterance_first_audio (CartesiaUtterance * u, gint64 received_at,
    GstClockTime now_rt)
{
  if (u->first_audio_at != 0)
    return FALSE;
  u->first_audio_at = received_at;
  u->first_audio_rt = now_rt;
  return TRUE;
}

gboolean
cartesia_utterance_hold_audio (CartesiaUtterance * u, const guint8 * data,
    gsize len)
{
  if (u->refit && u->held && !u->held_second) {
    /* The faster answer arrives: the first one is not needed. */
    g_byte_array_set_size (u->held, 0);
    u->held_second = TRUE;
  }
  if (u->held) {
    g_byte_array_append (u->held, data, len);
    return TRUE;
  }
  u->speech_bytes += len;
  return FALSE;
}

GByteArray *
cartesia_utterance_release_held (CartesiaUtterance * u)
{
  GByteArray *held = g_steal_pointer (&u->held);

  g_return_val_if_fail (held != NULL, NULL);
  u->speech_bytes = held->len;
  return held;
}

void
cartesia_utterance_started (CartesiaUtterance * u, GstClockTime started_rt)
{
  g_return_if_fail (GST_CLOCK_TIME_IS_VALID (started_rt));

  u->started_rt = started_rt;
  if (u->state == CARTESIA_UTTERANCE_REQUESTED)
    u->state = CARTESIA_UTTERANCE_PLAYING;
}

void
cartesia_utterance_done (CartesiaUtterance * u)
{
  if (u->state == CARTESIA_UTTERANCE_REQUESTED
      || u->state == CARTESIA_UTTERANCE_PLAYING)
    u->state = CARTESIA_UTTERANCE_DRAINING;
}

gboolean
cartesia_utterance_drop (CartesiaUtterance * u, gboolean failed)
{
  gboolean answering = u->context_id != NULL
      && (u->state == CARTESIA_UTTERANCE_REQUESTED
      || u->state == CARTESIA_UTTERANCE_PLAYING);

  /* Dropped is final, but a failure found while it fades out stays one. */
  if (failed)
    u->state = CARTESIA_UTTERANCE_FAILED;
  else if (u->state != CARTESIA_UTTERANCE_FAILED)
    u->state = CARTESIA_UTTERANCE_DROPPED;
  return answering;
}

gboolean
cartesia_utterance_wait_for_server (CartesiaUtterance * u, gboolean live,
    CartesiaErrorKind kind, guint http_status, gint64 now, guint max_wait_ms,
    gchar ** cancel)
{
  *cancel = NULL;
  if (!live || u->from_sink || u->first_audio_at != 0
      || cartesia_utterance_is_started (u)
      || (u->state != CARTESIA_UTTERANCE_QUEUED
          && u->state != CARTESIA_UTTERANCE_REQUESTED))
    return FALSE;
  if (!cartesia_policy_should_wait (kind, http_status, u->queued_at, now,
          max_wait_ms))
    return FALSE;

  *cancel = g_steal_pointer (&u->context_id);
  u->state = CARTESIA_UTTERANCE_QUEUED;
  u->last_heard = 0;
  u->sent_at = 0;
  u->retry_at = now + CARTESIA_SCHEDULER_OUTAGE_RETRY_US;
  return TRUE;
}

CartesiaTimeoutKind
cartesia_utterance_timed_out (CartesiaUtterance * u, gint64 now,
    guint timeout_s, guint stall_ms, gboolean open)
{
  /* The stall watchdog tells a generation stuck in its middle sooner. */
  if (timeout_s && stall_ms >= timeout_s * 1000u)
    stall_ms = 0;
  if (!timeout_s && !stall_ms)
    return CARTESIA_TIMEOUT_NONE;
  if (open && u->last_heard)
    u->last_heard = now;
  if (open || cartesia_utterance_is_done (u) || u->last_heard == 0)
    return CARTESIA_TIMEOUT_NONE;
  if (stall_ms && u->first_audio_at
      && now - u->last_heard > (gint64) stall_ms * 1000)
    return CARTESIA_TIMEOUT_STALL;
  if (timeout_s && now - u->last_heard > timeout_s * G_TIME_SPAN_SECOND)
    return CARTESIA_TIMEOUT_SILENT;
  return CARTESIA_TIMEOUT_NONE;
}

GstClockTime
cartesia_utterance_not_before (CartesiaUtterance * u, GstClockTime margin,
    GstClockTime pts, GstClockTime latency)
{
  GstClockTime floor_rt;

  if (margin == 0 || u->margin_set || cartesia_utterance_is_started (u)
      || cartesia_utterance_is_dropped (u) || u->first_audio_at == 0
      || !GST_CLOCK_TIME_IS_VALID (u->first_audio_rt)
      || GST_CLOCK_TIME_IS_VALID (u->start_rt))
    return GST_CLOCK_TIME_NONE;
  u->margin_set = TRUE;
  floor_rt = u->first_audio_rt + margin;
  if (floor_rt <= pts + latency)
    return GST_CLOCK_TIME_NONE;
  return floor_rt - latency;
}

/* ---- the list ---- */

CartesiaScheduler *
cartesia_scheduler_new (void)
{
  CartesiaScheduler *sched = g_new0 (CartesiaScheduler, 1);

  g_queue_init (&sched->utterances);
  return sched;
}

void
cartesia_scheduler_free (CartesiaScheduler * sched)
{
  if (sched == NULL)
    return;
  cartesia_scheduler_clear (sched);
  g_clear_pointer (&sched->player, cartesia_player_free);
  g_free (sched);
}

void
cartesia_scheduler_set_player (CartesiaScheduler * sched,
    CartesiaPlayer * player)
{
  if (sched->player == player)
    return;
  g_clear_pointer (&sched->player, cartesia_player_free);
  sched->player = player;
}

CartesiaPlayer *
cartesia_scheduler_get_player (CartesiaScheduler * sched)
{
  return sched->player;
}

void
cartesia_scheduler_release_held (CartesiaScheduler * sched,
    CartesiaUtterance * u)
{
  GByteArray *held = cartesia_utterance_release_held (u);

  g_return_if_fail (held != NULL);
  if (held->len && sched->player)
    cartesia_player_push (sched->player, u->handle, held->data, held->len);
  g_byte_array_unref (held);
}

void
cartesia_scheduler_add (CartesiaScheduler * sched, CartesiaUtterance * u)
{
  u->handle = ++sched->next_handle;
  g_queue_push_tail (&sched->utterances, u);
}

void
cartesia_scheduler_forget (CartesiaScheduler * sched, CartesiaUtterance * u)
{
  g_queue_remove (&sched->utterances, u);
  cartesia_utterance_free (u);
}

void
cartesia_scheduler_clear (CartesiaScheduler * sched)
{
  g_queue_clear_full (&sched->utterances,
      (GDestroyNotify) cartesia_utterance_free);
}

GList *
cartesia_scheduler_list (CartesiaScheduler * sched)
{
  return sched->utterances.head;
}

guint
cartesia_scheduler_length (CartesiaScheduler * sched)
{
  return sched->utterances.length;
}

CartesiaUtterance *
cartesia_scheduler_find_by_context (CartesiaScheduler * sched,
    const gchar * context_id)
{
  GList *l;

  if (context_id == NULL)
    return NULL;
  for (l = sched->utterances.head; l; l = l->next) {
    CartesiaUtterance *u = l->data;

    if (g_strcmp0 (u->context_id, context_id) == 0)
      return u;
  }
  return NULL;
}

CartesiaUtterance *
cartesia_scheduler_find_by_handle (CartesiaScheduler * sched, guint handle)
{
  GList *l;

  for (l = sched->utterances.head; l; l = l->next)
    if (((CartesiaUtterance *) l->data)->handle == handle)
      return l->data;
  return NULL;
}

CartesiaUtterance *
cartesia_scheduler_head (CartesiaScheduler * sched)
{
  GList *l;

  for (l = sched->utterances.head; l; l = l->next)
    if (!cartesia_utterance_is_dropped (l->data))
      return l->data;
  return NULL;
}

GPtrArray *
cartesia_scheduler_with_server (CartesiaScheduler * sched)
{
  GPtrArray *with = g_ptr_array_new ();
  GList *l;

  for (l = sched->utterances.head; l; l = l->next) {
    CartesiaUtterance *u = l->data;

    if (u->state == CARTESIA_UTTERANCE_REQUESTED
        || u->state == CARTESIA_UTTERANCE_PLAYING)
      g_ptr_array_add (with, u);
  }
  return with;
}

CartesiaUtterance *
cartesia_scheduler_next_request (CartesiaScheduler * sched, gint64 now)
{
  GList *l;
  guint ahead = 0;

  for (l = sched->utterances.head;
      l && ahead < CARTESIA_SCHEDULER_REQUESTS_AHEAD; l = l->next) {
    CartesiaUtterance *u = l->data;

    if (cartesia_utterance_is_dropped (u))
      continue;
    ahead++;
    if (u->state == CARTESIA_UTTERANCE_QUEUED && now >= u->retry_at)
      return u;
  }
  return NULL;
}

void
cartesia_scheduler_wake (CartesiaScheduler * sched, GstClockTime end,
    gboolean * wake_on_audio, gboolean * wake_due)
{
  GList *l;

  *wake_on_audio = TRUE;
  *wake_due = FALSE;
  for (l = sched->utterances.head; l; l = l->next) {
    CartesiaUtterance *u = l->data;

    if (cartesia_utterance_is_started (u))
      *wake_on_audio = FALSE;
    if (!cartesia_utterance_is_dropped (u)
        && (!GST_CLOCK_TIME_IS_VALID (u->start_rt) || u->start_rt < end))
      *wake_due = TRUE;
  }
}

gboolean
cartesia_scheduler_refit_in_time (GstClockTime now_rt, GstClockTime ttfa,
    GstClockTime start_rt, GstClockTime delay)
{
  if (!GST_CLOCK_TIME_IS_VALID (now_rt) || !GST_CLOCK_TIME_IS_VALID (ttfa))
    return FALSE;
  return now_rt + 2 * ttfa <= start_rt + delay;
}

void
cartesia_utterance_weigh_fit (const CartesiaUtterance * u, guint bpf,
    gint rate, gdouble max_speed, gboolean live, GstClockTime now_rt,
    GstClockTime delay, CartesiaFit * fit)
{
  g_return_if_fail (u->held != NULL && bpf > 0 && rate > 0);

  fit->speech = u->held->len / bpf;
  fit->cue = gst_util_uint64_scale_int_round (u->end_rt - u->start_rt, rate,
      GST_SECOND);
  fit->speed = u->settings && u->settings->speed_set ? u->settings->speed :
      1.0;
  fit->faster = 0.0;
  fit->too_late = FALSE;
  if (!u->refit)
    fit->faster = cartesia_settings_fit_speed (fit->speech, fit->cue,
        fit->speed, max_speed);
  /* Live, a second answer must be there by the time a sink plays the
   * cue's start; the first one's time to first audio, twice, is the
   * guess. */
  if (fit->faster > 0.0 && live
      && !cartesia_scheduler_refit_in_time (now_rt,
          cartesia_utterance_ttfa (u), u->start_rt, delay)) {
    fit->faster = 0.0;
    fit->too_late = TRUE;
  }
}

void
cartesia_utterance_ask_faster (CartesiaUtterance * u, gdouble faster)
{
  g_return_if_fail (u->settings != NULL && faster > 0.0);

  /* The first answer's timings are not the second's. */
  u->refit = TRUE;
  u->settings->speed_set = TRUE;
  u->settings->speed = faster;
}
