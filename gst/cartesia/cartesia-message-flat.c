/* gst-cartesia: protocol layer, the fast path for flat server messages.
 *
 * Nearly every message Cartesia sends is a chunk: one flat JSON object whose
 * only large member is ~5-22 KB of base64.  Building a json-glib tree for it
 * (validating, copying and hashing that string) was most of the CPU the
 * element spent per second of audio.  This reads such an object in one pass,
 * in place, and copies only the members it keeps.  It is deliberately
 * narrow: anything else -- nesting, escapes, non-ASCII, a member of an
 * unexpected type, a timestamps message, invalid syntax -- is declined, and
 * the caller parses the message with json-glib as before, so unusual input
 * keeps exactly the old semantics (the fuzzer checks that both agree).
 * cartesia_message_parse(), which tries this first, is at the end.
 */
#include "cartesia-message-private.h"

#include <string.h>

#define MAX_MEMBERS 16

typedef enum
{
  VALUE_STRING,
  VALUE_NUMBER,
  VALUE_TRUE,
  VALUE_FALSE,
  VALUE_NULL,
} ValueKind;

typedef struct
{
  const gchar *key;
  gsize key_len;
  ValueKind kind;
  const gchar *str;             /* STRING: the characters between the quotes */
  gsize str_len;
  gdouble number;
} Member;

typedef struct
{
  const gchar *p;
  const gchar *end;
} Scanner;

static void
skip_ws (Scanner * s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n'
          || *s->p == '\r'))
    s->p++;
}

#define ONES G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGHS (ONES * 0x80)

/* Whether none of the 8 bytes in @w is a '"', a '\\', a control character
 * (< 0x20) or non-ASCII (>= 0x80).  (x - ONES * n) & ~x & HIGHS is non-zero
 * exactly when some byte of x is below n (n <= 0x80): the classic test for a
 * zero byte, here applied to x XOR the character. */
static inline gboolean
plain_word (guint64 w)
{
  guint64 quote = w ^ (ONES * '"');
  guint64 backslash = w ^ (ONES * '\\');

  return ((((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash)
          | ((w - ONES * 0x20) & ~w) | w) & HIGHS) == 0;
}

/* A string without escapes, control or non-ASCII characters.  The base64 of
 * a chunk is nearly all of a message: it is skipped 8 bytes at a time, and
 * the word that holds the closing quote byte by byte. */
static gboolean
scan_string (Scanner * s, const gchar ** str, gsize * len)
{
  const gchar *start;

  if (s->p >= s->end || *s->p != '"')
    return FALSE;
  start = ++s->p;
  while (s->end - s->p >= 8) {
    guint64 w;

    memcpy (&w, s->p, sizeof (w));
    if (!plain_word (w))
      break;
    s->p += 8;
  }
  while (s->p < s->end && *s->p != '"') {
    guchar c = *s->p;

    if (c == '\\' || c < 0x20 || c >= 0x80)
      return FALSE;
    s->p++;
  }
  if (s->p >= s->end)
    return FALSE;
  *str = start;
  *len = s->p - start;
  s->p++;
  return TRUE;
}

/* JSON's number grammar, then its value. */
static gboolean
scan_number (Scanner * s, gdouble * number)
{
  const gchar *start = s->p;
  gchar buf[64];

  if (s->p < s->end && *s->p == '-')
    s->p++;
  if (s->p >= s->end || !g_ascii_isdigit (*s->p))
    return FALSE;
  if (*s->p == '0')
    s->p++;
  else
    while (s->p < s->end && g_ascii_isdigit (*s->p))
      s->p++;
  if (s->p < s->end && *s->p == '.') {
    s->p++;
    if (s->p >= s->end || !g_ascii_isdigit (*s->p))
      return FALSE;
    while (s->p < s->end && g_ascii_isdigit (*s->p))
      s->p++;
  }
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
    s->p++;
    if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
      s->p++;
    if (s->p >= s->end || !g_ascii_isdigit (*s->p))
      return FALSE;
    while (s->p < s->end && g_ascii_isdigit (*s->p))
      s->p++;
  }
  if ((gsize) (s->p - start) >= sizeof (buf))
    return FALSE;
  memcpy (buf, start, s->p - start);
  buf[s->p - start] = '\0';
  *number = g_ascii_strtod (buf, NULL);
  return TRUE;
}

static gboolean
scan_literal (Scanner * s, const gchar * word)
{
  gsize n = strlen (word);

  if ((gsize) (s->end - s->p) < n || memcmp (s->p, word, n) != 0)
    return FALSE;
  s->p += n;
  return TRUE;
}

static gboolean
scan_value (Scanner * s, Member * m)
{
  if (s->p >= s->end)
    return FALSE;
  switch (*s->p) {
    case '"':
      m->kind = VALUE_STRING;
      return scan_string (s, &m->str, &m->str_len);
    case 't':
      m->kind = VALUE_TRUE;
      return scan_literal (s, "true");
    case 'f':
      m->kind = VALUE_FALSE;
      return scan_literal (s, "false");
    case 'n':
      m->kind = VALUE_NULL;
      return scan_literal (s, "null");
    default:
      m->kind = VALUE_NUMBER;
      return scan_number (s, &m->number);
  }
}

/* The members of one flat object that is the whole text. */
static gboolean
scan_object (const gchar * text, gsize len, Member * members, guint * n)
{
  Scanner s = { text, text + len };

  *n = 0;
  skip_ws (&s);
  if (s.p >= s.end || *s.p++ != '{')
    return FALSE;
  skip_ws (&s);
  if (s.p < s.end && *s.p == '}') {
    s.p++;
  } else {
    for (;;) {
      Member *m;

      if (*n == MAX_MEMBERS)
        return FALSE;
      m = &members[(*n)++];
      skip_ws (&s);
      if (!scan_string (&s, &m->key, &m->key_len))
        return FALSE;
      skip_ws (&s);
      if (s.p >= s.end || *s.p++ != ':')
        return FALSE;
      skip_ws (&s);
      if (!scan_value (&s, m))
        return FALSE;
      skip_ws (&s);
      if (s.p >= s.end)
        return FALSE;
      if (*s.p == '}') {
        s.p++;
        break;
      }
      if (*s.p++ != ',')
        return FALSE;
    }
  }
  skip_ws (&s);
  return s.p == s.end;
}

static gboolean
key_is (const Member * m, const gchar * key)
{
  return m->key_len == strlen (key) && memcmp (m->key, key, m->key_len) == 0;
}

/* A string member into @out (the last one wins, as in json-glib); FALSE for
 * another type, which the full parser must judge. */
static gboolean
take_string (const Member * m, gchar ** out)
{
  if (m->kind == VALUE_NULL)
    return TRUE;
  if (m->kind != VALUE_STRING)
    return FALSE;
  g_free (*out);
  *out = g_strndup (m->str, m->str_len);
  return TRUE;
}

static gboolean
take_int (const Member * m, gint64 * out)
{
  if (m->kind == VALUE_NULL)
    return TRUE;
  /* Integers only, and in range (checked before any cast: casting a double
   * that does not fit is undefined): anything else goes the full way. */
  if (m->kind != VALUE_NUMBER || !(m->number >= -9.2e18
          && m->number <= 9.2e18)
      || m->number != (gdouble) (gint64) m->number)
    return FALSE;
  *out = (gint64) m->number;
  return TRUE;
}

static gboolean
take_members (const Member * members, guint n, CartesiaMessage * msg,
    gchar ** type, gint64 * status, gboolean * has_error)
{
  gint64 unused;
  guint i;

  for (i = 0; i < n; i++) {
    const Member *m = &members[i];
    gboolean ok = TRUE;

    if (key_is (m, "type"))
      ok = take_string (m, type);
    else if (key_is (m, "context_id"))
      ok = take_string (m, &msg->context_id);
    else if (key_is (m, "data"))
      ok = take_string (m, &msg->data);
    else if (key_is (m, "status_code"))
      ok = take_int (m, status);
    else if (key_is (m, "flush_id"))
      ok = take_int (m, &unused);       /* checked, as the full parser does */
    else if (key_is (m, "title"))
      ok = take_string (m, &msg->title);
    else if (key_is (m, "message"))
      ok = take_string (m, &msg->message);
    else if (key_is (m, "error_code"))
      ok = take_string (m, &msg->error_code);
    else if (key_is (m, "request_id"))
      ok = take_string (m, &msg->request_id);
    else if (key_is (m, "error")) {
      *has_error = TRUE;
      ok = m->kind == VALUE_STRING;
    } else if (key_is (m, "word_timestamps")
        || key_is (m, "phoneme_timestamps"))
      ok = FALSE;
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

gboolean
cartesia_message_parse_flat (const gchar * text, gsize len,
    CartesiaMessage * msg)
{
  Member members[MAX_MEMBERS];
  g_autofree gchar *type = NULL;
  gint64 status = 0;
  gboolean has_error = FALSE;
  guint n, i;

  memset (msg, 0, sizeof (*msg));
  if (!scan_object (text, len, members, &n))
    return FALSE;
  if (!take_members (members, n, msg, &type, &status, &has_error))
    goto decline;

  if (type)
    msg->type = cartesia_message_lookup_type (type);
  else if (has_error)
    msg->type = CARTESIA_MESSAGE_ERROR_MESSAGE;
  else
    goto decline;               /* no type: the full parser says why */
  if (msg->type == CARTESIA_MESSAGE_TIMESTAMPS
      || msg->type == CARTESIA_MESSAGE_PHONEME_TIMESTAMPS)
    goto decline;

  msg->status_code = status >= 100 && status <= 999 ? (gint) status : 0;
  /* What the full parser reads for each type, and nothing more. */
  if (msg->type == CARTESIA_MESSAGE_CHUNK && msg->data == NULL)
    msg->data = g_strdup ("");
  else if (msg->type != CARTESIA_MESSAGE_CHUNK)
    g_clear_pointer (&msg->data, g_free);
  if (msg->type == CARTESIA_MESSAGE_ERROR_MESSAGE) {
    /* The legacy shape: {"error": "Title: message"}; like any member, the
     * last of duplicates wins, as in json-glib. */
    for (i = n; msg->message == NULL && i > 0; i--)
      if (key_is (&members[i - 1], "error"))
        take_string (&members[i - 1], &msg->message);
  } else {
    /* Only an error message keeps these. */
    g_clear_pointer (&msg->title, g_free);
    g_clear_pointer (&msg->message, g_free);
    g_clear_pointer (&msg->error_code, g_free);
    g_clear_pointer (&msg->request_id, g_free);
  }
  return TRUE;

decline:
  cartesia_message_clear (msg);
  return FALSE;
}

/* The entry point lives here, above both parsers, so that the tree parser
 * (cartesia-message.c) never calls this file back. */
gboolean
cartesia_message_parse (const gchar * text, gsize len, CartesiaMessage * msg,
    GError ** error)
{
  if (cartesia_message_parse_flat (text, len, msg))
    return TRUE;
  return cartesia_message_parse_tree (text, len, msg, error);
}
