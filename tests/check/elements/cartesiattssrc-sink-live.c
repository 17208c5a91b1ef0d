/* cartesiattssrc with text from its sink pad, live (is-live=true): timed
 * cues on the clock with the latency budget, late cues, streamed text, a
 * flush (barge-in) and EOS, through a GstHarness on its test clock that
 * pushes text and pulls audio. */
#include "cartesia-test-utils.h"

#include <gst/check/gstharness.h>
#include <gst/check/gsttestclock.h>
#include <string.h>

#define RATE 16000
#define BPS 2
#define SPB 160                 /* 10 ms buffers */
#define BUF_TIME (10 * GST_MSECOND)
#define CAPS "audio/x-raw,format=S16LE,rate=16000"
/* The emulator's synthetic voice: 50 ms per character. */
#define CHAR_TIME (50 * GST_MSECOND)
/* The emulator's default chunk, in decoded bytes. */
#define CHUNK_BYTES 4096

typedef struct
{
  CartesiaEmulator *emu;
  GstElement *src;
  GstHarness *h;
  TestMessages msgs;            /* what the element posted */
  GByteArray *audio;            /* every byte pulled */
  GPtrArray *buffers;           /* every buffer pulled */
  GstClockTime delay;           /* how far the output runs behind the clock */
  /* What reached the harness's sink pad (a probe, in the streaming thread) */
  guint n_buffers_seen;
  gint buffers_before_eos;      /* -1: no EOS yet */
  guint flush_events;
} SinkLive;

/* Counts what the element sends downstream, in its order (the harness keeps
 * buffers and events in separate queues). */
static GstPadProbeReturn
watch_downstream (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  SinkLive *t = user_data;

  g_mutex_lock (&t->msgs.lock);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    t->n_buffers_seen++;
  } else if (info->type & (GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM |
          GST_PAD_PROBE_TYPE_EVENT_FLUSH)) {
    GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);

    switch (GST_EVENT_TYPE (ev)) {
      case GST_EVENT_EOS:
        if (t->buffers_before_eos < 0)
          t->buffers_before_eos = t->n_buffers_seen;
        break;
      case GST_EVENT_FLUSH_START:
      case GST_EVENT_FLUSH_STOP:
        t->flush_events++;
        break;
      default:
        break;
    }
  }
  g_mutex_unlock (&t->msgs.lock);
  return GST_PAD_PROBE_OK;
}

/* A live cartesiattssrc with a sink pad fed by the harness, at 16 kHz
 * S16LE in 10 ms buffers, no fades (byte-exact), on the harness's test
 * clock.  Properties as "name=value;..." in @props.  It plays at once. */
static SinkLive *
sl_new (const gchar * props)
{
  SinkLive *t = g_new0 (SinkLive, 1);
  GstPad *hsink;
  gint mode = 0;
  guint latency = 0;

  t->emu = test_emulator_new ();
  t->src = gst_object_ref_sink (test_make_src (t->emu, NULL));
  g_object_set (t->src, "is-live", TRUE, "samplesperbuffer", SPB,
      "fade-ms", 0, NULL);
  test_set_props (t->src, props);
  /* Cues, live: the output runs the latency budget behind the clock (the
   * harness's upstream latency is 0 until set). */
  g_object_get (t->src, "input-mode", &mode, "latency", &latency, NULL);
  {
    GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS
        (t->src), "input-mode");
    GEnumValue *v = g_enum_get_value (G_PARAM_SPEC_ENUM (pspec)->enum_class,
        mode);

    if (v && g_str_equal (v->value_nick, "cues"))
      t->delay = latency * GST_MSECOND;
  }
  t->buffers_before_eos = -1;
  t->audio = g_byte_array_new ();
  t->buffers = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_buffer_unref);
  test_messages_attach (&t->msgs, t->src);
  /* An element with a sink pad plays as soon as the harness has it: the
   * audio caps must be the harness's from the start. */
  t->h = test_harness_new_text (t->src, CAPS, NULL);
  hsink = t->h->sinkpad;
  gst_pad_add_probe (hsink, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM | GST_PAD_PROBE_TYPE_EVENT_FLUSH,
      watch_downstream, t, NULL);
  gst_harness_set_src_caps_str (t->h, "text/x-raw,format=utf8");
  gst_harness_play (t->h);
  return t;
}

static void
sl_free (SinkLive * t)
{
  gst_harness_teardown (t->h);
  test_messages_detach (&t->msgs, t->src);
  gst_object_unref (t->src);
  g_ptr_array_unref (t->buffers);
  g_byte_array_unref (t->audio);
  cartesia_emulator_free (t->emu);
  g_free (t);
}

static void
assert_clean (SinkLive * t)
{
  g_mutex_lock (&t->msgs.lock);
  fail_unless (t->msgs.error == NULL, "error: %s", t->msgs.error ? t->msgs.error->message :
      "");
  fail_unless (t->msgs.warnings->len == 0, "warning: %s", t->msgs.warnings->len ?
      ((GError *) g_ptr_array_index (t->msgs.warnings, 0))->message : "");
  g_mutex_unlock (&t->msgs.lock);
}

static gboolean
sl_eos (SinkLive * t)
{
  gboolean eos;

  g_mutex_lock (&t->msgs.lock);
  eos = t->buffers_before_eos >= 0;
  g_mutex_unlock (&t->msgs.lock);
  return eos;
}

static void
take (SinkLive * t, GstBuffer * buf)
{
  test_take_audio (t->audio, t->buffers, buf);
}

static GstBuffer *
last_buffer (SinkLive * t)
{
  fail_unless (t->buffers->len > 0);
  return g_ptr_array_index (t->buffers, t->buffers->len - 1);
}

static GstClockTime
output_end (SinkLive * t)
{
  GstBuffer *b;

  if (t->buffers->len == 0)
    return 0;
  b = last_buffer (t);
  return GST_BUFFER_PTS (b) + GST_BUFFER_DURATION (b);
}

/* Takes every buffer already made (first audio may wake an idle source
 * before the clock). */
static void
sl_sync (SinkLive * t)
{
  GstBuffer *buf;

  while ((buf = gst_harness_try_pull (t->h)))
    take (t, buf);
}

static GstClockTime
clock_now (SinkLive * t)
{
  GstTestClock *clock = gst_harness_get_testclock (t->h);
  GstClockTime now = gst_clock_get_time (GST_CLOCK (clock));

  gst_object_unref (clock);
  return now;
}

/* Lets the clock reach the time the source waits for and takes the buffers
 * made up to the one that wait released: it ends `delay` before the clock.
 * Returns that buffer, or NULL when the source sent EOS instead of waiting
 * (whatever it made before is taken).  A buffer may stop short, where
 * started speech ran out of audio mid-buffer (the network lags the test
 * clock on a loaded machine): the next one is complete only at the end of
 * the source's next wait.  When the source waits for the clock with
 * nothing for us (what it pushed before that wait began is in the
 * harness's queue), that wait is released too, as in the runtime suite. */
static GstBuffer *
sl_step (SinkLive * t)
{
  GstTestClock *clock = gst_harness_get_testclock (t->h);
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  GstClockTime now, target;
  GstBuffer *last = NULL;

  /* Bounded: a source that went EOS never waits again. */
  while (!gst_test_clock_timed_wait_for_multiple_pending_ids (clock, 1, 10,
          NULL)) {
    if (sl_eos (t)) {
      gst_object_unref (clock);
      sl_sync (t);
      return NULL;
    }
    fail_unless (g_get_monotonic_time () < deadline,
        "the source neither waits for the clock nor ended");
  }
  /* FALSE when first audio unscheduled that wait meanwhile (the source
   * then made the buffer at once): the clock got there all the same. */
  gst_test_clock_crank (clock);
  now = gst_clock_get_time (GST_CLOCK (clock));
  target = now > t->delay ? now - t->delay : 0;

  for (;;) {
    GstBuffer *buf = gst_harness_try_pull (t->h);

    if (buf == NULL && gst_test_clock_peek_next_pending_id (clock, NULL)
        && (buf = gst_harness_try_pull (t->h)) == NULL) {
      /* Stopped short: the rest of it needs the clock to move. */
      gst_test_clock_crank (clock);
      now = gst_clock_get_time (GST_CLOCK (clock));
      target = now > t->delay ? now - t->delay : 0;
      continue;
    }
    if (buf) {
      take (t, buf);
      last = buf;
      if (GST_BUFFER_PTS (buf) + GST_BUFFER_DURATION (buf) >= target)
        break;
      continue;
    }
    /* EOS comes after the buffers before it: they are all queued. */
    if (sl_eos (t) && gst_harness_buffers_in_queue (t->h) == 0) {
      last = NULL;
      break;
    }
    fail_unless (g_get_monotonic_time () < deadline, "no buffer ending at %"
        GST_TIME_FORMAT " (clock at %" GST_TIME_FORMAT ")",
        GST_TIME_ARGS (target), GST_TIME_ARGS (now));
    g_usleep (200);
  }
  gst_object_unref (clock);
  return last;
}

/* The first message called @name (with "id" @id when not NULL), or NULL. */
static GstStructure *
sl_find (SinkLive * t, const gchar * name, const gchar * id)
{
  return test_messages_find (&t->msgs, name, id);
}

/* Steps until the message is there; at most @max buffers.  The test clock
 * runs far ahead of real time: give the network 1 ms per buffer. */
static GstStructure *
sl_step_until (SinkLive * t, const gchar * name, const gchar * id, guint max)
{
  GstStructure *s;
  guint i;

  for (i = 0; i < max && !(s = sl_find (t, name, id)); i++) {
    g_usleep (1000);
    fail_unless (sl_step (t) != NULL, "EOS while waiting for %s", name);
  }
  if (s == NULL)
    s = sl_find (t, name, id);
  fail_unless (s != NULL, "no %s for %s after %u buffers", name,
      GST_STR_NULL (id), max);
  return s;
}

static guint64
get_u64 (GstStructure * s, const gchar * field)
{
  guint64 v = 0;

  fail_unless (gst_structure_get_uint64 (s, field, &v), "no %s in %"
      GST_PTR_FORMAT, field, s);
  return v;
}

static gboolean
get_bool (GstStructure * s, const gchar * field)
{
  gboolean v = FALSE;

  fail_unless (gst_structure_get_boolean (s, field, &v), "no %s in %"
      GST_PTR_FORMAT, field, s);
  return v;
}

/* Audio bytes the element has received from the server.  The session
 * counts a chunk just before it queues it for the streaming thread. */
/* Waits (in real time) until the element has received @n audio bytes,
 * and a moment more for the last chunk to be queued. */
static void
wait_received (SinkLive * t, guint64 n)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  guint64 got;

  while ((got = test_bytes_received (t->src)) < n
      && g_get_monotonic_time () < deadline)
    g_usleep (2000);
  fail_unless (got >= n, "only %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
      " audio bytes received", got, n);
  g_usleep (20000);
}

/* Waits until the emulator has finished @n generations ("done" sent). */
static void
wait_generated (SinkLive * t, guint n)
{
  CartesiaEmulatorStats stats;
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;

  do {
    cartesia_emulator_get_stats (t->emu, &stats);
    if (stats.contexts_done >= n)
      break;
    g_usleep (2000);
  } while (g_get_monotonic_time () < deadline);
  fail_unless (stats.contexts_done >= n, "only %u generations done",
      stats.contexts_done);
  g_usleep (20000);
}

static GstClockTime
time_of (gsize bytes)
{
  return gst_util_uint64_scale (bytes / BPS, GST_SECOND, RATE);
}

/* @len bytes of the pulled audio from @offset are @expected. */
static void
assert_audio_at (SinkLive * t, gsize offset, const guint8 * expected,
    gsize len)
{
  gsize i;

  fail_unless (t->audio->len >= offset + len, "only %u bytes pulled, "
      "speech ends at byte %" G_GSIZE_FORMAT, t->audio->len, offset + len);
  for (i = 0; i < len; i++)
    if (t->audio->data[offset + i] != expected[i])
      fail ("audio differs at byte %" G_GSIZE_FORMAT " (%" GST_TIME_FORMAT
          ") of the speech placed at %" GST_TIME_FORMAT, i,
          GST_TIME_ARGS (time_of (i)), GST_TIME_ARGS (time_of (offset)));
}

/* The pulled audio is silence in [@from, @to) bytes. */
static void
assert_silence (SinkLive * t, gsize from, gsize to)
{
  gsize i;

  fail_unless (to <= t->audio->len);
  for (i = from; i < to; i++)
    if (t->audio->data[i] != 0)
      fail ("sound at %" GST_TIME_FORMAT " where silence was due (%"
          GST_TIME_FORMAT " to %" GST_TIME_FORMAT ")",
          GST_TIME_ARGS (time_of (i)), GST_TIME_ARGS (time_of (from)),
          GST_TIME_ARGS (time_of (to)));
}

static gboolean
is_silent (GstBuffer * buf)
{
  GstMapInfo map;
  gboolean silent = TRUE;
  gsize i;

  gst_buffer_map (buf, &map, GST_MAP_READ);
  for (i = 0; i < map.size && silent; i++)
    silent = map.data[i] == 0;
  gst_buffer_unmap (buf, &map);
  return silent;
}

/* Every buffer pulled: 10 ms, contiguous from 0 on the sample count, only
 * the first one DISCONT. */
static void
assert_timeline (SinkLive * t)
{
  guint i;

  fail_unless (t->buffers->len > 0);
  for (i = 0; i < t->buffers->len; i++) {
    GstBuffer *b = g_ptr_array_index (t->buffers, i);

    fail_unless_equals_int (gst_buffer_get_size (b), SPB * BPS);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (b),
        gst_util_uint64_scale_int (i * SPB, GST_SECOND, RATE));
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (b), BUF_TIME);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (b), (guint64) i * SPB);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (b),
        (guint64) (i + 1) * SPB);
    fail_unless_equals_int (GST_BUFFER_FLAG_IS_SET (b,
            GST_BUFFER_FLAG_DISCONT), i == 0);
  }
}

/* Messages the emulator received with @member, as JSON bodies, in order. */
static GPtrArray *
bodies_with (SinkLive * t, const gchar * member)
{
  return test_emulator_bodies_with (t->emu, member);
}

/* Polls until the emulator has read @n messages with @member (it logs
 * them as it reads them); at most 5 s. */
static GPtrArray *
wait_bodies (SinkLive * t, const gchar * member, guint n)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  GPtrArray *bodies = NULL;

  do {
    g_clear_pointer (&bodies, g_ptr_array_unref);
    bodies = bodies_with (t, member);
    if (bodies->len < n)
      g_usleep (5000);
  } while (bodies->len < n && g_get_monotonic_time () < deadline);
  return bodies;
}

static void
query_latency (SinkLive * t, gboolean * live, GstClockTime * min,
    GstClockTime * max)
{
  GstQuery *q = gst_query_new_latency ();

  fail_unless (gst_element_query (t->src, q));
  gst_query_parse_latency (q, live, min, max);
  gst_query_unref (q);
}

/* ---- timed cues, on time ---- */

/* The latency query adds the budget; a cue is spoken exactly at its
 * running time, the output running `latency` behind the clock. */
GST_START_TEST (test_live_cue_on_time)
{
  SinkLive *t = sl_new ("input-mode=cues;latency=200");
  GstStructure *started, *finished;
  g_autofree guint8 *speech = NULL;
  GstClockTime min, max;
  gboolean live;
  gsize len;
  guint i;

  fail_unless_equals_uint64 (t->delay, 200 * GST_MSECOND);
  speech = test_render ("Hello", RATE, &len);
  fail_unless_equals_int (len, test_byte_at (5 * CHAR_TIME, RATE));

  /* Idle: each wait ends `latency` after its buffer, which comes then and
   * not before. */
  for (i = 0; i < 5; i++) {
    GstBuffer *b = sl_step (t);

    fail_unless (b != NULL);
    fail_unless_equals_uint64 (clock_now (t), (i + 1) * BUF_TIME +
        200 * GST_MSECOND);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (b), i * BUF_TIME);
    fail_unless_equals_int (gst_harness_buffers_in_queue (t->h), 0);
    fail_unless (is_silent (b));
  }

  /* One buffer plus the budget (plus upstream's latency: 0). */
  query_latency (t, &live, &min, &max);
  fail_unless (live);
  fail_unless_equals_uint64 (min, 10 * GST_MSECOND + 200 * GST_MSECOND);

  /* The clock is at 250 ms, the output at 50 ms: a cue at 300 ms. */
  test_push_cue (t->h, "Hello", 300 * GST_MSECOND, 1 * GST_SECOND);
  wait_received (t, len);
  wait_generated (t, 1);

  started = sl_step_until (t, "cartesia-utterance-started", "cue-1", 100);
  /* Posted by the streaming thread as it takes the cue: before started. */
  fail_unless (sl_find (t, "cartesia-utterance-queued", "cue-1") != NULL);
  fail_unless_equals_uint64 (get_u64 (started, "running-time"),
      300 * GST_MSECOND);
  fail_unless (get_u64 (started, "time-to-first-audio") < 5 * GST_SECOND);
  /* Said by the time the clock is 200 ms past its running time. */
  fail_unless (clock_now (t) <= 310 * GST_MSECOND + 200 * GST_MSECOND,
      "started at clock %" GST_TIME_FORMAT, GST_TIME_ARGS (clock_now (t)));

  finished = sl_step_until (t, "cartesia-utterance-finished", "cue-1", 100);
  fail_unless_equals_uint64 (get_u64 (finished, "running-time"),
      550 * GST_MSECOND);
  fail_unless_equals_uint64 (get_u64 (finished, "duration"),
      250 * GST_MSECOND);
  fail_unless_equals_uint64 (get_u64 (finished, "underrun-duration"), 0);
  fail_if (get_bool (finished, "interrupted"));
  for (i = 0; i < 5; i++)
    fail_unless (sl_step (t) != NULL);
  sl_sync (t);

  /* Silence, then exactly the server's speech at 300 ms, then silence. */
  assert_silence (t, 0, test_byte_at (300 * GST_MSECOND, RATE));
  assert_audio_at (t, test_byte_at (300 * GST_MSECOND, RATE), speech, len);
  assert_silence (t, test_byte_at (550 * GST_MSECOND, RATE), t->audio->len);
  assert_timeline (t);
  fail_unless (output_end (t) >= 600 * GST_MSECOND);

  /* Upstream's latency is added too. */
  gst_harness_set_upstream_latency (t->h, 50 * GST_MSECOND);
  query_latency (t, &live, &min, &max);
  fail_unless (live);
  fail_unless_equals_uint64 (min, 260 * GST_MSECOND);
  assert_clean (t);
  sl_free (t);
}

GST_END_TEST;

/* ---- late cues ---- */

/* With latency=0, a cue whose running time is already past when its audio
 * comes: the output is at 200 ms, the cue at 100 ms. */
static SinkLive *
run_late_cue (const gchar * overflow, GstStructure ** started,
    GstStructure ** finished, guint8 ** speech, gsize * len)
{
  g_autofree gchar *props =
      g_strdup_printf ("input-mode=cues;latency=0;overflow=%s", overflow);
  SinkLive *t = sl_new (props);
  guint i;

  fail_unless_equals_uint64 (t->delay, 0);
  *speech = test_render ("abcdefgh", RATE, len);
  for (i = 0; i < 20; i++)
    fail_unless (sl_step (t) != NULL);
  fail_unless_equals_uint64 (output_end (t), 200 * GST_MSECOND);
  fail_unless_equals_int (gst_harness_buffers_in_queue (t->h), 0);

  test_push_cue (t->h, "abcdefgh", 100 * GST_MSECOND, 2 * GST_SECOND);
  wait_received (t, *len);
  wait_generated (t, 1);
  *started = sl_step_until (t, "cartesia-utterance-started", "cue-1", 10);
  *finished = sl_step_until (t, "cartesia-utterance-finished", "cue-1", 100);
  for (i = 0; i < 5; i++)
    fail_unless (sl_step (t) != NULL);
  sl_sync (t);
  assert_timeline (t);
  fail_if (get_bool (*finished, "interrupted"));
  fail_unless_equals_uint64 (get_u64 (*finished, "underrun-duration"), 0);
  assert_clean (t);
  return t;
}

/* clip: the head it missed is skipped, the rest plays in sync with where
 * the cue would have been. */
GST_START_TEST (test_live_late_cue_clip)
{
  GstStructure *started, *finished;
  g_autofree guint8 *speech = NULL;
  GstClockTime start_rt, skipped;
  gsize len;
  SinkLive *t = run_late_cue ("clip", &started, &finished, &speech, &len);

  start_rt = get_u64 (started, "running-time");
  /* The first buffer filled after the audio came: the next one. */
  fail_unless_equals_uint64 (start_rt, 200 * GST_MSECOND);
  skipped = start_rt - 100 * GST_MSECOND;
  /* It ends where it would have on time. */
  fail_unless_equals_uint64 (get_u64 (finished, "running-time"),
      100 * GST_MSECOND + 8 * CHAR_TIME);
  fail_unless_equals_uint64 (get_u64 (finished, "duration"),
      8 * CHAR_TIME - skipped);

  assert_silence (t, 0, test_byte_at (start_rt, RATE));
  assert_audio_at (t, test_byte_at (start_rt, RATE), speech + test_byte_at (skipped, RATE),
      len - test_byte_at (skipped, RATE));
  assert_silence (t, test_byte_at (500 * GST_MSECOND, RATE), t->audio->len);
  sl_free (t);
}

GST_END_TEST;

/* overlap: late, it plays from its first sample. */
GST_START_TEST (test_live_late_cue_overlap)
{
  GstStructure *started, *finished;
  g_autofree guint8 *speech = NULL;
  GstClockTime start_rt;
  gsize len;
  SinkLive *t = run_late_cue ("overlap", &started, &finished, &speech, &len);

  start_rt = get_u64 (started, "running-time");
  fail_unless_equals_uint64 (start_rt, 200 * GST_MSECOND);
  fail_unless_equals_uint64 (get_u64 (finished, "running-time"),
      start_rt + 8 * CHAR_TIME);
  fail_unless_equals_uint64 (get_u64 (finished, "duration"), 8 * CHAR_TIME);

  assert_silence (t, 0, test_byte_at (start_rt, RATE));
  assert_audio_at (t, test_byte_at (start_rt, RATE), speech, len);
  assert_silence (t, test_byte_at (start_rt, RATE) + len, t->audio->len);
  sl_free (t);
}

GST_END_TEST;

/* ---- streamed text ---- */

/* 20 tokens, one at a time: speech starts before the last one; the custom
 * event ends the utterance; the audio is that of the whole text. */
GST_START_TEST (test_live_token_stream)
{
  SinkLive *t = sl_new ("input-mode=stream");
  g_autoptr (GString) all = g_string_new (NULL);
  g_autoptr (GPtrArray) inputs = NULL;
  g_autofree guint8 *speech = NULL;
  GstStructure *started = NULL, *finished;
  GstClockTime start_rt = GST_CLOCK_TIME_NONE;
  guint i, started_after = 0;
  guint64 expected_bytes = 0;
  const gchar *context_id;
  gsize len;

  fail_unless_equals_uint64 (t->delay, 0);
  for (i = 0; i < 5; i++)
    fail_unless (sl_step (t) != NULL);

  /* Each token is a clause: the element sends each at once, but the
   * first only with four words (a word or two alone shifts the accent). */
  for (i = 0; i < 20; i++) {
    g_autofree gchar *token = g_strdup_printf ("w%u, ", i);
    gsize token_len;
    g_autofree guint8 *token_audio = test_render (token, RATE, &token_len);
    guint k;

    test_push_token (t->h, token);
    g_string_append (all, token);
    expected_bytes += token_len;
    if (i < 3)
      continue;
    wait_received (t, expected_bytes);
    if (started == NULL) {
      started = sl_step_until (t, "cartesia-utterance-started", "text-1", 5);
      start_rt = get_u64 (started, "running-time");
      started_after = i + 1;
    }
    /* The clock goes on while the tokens come, never past the speech that
     * has surely reached the element (all but the last chunk counted):
     * nothing underruns. */
    for (k = 0; k < 3; k++) {
      GstClockTime safe = start_rt + time_of (expected_bytes - CHUNK_BYTES);

      if (expected_bytes < CHUNK_BYTES || output_end (t) + BUF_TIME > safe)
        break;
      g_usleep (1000);
      fail_unless (sl_step (t) != NULL);
    }
  }
  fail_unless (started != NULL);
  fail_unless (started_after < 20, "speech started after %u tokens",
      started_after);
  GST_INFO ("speech started after %u tokens, at %" GST_TIME_FORMAT,
      started_after, GST_TIME_ARGS (start_rt));
  fail_if (sl_find (t, "cartesia-utterance-finished", "text-1"));

  fail_unless (gst_harness_push_event (t->h,
          gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM,
              gst_structure_new_empty ("cartesia-utterance-end"))));
  speech = test_render (all->str, RATE, &len);
  fail_unless_equals_uint64 (len, expected_bytes);
  wait_generated (t, 1);
  finished = sl_step_until (t, "cartesia-utterance-finished", "text-1", 500);
  fail_if (get_bool (finished, "interrupted"));
  fail_unless_equals_uint64 (get_u64 (finished, "underrun-duration"), 0);
  fail_unless_equals_uint64 (get_u64 (finished, "running-time"),
      start_rt + time_of (len));
  fail_unless_equals_uint64 (get_u64 (finished, "duration"), time_of (len));
  for (i = 0; i < 5; i++)
    fail_unless (sl_step (t) != NULL);
  sl_sync (t);

  assert_silence (t, 0, test_byte_at (start_rt, RATE));
  assert_audio_at (t, test_byte_at (start_rt, RATE), speech, len);
  assert_silence (t, test_byte_at (start_rt, RATE) + len, t->audio->len);
  assert_timeline (t);

  /* One context: the first four clauses, then one input per clause, all
   * generated at once (max_buffer_delay_ms 0), and an empty one to end it. */
  inputs = bodies_with (t, "transcript");
  fail_unless_equals_int (inputs->len, 18);
  fail_unless_equals_string (json_object_get_string_member
      (g_ptr_array_index (inputs, 0), "transcript"), "w0, w1, w2, w3, ");
  context_id = json_object_get_string_member (g_ptr_array_index (inputs, 0),
      "context_id");
  for (i = 0; i < inputs->len; i++) {
    JsonObject *in = g_ptr_array_index (inputs, i);

    fail_unless_equals_string (json_object_get_string_member (in,
            "context_id"), context_id);
    fail_unless_equals_int (json_object_get_boolean_member (in, "continue"),
        i < 17);
    fail_unless_equals_int (json_object_get_int_member (in,
            "max_buffer_delay_ms"), 0);
  }
  fail_unless_equals_string (json_object_get_string_member
      (g_ptr_array_index (inputs, 17), "transcript"), "");
  assert_clean (t);
  sl_free (t);
}

GST_END_TEST;

/* ---- flush (barge-in) ---- */

/* Steps with the clock no faster than real time from @base (monotonic
 * µs): speech paced in real time by the server keeps up. */
static GstBuffer *
sl_step_paced (SinkLive * t, gint64 base)
{
  while ((GstClockTime) (g_get_monotonic_time () - base) * GST_USECOND <
      clock_now (t))
    g_usleep (1000);
  return sl_step (t);
}

/* A long cue speaks; FLUSH_START, FLUSH_STOP and a new segment on the sink
 * pad: within a buffer it is silent and stays so, its context is cancelled,
 * the timeline goes on without a flush downstream, and a new cue plays. */
GST_START_TEST (test_live_flush_barge_in)
{
  SinkLive *t = sl_new ("input-mode=cues;latency=200");
  const gchar *long_text =
      "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefgh";
  g_autoptr (GPtrArray) inputs = NULL;
  g_autofree gchar *context_id = NULL;
  g_autofree guint8 *speech = NULL;
  GstStructure *finished, *started;
  GstClockTime flush_at, cue_at;
  GstSegment segment;
  guint i, spoken = 0, n_before;
  gint64 base;
  gsize len;

  test_emulator_set (t->emu, "pacing", "realtime");
  fail_unless (sl_step (t) != NULL);
  /* 3 s of speech from 10 ms on, sent at the pace it plays. */
  base = g_get_monotonic_time () - 10 * G_TIME_SPAN_MILLISECOND;
  test_push_cue (t->h, long_text, 10 * GST_MSECOND, 10 * GST_SECOND);
  wait_received (t, 1);
  inputs = wait_bodies (t, "transcript", 1);
  fail_unless_equals_int (inputs->len, 1);
  context_id = g_strdup (json_object_get_string_member (g_ptr_array_index
          (inputs, 0), "context_id"));
  g_clear_pointer (&inputs, g_ptr_array_unref);

  /* Until it has been heard for a while (200 ms of sound). */
  for (i = 0; i < 500 && spoken < 20; i++) {
    GstBuffer *b = sl_step_paced (t, base);

    fail_unless (b != NULL);
    if (!is_silent (b))
      spoken++;
  }
  fail_unless (spoken >= 20, "only %u buffers of speech", spoken);
  started = sl_find (t, "cartesia-utterance-started", "cue-1");
  fail_unless (started != NULL);
  fail_unless_equals_uint64 (get_u64 (started, "running-time"),
      10 * GST_MSECOND);
  fail_if (sl_find (t, "cartesia-utterance-finished", "cue-1"));
  sl_sync (t);
  /* Still speaking: the server has more to send. */
  fail_unless (test_bytes_received (t->src) < test_byte_at (60 * CHAR_TIME, RATE));

  n_before = t->buffers->len;
  flush_at = output_end (t);
  fail_unless (gst_harness_push_event (t->h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (t->h,
          gst_event_new_flush_stop (FALSE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (t->h,
          gst_event_new_segment (&segment)));
  test_emulator_set (t->emu, "pacing", "instant");

  /* Within a buffer: it is over, interrupted, and what follows is silence
   * (the server goes on sending it, paced, until it reads the cancel). */
  for (i = 0; i < 2; i++)
    fail_unless (sl_step_paced (t, base) != NULL);
  finished = sl_find (t, "cartesia-utterance-finished", "cue-1");
  fail_unless (finished != NULL, "not finished within 2 buffers of the "
      "flush");
  fail_unless (get_bool (finished, "interrupted"));
  fail_unless (get_u64 (finished, "running-time") <= flush_at + BUF_TIME,
      "finished at %" GST_TIME_FORMAT ", flushed at %" GST_TIME_FORMAT,
      GST_TIME_ARGS (get_u64 (finished, "running-time")),
      GST_TIME_ARGS (flush_at));
  GST_INFO ("first buffer after the flush %s", is_silent (g_ptr_array_index
          (t->buffers, n_before)) ? "silent" : "with speech");
  for (i = 0; i < 50; i++)
    fail_unless (sl_step_paced (t, base) != NULL);
  sl_sync (t);
  assert_silence (t, test_byte_at (flush_at + BUF_TIME, RATE), t->audio->len);

  /* Cancelled on the server (the emulator logs it when it reads it). */
  inputs = wait_bodies (t, "cancel", 1);
  fail_unless_equals_int (inputs->len, 1);
  fail_unless_equals_string (json_object_get_string_member
      (g_ptr_array_index (inputs, 0), "context_id"), context_id);
  g_clear_pointer (&inputs, g_ptr_array_unref);

  /* A new cue after the flush, 300 ms ahead of the output, plays on time. */
  cue_at = output_end (t) + 300 * GST_MSECOND;
  speech = test_render ("xyz", RATE, &len);
  test_push_cue (t->h, "xyz", cue_at, 1 * GST_SECOND);
  inputs = wait_bodies (t, "transcript", 2);
  fail_unless_equals_int (inputs->len, 2);
  fail_unless_equals_string (json_object_get_string_member
      (g_ptr_array_index (inputs, 1), "transcript"), "xyz");
  /* The old context never finished: this is the first generation done. */
  wait_generated (t, 1);
  started = sl_step_until (t, "cartesia-utterance-started", "cue-2", 100);
  fail_unless_equals_uint64 (get_u64 (started, "running-time"), cue_at);
  finished = sl_step_until (t, "cartesia-utterance-finished", "cue-2", 100);
  fail_if (get_bool (finished, "interrupted"));
  fail_unless_equals_uint64 (get_u64 (finished, "running-time"),
      cue_at + 3 * CHAR_TIME);
  for (i = 0; i < 3; i++)
    fail_unless (sl_step (t) != NULL);
  sl_sync (t);
  assert_silence (t, test_byte_at (flush_at + BUF_TIME, RATE), test_byte_at (cue_at, RATE));
  assert_audio_at (t, test_byte_at (cue_at, RATE), speech, len);
  assert_silence (t, test_byte_at (cue_at, RATE) + len, t->audio->len);

  /* The timeline never jumped, and no flush went downstream. */
  assert_timeline (t);
  g_mutex_lock (&t->msgs.lock);
  fail_unless_equals_int (t->flush_events, 0);
  g_mutex_unlock (&t->msgs.lock);
  assert_clean (t);
  sl_free (t);
}

GST_END_TEST;

/* ---- EOS ---- */

/* EOS on the sink pad while a cue is still to be said: it is said in full,
 * then EOS on src. */
GST_START_TEST (test_live_eos_after_speech)
{
  SinkLive *t = sl_new ("input-mode=cues;latency=200");
  g_autofree guint8 *speech = NULL;
  GstStructure *started, *finished;
  gsize len;
  guint i;

  speech = test_render ("abcdefghij", RATE, &len);
  fail_unless (sl_step (t) != NULL);
  test_push_cue (t->h, "abcdefghij", 100 * GST_MSECOND, 2 * GST_SECOND);
  fail_unless (gst_harness_push_event (t->h, gst_event_new_eos ()));
  wait_received (t, len);
  wait_generated (t, 1);

  /* No EOS while it is to be said. */
  for (i = 0; i < 200 && !sl_eos (t); i++) {
    g_usleep (1000);
    if (sl_step (t) == NULL)
      break;
  }
  fail_unless (sl_eos (t), "no EOS after %u buffers", i);
  sl_sync (t);
  fail_unless_equals_int (gst_harness_buffers_in_queue (t->h), 0);

  started = sl_find (t, "cartesia-utterance-started", "cue-1");
  finished = sl_find (t, "cartesia-utterance-finished", "cue-1");
  fail_unless (started != NULL);
  fail_unless (finished != NULL);
  fail_unless_equals_uint64 (get_u64 (started, "running-time"),
      100 * GST_MSECOND);
  fail_unless_equals_uint64 (get_u64 (finished, "running-time"),
      600 * GST_MSECOND);
  fail_if (get_bool (finished, "interrupted"));
  fail_unless_equals_uint64 (get_u64 (finished, "underrun-duration"), 0);

  /* All of it, then EOS right after the buffer it ended in. */
  assert_silence (t, 0, test_byte_at (100 * GST_MSECOND, RATE));
  assert_audio_at (t, test_byte_at (100 * GST_MSECOND, RATE), speech, len);
  fail_unless_equals_uint64 (output_end (t), 600 * GST_MSECOND);
  assert_timeline (t);
  g_mutex_lock (&t->msgs.lock);
  fail_unless_equals_int (t->buffers_before_eos, t->buffers->len);
  g_mutex_unlock (&t->msgs.lock);
  /* And the source stops waiting on the clock. */
  {
    GstTestClock *clock = gst_harness_get_testclock (t->h);

    fail_if (gst_test_clock_timed_wait_for_multiple_pending_ids (clock, 1,
            100, NULL));
    gst_object_unref (clock);
  }
  assert_clean (t);
  sl_free (t);
}

GST_END_TEST;


/* EOS while streamed text is still open (no utterance-end): the text is
 * ended, all of it is said, then EOS. */
GST_START_TEST (test_live_stream_eos)
{
  SinkLive *t = sl_new ("input-mode=stream");
  g_autofree guint8 *speech = NULL;
  GstStructure *started, *finished;
  GstClockTime start_rt;
  gsize len;
  guint i;

  speech = test_render ("abc defgh", RATE, &len);
  fail_unless (sl_step (t) != NULL);
  test_push_token (t->h, "abc ");
  test_push_token (t->h, "defgh");
  fail_unless (gst_harness_push_event (t->h, gst_event_new_eos ()));
  wait_received (t, len);
  wait_generated (t, 1);
  for (i = 0; i < 200 && !sl_eos (t); i++) {
    g_usleep (1000);
    if (sl_step (t) == NULL)
      break;
  }
  fail_unless (sl_eos (t), "no EOS after %u buffers", i);
  sl_sync (t);
  started = sl_find (t, "cartesia-utterance-started", "text-1");
  finished = sl_find (t, "cartesia-utterance-finished", "text-1");
  fail_unless (started != NULL);
  fail_unless (finished != NULL);
  start_rt = get_u64 (started, "running-time");
  fail_unless_equals_uint64 (get_u64 (finished, "running-time"),
      start_rt + 9 * CHAR_TIME);
  fail_if (get_bool (finished, "interrupted"));
  assert_silence (t, 0, test_byte_at (start_rt, RATE));
  assert_audio_at (t, test_byte_at (start_rt, RATE), speech, len);
  assert_silence (t, test_byte_at (start_rt, RATE) + len, t->audio->len);
  fail_unless (output_end (t) - (start_rt + 9 * CHAR_TIME) < BUF_TIME);
  assert_timeline (t);
  g_mutex_lock (&t->msgs.lock);
  fail_unless_equals_int (t->buffers_before_eos, t->buffers->len);
  g_mutex_unlock (&t->msgs.lock);
  assert_clean (t);
  sl_free (t);
}

GST_END_TEST;

/* A flush while streamed text is open: its context is cancelled, and the
 * next token opens a new one that is spoken normally. */
GST_START_TEST (test_live_stream_flush)
{
  SinkLive *t = sl_new ("input-mode=stream");
  g_autoptr (GPtrArray) inputs = NULL;
  g_autofree guint8 *speech = NULL;
  g_autofree gchar *first_context = NULL;
  GstStructure *finished, *started;
  GstClockTime flush_at, start_rt;
  GstSegment segment;
  gsize len;
  guint i;

  fail_unless (sl_step (t) != NULL);
  test_emulator_set (t->emu, "pacing", "realtime");
  /* two clauses, the first of four words: each is sent at once */
  test_push_token (t->h, "abcdefghijklmnopqrstuvwxyz ab cd ef, ");
  test_push_token (t->h, "abcdefghijklmnopqrstuvwxyz, ");
  wait_received (t, 1);
  sl_step_until (t, "cartesia-utterance-started", "text-1", 50);
  for (i = 0; i < 10; i++)
    fail_unless (sl_step (t) != NULL);
  sl_sync (t);
  inputs = wait_bodies (t, "transcript", 2);
  first_context = g_strdup (json_object_get_string_member (g_ptr_array_index
          (inputs, 0), "context_id"));
  g_clear_pointer (&inputs, g_ptr_array_unref);

  flush_at = output_end (t);
  fail_unless (gst_harness_push_event (t->h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (t->h,
          gst_event_new_flush_stop (FALSE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (t->h,
          gst_event_new_segment (&segment)));
  test_emulator_set (t->emu, "pacing", "instant");
  for (i = 0; i < 2; i++)
    fail_unless (sl_step (t) != NULL);
  finished = sl_find (t, "cartesia-utterance-finished", "text-1");
  fail_unless (finished != NULL);
  fail_unless (get_bool (finished, "interrupted"));
  inputs = wait_bodies (t, "cancel", 1);
  fail_unless_equals_int (inputs->len, 1);
  fail_unless_equals_string (json_object_get_string_member
      (g_ptr_array_index (inputs, 0), "context_id"), first_context);
  g_clear_pointer (&inputs, g_ptr_array_unref);

  /* New text: a new context, spoken in full. */
  speech = test_render ("xyz", RATE, &len);
  test_push_token (t->h, "xyz");
  fail_unless (gst_harness_push_event (t->h,
          gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM,
              gst_structure_new_empty ("cartesia-utterance-end"))));
  wait_generated (t, 1);
  started = sl_step_until (t, "cartesia-utterance-started", "text-2", 50);
  start_rt = get_u64 (started, "running-time");
  finished = sl_step_until (t, "cartesia-utterance-finished", "text-2", 100);
  fail_if (get_bool (finished, "interrupted"));
  fail_unless_equals_uint64 (get_u64 (finished, "running-time"),
      start_rt + 3 * CHAR_TIME);
  for (i = 0; i < 3; i++)
    fail_unless (sl_step (t) != NULL);
  sl_sync (t);
  assert_silence (t, test_byte_at (flush_at + BUF_TIME, RATE), test_byte_at (start_rt, RATE));
  assert_audio_at (t, test_byte_at (start_rt, RATE), speech, len);
  assert_silence (t, test_byte_at (start_rt, RATE) + len, t->audio->len);
  /* "xyz" waited for its clause; the end made it an utterance of one
   * input */
  inputs = bodies_with (t, "transcript");
  fail_unless_equals_int (inputs->len, 3);
  fail_if (g_strcmp0 (json_object_get_string_member (g_ptr_array_index
              (inputs, 2), "context_id"), first_context) == 0);
  fail_unless_equals_int (json_object_get_boolean_member (g_ptr_array_index
          (inputs, 2), "continue"), FALSE);
  assert_timeline (t);
  g_mutex_lock (&t->msgs.lock);
  fail_unless_equals_int (t->flush_events, 0);
  g_mutex_unlock (&t->msgs.lock);
  assert_clean (t);
  sl_free (t);
}

GST_END_TEST;

/* A cue waiting for its time is not due: the chunks of its audio that
 * arrive while the source waits for the clock must not wake it (the output
 * would run ahead of where the latency budget puts it, even ahead of the
 * clock, and a cue on time for the budget would be taken for a late one:
 * with clip, its head cut).  It once did, a buffer per chunk. */
GST_START_TEST (test_live_future_cue_keeps_output_on_clock)
{
  SinkLive *t = sl_new ("input-mode=cues;latency=200");
  g_autofree guint8 *a = NULL, *b = NULL;
  GstClockTime now, ahead, start_b;
  GstStructure *started;
  gsize len_a, len_b;
  guint i;

  /* Small chunks, each sent when it would play. */
  test_emulator_set (t->emu, "chunk-bytes", "1000");
  test_emulator_set (t->emu, "pacing", "realtime");
  a = test_render ("abcdefghijklmnopqrst", RATE, &len_a);
  b = test_render ("xyzxyzxyz", RATE, &len_b);
  for (i = 0; i < 5; i++)
    fail_unless (sl_step (t) != NULL);
  /* The clock at 250 ms, the output at 50 ms; a cue far ahead, at 3 s. */
  test_push_cue (t->h, "abcdefghijklmnopqrst", 3 * GST_SECOND, 2 * GST_SECOND);
  wait_received (t, len_a);
  sl_sync (t);
  now = clock_now (t);
  ahead = output_end (t) > now - t->delay ? output_end (t) - (now - t->delay)
      : 0;
  GST_INFO ("clock %" GST_TIME_FORMAT ", output made up to %" GST_TIME_FORMAT
      ": %" GST_TIME_FORMAT " ahead of the budget", GST_TIME_ARGS (now),
      GST_TIME_ARGS (output_end (t)), GST_TIME_ARGS (ahead));

  /* On time for the budget: at clock 250 ms a cue at 150 ms has 300 ms
   * of clock before it must play. */
  test_emulator_set (t->emu, "pacing", "instant");
  test_push_cue (t->h, "xyzxyzxyz", 150 * GST_MSECOND, 1 * GST_SECOND);
  wait_generated (t, 2);
  started = sl_step_until (t, "cartesia-utterance-started", "cue-2", 100);
  GST_INFO ("cue at 150 ms started at %" GST_TIME_FORMAT,
      GST_TIME_ARGS (get_u64 (started, "running-time")));
  start_b = get_u64 (started, "running-time");
  sl_free (t);

  fail_unless_equals_uint64 (ahead, 0);
  fail_unless_equals_uint64 (start_b, 150 * GST_MSECOND);
}

GST_END_TEST;

static Suite *
cartesiattssrc_sink_live_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-sink-live");
  TCase *tc = tcase_create ("sink-live");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_live_cue_on_time);
  tcase_add_test (tc, test_live_late_cue_clip);
  tcase_add_test (tc, test_live_late_cue_overlap);
  tcase_add_test (tc, test_live_token_stream);
  tcase_add_test (tc, test_live_flush_barge_in);
  tcase_add_test (tc, test_live_eos_after_speech);
  tcase_add_test (tc, test_live_stream_eos);
  tcase_add_test (tc, test_live_stream_flush);
  tcase_add_test (tc, test_live_future_cue_keeps_output_on_clock);
  return s;
}

GST_CHECK_MAIN (cartesiattssrc_sink_live);
