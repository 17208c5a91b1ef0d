/* cartesiattssrc in live mode for a minute and a half of chaos, in real
 * time (issue 19's soak):
 *
 *   cartesiattssrc is-live=true ! capsfilter ! fakesink
 *
 * An utterance is queued every second for 60 s while the emulator (real-time
 * pacing) is killed and restarted on the same port, stalls generations,
 * drops connections, refuses handshakes with 503, and the application sends
 * a huge text, invalid UTF-8 and empty text.  Asserted: no ERROR ever; the
 * source's buffers are contiguous (each starts where the last ended) and
 * keep coming; every utterance finishes, or fails with the reason its phase
 * allows (a stall, a dropped connection), within its deadline; the huge text
 * and the invalid one are spoken; RSS and the thread count stay flat.
 */
#include "cartesia-test-utils.h"

#include <stdio.h>
#include <string.h>

/* Under AddressSanitizer, freed memory waits in a quarantine (256 MB by
 * default) before it is reused, which RSS counts: keep it small, so that
 * RSS measures what the element holds.  ASAN_OPTIONS from the environment
 * still add to and override this. */
#if defined(__SANITIZE_ADDRESS__)
const char *__asan_default_options (void);
const char *
__asan_default_options (void)
{
  return "quarantine_size_mb=4:thread_local_quarantine_size_kb=64";
}
#endif

#define RATE 8000
#define SPB 160                 /* 20 ms buffers */
#define CAPS "audio/x-raw,format=S16LE,rate=8000"
#define SECONDS 60
/* The latest an utterance may resolve after it was queued: max-wait-ms,
 * plus a generous margin for a loaded machine. */
#define MAX_WAIT_MS 20000
#define DEADLINE_US ((MAX_WAIT_MS + 20000) * (gint64) 1000)

typedef enum
{
  PHASE_NORMAL,
  PHASE_DOWN,                   /* the emulator is gone */
  PHASE_STALL,                  /* generations stall after a chunk */
  PHASE_DROP,                   /* connections drop after a chunk */
  PHASE_REFUSE,                 /* handshakes answered 503 */
} Phase;

typedef struct
{
  gchar *id;
  Phase phase;
  gint64 queued_at;
  gint64 resolved_at;           /* when finished or failed was seen; 0 */
  gchar *failure;               /* the reason, when it failed */
} Queued;

/* Notes when each utterance finished or failed (to within the 20 ms this
 * is called at); TRUE when all did. */
static gboolean
poll_resolved (TestMessages * m, GPtrArray * queued)
{
  gint64 now = g_get_monotonic_time ();
  gboolean all = TRUE;
  guint i;

  for (i = 0; i < queued->len; i++) {
    Queued *q = g_ptr_array_index (queued, i);
    GstStructure *s;

    if (q->resolved_at)
      continue;
    if (test_messages_find (m, "cartesia-utterance-finished", q->id)) {
      q->resolved_at = now;
    } else if ((s = test_messages_find (m, "cartesia-utterance-failed",
                q->id))) {
      g_mutex_lock (&m->lock);
      q->failure = g_strdup (gst_structure_get_string (s, "reason"));
      g_mutex_unlock (&m->lock);
      q->resolved_at = now;
    } else {
      all = FALSE;
    }
  }
  return all;
}

/* Sleeps until @until (monotonic µs), watching for resolved utterances. */
static void
sleep_watching (TestMessages * m, GPtrArray * queued, gint64 until)
{
  while (g_get_monotonic_time () < until) {
    poll_resolved (m, queued);
    g_usleep (20000);
  }
}

typedef struct
{
  GMutex lock;
  guint64 buffers;
  GstClockTime next_pts;
  gchar *gap;                   /* the first discontinuity, if any */
  gint64 last_buffer_at;
  gint64 longest_pause_us;      /* real time between two buffers */
} Flow;

static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, Flow * f)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&f->lock);
  if (f->buffers > 0 && GST_BUFFER_PTS (buf) != f->next_pts && !f->gap)
    f->gap = g_strdup_printf ("buffer %" G_GUINT64_FORMAT " at %"
        GST_TIME_FORMAT ", expected %" GST_TIME_FORMAT, f->buffers,
        GST_TIME_ARGS (GST_BUFFER_PTS (buf)), GST_TIME_ARGS (f->next_pts));
  f->next_pts = GST_BUFFER_PTS (buf) + GST_BUFFER_DURATION (buf);
  if (f->buffers > 0)
    f->longest_pause_us = MAX (f->longest_pause_us, now - f->last_buffer_at);
  f->last_buffer_at = now;
  f->buffers++;
  g_mutex_unlock (&f->lock);
}

/* VmRSS (kB) and Threads of this process. */
static void
read_status (guint64 * rss_kb, guint * threads)
{
  gchar *status = NULL, **lines, **l;

  fail_unless (g_file_get_contents ("/proc/self/status", &status, NULL,
          NULL));
  lines = g_strsplit (status, "\n", -1);
  for (l = lines; *l; l++) {
    if (g_str_has_prefix (*l, "VmRSS:"))
      *rss_kb = g_ascii_strtoull (*l + 6, NULL, 10);
    else if (g_str_has_prefix (*l, "Threads:"))
      *threads = (guint) g_ascii_strtoull (*l + 8, NULL, 10);
  }
  g_strfreev (lines);
  g_free (status);
}

static void
set (CartesiaEmulator * emu, const gchar * name, const gchar * value)
{
  if (emu)
    test_emulator_set (emu, name, value);
}

static void
emu_defaults (CartesiaEmulator * emu)
{
  set (emu, "reset", "1");
  set (emu, "pacing", "realtime");
  set (emu, "chunk-bytes", "1600");     /* 100 ms per chunk */
}

static gchar *
huge_text (void)
{
  GString *s = g_string_new (NULL);
  guint n = 0;

  while (s->len < 20 * 1000)
    g_string_append_printf (s, "Part %u of a very long bulletin. ", n++);
  return g_string_free (s, FALSE);
}

/* When each phase began and ended (monotonic µs; 0: not yet). */
static gint64 phase_begin[PHASE_REFUSE + 1], phase_end[PHASE_REFUSE + 1];

static gboolean
overlaps (Queued * q, Phase phase)
{
  return phase_begin[phase] && q->queued_at <= phase_end[phase]
      && q->resolved_at >= phase_begin[phase];
}

/* A failed utterance's reason is right if, while it waited or spoke, the
 * server did what the reason says: a stall, or a connection dropped (or
 * the server killed). */
static gboolean
reason_allowed (Queued * q)
{
  if (strstr (q->failure, "stalled"))
    return overlaps (q, PHASE_STALL);
  if (strstr (q->failure, "lost in the middle"))
    return overlaps (q, PHASE_DROP) || overlaps (q, PHASE_DOWN);
  return FALSE;
}

static void
enter_phase (Phase * current, Phase next)
{
  gint64 now = g_get_monotonic_time ();

  if (*current != PHASE_NORMAL)
    phase_end[*current] = now;
  if (next != PHASE_NORMAL)
    phase_begin[next] = now;
  *current = next;
}

GST_START_TEST (test_chaos_soak)
{
  CartesiaEmulator *emu = test_emulator_new ();
  guint port = cartesia_emulator_get_port (emu);
  GstElement *src = test_make_src (emu, NULL);
  GstElement *pipeline, *sink;
  TestMessages m;
  Flow flow = { 0, };
  GPtrArray *queued = g_ptr_array_new ();
  g_autofree gchar *huge = huge_text ();
  guint64 rss_start = 0, rss_end = 0, buffers = 0;
  gint64 longest_pause_us = 0;
  guint threads_start = 0, threads_end = 0, second, i;
  guint finished = 0, failed = 0;
  gint64 start, end;
  Phase phase = PHASE_NORMAL;

  g_mutex_init (&flow.lock);
  emu_defaults (emu);
  g_object_set (src, "is-live", TRUE, "samplesperbuffer", SPB,
      "stall-timeout-ms", 1500, "max-wait-ms", MAX_WAIT_MS,
      "retry-backoff-factor", 0.1, "retry-backoff-max", 1.0, "timeout", 8,
      NULL);
  pipeline = test_pipeline_new (src, CAPS);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), &flow);
  test_messages_attach (&m, pipeline);
  fail_if (test_set_state_bounded (pipeline, GST_STATE_PLAYING, 5000) ==
      GST_STATE_CHANGE_FAILURE);

  start = g_get_monotonic_time ();
  for (second = 0; second < SECONDS; second++) {
    Queued *q;

    /* The chaos of this second. */
    switch (second) {
      case 8:                  /* after warm-up: the baseline */
        read_status (&rss_start, &threads_start);
        break;
      case 10:
        cartesia_emulator_free (emu);
        emu = NULL;
        enter_phase (&phase, PHASE_DOWN);
        break;
      case 15:{
        GError *error = NULL;

        emu = cartesia_emulator_new (TEST_API_KEY, port, &error);
        fail_unless (emu != NULL, "restart: %s", error ? error->message : "");
        emu_defaults (emu);
        enter_phase (&phase, PHASE_NORMAL);
        break;
      }
      case 20:
        set (emu, "stall-after-chunks", "1");
        enter_phase (&phase, PHASE_STALL);
        break;
      case 25:
        set (emu, "stall-after-chunks", "-1");
        enter_phase (&phase, PHASE_NORMAL);
        break;
      case 30:
        set (emu, "drop-after-chunks", "2");
        enter_phase (&phase, PHASE_DROP);
        break;
      case 34:
        set (emu, "drop-after-chunks", "-1");
        enter_phase (&phase, PHASE_NORMAL);
        break;
      case 40:
        /* Handshakes refused; the idle socket closes, so the next
         * utterance needs a new one. */
        set (emu, "http-status", "503");
        set (emu, "idle-timeout-ms", "300");
        enter_phase (&phase, PHASE_REFUSE);
        break;
      case 44:
        emu_defaults (emu);
        enter_phase (&phase, PHASE_NORMAL);
        break;
      default:
        break;
    }

    q = g_new0 (Queued, 1);
    q->id = g_strdup_printf ("u%u", second);
    q->phase = phase;
    q->queued_at = g_get_monotonic_time ();
    g_ptr_array_add (queued, q);
    if (second == 36) {
      g_signal_emit_by_name (src, "queue-utterance", huge, q->id);
    } else if (second == 48) {
      g_signal_emit_by_name (src, "queue-utterance", "Caf\xe9 \xff menu",
          q->id);
    } else {
      g_autofree gchar *text = g_strdup_printf ("Number %u", second);

      g_signal_emit_by_name (src, "queue-utterance", text, q->id);
    }
    if (second == 50)
      g_signal_emit_by_name (src, "queue-utterance", "", "empty");

    /* The huge one plays a few seconds, then is interrupted (it would
     * speak for minutes). */
    if (second == 39)
      g_signal_emit_by_name (src, "interrupt");

    sleep_watching (&m, queued, start + (second + 1) * G_USEC_PER_SEC);
  }

  /* Every utterance resolves within its deadline. */
  while (!poll_resolved (&m, queued) && g_get_monotonic_time () <
      ((Queued *) g_ptr_array_index (queued, queued->len - 1))->queued_at +
      DEADLINE_US)
    g_usleep (20000);
  for (i = 0; i < queued->len; i++) {
    Queued *q = g_ptr_array_index (queued, i);

    fail_unless (q->resolved_at != 0 && q->resolved_at <= q->queued_at +
        DEADLINE_US, "%s (phase %d) neither finished nor failed within %"
        G_GINT64_FORMAT " s", q->id, q->phase, DEADLINE_US / G_USEC_PER_SEC);
    if (q->failure) {
      fail_unless (reason_allowed (q), "%s (queued in phase %d) failed: %s",
          q->id, q->phase, q->failure);
      failed++;
    } else {
      finished++;
    }
  }
  end = g_get_monotonic_time ();
  read_status (&rss_end, &threads_end);

  /* The huge text and the invalid one were spoken (the huge one until the
   * interrupt); the empty one was refused, out loud. */
  fail_unless (test_messages_find (&m, "cartesia-utterance-started", "u36"));
  fail_unless (test_messages_find (&m, "cartesia-utterance-finished", "u48"));
  fail_if (test_messages_find (&m, "cartesia-utterance-queued", "empty"));

  g_mutex_lock (&m.lock);
  fail_unless (m.error == NULL, "ERROR: %s", m.error ? m.error->message : "");
  g_mutex_unlock (&m.lock);

  g_mutex_lock (&flow.lock);
  fail_unless (flow.gap == NULL, "timestamp gap: %s", flow.gap);
  /* The output kept coming: about one buffer per 20 ms all along. */
  fail_unless (flow.buffers >= (guint64) ((end - start) / 20000) * 8 / 10,
      "%" G_GUINT64_FORMAT " buffers in %" G_GINT64_FORMAT " ms",
      flow.buffers, (end - start) / 1000);
  fail_unless (flow.longest_pause_us < 2 * G_USEC_PER_SEC,
      "the output stopped for %" G_GINT64_FORMAT " ms",
      flow.longest_pause_us / 1000);
  /* The figures printed below, as they were here: the sink still plays. */
  buffers = flow.buffers;
  longest_pause_us = flow.longest_pause_us;
  g_mutex_unlock (&flow.lock);

  /* Flat: a few MB of slack for allocator noise (and ASan's quarantine),
   * no thread left behind. */
  fail_unless (rss_end < rss_start + 24 * 1024, "RSS %" G_GUINT64_FORMAT
      " kB -> %" G_GUINT64_FORMAT " kB", rss_start, rss_end);
  fail_unless (threads_end <= threads_start + 2, "threads %u -> %u",
      threads_start, threads_end);

  printf ("chaos soak: %u utterances, %u finished, %u failed (stall/drop), "
      "%" G_GUINT64_FORMAT " buffers in %.1f s, longest pause %" G_GINT64_FORMAT
      " ms, RSS %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT " kB, threads "
      "%u -> %u\n", queued->len, finished, failed, buffers,
      (end - start) / 1e6, longest_pause_us / 1000, rss_start, rss_end,
      threads_start, threads_end);

  test_set_state_bounded (pipeline, GST_STATE_NULL, 5000);
  test_messages_detach (&m, pipeline);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  for (i = 0; i < queued->len; i++) {
    Queued *q = g_ptr_array_index (queued, i);

    g_free (q->id);
    g_free (q->failure);
    g_free (q);
  }
  g_ptr_array_unref (queued);
  g_free (flow.gap);
  g_mutex_clear (&flow.lock);
  if (emu)
    cartesia_emulator_free (emu);
}

GST_END_TEST;

static Suite *
chaos_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-chaos");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 400);
  tcase_add_test (tc, test_chaos_soak);
  return s;
}

GST_CHECK_MAIN (chaos);
