/* gst-cartesia: protocol layer, requests.
 *
 * Pure functions: settings in, JSON text out.  No I/O, no GStreamer.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What every generation request of one utterance repeats (Cartesia requires
 * continuations of a context to repeat all fields but the transcript). */
typedef struct
{
  const gchar *model_id;
  const gchar *voice_id;
  const gchar *language;                /* NULL: not sent */
  const gchar *cartesia_version;        /* decides the shape of "voice" */
  const gchar *encoding;                /* "pcm_s16le", "pcm_f32le", "pcm_mulaw", "pcm_alaw" */
  gint sample_rate;
  gboolean speed_set;
  gdouble speed;
  gboolean volume_set;
  gdouble volume;
  const gchar *emotion;                 /* NULL: not sent */
  const gchar *pronunciation_dict_id;   /* NULL: not sent */
  gint max_buffer_delay_ms;             /* < 0: not sent (server default) */
  gboolean add_timestamps;
  gboolean use_normalized_timestamps;   /* sent with add_timestamps */
  gboolean add_phoneme_timestamps;
} CartesiaRequestParams;

/* One input of a websocket context (@context_id non-NULL; @continue_ as
 * Cartesia's "continue"), or the body of an SSE request (@context_id NULL,
 * no "continue"). */
gchar *cartesia_request_build_generation (const CartesiaRequestParams * params,
    const gchar * context_id, const gchar * transcript, gboolean continue_);

/* One input of an utterance, as the element hands it to the transport: its
 * settings and text, copied; the transport builds the JSON with the id the
 * context has on the wire (cartesia_request_input_build()). */
typedef struct
{
  CartesiaRequestParams params;         /* its strings are the input's own */
  gchar *transcript;
  gboolean continue_;
} CartesiaRequestInput;

/* Copies @params (with its strings) and @transcript. */
CartesiaRequestInput *cartesia_request_input_new (const CartesiaRequestParams *
    params, const gchar * transcript, gboolean continue_);
CartesiaRequestInput *cartesia_request_input_copy (const CartesiaRequestInput *
    input);
void cartesia_request_input_free (CartesiaRequestInput * input);
/* cartesia_request_build_generation() of @input for @context_id. */
gchar *cartesia_request_input_build (const CartesiaRequestInput * input,
    const gchar * context_id);

gchar *cartesia_request_build_cancel (const gchar * context_id);

/* A fresh context id, unique in this process and across processes. */
gchar *cartesia_request_new_context_id (void);

G_END_DECLS
