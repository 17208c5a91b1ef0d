/* cartesiattssrc with both source pads linked and no queue on either
 * branch: `tts ! ... ! wavenc ! filesink  tts.subtitle_src ! fakesink`, the
 * pipeline a new user writes first.  Each branch has a sink that prerolls on
 * its own; before subtitle_src had its own task, the streaming thread
 * blocked in one sink's preroll while the other waited for data from it.
 * The same with text from upstream on the sink pad (non-live): three pads,
 * three threads, no queue. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* memmem */
#endif
#include "cartesia-test-utils.h"

#include <glib/gstdio.h>
#include <string.h>

#define TEXT "Hi there"
#define WAV_HEADER 44
#define FIRST_CHUNK 4096        /* the emulator's chunk-bytes */

typedef struct
{
  GMutex lock;
  GCond cond;
  GString *captions;            /* every caption's text, in order */
  gboolean spoken;              /* the empty caption after TEXT came */
  gboolean caption_eos;
  guint audio_buffers;          /* buffers pushed on the src pad */
} Captions;

static void
on_caption (GstElement * sink, GstBuffer * buf, GstPad * pad, Captions * c)
{
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_READ);
  g_mutex_lock (&c->lock);
  g_string_append_len (c->captions, (const gchar *) map.data, map.size);
  /* An empty caption ends an utterance's text at its last sample. */
  if (map.size == 0 && strstr (c->captions->str, TEXT))
    c->spoken = TRUE;
  g_cond_broadcast (&c->cond);
  g_mutex_unlock (&c->lock);
  gst_buffer_unmap (buf, &map);
}

static GstPadProbeReturn
on_caption_event (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Captions *c = user_data;

  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS) {
    g_mutex_lock (&c->lock);
    c->caption_eos = TRUE;
    g_mutex_unlock (&c->lock);
  }
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_audio_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Captions *c = user_data;

  g_mutex_lock (&c->lock);
  c->audio_buffers++;
  g_cond_broadcast (&c->cond);
  g_mutex_unlock (&c->lock);
  return GST_PAD_PROBE_OK;
}

/* The pipeline of issue 15, as a new user writes it (`cartesiattssrc
 * is-live=true text="Hi there" name=tts ! audioconvert ! wavenc ! filesink
 * location=a.wav tts.subtitle_src ! fakesink`), with the test's emulator and
 * key, no fades (the WAV is compared byte for byte) and a handoff on the
 * fakesink; @live chooses the mode.  With @srt the text comes from upstream
 * instead, on the sink pad: `filesrc location=SRT ! subparse ! tts.sink`,
 * again without a queue anywhere. */
static GstElement *
make_pipeline (CartesiaEmulator * emu, gboolean live, const gchar * wav,
    const gchar * srt, Captions * c)
{
  GError *error = NULL;
  gchar *desc, *upstream, *text;
  GstElement *pipeline, *subs, *tts;
  GstPad *pad;

  upstream = srt ? g_strdup_printf ("filesrc location=\"%s\" ! subparse "
      "! tts.sink ", srt) : g_strdup ("");
  text = srt ? g_strdup ("") : g_strdup ("text=\"" TEXT "\"");
  desc = g_strdup_printf ("%scartesiattssrc name=tts is-live=%s fade-ms=0 "
      "%s base-url=%s api-key=%s retry-backoff-factor=0 "
      "! audioconvert ! wavenc "
      "! filesink location=\"%s\" "
      "tts.subtitle_src ! fakesink name=subs signal-handoffs=true",
      upstream, live ? "true" : "false", text,
      cartesia_emulator_get_base_url (emu), TEST_API_KEY, wav);
  g_free (upstream);
  g_free (text);
  pipeline = gst_parse_launch (desc, &error);
  fail_unless (pipeline != NULL, "%s: %s", desc,
      error ? error->message : "?");
  g_clear_error (&error);
  g_free (desc);

  subs = gst_bin_get_by_name (GST_BIN (pipeline), "subs");
  g_signal_connect (subs, "handoff", G_CALLBACK (on_caption), c);
  pad = gst_element_get_static_pad (subs, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      on_caption_event, c, NULL);
  gst_object_unref (pad);
  gst_object_unref (subs);
  tts = gst_bin_get_by_name (GST_BIN (pipeline), "tts");
  pad = gst_element_get_static_pad (tts, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_audio_buffer, c, NULL);
  gst_object_unref (pad);
  gst_object_unref (tts);
  return pipeline;
}

/* Waits up to @timeout_s for a message of @types (and, for ELEMENT, named
 * @name); fails the test on an ERROR or when none comes. */
static void
wait_for (GstElement * pipeline, GstMessageType types, const gchar * name,
    guint timeout_s, const gchar * what)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_TIME_SPAN_SECOND;

  for (;;) {
    gint64 left = deadline - g_get_monotonic_time ();
    GstMessage *msg;

    fail_unless (left > 0, "%s: nothing after %u s (the pads block each "
        "other)", what, timeout_s);
    msg = gst_bus_timed_pop_filtered (bus, left * GST_USECOND,
        types | GST_MESSAGE_ERROR);
    if (msg == NULL)
      continue;
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      GError *e = NULL;

      gst_message_parse_error (msg, &e, NULL);
      fail ("%s: ERROR %s", what, e->message);
    }
    if (GST_MESSAGE_TYPE (msg) != GST_MESSAGE_ELEMENT
        || gst_message_has_name (msg, name)) {
      gst_message_unref (msg);
      break;
    }
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
}

/* The WAV file's samples; fails unless it is a whole WAV file. */
static GBytes *
read_wav (const gchar * path)
{
  gchar *data = NULL;
  gsize len = 0;
  GBytes *samples;

  fail_unless (g_file_get_contents (path, &data, &len, NULL), "no %s", path);
  fail_unless (len > WAV_HEADER, "%s: %" G_GSIZE_FORMAT " bytes", path, len);
  fail_unless (memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WAVE",
          4) == 0);
  /* audioconvert passed the element's default through: PCM, mono, 44100
   * Hz, 16 bits. */
  fail_unless_equals_int (GST_READ_UINT16_LE (data + 20), 1);
  fail_unless_equals_int (GST_READ_UINT16_LE (data + 22), 1);
  fail_unless_equals_int (GST_READ_UINT32_LE (data + 24), 44100);
  fail_unless_equals_int (GST_READ_UINT16_LE (data + 34), 16);
  /* wavenc rewrites the sizes at EOS: the file was finished. */
  fail_unless_equals_int (GST_READ_UINT32_LE (data + 4), len - 8);
  fail_unless_equals_int (GST_READ_UINT32_LE (data + 40), len - WAV_HEADER);
  samples = g_bytes_new (data + WAV_HEADER, len - WAV_HEADER);
  g_free (data);
  return samples;
}

static void
check_captions (Captions * c)
{
  g_mutex_lock (&c->lock);
  fail_unless (strstr (c->captions->str, TEXT) != NULL, "captions: '%s'",
      c->captions->str);
  fail_unless (c->caption_eos, "no EOS on subtitle_src");
  g_mutex_unlock (&c->lock);
}

static gchar *
temp_file (const gchar * tmpl)
{
  gchar *path = NULL;
  gint fd = g_file_open_tmp (tmpl, &path, NULL);

  fail_unless (fd >= 0);
  g_close (fd, NULL);
  return path;
}

/* One run of the pipeline: its emulator, its WAV file, what came out. */
typedef struct
{
  CartesiaEmulator *emu;
  Captions c;
  gchar *wav;
  gchar *srt;                   /* the cues from upstream, or NULL */
  GstElement *pipeline;
  GBytes *samples;              /* the WAV file's, once it ended */
  guint8 *speech;               /* what the emulator sends for TEXT */
  gsize speech_len;
} Run;

/* @srt: the text of an SRT file upstream feeds the sink pad, or NULL for
 * the text property. */
static void
run_start (Run * run, gboolean live, const gchar * srt)
{
  memset (run, 0, sizeof (*run));
  run->emu = test_emulator_new ();
  run->wav = temp_file ("cartesia-pads-XXXXXX.wav");
  if (srt) {
    run->srt = temp_file ("cartesia-pads-XXXXXX.srt");
    fail_unless (g_file_set_contents (run->srt, srt, -1, NULL));
  }
  g_mutex_init (&run->c.lock);
  g_cond_init (&run->c.cond);
  run->c.captions = g_string_new (NULL);
  run->pipeline = make_pipeline (run->emu, live, run->wav, run->srt,
      &run->c);
  fail_if (test_set_state_bounded (run->pipeline, GST_STATE_PLAYING, 10000)
      == GST_STATE_CHANGE_FAILURE);
}

/* After the EOS: stops the pipeline, reads the file and checks the
 * captions. */
static void
run_finish (Run * run)
{
  wait_for (run->pipeline, GST_MESSAGE_EOS, NULL, 60, "EOS");
  fail_unless_equals_int (test_set_state_bounded (run->pipeline,
          GST_STATE_NULL, 10000), GST_STATE_CHANGE_SUCCESS);
  run->samples = read_wav (run->wav);
  run->speech = test_render (TEXT, 44100, &run->speech_len);
  check_captions (&run->c);
}

static void
run_clear (Run * run)
{
  g_free (run->speech);
  g_bytes_unref (run->samples);
  gst_object_unref (run->pipeline);
  g_unlink (run->wav);
  g_free (run->wav);
  if (run->srt)
    g_unlink (run->srt);
  g_free (run->srt);
  g_string_free (run->c.captions, TRUE);
  g_mutex_clear (&run->c.lock);
  g_cond_clear (&run->c.cond);
  cartesia_emulator_free (run->emu);
}

/* Live, as `gst-launch-1.0 -e`: speech, then EOS from the application. */
GST_START_TEST (test_live_two_pads_no_queue)
{
  Run run;
  Captions *c = &run.c;
  gsize len;
  const guint8 *data;

  run_start (&run, TRUE, NULL);
  /* Until the buffer with the last sample was pushed: the empty caption
   * comes when that buffer is made, which may still wait for its clock
   * time, and an EOS sent then would unlock that wait and drop it.  Two
   * more buffers on the src pad mean it went out. */
  {
    gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
    guint made;

    g_mutex_lock (&c->lock);
    while (!c->spoken)
      fail_unless (g_cond_wait_until (&c->cond, &c->lock, deadline),
          "live speech: not spoken after 60 s (the pads block each other)");
    made = c->audio_buffers;
    while (c->audio_buffers < made + 2)
      fail_unless (g_cond_wait_until (&c->cond, &c->lock, deadline),
          "live speech: no audio after its last caption for 60 s");
    g_mutex_unlock (&c->lock);
  }
  fail_unless (gst_element_send_event (run.pipeline, gst_event_new_eos ()));
  run_finish (&run);

  /* Silence, then the speech as the server sent it (no fades).  On a
   * loaded machine speech may run out of audio for a buffer and go on after
   * a silence: its first chunk is whole in any case. */
  data = g_bytes_get_data (run.samples, &len);
  fail_unless (run.speech_len > FIRST_CHUNK);
  fail_unless (len > run.speech_len);
  fail_unless (memmem (data, len, run.speech, FIRST_CHUNK) != NULL,
      "the speech's first chunk is not in the WAV file");
  run_clear (&run);
}

GST_END_TEST;

/* Non-live: ends by itself, with exactly the speech in the file. */
GST_START_TEST (test_nonlive_two_pads_no_queue)
{
  Run run;
  gsize len;
  const guint8 *data;

  run_start (&run, FALSE, NULL);
  run_finish (&run);
  data = g_bytes_get_data (run.samples, &len);
  fail_unless_equals_int (len, run.speech_len);
  fail_unless (memcmp (data, run.speech, len) == 0);
  run_clear (&run);
}

GST_END_TEST;

/* Non-live, three pads and no queue: cues from upstream on the sink pad
 * (filesrc ! subparse, whose thread waits in the sink pad for room and for
 * the format), audio and captions out.  Ends by itself: the speech at the
 * cue's start, bit for bit, then silence up to the cue's end. */
GST_START_TEST (test_nonlive_three_pads_no_queue)
{
  Run run;
  gsize len, i;
  const guint8 *data;

  run_start (&run, FALSE, "1\n00:00:00,000 --> 00:00:05,000\n" TEXT "\n\n");
  run_finish (&run);
  data = g_bytes_get_data (run.samples, &len);
  /* 5 s of mono S16LE at 44100 Hz. */
  fail_unless_equals_int (len, 5 * 44100 * 2);
  fail_unless (run.speech_len < len);
  fail_unless (memcmp (data, run.speech, run.speech_len) == 0);
  for (i = run.speech_len; i < len; i++)
    fail_unless (data[i] == 0, "not silence at byte %" G_GSIZE_FORMAT, i);
  run_clear (&run);
}

GST_END_TEST;

static Suite *
cartesiattssrc_pads_suite (void)
{
  Suite *s = suite_create ("cartesiattssrc-pads");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_live_two_pads_no_queue);
  tcase_add_test (tc, test_nonlive_two_pads_no_queue);
  tcase_add_test (tc, test_nonlive_three_pads_no_queue);
  return s;
}

GST_CHECK_MAIN (cartesiattssrc_pads);
