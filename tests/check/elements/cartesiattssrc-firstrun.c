/* cartesiattssrc: what a new user meets first — the documentation link
 * gst-inspect-1.0 shows, the stats before anything was said, and buffer
 * sizes from GstBaseSrc's blocksize — against the emulator. */
#include "cartesia-test-utils.h"

#include <string.h>

#define HELLO "Hello world"
#define DOC_PATH "/blob/main/docs/cartesiattssrc.md"

/* gst-inspect-1.0's Doc-uri line: the element's reference, in the
 * repository the plugin names as its origin. */
GST_START_TEST (test_doc_uri)
{
  GstElementFactory *factory = gst_element_factory_find ("cartesiattssrc");
  GstPlugin *plugin;
  const gchar *uri;
  gchar *expected;

  fail_unless (factory != NULL);
  plugin = gst_plugin_feature_get_plugin (GST_PLUGIN_FEATURE (factory));
  fail_unless (plugin != NULL);
  fail_unless (g_str_has_prefix (gst_plugin_get_origin (plugin), "https://"));
  expected = g_strconcat (gst_plugin_get_origin (plugin), DOC_PATH, NULL);
  uri = gst_element_factory_get_metadata (factory,
      GST_ELEMENT_METADATA_DOC_URI);
  fail_unless_equals_string (uri, expected);
  g_free (expected);
  gst_object_unref (plugin);
  gst_object_unref (factory);
}

GST_END_TEST;

static guint64
stats_u64 (GstElement * src, const gchar * field)
{
  GstStructure *stats = NULL;
  guint64 v = 0;

  g_object_get (src, "stats", &stats, NULL);
  fail_unless (stats != NULL);
  fail_unless (gst_structure_get_uint64 (stats, field, &v), "no %s in %"
      GST_PTR_FORMAT, field, stats);
  gst_structure_free (stats);
  return v;
}

/* Before any audio came, the times are GST_CLOCK_TIME_NONE, present and
 * testable with GST_CLOCK_TIME_IS_VALID() (as the property's blurb and the
 * reference say); after a failed utterance too. */
GST_START_TEST (test_stats_none)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = gst_object_ref_sink (test_make_src (emu, HELLO));
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (src),
      "stats");
  TestRun run;

  fail_unless (strstr (g_param_spec_get_blurb (pspec),
          "18446744073709551615 (GST_CLOCK_TIME_NONE)") != NULL);
  fail_unless_equals_uint64 (stats_u64 (src, "time-to-first-audio"),
      GST_CLOCK_TIME_NONE);
  fail_unless_equals_uint64 (stats_u64 (src, "time-to-first-audio-mean"),
      GST_CLOCK_TIME_NONE);
  fail_unless_equals_uint64 (stats_u64 (src, "underrun-duration"), 0);

  test_emulator_set (emu, "http-status", "401");
  test_run_pipeline (src, NULL, 30, &run);  /* the pipeline adds a ref */
  fail_unless (run.error != NULL);
  fail_unless (g_error_matches (run.error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_NOT_AUTHORIZED), "%s", run.error->message);
  fail_unless (!GST_CLOCK_TIME_IS_VALID (stats_u64 (src,
              "time-to-first-audio")));
  fail_unless (!GST_CLOCK_TIME_IS_VALID (stats_u64 (src,
              "time-to-first-audio-mean")));
  test_run_clear (&run);
  gst_object_unref (src);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* Runs HELLO in @caps with @blocksize (-1: not set) over chunks of
 * @chunk_bytes, asserts the audio is the server's, byte for byte, stamped
 * contiguously, and that every buffer but the last holds @want bytes (0:
 * one chunk each, as the server sent them). */
static void
check_blocks (const gchar * caps, const gchar * encoding, gint rate, guint bpf,
    gint64 blocksize, const gchar * chunk_bytes, gsize want)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, HELLO);
  gsize len, chunk = g_ascii_strtoull (chunk_bytes, NULL, 10), total = 0;
  guint8 *expected = cartesia_emulator_render (HELLO, encoding, rate, &len);
  TestRun run;
  guint i, n;

  fail_unless (expected != NULL);
  if (blocksize >= 0)
    g_object_set (src, "blocksize", (guint) blocksize, NULL);
  test_emulator_set (emu, "chunk-bytes", chunk_bytes);
  test_run_pipeline (src, caps, 60, &run);
  test_assert_audio (&run, expected, len, rate, bpf);

  n = run.buffers->len;
  fail_unless (n > 1);
  for (i = 0; i < n; i++) {
    gsize size = gst_buffer_get_size (g_ptr_array_index (run.buffers, i));

    total += size;
    if (want == 0) {
      /* The server's chunks: whole samples of each, a split sample joined
       * to the next (chunk_bytes here are whole samples). */
      fail_unless (i == n - 1 ? size <= chunk : size == chunk,
          "buffer %u: %" G_GSIZE_FORMAT " bytes, chunks of %" G_GSIZE_FORMAT,
          i, size, chunk);
    } else if (i < n - 1) {
      fail_unless_equals_uint64 (size, want);
    } else {
      fail_unless (size > 0 && size <= want);
      fail_unless_equals_uint64 (size, len - (gsize) (n - 1) * want);
    }
  }
  fail_unless_equals_uint64 (total, len);
  fail_unless_equals_uint64 (n, want ? (len + want - 1) / want :
      (len + chunk - 1) / chunk);

  test_run_clear (&run);
  g_free (expected);
  cartesia_emulator_free (emu);
}

/* The default: buffers are the server's chunks, pushed as they come. */
GST_START_TEST (test_blocksize_default_chunks)
{
  GstElement *src = gst_element_factory_make ("cartesiattssrc", NULL);
  guint blocksize = 0;

  g_object_get (src, "blocksize", &blocksize, NULL);
  fail_unless_equals_int (blocksize, G_MAXUINT);
  gst_object_unref (src);

  check_blocks ("audio/x-raw,format=S16LE,rate=44100", "pcm_s16le", 44100,
      2, -1, "1000", 0);
  /* 0 means the same. */
  check_blocks ("audio/x-raw,format=S16LE,rate=44100", "pcm_s16le", 44100,
      2, 0, "4096", 0);
}

GST_END_TEST;

/* blocksize=100: 100-byte buffers from chunks that split samples (333
 * bytes), the last one short; regrouping loses and adds nothing. */
GST_START_TEST (test_blocksize_exact)
{
  check_blocks ("audio/x-raw,format=S16LE,rate=44100", "pcm_s16le", 44100,
      2, 100, "333", 100);
  /* Larger than a chunk: several chunks make one buffer. */
  check_blocks ("audio/x-raw,format=S16LE,rate=44100", "pcm_s16le", 44100,
      2, 10000, "4096", 10000);
  check_blocks ("audio/x-mulaw,rate=8000", "pcm_mulaw", 8000, 1, 160, "4096",
      160);
}

GST_END_TEST;

/* A blocksize that is not whole samples rounds down to them; one smaller
 * than a sample gives one sample per buffer. */
GST_START_TEST (test_blocksize_whole_samples)
{
  check_blocks ("audio/x-raw,format=F32LE,rate=24000", "pcm_f32le", 24000,
      4, 1001, "4096", 1000);
  check_blocks ("audio/x-raw,format=F32LE,rate=8000", "pcm_f32le", 8000,
      4, 3, "777", 4);
}

GST_END_TEST;

/* A server error in the middle of an utterance: the whole blocks before it
 * went out, what waited for a block is dropped with the utterance, and the
 * error is the server's. */
GST_START_TEST (test_blocksize_error)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, HELLO);
  gsize len;
  guint8 *expected = cartesia_emulator_render (HELLO, "pcm_s16le", 44100,
      &len);
  TestRun run;
  guint i;

  g_object_set (src, "blocksize", 100, NULL);
  test_emulator_set (emu, "chunk-bytes", "4096");
  test_emulator_set (emu, "error-after-chunks", "2");
  test_emulator_set (emu, "error-status", "400");
  test_run_pipeline (src, "audio/x-raw,format=S16LE,rate=44100", 30, &run);
  fail_unless (run.error != NULL);
  fail_unless (g_error_matches (run.error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS), "%s", run.error->message);
  /* 8192 bytes came: 81 blocks of 100 bytes, 92 bytes short of the next. */
  fail_unless_equals_int (run.buffers->len, 81);
  for (i = 0; i < run.buffers->len; i++)
    fail_unless_equals_uint64 (gst_buffer_get_size (g_ptr_array_index
            (run.buffers, i)), 100);
  fail_unless (memcmp (run.audio->data, expected, run.audio->len) == 0);
  test_run_clear (&run);
  g_free (expected);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* Live mode ignores blocksize: samplesperbuffer sizes its buffers. */
GST_START_TEST (test_blocksize_live_ignored)
{
  CartesiaEmulator *emu = test_emulator_new ();
  /* No text: silence, every buffer whole. */
  GstElement *src = gst_object_ref_sink (test_make_src (emu, NULL));
  GstHarness *h;
  guint i;

  g_object_set (src, "is-live", TRUE, "blocksize", 100,
      "samplesperbuffer", 441, NULL);
  h = test_harness_new_src (src, "audio/x-raw,format=S16LE,rate=44100");
  for (i = 0; i < 3; i++) {
    GstBuffer *buf;

    gst_harness_crank_single_clock_wait (h);
    buf = gst_harness_pull (h);
    fail_unless (buf != NULL);
    fail_unless_equals_uint64 (gst_buffer_get_size (buf), 882);
    gst_buffer_unref (buf);
  }
  gst_harness_teardown (h);
  gst_object_unref (src);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

static Suite *
cartesiattssrc_firstrun_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-firstrun");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_doc_uri);
  tcase_add_test (tc, test_stats_none);
  tcase_add_test (tc, test_blocksize_default_chunks);
  tcase_add_test (tc, test_blocksize_exact);
  tcase_add_test (tc, test_blocksize_whole_samples);
  tcase_add_test (tc, test_blocksize_error);
  tcase_add_test (tc, test_blocksize_live_ignored);
  return s;
}

GST_CHECK_MAIN (cartesiattssrc_firstrun);
