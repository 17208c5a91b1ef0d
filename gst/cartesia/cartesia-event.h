/* gst-cartesia: what the transport tells the element (pure).
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * A CartesiaEvent is one thing that happened to a context (or to every
 * context, when it names none): audio, words, done, an error.  This file
 * turns one parsed server message into one, and makes the one timeout
 * error the element gives an utterance the server left in silence.  No I/O
 * and no clock (the time is passed in): unit-tested in tests/check/event.c.
 */
#pragma once

#include <glib.h>
#include "cartesia-message.h"
#include "cartesia-policy.h"

G_BEGIN_DECLS

typedef enum
{
  CARTESIA_EVENT_SENT,          /* the request is with the server now */
  CARTESIA_EVENT_AUDIO,
  CARTESIA_EVENT_TIMESTAMPS,
  CARTESIA_EVENT_DONE,
  CARTESIA_EVENT_ERROR,
  CARTESIA_EVENT_PHONEMES,      /* like TIMESTAMPS, with phonemes for words */
} CartesiaEventType;

typedef struct
{
  CartesiaEventType type;
  gchar *context_id;            /* NULL: concerns every open context */
  gint64 received_at;           /* g_get_monotonic_time() when it came in */

  /* AUDIO: decoded samples, exactly as the server sent them */
  GBytes *audio;

  /* TIMESTAMPS: words, start and end in seconds from the context's start */
  guint n_words;
  gchar **words;
  gdouble *word_start;
  gdouble *word_end;

  /* ERROR */
  CartesiaErrorKind error_kind;
  guint http_status;            /* 0 when there was none */
  guint tls_errors;             /* GTlsCertificateFlags of a refused certificate */
  gchar *error_text;            /* for people: safe to show, never holds the key */
  gchar *error_debug;           /* more detail for the debug part of the message */
  gchar *request_id;            /* the server's id of the request (X-Request-Id
                                 * or request_id), for support; or NULL */
} CartesiaEvent;

/* An event of @type for @context_id (copied; NULL: every context) that
 * came in at @received_at (g_get_monotonic_time()). */
CartesiaEvent *cartesia_event_new (CartesiaEventType type,
    const gchar * context_id, gint64 received_at);

/* An ERROR event; takes @text and @debug (which may be NULL). */
CartesiaEvent *cartesia_event_new_error (const gchar * context_id,
    gint64 received_at, CartesiaErrorKind kind, guint http_status,
    gchar * text, gchar * debug);

/* The error of an utterance the server left in silence: the stall text
 * when @stall_ms (silence in the middle of its audio; 0 before its audio)
 * is set and shorter than @timeout_s, else the timeout text.  A READ
 * error, for @context_id (NULL when the caller has none). */
CartesiaEvent *cartesia_event_new_timeout (const gchar * context_id,
    gint64 received_at, guint timeout_s, guint stall_ms);

/* What @msg (parsed, for the context it names) means for the element:
 * CHUNK → AUDIO (decoded; NULL for an empty chunk; a DECODE error for
 * data that is not base64), TIMESTAMPS → TIMESTAMPS and
 * PHONEME_TIMESTAMPS → PHONEMES (the arrays move over from @msg), DONE →
 * DONE, ERROR_MESSAGE → ERROR (its kind from the status; its request_id
 * as the server sent it, or NULL).  NULL for any other message. */
CartesiaEvent *cartesia_event_from_message (CartesiaMessage * msg,
    gint64 received_at);

CartesiaEvent *cartesia_event_copy (const CartesiaEvent * event);
void cartesia_event_free (CartesiaEvent * event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CartesiaEvent, cartesia_event_free);

G_END_DECLS
