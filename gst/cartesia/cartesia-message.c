/* gst-cartesia: protocol layer, server messages (pure). */
#include "cartesia-message-private.h"
#include "cartesia-json.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

G_DEFINE_QUARK (cartesia-message-error-quark, cartesia_message_error);

static const struct
{
  const gchar *name;
  CartesiaMessageType type;
} message_types[] = {
  {"chunk", CARTESIA_MESSAGE_CHUNK},
  {"timestamps", CARTESIA_MESSAGE_TIMESTAMPS},
  {"phoneme_timestamps", CARTESIA_MESSAGE_PHONEME_TIMESTAMPS},
  {"flush_done", CARTESIA_MESSAGE_FLUSH_DONE},
  {"done", CARTESIA_MESSAGE_DONE},
  {"error", CARTESIA_MESSAGE_ERROR_MESSAGE},
};

static gboolean
invalid (GError ** error, const gchar * what)
{
  g_set_error (error, CARTESIA_MESSAGE_ERROR,
      CARTESIA_MESSAGE_ERROR_INVALID_MESSAGE, "Invalid server message: %s",
      what);
  return FALSE;
}

/* Fetches an optional string member; FALSE only when present with another type. */
static gboolean
get_string (JsonObject * obj, const gchar * name, gchar ** out)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
get_int (JsonObject * obj, const gchar * name, gint64 * out)
{
  JsonNode *node = json_object_get_member (obj, name);
  GType t;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  t = json_node_get_value_type (node);
  if (t == G_TYPE_INT64) {
    *out = json_node_get_int (node);
  } else if (t == G_TYPE_DOUBLE) {
    gdouble d = json_node_get_double (node);

    /* Casting a double that does not fit (1e999 reads as infinity) is
     * undefined behaviour. */
    if (!isfinite (d) || d < -9.2e18 || d > 9.2e18)
      return FALSE;
    *out = (gint64) d;
  } else {
    return FALSE;
  }
  return TRUE;
}

static gboolean
get_number_array (JsonObject * obj, const gchar * name, guint n, gdouble * out)
{
  JsonArray *arr;
  guint i;

  if (!json_object_has_member (obj, name)
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, name)))
    return FALSE;
  arr = json_object_get_array_member (obj, name);
  if (arr == NULL || json_array_get_length (arr) != n)
    return FALSE;
  for (i = 0; i < n; i++) {
    JsonNode *node = json_array_get_element (arr, i);
    GType t;

    if (!JSON_NODE_HOLDS_VALUE (node))
      return FALSE;
    t = json_node_get_value_type (node);
    if (t != G_TYPE_DOUBLE && t != G_TYPE_INT64)
      return FALSE;
    out[i] = json_node_get_double (node);
  }
  return TRUE;
}

/* word_timestamps {words[], start[], end[]}, or phoneme_timestamps
 * {phonemes[], ...}: both into the words of @msg. */
static gboolean
parse_word_timestamps (JsonObject * obj, CartesiaMessage * msg,
    const gchar * member, const gchar * list, GError ** error)
{
  JsonNode *wt_node = json_object_get_member (obj, member);
  JsonObject *wt;
  JsonArray *words;
  guint i, n;

  if (wt_node == NULL || !JSON_NODE_HOLDS_OBJECT (wt_node))
    return invalid (error, "timestamps without their timings");
  wt = json_node_get_object (wt_node);
  if (!json_object_has_member (wt, list)
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (wt, list)))
    return invalid (error, "timestamps without the list they time");
  words = json_object_get_array_member (wt, list);
  n = json_array_get_length (words);

  msg->words = g_new0 (gchar *, n + 1);
  msg->word_start = g_new0 (gdouble, n);
  msg->word_end = g_new0 (gdouble, n);
  msg->n_words = n;
  for (i = 0; i < n; i++) {
    JsonNode *w = json_array_get_element (words, i);

    if (!JSON_NODE_HOLDS_VALUE (w) || json_node_get_value_type (w) != G_TYPE_STRING)
      return invalid (error, "word that is not a string");
    msg->words[i] = g_strdup (json_node_get_string (w));
  }
  if (!get_number_array (wt, "start", n, msg->word_start)
      || !get_number_array (wt, "end", n, msg->word_end))
    return invalid (error, "word timings do not match the words");
  return TRUE;
}

CartesiaMessageType
cartesia_message_lookup_type (const gchar * name)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (message_types); i++)
    if (strcmp (name, message_types[i].name) == 0)
      return message_types[i].type;
  return CARTESIA_MESSAGE_UNKNOWN;
}

static gboolean
parse_object (JsonObject * obj, CartesiaMessage * msg, GError ** error)
{
  g_autofree gchar *type = NULL;
  gint64 status = 0, flush_id = 0;

  if (!get_string (obj, "type", &type)
      || !get_string (obj, "context_id", &msg->context_id))
    return invalid (error, "type or context_id is not a string");
  if (!get_int (obj, "status_code", &status)
      || !get_int (obj, "flush_id", &flush_id))
    return invalid (error, "status_code or flush_id is not a number");
  /* Only an HTTP status means anything here.  flush_id is checked, as a
   * malformed message, but not used: the element never flushes a context
   * (it cancels), and a message's type says whether it ends one ("done"). */
  msg->status_code = status >= 100 && status <= 999 ? (gint) status : 0;

  /* Old servers sent errors as {"error": "Title: message"} without a type. */
  if (type == NULL && json_object_has_member (obj, "error"))
    msg->type = CARTESIA_MESSAGE_ERROR_MESSAGE;
  else if (type == NULL)
    return invalid (error, "no type");
  else
    msg->type = cartesia_message_lookup_type (type);

  switch (msg->type) {
    case CARTESIA_MESSAGE_CHUNK:
      if (!get_string (obj, "data", &msg->data))
        return invalid (error, "chunk data is not a string");
      if (msg->data == NULL)
        msg->data = g_strdup ("");
      break;
    case CARTESIA_MESSAGE_TIMESTAMPS:
      return parse_word_timestamps (obj, msg, "word_timestamps", "words",
          error);
    case CARTESIA_MESSAGE_PHONEME_TIMESTAMPS:
      return parse_word_timestamps (obj, msg, "phoneme_timestamps",
          "phonemes", error);
    case CARTESIA_MESSAGE_ERROR_MESSAGE:
      /* Tolerate odd types here: an error must reach the user whatever it holds. */
      get_string (obj, "title", &msg->title);
      get_string (obj, "message", &msg->message);
      get_string (obj, "error_code", &msg->error_code);
      get_string (obj, "request_id", &msg->request_id);
      if (msg->message == NULL && !get_string (obj, "error", &msg->message))
        msg->message = g_strdup ("(unreadable error)");
      break;
    default:
      break;
  }
  return TRUE;
}

gboolean
cartesia_message_parse_tree (const gchar * text, gsize len,
    CartesiaMessage * msg, GError ** error)
{
  g_autoptr (GError) json_error = NULL;
  g_autoptr (JsonNode) root = NULL;

  memset (msg, 0, sizeof (*msg));

  root = cartesia_json_parse (text, len, &json_error);
  if (root == NULL) {
    g_set_error (error, CARTESIA_MESSAGE_ERROR,
        CARTESIA_MESSAGE_ERROR_INVALID_JSON, "Server message is not JSON: %s",
        json_error->message);
    return FALSE;
  }
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, CARTESIA_MESSAGE_ERROR,
        CARTESIA_MESSAGE_ERROR_INVALID_JSON,
        "Server message is not a JSON object");
    return FALSE;
  }
  if (!parse_object (json_node_get_object (root), msg, error)) {
    cartesia_message_clear (msg);
    return FALSE;
  }
  return TRUE;
}

void
cartesia_message_clear (CartesiaMessage * msg)
{
  g_free (msg->context_id);
  g_free (msg->data);
  g_strfreev (msg->words);
  g_free (msg->word_start);
  g_free (msg->word_end);
  g_free (msg->title);
  g_free (msg->message);
  g_free (msg->error_code);
  g_free (msg->request_id);
  memset (msg, 0, sizeof (*msg));
}

gchar *
cartesia_message_error_text (const CartesiaMessage * msg)
{
  GString *s = g_string_new (NULL);

  if (msg->title && *msg->title)
    g_string_append_printf (s, "%s: ", msg->title);
  g_string_append (s, msg->message ? msg->message : "unknown error");
  if (msg->error_code && *msg->error_code)
    g_string_append_printf (s, " (%s)", msg->error_code);
  if (msg->status_code)
    g_string_append_printf (s, " [status %d]", msg->status_code);
  return g_string_free (s, FALSE);
}

#define MAX_ERROR_BODY_TEXT 300

gchar *
cartesia_message_http_error_text (const gchar * body, gsize len)
{
  g_autoptr (JsonNode) root = NULL;
  gchar *text;

  if (body == NULL || len == 0)
    return g_strdup ("(no details)");
  root = cartesia_json_parse (body, len, NULL);
  if (root && JSON_NODE_HOLDS_OBJECT (root)) {
    JsonObject *obj = json_node_get_object (root);
    CartesiaMessage msg = { 0, };

    get_string (obj, "title", &msg.title);
    get_string (obj, "message", &msg.message);
    get_string (obj, "error_code", &msg.error_code);
    if (msg.message == NULL)
      get_string (obj, "error", &msg.message);
    if (msg.message || msg.title) {
      text = cartesia_message_error_text (&msg);
      cartesia_message_clear (&msg);
      return text;
    }
    cartesia_message_clear (&msg);
  }
  /* Plain text ("Title: message" in older API versions), or anything else. */
  text = g_utf8_make_valid (body, MIN (len, MAX_ERROR_BODY_TEXT));
  g_strstrip (g_strdelimit (text, "\r\n\t", ' '));
  return text;
}

/* 0..63 for the standard alphabet, 64 for '=', 255 for anything else. */
static const guint8 b64_value[256] = {
#define X 255
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, 62, X, X, X, 63,
  52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, 64, X, X,
  X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
  15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, X,
  X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
  41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
#undef X
};

gboolean
cartesia_base64_decode (const gchar * in, gsize len, guint8 * out,
    gsize * out_len)
{
  const guint8 *p = (const guint8 *) in;
  gsize i = 0, o = 0;

  /* Fast path: whole quads without padding. */
  while (i + 4 <= len) {
    guint8 a = b64_value[p[i]], b = b64_value[p[i + 1]];
    guint8 c = b64_value[p[i + 2]], d = b64_value[p[i + 3]];

    if ((a | b | c | d) >= 64)
      break;
    out[o++] = (a << 2) | (b >> 4);
    out[o++] = (b << 4) | (c >> 2);
    out[o++] = (c << 6) | d;
    i += 4;
  }

  /* The tail: 2 or 3 symbols, optionally padded to a quad. */
  if (i < len) {
    gsize rest = len - i, n = 0;
    guint8 v[4] = { 0, 0, 0, 0 };

    while (n < rest && n < 4 && b64_value[p[i + n]] < 64) {
      v[n] = b64_value[p[i + n]];
      n++;
    }
    if (n < 2 || n == 4)
      return FALSE;
    /* Whatever follows must be exactly the padding of this quad. */
    if (rest != n && !(rest == 4 && p[i + 3] == '=' && (n == 3
                || p[i + 2] == '=')))
      return FALSE;
    out[o++] = (v[0] << 2) | (v[1] >> 4);
    if (n == 3)
      out[o++] = (v[1] << 4) | (v[2] >> 2);
  }

  *out_len = o;
  return TRUE;
}
