/* Cartesia text-to-speech: the element's inbox
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>
#include "cartesia-settings.h"

G_BEGIN_DECLS

/* What the application (queue-utterance, interrupt, clear) and the sink pad
 * (utterances, flushes) hand to the streaming thread, and the room the
 * streaming thread hands back to the sink pad (at most
 * CARTESIA_INBOX_MAX_PENDING of its utterances unfinished).
 *
 * It has a lock and a cond of its own, taken after the object lock (never
 * before) and a leaf: nothing else is taken while it is held.  Every
 * condition the sink pad's thread waits for is the inbox's, so a wait never
 * needs the object lock. */
typedef struct _CartesiaInbox CartesiaInbox;

/* Utterances from the sink pad not yet finished, at most: the pad's thread
 * waits for room beyond (non-live upstream pushes as fast as we take). */
#define CARTESIA_INBOX_MAX_PENDING 4

typedef enum
{
  CARTESIA_INBOX_OP_QUEUE,
  CARTESIA_INBOX_OP_INTERRUPT,
  CARTESIA_INBOX_OP_CLEAR,
  CARTESIA_INBOX_OP_FLUSH,        /* the sink pad flushed: its utterances go */
} CartesiaInboxOpType;

/* One request for the streaming thread. */
typedef struct
{
  CartesiaInboxOpType type;
  gchar *text;
  gchar *id;
  gchar *context_id;            /* QUEUE: already requested, or NULL */
  gint64 sent_at;
  gint64 queued_at;
  gboolean from_sink;
  GstClockTime start;           /* running times, for timed cues */
  GstClockTime end;
  gint overflow;                /* GstCartesiaOverflow */
  GstClockTime pts;             /* a cue's PTS */
  CartesiaSettings *settings;   /* QUEUE: copied when queued */
} CartesiaInboxOp;

/* A new op of @type (queued now), to fill and push. */
CartesiaInboxOp *cartesia_inbox_op_new (CartesiaInboxOpType type,
    const gchar * text, const gchar * id);
void cartesia_inbox_op_free (CartesiaInboxOp * op);

CartesiaInbox *cartesia_inbox_new (void);
void cartesia_inbox_free (CartesiaInbox * inbox);

/* ---- producers (any thread) ---- */

/* Takes @op.  A QUEUE op from the sink pad is one more of its utterances
 * pending, until cartesia_inbox_give_room(). */
void cartesia_inbox_push (CartesiaInbox * inbox, CartesiaInboxOp * op);

/* ---- the streaming thread ---- */

/* Moves every op waiting, oldest first, to the tail of @ops. */
void cartesia_inbox_take_all (CartesiaInbox * inbox, GQueue * ops);
/* Drops every op waiting (the element stopped). */
void cartesia_inbox_drop_all (CartesiaInbox * inbox);
/* Is an op waiting that queues something due by running time @end
 * (untimed, or a cue that starts before it)? */
gboolean cartesia_inbox_has_due (CartesiaInbox * inbox,
    GstClockTime end);
/* Is an op waiting that was requested as @context_id? */
gboolean cartesia_inbox_has_context (CartesiaInbox * inbox,
    const gchar * context_id);
/* The sink pad had EOS and no op waits. */
gboolean cartesia_inbox_is_drained (CartesiaInbox * inbox);
/* One of the sink pad's utterances finished: room for another. */
void cartesia_inbox_give_room (CartesiaInbox * inbox);
/* Non-live: the output waits for the next cue (@starved), or no more. */
void cartesia_inbox_set_starved (CartesiaInbox * inbox,
    gboolean starved);
/* The output stopped for good: the pad's thread stops waiting and takes
 * no more text.  GST_FLOW_ERROR replaces an earlier GST_FLOW_EOS; any
 * other @flow only replaces GST_FLOW_OK. */
void cartesia_inbox_stop_output (CartesiaInbox * inbox,
    GstFlowReturn flow);
/* The element can take text (a session and a negotiated format), or no
 * longer (stopping). */
void cartesia_inbox_set_ready (CartesiaInbox * inbox, gboolean ready);

/* ---- the sink pad's state ---- */

/* The element starts: no text yet, nothing pending, output flowing. */
void cartesia_inbox_reset_input (CartesiaInbox * inbox);
/* Flushing (the pad flushes, is deactivated, or the element stops): a
 * thread waiting for room or readiness gives up. */
void cartesia_inbox_set_flushing (CartesiaInbox * inbox,
    gboolean flushing);
gboolean cartesia_inbox_is_flushing (CartesiaInbox * inbox);
/* FLUSH_STOP: a new stream; output that had ended (EOS) flows again. */
void cartesia_inbox_flush_stop (CartesiaInbox * inbox);
/* The sink pad had EOS (TRUE), or a new stream began (FALSE). */
void cartesia_inbox_set_eos (CartesiaInbox * inbox, gboolean eos);
gboolean cartesia_inbox_is_eos (CartesiaInbox * inbox);
/* The pad's thread: waits until the element can take text.  Returns
 * GST_FLOW_OK, GST_FLOW_FLUSHING, GST_FLOW_EOS (after the pad's EOS) or
 * how the output stopped. */
GstFlowReturn cartesia_inbox_wait_ready (CartesiaInbox * inbox);
/* The pad's thread, @outer held (the object lock): whether the pad may
 * queue one more utterance now, waiting for room (@wait) if it must, with
 * @outer released meanwhile (and taken again before the inbox's lock).
 * Nothing is queued while flushing or not ready, or once the output
 * stopped. */
GstFlowReturn cartesia_inbox_wait_for_room (CartesiaInbox * inbox,
    GMutex * outer, gboolean wait);

G_END_DECLS
