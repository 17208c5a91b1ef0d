/* Self-test of cartesia-emulator with a plain libsoup client: websocket and
 * HTTP, loopback only, every wait bounded. */
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cartesia-emulator.h"
#include "emu-g711.h"
#include "emu-json.h"
#include "emu-synth.h"

#define KEY "sk_car_test_key"
#define WAIT_MS 5000

typedef struct
{
  CartesiaEmulator *emu;
  SoupSession *session;
} Fixture;

/* ---- waiting on the test thread's main context ---- */

typedef gboolean (*Predicate) (gpointer data);

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the default context until @pred holds or @timeout_ms pass. */
static gboolean
spin_until (Predicate pred, gpointer data, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * (gint64) 1000;
  GSource *wake = g_timeout_source_new (5);
  gboolean ok;

  g_source_set_callback (wake, wake_cb, NULL, NULL);
  g_source_attach (wake, NULL);
  while (!(ok = pred (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_destroy (wake);
  g_source_unref (wake);
  return ok;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

static void
spin_for (guint ms)
{
  spin_until (never, NULL, ms);
}

static gboolean
no_open_connections (gpointer data)
{
  CartesiaEmulatorStats stats;

  cartesia_emulator_get_stats (data, &stats);
  return stats.open_connections == 0;
}

/* ---- fixture ---- */

static void
fixture_setup (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->emu = cartesia_emulator_new (data ? data : KEY, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->emu);
  g_assert_true (g_str_has_prefix (cartesia_emulator_get_base_url (f->emu),
          "http://127.0.0.1:"));
  f->session = soup_session_new ();
}

static void
fixture_teardown (Fixture * f, gconstpointer data)
{
  g_clear_object (&f->session);
  cartesia_emulator_free (f->emu);
  /* let the session's connections finish closing */
  spin_for (20);
}

static void
set_option (Fixture * f, const gchar * name, const gchar * value)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (cartesia_emulator_set_option (f->emu, name, value, &error));
  g_assert_no_error (error);
}

/* ---- JSON helpers ---- */

static JsonObject *
parse_object (const gchar * text, gssize size)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, size, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_object_ref (json_node_get_object (root));
}

static const gchar *
str_member (JsonObject * obj, const gchar * name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
int_member (JsonObject * obj, const gchar * name)
{
  JsonNode *node = json_object_get_member (obj, name);

  g_assert_nonnull (node);
  return json_node_get_int (node);
}

static gboolean
is_type (JsonObject * obj, const gchar * type)
{
  return g_strcmp0 (str_member (obj, "type"), type) == 0;
}

/* Requests speak with 00a77add-…, a UUID the espeak voice speaks as en-us
 * (its first voice), as `--render` does without --voice-id. */
static gchar *
request_json (const gchar * context_id, const gchar * transcript,
    gboolean cont, const gchar * encoding, guint rate, const gchar * extra)
{
  return g_strdup_printf ("{\"model_id\":\"sonic-3\",\"transcript\":\"%s\","
      "\"voice\":{\"mode\":\"id\",\"id\":\"00a77add-48d5-4ef6-8157-71e5437b282d\"},\"output_format\":"
      "{\"container\":\"raw\",\"encoding\":\"%s\",\"sample_rate\":%u},"
      "\"language\":\"en\",\"context_id\":\"%s\",\"continue\":%s%s%s}",
      transcript, encoding, rate, context_id, cont ? "true" : "false",
      extra ? "," : "", extra ? extra : "");
}

static GBytes *
render (const gchar * text, const gchar * encoding, guint rate)
{
  gsize size;
  guint8 *data = cartesia_emulator_render (text, encoding, rate, &size);

  g_assert_nonnull (data);
  return g_bytes_new_take (data, size);
}

static void
assert_bytes_equal (GByteArray * got, GBytes * expected)
{
  g_assert_cmpuint (got->len, ==, g_bytes_get_size (expected));
  g_assert_true (memcmp (got->data, g_bytes_get_data (expected, NULL),
          got->len) == 0);
}

static void
append_base64 (GByteArray * audio, const gchar * b64)
{
  gsize size;
  g_autofree guchar *data = g_base64_decode (b64, &size);

  g_byte_array_append (audio, data, size);
}

/* ---- websocket client ---- */

typedef struct
{
  SoupWebsocketConnection *ws;
  SoupMessage *msg;
  GError *error;
  gboolean connect_done;
  GPtrArray *messages;          /* JsonObject, or NULL for unparsable text */
  guint binary_frames;
  gboolean closed;
  gushort close_code;
  gchar *close_reason;
} WsClient;

static void
object_unref0 (gpointer obj)
{
  if (obj)
    json_object_unref (obj);
}

static void
ws_client_on_message (SoupWebsocketConnection * ws, gint type,
    GBytes * message, gpointer data)
{
  WsClient *c = data;
  gsize size;
  const gchar *text = g_bytes_get_data (message, &size);

  if (type == SOUP_WEBSOCKET_DATA_BINARY) {
    c->binary_frames++;
    return;
  }
  g_ptr_array_add (c->messages, parse_object (text, size));
}

static void
ws_client_on_closed (SoupWebsocketConnection * ws, gpointer data)
{
  WsClient *c = data;

  c->closed = TRUE;
  c->close_code = soup_websocket_connection_get_close_code (ws);
  c->close_reason = g_strdup (soup_websocket_connection_get_close_data (ws));
}

static void
ws_client_connected (GObject * source, GAsyncResult * result, gpointer data)
{
  WsClient *c = data;

  c->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source),
      result, &c->error);
  c->connect_done = TRUE;
  if (c->ws) {
    /* room for the "huge" fault */
    soup_websocket_connection_set_max_incoming_payload_size (c->ws,
        16 * 1024 * 1024);
    g_signal_connect (c->ws, "message", G_CALLBACK (ws_client_on_message), c);
    g_signal_connect (c->ws, "closed", G_CALLBACK (ws_client_on_closed), c);
  }
}

static gboolean
ws_connect_done (gpointer data)
{
  return ((WsClient *) data)->connect_done;
}

/* @query: appended to the URL; @header/@value: one extra request header. */
static WsClient *
ws_connect_full (Fixture * f, const gchar * query, const gchar * header,
    const gchar * value)
{
  WsClient *c = g_new0 (WsClient, 1);
  const gchar *base = cartesia_emulator_get_base_url (f->emu);
  g_autofree gchar *url = g_strdup_printf ("ws%s/tts/websocket%s",
      base + strlen ("http"), query ? query : "");

  c->messages = g_ptr_array_new_with_free_func (object_unref0);
  c->msg = soup_message_new ("GET", url);
  if (header)
    soup_message_headers_append (soup_message_get_request_headers (c->msg),
        header, value);
  soup_session_websocket_connect_async (f->session, c->msg, NULL, NULL,
      G_PRIORITY_DEFAULT, NULL, ws_client_connected, c);
  g_assert_true (spin_until (ws_connect_done, c, WAIT_MS));
  return c;
}

/* The usual client: Bearer key and the newest version in the query. */
static WsClient *
ws_connect (Fixture * f, const gchar * version)
{
  g_autofree gchar *query = g_strdup_printf ("?cartesia_version=%s",
      version);
  WsClient *c = ws_connect_full (f, query, "Authorization", "Bearer " KEY);

  g_assert_no_error (c->error);
  g_assert_nonnull (c->ws);
  return c;
}

static gboolean
ws_closed (gpointer data)
{
  return ((WsClient *) data)->closed;
}

static void
ws_client_free (WsClient * c)
{
  if (c->ws) {
    g_signal_handlers_disconnect_by_data (c->ws, c);
    if (soup_websocket_connection_get_state (c->ws) ==
        SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL,
          NULL);
    g_clear_object (&c->ws);
  }
  g_clear_object (&c->msg);
  g_clear_error (&c->error);
  g_ptr_array_unref (c->messages);
  g_free (c->close_reason);
  g_free (c);
}

static void
ws_send (WsClient * c, const gchar * text)
{
  soup_websocket_connection_send_text (c->ws, text);
}

typedef struct
{
  WsClient *c;
  const gchar *context_id;
} DoneWait;

static gboolean
ws_context_ended (gpointer data)
{
  DoneWait *w = data;
  guint i;

  for (i = 0; i < w->c->messages->len; i++) {
    JsonObject *m = g_ptr_array_index (w->c->messages, i);

    if (m && g_strcmp0 (str_member (m, "context_id"), w->context_id) == 0
        && (is_type (m, "done") || is_type (m, "error")))
      return TRUE;
  }
  return w->c->closed;
}

static void
ws_wait_end (WsClient * c, const gchar * context_id)
{
  DoneWait w = { c, context_id };

  g_assert_true (spin_until (ws_context_ended, &w, WAIT_MS));
}

/* Messages of @context_id of @type (NULL = any), in order. */
static GPtrArray *
ws_messages (WsClient * c, const gchar * context_id, const gchar * type)
{
  GPtrArray *out = g_ptr_array_new ();
  guint i;

  for (i = 0; i < c->messages->len; i++) {
    JsonObject *m = g_ptr_array_index (c->messages, i);

    if (m && g_strcmp0 (str_member (m, "context_id"), context_id) == 0
        && (type == NULL || is_type (m, type)))
      g_ptr_array_add (out, m);
  }
  return out;
}

static GByteArray *
ws_audio (WsClient * c, const gchar * context_id)
{
  g_autoptr (GPtrArray) chunks = ws_messages (c, context_id, "chunk");
  GByteArray *audio = g_byte_array_new ();
  guint i;

  for (i = 0; i < chunks->len; i++)
    append_base64 (audio, str_member (g_ptr_array_index (chunks, i), "data"));
  return audio;
}

static guint
count_type (WsClient * c, const gchar * context_id, const gchar * type)
{
  g_autoptr (GPtrArray) list = ws_messages (c, context_id, type);

  return list->len;
}

typedef struct
{
  WsClient *c;
  const gchar *context_id;
  const gchar *type;
  guint n;
} CountWait;

static gboolean
ws_has_count (gpointer data)
{
  CountWait *w = data;

  return count_type (w->c, w->context_id, w->type) >= w->n;
}

/* Waits until @c has @n messages of @context_id of @type (or more). */
static void
ws_wait_count (WsClient * c, const gchar * context_id, const gchar * type,
    guint n)
{
  CountWait w = { c, context_id, type, n };

  g_assert_true (spin_until (ws_has_count, &w, WAIT_MS));
}

/* ---- HTTP client ---- */

typedef struct
{
  SoupMessage *msg;
  GBytes *body;
  GError *error;
  gboolean done;
} HttpResult;

static void
http_done (GObject * source, GAsyncResult * result, gpointer data)
{
  HttpResult *r = data;

  r->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
      &r->error);
  r->done = TRUE;
}

static gboolean
http_is_done (gpointer data)
{
  return ((HttpResult *) data)->done;
}

static HttpResult *
http_post (Fixture * f, const gchar * path, const gchar * version,
    const gchar * body)
{
  HttpResult *r = g_new0 (HttpResult, 1);
  g_autofree gchar *url = g_strdup_printf ("%s%s",
      cartesia_emulator_get_base_url (f->emu), path);
  g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
  SoupMessageHeaders *headers;

  r->msg = soup_message_new ("POST", url);
  headers = soup_message_get_request_headers (r->msg);
  soup_message_headers_append (headers, "Authorization", "Bearer " KEY);
  if (version)
    soup_message_headers_append (headers, "Cartesia-Version", version);
  soup_message_set_request_body_from_bytes (r->msg, "application/json",
      bytes);
  soup_session_send_and_read_async (f->session, r->msg, G_PRIORITY_DEFAULT,
      NULL, http_done, r);
  g_assert_true (spin_until (http_is_done, r, WAIT_MS));
  return r;
}

static void
http_result_free (HttpResult * r)
{
  g_clear_object (&r->msg);
  g_clear_pointer (&r->body, g_bytes_unref);
  g_clear_error (&r->error);
  g_free (r);
}

static gchar *
body_text (HttpResult * r)
{
  gsize size;
  const gchar *data = g_bytes_get_data (r->body, &size);

  return g_strndup (data, size);
}

static gchar *
sse_request (const gchar * transcript, const gchar * encoding, guint rate,
    const gchar * extra)
{
  return g_strdup_printf ("{\"model_id\":\"sonic-3\",\"transcript\":\"%s\","
      "\"voice\":\"00a77add-48d5-4ef6-8157-71e5437b282d\",\"output_format\":{\"container\":\"raw\","
      "\"encoding\":\"%s\",\"sample_rate\":%u}%s%s}", transcript, encoding,
      rate, extra ? "," : "", extra ? extra : "");
}

typedef struct
{
  gchar *event;                 /* from the event: line, or NULL */
  JsonObject *data;
} SseEvent;

static void
sse_event_free (SseEvent * e)
{
  g_free (e->event);
  if (e->data)
    json_object_unref (e->data);
  g_free (e);
}

/* A small SSE parser that accepts LF, CRLF and CR line endings. */
static GPtrArray *
sse_parse (const gchar * text)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify)
      sse_event_free);
  g_autoptr (GRegex) eol = g_regex_new ("\r\n|\r|\n", 0, 0, NULL);
  g_auto (GStrv) lines = g_regex_split (eol, text, 0);
  SseEvent *cur = NULL;
  guint i;

  for (i = 0; lines[i]; i++) {
    const gchar *line = lines[i];

    if (*line == '\0') {
      if (cur)
        g_ptr_array_add (events, cur);
      cur = NULL;
      continue;
    }
    if (cur == NULL)
      cur = g_new0 (SseEvent, 1);
    if (g_str_has_prefix (line, "event: "))
      cur->event = g_strdup (line + 7);
    else if (g_str_has_prefix (line, "data: "))
      cur->data = parse_object (line + 6, -1);
  }
  if (cur)
    g_ptr_array_add (events, cur);
  return events;
}

/* ---- tests: synthesis ---- */

static void
test_render (void)
{
  static const gchar *const encodings[] = { "pcm_s16le", "pcm_f32le",
    "pcm_mulaw", "pcm_alaw"
  };
  static const guint sizes[] = { 2, 4, 1, 1 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (encodings); i++) {
    g_autoptr (GBytes) a = render ("Hello, ", encodings[i], 22050);
    g_autoptr (GBytes) b = render ("wörld", encodings[i], 22050);
    g_autoptr (GBytes) ab = render ("Hello, wörld", encodings[i], 22050);
    g_autoptr (GByteArray) joined = g_byte_array_new ();

    g_assert_cmpuint (g_bytes_get_size (ab), ==, 12 * (22050 / 20) * sizes[i]);
    g_byte_array_append (joined, g_bytes_get_data (a, NULL),
        g_bytes_get_size (a));
    g_byte_array_append (joined, g_bytes_get_data (b, NULL),
        g_bytes_get_size (b));
    assert_bytes_equal (joined, ab);
  }

  /* silence of a space in each encoding */
  {
    g_autoptr (GBytes) mu = render (" ", "pcm_mulaw", 8000);
    g_autoptr (GBytes) al = render (" ", "pcm_alaw", 8000);
    g_autoptr (GBytes) s16 = render (" ", "pcm_s16le", 8000);
    const guint8 *m = g_bytes_get_data (mu, NULL);
    const guint8 *a = g_bytes_get_data (al, NULL);
    const guint8 *s = g_bytes_get_data (s16, NULL);

    g_assert_cmpuint (g_bytes_get_size (mu), ==, 400);
    g_assert_cmphex (m[0], ==, 0xff);
    g_assert_cmphex (m[399], ==, 0xff);
    g_assert_cmphex (a[0], ==, 0xd5);
    g_assert_cmphex (s[0] | s[799], ==, 0);
  }

  g_assert_null (cartesia_emulator_render ("x", "pcm_s24le", 8000, NULL));
  g_assert_null (cartesia_emulator_render ("x", "pcm_s16le", 11025, NULL));
}

static void
test_g711 (void)
{
  gint v;

  /* known values of the ITU-T tables */
  g_assert_cmphex (emu_g711_linear_to_ulaw (0), ==, 0xff);
  g_assert_cmphex (emu_g711_linear_to_alaw (0), ==, 0xd5);
  g_assert_cmphex (emu_g711_linear_to_ulaw (32767), ==, 0x80);
  g_assert_cmphex (emu_g711_linear_to_ulaw (-32768), ==, 0x00);
  g_assert_cmphex (emu_g711_linear_to_alaw (32767), ==, 0xaa);
  g_assert_cmphex (emu_g711_linear_to_alaw (-32768), ==, 0x2a);

  /* decoding an encoded value comes back within the quantisation step */
  for (v = -32768; v <= 32767; v += 7) {
    gint u = emu_g711_ulaw_to_linear (emu_g711_linear_to_ulaw (v));
    gint a = emu_g711_alaw_to_linear (emu_g711_linear_to_alaw (v));
    gint tolerance = MAX (ABS (v) / 16, 16);

    g_assert_cmpint (ABS (u - v), <=, tolerance + 132);
    g_assert_cmpint (ABS (a - v), <=, tolerance + 16);
  }
  for (v = 0; v < 256; v++) {
    g_assert_cmphex (emu_g711_linear_to_ulaw (emu_g711_ulaw_to_linear (v)),
        ==, v == 0x7f ? 0xff : v);
    g_assert_cmphex (emu_g711_linear_to_alaw (emu_g711_alaw_to_linear (v)),
        ==, v);
  }
}

/* ---- tests: websocket ---- */

static void
test_root (Fixture * f, gconstpointer data)
{
  HttpResult *r = g_new0 (HttpResult, 1);
  g_autofree gchar *url = g_strdup_printf ("%s/",
      cartesia_emulator_get_base_url (f->emu));
  g_autofree gchar *text = NULL;

  r->msg = soup_message_new ("GET", url);
  soup_session_send_and_read_async (f->session, r->msg, G_PRIORITY_DEFAULT,
      NULL, http_done, r);
  g_assert_true (spin_until (http_is_done, r, WAIT_MS));
  g_assert_cmpuint (soup_message_get_status (r->msg), ==, 200);
  text = body_text (r);
  g_assert_cmpstr (text, ==, "{\"ok\":true,\"version\":\"2026-08-14\"}");
  http_result_free (r);
}

static void
test_ws_auth (Fixture * f, gconstpointer data)
{
  WsClient *c;
  CartesiaEmulatorStats stats;
  g_auto (GStrv) requests = NULL;

  /* wrong key, no key, bad version: refused before the upgrade */
  c = ws_connect_full (f, "?cartesia_version=2026-08-14", "Authorization",
      "Bearer wrong");
  g_assert_null (c->ws);
  g_assert_cmpuint (soup_message_get_status (c->msg), ==, 401);
  ws_client_free (c);
  c = ws_connect_full (f, "?cartesia_version=2026-08-14", NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (c->msg), ==, 401);
  ws_client_free (c);
  c = ws_connect_full (f, "?api_key=" KEY "&cartesia_version=1999-01-01",
      NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (c->msg), ==, 400);
  ws_client_free (c);
  c = ws_connect_full (f, "?api_key=" KEY, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (c->msg), ==, 400);
  ws_client_free (c);

  /* every auth form works; the version may come as a header */
  c = ws_connect_full (f, "?cartesia_version=2026-08-14", "Authorization",
      "Bearer " KEY);
  g_assert_nonnull (c->ws);
  ws_client_free (c);
  c = ws_connect_full (f, "?cartesia_version=2025-04-16", "X-API-Key", KEY);
  g_assert_nonnull (c->ws);
  ws_client_free (c);
  c = ws_connect_full (f, "?api_key=" KEY, "Cartesia-Version", "2024-11-13");
  g_assert_nonnull (c->ws);
  ws_client_free (c);
  c = ws_connect_full (f, "?access_token=" KEY "&cartesia_version=2026-03-01",
      NULL, NULL);
  g_assert_nonnull (c->ws);
  /* the query version wins over the header and is what the log shows */
  ws_send (c, "{\"context_id\":\"x\",\"cancel\":true}");
  spin_for (50);
  ws_client_free (c);

  cartesia_emulator_get_stats (f->emu, &stats);
  g_assert_cmpuint (stats.ws_rejected, ==, 4);
  g_assert_cmpuint (stats.ws_connections, ==, 4);

  requests = cartesia_emulator_dup_requests (f->emu);
  g_assert_cmpuint (g_strv_length (requests), ==, 1);
  g_assert_nonnull (strstr (requests[0], "\"auth\":\"access_token\""));
  g_assert_nonnull (strstr (requests[0],
          "\"cartesia_version\":\"2026-03-01\""));
  g_assert_nonnull (strstr (requests[0], "\"cancel\":true"));
  g_assert_null (strstr (requests[0], KEY));
}

static void
check_ws_generation (Fixture * f, const gchar * encoding, guint rate)
{
  WsClient *c = ws_connect (f, "2026-08-14");
  g_autofree gchar *req = request_json ("ctx-1", "Hello, world 42!", FALSE,
      encoding, rate, "\"max_buffer_delay_ms\":0");
  g_autoptr (GBytes) expected = render ("Hello, world 42!", encoding, rate);
  g_autoptr (GByteArray) audio = NULL;
  g_autoptr (GPtrArray) chunks = NULL;
  JsonObject *last, *first;

  ws_send (c, req);
  ws_wait_end (c, "ctx-1");
  audio = ws_audio (c, "ctx-1");
  assert_bytes_equal (audio, expected);

  chunks = ws_messages (c, "ctx-1", "chunk");
  g_assert_cmpuint (chunks->len, ==, (g_bytes_get_size (expected) + 1000)
      / 1001);
  first = g_ptr_array_index (chunks, 0);
  g_assert_false (json_object_get_boolean_member (first, "done"));
  g_assert_cmpint (int_member (first, "status_code"), ==, 206);
  g_assert_true (json_object_has_member (first, "step_time"));
  g_assert_cmpint (int_member (first, "flush_id"), ==, 1);

  last = g_ptr_array_index (c->messages, c->messages->len - 1);
  g_assert_true (is_type (last, "done"));
  g_assert_true (json_object_get_boolean_member (last, "done"));
  g_assert_cmpuint (count_type (c, "ctx-1", "done"), ==, 1);
  g_assert_cmpuint (count_type (c, "ctx-1", "timestamps"), ==, 0);
  ws_client_free (c);
}

static void
test_ws_generation (Fixture * f, gconstpointer data)
{
  CartesiaEmulatorStats stats;

  set_option (f, "chunk-bytes", "1001");
  check_ws_generation (f, "pcm_s16le", 24000);
  check_ws_generation (f, "pcm_mulaw", 8000);
  check_ws_generation (f, "pcm_f32le", 16000);
  check_ws_generation (f, "pcm_alaw", 44100);

  cartesia_emulator_get_stats (f->emu, &stats);
  g_assert_cmpuint (stats.contexts_started, ==, 4);
  g_assert_cmpuint (stats.contexts_done, ==, 4);
}

static void
test_ws_continuation (Fixture * f, gconstpointer data)
{
  WsClient *c = ws_connect (f, "2026-08-14");
  /* max_buffer_delay_ms 0: each input is generated at once, so each has
   * timestamps of its own (the server's default buffer would join them) */
  g_autofree gchar *r1 = request_json ("c", "Hello, ", TRUE, "pcm_s16le",
      24000, "\"add_timestamps\":true,\"max_buffer_delay_ms\":0");
  g_autofree gchar *r2 = request_json ("c", "world", FALSE, "pcm_s16le",
      24000, "\"add_timestamps\":true,\"max_buffer_delay_ms\":0");
  g_autoptr (GBytes) expected = render ("Hello, world", "pcm_s16le", 24000);
  g_autoptr (GByteArray) audio = NULL;
  g_autoptr (GPtrArray) ts = NULL;
  JsonObject *words;

  set_option (f, "chunk-bytes", "777");
  ws_send (c, r1);
  spin_for (30);
  g_assert_cmpuint (count_type (c, "c", "done"), ==, 0);
  ws_send (c, r2);
  ws_wait_end (c, "c");
  spin_for (30);

  audio = ws_audio (c, "c");
  assert_bytes_equal (audio, expected);
  g_assert_cmpuint (count_type (c, "c", "done"), ==, 1);
  g_assert_true (is_type (g_ptr_array_index (c->messages,
              c->messages->len - 1), "done"));

  /* timestamps count from the context's start, across inputs */
  ts = ws_messages (c, "c", "timestamps");
  g_assert_cmpuint (ts->len, ==, 2);
  words = json_object_get_object_member (g_ptr_array_index (ts, 1),
      "word_timestamps");
  g_assert_cmpstr (json_array_get_string_element
      (json_object_get_array_member (words, "words"), 0), ==, "world");
  g_assert_cmpfloat_with_epsilon (json_array_get_double_element
      (json_object_get_array_member (words, "start"), 0), 0.35, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_array_get_double_element
      (json_object_get_array_member (words, "end"), 0), 0.6, 1e-9);
  ws_client_free (c);
}

static void
test_ws_interleaved (Fixture * f, gconstpointer data)
{
  WsClient *c = ws_connect (f, "2026-08-14");
  g_autofree gchar *a = request_json ("a", "first", FALSE, "pcm_s16le",
      16000, NULL);
  g_autofree gchar *b = request_json ("b", "second", FALSE, "pcm_mulaw",
      8000, NULL);
  g_autoptr (GBytes) ea = render ("first", "pcm_s16le", 16000);
  g_autoptr (GBytes) eb = render ("second", "pcm_mulaw", 8000);
  g_autoptr (GByteArray) audio_a = NULL;
  g_autoptr (GByteArray) audio_b = NULL;
  g_autoptr (GPtrArray) chunks_b = NULL;
  guint i, first_b = G_MAXUINT, last_a = 0;

  /* realtime pacing makes the two generations overlap in time */
  set_option (f, "chunk-bytes", "500");
  set_option (f, "pacing", "realtime");
  ws_send (c, a);
  ws_send (c, b);
  ws_wait_end (c, "a");
  ws_wait_end (c, "b");
  audio_a = ws_audio (c, "a");
  audio_b = ws_audio (c, "b");
  assert_bytes_equal (audio_a, ea);
  assert_bytes_equal (audio_b, eb);

  /* the two contexts' chunks interleave on the socket */
  for (i = 0; i < c->messages->len; i++) {
    JsonObject *m = g_ptr_array_index (c->messages, i);

    if (g_strcmp0 (str_member (m, "context_id"), "a") == 0)
      last_a = i;
    else if (first_b == G_MAXUINT)
      first_b = i;
  }
  g_assert_cmpuint (first_b, <, last_a);
  chunks_b = ws_messages (c, "b", "chunk");
  g_assert_cmpuint (chunks_b->len, >, 1);
  ws_client_free (c);
}

static void
test_ws_flush (Fixture * f, gconstpointer data)
{
  WsClient *c = ws_connect (f, "2026-08-14");
  g_autofree gchar *r1 = request_json ("f", "Hi ", TRUE, "pcm_s16le", 8000,
      NULL);
  g_autofree gchar *fl = request_json ("f", "", TRUE, "pcm_s16le", 8000,
      "\"flush\":true");
  g_autofree gchar *r2 = request_json ("f", "there", FALSE, "pcm_s16le",
      8000, NULL);
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GByteArray) audio = NULL;
  g_autoptr (GBytes) expected = render ("Hi there", "pcm_s16le", 8000);
  gboolean seen_flush_done = FALSE;
  guint i;

  ws_send (c, r1);
  ws_send (c, fl);
  ws_send (c, r2);
  ws_wait_end (c, "f");
  spin_for (20);

  all = ws_messages (c, "f", NULL);
  for (i = 0; i < all->len; i++) {
    JsonObject *m = g_ptr_array_index (all, i);

    if (is_type (m, "flush_done")) {
      g_assert_false (seen_flush_done);
      seen_flush_done = TRUE;
      g_assert_true (json_object_get_boolean_member (m, "flush_done"));
      g_assert_false (json_object_get_boolean_member (m, "done"));
      g_assert_cmpint (int_member (m, "flush_id"), ==, 1);
    } else if (is_type (m, "chunk")) {
      g_assert_cmpint (int_member (m, "flush_id"), ==, seen_flush_done ? 2 :
          1);
    }
  }
  g_assert_true (seen_flush_done);
  audio = ws_audio (c, "f");
  assert_bytes_equal (audio, expected);
  g_assert_cmpuint (count_type (c, "f", "done"), ==, 1);
  ws_client_free (c);
}

static void
test_ws_cancel (Fixture * f, gconstpointer data)
{
  WsClient *c = ws_connect (f, "2026-08-14");
  g_autofree gchar *slow = request_json ("slow",
      "a long sentence that takes a while to say", FALSE, "pcm_s16le", 8000,
      NULL);
  g_autofree gchar *next = request_json ("next", "ok", FALSE, "pcm_s16le",
      8000, NULL);
  g_auto (GStrv) requests = NULL;
  CartesiaEmulatorStats stats;
  guint chunks;

  /* realtime pacing: 800 bytes of audio per 50 ms chunk at 8 kHz s16 */
  set_option (f, "pacing", "realtime");
  set_option (f, "chunk-bytes", "800");
  ws_send (c, slow);
  spin_for (120);
  ws_send (c, "{\"context_id\":\"slow\",\"cancel\":true}");
  spin_for (100);
  chunks = count_type (c, "slow", "chunk");
  g_assert_cmpuint (chunks, >=, 1);
  g_assert_cmpuint (chunks, <, 10);
  spin_for (250);
  /* nothing more after the cancel, not even done */
  g_assert_cmpuint (count_type (c, "slow", "chunk"), ==, chunks);
  g_assert_cmpuint (count_type (c, "slow", "done"), ==, 0);

  /* the socket keeps working */
  set_option (f, "pacing", "instant");
  ws_send (c, next);
  ws_wait_end (c, "next");
  g_assert_cmpuint (count_type (c, "next", "done"), ==, 1);

  cartesia_emulator_get_stats (f->emu, &stats);
  g_assert_cmpuint (stats.contexts_cancelled, ==, 1);
  requests = cartesia_emulator_dup_requests (f->emu);
  g_assert_cmpuint (g_strv_length (requests), ==, 3);
  g_assert_nonnull (strstr (requests[1], "\"cancel\":true"));
  g_assert_nonnull (strstr (requests[1], "\"endpoint\":\"/tts/websocket\""));
  ws_client_free (c);
}

static JsonObject *
ws_first_error (WsClient * c, const gchar * context_id)
{
  g_autoptr (GPtrArray) errors = NULL;

  ws_wait_end (c, context_id);
  errors = ws_messages (c, context_id, "error");
  g_assert_cmpuint (errors->len, ==, 1);
  return g_ptr_array_index (errors, 0);
}

static void
test_ws_errors (Fixture * f, gconstpointer data)
{
  WsClient *legacy = ws_connect (f, "2025-04-16");
  WsClient *structured = ws_connect (f, "2026-03-01");
  g_autofree gchar *bad_model = g_strdup_printf ("{\"model_id\":\"sonic-0\","
      "\"transcript\":\"x\",\"voice\":{\"mode\":\"id\",\"id\":\"a0e99841-438c-4a64-b679-ae501e7d6091\"},"
      "\"output_format\":{\"container\":\"raw\",\"encoding\":\"pcm_s16le\","
      "\"sample_rate\":8000},\"context_id\":\"e\"}");
  g_autofree gchar *ok = request_json ("ok", "fine", FALSE, "pcm_s16le",
      8000, NULL);
  g_autofree gchar *bad_speed = request_json ("speed", "x", FALSE,
      "pcm_s16le", 8000, "\"generation_config\":{\"speed\":3.0}");
  g_autofree gchar *bare_voice = g_strdup_printf ("{\"model_id\":\"sonic-3\","
      "\"transcript\":\"x\",\"voice\":\"a0e99841-438c-4a64-b679-ae501e7d6091\",\"output_format\":{\"container\":"
      "\"raw\",\"encoding\":\"pcm_s16le\",\"sample_rate\":8000},"
      "\"context_id\":\"bare\"}");
  JsonObject *e;

  ws_send (legacy, bad_model);
  e = ws_first_error (legacy, "e");
  g_assert_true (json_object_get_boolean_member (e, "done"));
  g_assert_cmpint (int_member (e, "status_code"), ==, 400);
  g_assert_true (g_str_has_prefix (str_member (e, "error"), "Invalid model: "));
  g_assert_false (json_object_has_member (e, "title"));

  ws_send (structured, bad_model);
  e = ws_first_error (structured, "e");
  g_assert_true (json_object_get_boolean_member (e, "done"));
  g_assert_cmpint (int_member (e, "status_code"), ==, 400);
  g_assert_cmpstr (str_member (e, "error_code"), ==, "model_not_found");
  g_assert_cmpstr (str_member (e, "title"), ==, "Invalid model");
  g_assert_nonnull (str_member (e, "message"));
  g_assert_nonnull (strstr (str_member (e, "request_id"), ":e:"));
  g_assert_false (json_object_has_member (e, "error"));

  /* a bare voice string is 2026-08-14 only; speed has a range */
  ws_send (structured, bare_voice);
  e = ws_first_error (structured, "bare");
  g_assert_cmpint (int_member (e, "status_code"), ==, 400);
  ws_send (structured, bad_speed);
  e = ws_first_error (structured, "speed");
  g_assert_cmpint (int_member (e, "status_code"), ==, 400);

  /* the sockets stay open; a finished context id cannot be reused */
  ws_send (legacy, ok);
  ws_wait_end (legacy, "ok");
  g_assert_cmpuint (count_type (legacy, "ok", "done"), ==, 1);
  ws_send (legacy, ok);
  ws_wait_count (legacy, "ok", "error", 1);
  spin_for (50);
  g_assert_cmpuint (count_type (legacy, "ok", "error"), ==, 1);
  g_assert_false (legacy->closed);

  /* error-format overrides the version */
  set_option (f, "error-format", "structured");
  ws_send (legacy, bad_model);
  ws_wait_count (legacy, "e", "error", 2);
  e = g_ptr_array_index (legacy->messages, legacy->messages->len - 1);
  g_assert_cmpstr (str_member (e, "error_code"), ==, "model_not_found");

  ws_client_free (legacy);
  ws_client_free (structured);
}

static void
test_ws_idle (Fixture * f, gconstpointer data)
{
  WsClient *c;

  set_option (f, "idle-timeout-ms", "150");
  c = ws_connect (f, "2026-08-14");
  g_assert_true (spin_until (ws_closed, c, WAIT_MS));
  g_assert_cmpuint (c->close_code, ==, 1000);
  g_assert_cmpstr (c->close_reason, ==, "connection idle timeout");
  ws_client_free (c);
}

static void
test_ws_stall (Fixture * f, gconstpointer data)
{
  WsClient *c = ws_connect (f, "2026-08-14");
  g_autofree gchar *r1 = request_json ("s", "stalling here", FALSE,
      "pcm_s16le", 8000, NULL);
  g_autofree gchar *r2 = request_json ("t", "fine", FALSE, "pcm_s16le",
      8000, NULL);

  set_option (f, "chunk-bytes", "100");
  set_option (f, "stall-after-chunks", "2");
  set_option (f, "fail-count", "1");
  ws_send (c, r1);
  ws_wait_count (c, "s", "chunk", 2);
  spin_for (300);
  g_assert_cmpuint (count_type (c, "s", "chunk"), ==, 2);
  g_assert_cmpuint (count_type (c, "s", "done"), ==, 0);
  g_assert_false (c->closed);

  /* fail-count=1: the next generation is normal, on the same socket */
  ws_send (c, r2);
  ws_wait_end (c, "t");
  g_assert_cmpuint (count_type (c, "t", "done"), ==, 1);
  g_assert_cmpuint (count_type (c, "s", "chunk"), ==, 2);
  ws_client_free (c);
}

static void
test_ws_drop (Fixture * f, gconstpointer data)
{
  WsClient *c = ws_connect (f, "2026-08-14");
  g_autofree gchar *r = request_json ("d", "dropping", FALSE, "pcm_s16le",
      8000, NULL);
  CartesiaEmulatorStats stats;

  set_option (f, "chunk-bytes", "100");
  set_option (f, "drop-after-chunks", "3");
  ws_send (c, r);
  g_assert_true (spin_until (ws_closed, c, WAIT_MS));
  g_assert_cmpuint (count_type (c, "d", "chunk"), ==, 3);
  g_assert_cmpuint (count_type (c, "d", "done"), ==, 0);
  /* no close frame was received */
  g_assert_true (c->close_code == 0
      || c->close_code == SOUP_WEBSOCKET_CLOSE_ABNORMAL);
  ws_client_free (c);

  g_assert_true (spin_until (no_open_connections, f->emu, WAIT_MS));
  cartesia_emulator_get_stats (f->emu, &stats);
  g_assert_cmpuint (stats.open_connections, ==, 0);
}

static void
test_ws_error_after (Fixture * f, gconstpointer data)
{
  WsClient *c = ws_connect (f, "2024-11-13");
  g_autofree gchar *r = request_json ("x", "erroring", FALSE, "pcm_s16le",
      8000, NULL);
  JsonObject *e;

  set_option (f, "chunk-bytes", "100");
  set_option (f, "error-after-chunks", "2");
  set_option (f, "error-status", "503");
  ws_send (c, r);
  e = ws_first_error (c, "x");
  g_assert_cmpuint (count_type (c, "x", "chunk"), ==, 2);
  g_assert_cmpint (int_member (e, "status_code"), ==, 503);
  g_assert_cmpstr (str_member (e, "error"), ==,
      "Internal Server Error: The emulator injected an error");
  spin_for (50);
  g_assert_cmpuint (count_type (c, "x", "done"), ==, 0);
  g_assert_false (c->closed);
  ws_client_free (c);
}

static void
test_ws_malformed (Fixture * f, gconstpointer data)
{
  WsClient *c = ws_connect (f, "2026-08-14");
  g_autofree gchar *r1 = request_json ("u", "abc", FALSE, "pcm_s16le", 8000,
      NULL);
  g_autofree gchar *r2 = request_json ("b", "abc", FALSE, "pcm_s16le", 8000,
      NULL);
  g_autofree gchar *r3 = request_json ("j", "abc", FALSE, "pcm_s16le", 8000,
      NULL);
  g_autofree gchar *r4 = request_json ("h", "abc", FALSE, "pcm_s16le", 8000,
      NULL);
  g_autoptr (GBytes) expected = render ("abc", "pcm_s16le", 8000);
  g_autoptr (GByteArray) audio = NULL;
  guint i, nulls = 0;

  set_option (f, "malformed", "unknown-type");
  ws_send (c, r1);
  ws_wait_end (c, "u");
  g_assert_true (is_type (g_ptr_array_index (c->messages, 0), "mystery"));
  audio = ws_audio (c, "u");
  assert_bytes_equal (audio, expected);

  set_option (f, "malformed", "binary");
  ws_send (c, r2);
  ws_wait_end (c, "b");
  g_assert_cmpuint (c->binary_frames, ==, 1);

  set_option (f, "malformed", "json");
  ws_send (c, r3);
  ws_wait_end (c, "j");
  for (i = 0; i < c->messages->len; i++)
    nulls += g_ptr_array_index (c->messages, i) == NULL;
  g_assert_cmpuint (nulls, ==, 1);

  set_option (f, "malformed", "huge");
  ws_send (c, r4);
  ws_wait_end (c, "h");
  g_assert_cmpuint (count_type (c, "h", "done"), ==, 1);
  ws_client_free (c);
}

static void
test_ws_limits (Fixture * f, gconstpointer data)
{
  WsClient *c, *refused;
  g_autofree gchar *open = request_json ("open", "one ", TRUE, "pcm_s16le",
      8000, NULL);
  g_autofree gchar *second = request_json ("second", "two", FALSE,
      "pcm_s16le", 8000, NULL);
  JsonObject *e;

  set_option (f, "concurrency-limit", "1");
  set_option (f, "max-connections", "1");
  c = ws_connect (f, "2026-08-14");
  ws_send (c, open);
  ws_send (c, second);
  e = ws_first_error (c, "second");
  g_assert_cmpint (int_member (e, "status_code"), ==, 429);
  g_assert_cmpstr (str_member (e, "error_code"), ==, "concurrency_limited");

  refused = ws_connect_full (f, "?cartesia_version=2026-08-14",
      "X-API-Key", KEY);
  g_assert_null (refused->ws);
  g_assert_cmpuint (soup_message_get_status (refused->msg), ==, 429);
  ws_client_free (refused);
  ws_client_free (c);
}

static void
test_ws_http_status (Fixture * f, gconstpointer data)
{
  WsClient *c;
  HttpResult *r;
  g_autofree gchar *body = sse_request ("x", "pcm_s16le", 8000, NULL);
  g_autofree gchar *text = NULL;
  g_autoptr (JsonObject) err = NULL;

  set_option (f, "http-status", "429");
  set_option (f, "retry-after", "7");
  set_option (f, "fail-count", "2");

  c = ws_connect_full (f, "?cartesia_version=2026-08-14", "X-API-Key", KEY);
  g_assert_null (c->ws);
  g_assert_cmpuint (soup_message_get_status (c->msg), ==, 429);
  g_assert_cmpstr (soup_message_headers_get_one
      (soup_message_get_response_headers (c->msg), "Retry-After"), ==, "7");
  ws_client_free (c);

  r = http_post (f, "/tts/sse", "2026-08-14", body);
  g_assert_cmpuint (soup_message_get_status (r->msg), ==, 429);
  g_assert_cmpstr (soup_message_headers_get_one
      (soup_message_get_response_headers (r->msg), "Retry-After"), ==, "7");
  text = body_text (r);
  err = parse_object (text, -1);
  g_assert_nonnull (err);
  g_assert_cmpstr (str_member (err, "error_code"), ==, "concurrency_limited");
  g_assert_cmpstr (str_member (err, "title"), ==,
      "Too many concurrent requests");
  http_result_free (r);

  /* after fail-count faults, normal service */
  c = ws_connect (f, "2026-08-14");
  ws_client_free (c);
}

/* ---- tests: HTTP ---- */

static void
check_sse (Fixture * f, const gchar * extra_options, gboolean event_lines)
{
  g_autofree gchar *body = sse_request ("Hello there", "pcm_s16le", 24000,
      "\"add_timestamps\":true,\"context_id\":\"sse-1\"");
  g_autoptr (GBytes) expected = render ("Hello there", "pcm_s16le", 24000);
  g_autoptr (GByteArray) audio = g_byte_array_new ();
  g_autoptr (GPtrArray) events = NULL;
  g_autofree gchar *text = NULL;
  HttpResult *r;
  SseEvent *last;
  guint i, timestamps = 0;

  r = http_post (f, "/tts/sse", "2026-08-14", body);
  g_assert_no_error (r->error);
  g_assert_cmpuint (soup_message_get_status (r->msg), ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type
      (soup_message_get_response_headers (r->msg), NULL), ==,
      "text/event-stream");
  text = body_text (r);
  events = sse_parse (text);
  g_assert_cmpuint (events->len, >, 2);

  for (i = 0; i < events->len; i++) {
    SseEvent *e = g_ptr_array_index (events, i);

    g_assert_nonnull (e->data);
    if (event_lines)
      g_assert_cmpstr (e->event, ==, str_member (e->data, "type"));
    else
      g_assert_null (e->event);
    g_assert_cmpstr (str_member (e->data, "context_id"), ==, "sse-1");
    if (is_type (e->data, "chunk"))
      append_base64 (audio, str_member (e->data, "data"));
    else if (is_type (e->data, "timestamps"))
      timestamps++;
  }
  assert_bytes_equal (audio, expected);
  g_assert_cmpuint (timestamps, ==, 1);
  last = g_ptr_array_index (events, events->len - 1);
  g_assert_true (is_type (last->data, "done"));
  g_assert_true (json_object_get_boolean_member (last->data, "done"));
  http_result_free (r);
}

static void
test_sse (Fixture * f, gconstpointer data)
{
  g_auto (GStrv) requests = NULL;

  set_option (f, "chunk-bytes", "1001");
  check_sse (f, NULL, TRUE);
  set_option (f, "sse-event-lines", "false");
  set_option (f, "sse-line-ending", "crlf");
  set_option (f, "write-split-bytes", "97");
  check_sse (f, NULL, FALSE);
  set_option (f, "reset", "");
  set_option (f, "sse-line-ending", "cr");
  check_sse (f, NULL, TRUE);

  requests = cartesia_emulator_dup_requests (f->emu);
  g_assert_cmpuint (g_strv_length (requests), ==, 3);
  g_assert_nonnull (strstr (requests[0], "\"endpoint\":\"/tts/sse\""));
  g_assert_nonnull (strstr (requests[0], "\"auth\":\"authorization\""));
}

static void
test_sse_error_and_drop (Fixture * f, gconstpointer data)
{
  g_autofree gchar *body = sse_request ("some words", "pcm_s16le", 8000,
      NULL);
  g_autoptr (GPtrArray) events = NULL;
  g_autofree gchar *text = NULL;
  SseEvent *last;
  HttpResult *r;

  set_option (f, "chunk-bytes", "100");
  set_option (f, "error-after-chunks", "1");
  r = http_post (f, "/tts/sse", "2026-08-14", body);
  g_assert_no_error (r->error);
  text = body_text (r);
  events = sse_parse (text);
  g_assert_cmpuint (events->len, ==, 2);
  last = g_ptr_array_index (events, 1);
  g_assert_cmpstr (last->event, ==, "error");
  g_assert_true (json_object_get_boolean_member (last->data, "done"));
  g_assert_cmpint (int_member (last->data, "status_code"), ==, 500);
  g_assert_cmpstr (str_member (last->data, "error_code"), ==,
      "internal_error");
  http_result_free (r);

  set_option (f, "reset", "");
  set_option (f, "chunk-bytes", "100");
  set_option (f, "drop-after-chunks", "2");
  r = http_post (f, "/tts/sse", "2026-08-14", body);
  /* the body ends after two chunks, without done (libsoup's client may or
   * may not report the truncated chunked encoding as an error) */
  if (r->error == NULL) {
    g_autofree gchar *cut = body_text (r);
    g_autoptr (GPtrArray) got = sse_parse (cut);
    guint i;

    g_assert_cmpuint (got->len, ==, 2);
    for (i = 0; i < got->len; i++)
      g_assert_true (is_type (((SseEvent *) g_ptr_array_index (got,
                      i))->data, "chunk"));
  }
  http_result_free (r);
}

static void
test_http_errors (Fixture * f, gconstpointer data)
{
  g_autofree gchar *bad = g_strdup_printf ("{\"model_id\":\"sonic-0\","
      "\"transcript\":\"x\",\"voice\":{\"mode\":\"id\",\"id\":\"a0e99841-438c-4a64-b679-ae501e7d6091\"},"
      "\"output_format\":{\"container\":\"raw\",\"encoding\":\"pcm_s16le\","
      "\"sample_rate\":8000}}");
  g_autofree gchar *bad_rate = sse_request ("x", "pcm_s16le", 11025, NULL);
  g_autofree gchar *t1 = NULL, *t2 = NULL, *t3 = NULL;
  g_autoptr (JsonObject) e = NULL;
  HttpResult *r;

  r = http_post (f, "/tts/sse", "2026-08-14", bad);
  g_assert_cmpuint (soup_message_get_status (r->msg), ==, 400);
  t1 = body_text (r);
  e = parse_object (t1, -1);
  g_assert_cmpstr (str_member (e, "error_code"), ==, "model_not_found");
  g_assert_cmpstr (str_member (e, "title"), ==, "Invalid model");
  g_assert_nonnull (str_member (e, "request_id"));
  g_assert_nonnull (str_member (e, "doc_url"));
  http_result_free (r);

  r = http_post (f, "/tts/bytes", "2025-04-16", bad);
  g_assert_cmpuint (soup_message_get_status (r->msg), ==, 400);
  t2 = body_text (r);
  g_assert_true (g_str_has_prefix (t2, "Invalid model: "));
  http_result_free (r);

  r = http_post (f, "/tts/sse", "2026-08-14", bad_rate);
  g_assert_cmpuint (soup_message_get_status (r->msg), ==, 400);
  http_result_free (r);

  r = http_post (f, "/tts/sse", NULL, bad_rate);
  g_assert_cmpuint (soup_message_get_status (r->msg), ==, 400);
  t3 = body_text (r);
  g_assert_nonnull (strstr (t3, "Cartesia-Version"));
  http_result_free (r);
}

static void
test_bytes (Fixture * f, gconstpointer data)
{
  g_autofree gchar *raw = g_strdup_printf ("{\"model_id\":\"sonic-3.5\","
      "\"transcript\":\"bytes 123\",\"voice\":{\"id\":\"a0e99841-438c-4a64-b679-ae501e7d6091\"},"
      "\"output_format\":{\"container\":\"raw\",\"encoding\":\"pcm_f32le\","
      "\"sample_rate\":22050}}");
  g_autofree gchar *wav = g_strdup_printf ("{\"model_id\":\"sonic-3\","
      "\"transcript\":\"bytes 123\",\"voice\":\"a0e99841-438c-4a64-b679-ae501e7d6091\",\"output_format\":"
      "{\"container\":\"wav\",\"encoding\":\"pcm_s16le\","
      "\"sample_rate\":16000}}");
  g_autoptr (GBytes) e1 = render ("bytes 123", "pcm_f32le", 22050);
  g_autoptr (GBytes) e2 = render ("bytes 123", "pcm_s16le", 16000);
  g_autoptr (GByteArray) got = g_byte_array_new ();
  const guint8 *data2;
  gsize size;
  HttpResult *r;

  set_option (f, "chunk-bytes", "333");
  set_option (f, "write-split-bytes", "1000");
  r = http_post (f, "/tts/bytes", "2026-08-14", raw);
  g_assert_no_error (r->error);
  g_assert_cmpuint (soup_message_get_status (r->msg), ==, 200);
  g_byte_array_append (got, g_bytes_get_data (r->body, NULL),
      g_bytes_get_size (r->body));
  assert_bytes_equal (got, e1);
  http_result_free (r);

  r = http_post (f, "/tts/bytes", "2026-08-14", wav);
  data2 = g_bytes_get_data (r->body, &size);
  g_assert_cmpuint (size, ==, 44 + g_bytes_get_size (e2));
  g_assert_true (memcmp (data2, "RIFF", 4) == 0);
  g_assert_true (memcmp (data2 + 8, "WAVEfmt ", 8) == 0);
  g_assert_true (memcmp (data2 + 44, g_bytes_get_data (e2, NULL),
          size - 44) == 0);
  http_result_free (r);
}

static void
test_pacing (Fixture * f, gconstpointer data)
{
  WsClient *c = ws_connect (f, "2026-08-14");
  g_autofree gchar *r1 = request_json ("rt", "abcdefghij", FALSE,
      "pcm_s16le", 16000, NULL);
  g_autofree gchar *r2 = request_json ("late", "ab", FALSE, "pcm_s16le",
      16000, NULL);
  g_autofree gchar *r3 = request_json ("iv", "abcdefghij", FALSE,
      "pcm_s16le", 16000, NULL);
  CartesiaEmulatorPacing pacing;
  gint64 start, elapsed;

  /* realtime: ten characters are 500 ms of audio; the last chunk goes out
   * when its audio starts playing, 450 ms after the first */
  set_option (f, "pacing", "realtime");
  set_option (f, "chunk-bytes", "1600");
  start = g_get_monotonic_time ();
  ws_send (c, r1);
  ws_wait_end (c, "rt");
  elapsed = g_get_monotonic_time () - start;
  g_assert_cmpint (elapsed, >=, 420 * 1000);
  g_assert_cmpint (elapsed, <, 2000 * 1000);
  g_assert_cmpuint (count_type (c, "rt", "chunk"), ==, 10);
  /* every paced chunk but the first is counted, none can be early */
  cartesia_emulator_take_pacing (f->emu, &pacing);
  g_assert_cmpuint (pacing.chunks, ==, 9);
  g_assert_cmpint (pacing.max_late_us, >=, 0);
  g_assert_cmpuint (pacing.late_20ms, <=, pacing.late_5ms);
  g_assert_cmpuint (pacing.late_5ms, <=, pacing.chunks);
  cartesia_emulator_take_pacing (f->emu, &pacing);
  g_assert_cmpuint (pacing.chunks, ==, 0);

  /* thinking time before the first chunk */
  set_option (f, "pacing", "instant");
  set_option (f, "first-chunk-delay-ms", "200");
  start = g_get_monotonic_time ();
  ws_send (c, r2);
  ws_wait_end (c, "late");
  elapsed = g_get_monotonic_time () - start;
  g_assert_cmpint (elapsed, >=, 190 * 1000);
  g_assert_cmpuint (count_type (c, "late", "done"), ==, 1);
  /* instant pacing has no due times */
  cartesia_emulator_take_pacing (f->emu, &pacing);
  g_assert_cmpuint (pacing.chunks, ==, 0);

  /* a chunk every 40 ms, whatever audio it holds: ten chunks take at least
   * nine intervals, where instant pacing sends them at once */
  set_option (f, "first-chunk-delay-ms", "0");
  set_option (f, "chunk-interval-ms", "40");
  start = g_get_monotonic_time ();
  ws_send (c, r3);
  ws_wait_end (c, "iv");
  elapsed = g_get_monotonic_time () - start;
  g_assert_cmpint (elapsed, >=, 9 * 40 * 1000);
  g_assert_cmpint (elapsed, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpuint (count_type (c, "iv", "chunk"), ==, 10);
  cartesia_emulator_take_pacing (f->emu, &pacing);
  g_assert_cmpuint (pacing.chunks, ==, 9);
  ws_client_free (c);
}

static gboolean
child_exited (gpointer data)
{
  return *(gboolean *) data;
}

static void
child_watch_cb (GPid pid, gint status, gpointer data)
{
  gint *out = data;

  out[0] = status;
  out[1] = TRUE;
  g_spawn_close_pid (pid);
}

/* The cartesia-emulator program: --render, and serving until SIGTERM. */
static void
test_program (void)
{
  const gchar *exe = g_getenv ("CARTESIA_EMULATOR_EXE");
  g_autoptr (GError) error = NULL;
  g_autofree gchar *out = NULL;
  g_autoptr (GBytes) expected = render ("Hi 5", "pcm_alaw", 8000);
  gsize size;
  const gchar *render_argv[] = { exe, "--render", "Hi 5", "--encoding",
    "pcm_alaw", "--sample-rate", "8000", "--voice=synthetic", NULL
  };
  const gchar *serve_argv[] = { exe, "--api-key=k", "--chunk-bytes=100",
    "--pacing=realtime", NULL
  };
  GPid pid;
  gint out_fd, status[2] = { 0, FALSE };
  gchar line[128] = { 0 };
  gssize n;
  GSocketClient *client;
  GSocketConnection *conn;
  guint port;

  if (exe == NULL) {
    g_test_skip ("CARTESIA_EMULATOR_EXE is not set");
    return;
  }

  g_assert_true (g_spawn_sync (NULL, (gchar **) render_argv, NULL,
          G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status[0], &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status[0], NULL));
  size = g_bytes_get_size (expected);
  g_assert_true (memcmp (out, g_bytes_get_data (expected, NULL), size) == 0);
  g_clear_pointer (&out, g_free);

  g_assert_true (g_spawn_async_with_pipes (NULL, (gchar **) serve_argv,
          NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
          NULL, &pid, NULL, &out_fd, NULL, &error));
  g_assert_no_error (error);
  status[0] = 0;
  g_child_watch_add (pid, child_watch_cb, status);

  /* the first line is the base URL */
  n = read (out_fd, line, sizeof (line) - 1);
  g_assert_cmpint (n, >, 0);
  g_assert_true (g_str_has_prefix (line, "http://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (line, "\n"));
  port = atoi (line + strlen ("http://127.0.0.1:"));
  client = g_socket_client_new ();
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL,
      &error);
  g_assert_no_error (error);
  g_object_unref (conn);
  g_object_unref (client);

  kill (pid, SIGTERM);
  g_assert_true (spin_until (child_exited, &status[1], WAIT_MS));
  g_assert_true (g_spawn_check_wait_status (status[0], NULL));
  close (out_fd);
}

/* Reads a line from @fd (the program's stdout), bounded by the test's
 * timeout; returns it without the newline. */
static gchar *
read_line (gint fd)
{
  GString *s = g_string_new (NULL);
  gchar c;

  while (read (fd, &c, 1) == 1 && c != '\n')
    g_string_append_c (s, c);
  return g_string_free (s, FALSE);
}

static void
stop_program (GPid pid, gint * status)
{
  kill (pid, SIGTERM);
  g_assert_true (spin_until (child_exited, &status[1], WAIT_MS));
  g_assert_true (g_spawn_check_wait_status (status[0], NULL));
}

/* --tls: https with a throwaway CA whose file it prints and removes at the
 * end; --host: another loopback address, and only a loopback one. */
static void
test_program_tls (void)
{
  const gchar *exe = g_getenv ("CARTESIA_EMULATOR_EXE");
  const gchar *tls_argv[] = { exe, "--tls", "--voice=synthetic", NULL };
  const gchar *v6_argv[] = { exe, "--host", "::1", "--voice=synthetic",
    NULL
  };
  const gchar *bad_argv[] = { exe, "--host", "192.0.2.1", NULL };
  g_autoptr (GError) error = NULL;
  g_autofree gchar *url = NULL, *ca = NULL, *root = NULL, *err = NULL;
  g_autoptr (GTlsDatabase) db = NULL;
  g_autoptr (SoupSession) trusting = NULL, plain = NULL;
  g_autoptr (SoupMessage) msg = NULL, untrusted = NULL;
  g_autoptr (GBytes) body = NULL;
  GPid pid;
  gint out_fd, status[2] = { 0, FALSE };
  GSocketClient *client;
  GSocketConnection *conn;

  if (exe == NULL) {
    g_test_skip ("CARTESIA_EMULATOR_EXE is not set");
    return;
  }
  g_assert_true (g_spawn_async_with_pipes (NULL, (gchar **) tls_argv, NULL,
          G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
          &pid, NULL, &out_fd, NULL, &error));
  g_assert_no_error (error);
  g_child_watch_add (pid, child_watch_cb, status);
  url = read_line (out_fd);
  ca = read_line (out_fd);
  g_assert_true (g_str_has_prefix (url, "https://127.0.0.1:"));
  g_assert_true (g_file_test (ca, G_FILE_TEST_IS_REGULAR));

  db = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  trusting = soup_session_new ();
  soup_session_set_tls_database (trusting, db);
  root = g_strconcat (url, "/", NULL);
  msg = soup_message_new ("GET", root);
  body = soup_session_send_and_read (trusting, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  /* Without its CA, the certificate is refused. */
  plain = soup_session_new ();
  untrusted = soup_message_new ("GET", root);
  g_clear_pointer (&body, g_bytes_unref);
  body = soup_session_send_and_read (plain, untrusted, NULL, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);
  stop_program (pid, status);
  close (out_fd);
  g_assert_false (g_file_test (ca, G_FILE_TEST_EXISTS));

  status[0] = 0;
  status[1] = FALSE;
  g_assert_true (g_spawn_async_with_pipes (NULL, (gchar **) v6_argv, NULL,
          G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
          &pid, NULL, &out_fd, NULL, &error));
  g_assert_no_error (error);
  g_child_watch_add (pid, child_watch_cb, status);
  g_free (url);
  url = read_line (out_fd);
  g_assert_true (g_str_has_prefix (url, "http://[::1]:"));
  client = g_socket_client_new ();
  conn = g_socket_client_connect_to_host (client, "::1",
      atoi (url + strlen ("http://[::1]:")), NULL, &error);
  g_assert_no_error (error);
  g_object_unref (conn);
  g_object_unref (client);
  stop_program (pid, status);
  close (out_fd);

  g_assert_true (g_spawn_sync (NULL, (gchar **) bad_argv, NULL,
          G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status[0],
          &error));
  g_assert_false (g_spawn_check_wait_status (status[0], NULL));
  g_assert_nonnull (strstr (err, "loopback"));
}

/* Freeing must not hang or leak while clients are mid-stream or stalled. */
static void
test_free_busy (void)
{
  g_autoptr (GError) error = NULL;
  CartesiaEmulator *emu = cartesia_emulator_new (NULL, 0, &error);
  Fixture f = { emu, soup_session_new () };
  g_autofree gchar *r1 = request_json ("rt", "a long long long sentence",
      FALSE, "pcm_s16le", 8000, NULL);
  g_autofree gchar *r2 = request_json ("st", "stall", FALSE, "pcm_s16le",
      8000, NULL);
  g_autofree gchar *sse = sse_request ("streaming for a while", "pcm_s16le",
      8000, NULL);
  g_autofree gchar *url = NULL;
  g_autoptr (GBytes) sse_body = g_bytes_new (sse, strlen (sse));
  HttpResult *r = g_new0 (HttpResult, 1);
  WsClient *c1, *c2;
  gint64 start;

  g_assert_no_error (error);
  cartesia_emulator_set_option (emu, "pacing", "realtime", NULL);
  c1 = ws_connect (&f, "2026-08-14");
  c2 = ws_connect (&f, "2026-08-14");
  ws_send (c1, r1);
  cartesia_emulator_set_option (emu, "stall-after-chunks", "0", NULL);
  ws_send (c2, r2);
  url = g_strdup_printf ("%s/tts/sse", cartesia_emulator_get_base_url (emu));
  r->msg = soup_message_new ("POST", url);
  soup_message_headers_append (soup_message_get_request_headers (r->msg),
      "X-API-Key", "k");
  soup_message_headers_append (soup_message_get_request_headers (r->msg),
      "Cartesia-Version", "2026-08-14");
  soup_message_set_request_body_from_bytes (r->msg, "application/json",
      sse_body);
  soup_session_send_and_read_async (f.session, r->msg, G_PRIORITY_DEFAULT,
      NULL, http_done, r);
  spin_for (150);
  g_assert_false (r->done);

  /* the test thread stops reading: the clients cannot answer close frames */
  start = g_get_monotonic_time ();
  cartesia_emulator_free (emu);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);

  g_assert_true (spin_until (ws_closed, c1, WAIT_MS));
  g_assert_true (spin_until (ws_closed, c2, WAIT_MS));
  g_assert_true (spin_until (http_is_done, r, WAIT_MS));
  http_result_free (r);
  ws_client_free (c1);
  ws_client_free (c2);
  g_object_unref (f.session);
  spin_for (20);
}

static void
test_any_key (Fixture * f, gconstpointer data)
{
  WsClient *c = ws_connect_full (f, "?cartesia_version=2026-08-14",
      "X-API-Key", "anything");

  g_assert_nonnull (c->ws);
  ws_client_free (c);
  c = ws_connect_full (f, "?cartesia_version=2026-08-14&api_key=", NULL,
      NULL);
  g_assert_cmpuint (soup_message_get_status (c->msg), ==, 401);
  ws_client_free (c);
}

static void
test_options (void)
{
  g_autoptr (GError) error = NULL;
  CartesiaEmulator *emu = cartesia_emulator_new (NULL, 0, &error);

  g_assert_no_error (error);
  g_assert_false (cartesia_emulator_set_option (emu, "no-such", "1", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (cartesia_emulator_set_option (emu, "chunk-bytes", "0",
          &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (cartesia_emulator_set_option (emu, "pacing", "slow",
          &error));
  g_clear_error (&error);
  g_assert_false (cartesia_emulator_set_option (emu, "chunk-interval-ms",
          "-1", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (cartesia_emulator_set_option (emu, "malformed",
          "unknown-type", NULL));
  g_assert_true (cartesia_emulator_set_option (emu, "reset", NULL, NULL));
  cartesia_emulator_free (emu);
}

/* ---- tests: voices ---- */

/* Runs the cartesia-emulator program with @argv (after the program name);
 * returns its stdout, and its stderr in @err when not NULL. */
static GBytes *
run_program (const gchar * const *argv, gint * exit_status, gchar ** err)
{
  const gchar *exe = g_getenv ("CARTESIA_EMULATOR_EXE");
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) err_bytes = NULL;
  GBytes *out = NULL;

  g_assert_nonnull (exe);
  g_ptr_array_add (args, (gpointer) exe);
  for (; *argv; argv++)
    g_ptr_array_add (args, (gpointer) * argv);
  g_ptr_array_add (args, NULL);
  proc = g_subprocess_newv ((const gchar * const *) args->pdata,
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
      &error);
  g_assert_no_error (error);
  g_subprocess_communicate (proc, NULL, NULL, &out, &err_bytes, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  *exit_status = g_subprocess_get_exit_status (proc);
  if (err)
    *err = g_strndup (g_bytes_get_data (err_bytes, NULL),
        g_bytes_get_size (err_bytes));
  return out;
}

/* voice=synthetic|espeak: accepted when it can speak, else a clear error,
 * from the library and from the program. */
static void
test_voice_option (void)
{
  g_autoptr (GError) error = NULL;
  CartesiaEmulator *emu = cartesia_emulator_new (NULL, 0, &error);
  const gchar *argv[] = { "--render", "x", "--voice=espeak", NULL };
  g_autofree gchar *err = NULL;
  g_autoptr (GBytes) out = NULL;
  gint status;

  g_assert_no_error (error);
  g_assert_true (cartesia_emulator_set_option (emu, "voice", "synthetic",
          NULL));
  g_assert_false (cartesia_emulator_set_option (emu, "voice", "robot",
          &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
#ifdef HAVE_ESPEAK
  g_assert_true (cartesia_emulator_set_option (emu, "voice", "espeak",
          &error));
  g_assert_no_error (error);
#else
  g_assert_false (cartesia_emulator_set_option (emu, "voice", "espeak",
          &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "built without libespeak-ng"));
  g_clear_error (&error);
#endif
  /* the library's default stays the synthetic voice */
  g_assert_cmpint (emu_synth_get_default_voice (), ==, EMU_VOICE_SYNTHETIC);
  cartesia_emulator_free (emu);

  if (g_getenv ("CARTESIA_EMULATOR_EXE") == NULL)
    return;
  out = run_program (argv, &status, &err);
#ifdef HAVE_ESPEAK
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (g_bytes_get_size (out), >, 0);
#else
  g_assert_cmpint (status, ==, 2);
  g_assert_cmpuint (g_bytes_get_size (out), ==, 0);
  g_assert_nonnull (strstr (err, "built without libespeak-ng"));
#endif
}

#define SPOKEN "Hello from the emulator, speaking real words."

/* Plausibly speech: mostly sound, some pauses, about as long as a person
 * takes to say SPOKEN. */
static void
assert_speech_like (GByteArray * audio, guint rate)
{
  const guint frame = rate / 100;       /* 10 ms */
  guint n = audio->len / 2, loud = 0, quiet = 0, frames = 0, i, j;
  gdouble seconds = n / (gdouble) rate, sum = 0.0;

  /* 45 characters, 7 words: 2-4 s for a person (and the synthetic voice
   * would take exactly 2.25 s) */
  g_assert_cmpfloat (seconds, >, 1.2);
  g_assert_cmpfloat (seconds, <, 6.0);
  g_assert_cmpuint (n, !=, strlen (SPOKEN) * (rate / 20));

  for (i = 0; i + frame <= n; i += frame, frames++) {
    gdouble e = 0.0;

    for (j = 0; j < frame; j++) {
      gint16 v;

      memcpy (&v, audio->data + 2 * (i + j), 2);
      v = GINT16_FROM_LE (v);
      e += (v / 32768.0) * (v / 32768.0);
    }
    sum += e;
    e = sqrt (e / frame);
    if (e > 0.01)
      loud++;
    else if (e < 0.002)
      quiet++;
  }
  g_assert_cmpfloat (sqrt (sum / n), >, 0.02);
  g_assert_cmpuint (loud, >, frames / 2);
  g_assert_cmpuint (quiet, >, 0);
}

/* The voice id the requests of these tests carry. */
#define TEST_VOICE_ID "00a77add-48d5-4ef6-8157-71e5437b282d"

/* voice=espeak: a websocket generation sends exactly what
 * `cartesia-emulator --render TEXT --voice=espeak --voice-id ID` writes; it
 * is speech; word timestamps follow it; another rate and encoding carry the
 * same speech. */
static void
test_voice_espeak (Fixture * f, gconstpointer data)
{
  const gchar *argv[] = { "--render", SPOKEN, "--voice=espeak",
    "--voice-id", TEST_VOICE_ID,
    "--encoding", "pcm_s16le", "--sample-rate", "24000", NULL
  };
  const EmuStyle style = { TEST_VOICE_ID, 0.0, 0.0 };
  const gchar *const expected_words[] = { "Hello", "from", "the",
    "emulator,", "speaking", "real", "words.", NULL
  };
  g_autofree gchar *req = request_json ("sp", SPOKEN, FALSE, "pcm_s16le",
      24000, "\"add_timestamps\":true");
  g_autofree gchar *req2 = request_json ("sp2", SPOKEN, FALSE, "pcm_mulaw",
      8000, NULL);
  g_autoptr (GBytes) program = NULL;
  g_autoptr (GBytes) mulaw = NULL;
  g_autoptr (GByteArray) audio = NULL;
  g_autoptr (GByteArray) audio2 = NULL;
  g_autoptr (GPtrArray) ts = NULL;
  g_autofree gchar *err = NULL;
  JsonObject *wt;
  JsonArray *words, *starts, *ends;
  gdouble prev = 0.0, seconds;
  WsClient *c;
  gint status;
  guint i;

#ifndef HAVE_ESPEAK
  g_test_skip ("built without libespeak-ng");
  return;
#endif
  if (g_getenv ("CARTESIA_EMULATOR_EXE") == NULL) {
    g_test_skip ("CARTESIA_EMULATOR_EXE is not set");
    return;
  }

  set_option (f, "voice", "espeak");
  set_option (f, "chunk-bytes", "1001");
  c = ws_connect (f, "2026-08-14");
  ws_send (c, req);
  ws_wait_end (c, "sp");
  ws_send (c, req2);
  ws_wait_end (c, "sp2");
  g_assert_cmpuint (count_type (c, "sp", "done"), ==, 1);
  g_assert_cmpuint (count_type (c, "sp2", "done"), ==, 1);
  audio = ws_audio (c, "sp");
  audio2 = ws_audio (c, "sp2");

  program = run_program (argv, &status, &err);
  g_assert_cmpint (status, ==, 0);
  assert_bytes_equal (audio, program);
  assert_speech_like (audio, 24000);
  seconds = audio->len / 2 / 24000.0;

  /* the same speech at 8 kHz mu-law, as the library renders it */
  mulaw = emu_synth_render_styled (EMU_VOICE_ESPEAK, SPOKEN,
      EMU_ENCODING_PCM_MULAW, 8000, &style);
  assert_bytes_equal (audio2, mulaw);
  g_assert_cmpfloat (fabs (audio2->len / 8000.0 - seconds), <, 0.001);

  /* one timestamp per word, in order, inside the audio */
  ts = ws_messages (c, "sp", "timestamps");
  g_assert_cmpuint (ts->len, ==, 1);
  wt = json_object_get_object_member (g_ptr_array_index (ts, 0),
      "word_timestamps");
  words = json_object_get_array_member (wt, "words");
  starts = json_object_get_array_member (wt, "start");
  ends = json_object_get_array_member (wt, "end");
  g_assert_cmpuint (json_array_get_length (words), ==,
      g_strv_length ((gchar **) expected_words));
  for (i = 0; expected_words[i]; i++) {
    gdouble start = json_array_get_double_element (starts, i);
    gdouble end = json_array_get_double_element (ends, i);

    g_assert_cmpstr (json_array_get_string_element (words, i), ==,
        expected_words[i]);
    g_assert_cmpfloat (start, >=, prev);
    g_assert_cmpfloat (end, >, start);
    g_assert_cmpfloat (end, <=, seconds + 1e-6);
    prev = end;
  }
  ws_client_free (c);
}

static GByteArray *
sse_audio (Fixture * f, const gchar * text)
{
  g_autofree gchar *body = sse_request (text, "pcm_f32le", 16000, NULL);
  GByteArray *audio = g_byte_array_new ();
  g_autoptr (GPtrArray) events = NULL;
  g_autofree gchar *reply = NULL;
  HttpResult *r;
  guint i;

  r = http_post (f, "/tts/sse", "2026-08-14", body);
  g_assert_no_error (r->error);
  g_assert_cmpuint (soup_message_get_status (r->msg), ==, 200);
  reply = body_text (r);
  events = sse_parse (reply);
  for (i = 0; i < events->len; i++) {
    SseEvent *e = g_ptr_array_index (events, i);

    if (e->data && is_type (e->data, "chunk"))
      append_base64 (audio, str_member (e->data, "data"));
  }
  http_result_free (r);
  return audio;
}

/* A voice change applies from the next generation on, over SSE too. */
static void
test_voice_switch (Fixture * f, gconstpointer data)
{
  g_autoptr (GBytes) spoken = NULL;
  g_autoptr (GBytes) tones = render ("Switch voices", "pcm_f32le", 16000);
  g_autoptr (GByteArray) a = NULL;
  g_autoptr (GByteArray) b = NULL;
  const EmuStyle style = { TEST_VOICE_ID, 0.0, 0.0 };

#ifndef HAVE_ESPEAK
  g_test_skip ("built without libespeak-ng");
  return;
#endif
  spoken = emu_synth_render_styled (EMU_VOICE_ESPEAK, "Switch voices",
      EMU_ENCODING_PCM_F32LE, 16000, &style);
  set_option (f, "voice", "espeak");
  a = sse_audio (f, "Switch voices");
  assert_bytes_equal (a, spoken);
  set_option (f, "voice", "synthetic");
  b = sse_audio (f, "Switch voices");
  assert_bytes_equal (b, tones);
}

/* Without --voice the program speaks real words when it can. */
static void
test_voice_program_default (void)
{
  const gchar *plain[] = { "--render", "Hi 5", NULL };
  const gchar *espeak[] = { "--render", "Hi 5", "--voice=espeak", NULL };
  g_autoptr (GBytes) tones = render ("Hi 5", "pcm_s16le", 44100);
  g_autoptr (GBytes) out = NULL;
  g_autoptr (GBytes) spoken = NULL;
  gint status;

  if (g_getenv ("CARTESIA_EMULATOR_EXE") == NULL) {
    g_test_skip ("CARTESIA_EMULATOR_EXE is not set");
    return;
  }
  out = run_program (plain, &status, NULL);
  g_assert_cmpint (status, ==, 0);
#ifdef HAVE_ESPEAK
  spoken = run_program (espeak, &status, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_bytes_equal (out, spoken));
  g_assert_false (g_bytes_equal (out, tones));
#else
  (void) espeak;
  (void) spoken;
  g_assert_true (g_bytes_equal (out, tones));
#endif
}

/* What a client sends is one JSON value or a 400, on json-glib 1.6 (which
 * read two values back to back as the last one) as on 1.10 (which read them
 * as an array); deep nesting never reaches json-glib's recursion. */
static void
test_json_strict (void)
{
  static const gchar *good[] = { "{}", " {\"a\":[1,\"]}[{\\\"\"]}\r\n",
    "\"s\"", "12.5", "null", "[true,false]" };
  static const gchar *bad[] = { "", " ", "{}{}", "\"error\"{\"error\":\"x\"}",
    "{\"a\":1} {\"a\":2}", "1 2", "1,2", "null{}", "{}x", "}", "{}}",
    "{\"a\":", "\"open", "[1]]" };
  GString *deep = g_string_new (NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (good); i++) {
    JsonNode *node = emu_json_parse (good[i], strlen (good[i]));

    g_assert_nonnull (node);
    json_node_unref (node);
  }
  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_null (emu_json_parse (bad[i], strlen (bad[i])));
  g_assert_null (emu_json_parse (NULL, 0));
  for (i = 0; i < 200000; i++)
    g_string_append_c (deep, '[');
  g_assert_null (emu_json_parse (deep->str, deep->len));
  g_string_free (deep, TRUE);
}

static void
test_http_two_values (Fixture * f, gconstpointer data)
{
  g_autofree gchar *one = sse_request ("x", "pcm_s16le", 8000, NULL);
  g_autofree gchar *two = g_strconcat (one, one, NULL);
  g_autofree gchar *text = NULL;
  HttpResult *r;

  r = http_post (f, "/tts/bytes", "2026-08-14", two);
  g_assert_cmpuint (soup_message_get_status (r->msg), ==, 400);
  text = body_text (r);
  g_assert_nonnull (strstr (text, "must be a JSON object"));
  http_result_free (r);

  r = http_post (f, "/tts/bytes", "2026-08-14", one);
  g_assert_cmpuint (soup_message_get_status (r->msg), ==, 200);
  http_result_free (r);
}

/* ---- the real service's buffering, context expiry and validation ---- */

static gchar *
generated_text (Fixture * f, guint * n)
{
  CartesiaEmulatorTiming *g;
  GString *text = g_string_new (NULL);
  guint i, count;

  g = cartesia_emulator_dup_generations (f->emu, &count);
  for (i = 0; i < count; i++)
    g_string_append (text, g[i].transcript);
  cartesia_emulator_timings_free (g, count);
  if (n)
    *n = count;
  return g_string_free (text, FALSE);
}

static guint
n_generations (Fixture * f)
{
  g_autofree gchar *text = NULL;
  guint n;

  text = generated_text (f, &n);
  return n;
}

static void
test_ws_buffering (Fixture * f, gconstpointer data)
{
  WsClient *c = ws_connect (f, "2026-08-14");
  /* a word cut in two, a sentence end inside the second input */
  g_autofree gchar *r1 = request_json ("c", "Hello, wor", TRUE, "pcm_s16le",
      24000, NULL);
  g_autofree gchar *r2 = request_json ("c", "ld. And", TRUE, "pcm_s16le",
      24000, NULL);
  g_autofree gchar *r3 = request_json ("c", " more", FALSE, "pcm_s16le",
      24000, NULL);
  g_autofree gchar *d1 = request_json ("d", "No sentence end", TRUE,
      "pcm_s16le", 24000, "\"max_buffer_delay_ms\":300");
  g_autoptr (GBytes) expected = render ("Hello, world. And more",
      "pcm_s16le", 24000);
  g_autoptr (GByteArray) audio = NULL;
  CartesiaEmulatorTiming *g;
  guint n;

  /* the default buffer (3000 ms) holds text until a sentence is complete */
  ws_send (c, r1);
  spin_for (200);
  g_assert_cmpuint (n_generations (f), ==, 0);
  g_assert_cmpuint (count_type (c, "c", "chunk"), ==, 0);
  ws_send (c, r2);
  spin_for (200);
  g_assert_cmpuint (n_generations (f), ==, 1);
  /* the final input releases the rest */
  ws_send (c, r3);
  ws_wait_end (c, "c");
  audio = ws_audio (c, "c");
  assert_bytes_equal (audio, expected);
  g = cartesia_emulator_dup_generations (f->emu, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (g[0].transcript, ==, "Hello, world. ");
  g_assert_cmpstr (g[1].transcript, ==, "And more");
  cartesia_emulator_timings_free (g, n);

  /* without a sentence end the text waits for the delay */
  cartesia_emulator_clear_timings (f->emu);
  ws_send (c, d1);
  spin_for (100);
  g_assert_cmpuint (n_generations (f), ==, 0);
  spin_for (1000);
  g = cartesia_emulator_dup_generations (f->emu, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (g[0].transcript, ==, "No sentence end");
  g_assert_cmpint (g[0].first_chunk_us - g[0].received_us, >=, 300 * 1000);
  cartesia_emulator_timings_free (g, n);
  ws_client_free (c);
}

static void
test_ws_buffer_zero (Fixture * f, gconstpointer data)
{
  WsClient *c = ws_connect (f, "2026-08-14");
  g_autofree gchar *r1 = request_json ("c", "Hello, wor", TRUE, "pcm_s16le",
      24000, "\"max_buffer_delay_ms\":0");
  g_autofree gchar *r2 = request_json ("c", "ld", FALSE, "pcm_s16le",
      24000, "\"max_buffer_delay_ms\":0");
  g_autoptr (GPtrArray) flushes = NULL;
  g_autofree gchar *text = NULL;
  guint n;

  /* generated at once, each answered with flush_done */
  ws_send (c, r1);
  spin_for (200);
  g_assert_cmpuint (n_generations (f), ==, 1);
  g_assert_cmpuint (count_type (c, "c", "chunk"), >, 0);
  ws_send (c, r2);
  ws_wait_end (c, "c");
  flushes = ws_messages (c, "c", "flush_done");
  g_assert_cmpuint (flushes->len, ==, 2);
  g_assert_cmpint (int_member (g_ptr_array_index (flushes, 0), "flush_id"),
      ==, 1);
  g_assert_cmpint (int_member (g_ptr_array_index (flushes, 1), "flush_id"),
      ==, 2);
  text = generated_text (f, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (text, ==, "Hello, world");
  ws_client_free (c);
}

static void
test_ws_expiry (Fixture * f, gconstpointer data)
{
  WsClient *c = ws_connect (f, "2026-08-14");
  WsClient *legacy = ws_connect (f, "2025-04-16");
  g_autofree gchar *r1 = request_json ("c", "Hi. ", TRUE, "pcm_s16le",
      24000, "\"max_buffer_delay_ms\":0");
  g_autofree gchar *r2 = request_json ("c", "Late", TRUE, "pcm_s16le",
      24000, "\"max_buffer_delay_ms\":0");
  g_autofree gchar *r3 = request_json ("k", "Hi. ", TRUE, "pcm_s16le",
      24000, "\"max_buffer_delay_ms\":0");
  g_autofree gchar *r4 = request_json ("k", "In time", FALSE, "pcm_s16le",
      24000, "\"max_buffer_delay_ms\":0");
  JsonObject *e;

  set_option (f, "context-expiry-ms", "300");
  ws_send (c, r1);
  ws_send (legacy, r1);
  ws_send (c, r3);
  spin_for (100);
  /* input in time keeps a context open */
  ws_send (c, r4);
  ws_wait_end (c, "k");
  g_assert_cmpuint (count_type (c, "k", "done"), ==, 1);
  g_assert_cmpuint (count_type (c, "k", "error"), ==, 0);

  spin_for (700);
  g_assert_cmpuint (count_type (c, "c", "error"), ==, 0);
  ws_send (c, r2);
  e = ws_first_error (c, "c");
  g_assert_cmpint (int_member (e, "status_code"), ==, 400);
  g_assert_cmpstr (str_member (e, "title"), ==, "Context expired");
  g_assert_nonnull (strstr (str_member (e, "message"), "expired"));
  g_assert_true (json_object_get_boolean_member (e, "done"));
  g_assert_cmpuint (count_type (c, "c", "done"), ==, 0);

  ws_send (legacy, r2);
  e = ws_first_error (legacy, "c");
  g_assert_true (g_str_has_prefix (str_member (e, "error"),
          "Context expired: "));
  ws_client_free (c);
  ws_client_free (legacy);
}

static void
test_validation (Fixture * f, gconstpointer data)
{
  WsClient *c = ws_connect (f, "2026-08-14");
  g_autofree gchar *not_uuid = g_strdup_printf ("{\"model_id\":\"sonic-3\","
      "\"transcript\":\"x\",\"voice\":{\"mode\":\"id\",\"id\":\"my-voice\"},"
      "\"output_format\":{\"container\":\"raw\",\"encoding\":\"pcm_s16le\","
      "\"sample_rate\":8000},\"context_id\":\"v\"}");
  g_autofree gchar *unknown = request_json ("u", "x", FALSE, "pcm_s16le",
      8000, NULL);
  g_autofree gchar *emotion = request_json ("e", "x", FALSE, "pcm_s16le",
      8000, "\"generation_config\":{\"emotion\":\"grumpy\"}");
  g_autofree gchar *calm = request_json ("calm", "x", FALSE, "pcm_s16le",
      8000, "\"generation_config\":{\"emotion\":\"calm\",\"speed\":1.5,"
      "\"volume\":0.5}");
  g_autofree gchar *volume = request_json ("vol", "x", FALSE, "pcm_s16le",
      8000, "\"generation_config\":{\"volume\":2.5}");
  g_autofree gchar *speed = request_json ("sp", "x", FALSE, "pcm_s16le",
      8000, "\"generation_config\":{\"speed\":0.5}");
  g_autofree gchar *body = NULL;
  HttpResult *r;
  JsonObject *e;

  ws_send (c, not_uuid);
  e = ws_first_error (c, "v");
  g_assert_cmpint (int_member (e, "status_code"), ==, 404);
  g_assert_cmpstr (str_member (e, "error_code"), ==, "voice_not_found");
  g_assert_nonnull (strstr (str_member (e, "message"), "my-voice"));

  ws_send (c, calm);
  ws_wait_end (c, "calm");
  g_assert_cmpuint (count_type (c, "calm", "done"), ==, 1);

  g_assert_false (cartesia_emulator_set_option (f->emu, "unknown-voice",
          "not-a-uuid", NULL));
  set_option (f, "unknown-voice", "00A77ADD-48D5-4EF6-8157-71E5437B282D");
  ws_send (c, unknown);
  e = ws_first_error (c, "u");
  g_assert_cmpint (int_member (e, "status_code"), ==, 404);
  g_assert_cmpstr (str_member (e, "title"), ==, "Voice not found");

  r = http_post (f, "/tts/bytes", "2026-08-14", unknown);
  g_assert_cmpuint (soup_message_get_status (r->msg), ==, 404);
  body = g_strndup (g_bytes_get_data (r->body, NULL),
      g_bytes_get_size (r->body));
  g_assert_nonnull (strstr (body, "voice_not_found"));
  http_result_free (r);
  set_option (f, "unknown-voice", "");

  ws_send (c, emotion);
  e = ws_first_error (c, "e");
  g_assert_cmpint (int_member (e, "status_code"), ==, 400);
  g_assert_nonnull (strstr (str_member (e, "message"), "grumpy"));
  ws_send (c, volume);
  e = ws_first_error (c, "vol");
  g_assert_cmpint (int_member (e, "status_code"), ==, 400);
  ws_send (c, speed);
  e = ws_first_error (c, "sp");
  g_assert_cmpint (int_member (e, "status_code"), ==, 400);
  ws_client_free (c);
}

static void
test_tags (Fixture * f, gconstpointer data)
{
  WsClient *c = ws_connect (f, "2026-08-14");
  g_autofree gchar *whole = request_json ("w",
      "Hi <break time=\\\"1s\\\"/>there", FALSE, "pcm_s16le", 8000, NULL);
  g_autofree gchar *cut1 = request_json ("s", "Hi <break ti", TRUE,
      "pcm_s16le", 8000, "\"max_buffer_delay_ms\":0");
  g_autofree gchar *cut2 = request_json ("s", "me=\\\"1s\\\"/>there", FALSE,
      "pcm_s16le", 8000, "\"max_buffer_delay_ms\":0");
  g_autoptr (GBytes) spoken = render ("Hi there", "pcm_s16le", 8000);
  g_autoptr (GBytes) read_aloud = render ("Hi <break time=\"1s\"/>there",
      "pcm_s16le", 8000);
  g_autoptr (GByteArray) a = NULL;
  g_autoptr (GByteArray) b = NULL;

  /* a whole tag is an instruction; a tag cut in two is read aloud */
  ws_send (c, whole);
  ws_wait_end (c, "w");
  a = ws_audio (c, "w");
  assert_bytes_equal (a, spoken);
  ws_send (c, cut1);
  ws_send (c, cut2);
  ws_wait_end (c, "s");
  b = ws_audio (c, "s");
  assert_bytes_equal (b, read_aloud);
  ws_client_free (c);
}

/* ---- runtime control: request ids, phonemes, the voice's style ---- */

#define UUID_A "a0e99841-438c-4a64-b679-ae501e7d6091"
#define UUID_B "79a125e8-cd45-4c13-8a67-188112f4dd22"

static gboolean
emulator_gave_id (Fixture * f, const gchar * id)
{
  g_auto (GStrv) ids = cartesia_emulator_dup_request_ids (f->emu);

  return id && g_strv_contains ((const gchar * const *) ids, id);
}

/* Every answer names its request in X-Request-Id, like the real service:
 * websocket handshakes (refused ones too), SSE and bytes answers, HTTP
 * errors. */
static void
test_request_ids (Fixture * f, gconstpointer data)
{
  g_autofree gchar *body = sse_request ("Hi", "pcm_s16le", 16000, NULL);
  WsClient *c = ws_connect (f, "2026-08-14");
  WsClient *refused;
  g_autofree gchar *id = NULL;
  const gchar *id2;
  HttpResult *r;

  /* A copy: the answer goes with its client. */
  id = g_strdup (soup_message_headers_get_one
      (soup_message_get_response_headers (c->msg), "X-Request-Id"));
  g_assert_nonnull (id);
  g_assert_true (g_str_has_prefix (id, "req_"));
  g_assert_true (emulator_gave_id (f, id));
  ws_client_free (c);

  refused = ws_connect_full (f, "?cartesia_version=2026-08-14",
      "Authorization", "Bearer wrong");
  g_assert_null (refused->ws);
  id2 = soup_message_headers_get_one (soup_message_get_response_headers
      (refused->msg), "X-Request-Id");
  g_assert_true (emulator_gave_id (f, id2));
  g_assert_cmpstr (id, !=, id2);
  ws_client_free (refused);

  r = http_post (f, "/tts/sse", "2026-08-14", body);
  g_assert_cmpuint (soup_message_get_status (r->msg), ==, 200);
  g_assert_true (emulator_gave_id (f, soup_message_headers_get_one
          (soup_message_get_response_headers (r->msg), "X-Request-Id")));
  http_result_free (r);
  r = http_post (f, "/tts/bytes", "2026-08-14", "{\"transcript\":1}");
  g_assert_cmpuint (soup_message_get_status (r->msg), ==, 400);
  g_assert_true (emulator_gave_id (f, soup_message_headers_get_one
          (soup_message_get_response_headers (r->msg), "X-Request-Id")));
  http_result_free (r);
}

/* add_phoneme_timestamps: the letters of each word, each its share of the
 * word's time (with the synthetic voice, its tone's 50 ms exactly). */
static void
test_phoneme_timestamps (Fixture * f, gconstpointer data)
{
  g_autofree gchar *req = request_json ("ph", "Hi yo!", FALSE, "pcm_s16le",
      16000, "\"add_phoneme_timestamps\":true");
  static const gchar *expected[] = { "h", "i", "y", "o" };
  static const guint chars[] = { 0, 1, 3, 4 };
  g_autoptr (GPtrArray) msgs = NULL;
  JsonObject *pt;
  JsonArray *p, *s, *e;
  WsClient *c;
  guint i;

  c = ws_connect (f, "2026-08-14");
  ws_send (c, req);
  ws_wait_end (c, "ph");
  msgs = ws_messages (c, "ph", "phoneme_timestamps");
  g_assert_cmpuint (msgs->len, ==, 1);
  pt = json_object_get_object_member (g_ptr_array_index (msgs, 0),
      "phoneme_timestamps");
  p = json_object_get_array_member (pt, "phonemes");
  s = json_object_get_array_member (pt, "start");
  e = json_object_get_array_member (pt, "end");
  g_assert_cmpuint (json_array_get_length (p), ==, 4);
  for (i = 0; i < 4; i++) {
    g_assert_cmpstr (json_array_get_string_element (p, i), ==, expected[i]);
    g_assert_cmpfloat (fabs (json_array_get_double_element (s, i) -
            chars[i] * 0.05), <, 1e-9);
    g_assert_cmpfloat (fabs (json_array_get_double_element (e, i) -
            (chars[i] + 1) * 0.05), <, 1e-9);
  }
  /* Not asked for: none. */
  g_assert_cmpuint (count_type (c, "ph", "timestamps"), ==, 0);
  ws_client_free (c);
}

static GByteArray *
sse_styled (Fixture * f, const gchar * text, const gchar * voice,
    const gchar * config)
{
  g_autofree gchar *body = g_strdup_printf ("{\"model_id\":\"sonic-3\","
      "\"transcript\":\"%s\",\"voice\":\"%s\",\"output_format\":"
      "{\"container\":\"raw\",\"encoding\":\"pcm_s16le\","
      "\"sample_rate\":16000}%s%s}", text, voice, config ? "," : "",
      config ? config : "");
  GByteArray *audio = g_byte_array_new ();
  g_autoptr (GPtrArray) events = NULL;
  g_autofree gchar *reply = NULL;
  HttpResult *r;
  guint i;

  r = http_post (f, "/tts/sse", "2026-08-14", body);
  g_assert_cmpuint (soup_message_get_status (r->msg), ==, 200);
  reply = body_text (r);
  events = sse_parse (reply);
  for (i = 0; i < events->len; i++) {
    SseEvent *e = g_ptr_array_index (events, i);

    if (e->data && is_type (e->data, "chunk"))
      append_base64 (audio, str_member (e->data, "data"));
  }
  http_result_free (r);
  return audio;
}

static gdouble
rms (GByteArray * a)
{
  gdouble sum = 0.0;
  gsize i, n = a->len / 2;

  for (i = 0; i < n; i++) {
    gint16 v = (gint16) GUINT16_FROM_LE (((guint16 *) a->data)[i]);

    sum += (gdouble) v * v;
  }
  return n ? sqrt (sum / n) : 0.0;
}

/* The espeak voice hears the settings: speed shortens the speech, volume
 * makes it louder, voice ids pick distinct voices; the synthetic voice
 * stays byte-exact whatever they say. */
static void
test_voice_style (Fixture * f, gconstpointer data)
{
  const gchar *text = "The settings can be heard now.";
  g_autoptr (GByteArray) plain = NULL, fast = NULL, slow = NULL;
  g_autoptr (GByteArray) loud = NULL, other = NULL, tones = NULL;
  g_autoptr (GBytes) expected = render (text, "pcm_s16le", 16000);

  tones = sse_styled (f, text, UUID_A, "\"generation_config\":"
      "{\"speed\":1.5,\"volume\":2.0}");
  assert_bytes_equal (tones, expected);
#ifndef HAVE_ESPEAK
  g_test_skip ("built without libespeak-ng");
  return;
#endif
  set_option (f, "voice", "espeak");
  g_assert_cmpstr (emu_synth_espeak_voice (UUID_A), !=,
      emu_synth_espeak_voice (UUID_B));
  g_assert_cmpstr (emu_synth_espeak_voice ("a0e99841"), ==, "en-us");
  plain = sse_styled (f, text, UUID_A, NULL);
  fast = sse_styled (f, text, UUID_A, "\"generation_config\":"
      "{\"speed\":1.5}");
  slow = sse_styled (f, text, UUID_A, "\"generation_config\":"
      "{\"speed\":0.6}");
  loud = sse_styled (f, text, UUID_A, "\"generation_config\":"
      "{\"volume\":2.0}");
  other = sse_styled (f, text, UUID_B, NULL);
  g_test_message ("samples: plain %u fast %u slow %u; rms plain %.0f loud "
      "%.0f", plain->len / 2, fast->len / 2, slow->len / 2, rms (plain),
      rms (loud));
  g_assert_cmpuint (fast->len, <, plain->len * 0.8);
  g_assert_cmpuint (slow->len, >, plain->len * 1.3);
  g_assert_cmpfloat (rms (loud), >, rms (plain) * 1.4);
  g_assert_false (plain->len == other->len && memcmp (plain->data,
          other->data, plain->len) == 0);

  /* Each of the voices speaks (none falls back to the tones), and each
   * differently: an id for each of the four. */
  {
    const gchar *ids[] = { UUID_A, UUID_B,
      "694f9389-aac1-45b6-b726-9d9369183238",
      "00a77add-48d5-4ef6-8157-71e5437b282d"
    };
    GByteArray *out[4];
    guint i, j;

    for (i = 0; i < 4; i++) {
      out[i] = sse_styled (f, text, ids[i], NULL);
      g_assert_false (out[i]->len == g_bytes_get_size (expected)
          && memcmp (out[i]->data, g_bytes_get_data (expected, NULL),
              out[i]->len) == 0);
      for (j = 0; j < i; j++) {
        g_assert_cmpstr (emu_synth_espeak_voice (ids[i]), !=,
            emu_synth_espeak_voice (ids[j]));
        g_assert_false (out[i]->len == out[j]->len
            && memcmp (out[i]->data, out[j]->data, out[i]->len) == 0);
      }
    }
    for (i = 0; i < 4; i++)
      g_byte_array_unref (out[i]);
  }
}

#define ADD(name, func, key) \
  g_test_add (name, Fixture, key, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/emulator/render", test_render);
  g_test_add_func ("/emulator/g711", test_g711);
  g_test_add_func ("/emulator/options", test_options);
  g_test_add_func ("/emulator/json-strict", test_json_strict);
  ADD ("/emulator/root", test_root, NULL);
  ADD ("/emulator/ws/auth", test_ws_auth, NULL);
  ADD ("/emulator/ws/any-key", test_any_key, "");
  ADD ("/emulator/ws/generation", test_ws_generation, NULL);
  ADD ("/emulator/ws/continuation", test_ws_continuation, NULL);
  ADD ("/emulator/ws/interleaved", test_ws_interleaved, NULL);
  ADD ("/emulator/ws/flush", test_ws_flush, NULL);
  ADD ("/emulator/ws/cancel", test_ws_cancel, NULL);
  ADD ("/emulator/ws/errors", test_ws_errors, NULL);
  ADD ("/emulator/ws/idle", test_ws_idle, NULL);
  ADD ("/emulator/ws/stall", test_ws_stall, NULL);
  ADD ("/emulator/ws/drop", test_ws_drop, NULL);
  ADD ("/emulator/ws/error-after", test_ws_error_after, NULL);
  ADD ("/emulator/ws/malformed", test_ws_malformed, NULL);
  ADD ("/emulator/ws/limits", test_ws_limits, NULL);
  ADD ("/emulator/http-status", test_ws_http_status, NULL);
  ADD ("/emulator/sse", test_sse, NULL);
  ADD ("/emulator/sse/error-and-drop", test_sse_error_and_drop, NULL);
  ADD ("/emulator/http/errors", test_http_errors, NULL);
  ADD ("/emulator/http/two-values", test_http_two_values, NULL);
  ADD ("/emulator/bytes", test_bytes, NULL);
  ADD ("/emulator/ws/pacing", test_pacing, NULL);
  ADD ("/emulator/ws/buffering", test_ws_buffering, NULL);
  ADD ("/emulator/ws/buffer-zero", test_ws_buffer_zero, NULL);
  ADD ("/emulator/ws/expiry", test_ws_expiry, NULL);
  ADD ("/emulator/validation", test_validation, NULL);
  ADD ("/emulator/ws/tags", test_tags, NULL);
  g_test_add_func ("/emulator/program", test_program);
  g_test_add_func ("/emulator/program/tls", test_program_tls);
  g_test_add_func ("/emulator/voice/option", test_voice_option);
  g_test_add_func ("/emulator/voice/program-default",
      test_voice_program_default);
  ADD ("/emulator/voice/espeak", test_voice_espeak, NULL);
  ADD ("/emulator/voice/switch", test_voice_switch, NULL);
  g_test_add_func ("/emulator/free-busy", test_free_busy);
  ADD ("/emulator/request-ids", test_request_ids, NULL);
  ADD ("/emulator/phoneme-timestamps", test_phoneme_timestamps, NULL);
  ADD ("/emulator/voice/style", test_voice_style, NULL);

  return g_test_run ();
}
