/* GStreamer Cartesia text-to-speech source: settings that change while it
 * plays.
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/* The voice settings (voice-id, model-id, language, speed, volume, emotion,
 * pronunciation-dict-id) may change in PAUSED and PLAYING.  Each utterance
 * copies them once, when it is queued (CartesiaSettings), and every request
 * of its context says the same: one already speaking finishes as it began,
 * and streamed text switches at its next context.  On top of the
 * properties: queue-utterance-full's own settings, and on the sink pad the
 * cartesia-settings event and the speakers of rstranscribe/speaker-change
 * events, mapped to voices by speaker-map, which hold for the text after
 * them. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcartesiattssrc-private.h"
#include "cartesia-gst-compat.h"

#define GST_CAT_DEFAULT gst_cartesia_tts_src_debug

CartesiaSettings *
gst_cartesia_tts_src_dup_settings_locked (GstCartesiaTtsSrc * self)
{
  CartesiaSettings now = {
    .model_id = self->model_id,
    .voice_id = self->voice_id,
    .language = self->language,
    .speed_set = self->speed_set,
    .speed = self->speed,
    .volume_set = self->volume_set,
    .volume = self->volume,
    .emotion = self->emotion,
    .pronunciation_dict_id = self->pronunciation_dict_id,
  };

  return cartesia_settings_copy (&now);
}

CartesiaSettings *
gst_cartesia_tts_src_sink_settings_locked (GstCartesiaTtsSrc * self)
{
  CartesiaSettings *s = gst_cartesia_tts_src_dup_settings_locked (self);

  /* Checked when they came: nothing of them is refused here. */
  if (self->sink_overrides)
    cartesia_settings_apply (s, self->sink_overrides, NULL);
  return s;
}

void
gst_cartesia_tts_src_sink_settings_reset (GstCartesiaTtsSrc * self)
{
  GST_OBJECT_LOCK (self);
  g_clear_pointer (&self->sink_overrides, gst_structure_free);
  g_clear_pointer (&self->stream_settings, cartesia_settings_free);
  g_clear_pointer (&self->stream_settings_id, g_free);
  GST_OBJECT_UNLOCK (self);
}

void
gst_cartesia_tts_src_set_speaker_map (GstCartesiaTtsSrc * self,
    const GstStructure * map)
{
  g_autofree gchar *problems = NULL;

  if (map && !cartesia_settings_check_speaker_map (map, &problems))
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("speaker-map: %s; those speakers keep the current voice",
            problems), (NULL));
  GST_OBJECT_LOCK (self);
  if (self->speaker_map)
    gst_structure_free (self->speaker_map);
  self->speaker_map = map ? gst_structure_copy (map) : NULL;
  GST_OBJECT_UNLOCK (self);
}

static gboolean
set_field (const gchar * field, const GValue * value, gpointer dest)
{
  gst_structure_set_value (dest, field, value);
  return TRUE;
}

/* Object lock held: @fields override what the sink pad's next utterances
 * say, on top of those before. */
static void
merge_overrides_locked (GstCartesiaTtsSrc * self, const GstStructure * fields)
{
  if (self->sink_overrides == NULL)
    self->sink_overrides = gst_structure_new_empty ("overrides");
  cartesia_structure_foreach (fields, set_field, self->sink_overrides);
}

static void
on_settings_event (GstCartesiaTtsSrc * self, const GstStructure * s)
{
  g_autofree gchar *problems = NULL;
  GstStructure *good = cartesia_settings_filter (s, &problems);

  if (problems)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("Ignored settings of a %s event: %s", GST_CARTESIA_SETTINGS_EVENT,
            problems), (NULL));
  GST_DEBUG_OBJECT (self, "text from here on: %" GST_PTR_FORMAT, good);
  GST_OBJECT_LOCK (self);
  merge_overrides_locked (self, good);
  GST_OBJECT_UNLOCK (self);
  gst_structure_free (good);
}

static void
on_speaker_change (GstCartesiaTtsSrc * self, const GstStructure * s)
{
  const gchar *speaker = gst_structure_get_string (s, "speaker");
  g_autofree gchar *voice = NULL;

  GST_OBJECT_LOCK (self);
  voice = g_strdup (cartesia_settings_speaker_voice (self->speaker_map,
          speaker));
  if (voice) {
    GstStructure *fields = gst_structure_new ("speaker", "voice-id",
        G_TYPE_STRING, voice, NULL);

    merge_overrides_locked (self, fields);
    gst_structure_free (fields);
  }
  GST_OBJECT_UNLOCK (self);
  if (voice)
    GST_INFO_OBJECT (self, "speaker %s: voice %s", speaker, voice);
  else
    GST_INFO_OBJECT (self, "speaker %s is not in speaker-map: the voice "
        "stays", GST_STR_NULL (speaker));
}

gboolean
gst_cartesia_tts_src_sink_settings_event (GstCartesiaTtsSrc * self,
    GstEvent * event)
{
  const GstStructure *s = gst_event_get_structure (event);

  if (GST_EVENT_TYPE (event) != GST_EVENT_CUSTOM_DOWNSTREAM || s == NULL)
    return FALSE;
  if (gst_structure_has_name (s, GST_CARTESIA_SETTINGS_EVENT))
    on_settings_event (self, s);
  else if (gst_structure_has_name (s, GST_CARTESIA_SPEAKER_CHANGE))
    on_speaker_change (self, s);
  else
    return FALSE;
  return TRUE;
}

void
gst_cartesia_tts_src_fill_request_params (GstCartesiaTtsSrc * self,
    const CartesiaSettings * settings, CartesiaRequestParams * p)
{
  if (settings) {
    cartesia_settings_fill_params (settings, p);
  } else {
    p->model_id = self->model_id;
    p->voice_id = self->voice_id;
    p->language = self->language;
    p->speed_set = self->speed_set;
    p->speed = self->speed;
    p->volume_set = self->volume_set;
    p->volume = self->volume;
    p->emotion = self->emotion;
    p->pronunciation_dict_id = self->pronunciation_dict_id;
  }
  p->cartesia_version = self->cartesia_version;
  p->encoding = self->encoding;
  p->sample_rate = self->rate;
  p->max_buffer_delay_ms = self->max_buffer_delay_ms;
  p->add_timestamps = self->word_timestamps;
  p->use_normalized_timestamps = self->normalized_timestamps;
  p->add_phoneme_timestamps = self->phoneme_timestamps;
}
