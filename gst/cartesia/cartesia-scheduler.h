/* gst-cartesia: live mode's utterances and the decisions about them (pure).
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#pragma once

/* No sockets, threads, clock or GstElement: every time is passed in
 * (monotonic µs as from g_get_monotonic_time() for the network's, running
 * times as GstClockTime for the timeline's), so that tests can drive it
 * with a fake clock.  gstcartesiattssrc-live.c feeds it what happens and
 * carries out what it decides (requests, cancels, messages).
 *
 * An utterance's life (docs/architecture.md draws it):
 *
 *   QUEUED --requested--> REQUESTED --started--> PLAYING
 *     ^                     |   |                   |
 *     +--wait_for_server----+   +--done--> DRAINING <--done--+
 *
 *   any state --drop--> DROPPED (interrupted, cleared, flushed)
 *   any state --fail--> FAILED
 *
 * A DRAINING utterance may start later (its audio was all in first);
 * "started" is its own fact (started_rt), not a state.  DROPPED and FAILED
 * ones that were playing stay in the list until the player has faded them
 * out and reported them finished. */

#include <gst/gst.h>
#include "cartesia-player.h"
#include "cartesia-policy.h"
#include "cartesia-settings.h"

G_BEGIN_DECLS

/* How many utterances may be with the server at once: the one playing and
 * the next, so that back-to-back utterances leave no gap. */
#define CARTESIA_SCHEDULER_REQUESTS_AHEAD 2
/* How long an utterance waiting out an outage waits between requests. */
#define CARTESIA_SCHEDULER_OUTAGE_RETRY_US (1 * G_TIME_SPAN_SECOND)

typedef enum
{
  CARTESIA_UTTERANCE_QUEUED,    /* not with the server (yet, or again) */
  CARTESIA_UTTERANCE_REQUESTED, /* with the server, not playing */
  CARTESIA_UTTERANCE_PLAYING,   /* its first sample went out */
  CARTESIA_UTTERANCE_DRAINING,  /* the server sent all it will */
  CARTESIA_UTTERANCE_DROPPED,   /* stopped: nothing more of it is heard */
  CARTESIA_UTTERANCE_FAILED,    /* the same, for a failure */
} CartesiaUtteranceState;

typedef enum
{
  CARTESIA_TIMEOUT_NONE,
  CARTESIA_TIMEOUT_STALL,       /* silent in the middle (stall-timeout-ms) */
  CARTESIA_TIMEOUT_SILENT,      /* silent for `timeout` seconds */
} CartesiaTimeoutKind;

typedef struct
{
  gchar *word;
  gdouble start;
  gdouble end;
} CartesiaWord;

typedef struct
{
  CartesiaUtteranceState state;
  guint handle;                 /* the player's: the scheduler gives it */
  gchar *id;                    /* the application's */
  gchar *text;
  gchar *context_id;            /* once requested */
  gboolean from_sink;
  CartesiaSettings *settings;   /* what every request of it says */
  gint64 queued_at;             /* monotonic µs: max-wait-ms counts from it */
  gint64 sent_at;               /* 0: not yet */
  gint64 first_audio_at;        /* 0: none yet */
  gint64 last_heard;            /* for the timeouts; 0: not with the server */
  gint64 retry_at;              /* waiting for the server: not before this */
  GstClockTime first_audio_rt;  /* running time the streaming thread saw it */
  gboolean margin_set;          /* its start was weighed against its arrival */
  GstClockTime start_rt;        /* a cue's running time, or NONE */
  GstClockTime end_rt;          /* where a cue ends, or NONE */
  GstClockTime cue_pts;
  GstClockTime started_rt;      /* where its first sample is; NONE: not yet */
  GArray *words;                /* CartesiaWord, posted once it started */
  GArray *phonemes;             /* CartesiaWord, the same */
  /* overflow=fit: */
  GByteArray *held;             /* an answer, until weighed against the cue */
  gboolean refit;               /* asked again, faster */
  gboolean held_second;         /* what is held is the faster answer */
  guint64 speech_bytes;         /* of the answer that plays */
} CartesiaUtterance;

/* A new QUEUED utterance (no handle until added). */
CartesiaUtterance *cartesia_utterance_new (const gchar * id,
    const gchar * text, gint64 queued_at);
void cartesia_utterance_free (CartesiaUtterance * u);
const gchar *cartesia_utterance_state_name (CartesiaUtteranceState state);

gboolean cartesia_utterance_is_started (const CartesiaUtterance * u);
/* The server has nothing more to say for it (DRAINING, DROPPED, FAILED):
 * what comes for its context is late output, to be ignored. */
gboolean cartesia_utterance_is_done (const CartesiaUtterance * u);
/* DROPPED or FAILED. */
gboolean cartesia_utterance_is_dropped (const CartesiaUtterance * u);
/* Time to first audio, or NONE if unknown. */
GstClockTime cartesia_utterance_ttfa (const CartesiaUtterance * u);

/* QUEUED → REQUESTED under @context_id (taken), at @now. */
void cartesia_utterance_requested (CartesiaUtterance * u, gchar * context_id,
    gint64 now);
/* Asked again (overflow=fit) under @context_id (taken): what the first
 * answer said of its words goes. */
void cartesia_utterance_rerequested (CartesiaUtterance * u,
    gchar * context_id, gint64 now);
/* The server said something of it at @received_at (for the timeouts). */
void cartesia_utterance_heard (CartesiaUtterance * u, gint64 received_at);
/* Its audio came at @received_at, seen at running time @now_rt: TRUE if
 * that was its first (which sets its time to first audio). */
gboolean cartesia_utterance_first_audio (CartesiaUtterance * u,
    gint64 received_at, GstClockTime now_rt);
/* Audio of @u, @len bytes.  overflow=fit holds an answer until it is
 * weighed against its cue (the faster answer's first audio replaces the
 * first answer's): TRUE, held.  FALSE: it plays (the caller pushes it),
 * counted in speech_bytes. */
gboolean cartesia_utterance_hold_audio (CartesiaUtterance * u,
    const guint8 * data, gsize len);
/* overflow=fit: the held answer plays: returned (the caller's), its length
 * in speech_bytes; nothing is held any more. */
GByteArray *cartesia_utterance_release_held (CartesiaUtterance * u);
/* Its first sample is at running time @started_rt: REQUESTED → PLAYING (a
 * DRAINING one stays so). */
void cartesia_utterance_started (CartesiaUtterance * u,
    GstClockTime started_rt);
/* The server sent all it will: → DRAINING. */
void cartesia_utterance_done (CartesiaUtterance * u);
/* Stopped (@failed: given up): → DROPPED or FAILED.  TRUE if the server
 * was still answering it: its context must be cancelled. */
gboolean cartesia_utterance_drop (CartesiaUtterance * u, gboolean failed);
/* The request failed with @kind (@http_status, 0 if none) at @now.  Live,
 * an application's utterance that has not spoken waits out an outage of up
 * to @max_wait_ms after it was queued: REQUESTED → QUEUED, to be requested
 * again from @now + CARTESIA_SCHEDULER_OUTAGE_RETRY_US, and TRUE; its old
 * context is handed to @cancel (to cancel; NULL if none).  FALSE: it fails. */
gboolean cartesia_utterance_wait_for_server (CartesiaUtterance * u,
    gboolean live, CartesiaErrorKind kind, guint http_status, gint64 now,
    guint max_wait_ms, gchar ** cancel);
/* Has the server been silent too long at @now?  @timeout_s and @stall_ms
 * as the properties (0: off; a stall watchdog no shorter than the timeout
 * is off).  An @open utterance (streamed text still coming) waits for us,
 * not we for it: its silence counts from now. */
CartesiaTimeoutKind cartesia_utterance_timed_out (CartesiaUtterance * u,
    gint64 now, guint timeout_s, guint stall_ms, gboolean open);
/* Live, jitter-margin-ms: an utterance whose first audio arrived at
 * @first_audio_rt late in the buffer at @pts starts no earlier than the
 * timeline's running time returned, so that a sink, playing @latency
 * later, plays it @margin after it arrived; NONE: no need (or not yet:
 * no audio, a cue, started).  Weighed once. */
GstClockTime cartesia_utterance_not_before (CartesiaUtterance * u,
    GstClockTime margin, GstClockTime pts, GstClockTime latency);

typedef struct _CartesiaScheduler CartesiaScheduler;

CartesiaScheduler *cartesia_scheduler_new (void);
void cartesia_scheduler_free (CartesiaScheduler * sched);
/* The player the utterances play in, their handles its ids: taken (the
 * one before is freed; NULL: none).  The scheduler pushes the server's
 * audio to it and tells it when an utterance's audio is all in. */
void cartesia_scheduler_set_player (CartesiaScheduler * sched,
    CartesiaPlayer * player);
CartesiaPlayer *cartesia_scheduler_get_player (CartesiaScheduler * sched);
/* overflow=fit: @u's held answer plays (to the player, if any). */
void cartesia_scheduler_release_held (CartesiaScheduler * sched,
    CartesiaUtterance * u);
/* Takes @u, after the others, with the next handle. */
void cartesia_scheduler_add (CartesiaScheduler * sched, CartesiaUtterance * u);
/* Removes and frees @u. */
void cartesia_scheduler_forget (CartesiaScheduler * sched,
    CartesiaUtterance * u);
/* Frees them all; the handles go on. */
void cartesia_scheduler_clear (CartesiaScheduler * sched);
/* The utterances in the order they play (CartesiaUtterance). */
GList *cartesia_scheduler_list (CartesiaScheduler * sched);
guint cartesia_scheduler_length (CartesiaScheduler * sched);
CartesiaUtterance *cartesia_scheduler_find_by_context (CartesiaScheduler *
    sched, const gchar * context_id);
CartesiaUtterance *cartesia_scheduler_find_by_handle (CartesiaScheduler *
    sched, guint handle);
/* What speaks now, or is about to: the first not dropped; NULL if none. */
CartesiaUtterance *cartesia_scheduler_head (CartesiaScheduler * sched);
/* Those the server is answering (REQUESTED, PLAYING), in order: what an
 * error of the connection itself concerns.  The array is the caller's; the
 * utterances stay the scheduler's. */
GPtrArray *cartesia_scheduler_with_server (CartesiaScheduler * sched);
/* The next utterance to request at @now: QUEUED, among the first
 * CARTESIA_SCHEDULER_REQUESTS_AHEAD not dropped, past its retry_at; NULL
 * if none. */
CartesiaUtterance *cartesia_scheduler_next_request (CartesiaScheduler *
    sched, gint64 now);
/* Idle live output (nothing started) stops waiting for the end of a buffer
 * of silence ending at @end when the first audio comes: @wake_on_audio;
 * @wake_due if something not dropped is due by @end (untimed, or a cue
 * that starts before it). */
void cartesia_scheduler_wake (CartesiaScheduler * sched, GstClockTime end,
    gboolean * wake_on_audio, gboolean * wake_due);
/* overflow=fit, live: a second answer can be there by the time a sink
 * plays the cue at @start_rt (@delay later), when the first took @ttfa. */
gboolean cartesia_scheduler_refit_in_time (GstClockTime now_rt,
    GstClockTime ttfa, GstClockTime start_rt, GstClockTime delay);

/* overflow=fit: the whole first answer of cue @u is held; weighed against
 * its cue. */
typedef struct
{
  guint64 speech;               /* samples of speech held */
  guint64 cue;                  /* samples the cue lasts */
  gdouble speed;                /* what it was asked at */
  gdouble faster;               /* ask again at this; 0.0: it plays (clipped
                                 * by the player if still too long) */
  gboolean too_late;            /* faster would fit, but a second answer
                                 * would come too late (faster is 0.0) */
} CartesiaFit;

/* Weighs @u's held answer (@bpf bytes per sample at @rate) against its
 * cue: asked faster at most once, up to @max_speed; @live, only if the
 * second answer can be there in time (cartesia_scheduler_refit_in_time()
 * at @now_rt, a sink playing @delay later). */
void cartesia_utterance_weigh_fit (const CartesiaUtterance * u, guint bpf,
    gint rate, gdouble max_speed, gboolean live, GstClockTime now_rt,
    GstClockTime delay, CartesiaFit * fit);
/* Asked again at @faster: its settings say so from now on (the caller
 * sends the request, then cartesia_utterance_rerequested()). */
void cartesia_utterance_ask_faster (CartesiaUtterance * u, gdouble faster);

G_END_DECLS
