/* Deterministic synthetic speech for the emulator.
 *
 * Each code point becomes 50 ms of audio that depends on nothing but the
 * code point: letters and digits a ramped sine, anything else silence.
 * Because no state carries over from one character to the next, the audio
 * of a continued context equals the audio of its concatenated transcript
 * byte for byte, which is what lets tests compare streams exactly. */
#include "emu-synth.h"
#include "emu-g711.h"

#include <math.h>
#include <string.h>

#define AMPLITUDE 0.25
#define RAMP_DIVISOR 200        /* 5 ms */

static const struct
{
  const gchar *name;
  EmuEncoding encoding;
  guint size;
} encodings[] = {
  {"pcm_s16le", EMU_ENCODING_PCM_S16LE, 2},
  {"pcm_f32le", EMU_ENCODING_PCM_F32LE, 4},
  {"pcm_mulaw", EMU_ENCODING_PCM_MULAW, 1},
  {"pcm_alaw", EMU_ENCODING_PCM_ALAW, 1},
};

gboolean
emu_encoding_from_string (const gchar * name, EmuEncoding * encoding)
{
  guint i;

  if (name == NULL)
    return FALSE;
  for (i = 0; i < G_N_ELEMENTS (encodings); i++) {
    if (g_str_equal (name, encodings[i].name)) {
      *encoding = encodings[i].encoding;
      return TRUE;
    }
  }
  return FALSE;
}

const gchar *
emu_encoding_to_string (EmuEncoding encoding)
{
  return encodings[encoding].name;
}

guint
emu_encoding_sample_size (EmuEncoding encoding)
{
  return encodings[encoding].size;
}

gboolean
emu_sample_rate_is_valid (guint rate)
{
  switch (rate) {
    case 8000:
    case 16000:
    case 22050:
    case 24000:
    case 44100:
    case 48000:
      return TRUE;
    default:
      return FALSE;
  }
}

guint
emu_synth_samples_per_char (guint rate)
{
  return rate / 20;
}

static gboolean
is_voiced (gunichar c)
{
  return g_unichar_isalnum (c);
}

static gdouble
char_frequency (gunichar c)
{
  return 150.0 + (c % 26) * 15.0;
}

static gdouble
sample_value (gunichar c, guint i, guint n, guint rate)
{
  gdouble ramp = MAX (1, rate / RAMP_DIVISOR);
  gdouble env = 1.0;

  if (!is_voiced (c))
    return 0.0;

  /* linear fade in and out inside the character, so characters join
   * without clicks whatever their frequencies */
  if (i < ramp)
    env = i / ramp;
  if (n - 1 - i < ramp)
    env = MIN (env, (n - 1 - i) / ramp);

  return AMPLITUDE * env * sin (2.0 * G_PI * char_frequency (c) * i / rate);
}

static gint16
to_s16 (gdouble x)
{
  long v = lrint (x * 32767.0);

  return (gint16) CLAMP (v, -32768, 32767);
}

static void
store_sample (guint8 * out, gdouble x, EmuEncoding encoding)
{
  switch (encoding) {
    case EMU_ENCODING_PCM_S16LE:{
      guint16 v = GUINT16_TO_LE ((guint16) to_s16 (x));
      memcpy (out, &v, 2);
      break;
    }
    case EMU_ENCODING_PCM_F32LE:{
      gfloat f = (gfloat) x;
      guint32 v;
      memcpy (&v, &f, 4);
      v = GUINT32_TO_LE (v);
      memcpy (out, &v, 4);
      break;
    }
    case EMU_ENCODING_PCM_MULAW:
      *out = emu_g711_linear_to_ulaw (to_s16 (x));
      break;
    case EMU_ENCODING_PCM_ALAW:
      *out = emu_g711_linear_to_alaw (to_s16 (x));
      break;
  }
}

/* Transcripts come from JSON and are valid UTF-8, but the public render
 * function takes any string. */
static gchar *
valid_text (const gchar * text)
{
  return g_utf8_make_valid (text ? text : "", -1);
}

gsize
emu_synth_size (const gchar * text, EmuEncoding encoding, guint rate)
{
  g_autofree gchar *valid = valid_text (text);

  return (gsize) g_utf8_strlen (valid, -1) * emu_synth_samples_per_char (rate)
      * emu_encoding_sample_size (encoding);
}

GBytes *
emu_synth_render (const gchar * text, EmuEncoding encoding, guint rate)
{
  g_autofree gchar *valid = valid_text (text);
  guint n = emu_synth_samples_per_char (rate);
  guint size = emu_encoding_sample_size (encoding);
  gsize total = (gsize) g_utf8_strlen (valid, -1) * n * size;
  guint8 *data = g_malloc (MAX (total, 1));
  guint8 *out = data;
  const gchar *p;

  for (p = valid; *p; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    guint i;

    for (i = 0; i < n; i++) {
      store_sample (out, sample_value (c, i, n, rate), encoding);
      out += size;
    }
  }

  return g_bytes_new_take (data, total);
}

void
emu_synth_words (const gchar * text, guint rate, guint64 sample_offset,
    GPtrArray * words, GArray * starts, GArray * ends)
{
  g_autofree gchar *valid = valid_text (text);
  guint n = emu_synth_samples_per_char (rate);
  const gchar *p, *word = NULL;
  guint64 index = 0, word_index = 0;

  for (p = valid;; p = g_utf8_next_char (p), index++) {
    gboolean space = *p == '\0' || g_unichar_isspace (g_utf8_get_char (p));

    if (!space && word == NULL) {
      word = p;
      word_index = index;
    } else if (space && word != NULL) {
      gdouble start = (sample_offset + word_index * n) / (gdouble) rate;
      gdouble end = (sample_offset + index * n) / (gdouble) rate;

      g_ptr_array_add (words, g_strndup (word, p - word));
      g_array_append_val (starts, start);
      g_array_append_val (ends, end);
      word = NULL;
    }
    if (*p == '\0')
      break;
  }
}

static void
put_u32 (guint8 * p, guint32 v)
{
  v = GUINT32_TO_LE (v);
  memcpy (p, &v, 4);
}

static void
put_u16 (guint8 * p, guint16 v)
{
  v = GUINT16_TO_LE (v);
  memcpy (p, &v, 2);
}

void
emu_synth_wav_header (guint8 header[44], EmuEncoding encoding, guint rate,
    guint32 data_size)
{
  guint size = emu_encoding_sample_size (encoding);
  guint16 format;

  switch (encoding) {
    case EMU_ENCODING_PCM_F32LE:
      format = 3;               /* WAVE_FORMAT_IEEE_FLOAT */
      break;
    case EMU_ENCODING_PCM_ALAW:
      format = 6;
      break;
    case EMU_ENCODING_PCM_MULAW:
      format = 7;
      break;
    default:
      format = 1;               /* WAVE_FORMAT_PCM */
      break;
  }

  memcpy (header, "RIFF", 4);
  put_u32 (header + 4, 36 + data_size);
  memcpy (header + 8, "WAVEfmt ", 8);
  put_u32 (header + 16, 16);
  put_u16 (header + 20, format);
  put_u16 (header + 22, 1);
  put_u32 (header + 24, rate);
  put_u32 (header + 28, rate * size);
  put_u16 (header + 32, size);
  put_u16 (header + 34, size * 8);
  memcpy (header + 36, "data", 4);
  put_u32 (header + 40, data_size);
}
