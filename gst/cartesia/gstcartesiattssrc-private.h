/* GStreamer Cartesia text-to-speech source: what its files share.
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#pragma once

#include "gstcartesiattssrc.h"

#include <gst/base/gstadapter.h>
#include "cartesia-captions.h"
#include "cartesia-format.h"
#include "cartesia-player.h"
#include "cartesia-scheduler.h"
#include "cartesia-request.h"
#include "cartesia-session.h"
#include "cartesia-settings.h"
#include "cartesia-text.h"
#include "cartesia-aggregator.h"
#include "cartesia-inbox.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (gst_cartesia_tts_src_debug);

/* Locks, outermost first (docs/architecture.md says the same; keep the two
 * together):
 *
 * 1. the object lock (GST_OBJECT_LOCK): what the struct below says is
 *    under it.  Taken under GStreamer's pad stream locks, never the other
 *    way round: nothing is pushed, posted or sent while it is held.
 * 2. the inbox's lock (cartesia-inbox.c): its ops and the sink
 *    pad's flow state; its cond is the one every wait of the sink pad's
 *    thread waits on.  Taken alone or under the object lock, and a leaf:
 *    nothing else is taken while it is held.  A thread that waits on the
 *    inbox's cond with the object lock held lets the object lock go first
 *    and takes it back before the inbox's lock
 *    (cartesia_inbox_wait_for_room()).  Producers request an
 *    utterance and push its op under one hold of the object lock; the
 *    streaming thread takes ops without it, but looks for an op answered
 *    before it was taken in under it.
 * 3. registry_lock (cartesia-session.c): taken under the object lock by
 *    create_session().
 * 4. a CartesiaEventQueue's lock (cartesia-event-queue.c, one per
 *    CartesiaSession): taken under the object lock by unlock() and
 *    unlock_stop(); the connection's thread lets it go before calling the
 *    notify callback, which takes the object lock.
 *
 * subtitle_lock is a leaf: nothing else is taken while it is held. */

typedef enum
{
  GST_CARTESIA_TEXT_MODE_QUEUE,
  GST_CARTESIA_TEXT_MODE_INTERRUPT,
} GstCartesiaTextMode;

typedef enum
{
  GST_CARTESIA_INPUT_MODE_AUTO,
  GST_CARTESIA_INPUT_MODE_CUES,
  GST_CARTESIA_INPUT_MODE_STREAM,
} GstCartesiaInputMode;

typedef enum
{
  GST_CARTESIA_OVERFLOW_CLIP,
  GST_CARTESIA_OVERFLOW_OVERLAP,
  GST_CARTESIA_OVERFLOW_SHIFT,
  GST_CARTESIA_OVERFLOW_FIT,
} GstCartesiaOverflow;

/* The custom downstream event that ends a streamed utterance on the sink pad. */
#define GST_CARTESIA_UTTERANCE_END "cartesia-utterance-end"
/* The custom downstream event that changes the settings of the text after
 * it, and the one gst-plugins-rs transcribers send when the speaker changes. */
#define GST_CARTESIA_SETTINGS_EVENT "cartesia-settings"
#define GST_CARTESIA_SPEAKER_CHANGE "rstranscribe/speaker-change"

struct _GstCartesiaTtsSrc
{
  GstPushSrc parent;

  /* ---- Settings: the properties ----
   * Written by the application (set_property(), gstcartesiattssrc-props-
   * access.c), read by any thread, always under the object lock.  An
   * utterance copies its voice settings once, when it is queued
   * (CartesiaSettings); start() copies the connection's
   * (CartesiaSessionConfig). */

  /* The voice and the request: model to dictionary copied into each
   * utterance's CartesiaSettings; the rest read under the lock when a
   * request is built (fill_request_params(), -runtime.c). */
  gchar *model_id;
  gchar *voice_id;
  gchar *language;
  gchar *cartesia_version;
  gdouble speed;
  gboolean speed_set;
  gdouble volume;
  gboolean volume_set;
  gchar *emotion;
  gchar *pronunciation_dict_id;
  gint max_buffer_delay_ms;
  gboolean word_timestamps;
  gboolean normalized_timestamps;
  gboolean phoneme_timestamps;
  GstStructure *speaker_map;    /* speaker name -> voice id, or NULL */
  gdouble max_speed;            /* overflow=fit: the fastest re-ask */

  /* The connection: READY-only, copied by start(); gstcartesiattssrc-net.c
   * owns the TLS and proxy credentials. */
  gchar *api_key;
  gchar *base_url;
  CartesiaTransport transport;
  gint retries;
  gdouble retry_backoff_factor;
  gdouble retry_backoff_max;
  guint timeout;
  gboolean ssl_strict;
  gchar *proxy;
  gchar *user_agent;
  gboolean share_connection;
  gchar *ssl_ca_file;
  GTlsDatabase *tls_database;
  GTlsInteraction *tls_interaction;
  gchar *proxy_id;
  gchar *proxy_pw;
  GTlsDatabase *ca_file_database;       /* ssl-ca-file, loaded before PAUSED */

  /* What to say and how: read by the streaming thread (and the sink pad's)
   * when it needs them. */
  gchar *text;
  guint stall_timeout_ms;       /* the server's silence within a generation */
  guint max_queued;             /* live: utterances waiting; 0 = no limit */
  guint max_wait_ms;            /* live: how long one waits for a connection */
  /* live mode */
  guint samples_per_buffer;
  guint fade_ms;
  guint prebuffer_ms;
  guint jitter_margin_ms;
  GstCartesiaTextMode text_mode;
  /* text from the sink pad */
  GstCartesiaInputMode input_mode;
  GstCartesiaOverflow overflow;
  guint latency_ms;

  /* ---- Shared state, under the object lock ---- */

  /* Pads and session: the pads set by request/release_pad (application),
   * the session by start() and stop(); read by every thread under the
   * lock, used with a ref or, for the session, while it is set. */
  GstPad *sink_pad;
  GstPad *subtitle_pad;
  guint subtitle_pad_serial;    /* one more per pad made */
  gboolean subtitle_pad_hidden; /* left out of numsrcpads (-subtitles.c) */
  gboolean before_first_create;
  CartesiaSession *session;     /* created in start(), freed in stop() */

  /* Flushing and the live clock wait: unlock() and unlock_stop() (any
   * thread) against the streaming thread's waits. */
  gboolean flushing;
  GstClockID clock_id;          /* the live clock wait, for unlock() */

  /* The negotiated format: written by set_caps() and stop() (streaming
   * thread), read by the sink pad's thread to build requests. */
  const gchar *encoding;
  CartesiaSampleFormat sample_format;
  gint rate;
  guint bpf;

  /* The sink pad's state: written by the pad's thread (its chain and
   * events, gstcartesiattssrc-sink.c), read by the streaming thread
   * (-live.c, -timeline.c) and the inbox. */
  GstCartesiaInputMode sink_mode;       /* AUTO until the first buffer */
  GstSegment sink_segment;
  GstClockTime sink_horizon;    /* running time its input has reached */
  GstClockTime sink_end;        /* end of its last cue */
  guint next_cue;
  GstClockTime upstream_latency;
  gboolean warned_invalid;      /* the invalid-UTF-8 warning went out */
  GstStructure *sink_overrides; /* cartesia-settings and speakers, or NULL */
  /* streamed text: the open utterance and what was sent of it */
  gchar *stream_context_id;
  gint64 stream_last_text;      /* when text last came for it */
  GString *stream_sentence;     /* streamed text over SSE: a partial sentence */
  CartesiaAggregator *stream_agg;       /* streamed text over websocket */
  gint64 stream_last_send;      /* when an input last went to the context */
  gchar *stream_sent_id;        /* the last streamed context ... */
  GQueue stream_unheard;        /* ... and its inputs sent after its last
                                 * audio (gchar *, oldest first) */
  gint64 stream_heard_at;       /* when that audio came */
  GQueue stream_unheard_at;     /* when each of those went (gint64 *) */
  CartesiaSettings *stream_settings;    /* those of stream_settings_id */
  gchar *stream_settings_id;    /* the streamed context they were for */
  /* the pad's thread only, no lock */
  CartesiaTextReader *sink_reader;

  /* Live mode: the streaming thread's clock wait and counts, also touched
   * by the producers (the application's and the sink pad's threads, with
   * the inbox) and by the session thread's notify callback (audio_pending,
   * which may end the wait early). */
  gboolean wake_on_audio;       /* idle: first audio ends the wait early */
  gboolean wake_due;            /* ... as something is due by wake_end */
  GstClockTime wake_end;
  gboolean audio_pending;       /* audio came since the last drain */
  guint live_in_flight;         /* utterances requested, not finished */
  guint live_queued;            /* the application's, queued, not finished */
  guint next_auto_id;

  /* Statistics (the stats property): counted by the streaming thread,
   * read by the application (gstcartesiattssrc-report.c). */
  guint stat_utterances;
  guint stat_failed;
  guint stat_interrupted;
  GstClockTime stat_last_ttfa;
  GstClockTime stat_ttfa_sum;
  guint stat_ttfa_count;
  GstClockTime stat_underrun;
  CartesiaSessionStats stat_session;    /* as of the last stop() */

  /* ---- The inbox: its own lock ----
   * What the application and the sink pad hand to the streaming thread,
   * and the sink pad's flow state (created in init, freed in finalize). */
  CartesiaInbox *inbox;

  /* ---- The streaming thread's alone: no lock ---- */

  /* Non-live, the text property (gstcartesiattssrc-oneshot.c);
   * set_caps() and stop() read context_id too. */
  gboolean spoke_text;          /* non-live: the text was sent */
  gchar *context_id;            /* the utterance being received */
  gchar *utterance_text;        /* non-live: what is being said */
  gint64 utterance_sent_at;     /* non-live: when it was requested */
  gboolean request_sent;        /* its request reached the server */
  guint64 n_samples;            /* samples pushed since start() */
  GstClockTime utterance_start; /* PTS of the utterance's first sample */
  guint64 utterance_samples;    /* samples pushed of this utterance */
  GstClockTime next_pts;        /* where the last buffer ended */
  CartesiaSampleCarry carry;    /* a sample split across two chunks */
  GstAdapter *blocks;           /* whole samples short of a blocksize */

  /* Live playout, and the non-live timeline of the sink pad (-live.c,
   * -timeline.c). */
  CartesiaScheduler *scheduler; /* the utterances and their player; from
                                 * start() to stop() */
  GstClockTime first_pts;       /* running time of the first live buffer */
  guint64 live_samples;         /* samples produced since then */
  gboolean fatal;               /* non-live: an utterance failed (set by
                                 * -live.c, read by -timeline.c; start()
                                 * clears it before the thread runs) */

  /* The captions waiting for the audio to reach them (-subtitles.c). */
  CartesiaCaptions *captions;   /* what it says, and when */

  /* ---- The subtitle_src pad's queue: subtitle_lock ----
   * What subtitle_src sends, pushed by the pad's own task (so that a sink
   * prerolling on one pad never blocks the thread that feeds the other).
   * subtitle_lock is a leaf, taken after the object lock, never before. */
  GMutex subtitle_lock;
  GCond subtitle_cond;
  GQueue subtitle_out;          /* GstBuffer and GstEvent, in order */
  gboolean subtitle_flushing;
};


/* gstcartesiattssrc-report.c: what the application is told (element
 * messages, errors and their texts, statistics); it calls down only into
 * the subtitle pad. */
/* An utterance of live mode or the timeline (the streaming thread): its
 * cartesia-utterance-started/-finished, cartesia-cue-finished and word or
 * phoneme messages.  started also counts it, adds its caption (without
 * word timestamps) and posts the words and phonemes that came before. */
void gst_cartesia_tts_src_post_utterance_word (GstCartesiaTtsSrc * self,
    const CartesiaUtterance * u, const CartesiaWord * w, gboolean phoneme);
void gst_cartesia_tts_src_post_utterance_started (GstCartesiaTtsSrc * self,
    const CartesiaUtterance * u, GstClockTime at);
void gst_cartesia_tts_src_post_utterance_finished (GstCartesiaTtsSrc * self,
    const CartesiaUtterance * u, GstClockTime end, guint64 samples,
    guint64 underrun, gboolean interrupted);
void gst_cartesia_tts_src_post_cue_finished (GstCartesiaTtsSrc * self,
    const CartesiaUtterance * u, gboolean clipped);
/* Posts @s (taken) as an element message. */
void gst_cartesia_tts_src_post_element_message (GstCartesiaTtsSrc * self,
    GstStructure * s);
/* cartesia-utterance-queued and cartesia-utterance-failed. */
void gst_cartesia_tts_src_post_queued (GstCartesiaTtsSrc * self,
    const gchar * id, const gchar * text);
void gst_cartesia_tts_src_post_failed (GstCartesiaTtsSrc * self,
    const gchar * id, const gchar * reason);
/* A word at @base + @start_s .. @base + @end_s: its cartesia-word message
 * (with @id, live) and its caption on subtitle_src. */
void gst_cartesia_tts_src_post_word (GstCartesiaTtsSrc * self,
    const gchar * word, const gchar * id, const gchar * context_id,
    GstClockTime base, gdouble start_s, gdouble end_s);
/* Every word of a TIMESTAMPS @event, at @base + their times. */
void gst_cartesia_tts_src_post_words (GstCartesiaTtsSrc * self,
    CartesiaEvent * event, const gchar * id, const gchar * context_id,
    GstClockTime base);
/* Phonemes at @base + their times: cartesia-phoneme messages. */
void gst_cartesia_tts_src_post_phonemes (GstCartesiaTtsSrc * self,
    CartesiaEvent * event, const gchar * id, const gchar * context_id,
    GstClockTime base);
/* The ERROR @event as an error or warning (@type) with its details. */
void gst_cartesia_tts_src_post_failure (GstCartesiaTtsSrc * self,
    CartesiaEvent * event, const gchar * context_id, GstMessageType type);
/* Cues came in a segment of @format, not TIME: the STREAM/FORMAT error. */
void gst_cartesia_tts_src_error_wrong_segment (GstCartesiaTtsSrc * self,
    GstFormat format);

/* Statistics: an utterance started speaking (@ttfa: NONE if unknown),
 * failed, was interrupted, or waited for the network. */
void gst_cartesia_tts_src_count_started (GstCartesiaTtsSrc * self,
    GstClockTime ttfa);
void gst_cartesia_tts_src_count_failed (GstCartesiaTtsSrc * self);
void gst_cartesia_tts_src_count_interrupted (GstCartesiaTtsSrc * self);
void gst_cartesia_tts_src_count_underrun (GstCartesiaTtsSrc * self,
    GstClockTime duration);
/* start(): all back to 0; stop(): @session's figures are kept for the
 * stats property until the next start(). */
void gst_cartesia_tts_src_reset_stats (GstCartesiaTtsSrc * self);
void gst_cartesia_tts_src_keep_session_stats (GstCartesiaTtsSrc * self,
    CartesiaSession * session);
/* The stats property's structure. */
GstStructure *gst_cartesia_tts_src_create_stats (GstCartesiaTtsSrc * self);

/* gstcartesiattssrc-robust.c: bad input and runaway settings */
/* @text made fit to send: valid UTF-8 (with a warning naming @what if it
 * was not); NULL if there is nothing to say (NULL or ""). */
gchar *gst_cartesia_tts_src_clean_text (GstCartesiaTtsSrc * self,
    const gchar * text, const gchar * what);
/* TRUE (and a warning naming it) if @pspec cannot change in this state. */
gboolean gst_cartesia_tts_src_refuse_property (GstCartesiaTtsSrc * self,
    GParamSpec * pspec);
/* start(): warns about settings that would make the element spin. */
void gst_cartesia_tts_src_check_settings (GstCartesiaTtsSrc * self);

/* gstcartesiattssrc-subtitles.c: the subtitle_src pad */
GstPad *gst_cartesia_tts_src_request_subtitle_pad (GstCartesiaTtsSrc * self,
    GstPadTemplate * templ);
void gst_cartesia_tts_src_release_subtitle_pad (GstCartesiaTtsSrc * self,
    GstPad * pad);
void gst_cartesia_tts_src_subtitle_reset (GstCartesiaTtsSrc * self);
void gst_cartesia_tts_src_subtitle_add (GstCartesiaTtsSrc * self,
    GstClockTime start, GstClockTime duration, const gchar * text);
void gst_cartesia_tts_src_subtitle_advance (GstCartesiaTtsSrc * self,
    GstClockTime until);
void gst_cartesia_tts_src_subtitle_init (GstCartesiaTtsSrc * self);
void gst_cartesia_tts_src_subtitle_finalize (GstCartesiaTtsSrc * self);
void gst_cartesia_tts_src_subtitle_flush (GstCartesiaTtsSrc * self,
    GstEvent * event);
void gst_cartesia_tts_src_subtitle_hide (GstCartesiaTtsSrc * self,
    gboolean hide);

/* gstcartesiattssrc-sink.c: the sink pad */
GstPad *gst_cartesia_tts_src_request_sink_pad (GstCartesiaTtsSrc * self,
    GstPadTemplate * templ);
void gst_cartesia_tts_src_release_sink_pad (GstCartesiaTtsSrc * self,
    GstPad * pad);
void gst_cartesia_tts_src_sink_init (GstCartesiaTtsSrc * self);
void gst_cartesia_tts_src_sink_finalize (GstCartesiaTtsSrc * self);
void gst_cartesia_tts_src_sink_start (GstCartesiaTtsSrc * self);
void gst_cartesia_tts_src_sink_unblock (GstCartesiaTtsSrc * self);
GstClockTime gst_cartesia_tts_src_sink_delay (GstCartesiaTtsSrc * self);

/* gstcartesiattssrc-stream.c: streamed text from the sink pad */
/* Object lock held: no streamed text, none open. */
void gst_cartesia_tts_src_stream_reset_locked (GstCartesiaTtsSrc * self);
void gst_cartesia_tts_src_stream_finalize (GstCartesiaTtsSrc * self);
/* The pad's thread: @text continues the open utterance, or opens one
 * (waiting for room if it must). */
GstFlowReturn gst_cartesia_tts_src_stream_append (GstCartesiaTtsSrc * self,
    const gchar * text);
/* Ends the open streamed utterance: no more text for it.  @wait: for room,
 * if what it held back must be queued (never from the streaming thread). */
void gst_cartesia_tts_src_stream_close (GstCartesiaTtsSrc * self,
    gboolean wait);
/* Streamed text that waited too long for more ends its utterance (the
 * streaming thread's check); returns when to check again (monotonic µs). */
gint64 gst_cartesia_tts_src_sink_check_idle (GstCartesiaTtsSrc * self);
/* Streaming thread: audio for streamed context @context_id came in at
 * @received_at (monotonic µs). */
void gst_cartesia_tts_src_sink_stream_heard (GstCartesiaTtsSrc * self,
    const gchar * context_id, gint64 received_at);
/* Streaming thread: the server refused an input of streamed context
 * @context_id after it had spoken.  TRUE if the text it has not spoken goes
 * to a new context (so the old one just ends); FALSE: the error stands. */
gboolean gst_cartesia_tts_src_sink_stream_lost (GstCartesiaTtsSrc * self,
    const gchar * context_id, const gchar * reason);

/* gstcartesiattssrc-oneshot.c: non-live, the text property (streaming
 * thread) */
GstFlowReturn gst_cartesia_tts_src_oneshot_create (GstCartesiaTtsSrc * self,
    GstBuffer ** outbuf);
/* start() and stop(): nothing said yet. */
void gst_cartesia_tts_src_oneshot_reset (GstCartesiaTtsSrc * self);
/* stop(): the utterance being received, if any, is cancelled on @session. */
void gst_cartesia_tts_src_oneshot_stop (GstCartesiaTtsSrc * self,
    CartesiaSession * session);

/* gstcartesiattssrc-blocks.c: non-live buffers of `blocksize` bytes */
void gst_cartesia_tts_src_blocks_init (GstCartesiaTtsSrc * self);
GstBuffer *gst_cartesia_tts_src_blocks_take (GstCartesiaTtsSrc * self,
    GstBuffer * audio, gboolean drain);

/* gstcartesiattssrc-net.c: TLS trust and the proxy's credentials */
void gst_cartesia_tts_src_net_install_properties (GObjectClass * klass,
    guint first_id);
gboolean gst_cartesia_tts_src_net_set_property (GstCartesiaTtsSrc * self,
    guint prop_id, const GValue * value);
gboolean gst_cartesia_tts_src_net_get_property (GstCartesiaTtsSrc * self,
    guint prop_id, GValue * value);
gboolean gst_cartesia_tts_src_net_prepare (GstCartesiaTtsSrc * self);
void gst_cartesia_tts_src_net_fill_config (GstCartesiaTtsSrc * self,
    CartesiaSessionConfig * config);
void gst_cartesia_tts_src_net_finalize (GstCartesiaTtsSrc * self);
/* gstcartesiattssrc-runtime.c: settings that change while playing */
/* Object lock held: the request parameters of @settings (NULL: the
 * properties') in the negotiated format. */
void gst_cartesia_tts_src_fill_request_params (GstCartesiaTtsSrc * self,
    const CartesiaSettings * settings, CartesiaRequestParams * params);
/* Object lock held: the voice settings of the properties, now. */
CartesiaSettings *gst_cartesia_tts_src_dup_settings_locked (GstCartesiaTtsSrc *
    self);
/* Object lock held: those of the sink pad's next utterance (the properties,
 * then its cartesia-settings events and speaker changes). */
CartesiaSettings *gst_cartesia_tts_src_sink_settings_locked (GstCartesiaTtsSrc
    * self);
void gst_cartesia_tts_src_set_speaker_map (GstCartesiaTtsSrc * self,
    const GstStructure * map);
/* The sink pad's thread: a cartesia-settings or speaker-change event
 * (returns FALSE for any other event). */
gboolean gst_cartesia_tts_src_sink_settings_event (GstCartesiaTtsSrc * self,
    GstEvent * event);
void gst_cartesia_tts_src_sink_settings_reset (GstCartesiaTtsSrc * self);

/* gstcartesiattssrc-request.c: an utterance's inputs, built and sent */
/* Object lock held, session set: sends @text as one input of @context_id,
 * with the settings of the sink pad's streamed context @context_id (or of
 * its next utterance); the transport writes the request. */
void gst_cartesia_tts_src_send_input (GstCartesiaTtsSrc * self,
    const gchar * context_id, const gchar * text, gboolean continue_);
/* Object lock held, session set: the same with @settings. */
void gst_cartesia_tts_src_send_input_with (GstCartesiaTtsSrc * self,
    const CartesiaSettings * settings, const gchar * context_id,
    const gchar * text, gboolean continue_);
/* Object lock held, session set: @text as input of @context_id, split into
 * continuations that fit in a frame when it is long (WebSocket); the last
 * one continues if @continue_. */
void gst_cartesia_tts_src_send_text_locked (GstCartesiaTtsSrc * self,
    const gchar * context_id, const gchar * text, gboolean continue_);
/* The same with @settings (NULL: the sink pad's, as
 * gst_cartesia_tts_src_send_input() chooses them). */
void gst_cartesia_tts_src_send_settings_text_locked (GstCartesiaTtsSrc *
    self, const CartesiaSettings * settings, const gchar * context_id,
    const gchar * text, gboolean continue_);
/* Object lock held: requests @text with @settings under a new context id,
 * in as many inputs as its length needs. */
void gst_cartesia_tts_src_send_request_locked (GstCartesiaTtsSrc * self,
    const CartesiaSettings * settings, const gchar * text,
    gchar ** context_id);

/* gstcartesiattssrc-inbox.c: what the application and the sink pad hand
 * to the streaming thread */

/* How many utterances may be with the server at once (cartesia-scheduler.h
 * says why). */
#define GST_CARTESIA_REQUESTS_AHEAD CARTESIA_SCHEDULER_REQUESTS_AHEAD

typedef struct
{
  GstClockTime start;           /* running time; NONE: after the others */
  GstClockTime end;             /* running time it must stop at; NONE */
  GstCartesiaOverflow overflow;
  GstClockTime pts;             /* a cue: its buffer's PTS */
} GstCartesiaUtteranceTiming;

void gst_cartesia_tts_src_queue_sink_utterance_locked (GstCartesiaTtsSrc *
    self, const gchar * text, const gchar * id,
    const GstCartesiaUtteranceTiming * timing, gboolean open);
/* The sink pad's thread (or the streaming thread, @wait FALSE), object
 * lock held: whether it may queue one more utterance now, waiting for room
 * (@wait) if it must, the object lock let go meanwhile.  Nothing is queued
 * while flushing, or once the output stopped for good. */
GstFlowReturn gst_cartesia_tts_src_wait_for_room_locked (GstCartesiaTtsSrc *
    self, gboolean wait);
void gst_cartesia_tts_src_wake_locked (GstCartesiaTtsSrc * self);
void gst_cartesia_tts_src_queue_flush (GstCartesiaTtsSrc * self);
void gst_cartesia_tts_src_queue_utterance (GstCartesiaTtsSrc * self,
    const gchar * text, const gchar * id);
/* @settings: taken; NULL: the properties' now. */
void gst_cartesia_tts_src_queue_utterance_with (GstCartesiaTtsSrc * self,
    const gchar * text, const gchar * id, CartesiaSettings * settings);
void gst_cartesia_tts_src_queue_utterance_full (GstCartesiaTtsSrc * self,
    const gchar * text, const gchar * id, const GstStructure * settings);
void gst_cartesia_tts_src_interrupt (GstCartesiaTtsSrc * self);
void gst_cartesia_tts_src_clear (GstCartesiaTtsSrc * self);

/* gstcartesiattssrc-live.c: live mode */
GstFlowReturn gst_cartesia_tts_src_timeline_create (GstCartesiaTtsSrc * self,
    GstBuffer ** outbuf);
void gst_cartesia_tts_src_live_init (GstCartesiaTtsSrc * self);
void gst_cartesia_tts_src_live_start (GstCartesiaTtsSrc * self,
    CartesiaSession * session);
void gst_cartesia_tts_src_live_stop (GstCartesiaTtsSrc * self);
GstFlowReturn gst_cartesia_tts_src_live_create (GstCartesiaTtsSrc * self,
    GstBuffer ** outbuf);
GstClockTime gst_cartesia_tts_src_live_latency (GstCartesiaTtsSrc * self);
/* Streaming thread, no utterance queued: the format changed from @old_rate;
 * the player goes, to come back in the new one, the timeline goes on. */
void gst_cartesia_tts_src_live_rebase (GstCartesiaTtsSrc * self,
    gint old_rate);

G_END_DECLS
