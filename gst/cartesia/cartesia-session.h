/* gst-cartesia: transport layer.
 *
 * Owns libsoup: a SoupSession on a thread and GMainContext of its own (the
 * souphttpsrc pattern).  The element talks to it only through the functions
 * below, which are safe to call from any thread, and a queue of decoded
 * events that it pops.
 */
#pragma once

#include <gio/gio.h>
#include "cartesia-event.h"
#include "cartesia-event-queue.h"
#include "cartesia-policy.h"
#include "cartesia-request.h"

G_BEGIN_DECLS

typedef enum
{
  CARTESIA_TRANSPORT_WEBSOCKET,
  CARTESIA_TRANSPORT_SSE,
} CartesiaTransport;

typedef struct
{
  gchar *base_url;              /* validated by cartesia_session_check_base_url() */
  gchar *api_key;
  gchar *cartesia_version;
  gchar *user_agent;
  gchar *proxy;                 /* NULL: the system's proxy settings;
                                 * never used for a loopback base_url */
  gchar *proxy_id;              /* the proxy's user name, or NULL */
  gchar *proxy_pw;              /* and its password */
  GTlsDatabase *tls_database;   /* certificates to trust; NULL: the system's */
  GTlsInteraction *tls_interaction;     /* client certificates; or NULL */
  gboolean ssl_strict;
  guint timeout;                /* seconds of network silence tolerated; 0 = none */
  gint retries;                 /* -1 = forever */
  gdouble retry_backoff_factor; /* seconds */
  gdouble retry_backoff_max;    /* seconds */
  CartesiaTransport transport;
} CartesiaSessionConfig;


typedef struct _CartesiaSession CartesiaSession;

/* Checks that @base_url is an absolute http(s) URL, and that plain http is only
 * used with a loopback host, so that a key never travels in clear text. */
gboolean cartesia_session_check_base_url (const gchar * base_url,
    GError ** error);

/* Starts the session thread.  Copies @config. */
CartesiaSession *cartesia_session_new (const CartesiaSessionConfig * config);

/* Like cartesia_session_new(), but a websocket session shares one
 * connection (one socket, one thread) with every other shared session of the
 * process whose @config is identical in every field; events still reach only
 * the session whose context they concern (or all of them when they concern
 * the connection), and each session keeps stats of its own: connections and
 * connection retries of the shared socket count for every session attached
 * at the time (a session joining an open socket counts it once), context
 * retries and audio bytes for the context's session.  With the SSE transport
 * this is cartesia_session_new(). */
CartesiaSession *cartesia_session_new_shared (const CartesiaSessionConfig *
    config);

/* Cancels everything, closes the websocket cleanly (bounded wait), joins.
 * A shared session cancels its own open contexts on the server and leaves;
 * the connection closes when its last session leaves.  It waits for the
 * session thread, which calls every handle's notify: never call it with a
 * lock held that a notify callback takes (the element's object lock). */
void cartesia_session_free (CartesiaSession * session);

/* Opens the websocket now, so that the first utterance skips the handshake.
 * If this fails for good, an ERROR event with no context reports it; the
 * next utterance then fails at once with the same error when the server
 * refused the key or the request (no second handshake for a known answer). */
void cartesia_session_connect (CartesiaSession * session);

/* Starts or continues context @context_id with one input: @text with the
 * settings @params (both copied), @continue_ as Cartesia's "continue" (more
 * text follows).  The transport writes the request itself: with the id the
 * context has on the wire, or none when each request is an utterance of
 * its own (cartesia_session_continues_contexts() FALSE). */
void cartesia_session_send (CartesiaSession * session,
    const gchar * context_id, const CartesiaRequestParams * params,
    const gchar * text, gboolean continue_);

/* TRUE when a context spans several requests (the websocket: an utterance's
 * text may come in pieces, each continuing the context); FALSE when each
 * request is an utterance of its own (SSE: a request carries all its text,
 * and a context id is not sent). */
gboolean cartesia_session_continues_contexts (CartesiaSession * session);

/* Asks the server to stop @context_id and drops whatever still arrives for it. */
void cartesia_session_cancel (CartesiaSession * session,
    const gchar * context_id);

/* Waits for the next event until @end_time (g_get_monotonic_time() based;
 * -1 = no limit), or until the session is set flushing. */
CartesiaPopResult cartesia_session_pop (CartesiaSession * session,
    gint64 end_time, CartesiaEvent ** event);

void cartesia_session_set_flushing (CartesiaSession * session,
    gboolean flushing);


void cartesia_session_get_stats (CartesiaSession * session,
    CartesiaSessionStats * stats);

/* Calls @func (on the connection's thread) each time an event of @type is
 * queued, so a caller that waits for something else (a clock) can look. */

void cartesia_session_set_notify (CartesiaSession * session,
    CartesiaEventType type, CartesiaSessionNotify func, gpointer user_data);

/* Makes the next (or the current) cartesia_session_pop() return
 * CARTESIA_POP_WAKEUP, so its caller can look at other work. */
void cartesia_session_wakeup (CartesiaSession * session);

G_END_DECLS
