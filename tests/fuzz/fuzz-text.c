/* libFuzzer harness: the text reader (cartesia-text.c).
 *
 * The first byte chooses markup or not and where to cut the rest into
 * pieces.  Whatever the input, the text is valid UTF-8; fed in pieces it
 * is the same text, with the same count of invalid sequences, as fed
 * whole; without markup, valid UTF-8 without NUL comes out unchanged.
 * The sentence splitter must stay inside the text and on a character
 * boundary.
 */
#include <glib.h>

#include "fuzz-glib.h"
#include <stdint.h>
#include <string.h>

#include "cartesia-text.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static gchar *
read_all (gboolean markup, const uint8_t * data, size_t size, size_t step,
    guint * n_invalid)
{
  CartesiaTextReader *r = cartesia_text_reader_new (markup);
  GString *text = g_string_new (NULL);
  gchar *piece;
  size_t at = 0;

  *n_invalid = 0;
  while (at < size) {
    size_t n = step ? MIN (step, size - at) : size - at;

    piece = cartesia_text_reader_feed (r, data + at, n, n_invalid);
    g_assert (g_utf8_validate (piece, -1, NULL));
    g_string_append (text, piece);
    g_free (piece);
    at += n;
  }
  piece = cartesia_text_reader_finish (r, n_invalid);
  g_assert (g_utf8_validate (piece, -1, NULL));
  g_string_append (text, piece);
  g_free (piece);
  cartesia_text_reader_free (r);
  return g_string_free (text, FALSE);
}

static void
check_sentences (const gchar * text)
{
  const gchar *p = text;
  gsize end, len = strlen (text);

  while ((end = cartesia_text_sentence_end (p)) > 0) {
    g_assert (end <= strlen (p));
    g_assert (g_utf8_validate (p, end, NULL));
    p += end;
    g_assert ((gsize) (p - text) <= len);
  }
  (void) cartesia_text_is_blank (p);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  gboolean markup;
  size_t step;
  gchar *whole, *pieces;
  guint invalid_whole, invalid_pieces;

  if (size < 1)
    return 0;
  markup = data[0] & 1;
  step = (data[0] >> 1) % 8;    /* 0: at once; else pieces of 1..7 bytes */
  data++;
  size--;

  whole = read_all (markup, data, size, 0, &invalid_whole);
  pieces = read_all (markup, data, size, step ? step : 1, &invalid_pieces);
  g_assert_cmpstr (whole, ==, pieces);
  g_assert_cmpuint (invalid_whole, ==, invalid_pieces);
  if (!markup && invalid_whole == 0)
    g_assert (size == strlen (whole) && memcmp (whole, data, size) == 0);
  check_sentences (whole);
  g_free (whole);
  g_free (pieces);
  return 0;
}
