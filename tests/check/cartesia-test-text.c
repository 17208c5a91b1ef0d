/* Text helpers the gst-check suites and the benchmark share. */
#include "cartesia-test-text.h"

#include <string.h>

gsize
test_first_clause_end (const gchar * text)
{
  guint words = 0;
  gboolean in_word = FALSE;
  gsize i;

  for (i = 0; text[i]; i++) {
    if (text[i] == ' ') {
      in_word = FALSE;
    } else if (!in_word) {
      in_word = TRUE;
      words++;
    }
    if (strchr (",;:.!?", text[i]) && text[i + 1] == ' ' && words >= 4)
      return i + 2;
  }
  return 0;
}
