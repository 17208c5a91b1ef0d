/* Cartesia text-to-speech: the element's inbox
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/* What the application and the sink pad hand to the streaming thread: ops
 * (gstcartesiattssrc-inbox.c pushes them; the streaming thread takes them
 * at its next buffer with cartesia_inbox_take_all()).  No element, no
 * sockets: unit-tested in tests/check/inbox.c.
 *
 * The other way, the streaming thread hands back room: the sink pad waits
 * while CARTESIA_INBOX_MAX_PENDING of its utterances are unfinished.
 * Every condition it waits for is the inbox's, under the inbox's own lock
 * and cond. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cartesia-inbox.h"

struct _CartesiaInbox
{
  GMutex lock;
  GCond cond;                   /* any change a waiter waits for */
  GQueue ops;                   /* CartesiaInboxOp, oldest first */
  guint pending;                /* the sink pad's utterances not finished */
  gboolean starved;             /* the output waits for the next cue */
  GstFlowReturn flow;           /* not OK: the output stopped for good */
  gboolean flushing;            /* the sink pad's input */
  gboolean eos;                 /* ... had EOS */
  gboolean ready;               /* a session and a format to ask for */
};

/* ---- ops ---- */

CartesiaInboxOp *
cartesia_inbox_op_new (CartesiaInboxOpType type, const gchar * text,
    const gchar * id)
{
  CartesiaInboxOp *op = g_new0 (CartesiaInboxOp, 1);

  op->type = type;
  op->text = g_strdup (text);
  op->id = g_strdup (id);
  op->start = op->end = op->pts = GST_CLOCK_TIME_NONE;
  op->queued_at = g_get_monotonic_time ();
  return op;
}

void
cartesia_inbox_op_free (CartesiaInboxOp * op)
{
  if (op == NULL)
    return;
  g_free (op->text);
  g_free (op->id);
  g_free (op->context_id);
  cartesia_settings_free (op->settings);
  g_free (op);
}

static void
op_free (gpointer data)
{
  cartesia_inbox_op_free (data);
}

/* ---- the inbox ---- */

CartesiaInbox *
cartesia_inbox_new (void)
{
  CartesiaInbox *inbox = g_new0 (CartesiaInbox, 1);

  g_mutex_init (&inbox->lock);
  g_cond_init (&inbox->cond);
  g_queue_init (&inbox->ops);
  inbox->flow = GST_FLOW_OK;
  return inbox;
}

void
cartesia_inbox_free (CartesiaInbox * inbox)
{
  if (inbox == NULL)
    return;
  g_queue_clear_full (&inbox->ops, op_free);
  g_mutex_clear (&inbox->lock);
  g_cond_clear (&inbox->cond);
  g_free (inbox);
}

void
cartesia_inbox_push (CartesiaInbox * inbox, CartesiaInboxOp * op)
{
  g_mutex_lock (&inbox->lock);
  g_queue_push_tail (&inbox->ops, op);
  if (op->type == CARTESIA_INBOX_OP_QUEUE && op->from_sink)
    inbox->pending++;
  g_mutex_unlock (&inbox->lock);
}

void
cartesia_inbox_take_all (CartesiaInbox * inbox, GQueue * ops)
{
  CartesiaInboxOp *op;

  g_mutex_lock (&inbox->lock);
  while ((op = g_queue_pop_head (&inbox->ops)))
    g_queue_push_tail (ops, op);
  g_mutex_unlock (&inbox->lock);
}

void
cartesia_inbox_drop_all (CartesiaInbox * inbox)
{
  GQueue ops = G_QUEUE_INIT;

  cartesia_inbox_take_all (inbox, &ops);
  /* Freed outside the lock: the lock stays a leaf. */
  g_queue_clear_full (&ops, op_free);
}

gboolean
cartesia_inbox_has_due (CartesiaInbox * inbox, GstClockTime end)
{
  gboolean due = FALSE;
  GList *l;

  g_mutex_lock (&inbox->lock);
  for (l = inbox->ops.head; l && !due; l = l->next) {
    CartesiaInboxOp *op = l->data;

    due = op->type == CARTESIA_INBOX_OP_QUEUE
        && (!GST_CLOCK_TIME_IS_VALID (op->start) || op->start < end);
  }
  g_mutex_unlock (&inbox->lock);
  return due;
}

gboolean
cartesia_inbox_has_context (CartesiaInbox * inbox,
    const gchar * context_id)
{
  gboolean found = FALSE;
  GList *l;

  g_mutex_lock (&inbox->lock);
  for (l = inbox->ops.head; l && !found; l = l->next)
    found = g_strcmp0 (((CartesiaInboxOp *) l->data)->context_id,
        context_id) == 0;
  g_mutex_unlock (&inbox->lock);
  return found;
}

gboolean
cartesia_inbox_is_drained (CartesiaInbox * inbox)
{
  gboolean drained;

  g_mutex_lock (&inbox->lock);
  drained = inbox->eos && inbox->ops.length == 0;
  g_mutex_unlock (&inbox->lock);
  return drained;
}

void
cartesia_inbox_give_room (CartesiaInbox * inbox)
{
  g_mutex_lock (&inbox->lock);
  g_warn_if_fail (inbox->pending > 0);
  if (inbox->pending > 0)
    inbox->pending--;
  g_cond_broadcast (&inbox->cond);
  g_mutex_unlock (&inbox->lock);
}

void
cartesia_inbox_set_starved (CartesiaInbox * inbox, gboolean starved)
{
  g_mutex_lock (&inbox->lock);
  if (starved != inbox->starved) {
    inbox->starved = starved;
    g_cond_broadcast (&inbox->cond);
  }
  g_mutex_unlock (&inbox->lock);
}

void
cartesia_inbox_stop_output (CartesiaInbox * inbox, GstFlowReturn flow)
{
  g_mutex_lock (&inbox->lock);
  if (inbox->flow == GST_FLOW_OK || (flow == GST_FLOW_ERROR
          && inbox->flow == GST_FLOW_EOS))
    inbox->flow = flow;
  g_cond_broadcast (&inbox->cond);
  g_mutex_unlock (&inbox->lock);
}

void
cartesia_inbox_set_ready (CartesiaInbox * inbox, gboolean ready)
{
  g_mutex_lock (&inbox->lock);
  inbox->ready = ready;
  g_cond_broadcast (&inbox->cond);
  g_mutex_unlock (&inbox->lock);
}

/* ---- the sink pad's state ---- */

void
cartesia_inbox_reset_input (CartesiaInbox * inbox)
{
  g_mutex_lock (&inbox->lock);
  inbox->flushing = FALSE;
  inbox->eos = FALSE;
  inbox->pending = 0;
  inbox->starved = FALSE;
  inbox->flow = GST_FLOW_OK;
  g_cond_broadcast (&inbox->cond);
  g_mutex_unlock (&inbox->lock);
}

void
cartesia_inbox_set_flushing (CartesiaInbox * inbox, gboolean flushing)
{
  g_mutex_lock (&inbox->lock);
  inbox->flushing = flushing;
  g_cond_broadcast (&inbox->cond);
  g_mutex_unlock (&inbox->lock);
}

gboolean
cartesia_inbox_is_flushing (CartesiaInbox * inbox)
{
  gboolean flushing;

  g_mutex_lock (&inbox->lock);
  flushing = inbox->flushing;
  g_mutex_unlock (&inbox->lock);
  return flushing;
}

void
cartesia_inbox_flush_stop (CartesiaInbox * inbox)
{
  g_mutex_lock (&inbox->lock);
  inbox->flushing = FALSE;
  inbox->eos = FALSE;
  /* A seek after the end starts the speech again. */
  if (inbox->flow == GST_FLOW_EOS)
    inbox->flow = GST_FLOW_OK;
  g_cond_broadcast (&inbox->cond);
  g_mutex_unlock (&inbox->lock);
}

void
cartesia_inbox_set_eos (CartesiaInbox * inbox, gboolean eos)
{
  g_mutex_lock (&inbox->lock);
  inbox->eos = eos;
  g_cond_broadcast (&inbox->cond);
  g_mutex_unlock (&inbox->lock);
}

gboolean
cartesia_inbox_is_eos (CartesiaInbox * inbox)
{
  gboolean eos;

  g_mutex_lock (&inbox->lock);
  eos = inbox->eos;
  g_mutex_unlock (&inbox->lock);
  return eos;
}

GstFlowReturn
cartesia_inbox_wait_ready (CartesiaInbox * inbox)
{
  GstFlowReturn ret;

  g_mutex_lock (&inbox->lock);
  while (!inbox->flushing && !inbox->eos && inbox->flow == GST_FLOW_OK
      && !inbox->ready)
    g_cond_wait (&inbox->cond, &inbox->lock);
  if (inbox->flushing)
    ret = GST_FLOW_FLUSHING;
  else if (inbox->eos)
    ret = GST_FLOW_EOS;
  else
    ret = inbox->flow;
  g_mutex_unlock (&inbox->lock);
  return ret;
}

GstFlowReturn
cartesia_inbox_wait_for_room (CartesiaInbox * inbox, GMutex * outer,
    gboolean wait)
{
  GstFlowReturn ret;

  g_mutex_lock (&inbox->lock);
  /* A starved output waits for the next cue: the ones queued cannot end
   * before it, so it is let in beyond the quota. */
  while (wait && !inbox->flushing && inbox->flow == GST_FLOW_OK
      && inbox->ready && inbox->pending >= CARTESIA_INBOX_MAX_PENDING
      && !inbox->starved) {
    /* Only the inbox's state is looked at, under its lock: no change can
     * come between letting @outer go and waiting. */
    g_mutex_unlock (outer);
    g_cond_wait (&inbox->cond, &inbox->lock);
    /* @outer comes first. */
    g_mutex_unlock (&inbox->lock);
    g_mutex_lock (outer);
    g_mutex_lock (&inbox->lock);
  }
  if (inbox->flushing || !inbox->ready) {
    ret = GST_FLOW_FLUSHING;
  } else {
    /* One cue per stall: the streaming thread says again if it still
     * waits. */
    if (inbox->pending >= CARTESIA_INBOX_MAX_PENDING)
      inbox->starved = FALSE;
    ret = inbox->flow;
  }
  g_mutex_unlock (&inbox->lock);
  return ret;
}

