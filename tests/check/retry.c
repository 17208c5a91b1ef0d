/* The backoff and the outage rule alone: pure functions, no clock. */
#include <gst/check/gstcheck.h>
#include <math.h>

#include "cartesia-retry.h"

GST_START_TEST (test_backoff_doubles_and_caps)
{
  fail_unless_equals_int (cartesia_retry_backoff_ms (0.5, 8.0, 1, 0.0), 500);
  fail_unless_equals_int (cartesia_retry_backoff_ms (0.5, 8.0, 2, 0.0), 1000);
  fail_unless_equals_int (cartesia_retry_backoff_ms (0.5, 8.0, 3, 0.0), 2000);
  fail_unless_equals_int (cartesia_retry_backoff_ms (0.5, 8.0, 5, 0.0), 8000);
  fail_unless_equals_int (cartesia_retry_backoff_ms (0.5, 8.0, 60, 0.0),
      8000);
  /* Jitter takes its fraction off. */
  fail_unless_equals_int (cartesia_retry_backoff_ms (1.0, 8.0, 1, 0.25), 750);
}

GST_END_TEST;

/* cartesia-session.c used to cast factor * 2^n * 1000 to guint unbounded:
 * undefined above 4.3e6 s.  Now an hour at most, whatever the settings. */
GST_START_TEST (test_backoff_bounded)
{
  fail_unless_equals_int (cartesia_retry_backoff_ms (1e7, G_MAXDOUBLE, 1,
          0.0), CARTESIA_RETRY_MAX_DELAY_MS);
  fail_unless_equals_int (cartesia_retry_backoff_ms (G_MAXDOUBLE,
          G_MAXDOUBLE, 30, 0.0), CARTESIA_RETRY_MAX_DELAY_MS);
  fail_unless_equals_int (cartesia_retry_backoff_ms (INFINITY, INFINITY, 2,
          0.0), CARTESIA_RETRY_MAX_DELAY_MS);
  fail_unless_equals_int (cartesia_retry_backoff_ms (NAN, 8.0, 1, 0.0), 0);
  fail_unless_equals_int (cartesia_retry_backoff_ms (1.0, NAN, 1, 0.0), 0);
  fail_unless_equals_int (cartesia_retry_backoff_ms (1.0, 8.0, 1, NAN), 1000);
  fail_unless_equals_int (cartesia_retry_backoff_ms (-3.0, 8.0, 1, 0.0), 0);
  fail_unless_equals_int (cartesia_retry_backoff_ms (1.0, 8.0, 0, 0.0), 1000);
}

GST_END_TEST;

/* No backoff: the first three retries are at once (tests and impatient
 * users rely on it), later ones are never closer than the floor. */
GST_START_TEST (test_backoff_floor)
{
  guint attempt;

  for (attempt = 1; attempt <= 3; attempt++)
    fail_unless_equals_int (cartesia_retry_backoff_ms (0.0, 8.0, attempt,
            0.0), 0);
  for (attempt = 4; attempt < 100; attempt++) {
    fail_unless_equals_int (cartesia_retry_backoff_ms (0.0, 8.0, attempt,
            0.0), CARTESIA_RETRY_MIN_DELAY_MS);
    fail_unless_equals_int (cartesia_retry_backoff_ms (1.0, 0.0, attempt,
            0.0), CARTESIA_RETRY_MIN_DELAY_MS);
  }
}

GST_END_TEST;

GST_START_TEST (test_should_wait)
{
  const gint64 t0 = 1000 * G_TIME_SPAN_SECOND;
  const gint64 ms = 1000;

  /* Outage errors wait until the deadline, not past it. */
  fail_unless (cartesia_retry_should_wait (CARTESIA_ERROR_OPEN, 0, t0,
          t0 + 3500 * ms, 30000));
  fail_unless (cartesia_retry_should_wait (CARTESIA_ERROR_READ, 0, t0,
          t0 + 29999 * ms, 30000));
  fail_if (cartesia_retry_should_wait (CARTESIA_ERROR_READ, 0, t0,
          t0 + 30000 * ms, 30000));
  fail_unless (cartesia_retry_should_wait (CARTESIA_ERROR_READ, 503, t0, t0,
          30000));
  fail_unless (cartesia_retry_should_wait (CARTESIA_ERROR_READ, 429, t0, t0,
          30000));
  fail_unless (cartesia_retry_should_wait (CARTESIA_ERROR_READ, 408, t0, t0,
          30000));
  /* 0 is the old behaviour: fail at once. */
  fail_if (cartesia_retry_should_wait (CARTESIA_ERROR_OPEN, 0, t0, t0, 0));
  /* What waiting cannot fix fails at once. */
  fail_if (cartesia_retry_should_wait (CARTESIA_ERROR_NOT_AUTHORIZED, 401,
          t0, t0, 30000));
  fail_if (cartesia_retry_should_wait (CARTESIA_ERROR_SETTINGS, 400, t0, t0,
          30000));
  fail_if (cartesia_retry_should_wait (CARTESIA_ERROR_READ, 400, t0, t0,
          30000));
  fail_if (cartesia_retry_should_wait (CARTESIA_ERROR_DECODE, 0, t0, t0,
          30000));
  fail_if (cartesia_retry_should_wait (CARTESIA_ERROR_NOT_FOUND, 404, t0, t0,
          30000));
}

GST_END_TEST;

static Suite *
retry_suite (void)
{
  Suite *s = suite_create ("retry");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_backoff_doubles_and_caps);
  tcase_add_test (tc, test_backoff_bounded);
  tcase_add_test (tc, test_backoff_floor);
  tcase_add_test (tc, test_should_wait);
  return s;
}

GST_CHECK_MAIN (retry);
