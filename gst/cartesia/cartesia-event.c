/* gst-cartesia: what the transport tells the element (pure).
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cartesia-event.h"

#include <string.h>

CartesiaEvent *
cartesia_event_new (CartesiaEventType type, const gchar * context_id,
    gint64 received_at)
{
  CartesiaEvent *event = g_new0 (CartesiaEvent, 1);

  event->type = type;
  event->context_id = g_strdup (context_id);
  event->received_at = received_at;
  return event;
}

CartesiaEvent *
cartesia_event_new_error (const gchar * context_id, gint64 received_at,
    CartesiaErrorKind kind, guint http_status, gchar * text, gchar * debug)
{
  CartesiaEvent *event = cartesia_event_new (CARTESIA_EVENT_ERROR,
      context_id, received_at);

  event->error_kind = kind;
  event->http_status = http_status;
  event->error_text = text;
  event->error_debug = debug;
  return event;
}

CartesiaEvent *
cartesia_event_new_timeout (const gchar * context_id, gint64 received_at,
    guint timeout_s, guint stall_ms)
{
  gchar *text;

  if (stall_ms && (timeout_s == 0 || stall_ms < timeout_s * 1000u))
    text = g_strdup_printf ("The server stalled: no audio for %u ms in the "
        "middle of the utterance (stall-timeout)", stall_ms);
  else
    text = g_strdup_printf ("The server sent nothing for %u seconds "
        "(timeout)", timeout_s);
  return cartesia_event_new_error (context_id, received_at,
      CARTESIA_ERROR_READ, 0, text, NULL);
}

static CartesiaEvent *
audio_from_chunk (const CartesiaMessage * msg, gint64 received_at)
{
  gsize len = msg->data ? strlen (msg->data) : 0, out_len = 0;
  CartesiaEvent *event;
  guint8 *out;

  if (len == 0)
    return NULL;
  out = g_malloc (cartesia_base64_decoded_max (len));
  if (!cartesia_base64_decode (msg->data, len, out, &out_len)) {
    g_free (out);
    return cartesia_event_new_error (msg->context_id, received_at,
        CARTESIA_ERROR_DECODE, 0,
        g_strdup ("The server sent audio that is not valid base64"), NULL);
  }
  event = cartesia_event_new (CARTESIA_EVENT_AUDIO, msg->context_id,
      received_at);
  event->audio = g_bytes_new_take (out, out_len);
  return event;
}

static CartesiaEvent *
words_from_timestamps (CartesiaMessage * msg, gint64 received_at)
{
  CartesiaEvent *event = cartesia_event_new (msg->type ==
      CARTESIA_MESSAGE_PHONEME_TIMESTAMPS ? CARTESIA_EVENT_PHONEMES :
      CARTESIA_EVENT_TIMESTAMPS, msg->context_id, received_at);

  /* Move the arrays over rather than copying them. */
  event->n_words = msg->n_words;
  event->words = g_steal_pointer (&msg->words);
  event->word_start = g_steal_pointer (&msg->word_start);
  event->word_end = g_steal_pointer (&msg->word_end);
  msg->n_words = 0;
  return event;
}

static CartesiaEvent *
error_from_message (const CartesiaMessage * msg, gint64 received_at)
{
  guint status = (guint) msg->status_code;
  CartesiaEvent *event = cartesia_event_new_error (msg->context_id,
      received_at, cartesia_policy_kind_for_status (status), status,
      cartesia_message_error_text (msg), msg->request_id ?
      g_strdup_printf ("request_id %s", msg->request_id) : NULL);

  event->request_id = g_strdup (msg->request_id);
  return event;
}

CartesiaEvent *
cartesia_event_from_message (CartesiaMessage * msg, gint64 received_at)
{
  switch (msg->type) {
    case CARTESIA_MESSAGE_CHUNK:
      return audio_from_chunk (msg, received_at);
    case CARTESIA_MESSAGE_TIMESTAMPS:
    case CARTESIA_MESSAGE_PHONEME_TIMESTAMPS:
      return words_from_timestamps (msg, received_at);
    case CARTESIA_MESSAGE_DONE:
      return cartesia_event_new (CARTESIA_EVENT_DONE, msg->context_id,
          received_at);
    case CARTESIA_MESSAGE_ERROR_MESSAGE:
      return error_from_message (msg, received_at);
    default:
      return NULL;
  }
}

CartesiaEvent *
cartesia_event_copy (const CartesiaEvent * e)
{
  CartesiaEvent *copy = g_memdup2 (e, sizeof (CartesiaEvent));

  copy->context_id = g_strdup (e->context_id);
  copy->audio = e->audio ? g_bytes_ref (e->audio) : NULL;
  copy->words = g_strdupv (e->words);
  copy->word_start = e->n_words ? g_memdup2 (e->word_start,
      e->n_words * sizeof (gdouble)) : NULL;
  copy->word_end = e->n_words ? g_memdup2 (e->word_end,
      e->n_words * sizeof (gdouble)) : NULL;
  copy->error_text = g_strdup (e->error_text);
  copy->error_debug = g_strdup (e->error_debug);
  copy->request_id = g_strdup (e->request_id);
  return copy;
}

void
cartesia_event_free (CartesiaEvent * event)
{
  if (event == NULL)
    return;
  g_free (event->context_id);
  if (event->audio)
    g_bytes_unref (event->audio);
  g_strfreev (event->words);
  g_free (event->word_start);
  g_free (event->word_end);
  g_free (event->error_text);
  g_free (event->error_debug);
  g_free (event->request_id);
  g_free (event);
}
