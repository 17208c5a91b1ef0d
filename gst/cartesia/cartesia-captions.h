/* gst-cartesia: what the subtitle pad says, and when (pure).
 *
 * Caption items (a text from a start, for a duration or until the next
 * one) are added as the audio is stamped, not necessarily in time order.
 * They wait here until the audio has gone as far as their start; then
 * next() hands out, in time order, what the pad is to send to cover the
 * timeline up to a point: a GAP over the stretch without text, or an item,
 * never starting before what went out already.  So text and GAP events
 * follow the audio exactly, and a waiting textoverlay never stalls.
 *
 * Times are nanoseconds on the audio's timeline; CARTESIA_CAPTIONS_NONE
 * is GST_CLOCK_TIME_NONE.  GLib only: no GStreamer, no threads, no I/O;
 * the caller holds whatever lock it needs.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CARTESIA_CAPTIONS_NONE G_MAXUINT64

typedef struct _CartesiaCaptions CartesiaCaptions;

typedef enum
{
  CARTESIA_CAPTION_GAP,         /* nothing is said from @start for @duration */
  CARTESIA_CAPTION_TEXT,        /* @text from @start, for @duration or NONE:
                                 * until what comes next */
} CartesiaCaptionType;

typedef struct
{
  CartesiaCaptionType type;
  guint64 start;
  guint64 duration;
  gchar *text;                  /* TEXT: the caller's, to g_free() */
} CartesiaCaption;

CartesiaCaptions *cartesia_captions_new (void);
void cartesia_captions_free (CartesiaCaptions * captions);

/* Empty, at position 0, its stream not begun: for a new start or a flush. */
void cartesia_captions_reset (CartesiaCaptions * captions);

/* Queues @text (Sonic's inline tags taken out: captions show what is said)
 * at @start, for @duration (NONE: until the next item).  Items at the same
 * start go out in the order they were added.  One without a start (NONE)
 * could never go out: it is dropped. */
void cartesia_captions_add (CartesiaCaptions * captions, guint64 start,
    guint64 duration, const gchar * text);

/* What goes out next to cover the timeline up to @until (exclusive for an
 * item's start): TRUE and @out filled, or FALSE when everything before
 * @until has gone out.  An item that starts before what went out already
 * goes out at that position instead; its duration is kept. */
gboolean cartesia_captions_next (CartesiaCaptions * captions, guint64 until,
    CartesiaCaption * out);

/* Where the output has got to: the end of the last GAP or item (an item
 * without a duration: its start). */
guint64 cartesia_captions_position (CartesiaCaptions * captions);

/* Items waiting. */
guint cartesia_captions_pending (CartesiaCaptions * captions);

/* TRUE when the stream's headers are due before anything else: nothing
 * went out since the last reset, or @pad_serial names another pad than the
 * one they went to (a pad asked for later, or again after a release).
 * Records that they went out. */
gboolean cartesia_captions_begin_stream (CartesiaCaptions * captions,
    guint pad_serial);

G_END_DECLS
