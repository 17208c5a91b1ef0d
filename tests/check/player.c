/* The live player alone: splicing, fades, underruns, on plain arrays. */
#include <gst/check/gstcheck.h>
#include <string.h>

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

/* fill_live(): speech that runs dry after the first sample stops the fill
 * there (no silence); dry at the first sample it is an underrun, as fill()
 * has it; the end of the speech does not stop it. */
GST_START_TEST (test_player_fill_live)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 0);
  gint16 in[6] = { 1, 2, 3, 4, 5, 6 }, out[6];
  GArray *events = events_new ();

  cartesia_player_add (p, 1);
  /* Nothing yet: silence to the end, waiting is not an underrun. */
  fail_unless_equals_int (cartesia_player_fill_live (p, (guint8 *) out, 6,
          events), 6);
  fail_unless_equals_int (events->len, 0);
  cartesia_player_push (p, 1, (guint8 *) in, 4);
  /* Two samples, then it would run dry: two written. */
  fail_unless_equals_int (cartesia_player_fill_live (p, (guint8 *) out, 6,
          events), 2);
  fail_unless_equals_int (out[0], 1);
  fail_unless_equals_int (out[1], 2);
  fail_unless_equals_uint64 (cartesia_player_get_position (p), 8);
  /* Its next audio in time: it carries on, nothing lost. */
  cartesia_player_push (p, 1, (guint8 *) (in + 2), 4);
  fail_unless_equals_int (cartesia_player_fill_live (p, (guint8 *) out, 6,
          events), 2);
  fail_unless_equals_int (out[0], 3);
  fail_unless_equals_int (out[1], 4);
  /* Dry at the first sample: its deadline has come, silence. */
  fail_unless_equals_int (cartesia_player_fill_live (p, (guint8 *) out, 3,
          events), 3);
  fail_unless_equals_int (out[0], 0);
  fail_unless_equals_int (out[2], 0);
  /* Then the rest and its end: done speech does not stop the fill. */
  cartesia_player_push (p, 1, (guint8 *) (in + 4), 4);
  cartesia_player_finish (p, 1);
  fail_unless_equals_int (cartesia_player_fill_live (p, (guint8 *) out, 6,
          events), 6);
  fail_unless_equals_int (out[0], 5);
  fail_unless_equals_int (out[1], 6);
  fail_unless_equals_int (out[2], 0);
  fail_unless_equals_int (events->len, 2);
  fail_unless_equals_int (event_at (events, 1)->type, CARTESIA_PLAYER_FINISHED);
  fail_unless_equals_uint64 (event_at (events, 1)->underrun_samples, 3);
  fail_unless_equals_uint64 (event_at (events, 1)->samples, 9);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* set_not_before(): an utterance starts no earlier than the given sample,
 * inside the fill, and a later call never moves it earlier. */
GST_START_TEST (test_player_not_before)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 0);
  gint16 in[2] = { 7, 8 }, out[6];
  GArray *events = events_new ();

  cartesia_player_add (p, 1);
  cartesia_player_push (p, 1, (guint8 *) in, 4);
  cartesia_player_finish (p, 1);
  cartesia_player_set_not_before (p, 1, 3);
  cartesia_player_set_not_before (p, 1, 1);
  cartesia_player_fill (p, (guint8 *) out, 6, events);
  fail_unless_equals_int (out[0], 0);
  fail_unless_equals_int (out[2], 0);
  fail_unless_equals_int (out[3], 7);
  fail_unless_equals_int (out[4], 8);
  fail_unless_equals_int (event_at (events, 0)->type, CARTESIA_PLAYER_STARTED);
  fail_unless_equals_int (event_at (events, 0)->offset, 3);
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

/* ---- timed utterances ---- */

static const CartesiaPlayerTiming timing_default = {
  CARTESIA_PLAYER_NONE, CARTESIA_PLAYER_NONE, FALSE, FALSE
};

static void
add_at (CartesiaPlayer * p, guint id, guint64 start, guint64 end,
    gboolean after_previous, gboolean cut_late_start)
{
  CartesiaPlayerTiming t = timing_default;

  t.start = start;
  t.end = end;
  t.after_previous = after_previous;
  t.cut_late_start = cut_late_start;
  cartesia_player_add_timed (p, id, &t);
}

/* Pushes @n host-order S16 samples, as little-endian bytes. */
static void
push_s16 (CartesiaPlayer * p, guint id, const gint16 * v, guint n)
{
  guint8 *b = g_malloc ((gsize) n * 2);
  guint i;

  for (i = 0; i < n; i++) {
    gint16 le = GINT16_TO_LE (v[i]);

    memcpy (b + 2 * i, &le, 2);
  }
  cartesia_player_push (p, id, b, (gsize) n * 2);
  g_free (b);
}

static void
push_s16_const (CartesiaPlayer * p, guint id, gint16 value, guint n)
{
  gint16 *v = g_new (gint16, n);
  guint i;

  for (i = 0; i < n; i++)
    v[i] = value;
  push_s16 (p, id, v, n);
  g_free (v);
}

static gint
s16_at (const guint8 * out, guint i)
{
  gint16 v;

  memcpy (&v, out + 2 * i, 2);
  return GINT16_FROM_LE (v);
}

static void
push_f32 (CartesiaPlayer * p, guint id, const gfloat * v, guint n)
{
  guint8 *b = g_malloc ((gsize) n * 4);
  guint i;

  for (i = 0; i < n; i++) {
    guint32 bits;

    memcpy (&bits, &v[i], 4);
    bits = GUINT32_TO_LE (bits);
    memcpy (b + 4 * i, &bits, 4);
  }
  cartesia_player_push (p, id, b, (gsize) n * 4);
  g_free (b);
}

static gfloat
f32_at (const guint8 * out, guint i)
{
  guint32 bits;
  gfloat f;

  memcpy (&bits, out + 4 * i, 4);
  bits = GUINT32_FROM_LE (bits);
  memcpy (&f, &bits, 4);
  return f;
}

static void
assert_event (GArray * events, guint i, CartesiaPlayerEventType type,
    guint id, guint offset)
{
  CartesiaPlayerEvent *e = event_at (events, i);

  fail_unless_equals_int (e->type, type);
  fail_unless_equals_int (e->id, id);
  fail_unless_equals_int (e->offset, offset);
}

/* Silence until @start, then the speech from exactly that sample; the
 * STARTED offset counts from the start of the fill it falls in. */
GST_START_TEST (test_player_timed_start)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 0);
  gint16 in[4] = { 100, -200, 300, -400 };
  guint8 out[12 * 2];
  GArray *events = events_new ();
  guint i;

  add_at (p, 1, 5, CARTESIA_PLAYER_NONE, FALSE, FALSE);
  push_s16 (p, 1, in, 4);
  cartesia_player_finish (p, 1);
  fail_if (cartesia_player_is_playing (p, 1));

  memset (out, 0x55, sizeof (out));
  cartesia_player_fill (p, out, 3, events);
  for (i = 0; i < 3; i++)
    fail_unless_equals_int (s16_at (out, i), 0);
  fail_unless_equals_int (events->len, 0);
  fail_if (cartesia_player_is_playing (p, 1));

  memset (out, 0x55, sizeof (out));
  cartesia_player_fill (p, out, 9, events);
  fail_unless_equals_int (s16_at (out, 0), 0);
  fail_unless_equals_int (s16_at (out, 1), 0);
  fail_unless_equals_int (s16_at (out, 2), 100);
  fail_unless_equals_int (s16_at (out, 3), -200);
  fail_unless_equals_int (s16_at (out, 4), 300);
  fail_unless_equals_int (s16_at (out, 5), -400);
  for (i = 6; i < 9; i++)
    fail_unless_equals_int (s16_at (out, i), 0);

  fail_unless_equals_int (events->len, 2);
  assert_event (events, 0, CARTESIA_PLAYER_STARTED, 1, 2);
  fail_unless_equals_uint64 (event_at (events, 0)->skipped, 0);
  assert_event (events, 1, CARTESIA_PLAYER_FINISHED, 1, 6);
  fail_unless_equals_uint64 (event_at (events, 1)->samples, 4);
  fail_unless_equals_uint64 (event_at (events, 1)->underrun_samples, 0);
  fail_if (event_at (events, 1)->clipped);
  fail_if (event_at (events, 1)->interrupted);
  fail_if (cartesia_player_has (p, 1));
  fail_unless_equals_uint64 (cartesia_player_get_position (p), 12);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* An end clips: what is left of the audio is dropped, FINISHED says so at
 * the end sample.  Audio that ends exactly there is not "clipped". */
GST_START_TEST (test_player_timed_end_clip)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 0);
  gint16 in[10];
  guint8 out[10 * 2];
  GArray *events = events_new ();
  guint i;

  for (i = 0; i < 10; i++)
    in[i] = 1000 + i;
  add_at (p, 1, 2, 6, FALSE, FALSE);
  push_s16 (p, 1, in, 10);
  cartesia_player_finish (p, 1);
  cartesia_player_fill (p, out, 10, events);
  fail_unless_equals_int (s16_at (out, 0), 0);
  fail_unless_equals_int (s16_at (out, 1), 0);
  for (i = 2; i < 6; i++)
    fail_unless_equals_int (s16_at (out, i), 1000 + i - 2);
  for (i = 6; i < 10; i++)
    fail_unless_equals_int (s16_at (out, i), 0);
  fail_unless_equals_int (events->len, 2);
  assert_event (events, 0, CARTESIA_PLAYER_STARTED, 1, 2);
  assert_event (events, 1, CARTESIA_PLAYER_FINISHED, 1, 6);
  fail_unless (event_at (events, 1)->clipped);
  fail_if (event_at (events, 1)->interrupted);
  fail_unless_equals_uint64 (event_at (events, 1)->samples, 4);
  fail_if (cartesia_player_has (p, 1));
  /* Audio for it now goes nowhere. */
  push_s16 (p, 1, in, 10);
  g_array_set_size (events, 0);
  cartesia_player_fill (p, out, 4, events);
  fail_unless_equals_int (events->len, 0);
  fail_unless_equals_int (s16_at (out, 0), 0);

  /* Exactly end - start samples, finished: not clipped. */
  add_at (p, 2, CARTESIA_PLAYER_NONE, 18, FALSE, FALSE);
  push_s16 (p, 2, in, 4);
  cartesia_player_finish (p, 2);
  cartesia_player_fill (p, out, 6, events);
  for (i = 0; i < 4; i++)
    fail_unless_equals_int (s16_at (out, i), 1000 + i);
  fail_unless_equals_int (s16_at (out, 4), 0);
  fail_unless_equals_int (events->len, 2);
  assert_event (events, 1, CARTESIA_PLAYER_FINISHED, 2, 4);
  fail_if (event_at (events, 1)->clipped);

  /* At its end with audio still to come (not finished): clipped. */
  g_array_set_size (events, 0);
  add_at (p, 3, CARTESIA_PLAYER_NONE, 23, FALSE, FALSE);
  push_s16 (p, 3, in, 3);
  cartesia_player_fill (p, out, 4, events);
  fail_unless_equals_int (events->len, 2);
  assert_event (events, 1, CARTESIA_PLAYER_FINISHED, 3, 3);
  fail_unless (event_at (events, 1)->clipped);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* An end fades the last samples before it, even with edge fades off. */
GST_START_TEST (test_player_timed_end_fade)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 4);
  guint8 out[14 * 2];
  GArray *events = events_new ();
  guint i;

  cartesia_player_set_edge_fades (p, FALSE);
  add_at (p, 1, CARTESIA_PLAYER_NONE, 10, FALSE, FALSE);
  push_s16_const (p, 1, 10000, 20);
  cartesia_player_finish (p, 1);
  cartesia_player_fill (p, out, 14, events);
  /* No fade in: edge fades are off. */
  for (i = 0; i < 6; i++)
    fail_unless_equals_int (s16_at (out, i), 10000);
  fail_unless_equals_int (s16_at (out, 6), 8000);
  fail_unless_equals_int (s16_at (out, 7), 6000);
  fail_unless_equals_int (s16_at (out, 8), 4000);
  fail_unless_equals_int (s16_at (out, 9), 2000);
  for (i = 10; i < 14; i++)
    fail_unless_equals_int (s16_at (out, i), 0);
  fail_unless_equals_int (events->len, 2);
  assert_event (events, 1, CARTESIA_PLAYER_FINISHED, 1, 10);
  fail_unless (event_at (events, 1)->clipped);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* Two utterances placed over each other are summed, saturating. */
GST_START_TEST (test_player_overlap_s16)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 0);
  gint16 a[6] = { 1000, 1000, 1000, 1000, 20000, -20000 };
  gint16 b[6] = { 2000, 20000, -20000, 500, 500, 500 };
  gint expect[12] = { 1000, 1000, 1000, 3000, 32767, -32768, 500, 500, 500,
    0, 0, 0
  };
  guint8 out[12 * 2];
  GArray *events = events_new ();
  guint i;

  add_at (p, 1, 0, CARTESIA_PLAYER_NONE, FALSE, FALSE);
  add_at (p, 2, 3, CARTESIA_PLAYER_NONE, FALSE, FALSE);
  push_s16 (p, 1, a, 6);
  push_s16 (p, 2, b, 6);
  cartesia_player_finish (p, 1);
  cartesia_player_finish (p, 2);
  cartesia_player_fill (p, out, 12, events);
  for (i = 0; i < 12; i++)
    fail_unless_equals_int (s16_at (out, i), expect[i]);
  fail_unless_equals_int (events->len, 4);
  assert_event (events, 0, CARTESIA_PLAYER_STARTED, 1, 0);
  assert_event (events, 1, CARTESIA_PLAYER_STARTED, 2, 3);
  assert_event (events, 2, CARTESIA_PLAYER_FINISHED, 1, 6);
  assert_event (events, 3, CARTESIA_PLAYER_FINISHED, 2, 9);
  fail_unless_equals_uint64 (event_at (events, 2)->samples, 6);
  fail_unless_equals_uint64 (event_at (events, 3)->samples, 6);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

GST_START_TEST (test_player_overlap_f32)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_F32LE, 0);
  gfloat a[4] = { 0.25f, 0.75f, -0.75f, 0.125f };
  gfloat b[3] = { 0.5f, 0.5f, -0.5f };
  guint8 out[6 * 4];
  GArray *events = events_new ();

  /* Both at once, the second with no start at all. */
  add_at (p, 1, 0, CARTESIA_PLAYER_NONE, FALSE, FALSE);
  add_at (p, 2, CARTESIA_PLAYER_NONE, CARTESIA_PLAYER_NONE, FALSE, FALSE);
  push_f32 (p, 1, a, 4);
  push_f32 (p, 2, b, 3);
  cartesia_player_finish (p, 1);
  cartesia_player_finish (p, 2);
  cartesia_player_fill (p, out, 6, events);
  fail_unless (f32_at (out, 0) == 0.75f);
  fail_unless (f32_at (out, 1) == 1.0f);       /* clamped */
  fail_unless (f32_at (out, 2) == -1.0f);      /* clamped */
  fail_unless (f32_at (out, 3) == 0.125f);
  fail_unless (f32_at (out, 4) == 0.0f);
  fail_unless (f32_at (out, 5) == 0.0f);
  fail_unless_equals_int (events->len, 4);
  assert_event (events, 0, CARTESIA_PLAYER_STARTED, 1, 0);
  assert_event (events, 1, CARTESIA_PLAYER_STARTED, 2, 0);
  assert_event (events, 2, CARTESIA_PLAYER_FINISHED, 2, 3);
  assert_event (events, 3, CARTESIA_PLAYER_FINISHED, 1, 4);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* mu-law: codes are decoded, summed and encoded again; where the other is
 * absent or silent (0xff), a code comes out exactly as it went in. */
GST_START_TEST (test_player_overlap_mulaw)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_MULAW, 0);
  guint8 a[2 + 255 + 6], b[256 + 8], out[2 + 256 + 6 + 2 + 4];
  GArray *events = events_new ();
  guint i, n = 0;

  /* a: two codes alone, then every code but 0x7f (negative zero, which
   * comes back as 0xff) over b's silence, then six mixed with b. */
  a[n++] = 0x12;
  a[n++] = 0x9a;
  for (i = 0; i < 256; i++)
    if (i != 0x7f)
      a[n++] = i;
  a[n++] = 0xf8;                /* 56 + 56 = 112: 0xf1 */
  a[n++] = 0x7e;                /* -8 - 8 = -16: 0x7d */
  a[n++] = 0x80;                /* 32124 * 2 saturates: 0x80 */
  a[n++] = 0x00;                /* -32124 * 2 saturates: 0x00 */
  a[n++] = 0xc0;                /* 1884 - 1884 = 0: 0xff */
  a[n++] = 0x12;
  fail_unless_equals_int (n, 2 + 255 + 6);
  memset (b, 0xff, 255);
  b[255] = 0xf8;
  b[256] = 0x7e;
  b[257] = 0x80;
  b[258] = 0x00;
  b[259] = 0x40;
  b[260] = 0xff;
  b[261] = 0x33;                /* alone after a's end */
  b[262] = 0xa5;

  add_at (p, 1, 0, CARTESIA_PLAYER_NONE, FALSE, FALSE);
  add_at (p, 2, 2, CARTESIA_PLAYER_NONE, FALSE, FALSE);
  cartesia_player_push (p, 1, a, n);
  cartesia_player_push (p, 2, b, 263);
  cartesia_player_finish (p, 1);
  cartesia_player_finish (p, 2);
  cartesia_player_fill (p, out, 2 + 263 + 2, events);
  fail_unless_equals_int (out[0], 0x12);
  fail_unless_equals_int (out[1], 0x9a);
  for (i = 0; i < 255; i++)
    fail_unless_equals_int (out[2 + i], a[2 + i]);
  fail_unless_equals_int (out[257], 0xf1);
  fail_unless_equals_int (out[258], 0x7d);
  fail_unless_equals_int (out[259], 0x80);
  fail_unless_equals_int (out[260], 0x00);
  fail_unless_equals_int (out[261], 0xff);
  fail_unless_equals_int (out[262], 0x12);
  fail_unless_equals_int (out[263], 0x33);
  fail_unless_equals_int (out[264], 0xa5);
  fail_unless_equals_int (out[265], 0xff);      /* silence */
  fail_unless_equals_int (out[266], 0xff);
  fail_unless_equals_int (events->len, 4);
  assert_event (events, 2, CARTESIA_PLAYER_FINISHED, 1, 263);
  assert_event (events, 3, CARTESIA_PLAYER_FINISHED, 2, 265);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* after_previous with a start: at max (start, end of the one before). */
GST_START_TEST (test_player_shift_after_previous)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 0);
  guint8 out[24 * 2];
  GArray *events = events_new ();
  guint i;

  /* 2 wants sample 2, but 1 plays until 6: 2 starts at 6, whole. */
  add_at (p, 1, 0, CARTESIA_PLAYER_NONE, FALSE, FALSE);
  add_at (p, 2, 2, CARTESIA_PLAYER_NONE, TRUE, FALSE);
  /* 3 wants sample 14, after 2 has finished at 9: it waits for 14. */
  add_at (p, 3, 14, CARTESIA_PLAYER_NONE, TRUE, FALSE);
  push_s16_const (p, 1, 111, 6);
  push_s16_const (p, 2, 222, 3);
  push_s16_const (p, 3, 333, 2);
  cartesia_player_finish (p, 1);
  cartesia_player_finish (p, 2);
  cartesia_player_finish (p, 3);
  cartesia_player_fill (p, out, 20, events);
  for (i = 0; i < 6; i++)
    fail_unless_equals_int (s16_at (out, i), 111);
  for (i = 6; i < 9; i++)
    fail_unless_equals_int (s16_at (out, i), 222);
  for (i = 9; i < 14; i++)
    fail_unless_equals_int (s16_at (out, i), 0);
  fail_unless_equals_int (s16_at (out, 14), 333);
  fail_unless_equals_int (s16_at (out, 15), 333);
  for (i = 16; i < 20; i++)
    fail_unless_equals_int (s16_at (out, i), 0);
  fail_unless_equals_int (events->len, 6);
  assert_event (events, 0, CARTESIA_PLAYER_STARTED, 1, 0);
  assert_event (events, 1, CARTESIA_PLAYER_FINISHED, 1, 6);
  assert_event (events, 2, CARTESIA_PLAYER_STARTED, 2, 6);
  /* Late for its start, but nothing is cut. */
  fail_unless_equals_uint64 (event_at (events, 2)->skipped, 0);
  assert_event (events, 3, CARTESIA_PLAYER_FINISHED, 2, 9);
  fail_unless_equals_uint64 (event_at (events, 3)->samples, 3);
  assert_event (events, 4, CARTESIA_PLAYER_STARTED, 3, 14);
  assert_event (events, 5, CARTESIA_PLAYER_FINISHED, 3, 16);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* Live: an utterance due but without audio waits in silence (no hang, no
 * underrun); one whose end passes before any audio came finishes there. */
GST_START_TEST (test_player_due_without_audio)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 0);
  guint8 out[10 * 2];
  GArray *events = events_new ();
  guint i;

  add_at (p, 1, 0, CARTESIA_PLAYER_NONE, FALSE, FALSE);
  add_at (p, 2, 2, CARTESIA_PLAYER_NONE, TRUE, FALSE);
  add_at (p, 3, 3, 7, FALSE, TRUE);
  memset (out, 0x55, sizeof (out));
  cartesia_player_fill (p, out, 10, events);
  for (i = 0; i < 10; i++)
    fail_unless_equals_int (s16_at (out, i), 0);
  fail_unless_equals_int (events->len, 1);
  assert_event (events, 0, CARTESIA_PLAYER_FINISHED, 3, 7);
  fail_unless (event_at (events, 0)->clipped);
  fail_unless_equals_uint64 (event_at (events, 0)->samples, 0);
  fail_unless (cartesia_player_has (p, 1));
  fail_unless (cartesia_player_has (p, 2));
  fail_if (cartesia_player_has (p, 3));
  fail_unless_equals_uint64 (cartesia_player_get_position (p), 10);

  /* Now 1 gets audio: it starts late (no cut), then 2 after it. */
  g_array_set_size (events, 0);
  push_s16_const (p, 1, 5, 2);
  cartesia_player_finish (p, 1);
  push_s16_const (p, 2, 7, 1);
  cartesia_player_finish (p, 2);
  cartesia_player_fill (p, out, 4, events);
  fail_unless_equals_int (s16_at (out, 0), 5);
  fail_unless_equals_int (s16_at (out, 1), 5);
  fail_unless_equals_int (s16_at (out, 2), 7);
  fail_unless_equals_int (s16_at (out, 3), 0);
  fail_unless_equals_int (events->len, 4);
  assert_event (events, 2, CARTESIA_PLAYER_STARTED, 2, 2);
  assert_event (events, 3, CARTESIA_PLAYER_FINISHED, 2, 3);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* cut_late_start: audio that comes after the start went by loses its head,
 * exactly the lateness, so the rest plays at the samples it was meant to. */
GST_START_TEST (test_player_cut_late_start)
{
  gint16 in[20];
  guint8 out[10 * 2];
  GArray *events = events_new ();
  CartesiaPlayer *p;
  guint i, cut;

  for (i = 0; i < 20; i++)
    in[i] = 100 + i;
  for (cut = 0; cut < 2; cut++) {
    p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 0);
    g_array_set_size (events, 0);
    add_at (p, 1, 2, CARTESIA_PLAYER_NONE, FALSE, cut);
    cartesia_player_fill (p, out, 10, events);
    fail_unless_equals_int (events->len, 0);
    fail_unless_equals_int (s16_at (out, 9), 0);

    push_s16 (p, 1, in, 20);
    cartesia_player_finish (p, 1);
    cartesia_player_fill (p, out, 10, events);
    assert_event (events, 0, CARTESIA_PLAYER_STARTED, 1, 0);
    if (cut) {
      /* Started at 10 for 2: 8 late. */
      fail_unless_equals_uint64 (event_at (events, 0)->skipped, 8);
      for (i = 0; i < 10; i++)
        fail_unless_equals_int (s16_at (out, i), in[8 + i]);
      cartesia_player_fill (p, out, 4, events);
      fail_unless_equals_int (s16_at (out, 0), in[18]);
      fail_unless_equals_int (s16_at (out, 1), in[19]);
      fail_unless_equals_int (s16_at (out, 2), 0);
      assert_event (events, 1, CARTESIA_PLAYER_FINISHED, 1, 2);
      fail_unless_equals_uint64 (event_at (events, 1)->samples, 12);
      fail_unless_equals_uint64 (event_at (events, 1)->skipped, 8);
    } else {
      fail_unless_equals_uint64 (event_at (events, 0)->skipped, 0);
      for (i = 0; i < 10; i++)
        fail_unless_equals_int (s16_at (out, i), in[i]);
      fail_unless_equals_int (events->len, 1);
    }
    fail_unless_equals_uint64 (event_at (events, cut)->underrun_samples, 0);
    cartesia_player_free (p);
  }
  g_array_unref (events);
}

GST_END_TEST;

/* Less audio than the lateness: what is missing is dropped as it comes. */
GST_START_TEST (test_player_cut_late_start_partial)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 0);
  gint16 in[20];
  guint8 out[10 * 2];
  GArray *events = events_new ();
  guint i;

  for (i = 0; i < 20; i++)
    in[i] = 100 + i;
  add_at (p, 1, 2, CARTESIA_PLAYER_NONE, FALSE, TRUE);
  cartesia_player_fill (p, out, 10, events);
  push_s16 (p, 1, in, 5);
  cartesia_player_fill (p, out, 4, events);
  fail_unless_equals_int (events->len, 1);
  assert_event (events, 0, CARTESIA_PLAYER_STARTED, 1, 0);
  fail_unless_equals_uint64 (event_at (events, 0)->skipped, 8);
  for (i = 0; i < 4; i++)
    fail_unless_equals_int (s16_at (out, i), 0);
  push_s16 (p, 1, in + 5, 15);
  cartesia_player_fill (p, out, 4, events);
  for (i = 0; i < 4; i++)
    fail_unless_equals_int (s16_at (out, i), in[8 + i]);
  cartesia_player_free (p);

  /* All its audio fell in the skipped head: it finishes at once. */
  p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 0);
  g_array_set_size (events, 0);
  /* Added late (non-live): due at 2 when the timeline is at 10. */
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10, 10,
          events), 10);
  add_at (p, 1, 2, CARTESIA_PLAYER_NONE, FALSE, TRUE);
  push_s16 (p, 1, in, 5);
  cartesia_player_finish (p, 1);
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10, 10,
          events), 0);
  fail_unless_equals_int (events->len, 2);
  assert_event (events, 0, CARTESIA_PLAYER_STARTED, 1, 0);
  assert_event (events, 1, CARTESIA_PLAYER_FINISHED, 1, 0);
  fail_unless_equals_uint64 (event_at (events, 1)->samples, 0);
  fail_unless_equals_uint64 (event_at (events, 1)->skipped, 8);
  fail_if (cartesia_player_has (p, 1));
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* ---- non-live ---- */

/* A due utterance without audio: nothing is written, time stands still. */
GST_START_TEST (test_player_fill_ready_waits)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 0);
  guint8 out[10 * 2];
  GArray *events = events_new ();

  cartesia_player_add (p, 1);
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10,
          CARTESIA_PLAYER_NONE, events), 0);
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10, 100,
          events), 0);
  fail_unless_equals_int (events->len, 0);
  fail_unless_equals_uint64 (cartesia_player_get_position (p), 0);
  fail_if (cartesia_player_is_playing (p, 1));

  /* The prebuffer holds it back too, until it is finished. */
  cartesia_player_set_prebuffer (p, 4);
  push_s16_const (p, 1, 50, 3);
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10,
          CARTESIA_PLAYER_NONE, events), 0);
  cartesia_player_finish (p, 1);
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 3,
          CARTESIA_PLAYER_NONE, events), 3);
  fail_unless_equals_int (s16_at (out, 2), 50);
  fail_unless_equals_int (events->len, 2);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* Audio runs out mid-utterance: the fill stops there, no silence, no
 * underrun; the rest continues seamlessly. */
GST_START_TEST (test_player_fill_ready_runs_dry)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 0);
  gint16 in[7] = { 1, 2, 3, 4, 5, 6, 7 };
  guint8 out[10 * 2];
  GArray *events = events_new ();
  guint i;

  cartesia_player_add (p, 1);
  push_s16 (p, 1, in, 4);
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10,
          CARTESIA_PLAYER_NONE, events), 4);
  for (i = 0; i < 4; i++)
    fail_unless_equals_int (s16_at (out, i), i + 1);
  fail_unless_equals_int (events->len, 1);
  fail_unless_equals_uint64 (cartesia_player_get_position (p), 4);
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10,
          CARTESIA_PLAYER_NONE, events), 0);

  push_s16 (p, 1, in + 4, 3);
  cartesia_player_finish (p, 1);
  /* With no horizon, silence then runs to the end of the buffer. */
  memset (out, 0x55, sizeof (out));
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10,
          CARTESIA_PLAYER_NONE, events), 10);
  for (i = 0; i < 3; i++)
    fail_unless_equals_int (s16_at (out, i), i + 5);
  for (i = 3; i < 10; i++)
    fail_unless_equals_int (s16_at (out, i), 0);
  fail_unless_equals_int (events->len, 2);
  assert_event (events, 1, CARTESIA_PLAYER_FINISHED, 1, 3);
  fail_unless_equals_uint64 (event_at (events, 1)->underrun_samples, 0);
  fail_unless_equals_uint64 (event_at (events, 1)->samples, 7);
  fail_unless_equals_uint64 (cartesia_player_get_position (p), 14);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* Nothing plays: silence up to the horizon and no further; with no horizon
 * and nothing queued, a whole buffer of silence. */
GST_START_TEST (test_player_fill_ready_horizon)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_MULAW, 0);
  guint8 out[16];
  GArray *events = events_new ();
  guint i;

  memset (out, 0x55, sizeof (out));
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10, 4, events),
      4);
  for (i = 0; i < 4; i++)
    fail_unless_equals_int (out[i], 0xff);
  fail_unless_equals_int (out[4], 0x55);
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10, 4, events),
      0);
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10, 3, events),
      0);
  fail_unless_equals_uint64 (cartesia_player_get_position (p), 4);

  memset (out, 0x55, sizeof (out));
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 16,
          CARTESIA_PLAYER_NONE, events), 16);
  for (i = 0; i < 16; i++)
    fail_unless_equals_int (out[i], 0xff);
  fail_unless_equals_uint64 (cartesia_player_get_position (p), 20);

  /* An utterance not due yet, without audio: silence up to its start. */
  add_at (p, 1, 26, CARTESIA_PLAYER_NONE, FALSE, FALSE);
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 16,
          CARTESIA_PLAYER_NONE, events), 6);
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 16,
          CARTESIA_PLAYER_NONE, events), 0);
  fail_unless_equals_int (events->len, 0);
  fail_unless_equals_uint64 (cartesia_player_get_position (p), 26);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* Never starts an utterance inside a fill: the next fill begins with it. */
GST_START_TEST (test_player_fill_ready_stops_before_start)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 0);
  guint8 out[10 * 2];
  GArray *events = events_new ();

  add_at (p, 1, 3, CARTESIA_PLAYER_NONE, FALSE, FALSE);
  push_s16_const (p, 1, 11, 2);
  cartesia_player_finish (p, 1);
  cartesia_player_add (p, 2);
  push_s16_const (p, 2, 22, 2);
  cartesia_player_finish (p, 2);

  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10,
          CARTESIA_PLAYER_NONE, events), 3);
  fail_unless_equals_int (s16_at (out, 2), 0);
  fail_unless_equals_int (events->len, 0);

  /* 1 starts this fill, 2 (after it) the next one. */
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10,
          CARTESIA_PLAYER_NONE, events), 2);
  fail_unless_equals_int (s16_at (out, 0), 11);
  fail_unless_equals_int (s16_at (out, 1), 11);
  fail_unless_equals_int (events->len, 2);
  assert_event (events, 0, CARTESIA_PLAYER_STARTED, 1, 0);
  assert_event (events, 1, CARTESIA_PLAYER_FINISHED, 1, 2);

  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 2,
          CARTESIA_PLAYER_NONE, events), 2);
  fail_unless_equals_int (s16_at (out, 0), 22);
  fail_unless_equals_int (s16_at (out, 1), 22);
  assert_event (events, 2, CARTESIA_PLAYER_STARTED, 2, 0);
  assert_event (events, 3, CARTESIA_PLAYER_FINISHED, 2, 2);
  fail_unless_equals_uint64 (cartesia_player_get_position (p), 7);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* Edge fades off: the audio comes out bit-exact, in pieces as it arrives. */
GST_START_TEST (test_player_fill_ready_exact)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 16);
  guint8 in[300 * 2], out[300 * 2];
  GArray *events = events_new ();
  guint i, got = 0, w;

  for (i = 0; i < sizeof (in); i++)
    in[i] = (i * 37 + 11) & 0xff;
  cartesia_player_set_edge_fades (p, FALSE);
  cartesia_player_add (p, 1);
  /* Odd byte counts: samples split across pushes. */
  for (i = 0; i < sizeof (in); i += 77) {
    cartesia_player_push (p, 1, in + i, MIN (77, sizeof (in) - i));
    w = cartesia_player_fill_ready (p, out + got * 2, 300 - got, 300,
        events);
    fail_unless_equals_int (w, MIN (i + 77, sizeof (in)) / 2 - got);
    got += w;
  }
  cartesia_player_finish (p, 1);
  fail_unless_equals_int (cartesia_player_fill_ready (p, out + got * 2,
          300 - got, 300, events), 300 - got);
  fail_unless (memcmp (in, out, sizeof (in)) == 0);
  fail_unless_equals_int (events->len, 2);
  assert_event (events, 1, CARTESIA_PLAYER_FINISHED, 1, 0);
  fail_unless_equals_uint64 (event_at (events, 1)->samples, 300);
  fail_unless_equals_uint64 (event_at (events, 1)->underrun_samples, 0);
  fail_unless_equals_uint64 (cartesia_player_get_position (p), 300);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* The position is the timeline filled, live or not, silence included. */
GST_START_TEST (test_player_position)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_F32LE, 2);
  guint8 out[64 * 4];
  GArray *events = events_new ();
  guint64 expect = 0;
  guint w;

  fail_unless_equals_uint64 (cartesia_player_get_position (p), 0);
  cartesia_player_fill (p, out, 17, events);
  expect += 17;
  fail_unless_equals_uint64 (cartesia_player_get_position (p), expect);
  cartesia_player_add (p, 1);
  cartesia_player_fill (p, out, 5, events);     /* waiting: silence */
  expect += 5;
  fail_unless_equals_uint64 (cartesia_player_get_position (p), expect);
  {
    gfloat v[9] = { 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f };

    push_f32 (p, 1, v, 9);
  }
  w = cartesia_player_fill_ready (p, out, 64, CARTESIA_PLAYER_NONE, events);
  fail_unless_equals_int (w, 9);
  expect += w;
  fail_unless_equals_uint64 (cartesia_player_get_position (p), expect);
  cartesia_player_fill (p, out, 3, events);     /* an underrun: time goes on */
  expect += 3;
  fail_unless_equals_uint64 (cartesia_player_get_position (p), expect);
  w = cartesia_player_fill_ready (p, out, 64, 40, events);
  fail_unless_equals_int (w, 0);
  cartesia_player_finish (p, 1);
  w = cartesia_player_fill_ready (p, out, 64, 40, events);
  fail_unless_equals_int (w, 40 - expect);
  fail_unless_equals_uint64 (cartesia_player_get_position (p), 40);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* One of two overlapping utterances runs dry: the other plays on alone,
 * and only the dry one counts the underrun. */
GST_START_TEST (test_player_underrun_in_overlap)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 0);
  guint8 out[10 * 2];
  GArray *events = events_new ();
  guint i;

  /* Added first, so the dry one is first in line. */
  add_at (p, 2, 0, CARTESIA_PLAYER_NONE, FALSE, FALSE);
  add_at (p, 1, 0, CARTESIA_PLAYER_NONE, FALSE, FALSE);
  push_s16_const (p, 1, 100, 10);
  cartesia_player_finish (p, 1);
  push_s16_const (p, 2, 1000, 3);
  cartesia_player_fill (p, out, 10, events);
  for (i = 0; i < 3; i++)
    fail_unless_equals_int (s16_at (out, i), 1100);
  for (i = 3; i < 10; i++)
    fail_unless_equals_int (s16_at (out, i), 100);
  fail_unless_equals_int (events->len, 3);
  assert_event (events, 0, CARTESIA_PLAYER_STARTED, 2, 0);
  assert_event (events, 1, CARTESIA_PLAYER_STARTED, 1, 0);
  assert_event (events, 2, CARTESIA_PLAYER_FINISHED, 1, 10);
  fail_unless_equals_uint64 (event_at (events, 2)->underrun_samples, 0);
  fail_unless (cartesia_player_is_playing (p, 2));

  /* Non-live would wait for it rather than let it underrun. */
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10,
          CARTESIA_PLAYER_NONE, events), 0);

  push_s16_const (p, 2, 1000, 2);
  cartesia_player_finish (p, 2);
  cartesia_player_fill (p, out, 4, events);
  fail_unless_equals_int (s16_at (out, 0), 1000);
  fail_unless_equals_int (s16_at (out, 1), 1000);
  fail_unless_equals_int (s16_at (out, 2), 0);
  fail_unless_equals_int (events->len, 4);
  assert_event (events, 3, CARTESIA_PLAYER_FINISHED, 2, 2);
  fail_unless_equals_uint64 (event_at (events, 3)->underrun_samples, 7);
  fail_unless_equals_uint64 (event_at (events, 3)->samples, 12);
  g_array_unref (events);
  cartesia_player_free (p);
}

GST_END_TEST;

/* A limit stops fill_ready() there, speech included; fill() ignores it. */
GST_START_TEST (test_player_fill_ready_limit)
{
  CartesiaPlayer *p = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 0);
  gint16 in[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
  guint8 out[10 * 2];
  GArray *events = events_new ();
  guint i;

  cartesia_player_add (p, 1);
  push_s16 (p, 1, in, 10);
  cartesia_player_finish (p, 1);
  cartesia_player_set_limit (p, 4);
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10,
          CARTESIA_PLAYER_NONE, events), 4);
  for (i = 0; i < 4; i++)
    fail_unless_equals_int (s16_at (out, i), i + 1);
  fail_unless_equals_int (events->len, 1);
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10,
          CARTESIA_PLAYER_NONE, events), 0);
  fail_unless_equals_int (events->len, 1);
  fail_unless_equals_uint64 (cartesia_player_get_position (p), 4);

  /* Raised: on from where it stopped. */
  cartesia_player_set_limit (p, 12);
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10,
          CARTESIA_PLAYER_NONE, events), 8);
  for (i = 0; i < 6; i++)
    fail_unless_equals_int (s16_at (out, i), i + 5);
  fail_unless_equals_int (s16_at (out, 6), 0);
  fail_unless_equals_int (events->len, 2);
  assert_event (events, 1, CARTESIA_PLAYER_FINISHED, 1, 6);

  /* Live playout goes on regardless. */
  cartesia_player_fill (p, out, 5, events);
  fail_unless_equals_uint64 (cartesia_player_get_position (p), 17);
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10,
          CARTESIA_PLAYER_NONE, events), 0);
  cartesia_player_set_limit (p, CARTESIA_PLAYER_NONE);
  fail_unless_equals_int (cartesia_player_fill_ready (p, out, 10,
          CARTESIA_PLAYER_NONE, events), 10);
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
  tcase_add_test (tc, test_player_timed_start);
  tcase_add_test (tc, test_player_timed_end_clip);
  tcase_add_test (tc, test_player_timed_end_fade);
  tcase_add_test (tc, test_player_overlap_s16);
  tcase_add_test (tc, test_player_overlap_f32);
  tcase_add_test (tc, test_player_overlap_mulaw);
  tcase_add_test (tc, test_player_shift_after_previous);
  tcase_add_test (tc, test_player_due_without_audio);
  tcase_add_test (tc, test_player_cut_late_start);
  tcase_add_test (tc, test_player_cut_late_start_partial);
  tcase_add_test (tc, test_player_fill_ready_waits);
  tcase_add_test (tc, test_player_fill_ready_runs_dry);
  tcase_add_test (tc, test_player_fill_ready_horizon);
  tcase_add_test (tc, test_player_fill_ready_stops_before_start);
  tcase_add_test (tc, test_player_fill_ready_exact);
  tcase_add_test (tc, test_player_position);
  tcase_add_test (tc, test_player_underrun_in_overlap);
  tcase_add_test (tc, test_player_fill_ready_limit);
  tcase_add_test (tc, test_player_fill_live);
  tcase_add_test (tc, test_player_not_before);
  return s;
}

GST_CHECK_MAIN (player);
