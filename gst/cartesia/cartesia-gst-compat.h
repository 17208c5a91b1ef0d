/* gst-cartesia: GStreamer API that reads the same from 1.22 to 1.26. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* GStreamer 1.26 deprecates GstStructure's GQuark API (gst_structure_foreach(),
 * gst_structure_id_set_value(), ...) for GstIdStr variants that 1.22 lacks;
 * with GST_DISABLE_DEPRECATED, as this project builds, the old names warn,
 * and --werror fails.  This walks the fields by name, API both versions have
 * undeprecated.  @func must not change @structure. */
typedef gboolean (*CartesiaStructureFieldFunc) (const gchar * field,
    const GValue * value, gpointer user_data);

static inline gboolean
cartesia_structure_foreach (const GstStructure * structure,
    CartesiaStructureFieldFunc func, gpointer user_data)
{
  gint i, n = gst_structure_n_fields (structure);

  for (i = 0; i < n; i++) {
    const gchar *field = gst_structure_nth_field_name (structure, i);

    if (!func (field, gst_structure_get_value (structure, field), user_data))
      return FALSE;
  }
  return TRUE;
}

G_END_DECLS
