/* gst-cartesia: live mode's scheduler: events in, actions out (pure).
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#pragma once

/* What the server says (a CartesiaEvent) and what the player reports (a
 * CartesiaPlayerEvent) go in with the time; the utterances' states change
 * here, the scheduler's player gets the audio (and hears when an
 * utterance's audio is all in), and what else is to be done comes out as a
 * list of actions, in the order they are to be carried out:
 * gstcartesiattssrc-live.c carries them out (session calls, bus messages,
 * counters, captions).  No sockets, threads, clock or GstElement. */

#include "cartesia-scheduler.h"
#include "cartesia-event.h"
#include "cartesia-player.h"

G_BEGIN_DECLS

typedef enum
{
  /* The server's events: */
  CARTESIA_ACTION_FAIL,         /* @u could not be served (event's error):
                                 * it waits out an outage or is given up */
  CARTESIA_ACTION_WARN,         /* an error that concerns no utterance */
  CARTESIA_ACTION_TIMED_OUT,    /* the server left @u in silence too long:
                                 * it is given up (@received_at: now;
                                 * @timeout_s, @stall_ms: the error's) */
  CARTESIA_ACTION_STREAM_HEARD, /* streamed text of @u was answered (at) */
  CARTESIA_ACTION_FIRST_ANSWER_PLAYS,   /* overflow=fit: asking again
                                 * failed, @u's first answer plays (given to
                                 * the player already) */
  CARTESIA_ACTION_WORD,         /* post @word of @u (@phonemes) */
  CARTESIA_ACTION_CANCEL,       /* cancel @u's context on the server */
  /* Dropping (interrupt, clear, flush, failure): */
  CARTESIA_ACTION_DROPPED,      /* @u is stopped: streamed text that comes
                                 * after opens a new utterance (before its
                                 * CANCEL: nothing more goes to its context) */
  /* The player's events: */
  CARTESIA_ACTION_STARTED,      /* post utterance-started for @u at @at */
  CARTESIA_ACTION_FINISHED,     /* post utterance-finished for @u at @at
                                 * (also for one dropped before it played) */
  CARTESIA_ACTION_CUE_FINISHED, /* post cue-finished for @u (@clipped) */
  CARTESIA_ACTION_UNDERRUN,     /* count @underrun of silence (may be 0);
                                 * @underrun_samples, @clipped: for the log */
  CARTESIA_ACTION_INTERRUPTED,  /* count an interrupted utterance */
  CARTESIA_ACTION_CAPTION_GAP,  /* an empty caption at @at (no words) */
  CARTESIA_ACTION_FORGET,       /* @u leaves for good (the last of its) */
} CartesiaActionType;

typedef struct
{
  CartesiaActionType type;
  /* The scheduler's; valid until the FORGET action for it is carried out. */
  CartesiaUtterance *u;
  GstClockTime at;              /* STARTED, FINISHED, CAPTION_GAP */
  gint64 received_at;           /* STREAM_HEARD */
  CartesiaWord word;            /* WORD: the utterance's (not a copy) */
  gboolean phonemes;            /* WORD */
  guint64 samples;              /* FINISHED */
  guint64 underrun_samples;     /* FINISHED */
  GstClockTime underrun;        /* UNDERRUN */
  gboolean interrupted;         /* FINISHED */
  gboolean clipped;             /* FINISHED, CUE_FINISHED */
  guint timeout_s;              /* TIMED_OUT */
  guint stall_ms;               /* TIMED_OUT: 0 for the timeout's text */
} CartesiaAction;

/* Questions only the element can answer, asked while an event is taken
 * in (each may act at once, before the actions listed so far). */
typedef struct
{
  /* overflow=fit, all of @u's first answer is in: TRUE if it was asked
   * again (faster); FALSE: the held answer was released to the player
   * (cartesia_scheduler_release_held()). */
  gboolean (*fit_cue) (CartesiaUtterance * u, gpointer user_data);
  /* Streamed text of @u that spoke already was refused (@reason): TRUE if
   * the text the server had not answered went to a new context. */
  gboolean (*stream_lost) (CartesiaUtterance * u, const gchar * reason,
      gpointer user_data);
  gpointer user_data;
} CartesiaSchedulerHooks;

/* A new list of CartesiaAction. */
GArray *cartesia_actions_new (void);
const gchar *cartesia_action_type_name (CartesiaActionType type);

/* The server's @event, for the utterance of its context (or, an error of
 * the connection itself, for those the server is answering).  @audio_rt:
 * the running time now, for AUDIO's first audio.  Late output (a context
 * no utterance has, or one done) changes nothing.  Appends to @actions. */
void cartesia_scheduler_on_server_event (CartesiaScheduler * sched,
    const CartesiaEvent * event, GstClockTime audio_rt,
    const CartesiaSchedulerHooks * hooks, GArray * actions);

/* The player's @e, from a fill that starts at running time @pts, at
 * @rate; @word_timestamps: words make the captions (else each finished
 * utterance leaves a gap).  Appends to @actions; an utterance finished
 * ends with FORGET. */
void cartesia_scheduler_on_player_event (CartesiaScheduler * sched,
    const CartesiaPlayerEvent * e, GstClockTime pts, gint rate,
    gboolean word_timestamps, GArray * actions);

/* Streamed text of @u still coming? */
typedef gboolean (*CartesiaSchedulerOpenFunc) (CartesiaUtterance * u,
    gpointer user_data);

/* At @now (monotonic µs), with @timeout_s and @stall_ms as the properties
 * (0: off): TIMED_OUT for each utterance the server left in silence too
 * long (cartesia_utterance_timed_out()), in order.  @is_open (may be
 * NULL) says which have streamed text still coming: their silence counts
 * from now. */
void cartesia_scheduler_check_timeouts (CartesiaScheduler * sched,
    gint64 now, guint timeout_s, guint stall_ms,
    CartesiaSchedulerOpenFunc is_open, gpointer user_data, GArray * actions);

/* Stops @u (@failed: given up) at running time @now_rt: DROPPED, CANCEL
 * if the server was still answering it; it leaves the player.  One that
 * was playing fades out and the player reports it finished; any other
 * goes now: FINISHED (interrupted) and INTERRUPTED unless @failed, and
 * FORGET. */
void cartesia_scheduler_drop (CartesiaScheduler * sched,
    CartesiaUtterance * u, gboolean failed, GstClockTime now_rt,
    GArray * actions);
/* The application's interrupt: drops what speaks now, or is about to. */
void cartesia_scheduler_interrupt (CartesiaScheduler * sched,
    GstClockTime now_rt, GArray * actions);
/* The application's clear: drops everything waiting; what speaks now goes
 * on. */
void cartesia_scheduler_clear_waiting (CartesiaScheduler * sched,
    GstClockTime now_rt, GArray * actions);
/* The sink pad flushed: drops its utterances. */
void cartesia_scheduler_drop_from_sink (CartesiaScheduler * sched,
    GstClockTime now_rt, GArray * actions);

G_END_DECLS
