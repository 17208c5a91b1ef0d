/* For a test program that installs a GStreamer log function: include it in
 * exactly one of the program's files.
 *
 * gst_debug_add_log_function() and gst_debug_remove_log_function() leak the
 * list they replace, by design; lsan.supp suppresses exactly that, but
 * LeakSanitizer can only match the suppression with full allocation stacks,
 * which the fast unwinder cannot produce through Debian's GLib (no frame
 * pointers).  ASAN_OPTIONS from the environment still add to and override
 * this. */
#pragma once

#if defined(__SANITIZE_ADDRESS__)
const char *__asan_default_options (void);
const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}
#endif
