/* gst-cartesia: transport layer, one element's queue of events.
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

#include "cartesia-event-queue.h"

struct _CartesiaEventQueue
{
  GMutex lock;
  GCond cond;
  GQueue events;
  gboolean flushing;
  gboolean wakeup;
  gboolean released;            /* the connection let go of this queue */
  guint waiters;                /* threads in cartesia_event_queue_pop()'s wait */
  CartesiaSessionStats stats;
  CartesiaEventType notify_type;
  CartesiaSessionNotify notify;
  gpointer notify_data;
};

CartesiaEventQueue *
cartesia_event_queue_new (void)
{
  CartesiaEventQueue *q = g_new0 (CartesiaEventQueue, 1);

  g_queue_init (&q->events);
  g_mutex_init (&q->lock);
  g_cond_init (&q->cond);
  return q;
}

void
cartesia_event_queue_free (CartesiaEventQueue * q)
{
  g_queue_clear_full (&q->events, (GDestroyNotify) cartesia_event_free);
  g_mutex_clear (&q->lock);
  g_cond_clear (&q->cond);
  g_free (q);
}

void
cartesia_event_queue_push (CartesiaEventQueue * q, CartesiaEvent * event)
{
  CartesiaSessionNotify notify = NULL;
  gpointer data = NULL;
  gboolean waiting;

  g_mutex_lock (&q->lock);
  if (q->notify && event->type == q->notify_type) {
    notify = q->notify;
    data = q->notify_data;
  }
  g_queue_push_tail (&q->events, event);
  waiting = q->waiters > 0;
  g_mutex_unlock (&q->lock);
  /* Once per chunk: a GCond always makes a system call, and a waiter woken
   * under the lock would at once block on it again, so only a waiting
   * consumer is woken, after the lock is let go (the event is in the queue
   * already, so no wake is lost). */
  if (waiting)
    g_cond_broadcast (&q->cond);
  if (notify)
    notify (data);
}

void
cartesia_event_queue_count (CartesiaEventQueue * q, guint connections,
    guint retries, guint64 audio_bytes)
{
  if (q == NULL)
    return;
  g_mutex_lock (&q->lock);
  q->stats.connections += connections;
  q->stats.retries += retries;
  q->stats.audio_bytes += audio_bytes;
  g_mutex_unlock (&q->lock);
}

CartesiaPopResult
cartesia_event_queue_pop (CartesiaEventQueue * q, gint64 end_time,
    CartesiaEvent ** event)
{
  CartesiaPopResult result = CARTESIA_POP_EVENT;

  *event = NULL;
  g_mutex_lock (&q->lock);
  while (!q->flushing && !q->wakeup && g_queue_is_empty (&q->events)) {
    gboolean timed_out = FALSE;

    q->waiters++;
    if (end_time < 0)
      g_cond_wait (&q->cond, &q->lock);
    else
      timed_out = !g_cond_wait_until (&q->cond, &q->lock, end_time);
    q->waiters--;
    if (timed_out)
      break;
  }
  if (q->flushing)
    result = CARTESIA_POP_FLUSHING;
  else if (!g_queue_is_empty (&q->events))
    *event = g_queue_pop_head (&q->events);
  else if (q->wakeup) {
    result = CARTESIA_POP_WAKEUP;
    q->wakeup = FALSE;
  } else {
    result = CARTESIA_POP_TIMEOUT;
  }
  g_mutex_unlock (&q->lock);
  return result;
}

void
cartesia_event_queue_set_notify (CartesiaEventQueue * q,
    CartesiaEventType type, CartesiaSessionNotify func, gpointer user_data)
{
  g_mutex_lock (&q->lock);
  q->notify_type = type;
  q->notify = func;
  q->notify_data = user_data;
  g_mutex_unlock (&q->lock);
}

void
cartesia_event_queue_get_stats (CartesiaEventQueue * q,
    CartesiaSessionStats * stats)
{
  g_mutex_lock (&q->lock);
  *stats = q->stats;
  g_mutex_unlock (&q->lock);
}

void
cartesia_event_queue_wakeup (CartesiaEventQueue * q)
{
  g_mutex_lock (&q->lock);
  q->wakeup = TRUE;
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

void
cartesia_event_queue_set_flushing (CartesiaEventQueue * q, gboolean flushing)
{
  g_mutex_lock (&q->lock);
  q->flushing = flushing;
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

void
cartesia_event_queue_release (CartesiaEventQueue * q)
{
  g_mutex_lock (&q->lock);
  q->released = TRUE;
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

void
cartesia_event_queue_wait_released (CartesiaEventQueue * q)
{
  g_mutex_lock (&q->lock);
  while (!q->released)
    g_cond_wait (&q->cond, &q->lock);
  g_mutex_unlock (&q->lock);
}
