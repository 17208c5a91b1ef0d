/* cartesiattssrc with text from its sink pad: timed cues and streamed text,
 * through a GstHarness that pushes text and pulls audio. */
#include "cartesia-test-utils.h"

#include <gst/check/gstharness.h>
#include <string.h>
#include <glib/gstdio.h>

#define RATE 16000
#define BPS 2
#define CAPS "audio/x-raw,format=S16LE,rate=16000"
/* The emulator's synthetic voice: 50 ms per character. */
#define CHAR_BYTES (RATE / 20 * BPS)

typedef struct
{
  CartesiaEmulator *emu;
  GstElement *src;
  GstHarness *h;
  TestMessages msgs;            /* what the element posted */
  GByteArray *audio;            /* every byte pulled */
  GPtrArray *buffers;
} Sink;

/* cartesiattssrc with a sink pad, fed by the harness, at 16 kHz S16LE.
 * Properties as "name=value;..." in @props. */
static Sink *
sink_new (const gchar * props, const gchar * text_caps)
{
  Sink *t = g_new0 (Sink, 1);

  t->emu = test_emulator_new ();
  t->src = gst_object_ref_sink (test_make_src (t->emu, NULL));
  g_object_set (t->src, "fade-ms", 0, "samplesperbuffer", 1600, NULL);
  test_set_props (t->src, props);
  t->audio = g_byte_array_new ();
  t->buffers = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_buffer_unref);
  test_messages_attach (&t->msgs, t->src);
  /* An element with a sink pad plays as soon as the harness has it: the
   * audio caps must be the harness's from the start. */
  t->h = test_harness_new_text (t->src, CAPS, text_caps ? text_caps :
      "text/x-raw,format=utf8");
  return t;
}

static void
sink_free (Sink * t)
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
assert_no_error (Sink * t)
{
  fail_unless (t->msgs.error == NULL, "error: %s", t->msgs.error ? t->msgs.error->message :
      "");
}

static void
take (Sink * t, GstBuffer * buf)
{
  test_take_audio (t->audio, t->buffers, buf);
}

/* Pulls every buffer until EOS, checking that they are contiguous. */
static void
pull_until_eos (Sink * t)
{
  GstBuffer *buf = NULL;

  while (gst_harness_pull_until_eos (t->h, &buf) && buf) {
    if (t->buffers->len) {
      GstBuffer *prev = g_ptr_array_index (t->buffers, t->buffers->len - 1);

      fail_unless_equals_uint64 (GST_BUFFER_PTS (buf),
          GST_BUFFER_PTS (prev) + GST_BUFFER_DURATION (prev));
      fail_unless_equals_uint64 (GST_BUFFER_OFFSET (buf),
          GST_BUFFER_OFFSET_END (prev));
    }
    take (t, buf);
    buf = NULL;
  }
  fail_unless (buf == NULL, "no EOS");
}

/* @expected: @text's speech at @at, within zeros of @total bytes. */
static void
place (GByteArray * expected, const gchar * text, GstClockTime at)
{
  gsize len, off = test_byte_at (at, RATE);
  g_autofree guint8 *audio = test_render (text, RATE, &len);

  if (expected->len < off + len) {
    gsize old = expected->len;

    /* GByteArray does not clear what it grows by: silence. */
    g_byte_array_set_size (expected, off + len);
    memset (expected->data + old, 0, off + len - old);
  }
  memcpy (expected->data + off, audio, len);
}

static GByteArray *
zeros (GstClockTime duration)
{
  GByteArray *a = g_byte_array_new ();

  g_byte_array_set_size (a, test_byte_at (duration, RATE));
  if (a->len)
    memset (a->data, 0, a->len);
  return a;
}

static void
assert_audio (Sink * t, GByteArray * expected)
{
  gsize i;

  fail_unless_equals_uint64 (t->audio->len, expected->len);
  for (i = 0; i < expected->len; i++)
    if (t->audio->data[i] != expected->data[i])
      fail ("audio differs at byte %" G_GSIZE_FORMAT " (%" GST_TIME_FORMAT
          ")", i, GST_TIME_ARGS (gst_util_uint64_scale (i / BPS, GST_SECOND,
                  RATE)));
}

static GstStructure *
find_message (Sink * t, const gchar * name, const gchar * id)
{
  GstStructure *found = test_messages_find (&t->msgs, name, id);

  fail_unless (found != NULL, "no %s for %s", name, GST_STR_NULL (id));
  return found;
}

static guint64
started_at (Sink * t, const gchar * id)
{
  guint64 rt = 0;

  fail_unless (gst_structure_get_uint64 (find_message (t,
              "cartesia-utterance-started", id), "running-time", &rt));
  return rt;
}

/* The buffer whose PTS is @pts (speech starts a buffer of its own). */
static GstBuffer *
buffer_at (Sink * t, GstClockTime pts)
{
  guint i;

  for (i = 0; i < t->buffers->len; i++) {
    GstBuffer *b = g_ptr_array_index (t->buffers, i);

    if (GST_BUFFER_PTS (b) == pts)
      return b;
  }
  fail ("no buffer at %" GST_TIME_FORMAT, GST_TIME_ARGS (pts));
  return NULL;
}

/* Messages the emulator received with @member, as JSON bodies, in order. */
static GPtrArray *
bodies_with (Sink * t, const gchar * member)
{
  return test_emulator_bodies_with (t->emu, member);
}

/* Generation requests, in order. */
static GPtrArray *
ws_inputs (Sink * t)
{
  return bodies_with (t, "transcript");
}

/* ---- timed cues ---- */

/* Cues with gaps: each spoken at its time, silence between them and up to
 * the end of the last cue; the speech is the server's, byte for byte. */
GST_START_TEST (test_cues_with_gaps)
{
  Sink *t = sink_new (NULL, NULL);
  g_autoptr (GByteArray) expected = zeros (3 * GST_SECOND);

  gst_harness_play (t->h);
  test_push_cue (t->h, "ab", 1 * GST_SECOND, GST_SECOND / 2);
  test_push_cue (t->h, "cd", 2 * GST_SECOND, 1 * GST_SECOND);
  fail_unless (gst_harness_push_event (t->h, gst_event_new_eos ()));
  pull_until_eos (t);

  place (expected, "ab", 1 * GST_SECOND);
  place (expected, "cd", 2 * GST_SECOND);
  assert_audio (t, expected);
  fail_unless_equals_uint64 (GST_BUFFER_PTS ((GstBuffer *)
          g_ptr_array_index (t->buffers, 0)), 0);
  fail_unless (GST_BUFFER_FLAG_IS_SET (buffer_at (t, 0),
          GST_BUFFER_FLAG_DISCONT));
  /* Each cue's speech starts a buffer stamped with the cue's time. */
  buffer_at (t, 1 * GST_SECOND);
  buffer_at (t, 2 * GST_SECOND);
  fail_unless_equals_uint64 (started_at (t, "cue-1"), 1 * GST_SECOND);
  fail_unless_equals_uint64 (started_at (t, "cue-2"), 2 * GST_SECOND);
  assert_no_error (t);
  sink_free (t);
}

GST_END_TEST;

/* A segment with a start and a base: the cue's running time is what
 * counts, as for any element that keeps sync. */
GST_START_TEST (test_cue_running_time)
{
  Sink *t = sink_new (NULL, NULL);
  g_autoptr (GByteArray) expected = zeros (2500 * GST_MSECOND);
  GstSegment segment;

  gst_harness_play (t->h);
  gst_segment_init (&segment, GST_FORMAT_TIME);
  segment.start = 10 * GST_SECOND;
  segment.time = 10 * GST_SECOND;
  segment.base = 500 * GST_MSECOND;
  fail_unless (gst_harness_push_event (t->h, gst_event_new_segment (&segment)));
  /* Before the segment's start: not spoken. */
  test_push_cue (t->h, "zz", 9 * GST_SECOND, GST_SECOND / 2);
  test_push_cue (t->h, "ab", 11 * GST_SECOND, 1 * GST_SECOND);
  fail_unless (gst_harness_push_event (t->h, gst_event_new_eos ()));
  pull_until_eos (t);

  place (expected, "ab", 1500 * GST_MSECOND);
  assert_audio (t, expected);
  fail_unless_equals_uint64 (started_at (t, "cue-1"), 1500 * GST_MSECOND);
  sink_free (t);
}

GST_END_TEST;

/* Speech longer than its cue, and the next cue starts before it ends.
 * "abcd" is 200 ms; its cue is 100 ms; "ef" (100 ms) comes at 1.1 s. */
static Sink *
run_overflow (const gchar * mode)
{
  g_autofree gchar *props = g_strdup_printf ("overflow=%s", mode);
  Sink *t = sink_new (props, NULL);

  gst_harness_play (t->h);
  test_push_cue (t->h, "abcd", 1000 * GST_MSECOND, 100 * GST_MSECOND);
  test_push_cue (t->h, "ef", 1100 * GST_MSECOND, 500 * GST_MSECOND);
  fail_unless (gst_harness_push_event (t->h, gst_event_new_eos ()));
  pull_until_eos (t);
  assert_no_error (t);
  return t;
}

GST_START_TEST (test_overflow_clip)
{
  Sink *t = run_overflow ("clip");
  g_autoptr (GByteArray) expected = zeros (1600 * GST_MSECOND);
  gsize len;
  g_autofree guint8 *abcd = test_render ("abcd", RATE, &len);
  GstStructure *finished;
  guint64 duration = 0;

  /* The first 100 ms of "abcd", then "ef" on time. */
  memcpy (expected->data + test_byte_at (GST_SECOND, RATE), abcd,
      test_byte_at (100 * GST_MSECOND, RATE));
  place (expected, "ef", 1100 * GST_MSECOND);
  assert_audio (t, expected);
  fail_unless_equals_uint64 (started_at (t, "cue-1"), 1000 * GST_MSECOND);
  fail_unless_equals_uint64 (started_at (t, "cue-2"), 1100 * GST_MSECOND);
  buffer_at (t, 1100 * GST_MSECOND);
  finished = find_message (t, "cartesia-utterance-finished", "cue-1");
  fail_unless (gst_structure_get_uint64 (finished, "duration", &duration));
  fail_unless_equals_uint64 (duration, 100 * GST_MSECOND);
  sink_free (t);
}

GST_END_TEST;

GST_START_TEST (test_overflow_overlap)
{
  Sink *t = run_overflow ("overlap");
  g_autoptr (GByteArray) expected = zeros (1600 * GST_MSECOND);
  gsize len_a, len_b, i;
  g_autofree guint8 *abcd = test_render ("abcd", RATE, &len_a);
  g_autofree guint8 *ef = test_render ("ef", RATE, &len_b);
  gint16 *out;

  /* Both in full: "ef" from 1.1 s, mixed into the second half of "abcd". */
  memcpy (expected->data + test_byte_at (GST_SECOND, RATE), abcd, len_a);
  out = (gint16 *) (expected->data + test_byte_at (1100 * GST_MSECOND, RATE));
  for (i = 0; i < len_b / 2; i++) {
    gint16 x = GINT16_FROM_LE (out[i]), y;

    memcpy (&y, ef + 2 * i, 2);
    y = GINT16_FROM_LE (y);
    out[i] = GINT16_TO_LE (CLAMP (x + y, G_MININT16, G_MAXINT16));
  }
  assert_audio (t, expected);
  fail_unless_equals_uint64 (started_at (t, "cue-1"), 1000 * GST_MSECOND);
  fail_unless_equals_uint64 (started_at (t, "cue-2"), 1100 * GST_MSECOND);
  sink_free (t);
}

GST_END_TEST;

GST_START_TEST (test_overflow_shift)
{
  Sink *t = run_overflow ("shift");
  g_autoptr (GByteArray) expected = zeros (1600 * GST_MSECOND);

  /* "abcd" in full, and "ef" after it, at 1.2 s. */
  place (expected, "abcd", 1000 * GST_MSECOND);
  place (expected, "ef", 1200 * GST_MSECOND);
  assert_audio (t, expected);
  fail_unless_equals_uint64 (started_at (t, "cue-1"), 1000 * GST_MSECOND);
  fail_unless_equals_uint64 (started_at (t, "cue-2"), 1200 * GST_MSECOND);
  buffer_at (t, 1200 * GST_MSECOND);
  sink_free (t);
}

GST_END_TEST;

/* Pango markup (what subparse sends): tags go, entities are decoded. */
GST_START_TEST (test_markup_stripped)
{
  Sink *t = sink_new (NULL, "text/x-raw,format=pango-markup");
  g_autoptr (GPtrArray) inputs = NULL;
  g_autoptr (GByteArray) expected = zeros (1 * GST_SECOND);

  gst_harness_play (t->h);
  test_push_cue (t->h, "<i>a</i>&amp;<b>b</b>", 0, GST_SECOND);
  fail_unless (gst_harness_push_event (t->h, gst_event_new_eos ()));
  pull_until_eos (t);

  inputs = ws_inputs (t);
  fail_unless_equals_int (inputs->len, 1);
  fail_unless_equals_string (json_object_get_string_member
      (g_ptr_array_index (inputs, 0), "transcript"), "a&b");
  place (expected, "a&b", 0);
  assert_audio (t, expected);
  sink_free (t);
}

GST_END_TEST;

/* Bytes that are not UTF-8 never reach the server: replaced, and a
 * warning says so. */
GST_START_TEST (test_invalid_utf8_repaired)
{
  Sink *t = sink_new (NULL, NULL);
  g_autoptr (GPtrArray) inputs = NULL;
  const gchar *transcript;

  gst_harness_play (t->h);
  test_push_cue (t->h, "a\xff\xc0\x80z", 0, GST_SECOND);
  fail_unless (gst_harness_push_event (t->h, gst_event_new_eos ()));
  pull_until_eos (t);

  inputs = ws_inputs (t);
  fail_unless_equals_int (inputs->len, 1);
  transcript = json_object_get_string_member (g_ptr_array_index (inputs, 0),
      "transcript");
  fail_unless (g_utf8_validate (transcript, -1, NULL));
  fail_unless_equals_string (transcript, "a\xef\xbf\xbd\xef\xbf\xbdz");
  fail_unless (t->msgs.warnings->len >= 1);
  fail_unless (g_error_matches (g_ptr_array_index (t->msgs.warnings, 0),
          GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE));
  assert_no_error (t);
  sink_free (t);
}

GST_END_TEST;

/* A segment that is not in time cannot place cues: a clear error. */
GST_START_TEST (test_non_time_segment_error)
{
  Sink *t = sink_new ("input-mode=cues", NULL);
  GstSegment segment;

  gst_harness_play (t->h);
  gst_segment_init (&segment, GST_FORMAT_BYTES);
  gst_harness_push_event (t->h, gst_event_new_segment (&segment));
  fail_unless (t->msgs.error != NULL);
  fail_unless (g_error_matches (t->msgs.error, GST_STREAM_ERROR,
          GST_STREAM_ERROR_FORMAT));
  fail_unless_equals_string (t->msgs.error->message,
      "Timed text needs a TIME segment, not bytes");
  sink_free (t);
}

GST_END_TEST;

/* Streamed text has no timing: a BYTES segment (appsrc's and fdsrc's) is
 * fine, and timestamps in it make no cues. */
GST_START_TEST (test_bytes_segment_streams)
{
  Sink *t = sink_new (NULL, NULL);
  g_autoptr (GByteArray) expected = g_byte_array_new ();
  g_autofree guint8 *audio = NULL;
  GstSegment segment;
  gsize len;

  gst_harness_play (t->h);
  gst_segment_init (&segment, GST_FORMAT_BYTES);
  fail_unless (gst_harness_push_event (t->h, gst_event_new_segment (&segment)));
  test_push_cue (t->h, "ab ", 5 * GST_SECOND, GST_SECOND);
  test_push_token (t->h, "cd");
  fail_unless (gst_harness_push_event (t->h, gst_event_new_eos ()));
  pull_until_eos (t);

  audio = test_render ("ab cd", RATE, &len);
  g_byte_array_append (expected, audio, len);
  assert_audio (t, expected);
  assert_no_error (t);
  sink_free (t);
}

GST_END_TEST;

/* Forced cue mode and a buffer without a timestamp: a clear error. */
GST_START_TEST (test_cue_without_timestamp_error)
{
  Sink *t = sink_new ("input-mode=cues", NULL);

  gst_harness_play (t->h);
  fail_unless_equals_int (gst_harness_push (t->h, test_text_buffer ("ab",
              GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE)), GST_FLOW_ERROR);
  fail_unless (t->msgs.error != NULL);
  fail_unless (g_error_matches (t->msgs.error, GST_STREAM_ERROR,
          GST_STREAM_ERROR_FAILED));
  sink_free (t);
}

GST_END_TEST;

/* ---- streamed text ---- */

/* 200 tokens: one context, continued; speech starts long before the last
 * token; the audio is that of the whole text, byte for byte. */
GST_START_TEST (test_token_stream)
{
  Sink *t = sink_new (NULL, NULL);
  g_autoptr (GString) all = g_string_new (NULL);
  g_autoptr (GString) joined = NULL;
  g_autoptr (GPtrArray) inputs = NULL;
  g_autoptr (GByteArray) expected = g_byte_array_new ();
  g_autofree guint8 *audio = NULL;
  GstBuffer *first_buf = NULL;
  const gchar *context_id;
  guint i, first_audio_after = 0;
  gsize len;

  gst_harness_play (t->h);
  for (i = 0; i < 200; i++) {
    g_autofree gchar *token = g_strdup_printf ("w%u ", i);

    test_push_token (t->h, token);
    g_string_append (all, token);
    if (first_buf == NULL && (first_buf = gst_harness_try_pull (t->h))) {
      first_audio_after = i + 1;
      take (t, first_buf);
    }
    if (first_buf == NULL)
      g_usleep (2000);
  }
  fail_unless (first_buf != NULL, "no audio before the last token");
  fail_unless (first_audio_after < 200);
  GST_INFO ("first_buf audio after %u tokens", first_audio_after);
  fail_unless (gst_harness_push_event (t->h, gst_event_new_eos ()));
  pull_until_eos (t);

  audio = test_render (all->str, RATE, &len);
  g_byte_array_append (expected, audio, len);
  assert_audio (t, expected);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (first_buf), 0);

  /* One context, the tokens gathered (no clause ends here: 25 words at a
   * time), each input generated at once, and an empty one to end it. */
  inputs = ws_inputs (t);
  fail_unless (inputs->len >= 2 && inputs->len < 20);
  context_id = json_object_get_string_member (g_ptr_array_index (inputs, 0),
      "context_id");
  joined = g_string_new (NULL);
  for (i = 0; i < inputs->len; i++) {
    JsonObject *in = g_ptr_array_index (inputs, i);

    fail_unless_equals_string (json_object_get_string_member (in,
            "context_id"), context_id);
    fail_unless_equals_int (json_object_get_boolean_member (in, "continue"),
        i < inputs->len - 1);
    fail_unless_equals_int (json_object_get_int_member (in,
            "max_buffer_delay_ms"), 0);
    g_string_append (joined, json_object_get_string_member (in,
            "transcript"));
  }
  fail_unless_equals_string (joined->str, all->str);
  fail_unless_equals_string (json_object_get_string_member
      (g_ptr_array_index (inputs, inputs->len - 1), "transcript"), "");
  sink_free (t);
}

GST_END_TEST;

/* Streamed text in huge pieces (the first opens the context, the second
 * continues it): each goes as inputs of at most 8 KiB, so no message to
 * the server exceeds 64 KiB (the emulator's frame limit is 128 KiB, and it
 * used to close the socket); they join into the text. */
GST_START_TEST (test_stream_huge_tokens)
{
  Sink *t = sink_new (NULL, NULL);
  g_autoptr (GString) all = g_string_new (NULL);
  GString *token = g_string_new (NULL);
  GPtrArray *inputs = NULL;
  GString *joined = g_string_new (NULL);
  CartesiaEmulatorStats stats;
  gchar **requests, **req;
  gint64 end;
  guint i, k;

  gst_harness_play (t->h);
  for (k = 0; k < 2; k++) {
    g_string_truncate (token, 0);
    for (i = 0; token->len < 70 * 1000; i++)
      g_string_append_printf (token, "Token %u word %u goes on. ", k, i);
    test_push_token (t->h, token->str);
    g_string_append (all, token->str);
  }

  /* Wait until the server has all of it (not for the minutes of audio). */
  end = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  do {
    g_usleep (20000);
    g_string_truncate (joined, 0);
    g_clear_pointer (&inputs, g_ptr_array_unref);
    inputs = ws_inputs (t);
    for (i = 0; i < inputs->len; i++)
      g_string_append (joined, json_object_get_string_member
          (g_ptr_array_index (inputs, i), "transcript"));
  } while (joined->len < all->len && g_get_monotonic_time () < end);
  fail_unless_equals_string (joined->str, all->str);
  fail_unless (inputs->len >= 18, "%u inputs", inputs->len);
  for (i = 0; i < inputs->len; i++) {
    JsonObject *in = g_ptr_array_index (inputs, i);
    const gchar *transcript = json_object_get_string_member (in,
        "transcript");

    fail_unless_equals_string (json_object_get_string_member (in,
            "context_id"), json_object_get_string_member (g_ptr_array_index
            (inputs, 0), "context_id"));
    /* Every piece of text continues the context.  On a slow machine
     * (ThreadSanitizer) the pause after the last token can end the
     * utterance before all of it has reached the server: then the last
     * input is the empty one that closes it, and only that one. */
    if (*transcript == '\0' && i + 1 == inputs->len)
      fail_if (json_object_get_boolean_member (in, "continue"));
    else
      fail_unless (json_object_get_boolean_member (in, "continue"),
          "input %u of %u", i, inputs->len);
  }
  requests = cartesia_emulator_dup_requests (t->emu);
  for (req = requests; *req; req++)
    fail_unless (strlen (*req) < 64 * 1024, "a %" G_GSIZE_FORMAT
        "-byte message", strlen (*req));
  g_strfreev (requests);
  cartesia_emulator_get_stats (t->emu, &stats);
  fail_unless_equals_int (stats.ws_connections, 1);
  assert_no_error (t);
  g_ptr_array_unref (inputs);
  g_string_free (joined, TRUE);
  g_string_free (token, TRUE);
  sink_free (t);
}

GST_END_TEST;

/* The custom event ends an utterance; the next text opens another. */
GST_START_TEST (test_utterance_end_event)
{
  Sink *t = sink_new (NULL, NULL);
  g_autoptr (GPtrArray) inputs = NULL;
  g_autoptr (GByteArray) expected = g_byte_array_new ();
  g_autofree guint8 *one = NULL, *two = NULL;
  gsize len_one, len_two;

  gst_harness_play (t->h);
  test_push_token (t->h, "ab ");
  test_push_token (t->h, "cd");
  fail_unless (gst_harness_push_event (t->h,
          gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM,
              gst_structure_new_empty ("cartesia-utterance-end"))));
  test_push_token (t->h, "ef");
  fail_unless (gst_harness_push_event (t->h, gst_event_new_eos ()));
  pull_until_eos (t);

  one = test_render ("ab cd", RATE, &len_one);
  two = test_render ("ef", RATE, &len_two);
  g_byte_array_append (expected, one, len_one);
  g_byte_array_append (expected, two, len_two);
  assert_audio (t, expected);

  /* No clause end: each utterance's text waited for its end, and went as
   * one input. */
  inputs = ws_inputs (t);
  fail_unless_equals_int (inputs->len, 2);
  fail_if (g_strcmp0 (json_object_get_string_member (g_ptr_array_index
              (inputs, 0), "context_id"),
          json_object_get_string_member (g_ptr_array_index (inputs, 1),
              "context_id")) == 0);
  fail_unless_equals_string (json_object_get_string_member (g_ptr_array_index
          (inputs, 0), "transcript"), "ab cd");
  fail_unless_equals_int (json_object_get_boolean_member (g_ptr_array_index
          (inputs, 0), "continue"), FALSE);
  started_at (t, "text-1");
  started_at (t, "text-2");
  sink_free (t);
}

GST_END_TEST;

/* No text for max-buffer-delay-ms: the utterance ends by itself. */
GST_START_TEST (test_stream_idle_end)
{
  Sink *t = sink_new ("max-buffer-delay-ms=100", NULL);
  GstBuffer *buf;
  GstStructure *s = NULL;
  gint64 deadline;

  gst_harness_play (t->h);
  test_push_token (t->h, "ab");
  buf = gst_harness_pull (t->h);
  fail_unless (buf != NULL);
  take (t, buf);
  deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time () < deadline) {
    guint i;

    g_mutex_lock (&t->msgs.lock);
    for (i = 0; i < t->msgs.messages->len && !s; i++)
      if (gst_structure_has_name (g_ptr_array_index (t->msgs.messages, i),
              "cartesia-utterance-finished"))
        s = g_ptr_array_index (t->msgs.messages, i);
    g_mutex_unlock (&t->msgs.lock);
    if (s)
      break;
    g_usleep (10000);
  }
  fail_unless (s != NULL, "the idle utterance never ended");
  fail_unless_equals_string (gst_structure_get_string (s, "id"), "text-1");
  sink_free (t);
}

GST_END_TEST;

/* SSE has no continuations: one request per sentence, in order. */
GST_START_TEST (test_stream_over_sse_sentences)
{
  Sink *t = sink_new ("transport=sse", NULL);
  g_autoptr (GPtrArray) inputs = NULL;
  const gchar *first_text;
  g_autoptr (GByteArray) expected = g_byte_array_new ();
  g_autofree guint8 *one = NULL, *two = NULL;
  gsize len_one, len_two;

  gst_harness_play (t->h);
  test_push_token (t->h, "Hi th");
  test_push_token (t->h, "ere. How");
  test_push_token (t->h, " are you?");
  fail_unless (gst_harness_push_event (t->h, gst_event_new_eos ()));
  pull_until_eos (t);

  /* Both requests go at once (the second may arrive first); they play in
   * order. */
  inputs = ws_inputs (t);
  fail_unless_equals_int (inputs->len, 2);
  first_text = json_object_get_string_member (g_ptr_array_index (inputs, 0),
      "transcript");
  fail_unless (g_strcmp0 (first_text, "Hi there. ") == 0
      || g_strcmp0 (first_text, "How are you?") == 0);
  fail_if (g_strcmp0 (first_text, json_object_get_string_member
          (g_ptr_array_index (inputs, 1), "transcript")) == 0);
  one = test_render ("Hi there. ", RATE, &len_one);
  two = test_render ("How are you?", RATE, &len_two);
  g_byte_array_append (expected, one, len_one);
  g_byte_array_append (expected, two, len_two);
  assert_audio (t, expected);
  sink_free (t);
}

GST_END_TEST;

/* EOS while speech is still coming: all of it is said, then EOS. */
GST_START_TEST (test_eos_in_the_middle)
{
  Sink *t = sink_new (NULL, NULL);
  g_autoptr (GByteArray) expected = g_byte_array_new ();
  g_autofree guint8 *audio = NULL;
  gsize len;

  test_emulator_set (t->emu, "pacing", "realtime");
  gst_harness_play (t->h);
  test_push_token (t->h, "abc ");
  test_push_token (t->h, "defgh");
  /* No end of the utterance but EOS, sent before any audio came. */
  fail_unless (gst_harness_push_event (t->h, gst_event_new_eos ()));
  pull_until_eos (t);

  audio = test_render ("abc defgh", RATE, &len);
  g_byte_array_append (expected, audio, len);
  assert_audio (t, expected);
  assert_no_error (t);
  sink_free (t);
}

GST_END_TEST;

/* FLUSH on the sink pad in the middle of a cue: its context is cancelled
 * on the server, nothing of it comes out after the flush, the flush goes
 * downstream and the timeline starts again at 0. */
GST_START_TEST (test_flush_in_the_middle)
{
  Sink *t = sink_new (NULL, NULL);
  g_autoptr (GByteArray) expected = zeros (1 * GST_SECOND);
  g_autoptr (GPtrArray) inputs = NULL;
  GstBuffer *buf;
  g_autofree gchar *context_id = NULL;
  gint64 deadline;
  GstSegment segment;
  GstEvent *event;
  gboolean flushed = FALSE;

  test_emulator_set (t->emu, "pacing", "realtime");
  gst_harness_play (t->h);
  /* 2.5 s of speech at the pace it would play. */
  test_push_cue (t->h, "abcdefghijklmnopqrstuvwxy", 0, 3 * GST_SECOND);
  /* Non-live, speech goes as far as the input vouches that no other cue
   * starts: here, a GAP to the end of the cue. */
  fail_unless (gst_harness_push_event (t->h, gst_event_new_gap (0,
              3 * GST_SECOND)));
  buf = gst_harness_pull (t->h);
  fail_unless (buf != NULL);
  gst_buffer_unref (buf);
  inputs = ws_inputs (t);
  context_id = g_strdup (json_object_get_string_member (g_ptr_array_index
          (inputs, 0), "context_id"));
  g_clear_pointer (&inputs, g_ptr_array_unref);

  fail_unless (gst_harness_push_event (t->h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (t->h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (t->h, gst_event_new_segment (&segment)));
  /* The flush reached downstream. */
  while ((event = gst_harness_try_pull_event (t->h))) {
    flushed |= GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP;
    gst_event_unref (event);
  }
  fail_unless (flushed);

  /* What was made before the flush is gone with it. */
  while ((buf = gst_harness_try_pull (t->h)))
    gst_buffer_unref (buf);
  test_emulator_set (t->emu, "pacing", "instant");
  test_push_cue (t->h, "zz", 500 * GST_MSECOND, 500 * GST_MSECOND);
  fail_unless (gst_harness_push_event (t->h, gst_event_new_eos ()));
  pull_until_eos (t);

  place (expected, "zz", 500 * GST_MSECOND);
  assert_audio (t, expected);
  fail_unless_equals_uint64 (GST_BUFFER_PTS ((GstBuffer *)
          g_ptr_array_index (t->buffers, 0)), 0);

  /* The first context was cancelled on the server (the emulator logs the
   * cancel when it reads it: give it a moment). */
  deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  do {
    g_clear_pointer (&inputs, g_ptr_array_unref);
    inputs = bodies_with (t, "cancel");
    if (inputs->len == 0)
      g_usleep (10000);
  } while (inputs->len == 0 && g_get_monotonic_time () < deadline);
  fail_unless_equals_int (inputs->len, 1);
  fail_unless_equals_string (json_object_get_string_member
      (g_ptr_array_index (inputs, 0), "context_id"), context_id);
  assert_no_error (t);
  sink_free (t);
}

GST_END_TEST;


/* More cues than may wait at once, each speaking past the next one's start:
 * shifted, the delay accumulates and the pad's quota must not stall the
 * output (it once did, at the fifth cue). */
GST_START_TEST (test_many_cues_shift)
{
  Sink *t = sink_new ("overflow=shift", NULL);
  /* 30 characters: 1.5 s each, cues 1 s apart. */
  const gchar *text = "abcdefghijklmnopqrstuvwxyzabcd";
  g_autoptr (GByteArray) expected = zeros (0);
  g_autofree gchar *id = NULL;
  guint i;

  gst_harness_play (t->h);
  for (i = 0; i < 12; i++)
    test_push_cue (t->h, text, i * GST_SECOND, GST_SECOND);
  fail_unless (gst_harness_push_event (t->h, gst_event_new_eos ()));
  pull_until_eos (t);

  for (i = 0; i < 12; i++)
    place (expected, text, i * 1500 * GST_MSECOND);
  assert_audio (t, expected);
  id = g_strdup_printf ("cue-%u", 12);
  fail_unless_equals_uint64 (started_at (t, id), 11 * 1500 * GST_MSECOND);
  assert_no_error (t);
  sink_free (t);
}

GST_END_TEST;

/* The same with overlap: up to five voices at once, all on time. */
GST_START_TEST (test_many_cues_overlap)
{
  Sink *t = sink_new ("overflow=overlap", NULL);
  /* 100 characters: 5 s each, cues 1 s apart. */
  g_autofree gchar *text = g_strnfill (100, 'a');
  guint i;

  gst_harness_play (t->h);
  for (i = 0; i < 8; i++)
    test_push_cue (t->h, text, i * GST_SECOND, GST_SECOND);
  fail_unless (gst_harness_push_event (t->h, gst_event_new_eos ()));
  pull_until_eos (t);

  /* The last one ends 5 s after its start at 7 s. */
  fail_unless_equals_uint64 (t->audio->len, test_byte_at (12 * GST_SECOND, RATE));
  for (i = 0; i < 8; i++) {
    g_autofree gchar *id = g_strdup_printf ("cue-%u", i + 1);

    fail_unless_equals_uint64 (started_at (t, id), i * GST_SECOND);
  }
  assert_no_error (t);
  sink_free (t);
}

GST_END_TEST;

/* A flush reaches subtitle_src too, and captions start again with the new
 * timeline. */
GST_START_TEST (test_flush_reaches_subtitles)
{
  Sink *t = sink_new (NULL, NULL);
  GstHarness *sh;
  GstSegment segment;
  GstEvent *event;
  GstBuffer *buf;
  gboolean flush_start = FALSE, flush_stop = FALSE, caption = FALSE;

  test_emulator_set (t->emu, "pacing", "realtime");
  sh = gst_harness_new_with_element (t->src, NULL, "subtitle_src");
  gst_harness_play (t->h);
  test_push_cue (t->h, "abcdefghijklmnopqrstuvwxy", 0, 3 * GST_SECOND);
  fail_unless (gst_harness_push_event (t->h, gst_event_new_gap (0,
              3 * GST_SECOND)));
  buf = gst_harness_pull (t->h);
  fail_unless (buf != NULL);
  gst_buffer_unref (buf);

  fail_unless (gst_harness_push_event (t->h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (t->h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (t->h, gst_event_new_segment (&segment)));
  while ((event = gst_harness_try_pull_event (sh))) {
    flush_start |= GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_START;
    flush_stop |= flush_start && GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP;
    gst_event_unref (event);
  }
  fail_unless (flush_start && flush_stop);

  test_emulator_set (t->emu, "pacing", "instant");
  /* What either pad made before the flush is gone with it. */
  while ((buf = gst_harness_try_pull (sh)))
    gst_buffer_unref (buf);
  while ((buf = gst_harness_try_pull (t->h)))
    gst_buffer_unref (buf);
  test_push_cue (t->h, "zz", 500 * GST_MSECOND, 500 * GST_MSECOND);
  fail_unless (gst_harness_push_event (t->h, gst_event_new_eos ()));
  pull_until_eos (t);
  /* subtitle_src has a task of its own: its EOS comes after the caption. */
  while ((event = gst_harness_pull_event (sh))) {
    gboolean eos = GST_EVENT_TYPE (event) == GST_EVENT_EOS;

    gst_event_unref (event);
    if (eos)
      break;
  }
  fail_unless (event != NULL, "no EOS on subtitle_src");
  /* The new cue's caption, at its time on the new timeline. */
  while ((buf = gst_harness_try_pull (sh))) {
    if (gst_buffer_get_size (buf) == 2) {
      fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), 500 * GST_MSECOND);
      caption = TRUE;
    }
    gst_buffer_unref (buf);
  }
  fail_unless (caption);
  assert_no_error (t);
  gst_harness_teardown (sh);
  sink_free (t);
}

GST_END_TEST;

/* A seek on the pipeline reaches upstream through the element (a filter of
 * text into speech): subparse seeks, the flush comes back through the sink
 * pad, and the speech starts again. */
GST_START_TEST (test_pipeline_seek)
{
  CartesiaEmulator *emu = test_emulator_new ();
  g_autofree gchar *dir = g_dir_make_tmp ("cartesia-seek-XXXXXX", NULL);
  g_autofree gchar *srt = g_build_filename (dir, "talk.srt", NULL);
  g_autofree gchar *desc = NULL;
  GstElement *pipeline, *tts;
  GstMessage *msg;
  GstBus *bus;
  guint n_started = 0;

  fail_unless (g_file_set_contents (srt, "1\n00:00:00,100 --> "
          "00:00:00,500\nab\n\n2\n00:00:00,600 --> 00:00:01,000\ncd\n",
          -1, NULL));
  desc = g_strdup_printf ("filesrc location=%s ! subparse ! cartesiattssrc "
      "name=tts ! audio/x-raw,rate=16000 ! fakesink sync=false", srt);
  pipeline = gst_parse_launch (desc, NULL);
  fail_unless (pipeline != NULL);
  tts = gst_bin_get_by_name (GST_BIN (pipeline), "tts");
  g_object_set (tts, "base-url", cartesia_emulator_get_base_url (emu),
      "api-key", TEST_API_KEY, NULL);
  gst_object_unref (tts);
  bus = gst_element_get_bus (pipeline);

  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_PAUSED),
      GST_STATE_CHANGE_ASYNC);
  msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
      GST_MESSAGE_ASYNC_DONE | GST_MESSAGE_ERROR);
  fail_unless (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ASYNC_DONE);
  gst_message_unref (msg);
  fail_unless (gst_element_seek_simple (pipeline, GST_FORMAT_TIME,
          GST_SEEK_FLAG_FLUSH, 0));
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while ((msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
              GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (msg);
    gboolean done = GST_MESSAGE_TYPE (msg) != GST_MESSAGE_ELEMENT;

    fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR, "error");
    if (s && gst_structure_has_name (s, "cartesia-utterance-started"))
      n_started++;
    gst_message_unref (msg);
    if (done)
      break;
  }
  fail_unless (msg != NULL, "no EOS");
  /* Both cues spoken after the seek (cue 1 maybe twice: before and after). */
  fail_unless (n_started >= 2);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  g_unlink (srt);
  g_rmdir (dir);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

static Suite *
cartesiattssrc_sink_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-sink");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_cues_with_gaps);
  tcase_add_test (tc, test_cue_running_time);
  tcase_add_test (tc, test_overflow_clip);
  tcase_add_test (tc, test_overflow_overlap);
  tcase_add_test (tc, test_overflow_shift);
  tcase_add_test (tc, test_markup_stripped);
  tcase_add_test (tc, test_invalid_utf8_repaired);
  tcase_add_test (tc, test_non_time_segment_error);
  tcase_add_test (tc, test_bytes_segment_streams);
  tcase_add_test (tc, test_cue_without_timestamp_error);
  tcase_add_test (tc, test_token_stream);
  tcase_add_test (tc, test_utterance_end_event);
  tcase_add_test (tc, test_stream_idle_end);
  tcase_add_test (tc, test_stream_over_sse_sentences);
  tcase_add_test (tc, test_stream_huge_tokens);
  tcase_add_test (tc, test_eos_in_the_middle);
  tcase_add_test (tc, test_flush_in_the_middle);
  tcase_add_test (tc, test_many_cues_shift);
  tcase_add_test (tc, test_many_cues_overlap);
  tcase_add_test (tc, test_flush_reaches_subtitles);
  tcase_add_test (tc, test_pipeline_seek);
  return s;
}

GST_CHECK_MAIN (cartesiattssrc_sink);
