/* gst-cartesia: transport layer, the element's handle and the registry.
 *
 * A CartesiaSession is what one element holds: its event queue
 * (cartesia-event-queue.c) on a CartesiaConnection (cartesia-connection.c:
 * the thread, the socket, the contexts).  A connection made by
 * cartesia_session_new() has exactly one handle; one made by
 * cartesia_session_new_shared() is found in a process-wide registry by a
 * fingerprint of its configuration and serves every handle that asks for
 * the same settings, telling their events apart by the context that owns
 * them.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cartesia-session.h"
#include "cartesia-connection.h"

#include <gst/gst.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (cartesia_session_debug);
#define GST_CAT_DEFAULT cartesia_session_debug

/* Once per process, whichever thread comes first. */
static void
init_debug (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (cartesia_session_debug, "cartesiasession", 0,
        "Cartesia transport (libsoup)");
    g_once_init_leave (&done, 1);
  }
}

/* A connection in the registry and how many handles hold it. */
typedef struct
{
  CartesiaConnection *conn;
  gchar *fingerprint;           /* the registry's key */
  guint refs;                   /* guarded by registry_lock */
} SharedConnection;

/* What one element holds. */
struct _CartesiaSession
{
  CartesiaConnection *conn;
  SharedConnection *shared;     /* NULL: the connection is this handle's */
  CartesiaEventQueue *queue;
};

/* Shared connections by fingerprint (SHA-256 of every config field: the key
 * itself is never a registry key). */
static GMutex registry_lock;
static GHashTable *registry;

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

static CartesiaSession *
handle_new (CartesiaConnection * conn, SharedConnection * shared,
    CartesiaEventQueue * queue)
{
  CartesiaSession *h = g_new0 (CartesiaSession, 1);

  h->conn = conn;
  h->shared = shared;
  h->queue = queue;
  return h;
}

CartesiaSession *
cartesia_session_new (const CartesiaSessionConfig * config)
{
  CartesiaEventQueue *queue = cartesia_event_queue_new ();

  init_debug ();
  return handle_new (cartesia_connection_new (config, queue), NULL, queue);
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
  SharedConnection *shared;
  CartesiaSession *h;

  /* Each SSE utterance is a request of its own: nothing to share. */
  if (config->transport != CARTESIA_TRANSPORT_WEBSOCKET)
    return cartesia_session_new (config);

  init_debug ();
  fingerprint = config_fingerprint (config);
  g_mutex_lock (&registry_lock);
  if (registry == NULL)
    registry = g_hash_table_new (g_str_hash, g_str_equal);
  shared = g_hash_table_lookup (registry, fingerprint);
  if (shared == NULL) {
    shared = g_new0 (SharedConnection, 1);
    shared->conn = cartesia_connection_new (config, NULL);
    shared->fingerprint = g_steal_pointer (&fingerprint);
    g_hash_table_insert (registry, shared->fingerprint, shared);
    GST_INFO ("new shared connection %p", shared->conn);
  }
  shared->refs++;
  h = handle_new (shared->conn, shared, cartesia_event_queue_new ());
  /* Posted under the lock: the connection cannot go before it runs. */
  cartesia_connection_attach (shared->conn, h->queue);
  GST_INFO ("handle %p joins shared connection %p (%u holders)", h,
      shared->conn, shared->refs);
  g_mutex_unlock (&registry_lock);
  return h;
}

void
cartesia_session_free (CartesiaSession * h)
{
  SharedConnection *shared;
  gboolean last;

  if (h == NULL)
    return;
  shared = h->shared;
  cartesia_event_queue_set_flushing (h->queue, TRUE);

  if (shared == NULL) {
    cartesia_connection_free (h->conn);
    cartesia_event_queue_free (h->queue);
    g_free (h);
    return;
  }

  /* Let the connection finish with this handle (cancelling its contexts on
   * the server) before it goes; the connection's thread never blocks, so
   * this is a short wait. */
  cartesia_connection_detach (h->conn, h->queue);
  cartesia_event_queue_wait_released (h->queue);

  /* Out of the registry under its lock, so that a handle joining now gets a
   * connection of its own instead of one that is closing; the close itself
   * happens outside it, without holding anyone up. */
  g_mutex_lock (&registry_lock);
  last = --shared->refs == 0;
  if (last) {
    g_hash_table_remove (registry, shared->fingerprint);
    if (g_hash_table_size (registry) == 0)
      g_clear_pointer (&registry, g_hash_table_unref);
  }
  g_mutex_unlock (&registry_lock);
  GST_INFO ("handle %p leaves shared connection %p%s", h, h->conn,
      last ? ", the last: closing it" : "");

  if (last) {
    cartesia_connection_free (shared->conn);
    g_free (shared->fingerprint);
    g_free (shared);
  }
  cartesia_event_queue_free (h->queue);
  g_free (h);
}

void
cartesia_session_connect (CartesiaSession * h)
{
  cartesia_connection_connect (h->conn, h->queue);
}

void
cartesia_session_send (CartesiaSession * h, const gchar * context_id,
    const CartesiaRequestParams * params, const gchar * text,
    gboolean continue_)
{
  cartesia_connection_send (h->conn, h->queue, context_id,
      cartesia_request_input_new (params, text, continue_));
}

void
cartesia_session_cancel (CartesiaSession * h, const gchar * context_id)
{
  cartesia_connection_cancel (h->conn, h->queue, context_id);
}

gboolean
cartesia_session_continues_contexts (CartesiaSession * h)
{
  return cartesia_connection_continues_contexts (h->conn);
}

CartesiaPopResult
cartesia_session_pop (CartesiaSession * h, gint64 end_time,
    CartesiaEvent ** event)
{
  return cartesia_event_queue_pop (h->queue, end_time, event);
}

void
cartesia_session_set_notify (CartesiaSession * h, CartesiaEventType type,
    CartesiaSessionNotify func, gpointer user_data)
{
  cartesia_event_queue_set_notify (h->queue, type, func, user_data);
}

void
cartesia_session_get_stats (CartesiaSession * h, CartesiaSessionStats * stats)
{
  cartesia_event_queue_get_stats (h->queue, stats);
}

void
cartesia_session_wakeup (CartesiaSession * h)
{
  cartesia_event_queue_wakeup (h->queue);
}

void
cartesia_session_set_flushing (CartesiaSession * h, gboolean flushing)
{
  cartesia_event_queue_set_flushing (h->queue, flushing);
}
