/* The long-text splitter alone: pieces of bounded size that join back into
 * the text, cut where speech allows. */
#include <gst/check/gstcheck.h>
#include <string.h>

#include "cartesia-split.h"

/* Splits @text, checks the pieces (each non-empty, at most @max bytes,
 * valid UTF-8, joined exactly @text) and returns them. */
static gchar **
split_checked (const gchar * text, gsize max)
{
  gchar **pieces = cartesia_text_split (text, max);
  GString *joined = g_string_new (NULL);
  guint i;

  fail_unless (pieces != NULL);
  for (i = 0; pieces[i]; i++) {
    gsize n = strlen (pieces[i]);

    fail_unless (n > 0, "empty piece %u", i);
    fail_unless (n <= max, "piece %u has %" G_GSIZE_FORMAT " bytes > %"
        G_GSIZE_FORMAT, i, n, max);
    fail_unless (g_utf8_validate (pieces[i], -1, NULL),
        "piece %u is not valid UTF-8", i);
    g_string_append (joined, pieces[i]);
  }
  fail_unless_equals_string (joined->str, text);
  g_string_free (joined, TRUE);
  return pieces;
}

GST_START_TEST (test_split_fits)
{
  gchar **p = split_checked ("Hello world.", 16);

  fail_unless_equals_int (g_strv_length (p), 1);
  fail_unless_equals_string (p[0], "Hello world.");
  g_strfreev (p);

  p = split_checked ("", 16);
  fail_unless_equals_int (g_strv_length (p), 0);
  g_strfreev (p);

  /* Exactly the limit is one piece. */
  p = split_checked ("0123456789abcdef", 16);
  fail_unless_equals_int (g_strv_length (p), 1);
  g_strfreev (p);
}

GST_END_TEST;

GST_START_TEST (test_split_at_sentences)
{
  gchar **p = split_checked ("One two three. Four five six. Seven eight.", 32);

  /* The last sentence end that fits, with its space. */
  fail_unless_equals_string (p[0], "One two three. Four five six. ");
  fail_unless_equals_string (p[1], "Seven eight.");
  fail_unless (p[2] == NULL);
  g_strfreev (p);

  /* A line break ends a sentence too; "!" and "?" as well as ".". */
  p = split_checked ("Is it? Yes it is! And so on\nthe next line goes on", 32);
  fail_unless_equals_string (p[0], "Is it? Yes it is! And so on\n");
  g_strfreev (p);

  /* An ellipsis (U+2026) ends one. */
  p = split_checked ("Wait for it\xe2\x80\xa6 and here it comes now", 24);
  fail_unless_equals_string (p[0], "Wait for it\xe2\x80\xa6 ");
  g_strfreev (p);
}

GST_END_TEST;

GST_START_TEST (test_split_at_spaces)
{
  /* A sentence end too early (less than a quarter) loses to a space. */
  gchar **p = split_checked ("Hi. abcdefghij klmnopqrst uvwxyz abcdefg hijk",
      40);

  fail_unless_equals_string (p[0], "Hi. abcdefghij klmnopqrst uvwxyz ");
  g_strfreev (p);

  /* No sentence at all: the last space. */
  p = split_checked ("aaaa bbbb cccc dddd eeee ffff", 16);
  fail_unless_equals_string (p[0], "aaaa bbbb cccc ");
  fail_unless_equals_string (p[1], "dddd eeee ffff");
  g_strfreev (p);
}

GST_END_TEST;

GST_START_TEST (test_split_characters)
{
  GString *s = g_string_new (NULL);
  gchar **p;
  guint i;

  /* No space: cut between characters, never inside one (3-byte and
   * 4-byte characters, at every alignment). */
  for (i = 0; i < 50; i++)
    g_string_append (s, i % 3 ? "\xe6\x97\xa5" : "\xf0\x9f\x98\x80");
  for (i = 16; i < 40; i++)
    g_strfreev (split_checked (s->str, i));
  p = split_checked (s->str, 16);
  fail_unless (g_strv_length (p) > 1);
  g_strfreev (p);
  g_string_free (s, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_split_tags)
{
  /* A tag that fits is never cut, even where a space inside it would do. */
  gchar **p = split_checked ("aaaaaaaaaaaaaaaaaaaa<break time=\"1s\"/>bbbb",
      32);

  fail_unless_equals_string (p[0], "aaaaaaaaaaaaaaaaaaaa");
  fail_unless_equals_string (p[1], "<break time=\"1s\"/>bbbb");
  g_strfreev (p);

  p = split_checked ("Say it slowly. <speed ratio=\"0.8\"/>then fast", 32);
  fail_unless_equals_string (p[0], "Say it slowly. ");
  g_strfreev (p);
}

GST_END_TEST;

GST_START_TEST (test_split_random)
{
  static const gchar *const atoms[] = { "a", "word", " ", ". ", "! ", "\n",
    "\xc3\xa9", "\xe2\x80\xa6", "\xf0\x9f\x98\x80", "<break time=\"1s\"/>",
    "<", ">", "\t", "?"
  };
  GRand *rand = g_rand_new_with_seed (19);
  guint round;

  for (round = 0; round < 2000; round++) {
    GString *s = g_string_new (NULL);
    guint n = g_rand_int_range (rand, 0, 200), i;
    gsize max = g_rand_int_range (rand, 16, 64);

    for (i = 0; i < n; i++)
      g_string_append (s, atoms[g_rand_int_range (rand, 0,
                  G_N_ELEMENTS (atoms))]);
    g_strfreev (split_checked (s->str, max));
    g_string_free (s, TRUE);
  }
  g_rand_free (rand);
}

GST_END_TEST;

GST_START_TEST (test_split_large)
{
  GString *s = g_string_new (NULL);
  gchar **p;
  guint i;

  /* 140 KB of sentences: pieces of at most the input limit, each ending a
   * sentence, and few of them. */
  while (s->len < 140 * 1000)
    g_string_append_printf (s, "Sentence number %u is here. ", (guint) s->len);
  p = split_checked (s->str, CARTESIA_TEXT_MAX_INPUT);
  fail_unless (g_strv_length (p) >= 17 && g_strv_length (p) <= 20,
      "%u pieces", g_strv_length (p));
  for (i = 0; p[i + 1]; i++)
    fail_unless (g_str_has_suffix (p[i], ". "), "piece %u: ...%s", i,
        p[i] + strlen (p[i]) - 8);
  g_strfreev (p);
  g_string_free (s, TRUE);
}

GST_END_TEST;

static Suite *
split_suite (void)
{
  Suite *s = suite_create ("split");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_split_fits);
  tcase_add_test (tc, test_split_at_sentences);
  tcase_add_test (tc, test_split_at_spaces);
  tcase_add_test (tc, test_split_characters);
  tcase_add_test (tc, test_split_tags);
  tcase_add_test (tc, test_split_random);
  tcase_add_test (tc, test_split_large);
  return s;
}

GST_CHECK_MAIN (split);
