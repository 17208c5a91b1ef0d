/* cartesia-emulator: reading what a client sent as JSON, strictly.
 *
 * json-glib alone is lenient and differs between versions: a text of two
 * values back to back parses in 1.6 as its last value (leaking the first)
 * and in 1.10 as an array of them, and 1.6 recurses without a depth limit.
 * A real server answers such a text with 400, so the emulator does too: the
 * text's structure is walked here first, and json-glib only reads texts of
 * a single value nested no deeper than MAX_NESTING. */
#include "emu-json.h"

/* Far more than any request nests (three levels), far less than json-glib
 * 1.6 would need to overflow its stack. */
#define MAX_NESTING 64

typedef enum
{
  BETWEEN,                      /* before a value or between tokens */
  IN_STRING,
  IN_ESCAPE,
  IN_LITERAL,                   /* a number, true, false or null */
} ScanState;

static gboolean
single_value (const gchar * data, gsize size)
{
  ScanState state = BETWEEN;
  gint nesting = 0;
  guint top_level_values = 0;
  gsize i;

  for (i = 0; i < size; i++) {
    guchar c = data[i];
    gboolean space = c == ' ' || c == '\t' || c == '\r' || c == '\n';

    switch (state) {
      case IN_ESCAPE:
        state = IN_STRING;
        continue;
      case IN_STRING:
        if (c == '\\')
          state = IN_ESCAPE;
        else if (c == '"')
          state = BETWEEN;
        continue;
      case IN_LITERAL:
        if (!space && c != ',' && c != ':' && c != ']' && c != '}'
            && c != '[' && c != '{' && c != '"')
          continue;
        state = BETWEEN;
        break;
      case BETWEEN:
        break;
    }
    if (space)
      continue;
    /* A token that starts a value at the top level starts a new one. */
    if (nesting == 0 && c != ']' && c != '}' && ++top_level_values > 1)
      return FALSE;
    switch (c) {
      case '"':
        state = IN_STRING;
        break;
      case '{':
      case '[':
        if (++nesting > MAX_NESTING)
          return FALSE;
        break;
      case '}':
      case ']':
        if (--nesting < 0)
          return FALSE;
        break;
      case ',':
      case ':':
        break;
      default:
        state = IN_LITERAL;
        break;
    }
  }
  return top_level_values == 1;
}

JsonNode *
emu_json_parse (const gchar * data, gsize size)
{
  g_autoptr (JsonParser) parser = NULL;

  if (data == NULL || !single_value (data, size))
    return NULL;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, size, NULL)
      || json_parser_get_root (parser) == NULL)
    return NULL;
  return json_parser_steal_root (parser);
}
