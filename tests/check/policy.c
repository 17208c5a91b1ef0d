/* The transport's retry and error policy alone: pure functions, no clock,
 * no sockets, no sleeps. */
#include <gst/check/gstcheck.h>
#include <math.h>

#include "cartesia-policy.h"

GST_START_TEST (test_backoff_doubles_and_caps)
{
  fail_unless_equals_int (cartesia_policy_backoff_ms (0.5, 8.0, 1, 0.0), 500);
  fail_unless_equals_int (cartesia_policy_backoff_ms (0.5, 8.0, 2, 0.0), 1000);
  fail_unless_equals_int (cartesia_policy_backoff_ms (0.5, 8.0, 3, 0.0), 2000);
  fail_unless_equals_int (cartesia_policy_backoff_ms (0.5, 8.0, 5, 0.0), 8000);
  fail_unless_equals_int (cartesia_policy_backoff_ms (0.5, 8.0, 60, 0.0),
      8000);
  /* Jitter takes its fraction off. */
  fail_unless_equals_int (cartesia_policy_backoff_ms (1.0, 8.0, 1, 0.25), 750);
}

GST_END_TEST;

/* The transport used to cast factor * 2^n * 1000 to guint unbounded:
 * undefined above 4.3e6 s.  Now an hour at most, whatever the settings. */
GST_START_TEST (test_backoff_bounded)
{
  fail_unless_equals_int (cartesia_policy_backoff_ms (1e7, G_MAXDOUBLE, 1,
          0.0), CARTESIA_RETRY_MAX_DELAY_MS);
  fail_unless_equals_int (cartesia_policy_backoff_ms (G_MAXDOUBLE,
          G_MAXDOUBLE, 30, 0.0), CARTESIA_RETRY_MAX_DELAY_MS);
  fail_unless_equals_int (cartesia_policy_backoff_ms (INFINITY, INFINITY, 2,
          0.0), CARTESIA_RETRY_MAX_DELAY_MS);
  fail_unless_equals_int (cartesia_policy_backoff_ms (NAN, 8.0, 1, 0.0), 0);
  fail_unless_equals_int (cartesia_policy_backoff_ms (1.0, NAN, 1, 0.0), 0);
  fail_unless_equals_int (cartesia_policy_backoff_ms (1.0, 8.0, 1, NAN), 1000);
  fail_unless_equals_int (cartesia_policy_backoff_ms (-3.0, 8.0, 1, 0.0), 0);
  fail_unless_equals_int (cartesia_policy_backoff_ms (1.0, 8.0, 0, 0.0), 1000);
}

GST_END_TEST;

/* No backoff: the first three retries are at once (tests and impatient
 * users rely on it), later ones are never closer than the floor. */
GST_START_TEST (test_backoff_floor)
{
  guint attempt;

  for (attempt = 1; attempt <= 3; attempt++)
    fail_unless_equals_int (cartesia_policy_backoff_ms (0.0, 8.0, attempt,
            0.0), 0);
  for (attempt = 4; attempt < 100; attempt++) {
    fail_unless_equals_int (cartesia_policy_backoff_ms (0.0, 8.0, attempt,
            0.0), CARTESIA_RETRY_MIN_DELAY_MS);
    fail_unless_equals_int (cartesia_policy_backoff_ms (1.0, 0.0, attempt,
            0.0), CARTESIA_RETRY_MIN_DELAY_MS);
  }
}

GST_END_TEST;

GST_START_TEST (test_should_wait)
{
  const gint64 t0 = 1000 * G_TIME_SPAN_SECOND;
  const gint64 ms = 1000;

  /* Outage errors wait until the deadline, not past it. */
  fail_unless (cartesia_policy_should_wait (CARTESIA_ERROR_OPEN, 0, t0,
          t0 + 3500 * ms, 30000));
  fail_unless (cartesia_policy_should_wait (CARTESIA_ERROR_READ, 0, t0,
          t0 + 29999 * ms, 30000));
  fail_if (cartesia_policy_should_wait (CARTESIA_ERROR_READ, 0, t0,
          t0 + 30000 * ms, 30000));
  fail_unless (cartesia_policy_should_wait (CARTESIA_ERROR_READ, 503, t0, t0,
          30000));
  fail_unless (cartesia_policy_should_wait (CARTESIA_ERROR_READ, 429, t0, t0,
          30000));
  fail_unless (cartesia_policy_should_wait (CARTESIA_ERROR_READ, 408, t0, t0,
          30000));
  /* 0 is the old behaviour: fail at once. */
  fail_if (cartesia_policy_should_wait (CARTESIA_ERROR_OPEN, 0, t0, t0, 0));
  /* What waiting cannot fix fails at once. */
  fail_if (cartesia_policy_should_wait (CARTESIA_ERROR_NOT_AUTHORIZED, 401,
          t0, t0, 30000));
  fail_if (cartesia_policy_should_wait (CARTESIA_ERROR_SETTINGS, 400, t0, t0,
          30000));
  fail_if (cartesia_policy_should_wait (CARTESIA_ERROR_READ, 400, t0, t0,
          30000));
  fail_if (cartesia_policy_should_wait (CARTESIA_ERROR_DECODE, 0, t0, t0,
          30000));
  fail_if (cartesia_policy_should_wait (CARTESIA_ERROR_NOT_FOUND, 404, t0, t0,
          30000));
}

GST_END_TEST;

GST_START_TEST (test_kind_for_status)
{
  fail_unless_equals_int (cartesia_policy_kind_for_status (401),
      CARTESIA_ERROR_NOT_AUTHORIZED);
  fail_unless_equals_int (cartesia_policy_kind_for_status (403),
      CARTESIA_ERROR_NOT_AUTHORIZED);
  fail_unless_equals_int (cartesia_policy_kind_for_status (404),
      CARTESIA_ERROR_NOT_FOUND);
  fail_unless_equals_int (cartesia_policy_kind_for_status (400),
      CARTESIA_ERROR_SETTINGS);
  fail_unless_equals_int (cartesia_policy_kind_for_status (422),
      CARTESIA_ERROR_SETTINGS);
  fail_unless_equals_int (cartesia_policy_kind_for_status (499),
      CARTESIA_ERROR_SETTINGS);
  /* What waiting may fix reads as a lost connection. */
  fail_unless_equals_int (cartesia_policy_kind_for_status (408),
      CARTESIA_ERROR_READ);
  fail_unless_equals_int (cartesia_policy_kind_for_status (429),
      CARTESIA_ERROR_READ);
  fail_unless_equals_int (cartesia_policy_kind_for_status (500),
      CARTESIA_ERROR_READ);
  fail_unless_equals_int (cartesia_policy_kind_for_status (503),
      CARTESIA_ERROR_READ);
  fail_unless_equals_int (cartesia_policy_kind_for_status (0),
      CARTESIA_ERROR_READ);
  fail_unless_equals_int (cartesia_policy_kind_for_status (302),
      CARTESIA_ERROR_READ);
}

GST_END_TEST;

GST_START_TEST (test_attempts_left)
{
  CartesiaRetryPolicy none = { 0, 0.0, 0.0 };
  CartesiaRetryPolicy two = { 2, 0.0, 0.0 };
  CartesiaRetryPolicy forever = { -1, 0.0, 0.0 };

  fail_if (cartesia_policy_attempts_left (&none, 1));
  fail_unless (cartesia_policy_attempts_left (&two, 1));
  fail_unless (cartesia_policy_attempts_left (&two, 2));
  fail_if (cartesia_policy_attempts_left (&two, 3));
  fail_unless (cartesia_policy_attempts_left (&forever, 1));
  fail_unless (cartesia_policy_attempts_left (&forever, G_MAXUINT));
}

GST_END_TEST;

GST_START_TEST (test_should_retry_status)
{
  CartesiaRetryPolicy p = { 3, 0.0, 0.0 };
  guint status;

  for (status = 500; status < 600; status++)
    fail_unless (cartesia_policy_should_retry (&p, 1, status, NULL));
  fail_unless (cartesia_policy_should_retry (&p, 1, 408, NULL));
  fail_unless (cartesia_policy_should_retry (&p, 3, 429, NULL));
  /* Asking again gets the same answer. */
  fail_if (cartesia_policy_should_retry (&p, 1, 400, NULL));
  fail_if (cartesia_policy_should_retry (&p, 1, 401, NULL));
  fail_if (cartesia_policy_should_retry (&p, 1, 403, NULL));
  fail_if (cartesia_policy_should_retry (&p, 1, 404, NULL));
  fail_if (cartesia_policy_should_retry (&p, 1, 422, NULL));
  fail_if (cartesia_policy_should_retry (&p, 1, 301, NULL));
  /* Attempts used up. */
  fail_if (cartesia_policy_should_retry (&p, 4, 503, NULL));
  p.retries = 0;
  fail_if (cartesia_policy_should_retry (&p, 1, 503, NULL));
  p.retries = -1;
  fail_unless (cartesia_policy_should_retry (&p, 100000, 503, NULL));
}

GST_END_TEST;

GST_START_TEST (test_should_retry_error)
{
  CartesiaRetryPolicy p = { 3, 0.0, 0.0 };
  g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR,
      G_IO_ERROR_CONNECTION_REFUSED, "Connection refused");
  g_autoptr (GError) closed = g_error_new_literal (G_IO_ERROR,
      G_IO_ERROR_CONNECTION_CLOSED, "Connection closed");
  g_autoptr (GError) resolver = g_error_new_literal (G_RESOLVER_ERROR,
      G_RESOLVER_ERROR_NOT_FOUND, "Name or service not known");
  g_autoptr (GError) tls = g_error_new_literal (G_TLS_ERROR,
      G_TLS_ERROR_BAD_CERTIFICATE, "Unacceptable TLS certificate");
  g_autoptr (GError) unsupported = g_error_new_literal (G_IO_ERROR,
      G_IO_ERROR_NOT_SUPPORTED, "Unsupported URI scheme");

  /* A flaky network, yes. */
  fail_unless (cartesia_policy_should_retry (&p, 1, 0, refused));
  fail_unless (cartesia_policy_should_retry (&p, 3, 0, closed));
  fail_if (cartesia_policy_should_retry (&p, 4, 0, closed));
  /* A wrong name, certificate or URL, no. */
  fail_if (cartesia_policy_should_retry (&p, 1, 0, resolver));
  fail_if (cartesia_policy_should_retry (&p, 1, 0, tls));
  fail_if (cartesia_policy_should_retry (&p, 1, 0, unsupported));
  /* No status and no error: nothing to go on. */
  fail_if (cartesia_policy_should_retry (&p, 1, 0, NULL));
  /* A status decides over an error. */
  fail_unless (cartesia_policy_should_retry (&p, 1, 503, resolver));
  fail_if (cartesia_policy_should_retry (&p, 1, 400, refused));
}

GST_END_TEST;

GST_START_TEST (test_retry_delay)
{
  CartesiaRetryPolicy p = { -1, 1.0, 8.0 };
  GRand *rand = g_rand_new_with_seed (42);
  GRand *again = g_rand_new_with_seed (42);
  guint attempt, i;

  /* The server's word, bounded; a header that is not a number is not. */
  fail_unless_equals_int (cartesia_policy_retry_delay_ms (&p, 1, "7", rand),
      7000);
  fail_unless_equals_int (cartesia_policy_retry_delay_ms (&p, 9, "0", rand),
      0);
  fail_unless_equals_int (cartesia_policy_retry_delay_ms (&p, 1,
          "99999999999", rand), 3600 * 1000);

  /* Otherwise the backoff less at most a quarter, drawn from the source
   * the caller passed: the same seed, the same waits. */
  for (attempt = 1; attempt <= 6; attempt++) {
    guint full = cartesia_policy_backoff_ms (1.0, 8.0, attempt, 0.0);

    for (i = 0; i < 50; i++) {
      guint delay = cartesia_policy_retry_delay_ms (&p, attempt,
          i % 2 ? NULL : "soon", rand);

      fail_unless (delay <= full, "%u > %u", delay, full);
      fail_unless (delay >= full * 3 / 4, "%u < 3/4 of %u", delay, full);
      fail_unless_equals_int (cartesia_policy_retry_delay_ms (&p, attempt,
              NULL, again), delay);
    }
  }
  /* No backoff: the first three at once, then the floor. */
  p.backoff_factor = 0.0;
  fail_unless_equals_int (cartesia_policy_retry_delay_ms (&p, 3, NULL, rand),
      0);
  fail_unless_equals_int (cartesia_policy_retry_delay_ms (&p, 4, NULL, rand),
      CARTESIA_RETRY_MIN_DELAY_MS);
  g_rand_free (rand);
  g_rand_free (again);
}

GST_END_TEST;

static void
assert_failure (guint status, GError * error, guint attempts,
    const gchar * what, const gchar * details, CartesiaErrorKind kind,
    const gchar * text)
{
  gchar *got = NULL;

  fail_unless_equals_int (cartesia_policy_describe_failure (status, error,
          attempts, what, details, &got), kind);
  fail_unless_equals_string (got, text);
  g_free (got);
}

GST_START_TEST (test_describe_failure)
{
  g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR,
      G_IO_ERROR_CONNECTION_REFUSED, "Connection refused");
  g_autoptr (GError) unreachable = g_error_new_literal (G_IO_ERROR,
      G_IO_ERROR_HOST_UNREACHABLE, "No route to host");
  g_autoptr (GError) net = g_error_new_literal (G_IO_ERROR,
      G_IO_ERROR_NETWORK_UNREACHABLE, "Network is unreachable");
  g_autoptr (GError) timed_out = g_error_new_literal (G_IO_ERROR,
      G_IO_ERROR_TIMED_OUT, "Socket I/O timed out");
  g_autoptr (GError) closed = g_error_new_literal (G_IO_ERROR,
      G_IO_ERROR_CONNECTION_CLOSED, "Connection terminated unexpectedly");
  g_autoptr (GError) resolver = g_error_new_literal (G_RESOLVER_ERROR,
      G_RESOLVER_ERROR_NOT_FOUND, "Name or service not known");
  g_autoptr (GError) tls = g_error_new_literal (G_TLS_ERROR,
      G_TLS_ERROR_BAD_CERTIFICATE, "Unacceptable TLS certificate");

  assert_failure (401, NULL, 1, "connection", NULL,
      CARTESIA_ERROR_NOT_AUTHORIZED, "The server refused the API key (HTTP 401)");
  assert_failure (403, NULL, 1, "request", "Invalid API key",
      CARTESIA_ERROR_NOT_AUTHORIZED,
      "The server refused the API key (HTTP 403: Invalid API key)");
  assert_failure (400, NULL, 1, "connection", "Invalid version",
      CARTESIA_ERROR_SETTINGS,
      "The server refused the connection: HTTP 400: Invalid version");
  assert_failure (404, NULL, 1, "request", NULL, CARTESIA_ERROR_NOT_FOUND,
      "The server refused the request: HTTP 404");
  assert_failure (503, NULL, 4, "request", "Service Unavailable",
      CARTESIA_ERROR_READ, "The server refused the request: HTTP 503: "
      "Service Unavailable, after 4 attempts");
  assert_failure (429, NULL, 2, "connection", NULL, CARTESIA_ERROR_READ,
      "The server refused the connection: HTTP 429, after 2 attempts");
  assert_failure (0, resolver, 1, "connection", NULL,
      CARTESIA_ERROR_NOT_FOUND,
      "Could not resolve the server's host name: Name or service not known");
  assert_failure (0, tls, 1, "connection", NULL, CARTESIA_ERROR_OPEN,
      "Could not connect to the server: Unacceptable TLS certificate");
  assert_failure (0, refused, 3, "request", NULL, CARTESIA_ERROR_OPEN,
      "Could not connect to the server: Connection refused, after 3 attempts");
  assert_failure (0, unreachable, 1, "request", NULL, CARTESIA_ERROR_OPEN,
      "Could not connect to the server: No route to host");
  assert_failure (0, net, 1, "request", NULL, CARTESIA_ERROR_OPEN,
      "Could not connect to the server: Network is unreachable");
  assert_failure (0, timed_out, 1, "request", NULL, CARTESIA_ERROR_OPEN,
      "Could not connect to the server: Socket I/O timed out");
  assert_failure (0, closed, 2, "connection", NULL, CARTESIA_ERROR_READ,
      "The connection to the server was lost before it answered: "
      "Connection terminated unexpectedly, after 2 attempts");
  assert_failure (0, NULL, 1, "connection", NULL, CARTESIA_ERROR_READ,
      "The connection to the server was lost before it answered: "
      "unknown error");
}

GST_END_TEST;

GST_START_TEST (test_failure_debug)
{
  g_autoptr (GError) closed = g_error_new_literal (G_IO_ERROR,
      G_IO_ERROR_CONNECTION_CLOSED, "Connection terminated unexpectedly");
  gchar *debug;

  debug = cartesia_policy_failure_debug (0, NULL, NULL);
  fail_unless_equals_string (debug, "no answer");
  g_free (debug);
  /* Without a status, libsoup's reason phrase says nothing. */
  debug = cartesia_policy_failure_debug (0, "Unknown Error", closed);
  fail_unless_equals_string (debug, "Connection terminated unexpectedly");
  g_free (debug);
  debug = cartesia_policy_failure_debug (503, "Service Unavailable", NULL);
  fail_unless_equals_string (debug, "HTTP status 503 Service Unavailable");
  g_free (debug);
  debug = cartesia_policy_failure_debug (400, NULL, closed);
  fail_unless_equals_string (debug,
      "HTTP status 400: Connection terminated unexpectedly");
  g_free (debug);
  debug = cartesia_policy_failure_debug (502, "Bad Gateway", closed);
  fail_unless_equals_string (debug, "HTTP status 502 Bad Gateway: "
      "Connection terminated unexpectedly");
  g_free (debug);
}

GST_END_TEST;

static Suite *
policy_suite (void)
{
  Suite *s = suite_create ("policy");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_backoff_doubles_and_caps);
  tcase_add_test (tc, test_backoff_bounded);
  tcase_add_test (tc, test_backoff_floor);
  tcase_add_test (tc, test_should_wait);
  tcase_add_test (tc, test_kind_for_status);
  tcase_add_test (tc, test_attempts_left);
  tcase_add_test (tc, test_should_retry_status);
  tcase_add_test (tc, test_should_retry_error);
  tcase_add_test (tc, test_retry_delay);
  tcase_add_test (tc, test_describe_failure);
  tcase_add_test (tc, test_failure_debug);
  return s;
}

GST_CHECK_MAIN (policy);
