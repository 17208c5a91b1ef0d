/* GStreamer Cartesia text-to-speech source: the network settings
 * (certificates to trust, client certificates, the proxy's credentials),
 * named as souphttpsrc names them, and their checks before PAUSED.
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc-private.h"
#include "cartesia-net.h"

#include <string.h>

#define GST_CAT_DEFAULT gst_cartesia_tts_src_debug

enum
{
  NET_PROP_SSL_CA_FILE,
  NET_PROP_TLS_DATABASE,
  NET_PROP_TLS_INTERACTION,
  NET_PROP_PROXY_ID,
  NET_PROP_PROXY_PW,
  NET_N_PROPS
};

static guint first_prop_id;

#define READY_ONLY \
  (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY)

void
gst_cartesia_tts_src_net_install_properties (GObjectClass * klass,
    guint first_id)
{
  first_prop_id = first_id;

  /**
   * GstCartesiaTtsSrc:ssl-ca-file:
   *
   * A PEM file of CA certificates that sign the server's certificate, such
   * as a company CA or the CA of a TLS-inspecting gateway.  It replaces the
   * system's store: only these CAs are trusted.  Ignored when
   * #GstCartesiaTtsSrc:tls-database is set.
   */
  g_object_class_install_property (klass, first_id + NET_PROP_SSL_CA_FILE,
      g_param_spec_string ("ssl-ca-file", "SSL CA file",
          "PEM file of the CA certificates to trust instead of the system's "
          "(a company CA, a TLS-inspecting gateway's)", NULL, READY_ONLY));
  /**
   * GstCartesiaTtsSrc:tls-database:
   *
   * The #GTlsDatabase that verifies the server's certificate, instead of the
   * system's (and of #GstCartesiaTtsSrc:ssl-ca-file).
   */
  g_object_class_install_property (klass, first_id + NET_PROP_TLS_DATABASE,
      g_param_spec_object ("tls-database", "TLS database",
          "TLS database with the anchor certificates to trust (NULL: the "
          "system's, or ssl-ca-file)", G_TYPE_TLS_DATABASE, READY_ONLY));
  /**
   * GstCartesiaTtsSrc:tls-interaction:
   *
   * A #GTlsInteraction that provides a client certificate when the server
   * or the gateway asks for one.
   */
  g_object_class_install_property (klass, first_id + NET_PROP_TLS_INTERACTION,
      g_param_spec_object ("tls-interaction", "TLS interaction",
          "A GTlsInteraction object to prompt the user for a client "
          "certificate or its password", G_TYPE_TLS_INTERACTION, READY_ONLY));
  /**
   * GstCartesiaTtsSrc:proxy-id:
   *
   * The proxy's user name (as in souphttpsrc); credentials in the
   * #GstCartesiaTtsSrc:proxy URI itself take precedence.
   */
  g_object_class_install_property (klass, first_id + NET_PROP_PROXY_ID,
      g_param_spec_string ("proxy-id", "Proxy user ID",
          "User name for the proxy's authentication", NULL, READY_ONLY));
  /**
   * GstCartesiaTtsSrc:proxy-pw:
   *
   * The proxy's password; like the API key, never logged.
   */
  g_object_class_install_property (klass, first_id + NET_PROP_PROXY_PW,
      g_param_spec_string ("proxy-pw", "Proxy user password",
          "Password for the proxy's authentication (write-only)", NULL,
          G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
}

static void
replace (GstCartesiaTtsSrc * self, gchar ** field, const GValue * value,
    gboolean secret)
{
  GST_OBJECT_LOCK (self);
  if (secret && *field)
    memset (*field, 0, strlen (*field));
  g_free (*field);
  *field = g_value_dup_string (value);
  GST_OBJECT_UNLOCK (self);
}

static void
replace_object (GstCartesiaTtsSrc * self, gpointer field, const GValue * value)
{
  GObject **object = field;

  GST_OBJECT_LOCK (self);
  g_clear_object (object);
  *object = g_value_dup_object (value);
  GST_OBJECT_UNLOCK (self);
}

gboolean
gst_cartesia_tts_src_net_set_property (GstCartesiaTtsSrc * self,
    guint prop_id, const GValue * value)
{
  switch ((gint) prop_id - (gint) first_prop_id) {
    case NET_PROP_SSL_CA_FILE:
      replace (self, &self->ssl_ca_file, value, FALSE);
      return TRUE;
    case NET_PROP_TLS_DATABASE:
      replace_object (self, &self->tls_database, value);
      return TRUE;
    case NET_PROP_TLS_INTERACTION:
      replace_object (self, &self->tls_interaction, value);
      return TRUE;
    case NET_PROP_PROXY_ID:
      replace (self, &self->proxy_id, value, FALSE);
      return TRUE;
    case NET_PROP_PROXY_PW:
      replace (self, &self->proxy_pw, value, TRUE);
      return TRUE;
    default:
      return FALSE;
  }
}

gboolean
gst_cartesia_tts_src_net_get_property (GstCartesiaTtsSrc * self,
    guint prop_id, GValue * value)
{
  gboolean handled = TRUE;

  GST_OBJECT_LOCK (self);
  switch ((gint) prop_id - (gint) first_prop_id) {
    case NET_PROP_SSL_CA_FILE:
      g_value_set_string (value, self->ssl_ca_file);
      break;
    case NET_PROP_TLS_DATABASE:
      g_value_set_object (value, self->tls_database);
      break;
    case NET_PROP_TLS_INTERACTION:
      g_value_set_object (value, self->tls_interaction);
      break;
    case NET_PROP_PROXY_ID:
      g_value_set_string (value, self->proxy_id);
      break;
    default:
      handled = FALSE;
      break;
  }
  GST_OBJECT_UNLOCK (self);
  return handled;
}

/* Loads ssl-ca-file (when no tls-database is set) and checks the proxy URI;
 * posts the error and returns FALSE when one is not usable. */
gboolean
gst_cartesia_tts_src_net_prepare (GstCartesiaTtsSrc * self)
{
  g_autofree gchar *ca_file = NULL;
  g_autofree gchar *proxy = NULL;
  g_autoptr (GError) error = NULL;
  GTlsDatabase *database = NULL;
  gboolean have_database;

  GST_OBJECT_LOCK (self);
  ca_file = g_strdup (self->ssl_ca_file);
  proxy = g_strdup (self->proxy);
  have_database = self->tls_database != NULL;
  GST_OBJECT_UNLOCK (self);

  if (!cartesia_net_check_proxy (proxy, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Invalid proxy: %s", error->message), (NULL));
    return FALSE;
  }
  if (ca_file && *ca_file && !have_database) {
    database = cartesia_net_load_ca_file (ca_file, &error);
    if (database == NULL) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message),
          (NULL));
      return FALSE;
    }
  }
  GST_OBJECT_LOCK (self);
  g_clear_object (&self->ca_file_database);
  self->ca_file_database = database;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

/* Object lock held. */
void
gst_cartesia_tts_src_net_fill_config (GstCartesiaTtsSrc * self,
    CartesiaSessionConfig * config)
{
  config->proxy_id = self->proxy_id;
  config->proxy_pw = self->proxy_pw;
  config->tls_database = self->tls_database ? self->tls_database :
      self->ca_file_database;
  config->tls_interaction = self->tls_interaction;
}

void
gst_cartesia_tts_src_net_finalize (GstCartesiaTtsSrc * self)
{
  g_free (self->ssl_ca_file);
  g_free (self->proxy_id);
  if (self->proxy_pw)
    memset (self->proxy_pw, 0, strlen (self->proxy_pw));
  g_free (self->proxy_pw);
  g_clear_object (&self->tls_database);
  g_clear_object (&self->tls_interaction);
  g_clear_object (&self->ca_file_database);
}
