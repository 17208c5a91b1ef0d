/* cartesia-bench: the element under test, in a pipeline of its own:
 *   cartesiattssrc ! capsfilter ! fakesink sync=false
 * A probe on the source pad timestamps every buffer that leaves it. */
#include "bench.h"

#include <string.h>

struct _ElemPipe
{
  GstElement *pipeline;
  GstElement *src;
  gulong probe_id;
  Utt *utt;                     /* under utt_lock () */
};

/* Speech, not silence: the emulator's first samples of a voiced character
 * are not all zero, while a live source may fill idle time with zeros.
 * Returns how far into @buf the first sound is (ns), or -1. */
static gint64
first_sound (GstBuffer * buf)
{
  GstMapInfo map;
  gint64 at = -1;
  gsize i;

  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return -1;
  for (i = 0; i < map.size && at < 0; i++)
    if (map.data[i] != 0)
      at = GST_BUFFER_DURATION_IS_VALID (buf) ? (gint64)
          gst_util_uint64_scale (GST_BUFFER_DURATION (buf), i, map.size) : 0;
  gst_buffer_unmap (buf, &map);
  return at;
}

static GstPadProbeReturn
on_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  ElemPipe *p = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  gint64 now = g_get_monotonic_time ();
  GstClockTime rt = GST_CLOCK_TIME_NONE;
  GstClock *clock;

  utt_lock ();
  if (p->utt && !p->utt->first_us && !p->utt->done_us)
    p->utt->first_sound_ns = first_sound (buf);
  if (p->utt && (p->utt->first_us || p->utt->first_sound_ns >= 0)) {
    /* When it left, on the pipeline's clock: what a sink compares the
     * buffer's PTS (plus the latency) with. */
    clock = gst_element_get_clock (p->src);
    if (clock) {
      rt = gst_clock_get_time (clock) - gst_element_get_base_time (p->src);
      gst_object_unref (clock);
    }
    utt_add_buffer (p->utt, now, gst_buffer_get_size (buf),
        GST_BUFFER_PTS (buf), rt);
  }
  utt_unlock ();
  return GST_PAD_PROBE_OK;
}

/* An error ends the wait for the utterance at once, rather than at its
 * deadline (an hour for the memory run); the message stays on the bus for
 * report_problems(). */
static GstBusSyncReply
on_bus_sync (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  ElemPipe *p = user_data;

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    utt_lock ();
    if (p->utt)
      p->utt->failed = TRUE;
    utt_signal ();
    utt_unlock ();
  }
  return GST_BUS_PASS;
}

ElemPipe *
elem_pipe_new (const ElemConfig * c, GError ** error)
{
  ElemPipe *p = g_new0 (ElemPipe, 1);
  g_autofree gchar *text = c->text ? g_strescape (c->text, NULL) : NULL;
  g_autofree gchar *desc = g_strdup_printf ("cartesiattssrc name=tts "
      "base-url=%s api-key=bench transport=%s is-live=%s retries=0 %s%s%s %s "
      "! audio/x-raw,format=%s,rate=%d,channels=1 "
      "! fakesink sync=false async=false", c->base_url, c->transport,
      c->live ? "true" : "false", text ? "text=\"" : "", text ? text : "",
      text ? "\"" : "", c->extra ? c->extra : "", c->format, c->rate);
  GstPad *pad;
  GstBus *bus;

  p->pipeline = gst_parse_launch (desc, error);
  if (p->pipeline == NULL) {
    g_free (p);
    return NULL;
  }
  p->src = gst_bin_get_by_name (GST_BIN (p->pipeline), "tts");
  bus = gst_element_get_bus (p->pipeline);
  gst_bus_set_sync_handler (bus, on_bus_sync, p, NULL);
  gst_object_unref (bus);
  pad = gst_element_get_static_pad (p->src, "src");
  p->probe_id = gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_buffer,
      p, NULL);
  gst_object_unref (pad);
  return p;
}

gboolean
elem_pipe_play (ElemPipe * p)
{
  return gst_element_set_state (p->pipeline, GST_STATE_PLAYING)
      != GST_STATE_CHANGE_FAILURE;
}

void
elem_pipe_arm (ElemPipe * p, Utt * u)
{
  utt_lock ();
  p->utt = u;
  utt_unlock ();
}

void
elem_pipe_say (ElemPipe * p, Utt * u)
{
  utt_lock ();
  p->utt = u;
  utt_unlock ();
  u->t0_us = g_get_monotonic_time ();
  g_object_set (p->src, "text", u->transcript, NULL);
}

gboolean
elem_pipe_play_timed (ElemPipe * p, Utt * u)
{
  elem_pipe_arm (p, u);
  u->t0_us = g_get_monotonic_time ();
  return elem_pipe_play (p);
}

gchar *
elem_pipe_pop_problem (ElemPipe * p)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (p->pipeline);
  g_autoptr (GstMessage) msg = gst_bus_pop_filtered (bus,
      GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *debug = NULL;

  if (msg == NULL)
    return NULL;
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
    gst_message_parse_error (msg, &error, &debug);
  else
    gst_message_parse_warning (msg, &error, &debug);
  return g_strdup_printf ("%s: %s (%s)",
      GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR ? "error" : "warning",
      error->message, debug ? debug : "");
}

gint64
elem_pipe_underruns (ElemPipe * p, guint * n_utterances)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (p->pipeline);
  GstMessage *msg;
  gint64 total = -1;

  *n_utterances = 0;
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *st = gst_message_get_structure (msg);
    guint64 d;

    if (gst_structure_has_name (st, "cartesia-utterance-finished")
        && gst_structure_get_uint64 (st, "underrun-duration", &d)) {
      total = MAX (total, 0) + (gint64) d;
      if (d)
        (*n_utterances)++;
    }
    gst_message_unref (msg);
  }
  return total;
}

GstClockTime
elem_pipe_latency (ElemPipe * p)
{
  GstQuery *query = gst_query_new_latency ();
  GstClockTime min = GST_CLOCK_TIME_NONE;
  GstPad *pad = gst_element_get_static_pad (p->src, "src");

  if (gst_pad_query (pad, query))
    gst_query_parse_latency (query, NULL, &min, NULL);
  gst_query_unref (query);
  gst_object_unref (pad);
  return min;
}

gboolean
elem_has_property (const gchar * name)
{
  g_autoptr (GstElement) e = gst_element_factory_make ("cartesiattssrc",
      NULL);

  return e && g_object_class_find_property (G_OBJECT_GET_CLASS (e), name);
}

void
elem_pipe_free (ElemPipe * p)
{
  GstBus *bus;

  if (p == NULL)
    return;
  gst_element_set_state (p->pipeline, GST_STATE_NULL);
  bus = gst_element_get_bus (p->pipeline);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_object_unref (bus);
  utt_lock ();
  p->utt = NULL;
  utt_unlock ();
  gst_object_unref (p->src);
  gst_object_unref (p->pipeline);
  g_free (p);
}
