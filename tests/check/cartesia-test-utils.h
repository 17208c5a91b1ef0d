/* Helpers shared by the gst-check suites: an emulator per test, an element
 * wired to it, and runs that collect output, errors and warnings. */
#pragma once

#include <gst/gst.h>
#include <gst/check/gstcheck.h>
#include "cartesia-emulator.h"
#include "cartesia-test-text.h"
#include <json-glib/json-glib.h>
#include <gio/gio.h>

G_BEGIN_DECLS

/* The key every test emulator accepts.  Tests grep their logs for it. */
#define TEST_API_KEY "sk_car_test_0123456789abcdef"

CartesiaEmulator *test_emulator_new (void);

/* A cartesiattssrc pointed at @emu, with the test key, no retry backoff and
 * @text.  Floating reference, as gst_element_factory_make() returns. */
GstElement *test_make_src (CartesiaEmulator * emu, const gchar * text);

/* Sets an emulator option or fails the test. */
void test_emulator_set (CartesiaEmulator * emu, const gchar * name,
    const gchar * value);

typedef struct
{
  GByteArray *audio;            /* every byte that left the src pad */
  GPtrArray *buffers;           /* the buffers themselves (refs) */
  GstCaps *caps;                /* the negotiated caps */
  gboolean eos;
  GstStateChangeReturn state_change; /* of the change to PLAYING */
  GError *error;                /* the first ERROR message, if any */
  gchar *error_debug;
  GstStructure *error_details;
  GPtrArray *warnings;          /* GError* of every WARNING message */
  GPtrArray *element_messages;  /* GstStructure copies of ELEMENT messages */
} TestRun;

/* Runs `src ! capsfilter caps=@caps ! fakesink` until EOS, an error, or
 * @timeout_s seconds (which fails the test).  @caps may be NULL.  Takes @src. */
void test_run_pipeline (GstElement * src, const gchar * caps, guint timeout_s,
    TestRun * run);
void test_run_clear (TestRun * run);

/* Asserts @run produced exactly @expected and stamped it as contiguous
 * non-live audio from 0 at @rate with @bpf bytes per sample. */
void test_assert_audio (TestRun * run, const guint8 * expected, gsize len,
    gint rate, guint bpf);

/* Requests the emulator received, parsed; free with g_ptr_array_unref. */
GPtrArray *test_emulator_requests (CartesiaEmulator * emu);
/* The bodies of the messages the emulator received that have @member, in
 * order (JsonObject refs); free with g_ptr_array_unref. */
GPtrArray *test_emulator_bodies_with (CartesiaEmulator * emu,
    const gchar * member);
/* The "body" of the @n-th request whose endpoint is @endpoint (NULL: any). */
JsonObject *test_request_body (GPtrArray * requests, guint n);

/* ---- Additions for the errors and stress suites ---- */

/* An empty TestRun, ready to collect (what test_run_clear() frees). */
void test_run_init (TestRun * run);

/* `@src ! capsfilter caps=@caps ! fakesink name=sink`, for tests that run the
 * same element more than once.  Takes @src; free with gst_object_unref(). */
GstElement *test_pipeline_new (GstElement * src, const gchar * caps);

/* Runs a pipeline made by test_pipeline_new() to EOS, an error or @timeout_s
 * seconds (which fails the test), as test_run_pipeline() does, then sets it
 * back to NULL (within 5 s, or the test fails) without freeing it.  A bus sync
 * handler installed by the test still sees every message. */
void test_pipeline_run (GstElement * pipeline, guint timeout_s, TestRun * run);

/* gst_element_set_state(), bounded: fails the test when the call takes longer
 * than @max_ms, and aborts the process with a message naming the transition
 * when it has not returned after 2 * @max_ms + 5 s (a hang).  Returns what
 * gst_element_set_state() returned. */
GstStateChangeReturn test_set_state_bounded (GstElement * element,
    GstState state, guint max_ms);

/* Aborts the process, after printing "HANG: <what>", unless stopped within
 * @abort_ms: turns a hang into a prompt, named failure. */
typedef struct _TestWatchdog TestWatchdog;
TestWatchdog *test_watchdog_start (guint abort_ms, const gchar * format, ...)
    G_GNUC_PRINTF (2, 3);
void test_watchdog_stop (TestWatchdog * watchdog);

/* A loopback "server" that lets TCP connections in (the kernel's backlog)
 * but never reads or answers: a handshake that hangs.  @base_url gets
 * "http://127.0.0.1:PORT".  Close and unref the socket when done. */
GSocket *test_listen_silent (gchar ** base_url);
/* Whether anything connected to a test_listen_silent() socket. */
gboolean test_listen_silent_was_contacted (GSocket * socket);

/* Polls the emulator's stats until open_connections is 0; FALSE when it is
 * still not after @timeout_ms. @stats (may be NULL) gets the last snapshot. */
gboolean test_emulator_wait_closed (CartesiaEmulator * emu, guint timeout_ms,
    CartesiaEmulatorStats * stats);

/* A harness on @src's "src" pad whose sink pad accepts @caps from the
 * start.  cartesiattssrc has a sink pad template, so the harness plays it as
 * soon as it has it (with its test clock, unless @src has a clock already):
 * configure @src first.  @caps must be one of a few strings (kept for the
 * life of the process); the harness refs @src. */
#include <gst/check/gstharness.h>
GstHarness *test_harness_new_src (GstElement * src, const gchar * caps);

/* A harness that feeds @src's request "sink" pad with text of @text_caps
 * (NULL: set later, with gst_harness_set_src_caps_str()) and reads its
 * "src" pad with @audio_caps (one of a few strings, as above). */
GstHarness *test_harness_new_text (GstElement * src, const gchar * audio_caps,
    const gchar * text_caps);

/* Sets properties on @element from "name=value;name=value" (NULL: none),
 * as gst-launch-1.0 reads them. */
void test_set_props (GstElement * element, const gchar * props);

/* Appends @buf's bytes to @audio; then keeps @buf in @buffers, or unrefs
 * it when @buffers is NULL. */
void test_take_audio (GByteArray * audio, GPtrArray * buffers,
    GstBuffer * buf);

/* Releases the streaming thread's next clock wait (60 s at most for it to
 * begin), the test clock moved to its time; returns the clock's time.  The
 * wait may be gone by then: audio for an idle source cuts it short
 * (unschedules it), and the thread went on without the clock. */
#include <gst/check/gsttestclock.h>
GstClockTime test_clock_crank (GstTestClock * clock);

/* What an element posts, collected from its own bus (a sync handler, any
 * thread): ELEMENT structures, WARNINGs, the first ERROR.  Messages stay on
 * the bus until test_messages_detach() flushes it (GST_BUS_DROP from the
 * handler leaked them under LeakSanitizer).  @lock guards the fields. */
typedef struct
{
  GstBus *bus;
  GMutex lock;
  GPtrArray *messages;          /* GstStructure copies, in order */
  GPtrArray *warnings;          /* GError copies */
  GError *error;
} TestMessages;

void test_messages_attach (TestMessages * m, GstElement * element);
void test_messages_detach (TestMessages * m, GstElement * element);
/* The first ELEMENT message called @name (with "id" @id unless NULL), or
 * NULL; it lives as long as @m. */
GstStructure *test_messages_find (TestMessages * m, const gchar * name,
    const gchar * id);

/* The emulator's counters now. */
CartesiaEmulatorStats test_emulator_stats (CartesiaEmulator * emu);

/* The "bytes-received" counter of a cartesiattssrc's "stats". */
guint64 test_bytes_received (GstElement * src);

/* The emulator's audio for @text, as pcm_s16le at @rate (what it sends for
 * it); fails the test when it cannot.  Free with g_free(). */
guint8 *test_render (const gchar * text, gint rate, gsize * len);

/* The offset in bytes of running time @rt in mono S16 audio at @rate. */
guint64 test_byte_at (GstClockTime rt, gint rate);

/* A text buffer holding @text (no NUL), at @pts for @duration (either may
 * be GST_CLOCK_TIME_NONE). */
GstBuffer *test_text_buffer (const gchar * text, GstClockTime pts,
    GstClockTime duration);
/* Pushes @text into @h as a timed cue, or as an untimed token of streamed
 * text; fails the test unless the push returns GST_FLOW_OK. */
void test_push_cue (GstHarness * h, const gchar * text, GstClockTime pts,
    GstClockTime duration);
void test_push_token (GstHarness * h, const gchar * text);

/* Looks for secrets in every GStreamer log line (the whole line, as the
 * default log function prints it) and in any other text handed to
 * test_log_scan_text(); counts the lines, those of the element's and the
 * transport's categories, and those with @marker.  @lock guards the
 * fields while the scan runs. */
typedef struct
{
  GMutex lock;
  const gchar *const *secrets;  /* NULL-terminated */
  const gchar *marker;          /* NULL: none */
  guint lines;
  guint element_lines;          /* category cartesiattssrc */
  guint session_lines;          /* category cartesiasession */
  guint markers;
  GPtrArray *leaks;             /* "where: text" of each text with a secret */
} TestLogScan;

/* Turns logging on at @level for every category, with the scan as the only
 * log function (nothing is printed). */
void test_log_scan_start (TestLogScan * scan, const gchar * const *secrets,
    const gchar * marker, GstDebugLevel level);
void test_log_scan_text (TestLogScan * scan, const gchar * where,
    const gchar * text);
/* Puts the default log function back, logging off; the counts stay. */
void test_log_scan_stop (TestLogScan * scan);
void test_log_scan_clear (TestLogScan * scan);

/* gst_check_object_destroyed_on_unref() for a pipeline just set to NULL:
 * first waits (up to 2 s) for references that other threads hold for a
 * moment after a state change (GstBus, GstTask) to go, so that only a ref
 * that stays fails the check. */
void test_destroyed_on_unref (gpointer object);

G_END_DECLS
