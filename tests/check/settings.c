/* The per-utterance settings alone: overrides from GstStructures, their
 * problems, speaker maps and overflow=fit's speed, without an element. */
#include <gst/check/gstcheck.h>
#include <string.h>

#include "cartesia-settings.h"

static CartesiaSettings *
base_settings (void)
{
  CartesiaSettings s = {
    .model_id = (gchar *) "sonic-3",
    .voice_id = (gchar *) "v-1",
    .language = (gchar *) "en",
  };

  return cartesia_settings_copy (&s);
}

static GstStructure *
structure (const gchar * text)
{
  GstStructure *s = gst_structure_from_string (text, NULL);

  fail_unless (s != NULL, "cannot parse %s", text);
  return s;
}

/* Every field, each of its accepted types; the copy is deep. */
GST_START_TEST (test_apply_all_fields)
{
  CartesiaSettings *s = base_settings (), *copy;
  GstStructure *o = structure ("settings, voice-id=v-2, model-id=sonic-3.5, "
      "language=es, speed=(int)1, volume=(float)1.5, emotion=calm, "
      "pronunciation-dict-id=(string)d-1");
  gchar *problems = NULL;

  fail_unless (cartesia_settings_apply (s, o, &problems), "%s", problems);
  fail_unless (problems == NULL);
  fail_unless_equals_string (s->voice_id, "v-2");
  fail_unless_equals_string (s->model_id, "sonic-3.5");
  fail_unless_equals_string (s->language, "es");
  fail_unless (s->speed_set && s->speed == 1.0);
  fail_unless (s->volume_set && s->volume == 1.5);
  fail_unless_equals_string (s->emotion, "calm");
  fail_unless_equals_string (s->pronunciation_dict_id, "d-1");

  copy = cartesia_settings_copy (s);
  cartesia_settings_free (s);
  fail_unless_equals_string (copy->voice_id, "v-2");
  fail_unless_equals_string (copy->emotion, "calm");
  cartesia_settings_free (copy);
  gst_structure_free (o);
}

GST_END_TEST;

/* Bad values and unknown names are left out and said; the rest applies. */
GST_START_TEST (test_apply_problems)
{
  CartesiaSettings *s = base_settings ();
  GstStructure *o = structure ("settings, voice-id=v-2, language=fr, "
      "speed=3.0, volume=0.1, model-id=(string)\"\", emotion=(int)4, colour=red");
  gchar *problems = NULL;

  fail_if (cartesia_settings_apply (s, o, &problems));
  fail_unless (problems != NULL);
  fail_unless (strstr (problems, "speed: 3 is not within 0.6..1.5"),
      "%s", problems);
  fail_unless (strstr (problems, "volume: 0.1 is not within 0.5..2"),
      "%s", problems);
  fail_unless (strstr (problems, "model-id: must not be empty"), "%s",
      problems);
  fail_unless (strstr (problems, "emotion: a gint, not a string"), "%s",
      problems);
  fail_unless (strstr (problems, "colour: not a setting"), "%s", problems);
  /* The good ones applied; the bad ones left what was there. */
  fail_unless_equals_string (s->voice_id, "v-2");
  fail_unless_equals_string (s->language, "fr");
  fail_unless_equals_string (s->model_id, "sonic-3");
  fail_if (s->speed_set);
  fail_if (s->volume_set);
  fail_unless (s->emotion == NULL);
  g_free (problems);

  /* An empty language, emotion or dictionary unsets it (not sent). */
  gst_structure_free (o);
  o = structure ("settings, language=(string)\"\"");
  fail_unless (cartesia_settings_apply (s, o, NULL));
  fail_unless (s->language == NULL);
  gst_structure_free (o);
  cartesia_settings_free (s);
}

GST_END_TEST;

/* filter(): only what apply() accepts, for the sink pad's overrides. */
GST_START_TEST (test_filter)
{
  GstStructure *o = structure ("cartesia-settings, voice-id=v-2, "
      "speed=0.1, bogus=1");
  gchar *problems = NULL;
  GstStructure *good = cartesia_settings_filter (o, &problems);

  fail_unless (gst_structure_has_name (good, "cartesia-settings"));
  fail_unless_equals_int (gst_structure_n_fields (good), 1);
  fail_unless_equals_string (gst_structure_get_string (good, "voice-id"),
      "v-2");
  fail_unless (strstr (problems, "speed: 0.1 is not within"), "%s", problems);
  fail_unless (strstr (problems, "bogus: not a setting"), "%s", problems);
  g_free (problems);
  gst_structure_free (good);

  good = cartesia_settings_filter (o, NULL);
  gst_structure_free (good);
  gst_structure_free (o);
}

GST_END_TEST;

GST_START_TEST (test_speaker_map)
{
  GstStructure *map = structure ("map, spk_0=v-a, spk_1=v-b, spk_2=(int)3");
  gchar *problems = NULL;

  fail_unless_equals_string (cartesia_settings_speaker_voice (map, "spk_1"),
      "v-b");
  fail_unless (cartesia_settings_speaker_voice (map, "spk_9") == NULL);
  fail_unless (cartesia_settings_speaker_voice (map, "spk_2") == NULL);
  fail_unless (cartesia_settings_speaker_voice (map, NULL) == NULL);
  fail_unless (cartesia_settings_speaker_voice (NULL, "spk_0") == NULL);
  /* A name GStreamer would not accept as a field name is simply absent. */
  fail_unless (cartesia_settings_speaker_voice (map, "Dr. Who?") == NULL);

  fail_if (cartesia_settings_check_speaker_map (map, &problems));
  fail_unless (strstr (problems, "spk_2: the voice id must be a non-empty "
          "string"), "%s", problems);
  g_free (problems);
  gst_structure_remove_field (map, "spk_2");
  fail_unless (cartesia_settings_check_speaker_map (map, &problems));
  fail_unless (problems == NULL);
  gst_structure_free (map);
}

GST_END_TEST;

/* The speed to ask again with: proportional, with 3 % to spare, capped;
 * none when it fits or when even the cap is too slow. */
GST_START_TEST (test_fit_speed)
{
  /* Fits: nothing to do. */
  fail_unless (cartesia_settings_fit_speed (1000, 1000, 1.0, 1.25) == 0.0);
  fail_unless (cartesia_settings_fit_speed (900, 1000, 1.0, 1.25) == 0.0);
  /* 20 % too long: 1.2 * 1.03 = 1.236. */
  fail_unless_equals_float (cartesia_settings_fit_speed (1200, 1000, 1.0,
          1.25), 1.236);
  /* From a speed already set. */
  fail_unless_equals_float (cartesia_settings_fit_speed (1100, 1000, 0.8,
          1.25), 0.906);
  /* Capped at max-speed when the cap is near enough... */
  fail_unless_equals_float (cartesia_settings_fit_speed (1240, 1000, 1.0,
          1.25), 1.25);
  /* ... and at Cartesia's 1.5 whatever max-speed says. */
  fail_unless_equals_float (cartesia_settings_fit_speed (1480, 1000, 1.0,
          2.0), 1.5);
  /* Far too long: even the cap would not fit, clip at once. */
  fail_unless (cartesia_settings_fit_speed (2000, 1000, 1.0, 1.25) == 0.0);
  /* Already at the cap. */
  fail_unless (cartesia_settings_fit_speed (1010, 1000, 1.25, 1.25) == 0.0);
  /* No cue length. */
  fail_unless (cartesia_settings_fit_speed (10, 0, 1.0, 1.25) == 0.0);
}

GST_END_TEST;

static Suite *
settings_suite (void)
{
  Suite *s = suite_create ("settings");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_apply_all_fields);
  tcase_add_test (tc, test_apply_problems);
  tcase_add_test (tc, test_filter);
  tcase_add_test (tc, test_speaker_map);
  tcase_add_test (tc, test_fit_speed);
  return s;
}

GST_CHECK_MAIN (settings);
