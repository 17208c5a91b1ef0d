/* The emulator's deterministic "voice": every character of a transcript is
 * rendered on its own, so render (a) + render (b) == render (a + b). */
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

/* Samples each code point lasts: 50 ms, rounded down. */
guint emu_synth_samples_per_char (guint rate);

/* Size in bytes of the audio for @text, without rendering it. */
gsize emu_synth_size (const gchar * text, EmuEncoding encoding, guint rate);

GBytes *emu_synth_render (const gchar * text, EmuEncoding encoding,
    guint rate);

/* Word timestamps for @text when its audio starts @sample_offset samples
 * into the context: words are maximal runs of non-space characters. */
void emu_synth_words (const gchar * text, guint rate, guint64 sample_offset,
    GPtrArray * words, GArray * starts, GArray * ends);

/* The 44-byte RIFF/WAVE header for @data_size bytes of audio. */
void emu_synth_wav_header (guint8 header[44], EmuEncoding encoding,
    guint rate, guint32 data_size);

G_END_DECLS
