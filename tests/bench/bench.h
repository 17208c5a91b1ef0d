/* cartesia-bench: shared pieces of the benchmark program. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* One utterance as seen by a client (the element or a bare client).  All
 * times are g_get_monotonic_time() microseconds. */
typedef struct
{
  gchar *transcript;
  gsize expected;               /* audio bytes the emulator will send */
  gint64 t0_us;                 /* text handed over */
  gint64 first_us;              /* first audio out (0: not yet) */
  gint64 done_us;               /* last byte out (0: not yet) */
  gsize bytes;                  /* audio bytes out since first_us */
  gint64 cpu_ns;                /* bare clients: their thread's CPU, t0..done */
  gint64 handshake_us;          /* cold bare clients: connect time */
  GArray *arrivals;             /* optional Arrival per buffer (concurrency) */
  gboolean failed;

  /* Optional, read as audio goes out (on the client's thread): */
  gint64 (*cpu_clock) (void);   /* process_cpu_ns or thread_cpu_ns */
  gint64 cpu_first_ns;          /* at the first audio */
  gint64 cpu_done_ns;           /* at the last byte */
  gsize first_len;              /* bytes of the first buffer */
  gint64 first_sound_ns;        /* element: how far into its buffer the
                                 * first sound is (-1: not known) */
  gboolean want_threads;        /* threads_cpu_ns () at first and done */
  GHashTable *threads_first;
  GHashTable *threads_done;
  gboolean want_wakeups;        /* process_wakeups () at first and done */
  gint64 wakeups_first;
  gint64 wakeups_done;
  gsize rss_every;              /* bytes: read RSS each time this much went out */
  GArray *rss;                  /* gint64 KiB; [0] at the first audio */
} Utt;

typedef struct
{
  gint64 time_us;
  guint64 offset;               /* bytes of the utterance before this buffer */
  /* The element: the buffer's PTS, and the running time it left `src` at
   * (GST_CLOCK_TIME_NONE for a bare client, which has no timeline). */
  GstClockTime pts;
  GstClockTime running_time;
} Arrival;

Utt *utt_new (const gchar * transcript, gsize expected, gboolean arrivals);
void utt_free (Utt * u);

/* Utterances complete on other threads: one lock and condition for all. */
void utt_lock (void);
void utt_unlock (void);
void utt_signal (void);         /* with the lock held */
/* Waits (lock held) until @u is done or failed, or @deadline_us passes. */
gboolean utt_wait (Utt * u, gint64 deadline_us);

/* Waits (lock held) for any signal until @deadline_us; FALSE on timeout. */
gboolean utt_wait_until (gint64 deadline_us);
/* Records @len audio bytes arriving at @now for @u (lock held). */
void utt_add_audio (Utt * u, gint64 now, gsize len);
/* The same for a buffer with a PTS that left at @running_time. */
void utt_add_buffer (Utt * u, gint64 now, gsize len, GstClockTime pts,
    GstClockTime running_time);

/* ---- the emulator process ---- */
typedef struct _EmuProc EmuProc;

EmuProc *emu_proc_start (const gchar * exe, GError ** error);
const gchar *emu_proc_url (EmuProc * p);
gboolean emu_proc_set (EmuProc * p, const gchar * name, const gchar * value);
/* transcript -> gint64 server time to first chunk (µs); clears them. */
GHashTable *emu_proc_server_times (EmuProc * p);
void emu_proc_clear (EmuProc * p);
gint64 emu_proc_cpu_us (EmuProc * p);
/* How late the emulator sent its paced chunks since the last call (a
 * context's first chunk not counted); FALSE if it cannot say. */
gboolean emu_proc_pacing (EmuProc * p, guint64 * chunks, guint64 * late_5ms,
    guint64 * late_20ms, gint64 * max_late_us);
void emu_proc_stop (EmuProc * p);

/* ---- measuring ---- */
gint64 process_cpu_ns (void);
gint64 thread_cpu_ns (void);
/* CPU per thread name of this process (name -> gint64* ns). */
GHashTable *threads_cpu_ns (void);
gint64 rss_kib (void);
/* Voluntary + nonvoluntary context switches of every thread of this
 * process so far (/proc/self/task/N/status). */
gint64 process_wakeups (void);
gdouble percentile (GArray * doubles, gdouble p);

/* ---- the element ---- */
typedef struct _ElemPipe ElemPipe;

typedef struct
{
  const gchar *base_url;
  const gchar *transport;       /* "websocket" or "sse" */
  const gchar *format;          /* "S16LE" or "F32LE" */
  gint rate;
  gboolean live;
  const gchar *text;            /* non-live: what to say */
  const gchar *extra;           /* more properties of cartesiattssrc */
} ElemConfig;

ElemPipe *elem_pipe_new (const ElemConfig * config, GError ** error);
/* Starts it; FALSE on a state change failure. */
gboolean elem_pipe_play (ElemPipe * p);
/* The next audio out of src belongs to @u. */
void elem_pipe_arm (ElemPipe * p, Utt * u);
/* Live: hands @u's text over (sets t0). */
void elem_pipe_say (ElemPipe * p, Utt * u);
/* Non-live: PLAYING now (sets t0). */
gboolean elem_pipe_play_timed (ElemPipe * p, Utt * u);
/* An ERROR or WARNING on the bus, or NULL. */
gchar *elem_pipe_pop_problem (ElemPipe * p);
/* Live mode: the sum of the "underrun-duration" fields of the element's
 * cartesia-utterance-finished messages so far (ns), and how many had one;
 * -1 when the element posts no such field. */
gint64 elem_pipe_underruns (ElemPipe * p, guint * n_utterances);
/* The latency the element's `src` pad reports (min), once playing. */
GstClockTime elem_pipe_latency (ElemPipe * p);
/* Whether cartesiattssrc has property @name. */
gboolean elem_has_property (const gchar * name);
void elem_pipe_free (ElemPipe * p);

/* ---- bare clients (the baseline) ---- */
typedef struct _BareLoop BareLoop;
typedef struct _BareClient BareClient;

/* A thread with its own main context that runs bare clients. */
BareLoop *bare_loop_new (void);
void bare_loop_free (BareLoop * loop);

/* @sse: POST /tts/sse per utterance, else one websocket. */
BareClient *bare_client_new (BareLoop * loop, const gchar * base_url,
    gboolean sse, const gchar * encoding, gint rate);
/* Before connecting: each decoded chunk is copied and handed to a consumer
 * thread (a GAsyncQueue) which records it, as the element hands audio from
 * its transport thread to its streaming thread: the price of one thread
 * hand-off per chunk. */
void bare_client_set_handoff (BareClient * c);
/* Opens the connection (websocket; SSE: a first request warms it up);
 * blocks until done. */
gboolean bare_client_connect (BareClient * c);
/* Starts @u now (its t0 is taken on the client's thread, just before the
 * request is sent).  @cold: a new session and connection first. */
void bare_client_say (BareClient * c, Utt * u, gboolean cold);
void bare_client_free (BareClient * c);

/* ---- the token stream part (bench-tokens.c) ---- */
/* Prints its table; returns how many targets failed. */
gint bench_tokens (const gchar * base_url, guint runs);

/* ---- shared with cartesia-bench.c ---- */
/* About @seconds of speech: "<tag> " and then words. */
gchar *bench_make_text (const gchar * tag, gdouble seconds);
/* Audio bytes the emulator sends for @text. */
gsize bench_audio_size (const gchar * text, const gchar * format, gint rate);

/* ---- the real pace part (bench-pace.c, issue 17) ---- */
/* One client ("element", "live" or "bare") speaks one utterance of
 * @seconds; prints "result <cpu_us> <wakeups> <bytes>". */
int bench_pace_worker (const gchar * kind, const gchar * url, gint seconds);
/* Prints its table; returns how many targets failed.  @paces: a list of
 * "5", "10", "20" (ms between chunks) and "realtime". */
gint bench_pace (const gchar * self, EmuProc * emu, gint seconds,
    gint repeats, const gchar * paces);
/* Whether node, tests/sdk/bench-sdk.cjs (CARTESIA_BENCH_SDK_DIR) and the
 * SDK's node_modules are there. */
gboolean bench_sdk_check (GError ** error);
/* The official SDK's warm or cold time to first audio, @n runs: appends
 * interval and added (ms); returns how many runs failed. */
guint bench_sdk_latency (EmuProc * emu, gboolean cold, guint n,
    GArray * interval, GArray * added);

G_END_DECLS
