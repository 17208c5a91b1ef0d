/* gst-cartesia: text from upstream, made fit to send (pure).
 *
 * Text arrives in pieces: subtitle cues whole, or an LLM's tokens, which may
 * split a UTF-8 character or a markup tag between two pieces.  A
 * CartesiaTextReader keeps what belongs to the next piece and hands out
 * valid UTF-8 only: invalid bytes become U+FFFD and are counted, so nothing
 * raw ever reaches the server.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CartesiaTextReader CartesiaTextReader;

/* @markup: the input is Pango markup; tags are dropped and entities decoded. */
CartesiaTextReader *cartesia_text_reader_new (gboolean markup);
void cartesia_text_reader_free (CartesiaTextReader * reader);

/* Adds @len bytes and returns the text they complete (maybe ""); a character
 * or tag cut at the end waits for the next piece.  Adds to *@n_invalid the
 * number of invalid sequences replaced. */
gchar *cartesia_text_reader_feed (CartesiaTextReader * reader,
    const guint8 * data, gsize len, guint * n_invalid);

/* The end of the text: what was left over (an incomplete character becomes
 * U+FFFD, an unterminated tag is dropped).  The reader starts afresh. */
gchar *cartesia_text_reader_finish (CartesiaTextReader * reader,
    guint * n_invalid);

/* Where the first complete sentence of @text ends (after its terminal
 * punctuation and the white space that follows), or 0 if none is complete
 * yet.  A sentence ends at '.', '!', '?' or '…' followed by white space, or at
 * a line break. */
gsize cartesia_text_sentence_end (const gchar * text);

/* TRUE if @text holds nothing to say: empty, or only white space. */
gboolean cartesia_text_is_blank (const gchar * text);

G_END_DECLS
