/* cartesiattssrc with streamed text (an LLM's tokens) against an emulator
 * that models the real service: its buffer (max_buffer_delay_ms, 3000 ms by
 * default), context expiry (1 s after the last audio) and inline tags (a
 * tag cut across two inputs is read aloud). */
#include "cartesia-test-utils.h"

#include <gst/check/gstharness.h>
#include <string.h>

#define RATE 16000
#define BPS 2
#define CAPS "audio/x-raw,format=S16LE,rate=16000"

typedef struct
{
  CartesiaEmulator *emu;
  gboolean own_emu;
  GstElement *src;
  GstHarness *h;
  TestMessages msgs;
  GByteArray *audio;
  gint64 first_audio_at;        /* monotonic µs, 0: none yet */
  gint64 last_audio_at;
} Stream;

/* A non-live cartesiattssrc fed by the harness, on @emu (NULL: its own),
 * with properties "name=value;..." from @props. */
static Stream *
stream_new (CartesiaEmulator * emu, const gchar * props)
{
  Stream *t = g_new0 (Stream, 1);

  t->own_emu = emu == NULL;
  t->emu = emu ? emu : test_emulator_new ();
  t->src = gst_object_ref_sink (test_make_src (t->emu, NULL));
  g_object_set (t->src, "fade-ms", 0, "samplesperbuffer", 1600, NULL);
  gst_util_set_object_arg (G_OBJECT (t->src), "input-mode", "stream");
  test_set_props (t->src, props);
  t->audio = g_byte_array_new ();
  test_messages_attach (&t->msgs, t->src);
  t->h = test_harness_new_text (t->src, CAPS, "text/x-raw,format=utf8");
  gst_harness_play (t->h);
  return t;
}

static void
stream_free (Stream * t)
{
  gst_harness_teardown (t->h);
  test_messages_detach (&t->msgs, t->src);
  gst_object_unref (t->src);
  g_byte_array_unref (t->audio);
  if (t->own_emu)
    cartesia_emulator_free (t->emu);
  g_free (t);
}

static void
take (Stream * t, GstBuffer * buf)
{
  t->last_audio_at = g_get_monotonic_time ();
  if (t->first_audio_at == 0)
    t->first_audio_at = t->last_audio_at;
  test_take_audio (t->audio, NULL, buf);
}

/* Takes the audio there is, until @until (monotonic µs). */
static void
pull_until (Stream * t, gint64 until)
{
  do {
    GstBuffer *buf;

    while ((buf = gst_harness_try_pull (t->h)))
      take (t, buf);
    if (g_get_monotonic_time () < until)
      g_usleep (1000);
  } while (g_get_monotonic_time () < until);
}

static void
push_token (Stream * t, const gchar * text)
{
  GstBuffer *buf;

  if (*text == '\0')
    return;
  buf = gst_buffer_new_memdup (text, strlen (text));
  fail_unless_equals_int (gst_harness_push (t->h, buf), GST_FLOW_OK);
}

/* Ends the text and takes the audio up to EOS; returns when EOS came. */
static gint64
finish (Stream * t)
{
  GstBuffer *buf = NULL;

  fail_unless (gst_harness_push_event (t->h, gst_event_new_eos ()));
  while (gst_harness_pull_until_eos (t->h, &buf) && buf) {
    take (t, buf);
    buf = NULL;
  }
  fail_unless (buf == NULL, "no EOS");
  return g_get_monotonic_time ();
}

static void
assert_clean (Stream * t)
{
  g_mutex_lock (&t->msgs.lock);
  fail_unless (t->msgs.error == NULL, "error: %s",
      t->msgs.error ? t->msgs.error->message : "");
  fail_unless (t->msgs.warnings->len == 0, "warning: %s",
      t->msgs.warnings->len ? ((GError *) g_ptr_array_index (t->msgs.warnings,
              0))->message : "");
  g_mutex_unlock (&t->msgs.lock);
}

static void
assert_audio_of (Stream * t, const gchar * text)
{
  gsize len, i;
  g_autofree guint8 *expected = cartesia_emulator_render (text, "pcm_s16le",
      RATE, &len);

  fail_unless_equals_uint64 (t->audio->len, len);
  for (i = 0; i < len; i++)
    if (t->audio->data[i] != expected[i])
      fail ("audio differs at byte %" G_GSIZE_FORMAT, i);
}

/* What the emulator generated, joined: the text it spoke. */
static gchar *
spoken (CartesiaEmulator * emu)
{
  CartesiaEmulatorTiming *g;
  GString *text = g_string_new (NULL);
  guint i, n;

  g = cartesia_emulator_dup_generations (emu, &n);
  for (i = 0; i < n; i++)
    g_string_append (text, g[i].transcript);
  cartesia_emulator_timings_free (g, n);
  return g_string_free (text, FALSE);
}

/* ---- an LLM's tokens ---- */

static const gchar *const sentences[] = {
  "Sure, here is the plan for today.",
  "First we check the weather, then we pack the bags.",
  "After that we drive to the lake; it takes about two hours.",
  "Remember: bring water, snacks and a map.",
  "If it rains, we stay home and play cards instead.",
  "Either way, it will be a good day!",
};

/* @n tokens of an LLM's answer: words with their leading space. */
static GPtrArray *
llm_tokens (guint n)
{
  GPtrArray *tokens = g_ptr_array_new_with_free_func (g_free);
  guint s = 0;

  while (tokens->len < n) {
    gchar **words = g_strsplit (sentences[s++ % G_N_ELEMENTS (sentences)],
        " ", -1);
    guint i;

    for (i = 0; words[i] && tokens->len < n; i++)
      g_ptr_array_add (tokens, g_strdup_printf ("%s%s",
              tokens->len ? " " : "", words[i]));
    g_strfreev (words);
  }
  return tokens;
}

/* 200 tokens at @rate per second: speech starts from the first clause of
 * four words, without waiting for the server's buffer (3000 ms by default
 * on the emulator, as on the real service). */
static void
check_token_rate (guint rate)
{
  Stream *t = stream_new (NULL, NULL);
  g_autoptr (GPtrArray) tokens = llm_tokens (200);
  g_autoptr (GString) all = g_string_new (NULL);
  g_autoptr (GPtrArray) inputs = NULL;
  g_autofree gchar *said = NULL;
  CartesiaEmulatorTiming *g;
  gint64 start = g_get_monotonic_time (), clause_at = 0;
  gsize clause_end = 0;
  JsonObject *in0;
  guint i, n;

  for (i = 0; i < tokens->len; i++) {
    push_token (t, g_ptr_array_index (tokens, i));
    g_string_append (all, g_ptr_array_index (tokens, i));
    if (clause_at == 0 && (clause_end = test_first_clause_end (all->str))) {
      clause_at = g_get_monotonic_time ();
      /* the element has sent it by the time the token was taken */
      inputs = test_emulator_bodies_with (t->emu, "transcript");
    }
    pull_until (t, start + (gint64) (i + 1) * G_USEC_PER_SEC / rate);
  }
  finish (t);
  assert_clean (t);
  assert_audio_of (t, all->str);
  fail_unless (clause_at != 0);
  fail_unless (t->first_audio_at != 0);
  GST_INFO ("%u tok/s: first audio %" G_GINT64_FORMAT " ms after the first "
      "clause of 4+ words", rate, (t->first_audio_at - clause_at) / 1000);

  /* The design property: the first input is that clause, whole, to be
   * generated at once; the emulator began generating it at once. */
  g_clear_pointer (&inputs, g_ptr_array_unref);
  inputs = test_emulator_bodies_with (t->emu, "transcript");
  in0 = g_ptr_array_index (inputs, 0);
  fail_unless_equals_int (strlen (json_object_get_string_member (in0,
              "transcript")), clause_end);
  fail_unless (strncmp (json_object_get_string_member (in0, "transcript"),
          all->str, clause_end) == 0);
  fail_unless_equals_int (json_object_get_int_member (in0,
          "max_buffer_delay_ms"), 0);
  g = cartesia_emulator_dup_generations (t->emu, &n);
  fail_unless (n > 1);
  fail_unless (g[0].first_chunk_us - g[0].received_us < 50 * 1000,
      "the emulator held the first clause %" G_GINT64_FORMAT " ms",
      (g[0].first_chunk_us - g[0].received_us) / 1000);
  /* generous: a loaded machine; the server's buffer would be 3000 ms */
  fail_unless (t->first_audio_at - clause_at < 1500 * 1000,
      "first audio %" G_GINT64_FORMAT " ms after the clause",
      (t->first_audio_at - clause_at) / 1000);
  cartesia_emulator_timings_free (g, n);

  /* everything spoken, once */
  said = spoken (t->emu);
  fail_unless_equals_string (said, all->str);
  stream_free (t);
}

GST_START_TEST (test_tokens_20_per_second)
{
  check_token_rate (20);
}

GST_END_TEST;

GST_START_TEST (test_tokens_60_per_second)
{
  check_token_rate (60);
}

GST_END_TEST;

/* A pause in the middle of the stream (a tool call): the context may expire
 * meanwhile; the text after it is spoken, nothing twice, nothing lost. */
static void
check_pause (const gchar * expiry_ms, guint pause_ms)
{
  Stream *t;
  CartesiaEmulator *emu = test_emulator_new ();
  g_autoptr (GPtrArray) tokens = llm_tokens (40);
  g_autoptr (GString) all = g_string_new (NULL);
  g_autoptr (GPtrArray) inputs = NULL;
  g_autofree gchar *said = NULL;
  GHashTable *contexts = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 next = g_get_monotonic_time ();
  guint i;

  if (expiry_ms)
    test_emulator_set (emu, "context-expiry-ms", expiry_ms);
  t = stream_new (emu, NULL);
  for (i = 0; i < tokens->len; i++) {
    if (i == 20)
      next += pause_ms * 1000;
    push_token (t, g_ptr_array_index (tokens, i));
    g_string_append (all, g_ptr_array_index (tokens, i));
    next += 50 * 1000;
    pull_until (t, next);
  }
  finish (t);
  assert_clean (t);
  said = spoken (emu);
  fail_unless_equals_string (said, all->str);
  assert_audio_of (t, all->str);

  /* the text after the pause went to a new context */
  inputs = test_emulator_bodies_with (emu, "transcript");
  for (i = 0; i < inputs->len; i++)
    g_hash_table_add (contexts, (gpointer) json_object_get_string_member
        (g_ptr_array_index (inputs, i), "context_id"));
  fail_unless (g_hash_table_size (contexts) >= 2);
  g_hash_table_unref (contexts);
  g_clear_pointer (&inputs, g_ptr_array_unref);
  stream_free (t);
  cartesia_emulator_free (emu);
}

GST_START_TEST (test_pause_2s)
{
  check_pause (NULL, 2000);
}

GST_END_TEST;

/* The context expires sooner than the element ends it (a slow network, a
 * server that changed): the continuation is refused, and its text goes to
 * a new context. */
GST_START_TEST (test_refused_continuation)
{
  check_pause ("100", 500);
}

GST_END_TEST;

/* ---- tags ---- */

static const gchar tagged[] = "Well, <emotion value=\"excited\"/>this is it. "
    "<break time=\"1s\"/>Say <spell>AB1</spell>, go!";

/* No input holds part of a tag, or half a <spell> element. */
static void
assert_tags_whole (const gchar * input)
{
  const gchar *p;
  gint spell = 0;

  for (p = input; *p; p++) {
    if (*p == '<') {
      fail_unless (strchr (p, '>') != NULL, "tag cut in input '%s'", input);
      if (g_str_has_prefix (p, "<spell>"))
        spell++;
      if (g_str_has_prefix (p, "</spell>"))
        spell--;
    }
    fail_unless (*p != '>' || strchr (input, '<') < p,
        "tag cut in input '%s'", input);
  }
  fail_unless_equals_int (spell, 0);
}

/* The tagged text cut into two tokens at every offset (a third token at
 * another), with and without max-buffer-delay-ms: never cut on the wire,
 * so never read aloud; words and captions carry no tag text. */
GST_START_TEST (test_tags_never_split)
{
  CartesiaEmulator *emu = test_emulator_new ();
  gsize len = strlen (tagged), k;
  g_autofree gchar *bare = NULL;

  /* what is spoken: the text without its tags (the emulator's reading) */
  {
    GString *b = g_string_new (NULL);
    const gchar *p = tagged;

    while (*p) {
      if (*p == '<')
        p = strchr (p, '>') + 1;
      else
        g_string_append_c (b, *p++);
    }
    bare = g_string_free (b, FALSE);
  }

  for (k = 1; k < len; k++) {
    gboolean buffered = k % 3 == 0;
    Stream *t = stream_new (emu, buffered ?
        "word-timestamps=true;max-buffer-delay-ms=200" :
        "word-timestamps=true");
    g_autofree gchar *a = g_strndup (tagged, k);
    gsize k2 = k + (len - k) / 2;
    g_autofree gchar *b = g_strndup (tagged + k, k2 - k);
    g_autoptr (GPtrArray) inputs = NULL;
    GString *joined = g_string_new (NULL);
    guint i;

    cartesia_emulator_clear_requests (emu);
    push_token (t, a);
    push_token (t, b);
    push_token (t, tagged + k2);
    finish (t);
    assert_clean (t);
    assert_audio_of (t, bare);

    inputs = test_emulator_bodies_with (emu, "transcript");
    for (i = 0; i < inputs->len; i++) {
      const gchar *input = json_object_get_string_member (g_ptr_array_index
          (inputs, i), "transcript");

      assert_tags_whole (input);
      g_string_append (joined, input);
    }
    fail_unless_equals_string (joined->str, tagged);
    g_string_free (joined, TRUE);

    g_mutex_lock (&t->msgs.lock);
    for (i = 0; i < t->msgs.messages->len; i++) {
      GstStructure *s = g_ptr_array_index (t->msgs.messages, i);

      if (gst_structure_has_name (s, "cartesia-word")) {
        const gchar *w = gst_structure_get_string (s, "word");

        fail_unless (strchr (w, '<') == NULL && strchr (w, '>') == NULL
            && strstr (w, "break") == NULL, "word '%s'", w);
      }
    }
    g_mutex_unlock (&t->msgs.lock);
    stream_free (t);
  }
  cartesia_emulator_free (emu);
}

GST_END_TEST;

static void
on_caption (GstElement * sink, GstBuffer * buf, GstPad * pad, GString * text)
{
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_READ);
  /* one thread: fakesink's streaming thread; read after EOS */
  g_string_append_len (text, (const gchar *) map.data, map.size);
  g_string_append_c (text, '|');
  gst_buffer_unmap (buf, &map);
}

/* Captions show what is said: whole utterances and words alike, without
 * the tags. */
GST_START_TEST (test_captions_without_tags)
{
  guint words;

  for (words = 0; words < 2; words++) {
    CartesiaEmulator *emu = test_emulator_new ();
    g_autofree gchar *desc = g_strdup_printf ("cartesiattssrc name=tts "
        "base-url=%s api-key=%s retry-backoff-factor=0 word-timestamps=%s "
        "text=\"Hi <break time='1s'/>there, <emotion value='calm'/>friend.\" "
        "! fakesink tts.subtitle_src ! fakesink name=subs "
        "signal-handoffs=true", cartesia_emulator_get_base_url (emu),
        TEST_API_KEY, words ? "true" : "false");
    GString *captions = g_string_new (NULL);
    GstElement *pipeline = gst_parse_launch (desc, NULL);
    GstElement *subs;
    GstBus *bus;
    GstMessage *msg;

    fail_unless (pipeline != NULL);
    subs = gst_bin_get_by_name (GST_BIN (pipeline), "subs");
    g_signal_connect (subs, "handoff", G_CALLBACK (on_caption), captions);
    gst_object_unref (subs);
    bus = gst_element_get_bus (pipeline);
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    fail_unless (msg != NULL, "no EOS within 30 s");
    fail_unless (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS);
    gst_message_unref (msg);
    test_set_state_bounded (pipeline, GST_STATE_NULL, 5000);
    gst_object_unref (bus);
    gst_object_unref (pipeline);

    GST_INFO ("captions: %s", captions->str);
    fail_unless (strchr (captions->str, '<') == NULL
        && strchr (captions->str, '>') == NULL
        && strstr (captions->str, "break") == NULL
        && strstr (captions->str, "emotion") == NULL,
        "captions: %s", captions->str);
    fail_unless (strstr (captions->str, words ? "friend." :
            "Hi there, friend.") != NULL, "captions: %s", captions->str);
    g_string_free (captions, TRUE);
    cartesia_emulator_free (emu);
  }
}

GST_END_TEST;

/* ---- the end ---- */

/* Non-live, EOS comes with the last sample, not a second later. */
GST_START_TEST (test_eos_at_once)
{
  Stream *t = stream_new (NULL, NULL);
  gint64 eos_at;

  push_token (t, "Hello there.");
  eos_at = finish (t);
  assert_clean (t);
  assert_audio_of (t, "Hello there.");
  GST_INFO ("EOS %" G_GINT64_FORMAT " µs after the last sample",
      eos_at - t->last_audio_at);
  /* it was 1.000 s; a loaded machine gets a generous margin */
  fail_unless (eos_at - t->last_audio_at < 500 * 1000,
      "EOS %" G_GINT64_FORMAT " ms after the last sample",
      (eos_at - t->last_audio_at) / 1000);
  stream_free (t);
}

GST_END_TEST;

/* use_normalized_timestamps follows normalized-timestamps (default false,
 * so words match the text), with every request that asks for words. */
GST_START_TEST (test_normalized_timestamps)
{
  guint v;

  for (v = 0; v < 2; v++) {
    Stream *t = stream_new (NULL, v ?
        "word-timestamps=true;normalized-timestamps=true" :
        "word-timestamps=true");
    g_autoptr (GPtrArray) inputs = NULL;
    guint i;

    push_token (t, "One two three four, five.");
    finish (t);
    assert_clean (t);
    inputs = test_emulator_bodies_with (t->emu, "transcript");
    fail_unless (inputs->len > 0);
    for (i = 0; i < inputs->len; i++)
      fail_unless_equals_int (json_object_get_boolean_member
          (g_ptr_array_index (inputs, i), "use_normalized_timestamps"), v);
    stream_free (t);
  }
}

GST_END_TEST;

/* A voice the service does not know: 404, RESOURCE/NOT_FOUND with the
 * server's title and message, over both transports. */
GST_START_TEST (test_unknown_voice)
{
  const gchar *transports[] = { "websocket", "sse" };
  guint i;

  for (i = 0; i < 2; i++) {
    CartesiaEmulator *emu = test_emulator_new ();
    GstElement *src = test_make_src (emu, "Hello.");
    TestRun run;

    gst_util_set_object_arg (G_OBJECT (src), "transport", transports[i]);
    g_object_set (src, "voice-id", "a0e99841-438c-4a64-b679-ae501e7d6091",
        "cartesia-version", "2026-03-01", NULL);
    test_emulator_set (emu, "unknown-voice",
        "a0e99841-438c-4a64-b679-ae501e7d6091");
    test_run_pipeline (src, NULL, 30, &run);
    fail_unless (run.error != NULL);
    GST_INFO ("%s: %s", transports[i], run.error->message);
    fail_unless (g_error_matches (run.error, GST_RESOURCE_ERROR,
            GST_RESOURCE_ERROR_NOT_FOUND), "%s", run.error->message);
    fail_unless (strstr (run.error->message, "Voice not found") != NULL,
        "%s", run.error->message);
    fail_unless (strstr (run.error->message, "was not found") != NULL,
        "%s", run.error->message);
    test_run_clear (&run);
    cartesia_emulator_free (emu);
  }
}

GST_END_TEST;

static Suite *
cartesiattssrc_stream_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-stream");
  TCase *tc = tcase_create ("stream");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 300);
  tcase_add_test (tc, test_tokens_20_per_second);
  tcase_add_test (tc, test_tokens_60_per_second);
  tcase_add_test (tc, test_pause_2s);
  tcase_add_test (tc, test_refused_continuation);
  tcase_add_test (tc, test_tags_never_split);
  tcase_add_test (tc, test_eos_at_once);
  tcase_add_test (tc, test_normalized_timestamps);
  tcase_add_test (tc, test_unknown_voice);
  tcase_add_test (tc, test_captions_without_tags);
  return s;
}

GST_CHECK_MAIN (cartesiattssrc_stream);
