/* The text reader alone: UTF-8 repair, markup, sentences, on plain strings. */
#include <gst/check/gstcheck.h>
#include <string.h>

#include "cartesia-text.h"

#define FFFD "\xef\xbf\xbd"

/* Feeds @len bytes of @data; checks the output is valid UTF-8 (no NUL
 * inside) and returns it. */
static gchar *
feed_len (CartesiaTextReader * r, const gchar * data, gsize len,
    guint * n_invalid)
{
  gchar *out = cartesia_text_reader_feed (r, (const guint8 *) data, len,
      n_invalid);

  fail_unless (out != NULL);
  fail_unless (g_utf8_validate (out, -1, NULL), "invalid UTF-8 out");
  return out;
}

static gchar *
feed (CartesiaTextReader * r, const gchar * data, guint * n_invalid)
{
  return feed_len (r, data, strlen (data), n_invalid);
}

static gchar *
finish (CartesiaTextReader * r, guint * n_invalid)
{
  gchar *out = cartesia_text_reader_finish (r, n_invalid);

  fail_unless (out != NULL);
  fail_unless (g_utf8_validate (out, -1, NULL), "invalid UTF-8 out");
  return out;
}

/* Feeds @len bytes in one piece, then finishes; the whole output. */
static gchar *
read_all (gboolean markup, const gchar * data, gsize len, guint * n_invalid)
{
  CartesiaTextReader *r = cartesia_text_reader_new (markup);
  gchar *a = feed_len (r, data, len, n_invalid);
  gchar *b = finish (r, n_invalid);
  gchar *all = g_strconcat (a, b, NULL);

  g_free (a);
  g_free (b);
  cartesia_text_reader_free (r);
  return all;
}

static void
check_read (gboolean markup, const gchar * data, gsize len,
    const gchar * expect, guint expect_invalid)
{
  guint n = 0;
  gchar *out = read_all (markup, data, len, &n);

  fail_unless_equals_string (out, expect);
  fail_unless_equals_int (n, expect_invalid);
  g_free (out);
}

#define CHECK_READ(markup, lit, expect, n) \
  check_read (markup, lit, sizeof (lit) - 1, expect, n)

/* Valid UTF-8 passes through untouched, piece by piece. */
GST_START_TEST (test_text_plain_passthrough)
{
  CartesiaTextReader *r = cartesia_text_reader_new (FALSE);
  guint n = 0;
  gchar *out;

  out = feed (r, "Hello, w\xc3\xb6rld \xe2\x82\xac 5 ", &n);
  fail_unless_equals_string (out, "Hello, w\xc3\xb6rld \xe2\x82\xac 5 ");
  g_free (out);
  out = feed (r, "\xf0\x9f\x98\x80 <b>&amp;</b>", &n);
  /* Not markup: tags and entities are text. */
  fail_unless_equals_string (out, "\xf0\x9f\x98\x80 <b>&amp;</b>");
  g_free (out);
  out = feed (r, "", &n);
  fail_unless_equals_string (out, "");
  g_free (out);
  out = finish (r, &n);
  fail_unless_equals_string (out, "");
  g_free (out);
  fail_unless_equals_int (n, 0);
  cartesia_text_reader_free (r);
}

GST_END_TEST;

/* A character cut between two pieces waits, whole, for the next one. */
GST_START_TEST (test_text_split_character)
{
  CartesiaTextReader *r = cartesia_text_reader_new (FALSE);
  guint n = 0;
  gchar *out;

  out = feed (r, "caf\xc3", &n);
  fail_unless_equals_string (out, "caf");
  g_free (out);
  out = feed (r, "\xa9!", &n);
  fail_unless_equals_string (out, "\xc3\xa9!");
  g_free (out);

  /* A 4-byte character in three pieces: nothing until it is whole. */
  out = feed (r, "\xf0", &n);
  fail_unless_equals_string (out, "");
  g_free (out);
  out = feed (r, "\x9f\x98", &n);
  fail_unless_equals_string (out, "");
  g_free (out);
  out = feed (r, "\x80.", &n);
  fail_unless_equals_string (out, "\xf0\x9f\x98\x80.");
  g_free (out);

  /* The piece after a cut does not continue it: the cut part is bad. */
  out = feed (r, "x\xe2\x82", &n);
  fail_unless_equals_string (out, "x");
  g_free (out);
  fail_unless_equals_int (n, 0);
  out = feed (r, "y", &n);
  fail_unless_equals_string (out, FFFD "y");
  g_free (out);
  fail_unless_equals_int (n, 1);
  cartesia_text_reader_free (r);
}

GST_END_TEST;

/* Each invalid sequence becomes one U+FFFD, and is counted. */
GST_START_TEST (test_text_invalid_bytes)
{
  CHECK_READ (FALSE, "a\xff" "b", "a" FFFD "b", 1);
  CHECK_READ (FALSE, "a\xfe" "b", "a" FFFD "b", 1);
  /* Overlong NUL. */
  CHECK_READ (FALSE, "a\xc0\x80" "b", "a" FFFD "b", 1);
  /* Overlong '/' in three bytes. */
  CHECK_READ (FALSE, "\xe0\x80\xaf", FFFD, 1);
  /* Lone continuation bytes: one replacement per run. */
  CHECK_READ (FALSE, "a\x80" "b", "a" FFFD "b", 1);
  CHECK_READ (FALSE, "a\x80\xbf\x80" "b", "a" FFFD "b", 1);
  /* NUL never goes through. */
  CHECK_READ (FALSE, "a\0b", "a" FFFD "b", 1);
  CHECK_READ (FALSE, "\0\0", FFFD FFFD, 2);
  /* UTF-16 surrogates are not characters. */
  CHECK_READ (FALSE, "a\xed\xa0\x80" "b", "a" FFFD "b", 1);
  CHECK_READ (FALSE, "\xed\xbf\xbf", FFFD, 1);
  /* Beyond U+10FFFF. */
  CHECK_READ (FALSE, "\xf4\x90\x80\x80", FFFD, 1);
  /* A lead byte followed by no continuation. */
  CHECK_READ (FALSE, "\xc3(", FFFD "(", 1);
  CHECK_READ (FALSE, "\xe2\x82(", FFFD "(", 1);
  /* Several in a row, with good text between. */
  CHECK_READ (FALSE, "\xff\xc3\xa9\xfe\x80" "z\xc0\x80",
      FFFD "\xc3\xa9" FFFD "z" FFFD, 3);
  /* The same in markup mode. */
  CHECK_READ (TRUE, "<i>\xff</i>\x80", FFFD FFFD, 2);
}

GST_END_TEST;

/* n_invalid is added to, not set. */
GST_START_TEST (test_text_invalid_count_adds)
{
  CartesiaTextReader *r = cartesia_text_reader_new (FALSE);
  guint n = 5;
  gchar *out;

  out = feed (r, "\xff", &n);
  fail_unless_equals_string (out, FFFD);
  g_free (out);
  fail_unless_equals_int (n, 6);
  out = feed (r, "ok", &n);
  g_free (out);
  fail_unless_equals_int (n, 6);
  cartesia_text_reader_free (r);
}

GST_END_TEST;

/* At the end, a character still cut becomes U+FFFD; the reader starts
 * afresh. */
GST_START_TEST (test_text_finish)
{
  CartesiaTextReader *r = cartesia_text_reader_new (FALSE);
  guint n = 0;
  gchar *out;

  out = feed (r, "end\xe2\x82", &n);
  fail_unless_equals_string (out, "end");
  g_free (out);
  fail_unless_equals_int (n, 0);
  out = finish (r, &n);
  fail_unless_equals_string (out, FFFD);
  g_free (out);
  fail_unless_equals_int (n, 1);

  /* Nothing of it is left: the next piece starts clean. */
  out = feed (r, "\xac" "a", &n);
  fail_unless_equals_string (out, FFFD "a");
  g_free (out);
  fail_unless_equals_int (n, 2);
  out = finish (r, &n);
  fail_unless_equals_string (out, "");
  g_free (out);
  fail_unless_equals_int (n, 2);
  cartesia_text_reader_free (r);

  /* Markup: an unterminated tag is dropped, a pending '&...' is text. */
  r = cartesia_text_reader_new (TRUE);
  out = feed (r, "a<span foo", &n);
  fail_unless_equals_string (out, "a");
  g_free (out);
  out = finish (r, &n);
  fail_unless_equals_string (out, "");
  g_free (out);
  out = feed (r, "b&am", &n);
  fail_unless_equals_string (out, "b");
  g_free (out);
  out = finish (r, &n);
  fail_unless_equals_string (out, "&am");
  g_free (out);
  /* Out of the tag after finish(). */
  out = feed (r, "c", &n);
  fail_unless_equals_string (out, "c");
  g_free (out);
  fail_unless_equals_int (n, 2);
  cartesia_text_reader_free (r);
}

GST_END_TEST;

/* Markup: tags go, even one cut between pieces. */
GST_START_TEST (test_text_markup_tags)
{
  CartesiaTextReader *r = cartesia_text_reader_new (TRUE);
  guint n = 0;
  gchar *out;

  out = feed (r, "Say <b", &n);
  fail_unless_equals_string (out, "Say ");
  g_free (out);
  out = feed (r, ">bold</b>", &n);
  fail_unless_equals_string (out, "bold");
  g_free (out);
  out = feed (r, " and <span foreground=\"red\">red</span>.", &n);
  fail_unless_equals_string (out, " and red.");
  g_free (out);
  /* A tag cut inside its attributes; a multibyte character inside it. */
  out = feed (r, "<span font=\"S\xc3", &n);
  fail_unless_equals_string (out, "");
  g_free (out);
  out = feed (r, "\xa9rif\">x</span>", &n);
  fail_unless_equals_string (out, "x");
  g_free (out);
  fail_unless_equals_int (n, 0);
  cartesia_text_reader_free (r);
}

GST_END_TEST;

/* Markup: entities are decoded; what is not one stays as it was. */
GST_START_TEST (test_text_markup_entities)
{
  CHECK_READ (TRUE, "&amp; &lt; &gt; &quot; &apos;", "& < > \" '", 0);
  CHECK_READ (TRUE, "caf&#233; caf&#xE9; caf&#Xe9;",
      "caf\xc3\xa9 caf\xc3\xa9 caf\xc3\xa9", 0);
  /* A one-digit reference, and a character beyond the BMP. */
  CHECK_READ (TRUE, "a&#9;b&#x1F600;", "a\tb\xf0\x9f\x98\x80", 0);
  /* Decoded '<' is text, not a tag. */
  CHECK_READ (TRUE, "&lt;b&gt;x", "<b>x", 0);
  /* Unknown or malformed: kept as written. */
  CHECK_READ (TRUE, "&foo; x", "&foo; x", 0);
  CHECK_READ (TRUE, "&#; &#x; &#0; &#xD800; &#x110000; &#12a;",
      "&#; &#x; &#0; &#xD800; &#x110000; &#12a;", 0);
  /* A bare '&'. */
  CHECK_READ (TRUE, "AT&T", "AT&T", 0);
  CHECK_READ (TRUE, "AT&T rocks & rolls", "AT&T rocks & rolls", 0);
  CHECK_READ (TRUE, "a && b", "a && b", 0);
  /* Too long to be an entity. */
  CHECK_READ (TRUE, "&abcdefghijklmnop;", "&abcdefghijklmnop;", 0);
}

GST_END_TEST;

/* Entities cut between pieces are decoded once whole. */
GST_START_TEST (test_text_markup_entity_split)
{
  CartesiaTextReader *r = cartesia_text_reader_new (TRUE);
  guint n = 0;
  gchar *out;

  out = feed (r, "Tom &am", &n);
  fail_unless_equals_string (out, "Tom ");
  g_free (out);
  out = feed (r, "p; Jerry AT&", &n);
  fail_unless_equals_string (out, "& Jerry AT");
  g_free (out);
  out = feed (r, "T says &#", &n);
  fail_unless_equals_string (out, "&T says ");
  g_free (out);
  out = feed (r, "x4", &n);
  fail_unless_equals_string (out, "");
  g_free (out);
  out = feed (r, "1;", &n);
  fail_unless_equals_string (out, "A");
  g_free (out);
  out = feed (r, " AT&T", &n);
  fail_unless_equals_string (out, " AT");
  g_free (out);
  out = finish (r, &n);
  fail_unless_equals_string (out, "&T");
  g_free (out);
  fail_unless_equals_int (n, 0);
  cartesia_text_reader_free (r);
}

GST_END_TEST;

/* Whatever the bytes and however they are cut, the output is valid UTF-8,
 * and valid input comes out exactly as it went in. */
GST_START_TEST (test_text_random)
{
  GRand *rand = g_rand_new_with_seed (42);
  static const gchar *const valid[] = {
    "a", " ", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xe2\x80\xa6",
    ".", "\n", "\xd0\x96", "\xef\xbf\xbd",
  };
  guint round;

  for (round = 0; round < 200; round++) {
    gboolean markup = round & 1;
    CartesiaTextReader *r = cartesia_text_reader_new (markup);
    GString *in = g_string_new (NULL), *got = g_string_new (NULL);
    gboolean garbage = round % 4 >= 2;
    guint n = 0, i, len = g_rand_int_range (rand, 0, 200);
    gsize at = 0;
    gchar *out;

    for (i = 0; i < len; i++) {
      if (garbage)
        g_string_append_c (in, (gchar) g_rand_int_range (rand, 0, 256));
      else
        g_string_append (in,
            valid[g_rand_int_range (rand, 0, G_N_ELEMENTS (valid))]);
    }
    while (at < in->len) {
      gsize k = g_rand_int_range (rand, 0, 8);

      k = MIN (k, in->len - at);

      out = feed_len (r, in->str + at, k, &n);
      g_string_append (got, out);
      g_free (out);
      at += k;
    }
    out = finish (r, &n);
    g_string_append (got, out);
    g_free (out);
    fail_unless (g_utf8_validate (got->str, got->len, NULL));
    if (!garbage) {
      fail_unless_equals_int (n, 0);
      fail_unless_equals_string (got->str, in->str);
    }
    g_string_free (in, TRUE);
    g_string_free (got, TRUE);
    cartesia_text_reader_free (r);
  }
  g_rand_free (rand);
}

GST_END_TEST;

GST_START_TEST (test_text_sentence_end)
{
  fail_unless_equals_int (cartesia_text_sentence_end ("Hello world. How"), 13);
  fail_unless_equals_string ("Hello world. How" +
      cartesia_text_sentence_end ("Hello world. How"), "How");
  /* Terminal punctuation with nothing after it: not complete yet. */
  fail_unless_equals_int (cartesia_text_sentence_end ("Wait!"), 0);
  fail_unless_equals_int (cartesia_text_sentence_end ("Wait! "), 6);
  fail_unless_equals_int (cartesia_text_sentence_end ("a\nb"), 2);
  fail_unless_equals_int (cartesia_text_sentence_end (""), 0);
  fail_unless_equals_int (cartesia_text_sentence_end ("3.14 is pi"), 0);
  fail_unless_equals_int (cartesia_text_sentence_end ("no end here"), 0);
  /* All the white space after it belongs to the sentence. */
  fail_unless_equals_int (cartesia_text_sentence_end ("Why?  \t Because"), 8);
  fail_unless_equals_int (cartesia_text_sentence_end ("a\n\n  b"), 5);
  /* The first sentence only. */
  fail_unless_equals_int (cartesia_text_sentence_end ("One. Two. Three"), 5);
  /* An ellipsis character, multibyte. */
  fail_unless_equals_int (cartesia_text_sentence_end ("Oh\xe2\x80\xa6 well"),
      6);
  fail_unless_equals_int (cartesia_text_sentence_end ("Oh\xe2\x80\xa6"), 0);
  /* A non-ASCII space after the period counts too. */
  fail_unless_equals_int (cartesia_text_sentence_end ("Fin.\xc2\xa0Next"), 6);
}

GST_END_TEST;

GST_START_TEST (test_text_is_blank)
{
  fail_unless (cartesia_text_is_blank (NULL));
  fail_unless (cartesia_text_is_blank (""));
  fail_unless (cartesia_text_is_blank (" \t\r\n"));
  fail_unless (cartesia_text_is_blank ("\xc2\xa0\xe3\x80\x80"));
  fail_if (cartesia_text_is_blank ("a"));
  fail_if (cartesia_text_is_blank ("  .  "));
  fail_if (cartesia_text_is_blank ("\n\xc3\xa9"));
  fail_if (cartesia_text_is_blank (FFFD));
}

GST_END_TEST;

static Suite *
text_suite (void)
{
  Suite *s = suite_create ("text");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_text_plain_passthrough);
  tcase_add_test (tc, test_text_split_character);
  tcase_add_test (tc, test_text_invalid_bytes);
  tcase_add_test (tc, test_text_invalid_count_adds);
  tcase_add_test (tc, test_text_finish);
  tcase_add_test (tc, test_text_markup_tags);
  tcase_add_test (tc, test_text_markup_entities);
  tcase_add_test (tc, test_text_markup_entity_split);
  tcase_add_test (tc, test_text_random);
  tcase_add_test (tc, test_text_sentence_end);
  tcase_add_test (tc, test_text_is_blank);
  return s;
}

GST_CHECK_MAIN (text);
