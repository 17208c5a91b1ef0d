/* gst-cartesia: protocol layer, Server-Sent-Events framing (pure).
 *
 * The parser is a streaming state machine over the bytes of one line at a
 * time: it never keeps a partial line to scan again later.  Once the field
 * name of a line is known, the bytes of its value go straight to where they
 * belong (the data or the event-type buffer, or nowhere for ignored fields),
 * so the base64 audio of a chunk is copied once, from the network buffer into
 * the event's data, however many reads it takes to arrive.
 */
#include "cartesia-sse.h"

#include <string.h>

G_DEFINE_QUARK (cartesia-sse-error-quark, cartesia_sse_error);

/* Where the current line is: in its field name, just after the colon (where
 * one space may follow), or in its value. */
typedef enum
{
  LINE_FIELD,
  LINE_SPACE,
  LINE_VALUE,
} LineState;

typedef enum
{
  FIELD_IGNORED,                /* comment, id, retry, or unknown */
  FIELD_DATA,
  FIELD_EVENT,
} FieldKind;

/* Only "data" and "event" matter: longer names are counted, not stored. */
#define MAX_FIELD_NAME 5

static const guint8 utf8_bom[3] = { 0xef, 0xbb, 0xbf };

struct _CartesiaSseParser
{
  gsize max_event_size;

  /* The event being built: data lines each followed by "\n", and the type. */
  GString *data;
  GString *event_type;
  gsize event_size;             /* bytes of its lines so far, ends excluded */
  gboolean has_fields;          /* a non-comment line since the last blank one */

  /* The current line. */
  LineState line_state;
  FieldKind field;
  gsize line_len;
  gchar name[MAX_FIELD_NAME];
  gsize name_len;               /* may exceed MAX_FIELD_NAME: only counted then */

  gboolean after_cr;            /* a CR ended the last feed: LF may pair with it */
  gboolean started;             /* past the optional BOM */
  guint bom_len;                /* bytes of a BOM seen so far at stream start */
  gboolean too_large;
};

/* Returns the parser to the start of a stream, keeping its buffers' memory. */
static void
reset (CartesiaSseParser * parser)
{
  g_string_truncate (parser->data, 0);
  g_string_truncate (parser->event_type, 0);
  parser->event_size = 0;
  parser->has_fields = FALSE;
  parser->line_state = LINE_FIELD;
  parser->field = FIELD_IGNORED;
  parser->line_len = 0;
  parser->name_len = 0;
  parser->after_cr = FALSE;
  parser->started = FALSE;
  parser->bom_len = 0;
  parser->too_large = FALSE;
}

CartesiaSseParser *
cartesia_sse_parser_new (gsize max_event_size)
{
  CartesiaSseParser *parser = g_new0 (CartesiaSseParser, 1);

  parser->max_event_size = max_event_size;
  parser->data = g_string_new (NULL);
  parser->event_type = g_string_new (NULL);
  reset (parser);
  return parser;
}

void
cartesia_sse_parser_free (CartesiaSseParser * parser)
{
  if (parser == NULL)
    return;
  g_string_free (parser->data, TRUE);
  g_string_free (parser->event_type, TRUE);
  g_free (parser);
}

static gboolean
set_too_large (CartesiaSseParser * parser, GError ** error)
{
  parser->too_large = TRUE;
  g_set_error (error, CARTESIA_SSE_ERROR, CARTESIA_SSE_ERROR_TOO_LARGE,
      "A server-sent event is larger than %" G_GSIZE_FORMAT " bytes",
      parser->max_event_size);
  return FALSE;
}

static FieldKind
classify_field (CartesiaSseParser * parser)
{
  /* Field names are case-sensitive; "id" and "retry" only matter to
   * browsers reconnecting on their own, which the transport does not do. */
  if (parser->name_len == 4 && memcmp (parser->name, "data", 4) == 0)
    return FIELD_DATA;
  if (parser->name_len == 5 && memcmp (parser->name, "event", 5) == 0)
    return FIELD_EVENT;
  return FIELD_IGNORED;
}

static void
begin_value (CartesiaSseParser * parser)
{
  parser->field = classify_field (parser);
  if (parser->name_len > 0)
    parser->has_fields = TRUE;
  /* The last "event" line of an event wins. */
  if (parser->field == FIELD_EVENT)
    g_string_truncate (parser->event_type, 0);
}

static void
append_value (CartesiaSseParser * parser, const gchar * s, gsize n)
{
  if (parser->field == FIELD_DATA)
    g_string_append_len (parser->data, s, n);
  else if (parser->field == FIELD_EVENT)
    g_string_append_len (parser->event_type, s, n);
}

/* Takes @n bytes of the current line, none of them a line end.  The size
 * limit is checked before anything is stored, so a line that never ends
 * cannot grow memory past it. */
static gboolean
take_line_bytes (CartesiaSseParser * parser, const gchar * s, gsize n,
    GError ** error)
{
  parser->event_size += n;
  parser->line_len += n;
  if (parser->event_size > parser->max_event_size)
    return set_too_large (parser, error);

  while (n > 0) {
    switch (parser->line_state) {
      case LINE_FIELD:{
        const gchar *colon = memchr (s, ':', n);
        gsize name_n = colon ? (gsize) (colon - s) : n;

        if (parser->name_len < MAX_FIELD_NAME)
          memcpy (parser->name + parser->name_len, s,
              MIN (name_n, MAX_FIELD_NAME - parser->name_len));
        parser->name_len += name_n;
        if (colon == NULL)
          return TRUE;
        begin_value (parser);
        parser->line_state = LINE_SPACE;
        s += name_n + 1;
        n -= name_n + 1;
        break;
      }
      case LINE_SPACE:
        if (*s == ' ') {
          s++;
          n--;
        }
        parser->line_state = LINE_VALUE;
        break;
      case LINE_VALUE:
        append_value (parser, s, n);
        return TRUE;
    }
  }
  return TRUE;
}

/* A blank line: the event is complete.  Returns what the callback said. */
static gboolean
dispatch (CartesiaSseParser * parser, CartesiaSseEventFunc func,
    gpointer user_data)
{
  gboolean go_on = TRUE;

  if (parser->data->len > 0) {
    /* Without the "\n" that followed the last data line.  The type is read
     * as a C string: one that looks empty is none. */
    gsize len = parser->data->len - 1;
    const gchar *event_type = parser->event_type->str[0] != '\0' ?
        parser->event_type->str : NULL;

    parser->data->str[len] = '\0';
    go_on = func (event_type, parser->data->str, len, user_data);
  }
  g_string_truncate (parser->data, 0);
  g_string_truncate (parser->event_type, 0);
  parser->event_size = 0;
  parser->has_fields = FALSE;
  return go_on;
}

static gboolean
end_line (CartesiaSseParser * parser, CartesiaSseEventFunc func,
    gpointer user_data)
{
  gboolean go_on = TRUE;

  if (parser->line_len == 0)
    go_on = dispatch (parser, func, user_data);
  else {
    /* A line without a colon is a field with an empty value. */
    if (parser->line_state == LINE_FIELD)
      begin_value (parser);
    if (parser->field == FIELD_DATA)
      g_string_append_c (parser->data, '\n');
  }
  parser->line_state = LINE_FIELD;
  parser->field = FIELD_IGNORED;
  parser->line_len = 0;
  parser->name_len = 0;
  return go_on;
}

/* The next CR or LF at or after @p, or @end.  Both positions are remembered
 * so that neither is searched for again before it is passed: with CR-only or
 * LF-only streams, looking for the other character would otherwise rescan the
 * rest of the buffer at every line. */
static const gchar *
find_line_end (const gchar * p, const gchar * end, const gchar ** next_lf,
    const gchar ** next_cr)
{
  if (*next_lf == NULL || *next_lf < p) {
    *next_lf = memchr (p, '\n', end - p);
    if (*next_lf == NULL)
      *next_lf = end;
  }
  if (*next_cr == NULL || *next_cr < p) {
    *next_cr = memchr (p, '\r', end - p);
    if (*next_cr == NULL)
      *next_cr = end;
  }
  return MIN (*next_lf, *next_cr);
}

static gboolean
parse (CartesiaSseParser * parser, const gchar * p, const gchar * end,
    CartesiaSseEventFunc func, gpointer user_data, GError ** error)
{
  const gchar *next_lf = NULL, *next_cr = NULL;

  if (parser->after_cr && p < end) {
    parser->after_cr = FALSE;
    if (*p == '\n')
      p++;
  }

  while (p < end) {
    const gchar *eol = find_line_end (p, end, &next_lf, &next_cr);

    if (eol > p && !take_line_bytes (parser, p, eol - p, error))
      return FALSE;
    if (eol == end)
      break;
    if (*eol == '\r') {
      if (eol + 1 == end)
        parser->after_cr = TRUE;
      else if (eol[1] == '\n')
        eol++;
    }
    p = eol + 1;
    if (!end_line (parser, func, user_data))
      return FALSE;
  }
  return TRUE;
}

/* Consumes what it can of a UTF-8 BOM at the very start of the stream,
 * which may itself arrive split.  Returns the bytes it consumed. */
static gsize
skip_bom (CartesiaSseParser * parser, const gchar * data, gsize len)
{
  gsize i = 0;

  while (i < len && parser->bom_len < sizeof (utf8_bom)
      && (guint8) data[i] == utf8_bom[parser->bom_len]) {
    parser->bom_len++;
    i++;
  }
  return i;
}

gboolean
cartesia_sse_parser_feed (CartesiaSseParser * parser, const gchar * data,
    gsize len, CartesiaSseEventFunc func, gpointer user_data, GError ** error)
{
  g_return_val_if_fail (parser != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  /* Past an oversized event there is no telling where the next one starts. */
  if (parser->too_large)
    return set_too_large (parser, error);
  if (len == 0)
    return TRUE;

  if (G_UNLIKELY (!parser->started)) {
    gsize skipped = skip_bom (parser, data, len);

    data += skipped;
    len -= skipped;
    if (parser->bom_len < sizeof (utf8_bom) && len == 0)
      return TRUE;              /* still could be a BOM: wait for more */
    parser->started = TRUE;
    /* What looked like the start of a BOM was content after all. */
    if (parser->bom_len < sizeof (utf8_bom) && parser->bom_len > 0
        && !parse (parser, (const gchar *) utf8_bom,
            (const gchar *) utf8_bom + parser->bom_len, func, user_data,
            error))
      return FALSE;
  }
  return parse (parser, data, data + len, func, user_data, error);
}

gboolean
cartesia_sse_parser_finish (CartesiaSseParser * parser, GError ** error)
{
  gboolean truncated;

  g_return_val_if_fail (parser != NULL, FALSE);

  truncated = parser->line_len > 0 || parser->has_fields
      || (!parser->started && parser->bom_len > 0);
  /* Ready for another stream. */
  reset (parser);
  if (truncated) {
    g_set_error_literal (error, CARTESIA_SSE_ERROR,
        CARTESIA_SSE_ERROR_TRUNCATED,
        "The event stream ended in the middle of an event");
    return FALSE;
  }
  return TRUE;
}
