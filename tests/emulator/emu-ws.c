/* GET /tts/websocket: handshake checks, many contexts per socket,
 * continuations, flush, cancel, idle timeout and the websocket faults. */
#include "emu-gen.h"
#include "emu-json.h"

#include <string.h>

#define HUGE_MESSAGE_BYTES (4 * 1024 * 1024)

typedef struct
{
  CartesiaEmulator *emu;
  guint id;
  SoupWebsocketConnection *ws;
  GSocket *socket;
  EmuClient client;
  GHashTable *contexts;         /* context_id -> EmuGen, while generating */
  GHashTable *ended;            /* context ids that sent done or an error,
                                 * or expired (value EXPIRED) */
  guint idle_timeout_ms;
  gint64 last_activity_us;
  GSource *idle_source;
  gboolean dropped;
} EmuWsConn;

#define EXPIRED GINT_TO_POINTER (1)

static void ws_arm_idle (EmuWsConn * conn, guint ms);

static gboolean
ws_is_open (EmuWsConn * conn)
{
  return !conn->dropped && soup_websocket_connection_get_state (conn->ws)
      == SOUP_WEBSOCKET_STATE_OPEN;
}

static void
ws_send_text (EmuWsConn * conn, const gchar * text)
{
  if (!ws_is_open (conn))
    return;
  soup_websocket_connection_send_text (conn->ws, text);
  conn->last_activity_us = g_get_monotonic_time ();
}

static void
ws_send_object (EmuWsConn * conn, JsonObject * obj)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), obj);
  g_autofree gchar *text = json_to_string (node, FALSE);

  ws_send_text (conn, text);
}

static void
ws_send_error (EmuWsConn * conn, const gchar * context_id,
    const EmuError * error)
{
  gboolean structured = emu_use_structured_errors (conn->emu,
      conn->client.version);
  JsonObject *msg = emu_error_message_new (error, structured, context_id,
      TRUE);

  emu_log (conn->emu, "ws #%u: context %s: error %u %s: %s", conn->id,
      context_id ? context_id : "-", error->status, error->title,
      error->message);
  ws_send_object (conn, msg);
  json_object_unref (msg);
}

/* ---- the generation sink ---- */

static void
ws_emit (EmuGen * gen, gpointer owner, const gchar * type, JsonObject * msg,
    GBytes * audio)
{
  ws_send_object (owner, msg);
}

static gchar *
huge_chunk_text (JsonObject * chunk)
{
  g_autoptr (JsonNode) node = NULL;
  gchar *padding = g_malloc (HUGE_MESSAGE_BYTES + 1);
  gchar *text;

  /* valid JSON and valid base64 (of zeros), only too big for a client
   * that keeps its default message size limit */
  memset (padding, 'A', HUGE_MESSAGE_BYTES);
  padding[HUGE_MESSAGE_BYTES] = '\0';
  json_object_set_string_member (chunk, "data", padding);
  g_free (padding);
  node = json_node_init_object (json_node_alloc (), chunk);
  text = json_to_string (node, FALSE);
  return text;
}

static void
ws_emit_malformed (EmuGen * gen, gpointer owner, EmuMalformed kind,
    JsonObject * chunk, GBytes * audio)
{
  EmuWsConn *conn = owner;
  g_autofree gchar *text = NULL;
  JsonObject *mystery;

  switch (kind) {
    case EMU_MALFORMED_JSON:
      ws_send_text (conn, "{\"type\":\"chunk\",\"data\":\"AAAA\",\"done\":");
      break;
    case EMU_MALFORMED_BASE64:
      json_object_set_string_member (chunk, "data", "*** not base64! ***");
      ws_send_object (conn, chunk);
      break;
    case EMU_MALFORMED_BINARY:
      if (ws_is_open (conn))
        soup_websocket_connection_send_binary (conn->ws,
            g_bytes_get_data (audio, NULL), g_bytes_get_size (audio));
      break;
    case EMU_MALFORMED_UNKNOWN_TYPE:
      mystery = json_object_new ();
      json_object_set_string_member (mystery, "type", "mystery");
      json_object_set_boolean_member (mystery, "done", FALSE);
      json_object_set_int_member (mystery, "status_code", 206);
      json_object_set_string_member (mystery, "context_id",
          emu_gen_get_context_id (gen));
      json_object_set_string_member (mystery, "detail",
          "a message type clients do not know yet");
      ws_send_object (conn, mystery);
      json_object_unref (mystery);
      ws_send_object (conn, chunk);
      break;
    case EMU_MALFORMED_HUGE:
      text = huge_chunk_text (chunk);
      ws_send_text (conn, text);
      break;
    default:
      ws_send_object (conn, chunk);
      break;
  }
}

static void
ws_finished (EmuGen * gen, gpointer owner)
{
  EmuWsConn *conn = owner;
  const gchar *id = emu_gen_get_context_id (gen);
  gpointer key;

  emu_log (conn->emu, "ws #%u: context %s finished", conn->id, id);
  g_hash_table_insert (conn->ended, g_strdup (id),
      emu_gen_is_expired (gen) ? EXPIRED : NULL);
  if (g_hash_table_steal_extended (conn->contexts, id, &key, NULL))
    g_free (key);
  /* we may be inside the generation's own code */
  emu_free_later (conn->emu, gen, (GDestroyNotify) emu_gen_free);
}

static void
ws_drop (EmuGen * gen, gpointer owner)
{
  EmuWsConn *conn = owner;

  emu_log (conn->emu, "ws #%u: dropping the connection", conn->id);
  conn->dropped = TRUE;
  /* no close frame: the peer sees the TCP connection end */
  g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
}

static const EmuGenSink ws_sink = {
  ws_emit,
  ws_emit_malformed,
  ws_finished,
  ws_drop,
};

/* ---- client messages ---- */

static guint
ws_concurrency_limit (CartesiaEmulator * emu)
{
  guint limit;

  g_mutex_lock (&emu->lock);
  limit = emu->options.concurrency_limit;
  g_mutex_unlock (&emu->lock);
  return limit;
}

static EmuGen *
ws_start_context (EmuWsConn * conn, const EmuRequest * request,
    EmuError * error)
{
  CartesiaEmulator *emu = conn->emu;
  guint limit = ws_concurrency_limit (emu);
  EmuGenParams params = { 0, };
  EmuGen *gen;

  if (g_hash_table_lookup (conn->ended, request->context_id) == EXPIRED) {
    /* What the real service sends here is undocumented (§10 [U]). */
    emu_error_set (error, 400, "invalid_request", "Context expired",
        "Context %s expired: its last audio went out more than %u ms ago; "
        "use a new context_id", request->context_id,
        emu_context_expiry_ms (emu));
    return NULL;
  }
  if (g_hash_table_contains (conn->ended, request->context_id)) {
    emu_error_set (error, 400, "invalid_request", "Invalid context",
        "Context %s has already finished; use a new context_id",
        request->context_id);
    return NULL;
  }
  if (limit > 0 && emu->active_generations >= limit) {
    emu_error_set_for_status (error, 429);
    return NULL;
  }

  params.context_id = request->context_id;
  params.encoding = request->encoding;
  params.sample_rate = request->sample_rate;
  params.add_timestamps = request->add_timestamps;
  params.add_phoneme_timestamps = request->add_phoneme_timestamps;
  params.style.voice_id = request->voice_id;
  params.style.speed = request->speed;
  params.style.volume = request->volume;
  params.json_events = TRUE;
  params.flush_ids = emu_version_has_flush (conn->client.version);
  params.structured_errors = emu_use_structured_errors (emu,
      conn->client.version);
  params.websocket = TRUE;

  gen = emu_gen_new (emu, &params, &ws_sink, conn);
  g_hash_table_insert (conn->contexts, g_strdup (request->context_id), gen);
  emu_log (emu, "ws #%u: context %s started (%s, %s %u Hz)", conn->id,
      request->context_id, request->model_id,
      emu_encoding_to_string (request->encoding), request->sample_rate);
  return gen;
}

/* An error ends the context it belongs to (it carries done:true). */
static void
ws_context_error (EmuWsConn * conn, const gchar * context_id,
    const EmuError * error)
{
  EmuGen *gen = context_id ? g_hash_table_lookup (conn->contexts,
      context_id) : NULL;

  if (gen && emu_gen_is_stalled (gen))
    return;
  ws_send_error (conn, context_id, error);
  if (gen) {
    g_hash_table_add (conn->ended, g_strdup (context_id));
    g_hash_table_remove (conn->contexts, context_id);
  }
}

static void
ws_handle_generation (EmuWsConn * conn, JsonObject * body,
    const gchar * context_id)
{
  EmuRequest request;
  EmuError error = { 0, };
  EmuGen *gen;

  if (!emu_request_parse (body, conn->client.version,
          EMU_ENDPOINT_WEBSOCKET, &request, &error)
      || !emu_voice_is_known (conn->emu, &request, &error)) {
    ws_context_error (conn, context_id, &error);
    goto out;
  }

  gen = g_hash_table_lookup (conn->contexts, request.context_id);
  if (gen == NULL) {
    gen = ws_start_context (conn, &request, &error);
    if (gen == NULL) {
      ws_context_error (conn, request.context_id, &error);
      goto out;
    }
  } else if (emu_gen_is_stalled (gen)) {
    /* a stalled context swallows everything */
    goto out;
  } else if (emu_gen_is_final (gen)) {
    emu_error_set (&error, 400, "invalid_request", "Invalid context",
        "Context %s received input after continue:false",
        request.context_id);
    ws_context_error (conn, request.context_id, &error);
    goto out;
  }

  emu_gen_push (gen, request.transcript, request.flush, !request.continue_,
      request.max_buffer_delay_ms);

out:
  emu_request_clear (&request);
  emu_error_clear (&error);
}

static void
ws_handle_cancel (EmuWsConn * conn, const gchar * context_id)
{
  CartesiaEmulatorStats *stats = emu_stats_lock (conn->emu);
  EmuGen *gen;

  stats->contexts_cancelled++;
  emu_stats_unlock (conn->emu);

  emu_log (conn->emu, "ws #%u: context %s cancelled", conn->id,
      context_id ? context_id : "-");
  gen = context_id ? g_hash_table_lookup (conn->contexts, context_id) : NULL;
  if (gen == NULL)
    return;
  /* nothing more is sent for it, not even done */
  emu_gen_stop (gen);
  g_hash_table_remove (conn->contexts, context_id);
}

static gboolean
is_true (JsonObject * obj, const gchar * name)
{
  JsonNode *node = json_object_get_member (obj, name);

  return node && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_BOOLEAN
      && json_node_get_boolean (node);
}

static void
ws_on_message (SoupWebsocketConnection * ws, gint type, GBytes * message,
    gpointer user_data)
{
  EmuWsConn *conn = user_data;
  EmuError error = { 0, };
  gsize size;
  const gchar *data = g_bytes_get_data (message, &size);
  g_autoptr (JsonNode) root = NULL;
  JsonNode *id;
  JsonObject *body;
  const gchar *context_id = NULL;

  conn->last_activity_us = g_get_monotonic_time ();
  emu_record (conn->emu, EMU_ENDPOINT_WEBSOCKET, &conn->client, data, size);

  if (type == SOUP_WEBSOCKET_DATA_TEXT)
    root = emu_json_parse (data, size);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    emu_error_set (&error, 400, "invalid_request", "Invalid request",
        "%s", "Messages must be JSON objects in text frames");
    ws_send_error (conn, NULL, &error);
    emu_error_clear (&error);
    return;
  }

  body = json_node_get_object (root);
  id = json_object_get_member (body, "context_id");
  if (id && JSON_NODE_HOLDS_VALUE (id)
      && json_node_get_value_type (id) == G_TYPE_STRING)
    context_id = json_node_get_string (id);

  if (is_true (body, "cancel"))
    ws_handle_cancel (conn, context_id);
  else
    ws_handle_generation (conn, body, context_id);
}

/* ---- connection lifetime ---- */

static gboolean
ws_idle_cb (gpointer data)
{
  EmuWsConn *conn = data;
  gint64 idle_ms = (g_get_monotonic_time () - conn->last_activity_us) / 1000;

  g_clear_pointer (&conn->idle_source, g_source_unref);
  if (idle_ms < conn->idle_timeout_ms) {
    ws_arm_idle (conn, conn->idle_timeout_ms - idle_ms);
    return G_SOURCE_REMOVE;
  }
  if (ws_is_open (conn)) {
    emu_log (conn->emu, "ws #%u: closing after %u ms idle", conn->id,
        conn->idle_timeout_ms);
    soup_websocket_connection_close (conn->ws, SOUP_WEBSOCKET_CLOSE_NORMAL,
        "connection idle timeout");
  }
  return G_SOURCE_REMOVE;
}

static void
ws_arm_idle (EmuWsConn * conn, guint ms)
{
  conn->idle_source = g_timeout_source_new (MAX (ms, 1));
  g_source_set_callback (conn->idle_source, ws_idle_cb, conn, NULL);
  g_source_attach (conn->idle_source, conn->emu->context);
}

static void
ws_conn_free (EmuWsConn * conn)
{
  CartesiaEmulator *emu = conn->emu;

  emu->ws_conns = g_list_remove (emu->ws_conns, conn);
  if (conn->idle_source) {
    g_source_destroy (conn->idle_source);
    g_clear_pointer (&conn->idle_source, g_source_unref);
  }
  g_signal_handlers_disconnect_by_data (conn->ws, conn);
  g_hash_table_destroy (conn->contexts);
  g_hash_table_destroy (conn->ended);
  /* libsoup may still be inside a signal emission of this object */
  emu_free_later (emu, conn->ws, g_object_unref);
  g_clear_object (&conn->socket);
  emu_client_clear (&conn->client);
  g_free (conn);
}

static void
ws_on_closed (SoupWebsocketConnection * ws, gpointer user_data)
{
  EmuWsConn *conn = user_data;
  gushort code = soup_websocket_connection_get_close_code (ws);
  CartesiaEmulatorStats *stats = emu_stats_lock (conn->emu);

  stats->open_connections--;
  if (code != 0 && code != SOUP_WEBSOCKET_CLOSE_ABNORMAL) {
    stats->ws_client_closes++;
    stats->ws_client_close_code = code;
  }
  emu_stats_unlock (conn->emu);

  emu_log (conn->emu, "ws #%u: closed (peer close code %u)", conn->id, code);
  ws_conn_free (conn);
}

static void
client_free (gpointer data)
{
  emu_client_clear (data);
  g_free (data);
}

static void
ws_refuse (CartesiaEmulator * emu, SoupServerMessage * msg,
    const EmuClient * client)
{
  EmuError error = { 0, };
  CartesiaEmulatorStats *stats;

  emu_error_set (&error, 429, "concurrency_limited",
      "Too many concurrent requests", "%s",
      "Too many open websocket connections");
  emu_respond_error (msg, &error, emu_use_structured_errors (emu,
          client->version), 0);
  emu_error_clear (&error);

  stats = emu_stats_lock (emu);
  stats->ws_rejected++;
  emu_stats_unlock (emu);
}

/* Runs before libsoup's handshake: a status set here refuses the upgrade
 * with a plain HTTP answer, as the real server does for 401 and 429. */
static void
ws_handshake_handler (SoupServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  CartesiaEmulator *emu = user_data;
  EmuClient *client = g_new0 (EmuClient, 1);
  CartesiaEmulatorStats *stats;
  guint max;

  if (!emu_admit (emu, msg, query, client)) {
    /* Only an upgrade attempt is a handshake; a plain GET of this path (a
     * client reading why it was refused) is not. */
    if (soup_message_headers_header_contains (soup_server_message_get_request_headers
            (msg), "Upgrade", "websocket")) {
      stats = emu_stats_lock (emu);
      stats->ws_rejected++;
      emu_stats_unlock (emu);
    }
    client_free (client);
    return;
  }

  g_mutex_lock (&emu->lock);
  max = emu->options.max_connections;
  g_mutex_unlock (&emu->lock);
  if (max > 0 && g_list_length (emu->ws_conns) >= max) {
    emu_log (emu, "ws: refused, %u connections open", max);
    ws_refuse (emu, msg, client);
    client_free (client);
    return;
  }

  g_object_set_data_full (G_OBJECT (msg), "emu-client", client, client_free);
  g_object_set_data_full (G_OBJECT (msg), "emu-socket",
      g_object_ref (emu_message_socket (msg)), g_object_unref);
}

static void
ws_connected (SoupServer * server, SoupServerMessage * msg, const char *path,
    SoupWebsocketConnection * ws, gpointer user_data)
{
  CartesiaEmulator *emu = user_data;
  EmuWsConn *conn = g_new0 (EmuWsConn, 1);
  EmuClient *client = g_object_steal_data (G_OBJECT (msg), "emu-client");
  CartesiaEmulatorStats *stats;

  conn->emu = emu;
  conn->id = ++emu->next_conn_id;
  conn->ws = g_object_ref (ws);
  conn->socket = g_object_steal_data (G_OBJECT (msg), "emu-socket");
  conn->client = *client;
  g_free (client);
  conn->contexts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) emu_gen_free);
  conn->ended = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  conn->last_activity_us = g_get_monotonic_time ();
  g_mutex_lock (&emu->lock);
  conn->idle_timeout_ms = emu->options.idle_timeout_ms;
  g_mutex_unlock (&emu->lock);

  g_signal_connect (ws, "message", G_CALLBACK (ws_on_message), conn);
  g_signal_connect (ws, "closed", G_CALLBACK (ws_on_closed), conn);
  emu->ws_conns = g_list_prepend (emu->ws_conns, conn);
  ws_arm_idle (conn, conn->idle_timeout_ms);

  stats = emu_stats_lock (emu);
  stats->ws_connections++;
  stats->open_connections++;
  emu_stats_unlock (emu);

  emu_log (emu, "ws #%u: connected (version %s, auth %s, user agent %s)",
      conn->id, conn->client.version, conn->client.auth,
      conn->client.user_agent ? conn->client.user_agent : "-");
}

void
emu_ws_register (CartesiaEmulator * emu)
{
  soup_server_add_handler (emu->server, "/tts/websocket",
      ws_handshake_handler, emu, NULL);
  soup_server_add_websocket_handler (emu->server, "/tts/websocket", NULL,
      NULL, ws_connected, emu, NULL);
}

void
emu_ws_close_all (CartesiaEmulator * emu, gboolean force)
{
  g_autoptr (GList) conns = g_list_copy (emu->ws_conns);
  GList *l;

  for (l = conns; l; l = l->next) {
    EmuWsConn *conn = l->data;

    if (force)
      g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
    else if (ws_is_open (conn))
      soup_websocket_connection_close (conn->ws,
          SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "emulator shutting down");
  }
}

void
emu_ws_free_all (CartesiaEmulator * emu)
{
  while (emu->ws_conns) {
    EmuWsConn *conn = emu->ws_conns->data;
    CartesiaEmulatorStats *stats = emu_stats_lock (emu);

    stats->open_connections--;
    emu_stats_unlock (emu);
    ws_conn_free (conn);
  }
}
