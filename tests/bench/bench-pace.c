/* cartesia-bench, part 5 (issue 17): CPU at the pace audio really arrives.
 *
 * The emulator sends a 4 KiB chunk every 5, 10 or 20 ms, or each when its
 * audio would start playing (real time).  Every client speaks one utterance
 * in a process of its own, so that its CPU time and its thread wake-ups are
 * its own: the non-live and the live element and the bare libsoup client
 * (this program again, as a worker), and the official SDK
 * (tests/sdk/bench-sdk.cjs under node).  Each measures itself from its first
 * audio to its last: process CPU (user+sys, every thread) and wake-ups (the
 * voluntary and nonvoluntary context switches of every thread, summed over
 * /proc/self/task/N/status).  The runs of the clients alternate, so drift
 * hits them alike; medians, and the spread between repeats (min–max) as the
 * measure of noise. */
#include "bench.h"

#include <gio/gio.h>

#include <stdio.h>
#include <string.h>

#define PACE_FORMAT "S16LE"
#define PACE_RATE 44100
#define PACE_BYTE_RATE (PACE_RATE * 2)
#define PACE_CHUNK 4096

typedef struct
{
  gint64 cpu_us;
  gint64 wakeups;
  gsize bytes;                  /* after the first chunk */
} PaceResult;

static gboolean
wait_utt (Utt * u, gdouble seconds)
{
  gboolean ok;

  utt_lock ();
  ok = utt_wait (u, g_get_monotonic_time () + seconds * G_USEC_PER_SEC);
  utt_unlock ();
  return ok;
}

/* ---- the worker: one client, one utterance, in this process ---- */

int
bench_pace_worker (const gchar * kind, const gchar * url, gint seconds)
{
  g_autofree gchar *text = bench_make_text ("Pace", seconds);
  gboolean live = g_str_equal (kind, "live");
  ElemConfig config = { url, "websocket", PACE_FORMAT, PACE_RATE, live,
    live ? NULL : text, NULL
  };
  g_autoptr (GError) error = NULL;
  Utt *u = utt_new (text, bench_audio_size (text, PACE_FORMAT, PACE_RATE),
      FALSE);
  ElemPipe *pipe = NULL;
  BareLoop *loop = NULL;
  BareClient *bare = NULL;
  gboolean ok = FALSE;
  gchar *problem;

  u->cpu_clock = process_cpu_ns;
  u->want_wakeups = TRUE;
  if (g_str_equal (kind, "element") || live) {
    pipe = elem_pipe_new (&config, &error);
    if (pipe == NULL) {
      g_printerr ("pace worker: %s\n", error->message);
      utt_free (u);
      return 1;
    }
    if (live) {
      /* the connection open and idle first, as a live source waits */
      ok = elem_pipe_play (pipe);
      g_usleep (G_USEC_PER_SEC / 5);
      if (ok)
        elem_pipe_say (pipe, u);
    } else {
      ok = elem_pipe_play_timed (pipe, u);
    }
    ok = ok && wait_utt (u, seconds * 2 + 60);
    while ((problem = elem_pipe_pop_problem (pipe))) {
      g_printerr ("pace worker: element: %s\n", problem);
      g_free (problem);
    }
  } else if (g_str_equal (kind, "bare") || g_str_equal (kind, "handoff")) {
    loop = bare_loop_new ();
    bare = bare_client_new (loop, url, FALSE, "pcm_s16le", PACE_RATE);
    if (g_str_equal (kind, "handoff"))
      bare_client_set_handoff (bare);
    if (bare_client_connect (bare)) {
      bare_client_say (bare, u, FALSE);
      ok = wait_utt (u, seconds * 2 + 60);
    }
  } else {
    g_printerr ("pace worker: unknown kind %s\n", kind);
  }
  if (ok)
    printf ("result %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %"
        G_GSIZE_FORMAT "\n", (u->cpu_done_ns - u->cpu_first_ns) / 1000,
        u->wakeups_done - u->wakeups_first, u->bytes - u->first_len);
  else
    g_printerr ("pace worker: %s: the utterance did not complete\n", kind);
  fflush (stdout);
  if (pipe)
    elem_pipe_free (pipe);
  bare_client_free (bare);
  if (loop)
    bare_loop_free (loop);
  utt_free (u);
  return ok ? 0 : 1;
}

/* ---- the SDK (node) ---- */

static gchar *
sdk_script (void)
{
  const gchar *dir = g_getenv ("CARTESIA_BENCH_SDK_DIR");

  return dir ? g_build_filename (dir, "bench-sdk.cjs", NULL) : NULL;
}

gboolean
bench_sdk_check (GError ** error)
{
  g_autofree gchar *script = sdk_script ();
  g_autofree gchar *node = g_find_program_in_path ("node");
  g_autofree gchar *dir = script ? g_path_get_dirname (script) : NULL;
  g_autofree gchar *mod = dir ? g_build_filename (dir, "node_modules",
      "@cartesia", "cartesia-js", NULL) : NULL;

  if (script == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
        "CARTESIA_BENCH_SDK_DIR is not set (tests/bench/run-bench.sh sets "
        "it to tests/sdk)");
    return FALSE;
  }
  if (node == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
        "node is not installed (tests/install-deps.sh)");
    return FALSE;
  }
  if (!g_file_test (mod, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
        "%s is missing: run tests/install-deps.sh (npm ci in %s)", mod, dir);
    return FALSE;
  }
  return TRUE;
}

/* Runs `node bench-sdk.cjs URL ARGS...`; its stdout, or NULL (said why). */
static gchar *
sdk_run (const gchar * url, const gchar * a1, const gchar * a2,
    const gchar * a3)
{
  g_autofree gchar *script = sdk_script ();
  const gchar *argv[] = { "node", script, url, a1, a2, a3, NULL };
  gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autoptr (GError) error = NULL;
  gint status;

  if (!g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
          NULL, &out, &err, &status, &error)
      || !g_spawn_check_wait_status (status, &error)) {
    g_printerr ("sdk %s: %s\n%s", a1, error->message, err ? err : "");
    g_free (out);
    return NULL;
  }
  return out;
}

/* Warm (@cold FALSE) or cold time to first audio of the SDK, @n runs:
 * appends interval and added (ms) per run; returns how many failed. */
guint
bench_sdk_latency (EmuProc * emu, gboolean cold, guint n, GArray * interval,
    GArray * added)
{
  g_autofree gchar *count = g_strdup_printf ("%u", n);
  const gchar *tag = cold ? "Sc" : "Sw";
  g_autofree gchar *out = NULL;
  g_autoptr (GHashTable) server = NULL;
  g_auto (GStrv) lines = NULL;
  guint i, got = 0;

  emu_proc_clear (emu);
  out = sdk_run (emu_proc_url (emu), cold ? "cold" : "warm", count, tag);
  server = emu_proc_server_times (emu);
  if (out == NULL)
    return n;
  lines = g_strsplit (out, "\n", -1);
  for (i = 0; lines[i]; i++) {
    gchar text[64];
    gint64 us, *server_us;
    gdouble v;

    if (sscanf (lines[i], "utt %63s %" G_GINT64_FORMAT, text, &us) != 2)
      continue;
    server_us = g_hash_table_lookup (server, text);
    if (server_us == NULL)
      continue;
    v = us / 1000.0;
    g_array_append_val (interval, v);
    v = (us - *server_us) / 1000.0;
    g_array_append_val (added, v);
    got++;
  }
  return n > got ? n - got : 0;
}

/* ---- the part ---- */

static gboolean
run_worker (const gchar * self, EmuProc * emu, const gchar * kind,
    gint seconds, PaceResult * r)
{
  g_autofree gchar *secs = g_strdup_printf ("%d", seconds);
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *s;
  gint status;

  memset (r, 0, sizeof *r);
  if (g_str_equal (kind, "sdk")) {
    g_autofree gchar *text = bench_make_text ("Pace", seconds);

    out = sdk_run (emu_proc_url (emu), "cpu", text, NULL);
  } else {
    const gchar *argv[] = { self, "--pace-worker", kind, "--emulator-url",
      emu_proc_url (emu), "--pace-seconds", secs, NULL
    };

    if (!g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_DEFAULT, NULL,
            NULL, &out, &err, &status, &error)
        || !g_spawn_check_wait_status (status, &error)) {
      g_printerr ("pace worker %s: %s\n%s", kind, error->message,
          err ? err : "");
      return FALSE;
    }
  }
  emu_proc_clear (emu);
  if (out == NULL || (s = strstr (out, "result ")) == NULL)
    return FALSE;
  if (g_str_equal (kind, "sdk")) {
    /* result <cpu_us> <wakeups> <chunks> <bytes> <first_len> */
    gint64 chunks;

    return sscanf (s, "result %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %"
        G_GINT64_FORMAT " %" G_GSIZE_FORMAT, &r->cpu_us, &r->wakeups,
        &chunks, &r->bytes) == 4 && r->bytes > 0;
  }
  return sscanf (s, "result %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %"
      G_GSIZE_FORMAT, &r->cpu_us, &r->wakeups, &r->bytes) == 3
      && r->bytes > 0;
}

typedef struct
{
  const gchar *kind;
  const gchar *name;
  GArray *cpu;                  /* ms CPU per audio second */
  GArray *per_chunk;            /* µs CPU per chunk */
  GArray *wakeups;              /* per chunk */
  guint failed;
} PaceClient;

static gdouble
med (GArray * a)
{
  return a->len ? percentile (a, 50) : 0;
}

static void
print_client (const gchar * pace, PaceClient * c, const gchar * target)
{
  if (c->cpu->len == 0) {
    printf ("| %s | %s | 0 (%u failed) | – | – | – | – | %s |\n", pace,
        c->name, c->failed, target);
    return;
  }
  printf ("| %s | %s | %u%s | %.2f | %.2f–%.2f | %.1f | %.2f | %s |\n", pace,
      c->name, c->cpu->len, c->failed ? " (some failed)" : "", med (c->cpu),
      percentile (c->cpu, 0), percentile (c->cpu, 100), med (c->per_chunk),
      med (c->wakeups), target);
}

gint
bench_pace (const gchar * self, EmuProc * emu, gint seconds, gint repeats,
    const gchar * paces)
{
  PaceClient clients[] = {
    {"element", "cartesiattssrc (non-live)"},
    {"live", "cartesiattssrc is-live=true"},
    {"bare", "bare client"},
    {"handoff", "bare client + one thread hand-off"},
    {"sdk", "official SDK (cartesia-js 4.2.0)"},
  };
  g_auto (GStrv) list = g_strsplit (paces, ",", -1);
  g_autoptr (GError) error = NULL;
  gboolean have_sdk = bench_sdk_check (&error);
  gint failures = 0;
  guint p, c;
  gint r;

  printf ("## 5. CPU at the real pace (issue 17)\n\n");
  printf ("The emulator sends a 4 KiB chunk (S16LE 44.1 kHz: 46.4 ms of "
      "audio) every 5, 10 or 20 ms, or each when its audio would start "
      "playing (real time). Each client speaks one utterance of %d s in a "
      "process of its own, on an open WebSocket, and measures itself from "
      "its first audio to its last: process CPU time (user+sys, all "
      "threads) per audio second and per chunk, and thread wake-ups per "
      "chunk (voluntary + nonvoluntary context switches of all its threads, "
      "/proc/self/task/*/status). Non-live: `cartesiattssrc ! capsfilter ! "
      "fakesink sync=false`; live: the same with `is-live=true`, which "
      "plays in real time whatever the pace. Bare client: libsoup on one "
      "thread, json-glib, GLib's base64 (part 2); + one thread hand-off: "
      "the same, each decoded chunk copied and handed through a GAsyncQueue "
      "to a second thread that records it, as the element hands audio from "
      "its transport thread to its streaming thread. SDK: "
      "`tests/sdk/bench-sdk.cjs` under node, one context, each chunk's "
      "base64 decoded into a Buffer. %d runs per client and pace, the "
      "clients alternating; median, and min–max over the runs as the "
      "noise.\n\n", seconds, repeats);
  printf ("| pace | client | runs | CPU ms / audio s | spread | µs CPU / "
      "chunk | wake-ups / chunk | target |\n");
  printf ("|---|---|---|---|---|---|---|---|\n");
  if (!have_sdk) {
    g_printerr ("cartesia-bench: the SDK cannot run: %s\n", error->message);
    printf ("| all | official SDK | 0 | – | – | – | – | **FAIL**: %s |\n",
        error->message);
    failures++;
  }

  for (p = 0; list[p]; p++) {
    const gchar *pace = g_strstrip (list[p]);
    gboolean realtime = g_str_equal (pace, "realtime");
    g_autofree gchar *label = realtime ? g_strdup ("real time") :
        g_strdup_printf ("every %s ms", pace);
    gdouble e, b, s;

    emu_proc_set (emu, "reset", "1");
    emu_proc_set (emu, "chunk-bytes", "4096");
    if (realtime) {
      emu_proc_set (emu, "pacing", "realtime");
    } else if (!emu_proc_set (emu, "chunk-interval-ms", pace)) {
      g_printerr ("cartesia-bench: bad pace %s\n", pace);
      failures++;
      continue;
    }
    for (c = 0; c < G_N_ELEMENTS (clients); c++) {
      clients[c].cpu = g_array_new (FALSE, FALSE, sizeof (gdouble));
      clients[c].per_chunk = g_array_new (FALSE, FALSE, sizeof (gdouble));
      clients[c].wakeups = g_array_new (FALSE, FALSE, sizeof (gdouble));
      clients[c].failed = 0;
    }
    for (r = 0; r < repeats; r++) {
      for (c = 0; c < G_N_ELEMENTS (clients); c++) {
        PaceResult res;
        gdouble chunks, v;

        if (g_str_equal (clients[c].kind, "sdk") && !have_sdk)
          continue;
        g_printerr ("[pace] %s: %s, run %d\n", label, clients[c].kind, r + 1);
        if (!run_worker (self, emu, clients[c].kind, seconds, &res)) {
          clients[c].failed++;
          continue;
        }
        chunks = (gdouble) res.bytes / PACE_CHUNK;
        v = res.cpu_us / 1000.0 / ((gdouble) res.bytes / PACE_BYTE_RATE);
        g_array_append_val (clients[c].cpu, v);
        v = res.cpu_us / chunks;
        g_array_append_val (clients[c].per_chunk, v);
        v = res.wakeups / chunks;
        g_array_append_val (clients[c].wakeups, v);
      }
    }
    e = med (clients[0].cpu);
    b = med (clients[2].cpu);
    s = med (clients[4].cpu);
    for (c = 0; c < G_N_ELEMENTS (clients); c++) {
      gchar target[256] = "";
      gboolean judged = g_str_equal (pace, "10") && c == 0;

      if (c == 0 || c == 1) {
        gdouble x = med (clients[c].cpu);
        gboolean ok_b = b > 0 && x > 0 && x <= 1.3 * b;
        gboolean ok_s = s > 0 && x > 0 && x <= 0.35 * s;

        g_snprintf (target, sizeof target, "%s%.2f× bare (≤ 1.3): %s; "
            "%.2f× SDK (≤ 0.35): %s%s", judged ? "" : "(",
            b > 0 ? x / b : 0, ok_b ? "**PASS**" : "**FAIL**",
            s > 0 ? x / s : 0, ok_s ? "**PASS**" : "**FAIL**",
            judged ? "" : ")");
        if (judged)
          failures += !ok_b + !ok_s;
      } else if (c == 3) {
        gdouble h = med (clients[c].cpu);

        g_snprintf (target, sizeof target, "%.2f× bare: the price of one "
            "hand-off", b > 0 ? h / b : 0);
      } else {
        g_strlcpy (target, "baseline", sizeof target);
      }
      if (clients[c].failed && !(c == 4 && !have_sdk))
        failures++;
      if (c != 4 || have_sdk)
        print_client (label, &clients[c], target);
    }
    (void) e;
    fflush (stdout);
    for (c = 0; c < G_N_ELEMENTS (clients); c++) {
      g_array_unref (clients[c].cpu);
      g_array_unref (clients[c].per_chunk);
      g_array_unref (clients[c].wakeups);
    }
  }
  emu_proc_set (emu, "reset", "1");
  printf ("\n");
  return failures;
}
