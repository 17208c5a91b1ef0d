/* The protocol layer's Server-Sent-Events parser, alone. */
#include <gst/check/gstcheck.h>
#include <string.h>

#include "cartesia-sse.h"
#include "cartesia-message.h"

#define NO_LIMIT G_MAXSIZE

typedef struct
{
  GString *log;
  guint n_events;
  guint stop_after;             /* 0: never ask the parser to stop */
} Events;

static gboolean
collect (const gchar * event_type, const gchar * data, gsize data_len,
    gpointer user_data)
{
  Events *ev = user_data;

  fail_unless (data[data_len] == '\0', "data is not NUL-terminated");
  fail_if (event_type != NULL && *event_type == '\0',
      "an empty event type must be reported as NULL");
  g_string_append_printf (ev->log, "[%s]", event_type ? event_type : "-");
  g_string_append_len (ev->log, data, data_len);
  g_string_append_c (ev->log, '|');
  ev->n_events++;
  return ev->stop_after == 0 || ev->n_events < ev->stop_after;
}

static void
log_error (GString * log, const gchar * mark, GError * error)
{
  fail_unless (error != NULL);
  fail_unless (error->domain == CARTESIA_SSE_ERROR);
  g_string_append_printf (log, "%s%s", mark,
      error->code == CARTESIA_SSE_ERROR_TOO_LARGE ? "TOO_LARGE" : "TRUNCATED");
}

/* Feeds @len bytes of @stream cut at @cuts (ascending offsets), then ends
 * the stream.  Returns a transcript: one "[type]data|" per event, then
 * "#ok", "#TRUNCATED", or "!TOO_LARGE" when feeding failed. */
static gchar *
parse_cut (const gchar * stream, gsize len, const gsize * cuts, guint n_cuts,
    gsize max_event_size)
{
  g_autoptr (CartesiaSseParser) parser =
      cartesia_sse_parser_new (max_event_size);
  Events ev = { g_string_new (NULL), 0, 0 };
  GError *error = NULL;
  gsize start = 0;
  guint i;

  for (i = 0; i <= n_cuts; i++) {
    gsize stop = i < n_cuts ? cuts[i] : len;

    if (!cartesia_sse_parser_feed (parser, stream + start, stop - start,
            collect, &ev, &error)) {
      log_error (ev.log, "!", error);
      g_clear_error (&error);
      return g_string_free (ev.log, FALSE);
    }
    start = stop;
  }
  if (cartesia_sse_parser_finish (parser, &error))
    g_string_append (ev.log, "#ok");
  else
    log_error (ev.log, "#", error);
  g_clear_error (&error);
  return g_string_free (ev.log, FALSE);
}

static gchar *
parse_whole (const gchar * stream, gsize len)
{
  return parse_cut (stream, len, NULL, 0, NO_LIMIT);
}

static gchar *
parse_bytewise (const gchar * stream, gsize len, gsize max_event_size)
{
  gsize *cuts = g_new (gsize, len + 1);
  gchar *result;
  gsize i;

  for (i = 0; i < len; i++)
    cuts[i] = i;
  result = parse_cut (stream, len, cuts, len, max_event_size);
  g_free (cuts);
  return result;
}

/* Parses @stream whole, byte by byte and cut in two at its middle, and
 * checks that each gives @expected. */
static void
check_stream (const gchar * stream, const gchar * expected)
{
  gsize len = strlen (stream), middle = len / 2;
  gchar *got;

  got = parse_whole (stream, len);
  fail_unless_equals_string (got, expected);
  g_free (got);
  got = parse_bytewise (stream, len, NO_LIMIT);
  fail_unless_equals_string (got, expected);
  g_free (got);
  got = parse_cut (stream, len, &middle, 1, NO_LIMIT);
  fail_unless_equals_string (got, expected);
  g_free (got);
}

GST_START_TEST (test_line_ends)
{
  check_stream ("data: a\n\n", "[-]a|#ok");
  check_stream ("data: a\r\n\r\n", "[-]a|#ok");
  check_stream ("data: a\r\r", "[-]a|#ok");
  check_stream ("data: a\r\ndata: b\rdata: c\n\r\n", "[-]a\nb\nc|#ok");
  check_stream ("data: a\n\r\n", "[-]a|#ok");
  /* CR CR LF: a line end, then a CRLF line end: two blank lines. */
  check_stream ("data: a\r\r\ndata: b\n\n", "[-]a|[-]b|#ok");
  /* LF CR is two line ends, not one. */
  check_stream ("data: a\n\rdata: b\n\n", "[-]a|[-]b|#ok");
}

GST_END_TEST;

GST_START_TEST (test_crlf_split_across_feeds)
{
  const gchar *stream = "data: a\r\ndata: b\r\n\r\n";
  /* Every CR ends a feed, every LF starts the next. */
  const gsize cuts[] = { 8, 17, 19 };
  const gsize at_cr[] = { 7, 8 };
  gchar *got;

  got = parse_cut (stream, strlen (stream), cuts, G_N_ELEMENTS (cuts),
      NO_LIMIT);
  fail_unless_equals_string (got, "[-]a\nb|#ok");
  g_free (got);

  /* A CR at the end of a feed followed by another CR: two line ends. */
  got = parse_cut ("data: a\r\rdata: b\r\r", 18, at_cr, 2, NO_LIMIT);
  fail_unless_equals_string (got, "[-]a|[-]b|#ok");
  g_free (got);
}

GST_END_TEST;

/* An empty feed between a CR and its LF does not unpair them. */
GST_START_TEST (test_crlf_split_by_empty_feed)
{
  g_autoptr (CartesiaSseParser) parser = cartesia_sse_parser_new (NO_LIMIT);
  Events ev = { g_string_new (NULL), 0, 0 };

  fail_unless (cartesia_sse_parser_feed (parser, "data: a\r", 8, collect, &ev,
          NULL));
  fail_unless (cartesia_sse_parser_feed (parser, "", 0, collect, &ev, NULL));
  fail_unless (cartesia_sse_parser_feed (parser, NULL, 0, collect, &ev, NULL));
  fail_unless (cartesia_sse_parser_feed (parser, "\ndata: b\n\n", 10, collect,
          &ev, NULL));
  fail_unless (cartesia_sse_parser_finish (parser, NULL));
  fail_unless_equals_string (ev.log->str, "[-]a\nb|");
  g_string_free (ev.log, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_data_space)
{
  check_stream ("data:a\n\n", "[-]a|#ok");
  check_stream ("data: a\n\n", "[-]a|#ok");
  /* Only one space is part of the syntax. */
  check_stream ("data:  a\n\n", "[-] a|#ok");
  check_stream ("data:\ta\n\n", "[-]\ta|#ok");
  check_stream ("data: a b \n\n", "[-]a b |#ok");
  check_stream ("data: \n\n", "[-]|#ok");
  check_stream ("data:\n\n", "[-]|#ok");
  /* Only the first colon separates name and value. */
  check_stream ("data: {\"a\":1}\n\n", "[-]{\"a\":1}|#ok");
  check_stream ("data::\n\n", "[-]:|#ok");
}

GST_END_TEST;

/* Data is passed with its length: a NUL inside it is not an end. */
GST_START_TEST (test_data_with_nul)
{
  static const gchar stream[] = "data: a\0b\n\n";
  gchar *got = parse_whole (stream, sizeof (stream) - 1);

  fail_unless (memcmp (got, "[-]a\0b|#ok", 11) == 0);
  g_free (got);
}

GST_END_TEST;

GST_START_TEST (test_event_type)
{
  check_stream ("event: chunk\ndata: x\n\n", "[chunk]x|#ok");
  check_stream ("event:chunk\ndata: x\n\n", "[chunk]x|#ok");
  check_stream ("data: x\n\n", "[-]x|#ok");
  /* The last one wins, wherever it is in the event. */
  check_stream ("event: a\nevent: b\ndata: x\n\n", "[b]x|#ok");
  check_stream ("data: x\nevent: e\n\n", "[e]x|#ok");
  /* It applies to one event only, dispatched or not. */
  check_stream ("event: a\ndata: 1\n\ndata: 2\n\n", "[a]1|[-]2|#ok");
  check_stream ("event: a\n\ndata: 2\n\n", "[-]2|#ok");
  /* An empty type is no type, as in the WHATWG algorithm. */
  check_stream ("event:\ndata: x\n\n", "[-]x|#ok");
  check_stream ("event\ndata: x\n\n", "[-]x|#ok");
  check_stream ("event: a\nevent\ndata: x\n\n", "[-]x|#ok");
}

GST_END_TEST;

GST_START_TEST (test_comments)
{
  check_stream (": hello\ndata: a\n:\n: x: y\ndata: b\n\n", "[-]a\nb|#ok");
  check_stream (": ping\n\n", "#ok");
  check_stream (":data: x\n\n", "#ok");
  check_stream (":\r\n\r\ndata: y\r\n\r\n", "[-]y|#ok");
}

GST_END_TEST;

GST_START_TEST (test_multiline_data)
{
  check_stream ("data: a\ndata: b\ndata: c\n\n", "[-]a\nb\nc|#ok");
  check_stream ("data\ndata\n\n", "[-]\n|#ok");
  check_stream ("data: a\ndata\n\n", "[-]a\n|#ok");
  check_stream ("data: \ndata: \n\n", "[-]\n|#ok");
  check_stream ("data: a\nid: 1\ndata: b\n\n", "[-]a\nb|#ok");
}

GST_END_TEST;

GST_START_TEST (test_field_without_colon)
{
  check_stream ("data\n\n", "[-]|#ok");
  check_stream ("foo\ndata: x\n\n", "[-]x|#ok");
  check_stream ("retry\nid\ndata: x\n\n", "[-]x|#ok");
}

GST_END_TEST;

GST_START_TEST (test_unknown_fields)
{
  /* Field names are case-sensitive and match whole. */
  check_stream ("foo: bar\nDATA: y\ndata : z\nData: w\ndatum: q\n"
      "datadata: r\ndat: s\ndata: x\nevents: e\nevent : f\neven: g\n\n",
      "[-]x|#ok");
  check_stream ("a-very-long-field-name-that-is-nothing: v\ndata: x\n\n",
      "[-]x|#ok");
  check_stream ("foo: bar\n\n", "#ok");
}

GST_END_TEST;

GST_START_TEST (test_id_and_retry_ignored)
{
  check_stream ("id: 42\nretry: 1000\ndata: x\nid\n\n", "[-]x|#ok");
  check_stream ("id: 1\n\n", "#ok");
  check_stream ("retry: 5\n\ndata: y\n\n", "[-]y|#ok");
}

GST_END_TEST;

GST_START_TEST (test_bom)
{
  gchar *got;

  check_stream ("\xef\xbb\xbf" "data: x\n\n", "[-]x|#ok");
  check_stream ("\xef\xbb\xbf" "\r\ndata: x\r\n\r\n", "[-]x|#ok");
  check_stream ("\xef\xbb\xbf", "#ok");
  /* Only one, and only at the very start. */
  check_stream ("\xef\xbb\xbf\xef\xbb\xbf" "data: x\n\n", "#ok");
  check_stream ("data: a\n\n\xef\xbb\xbf" "data: b\n\n", "[-]a|#ok");
  check_stream ("data: \xef\xbb\xbf" "a\n\n", "[-]\xef\xbb\xbf" "a|#ok");
  /* The start of a BOM that turns out not to be one is content. */
  check_stream ("\xef\xbb" "data: x\n\n", "#ok");
  check_stream ("\xef\xbb\xef\xbb\xbf" "data: x\n\n", "#ok");
  check_stream ("\xef", "#TRUNCATED");
  check_stream ("\xef\xbb", "#TRUNCATED");
  check_stream ("\xef\n\ndata: x\n\n", "[-]x|#ok");

  /* A BOM split from the rest in any way. */
  {
    const gsize cuts[] = { 1, 2, 3 };
    const gchar *stream = "\xef\xbb\xbf" "data: x\n\n";

    got = parse_cut (stream, strlen (stream), cuts, 3, NO_LIMIT);
    fail_unless_equals_string (got, "[-]x|#ok");
    g_free (got);
  }
}

GST_END_TEST;

GST_START_TEST (test_no_data_not_dispatched)
{
  check_stream ("event: x\n\n", "#ok");
  check_stream ("\n\n\n", "#ok");
  check_stream ("\r\n\r\n", "#ok");
  check_stream ("id: 1\n\n", "#ok");
  check_stream (": c\n\n", "#ok");
  check_stream ("event: x\n\n\n\nid: 2\n\n: c\n\ndata: y\n\n", "[-]y|#ok");
}

GST_END_TEST;

GST_START_TEST (test_callback_stops)
{
  g_autoptr (CartesiaSseParser) parser = cartesia_sse_parser_new (NO_LIMIT);
  const gchar *stream = "data: 1\n\ndata: 2\n\ndata: 3\n\n";
  Events ev = { g_string_new (NULL), 0, 1 };
  GError *error = NULL;

  fail_if (cartesia_sse_parser_feed (parser, stream, strlen (stream), collect,
          &ev, &error));
  fail_unless (error == NULL, "stopping is not an error");
  fail_unless_equals_int (ev.n_events, 1);
  fail_unless_equals_string (ev.log->str, "[-]1|");

  /* The parser stays usable for whatever the caller feeds next. */
  ev.stop_after = 0;
  fail_unless (cartesia_sse_parser_feed (parser, "data: 4\n\n", 9, collect,
          &ev, &error));
  fail_unless (cartesia_sse_parser_finish (parser, &error));
  fail_unless_equals_string (ev.log->str, "[-]1|[-]4|");
  g_string_free (ev.log, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_too_large_event)
{
  /* "data: " and 26 bytes: 32 bytes of lines, the limit exactly. */
  const gchar *fits = "data: 01234567890123456789012345\n\n";
  const gchar *over = "data: 012345678901234567890123456\n\n";
  const gchar *lines = "data: 0123456789\ndata: 0123456789\ndata: 0\n\n";
  g_autoptr (CartesiaSseParser) parser = NULL;
  Events ev = { g_string_new (NULL), 0, 0 };
  GError *error = NULL;
  gchar *got;
  gsize i;

  got = parse_cut (fits, strlen (fits), NULL, 0, 32);
  fail_unless_equals_string (got, "[-]01234567890123456789012345|#ok");
  g_free (got);
  got = parse_bytewise (over, strlen (over), 32);
  fail_unless_equals_string (got, "!TOO_LARGE");
  g_free (got);
  /* Lines that fit alone, but not together. */
  got = parse_cut (lines, strlen (lines), NULL, 0, 32);
  fail_unless_equals_string (got, "!TOO_LARGE");
  g_free (got);

  /* The limit is per event: many events that each fit are fine. */
  parser = cartesia_sse_parser_new (32);
  for (i = 0; i < 100; i++)
    fail_unless (cartesia_sse_parser_feed (parser, fits, strlen (fits),
            collect, &ev, NULL));
  fail_unless_equals_int (ev.n_events, 100);

  /* Once too large, the stream cannot be trusted again. */
  fail_if (cartesia_sse_parser_feed (parser, over, strlen (over), collect,
          &ev, &error));
  fail_unless (g_error_matches (error, CARTESIA_SSE_ERROR,
          CARTESIA_SSE_ERROR_TOO_LARGE));
  g_clear_error (&error);
  fail_if (cartesia_sse_parser_feed (parser, fits, strlen (fits), collect,
          &ev, &error));
  fail_unless (g_error_matches (error, CARTESIA_SSE_ERROR,
          CARTESIA_SSE_ERROR_TOO_LARGE));
  g_clear_error (&error);
  fail_unless_equals_int (ev.n_events, 100);

  /* finish() ends that stream; the next one starts afresh. */
  fail_if (cartesia_sse_parser_finish (parser, NULL));
  fail_unless (cartesia_sse_parser_feed (parser, fits, strlen (fits),
          collect, &ev, NULL));
  fail_unless (cartesia_sse_parser_finish (parser, NULL));
  fail_unless_equals_int (ev.n_events, 101);
  g_string_free (ev.log, TRUE);
}

GST_END_TEST;

/* A line that never ends fails as soon as it passes the limit, whatever its
 * field, instead of growing without bound. */
static void
check_endless_line (const gchar * start, gchar filler)
{
  const gsize max = 4096, piece = 100;
  g_autoptr (CartesiaSseParser) parser = cartesia_sse_parser_new (max);
  Events ev = { g_string_new (NULL), 0, 0 };
  gchar buf[100];
  GError *error = NULL;
  gsize fed;

  memset (buf, filler, sizeof (buf));
  fail_unless (cartesia_sse_parser_feed (parser, start, strlen (start),
          collect, &ev, &error));
  for (fed = strlen (start); fed <= 10 * max; fed += piece)
    if (!cartesia_sse_parser_feed (parser, buf, piece, collect, &ev, &error))
      break;
  fail_unless (g_error_matches (error, CARTESIA_SSE_ERROR,
          CARTESIA_SSE_ERROR_TOO_LARGE), "%s...: no error", start);
  fail_unless (fed <= max + piece, "%s...: failed only after %"
      G_GSIZE_FORMAT " bytes", start, fed);
  fail_unless_equals_int (ev.n_events, 0);
  g_clear_error (&error);
  g_string_free (ev.log, TRUE);
}

GST_START_TEST (test_too_large_endless_line)
{
  check_endless_line ("data: ", 'A');
  check_endless_line ("event: chunk\ndata: ", 'A');
  check_endless_line ("event: ", 'e');
  check_endless_line (": ", 'c');
  check_endless_line ("", 'f');
}

GST_END_TEST;

GST_START_TEST (test_finish)
{
  check_stream ("", "#ok");
  check_stream ("data: x\n\n", "[-]x|#ok");
  check_stream ("data: x\n\r", "[-]x|#ok");
  check_stream ("data: x\r\r", "[-]x|#ok");
  check_stream ("\n\n: only comments\n", "#ok");
  check_stream ("data: x\n\n: bye\n", "[-]x|#ok");
  /* Cut streams: an event is never dispatched without its blank line. */
  check_stream ("data: x", "#TRUNCATED");
  check_stream ("data: x\n", "#TRUNCATED");
  check_stream ("data: x\r", "#TRUNCATED");
  check_stream ("data: x\r\n", "#TRUNCATED");
  check_stream ("data: x\n\nevent: done\n", "[-]x|#TRUNCATED");
  check_stream ("data: x\n\nid: 3\n", "[-]x|#TRUNCATED");
  check_stream ("data: x\n\n:partial", "[-]x|#TRUNCATED");
  check_stream ("data: x\n\nd", "[-]x|#TRUNCATED");
}

GST_END_TEST;

/* finish() leaves the parser ready for another stream, BOM included. */
GST_START_TEST (test_finish_resets)
{
  g_autoptr (CartesiaSseParser) parser = cartesia_sse_parser_new (NO_LIMIT);
  Events ev = { g_string_new (NULL), 0, 0 };
  const gchar *stream = "\xef\xbb\xbf" "event: e\ndata: 1\n\n";
  GError *error = NULL;

  fail_unless (cartesia_sse_parser_feed (parser, "event: x\ndata: cut", 18,
          collect, &ev, NULL));
  fail_if (cartesia_sse_parser_finish (parser, &error));
  fail_unless (g_error_matches (error, CARTESIA_SSE_ERROR,
          CARTESIA_SSE_ERROR_TRUNCATED));
  g_clear_error (&error);
  fail_unless (cartesia_sse_parser_feed (parser, stream, strlen (stream),
          collect, &ev, NULL));
  fail_unless (cartesia_sse_parser_finish (parser, NULL));
  fail_unless_equals_string (ev.log->str, "[e]1|");

  /* A CR that ended the last stream does not eat the next one's LF. */
  fail_unless (cartesia_sse_parser_feed (parser, "data: 2\n\r", 9, collect,
          &ev, NULL));
  fail_unless (cartesia_sse_parser_finish (parser, NULL));
  fail_unless (cartesia_sse_parser_feed (parser, "\ndata: 3\n\n", 10,
          collect, &ev, NULL));
  fail_unless (cartesia_sse_parser_finish (parser, NULL));
  fail_unless_equals_string (ev.log->str, "[e]1|[-]2|[-]3|");
  g_string_free (ev.log, TRUE);
}

GST_END_TEST;

/* Every rule at once, in every line-end style. */
static const gchar representative[] =
    "\xef\xbb\xbf"
    ": keep-alive\r\n"
    "event: chunk\r\n"
    "data: {\"type\":\"chunk\",\"data\":\"AAAA\",\"done\":false}\r\n"
    "\r\n"
    "event: timestamps\r"
    "data: line one\r"
    "data:line two\r"
    "id: 7\r"
    "\r"
    "data\n"
    "data: x\n"
    "retry: 10\n"
    "foo: bar\n"
    ":\n"
    "\n"
    "event: ignored\n"
    "\n"
    "event: done\r\n"
    "data: {\"type\":\"done\",\"done\":true}\r\n"
    "\r\n";

static const gchar representative_events[] =
    "[chunk]{\"type\":\"chunk\",\"data\":\"AAAA\",\"done\":false}|"
    "[timestamps]line one\nline two|"
    "[-]\nx|"
    "[done]{\"type\":\"done\",\"done\":true}|";

GST_START_TEST (test_every_split)
{
  const gsize len = sizeof (representative) - 1;
  g_autofree gchar *expected = g_strconcat (representative_events, "#ok",
      NULL);
  gchar *got;
  gsize cuts[2];

  got = parse_whole (representative, len);
  fail_unless_equals_string (got, expected);
  g_free (got);
  got = parse_bytewise (representative, len, NO_LIMIT);
  fail_unless_equals_string (got, expected);
  g_free (got);

  for (cuts[0] = 0; cuts[0] <= len; cuts[0]++) {
    got = parse_cut (representative, len, cuts, 1, NO_LIMIT);
    fail_unless (strcmp (got, expected) == 0, "cut at %" G_GSIZE_FORMAT
        ": %s", cuts[0], got);
    g_free (got);
  }
  for (cuts[0] = 0; cuts[0] <= len; cuts[0]++) {
    for (cuts[1] = cuts[0]; cuts[1] <= len; cuts[1]++) {
      got = parse_cut (representative, len, cuts, 2, NO_LIMIT);
      fail_unless (strcmp (got, expected) == 0, "cut at %" G_GSIZE_FORMAT
          " and %" G_GSIZE_FORMAT ": %s", cuts[0], cuts[1], got);
      g_free (got);
    }
  }
}

GST_END_TEST;

/* A stream cut anywhere yields a prefix of the events, and ends clean only
 * right after an event's blank line (or one of the blank lines after it). */
GST_START_TEST (test_every_truncation)
{
  const gsize len = sizeof (representative) - 1;
  gsize n;

  for (n = 0; n <= len; n++) {
    g_autofree gchar *got = parse_whole (representative, n);
    gchar *mark = strrchr (got, '#');

    fail_unless (mark != NULL);
    fail_unless (strncmp (representative_events, got, mark - got) == 0,
        "cut after %" G_GSIZE_FORMAT ": %s", n, got);
    if (strcmp (mark, "#ok") == 0) {
      /* Clean ends: before anything, after the BOM, or at a blank line. */
      fail_unless (n <= 3 || representative[n - 1] == '\n'
          || representative[n - 1] == '\r', "cut after %" G_GSIZE_FORMAT
          " is not clean", n);
    } else {
      fail_unless_equals_string (mark, "#TRUNCATED");
    }
  }
}

GST_END_TEST;

/* What Cartesia sends: one JSON message per data line, audio as ~22 KB of
 * base64, an event line per message or none. */
static GString *
cartesia_stream (guint8 * audio, gsize audio_len, gsize chunk_len,
    gboolean event_lines, const gchar * line_end)
{
  GString *s = g_string_new (NULL);
  gsize off;

  for (off = 0; off < audio_len; off += chunk_len) {
    g_autofree gchar *b64 = g_base64_encode (audio + off,
        MIN (chunk_len, audio_len - off));

    if (event_lines)
      g_string_append_printf (s, "event: chunk%s", line_end);
    g_string_append_printf (s, "data: {\"type\":\"chunk\",\"data\":\"%s\","
        "\"done\":false,\"status_code\":206,\"step_time\":12,"
        "\"context_id\":\"ctx-1\"}%s%s", b64, line_end, line_end);
  }
  if (event_lines)
    g_string_append_printf (s, "event: timestamps%s", line_end);
  g_string_append_printf (s, "data: {\"type\":\"timestamps\",\"done\":false,"
      "\"status_code\":206,\"context_id\":\"ctx-1\",\"word_timestamps\":"
      "{\"words\":[\"Hello\",\"world\"],\"start\":[0,0.5],\"end\":[0.4,0.9]}}"
      "%s%s", line_end, line_end);
  if (event_lines)
    g_string_append_printf (s, "event: done%s", line_end);
  g_string_append_printf (s, "data: {\"type\":\"done\",\"done\":true,"
      "\"status_code\":206,\"context_id\":\"ctx-1\"}%s%s", line_end, line_end);
  return s;
}

typedef struct
{
  gboolean event_lines;
  GByteArray *audio;
  guint n_chunks, n_timestamps, n_done;
} Utterance;

static gboolean
on_cartesia_event (const gchar * event_type, const gchar * data,
    gsize data_len, gpointer user_data)
{
  Utterance *u = user_data;
  CartesiaMessage msg;
  GError *error = NULL;

  fail_unless (cartesia_message_parse (data, data_len, &msg, &error),
      "%s", error ? error->message : "");
  fail_unless_equals_string (msg.context_id, "ctx-1");
  switch (msg.type) {
    case CARTESIA_MESSAGE_CHUNK:{
      gsize b64_len = strlen (msg.data), out_len = 0;
      guint old = u->audio->len;

      g_byte_array_set_size (u->audio, old +
          cartesia_base64_decoded_max (b64_len));
      fail_unless (cartesia_base64_decode (msg.data, b64_len,
              u->audio->data + old, &out_len));
      g_byte_array_set_size (u->audio, old + out_len);
      u->n_chunks++;
      break;
    }
    case CARTESIA_MESSAGE_TIMESTAMPS:
      fail_unless_equals_int (msg.n_words, 2);
      u->n_timestamps++;
      break;
    case CARTESIA_MESSAGE_DONE:
      u->n_done++;
      break;
    default:
      fail_unless (FALSE, "unexpected message type %d", msg.type);
  }
  if (u->event_lines) {
    static const gchar *names[] = {
      [CARTESIA_MESSAGE_CHUNK] = "chunk",
      [CARTESIA_MESSAGE_TIMESTAMPS] = "timestamps",
      [CARTESIA_MESSAGE_DONE] = "done",
    };
    fail_unless_equals_string (event_type, names[msg.type]);
  } else {
    fail_unless (event_type == NULL);
  }
  cartesia_message_clear (&msg);
  return TRUE;
}

static void
check_cartesia_shape (gboolean event_lines, const gchar * line_end)
{
  const gsize audio_len = 100000, chunk_len = 16384;
  const gsize piece_sizes[] = { 1 << 20, 16384, 4093, 1000, 7 };
  guint8 *audio = g_malloc (audio_len);
  GString *stream;
  gsize i, p;

  for (i = 0; i < audio_len; i++)
    audio[i] = (guint8) g_random_int ();
  stream = cartesia_stream (audio, audio_len, chunk_len, event_lines,
      line_end);

  for (p = 0; p < G_N_ELEMENTS (piece_sizes); p++) {
    g_autoptr (CartesiaSseParser) parser = cartesia_sse_parser_new (1 << 20);
    Utterance u = { event_lines, g_byte_array_new (), 0, 0, 0 };
    GError *error = NULL;

    for (i = 0; i < stream->len; i += piece_sizes[p])
      fail_unless (cartesia_sse_parser_feed (parser, stream->str + i,
              MIN (piece_sizes[p], stream->len - i), on_cartesia_event, &u,
              &error), "%s", error ? error->message : "");
    fail_unless (cartesia_sse_parser_finish (parser, &error));
    fail_unless_equals_int (u.n_chunks, (audio_len + chunk_len - 1)
        / chunk_len);
    fail_unless_equals_int (u.n_timestamps, 1);
    fail_unless_equals_int (u.n_done, 1);
    fail_unless_equals_int (u.audio->len, audio_len);
    fail_unless (memcmp (u.audio->data, audio, audio_len) == 0);
    g_byte_array_unref (u.audio);
  }
  g_string_free (stream, TRUE);
  g_free (audio);
}

GST_START_TEST (test_cartesia_event_lines)
{
  check_cartesia_shape (TRUE, "\n");
  check_cartesia_shape (TRUE, "\r\n");
}

GST_END_TEST;

GST_START_TEST (test_cartesia_data_only)
{
  check_cartesia_shape (FALSE, "\n");
  check_cartesia_shape (FALSE, "\r");
}

GST_END_TEST;

/* Linear time: a long line in tiny pieces, and many short CR-only lines in
 * one buffer (where a naive search for LF would rescan the rest each time),
 * finish well within the test timeout. */
GST_START_TEST (test_linear_time)
{
  const gsize line_len = 4 << 20, n_lines = 200000;
  g_autoptr (CartesiaSseParser) parser = cartesia_sse_parser_new (64 << 20);
  Events ev = { g_string_new (NULL), 0, 0 };
  GString *lines = g_string_new (NULL);
  gint64 start = g_get_monotonic_time ();
  gchar piece[7];
  gsize i;

  memset (piece, 'A', sizeof (piece));
  fail_unless (cartesia_sse_parser_feed (parser, "data: ", 6, collect, &ev,
          NULL));
  for (i = 0; i < line_len; i += sizeof (piece))
    fail_unless (cartesia_sse_parser_feed (parser, piece, sizeof (piece),
            collect, &ev, NULL));
  fail_unless (cartesia_sse_parser_feed (parser, "\n\n", 2, collect, &ev,
          NULL));
  fail_unless_equals_int (ev.n_events, 1);
  fail_unless_equals_int (ev.log->len, 3 + i + 1);
  g_string_truncate (ev.log, 0);

  for (i = 0; i < n_lines; i++)
    g_string_append (lines, "data: x\r");
  g_string_append (lines, "\r");
  fail_unless (cartesia_sse_parser_feed (parser, lines->str, lines->len,
          collect, &ev, NULL));
  fail_unless (cartesia_sse_parser_finish (parser, NULL));
  fail_unless_equals_int (ev.n_events, 2);
  fail_unless_equals_int (ev.log->len, 3 + 2 * n_lines);

  GST_INFO ("took %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - start)
      / 1000);
  g_string_free (lines, TRUE);
  g_string_free (ev.log, TRUE);
}

GST_END_TEST;

static Suite *
sse_suite (void)
{
  Suite *s = suite_create ("sse");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_line_ends);
  tcase_add_test (tc, test_crlf_split_across_feeds);
  tcase_add_test (tc, test_crlf_split_by_empty_feed);
  tcase_add_test (tc, test_data_space);
  tcase_add_test (tc, test_data_with_nul);
  tcase_add_test (tc, test_event_type);
  tcase_add_test (tc, test_comments);
  tcase_add_test (tc, test_multiline_data);
  tcase_add_test (tc, test_field_without_colon);
  tcase_add_test (tc, test_unknown_fields);
  tcase_add_test (tc, test_id_and_retry_ignored);
  tcase_add_test (tc, test_bom);
  tcase_add_test (tc, test_no_data_not_dispatched);
  tcase_add_test (tc, test_callback_stops);
  tcase_add_test (tc, test_too_large_event);
  tcase_add_test (tc, test_too_large_endless_line);
  tcase_add_test (tc, test_finish);
  tcase_add_test (tc, test_finish_resets);
  tcase_add_test (tc, test_every_split);
  tcase_add_test (tc, test_every_truncation);
  tcase_add_test (tc, test_cartesia_event_lines);
  tcase_add_test (tc, test_cartesia_data_only);
  tcase_add_test (tc, test_linear_time);
  return s;
}

GST_CHECK_MAIN (sse);
