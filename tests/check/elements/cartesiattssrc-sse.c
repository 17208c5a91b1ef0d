/* cartesiattssrc over Server-Sent Events, against the emulator. */
#include "cartesia-test-utils.h"

#define TEXT "Speech over server sent events"

static GstElement *
make_sse_src (CartesiaEmulator * emu, const gchar * text)
{
  GstElement *src = test_make_src (emu, text);

  gst_util_set_object_arg (G_OBJECT (src), "transport", "sse");
  return src;
}

static void
run_sse (CartesiaEmulator * emu, const gchar * text, const gchar * caps,
    TestRun * run)
{
  test_run_pipeline (make_sse_src (emu, text), caps, 60, run);
}

/* transport=sse gives the same bytes, timestamps and EOS as websocket. */
GST_START_TEST (test_sse_identical_to_websocket)
{
  static const struct
  {
    const gchar *caps, *encoding;
    gint rate;
    guint bpf;
  } formats[] = {
    {"audio/x-raw,format=S16LE,rate=44100", "pcm_s16le", 44100, 2},
    {"audio/x-raw,format=F32LE,rate=16000", "pcm_f32le", 16000, 4},
    {"audio/x-mulaw,rate=8000", "pcm_mulaw", 8000, 1},
    {"audio/x-alaw,rate=48000", "pcm_alaw", 48000, 1},
  };
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    CartesiaEmulator *emu = test_emulator_new ();
    TestRun ws, sse;
    gsize len;
    guint8 *expected = cartesia_emulator_render (TEXT, formats[i].encoding,
        formats[i].rate, &len);

    test_emulator_set (emu, "chunk-bytes", "1001");
    test_run_pipeline (test_make_src (emu, TEXT), formats[i].caps, 60, &ws);
    run_sse (emu, TEXT, formats[i].caps, &sse);
    test_assert_audio (&ws, expected, len, formats[i].rate, formats[i].bpf);
    test_assert_audio (&sse, expected, len, formats[i].rate, formats[i].bpf);
    fail_unless_equals_int (ws.buffers->len, sse.buffers->len);
    for (j = 0; j < ws.buffers->len; j++) {
      GstBuffer *a = g_ptr_array_index (ws.buffers, j);
      GstBuffer *b = g_ptr_array_index (sse.buffers, j);

      fail_unless_equals_uint64 (GST_BUFFER_PTS (a), GST_BUFFER_PTS (b));
      fail_unless_equals_uint64 (GST_BUFFER_DURATION (a),
          GST_BUFFER_DURATION (b));
    }
    test_run_clear (&ws);
    test_run_clear (&sse);
    g_free (expected);
    cartesia_emulator_free (emu);
  }
}

GST_END_TEST;

/* Framings real servers vary in: with and without event: lines, CRLF and CR
 * line ends, a body cut into pieces that split lines and CRLF pairs. */
GST_START_TEST (test_sse_framings)
{
  static const gchar *options[][2] = {
    {"sse-event-lines", "true"},
    {"sse-event-lines", "false"},
    {"sse-line-ending", "crlf"},
    {"sse-line-ending", "cr"},
    {"write-split-bytes", "1"},
    {"write-split-bytes", "7"},
  };
  gsize len;
  guint8 *expected = cartesia_emulator_render ("Framed", "pcm_s16le", 8000,
      &len);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (options); i++) {
    CartesiaEmulator *emu = test_emulator_new ();
    TestRun run;

    GST_INFO ("%s=%s", options[i][0], options[i][1]);
    test_emulator_set (emu, options[i][0], options[i][1]);
    if (g_str_equal (options[i][0], "write-split-bytes"))
      test_emulator_set (emu, "sse-line-ending", "crlf");
    test_emulator_set (emu, "chunk-bytes", "333");
    run_sse (emu, "Framed", "audio/x-raw,format=S16LE,rate=8000", &run);
    test_assert_audio (&run, expected, len, 8000, 2);
    test_run_clear (&run);
    cartesia_emulator_free (emu);
  }
  g_free (expected);
}

GST_END_TEST;

/* One POST to /tts/sse with an SSE-shaped body: no websocket fields. */
GST_START_TEST (test_sse_request)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GPtrArray *requests;
  JsonObject *entry, *body;
  CartesiaEmulatorStats stats;
  TestRun run;

  run_sse (emu, TEXT, NULL, &run);
  fail_unless (run.eos);
  requests = test_emulator_requests (emu);
  fail_unless_equals_int (requests->len, 1);
  entry = g_ptr_array_index (requests, 0);
  fail_unless_equals_string (json_object_get_string_member (entry,
          "endpoint"), "/tts/sse");
  fail_unless_equals_string (json_object_get_string_member (entry, "auth"),
      "authorization");
  body = test_request_body (requests, 0);
  fail_unless_equals_string (json_object_get_string_member (body,
          "transcript"), TEXT);
  fail_if (json_object_has_member (body, "continue"));
  fail_if (json_object_has_member (body, "context_id"));
  cartesia_emulator_get_stats (emu, &stats);
  fail_unless_equals_int (stats.ws_connections, 0);
  fail_unless_equals_int (stats.http_requests, 1);
  g_ptr_array_unref (requests);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* A stream that ends without "done" is an error, not a silent EOS. */
GST_START_TEST (test_sse_truncated)
{
  CartesiaEmulator *emu = test_emulator_new ();
  TestRun run;

  test_emulator_set (emu, "drop-after-chunks", "1");
  run_sse (emu, TEXT, NULL, &run);
  fail_unless (run.error != NULL);
  fail_unless (g_error_matches (run.error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_READ), "%s", run.error->message);
  fail_unless (strstr (run.error->message, "truncated") != NULL
      || strstr (run.error->message, "lost") != NULL, "%s", run.error->message);
  fail_if (run.eos);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

static void
check_server_error (const gchar * version, const gchar * status,
    GQuark domain, gint code)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = make_sse_src (emu, TEXT);
  TestRun run;

  test_emulator_set (emu, "error-after-chunks", "1");
  test_emulator_set (emu, "error-status", status);
  test_emulator_set (emu, "error-title", "Zebra Title");
  test_emulator_set (emu, "error-message", "quokka message");
  g_object_set (src, "cartesia-version", version, NULL);
  test_run_pipeline (src, NULL, 30, &run);
  fail_unless (run.error != NULL);
  fail_unless (g_error_matches (run.error, domain, code), "%s",
      run.error->message);
  fail_unless (strstr (run.error->message, "Zebra Title") != NULL, "%s",
      run.error->message);
  fail_unless (strstr (run.error->message, "quokka message") != NULL, "%s",
      run.error->message);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

/* The error event, in the legacy and the structured shapes. */
GST_START_TEST (test_sse_error_event)
{
  check_server_error ("2025-04-16", "500", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_READ);
  check_server_error ("2026-03-01", "500", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_READ);
  check_server_error ("2026-03-01", "400", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_SETTINGS);
}

GST_END_TEST;

GST_START_TEST (test_sse_unauthorized)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = make_sse_src (emu, TEXT);
  CartesiaEmulatorStats stats;
  guint status = 0;
  TestRun run;

  g_object_set (src, "api-key", "sk_car_wrong", NULL);
  test_run_pipeline (src, NULL, 30, &run);
  fail_unless (g_error_matches (run.error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_NOT_AUTHORIZED));
  fail_unless (gst_structure_get_uint (run.error_details, "http-status-code",
          &status));
  fail_unless_equals_int (status, 401);
  cartesia_emulator_get_stats (emu, &stats);
  fail_unless_equals_int (stats.http_requests, 1);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* A request refused as invalid names the server's reason; no retry. */
GST_START_TEST (test_sse_bad_request)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = make_sse_src (emu, TEXT);
  CartesiaEmulatorStats stats;
  TestRun run;

  g_object_set (src, "model-id", "no-such-model", "cartesia-version",
      "2026-03-01", NULL);
  test_run_pipeline (src, NULL, 30, &run);
  fail_unless (g_error_matches (run.error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS), "%s", run.error->message);
  fail_unless (strstr (run.error->message, "400") != NULL, "%s",
      run.error->message);
  fail_unless (strstr (run.error->message, "Invalid model") != NULL, "%s",
      run.error->message);
  cartesia_emulator_get_stats (emu, &stats);
  fail_unless_equals_int (stats.http_requests, 1);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* 429 once, with Retry-After: retried after the time the server asked for,
 * then the audio is exact. */
GST_START_TEST (test_sse_retry_after)
{
  CartesiaEmulator *emu = test_emulator_new ();
  CartesiaEmulatorStats stats;
  gint64 start;
  gsize len;
  guint8 *expected = cartesia_emulator_render (TEXT, "pcm_s16le", 44100, &len);
  TestRun run;

  test_emulator_set (emu, "http-status", "429");
  test_emulator_set (emu, "retry-after", "1");
  test_emulator_set (emu, "fail-count", "1");
  start = g_get_monotonic_time ();
  run_sse (emu, TEXT, NULL, &run);
  test_assert_audio (&run, expected, len, 44100, 2);
  fail_unless (g_get_monotonic_time () - start >= G_TIME_SPAN_SECOND);
  cartesia_emulator_get_stats (emu, &stats);
  fail_unless_equals_int (stats.http_requests, 2);
  test_run_clear (&run);
  g_free (expected);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* 5xx until the retries are spent: an error naming the status. */
GST_START_TEST (test_sse_retries_exhausted)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = make_sse_src (emu, TEXT);
  CartesiaEmulatorStats stats;
  TestRun run;

  test_emulator_set (emu, "http-status", "503");
  g_object_set (src, "retries", 2, NULL);
  test_run_pipeline (src, NULL, 30, &run);
  fail_unless (g_error_matches (run.error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_READ), "%s", run.error->message);
  fail_unless (strstr (run.error->message, "503") != NULL, "%s",
      run.error->message);
  fail_unless (strstr (run.error->message, "3 attempts") != NULL, "%s",
      run.error->message);
  cartesia_emulator_get_stats (emu, &stats);
  fail_unless_equals_int (stats.http_requests, 3);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* Garbage in the stream is a decode error, never a crash. */
GST_START_TEST (test_sse_malformed)
{
  static const gchar *kinds[] = { "json", "base64", "binary" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (kinds); i++) {
    CartesiaEmulator *emu = test_emulator_new ();
    TestRun run;

    test_emulator_set (emu, "malformed", kinds[i]);
    run_sse (emu, TEXT, NULL, &run);
    fail_unless (g_error_matches (run.error, GST_STREAM_ERROR,
            GST_STREAM_ERROR_DECODE), "%s: %s", kinds[i],
        run.error ? run.error->message : "no error");
    test_run_clear (&run);
    cartesia_emulator_free (emu);
  }
}

GST_END_TEST;

/* Stopping in the middle of a stream returns promptly and leaks nothing. */
GST_START_TEST (test_sse_stop_midstream)
{
  CartesiaEmulator *emu = test_emulator_new ();
  guint i;

  test_emulator_set (emu, "pacing", "realtime");
  for (i = 0; i < 20; i++) {
    GstElement *pipeline = gst_pipeline_new (NULL);
    GstElement *src = make_sse_src (emu, TEXT);
    GstElement *sink = gst_element_factory_make ("fakesink", NULL);

    gst_bin_add_many (GST_BIN (pipeline), src, sink, NULL);
    fail_unless (gst_element_link (src, sink));
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    g_usleep ((i % 5) * 20000);
    fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
        GST_STATE_CHANGE_SUCCESS);
    gst_object_unref (pipeline);
  }
  cartesia_emulator_free (emu);
}

GST_END_TEST;

static Suite *
cartesiattssrc_sse_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-sse");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_sse_identical_to_websocket);
  tcase_add_test (tc, test_sse_framings);
  tcase_add_test (tc, test_sse_request);
  tcase_add_test (tc, test_sse_truncated);
  tcase_add_test (tc, test_sse_error_event);
  tcase_add_test (tc, test_sse_unauthorized);
  tcase_add_test (tc, test_sse_bad_request);
  tcase_add_test (tc, test_sse_retry_after);
  tcase_add_test (tc, test_sse_retries_exhausted);
  tcase_add_test (tc, test_sse_malformed);
  tcase_add_test (tc, test_sse_stop_midstream);
  return s;
}

GST_CHECK_MAIN (cartesiattssrc_sse);
