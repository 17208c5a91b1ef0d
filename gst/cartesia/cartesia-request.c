/* gst-cartesia: protocol layer, requests (pure). */
#include "cartesia-request.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* The voice specifier changed shape over API versions: {"mode":"id","id"}
 * up to 2026-03-01, {"id"} (or a bare string) from 2026-08-14 on.  Version
 * strings are ISO dates, so they order lexicographically. */
static void
add_voice (JsonBuilder * b, const gchar * voice_id, const gchar * version)
{
  json_builder_set_member_name (b, "voice");
  json_builder_begin_object (b);
  if (version == NULL || strcmp (version, "2026-08-14") < 0) {
    json_builder_set_member_name (b, "mode");
    json_builder_add_string_value (b, "id");
  }
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, voice_id ? voice_id : "");
  json_builder_end_object (b);
}

static void
add_generation_config (JsonBuilder * b, const CartesiaRequestParams * p)
{
  if (!p->speed_set && !p->volume_set && p->emotion == NULL)
    return;

  json_builder_set_member_name (b, "generation_config");
  json_builder_begin_object (b);
  if (p->speed_set) {
    json_builder_set_member_name (b, "speed");
    json_builder_add_double_value (b, p->speed);
  }
  if (p->volume_set) {
    json_builder_set_member_name (b, "volume");
    json_builder_add_double_value (b, p->volume);
  }
  if (p->emotion) {
    json_builder_set_member_name (b, "emotion");
    json_builder_add_string_value (b, p->emotion);
  }
  json_builder_end_object (b);
}

static gchar *
builder_to_string (JsonBuilder * b)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);

  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

gchar *
cartesia_request_build_generation (const CartesiaRequestParams * p,
    const gchar * context_id, const gchar * transcript, gboolean continue_)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model_id");
  json_builder_add_string_value (b, p->model_id ? p->model_id : "");
  json_builder_set_member_name (b, "transcript");
  json_builder_add_string_value (b, transcript ? transcript : "");
  add_voice (b, p->voice_id, p->cartesia_version);

  json_builder_set_member_name (b, "output_format");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "container");
  json_builder_add_string_value (b, "raw");
  json_builder_set_member_name (b, "encoding");
  json_builder_add_string_value (b, p->encoding);
  json_builder_set_member_name (b, "sample_rate");
  json_builder_add_int_value (b, p->sample_rate);
  json_builder_end_object (b);

  if (p->language) {
    json_builder_set_member_name (b, "language");
    json_builder_add_string_value (b, p->language);
  }
  add_generation_config (b, p);
  if (p->pronunciation_dict_id) {
    json_builder_set_member_name (b, "pronunciation_dict_id");
    json_builder_add_string_value (b, p->pronunciation_dict_id);
  }
  if (p->add_timestamps) {
    json_builder_set_member_name (b, "add_timestamps");
    json_builder_add_boolean_value (b, TRUE);
  }
  if (context_id) {
    json_builder_set_member_name (b, "context_id");
    json_builder_add_string_value (b, context_id);
    json_builder_set_member_name (b, "continue");
    json_builder_add_boolean_value (b, continue_);
    if (p->max_buffer_delay_ms >= 0) {
      json_builder_set_member_name (b, "max_buffer_delay_ms");
      json_builder_add_int_value (b, p->max_buffer_delay_ms);
    }
  }
  json_builder_end_object (b);

  return builder_to_string (b);
}

gchar *
cartesia_request_build_cancel (const gchar * context_id)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "context_id");
  json_builder_add_string_value (b, context_id);
  json_builder_set_member_name (b, "cancel");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_end_object (b);

  return builder_to_string (b);
}

gchar *
cartesia_request_new_context_id (void)
{
  g_autofree gchar *uuid = g_uuid_string_random ();

  return g_strconcat ("gst-", uuid, NULL);
}
