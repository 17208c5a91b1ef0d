/* gst-cartesia: the audio formats the element produces (pure). */
#include "cartesia-format.h"

#include <string.h>

/* Preferred first: the first row is the default. */
static const CartesiaFormat formats[] = {
  {CARTESIA_SAMPLE_S16LE, "audio/x-raw", "S16LE", "pcm_s16le", 2, 0x00},
  {CARTESIA_SAMPLE_F32LE, "audio/x-raw", "F32LE", "pcm_f32le", 4, 0x00},
  /* G.711 codes zero as 0xff (mu-law) and 0xd5 (A-law). */
  {CARTESIA_SAMPLE_MULAW, "audio/x-mulaw", NULL, "pcm_mulaw", 1, 0xff},
  {CARTESIA_SAMPLE_ALAW, "audio/x-alaw", NULL, "pcm_alaw", 1, 0xd5},
};

static const gint rates[] = { 8000, 16000, 22050, 24000, 44100, 48000 };

const CartesiaFormat *
cartesia_format_nth (guint i)
{
  return i < G_N_ELEMENTS (formats) ? &formats[i] : NULL;
}

const CartesiaFormat *
cartesia_format_default (void)
{
  return &formats[0];
}

const CartesiaFormat *
cartesia_format_from_caps (const gchar * media_type, const gchar * caps_format)
{
  guint i;

  if (media_type == NULL)
    return NULL;
  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    if (strcmp (formats[i].media_type, media_type) != 0)
      continue;
    if (formats[i].caps_format == NULL
        || g_strcmp0 (formats[i].caps_format, caps_format) == 0)
      return &formats[i];
  }
  return NULL;
}

const CartesiaFormat *
cartesia_format_from_encoding (const gchar * encoding)
{
  guint i;

  for (i = 0; encoding && i < G_N_ELEMENTS (formats); i++)
    if (strcmp (formats[i].encoding, encoding) == 0)
      return &formats[i];
  return NULL;
}

const CartesiaFormat *
cartesia_format_from_sample_format (CartesiaSampleFormat sample_format)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i].sample_format == sample_format)
      return &formats[i];
  return NULL;
}

const gint *
cartesia_format_rates (guint * n_rates)
{
  if (n_rates)
    *n_rates = G_N_ELEMENTS (rates);
  return rates;
}

gboolean
cartesia_format_rate_is_supported (gint rate)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (rates); i++)
    if (rates[i] == rate)
      return TRUE;
  return FALSE;
}

void
cartesia_format_silence (const CartesiaFormat * format, guint8 * out, gsize n)
{
  memset (out, format->silence, n * format->bytes_per_sample);
}

/* One structure per media type, in the table's order, its raw formats as
 * a list:  audio/x-raw, format = (string) { S16LE, F32LE }, ... */
gchar *
cartesia_format_caps_string (void)
{
  GString *caps = g_string_new (NULL);
  GString *rate_list = g_string_new ("{ ");
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (rates); i++)
    g_string_append_printf (rate_list, "%s%d", i ? ", " : "", rates[i]);
  g_string_append (rate_list, " }");

  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    const gchar *media_type = formats[i].media_type;
    gboolean seen = FALSE, first = TRUE;

    for (j = 0; j < i; j++)
      seen |= strcmp (formats[j].media_type, media_type) == 0;
    if (seen)
      continue;
    if (caps->len)
      g_string_append (caps, "; ");
    g_string_append (caps, media_type);
    if (formats[i].caps_format) {
      g_string_append (caps, ", format = (string) { ");
      for (j = i; j < G_N_ELEMENTS (formats); j++) {
        if (strcmp (formats[j].media_type, media_type) != 0)
          continue;
        g_string_append_printf (caps, "%s%s", first ? "" : ", ",
            formats[j].caps_format);
        first = FALSE;
      }
      g_string_append (caps, " }, layout = (string) interleaved");
    }
    g_string_append_printf (caps, ", channels = (int) 1, rate = (int) %s",
        rate_list->str);
  }
  g_string_free (rate_list, TRUE);
  return g_string_free (caps, FALSE);
}

/* ---- a sample split across chunks ---- */

void
cartesia_sample_carry_init (CartesiaSampleCarry * carry,
    guint bytes_per_sample)
{
  g_return_if_fail (carry != NULL);
  g_return_if_fail (bytes_per_sample >= 1
      && bytes_per_sample <= CARTESIA_FORMAT_MAX_BYTES_PER_SAMPLE);

  memset (carry, 0, sizeof (*carry));
  carry->bytes_per_sample = bytes_per_sample;
}

guint
cartesia_sample_carry_clear (CartesiaSampleCarry * carry)
{
  guint dropped = carry->len;

  carry->len = 0;
  return dropped;
}

void
cartesia_sample_carry_push (CartesiaSampleCarry * carry, const guint8 * data,
    gsize len, CartesiaSampleSplit * out)
{
  guint bps = carry->bytes_per_sample;
  gsize whole;

  out->head_len = 0;
  out->body = data;
  out->body_len = 0;
  /* Never initialised: no sample size to cut by.  Nothing comes out. */
  g_return_if_fail (bps >= 1 && bps <= CARTESIA_FORMAT_MAX_BYTES_PER_SAMPLE);
  g_return_if_fail (data != NULL || len == 0);

  if (len == 0)
    return;
  if (carry->len) {
    gsize take = MIN (bps - carry->len, len);

    memcpy (carry->bytes + carry->len, data, take);
    carry->len += take;
    data += take;
    len -= take;
    if (carry->len < bps)
      return;
    memcpy (out->head, carry->bytes, bps);
    out->head_len = bps;
    carry->len = 0;
  }
  whole = len - len % bps;
  out->body = data;
  out->body_len = whole;
  carry->len = len - whole;
  memcpy (carry->bytes, data + whole, carry->len);
}
