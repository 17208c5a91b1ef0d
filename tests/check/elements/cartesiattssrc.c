/* cartesiattssrc: audio, negotiation and requests, against the emulator. */
#include "cartesia-test-utils.h"

#include <gst/check/gstharness.h>

#define HELLO "Hello world"

typedef struct
{
  const gchar *caps;
  const gchar *encoding;
  gint rate;
  guint bpf;
} Format;

static const Format formats[] = {
  {"audio/x-raw,format=S16LE,rate=8000", "pcm_s16le", 8000, 2},
  {"audio/x-raw,format=S16LE,rate=44100", "pcm_s16le", 44100, 2},
  {"audio/x-raw,format=F32LE,rate=24000", "pcm_f32le", 24000, 4},
  {"audio/x-raw,format=F32LE,rate=48000", "pcm_f32le", 48000, 4},
  {"audio/x-mulaw,rate=8000", "pcm_mulaw", 8000, 1},
  {"audio/x-mulaw,rate=16000", "pcm_mulaw", 16000, 1},
  {"audio/x-alaw,rate=8000", "pcm_alaw", 8000, 1},
  {"audio/x-alaw,rate=22050", "pcm_alaw", 22050, 1},
};

/* Every format and rate of the contract, with chunk sizes that split samples
 * across chunks, gives exactly the server's bytes with exact timestamps. */
static void
check_format (const Format * f, const gchar * chunk_bytes, const gchar * text)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GPtrArray *requests;
  JsonObject *body, *of;
  gsize len;
  guint8 *expected = cartesia_emulator_render (text, f->encoding, f->rate,
      &len);
  TestRun run;

  fail_unless (expected != NULL);
  test_emulator_set (emu, "chunk-bytes", chunk_bytes);
  test_run_pipeline (test_make_src (emu, text), f->caps, 60, &run);
  test_assert_audio (&run, expected, len, f->rate, f->bpf);

  /* ... and asked the server for exactly the negotiated format. */
  requests = test_emulator_requests (emu);
  fail_unless_equals_int (requests->len, 1);
  body = test_request_body (requests, 0);
  of = json_object_get_object_member (body, "output_format");
  fail_unless_equals_string (json_object_get_string_member (of, "container"),
      "raw");
  fail_unless_equals_string (json_object_get_string_member (of, "encoding"),
      f->encoding);
  fail_unless_equals_int (json_object_get_int_member (of, "sample_rate"),
      f->rate);

  g_ptr_array_unref (requests);
  test_run_clear (&run);
  g_free (expected);
  cartesia_emulator_free (emu);
}

GST_START_TEST (test_formats_byte_exact)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    GST_INFO ("format %s", formats[i].caps);
    check_format (&formats[i], "4096", HELLO);
  }
}

GST_END_TEST;

GST_START_TEST (test_formats_odd_chunks)
{
  static const gchar *chunks[] = { "1", "3", "1001", "4095", "65537" };
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (formats); i++)
    for (j = 0; j < G_N_ELEMENTS (chunks); j++) {
      /* 1-byte chunks of F32 audio are slow to push through; one rate does. */
      if (g_str_equal (chunks[j], "1") && formats[i].rate > 8000)
        continue;
      GST_INFO ("format %s, chunks of %s bytes", formats[i].caps, chunks[j]);
      check_format (&formats[i], chunks[j], "Hi there");
    }
}

GST_END_TEST;

GST_START_TEST (test_long_text)
{
  GString *text = g_string_new (NULL);
  static const Format f = { "audio/x-raw,format=S16LE,rate=24000",
    "pcm_s16le", 24000, 2
  };

  /* 6000 characters: five minutes of emulated speech, ~14 MB of audio. */
  while (text->len < 6000)
    g_string_append (text, "The quick brown fox jumps over the lazy dog. ");
  check_format (&f, "16384", text->str);
  g_string_free (text, TRUE);
}

GST_END_TEST;

/* Caps outside the format table (another sample format, rate, channel
 * count or medium) never link: the element cannot be asked for them, and
 * nothing is requested from the server. */
GST_START_TEST (test_caps_outside_the_table)
{
  static const gchar *bad[] = {
    "audio/x-raw,format=S24LE",
    "audio/x-raw,format=S16BE",
    "audio/x-raw,format=U8",
    "audio/x-raw,format=S16LE,rate=32000",
    "audio/x-raw,format=S16LE,rate=11025",
    "audio/x-raw,format=S16LE,channels=2",
    "audio/x-raw,format=S16LE,layout=non-interleaved",
    "audio/x-mulaw,rate=44101",
    "audio/x-alaw,channels=2",
    "audio/mpeg",
  };
  CartesiaEmulator *emu = test_emulator_new ();
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    GstElement *src = test_make_src (emu, HELLO);
    GstElement *filter = gst_element_factory_make ("capsfilter", NULL);
    GstCaps *caps = gst_caps_from_string (bad[i]);
    GstElement *bin = gst_pipeline_new (NULL);

    fail_unless (caps != NULL && filter != NULL);
    g_object_set (filter, "caps", caps, NULL);
    gst_bin_add_many (GST_BIN (bin), src, filter, NULL);
    fail_if (gst_element_link (src, filter), "%s linked", bad[i]);
    gst_caps_unref (caps);
    gst_object_unref (bin);
  }
  fail_unless_equals_int (test_emulator_stats (emu).http_requests +
      test_emulator_stats (emu).ws_connections, 0);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* With downstream that accepts anything, S16LE mono 44100 Hz. */
GST_START_TEST (test_default_caps)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstStructure *s;
  gint rate, channels;
  gsize len;
  guint8 *expected = cartesia_emulator_render (HELLO, "pcm_s16le", 44100,
      &len);
  TestRun run;

  test_run_pipeline (test_make_src (emu, HELLO), NULL, 30, &run);
  test_assert_audio (&run, expected, len, 44100, 2);
  fail_unless (run.caps != NULL);
  s = gst_caps_get_structure (run.caps, 0);
  fail_unless (gst_structure_has_name (s, "audio/x-raw"));
  fail_unless_equals_string (gst_structure_get_string (s, "format"), "S16LE");
  fail_unless (gst_structure_get_int (s, "rate", &rate));
  fail_unless_equals_int (rate, 44100);
  fail_unless (gst_structure_get_int (s, "channels", &channels));
  fail_unless_equals_int (channels, 1);

  test_run_clear (&run);
  g_free (expected);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* Downstream preferring a rate the contract lacks gets the nearest one. */
GST_START_TEST (test_fixate_nearest_rate)
{
  CartesiaEmulator *emu = test_emulator_new ();
  gint rate;
  TestRun run;

  test_run_pipeline (test_make_src (emu, HELLO),
      "audio/x-raw,rate=[ 20000, 30000 ]", 30, &run);
  fail_unless (run.eos);
  fail_unless (gst_structure_get_int (gst_caps_get_structure (run.caps, 0),
          "rate", &rate));
  fail_unless_equals_int (rate, 24000);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

static const gchar *
entry_string (GPtrArray * requests, guint n, const gchar * member)
{
  JsonObject *entry = g_ptr_array_index (requests, n);

  return json_object_get_string_member (entry, member);
}

/* What the server receives, field by field. */
GST_START_TEST (test_request_fields)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, HELLO);
  GPtrArray *requests;
  JsonObject *body, *voice, *gc;
  TestRun run;

  g_object_set (src, "model-id", "sonic-3.5", "voice-id",
      "a0e99841-438c-4a64-b679-ae501e7d6091", "language", "fr",
      "speed", 1.25, "volume", 0.75, "emotion", "calm",
      "pronunciation-dict-id", "dict-42", "max-buffer-delay-ms", 0,
      "word-timestamps", TRUE, "cartesia-version", "2026-03-01",
      "user-agent", "my-app/1.0", NULL);
  test_run_pipeline (src, NULL, 30, &run);
  fail_unless (run.eos);

  requests = test_emulator_requests (emu);
  fail_unless_equals_int (requests->len, 1);
  fail_unless_equals_string (entry_string (requests, 0, "endpoint"),
      "/tts/websocket");
  fail_unless_equals_string (entry_string (requests, 0, "cartesia_version"),
      "2026-03-01");
  fail_unless_equals_string (entry_string (requests, 0, "auth"),
      "authorization");
  fail_unless_equals_string (entry_string (requests, 0, "user_agent"),
      "my-app/1.0");

  body = test_request_body (requests, 0);
  fail_unless_equals_string (json_object_get_string_member (body, "model_id"),
      "sonic-3.5");
  fail_unless_equals_string (json_object_get_string_member (body,
          "transcript"), HELLO);
  fail_unless_equals_string (json_object_get_string_member (body, "language"),
      "fr");
  voice = json_object_get_object_member (body, "voice");
  fail_unless_equals_string (json_object_get_string_member (voice, "mode"),
      "id");
  fail_unless_equals_string (json_object_get_string_member (voice, "id"),
      "a0e99841-438c-4a64-b679-ae501e7d6091");
  gc = json_object_get_object_member (body, "generation_config");
  fail_unless (gc != NULL);
  fail_unless (json_object_get_double_member (gc, "speed") == 1.25);
  fail_unless (json_object_get_double_member (gc, "volume") == 0.75);
  fail_unless_equals_string (json_object_get_string_member (gc, "emotion"),
      "calm");
  fail_unless_equals_string (json_object_get_string_member (body,
          "pronunciation_dict_id"), "dict-42");
  fail_unless_equals_int (json_object_get_int_member (body,
          "max_buffer_delay_ms"), 0);
  fail_unless (json_object_get_boolean_member (body, "add_timestamps"));
  /* One input holding the whole text: the context ends with it. */
  fail_unless (json_object_has_member (body, "continue"));
  fail_if (json_object_get_boolean_member (body, "continue"));
  fail_unless (g_str_has_prefix (json_object_get_string_member (body,
              "context_id"), "gst-"));

  g_ptr_array_unref (requests);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* Optional fields are sent only when set; the defaults of the contract. */
GST_START_TEST (test_request_defaults)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GPtrArray *requests;
  JsonObject *body, *voice;
  TestRun run;

  test_run_pipeline (test_make_src (emu, HELLO), NULL, 30, &run);
  fail_unless (run.eos);
  requests = test_emulator_requests (emu);
  fail_unless_equals_string (entry_string (requests, 0, "cartesia_version"),
      "2025-04-16");
  body = test_request_body (requests, 0);
  fail_unless_equals_string (json_object_get_string_member (body, "model_id"),
      "sonic-3");
  fail_unless_equals_string (json_object_get_string_member (body, "language"),
      "en");
  voice = json_object_get_object_member (body, "voice");
  fail_unless_equals_string (json_object_get_string_member (voice, "id"),
      "694f9389-aac1-45b6-b726-9d9369183238");
  fail_if (json_object_has_member (body, "generation_config"));
  fail_if (json_object_has_member (body, "max_buffer_delay_ms"));
  fail_if (json_object_has_member (body, "add_timestamps"));
  fail_if (json_object_has_member (body, "pronunciation_dict_id"));

  g_ptr_array_unref (requests);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* From 2026-08-14 the voice is {"id": ...}, without "mode". */
GST_START_TEST (test_request_voice_2026_08_14)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, HELLO);
  GPtrArray *requests;
  JsonObject *voice;
  TestRun run;

  g_object_set (src, "cartesia-version", "2026-08-14", NULL);
  test_run_pipeline (src, NULL, 30, &run);
  fail_unless (run.eos);
  requests = test_emulator_requests (emu);
  voice = json_object_get_object_member (test_request_body (requests, 0),
      "voice");
  fail_if (json_object_has_member (voice, "mode"));
  fail_unless_equals_string (json_object_get_string_member (voice, "id"),
      "694f9389-aac1-45b6-b726-9d9369183238");
  g_ptr_array_unref (requests);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* Each run is a new context; a context id is never reused. */
GST_START_TEST (test_context_ids_unique)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  GPtrArray *requests;
  guint i;

  for (i = 0; i < 5; i++) {
    TestRun run;

    test_run_pipeline (test_make_src (emu, HELLO), NULL, 30, &run);
    fail_unless (run.eos);
    test_run_clear (&run);
  }
  requests = test_emulator_requests (emu);
  fail_unless_equals_int (requests->len, 5);
  for (i = 0; i < requests->len; i++) {
    const gchar *id = json_object_get_string_member (test_request_body
        (requests, i), "context_id");
    fail_if (g_hash_table_contains (seen, id), "context id %s reused", id);
    g_hash_table_add (seen, g_strdup (id));
  }
  g_ptr_array_unref (requests);
  g_hash_table_unref (seen);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* Audio is pushed as it arrives, not after "done": with the server pacing in
 * real time, the first buffer comes out long before the utterance ends. */
GST_START_TEST (test_streams_before_done)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstHarness *h;
  GstBuffer *buf;
  CartesiaEmulatorStats stats;
  /* The harness only refs the element: own it here. */
  GstElement *src = gst_object_ref_sink (test_make_src (emu,
          "A fairly long sentence to speak"));

  test_emulator_set (emu, "pacing", "realtime");
  h = test_harness_new_src (src, "audio/x-raw,format=S16LE,rate=16000");
  gst_harness_play (h);
  buf = gst_harness_pull (h);
  fail_unless (buf != NULL);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), 0);
  cartesia_emulator_get_stats (emu, &stats);
  /* 31 characters are 1.55 s of audio; the first 4 KiB chunk is 0.128 s. */
  fail_unless_equals_int (stats.contexts_done, 0);
  gst_buffer_unref (buf);
  gst_harness_teardown (h);
  gst_object_unref (src);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* The websocket opens on the way to PAUSED, before any text is due. */
GST_START_TEST (test_preconnect)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, HELLO);
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  CartesiaEmulatorStats stats = { 0, };
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;

  /* A live source does not produce in PAUSED: only the handshake happens. */
  g_object_set (src, "is-live", TRUE, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, sink, NULL);
  fail_unless (gst_element_link (src, sink));
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_PAUSED),
      GST_STATE_CHANGE_NO_PREROLL);
  while (stats.ws_connections == 0 && g_get_monotonic_time () < deadline) {
    g_usleep (5000);
    cartesia_emulator_get_stats (emu, &stats);
  }
  fail_unless_equals_int (stats.ws_connections, 1);
  fail_unless_equals_int (stats.contexts_started, 0);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);

  /* ... and is closed cleanly on the way back. */
  deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  do {
    cartesia_emulator_get_stats (emu, &stats);
  } while (stats.open_connections && g_get_monotonic_time () < deadline
      && (g_usleep (5000), TRUE));
  fail_unless_equals_int (stats.open_connections, 0);
  fail_unless_equals_int (stats.ws_client_closes, 1);
  fail_unless_equals_int (stats.ws_client_close_code, 1000);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* word-timestamps=true asks for timings and posts one message per word,
 * on the element's timeline (seconds from the utterance's first sample). */
GST_START_TEST (test_word_timestamps)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu, "Hello big world");
  static const gchar *words[] = { "Hello", "big", "world" };
  static const guint64 starts[] = { 0, 300 * GST_MSECOND, 500 * GST_MSECOND };
  guint i, n = 0;
  TestRun run;

  g_object_set (src, "word-timestamps", TRUE, NULL);
  test_run_pipeline (src, "audio/x-raw,format=S16LE,rate=8000", 30, &run);
  fail_unless (run.eos);
  for (i = 0; i < run.element_messages->len; i++) {
    GstStructure *s = g_ptr_array_index (run.element_messages, i);
    guint64 ts;

    if (!gst_structure_has_name (s, "cartesia-word"))
      continue;
    fail_unless (n < G_N_ELEMENTS (words));
    fail_unless_equals_string (gst_structure_get_string (s, "word"),
        words[n]);
    /* 50 ms per character in the emulator's voice. */
    fail_unless (gst_structure_get_uint64 (s, "timestamp", &ts));
    fail_unless_equals_uint64 (ts, starts[n]);
    fail_unless (g_str_has_prefix (gst_structure_get_string (s, "context-id"),
            "gst-"));
    n++;
  }
  fail_unless_equals_int (n, 3);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* The stats property: what an app polls for monitoring; it survives the
 * change back to READY. */
GST_START_TEST (test_stats)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = gst_object_ref (test_make_src (emu, HELLO));
  GstStructure *stats = NULL;
  guint u = 0, n = 0;
  guint64 bytes = 0, ttfa = 0;
  gsize len;
  guint8 *expected = cartesia_emulator_render (HELLO, "pcm_s16le", 44100,
      &len);
  TestRun run;

  test_emulator_set (emu, "http-status", "429");
  test_emulator_set (emu, "fail-count", "1");
  test_run_pipeline (src, NULL, 30, &run);
  test_assert_audio (&run, expected, len, 44100, 2);
  g_object_get (src, "stats", &stats, NULL);
  fail_unless (gst_structure_has_name (stats, "cartesia-stats"));
  fail_unless (gst_structure_get_uint (stats, "utterances", &u));
  fail_unless_equals_int (u, 1);
  fail_unless (gst_structure_get_uint (stats, "utterances-failed", &u));
  fail_unless_equals_int (u, 0);
  fail_unless (gst_structure_get_uint64 (stats, "bytes-received", &bytes));
  fail_unless_equals_uint64 (bytes, len);
  fail_unless (gst_structure_get_uint (stats, "connections", &n));
  fail_unless_equals_int (n, 1);
  fail_unless (gst_structure_get_uint (stats, "reconnects", &n));
  fail_unless_equals_int (n, 0);
  fail_unless (gst_structure_get_uint (stats, "retries", &n));
  fail_unless_equals_int (n, 1);
  fail_unless (gst_structure_get_uint64 (stats, "time-to-first-audio",
          &ttfa));
  fail_unless (GST_CLOCK_TIME_IS_VALID (ttfa) && ttfa < 10 * GST_SECOND);
  gst_structure_free (stats);
  test_run_clear (&run);
  gst_object_unref (src);
  g_free (expected);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* The contract's names and defaults; the key can be written, never read. */
GST_START_TEST (test_properties)
{
  GstElement *src = gst_element_factory_make ("cartesiattssrc", NULL);
  GObjectClass *klass = src ? G_OBJECT_GET_CLASS (src) : NULL;
  static const gchar *names[] = { "text", "api-key", "base-url", "transport",
    "model-id", "voice-id", "language", "cartesia-version", "speed", "volume",
    "emotion", "pronunciation-dict-id", "max-buffer-delay-ms",
    "word-timestamps", "is-live", "retries", "retry-backoff-factor",
    "retry-backoff-max", "timeout", "ssl-strict", "proxy", "user-agent"
  };
  GParamSpec *pspec;
  gchar *s;
  guint i;

  fail_unless (src != NULL);
  for (i = 0; i < G_N_ELEMENTS (names); i++)
    fail_unless (g_object_class_find_property (klass, names[i]) != NULL,
        "no property %s", names[i]);
  pspec = g_object_class_find_property (klass, "api-key");
  fail_if (pspec->flags & G_PARAM_READABLE);
  fail_unless (pspec->flags & G_PARAM_WRITABLE);

  g_object_get (src, "base-url", &s, NULL);
  fail_unless_equals_string (s, "https://api.cartesia.ai");
  g_free (s);
  g_object_get (src, "model-id", &s, NULL);
  fail_unless_equals_string (s, "sonic-3");
  g_free (s);
  g_object_get (src, "voice-id", &s, NULL);
  fail_unless_equals_string (s, "694f9389-aac1-45b6-b726-9d9369183238");
  g_free (s);
  g_object_get (src, "cartesia-version", &s, NULL);
  fail_unless_equals_string (s, "2025-04-16");
  g_free (s);
  g_object_get (src, "language", &s, NULL);
  fail_unless_equals_string (s, "en");
  g_free (s);

  /* Every readable property reads back (gst-inspect does this), and every
   * one with a default starts there. */
  {
    guint n_props;
    GParamSpec **props = g_object_class_list_properties (klass, &n_props);

    for (i = 0; i < n_props; i++) {
      GValue v = G_VALUE_INIT;

      if (!(props[i]->flags & G_PARAM_READABLE))
        continue;
      g_value_init (&v, props[i]->value_type);
      g_object_get_property (G_OBJECT (src), props[i]->name, &v);
      /* GstBaseSrc's (a property since GStreamer 1.24, default TRUE): the
       * element turns it off, EOS comes when the last utterance is done. */
      if (g_str_equal (props[i]->name, "automatic-eos")) {
        fail_if (g_value_get_boolean (&v), "automatic-eos is on");
        g_value_unset (&v);
        continue;
      }
      /* GstBaseSrc's blocksize starts at -1, "default", as audiotestsrc's
       * does: buffers are the server's chunks. */
      if (g_str_equal (props[i]->name, "blocksize")) {
        fail_unless_equals_int (g_value_get_uint (&v), G_MAXUINT);
        g_value_unset (&v);
        continue;
      }
      if (!g_str_equal (props[i]->name, "text")
          && !g_str_equal (props[i]->name, "stats")
          && !g_str_equal (props[i]->name, "name")
          && !g_str_equal (props[i]->name, "parent"))
        fail_unless (g_param_value_defaults (props[i], &v),
            "%s does not start at its default", props[i]->name);
      g_value_unset (&v);
    }
    g_free (props);
  }
  {
    guint margin = 0;

    g_object_get (src, "jitter-margin-ms", &margin, NULL);
    fail_unless_equals_int (margin, 20);
  }

  fail_unless (g_str_equal (gst_element_class_get_metadata
          (GST_ELEMENT_GET_CLASS (src), GST_ELEMENT_METADATA_KLASS),
          "Source/Audio/Network"));
  gst_object_unref (src);
}

GST_END_TEST;

static Suite *
cartesiattssrc_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_properties);
  tcase_add_test (tc, test_formats_byte_exact);
  tcase_add_test (tc, test_formats_odd_chunks);
  tcase_add_test (tc, test_long_text);
  tcase_add_test (tc, test_caps_outside_the_table);
  tcase_add_test (tc, test_default_caps);
  tcase_add_test (tc, test_fixate_nearest_rate);
  tcase_add_test (tc, test_request_fields);
  tcase_add_test (tc, test_request_defaults);
  tcase_add_test (tc, test_request_voice_2026_08_14);
  tcase_add_test (tc, test_context_ids_unique);
  tcase_add_test (tc, test_streams_before_done);
  tcase_add_test (tc, test_preconnect);
  tcase_add_test (tc, test_word_timestamps);
  tcase_add_test (tc, test_stats);
  return s;
}

GST_CHECK_MAIN (cartesiattssrc);
