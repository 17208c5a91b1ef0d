/* What the emulator knows about the Cartesia API: versions, models,
 * languages, validation of generation requests and the shapes of errors. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "emu-synth.h"

G_BEGIN_DECLS

#define EMU_LATEST_VERSION "2026-08-14"

typedef enum
{
  EMU_ENDPOINT_WEBSOCKET,
  EMU_ENDPOINT_SSE,
  EMU_ENDPOINT_BYTES,
} EmuEndpoint;

typedef struct
{
  guint status;
  const gchar *error_code;      /* static string */
  gchar *title;
  gchar *message;
  const gchar *doc_url;         /* static string or NULL */
} EmuError;

typedef struct
{
  gchar *model_id;
  gchar *transcript;
  gchar *context_id;            /* NULL when absent (HTTP) */
  gboolean wav;
  EmuEncoding encoding;
  guint sample_rate;
  gboolean continue_;
  gboolean flush;
  gboolean add_timestamps;
  gint max_buffer_delay_ms;     /* -1 when absent (the server's default) */
  gchar *voice_id;              /* NULL for an embedding */
  gboolean add_phoneme_timestamps;
  gdouble speed;                /* generation_config's; 0 when absent */
  gdouble volume;
} EmuRequest;

/* The server's max_buffer_delay_ms when a request does not say. */
#define EMU_DEFAULT_BUFFER_DELAY_MS 3000

/* The error for a voice id the service does not know (404). */
void emu_error_set_voice_not_found (EmuError * error, const gchar * voice_id);

const gchar *emu_endpoint_path (EmuEndpoint endpoint);

gboolean emu_version_is_known (const gchar * version);
/* Whether errors take the structured JSON shape by default; an unknown or
 * missing version gets the newest shape. */
gboolean emu_version_has_structured_errors (const gchar * version);
/* Whether flush and flush_id exist in this version. */
gboolean emu_version_has_flush (const gchar * version);

void emu_error_set (EmuError * error, guint status, const gchar * error_code,
    const gchar * title, const gchar * format, ...) G_GNUC_PRINTF (5, 6);
void emu_error_clear (EmuError * error);
/* A generic error for status @status (429 -> concurrency_limited, ...). */
void emu_error_set_for_status (EmuError * error, guint status);

/* The body of an HTTP error answer. */
gchar *emu_error_http_body (const EmuError * error, gboolean structured,
    const gchar ** content_type);
/* The websocket/SSE "error" message. */
JsonObject *emu_error_message_new (const EmuError * error,
    gboolean structured, const gchar * context_id, gboolean websocket);

/* Validates @body like the real API would for @endpoint and @version. */
gboolean emu_request_parse (JsonObject * body, const gchar * version,
    EmuEndpoint endpoint, EmuRequest * request, EmuError * error);
void emu_request_clear (EmuRequest * request);

G_END_DECLS
