/* gst-cartesia: transport layer, one connection to the server.
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * Everything that touches libsoup runs on the connection's thread, inside
 * its own GMainContext.  Other threads reach it by attaching idle sources to
 * that context (never g_main_context_invoke(), which would run the call on
 * the caller's thread whenever the context happens to be free), and read
 * its results from their event queues (cartesia-event-queue.c).  On the
 * thread, the contexts in flight (cartesia-contexts.c) run each operation
 * with the wire backend (cartesia-ws.c or cartesia-sse-stream.c).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cartesia-connection.h"
#include "cartesia-backend.h"
#include "cartesia-contexts.h"
#include "cartesia-net.h"

#include <gst/gst.h>
#include <string.h>

struct _CartesiaConnection
{
  CartesiaSessionConfig config;
  CartesiaRetryPolicy policy;   /* config's retries and backoff */
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  gboolean continues_contexts;  /* the backend's, for any thread */
  GRand *rand;                  /* the backoff's jitter */
  GCancellable *cancellable;

  /* The connection's thread only, until it ends. */
  CartesiaBackend *backend;
  CartesiaContexts *contexts;
};

typedef enum
{
  CONNECTION_OP_CONNECT,
  CONNECTION_OP_SEND,
  CONNECTION_OP_CANCEL,
  CONNECTION_OP_SHUTDOWN,
  CONNECTION_OP_ATTACH,
  CONNECTION_OP_DETACH,
} ConnectionOpType;

/* Work posted to the connection's thread. */
typedef struct
{
  CartesiaConnection *conn;
  CartesiaEventQueue *queue;    /* whose request, or NULL */
  ConnectionOpType type;
  gchar *context_id;
  CartesiaRequestInput *input; /* SEND */
} ConnectionOp;

static void
connection_op_free (gpointer data)
{
  ConnectionOp *op = data;

  g_free (op->context_id);
  cartesia_request_input_free (op->input);
  g_free (op);
}

static gboolean
run_op (gpointer data)
{
  ConnectionOp *op = data;
  CartesiaConnection *s = op->conn;

  switch (op->type) {
    case CONNECTION_OP_CONNECT:
      cartesia_contexts_connect (s->contexts);
      break;
    case CONNECTION_OP_SEND:
      cartesia_contexts_send (s->contexts, op->queue, op->context_id,
          g_steal_pointer (&op->input));
      break;
    case CONNECTION_OP_CANCEL:
      cartesia_contexts_cancel (s->contexts, op->context_id);
      break;
    case CONNECTION_OP_SHUTDOWN:
      cartesia_contexts_shutdown (s->contexts);
      break;
    case CONNECTION_OP_ATTACH:
      cartesia_contexts_attach (s->contexts, op->queue);
      break;
    case CONNECTION_OP_DETACH:
      cartesia_contexts_detach (s->contexts, op->queue);
      break;
  }
  return G_SOURCE_REMOVE;
}

/* Ops run on the connection's thread in the order they were posted (idle
 * sources of one priority are dispatched first come, first served). */
static void
post_op (CartesiaConnection * s, CartesiaEventQueue * q,
    ConnectionOpType type, const gchar * context_id,
    CartesiaRequestInput * input)
{
  ConnectionOp *op = g_new0 (ConnectionOp, 1);
  GSource *source = g_idle_source_new ();

  op->conn = s;
  op->queue = q;
  op->type = type;
  op->context_id = g_strdup (context_id);
  op->input = input;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, run_op, op, connection_op_free);
  g_source_attach (source, s->context);
  g_source_unref (source);
}

/* ---- the thread ---- */

static gpointer
connection_thread (gpointer data)
{
  CartesiaConnection *s = data;
  SoupSession *soup;

  g_main_context_push_thread_default (s->context);
  s->backend->soup = cartesia_net_session_new (&s->config);
  g_main_loop_run (s->loop);

  /* Tear down on the thread that owns the objects.  Cancelled operations
   * deliver their callbacks first (a late handshake may still hand over a
   * socket), then the backend with its socket, and the session go. */
  g_cancellable_cancel (s->cancellable);
  soup_session_abort (s->backend->soup);
  while (g_main_context_iteration (s->context, FALSE));
  soup = s->backend->soup;
  s->backend->klass->free (s->backend);
  g_object_unref (soup);
  while (g_main_context_iteration (s->context, FALSE));
  g_main_context_pop_thread_default (s->context);
  return NULL;
}

static void
copy_config (CartesiaSessionConfig * dst, const CartesiaSessionConfig * src)
{
  *dst = *src;
  dst->base_url = g_strdup (src->base_url);
  dst->api_key = g_strdup (src->api_key);
  dst->cartesia_version = g_strdup (src->cartesia_version);
  dst->user_agent = g_strdup (src->user_agent);
  dst->proxy = g_strdup (src->proxy);
  dst->proxy_id = g_strdup (src->proxy_id);
  dst->proxy_pw = g_strdup (src->proxy_pw);
  if (src->tls_database)
    g_object_ref (src->tls_database);
  if (src->tls_interaction)
    g_object_ref (src->tls_interaction);
}

static void
clear_secret (gchar * secret)
{
  if (secret)
    memset (secret, 0, strlen (secret));
  g_free (secret);
}

static void
clear_config (CartesiaSessionConfig * c)
{
  g_free (c->base_url);
  /* The key is a secret: do not leave it lying in freed memory. */
  clear_secret (c->api_key);
  g_free (c->cartesia_version);
  g_free (c->user_agent);
  g_free (c->proxy);
  g_free (c->proxy_id);
  clear_secret (c->proxy_pw);
  g_clear_object (&c->tls_database);
  g_clear_object (&c->tls_interaction);
}

CartesiaConnection *
cartesia_connection_new (const CartesiaSessionConfig * config,
    CartesiaEventQueue * queue)
{
  CartesiaConnection *s = g_new0 (CartesiaConnection, 1);
  CartesiaBackend *b;

  copy_config (&s->config, config);
  s->policy.retries = config->retries;
  s->policy.backoff_factor = config->retry_backoff_factor;
  s->policy.backoff_max = config->retry_backoff_max;
  s->rand = g_rand_new ();
  s->context = g_main_context_new ();
  s->loop = g_main_loop_new (s->context, FALSE);
  s->cancellable = g_cancellable_new ();
  b = config->transport == CARTESIA_TRANSPORT_SSE ?
      cartesia_sse_stream_new () : cartesia_ws_new ();
  b->config = &s->config;
  b->policy = &s->policy;
  b->rand = s->rand;
  b->context = s->context;
  b->cancellable = s->cancellable;
  s->backend = b;
  s->continues_contexts = b->klass->continues_contexts;
  /* The thread is not running yet: @queue needs no op to attach. */
  s->contexts = cartesia_contexts_new (b, &s->policy, s->rand, s->loop,
      s->cancellable, queue);
  s->thread = g_thread_new ("cartesia-session", connection_thread, s);
  return s;
}

void
cartesia_connection_free (CartesiaConnection * s)
{
  post_op (s, NULL, CONNECTION_OP_SHUTDOWN, NULL, NULL);
  g_thread_join (s->thread);

  cartesia_contexts_free (s->contexts);
  g_rand_free (s->rand);
  g_object_unref (s->cancellable);
  g_main_loop_unref (s->loop);
  g_main_context_unref (s->context);
  clear_config (&s->config);
  g_free (s);
}

void
cartesia_connection_attach (CartesiaConnection * s, CartesiaEventQueue * q)
{
  post_op (s, q, CONNECTION_OP_ATTACH, NULL, NULL);
}

void
cartesia_connection_detach (CartesiaConnection * s, CartesiaEventQueue * q)
{
  post_op (s, q, CONNECTION_OP_DETACH, NULL, NULL);
}

void
cartesia_connection_connect (CartesiaConnection * s, CartesiaEventQueue * q)
{
  post_op (s, q, CONNECTION_OP_CONNECT, NULL, NULL);
}

void
cartesia_connection_send (CartesiaConnection * s, CartesiaEventQueue * q,
    const gchar * context_id, CartesiaRequestInput * input)
{
  post_op (s, q, CONNECTION_OP_SEND, context_id, input);
}

void
cartesia_connection_cancel (CartesiaConnection * s, CartesiaEventQueue * q,
    const gchar * context_id)
{
  post_op (s, q, CONNECTION_OP_CANCEL, context_id, NULL);
}

gboolean
cartesia_connection_continues_contexts (CartesiaConnection * s)
{
  /* Set before the thread starts and never changed: safe from any thread. */
  return s->continues_contexts;
}
