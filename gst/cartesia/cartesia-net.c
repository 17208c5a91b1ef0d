/* gst-cartesia: the network path of the transport layer (see cartesia-net.h).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cartesia-net.h"

#include <gst/gst.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (cartesia_net_debug);
#define GST_CAT_DEFAULT cartesia_net_debug

static void
init_debug (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (cartesia_net_debug, "cartesianet", 0,
        "Cartesia network path: TLS trust and proxies");
    g_once_init_leave (&done, 1);
  }
}

gboolean
cartesia_net_is_loopback (const gchar * base_url)
{
  g_autoptr (GUri) uri = base_url ? g_uri_parse (base_url, G_URI_FLAGS_NONE,
      NULL) : NULL;
  g_autoptr (GInetAddress) addr = NULL;
  const gchar *host = uri ? g_uri_get_host (uri) : NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  addr = g_inet_address_new_from_string (host);
  return addr && g_inet_address_get_is_loopback (addr);
}

GTlsDatabase *
cartesia_net_load_ca_file (const gchar * path, GError ** error)
{
  g_autoptr (GError) err = NULL;
  g_autoptr (GList) certs = NULL;
  GTlsDatabase *db;

  /* g_tls_file_database_new() accepts a file without any certificate, and
   * such a database trusts nothing: say so now, not at the first handshake. */
  certs = g_tls_certificate_list_new_from_file (path, &err);
  if (certs == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "Could not read CA certificates from ssl-ca-file '%s': %s", path,
        err ? err->message : "no PEM certificate in it");
    return NULL;
  }
  g_list_free_full (g_steal_pointer (&certs), g_object_unref);
  db = g_tls_file_database_new (path, &err);
  if (db == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "Could not use ssl-ca-file '%s': %s", path, err->message);
  return db;
}

static gboolean
is_direct (const gchar * proxy)
{
  return proxy && g_ascii_strncasecmp (proxy, "direct://", 9) == 0;
}

gboolean
cartesia_net_check_proxy (const gchar * proxy, GError ** error)
{
  g_autoptr (GUri) uri = NULL;

  if (proxy == NULL || *proxy == '\0' || is_direct (proxy))
    return TRUE;
  uri = g_uri_parse (proxy, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL
      || *g_uri_get_host (uri) == '\0') {
    g_set_error_literal (error, G_URI_ERROR, G_URI_ERROR_FAILED,
        "proxy must be a URI such as http://host:port or "
        "http://user:password@host:port, or direct://");
    return FALSE;
  }
  return TRUE;
}

gchar *
cartesia_net_uri_for_display (const gchar * uri)
{
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);

  if (parsed == NULL)
    return g_strdup ("(an invalid proxy URI)");
  return g_uri_to_string_partial (parsed, G_URI_HIDE_USERINFO);
}

/* @proxy with proxy-id and proxy-pw as its user information, unless it has
 * some of its own. */
static gchar *
with_credentials (const gchar * proxy, const gchar * id, const gchar * pw)
{
  g_autoptr (GUri) uri = g_uri_parse (proxy, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GUri) full = NULL;

  if (uri == NULL || id == NULL || *id == '\0' || g_uri_get_user (uri))
    return g_strdup (proxy);
  full = g_uri_build_with_user (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), id,
      pw ? pw : "", NULL, g_uri_get_host (uri), g_uri_get_port (uri),
      g_uri_get_path (uri), g_uri_get_query (uri), g_uri_get_fragment (uri));
  return g_uri_to_string (full);
}

/* The proxy a request to @url goes through, shown without credentials, or
 * NULL when it goes directly. */
static gchar *
proxy_for (const CartesiaSessionConfig * c, const gchar * url)
{
  g_auto (GStrv) proxies = NULL;

  if (cartesia_net_is_loopback (c->base_url) || is_direct (c->proxy))
    return NULL;
  if (c->proxy && *c->proxy)
    return cartesia_net_uri_for_display (c->proxy);
  /* The system's settings: only asked when a request failed. */
  proxies = g_proxy_resolver_lookup (g_proxy_resolver_get_default (), url,
      NULL, NULL);
  if (proxies == NULL || proxies[0] == NULL || is_direct (proxies[0]))
    return NULL;
  return cartesia_net_uri_for_display (proxies[0]);
}

SoupSession *
cartesia_net_session_new (const CartesiaSessionConfig * c)
{
  SoupSession *soup;
  g_autoptr (GProxyResolver) resolver = NULL;

  init_debug ();
  soup = soup_session_new_with_options ("user-agent", c->user_agent,
      "timeout", c->timeout, NULL);
  /* A loopback server is reached directly whatever the proxy settings say:
   * plain http is allowed there only because it never leaves the machine. */
  if (cartesia_net_is_loopback (c->base_url) || is_direct (c->proxy)) {
    GST_DEBUG ("connecting directly, without a proxy");
    resolver = g_simple_proxy_resolver_new ("direct://", NULL);
  } else if (c->proxy && *c->proxy) {
    g_autofree gchar *uri = with_credentials (c->proxy, c->proxy_id,
        c->proxy_pw);

    resolver = g_simple_proxy_resolver_new (uri, NULL);
    if (uri)
      memset (uri, 0, strlen (uri));
  }
  if (resolver)
    soup_session_set_proxy_resolver (soup, resolver);
  if (c->tls_database)
    soup_session_set_tls_database (soup, c->tls_database);
  if (c->tls_interaction)
    soup_session_set_tls_interaction (soup, c->tls_interaction);
  return soup;
}

/* What a message remembers of its connection, for cartesia_net_explain(). */
typedef struct
{
  guint tls_errors;
  gint stage;                   /* last GSocketClientEvent seen + 1; 0: none */
  gboolean ssl_strict;
  gchar *proxy_id;
  gchar *proxy_pw;
} MessageNet;

#define MESSAGE_NET "cartesia-net"

static void
message_net_free (gpointer data)
{
  MessageNet *net = data;

  g_free (net->proxy_id);
  if (net->proxy_pw)
    memset (net->proxy_pw, 0, strlen (net->proxy_pw));
  g_free (net->proxy_pw);
  g_free (net);
}

static gboolean
on_accept_certificate (SoupMessage * msg, GTlsCertificate * cert,
    GTlsCertificateFlags errors, MessageNet * net)
{
  net->tls_errors = errors;
  if (net->ssl_strict)
    return FALSE;
  GST_WARNING ("accepting a TLS certificate with errors 0x%x (ssl-strict="
      "false)", errors);
  return TRUE;
}

static void
on_network_event (SoupMessage * msg, GSocketClientEvent event,
    GIOStream * connection, MessageNet * net)
{
  GST_LOG ("network event %d", event);
  net->stage = MAX (net->stage, (gint) event + 1);
}

static gboolean
on_authenticate (SoupMessage * msg, SoupAuth * auth, gboolean retrying,
    MessageNet * net)
{
  if (!soup_auth_is_for_proxy (auth) || retrying || net->proxy_id == NULL)
    return FALSE;
  GST_DEBUG ("answering the proxy's %s challenge with proxy-id",
      soup_auth_get_scheme_name (auth));
  soup_auth_authenticate (auth, net->proxy_id,
      net->proxy_pw ? net->proxy_pw : "");
  return TRUE;
}

void
cartesia_net_prepare_message (SoupMessage * msg,
    const CartesiaSessionConfig * c)
{
  MessageNet *net = g_new0 (MessageNet, 1);

  net->ssl_strict = c->ssl_strict;
  if (c->proxy_id && *c->proxy_id) {
    net->proxy_id = g_strdup (c->proxy_id);
    net->proxy_pw = g_strdup (c->proxy_pw);
  }
  g_object_set_data_full (G_OBJECT (msg), MESSAGE_NET, net, message_net_free);
  g_signal_connect (msg, "accept-certificate",
      G_CALLBACK (on_accept_certificate), net);
  g_signal_connect (msg, "network-event", G_CALLBACK (on_network_event), net);
  g_signal_connect (msg, "authenticate", G_CALLBACK (on_authenticate), net);
}

typedef struct
{
  gchar *content_type;
  GBytes *body;
} KeptBody;

static void
kept_body_free (gpointer data, GClosure * closure)
{
  KeptBody *kept = data;

  g_free (kept->content_type);
  g_bytes_unref (kept->body);
  g_free (kept);
}

static void
on_restarted (SoupMessage * msg, KeptBody * kept)
{
  GST_DEBUG ("message restarted: setting its body again");
  soup_message_set_request_body_from_bytes (msg, kept->content_type,
      kept->body);
}

void
cartesia_net_set_body (SoupMessage * msg, const gchar * content_type,
    GBytes * body)
{
  KeptBody *kept = g_new0 (KeptBody, 1);

  kept->content_type = g_strdup (content_type);
  kept->body = g_bytes_ref (body);
  soup_message_set_request_body_from_bytes (msg, content_type, body);
  g_signal_connect_data (msg, "restarted", G_CALLBACK (on_restarted), kept,
      kept_body_free, 0);
}

guint
cartesia_net_get_tls_errors (SoupMessage * msg)
{
  MessageNet *net = g_object_get_data (G_OBJECT (msg), MESSAGE_NET);

  return net ? net->tls_errors : 0;
}

gchar *
cartesia_net_describe_tls_errors (guint flags)
{
  static const struct
  {
    GTlsCertificateFlags flag;
    const gchar *words;
  } names[] = {
    {G_TLS_CERTIFICATE_UNKNOWN_CA, "signed by an unknown authority"},
    {G_TLS_CERTIFICATE_BAD_IDENTITY, "issued for another host name"},
    {G_TLS_CERTIFICATE_NOT_ACTIVATED, "not valid yet"},
    {G_TLS_CERTIFICATE_EXPIRED, "expired"},
    {G_TLS_CERTIFICATE_REVOKED, "revoked"},
    {G_TLS_CERTIFICATE_INSECURE, "made with an insecure algorithm"},
    {G_TLS_CERTIFICATE_GENERIC_ERROR, "invalid"},
  };
  GString *s = g_string_new (NULL);
  guint i, n = 0;

  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    if (!(flags & names[i].flag))
      continue;
    if (n++ > 0)
      g_string_append (s, ", ");
    g_string_append (s, names[i].words);
  }
  if (n == 0)
    g_string_append (s, "not acceptable");
  return g_string_free (s, FALSE);
}

void
cartesia_net_failure_clear (CartesiaNetFailure * failure)
{
  g_clear_pointer (&failure->text, g_free);
}

static gchar *
explain_certificate (SoupMessage * msg, guint flags)
{
  g_autofree gchar *words = cartesia_net_describe_tls_errors (flags);
  const gchar *host = g_uri_get_host (soup_message_get_uri (msg));
  const gchar *remedy;

  if (flags == G_TLS_CERTIFICATE_BAD_IDENTITY)
    remedy = "check the host name in base-url";
  else
    remedy = "if a company CA or a TLS-inspecting gateway signed it, trust "
        "that CA with ssl-ca-file or tls-database (ssl-strict=false only to "
        "test)";
  return g_strdup_printf ("The TLS certificate of %s was refused: it is %s. "
      "To fix: %s", host, words, remedy);
}

gboolean
cartesia_net_explain (const CartesiaSessionConfig * c, SoupMessage * msg,
    guint status, const GError * error, CartesiaNetFailure * failure)
{
  MessageNet *net = g_object_get_data (G_OBJECT (msg), MESSAGE_NET);
  g_autofree gchar *url = g_uri_to_string (soup_message_get_uri (msg));
  g_autofree gchar *proxy = NULL;
  gint tunnel_stage = G_SOCKET_CLIENT_TLS_HANDSHAKING + 1;

  memset (failure, 0, sizeof (*failure));
  if (net && net->tls_errors && c->ssl_strict && status == 0) {
    failure->kind = CARTESIA_ERROR_OPEN;
    failure->tls_errors = net->tls_errors;
    failure->text = explain_certificate (msg, net->tls_errors);
    return TRUE;
  }

  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED)) {
    failure->kind = CARTESIA_ERROR_OPEN;
    failure->text = g_strdup_printf ("%s asked for a TLS client certificate "
        "and got none: provide one with tls-interaction",
        g_uri_get_host (soup_message_get_uri (msg)));
    return TRUE;
  }

  proxy = proxy_for (c, url);
  if (proxy == NULL)
    return FALSE;

  if (status == SOUP_STATUS_PROXY_AUTHENTICATION_REQUIRED) {
    gboolean gave = (c->proxy_id && *c->proxy_id) || strchr (c->proxy ?
        c->proxy : "", '@') != NULL;

    failure->kind = CARTESIA_ERROR_NOT_AUTHORIZED;
    failure->text = g_strdup_printf ("The proxy %s refused the request: HTTP "
        "407 Proxy Authentication Required. %s", proxy, gave ?
        "It did not accept the user name and password given" :
        "Give its user name and password in the proxy URI "
        "(http://user:password@host:port) or with proxy-id and proxy-pw");
    return TRUE;
  }
  /* Through a proxy, the server speaks only inside the TLS tunnel: whatever
   * failed before the TLS handshake began is the proxy's doing.  A message
   * that reused a connection saw no event at all (stage 0): not this. */
  if (net == NULL || net->stage == 0 || net->stage >= tunnel_stage)
    return FALSE;
  failure->kind = CARTESIA_ERROR_OPEN;
  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN) {
    /* Some proxies (tinyproxy) answer wrong credentials with 401. */
    failure->kind = CARTESIA_ERROR_NOT_AUTHORIZED;
    failure->text = g_strdup_printf ("The proxy %s refused the request: HTTP "
        "%u %s. Check the user name and password given in the proxy URI or "
        "with proxy-id and proxy-pw", proxy, status,
        GST_STR_NULL (soup_message_get_reason_phrase (msg)));
  } else if (status != 0) {
    failure->text = g_strdup_printf ("The proxy %s refused to connect to the "
        "server: HTTP %u %s", proxy, status,
        GST_STR_NULL (soup_message_get_reason_phrase (msg)));
    failure->retry = status == 408 || status == 429 || status >= 500;
  } else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
    /* A proxy that accepts and never answers: asking again would only
     * multiply the wait. */
    failure->text = g_strdup_printf ("The proxy %s did not answer within %u "
        "s (timeout)", proxy, c->timeout);
  } else {
    failure->text = g_strdup_printf ("Could not connect to the proxy %s: %s",
        proxy, error ? error->message : "no answer");
    failure->retry = !(error && error->domain == G_RESOLVER_ERROR);
  }
  return TRUE;
}

gchar *
cartesia_net_build_url (const gchar * base_url, const gchar * path,
    gboolean websocket)
{
  g_autoptr (GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GUri) full = NULL;
  g_autofree gchar *base_path = g_strdup (g_uri_get_path (uri));
  g_autofree gchar *full_path = NULL;
  gboolean secure = g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0;
  const gchar *scheme;
  gsize n = strlen (base_path);

  while (n > 0 && base_path[n - 1] == '/')
    base_path[--n] = '\0';
  full_path = g_strconcat (base_path, path, NULL);
  if (websocket)
    scheme = secure ? "wss" : "ws";
  else
    scheme = secure ? "https" : "http";
  full = g_uri_build (G_URI_FLAGS_NONE, scheme, NULL, g_uri_get_host (uri),
      g_uri_get_port (uri), full_path, NULL, NULL);
  return g_uri_to_string (full);
}

SoupMessage *
cartesia_net_new_message (const CartesiaSessionConfig * config,
    const gchar * method, const gchar * url)
{
  SoupMessage *msg = soup_message_new (method, url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  g_autofree gchar *auth = g_strconcat ("Bearer ", config->api_key, NULL);

  soup_message_headers_replace (headers, "Authorization", auth);
  soup_message_headers_replace (headers, "Cartesia-Version",
      config->cartesia_version);
  cartesia_net_prepare_message (msg, config);
  return msg;
}

const gchar *
cartesia_net_response_request_id (SoupMessage * msg)
{
  SoupMessageHeaders *headers = msg ?
      soup_message_get_response_headers (msg) : NULL;

  return headers ? soup_message_headers_get_one (headers, "X-Request-Id") :
      NULL;
}

gchar *
cartesia_net_failure_debug (SoupMessage * msg, guint status,
    const GError * error)
{
  return cartesia_policy_failure_debug (status,
      msg ? soup_message_get_reason_phrase (msg) : NULL, error);
}
