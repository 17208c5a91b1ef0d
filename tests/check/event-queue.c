/* One handle's event queue alone: no connection, no sockets. */
#include <gst/check/gstcheck.h>

#include "cartesia-event-queue.h"

static CartesiaEvent *
audio_event (const gchar * context_id)
{
  return cartesia_event_new (CARTESIA_EVENT_AUDIO, context_id, 0);
}

GST_START_TEST (test_fifo_and_timeout)
{
  CartesiaEventQueue *q = cartesia_event_queue_new ();
  CartesiaEvent *a = audio_event ("a"), *b = audio_event ("b");
  CartesiaEvent *got = NULL;

  /* Empty: the deadline passes. */
  fail_unless_equals_int (cartesia_event_queue_pop (q,
          g_get_monotonic_time () + 10 * G_TIME_SPAN_MILLISECOND, &got),
      CARTESIA_POP_TIMEOUT);
  fail_unless (got == NULL);
  /* A deadline in the past: no wait at all. */
  fail_unless_equals_int (cartesia_event_queue_pop (q, 0, &got),
      CARTESIA_POP_TIMEOUT);

  cartesia_event_queue_push (q, a);
  cartesia_event_queue_push (q, b);
  fail_unless_equals_int (cartesia_event_queue_pop (q, 0, &got),
      CARTESIA_POP_EVENT);
  fail_unless (got == a);
  cartesia_event_free (got);
  fail_unless_equals_int (cartesia_event_queue_pop (q, -1, &got),
      CARTESIA_POP_EVENT);
  fail_unless (got == b);
  cartesia_event_free (got);
  cartesia_event_queue_free (q);
}

GST_END_TEST;

GST_START_TEST (test_flushing_and_wakeup)
{
  CartesiaEventQueue *q = cartesia_event_queue_new ();
  CartesiaEvent *got = NULL;

  cartesia_event_queue_push (q, audio_event ("a"));
  cartesia_event_queue_set_flushing (q, TRUE);
  /* Flushing wins over what is queued, and never waits. */
  fail_unless_equals_int (cartesia_event_queue_pop (q, -1, &got),
      CARTESIA_POP_FLUSHING);
  fail_unless (got == NULL);
  cartesia_event_queue_set_flushing (q, FALSE);
  fail_unless_equals_int (cartesia_event_queue_pop (q, -1, &got),
      CARTESIA_POP_EVENT);
  cartesia_event_free (got);

  /* A wakeup is returned once. */
  cartesia_event_queue_wakeup (q);
  fail_unless_equals_int (cartesia_event_queue_pop (q, -1, &got),
      CARTESIA_POP_WAKEUP);
  fail_unless_equals_int (cartesia_event_queue_pop (q, 0, &got),
      CARTESIA_POP_TIMEOUT);
  /* An event queued meanwhile goes first; the wakeup stays. */
  cartesia_event_queue_wakeup (q);
  cartesia_event_queue_push (q, audio_event ("b"));
  fail_unless_equals_int (cartesia_event_queue_pop (q, -1, &got),
      CARTESIA_POP_EVENT);
  cartesia_event_free (got);
  fail_unless_equals_int (cartesia_event_queue_pop (q, -1, &got),
      CARTESIA_POP_WAKEUP);
  /* Freed with events still queued: no leak (ASan). */
  cartesia_event_queue_push (q, audio_event ("c"));
  cartesia_event_queue_free (q);
}

GST_END_TEST;

static void
on_notify (gpointer user_data)
{
  g_atomic_int_inc ((gint *) user_data);
}

GST_START_TEST (test_notify_and_stats)
{
  CartesiaEventQueue *q = cartesia_event_queue_new ();
  CartesiaSessionStats stats;
  gint calls = 0;

  cartesia_event_queue_set_notify (q, CARTESIA_EVENT_AUDIO, on_notify,
      &calls);
  cartesia_event_queue_push (q, audio_event ("a"));
  cartesia_event_queue_push (q, cartesia_event_new (CARTESIA_EVENT_DONE, "a",
          0));
  cartesia_event_queue_push (q, audio_event ("b"));
  /* Only the type asked for. */
  fail_unless_equals_int (calls, 2);

  cartesia_event_queue_count (q, 1, 0, 100);
  cartesia_event_queue_count (q, 0, 2, 28);
  cartesia_event_queue_count (NULL, 5, 5, 5);
  cartesia_event_queue_get_stats (q, &stats);
  fail_unless_equals_int (stats.connections, 1);
  fail_unless_equals_int (stats.retries, 2);
  fail_unless_equals_uint64 (stats.audio_bytes, 128);
  cartesia_event_queue_free (q);
}

GST_END_TEST;

static gpointer
push_later (gpointer data)
{
  g_usleep (20 * G_TIME_SPAN_MILLISECOND);
  cartesia_event_queue_push (data, audio_event ("late"));
  return NULL;
}

static gpointer
release_later (gpointer data)
{
  g_usleep (20 * G_TIME_SPAN_MILLISECOND);
  cartesia_event_queue_release (data);
  return NULL;
}

/* A pop with no deadline waits for the event another thread pushes; a
 * handle that leaves waits until the connection let go of it. */
GST_START_TEST (test_cross_thread)
{
  CartesiaEventQueue *q = cartesia_event_queue_new ();
  CartesiaEvent *got = NULL;
  GThread *thread;

  thread = g_thread_new ("push", push_later, q);
  fail_unless_equals_int (cartesia_event_queue_pop (q, -1, &got),
      CARTESIA_POP_EVENT);
  fail_unless_equals_string (got->context_id, "late");
  cartesia_event_free (got);
  g_thread_join (thread);

  thread = g_thread_new ("release", release_later, q);
  cartesia_event_queue_wait_released (q);
  g_thread_join (thread);
  /* Once released, waiting again returns at once. */
  cartesia_event_queue_wait_released (q);
  cartesia_event_queue_free (q);
}

GST_END_TEST;

static Suite *
event_queue_suite (void)
{
  Suite *s = suite_create ("event-queue");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_fifo_and_timeout);
  tcase_add_test (tc, test_flushing_and_wakeup);
  tcase_add_test (tc, test_notify_and_stats);
  tcase_add_test (tc, test_cross_thread);
  return s;
}

GST_CHECK_MAIN (event_queue);
