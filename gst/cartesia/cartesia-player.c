/* gst-cartesia: live playout of utterances on a fixed timeline (pure). */
#include "cartesia-player.h"

#include <string.h>

typedef struct
{
  guint id;
  CartesiaPlayerTiming timing;
  GByteArray *fifo;             /* audio not played yet, from @read on */
  gsize read;
  CartesiaSampleCarry carry;    /* a sample split across two pushes */
  guint64 pushed;               /* whole samples received */
  guint64 skip;                 /* samples still to drop from the head */
  guint64 dropped;              /* samples dropped from the head */
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
  gboolean edge_fades;
  guint prebuffer;
  guint64 position;             /* timeline samples filled */
  guint64 limit;                /* fill_ready() stops here */
  GQueue utterances;            /* in the order they were added */
  GByteArray *scratch;          /* one utterance's audio, before mixing */
};

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
  cartesia_format_silence (cartesia_format_from_sample_format (format), out,
      n);
}


/* Adds @n samples of @in to @out (both in the player's format), clamping. */
static void
mix (CartesiaSampleFormat format, guint8 * out, const guint8 * in, guint n)
{
  guint i;

  for (i = 0; i < n; i++) {
    switch (format) {
      case CARTESIA_SAMPLE_S16LE:{
        gint16 a, b;

        memcpy (&a, out + 2 * i, 2);
        memcpy (&b, in + 2 * i, 2);
        a = (gint16) CLAMP ((gint) GINT16_FROM_LE (a) + GINT16_FROM_LE (b),
            G_MININT16, G_MAXINT16);
        a = GINT16_TO_LE (a);
        memcpy (out + 2 * i, &a, 2);
        break;
      }
      case CARTESIA_SAMPLE_F32LE:{
        guint32 x, y;
        gfloat a, b;

        memcpy (&x, out + 4 * i, 4);
        memcpy (&y, in + 4 * i, 4);
        x = GUINT32_FROM_LE (x);
        y = GUINT32_FROM_LE (y);
        memcpy (&a, &x, 4);
        memcpy (&b, &y, 4);
        a = CLAMP (a + b, -1.0f, 1.0f);
        memcpy (&x, &a, 4);
        x = GUINT32_TO_LE (x);
        memcpy (out + 4 * i, &x, 4);
        break;
      }
      case CARTESIA_SAMPLE_MULAW:
        out[i] = ulaw_encode (CLAMP (ulaw_decode (out[i]) +
                ulaw_decode (in[i]), -32768, 32767));
        break;
      case CARTESIA_SAMPLE_ALAW:
        out[i] = alaw_encode (CLAMP (alaw_decode (out[i]) +
                alaw_decode (in[i]), -32768, 32767));
        break;
    }
  }
}

/* ---- utterances ---- */

void
cartesia_player_set_prebuffer (CartesiaPlayer * p, guint samples)
{
  p->prebuffer = samples;
}

void
cartesia_player_set_edge_fades (CartesiaPlayer * p, gboolean fades)
{
  p->edge_fades = fades;
}

CartesiaPlayer *
cartesia_player_new (CartesiaSampleFormat format, guint fade_samples)
{
  CartesiaPlayer *p = g_new0 (CartesiaPlayer, 1);

  p->format = format;
  p->bps = cartesia_format_from_sample_format (format)->bytes_per_sample;
  p->fade = fade_samples;
  p->edge_fades = TRUE;
  p->limit = CARTESIA_PLAYER_NONE;
  p->scratch = g_byte_array_new ();
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
  g_byte_array_unref (p->scratch);
  g_free (p);
}

void
cartesia_player_set_limit (CartesiaPlayer * p, guint64 limit)
{
  p->limit = limit;
}

guint64
cartesia_player_get_position (CartesiaPlayer * p)
{
  return p->position;
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
cartesia_player_add_timed (CartesiaPlayer * p, guint id,
    const CartesiaPlayerTiming * timing)
{
  Utterance *u = g_new0 (Utterance, 1);

  u->id = id;
  u->timing = *timing;
  u->fifo = g_byte_array_new ();
  cartesia_sample_carry_init (&u->carry, p->bps);
  g_queue_push_tail (&p->utterances, u);
}

void
cartesia_player_add (CartesiaPlayer * p, guint id)
{
  CartesiaPlayerTiming timing = { CARTESIA_PLAYER_NONE, CARTESIA_PLAYER_NONE,
    TRUE, FALSE
  };

  cartesia_player_add_timed (p, id, &timing);
}

gboolean
cartesia_player_has (CartesiaPlayer * p, guint id)
{
  return lookup (p, id) != NULL;
}

void
cartesia_player_set_not_before (CartesiaPlayer * p, guint id,
    guint64 position)
{
  Utterance *u = lookup (p, id);

  if (u == NULL || u->started)
    return;
  if (u->timing.start == CARTESIA_PLAYER_NONE || u->timing.start < position)
    u->timing.start = position;
}

gboolean
cartesia_player_is_playing (CartesiaPlayer * p, guint id)
{
  Utterance *u = lookup (p, id);

  return u && u->started;
}

static guint64
available (CartesiaPlayer * p, Utterance * u)
{
  return (u->fifo->len - u->read) / p->bps;
}

/* Drops audio a late start skipped, from what has arrived. */
static void
drop_skipped (CartesiaPlayer * p, Utterance * u)
{
  guint64 k = MIN (u->skip, available (p, u));

  u->read += (gsize) k * p->bps;
  u->skip -= k;
  u->dropped += k;
}

void
cartesia_player_push (CartesiaPlayer * p, guint id, const guint8 * data,
    gsize len)
{
  Utterance *u = lookup (p, id);
  CartesiaSampleSplit split;

  if (u == NULL || u->done || u->interrupted || len == 0)
    return;
  /* Drop what was played, now and then, rather than on every read. */
  if (u->read > 65536 && u->read > u->fifo->len / 2) {
    g_byte_array_remove_range (u->fifo, 0, u->read);
    u->read = 0;
  }
  cartesia_sample_carry_push (&u->carry, data, len, &split);
  g_byte_array_append (u->fifo, split.head, split.head_len);
  g_byte_array_append (u->fifo, split.body, split.body_len);
  u->pushed += (split.head_len + split.body_len) / p->bps;
  if (u->skip)
    drop_skipped (p, u);
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
  if (u->started) {
    /* Let fill() fade it out and report it. */
    u->interrupted = TRUE;
    u->fade_left = p->fade;
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

/* ---- the timeline ---- */

/* Copies @k samples of @u's audio, at timeline sample @at, to @out, fading
 * where it begins, ends, is cut or is interrupted. */
static void
copy_audio (CartesiaPlayer * p, Utterance * u, guint64 at, guint8 * out,
    guint k)
{
  guint i;

  memcpy (out, u->fifo->data + u->read, (gsize) k * p->bps);
  for (i = 0; p->fade && i < k; i++) {
    guint64 index = u->consumed + i;
    gfloat gain = 1.0f;

    if (p->edge_fades) {
      guint64 left = u->pushed - u->dropped - index;

      if (index < p->fade)
        gain = (gfloat) (index + 1) / (p->fade + 1);
      if (u->done && left <= p->fade)
        gain = MIN (gain, (gfloat) left / (p->fade + 1));
    }
    if (u->timing.end != CARTESIA_PLAYER_NONE
        && u->timing.end - (at + i) <= p->fade)
      gain = MIN (gain, (gfloat) (u->timing.end - (at + i)) / (p->fade + 1));
    if (u->interrupted)
      gain = MIN (gain, (gfloat) (u->fade_left - i) / (p->fade + 1));
    if (gain < 1.0f)
      apply_gain (p->format, out + (gsize) i * p->bps, gain);
  }
  u->read += (gsize) k * p->bps;
  u->consumed += k;
}

static void
emit (GArray * events, CartesiaPlayerEventType type, Utterance * u,
    guint offset, gboolean clipped)
{
  CartesiaPlayerEvent e = { 0, };

  e.type = type;
  e.id = u->id;
  e.offset = offset;
  e.samples = u->played;
  e.underrun_samples = u->underrun;
  e.interrupted = u->interrupted;
  e.clipped = clipped;
  e.skipped = u->dropped + u->skip;
  g_array_append_val (events, e);
}

/* Ends whatever is over at the current position.  TRUE if any ended. */
static gboolean
finish_ended (CartesiaPlayer * p, guint pos, GArray * events)
{
  GList *l = p->utterances.head;
  gboolean any = FALSE;

  while (l) {
    GList *next = l->next;
    Utterance *u = l->data;
    gboolean at_end = u->timing.end != CARTESIA_PLAYER_NONE
        && p->position >= u->timing.end;
    gboolean over = at_end;

    if (u->started && u->interrupted)
      over = over || u->fade_left == 0 || available (p, u) == 0;
    else if (u->started)
      /* Done: no more audio comes, even for what a late start skips. */
      over = over || (u->done && available (p, u) == 0);
    else
      over = at_end;            /* its time went by before its audio came */
    if (over) {
      emit (events, CARTESIA_PLAYER_FINISHED, u, pos, at_end && !(u->done
              && available (p, u) == 0));
      g_queue_delete_link (&p->utterances, l);
      utterance_free (u);
      any = TRUE;
    }
    l = next;
  }
  return any;
}

/* Starts what is due and ready.  Returns FALSE when @strict and something
 * due is not ready (non-live waits for it rather than start it late), or
 * when something would start after @pos > 0 (it starts the next fill). */
static gboolean
start_due (CartesiaPlayer * p, guint pos, gboolean strict, GArray * events)
{
  GList *l;

  for (l = p->utterances.head; l; l = l->next) {
    Utterance *u = l->data;
    guint64 late;

    if (u->started)
      continue;
    if (u->timing.after_previous && l != p->utterances.head)
      continue;
    if (u->timing.start != CARTESIA_PLAYER_NONE
        && u->timing.start > p->position)
      continue;
    if (available (p, u) < MAX (p->prebuffer, 1) && !u->done) {
      if (strict)
        return FALSE;           /* non-live waits rather than start late */
      continue;                 /* waiting for its first audio */
    }
    if (strict && pos > 0)
      return FALSE;
    late = u->timing.start != CARTESIA_PLAYER_NONE ?
        p->position - u->timing.start : 0;
    if (late && u->timing.cut_late_start) {
      u->skip = late;
      drop_skipped (p, u);
    }
    u->started = TRUE;
    emit (events, CARTESIA_PLAYER_STARTED, u, pos, FALSE);
  }
  return TRUE;
}

/* @partial (live): stop where started speech runs dry after the first
 * sample, rather than fill in silence. */
static guint
fill (CartesiaPlayer * p, guint8 * out, guint n, gboolean strict,
    gboolean partial, guint64 horizon, GArray * events)
{
  guint pos = 0;

  while (pos < n) {
    guint seg = n - pos;
    gboolean active = FALSE, contributed = FALSE;
    GList *l;

    while (finish_ended (p, pos, events));
    if (!start_due (p, pos, strict, events))
      break;
    if (finish_ended (p, pos, events))
      continue;                 /* an empty one: maybe the next can start */

    /* The longest stretch over which nothing starts, ends or runs dry. */
    for (l = p->utterances.head; l; l = l->next) {
      Utterance *u = l->data;
      guint64 avail = available (p, u);

      if (!u->started) {
        /* Due but waiting (for its audio, or for those before it): no
         * bound from its start, which would be 0, but its end may come. */
        if (u->timing.start != CARTESIA_PLAYER_NONE
            && u->timing.start > p->position)
          seg = MIN (seg, u->timing.start - p->position);
        else if (u->timing.end != CARTESIA_PLAYER_NONE)
          seg = MIN (seg, u->timing.end - p->position);
        continue;
      }
      active = TRUE;
      if (avail == 0 && strict)
        goto out;               /* would underrun: wait for the network */
      if (avail == 0 && partial && pos > 0 && !u->done && !u->interrupted)
        goto out;               /* its deadline is later: push what is here */
      if (avail)
        seg = MIN (seg, avail);
      if (u->interrupted)
        seg = MIN (seg, u->fade_left);
      if (u->timing.end != CARTESIA_PLAYER_NONE)
        seg = MIN (seg, u->timing.end - p->position);
    }
    if (strict && p->limit != CARTESIA_PLAYER_NONE) {
      if (p->position >= p->limit)
        break;
      seg = MIN (seg, p->limit - p->position);
    }
    if (strict && !active) {
      if (horizon == CARTESIA_PLAYER_NONE)
        horizon = G_MAXUINT64 - 1;
      if (p->position >= horizon)
        break;
      seg = MIN (seg, horizon - p->position);
    }

    for (l = p->utterances.head; l; l = l->next) {
      Utterance *u = l->data;
      guint8 *dest = out + (gsize) pos * p->bps;

      if (!u->started)
        continue;
      u->played += seg;
      if (available (p, u) == 0) {
        /* Audio late from the network: silence, and the timeline goes on. */
        u->underrun += seg;
        continue;
      }
      if (!contributed) {
        copy_audio (p, u, p->position, dest, seg);
      } else {
        g_byte_array_set_size (p->scratch, (guint) seg * p->bps);
        copy_audio (p, u, p->position, p->scratch->data, seg);
        mix (p->format, dest, p->scratch->data, seg);
      }
      if (u->interrupted)
        u->fade_left -= seg;
      contributed = TRUE;
    }
    if (!contributed)
      cartesia_player_silence (p->format, out + (gsize) pos * p->bps, seg);
    pos += seg;
    p->position += seg;
  }
out:
  /* What ended exactly at the end of this fill is reported with it. */
  while (finish_ended (p, pos, events));
  return pos;
}

void
cartesia_player_fill (CartesiaPlayer * p, guint8 * out, guint n,
    GArray * events)
{
  fill (p, out, n, FALSE, FALSE, CARTESIA_PLAYER_NONE, events);
}

guint
cartesia_player_fill_live (CartesiaPlayer * p, guint8 * out, guint n,
    GArray * events)
{
  return fill (p, out, n, FALSE, TRUE, CARTESIA_PLAYER_NONE, events);
}

guint
cartesia_player_fill_ready (CartesiaPlayer * p, guint8 * out, guint n,
    guint64 horizon, GArray * events)
{
  return fill (p, out, n, TRUE, FALSE, horizon, events);
}
