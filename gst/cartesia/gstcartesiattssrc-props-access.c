/* GStreamer Cartesia text-to-speech source: its property values
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/* set_property() and get_property(): every value under the object lock
 * (the streaming thread copies what it needs under it); a READY-only one
 * set while running is refused with a warning (gstcartesiattssrc-robust.c). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc-props.h"

#include <string.h>

#define GST_CAT_DEFAULT gst_cartesia_tts_src_debug

void
gst_cartesia_tts_src_clear_secret (gchar ** secret)
{
  if (*secret)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

gchar *
gst_cartesia_tts_src_dup_api_key (GstCartesiaTtsSrc * self)
{
  gchar *key;

  GST_OBJECT_LOCK (self);
  key = g_strdup (self->api_key);
  GST_OBJECT_UNLOCK (self);
  if (key == NULL || *key == '\0') {
    g_free (key);
    key = g_strdup (g_getenv ("CARTESIA_API_KEY"));
  }
  if (key && *key == '\0')
    g_clear_pointer (&key, g_free);
  return key;
}

void
gst_cartesia_tts_src_clear_properties (GstCartesiaTtsSrc * self)
{
  g_free (self->text);
  gst_cartesia_tts_src_clear_secret (&self->api_key);
  g_free (self->base_url);
  g_free (self->model_id);
  g_free (self->voice_id);
  g_free (self->language);
  g_free (self->cartesia_version);
  g_free (self->emotion);
  g_free (self->pronunciation_dict_id);
  g_free (self->proxy);
  g_free (self->user_agent);
  if (self->speaker_map)
    gst_structure_free (self->speaker_map);
}

static void
set_text (GstCartesiaTtsSrc * self, const gchar * text)
{
  gboolean running;

  GST_OBJECT_LOCK (self);
  g_free (self->text);
  self->text = g_strdup (text);
  running = self->session != NULL;
  GST_OBJECT_UNLOCK (self);

  /* A live source that is running speaks every new text. */
  if (!running || !gst_base_src_is_live (GST_BASE_SRC (self)))
    return;
  if (text == NULL || *text == '\0')
    GST_DEBUG_OBJECT (self, "the text was cleared: nothing queued");
  else
    gst_cartesia_tts_src_queue_utterance (self, text, NULL);
}

static void
replace_string (GstCartesiaTtsSrc * self, gchar ** field, const GValue * value)
{
  GST_OBJECT_LOCK (self);
  g_free (*field);
  *field = g_value_dup_string (value);
  GST_OBJECT_UNLOCK (self);
}

void
gst_cartesia_tts_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (object);

  if (gst_cartesia_tts_src_refuse_property (self, pspec))
    return;

  switch (prop_id) {
    case PROP_TEXT:
      set_text (self, g_value_get_string (value));
      break;
    case PROP_API_KEY:
      GST_OBJECT_LOCK (self);
      gst_cartesia_tts_src_clear_secret (&self->api_key);
      self->api_key = g_value_dup_string (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_BASE_URL:
      replace_string (self, &self->base_url, value);
      break;
    case PROP_TRANSPORT:
      GST_OBJECT_LOCK (self);
      self->transport = g_value_get_enum (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MODEL_ID:
      replace_string (self, &self->model_id, value);
      break;
    case PROP_VOICE_ID:
      replace_string (self, &self->voice_id, value);
      break;
    case PROP_LANGUAGE:
      replace_string (self, &self->language, value);
      break;
    case PROP_CARTESIA_VERSION:
      replace_string (self, &self->cartesia_version, value);
      break;
    case PROP_SPEED:
      GST_OBJECT_LOCK (self);
      self->speed = g_value_get_double (value);
      self->speed_set = TRUE;
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_VOLUME:
      GST_OBJECT_LOCK (self);
      self->volume = g_value_get_double (value);
      self->volume_set = TRUE;
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_EMOTION:
      replace_string (self, &self->emotion, value);
      break;
    case PROP_PRONUNCIATION_DICT_ID:
      replace_string (self, &self->pronunciation_dict_id, value);
      break;
    case PROP_MAX_BUFFER_DELAY_MS:
      GST_OBJECT_LOCK (self);
      self->max_buffer_delay_ms = g_value_get_int (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_WORD_TIMESTAMPS:
      GST_OBJECT_LOCK (self);
      self->word_timestamps = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_NORMALIZED_TIMESTAMPS:
      GST_OBJECT_LOCK (self);
      self->normalized_timestamps = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_IS_LIVE:
      gst_base_src_set_live (GST_BASE_SRC (self), g_value_get_boolean (value));
      break;
    case PROP_SAMPLES_PER_BUFFER:
      GST_OBJECT_LOCK (self);
      self->samples_per_buffer = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_FADE_MS:
      GST_OBJECT_LOCK (self);
      self->fade_ms = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_PREBUFFER_MS:
      GST_OBJECT_LOCK (self);
      self->prebuffer_ms = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_JITTER_MARGIN_MS:
      GST_OBJECT_LOCK (self);
      self->jitter_margin_ms = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_TEXT_MODE:
      GST_OBJECT_LOCK (self);
      self->text_mode = g_value_get_enum (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_INPUT_MODE:
      GST_OBJECT_LOCK (self);
      self->input_mode = g_value_get_enum (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_OVERFLOW:
      GST_OBJECT_LOCK (self);
      self->overflow = g_value_get_enum (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_LATENCY:
      GST_OBJECT_LOCK (self);
      self->latency_ms = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_RETRIES:
      GST_OBJECT_LOCK (self);
      self->retries = g_value_get_int (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_RETRY_BACKOFF_FACTOR:
      GST_OBJECT_LOCK (self);
      self->retry_backoff_factor = g_value_get_double (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_RETRY_BACKOFF_MAX:
      GST_OBJECT_LOCK (self);
      self->retry_backoff_max = g_value_get_double (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_TIMEOUT:
      GST_OBJECT_LOCK (self);
      self->timeout = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_SSL_STRICT:
      GST_OBJECT_LOCK (self);
      self->ssl_strict = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_PROXY:
      replace_string (self, &self->proxy, value);
      break;
    case PROP_USER_AGENT:
      replace_string (self, &self->user_agent, value);
      break;
    case PROP_SHARE_CONNECTION:
      GST_OBJECT_LOCK (self);
      self->share_connection = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_STALL_TIMEOUT_MS:
      GST_OBJECT_LOCK (self);
      self->stall_timeout_ms = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MAX_QUEUED:
      GST_OBJECT_LOCK (self);
      self->max_queued = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MAX_WAIT_MS:
      GST_OBJECT_LOCK (self);
      self->max_wait_ms = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_SPEAKER_MAP:
      gst_cartesia_tts_src_set_speaker_map (self,
          gst_value_get_structure (value));
      break;
    case PROP_PHONEME_TIMESTAMPS:
      GST_OBJECT_LOCK (self);
      self->phoneme_timestamps = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MAX_SPEED:
      GST_OBJECT_LOCK (self);
      self->max_speed = g_value_get_double (value);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      if (!gst_cartesia_tts_src_net_set_property (self, prop_id, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

void
gst_cartesia_tts_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstCartesiaTtsSrc *self = GST_CARTESIA_TTS_SRC (object);

  /* gst_base_src_is_live() takes the object lock itself. */
  if (prop_id == PROP_IS_LIVE) {
    g_value_set_boolean (value, gst_base_src_is_live (GST_BASE_SRC (self)));
    return;
  }
  if (prop_id == PROP_STATS) {
    g_value_take_boxed (value, gst_cartesia_tts_src_create_stats (self));
    return;
  }
  if (prop_id >= PROP_NET_FIRST) {
    if (!gst_cartesia_tts_src_net_get_property (self, prop_id, value))
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_TRANSPORT:
      g_value_set_enum (value, self->transport);
      break;
    case PROP_MODEL_ID:
      g_value_set_string (value, self->model_id);
      break;
    case PROP_VOICE_ID:
      g_value_set_string (value, self->voice_id);
      break;
    case PROP_LANGUAGE:
      g_value_set_string (value, self->language);
      break;
    case PROP_CARTESIA_VERSION:
      g_value_set_string (value, self->cartesia_version);
      break;
    case PROP_SPEED:
      g_value_set_double (value, self->speed);
      break;
    case PROP_VOLUME:
      g_value_set_double (value, self->volume);
      break;
    case PROP_EMOTION:
      g_value_set_string (value, self->emotion);
      break;
    case PROP_PRONUNCIATION_DICT_ID:
      g_value_set_string (value, self->pronunciation_dict_id);
      break;
    case PROP_MAX_BUFFER_DELAY_MS:
      g_value_set_int (value, self->max_buffer_delay_ms);
      break;
    case PROP_WORD_TIMESTAMPS:
      g_value_set_boolean (value, self->word_timestamps);
      break;
    case PROP_NORMALIZED_TIMESTAMPS:
      g_value_set_boolean (value, self->normalized_timestamps);
      break;
    case PROP_SAMPLES_PER_BUFFER:
      g_value_set_uint (value, self->samples_per_buffer);
      break;
    case PROP_FADE_MS:
      g_value_set_uint (value, self->fade_ms);
      break;
    case PROP_JITTER_MARGIN_MS:
      g_value_set_uint (value, self->jitter_margin_ms);
      break;
    case PROP_PREBUFFER_MS:
      g_value_set_uint (value, self->prebuffer_ms);
      break;
    case PROP_TEXT_MODE:
      g_value_set_enum (value, self->text_mode);
      break;
    case PROP_INPUT_MODE:
      g_value_set_enum (value, self->input_mode);
      break;
    case PROP_OVERFLOW:
      g_value_set_enum (value, self->overflow);
      break;
    case PROP_LATENCY:
      g_value_set_uint (value, self->latency_ms);
      break;
    case PROP_RETRIES:
      g_value_set_int (value, self->retries);
      break;
    case PROP_RETRY_BACKOFF_FACTOR:
      g_value_set_double (value, self->retry_backoff_factor);
      break;
    case PROP_RETRY_BACKOFF_MAX:
      g_value_set_double (value, self->retry_backoff_max);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_SSL_STRICT:
      g_value_set_boolean (value, self->ssl_strict);
      break;
    case PROP_PROXY:
      g_value_set_string (value, self->proxy);
      break;
    case PROP_USER_AGENT:
      g_value_set_string (value, self->user_agent);
      break;
    case PROP_SHARE_CONNECTION:
      g_value_set_boolean (value, self->share_connection);
      break;
    case PROP_STALL_TIMEOUT_MS:
      g_value_set_uint (value, self->stall_timeout_ms);
      break;
    case PROP_MAX_QUEUED:
      g_value_set_uint (value, self->max_queued);
      break;
    case PROP_MAX_WAIT_MS:
      g_value_set_uint (value, self->max_wait_ms);
      break;
    case PROP_SPEAKER_MAP:
      gst_value_set_structure (value, self->speaker_map);
      break;
    case PROP_PHONEME_TIMESTAMPS:
      g_value_set_boolean (value, self->phoneme_timestamps);
      break;
    case PROP_MAX_SPEED:
      g_value_set_double (value, self->max_speed);
      break;
    default:
      /* api-key is write-only: GObject never asks for it. */
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}
