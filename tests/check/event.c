/* Server message → CartesiaEvent, and the one timeout event: pure
 * functions, the time passed in, no sockets. */
#include <gst/check/gstcheck.h>

#include "cartesia-event.h"

#define AT ((gint64) 123456789)

/* Parses @json (which must be a valid message) and turns it into an event. */
static CartesiaEvent *
event_for (const gchar * json)
{
  CartesiaMessage msg;
  GError *error = NULL;
  CartesiaEvent *event;

  fail_unless (cartesia_message_parse (json, strlen (json), &msg, &error),
      "%s", error ? error->message : "");
  event = cartesia_event_from_message (&msg, AT);
  cartesia_message_clear (&msg);
  return event;
}

GST_START_TEST (test_chunk)
{
  static const guint8 expected[] = { 0x00, 0x01, 0x02, 0xff, 0xfe };
  g_autoptr (CartesiaEvent) event =
      event_for ("{\"type\":\"chunk\",\"context_id\":\"c1\","
      "\"data\":\"AAEC//4=\",\"done\":false,\"status_code\":206}");
  gsize size;
  const guint8 *data;

  fail_unless (event != NULL);
  fail_unless_equals_int (event->type, CARTESIA_EVENT_AUDIO);
  fail_unless_equals_string (event->context_id, "c1");
  fail_unless_equals_int64 (event->received_at, AT);
  data = g_bytes_get_data (event->audio, &size);
  fail_unless_equals_int (size, sizeof (expected));
  fail_unless (memcmp (data, expected, size) == 0);
  fail_unless (event->error_text == NULL);
}

GST_END_TEST;

GST_START_TEST (test_chunk_empty)
{
  /* Nothing to hand over. */
  fail_unless (event_for ("{\"type\":\"chunk\",\"context_id\":\"c1\","
          "\"data\":\"\"}") == NULL);
  fail_unless (event_for ("{\"type\":\"chunk\",\"context_id\":\"c1\"}") ==
      NULL);
}

GST_END_TEST;

GST_START_TEST (test_chunk_bad_base64)
{
  g_autoptr (CartesiaEvent) event =
      event_for ("{\"type\":\"chunk\",\"context_id\":\"c1\","
      "\"data\":\"AA*C\"}");
  g_autoptr (CartesiaEvent) none =
      event_for ("{\"type\":\"chunk\",\"data\":\"%%%%\"}");

  fail_unless (event != NULL);
  fail_unless_equals_int (event->type, CARTESIA_EVENT_ERROR);
  fail_unless_equals_int (event->error_kind, CARTESIA_ERROR_DECODE);
  fail_unless_equals_string (event->context_id, "c1");
  fail_unless_equals_string (event->error_text,
      "The server sent audio that is not valid base64");
  fail_unless (event->error_debug == NULL);
  fail_unless (event->audio == NULL);
  fail_unless_equals_int (event->http_status, 0);

  /* No context: an error for every context. */
  fail_unless (none != NULL);
  fail_unless_equals_int (none->type, CARTESIA_EVENT_ERROR);
  fail_unless (none->context_id == NULL);
}

GST_END_TEST;

GST_START_TEST (test_timestamps)
{
  CartesiaMessage msg;
  const gchar *json = "{\"type\":\"timestamps\",\"context_id\":\"c\","
      "\"word_timestamps\":{\"words\":[\"Hello\",\"world\"],"
      "\"start\":[0,0.5],\"end\":[0.4,0.9]}}";
  g_autoptr (CartesiaEvent) event = NULL;

  fail_unless (cartesia_message_parse (json, strlen (json), &msg, NULL));
  event = cartesia_event_from_message (&msg, AT);
  fail_unless_equals_int (event->type, CARTESIA_EVENT_TIMESTAMPS);
  fail_unless_equals_string (event->context_id, "c");
  fail_unless_equals_int (event->n_words, 2);
  fail_unless_equals_string (event->words[0], "Hello");
  fail_unless_equals_string (event->words[1], "world");
  fail_unless (event->words[2] == NULL);
  fail_unless (event->word_start[1] == 0.5);
  fail_unless (event->word_end[0] == 0.4);
  fail_unless (event->word_end[1] == 0.9);
  /* Moved, not copied: the message has none left. */
  fail_unless_equals_int (msg.n_words, 0);
  fail_unless (msg.words == NULL && msg.word_start == NULL
      && msg.word_end == NULL);
  cartesia_message_clear (&msg);
}

GST_END_TEST;

GST_START_TEST (test_phonemes)
{
  g_autoptr (CartesiaEvent) event =
      event_for ("{\"type\":\"phoneme_timestamps\",\"context_id\":\"c\","
      "\"phoneme_timestamps\":{\"phonemes\":[\"h\",\"\\u0259\"],"
      "\"start\":[0.093,0.174],\"end\":[0.174,0.255]}}");

  fail_unless_equals_int (event->type, CARTESIA_EVENT_PHONEMES);
  fail_unless_equals_int (event->n_words, 2);
  fail_unless_equals_string (event->words[1], "\xc9\x99");
  fail_unless (event->word_start[0] == 0.093);
  fail_unless (event->word_end[1] == 0.255);
}

GST_END_TEST;

GST_START_TEST (test_done)
{
  g_autoptr (CartesiaEvent) event =
      event_for ("{\"type\":\"done\",\"done\":true,\"status_code\":206,"
      "\"context_id\":\"c9\"}");

  fail_unless_equals_int (event->type, CARTESIA_EVENT_DONE);
  fail_unless_equals_string (event->context_id, "c9");
  fail_unless_equals_int64 (event->received_at, AT);
}

GST_END_TEST;

GST_START_TEST (test_server_error)
{
  g_autoptr (CartesiaEvent) structured =
      event_for ("{\"type\":\"error\",\"done\":true,\"status_code\":400,"
      "\"title\":\"Invalid model\",\"message\":\"The model is not valid\","
      "\"error_code\":\"model_not_found\",\"request_id\":\"r1\","
      "\"context_id\":\"c\"}");
  g_autoptr (CartesiaEvent) key =
      event_for ("{\"type\":\"error\",\"status_code\":401,"
      "\"error\":\"Unauthorized: bad key\",\"context_id\":\"c\"}");
  g_autoptr (CartesiaEvent) busy =
      event_for ("{\"type\":\"error\",\"status_code\":503,"
      "\"error\":\"Server busy\"}");
  g_autoptr (CartesiaEvent) untyped = event_for ("{\"error\":\"Oops\"}");

  fail_unless_equals_int (structured->type, CARTESIA_EVENT_ERROR);
  fail_unless_equals_int (structured->error_kind, CARTESIA_ERROR_SETTINGS);
  fail_unless_equals_int (structured->http_status, 400);
  fail_unless_equals_string (structured->context_id, "c");
  fail_unless_equals_string (structured->error_text,
      "Invalid model: The model is not valid (model_not_found) [status 400]");
  fail_unless_equals_string (structured->error_debug, "request_id r1");
  fail_unless_equals_string (structured->request_id, "r1");

  fail_unless_equals_int (key->error_kind, CARTESIA_ERROR_NOT_AUTHORIZED);
  fail_unless (key->request_id == NULL);
  fail_unless (key->error_debug == NULL);

  /* Naming no context: it concerns them all. */
  fail_unless (busy->context_id == NULL);
  fail_unless_equals_int (busy->error_kind, CARTESIA_ERROR_READ);
  fail_unless_equals_int (busy->http_status, 503);

  fail_unless_equals_int (untyped->type, CARTESIA_EVENT_ERROR);
  fail_unless_equals_int (untyped->http_status, 0);
  fail_unless_equals_int (untyped->error_kind, CARTESIA_ERROR_READ);
}

GST_END_TEST;

GST_START_TEST (test_ignored)
{
  fail_unless (event_for ("{\"type\":\"flush_done\",\"flush_done\":true,"
          "\"flush_id\":1,\"context_id\":\"c\"}") == NULL);
  fail_unless (event_for ("{\"type\":\"mystery\",\"x\":[1,2]}") == NULL);
}

GST_END_TEST;

static void
assert_timeout (guint timeout_s, guint stall_ms, const gchar * text)
{
  g_autoptr (CartesiaEvent) event = cartesia_event_new_timeout ("c", AT,
      timeout_s, stall_ms);

  fail_unless_equals_int (event->type, CARTESIA_EVENT_ERROR);
  fail_unless_equals_int (event->error_kind, CARTESIA_ERROR_READ);
  fail_unless_equals_int (event->http_status, 0);
  fail_unless_equals_string (event->context_id, "c");
  fail_unless_equals_int64 (event->received_at, AT);
  fail_unless_equals_string (event->error_text, text);
  fail_unless (event->error_debug == NULL);
}

GST_START_TEST (test_timeout)
{
  /* Before any audio: the timeout. */
  assert_timeout (10, 0, "The server sent nothing for 10 seconds (timeout)");
  /* In the middle, the stall watchdog when it is the sooner. */
  assert_timeout (10, 2500, "The server stalled: no audio for 2500 ms in "
      "the middle of the utterance (stall-timeout)");
  assert_timeout (0, 800, "The server stalled: no audio for 800 ms in the "
      "middle of the utterance (stall-timeout)");
  assert_timeout (2, 2000, "The server sent nothing for 2 seconds (timeout)");
  assert_timeout (2, 5000, "The server sent nothing for 2 seconds (timeout)");
}

GST_END_TEST;

GST_START_TEST (test_copy)
{
  g_autoptr (CartesiaEvent) audio =
      event_for ("{\"type\":\"chunk\",\"context_id\":\"c1\","
      "\"data\":\"AAEC\"}");
  g_autoptr (CartesiaEvent) words =
      event_for ("{\"type\":\"timestamps\",\"context_id\":\"c\","
      "\"word_timestamps\":{\"words\":[\"Hi\"],\"start\":[0.1],"
      "\"end\":[0.2]}}");
  g_autoptr (CartesiaEvent) error =
      event_for ("{\"type\":\"error\",\"status_code\":400,\"title\":\"T\","
      "\"message\":\"M\",\"request_id\":\"r\",\"context_id\":\"c\"}");
  g_autoptr (CartesiaEvent) a = NULL;
  g_autoptr (CartesiaEvent) w = NULL;
  g_autoptr (CartesiaEvent) e = NULL;

  a = cartesia_event_copy (audio);
  fail_unless (a->context_id != audio->context_id);
  fail_unless_equals_string (a->context_id, "c1");
  fail_unless (g_bytes_equal (a->audio, audio->audio));

  w = cartesia_event_copy (words);
  fail_unless (w->words != words->words && w->word_start != words->word_start);
  fail_unless_equals_string (w->words[0], "Hi");
  fail_unless (w->word_start[0] == 0.1 && w->word_end[0] == 0.2);

  e = cartesia_event_copy (error);
  fail_unless (e->error_text != error->error_text);
  fail_unless_equals_string (e->error_text, error->error_text);
  fail_unless_equals_string (e->error_debug, "request_id r");
  fail_unless_equals_string (e->request_id, "r");
  /* Each frees its own (ASan sees a double free otherwise). */
  cartesia_event_free (NULL);
}

GST_END_TEST;

static Suite *
event_suite (void)
{
  Suite *s = suite_create ("event");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_chunk);
  tcase_add_test (tc, test_chunk_empty);
  tcase_add_test (tc, test_chunk_bad_base64);
  tcase_add_test (tc, test_timestamps);
  tcase_add_test (tc, test_phonemes);
  tcase_add_test (tc, test_done);
  tcase_add_test (tc, test_server_error);
  tcase_add_test (tc, test_ignored);
  tcase_add_test (tc, test_timeout);
  tcase_add_test (tc, test_copy);
  return s;
}

GST_CHECK_MAIN (event);
