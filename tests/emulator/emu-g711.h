/* ITU-T G.711 mu-law and A-law companding, written for the emulator so that
 * it does not share code with the plugin or with GStreamer. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

guint8 emu_g711_linear_to_ulaw (gint16 pcm);
guint8 emu_g711_linear_to_alaw (gint16 pcm);
gint16 emu_g711_ulaw_to_linear (guint8 ulaw);
gint16 emu_g711_alaw_to_linear (guint8 alaw);

G_END_DECLS
