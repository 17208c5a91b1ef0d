/* Text helpers the gst-check suites and the benchmark share (GLib only, so
 * that the benchmark links them without gst-check). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The tests' own reading of "the first clause of four or more words is
 * complete": a , ; : or sentence end followed by a space, with four words
 * before it.  Returns where it ends in @text (after the space), or 0. */
gsize test_first_clause_end (const gchar * text);

G_END_DECLS
