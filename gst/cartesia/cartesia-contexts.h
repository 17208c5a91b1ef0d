/* gst-cartesia: transport layer, the contexts in flight on one connection.
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * The connection's thread only: the connection (cartesia-connection.c)
 * runs each operation posted to it through these functions.
 */
#pragma once

#include "cartesia-backend.h"
#include "cartesia-event-queue.h"
#include "cartesia-request.h"

G_BEGIN_DECLS

typedef struct _CartesiaContexts CartesiaContexts;

/* Takes over @backend's events.  @queue: the one queue of a private
 * connection, or NULL.  @rand, @loop and @cancellable stay the caller's. */
CartesiaContexts *cartesia_contexts_new (CartesiaBackend * backend,
    const CartesiaRetryPolicy * policy, GRand * rand, GMainLoop * loop,
    GCancellable * cancellable, CartesiaEventQueue * queue);
void cartesia_contexts_free (CartesiaContexts * contexts);

void cartesia_contexts_connect (CartesiaContexts * contexts);
/* Starts or continues @context_id of @queue with @input (taken). */
void cartesia_contexts_send (CartesiaContexts * contexts,
    CartesiaEventQueue * queue, const gchar * context_id,
    CartesiaRequestInput * input);
void cartesia_contexts_cancel (CartesiaContexts * contexts,
    const gchar * context_id);
void cartesia_contexts_attach (CartesiaContexts * contexts,
    CartesiaEventQueue * queue);
/* Cancels @queue's contexts, drops what it still had queued, and releases
 * it (cartesia_event_queue_release()). */
void cartesia_contexts_detach (CartesiaContexts * contexts,
    CartesiaEventQueue * queue);
/* Stops the backend; quits the loop once it is done (within a second). */
void cartesia_contexts_shutdown (CartesiaContexts * contexts);

G_END_DECLS
