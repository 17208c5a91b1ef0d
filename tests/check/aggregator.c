/* The aggregator alone: clauses, first words, pauses and tags, on plain
 * strings with a fake clock (µs passed in), no sockets. */
#include <gst/check/gstcheck.h>
#include <string.h>

#include "cartesia-aggregator.h"

#define MS 1000
#define PAUSE (400 * MS)

/* Pushes each of @tokens, 50 ms apart; collects the inputs sent, with
 * "|" between them, and finishes. */
static gchar *
run (CartesiaAggregator * agg, const gchar * const *tokens)
{
  GString *out = g_string_new (NULL);
  gint64 now = 0;
  gchar *piece;
  guint i;

  for (i = 0; tokens[i]; i++, now += 50 * MS) {
    piece = cartesia_aggregator_push (agg, tokens[i], now);
    if (piece) {
      g_string_append_printf (out, "%s|", piece);
      g_free (piece);
    }
  }
  piece = cartesia_aggregator_finish (agg);
  if (piece) {
    g_string_append_printf (out, "%s|", piece);
    g_free (piece);
  }
  return g_string_free (out, FALSE);
}

GST_START_TEST (test_clauses)
{
  const gchar *tokens[] = { "Well", ",", " hi", ".", " The", " weather",
    " today", " is", " sunny", ",", " and", " warm", ".", " See", " you",
    NULL
  };
  CartesiaAggregator *agg = cartesia_aggregator_new (TRUE, 4, PAUSE);
  gchar *out = run (agg, tokens);

  /* "Well, " and "Well, hi. " are too short a first input; then every
   * clause goes once the white space after it came, which it keeps */
  fail_unless_equals_string (out, "Well, hi. The weather today is sunny, "
      "|and warm. |See you|");
  g_free (out);

  /* a second utterance waits for words again */
  out = run (agg, tokens);
  fail_unless_equals_string (out, "Well, hi. The weather today is sunny, "
      "|and warm. |See you|");
  g_free (out);
  cartesia_aggregator_free (agg);
}

GST_END_TEST;

GST_START_TEST (test_first_words)
{
  CartesiaAggregator *agg = cartesia_aggregator_new (TRUE, 4, PAUSE);
  gchar *piece;

  fail_unless (cartesia_aggregator_push (agg, "One, two, three, ", 0) ==
      NULL);
  piece = cartesia_aggregator_push (agg, "four, five", 10 * MS);
  fail_unless_equals_string (piece, "One, two, three, four, ");
  g_free (piece);
  /* after the first input, any clause goes */
  piece = cartesia_aggregator_push (agg, ", six", 20 * MS);
  fail_unless_equals_string (piece, "five, ");
  g_free (piece);
  piece = cartesia_aggregator_finish (agg);
  fail_unless_equals_string (piece, "six");
  g_free (piece);
  fail_unless (cartesia_aggregator_finish (agg) == NULL);
  cartesia_aggregator_free (agg);
}

GST_END_TEST;

GST_START_TEST (test_pause)
{
  CartesiaAggregator *agg = cartesia_aggregator_new (TRUE, 4, PAUSE);
  gchar *piece;

  fail_unless_equals_int64 (cartesia_aggregator_deadline (agg), -1);
  fail_unless (cartesia_aggregator_push (agg, "Hi there", 1000 * MS) ==
      NULL);
  fail_unless_equals_int64 (cartesia_aggregator_deadline (agg),
      1000 * MS + PAUSE);
  fail_unless (cartesia_aggregator_poll (agg, 1000 * MS + PAUSE - 1) ==
      NULL);
  /* the text paused: the first words go without their clause */
  piece = cartesia_aggregator_poll (agg, 1000 * MS + PAUSE);
  fail_unless_equals_string (piece, "Hi there");
  g_free (piece);
  fail_unless_equals_int64 (cartesia_aggregator_deadline (agg), -1);
  fail_unless (cartesia_aggregator_is_empty (agg));

  /* more text moves the deadline */
  fail_unless (cartesia_aggregator_push (agg, " and", 2000 * MS) == NULL);
  fail_unless (cartesia_aggregator_push (agg, " more", 2100 * MS) == NULL);
  fail_unless (cartesia_aggregator_poll (agg, 2000 * MS + PAUSE) == NULL);
  piece = cartesia_aggregator_poll (agg, 2100 * MS + PAUSE);
  fail_unless_equals_string (piece, " and more");
  g_free (piece);

  /* white space alone never goes for a pause */
  fail_unless (cartesia_aggregator_push (agg, " ", 3000 * MS) == NULL);
  fail_unless_equals_int64 (cartesia_aggregator_deadline (agg), -1);
  cartesia_aggregator_free (agg);
}

GST_END_TEST;

GST_START_TEST (test_run_on)
{
  CartesiaAggregator *agg = cartesia_aggregator_new (TRUE, 4, PAUSE);
  GString *text = g_string_new (NULL);
  gchar *piece = NULL;
  guint i;

  /* no clause end for 25 words: it goes at a word boundary */
  for (i = 0; i < 30 && piece == NULL; i++) {
    g_string_append (text, "word ");
    piece = cartesia_aggregator_push (agg, "word ", i * 50 * MS);
  }
  fail_unless (piece != NULL);
  fail_unless_equals_int (i, 25);
  fail_unless_equals_string (piece, text->str);
  g_free (piece);
  g_string_free (text, TRUE);
  cartesia_aggregator_free (agg);
}

GST_END_TEST;

/* Every tag, cut at every byte offset into two tokens: no input ever holds
 * part of a tag, and the inputs joined are the text. */
GST_START_TEST (test_tags_whole)
{
  const gchar *texts[] = {
    "Wait, now. <break time=\"1s\"/>Go on, please, go on.",
    "I am so <emotion value=\"excited\"/>happy, truly happy to see you.",
    "Say it <speed ratio=\"1.2\"/>faster, and <volume ratio=\"0.8\"/>softer, "
        "ok.",
    "My code is <spell>AB12, C</spell>, remember it, please.",
    "Plain a < b, and c > d, are not tags at all, ok.",
    NULL
  };
  guint t;

  for (t = 0; texts[t]; t++) {
    const gchar *text = texts[t];
    gsize len = strlen (text), cut1, cut2;

    for (cut1 = 1; cut1 < len; cut1++) {
      for (cut2 = cut1 + 1; cut2 <= len; cut2 += 3) {
        gboolean clauses = (cut1 + cut2) % 2;
        CartesiaAggregator *agg = cartesia_aggregator_new (clauses, 4, PAUSE);
        gchar *tokens[4] = { g_strndup (text, cut1),
          g_strndup (text + cut1, cut2 - cut1), g_strdup (text + cut2), NULL
        };
        gchar *out = run (agg, (const gchar * const *) tokens);
        gchar **inputs = g_strsplit (out, "|", -1);
        GString *joined = g_string_new (NULL);
        guint i;

        for (i = 0; inputs[i]; i++) {
          const gchar *lt = strrchr (inputs[i], '<');
          const gchar *gt = strrchr (inputs[i], '>');
          gint open = 0;
          const gchar *p;

          g_string_append (joined, inputs[i]);
          /* a tag opened in an input closes in it */
          fail_if (lt && lt[1] != ' ' && (gt == NULL || gt < lt),
              "tag cut in input '%s' of '%s'", inputs[i], text);
          for (p = inputs[i]; (p = strstr (p, "spell>")); p++)
            open += p[-1] == '/' ? -1 : 1;
          fail_unless_equals_int (open, 0);
        }
        fail_unless_equals_string (joined->str, text);
        g_string_free (joined, TRUE);
        g_strfreev (inputs);
        g_free (out);
        for (i = 0; i < 3; i++)
          g_free (tokens[i]);
        cartesia_aggregator_free (agg);
      }
    }
  }
}

GST_END_TEST;

GST_START_TEST (test_tag_waits_for_pause)
{
  CartesiaAggregator *agg = cartesia_aggregator_new (TRUE, 4, PAUSE);
  gchar *piece;

  fail_unless (cartesia_aggregator_push (agg, "One two three <bre", 0) ==
      NULL);
  /* a pause sends the words, not half a tag */
  piece = cartesia_aggregator_poll (agg, PAUSE);
  fail_unless_equals_string (piece, "One two three ");
  g_free (piece);
  fail_unless_equals_int64 (cartesia_aggregator_deadline (agg), -1);
  fail_unless (cartesia_aggregator_poll (agg, 10 * PAUSE) == NULL);
  piece = cartesia_aggregator_push (agg, "ak time=\"1s\"/>four, five",
      5 * PAUSE);
  fail_unless_equals_string (piece, "<break time=\"1s\"/>four, ");
  g_free (piece);
  cartesia_aggregator_free (agg);
}

GST_END_TEST;

GST_START_TEST (test_pass_through)
{
  CartesiaAggregator *agg = cartesia_aggregator_new (FALSE, 4, PAUSE);
  gchar *piece;

  piece = cartesia_aggregator_push (agg, "Hel", 0);
  fail_unless_equals_string (piece, "Hel");
  g_free (piece);
  piece = cartesia_aggregator_push (agg, "lo <emotion val", 0);
  fail_unless_equals_string (piece, "lo ");
  g_free (piece);
  piece = cartesia_aggregator_push (agg, "ue=\"sad\"/>you", 0);
  fail_unless_equals_string (piece, "<emotion value=\"sad\"/>you");
  g_free (piece);
  fail_unless_equals_int64 (cartesia_aggregator_deadline (agg), -1);
  cartesia_aggregator_free (agg);
}

GST_END_TEST;

GST_START_TEST (test_cjk)
{
  CartesiaAggregator *agg = cartesia_aggregator_new (TRUE, 1, PAUSE);
  gchar *piece;

  piece = cartesia_aggregator_push (agg, "你好。今天", 0);
  fail_unless_equals_string (piece, "你好。");
  g_free (piece);
  cartesia_aggregator_free (agg);
}

GST_END_TEST;

GST_START_TEST (test_strip_tags)
{
  gchar *s;

  s = cartesia_text_strip_tags ("Hi <break time=\"1s\"/>there, "
      "<spell>AB</spell> a < b <emo");
  fail_unless_equals_string (s, "Hi there, AB a < b <emo");
  g_free (s);
}

GST_END_TEST;

static Suite *
aggregator_suite (void)
{
  Suite *s = suite_create ("aggregator");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_clauses);
  tcase_add_test (tc, test_first_words);
  tcase_add_test (tc, test_pause);
  tcase_add_test (tc, test_run_on);
  tcase_add_test (tc, test_tags_whole);
  tcase_add_test (tc, test_tag_waits_for_pause);
  tcase_add_test (tc, test_pass_through);
  tcase_add_test (tc, test_cjk);
  tcase_add_test (tc, test_strip_tags);
  return s;
}

GST_CHECK_MAIN (aggregator);
