/* gst-cartesia: a long text cut into inputs of bounded size (pure).
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cartesia-split.h"

#include <string.h>

static gboolean
is_space (guchar c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
      || c == '\v';
}

/* Where the piece of @text that starts at @start ends: at most @max bytes
 * on, at the best cut (see the header).  @len: bytes left from @start. */
static gsize
find_cut (const gchar * text, gsize start, gsize len, gsize max)
{
  const guchar *p = (const guchar *) text + start;
  gsize sentence = 0, space = 0, tag = 0, i, cut;
  gboolean in_tag = FALSE, after_end = FALSE;

  /* Looks one byte past the window: a cut right at @max is after a space
   * or a sentence end only if the byte at max - 1 says so. */
  for (i = 0; i < max && i < len; i++) {
    guchar c = p[i];

    if (c == '<') {
      in_tag = TRUE;
      tag = i;
    } else if (c == '>') {
      in_tag = FALSE;
    }
    if (in_tag)
      continue;
    if (c == '.' || c == '!' || c == '?') {
      after_end = TRUE;
      continue;
    }
    /* U+2026 HORIZONTAL ELLIPSIS */
    if (c == 0xe2 && i + 2 < len && p[i + 1] == 0x80 && p[i + 2] == 0xa6) {
      after_end = TRUE;
      i += 2;
      continue;
    }
    if (is_space (c)) {
      space = i + 1;
      if (after_end || c == '\n')
        sentence = i + 1;
      continue;
    }
    after_end = FALSE;
  }

  if (sentence >= max / 4)
    return sentence;
  if (space > 0)
    return space;
  if (in_tag && tag > 0)
    return tag;
  /* Between two characters: never inside one. */
  cut = max;
  while (cut > 1 && (p[cut] & 0xc0) == 0x80)
    cut--;
  return cut;
}

gchar **
cartesia_text_split (const gchar * text, gsize max_bytes)
{
  GPtrArray *pieces = g_ptr_array_new ();
  gsize len, pos = 0;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (max_bytes >= 16, NULL);

  len = strlen (text);
  while (len - pos > max_bytes) {
    gsize cut = find_cut (text, pos, len - pos, max_bytes);

    g_ptr_array_add (pieces, g_strndup (text + pos, cut));
    pos += cut;
  }
  if (pos < len)
    g_ptr_array_add (pieces, g_strdup (text + pos));
  g_ptr_array_add (pieces, NULL);
  return (gchar **) g_ptr_array_free (pieces, FALSE);
}
