/* The fault matrix: every fault the emulator can inject, over both
 * transports, with the outcome a user must see: the exact audio, or a given
 * error.  Live-mode outcomes (a warning, then the stream goes on) at the end. */
#include "cartesia-test-utils.h"

#include <gst/check/gstharness.h>

#define TEXT "Faults make the best teachers"
#define CAPS "audio/x-raw,format=S16LE,rate=16000"
#define HUGE_ZEROS (3 * 1024 * 1024)    /* a 4 MiB base64 chunk of zeros */

typedef enum
{
  AUDIO,                        /* EOS, and exactly the server's audio */
  AUDIO_AFTER_ZEROS,            /* first chunk replaced by HUGE_ZEROS of zeros */
  FAILS,                        /* an error of the given domain and code */
} Outcome;

typedef struct
{
  const gchar *name;
  const gchar *options;         /* "name=value;name=value" for the emulator */
  const gchar *element;         /* "prop=value;..." for the element, or NULL */
  Outcome outcome;
  GQuark (*domain) (void);
  gint code;
  guint http_status;            /* expected http-status-code detail, or 0 */
} Fault;

static const Fault faults[] = {
  {"none", "", NULL, AUDIO},
  {"odd chunking", "chunk-bytes=777", NULL, AUDIO},
  {"slow first chunk", "first-chunk-delay-ms=300", "timeout=5", AUDIO},
  {"401", "http-status=401", NULL, FAILS, gst_resource_error_quark,
      GST_RESOURCE_ERROR_NOT_AUTHORIZED, 401},
  {"403", "http-status=403", NULL, FAILS, gst_resource_error_quark,
      GST_RESOURCE_ERROR_NOT_AUTHORIZED, 403},
  {"400", "http-status=400", NULL, FAILS, gst_resource_error_quark,
      GST_RESOURCE_ERROR_SETTINGS, 400},
  {"404", "http-status=404", NULL, FAILS, gst_resource_error_quark,
      GST_RESOURCE_ERROR_NOT_FOUND, 404},
  {"429 once", "http-status=429;fail-count=1", NULL, AUDIO},
  {"503 twice", "http-status=503;fail-count=2", NULL, AUDIO},
  {"500 always", "http-status=500", "retries=2", FAILS,
      gst_resource_error_quark, GST_RESOURCE_ERROR_READ, 500},
  {"429 always", "http-status=429", "retries=1", FAILS,
      gst_resource_error_quark, GST_RESOURCE_ERROR_READ, 429},
  {"server error 500", "error-after-chunks=2", NULL, FAILS,
      gst_resource_error_quark, GST_RESOURCE_ERROR_READ, 500},
  {"server error 400", "error-after-chunks=0;error-status=400", NULL, FAILS,
      gst_resource_error_quark, GST_RESOURCE_ERROR_SETTINGS, 400},
  {"server error 500 before audio, once", "error-after-chunks=0;fail-count=1",
      NULL, AUDIO},
  {"server error 429 before audio, always",
        "error-after-chunks=0;error-status=429", "retries=1", FAILS,
      gst_resource_error_quark, GST_RESOURCE_ERROR_READ, 429},
  {"stall", "stall-after-chunks=1", "timeout=1", FAILS,
      gst_resource_error_quark, GST_RESOURCE_ERROR_READ},
  {"stall before audio", "stall-after-chunks=0", "timeout=1", FAILS,
      gst_resource_error_quark, GST_RESOURCE_ERROR_READ},
  {"drop after audio", "drop-after-chunks=2", NULL, FAILS,
      gst_resource_error_quark, GST_RESOURCE_ERROR_READ},
  {"drop before audio, once", "drop-after-chunks=0;fail-count=1", NULL, AUDIO},
  {"drop before audio, always", "drop-after-chunks=0", "retries=2", FAILS,
      gst_resource_error_quark, GST_RESOURCE_ERROR_READ},
  {"bad json", "malformed=json", NULL, FAILS, gst_stream_error_quark,
      GST_STREAM_ERROR_DECODE},
  {"bad base64", "malformed=base64", NULL, FAILS, gst_stream_error_quark,
      GST_STREAM_ERROR_DECODE},
  {"binary", "malformed=binary", NULL, FAILS, gst_stream_error_quark,
      GST_STREAM_ERROR_DECODE},
  {"unknown type", "malformed=unknown-type", NULL, AUDIO},
  {"huge frame", "malformed=huge", NULL, AUDIO_AFTER_ZEROS},
};

static void
apply (CartesiaEmulator * emu, GstElement * src, const Fault * f)
{
  gchar **opts = g_strsplit (f->options, ";", -1), **o;

  for (o = opts; *o; o++) {
    gchar **kv = g_strsplit (*o, "=", 2);

    if (kv[0] && kv[1])
      test_emulator_set (emu, kv[0], kv[1]);
    g_strfreev (kv);
  }
  g_strfreev (opts);
  if (f->element) {
    opts = g_strsplit (f->element, ";", -1);
    for (o = opts; *o; o++) {
      gchar **kv = g_strsplit (*o, "=", 2);

      gst_util_set_object_arg (G_OBJECT (src), kv[0], kv[1]);
      g_strfreev (kv);
    }
    g_strfreev (opts);
  }
}

static void
check_fault (const Fault * f, const gchar * transport)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  gsize len;
  guint8 *expected = cartesia_emulator_render (TEXT, "pcm_s16le", 16000, &len);
  TestRun run;

  GST_INFO ("fault '%s' over %s", f->name, transport);
  gst_util_set_object_arg (G_OBJECT (src), "transport", transport);
  apply (emu, src, f);
  test_run_pipeline (src, CAPS, 60, &run);

  switch (f->outcome) {
    case AUDIO:
      test_assert_audio (&run, expected, len, 16000, 2);
      break;
    case AUDIO_AFTER_ZEROS:{
      /* (not "first": gst-check's equality macros declare that name) */
      gsize head = MIN (len, 4096), i;

      fail_unless (run.error == NULL, "%s/%s: %s", f->name, transport,
          run.error ? run.error->message : "");
      fail_unless (run.eos);
      fail_unless_equals_uint64 (run.audio->len, HUGE_ZEROS + len - head);
      for (i = 0; i < HUGE_ZEROS; i++)
        fail_unless (run.audio->data[i] == 0);
      fail_unless (memcmp (run.audio->data + HUGE_ZEROS, expected + head,
              len - head) == 0);
      break;
    }
    case FAILS:{
      guint status = 0;

      fail_unless (run.error != NULL, "%s/%s: no error", f->name, transport);
      fail_unless (g_error_matches (run.error, f->domain (), f->code),
          "%s/%s: %s (%s)", f->name, transport, run.error->message,
          g_quark_to_string (run.error->domain));
      fail_if (run.eos);
      if (f->http_status) {
        fail_unless (run.error_details && gst_structure_get_uint
            (run.error_details, "http-status-code", &status),
            "%s/%s: no http-status-code", f->name, transport);
        fail_unless_equals_int (status, f->http_status);
      }
      /* What came out before the fault is the start of the real audio. */
      fail_unless (run.audio->len <= len);
      fail_unless (run.audio->len == 0
          || memcmp (run.audio->data, expected, run.audio->len) == 0);
      break;
    }
  }
  test_run_clear (&run);
  g_free (expected);
  cartesia_emulator_free (emu);
}

GST_START_TEST (test_fault_websocket)
{
  check_fault (&faults[__i__], "websocket");
}

GST_END_TEST;

GST_START_TEST (test_fault_sse)
{
  check_fault (&faults[__i__], "sse");
}

GST_END_TEST;

typedef struct
{
  GstElement *src;
  gsize len;                    /* of the next utterance's audio */
  gboolean set;
} NextText;

/* In the streaming thread, as the element posts the failure (it is in the
 * middle of taking the server's events): the next text, and the server's
 * whole answer to it received before the element goes on. */
static GstBusSyncReply
set_text_on_warning (GstBus * bus, GstMessage * msg, gpointer data)
{
  NextText *next = data;
  guint64 target;
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  if (GST_MESSAGE_TYPE (msg) != GST_MESSAGE_WARNING || next->set)
    return GST_BUS_PASS;
  next->set = TRUE;
  target = test_bytes_received (next->src) + next->len;
  g_object_set (next->src, "text", "Second", NULL);
  while (test_bytes_received (next->src) < target
      && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_usleep (50 * 1000);         /* and its "done", right behind */
  return GST_BUS_PASS;
}

/* Live: a failed utterance is a warning, and the next one plays.  With
 * @in_handler, the next text is set as the failure is posted, and answered
 * before the streaming thread takes it in: its audio must not be mistaken
 * for the late output of a dropped utterance. */
static void
check_live_recovers (const gchar * transport, const gchar * fault,
    gboolean in_handler)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = gst_object_ref_sink (test_make_src (emu, "First"));
  GstBus *bus = gst_bus_new ();
  GstHarness *h;
  GstClock *clock;
  GstMessage *msg;
  GError *warning = NULL;
  GByteArray *audio = g_byte_array_new ();
  gsize len;
  guint8 *expected = cartesia_emulator_render ("Second", "pcm_s16le", 16000,
      &len);
  gchar **kv = g_strsplit (fault, "=", 2);
  NextText next = { src, len, FALSE };
  GPtrArray *buffers = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_buffer_unref);
  GstClockTime start = GST_CLOCK_TIME_NONE, end = 0;
  gboolean finished = FALSE;
  gint64 deadline;
  guint i;

  test_emulator_set (emu, kv[0], kv[1]);
  test_emulator_set (emu, "fail-count", "1");
  g_strfreev (kv);
  g_object_set (src, "is-live", TRUE, "retries", 0, "timeout", 1,
      "fade-ms", 0, NULL);
  gst_util_set_object_arg (G_OBJECT (src), "transport", transport);
  gst_element_set_bus (src, bus);
  if (in_handler)
    gst_bus_set_sync_handler (bus, set_text_on_warning, &next, NULL);
  /* A live source follows its clock: a real one here, from the start. */
  clock = gst_system_clock_obtain ();
  gst_element_set_clock (src, clock);
  gst_object_unref (clock);
  h = test_harness_new_src (src, CAPS);
  gst_harness_play (h);

  msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
      GST_MESSAGE_WARNING | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no warning");
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_WARNING);
  gst_message_parse_warning (msg, &warning, NULL);
  fail_unless (warning->domain == GST_RESOURCE_ERROR
      || warning->domain == GST_STREAM_ERROR);
  g_error_free (warning);
  gst_message_unref (msg);

  /* The stream goes on; the next utterance plays in full, from the running
   * time its started message gives. */
  if (!in_handler)
    g_object_set (src, "text", "Second", NULL);
  deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  while (!finished) {
    GstBuffer *buf = gst_harness_pull (h);

    fail_unless (buf != NULL);
    fail_unless (g_get_monotonic_time () < deadline,
        "the next utterance did not finish within 20 s");
    g_ptr_array_add (buffers, buf);
    while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
      const GstStructure *st = gst_message_get_structure (msg);

      const gchar *id = gst_structure_get_string (st, "id");

      /* The failed first utterance posted its own messages before. */
      if (g_strcmp0 (id, "utterance-2") == 0) {
        if (gst_structure_has_name (st, "cartesia-utterance-started"))
          fail_unless (gst_structure_get_uint64 (st, "running-time", &start));
        if (gst_structure_has_name (st, "cartesia-utterance-failed"))
          fail ("the next utterance failed too: %s",
              gst_structure_get_string (st, "reason"));
        if (gst_structure_has_name (st, "cartesia-utterance-finished")) {
          finished = TRUE;
          fail_unless (gst_structure_get_uint64 (st, "running-time", &end));
        }
      }
      gst_message_unref (msg);
    }
  }
  /* The message is posted as the buffer holding the end is made: that
   * buffer may not have been pulled yet. */
  for (;;) {
    GstBuffer *last = g_ptr_array_index (buffers, buffers->len - 1);

    if (GST_BUFFER_PTS (last) + GST_BUFFER_DURATION (last) >= end)
      break;
    last = gst_harness_pull (h);
    fail_unless (last != NULL);
    g_ptr_array_add (buffers, last);
  }
  fail_unless (GST_CLOCK_TIME_IS_VALID (start));
  /* From the sample at @start on (the jitter margin may start speech
   * inside a buffer). */
  for (i = 0; i < buffers->len; i++) {
    GstBuffer *buf = g_ptr_array_index (buffers, i);
    GstMapInfo map;
    gsize skip = 0;

    if (GST_BUFFER_PTS (buf) + GST_BUFFER_DURATION (buf) <= start)
      continue;
    if (GST_BUFFER_PTS (buf) < start)
      skip = gst_util_uint64_scale_round (start - GST_BUFFER_PTS (buf),
          16000, GST_SECOND) * 2;
    gst_buffer_map (buf, &map, GST_MAP_READ);
    fail_unless (skip <= map.size);
    g_byte_array_append (audio, map.data + skip, map.size - skip);
    gst_buffer_unmap (buf, &map);
  }
  fail_unless (audio->len >= len);
  fail_unless (memcmp (audio->data, expected, len) == 0);
  g_ptr_array_unref (buffers);

  gst_harness_teardown (h);
  gst_element_set_bus (src, NULL);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
  gst_object_unref (src);
  g_byte_array_unref (audio);
  g_free (expected);
  cartesia_emulator_free (emu);
}

GST_START_TEST (test_live_fault_recovers)
{
  static const gchar *live_faults[] = { "error-after-chunks=1",
    "stall-after-chunks=1", "drop-after-chunks=1", "malformed=json"
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (live_faults); i++) {
    GST_INFO ("live fault %s", live_faults[i]);
    check_live_recovers ("websocket", live_faults[i], FALSE);
    check_live_recovers ("sse", live_faults[i], FALSE);
  }
}

GST_END_TEST;

/* The next text answered in full before the streaming thread takes it in
 * (as when it is set from another thread while the element is busy): the
 * answer plays.  Before the fix it was dropped, and the utterance never
 * finished. */
GST_START_TEST (test_live_answer_before_taken_in)
{
  check_live_recovers ("websocket", "error-after-chunks=1", TRUE);
  check_live_recovers ("sse", "error-after-chunks=1", TRUE);
}

GST_END_TEST;

static Suite *
cartesiattssrc_faults_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-faults");
  TCase *tc = tcase_create ("matrix");

  suite_add_tcase (s, tc);
  tcase_add_loop_test (tc, test_fault_websocket, 0, G_N_ELEMENTS (faults));
  tcase_add_loop_test (tc, test_fault_sse, 0, G_N_ELEMENTS (faults));
  tcase_add_test (tc, test_live_fault_recovers);
  tcase_add_test (tc, test_live_answer_before_taken_in);
  return s;
}

GST_CHECK_MAIN (cartesiattssrc_faults);
