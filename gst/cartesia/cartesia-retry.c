/* gst-cartesia: how long to wait before trying again (pure).
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

#include "cartesia-retry.h"

guint
cartesia_retry_backoff_ms (gdouble factor, gdouble max, guint attempt,
    gdouble jitter)
{
  gdouble delay;

  /* Anything not a number is no wait at all. */
  if (!(factor > 0.0))
    factor = 0.0;
  if (!(max >= 0.0))
    max = 0.0;
  if (!(jitter >= 0.0))
    jitter = 0.0;
  jitter = MIN (jitter, 1.0);

  delay = factor * (gdouble) (1u << MIN (MAX (attempt, 1) - 1, 20));
  delay = MIN (delay, max);
  delay *= 1.0 - jitter;
  /* In milliseconds, before any cast: a guint holds an hour's worth. */
  delay = MIN (delay * 1000.0, (gdouble) CARTESIA_RETRY_MAX_DELAY_MS);
  if (attempt > 3)
    delay = MAX (delay, (gdouble) CARTESIA_RETRY_MIN_DELAY_MS);
  return (guint) delay;
}

gboolean
cartesia_retry_should_wait (CartesiaErrorKind kind, guint http_status,
    gint64 queued_at, gint64 now, guint max_wait_ms)
{
  if (max_wait_ms == 0)
    return FALSE;
  if (kind != CARTESIA_ERROR_OPEN && kind != CARTESIA_ERROR_READ)
    return FALSE;
  if (http_status != 0 && http_status != 408 && http_status != 429
      && http_status < 500)
    return FALSE;
  return now - queued_at < (gint64) max_wait_ms * 1000;
}
