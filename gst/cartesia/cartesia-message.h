/* gst-cartesia: protocol layer, server messages.
 *
 * Pure functions: one server message (a websocket text frame, or the data of
 * one SSE event) in, a struct out.  No I/O, no GStreamer.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CARTESIA_MESSAGE_ERROR (cartesia_message_error_quark ())
GQuark cartesia_message_error_quark (void);

typedef enum
{
  CARTESIA_MESSAGE_ERROR_INVALID_JSON,      /* not a JSON object */
  CARTESIA_MESSAGE_ERROR_INVALID_MESSAGE,   /* JSON, but fields of the wrong type */
  CARTESIA_MESSAGE_ERROR_INVALID_BASE64,    /* audio that is not base64 */
} CartesiaMessageError;

typedef enum
{
  CARTESIA_MESSAGE_UNKNOWN,             /* a type this client does not know: ignore */
  CARTESIA_MESSAGE_CHUNK,
  CARTESIA_MESSAGE_TIMESTAMPS,
  CARTESIA_MESSAGE_PHONEME_TIMESTAMPS,
  CARTESIA_MESSAGE_FLUSH_DONE,
  CARTESIA_MESSAGE_DONE,
  CARTESIA_MESSAGE_ERROR_MESSAGE,
} CartesiaMessageType;

typedef struct
{
  CartesiaMessageType type;
  gchar *context_id;            /* NULL when absent */
  gint status_code;             /* 0 when absent */

  /* CHUNK: base64 audio, not decoded yet (see cartesia_base64_decode) */
  gchar *data;

  /* TIMESTAMPS: words with start and end in seconds;
   * PHONEME_TIMESTAMPS: the same for phonemes */
  guint n_words;
  gchar **words;
  gdouble *word_start;
  gdouble *word_end;

  /* ERROR_MESSAGE: structured (title, message, error_code) or legacy
   * ("error": "Title: message") shape; see cartesia_message_error_text */
  gchar *title;
  gchar *message;
  gchar *error_code;
  gchar *request_id;
} CartesiaMessage;

gboolean cartesia_message_parse (const gchar * text, gsize len,
    CartesiaMessage * msg, GError ** error);
void cartesia_message_clear (CartesiaMessage * msg);

/* A human text for an ERROR_MESSAGE: "Title: message" or what the server sent. */
gchar *cartesia_message_error_text (const CartesiaMessage * msg);

/* A human text for the body of an HTTP error response: the "title: message"
 * of a structured JSON error (2026-03-01 on), the "error" of an older JSON
 * one, or else the body itself as text, shortened and made printable. */
gchar *cartesia_message_http_error_text (const gchar * body, gsize len);

/* Strict base64 (RFC 4648, standard alphabet; padding optional at the end):
 * unlike g_base64_decode() it rejects any other character.  @out must hold
 * cartesia_base64_decoded_max (@len) bytes. */
static inline gsize
cartesia_base64_decoded_max (gsize len)
{
  return (len / 4) * 3 + 3;
}

gboolean cartesia_base64_decode (const gchar * in, gsize len, guint8 * out,
    gsize * out_len);

G_END_DECLS
