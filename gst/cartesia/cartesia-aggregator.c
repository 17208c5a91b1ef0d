/* gst-cartesia: streamed text gathered into inputs (pure).
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

#include "cartesia-aggregator.h"

#include <string.h>

/* Without a clause end for this many words, the text goes at a word
 * boundary anyway: a run-on sentence must not hold speech back. */
#define MAX_WORDS 25

/* A '<' not closed within this many bytes starts no tag (plain "a < b"). */
#define MAX_TAG_BYTES 64

/* A <spell> element not closed within this many bytes is left to itself. */
#define MAX_SPELL_BYTES 256

struct _CartesiaAggregator
{
  gboolean clauses;
  guint first_words;
  gint64 pause_us;
  GString *held;
  gint64 last_push;
  gboolean started;             /* the utterance's first input went */
};

/* Where @held may be cut, as far as the text goes now. */
typedef struct
{
  gsize safe;                   /* text up to here has no cut tag */
  gsize clause;                 /* after the last clause end (0: none) */
  guint clause_words;           /* words before it */
  gsize word;                   /* after the last white space (0: none) */
  guint word_words;
  guint words;                  /* words in the safe text */
} Cuts;

CartesiaAggregator *
cartesia_aggregator_new (gboolean clauses, guint first_words, gint64 pause_us)
{
  CartesiaAggregator *agg = g_new0 (CartesiaAggregator, 1);

  agg->clauses = clauses;
  agg->first_words = first_words;
  agg->pause_us = pause_us;
  agg->held = g_string_new (NULL);
  return agg;
}

void
cartesia_aggregator_free (CartesiaAggregator * agg)
{
  if (agg == NULL)
    return;
  g_string_free (agg->held, TRUE);
  g_free (agg);
}

static gboolean
is_space (gunichar c)
{
  return g_unichar_isspace (c);
}

/* Ends a clause when white space follows. */
static gboolean
is_clause_mark (gunichar c)
{
  return c == ',' || c == ';' || c == ':' || c == '.' || c == '!' || c == '?'
      || c == 0x2026;
}

/* Ends a clause on its own (CJK text has no spaces). */
static gboolean
is_cjk_mark (gunichar c)
{
  return c == 0x3001 || c == 0x3002 || c == 0xFF0C || c == 0xFF1B
      || c == 0xFF1A || c == 0xFF01 || c == 0xFF1F;
}

/* The length of the tag starting at @p, 0 if none starts there, or -1 if
 * one may start there but is not complete yet. */
static gssize
tag_length (const gchar * p)
{
  const gchar *close;

  if (p[0] != '<')
    return 0;
  if (p[1] == '\0')
    return -1;
  if (!g_ascii_isalpha (p[1]) && p[1] != '/')
    return 0;
  close = strchr (p, '>');
  if (close == NULL)
    return strlen (p) < MAX_TAG_BYTES ? -1 : 0;
  if (close - p >= MAX_TAG_BYTES)
    return 0;
  return close - p + 1;
}

static void
scan (const gchar * text, Cuts * cuts)
{
  const gchar *p = text, *spell = NULL;
  gboolean in_word = FALSE;

  memset (cuts, 0, sizeof (*cuts));
  while (*p) {
    gssize tag = tag_length (p);
    gunichar c;
    const gchar *next;

    if (tag < 0)
      return;                   /* cut tag: nothing from here on is safe */
    if (tag > 0) {
      if (strncmp (p, "<spell>", 7) == 0 || strncmp (p, "<spell ", 7) == 0)
        spell = p;
      else if (strncmp (p, "</spell>", 8) == 0)
        spell = NULL;
      p += tag;
      if (spell == NULL)
        cuts->safe = p - text;
      continue;
    }
    c = g_utf8_get_char (p);
    next = g_utf8_next_char (p);
    if (is_space (c)) {
      in_word = FALSE;
    } else if (!in_word) {
      in_word = TRUE;
      cuts->words++;
    }
    p = next;
    if (spell && p - spell > MAX_SPELL_BYTES)
      spell = NULL;
    if (spell)
      continue;
    cuts->safe = p - text;

    /* A clause end: the mark, then all the white space after it. */
    if ((is_clause_mark (c) && is_space (g_utf8_get_char (p))) ||
        is_cjk_mark (c) || c == '\n') {
      while (*p && is_space (g_utf8_get_char (p)))
        p = g_utf8_next_char (p);
      in_word = FALSE;
      cuts->safe = cuts->clause = cuts->word = p - text;
      cuts->clause_words = cuts->word_words = cuts->words;
    } else if (is_space (c)) {
      cuts->word = p - text;
      cuts->word_words = cuts->words;
    }
  }
}

static gchar *
take (CartesiaAggregator * agg, gsize len)
{
  gchar *piece;

  if (len == 0)
    return NULL;
  piece = g_strndup (agg->held->str, len);
  g_string_erase (agg->held, 0, len);
  agg->started = TRUE;
  return piece;
}

gchar *
cartesia_aggregator_push (CartesiaAggregator * agg, const gchar * text,
    gint64 now)
{
  Cuts cuts;

  g_string_append (agg->held, text);
  agg->last_push = now;
  scan (agg->held->str, &cuts);
  if (!agg->clauses)
    return take (agg, cuts.safe);

  /* Every clause is an input; the first one once it has enough words. */
  if (cuts.clause > 0 && cuts.clause_words > 0
      && (agg->started || cuts.clause_words >= agg->first_words))
    return take (agg, cuts.clause);
  if (cuts.word > 0 && cuts.word_words >= MAX_WORDS)
    return take (agg, cuts.word);
  return NULL;
}

gint64
cartesia_aggregator_deadline (CartesiaAggregator * agg)
{
  Cuts cuts;

  if (!agg->clauses || agg->held->len == 0)
    return -1;
  scan (agg->held->str, &cuts);
  if (cuts.safe == 0 || cuts.words == 0)
    return -1;                  /* only a tag being cut, or white space */
  return agg->last_push + agg->pause_us;
}

gchar *
cartesia_aggregator_poll (CartesiaAggregator * agg, gint64 now)
{
  gint64 deadline = cartesia_aggregator_deadline (agg);
  Cuts cuts;

  if (deadline < 0 || now < deadline)
    return NULL;
  scan (agg->held->str, &cuts);
  return take (agg, cuts.safe);
}

gchar *
cartesia_aggregator_finish (CartesiaAggregator * agg)
{
  gchar *rest = take (agg, agg->held->len);

  agg->started = FALSE;
  return rest;
}

void
cartesia_aggregator_reset (CartesiaAggregator * agg)
{
  g_string_truncate (agg->held, 0);
  agg->started = FALSE;
}

gboolean
cartesia_aggregator_is_empty (CartesiaAggregator * agg)
{
  return agg->held->len == 0;
}

gchar *
cartesia_text_strip_tags (const gchar * text)
{
  GString *out = g_string_new (NULL);
  const gchar *p = text;

  while (*p) {
    gssize tag = tag_length (p);

    if (tag > 0) {
      p += tag;
      continue;
    }
    g_string_append_c (out, *p);
    p++;
  }
  return g_string_free (out, FALSE);
}
