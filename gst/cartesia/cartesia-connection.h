/* gst-cartesia: transport layer, one connection to the server.
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * A thread with a GMainContext of its own, the SoupSession, a wire backend
 * (cartesia-ws.c or cartesia-sse-stream.c), the contexts in flight and the
 * event queues of the elements that use it.  The functions below are safe
 * from any thread: each posts an operation to the connection's thread,
 * which runs them in the order they were posted.
 */
#pragma once

#include "cartesia-event-queue.h"
#include "cartesia-request.h"
#include "cartesia-session.h"

G_BEGIN_DECLS

typedef struct _CartesiaConnection CartesiaConnection;

/* Starts the thread.  Copies @config.  @queue: the one queue of a private
 * connection (attached at once), or NULL for a shared one. */
CartesiaConnection *cartesia_connection_new (const CartesiaSessionConfig *
    config, CartesiaEventQueue * queue);

/* Cancels everything, closes the socket cleanly (bounded wait), joins the
 * thread and frees @conn. */
void cartesia_connection_free (CartesiaConnection * conn);

/* Events of the contexts that @queue sends go to @queue; those that name no
 * context go to every queue attached. */
void cartesia_connection_attach (CartesiaConnection * conn,
    CartesiaEventQueue * queue);
/* Cancels @queue's contexts and lets go of it:
 * cartesia_event_queue_wait_released() returns once that is done. */
void cartesia_connection_detach (CartesiaConnection * conn,
    CartesiaEventQueue * queue);

void cartesia_connection_connect (CartesiaConnection * conn,
    CartesiaEventQueue * queue);
/* Starts or continues @context_id with @input (taken). */
void cartesia_connection_send (CartesiaConnection * conn,
    CartesiaEventQueue * queue, const gchar * context_id,
    CartesiaRequestInput * input);
void cartesia_connection_cancel (CartesiaConnection * conn,
    CartesiaEventQueue * queue, const gchar * context_id);

/* TRUE when one context spans several requests (websocket); FALSE when
 * each request is a context of its own (SSE). */
gboolean cartesia_connection_continues_contexts (CartesiaConnection * conn);

G_END_DECLS
