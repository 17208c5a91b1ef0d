/* cartesiattssrc: share-connection, one WebSocket for the elements of a
 * process that have the same connection settings.
 *
 * Each test starts its own emulator(s) on a free loopback port and counts the
 * WebSocket handshakes the emulator accepted.  Every element runs in its own
 * pipeline; the pipelines stay in PLAYING until every one of them is done, so
 * that a socket is never closed and reopened between two of them.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "cartesia-test-utils.h"

/* It installs a GStreamer log function: ASan must unwind fully. */
#include "cartesia-asan-full-unwind.h"

#define S16_CAPS "audio/x-raw, format=S16LE, layout=interleaved, channels=1, " \
  "rate=44100"
/* 43 characters: 2.15 s of speech. */
#define LONG_TEXT "The quick brown fox jumps over the lazy dog"
#define OTHER_KEY "sk_car_other_key_5555555555"

static const gchar *const texts[] = {
  "Hello world", "Good evening", "Shared sockets", "One two three",
  "Four five six", "Seven eight", "Nine ten eleven", "Twelve thirteen",
};

/* ---- one element in its own pipeline, run alongside others ---- */

typedef struct
{
  GstElement *src;              /* owned by the pipeline */
  GstElement *pipeline;
  gchar *text;
  TestRun run;
  gulong handler;
  GMutex lock;                  /* guards run.audio and run.buffers */
} Player;

static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, Player * p)
{
  GstMapInfo map;

  g_mutex_lock (&p->lock);
  gst_buffer_map (buf, &map, GST_MAP_READ);
  g_byte_array_append (p->run.audio, map.data, map.size);
  gst_buffer_unmap (buf, &map);
  g_ptr_array_add (p->run.buffers, gst_buffer_ref (buf));
  g_mutex_unlock (&p->lock);
}

static gsize
player_bytes (Player * p)
{
  gsize n;

  g_mutex_lock (&p->lock);
  n = p->run.audio->len;
  g_mutex_unlock (&p->lock);
  return n;
}

/* An element speaking @text, with share-connection=@share. */
static Player *
player_new (CartesiaEmulator * emu, const gchar * text, gboolean share)
{
  Player *p = g_new0 (Player, 1);
  GstElement *sink;

  g_mutex_init (&p->lock);
  p->text = g_strdup (text);
  p->src = test_make_src (emu, text);
  g_object_set (p->src, "share-connection", share, NULL);
  p->pipeline = test_pipeline_new (p->src, S16_CAPS);
  test_run_init (&p->run);
  sink = gst_bin_get_by_name (GST_BIN (p->pipeline), "sink");
  p->handler = g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), p);
  gst_object_unref (sink);
  return p;
}

static void
player_start (Player * p)
{
  p->run.state_change = gst_element_set_state (p->pipeline,
      GST_STATE_PLAYING);
  fail_if (p->run.state_change == GST_STATE_CHANGE_FAILURE);
}

/* Waits for EOS or an error on @p's bus. */
static void
player_wait (Player * p, guint timeout_s)
{
  GstBus *bus = gst_element_get_bus (p->pipeline);
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_TIME_SPAN_SECOND;

  while (!p->run.eos && p->run.error == NULL) {
    gint64 now = g_get_monotonic_time ();
    GstMessage *msg;

    fail_unless (now < deadline, "'%s': no EOS nor error after %u s",
        p->text, timeout_s);
    msg = gst_bus_timed_pop_filtered (bus, (deadline - now) * GST_USECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    if (msg == NULL)
      continue;
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS)
      p->run.eos = TRUE;
    else
      gst_message_parse_error (msg, &p->run.error, &p->run.error_debug);
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
}

static void
player_assert_audio (Player * p)
{
  gsize len;
  guint8 *expected = test_render (p->text, 44100, &len);

  fail_unless (p->run.error == NULL, "'%s': unexpected error: %s", p->text,
      p->run.error ? p->run.error->message : "");
  test_assert_audio (&p->run, expected, len, 44100, 2);
  g_free (expected);
}

/* The element's own stats. */
static void
player_stats (Player * p, guint * connections, guint64 * bytes)
{
  GstStructure *stats = NULL;

  g_object_get (p->src, "stats", &stats, NULL);
  fail_unless (stats != NULL);
  fail_unless (gst_structure_get_uint (stats, "connections", connections));
  fail_unless (gst_structure_get_uint64 (stats, "bytes-received", bytes));
  gst_structure_free (stats);
}

static void
player_stop (Player * p)
{
  fail_unless_equals_int (test_set_state_bounded (p->pipeline,
          GST_STATE_NULL, 5000), GST_STATE_CHANGE_SUCCESS);
}

static void
player_free (Player * p)
{
  GstElement *sink = gst_bin_get_by_name (GST_BIN (p->pipeline), "sink");

  player_stop (p);
  g_signal_handler_disconnect (sink, p->handler);
  gst_object_unref (sink);
  test_destroyed_on_unref (p->pipeline);
  test_run_clear (&p->run);
  g_mutex_clear (&p->lock);
  g_free (p->text);
  g_free (p);
}

/* Runs @n elements at once, each with its own text, and checks that each
 * got exactly its own audio.  Returns the handshakes the emulator accepted
 * while they ran. */
static guint
run_together (CartesiaEmulator * emu, guint n, gboolean share)
{
  Player *players[G_N_ELEMENTS (texts)];
  guint i, connections;

  fail_unless (n <= G_N_ELEMENTS (texts));
  for (i = 0; i < n; i++)
    players[i] = player_new (emu, texts[i], share);
  for (i = 0; i < n; i++)
    player_start (players[i]);
  for (i = 0; i < n; i++)
    player_wait (players[i], 60);
  /* All of them are done, none has stopped: the socket(s) are all there. */
  connections = test_emulator_stats (emu).ws_connections;
  for (i = 0; i < n; i++) {
    guint element_connections;
    guint64 bytes;

    player_assert_audio (players[i]);
    player_stats (players[i], &element_connections, &bytes);
    /* Its own audio only, and the one socket it used. */
    fail_unless_equals_uint64 (bytes, players[i]->run.audio->len);
    fail_unless_equals_int (element_connections, 1);
  }
  for (i = 0; i < n; i++)
    player_free (players[i]);
  return connections;
}

/* ---- the tests ---- */

GST_START_TEST (test_two_share_one_socket)
{
  CartesiaEmulator *emu = test_emulator_new ();
  CartesiaEmulatorStats stats;

  /* Paced as if real: the utterances overlap on the socket. */
  test_emulator_set (emu, "pacing", "realtime");
  fail_unless_equals_int (run_together (emu, 2, TRUE), 1);
  stats = test_emulator_stats (emu);
  fail_unless_equals_int (stats.contexts_started, 2);
  fail_unless_equals_int (stats.contexts_done, 2);
  /* The last one out closed it, cleanly. */
  fail_unless (test_emulator_wait_closed (emu, 3000, &stats));
  fail_unless_equals_int (stats.ws_client_closes, 1);
  fail_unless_equals_int (stats.ws_client_close_code, 1000);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

GST_START_TEST (test_eight_share_one_socket)
{
  CartesiaEmulator *emu = test_emulator_new ();
  CartesiaEmulatorStats stats;

  test_emulator_set (emu, "pacing", "realtime");
  /* Small chunks: the contexts interleave finely. */
  test_emulator_set (emu, "chunk-bytes", "1001");
  fail_unless_equals_int (run_together (emu, 8, TRUE), 1);
  stats = test_emulator_stats (emu);
  fail_unless_equals_int (stats.contexts_started, 8);
  fail_unless_equals_int (stats.contexts_done, 8);
  fail_unless (test_emulator_wait_closed (emu, 3000, NULL));
  cartesia_emulator_free (emu);
}

GST_END_TEST;

GST_START_TEST (test_default_does_not_share)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = gst_element_factory_make ("cartesiattssrc", NULL);
  gboolean share = TRUE;

  g_object_get (src, "share-connection", &share, NULL);
  fail_if (share, "share-connection is on by default");
  gst_object_unref (gst_object_ref_sink (src));

  test_emulator_set (emu, "pacing", "realtime");
  fail_unless_equals_int (run_together (emu, 3, FALSE), 3);
  fail_unless (test_emulator_wait_closed (emu, 3000, NULL));
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* SSE has nothing to share: each element keeps its own requests. */
GST_START_TEST (test_sse_ignores_sharing)
{
  CartesiaEmulator *emu = test_emulator_new ();
  Player *a = player_new (emu, texts[0], TRUE);
  Player *b = player_new (emu, texts[1], TRUE);

  g_object_set (a->src, "transport", 1, NULL);
  g_object_set (b->src, "transport", 1, NULL);
  player_start (a);
  player_start (b);
  player_wait (a, 30);
  player_wait (b, 30);
  player_assert_audio (a);
  player_assert_audio (b);
  fail_unless_equals_int (test_emulator_stats (emu).ws_connections, 0);
  fail_unless_equals_int (test_emulator_stats (emu).http_requests, 2);
  player_free (a);
  player_free (b);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* The context of the element whose text is @text, as the server saw it. */
static gchar *
context_of (CartesiaEmulator * emu, const gchar * text)
{
  GPtrArray *bodies = test_emulator_bodies_with (emu, "transcript");
  gchar *id = NULL;
  guint i;

  for (i = 0; i < bodies->len && id == NULL; i++) {
    JsonObject *body = g_ptr_array_index (bodies, i);

    if (g_strcmp0 (json_object_get_string_member (body, "transcript"),
            text) == 0)
      id = g_strdup (json_object_get_string_member (body, "context_id"));
  }
  g_ptr_array_unref (bodies);
  fail_unless (id != NULL, "no request for '%s'", text);
  return id;
}

GST_START_TEST (test_one_stops_other_goes_on)
{
  CartesiaEmulator *emu = test_emulator_new ();
  Player *a, *b;
  gchar *a_context, *b_context;
  GPtrArray *cancels;
  CartesiaEmulatorStats stats;
  gint64 deadline;
  guint i;
  gboolean a_cancelled = FALSE;

  test_emulator_set (emu, "pacing", "realtime");
  test_emulator_set (emu, "chunk-bytes", "2205");
  /* About 8.4 s of audio: stopped long before its end even when the
   * machine is so loaded that seconds pass between the checks below. */
  a = player_new (emu, "Stopped in the middle of what it had to say, "
      "and it had much more to say than that, a long sentence that goes "
      "on and on about nothing at all until the listener gives up", TRUE);
  b = player_new (emu, LONG_TEXT, TRUE);
  player_start (a);
  player_start (b);

  /* A speaks (some of its audio arrived), then stops. */
  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while ((player_bytes (a) < 20000 || player_bytes (b) == 0)
      && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  fail_unless (player_bytes (a) >= 20000, "A never spoke");
  fail_unless (player_bytes (b) > 0, "B never spoke");
  player_stop (a);
  /* In real time, A had far from all its audio (8.4 s of it). */
  fail_unless (player_bytes (a) < 44100 * 2 * 4, "A finished before it was "
      "stopped");

  /* B goes on, on the same socket, to its last byte. */
  player_wait (b, 30);
  player_assert_audio (b);
  fail_unless_equals_int (test_emulator_stats (emu).ws_connections, 1);

  /* A's context, and only A's, was cancelled on the server. */
  a_context = context_of (emu, a->text);
  b_context = context_of (emu, b->text);
  cancels = test_emulator_bodies_with (emu, "cancel");
  for (i = 0; i < cancels->len; i++) {
    JsonObject *body = g_ptr_array_index (cancels, i);
    const gchar *id = json_object_get_string_member (body, "context_id");

    fail_if (g_strcmp0 (id, b_context) == 0, "B's context was cancelled");
    if (g_strcmp0 (id, a_context) == 0)
      a_cancelled = TRUE;
  }
  fail_unless (a_cancelled, "A's context was not cancelled on the server");
  stats = test_emulator_stats (emu);
  fail_unless (stats.contexts_cancelled >= 1);
  /* B still holds the socket. */
  fail_unless_equals_int (stats.open_connections, 1);

  g_ptr_array_unref (cancels);
  g_free (a_context);
  g_free (b_context);
  player_free (a);
  player_free (b);
  fail_unless (test_emulator_wait_closed (emu, 3000, NULL));
  cartesia_emulator_free (emu);
}

GST_END_TEST;

GST_START_TEST (test_different_settings_do_not_share)
{
  GError *error = NULL;
  /* Any non-empty key is accepted: two keys, one server. */
  CartesiaEmulator *emu = cartesia_emulator_new (NULL, 0, &error);
  CartesiaEmulator *emu2 = test_emulator_new ();
  Player *p[5];
  guint i;

  fail_unless (emu != NULL);
  test_emulator_set (emu, "pacing", "realtime");
  test_emulator_set (emu2, "pacing", "realtime");
  p[0] = player_new (emu, texts[0], TRUE);
  p[1] = player_new (emu, texts[1], TRUE);   /* shares with 0 */
  p[2] = player_new (emu, texts[2], TRUE);
  g_object_set (p[2]->src, "api-key", OTHER_KEY, NULL);
  p[3] = player_new (emu, texts[3], TRUE);
  g_object_set (p[3]->src, "cartesia-version", "2026-03-01", NULL);
  p[4] = player_new (emu2, texts[4], TRUE);  /* another base-url */

  for (i = 0; i < G_N_ELEMENTS (p); i++)
    player_start (p[i]);
  for (i = 0; i < G_N_ELEMENTS (p); i++)
    player_wait (p[i], 60);
  for (i = 0; i < G_N_ELEMENTS (p); i++)
    player_assert_audio (p[i]);
  /* 0+1, 2 (key), 3 (version) on the first server; 4 on the second. */
  fail_unless_equals_int (test_emulator_stats (emu).ws_connections, 3);
  fail_unless_equals_int (test_emulator_stats (emu2).ws_connections, 1);
  for (i = 0; i < G_N_ELEMENTS (p); i++)
    player_free (p[i]);
  fail_unless (test_emulator_wait_closed (emu, 3000, NULL));
  fail_unless (test_emulator_wait_closed (emu2, 3000, NULL));
  cartesia_emulator_free (emu);
  cartesia_emulator_free (emu2);
}

GST_END_TEST;

static void
assert_error (Player * p, GQuark domain, gint code)
{
  fail_unless (p->run.error != NULL, "'%s': no error", p->text);
  fail_unless (g_error_matches (p->run.error, domain, code),
      "'%s': got %s %d: %s", p->text, g_quark_to_string (p->run.error->domain),
      p->run.error->code, p->run.error->message);
  fail_if (strstr (p->run.error->message, TEST_API_KEY));
  fail_if (p->run.error_debug && strstr (p->run.error_debug, TEST_API_KEY));
}

GST_START_TEST (test_connection_lost_reaches_all)
{
  CartesiaEmulator *emu = test_emulator_new ();
  Player *a = player_new (emu, texts[0], TRUE);
  Player *b = player_new (emu, texts[1], TRUE);

  /* Both contexts are with the server when it drops the socket. */
  test_emulator_set (emu, "first-chunk-delay-ms", "1000");
  test_emulator_set (emu, "drop-after-chunks", "1");
  g_object_set (a->src, "retries", 0, NULL);
  g_object_set (b->src, "retries", 0, NULL);
  player_start (a);
  player_start (b);
  player_wait (a, 30);
  player_wait (b, 30);
  assert_error (a, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ);
  assert_error (b, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ);
  fail_unless_equals_int (test_emulator_stats (emu).ws_connections, 1);
  player_free (a);
  player_free (b);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

GST_START_TEST (test_refused_key_reaches_all)
{
  CartesiaEmulator *emu = test_emulator_new ();
  Player *a = player_new (emu, texts[0], TRUE);
  Player *b = player_new (emu, texts[1], TRUE);
  CartesiaEmulatorStats stats;

  test_emulator_set (emu, "http-status", "401");
  player_start (a);
  player_start (b);
  player_wait (a, 30);
  player_wait (b, 30);
  assert_error (a, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED);
  assert_error (b, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED);
  stats = test_emulator_stats (emu);
  fail_unless_equals_int (stats.ws_connections, 0);
  fail_unless (stats.ws_rejected >= 1);
  player_free (a);
  player_free (b);

  /* Nothing of the refused connection is left over for the next element. */
  test_emulator_set (emu, "http-status", "0");
  a = player_new (emu, texts[2], TRUE);
  player_start (a);
  player_wait (a, 30);
  player_assert_audio (a);
  player_free (a);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* Waits for a message of @types on @pipeline's bus whose structure (for
 * ELEMENT messages) is called @name, with "id" @id unless NULL; NULL after
 * @timeout_s. */
static GstMessage *
pop_named (GstElement * pipeline, GstMessageType types, const gchar * name,
    const gchar * id, guint timeout_s)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_TIME_SPAN_SECOND;
  GstMessage *msg = NULL;

  while (g_get_monotonic_time () < deadline) {
    msg = gst_bus_timed_pop_filtered (bus, 100 * GST_MSECOND, types);
    if (msg == NULL)
      continue;
    if (name == NULL || (gst_message_get_structure (msg)
            && gst_structure_has_name (gst_message_get_structure (msg), name)
            && (id == NULL || g_strcmp0 (id, gst_structure_get_string
                    (gst_message_get_structure (msg), "id")) == 0)))
      break;
    gst_message_unref (msg);
    msg = NULL;
  }
  gst_object_unref (bus);
  return msg;
}

/* A's pre-connect is refused (403 once); B, joining later, connects: A's
 * next utterances use that socket instead of failing with the old
 * refusal. */
GST_START_TEST (test_refusal_forgotten_after_connect)
{
  CartesiaEmulator *emu = test_emulator_new ();
  Player *a = player_new (emu, NULL, TRUE);
  Player *b = player_new (emu, NULL, TRUE);
  GstMessage *msg;

  g_object_set (a->src, "is-live", TRUE, NULL);
  g_object_set (b->src, "is-live", TRUE, NULL);
  test_emulator_set (emu, "http-status", "403");
  test_emulator_set (emu, "fail-count", "1");
  player_start (a);
  /* Live and idle: the refused pre-connect is a warning. */
  msg = pop_named (a->pipeline, GST_MESSAGE_WARNING | GST_MESSAGE_ERROR, NULL,
      NULL, 10);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING,
      "no warning for the refused pre-connect");
  gst_message_unref (msg);

  /* B's connection is under way (its pre-connect is queued before A's
   * request): A's request waits for it instead of failing with the old
   * refusal, and goes out on it. */
  player_start (b);
  g_object_set (a->src, "text", "Hello", NULL);
  msg = pop_named (a->pipeline, GST_MESSAGE_ELEMENT,
      "cartesia-utterance-started", "utterance-1", 10);
  fail_unless (msg != NULL, "A's utterance did not start");
  gst_message_unref (msg);
  fail_unless_equals_int (test_emulator_stats (emu).ws_connections, 1);

  /* Once connected, the refusal is forgotten: the next one goes out too. */
  g_object_set (a->src, "text", "Again", NULL);
  msg = pop_named (a->pipeline, GST_MESSAGE_ELEMENT,
      "cartesia-utterance-finished", "utterance-2", 10);
  fail_unless (msg != NULL, "A's second utterance did not finish");
  gst_message_unref (msg);
  fail_unless_equals_int (test_emulator_stats (emu).ws_connections, 1);

  player_free (a);
  player_free (b);
  fail_unless (test_emulator_wait_closed (emu, 3000, NULL));
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* Elements come and go, some in the middle of their utterance, while another
 * keeps the shared socket busy. */
GST_START_TEST (test_churn_while_busy)
{
  CartesiaEmulator *emu = test_emulator_new ();
  Player *busy;
  guint i;

  test_emulator_set (emu, "pacing", "realtime");
  test_emulator_set (emu, "chunk-bytes", "2205");
  busy = player_new (emu, LONG_TEXT " " LONG_TEXT, TRUE);
  player_start (busy);
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

    while (player_bytes (busy) == 0 && g_get_monotonic_time () < deadline)
      g_usleep (5000);
    fail_unless (player_bytes (busy) > 0, "the busy element never spoke");
  }

  for (i = 0; i < 12; i++) {
    Player *p = player_new (emu, texts[i % G_N_ELEMENTS (texts)], TRUE);

    player_start (p);
    if (i % 3 == 2) {
      /* Gone before (or just after) its first audio. */
      g_usleep ((i % 2) * 20000);
    } else {
      player_wait (p, 30);
      player_assert_audio (p);
    }
    player_free (p);
  }

  player_wait (busy, 30);
  player_assert_audio (busy);
  fail_unless_equals_int (test_emulator_stats (emu).ws_connections, 1);
  player_free (busy);
  fail_unless (test_emulator_wait_closed (emu, 3000, NULL));
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* The last element leaving while new ones join: each gets a working
 * connection (the closing one, or a new one), never a broken one. */
typedef struct
{
  CartesiaEmulator *emu;
  guint index;
  guint failures;
  gchar *first_failure;
} Churner;

static gpointer
churn_thread (gpointer data)
{
  Churner *c = data;
  guint i;

  for (i = 0; i < 8; i++) {
    const gchar *text = texts[(c->index + i) % G_N_ELEMENTS (texts)];
    GstElement *src = test_make_src (c->emu, text);
    GstElement *pipeline;
    GstBus *bus;
    GstMessage *msg;

    g_object_set (src, "share-connection", TRUE, NULL);
    pipeline = test_pipeline_new (src, S16_CAPS);
    bus = gst_element_get_bus (pipeline);
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    if (i % 2 == 0) {
      msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
          GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
      if (msg == NULL || GST_MESSAGE_TYPE (msg) != GST_MESSAGE_EOS) {
        if (c->failures++ == 0)
          c->first_failure = g_strdup_printf ("run %u of thread %u: %s", i,
              c->index, msg ? "error" : "no EOS");
      }
      if (msg)
        gst_message_unref (msg);
    }
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (bus);
    gst_object_unref (pipeline);
  }
  return NULL;
}

GST_START_TEST (test_join_while_last_leaves)
{
  CartesiaEmulator *emu = test_emulator_new ();
  Churner churners[3];
  GThread *threads[G_N_ELEMENTS (churners)];
  TestWatchdog *watchdog;
  guint i;

  watchdog = test_watchdog_start (60000, "elements joining and leaving");
  for (i = 0; i < G_N_ELEMENTS (churners); i++) {
    churners[i] = (Churner) {
    emu, i, 0, NULL};
    threads[i] = g_thread_new ("churn", churn_thread, &churners[i]);
  }
  for (i = 0; i < G_N_ELEMENTS (churners); i++) {
    g_thread_join (threads[i]);
    fail_unless (churners[i].failures == 0, "%u failures, the first: %s",
        churners[i].failures, churners[i].first_failure);
  }
  test_watchdog_stop (watchdog);
  /* Every socket opened was closed again. */
  fail_unless (test_emulator_wait_closed (emu, 3000, NULL));
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- the key never shows, with the shared connection ---- */

static const gchar *const secrets[] = { TEST_API_KEY, NULL };

GST_START_TEST (test_key_never_shown)
{
  CartesiaEmulator *emu = test_emulator_new ();
  TestLogScan scan;
  Player *a, *b;

  test_log_scan_start (&scan, secrets, NULL, GST_LEVEL_MEMDUMP);

  a = player_new (emu, texts[0], TRUE);
  b = player_new (emu, texts[1], TRUE);
  player_start (a);
  player_start (b);
  player_wait (a, 30);
  player_wait (b, 30);
  player_assert_audio (a);
  player_assert_audio (b);
  player_free (a);
  player_free (b);

  test_emulator_set (emu, "http-status", "401");
  a = player_new (emu, texts[0], TRUE);
  b = player_new (emu, texts[1], TRUE);
  player_start (a);
  player_start (b);
  player_wait (a, 30);
  player_wait (b, 30);
  assert_error (a, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED);
  assert_error (b, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED);
  player_free (a);
  player_free (b);

  test_log_scan_stop (&scan);

  fail_unless (scan.session_lines > 0, "the scan saw no transport logs");
  fail_unless (scan.leaks->len == 0, "the key was logged %u times, first: %s",
      scan.leaks->len, scan.leaks->len ?
      (gchar *) g_ptr_array_index (scan.leaks, 0) : "");
  test_log_scan_clear (&scan);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

static Suite *
cartesiattssrc_shared_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-shared");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_two_share_one_socket);
  tcase_add_test (tc, test_eight_share_one_socket);
  tcase_add_test (tc, test_default_does_not_share);
  tcase_add_test (tc, test_sse_ignores_sharing);
  tcase_add_test (tc, test_one_stops_other_goes_on);
  tcase_add_test (tc, test_different_settings_do_not_share);
  tcase_add_test (tc, test_connection_lost_reaches_all);
  tcase_add_test (tc, test_refused_key_reaches_all);
  tcase_add_test (tc, test_refusal_forgotten_after_connect);
  tcase_add_test (tc, test_churn_while_busy);
  tcase_add_test (tc, test_join_while_last_leaves);
  tcase_add_test (tc, test_key_never_shown);
  return s;
}

GST_CHECK_MAIN (cartesiattssrc_shared);
