/* cartesiattssrc: what a new user meets first — the documentation link
 * gst-inspect-1.0 shows, the stats before anything was said — against the
 * emulator. */
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

static Suite *
cartesiattssrc_firstrun_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-firstrun");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_doc_uri);
  tcase_add_test (tc, test_stats_none);
  return s;
}

GST_CHECK_MAIN (cartesiattssrc_firstrun);
