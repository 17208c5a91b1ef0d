/* gst-cartesia: the voice settings of one utterance.
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>
#include "cartesia-request.h"

G_BEGIN_DECLS

/* What may differ from one utterance to the next: copied once when an
 * utterance is queued, so that one already speaking (and every
 * continuation of its context) keeps what it began with while the
 * properties change.  Fields are named like the element's properties in
 * the GstStructures that override them (queue-utterance-full, the
 * cartesia-settings event, speaker-map). */
typedef struct
{
  gchar *model_id;
  gchar *voice_id;
  gchar *language;              /* NULL: not sent */
  gboolean speed_set;
  gdouble speed;
  gboolean volume_set;
  gdouble volume;
  gchar *emotion;               /* NULL: not sent */
  gchar *pronunciation_dict_id; /* NULL: not sent */
} CartesiaSettings;

#define CARTESIA_SPEED_MIN 0.6
#define CARTESIA_SPEED_MAX 1.5
#define CARTESIA_VOLUME_MIN 0.5
#define CARTESIA_VOLUME_MAX 2.0

CartesiaSettings *cartesia_settings_copy (const CartesiaSettings * settings);
void cartesia_settings_free (CartesiaSettings * settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CartesiaSettings, cartesia_settings_free);

/* Overrides the fields of @settings that @overrides names.  A field with a
 * bad value or an unknown name is left out, and described in *@problems
 * (one "field: why" per problem, joined with "; "; NULL when all was
 * good).  Returns whether everything applied. */
gboolean cartesia_settings_apply (CartesiaSettings * settings,
    const GstStructure * overrides, gchar ** problems);

/* The part of @overrides that cartesia_settings_apply() accepts (a new
 * structure named like @overrides), and its *@problems as there. */
GstStructure *cartesia_settings_filter (const GstStructure * overrides,
    gchar ** problems);

/* The voice id @speaker_map gives @speaker, or NULL (unmapped). */
const gchar *cartesia_settings_speaker_voice (const GstStructure *
    speaker_map, const gchar * speaker);

/* Whether every value of @speaker_map is a non-empty string; else why. */
gboolean cartesia_settings_check_speaker_map (const GstStructure *
    speaker_map, gchar ** problems);

/* Points the voice fields of @params at @settings (which must outlive it). */
void cartesia_settings_fill_params (const CartesiaSettings * settings,
    CartesiaRequestParams * params);

G_END_DECLS

G_BEGIN_DECLS

/* overflow=fit: the speed to ask again with, for speech of @speech_samples
 * at @speed that must fit in @cue_samples: @speed times how much too long it
 * is, times 1.03 (speech does not shrink in exact proportion), at most
 * @max_speed (and Cartesia's 1.5), rounded to 3 decimals.  0 when it fits,
 * when no faster speed is left, or when even the fastest would be more than
 * 3 % too long (the caller clips what it has). */
gdouble cartesia_settings_fit_speed (guint64 speech_samples,
    guint64 cue_samples, gdouble speed, gdouble max_speed);

G_END_DECLS
