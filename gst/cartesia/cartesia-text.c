/* gst-cartesia: text from upstream, made fit to send (pure). */
#include "cartesia-text.h"

#include <string.h>

/* Longest entity kept waiting for its ';' ("&#x10FFFF;" is 10 bytes). */
#define MAX_ENTITY 12

struct _CartesiaTextReader
{
  gboolean markup;
  GByteArray *pending;          /* bytes of a character cut at the end */
  gboolean in_tag;
  GString *entity;              /* "&..." waiting for its ';', or empty */
  gboolean in_invalid;          /* continuation bytes go with the last U+FFFD */
};

CartesiaTextReader *
cartesia_text_reader_new (gboolean markup)
{
  CartesiaTextReader *r = g_new0 (CartesiaTextReader, 1);

  r->markup = markup;
  r->pending = g_byte_array_new ();
  r->entity = g_string_new (NULL);
  return r;
}

void
cartesia_text_reader_free (CartesiaTextReader * r)
{
  if (r == NULL)
    return;
  g_byte_array_unref (r->pending);
  g_string_free (r->entity, TRUE);
  g_free (r);
}

static gboolean
decode_entity (const gchar * name, GString * out)
{
  static const struct
  {
    const gchar *name;
    gunichar c;
  } named[] = {
    {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
    {"nbsp", 0xa0},
  };
  guint i;

  if (name[0] == '#') {
    gboolean hex = name[1] == 'x' || name[1] == 'X';
    const gchar *digits = name + (hex ? 2 : 1);
    gchar *end = NULL;
    guint64 c;

    c = g_ascii_strtoull (digits, &end, hex ? 16 : 10);
    if (end == digits || *end != '\0' || c == 0
        || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
      return FALSE;
    g_string_append_unichar (out, (gunichar) c);
    return TRUE;
  }
  for (i = 0; i < G_N_ELEMENTS (named); i++) {
    if (strcmp (name, named[i].name) == 0) {
      g_string_append_unichar (out, named[i].c);
      return TRUE;
    }
  }
  return FALSE;
}

/* One valid character of the text, through the markup filter. */
static void
take_char (CartesiaTextReader * r, gunichar c, GString * out)
{
  if (!r->markup) {
    g_string_append_unichar (out, c);
    return;
  }
  if (r->in_tag) {
    if (c == '>')
      r->in_tag = FALSE;
    return;
  }
  if (r->entity->len) {
    if (c == ';') {
      if (!decode_entity (r->entity->str + 1, out)) {
        g_string_append (out, r->entity->str);
        g_string_append_c (out, ';');
      }
      g_string_truncate (r->entity, 0);
      return;
    }
    if (g_unichar_isalnum (c) || c == '#') {
      if (r->entity->len < MAX_ENTITY) {
        g_string_append_unichar (r->entity, c);
        return;
      }
    }
    /* Not an entity after all: a bare '&' and what followed it. */
    g_string_append (out, r->entity->str);
    g_string_truncate (r->entity, 0);
  }
  if (c == '<')
    r->in_tag = TRUE;
  else if (c == '&')
    g_string_append_c (r->entity, '&');
  else
    g_string_append_unichar (out, c);
}

static void
take_bytes (CartesiaTextReader * r, gboolean at_end, GString * out,
    guint * n_invalid)
{
  const gchar *p = (const gchar *) r->pending->data;
  gsize len = r->pending->len, i = 0;

  while (i < len) {
    guchar b = p[i];
    gunichar c;

    /* A bad run is one U+FFFD however the pieces cut it. */
    if (r->in_invalid && (b & 0xc0) == 0x80) {
      i++;
      continue;
    }
    r->in_invalid = FALSE;
    if (b != 0 && b < 0x80) {
      take_char (r, b, out);
      i++;
      continue;
    }
    c = b ? g_utf8_get_char_validated (p + i, len - i) : (gunichar) - 1;
    if (c == (gunichar) - 2 && !at_end && memchr (p + i, 0, len - i) == NULL)
      break;                    /* cut at the end: the rest comes next */
    if (c == (gunichar) - 1 || c == (gunichar) - 2) {
      /* Never sent raw: one replacement character per bad byte run start. */
      (*n_invalid)++;
      take_char (r, 0xfffd, out);
      i++;
      r->in_invalid = TRUE;
      continue;
    }
    take_char (r, c, out);
    i += g_utf8_skip[b];
  }
  g_byte_array_remove_range (r->pending, 0, i);
}

gchar *
cartesia_text_reader_feed (CartesiaTextReader * r, const guint8 * data,
    gsize len, guint * n_invalid)
{
  GString *out = g_string_sized_new (len + 1);

  g_byte_array_append (r->pending, data, len);
  take_bytes (r, FALSE, out, n_invalid);
  return g_string_free (out, FALSE);
}

gchar *
cartesia_text_reader_finish (CartesiaTextReader * r, guint * n_invalid)
{
  GString *out = g_string_new (NULL);

  take_bytes (r, TRUE, out, n_invalid);
  g_string_append (out, r->entity->str);
  g_string_truncate (r->entity, 0);
  r->in_tag = FALSE;
  r->in_invalid = FALSE;
  return g_string_free (out, FALSE);
}

gsize
cartesia_text_sentence_end (const gchar * text)
{
  const gchar *p = text;

  while (*p) {
    gunichar c = g_utf8_get_char (p);
    const gchar *next = g_utf8_next_char (p);

    if (c == '\n' || ((c == '.' || c == '!' || c == '?' || c == 0x2026)
            && *next && g_unichar_isspace (g_utf8_get_char (next)))) {
      while (*next && g_unichar_isspace (g_utf8_get_char (next)))
        next = g_utf8_next_char (next);
      return next - text;
    }
    p = next;
  }
  return 0;
}

gboolean
cartesia_text_is_blank (const gchar * text)
{
  for (; text && *text; text = g_utf8_next_char (text))
    if (!g_unichar_isspace (g_utf8_get_char (text)))
      return FALSE;
  return TRUE;
}
