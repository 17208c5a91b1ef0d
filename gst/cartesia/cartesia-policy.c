/* gst-cartesia: when to try again, how long to wait, what to tell (pure).
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

#include "cartesia-policy.h"

CartesiaErrorKind
cartesia_policy_kind_for_status (guint status)
{
  if (status == 401 || status == 403)
    return CARTESIA_ERROR_NOT_AUTHORIZED;
  if (status == 404)
    return CARTESIA_ERROR_NOT_FOUND;
  if (status >= 400 && status < 500 && status != 408 && status != 429)
    return CARTESIA_ERROR_SETTINGS;
  return CARTESIA_ERROR_READ;
}

gboolean
cartesia_policy_attempts_left (const CartesiaRetryPolicy * policy,
    guint attempt)
{
  return policy->retries < 0 || attempt <= (guint) policy->retries;
}

gboolean
cartesia_policy_should_retry (const CartesiaRetryPolicy * policy,
    guint attempt, guint status, const GError * error)
{
  if (!cartesia_policy_attempts_left (policy, attempt))
    return FALSE;
  if (status == 408 || status == 429 || status >= 500)
    return TRUE;
  if (status != 0)
    return FALSE;
  /* No HTTP answer at all: retry what a flaky network does, not what a
   * wrong host name or certificate does. */
  return error && !(error->domain == G_RESOLVER_ERROR
      || error->domain == G_TLS_ERROR
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED));
}

guint
cartesia_policy_backoff_ms (gdouble factor, gdouble max, guint attempt,
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

guint
cartesia_policy_retry_delay_ms (const CartesiaRetryPolicy * policy,
    guint attempt, const gchar * retry_after, GRand * rand)
{
  /* A server that said when to come back is believed. */
  if (retry_after && g_ascii_isdigit (*retry_after)) {
    guint64 seconds = g_ascii_strtoull (retry_after, NULL, 10);

    return (guint) MIN (seconds, 3600) * 1000;
  }
  return cartesia_policy_backoff_ms (policy->backoff_factor,
      policy->backoff_max, attempt, g_rand_double_range (rand, 0.0,
          CARTESIA_RETRY_MAX_JITTER));
}

CartesiaErrorKind
cartesia_policy_describe_failure (guint status, const GError * error,
    guint attempts, const gchar * what, const gchar * details, gchar ** text)
{
  CartesiaErrorKind kind;
  gchar *t;

  if (status == 401 || status == 403) {
    kind = CARTESIA_ERROR_NOT_AUTHORIZED;
    t = g_strdup_printf ("The server refused the API key (HTTP %u%s%s)",
        status, details ? ": " : "", details ? details : "");
  } else if (status != 0) {
    kind = cartesia_policy_kind_for_status (status);
    t = g_strdup_printf ("The server refused the %s: HTTP %u%s%s", what,
        status, details ? ": " : "", details ? details : "");
  } else if (error && error->domain == G_RESOLVER_ERROR) {
    kind = CARTESIA_ERROR_NOT_FOUND;
    t = g_strdup_printf ("Could not resolve the server's host name: %s",
        error->message);
  } else if (error && (error->domain == G_TLS_ERROR
          || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)
          || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE)
          || g_error_matches (error, G_IO_ERROR,
              G_IO_ERROR_NETWORK_UNREACHABLE)
          || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))) {
    kind = CARTESIA_ERROR_OPEN;
    t = g_strdup_printf ("Could not connect to the server: %s",
        error->message);
  } else {
    /* Connected, then the server went away without an answer. */
    kind = CARTESIA_ERROR_READ;
    t = g_strdup_printf ("The connection to the server was lost before it "
        "answered: %s", error ? error->message : "unknown error");
  }
  if (attempts > 1) {
    *text = g_strdup_printf ("%s, after %u attempts", t, attempts);
    g_free (t);
  } else {
    *text = t;
  }
  return kind;
}

gchar *
cartesia_policy_failure_debug (guint status, const gchar * reason,
    const GError * error)
{
  if (status == 0)
    return g_strdup (error ? error->message : "no answer");
  return g_strdup_printf ("HTTP status %u%s%s%s%s", status,
      reason ? " " : "", reason ? reason : "", error ? ": " : "",
      error ? error->message : "");
}

gboolean
cartesia_policy_should_wait (CartesiaErrorKind kind, guint http_status,
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
