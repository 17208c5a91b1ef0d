/* Helpers for the network suite (see cartesia-net-utils.h). */
#include "cartesia-net-utils.h"

#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>

#include "cartesia-test-utils.h"

void
test_remove_dir (const gchar * dir)
{
  GDir *d;
  const gchar *name;

  if (dir == NULL)
    return;
  d = g_dir_open (dir, 0, NULL);
  if (d) {
    while ((name = g_dir_read_name (d))) {
      g_autofree gchar *path = g_build_filename (dir, name, NULL);

      g_remove (path);
    }
    g_dir_close (d);
  }
  g_rmdir (dir);
}

static TestTlsServer *
tls_server_new (const gchar * host, const gchar * const *names,
    gboolean client_auth);

TestTlsServer *
test_tls_server_new (const gchar * host, const gchar * const *names)
{
  return tls_server_new (host, names, FALSE);
}

TestTlsServer *
test_tls_server_new_client_auth (void)
{
  return tls_server_new (NULL, NULL, TRUE);
}

static TestTlsServer *
tls_server_new (const gchar * host, const gchar * const *names,
    gboolean client_auth)
{
  TestTlsServer *server = g_new0 (TestTlsServer, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) cert = NULL;
  g_autofree gchar *cert_file = NULL;
  g_autofree gchar *key_file = NULL;
  CartesiaEmulatorListen listen = { host, NULL, client_auth };

  server->dir = g_dir_make_tmp ("cartesia-net-test-XXXXXX", &error);
  fail_unless (server->dir != NULL, "no temporary directory: %s",
      error ? error->message : "");
  fail_unless (cartesia_emulator_make_certificate (server->dir, names,
          &error), "no test certificate: %s", error ? error->message : "");
  cert_file = g_build_filename (server->dir, "cert.pem", NULL);
  key_file = g_build_filename (server->dir, "key.pem", NULL);
  server->ca_file = g_build_filename (server->dir, "ca.pem", NULL);
  cert = g_tls_certificate_new_from_files (cert_file, key_file, &error);
  fail_unless (cert != NULL, "cannot load the test certificate: %s",
      error ? error->message : "");
  listen.tls_certificate = cert;
  server->emu = cartesia_emulator_new_full (TEST_API_KEY, 0, &listen, &error);
  fail_unless (server->emu != NULL, "the TLS emulator did not start: %s",
      error ? error->message : "");
  return server;
}

void
test_tls_server_free (TestTlsServer * server)
{
  if (server == NULL)
    return;
  cartesia_emulator_free (server->emu);
  test_remove_dir (server->dir);
  g_free (server->dir);
  g_free (server->ca_file);
  g_free (server);
}

const gchar *
test_loopback_host_name (void)
{
  const gchar *name = g_get_host_name ();
  g_autoptr (GError) error = NULL;
  GList *addresses, *l;
  gboolean loopback;

  addresses = g_resolver_lookup_by_name (g_resolver_get_default (), name,
      NULL, &error);
  loopback = addresses != NULL;
  for (l = addresses; l; l = l->next)
    loopback = loopback && g_inet_address_get_is_loopback (l->data);
  g_resolver_free_addresses (addresses);
  fail_unless (loopback, "the tests that go through a proxy need a name of "
      "this machine that resolves to a loopback address only (as Debian's "
      "/etc/hosts makes the host name '%s' do); it does not here%s%s", name,
      error ? ": " : "", error ? error->message : "");
  return name;
}

static guint
free_port (void)
{
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4,
      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) lo =
      g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  fail_unless (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
accepts_connections (guint port)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;

  g_socket_client_set_timeout (client, 1);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL,
      NULL);
  return conn != NULL;
}

TestProxy *
test_proxy_start (guint connect_port, const gchar * user,
    const gchar * password)
{
  g_autofree gchar *program = g_find_program_in_path ("tinyproxy");
  g_autoptr (GError) error = NULL;
  g_autofree gchar *config = NULL;
  g_autofree gchar *config_file = NULL;
  TestProxy *proxy;
  gint64 deadline;
  gchar *argv[5];

  fail_unless (program != NULL, "tinyproxy is not installed: the proxy tests "
      "need it (Debian package: tinyproxy; tests/install-deps.sh installs it)");
  proxy = g_new0 (TestProxy, 1);
  proxy->dir = g_dir_make_tmp ("cartesia-proxy-XXXXXX", &error);
  fail_unless (proxy->dir != NULL);
  proxy->port = free_port ();
  proxy->url = g_strdup_printf ("http://127.0.0.1:%u", proxy->port);
  proxy->log_file = g_build_filename (proxy->dir, "tinyproxy.log", NULL);
  config_file = g_build_filename (proxy->dir, "tinyproxy.conf", NULL);
  /* tinyproxy refuses CONNECT to any port but 443 and 563 unless told. */
  config = g_strdup_printf ("Port %u\nListen 127.0.0.1\nTimeout 30\n"
      "LogFile \"%s\"\nLogLevel Info\nMaxClients 50\nAllow 127.0.0.1\n"
      "ConnectPort %u\n%s%s%s%s%s", proxy->port, proxy->log_file,
      connect_port, user ? "BasicAuth " : "", user ? user : "",
      user ? " " : "", user ? password : "", user ? "\n" : "");
  fail_unless (g_file_set_contents (config_file, config, -1, &error));

  argv[0] = program;
  argv[1] = (gchar *) "-d";
  argv[2] = (gchar *) "-c";
  argv[3] = config_file;
  argv[4] = NULL;
  fail_unless (g_spawn_async (NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
          G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
          &proxy->pid, &error), "could not start tinyproxy: %s",
      error ? error->message : "");

  deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  while (!accepts_connections (proxy->port)) {
    gint status;

    fail_if (waitpid (proxy->pid, &status, WNOHANG) == proxy->pid,
        "tinyproxy exited at start; its log: %s", proxy->log_file);
    fail_if (g_get_monotonic_time () > deadline,
        "tinyproxy does not accept connections after 20 s");
    g_usleep (50 * 1000);
  }
  return proxy;
}

gchar *
test_proxy_dup_log (TestProxy * proxy)
{
  gchar *log = NULL;

  g_file_get_contents (proxy->log_file, &log, NULL, NULL);
  return log ? log : g_strdup ("");
}

void
test_proxy_stop (TestProxy * proxy)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  gint status;

  if (proxy == NULL)
    return;
  kill (proxy->pid, SIGTERM);
  while (waitpid (proxy->pid, &status, WNOHANG) != proxy->pid) {
    if (g_get_monotonic_time () > deadline) {
      kill (proxy->pid, SIGKILL);
      waitpid (proxy->pid, &status, 0);
      break;
    }
    g_usleep (20 * 1000);
  }
  g_spawn_close_pid (proxy->pid);
  test_remove_dir (proxy->dir);
  g_free (proxy->dir);
  g_free (proxy->url);
  g_free (proxy->log_file);
  g_free (proxy);
}

/* ---- a recording relay ---- */

struct _TestRelay
{
  guint target_port;
  gchar *url;
  GSocketListener *listener;
  GCancellable *cancellable;
  GThread *accept_thread;
  GMutex lock;
  GByteArray *received;
  GPtrArray *threads;           /* pump threads */
  GPtrArray *connections;       /* GSocketConnection, both ends */
  guint clients;                /* connections accepted */
};

typedef struct
{
  TestRelay *relay;
  GSocketConnection *from;
  GSocketConnection *to;
  gboolean record;
} Pump;

static gpointer
pump_thread (gpointer data)
{
  Pump *pump = data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (pump->from));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM
      (pump->to));
  guint8 buf[16384];
  gssize n;

  while ((n = g_input_stream_read (in, buf, sizeof (buf),
              pump->relay->cancellable, NULL)) > 0) {
    if (pump->record) {
      g_mutex_lock (&pump->relay->lock);
      g_byte_array_append (pump->relay->received, buf, n);
      g_mutex_unlock (&pump->relay->lock);
    }
    if (!g_output_stream_write_all (out, buf, n, NULL,
            pump->relay->cancellable, NULL))
      break;
  }
  /* The other side sees the end too. */
  g_socket_shutdown (g_socket_connection_get_socket (pump->to), FALSE, TRUE,
      NULL);
  g_object_unref (pump->from);
  g_object_unref (pump->to);
  g_free (pump);
  return NULL;
}

static void
start_pump (TestRelay * relay, GSocketConnection * from,
    GSocketConnection * to, gboolean record)
{
  Pump *pump = g_new0 (Pump, 1);

  pump->relay = relay;
  pump->from = g_object_ref (from);
  pump->to = g_object_ref (to);
  pump->record = record;
  g_ptr_array_add (relay->threads, g_thread_new ("test-relay-pump",
          pump_thread, pump));
}

static gpointer
accept_thread (gpointer data)
{
  TestRelay *relay = data;
  GSocketConnection *client;

  while ((client = g_socket_listener_accept (relay->listener, NULL,
              relay->cancellable, NULL))) {
    g_autoptr (GSocketClient) connector = g_socket_client_new ();
    GSocketConnection *target;

    g_mutex_lock (&relay->lock);
    relay->clients++;
    g_mutex_unlock (&relay->lock);
    target = g_socket_client_connect_to_host (connector, "127.0.0.1",
        relay->target_port, relay->cancellable, NULL);
    if (target == NULL) {
      g_object_unref (client);
      continue;
    }
    g_mutex_lock (&relay->lock);
    g_ptr_array_add (relay->connections, client);
    g_ptr_array_add (relay->connections, target);
    start_pump (relay, client, target, TRUE);
    start_pump (relay, target, client, FALSE);
    g_mutex_unlock (&relay->lock);
  }
  return NULL;
}

TestRelay *
test_relay_new (guint target_port)
{
  TestRelay *relay = g_new0 (TestRelay, 1);
  g_autoptr (GError) error = NULL;
  guint16 port;

  relay->target_port = target_port;
  relay->listener = g_socket_listener_new ();
  relay->cancellable = g_cancellable_new ();
  relay->received = g_byte_array_new ();
  relay->threads = g_ptr_array_new ();
  relay->connections = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_init (&relay->lock);
  {
    g_autoptr (GInetAddress) lo =
        g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr (GSocketAddress) address = g_inet_socket_address_new (lo, 0);
    g_autoptr (GSocketAddress) bound = NULL;

    fail_unless (g_socket_listener_add_address (relay->listener, address,
            G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
            &error), "relay: %s", error ? error->message : "");
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  }
  relay->url = g_strdup_printf ("http://127.0.0.1:%u", port);
  relay->accept_thread = g_thread_new ("test-relay", accept_thread, relay);
  return relay;
}

const gchar *
test_relay_get_url (TestRelay * relay)
{
  return relay->url;
}

GBytes *
test_relay_dup_received (TestRelay * relay)
{
  GBytes *bytes;

  g_mutex_lock (&relay->lock);
  g_byte_array_append (relay->received, (const guint8 *) "", 1);
  bytes = g_bytes_new (relay->received->data, relay->received->len);
  g_byte_array_set_size (relay->received, relay->received->len - 1);
  g_mutex_unlock (&relay->lock);
  return bytes;
}

guint
test_relay_count_clients (TestRelay * relay)
{
  guint n;

  g_mutex_lock (&relay->lock);
  n = relay->clients;
  g_mutex_unlock (&relay->lock);
  return n;
}

void
test_relay_free (TestRelay * relay)
{
  guint i;

  g_cancellable_cancel (relay->cancellable);
  g_socket_listener_close (relay->listener);
  g_thread_join (relay->accept_thread);
  /* Unblock the pumps: their reads end once the sockets are shut. */
  g_mutex_lock (&relay->lock);
  for (i = 0; i < relay->connections->len; i++)
    g_socket_shutdown (g_socket_connection_get_socket
        (relay->connections->pdata[i]), TRUE, TRUE, NULL);
  g_mutex_unlock (&relay->lock);
  for (i = 0; i < relay->threads->len; i++)
    g_thread_join (relay->threads->pdata[i]);
  g_ptr_array_unref (relay->threads);
  g_ptr_array_unref (relay->connections);
  g_object_unref (relay->listener);
  g_object_unref (relay->cancellable);
  g_byte_array_unref (relay->received);
  g_mutex_clear (&relay->lock);
  g_free (relay->url);
  g_free (relay);
}
