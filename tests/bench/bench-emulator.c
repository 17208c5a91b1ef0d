/* bench-emulator: the Cartesia emulator in a process of its own, driven by
 * cartesia-bench over a pipe, so that the benchmark's CPU and memory figures
 * count the client only.
 *
 * Prints "url <base-url>" on stdout once listening, then answers one line per
 * command read on stdin:
 *   set NAME VALUE   -> "ok" | "error <message>"   (cartesia_emulator_set_option)
 *   timings          -> "timing <received_us> <first_chunk_us> <transcript>"
 *                       per generation, then "end"; clears them
 *   clear            -> "ok": forgets timings and the request log
 *   cpu              -> "cpu <user+sys microseconds of this process>"
 *   pacing           -> "pacing <chunks> <late 5 ms> <late 20 ms> <max µs>"
 *                       (cartesia_emulator_take_pacing: since the last one)
 *   quit             -> exits
 * Times are g_get_monotonic_time() values, comparable with the parent's.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cartesia-emulator.h"

static gint64
process_cpu_us (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (gint64) ru.ru_utime.tv_sec * G_USEC_PER_SEC + ru.ru_utime.tv_usec
      + (gint64) ru.ru_stime.tv_sec * G_USEC_PER_SEC + ru.ru_stime.tv_usec;
}

static void
print_timings (CartesiaEmulator * emu)
{
  guint n, i;
  CartesiaEmulatorTiming *t = cartesia_emulator_dup_timings (emu, &n);

  cartesia_emulator_clear_timings (emu);
  for (i = 0; i < n; i++)
    printf ("timing %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s\n",
        t[i].received_us, t[i].first_chunk_us,
        t[i].transcript ? t[i].transcript : "");
  printf ("end\n");
  cartesia_emulator_timings_free (t, n);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  CartesiaEmulator *emu = cartesia_emulator_new (NULL, 0, &error);
  gchar line[4096];

  if (emu == NULL) {
    g_printerr ("bench-emulator: %s\n", error->message);
    return 1;
  }
  printf ("url %s\n", cartesia_emulator_get_base_url (emu));
  fflush (stdout);

  while (fgets (line, sizeof line, stdin)) {
    g_strchomp (line);
    if (g_str_has_prefix (line, "set ")) {
      g_auto (GStrv) parts = g_strsplit (line + 4, " ", 2);

      g_clear_error (&error);
      if (parts[0] && parts[1]
          && cartesia_emulator_set_option (emu, parts[0], parts[1], &error))
        printf ("ok\n");
      else
        printf ("error %s\n", error ? error->message : "usage: set NAME VALUE");
    } else if (g_str_equal (line, "timings")) {
      print_timings (emu);
    } else if (g_str_equal (line, "clear")) {
      cartesia_emulator_clear_timings (emu);
      cartesia_emulator_clear_requests (emu);
      printf ("ok\n");
    } else if (g_str_equal (line, "cpu")) {
      printf ("cpu %" G_GINT64_FORMAT "\n", process_cpu_us ());
    } else if (g_str_equal (line, "pacing")) {
      CartesiaEmulatorPacing p;

      cartesia_emulator_take_pacing (emu, &p);
      printf ("pacing %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %"
          G_GUINT64_FORMAT " %" G_GINT64_FORMAT "\n", p.chunks, p.late_5ms,
          p.late_20ms, p.max_late_us);
    } else if (g_str_equal (line, "quit")) {
      break;
    } else {
      printf ("error unknown command\n");
    }
    fflush (stdout);
  }
  cartesia_emulator_free (emu);
  return 0;
}
