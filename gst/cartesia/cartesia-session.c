/* gst-cartesia: transport layer.
 *
 * Everything that touches libsoup runs on the session thread, inside its own
 * GMainContext.  Other threads reach it by attaching idle sources to that
 * context (never g_main_context_invoke(), which would run the call on the
 * caller's thread whenever the context happens to be free), and read its
 * results from the event queue, guarded by @lock.
 *
 * Two layers: a CartesiaConnection (the thread, the SoupSession, the
 * websocket, the contexts in flight) and the CartesiaSession handles attached
 * to it (one per element: its event queue and its stats).  A connection made
 * by cartesia_session_new() has exactly one handle; one made by
 * cartesia_session_new_shared() is found in a process-wide registry by a
 * fingerprint of its configuration and serves every handle that asks for the
 * same settings, telling their events apart by the context that owns them.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cartesia-session.h"
#include "cartesia-event.h"
#include "cartesia-message.h"
#include "cartesia-net.h"
#include "cartesia-request.h"
#include "cartesia-policy.h"
#include "cartesia-sse.h"

#include <gst/gst.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (cartesia_session_debug);
#define GST_CAT_DEFAULT cartesia_session_debug

/* Cartesia's audio chunks are ~16 KiB of audio, ~22 KiB of JSON; libsoup's
 * default cap of 128 KiB would close the socket on a larger one.  Allow big
 * frames, but not unbounded ones. */
#define MAX_INCOMING_PAYLOAD (16 * 1024 * 1024)
/* How long a clean close may wait for the server's close frame. */
#define CLOSE_WAIT_MS 1000

typedef struct _CartesiaConnection CartesiaConnection;

struct _CartesiaConnection
{
  CartesiaSessionConfig config;
  CartesiaRetryPolicy policy;   /* config's retries and backoff */
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
  gboolean heard;               /* the open socket brought a message */
  guint fruitless;              /* sockets in a row closed with none */
  GSource *retry_source;
  GQueue outbox;                /* Ops (requests) waiting for the socket */
  GHashTable *contexts;         /* id -> ContextState, contexts expecting output */
  GHashTable *sse_requests;     /* context id -> SseRequest in flight */
  GHashTable *wire_ids;         /* retried context's wire id -> its own id */
  CartesiaEvent *refusal;       /* how the server refused the pre-connect */
  guint tls_errors;             /* of the failure being reported, for push_error */
  gchar *request_id;            /* X-Request-Id of the last handshake */
  GList *handles;               /* CartesiaSession handles attached */
  GRand *rand;                  /* the backoff's jitter */

  /* Guarded by registry_lock. */
  gchar *fingerprint;           /* registry key; NULL: private to one handle */
  guint refs;                   /* handles holding the connection */
};

/* What one element holds: its own queue of events and its own stats. */
struct _CartesiaSession
{
  CartesiaConnection *conn;
  gboolean shared;

  /* Shared with the element. */
  GMutex lock;
  GCond cond;
  GQueue events;
  gboolean flushing;
  gboolean wakeup;
  gboolean detached;            /* the connection let go of this handle */
  guint waiters;                /* threads in cartesia_session_pop()'s wait */
  CartesiaSessionStats stats;
  CartesiaEventType notify_type;
  CartesiaSessionNotify notify;
  gpointer notify_data;
};

/* Shared connections by fingerprint (SHA-256 of every config field: the key
 * itself is never a registry key). */
static GMutex registry_lock;
static GHashTable *registry;

typedef enum
{
  OP_CONNECT,
  OP_SEND,
  OP_CANCEL,
  OP_SHUTDOWN,
  OP_ATTACH,
  OP_DETACH,
} OpType;

typedef struct
{
  CartesiaConnection *conn;
  CartesiaSession *handle;      /* whose request, or NULL */
  OpType type;
  gchar *context_id;
  gchar *request;
} Op;

/* One SSE request: one utterance. */
typedef struct
{
  CartesiaConnection *conn;
  CartesiaSession *owner;       /* NULL once its handle is detached */
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

/* What a websocket context needs to be sent again on a new connection. */
typedef struct
{
  CartesiaConnection *conn;
  CartesiaSession *owner;       /* the handle whose context it is */
  GPtrArray *inputs;            /* request texts sent so far, in order */
  gboolean got_output;          /* the server sent something for it */
  guint resends;
  gchar *wire_id;               /* id on the wire after a retry, else NULL */
  GSource *retry_source;        /* a retry waiting for its backoff */
} ContextState;

/* A timeout on the session's context; the caller keeps the returned ref. */
static GSource *
schedule (CartesiaConnection * s, guint delay_ms, GSourceFunc func,
    gpointer data)
{
  GSource *source = g_timeout_source_new (delay_ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, s->context);
  return source;
}

static void
unschedule (GSource ** source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
context_state_free (gpointer data)
{
  ContextState *state = data;

  unschedule (&state->retry_source);
  if (state->wire_id)
    g_hash_table_remove (state->conn->wire_ids, state->wire_id);
  g_free (state->wire_id);
  g_ptr_array_unref (state->inputs);
  g_free (state);
}

static void op_free (gpointer data);
static void start_connect (CartesiaConnection * s);

/* The wait before the next attempt: the server's Retry-After if @msg's
 * response has one, else the backoff (cartesia-policy). */
static guint
backoff_ms (CartesiaConnection * s, guint attempt, SoupMessage * msg)
{
  const gchar *retry_after = msg ? soup_message_headers_get_one
      (soup_message_get_response_headers (msg), "Retry-After") : NULL;

  return cartesia_policy_retry_delay_ms (&s->policy, attempt, retry_after,
      s->rand);
}

/* @attempt: how many attempts failed so far, this one included. */
static gboolean
should_retry (CartesiaConnection * s, guint attempt, guint status,
    GError * error)
{
  return cartesia_policy_should_retry (&s->policy, attempt, status, error);
}

/* What libsoup said, for the debug part of an error. */
static gchar *
failure_debug (SoupMessage * msg, guint status, const GError * error)
{
  return cartesia_policy_failure_debug (status,
      msg ? soup_message_get_reason_phrase (msg) : NULL, error);
}

static CartesiaEvent *
event_new (CartesiaEventType type, const gchar * context_id)
{
  return cartesia_event_new (type, context_id, g_get_monotonic_time ());
}

/* @h: NULL for a handle that is gone (counts nothing). */
static void
count (CartesiaSession * h, guint connections, guint retries,
    guint64 audio_bytes)
{
  if (h == NULL)
    return;
  g_mutex_lock (&h->lock);
  h->stats.connections += connections;
  h->stats.retries += retries;
  h->stats.audio_bytes += audio_bytes;
  g_mutex_unlock (&h->lock);
}

/* What happens to the connection itself counts for every element using it. */
static void
count_all (CartesiaConnection * s, guint connections, guint retries)
{
  GList *l;

  for (l = s->handles; l; l = l->next)
    count (l->data, connections, retries, 0);
}

/* The handle a context belongs to, or NULL. */
static CartesiaSession *
owner_of (CartesiaConnection * s, const gchar * context_id)
{
  ContextState *state;

  if (context_id == NULL)
    return NULL;
  state = g_hash_table_lookup (s->contexts, context_id);
  return state ? state->owner : NULL;
}

static void
push_event (CartesiaSession * h, CartesiaEvent * event)
{
  CartesiaSessionNotify notify = NULL;
  gpointer data = NULL;
  gboolean waiting;

  g_mutex_lock (&h->lock);
  if (h->notify && event->type == h->notify_type) {
    notify = h->notify;
    data = h->notify_data;
  }
  g_queue_push_tail (&h->events, event);
  waiting = h->waiters > 0;
  g_mutex_unlock (&h->lock);
  /* Once per chunk: a GCond always makes a system call, and a waiter woken
   * under the lock would at once block on it again, so only a waiting
   * consumer is woken, after the lock is let go (the event is in the queue
   * already, so no wake is lost). */
  if (waiting)
    g_cond_broadcast (&h->cond);
  if (notify)
    notify (data);
}

/* Delivers @event to @owner; one that names no context concerns every
 * element on the connection; one whose owner is gone is dropped. */
static void
route_event (CartesiaConnection * s, CartesiaSession * owner,
    CartesiaEvent * event)
{
  GList *l;

  if (owner) {
    push_event (owner, event);
    return;
  }
  if (event->context_id == NULL) {
    for (l = s->handles; l; l = l->next)
      push_event (l->data, l->next ? cartesia_event_copy (event) : event);
    if (s->handles)
      return;
  }
  GST_DEBUG ("dropping an event nobody waits for (context %s)",
      GST_STR_NULL (event->context_id));
  cartesia_event_free (event);
}

/* Tells the element that @context_id's request is with the server now, so
 * that its silence may be timed from here. */
static void
push_sent (CartesiaConnection * s, CartesiaSession * owner,
    const gchar * context_id)
{
  route_event (s, owner, event_new (CARTESIA_EVENT_SENT, context_id));
}

/* The X-Request-Id header of @msg's response, or NULL. */
static const gchar *
response_request_id (SoupMessage * msg)
{
  SoupMessageHeaders *headers = msg ?
      soup_message_get_response_headers (msg) : NULL;

  return headers ? soup_message_headers_get_one (headers, "X-Request-Id") :
      NULL;
}

static void
remember_request_id (CartesiaConnection * s, SoupMessage * msg)
{
  const gchar *id = response_request_id (msg);

  GST_INFO ("websocket handshake answered %u, X-Request-Id %s",
      soup_message_get_status (msg), GST_STR_NULL (id));
  g_free (s->request_id);
  s->request_id = g_strdup (id);
}

/* What the server calls the request that @context_id went with: its SSE
 * response's X-Request-Id, or that of the websocket's handshake. */
static const gchar *
request_id_for (CartesiaConnection * s, const gchar * context_id)
{
  if (s->config.transport == CARTESIA_TRANSPORT_SSE) {
    SseRequest *req = context_id ? g_hash_table_lookup (s->sse_requests,
        context_id) : NULL;

    return req ? response_request_id (req->msg) : NULL;
  }
  return s->request_id;
}

/* Hands @event (an ERROR, taken) to @owner, with the request id of its
 * context when the server named none. */
static void
deliver_error (CartesiaConnection * s, CartesiaSession * owner,
    CartesiaEvent * event)
{
  if (event->request_id == NULL)
    event->request_id = g_strdup (request_id_for (s, event->context_id));
  event->tls_errors = s->tls_errors;
  GST_WARNING ("context %s: %s (%s; request id %s)",
      GST_STR_NULL (event->context_id), event->error_text,
      GST_STR_NULL (event->error_debug), GST_STR_NULL (event->request_id));
  route_event (s, owner, event);
}

static void
push_error (CartesiaConnection * s, CartesiaSession * owner,
    const gchar * context_id, CartesiaErrorKind kind, guint http_status,
    gchar * text, gchar * debug)
{
  deliver_error (s, owner, cartesia_event_new_error (context_id,
          g_get_monotonic_time (), kind, http_status, text, debug));
}

/* Fails every context still waiting for output, e.g. when the socket is gone. */
static void
fail_all_contexts (CartesiaConnection * s, CartesiaErrorKind kind,
    guint http_status, const gchar * text, const gchar * debug)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, s->contexts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    push_error (s, ((ContextState *) value)->owner, key, kind, http_status,
        g_strdup (text), g_strdup (debug));
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

/* <base-url>/<path>; for a websocket with the ws(s):// scheme. */
static gchar *
build_url (const gchar * base_url, const gchar * path, gboolean websocket)
{
  g_autoptr (GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GUri) full = NULL;
  g_autofree gchar *base_path = g_strdup (g_uri_get_path (uri));
  g_autofree gchar *full_path = NULL;
  gboolean secure = g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0;
  const gchar *scheme;
  gsize n = strlen (base_path);

  while (n > 0 && base_path[n - 1] == '/')
    base_path[--n] = '\0';
  full_path = g_strconcat (base_path, path, NULL);
  if (websocket)
    scheme = secure ? "wss" : "ws";
  else
    scheme = secure ? "https" : "http";
  full = g_uri_build (G_URI_FLAGS_NONE, scheme, NULL, g_uri_get_host (uri),
      g_uri_get_port (uri), full_path, NULL, NULL);
  return g_uri_to_string (full);
}

/* A request carrying the key, the version and our certificate policy. */
static SoupMessage *
new_message (CartesiaConnection * s, const gchar * method, const gchar * url)
{
  SoupMessage *msg = soup_message_new (method, url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  g_autofree gchar *auth = g_strconcat ("Bearer ", s->config.api_key, NULL);

  soup_message_headers_replace (headers, "Authorization", auth);
  soup_message_headers_replace (headers, "Cartesia-Version",
      s->config.cartesia_version);
  cartesia_net_prepare_message (msg, &s->config);
  return msg;
}

/* ---- incoming messages (session thread) ---- */

static void send_inputs (CartesiaConnection * s, const gchar * context_id,
    ContextState * state);

static gboolean
on_context_retry (gpointer user_data)
{
  ContextState *state = user_data;
  const gchar *context_id = g_hash_table_lookup (state->conn->wire_ids,
      state->wire_id);

  g_clear_pointer (&state->retry_source, g_source_unref);
  send_inputs (state->conn, context_id, state);
  return G_SOURCE_REMOVE;
}

/* Rewrites the context id of one request text. */
static gchar *
with_context_id (const gchar * request, const gchar * context_id)
{
  g_autoptr (JsonNode) node = json_from_string (request, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return g_strdup (request);
  json_object_set_string_member (json_node_get_object (node), "context_id",
      context_id);
  return json_to_string (node, FALSE);
}

/* A websocket context the server refused with 429 or 5xx before any output
 * lost nothing: ask again after a backoff, under a new id (the server
 * considers the old one finished). */
static gboolean
maybe_retry_context (CartesiaConnection * s, const gchar * context_id,
    guint status, const gchar * why)
{
  ContextState *state = g_hash_table_lookup (s->contexts, context_id);
  guint delay, i;

  if (state == NULL || state->got_output || !(status == 429 || status >= 500))
    return FALSE;
  if (s->config.transport == CARTESIA_TRANSPORT_SSE) {
    /* The request itself is retried once its stream is closed. */
    SseRequest *req = g_hash_table_lookup (s->sse_requests, context_id);

    if (req == NULL || !should_retry (s, req->attempt + 1, status, NULL))
      return FALSE;
    req->refused_status = status;
    return TRUE;
  }
  if (!should_retry (s, state->resends + 1, status, NULL))
    return FALSE;

  state->resends++;
  if (state->wire_id)
    g_hash_table_remove (s->wire_ids, state->wire_id);
  g_free (state->wire_id);
  state->wire_id = g_strdup_printf ("%s-retry%u", context_id, state->resends);
  g_hash_table_insert (s->wire_ids, g_strdup (state->wire_id),
      g_strdup (context_id));
  for (i = 0; i < state->inputs->len; i++) {
    gchar *old = state->inputs->pdata[i];

    state->inputs->pdata[i] = with_context_id (old, state->wire_id);
    g_free (old);
  }

  delay = backoff_ms (s, state->resends, NULL);
  count (state->owner, 0, 1, 0);
  GST_INFO ("context %s refused (%s); retry %u in %u ms as %s", context_id,
      why, state->resends, delay, state->wire_id);
  state->retry_source = schedule (s, delay, on_context_retry, state);
  return TRUE;
}

/* An error the server sent (@event, taken). */
static void
handle_server_error (CartesiaConnection * s, CartesiaEvent * event)
{
  const gchar *context_id = event->context_id;

  if (context_id && maybe_retry_context (s, context_id, event->http_status,
          event->error_text)) {
    cartesia_event_free (event);
  } else if (context_id) {
    g_autofree gchar *id = g_strdup (context_id);

    deliver_error (s, owner_of (s, id), event);
    g_hash_table_remove (s->contexts, id);
  } else {
    /* An error that names no context concerns all of them. */
    fail_all_contexts (s, event->error_kind, event->http_status,
        event->error_text, event->error_debug);
    cartesia_event_free (event);
  }
}
/* Gives a message of a retried context its own id back; FALSE for output of
 * an earlier, failed attempt, which must be dropped. */
static gboolean
map_wire_id (CartesiaConnection * s, CartesiaMessage * msg)
{
  const gchar *owner = g_hash_table_lookup (s->wire_ids, msg->context_id);
  ContextState *state;

  if (owner) {
    g_free (msg->context_id);
    msg->context_id = g_strdup (owner);
    return TRUE;
  }
  state = g_hash_table_lookup (s->contexts, msg->context_id);
  return state == NULL || state->wire_id == NULL;
}

/* @context_id: the context a message belongs to when it does not say (an
 * SSE response serves one context), or NULL. */
static void
handle_message (CartesiaConnection * s, const gchar * text, gsize len,
    const gchar * context_id)
{
  CartesiaMessage msg;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *context_over = NULL;
  CartesiaSession *owner;
  CartesiaEvent *event;
  gboolean is_chunk;

  if (!cartesia_message_parse (text, len, &msg, &error)) {
    if (context_id) {
      push_error (s, owner_of (s, context_id), context_id,
          CARTESIA_ERROR_DECODE, 0, g_strdup ("The server sent a message "
              "that could not be read"), g_strdup (error->message));
      g_hash_table_remove (s->contexts, context_id);
    } else {
      fail_all_contexts (s, CARTESIA_ERROR_DECODE, 0,
          "The server sent a message that could not be read", error->message);
    }
    return;
  }
  if (msg.context_id == NULL && context_id)
    msg.context_id = g_strdup (context_id);
  if (msg.context_id && !map_wire_id (s, &msg)) {
    cartesia_message_clear (&msg);
    return;
  }

  /* Late output of a cancelled or abandoned context, or of an unknown one. */
  if (msg.context_id && !g_hash_table_contains (s->contexts, msg.context_id)) {
    GST_DEBUG ("dropping a message for context %s, which is not open",
        msg.context_id);
    cartesia_message_clear (&msg);
    return;
  }

  if (msg.context_id && (msg.type == CARTESIA_MESSAGE_CHUNK
          || msg.type == CARTESIA_MESSAGE_TIMESTAMPS
          || msg.type == CARTESIA_MESSAGE_PHONEME_TIMESTAMPS)) {
    ContextState *state = g_hash_table_lookup (s->contexts, msg.context_id);

    if (state)
      state->got_output = TRUE;
  }

  if (msg.type == CARTESIA_MESSAGE_UNKNOWN
      || msg.type == CARTESIA_MESSAGE_FLUSH_DONE)
    GST_LOG ("ignoring a message of a type this client does not use");
  is_chunk = msg.type == CARTESIA_MESSAGE_CHUNK;
  event = cartesia_event_from_message (&msg, g_get_monotonic_time ());
  cartesia_message_clear (&msg);
  if (event == NULL)
    return;
  owner = owner_of (s, event->context_id);
  switch (event->type) {
    case CARTESIA_EVENT_AUDIO:
      count (owner, 0, 0, g_bytes_get_size (event->audio));
      route_event (s, owner, event);
      break;
    case CARTESIA_EVENT_DONE:
      if (event->context_id == NULL) {
        cartesia_event_free (event);
        break;
      }
      context_over = g_strdup (event->context_id);
      route_event (s, owner, event);
      break;
    case CARTESIA_EVENT_ERROR:
      if (!is_chunk) {
        handle_server_error (s, event);
        break;
      }
      /* Audio that is not base64: the context cannot go on. */
      context_over = g_strdup (event->context_id);
      deliver_error (s, owner, event);
      break;
    default:
      route_event (s, owner, event);
      break;
  }
  if (context_over)
    g_hash_table_remove (s->contexts, context_over);
}

static void
on_ws_message (SoupWebsocketConnection * ws, gint type, GBytes * message,
    CartesiaConnection * s)
{
  gsize len;
  const gchar *data = g_bytes_get_data (message, &len);

  s->heard = TRUE;
  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    fail_all_contexts (s, CARTESIA_ERROR_DECODE, 0,
        "The server sent a binary websocket message; Cartesia sends JSON text",
        NULL);
    return;
  }
  handle_message (s, data, len, NULL);
}

static void
drop_ws (CartesiaConnection * s)
{
  if (s->ws == NULL)
    return;
  g_signal_handlers_disconnect_by_data (s->ws, s);
  g_clear_object (&s->ws);
}

static gboolean
in_outbox (CartesiaConnection * s, const gchar * context_id)
{
  GList *l;

  for (l = s->outbox.head; l; l = l->next)
    if (g_strcmp0 (((Op *) l->data)->context_id, context_id) == 0)
      return TRUE;
  return FALSE;
}

static void resend_context (CartesiaConnection * s, const gchar * context_id,
    ContextState * state);

/* Sends every input of a context again: now if the socket is open, else
 * when it is. */
static void
send_inputs (CartesiaConnection * s, const gchar * context_id,
    ContextState * state)
{
  guint i;

  if (s->ws == NULL || soup_websocket_connection_get_state (s->ws) !=
      SOUP_WEBSOCKET_STATE_OPEN) {
    resend_context (s, context_id, state);
    start_connect (s);
    return;
  }
  for (i = 0; i < state->inputs->len; i++)
    soup_websocket_connection_send_text (s->ws, state->inputs->pdata[i]);
  push_sent (s, state->owner, context_id);
}

/* Requeues the inputs of @context_id for the next connection. */
static void
resend_context (CartesiaConnection * s, const gchar * context_id,
    ContextState * state)
{
  guint i;

  for (i = 0; i < state->inputs->len; i++) {
    Op *op = g_new0 (Op, 1);

    op->conn = s;
    op->handle = state->owner;
    op->type = OP_SEND;
    op->context_id = g_strdup (context_id);
    op->request = g_strdup (g_ptr_array_index (state->inputs, i));
    g_queue_push_tail (&s->outbox, op);
  }
}

/* The socket went away.  A context the server had not answered yet lost
 * nothing the user heard: send it again on a new connection (as often as
 * @retries allows).  One whose audio had started cannot be resumed. */
static void
recover_contexts (CartesiaConnection * s, const gchar * debug)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, s->contexts);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    ContextState *state = value;

    if (in_outbox (s, key))
      continue;
    if (!state->got_output && cartesia_policy_attempts_left (&s->policy,
            state->resends + 1)) {
      GST_INFO ("context %s had no answer yet: sending it again",
          (gchar *) key);
      state->resends++;
      count (state->owner, 0, 1, 0);
      resend_context (s, key, state);
      continue;
    }
    push_error (s, state->owner, key, CARTESIA_ERROR_READ, 0,
        g_strdup (state->got_output ?
            "The connection to the server was lost in the middle of an "
            "utterance" : "The connection to the server was lost before the "
            "utterance started, too often"), g_strdup (debug));
    g_hash_table_iter_remove (&iter);
  }
}

static gboolean on_retry_timeout (gpointer user_data);

static void
on_ws_closed (SoupWebsocketConnection * ws, CartesiaConnection * s)
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
  recover_contexts (s, debug);
  s->fruitless = s->heard ? 0 : s->fruitless + 1;
  if (g_queue_is_empty (&s->outbox))
    return;
  /* A server that takes the handshake and drops every socket before
   * answering: after the third time in a row, reconnect after a backoff
   * (with retries=-1 this was a spin). */
  if (s->fruitless > 3 && !s->retry_source) {
    guint delay = backoff_ms (s, s->fruitless, NULL);

    GST_INFO ("%u sockets in a row closed before any answer; reconnecting "
        "in %u ms", s->fruitless, delay);
    s->retry_source = schedule (s, delay, on_retry_timeout, s);
    return;
  }
  start_connect (s);
}

static void
on_ws_error (SoupWebsocketConnection * ws, GError * error,
    CartesiaConnection * s)
{
  GST_WARNING ("websocket error: %s", error->message);
}

/* ---- connecting, with retries (session thread) ---- */

static gboolean
on_retry_timeout (gpointer user_data)
{
  CartesiaConnection *s = user_data;

  g_clear_pointer (&s->retry_source, g_source_unref);
  start_connect (s);
  return G_SOURCE_REMOVE;
}

/* The connection failed for good: tell whoever waits, or remember it.
 * @net: the proxy or the certificate to blame, or NULL. */
static void
connect_refused (CartesiaConnection * s, guint status, GError * error,
    const gchar * reason, const CartesiaNetFailure * net)
{
  g_autofree gchar *text = NULL;
  g_autofree gchar *debug = failure_debug (NULL, status, error);
  CartesiaErrorKind kind;

  if (net) {
    kind = net->kind;
    text = s->attempt > 1 ? g_strdup_printf ("%s (after %u attempts)",
        net->text, s->attempt) : g_strdup (net->text);
    s->tls_errors = net->tls_errors;
  } else {
    kind = cartesia_policy_describe_failure (status, error, s->attempt, "connection", reason,
        &text);
  }
  s->attempt = 0;
  if (g_hash_table_size (s->contexts) == 0) {
    /* The pre-connect: nobody waits, so report it; and remember a refusal
     * that asking again would only repeat. */
    if (kind != CARTESIA_ERROR_OPEN && kind != CARTESIA_ERROR_READ) {
      cartesia_event_free (s->refusal);
      s->refusal = event_new (CARTESIA_EVENT_ERROR, NULL);
      s->refusal->error_kind = kind;
      s->refusal->http_status = status;
      s->refusal->error_text = g_strdup (text);
      s->refusal->error_debug = g_strdup (debug);
      s->refusal->request_id = g_strdup (s->request_id);
    }
    push_error (s, NULL, NULL, kind, status, g_steal_pointer (&text),
        g_steal_pointer (&debug));
    if (s->refusal)
      s->refusal->tls_errors = s->tls_errors;
    s->tls_errors = 0;
    return;
  }
  fail_all_contexts (s, kind, status, text, debug);
  s->tls_errors = 0;
}

typedef struct
{
  CartesiaConnection *conn;
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
  r->conn->connecting = FALSE;
  if (!r->conn->shutting_down)
    connect_refused (r->conn, r->status, r->error,
        reason ? reason : r->reason_phrase, NULL);
  g_clear_error (&r->error);
  g_free (r->reason_phrase);
  g_free (r);
}

/* libsoup does not keep the body of a refused websocket handshake, and the
 * server's words ("Invalid version ...") are what a user needs: ask for the
 * same URL once more as a plain GET, only to read them. */
static void
fetch_refusal_reason (CartesiaConnection * s, SoupMessage * refused,
    guint status, GError * error)
{
  g_autofree gchar *url = build_url (s->config.base_url, "/tts/websocket",
      FALSE);
  g_autoptr (SoupMessage) msg = new_message (s, SOUP_METHOD_GET, url);
  Refusal *r = g_new0 (Refusal, 1);

  r->conn = s;
  r->status = status;
  r->error = g_error_copy (error);
  r->reason_phrase = g_strdup (soup_message_get_reason_phrase (refused));
  /* Sends wait in the outbox meanwhile, instead of connecting again. */
  s->connecting = TRUE;
  soup_session_send_and_read_async (s->soup, msg, G_PRIORITY_DEFAULT,
      s->cancellable, on_refusal_body, r);
}

static void
connect_failed (CartesiaConnection * s, SoupMessage * msg, GError * error)
{
  guint status = soup_message_get_status (msg);
  g_autofree gchar *debug = failure_debug (msg, status, error);
  CartesiaNetFailure net;
  gboolean blamed = cartesia_net_explain (&s->config, msg, status, error,
      &net);
  gboolean retry;

  remember_request_id (s, msg);
  s->attempt++;
  if (blamed)
    retry = net.retry && cartesia_policy_attempts_left (&s->policy,
        s->attempt);
  else
    retry = should_retry (s, s->attempt, status, error);
  if (retry) {
    guint delay = backoff_ms (s, s->attempt, msg);

    GST_INFO ("connection attempt %u failed (%s); retrying in %u ms",
        s->attempt, debug, delay);
    count_all (s, 0, 1);
    s->retry_source = schedule (s, delay, on_retry_timeout, s);
    cartesia_net_failure_clear (&net);
    return;
  }

  if (!blamed && status >= 400 && status < 500) {
    fetch_refusal_reason (s, msg, status, error);
    return;
  }
  connect_refused (s, status, error, NULL, blamed ? &net : NULL);
  cartesia_net_failure_clear (&net);
}

static void
flush_outbox (CartesiaConnection * s)
{
  Op *op;

  while ((op = g_queue_pop_head (&s->outbox))) {
    soup_websocket_connection_send_text (s->ws, op->request);
    push_sent (s, op->handle, op->context_id);
    op_free (op);
  }
}

static void
on_connected (GObject * source, GAsyncResult * result, gpointer user_data)
{
  SoupMessage *msg = user_data;
  CartesiaConnection *s = g_object_get_data (G_OBJECT (msg),
      "cartesia-connection");
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *ws;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result,
      &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_object_unref (msg);
    return;
  }
  s->connecting = FALSE;
  if (s->shutting_down) {
    /* Stopping: close what the handshake opened, cleanly (do_shutdown). */
    g_object_unref (msg);
    if (ws == NULL) {
      g_main_loop_quit (s->loop);
      return;
    }
    s->ws = ws;
    g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), s);
    soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    return;
  }
  if (ws == NULL) {
    connect_failed (s, msg, error);
    g_object_unref (msg);
    return;
  }
  remember_request_id (s, msg);
  g_object_unref (msg);

  GST_INFO ("websocket connected");
  /* A refusal remembered from an earlier attempt (another element's
   * pre-connect, on a shared connection) is out of date now. */
  g_clear_pointer (&s->refusal, cartesia_event_free);
  count_all (s, 1, 0);
  s->attempt = 0;
  s->heard = FALSE;
  s->ws = ws;
  soup_websocket_connection_set_max_incoming_payload_size (ws,
      MAX_INCOMING_PAYLOAD);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), s);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), s);
  g_signal_connect (ws, "error", G_CALLBACK (on_ws_error), s);
  flush_outbox (s);
}

static void
start_connect (CartesiaConnection * s)
{
  g_autofree gchar *url = NULL;
  SoupMessage *msg;

  if (s->ws || s->connecting || s->retry_source || s->shutting_down)
    return;

  url = build_url (s->config.base_url, "/tts/websocket", TRUE);
  GST_INFO ("connecting to %s (attempt %u)", url, s->attempt + 1);
  msg = new_message (s, SOUP_METHOD_GET, url);
  g_object_set_data (G_OBJECT (msg), "cartesia-connection", s);

  s->connecting = TRUE;
  soup_session_websocket_connect_async (s->soup, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, s->cancellable, on_connected, msg);
}

/* ---- SSE: one POST per utterance (session thread) ---- */

/* Cartesia's SSE events hold one chunk of base64 audio each: a few tens of
 * KiB.  Anything far larger is not an event this client can use. */
#define SSE_MAX_EVENT (8 * 1024 * 1024)
#define SSE_READ_SIZE (64 * 1024)
#define SSE_MAX_ERROR_BODY (64 * 1024)


static void sse_send (SseRequest * req);

static void
sse_request_free (SseRequest * req)
{
  CartesiaConnection *s = req->conn;

  if (g_hash_table_lookup (s->sse_requests, req->context_id) == req)
    g_hash_table_remove (s->sse_requests, req->context_id);
  unschedule (&req->retry_source);
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

/* Ends @req, failing its context if nothing else ended it. */
static void
sse_fail (SseRequest * req, CartesiaErrorKind kind, guint status, gchar * text,
    gchar * debug)
{
  CartesiaConnection *s = req->conn;

  if (g_hash_table_contains (s->contexts, req->context_id)) {
    push_error (s, req->owner, req->context_id, kind, status, text, debug);
    g_hash_table_remove (s->contexts, req->context_id);
  } else {
    g_free (text);
    g_free (debug);
  }
  sse_request_free (req);
}

static gboolean
on_sse_event (const gchar * event_type, const gchar * data, gsize len,
    gpointer user_data)
{
  SseRequest *req = user_data;

  handle_message (req->conn, data, len, req->context_id);
  /* Once the context is over (done, error), the rest is of no use. */
  return !req->refused_status
      && g_hash_table_contains (req->conn->contexts, req->context_id);
}

static void sse_request_failed (SseRequest * req, guint status,
    GError * error);

/* The response broke off.  Before any output the utterance lost nothing:
 * retry it like a refused request; after, it cannot be resumed. */
static void
sse_cut (SseRequest * req, GError * error)
{
  ContextState *state = g_hash_table_lookup (req->conn->contexts,
      req->context_id);
  gboolean started = state == NULL || state->got_output;

  if (!started && should_retry (req->conn, req->attempt + 1, 0, error)) {
    sse_request_failed (req, 0, error);
    return;
  }
  sse_fail (req, CARTESIA_ERROR_READ, 0, g_strdup (!started ?
          "The server broke off the event stream before the utterance "
          "started, too often" : g_error_matches (error, G_IO_ERROR,
              G_IO_ERROR_CONNECTION_CLOSED) ? "The server ended the event "
          "stream before the utterance was done (truncated)" :
          "The connection to the server was lost in the middle of an "
          "utterance"), g_strdup (error->message));
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
      sse_request_free (req);
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
          g_strdup (error->message));
    else if (req->refused_status)
      sse_request_failed (req, req->refused_status, NULL);
    else
      sse_request_free (req);   /* done, or failed: nothing more to read */
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
  CartesiaConnection *s = req->conn;
  g_autofree gchar *details = NULL;
  gchar *text = NULL, *debug;
  CartesiaErrorKind kind;

  CartesiaNetFailure net;
  gboolean blamed = cartesia_net_explain (&s->config, req->msg, status,
      error, &net);
  gboolean retry;

  req->attempt++;
  if (req->error_body)
    details = cartesia_message_http_error_text ((const gchar *)
        req->error_body->data, req->error_body->len);
  debug = failure_debug (req->msg, status, error);

  if (blamed)
    retry = net.retry && cartesia_policy_attempts_left (&s->policy,
        req->attempt);
  else
    retry = should_retry (s, req->attempt, status, error);
  if (retry) {
    guint delay = backoff_ms (s, req->attempt, req->msg);

    GST_INFO ("SSE attempt %u for context %s failed (%s); retrying in %u ms",
        req->attempt, req->context_id, debug, delay);
    count (req->owner, 0, 1, 0);
    g_free (debug);
    g_clear_object (&req->stream);
    g_clear_pointer (&req->parser, cartesia_sse_parser_free);
    req->refused_status = 0;
    if (req->error_body)
      g_byte_array_set_size (req->error_body, 0);
    req->retry_source = schedule (s, delay, on_sse_retry, req);
    cartesia_net_failure_clear (&net);
    return;
  }
  if (blamed) {
    kind = net.kind;
    text = req->attempt > 1 ? g_strdup_printf ("%s (after %u attempts)",
        net.text, req->attempt) : g_strdup (net.text);
    s->tls_errors = net.tls_errors;
  } else {
    kind = cartesia_policy_describe_failure (status, error, req->attempt, "request", details,
        &text);
  }
  cartesia_net_failure_clear (&net);
  sse_fail (req, kind, status, text, debug);
  s->tls_errors = 0;
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
    sse_request_free (req);
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
  g_autoptr (GError) error = NULL;
  guint status;

  req->stream = soup_session_send_finish (SOUP_SESSION (source), result,
      &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    sse_request_free (req);
    return;
  }
  if (req->stream == NULL) {
    sse_request_failed (req, 0, error);
    return;
  }
  status = soup_message_get_status (req->msg);
  GST_INFO ("SSE request for context %s answered %u, X-Request-Id %s",
      req->context_id, status, GST_STR_NULL (response_request_id (req->msg)));
  if (status != SOUP_STATUS_OK) {
    if (req->error_body == NULL)
      req->error_body = g_byte_array_new ();
    g_input_stream_read_bytes_async (req->stream, 4096, G_PRIORITY_DEFAULT,
        req->cancellable, on_sse_error_body, req);
    return;
  }
  GST_DEBUG ("SSE stream for context %s open", req->context_id);
  count (req->owner, 1, 0, 0);
  push_sent (req->conn, req->owner, req->context_id);
  req->parser = cartesia_sse_parser_new (SSE_MAX_EVENT);
  g_input_stream_read_bytes_async (req->stream, SSE_READ_SIZE,
      G_PRIORITY_DEFAULT, req->cancellable, on_sse_read, req);
}

static void
sse_send (SseRequest * req)
{
  CartesiaConnection *s = req->conn;
  g_autofree gchar *url = build_url (s->config.base_url, "/tts/sse", FALSE);
  g_autoptr (GBytes) body = g_bytes_new (req->body, strlen (req->body));

  g_clear_object (&req->msg);
  req->msg = new_message (s, SOUP_METHOD_POST, url);
  soup_message_headers_replace (soup_message_get_request_headers (req->msg),
      "Accept", "text/event-stream");
  cartesia_net_set_body (req->msg, "application/json", body);
  GST_INFO ("POST %s for context %s (attempt %u)", url, req->context_id,
      req->attempt + 1);
  soup_session_send_async (s->soup, req->msg, G_PRIORITY_DEFAULT,
      req->cancellable, on_sse_sent, req);
}

static void
sse_start (CartesiaConnection * s, CartesiaSession * owner,
    const gchar * context_id, const gchar * body)
{
  SseRequest *req = g_new0 (SseRequest, 1);

  req->conn = s;
  req->owner = owner;
  req->context_id = g_strdup (context_id);
  req->body = g_strdup (body);
  req->cancellable = g_cancellable_new ();
  g_hash_table_insert (s->sse_requests, req->context_id, req);
  sse_send (req);
}

/* Stops @req: callbacks in flight see the cancellation and free it. */
static void
sse_cancel (SseRequest * req)
{
  if (req->retry_source)
    sse_request_free (req);
  else
    g_cancellable_cancel (req->cancellable);
}

static void
sse_cancel_all (CartesiaConnection * s)
{
  GList *reqs = g_hash_table_get_values (s->sse_requests), *l;

  for (l = reqs; l; l = l->next)
    sse_cancel (l->data);
  g_list_free (reqs);
}

/* Opens the TCP (and TLS) connection ahead of the first POST. */
static void
sse_preconnect (CartesiaConnection * s)
{
  g_autofree gchar *url = build_url (s->config.base_url, "/tts/sse", FALSE);
  g_autoptr (SoupMessage) msg = new_message (s, SOUP_METHOD_POST, url);

  soup_session_preconnect_async (s->soup, msg, G_PRIORITY_DEFAULT,
      s->cancellable, NULL, NULL);
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
do_send (CartesiaConnection * s, Op * op)
{
  ContextState *state = g_hash_table_lookup (s->contexts, op->context_id);

  /* The server's answer to the last attempt, unless another attempt (on a
   * shared connection, another element's) is under way: that one decides. */
  if (s->refusal && s->ws == NULL && !s->connecting) {
    CartesiaEvent *r = g_steal_pointer (&s->refusal);

    push_error (s, op->handle, op->context_id, r->error_kind, r->http_status,
        g_steal_pointer (&r->error_text), g_steal_pointer (&r->error_debug));
    cartesia_event_free (r);
    return;
  }

  if (state == NULL) {
    state = g_new0 (ContextState, 1);
    state->conn = s;
    state->owner = op->handle;
    state->inputs = g_ptr_array_new_with_free_func (g_free);
    g_hash_table_insert (s->contexts, g_strdup (op->context_id), state);
  }
  if (s->config.transport == CARTESIA_TRANSPORT_SSE) {
    sse_start (s, op->handle, op->context_id, op->request);
    return;
  }
  if (s->ws && soup_websocket_connection_get_state (s->ws) ==
      SOUP_WEBSOCKET_STATE_OPEN) {
    soup_websocket_connection_send_text (s->ws, op->request);
    g_ptr_array_add (state->inputs, g_steal_pointer (&op->request));
    push_sent (s, op->handle, op->context_id);
    return;
  }
  g_ptr_array_add (state->inputs, g_strdup (op->request));
  g_queue_push_tail (&s->outbox, op_copy (op));
  start_connect (s);
}

static void
cancel_context (CartesiaConnection * s, const gchar * context_id)
{
  g_autofree gchar *cancel = NULL;
  SseRequest *req;
  ContextState *state = g_hash_table_lookup (s->contexts, context_id);
  g_autofree gchar *wire_id = NULL;
  GList *l, *next;

  if (state == NULL)
    return;
  wire_id = g_strdup (state->wire_id ? state->wire_id : context_id);
  g_hash_table_remove (s->contexts, context_id);
  /* Inputs still waiting for the socket never reach the server at all. */
  for (l = s->outbox.head; l; l = next) {
    Op *op = l->data;

    next = l->next;
    if (g_strcmp0 (op->context_id, context_id) == 0) {
      g_queue_delete_link (&s->outbox, l);
      op_free (op);
    }
  }
  req = g_hash_table_lookup (s->sse_requests, context_id);
  if (req) {
    sse_cancel (req);
    return;
  }
  if (s->ws && soup_websocket_connection_get_state (s->ws) ==
      SOUP_WEBSOCKET_STATE_OPEN) {
    cancel = cartesia_request_build_cancel (wire_id);
    soup_websocket_connection_send_text (s->ws, cancel);
  }
}

static void
do_cancel (CartesiaConnection * s, Op * op)
{
  cancel_context (s, op->context_id);
}

static void
do_attach (CartesiaConnection * s, CartesiaSession * h)
{
  s->handles = g_list_append (s->handles, h);
  /* The socket it joins is one it uses: count it as its own. */
  if (s->ws && soup_websocket_connection_get_state (s->ws) ==
      SOUP_WEBSOCKET_STATE_OPEN)
    count (h, 1, 0, 0);
}

/* Lets go of @h: its open contexts are cancelled on the server, whatever it
 * still had queued is dropped, and nothing refers to it afterwards, so that
 * it may be freed. */
static void
do_detach (CartesiaConnection * s, CartesiaSession * h)
{
  GHashTableIter iter;
  gpointer key, value;
  GPtrArray *mine = g_ptr_array_new_with_free_func (g_free);
  GList *l, *next;
  guint i;

  g_hash_table_iter_init (&iter, s->contexts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (((ContextState *) value)->owner == h)
      g_ptr_array_add (mine, g_strdup (key));
  for (i = 0; i < mine->len; i++) {
    GST_DEBUG ("cancelling context %s of a handle that leaves",
        (gchar *) mine->pdata[i]);
    cancel_context (s, mine->pdata[i]);
  }
  g_ptr_array_unref (mine);

  for (l = s->outbox.head; l; l = next) {
    Op *op = l->data;

    next = l->next;
    if (op->handle == h) {
      g_queue_delete_link (&s->outbox, l);
      op_free (op);
    }
  }
  g_hash_table_iter_init (&iter, s->sse_requests);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((SseRequest *) value)->owner == h)
      ((SseRequest *) value)->owner = NULL;
  s->handles = g_list_remove (s->handles, h);

  g_mutex_lock (&h->lock);
  h->detached = TRUE;
  g_cond_broadcast (&h->cond);
  g_mutex_unlock (&h->lock);
}

static gboolean
on_close_timeout (gpointer user_data)
{
  CartesiaConnection *s = user_data;

  GST_INFO ("the server did not finish the handshake or the close in time");
  g_cancellable_cancel (s->cancellable);
  g_main_loop_quit (s->loop);
  return G_SOURCE_REMOVE;
}

static void
do_shutdown (CartesiaConnection * s)
{
  GSource *timeout;

  s->shutting_down = TRUE;
  sse_cancel_all (s);
  unschedule (&s->retry_source);
  if (s->connecting && s->ws == NULL) {
    /* A handshake under way may already count as a connection on the
     * server: let it finish, and close what it opens cleanly (on_connected),
     * within the same bound as a close. */
    timeout = schedule (s, CLOSE_WAIT_MS, on_close_timeout, s);
    g_source_unref (timeout);
    return;
  }
  g_cancellable_cancel (s->cancellable);
  if (s->ws == NULL || soup_websocket_connection_get_state (s->ws) !=
      SOUP_WEBSOCKET_STATE_OPEN) {
    g_main_loop_quit (s->loop);
    return;
  }
  /* Close cleanly, but never let a silent server hold up a state change. */
  soup_websocket_connection_close (s->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  timeout = schedule (s, CLOSE_WAIT_MS, on_close_timeout, s);
  g_source_unref (timeout);
}

static gboolean
run_op (gpointer data)
{
  Op *op = data;
  CartesiaConnection *s = op->conn;

  switch (op->type) {
    case OP_CONNECT:
      if (s->config.transport == CARTESIA_TRANSPORT_SSE)
        sse_preconnect (s);
      else
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
    case OP_ATTACH:
      do_attach (s, op->handle);
      break;
    case OP_DETACH:
      do_detach (s, op->handle);
      break;
  }
  return G_SOURCE_REMOVE;
}

/* Ops run on the session thread in the order they were queued (idle sources
 * of one priority are dispatched first come, first served). */
static void
queue_op (CartesiaConnection * s, CartesiaSession * h, OpType type,
    const gchar * context_id, gchar * request)
{
  Op *op = g_new0 (Op, 1);
  GSource *source = g_idle_source_new ();

  op->conn = s;
  op->handle = h;
  op->type = type;
  op->context_id = g_strdup (context_id);
  op->request = request;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, run_op, op, op_free);
  g_source_attach (source, s->context);
  g_source_unref (source);
}

/* ---- the thread ---- */

static gpointer
session_thread (gpointer data)
{
  CartesiaConnection *s = data;

  g_main_context_push_thread_default (s->context);
  s->soup = cartesia_net_session_new (&s->config);
  g_main_loop_run (s->loop);

  /* Tear down on the thread that owns the objects.  Cancelled operations
   * deliver their callbacks first (a late handshake may still hand over a
   * socket), then the socket and the session go. */
  g_cancellable_cancel (s->cancellable);
  soup_session_abort (s->soup);
  while (g_main_context_iteration (s->context, FALSE));
  drop_ws (s);
  g_clear_object (&s->soup);
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
  if (c->api_key)
    memset (c->api_key, 0, strlen (c->api_key));
  g_free (c->api_key);
  g_free (c->cartesia_version);
  g_free (c->user_agent);
  g_free (c->proxy);
  g_free (c->proxy_id);
  clear_secret (c->proxy_pw);
  g_clear_object (&c->tls_database);
  g_clear_object (&c->tls_interaction);
}

static CartesiaConnection *
connection_new (const CartesiaSessionConfig * config)
{
  CartesiaConnection *s = g_new0 (CartesiaConnection, 1);

  if (cartesia_session_debug == NULL)
    GST_DEBUG_CATEGORY_INIT (cartesia_session_debug, "cartesiasession", 0,
        "Cartesia transport (libsoup)");

  copy_config (&s->config, config);
  s->policy.retries = config->retries;
  s->policy.backoff_factor = config->retry_backoff_factor;
  s->policy.backoff_max = config->retry_backoff_max;
  s->rand = g_rand_new ();
  s->context = g_main_context_new ();
  s->loop = g_main_loop_new (s->context, FALSE);
  s->cancellable = g_cancellable_new ();
  s->contexts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      context_state_free);
  s->sse_requests = g_hash_table_new (g_str_hash, g_str_equal);
  s->wire_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  g_queue_init (&s->outbox);
  return s;
}

static void
connection_start (CartesiaConnection * s)
{
  s->thread = g_thread_new ("cartesia-session", session_thread, s);
}

/* Cancels everything, closes the websocket cleanly (bounded wait), joins,
 * frees. */
static void
connection_free (CartesiaConnection * s)
{
  queue_op (s, NULL, OP_SHUTDOWN, NULL, NULL);
  g_thread_join (s->thread);

  g_queue_clear_full (&s->outbox, op_free);
  g_hash_table_unref (s->contexts);
  g_hash_table_unref (s->wire_ids);
  g_hash_table_unref (s->sse_requests);
  g_list_free (s->handles);
  cartesia_event_free (s->refusal);
  g_free (s->request_id);
  g_rand_free (s->rand);
  g_object_unref (s->cancellable);
  g_main_loop_unref (s->loop);
  g_main_context_unref (s->context);
  clear_config (&s->config);
  g_free (s->fingerprint);
  g_free (s);
}

static CartesiaSession *
handle_new (CartesiaConnection * conn, gboolean shared)
{
  CartesiaSession *h = g_new0 (CartesiaSession, 1);

  h->conn = conn;
  h->shared = shared;
  g_queue_init (&h->events);
  g_mutex_init (&h->lock);
  g_cond_init (&h->cond);
  return h;
}

static void
handle_free (CartesiaSession * h)
{
  g_queue_clear_full (&h->events, (GDestroyNotify) cartesia_event_free);
  g_mutex_clear (&h->lock);
  g_cond_clear (&h->cond);
  g_free (h);
}

CartesiaSession *
cartesia_session_new (const CartesiaSessionConfig * config)
{
  CartesiaConnection *conn = connection_new (config);
  CartesiaSession *h = handle_new (conn, FALSE);

  /* The thread is not running yet: no need to go through an op. */
  conn->handles = g_list_append (NULL, h);
  conn->refs = 1;
  connection_start (conn);
  return h;
}

static void
fingerprint_add (GChecksum * sum, const gchar * field)
{
  /* Length-prefixed, so that no two configurations run together. */
  gchar len[32];

  g_snprintf (len, sizeof (len), "%" G_GSIZE_FORMAT ":",
      field ? strlen (field) : (gsize) - 1);
  g_checksum_update (sum, (const guchar *) len, -1);
  if (field)
    g_checksum_update (sum, (const guchar *) field, -1);
}

/* A digest of every field: equal for equal configurations, and one that
 * gives nothing of the key away. */
static gchar *
config_fingerprint (const CartesiaSessionConfig * c)
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree gchar *numbers = g_strdup_printf ("%d|%u|%d|%a|%a|%d|%p|%p",
      c->ssl_strict ? 1 : 0, c->timeout, c->retries, c->retry_backoff_factor,
      c->retry_backoff_max, (gint) c->transport, c->tls_database,
      c->tls_interaction);
  gchar *digest;

  fingerprint_add (sum, c->base_url);
  fingerprint_add (sum, c->api_key);
  fingerprint_add (sum, c->cartesia_version);
  fingerprint_add (sum, c->user_agent);
  fingerprint_add (sum, c->proxy);
  fingerprint_add (sum, c->proxy_id);
  fingerprint_add (sum, c->proxy_pw);
  fingerprint_add (sum, numbers);
  digest = g_strdup (g_checksum_get_string (sum));
  g_checksum_free (sum);
  return digest;
}

CartesiaSession *
cartesia_session_new_shared (const CartesiaSessionConfig * config)
{
  g_autofree gchar *fingerprint = NULL;
  CartesiaConnection *conn;
  CartesiaSession *h;

  /* Each SSE utterance is a request of its own: nothing to share. */
  if (config->transport != CARTESIA_TRANSPORT_WEBSOCKET)
    return cartesia_session_new (config);

  fingerprint = config_fingerprint (config);
  g_mutex_lock (&registry_lock);
  if (registry == NULL)
    registry = g_hash_table_new (g_str_hash, g_str_equal);
  conn = g_hash_table_lookup (registry, fingerprint);
  if (conn == NULL) {
    conn = connection_new (config);
    conn->fingerprint = g_steal_pointer (&fingerprint);
    g_hash_table_insert (registry, conn->fingerprint, conn);
    connection_start (conn);
    GST_INFO ("new shared connection %p", conn);
  }
  conn->refs++;
  h = handle_new (conn, TRUE);
  /* Queued under the lock: the connection cannot go before it runs. */
  queue_op (conn, h, OP_ATTACH, NULL, NULL);
  GST_INFO ("handle %p joins shared connection %p (%u holders)", h, conn,
      conn->refs);
  g_mutex_unlock (&registry_lock);
  return h;
}

void
cartesia_session_free (CartesiaSession * h)
{
  CartesiaConnection *conn;
  gboolean last;

  if (h == NULL)
    return;
  conn = h->conn;
  cartesia_session_set_flushing (h, TRUE);

  if (!h->shared) {
    connection_free (conn);
    handle_free (h);
    return;
  }

  /* Let the connection finish with this handle (cancelling its contexts on
   * the server) before it goes; the session thread never blocks, so this is
   * a short wait. */
  queue_op (conn, h, OP_DETACH, NULL, NULL);
  g_mutex_lock (&h->lock);
  while (!h->detached)
    g_cond_wait (&h->cond, &h->lock);
  g_mutex_unlock (&h->lock);

  /* Out of the registry under its lock, so that a handle joining now gets a
   * connection of its own instead of one that is closing; the close itself
   * happens outside it, without holding anyone up. */
  g_mutex_lock (&registry_lock);
  last = --conn->refs == 0;
  if (last) {
    g_hash_table_remove (registry, conn->fingerprint);
    if (g_hash_table_size (registry) == 0)
      g_clear_pointer (&registry, g_hash_table_unref);
  }
  g_mutex_unlock (&registry_lock);
  GST_INFO ("handle %p leaves shared connection %p%s", h, conn,
      last ? ", the last: closing it" : "");

  if (last)
    connection_free (conn);
  handle_free (h);
}

void
cartesia_session_connect (CartesiaSession * h)
{
  queue_op (h->conn, h, OP_CONNECT, NULL, NULL);
}

void
cartesia_session_send (CartesiaSession * h, const gchar * context_id,
    gchar * request)
{
  queue_op (h->conn, h, OP_SEND, context_id, request);
}

void
cartesia_session_cancel (CartesiaSession * h, const gchar * context_id)
{
  queue_op (h->conn, h, OP_CANCEL, context_id, NULL);
}

CartesiaPopResult
cartesia_session_pop (CartesiaSession * s, gint64 end_time,
    CartesiaEvent ** event)
{
  CartesiaPopResult result = CARTESIA_POP_EVENT;

  *event = NULL;
  g_mutex_lock (&s->lock);
  while (!s->flushing && !s->wakeup && g_queue_is_empty (&s->events)) {
    gboolean timed_out = FALSE;

    s->waiters++;
    if (end_time < 0)
      g_cond_wait (&s->cond, &s->lock);
    else
      timed_out = !g_cond_wait_until (&s->cond, &s->lock, end_time);
    s->waiters--;
    if (timed_out)
      break;
  }
  if (s->flushing)
    result = CARTESIA_POP_FLUSHING;
  else if (!g_queue_is_empty (&s->events))
    *event = g_queue_pop_head (&s->events);
  else if (s->wakeup) {
    result = CARTESIA_POP_WAKEUP;
    s->wakeup = FALSE;
  } else {
    result = CARTESIA_POP_TIMEOUT;
  }
  g_mutex_unlock (&s->lock);
  return result;
}

void
cartesia_session_set_notify (CartesiaSession * s, CartesiaEventType type,
    CartesiaSessionNotify func, gpointer user_data)
{
  g_mutex_lock (&s->lock);
  s->notify_type = type;
  s->notify = func;
  s->notify_data = user_data;
  g_mutex_unlock (&s->lock);
}

void
cartesia_session_get_stats (CartesiaSession * s, CartesiaSessionStats * stats)
{
  g_mutex_lock (&s->lock);
  *stats = s->stats;
  g_mutex_unlock (&s->lock);
}

void
cartesia_session_wakeup (CartesiaSession * s)
{
  g_mutex_lock (&s->lock);
  s->wakeup = TRUE;
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}

void
cartesia_session_set_flushing (CartesiaSession * s, gboolean flushing)
{
  g_mutex_lock (&s->lock);
  s->flushing = flushing;
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}
