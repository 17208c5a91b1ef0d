/* cartesiattssrc in live mode: a clocked source driven by a GstTestClock. */
#include "cartesia-test-utils.h"

#include <gst/check/gstharness.h>
#include <gst/check/gsttestclock.h>

#define RATE 16000
#define SPB 160                 /* 10 ms buffers */
#define CAPS "audio/x-raw,format=S16LE,rate=16000"

typedef struct
{
  CartesiaEmulator *emu;
  GstElement *src;
  GstHarness *h;
  GstBus *bus;
  GMutex lock;
  GPtrArray *messages;          /* GstStructure copies, in order */
  GByteArray *audio;            /* every sample pulled */
  GPtrArray *buffers;
} Live;

static GstBusSyncReply
collect (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  Live *l = user_data;
  const GstStructure *s = gst_message_get_structure (msg);

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT && s) {
    g_mutex_lock (&l->lock);
    g_ptr_array_add (l->messages, gst_structure_copy (s));
    g_mutex_unlock (&l->lock);
  } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING) {
    GError *e = NULL;

    gst_message_parse_warning (msg, &e, NULL);
    g_mutex_lock (&l->lock);
    g_ptr_array_add (l->messages, gst_structure_new ("warning",
            "domain", G_TYPE_STRING, g_quark_to_string (e->domain),
            "code", G_TYPE_INT, e->code,
            "text", G_TYPE_STRING, e->message, NULL));
    g_mutex_unlock (&l->lock);
    g_error_free (e);
  } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *e = NULL;

    gst_message_parse_error (msg, &e, NULL);
    fail ("unexpected ERROR in live mode: %s", e->message);
  }
  /* Left on the bus until live_free() flushes it: GST_BUS_DROP from here
   * leaked the messages (and so the element) under LeakSanitizer. */
  return GST_BUS_PASS;
}

/* A live source at 16 kHz with 10 ms buffers, no fades (byte-exact), and
 * speech starting where its buffer starts (no jitter margin), on a test
 * clock.  Properties as "name=value;..." in @props. */
static Live *
live_new_with_caps (const gchar * text, const gchar * props,
    const gchar * caps)
{
  Live *l = g_new0 (Live, 1);

  l->emu = test_emulator_new ();
  l->src = gst_object_ref_sink (test_make_src (l->emu, text));
  g_object_set (l->src, "is-live", TRUE, "samplesperbuffer", SPB,
      "fade-ms", 0, "jitter-margin-ms", 0, NULL);
  test_set_props (l->src, props);
  g_mutex_init (&l->lock);
  l->messages = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_structure_free);
  l->audio = g_byte_array_new ();
  l->buffers = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_buffer_unref);
  l->bus = gst_bus_new ();
  gst_bus_set_sync_handler (l->bus, collect, l, NULL);
  gst_element_set_bus (l->src, l->bus);
  /* Plays at once, on the harness's test clock. */
  l->h = test_harness_new_src (l->src, caps);
  return l;
}

static Live *
live_new (const gchar * text, const gchar * props)
{
  return live_new_with_caps (text, props, CAPS);
}

static void
live_free (Live * l)
{
  gst_harness_teardown (l->h);
  gst_element_set_bus (l->src, NULL);
  gst_bus_set_sync_handler (l->bus, NULL, NULL, NULL);
  gst_bus_set_flushing (l->bus, TRUE);
  gst_object_unref (l->bus);
  gst_object_unref (l->src);
  g_ptr_array_unref (l->messages);
  g_ptr_array_unref (l->buffers);
  g_byte_array_unref (l->audio);
  g_mutex_clear (&l->lock);
  cartesia_emulator_free (l->emu);
  g_free (l);
}

/* Takes the next buffer the source made. */
static GstBuffer *
live_step_pull (Live * l)
{
  GstBuffer *buf;
  GstMapInfo map;

  buf = gst_harness_pull (l->h);
  fail_unless (buf != NULL);
  gst_buffer_map (buf, &map, GST_MAP_READ);
  g_byte_array_append (l->audio, map.data, map.size);
  gst_buffer_unmap (buf, &map);
  g_ptr_array_add (l->buffers, buf);
  return buf;
}

/* Takes every buffer the source has made already (first audio may wake it
 * before the clock), so the next step is the first buffer made after
 * whatever the test does now. */
static void
live_sync (Live * l)
{
  while (gst_harness_buffers_in_queue (l->h))
    live_step_pull (l);
}

/* Lets the clock reach the end of the next buffer and takes that buffer:
 * the one ending where the clock now is (any made before it, early, come
 * out first and are kept too).  A buffer may stop short, where started
 * speech ran out of audio mid-buffer (the network lags the test clock on a
 * loaded machine): the next one is complete only when its own time is
 * over, one more wait of the streaming thread.  When the thread waits for
 * the clock with nothing for us (what it pushed before its wait began is
 * in the harness's queue), that wait is released too, rather than wait for
 * a buffer that needs the clock to move (as in the runtime suite). */
static GstBuffer *
live_step (Live * l)
{
  GstTestClock *clock = gst_harness_get_testclock (l->h);
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  GstClockTime now;
  GstBuffer *buf;
  GstMapInfo map;

  now = test_clock_crank (clock);
  for (;;) {
    buf = gst_harness_try_pull (l->h);
    if (buf == NULL && gst_test_clock_peek_next_pending_id (clock, NULL)
        && (buf = gst_harness_try_pull (l->h)) == NULL) {
      now = test_clock_crank (clock);
      continue;
    }
    if (buf == NULL) {
      fail_unless (g_get_monotonic_time () < deadline,
          "no buffer in 60 s, none due on the clock");
      g_usleep (200);
      continue;
    }
    gst_buffer_map (buf, &map, GST_MAP_READ);
    g_byte_array_append (l->audio, map.data, map.size);
    gst_buffer_unmap (buf, &map);
    g_ptr_array_add (l->buffers, buf);
    if (GST_BUFFER_PTS (buf) + GST_BUFFER_DURATION (buf) >= now)
      break;
  }
  gst_object_unref (clock);
  return buf;
}

/* The first message called @name (with "id" @id when not NULL), or NULL. */
static GstStructure *
live_find (Live * l, const gchar * name, const gchar * id)
{
  GstStructure *found = NULL;
  guint i;

  g_mutex_lock (&l->lock);
  for (i = 0; i < l->messages->len && !found; i++) {
    GstStructure *s = g_ptr_array_index (l->messages, i);

    if (gst_structure_has_name (s, name) && (id == NULL
            || g_strcmp0 (gst_structure_get_string (s, "id"), id) == 0))
      found = s;
  }
  g_mutex_unlock (&l->lock);
  return found;
}

/* Steps until the message arrives; at most @max buffers.  For a message
 * the network's answer must come for first, call it once that answer is
 * in the element (wait_generated(), wait_received()): the test clock runs
 * far ahead of real time, and the network gets only 1 ms per buffer. */
static GstStructure *
live_step_until (Live * l, const gchar * name, const gchar * id, guint max)
{
  GstStructure *s;
  guint i;

  for (i = 0; i < max && !(s = live_find (l, name, id)); i++) {
    g_usleep (1000);
    live_step (l);
  }
  if (s == NULL)
    s = live_find (l, name, id);
  fail_unless (s != NULL, "no %s for %s after %u buffers", name,
      GST_STR_NULL (id), max);
  return s;
}

/* Steps until the message arrives, however many buffers that takes, 60 s
 * of real time at most: for a message that waits for the network (a
 * loaded machine answers late) where the test does not count buffers. */
static GstStructure *
live_step_until_heard (Live * l, const gchar * name, const gchar * id)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  GstStructure *s;

  while (!(s = live_find (l, name, id))) {
    fail_unless (g_get_monotonic_time () < deadline,
        "no %s for %s in 60 s", name, GST_STR_NULL (id));
    g_usleep (1000);
    live_step (l);
  }
  return s;
}

/* Waits (60 s at most, in real time) until the element has received @n
 * bytes of audio, and a little more for the last of it to be queued for
 * the streaming thread (it is counted as it is handed over). */
static void
wait_received (Live * l, guint64 n)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  guint64 received;

  while ((received = test_bytes_received (l->src)) < n
      && g_get_monotonic_time () < deadline)
    g_usleep (2000);
  fail_unless (received >= n, "%" G_GUINT64_FORMAT " bytes received in 60 s,"
      " not %" G_GUINT64_FORMAT, received, n);
  g_usleep (50000);
}

/* Waits (60 s at most, in real time) until the emulator has sent @n whole
 * generations and the element has received all their audio. */
static void
wait_generated (Live * l, guint n)
{
  CartesiaEmulatorStats stats;
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;

  do {
    g_usleep (2000);
    cartesia_emulator_get_stats (l->emu, &stats);
  } while (stats.contexts_done < n && g_get_monotonic_time () < deadline);
  fail_unless (stats.contexts_done >= n, "only %u generations",
      stats.contexts_done);
  wait_received (l, stats.audio_bytes_sent);
}

static guint64
get_u64 (GstStructure * s, const gchar * field)
{
  guint64 v = 0;

  fail_unless (gst_structure_get_uint64 (s, field, &v), "no %s in %"
      GST_PTR_FORMAT, field, s);
  return v;
}

/* Idle: fixed-size buffers of silence at exact running times, and the
 * latency query says one buffer. */
GST_START_TEST (test_live_silence_while_idle)
{
  Live *l = live_new (NULL, NULL);
  GstQuery *q;
  gboolean live;
  GstClockTime min, max;
  guint i, j;

  gst_harness_play (l->h);
  for (i = 0; i < 50; i++) {
    GstBuffer *buf = live_step (l);
    GstMapInfo map;

    fail_unless_equals_int (gst_buffer_get_size (buf), SPB * 2);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (buf),
        gst_util_uint64_scale_int (i * SPB, GST_SECOND, RATE));
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (buf), 10 * GST_MSECOND);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (buf), i * SPB);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (buf), (i + 1) * SPB);
    fail_unless_equals_int (GST_BUFFER_FLAG_IS_SET (buf,
            GST_BUFFER_FLAG_DISCONT), i == 0);
    gst_buffer_map (buf, &map, GST_MAP_READ);
    for (j = 0; j < map.size; j++)
      fail_unless (map.data[j] == 0);
    gst_buffer_unmap (buf, &map);
  }
  q = gst_query_new_latency ();
  fail_unless (gst_element_query (l->src, q));
  gst_query_parse_latency (q, &live, &min, &max);
  fail_unless (live);
  fail_unless_equals_uint64 (min, 10 * GST_MSECOND);
  gst_query_unref (q);
  live_free (l);
}

GST_END_TEST;

/* mu-law silence is 0xFF, not zero. */
GST_START_TEST (test_live_silence_mulaw)
{
  Live *l = live_new_with_caps (NULL, NULL, "audio/x-mulaw,rate=8000");
  GstBuffer *buf;
  GstMapInfo map;
  guint j;

  gst_harness_play (l->h);
  buf = live_step (l);
  gst_buffer_map (buf, &map, GST_MAP_READ);
  fail_unless_equals_int (map.size, SPB);
  for (j = 0; j < map.size; j++)
    fail_unless (map.data[j] == 0xff);
  gst_buffer_unmap (buf, &map);
  live_free (l);
}

GST_END_TEST;

/* Speech that has arrived is spliced in at the next buffer, sample-exact;
 * queued, started and finished messages carry the running times. */
GST_START_TEST (test_live_splice_and_messages)
{
  Live *l = live_new (NULL, NULL);
  GstStructure *queued, *started, *finished;
  GstClockTime start_rt, end_rt;
  gsize len, at;
  guint8 *expected = cartesia_emulator_render ("Hello there", "pcm_s16le",
      RATE, &len);
  guint i;

  gst_harness_play (l->h);
  for (i = 0; i < 5; i++)
    live_step (l);
  g_signal_emit_by_name (l->src, "queue-utterance", "Hello there", "greeting");
  queued = live_find (l, "cartesia-utterance-queued", "greeting");
  fail_unless (queued != NULL);
  fail_unless_equals_string (gst_structure_get_string (queued, "text"),
      "Hello there");

  /* The request leaves with the next buffer; its audio is all there then. */
  live_step (l);
  wait_generated (l, 1);
  started = live_step_until (l, "cartesia-utterance-started", "greeting", 3);
  start_rt = get_u64 (started, "running-time");
  /* It starts with the first buffer filled after its audio arrived: the
   * one being waited for when the request left ([50, 60) ms: first audio
   * wakes an idle source), or the next one if the network was slower than
   * that wait. */
  fail_unless (start_rt == 50 * GST_MSECOND || start_rt == 60 * GST_MSECOND,
      "started at %" GST_TIME_FORMAT, GST_TIME_ARGS (start_rt));
  fail_unless (get_u64 (started, "time-to-first-audio") < GST_SECOND);

  finished = live_step_until (l, "cartesia-utterance-finished", "greeting",
      200);
  end_rt = get_u64 (finished, "running-time");
  fail_unless_equals_uint64 (end_rt - start_rt, 550 * GST_MSECOND);
  fail_unless_equals_uint64 (get_u64 (finished, "duration"),
      550 * GST_MSECOND);
  fail_unless_equals_uint64 (get_u64 (finished, "underrun-duration"), 0);
  fail_if (g_value_get_boolean (gst_structure_get_value (finished,
              "interrupted")));

  /* Exactly the server's samples, at exactly those running times. */
  at = test_byte_at (start_rt, RATE);
  fail_unless (l->audio->len >= at + len);
  fail_unless (memcmp (l->audio->data + at, expected, len) == 0);
  for (i = 0; i < at; i++)
    fail_unless (l->audio->data[i] == 0);
  /* ... and silence again after it. */
  live_step (l);
  for (i = at + len; i < l->audio->len; i++)
    fail_unless (l->audio->data[i] == 0);
  g_free (expected);
  live_free (l);
}

GST_END_TEST;

/* Queued utterances play back to back: the second starts on the sample
 * after the first one's last. */
GST_START_TEST (test_live_back_to_back)
{
  Live *l = live_new (NULL, NULL);
  GstStructure *f1, *s2, *f2;
  gsize len1, len2, at;
  guint8 *a1 = cartesia_emulator_render ("First one", "pcm_s16le", RATE,
      &len1);
  guint8 *a2 = cartesia_emulator_render ("Second", "pcm_s16le", RATE, &len2);

  gst_harness_play (l->h);
  g_signal_emit_by_name (l->src, "queue-utterance", "First one", "a");
  g_signal_emit_by_name (l->src, "queue-utterance", "Second", "b");
  live_step (l);
  wait_generated (l, 2);
  f1 = live_step_until (l, "cartesia-utterance-finished", "a", 200);
  s2 = live_step_until (l, "cartesia-utterance-started", "b", 2);
  fail_unless_equals_uint64 (get_u64 (s2, "running-time"),
      get_u64 (f1, "running-time"));
  f2 = live_step_until (l, "cartesia-utterance-finished", "b", 200);
  fail_unless_equals_uint64 (get_u64 (f2, "running-time") -
      get_u64 (s2, "running-time"), 300 * GST_MSECOND);

  at = test_byte_at (get_u64 (live_find (l, "cartesia-utterance-started",
              "a"), "running-time"), RATE);
  fail_unless (memcmp (l->audio->data + at, a1, len1) == 0);
  fail_unless (memcmp (l->audio->data + at + len1, a2, len2) == 0);
  g_free (a1);
  g_free (a2);
  live_free (l);
}

GST_END_TEST;

/* interrupt: within one buffer the speech is gone (after its fade), the
 * utterance is cancelled on the server and reported as interrupted. */
GST_START_TEST (test_live_interrupt)
{
  Live *l = live_new (NULL, "fade-ms=2");
  GstStructure *finished;
  CartesiaEmulatorStats stats;
  GstBuffer *after;
  GstMapInfo map;
  guint i, fade_bytes = 32 * 2;

  /* Real-time pacing: the server is still sending when it is interrupted. */
  test_emulator_set (l->emu, "pacing", "realtime");
  gst_harness_play (l->h);
  g_signal_emit_by_name (l->src, "queue-utterance",
      "A very long announcement that nobody will hear to the end", "long");
  live_step_until_heard (l, "cartesia-utterance-started", "long");
  live_step (l);

  live_sync (l);
  g_signal_emit_by_name (l->src, "interrupt");
  after = live_step (l);
  finished = live_find (l, "cartesia-utterance-finished", "long");
  fail_unless (finished != NULL, "not finished within one buffer");
  fail_unless (g_value_get_boolean (gst_structure_get_value (finished,
              "interrupted")));
  /* That buffer: at most the fade of speech, then silence. */
  gst_buffer_map (after, &map, GST_MAP_READ);
  for (i = fade_bytes; i < map.size; i++)
    fail_unless (map.data[i] == 0, "speech at byte %u after interrupt", i);
  gst_buffer_unmap (after, &map);
  /* ... and silence from then on. */
  for (i = 0; i < 20; i++) {
    GstBuffer *buf = live_step (l);
    guint j;

    gst_buffer_map (buf, &map, GST_MAP_READ);
    for (j = 0; j < map.size; j++)
      fail_unless (map.data[j] == 0);
    gst_buffer_unmap (buf, &map);
  }
  /* The cancel crosses the socket on the session's thread: wait for it
   * (the test clock ran ahead of real time). */
  for (i = 0; i < 1000; i++) {
    cartesia_emulator_get_stats (l->emu, &stats);
    if (stats.contexts_cancelled > 0)
      break;
    g_usleep (10000);
  }
  fail_unless_equals_int (stats.contexts_cancelled, 1);
  {
    GstStructure *st = NULL;
    guint n = 0;

    g_object_get (l->src, "stats", &st, NULL);
    fail_unless (gst_structure_get_uint (st, "utterances-interrupted", &n));
    fail_unless_equals_int (n, 1);
    fail_unless (gst_structure_get_uint (st, "utterances", &n));
    fail_unless_equals_int (n, 1);
    gst_structure_free (st);
  }
  live_free (l);
}

GST_END_TEST;

/* clear drops what waits; what speaks goes on. */
GST_START_TEST (test_live_clear)
{
  Live *l = live_new (NULL, NULL);
  GstStructure *f;

  gst_harness_play (l->h);
  g_signal_emit_by_name (l->src, "queue-utterance", "One", "1");
  g_signal_emit_by_name (l->src, "queue-utterance", "Two", "2");
  g_signal_emit_by_name (l->src, "queue-utterance", "Three", "3");
  live_step (l);
  wait_generated (l, 2);
  live_step_until (l, "cartesia-utterance-started", "1", 3);
  live_sync (l);
  g_signal_emit_by_name (l->src, "clear");
  f = live_step_until (l, "cartesia-utterance-finished", "1", 100);
  fail_if (g_value_get_boolean (gst_structure_get_value (f, "interrupted")));
  f = live_find (l, "cartesia-utterance-finished", "2");
  fail_unless (f && g_value_get_boolean (gst_structure_get_value (f,
              "interrupted")));
  f = live_find (l, "cartesia-utterance-finished", "3");
  fail_unless (f && g_value_get_boolean (gst_structure_get_value (f,
              "interrupted")));
  live_step (l);
  live_step (l);
  fail_if (live_find (l, "cartesia-utterance-started", "2"));
  fail_if (live_find (l, "cartesia-utterance-started", "3"));
  live_free (l);
}

GST_END_TEST;

/* text-mode=interrupt: new text replaces what speaks and what waits. */
GST_START_TEST (test_live_text_mode_interrupt)
{
  Live *l = live_new (NULL, "text-mode=interrupt");
  GstStructure *f, *s;

  test_emulator_set (l->emu, "pacing", "realtime");
  gst_harness_play (l->h);
  g_object_set (l->src, "text", "The old news that goes on and on", NULL);
  s = live_step_until_heard (l, "cartesia-utterance-started", "utterance-1");
  fail_unless (s != NULL);
  live_sync (l);
  g_object_set (l->src, "text", "Breaking news", NULL);
  live_step (l);
  f = live_find (l, "cartesia-utterance-finished", "utterance-1");
  fail_unless (f && g_value_get_boolean (gst_structure_get_value (f,
              "interrupted")));
  live_step_until_heard (l, "cartesia-utterance-started", "utterance-2");
  live_free (l);
}

GST_END_TEST;

/* word-timestamps: one message per word, at its running time. */
GST_START_TEST (test_live_words)
{
  Live *l = live_new (NULL, "word-timestamps=true");
  GstClockTime start;
  guint i, n = 0;
  static const gchar *words[] = { "Hello", "big", "world" };
  static const guint64 offsets[] = { 0, 300, 500 };

  gst_harness_play (l->h);
  g_signal_emit_by_name (l->src, "queue-utterance", "Hello big world", "w");
  live_step (l);
  wait_generated (l, 1);
  start = get_u64 (live_step_until (l, "cartesia-utterance-started", "w", 3),
      "running-time");
  live_step_until (l, "cartesia-utterance-finished", "w", 200);
  g_mutex_lock (&l->lock);
  for (i = 0; i < l->messages->len; i++) {
    GstStructure *s = g_ptr_array_index (l->messages, i);

    if (!gst_structure_has_name (s, "cartesia-word"))
      continue;
    fail_unless (n < 3);
    fail_unless_equals_string (gst_structure_get_string (s, "word"),
        words[n]);
    fail_unless_equals_string (gst_structure_get_string (s, "id"), "w");
    fail_unless_equals_uint64 (get_u64 (s, "timestamp"),
        start + offsets[n] * GST_MSECOND);
    n++;
  }
  g_mutex_unlock (&l->lock);
  fail_unless_equals_int (n, 3);
  live_free (l);
}

GST_END_TEST;

/* Audio slower than real time: silence inside the utterance, counted, and
 * the timeline never shifts. */
GST_START_TEST (test_live_underrun)
{
  Live *l = live_new (NULL, NULL);
  GstStructure *f;
  guint i;

  /* One chunk now, the rest only after a while in real time. */
  test_emulator_set (l->emu, "chunk-bytes", "1600");
  test_emulator_set (l->emu, "stall-after-chunks", "1");
  gst_harness_play (l->h);
  g_signal_emit_by_name (l->src, "queue-utterance", "Slow network here", "s");
  live_step (l);
  wait_received (l, 1600);
  live_step_until (l, "cartesia-utterance-started", "s", 3);
  /* 50 ms of audio came; 30 more buffers of waiting. */
  for (i = 0; i < 30; i++)
    live_step (l);
  live_sync (l);
  g_signal_emit_by_name (l->src, "interrupt");
  f = live_step_until (l, "cartesia-utterance-finished", "s", 2);
  fail_unless (get_u64 (f, "underrun-duration") >= 250 * GST_MSECOND);
  {
    GstStructure *st = NULL;
    guint64 underrun = 0;

    g_object_get (l->src, "stats", &st, NULL);
    fail_unless (gst_structure_get_uint64 (st, "underrun-duration",
            &underrun));
    fail_unless_equals_uint64 (underrun, get_u64 (f, "underrun-duration"));
    gst_structure_free (st);
  }
  for (i = 0; i < l->buffers->len; i++)
    fail_unless_equals_uint64 (GST_BUFFER_PTS (g_ptr_array_index (l->buffers,
                i)), gst_util_uint64_scale_int (i * SPB, GST_SECOND, RATE));
  live_free (l);
}

GST_END_TEST;

/* A failed utterance: a warning and a failed message; the stream goes on
 * and the next utterance plays. */
GST_START_TEST (test_live_failure_goes_on)
{
  Live *l = live_new (NULL, NULL);
  GstStructure *w, *f;

  test_emulator_set (l->emu, "error-after-chunks", "1");
  test_emulator_set (l->emu, "error-status", "400");
  test_emulator_set (l->emu, "fail-count", "1");
  gst_harness_play (l->h);
  g_signal_emit_by_name (l->src, "queue-utterance", "Doomed", "bad");
  live_step (l);
  f = live_step_until_heard (l, "cartesia-utterance-failed", "bad");
  fail_unless (strstr (gst_structure_get_string (f, "reason"),
          "injected") != NULL);
  w = live_find (l, "warning", NULL);
  fail_unless (w != NULL);
  g_signal_emit_by_name (l->src, "queue-utterance", "Fine", "good");
  live_step_until_heard (l, "cartesia-utterance-finished", "good");
  fail_if (live_find (l, "cartesia-utterance-finished", "bad"));
  live_free (l);
}

GST_END_TEST;

/* The server closes an idle socket (1000 "connection idle timeout"); the
 * next utterance reconnects transparently. */
GST_START_TEST (test_live_reconnect_after_idle_close)
{
  Live *l = live_new (NULL, NULL);
  CartesiaEmulatorStats stats = { 0, };
  gint64 deadline;

  test_emulator_set (l->emu, "idle-timeout-ms", "100");
  gst_harness_play (l->h);
  g_signal_emit_by_name (l->src, "queue-utterance", "One", "1");
  live_step_until_heard (l, "cartesia-utterance-finished", "1");

  deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  do {
    g_usleep (10000);
    cartesia_emulator_get_stats (l->emu, &stats);
  } while (stats.open_connections && g_get_monotonic_time () < deadline);
  fail_unless_equals_int (stats.open_connections, 0);

  g_signal_emit_by_name (l->src, "queue-utterance", "Two", "2");
  live_step_until_heard (l, "cartesia-utterance-finished", "2");
  fail_if (live_find (l, "warning", NULL));
  cartesia_emulator_get_stats (l->emu, &stats);
  fail_unless_equals_int (stats.ws_connections, 2);
  live_free (l);
}

GST_END_TEST;

/* Drains the subtitle harness: the text buffers, and where its GAP events
 * and buffers took the subtitle timeline.  subtitle_src has a task of its
 * own: waits (up to 60 s) until that timeline reaches the end of the last
 * audio buffer pulled. */
static GPtrArray *
pull_subtitles (Live * l, GstHarness * sh, GstClockTime * position)
{
  GPtrArray *bufs = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_buffer_unref);
  GstBuffer *last = g_ptr_array_index (l->buffers, l->buffers->len - 1);
  GstClockTime target = GST_BUFFER_PTS (last) + GST_BUFFER_DURATION (last);
  GstClockTime reached = 0;
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  GstEvent *ev;
  GstBuffer *buf;

  for (;;) {
    /* Events and buffers go out in one order; the harness splits them, so
     * only the end position and the buffers are checked. */
    while ((ev = gst_harness_try_pull_event (sh))) {
      if (GST_EVENT_TYPE (ev) == GST_EVENT_GAP) {
        GstClockTime ts, dur;

        gst_event_parse_gap (ev, &ts, &dur);
        fail_unless (ts >= *position || *position == 0);
        *position = MAX (*position, ts + dur);
      }
      gst_event_unref (ev);
    }
    while ((buf = gst_harness_try_pull (sh))) {
      GstClockTime end = GST_BUFFER_PTS (buf);

      if (GST_BUFFER_DURATION_IS_VALID (buf))
        end += GST_BUFFER_DURATION (buf);
      reached = MAX (reached, end);
      g_ptr_array_add (bufs, buf);
    }
    if (MAX (*position, reached) >= target)
      break;
    fail_unless (g_get_monotonic_time () < deadline,
        "subtitle_src: not up to %" GST_TIME_FORMAT " after 60 s",
        GST_TIME_ARGS (target));
    g_usleep (1000);
  }
  return bufs;
}

static gchar *
buffer_text (GstBuffer * buf)
{
  GstMapInfo map;
  gchar *text;

  gst_buffer_map (buf, &map, GST_MAP_READ);
  text = g_strndup ((gchar *) map.data, map.size);
  gst_buffer_unmap (buf, &map);
  return text;
}

/* subtitle_src: each utterance's text from its first sample, an empty
 * buffer at its end, GAP events up to the audio's end in between. */
GST_START_TEST (test_live_subtitle_pad)
{
  Live *l = live_new (NULL, NULL);
  GstHarness *sh = gst_harness_new_with_element (l->src, NULL,
      "subtitle_src");
  GstClockTime start, end, position = 0;
  GPtrArray *subs;
  GstBuffer *last;
  gchar *text;

  gst_harness_play (l->h);
  g_signal_emit_by_name (l->src, "queue-utterance", "Caption me", "c");
  live_step (l);
  wait_generated (l, 1);
  start = get_u64 (live_step_until (l, "cartesia-utterance-started", "c", 3),
      "running-time");
  end = get_u64 (live_step_until (l, "cartesia-utterance-finished", "c", 200),
      "running-time");
  last = live_step (l);
  /* First audio may have woken the source early: it can be a buffer ahead
   * of the cranks.  The text goes as far as the last buffer it made. */
  while (gst_harness_buffers_in_queue (l->h))
    last = live_step_pull (l);

  subs = pull_subtitles (l, sh, &position);
  fail_unless_equals_int (subs->len, 2);
  text = buffer_text (g_ptr_array_index (subs, 0));
  fail_unless_equals_string (text, "Caption me");
  g_free (text);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (g_ptr_array_index (subs, 0)),
      start);
  fail_unless_equals_int (gst_buffer_get_size (g_ptr_array_index (subs, 1)),
      0);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (g_ptr_array_index (subs, 1)),
      end);
  /* The text timeline goes exactly as far as the audio has. */
  fail_unless_equals_uint64 (position, GST_BUFFER_PTS (last) +
      GST_BUFFER_DURATION (last));
  g_ptr_array_unref (subs);
  gst_harness_teardown (sh);
  live_free (l);
}

GST_END_TEST;

/* With word timestamps: one buffer per word, at its running time. */
GST_START_TEST (test_live_subtitle_words)
{
  Live *l = live_new (NULL, "word-timestamps=true");
  GstHarness *sh = gst_harness_new_with_element (l->src, NULL,
      "subtitle_src");
  static const gchar *words[] = { "Hello", "big", "world" };
  static const guint64 offsets[] = { 0, 300, 500 };
  GstClockTime start, position = 0;
  GPtrArray *subs;
  guint i;

  gst_harness_play (l->h);
  g_signal_emit_by_name (l->src, "queue-utterance", "Hello big world", "w");
  live_step (l);
  wait_generated (l, 1);
  start = get_u64 (live_step_until (l, "cartesia-utterance-started", "w", 3),
      "running-time");
  live_step_until (l, "cartesia-utterance-finished", "w", 200);
  subs = pull_subtitles (l, sh, &position);
  fail_unless_equals_int (subs->len, 3);
  for (i = 0; i < 3; i++) {
    GstBuffer *buf = g_ptr_array_index (subs, i);
    gchar *text = buffer_text (buf);

    fail_unless_equals_string (text, words[i]);
    /* The first audio wakes the source at once, and the server's timings
     * may come a moment after it: a word whose time has already gone out
     * is shown at once (captions never go back in time), within one
     * buffer; the later ones are exact. */
    if (i == 0) {
      fail_unless (GST_BUFFER_PTS (buf) >= start);
      fail_unless (GST_BUFFER_PTS (buf) <= start + 10 * GST_MSECOND);
    } else {
      fail_unless_equals_uint64 (GST_BUFFER_PTS (buf),
          start + offsets[i] * GST_MSECOND);
    }
    fail_unless (GST_BUFFER_DURATION (buf) > 0);
    g_free (text);
  }
  g_ptr_array_unref (subs);
  gst_harness_teardown (sh);
  live_free (l);
}

GST_END_TEST;

/* prebuffer-ms: speech waits until that much of it has arrived. */
GST_START_TEST (test_live_prebuffer)
{
  Live *l = live_new (NULL, "prebuffer-ms=100");
  guint i;

  /* 50 ms of audio now, the rest much later (in real time). */
  test_emulator_set (l->emu, "chunk-bytes", "1600");
  test_emulator_set (l->emu, "stall-after-chunks", "1");
  gst_harness_play (l->h);
  g_signal_emit_by_name (l->src, "queue-utterance", "Wait for it", "p");
  live_step (l);
  wait_received (l, 1600);
  for (i = 0; i < 20; i++)
    live_step (l);
  /* Less than 100 ms in: it has not started, so no underrun either. */
  fail_if (live_find (l, "cartesia-utterance-started", "p"));
  live_free (l);

  /* With the whole utterance there it starts at once. */
  l = live_new (NULL, "prebuffer-ms=100");
  gst_harness_play (l->h);
  g_signal_emit_by_name (l->src, "queue-utterance", "Go", "q");
  live_step (l);
  wait_generated (l, 1);
  live_step_until (l, "cartesia-utterance-started", "q", 3);
  fail_unless_equals_uint64 (get_u64 (live_step_until (l,
              "cartesia-utterance-finished", "q", 50), "underrun-duration"),
      0);
  live_free (l);
}

GST_END_TEST;

/* Queued utterances play back to back: the first one's end and the second
 * one's start are the same running time.  What textoverlay shows from then
 * on is the last text buffer with that timestamp: it must be the second
 * utterance's text, not the first one's clearing (empty) buffer. */
GST_START_TEST (test_live_subtitle_back_to_back)
{
  Live *l = live_new (NULL, NULL);
  GstHarness *sh = gst_harness_new_with_element (l->src, NULL,
      "subtitle_src");
  GstClockTime position = 0, start_a, end_a, start_b, end_b;
  GPtrArray *subs;
  gchar *shown = NULL;
  guint i;

  gst_harness_play (l->h);
  g_signal_emit_by_name (l->src, "queue-utterance", "First one", "a");
  g_signal_emit_by_name (l->src, "queue-utterance", "Second", "b");
  live_step (l);
  wait_generated (l, 2);
  end_b = get_u64 (live_step_until (l, "cartesia-utterance-finished", "b",
          300), "running-time");
  start_a = get_u64 (live_find (l, "cartesia-utterance-started", "a"),
      "running-time");
  end_a = get_u64 (live_find (l, "cartesia-utterance-finished", "a"),
      "running-time");
  start_b = get_u64 (live_find (l, "cartesia-utterance-started", "b"),
      "running-time");
  fail_unless_equals_uint64 (start_b, end_a);
  live_step (l);

  subs = pull_subtitles (l, sh, &position);
  for (i = 0; i < subs->len; i++) {
    GstBuffer *buf = g_ptr_array_index (subs, i);
    gchar *text = buffer_text (buf);

    GST_INFO ("caption %u at %" GST_TIME_FORMAT ": '%s'", i,
        GST_TIME_ARGS (GST_BUFFER_PTS (buf)), text);
    if (i > 0)
      fail_unless (GST_BUFFER_PTS (buf) >= GST_BUFFER_PTS (g_ptr_array_index
              (subs, i - 1)));
    /* What is on screen at start_b, once every buffer stamped up to then
     * has been shown. */
    if (GST_BUFFER_PTS (buf) <= start_b) {
      g_free (shown);
      shown = g_strdup (text);
    }
    g_free (text);
  }
  fail_unless (subs->len >= 3);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (g_ptr_array_index (subs, 0)),
      start_a);
  fail_unless_equals_string (shown, "Second");
  fail_unless_equals_uint64 (GST_BUFFER_PTS (g_ptr_array_index (subs,
              subs->len - 1)), end_b);
  fail_unless_equals_int (gst_buffer_get_size (g_ptr_array_index (subs,
              subs->len - 1)), 0);
  g_free (shown);
  g_ptr_array_unref (subs);
  gst_harness_teardown (sh);
  live_free (l);
}

GST_END_TEST;


/* EOS sent to a live source -- gst-launch-1.0 -e on Ctrl-C, an application
 * stopping cleanly with gst_element_send_event (pipeline, eos) -- must
 * reach the subtitle pad as well as the audio: a textoverlay (wait-text)
 * fed by it otherwise waits for text forever, the video branch never sees
 * EOS, and the pipeline never posts it. */
static gboolean
pull_eos (GstHarness * h)
{
  GstEvent *ev;
  gboolean eos = FALSE;

  while ((ev = gst_harness_try_pull_event (h))) {
    eos |= GST_EVENT_TYPE (ev) == GST_EVENT_EOS;
    gst_event_unref (ev);
  }
  return eos;
}

GST_START_TEST (test_live_subtitle_eos)
{
  Live *l = live_new (NULL, NULL);
  GstHarness *sh = gst_harness_new_with_element (l->src, NULL,
      "subtitle_src");
  gboolean audio_eos = FALSE, text_eos = FALSE;
  gint64 deadline;

  gst_harness_play (l->h);
  live_step (l);
  live_step (l);
  fail_unless (gst_element_send_event (l->src, gst_event_new_eos ()));
  deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  while (!(audio_eos && text_eos) && g_get_monotonic_time () < deadline) {
    audio_eos |= pull_eos (l->h);
    text_eos |= pull_eos (sh);
    g_usleep (1000);
  }
  fail_unless (audio_eos, "no EOS on src");
  fail_unless (text_eos, "EOS on src but none on subtitle_src");
  gst_harness_teardown (sh);
  live_free (l);
}

GST_END_TEST;


/* "cartesia-utterance-queued" must come before the utterance's "started"
 * (and everything after it).  queue-utterance makes the utterance visible to
 * the streaming thread and sends its request, and only then posts "queued":
 * when the emitting thread is preempted in between for longer than the time
 * to first audio, the streaming thread -- woken by that audio -- posts
 * "started" first.  This handler stands in for the preemption: it holds the
 * "queued" message (in the emitting thread, inside the element's post) until
 * "started" was posted, or 500 ms. */
static GstBusSyncReply
hold_queued (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  Live *l = user_data;
  const GstStructure *s = gst_message_get_structure (msg);

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT && s
      && gst_structure_has_name (s, "cartesia-utterance-queued")) {
    gint64 deadline = g_get_monotonic_time () + 500 * G_TIME_SPAN_MILLISECOND;

    while (!live_find (l, "cartesia-utterance-started", NULL)
        && g_get_monotonic_time () < deadline)
      g_usleep (1000);
  }
  return collect (bus, msg, user_data);
}

GST_START_TEST (test_live_queued_before_started)
{
  Live *l = live_new (NULL, NULL);
  guint i, queued = G_MAXUINT, started = G_MAXUINT;

  gst_bus_set_sync_handler (l->bus, hold_queued, l, NULL);
  gst_harness_play (l->h);
  live_step (l);
  live_step (l);
  g_signal_emit_by_name (l->src, "queue-utterance", "Hello", "q");
  live_step_until_heard (l, "cartesia-utterance-started", "q");
  g_mutex_lock (&l->lock);
  for (i = 0; i < l->messages->len; i++) {
    GstStructure *s = g_ptr_array_index (l->messages, i);

    if (gst_structure_has_name (s, "cartesia-utterance-queued"))
      queued = MIN (queued, i);
    if (gst_structure_has_name (s, "cartesia-utterance-started"))
      started = MIN (started, i);
  }
  g_mutex_unlock (&l->lock);
  fail_unless (queued < started, "\"started\" (message %u) came before "
      "\"queued\" (message %u)", started, queued);
  gst_bus_set_sync_handler (l->bus, collect, l, NULL);
  live_free (l);
}

GST_END_TEST;


/* The server's next chunk comes after the end of the buffer it is needed
 * in, but before a sink plays its first sample (a buffer's running time
 * plus the latency the element reports): the buffer stops short where the
 * speech ran out, the chunk carries on from there, and no silence goes in. */
GST_START_TEST (test_live_late_chunk_in_time)
{
  Live *l = live_new (NULL, NULL);
  GstTestClock *clock = gst_harness_get_testclock (l->h);
  CartesiaEmulatorStats stats;
  GstClockTime start_rt, dry_rt;
  GstClockID pending = NULL;
  GstBuffer *buf;
  GstStructure *f;
  gsize len, at;
  gint64 deadline;
  guint64 received = 0;
  guint8 *expected = cartesia_emulator_render ("Hello there, my friend",
      "pcm_s16le", RATE, &len);

  /* 15000 samples (937.5 ms) per chunk, sent in real time: the second
   * comes 938 ms after the first, long after the test clock (cranked as
   * fast as the machine goes) got to where the first runs out. */
  test_emulator_set (l->emu, "chunk-bytes", "30000");
  test_emulator_set (l->emu, "pacing", "realtime");
  gst_harness_play (l->h);
  g_signal_emit_by_name (l->src, "queue-utterance", "Hello there, my friend",
      "h");
  start_rt = get_u64 (live_step_until_heard (l, "cartesia-utterance-started",
          "h"), "running-time");
  live_sync (l);
  dry_rt = start_rt + gst_util_uint64_scale_int (15000, GST_SECOND, RATE);
  /* Up to where the first chunk runs out: one buffer per clock wait. */
  do {
    fail_unless (gst_harness_crank_single_clock_wait (l->h));
    buf = live_step_pull (l);
  } while (GST_BUFFER_PTS (buf) + GST_BUFFER_DURATION (buf) < dry_rt);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (buf) + GST_BUFFER_DURATION (buf),
      dry_rt);
  fail_unless (GST_BUFFER_DURATION (buf) < 10 * GST_MSECOND);
  cartesia_emulator_get_stats (l->emu, &stats);
  fail_unless_equals_int (stats.chunks_sent, 1);
  /* The element now waits for dry_rt + 10 ms, a sink's deadline for the
   * sample at dry_rt.  The second chunk comes meanwhile (in real time). */
  gst_test_clock_wait_for_next_pending_id (clock, &pending);
  fail_unless_equals_uint64 (gst_clock_id_get_time (pending),
      gst_element_get_base_time (l->src) + dry_rt + 10 * GST_MSECOND);
  gst_clock_id_unref (pending);
  deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  do {
    g_usleep (5000);
    received = test_bytes_received (l->src);
  } while (received < len && g_get_monotonic_time () < deadline);
  fail_unless_equals_uint64 (received, len);
  f = live_step_until (l, "cartesia-utterance-finished", "h", 200);
  fail_unless_equals_uint64 (get_u64 (f, "underrun-duration"), 0);
  /* The server's samples, in one piece, from where it started. */
  at = test_byte_at (start_rt, RATE);
  fail_unless (l->audio->len >= at + len);
  fail_unless (memcmp (l->audio->data + at, expected, len) == 0);
  g_free (expected);
  gst_object_unref (clock);
  live_free (l);
}

GST_END_TEST;

/* jitter-margin-ms: first audio that arrives late in a buffer's period
 * starts later inside that buffer, so that a sink plays it the margin
 * after it arrived; first audio early in the period starts with the
 * buffer.  The buffer leaves when the audio arrives, either way. */
GST_START_TEST (test_live_jitter_margin)
{
  Live *l = live_new (NULL, "jitter-margin-ms=8");
  GstTestClock *clock = gst_harness_get_testclock (l->h);
  GstClockTime start_rt;
  gsize len, at, i;
  guint8 *expected = cartesia_emulator_render ("Hi", "pcm_s16le", RATE, &len);

  gst_harness_play (l->h);
  for (i = 0; i < 5; i++)
    live_step (l);
  gst_test_clock_wait_for_next_pending_id (clock, NULL);
  /* The source waits for the end of [50, 60) ms; the audio arrives at 59:
   * a sink plays 50 at 60 (the latency is one 10 ms buffer), 1 ms after
   * the arrival, less than the 8 ms margin: speech starts at 57. */
  gst_test_clock_set_time (clock, 59 * GST_MSECOND);
  g_signal_emit_by_name (l->src, "queue-utterance", "Hi", "late");
  /* Its first audio wakes the source, which fills [50, 60) at once. */
  wait_generated (l, 1);
  live_sync (l);
  start_rt = get_u64 (live_step_until (l, "cartesia-utterance-started",
          "late", 3), "running-time");
  fail_unless_equals_uint64 (start_rt, 57 * GST_MSECOND);
  live_step_until (l, "cartesia-utterance-finished", "late", 50);
  at = test_byte_at (start_rt, RATE);
  for (i = test_byte_at (50 * GST_MSECOND, RATE); i < at; i++)
    fail_unless (l->audio->data[i] == 0);
  fail_unless (memcmp (l->audio->data + at, expected, len) == 0);

  /* Audio that arrives as the period begins has 10 ms already. */
  live_step (l);
  live_sync (l);
  gst_test_clock_wait_for_next_pending_id (clock, NULL);
  g_signal_emit_by_name (l->src, "queue-utterance", "Hi", "early");
  wait_generated (l, 2);
  start_rt = get_u64 (live_step_until (l, "cartesia-utterance-started",
          "early", 3), "running-time");
  fail_unless_equals_uint64 (start_rt % (10 * GST_MSECOND), 0);
  g_free (expected);
  gst_object_unref (clock);
  live_free (l);
}

GST_END_TEST;

static Suite *
cartesiattssrc_live_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-live");
  TCase *tc = tcase_create ("live");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_live_silence_while_idle);
  tcase_add_test (tc, test_live_silence_mulaw);
  tcase_add_test (tc, test_live_splice_and_messages);
  tcase_add_test (tc, test_live_back_to_back);
  tcase_add_test (tc, test_live_interrupt);
  tcase_add_test (tc, test_live_clear);
  tcase_add_test (tc, test_live_text_mode_interrupt);
  tcase_add_test (tc, test_live_words);
  tcase_add_test (tc, test_live_underrun);
  tcase_add_test (tc, test_live_failure_goes_on);
  tcase_add_test (tc, test_live_reconnect_after_idle_close);
  tcase_add_test (tc, test_live_subtitle_pad);
  tcase_add_test (tc, test_live_subtitle_words);
  tcase_add_test (tc, test_live_prebuffer);
  tcase_add_test (tc, test_live_subtitle_back_to_back);
  tcase_add_test (tc, test_live_subtitle_eos);
  tcase_add_test (tc, test_live_queued_before_started);
  tcase_add_test (tc, test_live_late_chunk_in_time);
  tcase_add_test (tc, test_live_jitter_margin);
  return s;
}

GST_CHECK_MAIN (cartesiattssrc_live);
