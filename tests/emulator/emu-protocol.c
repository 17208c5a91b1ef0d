/* Request validation and error shapes, following
 * shared/cartesia-protocol.md sections 1 to 5. */
#include "emu-protocol.h"

#include <string.h>

static const gchar *const known_versions[] = {
  "2024-06-10", "2024-11-13", "2025-04-16", "2025-11-04", "2026-03-01",
  "2026-08-14", NULL
};

static const gchar *const known_models[] = {
  "sonic-3", "sonic-3.5", "sonic-latest", "sonic-3-2025-10-27",
  "sonic-3-2026-01-12", "sonic-3.5-2026-05-04", "sonic-2-2025-04-16",
  "sonic-2-2025-05-08", "sonic-2-2025-06-11", "sonic-turbo-2025-06-04", NULL
};

/* sonic-3 and later */
static const gchar *const all_languages[] = {
  "en", "fr", "de", "es", "pt", "zh", "ja", "hi", "it", "ko", "nl", "pl",
  "ru", "sv", "tr", "tl", "bg", "ro", "ar", "cs", "el", "fi", "hr", "ms",
  "sk", "da", "ta", "uk", "hu", "no", "vi", "bn", "th", "he", "ka", "id",
  "te", "gu", "kn", "ml", "mr", "pa", "or", "ur", NULL
};

static const gchar *const sonic2_languages[] = {
  "en", "de", "es", "fr", "ja", "ko", "pt", "zh", NULL
};

static const gchar *const turbo_languages[] = {
  "en", "de", "es", "fr", "ja", "ko", "pt", "zh", "hi", NULL
};

/* generation_config.emotion, as docs.cartesia.ai volume-speed-emotion lists
 * them for sonic-3 */
static const gchar *const known_emotions[] = {
  "neutral", "angry", "excited", "content", "sad", "scared", "happy",
  "enthusiastic", "elated", "euphoric", "triumphant", "amazed", "surprised",
  "flirtatious", "joking/comedic", "curious", "peaceful", "serene", "calm",
  "grateful", "affectionate", "trust", "sympathetic", "anticipation",
  "mysterious", "mad", "outraged", "frustrated", "agitated", "threatened",
  "disgusted", "contempt", "envious", "sarcastic", "ironic", "dejected",
  "melancholic", "disappointed", "hurt", "guilty", "bored", "tired",
  "rejected", "nostalgic", "wistful", "apologetic", "hesitant", "insecure",
  "confused", "resigned", "anxious", "panicked", "alarmed", "proud",
  "confident", "distant", "skeptical", "contemplative", "determined", NULL
};

#define MODEL_DOC_URL "https://docs.cartesia.ai/build-with-cartesia/tts-models"

const gchar *
emu_endpoint_path (EmuEndpoint endpoint)
{
  switch (endpoint) {
    case EMU_ENDPOINT_WEBSOCKET:
      return "/tts/websocket";
    case EMU_ENDPOINT_SSE:
      return "/tts/sse";
    default:
      return "/tts/bytes";
  }
}

gboolean
emu_version_is_known (const gchar * version)
{
  return version != NULL && g_strv_contains (known_versions, version);
}

gboolean
emu_version_has_structured_errors (const gchar * version)
{
  /* versions are dates, so they compare as strings */
  return !emu_version_is_known (version) || strcmp (version, "2026-03-01") >= 0;
}

gboolean
emu_version_has_flush (const gchar * version)
{
  return !emu_version_is_known (version) || strcmp (version, "2024-11-13") >= 0;
}

void
emu_error_set (EmuError * error, guint status, const gchar * error_code,
    const gchar * title, const gchar * format, ...)
{
  va_list args;

  emu_error_clear (error);
  error->status = status;
  error->error_code = error_code;
  error->title = g_strdup (title);
  va_start (args, format);
  error->message = g_strdup_vprintf (format, args);
  va_end (args);
}

void
emu_error_clear (EmuError * error)
{
  g_clear_pointer (&error->title, g_free);
  g_clear_pointer (&error->message, g_free);
  error->status = 0;
  error->error_code = NULL;
  error->doc_url = NULL;
}

void
emu_error_set_for_status (EmuError * error, guint status)
{
  switch (status) {
    case 400:
      emu_error_set (error, status, "invalid_request", "Bad Request",
          "%s", "The request is invalid");
      break;
    case 401:
      emu_error_set (error, status, "unauthorized", "Unauthorized",
          "%s", "Invalid API key");
      break;
    case 402:
      emu_error_set (error, status, "payment_required", "Payment Required",
          "%s", "Your plan has run out of credits");
      break;
    case 403:
      emu_error_set (error, status, "forbidden", "Forbidden",
          "%s", "This key may not use this resource");
      break;
    case 404:
      emu_error_set (error, status, "not_found", "Not Found",
          "%s", "The resource was not found");
      break;
    case 429:
      emu_error_set (error, status, "concurrency_limited",
          "Too many concurrent requests",
          "%s", "You have exceeded the concurrency limit of your plan");
      break;
    case 503:
      emu_error_set (error, status, "service_unavailable",
          "Service Unavailable", "%s", "The service is overloaded");
      break;
    default:
      emu_error_set (error, status, status >= 500 ? "internal_error" :
          "request_failed", status >= 500 ? "Internal Server Error" :
          "Request Failed", "The emulator answered with status %u", status);
      break;
  }
}

static gchar *
new_request_id (const gchar * context_id, gboolean websocket)
{
  g_autofree gchar *id = g_uuid_string_random ();
  g_autofree gchar *tail = NULL;

  /* websocket request ids look like <uuid>:<context_id>:<uuid> */
  if (!websocket || context_id == NULL)
    return g_steal_pointer (&id);
  tail = g_uuid_string_random ();
  return g_strdup_printf ("%s:%s:%s", id, context_id, tail);
}

gchar *
emu_error_http_body (const EmuError * error, gboolean structured,
    const gchar ** content_type)
{
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *request_id = NULL;

  if (!structured) {
    *content_type = "text/plain";
    return g_strdup_printf ("%s: %s", error->title, error->message);
  }

  request_id = new_request_id (NULL, FALSE);
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error_code");
  if (error->error_code)
    json_builder_add_string_value (builder, error->error_code);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, error->title);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, error->message);
  json_builder_set_member_name (builder, "request_id");
  json_builder_add_string_value (builder, request_id);
  if (error->doc_url) {
    json_builder_set_member_name (builder, "doc_url");
    json_builder_add_string_value (builder, error->doc_url);
  }
  json_builder_end_object (builder);

  *content_type = "application/json";
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

JsonObject *
emu_error_message_new (const EmuError * error, gboolean structured,
    const gchar * context_id, gboolean websocket)
{
  JsonObject *obj = json_object_new ();

  json_object_set_string_member (obj, "type", "error");
  json_object_set_boolean_member (obj, "done", TRUE);
  json_object_set_int_member (obj, "status_code", error->status);
  if (structured) {
    g_autofree gchar *request_id = new_request_id (context_id, websocket);

    json_object_set_string_member (obj, "title", error->title);
    json_object_set_string_member (obj, "message", error->message);
    if (error->error_code)
      json_object_set_string_member (obj, "error_code", error->error_code);
    else
      json_object_set_null_member (obj, "error_code");
    json_object_set_string_member (obj, "request_id", request_id);
    if (error->doc_url)
      json_object_set_string_member (obj, "doc_url", error->doc_url);
  } else {
    g_autofree gchar *text = g_strdup_printf ("%s: %s", error->title,
        error->message);

    json_object_set_string_member (obj, "error", text);
  }
  if (context_id)
    json_object_set_string_member (obj, "context_id", context_id);
  return obj;
}

void
emu_request_clear (EmuRequest * request)
{
  g_clear_pointer (&request->model_id, g_free);
  g_clear_pointer (&request->transcript, g_free);
  g_clear_pointer (&request->context_id, g_free);
  g_clear_pointer (&request->voice_id, g_free);
}

void
emu_error_set_voice_not_found (EmuError * error, const gchar * voice_id)
{
  emu_error_set (error, 404, "voice_not_found", "Voice not found",
      "Voice %s was not found", voice_id);
}

/* ---- validation helpers: each returns FALSE with @error set ---- */

static gboolean bad (EmuError * error, const gchar * format, ...)
    G_GNUC_PRINTF (2, 3);

static gboolean
bad (EmuError * error, const gchar * format, ...)
{
  g_autofree gchar *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  emu_error_set (error, 400, "invalid_request", "Invalid request", "%s",
      message);
  return FALSE;
}

static JsonNode *
member (JsonObject * obj, const gchar * name)
{
  JsonNode *node = json_object_get_member (obj, name);

  return (node && JSON_NODE_HOLDS_NULL (node)) ? NULL : node;
}

static gboolean
node_is_string (JsonNode * node)
{
  return JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_number (JsonNode * node)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static gboolean
node_is_integer (JsonNode * node)
{
  return JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_INT64;
}

/* Optional booleans: absent means FALSE. */
static gboolean
get_bool (JsonObject * obj, const gchar * name, gboolean * out,
    EmuError * error)
{
  JsonNode *node = member (obj, name);

  *out = FALSE;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return bad (error, "%s must be a boolean", name);
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
check_model (JsonObject * body, EmuRequest * request, EmuError * error)
{
  JsonNode *node = member (body, "model_id");

  if (node == NULL || !node_is_string (node))
    return bad (error, "%s is required and must be a string", "model_id");
  request->model_id = g_strdup (json_node_get_string (node));
  if (!g_strv_contains (known_models, request->model_id)) {
    emu_error_set (error, 400, "model_not_found", "Invalid model",
        "The model is not valid, please check the model_id (got '%s')",
        request->model_id);
    error->doc_url = MODEL_DOC_URL;
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_transcript (JsonObject * body, EmuRequest * request, EmuError * error)
{
  JsonNode *node = member (body, "transcript");

  if (node == NULL || !node_is_string (node))
    return bad (error, "%s is required and must be a string", "transcript");
  request->transcript = g_strdup (json_node_get_string (node));
  return TRUE;
}

/* Since 2026-03-01 the service answers an unknown voice with 404, and an id
 * that is not a UUID is unknown (shared/cartesia-protocol.md §10). */
static gboolean
check_voice_uuid (const gchar * id, EmuRequest * request, EmuError * error)
{
  if (*id == '\0')
    return bad (error, "%s id must not be empty", "voice");
  if (!g_uuid_string_is_valid (id)) {
    emu_error_set_voice_not_found (error, id);
    return FALSE;
  }
  request->voice_id = g_strdup (id);
  return TRUE;
}

static gboolean
check_voice_id (JsonObject * voice, EmuRequest * request, EmuError * error)
{
  JsonNode *id = member (voice, "id");

  if (id == NULL || !node_is_string (id))
    return bad (error, "%s must have a string id", "voice");
  return check_voice_uuid (json_node_get_string (id), request, error);
}

static gboolean
check_embedding (JsonObject * voice, EmuError * error)
{
  JsonNode *node = member (voice, "embedding");

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (json_node_get_array (node)) == 0)
    return bad (error, "%s embedding must be an array of numbers", "voice");
  return TRUE;
}

/* 2026-08-14: "<id>" or {"id"} (tolerating mode:"id"); older versions:
 * {"mode":"id","id"}, and embeddings up to 2024-11-13. */
static gboolean
check_voice (JsonObject * body, const gchar * version, EmuRequest * request,
    EmuError * error)
{
  JsonNode *node = member (body, "voice");
  gboolean newest = g_strcmp0 (version, "2026-08-14") >= 0;
  gboolean embeddings = g_strcmp0 (version, "2024-11-13") <= 0;
  JsonObject *voice;
  const gchar *mode = NULL;

  if (node == NULL)
    return bad (error, "%s is required", "voice");
  if (node_is_string (node)) {
    if (!newest)
      return bad (error, "%s must be an object {\"mode\":\"id\",\"id\"} "
          "in this Cartesia-Version", "voice");
    return check_voice_uuid (json_node_get_string (node), request, error);
  }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad (error, "%s must be an object", "voice");

  voice = json_node_get_object (node);
  if (member (voice, "mode")) {
    if (!node_is_string (member (voice, "mode")))
      return bad (error, "%s mode must be a string", "voice");
    mode = json_node_get_string (member (voice, "mode"));
  }
  if (mode == NULL && !newest)
    return bad (error, "%s mode is required in this Cartesia-Version",
        "voice");
  if (g_strcmp0 (mode, "embedding") == 0 && embeddings)
    return check_embedding (voice, error);
  if (mode != NULL && !g_str_equal (mode, "id"))
    return bad (error, "%s mode must be \"id\"", "voice");
  return check_voice_id (voice, request, error);
}

static gboolean
check_container (JsonObject * format, EmuEndpoint endpoint,
    EmuRequest * request, EmuError * error)
{
  JsonNode *node = member (format, "container");
  const gchar *container;

  if (node == NULL || !node_is_string (node))
    return bad (error, "%s is required", "output_format.container");
  container = json_node_get_string (node);
  if (g_str_equal (container, "raw"))
    return TRUE;
  if (endpoint == EMU_ENDPOINT_BYTES && g_str_equal (container, "wav")) {
    request->wav = TRUE;
    return TRUE;
  }
  if (endpoint == EMU_ENDPOINT_BYTES && g_str_equal (container, "mp3"))
    return bad (error, "output_format.container %s is not supported by the "
        "emulator", container);
  return bad (error, "output_format.container '%s' is not supported on this "
      "endpoint", container);
}

static gboolean
check_output_format (JsonObject * body, EmuEndpoint endpoint,
    EmuRequest * request, EmuError * error)
{
  JsonNode *node = member (body, "output_format");
  JsonObject *format;
  JsonNode *encoding, *rate;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return bad (error, "%s is required and must be an object",
        "output_format");
  format = json_node_get_object (node);
  if (!check_container (format, endpoint, request, error))
    return FALSE;

  encoding = member (format, "encoding");
  if (encoding == NULL || !node_is_string (encoding)
      || !emu_encoding_from_string (json_node_get_string (encoding),
          &request->encoding))
    return bad (error, "%s must be one of pcm_f32le, pcm_s16le, pcm_mulaw, "
        "pcm_alaw", "output_format.encoding");

  rate = member (format, "sample_rate");
  if (rate == NULL || !node_is_integer (rate)
      || !emu_sample_rate_is_valid (json_node_get_int (rate)))
    return bad (error, "%s must be one of 8000, 16000, 22050, 24000, 44100, "
        "48000", "output_format.sample_rate");
  request->sample_rate = json_node_get_int (rate);
  return TRUE;
}

static gboolean
check_context_id (JsonObject * body, EmuEndpoint endpoint,
    EmuRequest * request, EmuError * error)
{
  JsonNode *node = member (body, "context_id");

  if (node == NULL) {
    if (endpoint == EMU_ENDPOINT_WEBSOCKET)
      return bad (error, "%s is required on websockets", "context_id");
    return TRUE;
  }
  if (!node_is_string (node) || *json_node_get_string (node) == '\0')
    return bad (error, "%s must be a non-empty string", "context_id");
  request->context_id = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
model_speaks (const gchar * model, const gchar * language)
{
  if (g_str_has_prefix (model, "sonic-2"))
    return g_strv_contains (sonic2_languages, language);
  if (g_str_has_prefix (model, "sonic-turbo"))
    return g_strv_contains (turbo_languages, language);
  return TRUE;
}

static gboolean
check_language (JsonObject * body, const gchar * version,
    EmuRequest * request, EmuError * error)
{
  JsonNode *language = member (body, "language");
  JsonNode *locale = member (body, "locale");
  const gchar *code;

  if (locale && g_strcmp0 (version, "2026-08-14") < 0)
    return bad (error, "%s is not supported in this Cartesia-Version",
        "locale");
  if (locale && language)
    return bad (error, "%s: use either language or locale", "language");
  if (locale && (!node_is_string (locale)
          || strlen (json_node_get_string (locale)) < 2))
    return bad (error, "%s must be a locale such as en-GB", "locale");
  if (language == NULL)
    return TRUE;

  if (!node_is_string (language)
      || !g_strv_contains (all_languages, json_node_get_string (language)))
    return bad (error, "%s is not a supported language", "language");
  code = json_node_get_string (language);
  if (!model_speaks (request->model_id, code)) {
    emu_error_set (error, 400, "invalid_request", "Invalid request",
        "Model %s does not support language %s", request->model_id, code);
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_range (JsonObject * obj, const gchar * name, gdouble min, gdouble max,
    EmuError * error)
{
  JsonNode *node = member (obj, name);
  gdouble v;

  if (node == NULL)
    return TRUE;
  if (!node_is_number (node))
    return bad (error, "generation_config.%s must be a number", name);
  v = json_node_get_double (node);
  if (v < min || v > max) {
    emu_error_set (error, 400, "invalid_request", "Invalid request",
        "generation_config.%s must be between %g and %g", name, min, max);
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_generation_config (JsonObject * body, EmuError * error)
{
  JsonNode *node = member (body, "generation_config");
  JsonObject *config;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad (error, "%s must be an object", "generation_config");
  config = json_node_get_object (node);
  if (member (config, "emotion") && !node_is_string (member (config,
              "emotion")))
    return bad (error, "%s must be a string", "generation_config.emotion");
  if (member (config, "emotion") && !g_strv_contains (known_emotions,
          json_node_get_string (member (config, "emotion")))) {
    emu_error_set (error, 400, "invalid_request", "Invalid request",
        "generation_config.emotion '%s' is not a supported emotion",
        json_node_get_string (member (config, "emotion")));
    return FALSE;
  }
  return check_range (config, "speed", 0.6, 1.5, error)
      && check_range (config, "volume", 0.5, 2.0, error);
}

static gboolean
check_buffer_delay (JsonObject * body, EmuRequest * request, EmuError * error)
{
  JsonNode *node = member (body, "max_buffer_delay_ms");

  request->max_buffer_delay_ms = -1;
  if (node == NULL)
    return TRUE;
  if (!node_is_integer (node) || json_node_get_int (node) < 0
      || json_node_get_int (node) > 5000)
    return bad (error, "%s must be an integer between 0 and 5000",
        "max_buffer_delay_ms");
  request->max_buffer_delay_ms = json_node_get_int (node);
  return TRUE;
}

static gboolean
check_flags (JsonObject * body, EmuEndpoint endpoint, const gchar * version,
    EmuRequest * request, EmuError * error)
{
  if (!get_bool (body, "add_timestamps", &request->add_timestamps, error)
      || !get_bool (body, "add_phoneme_timestamps",
          &request->add_phoneme_timestamps, error))
    return FALSE;
  if (endpoint != EMU_ENDPOINT_WEBSOCKET)
    return TRUE;
  if (!get_bool (body, "continue", &request->continue_, error)
      || !get_bool (body, "flush", &request->flush, error))
    return FALSE;
  /* flush arrived with 2024-11-13; older versions ignore the field */
  if (!emu_version_has_flush (version))
    request->flush = FALSE;
  return TRUE;
}

/* What the voice is asked for (checked before): speed and volume (the id
 * is check_voice()'s). */
static gboolean
read_style (JsonObject * body, EmuRequest * request)
{
  JsonNode *config = member (body, "generation_config");

  if (config && JSON_NODE_HOLDS_OBJECT (config)) {
    JsonObject *c = json_node_get_object (config);

    JsonNode *speed = member (c, "speed"), *volume = member (c, "volume");

    if (speed && node_is_number (speed))
      request->speed = json_node_get_double (speed);
    if (volume && node_is_number (volume))
      request->volume = json_node_get_double (volume);
  }
  return TRUE;
}

gboolean
emu_request_parse (JsonObject * body, const gchar * version,
    EmuEndpoint endpoint, EmuRequest * request, EmuError * error)
{
  memset (request, 0, sizeof (*request));

  return check_context_id (body, endpoint, request, error)
      && check_model (body, request, error)
      && check_transcript (body, request, error)
      && check_voice (body, version, request, error)
      && check_output_format (body, endpoint, request, error)
      && check_language (body, version, request, error)
      && check_generation_config (body, error)
      && check_buffer_delay (body, request, error)
      && check_flags (body, endpoint, version, request, error)
      && read_style (body, request);
}
