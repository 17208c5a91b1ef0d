/* POST /tts/sse and POST /tts/bytes: a generation streamed into a chunked
 * HTTP response, written piece by piece as it is produced. */
#include "emu-gen.h"
#include "emu-json.h"

#include <string.h>

#define HUGE_MESSAGE_BYTES (4 * 1024 * 1024)
#define SPLIT_INTERVAL_MS 1

typedef struct
{
  CartesiaEmulator *emu;
  SoupServerMessage *msg;
  GSocket *socket;
  EmuGen *gen;
  gboolean sse;
  gboolean event_lines;
  const gchar *eol;
  guint split;

  GQueue pieces;                /* GBytes not yet handed to libsoup */
  gboolean writing;             /* split mode: a piece is on its way */
  gboolean ending;              /* complete the body once the queue drains */
  gboolean completed;
  gboolean dropped;             /* no more writes; cut once the rest is out */
  gboolean cut_pending;
  guint64 appended;             /* body bytes handed to libsoup */
  guint64 written;              /* body bytes libsoup wrote */
  GSource *kick_source;
} EmuHttpStream;

static void http_maybe_cut (EmuHttpStream * s);

/* ---- writing the body ---- */

static void
http_kick (EmuHttpStream * s)
{
  SoupMessageBody *body = soup_server_message_get_response_body (s->msg);
  GBytes *piece;

  if (s->writing || s->completed)
    return;

  /* without splitting hand everything over; with it one piece at a time,
   * waiting for libsoup to have written the previous one */
  while ((piece = g_queue_pop_head (&s->pieces)) != NULL) {
    s->appended += g_bytes_get_size (piece);
    soup_message_body_append_bytes (body, piece);
    g_bytes_unref (piece);
    if (s->split > 0) {
      s->writing = TRUE;
      break;
    }
  }
  if (s->ending && !s->writing && g_queue_is_empty (&s->pieces)) {
    soup_message_body_complete (body);
    s->completed = TRUE;
  }
  soup_server_message_unpause (s->msg);
  http_maybe_cut (s);
}

static gboolean
http_kick_cb (gpointer data)
{
  EmuHttpStream *s = data;

  g_clear_pointer (&s->kick_source, g_source_unref);
  http_kick (s);
  return G_SOURCE_REMOVE;
}

static void
http_on_wrote_chunk (SoupServerMessage * msg, gpointer user_data)
{
  EmuHttpStream *s = user_data;

  if (!s->writing)
    return;
  s->writing = FALSE;
  /* a pause between pieces so that they reach the client separately */
  if (s->kick_source == NULL) {
    s->kick_source = g_timeout_source_new (SPLIT_INTERVAL_MS);
    g_source_set_callback (s->kick_source, http_kick_cb, s, NULL);
    g_source_attach (s->kick_source, s->emu->context);
  }
}

static void
http_write (EmuHttpStream * s, const gchar * data, gsize size)
{
  gsize offset = 0;

  if (s->dropped || s->completed)
    return;
  if (s->split == 0) {
    g_queue_push_tail (&s->pieces, g_bytes_new (data, size));
  } else {
    for (offset = 0; offset < size; offset += s->split)
      g_queue_push_tail (&s->pieces, g_bytes_new (data + offset,
              MIN (s->split, size - offset)));
  }
  http_kick (s);
}

static void
http_end (EmuHttpStream * s)
{
  s->ending = TRUE;
  http_kick (s);
}

/* The client sees the connection end in the middle of the body; libsoup
 * sees its next write fail and finishes the message. */
static void
http_cut (EmuHttpStream * s)
{
  s->cut_pending = FALSE;
  g_socket_shutdown (s->socket, TRUE, TRUE, NULL);
  s->ending = TRUE;
  http_kick (s);
}

static void
http_maybe_cut (EmuHttpStream * s)
{
  if (s->cut_pending && !s->writing && g_queue_is_empty (&s->pieces)
      && s->written >= s->appended)
    http_cut (s);
}

static void
http_on_wrote_body_data (SoupServerMessage * msg, guint size,
    gpointer user_data)
{
  EmuHttpStream *s = user_data;

  s->written += size;
  http_maybe_cut (s);
}

/* Cuts the connection once what was sent before has reached the socket, so
 * that "after N chunks" means the client got N chunks. */
static void
http_drop (EmuHttpStream * s)
{
  if (s->dropped)
    return;
  s->dropped = TRUE;
  s->cut_pending = TRUE;
  http_maybe_cut (s);
}

/* ---- SSE framing ---- */

static void
sse_write_event (EmuHttpStream * s, const gchar * type, const gchar * data,
    gsize size)
{
  g_autoptr (GString) event = g_string_new (NULL);

  if (s->event_lines)
    g_string_append_printf (event, "event: %s%s", type, s->eol);
  g_string_append (event, "data: ");
  g_string_append_len (event, data, size);
  g_string_append (event, s->eol);
  g_string_append (event, s->eol);
  http_write (s, event->str, event->len);
}

static void
sse_write_object (EmuHttpStream * s, const gchar * type, JsonObject * obj)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), obj);
  g_autofree gchar *text = json_to_string (node, FALSE);

  sse_write_event (s, type, text, strlen (text));
}

static void
sse_emit (EmuGen * gen, gpointer owner, const gchar * type, JsonObject * msg,
    GBytes * audio)
{
  sse_write_object (owner, type, msg);
}

static void
sse_emit_malformed (EmuGen * gen, gpointer owner, EmuMalformed kind,
    JsonObject * chunk, GBytes * audio)
{
  static const gchar broken[] =
      "{\"type\":\"chunk\",\"data\":\"AAAA\",\"done\":";
  EmuHttpStream *s = owner;
  JsonObject *mystery;
  gchar *padding;

  switch (kind) {
    case EMU_MALFORMED_JSON:
      sse_write_event (s, "chunk", broken, strlen (broken));
      break;
    case EMU_MALFORMED_BASE64:
      json_object_set_string_member (chunk, "data", "*** not base64! ***");
      sse_write_object (s, "chunk", chunk);
      break;
    case EMU_MALFORMED_BINARY:
      /* SSE has no binary frames: raw audio bytes on the data line */
      sse_write_event (s, "chunk", g_bytes_get_data (audio, NULL),
          g_bytes_get_size (audio));
      break;
    case EMU_MALFORMED_UNKNOWN_TYPE:
      mystery = json_object_new ();
      json_object_set_string_member (mystery, "type", "mystery");
      json_object_set_boolean_member (mystery, "done", FALSE);
      json_object_set_int_member (mystery, "status_code", 206);
      sse_write_object (s, "mystery", mystery);
      json_object_unref (mystery);
      sse_write_object (s, "chunk", chunk);
      break;
    case EMU_MALFORMED_HUGE:
      padding = g_malloc (HUGE_MESSAGE_BYTES + 1);
      memset (padding, 'A', HUGE_MESSAGE_BYTES);
      padding[HUGE_MESSAGE_BYTES] = '\0';
      json_object_set_string_member (chunk, "data", padding);
      g_free (padding);
      sse_write_object (s, "chunk", chunk);
      break;
    default:
      sse_write_object (s, "chunk", chunk);
      break;
  }
}

/* ---- the sinks ---- */

static void
http_finished (EmuGen * gen, gpointer owner)
{
  EmuHttpStream *s = owner;

  if (!s->dropped)
    http_end (s);
}

static void
http_gen_drop (EmuGen * gen, gpointer owner)
{
  http_drop (owner);
}

static const EmuGenSink sse_sink = {
  sse_emit,
  sse_emit_malformed,
  http_finished,
  http_gen_drop,
};

static void
bytes_emit (EmuGen * gen, gpointer owner, const gchar * type,
    JsonObject * msg, GBytes * audio)
{
  EmuHttpStream *s = owner;

  if (audio)
    http_write (s, g_bytes_get_data (audio, NULL), g_bytes_get_size (audio));
  else if (g_str_equal (type, "error"))
    /* a raw body has no way to carry an error: cut it short */
    http_drop (s);
}

static void
bytes_emit_malformed (EmuGen * gen, gpointer owner, EmuMalformed kind,
    JsonObject * chunk, GBytes * audio)
{
  bytes_emit (gen, owner, "chunk", chunk, audio);
}

static const EmuGenSink bytes_sink = {
  bytes_emit,
  bytes_emit_malformed,
  http_finished,
  http_gen_drop,
};

/* ---- stream lifetime ---- */

static void
http_stream_free (EmuHttpStream * s)
{
  CartesiaEmulator *emu = s->emu;

  emu->http_streams = g_list_remove (emu->http_streams, s);
  g_signal_handlers_disconnect_by_data (s->msg, s);
  if (s->kick_source) {
    g_source_destroy (s->kick_source);
    g_clear_pointer (&s->kick_source, g_source_unref);
  }
  emu_gen_free (s->gen);
  g_queue_clear_full (&s->pieces, (GDestroyNotify) g_bytes_unref);
  g_clear_object (&s->socket);
  g_clear_object (&s->msg);
  g_free (s);
}

static void
http_on_finished (SoupServerMessage * msg, gpointer user_data)
{
  EmuHttpStream *s = user_data;

  emu_log (s->emu, "%s: response finished%s", s->sse ? "/tts/sse" :
      "/tts/bytes", s->completed && !s->dropped ? "" : " (cut)");
  http_stream_free (s);
}

static void
http_set_headers (SoupServerMessage * msg, const EmuRequest * request,
    gboolean sse)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const gchar *type = "application/octet-stream";

  if (sse)
    type = "text/event-stream";
  else if (request->wav)
    type = "audio/wav";
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, type, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  if (sse)
    soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  /* written pieces are not kept around */
  soup_message_body_set_accumulate (soup_server_message_get_response_body
      (msg), FALSE);
}

static void
http_stream_start (CartesiaEmulator * emu, SoupServerMessage * msg,
    EmuEndpoint endpoint, const EmuRequest * request, const EmuClient * client)
{
  EmuHttpStream *s = g_new0 (EmuHttpStream, 1);
  EmuGenParams params = { 0, };
  static const gchar *const eols[] = { "\n", "\r\n", "\r" };

  s->emu = emu;
  s->msg = g_object_ref (msg);
  s->socket = g_object_ref (emu_message_socket (msg));
  s->sse = endpoint == EMU_ENDPOINT_SSE;
  g_queue_init (&s->pieces);
  g_mutex_lock (&emu->lock);
  s->event_lines = emu->options.sse_event_lines;
  s->eol = eols[emu->options.sse_line_ending];
  s->split = emu->options.write_split_bytes;
  g_mutex_unlock (&emu->lock);

  http_set_headers (msg, request, s->sse);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (http_on_wrote_chunk), s);
  g_signal_connect (msg, "wrote-body-data",
      G_CALLBACK (http_on_wrote_body_data), s);
  g_signal_connect (msg, "finished", G_CALLBACK (http_on_finished), s);
  emu->http_streams = g_list_prepend (emu->http_streams, s);

  if (request->wav) {
    EmuStyle style = { request->voice_id, request->speed, request->volume };
    guint8 header[44];

    emu_synth_wav_header (header, request->encoding, request->sample_rate,
        emu_synth_size_styled (emu_synth_get_voice (), request->transcript,
            request->encoding, request->sample_rate, &style));
    http_write (s, (const gchar *) header, sizeof (header));
  }

  params.context_id = s->sse ? request->context_id : NULL;
  params.encoding = request->encoding;
  params.sample_rate = request->sample_rate;
  params.add_timestamps = request->add_timestamps;
  params.add_phoneme_timestamps = request->add_phoneme_timestamps;
  params.style.voice_id = request->voice_id;
  params.style.speed = request->speed;
  params.style.volume = request->volume;
  params.json_events = s->sse;
  params.structured_errors = emu_use_structured_errors (emu, client->version);
  s->gen = emu_gen_new (emu, &params, s->sse ? &sse_sink : &bytes_sink, s);
  emu_gen_push (s->gen, request->transcript, FALSE, TRUE, 0);
}

/* ---- the handler ---- */

static gboolean
http_concurrency_ok (CartesiaEmulator * emu)
{
  guint limit;

  g_mutex_lock (&emu->lock);
  limit = emu->options.concurrency_limit;
  g_mutex_unlock (&emu->lock);
  return limit == 0 || emu->active_generations < limit;
}

static gboolean
http_parse (CartesiaEmulator * emu, GBytes * body, EmuEndpoint endpoint,
    const EmuClient * client, EmuRequest * request, EmuError * error)
{
  gsize size;
  const gchar *data = g_bytes_get_data (body, &size);
  g_autoptr (JsonNode) root = emu_json_parse (data, size);

  memset (request, 0, sizeof (*request));
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    emu_error_set (error, 400, "invalid_request", "Invalid request", "%s",
        "The request body must be a JSON object");
    return FALSE;
  }
  if (!emu_request_parse (json_node_get_object (root), client->version,
          endpoint, request, error)
      || !emu_voice_is_known (emu, request, error))
    return FALSE;
  if (!http_concurrency_ok (emu)) {
    emu_error_set_for_status (error, 429);
    return FALSE;
  }
  return TRUE;
}

static void
http_tts_handler (SoupServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  CartesiaEmulator *emu = user_data;
  EmuEndpoint endpoint = g_str_equal (path, "/tts/sse") ? EMU_ENDPOINT_SSE :
      EMU_ENDPOINT_BYTES;
  EmuClient client = { 0, };
  EmuRequest request = { 0, };
  EmuError error = { 0, };
  g_autoptr (GBytes) body = NULL;
  CartesiaEmulatorStats *stats;
  gsize size;
  const gchar *data;

  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST) {
    soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
        NULL);
    return;
  }

  stats = emu_stats_lock (emu);
  stats->http_requests++;
  emu_stats_unlock (emu);

  body = soup_message_body_flatten (soup_server_message_get_request_body
      (msg));
  data = g_bytes_get_data (body, &size);
  if (emu_admit (emu, msg, query, &client)) {
    emu_record (emu, endpoint, &client, data, size);
    if (http_parse (emu, body, endpoint, &client, &request, &error)) {
      emu_log (emu, "%s: %s, %s %u Hz (version %s, auth %s)", path,
          request.model_id, emu_encoding_to_string (request.encoding),
          request.sample_rate, client.version, client.auth);
      http_stream_start (emu, msg, endpoint, &request, &client);
    } else {
      emu_log (emu, "%s: %u %s: %s", path, error.status, error.title,
          error.message);
      emu_respond_error (msg, &error, emu_use_structured_errors (emu,
              client.version), 0);
    }
  } else {
    emu_record (emu, endpoint, &client, data, size);
  }

  emu_request_clear (&request);
  emu_error_clear (&error);
  emu_client_clear (&client);
}

void
emu_http_register (CartesiaEmulator * emu)
{
  soup_server_add_handler (emu->server, "/tts/sse", http_tts_handler, emu,
      NULL);
  soup_server_add_handler (emu->server, "/tts/bytes", http_tts_handler, emu,
      NULL);
}

void
emu_http_free_all (CartesiaEmulator * emu)
{
  while (emu->http_streams)
    http_stream_free (emu->http_streams->data);
}
