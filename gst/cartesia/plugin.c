/* GStreamer Cartesia plugin: registration only. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  return GST_ELEMENT_REGISTER (cartesiattssrc, plugin);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, cartesia,
    "Text to speech with the Cartesia API", plugin_init, VERSION, GST_LICENSE,
    GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
