/* gst-cartesia: transport layer.
 *
 * Everything that touches libsoup runs on the session thread, inside its own
 * GMainContext.  Other threads reach it by attaching idle sources to that
 * context (never g_main_context_invoke(), which would run the call on the
 * caller's thread whenever the context happens to be free), and read its
 * results from the event queue, guarded by @lock.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cartesia-session.h"
#include "cartesia-message.h"
#include "cartesia-request.h"

#include <gst/gst.h>
#include <libsoup/soup.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (cartesia_session_debug);
#define GST_CAT_DEFAULT cartesia_session_debug

/* Cartesia's audio chunks are ~16 KiB of audio, ~22 KiB of JSON; libsoup's
 * default cap of 128 KiB would close the socket on a larger one.  Allow big
 * frames, but not unbounded ones. */
#define MAX_INCOMING_PAYLOAD (16 * 1024 * 1024)
/* How long a clean close may wait for the server's close frame. */
#define CLOSE_WAIT_MS 1000

struct _CartesiaSession
{
  CartesiaSessionConfig config;
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;

  /* Session thread only. */
  SoupSession *soup;
  SoupWebsocketConnection *ws;
  GCancellable *cancellable;
  gboolean connecting;
  gboolean shutting_down;
  guint attempt;                /* failed connection attempts in a row */
  GSource *retry_source;
  GQueue outbox;                /* Ops (requests) waiting for the socket */
  GHashTable *contexts;         /* ids of the contexts still expecting output */

  /* Shared with the element. */
  GMutex lock;
  GCond cond;
  GQueue events;
  gboolean flushing;
};

typedef enum
{
  OP_CONNECT,
  OP_SEND,
  OP_CANCEL,
  OP_SHUTDOWN,
} OpType;

typedef struct
{
  CartesiaSession *session;
  OpType type;
  gchar *context_id;
  gchar *request;
} Op;

static void op_free (gpointer data);
static void start_connect (CartesiaSession * s);

void
cartesia_event_free (CartesiaEvent * event)
{
  if (event == NULL)
    return;
  g_free (event->context_id);
  if (event->audio)
    g_bytes_unref (event->audio);
  g_strfreev (event->words);
  g_free (event->word_start);
  g_free (event->word_end);
  g_free (event->error_text);
  g_free (event->error_debug);
  g_free (event);
}

static CartesiaEvent *
event_new (CartesiaEventType type, const gchar * context_id)
{
  CartesiaEvent *event = g_new0 (CartesiaEvent, 1);

  event->type = type;
  event->context_id = g_strdup (context_id);
  return event;
}

static void
push_event (CartesiaSession * s, CartesiaEvent * event)
{
  g_mutex_lock (&s->lock);
  g_queue_push_tail (&s->events, event);
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}

static void
push_error (CartesiaSession * s, const gchar * context_id,
    CartesiaErrorKind kind, guint http_status, gchar * text, gchar * debug)
{
  CartesiaEvent *event = event_new (CARTESIA_EVENT_ERROR, context_id);

  GST_WARNING ("context %s: %s (%s)", GST_STR_NULL (context_id), text,
      GST_STR_NULL (debug));
  event->error_kind = kind;
  event->http_status = http_status;
  event->error_text = text;
  event->error_debug = debug;
  push_event (s, event);
}

/* Fails every context still waiting for output, e.g. when the socket is gone. */
static void
fail_all_contexts (CartesiaSession * s, CartesiaErrorKind kind,
    guint http_status, const gchar * text, const gchar * debug)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, s->contexts);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    push_error (s, key, kind, http_status, g_strdup (text), g_strdup (debug));
  g_hash_table_remove_all (s->contexts);
  g_queue_clear_full (&s->outbox, op_free);
}

gboolean
cartesia_session_check_base_url (const gchar * base_url, GError ** error)
{
  g_autoptr (GUri) uri = NULL;
  const gchar *scheme, *host;
  g_autoptr (GInetAddress) addr = NULL;

  if (base_url == NULL || *base_url == '\0') {
    g_set_error_literal (error, G_URI_ERROR, G_URI_ERROR_FAILED,
        "No base-url set");
    return FALSE;
  }
  uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, error);
  if (uri == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0' || (g_ascii_strcasecmp (scheme, "https") != 0
          && g_ascii_strcasecmp (scheme, "http") != 0)) {
    g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_SCHEME,
        "base-url must be an http:// or https:// URL with a host, not '%s'",
        base_url);
    return FALSE;
  }
  if (g_ascii_strcasecmp (scheme, "http") == 0) {
    addr = g_inet_address_new_from_string (host);
    if (!(addr && g_inet_address_get_is_loopback (addr))
        && g_ascii_strcasecmp (host, "localhost") != 0) {
      g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_SCHEME,
          "Refusing plain http:// to '%s': the API key would travel in clear "
          "text. Use https://, or http:// only with a loopback host", host);
      return FALSE;
    }
  }
  return TRUE;
}

/* ws(s)://host[:port]/base-path/tts/websocket */
static gchar *
build_ws_url (const gchar * base_url)
{
  g_autoptr (GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GUri) ws_uri = NULL;
  g_autofree gchar *path = g_strdup (g_uri_get_path (uri));
  g_autofree gchar *ws_path = NULL;
  gboolean secure = g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0;
  gsize n = strlen (path);

  while (n > 0 && path[n - 1] == '/')
    path[--n] = '\0';
  ws_path = g_strconcat (path, "/tts/websocket", NULL);
  ws_uri = g_uri_build (G_URI_FLAGS_NONE, secure ? "wss" : "ws", NULL,
      g_uri_get_host (uri), g_uri_get_port (uri), ws_path, NULL, NULL);
  return g_uri_to_string (ws_uri);
}

/* ---- incoming messages (session thread) ---- */

static void
handle_chunk (CartesiaSession * s, CartesiaMessage * msg)
{
  gsize len = strlen (msg->data), out_len = 0;
  guint8 *out;
  CartesiaEvent *event;

  if (len == 0)
    return;
  out = g_malloc (cartesia_base64_decoded_max (len));
  if (!cartesia_base64_decode (msg->data, len, out, &out_len)) {
    g_free (out);
    g_hash_table_remove (s->contexts, msg->context_id);
    push_error (s, msg->context_id, CARTESIA_ERROR_DECODE, 0,
        g_strdup ("The server sent audio that is not valid base64"), NULL);
    return;
  }
  event = event_new (CARTESIA_EVENT_AUDIO, msg->context_id);
  event->audio = g_bytes_new_take (out, out_len);
  push_event (s, event);
}

static void
handle_timestamps (CartesiaSession * s, CartesiaMessage * msg)
{
  CartesiaEvent *event = event_new (CARTESIA_EVENT_TIMESTAMPS, msg->context_id);

  /* Move the arrays over rather than copying them. */
  event->n_words = msg->n_words;
  event->words = g_steal_pointer (&msg->words);
  event->word_start = g_steal_pointer (&msg->word_start);
  event->word_end = g_steal_pointer (&msg->word_end);
  msg->n_words = 0;
  push_event (s, event);
}

static CartesiaErrorKind
kind_for_status (guint status)
{
  if (status == 401 || status == 403)
    return CARTESIA_ERROR_NOT_AUTHORIZED;
  if (status == 404)
    return CARTESIA_ERROR_NOT_FOUND;
  if (status >= 400 && status < 500 && status != 408 && status != 429)
    return CARTESIA_ERROR_SETTINGS;
  return CARTESIA_ERROR_READ;
}

static void
handle_server_error (CartesiaSession * s, CartesiaMessage * msg)
{
  gchar *text = cartesia_message_error_text (msg);
  gchar *debug = msg->request_id ?
      g_strdup_printf ("request_id %s", msg->request_id) : NULL;

  if (msg->context_id) {
    g_hash_table_remove (s->contexts, msg->context_id);
    push_error (s, msg->context_id, kind_for_status (msg->status_code),
        msg->status_code, text, debug);
  } else {
    /* An error that names no context concerns all of them. */
    fail_all_contexts (s, kind_for_status (msg->status_code),
        msg->status_code, text, debug);
    g_free (text);
    g_free (debug);
  }
}

static void
handle_message (CartesiaSession * s, const gchar * text, gsize len)
{
  CartesiaMessage msg;
  g_autoptr (GError) error = NULL;

  if (!cartesia_message_parse (text, len, &msg, &error)) {
    fail_all_contexts (s, CARTESIA_ERROR_DECODE, 0,
        "The server sent a message that could not be read", error->message);
    return;
  }

  /* Late output of a cancelled or abandoned context, or of an unknown one. */
  if (msg.context_id && !g_hash_table_contains (s->contexts, msg.context_id)) {
    GST_DEBUG ("dropping a message for context %s, which is not open",
        msg.context_id);
    cartesia_message_clear (&msg);
    return;
  }

  switch (msg.type) {
    case CARTESIA_MESSAGE_CHUNK:
      handle_chunk (s, &msg);
      break;
    case CARTESIA_MESSAGE_TIMESTAMPS:
      handle_timestamps (s, &msg);
      break;
    case CARTESIA_MESSAGE_DONE:
      if (msg.context_id) {
        g_hash_table_remove (s->contexts, msg.context_id);
        push_event (s, event_new (CARTESIA_EVENT_DONE, msg.context_id));
      }
      break;
    case CARTESIA_MESSAGE_ERROR_MESSAGE:
      handle_server_error (s, &msg);
      break;
    default:
      GST_LOG ("ignoring a message of a type this client does not use");
      break;
  }
  cartesia_message_clear (&msg);
}

static void
on_ws_message (SoupWebsocketConnection * ws, gint type, GBytes * message,
    CartesiaSession * s)
{
  gsize len;
  const gchar *data = g_bytes_get_data (message, &len);

  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    fail_all_contexts (s, CARTESIA_ERROR_DECODE, 0,
        "The server sent a binary websocket message; Cartesia sends JSON text",
        NULL);
    return;
  }
  handle_message (s, data, len);
}

static void
drop_ws (CartesiaSession * s)
{
  if (s->ws == NULL)
    return;
  g_signal_handlers_disconnect_by_data (s->ws, s);
  g_clear_object (&s->ws);
}

static gboolean
in_outbox (CartesiaSession * s, const gchar * context_id)
{
  GList *l;

  for (l = s->outbox.head; l; l = l->next)
    if (g_strcmp0 (((Op *) l->data)->context_id, context_id) == 0)
      return TRUE;
  return FALSE;
}

static void
fail_sent_contexts (CartesiaSession * s, const gchar * debug)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, s->contexts);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    if (in_outbox (s, key))
      continue;
    push_error (s, key, CARTESIA_ERROR_READ, 0, g_strdup ("The connection to "
            "the server was lost in the middle of an utterance"),
        g_strdup (debug));
    g_hash_table_iter_remove (&iter);
  }
}

static void
on_ws_closed (SoupWebsocketConnection * ws, CartesiaSession * s)
{
  gushort code = soup_websocket_connection_get_close_code (ws);
  const gchar *reason = soup_websocket_connection_get_close_data (ws);
  g_autofree gchar *debug = g_strdup_printf ("close code %u, reason '%s'",
      code, GST_STR_NULL (reason));

  GST_INFO ("websocket closed: %s", debug);
  drop_ws (s);
  if (s->shutting_down) {
    g_main_loop_quit (s->loop);
    return;
  }
  /* An idle close between utterances is routine: the next send reconnects.
   * Contexts whose requests never left the outbox lost nothing: reconnect for
   * them; the others lost their output. */
  fail_sent_contexts (s, debug);
  if (!g_queue_is_empty (&s->outbox))
    start_connect (s);
}

static void
on_ws_error (SoupWebsocketConnection * ws, GError * error, CartesiaSession * s)
{
  GST_WARNING ("websocket error: %s", error->message);
}

/* ---- connecting, with retries (session thread) ---- */

static gboolean
on_retry_timeout (gpointer user_data)
{
  CartesiaSession *s = user_data;

  g_clear_pointer (&s->retry_source, g_source_unref);
  start_connect (s);
  return G_SOURCE_REMOVE;
}

/* factor * 2^(attempt-1), capped, minus up to 25 % jitter so that many
 * clients refused at once do not come back at once. */
static guint
backoff_ms (CartesiaSession * s)
{
  gdouble delay = s->config.retry_backoff_factor *
      (gdouble) (1u << MIN (s->attempt - 1, 20));

  delay = MIN (delay, s->config.retry_backoff_max);
  delay *= 1.0 - g_random_double_range (0.0, 0.25);
  return (guint) (delay * 1000.0);
}

static gboolean
should_retry (CartesiaSession * s, guint status, GError * error)
{
  if (s->config.retries >= 0 && s->attempt > (guint) s->config.retries)
    return FALSE;
  if (status == 408 || status == 429 || status >= 500)
    return TRUE;
  if (status != 0)
    return FALSE;
  /* No HTTP answer at all: retry what a flaky network does, not what a
   * wrong host name or certificate does. */
  return !(error->domain == G_RESOLVER_ERROR || error->domain == G_TLS_ERROR
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED));
}

static void
connect_failed (CartesiaSession * s, SoupMessage * msg, GError * error)
{
  guint status = soup_message_get_status (msg);
  g_autofree gchar *debug = g_strdup_printf ("%s (HTTP status %u %s)",
      error->message, status, GST_STR_NULL (soup_message_get_reason_phrase (msg)));
  g_autofree gchar *text = NULL;
  CartesiaErrorKind kind;

  s->attempt++;
  if (should_retry (s, status, error)) {
    guint delay = backoff_ms (s);

    GST_INFO ("connection attempt %u failed (%s); retrying in %u ms",
        s->attempt, debug, delay);
    s->retry_source = g_timeout_source_new (delay);
    g_source_set_callback (s->retry_source, on_retry_timeout, s, NULL);
    g_source_attach (s->retry_source, s->context);
    return;
  }

  if (status == 401 || status == 403) {
    kind = CARTESIA_ERROR_NOT_AUTHORIZED;
    text = g_strdup_printf ("The server refused the API key (HTTP %u)", status);
  } else if (status != 0) {
    kind = kind_for_status (status);
    text = g_strdup_printf ("The server refused the connection: HTTP %u %s",
        status, GST_STR_NULL (soup_message_get_reason_phrase (msg)));
  } else if (error->domain == G_RESOLVER_ERROR) {
    kind = CARTESIA_ERROR_NOT_FOUND;
    text = g_strdup_printf ("Could not resolve the server's host name: %s",
        error->message);
  } else {
    kind = CARTESIA_ERROR_OPEN;
    text = g_strdup_printf ("Could not connect to the server: %s",
        error->message);
  }
  if (s->attempt > 1) {
    gchar *t = g_strdup_printf ("%s, after %u attempts", text, s->attempt);
    g_free (text);
    text = t;
  }
  s->attempt = 0;
  fail_all_contexts (s, kind, status, text, debug);
}

static void
flush_outbox (CartesiaSession * s)
{
  Op *op;

  while ((op = g_queue_pop_head (&s->outbox))) {
    soup_websocket_connection_send_text (s->ws, op->request);
    op_free (op);
  }
}

static void
on_connected (GObject * source, GAsyncResult * result, gpointer user_data)
{
  SoupMessage *msg = user_data;
  CartesiaSession *s = g_object_get_data (G_OBJECT (msg), "cartesia-session");
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *ws;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result,
      &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_object_unref (msg);
    return;
  }
  s->connecting = FALSE;
  if (ws == NULL) {
    connect_failed (s, msg, error);
    g_object_unref (msg);
    return;
  }
  g_object_unref (msg);

  GST_INFO ("websocket connected");
  s->attempt = 0;
  s->ws = ws;
  soup_websocket_connection_set_max_incoming_payload_size (ws,
      MAX_INCOMING_PAYLOAD);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), s);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), s);
  g_signal_connect (ws, "error", G_CALLBACK (on_ws_error), s);
  flush_outbox (s);
}

static gboolean
accept_any_certificate (SoupMessage * msg, GTlsCertificate * cert,
    GTlsCertificateFlags errors, gpointer user_data)
{
  GST_WARNING ("accepting a TLS certificate with errors 0x%x (ssl-strict=false)",
      errors);
  return TRUE;
}

static void
start_connect (CartesiaSession * s)
{
  g_autofree gchar *url = NULL;
  SoupMessage *msg;
  SoupMessageHeaders *headers;
  g_autofree gchar *auth = NULL;

  if (s->ws || s->connecting || s->retry_source || s->shutting_down)
    return;

  url = build_ws_url (s->config.base_url);
  GST_INFO ("connecting to %s (attempt %u)", url, s->attempt + 1);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  headers = soup_message_get_request_headers (msg);
  auth = g_strconcat ("Bearer ", s->config.api_key, NULL);
  soup_message_headers_replace (headers, "Authorization", auth);
  soup_message_headers_replace (headers, "Cartesia-Version",
      s->config.cartesia_version);
  if (!s->config.ssl_strict)
    g_signal_connect (msg, "accept-certificate",
        G_CALLBACK (accept_any_certificate), NULL);
  g_object_set_data (G_OBJECT (msg), "cartesia-session", s);

  s->connecting = TRUE;
  soup_session_websocket_connect_async (s->soup, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, s->cancellable, on_connected, msg);
}

/* ---- operations queued from other threads ---- */


static void
op_free (gpointer data)
{
  Op *op = data;

  g_free (op->context_id);
  g_free (op->request);
  g_free (op);
}

static Op *
op_copy (const Op * op)
{
  Op *copy = g_memdup2 (op, sizeof (Op));

  copy->context_id = g_strdup (op->context_id);
  copy->request = g_strdup (op->request);
  return copy;
}

static void
do_send (CartesiaSession * s, Op * op)
{
  g_hash_table_add (s->contexts, g_strdup (op->context_id));
  if (s->ws && soup_websocket_connection_get_state (s->ws) ==
      SOUP_WEBSOCKET_STATE_OPEN) {
    soup_websocket_connection_send_text (s->ws, op->request);
    return;
  }
  g_queue_push_tail (&s->outbox, op_copy (op));
  start_connect (s);
}

static void
do_cancel (CartesiaSession * s, Op * op)
{
  g_autofree gchar *cancel = NULL;

  if (!g_hash_table_remove (s->contexts, op->context_id))
    return;
  if (s->ws && soup_websocket_connection_get_state (s->ws) ==
      SOUP_WEBSOCKET_STATE_OPEN) {
    cancel = cartesia_request_build_cancel (op->context_id);
    soup_websocket_connection_send_text (s->ws, cancel);
  }
}

static gboolean
on_close_timeout (gpointer user_data)
{
  CartesiaSession *s = user_data;

  GST_INFO ("the server did not answer the close frame in time");
  g_main_loop_quit (s->loop);
  return G_SOURCE_REMOVE;
}

static void
do_shutdown (CartesiaSession * s)
{
  GSource *timeout;

  s->shutting_down = TRUE;
  g_cancellable_cancel (s->cancellable);
  if (s->retry_source) {
    g_source_destroy (s->retry_source);
    g_clear_pointer (&s->retry_source, g_source_unref);
  }
  if (s->ws == NULL || soup_websocket_connection_get_state (s->ws) !=
      SOUP_WEBSOCKET_STATE_OPEN) {
    g_main_loop_quit (s->loop);
    return;
  }
  /* Close cleanly, but never let a silent server hold up a state change. */
  soup_websocket_connection_close (s->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  timeout = g_timeout_source_new (CLOSE_WAIT_MS);
  g_source_set_callback (timeout, on_close_timeout, s, NULL);
  g_source_attach (timeout, s->context);
  g_source_unref (timeout);
}

static gboolean
run_op (gpointer data)
{
  Op *op = data;
  CartesiaSession *s = op->session;

  switch (op->type) {
    case OP_CONNECT:
      start_connect (s);
      break;
    case OP_SEND:
      do_send (s, op);
      break;
    case OP_CANCEL:
      do_cancel (s, op);
      break;
    case OP_SHUTDOWN:
      do_shutdown (s);
      break;
  }
  return G_SOURCE_REMOVE;
}

static void
queue_op (CartesiaSession * s, OpType type, const gchar * context_id,
    gchar * request)
{
  Op *op = g_new0 (Op, 1);
  GSource *source = g_idle_source_new ();

  op->session = s;
  op->type = type;
  op->context_id = g_strdup (context_id);
  op->request = request;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, run_op, op, op_free);
  g_source_attach (source, s->context);
  g_source_unref (source);
}

/* ---- the thread ---- */

static SoupSession *
create_soup_session (CartesiaSession * s)
{
  SoupSession *soup;

  soup = soup_session_new_with_options ("user-agent", s->config.user_agent,
      "timeout", s->config.timeout, NULL);
  if (s->config.proxy && *s->config.proxy) {
    g_autoptr (GProxyResolver) resolver =
        g_simple_proxy_resolver_new (s->config.proxy, NULL);
    soup_session_set_proxy_resolver (soup, resolver);
  }
  return soup;
}

static gpointer
session_thread (gpointer data)
{
  CartesiaSession *s = data;

  g_main_context_push_thread_default (s->context);
  s->soup = create_soup_session (s);
  g_main_loop_run (s->loop);

  /* Tear down on the thread that owns the objects. */
  drop_ws (s);
  soup_session_abort (s->soup);
  g_clear_object (&s->soup);
  /* Let cancelled operations deliver their callbacks before the context goes. */
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
}

static void
clear_config (CartesiaSessionConfig * c)
{
  g_free (c->base_url);
  /* The key is a secret: do not leave it lying in freed memory. */
  if (c->api_key)
    memset (c->api_key, 0, strlen (c->api_key));
  g_free (c->api_key);
  g_free (c->cartesia_version);
  g_free (c->user_agent);
  g_free (c->proxy);
}

CartesiaSession *
cartesia_session_new (const CartesiaSessionConfig * config)
{
  CartesiaSession *s = g_new0 (CartesiaSession, 1);

  if (cartesia_session_debug == NULL)
    GST_DEBUG_CATEGORY_INIT (cartesia_session_debug, "cartesiasession", 0,
        "Cartesia transport (libsoup)");

  copy_config (&s->config, config);
  s->context = g_main_context_new ();
  s->loop = g_main_loop_new (s->context, FALSE);
  s->cancellable = g_cancellable_new ();
  s->contexts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&s->outbox);
  g_queue_init (&s->events);
  g_mutex_init (&s->lock);
  g_cond_init (&s->cond);
  s->thread = g_thread_new ("cartesia-session", session_thread, s);
  return s;
}

void
cartesia_session_free (CartesiaSession * s)
{
  if (s == NULL)
    return;

  cartesia_session_set_flushing (s, TRUE);
  queue_op (s, OP_SHUTDOWN, NULL, NULL);
  g_thread_join (s->thread);

  g_queue_clear_full (&s->outbox, op_free);
  g_queue_clear_full (&s->events, (GDestroyNotify) cartesia_event_free);
  g_hash_table_unref (s->contexts);
  g_object_unref (s->cancellable);
  g_main_loop_unref (s->loop);
  g_main_context_unref (s->context);
  g_mutex_clear (&s->lock);
  g_cond_clear (&s->cond);
  clear_config (&s->config);
  g_free (s);
}

void
cartesia_session_connect (CartesiaSession * s)
{
  queue_op (s, OP_CONNECT, NULL, NULL);
}

void
cartesia_session_send (CartesiaSession * s, const gchar * context_id,
    gchar * request)
{
  queue_op (s, OP_SEND, context_id, request);
}

void
cartesia_session_cancel (CartesiaSession * s, const gchar * context_id)
{
  queue_op (s, OP_CANCEL, context_id, NULL);
}

CartesiaPopResult
cartesia_session_pop (CartesiaSession * s, gint64 end_time,
    CartesiaEvent ** event)
{
  CartesiaPopResult result = CARTESIA_POP_EVENT;

  *event = NULL;
  g_mutex_lock (&s->lock);
  while (!s->flushing && g_queue_is_empty (&s->events)) {
    if (end_time < 0)
      g_cond_wait (&s->cond, &s->lock);
    else if (!g_cond_wait_until (&s->cond, &s->lock, end_time))
      break;
  }
  if (s->flushing)
    result = CARTESIA_POP_FLUSHING;
  else if (g_queue_is_empty (&s->events))
    result = CARTESIA_POP_TIMEOUT;
  else
    *event = g_queue_pop_head (&s->events);
  g_mutex_unlock (&s->lock);
  return result;
}

void
cartesia_session_set_flushing (CartesiaSession * s, gboolean flushing)
{
  g_mutex_lock (&s->lock);
  s->flushing = flushing;
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}
