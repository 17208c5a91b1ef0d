/* The emulator's voices.
 *
 * "synthetic" (the library's default): every character of a transcript is
 * rendered on its own, so render (a) + render (b) == render (a + b) and tests
 * compare bytes.  "espeak": real words through libespeak-ng (emu-espeak.h),
 * resampled to the requested rate; deterministic too, but not additive. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  EMU_ENCODING_PCM_S16LE,
  EMU_ENCODING_PCM_F32LE,
  EMU_ENCODING_PCM_MULAW,
  EMU_ENCODING_PCM_ALAW,
} EmuEncoding;

gboolean emu_encoding_from_string (const gchar * name, EmuEncoding * encoding);
const gchar *emu_encoding_to_string (EmuEncoding encoding);
guint emu_encoding_sample_size (EmuEncoding encoding);
gboolean emu_sample_rate_is_valid (guint rate);

typedef enum
{
  EMU_VOICE_SYNTHETIC,
  EMU_VOICE_ESPEAK,
} EmuVoice;

gboolean emu_voice_from_string (const gchar * name, EmuVoice * voice);
const gchar *emu_voice_to_string (EmuVoice voice);
/* TRUE when @voice can speak in this build and on this machine, else FALSE
 * with the reason in @error. */
gboolean emu_voice_check (EmuVoice voice, GError ** error);

/* The voice that the functions below without a voice argument use: the
 * calling thread's (set when an emulator thread snapshots its options for a
 * new generation), else the process default (synthetic unless
 * emu_synth_set_default_voice() changed it, as the cartesia-emulator program
 * does). */
EmuVoice emu_synth_get_voice (void);
EmuVoice emu_synth_get_default_voice (void);
void emu_synth_set_default_voice (EmuVoice voice);
void emu_synth_set_thread_voice (EmuVoice voice);

GBytes *emu_synth_render_voice (EmuVoice voice, const gchar * text,
    EmuEncoding encoding, guint rate);
gsize emu_synth_size_voice (EmuVoice voice, const gchar * text,
    EmuEncoding encoding, guint rate);
void emu_synth_words_voice (EmuVoice voice, const gchar * text, guint rate,
    guint64 sample_offset, GPtrArray * words, GArray * starts, GArray * ends);

/* Samples each code point lasts in the synthetic voice: 50 ms, rounded
 * down. */
guint emu_synth_samples_per_char (guint rate);

/* What a request asks of the voice.  The espeak voice honours all of it: the
 * voice id picks one of a few espeak-ng voices (a UUID, by a hash; anything
 * else, or none, speaks with the first), speed scales its words per minute
 * and volume its loudness.  The synthetic voice ignores it: its audio stays
 * what the tests compute byte for byte. */
typedef struct
{
  const gchar *voice_id;        /* NULL: the default */
  gdouble speed;                /* 0: not given (1.0) */
  gdouble volume;               /* 0: not given (1.0) */
} EmuStyle;

/* The espeak-ng voice @voice_id speaks with. */
const gchar *emu_synth_espeak_voice (const gchar * voice_id);

GBytes *emu_synth_render_styled (EmuVoice voice, const gchar * text,
    EmuEncoding encoding, guint rate, const EmuStyle * style);
gsize emu_synth_size_styled (EmuVoice voice, const gchar * text,
    EmuEncoding encoding, guint rate, const EmuStyle * style);
void emu_synth_words_styled (EmuVoice voice, const gchar * text, guint rate,
    guint64 sample_offset, GPtrArray * words, GArray * starts, GArray * ends,
    const EmuStyle * style);

/* Size in bytes of the audio for @text (synthetic: without rendering it). */
gsize emu_synth_size (const gchar * text, EmuEncoding encoding, guint rate);

GBytes *emu_synth_render (const gchar * text, EmuEncoding encoding,
    guint rate);

/* Word timestamps for @text when its audio starts @sample_offset samples
 * into the context: words are maximal runs of non-space characters (espeak:
 * when each was spoken; words it runs together share their time). */
void emu_synth_words (const gchar * text, guint rate, guint64 sample_offset,
    GPtrArray * words, GArray * starts, GArray * ends);

/* The 44-byte RIFF/WAVE header for @data_size bytes of audio. */
void emu_synth_wav_header (guint8 header[44], EmuEncoding encoding,
    guint rate, guint32 data_size);

G_END_DECLS
