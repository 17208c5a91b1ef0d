/* gst-cartesia: transport layer, the websocket backend.
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * One websocket for every context: connect with retries and backoff (one
 * GTask, ws_connect_async() / ws_connect_finish()), send text frames, close
 * cleanly.  Reports up through CartesiaBackendEvents (cartesia-backend.h)
 * only.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cartesia-backend.h"
#include "cartesia-message.h"
#include "cartesia-net.h"
#include "cartesia-request.h"

#include <gst/gst.h>

GST_DEBUG_CATEGORY_STATIC (cartesia_ws_debug);
#define GST_CAT_DEFAULT cartesia_ws_debug

/* Once per process, whichever thread comes first. */
static void
init_debug (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (cartesia_ws_debug, "cartesiasession", 0,
        "Cartesia transport (libsoup)");
    g_once_init_leave (&done, 1);
  }
}

/* Cartesia's audio chunks are ~16 KiB of audio, ~22 KiB of JSON; libsoup's
 * default cap of 128 KiB would close the socket on a larger one.  Allow big
 * frames, but not unbounded ones. */
#define MAX_INCOMING_PAYLOAD (16 * 1024 * 1024)

typedef struct
{
  CartesiaBackend base;

  SoupWebsocketConnection *ws;
  gboolean connecting;
  guint attempt;                /* failed connection attempts in a row */
  gboolean heard;               /* the open socket brought a message */
  guint fruitless;              /* sockets in a row closed with none */
  GSource *retry_source;        /* the next attempt, or a reconnect */
  GTask *connect_task;          /* the connect under way (ws_connect_async()) */
  gchar *request_id;            /* X-Request-Id of the last handshake */
} CartesiaWs;

/* How a connect (ws_connect_async()) ended: with a socket, refused for good,
 * or cancelled (shutting down: nothing to do). */
typedef struct
{
  SoupWebsocketConnection *ws;  /* NULL if none came */
  CartesiaEvent *refused;       /* the error, naming no context */
  gboolean cancelled;
} ConnectResult;

static void start_connect (CartesiaWs * w);
static void attempt_connect (CartesiaWs * w);

static void
remember_request_id (CartesiaWs * w, SoupMessage * msg)
{
  const gchar *id = cartesia_net_response_request_id (msg);

  GST_INFO ("websocket handshake answered %u, X-Request-Id %s",
      soup_message_get_status (msg), GST_STR_NULL (id));
  g_free (w->request_id);
  w->request_id = g_strdup (id);
}

static void
on_ws_message (SoupWebsocketConnection * ws, gint type, GBytes * message,
    CartesiaWs * w)
{
  gsize len;
  const gchar *data = g_bytes_get_data (message, &len);
  const CartesiaBackendEvents *events = w->base.events;

  w->heard = TRUE;
  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    events->all_failed (w->base.conn, cartesia_event_new_error (NULL,
            g_get_monotonic_time (), CARTESIA_ERROR_DECODE, 0,
            g_strdup ("The server sent a binary websocket message; Cartesia "
                "sends JSON text"), NULL));
    return;
  }
  events->message (w->base.conn, data, len, NULL);
}

static void
drop_ws (CartesiaWs * w)
{
  if (w->ws == NULL)
    return;
  g_signal_handlers_disconnect_by_data (w->ws, w);
  g_clear_object (&w->ws);
}

static void
connect_result_free (gpointer data)
{
  ConnectResult *r = data;

  g_clear_object (&r->ws);
  cartesia_event_free (r->refused);
  g_free (r);
}

/* Ends the connect under way, once: the task returns (to on_connect_done()).
 * Takes @ws and @refused. */
static void
connect_end (CartesiaWs * w, SoupWebsocketConnection * ws,
    CartesiaEvent * refused, gboolean cancelled)
{
  GTask *task = g_steal_pointer (&w->connect_task);
  ConnectResult *r = g_new0 (ConnectResult, 1);

  r->ws = ws;
  r->refused = refused;
  r->cancelled = cancelled;
  g_task_return_pointer (task, r, connect_result_free);
  g_object_unref (task);
}

/* A reconnect after sockets that closed before any answer. */
static gboolean
on_reconnect_timeout (gpointer user_data)
{
  CartesiaWs *w = user_data;

  g_clear_pointer (&w->retry_source, g_source_unref);
  start_connect (w);
  return G_SOURCE_REMOVE;
}

/* The next attempt of the connect under way, after its backoff. */
static gboolean
on_attempt_timeout (gpointer user_data)
{
  CartesiaWs *w = user_data;

  g_clear_pointer (&w->retry_source, g_source_unref);
  attempt_connect (w);
  return G_SOURCE_REMOVE;
}

static void
on_ws_closed (SoupWebsocketConnection * ws, CartesiaWs * w)
{
  gushort code = soup_websocket_connection_get_close_code (ws);
  const gchar *reason = soup_websocket_connection_get_close_data (ws);
  g_autofree gchar *debug = g_strdup_printf ("close code %u, reason '%s'",
      code, GST_STR_NULL (reason));
  gboolean waiting;

  GST_INFO ("websocket closed: %s", debug);
  drop_ws (w);
  if (w->base.shutting_down) {
    w->base.events->stopped (w->base.conn);
    return;
  }
  /* An idle close between utterances is routine: the next send reconnects.
   * The connection sends again what lost nothing, and fails the rest. */
  waiting = w->base.events->closed (w->base.conn, debug);
  w->fruitless = w->heard ? 0 : w->fruitless + 1;
  if (!waiting)
    return;
  /* A server that takes the handshake and drops every socket before
   * answering: after the third time in a row, reconnect after a backoff
   * (with retries=-1 this was a spin). */
  if (w->fruitless > 3 && !w->retry_source) {
    guint delay = cartesia_policy_retry_delay_ms (w->base.policy,
        w->fruitless, NULL, w->base.rand);

    GST_INFO ("%u sockets in a row closed before any answer; reconnecting "
        "in %u ms", w->fruitless, delay);
    w->retry_source = cartesia_backend_schedule (&w->base, delay,
        on_reconnect_timeout, w);
    return;
  }
  start_connect (w);
}

static void
on_ws_error (SoupWebsocketConnection * ws, GError * error, CartesiaWs * w)
{
  GST_WARNING ("websocket error: %s", error->message);
}

/* The connection failed for good: the connection tells whoever waits, or
 * remembers it.  @net: the proxy or the certificate to blame, or NULL. */
static void
connect_refused (CartesiaWs * w, guint status, GError * error,
    const gchar * reason, const CartesiaNetFailure * net)
{
  gchar *text = NULL;
  CartesiaErrorKind kind;
  CartesiaEvent *event;
  guint tls_errors = 0;

  if (net) {
    kind = net->kind;
    text = w->attempt > 1 ? g_strdup_printf ("%s (after %u attempts)",
        net->text, w->attempt) : g_strdup (net->text);
    tls_errors = net->tls_errors;
  } else {
    kind = cartesia_policy_describe_failure (status, error, w->attempt,
        "connection", reason, &text);
  }
  w->attempt = 0;
  event = cartesia_event_new_error (NULL, g_get_monotonic_time (), kind,
      status, text, cartesia_net_failure_debug (NULL, status, error));
  event->tls_errors = tls_errors;
  event->request_id = g_strdup (w->request_id);
  connect_end (w, NULL, event, FALSE);
}

typedef struct
{
  CartesiaWs *w;
  guint status;
  GError *error;
  gchar *reason_phrase;
} Refusal;

static void
on_refusal_body (GObject * source, GAsyncResult * result, gpointer user_data)
{
  Refusal *r = user_data;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION
      (source), result, NULL);
  g_autofree gchar *reason = NULL;

  if (body && g_bytes_get_size (body) > 0)
    reason = cartesia_message_http_error_text (g_bytes_get_data (body, NULL),
        g_bytes_get_size (body));
  r->w->connecting = FALSE;
  if (!r->w->base.shutting_down)
    connect_refused (r->w, r->status, r->error,
        reason ? reason : r->reason_phrase, NULL);
  else
    connect_end (r->w, NULL, NULL, TRUE);
  g_clear_error (&r->error);
  g_free (r->reason_phrase);
  g_free (r);
}

/* libsoup does not keep the body of a refused websocket handshake, and the
 * server's words ("Invalid version ...") are what a user needs: ask for the
 * same URL once more as a plain GET, only to read them. */
static void
fetch_refusal_reason (CartesiaWs * w, SoupMessage * refused, guint status,
    GError * error)
{
  g_autofree gchar *url = cartesia_net_build_url (w->base.config->base_url,
      "/tts/websocket", FALSE);
  g_autoptr (SoupMessage) msg = cartesia_net_new_message (w->base.config,
      SOUP_METHOD_GET, url);
  Refusal *r = g_new0 (Refusal, 1);

  r->w = w;
  r->status = status;
  r->error = g_error_copy (error);
  r->reason_phrase = g_strdup (soup_message_get_reason_phrase (refused));
  /* Sends wait in the outbox meanwhile, instead of connecting again. */
  w->connecting = TRUE;
  soup_session_send_and_read_async (w->base.soup, msg, G_PRIORITY_DEFAULT,
      w->base.cancellable, on_refusal_body, r);
}

static void
connect_failed (CartesiaWs * w, SoupMessage * msg, GError * error)
{
  guint status = soup_message_get_status (msg);
  g_autofree gchar *debug = cartesia_net_failure_debug (msg, status, error);
  CartesiaNetFailure net;
  gboolean blamed = cartesia_net_explain (w->base.config, msg, status, error,
      &net);
  gboolean retry;

  remember_request_id (w, msg);
  w->attempt++;
  if (blamed)
    retry = net.retry && cartesia_policy_attempts_left (w->base.policy,
        w->attempt);
  else
    retry = cartesia_policy_should_retry (w->base.policy, w->attempt, status,
        error);
  if (retry) {
    guint delay = cartesia_policy_retry_delay_ms (w->base.policy, w->attempt,
        soup_message_headers_get_one (soup_message_get_response_headers
            (msg), "Retry-After"), w->base.rand);

    GST_INFO ("connection attempt %u failed (%s); retrying in %u ms",
        w->attempt, debug, delay);
    w->base.events->count (w->base.conn, NULL, 0, 1);
    w->retry_source = cartesia_backend_schedule (&w->base, delay,
        on_attempt_timeout, w);
    cartesia_net_failure_clear (&net);
    return;
  }

  if (!blamed && status >= 400 && status < 500) {
    fetch_refusal_reason (w, msg, status, error);
    return;
  }
  connect_refused (w, status, error, NULL, blamed ? &net : NULL);
  cartesia_net_failure_clear (&net);
}

static void
on_handshake (GObject * source, GAsyncResult * result, gpointer user_data)
{
  SoupMessage *msg = user_data;
  CartesiaWs *w = g_object_get_data (G_OBJECT (msg), "cartesia-ws");
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *ws;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result,
      &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_object_unref (msg);
    connect_end (w, NULL, NULL, TRUE);
    return;
  }
  w->connecting = FALSE;
  if (ws == NULL && !w->base.shutting_down) {
    connect_failed (w, msg, error);
    g_object_unref (msg);
    return;
  }
  if (ws)
    remember_request_id (w, msg);
  g_object_unref (msg);
  connect_end (w, ws, NULL, FALSE);
}

/* One handshake of the connect under way. */
static void
attempt_connect (CartesiaWs * w)
{
  g_autofree gchar *url = cartesia_net_build_url (w->base.config->base_url,
      "/tts/websocket", TRUE);
  SoupMessage *msg;

  GST_INFO ("connecting to %s (attempt %u)", url, w->attempt + 1);
  msg = cartesia_net_new_message (w->base.config, SOUP_METHOD_GET, url);
  g_object_set_data (G_OBJECT (msg), "cartesia-ws", w);

  w->connecting = TRUE;
  soup_session_websocket_connect_async (w->base.soup, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, w->base.cancellable, on_handshake, msg);
}

/* Connects, trying again with backoff while the policy allows: a GTask
 * whose result (ws_connect_finish()) is the socket, or the refusal. */
static void
ws_connect_async (CartesiaWs * w, GAsyncReadyCallback callback,
    gpointer user_data)
{
  w->connect_task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (w->connect_task, ws_connect_async);
  attempt_connect (w);
}

static ConnectResult *
ws_connect_finish (GAsyncResult * result)
{
  return g_task_propagate_pointer (G_TASK (result), NULL);
}

static void
on_connect_done (GObject * source, GAsyncResult * result, gpointer user_data)
{
  CartesiaWs *w = user_data;
  ConnectResult *r = ws_connect_finish (result);
  SoupWebsocketConnection *ws = g_steal_pointer (&r->ws);

  if (r->cancelled) {
    connect_result_free (r);
    return;
  }
  if (w->base.shutting_down) {
    /* Stopping: close what the handshake opened, cleanly (ws_shutdown). */
    connect_result_free (r);
    if (ws == NULL) {
      w->base.events->stopped (w->base.conn);
      return;
    }
    w->ws = ws;
    g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), w);
    soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    return;
  }
  if (r->refused) {
    w->base.events->refused (w->base.conn, g_steal_pointer (&r->refused));
    connect_result_free (r);
    return;
  }
  connect_result_free (r);

  GST_INFO ("websocket connected");
  w->attempt = 0;
  w->heard = FALSE;
  w->ws = ws;
  soup_websocket_connection_set_max_incoming_payload_size (ws,
      MAX_INCOMING_PAYLOAD);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), w);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), w);
  g_signal_connect (ws, "error", G_CALLBACK (on_ws_error), w);
  w->base.events->connected (w->base.conn);
}

static void
start_connect (CartesiaWs * w)
{
  if (w->ws || w->connecting || w->retry_source || w->connect_task
      || w->base.shutting_down)
    return;
  ws_connect_async (w, on_connect_done, w);
}

/* ---- the backend's interface ---- */

static void
ws_connect (CartesiaBackend * b)
{
  start_connect ((CartesiaWs *) b);
}

static gboolean
ws_is_open (CartesiaBackend * b)
{
  CartesiaWs *w = (CartesiaWs *) b;

  return w->ws && soup_websocket_connection_get_state (w->ws) ==
      SOUP_WEBSOCKET_STATE_OPEN;
}

static gboolean
ws_is_idle (CartesiaBackend * b)
{
  CartesiaWs *w = (CartesiaWs *) b;

  return w->ws == NULL && !w->connecting;
}

static void
ws_send (CartesiaBackend * b, const gchar * context_id, const gchar * text)
{
  soup_websocket_connection_send_text (((CartesiaWs *) b)->ws, text);
}

static void
ws_cancel (CartesiaBackend * b, const gchar * context_id,
    const gchar * wire_id)
{
  g_autofree gchar *cancel = NULL;

  if (!ws_is_open (b))
    return;
  cancel = cartesia_request_build_cancel (wire_id);
  soup_websocket_connection_send_text (((CartesiaWs *) b)->ws, cancel);
}

static gboolean
ws_retry_refused (CartesiaBackend * b, const gchar * context_id,
    guint status)
{
  /* The connection sends a refused context again itself. */
  return FALSE;
}

static const gchar *
ws_request_id (CartesiaBackend * b, const gchar * context_id)
{
  return ((CartesiaWs *) b)->request_id;
}

static CartesiaBackendStop
ws_shutdown (CartesiaBackend * b)
{
  CartesiaWs *w = (CartesiaWs *) b;

  b->shutting_down = TRUE;
  cartesia_backend_unschedule (&w->retry_source);
  /* A connect waiting for its next attempt ends here. */
  if (w->connect_task && !w->connecting)
    connect_end (w, NULL, NULL, TRUE);
  /* A handshake under way may already count as a connection on the
   * server: let it finish, and close what it opens cleanly (on_connected). */
  if (w->connecting && w->ws == NULL)
    return CARTESIA_BACKEND_STOPPING;
  g_cancellable_cancel (b->cancellable);
  if (!ws_is_open (b))
    return CARTESIA_BACKEND_STOPPED;
  soup_websocket_connection_close (w->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  return CARTESIA_BACKEND_STOPPING;
}

static void
ws_free (CartesiaBackend * b)
{
  CartesiaWs *w = (CartesiaWs *) b;

  drop_ws (w);
  cartesia_backend_unschedule (&w->retry_source);
  g_free (w->request_id);
  g_free (w);
}

static const CartesiaBackendClass ws_class = {
  .continues_contexts = TRUE,
  .connect = ws_connect,
  .is_open = ws_is_open,
  .is_idle = ws_is_idle,
  .send = ws_send,
  .cancel = ws_cancel,
  .retry_refused = ws_retry_refused,
  .request_id = ws_request_id,
  .shutdown = ws_shutdown,
  .free = ws_free,
};

CartesiaBackend *
cartesia_ws_new (void)
{
  CartesiaWs *w = g_new0 (CartesiaWs, 1);

  init_debug ();
  w->base.klass = &ws_class;
  return &w->base;
}
