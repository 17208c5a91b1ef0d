/* broadcast-automation: a music bed, announcements spoken on a schedule with
 * the music ducked under them, and live captions on a video.
 *
 *   broadcast-automation [OPTION...] [MUSIC-FILE]
 *
 *   audiotestsrc or uridecodebin (MUSIC-FILE) ! capsfilter name=music ! audiomixer name=mix ! audio sink
 *   cartesiattssrc name=tts is-live=true ! mix.
 *   videotestsrc is-live=true ! textoverlay name=ov ! video sink
 *   tts.subtitle_src ! ov.text_sink
 *
 * The schedule is a file of "SECONDS TEXT" lines (--schedule; blank lines
 * and lines starting with '#' are skipped) or a built-in one.  Each
 * announcement is queued with the queue-utterance action signal when the
 * pipeline's running time reaches its SECONDS (a clock wait on the pipeline
 * clock).  The element's messages drive the rest:
 *
 *   cartesia-utterance-started   (running-time of its first sample)
 *       -> the music ramps down to --duck over --ramp-ms from that time
 *   cartesia-utterance-finished  (running-time after its last sample)
 *       -> unless another announcement is queued, the music ramps back up
 *   cartesia-utterance-failed    -> reported; the show goes on
 *
 * The music's level is the "volume" of its audiomixer pad, ramped by control
 * points (GstInterpolationControlSource, linear) at the running times the
 * element reports.  They are set from a bus *sync* handler: it runs in the
 * element's streaming thread while it posts "started", before it pushes the
 * buffer that holds the first sample of speech, so before the mixer can mix
 * that moment -- the music dips exactly under the speech.  (A volume element
 * on the music branch would process the music in its own thread, possibly
 * before the message is posted, and start the ramp late.)  The mixer applies
 * control values once per input buffer, so the music source makes 10 ms
 * buffers for a smooth ramp.
 *
 * Captions come from the subtitle_src pad: each announcement's text from its
 * first sample to its last (or word by word with --words), with GAP events
 * in between so that textoverlay never waits for text.
 *
 * When the last announcement is done the music plays on for --tail seconds,
 * then the program stops and exits: 0 when every announcement was spoken,
 * 1 when one failed, the pipeline failed or it was interrupted.
 *
 * The API key comes from CARTESIA_API_KEY (the element reads it itself).
 * Without it, --base-url must point at a cartesia-emulator (some key is then
 * sent; the emulator accepts any unless started with --api-key).
 *
 * --headless replaces the speakers and the screen with fakesinks that still
 * run in real time (sync=true), for tests and servers.
 *
 * Build: cc broadcast-automation.c -o broadcast-automation \
 *          $(pkg-config --cflags --libs gstreamer-1.0 gstreamer-controller-1.0)
 */
#include <gst/gst.h>
#include <gst/controller/gstinterpolationcontrolsource.h>
#include <gst/controller/gstdirectcontrolbinding.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  gdouble at;                   /* seconds of running time */
  gchar *text;
} Announcement;

typedef struct
{
  /* options */
  gchar *base_url;
  gchar *schedule_path;
  gchar *voice;
  gboolean headless;
  gboolean words;
  gdouble duck;
  guint ramp_ms;
  gdouble tail;
  gchar *music;

  /* the show */
  GArray *schedule;             /* Announcement */
  GstElement *pipeline;
  GstElement *tts;
  GstPad *music_pad;            /* the mixer's pad for the music */
  GstControlSource *ramp;       /* its "volume" control source */
  GMainLoop *loop;
  GstClockID *waits;            /* one per announcement */

  /* The utterances, followed from the bus sync handler (any thread). */
  GMutex lock;
  GHashTable *active;           /* id -> WAITING or ON_AIR */
  guint done, failed;
  GstClockTime last_point;      /* the latest control point */
  gdouble level;                /* the volume the ramps end at */

  gboolean music_down;          /* as the mixer last applied it */

  gboolean stopping;
  gboolean error;
  guint stop_source;
} Show;

/* Everything the program says goes to stdout, one whole line at a time, from
 * whichever thread. */
static void
say (const gchar * format, ...) G_GNUC_PRINTF (1, 2);

static void
say (const gchar * format, ...)
{
  static GMutex lock;
  va_list args;
  gchar *line;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  g_mutex_lock (&lock);
  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
  g_mutex_unlock (&lock);
  g_free (line);
}

static const Announcement builtin_schedule[] = {
  {1.0, "Good evening. You are listening to GStreamer radio."},
  {6.0, "Traffic: the ring road is clear in both directions."},
  {11.0, "Weather: sunny spells, twenty one degrees."},
  {16.0, "Coming up after the news: the late show."},
};

static void
announcement_clear (gpointer data)
{
  g_free (((Announcement *) data)->text);
}

static gint
by_time (gconstpointer a, gconstpointer b)
{
  const Announcement *x = a, *y = b;

  return x->at < y->at ? -1 : x->at > y->at;
}

/* "SECONDS TEXT" lines. */
static GArray *
load_schedule (const gchar * path, GError ** error)
{
  GArray *schedule = g_array_new (FALSE, FALSE, sizeof (Announcement));
  gchar *contents = NULL, **lines, **line;
  guint number = 0;

  g_array_set_clear_func (schedule, announcement_clear);
  if (path == NULL) {
    guint i;

    for (i = 0; i < G_N_ELEMENTS (builtin_schedule); i++) {
      Announcement a = { builtin_schedule[i].at,
        g_strdup (builtin_schedule[i].text)
      };
      g_array_append_val (schedule, a);
    }
    return schedule;
  }
  if (!g_file_get_contents (path, &contents, NULL, error)) {
    g_array_unref (schedule);
    return NULL;
  }
  lines = g_strsplit (contents, "\n", -1);
  g_free (contents);
  for (line = lines; *line; line++) {
    gchar *text, *end;
    Announcement a;

    number++;
    g_strstrip (*line);
    if (**line == '\0' || **line == '#')
      continue;
    a.at = g_ascii_strtod (*line, &end);
    text = g_strstrip (end);
    if (end == *line || a.at < 0 || *text == '\0') {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
          "%s:%u: expected \"SECONDS TEXT\"", path, number);
      g_strfreev (lines);
      g_array_unref (schedule);
      return NULL;
    }
    a.text = g_strdup (text);
    g_array_append_val (schedule, a);
  }
  g_strfreev (lines);
  g_array_sort (schedule, by_time);
  if (schedule->len == 0) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "%s: no announcements", path);
    g_array_unref (schedule);
    return NULL;
  }
  return schedule;
}

/* ---- the pipeline ---- */

static GstElement *
build_pipeline (Show * show, GError ** error)
{
  gchar *music, *video_sink, *audio_sink, *desc;
  GstElement *pipeline;

  if (show->music) {
    gchar *uri = gst_uri_is_valid (show->music) ? g_strdup (show->music) :
        gst_filename_to_uri (show->music, error);
    if (uri == NULL)
      return NULL;
    music = g_strdup_printf ("uridecodebin uri=\"%s\" ! audioconvert ! "
        "audioresample", uri);
    g_free (uri);
  } else {
    music = g_strdup ("audiotestsrc is-live=true wave=sine freq=220 "
        "volume=0.3 samplesperbuffer=480");
  }
  /* Headless: no speakers, no screen, but still real time. */
  audio_sink = g_strdup (show->headless ? "fakesink sync=true" :
      "autoaudiosink");
  video_sink = g_strdup (show->headless ? "fakesink sync=true" :
      "autovideosink");

  desc = g_strdup_printf (
      /* the music bed, on a mixer pad whose volume ducks it */
      "%s ! audio/x-raw,rate=48000,channels=2 ! capsfilter name=music ! "
      "audiomixer name=mix ! audio/x-raw,rate=48000,channels=2 ! "
      "audioconvert ! audioresample ! %s "
      /* the announcements: a live source, silent between them */
      "cartesiattssrc name=tts is-live=true ! audio/x-raw,rate=48000 ! mix. "
      /* the captions, over a test picture */
      "videotestsrc is-live=true pattern=smpte ! "
      "video/x-raw,width=%d,height=%d,framerate=%d/1 ! "
      "textoverlay name=ov valignment=bottom halignment=center "
      "shaded-background=true font-desc=\"Sans %d\" ! videoconvert ! %s "
      "tts.subtitle_src ! ov.text_sink",
      music, audio_sink, show->headless ? 320 : 1280,
      show->headless ? 180 : 720, show->headless ? 10 : 25,
      show->headless ? 12 : 32, video_sink);
  pipeline = gst_parse_launch_full (desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS,
      error);
  g_free (desc);
  g_free (music);
  g_free (audio_sink);
  g_free (video_sink);
  return pipeline;
}

/* The music's level follows control points on the running time (the
 * stream time of its pad: the music starts at 0 with the pipeline). */
static gboolean
setup_ramp (Show * show)
{
  GstElement *music = gst_bin_get_by_name (GST_BIN (show->pipeline), "music");
  GstPad *pad = gst_element_get_static_pad (music, "src");

  show->music_pad = gst_pad_get_peer (pad);
  gst_object_unref (pad);
  gst_object_unref (music);
  if (show->music_pad == NULL)
    return FALSE;
  show->ramp = gst_interpolation_control_source_new ();
  g_object_set (show->ramp, "mode", GST_INTERPOLATION_MODE_LINEAR, NULL);
  gst_object_add_control_binding (GST_OBJECT (show->music_pad),
      gst_direct_control_binding_new_absolute (GST_OBJECT (show->music_pad),
          "volume", show->ramp));
  show->level = 1.0;
  show->last_point = 0;
  gst_timed_value_control_source_set (GST_TIMED_VALUE_CONTROL_SOURCE
      (show->ramp), 0, 1.0);
  return TRUE;
}

/* Ramps the music from where it is to @level, starting at running time @at
 * (or after the ramp already under way). */
static void
ramp_to (Show * show, gdouble level, GstClockTime at)
{
  GstTimedValueControlSource *tv = GST_TIMED_VALUE_CONTROL_SOURCE (show->ramp);
  GstClockTime start = MAX (at, show->last_point);

  gst_timed_value_control_source_set (tv, start, show->level);
  gst_timed_value_control_source_set (tv, start + show->ramp_ms * GST_MSECOND,
      level);
  show->last_point = start + show->ramp_ms * GST_MSECOND;
  show->level = level;
}

/* ---- the schedule ---- */

typedef struct
{
  Show *show;
  guint index;
} Due;

static gboolean
queue_announcement (gpointer data)
{
  Due *due = data;
  Show *show = due->show;
  Announcement *a = &g_array_index (show->schedule, Announcement, due->index);
  gchar *id = g_strdup_printf ("announcement-%u", due->index + 1);

  g_signal_emit_by_name (show->tts, "queue-utterance", a->text, id);
  g_free (id);
  return G_SOURCE_REMOVE;
}

/* Clock thread: an announcement is due; the main loop queues it. */
static gboolean
on_due (GstClock * clock, GstClockTime time, GstClockID id, gpointer data)
{
  Due *due = data;

  g_main_context_invoke_full (NULL, G_PRIORITY_HIGH, queue_announcement,
      g_memdup2 (due, sizeof (Due)), g_free);
  return TRUE;
}

/* Once PLAYING: one clock wait per announcement, at base time + SECONDS. */
static void
schedule_announcements (Show * show)
{
  GstClock *clock = gst_pipeline_get_clock (GST_PIPELINE (show->pipeline));
  GstClockTime base = gst_element_get_base_time (show->pipeline);
  guint i;

  show->waits = g_new0 (GstClockID, show->schedule->len);
  for (i = 0; i < show->schedule->len; i++) {
    Announcement *a = &g_array_index (show->schedule, Announcement, i);
    Due *due = g_new0 (Due, 1);

    due->show = show;
    due->index = i;
    show->waits[i] = gst_clock_new_single_shot_id (clock,
        base + (GstClockTime) (a->at * GST_SECOND));
    gst_clock_id_wait_async (show->waits[i], on_due, due, g_free);
  }
  gst_object_unref (clock);
  say ("on air: %u announcements, the last at %.1f s", show->schedule->len,
      g_array_index (show->schedule, Announcement,
          show->schedule->len - 1).at);
}

/* The end of the show.  The pipeline is simply stopped (set to NULL by
 * main()): nothing is being recorded that would need an EOS to finish its
 * file.  (Sending EOS to this pipeline can also stall it: cartesiattssrc in
 * live mode does not, so far, forward an EOS sent to it to its subtitle_src
 * pad, and textoverlay then waits for text forever.) */
static gboolean
stop_show (gpointer data)
{
  Show *show = data;

  show->stop_source = 0;
  g_mutex_lock (&show->lock);
  say ("schedule done: %u announcements, %u failed", show->done,
      show->failed);
  g_mutex_unlock (&show->lock);
  say ("off air");
  show->stopping = TRUE;
  g_main_loop_quit (show->loop);
  return G_SOURCE_REMOVE;
}

/* Main loop: after the last announcement, the tail, then EOS. */
static void
maybe_finish (Show * show)
{
  gboolean all;

  g_mutex_lock (&show->lock);
  all = show->done + show->failed >= show->schedule->len;
  g_mutex_unlock (&show->lock);
  if (!all || show->stop_source || show->stopping)
    return;
  show->stop_source = g_timeout_add ((guint) (show->tail * 1000), stop_show,
      show);
}

/* The number in "announcement-N". */
static guint
number_of (const GstStructure * s)
{
  const gchar *id = gst_structure_get_string (s, "id");

  return id && g_str_has_prefix (id, "announcement-") ?
      (guint) g_ascii_strtoull (id + 13, NULL, 10) : 0;
}

/* The announcements on air or waiting, by id: ON_AIR once started. */
#define WAITING GINT_TO_POINTER (1)
#define ON_AIR GINT_TO_POINTER (2)

static void
on_utterance (Show * show, const GstStructure * s)
{
  const gchar *name = gst_structure_get_name (s);
  const gchar *id = gst_structure_get_string (s, "id");
  guint n = number_of (s);
  guint64 rt = 0, duration = 0, ttfa = GST_CLOCK_TIME_NONE, underrun = 0;
  gboolean interrupted = FALSE;

  gst_structure_get_uint64 (s, "running-time", &rt);
  gst_structure_get_uint64 (s, "duration", &duration);
  gst_structure_get_uint64 (s, "time-to-first-audio", &ttfa);
  gst_structure_get_uint64 (s, "underrun-duration", &underrun);
  gst_structure_get_boolean (s, "interrupted", &interrupted);

  if (g_str_equal (name, "cartesia-utterance-queued")) {
    /* (It may come after "started": the element posts it once the
     * utterance is already on its way.) */
    if (!g_hash_table_contains (show->active, id))
      g_hash_table_insert (show->active, g_strdup (id), WAITING);
    say ("announcement %u queued: %s", n, gst_structure_get_string (s,
            "text"));
  } else if (g_str_equal (name, "cartesia-utterance-started")) {
    g_hash_table_insert (show->active, g_strdup (id), ON_AIR);
    say ("announcement %u started at %.3f s (first audio after %.0f ms)", n,
        rt / 1e9, GST_CLOCK_TIME_IS_VALID (ttfa) ? ttfa / 1e6 : -1.0);
    if (show->level != show->duck) {
      ramp_to (show, show->duck, rt);
      say ("ducked to %.2f at %.3f s", show->duck, rt / 1e9);
    }
  } else if (g_str_equal (name, "cartesia-utterance-finished")) {
    g_hash_table_remove (show->active, id);
    show->done++;
    say ("announcement %u done at %.3f s (%.2f s of speech%s)", n, rt / 1e9,
        duration / 1e9, interrupted ? ", interrupted" : "");
    if (underrun)
      say ("announcement %u: %.0f ms of silence waiting for the server", n,
          underrun / 1e6);
    /* The next one, if queued, starts on the very next sample: stay down. */
    if (g_hash_table_size (show->active) == 0 && show->level != 1.0) {
      ramp_to (show, 1.0, rt);
      say ("unducked at %.3f s", rt / 1e9);
    }
  } else if (g_str_equal (name, "cartesia-utterance-failed")) {
    /* No "finished" follows a failure. */
    g_hash_table_remove (show->active, id);
    show->failed++;
    say ("announcement %u failed: %s", n, gst_structure_get_string (s,
            "reason"));
    if (g_hash_table_size (show->active) == 0 && show->level != 1.0) {
      ramp_to (show, 1.0, show->last_point);
      say ("unducked");
    }
  }
}

/* In the thread that posts: the element's streaming thread for "started"
 * and "finished", before the buffer they describe is pushed. */
static GstBusSyncReply
on_sync_message (GstBus * bus, GstMessage * msg, gpointer data)
{
  Show *show = data;

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT
      && GST_MESSAGE_SRC (msg) == GST_OBJECT (show->tts)) {
    g_mutex_lock (&show->lock);
    on_utterance (show, gst_message_get_structure (msg));
    g_mutex_unlock (&show->lock);
  }
  return GST_BUS_PASS;
}

static gboolean
on_message (GstBus * bus, GstMessage * msg, gpointer data)
{
  Show *show = data;
  GError *err = NULL;
  gchar *debug = NULL;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ELEMENT:
      if (GST_MESSAGE_SRC (msg) == GST_OBJECT (show->tts))
        maybe_finish (show);
      break;
    case GST_MESSAGE_STATE_CHANGED:{
      GstState old, state;

      gst_message_parse_state_changed (msg, &old, &state, NULL);
      if (GST_MESSAGE_SRC (msg) == GST_OBJECT (show->pipeline)
          && state == GST_STATE_PLAYING && show->waits == NULL)
        schedule_announcements (show);
      break;
    }
    case GST_MESSAGE_WARNING:
      gst_message_parse_warning (msg, &err, &debug);
      g_printerr ("warning from %s: %s\n", GST_MESSAGE_SRC_NAME (msg),
          err->message);
      break;
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (msg, &err, &debug);
      g_printerr ("error from %s: %s\n%s\n", GST_MESSAGE_SRC_NAME (msg),
          err->message, debug ? debug : "");
      show->error = TRUE;
      g_main_loop_quit (show->loop);
      break;
    case GST_MESSAGE_EOS:
      /* Only if every branch ended (a music file and the announcements). */
      say ("end of stream");
      g_main_loop_quit (show->loop);
      break;
    default:
      break;
  }
  g_clear_error (&err);
  g_free (debug);
  return G_SOURCE_CONTINUE;
}

/* The captions as they go to the overlay. */
static GstPadProbeReturn
on_caption (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_READ);
  if (map.size)
    say ("caption at %.3f s: %.*s", GST_BUFFER_PTS (buf) / 1e9,
        (int) map.size, (const gchar *) map.data);
  else
    say ("caption cleared at %.3f s", GST_BUFFER_PTS (buf) / 1e9);
  gst_buffer_unmap (buf, &map);
  return GST_PAD_PROBE_OK;
}

/* What the mixer actually applied to the music, as it mixes: reports when
 * a ramp has reached the bottom and when it is back up. */
static GstPadProbeReturn
on_mixed (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Show *show = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  gdouble volume;

  g_object_get (show->music_pad, "volume", &volume, NULL);
  if (!show->music_down && volume <= show->duck + 1e-6) {
    show->music_down = TRUE;
    say ("music down to %.2f at %.3f s", volume, GST_BUFFER_PTS (buf) / 1e9);
  } else if (show->music_down && volume >= 1.0 - 1e-6) {
    show->music_down = FALSE;
    say ("music back to %.2f at %.3f s", volume, GST_BUFFER_PTS (buf) / 1e9);
  }
  return GST_PAD_PROBE_OK;
}

static gboolean
on_signal (gpointer data)
{
  Show *show = data;

  say ("interrupted: stopping");
  show->error = TRUE;
  g_main_loop_quit (show->loop);
  return G_SOURCE_REMOVE;
}

/* A show that does not end (a server that never answers) must not keep
 * the program alive. */
static gboolean
on_deadline (gpointer data)
{
  Show *show = data;

  g_printerr ("broadcast-automation: --max-seconds reached; stopping\n");
  show->error = TRUE;
  g_main_loop_quit (show->loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char *argv[])
{
  Show show = { 0, };
  gchar **rest = NULL;
  gdouble max_seconds = 0;
  GOptionEntry entries[] = {
    {"base-url", 0, 0, G_OPTION_ARG_STRING, &show.base_url,
        "API root (needed without CARTESIA_API_KEY: a cartesia-emulator's "
          "URL)", "URL"},
    {"schedule", 's', 0, G_OPTION_ARG_FILENAME, &show.schedule_path,
        "Announcements, one \"SECONDS TEXT\" line each (default: built in)",
        "FILE"},
    {"voice", 0, 0, G_OPTION_ARG_STRING, &show.voice, "Cartesia voice id",
        "UUID"},
    {"headless", 0, 0, G_OPTION_ARG_NONE, &show.headless,
        "No speakers or screen: fakesinks, still in real time", NULL},
    {"words", 0, 0, G_OPTION_ARG_NONE, &show.words,
        "Caption word by word (word timestamps)", NULL},
    {"duck", 0, 0, G_OPTION_ARG_DOUBLE, &show.duck,
        "Music volume under speech (default 0.2)", "LEVEL"},
    {"ramp-ms", 0, 0, G_OPTION_ARG_INT, &show.ramp_ms,
        "Duration of the ramps (default 250)", "MS"},
    {"tail", 0, 0, G_OPTION_ARG_DOUBLE, &show.tail,
        "Music after the last announcement, seconds (default 1)", "S"},
    {"max-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &max_seconds,
        "Give up after this long (default: the schedule + 60 s)", "S"},
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL,
        "[MUSIC-FILE]"},
    {NULL}
  };
  GOptionContext *context;
  GError *error = NULL;
  GstBus *bus;
  GstPad *pad;
  GstElement *overlay, *mixer;
  guint i;
  int status;

  g_mutex_init (&show.lock);
  show.active = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  show.duck = 0.2;
  show.ramp_ms = 250;
  show.tail = 1.0;
  context = g_option_context_new ("[MUSIC-FILE] - broadcast automation with "
      "cartesiattssrc");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("broadcast-automation: %s\n", error->message);
    return 2;
  }
  g_option_context_free (context);
  if (rest && rest[0])
    show.music = g_strdup (rest[0]);
  g_strfreev (rest);

  {
    const gchar *key = g_getenv ("CARTESIA_API_KEY");

    if ((key == NULL || *key == '\0') && show.base_url == NULL) {
      g_printerr ("broadcast-automation: set CARTESIA_API_KEY, or give "
          "--base-url of a cartesia-emulator\n");
      return 2;
    }
  }

  show.schedule = load_schedule (show.schedule_path, &error);
  if (show.schedule == NULL) {
    g_printerr ("broadcast-automation: %s\n", error->message);
    return 2;
  }

  show.pipeline = build_pipeline (&show, &error);
  if (show.pipeline == NULL) {
    g_printerr ("broadcast-automation: %s (are the cartesia, pango and base "
        "plugins installed?)\n", error ? error->message : "no pipeline");
    return 1;
  }
  show.tts = gst_bin_get_by_name (GST_BIN (show.pipeline), "tts");
  if (show.base_url) {
    const gchar *key = g_getenv ("CARTESIA_API_KEY");

    g_object_set (show.tts, "base-url", show.base_url, NULL);
    if (key == NULL || *key == '\0')
      g_object_set (show.tts, "api-key", "emulator", NULL);
  }
  if (show.voice)
    g_object_set (show.tts, "voice-id", show.voice, NULL);
  g_object_set (show.tts, "word-timestamps", show.words, NULL);
  if (!setup_ramp (&show)) {
    g_printerr ("broadcast-automation: the music is not linked to the mixer\n");
    return 1;
  }

  mixer = gst_bin_get_by_name (GST_BIN (show.pipeline), "mix");
  pad = gst_element_get_static_pad (mixer, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_mixed, &show, NULL);
  gst_object_unref (pad);
  gst_object_unref (mixer);
  overlay = gst_bin_get_by_name (GST_BIN (show.pipeline), "ov");
  pad = gst_element_get_static_pad (overlay, "text_sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_caption, NULL, NULL);
  gst_object_unref (pad);
  gst_object_unref (overlay);

  show.loop = g_main_loop_new (NULL, FALSE);
  bus = gst_element_get_bus (show.pipeline);
  gst_bus_set_sync_handler (bus, on_sync_message, &show, NULL);
  gst_bus_add_watch (bus, on_message, &show);
  g_unix_signal_add (SIGINT, on_signal, &show);
  g_unix_signal_add (SIGTERM, on_signal, &show);
  if (max_seconds <= 0)
    max_seconds = g_array_index (show.schedule, Announcement,
        show.schedule->len - 1).at + show.tail + 60;
  g_timeout_add ((guint) (max_seconds * 1000), on_deadline, &show);

  say ("music bed: %s%s", show.music ? show.music : "a sine tone",
      show.headless ? " (headless)" : "");
  if (gst_element_set_state (show.pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_printerr ("broadcast-automation: the pipeline does not start\n");
    show.error = TRUE;
  } else {
    g_main_loop_run (show.loop);
  }

  gst_element_set_state (show.pipeline, GST_STATE_NULL);
  for (i = 0; show.waits && i < show.schedule->len; i++) {
    gst_clock_id_unschedule (show.waits[i]);
    gst_clock_id_unref (show.waits[i]);
  }
  g_free (show.waits);
  gst_bus_remove_watch (bus);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_object_unref (bus);
  gst_object_unref (show.ramp);
  gst_object_unref (show.music_pad);
  gst_object_unref (show.tts);
  gst_object_unref (show.pipeline);
  g_main_loop_unref (show.loop);

  status = show.error || show.failed
      || show.done < show.schedule->len ? 1 : 0;
  g_array_unref (show.schedule);
  g_hash_table_unref (show.active);
  g_free (show.base_url);
  g_free (show.schedule_path);
  g_free (show.voice);
  g_free (show.music);
  gst_deinit ();
  return status;
}
