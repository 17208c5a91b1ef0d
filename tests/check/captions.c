/* The caption queue alone: which GAP and which text go out, in what order,
 * up to where, on made-up times.  No pads, no threads. */
#include <gst/check/gstcheck.h>

#include "cartesia-captions.h"

#define NONE CARTESIA_CAPTIONS_NONE

/* The next thing out must be a GAP from @start for @duration. */
static void
expect_gap (CartesiaCaptions * c, guint64 until, guint64 start,
    guint64 duration)
{
  CartesiaCaption out;

  fail_unless (cartesia_captions_next (c, until, &out), "nothing out");
  fail_unless_equals_int (out.type, CARTESIA_CAPTION_GAP);
  fail_unless_equals_uint64 (out.start, start);
  fail_unless_equals_uint64 (out.duration, duration);
  fail_unless (out.text == NULL);
}

static void
expect_text (CartesiaCaptions * c, guint64 until, guint64 start,
    guint64 duration, const gchar * text)
{
  CartesiaCaption out;

  fail_unless (cartesia_captions_next (c, until, &out), "nothing out");
  fail_unless_equals_int (out.type, CARTESIA_CAPTION_TEXT);
  fail_unless_equals_uint64 (out.start, start);
  fail_unless_equals_uint64 (out.duration, duration);
  fail_unless_equals_string (out.text, text);
  g_free (out.text);
}

static void
expect_nothing (CartesiaCaptions * c, guint64 until)
{
  CartesiaCaption out;

  fail_if (cartesia_captions_next (c, until, &out));
  fail_unless (out.text == NULL);
}

/* No text: GAPs follow the audio, and nothing repeats. */
GST_START_TEST (test_captions_gaps_only)
{
  CartesiaCaptions *c = cartesia_captions_new ();

  expect_nothing (c, 0);
  expect_gap (c, 100, 0, 100);
  expect_nothing (c, 100);
  /* The audio does not go back. */
  expect_nothing (c, 50);
  fail_unless_equals_uint64 (cartesia_captions_position (c), 100);
  expect_gap (c, 250, 100, 150);
  expect_nothing (c, 250);
  cartesia_captions_free (c);
}

GST_END_TEST;

/* An item goes out once the audio passes its start: the silence before it
 * first, then the item, then the silence after it. */
GST_START_TEST (test_captions_item_in_time)
{
  CartesiaCaptions *c = cartesia_captions_new ();

  cartesia_captions_add (c, 100, 50, "a");
  fail_unless_equals_int (cartesia_captions_pending (c), 1);
  /* Up to its start, exclusive: not yet. */
  expect_gap (c, 100, 0, 100);
  expect_nothing (c, 100);
  fail_unless_equals_int (cartesia_captions_pending (c), 1);
  expect_text (c, 101, 100, 50, "a");
  fail_unless_equals_int (cartesia_captions_pending (c), 0);
  fail_unless_equals_uint64 (cartesia_captions_position (c), 150);
  /* The audio is not there yet: no GAP past it. */
  expect_nothing (c, 101);
  expect_gap (c, 1000, 150, 850);
  expect_nothing (c, 1000);
  cartesia_captions_free (c);
}

GST_END_TEST;

/* Added out of order, they go out in time order; at the same time, in the
 * order they came (an utterance's empty end, then the next one's text). */
GST_START_TEST (test_captions_order)
{
  CartesiaCaptions *c = cartesia_captions_new ();

  cartesia_captions_add (c, 300, NONE, "third");
  cartesia_captions_add (c, 100, NONE, "first");
  cartesia_captions_add (c, 200, NONE, "");
  cartesia_captions_add (c, 200, NONE, "second");
  fail_unless_equals_int (cartesia_captions_pending (c), 4);

  expect_gap (c, 1000, 0, 100);
  /* No duration: the position stays at its start, so the GAP to the next
   * item starts there. */
  expect_text (c, 1000, 100, NONE, "first");
  fail_unless_equals_uint64 (cartesia_captions_position (c), 100);
  expect_gap (c, 1000, 100, 100);
  expect_text (c, 1000, 200, NONE, "");
  expect_text (c, 1000, 200, NONE, "second");
  expect_gap (c, 1000, 200, 100);
  expect_text (c, 1000, 300, NONE, "third");
  expect_gap (c, 1000, 300, 700);
  expect_nothing (c, 1000);
  cartesia_captions_free (c);
}

GST_END_TEST;

/* An item whose start went by already (added late, or overlapping the one
 * before) goes out at the position reached, its duration kept. */
GST_START_TEST (test_captions_late_item)
{
  CartesiaCaptions *c = cartesia_captions_new ();

  cartesia_captions_add (c, 0, 100, "long");
  cartesia_captions_add (c, 50, 30, "overlaps");
  expect_text (c, 500, 0, 100, "long");
  expect_text (c, 500, 100, 30, "overlaps");
  fail_unless_equals_uint64 (cartesia_captions_position (c), 130);
  expect_gap (c, 500, 130, 370);

  cartesia_captions_add (c, 200, 10, "late");
  expect_text (c, 600, 500, 10, "late");
  expect_gap (c, 600, 510, 90);
  expect_nothing (c, 600);
  cartesia_captions_free (c);
}

GST_END_TEST;

/* Words (word-timestamps), each with its duration, back to back. */
GST_START_TEST (test_captions_words)
{
  CartesiaCaptions *c = cartesia_captions_new ();

  cartesia_captions_add (c, 10 * GST_MSECOND, 200 * GST_MSECOND, "Hi");
  cartesia_captions_add (c, 210 * GST_MSECOND, 300 * GST_MSECOND, "there");
  /* The first audio buffer, 0-100 ms, covers only the first word's start. */
  expect_gap (c, 100 * GST_MSECOND, 0, 10 * GST_MSECOND);
  expect_text (c, 100 * GST_MSECOND, 10 * GST_MSECOND, 200 * GST_MSECOND,
      "Hi");
  expect_nothing (c, 100 * GST_MSECOND);
  expect_nothing (c, 210 * GST_MSECOND);
  expect_text (c, 300 * GST_MSECOND, 210 * GST_MSECOND, 300 * GST_MSECOND,
      "there");
  expect_nothing (c, 300 * GST_MSECOND);
  expect_gap (c, GST_SECOND, 510 * GST_MSECOND, 490 * GST_MSECOND);
  cartesia_captions_free (c);
}

GST_END_TEST;

/* Captions show what is said: Sonic's inline tags are taken out; no text
 * is an empty one. */
GST_START_TEST (test_captions_text)
{
  CartesiaCaptions *c = cartesia_captions_new ();

  cartesia_captions_add (c, 0, NONE, "Hi <break time=\"1s\"/>there, "
      "<spell>AB</spell> a < b");
  cartesia_captions_add (c, 1, NONE, NULL);
  expect_text (c, 10, 0, NONE, "Hi there, AB a < b");
  expect_gap (c, 10, 0, 1);
  expect_text (c, 10, 1, NONE, "");
  cartesia_captions_free (c);
}

GST_END_TEST;

/* The end of the stream: everything goes out, then one GAP to the end of
 * time (G_MAXUINT64 - 1: NONE is no time). */
GST_START_TEST (test_captions_end)
{
  CartesiaCaptions *c = cartesia_captions_new ();

  cartesia_captions_add (c, 100, NONE, "x");
  expect_gap (c, G_MAXUINT64 - 1, 0, 100);
  expect_text (c, G_MAXUINT64 - 1, 100, NONE, "x");
  expect_gap (c, G_MAXUINT64 - 1, 100, G_MAXUINT64 - 1 - 100);
  expect_nothing (c, G_MAXUINT64 - 1);

  /* Up to NONE: items, never a GAP to no time. */
  cartesia_captions_reset (c);
  cartesia_captions_add (c, 100, NONE, "y");
  expect_gap (c, NONE, 0, 100);
  expect_text (c, NONE, 100, NONE, "y");
  expect_nothing (c, NONE);
  cartesia_captions_free (c);
}

GST_END_TEST;

/* Bad times: an item with no start is dropped (it could never go out); a
 * duration past the end of time does not wrap the position around. */
GST_START_TEST (test_captions_bad_times)
{
  CartesiaCaptions *c = cartesia_captions_new ();

  cartesia_captions_add (c, NONE, 10, "never");
  cartesia_captions_add (c, NONE, NONE, "never");
  fail_unless_equals_int (cartesia_captions_pending (c), 0);
  expect_gap (c, 10, 0, 10);

  cartesia_captions_add (c, 100, G_MAXUINT64 - 10, "forever");
  expect_gap (c, 200, 10, 90);
  expect_text (c, 200, 100, G_MAXUINT64 - 10, "forever");
  fail_unless_equals_uint64 (cartesia_captions_position (c), G_MAXUINT64 - 1);
  expect_nothing (c, 300);
  expect_nothing (c, G_MAXUINT64 - 1);

  /* Freeing with items waiting frees them (LeakSanitizer checks). */
  cartesia_captions_add (c, 5, 5, "left");
  cartesia_captions_free (c);
  cartesia_captions_free (NULL);
}

GST_END_TEST;

/* A flush or a new start: nothing waits, the position is 0, and the stream
 * begins again. */
GST_START_TEST (test_captions_reset)
{
  CartesiaCaptions *c = cartesia_captions_new ();

  fail_unless (cartesia_captions_begin_stream (c, 1));
  cartesia_captions_add (c, 10, 10, "a");
  cartesia_captions_add (c, 500, 10, "b");
  expect_gap (c, 100, 0, 10);
  expect_text (c, 100, 10, 10, "a");
  cartesia_captions_reset (c);
  fail_unless_equals_int (cartesia_captions_pending (c), 0);
  fail_unless_equals_uint64 (cartesia_captions_position (c), 0);
  fail_unless (cartesia_captions_begin_stream (c, 1));
  expect_gap (c, 1000, 0, 1000);
  expect_nothing (c, 1000);
  cartesia_captions_free (c);
}

GST_END_TEST;

/* The headers go out once per pad: first, and again for a pad asked for
 * later (another serial). */
GST_START_TEST (test_captions_begin_stream)
{
  CartesiaCaptions *c = cartesia_captions_new ();

  fail_unless (cartesia_captions_begin_stream (c, 0));
  fail_if (cartesia_captions_begin_stream (c, 0));
  fail_if (cartesia_captions_begin_stream (c, 0));
  fail_unless (cartesia_captions_begin_stream (c, 1));
  fail_if (cartesia_captions_begin_stream (c, 1));
  /* Going on from where it was: a new pad does not move the timeline. */
  expect_gap (c, 50, 0, 50);
  fail_unless (cartesia_captions_begin_stream (c, 2));
  expect_gap (c, 80, 50, 30);
  cartesia_captions_free (c);
}

GST_END_TEST;

static Suite *
captions_suite (void)
{
  Suite *s = suite_create ("captions");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_captions_gaps_only);
  tcase_add_test (tc, test_captions_item_in_time);
  tcase_add_test (tc, test_captions_order);
  tcase_add_test (tc, test_captions_late_item);
  tcase_add_test (tc, test_captions_words);
  tcase_add_test (tc, test_captions_text);
  tcase_add_test (tc, test_captions_end);
  tcase_add_test (tc, test_captions_bad_times);
  tcase_add_test (tc, test_captions_reset);
  tcase_add_test (tc, test_captions_begin_stream);
  return s;
}

GST_CHECK_MAIN (captions);
