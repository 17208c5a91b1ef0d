/* gst-cartesia: the network path of the transport layer.
 *
 * What stands between the element and the server: which certificates to
 * trust, which proxy to go through (never one for a loopback server), the
 * proxy's credentials, and, when a request fails, whether the proxy or the
 * server refused it and why a TLS certificate was not accepted.  Used by the
 * transport (cartesia-connection.c and its backends, on its thread) and, for
 * its checks, the element.
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "cartesia-session.h"

G_BEGIN_DECLS

/* TRUE when @base_url's host is a loopback address or "localhost". */
gboolean cartesia_net_is_loopback (const gchar * base_url);

/* A database that trusts exactly the CA certificates of the PEM file @path. */
GTlsDatabase *cartesia_net_load_ca_file (const gchar * path, GError ** error);

/* Checks a proxy URI: NULL, "" and "direct://" mean no explicit proxy;
 * anything else must be an absolute URI with a host. */
gboolean cartesia_net_check_proxy (const gchar * proxy, GError ** error);

/* @uri without its user information: safe to show. */
gchar *cartesia_net_uri_for_display (const gchar * uri);

/* A SoupSession with @config's timeout, user agent, certificate trust,
 * client certificate interaction and proxy, direct for a loopback base-url. */
SoupSession *cartesia_net_session_new (const CartesiaSessionConfig * config);

/* Hooks @msg so that a failure can be explained (cartesia_net_explain()):
 * records the TLS errors of the certificate it was offered and how far the
 * connection got; accepts any certificate without ssl-strict; answers a
 * proxy's challenge with proxy-id and proxy-pw. */
void cartesia_net_prepare_message (SoupMessage * msg,
    const CartesiaSessionConfig * config);

/* Sets @body as @msg's request body, and again whenever libsoup restarts the
 * message: libsoup 3.2 resends a POST without its body after a 407. */
void cartesia_net_set_body (SoupMessage * msg, const gchar * content_type,
    GBytes * body);

typedef struct
{
  CartesiaErrorKind kind;
  gchar *text;                  /* for people; names the proxy, never its password */
  guint tls_errors;             /* GTlsCertificateFlags, 0 when none */
  gboolean retry;               /* worth another attempt */
} CartesiaNetFailure;

/* When @msg failed (@status, @error) because of its certificate or because of
 * the proxy, fills @failure and returns TRUE.  Otherwise the failure is the
 * server's or the network's, and this returns FALSE. */
gboolean cartesia_net_explain (const CartesiaSessionConfig * config,
    SoupMessage * msg, guint status, const GError * error,
    CartesiaNetFailure * failure);

void cartesia_net_failure_clear (CartesiaNetFailure * failure);

/* The TLS errors recorded on @msg by cartesia_net_prepare_message(). */
guint cartesia_net_get_tls_errors (SoupMessage * msg);

/* "signed by an unknown authority, and for another host name": what
 * @flags (GTlsCertificateFlags) mean, in words. */
gchar *cartesia_net_describe_tls_errors (guint flags);

/* <@base_url>/<@path>; for a websocket with the ws(s):// scheme. */
gchar *cartesia_net_build_url (const gchar * base_url, const gchar * path,
    gboolean websocket);

/* A request to @url carrying @config's key and version and its
 * certificate policy (cartesia_net_prepare_message()). */
SoupMessage *cartesia_net_new_message (const CartesiaSessionConfig * config,
    const gchar * method, const gchar * url);

/* The X-Request-Id header of @msg's response (@msg may be NULL), or NULL. */
const gchar *cartesia_net_response_request_id (SoupMessage * msg);

/* What libsoup said, for the debug part of an error. */
gchar *cartesia_net_failure_debug (SoupMessage * msg, guint status,
    const GError * error);

G_END_DECLS
