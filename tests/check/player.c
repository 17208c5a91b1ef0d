/* The live player alone: splicing, fades, underruns, on plain arrays. */
#include <gst/check/gstcheck.h>

#include "cartesia-player.h"

static GArray *
events_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (CartesiaPlayerEvent));
}

static CartesiaPlayerEvent *
event_at (GArray * events, guint i)
{
  fail_unless (i < events->len);
  return &g_array_index (events, CartesiaPlayerEvent, i);
}

/* Fades scale the first and last samples linearly; the middle is intact. */
GST_START_TEST (test_player_fades_s16)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 4);
  gint16 in[20], out[24];
  GArray *events = events_new ();
  guint i;

  for (i = 0; i < 20; i++)
    in[i] = GINT16_TO_LE (10000);
  cartesia_player_add (p, 7);
  /* A sample split across two pushes is joined. */
  cartesia_player_push (p, 7, (guint8 *) in, 3);
  cartesia_player_push (p, 7, (guint8 *) in + 3, sizeof (in) - 3);
  cartesia_player_finish (p, 7);
  cartesia_player_fill (p, (guint8 *) out, 24, events);

  fail_unless_equals_int (GINT16_FROM_LE (out[0]), 2000);
  fail_unless_equals_int (GINT16_FROM_LE (out[1]), 4000);
  fail_unless_equals_int (GINT16_FROM_LE (out[3]), 8000);
  for (i = 4; i < 16; i++)
    fail_unless_equals_int (GINT16_FROM_LE (out[i]), 10000);
  fail_unless_equals_int (GINT16_FROM_LE (out[16]), 8000);
  fail_unless_equals_int (GINT16_FROM_LE (out[19]), 2000);
  for (i = 20; i < 24; i++)
    fail_unless_equals_int (out[i], 0);

  fail_unless_equals_int (events->len, 2);
  fail_unless_equals_int (event_at (events, 0)->type, CARTESIA_PLAYER_STARTED);
  fail_unless_equals_int (event_at (events, 0)->offset, 0);
  fail_unless_equals_int (event_at (events, 1)->type, CARTESIA_PLAYER_FINISHED);
  fail_unless_equals_int (event_at (events, 1)->id, 7);
  fail_unless_equals_int (event_at (events, 1)->offset, 20);
  fail_unless_equals_uint64 (event_at (events, 1)->samples, 20);
  fail_if (event_at (events, 1)->interrupted);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* Companded audio fades too: decoded magnitudes fall toward silence. */
GST_START_TEST (test_player_fade_mulaw)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_MULAW, 4);
  guint8 in[8], out[8];
  GArray *events = events_new ();

  memset (in, 0x80, sizeof (in));      /* loudest positive mu-law */
  cartesia_player_add (p, 1);
  cartesia_player_push (p, 1, in, sizeof (in));
  cartesia_player_finish (p, 1);
  cartesia_player_fill (p, out, 8, events);
  /* mu-law codes grow (0x80 loudest .. 0xFF silent) as the gain drops: in
   * over the first four samples, out over the last four. */
  fail_unless (out[0] > out[1] && out[1] > out[2] && out[2] > out[3]);
  fail_unless (out[3] > 0x80 && out[3] == out[4]);
  fail_unless (out[7] > out[6] && out[6] > out[5] && out[5] > out[4]);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* Underruns: silence, counted, then the rest plays; nothing is shifted. */
GST_START_TEST (test_player_underrun)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 0);
  gint16 in[4] = { 1, 2, 3, 4 }, out[6];
  GArray *events = events_new ();

  cartesia_player_add (p, 1);
  /* Nothing yet: waiting is not an underrun. */
  cartesia_player_fill (p, (guint8 *) out, 6, events);
  fail_unless_equals_int (events->len, 0);
  cartesia_player_push (p, 1, (guint8 *) in, 4);
  cartesia_player_fill (p, (guint8 *) out, 6, events);
  fail_unless_equals_int (out[0], 1);
  fail_unless_equals_int (out[1], 2);
  fail_unless_equals_int (out[2], 0);
  cartesia_player_push (p, 1, (guint8 *) (in + 2), 4);
  cartesia_player_finish (p, 1);
  cartesia_player_fill (p, (guint8 *) out, 6, events);
  fail_unless_equals_int (out[0], 3);
  fail_unless_equals_int (out[1], 4);
  fail_unless_equals_int (events->len, 2);
  fail_unless_equals_uint64 (event_at (events, 1)->underrun_samples, 4);
  /* 2 played, 4 of silence, 2 played: the timeline it took. */
  fail_unless_equals_uint64 (event_at (events, 1)->samples, 8);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* Back to back in one fill; an interrupted one fades out and reports. */
GST_START_TEST (test_player_back_to_back_and_remove)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 2);
  gint16 a[3] = { 300, 300, 300 }, b[10], out[8];
  GArray *events = events_new ();
  guint i;

  for (i = 0; i < 10; i++)
    b[i] = 900;
  cartesia_player_add (p, 1);
  cartesia_player_add (p, 2);
  cartesia_player_add (p, 3);
  cartesia_player_push (p, 1, (guint8 *) a, sizeof (a));
  cartesia_player_finish (p, 1);
  cartesia_player_push (p, 2, (guint8 *) b, sizeof (b));
  /* An empty utterance starts and finishes at once. */
  cartesia_player_finish (p, 3);
  cartesia_player_fill (p, (guint8 *) out, 5, events);
  fail_unless_equals_int (event_at (events, 1)->type, CARTESIA_PLAYER_FINISHED);
  fail_unless_equals_int (event_at (events, 1)->offset, 3);
  fail_unless_equals_int (event_at (events, 2)->type, CARTESIA_PLAYER_STARTED);
  fail_unless_equals_int (event_at (events, 2)->id, 2);
  fail_unless_equals_int (event_at (events, 2)->offset, 3);

  g_array_set_size (events, 0);
  cartesia_player_remove (p, 2);
  cartesia_player_fill (p, (guint8 *) out, 8, events);
  fail_unless_equals_int (out[0], 600);
  fail_unless_equals_int (out[1], 300);
  for (i = 2; i < 8; i++)
    fail_unless_equals_int (out[i], 0);
  fail_unless_equals_int (event_at (events, 0)->type, CARTESIA_PLAYER_FINISHED);
  fail_unless (event_at (events, 0)->interrupted);
  fail_unless_equals_int (event_at (events, 1)->id, 3);
  fail_unless_equals_int (event_at (events, 2)->id, 3);
  fail_if (cartesia_player_has (p, 2));
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

static Suite *
player_suite (void)
{
  Suite *s = suite_create ("player");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_player_fades_s16);
  tcase_add_test (tc, test_player_fade_mulaw);
  tcase_add_test (tc, test_player_underrun);
  tcase_add_test (tc, test_player_back_to_back_and_remove);
  return s;
}

GST_CHECK_MAIN (player);
