/* libFuzzer harness: one server message (a websocket text frame, or the data
 * of one SSE event) through cartesia_message_parse(), the base64 audio of a
 * chunk through cartesia_base64_decode(), and the same bytes as the body of
 * an HTTP error response.
 *
 * The decoder also gets the raw input, so that it sees every byte value and
 * not only what survives JSON string unescaping.  Its output buffer is
 * allocated at exactly cartesia_base64_decoded_max() bytes: AddressSanitizer
 * catches a write past it.
 */
#include <glib.h>

#include "fuzz-glib.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cartesia-message-private.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static gsize
strip_padding (const gchar * s, gsize len)
{
  while (len > 0 && s[len - 1] == '=')
    len--;
  return len;
}

/* What decodes must re-encode to the same symbols: only the unused low bits
 * of the last symbol may differ. */
static void
check_base64 (const gchar * in, gsize len)
{
  gsize max = cartesia_base64_decoded_max (len), out_len = G_MAXSIZE;
  guint8 *out = g_malloc (max);
  gchar *again;
  gsize sym, again_sym;

  if (!cartesia_base64_decode (in, len, out, &out_len)) {
    g_free (out);
    return;
  }
  g_assert (out_len <= max);
  g_assert (out_len == strip_padding (in, len) * 3 / 4);

  again = g_base64_encode (out, out_len);
  sym = strip_padding (in, len);
  again_sym = strip_padding (again, strlen (again));
  g_assert (sym == again_sym);
  g_assert (sym == 0 || memcmp (in, again, sym - 1) == 0);
  g_free (again);
  g_free (out);
}

static void
assert_same_string (const gchar * a, const gchar * b)
{
  g_assert ((a == NULL) == (b == NULL));
  g_assert (a == NULL || strcmp (a, b) == 0);
}

/* Whatever the fast path accepts, the full parser reads the same way. */
static void
check_fast_path (const gchar * text, gsize len)
{
  CartesiaMessage flat, tree;
  GError *error = NULL;

  if (!cartesia_message_parse_flat (text, len, &flat))
    return;
  g_assert (cartesia_message_parse_tree (text, len, &tree, &error));
  g_assert (flat.type == tree.type);
  g_assert (flat.status_code == tree.status_code);
  g_assert (flat.n_words == 0 && tree.n_words == 0);
  assert_same_string (flat.context_id, tree.context_id);
  assert_same_string (flat.data, tree.data);
  assert_same_string (flat.title, tree.title);
  assert_same_string (flat.message, tree.message);
  assert_same_string (flat.error_code, tree.error_code);
  assert_same_string (flat.request_id, tree.request_id);
  cartesia_message_clear (&flat);
  cartesia_message_clear (&tree);
}

/* Keeps the compiler from dropping the reads of the timings. */
static volatile gdouble timing_sum;

static void
check_message (const CartesiaMessage * msg)
{
  gchar *text;
  guint i;

  g_assert (msg->type >= CARTESIA_MESSAGE_UNKNOWN
      && msg->type <= CARTESIA_MESSAGE_ERROR_MESSAGE);
  switch (msg->type) {
    case CARTESIA_MESSAGE_CHUNK:
      g_assert (msg->data != NULL);
      check_base64 (msg->data, strlen (msg->data));
      break;
    case CARTESIA_MESSAGE_TIMESTAMPS:
      g_assert (msg->words != NULL);
      g_assert (msg->words[msg->n_words] == NULL);
      /* Read every timing: AddressSanitizer checks the arrays' length. */
      for (i = 0; i < msg->n_words; i++) {
        g_assert (msg->words[i] != NULL);
        timing_sum += msg->word_start[i] + msg->word_end[i];
      }
      break;
    default:
      break;
  }
  text = cartesia_message_error_text (msg);
  g_assert (text != NULL);
  g_free (text);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  const gchar *text = (const gchar *) data;
  CartesiaMessage msg;
  GError *error = NULL;
  gchar *http_text;

  if (cartesia_message_parse (text, size, &msg, &error)) {
    g_assert (error == NULL);
    check_message (&msg);
    cartesia_message_clear (&msg);
  } else {
    g_assert (error != NULL && error->domain == CARTESIA_MESSAGE_ERROR);
    g_error_free (error);
  }

  check_fast_path (text, size);
  check_base64 (text, size);

  http_text = cartesia_message_http_error_text (text, size);
  g_assert (http_text != NULL);
  g_free (http_text);
  return 0;
}
