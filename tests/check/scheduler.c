/* The live scheduler alone: the utterances' states and the decisions about
 * them, driven with a fake clock (the times are numbers passed in), no
 * sockets, threads or element.  The races the live suites pin end to end
 * (an interrupt while a request is in flight, a clear while one drains, a
 * timeout racing the server's done, audio before its utterance was taken
 * in) are pinned here as orders of calls. */
#include <gst/check/gstcheck.h>

#include "cartesia-scheduler.h"

#include <string.h>

#define MS (G_TIME_SPAN_MILLISECOND)
#define T0 (1000 * G_TIME_SPAN_SECOND)  /* a monotonic time, µs */

static CartesiaUtterance *
add (CartesiaScheduler * sched, const gchar * id, gint64 queued_at)
{
  CartesiaUtterance *u = cartesia_utterance_new (id, "Hello there.",
      queued_at);

  cartesia_scheduler_add (sched, u);
  return u;
}

static void
request (CartesiaUtterance * u, const gchar * context_id, gint64 now)
{
  cartesia_utterance_requested (u, g_strdup (context_id), now);
}

GST_START_TEST (test_lifecycle)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *u = add (sched, "a", T0);

  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_QUEUED);
  fail_unless_equals_int (u->handle, 1);
  fail_if (cartesia_utterance_is_started (u));
  fail_if (cartesia_utterance_is_done (u));
  fail_unless_equals_uint64 (cartesia_utterance_ttfa (u),
      GST_CLOCK_TIME_NONE);

  request (u, "ctx-a", T0 + 10 * MS);
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_REQUESTED);
  fail_unless_equals_string (u->context_id, "ctx-a");
  fail_unless (cartesia_scheduler_find_by_context (sched, "ctx-a") == u);
  fail_unless (cartesia_scheduler_find_by_handle (sched, 1) == u);
  fail_unless (cartesia_scheduler_find_by_context (sched, "other") == NULL);
  fail_unless (cartesia_scheduler_find_by_context (sched, NULL) == NULL);

  /* The first audio sets the time to first audio, once. */
  fail_unless (cartesia_utterance_first_audio (u, T0 + 260 * MS,
          5 * GST_SECOND));
  fail_if (cartesia_utterance_first_audio (u, T0 + 300 * MS,
          6 * GST_SECOND));
  fail_unless_equals_uint64 (cartesia_utterance_ttfa (u), 250 * GST_MSECOND);
  fail_unless_equals_uint64 (u->first_audio_rt, 5 * GST_SECOND);

  cartesia_utterance_started (u, 5 * GST_SECOND);
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_PLAYING);
  fail_unless (cartesia_utterance_is_started (u));
  fail_if (cartesia_utterance_is_done (u));

  cartesia_utterance_done (u);
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_DRAINING);
  fail_unless (cartesia_utterance_is_done (u));
  fail_if (cartesia_utterance_is_dropped (u));
  /* Done twice (a late duplicate) changes nothing. */
  cartesia_utterance_done (u);
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_DRAINING);

  cartesia_scheduler_forget (sched, u);
  fail_unless_equals_int (cartesia_scheduler_length (sched), 0);
  /* Handles are never reused. */
  u = add (sched, "b", T0);
  fail_unless_equals_int (u->handle, 2);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* All the audio may be in before the first sample plays: it starts while
 * it drains, and is started all the same. */
GST_START_TEST (test_done_before_started)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *u = add (sched, "a", T0);

  request (u, "ctx", T0);
  cartesia_utterance_first_audio (u, T0 + 100 * MS, 0);
  cartesia_utterance_done (u);
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_DRAINING);
  fail_if (cartesia_utterance_is_started (u));
  /* Started at running time 0: 0 is a time, not "not yet". */
  cartesia_utterance_started (u, 0);
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_DRAINING);
  fail_unless (cartesia_utterance_is_started (u));
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* An interrupt while the request is in flight: the server must be told;
 * what it still sends is late output (done). */
GST_START_TEST (test_drop_in_flight)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *a = add (sched, "a", T0);
  CartesiaUtterance *b = add (sched, "b", T0);

  request (a, "ctx-a", T0);
  fail_unless (cartesia_scheduler_head (sched) == a);
  fail_unless (cartesia_utterance_drop (a, FALSE));
  fail_unless_equals_int (a->state, CARTESIA_UTTERANCE_DROPPED);
  fail_unless (cartesia_utterance_is_done (a));
  fail_unless (cartesia_utterance_is_dropped (a));
  /* What speaks now, or is about to, is the next one. */
  fail_unless (cartesia_scheduler_head (sched) == b);
  /* Never requested: nothing to cancel. */
  fail_if (cartesia_utterance_drop (b, FALSE));
  fail_unless (cartesia_scheduler_head (sched) == NULL);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* A clear while one drains: the server has finished with it, so nothing is
 * cancelled, and its playout goes. */
GST_START_TEST (test_clear_while_draining)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *u = add (sched, "a", T0);

  request (u, "ctx", T0);
  cartesia_utterance_done (u);
  fail_if (cartesia_utterance_drop (u, FALSE));
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_DROPPED);
  /* A playing one that is dropped is cancelled. */
  u = add (sched, "b", T0);
  request (u, "ctx-b", T0);
  cartesia_utterance_started (u, GST_SECOND);
  fail_unless (cartesia_utterance_drop (u, FALSE));
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* A failure is final: a drop that follows (an interrupt while it fades
 * out) leaves it failed, so that it is never reported interrupted too. */
GST_START_TEST (test_fail_stays_failed)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *u = add (sched, "a", T0);

  request (u, "ctx", T0);
  fail_unless (cartesia_utterance_drop (u, TRUE));
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_FAILED);
  fail_if (cartesia_utterance_drop (u, FALSE));
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_FAILED);
  fail_unless_equals_string (cartesia_utterance_state_name (u->state),
      "failed");
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* The one playing and the next are with the server; the third waits. */
GST_START_TEST (test_requests_ahead)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *a = add (sched, "a", T0);
  CartesiaUtterance *b = add (sched, "b", T0);
  CartesiaUtterance *c = add (sched, "c", T0);

  fail_unless_equals_int (CARTESIA_SCHEDULER_REQUESTS_AHEAD, 2);
  fail_unless (cartesia_scheduler_next_request (sched, T0) == a);
  request (a, "ctx-a", T0);
  fail_unless (cartesia_scheduler_next_request (sched, T0) == b);
  request (b, "ctx-b", T0);
  fail_unless (cartesia_scheduler_next_request (sched, T0) == NULL);

  /* One dropped (fading out, still listed) makes room. */
  cartesia_utterance_drop (a, FALSE);
  fail_unless (cartesia_scheduler_next_request (sched, T0) == c);
  request (c, "ctx-c", T0);
  fail_unless (cartesia_scheduler_next_request (sched, T0) == NULL);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* An outage: within max-wait-ms the utterance goes back to the queue and
 * is asked again a second later; past it, it fails. */
GST_START_TEST (test_wait_for_server)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *u = add (sched, "a", T0);
  gchar *cancel = NULL;

  request (u, "ctx-1", T0);
  u->last_heard = T0 + 5 * MS;
  fail_unless (cartesia_utterance_wait_for_server (u, TRUE,
          CARTESIA_ERROR_OPEN, 0, T0 + 10 * MS, 5000, &cancel));
  fail_unless_equals_string (cancel, "ctx-1");
  g_free (cancel);
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_QUEUED);
  fail_unless (u->context_id == NULL);
  fail_unless_equals_int64 (u->last_heard, 0);
  fail_unless_equals_int64 (u->sent_at, 0);
  /* Not before the retry time. */
  fail_unless (cartesia_scheduler_next_request (sched, T0 + 500 * MS) ==
      NULL);
  fail_unless (cartesia_scheduler_next_request (sched,
          T0 + 10 * MS + CARTESIA_SCHEDULER_OUTAGE_RETRY_US) == u);
  request (u, "ctx-2", T0 + 1010 * MS);

  /* 503 within the wait: again. */
  fail_unless (cartesia_utterance_wait_for_server (u, TRUE,
          CARTESIA_ERROR_OPEN, 503, T0 + 2 * G_TIME_SPAN_SECOND, 5000,
          &cancel));
  g_free (cancel);
  request (u, "ctx-3", T0 + 3 * G_TIME_SPAN_SECOND);
  /* Past max-wait-ms, counted from when it was queued: it fails, and
   * keeps its context (the failure names it). */
  fail_if (cartesia_utterance_wait_for_server (u, TRUE, CARTESIA_ERROR_OPEN,
          0, T0 + 5 * G_TIME_SPAN_SECOND, 5000, &cancel));
  fail_unless (cancel == NULL);
  fail_unless_equals_string (u->context_id, "ctx-3");
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_REQUESTED);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* Who never waits: non-live, text from the sink pad, one that spoke or has
 * audio, one given up, and errors that waiting cannot fix. */
GST_START_TEST (test_wait_for_server_refused)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *u = add (sched, "a", T0);
  gchar *cancel = NULL;

  request (u, "ctx", T0);
  fail_if (cartesia_utterance_wait_for_server (u, FALSE, CARTESIA_ERROR_OPEN,
          0, T0, 5000, &cancel));
  fail_if (cartesia_utterance_wait_for_server (u, TRUE,
          CARTESIA_ERROR_NOT_AUTHORIZED, 401, T0, 5000, &cancel));
  fail_if (cartesia_utterance_wait_for_server (u, TRUE, CARTESIA_ERROR_OPEN,
          0, T0, 0, &cancel));
  u->from_sink = TRUE;
  fail_if (cartesia_utterance_wait_for_server (u, TRUE, CARTESIA_ERROR_OPEN,
          0, T0, 5000, &cancel));
  u->from_sink = FALSE;
  cartesia_utterance_first_audio (u, T0 + MS, 0);
  fail_if (cartesia_utterance_wait_for_server (u, TRUE, CARTESIA_ERROR_READ,
          0, T0, 5000, &cancel));
  fail_unless (cancel == NULL);
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_REQUESTED);

  u = add (sched, "b", T0);
  request (u, "ctx-b", T0);
  cartesia_utterance_drop (u, FALSE);
  fail_if (cartesia_utterance_wait_for_server (u, TRUE, CARTESIA_ERROR_OPEN,
          0, T0, 5000, &cancel));
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_DROPPED);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

GST_START_TEST (test_timeouts)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *u = add (sched, "a", T0);
  gint64 heard = T0 + 100 * MS;

  /* Not with the server yet: no timeout, however long. */
  fail_unless_equals_int (cartesia_utterance_timed_out (u, T0 + 3600 *
          G_TIME_SPAN_SECOND, 10, 0, FALSE), CARTESIA_TIMEOUT_NONE);
  request (u, "ctx", T0);
  cartesia_utterance_heard (u, heard);
  fail_unless_equals_int (cartesia_utterance_timed_out (u,
          heard + 10 * G_TIME_SPAN_SECOND, 10, 0, FALSE),
      CARTESIA_TIMEOUT_NONE);
  fail_unless_equals_int (cartesia_utterance_timed_out (u,
          heard + 10 * G_TIME_SPAN_SECOND + 1, 10, 0, FALSE),
      CARTESIA_TIMEOUT_SILENT);
  /* Off. */
  fail_unless_equals_int (cartesia_utterance_timed_out (u,
          heard + 3600 * G_TIME_SPAN_SECOND, 0, 0, FALSE),
      CARTESIA_TIMEOUT_NONE);

  /* The stall watchdog: only once audio came. */
  fail_unless_equals_int (cartesia_utterance_timed_out (u,
          heard + 600 * MS, 10, 500, FALSE), CARTESIA_TIMEOUT_NONE);
  cartesia_utterance_first_audio (u, heard, 0);
  fail_unless_equals_int (cartesia_utterance_timed_out (u,
          heard + 500 * MS, 10, 500, FALSE), CARTESIA_TIMEOUT_NONE);
  fail_unless_equals_int (cartesia_utterance_timed_out (u,
          heard + 501 * MS, 10, 500, FALSE), CARTESIA_TIMEOUT_STALL);
  /* A watchdog no shorter than the timeout is off. */
  fail_unless_equals_int (cartesia_utterance_timed_out (u,
          heard + 2 * G_TIME_SPAN_SECOND, 3, 3000, FALSE),
      CARTESIA_TIMEOUT_NONE);
  fail_unless_equals_int (cartesia_utterance_timed_out (u,
          heard + 2 * G_TIME_SPAN_SECOND + 1, 2, 3000, FALSE),
      CARTESIA_TIMEOUT_SILENT);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* A timeout racing the server's done: once done, no timeout, whichever
 * the streaming thread sees last. */
GST_START_TEST (test_timeout_races_done)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *u = add (sched, "a", T0);

  request (u, "ctx", T0);
  cartesia_utterance_heard (u, T0);
  cartesia_utterance_first_audio (u, T0, 0);
  cartesia_utterance_done (u);
  fail_unless_equals_int (cartesia_utterance_timed_out (u,
          T0 + 3600 * G_TIME_SPAN_SECOND, 1, 100, FALSE),
      CARTESIA_TIMEOUT_NONE);
  /* Nor for one dropped. */
  u = add (sched, "b", T0);
  request (u, "ctx-b", T0);
  cartesia_utterance_heard (u, T0);
  cartesia_utterance_drop (u, FALSE);
  fail_unless_equals_int (cartesia_utterance_timed_out (u,
          T0 + 3600 * G_TIME_SPAN_SECOND, 1, 0, FALSE),
      CARTESIA_TIMEOUT_NONE);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* Streamed text still coming: its silence counts from the end of the
 * text, not from the server's last answer. */
GST_START_TEST (test_timeout_open)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *u = add (sched, "a", T0);
  gint64 later = T0 + 60 * G_TIME_SPAN_SECOND;

  request (u, "ctx", T0);
  cartesia_utterance_heard (u, T0);
  fail_unless_equals_int (cartesia_utterance_timed_out (u, later, 10, 0,
          TRUE), CARTESIA_TIMEOUT_NONE);
  fail_unless_equals_int64 (u->last_heard, later);
  /* Closed: ten seconds from then. */
  fail_unless_equals_int (cartesia_utterance_timed_out (u,
          later + 10 * G_TIME_SPAN_SECOND, 10, 0, FALSE),
      CARTESIA_TIMEOUT_NONE);
  fail_unless_equals_int (cartesia_utterance_timed_out (u,
          later + 11 * G_TIME_SPAN_SECOND, 10, 0, FALSE),
      CARTESIA_TIMEOUT_SILENT);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* Idle output wakes at the first audio of what is due by the end of the
 * buffer; never while something speaks, nor for a cue due later. */
GST_START_TEST (test_wake)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *cue, *u;
  gboolean on_audio, due;

  cartesia_scheduler_wake (sched, GST_SECOND, &on_audio, &due);
  fail_unless (on_audio);
  fail_if (due);

  cue = add (sched, "cue", T0);
  cue->start_rt = 2 * GST_SECOND;
  cartesia_scheduler_wake (sched, GST_SECOND, &on_audio, &due);
  fail_unless (on_audio);
  fail_if (due);
  cartesia_scheduler_wake (sched, 3 * GST_SECOND, &on_audio, &due);
  fail_unless (due);

  u = add (sched, "untimed", T0);
  cartesia_scheduler_wake (sched, GST_SECOND, &on_audio, &due);
  fail_unless (due);
  cartesia_utterance_drop (u, FALSE);
  cartesia_scheduler_wake (sched, GST_SECOND, &on_audio, &due);
  fail_if (due);

  u = add (sched, "speaking", T0);
  request (u, "ctx", T0);
  cartesia_utterance_started (u, 0);
  cartesia_scheduler_wake (sched, GST_SECOND, &on_audio, &due);
  fail_if (on_audio);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* jitter-margin-ms: audio that came late in the buffer (running time 95 ms
 * of a buffer at 80..100 ms, a sink 20 ms behind) starts 95 + 50 - 20 =
 * 125 ms on the timeline; audio in good time needs nothing.  Weighed once;
 * never for a cue or one that started. */
GST_START_TEST (test_jitter_margin)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *u = add (sched, "late", T0);
  GstClockTime pts = 80 * GST_MSECOND, latency = 20 * GST_MSECOND;
  GstClockTime margin = 50 * GST_MSECOND;

  /* No audio yet: not weighed. */
  fail_unless_equals_uint64 (cartesia_utterance_not_before (u, margin, pts,
          latency), GST_CLOCK_TIME_NONE);
  fail_if (u->margin_set);
  request (u, "ctx", T0);
  cartesia_utterance_first_audio (u, T0 + MS, 95 * GST_MSECOND);
  fail_unless_equals_uint64 (cartesia_utterance_not_before (u, 0, pts,
          latency), GST_CLOCK_TIME_NONE);
  fail_unless_equals_uint64 (cartesia_utterance_not_before (u, margin, pts,
          latency), 125 * GST_MSECOND);
  fail_unless (u->margin_set);
  fail_unless_equals_uint64 (cartesia_utterance_not_before (u, margin, pts,
          latency), GST_CLOCK_TIME_NONE);

  u = add (sched, "early", T0);
  request (u, "ctx-2", T0);
  cartesia_utterance_first_audio (u, T0 + MS, 40 * GST_MSECOND);
  fail_unless_equals_uint64 (cartesia_utterance_not_before (u, margin, pts,
          latency), GST_CLOCK_TIME_NONE);
  fail_unless (u->margin_set);

  u = add (sched, "cue", T0);
  u->start_rt = 90 * GST_MSECOND;
  request (u, "ctx-3", T0);
  cartesia_utterance_first_audio (u, T0 + MS, 95 * GST_MSECOND);
  fail_unless_equals_uint64 (cartesia_utterance_not_before (u, margin, pts,
          latency), GST_CLOCK_TIME_NONE);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* overflow=fit asks again only if the faster answer can come in time. */
GST_START_TEST (test_refit_in_time)
{
  /* At 1 s, the first answer took 200 ms: 1.4 s <= 1 s + 500 ms. */
  fail_unless (cartesia_scheduler_refit_in_time (GST_SECOND,
          200 * GST_MSECOND, GST_SECOND, 500 * GST_MSECOND));
  fail_if (cartesia_scheduler_refit_in_time (GST_SECOND,
          300 * GST_MSECOND, GST_SECOND, 500 * GST_MSECOND));
  fail_if (cartesia_scheduler_refit_in_time (GST_CLOCK_TIME_NONE,
          0, GST_SECOND, 0));
  fail_if (cartesia_scheduler_refit_in_time (0, GST_CLOCK_TIME_NONE,
          GST_SECOND, 0));
}

GST_END_TEST;

/* Asked again: the first answer's words go, the context is the new one. */
GST_START_TEST (test_rerequested)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *u = add (sched, "cue", T0);
  CartesiaWord w = { g_strdup ("Hello"), 0.0, 0.3 };

  request (u, "ctx-1", T0);
  g_array_append_val (u->words, w);
  cartesia_utterance_rerequested (u, g_strdup ("ctx-2"), T0 + 400 * MS);
  fail_unless_equals_int (u->words->len, 0);
  fail_unless_equals_string (u->context_id, "ctx-2");
  fail_unless_equals_int64 (u->sent_at, T0 + 400 * MS);
  fail_unless (cartesia_scheduler_find_by_context (sched, "ctx-1") == NULL);
  fail_unless (cartesia_scheduler_find_by_context (sched, "ctx-2") == u);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* overflow=fit: the answer is held until weighed; the faster answer's first
 * audio replaces the first answer; once released, audio plays and counts. */
GST_START_TEST (test_fit_holds_answer)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *u = add (sched, "cue", T0);
  const guint8 first[4] = { 1, 2, 3, 4 }, second[2] = { 9, 8 };
  GByteArray *held;

  /* Not a fit cue: it plays, counted. */
  request (u, "ctx-1", T0);
  fail_if (cartesia_utterance_hold_audio (u, first, 4));
  fail_unless_equals_uint64 (u->speech_bytes, 4);

  u = add (sched, "fit", T0);
  u->held = g_byte_array_new ();
  request (u, "ctx-2", T0);
  fail_unless (cartesia_utterance_hold_audio (u, first, 4));
  fail_unless (cartesia_utterance_hold_audio (u, first, 2));
  fail_unless_equals_int (u->held->len, 6);
  fail_unless_equals_uint64 (u->speech_bytes, 0);
  /* Asked again faster: its audio replaces the first answer's. */
  u->refit = TRUE;
  cartesia_utterance_rerequested (u, g_strdup ("ctx-3"), T0);
  fail_unless (cartesia_utterance_hold_audio (u, second, 2));
  fail_unless (u->held_second);
  fail_unless (cartesia_utterance_hold_audio (u, second, 1));
  fail_unless_equals_int (u->held->len, 3);
  fail_unless (memcmp (u->held->data, "\x09\x08\x09", 3) == 0);

  held = cartesia_utterance_release_held (u);
  fail_unless_equals_int (held->len, 3);
  fail_unless_equals_uint64 (u->speech_bytes, 3);
  fail_unless (u->held == NULL);
  g_byte_array_unref (held);
  /* Released twice: refused loudly. */
  ASSERT_CRITICAL (fail_unless (cartesia_utterance_release_held (u) ==
          NULL));
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* An error of the connection itself (no context) concerns those the server
 * is answering: not one waiting its turn, one drained, or one dropped. */
GST_START_TEST (test_with_server)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *playing = add (sched, "playing", T0);
  CartesiaUtterance *drained = add (sched, "drained", T0);
  CartesiaUtterance *dropped = add (sched, "dropped", T0);
  CartesiaUtterance *requested = add (sched, "requested", T0);
  GPtrArray *with;

  add (sched, "queued", T0);
  with = cartesia_scheduler_with_server (sched);
  fail_unless_equals_int (with->len, 0);
  g_ptr_array_unref (with);

  request (playing, "ctx-p", T0);
  cartesia_utterance_started (playing, 0);
  request (drained, "ctx-d", T0);
  cartesia_utterance_done (drained);
  request (dropped, "ctx-x", T0);
  cartesia_utterance_drop (dropped, FALSE);
  request (requested, "ctx-r", T0);
  with = cartesia_scheduler_with_server (sched);
  fail_unless_equals_int (with->len, 2);
  fail_unless (g_ptr_array_index (with, 0) == playing);
  fail_unless (g_ptr_array_index (with, 1) == requested);
  g_ptr_array_unref (with);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* Audio answered before its utterance was taken in (the application's or
 * the sink pad's thread requested it at once): unknown to the scheduler, so
 * the adapter takes the inbox in first (gstcartesiattssrc-live.c asks
 * cartesia_inbox_has_context()); taken in already requested, it is found
 * by its context, its audio is its own and its time to first audio counts
 * from when it was requested, not from when it was taken in. */
GST_START_TEST (test_audio_before_taken_in)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *u;

  fail_unless (cartesia_scheduler_find_by_context (sched, "early") == NULL);
  /* The take-in of an op requested at once, 40 ms before. */
  u = cartesia_utterance_new ("a", "Hello there.", T0);
  cartesia_utterance_requested (u, g_strdup ("early"), T0);
  cartesia_scheduler_add (sched, u);
  fail_unless (cartesia_scheduler_find_by_context (sched, "early") == u);
  fail_if (cartesia_utterance_is_done (u));
  cartesia_utterance_heard (u, T0 + 30 * MS);
  fail_unless (cartesia_utterance_first_audio (u, T0 + 30 * MS,
          GST_SECOND));
  fail_unless_equals_uint64 (cartesia_utterance_ttfa (u), 30 * GST_MSECOND);
  /* Already requested: not asked for again. */
  fail_unless (cartesia_scheduler_next_request (sched, T0 + 40 * MS) ==
      NULL);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* Transitions that cannot happen are refused loudly (a g_critical), and
 * leave the utterance as it was. */
GST_START_TEST (test_bad_transitions)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *u = add (sched, "a", T0);

  ASSERT_CRITICAL (cartesia_utterance_requested (u, NULL, T0));
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_QUEUED);
  request (u, "ctx", T0);
  ASSERT_CRITICAL (cartesia_utterance_requested (u, NULL, T0));
  fail_unless_equals_string (u->context_id, "ctx");
  ASSERT_CRITICAL (cartesia_utterance_started (u, GST_CLOCK_TIME_NONE));
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_REQUESTED);
  cartesia_utterance_drop (u, FALSE);
  /* Done after a drop: still dropped. */
  cartesia_utterance_done (u);
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_DROPPED);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* overflow=fit: the held answer weighed against its cue (48 kHz, 2 bytes
 * a sample): asked faster once, live only if a second answer can be there
 * in time. */
static CartesiaUtterance *
fit_cue (CartesiaScheduler * sched, guint64 speech_samples)
{
  CartesiaUtterance *u = add (sched, "cue", T0);

  u->settings = g_new0 (CartesiaSettings, 1);
  u->start_rt = GST_SECOND;
  u->end_rt = 1500 * GST_MSECOND;       /* 24000 samples */
  u->held = g_byte_array_new ();
  g_byte_array_set_size (u->held, speech_samples * 2);
  request (u, "ctx", T0);
  /* Its first audio took 200 ms. */
  cartesia_utterance_first_audio (u, T0 + 200 * MS, 0);
  return u;
}

GST_START_TEST (test_weigh_fit)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaUtterance *u = fit_cue (sched, 28800);        /* 1.2 times the cue */
  CartesiaFit fit;

  /* Non-live: always in time.  1.2 * 1.03 = 1.236. */
  cartesia_utterance_weigh_fit (u, 2, 48000, 1.5, FALSE, GST_CLOCK_TIME_NONE,
      0, &fit);
  fail_unless_equals_uint64 (fit.speech, 28800);
  fail_unless_equals_uint64 (fit.cue, 24000);
  fail_unless_equals_float (fit.speed, 1.0);
  fail_unless_equals_float (fit.faster, 1.236);
  fail_if (fit.too_late);
  /* The speed it was asked at counts (1.1 * 1.236); a max-speed of 1.2
   * leaves it more than 3 % too long: it plays (clipped). */
  u->settings->speed_set = TRUE;
  u->settings->speed = 1.1;
  cartesia_utterance_weigh_fit (u, 2, 48000, 1.5, FALSE, GST_CLOCK_TIME_NONE,
      0, &fit);
  fail_unless_equals_float (fit.speed, 1.1);
  fail_unless_equals_float (fit.faster,
      cartesia_settings_fit_speed (28800, 24000, 1.1, 1.5));
  fail_unless (fit.faster > 1.1);
  cartesia_utterance_weigh_fit (u, 2, 48000, 1.2, FALSE, GST_CLOCK_TIME_NONE,
      0, &fit);
  fail_unless_equals_float (fit.faster, 0.0);
  fail_if (fit.too_late);
  u->settings->speed_set = FALSE;

  /* Live at 500 ms: 0.5 + 2 * 0.2 <= 1 s, in time. */
  cartesia_utterance_weigh_fit (u, 2, 48000, 1.5, TRUE, 500 * GST_MSECOND,
      0, &fit);
  fail_unless_equals_float (fit.faster, 1.236);
  fail_if (fit.too_late);
  /* At 700 ms: 1.1 s > 1 s, too late; a sink 200 ms behind makes it. */
  cartesia_utterance_weigh_fit (u, 2, 48000, 1.5, TRUE, 700 * GST_MSECOND,
      0, &fit);
  fail_unless_equals_float (fit.faster, 0.0);
  fail_unless (fit.too_late);
  cartesia_utterance_weigh_fit (u, 2, 48000, 1.5, TRUE, 700 * GST_MSECOND,
      200 * GST_MSECOND, &fit);
  fail_unless_equals_float (fit.faster, 1.236);
  /* No clock yet: not in time. */
  cartesia_utterance_weigh_fit (u, 2, 48000, 1.5, TRUE, GST_CLOCK_TIME_NONE,
      0, &fit);
  fail_unless_equals_float (fit.faster, 0.0);
  fail_unless (fit.too_late);

  /* Asked again: its settings say so, and it is weighed no more. */
  cartesia_utterance_ask_faster (u, 1.236);
  fail_unless (u->refit);
  fail_unless (u->settings->speed_set);
  fail_unless_equals_float (u->settings->speed, 1.236);
  cartesia_utterance_weigh_fit (u, 2, 48000, 1.5, FALSE, GST_CLOCK_TIME_NONE,
      0, &fit);
  fail_unless_equals_float (fit.faster, 0.0);
  fail_if (fit.too_late);
  cartesia_scheduler_free (sched);

  /* One that fits plays as it is. */
  sched = cartesia_scheduler_new ();
  u = fit_cue (sched, 24000);
  cartesia_utterance_weigh_fit (u, 2, 48000, 1.5, FALSE, GST_CLOCK_TIME_NONE,
      0, &fit);
  fail_unless_equals_float (fit.faster, 0.0);
  fail_if (fit.too_late);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

static Suite *
scheduler_suite (void)
{
  Suite *s = suite_create ("scheduler");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_lifecycle);
  tcase_add_test (tc, test_done_before_started);
  tcase_add_test (tc, test_drop_in_flight);
  tcase_add_test (tc, test_clear_while_draining);
  tcase_add_test (tc, test_fail_stays_failed);
  tcase_add_test (tc, test_requests_ahead);
  tcase_add_test (tc, test_wait_for_server);
  tcase_add_test (tc, test_wait_for_server_refused);
  tcase_add_test (tc, test_timeouts);
  tcase_add_test (tc, test_timeout_races_done);
  tcase_add_test (tc, test_timeout_open);
  tcase_add_test (tc, test_wake);
  tcase_add_test (tc, test_jitter_margin);
  tcase_add_test (tc, test_refit_in_time);
  tcase_add_test (tc, test_rerequested);
  tcase_add_test (tc, test_fit_holds_answer);
  tcase_add_test (tc, test_with_server);
  tcase_add_test (tc, test_audio_before_taken_in);
  tcase_add_test (tc, test_bad_transitions);
  tcase_add_test (tc, test_weigh_fit);
  return s;
}

GST_CHECK_MAIN (scheduler);
