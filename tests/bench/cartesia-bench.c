/* cartesia-bench: what cartesiattssrc adds on top of the server, measured
 * against a bare client of the same endpoint in the same run (issue 7).
 *
 *   cartesia-bench [--quick] [--only latency,cpu,concurrency,memory] ...
 *
 * The emulator runs as a child process (bench-emulator), so the CPU and
 * memory figures are the client's alone; it reports, per generation, the
 * time from a request's arrival to its first chunk leaving, which is
 * subtracted from every time to first audio.  Prints Markdown tables. */
#include "bench.h"
#include "cartesia-emulator.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- options ---- */

static gchar *opt_emulator = NULL;
static gchar *opt_only = NULL;
static gboolean opt_quick = FALSE;
static gint opt_warm = 200;
static gint opt_cold = 50;
static gint opt_cpu_seconds = 600;
static gint opt_cpu_repeats = 5;
static gchar *opt_streams = NULL;
static gint opt_stream_utterances = 2;
static gint opt_stream_seconds = 4;
static gint opt_playout_ms = 20;
static gchar *opt_stream_props = NULL;
static gint opt_memory_minutes = 60;
static gint opt_memory_repeats = 3;
static gchar *opt_memory_worker = NULL;
static gboolean opt_echo_worker = FALSE;
static gchar *opt_emulator_url = NULL;
static gchar *opt_pace_worker = NULL;
static gint opt_pace_seconds = 10;
static gint opt_pace_repeats = 3;
static gchar *opt_paces = NULL;

static GOptionEntry entries[] = {
  {"emulator", 0, 0, G_OPTION_ARG_FILENAME, &opt_emulator,
      "Path of bench-emulator (default: beside this program)", "PATH"},
  {"only", 0, 0, G_OPTION_ARG_STRING, &opt_only,
      "Comma-separated parts to run: latency,cpu,concurrency,memory,tokens,"
      "pace", 
      "LIST"},
  {"quick", 0, 0, G_OPTION_ARG_NONE, &opt_quick,
      "A smoke run: few repetitions, short audio (figures are noisy)", NULL},
  {"warm", 0, 0, G_OPTION_ARG_INT, &opt_warm,
      "Warm time-to-first-audio runs per client and transport (200)", "N"},
  {"cold", 0, 0, G_OPTION_ARG_INT, &opt_cold,
      "Cold time-to-first-audio runs per client and transport (50)", "N"},
  {"cpu-seconds", 0, 0, G_OPTION_ARG_INT, &opt_cpu_seconds,
      "Audio seconds per CPU measurement (600)", "S"},
  {"cpu-repeats", 0, 0, G_OPTION_ARG_INT, &opt_cpu_repeats,
      "CPU measurements per row; the median is shown (5)", "N"},
  {"streams", 0, 0, G_OPTION_ARG_STRING, &opt_streams,
      "Concurrency levels (1,10,50,100,200,300)", "LIST"},
  {"stream-utterances", 0, 0, G_OPTION_ARG_INT, &opt_stream_utterances,
      "Utterances each concurrent stream speaks (2)", "N"},
  {"stream-seconds", 0, 0, G_OPTION_ARG_INT, &opt_stream_seconds,
      "Audio seconds per concurrent utterance (4)", "S"},
  {"playout-ms", 0, 0, G_OPTION_ARG_INT, &opt_playout_ms,
      "The live consumer's margin: an element's buffer that leaves src "
      "later than its PTS + the reported latency + this (a bare client's: "
      "later than its first buffer + this + its position) is an underrun "
      "(20)", "MS"},
  {"stream-props", 0, 0, G_OPTION_ARG_STRING, &opt_stream_props,
      "More cartesiattssrc properties for the concurrency part, e.g. "
      "\"prebuffer-ms=40\"", "PROPS"},
  {"memory-minutes", 0, 0, G_OPTION_ARG_INT, &opt_memory_minutes,
      "Minutes of audio for the memory test, 10-100: one request, and the "
      "emulator takes WebSocket messages of up to 128 KiB (60)", "MIN"},
  {"memory-repeats", 0, 0, G_OPTION_ARG_INT, &opt_memory_repeats,
      "Memory runs per client; the median is shown (3)", "N"},
  {"paces", 0, 0, G_OPTION_ARG_STRING, &opt_paces,
      "The pace part's paces: ms between chunks, or realtime "
      "(5,10,20,realtime)", "LIST"},
  {"pace-seconds", 0, 0, G_OPTION_ARG_INT, &opt_pace_seconds,
      "Audio seconds per utterance in the pace part (10)", "S"},
  {"pace-repeats", 0, 0, G_OPTION_ARG_INT, &opt_pace_repeats,
      "Runs per client and pace in the pace part; the median is shown (3)",
      "N"},
  {"pace-worker", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING,
      &opt_pace_worker, NULL, NULL},
  {"memory-worker", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING,
      &opt_memory_worker, NULL, NULL},
  {"echo-worker", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE,
      &opt_echo_worker, NULL, NULL},
  {"emulator-url", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING,
      &opt_emulator_url, NULL, NULL},
  {NULL}
};

static gboolean
part_enabled (const gchar * part)
{
  g_auto (GStrv) parts = NULL;

  if (opt_only == NULL)
    return TRUE;
  parts = g_strsplit (opt_only, ",", -1);
  return g_strv_contains ((const gchar * const *) parts, part);
}

/* ---- helpers ---- */

static EmuProc *emu;
static gint64 start_us;

/* Progress on stderr, so that the tables on stdout stay clean. */
static void G_GNUC_PRINTF (1, 2)
note (const gchar * format, ...)
{
  g_autofree gchar *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("[%6.1f s] %s\n", (g_get_monotonic_time () - start_us) / 1e6,
      text);
}

static const gchar *
encoding_of (const gchar * format)
{
  return g_str_equal (format, "F32LE") ? "pcm_f32le" : "pcm_s16le";
}

static guint
bytes_per_sample (const gchar * format)
{
  return g_str_equal (format, "F32LE") ? 4 : 2;
}

/* The emulator speaks 50 ms per code point (checked in main ()). */
static gsize
audio_size (const gchar * text, const gchar * format, gint rate)
{
  return g_utf8_strlen (text, -1) * (rate / 20) * bytes_per_sample (format);
}

static gboolean
check_audio_size (void)
{
  const gchar *text = "Check 1, 2.";
  gsize n = 0;
  g_autofree guint8 *audio = cartesia_emulator_render (text, "pcm_f32le",
      22050, &n);

  return n == audio_size (text, "F32LE", 22050);
}

/* About @seconds of speech (the emulator speaks 50 ms per character):
 * "<tag> " and then words of voiced letters. */
static gchar *
make_text (const gchar * tag, gdouble seconds)
{
  static const gchar *words[] = { "speech", "audio", "stream", "voice",
    "buffer", "sample", "channel", "signal"
  };
  GString *s = g_string_new (tag);
  guint chars = MAX ((guint) (seconds * 20), strlen (tag) + 2), i = 0;

  while (s->len < chars)
    g_string_append_printf (s, " %s", words[i++ % G_N_ELEMENTS (words)]);
  g_string_append_c (s, '.');
  return g_string_free (s, FALSE);
}

gchar *
bench_make_text (const gchar * tag, gdouble seconds)
{
  return make_text (tag, seconds);
}

gsize
bench_audio_size (const gchar * text, const gchar * format, gint rate)
{
  return audio_size (text, format, rate);
}

static gdouble
median (GArray * doubles)
{
  return percentile (doubles, 50);
}

static void
add (GArray * a, gdouble v)
{
  g_array_append_val (a, v);
}

static GArray *
doubles (void)
{
  return g_array_new (FALSE, FALSE, sizeof (gdouble));
}

static gboolean
wait_done (Utt * u, gdouble seconds)
{
  gboolean ok;

  utt_lock ();
  ok = utt_wait (u, g_get_monotonic_time () + seconds * G_USEC_PER_SEC);
  utt_unlock ();
  return ok;
}

static void
report_problems (ElemPipe * p)
{
  gchar *problem;

  while ((problem = elem_pipe_pop_problem (p))) {
    g_printerr ("element: %s\n", problem);
    g_free (problem);
  }
}

static const gchar *
verdict (gboolean pass)
{
  return pass ? "**PASS**" : "**FAIL**";
}

static gint failures = 0;

static const gchar *
judge (gboolean pass)
{
  if (!pass)
    failures++;
  return verdict (pass);
}

static void print_wakeup (void);

/* ---- machine ---- */

static void print_wakeup (void);
static void print_round_trip (const gchar * self);

static void
print_machine (const gchar * self)
{
  g_autofree gchar *cpuinfo = NULL;
  g_autofree gchar *model = NULL;
  struct utsname u;
  gchar *line;

  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL)
      && (line = strstr (cpuinfo, "model name"))) {
    line = strchr (line, ':') + 2;
    model = g_strndup (line, strcspn (line, "\n"));
  }
  uname (&u);
  printf ("## Machine\n\n");
  printf ("- CPUs: %u (nproc), model: %s\n", g_get_num_processors (),
      model ? model : "unknown");
  printf ("- kernel: %s %s %s\n", u.sysname, u.release, u.machine);
  printf ("- %s, GLib %u.%u.%u, libsoup 3 (system)\n",
      gst_version_string (), glib_major_version, glib_minor_version,
      glib_micro_version);
  printf ("- emulator: bench-emulator, a separate process on 127.0.0.1\n");
  print_wakeup ();
  print_round_trip (self);
  printf ("\n");
}

/* How long an idle thread takes to run after another signals it: each
 * hand-over between threads on the way to the first audio costs one. */
typedef struct
{
  GMutex lock;
  GCond cond;
  gint64 signalled_us;
  gint64 woke_us;
  gboolean quit;
} Wakeup;

static gpointer
wakeup_thread (gpointer data)
{
  Wakeup *w = data;

  g_mutex_lock (&w->lock);
  while (!w->quit) {
    if (w->signalled_us && !w->woke_us)
      w->woke_us = g_get_monotonic_time ();
    g_cond_wait (&w->cond, &w->lock);
  }
  g_mutex_unlock (&w->lock);
  return NULL;
}

static void
print_wakeup (void)
{
  Wakeup w = { 0, };
  g_autoptr (GArray) lat = doubles ();
  GThread *t;
  gint i;

  g_mutex_init (&w.lock);
  g_cond_init (&w.cond);
  t = g_thread_new ("wakeup", wakeup_thread, &w);
  for (i = 0; i < 300; i++) {
    g_usleep (2000);
    g_mutex_lock (&w.lock);
    if (i > 0 && w.woke_us)
      add (lat, w.woke_us - w.signalled_us);
    w.woke_us = 0;
    w.signalled_us = g_get_monotonic_time ();
    g_cond_signal (&w.cond);
    g_mutex_unlock (&w.lock);
  }
  g_usleep (2000);
  g_mutex_lock (&w.lock);
  w.quit = TRUE;
  g_cond_signal (&w.cond);
  g_mutex_unlock (&w.lock);
  g_thread_join (t);
  printf ("- waking an idle thread (GCond, after 2 ms asleep): p50 %.0f µs, "
      "p99 %.0f µs\n", percentile (lat, 50), percentile (lat, 99));
}

/* The floor under any client's time to first audio on this machine: one
 * byte to another process over loopback TCP and back, after both sides sat
 * idle (as between utterances) or nearly not.  The worker echoes. */
static int
echo_worker (void)
{
  struct sockaddr_in a = { 0, };
  socklen_t alen = sizeof (a);
  int ls = socket (AF_INET, SOCK_STREAM, 0), c, one = 1;
  char b;

  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (ls < 0 || bind (ls, (struct sockaddr *) &a, sizeof (a)) < 0
      || listen (ls, 1) < 0
      || getsockname (ls, (struct sockaddr *) &a, &alen) < 0)
    return 1;
  printf ("%d\n", ntohs (a.sin_port));
  fflush (stdout);
  if ((c = accept (ls, NULL, NULL)) < 0)
    return 1;
  setsockopt (c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof (one));
  while (read (c, &b, 1) == 1 && write (c, &b, 1) == 1);
  close (c);
  close (ls);
  return 0;
}

static void
print_round_trip (const gchar * self)
{
  const gchar *argv[] = { self, "--echo-worker", NULL };
  const gint gaps_us[] = { 20000, 1000 };
  gdouble p50[2] = { 0, 0 }, p99[2] = { 0, 0 };
  struct sockaddr_in a = { 0, };
  g_autoptr (GError) error = NULL;
  GPid pid;
  gint out_fd, s = -1, one = 1, g, i;
  gchar port[16] = { 0 }, b = 'x';
  gssize n;

  if (!g_spawn_async_with_pipes (NULL, (gchar **) argv, NULL,
          G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, NULL, &out_fd, NULL,
          &error)) {
    g_printerr ("echo worker: %s\n", error->message);
    return;
  }
  n = read (out_fd, port, sizeof (port) - 1);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  a.sin_port = htons (n > 0 ? atoi (port) : 0);
  if (n > 0 && (s = socket (AF_INET, SOCK_STREAM, 0)) >= 0
      && connect (s, (struct sockaddr *) &a, sizeof (a)) == 0) {
    setsockopt (s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof (one));
    for (g = 0; g < 2; g++) {
      g_autoptr (GArray) rtt = doubles ();

      for (i = 0; i < 100; i++) {
        gint64 t0;

        g_usleep (gaps_us[g]);
        t0 = g_get_monotonic_time ();
        if (write (s, &b, 1) != 1 || read (s, &b, 1) != 1)
          break;
        add (rtt, g_get_monotonic_time () - t0);
      }
      p50[g] = percentile (rtt, 50);
      p99[g] = percentile (rtt, 99);
    }
  }
  if (s >= 0)
    close (s);                  /* the worker reads EOF and exits */
  close (out_fd);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
  printf ("- one byte to another process and back over loopback TCP (the "
      "floor under any client's time to first audio): p50 %.0f µs, p99 "
      "%.0f µs after 20 ms idle; p50 %.0f µs after 1 ms\n", p50[0], p99[0],
      p50[1]);
}

/* ---- 1. time to first audio ---- */

typedef struct
{
  GArray *interval;             /* ms, hand-over to first audio */
  GArray *added;                /* ms, minus the server's own time */
  GArray *handshake;            /* ms, cold bare clients */
  GArray *into_buffer;          /* ms, element: first sound into its buffer */
  guint failed;
} Latencies;

static void
latencies_init (Latencies * l)
{
  l->interval = doubles ();
  l->added = doubles ();
  l->handshake = doubles ();
  l->into_buffer = doubles ();
  l->failed = 0;
}

static void
latencies_clear (Latencies * l)
{
  g_array_unref (l->interval);
  g_array_unref (l->added);
  g_array_unref (l->handshake);
  g_array_unref (l->into_buffer);
}

/* Turns finished utterances into figures, with the server's times. */
static void
account (GPtrArray * utts, GHashTable * server, Latencies * l)
{
  guint i;

  for (i = 0; i < utts->len; i++) {
    Utt *u = utts->pdata[i];
    gint64 *server_us = g_hash_table_lookup (server, u->transcript);

    if (!u->first_us || u->failed || server_us == NULL) {
      l->failed++;
      continue;
    }
    add (l->interval, (u->first_us - u->t0_us) / 1000.0);
    add (l->added, (u->first_us - u->t0_us - *server_us) / 1000.0);
    if (u->handshake_us)
      add (l->handshake, u->handshake_us / 1000.0);
    if (u->first_sound_ns >= 0)
      add (l->into_buffer, u->first_sound_ns / 1e6);
  }
}

static gboolean
say_element (ElemPipe * p, Utt * u)
{
  elem_pipe_say (p, u);
  if (!wait_done (u, 10)) {
    u->failed = TRUE;
    report_problems (p);
    return FALSE;
  }
  return TRUE;
}

static gboolean
say_bare (BareClient * c, Utt * u, gboolean cold)
{
  bare_client_say (c, u, cold);
  if (!wait_done (u, 10)) {
    u->failed = TRUE;
    return FALSE;
  }
  return TRUE;
}

static void
print_latency_row (const gchar * transport, const gchar * kind,
    const gchar * client, Latencies * l, const gchar * judgement)
{
  gchar into[64] = "–";

  if (l->into_buffer->len)
    g_snprintf (into, sizeof into, "%.2f / %.2f",
        percentile (l->into_buffer, 50), percentile (l->into_buffer, 100));
  printf ("| %s | %s | %s | %u | %.3f | %.3f | %.3f | %.3f | %s | %s |\n",
      transport, kind, client, l->interval->len,
      percentile (l->interval, 50), percentile (l->interval, 99),
      percentile (l->added, 50), percentile (l->added, 99), into, judgement);
}

/* Warm runs of one client: live element (@pipe) or bare client (@bare).
 * Short utterances ("<tag><n>", 50 ms of speech per character), each after
 * the previous one played out and a pause, so every hand-over finds an idle
 * client.  The runs of all clients alternate, so drift hits them alike. */
typedef struct
{
  const gchar *name;
  const gchar *tag;
  ElemPipe *pipe;
  BareClient *bare;
  GPtrArray *utts;
  Latencies lat;
} WarmClient;

static void
run_warm (WarmClient * clients, guint n_clients, const gchar * format,
    gint rate)
{
  gint i;
  guint c;

  for (i = -5; i < opt_warm; i++) {
    for (c = 0; c < n_clients; c++) {
      WarmClient *w = &clients[c];
      /* three characters, 150 ms of speech: "<tag><two base-36 digits>" */
      static const gchar digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
      guint k = (i + 5) % (36 * 36);
      g_autofree gchar *text = g_strdup_printf ("%s%c%c", w->tag,
          digits[k / 36], digits[k % 36]);
      Utt *u = utt_new (text, audio_size (text, format, rate), FALSE);

      if (w->pipe) {
        say_element (w->pipe, u);
        /* (the warm-up utterances are freed below) */
        elem_pipe_arm (w->pipe, NULL);
      } else {
        say_bare (w->bare, u, FALSE);
      }
      if (i < 0)
        utt_free (u);
      else
        g_ptr_array_add (w->utts, u);
      g_usleep (10000 + g_random_int_range (0, 10000));
    }
    if (i == -1)
      emu_proc_clear (emu);
  }
}

static void
bench_latency_transport (const gchar * transport)
{
  gboolean sse = g_str_equal (transport, "sse");
  const gchar *format = "S16LE";
  gint rate = 44100, i;
  guint c, n_clients = 0;
  ElemConfig config = { emu_proc_url (emu), transport, format, rate, TRUE,
    NULL, NULL
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) utts = g_ptr_array_new_with_free_func ((GDestroyNotify)
      utt_free);
  g_autoptr (GPtrArray) bare_utts =
      g_ptr_array_new_with_free_func ((GDestroyNotify) utt_free);
  g_autoptr (GHashTable) server = NULL;
  WarmClient warm[3];
  Latencies ec, bc, sw, sc;
  g_autoptr (GError) sdk_error = NULL;
  BareLoop *loop = bare_loop_new ();
  BareClient *bare = bare_client_new (loop, emu_proc_url (emu), sse,
      encoding_of (format), rate);
  ElemPipe *pipe;
  gchar judgement[256], sdk_judgement[256];
  gdouble over, hs;

  latencies_init (&ec);
  latencies_init (&bc);
  emu_proc_set (emu, "reset", "1");
  emu_proc_set (emu, "pacing", "instant");
  emu_proc_set (emu, "chunk-bytes", "4096");

  /* warm: live pipelines already PLAYING, their connections open */
  memset (warm, 0, sizeof warm);
  warm[n_clients].name = "cartesiattssrc";
  warm[n_clients].tag = "E";
  warm[n_clients++].pipe = elem_pipe_new (&config, &error);
  if (!sse && elem_has_property ("samplesperbuffer")) {
    config.extra = "samplesperbuffer=64";
    warm[n_clients].name = "cartesiattssrc samplesperbuffer=64";
    warm[n_clients].tag = "F";
    warm[n_clients++].pipe = elem_pipe_new (&config, &error);
    config.extra = NULL;
  }
  warm[n_clients].name = "bare client";
  warm[n_clients].tag = "B";
  warm[n_clients++].bare = bare;
  for (c = 0; c < n_clients; c++) {
    warm[c].utts = g_ptr_array_new_with_free_func ((GDestroyNotify) utt_free);
    latencies_init (&warm[c].lat);
    if (warm[c].pipe ? !elem_pipe_play (warm[c].pipe) :
        !bare_client_connect (bare))
      g_error ("cannot start the %s clients", transport);
  }
  g_usleep (G_USEC_PER_SEC / 5);
  note ("%s: %d warm runs", transport, opt_warm);
  run_warm (warm, n_clients, format, rate);
  server = emu_proc_server_times (emu);
  for (c = 0; c < n_clients; c++) {
    account (warm[c].utts, server, &warm[c].lat);
    if (warm[c].pipe) {
      report_problems (warm[c].pipe);
      elem_pipe_free (warm[c].pipe);
    }
  }
  g_clear_pointer (&server, g_hash_table_unref);

  /* the official SDK (issue 17), WebSocket only: right after the others,
   * in a node process of its own (its warm-up utterances included) */
  latencies_init (&sw);
  latencies_init (&sc);
  if (!sse) {
    if (!bench_sdk_check (&sdk_error)) {
      g_printerr ("cartesia-bench: the SDK cannot run: %s\n",
          sdk_error->message);
    } else {
      note ("%s: %d warm runs of the SDK", transport, opt_warm);
      sw.failed = bench_sdk_latency (emu, FALSE, opt_warm, sw.interval,
          sw.added);
    }
  }

  /* cold: a new non-live pipeline, PLAYING -> first buffer; a new
   * session and connection for the bare client */
  note ("%s: %d cold runs", transport, opt_cold);
  config.live = FALSE;
  for (i = 0; i < opt_cold; i++) {
    g_autofree gchar *etext = g_strdup_printf ("Elem cold %d go.", i);
    g_autofree gchar *btext = g_strdup_printf ("Bare cold %d go.", i);
    Utt *u = utt_new (etext, audio_size (etext, format, rate), FALSE);
    Utt *b = utt_new (btext, u->expected, FALSE);

    g_ptr_array_add (utts, u);
    g_ptr_array_add (bare_utts, b);
    config.text = etext;
    pipe = elem_pipe_new (&config, &error);
    if (!elem_pipe_play_timed (pipe, u) || !wait_done (u, 10)) {
      u->failed = TRUE;
      report_problems (pipe);
    }
    elem_pipe_free (pipe);
    g_usleep (2000);
    say_bare (bare, b, TRUE);
    g_usleep (2000);
  }
  server = emu_proc_server_times (emu);
  account (utts, server, &ec);
  account (bare_utts, server, &bc);
  if (!sse && sdk_error == NULL) {
    note ("%s: %d cold runs of the SDK", transport, opt_cold);
    sc.failed = bench_sdk_latency (emu, TRUE, opt_cold, sc.interval,
        sc.added);
  }
  note ("%s: done", transport);

  for (c = 0; c < n_clients; c++) {
    Latencies *l = &warm[c].lat;

    if (c == 0) {
      g_snprintf (judgement, sizeof judgement,
          "p50 %s 0.3 ms: %s; p99 %s 1 ms: %s",
          percentile (l->added, 50) <= 0.3 ? "≤" : ">",
          judge (percentile (l->added, 50) <= 0.3),
          percentile (l->added, 99) <= 1.0 ? "≤" : ">",
          judge (percentile (l->added, 99) <= 1.0));
    } else {
      g_snprintf (judgement, sizeof judgement, "%s",
          warm[c].bare ? "baseline" : "(for comparison)");
    }
    print_latency_row (transport, "warm", warm[c].name, l, judgement);
  }
  over = percentile (ec.added, 50) - percentile (bc.added, 50);
  hs = percentile (bc.handshake, 50);
  g_snprintf (judgement, sizeof judgement,
      "p50 %s 3 ms: %s; p50 over baseline %.3f ms %s one %s %.3f ms: %s",
      percentile (ec.added, 50) <= 3.0 ? "≤" : ">",
      judge (percentile (ec.added, 50) <= 3.0), over,
      over <= hs ? "≤" : ">", sse ? "TCP connect" : "TCP+WebSocket handshake",
      hs, judge (over <= hs));
  if (!sse && sdk_error) {
    printf ("| %s | warm | official SDK | 0 | | | | | – | **FAIL**: %s |\n",
        transport, sdk_error->message);
    failures++;
  } else if (!sse) {
    gdouble e50 = percentile (warm[0].lat.added, 50);
    gdouble s50 = percentile (sw.added, 50);
    gboolean ok = sw.added->len > 0 && e50 <= 0.6 * s50;

    g_snprintf (sdk_judgement, sizeof sdk_judgement, "issue 17: element "
        "p50 %.2f× the SDK's (≤ 0.6): %s", s50 > 0 ? e50 / s50 : 0,
        judge (ok));
    print_latency_row (transport, "warm", "official SDK (cartesia-js 4.2.0)",
        &sw, sdk_judgement);
  }
  print_latency_row (transport, "cold", "cartesiattssrc", &ec, judgement);
  print_latency_row (transport, "cold", "bare client", &bc, "baseline");
  if (!sse && sdk_error == NULL) {
    gdouble e50 = percentile (ec.added, 50);
    gdouble s50 = percentile (sc.added, 50);

    g_snprintf (sdk_judgement, sizeof sdk_judgement, "(element p50 %.2f× "
        "the SDK's)", s50 > 0 ? e50 / s50 : 0);
    print_latency_row (transport, "cold", "official SDK (cartesia-js 4.2.0)",
        &sc, sdk_judgement);
  }
  if (sw.failed + sc.failed)
    printf ("| %s | warm/cold | official SDK: failed runs | %u/%u | | | | | "
        "| |\n", transport, sw.failed, sc.failed);
  for (c = 0; c < n_clients; c++)
    if (warm[c].lat.failed)
      printf ("| %s | warm | %s: failed runs | %u | | | | | |\n", transport,
          warm[c].name, warm[c].lat.failed);
  if (ec.failed + bc.failed)
    printf ("| %s | cold | failed runs (element/bare) | %u/%u | | | | | |\n",
        transport, ec.failed, bc.failed);

  for (c = 0; c < n_clients; c++) {
    g_ptr_array_unref (warm[c].utts);
    latencies_clear (&warm[c].lat);
  }
  bare_client_free (bare);
  bare_loop_free (loop);
  latencies_clear (&ec);
  latencies_clear (&bc);
  latencies_clear (&sw);
  latencies_clear (&sc);
}

static void
bench_latency (void)
{
  printf ("## 1. Time to first audio (ms)\n\n");
  printf ("Interval: from the text hand-over to the first audio buffer "
      "leaving `src` (pad probe). Warm: `text` set on a live source already "
      "PLAYING, its connection open and idle. Cold: a new non-live pipeline "
      "with `text` set goes to PLAYING. Bare client: from just before it "
      "sends the request (cold: before it creates its session) to the first "
      "chunk decoded. Added: the interval minus the emulator's own time "
      "from request received to first chunk sent. Into its buffer: how "
      "far into that first buffer its first sound is (p50 / max; live, "
      "the jitter margin can start speech inside its buffer, which a sink "
      "then plays that much later; the buffer leaves no later). S16LE "
      "44.1 kHz, 4 KiB chunks, %d warm and %d cold runs per client, "
      "interleaved.\n\n", opt_warm, opt_cold);
  printf ("| transport | start | client | runs | interval p50 | interval p99 "
      "| added p50 | added p99 | into its buffer (ms) | target |\n");
  printf ("|---|---|---|---|---|---|---|---|---|---|\n");
  bench_latency_transport ("websocket");
  bench_latency_transport ("sse");
  printf ("\n");
}

/* ---- 2. CPU per audio-second ---- */

static void
print_thread_split (GHashTable * before, GHashTable * after, gdouble seconds)
{
  GHashTableIter iter;
  gpointer key, value;
  GString *s = g_string_new (NULL);

  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    gint64 *b = g_hash_table_lookup (before, key);
    gint64 d = *(gint64 *) value - (b ? *b : 0);

    if (d > 100000)
      g_string_append_printf (s, "%s%s %.3f", s->len ? ", " : "",
          (gchar *) key, d / 1e6 / seconds);
  }
  printf ("%s", s->str);
  g_string_free (s, TRUE);
}

static void
bench_cpu_row (const gchar * transport, const gchar * format, gint rate)
{
  gboolean sse = g_str_equal (transport, "sse");
  ElemConfig config = { emu_proc_url (emu), transport, format, rate, FALSE,
    NULL, NULL
  };
  g_autoptr (GArray) elem = doubles ();
  g_autoptr (GArray) bare = doubles ();
  g_autoptr (GArray) server = doubles ();
  GHashTable *split_first = NULL, *split_done = NULL;
  gdouble split_seconds = 0;
  BareLoop *loop = bare_loop_new ();
  BareClient *bc = bare_client_new (loop, emu_proc_url (emu), sse,
      encoding_of (format), rate);
  guint byte_rate = rate * bytes_per_sample (format);
  gint i;
  gdouble e, b, ratio;
  gboolean main_target = g_str_equal (format, "S16LE") && !sse;

  if (!bare_client_connect (bc))
    g_error ("cannot start the %s clients", transport);
  note ("cpu: %s %s %d", transport, format, rate);

  /* run -1 warms up and splits the element's CPU by thread */
  for (i = -1; i < opt_cpu_repeats; i++) {
    g_autofree gchar *etext = make_text (i < 0 ? "Warmup" : "Elem",
        opt_cpu_seconds);
    g_autofree gchar *btext = make_text (i < 0 ? "Warmup" : "Bare",
        opt_cpu_seconds);
    Utt *u = utt_new (etext, audio_size (etext, format, rate), FALSE);
    Utt *v = utt_new (btext, audio_size (btext, format, rate), FALSE);
    g_autoptr (GError) error = NULL;
    ElemPipe *pipe;
    gint64 ecpu0 = emu_proc_cpu_us (emu);

    u->cpu_clock = process_cpu_ns;
    u->want_threads = i < 0;
    v->cpu_clock = thread_cpu_ns;
    config.text = etext;
    pipe = elem_pipe_new (&config, &error);
    if (elem_pipe_play_timed (pipe, u) && wait_done (u, 120)) {
      gdouble secs = (gdouble) (u->bytes - u->first_len) / byte_rate;

      if (i >= 0) {
        add (elem, (u->cpu_done_ns - u->cpu_first_ns) / 1e6 / secs);
        add (server, (emu_proc_cpu_us (emu) - ecpu0) / 1e3 / secs);
      } else {
        split_first = g_steal_pointer (&u->threads_first);
        split_done = g_steal_pointer (&u->threads_done);
        split_seconds = secs;
      }
    } else {
      report_problems (pipe);
    }
    elem_pipe_free (pipe);
    g_usleep (5000);
    if (say_bare (bc, v, FALSE) && i >= 0)
      add (bare, (v->cpu_done_ns - v->cpu_first_ns) / 1e6 /
          ((gdouble) (v->bytes - v->first_len) / byte_rate));
    utt_free (u);
    utt_free (v);
    g_usleep (5000);
  }
  bare_client_free (bc);
  bare_loop_free (loop);

  e = median (elem);
  b = median (bare);
  ratio = e / b;
  printf ("| %s | %s %d | %u | %.3f | %.3f | %.2f | %.3f | ", transport,
      format, rate, elem->len, e, b, ratio, median (server));
  if (main_target)
    printf ("≤ 0.5: %s; ≤ 1.5× baseline: %s", judge (e <= 0.5),
        judge (ratio <= 1.5));
  else
    printf ("(≤ 0.5: %s; ≤ 1.5×: %s)", verdict (e <= 0.5),
        verdict (ratio <= 1.5));
  printf (" |\n");
  if (split_done) {
    printf ("|  | by thread (warm-up run) | | ");
    print_thread_split (split_first, split_done, split_seconds);
    printf (" | | | | |\n");
    g_hash_table_unref (split_first);
    g_hash_table_unref (split_done);
  }
  fflush (stdout);
}

static void
bench_cpu (void)
{
  printf ("## 2. CPU per second of audio (ms CPU / audio s)\n\n");
  printf ("Emulator instant, 4 KiB chunks, one utterance of %d s of audio, "
      "%d runs, median. Element: a non-live pipeline "
      "(`cartesiattssrc text=... ! capsfilter ! fakesink sync=false`); the "
      "process's CPU time (user+sys, every thread) from the first audio "
      "buffer out of `src` to the last, divided by the audio seconds after "
      "the first buffer: start-up, connection and the first chunk are not "
      "counted. Baseline: the bare client thread's CPU over the same span "
      "(it parses each message with json-glib and decodes the base64). The "
      "emulator is another process; its own CPU (whole utterance) is shown "
      "for scale. By thread: CPU ms per audio second of each thread kind "
      "over the same span, in the warm-up run.\n\n", opt_cpu_seconds,
      opt_cpu_repeats);
  printf ("| transport | format | runs | element | bare client | ratio | "
      "emulator | target |\n");
  printf ("|---|---|---|---|---|---|---|---|\n");
  bench_cpu_row ("websocket", "S16LE", 44100);
  bench_cpu_row ("websocket", "F32LE", 48000);
  bench_cpu_row ("sse", "S16LE", 44100);
  bench_cpu_row ("sse", "F32LE", 48000);
  printf ("\n");
}

/* ---- 3. concurrency ---- */

typedef struct
{
  ElemPipe *pipe;
  BareClient *bare;
  GstClockTime latency;         /* the element's, as its src pad reports */
  gint64 start_us;              /* when its next utterance is due */
  guint spoken;
  Utt *current;
  GPtrArray *utts;
} Stream;

typedef struct
{
  gdouble cpu_percent;
  gdouble emulator_percent;
  gchar emulator_late[64];      /* its paced chunks > 20 ms late */
  guint buffers;
  guint underruns;
  guint streams_with_underruns;
  gdouble lateness_p99;         /* ms */
  gint64 speech_underrun_ns;    /* element-reported; -1: not reported */
  guint speech_underrun_utts;
  guint threads;                /* of the process, once all are started */
  Latencies lat;
} ConcResult;

static guint
count_threads (void)
{
  GDir *dir = g_dir_open ("/proc/self/task", 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 0;
  while (g_dir_read_name (dir))
    n++;
  g_dir_close (dir);
  return n;
}

/* How late (µs) @a is for its consumer; 0 or less is in time.
 * The element: as a GStreamer sink sees it, against the buffer's PTS plus
 * the latency the element reports (the sink plays running time PTS at
 * PTS + latency).  A bare client, which has no timeline: against a consumer
 * that starts playing when the first buffer arrives. */
static gint64
lateness_us (Stream * s, const Arrival * first, const Arrival * a,
    guint byte_rate)
{
  if (GST_CLOCK_TIME_IS_VALID (a->pts)
      && GST_CLOCK_TIME_IS_VALID (a->running_time)
      && GST_CLOCK_TIME_IS_VALID (s->latency))
    return GST_CLOCK_DIFF (a->pts + s->latency, a->running_time) / 1000;
  return a->time_us - first->time_us
      - (gint64) (a->offset * G_USEC_PER_SEC / byte_rate);
}

/* A buffer is late (an underrun at its consumer) when it comes after the
 * consumer's playout delay is used up. */
static void
analyse_stream (Stream * s, guint byte_rate, ConcResult * r)
{
  guint i, j, late = 0;

  for (i = 0; i < s->utts->len; i++) {
    Utt *u = s->utts->pdata[i];
    const Arrival *first;

    if (u->arrivals == NULL || u->arrivals->len == 0)
      continue;
    first = &g_array_index (u->arrivals, Arrival, 0);
    for (j = 0; j < u->arrivals->len; j++) {
      const Arrival *a = &g_array_index (u->arrivals, Arrival, j);

      r->buffers++;
      if (lateness_us (s, first, a, byte_rate) > opt_playout_ms * 1000)
        late++;
    }
  }
  r->underruns += late;
  if (late)
    r->streams_with_underruns++;
}

static GArray *
lateness_of (Stream * streams, guint n, guint byte_rate)
{
  GArray *lateness = doubles ();
  guint s, i, j;

  for (s = 0; s < n; s++)
    for (i = 0; i < streams[s].utts->len; i++) {
      Utt *u = streams[s].utts->pdata[i];
      const Arrival *first;

      if (u->arrivals == NULL || u->arrivals->len == 0)
        continue;
      first = &g_array_index (u->arrivals, Arrival, 0);
      for (j = 1; j < u->arrivals->len; j++)
        add (lateness, lateness_us (&streams[s], first,
                &g_array_index (u->arrivals, Arrival, j), byte_rate) / 1000.0);
    }
  return lateness;
}

/* @share: the elements share one WebSocket (share-connection=true). */
static void
run_streams (guint n, gboolean element, gboolean share, ConcResult * r)
{
  const gchar *format = "S16LE";
  gint rate = 44100;
  guint byte_rate = rate * 2, i, active;
  guint64 pc = 0, p5 = 0, p20 = 0;
  gint64 pmax = 0;
  g_autofree gchar *props = g_strdup_printf ("%s%s",
      opt_stream_props ? opt_stream_props : "",
      share ? " share-connection=true" : "");
  ElemConfig config = { emu_proc_url (emu), "websocket", format, rate, TRUE,
    NULL, props
  };
  Stream *streams = g_new0 (Stream, n);
  BareLoop *loop = element ? NULL : bare_loop_new ();
  g_autoptr (GHashTable) server = NULL;
  g_autoptr (GArray) lateness = NULL;
  gint64 t_start, t_end, cpu0, cpu1, ecpu0, ecpu1, gap = 300000;

  memset (r, 0, sizeof *r);
  latencies_init (&r->lat);
  for (i = 0; i < n; i++) {
    streams[i].utts = g_ptr_array_new_with_free_func ((GDestroyNotify)
        utt_free);
    if (element) {
      g_autoptr (GError) error = NULL;

      streams[i].pipe = elem_pipe_new (&config, &error);
      if (streams[i].pipe == NULL || !elem_pipe_play (streams[i].pipe))
        g_error ("cannot start pipeline %u", i);
    } else {
      streams[i].bare = bare_client_new (loop, emu_proc_url (emu), FALSE,
          encoding_of (format), rate);
      if (!bare_client_connect (streams[i].bare))
        g_error ("cannot connect bare client %u", i);
    }
  }
  /* let the pre-connects finish */
  g_usleep (G_USEC_PER_SEC / 2);
  emu_proc_clear (emu);
  r->threads = count_threads ();
  for (i = 0; i < n; i++)
    streams[i].latency = element ? elem_pipe_latency (streams[i].pipe) :
        GST_CLOCK_TIME_NONE;

  t_start = g_get_monotonic_time ();
  for (i = 0; i < n; i++)
    streams[i].start_us = t_start + (gint64) i * G_USEC_PER_SEC / n;
  cpu0 = process_cpu_ns ();
  ecpu0 = emu_proc_cpu_us (emu);
  emu_proc_pacing (emu, &pc, &p5, &p20, &pmax);     /* starts counting */
  do {
    gint64 now = g_get_monotonic_time ();

    active = 0;
    for (i = 0; i < n; i++) {
      Stream *s = &streams[i];
      gboolean done;

      utt_lock ();
      done = s->current == NULL || s->current->done_us || s->current->failed;
      if (s->current && done) {
        s->start_us = MAX (s->current->done_us, now) + gap;
        s->current = NULL;
      }
      utt_unlock ();
      if (!done) {
        active++;
        continue;
      }
      if (s->spoken < (guint) opt_stream_utterances) {
        active++;
        if (now >= s->start_us) {
          g_autofree gchar *tag = g_strdup_printf ("%s stream %u line %u",
              element ? "Elem" : "Bare", i, s->spoken);
          g_autofree gchar *text = make_text (tag, opt_stream_seconds);
          Utt *u = utt_new (text, audio_size (text, format, rate), TRUE);

          g_ptr_array_add (s->utts, u);
          s->current = u;
          s->spoken++;
          if (element)
            elem_pipe_say (s->pipe, u);
          else
            bare_client_say (s->bare, u, FALSE);
        }
      }
    }
    if (now - t_start > (opt_stream_utterances * (opt_stream_seconds + 5)
            + 10) * G_USEC_PER_SEC) {
      g_printerr ("concurrency: giving up waiting for %u streams\n", active);
      break;
    }
    g_usleep (2000);
  } while (active);
  cpu1 = process_cpu_ns ();
  ecpu1 = emu_proc_cpu_us (emu);
  t_end = g_get_monotonic_time ();
  if (emu_proc_pacing (emu, &pc, &p5, &p20, &pmax))
    g_snprintf (r->emulator_late, sizeof r->emulator_late, "%"
        G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " (%.1f)", p20, pc,
        pmax / 1000.0);
  else
    g_strlcpy (r->emulator_late, "?", sizeof r->emulator_late);

  r->cpu_percent = (cpu1 - cpu0) / 10.0 / (t_end - t_start);
  r->emulator_percent = (ecpu1 - ecpu0) * 100.0 / (t_end - t_start);
  server = emu_proc_server_times (emu);
  for (i = 0; i < n; i++) {
    account (streams[i].utts, server, &r->lat);
    analyse_stream (&streams[i], byte_rate, r);
  }
  lateness = lateness_of (streams, n, byte_rate);
  r->lateness_p99 = percentile (lateness, 99);

  r->speech_underrun_ns = -1;
  for (i = 0; i < n; i++) {
    if (streams[i].pipe) {
      guint utts;
      gint64 ns = elem_pipe_underruns (streams[i].pipe, &utts);

      if (ns >= 0) {
        r->speech_underrun_ns = MAX (r->speech_underrun_ns, 0) + ns;
        r->speech_underrun_utts += utts;
      }
      report_problems (streams[i].pipe);
    }
    elem_pipe_free (streams[i].pipe);
    bare_client_free (streams[i].bare);
    g_ptr_array_unref (streams[i].utts);
  }
  if (loop)
    bare_loop_free (loop);
  g_free (streams);
}

static void
bench_concurrency (void)
{
  g_auto (GStrv) levels = g_strsplit (opt_streams ? opt_streams :
      "1,10,50,100,200,300", ",", -1);
  guint i;

  emu_proc_set (emu, "reset", "1");
  emu_proc_set (emu, "pacing", "realtime");
  emu_proc_set (emu, "chunk-bytes", "4096");
  printf ("## 3. Concurrent real-time streams\n\n");
  printf ("N live pipelines in one process (`cartesiattssrc is-live=true ! "
      "capsfilter ! fakesink sync=false`, WebSocket, S16LE 44.1 kHz), each "
      "speaking %d utterances of %d s, starts staggered over 1 s; the "
      "emulator paces chunks in real time (4 KiB = 46 ms). The second row: "
      "the same pipelines with `share-connection=true`, one WebSocket and "
      "one transport thread for all. Baseline: N bare WebSocket clients on "
      "one thread. Threads: of this process once all are started. CPU %%: "
      "this process's CPU time over "
      "the wall time, 100 %% = one core. Late buffer (an underrun at the "
      "consumer): for the element, a buffer that leaves `src` more than "
      "%d ms (a sink's processing deadline) after the running time a "
      "GStreamer sink plays it at, its PTS plus the latency the element "
      "reports; for a bare client, which has no timestamps, a buffer that "
      "comes more than %d ms after a consumer that started playing at the "
      "utterance's first buffer needs it (first + position ÷ byte rate). "
      "Lateness: the same difference without the %d ms, p99 over all "
      "buffers but each utterance's first. Speech underruns: what "
      "the element itself reports in its `cartesia-utterance-finished` "
      "messages (`underrun-duration`: silence it had to insert because "
      "speech arrived after its slot). Emulator late: its paced chunks "
      "(each context's first not counted) that left it more than 20 ms "
      "after their audio was due to start, and the latest one: a client "
      "cannot make up for those. Added latency: as in part 1 (live, "
      "so it includes the wait for the buffer boundary).\n\n",
      opt_stream_utterances, opt_stream_seconds, opt_playout_ms,
      opt_playout_ms, opt_playout_ms);
  printf ("| N | client | threads | CPU %% | emulator CPU %% | "
      "emulator: paced chunks > 20 ms late (max ms) | buffers | "
      "late buffers | streams with late buffers | lateness p99 (ms) | "
      "speech underruns (utterances, ms) | added latency p50 / p99 (ms) | "
      "target |\n");
  printf ("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (i = 0; levels[i]; i++) {
    guint n = atoi (levels[i]);
    ConcResult e, sh, b;
    ConcResult *rows[] = { &e, &sh };
    const gchar *names[] = { "cartesiattssrc",
      "cartesiattssrc share-connection=true"
    };
    guint k;

    if (n == 0)
      continue;
    note ("concurrency: %u element streams", n);
    run_streams (n, TRUE, FALSE, &e);
    note ("concurrency: %u element streams sharing one socket", n);
    run_streams (n, TRUE, TRUE, &sh);
    note ("concurrency: %u bare streams", n);
    run_streams (n, FALSE, FALSE, &b);
    for (k = 0; k < G_N_ELEMENTS (rows); k++) {
      ConcResult *r = rows[k];
      gboolean zero = r->underruns == 0 && r->speech_underrun_ns <= 0
          && !r->lat.failed;
      gchar speech[64];

      if (r->speech_underrun_ns >= 0)
        g_snprintf (speech, sizeof speech, "%u, %.1f",
            r->speech_underrun_utts, r->speech_underrun_ns / 1e6);
      else
        g_snprintf (speech, sizeof speech, "not reported");
      printf ("| %u | %s | %u | %.1f | %.1f | %s | %u | %u | %u | %.2f | %s | "
          "%.3f / %.3f | %s |\n", n, names[k], r->threads, r->cpu_percent,
          r->emulator_percent, r->emulator_late, r->buffers, r->underruns,
          r->streams_with_underruns, r->lateness_p99, speech,
          percentile (r->lat.added, 50), percentile (r->lat.added, 99),
          (n == 100 && k == 0) || (n == 300 && k == 1) ? judge (zero) :
          (zero ? "no underruns" : "underruns"));
    }
    printf ("| %u | bare client | %u | %.1f | %.1f | %s | %u | %u | %u | "
        "%.2f | – | %.3f / %.3f | baseline |\n", n, b.threads, b.cpu_percent,
        b.emulator_percent, b.emulator_late, b.buffers, b.underruns, b.streams_with_underruns,
        b.lateness_p99, percentile (b.lat.added, 50),
        percentile (b.lat.added, 99));
    if (e.lat.failed || sh.lat.failed || b.lat.failed)
      printf ("| %u | failed utterances | %u / %u / %u | | | | | | | | | | |\n",
          n, e.lat.failed, sh.lat.failed, b.lat.failed);
    fflush (stdout);
    latencies_clear (&e.lat);
    latencies_clear (&sh.lat);
    latencies_clear (&b.lat);
  }
  printf ("\n");
}

/* ---- 4. memory ---- */

/* In a process of its own, so that nothing else shapes the heap: one
 * non-live pipeline (or one bare client) speaks one utterance of
 * @opt_memory_minutes minutes; prints "rss <minute> <KiB>" for the first
 * audio (minute 0) and after each minute of audio went out. */
static int
memory_worker (void)
{
  const gchar *format = "S16LE";
  gint rate = 44100;
  guint i;
  gboolean element = g_str_equal (opt_memory_worker, "element");
  g_autofree gchar *text = make_text ("Memory", opt_memory_minutes * 60.0);
  ElemConfig config = { opt_emulator_url, "websocket", format, rate, FALSE,
    text, NULL
  };
  g_autoptr (GError) error = NULL;
  ElemPipe *pipe = NULL;
  BareLoop *loop = NULL;
  BareClient *bare = NULL;
  Utt *u = utt_new (text, audio_size (text, format, rate), FALSE);
  gboolean ok;

  u->rss_every = rate * bytes_per_sample (format) * 60;
  if (element) {
    pipe = elem_pipe_new (&config, &error);
    ok = pipe && elem_pipe_play_timed (pipe, u) && wait_done (u, 3600);
    if (pipe)
      report_problems (pipe);
  } else {
    loop = bare_loop_new ();
    bare = bare_client_new (loop, opt_emulator_url, FALSE,
        encoding_of (format), rate);
    ok = bare_client_connect (bare) && say_bare (bare, u, FALSE);
  }
  for (i = 0; ok && u->rss && i < u->rss->len; i++)
    printf ("rss %u %" G_GINT64_FORMAT "\n", i,
        g_array_index (u->rss, gint64, i));
  elem_pipe_free (pipe);
  bare_client_free (bare);
  if (loop)
    bare_loop_free (loop);
  utt_free (u);
  return ok ? 0 : 1;
}

/* rss[minute] in KiB, from a worker process; NULL on failure. */
static GArray *
run_memory_worker (const gchar * argv0, const gchar * kind, gdouble * secs)
{
  g_autofree gchar *minutes = g_strdup_printf ("%d", opt_memory_minutes);
  const gchar *argv[] = { argv0, "--memory-worker", kind, "--emulator-url",
    emu_proc_url (emu), "--memory-minutes", minutes, NULL
  };
  g_autofree gchar *out = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  GArray *rss = g_array_new (FALSE, TRUE, sizeof (gint64));
  gint status, i;
  gint64 t0 = g_get_monotonic_time ();

  if (!g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_DEFAULT, NULL,
          NULL, &out, NULL, &status, &error)
      || !g_spawn_check_wait_status (status, &error)) {
    g_printerr ("memory worker %s: %s\n", kind, error->message);
    g_array_unref (rss);
    return NULL;
  }
  *secs = (g_get_monotonic_time () - t0) / 1e6;
  lines = g_strsplit (out, "\n", -1);
  for (i = 0; lines[i]; i++) {
    gint minute;
    gint64 kib;

    if (sscanf (lines[i], "rss %d %" G_GINT64_FORMAT, &minute, &kib) == 2) {
      if ((guint) minute >= rss->len)
        g_array_set_size (rss, minute + 1);
      g_array_index (rss, gint64, minute) = kib;
    }
  }
  return rss;
}

static void
bench_memory (const gchar * argv0)
{
  const gchar *kinds[] = { "element", "baseline" };
  guint k;
  gint r;
  gint marks[] = { 1, 10, opt_memory_minutes };

  printf ("## 4. Memory (RSS, KiB)\n\n");
  printf ("One non-live WebSocket pipeline (or one bare client), alone in "
      "a process, speaks one utterance of %d minutes (S16LE 44.1 kHz, "
      "emulator instant, 4 KiB chunks); VmRSS read from the pad probe (the "
      "bare client: its message handler) at the first audio (start) and "
      "after each minute of audio; median of %d runs.\n\n",
      opt_memory_minutes, opt_memory_repeats);
  printf ("| client | start | after 1 min | after 10 min | after %d min | "
      "growth 10→%d min | wall time (s) | target |\n", opt_memory_minutes,
      opt_memory_minutes);
  printf ("|---|---|---|---|---|---|---|---|\n");
  emu_proc_set (emu, "reset", "1");
  emu_proc_set (emu, "pacing", "instant");
  emu_proc_set (emu, "chunk-bytes", "4096");
  for (k = 0; k < G_N_ELEMENTS (kinds); k++) {
    g_autoptr (GArray) at0 = doubles ();
    g_autoptr (GArray) at1 = doubles ();
    g_autoptr (GArray) at10 = doubles ();
    g_autoptr (GArray) atn = doubles ();
    GArray *at[3] = { at1, at10, atn };
    g_autoptr (GArray) growth = doubles ();
    g_autoptr (GArray) wall = doubles ();
    guint m;
    gdouble g;

    for (r = 0; r < opt_memory_repeats; r++) {
      gdouble secs = 0;
      g_autoptr (GArray) rss = NULL;

      note ("memory: %s, run %d", kinds[k], r + 1);
      rss = run_memory_worker (argv0, kinds[k], &secs);

      emu_proc_clear (emu);
      if (rss == NULL || rss->len <= (guint) opt_memory_minutes)
        continue;
      add (at0, g_array_index (rss, gint64, 0));
      for (m = 0; m < 3; m++)
        add (at[m], g_array_index (rss, gint64, MIN (marks[m],
                    opt_memory_minutes)));
      add (growth, g_array_index (rss, gint64, opt_memory_minutes)
          - g_array_index (rss, gint64, MIN (10, opt_memory_minutes)));
      add (wall, secs);
    }
    g = median (growth);
    printf ("| %s | %.0f | %.0f | %.0f | %.0f | %+.0f | %.1f | %s |\n",
        k == 0 ? "cartesiattssrc" : "bare client", median (at0),
        median (at[0]), median (at[1]), median (at[2]), g, median (wall),
        k == 0 ? (g < 1024 ? judge (TRUE) : judge (FALSE)) : "baseline");
    fflush (stdout);
  }
  printf ("\n");
}

/* ---- main ---- */

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("- benchmark "
      "cartesiattssrc against a bare client (issue 7)");
  g_autoptr (GError) error = NULL;
  g_autofree gchar *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree gchar *dir = g_path_get_dirname (self);
  gint64 t0 = start_us = g_get_monotonic_time ();

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("cartesia-bench: %s\n", error->message);
    return 2;
  }
  gst_init (NULL, NULL);
  if (gst_element_factory_find ("cartesiattssrc") == NULL) {
    g_printerr ("cartesia-bench: no cartesiattssrc element (set "
        "GST_PLUGIN_PATH_1_0, or use tests/bench/run-bench.sh)\n");
    return 2;
  }

  if (!check_audio_size ()) {
    g_printerr ("cartesia-bench: the emulator no longer speaks 50 ms per "
        "character; update audio_size ()\n");
    return 2;
  }
  /* At 50 ms per character, 100 minutes is 120 000 characters. */
  if (opt_memory_minutes < 10 || opt_memory_minutes > 100) {
    g_printerr ("cartesia-bench: --memory-minutes must be 10 to 100\n");
    return 2;
  }
  if (opt_memory_worker)
    return memory_worker ();
  if (opt_pace_worker)
    return bench_pace_worker (opt_pace_worker, opt_emulator_url,
        MAX (opt_pace_seconds, 1));
  if (opt_echo_worker)
    return echo_worker ();

  if (opt_quick) {
    opt_warm = MIN (opt_warm, 40);
    opt_cold = MIN (opt_cold, 10);
    opt_cpu_seconds = MIN (opt_cpu_seconds, 20);
    opt_cpu_repeats = MIN (opt_cpu_repeats, 3);
    if (opt_streams == NULL)
      opt_streams = g_strdup ("1,10");
    opt_stream_utterances = 1;
    opt_stream_seconds = MIN (opt_stream_seconds, 2);
    opt_memory_minutes = MIN (opt_memory_minutes, 10);
    opt_pace_seconds = MIN (opt_pace_seconds, 3);
    opt_pace_repeats = 1;
  }
  if (opt_memory_minutes < 10)
    opt_memory_minutes = 10;

  if (opt_emulator == NULL)
    opt_emulator = g_build_filename (dir, "bench-emulator", NULL);
  emu = emu_proc_start (opt_emulator, &error);
  if (emu == NULL) {
    g_printerr ("cartesia-bench: cannot start %s: %s\n", opt_emulator,
        error->message);
    return 2;
  }

  printf ("# cartesiattssrc benchmark\n\n");
  print_machine (self);
  fflush (stdout);
  if (part_enabled ("latency"))
    bench_latency ();
  fflush (stdout);
  if (part_enabled ("cpu"))
    bench_cpu ();
  fflush (stdout);
  if (part_enabled ("concurrency"))
    bench_concurrency ();
  fflush (stdout);
  if (part_enabled ("memory"))
    bench_memory (self);
  fflush (stdout);
  if (part_enabled ("tokens"))
    failures += bench_tokens (emu_proc_url (emu), opt_quick ? 3 : 20);
  fflush (stdout);
  if (part_enabled ("pace"))
    failures += bench_pace (self, emu, MAX (opt_pace_seconds, 1),
        MAX (opt_pace_repeats, 1), opt_paces ? opt_paces :
        "5,10,20,realtime");
  printf ("Total %.0f s; %d target(s) failed.\n",
      (g_get_monotonic_time () - t0) / 1e6, failures);

  emu_proc_stop (emu);
  return failures ? 1 : 0;
}
