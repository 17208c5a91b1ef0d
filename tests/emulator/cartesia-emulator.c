/* cartesia-emulator: the server thread, options, request log, statistics,
 * authentication and the answers shared by every endpoint.  The endpoints
 * themselves live in emu-ws.c and emu-http.c. */
#include "emu-private.h"
#include "emu-json.h"
#include "emu-synth.h"

#include <gio/gnetworking.h>
#include <string.h>

#define CLOSE_GRACE_MS 200
#define SHUTDOWN_TIMEOUT_MS 2000

/* ---- small shared helpers ---- */

void
emu_log (CartesiaEmulator * emu, const gchar * format, ...)
{
  g_autofree gchar *line = NULL;
  gboolean enabled;
  va_list args;

  g_mutex_lock (&emu->lock);
  enabled = emu->log_enabled;
  g_mutex_unlock (&emu->lock);
  if (!enabled)
    return;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("cartesia-emulator: %s\n", line);
}

CartesiaEmulatorStats *
emu_stats_lock (CartesiaEmulator * emu)
{
  g_mutex_lock (&emu->lock);
  return &emu->stats;
}

void
emu_stats_unlock (CartesiaEmulator * emu)
{
  g_mutex_unlock (&emu->lock);
}

void
emu_record_pacing_locked (CartesiaEmulator * emu, gint64 late_us)
{
  CartesiaEmulatorPacing *p = &emu->pacing;

  p->chunks++;
  if (late_us > 5000)
    p->late_5ms++;
  if (late_us > 20000)
    p->late_20ms++;
  p->max_late_us = MAX (p->max_late_us, late_us);
}

void
cartesia_emulator_take_pacing (CartesiaEmulator * emu,
    CartesiaEmulatorPacing * pacing)
{
  g_mutex_lock (&emu->lock);
  *pacing = emu->pacing;
  memset (&emu->pacing, 0, sizeof emu->pacing);
  g_mutex_unlock (&emu->lock);
}

void
emu_snapshot_options (CartesiaEmulator * emu, EmuOptions * options)
{
  g_mutex_lock (&emu->lock);
  emu_options_copy (options, &emu->options);
  g_mutex_unlock (&emu->lock);
}

gboolean
emu_take_generation_fault (CartesiaEmulator * emu, const EmuOptions * options)
{
  gboolean take = FALSE;

  if (!emu_options_have_generation_fault (options))
    return FALSE;

  g_mutex_lock (&emu->lock);
  if (options->fail_count == 0
      || emu->generation_faults_used < options->fail_count) {
    emu->generation_faults_used++;
    take = TRUE;
  }
  g_mutex_unlock (&emu->lock);
  return take;
}

static gboolean
free_later_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

void
emu_free_later (CartesiaEmulator * emu, gpointer data,
    GDestroyNotify free_func)
{
  GSource *source = g_idle_source_new ();

  /* the destroy notify runs on dispatch and also when the context is
   * finalized with the source still pending, so nothing leaks */
  g_source_set_callback (source, free_later_cb, data, free_func);
  g_source_attach (source, emu->context);
  g_source_unref (source);
}

void
emu_client_clear (EmuClient * client)
{
  g_clear_pointer (&client->version, g_free);
  g_clear_pointer (&client->user_agent, g_free);
  client->auth = NULL;
}

/* ---- request log ---- */

static void
add_string_or_null (JsonBuilder * builder, const gchar * name,
    const gchar * value)
{
  json_builder_set_member_name (builder, name);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
emu_record (CartesiaEmulator * emu, EmuEndpoint endpoint,
    const EmuClient * client, const gchar * data, gsize size)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) body = emu_json_parse (data, size);
  g_autoptr (JsonNode) root = NULL;
  gchar *text;

  emu->last_request_us = g_get_monotonic_time ();
  json_builder_begin_object (builder);
  add_string_or_null (builder, "endpoint", emu_endpoint_path (endpoint));
  add_string_or_null (builder, "cartesia_version", client->version);
  add_string_or_null (builder, "auth", client->auth);
  add_string_or_null (builder, "user_agent", client->user_agent);
  if (body) {
    json_builder_set_member_name (builder, "body");
    json_builder_add_value (builder, g_steal_pointer (&body));
  } else {
    g_autofree gchar *raw = g_utf8_make_valid (data ? data : "", size);

    add_string_or_null (builder, "raw", raw);
  }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  g_mutex_lock (&emu->lock);
  g_ptr_array_add (emu->requests, text);
  g_mutex_unlock (&emu->lock);
}

gint64
emu_last_request_time (CartesiaEmulator * emu)
{
  return emu->last_request_us;
}

/* ---- timings, for benchmarks ---- */

#define MAX_TIMINGS 100000

static void
timing_clear (gpointer data)
{
  CartesiaEmulatorTiming *t = data;

  g_clear_pointer (&t->context_id, g_free);
  g_clear_pointer (&t->transcript, g_free);
}

void
emu_record_timing (CartesiaEmulator * emu, const gchar * context_id,
    const gchar * transcript, gint64 received_us, gint64 first_chunk_us)
{
  CartesiaEmulatorTiming t;

  g_mutex_lock (&emu->lock);
  if (emu->timings->len < MAX_TIMINGS) {
    t.context_id = g_strdup (context_id);
    t.transcript = g_strdup (transcript);
    t.received_us = received_us;
    t.first_chunk_us = first_chunk_us;
    g_array_append_val (emu->timings, t);
  }
  g_mutex_unlock (&emu->lock);
}

void
emu_record_generation (CartesiaEmulator * emu, const gchar * context_id,
    const gchar * text, gint64 arrival_us, gint64 started_us)
{
  CartesiaEmulatorTiming t;

  g_mutex_lock (&emu->lock);
  if (emu->generations->len < MAX_TIMINGS) {
    t.context_id = g_strdup (context_id);
    t.transcript = g_strdup (text);
    t.received_us = arrival_us;
    t.first_chunk_us = started_us;
    g_array_append_val (emu->generations, t);
  }
  g_mutex_unlock (&emu->lock);
}

gboolean
emu_voice_is_known (CartesiaEmulator * emu, const EmuRequest * request,
    EmuError * error)
{
  gboolean known;

  g_mutex_lock (&emu->lock);
  known = request->voice_id == NULL || emu->options.unknown_voice == NULL
      || g_ascii_strcasecmp (request->voice_id,
      emu->options.unknown_voice) != 0;
  g_mutex_unlock (&emu->lock);
  if (!known)
    emu_error_set_voice_not_found (error, request->voice_id);
  return known;
}

guint
emu_context_expiry_ms (CartesiaEmulator * emu)
{
  guint ms;

  g_mutex_lock (&emu->lock);
  ms = emu->options.context_expiry_ms;
  g_mutex_unlock (&emu->lock);
  return ms;
}

/* ---- authentication, version and the http-status fault ---- */

static const gchar *
header (SoupServerMessage * msg, const gchar * name)
{
  return soup_message_headers_get_one (soup_server_message_get_request_headers
      (msg), name);
}

static const gchar *
bearer_token (const gchar * value)
{
  if (value == NULL || g_ascii_strncasecmp (value, "Bearer ", 7) != 0)
    return NULL;
  value += 7;
  while (*value == ' ')
    value++;
  return value;
}

/* Finds the key the client sent; with several, a matching one wins.
 * Returns TRUE when the key is acceptable. */
static gboolean
emu_check_key (CartesiaEmulator * emu, SoupServerMessage * msg,
    GHashTable * query, EmuClient * client, gboolean * missing)
{
  const gchar *forms[4] = { "authorization", "x-api-key", "api_key",
    "access_token"
  };
  const gchar *keys[4];
  guint i;

  keys[0] = bearer_token (header (msg, "Authorization"));
  keys[1] = header (msg, "X-API-Key");
  keys[2] = query ? g_hash_table_lookup (query, "api_key") : NULL;
  keys[3] = query ? g_hash_table_lookup (query, "access_token") : NULL;

  *missing = TRUE;
  for (i = 0; i < G_N_ELEMENTS (keys); i++) {
    if (keys[i] == NULL || *keys[i] == '\0')
      continue;
    if (client->auth == NULL)
      client->auth = forms[i];
    *missing = FALSE;
    if (emu->api_key == NULL || g_str_equal (keys[i], emu->api_key)) {
      client->auth = forms[i];
      return TRUE;
    }
  }
  return FALSE;
}

gboolean
emu_use_structured_errors (CartesiaEmulator * emu, const gchar * version)
{
  EmuErrorFormat format;

  g_mutex_lock (&emu->lock);
  format = emu->options.error_format;
  g_mutex_unlock (&emu->lock);

  if (format == EMU_ERROR_FORMAT_AUTO)
    return emu_version_has_structured_errors (version);
  return format == EMU_ERROR_FORMAT_STRUCTURED;
}

void
emu_respond_error (SoupServerMessage * msg, const EmuError * error,
    gboolean structured, guint retry_after)
{
  const gchar *content_type;
  gchar *body = emu_error_http_body (error, structured, &content_type);

  soup_server_message_set_status (msg, error->status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE,
      body, strlen (body));
  if (retry_after > 0) {
    g_autofree gchar *value = g_strdup_printf ("%u", retry_after);

    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Retry-After", value);
  }
}

/* The http-status fault, honouring fail-count; 0 when off. */
static guint
emu_take_status_fault (CartesiaEmulator * emu, guint * retry_after)
{
  guint status = 0;

  g_mutex_lock (&emu->lock);
  if (emu->options.http_status != 0 && (emu->options.fail_count == 0
          || emu->status_faults_used < emu->options.fail_count)) {
    emu->status_faults_used++;
    status = emu->options.http_status;
    *retry_after = emu->options.retry_after;
  }
  g_mutex_unlock (&emu->lock);
  return status;
}

static void
emu_read_version (SoupServerMessage * msg, GHashTable * query,
    EmuClient * client)
{
  const gchar *version = query ? g_hash_table_lookup (query,
      "cartesia_version") : NULL;

  /* the query parameter wins over the header */
  if (version == NULL)
    version = header (msg, "Cartesia-Version");
  client->version = g_strdup (version);
}

gboolean
emu_admit (CartesiaEmulator * emu, SoupServerMessage * msg,
    GHashTable * query, EmuClient * client)
{
  EmuError error = { 0, };
  gboolean structured, missing, key_ok;
  guint status, retry_after = 0;

  client->user_agent = g_strdup (header (msg, "User-Agent"));
  emu_read_version (msg, query, client);
  key_ok = emu_check_key (emu, msg, query, client, &missing);
  structured = emu_use_structured_errors (emu, client->version);

  status = emu_take_status_fault (emu, &retry_after);
  if (status != 0) {
    emu_error_set_for_status (&error, status);
  } else if (!key_ok) {
    emu_error_set (&error, 401, "unauthorized", "Unauthorized", "%s",
        missing ? "No API key was provided" : "Invalid API key");
  } else if (client->version == NULL) {
    emu_error_set (&error, 400, "invalid_request", "Invalid version",
        "%s", "The Cartesia-Version header is required");
  } else if (!emu_version_is_known (client->version)) {
    emu_error_set (&error, 400, "invalid_request", "Invalid version",
        "Cartesia-Version %s is not supported", client->version);
  } else {
    return TRUE;
  }

  emu_log (emu, "%s %s: refused with %u (%s)",
      soup_server_message_get_method (msg),
      g_uri_get_path (soup_server_message_get_uri (msg)), error.status,
      error.title);
  emu_respond_error (msg, &error, structured, retry_after);
  emu_error_clear (&error);
  return FALSE;
}

/* ---- GET / ---- */

static void
root_handler (SoupServer * server, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  static const gchar body[] = "{\"ok\":true,\"version\":\""
      EMU_LATEST_VERSION "\"}";

  if (!g_str_equal (path, "/")) {
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
    return;
  }
  if (soup_server_message_get_method (msg) != SOUP_METHOD_GET
      && soup_server_message_get_method (msg) != SOUP_METHOD_HEAD) {
    soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
        NULL);
    return;
  }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json",
      SOUP_MEMORY_STATIC, body, strlen (body));
}

/* ---- the server thread ---- */

GSocket *
emu_message_socket (SoupServerMessage * msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  GSocket *socket = remote ? g_object_get_data (G_OBJECT (remote),
      "emu-socket") : NULL;

  return socket ? socket : soup_server_message_get_socket (msg);
}

typedef struct
{
  CartesiaEmulator *emu;
  GSocketAddress *local;
  GSocketAddress *remote;
} EmuHandshake;

static void
emu_handshake_done (GObject * source, GAsyncResult * result, gpointer data)
{
  EmuHandshake *hs = data;
  g_autoptr (GError) error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result,
          &error)) {
    /* A client that does not trust the certificate hangs up here. */
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      emu_log (hs->emu, "TLS handshake failed: %s", error->message);
  } else if (!soup_server_accept_iostream (hs->emu->server,
          G_IO_STREAM (source), hs->local, hs->remote, &error)) {
    emu_log (hs->emu, "could not serve a connection: %s", error->message);
  }
  g_object_unref (hs->local);
  g_object_unref (hs->remote);
  g_free (hs);
}

/* The emulator wants a client certificate, not a particular one. */
static gboolean
emu_accept_client_certificate (GTlsConnection * conn, GTlsCertificate * cert,
    GTlsCertificateFlags errors, gpointer data)
{
  emu_log (data, "client certificate accepted (errors 0x%x ignored)", errors);
  return TRUE;
}

/* TLS first, then the connection is the server's like a plain one. */
static void
emu_start_tls (CartesiaEmulator * emu, GIOStream * conn,
    GSocketAddress * local, GSocketAddress * remote)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GIOStream) tls = g_tls_server_connection_new (conn,
      emu->tls_certificate, &error);
  EmuHandshake *hs;

  if (tls == NULL) {
    emu_log (emu, "no TLS: %s", error->message);
    return;
  }
  if (emu->require_client_certificate) {
    g_object_set (tls, "authentication-mode", G_TLS_AUTHENTICATION_REQUIRED,
        NULL);
    g_signal_connect (tls, "accept-certificate",
        G_CALLBACK (emu_accept_client_certificate), emu);
  }
  hs = g_new0 (EmuHandshake, 1);
  hs->emu = emu;
  hs->local = g_object_ref (local);
  hs->remote = g_object_ref (remote);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls),
      G_PRIORITY_DEFAULT, emu->handshakes, emu_handshake_done, hs);
}

/* We accept connections ourselves and hand them to the server with
 * soup_server_accept_iostream(): libsoup 3.2's own listener leaks every
 * accepted GSocket and its local address, which LeakSanitizer reports in
 * every test that embeds the emulator.  The GSocket rides along as data on
 * the remote address, where emu_message_socket() finds it. */
static gboolean
emu_accept_cb (GSocket * listener, GIOCondition condition, gpointer data)
{
  CartesiaEmulator *emu = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket = g_socket_accept (listener, NULL, &error);
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (GSocketAddress) remote = NULL;

  if (socket == NULL) {
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
      emu_log (emu, "accept failed: %s", error->message);
    return G_SOURCE_CONTINUE;
  }

  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  local = g_socket_get_local_address (socket, NULL);
  remote = g_socket_get_remote_address (socket, NULL);
  if (local == NULL || remote == NULL)
    return G_SOURCE_CONTINUE;

  g_object_set_data_full (G_OBJECT (remote), "emu-socket",
      g_object_ref (socket), g_object_unref);
  conn = g_socket_connection_factory_create_connection (socket);
  if (emu->tls_certificate) {
    emu_start_tls (emu, G_IO_STREAM (conn), local, remote);
    return G_SOURCE_CONTINUE;
  }
  if (!soup_server_accept_iostream (emu->server, G_IO_STREAM (conn), local,
          remote, &error))
    emu_log (emu, "could not serve a connection: %s", error->message);
  return G_SOURCE_CONTINUE;
}

static void
on_request_started (SoupServer * server, SoupServerMessage * msg,
    CartesiaEmulator * emu)
{
  g_autofree gchar *uuid = g_uuid_string_random ();
  gchar *id = g_strconcat ("req_", uuid, NULL);

  soup_message_headers_replace (soup_server_message_get_response_headers
      (msg), "X-Request-Id", id);
  g_mutex_lock (&emu->lock);
  g_ptr_array_add (emu->request_ids, id);
  g_mutex_unlock (&emu->lock);
}

static gboolean
emu_listen (CartesiaEmulator * emu, GError ** error)
{
  g_autoptr (GInetAddress) loopback = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GSocketAddress) bound = NULL;
  g_autofree gchar *host = NULL;

  if (g_ascii_strcasecmp (emu->host, "localhost") == 0)
    loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    loopback = g_inet_address_new_from_string (emu->host);
  if (loopback == NULL || !g_inet_address_get_is_loopback (loopback)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "the emulator listens only on a loopback address, not '%s'",
        emu->host);
    return FALSE;
  }
  address = g_inet_socket_address_new (loopback, emu->port);

  emu->server = soup_server_new ("server-header", "cartesia-emulator ", NULL);
  /* Like the real service: every answer names its request, for support. */
  g_signal_connect (emu->server, "request-started",
      G_CALLBACK (on_request_started), emu);
  soup_server_add_handler (emu->server, "/", root_handler, emu, NULL);
  emu_ws_register (emu);
  emu_http_register (emu);

  emu->listener = g_socket_new (g_inet_address_get_family (loopback),
      G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, error);
  if (emu->listener == NULL)
    return FALSE;
  g_socket_set_blocking (emu->listener, FALSE);
  if (!g_socket_bind (emu->listener, address, TRUE, error)
      || !g_socket_listen (emu->listener, error))
    return FALSE;

  bound = g_socket_get_local_address (emu->listener, error);
  if (bound == NULL)
    return FALSE;
  emu->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  host = g_inet_address_get_family (loopback) == G_SOCKET_FAMILY_IPV6 ?
      g_strdup_printf ("[%s]", emu->host) : g_strdup (emu->host);
  emu->base_url = g_strdup_printf ("%s://%s:%u",
      emu->tls_certificate ? "https" : "http", host, emu->port);

  emu->accept_source = g_socket_create_source (emu->listener, G_IO_IN, NULL);
  g_source_set_callback (emu->accept_source, G_SOURCE_FUNC (emu_accept_cb),
      emu, NULL);
  g_source_attach (emu->accept_source, emu->context);
  return TRUE;
}

static void
emu_stop_listening (CartesiaEmulator * emu)
{
  if (emu->accept_source) {
    g_source_destroy (emu->accept_source);
    g_clear_pointer (&emu->accept_source, g_source_unref);
  }
  if (emu->listener)
    g_socket_close (emu->listener, NULL);
  g_clear_object (&emu->listener);
  g_cancellable_cancel (emu->handshakes);
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the context until @emu has no websocket left or @timeout_ms pass. */
static void
emu_iterate_until_closed (CartesiaEmulator * emu, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * (gint64) 1000;
  GSource *wake = g_timeout_source_new (10);

  g_source_set_callback (wake, wake_cb, NULL, NULL);
  g_source_attach (wake, emu->context);
  while (emu->ws_conns != NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (emu->context, TRUE);
  g_source_destroy (wake);
  g_source_unref (wake);
}

static void
emu_drain (CartesiaEmulator * emu)
{
  guint i;

  for (i = 0; i < 1000 && g_main_context_pending (emu->context); i++)
    g_main_context_iteration (emu->context, FALSE);
}

/* Closes everything: close frames first, then the sockets of clients that
 * do not answer (stalled or gone), so that freeing never hangs. */
static void
emu_shutdown (CartesiaEmulator * emu)
{
  emu_stop_listening (emu);
  emu_http_free_all (emu);
  emu_ws_close_all (emu, FALSE);
  emu_iterate_until_closed (emu, CLOSE_GRACE_MS);
  emu_ws_close_all (emu, TRUE);
  emu_iterate_until_closed (emu, SHUTDOWN_TIMEOUT_MS);
  emu_ws_free_all (emu);

  soup_server_disconnect (emu->server);
  emu_drain (emu);
  g_clear_object (&emu->server);
  emu_drain (emu);
}

static gpointer
emu_thread (gpointer data)
{
  CartesiaEmulator *emu = data;
  GError *error = NULL;
  gboolean ok;

  g_main_context_push_thread_default (emu->context);
  ok = emu_listen (emu, &error);

  g_mutex_lock (&emu->lock);
  emu->start_error = error;
  emu->ready = TRUE;
  g_cond_signal (&emu->cond);
  g_mutex_unlock (&emu->lock);

  if (ok)
    g_main_loop_run (emu->loop);
  if (emu->server)
    emu_shutdown (emu);
  emu_stop_listening (emu);

  g_main_context_pop_thread_default (emu->context);
  return NULL;
}

static void
emu_destroy (CartesiaEmulator * emu)
{
  g_clear_pointer (&emu->loop, g_main_loop_unref);
  g_clear_pointer (&emu->context, g_main_context_unref);
  g_clear_pointer (&emu->requests, g_ptr_array_unref);
  g_clear_pointer (&emu->request_ids, g_ptr_array_unref);
  g_clear_pointer (&emu->timings, g_array_unref);
  g_clear_pointer (&emu->generations, g_array_unref);
  emu_options_clear (&emu->options);
  g_clear_error (&emu->start_error);
  g_free (emu->api_key);
  g_free (emu->base_url);
  g_free (emu->host);
  g_clear_object (&emu->tls_certificate);
  g_clear_object (&emu->handshakes);
  g_mutex_clear (&emu->lock);
  g_cond_clear (&emu->cond);
  g_free (emu);
}

/* ---- public API ---- */

CartesiaEmulator *
cartesia_emulator_new (const gchar * api_key, guint port, GError ** error)
{
  return cartesia_emulator_new_full (api_key, port, NULL, error);
}

CartesiaEmulator *
cartesia_emulator_new_full (const gchar * api_key, guint port,
    const CartesiaEmulatorListen * listen, GError ** error)
{
  CartesiaEmulator *emu = g_new0 (CartesiaEmulator, 1);

  emu->host = g_strdup (listen && listen->host ? listen->host : "127.0.0.1");
  if (listen && listen->tls_certificate)
    emu->tls_certificate = g_object_ref (listen->tls_certificate);
  emu->require_client_certificate = listen
      && listen->require_client_certificate;
  emu->handshakes = g_cancellable_new ();

  g_mutex_init (&emu->lock);
  g_cond_init (&emu->cond);
  emu->api_key = (api_key && *api_key) ? g_strdup (api_key) : NULL;
  emu->port = port;
  emu_options_init (&emu->options);
  emu->requests = g_ptr_array_new_with_free_func (g_free);
  emu->request_ids = g_ptr_array_new_with_free_func (g_free);
  emu->timings = g_array_new (FALSE, FALSE, sizeof (CartesiaEmulatorTiming));
  g_array_set_clear_func (emu->timings, timing_clear);
  emu->generations = g_array_new (FALSE, FALSE,
      sizeof (CartesiaEmulatorTiming));
  g_array_set_clear_func (emu->generations, timing_clear);
  emu->context = g_main_context_new ();
  emu->loop = g_main_loop_new (emu->context, FALSE);

  emu->thread = g_thread_new ("cartesia-emulator", emu_thread, emu);
  g_mutex_lock (&emu->lock);
  while (!emu->ready)
    g_cond_wait (&emu->cond, &emu->lock);
  g_mutex_unlock (&emu->lock);

  if (emu->start_error) {
    g_thread_join (emu->thread);
    g_propagate_error (error, g_steal_pointer (&emu->start_error));
    emu_destroy (emu);
    return NULL;
  }
  return emu;
}

static gboolean
quit_cb (gpointer data)
{
  CartesiaEmulator *emu = data;

  g_main_loop_quit (emu->loop);
  return G_SOURCE_REMOVE;
}

void
cartesia_emulator_free (CartesiaEmulator * emu)
{
  GSource *source;

  if (emu == NULL)
    return;

  /* quitting from a source of the loop's own context cannot be lost, even
   * when the loop has not started running yet */
  source = g_idle_source_new ();
  g_source_set_callback (source, quit_cb, emu, NULL);
  g_source_attach (source, emu->context);
  g_source_unref (source);

  g_thread_join (emu->thread);
  emu_destroy (emu);
}

const gchar *
cartesia_emulator_get_base_url (CartesiaEmulator * emu)
{
  return emu->base_url;
}

guint
cartesia_emulator_get_port (CartesiaEmulator * emu)
{
  return emu->port;
}

gboolean
cartesia_emulator_set_option (CartesiaEmulator * emu, const gchar * name,
    const gchar * value, GError ** error)
{
  gboolean ok;

  g_return_val_if_fail (emu != NULL && name != NULL, FALSE);

  g_mutex_lock (&emu->lock);
  ok = emu_options_set (&emu->options, name, value, error);
  /* a changed fault set starts counting fail-count afresh */
  if (ok) {
    emu->status_faults_used = 0;
    emu->generation_faults_used = 0;
  }
  g_mutex_unlock (&emu->lock);
  return ok;
}

void
cartesia_emulator_set_logging (CartesiaEmulator * emu, gboolean enabled)
{
  g_mutex_lock (&emu->lock);
  emu->log_enabled = enabled;
  g_mutex_unlock (&emu->lock);
}

gchar **
cartesia_emulator_dup_requests (CartesiaEmulator * emu)
{
  gchar **requests;
  guint i;

  g_mutex_lock (&emu->lock);
  requests = g_new0 (gchar *, emu->requests->len + 1);
  for (i = 0; i < emu->requests->len; i++)
    requests[i] = g_strdup (g_ptr_array_index (emu->requests, i));
  g_mutex_unlock (&emu->lock);
  return requests;
}

gchar **
cartesia_emulator_dup_request_ids (CartesiaEmulator * emu)
{
  gchar **ids;
  guint i;

  g_mutex_lock (&emu->lock);
  ids = g_new0 (gchar *, emu->request_ids->len + 1);
  for (i = 0; i < emu->request_ids->len; i++)
    ids[i] = g_strdup (g_ptr_array_index (emu->request_ids, i));
  g_mutex_unlock (&emu->lock);
  return ids;
}

void
cartesia_emulator_clear_requests (CartesiaEmulator * emu)
{
  g_mutex_lock (&emu->lock);
  g_ptr_array_set_size (emu->requests, 0);
  g_mutex_unlock (&emu->lock);
}

static CartesiaEmulatorTiming *
dup_timing_array (CartesiaEmulator * emu, GArray * array, guint * n_timings)
{
  CartesiaEmulatorTiming *timings;
  guint i;

  g_mutex_lock (&emu->lock);
  *n_timings = array->len;
  timings = g_new0 (CartesiaEmulatorTiming, MAX (array->len, 1));
  for (i = 0; i < array->len; i++) {
    const CartesiaEmulatorTiming *t = &g_array_index (array,
        CartesiaEmulatorTiming, i);

    timings[i] = *t;
    timings[i].context_id = g_strdup (t->context_id);
    timings[i].transcript = g_strdup (t->transcript);
  }
  g_mutex_unlock (&emu->lock);
  return timings;
}

CartesiaEmulatorTiming *
cartesia_emulator_dup_timings (CartesiaEmulator * emu, guint * n_timings)
{
  return dup_timing_array (emu, emu->timings, n_timings);
}

CartesiaEmulatorTiming *
cartesia_emulator_dup_generations (CartesiaEmulator * emu, guint * n)
{
  return dup_timing_array (emu, emu->generations, n);
}

void
cartesia_emulator_timings_free (CartesiaEmulatorTiming * timings,
    guint n_timings)
{
  guint i;

  if (timings == NULL)
    return;
  for (i = 0; i < n_timings; i++)
    timing_clear (&timings[i]);
  g_free (timings);
}

void
cartesia_emulator_clear_timings (CartesiaEmulator * emu)
{
  g_mutex_lock (&emu->lock);
  g_array_set_size (emu->timings, 0);
  g_array_set_size (emu->generations, 0);
  g_mutex_unlock (&emu->lock);
}

void
cartesia_emulator_get_stats (CartesiaEmulator * emu,
    CartesiaEmulatorStats * stats)
{
  g_mutex_lock (&emu->lock);
  *stats = emu->stats;
  g_mutex_unlock (&emu->lock);
}

guint8 *
cartesia_emulator_render (const gchar * transcript, const gchar * encoding,
    guint sample_rate, gsize * n_bytes)
{
  EmuEncoding enc;
  g_autoptr (GBytes) audio = NULL;

  if (!emu_encoding_from_string (encoding, &enc)
      || !emu_sample_rate_is_valid (sample_rate))
    return NULL;

  audio = emu_synth_render (transcript, enc, sample_rate);
  /* never NULL for valid arguments, even for an empty transcript */
  return g_bytes_unref_to_data (g_steal_pointer (&audio), n_bytes);
}
