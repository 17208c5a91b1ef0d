/* cartesia-bench: the baseline, a bare minimal client of the same endpoint.
 *
 * Everything a client cannot skip and nothing more: libsoup 3 on one thread
 * (any number of clients share it), one json-glib parse per message, the
 * chunk's base64 decoded into a reused buffer.  No queue, no second thread,
 * no GStreamer: what the element adds is measured against this. */
#include "bench.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#define API_VERSION "2025-04-16"
#define VOICE_ID "694f9389-aac1-45b6-b726-9d9369183238"

struct _BareLoop
{
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
};

struct _BareClient
{
  BareLoop *loop;
  gchar *base_url;
  gboolean sse;
  gchar *encoding;
  gint rate;
  guint serial;

  /* loop thread only */
  SoupSession *session;
  SoupWebsocketConnection *ws;
  JsonParser *parser;
  guint8 *audio;                /* decoding buffer, reused */
  gsize audio_size;
  gint64 cpu_start;
  GPtrArray *retired;           /* a cold run's session and socket */

  /* SSE */
  SoupMessage *msg;
  GInputStream *stream;
  GString *lines;
  guint8 readbuf[16384];
  Utt *pending;                 /* waits for the previous response's end */
  gboolean pending_cold;

  /* bare_client_set_handoff (): each decoded chunk is copied and handed to
   * a consumer thread, as the element hands audio to its streaming thread */
  GAsyncQueue *handoff;
  GThread *consumer;

  /* under utt_lock () */
  Utt *utt;
  gboolean connected;
  gboolean connect_failed;
};

/* ---- the loop ---- */

static gpointer
loop_thread (gpointer data)
{
  BareLoop *l = data;

  g_main_context_push_thread_default (l->context);
  g_main_loop_run (l->loop);
  g_main_context_pop_thread_default (l->context);
  return NULL;
}

BareLoop *
bare_loop_new (void)
{
  BareLoop *l = g_new0 (BareLoop, 1);

  l->context = g_main_context_new ();
  l->loop = g_main_loop_new (l->context, FALSE);
  l->thread = g_thread_new ("bare-client", loop_thread, l);
  return l;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
run_in_loop (BareLoop * l, GSourceFunc func, gpointer data)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, l->context);
  g_source_unref (source);
}

void
bare_loop_free (BareLoop * l)
{
  run_in_loop (l, quit_cb, l->loop);
  g_thread_join (l->thread);
  /* let finished operations drop their references */
  while (g_main_context_iteration (l->context, FALSE));
  g_main_loop_unref (l->loop);
  g_main_context_unref (l->context);
  g_free (l);
}

/* ---- audio in ---- */

static void
fail (BareClient * c, const gchar * why)
{
  g_printerr ("bare client: %s\n", why);
  utt_lock ();
  if (c->utt)
    c->utt->failed = TRUE;
  c->connect_failed = TRUE;
  utt_signal ();
  utt_unlock ();
}

typedef struct
{
  gsize len;
  guint8 *data;                 /* NULL: stop */
} Handed;

static gpointer
consumer_thread (gpointer data)
{
  BareClient *c = data;
  Handed *h;

  while ((h = g_async_queue_pop (c->handoff))->data) {
    gint64 now = g_get_monotonic_time ();

    utt_lock ();
    if (c->utt && !c->utt->done_us)
      utt_add_audio (c->utt, now, h->len);
    utt_unlock ();
    g_free (h->data);
    g_free (h);
  }
  g_free (h);
  return NULL;
}

void
bare_client_set_handoff (BareClient * c)
{
  g_return_if_fail (c->handoff == NULL);
  c->handoff = g_async_queue_new ();
  c->consumer = g_thread_new ("bare-consumer", consumer_thread, c);
}

static void
deliver (BareClient * c, gsize len)
{
  gint64 now = g_get_monotonic_time ();

  if (c->handoff) {
    Handed *h = g_new (Handed, 1);

    h->len = len;
    h->data = g_memdup2 (c->audio, MAX (len, 1));
    g_async_queue_push (c->handoff, h);
    return;
  }
  utt_lock ();
  if (c->utt && !c->utt->done_us) {
    utt_add_audio (c->utt, now, len);
    if (c->utt->done_us)
      c->utt->cpu_ns = thread_cpu_ns () - c->cpu_start;
  }
  utt_unlock ();
}

static void
handle_json (BareClient * c, const gchar * data, gsize len)
{
  JsonNode *root;
  JsonObject *obj;
  const gchar *type, *b64;
  gsize n, out;
  gint state = 0;
  guint save = 0;

  if (!json_parser_load_from_data (c->parser, data, len, NULL)
      || (root = json_parser_get_root (c->parser)) == NULL
      || !JSON_NODE_HOLDS_OBJECT (root)) {
    fail (c, "a message that is not a JSON object");
    return;
  }
  obj = json_node_get_object (root);
  type = json_object_get_string_member_with_default (obj, "type", "");
  if (strcmp (type, "chunk") == 0) {
    b64 = json_object_get_string_member_with_default (obj, "data", "");
    n = strlen (b64);
    if (n / 4 * 3 + 3 > c->audio_size) {
      c->audio_size = n / 4 * 3 + 3;
      c->audio = g_realloc (c->audio, c->audio_size);
    }
    out = g_base64_decode_step (b64, n, c->audio, &state, &save);
    deliver (c, out);
  } else if (strcmp (type, "error") == 0) {
    fail (c, "the server sent an error");
  }
}

static void
on_ws_message (SoupWebsocketConnection * ws, gint type, GBytes * message,
    BareClient * c)
{
  gsize len;
  const gchar *data = g_bytes_get_data (message, &len);

  handle_json (c, data, len);
}

/* ---- requests ---- */

static gchar *
build_request (BareClient * c, const gchar * transcript)
{
  g_autofree gchar *escaped = g_strescape (transcript, NULL);

  c->serial++;
  if (c->sse)
    return g_strdup_printf ("{\"model_id\":\"sonic-3\",\"transcript\":\"%s\","
        "\"voice\":{\"mode\":\"id\",\"id\":\"" VOICE_ID "\"},"
        "\"output_format\":{\"container\":\"raw\",\"encoding\":\"%s\","
        "\"sample_rate\":%d},\"language\":\"en\"}", escaped, c->encoding,
        c->rate);
  return g_strdup_printf ("{\"model_id\":\"sonic-3\",\"transcript\":\"%s\","
      "\"voice\":{\"mode\":\"id\",\"id\":\"" VOICE_ID "\"},"
      "\"output_format\":{\"container\":\"raw\",\"encoding\":\"%s\","
      "\"sample_rate\":%d},\"language\":\"en\",\"context_id\":\"bare-%p-%u\","
      "\"continue\":false}", escaped, c->encoding, c->rate, c, c->serial);
}

static SoupMessage *
new_message (BareClient * c, const gchar * method, const gchar * path)
{
  g_autofree gchar *url = g_strconcat (c->base_url, path, NULL);
  SoupMessage *msg;

  if (!c->sse && g_str_has_prefix (url, "http"))
    memcpy (url, "ws", 2), memmove (url + 2, url + 4, strlen (url + 4) + 1);
  msg = soup_message_new (method, url);
  soup_message_headers_replace (soup_message_get_request_headers (msg),
      "Authorization", "Bearer bench");
  soup_message_headers_replace (soup_message_get_request_headers (msg),
      "Cartesia-Version", API_VERSION);
  return msg;
}

static void sse_start (BareClient * c, Utt * u, gboolean cold);

static void
sse_finish_response (BareClient * c)
{
  Utt *next = g_steal_pointer (&c->pending);

  if (c->stream)
    g_input_stream_close (c->stream, NULL, NULL);
  g_clear_object (&c->stream);
  g_clear_object (&c->msg);
  g_string_truncate (c->lines, 0);
  if (next)
    sse_start (c, next, c->pending_cold);
}

static void
sse_take_lines (BareClient * c)
{
  gchar *start = c->lines->str, *eol;

  while ((eol = memchr (start, '\n', c->lines->str + c->lines->len - start))) {
    *eol = '\0';
    if (g_str_has_prefix (start, "data:")) {
      const gchar *json = start + 5;

      while (*json == ' ')
        json++;
      handle_json (c, json, eol - json);
    }
    start = eol + 1;
  }
  g_string_erase (c->lines, 0, start - c->lines->str);
}

static void
on_sse_read (GObject * source, GAsyncResult * res, gpointer data)
{
  BareClient *c = data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), res, NULL);

  if (n <= 0) {
    sse_finish_response (c);
    return;
  }
  g_string_append_len (c->lines, (const gchar *) c->readbuf, n);
  sse_take_lines (c);
  g_input_stream_read_async (c->stream, c->readbuf, sizeof c->readbuf,
      G_PRIORITY_DEFAULT, NULL, on_sse_read, c);
}

static void
on_sse_sent (GObject * source, GAsyncResult * res, gpointer data)
{
  BareClient *c = data;
  g_autoptr (GError) error = NULL;

  c->stream = soup_session_send_finish (SOUP_SESSION (source), res, &error);
  if (c->stream == NULL || soup_message_get_status (c->msg) != 200) {
    fail (c, error ? error->message : "SSE request refused");
    sse_finish_response (c);
    return;
  }
  g_input_stream_read_async (c->stream, c->readbuf, sizeof c->readbuf,
      G_PRIORITY_DEFAULT, NULL, on_sse_read, c);
}

static void
on_network_event (SoupMessage * msg, GSocketClientEvent event,
    GIOStream * connection, BareClient * c)
{
  if (event != G_SOCKET_CLIENT_COMPLETE)
    return;
  utt_lock ();
  if (c->utt && c->utt->handshake_us == 0)
    c->utt->handshake_us = g_get_monotonic_time () - c->utt->t0_us;
  utt_unlock ();
}

static void
retire_session (BareClient * c)
{
  if (c->ws)
    g_ptr_array_add (c->retired, g_steal_pointer (&c->ws));
  if (c->session)
    g_ptr_array_add (c->retired, g_steal_pointer (&c->session));
}

static void
sse_start (BareClient * c, Utt * u, gboolean cold)
{
  g_autofree gchar *body = NULL;
  gint64 t0;

  if (c->msg) {
    /* one request at a time, on the kept-alive connection */
    c->pending = u;
    c->pending_cold = cold;
    return;
  }
  t0 = g_get_monotonic_time ();
  utt_lock ();
  c->utt = u;
  u->t0_us = t0;
  utt_unlock ();
  c->cpu_start = thread_cpu_ns ();
  if (cold) {
    g_ptr_array_set_size (c->retired, 0);
    retire_session (c);
    c->session = soup_session_new ();
  }
  body = build_request (c, u->transcript);
  c->msg = new_message (c, SOUP_METHOD_POST, "/tts/sse");
  soup_message_headers_replace (soup_message_get_request_headers (c->msg),
      "Accept", "text/event-stream");
  soup_message_set_request_body_from_bytes (c->msg, "application/json",
      g_bytes_new_take (g_steal_pointer (&body), strlen (body)));
  if (cold)
    g_signal_connect (c->msg, "network-event", G_CALLBACK (on_network_event),
        c);
  soup_session_send_async (c->session, c->msg, G_PRIORITY_DEFAULT, NULL,
      on_sse_sent, c);
}

static void
ws_send (BareClient * c, Utt * u)
{
  g_autofree gchar *request = build_request (c, u->transcript);

  soup_websocket_connection_send_text (c->ws, request);
}

static void
on_ws_connected (GObject * source, GAsyncResult * res, gpointer data)
{
  BareClient *c = data;
  g_autoptr (GError) error = NULL;
  Utt *u;

  c->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), res,
      &error);
  if (c->ws == NULL) {
    fail (c, error->message);
    return;
  }
  soup_websocket_connection_set_max_incoming_payload_size (c->ws,
      16 * 1024 * 1024);
  soup_websocket_connection_set_keepalive_interval (c->ws, 0);
  g_signal_connect (c->ws, "message", G_CALLBACK (on_ws_message), c);

  utt_lock ();
  c->connected = TRUE;
  u = c->utt;
  if (u && u->handshake_us == 0)
    u->handshake_us = g_get_monotonic_time () - u->t0_us;
  utt_signal ();
  utt_unlock ();
  if (u && !u->done_us)
    ws_send (c, u);             /* a cold run */
}

static void
ws_connect (BareClient * c)
{
  g_autoptr (SoupMessage) msg = new_message (c, SOUP_METHOD_GET,
      "/tts/websocket");

  soup_session_websocket_connect_async (c->session, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, NULL, on_ws_connected, c);
}

/* ---- the public side ---- */

typedef struct
{
  BareClient *c;
  Utt *u;
  gboolean cold;
} Say;

static gboolean
do_say (gpointer data)
{
  Say *say = data;
  BareClient *c = say->c;
  Utt *u = say->u;

  if (c->sse) {
    sse_start (c, u, say->cold);
  } else if (say->cold) {
    gint64 t0 = g_get_monotonic_time ();

    utt_lock ();
    c->utt = u;
    u->t0_us = t0;
    c->connected = FALSE;
    utt_unlock ();
    c->cpu_start = thread_cpu_ns ();
    g_ptr_array_set_size (c->retired, 0);
    if (c->ws)
      soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL,
          NULL);
    retire_session (c);
    c->session = soup_session_new ();
    ws_connect (c);
  } else {
    gint64 t0 = g_get_monotonic_time ();

    utt_lock ();
    c->utt = u;
    u->t0_us = t0;
    utt_unlock ();
    c->cpu_start = thread_cpu_ns ();
    ws_send (c, u);
  }
  g_free (say);
  return G_SOURCE_REMOVE;
}

void
bare_client_say (BareClient * c, Utt * u, gboolean cold)
{
  Say *say = g_new0 (Say, 1);

  say->c = c;
  say->u = u;
  say->cold = cold;
  run_in_loop (c->loop, do_say, say);
}

static gboolean
do_connect (gpointer data)
{
  BareClient *c = data;

  if (!c->sse)
    ws_connect (c);
  return G_SOURCE_REMOVE;
}

gboolean
bare_client_connect (BareClient * c)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gboolean ok;

  if (c->sse) {
    /* a first request opens the connection that later ones reuse */
    Utt *u = utt_new ("Hi.", 1, FALSE);

    bare_client_say (c, u, FALSE);
    utt_lock ();
    ok = utt_wait (u, deadline);
    /* The rest of its response must not be counted into freed memory. */
    if (c->utt == u)
      c->utt = NULL;
    utt_unlock ();
    if (ok)
      utt_free (u);               /* else the loop may still take it up */
    /* let the response end, so the connection is back in the pool */
    g_usleep (20000);
    return ok;
  }
  run_in_loop (c->loop, do_connect, c);
  utt_lock ();
  while (!c->connected && !c->connect_failed)
    if (!utt_wait_until (deadline))
      break;
  ok = c->connected;
  utt_unlock ();
  return ok;
}

BareClient *
bare_client_new (BareLoop * loop, const gchar * base_url, gboolean sse,
    const gchar * encoding, gint rate)
{
  BareClient *c = g_new0 (BareClient, 1);

  c->loop = loop;
  c->base_url = g_strdup (base_url);
  c->sse = sse;
  c->encoding = g_strdup (encoding);
  c->rate = rate;
  c->session = soup_session_new ();
  c->parser = json_parser_new ();
  c->lines = g_string_new (NULL);
  c->retired = g_ptr_array_new_with_free_func (g_object_unref);
  return c;
}

static gboolean
do_free (gpointer data)
{
  BareClient *c = data;

  if (c->ws && soup_websocket_connection_get_state (c->ws) ==
      SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  if (c->ws)
    g_signal_handlers_disconnect_by_data (c->ws, c);
  g_clear_object (&c->ws);
  if (c->stream)
    g_input_stream_close (c->stream, NULL, NULL);
  g_clear_object (&c->stream);
  g_clear_object (&c->msg);
  g_clear_object (&c->session);
  g_clear_object (&c->parser);
  g_ptr_array_unref (c->retired);
  g_string_free (c->lines, TRUE);
  g_free (c->audio);
  g_free (c->base_url);
  g_free (c->encoding);
  utt_lock ();
  c->utt = NULL;
  c->connected = FALSE;
  utt_signal ();
  utt_unlock ();
  return G_SOURCE_REMOVE;
}

void
bare_client_free (BareClient * c)
{
  if (c == NULL)
    return;
  utt_lock ();
  c->connected = TRUE;          /* do_free clears it when done */
  utt_unlock ();
  run_in_loop (c->loop, do_free, c);
  utt_lock ();
  while (c->connected)
    utt_wait_until (G_MAXINT64);
  utt_unlock ();
  if (c->handoff) {
    g_async_queue_push (c->handoff, g_new0 (Handed, 1));
    g_thread_join (c->consumer);
    g_async_queue_unref (c->handoff);
  }
  g_free (c);
}
