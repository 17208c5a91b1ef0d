/* GStreamer Cartesia text-to-speech source: its properties
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#pragma once

#include "gstcartesiattssrc-private.h"

G_BEGIN_DECLS

#define DEFAULT_TEXT NULL
#define DEFAULT_BASE_URL "https://api.cartesia.ai"
#define DEFAULT_TRANSPORT CARTESIA_TRANSPORT_WEBSOCKET
#define DEFAULT_MODEL_ID "sonic-3"
#define DEFAULT_VOICE_ID "694f9389-aac1-45b6-b726-9d9369183238"
#define DEFAULT_LANGUAGE "en"
#define DEFAULT_CARTESIA_VERSION "2025-04-16"
#define DEFAULT_SPEED 1.0
#define DEFAULT_VOLUME 1.0
#define DEFAULT_EMOTION NULL
#define DEFAULT_PRONUNCIATION_DICT_ID NULL
#define DEFAULT_MAX_BUFFER_DELAY_MS -1
#define DEFAULT_WORD_TIMESTAMPS FALSE
#define DEFAULT_NORMALIZED_TIMESTAMPS FALSE
#define DEFAULT_IS_LIVE FALSE
#define DEFAULT_SAMPLES_PER_BUFFER 1024
#define DEFAULT_FADE_MS 5
#define DEFAULT_PREBUFFER_MS 0
#define DEFAULT_JITTER_MARGIN_MS 20
#define DEFAULT_TEXT_MODE GST_CARTESIA_TEXT_MODE_QUEUE
#define DEFAULT_INPUT_MODE GST_CARTESIA_INPUT_MODE_AUTO
#define DEFAULT_OVERFLOW GST_CARTESIA_OVERFLOW_CLIP
#define DEFAULT_LATENCY_MS 2000
#define DEFAULT_RETRIES 3
#define DEFAULT_RETRY_BACKOFF_FACTOR 0.5
#define DEFAULT_RETRY_BACKOFF_MAX 8.0
#define DEFAULT_TIMEOUT 15
#define DEFAULT_STALL_TIMEOUT_MS 5000
#define DEFAULT_MAX_QUEUED 64
#define DEFAULT_MAX_WAIT_MS 30000
/* Ten seconds at the highest rate: a buffer, not a recording. */
#define MAX_SAMPLES_PER_BUFFER 480000
#define DEFAULT_SSL_STRICT TRUE
#define DEFAULT_PROXY NULL
#define DEFAULT_SHARE_CONNECTION FALSE
#define DEFAULT_USER_AGENT "GStreamer cartesiattssrc " PACKAGE_VERSION " "
#define DEFAULT_PHONEME_TIMESTAMPS FALSE
#define DEFAULT_MAX_SPEED 1.25

enum
{
  PROP_0,
  PROP_TEXT,
  PROP_API_KEY,
  PROP_BASE_URL,
  PROP_TRANSPORT,
  PROP_MODEL_ID,
  PROP_VOICE_ID,
  PROP_LANGUAGE,
  PROP_CARTESIA_VERSION,
  PROP_SPEED,
  PROP_VOLUME,
  PROP_EMOTION,
  PROP_PRONUNCIATION_DICT_ID,
  PROP_MAX_BUFFER_DELAY_MS,
  PROP_WORD_TIMESTAMPS,
  PROP_NORMALIZED_TIMESTAMPS,
  PROP_IS_LIVE,
  PROP_SAMPLES_PER_BUFFER,
  PROP_FADE_MS,
  PROP_PREBUFFER_MS,
  PROP_JITTER_MARGIN_MS,
  PROP_TEXT_MODE,
  PROP_INPUT_MODE,
  PROP_OVERFLOW,
  PROP_LATENCY,
  PROP_STATS,
  PROP_RETRIES,
  PROP_RETRY_BACKOFF_FACTOR,
  PROP_RETRY_BACKOFF_MAX,
  PROP_TIMEOUT,
  PROP_SSL_STRICT,
  PROP_PROXY,
  PROP_USER_AGENT,
  PROP_SHARE_CONNECTION,
  PROP_STALL_TIMEOUT_MS,
  PROP_MAX_QUEUED,
  PROP_MAX_WAIT_MS,
  PROP_SPEAKER_MAP,
  PROP_PHONEME_TIMESTAMPS,
  PROP_MAX_SPEED,
  PROP_NET_FIRST,               /* and the others of gstcartesiattssrc-net.c */
};

/* gstcartesiattssrc-props.c: the properties' specs, defaults and enum
 * types, and the action signals (class side) */
void gst_cartesia_tts_src_install_properties (GObjectClass * gobject_class);
/* instance_init(): every property at its default. */
void gst_cartesia_tts_src_init_properties (GstCartesiaTtsSrc * self);

/* gstcartesiattssrc-props-access.c: their values (under the object lock) */
void gst_cartesia_tts_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
void gst_cartesia_tts_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
/* finalize(): frees what the properties hold. */
void gst_cartesia_tts_src_clear_properties (GstCartesiaTtsSrc * self);
/* The API key: the property's, else CARTESIA_API_KEY's; NULL if neither.
 * Free it with gst_cartesia_tts_src_clear_secret(). */
gchar *gst_cartesia_tts_src_dup_api_key (GstCartesiaTtsSrc * self);
/* Overwrites *@secret before freeing it, and sets it to NULL. */
void gst_cartesia_tts_src_clear_secret (gchar ** secret);

G_END_DECLS
