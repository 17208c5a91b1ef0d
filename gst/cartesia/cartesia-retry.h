/* gst-cartesia: how long to wait before trying again (pure).
 *
 * The backoff between connection attempts, bounded whatever the settings,
 * and the rule by which a live utterance outlives an outage.
 */
#pragma once

#include <glib.h>
#include "cartesia-session.h"

G_BEGIN_DECLS

/* The least wait between two attempts after the third in a row, so that
 * retries=-1 with no backoff cannot spin a core on a server that is down. */
#define CARTESIA_RETRY_MIN_DELAY_MS 100
/* The longest wait between two attempts: an hour. */
#define CARTESIA_RETRY_MAX_DELAY_MS (3600u * 1000u)

/* @factor * 2^(@attempt - 1) seconds, at most @max seconds, minus the
 * fraction @jitter (0 to 1) of it; then at most an hour and, from the
 * fourth attempt on, at least CARTESIA_RETRY_MIN_DELAY_MS.  Any double,
 * infinite or NaN included, gives a defined result. */
guint cartesia_retry_backoff_ms (gdouble factor, gdouble max, guint attempt,
    gdouble jitter);

/* A live utterance failed with @kind (and @http_status, 0 if none) before
 * any of its audio arrived: TRUE if it should wait for the connection and
 * be requested again, which it does for errors that an outage gives
 * (unreachable server, lost connection, 408, 429, 5xx) until @max_wait_ms
 * after it was queued at @queued_at (g_get_monotonic_time(), like @now).
 * @max_wait_ms 0: never. */
gboolean cartesia_retry_should_wait (CartesiaErrorKind kind,
    guint http_status, gint64 queued_at, gint64 now, guint max_wait_ms);

G_END_DECLS
