/* What both fuzz harnesses need from GLib: a critical or a warning is a bug
 * here.  GLib would end the process with SIGTRAP, which libFuzzer does not
 * catch: abort instead, so that it saves the input.  Include once per
 * harness (it defines LLVMFuzzerInitialize). */
#pragma once

#include <glib.h>
#include <stdlib.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);

static void
abort_on_log (const gchar * domain, GLogLevelFlags level, const gchar * message,
    gpointer user_data)
{
  g_printerr ("%s: %s\n", domain ? domain : "(no domain)", message);
  abort ();
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_default_handler (abort_on_log, NULL);
  return 0;
}
