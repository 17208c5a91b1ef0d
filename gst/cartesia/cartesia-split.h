/* gst-cartesia: a long text cut into inputs of bounded size (pure).
 *
 * Nothing documents how much text the service takes in one message, and a
 * WebSocket frame over the peer's limit closes the connection (every
 * utterance on it dies).  A text longer than one input is sent as
 * continuations of one context, whose transcripts the server joins
 * verbatim: the pieces, concatenated, are the text, byte for byte.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest transcript, in bytes, that one request carries.  JSON
 * escaping at most sextuples a byte (a control character becomes \u00XX),
 * so a request stays far below 64 KiB, half the frame limit of common
 * WebSocket servers (libsoup's default is 128 KiB). */
#define CARTESIA_TEXT_MAX_INPUT 8192

/* Cuts valid UTF-8 @text into pieces of at most @max_bytes (at least 16)
 * whose concatenation is @text.  A cut goes after the last sentence end
 * (terminal punctuation and the white space after it, or a line break) that
 * leaves the piece at least a quarter full, else after the last white
 * space, else between two characters; never inside an inline tag such as
 * <break time="1s"/> that fits in a piece.  A text that fits is one piece;
 * "" is none.  Returns a NULL-terminated array (g_strfreev). */
gchar **cartesia_text_split (const gchar * text, gsize max_bytes);

G_END_DECLS
