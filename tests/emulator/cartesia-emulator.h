/* cartesia-emulator: a local stand-in for the Cartesia TTS API.
 *
 * A second, independent implementation of the server side of the protocol
 * described in shared/cartesia-protocol.md.  It must never include or link
 * the plugin's own protocol code (gst/cartesia/), so that a bug shared by
 * both sides cannot hide itself.
 *
 * The emulator runs a SoupServer on its own thread and GMainContext, so it
 * can be embedded in a test process (gst-check suites, benchmarks) as well
 * as run as the `cartesia-emulator` program.
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _CartesiaEmulator CartesiaEmulator;

typedef struct
{
  guint ws_connections;         /* websocket handshakes accepted */
  guint ws_rejected;            /* websocket handshakes refused (auth, status faults) */
  guint ws_client_closes;       /* close frames received from clients */
  guint ws_client_close_code;   /* code of the last client close frame (0 if none) */
  guint http_requests;          /* /tts/sse and /tts/bytes requests received */
  guint contexts_started;       /* generations started (ws contexts + http requests) */
  guint contexts_done;          /* generations that sent their final "done" */
  guint contexts_cancelled;     /* ws cancel messages received */
  guint chunks_sent;            /* chunk messages sent, all endpoints */
  guint64 audio_bytes_sent;     /* decoded audio bytes sent, all endpoints */
  guint open_connections;       /* websocket connections open right now */
} CartesiaEmulatorStats;

/* Starts a server listening on 127.0.0.1:@port (0 = a free port) on a thread of
 * its own; returns once it is listening.  @api_key: the only key accepted, or
 * NULL to accept any non-empty key.  Returns NULL and sets @error on failure. */
CartesiaEmulator *cartesia_emulator_new (const gchar * api_key, guint port,
    GError ** error);

/* Where and how the emulator listens, beyond cartesia_emulator_new(). */
typedef struct
{
  const gchar *host;            /* a loopback address ("127.0.0.1", "::1") or
                                 * "localhost"; NULL: 127.0.0.1 */
  GTlsCertificate *tls_certificate;     /* with its key: serve https and wss;
                                         * NULL: plain http and ws */
  gboolean require_client_certificate;  /* TLS: refuse a client without one
                                         * (any certificate is accepted) */
} CartesiaEmulatorListen;

/* Like cartesia_emulator_new(), listening as @listen says (NULL: as
 * cartesia_emulator_new()).  The base URL is then https://HOST:PORT with a
 * certificate, and an IPv6 host is in brackets. */
CartesiaEmulator *cartesia_emulator_new_full (const gchar * api_key,
    guint port, const CartesiaEmulatorListen * listen, GError ** error);

/* Writes a throwaway CA (ca.pem, ca.key) and a server certificate it signs
 * (cert.pem, key.pem), valid 30 days for @hosts (host names and IP
 * addresses; NULL: localhost, 127.0.0.1 and ::1), into @dir, with the openssl
 * program (Debian package: openssl). */
gboolean cartesia_emulator_make_certificate (const gchar * dir,
    const gchar * const *hosts, GError ** error);

/* Stops the server, closes every connection, joins the thread, frees. */
void cartesia_emulator_free (CartesiaEmulator * emu);

/* "http://127.0.0.1:PORT" (no trailing slash).  Owned by @emu. */
const gchar *cartesia_emulator_get_base_url (CartesiaEmulator * emu);
guint cartesia_emulator_get_port (CartesiaEmulator * emu);

/* Changes a behaviour or fault switch; thread-safe; applies to requests and
 * connections that arrive (or chunks that are sent) afterwards.  @name is a
 * long option of the program without the dashes ("chunk-bytes", "pacing", ...);
 * "reset" with any value restores every default.  Returns FALSE and sets
 * @error for an unknown name or an invalid value. */
gboolean cartesia_emulator_set_option (CartesiaEmulator * emu,
    const gchar * name, const gchar * value, GError ** error);

/* Every message and HTTP body the server received, oldest first, each as one
 * JSON object text:
 *   {"endpoint": "/tts/websocket" | "/tts/sse" | "/tts/bytes",
 *    "cartesia_version": "2025-04-16",          (effective version, query wins)
 *    "auth": "authorization" | "x-api-key" | "api_key" | "access_token",
 *    "user_agent": "...",                       (or null)
 *    "body": { ...the message as received... }}  (or "raw": "<text>" when it was not JSON)
 * Returns a NULL-terminated array; free with g_strfreev(). */
gchar **cartesia_emulator_dup_requests (CartesiaEmulator * emu);

/* The X-Request-Id of every HTTP answer and websocket handshake the
 * emulator gave (refusals too), oldest first; free with g_strfreev(). */
gchar **cartesia_emulator_dup_request_ids (CartesiaEmulator * emu);
void cartesia_emulator_clear_requests (CartesiaEmulator * emu);

void cartesia_emulator_get_stats (CartesiaEmulator * emu,
    CartesiaEmulatorStats * stats);

/* The deterministic audio the emulator speaks for @transcript: exactly the
 * bytes, concatenated, of the chunks one generation request with that
 * transcript produces.  @encoding is "pcm_s16le", "pcm_f32le", "pcm_mulaw" or
 * "pcm_alaw"; @sample_rate one of 8000, 16000, 22050, 24000, 44100, 48000.
 * Returns NULL for an unsupported encoding or rate.  Free with g_free(). */
guint8 *cartesia_emulator_render (const gchar * transcript,
    const gchar * encoding, guint sample_rate, gsize * n_bytes);

/* Additions beyond the pinned API. */

/* How late paced chunks went out (`pacing=realtime` or `chunk-interval-ms`),
 * each against when it was due; a context's first chunk is not counted.
 * For benchmarks: a client cannot be judged on chunks the emulator sent
 * late. */
typedef struct
{
  guint64 chunks;               /* paced chunks sent */
  guint64 late_5ms;             /* of which more than 5 ms late */
  guint64 late_20ms;            /* of which more than 20 ms late */
  gint64 max_late_us;           /* the latest one */
} CartesiaEmulatorPacing;

/* Copies the figures since the last call into @pacing and starts again. */
void cartesia_emulator_take_pacing (CartesiaEmulator * emu,
    CartesiaEmulatorPacing * pacing);

/* Logs one line per connection, request and notable event on stderr (off by
 * default; the cartesia-emulator program turns it on).  Keys are never
 * logged. */
void cartesia_emulator_set_logging (CartesiaEmulator * emu, gboolean enabled);

/* The server's own share of the time to first audio of one generation (a
 * websocket context or an HTTP request), for benchmarks that subtract it.
 * Both times are g_get_monotonic_time() values (CLOCK_MONOTONIC: comparable
 * between processes of one machine). */
typedef struct
{
  gchar *context_id;            /* NULL when the request carried none */
  gchar *transcript;            /* the input that produced the first chunk */
  gint64 received_us;           /* the request began to be handled */
  gint64 first_chunk_us;        /* the first chunk was handed to the socket
                                 * (websocket) or to the response body (HTTP) */
} CartesiaEmulatorTiming;

/* The timings of every generation that sent a first chunk since the start or
 * the last clear, oldest first; at most the first 100000 are kept.  Free
 * with cartesia_emulator_timings_free(). */
CartesiaEmulatorTiming *cartesia_emulator_dup_timings (CartesiaEmulator * emu,
    guint * n_timings);
void cartesia_emulator_timings_free (CartesiaEmulatorTiming * timings,
    guint n_timings);
/* Clears the generations too. */
void cartesia_emulator_clear_timings (CartesiaEmulator * emu);

/* Every generation a websocket context or HTTP request started, oldest
 * first: @transcript is the text generated at once (inputs joined as the
 * server's buffer held them, Sonic's tags included), received_us when its
 * first input came, first_chunk_us when its generation started.  So the
 * concatenated transcripts are the text the emulator spoke.  Free with
 * cartesia_emulator_timings_free(). */
CartesiaEmulatorTiming *cartesia_emulator_dup_generations (CartesiaEmulator *
    emu, guint * n_generations);

G_END_DECLS
