/* cartesiattssrc: fields that two threads touch.  Each test makes the two
 * threads meet where a race was; the ThreadSanitizer stage
 * (tests/ci/stage-tsan.sh) fails on the race, the AddressSanitizer build on
 * the use after free it can cause, and the plain build checks the values. */
#include "cartesia-test-utils.h"

#define CAPS_16K "audio/x-raw,format=S16LE,rate=16000,channels=1"
#define CAPS_8K "audio/x-raw,format=S16LE,rate=8000,channels=1"

/* ---- start() and the text property ---- */

typedef struct
{
  GstElement *src;
  GThread *setter;
  gint queued;                  /* "cartesia-utterance-queued" messages */
  GMutex lock;
  GPtrArray *texts;             /* their "text", in order */
} TextRace;

static gpointer
set_second_text (gpointer user_data)
{
  g_object_set (user_data, "text", "second text", NULL);
  return NULL;
}

/* The first utterance is queued by start(), from the text property: while
 * start() is in the middle of it, another thread replaces the text (which
 * frees the old one) and is waited for. */
static GstBusSyncReply
on_queued (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  TextRace *r = user_data;
  const GstStructure *s = gst_message_get_structure (msg);
  gboolean first;

  if (GST_MESSAGE_TYPE (msg) != GST_MESSAGE_ELEMENT || s == NULL
      || !gst_structure_has_name (s, "cartesia-utterance-queued"))
    return GST_BUS_PASS;
  g_mutex_lock (&r->lock);
  g_ptr_array_add (r->texts, g_strdup (gst_structure_get_string (s, "text")));
  first = r->queued++ == 0;
  g_mutex_unlock (&r->lock);
  if (first)
    g_thread_join (g_thread_new ("set-text", set_second_text, r->src));
  return GST_BUS_PASS;
}

GST_START_TEST (test_start_text_replaced)
{
  CartesiaEmulator *emu = test_emulator_new ();
  TextRace r = { 0, };
  GstBus *bus = gst_bus_new ();
  gchar *text;

  g_mutex_init (&r.lock);
  r.texts = g_ptr_array_new_with_free_func (g_free);
  r.src = gst_object_ref_sink (test_make_src (emu, "first text"));
  g_object_set (r.src, "is-live", TRUE, NULL);
  gst_bus_set_sync_handler (bus, on_queued, &r, NULL);
  gst_element_set_bus (r.src, bus);

  /* Live, PAUSED runs start(), which queues the text set beforehand. */
  fail_unless_equals_int (test_set_state_bounded (r.src, GST_STATE_PAUSED,
          10000), GST_STATE_CHANGE_NO_PREROLL);
  fail_unless_equals_int (test_set_state_bounded (r.src, GST_STATE_NULL,
          10000), GST_STATE_CHANGE_SUCCESS);

  /* start() queued what the property said when it started; the new text
   * was queued after it. */
  fail_unless_equals_int (r.texts->len, 2);
  fail_unless_equals_string (g_ptr_array_index (r.texts, 0), "first text");
  fail_unless_equals_string (g_ptr_array_index (r.texts, 1), "second text");
  g_object_get (r.src, "text", &text, NULL);
  fail_unless_equals_string (text, "second text");
  g_free (text);

  gst_element_set_bus (r.src, NULL);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
  gst_object_unref (r.src);
  g_ptr_array_unref (r.texts);
  g_mutex_clear (&r.lock);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- set_property() and get_property() ---- */

#define N_SETS 2000

typedef struct
{
  GstElement *src;
  gint stop;
} PropRace;

/* The application sets what another thread reads (as the streaming thread
 * does, under the object lock, when it builds a request). */
static gpointer
set_properties (gpointer user_data)
{
  GstElement *src = user_data;
  gint i;

  for (i = 0; i < N_SETS; i++) {
    g_object_set (src,
        "transport", i % 2,
        "speed", 0.6 + (i % 10) / 10.0,
        "volume", 0.5 + (i % 10) / 10.0,
        "max-buffer-delay-ms", i % 1000,
        "word-timestamps", i % 2 == 1,
        "retries", i % 7,
        "retry-backoff-factor", (i % 5) / 10.0,
        "retry-backoff-max", 1.0 + i % 60,
        "timeout", (guint) (1 + i % 30), "ssl-strict", i % 2 == 0, NULL);
  }
  /* The last values, where the test looks for them. */
  g_object_set (src, "transport", 1, "speed", 1.5, "volume", 1.25,
      "max-buffer-delay-ms", 321, "word-timestamps", TRUE, "retries", 4,
      "retry-backoff-factor", 0.25, "retry-backoff-max", 7.0, "timeout", 9,
      "ssl-strict", FALSE, NULL);
  return NULL;
}

static gpointer
get_properties (gpointer user_data)
{
  PropRace *r = user_data;

  while (!g_atomic_int_get (&r->stop)) {
    gint transport, delay, retries;
    gdouble speed, volume, factor, max;
    gboolean words, strict;
    guint timeout;

    g_object_get (r->src, "transport", &transport, "speed", &speed,
        "volume", &volume, "max-buffer-delay-ms", &delay,
        "word-timestamps", &words, "retries", &retries,
        "retry-backoff-factor", &factor, "retry-backoff-max", &max,
        "timeout", &timeout, "ssl-strict", &strict, NULL);
    fail_unless (speed >= 0.6 && speed <= 1.9, "speed %f", speed);
  }
  return NULL;
}

GST_START_TEST (test_set_property_locked)
{
  PropRace r = { 0, };
  GThread *getter, *setter;
  gint transport, delay, retries;
  gdouble speed, volume, factor, max;
  gboolean words, strict;
  guint timeout;

  r.src = gst_object_ref_sink (gst_element_factory_make ("cartesiattssrc",
          NULL));
  getter = g_thread_new ("get", get_properties, &r);
  setter = g_thread_new ("set", set_properties, r.src);
  g_thread_join (setter);
  g_atomic_int_set (&r.stop, 1);
  g_thread_join (getter);

  g_object_get (r.src, "transport", &transport, "speed", &speed,
      "volume", &volume, "max-buffer-delay-ms", &delay,
      "word-timestamps", &words, "retries", &retries,
      "retry-backoff-factor", &factor, "retry-backoff-max", &max,
      "timeout", &timeout, "ssl-strict", &strict, NULL);
  fail_unless_equals_int (transport, 1);
  fail_unless_equals_float (speed, 1.5);
  fail_unless_equals_float (volume, 1.25);
  fail_unless_equals_int (delay, 321);
  fail_unless (words);
  fail_unless_equals_int (retries, 4);
  fail_unless_equals_float (factor, 0.25);
  fail_unless_equals_float (max, 7.0);
  fail_unless_equals_int (timeout, 9);
  fail_unless (!strict);
  gst_object_unref (r.src);
}

GST_END_TEST;

/* ---- the latency query and the negotiated rate ---- */

#define N_RENEGOTIATIONS 40

typedef struct
{
  GstPad *pad;
  gint stop;
  guint answered;
  GstClockTime last;
} QueryRace;

static gpointer
query_latency (gpointer user_data)
{
  QueryRace *r = user_data;

  while (!g_atomic_int_get (&r->stop)) {
    GstQuery *q = gst_query_new_latency ();

    if (gst_pad_query (r->pad, q)) {
      gboolean live;
      GstClockTime min;

      gst_query_parse_latency (q, &live, &min, NULL);
      fail_unless (live);
      r->answered++;
      r->last = min;
    }
    gst_query_unref (q);
  }
  return NULL;
}

/* A live source's caps change while the application asks for its latency:
 * one buffer (160 samples) at the rate negotiated. */
GST_START_TEST (test_latency_query_rate)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, NULL);
  GstElement *pipeline, *filter;
  QueryRace r = { 0, };
  GThread *querier;
  GstCaps *caps;
  gint i;

  g_object_set (src, "is-live", TRUE, "samplesperbuffer", 160, NULL);
  r.pad = gst_element_get_static_pad (src, "src");
  pipeline = test_pipeline_new (src, CAPS_16K);
  filter = gst_bin_get_by_name (GST_BIN (pipeline), "filter");
  fail_unless (filter != NULL);
  fail_unless (test_set_state_bounded (pipeline, GST_STATE_PLAYING, 10000)
      != GST_STATE_CHANGE_FAILURE);

  querier = g_thread_new ("query", query_latency, &r);
  for (i = 0; i < N_RENEGOTIATIONS; i++) {
    gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
    const gchar *want = i % 2 ? CAPS_16K : CAPS_8K;

    caps = gst_caps_from_string (want);
    g_object_set (filter, "caps", caps, NULL);
    /* Until the source runs at the new rate. */
    for (;;) {
      GstCaps *now = gst_pad_get_current_caps (r.pad);
      gboolean there = now && gst_caps_is_subset (now, caps);

      gst_clear_caps (&now);
      if (there)
        break;
      fail_unless (g_get_monotonic_time () < deadline,
          "no renegotiation to %s", want);
      g_usleep (1000);
    }
    gst_caps_unref (caps);
  }
  g_atomic_int_set (&r.stop, 1);
  g_thread_join (querier);

  /* Last at 16 kHz: 160 samples are 10 ms. */
  fail_unless (r.answered > 0);
  {
    GstQuery *q = gst_query_new_latency ();
    GstClockTime min;

    fail_unless (gst_pad_query (r.pad, q));
    gst_query_parse_latency (q, NULL, &min, NULL);
    fail_unless_equals_uint64 (min, 10 * GST_MSECOND);
    gst_query_unref (q);
  }

  fail_unless_equals_int (test_set_state_bounded (pipeline, GST_STATE_NULL,
          10000), GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (filter);
  gst_object_unref (r.pad);
  gst_object_unref (pipeline);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- the inbox: the application's threads and the streaming thread ---- */

#define N_SIGNALLERS 3
#define N_SIGNALS 12

typedef struct
{
  GstElement *src;
  guint k;
} Signaller;

/* One application thread: utterances, with interrupts and clears among
 * them, as fast as it can. */
static gpointer
signal_storm (gpointer data)
{
  Signaller *s = data;
  guint i;

  for (i = 0; i < N_SIGNALS; i++) {
    gchar *id = g_strdup_printf ("t%u-%u", s->k, i);

    g_signal_emit_by_name (s->src, "queue-utterance", "Hello there.", id);
    g_free (id);
    if (i % 3 == 1)
      g_signal_emit_by_name (s->src, "interrupt");
    if (i % 4 == 3)
      g_signal_emit_by_name (s->src, "clear");
  }
  return NULL;
}

/* How many utterances ended (finished, interrupted or not, or failed);
 * fails if one ended twice or one ended that was never queued. */
static guint
count_ended (TestMessages * m)
{
  GHashTable *queued = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTable *ended = g_hash_table_new (g_str_hash, g_str_equal);
  guint i, n;

  g_mutex_lock (&m->lock);
  for (i = 0; i < m->messages->len; i++) {
    GstStructure *s = g_ptr_array_index (m->messages, i);
    const gchar *id = gst_structure_get_string (s, "id");

    if (gst_structure_has_name (s, "cartesia-utterance-queued"))
      fail_unless (g_hash_table_add (queued, (gpointer) id), "%s queued "
          "twice", id);
    if (gst_structure_has_name (s, "cartesia-utterance-finished")
        || gst_structure_has_name (s, "cartesia-utterance-failed")) {
      fail_unless (g_hash_table_contains (queued, id), "%s ended, never "
          "queued", id);
      fail_unless (g_hash_table_add (ended, (gpointer) id), "%s ended "
          "twice", id);
    }
  }
  g_mutex_unlock (&m->lock);
  n = g_hash_table_size (ended);
  g_hash_table_unref (queued);
  g_hash_table_unref (ended);
  return n;
}

/* Several application threads queue, interrupt and clear at once while the
 * streaming thread takes what they queued from the inbox (its own lock)
 * and the session thread answers: each utterance is queued once and ends
 * once, and none is lost. */
GST_START_TEST (test_inbox_many_threads)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, NULL);
  Signaller signallers[N_SIGNALLERS];
  GThread *threads[N_SIGNALLERS];
  GstElement *pipeline;
  TestMessages m;
  gint64 deadline;
  guint k, ended;

  g_object_set (src, "is-live", TRUE, "samplesperbuffer", 160, NULL);
  pipeline = test_pipeline_new (src, CAPS_16K);
  test_messages_attach (&m, pipeline);
  fail_unless (test_set_state_bounded (pipeline, GST_STATE_PLAYING, 10000)
      != GST_STATE_CHANGE_FAILURE);

  for (k = 0; k < N_SIGNALLERS; k++) {
    signallers[k].src = src;
    signallers[k].k = k;
    threads[k] = g_thread_new ("signals", signal_storm, &signallers[k]);
  }
  for (k = 0; k < N_SIGNALLERS; k++)
    g_thread_join (threads[k]);
  /* Whatever still waits or speaks goes. */
  g_signal_emit_by_name (src, "clear");
  g_signal_emit_by_name (src, "interrupt");

  deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  while ((ended = count_ended (&m)) < N_SIGNALLERS * N_SIGNALS) {
    fail_unless (g_get_monotonic_time () < deadline, "%u of %u utterances "
        "ended after 60 s", ended, N_SIGNALLERS * N_SIGNALS);
    g_usleep (10 * 1000);
  }
  fail_unless_equals_int (ended, N_SIGNALLERS * N_SIGNALS);
  g_mutex_lock (&m.lock);
  fail_unless (m.error == NULL, "%s", m.error ? m.error->message : "");
  g_mutex_unlock (&m.lock);

  fail_unless_equals_int (test_set_state_bounded (pipeline, GST_STATE_NULL,
          10000), GST_STATE_CHANGE_SUCCESS);
  test_messages_detach (&m, pipeline);
  gst_object_unref (pipeline);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

static Suite *
cartesiattssrc_races_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-races");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_start_text_replaced);
  tcase_add_test (tc, test_set_property_locked);
  tcase_add_test (tc, test_latency_query_rate);
  tcase_add_test (tc, test_inbox_many_threads);
  return s;
}

GST_CHECK_MAIN (cartesiattssrc_races);
