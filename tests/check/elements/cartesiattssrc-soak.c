/* cartesiattssrc in live mode: a 10-minute soak in emulated time.
 *
 *   audiotestsrc is-live=true wave=sine ! capsfilter ! audiomixer ! capsfilter ! fakesink
 *   cartesiattssrc is-live=true          ! capsfilter ! audiomixer.
 *   cartesiattssrc.subtitle_src          ! fakesink
 *
 * The pipeline runs on a GstTestClock that this test drives, so ten minutes
 * of audio take a few seconds.  An utterance is queued every five seconds of
 * that timeline; the emulator answers at once (pacing=instant).
 *
 * Driving several live sources and an aggregator on one test clock: a
 * GstTestClock releases a wait only when the test processes it, however late
 * the clock is.  Each step waits until both sources wait (each has at most
 * one wait pending, at the end of a buffer), moves the clock to the earlier
 * of the two and releases the sources waiting there -- never anything else.
 * The aggregator's own waits (its timeout, at output position + latency) are
 * never released: the aggregator unschedules them itself as soon as data
 * arrives on a pad, so it never times out and never mixes with a pad
 * missing, and the clock never passes a time at which a source has not
 * delivered.  The two kinds of waits are told apart by their times: the
 * sources wait on multiples of a buffer duration, the aggregator (given a
 * latency of half a buffer) half-way between.  One more case: an idle
 * cartesiattssrc stops waiting by itself when the first audio of an
 * utterance arrives (it makes that buffer at once); its wait then vanishes
 * before the test releases it, which is accepted only at an utterance's
 * slot.
 *
 * Real time barely passes, so the clock is held at an utterance's slot until
 * its audio has reached the element: the emulator has sent all of it
 * (contexts_done), the element's session has decoded as many bytes as the
 * emulator sent (the "stats" property), and no byte is left in the loopback
 * sockets (/proc/net/tcp, for the final "done" message).  A fixed margin is
 * not enough: on a loaded machine the last frames of a generation sometimes
 * take 50-250 ms to arrive.
 *
 * Asserted: the source's buffers are stamped first + n * samplesperbuffer /
 * rate, exactly (drift 0 samples over 10 minutes), and it waits on the ends
 * of its buffers (nowhere else); every utterance is queued, started at the
 * running time it was due and finished after exactly its audio, in order
 * (queued, started, finished, next), with no
 * underrun, failure, warning or interruption; the mixer's output is
 * contiguous (PTS, duration, DISCONT on the first buffer only, never GAP);
 * audioaggregator logged no discont, resync (beyond each pad's first buffer)
 * or dropped samples; the subtitle pad carries each utterance's text at its
 * start and an empty buffer at its end, with GAP events filling the rest,
 * contiguous and never ahead of the audio. */
#include "cartesia-test-utils.h"

#include <gst/check/gsttestclock.h>
#include <stdio.h>
#include <string.h>

/* It installs a GStreamer log function: ASan must unwind fully. */
#include "cartesia-asan-full-unwind.h"

#define RATE 48000
#define SPB 960                 /* 20 ms buffers */
#define STEP ((GstClockTime) SPB * GST_SECOND / RATE)
#define CAPS "audio/x-raw,format=S16LE,layout=interleaved,channels=1,rate=48000"
#define SOAK_DURATION (600 * GST_SECOND)
#define FIRST_SLOT (2 * GST_SECOND)
#define PERIOD (5 * GST_SECOND)
#define N_UTTERANCES ((guint) ((SOAK_DURATION - FIRST_SLOT - 4 * GST_SECOND) / PERIOD + 1))

static const gchar *const announcements[] = {
  "Station ident",
  "Traffic: the ring road is clear",
  "Weather: sunny, twenty one degrees",
  "News at the top of the hour",
  "Coming up next, the late show",
  "You are listening to test radio",
  "Time check: it is half past",
};

typedef struct
{
  gchar *name;                  /* the message, or "warning" / "error" */
  gchar *id;
  GstClockTime running_time;
  guint64 duration;
  guint64 underrun;
  gboolean interrupted;
  gchar *text;
} Event;

typedef struct
{
  GstClockTime pts;
  gchar *text;
} Caption;

typedef struct
{
  CartesiaEmulator *emu;
  GstElement *pipeline;
  GstElement *tts;
  GstPad *subtitle_pad;
  GstClock *clock;
  GstTestClock *test_clock;
  GstBus *bus;
  GstClockTime base_time;

  GMutex lock;
  GPtrArray *events;            /* Event, in bus order */

  /* cartesiattssrc's src pad (its streaming thread) */
  guint64 tts_buffers;
  GstClockTime tts_first_pts;
  GstClockTime tts_last_pts;
  gchar *tts_error;             /* the first thing wrong, NULL when none */

  /* its subtitle_src pad (the same thread) */
  GPtrArray *captions;          /* Caption */
  GstClockTime caption_position;        /* where the text stream has got to */
  guint64 caption_gaps;
  gchar *caption_error;

  /* audiomixer's src pad (its streaming thread) */
  guint64 mix_buffers;
  guint64 mix_samples;
  GstClockTime mix_first_pts;
  gchar *mix_error;

  /* audioaggregator's log lines about discont, resync or drops */
  GPtrArray *agg_lines;

  /* the driver (the test's thread) */
  guint queued;                 /* utterances queued so far */
  guint to_receive;             /* wait for this many after the step */
  gint requests_at_once;        /* -1: not known yet */
  GstClockTime expected_start[N_UTTERANCES];
  gboolean proc_net_tcp;
  guint64 steps;
  guint64 polls;
  guint woken;                  /* source waits that ended by themselves */
  gint64 max_receive_us;
} Soak;

static void
event_free (gpointer data)
{
  Event *e = data;

  g_free (e->name);
  g_free (e->id);
  g_free (e->text);
  g_free (e);
}

static void
caption_free (gpointer data)
{
  Caption *c = data;

  g_free (c->text);
  g_free (c);
}

static GstBusSyncReply
on_sync_message (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  Soak *s = user_data;
  const GstStructure *st = gst_message_get_structure (msg);
  Event *e = NULL;

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT && st
      && g_str_has_prefix (gst_structure_get_name (st), "cartesia-")) {
    e = g_new0 (Event, 1);
    e->name = g_strdup (gst_structure_get_name (st));
    e->id = g_strdup (gst_structure_get_string (st, "id"));
    e->text = g_strdup (gst_structure_get_string (st, "text"));
    e->running_time = GST_CLOCK_TIME_NONE;
    gst_structure_get_uint64 (st, "running-time", &e->running_time);
    gst_structure_get_uint64 (st, "duration", &e->duration);
    gst_structure_get_uint64 (st, "underrun-duration", &e->underrun);
    gst_structure_get_boolean (st, "interrupted", &e->interrupted);
  } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING
      || GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err = NULL;

    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING)
      gst_message_parse_warning (msg, &err, NULL);
    else
      gst_message_parse_error (msg, &err, NULL);
    e = g_new0 (Event, 1);
    e->name = g_strdup (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING ?
        "warning" : "error");
    e->text = g_strdup_printf ("%s: %s", GST_MESSAGE_SRC_NAME (msg),
        err->message);
    e->running_time = GST_CLOCK_TIME_NONE;
    g_error_free (err);
  }
  if (e) {
    g_mutex_lock (&s->lock);
    g_ptr_array_add (s->events, e);
    g_mutex_unlock (&s->lock);
  }
  /* Left on the bus, which is flushed at the end (GST_BUS_DROP here leaked
   * under LeakSanitizer in the live suite). */
  return GST_BUS_PASS;
}

static gchar *
describe_events (Soak * s)
{
  GString *str = g_string_new ("");
  guint i;

  g_mutex_lock (&s->lock);
  for (i = s->events->len > 12 ? s->events->len - 12 : 0;
      i < s->events->len; i++) {
    Event *e = g_ptr_array_index (s->events, i);

    g_string_append_printf (str, "\n  %s %s at %" GST_TIME_FORMAT
        " underrun %" GST_TIME_FORMAT " %s", e->name, GST_STR_NULL (e->id),
        GST_TIME_ARGS (e->running_time), GST_TIME_ARGS (e->underrun),
        GST_STR_NULL (e->text));
  }
  g_mutex_unlock (&s->lock);
  return g_string_free (str, FALSE);
}

/* Keeps the first thing that went wrong in a streaming thread, for the test
 * to report from its own. */
static void
note_error (Soak * s, gchar ** where, gchar * what)
{
  g_mutex_lock (&s->lock);
  if (*where == NULL)
    *where = what;
  else
    g_free (what);
  g_mutex_unlock (&s->lock);
}

static GstClockTime
tts_time (Soak * s, guint64 buffers)
{
  return s->tts_first_pts + gst_util_uint64_scale_int (buffers * SPB,
      GST_SECOND, RATE);
}

/* Every buffer of cartesiattssrc: fixed size, stamped on a timeline that
 * advances by whole buffers from the first. */
static GstPadProbeReturn
on_tts_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Soak *s = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  guint64 n = s->tts_buffers;
  GstClockTime pts = GST_BUFFER_PTS (buf);

  /* Under the lock: subtitle_src's task reads them (on_caption). */
  if (n == 0) {
    g_mutex_lock (&s->lock);
    s->tts_first_pts = pts;
    g_mutex_unlock (&s->lock);
  }
  if (pts != tts_time (s, n))
    note_error (s, &s->tts_error, g_strdup_printf ("buffer %" G_GUINT64_FORMAT
            ": PTS %" GST_TIME_FORMAT ", expected %" GST_TIME_FORMAT
            " (drift %" G_GINT64_FORMAT " ns)", n, GST_TIME_ARGS (pts),
            GST_TIME_ARGS (tts_time (s, n)),
            (gint64) (pts - tts_time (s, n))));
  else if (gst_buffer_get_size (buf) != SPB * 2)
    note_error (s, &s->tts_error, g_strdup_printf ("buffer %" G_GUINT64_FORMAT
            ": %" G_GSIZE_FORMAT " bytes", n, gst_buffer_get_size (buf)));
  else if (GST_BUFFER_OFFSET (buf) != n * SPB
      || GST_BUFFER_OFFSET_END (buf) != (n + 1) * SPB)
    note_error (s, &s->tts_error, g_strdup_printf ("buffer %" G_GUINT64_FORMAT
            ": offsets %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT, n,
            GST_BUFFER_OFFSET (buf), GST_BUFFER_OFFSET_END (buf)));
  else if (GST_BUFFER_DURATION (buf) != tts_time (s, n + 1) - pts)
    note_error (s, &s->tts_error, g_strdup_printf ("buffer %" G_GUINT64_FORMAT
            ": duration %" GST_TIME_FORMAT, n,
            GST_TIME_ARGS (GST_BUFFER_DURATION (buf))));
  else if ((n > 0) != !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT))
    note_error (s, &s->tts_error, g_strdup_printf ("buffer %" G_GUINT64_FORMAT
            ": DISCONT %s", n, n ? "set" : "missing on the first buffer"));
  g_mutex_lock (&s->lock);
  s->tts_last_pts = pts;
  s->tts_buffers++;
  g_mutex_unlock (&s->lock);
  return GST_PAD_PROBE_OK;
}

/* The text stream: buffers and GAP events, each starting where the last one
 * ended, never beyond the end of the audio buffer being made. */
static GstPadProbeReturn
on_caption (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Soak *s = user_data;
  GstClockTime ts, duration = 0, limit;
  gboolean is_gap = FALSE;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
    Caption *c = g_new0 (Caption, 1);
    GstMapInfo map;

    ts = c->pts = GST_BUFFER_PTS (buf);
    if (GST_BUFFER_DURATION_IS_VALID (buf))
      duration = GST_BUFFER_DURATION (buf);
    gst_buffer_map (buf, &map, GST_MAP_READ);
    c->text = map.size ? g_strndup ((const gchar *) map.data, map.size) :
        g_strdup ("");
    gst_buffer_unmap (buf, &map);
    g_mutex_lock (&s->lock);
    g_ptr_array_add (s->captions, c);
    g_mutex_unlock (&s->lock);
  } else if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) ==
      GST_EVENT_GAP) {
    gst_event_parse_gap (GST_PAD_PROBE_INFO_EVENT (info), &ts, &duration);
    is_gap = TRUE;
    s->caption_gaps++;
  } else {
    return GST_PAD_PROBE_OK;
  }

  /* The audio buffer being made is at most the next one through the src
   * pad (subtitle_src's task pushes what the streaming thread queued when
   * it made it). */
  g_mutex_lock (&s->lock);
  limit = GST_CLOCK_TIME_IS_VALID (s->tts_first_pts) ?
      tts_time (s, s->tts_buffers + 1) : STEP;
  g_mutex_unlock (&s->lock);
  if (ts != s->caption_position)
    note_error (s, &s->caption_error, g_strdup_printf ("%s at %"
            GST_TIME_FORMAT " where the text stream was at %" GST_TIME_FORMAT,
            is_gap ? "GAP" : "buffer", GST_TIME_ARGS (ts),
            GST_TIME_ARGS (s->caption_position)));
  else if (ts + duration > limit)
    note_error (s, &s->caption_error, g_strdup_printf ("%s until %"
            GST_TIME_FORMAT ", ahead of the audio (%" GST_TIME_FORMAT ")",
            is_gap ? "GAP" : "buffer", GST_TIME_ARGS (ts + duration),
            GST_TIME_ARGS (limit)));
  g_mutex_lock (&s->lock);
  s->caption_position = ts + duration;
  g_mutex_unlock (&s->lock);
  return GST_PAD_PROBE_OK;
}

/* Every buffer the mixer outputs: contiguous in samples and PTS, DISCONT on
 * the first one only. */
static GstPadProbeReturn
on_mix_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Soak *s = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  guint64 n = s->mix_buffers, samples = gst_buffer_get_size (buf) / 2;
  GstClockTime pts = GST_BUFFER_PTS (buf), expected, end;

  if (n == 0)
    s->mix_first_pts = pts;
  expected = s->mix_first_pts + gst_util_uint64_scale_int (s->mix_samples,
      GST_SECOND, RATE);
  end = s->mix_first_pts + gst_util_uint64_scale_int (s->mix_samples +
      samples, GST_SECOND, RATE);
  if (pts != expected)
    note_error (s, &s->mix_error, g_strdup_printf ("output %" G_GUINT64_FORMAT
            ": PTS %" GST_TIME_FORMAT ", expected %" GST_TIME_FORMAT, n,
            GST_TIME_ARGS (pts), GST_TIME_ARGS (expected)));
  else if (GST_BUFFER_DURATION (buf) != end - pts)
    note_error (s, &s->mix_error, g_strdup_printf ("output %" G_GUINT64_FORMAT
            ": duration %" GST_TIME_FORMAT ", expected %" GST_TIME_FORMAT, n,
            GST_TIME_ARGS (GST_BUFFER_DURATION (buf)),
            GST_TIME_ARGS (end - pts)));
  else if (n > 0 && GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT))
    note_error (s, &s->mix_error, g_strdup_printf ("output %" G_GUINT64_FORMAT
            " at %" GST_TIME_FORMAT ": DISCONT", n, GST_TIME_ARGS (pts)));
  else if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_GAP))
    note_error (s, &s->mix_error, g_strdup_printf ("output %" G_GUINT64_FORMAT
            " at %" GST_TIME_FORMAT ": GAP (the tone is never silent)", n,
            GST_TIME_ARGS (pts)));
  s->mix_samples += samples;
  s->mix_buffers++;
  return GST_PAD_PROBE_OK;
}

/* audioaggregator's DEBUG lines about discontinuities and resyncs ("Have
 * discont", "Buffer resynced") and dropped input ("Dropped", "Buffer before
 * segment or current position").  gst_debug_add_log_function() and
 * gst_debug_remove_log_function() never free the list they replace (by
 * design; tests/check/lsan.supp suppresses it). */
static Soak *log_soak;
static GMutex log_lock;

static void
on_log (GstDebugCategory * category, GstDebugLevel level, const gchar * file,
    const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  const gchar *text;
  gchar *lower;

  if (level > GST_LEVEL_DEBUG
      || strcmp (gst_debug_category_get_name (category), "audioaggregator"))
    return;
  text = gst_debug_message_get (message);
  lower = g_ascii_strdown (text, -1);
  if (strstr (lower, "discont") || strstr (lower, "resync")
      || strstr (lower, "dropped") || strstr (lower, "before segment")) {
    g_mutex_lock (&log_lock);
    if (log_soak)
      g_ptr_array_add (log_soak->agg_lines, g_strdup_printf ("%s: %s",
              object && GST_IS_OBJECT (object) ? GST_OBJECT_NAME (object) : "",
              text));
    g_mutex_unlock (&log_lock);
  }
  g_free (lower);
}

/* ---- the clock ---- */

static gboolean
is_source_wait (Soak * s, GstClockTime t)
{
  return t >= s->base_time && (t - s->base_time) % STEP == 0;
}

static gchar *
describe_pending (Soak * s, GList * ids)
{
  GString *str = g_string_new ("");
  GList *l;

  for (l = ids; l; l = l->next)
    g_string_append_printf (str, " %" GST_TIME_FORMAT,
        GST_TIME_ARGS (gst_clock_id_get_time (l->data) - s->base_time));
  return g_string_free (str, FALSE);
}

typedef void (*BeforeStep) (Soak * s, GstClockTime rt);

/* One step of the clock: waits until both sources wait, calls @before with
 * the running time about to be reached, then moves the clock there (the
 * earlier of the two waits) and releases the sources waiting there.
 * Returns that running time. */
static GstClockTime
soak_step (Soak * s, BeforeStep before)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  GstClockTime now = gst_clock_get_time (s->clock);

  for (;;) {
    GList *ids = NULL, *l, *release = NULL;
    guint n = 0, sources = 0;
    GstClockTime t = GST_CLOCK_TIME_NONE;

    gst_test_clock_timed_wait_for_multiple_pending_ids (s->test_clock, 0, 0,
        &ids);
    for (l = ids; l; l = l->next) {
      GstClockTime id_time = gst_clock_id_get_time (l->data);

      n++;
      if (is_source_wait (s, id_time)) {
        sources++;
        t = MIN (t, id_time);
      } else if (id_time <= now) {
        gchar *pending = describe_pending (s, ids);

        fail ("a wait at %" GST_TIME_FORMAT " that is neither a source's nor "
            "in the future (now %" GST_TIME_FORMAT "); pending:%s",
            GST_TIME_ARGS (id_time - s->base_time),
            GST_TIME_ARGS (now - s->base_time), pending);
        g_free (pending);
      }
    }
    fail_unless (sources <= 2, "%u source waits", sources);
    if (sources == 2) {
      guint queued = s->queued, done;

      if (before)
        before (s, t - s->base_time);
      for (l = ids; l; l = l->next)
        if (gst_clock_id_get_time (l->data) == t)
          release = g_list_prepend (release, l->data);
      if (t > now)
        gst_test_clock_set_time (s->test_clock, t);
      done = gst_test_clock_process_id_list (s->test_clock, release);
      if (done < g_list_length (release)) {
        /* A wait went away by itself: cartesiattssrc stops waiting when the
         * first audio of an utterance arrives while it is idle, and makes
         * that buffer at once.  Anything else is a bug. */
        fail_unless (s->queued > queued, "step %" G_GUINT64_FORMAT " (%"
            GST_TIME_FORMAT "): a source's wait went away with no utterance "
            "arriving", s->steps, GST_TIME_ARGS (t - s->base_time));
        s->woken++;
      }
      g_list_free (release);
      g_list_free_full (ids, (GDestroyNotify) gst_clock_id_unref);
      s->steps++;
      return t - s->base_time;
    }
    if (g_get_monotonic_time () > deadline) {
      gchar *pending = describe_pending (s, ids);

      fail ("the sources do not both wait on the clock (now %" GST_TIME_FORMAT
          "); pending:%s", GST_TIME_ARGS (now - s->base_time), pending);
      g_free (pending);
    }
    g_list_free_full (ids, (GDestroyNotify) gst_clock_id_unref);
    /* Until one more wait is registered (or 1 ms: one may have gone). */
    gst_test_clock_timed_wait_for_multiple_pending_ids (s->test_clock, n + 1,
        1, NULL);
    s->polls++;
  }
}

/* ---- utterances ---- */

static gchar *
utterance_text (guint n)
{
  return g_strdup_printf ("%u. %s", n + 1,
      announcements[n % G_N_ELEMENTS (announcements)]);
}

static GstClockTime
utterance_slot (guint n)
{
  return FIRST_SLOT + n * PERIOD;
}

/* Whether bytes wait in a loopback socket of the emulator's port, either
 * way; FALSE also when /proc/net/tcp cannot be read (s->proc_net_tcp). */
static gboolean
loopback_busy (Soak * s)
{
  guint port = cartesia_emulator_get_port (s->emu);
  gchar *contents = NULL, **lines, **line;
  gboolean busy = FALSE;

  if (!g_file_get_contents ("/proc/net/tcp", &contents, NULL, NULL)) {
    s->proc_net_tcp = FALSE;
    return FALSE;
  }
  lines = g_strsplit (contents, "\n", -1);
  for (line = lines; *line && !busy; line++) {
    guint local_port, remote_port, state, tx, rx;

    if (sscanf (*line, " %*u: %*x:%x %*x:%x %x %x:%x", &local_port,
            &remote_port, &state, &tx, &rx) == 5
        && (local_port == port || remote_port == port) && state == 1
        && (tx || rx))
      busy = TRUE;
  }
  g_strfreev (lines);
  g_free (contents);
  return busy;
}

/* Waits (in real time) until the first @n utterances have reached the
 * element whole: generated, every audio byte decoded by its session, and
 * nothing left in the sockets (the final "done"). */
static void
wait_received (Soak * s, guint n)
{
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + 10 * G_TIME_SPAN_SECOND;
  CartesiaEmulatorStats stats;
  guint64 bytes = 0;
  gboolean busy = TRUE;

  for (;;) {
    cartesia_emulator_get_stats (s->emu, &stats);
    if (stats.contexts_done >= n) {
      bytes = test_bytes_received (s->tts);
      if (bytes == stats.audio_bytes_sent && !(busy = loopback_busy (s)))
        break;
    }
    if (g_get_monotonic_time () > deadline) {
      gchar *events = describe_events (s);

      fail ("utterance %u has not reached the element after 10 s: %u of %u "
          "generations done, %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
          " bytes decoded, sockets %s; last messages:%s", n,
          stats.contexts_done, n, bytes, stats.audio_bytes_sent,
          busy ? "busy" : "empty", events);
      g_free (events);
    }
    g_usleep (200);
  }
  /* From the socket to the session's queue: a few microseconds. */
  g_usleep (s->proc_net_tcp ? 2000 : 100000);
  s->max_receive_us = MAX (s->max_receive_us, g_get_monotonic_time () -
      start);
}

/* Both sources wait for @rt: queues the utterance due there, if any, and
 * (when the element asks the server at once) waits until it has arrived, so
 * that the buffer that ends at @rt holds its start. */
static void
queue_due (Soak * s, GstClockTime rt)
{
  gchar *text, *id;
  guint n = s->queued;

  if (n >= N_UTTERANCES || rt != utterance_slot (n))
    return;
  text = utterance_text (n);
  id = g_strdup_printf ("a%u", n);
  g_signal_emit_by_name (s->tts, "queue-utterance", text, id);
  g_free (text);
  g_free (id);
  s->queued++;

  if (s->requests_at_once < 0) {
    /* Does the request leave at once, or with the next buffer? */
    gint64 deadline = g_get_monotonic_time () + 500 * G_TIME_SPAN_MILLISECOND;
    CartesiaEmulatorStats stats;

    do {
      g_usleep (500);
      cartesia_emulator_get_stats (s->emu, &stats);
    } while (stats.contexts_started < s->queued
        && g_get_monotonic_time () < deadline);
    s->requests_at_once = stats.contexts_started >= s->queued;
  }
  if (s->requests_at_once) {
    wait_received (s, s->queued);
    s->expected_start[n] = rt - STEP;
  } else {
    /* The request leaves when this step releases the source; the audio
     * must be in before the next. */
    s->to_receive = s->queued;
    s->expected_start[n] = rt;
  }
}

/* ---- the pipeline ---- */

static GstElement *
soak_pipeline (Soak * s)
{
  GError *error = NULL;
  GstElement *pipeline, *filter, *mix, *subs;
  GstCaps *caps;
  GstPad *pad, *sinkpad;
  gchar *desc;

  desc = g_strdup_printf ("audiotestsrc name=tone is-live=true wave=sine "
      "volume=0.2 samplesperbuffer=%d ! " CAPS " ! audiomixer name=mix "
      "latency=%" G_GUINT64_FORMAT " output-buffer-duration=%" G_GUINT64_FORMAT
      " ! " CAPS " ! fakesink name=out sync=false "
      "fakesink name=subs sync=false async=false", SPB, STEP / 2, STEP);
  pipeline = gst_parse_launch (desc, &error);
  g_free (desc);
  fail_unless (pipeline != NULL, "%s", error ? error->message : "?");
  g_clear_error (&error);

  s->tts = gst_object_ref (test_make_src (s->emu, NULL));
  g_object_set (s->tts, "is-live", TRUE, "samplesperbuffer", SPB, NULL);
  filter = gst_element_factory_make ("capsfilter", NULL);
  caps = gst_caps_from_string (CAPS);
  g_object_set (filter, "caps", caps, NULL);
  gst_caps_unref (caps);
  gst_bin_add_many (GST_BIN (pipeline), s->tts, filter, NULL);
  mix = gst_bin_get_by_name (GST_BIN (pipeline), "mix");
  fail_unless (gst_element_link_many (s->tts, filter, mix, NULL));

  s->subtitle_pad = gst_element_request_pad_simple (s->tts, "subtitle_src");
  fail_unless (s->subtitle_pad != NULL, "no subtitle_src pad");
  subs = gst_bin_get_by_name (GST_BIN (pipeline), "subs");
  sinkpad = gst_element_get_static_pad (subs, "sink");
  fail_unless_equals_int (gst_pad_link (s->subtitle_pad, sinkpad),
      GST_PAD_LINK_OK);
  gst_object_unref (sinkpad);
  gst_object_unref (subs);
  gst_pad_add_probe (s->subtitle_pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_caption, s, NULL);

  pad = gst_element_get_static_pad (s->tts, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_tts_buffer, s, NULL);
  gst_object_unref (pad);
  pad = gst_element_get_static_pad (mix, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_mix_buffer, s, NULL);
  gst_object_unref (pad);
  gst_object_unref (mix);
  return pipeline;
}

static void
check_utterances (Soak * s)
{
  static const gchar *const names[] = { "cartesia-utterance-queued",
    "cartesia-utterance-started", "cartesia-utterance-finished"
  };
  guint i;

  g_mutex_lock (&s->lock);
  for (i = 0; i < s->events->len; i++) {
    Event *e = g_ptr_array_index (s->events, i);
    guint n = i / 3;
    gchar *id = g_strdup_printf ("a%u", n), *text = utterance_text (n);

    fail_unless (n < N_UTTERANCES && g_str_equal (e->name, names[i % 3])
        && g_strcmp0 (e->id, id) == 0, "message %u: %s %s (%s) where %s %s "
        "was expected", i, e->name, GST_STR_NULL (e->id),
        GST_STR_NULL (e->text), names[i % 3], id);
    if (i % 3 == 0) {
      fail_unless_equals_string (e->text, text);
    } else if (i % 3 == 1) {
      /* Started when due: its audio was there in time. */
      fail_unless_equals_uint64 (e->running_time, s->expected_start[n]);
    } else {
      gsize len;
      guint8 *audio = cartesia_emulator_render (text, "pcm_s16le", RATE,
          &len);
      guint64 start = gst_util_uint64_scale_int_round (s->expected_start[n],
          RATE, GST_SECOND);
      Caption *on, *off;

      /* After exactly its own audio, none of it late. */
      fail_unless_equals_uint64 (e->underrun, 0);
      fail_if (e->interrupted);
      fail_unless_equals_uint64 (e->duration,
          gst_util_uint64_scale_int (len / 2, GST_SECOND, RATE));
      fail_unless_equals_uint64 (e->running_time,
          gst_util_uint64_scale_int (start + len / 2, GST_SECOND, RATE));
      fail_unless (e->running_time < utterance_slot (n + 1) - STEP);
      g_free (audio);

      /* Its caption: the text from its first sample, cleared after its
       * last. */
      fail_unless (2 * n + 1 < s->captions->len, "no caption for %s", id);
      on = g_ptr_array_index (s->captions, 2 * n);
      off = g_ptr_array_index (s->captions, 2 * n + 1);
      fail_unless_equals_string (on->text, text);
      fail_unless_equals_uint64 (on->pts, s->expected_start[n]);
      fail_unless_equals_string (off->text, "");
      fail_unless_equals_uint64 (off->pts, e->running_time);
    }
    g_free (id);
    g_free (text);
  }
  fail_unless_equals_int (s->events->len, 3 * N_UTTERANCES);
  fail_unless_equals_int (s->captions->len, 2 * N_UTTERANCES);
  g_mutex_unlock (&s->lock);
}

GST_START_TEST (test_soak_ten_minutes)
{
  Soak *s = g_new0 (Soak, 1);
  CartesiaEmulatorStats stats;
  TestWatchdog *watchdog;
  GstClockTime rt = 0;
  gint64 started_us = g_get_monotonic_time ();
  gdouble real_s;
  guint i, resyncs = 0;

  g_mutex_init (&s->lock);
  s->events = g_ptr_array_new_with_free_func (event_free);
  s->captions = g_ptr_array_new_with_free_func (caption_free);
  s->agg_lines = g_ptr_array_new_with_free_func (g_free);
  s->tts_first_pts = s->tts_last_pts = s->mix_first_pts = GST_CLOCK_TIME_NONE;
  s->requests_at_once = -1;
  s->proc_net_tcp = TRUE;

  g_mutex_lock (&log_lock);
  log_soak = s;
  g_mutex_unlock (&log_lock);
  /* Only this test's log function sees audioaggregator's DEBUG lines (one
   * or two per buffer): the default one would print them all, unless
   * GST_DEBUG asks for a log. */
  if (g_getenv ("GST_DEBUG") == NULL)
    gst_debug_remove_log_function (gst_debug_log_default);
  gst_debug_add_log_function (on_log, NULL, NULL);
  gst_debug_set_threshold_for_name ("audioaggregator", GST_LEVEL_DEBUG);

  s->emu = test_emulator_new ();
  s->pipeline = soak_pipeline (s);
  s->clock = gst_test_clock_new ();
  s->test_clock = GST_TEST_CLOCK (s->clock);
  gst_pipeline_use_clock (GST_PIPELINE (s->pipeline), s->clock);
  s->bus = gst_element_get_bus (s->pipeline);
  gst_bus_set_sync_handler (s->bus, on_sync_message, s, NULL);

  /* A hang (a wait never registered) aborts with a name, not at the check
   * timeout. */
  watchdog = test_watchdog_start (110 * 1000, "the 10-minute soak");

  fail_unless (test_set_state_bounded (s->pipeline, GST_STATE_PLAYING, 5000)
      != GST_STATE_CHANGE_FAILURE);
  s->base_time = gst_element_get_base_time (s->pipeline);

  while (rt < SOAK_DURATION) {
    rt = soak_step (s, queue_due);
    if (s->to_receive) {
      wait_received (s, s->to_receive);
      s->to_receive = 0;
    }
  }

  /* subtitle_src's task pushes what the last audio buffers queued a moment
   * after them. */
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

    g_mutex_lock (&s->lock);
    while (s->caption_position < s->tts_last_pts + STEP
        && g_get_monotonic_time () < deadline) {
      g_mutex_unlock (&s->lock);
      g_usleep (1000);
      g_mutex_lock (&s->lock);
    }
    g_mutex_unlock (&s->lock);
  }
  fail_unless_equals_int (test_set_state_bounded (s->pipeline, GST_STATE_NULL,
          5000), GST_STATE_CHANGE_SUCCESS);
  test_watchdog_stop (watchdog);

  g_mutex_lock (&log_lock);
  log_soak = NULL;
  g_mutex_unlock (&log_lock);
  gst_debug_unset_threshold_for_name ("audioaggregator");
  gst_debug_remove_log_function (on_log);
  if (g_getenv ("GST_DEBUG") == NULL)
    gst_debug_add_log_function (gst_debug_log_default, NULL, NULL);

  real_s = (g_get_monotonic_time () - started_us) / 1e6;
  g_print ("soak: %u utterances in %" GST_TIME_FORMAT " of emulated time, "
      "%.1f s of real time (%" G_GUINT64_FORMAT " clock steps, %"
      G_GUINT64_FORMAT " polls, %u early wake-ups, requests %s, longest wait "
      "for audio %.1f ms)\n",
      s->queued, GST_TIME_ARGS (rt), real_s, s->steps, s->polls, s->woken,
      s->requests_at_once ? "at once" : "with the next buffer",
      s->max_receive_us / 1e3);
  fail_unless (real_s < 100, "the soak took %.1f s", real_s);

  /* The source: every buffer where it belongs, from 0 to the end. */
  fail_unless (s->tts_error == NULL, "cartesiattssrc: %s", s->tts_error);
  fail_unless_equals_uint64 (s->tts_first_pts, 0);
  fail_unless (s->tts_buffers >= SOAK_DURATION / STEP - 1);
  fail_unless_equals_uint64 (s->tts_last_pts,
      gst_util_uint64_scale_int ((s->tts_buffers - 1) * SPB, GST_SECOND,
          RATE));

  /* The mixer: contiguous from 0 for (nearly) all of it. */
  fail_unless (s->mix_error == NULL, "audiomixer: %s", s->mix_error);
  fail_unless_equals_uint64 (s->mix_first_pts, 0);
  fail_unless (s->mix_samples >= (SOAK_DURATION / GST_SECOND - 1) * RATE,
      "mixed only %" G_GUINT64_FORMAT " samples", s->mix_samples);

  /* audioaggregator: each pad synced once, on its first buffer (which also
   * shows that the log function sees its lines); nothing else. */
  for (i = 0; i < s->agg_lines->len; i++) {
    const gchar *line = g_ptr_array_index (s->agg_lines, i);

    if (strstr (line, "Buffer resynced: Pad offset 0, current audio "
            "aggregator offset 0"))
      resyncs++;
    else
      fail ("audioaggregator: %s", line);
  }
  fail_unless_equals_int (resyncs, 2);

  /* The text stream: contiguous to the end of the audio (of the last buffer
   * pushed, or of the one being made when the pipeline stopped). */
  fail_unless (s->caption_error == NULL, "subtitle_src: %s", s->caption_error);
  fail_unless (s->caption_gaps > 0);
  fail_unless (s->caption_position == s->tts_last_pts + STEP
      || s->caption_position == s->tts_last_pts + 2 * STEP,
      "the text stream ends at %" GST_TIME_FORMAT ", the audio at %"
      GST_TIME_FORMAT, GST_TIME_ARGS (s->caption_position),
      GST_TIME_ARGS (s->tts_last_pts + STEP));

  /* The utterances: queued, started when due, finished after exactly their
   * audio, one after the other, each with its caption; nothing else. */
  fail_unless_equals_int (s->queued, N_UTTERANCES);
  check_utterances (s);

  /* One connection for the whole run; every generation complete. */
  cartesia_emulator_get_stats (s->emu, &stats);
  fail_unless_equals_int (stats.contexts_started, N_UTTERANCES);
  fail_unless_equals_int (stats.contexts_done, N_UTTERANCES);
  fail_unless_equals_int (stats.contexts_cancelled, 0);
  fail_unless_equals_int (stats.ws_connections, 1);

  gst_bus_set_sync_handler (s->bus, NULL, NULL, NULL);
  gst_bus_set_flushing (s->bus, TRUE);
  gst_object_unref (s->bus);
  gst_element_release_request_pad (s->tts, s->subtitle_pad);
  gst_object_unref (s->subtitle_pad);
  gst_object_unref (s->tts);
  gst_object_unref (s->pipeline);
  gst_object_unref (s->clock);
  cartesia_emulator_free (s->emu);
  g_ptr_array_unref (s->events);
  g_ptr_array_unref (s->captions);
  g_ptr_array_unref (s->agg_lines);
  g_free (s->tts_error);
  g_free (s->caption_error);
  g_free (s->mix_error);
  g_mutex_clear (&s->lock);
  g_free (s);
}

GST_END_TEST;

static Suite *
cartesiattssrc_soak_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-soak");
  TCase *tc = tcase_create ("soak");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_soak_ten_minutes);
  return s;
}

GST_CHECK_MAIN (cartesiattssrc_soak);
