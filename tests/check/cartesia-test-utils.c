/* Helpers shared by the gst-check suites. */
#include "cartesia-test-utils.h"
#include <stdlib.h>
#include <string.h>

CartesiaEmulator *
test_emulator_new (void)
{
  GError *error = NULL;
  CartesiaEmulator *emu = cartesia_emulator_new (TEST_API_KEY, 0, &error);

  fail_unless (emu != NULL, "emulator: %s", error ? error->message : "?");
  /* CARTESIA_TEST_EMULATOR_LOG=1: what the emulator saw, on stderr. */
  if (g_getenv ("CARTESIA_TEST_EMULATOR_LOG"))
    cartesia_emulator_set_logging (emu, TRUE);
  return emu;
}

void
test_emulator_set (CartesiaEmulator * emu, const gchar * name,
    const gchar * value)
{
  GError *error = NULL;

  fail_unless (cartesia_emulator_set_option (emu, name, value, &error),
      "emulator option %s=%s: %s", name, value, error ? error->message : "?");
}

GstElement *
test_make_src (CartesiaEmulator * emu, const gchar * text)
{
  GstElement *src = gst_element_factory_make ("cartesiattssrc", NULL);

  fail_unless (src != NULL, "cartesiattssrc not found");
  g_object_set (src, "base-url", cartesia_emulator_get_base_url (emu),
      "api-key", TEST_API_KEY, "retry-backoff-factor", 0.0, NULL);
  if (text)
    g_object_set (src, "text", text, NULL);
  return src;
}

static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, TestRun * run)
{
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_READ);
  g_byte_array_append (run->audio, map.data, map.size);
  gst_buffer_unmap (buf, &map);
  g_ptr_array_add (run->buffers, gst_buffer_ref (buf));
  if (run->caps == NULL)
    run->caps = gst_pad_get_current_caps (pad);
}

void
test_run_pipeline (GstElement * src, const gchar * caps, guint timeout_s,
    TestRun * run)
{
  GstElement *pipeline = test_pipeline_new (src, caps);

  test_pipeline_run (pipeline, timeout_s, run);
  gst_object_unref (pipeline);
}

void
test_run_clear (TestRun * run)
{
  g_byte_array_unref (run->audio);
  g_ptr_array_unref (run->buffers);
  g_ptr_array_unref (run->warnings);
  g_ptr_array_unref (run->element_messages);
  gst_clear_caps (&run->caps);
  g_clear_error (&run->error);
  g_free (run->error_debug);
  if (run->error_details)
    gst_structure_free (run->error_details);
  memset (run, 0, sizeof (*run));
}

void
test_assert_audio (TestRun * run, const guint8 * expected, gsize len,
    gint rate, guint bpf)
{
  guint64 offset = 0;
  guint i;

  fail_unless (run->error == NULL, "unexpected error: %s",
      run->error ? run->error->message : "");
  fail_unless (run->eos);
  fail_unless_equals_uint64 (run->audio->len, len);
  fail_unless (memcmp (run->audio->data, expected, len) == 0,
      "audio differs from what the server sent");

  for (i = 0; i < run->buffers->len; i++) {
    GstBuffer *buf = g_ptr_array_index (run->buffers, i);
    guint64 n = gst_buffer_get_size (buf) / bpf;
    GstClockTime pts = gst_util_uint64_scale_int (offset, GST_SECOND, rate);
    GstClockTime end = gst_util_uint64_scale_int (offset + n, GST_SECOND, rate);

    fail_unless_equals_int (gst_buffer_get_size (buf) % bpf, 0);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (buf), offset);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (buf), offset + n);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), pts);
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (buf), end - pts);
    offset += n;
  }
}

GPtrArray *
test_emulator_requests (CartesiaEmulator * emu)
{
  gchar **texts = cartesia_emulator_dup_requests (emu);
  GPtrArray *requests = g_ptr_array_new_with_free_func ((GDestroyNotify)
      json_object_unref);
  guint i;

  for (i = 0; texts[i]; i++) {
    JsonNode *node = json_from_string (texts[i], NULL);

    fail_unless (node && JSON_NODE_HOLDS_OBJECT (node), "bad log entry %s",
        texts[i]);
    g_ptr_array_add (requests, json_object_ref (json_node_get_object (node)));
    json_node_unref (node);
  }
  g_strfreev (texts);
  return requests;
}

JsonObject *
test_request_body (GPtrArray * requests, guint n)
{
  JsonObject *entry;

  fail_unless (n < requests->len, "only %u requests", requests->len);
  entry = g_ptr_array_index (requests, n);
  fail_unless (json_object_has_member (entry, "body"));
  return json_object_get_object_member (entry, "body");
}

/* ---- Additions for the errors and stress suites ---- */

GstElement *
test_pipeline_new (GstElement * src, const gchar * caps)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *filter = gst_element_factory_make ("capsfilter", "filter");
  GstElement *sink = gst_element_factory_make ("fakesink", "sink");

  if (caps) {
    GstCaps *c = gst_caps_from_string (caps);
    g_object_set (filter, "caps", c, NULL);
    gst_caps_unref (c);
  }
  g_object_set (sink, "signal-handoffs", TRUE, "sync", FALSE, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, filter, sink, NULL);
  fail_unless (gst_element_link_many (src, filter, sink, NULL));
  return pipeline;
}

void
test_run_init (TestRun * run)
{
  memset (run, 0, sizeof (*run));
  run->audio = g_byte_array_new ();
  run->buffers = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_buffer_unref);
  run->warnings = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_error_free);
  run->element_messages = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_structure_free);
}

static void
collect_message (TestRun * run, GstMessage * msg)
{
  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_EOS:
      run->eos = TRUE;
      break;
    case GST_MESSAGE_ERROR:{
      const GstStructure *details = NULL;

      gst_message_parse_error (msg, &run->error, &run->error_debug);
      gst_message_parse_error_details (msg, &details);
      if (details)
        run->error_details = gst_structure_copy (details);
      break;
    }
    case GST_MESSAGE_WARNING:{
      GError *w = NULL;

      gst_message_parse_warning (msg, &w, NULL);
      g_ptr_array_add (run->warnings, w);
      break;
    }
    case GST_MESSAGE_ELEMENT:
      if (gst_message_get_structure (msg))
        g_ptr_array_add (run->element_messages,
            gst_structure_copy (gst_message_get_structure (msg)));
      break;
    default:
      break;
  }
}

void
test_pipeline_run (GstElement * pipeline, guint timeout_s, TestRun * run)
{
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GstBus *bus = gst_element_get_bus (pipeline);
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_TIME_SPAN_SECOND;
  gulong handler;

  fail_unless (sink != NULL, "not a test_pipeline_new() pipeline");
  test_run_init (run);
  handler = g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), run);

  run->state_change = gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while (!run->eos && run->error == NULL) {
    gint64 now = g_get_monotonic_time ();
    GstMessage *msg;

    fail_unless (now < deadline, "no EOS nor error after %u s", timeout_s);
    msg = gst_bus_timed_pop_filtered (bus, (deadline - now) * GST_USECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING |
        GST_MESSAGE_ELEMENT);
    if (msg == NULL)
      continue;
    collect_message (run, msg);
    gst_message_unref (msg);
  }
  fail_unless_equals_int (test_set_state_bounded (pipeline, GST_STATE_NULL,
          5000), GST_STATE_CHANGE_SUCCESS);
  g_signal_handler_disconnect (sink, handler);
  gst_object_unref (sink);
  gst_object_unref (bus);
}

struct _TestWatchdog
{
  GMutex lock;
  GCond cond;
  gboolean done;
  gint64 abort_at;
  gchar *what;
  GThread *thread;
};

static gpointer
watchdog_thread (gpointer data)
{
  TestWatchdog *w = data;

  g_mutex_lock (&w->lock);
  while (!w->done) {
    if (!g_cond_wait_until (&w->cond, &w->lock, w->abort_at) && !w->done) {
      /* A hang would otherwise only show as the check timeout, without
       * saying what hung. */
      g_printerr ("\n*** HANG: %s has not returned after the watchdog's "
          "limit; aborting ***\n", w->what);
      abort ();
    }
  }
  g_mutex_unlock (&w->lock);
  return NULL;
}

TestWatchdog *
test_watchdog_start (guint abort_ms, const gchar * format, ...)
{
  TestWatchdog *w = g_new0 (TestWatchdog, 1);
  va_list args;

  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  va_start (args, format);
  w->what = g_strdup_vprintf (format, args);
  va_end (args);
  w->abort_at = g_get_monotonic_time () +
      (gint64) abort_ms * G_TIME_SPAN_MILLISECOND;
  w->thread = g_thread_new ("test-watchdog", watchdog_thread, w);
  return w;
}

void
test_watchdog_stop (TestWatchdog * w)
{
  g_mutex_lock (&w->lock);
  w->done = TRUE;
  g_cond_signal (&w->cond);
  g_mutex_unlock (&w->lock);
  g_thread_join (w->thread);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  g_free (w->what);
  g_free (w);
}

GstStateChangeReturn
test_set_state_bounded (GstElement * element, GstState state, guint max_ms)
{
  TestWatchdog *w;
  GstStateChangeReturn ret;
  gint64 start, elapsed_ms;

  start = g_get_monotonic_time ();
  w = test_watchdog_start (2 * max_ms + 5000, "gst_element_set_state (%s, %s)",
      GST_OBJECT_NAME (element), gst_element_state_get_name (state));
  ret = gst_element_set_state (element, state);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  test_watchdog_stop (w);

  fail_unless (elapsed_ms <= max_ms, "gst_element_set_state (%s, %s) took %"
      G_GINT64_FORMAT " ms (limit %u ms)", GST_OBJECT_NAME (element),
      gst_element_state_get_name (state), elapsed_ms, max_ms);
  return ret;
}

gboolean
test_emulator_wait_closed (CartesiaEmulator * emu, guint timeout_ms,
    CartesiaEmulatorStats * stats)
{
  gint64 deadline = g_get_monotonic_time () +
      timeout_ms * G_TIME_SPAN_MILLISECOND;
  CartesiaEmulatorStats s;

  for (;;) {
    cartesia_emulator_get_stats (emu, &s);
    if (s.open_connections == 0 || g_get_monotonic_time () >= deadline)
      break;
    g_usleep (5000);
  }
  if (stats)
    *stats = s;
  return s.open_connections == 0;
}

GSocket *
test_listen_silent (gchar ** base_url)
{
  GError *error = NULL;
  GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, &error);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0);
  GSocketAddress *local;

  fail_unless (sock != NULL, "socket: %s", error ? error->message : "?");
  fail_unless (g_socket_bind (sock, addr, FALSE, &error), "bind: %s",
      error ? error->message : "?");
  fail_unless (g_socket_listen (sock, &error), "listen: %s",
      error ? error->message : "?");
  g_socket_set_blocking (sock, FALSE);
  local = g_socket_get_local_address (sock, &error);
  fail_unless (local != NULL);
  *base_url = g_strdup_printf ("http://127.0.0.1:%u",
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));
  g_object_unref (local);
  g_object_unref (addr);
  g_object_unref (lo);
  return sock;
}

gboolean
test_listen_silent_was_contacted (GSocket * sock)
{
  GError *error = NULL;
  GSocket *conn = g_socket_accept (sock, NULL, &error);

  if (conn) {
    g_socket_close (conn, NULL);
    g_object_unref (conn);
    return TRUE;
  }
  fail_unless (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK),
      "accept: %s", error->message);
  g_error_free (error);
  return FALSE;
}

/* Static pad templates for the harness, one per caps string, kept (and
 * reachable) for the life of the process as static templates are. */
#define MAX_TEMPLATES 8
static GstStaticPadTemplate harness_templates[MAX_TEMPLATES];
static gchar *harness_caps[MAX_TEMPLATES];
static GMutex harness_lock;
/* The harness makes an (unlinked) source pad too: it sees a sink template. */
static GstStaticPadTemplate harness_text_src = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

/* The harness's sink template for @caps. */
static GstStaticPadTemplate *
harness_template (const gchar * caps)
{
  GstStaticPadTemplate *templ = NULL;
  guint i;

  g_mutex_lock (&harness_lock);
  for (i = 0; i < MAX_TEMPLATES && templ == NULL; i++) {
    if (harness_caps[i] == NULL) {
      harness_caps[i] = g_strdup (caps);
      harness_templates[i].name_template = "sink";
      harness_templates[i].direction = GST_PAD_SINK;
      harness_templates[i].presence = GST_PAD_ALWAYS;
      harness_templates[i].static_caps.string = harness_caps[i];
    }
    if (g_str_equal (harness_caps[i], caps))
      templ = &harness_templates[i];
  }
  g_mutex_unlock (&harness_lock);
  fail_unless (templ != NULL, "too many harness caps");
  return templ;
}

GstHarness *
test_harness_new_src (GstElement * src, const gchar * caps)
{
  return gst_harness_new_full (src, &harness_text_src, NULL,
      harness_template (caps), "src");
}

GstHarness *
test_harness_new_text (GstElement * src, const gchar * audio_caps,
    const gchar * text_caps)
{
  GstHarness *h = gst_harness_new_full (src, &harness_text_src, "sink",
      harness_template (audio_caps), "src");

  if (text_caps)
    gst_harness_set_src_caps_str (h, text_caps);
  return h;
}

void
test_set_props (GstElement * element, const gchar * props)
{
  gchar **kvs, **kv;

  if (props == NULL)
    return;
  kvs = g_strsplit (props, ";", -1);
  for (kv = kvs; *kv; kv++) {
    gchar **p = g_strsplit (*kv, "=", 2);

    fail_unless (p[0] && p[1], "not name=value: '%s'", *kv);
    gst_util_set_object_arg (G_OBJECT (element), p[0], p[1]);
    g_strfreev (p);
  }
  g_strfreev (kvs);
}

void
test_take_audio (GByteArray * audio, GPtrArray * buffers, GstBuffer * buf)
{
  GstMapInfo map;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  g_byte_array_append (audio, map.data, map.size);
  gst_buffer_unmap (buf, &map);
  if (buffers)
    g_ptr_array_add (buffers, buf);
  else
    gst_buffer_unref (buf);
}

GPtrArray *
test_emulator_bodies_with (CartesiaEmulator * emu, const gchar * member)
{
  GPtrArray *requests = test_emulator_requests (emu);
  GPtrArray *bodies = g_ptr_array_new_with_free_func ((GDestroyNotify)
      json_object_unref);
  guint i;

  for (i = 0; i < requests->len; i++) {
    JsonObject *entry = g_ptr_array_index (requests, i);
    JsonObject *body;

    if (!json_object_has_member (entry, "body"))
      continue;
    body = json_object_get_object_member (entry, "body");
    if (body && json_object_has_member (body, member))
      g_ptr_array_add (bodies, json_object_ref (body));
  }
  g_ptr_array_unref (requests);
  return bodies;
}

static GstBusSyncReply
test_messages_collect (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  TestMessages *m = user_data;
  const GstStructure *s = gst_message_get_structure (msg);
  GError *e = NULL;

  g_mutex_lock (&m->lock);
  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ELEMENT:
      if (s)
        g_ptr_array_add (m->messages, gst_structure_copy (s));
      break;
    case GST_MESSAGE_WARNING:
      gst_message_parse_warning (msg, &e, NULL);
      GST_INFO ("WARNING: %s", e->message);
      g_ptr_array_add (m->warnings, e);
      break;
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (msg, &e, NULL);
      GST_INFO ("ERROR: %s", e->message);
      if (m->error == NULL)
        m->error = e;
      else
        g_error_free (e);
      break;
    default:
      break;
  }
  g_mutex_unlock (&m->lock);
  return GST_BUS_PASS;
}

void
test_messages_attach (TestMessages * m, GstElement * element)
{
  g_mutex_init (&m->lock);
  m->messages = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_structure_free);
  m->warnings = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_error_free);
  m->error = NULL;
  m->bus = gst_bus_new ();
  gst_bus_set_sync_handler (m->bus, test_messages_collect, m, NULL);
  gst_element_set_bus (element, m->bus);
}

void
test_messages_detach (TestMessages * m, GstElement * element)
{
  gst_element_set_bus (element, NULL);
  gst_bus_set_sync_handler (m->bus, NULL, NULL, NULL);
  gst_bus_set_flushing (m->bus, TRUE);
  gst_object_unref (m->bus);
  g_ptr_array_unref (m->messages);
  g_ptr_array_unref (m->warnings);
  g_clear_error (&m->error);
  g_mutex_clear (&m->lock);
}

GstStructure *
test_messages_find (TestMessages * m, const gchar * name, const gchar * id)
{
  GstStructure *found = NULL;
  guint i;

  g_mutex_lock (&m->lock);
  for (i = 0; i < m->messages->len && !found; i++) {
    GstStructure *s = g_ptr_array_index (m->messages, i);

    if (gst_structure_has_name (s, name) && (id == NULL
            || g_strcmp0 (gst_structure_get_string (s, "id"), id) == 0))
      found = s;
  }
  g_mutex_unlock (&m->lock);
  return found;
}

void
test_destroyed_on_unref (gpointer object)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_TIME_SPAN_SECOND;

  while (GST_OBJECT_REFCOUNT_VALUE (object) > 1
      && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  gst_check_object_destroyed_on_unref (object);
}

CartesiaEmulatorStats
test_emulator_stats (CartesiaEmulator * emu)
{
  CartesiaEmulatorStats stats;

  cartesia_emulator_get_stats (emu, &stats);
  return stats;
}

guint64
test_bytes_received (GstElement * src)
{
  GstStructure *stats = NULL;
  guint64 bytes = 0;

  g_object_get (src, "stats", &stats, NULL);
  fail_unless (stats != NULL);
  fail_unless (gst_structure_get_uint64 (stats, "bytes-received", &bytes));
  gst_structure_free (stats);
  return bytes;
}

guint8 *
test_render (const gchar * text, gint rate, gsize * len)
{
  guint8 *audio = cartesia_emulator_render (text, "pcm_s16le", rate, len);

  fail_unless (audio != NULL, "the emulator cannot render '%s'", text);
  return audio;
}

guint64
test_byte_at (GstClockTime rt, gint rate)
{
  return gst_util_uint64_scale_round (rt, rate, GST_SECOND) * 2;
}

GstBuffer *
test_text_buffer (const gchar * text, GstClockTime pts, GstClockTime duration)
{
  GstBuffer *buf = gst_buffer_new_memdup (text, strlen (text));

  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = duration;
  return buf;
}

void
test_push_cue (GstHarness * h, const gchar * text, GstClockTime pts,
    GstClockTime duration)
{
  fail_unless_equals_int (gst_harness_push (h, test_text_buffer (text, pts,
              duration)), GST_FLOW_OK);
}

void
test_push_token (GstHarness * h, const gchar * text)
{
  test_push_cue (h, text, GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE);
}

void
test_log_scan_text (TestLogScan * scan, const gchar * where,
    const gchar * text)
{
  guint i;

  if (text == NULL)
    return;
  for (i = 0; scan->secrets[i]; i++) {
    if (strstr (text, scan->secrets[i])) {
      g_mutex_lock (&scan->lock);
      g_ptr_array_add (scan->leaks, g_strdup_printf ("%s: %s", where, text));
      g_mutex_unlock (&scan->lock);
    }
  }
}

static void
log_scan_line (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  TestLogScan *scan = user_data;
  const gchar *name = gst_debug_category_get_name (category);
  gchar *text = gst_debug_log_get_line (category, level, file, function,
      line, object, message);

  test_log_scan_text (scan, "log", text);
  g_mutex_lock (&scan->lock);
  scan->lines++;
  if (g_str_equal (name, "cartesiattssrc"))
    scan->element_lines++;
  else if (g_str_equal (name, "cartesiasession"))
    scan->session_lines++;
  if (scan->marker && strstr (text, scan->marker))
    scan->markers++;
  g_mutex_unlock (&scan->lock);
  g_free (text);
}

void
test_log_scan_start (TestLogScan * scan, const gchar * const *secrets,
    const gchar * marker, GstDebugLevel level)
{
  memset (scan, 0, sizeof (*scan));
  g_mutex_init (&scan->lock);
  scan->secrets = secrets;
  scan->marker = marker;
  scan->leaks = g_ptr_array_new_with_free_func (g_free);
  gst_debug_set_active (TRUE);
  gst_debug_set_default_threshold (level);
  gst_debug_add_log_function (log_scan_line, scan, NULL);
  gst_debug_remove_log_function (gst_debug_log_default);
}

void
test_log_scan_stop (TestLogScan * scan)
{
  gst_debug_add_log_function (gst_debug_log_default, NULL, NULL);
  gst_debug_remove_log_function (log_scan_line);
  gst_debug_set_default_threshold (GST_LEVEL_NONE);
}

void
test_log_scan_clear (TestLogScan * scan)
{
  g_clear_pointer (&scan->leaks, g_ptr_array_unref);
  g_mutex_clear (&scan->lock);
}

/* Releases the streaming thread's next clock wait (60 s at most for it to
 * begin), the test clock moved to its time; returns the clock's time.  The
 * wait may be gone by then: audio for an idle source cuts it short
 * (unschedules it), and the thread went on without the clock. */
GstClockTime
test_clock_crank (GstTestClock * clock)
{
  GstClockID pending, done;

  fail_unless (gst_test_clock_timed_wait_for_multiple_pending_ids (clock, 1,
          60000, NULL), "no clock wait in 60 s");
  if (gst_test_clock_peek_next_pending_id (clock, &pending)) {
    GstClockTime t = gst_clock_id_get_time (pending);

    if (t > gst_clock_get_time (GST_CLOCK (clock)))
      gst_test_clock_set_time (clock, t);
    gst_clock_id_unref (pending);
    done = gst_test_clock_process_next_clock_id (clock);
    if (done)
      gst_clock_id_unref (done);
  }
  return gst_clock_get_time (GST_CLOCK (clock));
}
