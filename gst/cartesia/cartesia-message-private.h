/* gst-cartesia: protocol layer, what the message parser's files share (and
 * what its tests and fuzz harness compare). */
#pragma once

#include "cartesia-message.h"

G_BEGIN_DECLS

CartesiaMessageType cartesia_message_lookup_type (const gchar * name);

/* The fast path: a flat object read in place.  FALSE (and @msg cleared)
 * when it declines, for the full parser to decide. */
gboolean cartesia_message_parse_flat (const gchar * text, gsize len,
    CartesiaMessage * msg);

/* The full parser (json-glib), which the fast path must agree with. */
gboolean cartesia_message_parse_tree (const gchar * text, gsize len,
    CartesiaMessage * msg, GError ** error);

G_END_DECLS
