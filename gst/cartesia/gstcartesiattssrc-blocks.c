/* GStreamer Cartesia text-to-speech source: non-live buffer sizes
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/* Non-live, text from the property: GstBaseSrc's blocksize.  Left at its
 * default (-1, as audiotestsrc has it), each buffer is what the server sent
 * in one chunk, pushed as soon as it arrives.  Set, every buffer holds
 * blocksize bytes (rounded down to whole samples, at least one), except the
 * last of an utterance; the chunks are regrouped without copying.  Live
 * mode and the sink pad size their buffers by samplesperbuffer instead. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc-private.h"

void
gst_cartesia_tts_src_blocks_init (GstCartesiaTtsSrc * self)
{
  self->blocks = gst_adapter_new ();
  gst_base_src_set_blocksize (GST_BASE_SRC (self), G_MAXUINT);
}

/* Bytes per buffer, whole samples; 0: the server's chunks. */
static gsize
block_bytes (GstCartesiaTtsSrc * self)
{
  guint blocksize = gst_base_src_get_blocksize (GST_BASE_SRC (self));

  if (blocksize == 0 || blocksize == G_MAXUINT || self->bpf == 0)
    return 0;
  return (gsize) MAX (blocksize / self->bpf, 1) * self->bpf;
}

/* Takes @audio (whole samples, may be NULL) and returns the next buffer to
 * push, or NULL when a block is not complete yet; with @drain, what is left
 * of the utterance, however short. */
GstBuffer *
gst_cartesia_tts_src_blocks_take (GstCartesiaTtsSrc * self,
    GstBuffer * audio, gboolean drain)
{
  gsize block = block_bytes (self);
  gsize available = gst_adapter_available (self->blocks);

  if (block == 0 && available == 0)
    return audio;
  if (audio) {
    gst_adapter_push (self->blocks, audio);
    available = gst_adapter_available (self->blocks);
  }
  /* Full blocks leave before the server's next event is read, so a drain
   * finds less than one, unless blocksize changed in the middle of the
   * utterance: then what waits goes, in one buffer. */
  if (block == 0 || drain)
    block = available;
  if (available == 0 || available < block)
    return NULL;
  return gst_adapter_take_buffer_fast (self->blocks, block);
}
