/* The emulator's voices.
 *
 * synthetic: each code point becomes 50 ms of audio that depends on nothing
 * but the code point: letters and digits a ramped sine, anything else
 * silence.  Because no state carries over from one character to the next,
 * the audio of a continued context equals the audio of its concatenated
 * transcript byte for byte, which is what lets tests compare streams exactly.
 *
 * espeak: libespeak-ng's speech (22050 Hz), taken through a windowed-sinc
 * resampler to the requested rate and stored in the requested encoding by
 * the same code as the synthetic voice. */
#include "emu-synth.h"
#include "emu-espeak.h"
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

/* Transcripts come from JSON and are valid UTF-8, but the public functions
 * take any string; the voices below get valid UTF-8 only. */
static gchar *
valid_text (const gchar * text)
{
  return g_utf8_make_valid (text ? text : "", -1);
}

static gsize
synthetic_size (const gchar * valid, EmuEncoding encoding, guint rate)
{
  return (gsize) g_utf8_strlen (valid, -1) * emu_synth_samples_per_char (rate)
      * emu_encoding_sample_size (encoding);
}

static GBytes *
synthetic_render (const gchar * valid, EmuEncoding encoding, guint rate)
{
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

static void
synthetic_words (const gchar * valid, guint rate, guint64 sample_offset,
    GPtrArray * words, GArray * starts, GArray * ends)
{
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

/* ---- espeak ---- */

#define RESAMPLE_ZEROS 16       /* sinc zero crossings on each side */
#define RESAMPLE_PASSBAND 0.95  /* of the lower Nyquist frequency */

static guint
gcd (guint a, guint b)
{
  while (b != 0) {
    guint t = a % b;

    a = b;
    b = t;
  }
  return a;
}

/* Blackman window on [-1, 1]. */
static gdouble
window (gdouble x)
{
  if (x <= -1.0 || x >= 1.0)
    return 0.0;
  return 0.42 + 0.5 * cos (G_PI * x) + 0.08 * cos (2.0 * G_PI * x);
}

static gdouble
sinc (gdouble x)
{
  return x == 0.0 ? 1.0 : sin (G_PI * x) / (G_PI * x);
}

/* @in at @in_rate as doubles in [-1, 1) at @out_rate: a windowed-sinc
 * low-pass evaluated at each output instant.  The instants fall on
 * out_rate / gcd distinct fractional positions, so the filter is computed
 * once per position.  Pure arithmetic: the same input gives the same bits. */
static gdouble *
resample (const gint16 * in, gsize n_in, guint in_rate, guint out_rate,
    gsize * n_out)
{
  guint g = gcd (in_rate, out_rate);
  guint up = out_rate / g, down = in_rate / g;
  gdouble cutoff = MIN (1.0, (gdouble) out_rate / in_rate) * RESAMPLE_PASSBAND;
  gint half = (gint) ceil (RESAMPLE_ZEROS / cutoff);
  gint taps = 2 * half;
  gdouble *filter, *out;
  gsize j;
  guint phase;

  *n_out = (gsize) ((guint64) n_in * out_rate / in_rate);
  out = g_new (gdouble, MAX (*n_out, 1));
  if (in_rate == out_rate) {
    for (j = 0; j < n_in; j++)
      out[j] = in[j] / 32768.0;
    return out;
  }

  /* filter[phase * taps + i] weighs input sample t_int - half + 1 + i for
   * an output instant t_int + phase / up */
  filter = g_new (gdouble, (gsize) up * taps);
  for (phase = 0; phase < up; phase++) {
    gdouble frac = (gdouble) phase / up, sum = 0.0;
    gdouble *f = filter + (gsize) phase * taps;
    gint i;

    for (i = 0; i < taps; i++) {
      gdouble d = (i - half + 1) - frac;

      f[i] = cutoff * sinc (cutoff * d) * window (d / half);
      sum += f[i];
    }
    for (i = 0; i < taps; i++)
      f[i] /= sum;              /* unity gain at DC */
  }

  for (j = 0; j < *n_out; j++) {
    guint64 pos = (guint64) j * down;
    gint64 t_int = (gint64) (pos / up);
    const gdouble *f = filter + (gsize) (pos % up) * taps;
    gint64 first = t_int - half + 1;
    gdouble acc = 0.0;
    gint i;

    for (i = 0; i < taps; i++) {
      gint64 k = first + i;

      if (k >= 0 && (guint64) k < n_in)
        acc += f[i] * in[k];
    }
    out[j] = acc / 32768.0;
  }
  g_free (filter);
  return out;
}

/* A few voices that sound apart (espeak-ng's variants). */
static const gchar *const espeak_voices[] = {
  "en-us", "en-us+f3", "en+m3", "en-us+f5"
};

static gboolean
is_uuid (const gchar * id)
{
  guint i;

  if (id == NULL || strlen (id) != 36)
    return FALSE;
  for (i = 0; i < 36; i++)
    if ((i == 8 || i == 13 || i == 18 || i == 23) ? id[i] != '-' :
        !g_ascii_isxdigit (id[i]))
      return FALSE;
  return TRUE;
}

const gchar *
emu_synth_espeak_voice (const gchar * voice_id)
{
  guint32 h = 2166136261u;      /* FNV-1a: the same on every machine */
  const gchar *p;

  if (!is_uuid (voice_id))
    return espeak_voices[0];
  for (p = voice_id; *p; p++)
    h = (h ^ (guchar) g_ascii_tolower (*p)) * 16777619u;
  return espeak_voices[h % G_N_ELEMENTS (espeak_voices)];
}

static EmuEspeakSpeech *
espeak_speech (const gchar * valid, const EmuStyle * style)
{
  g_autoptr (GError) error = NULL;
  EmuEspeakStyle es = { NULL, 0, 0 };
  EmuEspeakSpeech *speech;

  if (style) {
    es.voice = emu_synth_espeak_voice (style->voice_id);
    if (style->speed > 0.0)
      es.rate = (guint) (175.0 * style->speed + 0.5);
    if (style->volume > 0.0)
      es.volume = (guint) (100.0 * style->volume + 0.5);
  }
  speech = emu_espeak_speak_styled (valid, &es, &error);

  if (speech == NULL)
    g_printerr ("cartesia-emulator: %s; speaking with the synthetic voice\n",
        error->message);
  return speech;
}

static gsize
espeak_n_samples (const EmuEspeakSpeech * speech, guint rate)
{
  return (gsize) ((guint64) speech->n_samples * rate / speech->rate);
}

static GBytes *
espeak_render (const gchar * valid, EmuEncoding encoding, guint rate,
    const EmuStyle * style)
{
  g_autoptr (EmuEspeakSpeech) speech = espeak_speech (valid, style);
  guint size = emu_encoding_sample_size (encoding);
  g_autofree gdouble *x = NULL;
  guint8 *data, *out;
  gsize n, i;

  if (speech == NULL)
    return synthetic_render (valid, encoding, rate);

  x = resample (speech->samples, speech->n_samples, speech->rate, rate, &n);
  g_assert (n == espeak_n_samples (speech, rate));
  data = out = g_malloc (MAX (n * size, 1));
  for (i = 0; i < n; i++, out += size)
    store_sample (out, CLAMP (x[i], -1.0, 1.0), encoding);
  return g_bytes_new_take (data, n * size);
}

static gsize
espeak_size (const gchar * valid, EmuEncoding encoding, guint rate,
    const EmuStyle * style)
{
  g_autoptr (EmuEspeakSpeech) speech = espeak_speech (valid, style);

  if (speech == NULL)
    return synthetic_size (valid, encoding, rate);
  return espeak_n_samples (speech, rate) * emu_encoding_sample_size (encoding);
}

/* Where the mark after @index that ends the word at @index lies: the next
 * clause end or the next word of a later token. */
static guint64
espeak_word_end (const EmuEspeakSpeech * speech, guint index, glong token_end)
{
  guint i;

  for (i = index + 1; i < speech->n_marks; i++) {
    const EmuEspeakMark *m = &speech->marks[i];

    if (m->type == EMU_ESPEAK_MARK_END || (glong) m->text_offset >= token_end)
      return MAX (m->sample, speech->marks[index].sample);
  }
  return speech->n_samples;
}

/* The first word mark inside the token [start, end) of characters. */
static gint
espeak_find_word (const EmuEspeakSpeech * speech, glong start, glong end)
{
  guint i;

  for (i = 0; i < speech->n_marks; i++) {
    const EmuEspeakMark *m = &speech->marks[i];

    if (m->type == EMU_ESPEAK_MARK_WORD && (glong) m->text_offset >= start
        && (glong) m->text_offset < end)
      return i;
  }
  return -1;
}

typedef struct
{
  const gchar *text;            /* in the transcript */
  gsize size;                   /* bytes */
  glong start, end;             /* characters */
} Token;

/* Maximal runs of non-space characters, as for the synthetic voice. */
static GArray *
tokenize (const gchar * valid)
{
  GArray *tokens = g_array_new (FALSE, FALSE, sizeof (Token));
  const gchar *p, *word = NULL;
  glong index = 0, word_index = 0;

  for (p = valid;; p = g_utf8_next_char (p), index++) {
    gboolean space = *p == '\0' || g_unichar_isspace (g_utf8_get_char (p));

    if (!space && word == NULL) {
      word = p;
      word_index = index;
    } else if (space && word != NULL) {
      Token t = { word, p - word, word_index, index };

      g_array_append_val (tokens, t);
      word = NULL;
    }
    if (*p == '\0')
      break;
  }
  return tokens;
}

/* Each word espeak announces runs until the next word or clause end; words
 * it speaks without announcing them (it runs "from the" together) share the
 * time of the announced word before them, by their number of characters. */
static void
espeak_words (const gchar * valid, guint rate, guint64 sample_offset,
    GPtrArray * words, GArray * starts, GArray * ends, const EmuStyle * style)
{
  g_autoptr (EmuEspeakSpeech) speech = espeak_speech (valid, style);
  g_autoptr (GArray) tokens = NULL;
  gdouble base = sample_offset / (gdouble) rate;
  guint i = 0;

  if (speech == NULL) {
    synthetic_words (valid, rate, sample_offset, words, starts, ends);
    return;
  }

  tokens = tokenize (valid);
  while (i < tokens->len) {
    Token *t = &g_array_index (tokens, Token, i);
    gint mark = espeak_find_word (speech, t->start, t->end);
    gdouble start = base, span = 0.0;
    glong chars = 0, done = 0;
    guint n = 1, k;

    if (mark >= 0 || i == 0) {
      /* the group: this token and the unannounced ones after it */
      while (i + n < tokens->len) {
        Token *u = &g_array_index (tokens, Token, i + n);

        if (espeak_find_word (speech, u->start, u->end) >= 0)
          break;
        n++;
      }
    }
    if (mark >= 0) {
      Token *last = &g_array_index (tokens, Token, i + n - 1);

      start = base + speech->marks[mark].sample / (gdouble) speech->rate;
      span = base + espeak_word_end (speech, mark, last->end)
          / (gdouble) speech->rate - start;
    }
    for (k = 0; k < n; k++)
      chars += g_array_index (tokens, Token, i + k).end
          - g_array_index (tokens, Token, i + k).start;
    for (k = 0; k < n; k++, i++) {
      Token *u = &g_array_index (tokens, Token, i);
      gdouble a = start + span * done / chars;
      gdouble b;

      done += u->end - u->start;
      b = start + span * done / chars;
      g_ptr_array_add (words, g_strndup (u->text, u->size));
      g_array_append_val (starts, a);
      g_array_append_val (ends, b);
    }
  }
}

/* ---- voices ---- */

static const gchar *const voice_names[] = { "synthetic", "espeak" };

static gint default_voice = EMU_VOICE_SYNTHETIC;
/* the voice + 1, or 0 when the thread has none */
static GPrivate thread_voice;

gboolean
emu_voice_from_string (const gchar * name, EmuVoice * voice)
{
  guint i;

  for (i = 0; name && i < G_N_ELEMENTS (voice_names); i++) {
    if (g_ascii_strcasecmp (name, voice_names[i]) == 0) {
      *voice = (EmuVoice) i;
      return TRUE;
    }
  }
  return FALSE;
}

const gchar *
emu_voice_to_string (EmuVoice voice)
{
  return voice_names[voice];
}

gboolean
emu_voice_check (EmuVoice voice, GError ** error)
{
  if (voice == EMU_VOICE_ESPEAK)
    return emu_espeak_check (error);
  return TRUE;
}

EmuVoice
emu_synth_get_voice (void)
{
  gint v = GPOINTER_TO_INT (g_private_get (&thread_voice));

  return v ? (EmuVoice) (v - 1) : (EmuVoice) g_atomic_int_get (&default_voice);
}

EmuVoice
emu_synth_get_default_voice (void)
{
  return (EmuVoice) g_atomic_int_get (&default_voice);
}

void
emu_synth_set_default_voice (EmuVoice voice)
{
  g_atomic_int_set (&default_voice, voice);
}

void
emu_synth_set_thread_voice (EmuVoice voice)
{
  g_private_set (&thread_voice, GINT_TO_POINTER (voice + 1));
}

GBytes *
emu_synth_render_styled (EmuVoice voice, const gchar * text,
    EmuEncoding encoding, guint rate, const EmuStyle * style)
{
  g_autofree gchar *valid = valid_text (text);

  if (voice == EMU_VOICE_ESPEAK)
    return espeak_render (valid, encoding, rate, style);
  return synthetic_render (valid, encoding, rate);
}

gsize
emu_synth_size_styled (EmuVoice voice, const gchar * text,
    EmuEncoding encoding, guint rate, const EmuStyle * style)
{
  g_autofree gchar *valid = valid_text (text);

  if (voice == EMU_VOICE_ESPEAK)
    return espeak_size (valid, encoding, rate, style);
  return synthetic_size (valid, encoding, rate);
}

void
emu_synth_words_styled (EmuVoice voice, const gchar * text, guint rate,
    guint64 sample_offset, GPtrArray * words, GArray * starts, GArray * ends,
    const EmuStyle * style)
{
  g_autofree gchar *valid = valid_text (text);

  if (voice == EMU_VOICE_ESPEAK)
    espeak_words (valid, rate, sample_offset, words, starts, ends, style);
  else
    synthetic_words (valid, rate, sample_offset, words, starts, ends);
}

GBytes *
emu_synth_render_voice (EmuVoice voice, const gchar * text,
    EmuEncoding encoding, guint rate)
{
  return emu_synth_render_styled (voice, text, encoding, rate, NULL);
}

gsize
emu_synth_size_voice (EmuVoice voice, const gchar * text,
    EmuEncoding encoding, guint rate)
{
  return emu_synth_size_styled (voice, text, encoding, rate, NULL);
}

void
emu_synth_words_voice (EmuVoice voice, const gchar * text, guint rate,
    guint64 sample_offset, GPtrArray * words, GArray * starts, GArray * ends)
{
  emu_synth_words_styled (voice, text, rate, sample_offset, words, starts,
      ends, NULL);
}

GBytes *
emu_synth_render (const gchar * text, EmuEncoding encoding, guint rate)
{
  return emu_synth_render_voice (emu_synth_get_voice (), text, encoding, rate);
}

gsize
emu_synth_size (const gchar * text, EmuEncoding encoding, guint rate)
{
  return emu_synth_size_voice (emu_synth_get_voice (), text, encoding, rate);
}

void
emu_synth_words (const gchar * text, guint rate, guint64 sample_offset,
    GPtrArray * words, GArray * starts, GArray * ends)
{
  emu_synth_words_voice (emu_synth_get_voice (), text, rate, sample_offset,
      words, starts, ends);
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
