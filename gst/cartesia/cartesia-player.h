/* gst-cartesia: live playout of utterances on a fixed timeline.
 *
 * Pure (GLib only, no I/O, no GStreamer): utterances are added in the order
 * they must play, their audio is pushed as it arrives, and fill() writes the
 * next N samples of the timeline: speech of the first utterance that has
 * audio, silence otherwise.  The timeline never stretches: an utterance whose
 * audio runs dry while it plays gets silence (an underrun, counted), and
 * speech that arrives faster than real time waits in its FIFO.  Short linear
 * fades at the edges of speech, and when an utterance is interrupted, keep
 * splices free of clicks.
 */
#pragma once

#include <glib.h>

#include "cartesia-format.h"

G_BEGIN_DECLS

typedef enum
{
  CARTESIA_PLAYER_STARTED,      /* first sample of the utterance */
  CARTESIA_PLAYER_FINISHED,     /* sample after its last one */
} CartesiaPlayerEventType;

typedef struct
{
  CartesiaPlayerEventType type;
  guint id;
  guint offset;                 /* in samples, from the start of this fill */
  guint64 samples;              /* FINISHED: samples played, silence included */
  guint64 underrun_samples;     /* FINISHED: silence inserted while waiting */
  gboolean interrupted;         /* FINISHED: cut short by remove() */
  gboolean clipped;             /* FINISHED: stopped at its end, audio left */
  guint64 skipped;              /* STARTED: samples of its head dropped, late */
} CartesiaPlayerEvent;

#define CARTESIA_PLAYER_NONE G_MAXUINT64

/* Where an utterance goes on the timeline, in samples from the player's
 * first. */
typedef struct
{
  guint64 start;                /* not before this sample; NONE: at once */
  guint64 end;                  /* stops here (faded), audio left or not; NONE */
  gboolean after_previous;      /* not before those added earlier finished */
  gboolean cut_late_start;      /* started after @start: skips the audio it
                                 * missed, so the rest stays in time */
} CartesiaPlayerTiming;

typedef struct _CartesiaPlayer CartesiaPlayer;

CartesiaPlayer *cartesia_player_new (CartesiaSampleFormat format,
    guint fade_samples);
void cartesia_player_free (CartesiaPlayer * player);

/* An utterance starts only once @samples of its audio are in (or all of it
 * is): a margin against a network that delivers just in time. */
void cartesia_player_set_prebuffer (CartesiaPlayer * player, guint samples);

/* Utterance @id, not started yet, starts at @position at the earliest
 * (never earlier than its own timing says). */
void cartesia_player_set_not_before (CartesiaPlayer * player, guint id,
    guint64 position);

/* Fades at the first and last samples of each utterance's own audio (on by
 * default).  Cuts (remove(), an end) fade whatever this says. */
void cartesia_player_set_edge_fades (CartesiaPlayer * player, gboolean fades);

/* Queues utterance @id (the caller's handle) after the others, to play once
 * they have finished. */
void cartesia_player_add (CartesiaPlayer * player, guint id);
/* The same, placed by @timing.  Utterances that are not after_previous may
 * play at the same time as others: their audio is mixed. */
void cartesia_player_add_timed (CartesiaPlayer * player, guint id,
    const CartesiaPlayerTiming * timing);
/* Samples of timeline filled so far. */
guint64 cartesia_player_get_position (CartesiaPlayer * player);
/* Audio of @id, as the server sent it (a sample may be split across pushes). */
void cartesia_player_push (CartesiaPlayer * player, guint id,
    const guint8 * data, gsize len);
/* No more audio will come for @id: once played out, it finishes. */
void cartesia_player_finish (CartesiaPlayer * player, guint id);
/* Drops @id.  One that is playing fades out within the next fill and
 * finishes "interrupted"; one that has not started goes without a trace. */
void cartesia_player_remove (CartesiaPlayer * player, guint id);

gboolean cartesia_player_is_playing (CartesiaPlayer * player, guint id);
gboolean cartesia_player_has (CartesiaPlayer * player, guint id);

/* Writes the next @n samples to @out and appends what happened to @events
 * (an array of CartesiaPlayerEvent).  Audio late from the network becomes
 * silence (an underrun): live playout. */
void cartesia_player_fill (CartesiaPlayer * player, guint8 * out, guint n,
    GArray * events);

/* Live playout that keeps to the sink's deadline: as fill(), but where
 * speech that has started runs out of audio after the first sample (the
 * server's next chunk is late), it stops there instead of writing silence,
 * and returns the samples written (at least 1 when @n > 0).  The caller
 * pushes that much and fills on from there once the next deadline comes:
 * the missing audio has until the sink plays its first sample. */
guint cartesia_player_fill_live (CartesiaPlayer * player, guint8 * out,
    guint n, GArray * events);

/* Non-live playout: writes at most @n samples, but stops where speech would
 * have to wait for audio not received yet, where silence would pass
 * @horizon (a sample; NONE: no limit), and before an utterance starts
 * (so that it starts the next fill).  Returns the samples written. */
guint cartesia_player_fill_ready (CartesiaPlayer * player, guint8 * out,
    guint n, guint64 horizon, GArray * events);
/* fill_ready() goes no further than sample @limit (NONE, the default: no
 * limit), speech included: where timed input may yet start an utterance. */
void cartesia_player_set_limit (CartesiaPlayer * player, guint64 limit);

/* Silence in @format. */
void cartesia_player_silence (CartesiaSampleFormat format, guint8 * out,
    guint n);

G_END_DECLS
