/* Helpers for the network suite: the emulator over TLS with a throwaway CA,
 * and a real tinyproxy on a free loopback port. */
#pragma once

#include <gio/gio.h>
#include "cartesia-emulator.h"

G_BEGIN_DECLS

typedef struct
{
  CartesiaEmulator *emu;
  gchar *dir;                   /* the certificates' */
  gchar *ca_file;               /* the CA that signed the server's certificate */
} TestTlsServer;

/* The emulator on loopback address @host (NULL: 127.0.0.1) serving https and
 * wss with a certificate for @names (NULL: localhost, 127.0.0.1, ::1),
 * signed by a CA of its own.  Fails the test when it cannot. */
TestTlsServer *test_tls_server_new (const gchar * host,
    const gchar * const *names);
/* The same, refusing TLS clients without a certificate. */
TestTlsServer *test_tls_server_new_client_auth (void);
void test_tls_server_free (TestTlsServer * server);

/* A name of this machine that is not a loopback literal but resolves to a
 * loopback address (its host name): what a client behind a proxy can reach
 * the local emulator by.  Fails the test when there is none. */
const gchar *test_loopback_host_name (void);

typedef struct
{
  GPid pid;
  guint port;
  gchar *url;                   /* http://127.0.0.1:PORT */
  gchar *dir;
  gchar *log_file;
} TestProxy;

/* Starts tinyproxy (Debian package: tinyproxy) on a free loopback port,
 * allowing CONNECT to @connect_port, with BasicAuth @user / @password unless
 * @user is NULL; returns once it accepts connections.  Fails the test, naming
 * the package, when tinyproxy is not installed. */
TestProxy *test_proxy_start (guint connect_port, const gchar * user,
    const gchar * password);
/* Its log so far. */
gchar *test_proxy_dup_log (TestProxy * proxy);
/* Stops it (bounded) and removes its files. */
void test_proxy_stop (TestProxy * proxy);

/* A TCP relay on a free loopback port in front of 127.0.0.1:@target_port
 * that keeps every byte its clients sent: what a proxy behind it received. */
typedef struct _TestRelay TestRelay;
TestRelay *test_relay_new (guint target_port);
/* "http://127.0.0.1:PORT" */
const gchar *test_relay_get_url (TestRelay * relay);
/* Every byte clients sent so far, NUL-terminated (binary data included). */
GBytes *test_relay_dup_received (TestRelay * relay);
/* How many connections it accepted. */
guint test_relay_count_clients (TestRelay * relay);
void test_relay_free (TestRelay * relay);

/* Removes the files in @dir, then @dir. */
void test_remove_dir (const gchar * dir);

G_END_DECLS
