/* GStreamer Cartesia text-to-speech source
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>
#include <gst/base/gstpushsrc.h>

G_BEGIN_DECLS

#define GST_TYPE_CARTESIA_TTS_SRC (gst_cartesia_tts_src_get_type ())
G_DECLARE_FINAL_TYPE (GstCartesiaTtsSrc, gst_cartesia_tts_src, GST,
    CARTESIA_TTS_SRC, GstPushSrc);

#define GST_TYPE_CARTESIA_TRANSPORT (gst_cartesia_transport_get_type ())
GType gst_cartesia_transport_get_type (void);

GST_ELEMENT_REGISTER_DECLARE (cartesiattssrc);

G_END_DECLS
