/* cartesia-bench: utterances, the emulator process, CPU and memory probes. */
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* ---- utterances ---- */

static GMutex utt_mutex;
static GCond utt_cond;

Utt *
utt_new (const gchar * transcript, gsize expected, gboolean arrivals)
{
  Utt *u = g_new0 (Utt, 1);

  u->transcript = g_strdup (transcript);
  u->expected = expected;
  if (arrivals)
    u->arrivals = g_array_sized_new (FALSE, FALSE, sizeof (Arrival), 256);
  u->first_sound_ns = -1;
  return u;
}

void
utt_free (Utt * u)
{
  if (u == NULL)
    return;
  g_free (u->transcript);
  if (u->arrivals)
    g_array_unref (u->arrivals);
  if (u->threads_first)
    g_hash_table_unref (u->threads_first);
  if (u->threads_done)
    g_hash_table_unref (u->threads_done);
  if (u->rss)
    g_array_unref (u->rss);
  g_free (u);
}

void
utt_lock (void)
{
  g_mutex_lock (&utt_mutex);
}

void
utt_unlock (void)
{
  g_mutex_unlock (&utt_mutex);
}

void
utt_signal (void)
{
  g_cond_broadcast (&utt_cond);
}

gboolean
utt_wait (Utt * u, gint64 deadline_us)
{
  while (!u->done_us && !u->failed)
    if (!g_cond_wait_until (&utt_cond, &utt_mutex, deadline_us))
      break;
  return u->done_us != 0;
}

gboolean
utt_wait_until (gint64 deadline_us)
{
  return g_cond_wait_until (&utt_cond, &utt_mutex, deadline_us);
}

void
utt_add_audio (Utt * u, gint64 now, gsize len)
{
  utt_add_buffer (u, now, len, GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE);
}

void
utt_add_buffer (Utt * u, gint64 now, gsize len, GstClockTime pts,
    GstClockTime running_time)
{
  gsize before = u->bytes;

  if (u->done_us)
    return;
  if (u->first_us == 0) {
    u->first_us = now;
    u->first_len = len;
    if (u->cpu_clock)
      u->cpu_first_ns = u->cpu_clock ();
    if (u->want_threads)
      u->threads_first = threads_cpu_ns ();
    if (u->want_wakeups)
      u->wakeups_first = process_wakeups ();
    if (u->rss_every) {
      gint64 kib = rss_kib ();

      u->rss = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_array_append_val (u->rss, kib);
    }
  }
  if (u->arrivals) {
    Arrival a = { now, u->bytes, pts, running_time };

    g_array_append_val (u->arrivals, a);
  }
  u->bytes += len;
  if (u->rss_every && u->bytes / u->rss_every > before / u->rss_every) {
    gint64 kib = rss_kib ();

    g_array_append_val (u->rss, kib);
  }
  if (u->bytes >= u->expected) {
    if (u->cpu_clock)
      u->cpu_done_ns = u->cpu_clock ();
    if (u->want_threads)
      u->threads_done = threads_cpu_ns ();
    if (u->want_wakeups)
      u->wakeups_done = process_wakeups ();
    u->done_us = now;
    g_cond_broadcast (&utt_cond);
  }
}

/* ---- the emulator process ---- */

struct _EmuProc
{
  GPid pid;
  FILE *in;                     /* its stdin */
  FILE *out;                    /* its stdout */
  gchar *url;
};

static gchar *
emu_proc_line (EmuProc * p)
{
  gchar buf[8192];

  if (fgets (buf, sizeof buf, p->out) == NULL)
    g_error ("bench-emulator went away");
  g_strchomp (buf);
  return g_strdup (buf);
}

static gchar *
emu_proc_command (EmuProc * p, const gchar * command)
{
  fprintf (p->in, "%s\n", command);
  fflush (p->in);
  return emu_proc_line (p);
}

EmuProc *
emu_proc_start (const gchar * exe, GError ** error)
{
  EmuProc *p = g_new0 (EmuProc, 1);
  const gchar *argv[] = { exe, NULL };
  gint in_fd, out_fd;
  g_autofree gchar *line = NULL;

  if (!g_spawn_async_with_pipes (NULL, (gchar **) argv, NULL,
          G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &p->pid, &in_fd, &out_fd,
          NULL, error)) {
    g_free (p);
    return NULL;
  }
  p->in = fdopen (in_fd, "w");
  p->out = fdopen (out_fd, "r");
  line = emu_proc_line (p);
  if (!g_str_has_prefix (line, "url ")) {
    g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
        "bench-emulator said '%s'", line);
    emu_proc_stop (p);
    return NULL;
  }
  p->url = g_strdup (line + 4);
  return p;
}

const gchar *
emu_proc_url (EmuProc * p)
{
  return p->url;
}

gboolean
emu_proc_set (EmuProc * p, const gchar * name, const gchar * value)
{
  g_autofree gchar *cmd = g_strdup_printf ("set %s %s", name, value);
  g_autofree gchar *answer = emu_proc_command (p, cmd);

  if (!g_str_equal (answer, "ok")) {
    g_printerr ("bench-emulator: %s: %s\n", cmd, answer);
    return FALSE;
  }
  return TRUE;
}

GHashTable *
emu_proc_server_times (EmuProc * p)
{
  GHashTable *times = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  gchar *line;

  fprintf (p->in, "timings\n");
  fflush (p->in);
  while ((line = emu_proc_line (p)) && !g_str_equal (line, "end")) {
    gint64 received, first;
    gint n = 0;

    if (sscanf (line, "timing %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %n",
            &received, &first, &n) >= 2 && n > 0) {
      g_hash_table_replace (times, g_strdup (line + n),
          g_memdup2 (&(gint64) { first - received }, sizeof (gint64)));
    }
    g_free (line);
  }
  g_free (line);
  return times;
}

void
emu_proc_clear (EmuProc * p)
{
  g_free (emu_proc_command (p, "clear"));
}

gint64
emu_proc_cpu_us (EmuProc * p)
{
  g_autofree gchar *answer = emu_proc_command (p, "cpu");

  return g_ascii_strtoll (answer + 4, NULL, 10);
}

gboolean
emu_proc_pacing (EmuProc * p, guint64 * chunks, guint64 * late_5ms,
    guint64 * late_20ms, gint64 * max_late_us)
{
  g_autofree gchar *answer = emu_proc_command (p, "pacing");

  return answer && sscanf (answer, "pacing %" G_GUINT64_FORMAT " %"
      G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT, chunks,
      late_5ms, late_20ms, max_late_us) == 4;
}

void
emu_proc_stop (EmuProc * p)
{
  if (p == NULL)
    return;
  fprintf (p->in, "quit\n");
  fclose (p->in);
  fclose (p->out);
  waitpid (p->pid, NULL, 0);
  g_spawn_close_pid (p->pid);
  g_free (p->url);
  g_free (p);
}

/* ---- measuring ---- */

static gint64
timespec_ns (const struct timespec *ts)
{
  return (gint64) ts->tv_sec * 1000000000 + ts->tv_nsec;
}

gint64
process_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return timespec_ns (&ts);
}

gint64
process_wakeups (void)
{
  GDir *dir = g_dir_open ("/proc/self/task", 0, NULL);
  const gchar *name;
  gint64 n = 0;

  if (dir == NULL)
    return 0;
  while ((name = g_dir_read_name (dir))) {
    g_autofree gchar *path = g_strdup_printf ("/proc/self/task/%s/status",
        name);
    g_autofree gchar *text = NULL;
    const gchar *p;

    if (!g_file_get_contents (path, &text, NULL, NULL))
      continue;                 /* the thread exited meanwhile */
    for (p = text; (p = strstr (p, "voluntary_ctxt_switches:")); p++)
      n += g_ascii_strtoll (p + strlen ("voluntary_ctxt_switches:"), NULL,
          10);
  }
  g_dir_close (dir);
  return n;
}

gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return timespec_ns (&ts);
}

/* The CPU clock of another thread of this process, as glibc's
 * pthread_getcpuclockid() builds it: MAKE_THREAD_CPUCLOCK (tid, SCHED). */
static gint64
tid_cpu_ns (pid_t tid)
{
  struct timespec ts;
  clockid_t clock = (clockid_t) (((unsigned int) ~tid) << 3) | 6;

  if (clock_gettime (clock, &ts) != 0)
    return 0;
  return timespec_ns (&ts);
}

GHashTable *
threads_cpu_ns (void)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  GDir *dir = g_dir_open ("/proc/self/task", 0, NULL);
  g_autofree gchar *process = NULL;
  const gchar *name;

  g_file_get_contents ("/proc/self/comm", &process, NULL, NULL);
  g_strchomp (process);

  while (dir && (name = g_dir_read_name (dir))) {
    g_autofree gchar *path = g_strdup_printf ("/proc/self/task/%s/comm", name);
    g_autofree gchar *comm = NULL;
    gint64 *sum;

    if (!g_file_get_contents (path, &comm, NULL, NULL))
      continue;
    g_strchomp (comm);
    /* "p12:src" and "p13:src" are one kind of thread */
    if (strchr (comm, ':'))
      memmove (comm, strchr (comm, ':'), strlen (strchr (comm, ':')) + 1);
    if (atoi (name) == getpid ()) {
      g_free (comm);
      comm = g_strdup ("main");
    } else if (g_strcmp0 (comm, process) == 0) {
      /* GLib 2.74 leaves "cartesia-session" unnamed: it is the one thread
       * of ours without a name of its own */
      g_free (comm);
      comm = g_strdup ("unnamed (session)");
    }
    sum = g_hash_table_lookup (table, comm);
    if (sum == NULL) {
      sum = g_new0 (gint64, 1);
      g_hash_table_insert (table, g_strdup (comm), sum);
    }
    *sum += tid_cpu_ns (atoi (name));
  }
  if (dir)
    g_dir_close (dir);
  return table;
}

gint64
rss_kib (void)
{
  g_autofree gchar *status = NULL;
  const gchar *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line ? g_ascii_strtoll (line + 6, NULL, 10) : -1;
}

static gint
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile; NaN for no samples. */
gdouble
percentile (GArray * doubles, gdouble p)
{
  g_autoptr (GArray) sorted = NULL;
  guint rank;

  if (doubles == NULL || doubles->len == 0)
    return NAN;
  sorted = g_array_copy (doubles);
  g_array_sort (sorted, compare_doubles);
  rank = (guint) ceil (p / 100.0 * sorted->len);
  rank = CLAMP (rank, 1, sorted->len);
  return g_array_index (sorted, gdouble, rank - 1);
}
