/* gst-cartesia: what the subtitle pad says, and when (pure). */
#include "cartesia-captions.h"

#include "cartesia-aggregator.h"

typedef struct
{
  guint64 start;
  guint64 duration;
  gchar *text;
} Item;

struct _CartesiaCaptions
{
  GQueue items;                 /* Item, by start */
  guint64 position;
  gboolean started;             /* the stream's headers went out */
  guint pad_serial;             /* to this pad */
};

static void
item_free (gpointer data)
{
  Item *item = data;

  g_free (item->text);
  g_free (item);
}

CartesiaCaptions *
cartesia_captions_new (void)
{
  CartesiaCaptions *c = g_new0 (CartesiaCaptions, 1);

  g_queue_init (&c->items);
  return c;
}

void
cartesia_captions_free (CartesiaCaptions * c)
{
  if (c == NULL)
    return;
  g_queue_clear_full (&c->items, item_free);
  g_free (c);
}

void
cartesia_captions_reset (CartesiaCaptions * c)
{
  g_queue_clear_full (&c->items, item_free);
  c->position = 0;
  c->started = FALSE;
}

/* g_queue_insert_sorted() walks past every item for which this is negative:
 * items at the same time stay in the order they were added (an utterance's
 * empty end, then the next one's text at that same time). */
static gint
by_start (gconstpointer queued, gconstpointer added, gpointer user_data)
{
  const Item *x = queued, *y = added;

  return x->start <= y->start ? -1 : 1;
}

void
cartesia_captions_add (CartesiaCaptions * c, guint64 start, guint64 duration,
    const gchar * text)
{
  Item *item;

  /* No place on the timeline: it could never go out. */
  if (start == CARTESIA_CAPTIONS_NONE)
    return;

  item = g_new0 (Item, 1);
  item->start = start;
  item->duration = duration;
  item->text = cartesia_text_strip_tags (text ? text : "");
  g_queue_insert_sorted (&c->items, item, by_start, NULL);
}

gboolean
cartesia_captions_next (CartesiaCaptions * c, guint64 until,
    CartesiaCaption * out)
{
  Item *item = g_queue_peek_head (&c->items);

  out->text = NULL;
  if (item && item->start < until) {
    if (item->start > c->position) {
      /* The silence before it first. */
      out->type = CARTESIA_CAPTION_GAP;
      out->start = c->position;
      out->duration = item->start - c->position;
      c->position = item->start;
      return TRUE;
    }
    g_queue_pop_head (&c->items);
    out->type = CARTESIA_CAPTION_TEXT;
    out->start = MAX (item->start, c->position);
    out->duration = item->duration;
    out->text = item->text;
    item->text = NULL;
    /* Saturated: a duration past the end of time ends at the end. */
    if (item->duration == CARTESIA_CAPTIONS_NONE)
      c->position = out->start;
    else if (item->duration > CARTESIA_CAPTIONS_NONE - 1 - out->start)
      c->position = CARTESIA_CAPTIONS_NONE - 1;
    else
      c->position = out->start + item->duration;
    item_free (item);
    return TRUE;
  }
  if (until == CARTESIA_CAPTIONS_NONE || until <= c->position)
    return FALSE;
  out->type = CARTESIA_CAPTION_GAP;
  out->start = c->position;
  out->duration = until - c->position;
  c->position = until;
  return TRUE;
}

guint64
cartesia_captions_position (CartesiaCaptions * c)
{
  return c->position;
}

guint
cartesia_captions_pending (CartesiaCaptions * c)
{
  return c->items.length;
}

gboolean
cartesia_captions_begin_stream (CartesiaCaptions * c, guint pad_serial)
{
  if (c->started && c->pad_serial == pad_serial)
    return FALSE;
  c->started = TRUE;
  c->pad_serial = pad_serial;
  return TRUE;
}
