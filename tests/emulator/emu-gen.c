/* Chunking, pacing and fault injection shared by every endpoint. */
#include "emu-gen.h"

#include <string.h>

typedef enum
{
  GEN_ACTIVE,
  GEN_STALLED,                  /* still counts as active: it never ends */
  GEN_ENDED,                    /* done or error sent, dropped, or stopped */
} GenState;

typedef struct
{
  gchar *text;
  gboolean flush;
  gint64 arrival_us;
} Job;

struct _EmuGen
{
  CartesiaEmulator *emu;
  const EmuGenSink *sink;
  gpointer owner;
  EmuGenParams params;
  gchar *context_id;
  gchar *voice_id;              /* params.style's */
  EmuOptions opts;
  gboolean faulty;

  GQueue jobs;
  Job *job;                     /* the input being sent */
  GBytes *audio;                /* its audio */
  gsize offset;                 /* bytes of it already sent */
  guint64 context_samples;      /* samples of the inputs sent before */
  guint flush_id;
  gboolean final_seen;

  GenState state;
  guint chunks;
  gboolean delay_done;
  gint64 play_base_us;          /* realtime: when the audio started playing */
  gint64 next_due_us;           /* chunk-interval-ms: when the next may go */
  guint64 played_bytes;
  gint64 last_send_us;
  GSource *source;
  gint64 received_us;           /* when the request that started it arrived */

  /* managed buffering (websocket) */
  GString *held;                /* text not generated yet */
  gint64 held_since_us;         /* when its first input came */
  GSource *hold_source;
  /* context expiry (websocket) */
  GSource *expiry_source;
  gboolean expired;
};

static void gen_pump (EmuGen * gen);
static void gen_clear_timers (EmuGen * gen);

static void
job_free (Job * job)
{
  g_free (job->text);
  g_free (job);
}

EmuGen *
emu_gen_new (CartesiaEmulator * emu, const EmuGenParams * params,
    const EmuGenSink * sink, gpointer owner)
{
  EmuGen *gen = g_new0 (EmuGen, 1);
  CartesiaEmulatorStats *stats;

  gen->emu = emu;
  gen->sink = sink;
  gen->owner = owner;
  gen->params = *params;
  gen->context_id = g_strdup (params->context_id);
  gen->params.context_id = gen->context_id;
  gen->voice_id = g_strdup (params->style.voice_id);
  gen->params.style.voice_id = gen->voice_id;
  gen->flush_id = 1;
  g_queue_init (&gen->jobs);

  /* the endpoint recorded the request just before creating us */
  gen->received_us = emu_last_request_time (emu);
  if (gen->received_us == 0)
    gen->received_us = g_get_monotonic_time ();
  emu_snapshot_options (emu, &gen->opts);
  gen->faulty = emu_take_generation_fault (emu, &gen->opts);

  emu->active_generations++;
  stats = emu_stats_lock (emu);
  stats->contexts_started++;
  emu_stats_unlock (emu);
  return gen;
}

static void
gen_clear_source (EmuGen * gen)
{
  if (gen->source) {
    g_source_destroy (gen->source);
    g_clear_pointer (&gen->source, g_source_unref);
  }
}

/* Ends the generation for good: nothing is sent after this. */
static void
gen_end (EmuGen * gen)
{
  if (gen->state == GEN_ENDED)
    return;
  gen->state = GEN_ENDED;
  gen_clear_source (gen);
  gen_clear_timers (gen);
  g_assert (gen->emu->active_generations > 0);
  gen->emu->active_generations--;
}

void
emu_gen_stop (EmuGen * gen)
{
  gen_end (gen);
}

void
emu_gen_free (EmuGen * gen)
{
  if (gen == NULL)
    return;
  gen_end (gen);
  g_queue_clear_full (&gen->jobs, (GDestroyNotify) job_free);
  g_clear_pointer (&gen->job, job_free);
  g_clear_pointer (&gen->audio, g_bytes_unref);
  if (gen->held)
    g_string_free (gen->held, TRUE);
  emu_options_clear (&gen->opts);
  g_free (gen->context_id);
  g_free (gen->voice_id);
  g_free (gen);
}

gboolean
emu_gen_is_final (EmuGen * gen)
{
  return gen->final_seen;
}

gboolean
emu_gen_is_stalled (EmuGen * gen)
{
  return gen->state == GEN_STALLED;
}

const gchar *
emu_gen_get_context_id (EmuGen * gen)
{
  return gen->context_id;
}

gboolean
emu_gen_is_expired (EmuGen * gen)
{
  return gen->expired;
}

static void
destroy_source (GSource ** source)
{
  if (*source) {
    g_source_destroy (*source);
    g_clear_pointer (source, g_source_unref);
  }
}

static void
gen_clear_timers (EmuGen * gen)
{
  destroy_source (&gen->hold_source);
  destroy_source (&gen->expiry_source);
}

static GSource *
gen_timer (EmuGen * gen, gint64 due_us, GSourceFunc func)
{
  gint64 delay = MAX (due_us - g_get_monotonic_time (), 0);
  GSource *source = g_timeout_source_new ((guint) ((delay + 999) / 1000));

  g_source_set_callback (source, func, gen, NULL);
  g_source_attach (source, gen->emu->context);
  return source;
}

static void
gen_queue_job (EmuGen * gen, const gchar * text, gboolean flush,
    gint64 arrival_us)
{
  Job *job = g_new0 (Job, 1);

  job->text = g_strdup (text);
  job->flush = flush;
  job->arrival_us = arrival_us;
  g_queue_push_tail (&gen->jobs, job);
}

/* Where the last complete sentence of @text ends: after '.', '!', '?' (or
 * their CJK forms) followed by white space, which it takes, or by the end
 * of the text.  0: none. */
static gsize
last_sentence_end (const gchar * text)
{
  const gchar *p = text, *end = NULL;

  while (*p) {
    gunichar c = g_utf8_get_char (p);
    const gchar *next = g_utf8_next_char (p);

    if (c == '.' || c == '!' || c == '?' || c == 0x3002 || c == 0xFF01
        || c == 0xFF1F) {
      const gchar *q = next;

      while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
        q++;
      if (q > next || *q == '\0')
        end = q;
    }
    p = next;
  }
  return end ? (gsize) (end - text) : 0;
}

/* Everything held goes to generation (with @more appended). */
static void
gen_release_held (EmuGen * gen, const gchar * more, gboolean flush)
{
  g_autofree gchar *text = g_strconcat (gen->held ? gen->held->str : "",
      more ? more : "", NULL);
  gint64 since = gen->held && gen->held->len ? gen->held_since_us :
      g_get_monotonic_time ();

  destroy_source (&gen->hold_source);
  if (gen->held)
    g_string_truncate (gen->held, 0);
  gen_queue_job (gen, text, flush, since);
}

static gboolean
gen_hold_cb (gpointer data)
{
  EmuGen *gen = data;

  g_clear_pointer (&gen->hold_source, g_source_unref);
  emu_log (gen->emu, "context %s: buffer delay passed, generating",
      gen->context_id ? gen->context_id : "-");
  gen_release_held (gen, NULL, FALSE);
  gen_pump (gen);
  return G_SOURCE_REMOVE;
}

/* Managed buffering: the text waits for a complete sentence or the delay. */
static void
gen_hold (EmuGen * gen, const gchar * transcript, gint delay_ms)
{
  gint64 now = g_get_monotonic_time ();
  gsize end;

  if (gen->held == NULL)
    gen->held = g_string_new (NULL);
  if (gen->held->len == 0)
    gen->held_since_us = now;
  g_string_append (gen->held, transcript);
  end = last_sentence_end (gen->held->str);
  if (end > 0) {
    g_autofree gchar *sentences = g_strndup (gen->held->str, end);

    gen_queue_job (gen, sentences, FALSE, gen->held_since_us);
    g_string_erase (gen->held, 0, end);
    destroy_source (&gen->hold_source);
    gen->held_since_us = now;
  }
  if (gen->held->len > 0 && gen->hold_source == NULL)
    gen->hold_source = gen_timer (gen, gen->held_since_us
        + (gint64) delay_ms * 1000, gen_hold_cb);
}

void
emu_gen_push (EmuGen * gen, const gchar * transcript, gboolean flush,
    gboolean final, gint buffer_delay_ms)
{
  gint delay = buffer_delay_ms >= 0 ? buffer_delay_ms :
      EMU_DEFAULT_BUFFER_DELAY_MS;

  if (gen->state == GEN_ENDED)
    return;
  if (transcript == NULL)
    transcript = "";

  /* Input while idle: the context did not expire after all. */
  destroy_source (&gen->expiry_source);
  if (final)
    gen->final_seen = TRUE;
  if (!gen->params.websocket)
    gen_queue_job (gen, transcript, flush, g_get_monotonic_time ());
  else if (delay > 0 && !flush && !final)
    gen_hold (gen, transcript, delay);
  else
    /* with 0, the server answers each input with flush_done */
    gen_release_held (gen, transcript, flush || delay == 0);

  gen_pump (gen);
}

static gboolean
gen_expiry_cb (gpointer data)
{
  EmuGen *gen = data;

  g_clear_pointer (&gen->expiry_source, g_source_unref);
  emu_log (gen->emu, "context %s: expired, its last audio went out %u ms "
      "ago", gen->context_id, gen->opts.context_expiry_ms);
  gen->expired = TRUE;
  gen_end (gen);
  gen->sink->finished (gen, gen->owner);
  return G_SOURCE_REMOVE;
}

/* Nothing to send and the context still open: it expires
 * context-expiry-ms after its last audio went out, unless input comes. */
static void
gen_arm_expiry (EmuGen * gen)
{
  if (!gen->params.websocket || gen->final_seen || gen->last_send_us == 0
      || gen->expiry_source || (gen->held && gen->held->len > 0))
    return;
  gen->expiry_source = gen_timer (gen, gen->last_send_us
      + (gint64) gen->opts.context_expiry_ms * 1000, gen_expiry_cb);
}

static gboolean
gen_source_cb (gpointer data)
{
  EmuGen *gen = data;

  g_clear_pointer (&gen->source, g_source_unref);
  gen_pump (gen);
  return G_SOURCE_REMOVE;
}

static void
gen_schedule (EmuGen * gen, gint64 delay_us)
{
  guint ms = (guint) ((MAX (delay_us, 0) + 999) / 1000);

  gen->source = g_timeout_source_new (ms);
  g_source_set_callback (gen->source, gen_source_cb, gen, NULL);
  g_source_attach (gen->source, gen->emu->context);
}

/* ---- messages ---- */

static JsonObject *
gen_message_new (EmuGen * gen, const gchar * type, gboolean done)
{
  JsonObject *msg = json_object_new ();

  json_object_set_string_member (msg, "type", type);
  json_object_set_boolean_member (msg, "done", done);
  json_object_set_int_member (msg, "status_code", 206);
  if (gen->context_id)
    json_object_set_string_member (msg, "context_id", gen->context_id);
  return msg;
}

static void
gen_emit (EmuGen * gen, const gchar * type, JsonObject * msg, GBytes * audio)
{
  gen->sink->emit (gen, gen->owner, type, msg, audio);
  if (msg)
    json_object_unref (msg);
}

static void
gen_send_error (EmuGen * gen)
{
  EmuError error = { 0, };
  JsonObject *msg;

  emu_error_set_for_status (&error, gen->opts.error_status);
  g_free (error.title);
  error.title = g_strdup (gen->opts.error_title);
  g_free (error.message);
  error.message = g_strdup (gen->opts.error_message);

  msg = emu_error_message_new (&error, gen->params.structured_errors,
      gen->context_id, gen->params.websocket);
  emu_error_clear (&error);

  gen_end (gen);
  gen_emit (gen, "error", msg, NULL);
  gen->sink->finished (gen, gen->owner);
}

/* The injected faults fire once @gen has sent N chunks; returns TRUE when
 * one fired and nothing more may be sent. */
static gboolean
gen_check_faults (EmuGen * gen)
{
  const EmuOptions *o = &gen->opts;

  if (!gen->faulty)
    return FALSE;

  if (o->drop_after_chunks >= 0
      && gen->chunks >= (guint) o->drop_after_chunks) {
    emu_log (gen->emu, "context %s: dropping the connection after %u chunks",
        gen->context_id ? gen->context_id : "-", gen->chunks);
    gen_end (gen);
    gen->sink->drop (gen, gen->owner);
    return TRUE;
  }
  if (o->error_after_chunks >= 0
      && gen->chunks >= (guint) o->error_after_chunks) {
    gen_send_error (gen);
    return TRUE;
  }
  if (o->stall_after_chunks >= 0
      && gen->chunks >= (guint) o->stall_after_chunks) {
    emu_log (gen->emu, "context %s: stalling after %u chunks",
        gen->context_id ? gen->context_id : "-", gen->chunks);
    gen->state = GEN_STALLED;
    return TRUE;
  }
  return FALSE;
}

static guint
gen_byte_rate (EmuGen * gen)
{
  return gen->params.sample_rate
      * emu_encoding_sample_size (gen->params.encoding);
}

static gint64
gen_play_time_us (EmuGen * gen)
{
  return gen->play_base_us
      + (gint64) (gen->played_bytes * G_USEC_PER_SEC / gen_byte_rate (gen));
}

/* How long to wait before the next chunk may go out. */
static gint64
gen_chunk_wait_us (EmuGen * gen)
{
  gint64 now = g_get_monotonic_time ();

  if (!gen->delay_done && gen->opts.first_chunk_delay_ms > 0) {
    gint64 due = gen->job->arrival_us
        + (gint64) gen->opts.first_chunk_delay_ms * 1000;

    if (due > now)
      return due - now;
    gen->delay_done = TRUE;
  }
  if (gen->opts.chunk_interval_ms > 0 && gen->next_due_us != 0)
    return gen->next_due_us - now;
  if (gen->opts.pacing == EMU_PACING_REALTIME && gen->play_base_us != 0)
    return gen_play_time_us (gen) - now;
  return 0;
}

static void
gen_send_chunk (EmuGen * gen)
{
  gsize size = g_bytes_get_size (gen->audio);
  gsize n = MIN (gen->opts.chunk_bytes, size - gen->offset);
  g_autoptr (GBytes) piece = g_bytes_new_from_bytes (gen->audio, gen->offset,
      n);
  gint64 now = g_get_monotonic_time ();
  JsonObject *msg = NULL;
  CartesiaEmulatorStats *stats;
  gboolean first;
  gint64 due = 0;

  if (gen->params.json_events) {
    g_autofree gchar *b64 = g_base64_encode (g_bytes_get_data (piece, NULL),
        n);
    gint64 since = gen->last_send_us ? gen->last_send_us : gen->job->arrival_us;

    msg = gen_message_new (gen, "chunk", FALSE);
    json_object_set_string_member (msg, "data", b64);
    json_object_set_double_member (msg, "step_time", (now - since) / 1000.0);
    if (gen->params.flush_ids)
      json_object_set_int_member (msg, "flush_id", gen->flush_id);
  }

  /* paced: how late this chunk goes out against when it was due (a
   * context's first chunk has no due time) */
  if (gen->opts.chunk_interval_ms > 0 && gen->next_due_us != 0)
    due = gen->next_due_us;
  else if (gen->opts.chunk_interval_ms == 0
      && gen->opts.pacing == EMU_PACING_REALTIME && gen->play_base_us != 0)
    due = gen_play_time_us (gen);

  gen->offset += n;
  gen->played_bytes += n;
  gen->last_send_us = now;
  if (gen->play_base_us == 0)
    gen->play_base_us = now;
  if (gen->opts.chunk_interval_ms > 0) {
    /* each chunk an interval after the previous one was due, so that a
     * timer that fires late does not push the later ones back; after a
     * pause (no text to speak) the pace starts again from now */
    gint64 interval = (gint64) gen->opts.chunk_interval_ms * 1000;

    gen->next_due_us = (gen->next_due_us ? gen->next_due_us : now) + interval;
    if (gen->next_due_us <= now)
      gen->next_due_us = now + interval;
  }

  stats = emu_stats_lock (gen->emu);
  stats->chunks_sent++;
  stats->audio_bytes_sent += n;
  if (due > 0)
    emu_record_pacing_locked (gen->emu, now - due);
  emu_stats_unlock (gen->emu);

  first = gen->chunks++ == 0;
  if (first && gen->faulty && gen->opts.malformed != EMU_MALFORMED_NONE) {
    gen->sink->emit_malformed (gen, gen->owner, gen->opts.malformed, msg,
        piece);
    if (msg)
      json_object_unref (msg);
    return;
  }
  gen_emit (gen, "chunk", msg, piece);
  if (first)
    emu_record_timing (gen->emu, gen->context_id, gen->job->text,
        gen->received_us, g_get_monotonic_time ());
}

static void
gen_send_timestamps (EmuGen * gen)
{
  g_autoptr (GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) starts = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) ends = g_array_new (FALSE, FALSE, sizeof (gdouble));
  JsonObject *msg, *ts;
  JsonArray *w, *s, *e;
  guint i;

  emu_synth_words_styled (emu_synth_get_voice (), gen->job->text,
      gen->params.sample_rate, gen->context_samples, words, starts, ends,
      &gen->params.style);
  if (words->len == 0)
    return;

  w = json_array_new ();
  s = json_array_new ();
  e = json_array_new ();
  for (i = 0; i < words->len; i++) {
    json_array_add_string_element (w, g_ptr_array_index (words, i));
    json_array_add_double_element (s, g_array_index (starts, gdouble, i));
    json_array_add_double_element (e, g_array_index (ends, gdouble, i));
  }
  ts = json_object_new ();
  json_object_set_array_member (ts, "words", w);
  json_object_set_array_member (ts, "start", s);
  json_object_set_array_member (ts, "end", e);

  msg = gen_message_new (gen, "timestamps", FALSE);
  if (gen->params.flush_ids)
    json_object_set_int_member (msg, "flush_id", gen->flush_id);
  json_object_set_object_member (msg, "word_timestamps", ts);
  gen_emit (gen, "timestamps", msg, NULL);
}

/* The emulator's "phonemes" are the letters and digits of each word, each
 * timed as its share of the word (with the synthetic voice: exactly the
 * character's tone). */
static void
gen_send_phonemes (EmuGen * gen)
{
  g_autoptr (GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) starts = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) ends = g_array_new (FALSE, FALSE, sizeof (gdouble));
  JsonArray *p, *s, *e;
  JsonObject *msg, *ts;
  guint i;

  emu_synth_words_styled (emu_synth_get_voice (), gen->job->text,
      gen->params.sample_rate, gen->context_samples, words, starts, ends,
      &gen->params.style);
  if (words->len == 0)
    return;
  p = json_array_new ();
  s = json_array_new ();
  e = json_array_new ();
  for (i = 0; i < words->len; i++) {
    const gchar *word = g_ptr_array_index (words, i), *c;
    gdouble start = g_array_index (starts, gdouble, i);
    gdouble span = g_array_index (ends, gdouble, i) - start;
    glong n = g_utf8_strlen (word, -1), k = 0;

    for (c = word; *c; c = g_utf8_next_char (c), k++) {
      gunichar u = g_utf8_get_char (c);
      gchar buf[8] = { 0 };

      if (!g_unichar_isalnum (u))
        continue;
      g_unichar_to_utf8 (g_unichar_tolower (u), buf);
      json_array_add_string_element (p, buf);
      json_array_add_double_element (s, start + span * k / n);
      json_array_add_double_element (e, start + span * (k + 1) / n);
    }
  }
  ts = json_object_new ();
  json_object_set_array_member (ts, "phonemes", p);
  json_object_set_array_member (ts, "start", s);
  json_object_set_array_member (ts, "end", e);
  msg = gen_message_new (gen, "phoneme_timestamps", FALSE);
  if (gen->params.flush_ids)
    json_object_set_int_member (msg, "flush_id", gen->flush_id);
  json_object_set_object_member (msg, "phoneme_timestamps", ts);
  gen_emit (gen, "phoneme_timestamps", msg, NULL);
}

static void
gen_send_flush_done (EmuGen * gen)
{
  JsonObject *msg = gen_message_new (gen, "flush_done", FALSE);

  json_object_set_boolean_member (msg, "flush_done", TRUE);
  json_object_set_int_member (msg, "flush_id", gen->flush_id);
  gen->flush_id++;
  gen_emit (gen, "flush_done", msg, NULL);
}

static void
gen_send_done (EmuGen * gen)
{
  CartesiaEmulatorStats *stats;

  /* a fault whose chunk count was reached exactly at the end still fires */
  if (gen_check_faults (gen))
    return;

  gen_end (gen);
  /* Counted before it is sent: a client that has seen "done" may read the
   * stats at once. */
  stats = emu_stats_lock (gen->emu);
  stats->contexts_done++;
  emu_stats_unlock (gen->emu);
  if (gen->params.json_events)
    gen_emit (gen, "done", gen_message_new (gen, "done", TRUE), NULL);
  gen->sink->finished (gen, gen->owner);
}

/* The text to speak: Sonic's inline tags, when whole, are instructions, not
 * words.  A tag cut in two by the client is no tag: it is read aloud. */
static gchar *
spoken_text (const gchar * text)
{
  static const gchar *const tags[] = { "break", "emotion", "speed", "volume",
    "spell", "/spell", NULL
  };
  GString *out = g_string_new (NULL);
  const gchar *p = text;

  while (*p) {
    const gchar *close;
    gboolean tag = FALSE;
    guint i;

    if (*p == '<' && (close = strchr (p, '>')) != NULL) {
      for (i = 0; tags[i]; i++) {
        gsize n = strlen (tags[i]);

        if (strncmp (p + 1, tags[i], n) == 0 && (p[1 + n] == '>'
                || p[1 + n] == ' ' || p[1 + n] == '/'))
          tag = TRUE;
      }
      if (tag) {
        p = close + 1;
        continue;
      }
    }
    g_string_append_c (out, *p);
    p++;
  }
  return g_string_free (out, FALSE);
}

/* Takes the next input and renders it; FALSE when there is none. */
static gboolean
gen_next_job (EmuGen * gen)
{
  gchar *spoken;
  gint64 now;

  gen->job = g_queue_pop_head (&gen->jobs);
  if (gen->job == NULL)
    return FALSE;

  emu_record_generation (gen->emu, gen->context_id, gen->job->text,
      gen->job->arrival_us, g_get_monotonic_time ());
  spoken = spoken_text (gen->job->text);
  g_free (gen->job->text);
  gen->job->text = spoken;
  gen->audio = emu_synth_render_styled (emu_synth_get_voice (),
      gen->job->text, gen->params.encoding, gen->params.sample_rate,
      &gen->params.style);
  gen->offset = 0;

  /* realtime: an input that arrives after the audio ran out starts playing
   * now, not in the past */
  now = g_get_monotonic_time ();
  if (gen->play_base_us != 0 && gen_play_time_us (gen) < now)
    gen->play_base_us = now
        - (gint64) (gen->played_bytes * G_USEC_PER_SEC / gen_byte_rate (gen));
  return TRUE;
}

static void
gen_finish_job (EmuGen * gen)
{
  gsize size = g_bytes_get_size (gen->audio);

  if (gen->params.json_events && gen->params.add_timestamps)
    gen_send_timestamps (gen);
  if (gen->params.json_events && gen->params.add_phoneme_timestamps)
    gen_send_phonemes (gen);
  gen->context_samples +=
      size / emu_encoding_sample_size (gen->params.encoding);
  if (gen->params.json_events && gen->job->flush && gen->params.flush_ids)
    gen_send_flush_done (gen);

  g_clear_pointer (&gen->job, job_free);
  g_clear_pointer (&gen->audio, g_bytes_unref);
}

/* Sends what is due.  One chunk per main-loop iteration, so that contexts
 * sharing a socket interleave and cancel messages get a chance to land. */
static void
gen_pump (EmuGen * gen)
{
  while (gen->state == GEN_ACTIVE && gen->source == NULL) {
    gint64 wait;

    if (gen->job == NULL && !gen_next_job (gen)) {
      if (gen->final_seen && (gen->held == NULL || gen->held->len == 0))
        gen_send_done (gen);
      else
        gen_arm_expiry (gen);
      return;
    }
    if (gen->offset >= g_bytes_get_size (gen->audio)) {
      gen_finish_job (gen);
      continue;
    }

    wait = gen_chunk_wait_us (gen);
    if (wait > 0) {
      gen_schedule (gen, wait);
      return;
    }
    if (gen_check_faults (gen))
      return;
    gen_send_chunk (gen);
    if (gen->state == GEN_ACTIVE)
      gen_schedule (gen, 0);
    return;
  }
}
