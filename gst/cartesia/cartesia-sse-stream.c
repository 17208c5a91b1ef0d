/* gst-cartesia: transport layer, the SSE backend.
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * One POST per context, its text/event-stream read as it comes, retried
 * with backoff while nothing was heard of it.  Each request is a GTask
 * (sse_request_async() / sse_request_finish()) that owns its SseRequest:
 * the request is in the table of requests in flight until it ends
 * (sse_request_end(), exactly once), and is freed with its task.  Reports
 * up through CartesiaBackendEvents (cartesia-backend.h) only.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cartesia-backend.h"
#include "cartesia-message.h"
#include "cartesia-net.h"
#include "cartesia-sse.h"

#include <gst/gst.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (cartesia_sse_stream_debug);
#define GST_CAT_DEFAULT cartesia_sse_stream_debug

/* Once per process, whichever thread comes first. */
static void
init_debug (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (cartesia_sse_stream_debug, "cartesiasession", 0,
        "Cartesia transport (libsoup)");
    g_once_init_leave (&done, 1);
  }
}

/* Cartesia's SSE events hold one chunk of base64 audio each: a few tens of
 * KiB.  Anything far larger is not an event this client can use. */
#define SSE_MAX_EVENT (8 * 1024 * 1024)
#define SSE_READ_SIZE (64 * 1024)
#define SSE_MAX_ERROR_BODY (64 * 1024)

typedef struct
{
  CartesiaBackend base;
  GHashTable *requests;         /* context id -> SseRequest in flight (the
                                 * task owns it) */
} CartesiaSseStream;

/* One SSE request: one utterance. */
typedef struct
{
  CartesiaSseStream *sse;
  GTask *task;                  /* owns this; NULL once ended */
  gchar *context_id;
  gchar *body;
  guint attempt;                /* failed attempts so far */
  SoupMessage *msg;
  GInputStream *stream;
  GCancellable *cancellable;
  GSource *retry_source;
  guint refused_status;         /* an error event asked for a retry */
  CartesiaSseParser *parser;
  GByteArray *error_body;
} SseRequest;

static void sse_send (SseRequest * req);

static gboolean
context_open (SseRequest * req, gboolean * got_output)
{
  CartesiaBackend *b = &req->sse->base;

  return b->events->context_open (b->conn, req->context_id, got_output);
}

/* The task's data: freed with the task, after it ended. */
static void
sse_request_free (gpointer data)
{
  SseRequest *req = data;

  cartesia_backend_unschedule (&req->retry_source);
  g_clear_object (&req->msg);
  g_clear_object (&req->stream);
  g_clear_object (&req->cancellable);
  g_clear_pointer (&req->parser, cartesia_sse_parser_free);
  if (req->error_body)
    g_byte_array_unref (req->error_body);
  g_free (req->context_id);
  g_free (req->body);
  g_free (req);
}

/* Ends @req's task, once: with @error (taken), or NULL when the request
 * is over without one (done, cancelled, or its context ended). */
static void
sse_request_end (SseRequest * req, CartesiaEvent * error)
{
  GTask *task = g_steal_pointer (&req->task);

  if (g_hash_table_lookup (req->sse->requests, req->context_id) == req)
    g_hash_table_remove (req->sse->requests, req->context_id);
  cartesia_backend_unschedule (&req->retry_source);
  g_task_return_pointer (task, error, (GDestroyNotify) cartesia_event_free);
  g_object_unref (task);
}

/* Ends @req with an error for its context. */
static void
sse_fail (SseRequest * req, CartesiaErrorKind kind, guint status, gchar * text,
    gchar * debug, guint tls_errors)
{
  CartesiaEvent *event = cartesia_event_new_error (req->context_id,
      g_get_monotonic_time (), kind, status, text, debug);

  event->tls_errors = tls_errors;
  /* Its answer's X-Request-Id: the request is out of the table once ended. */
  event->request_id = g_strdup (cartesia_net_response_request_id (req->msg));
  sse_request_end (req, event);
}

static gboolean
on_sse_event (const gchar * event_type, const gchar * data, gsize len,
    gpointer user_data)
{
  SseRequest *req = user_data;
  CartesiaBackend *b = &req->sse->base;

  b->events->message (b->conn, data, len, req->context_id);
  /* Once the context is over (done, error), the rest is of no use. */
  return !req->refused_status && context_open (req, NULL);
}

static void sse_request_failed (SseRequest * req, guint status,
    GError * error);

/* The response broke off.  Before any output the utterance lost nothing:
 * retry it like a refused request; after, it cannot be resumed. */
static void
sse_cut (SseRequest * req, GError * error)
{
  gboolean got_output = FALSE;
  gboolean started = !context_open (req, &got_output) || got_output;

  if (!started && cartesia_policy_should_retry (req->sse->base.policy,
          req->attempt + 1, 0, error)) {
    sse_request_failed (req, 0, error);
    return;
  }
  sse_fail (req, CARTESIA_ERROR_READ, 0, g_strdup (!started ?
          "The server broke off the event stream before the utterance "
          "started, too often" : g_error_matches (error, G_IO_ERROR,
              G_IO_ERROR_CONNECTION_CLOSED) ? "The server ended the event "
          "stream before the utterance was done (truncated)" :
          "The connection to the server was lost in the middle of an "
          "utterance"), g_strdup (error->message), 0);
}

static void
on_sse_read (GObject * source, GAsyncResult * result, gpointer user_data)
{
  SseRequest *req = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = g_input_stream_read_bytes_finish (req->stream,
      result, &error);
  gsize len;
  const gchar *data;

  if (bytes == NULL) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      sse_request_end (req, NULL);
    else
      sse_cut (req, error);
    return;
  }

  data = g_bytes_get_data (bytes, &len);
  if (len == 0) {
    /* A clean end comes after done or error, which stop reading before. */
    g_autoptr (GError) cut = NULL;

    cartesia_sse_parser_finish (req->parser, &error);
    cut = g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
        "end of stream without done%s%s", error ? ": " : "",
        error ? error->message : "");
    sse_cut (req, cut);
    return;
  }
  if (!cartesia_sse_parser_feed (req->parser, data, len, on_sse_event, req,
          &error)) {
    if (error)
      sse_fail (req, CARTESIA_ERROR_DECODE, 0, g_strdup ("The server sent "
              "an event stream that could not be read"),
          g_strdup (error->message), 0);
    else if (req->refused_status)
      sse_request_failed (req, req->refused_status, NULL);
    else
      sse_request_end (req, NULL);      /* done, or failed: nothing more to read */
    return;
  }
  g_input_stream_read_bytes_async (req->stream, SSE_READ_SIZE,
      G_PRIORITY_DEFAULT, req->cancellable, on_sse_read, req);
}

static gboolean
on_sse_retry (gpointer user_data)
{
  SseRequest *req = user_data;

  g_clear_pointer (&req->retry_source, g_source_unref);
  sse_send (req);
  return G_SOURCE_REMOVE;
}

/* The request failed before any event: retry it, or fail the context. */
static void
sse_request_failed (SseRequest * req, guint status, GError * error)
{
  CartesiaBackend *b = &req->sse->base;
  g_autofree gchar *details = NULL;
  gchar *text = NULL, *debug;
  CartesiaErrorKind kind;
  guint tls_errors = 0;
  CartesiaNetFailure net;
  gboolean blamed = cartesia_net_explain (b->config, req->msg, status,
      error, &net);
  gboolean retry;

  req->attempt++;
  if (req->error_body)
    details = cartesia_message_http_error_text ((const gchar *)
        req->error_body->data, req->error_body->len);
  debug = cartesia_net_failure_debug (req->msg, status, error);

  if (blamed)
    retry = net.retry && cartesia_policy_attempts_left (b->policy,
        req->attempt);
  else
    retry = cartesia_policy_should_retry (b->policy, req->attempt, status,
        error);
  if (retry) {
    guint delay = cartesia_policy_retry_delay_ms (b->policy, req->attempt,
        req->msg ? soup_message_headers_get_one
        (soup_message_get_response_headers (req->msg), "Retry-After") : NULL,
        b->rand);

    GST_INFO ("SSE attempt %u for context %s failed (%s); retrying in %u ms",
        req->attempt, req->context_id, debug, delay);
    b->events->count (b->conn, req->context_id, 0, 1);
    g_free (debug);
    g_clear_object (&req->stream);
    g_clear_pointer (&req->parser, cartesia_sse_parser_free);
    req->refused_status = 0;
    if (req->error_body)
      g_byte_array_set_size (req->error_body, 0);
    req->retry_source = cartesia_backend_schedule (b, delay, on_sse_retry,
        req);
    cartesia_net_failure_clear (&net);
    return;
  }
  if (blamed) {
    kind = net.kind;
    text = req->attempt > 1 ? g_strdup_printf ("%s (after %u attempts)",
        net.text, req->attempt) : g_strdup (net.text);
    tls_errors = net.tls_errors;
  } else {
    kind = cartesia_policy_describe_failure (status, error, req->attempt,
        "request", details, &text);
  }
  cartesia_net_failure_clear (&net);
  sse_fail (req, kind, status, text, debug, tls_errors);
}

/* Reads an error response's body (bounded) to tell the user what it says. */
static void
on_sse_error_body (GObject * source, GAsyncResult * result, gpointer user_data)
{
  SseRequest *req = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = g_input_stream_read_bytes_finish (req->stream,
      result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    sse_request_end (req, NULL);
    return;
  }
  if (bytes && g_bytes_get_size (bytes) > 0
      && req->error_body->len < SSE_MAX_ERROR_BODY) {
    g_byte_array_append (req->error_body, g_bytes_get_data (bytes, NULL),
        g_bytes_get_size (bytes));
    g_input_stream_read_bytes_async (req->stream, 4096, G_PRIORITY_DEFAULT,
        req->cancellable, on_sse_error_body, req);
    return;
  }
  sse_request_failed (req, soup_message_get_status (req->msg), NULL);
}

static void
on_sse_sent (GObject * source, GAsyncResult * result, gpointer user_data)
{
  SseRequest *req = user_data;
  CartesiaBackend *b = &req->sse->base;
  g_autoptr (GError) error = NULL;
  guint status;

  req->stream = soup_session_send_finish (SOUP_SESSION (source), result,
      &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    sse_request_end (req, NULL);
    return;
  }
  if (req->stream == NULL) {
    sse_request_failed (req, 0, error);
    return;
  }
  status = soup_message_get_status (req->msg);
  GST_INFO ("SSE request for context %s answered %u, X-Request-Id %s",
      req->context_id, status,
      GST_STR_NULL (cartesia_net_response_request_id (req->msg)));
  if (status != SOUP_STATUS_OK) {
    if (req->error_body == NULL)
      req->error_body = g_byte_array_new ();
    g_input_stream_read_bytes_async (req->stream, 4096, G_PRIORITY_DEFAULT,
        req->cancellable, on_sse_error_body, req);
    return;
  }
  GST_DEBUG ("SSE stream for context %s open", req->context_id);
  b->events->count (b->conn, req->context_id, 1, 0);
  b->events->sent (b->conn, req->context_id);
  req->parser = cartesia_sse_parser_new (SSE_MAX_EVENT);
  g_input_stream_read_bytes_async (req->stream, SSE_READ_SIZE,
      G_PRIORITY_DEFAULT, req->cancellable, on_sse_read, req);
}

static void
sse_send (SseRequest * req)
{
  CartesiaBackend *b = &req->sse->base;
  g_autofree gchar *url = cartesia_net_build_url (b->config->base_url,
      "/tts/sse", FALSE);
  g_autoptr (GBytes) body = g_bytes_new (req->body, strlen (req->body));

  g_clear_object (&req->msg);
  req->msg = cartesia_net_new_message (b->config, SOUP_METHOD_POST, url);
  soup_message_headers_replace (soup_message_get_request_headers (req->msg),
      "Accept", "text/event-stream");
  cartesia_net_set_body (req->msg, "application/json", body);
  GST_INFO ("POST %s for context %s (attempt %u)", url, req->context_id,
      req->attempt + 1);
  soup_session_send_async (b->soup, req->msg, G_PRIORITY_DEFAULT,
      req->cancellable, on_sse_sent, req);
}

/* Stops @req: callbacks in flight see the cancellation and end it. */
static void
sse_cancel (SseRequest * req)
{
  if (req->retry_source)
    sse_request_end (req, NULL);
  else
    g_cancellable_cancel (req->cancellable);
}

/* ---- the backend's interface ---- */

/* Opens the TCP (and TLS) connection ahead of the first POST. */
static void
sse_connect (CartesiaBackend * b)
{
  g_autofree gchar *url = cartesia_net_build_url (b->config->base_url,
      "/tts/sse", FALSE);
  g_autoptr (SoupMessage) msg = cartesia_net_new_message (b->config,
      SOUP_METHOD_POST, url);

  soup_session_preconnect_async (b->soup, msg, G_PRIORITY_DEFAULT,
      b->cancellable, NULL, NULL);
}

static gboolean
sse_is_open (CartesiaBackend * b)
{
  /* No socket stays open between requests. */
  return FALSE;
}

static gboolean
sse_is_idle (CartesiaBackend * b)
{
  return TRUE;
}

/* One request for @context_id with @body: retried while it may be, its
 * events reported as they come; @callback when it is over. */
static void
sse_request_async (CartesiaSseStream * sse, const gchar * context_id,
    const gchar * body, GAsyncReadyCallback callback, gpointer user_data)
{
  SseRequest *req = g_new0 (SseRequest, 1);

  req->sse = sse;
  req->context_id = g_strdup (context_id);
  req->body = g_strdup (body);
  req->cancellable = g_cancellable_new ();
  req->task = g_task_new (NULL, req->cancellable, callback, user_data);
  g_task_set_source_tag (req->task, sse_request_async);
  g_task_set_task_data (req->task, req, sse_request_free);
  g_hash_table_insert (sse->requests, req->context_id, req);
  sse_send (req);
}

/* NULL when the request is over without an error for its context (done,
 * cancelled); else the error (its context named), to free. */
static CartesiaEvent *
sse_request_finish (GAsyncResult * result)
{
  return g_task_propagate_pointer (G_TASK (result), NULL);
}

static void
on_request_done (GObject * source, GAsyncResult * result, gpointer user_data)
{
  CartesiaBackend *b = user_data;
  CartesiaEvent *error = sse_request_finish (result);

  /* Unless something else ended the context first. */
  if (error && b->events->context_open (b->conn, error->context_id, NULL))
    b->events->context_failed (b->conn, error);
  else
    cartesia_event_free (error);
}

static void
sse_start (CartesiaBackend * b, const gchar * context_id, const gchar * body)
{
  sse_request_async ((CartesiaSseStream *) b, context_id, body,
      on_request_done, b);
}

static void
sse_stop_context (CartesiaBackend * b, const gchar * context_id,
    const gchar * wire_id)
{
  SseRequest *req = g_hash_table_lookup (((CartesiaSseStream *)
          b)->requests, context_id);

  if (req)
    sse_cancel (req);
}

/* The request itself is retried once its stream is closed. */
static gboolean
sse_retry_refused (CartesiaBackend * b, const gchar * context_id,
    guint status)
{
  SseRequest *req = g_hash_table_lookup (((CartesiaSseStream *)
          b)->requests, context_id);

  if (req == NULL || !cartesia_policy_should_retry (b->policy,
          req->attempt + 1, status, NULL))
    return FALSE;
  req->refused_status = status;
  return TRUE;
}

static const gchar *
sse_request_id (CartesiaBackend * b, const gchar * context_id)
{
  SseRequest *req = context_id ? g_hash_table_lookup (((CartesiaSseStream *)
          b)->requests, context_id) : NULL;

  return req ? cartesia_net_response_request_id (req->msg) : NULL;
}

static CartesiaBackendStop
sse_shutdown (CartesiaBackend * b)
{
  CartesiaSseStream *sse = (CartesiaSseStream *) b;
  GList *reqs = g_hash_table_get_values (sse->requests), *l;

  b->shutting_down = TRUE;
  for (l = reqs; l; l = l->next)
    sse_cancel (l->data);
  g_list_free (reqs);
  g_cancellable_cancel (b->cancellable);
  return CARTESIA_BACKEND_STOPPED;
}

static void
sse_free (CartesiaBackend * b)
{
  CartesiaSseStream *sse = (CartesiaSseStream *) b;

  g_hash_table_unref (sse->requests);
  g_free (sse);
}

static const CartesiaBackendClass sse_class = {
  .continues_contexts = FALSE,
  .connect = sse_connect,
  .is_open = sse_is_open,
  .is_idle = sse_is_idle,
  .send = sse_start,
  .cancel = sse_stop_context,
  .retry_refused = sse_retry_refused,
  .request_id = sse_request_id,
  .shutdown = sse_shutdown,
  .free = sse_free,
};

CartesiaBackend *
cartesia_sse_stream_new (void)
{
  CartesiaSseStream *sse = g_new0 (CartesiaSseStream, 1);

  init_debug ();
  sse->base.klass = &sse_class;
  sse->requests = g_hash_table_new (g_str_hash, g_str_equal);
  return &sse->base;
}
