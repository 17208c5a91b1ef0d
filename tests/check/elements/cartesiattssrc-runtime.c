/* cartesiattssrc under runtime control: settings changed while playing,
 * per-utterance settings (queue-utterance-full, the cartesia-settings
 * event), speakers mapped to voices, overflow=fit, phoneme timestamps and
 * the server's request id in errors.  Live tests run on a GstTestClock;
 * sink-pad tests push text through a GstHarness. */
#include "cartesia-test-utils.h"
/* The request-id tests install a log function. */
#include "cartesia-asan-full-unwind.h"

#include <gst/check/gstharness.h>
#include <gst/check/gsttestclock.h>
#include <string.h>

#define RATE 16000
#define BPS 2
#define SPB 160                 /* live: 10 ms buffers */
#define CAPS "audio/x-raw,format=S16LE,rate=16000"
/* The emulator's synthetic voice: 50 ms per character. */
#define CHAR_TIME (50 * GST_MSECOND)

#define VOICE_A "a0e99841-438c-4a64-b679-ae501e7d6091"
#define VOICE_B "79a125e8-cd45-4c13-8a67-188112f4dd22"
#define VOICE_DEFAULT "694f9389-aac1-45b6-b726-9d9369183238"

typedef struct
{
  CartesiaEmulator *emu;
  GstElement *src;
  GstHarness *h;
  TestMessages msgs;
  GByteArray *audio;
  GstClockTime delay;           /* live cues: the output runs this late */
} Fixture;

/* Live, 16 kHz, 10 ms buffers, no fades, on the harness's test clock. */
static Fixture *
live_new (const gchar * props)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->emu = test_emulator_new ();
  f->src = gst_object_ref_sink (test_make_src (f->emu, NULL));
  g_object_set (f->src, "is-live", TRUE, "samplesperbuffer", SPB,
      "fade-ms", 0, "jitter-margin-ms", 0, NULL);
  test_set_props (f->src, props);
  f->audio = g_byte_array_new ();
  test_messages_attach (&f->msgs, f->src);
  f->h = test_harness_new_src (f->src, CAPS);
  return f;
}

/* Non-live with a sink pad fed by the harness, 16 kHz, no fades. */
static Fixture *
sink_new (const gchar * props, const gchar * emulator_voice)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->emu = test_emulator_new ();
  if (emulator_voice)
    test_emulator_set (f->emu, "voice", emulator_voice);
  f->src = gst_object_ref_sink (test_make_src (f->emu, NULL));
  g_object_set (f->src, "fade-ms", 0, "samplesperbuffer", 1600, NULL);
  test_set_props (f->src, props);
  f->audio = g_byte_array_new ();
  test_messages_attach (&f->msgs, f->src);
  f->h = test_harness_new_text (f->src, CAPS, "text/x-raw,format=utf8");
  return f;
}

/* Live with a sink pad fed by the harness, on its test clock, playing. */
static Fixture *
live_sink_new (const gchar * props)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->emu = test_emulator_new ();
  f->src = gst_object_ref_sink (test_make_src (f->emu, NULL));
  g_object_set (f->src, "is-live", TRUE, "samplesperbuffer", SPB,
      "fade-ms", 0, "jitter-margin-ms", 0, NULL);
  test_set_props (f->src, props);
  f->audio = g_byte_array_new ();
  test_messages_attach (&f->msgs, f->src);
  f->h = test_harness_new_text (f->src, CAPS, "text/x-raw,format=utf8");
  gst_harness_play (f->h);
  return f;
}

static void
fixture_free (Fixture * f)
{
  gst_harness_teardown (f->h);
  test_messages_detach (&f->msgs, f->src);
  gst_object_unref (f->src);
  g_byte_array_unref (f->audio);
  cartesia_emulator_free (f->emu);
  g_free (f);
}

static void
take (Fixture * f, GstBuffer * buf)
{
  test_take_audio (f->audio, NULL, buf);
}

/* ---- live helpers ---- */

/* One buffer's time: the test clock moves on to the end of the streaming
 * thread's next wait, and the output until then is taken.  A buffer may
 * stop short, where started speech ran out of audio mid-buffer (the
 * network lags the test clock, on a loaded machine): the next one is
 * complete only when its own time is over, one more wait of the streaming
 * thread.  It waits for the clock with nothing for us (what it pushed
 * before its wait began is in the harness's queue): that wait is released
 * too, rather than wait for a buffer that needs the clock to move. */
static void
live_step (Fixture * f)
{
  GstTestClock *clock = gst_harness_get_testclock (f->h);
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  GstClockTime now, end;
  GstBuffer *buf;

  now = test_clock_crank (clock);
  for (;;) {
    buf = gst_harness_try_pull (f->h);
    if (buf == NULL && gst_test_clock_peek_next_pending_id (clock, NULL)
        && (buf = gst_harness_try_pull (f->h)) == NULL) {
      now = test_clock_crank (clock);
      continue;
    }
    if (buf == NULL) {
      fail_unless (g_get_monotonic_time () < deadline,
          "no buffer in 60 s, none due on the clock");
      g_usleep (200);
      continue;
    }
    end = GST_BUFFER_PTS (buf) + GST_BUFFER_DURATION (buf);
    take (f, buf);
    if (end + f->delay >= now)
      break;
  }
  gst_object_unref (clock);
}

/* Waits (10 s at most, in real time) until the emulator has finished @n
 * generations, and a little more for them to reach the element. */
static void
wait_contexts_done (Fixture * f, guint n)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  CartesiaEmulatorStats stats;

  do {
    g_usleep (2000);
    cartesia_emulator_get_stats (f->emu, &stats);
  } while (stats.contexts_done < n && g_get_monotonic_time () < deadline);
  fail_unless (stats.contexts_done >= n, "only %u generations done",
      stats.contexts_done);
  g_usleep (50000);
}

/* Steps until the message came: @max buffers, and on a loaded machine as
 * many more as 60 s of real time allow.  The test clock runs far ahead of
 * real time (the network gets 1 ms of real time per buffer): where the
 * message waits for the network, the count alone failed under load. */
static GstStructure *
live_step_until (Fixture * f, const gchar * name, const gchar * id, guint max)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  GstStructure *s = NULL;
  guint i;

  for (i = 0; !(s = test_messages_find (&f->msgs, name, id)); i++) {
    fail_unless (i < max || g_get_monotonic_time () < deadline,
        "no %s for %s after %u buffers and 60 s", name, GST_STR_NULL (id), i);
    g_usleep (1000);
    live_step (f);
  }
  return s;
}

static guint64
get_u64 (const GstStructure * s, const gchar * field)
{
  guint64 v = 0;

  fail_unless (gst_structure_get_uint64 (s, field, &v), "no %s in %"
      GST_PTR_FORMAT, field, s);
  return v;
}

/* ---- what the server was asked ---- */

/* The generation requests the emulator received (bodies with a transcript,
 * in order). */
static GPtrArray *
generations (Fixture * f)
{
  return test_emulator_bodies_with (f->emu, "transcript");
}

/* Waits (60 s at most) until the emulator has at least @n generation
 * requests; returns how many it has. */
static guint
wait_generations (Fixture * f, guint n)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  guint len;

  for (;;) {
    GPtrArray *bodies = generations (f);

    len = bodies->len;
    g_ptr_array_unref (bodies);
    if (len >= n || g_get_monotonic_time () > deadline)
      break;
    g_usleep (2000);
  }
  fail_unless (len >= n, "%u generation requests, not %u", len, n);
  return len;
}

static JsonObject *
nth (GPtrArray * bodies, guint n)
{
  fail_unless (n < bodies->len, "only %u requests", bodies->len);
  return g_ptr_array_index (bodies, n);
}

/* The one request whose transcript is @text. */
static JsonObject *
with_text (GPtrArray * bodies, const gchar * text)
{
  JsonObject *found = NULL;
  guint i;

  for (i = 0; i < bodies->len; i++) {
    JsonObject *b = g_ptr_array_index (bodies, i);

    if (g_strcmp0 (json_object_get_string_member (b, "transcript"),
            text) == 0) {
      fail_unless (found == NULL, "two requests for \"%s\"", text);
      found = b;
    }
  }
  fail_unless (found != NULL, "no request for \"%s\"", text);
  return found;
}

static const gchar *
voice_of (JsonObject * body)
{
  return json_object_get_string_member (json_object_get_object_member (body,
          "voice"), "id");
}

static JsonObject *
generation_config (JsonObject * body)
{
  return json_object_has_member (body, "generation_config") ?
      json_object_get_object_member (body, "generation_config") : NULL;
}

static guint
count_warnings (Fixture * f, const gchar * needle)
{
  guint i, n = 0;

  g_mutex_lock (&f->msgs.lock);
  for (i = 0; i < f->msgs.warnings->len; i++) {
    GError *e = g_ptr_array_index (f->msgs.warnings, i);

    if (strstr (e->message, needle)) {
      fail_unless (e->domain == GST_RESOURCE_ERROR);
      fail_unless_equals_int (e->code, GST_RESOURCE_ERROR_SETTINGS);
      n++;
    }
  }
  g_mutex_unlock (&f->msgs.lock);
  return n;
}

/* ---- sink helpers ---- */

static void
push_cue (Fixture * f, const gchar * text, GstClockTime pts,
    GstClockTime duration)
{
  GstBuffer *buf = gst_buffer_new_memdup (text, strlen (text));

  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = duration;
  fail_unless_equals_int (gst_harness_push (f->h, buf), GST_FLOW_OK);
}

static void
push_token (Fixture * f, const gchar * text)
{
  fail_unless_equals_int (gst_harness_push (f->h,
          gst_buffer_new_memdup (text, strlen (text))), GST_FLOW_OK);
}

static void
push_custom (Fixture * f, GstStructure * s)
{
  fail_unless (gst_harness_push_event (f->h,
          gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM, s)));
}

static void
pull_until_eos (Fixture * f)
{
  GstBuffer *buf = NULL;

  while (gst_harness_pull_until_eos (f->h, &buf) && buf) {
    take (f, buf);
    buf = NULL;
  }
  fail_unless (buf == NULL, "no EOS");
  fail_unless (f->msgs.error == NULL, "error: %s", f->msgs.error ?
      f->msgs.error->message : "");
}

static void
end_input (Fixture * f)
{
  fail_unless (gst_harness_push_event (f->h, gst_event_new_eos ()));
  pull_until_eos (f);
}

/* ---- settings while playing ---- */

/* gst-inspect says which settings may change while playing. */
GST_START_TEST (test_mutable_flags)
{
  GstElement *src = gst_element_factory_make ("cartesiattssrc", NULL);
  static const gchar *playing[] = { "voice-id", "model-id", "language",
    "speed", "volume", "emotion", "pronunciation-dict-id", "speaker-map",
    "max-speed", "overflow", "text"
  };
  static const gchar *ready[] = { "phoneme-timestamps", "word-timestamps",
    "base-url", "transport", "cartesia-version"
  };
  GParamSpec *p;
  gdouble d;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (playing); i++) {
    p = g_object_class_find_property (G_OBJECT_GET_CLASS (src), playing[i]);
    fail_unless (p != NULL, "no %s", playing[i]);
    fail_unless (p->flags & GST_PARAM_MUTABLE_PLAYING, "%s", playing[i]);
  }
  for (i = 0; i < G_N_ELEMENTS (ready); i++) {
    p = g_object_class_find_property (G_OBJECT_GET_CLASS (src), ready[i]);
    fail_unless (p != NULL, "no %s", ready[i]);
    fail_unless (p->flags & GST_PARAM_MUTABLE_READY, "%s", ready[i]);
  }
  g_object_get (src, "max-speed", &d, NULL);
  fail_unless_equals_float (d, 1.25);
  p = g_object_class_find_property (G_OBJECT_GET_CLASS (src), "max-speed");
  fail_unless_equals_float (G_PARAM_SPEC_DOUBLE (p)->minimum, 0.6);
  fail_unless_equals_float (G_PARAM_SPEC_DOUBLE (p)->maximum, 1.5);
  gst_object_unref (src);
}

GST_END_TEST;

/* Live: the voice changes while an utterance speaks.  The next utterance's
 * request carries the new settings; the one speaking was asked for once,
 * with the old ones, and plays to its end, byte for byte. */
GST_START_TEST (test_voice_change_while_playing)
{
  Fixture *f = live_new (NULL);
  g_autoptr (GPtrArray) bodies = NULL;
  GstStructure *started, *finished;
  gsize len, at;
  g_autofree guint8 *first = cartesia_emulator_render ("First one",
      "pcm_s16le", RATE, &len);
  JsonObject *gc;

  gst_harness_play (f->h);
  g_signal_emit_by_name (f->src, "queue-utterance", "First one", "a");
  /* Its audio is compared byte for byte: all of it is in before the clock
   * moves, or a loaded machine's network would lag the test clock into an
   * underrun (silence where a chunk was late). */
  wait_contexts_done (f, 1);
  started = live_step_until (f, "cartesia-utterance-started", "a", 500);
  fail_unless (test_messages_find (&f->msgs, "cartesia-utterance-finished",
          "a") == NULL);

  /* In PLAYING, with "a" speaking. */
  fail_unless_equals_int (GST_STATE (f->src), GST_STATE_PLAYING);
  g_object_set (f->src, "voice-id", VOICE_B, "model-id", "sonic-3.5",
      "language", "de", "speed", 1.3, "volume", 1.5, "emotion", "excited",
      "pronunciation-dict-id", "dict-7", NULL);
  g_signal_emit_by_name (f->src, "queue-utterance", "Second", "b");
  finished = live_step_until (f, "cartesia-utterance-finished", "a", 500);
  fail_if (g_value_get_boolean (gst_structure_get_value (finished,
              "interrupted")));
  live_step_until (f, "cartesia-utterance-finished", "b", 500);

  bodies = generations (f);
  fail_unless_equals_int (bodies->len, 2);
  fail_unless_equals_string (json_object_get_string_member (nth (bodies, 0),
          "transcript"), "First one");
  fail_unless_equals_string (voice_of (nth (bodies, 0)), VOICE_DEFAULT);
  fail_unless_equals_string (json_object_get_string_member (nth (bodies, 0),
          "model_id"), "sonic-3");
  fail_unless (generation_config (nth (bodies, 0)) == NULL);
  fail_unless_equals_string (json_object_get_string_member (nth (bodies, 1),
          "transcript"), "Second");
  fail_unless_equals_string (voice_of (nth (bodies, 1)), VOICE_B);
  fail_unless_equals_string (json_object_get_string_member (nth (bodies, 1),
          "model_id"), "sonic-3.5");
  fail_unless_equals_string (json_object_get_string_member (nth (bodies, 1),
          "language"), "de");
  fail_unless_equals_string (json_object_get_string_member (nth (bodies, 1),
          "pronunciation_dict_id"), "dict-7");
  gc = generation_config (nth (bodies, 1));
  fail_unless (gc != NULL);
  fail_unless_equals_float (json_object_get_double_member (gc, "speed"), 1.3);
  fail_unless_equals_float (json_object_get_double_member (gc, "volume"),
      1.5);
  fail_unless_equals_string (json_object_get_string_member (gc, "emotion"),
      "excited");

  /* "a" played whole, as the server sent it. */
  fail_unless_equals_uint64 (get_u64 (finished, "underrun-duration"), 0);
  at = gst_util_uint64_scale_round (get_u64 (started, "running-time"), RATE,
      GST_SECOND) * BPS;
  fail_unless (f->audio->len >= at + len);
  fail_unless (memcmp (f->audio->data + at, first, len) == 0);
  fail_unless_equals_uint64 (get_u64 (finished, "duration"),
      9 * CHAR_TIME);
  fixture_free (f);
}

GST_END_TEST;

/* Streamed text keeps the settings its context began with: a continuation
 * repeats them (Cartesia requires it), the next context has the new ones.
 * (The element sends streamed text clause by clause, the first once it has
 * four words.) */
GST_START_TEST (test_streamed_text_switches_at_next_context)
{
  Fixture *f = sink_new ("input-mode=stream", NULL);
  g_autoptr (GPtrArray) bodies = NULL;
  const gchar *ctx1 = NULL, *ctx2 = NULL;
  guint i, n1 = 0, n2 = 0, before;

  push_token (f, "Hello there, my good friend, ");
  /* Sent from the pad's thread before the push returned; the emulator
   * records it once it arrives (bounded wait). */
  before = wait_generations (f, 1);
  g_object_set (f->src, "voice-id", VOICE_A, "speed", 0.8, NULL);
  push_token (f, "how are you? ");
  push_custom (f, gst_structure_new_empty ("cartesia-utterance-end"));
  push_token (f, "Again and again, one more time.");
  end_input (f);

  bodies = generations (f);
  for (i = 0; i < bodies->len; i++) {
    JsonObject *b = nth (bodies, i);
    const gchar *ctx = json_object_get_string_member (b, "context_id");

    if (ctx1 == NULL)
      ctx1 = ctx;
    if (g_strcmp0 (ctx, ctx1) == 0) {
      fail_unless_equals_string (voice_of (b), VOICE_DEFAULT);
      fail_unless (generation_config (b) == NULL);
      n1++;
      continue;
    }
    if (ctx2 == NULL)
      ctx2 = ctx;
    fail_unless_equals_string (ctx, ctx2);
    fail_unless_equals_string (voice_of (b), VOICE_A);
    fail_unless_equals_float (json_object_get_double_member
        (generation_config (b), "speed"), 0.8);
    n2++;
  }
  /* The first context went on after the change: its later inputs (the
   * second clause, the end) kept the old voice. */
  fail_unless (n1 > before, "%u inputs, %u before the change", n1, before);
  fail_unless (n2 >= 1);
  fixture_free (f);
}

GST_END_TEST;

/* ---- per-utterance settings ---- */

/* queue-utterance-full with three overrides, one of them bad: a clear
 * warning names it, the utterance speaks with the other two; an unknown
 * field the same.  The properties are untouched. */
GST_START_TEST (test_queue_utterance_full)
{
  Fixture *f = live_new (NULL);
  g_autoptr (GPtrArray) bodies = NULL;
  JsonObject *one, *two, *three;
  GstStructure *settings;
  gchar *voice = NULL;

  gst_harness_play (f->h);
  settings = gst_structure_new ("settings", "voice-id", G_TYPE_STRING,
      VOICE_A, "language", G_TYPE_STRING, "es", "speed", G_TYPE_DOUBLE, 3.0,
      NULL);
  g_signal_emit_by_name (f->src, "queue-utterance-full", "Hola", "one",
      settings);
  gst_structure_free (settings);
  settings = gst_structure_new ("settings", "emotion", G_TYPE_STRING, "calm",
      "colour", G_TYPE_STRING, "red", NULL);
  g_signal_emit_by_name (f->src, "queue-utterance-full", "Two", "two",
      settings);
  gst_structure_free (settings);
  /* No settings at all: the properties. */
  g_signal_emit_by_name (f->src, "queue-utterance-full", "Three", NULL, NULL);
  live_step_until (f, "cartesia-utterance-finished", "one", 500);
  live_step_until (f, "cartesia-utterance-finished", "two", 500);
  live_step_until (f, "cartesia-utterance-finished", "utterance-1", 500);

  fail_unless_equals_int (count_warnings (f, "Ignored settings of utterance "
          "\"one\": speed: 3 is not within 0.6..1.5"), 1);
  fail_unless_equals_int (count_warnings (f, "Ignored settings of utterance "
          "\"two\": colour: not a setting"), 1);
  fail_unless (test_messages_find (&f->msgs, "cartesia-utterance-failed",
          NULL) == NULL);

  bodies = generations (f);
  fail_unless_equals_int (bodies->len, 3);
  one = with_text (bodies, "Hola");
  two = with_text (bodies, "Two");
  three = with_text (bodies, "Three");
  fail_unless_equals_string (voice_of (one), VOICE_A);
  fail_unless_equals_string (json_object_get_string_member (one,
          "language"), "es");
  fail_unless (generation_config (one) == NULL);
  fail_unless_equals_string (voice_of (two), VOICE_DEFAULT);
  fail_unless_equals_string (json_object_get_string_member
      (generation_config (two), "emotion"), "calm");
  fail_unless_equals_string (voice_of (three), VOICE_DEFAULT);
  fail_unless_equals_string (json_object_get_string_member (three,
          "language"), "en");
  fail_unless (generation_config (three) == NULL);

  g_object_get (f->src, "voice-id", &voice, NULL);
  fail_unless_equals_string (voice, VOICE_DEFAULT);
  g_free (voice);
  fixture_free (f);
}

GST_END_TEST;

/* A cartesia-settings event between two cues: the second speaks with it
 * (and every cue after, on top of the properties); a bad field warns. */
GST_START_TEST (test_settings_event_between_cues)
{
  Fixture *f = sink_new (NULL, NULL);
  g_autoptr (GPtrArray) bodies = NULL;

  push_cue (f, "One", 0, 500 * GST_MSECOND);
  push_custom (f, gst_structure_new ("cartesia-settings", "voice-id",
          G_TYPE_STRING, VOICE_A, "emotion", G_TYPE_STRING, "sad", "volume",
          G_TYPE_STRING, "loud", NULL));
  push_cue (f, "Two", GST_SECOND, 500 * GST_MSECOND);
  push_custom (f, gst_structure_new ("cartesia-settings", "speed",
          G_TYPE_DOUBLE, 1.1, NULL));
  push_cue (f, "Six", 2 * GST_SECOND, 500 * GST_MSECOND);
  end_input (f);

  fail_unless_equals_int (count_warnings (f, "Ignored settings of a "
          "cartesia-settings event: volume: a gchararray, not a number"), 1);
  bodies = generations (f);
  fail_unless_equals_int (bodies->len, 3);
  fail_unless_equals_string (voice_of (nth (bodies, 0)), VOICE_DEFAULT);
  fail_unless (generation_config (nth (bodies, 0)) == NULL);
  fail_unless_equals_string (voice_of (nth (bodies, 1)), VOICE_A);
  fail_unless_equals_string (json_object_get_string_member
      (generation_config (nth (bodies, 1)), "emotion"), "sad");
  fail_if (json_object_has_member (generation_config (nth (bodies, 1)),
          "volume"));
  fail_unless_equals_string (voice_of (nth (bodies, 2)), VOICE_A);
  fail_unless_equals_string (json_object_get_string_member
      (generation_config (nth (bodies, 2)), "emotion"), "sad");
  fail_unless_equals_float (json_object_get_double_member (generation_config
          (nth (bodies, 2)), "speed"), 1.1);
  /* All three spoke: 3 s of timeline. */
  fail_unless_equals_uint64 (f->audio->len, 2500 * RATE / 1000 * BPS);
  fixture_free (f);
}

GST_END_TEST;

static GstStructure *
speaker_change (const gchar * speaker)
{
  return gst_structure_new ("rstranscribe/speaker-change", "speaker",
      G_TYPE_STRING, speaker, NULL);
}

/* rstranscribe/speaker-change events pick the voice from speaker-map; an
 * unmapped speaker keeps the voice before it. */
GST_START_TEST (test_speaker_map)
{
  Fixture *f = sink_new (NULL, NULL);
  g_autoptr (GPtrArray) bodies = NULL;
  GstStructure *map = gst_structure_new ("map", "spk_0", G_TYPE_STRING,
      VOICE_A, "spk_1", G_TYPE_STRING, VOICE_B, NULL);

  g_object_set (f->src, "speaker-map", map, NULL);
  gst_structure_free (map);
  push_cue (f, "Nobody yet", 0, 600 * GST_MSECOND);
  push_custom (f, speaker_change ("spk_1"));
  push_cue (f, "I am one", GST_SECOND, 500 * GST_MSECOND);
  push_custom (f, speaker_change ("spk_0"));
  push_cue (f, "I am zero", 2 * GST_SECOND, 500 * GST_MSECOND);
  push_custom (f, speaker_change ("spk_9"));
  push_cue (f, "Who am I", 3 * GST_SECOND, 500 * GST_MSECOND);
  end_input (f);

  bodies = generations (f);
  fail_unless_equals_int (bodies->len, 4);
  fail_unless_equals_string (voice_of (nth (bodies, 0)), VOICE_DEFAULT);
  fail_unless_equals_string (voice_of (nth (bodies, 1)), VOICE_B);
  fail_unless_equals_string (voice_of (nth (bodies, 2)), VOICE_A);
  fail_unless_equals_string (voice_of (nth (bodies, 3)), VOICE_A);
  fail_unless_equals_int (count_warnings (f, ""), 0);
  fixture_free (f);
}

GST_END_TEST;

/* A speaker-map whose value is not a voice id: a warning when it is set. */
GST_START_TEST (test_speaker_map_bad_value)
{
  Fixture *f = sink_new (NULL, NULL);
  GstStructure *map = gst_structure_new ("map", "spk_0", G_TYPE_INT, 3,
      NULL);

  g_object_set (f->src, "speaker-map", map, NULL);
  gst_structure_free (map);
  fail_unless_equals_int (count_warnings (f, "speaker-map: spk_0: the voice "
          "id must be a non-empty string; those speakers keep the current "
          "voice"), 1);
  push_custom (f, speaker_change ("spk_0"));
  push_cue (f, "Still fine", 0, GST_SECOND);
  end_input (f);
  fixture_free (f);
}

GST_END_TEST;

/* ---- overflow=fit ---- */

static GstStructure *
cue_finished (Fixture * f, const gchar * id)
{
  GstStructure *s = test_messages_find (&f->msgs, "cartesia-cue-finished",
      id);

  fail_unless (s != NULL, "no cartesia-cue-finished for %s", id);
  return s;
}

static gdouble
get_double (const GstStructure * s, const gchar * field)
{
  gdouble v = 0.0;

  fail_unless (gst_structure_get_double (s, field, &v), "no %s", field);
  return v;
}

static gboolean
get_bool (const GstStructure * s, const gchar * field)
{
  gboolean v = FALSE;

  fail_unless (gst_structure_get_boolean (s, field, &v), "no %s", field);
  return v;
}

#define FIT_TEXT "Speech that must fit into its cue."

/* How long the espeak voice says FIT_TEXT at speed 1 (from a cue long
 * enough for it, overflow=clip): the element's own report, exact. */
static guint64
espeak_duration (void)
{
  Fixture *f = sink_new (NULL, "espeak");
  GstStructure *s;
  guint64 d;

  push_cue (f, FIT_TEXT, 0, 30 * GST_SECOND);
  end_input (f);
  s = cue_finished (f, "cue-1");
  fail_if (get_bool (s, "clipped"));
  d = get_u64 (s, "speech-duration");
  fail_unless (d > GST_SECOND && d < 30 * GST_SECOND);
  fixture_free (f);
  return d;
}

/* Speech 20 % longer than its cue: asked again at 1.2 * 1.03 = 1.236 of
 * the speed (the emulator's espeak voice speaks faster when asked), and it
 * fits: not clipped, the speed in the request and in the message. */
GST_START_TEST (test_fit_twenty_percent)
{
  guint64 first = espeak_duration ();
  GstClockTime pts = 2 * GST_SECOND;
  GstClockTime cue = gst_util_uint64_scale (first, 10, 12);
  guint64 first_samples = gst_util_uint64_scale_round (first, RATE,
      GST_SECOND);
  guint64 cue_samples = gst_util_uint64_scale_round (cue, RATE, GST_SECOND);
  gdouble expected = (gint64) (1.03 * first_samples / cue_samples * 1000.0 +
      0.5) / 1000.0;
  Fixture *f = sink_new ("overflow=fit", "espeak");
  g_autoptr (GPtrArray) bodies = NULL;
  CartesiaEmulatorStats stats;
  GstStructure *s, *done;
  guint64 speech;

  fail_unless (expected > 1.2 && expected <= 1.25, "%f", expected);
  push_cue (f, FIT_TEXT, pts, cue);
  end_input (f);

  bodies = generations (f);
  fail_unless_equals_int (bodies->len, 2);
  fail_unless (generation_config (nth (bodies, 0)) == NULL);
  fail_unless_equals_float (json_object_get_double_member (generation_config
          (nth (bodies, 1)), "speed"), expected);
  fail_unless_equals_string (json_object_get_string_member (nth (bodies, 1),
          "transcript"), FIT_TEXT);

  s = cue_finished (f, "cue-1");
  fail_unless_equals_string (gst_structure_get_string (s, "text"), FIT_TEXT);
  fail_unless_equals_uint64 (get_u64 (s, "pts"), pts);
  fail_unless_equals_uint64 (get_u64 (s, "running-time"), pts);
  fail_unless_equals_uint64 (get_u64 (s, "duration"), cue);
  fail_unless_equals_float (get_double (s, "speed"), expected);
  fail_if (get_bool (s, "clipped"));
  speech = get_u64 (s, "speech-duration");
  fail_unless (speech <= cue, "%" GST_TIME_FORMAT " > %" GST_TIME_FORMAT,
      GST_TIME_ARGS (speech), GST_TIME_ARGS (cue));
  fail_unless (speech > cue / 2);
  /* All of the faster answer played, and only it: with the first answer,
   * that is everything the emulator sent. */
  done = test_messages_find (&f->msgs, "cartesia-utterance-finished",
      "cue-1");
  fail_unless (done != NULL);
  fail_unless_equals_uint64 (get_u64 (done, "duration"), speech);
  cartesia_emulator_get_stats (f->emu, &stats);
  fail_unless_equals_uint64 (stats.audio_bytes_sent,
      (first_samples + gst_util_uint64_scale_round (speech, RATE,
              GST_SECOND)) * BPS);
  fixture_free (f);
}

GST_END_TEST;

/* A cue far too short for its text: even max-speed would not fit, so it is
 * not asked again; it is clipped, and the message says so.  Synthetic
 * voice: 24 characters, 1.2 s of speech, for a 100 ms cue. */
GST_START_TEST (test_fit_far_too_short)
{
  Fixture *f = sink_new ("overflow=fit", NULL);
  g_autoptr (GPtrArray) bodies = NULL;
  const gchar *text = "Far too long for its cue";
  GstClockTime pts = 500 * GST_MSECOND, cue = 100 * GST_MSECOND;
  gsize len, at = 500 * RATE / 1000 * BPS, n = 100 * RATE / 1000 * BPS;
  g_autofree guint8 *speech = cartesia_emulator_render (text, "pcm_s16le",
      RATE, &len);
  GstStructure *s;

  push_cue (f, text, pts, cue);
  end_input (f);

  bodies = generations (f);
  fail_unless_equals_int (bodies->len, 1);
  s = cue_finished (f, "cue-1");
  fail_unless (get_bool (s, "clipped"));
  fail_unless_equals_float (get_double (s, "speed"), 1.0);
  fail_unless_equals_uint64 (get_u64 (s, "speech-duration"),
      24 * CHAR_TIME);
  fail_unless_equals_uint64 (get_u64 (s, "duration"), cue);
  fail_unless_equals_uint64 (get_u64 (s, "pts"), pts);
  fail_unless_equals_string (gst_structure_get_string (s, "text"), text);
  /* What played: the cue's 100 ms of the speech, exactly. */
  fail_unless_equals_uint64 (f->audio->len, at + n);
  fail_unless (memcmp (f->audio->data + at, speech, n) == 0);
  fixture_free (f);
}

GST_END_TEST;

/* Speech that fits at once is not asked again; every cue gets its
 * message, whatever the overflow mode. */
GST_START_TEST (test_fit_already_fits)
{
  Fixture *f = sink_new ("overflow=fit", NULL);
  g_autoptr (GPtrArray) bodies = NULL;
  GstStructure *s;

  push_cue (f, "Short", 0, GST_SECOND);
  end_input (f);
  bodies = generations (f);
  fail_unless_equals_int (bodies->len, 1);
  s = cue_finished (f, "cue-1");
  fail_if (get_bool (s, "clipped"));
  fail_unless_equals_uint64 (get_u64 (s, "speech-duration"), 5 * CHAR_TIME);
  fail_unless_equals_float (get_double (s, "speed"), 1.0);
  fixture_free (f);
}

GST_END_TEST;

/* Live cues with overflow=fit: within the latency budget a too-long cue is
 * asked again (the synthetic voice does not speed up, so it is then
 * clipped, at the speed used); with no budget, a cue at running time 0 is
 * past due when its answer is in: the first is clipped at once. */
static void
check_fit_live (guint latency_ms, gboolean asks_again)
{
  g_autofree gchar *props = g_strdup_printf ("input-mode=cues;overflow=fit;"
      "latency=%u", latency_ms);
  Fixture *f = live_sink_new (props);
  g_autoptr (GPtrArray) bodies = NULL;
  GstClockTime pts = asks_again ? 5 * GST_SECOND : 0;
  GstStructure *s;

  f->delay = latency_ms * GST_MSECOND;
  /* 12 characters, 600 ms of speech, for a cue of 500 ms: 20 % too long.
   * The test clock jumps a buffer (10 ms) plus the latency at the first
   * step, which is when the streaming thread first takes in the answer:
   * at 5 s, the cue leaves a loaded machine 2.5 s of real time for its
   * time to first audio. */
  push_cue (f, "Twelve chars", pts, 500 * GST_MSECOND);
  /* The test clock does not wait for the network: let each answer be
   * complete (in real time) before the clock moves on. */
  wait_contexts_done (f, 1);
  live_step (f);
  if (asks_again)
    wait_contexts_done (f, 2);
  s = live_step_until (f, "cartesia-cue-finished", "cue-1", 2000);
  bodies = generations (f);
  fail_unless_equals_int (bodies->len, asks_again ? 2 : 1);
  fail_unless (get_bool (s, "clipped"));
  fail_unless_equals_uint64 (get_u64 (s, "speech-duration"),
      12 * CHAR_TIME);
  fail_unless_equals_uint64 (get_u64 (s, "duration"), 500 * GST_MSECOND);
  fail_unless_equals_uint64 (get_u64 (s, "running-time"), pts);
  if (asks_again) {
    fail_unless_equals_float (get_double (s, "speed"), 1.236);
    fail_unless_equals_float (json_object_get_double_member
        (generation_config (nth (bodies, 1)), "speed"), 1.236);
  } else {
    fail_unless_equals_float (get_double (s, "speed"), 1.0);
  }
  fixture_free (f);
}

GST_START_TEST (test_fit_live_within_budget)
{
  check_fit_live (2000, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_fit_live_no_budget)
{
  check_fit_live (0, FALSE);
}

GST_END_TEST;

/* ---- phonemes ---- */

/* phoneme-timestamps=true asks for them and posts one cartesia-phoneme per
 * phoneme at running times in step with the words (the emulator's
 * "phonemes" are a word's letters, 50 ms each with the synthetic voice). */
GST_START_TEST (test_phonemes_live)
{
  Fixture *f = live_new ("phoneme-timestamps=true;word-timestamps=true");
  g_autoptr (GPtrArray) bodies = NULL;
  static const gchar *phonemes[] = { "h", "i", "y", "o", "u" };
  static const guint chars[] = { 0, 1, 3, 4, 5 };
  GstClockTime start;
  GstStructure *word = NULL;
  guint i, n = 0;

  gst_harness_play (f->h);
  g_signal_emit_by_name (f->src, "queue-utterance", "Hi you", "p");
  start = get_u64 (live_step_until (f, "cartesia-utterance-started", "p",
          500), "running-time");
  live_step_until (f, "cartesia-utterance-finished", "p", 500);

  bodies = generations (f);
  fail_unless (json_object_get_boolean_member (nth (bodies, 0),
          "add_phoneme_timestamps"));
  g_mutex_lock (&f->msgs.lock);
  for (i = 0; i < f->msgs.messages->len; i++) {
    GstStructure *s = g_ptr_array_index (f->msgs.messages, i);

    if (gst_structure_has_name (s, "cartesia-word") && word == NULL)
      word = s;
    if (!gst_structure_has_name (s, "cartesia-phoneme"))
      continue;
    fail_unless (n < G_N_ELEMENTS (phonemes));
    fail_unless_equals_string (gst_structure_get_string (s, "phoneme"),
        phonemes[n]);
    fail_unless_equals_string (gst_structure_get_string (s, "id"), "p");
    fail_unless (gst_structure_get_string (s, "context-id") != NULL);
    fail_unless_equals_uint64 (get_u64 (s, "start"),
        start + chars[n] * CHAR_TIME);
    fail_unless_equals_uint64 (get_u64 (s, "end"),
        start + (chars[n] + 1) * CHAR_TIME);
    n++;
  }
  g_mutex_unlock (&f->msgs.lock);
  fail_unless_equals_int (n, G_N_ELEMENTS (phonemes));
  /* In step with the words: "Hi" starts where "h" does. */
  fail_unless (word != NULL);
  fail_unless_equals_string (gst_structure_get_string (word, "word"), "Hi");
  fail_unless_equals_uint64 (get_u64 (word, "timestamp"), start);
  fixture_free (f);
}

GST_END_TEST;

/* Non-live, property text: phonemes from the utterance's start (0). */
GST_START_TEST (test_phonemes_non_live)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, "Ok");
  TestRun run;
  guint i, n = 0;

  g_object_set (src, "phoneme-timestamps", TRUE, NULL);
  test_run_pipeline (src, CAPS, 30, &run);
  fail_unless (run.eos);
  for (i = 0; i < run.element_messages->len; i++) {
    GstStructure *s = g_ptr_array_index (run.element_messages, i);
    guint64 t;

    if (!gst_structure_has_name (s, "cartesia-phoneme"))
      continue;
    fail_unless_equals_string (gst_structure_get_string (s, "phoneme"),
        n == 0 ? "o" : "k");
    fail_unless (gst_structure_get_uint64 (s, "start", &t));
    fail_unless_equals_uint64 (t, n * CHAR_TIME);
    fail_unless (gst_structure_get_uint64 (s, "end", &t));
    fail_unless_equals_uint64 (t, (n + 1) * CHAR_TIME);
    fail_if (gst_structure_has_field (s, "id"));
    n++;
  }
  fail_unless_equals_int (n, 2);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- the request id ---- */

static gboolean
is_emulator_request_id (CartesiaEmulator * emu, const gchar * id)
{
  gchar **ids = cartesia_emulator_dup_request_ids (emu);
  gboolean found = id && g_strv_contains ((const gchar * const *) ids, id);

  g_strfreev (ids);
  return found;
}

/* A refused key: the error's details carry the X-Request-Id of the answer
 * that refused it (websocket handshake, SSE response), never the key. */
static void
check_request_id_in_error (const gchar * transport)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, "Hello");
  static const gchar *const secrets[] = { "sk_car_wrong_key_0000", NULL };
  TestLogScan scan;
  const gchar *id;
  gchar *details;
  TestRun run;

  gst_util_set_object_arg (G_OBJECT (src), "transport", transport);
  g_object_set (src, "api-key", "sk_car_wrong_key_0000", NULL);
  /* Everything logged, at every level: the id is there, the key is not. */
  test_log_scan_start (&scan, secrets, "X-Request-Id req_", GST_LEVEL_MEMDUMP);
  test_run_pipeline (src, NULL, 30, &run);
  test_log_scan_stop (&scan);
  fail_unless (scan.leaks->len == 0, "the key was logged: %s",
      scan.leaks->len ? (gchar *) g_ptr_array_index (scan.leaks, 0) : "");
  fail_unless (scan.markers >= 1, "no X-Request-Id in the log");
  test_log_scan_clear (&scan);
  fail_unless (run.error != NULL);
  fail_unless (g_error_matches (run.error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_NOT_AUTHORIZED), "%s", run.error->message);
  fail_unless (run.error_details != NULL);
  id = gst_structure_get_string (run.error_details, "request-id");
  fail_unless (id != NULL, "no request-id in %" GST_PTR_FORMAT,
      run.error_details);
  fail_unless (g_str_has_prefix (id, "req_"), "%s", id);
  fail_unless (is_emulator_request_id (emu, id), "%s", id);
  details = gst_structure_to_string (run.error_details);
  fail_if (strstr (details, "sk_car_wrong_key_0000"));
  fail_if (strstr (run.error->message, "sk_car_wrong_key_0000"));
  fail_if (run.error_debug && strstr (run.error_debug,
          "sk_car_wrong_key_0000"));
  g_free (details);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_START_TEST (test_request_id_in_error_websocket)
{
  check_request_id_in_error ("websocket");
}

GST_END_TEST;

GST_START_TEST (test_request_id_in_error_sse)
{
  check_request_id_in_error ("sse");
}

GST_END_TEST;

/* A server error message in a websocket context: its own request_id (the
 * emulator's <uuid>:<context_id>:<uuid>) in the details, with the context. */
GST_START_TEST (test_request_id_of_error_message)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, "Hello");
  const gchar *id, *ctx;
  g_autofree gchar *infix = NULL;
  TestRun run;

  g_object_set (src, "model-id", "no-such-model", "cartesia-version",
      "2026-03-01", NULL);
  test_run_pipeline (src, NULL, 30, &run);
  fail_unless (run.error != NULL);
  fail_unless (g_error_matches (run.error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS), "%s", run.error->message);
  ctx = gst_structure_get_string (run.error_details, "context-id");
  id = gst_structure_get_string (run.error_details, "request-id");
  fail_unless (ctx != NULL && id != NULL, "%" GST_PTR_FORMAT,
      run.error_details);
  infix = g_strdup_printf (":%s:", ctx);
  fail_unless (strstr (id, infix) != NULL, "%s", id);
  fail_if (is_emulator_request_id (emu, id));
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

static Suite *
cartesiattssrc_runtime_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-runtime");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_mutable_flags);
  tcase_add_test (tc, test_voice_change_while_playing);
  tcase_add_test (tc, test_streamed_text_switches_at_next_context);
  tcase_add_test (tc, test_queue_utterance_full);
  tcase_add_test (tc, test_settings_event_between_cues);
  tcase_add_test (tc, test_speaker_map);
  tcase_add_test (tc, test_speaker_map_bad_value);
  tcase_add_test (tc, test_fit_twenty_percent);
  tcase_add_test (tc, test_fit_far_too_short);
  tcase_add_test (tc, test_fit_already_fits);
  tcase_add_test (tc, test_fit_live_within_budget);
  tcase_add_test (tc, test_fit_live_no_budget);
  tcase_add_test (tc, test_phonemes_live);
  tcase_add_test (tc, test_phonemes_non_live);
  tcase_add_test (tc, test_request_id_in_error_websocket);
  tcase_add_test (tc, test_request_id_in_error_sse);
  tcase_add_test (tc, test_request_id_of_error_message);
  return s;
}

GST_CHECK_MAIN (cartesiattssrc_runtime);
