/* GStreamer Cartesia text-to-speech source: never silent, never stuck
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/* What guards a pipeline that runs for days against its inputs and
 * settings: text from the application made valid UTF-8 (and cut into inputs
 * that fit in a WebSocket frame: gstcartesiattssrc-request.c), empty text and refused requests said out
 * loud, properties that cannot change while running refused, and settings
 * that would make the element spin warned about. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc-private.h"
#include "cartesia-policy.h"

#include <string.h>

#define GST_CAT_DEFAULT gst_cartesia_tts_src_debug

gchar *
gst_cartesia_tts_src_clean_text (GstCartesiaTtsSrc * self, const gchar * text,
    const gchar * what)
{
  CartesiaTextReader *reader;
  gchar *valid, *rest, *joined;
  guint invalid = 0;

  if (text == NULL || *text == '\0')
    return NULL;
  if (g_utf8_validate (text, -1, NULL))
    return g_strdup (text);

  reader = cartesia_text_reader_new (FALSE);
  valid = cartesia_text_reader_feed (reader, (const guint8 *) text,
      strlen (text), &invalid);
  rest = cartesia_text_reader_finish (reader, &invalid);
  cartesia_text_reader_free (reader);
  joined = g_strconcat (valid, rest, NULL);
  g_free (valid);
  g_free (rest);
  GST_ELEMENT_WARNING (self, STREAM, FORMAT,
      ("The %s is not valid UTF-8: %u invalid sequences were replaced with "
          "U+FFFD", what, invalid), (NULL));
  return joined;
}

/* Driven by the flags alone, so that every property is covered: one
 * flagged GST_PARAM_MUTABLE_PLAYING changes at any time, one flagged
 * GST_PARAM_MUTABLE_PAUSED up to PAUSED, one flagged GST_PARAM_MUTABLE_READY
 * only in NULL or READY. */
gboolean
gst_cartesia_tts_src_refuse_property (GstCartesiaTtsSrc * self,
    GParamSpec * pspec)
{
  GstState state;

  if (pspec->flags & GST_PARAM_MUTABLE_PLAYING)
    return FALSE;
  if (!(pspec->flags & (GST_PARAM_MUTABLE_READY | GST_PARAM_MUTABLE_PAUSED)))
    return FALSE;

  GST_OBJECT_LOCK (self);
  state = GST_STATE (self);
  GST_OBJECT_UNLOCK (self);
  if (state < GST_STATE_PAUSED)
    return FALSE;
  if (state == GST_STATE_PAUSED && (pspec->flags & GST_PARAM_MUTABLE_PAUSED))
    return FALSE;

  GST_ELEMENT_WARNING (self, CORE, STATE_CHANGE,
      ("The %s property cannot change while the element is running; the "
          "change is ignored (set it in the READY or NULL state)",
          pspec->name), (NULL));
  return TRUE;
}

void
gst_cartesia_tts_src_check_settings (GstCartesiaTtsSrc * self)
{
  gboolean spin;

  GST_OBJECT_LOCK (self);
  spin = self->retries < 0 && (self->retry_backoff_factor == 0.0
      || self->retry_backoff_max == 0.0);
  GST_OBJECT_UNLOCK (self);
  if (spin)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("retries=-1 without a backoff (retry-backoff-factor or "
            "retry-backoff-max is 0) would retry an unreachable server "
            "without pause: attempts after the third wait %u ms",
            CARTESIA_RETRY_MIN_DELAY_MS), (NULL));
}
