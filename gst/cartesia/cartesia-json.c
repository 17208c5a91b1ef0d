/* gst-cartesia: protocol layer, reading one JSON value from untrusted bytes
 * with json-glib (pure).
 *
 * json-glib is not safe on everything a server might send, so the text is
 * checked before json-glib sees it:
 * - json-glib 1.6 parses recursively with no depth limit: ~75 000 nested
 *   brackets (a 75 KB message) overflow an 8 MiB stack;
 * - every version parses a text of several values back to back ("error"
 *   {"error":"Server busy"}) as several statements, each replacing the root
 *   (and leaking the last one); json-glib 1.10's immutable parser then aborts
 *   the process in json_parser_get_root() (an assertion that the root is
 *   sealed, which only the first value was).
 * The parser used here is also a mutable one: an immutable parser seals
 * (and hashes) every value, work nothing here needs. */
#include "cartesia-json.h"

#include <string.h>

static inline gboolean
is_json_space (gchar c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline gboolean
ends_bare_word (gchar c)
{
  return is_json_space (c) || c == '{' || c == '}' || c == '[' || c == ']'
      || c == '"' || c == ',' || c == ':';
}

/* Whether @text is one value (a string, a bare word such as a number, or a
 * bracketed array or object) with nothing but white space around it, nested
 * at most CARTESIA_JSON_MAX_DEPTH deep.  Only the shape is checked: whether
 * the value itself is valid JSON is json-glib's to say. */
static gboolean
one_shallow_value (const gchar * text, gsize len, const gchar ** why)
{
  guint depth = 0;
  gboolean in_string = FALSE, in_word = FALSE, seen_value = FALSE;
  gsize i;

  for (i = 0; i < len; i++) {
    gchar c = text[i];

    if (in_string) {
      if (c == '\\') {
        i++;
      } else if (c == '"') {
        in_string = FALSE;
        seen_value = depth == 0;
      }
      continue;
    }
    if (in_word) {
      if (!ends_bare_word (c))
        continue;
      in_word = FALSE;
      seen_value = depth == 0;
    }
    if (is_json_space (c))
      continue;
    if (seen_value) {
      *why = "more than one value";
      return FALSE;
    }
    if (c == '"') {
      in_string = TRUE;
    } else if (c == '[' || c == '{') {
      if (++depth > CARTESIA_JSON_MAX_DEPTH) {
        *why = "nested too deep";
        return FALSE;
      }
    } else if (c == ']' || c == '}') {
      if (depth == 0) {
        *why = "unbalanced brackets";
        return FALSE;
      }
      seen_value = --depth == 0;
    } else if (depth == 0) {
      in_word = TRUE;
    }
  }
  return TRUE;
}

JsonNode *
cartesia_json_parse (const gchar * text, gsize len, GError ** error)
{
  g_autoptr (JsonParser) parser = NULL;
  const gchar *why = NULL;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  if (!one_shallow_value (text, len, &why)) {
    g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
        "not one JSON value: %s", why);
    return NULL;
  }
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text ? text : "", len, error))
    return NULL;
  if (json_parser_get_root (parser) == NULL) {
    g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
        "no JSON value");
    return NULL;
  }
  return json_parser_steal_root (parser);
}
