/* cartesiattssrc: every bad input gives a clear error, and no crash, leak or
 * hang.
 *
 * Each test starts its own emulator on a free loopback port and asserts the
 * GError domain and code, key words of the human text, and where there was
 * one, the "http-status-code" field of the error details.  The mapping under
 * test is the one in the element's documentation block and in design.md,
 * "Errors".
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gio/gio.h>
#include <string.h>

#include "cartesia-test-utils.h"

/* It installs a GStreamer log function: ASan must unwind fully. */
#include "cartesia-asan-full-unwind.h"

#define TEXT "Hello world"
#define WRONG_KEY "sk_car_wrong_key_987654321"
/* 46 ms of audio per chunk at 44100 Hz S16LE: TEXT (550 ms) takes 12. */
#define CHUNK_BYTES "4096"

/* ---- helpers ---- */

static void
take_error_message (TestRun * run, GstMessage * msg)
{
  const GstStructure *details = NULL;

  gst_message_parse_error (msg, &run->error, &run->error_debug);
  gst_message_parse_error_details (msg, &details);
  if (details)
    run->error_details = gst_structure_copy (details);
}

/* Sets `@src ! fakesink` to PAUSED, which must fail, and takes the ERROR
 * message that says why.  Takes @src. */
static void
run_start_failure (GstElement * src, TestRun * run)
{
  GstElement *pipeline = test_pipeline_new (src, NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;

  test_run_init (run);
  run->state_change = test_set_state_bounded (pipeline, GST_STATE_PAUSED,
      5000);
  fail_unless_equals_int (run->state_change, GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (bus, GST_SECOND, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "the failed change to PAUSED posted no ERROR");
  take_error_message (run, msg);
  gst_message_unref (msg);
  fail_unless_equals_int (test_set_state_bounded (pipeline, GST_STATE_NULL,
          5000), GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

/* Asserts @error is @domain/@code and its text mentions every one of the
 * NULL-terminated key words (case-insensitive). */
static void
assert_error (const GError * error, GQuark domain, gint code, ...)
{
  va_list args;
  const gchar *word;
  gchar *lower;

  fail_unless (error != NULL, "expected a %s error %d, got none",
      g_quark_to_string (domain), code);
  fail_unless (error->domain == domain && error->code == code,
      "expected %s error %d, got %s error %d: %s", g_quark_to_string (domain),
      code, g_quark_to_string (error->domain), error->code, error->message);
  fail_unless (error->message && *error->message, "the error has no text");
  GST_INFO ("error text: %s", error->message);

  lower = g_utf8_strdown (error->message, -1);
  va_start (args, code);
  while ((word = va_arg (args, const gchar *))) {
    gchar *w = g_utf8_strdown (word, -1);

    fail_unless (strstr (lower, w) != NULL, "error text '%s' does not "
        "mention '%s'", error->message, word);
    g_free (w);
  }
  va_end (args);
  g_free (lower);
}

/* @status 0: the details must not claim an HTTP status. */
static void
assert_http_status (TestRun * run, guint status)
{
  guint value = 0;

  if (status == 0) {
    fail_if (run->error_details && gst_structure_has_field
        (run->error_details, "http-status-code"),
        "unexpected http-status-code in %" GST_PTR_FORMAT, run->error_details);
    return;
  }
  fail_unless (run->error_details != NULL, "the error has no details");
  fail_unless (gst_structure_get_uint (run->error_details, "http-status-code",
          &value), "no http-status-code (uint) in %" GST_PTR_FORMAT,
      run->error_details);
  fail_unless_equals_int (value, status);
}

/* The emulator saw nothing at all: no handshake, accepted or refused. */
static void
assert_no_contact (CartesiaEmulator * emu)
{
  CartesiaEmulatorStats stats = test_emulator_stats (emu);
  gchar **requests = cartesia_emulator_dup_requests (emu);

  fail_unless_equals_int (stats.ws_connections, 0);
  fail_unless_equals_int (stats.ws_rejected, 0);
  fail_unless_equals_int (stats.http_requests, 0);
  fail_unless_equals_int (g_strv_length (requests), 0);
  g_strfreev (requests);
}

/* A loopback port that nothing listens on. */
static guint
closed_port (void)
{
  GError *error = NULL;
  GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, &error);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0);
  GSocketAddress *local;
  guint port;

  fail_unless (sock != NULL, "socket: %s", error ? error->message : "?");
  fail_unless (g_socket_bind (sock, addr, FALSE, &error), "bind: %s",
      error ? error->message : "?");
  local = g_socket_get_local_address (sock, &error);
  fail_unless (local != NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  g_socket_close (sock, NULL);
  g_object_unref (local);
  g_object_unref (addr);
  g_object_unref (lo);
  g_object_unref (sock);
  return port;
}

/* Runs @src (taken) on TEXT and asserts the exact audio. */
static void
run_and_assert_exact (GstElement * src)
{
  TestRun run;
  gsize len;
  guint8 *expected = test_render (TEXT, 44100, &len);

  test_run_pipeline (src, NULL, 30, &run);
  test_assert_audio (&run, expected, len, 44100, 2);
  fail_unless_equals_int (run.warnings->len, 0);
  test_run_clear (&run);
  g_free (expected);
}

/* ---- missing and wrong keys ---- */

GST_START_TEST (test_no_api_key)
{
  CartesiaEmulator *emu = test_emulator_new ();
  const gchar *empty_keys[] = { NULL, "" };
  gchar *saved = g_strdup (g_getenv ("CARTESIA_API_KEY"));
  guint i;

  g_setenv ("CARTESIA_API_KEY", "", TRUE);
  for (i = 0; i < G_N_ELEMENTS (empty_keys); i++) {
    GstElement *src = test_make_src (emu, TEXT);
    TestRun run;

    g_object_set (src, "api-key", empty_keys[i], NULL);
    run_start_failure (src, &run);
    assert_error (run.error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "API key", "api-key", "CARTESIA_API_KEY", NULL);
    assert_http_status (&run, 0);
    test_run_clear (&run);
  }
  /* Refused before any network I/O: the emulator never heard of us. */
  g_usleep (100 * 1000);
  assert_no_contact (emu);

  if (saved)
    g_setenv ("CARTESIA_API_KEY", saved, TRUE);
  else
    g_unsetenv ("CARTESIA_API_KEY");
  g_free (saved);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

GST_START_TEST (test_api_key_from_env)
{
  CartesiaEmulator *emu = test_emulator_new ();
  gchar *saved = g_strdup (g_getenv ("CARTESIA_API_KEY"));
  GstElement *src;
  CartesiaEmulatorStats stats;

  g_setenv ("CARTESIA_API_KEY", TEST_API_KEY, TRUE);

  /* The property unset: the environment's key. */
  src = test_make_src (emu, TEXT);
  g_object_set (src, "api-key", NULL, NULL);
  run_and_assert_exact (src);
  stats = test_emulator_stats (emu);
  fail_unless_equals_int (stats.ws_rejected, 0);
  fail_unless_equals_int (stats.ws_connections, 1);

  /* The property set: it wins over the environment. */
  g_setenv ("CARTESIA_API_KEY", WRONG_KEY, TRUE);
  src = test_make_src (emu, TEXT);
  run_and_assert_exact (src);
  stats = test_emulator_stats (emu);
  fail_unless_equals_int (stats.ws_rejected, 0);
  fail_unless_equals_int (stats.ws_connections, 2);

  if (saved)
    g_setenv ("CARTESIA_API_KEY", saved, TRUE);
  else
    g_unsetenv ("CARTESIA_API_KEY");
  g_free (saved);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

GST_START_TEST (test_wrong_key)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  CartesiaEmulatorStats stats;
  TestRun run;

  /* Retries allowed: a refused key must still not be retried. */
  g_object_set (src, "api-key", WRONG_KEY, "retries", 3, NULL);
  test_run_pipeline (src, NULL, 30, &run);
  assert_error (run.error, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_AUTHORIZED, "API key", "401", NULL);
  assert_http_status (&run, 401);
  fail_unless_equals_int (run.audio->len, 0);
  test_run_clear (&run);

  stats = test_emulator_stats (emu);
  fail_unless_equals_int (stats.ws_rejected, 1);
  fail_unless_equals_int (stats.ws_connections, 0);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

static GstPadProbeReturn
delay_first_caps_query (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  gint *done = data;

  if (GST_QUERY_TYPE (GST_PAD_PROBE_INFO_QUERY (info)) == GST_QUERY_CAPS
      && g_atomic_int_compare_and_exchange (done, 0, 1))
    g_usleep (300 * 1000);
  return GST_PAD_PROBE_OK;
}

/* The same, when the streaming thread is slower than the handshake (a busy
 * machine, a slow negotiation): the element opens the websocket in start()
 * and the refusal arrives before the utterance is sent.  The key must still
 * be refused once, and reported. */
GST_START_TEST (test_wrong_key_slow_negotiation)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  GstElement *pipeline;
  GstPad *pad;
  CartesiaEmulatorStats stats;
  TestRun run;
  gint done = 0;

  g_object_set (src, "api-key", WRONG_KEY, "retries", 3, NULL);
  pad = gst_element_get_static_pad (src, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM,
      delay_first_caps_query, &done, NULL);
  gst_object_unref (pad);
  pipeline = test_pipeline_new (src, NULL);
  test_pipeline_run (pipeline, 30, &run);
  assert_error (run.error, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_AUTHORIZED, "API key", "401", NULL);
  assert_http_status (&run, 401);
  test_run_clear (&run);

  stats = test_emulator_stats (emu);
  fail_unless_equals_int (stats.ws_connections, 0);
  fail_unless (stats.ws_rejected == 1, "the refused key was tried %u times "
      "(a 401 must not be retried)", stats.ws_rejected);
  gst_object_unref (pipeline);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* Live, no text yet: start() opens the websocket ahead of the first
 * utterance, and the server refuses the key.  That must not go unnoticed
 * until (or beyond) the first utterance: a NOT_AUTHORIZED error or warning is
 * posted promptly, and the key is not tried again. */
GST_START_TEST (test_wrong_key_live_reported)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, NULL);
  GstElement *pipeline;
  GstBus *bus;
  GstMessage *msg;
  GError *error = NULL;

  g_object_set (src, "api-key", WRONG_KEY, "is-live", TRUE, NULL);
  pipeline = test_pipeline_new (src, NULL);
  bus = gst_element_get_bus (pipeline);
  fail_if (test_set_state_bounded (pipeline, GST_STATE_PLAYING, 3000) ==
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (bus, 3 * GST_SECOND, GST_MESSAGE_ERROR |
      GST_MESSAGE_WARNING);
  fail_unless (test_emulator_stats (emu).ws_rejected >= 1,
      "no handshake was made");
  fail_unless (msg != NULL, "the server refused the key (HTTP 401) and "
      "nothing was posted");
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
    gst_message_parse_error (msg, &error, NULL);
  else
    gst_message_parse_warning (msg, &error, NULL);
  assert_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED,
      "401", NULL);
  g_error_free (error);
  gst_message_unref (msg);
  fail_unless_equals_int (test_set_state_bounded (pipeline, GST_STATE_NULL,
          3000), GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (test_emulator_stats (emu).ws_rejected, 1);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

GST_START_TEST (test_forbidden)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  CartesiaEmulatorStats stats;
  TestRun run;

  test_emulator_set (emu, "http-status", "403");
  g_object_set (src, "retries", 3, NULL);
  test_run_pipeline (src, NULL, 30, &run);
  assert_error (run.error, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_AUTHORIZED, "403", NULL);
  assert_http_status (&run, 403);
  test_run_clear (&run);

  stats = test_emulator_stats (emu);
  fail_unless_equals_int (stats.ws_rejected, 1);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- errors the server reports ---- */

#define ERROR_TITLE "Zebra Crossing Failure"
#define ERROR_MESSAGE "the quokka unplugged the synthesizer"

static void
check_server_error (const gchar * version, const gchar * status, GQuark
    domain, gint code, guint http_status)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  TestRun run;
  gsize len;
  guint8 *expected = test_render (TEXT, 44100, &len);
  GPtrArray *requests;
  JsonObject *entry;

  test_emulator_set (emu, "chunk-bytes", CHUNK_BYTES);
  test_emulator_set (emu, "error-after-chunks", "1");
  test_emulator_set (emu, "error-status", status);
  test_emulator_set (emu, "error-title", ERROR_TITLE);
  test_emulator_set (emu, "error-message", ERROR_MESSAGE);
  g_object_set (src, "cartesia-version", version, NULL);

  test_run_pipeline (src, NULL, 30, &run);
  assert_error (run.error, domain, code, ERROR_TITLE, ERROR_MESSAGE, NULL);
  assert_http_status (&run, http_status);
  fail_unless (run.error_details && gst_structure_has_field_typed
      (run.error_details, "context-id", G_TYPE_STRING));
  /* What came before the error was the server's audio, unchanged. */
  fail_unless (run.audio->len <= 4096);
  fail_unless (run.audio->len == 0
      || memcmp (run.audio->data, expected, run.audio->len) == 0);
  fail_if (run.eos);

  /* The emulator saw the version the error shape depends on. */
  requests = test_emulator_requests (emu);
  fail_unless (requests->len >= 1);
  entry = g_ptr_array_index (requests, 0);
  fail_unless_equals_string (json_object_get_string_member (entry,
          "cartesia_version"), version);
  g_ptr_array_unref (requests);

  test_run_clear (&run);
  g_free (expected);
  cartesia_emulator_free (emu);
}

GST_START_TEST (test_server_error_legacy)
{
  /* {"type":"error","error":"<title>: <message>","status_code":500,...} */
  check_server_error ("2025-04-16", "500", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_READ, 500);
}

GST_END_TEST;

GST_START_TEST (test_server_error_structured)
{
  /* {"type":"error","title":...,"message":...,"error_code":...,...} */
  check_server_error ("2026-03-01", "500", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_READ, 500);
}

GST_END_TEST;

GST_START_TEST (test_server_error_400)
{
  check_server_error ("2025-04-16", "400", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_SETTINGS, 400);
  check_server_error ("2026-03-01", "400", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_SETTINGS, 400);
}

GST_END_TEST;

GST_START_TEST (test_invalid_model)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  CartesiaEmulatorStats stats;
  TestRun run;

  g_object_set (src, "model-id", "no-such-model", NULL);
  test_run_pipeline (src, NULL, 30, &run);
  assert_error (run.error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      "Invalid model", NULL);
  assert_http_status (&run, 400);
  fail_unless_equals_int (run.audio->len, 0);
  test_run_clear (&run);

  /* A refused request is not retried. */
  stats = test_emulator_stats (emu);
  fail_unless_equals_int (stats.contexts_started, 0);
  fail_unless_equals_int (stats.ws_connections, 1);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- settings refused before any network I/O ---- */

GST_START_TEST (test_bad_base_url)
{
  CartesiaEmulator *emu = test_emulator_new ();
  static const struct
  {
    const gchar *url;
    const gchar *word;
  } cases[] = {
    {"not a url", "base-url"},
    {"ftp://host/", "ftp://host/"},
    {"", "base-url"},
    {"http://example.com", "example.com"},
    {"http://example.com:80/", "clear text"},
    {"https://", "base-url"},
  };
  gchar *proxy_url;
  GSocket *proxy = test_listen_silent (&proxy_url);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    GstElement *src = test_make_src (emu, TEXT);
    TestRun run;

    /* Any request would have to go through this "proxy". */
    g_object_set (src, "base-url", cases[i].url, "proxy", proxy_url, NULL);
    run_start_failure (src, &run);
    assert_error (run.error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "base-url", cases[i].word, NULL);
    assert_http_status (&run, 0);
    test_run_clear (&run);
  }

  g_usleep (200 * 1000);
  fail_if (test_listen_silent_was_contacted (proxy),
      "a refused base-url reached the network");
  assert_no_contact (emu);

  g_socket_close (proxy, NULL);
  g_object_unref (proxy);
  g_free (proxy_url);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- connecting, retrying ---- */

GST_START_TEST (test_unreachable)
{
  GstElement *src = gst_element_factory_make ("cartesiattssrc", NULL);
  gchar *url = g_strdup_printf ("http://127.0.0.1:%u", closed_port ());
  gint64 start = g_get_monotonic_time ();
  TestRun run;

  g_object_set (src, "base-url", url, "api-key", TEST_API_KEY, "text", TEXT,
      "retries", 2, "retry-backoff-factor", 0.0, NULL);
  test_run_pipeline (src, NULL, 30, &run);
  assert_error (run.error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ,
      "connect", "after 3 attempts", NULL);
  assert_http_status (&run, 0);
  fail_unless (g_get_monotonic_time () - start < 10 * G_TIME_SPAN_SECOND);
  test_run_clear (&run);
  g_free (url);
}

GST_END_TEST;

GST_START_TEST (test_retry_429_then_success)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  CartesiaEmulatorStats stats;

  test_emulator_set (emu, "http-status", "429");
  test_emulator_set (emu, "fail-count", "1");
  g_object_set (src, "retries", 2, NULL);
  run_and_assert_exact (src);

  stats = test_emulator_stats (emu);
  fail_unless_equals_int (stats.ws_rejected, 1);
  fail_unless_equals_int (stats.ws_connections, 1);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

GST_START_TEST (test_retry_500_gives_up)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  CartesiaEmulatorStats stats;
  TestRun run;

  test_emulator_set (emu, "http-status", "500");
  g_object_set (src, "retries", 2, NULL);
  test_run_pipeline (src, NULL, 30, &run);
  assert_error (run.error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ,
      "500", "after 3 attempts", NULL);
  assert_http_status (&run, 500);
  test_run_clear (&run);

  /* The first try and two retries. */
  stats = test_emulator_stats (emu);
  fail_unless_equals_int (stats.ws_rejected, 3);
  fail_unless_equals_int (stats.ws_connections, 0);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

GST_START_TEST (test_400_not_retried)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  CartesiaEmulatorStats stats;
  TestRun run;

  test_emulator_set (emu, "http-status", "400");
  g_object_set (src, "retries", 3, NULL);
  test_run_pipeline (src, NULL, 30, &run);
  assert_error (run.error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      "400", NULL);
  assert_http_status (&run, 400);
  test_run_clear (&run);

  stats = test_emulator_stats (emu);
  fail_unless_equals_int (stats.ws_rejected, 1);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* A handshake refused with 400 and a reason: the user set a Cartesia-Version
 * the server does not support.  The error names the server's reason, as a
 * refused generation request does, not just "HTTP 400 Bad Request". */
GST_START_TEST (test_unsupported_version)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  TestRun run;

  g_object_set (src, "cartesia-version", "1999-01-01", "retries", 3, NULL);
  test_run_pipeline (src, NULL, 30, &run);
  assert_error (run.error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      "400", NULL);
  assert_http_status (&run, 400);
  /* The emulator's body: "Invalid version: Cartesia-Version 1999-01-01 is not
   * supported" (text/plain for legacy versions, JSON for structured ones). */
  assert_error (run.error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      "Invalid version", "1999-01-01", NULL);
  fail_unless_equals_int (test_emulator_stats (emu).ws_rejected, 1);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* A server that lets the TCP connection in and never answers the handshake.
 * timeout bounds each network operation and retries says how often a failed
 * connection is tried again ("lost to the network", and a timed-out handshake
 * is that): 3 handshakes of 1 s each, then "could not connect", OPEN_READ.
 * (Today the element's own 1 s wait for audio in create() and SoupSession's
 * 1 s I/O timeout race: either READ "sent nothing for 1 seconds" or
 * OPEN_READ "Socket I/O timed out", after one handshake, never a retry.) */
GST_START_TEST (test_handshake_never_answered)
{
  GstElement *src = gst_element_factory_make ("cartesiattssrc", NULL);
  gchar *url;
  GSocket *silent = test_listen_silent (&url);
  gint64 start = g_get_monotonic_time (), elapsed_ms;
  guint handshakes = 0;
  TestRun run;

  g_object_set (src, "base-url", url, "api-key", TEST_API_KEY, "text", TEXT,
      "retries", 2, "retry-backoff-factor", 0.0, "timeout", 1, NULL);
  test_run_pipeline (src, NULL, 15, &run);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  while (test_listen_silent_was_contacted (silent))
    handshakes++;
  GST_INFO ("%u handshakes in %" G_GINT64_FORMAT " ms", handshakes,
      elapsed_ms);
  fail_unless (handshakes >= 1, "the handshake never reached the server");
  assert_error (run.error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ,
      "timed out", "after 3 attempts", NULL);
  assert_http_status (&run, 0);
  fail_unless_equals_int (handshakes, 3);
  fail_unless (elapsed_ms >= 2900 && elapsed_ms < 8000, "3 handshakes with "
      "a 1 s timeout gave up after %" G_GINT64_FORMAT " ms", elapsed_ms);
  test_run_clear (&run);
  g_socket_close (silent, NULL);
  g_object_unref (silent);
  g_free (url);
}

GST_END_TEST;

/* design.md: "429/5xx/connection loss -> retry with backoff".  Cartesia
 * refuses a generation beyond the plan's concurrency with an error message
 * {"status_code": 429, "error_code": "concurrency_limited"} on the context,
 * before any audio: nothing was played, so the utterance can be retried. */
GST_START_TEST (test_concurrency_limited_retried)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *busy = test_make_src (emu, "twenty characters...");
  GstElement *busy_pipeline = test_pipeline_new (busy, NULL);
  GstElement *src = test_make_src (emu, TEXT);
  GstBus *bus = gst_element_get_bus (busy_pipeline);
  GstMessage *msg;
  CartesiaEmulatorStats stats;
  TestRun run;
  gint64 deadline;

  /* One generation at a time; the first one lasts 1 s. */
  test_emulator_set (emu, "concurrency-limit", "1");
  test_emulator_set (emu, "pacing", "realtime");
  fail_if (test_set_state_bounded (busy_pipeline, GST_STATE_PLAYING, 3000)
      == GST_STATE_CHANGE_FAILURE);
  deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  while (test_emulator_stats (emu).chunks_sent == 0
      && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  fail_unless (test_emulator_stats (emu).chunks_sent > 0);

  /* Backoff 0.25, 0.5, 1, 2 s: the busy generation is over by the third. */
  g_object_set (src, "retries", 5, "retry-backoff-factor", 0.25, NULL);
  test_run_pipeline (src, NULL, 30, &run);
  if (run.error)
    GST_WARNING ("concurrency-limited utterance: %s", run.error->message);
  stats = test_emulator_stats (emu);
  fail_unless (run.error == NULL, "a 429 concurrency_limited error was not "
      "retried: %s", run.error ? run.error->message : "");
  test_run_clear (&run);
  fail_unless (stats.contexts_started >= 2);

  msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND, GST_MESSAGE_EOS |
      GST_MESSAGE_ERROR);
  fail_unless (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS);
  gst_message_unref (msg);
  fail_unless_equals_int (test_set_state_bounded (busy_pipeline,
          GST_STATE_NULL, 3000), GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (bus);
  gst_object_unref (busy_pipeline);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* design.md: "connection loss -> retry with backoff"; the retries property:
 * "retry a connection ... lost to the network".  A connection lost before
 * the first chunk of an utterance lost no audio: the utterance can be sent
 * again on a new connection, and the output is exact. */
GST_START_TEST (test_drop_before_audio_retried)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  TestRun run;
  gsize len;
  guint8 *expected = test_render (TEXT, 44100, &len);

  test_emulator_set (emu, "drop-after-chunks", "0");
  test_emulator_set (emu, "fail-count", "1");
  g_object_set (src, "retries", 2, NULL);
  test_run_pipeline (src, NULL, 30, &run);
  fail_unless (run.error == NULL, "a connection lost before any audio was not "
      "retried: %s", run.error ? run.error->message : "");
  test_assert_audio (&run, expected, len, 44100, 2);
  fail_unless_equals_int (test_emulator_stats (emu).ws_connections, 2);
  test_run_clear (&run);
  g_free (expected);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

static GstPadProbeReturn
count_buffers (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  g_atomic_int_inc ((gint *) data);
  return GST_PAD_PROBE_OK;
}

/* Live: a failed utterance is a WARNING with the server's words, and the
 * next utterance plays. */
GST_START_TEST (test_live_failure_is_warning)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  GstElement *pipeline = test_pipeline_new (gst_object_ref (src), NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  GError *error = NULL;
  GstPad *pad;
  gint buffers = 0;
  gint64 deadline;

  /* After audio started: an error before it would be retried (and heal). */
  test_emulator_set (emu, "error-after-chunks", "1");
  test_emulator_set (emu, "fail-count", "1");
  test_emulator_set (emu, "error-title", ERROR_TITLE);
  test_emulator_set (emu, "error-message", ERROR_MESSAGE);
  g_object_set (src, "is-live", TRUE, NULL);
  pad = gst_element_get_static_pad (src, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffers, &buffers,
      NULL);
  gst_object_unref (pad);

  fail_if (test_set_state_bounded (pipeline, GST_STATE_PLAYING, 3000) ==
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (bus, 5 * GST_SECOND, GST_MESSAGE_WARNING |
      GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no WARNING for the failed utterance");
  fail_unless_equals_string (GST_MESSAGE_TYPE_NAME (msg), "warning");
  gst_message_parse_warning (msg, &error, NULL);
  assert_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ,
      ERROR_TITLE, ERROR_MESSAGE, NULL);
  g_error_free (error);
  gst_message_unref (msg);

  /* The next utterance plays. */
  g_object_set (src, "text", "Again", NULL);
  deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  while (g_atomic_int_get (&buffers) == 0 && g_get_monotonic_time () <
      deadline)
    g_usleep (1000);
  fail_unless (g_atomic_int_get (&buffers) > 0, "nothing after the failure");
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg == NULL, "an ERROR in live mode");

  fail_unless_equals_int (test_set_state_bounded (pipeline, GST_STATE_NULL,
          3000), GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (bus);
  gst_object_unref (src);
  test_destroyed_on_unref (pipeline);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- malformed data ---- */

static void
check_malformed_decode_error (const gchar * kind, const gchar * word)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  TestRun run;

  test_emulator_set (emu, "malformed", kind);
  test_run_pipeline (src, NULL, 30, &run);
  assert_error (run.error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE, word,
      NULL);
  assert_http_status (&run, 0);
  /* The first chunk was the bad one: nothing reached downstream. */
  fail_unless_equals_int (run.audio->len, 0);
  fail_if (run.eos);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_START_TEST (test_malformed_json)
{
  check_malformed_decode_error ("json", "could not be read");
}

GST_END_TEST;

GST_START_TEST (test_malformed_base64)
{
  check_malformed_decode_error ("base64", "base64");
}

GST_END_TEST;

GST_START_TEST (test_malformed_binary)
{
  check_malformed_decode_error ("binary", "binary");
}

GST_END_TEST;

GST_START_TEST (test_malformed_unknown_type)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);

  /* A message of a type this client does not know, then the real chunk. */
  test_emulator_set (emu, "malformed", "unknown-type");
  run_and_assert_exact (src);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* A 4 MiB text frame whose data is valid base64 of 3 MiB of zeros, in place
 * of the first chunk's 4096 bytes.  The element allows frames up to 16 MiB
 * (cartesia-session.c, MAX_INCOMING_PAYLOAD), so this is well-formed audio to
 * it: it must take it as such, whole, without a crash, a hang, an error or a
 * warning, and go on with the rest of the utterance. */
GST_START_TEST (test_malformed_huge)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  const gsize huge = 4 * 1024 * 1024 / 4 * 3;
  gsize len, i;
  guint8 *expected = test_render (TEXT, 44100, &len);
  TestRun run;

  test_emulator_set (emu, "chunk-bytes", CHUNK_BYTES);
  test_emulator_set (emu, "malformed", "huge");
  test_run_pipeline (src, NULL, 60, &run);
  fail_unless (run.error == NULL, "unexpected error: %s",
      run.error ? run.error->message : "");
  fail_unless (run.eos);
  fail_unless_equals_int (run.warnings->len, 0);
  fail_unless_equals_uint64 (run.audio->len, huge + len - 4096);
  for (i = 0; i < huge; i++)
    if (run.audio->data[i] != 0)
      break;
  fail_unless_equals_uint64 (i, huge);
  fail_unless (memcmp (run.audio->data + huge, expected + 4096,
          len - 4096) == 0);
  test_run_clear (&run);
  g_free (expected);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- a server that stops answering ---- */

GST_START_TEST (test_stall_timeout)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  gint64 start, elapsed_ms;
  TestRun run;

  test_emulator_set (emu, "chunk-bytes", CHUNK_BYTES);
  test_emulator_set (emu, "stall-after-chunks", "1");
  g_object_set (src, "timeout", 1, NULL);
  start = g_get_monotonic_time ();
  test_run_pipeline (src, NULL, 10, &run);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  assert_error (run.error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ,
      "timeout", NULL);
  assert_http_status (&run, 0);
  fail_unless (elapsed_ms >= 900 && elapsed_ms < 4000, "the 1 s timeout "
      "fired after %" G_GINT64_FORMAT " ms", elapsed_ms);
  fail_unless (run.audio->len > 0 && run.audio->len <= 4096);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

GST_START_TEST (test_connection_dropped)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  TestRun run;

  test_emulator_set (emu, "chunk-bytes", CHUNK_BYTES);
  test_emulator_set (emu, "drop-after-chunks", "1");
  test_run_pipeline (src, NULL, 10, &run);
  assert_error (run.error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ,
      "connection", "lost", NULL);
  assert_http_status (&run, 0);
  fail_unless (run.audio->len <= 4096);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- the key never shows ---- */

static const gchar *const secrets[] = { TEST_API_KEY, WRONG_KEY, NULL };
#define CANARY "canary-5f3a9c"

/* The log scan, and the bus messages it saw. */
typedef struct
{
  TestLogScan log;
  guint messages;               /* under log.lock */
} KeyScan;

static void
scan_text (KeyScan * scan, const gchar * where, const gchar * text)
{
  test_log_scan_text (&scan->log, where, text);
}

static GstBusSyncReply
scan_message (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  KeyScan *scan = user_data;
  const GstStructure *s = gst_message_get_structure (msg);
  GError *error = NULL;
  gchar *debug = NULL, *text;
  const GstStructure *details = NULL;

  g_mutex_lock (&scan->log.lock);
  scan->messages++;
  g_mutex_unlock (&scan->log.lock);

  if (s) {
    text = gst_structure_to_string (s);
    scan_text (scan, "message structure", text);
    g_free (text);
  }
  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (msg, &error, &debug);
      gst_message_parse_error_details (msg, &details);
      break;
    case GST_MESSAGE_WARNING:
      gst_message_parse_warning (msg, &error, &debug);
      gst_message_parse_warning_details (msg, &details);
      break;
    case GST_MESSAGE_INFO:
      gst_message_parse_info (msg, &error, &debug);
      gst_message_parse_info_details (msg, &details);
      break;
    default:
      break;
  }
  if (error)
    scan_text (scan, "error text", error->message);
  scan_text (scan, "error debug", debug);
  if (details) {
    text = gst_structure_to_string (details);
    scan_text (scan, "error details", text);
    g_free (text);
  }
  g_clear_error (&error);
  g_free (debug);
  return GST_BUS_PASS;
}

static void
scan_run (KeyScan * scan, TestRun * run)
{
  guint i;

  if (run->error)
    scan_text (scan, "run error", run->error->message);
  scan_text (scan, "run debug", run->error_debug);
  if (run->error_details) {
    gchar *text = gst_structure_to_string (run->error_details);

    scan_text (scan, "run details", text);
    g_free (text);
  }
  for (i = 0; i < run->warnings->len; i++)
    scan_text (scan, "warning", ((GError *)
            g_ptr_array_index (run->warnings, i))->message);
}

/* One run of @src (taken) with every log line and bus message scanned. */
static void
scanned_run (KeyScan * scan, GstElement * src, TestRun * run)
{
  GstElement *pipeline = test_pipeline_new (src, NULL);
  GstBus *bus = gst_element_get_bus (pipeline);

  gst_bus_set_sync_handler (bus, scan_message, scan, NULL);
  test_pipeline_run (pipeline, 30, run);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  scan_run (scan, run);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

GST_START_TEST (test_api_key_never_shown)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GObjectClass *klass;
  GParamSpec *pspec;
  GstElement *src;
  KeyScan scan = { 0, };
  TestRun run;
  gsize len;
  guint8 *expected = test_render (TEXT, 44100, &len);
  guint i;

  /* Write-only: no one can read it back. */
  src = test_make_src (emu, TEXT);
  klass = G_OBJECT_GET_CLASS (src);
  pspec = g_object_class_find_property (klass, "api-key");
  fail_unless (pspec != NULL);
  fail_unless (pspec->flags & G_PARAM_WRITABLE);
  fail_if (pspec->flags & G_PARAM_READABLE, "api-key is readable");
  gst_object_unref (gst_object_ref_sink (src));

  test_log_scan_start (&scan.log, secrets, CANARY, GST_LEVEL_MEMDUMP);
  GST_CAT_LEVEL_LOG (GST_CAT_DEFAULT, GST_LEVEL_MEMDUMP, NULL,
      "the scan sees even this: %s", CANARY);

  /* A run that works. */
  src = test_make_src (emu, TEXT);
  scanned_run (&scan, src, &run);
  test_assert_audio (&run, expected, len, 44100, 2);
  test_run_clear (&run);

  /* The right key, refused anyway (401): the key is in the request. */
  test_emulator_set (emu, "http-status", "401");
  src = test_make_src (emu, TEXT);
  scanned_run (&scan, src, &run);
  assert_error (run.error, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_AUTHORIZED, "401", NULL);
  test_run_clear (&run);

  /* A wrong key refused by the key check, and one from the environment. */
  test_emulator_set (emu, "reset", "1");
  src = test_make_src (emu, TEXT);
  g_object_set (src, "api-key", NULL, NULL);
  g_setenv ("CARTESIA_API_KEY", WRONG_KEY, TRUE);
  scanned_run (&scan, src, &run);
  g_setenv ("CARTESIA_API_KEY", "", TRUE);
  assert_error (run.error, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_AUTHORIZED, "401", NULL);
  test_run_clear (&run);

  test_log_scan_stop (&scan.log);

  /* The scan saw the element and the transport talk at every level. */
  GST_INFO ("scanned %u log lines (%u element, %u session), %u messages",
      scan.log.lines, scan.log.element_lines, scan.log.session_lines,
      scan.messages);
  fail_unless (scan.log.element_lines > 0 && scan.log.session_lines > 0);
  fail_unless (scan.messages > 0);
  fail_unless_equals_int (scan.log.markers, 1);
  for (i = 0; i < scan.log.leaks->len; i++)
    g_printerr ("KEY LEAK: %s\n", (gchar *) g_ptr_array_index (scan.log.leaks,
            i));
  fail_unless_equals_int (scan.log.leaks->len, 0);

  test_log_scan_clear (&scan.log);
  g_free (expected);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- an element that failed can be used again ---- */

GST_START_TEST (test_reuse_after_error)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  GstElement *pipeline = test_pipeline_new (gst_object_ref (src), NULL);
  TestRun run;
  gsize len;
  guint8 *expected = test_render (TEXT, 44100, &len);

  /* A refused key, then the right one. */
  g_object_set (src, "api-key", WRONG_KEY, NULL);
  test_pipeline_run (pipeline, 30, &run);
  assert_error (run.error, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_AUTHORIZED, NULL);
  test_run_clear (&run);
  g_object_set (src, "api-key", TEST_API_KEY, NULL);
  test_pipeline_run (pipeline, 30, &run);
  test_assert_audio (&run, expected, len, 44100, 2);
  test_run_clear (&run);

  /* A bad base-url (start fails), then the right one. */
  g_object_set (src, "base-url", "ftp://host/", NULL);
  test_pipeline_run (pipeline, 30, &run);
  fail_unless_equals_int (run.state_change, GST_STATE_CHANGE_FAILURE);
  assert_error (run.error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      NULL);
  test_run_clear (&run);
  g_object_set (src, "base-url", cartesia_emulator_get_base_url (emu), NULL);
  test_pipeline_run (pipeline, 30, &run);
  test_assert_audio (&run, expected, len, 44100, 2);
  test_run_clear (&run);

  /* A server error mid-utterance, then none. */
  test_emulator_set (emu, "error-after-chunks", "1");
  test_emulator_set (emu, "chunk-bytes", CHUNK_BYTES);
  test_pipeline_run (pipeline, 30, &run);
  assert_error (run.error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ, NULL);
  test_run_clear (&run);
  test_emulator_set (emu, "error-after-chunks", "-1");
  test_pipeline_run (pipeline, 30, &run);
  test_assert_audio (&run, expected, len, 44100, 2);
  test_run_clear (&run);

  gst_object_unref (src);
  test_destroyed_on_unref (pipeline);
  g_free (expected);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

static Suite *
cartesiattssrc_errors_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-errors");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_no_api_key);
  tcase_add_test (tc, test_api_key_from_env);
  tcase_add_test (tc, test_wrong_key);
  tcase_add_test (tc, test_wrong_key_slow_negotiation);
  tcase_add_test (tc, test_wrong_key_live_reported);
  tcase_add_test (tc, test_forbidden);
  tcase_add_test (tc, test_server_error_legacy);
  tcase_add_test (tc, test_server_error_structured);
  tcase_add_test (tc, test_server_error_400);
  tcase_add_test (tc, test_invalid_model);
  tcase_add_test (tc, test_bad_base_url);
  tcase_add_test (tc, test_unreachable);
  tcase_add_test (tc, test_retry_429_then_success);
  tcase_add_test (tc, test_retry_500_gives_up);
  tcase_add_test (tc, test_400_not_retried);
  tcase_add_test (tc, test_unsupported_version);
  tcase_add_test (tc, test_handshake_never_answered);
  tcase_add_test (tc, test_concurrency_limited_retried);
  tcase_add_test (tc, test_drop_before_audio_retried);
  tcase_add_test (tc, test_live_failure_is_warning);
  tcase_add_test (tc, test_malformed_json);
  tcase_add_test (tc, test_malformed_base64);
  tcase_add_test (tc, test_malformed_binary);
  tcase_add_test (tc, test_malformed_unknown_type);
  tcase_add_test (tc, test_malformed_huge);
  tcase_add_test (tc, test_stall_timeout);
  tcase_add_test (tc, test_connection_dropped);
  tcase_add_test (tc, test_api_key_never_shown);
  tcase_add_test (tc, test_reuse_after_error);
  return s;
}

GST_CHECK_MAIN (cartesiattssrc_errors);
