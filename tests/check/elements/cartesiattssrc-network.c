/* cartesiattssrc: the real network path.  TLS from the emulator itself (a
 * throwaway CA per test), a real tinyproxy with and without BasicAuth, IPv6
 * loopback; both transports for each (loop tests: 0 = websocket, 1 = sse).
 *
 * Through a proxy the base-url cannot be a loopback literal (a loopback
 * server is always reached directly, which one test pins): those tests name
 * the emulator by this machine's host name, which resolves to loopback.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gio/gio.h>
#include <string.h>

#include "cartesia-test-utils.h"
#include "cartesia-net-utils.h"

/* It installs a GStreamer log function: ASan must unwind fully. */
#include "cartesia-asan-full-unwind.h"

#define TEXT "Hello world"

static const gchar *transports[] = { "websocket", "sse" };

static GstElement *
make_src (const gchar * base_url, gint transport)
{
  GstElement *src = gst_element_factory_make ("cartesiattssrc", NULL);

  fail_unless (src != NULL, "cartesiattssrc not found");
  gst_util_set_object_arg (G_OBJECT (src), "transport",
      transports[transport]);
  g_object_set (src, "base-url", base_url, "api-key", TEST_API_KEY,
      "retry-backoff-factor", 0.0, "text", TEXT, NULL);
  return src;
}

/* Runs @src (taken) to EOS and checks the audio is what the server sent. */
static void
run_and_assert_audio (GstElement * src)
{
  gsize len;
  g_autofree guint8 *expected = cartesia_emulator_render (TEXT, "pcm_s16le",
      44100, &len);
  TestRun run;

  test_run_pipeline (src, NULL, 60, &run);
  test_assert_audio (&run, expected, len, 44100, 2);
  test_run_clear (&run);
}

/* Runs @src (taken), which must fail with @code and every word of @words in
 * its text; the debug part never claims an HTTP status that was not there. */
static void
run_and_assert_error (GstElement * src, gint code, TestRun * run,
    const gchar * const *words)
{
  guint i;

  test_run_pipeline (src, NULL, 60, run);
  fail_unless (run->error != NULL, "no error");
  GST_INFO ("error: %s (%s)", run->error->message,
      GST_STR_NULL (run->error_debug));
  fail_unless (run->error->domain == GST_RESOURCE_ERROR, "domain %s",
      g_quark_to_string (run->error->domain));
  fail_unless_equals_int (run->error->code, code);
  for (i = 0; words[i]; i++)
    fail_unless (strstr (run->error->message, words[i]) != NULL,
        "'%s' not in the error '%s'", words[i], run->error->message);
  fail_if (run->error_debug && strstr (run->error_debug, "HTTP status 0"),
      "the debug text claims an HTTP status 0: %s", run->error_debug);
  fail_if (strstr (run->error->message, TEST_API_KEY) ||
      (run->error_debug && strstr (run->error_debug, TEST_API_KEY)));
}

static guint
details_tls_errors (TestRun * run)
{
  GTlsCertificateFlags flags = 0;

  fail_unless (run->error_details != NULL, "no error details");
  fail_unless (gst_structure_get (run->error_details, "tls-errors",
          G_TYPE_TLS_CERTIFICATE_FLAGS, &flags, NULL),
      "no tls-errors in the details: %" GST_PTR_FORMAT, run->error_details);
  return flags;
}

static guint
details_http_status (TestRun * run)
{
  guint status = 0;

  if (run->error_details)
    gst_structure_get_uint (run->error_details, "http-status-code", &status);
  return status;
}

/* https://NAME:PORT of @server */
static gchar *
url_with_host (TestTlsServer * server, const gchar * host)
{
  return g_strdup_printf ("https://%s:%u", host,
      cartesia_emulator_get_port (server->emu));
}

static void
assert_log_clean (TestProxy * proxy)
{
  g_autofree gchar *log = test_proxy_dup_log (proxy);

  fail_if (strstr (log, TEST_API_KEY) != NULL, "the key is in the proxy log");
  fail_if (strstr (log, "Bearer") != NULL, "an Authorization header is in "
      "the proxy log");
}

/* What the proxy received, through a relay in front of it: the CONNECT,
 * then only TLS.  Neither the key, nor an Authorization header, nor the text
 * to speak, nor the audio's JSON. */
static gboolean
contains (const gchar * data, gsize len, const gchar * needle)
{
  gsize n = strlen (needle), i;

  for (i = 0; i + n <= len; i++)
    if (g_ascii_strncasecmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static void
assert_relay_saw_tunnel_only (TestRelay * relay)
{
  g_autoptr (GBytes) bytes = test_relay_dup_received (relay);
  gsize len;
  const gchar *data = g_bytes_get_data (bytes, &len);
  /* (Proxy-Authorization, the proxy's own, is expected.) */
  const gchar *secrets[] = { TEST_API_KEY, "Bearer", "\nAuthorization:",
    TEXT, "\"transcript\"", "Cartesia-Version", NULL
  };
  guint i;

  fail_unless (len > 1 && g_str_has_prefix (data, "CONNECT "), "the proxy "
      "did not receive a CONNECT first");
  for (i = 0; secrets[i]; i++)
    fail_if (contains (data, len, secrets[i]),
        "the proxy received '%s' in clear text", secrets[i]);
}

/* ---- trust ---- */

GST_START_TEST (test_trusted_ca_file)
{
  TestTlsServer *server = test_tls_server_new (NULL, NULL);
  GstElement *src = make_src (cartesia_emulator_get_base_url (server->emu),
      __i__);

  fail_unless (g_str_has_prefix (cartesia_emulator_get_base_url (server->emu),
          "https://127.0.0.1:"));
  g_object_set (src, "ssl-ca-file", server->ca_file, NULL);
  run_and_assert_audio (src);
  fail_unless (test_emulator_stats (server->emu).contexts_done >= 1);
  test_tls_server_free (server);
}

GST_END_TEST;

GST_START_TEST (test_trusted_tls_database)
{
  TestTlsServer *server = test_tls_server_new (NULL, NULL);
  GstElement *src = make_src (cartesia_emulator_get_base_url (server->emu),
      __i__);
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsDatabase) db = g_tls_file_database_new (server->ca_file,
      &error);

  fail_unless (db != NULL, "%s", error ? error->message : "");
  /* A tls-database wins over ssl-ca-file: this one would trust nothing. */
  g_object_set (src, "tls-database", db, "ssl-ca-file", "/nonexistent.pem",
      NULL);
  run_and_assert_audio (src);
  test_tls_server_free (server);
}

GST_END_TEST;

GST_START_TEST (test_untrusted)
{
  TestTlsServer *server = test_tls_server_new (NULL, NULL);
  GstElement *src = make_src (cartesia_emulator_get_base_url (server->emu),
      __i__);
  const gchar *words[] = { "TLS certificate of 127.0.0.1",
    "signed by an unknown authority", "ssl-ca-file", "ssl-strict=false only "
        "to test", NULL
  };
  TestRun run;

  run_and_assert_error (src, GST_RESOURCE_ERROR_OPEN_READ, &run, words);
  fail_unless_equals_int (details_tls_errors (&run),
      G_TLS_CERTIFICATE_UNKNOWN_CA);
  fail_unless_equals_int (details_http_status (&run), 0);
  /* A certificate does not change by asking again. */
  fail_if (strstr (run.error->message, "attempts"), "%s", run.error->message);
  fail_unless_equals_int (test_emulator_stats (server->emu).http_requests +
      test_emulator_stats (server->emu).ws_connections, 0);
  test_run_clear (&run);
  test_tls_server_free (server);
}

GST_END_TEST;

GST_START_TEST (test_untrusted_accepted_without_ssl_strict)
{
  TestTlsServer *server = test_tls_server_new (NULL, NULL);
  GstElement *src = make_src (cartesia_emulator_get_base_url (server->emu),
      __i__);

  g_object_set (src, "ssl-strict", FALSE, NULL);
  run_and_assert_audio (src);
  test_tls_server_free (server);
}

GST_END_TEST;

GST_START_TEST (test_wrong_host)
{
  const gchar *names[] = { "wrong.invalid", NULL };
  TestTlsServer *server = test_tls_server_new (NULL, names);
  GstElement *src = make_src (cartesia_emulator_get_base_url (server->emu),
      __i__);
  const gchar *words[] = { "TLS certificate of 127.0.0.1",
    "issued for another host name", "base-url", NULL
  };
  TestRun run;

  g_object_set (src, "ssl-ca-file", server->ca_file, NULL);
  run_and_assert_error (src, GST_RESOURCE_ERROR_OPEN_READ, &run, words);
  fail_unless_equals_int (details_tls_errors (&run),
      G_TLS_CERTIFICATE_BAD_IDENTITY);
  test_run_clear (&run);
  test_tls_server_free (server);
}

GST_END_TEST;

/* A GTlsInteraction that hands over one client certificate. */
typedef struct
{
  GTlsInteraction parent;
  GTlsCertificate *cert;
  gint asked;
} TestInteraction;

typedef GTlsInteractionClass TestInteractionClass;
GType test_interaction_get_type (void);

G_DEFINE_TYPE (TestInteraction, test_interaction, G_TYPE_TLS_INTERACTION);

static GTlsInteractionResult
test_interaction_request_certificate (GTlsInteraction * interaction,
    GTlsConnection * connection, GTlsCertificateRequestFlags flags,
    GCancellable * cancellable, GError ** error)
{
  TestInteraction *self = (TestInteraction *) interaction;

  g_atomic_int_inc (&self->asked);
  g_tls_connection_set_certificate (connection, self->cert);
  return G_TLS_INTERACTION_HANDLED;
}

static void
test_interaction_finalize (GObject * object)
{
  g_clear_object (&((TestInteraction *) object)->cert);
  G_OBJECT_CLASS (test_interaction_parent_class)->finalize (object);
}

static void
test_interaction_class_init (TestInteractionClass * klass)
{
  klass->request_certificate = test_interaction_request_certificate;
  G_OBJECT_CLASS (klass)->finalize = test_interaction_finalize;
}

static void
test_interaction_init (TestInteraction * self)
{
}

GST_START_TEST (test_client_certificate)
{
  TestTlsServer *server = test_tls_server_new_client_auth ();
  TestTlsServer *client = test_tls_server_new (NULL, NULL);
  TestInteraction *interaction = g_object_new (test_interaction_get_type (),
      NULL);
  g_autofree gchar *cert_file = g_build_filename (client->dir, "cert.pem",
      NULL);
  g_autofree gchar *key_file = g_build_filename (client->dir, "key.pem",
      NULL);
  g_autoptr (GError) error = NULL;
  GstElement *src;
  TestRun run;

  interaction->cert = g_tls_certificate_new_from_files (cert_file, key_file,
      &error);
  fail_unless (interaction->cert != NULL, "%s", error ? error->message : "");

  /* Without a certificate to give, the server refuses the handshake. */
  src = make_src (cartesia_emulator_get_base_url (server->emu), __i__);
  g_object_set (src, "ssl-ca-file", server->ca_file, NULL);
  {
    const gchar *words[] = { "client certificate", "tls-interaction", NULL };

    run_and_assert_error (src, GST_RESOURCE_ERROR_OPEN_READ, &run, words);
    test_run_clear (&run);
  }

  src = make_src (cartesia_emulator_get_base_url (server->emu), __i__);
  g_object_set (src, "ssl-ca-file", server->ca_file, "tls-interaction",
      interaction, NULL);
  run_and_assert_audio (src);
  fail_unless (g_atomic_int_get (&interaction->asked) >= 1);

  g_object_unref (interaction);
  test_tls_server_free (client);
  test_tls_server_free (server);
}

GST_END_TEST;

/* ---- settings refused before any connection: exactly one error ---- */

static guint
count_start_errors (GstElement * src, GError ** first)
{
  GstElement *pipeline = test_pipeline_new (src, NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  guint n = 0;

  fail_unless_equals_int (test_set_state_bounded (pipeline, GST_STATE_PAUSED,
          5000), GST_STATE_CHANGE_FAILURE);
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR))) {
    if (n++ == 0)
      gst_message_parse_error (msg, first, NULL);
    gst_message_unref (msg);
  }
  test_set_state_bounded (pipeline, GST_STATE_NULL, 5000);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return n;
}

GST_START_TEST (test_one_error_for_bad_settings)
{
  static const struct
  {
    const gchar *property;
    const gchar *value;
    const gchar *word;
  } cases[] = {
    {"base-url", "http://example.com", "clear text"},
    {"base-url", "not a url", "base-url"},
    {"ssl-ca-file", "/nonexistent/ca.pem", "ssl-ca-file"},
    {"ssl-ca-file", "/etc/hostname", "no PEM certificate"},
    {"proxy", "not a proxy", "proxy"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    GstElement *src = make_src ("https://127.0.0.1:1", 0);
    g_autoptr (GError) error = NULL;

    g_object_set (src, cases[i].property, cases[i].value, NULL);
    fail_unless_equals_int (count_start_errors (src, &error), 1);
    fail_unless (g_error_matches (error, GST_RESOURCE_ERROR,
            GST_RESOURCE_ERROR_SETTINGS), "%s", error->message);
    fail_unless (strstr (error->message, cases[i].word) != NULL,
        "'%s' not in '%s'", cases[i].word, error->message);
  }
}

GST_END_TEST;

/* ---- proxies ---- */

typedef enum
{
  NO_PROXY,                     /* the test makes its own */
  OPEN_PROXY,
  AUTH_PROXY,                   /* BasicAuth tester / s3cret */
  AUTH_PROXY_RELAYED,           /* and a relay in front of it */
  OPEN_PROXY_RELAYED,
} ProxyKind;

/* What every proxy test starts from: the emulator over TLS, named by this
 * machine's host name (a loopback literal is never proxied); tinyproxy in
 * front of it, and a relay in front of that keeping what the proxy
 * received, as @kind says; the element for @transport trusting the
 * emulator's CA, no proxy set yet. */
typedef struct
{
  TestTlsServer *server;
  gchar *url;                   /* the emulator's, by host name */
  TestProxy *proxy;
  TestRelay *relay;
  GstElement *src;              /* floating: the run takes it */
} ProxyRig;

static void
proxy_rig_init (ProxyRig * r, ProxyKind kind, gint transport)
{
  const gchar *host = test_loopback_host_name ();
  const gchar *names[] = { host, NULL };
  gboolean auth = kind == AUTH_PROXY || kind == AUTH_PROXY_RELAYED;

  memset (r, 0, sizeof (*r));
  r->server = test_tls_server_new (NULL, names);
  r->url = url_with_host (r->server, host);
  if (kind != NO_PROXY)
    r->proxy = test_proxy_start (cartesia_emulator_get_port (r->server->emu),
        auth ? "tester" : NULL, auth ? "s3cret" : NULL);
  if (kind == AUTH_PROXY_RELAYED || kind == OPEN_PROXY_RELAYED)
    r->relay = test_relay_new (r->proxy->port);
  r->src = make_src (r->url, transport);
  g_object_set (r->src, "ssl-ca-file", r->server->ca_file, NULL);
}

/* http://tester:s3cret@ the relay */
static gchar *
proxy_rig_relay_uri_with_credentials (ProxyRig * r)
{
  return g_strdup_printf ("http://tester:s3cret@%s",
      test_relay_get_url (r->relay) + strlen ("http://"));
}

static void
proxy_rig_clear (ProxyRig * r)
{
  g_clear_pointer (&r->relay, test_relay_free);
  g_clear_pointer (&r->proxy, test_proxy_stop);
  test_tls_server_free (r->server);
  g_free (r->url);
}

GST_START_TEST (test_proxy_connect)
{
  ProxyRig r;
  g_autofree gchar *log = NULL;

  proxy_rig_init (&r, OPEN_PROXY_RELAYED, __i__);
  g_object_set (r.src, "proxy", test_relay_get_url (r.relay), NULL);
  run_and_assert_audio (r.src);
  assert_relay_saw_tunnel_only (r.relay);
  g_clear_pointer (&r.relay, test_relay_free);

  log = test_proxy_dup_log (r.proxy);
  fail_unless (strstr (log, "CONNECT") != NULL, "no CONNECT in the proxy's "
      "log:\n%s", log);
  assert_log_clean (r.proxy);
  proxy_rig_clear (&r);
}

GST_END_TEST;

GST_START_TEST (test_proxy_auth_in_uri)
{
  ProxyRig r;
  g_autofree gchar *proxy_uri = NULL;

  proxy_rig_init (&r, AUTH_PROXY_RELAYED, __i__);
  proxy_uri = proxy_rig_relay_uri_with_credentials (&r);
  g_object_set (r.src, "proxy", proxy_uri, NULL);
  /* SSE: libsoup 3.2 resent the POST without its body after the 407. */
  run_and_assert_audio (r.src);
  assert_relay_saw_tunnel_only (r.relay);
  g_clear_pointer (&r.relay, test_relay_free);
  assert_log_clean (r.proxy);
  proxy_rig_clear (&r);
}

GST_END_TEST;

GST_START_TEST (test_proxy_auth_id_pw)
{
  ProxyRig r;

  proxy_rig_init (&r, AUTH_PROXY_RELAYED, __i__);
  g_object_set (r.src, "proxy", test_relay_get_url (r.relay), "proxy-id",
      "tester", "proxy-pw", "s3cret", NULL);
  run_and_assert_audio (r.src);
  assert_relay_saw_tunnel_only (r.relay);
  g_clear_pointer (&r.relay, test_relay_free);
  assert_log_clean (r.proxy);
  proxy_rig_clear (&r);
}

GST_END_TEST;

/* Every log line at every level, for secrets. */
typedef struct
{
  GMutex lock;
  guint lines;
  GPtrArray *leaks;
} SecretScan;

static void
scan_secret_log (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  SecretScan *scan = user_data;
  const gchar *text = gst_debug_message_get (message);

  g_mutex_lock (&scan->lock);
  scan->lines++;
  if (text && (strstr (text, TEST_API_KEY) || strstr (text, "s3cret")))
    g_ptr_array_add (scan->leaks, g_strdup (text));
  g_mutex_unlock (&scan->lock);
}

/* Through an authenticating proxy, at GST_DEBUG=*:9: neither the key nor
 * the proxy's password is in the log, and proxy-pw cannot be read back. */
GST_START_TEST (test_proxy_secrets_not_logged)
{
  ProxyRig r;
  SecretScan scan = { 0, };
  GParamSpec *pspec;

  proxy_rig_init (&r, AUTH_PROXY, __i__);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (r.src),
      "proxy-pw");
  fail_unless (pspec != NULL);
  fail_if (pspec->flags & G_PARAM_READABLE, "proxy-pw is readable");
  g_mutex_init (&scan.lock);
  scan.leaks = g_ptr_array_new_with_free_func (g_free);
  g_object_set (r.src, "proxy", r.proxy->url, "proxy-id", "tester",
      "proxy-pw", "s3cret", NULL);
  gst_debug_set_active (TRUE);
  gst_debug_set_default_threshold (GST_LEVEL_MEMDUMP);
  gst_debug_add_log_function (scan_secret_log, &scan, NULL);
  gst_debug_remove_log_function (gst_debug_log_default);

  run_and_assert_audio (r.src);

  gst_debug_add_log_function (gst_debug_log_default, NULL, NULL);
  gst_debug_remove_log_function (scan_secret_log);
  gst_debug_set_default_threshold (GST_LEVEL_NONE);
  fail_unless (scan.lines > 100, "only %u log lines", scan.lines);
  fail_unless (scan.leaks->len == 0, "a secret is in the log: %s",
      scan.leaks->len ? (gchar *) scan.leaks->pdata[0] : "");
  assert_log_clean (r.proxy);
  g_ptr_array_unref (scan.leaks);
  g_mutex_clear (&scan.lock);
  proxy_rig_clear (&r);
}

GST_END_TEST;

/* The system's settings: https_proxy (libproxy reads it), with the
 * credentials in it; the SSE body survives the 407 there too. */
GST_START_TEST (test_proxy_from_environment)
{
  ProxyRig r;
  g_autofree gchar *proxy_uri = NULL;

  proxy_rig_init (&r, AUTH_PROXY_RELAYED, __i__);
  proxy_uri = proxy_rig_relay_uri_with_credentials (&r);
  /* This forked test's own environment; the default resolver is made at
   * its first use, after this. */
  g_setenv ("https_proxy", proxy_uri, TRUE);
  g_unsetenv ("no_proxy");
  run_and_assert_audio (r.src);
  assert_relay_saw_tunnel_only (r.relay);
  g_clear_pointer (&r.relay, test_relay_free);
  assert_log_clean (r.proxy);
  proxy_rig_clear (&r);
}

GST_END_TEST;

GST_START_TEST (test_proxy_407)
{
  ProxyRig r;
  const gchar *words[] = { "The proxy", NULL, "407", "proxy-id and proxy-pw",
    NULL
  };
  TestRun run;

  proxy_rig_init (&r, AUTH_PROXY, __i__);
  words[1] = r.proxy->url;
  g_object_set (r.src, "proxy", r.proxy->url, NULL);
  run_and_assert_error (r.src, GST_RESOURCE_ERROR_NOT_AUTHORIZED, &run,
      words);
  fail_unless_equals_int (details_http_status (&run), 407);
  fail_if (strstr (run.error->message, "server refused"), "%s",
      run.error->message);
  assert_log_clean (r.proxy);
  test_run_clear (&run);
  proxy_rig_clear (&r);
}

GST_END_TEST;

GST_START_TEST (test_proxy_wrong_password)
{
  ProxyRig r;
  const gchar *words[] = { "The proxy", NULL, "user name and password",
    NULL
  };
  TestRun run;

  proxy_rig_init (&r, AUTH_PROXY, __i__);
  words[1] = r.proxy->url;
  g_object_set (r.src, "proxy", r.proxy->url, "proxy-id", "tester",
      "proxy-pw", "wrong", NULL);
  run_and_assert_error (r.src, GST_RESOURCE_ERROR_NOT_AUTHORIZED, &run,
      words);
  fail_if (strstr (run.error->message, "wrong"), "the password is shown: %s",
      run.error->message);
  test_run_clear (&run);
  proxy_rig_clear (&r);
}

GST_END_TEST;

GST_START_TEST (test_proxy_silent)
{
  ProxyRig r;
  gchar *proxy_url;
  GSocket *silent = test_listen_silent (&proxy_url);
  const gchar *words[] = { "The proxy", proxy_url, "did not answer", NULL };
  gint64 start;
  TestRun run;

  proxy_rig_init (&r, NO_PROXY, __i__);
  start = g_get_monotonic_time ();
  g_object_set (r.src, "proxy", proxy_url, "timeout", 2, "retries", 3, NULL);
  run_and_assert_error (r.src, GST_RESOURCE_ERROR_OPEN_READ, &run, words);
  /* One timeout, not one per retry: generous for a loaded machine. */
  fail_unless (g_get_monotonic_time () - start < 6 * G_TIME_SPAN_SECOND,
      "took %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - start) / 1000);
  fail_unless (test_listen_silent_was_contacted (silent));
  test_run_clear (&run);
  g_socket_close (silent, NULL);
  g_object_unref (silent);
  g_free (proxy_url);
  proxy_rig_clear (&r);
}

GST_END_TEST;

GST_START_TEST (test_proxy_refused)
{
  ProxyRig r;
  TestProxy *proxy = test_proxy_start (1, NULL, NULL);
  g_autofree gchar *proxy_url = g_strdup (proxy->url);
  const gchar *words[] = { "Could not connect to the proxy", proxy_url,
    NULL
  };
  TestRun run;

  /* Nothing listens there any more. */
  test_proxy_stop (proxy);
  proxy_rig_init (&r, NO_PROXY, __i__);
  g_object_set (r.src, "proxy", proxy_url, "retries", 1, NULL);
  run_and_assert_error (r.src, GST_RESOURCE_ERROR_OPEN_READ, &run, words);
  test_run_clear (&run);
  proxy_rig_clear (&r);
}

GST_END_TEST;

/* Nor does a system proxy see a loopback request, even without no_proxy. */
GST_START_TEST (test_loopback_not_proxied_environment)
{
  CartesiaEmulator *emu = test_emulator_new ();
  TestRelay *relay = test_relay_new (1);
  GstElement *src = make_src (cartesia_emulator_get_base_url (emu), __i__);
  g_autoptr (GBytes) received = NULL;

  g_setenv ("http_proxy", test_relay_get_url (relay), TRUE);
  g_setenv ("https_proxy", test_relay_get_url (relay), TRUE);
  g_unsetenv ("no_proxy");
  run_and_assert_audio (src);
  received = test_relay_dup_received (relay);
  fail_unless_equals_int (g_bytes_get_size (received), 1);      /* the NUL */
  fail_unless_equals_int (test_relay_count_clients (relay), 0);
  test_relay_free (relay);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* A loopback server is reached directly: a key sent over plain http to
 * 127.0.0.1 never reaches the proxy. */
GST_START_TEST (test_loopback_not_proxied)
{
  CartesiaEmulator *emu = test_emulator_new ();
  TestProxy *proxy = test_proxy_start (cartesia_emulator_get_port (emu),
      NULL, NULL);
  TestRelay *relay = test_relay_new (proxy->port);
  GstElement *src = make_src (cartesia_emulator_get_base_url (emu), __i__);
  g_autofree gchar *log = NULL;
  g_autoptr (GBytes) received = NULL;

  g_object_set (src, "proxy", test_relay_get_url (relay), NULL);
  run_and_assert_audio (src);
  received = test_relay_dup_received (relay);
  fail_unless_equals_int (g_bytes_get_size (received), 1);      /* the NUL */
  fail_unless_equals_int (test_relay_count_clients (relay), 0);
  test_relay_free (relay);
  log = test_proxy_dup_log (proxy);
  /* (Its log has a "Connect" line: the helper's probe for readiness.) */
  fail_if (strstr (log, "Request (file descriptor") != NULL, "the proxy saw "
      "a request:\n%s", log);
  assert_log_clean (proxy);
  test_proxy_stop (proxy);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

GST_START_TEST (test_loopback_not_proxied_silent)
{
  CartesiaEmulator *emu = test_emulator_new ();
  gchar *proxy_url;
  GSocket *silent = test_listen_silent (&proxy_url);
  GstElement *src = make_src (cartesia_emulator_get_base_url (emu), __i__);

  g_object_set (src, "proxy", proxy_url, NULL);
  run_and_assert_audio (src);
  fail_if (test_listen_silent_was_contacted (silent),
      "a loopback request went to the proxy");
  g_socket_close (silent, NULL);
  g_object_unref (silent);
  g_free (proxy_url);
  cartesia_emulator_free (emu);
}

GST_END_TEST;

/* ---- IPv6 loopback ---- */

static gboolean
have_ipv6_loopback (void)
{
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV6,
      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) lo =
      g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (lo, 0);

  return socket && g_socket_bind (socket, address, TRUE, NULL);
}

GST_START_TEST (test_ipv6_loopback)
{
  CartesiaEmulatorListen listen = { "::1", NULL };
  g_autoptr (GError) error = NULL;
  CartesiaEmulator *emu;
  TestTlsServer *server;
  GstElement *src;

  fail_unless (have_ipv6_loopback (), "this machine has no IPv6 loopback "
      "(::1); the IPv6 tests need it");
  emu = cartesia_emulator_new_full (TEST_API_KEY, 0, &listen, &error);
  fail_unless (emu != NULL, "%s", error ? error->message : "");
  fail_unless (g_str_has_prefix (cartesia_emulator_get_base_url (emu),
          "http://[::1]:"), "%s", cartesia_emulator_get_base_url (emu));
  /* Plain http to ::1 is loopback too. */
  src = make_src (cartesia_emulator_get_base_url (emu), __i__);
  run_and_assert_audio (src);
  cartesia_emulator_free (emu);

  /* TLS on ::1: the emulator serves it (curl, Node), but Debian 12's
   * glib-networking (2.74) sends "::1" as the TLS server name (SNI), which
   * the emulator's GnuTLS refuses; the client fails at once and says it. */
  server = test_tls_server_new ("::1", NULL);
  fail_unless (g_str_has_prefix (cartesia_emulator_get_base_url (server->emu),
          "https://[::1]:"));
  test_tls_server_free (server);
}

GST_END_TEST;

static Suite *
cartesiattssrc_network_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-network");
  TCase *tls = tcase_create ("tls");
  TCase *proxy = tcase_create ("proxy");
  TCase *general = tcase_create ("general");

  suite_add_tcase (s, tls);
  tcase_add_loop_test (tls, test_trusted_ca_file, 0, 2);
  tcase_add_loop_test (tls, test_trusted_tls_database, 0, 2);
  tcase_add_loop_test (tls, test_untrusted, 0, 2);
  tcase_add_loop_test (tls, test_untrusted_accepted_without_ssl_strict, 0, 2);
  tcase_add_loop_test (tls, test_wrong_host, 0, 2);
  tcase_add_loop_test (tls, test_client_certificate, 0, 2);

  suite_add_tcase (s, proxy);
  tcase_add_loop_test (proxy, test_proxy_connect, 0, 2);
  tcase_add_loop_test (proxy, test_proxy_auth_in_uri, 0, 2);
  tcase_add_loop_test (proxy, test_proxy_auth_id_pw, 0, 2);
  tcase_add_loop_test (proxy, test_proxy_secrets_not_logged, 0, 2);
  tcase_add_loop_test (proxy, test_proxy_from_environment, 0, 2);
  tcase_add_loop_test (proxy, test_proxy_407, 0, 2);
  tcase_add_loop_test (proxy, test_proxy_wrong_password, 0, 2);
  tcase_add_loop_test (proxy, test_proxy_silent, 0, 2);
  tcase_add_loop_test (proxy, test_proxy_refused, 0, 2);
  tcase_add_loop_test (proxy, test_loopback_not_proxied, 0, 2);
  tcase_add_loop_test (proxy, test_loopback_not_proxied_silent, 0, 2);
  tcase_add_loop_test (proxy, test_loopback_not_proxied_environment, 0, 2);

  suite_add_tcase (s, general);
  tcase_add_test (general, test_one_error_for_bad_settings);
  tcase_add_loop_test (general, test_ipv6_loopback, 0, 2);
  return s;
}

GST_CHECK_MAIN (cartesiattssrc_network);
