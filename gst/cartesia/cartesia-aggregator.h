/* gst-cartesia: streamed text gathered into inputs for a websocket context
 * (pure: no I/O, time passed in).
 *
 * An LLM's tokens arrive a few characters at a time.  Sent one by one to a
 * server that generates each input at once (max_buffer_delay_ms 0), they
 * would speak word by word; left to the server's own buffer, they wait up
 * to its delay (3 s by default).  The aggregator sends clauses instead: the
 * text up to a ',' ';' ':' or a sentence end followed by white space (which
 * it keeps, so the server never joins two sentences without a space).  The
 * first input of an utterance waits for a few words, since a first word or
 * two alone shifts the accent, unless the text pauses.  Sonic's inline tags
 * (<break time="1s"/>, <emotion value="x"/>, <spell>...</spell>, ...) are
 * never cut: a tag split across two inputs is read aloud.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CartesiaAggregator CartesiaAggregator;

/* @clauses: gather clauses (the element's default); FALSE: pass the text on
 * as it comes, holding back only a tag not yet complete (the server
 * buffers).  @first_words: words the first input of an utterance waits for.
 * @pause_us: text that stopped coming for this long goes as it is (up to its
 * last whole word). */
CartesiaAggregator *cartesia_aggregator_new (gboolean clauses,
    guint first_words, gint64 pause_us);
void cartesia_aggregator_free (CartesiaAggregator * agg);

/* Adds @text, arrived at @now (µs, any monotonic clock); returns the text to
 * send now, or NULL. */
gchar *cartesia_aggregator_push (CartesiaAggregator * agg, const gchar * text,
    gint64 now);

/* When the text held will go for want of more (see _poll()), or -1. */
gint64 cartesia_aggregator_deadline (CartesiaAggregator * agg);

/* At @now: the text due because the input paused, or NULL. */
gchar *cartesia_aggregator_poll (CartesiaAggregator * agg, gint64 now);

/* The end of the utterance: all the text held (NULL if none), a tag left
 * open included.  The next text starts a new utterance. */
gchar *cartesia_aggregator_finish (CartesiaAggregator * agg);

/* Drops everything. */
void cartesia_aggregator_reset (CartesiaAggregator * agg);

gboolean cartesia_aggregator_is_empty (CartesiaAggregator * agg);

/* @text without Sonic's inline tags (for words and captions). */
gchar *cartesia_text_strip_tags (const gchar * text);

G_END_DECLS
