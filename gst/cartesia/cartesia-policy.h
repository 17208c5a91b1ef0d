/* gst-cartesia: when to try again, how long to wait, what to tell (pure).
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * The transport's decisions about a failed attempt, apart from the sockets
 * that produce them: whether to retry, the backoff (bounded, with the
 * random source passed in), the kind of error a status is, and the text a
 * user reads.  No I/O, no clock, no global state: unit-tested in
 * tests/check/policy.c.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What went wrong, in the terms the element maps to GStreamer errors. */
typedef enum
{
  CARTESIA_ERROR_SETTINGS,      /* the request was refused as invalid (4xx) */
  CARTESIA_ERROR_NOT_AUTHORIZED,        /* 401/403 */
  CARTESIA_ERROR_NOT_FOUND,     /* 404, unknown host */
  CARTESIA_ERROR_OPEN,          /* could not connect (after retries), TLS */
  CARTESIA_ERROR_READ,          /* connection lost, retryable status after retries */
  CARTESIA_ERROR_DECODE,        /* the server sent data this client cannot read */
} CartesiaErrorKind;

/* The least wait between two attempts after the third in a row, so that
 * retries=-1 with no backoff cannot spin a core on a server that is down. */
#define CARTESIA_RETRY_MIN_DELAY_MS 100
/* The longest wait between two attempts: an hour. */
#define CARTESIA_RETRY_MAX_DELAY_MS (3600u * 1000u)
/* The most of a backoff that jitter takes off, so that many clients refused
 * at once do not come back at once. */
#define CARTESIA_RETRY_MAX_JITTER 0.25

/* The retry settings of a connection (the element's properties). */
typedef struct
{
  gint retries;                 /* attempts after the first; -1 = forever */
  gdouble backoff_factor;       /* seconds */
  gdouble backoff_max;          /* seconds */
} CartesiaRetryPolicy;

/* The error kind an HTTP @status gives: 401/403 not authorized, 404 not
 * found, another 4xx but 408 and 429 the settings, anything else (408,
 * 429, 5xx, 0) a read error. */
CartesiaErrorKind cartesia_policy_kind_for_status (guint status);

/* TRUE while @policy allows another try after @attempt failed attempts
 * (this one included). */
gboolean cartesia_policy_attempts_left (const CartesiaRetryPolicy * policy,
    guint attempt);

/* Whether to try again after @attempt failed attempts (this one included)
 * that ended with HTTP @status (0: no answer) or @error: 408, 429 and 5xx
 * are, other statuses are not; without an answer, what a flaky network
 * does is, what a wrong host name (GResolverError), a certificate
 * (GTlsError) or an unsupported URL (G_IO_ERROR_NOT_SUPPORTED) does is not.
 * Never once @policy's retries are used up. */
gboolean cartesia_policy_should_retry (const CartesiaRetryPolicy * policy,
    guint attempt, guint status, const GError * error);

/* @factor * 2^(@attempt - 1) seconds, at most @max seconds, minus the
 * fraction @jitter (0 to 1) of it; then at most an hour and, from the
 * fourth attempt on, at least CARTESIA_RETRY_MIN_DELAY_MS.  Any double,
 * infinite or NaN included, gives a defined result. */
guint cartesia_policy_backoff_ms (gdouble factor, gdouble max, guint attempt,
    gdouble jitter);

/* The wait before attempt @attempt + 1: what the server asked for in
 * @retry_after (a Retry-After header in seconds, or NULL; at most an hour)
 * if it did, else @policy's backoff less up to CARTESIA_RETRY_MAX_JITTER
 * of it, drawn from @rand (which the caller owns and may seed). */
guint cartesia_policy_retry_delay_ms (const CartesiaRetryPolicy * policy,
    guint attempt, const gchar * retry_after, GRand * rand);

/* The error of a request (@what: "connection", "request") that will not be
 * tried again after @attempts attempts, which ended with HTTP @status (0:
 * none) or @error; @details: what the server said, or NULL.  Sets @text to
 * the message for people (free it) and returns its kind. */
CartesiaErrorKind cartesia_policy_describe_failure (guint status,
    const GError * error, guint attempts, const gchar * what,
    const gchar * details, gchar ** text);

/* What went wrong, for the debug part of an error: the status and its
 * @reason phrase only when there was a status, else @error's message. */
gchar *cartesia_policy_failure_debug (guint status, const gchar * reason,
    const GError * error);

/* A live utterance failed with @kind (and @http_status, 0 if none) before
 * any of its audio arrived: TRUE if it should wait for the connection and
 * be requested again, which it does for errors that an outage gives
 * (unreachable server, lost connection, 408, 429, 5xx) until @max_wait_ms
 * after it was queued at @queued_at (g_get_monotonic_time(), like @now).
 * @max_wait_ms 0: never. */
gboolean cartesia_policy_should_wait (CartesiaErrorKind kind,
    guint http_status, gint64 queued_at, gint64 now, guint max_wait_ms);

G_END_DECLS
