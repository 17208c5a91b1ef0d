/* The live scheduler, events in and actions out: each kind of server and
 * player event fed with a fake clock (the times are numbers passed in),
 * and the list of actions it returns checked in order.  No sockets,
 * threads or element.  The races the live suites pin end to end (audio
 * before its utterance was taken in, a timeout racing the server's done,
 * an interrupt while a request is in flight, a clear while one drains, an
 * error for a context already dropped) are pinned here as orders of
 * events. */
#include <gst/check/gstcheck.h>

#include "cartesia-scheduler-events.h"

#include <string.h>

#define MS (G_TIME_SPAN_MILLISECOND)
#define T0 (1000 * G_TIME_SPAN_SECOND)  /* a monotonic time, µs */
#define RATE 48000

/* A scheduler with its player: S16LE, no fades, so that what it plays is
 * what the server sent, byte for byte. */
static CartesiaScheduler *
sched_new (void)
{
  CartesiaScheduler *sched = cartesia_scheduler_new ();
  CartesiaPlayer *player = cartesia_player_new (CARTESIA_SAMPLE_S16LE, 0);

  cartesia_player_set_edge_fades (player, FALSE);
  cartesia_scheduler_set_player (sched, player);
  fail_unless (cartesia_scheduler_get_player (sched) == player);
  return sched;
}

static CartesiaUtterance *
add (CartesiaScheduler * sched, const gchar * id, const gchar * context_id,
    gint64 at)
{
  CartesiaUtterance *u = cartesia_utterance_new (id, "Hello there.", at);

  cartesia_scheduler_add (sched, u);
  cartesia_player_add (cartesia_scheduler_get_player (sched), u->handle);
  if (context_id)
    cartesia_utterance_requested (u, g_strdup (context_id), at);
  return u;
}

/* The actions' types, "a,b,c", for one assertion on their order. */
static gchar *
types (GArray * actions)
{
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; i < actions->len; i++)
    g_string_append_printf (s, "%s%s", i ? "," : "",
        cartesia_action_type_name (g_array_index (actions, CartesiaAction,
                i).type));
  return g_string_free (s, FALSE);
}

#define assert_actions(actions, expected) G_STMT_START {        \
  gchar *got_ = types (actions);                                 \
  fail_unless_equals_string (got_, expected);                    \
  g_free (got_);                                                 \
} G_STMT_END

static CartesiaAction *
action (GArray * actions, guint i)
{
  fail_unless (i < actions->len);
  return &g_array_index (actions, CartesiaAction, i);
}

/* The next @n samples the scheduler's player plays (g_free), its events
 * appended to @events (may be NULL). */
static guint8 *
fill (CartesiaScheduler * sched, guint n, GArray * events)
{
  guint8 *out = g_malloc (n * 2);
  GArray *ev = g_array_new (FALSE, FALSE, sizeof (CartesiaPlayerEvent));

  cartesia_player_fill (cartesia_scheduler_get_player (sched), out, n, ev);
  if (events)
    g_array_append_vals (events, ev->data, ev->len);
  g_array_unref (ev);
  return out;
}

/* Did the player report @u finished in @events? */
static gboolean
has_finished (GArray * events, CartesiaUtterance * u)
{
  guint i;

  for (i = 0; i < events->len; i++) {
    CartesiaPlayerEvent *e = &g_array_index (events, CartesiaPlayerEvent, i);

    if (e->type == CARTESIA_PLAYER_FINISHED && e->id == u->handle)
      return TRUE;
  }
  return FALSE;
}

/* Feeds one server event to a fresh list. */
static GArray *
server (CartesiaScheduler * sched, CartesiaEvent * event,
    GstClockTime audio_rt, const CartesiaSchedulerHooks * hooks)
{
  GArray *actions = cartesia_actions_new ();

  cartesia_scheduler_on_server_event (sched, event, audio_rt, hooks,
      actions);
  cartesia_event_free (event);
  return actions;
}

static CartesiaEvent *
audio (const gchar * context_id, gint64 at, const guint8 * data, gsize len)
{
  CartesiaEvent *e = cartesia_event_new (CARTESIA_EVENT_AUDIO, context_id,
      at);

  e->audio = g_bytes_new_static (data, len);
  return e;
}

static CartesiaEvent *
words (const gchar * context_id, gint64 at, gboolean phonemes, guint n)
{
  CartesiaEvent *e = cartesia_event_new (phonemes ? CARTESIA_EVENT_PHONEMES :
      CARTESIA_EVENT_TIMESTAMPS, context_id, at);
  guint i;

  e->n_words = n;
  e->words = g_new0 (gchar *, n + 1);
  e->word_start = g_new0 (gdouble, n);
  e->word_end = g_new0 (gdouble, n);
  for (i = 0; i < n; i++) {
    e->words[i] = g_strdup_printf ("w%u", i);
    e->word_start[i] = i * 0.5;
    e->word_end[i] = i * 0.5 + 0.4;
  }
  return e;
}

static CartesiaEvent *
error (const gchar * context_id, gint64 at)
{
  return cartesia_event_new_error (context_id, at, CARTESIA_ERROR_READ, 0,
      g_strdup ("connection lost"), NULL);
}

static GArray *
player (CartesiaScheduler * sched, CartesiaPlayerEvent * e, GstClockTime pts,
    gboolean word_timestamps)
{
  GArray *actions = cartesia_actions_new ();

  cartesia_scheduler_on_player_event (sched, e, pts, RATE, word_timestamps,
      actions);
  return actions;
}

static CartesiaPlayerEvent
started (CartesiaUtterance * u, guint offset, guint64 skipped)
{
  CartesiaPlayerEvent e = { CARTESIA_PLAYER_STARTED, u->handle, offset, 0, 0,
    FALSE, FALSE, skipped
  };
  return e;
}

static CartesiaPlayerEvent
finished (CartesiaUtterance * u, guint offset, guint64 samples,
    guint64 underrun, gboolean interrupted, gboolean clipped)
{
  CartesiaPlayerEvent e = { CARTESIA_PLAYER_FINISHED, u->handle, offset,
    samples, underrun, interrupted, clipped, 0
  };
  return e;
}

/* The hooks: what the element would answer, and how often it was asked. */
typedef struct
{
  gboolean fit_answer;
  gboolean lost_answer;
  guint fit_asked;
  guint lost_asked;
  gchar *lost_reason;
} Hooks;

static gboolean
fit_hook (CartesiaUtterance * u, gpointer data)
{
  Hooks *h = data;

  h->fit_asked++;
  return h->fit_answer;
}

static gboolean
lost_hook (CartesiaUtterance * u, const gchar * reason, gpointer data)
{
  Hooks *h = data;

  h->lost_asked++;
  g_free (h->lost_reason);
  h->lost_reason = g_strdup (reason);
  return h->lost_answer;
}

/* Audio: to the player as it came (played byte for byte), the first sets
 * the time to first audio; streamed text from the sink pad is told it was
 * answered. */
GST_START_TEST (test_audio)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *u = add (sched, "a", "ctx", T0);
  static const guint8 data[4] = { 1, 2, 3, 4 };
  static const guint8 played[6] = { 1, 2, 3, 4, 1, 2 };
  GArray *actions;
  guint8 *out;

  actions = server (sched, audio ("ctx", T0 + 250 * MS, data, 4),
      5 * GST_SECOND, NULL);
  assert_actions (actions, "");
  fail_unless_equals_uint64 (cartesia_utterance_ttfa (u), 250 * GST_MSECOND);
  fail_unless_equals_uint64 (u->first_audio_rt, 5 * GST_SECOND);
  fail_unless_equals_int64 (u->last_heard, T0 + 250 * MS);
  fail_unless_equals_uint64 (u->speech_bytes, 4);
  g_array_unref (actions);

  /* The second does not move the first audio. */
  actions = server (sched, audio ("ctx", T0 + 400 * MS, data, 2),
      6 * GST_SECOND, NULL);
  assert_actions (actions, "");
  fail_unless_equals_uint64 (u->first_audio_rt, 5 * GST_SECOND);
  fail_unless_equals_int64 (u->last_heard, T0 + 400 * MS);
  g_array_unref (actions);
  out = fill (sched, 3, NULL);
  fail_unless (memcmp (out, played, 6) == 0);
  g_free (out);

  /* From the sink pad. */
  u = add (sched, "s", "ctx-s", T0);
  u->from_sink = TRUE;
  actions = server (sched, audio ("ctx-s", T0 + 300 * MS, data, 4),
      7 * GST_SECOND, NULL);
  assert_actions (actions, "stream-heard");
  fail_unless (action (actions, 0)->u == u);
  fail_unless_equals_int64 (action (actions, 0)->received_at, T0 + 300 * MS);
  g_array_unref (actions);

  /* SENT: heard, nothing to do. */
  actions = server (sched, cartesia_event_new (CARTESIA_EVENT_SENT, "ctx-s",
          T0 + 900 * MS), GST_CLOCK_TIME_NONE, NULL);
  assert_actions (actions, "");
  fail_unless_equals_int64 (u->last_heard, T0 + 900 * MS);
  g_array_unref (actions);

  /* Without a player (it was freed: a flush, new caps), audio is still
   * counted and nothing crashes. */
  cartesia_scheduler_set_player (sched, NULL);
  fail_unless (cartesia_scheduler_get_player (sched) == NULL);
  actions = server (sched, audio ("ctx-s", T0 + 950 * MS, data, 4),
      7 * GST_SECOND, NULL);
  assert_actions (actions, "stream-heard");
  fail_unless_equals_uint64 (u->speech_bytes, 8);
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* overflow=fit: the answer is held, not pushed, until weighed. */
GST_START_TEST (test_audio_held)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *u = add (sched, "cue", "ctx", T0);
  static const guint8 data[4] = { 1, 2, 3, 4 };
  GArray *actions;

  u->held = g_byte_array_new ();
  actions = server (sched, audio ("ctx", T0 + 100 * MS, data, 4),
      GST_SECOND, NULL);
  assert_actions (actions, "");
  fail_unless_equals_int (u->held->len, 4);
  fail_unless_equals_uint64 (cartesia_utterance_ttfa (u), 100 * GST_MSECOND);
  g_array_unref (actions);
  /* Nothing of it was played: silence. */
  {
    static const guint8 silence[4] = { 0, };
    guint8 *out = fill (sched, 2, NULL);

    fail_unless (memcmp (out, silence, 4) == 0);
    g_free (out);
  }
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* Words and phonemes are kept; posted only once the utterance started
 * (those before it are posted by the started message). */
GST_START_TEST (test_words)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *u = add (sched, "a", "ctx", T0);
  CartesiaPlayerEvent e;
  GArray *actions;

  actions = server (sched, words ("ctx", T0, FALSE, 2), GST_CLOCK_TIME_NONE,
      NULL);
  assert_actions (actions, "");
  fail_unless_equals_int (u->words->len, 2);
  g_array_unref (actions);

  e = started (u, 480, 0);
  actions = player (sched, &e, 2 * GST_SECOND, TRUE);
  assert_actions (actions, "started");
  fail_unless_equals_uint64 (action (actions, 0)->at,
      2 * GST_SECOND + 10 * GST_MSECOND);
  fail_unless_equals_uint64 (u->started_rt, 2 * GST_SECOND + 10 * GST_MSECOND);
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_PLAYING);
  g_array_unref (actions);

  actions = server (sched, words ("ctx", T0, FALSE, 3), GST_CLOCK_TIME_NONE,
      NULL);
  assert_actions (actions, "word,word,word");
  fail_unless_equals_string (action (actions, 2)->word.word, "w2");
  fail_unless_equals_float (action (actions, 2)->word.start, 1.0);
  fail_if (action (actions, 2)->phonemes);
  fail_unless_equals_int (u->words->len, 5);
  g_array_unref (actions);

  actions = server (sched, words ("ctx", T0, TRUE, 1), GST_CLOCK_TIME_NONE,
      NULL);
  assert_actions (actions, "word");
  fail_unless (action (actions, 0)->phonemes);
  fail_unless_equals_int (u->phonemes->len, 1);
  /* The word is the utterance's own. */
  fail_unless (action (actions, 0)->word.word ==
      g_array_index (u->phonemes, CartesiaWord, 0).word);
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

GST_START_TEST (test_done)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *u = add (sched, "a", "ctx", T0);
  Hooks h = { 0, };
  CartesiaSchedulerHooks hooks = { fit_hook, lost_hook, &h };
  static const guint8 data[4] = { 1, 2, 3, 4 };
  GArray *actions, *events = g_array_new (FALSE, FALSE,
      sizeof (CartesiaPlayerEvent));

  g_array_unref (server (sched, audio ("ctx", T0, data, 4), GST_SECOND,
          &hooks));
  /* Its audio played out, not all in: it waits (silence), not finished. */
  g_free (fill (sched, 4, events));
  fail_if (has_finished (events, u));
  actions = server (sched, cartesia_event_new (CARTESIA_EVENT_DONE, "ctx",
          T0), GST_CLOCK_TIME_NONE, &hooks);
  assert_actions (actions, "");
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_DRAINING);
  /* The player heard it is all in. */
  g_free (fill (sched, 2, events));
  fail_unless (has_finished (events, u));
  g_array_unref (events);
  /* Not a fit cue: not weighed. */
  fail_unless_equals_int (h.fit_asked, 0);
  g_array_unref (actions);

  /* A duplicate done is late output. */
  actions = server (sched, cartesia_event_new (CARTESIA_EVENT_DONE, "ctx",
          T0), GST_CLOCK_TIME_NONE, &hooks);
  assert_actions (actions, "");
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* overflow=fit: the whole answer is weighed; asked again, it waits for the
 * second answer; else it drains. */
GST_START_TEST (test_done_fit)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *u = add (sched, "cue", "ctx", T0);
  Hooks h = { TRUE, FALSE, };
  CartesiaSchedulerHooks hooks = { fit_hook, lost_hook, &h };
  GArray *actions;

  u->held = g_byte_array_new ();
  actions = server (sched, cartesia_event_new (CARTESIA_EVENT_DONE, "ctx",
          T0), GST_CLOCK_TIME_NONE, &hooks);
  assert_actions (actions, "");
  fail_unless_equals_int (h.fit_asked, 1);
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_REQUESTED);
  g_array_unref (actions);

  h.fit_answer = FALSE;
  actions = server (sched, cartesia_event_new (CARTESIA_EVENT_DONE, "ctx",
          T0), GST_CLOCK_TIME_NONE, &hooks);
  assert_actions (actions, "");
  fail_unless_equals_int (h.fit_asked, 2);
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_DRAINING);
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* An error of the connection itself fails those the server is answering,
 * in order; with none, it is only a warning. */
GST_START_TEST (test_error_connection)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *a, *b;
  GArray *actions;

  actions = server (sched, error (NULL, T0), GST_CLOCK_TIME_NONE, NULL);
  assert_actions (actions, "warn");
  fail_unless (action (actions, 0)->u == NULL);
  g_array_unref (actions);

  a = add (sched, "a", "ctx-a", T0);
  b = add (sched, "b", "ctx-b", T0);
  add (sched, "c", NULL, T0);   /* queued: not with the server */
  actions = server (sched, error (NULL, T0), GST_CLOCK_TIME_NONE, NULL);
  assert_actions (actions, "fail,fail");
  fail_unless (action (actions, 0)->u == a);
  fail_unless (action (actions, 1)->u == b);
  /* The adapter decides whether they wait or fail: no state changed. */
  fail_unless_equals_int (a->state, CARTESIA_UTTERANCE_REQUESTED);
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

GST_START_TEST (test_error_context)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *u = add (sched, "a", "ctx", T0);
  Hooks h = { FALSE, FALSE, };
  CartesiaSchedulerHooks hooks = { fit_hook, lost_hook, &h };
  GArray *actions;

  actions = server (sched, error ("ctx", T0), GST_CLOCK_TIME_NONE, &hooks);
  assert_actions (actions, "fail");
  fail_unless (action (actions, 0)->u == u);
  /* Not streamed text: the element is not asked. */
  fail_unless_equals_int (h.lost_asked, 0);
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* Streamed text that spoke already, refused: its unanswered text goes to
 * a new context (the element's answer), and it drains; if the element
 * has nothing to move, it fails. */
GST_START_TEST (test_error_stream_lost)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *u = add (sched, "s", "ctx", T0);
  static const guint8 data[2] = { 1, 2 };
  Hooks h = { FALSE, TRUE, };
  CartesiaSchedulerHooks hooks = { fit_hook, lost_hook, &h };
  GArray *actions;

  u->from_sink = TRUE;
  /* Not spoken yet: it fails, the element is not asked. */
  actions = server (sched, error ("ctx", T0), GST_CLOCK_TIME_NONE, &hooks);
  assert_actions (actions, "fail");
  fail_unless_equals_int (h.lost_asked, 0);
  g_array_unref (actions);

  g_array_unref (server (sched, audio ("ctx", T0 + 100 * MS, data, 2),
          GST_SECOND, &hooks));
  actions = server (sched, error ("ctx", T0 + 200 * MS), GST_CLOCK_TIME_NONE,
      &hooks);
  assert_actions (actions, "cancel");
  fail_unless_equals_int (h.lost_asked, 1);
  fail_unless_equals_string (h.lost_reason, "connection lost");
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_DRAINING);
  g_array_unref (actions);

  u = add (sched, "t", "ctx-t", T0);
  u->from_sink = TRUE;
  g_array_unref (server (sched, audio ("ctx-t", T0 + 100 * MS, data, 2),
          GST_SECOND, &hooks));
  h.lost_answer = FALSE;
  actions = server (sched, error ("ctx-t", T0), GST_CLOCK_TIME_NONE, &hooks);
  assert_actions (actions, "fail");
  fail_unless_equals_int (h.lost_asked, 2);
  g_array_unref (actions);
  g_free (h.lost_reason);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* overflow=fit: the faster answer failed, the first one plays. */
GST_START_TEST (test_error_refit)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *u = add (sched, "cue", "ctx", T0);
  static const guint8 data[4] = { 1, 2, 3, 4 };
  GArray *actions, *events = g_array_new (FALSE, FALSE,
      sizeof (CartesiaPlayerEvent));
  guint8 *out;

  u->held = g_byte_array_new ();
  g_array_unref (server (sched, audio ("ctx", T0, data, 4), GST_SECOND,
          NULL));
  /* As the adapter asks again. */
  u->refit = TRUE;
  cartesia_utterance_rerequested (u, g_strdup ("ctx-2"), T0 + 500 * MS);
  actions = server (sched, error ("ctx-2", T0 + 600 * MS),
      GST_CLOCK_TIME_NONE, NULL);
  assert_actions (actions, "first-answer-plays");
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_DRAINING);
  /* The first answer went to the player, all of it in. */
  fail_unless (u->held == NULL);
  fail_unless_equals_uint64 (u->speech_bytes, 4);
  g_array_unref (actions);
  out = fill (sched, 4, events);
  fail_unless (memcmp (out, data, 4) == 0);
  fail_unless (has_finished (events, u));
  g_free (out);
  g_array_unref (events);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* Whatever comes for a context no utterance has, or for one the server
 * has nothing more to say for, is late output: nothing to do. */
GST_START_TEST (test_late_output)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *u = add (sched, "a", "ctx", T0);
  static const guint8 data[2] = { 1, 2 };
  GArray *actions;

  actions = server (sched, audio ("nobody", T0, data, 2), GST_SECOND, NULL);
  assert_actions (actions, "");
  g_array_unref (actions);

  /* An error for a context already dropped. */
  fail_unless (cartesia_utterance_drop (u, FALSE));
  actions = server (sched, error ("ctx", T0), GST_CLOCK_TIME_NONE, NULL);
  assert_actions (actions, "");
  g_array_unref (actions);
  actions = server (sched, audio ("ctx", T0, data, 2), GST_SECOND, NULL);
  assert_actions (actions, "");
  fail_unless_equals_int64 (u->first_audio_at, 0);
  g_array_unref (actions);
  actions = server (sched, words ("ctx", T0, FALSE, 2), GST_SECOND, NULL);
  assert_actions (actions, "");
  fail_unless_equals_int (u->words->len, 0);
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* Audio before its utterance was taken in: nothing then (the adapter
 * takes the inbox in first); its audio once it is. */
GST_START_TEST (test_audio_before_taken_in)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *u;
  static const guint8 data[2] = { 1, 2 };
  GArray *actions;

  actions = server (sched, audio ("ctx", T0 + 200 * MS, data, 2),
      GST_SECOND, NULL);
  assert_actions (actions, "");
  g_array_unref (actions);
  u = add (sched, "a", "ctx", T0);
  actions = server (sched, audio ("ctx", T0 + 200 * MS, data, 2),
      GST_SECOND, NULL);
  assert_actions (actions, "");
  fail_unless_equals_uint64 (cartesia_utterance_ttfa (u), 200 * GST_MSECOND);
  fail_unless_equals_uint64 (u->speech_bytes, 2);
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* A finished utterance: reported, counted, a caption gap without words,
 * and forgotten, last. */
GST_START_TEST (test_player_finished)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *u = add (sched, "a", "ctx", T0);
  CartesiaPlayerEvent e;
  CartesiaAction *a;
  GArray *actions;

  cartesia_utterance_done (u);
  e = finished (u, 4800, 96000, 2400, FALSE, FALSE);
  actions = player (sched, &e, GST_SECOND, FALSE);
  assert_actions (actions, "finished,underrun,caption-gap,forget");
  a = action (actions, 0);
  fail_unless (a->u == u);
  fail_unless_equals_uint64 (a->at, GST_SECOND + 100 * GST_MSECOND);
  fail_unless_equals_uint64 (a->samples, 96000);
  fail_unless_equals_uint64 (a->underrun_samples, 2400);
  fail_if (a->interrupted);
  fail_unless_equals_uint64 (action (actions, 1)->underrun,
      50 * GST_MSECOND);
  fail_unless_equals_uint64 (action (actions, 2)->at,
      GST_SECOND + 100 * GST_MSECOND);
  /* Still there: the adapter forgets it. */
  fail_unless_equals_int (cartesia_scheduler_length (sched), 1);
  g_array_unref (actions);

  /* With word timestamps the words make the captions. */
  actions = player (sched, &e, GST_SECOND, TRUE);
  assert_actions (actions, "finished,underrun,forget");
  g_array_unref (actions);

  /* A handle the scheduler does not know. */
  e.id = 999;
  actions = player (sched, &e, GST_SECOND, FALSE);
  assert_actions (actions, "");
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* A cue from the sink pad clipped at its end while the server still
 * answers: its context is cancelled, and the cue is reported. */
GST_START_TEST (test_player_clipped)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *u = add (sched, "cue", "ctx", T0);
  CartesiaPlayerEvent e;
  GArray *actions;

  u->from_sink = TRUE;
  u->start_rt = GST_SECOND;
  e = finished (u, 0, 48000, 0, FALSE, TRUE);
  actions = player (sched, &e, 2 * GST_SECOND, TRUE);
  assert_actions (actions, "cancel,finished,cue-finished,underrun,forget");
  fail_unless (action (actions, 1)->clipped);
  fail_unless (action (actions, 2)->clipped);
  fail_unless (action (actions, 3)->clipped);
  g_array_unref (actions);

  /* All of it in: nothing to cancel. */
  cartesia_utterance_done (u);
  actions = player (sched, &e, 2 * GST_SECOND, TRUE);
  assert_actions (actions, "finished,cue-finished,underrun,forget");
  g_array_unref (actions);

  /* Not a cue: no cue-finished. */
  u->start_rt = GST_CLOCK_TIME_NONE;
  actions = player (sched, &e, 2 * GST_SECOND, TRUE);
  assert_actions (actions, "finished,underrun,forget");
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* Started late with its head cut: its words keep their place in its
 * audio (the start goes back by what was skipped, not before 0). */
GST_START_TEST (test_player_started_late)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *u = add (sched, "a", "ctx", T0);
  CartesiaPlayerEvent e = started (u, 0, 24000);
  GArray *actions;

  actions = player (sched, &e, 2 * GST_SECOND, TRUE);
  assert_actions (actions, "started");
  fail_unless_equals_uint64 (action (actions, 0)->at, 2 * GST_SECOND);
  fail_unless_equals_uint64 (u->started_rt, 1500 * GST_MSECOND);
  g_array_unref (actions);

  u = add (sched, "b", "ctx-b", T0);
  e = started (u, 0, 3 * RATE);
  actions = player (sched, &e, GST_SECOND, TRUE);
  fail_unless_equals_uint64 (u->started_rt, 0);
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* An interrupt while its request is in flight: the context is cancelled
 * (the drop says so), what the server still sends is late output, and the
 * player's report of it counts it interrupted. */
GST_START_TEST (test_interrupt_in_flight)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *u = add (sched, "a", "ctx", T0);
  static const guint8 data[2] = { 1, 2 };
  CartesiaPlayerEvent e;
  GArray *actions;

  fail_unless (cartesia_utterance_drop (u, FALSE));
  actions = server (sched, audio ("ctx", T0 + 100 * MS, data, 2),
      GST_SECOND, NULL);
  assert_actions (actions, "");
  g_array_unref (actions);
  actions = server (sched, cartesia_event_new (CARTESIA_EVENT_DONE, "ctx",
          T0 + 200 * MS), GST_CLOCK_TIME_NONE, NULL);
  assert_actions (actions, "");
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_DROPPED);
  g_array_unref (actions);

  e = finished (u, 0, 100, 0, TRUE, FALSE);
  actions = player (sched, &e, GST_SECOND, TRUE);
  assert_actions (actions, "finished,underrun,interrupted,forget");
  fail_unless (action (actions, 0)->interrupted);
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* A clear while one drains: the server has nothing more to say, so
 * nothing is cancelled, and its fade-out is reported interrupted. */
GST_START_TEST (test_clear_while_draining)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *u = add (sched, "a", "ctx", T0);
  CartesiaPlayerEvent e;
  GArray *actions;

  g_array_unref (server (sched, cartesia_event_new (CARTESIA_EVENT_DONE,
              "ctx", T0), GST_CLOCK_TIME_NONE, NULL));
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_DRAINING);
  fail_if (cartesia_utterance_drop (u, FALSE));
  e = finished (u, 0, 100, 0, TRUE, FALSE);
  actions = player (sched, &e, GST_SECOND, TRUE);
  assert_actions (actions, "finished,underrun,interrupted,forget");
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* A timeout racing the server's done: failed first, the done is late
 * output, and the player's report of its fade-out posts nothing (the
 * failure was posted), only counts and forgets. */
GST_START_TEST (test_timeout_races_done)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *u = add (sched, "a", "ctx", T0);
  CartesiaPlayerEvent e;
  GArray *actions;

  cartesia_utterance_heard (u, T0);
  fail_unless_equals_int (cartesia_utterance_timed_out (u,
          T0 + 2 * G_TIME_SPAN_SECOND, 1, 0, FALSE), CARTESIA_TIMEOUT_SILENT);
  fail_unless (cartesia_utterance_drop (u, TRUE));
  actions = server (sched, cartesia_event_new (CARTESIA_EVENT_DONE, "ctx",
          T0 + 2 * G_TIME_SPAN_SECOND), GST_CLOCK_TIME_NONE, NULL);
  assert_actions (actions, "");
  fail_unless_equals_int (u->state, CARTESIA_UTTERANCE_FAILED);
  g_array_unref (actions);

  e = finished (u, 0, 100, 0, TRUE, FALSE);
  actions = player (sched, &e, GST_SECOND, FALSE);
  assert_actions (actions, "underrun,caption-gap,forget");
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* Dropped before it played (in flight, queued, failed): it goes now,
 * reported interrupted unless it failed; the server is told only when it
 * was answering; it leaves the player. */
GST_START_TEST (test_drop_waiting)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaPlayer *player = cartesia_scheduler_get_player (sched);
  CartesiaUtterance *a = add (sched, "a", "ctx-a", T0);
  CartesiaUtterance *b = add (sched, "b", NULL, T0);
  CartesiaUtterance *c = add (sched, "c", "ctx-c", T0);
  GArray *actions = cartesia_actions_new ();

  cartesia_scheduler_drop (sched, a, FALSE, 3 * GST_SECOND, actions);
  assert_actions (actions, "dropped,cancel,finished,interrupted,forget");
  fail_unless (action (actions, 0)->u == a);
  fail_unless_equals_uint64 (action (actions, 2)->at, 3 * GST_SECOND);
  fail_unless (action (actions, 2)->interrupted);
  fail_unless_equals_uint64 (action (actions, 2)->samples, 0);
  fail_unless_equals_int (a->state, CARTESIA_UTTERANCE_DROPPED);
  fail_if (cartesia_player_has (player, a->handle));
  g_array_set_size (actions, 0);

  /* Queued: nothing to cancel. */
  cartesia_scheduler_drop (sched, b, FALSE, 3 * GST_SECOND, actions);
  assert_actions (actions, "dropped,finished,interrupted,forget");
  g_array_set_size (actions, 0);

  /* Given up: its failure was posted, nothing more. */
  cartesia_scheduler_drop (sched, c, TRUE, 3 * GST_SECOND, actions);
  assert_actions (actions, "dropped,cancel,forget");
  fail_unless_equals_int (c->state, CARTESIA_UTTERANCE_FAILED);
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* Starts @u playing in the scheduler's player. */
static void
start_playing (CartesiaScheduler * sched, CartesiaUtterance * u)
{
  static const guint8 data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  GArray *events = g_array_new (FALSE, FALSE, sizeof (CartesiaPlayerEvent));

  g_array_unref (server (sched, audio (u->context_id, T0, data, 8),
          GST_SECOND, NULL));
  g_free (fill (sched, 1, events));
  fail_unless (cartesia_player_is_playing (cartesia_scheduler_get_player
          (sched), u->handle));
  g_array_unref (events);
}

/* The application's interrupt drops what speaks now (it fades out and the
 * player reports it), then what is about to. */
GST_START_TEST (test_interrupt)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *a = add (sched, "a", "ctx-a", T0);
  CartesiaUtterance *b = add (sched, "b", "ctx-b", T0);
  GArray *actions = cartesia_actions_new ();
  GArray *events = g_array_new (FALSE, FALSE, sizeof (CartesiaPlayerEvent));

  start_playing (sched, a);
  cartesia_scheduler_interrupt (sched, GST_SECOND, actions);
  assert_actions (actions, "dropped,cancel");
  fail_unless (action (actions, 0)->u == a);
  g_array_set_size (actions, 0);
  /* It fades out: the player reports it interrupted. */
  g_free (fill (sched, 4, events));
  fail_unless (has_finished (events, a));
  fail_unless (g_array_index (events, CartesiaPlayerEvent,
          events->len - 1).interrupted);

  cartesia_scheduler_interrupt (sched, GST_SECOND, actions);
  assert_actions (actions, "dropped,cancel,finished,interrupted,forget");
  fail_unless (action (actions, 0)->u == b);
  g_array_set_size (actions, 0);
  cartesia_scheduler_forget (sched, b);
  cartesia_scheduler_forget (sched, a);
  /* Nothing left: nothing to do. */
  cartesia_scheduler_interrupt (sched, GST_SECOND, actions);
  assert_actions (actions, "");
  g_array_unref (actions);
  g_array_unref (events);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* The application's clear: everything waiting goes, what speaks now and
 * what was dropped already stay as they are. */
GST_START_TEST (test_clear_waiting)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *a = add (sched, "a", "ctx-a", T0);
  CartesiaUtterance *b = add (sched, "b", "ctx-b", T0);
  CartesiaUtterance *c = add (sched, "c", NULL, T0);
  CartesiaUtterance *d = add (sched, "d", "ctx-d", T0);
  GArray *actions = cartesia_actions_new ();

  start_playing (sched, a);
  cartesia_utterance_drop (d, FALSE);
  cartesia_scheduler_clear_waiting (sched, GST_SECOND, actions);
  assert_actions (actions, "dropped,cancel,finished,interrupted,forget,"
      "dropped,finished,interrupted,forget");
  fail_unless (action (actions, 0)->u == b);
  fail_unless (action (actions, 5)->u == c);
  fail_unless_equals_int (a->state, CARTESIA_UTTERANCE_REQUESTED);
  fail_unless (cartesia_player_is_playing (cartesia_scheduler_get_player
          (sched), a->handle));
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

/* The sink pad flushed: its utterances go, the application's stay. */
GST_START_TEST (test_drop_from_sink)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *a = add (sched, "a", "ctx-a", T0);
  CartesiaUtterance *s1 = add (sched, "s1", "ctx-s1", T0);
  CartesiaUtterance *s2 = add (sched, "s2", NULL, T0);
  GArray *actions = cartesia_actions_new ();

  s1->from_sink = s2->from_sink = TRUE;
  start_playing (sched, a);
  cartesia_scheduler_drop_from_sink (sched, GST_SECOND, actions);
  assert_actions (actions, "dropped,cancel,finished,interrupted,forget,"
      "dropped,finished,interrupted,forget");
  fail_unless (action (actions, 0)->u == s1);
  fail_unless (action (actions, 5)->u == s2);
  fail_unless_equals_int (a->state, CARTESIA_UTTERANCE_REQUESTED);
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

static gboolean
open_hook (CartesiaUtterance * u, gpointer data)
{
  guint *asked = data;

  (*asked)++;
  return g_strcmp0 (u->id, "open") == 0;
}

/* Silent too long: given up, with the timeout's or the stall's text; not
 * one with streamed text still coming, nor one done. */
GST_START_TEST (test_check_timeouts)
{
  CartesiaScheduler *sched = sched_new ();
  CartesiaUtterance *silent = add (sched, "silent", "ctx-1", T0);
  CartesiaUtterance *stalled = add (sched, "stalled", "ctx-2", T0);
  CartesiaUtterance *open = add (sched, "open", "ctx-3", T0);
  CartesiaUtterance *done = add (sched, "done", "ctx-4", T0);
  gint64 now = T0 + 3 * G_TIME_SPAN_SECOND;
  GArray *actions = cartesia_actions_new ();
  guint asked = 0;

  cartesia_utterance_heard (silent, T0);
  cartesia_utterance_heard (stalled, T0 + 2 * G_TIME_SPAN_SECOND);
  cartesia_utterance_first_audio (stalled, T0 + 2 * G_TIME_SPAN_SECOND, 0);
  cartesia_utterance_heard (open, T0);
  cartesia_utterance_heard (done, T0);
  cartesia_utterance_done (done);

  /* Both off: nothing asked, nothing to do. */
  cartesia_scheduler_check_timeouts (sched, now, 0, 0, open_hook, &asked,
      actions);
  assert_actions (actions, "");
  fail_unless_equals_int (asked, 0);

  /* timeout 2 s, stall-timeout-ms 500. */
  cartesia_scheduler_check_timeouts (sched, now, 2, 500, open_hook, &asked,
      actions);
  assert_actions (actions, "timed-out,timed-out");
  fail_unless_equals_int (asked, 4);
  fail_unless (action (actions, 0)->u == silent);
  fail_unless_equals_int64 (action (actions, 0)->received_at, now);
  fail_unless_equals_int (action (actions, 0)->timeout_s, 2);
  fail_unless_equals_int (action (actions, 0)->stall_ms, 0);
  fail_unless (action (actions, 1)->u == stalled);
  fail_unless_equals_int (action (actions, 1)->stall_ms, 500);
  /* The open one's silence counts from now. */
  fail_unless_equals_int64 (open->last_heard, now);
  /* Deciding changes no state: the adapter gives them up. */
  fail_unless_equals_int (silent->state, CARTESIA_UTTERANCE_REQUESTED);
  g_array_unref (actions);
  cartesia_scheduler_free (sched);
}

GST_END_TEST;

static Suite *
scheduler_events_suite (void)
{
  Suite *s = suite_create ("scheduler-events");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_audio);
  tcase_add_test (tc, test_audio_held);
  tcase_add_test (tc, test_words);
  tcase_add_test (tc, test_done);
  tcase_add_test (tc, test_done_fit);
  tcase_add_test (tc, test_error_connection);
  tcase_add_test (tc, test_error_context);
  tcase_add_test (tc, test_error_stream_lost);
  tcase_add_test (tc, test_error_refit);
  tcase_add_test (tc, test_late_output);
  tcase_add_test (tc, test_audio_before_taken_in);
  tcase_add_test (tc, test_player_finished);
  tcase_add_test (tc, test_player_clipped);
  tcase_add_test (tc, test_player_started_late);
  tcase_add_test (tc, test_interrupt_in_flight);
  tcase_add_test (tc, test_clear_while_draining);
  tcase_add_test (tc, test_timeout_races_done);
  tcase_add_test (tc, test_check_timeouts);
  tcase_add_test (tc, test_drop_waiting);
  tcase_add_test (tc, test_interrupt);
  tcase_add_test (tc, test_clear_waiting);
  tcase_add_test (tc, test_drop_from_sink);
  return s;
}

GST_CHECK_MAIN (scheduler_events);
