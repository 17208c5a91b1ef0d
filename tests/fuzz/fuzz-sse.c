/* libFuzzer harness: the Server-Sent-Events parser.
 *
 * The whole input is the event stream; its first bytes also choose where to
 * cut it, the piece size for a chunked feed, a small size limit and after how
 * many events the callback stops.  Every way of feeding the same bytes must
 * give the same transcript (events, then how the stream ended), and that
 * transcript must match a deliberately naive reference implementation of
 * the WHATWG algorithm that sees the whole stream at once.
 */
#include <glib.h>

#include "fuzz-glib.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cartesia-sse.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

#define NO_LIMIT G_MAXSIZE
/* Byte-by-byte feeding is the slowest mode: only for inputs this small. */
#define MAX_BYTEWISE (64 * 1024)

/* One event, length-prefixed so that any bytes compare exactly. */
static void
log_event (GString * log, const gchar * event_type, const gchar * data,
    gsize data_len)
{
  g_string_append_printf (log, "[%s]%" G_GSIZE_FORMAT ":",
      event_type ? event_type : "-", data_len);
  g_string_append_len (log, data, data_len);
}

typedef struct
{
  GString *log;
  guint n_events;
  guint stop_after;             /* 0: never */
  gsize max_event_size;
} Events;

static gboolean
on_event (const gchar * event_type, const gchar * data, gsize data_len,
    gpointer user_data)
{
  Events *ev = user_data;

  g_assert (data != NULL);
  g_assert (data[data_len] == '\0');
  g_assert (event_type == NULL || *event_type != '\0');
  /* The data is made of the event's lines, which the limit bounds. */
  g_assert (data_len <= ev->max_event_size);
  log_event (ev->log, event_type, data, data_len);
  ev->n_events++;
  return ev->stop_after == 0 || ev->n_events < ev->stop_after;
}

static void
log_error (GString * log, const gchar * mark, GError * error)
{
  g_assert (error != NULL);
  g_assert (error->domain == CARTESIA_SSE_ERROR);
  g_assert (error->code == CARTESIA_SSE_ERROR_TOO_LARGE
      || error->code == CARTESIA_SSE_ERROR_TRUNCATED);
  g_string_append_printf (log, "%s%s", mark,
      error->code == CARTESIA_SSE_ERROR_TOO_LARGE ? "TOO_LARGE" : "TRUNCATED");
  g_error_free (error);
}

/* Feeds @data in pieces of @piece bytes, except that the first piece ends at
 * @cut (when @cut is not 0).  Ends with "#ok", "#TRUNCATED", "!TOO_LARGE" or
 * "!STOP" (the callback asked to stop). */
static gchar *
run_parser (const guint8 * data, gsize size, gsize cut, gsize piece,
    gsize max_event_size, guint stop_after)
{
  CartesiaSseParser *parser = cartesia_sse_parser_new (max_event_size);
  Events ev = { g_string_new (NULL), 0, stop_after, max_event_size };
  GError *error = NULL;
  gsize off = 0;

  while (off < size) {
    gsize n = MIN (piece, size - off);

    if (off == 0 && cut > 0)
      n = MIN (cut, size);
    if (!cartesia_sse_parser_feed (parser, (const gchar *) data + off, n,
            on_event, &ev, &error)) {
      if (error)
        log_error (ev.log, "!", error);
      else
        g_string_append (ev.log, "!STOP");
      goto done;
    }
    off += n;
  }
  if (cartesia_sse_parser_finish (parser, &error))
    g_string_append (ev.log, "#ok");
  else
    log_error (ev.log, "#", error);

done:
  cartesia_sse_parser_free (parser);
  return g_string_free (ev.log, FALSE);
}

/* The reference: the WHATWG steps one whole line at a time, as written. */
typedef struct
{
  GString *log;
  GString *data;
  GString *event_type;
  gboolean has_fields;
  gsize event_size;
  guint n_events;
  guint stop_after;
} Reference;

static gboolean
reference_line (Reference * r, const guint8 * line, gsize len)
{
  const guint8 *colon;
  const guint8 *value;
  gsize name_len, value_len;

  if (len == 0) {
    gboolean go_on = TRUE;

    if (r->data->len > 0) {
      log_event (r->log, r->event_type->str[0] ? r->event_type->str : NULL,
          r->data->str, r->data->len - 1);
      r->n_events++;
      go_on = r->stop_after == 0 || r->n_events < r->stop_after;
    }
    g_string_truncate (r->data, 0);
    g_string_truncate (r->event_type, 0);
    r->has_fields = FALSE;
    r->event_size = 0;
    return go_on;
  }
  if (line[0] == ':')
    return TRUE;

  colon = memchr (line, ':', len);
  name_len = colon ? (gsize) (colon - line) : len;
  value = colon ? colon + 1 : line + len;
  value_len = len - (value - line);
  if (value_len > 0 && value[0] == ' ') {
    value++;
    value_len--;
  }
  r->has_fields = TRUE;
  if (name_len == 4 && memcmp (line, "data", 4) == 0) {
    g_string_append_len (r->data, (const gchar *) value, value_len);
    g_string_append_c (r->data, '\n');
  } else if (name_len == 5 && memcmp (line, "event", 5) == 0) {
    g_string_truncate (r->event_type, 0);
    g_string_append_len (r->event_type, (const gchar *) value, value_len);
  }
  return TRUE;
}

static gchar *
run_reference (const guint8 * d, gsize n, gsize max_event_size,
    guint stop_after)
{
  Reference r = { g_string_new (NULL), g_string_new (NULL),
    g_string_new (NULL), FALSE, 0, 0, stop_after
  };
  gsize i = 0;

  if (n >= 3 && memcmp (d, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  /* The stream ended inside what could still have been a BOM: not content
   * yet, so not counted toward the limit either. */
  if (n > 0 && n < 3 && memcmp (d, "\xef\xbb\xbf", n) == 0) {
    g_string_append (r.log, "#TRUNCATED");
    i = n + 1;
  }
  while (i <= n) {
    gsize j = i;

    while (j < n && d[j] != '\r' && d[j] != '\n')
      j++;
    /* Lines count toward the limit whole, ended or not. */
    r.event_size += j - i;
    if (r.event_size > max_event_size) {
      g_string_append (r.log, "!TOO_LARGE");
      break;
    }
    if (j == n) {
      g_string_append (r.log, j > i || r.has_fields ? "#TRUNCATED" : "#ok");
      break;
    }
    if (!reference_line (&r, d + i, j - i)) {
      g_string_append (r.log, "!STOP");
      break;
    }
    i = j + 1;
    if (d[j] == '\r' && i < n && d[i] == '\n')
      i++;
  }
  g_string_free (r.data, TRUE);
  g_string_free (r.event_type, TRUE);
  return g_string_free (r.log, FALSE);
}

/* Every way to feed @data with these settings agrees with the reference. */
static void
check_all_feeds (const guint8 * data, gsize size, gsize cut, gsize piece,
    gsize max_event_size, guint stop_after)
{
  gchar *expected = run_reference (data, size, max_event_size, stop_after);
  gchar *got;

#define CHECK(what) G_STMT_START {                                         \
    got = (what);                                                          \
    if (strcmp (got, expected) != 0) {                                     \
      g_printerr ("%s (cut %" G_GSIZE_FORMAT ", piece %" G_GSIZE_FORMAT    \
          ", limit %" G_GSIZE_FORMAT ", stop %u):\n  expected %s\n  got %s\n", \
          #what, cut, piece, max_event_size, stop_after, expected, got);  \
      abort ();                                                            \
    }                                                                      \
    g_free (got);                                                          \
  } G_STMT_END

  CHECK (run_parser (data, size, 0, G_MAXSIZE, max_event_size, stop_after));
  CHECK (run_parser (data, size, cut, G_MAXSIZE, max_event_size,
          stop_after));
  CHECK (run_parser (data, size, cut, piece, max_event_size, stop_after));
  if (size <= MAX_BYTEWISE)
    CHECK (run_parser (data, size, 0, 1, max_event_size, stop_after));
#undef CHECK
  g_free (expected);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  guint8 b[4] = { 0, 0, 0, 0 };
  gsize cut, piece, limit;
  guint stop_after;

  if (size > 0)
    memcpy (b, data, MIN (size, sizeof (b)));
  cut = (b[0] | (b[1] << 8)) % (size + 1);
  piece = b[2] % 32 + 1;
  limit = b[3] * 4 + 1;
  stop_after = b[3] % 4 + 1;

  check_all_feeds (data, size, cut, piece, NO_LIMIT, 0);
  check_all_feeds (data, size, cut, piece, limit, 0);
  check_all_feeds (data, size, cut, piece, NO_LIMIT, stop_after);
  return 0;
}
