/* cartesia-emulator: reading what a client sent as JSON, strictly. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The one JSON value @data holds (free with json_node_unref()), or NULL when
 * it is not exactly one JSON value, as a strict server parser sees it.  Never
 * aborts or overflows the stack, with json-glib 1.6 through 1.10. */
JsonNode *emu_json_parse (const gchar * data, gsize size);

G_END_DECLS
