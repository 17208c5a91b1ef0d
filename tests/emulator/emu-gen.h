/* One generation: a websocket context or an HTTP request.  It renders each
 * input as it arrives, cuts the audio into chunks, paces them and injects
 * the per-generation faults; what a message looks like on the wire is left
 * to the endpoint's sink. */
#pragma once

#include <json-glib/json-glib.h>

#include "emu-private.h"
#include "emu-synth.h"

G_BEGIN_DECLS

typedef struct _EmuGen EmuGen;

typedef struct
{
  /* A message of @type ("chunk", "timestamps", "flush_done", "done",
   * "error").  @msg is NULL for chunks when the generation has no JSON
   * events (/tts/bytes); @audio is the chunk's audio, else NULL. */
  void (*emit) (EmuGen * gen, gpointer owner, const gchar * type,
      JsonObject * msg, GBytes * audio);
  /* The first chunk, corrupted as @kind says. */
  void (*emit_malformed) (EmuGen * gen, gpointer owner, EmuMalformed kind,
      JsonObject * chunk, GBytes * audio);
  /* "done" or "error" was sent; the sink must not free @gen from here. */
  void (*finished) (EmuGen * gen, gpointer owner);
  /* drop-after-chunks: cut the connection; again, do not free @gen here. */
  void (*drop) (EmuGen * gen, gpointer owner);
} EmuGenSink;

typedef struct
{
  const gchar *context_id;      /* NULL: no context_id in the messages */
  EmuEncoding encoding;
  guint sample_rate;
  gboolean add_timestamps;
  gboolean add_phoneme_timestamps;
  EmuStyle style;               /* of the voice (voice_id copied) */
  gboolean json_events;         /* FALSE for /tts/bytes */
  gboolean flush_ids;           /* chunks carry flush_id */
  gboolean structured_errors;
  gboolean websocket;
} EmuGenParams;

EmuGen *emu_gen_new (CartesiaEmulator * emu, const EmuGenParams * params,
    const EmuGenSink * sink, gpointer owner);
void emu_gen_free (EmuGen * gen);

/* Queues an input; @final: continue was false.  @buffer_delay_ms is the
 * input's max_buffer_delay_ms (-1: absent, the server's default): a
 * websocket context holds text until a sentence is complete, the delay has
 * passed since the first input held, or a flush or the final input comes;
 * with 0 each input is generated at once and answered with flush_done. */
void emu_gen_push (EmuGen * gen, const gchar * transcript, gboolean flush,
    gboolean final, gint buffer_delay_ms);
/* Stops all output for good; the generation no longer counts as active. */
void emu_gen_stop (EmuGen * gen);

gboolean emu_gen_is_final (EmuGen * gen);
gboolean emu_gen_is_stalled (EmuGen * gen);
/* The context expired: it was open, and its last audio went out
 * context-expiry-ms ago.  Its sink's finished() was called. */
gboolean emu_gen_is_expired (EmuGen * gen);
const gchar *emu_gen_get_context_id (EmuGen * gen);

G_END_DECLS
