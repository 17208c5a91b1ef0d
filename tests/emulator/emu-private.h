/* Internal state of the emulator, shared by its endpoint files. */
#pragma once

#include <libsoup/soup.h>

#include "cartesia-emulator.h"
#include "emu-options.h"
#include "emu-protocol.h"

G_BEGIN_DECLS

struct _CartesiaEmulator
{
  /* fixed once the server is listening */
  gchar *api_key;
  guint port;
  gchar *base_url;
  gchar *host;                  /* loopback address listened on */
  GTlsCertificate *tls_certificate;     /* NULL: plain http */
  gboolean require_client_certificate;
  GCancellable *handshakes;     /* TLS handshakes under way */
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;

  /* start-up handshake with the creating thread */
  GMutex lock;
  GCond cond;
  gboolean ready;
  GError *start_error;

  /* protected by lock */
  EmuOptions options;
  GPtrArray *requests;
  GPtrArray *request_ids;       /* X-Request-Id of every answer, in order */
  CartesiaEmulatorStats stats;
  CartesiaEmulatorPacing pacing;
  guint status_faults_used;
  guint generation_faults_used;
  gboolean log_enabled;
  GArray *timings;              /* CartesiaEmulatorTiming, for benchmarks */
  GArray *generations;          /* CartesiaEmulatorTiming, for tests */

  /* emulator thread only */
  SoupServer *server;
  GSocket *listener;
  GSource *accept_source;
  GList *ws_conns;              /* EmuWsConn */
  GList *http_streams;          /* EmuHttpStream */
  guint active_generations;
  guint next_conn_id;
  gint64 last_request_us;       /* when emu_record() last saw a request */
};

/* Who is calling, as read from the request before any check. */
typedef struct
{
  gchar *version;               /* effective Cartesia-Version, or NULL */
  const gchar *auth;            /* static: which auth form was used, or NULL */
  gchar *user_agent;
} EmuClient;

void emu_client_clear (EmuClient * client);

/* Fills @client and checks the http-status fault, the key and the version.
 * On failure answers @msg with the error and returns FALSE. */
gboolean emu_admit (CartesiaEmulator * emu, SoupServerMessage * msg,
    GHashTable * query, EmuClient * client);

void emu_respond_error (SoupServerMessage * msg, const EmuError * error,
    gboolean structured, guint retry_after);
gboolean emu_use_structured_errors (CartesiaEmulator * emu,
    const gchar * version);

void emu_snapshot_options (CartesiaEmulator * emu, EmuOptions * options);
/* Whether the per-generation faults of @options apply to a new generation
 * (fail-count); consumes one of the faulty generations. */
gboolean emu_take_generation_fault (CartesiaEmulator * emu,
    const EmuOptions * options);

void emu_record (CartesiaEmulator * emu, EmuEndpoint endpoint,
    const EmuClient * client, const gchar * data, gsize size);

/* When the request being handled arrived: emu_record() is the first thing
 * every endpoint does with a request, so it stamps the time. */
gint64 emu_last_request_time (CartesiaEmulator * emu);
/* A generation sent its first chunk (benchmarks subtract the server's own
 * time to first audio). */
void emu_record_timing (CartesiaEmulator * emu, const gchar * context_id,
    const gchar * transcript, gint64 received_us, gint64 first_chunk_us);

/* A generation began: @text (as received, tags and all), held since
 * @arrival_us, started at @started_us. */
void emu_record_generation (CartesiaEmulator * emu, const gchar * context_id,
    const gchar * text, gint64 arrival_us, gint64 started_us);

/* FALSE with a 404 in @error for the unknown-voice option's voice. */
gboolean emu_voice_is_known (CartesiaEmulator * emu,
    const EmuRequest * request, EmuError * error);
guint emu_context_expiry_ms (CartesiaEmulator * emu);

CartesiaEmulatorStats *emu_stats_lock (CartesiaEmulator * emu);
void emu_stats_unlock (CartesiaEmulator * emu);
/* A paced chunk went out @late_us after it was due (lock held, as between
 * emu_stats_lock() and emu_stats_unlock()). */
void emu_record_pacing_locked (CartesiaEmulator * emu, gint64 late_us);

/* The TCP socket under @msg, to cut connections abruptly. */
GSocket *emu_message_socket (SoupServerMessage * msg);

void emu_log (CartesiaEmulator * emu, const gchar * format, ...)
    G_GNUC_PRINTF (2, 3);

/* Frees @data with @free_func on a later iteration of the emulator's
 * context (or when the context goes away), for objects that cannot be freed
 * from the callback that ends them. */
void emu_free_later (CartesiaEmulator * emu, gpointer data,
    GDestroyNotify free_func);

/* emu-ws.c */
void emu_ws_register (CartesiaEmulator * emu);
void emu_ws_close_all (CartesiaEmulator * emu, gboolean force);
void emu_ws_free_all (CartesiaEmulator * emu);

/* emu-http.c */
void emu_http_register (CartesiaEmulator * emu);
void emu_http_free_all (CartesiaEmulator * emu);

G_END_DECLS
