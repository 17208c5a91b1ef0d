/* The protocol layer alone: request JSON, server messages, strict base64. */
#include <gst/check/gstcheck.h>
#include <json-glib/json-glib.h>

#include "cartesia-request.h"
#include "cartesia-message-private.h"

static CartesiaRequestParams
default_params (void)
{
  CartesiaRequestParams p = { 0, };

  p.model_id = "sonic-3";
  p.voice_id = "v-1";
  p.language = "en";
  p.cartesia_version = "2025-04-16";
  p.encoding = "pcm_s16le";
  p.sample_rate = 44100;
  p.max_buffer_delay_ms = -1;
  return p;
}

static JsonObject *
parse_object (const gchar * text)
{
  JsonNode *node = json_from_string (text, NULL);
  JsonObject *obj;

  fail_unless (node && JSON_NODE_HOLDS_OBJECT (node), "not an object: %s",
      text);
  obj = json_object_ref (json_node_get_object (node));
  json_node_unref (node);
  return obj;
}

GST_START_TEST (test_request_escapes_transcript)
{
  CartesiaRequestParams p = default_params ();
  const gchar *tricky = "He said \"hi\"\n\tand left \\ \xc3\xa9 \xf0\x9f\x98\x80";
  gchar *json = cartesia_request_build_generation (&p, "c1", tricky, TRUE);
  JsonObject *obj = parse_object (json);

  fail_unless_equals_string (json_object_get_string_member (obj,
          "transcript"), tricky);
  fail_unless (json_object_get_boolean_member (obj, "continue"));
  fail_unless_equals_string (json_object_get_string_member (obj,
          "context_id"), "c1");
  json_object_unref (obj);
  g_free (json);
}

GST_END_TEST;

/* The exact text: compact, in a fixed order, every control character
 * escaped (json-glib left 0x1f raw), a double always with a point. */
GST_START_TEST (test_request_exact_text)
{
  CartesiaRequestParams p = default_params ();
  gchar *json;

  p.speed_set = TRUE;
  p.speed = 1.0;
  p.volume_set = TRUE;
  p.volume = 0.5;
  p.emotion = "positivity:high";
  p.max_buffer_delay_ms = 250;
  p.add_timestamps = TRUE;
  json = cartesia_request_build_generation (&p, "c\"1",
      "a\"b\\c\n\t\x01\x1f\x7f \xc3\xa9", TRUE);
  fail_unless_equals_string (json, "{\"model_id\":\"sonic-3\","
      "\"transcript\":\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\\u007f \xc3\xa9\","
      "\"voice\":{\"mode\":\"id\",\"id\":\"v-1\"},"
      "\"output_format\":{\"container\":\"raw\",\"encoding\":\"pcm_s16le\","
      "\"sample_rate\":44100},\"language\":\"en\","
      "\"generation_config\":{\"speed\":1.0,\"volume\":0.5,"
      "\"emotion\":\"positivity:high\"},\"add_timestamps\":true,"
      "\"use_normalized_timestamps\":false,"
      "\"context_id\":\"c\\\"1\",\"continue\":true,\"max_buffer_delay_ms\":250}");
  g_free (json);

  json = cartesia_request_build_cancel ("c");
  fail_unless_equals_string (json, "{\"context_id\":\"c\",\"cancel\":true}");
  g_free (json);
}

GST_END_TEST;

/* An input copies its settings and text: the JSON built later, with the id
 * the context has on the wire then, is what the settings said at the time. */
GST_START_TEST (test_request_input_copies)
{
  CartesiaRequestParams p = default_params ();
  gchar model[] = "sonic-3", emotion[] = "happy";
  CartesiaRequestInput *input, *copy;
  gchar *direct, *built, *retried, *sse;

  p.model_id = model;
  p.emotion = emotion;
  p.speed_set = TRUE;
  p.speed = 1.5;
  direct = cartesia_request_build_generation (&p, "ctx", "Hi \"you\"", TRUE);
  input = cartesia_request_input_new (&p, "Hi \"you\"", TRUE);
  /* The caller's strings may change or go: the input has its own. */
  model[0] = 'X';
  emotion[0] = 'X';
  built = cartesia_request_input_build (input, "ctx");
  fail_unless_equals_string (built, direct);

  copy = cartesia_request_input_copy (input);
  cartesia_request_input_free (input);
  retried = cartesia_request_input_build (copy, "ctx-retry1");
  fail_unless (strstr (retried, "\"context_id\":\"ctx-retry1\"") != NULL,
      "%s", retried);
  fail_unless (strstr (retried, "\"model_id\":\"sonic-3\"") != NULL, "%s",
      retried);
  /* No context id: the SSE body, without "continue". */
  sse = cartesia_request_input_build (copy, NULL);
  fail_if (strstr (sse, "context_id") != NULL, "%s", sse);
  fail_if (strstr (sse, "\"continue\"") != NULL, "%s", sse);
  cartesia_request_input_free (copy);
  cartesia_request_input_free (NULL);
  g_free (direct);
  g_free (built);
  g_free (retried);
  g_free (sse);
}

GST_END_TEST;

GST_START_TEST (test_request_sse_shape)
{
  CartesiaRequestParams p = default_params ();
  gchar *json;
  JsonObject *obj;

  p.max_buffer_delay_ms = 100;
  json = cartesia_request_build_generation (&p, NULL, "x", FALSE);
  obj = parse_object (json);
  /* No context: no continuation fields either. */
  fail_if (json_object_has_member (obj, "context_id"));
  fail_if (json_object_has_member (obj, "continue"));
  fail_if (json_object_has_member (obj, "max_buffer_delay_ms"));
  json_object_unref (obj);
  g_free (json);
}

GST_END_TEST;

GST_START_TEST (test_request_optional_fields)
{
  CartesiaRequestParams p = default_params ();
  gchar *json;
  JsonObject *obj, *gc;

  p.language = NULL;
  p.volume_set = TRUE;
  p.volume = 1.5;
  json = cartesia_request_build_generation (&p, "c", "x", FALSE);
  obj = parse_object (json);
  fail_if (json_object_has_member (obj, "language"));
  gc = json_object_get_object_member (obj, "generation_config");
  fail_unless (json_object_get_double_member (gc, "volume") == 1.5);
  fail_if (json_object_has_member (gc, "speed"));
  fail_if (json_object_has_member (gc, "emotion"));
  json_object_unref (obj);
  g_free (json);
}

GST_END_TEST;

GST_START_TEST (test_request_cancel)
{
  gchar *json = cartesia_request_build_cancel ("ctx \"q\"");
  JsonObject *obj = parse_object (json);

  fail_unless_equals_string (json_object_get_string_member (obj,
          "context_id"), "ctx \"q\"");
  fail_unless (json_object_get_boolean_member (obj, "cancel"));
  fail_unless_equals_int (json_object_get_size (obj), 2);
  json_object_unref (obj);
  g_free (json);
}

GST_END_TEST;

static void
parse_ok (const gchar * text, CartesiaMessage * msg)
{
  GError *error = NULL;

  fail_unless (cartesia_message_parse (text, strlen (text), msg, &error),
      "%s: %s", text, error ? error->message : "");
}

static void
parse_fails (const gchar * text, gint code)
{
  CartesiaMessage msg;
  GError *error = NULL;

  fail_if (cartesia_message_parse (text, strlen (text), &msg, &error),
      "parsed: %s", text);
  fail_unless (g_error_matches (error, CARTESIA_MESSAGE_ERROR, code),
      "%s: %s", text, error->message);
  g_error_free (error);
}

GST_START_TEST (test_message_chunk)
{
  CartesiaMessage msg;

  parse_ok ("{\"type\":\"chunk\",\"data\":\"AAEC\",\"done\":false,"
      "\"status_code\":206,\"step_time\":12.5,\"context_id\":\"c\","
      "\"flush_id\":2}", &msg);
  fail_unless_equals_int (msg.type, CARTESIA_MESSAGE_CHUNK);
  fail_unless_equals_string (msg.data, "AAEC");
  fail_unless_equals_string (msg.context_id, "c");
  fail_unless_equals_int (msg.status_code, 206);
  cartesia_message_clear (&msg);
}

GST_END_TEST;

GST_START_TEST (test_message_done_and_unknown)
{
  CartesiaMessage msg;

  parse_ok ("{\"type\":\"done\",\"done\":true,\"status_code\":206,"
      "\"context_id\":\"c\"}", &msg);
  fail_unless_equals_int (msg.type, CARTESIA_MESSAGE_DONE);
  cartesia_message_clear (&msg);

  parse_ok ("{\"type\":\"flush_done\",\"flush_done\":true,\"flush_id\":1,"
      "\"done\":false}", &msg);
  fail_unless_equals_int (msg.type, CARTESIA_MESSAGE_FLUSH_DONE);
  cartesia_message_clear (&msg);

  /* A type added to the protocol later is ignored, not an error. */
  parse_ok ("{\"type\":\"mystery\",\"x\":[1,2]}", &msg);
  fail_unless_equals_int (msg.type, CARTESIA_MESSAGE_UNKNOWN);
  cartesia_message_clear (&msg);
}

GST_END_TEST;

GST_START_TEST (test_message_timestamps)
{
  CartesiaMessage msg;

  parse_ok ("{\"type\":\"timestamps\",\"context_id\":\"c\",\"word_timestamps\":"
      "{\"words\":[\"Hello\",\"world\"],\"start\":[0,0.5],\"end\":[0.4,0.9]}}",
      &msg);
  fail_unless_equals_int (msg.type, CARTESIA_MESSAGE_TIMESTAMPS);
  fail_unless_equals_int (msg.n_words, 2);
  fail_unless_equals_string (msg.words[1], "world");
  fail_unless (msg.word_start[1] == 0.5);
  fail_unless (msg.word_end[0] == 0.4);
  cartesia_message_clear (&msg);

  parse_fails ("{\"type\":\"timestamps\",\"word_timestamps\":{\"words\":"
      "[\"a\"],\"start\":[],\"end\":[1]}}",
      CARTESIA_MESSAGE_ERROR_INVALID_MESSAGE);
  parse_fails ("{\"type\":\"timestamps\"}",
      CARTESIA_MESSAGE_ERROR_INVALID_MESSAGE);
}

GST_END_TEST;

/* add_phoneme_timestamps: phoneme_timestamps {phonemes, start, end}, read
 * into the words of the message; the fast path leaves them to the full
 * parser. */
GST_START_TEST (test_message_phoneme_timestamps)
{
  CartesiaRequestParams p = default_params ();
  CartesiaMessage msg;
  JsonObject *obj;
  gchar *json;

  p.add_phoneme_timestamps = TRUE;
  json = cartesia_request_build_generation (&p, "c", "x", FALSE);
  obj = parse_object (json);
  fail_unless (json_object_get_boolean_member (obj,
          "add_phoneme_timestamps"));
  fail_if (json_object_has_member (obj, "add_timestamps"));
  json_object_unref (obj);
  g_free (json);

  parse_ok ("{\"type\":\"phoneme_timestamps\",\"done\":false,"
      "\"status_code\":206,\"context_id\":\"c\",\"phoneme_timestamps\":"
      "{\"phonemes\":[\"h\",\"\\u0259\"],\"start\":[0.093,0.174],"
      "\"end\":[0.174,0.255]}}", &msg);
  fail_unless_equals_int (msg.type, CARTESIA_MESSAGE_PHONEME_TIMESTAMPS);
  fail_unless_equals_int (msg.n_words, 2);
  fail_unless_equals_string (msg.words[0], "h");
  fail_unless_equals_string (msg.words[1], "\xc9\x99");
  fail_unless (msg.word_start[1] == 0.174);
  fail_unless (msg.word_end[1] == 0.255);
  fail_unless_equals_string (msg.context_id, "c");
  cartesia_message_clear (&msg);

  /* Without its timings, or with word timings under its name: refused. */
  parse_fails ("{\"type\":\"phoneme_timestamps\",\"context_id\":\"c\"}",
      CARTESIA_MESSAGE_ERROR_INVALID_MESSAGE);
  parse_fails ("{\"type\":\"phoneme_timestamps\",\"phoneme_timestamps\":"
      "{\"words\":[\"a\"],\"start\":[0],\"end\":[1]}}",
      CARTESIA_MESSAGE_ERROR_INVALID_MESSAGE);
  parse_fails ("{\"type\":\"phoneme_timestamps\",\"phoneme_timestamps\":"
      "{\"phonemes\":[\"a\",\"b\"],\"start\":[0],\"end\":[1]}}",
      CARTESIA_MESSAGE_ERROR_INVALID_MESSAGE);
}

GST_END_TEST;

GST_START_TEST (test_message_errors)
{
  CartesiaMessage msg;
  gchar *text;

  /* Structured, from 2026-03-01. */
  parse_ok ("{\"type\":\"error\",\"done\":true,\"status_code\":400,"
      "\"title\":\"Invalid model\",\"message\":\"The model is not valid\","
      "\"error_code\":\"model_not_found\",\"request_id\":\"r1\","
      "\"context_id\":\"c\"}", &msg);
  fail_unless_equals_int (msg.type, CARTESIA_MESSAGE_ERROR_MESSAGE);
  text = cartesia_message_error_text (&msg);
  fail_unless_equals_string (text,
      "Invalid model: The model is not valid (model_not_found) [status 400]");
  g_free (text);
  cartesia_message_clear (&msg);

  /* Legacy, before: one "error" string. */
  parse_ok ("{\"type\":\"error\",\"done\":true,\"error\":\"Invalid model: "
      "nope\",\"status_code\":400,\"context_id\":\"c\"}", &msg);
  text = cartesia_message_error_text (&msg);
  fail_unless_equals_string (text, "Invalid model: nope [status 400]");
  g_free (text);
  cartesia_message_clear (&msg);

  /* Oldest SSE form: no type at all. */
  parse_ok ("{\"error\":\"Server busy\"}", &msg);
  fail_unless_equals_int (msg.type, CARTESIA_MESSAGE_ERROR_MESSAGE);
  cartesia_message_clear (&msg);
}

GST_END_TEST;

GST_START_TEST (test_message_malformed)
{
  parse_fails ("", CARTESIA_MESSAGE_ERROR_INVALID_JSON);
  parse_fails ("{\"type\":", CARTESIA_MESSAGE_ERROR_INVALID_JSON);
  parse_fails ("[1,2,3]", CARTESIA_MESSAGE_ERROR_INVALID_JSON);
  parse_fails ("\"chunk\"", CARTESIA_MESSAGE_ERROR_INVALID_JSON);
  parse_fails ("{\"data\":\"AAAA\"}", CARTESIA_MESSAGE_ERROR_INVALID_MESSAGE);
  parse_fails ("{\"type\":7}", CARTESIA_MESSAGE_ERROR_INVALID_MESSAGE);
  parse_fails ("{\"type\":\"chunk\",\"data\":12}",
      CARTESIA_MESSAGE_ERROR_INVALID_MESSAGE);
  parse_fails ("{\"type\":\"chunk\",\"context_id\":[]}",
      CARTESIA_MESSAGE_ERROR_INVALID_MESSAGE);
}

GST_END_TEST;

/* Inputs the fuzzer found: each a clear parse error, never a crash,
 * undefined behaviour or a GLib critical. */
GST_START_TEST (test_message_hostile)
{
  GString *deep = g_string_new ("{\"type\":\"chunk\",\"data\":");
  CartesiaMessage msg;
  gchar *text;
  guint i;

  parse_fails ("{\"type\":\"chunk\",\"status_code\":1e999}",
      CARTESIA_MESSAGE_ERROR_INVALID_MESSAGE);
  parse_fails ("{\"type\":\"chunk\",\"flush_id\":-1e300}",
      CARTESIA_MESSAGE_ERROR_INVALID_MESSAGE);
  parse_fails ("{\"type\":\"timestamps\",\"word_timestamps\":{\"words\":"
      "[\"a\"],\"start\":0,\"end\":[1]}}",
      CARTESIA_MESSAGE_ERROR_INVALID_MESSAGE);

  /* 100 000 levels would overflow json-glib's recursive parser. */
  for (i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  parse_fails (deep->str, CARTESIA_MESSAGE_ERROR_INVALID_JSON);
  text = cartesia_message_http_error_text (deep->str, deep->len);
  fail_unless (text != NULL);
  g_free (text);
  g_string_free (deep, TRUE);

  /* Brackets inside strings are not nesting; sane depth still parses. */
  parse_ok ("{\"type\":\"chunk\",\"data\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\","
      "\"x\":[[[[[1]]]]],\"status_code\":2000}", &msg);
  fail_unless_equals_int (msg.status_code, 0);
  cartesia_message_clear (&msg);
}

GST_END_TEST;

GST_START_TEST (test_http_error_text)
{
  const gchar *body = "{\"error_code\":\"model_not_found\","
      "\"title\":\"Invalid model\",\"message\":\"No such model\","
      "\"request_id\":\"r\"}";
  gchar *text;

  text = cartesia_message_http_error_text (body, strlen (body));
  fail_unless_equals_string (text,
      "Invalid model: No such model (model_not_found)");
  g_free (text);
  body = "{\"error\":\"invalid API key\"}";
  text = cartesia_message_http_error_text (body, strlen (body));
  fail_unless_equals_string (text, "invalid API key");
  g_free (text);
  body = "Invalid version:\r\n nope\n";
  text = cartesia_message_http_error_text (body, strlen (body));
  fail_unless_equals_string (text, "Invalid version:   nope");
  g_free (text);
  text = cartesia_message_http_error_text ("", 0);
  fail_unless_equals_string (text, "(no details)");
  g_free (text);
}

GST_END_TEST;

/* The fast path takes the flat messages Cartesia sends most, and leaves
 * everything unusual to json-glib. */
GST_START_TEST (test_message_fast_path)
{
  static const gchar *taken[] = {
    "{\"type\":\"chunk\",\"data\":\"AAEC\",\"done\":false,"
        "\"status_code\":206,\"step_time\":12.5,\"context_id\":\"c\"}",
    " {\"type\" : \"done\", \"done\" : true, \"context_id\" : null}\r\n",
    "{\"type\":\"error\",\"error\":\"Invalid model: nope\",\"status_code\":400}",
    "{\"error\":\"Server busy\"}",
    "{\"type\":\"mystery\"}",
  };
  static const gchar *declined[] = {
    "{\"type\":\"chunk\",\"data\":\"A\\u0041\"}",        /* escape */
    "{\"type\":\"chunk\",\"context_id\":\"caf\xc3\xa9\"}", /* non-ASCII */
    "{\"type\":\"timestamps\",\"word_timestamps\":{}}",     /* nested */
    "{\"type\":\"chunk\",\"x\":[1]}",                       /* nested */
    "{\"type\":7}",                                          /* type */
    "{\"type\":\"chunk\",\"status_code\":1e999}",           /* range */
    "{\"type\":\"chunk\",}",                                 /* syntax */
    "{\"type\":\"chunk\"} x",
    "{\"data\":\"AAAA\"}",                                    /* no type */
    "[1]",
  };
  CartesiaMessage msg;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (taken); i++) {
    fail_unless (cartesia_message_parse_flat (taken[i], strlen (taken[i]),
            &msg), "declined: %s", taken[i]);
    cartesia_message_clear (&msg);
  }
  for (i = 0; i < G_N_ELEMENTS (declined); i++)
    fail_if (cartesia_message_parse_flat (declined[i], strlen (declined[i]),
            &msg), "taken: %s", declined[i]);

  fail_unless (cartesia_message_parse_flat (taken[0], strlen (taken[0]),
          &msg));
  fail_unless_equals_int (msg.type, CARTESIA_MESSAGE_CHUNK);
  fail_unless_equals_string (msg.data, "AAEC");
  fail_unless_equals_string (msg.context_id, "c");
  fail_unless_equals_int (msg.status_code, 206);
  cartesia_message_clear (&msg);
  fail_unless (cartesia_message_parse_flat (taken[2], strlen (taken[2]),
          &msg));
  fail_unless_equals_int (msg.type, CARTESIA_MESSAGE_ERROR_MESSAGE);
  fail_unless_equals_string (msg.message, "Invalid model: nope");
  cartesia_message_clear (&msg);
}

GST_END_TEST;

/* The fast path skips a string 8 bytes at a time: a byte it must not take
 * (an escape, a control character, non-ASCII, a stray quote) is found at
 * every position of a word and of a string of every length up to five
 * words, and the closing quote wherever it falls. */
GST_START_TEST (test_message_fast_path_every_offset)
{
  static const gchar specials[] = { '\\', '\x01', '\x1f', '\x7f', '\x80',
    '\xc3', '\xff', ' ', '~', '"'
  };
  guint len, pos, k;

  for (len = 0; len <= 40; len++) {
    for (pos = 0; pos <= len; pos++) {
      for (k = 0; k < G_N_ELEMENTS (specials); k++) {
        GString *text = g_string_new ("{\"type\":\"chunk\",\"data\":\"");
        gchar *data = g_malloc (len + 2);
        CartesiaMessage msg;
        gboolean plain = specials[k] == ' ' || specials[k] == '~'
            || specials[k] == '\x7f';
        gboolean taken;

        memset (data, 'A', len + 1);
        data[pos] = specials[k];        /* pos == len: just before the quote */
        data[len + 1] = '\0';
        g_string_append_len (text, data, len + 1);
        g_string_append (text, "\",\"context_id\":\"c\"}");
        taken = cartesia_message_parse_flat (text->str, text->len, &msg);
        /* A quote ends the string there, and what follows is not JSON. */
        fail_unless_equals_int (taken, plain);
        if (taken) {
          fail_unless_equals_int (strlen (msg.data), len + 1);
          fail_unless_equals_int (strspn (msg.data, "A"), pos);
          fail_unless_equals_string (msg.context_id, "c");
          cartesia_message_clear (&msg);
        }
        g_free (data);
        g_string_free (text, TRUE);
      }
    }
  }
}

GST_END_TEST;

static void
check_b64 (const gchar * in, gboolean ok, const gchar * expected)
{
  guint8 out[64];
  gsize out_len = 0;

  fail_unless (cartesia_base64_decoded_max (strlen (in)) <= sizeof (out));
  fail_unless_equals_int (cartesia_base64_decode (in, strlen (in), out,
          &out_len), ok);
  if (ok) {
    fail_unless_equals_int (out_len, strlen (expected));
    fail_unless (memcmp (out, expected, out_len) == 0, "%s", in);
  }
}

GST_START_TEST (test_base64_strict)
{
  check_b64 ("", TRUE, "");
  check_b64 ("TWFu", TRUE, "Man");
  check_b64 ("TWE=", TRUE, "Ma");
  check_b64 ("TWE", TRUE, "Ma");
  check_b64 ("TQ==", TRUE, "M");
  check_b64 ("TQ", TRUE, "M");
  check_b64 ("aGVsbG8gd29ybGQ=", TRUE, "hello world");
  check_b64 ("T", FALSE, NULL);
  check_b64 ("TQ=", FALSE, NULL);
  check_b64 ("TQ==TWFu", FALSE, NULL);
  check_b64 ("TW!u", FALSE, NULL);
  check_b64 ("TWFu\n", FALSE, NULL);
  check_b64 ("TW u", FALSE, NULL);
  check_b64 ("T===", FALSE, NULL);
  check_b64 ("TWFu=", FALSE, NULL);
  check_b64 ("-_-_", FALSE, NULL);
}

GST_END_TEST;

/* The decoder agrees with GLib's on every byte value and length. */
GST_START_TEST (test_base64_matches_glib)
{
  guint8 data[300], out[410];
  gsize n, out_len;

  for (n = 0; n < sizeof (data); n++)
    data[n] = (guint8) (n * 7 + 3);
  for (n = 0; n <= sizeof (data); n++) {
    gchar *enc = g_base64_encode (data, n);

    fail_unless (cartesia_base64_decode (enc, strlen (enc), out, &out_len));
    fail_unless_equals_int (out_len, n);
    fail_unless (memcmp (out, data, n) == 0);
    g_free (enc);
  }
}

GST_END_TEST;

static Suite *
protocol_suite (void)
{
  Suite *s = suite_create ("protocol");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_request_escapes_transcript);
  tcase_add_test (tc, test_request_exact_text);
  tcase_add_test (tc, test_request_sse_shape);
  tcase_add_test (tc, test_request_input_copies);
  tcase_add_test (tc, test_request_optional_fields);
  tcase_add_test (tc, test_request_cancel);
  tcase_add_test (tc, test_message_chunk);
  tcase_add_test (tc, test_message_done_and_unknown);
  tcase_add_test (tc, test_message_timestamps);
  tcase_add_test (tc, test_message_phoneme_timestamps);
  tcase_add_test (tc, test_message_errors);
  tcase_add_test (tc, test_message_malformed);
  tcase_add_test (tc, test_message_hostile);
  tcase_add_test (tc, test_message_fast_path);
  tcase_add_test (tc, test_message_fast_path_every_offset);
  tcase_add_test (tc, test_http_error_text);
  tcase_add_test (tc, test_base64_strict);
  tcase_add_test (tc, test_base64_matches_glib);
  return s;
}

GST_CHECK_MAIN (protocol);
