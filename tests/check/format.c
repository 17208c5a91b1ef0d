/* The format table alone: caps <-> encoding <-> sample format <-> bytes per
 * sample, the rates, and a sample split across chunks.  No element, no
 * sockets. */
#include <gst/check/gstcheck.h>
#include <string.h>

#include "cartesia-format.h"

/* What the table must hold, written out independently of it. */
static const struct
{
  CartesiaSampleFormat sample_format;
  const gchar *media_type;
  const gchar *caps_format;
  const gchar *encoding;
  guint bytes_per_sample;
  guint8 silence;
} expected[] = {
  {CARTESIA_SAMPLE_S16LE, "audio/x-raw", "S16LE", "pcm_s16le", 2, 0x00},
  {CARTESIA_SAMPLE_F32LE, "audio/x-raw", "F32LE", "pcm_f32le", 4, 0x00},
  {CARTESIA_SAMPLE_MULAW, "audio/x-mulaw", NULL, "pcm_mulaw", 1, 0xff},
  {CARTESIA_SAMPLE_ALAW, "audio/x-alaw", NULL, "pcm_alaw", 1, 0xd5},
};

static const gint expected_rates[] =
    { 8000, 16000, 22050, 24000, 44100, 48000 };

/* The template the element had before the table, to the letter. */
#define OLD_RATES "{ 8000, 16000, 22050, 24000, 44100, 48000 }"
#define OLD_SRC_CAPS \
  "audio/x-raw, format = (string) { S16LE, F32LE }, layout = (string) interleaved, " \
  "channels = (int) 1, rate = (int) " OLD_RATES "; " \
  "audio/x-mulaw, channels = (int) 1, rate = (int) " OLD_RATES "; " \
  "audio/x-alaw, channels = (int) 1, rate = (int) " OLD_RATES

GST_START_TEST (test_format_every_row)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (expected); i++) {
    const CartesiaFormat *f = cartesia_format_nth (i);

    fail_unless (f != NULL, "row %u missing", i);
    fail_unless_equals_int (f->sample_format, expected[i].sample_format);
    fail_unless_equals_string (f->media_type, expected[i].media_type);
    fail_unless_equals_string (f->caps_format, expected[i].caps_format);
    fail_unless_equals_string (f->encoding, expected[i].encoding);
    fail_unless_equals_int (f->bytes_per_sample, expected[i].bytes_per_sample);
    fail_unless_equals_int (f->silence, expected[i].silence);

    /* Each key finds the same row. */
    fail_unless (cartesia_format_from_caps (expected[i].media_type,
            expected[i].caps_format) == f);
    fail_unless (cartesia_format_from_encoding (expected[i].encoding) == f);
    fail_unless (cartesia_format_from_sample_format (expected[i].sample_format)
        == f);
  }
  fail_unless (cartesia_format_nth (G_N_ELEMENTS (expected)) == NULL);
  fail_unless (cartesia_format_nth (G_MAXUINT) == NULL);
}

GST_END_TEST;

GST_START_TEST (test_format_default)
{
  const CartesiaFormat *f = cartesia_format_default ();

  fail_unless_equals_string (f->encoding, "pcm_s16le");
  fail_unless_equals_string (f->caps_format, "S16LE");
  fail_unless_equals_int (CARTESIA_FORMAT_DEFAULT_RATE, 44100);
  fail_unless (cartesia_format_rate_is_supported
      (CARTESIA_FORMAT_DEFAULT_RATE));
}

GST_END_TEST;

/* Caps, encodings and sample formats the table does not hold: NULL, never
 * a guess. */
GST_START_TEST (test_format_unknown_keys)
{
  fail_unless (cartesia_format_from_caps (NULL, NULL) == NULL);
  fail_unless (cartesia_format_from_caps (NULL, "S16LE") == NULL);
  fail_unless (cartesia_format_from_caps ("audio/x-raw", NULL) == NULL);
  fail_unless (cartesia_format_from_caps ("audio/x-raw", "") == NULL);
  fail_unless (cartesia_format_from_caps ("audio/x-raw", "S24LE") == NULL);
  fail_unless (cartesia_format_from_caps ("audio/x-raw", "S16BE") == NULL);
  fail_unless (cartesia_format_from_caps ("audio/x-raw", "s16le") == NULL);
  fail_unless (cartesia_format_from_caps ("audio/x-raw", "pcm_s16le") == NULL);
  fail_unless (cartesia_format_from_caps ("audio/mpeg", NULL) == NULL);
  fail_unless (cartesia_format_from_caps ("audio/x-mulaw ", NULL) == NULL);
  fail_unless (cartesia_format_from_caps ("", NULL) == NULL);
  /* G.711 has no format field: one there is not read. */
  fail_unless (cartesia_format_from_caps ("audio/x-alaw", "S16LE")
      == cartesia_format_from_encoding ("pcm_alaw"));

  fail_unless (cartesia_format_from_encoding (NULL) == NULL);
  fail_unless (cartesia_format_from_encoding ("") == NULL);
  fail_unless (cartesia_format_from_encoding ("PCM_S16LE") == NULL);
  fail_unless (cartesia_format_from_encoding ("pcm_s24le") == NULL);
  fail_unless (cartesia_format_from_encoding ("S16LE") == NULL);
  fail_unless (cartesia_format_from_encoding ("pcm_s16le ") == NULL);

  fail_unless (cartesia_format_from_sample_format (CARTESIA_SAMPLE_ALAW + 1)
      == NULL);
  fail_unless (cartesia_format_from_sample_format ((CartesiaSampleFormat) - 1)
      == NULL);
}

GST_END_TEST;

GST_START_TEST (test_format_rates)
{
  guint n = 0, i;
  const gint *rates = cartesia_format_rates (&n);

  fail_unless_equals_int (n, G_N_ELEMENTS (expected_rates));
  for (i = 0; i < n; i++) {
    fail_unless_equals_int (rates[i], expected_rates[i]);
    fail_unless (cartesia_format_rate_is_supported (expected_rates[i]));
  }
  fail_unless (cartesia_format_rates (NULL) == rates);

  fail_if (cartesia_format_rate_is_supported (0));
  fail_if (cartesia_format_rate_is_supported (-8000));
  fail_if (cartesia_format_rate_is_supported (11025));
  fail_if (cartesia_format_rate_is_supported (32000));
  fail_if (cartesia_format_rate_is_supported (44101));
  fail_if (cartesia_format_rate_is_supported (96000));
  fail_if (cartesia_format_rate_is_supported (G_MAXINT));
}

GST_END_TEST;

/* The template built from the table is the one written out before, and
 * every fixed caps in it maps back to its row. */
GST_START_TEST (test_format_caps_string)
{
  gchar *str = cartesia_format_caps_string ();
  GstCaps *caps = gst_caps_from_string (str);
  GstCaps *old = gst_caps_from_string (OLD_SRC_CAPS);
  guint i, r;

  fail_unless (caps != NULL, "does not parse: %s", str);
  fail_unless (gst_caps_is_equal (caps, old), "%s", str);
  fail_unless_equals_string (str, OLD_SRC_CAPS);

  for (i = 0; i < G_N_ELEMENTS (expected); i++) {
    for (r = 0; r < G_N_ELEMENTS (expected_rates); r++) {
      GstCaps *one = gst_caps_new_simple (expected[i].media_type,
          "channels", G_TYPE_INT, 1, "rate", G_TYPE_INT, expected_rates[r],
          NULL);
      GstStructure *s = gst_caps_get_structure (one, 0);

      if (expected[i].caps_format)
        gst_structure_set (s, "format", G_TYPE_STRING,
            expected[i].caps_format, "layout", G_TYPE_STRING, "interleaved",
            NULL);
      fail_unless (gst_caps_is_subset (one, caps), "%" GST_PTR_FORMAT, one);
      fail_unless (cartesia_format_from_caps (gst_structure_get_name (s),
              gst_structure_get_string (s, "format")) ==
          cartesia_format_nth (i));
      gst_caps_unref (one);
    }
  }
  /* Stereo, another rate: not in it. */
  {
    GstCaps *stereo = gst_caps_from_string ("audio/x-raw, format = S16LE, "
        "layout = interleaved, channels = 2, rate = 44100");
    GstCaps *odd = gst_caps_from_string ("audio/x-mulaw, channels = 1, "
        "rate = 11025");

    fail_if (gst_caps_is_subset (stereo, caps));
    fail_if (gst_caps_is_subset (odd, caps));
    gst_caps_unref (stereo);
    gst_caps_unref (odd);
  }
  gst_caps_unref (old);
  gst_caps_unref (caps);
  g_free (str);
}

GST_END_TEST;

GST_START_TEST (test_format_silence)
{
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (expected); i++) {
    guint8 out[4 * 5 + 1];

    memset (out, 0x5a, sizeof (out));
    cartesia_format_silence (cartesia_format_nth (i), out, 5);
    for (j = 0; j < 5 * expected[i].bytes_per_sample; j++)
      fail_unless_equals_int (out[j], expected[i].silence);
    /* Not a byte further. */
    fail_unless_equals_int (out[j], 0x5a);
  }
}

GST_END_TEST;

/* ---- a sample split across chunks ---- */

/* Pushes @data cut at @cuts (ascending offsets) and appends what comes out
 * to @out; returns the bytes kept at the end. */
static guint
push_cut (CartesiaSampleCarry * carry, const guint8 * data, gsize len,
    const gsize * cuts, guint n_cuts, GByteArray * out)
{
  gsize from = 0;
  guint i;

  for (i = 0; i <= n_cuts; i++) {
    gsize to = i < n_cuts ? cuts[i] : len;
    CartesiaSampleSplit split;

    cartesia_sample_carry_push (carry, data + from, to - from, &split);
    fail_unless (split.head_len == 0
        || split.head_len == carry->bytes_per_sample);
    fail_unless_equals_int (split.body_len % carry->bytes_per_sample, 0);
    /* The body is the chunk's own bytes, not a copy. */
    if (split.body_len)
      fail_unless (split.body >= data + from
          && split.body + split.body_len <= data + to);
    g_byte_array_append (out, split.head, split.head_len);
    g_byte_array_append (out, split.body, split.body_len);
    from = to;
  }
  return carry->len;
}

/* Every way of cutting up to 13 bytes in two and three pieces, at 1, 2 and
 * 4 bytes per sample: what comes out is the whole samples, byte-exact, and
 * the rest is kept. */
GST_START_TEST (test_carry_every_cut)
{
  static const guint sizes[] = { 1, 2, 4 };
  guint8 data[13];
  guint s, len, a, b;

  for (a = 0; a < sizeof (data); a++)
    data[a] = (guint8) (0x10 + a * 7);

  for (s = 0; s < G_N_ELEMENTS (sizes); s++) {
    guint bps = sizes[s];

    for (len = 0; len <= sizeof (data); len++) {
      for (a = 0; a <= len; a++) {
        for (b = a; b <= len; b++) {
          CartesiaSampleCarry carry;
          GByteArray *out = g_byte_array_new ();
          gsize cuts[2] = { a, b };
          guint kept;

          cartesia_sample_carry_init (&carry, bps);
          kept = push_cut (&carry, data, len, cuts, 2, out);
          fail_unless_equals_int (out->len, len - len % bps);
          fail_unless_equals_int (kept, len % bps);
          fail_unless (out->len == 0 || memcmp (out->data, data, out->len) == 0,
              "bps %u, %u bytes cut at %u and %u", bps, len, a, b);
          fail_unless (memcmp (carry.bytes, data + out->len, kept) == 0);
          g_byte_array_unref (out);
        }
      }
    }
  }
}

GST_END_TEST;

/* F32LE, a byte at a time: a sample comes out on every fourth byte, as the
 * head. */
GST_START_TEST (test_carry_byte_at_a_time)
{
  const guint8 data[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  CartesiaSampleCarry carry;
  CartesiaSampleSplit split;
  guint i;

  cartesia_sample_carry_init (&carry, 4);
  for (i = 0; i < G_N_ELEMENTS (data); i++) {
    cartesia_sample_carry_push (&carry, data + i, 1, &split);
    fail_unless_equals_int (split.body_len, 0);
    if (i % 4 == 3) {
      fail_unless_equals_int (split.head_len, 4);
      fail_unless (memcmp (split.head, data + i - 3, 4) == 0);
      fail_unless_equals_int (carry.len, 0);
    } else {
      fail_unless_equals_int (split.head_len, 0);
      fail_unless_equals_int (carry.len, (i % 4) + 1);
    }
  }
}

GST_END_TEST;

/* Empty chunks change nothing; clear() tells what it dropped and the next
 * chunk starts on a sample. */
GST_START_TEST (test_carry_empty_and_clear)
{
  const guint8 data[] = { 0xa1, 0xa2, 0xa3, 0xb1, 0xb2 };
  CartesiaSampleCarry carry;
  CartesiaSampleSplit split;

  cartesia_sample_carry_init (&carry, 2);
  cartesia_sample_carry_push (&carry, NULL, 0, &split);
  fail_unless_equals_int (split.head_len + split.body_len, 0);
  fail_unless_equals_int (cartesia_sample_carry_clear (&carry), 0);

  cartesia_sample_carry_push (&carry, data, 3, &split);
  fail_unless_equals_int (split.body_len, 2);
  fail_unless_equals_int (carry.len, 1);
  cartesia_sample_carry_push (&carry, data, 0, &split);
  fail_unless_equals_int (split.head_len + split.body_len, 0);
  fail_unless_equals_int (carry.len, 1);

  fail_unless_equals_int (cartesia_sample_carry_clear (&carry), 1);
  fail_unless_equals_int (carry.len, 0);
  cartesia_sample_carry_push (&carry, data + 3, 2, &split);
  fail_unless_equals_int (split.head_len, 0);
  fail_unless_equals_int (split.body_len, 2);
  fail_unless (split.body[0] == 0xb1 && split.body[1] == 0xb2);
}

GST_END_TEST;

/* Misuse is refused with a critical, and nothing comes out. */
GST_START_TEST (test_carry_bad_input)
{
  const guint8 data[] = { 1, 2, 3, 4 };
  CartesiaSampleCarry carry, zeroed = { {0}, 0, 0 };
  CartesiaSampleSplit split;

  memset (&carry, 0x77, sizeof (carry));
  ASSERT_CRITICAL (cartesia_sample_carry_init (&carry, 0));
  ASSERT_CRITICAL (cartesia_sample_carry_init (&carry, 3 + 2));
  ASSERT_CRITICAL (cartesia_sample_carry_init (NULL, 2));

  ASSERT_CRITICAL (cartesia_sample_carry_push (&zeroed, data, 4, &split));
  fail_unless_equals_int (split.head_len + split.body_len, 0);
  fail_unless_equals_int (zeroed.len, 0);

  cartesia_sample_carry_init (&carry, 2);
  ASSERT_CRITICAL (cartesia_sample_carry_push (&carry, NULL, 4, &split));
  fail_unless_equals_int (split.head_len + split.body_len, 0);
  fail_unless_equals_int (carry.len, 0);
}

GST_END_TEST;

static Suite *
format_suite (void)
{
  Suite *s = suite_create ("format");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_format_every_row);
  tcase_add_test (tc, test_format_default);
  tcase_add_test (tc, test_format_unknown_keys);
  tcase_add_test (tc, test_format_rates);
  tcase_add_test (tc, test_format_caps_string);
  tcase_add_test (tc, test_format_silence);
  tcase_add_test (tc, test_carry_every_cut);
  tcase_add_test (tc, test_carry_byte_at_a_time);
  tcase_add_test (tc, test_carry_empty_and_clear);
  tcase_add_test (tc, test_carry_bad_input);
  return s;
}

GST_CHECK_MAIN (format);
