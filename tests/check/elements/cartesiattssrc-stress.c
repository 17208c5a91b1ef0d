/* cartesiattssrc: flushing and state changes never hang, crash or leak.
 *
 * Each test starts its own emulator on a free loopback port.  Every state
 * change goes through test_set_state_bounded(), which fails a slow one and
 * turns a hung one into a prompt abort that names it.  Leaks show in the
 * sanitizer build (LeakSanitizer) and, for GStreamer objects, through
 * gst_check_object_destroyed_on_unref() and weak pointers here.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/check/gstharness.h>

#include "cartesia-test-utils.h"

#define TEXT "Hello world"
/* 43 characters: 2.15 s of speech. */
#define LONG_TEXT "The quick brown fox jumps over the lazy dog"
/* 80 characters: 4 s of speech. */
#define FLUSH_TEXT "Flushing never loses the thread of the story, it only " \
  "drops what was in flight."
/* 10 ms of S16LE at 44100 Hz per chunk. */
#define SMALL_CHUNK "882"
#define S16_CAPS "audio/x-raw, format=S16LE, layout=interleaved, channels=1, " \
  "rate=44100"
#define SEED 0x5eed

/* ---- watching the src pad and the bus ---- */

typedef struct
{
  GMutex lock;
  GCond cond;
  guint buffers;                /* since watch_reset() */
  guint64 bytes;                /* since watch_reset() */
  gboolean eos;                 /* an EOS event left the src pad */
  TestRun *run;                 /* when set: collect the audio here */
  guint errors;                 /* ERROR messages posted, ever */
  gchar *first_error;
} Watch;

static void
watch_init (Watch * w)
{
  memset (w, 0, sizeof (*w));
  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
}

static void
watch_clear (Watch * w)
{
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  g_free (w->first_error);
}

static void
watch_reset (Watch * w)
{
  g_mutex_lock (&w->lock);
  w->buffers = 0;
  w->bytes = 0;
  w->eos = FALSE;
  g_mutex_unlock (&w->lock);
}

static GstPadProbeReturn
watch_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Watch *w = data;

  g_mutex_lock (&w->lock);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);

    w->buffers++;
    w->bytes += gst_buffer_get_size (buf);
    if (w->run) {
      GstMapInfo map;

      gst_buffer_map (buf, &map, GST_MAP_READ);
      g_byte_array_append (w->run->audio, map.data, map.size);
      gst_buffer_unmap (buf, &map);
      g_ptr_array_add (w->run->buffers, gst_buffer_ref (buf));
    }
  } else if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) ==
      GST_EVENT_EOS) {
    w->eos = TRUE;
  }
  g_cond_broadcast (&w->cond);
  g_mutex_unlock (&w->lock);
  return GST_PAD_PROBE_OK;
}

static GstBusSyncReply
watch_bus (GstBus * bus, GstMessage * msg, gpointer data)
{
  Watch *w = data;

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *error = NULL;
    gchar *debug = NULL;

    gst_message_parse_error (msg, &error, &debug);
    g_mutex_lock (&w->lock);
    if (w->errors++ == 0)
      w->first_error = g_strdup_printf ("%s (%s)", error->message,
          GST_STR_NULL (debug));
    g_mutex_unlock (&w->lock);
    g_error_free (error);
    g_free (debug);
  }
  return GST_BUS_PASS;
}

/* Watches @src's pad and @pipeline's bus. */
static void
watch_attach (Watch * w, GstElement * pipeline, GstElement * src)
{
  GstPad *pad = gst_element_get_static_pad (src, "src");
  GstBus *bus = gst_element_get_bus (pipeline);

  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, watch_probe, w, NULL);
  gst_bus_set_sync_handler (bus, watch_bus, w, NULL);
  gst_object_unref (bus);
  gst_object_unref (pad);
}

static gboolean
watch_wait_buffers (Watch * w, guint n, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () +
      timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean ok;

  g_mutex_lock (&w->lock);
  while (w->buffers < n && g_cond_wait_until (&w->cond, &w->lock, deadline));
  ok = w->buffers >= n;
  g_mutex_unlock (&w->lock);
  return ok;
}

static void
assert_no_errors (Watch * w)
{
  g_mutex_lock (&w->lock);
  fail_unless (w->errors == 0, "%u ERROR messages, the first: %s", w->errors,
      w->first_error);
  g_mutex_unlock (&w->lock);
}

/* Pops messages until EOS; fails on an ERROR or after @timeout_s. */
static void
wait_eos (GstElement * pipeline, guint timeout_s)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, timeout_s * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);

  fail_unless (msg != NULL, "no EOS after %u s", timeout_s);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *error = NULL;

    gst_message_parse_error (msg, &error, NULL);
    fail ("error instead of EOS: %s", error->message);
  }
  gst_message_unref (msg);
  gst_object_unref (bus);
}

/* Frees @pipeline and checks that it and @src really went. */
static void
destroy_pipeline (GstElement * pipeline, GstElement ** src_weak)
{
  test_destroyed_on_unref (pipeline);
  fail_unless (*src_weak == NULL, "the source outlived its pipeline");
}

/* The websockets the element opened are all closed again, cleanly. */
static void
assert_closed_cleanly (CartesiaEmulator * emu, guint min_clean_closes)
{
  CartesiaEmulatorStats stats;

  fail_unless (test_emulator_wait_closed (emu, 3000, &stats),
      "%u websockets still open", stats.open_connections);
  GST_INFO ("%u connections, %u clean client closes (last code %u), %u "
      "contexts cancelled", stats.ws_connections, stats.ws_client_closes,
      stats.ws_client_close_code, stats.contexts_cancelled);
  fail_unless (stats.ws_client_closes >= min_clean_closes,
      "only %u close frames from the client, expected at least %u",
      stats.ws_client_closes, min_clean_closes);
  fail_unless_equals_int (stats.ws_client_close_code, 1000);
}

/* ---- NULL -> PLAYING -> NULL in the middle of an utterance ---- */

GST_START_TEST (test_play_null_cycles)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, LONG_TEXT);
  GstElement *pipeline = test_pipeline_new (src, NULL);
  GRand *rand = g_rand_new_with_seed (SEED);
  CartesiaEmulatorStats stats;
  guint i, waited = 0;
  gsize len;
  guint8 *expected = cartesia_emulator_render (LONG_TEXT, "pcm_s16le",
      44100, &len);
  Watch w;
  TestRun run;

  test_emulator_set (emu, "pacing", "realtime");
  g_object_add_weak_pointer (G_OBJECT (src), (gpointer *) & src);
  watch_init (&w);
  watch_attach (&w, pipeline, src);

  for (i = 0; i < 200; i++) {
    watch_reset (&w);
    fail_if (test_set_state_bounded (pipeline, GST_STATE_PLAYING, 3000) ==
        GST_STATE_CHANGE_FAILURE, "cycle %u: PLAYING failed", i);
    if (i % 2 == 0) {
      /* The utterance is streaming: the server is mid-generation. */
      fail_unless (watch_wait_buffers (&w, 1, 5000), "cycle %u: no audio", i);
      waited++;
    } else {
      /* Anywhere: handshake, request, first chunk... */
      g_usleep (g_rand_int_range (rand, 0, 20001));
    }
    fail_unless_equals_int (test_set_state_bounded (pipeline, GST_STATE_NULL,
            3000), GST_STATE_CHANGE_SUCCESS);
  }
  assert_no_errors (&w);

  /* The element still works, exactly. */
  test_pipeline_run (pipeline, 30, &run);
  test_assert_audio (&run, expected, len, 44100, 2);
  test_run_clear (&run);

  /* Every utterance cut short was cancelled, and every socket closed with
   * 1000, not dropped. */
  assert_closed_cleanly (emu, waited + 1);
  stats = test_emulator_stats (emu);
  fail_unless (stats.contexts_cancelled >= waited, "%u cancels for %u "
      "interrupted utterances", stats.contexts_cancelled, waited);

  destroy_pipeline (pipeline, &src);
  watch_clear (&w);
  g_rand_free (rand);
  g_free (expected);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- READY -> PAUSED -> READY: connect ahead, then close ---- */

GST_START_TEST (test_ready_paused_cycles)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, NULL);
  GstElement *pipeline;
  CartesiaEmulatorStats stats;
  guint i, waited = 0;
  Watch w;

  /* Live without text: PAUSED opens the websocket and sends nothing. */
  g_object_set (src, "is-live", TRUE, NULL);
  g_object_add_weak_pointer (G_OBJECT (src), (gpointer *) & src);
  pipeline = test_pipeline_new (src, NULL);
  watch_init (&w);
  watch_attach (&w, pipeline, src);
  fail_unless_equals_int (test_set_state_bounded (pipeline, GST_STATE_READY,
          3000), GST_STATE_CHANGE_SUCCESS);

  for (i = 0; i < 200; i++) {
    guint before = test_emulator_stats (emu).ws_connections;

    fail_unless_equals_int (test_set_state_bounded (pipeline,
            GST_STATE_PAUSED, 3000), GST_STATE_CHANGE_NO_PREROLL);
    if (i % 2 == 0) {
      gint64 deadline = g_get_monotonic_time () + 3 * G_TIME_SPAN_SECOND;

      while (test_emulator_stats (emu).ws_connections == before
          && g_get_monotonic_time () < deadline)
        g_usleep (1000);
      fail_unless (test_emulator_stats (emu).ws_connections > before,
          "cycle %u: PAUSED did not connect", i);
      waited++;
    }
    fail_unless_equals_int (test_set_state_bounded (pipeline,
            GST_STATE_READY, 3000), GST_STATE_CHANGE_SUCCESS);
  }
  fail_unless_equals_int (test_set_state_bounded (pipeline, GST_STATE_NULL,
          3000), GST_STATE_CHANGE_SUCCESS);
  assert_no_errors (&w);

  assert_closed_cleanly (emu, waited);
  stats = test_emulator_stats (emu);
  fail_unless_equals_int (stats.contexts_started, 0);
  fail_unless_equals_int (w.buffers, 0);

  destroy_pipeline (pipeline, &src);
  watch_clear (&w);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- flushing ---- */

GST_START_TEST (test_flush_mid_utterance)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, FLUSH_TEXT);
  GstElement *pipeline = test_pipeline_new (src, NULL);
  gsize len;
  guint8 *expected = cartesia_emulator_render (FLUSH_TEXT, "pcm_s16le",
      44100, &len);
  guint64 flushed_at;
  guint i, tail;
  TestRun run;
  Watch w;

  test_emulator_set (emu, "pacing", "realtime");
  test_emulator_set (emu, "chunk-bytes", SMALL_CHUNK);
  g_object_add_weak_pointer (G_OBJECT (src), (gpointer *) & src);
  test_run_init (&run);
  watch_init (&w);
  w.run = &run;
  watch_attach (&w, pipeline, src);

  fail_if (test_set_state_bounded (pipeline, GST_STATE_PLAYING, 3000) ==
      GST_STATE_CHANGE_FAILURE);
  fail_unless (watch_wait_buffers (&w, 1, 5000));

  for (i = 0; i < 100; i++) {
    TestWatchdog *dog = test_watchdog_start (5000, "flush #%u", i);

    fail_unless (gst_element_send_event (src, gst_event_new_flush_start ()),
        "flush-start #%u refused", i);
    fail_unless (gst_element_send_event (src,
            gst_event_new_flush_stop (TRUE)), "flush-stop #%u refused", i);
    test_watchdog_stop (dog);
    g_usleep (5000);
  }
  g_mutex_lock (&w.lock);
  fail_if (w.eos, "the utterance ended before the flushes did: make it "
      "longer");
  flushed_at = w.bytes;
  g_mutex_unlock (&w.lock);

  /* The utterance goes on after the last flush, to its very end. */
  wait_eos (pipeline, 20);
  fail_unless_equals_int (test_set_state_bounded (pipeline, GST_STATE_NULL,
          3000), GST_STATE_CHANGE_SUCCESS);
  assert_no_errors (&w);
  GST_INFO ("%u of %" G_GSIZE_FORMAT " bytes arrived, %" G_GUINT64_FORMAT
      " before the last flush", run.audio->len, len, flushed_at);
  fail_unless (run.audio->len <= len);
  tail = run.audio->len - flushed_at;
  fail_unless (tail > 0, "nothing arrived after the flushes");
  fail_unless (memcmp (run.audio->data + flushed_at, expected + len - tail,
          tail) == 0, "what followed the flushes is not the end of the "
      "utterance");

  destroy_pipeline (pipeline, &src);
  w.run = NULL;
  test_run_clear (&run);
  watch_clear (&w);
  g_free (expected);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

GST_START_TEST (test_flushing_seek)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, TEXT);
  GstElement *pipeline = test_pipeline_new (src, NULL);
  gsize len;
  guint8 *expected = cartesia_emulator_render (TEXT, "pcm_s16le", 44100,
      &len);
  gint64 start, elapsed_ms;
  gboolean seeked;
  TestRun run;
  Watch w;

  test_emulator_set (emu, "pacing", "realtime");
  g_object_add_weak_pointer (G_OBJECT (src), (gpointer *) & src);
  test_run_init (&run);
  watch_init (&w);
  w.run = &run;
  watch_attach (&w, pipeline, src);

  fail_if (test_set_state_bounded (pipeline, GST_STATE_PLAYING, 3000) ==
      GST_STATE_CHANGE_FAILURE);
  fail_unless (watch_wait_buffers (&w, 1, 5000));

  /* Generated speech has nothing to seek in: refused at once, no flush. */
  start = g_get_monotonic_time ();
  seeked = gst_element_seek_simple (pipeline, GST_FORMAT_TIME,
      GST_SEEK_FLAG_FLUSH, 0);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  fail_if (seeked, "a seek in generated speech succeeded");
  fail_unless (elapsed_ms < 1000, "the seek took %" G_GINT64_FORMAT " ms",
      elapsed_ms);

  wait_eos (pipeline, 20);
  fail_unless_equals_int (test_set_state_bounded (pipeline, GST_STATE_NULL,
          3000), GST_STATE_CHANGE_SUCCESS);
  assert_no_errors (&w);
  g_mutex_lock (&w.lock);
  run.eos = w.eos;
  w.run = NULL;
  g_mutex_unlock (&w.lock);
  test_assert_audio (&run, expected, len, 44100, 2);

  destroy_pipeline (pipeline, &src);
  test_run_clear (&run);
  watch_clear (&w);
  g_free (expected);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- stopping while the network is stuck ---- */

GST_START_TEST (test_null_while_stalled)
{
  CartesiaEmulator *emu = test_emulator_new ();
  guint i;

  test_emulator_set (emu, "pacing", "realtime");
  test_emulator_set (emu, "stall-after-chunks", "1");
  for (i = 0; i < 3; i++) {
    GstElement *src = test_make_src (emu, LONG_TEXT);
    GstElement *pipeline = test_pipeline_new (src, NULL);
    Watch w;

    /* No timeout: only the state change can end the wait. */
    g_object_set (src, "timeout", 0, NULL);
    g_object_add_weak_pointer (G_OBJECT (src), (gpointer *) & src);
    watch_init (&w);
    watch_attach (&w, pipeline, src);
    fail_if (test_set_state_bounded (pipeline, GST_STATE_PLAYING, 3000) ==
        GST_STATE_CHANGE_FAILURE);
    fail_unless (watch_wait_buffers (&w, 1, 5000));
    g_usleep (200 * 1000);
    fail_unless_equals_int (w.buffers, 1);
    fail_unless_equals_int (test_set_state_bounded (pipeline, GST_STATE_NULL,
            2000), GST_STATE_CHANGE_SUCCESS);
    assert_no_errors (&w);
    destroy_pipeline (pipeline, &src);
    watch_clear (&w);
  }
  assert_closed_cleanly (emu, 3);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

GST_START_TEST (test_null_while_retrying)
{
  CartesiaEmulator *emu = test_emulator_new ();
  guint i;

  test_emulator_set (emu, "http-status", "503");
  for (i = 0; i < 2; i++) {
    GstElement *src = test_make_src (emu, TEXT);
    GstElement *pipeline = test_pipeline_new (src, NULL);
    guint before = test_emulator_stats (emu).ws_rejected, after;
    /* First in the 1 s backoff after the first refusal, then in the 2 s one
     * after the second. */
    guint refusals = i + 1;
    gint64 deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
    Watch w;

    g_object_set (src, "retries", -1, "retry-backoff-factor", 1.0, NULL);
    g_object_add_weak_pointer (G_OBJECT (src), (gpointer *) & src);
    watch_init (&w);
    watch_attach (&w, pipeline, src);
    fail_if (test_set_state_bounded (pipeline, GST_STATE_PLAYING, 3000) ==
        GST_STATE_CHANGE_FAILURE);
    while (test_emulator_stats (emu).ws_rejected < before + refusals
        && g_get_monotonic_time () < deadline)
      g_usleep (2000);
    fail_unless (test_emulator_stats (emu).ws_rejected >= before + refusals);
    g_usleep (50 * 1000);
    fail_unless_equals_int (test_set_state_bounded (pipeline, GST_STATE_NULL,
            2000), GST_STATE_CHANGE_SUCCESS);
    /* And it stopped trying. */
    after = test_emulator_stats (emu).ws_rejected;
    g_usleep (100 * 1000);
    fail_unless_equals_int (test_emulator_stats (emu).ws_rejected, after);
    assert_no_errors (&w);
    destroy_pipeline (pipeline, &src);
    watch_clear (&w);
  }
  cartesia_emulator_free (emu);
}

GST_END_TEST;

GST_START_TEST (test_null_while_handshake_hangs)
{
  gchar *url;
  GSocket *silent = test_listen_silent (&url);
  guint i;

  for (i = 0; i < 5; i++) {
    GstElement *src = gst_element_factory_make ("cartesiattssrc", NULL);
    GstElement *pipeline = test_pipeline_new (src, NULL);
    Watch w;

    /* No timeout: only the state change can end the wait. */
    g_object_set (src, "base-url", url, "api-key", TEST_API_KEY, "text", TEXT,
        "timeout", 0, "retries", -1, NULL);
    g_object_add_weak_pointer (G_OBJECT (src), (gpointer *) & src);
    watch_init (&w);
    watch_attach (&w, pipeline, src);
    fail_if (test_set_state_bounded (pipeline, GST_STATE_PLAYING, 3000) ==
        GST_STATE_CHANGE_FAILURE);
    g_usleep (i * 50 * 1000);
    fail_unless_equals_int (test_set_state_bounded (pipeline, GST_STATE_NULL,
            2000), GST_STATE_CHANGE_SUCCESS);
    assert_no_errors (&w);
    destroy_pipeline (pipeline, &src);
    watch_clear (&w);
  }
  g_socket_close (silent, NULL);
  g_object_unref (silent);
  g_free (url);
}

GST_END_TEST;

/* ---- GstHarness: pull a few buffers, tear down mid-utterance ---- */

static GstBuffer *
pull_bounded (GstHarness * h, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () +
      timeout_ms * G_TIME_SPAN_MILLISECOND;
  GstBuffer *buf;

  while ((buf = gst_harness_try_pull (h)) == NULL
      && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  return buf;
}

GST_START_TEST (test_harness_teardown_mid_utterance)
{
  CartesiaEmulator *emu = test_emulator_new ();
  gsize len;
  guint8 *expected = cartesia_emulator_render (LONG_TEXT, "pcm_s16le",
      44100, &len);
  guint i, j;

  test_emulator_set (emu, "pacing", "realtime");
  test_emulator_set (emu, "chunk-bytes", SMALL_CHUNK);
  for (i = 0; i < 100; i++) {
    /* Configured before the harness has it: with a sink pad template, the
     * harness plays the element at once.  The harness holds the only ref. */
    GstElement *element = gst_object_ref_sink (test_make_src (emu, LONG_TEXT));
    GstHarness *h = test_harness_new_src (element, S16_CAPS);
    TestWatchdog *dog;
    gint64 start, elapsed_ms;

    gst_object_unref (element);
    g_object_add_weak_pointer (G_OBJECT (element), (gpointer *) & element);
    gst_harness_play (h);

    for (j = 0; j < 3; j++) {
      GstBuffer *buf = pull_bounded (h, 5000);
      GstMapInfo map;

      fail_unless (buf != NULL, "round %u: no buffer %u", i, j);
      fail_unless_equals_uint64 (GST_BUFFER_OFFSET (buf), j * 441);
      fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), j * 10 * GST_MSECOND);
      gst_buffer_map (buf, &map, GST_MAP_READ);
      fail_unless_equals_int (map.size, 882);
      fail_unless (memcmp (map.data, expected + j * 882, 882) == 0);
      gst_buffer_unmap (buf, &map);
      gst_buffer_unref (buf);
    }

    start = g_get_monotonic_time ();
    dog = test_watchdog_start (10000, "gst_harness_teardown, round %u", i);
    gst_harness_teardown (h);
    test_watchdog_stop (dog);
    elapsed_ms = (g_get_monotonic_time () - start) / 1000;
    fail_unless (elapsed_ms < 2000, "round %u: teardown took %"
        G_GINT64_FORMAT " ms", i, elapsed_ms);
    fail_unless (element == NULL, "round %u: the element outlived its "
        "harness", i);
  }
  assert_closed_cleanly (emu, 100);
  g_free (expected);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

static Suite *
cartesiattssrc_stress_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-stress");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_play_null_cycles);
  tcase_add_test (tc, test_ready_paused_cycles);
  tcase_add_test (tc, test_flush_mid_utterance);
  tcase_add_test (tc, test_flushing_seek);
  tcase_add_test (tc, test_null_while_stalled);
  tcase_add_test (tc, test_null_while_retrying);
  tcase_add_test (tc, test_null_while_handshake_hangs);
  tcase_add_test (tc, test_harness_teardown_mid_utterance);
  return s;
}

GST_CHECK_MAIN (cartesiattssrc_stress);
