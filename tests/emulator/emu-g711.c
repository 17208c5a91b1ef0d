/* ITU-T G.711 companding by the classic segment search (the algorithm of
 * the reference implementation published with the recommendation). */
#include "emu-g711.h"

#define SIGN_BIT 0x80
#define QUANT_MASK 0x0f
#define SEG_SHIFT 4
#define SEG_MASK 0x70
#define ULAW_BIAS 0x84
#define ULAW_CLIP 8159

static const gint seg_uend[8] = {
  0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff
};

static const gint seg_aend[8] = {
  0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff
};

static gint
segment_of (gint value, const gint * table)
{
  gint i;

  for (i = 0; i < 8; i++) {
    if (value <= table[i])
      return i;
  }
  return 8;
}

guint8
emu_g711_linear_to_ulaw (gint16 pcm)
{
  /* mu-law works on 14-bit magnitudes */
  gint value = pcm >> 2;
  gint mask, seg;

  if (value < 0) {
    value = -value;
    mask = 0x7f;
  } else {
    mask = 0xff;
  }
  if (value > ULAW_CLIP)
    value = ULAW_CLIP;
  value += ULAW_BIAS >> 2;

  seg = segment_of (value, seg_uend);
  if (seg >= 8)
    return (guint8) (0x7f ^ mask);

  return (guint8) (((seg << 4) | ((value >> (seg + 1)) & 0x0f)) ^ mask);
}

guint8
emu_g711_linear_to_alaw (gint16 pcm)
{
  /* A-law works on 13-bit magnitudes */
  gint value = pcm >> 3;
  gint mask, seg, aval;

  if (value >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    value = -value - 1;
  }

  seg = segment_of (value, seg_aend);
  if (seg >= 8)
    return (guint8) (0x7f ^ mask);

  aval = seg << SEG_SHIFT;
  if (seg < 2)
    aval |= (value >> 1) & QUANT_MASK;
  else
    aval |= (value >> seg) & QUANT_MASK;

  return (guint8) (aval ^ mask);
}

gint16
emu_g711_ulaw_to_linear (guint8 ulaw)
{
  gint u = ~ulaw & 0xff;
  gint t = ((u & QUANT_MASK) << 3) + ULAW_BIAS;

  t <<= (u & SEG_MASK) >> SEG_SHIFT;
  return (gint16) ((u & SIGN_BIT) ? (ULAW_BIAS - t) : (t - ULAW_BIAS));
}

gint16
emu_g711_alaw_to_linear (guint8 alaw)
{
  gint a = alaw ^ 0x55;
  gint t = (a & QUANT_MASK) << 4;
  gint seg = (a & SEG_MASK) >> SEG_SHIFT;

  switch (seg) {
    case 0:
      t += 8;
      break;
    case 1:
      t += 0x108;
      break;
    default:
      t += 0x108;
      t <<= seg - 1;
      break;
  }
  return (gint16) ((a & SIGN_BIT) ? t : -t);
}
