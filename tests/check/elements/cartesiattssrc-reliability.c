/* cartesiattssrc that runs for days: never silent, never stuck (issue 19).
 *
 * Bad text from the application, huge text, a server that stalls, settings
 * changed while running, the subtitle pad asked for late, runaway retry
 * settings, utterances the element drops and an outage longer than the
 * retries: each gives a clear message and the stream goes on.  Live tests
 * run `cartesiattssrc is-live=true ! capsfilter ! fakesink` on the system
 * clock against an emulator on a free loopback port; their deadlines are
 * generous (a loaded machine is slow) and each is far below the time the
 * old behaviour took, so that every test failed before its fix.
 */
#include "cartesia-test-utils.h"

#include <string.h>

#define CAPS "audio/x-raw,format=S16LE,rate=16000"
#define FFFD "\xef\xbf\xbd"

typedef struct
{
  CartesiaEmulator *emu;
  GstElement *src;
  GstElement *pipeline;
  TestMessages m;
} Rig;

/* A cartesiattssrc pointed at a fresh emulator (or at @emu), with
 * "name=value;..." @props, in a pipeline whose messages are collected. */
static Rig *
rig_new_with (CartesiaEmulator * emu, const gchar * text, gboolean live,
    const gchar * props)
{
  Rig *r = g_new0 (Rig, 1);

  r->emu = emu ? emu : test_emulator_new ();
  r->src = test_make_src (r->emu, text);
  g_object_set (r->src, "is-live", live, NULL);
  test_set_props (r->src, props);
  r->pipeline = test_pipeline_new (r->src, CAPS);
  test_messages_attach (&r->m, r->pipeline);
  return r;
}

static Rig *
rig_new (const gchar * text, gboolean live, const gchar * props)
{
  return rig_new_with (NULL, text, live, props);
}

static void
rig_play (Rig * r)
{
  fail_if (test_set_state_bounded (r->pipeline, GST_STATE_PLAYING, 5000) ==
      GST_STATE_CHANGE_FAILURE);
}

static void
rig_free (Rig * r, gboolean free_emu)
{
  test_set_state_bounded (r->pipeline, GST_STATE_NULL, 5000);
  test_messages_detach (&r->m, r->pipeline);
  gst_object_unref (r->pipeline);
  if (free_emu && r->emu)
    cartesia_emulator_free (r->emu);
  g_free (r);
}

/* Waits (real time) up to @timeout_ms for the ELEMENT message @name of
 * utterance @id; fails the test without it.  A copy. */
static GstStructure *
wait_message (Rig * r, const gchar * name, const gchar * id, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * (gint64) 1000;
  GstStructure *s = NULL;

  while (g_get_monotonic_time () < end) {
    GstStructure *found = test_messages_find (&r->m, name, id);

    if (found) {
      g_mutex_lock (&r->m.lock);
      s = gst_structure_copy (found);
      g_mutex_unlock (&r->m.lock);
      break;
    }
    g_usleep (10000);
  }
  fail_unless (s != NULL, "no %s for %s within %u ms", name, GST_STR_NULL (id),
      timeout_ms);
  return s;
}

/* The first WARNING whose text has @needle, or NULL (a copy). */
static GError *
find_warning (Rig * r, const gchar * needle)
{
  GError *found = NULL;
  guint i;

  g_mutex_lock (&r->m.lock);
  for (i = 0; i < r->m.warnings->len && !found; i++) {
    GError *e = g_ptr_array_index (r->m.warnings, i);

    if (strstr (e->message, needle))
      found = g_error_copy (e);
  }
  g_mutex_unlock (&r->m.lock);
  return found;
}

static GError *
wait_warning (Rig * r, const gchar * needle, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * (gint64) 1000;
  GError *e = NULL;

  while (!(e = find_warning (r, needle)) && g_get_monotonic_time () < end)
    g_usleep (10000);
  fail_unless (e != NULL, "no warning with '%s' within %u ms", needle,
      timeout_ms);
  return e;
}

static void
assert_no_error (Rig * r)
{
  g_mutex_lock (&r->m.lock);
  fail_unless (r->m.error == NULL, "ERROR: %s",
      r->m.error ? r->m.error->message : "");
  g_mutex_unlock (&r->m.lock);
}

/* The "reason" of a cartesia-utterance-failed message. */
static gchar *
reason_of (GstStructure * s)
{
  return g_strdup (gst_structure_get_string (s, "reason"));
}

/* ---- 1. invalid UTF-8 from the application ---- */

/* Over WebSocket libsoup refused the frame (a CRITICAL), the request never
 * left and the utterance failed only after timeout (15 s) with the wrong
 * reason, holding the queue.  Now: cleaned, with a warning, and spoken. */
GST_START_TEST (test_invalid_utf8_queued)
{
  Rig *r = rig_new (NULL, TRUE, NULL);
  GstStructure *s;
  GError *e;

  rig_play (r);
  g_signal_emit_by_name (r->src, "queue-utterance", "Bad \xff\xfe bytes",
      "bad");
  g_signal_emit_by_name (r->src, "queue-utterance", "Good after", "good");
  /* Both spoken, well within the old 15 s. */
  s = wait_message (r, "cartesia-utterance-finished", "bad", 8000);
  gst_structure_free (s);
  s = wait_message (r, "cartesia-utterance-finished", "good", 8000);
  gst_structure_free (s);
  fail_if (test_messages_find (&r->m, "cartesia-utterance-failed", NULL));
  e = wait_warning (r, "not valid UTF-8", 1000);
  fail_unless (e->domain == GST_STREAM_ERROR);
  fail_unless (strstr (e->message, "utterance text"), "%s", e->message);
  g_error_free (e);
  /* The queued message and the server had the cleaned text. */
  s = test_messages_find (&r->m, "cartesia-utterance-queued", "bad");
  fail_unless_equals_string (gst_structure_get_string (s, "text"),
      "Bad " FFFD FFFD " bytes");
  {
    GPtrArray *bodies = test_emulator_bodies_with (r->emu, "transcript");
    gboolean cleaned = FALSE;
    guint i;

    /* Queued before the caps were set, "bad" waits for the streaming
     * thread while "good", queued after them, may be requested at once:
     * the server may see them in either order. */
    fail_unless (bodies->len >= 2);
    for (i = 0; i < bodies->len; i++) {
      const gchar *t = json_object_get_string_member (g_ptr_array_index
          (bodies, i), "transcript");

      fail_if (strchr (t, '\xff') || strchr (t, '\xfe'), "raw bytes: %s", t);
      if (g_strcmp0 (t, "Bad " FFFD FFFD " bytes") == 0)
        cleaned = TRUE;
    }
    fail_unless (cleaned, "the server never had the cleaned text");
    g_ptr_array_unref (bodies);
  }
  assert_no_error (r);
  rig_free (r, TRUE);
}

GST_END_TEST;

/* The text property, live and non-live, and an invalid utterance id. */
GST_START_TEST (test_invalid_utf8_text_and_id)
{
  Rig *r = rig_new (NULL, TRUE, NULL);
  GstStructure *s;
  TestRun run;
  GstElement *src;
  CartesiaEmulator *emu;
  guint8 *expected;
  gsize len;

  rig_play (r);
  g_object_set (r->src, "text", "Live \xc3 text", NULL);
  s = wait_message (r, "cartesia-utterance-finished", "utterance-1", 8000);
  gst_structure_free (s);
  g_signal_emit_by_name (r->src, "queue-utterance", "Some text",
      "id-\xff\xff");
  /* The id is repaired, not lost. */
  s = wait_message (r, "cartesia-utterance-finished", "id-" FFFD FFFD,
      8000);
  gst_structure_free (s);
  assert_no_error (r);
  rig_free (r, TRUE);

  /* Non-live over SSE: failed at once with 400 before; now spoken. */
  emu = test_emulator_new ();
  src = test_make_src (emu, "Plain \xfe text");
  g_object_set (src, "transport", 1, NULL);
  test_run_pipeline (src, "audio/x-raw,format=S16LE,rate=44100", 20, &run);
  fail_unless (run.error == NULL, "%s", run.error ? run.error->message : "");
  fail_unless (run.eos);
  expected = cartesia_emulator_render ("Plain " FFFD " text", "pcm_s16le",
      44100, &len);
  test_assert_audio (&run, expected, len, 44100, 2);
  fail_unless (run.warnings->len >= 1);
  fail_unless (strstr (((GError *) g_ptr_array_index (run.warnings,
                  0))->message, "not valid UTF-8"));
  g_free (expected);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- 2. huge text ---- */

static gchar *
huge_text (gsize bytes)
{
  GString *s = g_string_new (NULL);
  guint n = 0;

  while (s->len < bytes)
    g_string_append_printf (s, "Sentence %u says a few words. ", n++);
  return g_string_free (s, FALSE);
}

/* 140 KB of text made the emulator (frame limit 128 KiB) close the socket;
 * the element reconnected and failed.  Now it goes as continuations of one
 * context, none above 64 KiB, and the whole text is spoken, bit-exact. */
GST_START_TEST (test_huge_text_split)
{
  CartesiaEmulator *emu = test_emulator_new ();
  g_autofree gchar *text = huge_text (140 * 1000);
  GstElement *src = test_make_src (emu, text);
  gchar **requests, **req;
  GString *joined = g_string_new (NULL);
  GPtrArray *bodies;
  guint8 *expected;
  gsize len;
  guint i;
  TestRun run;

  test_run_pipeline (src, "audio/x-raw,format=S16LE,rate=8000", 60, &run);
  fail_unless (run.error == NULL, "%s", run.error ? run.error->message : "");
  fail_unless (run.eos);

  /* Every message the server got is under 64 KiB. */
  requests = cartesia_emulator_dup_requests (emu);
  for (req = requests; *req; req++)
    fail_unless (strlen (*req) < 64 * 1024, "a %" G_GSIZE_FORMAT
        "-byte message", strlen (*req));
  g_strfreev (requests);

  /* One context; its transcripts join into the text. */
  bodies = test_emulator_bodies_with (emu, "transcript");
  fail_unless (bodies->len >= 17, "%u inputs", bodies->len);
  for (i = 0; i < bodies->len; i++) {
    JsonObject *b = g_ptr_array_index (bodies, i);

    fail_unless_equals_string (json_object_get_string_member (b,
            "context_id"), json_object_get_string_member (g_ptr_array_index
            (bodies, 0), "context_id"));
    fail_unless (json_object_get_boolean_member (b, "continue") ==
        (i + 1 < bodies->len));
    g_string_append (joined, json_object_get_string_member (b, "transcript"));
  }
  fail_unless_equals_string (joined->str, text);
  g_ptr_array_unref (bodies);
  g_string_free (joined, TRUE);

  /* The whole text spoken, exactly. */
  expected = cartesia_emulator_render (text, "pcm_s16le", 8000, &len);
  test_assert_audio (&run, expected, len, 8000, 2);
  g_free (expected);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* With share-connection, another element's utterance in progress died with
 * the socket that the huge text tore down. */
GST_START_TEST (test_huge_text_shared_socket)
{
  CartesiaEmulator *emu = test_emulator_new ();
  g_autofree gchar *text = huge_text (140 * 1000);
  Rig *a, *b;
  GstStructure *s;
  CartesiaEmulatorStats stats;

  test_emulator_set (emu, "pacing", "realtime");
  a = rig_new_with (emu, NULL, TRUE, "share-connection=true");
  b = rig_new_with (emu, NULL, TRUE, "share-connection=true");
  rig_play (a);
  rig_play (b);
  g_signal_emit_by_name (b->src, "queue-utterance", "A short one", "short");
  s = wait_message (b, "cartesia-utterance-started", "short", 8000);
  gst_structure_free (s);
  g_signal_emit_by_name (a->src, "queue-utterance", text, "huge");
  s = wait_message (a, "cartesia-utterance-started", "huge", 8000);
  gst_structure_free (s);
  s = wait_message (b, "cartesia-utterance-finished", "short", 8000);
  fail_if (test_messages_find (&b->m, "cartesia-utterance-failed", NULL));
  gst_structure_free (s);
  fail_if (test_messages_find (&a->m, "cartesia-utterance-failed", NULL));
  stats = test_emulator_stats (emu);
  fail_unless_equals_int (stats.ws_connections, 1);
  assert_no_error (a);
  assert_no_error (b);
  rig_free (a, FALSE);
  rig_free (b, FALSE);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- 3. a stalled generation ---- */

/* Live: the stalled utterance failed only after timeout (15 s), and the
 * next waited.  Now: stall-timeout-ms, a message that says so, and the
 * next one plays. */
GST_START_TEST (test_stall_live)
{
  Rig *r = rig_new (NULL, TRUE, "stall-timeout-ms=1000");
  GstStructure *s;
  g_autofree gchar *reason = NULL;
  gint64 t0;

  test_emulator_set (r->emu, "pacing", "realtime");
  test_emulator_set (r->emu, "chunk-bytes", "3200");
  test_emulator_set (r->emu, "stall-after-chunks", "2");
  rig_play (r);
  t0 = g_get_monotonic_time ();
  g_signal_emit_by_name (r->src, "queue-utterance",
      "This one stalls in the middle of its long sentence", "stuck");
  s = wait_message (r, "cartesia-utterance-started", "stuck", 8000);
  gst_structure_free (s);
  test_emulator_set (r->emu, "stall-after-chunks", "-1");
  g_signal_emit_by_name (r->src, "queue-utterance", "Then this", "next");
  s = wait_message (r, "cartesia-utterance-failed", "stuck", 10000);
  reason = reason_of (s);
  gst_structure_free (s);
  fail_unless (strstr (reason, "stalled") && strstr (reason, "1000 ms"),
      "%s", reason);
  /* Far sooner than timeout (15 s). */
  fail_unless (g_get_monotonic_time () - t0 < 10 * G_TIME_SPAN_SECOND);
  s = wait_message (r, "cartesia-utterance-finished", "next", 8000);
  gst_structure_free (s);
  assert_no_error (r);
  rig_free (r, TRUE);
}

GST_END_TEST;

/* Non-live: the stream fails with the stall, not after timeout. */
GST_START_TEST (test_stall_non_live)
{
  CartesiaEmulator *emu = test_emulator_new ();
  GstElement *src = test_make_src (emu,
      "A sentence long enough for several chunks of audio");
  gint64 t0 = g_get_monotonic_time ();
  TestRun run;

  test_emulator_set (emu, "chunk-bytes", "1000");
  test_emulator_set (emu, "stall-after-chunks", "2");
  g_object_set (src, "stall-timeout-ms", 500, NULL);
  test_run_pipeline (src, "audio/x-raw,format=S16LE,rate=16000", 20, &run);
  fail_unless (run.error != NULL);
  fail_unless (g_error_matches (run.error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_READ));
  fail_unless (strstr (run.error->message, "stalled"), "%s",
      run.error->message);
  fail_unless (g_get_monotonic_time () - t0 < 10 * G_TIME_SPAN_SECOND);
  fail_unless_equals_int (run.audio->len, 2000);
  test_run_clear (&run);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- 4. properties that cannot change while running ---- */

GST_START_TEST (test_ready_only_refused)
{
  Rig *r = rig_new (NULL, TRUE, NULL);
  static const gchar *const refused[] = { "transport", "is-live",
    "samplesperbuffer", "base-url", "retries", "timeout", "share-connection",
    "ssl-ca-file", "proxy-id", NULL
  };
  const gchar *const *name;
  gint transport;
  gboolean live;
  guint spb, timeout, stall;
  gint retries;
  gchar *url, *voice;
  GstStructure *s;

  /* In NULL and READY, no warning. */
  g_object_set (r->src, "timeout", 14, NULL);
  fail_unless_equals_int (r->m.warnings->len, 0);
  rig_play (r);

  g_object_set (r->src, "transport", 1, "is-live", FALSE,
      "samplesperbuffer", 4096, "base-url", "http://127.0.0.1:1",
      "retries", 9, "timeout", 3, "share-connection", TRUE,
      "ssl-ca-file", "/nonexistent/ca.pem", "proxy-id", "someone", NULL);
  g_object_set (r->src, "api-key", "sk_car_other", NULL);
  for (name = refused; *name; name++) {
    g_autofree gchar *needle = g_strdup_printf ("The %s property cannot "
        "change while the element is running", *name);
    GError *e = wait_warning (r, needle, 1000);

    fail_unless (g_error_matches (e, GST_CORE_ERROR,
            GST_CORE_ERROR_STATE_CHANGE));
    g_error_free (e);
  }
  g_error_free (wait_warning (r, "The api-key property", 1000));
  g_object_get (r->src, "transport", &transport, "is-live", &live,
      "samplesperbuffer", &spb, "base-url", &url, "retries", &retries,
      "timeout", &timeout, NULL);
  fail_unless_equals_int (transport, 0);
  fail_unless (live);
  fail_unless_equals_int (spb, 1024);
  fail_unless (!g_str_equal (url, "http://127.0.0.1:1"));
  fail_unless_equals_int (retries, 3);
  fail_unless_equals_int (timeout, 14);
  g_free (url);

  /* What may change while playing changes, without a warning. */
  g_mutex_lock (&r->m.lock);
  g_ptr_array_set_size (r->m.warnings, 0);
  g_mutex_unlock (&r->m.lock);
  g_object_set (r->src, "stall-timeout-ms", 2000, "voice-id",
      "a0e99841-438c-4a64-b679-ae501e7d6091", "text-mode", 0, NULL);
  g_object_get (r->src, "stall-timeout-ms", &stall, "voice-id", &voice, NULL);
  fail_unless_equals_int (stall, 2000);
  fail_unless_equals_string (voice, "a0e99841-438c-4a64-b679-ae501e7d6091");
  g_free (voice);
  fail_unless_equals_int (r->m.warnings->len, 0);

  /* And the element goes on speaking, over the websocket it started with. */
  g_signal_emit_by_name (r->src, "queue-utterance", "Still here", "after");
  s = wait_message (r, "cartesia-utterance-finished", "after", 8000);
  gst_structure_free (s);
  assert_no_error (r);

  /* Back in READY, it may change again. */
  test_set_state_bounded (r->pipeline, GST_STATE_READY, 5000);
  g_mutex_lock (&r->m.lock);
  g_ptr_array_set_size (r->m.warnings, 0);
  g_mutex_unlock (&r->m.lock);
  g_object_set (r->src, "samplesperbuffer", 4096, NULL);
  g_object_get (r->src, "samplesperbuffer", &spb, NULL);
  fail_unless_equals_int (spb, 4096);
  fail_unless_equals_int (r->m.warnings->len, 0);
  rig_free (r, TRUE);
}

GST_END_TEST;

/* ---- 5. subtitle_src asked for while playing ---- */

typedef struct
{
  GMutex lock;
  gboolean stream_start, segment, caps;
  gboolean data_before_headers;
  guint buffers;
} SubtitleSeen;

static GstPadProbeReturn
on_subtitle_data (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  SubtitleSeen *seen = user_data;

  g_mutex_lock (&seen->lock);
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    switch (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info))) {
      case GST_EVENT_STREAM_START:
        seen->stream_start = TRUE;
        break;
      case GST_EVENT_CAPS:
        seen->caps = TRUE;
        break;
      case GST_EVENT_SEGMENT:
        seen->segment = TRUE;
        break;
      case GST_EVENT_GAP:
        if (!seen->stream_start || !seen->segment)
          seen->data_before_headers = TRUE;
        break;
      default:
        break;
    }
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    if (!seen->stream_start || !seen->segment || !seen->caps)
      seen->data_before_headers = TRUE;
    seen->buffers++;
  }
  g_mutex_unlock (&seen->lock);
  return GST_PAD_PROBE_OK;
}

GST_START_TEST (test_subtitle_pad_while_playing)
{
  Rig *r = rig_new (NULL, TRUE, NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  SubtitleSeen seen = { 0, }, seen2;
  gulong probe;
  GstPad *pad, *second, *sinkpad;
  GstStructure *s;
  guint i;

  g_mutex_init (&seen.lock);
  rig_play (r);
  g_signal_emit_by_name (r->src, "queue-utterance", "Before the pad", "one");
  s = wait_message (r, "cartesia-utterance-finished", "one", 8000);
  gst_structure_free (s);

  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (r->pipeline), sink);
  sinkpad = gst_element_get_static_pad (sink, "sink");
  probe = gst_pad_add_probe (sinkpad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM |
      GST_PAD_PROBE_TYPE_BUFFER, on_subtitle_data, &seen, NULL);
  gst_element_sync_state_with_parent (sink);
  pad = gst_element_request_pad_simple (r->src, "subtitle_src");
  fail_unless (pad != NULL);
  fail_unless_equals_int (gst_pad_link (pad, sinkpad), GST_PAD_LINK_OK);

  /* One subtitle pad at most: a clean NULL and a warning.  (Asked for by
   * its name, gst_element_request_pad_simple (src, "subtitle_src"), GStreamer
   * core itself warns with a CRITICAL that the pad exists, before the
   * element is asked.) */
  second = gst_element_request_pad (r->src,
      gst_element_get_pad_template (r->src, "subtitle_src"), NULL, NULL);
  fail_unless (second == NULL);
  g_error_free (wait_warning (r, "one subtitle_src pad at most", 1000));

  g_signal_emit_by_name (r->src, "queue-utterance", "With captions", "two");
  s = wait_message (r, "cartesia-utterance-finished", "two", 8000);
  gst_structure_free (s);
  for (i = 0; i < 200; i++) {
    g_mutex_lock (&seen.lock);
    if (seen.buffers >= 2) {
      g_mutex_unlock (&seen.lock);
      break;
    }
    g_mutex_unlock (&seen.lock);
    g_usleep (10000);
  }
  g_mutex_lock (&seen.lock);
  fail_unless (seen.stream_start && seen.caps && seen.segment);
  fail_unless (!seen.data_before_headers);
  fail_unless (seen.buffers >= 2, "%u caption buffers", seen.buffers);
  g_mutex_unlock (&seen.lock);
  assert_no_error (r);

  /* Released and asked for again, still playing: a new stream. */
  gst_pad_remove_probe (sinkpad, probe);
  gst_pad_unlink (pad, sinkpad);
  gst_element_release_request_pad (r->src, pad);
  gst_object_unref (pad);
  memset (&seen2, 0, sizeof (seen2));
  g_mutex_init (&seen2.lock);
  gst_pad_add_probe (sinkpad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM |
      GST_PAD_PROBE_TYPE_BUFFER, on_subtitle_data, &seen2, NULL);
  pad = gst_element_request_pad (r->src,
      gst_element_get_pad_template (r->src, "subtitle_src"), NULL, NULL);
  fail_unless (pad != NULL);
  fail_unless_equals_int (gst_pad_link (pad, sinkpad), GST_PAD_LINK_OK);
  g_signal_emit_by_name (r->src, "queue-utterance", "Captions again",
      "three");
  s = wait_message (r, "cartesia-utterance-finished", "three", 8000);
  gst_structure_free (s);
  for (i = 0; i < 200; i++) {
    g_mutex_lock (&seen2.lock);
    if (seen2.buffers >= 2) {
      g_mutex_unlock (&seen2.lock);
      break;
    }
    g_mutex_unlock (&seen2.lock);
    g_usleep (10000);
  }
  g_mutex_lock (&seen2.lock);
  fail_unless (seen2.stream_start && seen2.caps && seen2.segment);
  fail_unless (!seen2.data_before_headers);
  fail_unless (seen2.buffers >= 2, "%u caption buffers", seen2.buffers);
  g_mutex_unlock (&seen2.lock);
  assert_no_error (r);

  test_set_state_bounded (r->pipeline, GST_STATE_NULL, 5000);
  gst_element_release_request_pad (r->src, pad);
  gst_object_unref (pad);
  gst_object_unref (sinkpad);
  g_mutex_clear (&seen.lock);
  g_mutex_clear (&seen2.lock);
  rig_free (r, TRUE);
}

GST_END_TEST;

/* ---- 6. runaway settings ---- */

/* retries=-1 with no backoff and the server down spun a core with no
 * warning.  Now a warning at start, and at most one attempt per 100 ms
 * after the third. */
GST_START_TEST (test_retries_forever_no_spin)
{
  CartesiaEmulator *emu = test_emulator_new ();
  guint port = cartesia_emulator_get_port (emu);
  g_autofree gchar *url = g_strdup_printf ("http://127.0.0.1:%u", port);
  Rig *r;
  GstStructure *stats;
  guint retries = 0;
  GError *e;

  cartesia_emulator_free (emu);         /* nothing listens there now */
  r = rig_new_with (NULL, NULL, TRUE, "retries=-1;retry-backoff-factor=0");
  g_object_set (r->src, "base-url", url, NULL);
  rig_play (r);
  e = wait_warning (r, "retries=-1 without a backoff", 2000);
  fail_unless (g_error_matches (e, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS));
  g_error_free (e);
  g_signal_emit_by_name (r->src, "queue-utterance", "Anyone there?", "lost");
  g_usleep (2 * G_USEC_PER_SEC);
  g_object_get (r->src, "stats", &stats, NULL);
  fail_unless (gst_structure_get_uint (stats, "retries", &retries));
  gst_structure_free (stats);
  /* 2 s at one per 100 ms, plus the first three: ~23.  It was thousands. */
  fail_unless (retries >= 5 && retries <= 60, "%u retries in 2 s", retries);
  assert_no_error (r);
  rig_free (r, TRUE);
}

GST_END_TEST;

/* A server that takes the handshake and drops the connection before any
 * output: the context was sent again on a new connection at once, as often
 * as retries allows (forever with -1).  Now the reconnects after the third
 * fruitless one wait as a connection retry does. */
GST_START_TEST (test_fruitless_reconnects_no_spin)
{
  Rig *r = rig_new (NULL, TRUE, "retries=-1;retry-backoff-factor=0");
  CartesiaEmulatorStats stats;

  test_emulator_set (r->emu, "drop-after-chunks", "0");
  rig_play (r);
  g_signal_emit_by_name (r->src, "queue-utterance", "Dropped each time",
      "dropped");
  g_usleep (2 * G_USEC_PER_SEC);
  stats = test_emulator_stats (r->emu);
  /* About 2 s / 100 ms, plus the first few. */
  fail_unless (stats.ws_connections >= 5 && stats.ws_connections <= 60,
      "%u connections in 2 s", stats.ws_connections);
  assert_no_error (r);
  rig_free (r, TRUE);
}

GST_END_TEST;

/* samplesperbuffer=G_MAXINT asked for 4 GB per buffer. */
GST_START_TEST (test_samplesperbuffer_bounded)
{
  GstElement *src = gst_element_factory_make ("cartesiattssrc", NULL);
  GParamSpecUInt *p = G_PARAM_SPEC_UINT (g_object_class_find_property
      (G_OBJECT_GET_CLASS (src), "samplesperbuffer"));

  fail_unless_equals_int (p->maximum, 480000);
  g_object_set (src, "samplesperbuffer", 480000, NULL);
  gst_object_unref (src);
}

GST_END_TEST;

/* ---- 7. silent drops ---- */

GST_START_TEST (test_empty_text_said)
{
  Rig *r = rig_new (NULL, TRUE, NULL);
  GstElement *src;
  GError *e;

  rig_play (r);
  g_signal_emit_by_name (r->src, "queue-utterance", NULL, "null");
  e = wait_warning (r, "no text", 2000);
  g_error_free (e);
  g_mutex_lock (&r->m.lock);
  g_ptr_array_set_size (r->m.warnings, 0);
  g_mutex_unlock (&r->m.lock);
  g_signal_emit_by_name (r->src, "queue-utterance", "", "empty");
  e = wait_warning (r, "no text", 2000);
  g_error_free (e);
  fail_if (test_messages_find (&r->m, "cartesia-utterance-queued", NULL));
  /* Clearing the text property is no request: no warning. */
  g_mutex_lock (&r->m.lock);
  g_ptr_array_set_size (r->m.warnings, 0);
  g_mutex_unlock (&r->m.lock);
  g_object_set (r->src, "text", NULL, NULL);
  g_usleep (100000);
  fail_unless_equals_int (r->m.warnings->len, 0);
  rig_free (r, TRUE);

  /* Non-live, queue-utterance does nothing: say so. */
  r = rig_new ("Hello", FALSE, NULL);
  src = r->src;
  g_signal_emit_by_name (src, "queue-utterance", "Not now", NULL);
  g_error_free (wait_warning (r, "live mode only", 1000));
  rig_free (r, TRUE);
}

GST_END_TEST;

/* The live queue had no bound. */
GST_START_TEST (test_max_queued)
{
  Rig *r = rig_new (NULL, TRUE, "max-queued=2");
  GstStructure *s;
  g_autofree gchar *reason = NULL;
  GError *e;

  test_emulator_set (r->emu, "first-chunk-delay-ms", "1500");
  rig_play (r);
  g_signal_emit_by_name (r->src, "queue-utterance", "One", "u1");
  g_signal_emit_by_name (r->src, "queue-utterance", "Two", "u2");
  g_signal_emit_by_name (r->src, "queue-utterance", "Three", "u3");
  s = wait_message (r, "cartesia-utterance-failed", "u3", 1000);
  reason = reason_of (s);
  gst_structure_free (s);
  fail_unless (strstr (reason, "queue is full (max-queued=2)"), "%s", reason);
  fail_if (test_messages_find (&r->m, "cartesia-utterance-queued", "u3"));
  e = wait_warning (r, "queue is full", 1000);
  fail_unless (g_error_matches (e, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_BUSY));
  g_error_free (e);
  /* The first two play; then there is room again. */
  s = wait_message (r, "cartesia-utterance-finished", "u1", 8000);
  gst_structure_free (s);
  g_signal_emit_by_name (r->src, "queue-utterance", "Four", "u4");
  s = wait_message (r, "cartesia-utterance-finished", "u2", 8000);
  gst_structure_free (s);
  s = wait_message (r, "cartesia-utterance-finished", "u4", 8000);
  gst_structure_free (s);
  assert_no_error (r);
  rig_free (r, TRUE);
}

GST_END_TEST;

/* max-queued checked and counted in two holds of the lock let two threads
 * queuing at once both pass the check: the bound could be exceeded. */
#define N_QUEUERS 8

typedef struct
{
  GstElement *src;
  guint n;
  gint *gate;
} Queuer;

static gpointer
queue_one (gpointer data)
{
  Queuer *q = data;
  g_autofree gchar *text = g_strdup_printf ("Number %u", q->n);
  g_autofree gchar *id = g_strdup_printf ("t%u", q->n);

  while (!g_atomic_int_get (q->gate))
    g_thread_yield ();
  g_signal_emit_by_name (q->src, "queue-utterance", text, id);
  return NULL;
}

GST_START_TEST (test_max_queued_threads)
{
  guint round;

  for (round = 0; round < 5; round++) {
    Rig *r = rig_new (NULL, TRUE, "max-queued=2");
    GThread *threads[N_QUEUERS];
    Queuer queuers[N_QUEUERS];
    gint gate = 0;
    guint k, queued = 0, refused = 0;
    gint64 end;

    test_emulator_set (r->emu, "first-chunk-delay-ms", "3000");
    rig_play (r);
    for (k = 0; k < N_QUEUERS; k++) {
      queuers[k].src = r->src;
      queuers[k].n = k;
      queuers[k].gate = &gate;
      threads[k] = g_thread_new ("queuer", queue_one, &queuers[k]);
    }
    g_atomic_int_set (&gate, 1);
    for (k = 0; k < N_QUEUERS; k++)
      g_thread_join (threads[k]);
    /* Every utterance was either queued or refused, once. */
    end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    do {
      queued = refused = 0;
      for (k = 0; k < N_QUEUERS; k++) {
        g_autofree gchar *id = g_strdup_printf ("t%u", k);

        if (test_messages_find (&r->m, "cartesia-utterance-queued", id))
          queued++;
        else if (test_messages_find (&r->m, "cartesia-utterance-failed", id))
          refused++;
      }
      if (queued + refused == N_QUEUERS)
        break;
      g_usleep (10000);
    } while (g_get_monotonic_time () < end);
    fail_unless_equals_int (queued + refused, N_QUEUERS);
    fail_unless_equals_int (queued, 2);
    rig_free (r, TRUE);
  }
}

GST_END_TEST;

/* ---- 8. an outage longer than the retries ---- */

/* Every utterance queued during a 5-second restart failed after the retry
 * budget (~3.5 s).  Now they wait for the server, up to max-wait-ms. */
GST_START_TEST (test_outage_waits)
{
  CartesiaEmulator *emu = test_emulator_new ();
  guint port = cartesia_emulator_get_port (emu);
  GError *error = NULL;
  Rig *r = rig_new_with (emu, NULL, TRUE, "retry-backoff-factor=0.25");
  GstStructure *s;

  rig_play (r);
  g_signal_emit_by_name (r->src, "queue-utterance", "Before", "before");
  s = wait_message (r, "cartesia-utterance-finished", "before", 8000);
  gst_structure_free (s);

  cartesia_emulator_free (emu);
  r->emu = NULL;
  g_signal_emit_by_name (r->src, "queue-utterance", "During", "during");
  g_usleep (5 * G_USEC_PER_SEC);
  fail_if (test_messages_find (&r->m, "cartesia-utterance-failed", NULL));
  r->emu = cartesia_emulator_new (TEST_API_KEY, port, &error);
  fail_unless (r->emu != NULL, "restart: %s", error ? error->message : "");
  s = wait_message (r, "cartesia-utterance-finished", "during", 15000);
  gst_structure_free (s);
  fail_if (test_messages_find (&r->m, "cartesia-utterance-failed", NULL));
  assert_no_error (r);
  rig_free (r, TRUE);
}

GST_END_TEST;

/* ... and past max-wait-ms they fail, with the connection's reason. */
GST_START_TEST (test_outage_deadline)
{
  CartesiaEmulator *emu = test_emulator_new ();
  guint port = cartesia_emulator_get_port (emu);
  g_autofree gchar *url = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_autofree gchar *reason = NULL;
  Rig *r;
  GstStructure *s;
  gint64 t0;

  cartesia_emulator_free (emu);
  r = rig_new_with (NULL, NULL, TRUE, "max-wait-ms=2500;retries=1");
  g_object_set (r->src, "base-url", url, NULL);
  rig_play (r);
  t0 = g_get_monotonic_time ();
  g_signal_emit_by_name (r->src, "queue-utterance", "Nobody hears", "gone");
  s = wait_message (r, "cartesia-utterance-failed", "gone", 15000);
  reason = reason_of (s);
  gst_structure_free (s);
  fail_unless (strstr (reason, "Could not connect"), "%s", reason);
  /* Not before the deadline; not long after it. */
  fail_unless (g_get_monotonic_time () - t0 >= 2500 * 1000);
  fail_unless (g_get_monotonic_time () - t0 < 12 * G_TIME_SPAN_SECOND);
  assert_no_error (r);
  rig_free (r, TRUE);
}

GST_END_TEST;

static Suite *
reliability_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-reliability");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_invalid_utf8_queued);
  tcase_add_test (tc, test_invalid_utf8_text_and_id);
  tcase_add_test (tc, test_huge_text_split);
  tcase_add_test (tc, test_huge_text_shared_socket);
  tcase_add_test (tc, test_stall_live);
  tcase_add_test (tc, test_stall_non_live);
  tcase_add_test (tc, test_ready_only_refused);
  tcase_add_test (tc, test_subtitle_pad_while_playing);
  tcase_add_test (tc, test_retries_forever_no_spin);
  tcase_add_test (tc, test_fruitless_reconnects_no_spin);
  tcase_add_test (tc, test_samplesperbuffer_bounded);
  tcase_add_test (tc, test_empty_text_said);
  tcase_add_test (tc, test_max_queued);
  tcase_add_test (tc, test_max_queued_threads);
  tcase_add_test (tc, test_outage_waits);
  tcase_add_test (tc, test_outage_deadline);
  return s;
}

GST_CHECK_MAIN (reliability);
