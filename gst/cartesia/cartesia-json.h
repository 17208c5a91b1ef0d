/* gst-cartesia: protocol layer, reading one JSON value from untrusted bytes
 * with json-glib (pure). */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Arrays and objects nest at most this deep in what cartesia_json_parse()
 * accepts; Cartesia's messages nest three levels. */
#define CARTESIA_JSON_MAX_DEPTH 32

/* Parses @text (@len bytes, not necessarily NUL-terminated) when it holds
 * exactly one JSON value nested at most CARTESIA_JSON_MAX_DEPTH deep, and
 * returns it (free with json_node_unref()); NULL with @error set
 * (JSON_PARSER_ERROR) otherwise.  Safe on whatever a server or a proxy
 * sends, with json-glib 1.6 through 1.10. */
JsonNode *cartesia_json_parse (const gchar * text, gsize len, GError ** error);

G_END_DECLS
