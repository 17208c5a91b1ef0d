/* GStreamer Cartesia text-to-speech source: an utterance's requests
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/* What goes to the server for an utterance: its inputs, each built with
 * the settings the utterance was queued with (or, for the sink pad's
 * streamed text, the ones its context was opened with), long text cut into
 * inputs that fit in a WebSocket frame, all handed to the session (which
 * writes the requests).  Called
 * with the object lock held, from any thread: the application's and the
 * sink pad's (gstcartesiattssrc-inbox.c, -sink.c) and the streaming
 * thread (-live.c, non-live gstcartesiattssrc.c). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc-private.h"
#include "cartesia-split.h"

#include <string.h>

#define GST_CAT_DEFAULT gst_cartesia_tts_src_debug

/* Object lock held, session set: one input of @context_id with @settings;
 * the transport writes the request. */
void
gst_cartesia_tts_src_send_input_with (GstCartesiaTtsSrc * self,
    const CartesiaSettings * settings, const gchar * context_id,
    const gchar * text, gboolean continue_)
{
  CartesiaRequestParams params = { 0, };

  gst_cartesia_tts_src_fill_request_params (self, settings, &params);
  /* Streamed text is gathered into clauses here: the server generates
   * each at once rather than wait out its own buffer (3 s by default). */
  if (params.max_buffer_delay_ms < 0 && self->sink_pad
      && self->sink_mode == GST_CARTESIA_INPUT_MODE_STREAM)
    params.max_buffer_delay_ms = 0;
  cartesia_session_send (self->session, context_id, &params, text,
      continue_);
}

/* Streamed text: every input of a context repeats the settings it was
 * opened with (Cartesia requires it), whatever changed since; any other
 * text from the sink pad has its next settings. */
void
gst_cartesia_tts_src_send_input (GstCartesiaTtsSrc * self,
    const gchar * context_id, const gchar * text, gboolean continue_)
{
  g_autoptr (CartesiaSettings) next = NULL;
  const CartesiaSettings *settings = self->stream_settings;

  if (settings == NULL || g_strcmp0 (context_id,
          self->stream_settings_id) != 0)
    settings = next = gst_cartesia_tts_src_sink_settings_locked (self);
  gst_cartesia_tts_src_send_input_with (self, settings, context_id, text,
      continue_);
}

/* One input: with @settings, or (NULL) those the sink pad's context has. */
static void
send_input (GstCartesiaTtsSrc * self, const CartesiaSettings * settings,
    const gchar * context_id, const gchar * text, gboolean continue_)
{
  if (settings)
    gst_cartesia_tts_src_send_input_with (self, settings, context_id, text,
        continue_);
  else
    gst_cartesia_tts_src_send_input (self, context_id, text, continue_);
}

void
gst_cartesia_tts_src_send_settings_text_locked (GstCartesiaTtsSrc * self,
    const CartesiaSettings * settings, const gchar * context_id,
    const gchar * text, gboolean continue_)
{
  gchar **pieces;
  guint i, n;

  /* Without continued contexts (SSE) there is no frame limit either: one
   * request. */
  if (!cartesia_session_continues_contexts (self->session)
      || strlen (text) <= CARTESIA_TEXT_MAX_INPUT) {
    send_input (self, settings, context_id, text, continue_);
    return;
  }

  pieces = cartesia_text_split (text, CARTESIA_TEXT_MAX_INPUT);
  n = g_strv_length (pieces);
  GST_INFO_OBJECT (self, "context %s: %" G_GSIZE_FORMAT " bytes of text sent "
      "as %u inputs", context_id, strlen (text), n);
  for (i = 0; i < n; i++)
    send_input (self, settings, context_id, pieces[i],
        i + 1 < n ? TRUE : continue_);
  g_strfreev (pieces);
}

void
gst_cartesia_tts_src_send_text_locked (GstCartesiaTtsSrc * self,
    const gchar * context_id, const gchar * text, gboolean continue_)
{
  gst_cartesia_tts_src_send_settings_text_locked (self, NULL, context_id,
      text, continue_);
}

/* Object lock held: requests @text with @settings under a new context id,
 * in as many inputs as its length needs. */
void
gst_cartesia_tts_src_send_request_locked (GstCartesiaTtsSrc * self,
    const CartesiaSettings * settings, const gchar * text,
    gchar ** context_id)
{
  *context_id = cartesia_request_new_context_id ();
  gst_cartesia_tts_src_send_settings_text_locked (self, settings, *context_id,
      text, FALSE);
}
