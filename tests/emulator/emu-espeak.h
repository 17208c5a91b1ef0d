/* Real words for the emulator's "espeak" voice, through libespeak-ng.
 *
 * libespeak-ng keeps state from one utterance to the next in static
 * variables (pitch flutter phase, wave phase, echo buffer), so the same text
 * spoken twice in one process does not give the same samples.  To keep the
 * emulator deterministic, every synthesis runs in a fresh helper process: the
 * running executable started again (/proc/self/exe) in helper mode, which
 * speaks one text from stdin and exits.  The same text therefore always gives
 * the same samples, in the program, in `--render` and in an embedded
 * emulator.  Results are cached, and one mutex serialises synthesis. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  EMU_ESPEAK_MARK_WORD,         /* a word starts */
  EMU_ESPEAK_MARK_END,          /* a clause or sentence ends */
} EmuEspeakMarkType;

typedef struct
{
  EmuEspeakMarkType type;
  guint text_offset;            /* in characters, from 0 */
  guint length;                 /* words: in characters */
  guint64 sample;               /* where, at the native rate */
} EmuEspeakMark;

typedef struct
{
  guint rate;                   /* the native rate of libespeak-ng (22050) */
  gsize n_samples;
  const gint16 *samples;
  guint n_marks;
  const EmuEspeakMark *marks;   /* in the order they were spoken */
} EmuEspeakSpeech;

/* TRUE when the emulator was built with libespeak-ng and it can speak here
 * (its data loads); else FALSE with a message in @error.  The first call
 * starts a helper; the answer is kept. */
gboolean emu_espeak_check (GError ** error);

/* The speech for @text (valid UTF-8), American English, 175 words per
 * minute.  Thread-safe.  Free with emu_espeak_speech_unref(). */
EmuEspeakSpeech *emu_espeak_speak (const gchar * text, GError ** error);

/* How to speak: which espeak-ng voice (NULL: "en-us"), words per minute
 * (0: 175, espeak's default) and volume (0: 100, of espeak's 0-200). */
typedef struct
{
  const gchar *voice;
  guint rate;
  guint volume;
} EmuEspeakStyle;

EmuEspeakSpeech *emu_espeak_speak_styled (const gchar * text,
    const EmuEspeakStyle * style, GError ** error);

EmuEspeakSpeech *emu_espeak_speech_ref (EmuEspeakSpeech * speech);
void emu_espeak_speech_unref (EmuEspeakSpeech * speech);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmuEspeakSpeech, emu_espeak_speech_unref)

G_END_DECLS
