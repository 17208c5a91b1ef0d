/* gst-cartesia: protocol layer, requests (pure). */
#include "cartesia-request.h"

#include <string.h>

/* Requests are written directly rather than through a JsonBuilder tree and
 * a JsonGenerator: a request is built on the application's thread when text
 * is handed over, and with the caches cold after an idle while json-glib's
 * path took ~48 µs of the ~0.5 ms the element adds to the time to first
 * audio (median of 600 warm utterances); this takes 11 µs there, the new
 * context id included.  The output is what json-glib wrote (except 0x1f,
 * which json-glib left raw), compact; tests parse it back with json-glib. */

/* A JSON string: quotes, backslashes and control characters escaped, every
 * other byte as it is (as json-glib does: the text is UTF-8 by then). */
static void
append_string (GString * out, const gchar * str)
{
  const guchar *p = (const guchar *) (str ? str : "");
  const guchar *run = p;

  g_string_append_c (out, '"');
  for (; *p; p++) {
    const gchar *esc;
    gchar hex[8];

    if (*p >= 0x20 && *p != '"' && *p != '\\' && *p != 0x7f)
      continue;
    g_string_append_len (out, (const gchar *) run, p - run);
    run = p + 1;
    switch (*p) {
      case '"':
        esc = "\\\"";
        break;
      case '\\':
        esc = "\\\\";
        break;
      case '\b':
        esc = "\\b";
        break;
      case '\f':
        esc = "\\f";
        break;
      case '\n':
        esc = "\\n";
        break;
      case '\r':
        esc = "\\r";
        break;
      case '\t':
        esc = "\\t";
        break;
      default:
        g_snprintf (hex, sizeof (hex), "\\u%04x", *p);
        esc = hex;
        break;
    }
    g_string_append (out, esc);
  }
  g_string_append_len (out, (const gchar *) run, p - run);
  g_string_append_c (out, '"');
}

/* ,"name": -- the first member of an object has no comma. */
static void
append_name (GString * out, const gchar * name)
{
  if (out->str[out->len - 1] != '{')
    g_string_append_c (out, ',');
  append_string (out, name);
  g_string_append_c (out, ':');
}

static void
append_string_member (GString * out, const gchar * name, const gchar * value)
{
  append_name (out, name);
  append_string (out, value);
}

static void
append_double_member (GString * out, const gchar * name, gdouble value)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  append_name (out, name);
  g_ascii_dtostr (buf, sizeof (buf), value);
  g_string_append (out, buf);
  /* A double stays a double, as json-glib writes it. */
  if (strpbrk (buf, ".eEn") == NULL)
    g_string_append (out, ".0");
}

/* The voice specifier changed shape over API versions: {"mode":"id","id"}
 * up to 2026-03-01, {"id"} (or a bare string) from 2026-08-14 on.  Version
 * strings are ISO dates, so they order lexicographically. */
static void
append_voice (GString * out, const gchar * voice_id, const gchar * version)
{
  append_name (out, "voice");
  g_string_append_c (out, '{');
  if (version == NULL || strcmp (version, "2026-08-14") < 0)
    append_string_member (out, "mode", "id");
  append_string_member (out, "id", voice_id);
  g_string_append_c (out, '}');
}

static void
append_generation_config (GString * out, const CartesiaRequestParams * p)
{
  if (!p->speed_set && !p->volume_set && p->emotion == NULL)
    return;

  append_name (out, "generation_config");
  g_string_append_c (out, '{');
  if (p->speed_set)
    append_double_member (out, "speed", p->speed);
  if (p->volume_set)
    append_double_member (out, "volume", p->volume);
  if (p->emotion)
    append_string_member (out, "emotion", p->emotion);
  g_string_append_c (out, '}');
}

gchar *
cartesia_request_build_generation (const CartesiaRequestParams * p,
    const gchar * context_id, const gchar * transcript, gboolean continue_)
{
  GString *out = g_string_sized_new (384 + (transcript ?
          strlen (transcript) : 0));

  g_string_append_c (out, '{');
  append_string_member (out, "model_id", p->model_id);
  append_string_member (out, "transcript", transcript);
  append_voice (out, p->voice_id, p->cartesia_version);

  append_name (out, "output_format");
  g_string_append_c (out, '{');
  append_string_member (out, "container", "raw");
  append_string_member (out, "encoding", p->encoding);
  append_name (out, "sample_rate");
  g_string_append_printf (out, "%d", p->sample_rate);
  g_string_append_c (out, '}');

  if (p->language)
    append_string_member (out, "language", p->language);
  append_generation_config (out, p);
  if (p->pronunciation_dict_id)
    append_string_member (out, "pronunciation_dict_id",
        p->pronunciation_dict_id);
  if (p->add_timestamps) {
    append_name (out, "add_timestamps");
    g_string_append (out, "true");
    /* Explicit: words that match the input text unless asked otherwise. */
    append_name (out, "use_normalized_timestamps");
    g_string_append (out, p->use_normalized_timestamps ? "true" : "false");
  }
  if (p->add_phoneme_timestamps) {
    append_name (out, "add_phoneme_timestamps");
    g_string_append (out, "true");
  }
  if (context_id) {
    append_string_member (out, "context_id", context_id);
    append_name (out, "continue");
    g_string_append (out, continue_ ? "true" : "false");
    if (p->max_buffer_delay_ms >= 0) {
      append_name (out, "max_buffer_delay_ms");
      g_string_append_printf (out, "%d", p->max_buffer_delay_ms);
    }
  }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

gchar *
cartesia_request_build_cancel (const gchar * context_id)
{
  GString *out = g_string_sized_new (96);

  g_string_append_c (out, '{');
  append_string_member (out, "context_id", context_id);
  append_name (out, "cancel");
  g_string_append (out, "true");
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

gchar *
cartesia_request_new_context_id (void)
{
  g_autofree gchar *uuid = g_uuid_string_random ();

  return g_strconcat ("gst-", uuid, NULL);
}

CartesiaRequestInput *
cartesia_request_input_new (const CartesiaRequestParams * params,
    const gchar * transcript, gboolean continue_)
{
  CartesiaRequestInput *input = g_new0 (CartesiaRequestInput, 1);
  CartesiaRequestParams *p = &input->params;

  *p = *params;
  p->model_id = g_strdup (params->model_id);
  p->voice_id = g_strdup (params->voice_id);
  p->language = g_strdup (params->language);
  p->cartesia_version = g_strdup (params->cartesia_version);
  p->encoding = g_strdup (params->encoding);
  p->emotion = g_strdup (params->emotion);
  p->pronunciation_dict_id = g_strdup (params->pronunciation_dict_id);
  input->transcript = g_strdup (transcript);
  input->continue_ = continue_;
  return input;
}

CartesiaRequestInput *
cartesia_request_input_copy (const CartesiaRequestInput * input)
{
  return cartesia_request_input_new (&input->params, input->transcript,
      input->continue_);
}

void
cartesia_request_input_free (CartesiaRequestInput * input)
{
  CartesiaRequestParams *p;

  if (input == NULL)
    return;
  p = &input->params;
  g_free ((gchar *) p->model_id);
  g_free ((gchar *) p->voice_id);
  g_free ((gchar *) p->language);
  g_free ((gchar *) p->cartesia_version);
  g_free ((gchar *) p->encoding);
  g_free ((gchar *) p->emotion);
  g_free ((gchar *) p->pronunciation_dict_id);
  g_free (input->transcript);
  g_free (input);
}

gchar *
cartesia_request_input_build (const CartesiaRequestInput * input,
    const gchar * context_id)
{
  return cartesia_request_build_generation (&input->params, context_id,
      input->transcript, input->continue_);
}
