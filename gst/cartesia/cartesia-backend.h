/* gst-cartesia: transport layer, the interface of a wire backend.
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * A backend puts requests on the wire and hands back what the server says:
 * cartesia-ws.c (one websocket for every context) and cartesia-sse-stream.c
 * (one SSE request per context).  The connection (cartesia-connection.c)
 * calls a backend through CartesiaBackendClass; a backend reports up only
 * through the CartesiaBackendEvents the connection gave it, never by
 * calling the connection.  Everything runs on the connection's thread.
 */
#pragma once

#include <libsoup/soup.h>
#include "cartesia-event.h"
#include "cartesia-policy.h"
#include "cartesia-session.h"

G_BEGIN_DECLS

typedef struct _CartesiaBackend CartesiaBackend;

/* What a backend tells the connection (@conn: the connection's data). */
typedef struct
{
  /* One server message; @context_id: the context it belongs to when the
   * message does not say (an SSE response serves one), or NULL. */
  void (*message) (gpointer conn, const gchar * text, gsize len,
      const gchar * context_id);
  /* The request of @context_id is with the server now. */
  void (*sent) (gpointer conn, const gchar * context_id);
  /* For the stats of @context_id's owner (NULL: of every handle). */
  void (*count) (gpointer conn, const gchar * context_id, guint connections,
      guint retries);
  /* TRUE while @context_id is open; @got_output: whether the server sent
   * anything for it. */
  gboolean (*context_open) (gpointer conn, const gchar * context_id,
      gboolean * got_output);
  /* @context_id failed (its request will not be retried): @error, taken,
   * names the context. */
  void (*context_failed) (gpointer conn, CartesiaEvent * error);
  /* Every open context failed: @error (taken) names none. */
  void (*all_failed) (gpointer conn, CartesiaEvent * error);
  /* The socket is open: requests may go. */
  void (*connected) (gpointer conn);
  /* Connecting failed for good: @error (taken) names no context. */
  void (*refused) (gpointer conn, CartesiaEvent * error);
  /* The socket closed (@debug: why).  TRUE if requests wait for a new one. */
  gboolean (*closed) (gpointer conn, const gchar * debug);
  /* Shutting down is over: the thread may end. */
  void (*stopped) (gpointer conn);
} CartesiaBackendEvents;

typedef enum
{
  CARTESIA_BACKEND_STOPPED,     /* nothing left: the thread may end now */
  CARTESIA_BACKEND_STOPPING,    /* events->stopped() comes later */
} CartesiaBackendStop;

typedef struct
{
  /* One context spans several requests (a websocket continues contexts);
   * FALSE: each request is a context of its own (SSE). */
  gboolean continues_contexts;
  /* Opens the connection ahead of the first request. */
  void (*connect) (CartesiaBackend * backend);
  /* A socket is open to send on now. */
  gboolean (*is_open) (CartesiaBackend * backend);
  /* Neither open nor opening: no attempt under way. */
  gboolean (*is_idle) (CartesiaBackend * backend);
  /* Sends @text for @context_id; a websocket only when is_open. */
  void (*send) (CartesiaBackend * backend, const gchar * context_id,
      const gchar * text);
  /* Stops @context_id on the server; @wire_id: its id on the wire. */
  void (*cancel) (CartesiaBackend * backend, const gchar * context_id,
      const gchar * wire_id);
  /* The server refused @context_id with @status before any output: TRUE
   * if the backend tries its request again itself. */
  gboolean (*retry_refused) (CartesiaBackend * backend,
      const gchar * context_id, guint status);
  /* The server's id of the request that @context_id went with, or NULL. */
  const gchar *(*request_id) (CartesiaBackend * backend,
      const gchar * context_id);
  CartesiaBackendStop (*shutdown) (CartesiaBackend * backend);
  void (*free) (CartesiaBackend * backend);
} CartesiaBackendClass;

/* What every backend has; each embeds it first. */
struct _CartesiaBackend
{
  const CartesiaBackendClass *klass;
  const CartesiaSessionConfig *config;  /* the connection's */
  const CartesiaRetryPolicy *policy;
  GRand *rand;                  /* the backoff's jitter */
  GMainContext *context;        /* the connection's thread's */
  SoupSession *soup;            /* set once the thread runs */
  GCancellable *cancellable;    /* cancelled when shutting down */
  const CartesiaBackendEvents *events;
  gpointer conn;                /* passed to every event */
  gboolean shutting_down;
};

/* cartesia-ws.c */
CartesiaBackend *cartesia_ws_new (void);
/* cartesia-sse-stream.c */
CartesiaBackend *cartesia_sse_stream_new (void);

/* A timeout on @backend's context; the caller keeps the returned ref. */
static inline GSource *
cartesia_backend_schedule (CartesiaBackend * backend, guint delay_ms,
    GSourceFunc func, gpointer data)
{
  GSource *source = g_timeout_source_new (delay_ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, backend->context);
  return source;
}

static inline void
cartesia_backend_unschedule (GSource ** source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

G_END_DECLS
