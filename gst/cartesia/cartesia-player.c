/* gst-cartesia: live playout of utterances on a fixed timeline (pure). */
#include "cartesia-player.h"

#include <string.h>

typedef struct
{
  guint id;
  GByteArray *fifo;             /* audio not played yet, from @read on */
  gsize read;
  guint8 partial[4];            /* a sample split across two pushes */
  guint partial_len;
  guint64 pushed;               /* whole samples received */
  guint64 played;               /* samples of the timeline it took */
  guint64 consumed;             /* samples of its audio played */
  guint64 underrun;
  gboolean done;                /* no more audio will come */
  gboolean started;
  gboolean interrupted;
  guint fade_left;              /* interrupted: samples of fade-out left */
} Utterance;

struct _CartesiaPlayer
{
  CartesiaSampleFormat format;
  guint bps;
  guint fade;
  guint prebuffer;
  GQueue utterances;
};

guint
cartesia_player_bytes_per_sample (CartesiaSampleFormat format)
{
  switch (format) {
    case CARTESIA_SAMPLE_S16LE:
      return 2;
    case CARTESIA_SAMPLE_F32LE:
      return 4;
    default:
      return 1;
  }
}

/* ---- G.711, for fades on companded audio ---- */

static gint
ulaw_decode (guint8 u)
{
  gint t;

  u = ~u;
  t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return (u & 0x80) ? 0x84 - t : t - 0x84;
}

static guint8
ulaw_encode (gint pcm)
{
  gint mask = 0xff, seg = 0, v = pcm;

  if (v < 0) {
    v = -v;
    mask = 0x7f;
  }
  v = MIN (v + 0x84, 0x7fff);
  while (seg < 7 && v > (0xff << seg))
    seg++;
  return ((seg << 4) | ((v >> (seg + 3)) & 0x0f)) ^ mask;
}

static gint
alaw_decode (guint8 a)
{
  gint t, seg;

  a ^= 0x55;
  t = (a & 0x0f) << 4;
  seg = (a & 0x70) >> 4;
  if (seg == 0)
    t += 8;
  else
    t = (t + 0x108) << (seg - 1);
  return (a & 0x80) ? t : -t;
}

static guint8
alaw_encode (gint pcm)
{
  gint mask = 0xd5, seg = 0, v = pcm;
  guint8 aval;

  if (v < 0) {
    v = -v - 1;
    mask = 0x55;
  }
  v = MIN (v, 0x7fff) >> 3;
  while (seg < 7 && v > (0x1f << seg))
    seg++;
  aval = seg << 4;
  aval |= (seg < 2 ? v >> 1 : v >> seg) & 0x0f;
  return aval ^ mask;
}

/* Scales one sample in place. */
static void
apply_gain (CartesiaSampleFormat format, guint8 * s, gfloat gain)
{
  switch (format) {
    case CARTESIA_SAMPLE_S16LE:{
      gint16 v = GINT16_FROM_LE (*(gint16 *) s);

      *(gint16 *) s = GINT16_TO_LE ((gint16) (v * gain));
      break;
    }
    case CARTESIA_SAMPLE_F32LE:{
      guint32 bits = GUINT32_FROM_LE (*(guint32 *) s);
      gfloat f;

      memcpy (&f, &bits, 4);
      f *= gain;
      memcpy (&bits, &f, 4);
      *(guint32 *) s = GUINT32_TO_LE (bits);
      break;
    }
    case CARTESIA_SAMPLE_MULAW:
      *s = ulaw_encode ((gint) (ulaw_decode (*s) * gain));
      break;
    case CARTESIA_SAMPLE_ALAW:
      *s = alaw_encode ((gint) (alaw_decode (*s) * gain));
      break;
  }
}

void
cartesia_player_silence (CartesiaSampleFormat format, guint8 * out, guint n)
{
  switch (format) {
    case CARTESIA_SAMPLE_MULAW:
      memset (out, 0xff, n);
      break;
    case CARTESIA_SAMPLE_ALAW:
      memset (out, 0xd5, n);
      break;
    default:
      memset (out, 0, (gsize) n * cartesia_player_bytes_per_sample (format));
      break;
  }
}

/* ---- utterances ---- */

void
cartesia_player_set_prebuffer (CartesiaPlayer * p, guint samples)
{
  p->prebuffer = samples;
}

CartesiaPlayer *
cartesia_player_new (CartesiaSampleFormat format, guint fade_samples)
{
  CartesiaPlayer *p = g_new0 (CartesiaPlayer, 1);

  p->format = format;
  p->bps = cartesia_player_bytes_per_sample (format);
  p->fade = fade_samples;
  g_queue_init (&p->utterances);
  return p;
}

static void
utterance_free (gpointer data)
{
  Utterance *u = data;

  g_byte_array_unref (u->fifo);
  g_free (u);
}

void
cartesia_player_free (CartesiaPlayer * p)
{
  if (p == NULL)
    return;
  g_queue_clear_full (&p->utterances, utterance_free);
  g_free (p);
}

static Utterance *
lookup (CartesiaPlayer * p, guint id)
{
  GList *l;

  for (l = p->utterances.head; l; l = l->next)
    if (((Utterance *) l->data)->id == id)
      return l->data;
  return NULL;
}

void
cartesia_player_add (CartesiaPlayer * p, guint id)
{
  Utterance *u = g_new0 (Utterance, 1);

  u->id = id;
  u->fifo = g_byte_array_new ();
  g_queue_push_tail (&p->utterances, u);
}

gboolean
cartesia_player_has (CartesiaPlayer * p, guint id)
{
  return lookup (p, id) != NULL;
}

gboolean
cartesia_player_is_playing (CartesiaPlayer * p, guint id)
{
  Utterance *u = lookup (p, id);

  return u && u->started;
}

void
cartesia_player_push (CartesiaPlayer * p, guint id, const guint8 * data,
    gsize len)
{
  Utterance *u = lookup (p, id);
  gsize whole;

  if (u == NULL || u->done || u->interrupted || len == 0)
    return;
  /* Drop what was played, now and then, rather than on every read. */
  if (u->read > 65536 && u->read > u->fifo->len / 2) {
    g_byte_array_remove_range (u->fifo, 0, u->read);
    u->read = 0;
  }
  if (u->partial_len) {
    guint need = p->bps - u->partial_len, take = MIN (need, len);

    memcpy (u->partial + u->partial_len, data, take);
    u->partial_len += take;
    data += take;
    len -= take;
    if (u->partial_len < p->bps)
      return;
    g_byte_array_append (u->fifo, u->partial, p->bps);
    u->pushed++;
    u->partial_len = 0;
  }
  whole = len - len % p->bps;
  g_byte_array_append (u->fifo, data, whole);
  u->pushed += whole / p->bps;
  u->partial_len = len - whole;
  memcpy (u->partial, data + whole, u->partial_len);
}

void
cartesia_player_finish (CartesiaPlayer * p, guint id)
{
  Utterance *u = lookup (p, id);

  if (u)
    u->done = TRUE;
}

static void
remove_utterance (CartesiaPlayer * p, Utterance * u)
{
  if (u->started && p->fade > 0) {
    /* Let fill() fade it out and report it. */
    u->interrupted = TRUE;
    u->fade_left = p->fade;
    return;
  }
  if (u->started) {
    u->interrupted = TRUE;
    u->fade_left = 0;
    return;
  }
  g_queue_remove (&p->utterances, u);
  utterance_free (u);
}

void
cartesia_player_remove (CartesiaPlayer * p, guint id)
{
  Utterance *u = lookup (p, id);

  if (u && !u->interrupted)
    remove_utterance (p, u);
}

void
cartesia_player_remove_all (CartesiaPlayer * p)
{
  GList *l = p->utterances.head;

  while (l) {
    GList *next = l->next;
    Utterance *u = l->data;

    if (!u->interrupted)
      remove_utterance (p, u);
    l = next;
  }
}

/* ---- the timeline ---- */

static guint64
available (CartesiaPlayer * p, Utterance * u)
{
  return (u->fifo->len - u->read) / p->bps;
}

/* Copies @k samples of @u's audio to @out, fading its edges. */
static void
copy_audio (CartesiaPlayer * p, Utterance * u, guint8 * out, guint k)
{
  guint i;

  memcpy (out, u->fifo->data + u->read, (gsize) k * p->bps);
  for (i = 0; p->fade && i < k; i++) {
    guint64 index = u->consumed + i;
    gfloat gain = 1.0f;

    if (index < p->fade)
      gain = (gfloat) (index + 1) / (p->fade + 1);
    if (u->done && u->pushed - index <= p->fade)
      gain = MIN (gain, (gfloat) (u->pushed - index) / (p->fade + 1));
    if (u->interrupted)
      gain = MIN (gain, (gfloat) (u->fade_left - i) / (p->fade + 1));
    if (gain < 1.0f)
      apply_gain (p->format, out + (gsize) i * p->bps, gain);
  }
  u->read += (gsize) k * p->bps;
  u->consumed += k;
  u->played += k;
}

static void
emit (GArray * events, CartesiaPlayerEventType type, Utterance * u,
    guint offset)
{
  CartesiaPlayerEvent e = { 0, };

  e.type = type;
  e.id = u->id;
  e.offset = offset;
  e.samples = u->played;
  e.underrun_samples = u->underrun;
  e.interrupted = u->interrupted;
  g_array_append_val (events, e);
}

static void
finish_head (CartesiaPlayer * p, guint offset, GArray * events)
{
  Utterance *u = g_queue_pop_head (&p->utterances);

  emit (events, CARTESIA_PLAYER_FINISHED, u, offset);
  utterance_free (u);
}

void
cartesia_player_fill (CartesiaPlayer * p, guint8 * out, guint n,
    GArray * events)
{
  guint pos = 0;

  while (pos < n) {
    Utterance *u = g_queue_peek_head (&p->utterances);
    guint64 avail;
    guint k;

    if (u == NULL)
      break;
    avail = available (p, u);

    if (u->interrupted) {
      k = MIN (MIN (avail, u->fade_left), n - pos);
      copy_audio (p, u, out + (gsize) pos * p->bps, k);
      pos += k;
      finish_head (p, pos, events);
      continue;
    }
    if (!u->started) {
      if (avail < MAX (p->prebuffer, 1) && !u->done)
        break;                  /* waiting for its first audio: silence */
      u->started = TRUE;
      emit (events, CARTESIA_PLAYER_STARTED, u, pos);
    }
    if (avail == 0) {
      if (u->done) {
        finish_head (p, pos, events);
        continue;
      }
      /* Audio late from the network: silence, and the timeline goes on. */
      u->underrun += n - pos;
      u->played += n - pos;
      break;
    }
    k = MIN (avail, n - pos);
    copy_audio (p, u, out + (gsize) pos * p->bps, k);
    pos += k;
  }
  if (pos < n)
    cartesia_player_silence (p->format, out + (gsize) pos * p->bps, n - pos);
}
