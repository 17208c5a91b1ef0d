/* Untrusted bytes through json-glib (cartesia-json.c), and the protocol
 * functions that read server bytes with it: exactly one value, never a crash,
 * on json-glib 1.6 through 1.10. */
#include <gst/check/gstcheck.h>
#include <string.h>

#include "cartesia-json.h"
#include "cartesia-message.h"

static void
accepts (const gchar * text, JsonNodeType type)
{
  GError *error = NULL;
  JsonNode *node = cartesia_json_parse (text, strlen (text), &error);

  fail_unless (node != NULL, "refused %s: %s", text,
      error ? error->message : "no error");
  fail_unless (error == NULL);
  fail_unless_equals_int (JSON_NODE_TYPE (node), type);
  json_node_unref (node);
}

static void
refuses (const gchar * text, gsize len, const gchar * why)
{
  GError *error = NULL;
  JsonNode *node = cartesia_json_parse (text, len, &error);

  fail_unless (node == NULL, "accepted %s", text);
  fail_unless (error != NULL && error->domain == JSON_PARSER_ERROR,
      "no JsonParserError for %s", text);
  if (why)
    fail_unless (strstr (error->message, why) != NULL, "%s: '%s', not '%s'",
        text, error->message, why);
  g_error_free (error);
}

GST_START_TEST (test_json_one_value)
{
  accepts ("{}", JSON_NODE_OBJECT);
  accepts (" \r\n\t{\"a\":[1,{\"b\":\"}{][\"}]}\n", JSON_NODE_OBJECT);
  accepts ("[1, 2, \"x\\\"y\"]", JSON_NODE_ARRAY);
  accepts ("\"just a string\"", JSON_NODE_VALUE);
  accepts ("42", JSON_NODE_VALUE);
  accepts ("  true  ", JSON_NODE_VALUE);
  accepts ("null", JSON_NODE_NULL);
}

GST_END_TEST;

/* Two values back to back parse in json-glib as two statements, the second
 * replacing the first as the root: json-glib 1.10's immutable parser then
 * aborted in json_parser_get_root() (issue 12). */
GST_START_TEST (test_json_more_than_one_value)
{
  static const gchar *texts[] = {
    "\"error\"{\"error\":\"Server busy\"}",
    "{}{}",
    "{\"a\":1} {\"a\":2}",
    "[1][2]",
    "1 2",
    "\"a\" \"b\"",
    "true false",
    "null{}",
    "{}x",
    "{} ;",
    "\"a\"1",
    "1\"a\"",
    "var a = {};",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (texts); i++)
    refuses (texts[i], strlen (texts[i]), "more than one value");
}

GST_END_TEST;

GST_START_TEST (test_json_malformed)
{
  GString *deep = g_string_new (NULL);
  guint i;

  refuses ("", 0, NULL);
  refuses ("   ", 3, NULL);
  refuses ("]", 1, "unbalanced");
  refuses ("{}}", 3, "more than one value");
  refuses ("[1]]", 4, "more than one value");
  refuses ("[{]}", 4, NULL);
  refuses ("{\"a\":", 5, NULL);
  refuses ("{\"a\":1}", 3, NULL);       /* cut short by its length */
  refuses ("\"unterminated", 13, NULL);
  refuses ("{\"a\"\0:1}", 8, NULL);

  /* 100 000 levels would overflow json-glib 1.6's recursive parser. */
  for (i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  refuses (deep->str, deep->len, "nested too deep");
  g_string_truncate (deep, 0);
  for (i = 0; i < CARTESIA_JSON_MAX_DEPTH; i++)
    g_string_append_c (deep, '[');
  for (i = 0; i < CARTESIA_JSON_MAX_DEPTH; i++)
    g_string_append_c (deep, ']');
  accepts (deep->str, JSON_NODE_ARRAY);
  g_string_prepend_c (deep, '[');
  g_string_append_c (deep, ']');
  refuses (deep->str, deep->len, "nested too deep");
  g_string_free (deep, TRUE);
}

GST_END_TEST;

/* The crash of issue 12, through the function that met it: an HTTP error
 * body of two values is shown as text. */
GST_START_TEST (test_json_http_error_two_values)
{
  const gchar *body = "\"error\"{\"error\":\"Server busy\"}";
  gchar *text = cartesia_message_http_error_text (body, strlen (body));

  fail_unless_equals_string (text, body);
  g_free (text);

  body = "{\"message\":\"first\"}{\"message\":\"second\"}";
  text = cartesia_message_http_error_text (body, strlen (body));
  fail_unless_equals_string (text, body);
  g_free (text);

  body = "{\"title\":\"Busy\",\"message\":\"try later\"}\r\n";
  text = cartesia_message_http_error_text (body, strlen (body));
  fail_unless_equals_string (text, "Busy: try later");
  g_free (text);
}

GST_END_TEST;

GST_START_TEST (test_json_message_two_values)
{
  static const gchar *texts[] = {
    "\"error\"{\"error\":\"Server busy\"}",
    "{\"type\":\"chunk\",\"data\":\"AAAA\",\"context_id\":\"c\"}"
        "{\"type\":\"done\",\"context_id\":\"c\"}",
    "{\"type\":\"timestamps\",\"context_id\":\"c\",\"word_timestamps\":"
        "{\"words\":[],\"start\":[],\"end\":[]}} 1",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (texts); i++) {
    CartesiaMessage msg;
    GError *error = NULL;

    fail_if (cartesia_message_parse (texts[i], strlen (texts[i]), &msg,
            &error), "parsed %s", texts[i]);
    fail_unless (g_error_matches (error, CARTESIA_MESSAGE_ERROR,
            CARTESIA_MESSAGE_ERROR_INVALID_JSON), "%s", texts[i]);
    fail_unless (strstr (error->message, "more than one value") != NULL,
        "%s", error->message);
    g_error_free (error);
  }
}

GST_END_TEST;

static Suite *
json_suite (void)
{
  Suite *s = suite_create ("json");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_json_one_value);
  tcase_add_test (tc, test_json_more_than_one_value);
  tcase_add_test (tc, test_json_malformed);
  tcase_add_test (tc, test_json_http_error_two_values);
  tcase_add_test (tc, test_json_message_two_values);
  return s;
}

GST_CHECK_MAIN (json);
