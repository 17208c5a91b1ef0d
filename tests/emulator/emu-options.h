/* The emulator's behaviour and fault switches: one table drives parsing,
 * defaults and the program's --help. */
#pragma once

#include <glib.h>

#include "emu-synth.h"

G_BEGIN_DECLS

typedef enum
{
  EMU_PACING_INSTANT,
  EMU_PACING_REALTIME,
} EmuPacing;

typedef enum
{
  EMU_MALFORMED_NONE,
  EMU_MALFORMED_JSON,
  EMU_MALFORMED_BASE64,
  EMU_MALFORMED_BINARY,
  EMU_MALFORMED_UNKNOWN_TYPE,
  EMU_MALFORMED_HUGE,
} EmuMalformed;

typedef enum
{
  EMU_ERROR_FORMAT_AUTO,
  EMU_ERROR_FORMAT_LEGACY,
  EMU_ERROR_FORMAT_STRUCTURED,
} EmuErrorFormat;

typedef enum
{
  EMU_LINE_ENDING_LF,
  EMU_LINE_ENDING_CRLF,
  EMU_LINE_ENDING_CR,
} EmuLineEnding;

typedef struct
{
  EmuPacing pacing;
  guint chunk_bytes;
  guint chunk_interval_ms;      /* 0: by pacing */
  guint first_chunk_delay_ms;
  guint http_status;
  guint retry_after;
  guint fail_count;
  gint error_after_chunks;
  guint error_status;
  gchar *error_title;
  gchar *error_message;
  EmuErrorFormat error_format;
  gint stall_after_chunks;
  gint drop_after_chunks;
  EmuMalformed malformed;
  guint idle_timeout_ms;
  gboolean sse_event_lines;
  EmuLineEnding sse_line_ending;
  guint write_split_bytes;
  guint concurrency_limit;
  guint max_connections;
  EmuVoice voice;
  guint context_expiry_ms;
  gchar *unknown_voice;         /* a UUID answered with 404, or NULL */
} EmuOptions;

typedef struct
{
  const gchar *name;
  const gchar *arg;             /* placeholder shown by --help */
  const gchar *help;
} EmuOptionInfo;

/* The voice starts as the process default (emu_synth_get_default_voice()). */
void emu_options_init (EmuOptions * options);
void emu_options_clear (EmuOptions * options);
/* Also makes @src's voice the calling thread's voice (see emu-options.c). */
void emu_options_copy (EmuOptions * dest, const EmuOptions * src);

/* "reset" restores the defaults. */
gboolean emu_options_set (EmuOptions * options, const gchar * name,
    const gchar * value, GError ** error);

/* TRUE when a per-generation fault (error, stall, drop, malformed) is set. */
gboolean emu_options_have_generation_fault (const EmuOptions * options);

const EmuOptionInfo *emu_options_list (guint * n_options);

G_END_DECLS
