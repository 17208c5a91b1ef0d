/* speak-file: speaks a text with cartesiattssrc into a WAV file.
 *
 *   speak-file [OPTION...] TEXT OUTPUT.wav
 *
 * Builds the pipeline
 *
 *   cartesiattssrc ! audio/x-raw,format=S16LE,rate=R ! wavenc ! filesink
 *
 * element by element, waits for EOS or an error on the bus, prints word
 * timings as they arrive (--words) and the element's statistics at the end.
 *
 * The API key comes from CARTESIA_API_KEY (the element reads it itself).
 * The server is --base-url, else CARTESIA_BASE_URL, else Cartesia's API: run
 * `cartesia-emulator` and point CARTESIA_BASE_URL at the URL it prints to try
 * it without an account.
 *
 * Build: cc speak-file.c -o speak-file $(pkg-config --cflags --libs gstreamer-1.0)
 */
#include <gst/gst.h>
#include <stdlib.h>

typedef struct
{
  gchar *base_url;
  gchar *transport;
  gint rate;
  gboolean words;
} Options;

static GstElement *
make (const gchar * factory, const gchar * name)
{
  GstElement *element = gst_element_factory_make (factory, name);

  if (element == NULL)
    g_printerr ("speak-file: no element '%s': is its plugin installed%s?\n",
        factory, g_str_equal (factory, "cartesiattssrc") ?
        " (set GST_PLUGIN_PATH to the build's gst/cartesia directory)" : "");
  return element;
}

static GstElement *
build_pipeline (const Options * options, const gchar * text,
    const gchar * path)
{
  GstElement *pipeline = gst_pipeline_new ("speak-file");
  GstElement *src = make ("cartesiattssrc", "tts");
  GstElement *filter = make ("capsfilter", NULL);
  GstElement *enc = make ("wavenc", NULL);
  GstElement *sink = make ("filesink", NULL);
  GstCaps *caps;

  if (!src || !filter || !enc || !sink) {
    gst_clear_object (&src);
    gst_clear_object (&filter);
    gst_clear_object (&enc);
    gst_clear_object (&sink);
    gst_object_unref (pipeline);
    return NULL;
  }

  g_object_set (src, "text", text, "word-timestamps", options->words, NULL);
  if (options->base_url)
    g_object_set (src, "base-url", options->base_url, NULL);
  if (options->transport)
    gst_util_set_object_arg (G_OBJECT (src), "transport", options->transport);

  /* Cartesia is asked for exactly this format: no conversion needed */
  caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING, "S16LE",
      "rate", G_TYPE_INT, options->rate, NULL);
  g_object_set (filter, "caps", caps, NULL);
  gst_caps_unref (caps);
  g_object_set (sink, "location", path, NULL);

  gst_bin_add_many (GST_BIN (pipeline), src, filter, enc, sink, NULL);
  if (!gst_element_link_many (src, filter, enc, sink, NULL)) {
    g_printerr ("speak-file: cannot link the pipeline\n");
    gst_object_unref (pipeline);
    return NULL;
  }
  return pipeline;
}

static void
print_error (GstMessage * msg)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *debug = NULL;
  const GstStructure *details = NULL;
  guint status;

  gst_message_parse_error (msg, &error, &debug);
  g_printerr ("speak-file: error from %s: %s\n", GST_OBJECT_NAME (msg->src),
      error->message);
  if (debug)
    g_printerr ("  (%s)\n", debug);
  /* HTTP or server status, when there was one */
  gst_message_parse_error_details (msg, &details);
  if (details && gst_structure_get_uint (details, "http-status-code", &status))
    g_printerr ("  HTTP status %u\n", status);
  if (g_error_matches (error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_NOT_AUTHORIZED))
    g_printerr ("  check CARTESIA_API_KEY\n");
}

static void
print_word (const GstStructure * s)
{
  guint64 timestamp = 0, duration = 0;

  gst_structure_get_uint64 (s, "timestamp", &timestamp);
  gst_structure_get_uint64 (s, "duration", &duration);
  g_print ("%" GST_TIME_FORMAT " +%" GST_TIME_FORMAT "  %s\n",
      GST_TIME_ARGS (timestamp), GST_TIME_ARGS (duration),
      gst_structure_get_string (s, "word"));
}

/* Statistics, where the element has them (the `stats` property). */
static void
print_stats (GstElement * pipeline)
{
  g_autoptr (GstElement) src = gst_bin_get_by_name (GST_BIN (pipeline),
      "tts");
  GstStructure *stats = NULL;
  g_autofree gchar *text = NULL;

  if (!g_object_class_find_property (G_OBJECT_GET_CLASS (src), "stats"))
    return;
  g_object_get (src, "stats", &stats, NULL);
  if (stats == NULL)
    return;
  text = gst_structure_to_string (stats);
  g_print ("stats: %s\n", text);
  gst_structure_free (stats);
}

/* Runs @pipeline to EOS; FALSE on an error. */
static gboolean
run (GstElement * pipeline, gboolean words)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  gboolean ok = FALSE, done = FALSE;

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    /* the reason (no key, bad base-url...) is an error on the bus */
    g_autoptr (GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

    if (msg)
      print_error (msg);
    else
      g_printerr ("speak-file: the pipeline does not start\n");
    return FALSE;
  }

  while (!done) {
    g_autoptr (GstMessage) msg = gst_bus_timed_pop_filtered (bus,
        GST_CLOCK_TIME_NONE, GST_MESSAGE_EOS | GST_MESSAGE_ERROR |
        GST_MESSAGE_WARNING | GST_MESSAGE_ELEMENT);

    switch (GST_MESSAGE_TYPE (msg)) {
      case GST_MESSAGE_EOS:
        ok = done = TRUE;
        break;
      case GST_MESSAGE_ERROR:
        print_error (msg);
        done = TRUE;
        break;
      case GST_MESSAGE_WARNING:{
        g_autoptr (GError) error = NULL;

        gst_message_parse_warning (msg, &error, NULL);
        g_printerr ("speak-file: warning: %s\n", error->message);
        break;
      }
      case GST_MESSAGE_ELEMENT:{
        const GstStructure *s = gst_message_get_structure (msg);

        if (words && gst_structure_has_name (s, "cartesia-word"))
          print_word (s);
        break;
      }
      default:
        break;
    }
  }
  if (ok)
    print_stats (pipeline);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return ok;
}

int
main (int argc, char **argv)
{
  Options options = { NULL, NULL, 44100, FALSE };
  GOptionEntry entries[] = {
    {"base-url", 'u', 0, G_OPTION_ARG_STRING, &options.base_url,
        "API root (default: $CARTESIA_BASE_URL, else Cartesia's API)", "URL"},
    {"rate", 'r', 0, G_OPTION_ARG_INT, &options.rate,
        "Sample rate: 8000, 16000, 22050, 24000, 44100 or 48000 (default "
          "44100)", "HZ"},
    {"transport", 't', 0, G_OPTION_ARG_STRING, &options.transport,
        "websocket (default) or sse", "NAME"},
    {"words", 'w', 0, G_OPTION_ARG_NONE, &options.words,
        "Print each word with its timestamp", NULL},
    {NULL}
  };
  g_autoptr (GOptionContext) context =
      g_option_context_new ("TEXT OUTPUT.wav - speak a text into a WAV file");
  g_autoptr (GError) error = NULL;
  GstElement *pipeline;
  gboolean ok;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("speak-file: %s\n", error->message);
    return 2;
  }
  if (argc != 3) {
    g_printerr ("usage: speak-file [OPTION...] TEXT OUTPUT.wav\n");
    return 2;
  }
  if (options.base_url == NULL && g_getenv ("CARTESIA_BASE_URL"))
    options.base_url = g_strdup (g_getenv ("CARTESIA_BASE_URL"));

  pipeline = build_pipeline (&options, argv[1], argv[2]);
  if (pipeline == NULL)
    return 1;
  ok = run (pipeline, options.words);
  gst_object_unref (pipeline);
  if (ok)
    g_print ("wrote %s\n", argv[2]);

  g_free (options.base_url);
  g_free (options.transport);
  gst_deinit ();
  return ok ? 0 : 1;
}
