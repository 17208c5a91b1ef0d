/* gst-cartesia: transport layer, one element's queue of events.
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * What the connection's thread hands to one element: its events, in order,
 * and its stats, under a lock of its own.  The connection pushes; the
 * element (through its CartesiaSession) pops, with a deadline.
 */
#pragma once

#include <glib.h>
#include "cartesia-event.h"

G_BEGIN_DECLS

typedef enum
{
  CARTESIA_POP_EVENT,
  CARTESIA_POP_FLUSHING,
  CARTESIA_POP_TIMEOUT,
  CARTESIA_POP_WAKEUP,          /* cartesia_session_wakeup() was called */
} CartesiaPopResult;

typedef struct
{
  guint connections;            /* websockets opened / SSE streams answered */
  guint retries;                /* connections, requests or contexts retried */
  guint64 audio_bytes;          /* decoded audio received */
} CartesiaSessionStats;

/* Called (on the connection's thread) each time an event of the type asked
 * for is queued, so a caller that waits for something else can look. */
typedef void (*CartesiaSessionNotify) (gpointer user_data);

typedef struct _CartesiaEventQueue CartesiaEventQueue;

CartesiaEventQueue *cartesia_event_queue_new (void);
void cartesia_event_queue_free (CartesiaEventQueue * queue);

/* Queues @event (taken), wakes a waiting pop and calls the notify. */
void cartesia_event_queue_push (CartesiaEventQueue * queue,
    CartesiaEvent * event);

/* Adds to the stats.  @queue may be NULL (a handle that is gone). */
void cartesia_event_queue_count (CartesiaEventQueue * queue,
    guint connections, guint retries, guint64 audio_bytes);

CartesiaPopResult cartesia_event_queue_pop (CartesiaEventQueue * queue,
    gint64 end_time, CartesiaEvent ** event);
void cartesia_event_queue_set_flushing (CartesiaEventQueue * queue,
    gboolean flushing);
void cartesia_event_queue_wakeup (CartesiaEventQueue * queue);
void cartesia_event_queue_set_notify (CartesiaEventQueue * queue,
    CartesiaEventType type, CartesiaSessionNotify func, gpointer user_data);
void cartesia_event_queue_get_stats (CartesiaEventQueue * queue,
    CartesiaSessionStats * stats);

/* The connection lets go of @queue: after this it never touches it. */
void cartesia_event_queue_release (CartesiaEventQueue * queue);
/* Waits until cartesia_event_queue_release() was called. */
void cartesia_event_queue_wait_released (CartesiaEventQueue * queue);

G_END_DECLS
