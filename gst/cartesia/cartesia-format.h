/* gst-cartesia: the audio formats the element produces (pure).
 *
 * One table says, for each format, its caps (media type and, for raw audio,
 * the format field), the `output_format.encoding` Cartesia is asked for,
 * the player's sample format and the bytes a sample takes; and one list
 * holds the sample rates.  Every other place looks them up here.
 *
 * A chunk of decoded audio need not end on a sample's boundary: a
 * CartesiaSampleCarry keeps the bytes of a sample split across two chunks
 * until the rest of it arrives.
 *
 * GLib only: no GStreamer, no I/O.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CARTESIA_SAMPLE_S16LE,
  CARTESIA_SAMPLE_F32LE,
  CARTESIA_SAMPLE_MULAW,
  CARTESIA_SAMPLE_ALAW,
} CartesiaSampleFormat;

typedef struct
{
  CartesiaSampleFormat sample_format;
  const gchar *media_type;      /* "audio/x-raw", "audio/x-mulaw", ... */
  const gchar *caps_format;     /* audio/x-raw's "format" field; NULL else */
  const gchar *encoding;        /* Cartesia's output_format.encoding */
  guint bytes_per_sample;       /* mono: also the bytes per frame */
  guint8 silence;               /* every byte of silence is this one */
} CartesiaFormat;

/* What the element produces when downstream does not care. */
#define CARTESIA_FORMAT_DEFAULT_RATE 44100

/* The table's rows, in the order of preference; NULL past the last. */
const CartesiaFormat *cartesia_format_nth (guint i);

/* S16LE, the default. */
const CartesiaFormat *cartesia_format_default (void);

/* By caps: @caps_format is read for audio/x-raw only.  NULL when the caps
 * name no format of the table. */
const CartesiaFormat *cartesia_format_from_caps (const gchar * media_type,
    const gchar * caps_format);

/* By Cartesia's encoding name ("pcm_s16le"); NULL when unknown. */
const CartesiaFormat *cartesia_format_from_encoding (const gchar * encoding);

/* By sample format; NULL when out of range. */
const CartesiaFormat *cartesia_format_from_sample_format (CartesiaSampleFormat
    sample_format);

/* The sample rates Cartesia produces, ascending; @n_rates gets their
 * number. */
const gint *cartesia_format_rates (guint * n_rates);
gboolean cartesia_format_rate_is_supported (gint rate);

/* Writes @n samples of silence in @format at @out. */
void cartesia_format_silence (const CartesiaFormat * format, guint8 * out,
    gsize n);

/* The caps of every row at every rate, mono, as a caps string (the source
 * pad's template).  Free with g_free(). */
gchar *cartesia_format_caps_string (void);

/* ---- a sample split across chunks ---- */

#define CARTESIA_FORMAT_MAX_BYTES_PER_SAMPLE 4

typedef struct
{
  guint8 bytes[CARTESIA_FORMAT_MAX_BYTES_PER_SAMPLE];
  guint len;                    /* bytes kept: fewer than bytes_per_sample */
  guint bytes_per_sample;
} CartesiaSampleCarry;

/* What a chunk yields, in order: @head, a sample completed from the bytes
 * kept (0 or bytes_per_sample bytes, copied), then @body, whole samples
 * that point into the chunk.  The chunk's last bytes short of a sample are
 * kept for the next one. */
typedef struct
{
  guint8 head[CARTESIA_FORMAT_MAX_BYTES_PER_SAMPLE];
  guint head_len;
  const guint8 *body;
  gsize body_len;
} CartesiaSampleSplit;

/* Empty, for samples of @bytes_per_sample bytes (1 to 4). */
void cartesia_sample_carry_init (CartesiaSampleCarry * carry,
    guint bytes_per_sample);

/* Drops the bytes kept; returns how many there were. */
guint cartesia_sample_carry_clear (CartesiaSampleCarry * carry);

/* Joins @len bytes of @data to what is kept; see CartesiaSampleSplit. */
void cartesia_sample_carry_push (CartesiaSampleCarry * carry,
    const guint8 * data, gsize len, CartesiaSampleSplit * out);

G_END_DECLS
