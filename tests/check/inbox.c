/* Unit tests of the inbox between the element's threads (cartesia-inbox.c):
 * the order of ops, what the streaming thread asks of them, and the sink
 * pad's waits for readiness and for room.  No element and no sockets:
 * threads of the test's own, each wait bounded by the suite's timeout.
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

#include <gst/check/gstcheck.h>

#include "cartesia-inbox.h"

static CartesiaInboxOp *
queue_op (const gchar * text, gboolean from_sink, GstClockTime start,
    const gchar * context_id)
{
  CartesiaInboxOp *op = cartesia_inbox_op_new (CARTESIA_INBOX_OP_QUEUE, text,
      NULL);

  op->from_sink = from_sink;
  op->start = start;
  op->context_id = g_strdup (context_id);
  return op;
}

static void
push_sink_ops (CartesiaInbox * inbox, guint n)
{
  guint i;

  for (i = 0; i < n; i++)
    cartesia_inbox_push (inbox, queue_op ("cue", TRUE, GST_CLOCK_TIME_NONE,
            NULL));
}

GST_START_TEST (test_ops_keep_their_order)
{
  CartesiaInbox *inbox = cartesia_inbox_new ();
  GQueue ops = G_QUEUE_INIT;
  CartesiaInboxOp *op;

  cartesia_inbox_push (inbox, queue_op ("one", FALSE, GST_CLOCK_TIME_NONE,
          "ctx-1"));
  cartesia_inbox_push (inbox, cartesia_inbox_op_new
      (CARTESIA_INBOX_OP_INTERRUPT, NULL, NULL));
  cartesia_inbox_push (inbox, cartesia_inbox_op_new (CARTESIA_INBOX_OP_CLEAR,
          NULL, NULL));
  cartesia_inbox_push (inbox, cartesia_inbox_op_new (CARTESIA_INBOX_OP_FLUSH,
          NULL, NULL));
  cartesia_inbox_push (inbox, queue_op ("two", TRUE, GST_CLOCK_TIME_NONE,
          NULL));

  /* Appended after what the caller already holds. */
  g_queue_push_tail (&ops, cartesia_inbox_op_new (CARTESIA_INBOX_OP_CLEAR,
          NULL, NULL));
  cartesia_inbox_take_all (inbox, &ops);
  fail_unless_equals_int (ops.length, 6);
  op = g_queue_pop_head (&ops);
  fail_unless_equals_int (op->type, CARTESIA_INBOX_OP_CLEAR);
  cartesia_inbox_op_free (op);
  op = g_queue_pop_head (&ops);
  fail_unless_equals_int (op->type, CARTESIA_INBOX_OP_QUEUE);
  fail_unless_equals_string (op->text, "one");
  fail_unless_equals_string (op->context_id, "ctx-1");
  fail_if (op->from_sink);
  fail_unless (op->queued_at > 0);
  fail_if (GST_CLOCK_TIME_IS_VALID (op->end));
  fail_if (GST_CLOCK_TIME_IS_VALID (op->pts));
  cartesia_inbox_op_free (op);
  op = g_queue_pop_head (&ops);
  fail_unless_equals_int (op->type, CARTESIA_INBOX_OP_INTERRUPT);
  fail_unless (op->text == NULL);
  cartesia_inbox_op_free (op);
  op = g_queue_pop_head (&ops);
  fail_unless_equals_int (op->type, CARTESIA_INBOX_OP_CLEAR);
  cartesia_inbox_op_free (op);
  op = g_queue_pop_head (&ops);
  fail_unless_equals_int (op->type, CARTESIA_INBOX_OP_FLUSH);
  cartesia_inbox_op_free (op);
  op = g_queue_pop_head (&ops);
  fail_unless_equals_string (op->text, "two");
  fail_unless (op->from_sink);
  cartesia_inbox_op_free (op);

  /* Taken once. */
  cartesia_inbox_take_all (inbox, &ops);
  fail_unless_equals_int (ops.length, 0);
  /* NULL is freed as nothing. */
  cartesia_inbox_op_free (NULL);

  /* Whatever is left when it goes is freed with it. */
  cartesia_inbox_push (inbox, queue_op ("left", FALSE, GST_CLOCK_TIME_NONE,
          NULL));
  cartesia_inbox_free (inbox);
  cartesia_inbox_free (NULL);
}

GST_END_TEST;

GST_START_TEST (test_what_the_streaming_thread_asks)
{
  CartesiaInbox *inbox = cartesia_inbox_new ();

  fail_if (cartesia_inbox_has_due (inbox, 10 * GST_SECOND));
  fail_if (cartesia_inbox_has_context (inbox, "ctx"));

  /* Interrupt and clear queue nothing; a cue for later is not due. */
  cartesia_inbox_push (inbox, cartesia_inbox_op_new
      (CARTESIA_INBOX_OP_INTERRUPT, NULL, NULL));
  cartesia_inbox_push (inbox, queue_op ("later", TRUE, 5 * GST_SECOND,
          "ctx-later"));
  fail_if (cartesia_inbox_has_due (inbox, 5 * GST_SECOND));
  fail_unless (cartesia_inbox_has_due (inbox, 5 * GST_SECOND + 1));
  fail_unless (cartesia_inbox_has_context (inbox, "ctx-later"));
  fail_if (cartesia_inbox_has_context (inbox, "ctx-other"));

  /* Untimed is due at once. */
  cartesia_inbox_push (inbox, queue_op ("now", FALSE, GST_CLOCK_TIME_NONE,
          NULL));
  fail_unless (cartesia_inbox_has_due (inbox, 0));

  /* Drained: EOS and nothing left to take. */
  fail_if (cartesia_inbox_is_drained (inbox));
  cartesia_inbox_set_eos (inbox, TRUE);
  fail_unless (cartesia_inbox_is_eos (inbox));
  fail_if (cartesia_inbox_is_drained (inbox));
  cartesia_inbox_drop_all (inbox);
  fail_unless (cartesia_inbox_is_drained (inbox));
  fail_if (cartesia_inbox_has_due (inbox, GST_CLOCK_TIME_NONE));
  fail_if (cartesia_inbox_has_context (inbox, "ctx-later"));
  cartesia_inbox_set_eos (inbox, FALSE);
  fail_if (cartesia_inbox_is_drained (inbox));

  cartesia_inbox_free (inbox);
}

GST_END_TEST;

GST_START_TEST (test_room_without_waiting)
{
  CartesiaInbox *inbox = cartesia_inbox_new ();
  GMutex outer;

  g_mutex_init (&outer);
  g_mutex_lock (&outer);

  /* Nothing is queued before the element can take it. */
  fail_unless_equals_int (cartesia_inbox_wait_for_room (inbox, &outer,
          TRUE), GST_FLOW_FLUSHING);
  cartesia_inbox_set_ready (inbox, TRUE);
  fail_unless_equals_int (cartesia_inbox_wait_for_room (inbox, &outer,
          TRUE), GST_FLOW_OK);

  /* The application's utterances take no room of the sink pad's. */
  cartesia_inbox_push (inbox, queue_op ("app", FALSE, GST_CLOCK_TIME_NONE,
          NULL));
  push_sink_ops (inbox, CARTESIA_INBOX_MAX_PENDING - 1);
  fail_unless_equals_int (cartesia_inbox_wait_for_room (inbox, &outer,
          TRUE), GST_FLOW_OK);

  /* Full: without waiting the answer is still yes (the streaming thread
   * itself queues what idle streamed text leaves; it makes the room). */
  push_sink_ops (inbox, 1);
  fail_unless_equals_int (cartesia_inbox_wait_for_room (inbox, &outer,
          FALSE), GST_FLOW_OK);

  /* A starved output lets one more in, once. */
  cartesia_inbox_set_starved (inbox, TRUE);
  fail_unless_equals_int (cartesia_inbox_wait_for_room (inbox, &outer,
          TRUE), GST_FLOW_OK);

  /* Flushing and a stopped output say so, waiting or not. */
  cartesia_inbox_set_flushing (inbox, TRUE);
  fail_unless (cartesia_inbox_is_flushing (inbox));
  fail_unless_equals_int (cartesia_inbox_wait_for_room (inbox, &outer,
          TRUE), GST_FLOW_FLUSHING);
  cartesia_inbox_set_flushing (inbox, FALSE);
  cartesia_inbox_stop_output (inbox, GST_FLOW_EOS);
  fail_unless_equals_int (cartesia_inbox_wait_for_room (inbox, &outer,
          TRUE), GST_FLOW_EOS);
  /* An error replaces the end; the end does not replace an error. */
  cartesia_inbox_stop_output (inbox, GST_FLOW_ERROR);
  fail_unless_equals_int (cartesia_inbox_wait_for_room (inbox, &outer,
          FALSE), GST_FLOW_ERROR);
  cartesia_inbox_stop_output (inbox, GST_FLOW_EOS);
  fail_unless_equals_int (cartesia_inbox_wait_for_room (inbox, &outer,
          FALSE), GST_FLOW_ERROR);
  /* A flush (a seek) restarts an ended output, not a failed one. */
  cartesia_inbox_flush_stop (inbox);
  fail_unless_equals_int (cartesia_inbox_wait_for_room (inbox, &outer,
          FALSE), GST_FLOW_ERROR);
  cartesia_inbox_reset_input (inbox);
  cartesia_inbox_stop_output (inbox, GST_FLOW_EOS);
  cartesia_inbox_set_eos (inbox, TRUE);
  cartesia_inbox_set_flushing (inbox, TRUE);
  cartesia_inbox_flush_stop (inbox);
  fail_if (cartesia_inbox_is_flushing (inbox));
  fail_if (cartesia_inbox_is_eos (inbox));
  fail_unless_equals_int (cartesia_inbox_wait_for_room (inbox, &outer,
          TRUE), GST_FLOW_OK);

  g_mutex_unlock (&outer);
  g_mutex_clear (&outer);
  cartesia_inbox_free (inbox);
}

GST_END_TEST;

/* A thread that waits for room, the way the sink pad's does. */
typedef struct
{
  CartesiaInbox *inbox;
  GMutex *outer;
  gint holding;                 /* it holds @outer, about to wait */
  gint returned;
  GstFlowReturn ret;
} Waiter;

static gpointer
wait_for_room_thread (gpointer data)
{
  Waiter *w = data;

  g_mutex_lock (w->outer);
  g_atomic_int_set (&w->holding, 1);
  w->ret = cartesia_inbox_wait_for_room (w->inbox, w->outer, TRUE);
  g_atomic_int_set (&w->returned, 1);
  g_mutex_unlock (w->outer);
  return NULL;
}

/* Starts a waiter and returns once it waits: it let @outer go, which only
 * the wait does, and holds it again before it returns.  The caller holds
 * @outer on return. */
static GThread *
start_waiter (Waiter * w)
{
  GThread *thread;

  thread = g_thread_new ("waiter", wait_for_room_thread, w);
  while (!g_atomic_int_get (&w->holding))
    g_usleep (1000);
  g_mutex_lock (w->outer);
  fail_if (g_atomic_int_get (&w->returned));
  return thread;
}

static void
test_wakes_waiter (void (*wake) (CartesiaInbox * inbox),
    GstFlowReturn expected)
{
  CartesiaInbox *inbox = cartesia_inbox_new ();
  GMutex outer;
  Waiter w = { inbox, &outer, 0, 0, GST_FLOW_CUSTOM_ERROR };
  GThread *thread;

  g_mutex_init (&outer);
  cartesia_inbox_set_ready (inbox, TRUE);
  push_sink_ops (inbox, CARTESIA_INBOX_MAX_PENDING);

  thread = start_waiter (&w);
  /* Still waiting: returning needs @outer, which the test holds. */
  wake (inbox);
  g_mutex_unlock (&outer);
  g_thread_join (thread);
  fail_unless (g_atomic_int_get (&w.returned));
  fail_unless_equals_int (w.ret, expected);

  g_mutex_clear (&outer);
  cartesia_inbox_free (inbox);
}

static void
give_room (CartesiaInbox * inbox)
{
  cartesia_inbox_give_room (inbox);
}

static void
starve (CartesiaInbox * inbox)
{
  cartesia_inbox_set_starved (inbox, TRUE);
}

static void
flush (CartesiaInbox * inbox)
{
  cartesia_inbox_set_flushing (inbox, TRUE);
}

static void
stop (CartesiaInbox * inbox)
{
  cartesia_inbox_set_ready (inbox, FALSE);
}

static void
fail_output (CartesiaInbox * inbox)
{
  cartesia_inbox_stop_output (inbox, GST_FLOW_ERROR);
}

GST_START_TEST (test_room_handed_back)
{
  test_wakes_waiter (give_room, GST_FLOW_OK);
}

GST_END_TEST;

GST_START_TEST (test_starved_lets_one_in)
{
  test_wakes_waiter (starve, GST_FLOW_OK);
}

GST_END_TEST;

GST_START_TEST (test_flushing_ends_the_wait)
{
  test_wakes_waiter (flush, GST_FLOW_FLUSHING);
}

GST_END_TEST;

GST_START_TEST (test_stopping_ends_the_wait)
{
  test_wakes_waiter (stop, GST_FLOW_FLUSHING);
}

GST_END_TEST;

GST_START_TEST (test_failed_output_ends_the_wait)
{
  test_wakes_waiter (fail_output, GST_FLOW_ERROR);
}

GST_END_TEST;

/* The pad's thread waits for the element to be ready. */
typedef struct
{
  CartesiaInbox *inbox;
  gint returned;
  GstFlowReturn ret;
} ReadyWaiter;

static gpointer
wait_ready_thread (gpointer data)
{
  ReadyWaiter *w = data;

  w->ret = cartesia_inbox_wait_ready (w->inbox);
  g_atomic_int_set (&w->returned, 1);
  return NULL;
}

GST_START_TEST (test_wait_ready)
{
  CartesiaInbox *inbox = cartesia_inbox_new ();
  ReadyWaiter w = { inbox, 0, GST_FLOW_CUSTOM_ERROR };
  GThread *thread;

  /* Ready, EOS or flushing: no wait. */
  cartesia_inbox_set_ready (inbox, TRUE);
  fail_unless_equals_int (cartesia_inbox_wait_ready (inbox), GST_FLOW_OK);
  cartesia_inbox_set_ready (inbox, FALSE);
  cartesia_inbox_set_eos (inbox, TRUE);
  fail_unless_equals_int (cartesia_inbox_wait_ready (inbox), GST_FLOW_EOS);
  cartesia_inbox_set_flushing (inbox, TRUE);
  fail_unless_equals_int (cartesia_inbox_wait_ready (inbox),
      GST_FLOW_FLUSHING);
  cartesia_inbox_reset_input (inbox);
  cartesia_inbox_stop_output (inbox, GST_FLOW_EOS);
  fail_unless_equals_int (cartesia_inbox_wait_ready (inbox), GST_FLOW_EOS);
  cartesia_inbox_reset_input (inbox);

  /* Otherwise until the format is known.  (Whether it returned early
   * cannot be told without a clock; that it returns once ready, with OK,
   * is what counts: the suite's timeout bounds the wait.) */
  thread = g_thread_new ("ready", wait_ready_thread, &w);
  g_usleep (20 * 1000);
  fail_if (g_atomic_int_get (&w.returned));
  cartesia_inbox_set_ready (inbox, TRUE);
  g_thread_join (thread);
  fail_unless_equals_int (w.ret, GST_FLOW_OK);

  cartesia_inbox_free (inbox);
}

GST_END_TEST;

static Suite *
inbox_suite (void)
{
  Suite *s = suite_create ("inbox");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_ops_keep_their_order);
  tcase_add_test (tc, test_what_the_streaming_thread_asks);
  tcase_add_test (tc, test_room_without_waiting);
  tcase_add_test (tc, test_room_handed_back);
  tcase_add_test (tc, test_starved_lets_one_in);
  tcase_add_test (tc, test_flushing_ends_the_wait);
  tcase_add_test (tc, test_stopping_ends_the_wait);
  tcase_add_test (tc, test_failed_output_ends_the_wait);
  tcase_add_test (tc, test_wait_ready);
  return s;
}

GST_CHECK_MAIN (inbox);
