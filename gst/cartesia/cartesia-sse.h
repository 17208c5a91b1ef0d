/* gst-cartesia: protocol layer, Server-Sent-Events framing.
 *
 * Pure and incremental: feed it the bytes of a text/event-stream as they come
 * off the network, in pieces of any size (an event, a line, even a CRLF pair
 * may be split between two reads), and it calls back once per complete event.
 * Follows the WHATWG "event stream interpretation": LF, CRLF and CR line
 * ends; "field: value" with one optional space after the colon; comment lines
 * (":...") ignored; several data lines joined with "\n"; an event is
 * dispatched at a blank line, and only if it has data; "id" and "retry" are
 * accepted and ignored; a UTF-8 BOM at the very start is skipped.
 * No I/O, no GStreamer.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CARTESIA_SSE_ERROR (cartesia_sse_error_quark ())
GQuark cartesia_sse_error_quark (void);

typedef enum
{
  CARTESIA_SSE_ERROR_TOO_LARGE,         /* an event grew past the size limit */
  CARTESIA_SSE_ERROR_TRUNCATED,         /* the stream ended inside an event */
} CartesiaSseError;

/* @event_type: the "event:" field, or NULL when the event had none.
 * @data: the event's data, NUL-terminated, @data_len bytes long.
 * Both are valid only during the call.  Return FALSE to stop parsing: feed()
 * then returns FALSE without setting an error. */
typedef gboolean (*CartesiaSseEventFunc) (const gchar * event_type,
    const gchar * data, gsize data_len, gpointer user_data);

typedef struct _CartesiaSseParser CartesiaSseParser;

/* @max_event_size: the most bytes one event (its lines together) may hold. */
CartesiaSseParser *cartesia_sse_parser_new (gsize max_event_size);
void cartesia_sse_parser_free (CartesiaSseParser * parser);

gboolean cartesia_sse_parser_feed (CartesiaSseParser * parser,
    const gchar * data, gsize len, CartesiaSseEventFunc func,
    gpointer user_data, GError ** error);

/* The stream ended.  As the WHATWG algorithm says, an event not terminated by
 * a blank line is never dispatched: if anything is left (a line without its end, or fields of an undispatched event), this
 * returns FALSE with CARTESIA_SSE_ERROR_TRUNCATED so the caller can tell a
 * cut stream from a clean end. */
gboolean cartesia_sse_parser_finish (CartesiaSseParser * parser,
    GError ** error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CartesiaSseParser, cartesia_sse_parser_free);

G_END_DECLS
