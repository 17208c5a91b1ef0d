/* gst-cartesia: the voice settings of one utterance.
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#include "cartesia-settings.h"
#include "cartesia-gst-compat.h"


CartesiaSettings *
cartesia_settings_copy (const CartesiaSettings * s)
{
  CartesiaSettings *copy = g_new0 (CartesiaSettings, 1);

  *copy = *s;
  copy->model_id = g_strdup (s->model_id);
  copy->voice_id = g_strdup (s->voice_id);
  copy->language = g_strdup (s->language);
  copy->emotion = g_strdup (s->emotion);
  copy->pronunciation_dict_id = g_strdup (s->pronunciation_dict_id);
  return copy;
}

void
cartesia_settings_free (CartesiaSettings * s)
{
  if (s == NULL)
    return;
  g_free (s->model_id);
  g_free (s->voice_id);
  g_free (s->language);
  g_free (s->emotion);
  g_free (s->pronunciation_dict_id);
  g_free (s);
}

typedef struct
{
  CartesiaSettings *settings;   /* NULL: only check */
  GString *problems;
} ApplyData;

static void
problem (ApplyData * d, const gchar * field, const gchar * format, ...)
    G_GNUC_PRINTF (3, 4);

static void
problem (ApplyData * d, const gchar * field, const gchar * format, ...)
{
  va_list args;

  if (d->problems->len)
    g_string_append (d->problems, "; ");
  g_string_append_printf (d->problems, "%s: ", field);
  va_start (args, format);
  g_string_append_vprintf (d->problems, format, args);
  va_end (args);
}

static gboolean
get_number (const GValue * value, gdouble * out)
{
  GType t = G_VALUE_TYPE (value);

  if (t == G_TYPE_DOUBLE)
    *out = g_value_get_double (value);
  else if (t == G_TYPE_FLOAT)
    *out = g_value_get_float (value);
  else if (t == G_TYPE_INT)
    *out = g_value_get_int (value);
  else if (t == G_TYPE_UINT)
    *out = g_value_get_uint (value);
  else if (t == G_TYPE_INT64)
    *out = g_value_get_int64 (value);
  else
    return FALSE;
  return TRUE;
}

/* A string setting; @may_be_empty: "" unsets it (not sent). */
static gboolean
apply_string (ApplyData * d, const gchar * field, const GValue * value,
    gchar ** dest, gboolean may_be_empty)
{
  const gchar *str;

  if (!G_VALUE_HOLDS_STRING (value)) {
    problem (d, field, "a %s, not a string", G_VALUE_TYPE_NAME (value));
    return FALSE;
  }
  str = g_value_get_string (value);
  if ((str == NULL || *str == '\0') && !may_be_empty) {
    problem (d, field, "must not be empty");
    return FALSE;
  }
  if (!g_utf8_validate (str ? str : "", -1, NULL)) {
    problem (d, field, "not valid UTF-8");
    return FALSE;
  }
  if (d->settings) {
    g_free (*dest);
    *dest = str && *str ? g_strdup (str) : NULL;
  }
  return TRUE;
}

static gboolean
apply_range (ApplyData * d, const gchar * field, const GValue * value,
    gdouble min, gdouble max, gdouble * dest, gboolean * dest_set)
{
  gdouble v;

  if (!get_number (value, &v)) {
    problem (d, field, "a %s, not a number", G_VALUE_TYPE_NAME (value));
    return FALSE;
  }
  if (!(v >= min && v <= max)) {
    problem (d, field, "%g is not within %g..%g", v, min, max);
    return FALSE;
  }
  if (d->settings) {
    *dest = v;
    *dest_set = TRUE;
  }
  return TRUE;
}

static gboolean
apply_field (const gchar * field, const GValue * value, gpointer user_data)
{
  ApplyData *d = user_data;
  CartesiaSettings dummy = { 0, };
  CartesiaSettings *s = d->settings ? d->settings : &dummy;
  gboolean ok;

  if (g_str_equal (field, "voice-id"))
    ok = apply_string (d, field, value, &s->voice_id, FALSE);
  else if (g_str_equal (field, "model-id"))
    ok = apply_string (d, field, value, &s->model_id, FALSE);
  else if (g_str_equal (field, "language"))
    ok = apply_string (d, field, value, &s->language, TRUE);
  else if (g_str_equal (field, "emotion"))
    ok = apply_string (d, field, value, &s->emotion, TRUE);
  else if (g_str_equal (field, "pronunciation-dict-id"))
    ok = apply_string (d, field, value, &s->pronunciation_dict_id, TRUE);
  else if (g_str_equal (field, "speed"))
    ok = apply_range (d, field, value, CARTESIA_SPEED_MIN, CARTESIA_SPEED_MAX,
        &s->speed, &s->speed_set);
  else if (g_str_equal (field, "volume"))
    ok = apply_range (d, field, value, CARTESIA_VOLUME_MIN,
        CARTESIA_VOLUME_MAX, &s->volume, &s->volume_set);
  else {
    problem (d, field, "not a setting (voice-id, model-id, language, speed, "
        "volume, emotion or pronunciation-dict-id)");
    ok = FALSE;
  }
  (void) ok;
  return TRUE;                  /* the other fields still apply */
}

gboolean
cartesia_settings_apply (CartesiaSettings * settings,
    const GstStructure * overrides, gchar ** problems)
{
  ApplyData d = { settings, g_string_new (NULL) };
  gboolean ok;

  g_return_val_if_fail (settings != NULL, FALSE);
  if (overrides)
    cartesia_structure_foreach (overrides, apply_field, &d);
  ok = d.problems->len == 0;
  if (problems)
    *problems = ok ? NULL : g_strdup (d.problems->str);
  g_string_free (d.problems, TRUE);
  return ok;
}

typedef struct
{
  GstStructure *out;
  GString *problems;
} FilterData;

static gboolean
filter_field (const gchar * field, const GValue * value, gpointer user_data)
{
  FilterData *f = user_data;
  ApplyData d = { NULL, f->problems };
  gsize before = f->problems->len;

  apply_field (field, value, &d);
  if (f->problems->len == before)
    gst_structure_set_value (f->out, field, value);
  return TRUE;
}

GstStructure *
cartesia_settings_filter (const GstStructure * overrides, gchar ** problems)
{
  FilterData f;

  g_return_val_if_fail (overrides != NULL, NULL);
  f.out = gst_structure_new_empty (gst_structure_get_name (overrides));
  f.problems = g_string_new (NULL);
  cartesia_structure_foreach (overrides, filter_field, &f);
  if (problems)
    *problems = f.problems->len ? g_strdup (f.problems->str) : NULL;
  g_string_free (f.problems, TRUE);
  return f.out;
}

const gchar *
cartesia_settings_speaker_voice (const GstStructure * speaker_map,
    const gchar * speaker)
{
  const gchar *voice;

  if (speaker_map == NULL || speaker == NULL || *speaker == '\0')
    return NULL;
  /* Speaker names are the transcriber's ("spk_0"): any text, so not looked
   * up as a field name, which GStreamer restricts. */
  voice = gst_structure_get_string (speaker_map, speaker);
  return voice && *voice ? voice : NULL;
}

static gboolean
check_map_field (const gchar * field, const GValue * value, gpointer user_data)
{
  GString *problems = user_data;

  if (!G_VALUE_HOLDS_STRING (value) || g_value_get_string (value) == NULL
      || *g_value_get_string (value) == '\0') {
    if (problems->len)
      g_string_append (problems, "; ");
    g_string_append_printf (problems, "%s: the voice id must be a non-empty "
        "string", field);
  }
  return TRUE;
}

gboolean
cartesia_settings_check_speaker_map (const GstStructure * speaker_map,
    gchar ** problems)
{
  GString *p = g_string_new (NULL);
  gboolean ok;

  if (speaker_map)
    cartesia_structure_foreach (speaker_map, check_map_field, p);
  ok = p->len == 0;
  if (problems)
    *problems = ok ? NULL : g_strdup (p->str);
  g_string_free (p, TRUE);
  return ok;
}

void
cartesia_settings_fill_params (const CartesiaSettings * s,
    CartesiaRequestParams * p)
{
  p->model_id = s->model_id;
  p->voice_id = s->voice_id;
  p->language = s->language;
  p->speed_set = s->speed_set;
  p->speed = s->speed;
  p->volume_set = s->volume_set;
  p->volume = s->volume;
  p->emotion = s->emotion;
  p->pronunciation_dict_id = s->pronunciation_dict_id;
}

/* Speech does not get shorter in exact proportion to the speed (pauses
 * shrink less than words): aim a little short. */
#define FIT_MARGIN 1.03

gdouble
cartesia_settings_fit_speed (guint64 speech_samples, guint64 cue_samples,
    gdouble speed, gdouble max_speed)
{
  gdouble target, cap = MIN (max_speed, CARTESIA_SPEED_MAX);

  if (speech_samples <= cue_samples || cue_samples == 0)
    return 0.0;
  target = speed * FIT_MARGIN * (gdouble) speech_samples / cue_samples;
  /* Even the fastest would not fit: asking again only costs time. */
  if (target > cap * FIT_MARGIN)
    return 0.0;
  target = MIN (target, cap);
  target = (gint64) (target * 1000.0 + 0.5) / 1000.0;
  if (target <= speed + 0.0005)
    return 0.0;
  return target;
}
