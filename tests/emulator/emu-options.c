/* Parsing and defaults of the emulator options. */
#include "emu-options.h"

#include <gio/gio.h>
#include <string.h>

static const EmuOptionInfo option_infos[] = {
  {"pacing", "instant|realtime",
      "Send chunks as fast as possible, or each when its audio would start "
        "playing (default instant)"},
  {"chunk-interval-ms", "N",
      "Send a chunk every N ms, whatever audio it holds (overrides pacing; "
        "0 = off, the default)"},
  {"chunk-bytes", "N",
      "Decoded audio bytes per chunk, need not be a multiple of the sample "
        "size (default 4096)"},
  {"first-chunk-delay-ms", "N",
      "Thinking time before a generation's first chunk (default 0)"},
  {"http-status", "N",
      "Answer every websocket handshake and /tts/* request with status N "
        "and an error body (0 = off)"},
  {"retry-after", "S", "Add 'Retry-After: S' to http-status answers (0 = off)"},
  {"fail-count", "N",
      "Apply the http-status, error, stall, drop and malformed faults only to "
        "the first N connections, requests or generations (0 = unlimited)"},
  {"error-after-chunks", "N",
      "After N chunks of a generation send an error for it (-1 = off)"},
  {"error-status", "N", "Status code of injected errors (default 500)"},
  {"error-title", "TEXT",
      "Title of injected errors (default \"Internal Server Error\")"},
  {"error-message", "TEXT",
      "Message of injected errors (default \"The emulator injected an "
        "error\")"},
  {"error-format", "auto|legacy|structured",
      "Shape of error bodies and messages (auto = by Cartesia-Version)"},
  {"stall-after-chunks", "N",
      "After N chunks of a generation send nothing more for it (-1 = off)"},
  {"drop-after-chunks", "N",
      "After N chunks of a generation close the TCP connection abruptly "
        "(-1 = off)"},
  {"malformed", "none|json|base64|binary|unknown-type|huge",
      "Corrupt the first chunk of each generation (default none)"},
  {"idle-timeout-ms", "N",
      "Close idle websockets with 1000 \"connection idle timeout\" "
        "(default 300000)"},
  {"sse-event-lines", "true|false",
      "Send 'event: <type>' lines before SSE data lines (default true)"},
  {"sse-line-ending", "lf|crlf|cr", "SSE line ending (default lf)"},
  {"write-split-bytes", "N",
      "Write SSE and /tts/bytes bodies in pieces of N bytes (0 = off)"},
  {"concurrency-limit", "N",
      "More active generations than N get a 429 concurrency_limited error "
        "(0 = off)"},
  {"max-connections", "N",
      "More open websockets than N get their handshake refused with 429 "
        "(0 = off)"},
  {"voice", "synthetic|espeak",
      "Speak tones, 50 ms per character (the library's default), or real "
        "words through libespeak-ng (the program's default when built with "
        "it)"},
  {"context-expiry-ms", "N",
      "A websocket context whose last audio went out N ms ago, and that is "
        "still open, expires: more input for it gets an error (default 1000, "
        "as the real service)"},
  {"unknown-voice", "UUID",
      "Answer this voice id with 404 voice_not_found, as the real service "
        "does for a voice it does not know (empty = off)"},
};

void
emu_options_init (EmuOptions * options)
{
  memset (options, 0, sizeof (*options));
  options->pacing = EMU_PACING_INSTANT;
  options->chunk_bytes = 4096;
  options->error_after_chunks = -1;
  options->error_status = 500;
  options->error_title = g_strdup ("Internal Server Error");
  options->error_message = g_strdup ("The emulator injected an error");
  options->error_format = EMU_ERROR_FORMAT_AUTO;
  options->stall_after_chunks = -1;
  options->drop_after_chunks = -1;
  options->malformed = EMU_MALFORMED_NONE;
  options->idle_timeout_ms = 300000;
  options->sse_event_lines = TRUE;
  options->sse_line_ending = EMU_LINE_ENDING_LF;
  options->voice = emu_synth_get_default_voice ();
  options->context_expiry_ms = 1000;
}

void
emu_options_clear (EmuOptions * options)
{
  g_clear_pointer (&options->error_title, g_free);
  g_clear_pointer (&options->error_message, g_free);
  g_clear_pointer (&options->unknown_voice, g_free);
}

/* An emulator thread copies its options when a generation starts and
 * renders that generation's audio on the same thread, through the
 * voice-less emu_synth_render() and friends: so the copy also makes the
 * voice the thread's voice.  A voice change thus applies from the next
 * generation on; see docs/emulator.md for the one case it cannot cover. */
void
emu_options_copy (EmuOptions * dest, const EmuOptions * src)
{
  *dest = *src;
  dest->error_title = g_strdup (src->error_title);
  dest->error_message = g_strdup (src->error_message);
  dest->unknown_voice = g_strdup (src->unknown_voice);
  emu_synth_set_thread_voice (src->voice);
}

gboolean
emu_options_have_generation_fault (const EmuOptions * options)
{
  return options->error_after_chunks >= 0 || options->stall_after_chunks >= 0
      || options->drop_after_chunks >= 0
      || options->malformed != EMU_MALFORMED_NONE;
}

const EmuOptionInfo *
emu_options_list (guint * n_options)
{
  *n_options = G_N_ELEMENTS (option_infos);
  return option_infos;
}

static gboolean
invalid (GError ** error, const gchar * name, const gchar * value)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
      "Invalid value '%s' for option '%s'", value, name);
  return FALSE;
}

static gboolean
parse_int (const gchar * value, gint64 min, gint64 max, gint64 * out)
{
  return g_ascii_string_to_signed (value, 10, min, max, out, NULL);
}

/* Maps @value onto the index of one of the NULL-terminated @choices. */
static gboolean
parse_choice (const gchar * value, const gchar * const *choices, gint * out)
{
  gint i;

  for (i = 0; choices[i]; i++) {
    if (g_ascii_strcasecmp (value, choices[i]) == 0) {
      *out = i;
      return TRUE;
    }
  }
  return FALSE;
}

static gboolean
parse_bool (const gchar * value, gboolean * out)
{
  static const gchar *const choices[] = { "false", "true", "0", "1", "no",
    "yes", "off", "on", NULL
  };
  gint index;

  if (!parse_choice (value, choices, &index))
    return FALSE;
  *out = index % 2;
  return TRUE;
}

typedef enum
{
  KIND_UINT,
  KIND_INT,                     /* -1 = off */
} IntKind;

static const struct
{
  const gchar *name;
  IntKind kind;
  gint64 min, max;
  gsize offset;
} int_options[] = {
  {"chunk-bytes", KIND_UINT, 1, G_MAXINT, G_STRUCT_OFFSET (EmuOptions,
          chunk_bytes)},
  {"chunk-interval-ms", KIND_UINT, 0, 60000, G_STRUCT_OFFSET (EmuOptions,
          chunk_interval_ms)},
  {"first-chunk-delay-ms", KIND_UINT, 0, 3600000, G_STRUCT_OFFSET (EmuOptions,
          first_chunk_delay_ms)},
  {"retry-after", KIND_UINT, 0, 86400, G_STRUCT_OFFSET (EmuOptions,
          retry_after)},
  {"fail-count", KIND_UINT, 0, G_MAXINT, G_STRUCT_OFFSET (EmuOptions,
          fail_count)},
  {"error-after-chunks", KIND_INT, -1, G_MAXINT, G_STRUCT_OFFSET (EmuOptions,
          error_after_chunks)},
  {"error-status", KIND_UINT, 400, 599, G_STRUCT_OFFSET (EmuOptions,
          error_status)},
  {"stall-after-chunks", KIND_INT, -1, G_MAXINT, G_STRUCT_OFFSET (EmuOptions,
          stall_after_chunks)},
  {"drop-after-chunks", KIND_INT, -1, G_MAXINT, G_STRUCT_OFFSET (EmuOptions,
          drop_after_chunks)},
  {"idle-timeout-ms", KIND_UINT, 1, G_MAXINT, G_STRUCT_OFFSET (EmuOptions,
          idle_timeout_ms)},
  {"write-split-bytes", KIND_UINT, 0, G_MAXINT, G_STRUCT_OFFSET (EmuOptions,
          write_split_bytes)},
  {"concurrency-limit", KIND_UINT, 0, G_MAXINT, G_STRUCT_OFFSET (EmuOptions,
          concurrency_limit)},
  {"max-connections", KIND_UINT, 0, G_MAXINT, G_STRUCT_OFFSET (EmuOptions,
          max_connections)},
  {"context-expiry-ms", KIND_UINT, 1, G_MAXINT, G_STRUCT_OFFSET (EmuOptions,
          context_expiry_ms)},
};

static gint
find_int_option (const gchar * name)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (int_options); i++) {
    if (g_str_equal (name, int_options[i].name))
      return i;
  }
  return -1;
}

static gboolean
set_int_option (EmuOptions * options, gint index, const gchar * name,
    const gchar * value, GError ** error)
{
  gpointer field = G_STRUCT_MEMBER_P (options, int_options[index].offset);
  gint64 v;

  if (!parse_int (value, int_options[index].min, int_options[index].max, &v))
    return invalid (error, name, value);
  if (int_options[index].kind == KIND_UINT)
    *(guint *) field = (guint) v;
  else
    *(gint *) field = (gint) v;
  return TRUE;
}

static gboolean
set_choice_option (EmuOptions * options, const gchar * name,
    const gchar * value, gboolean * handled, GError ** error)
{
  static const gchar *const pacing[] = { "instant", "realtime", NULL };
  static const gchar *const malformed[] = { "none", "json", "base64",
    "binary", "unknown-type", "huge", NULL
  };
  static const gchar *const formats[] = { "auto", "legacy", "structured",
    NULL
  };
  static const gchar *const endings[] = { "lf", "crlf", "cr", NULL };
  const gchar *const *choices;
  gint *field;

  if (g_str_equal (name, "pacing")) {
    choices = pacing;
    field = (gint *) & options->pacing;
  } else if (g_str_equal (name, "malformed")) {
    choices = malformed;
    field = (gint *) & options->malformed;
  } else if (g_str_equal (name, "error-format")) {
    choices = formats;
    field = (gint *) & options->error_format;
  } else if (g_str_equal (name, "sse-line-ending")) {
    choices = endings;
    field = (gint *) & options->sse_line_ending;
  } else {
    *handled = FALSE;
    return FALSE;
  }

  *handled = TRUE;
  if (!parse_choice (value, choices, field))
    return invalid (error, name, value);
  return TRUE;
}

static gboolean
set_http_status (EmuOptions * options, const gchar * value, GError ** error)
{
  gint64 v;

  if (!parse_int (value, 0, 599, &v) || (v != 0 && v < 100))
    return invalid (error, "http-status", value);
  options->http_status = (guint) v;
  return TRUE;
}

gboolean
emu_options_set (EmuOptions * options, const gchar * name,
    const gchar * value, GError ** error)
{
  gboolean handled, ok;
  gint index;

  g_return_val_if_fail (name != NULL, FALSE);

  if (g_str_equal (name, "reset")) {
    emu_options_clear (options);
    emu_options_init (options);
    return TRUE;
  }
  if (value == NULL)
    return invalid (error, name, "(null)");

  index = find_int_option (name);
  if (index >= 0)
    return set_int_option (options, index, name, value, error);

  if (g_str_equal (name, "http-status"))
    return set_http_status (options, value, error);

  if (g_str_equal (name, "sse-event-lines")) {
    if (!parse_bool (value, &options->sse_event_lines))
      return invalid (error, name, value);
    return TRUE;
  }

  if (g_str_equal (name, "voice")) {
    EmuVoice voice;

    if (!emu_voice_from_string (value, &voice))
      return invalid (error, name, value);
    if (!emu_voice_check (voice, error))
      return FALSE;
    options->voice = voice;
    return TRUE;
  }

  if (g_str_equal (name, "error-title")) {
    g_free (options->error_title);
    options->error_title = g_strdup (value);
    return TRUE;
  }
  if (g_str_equal (name, "unknown-voice")) {
    if (*value && !g_uuid_string_is_valid (value))
      return invalid (error, name, value);
    g_free (options->unknown_voice);
    options->unknown_voice = *value ? g_strdup (value) : NULL;
    return TRUE;
  }
  if (g_str_equal (name, "error-message")) {
    g_free (options->error_message);
    options->error_message = g_strdup (value);
    return TRUE;
  }

  ok = set_choice_option (options, name, value, &handled, error);
  if (handled)
    return ok;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
      "Unknown option '%s'", name);
  return FALSE;
}
