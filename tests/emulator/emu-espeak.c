/* The emulator's "espeak" voice: libespeak-ng, one fresh helper process per
 * synthesis (see emu-espeak.h for why).
 *
 * The helper is the running executable itself: the parent starts
 * /proc/self/exe with HELPER_ENV set, and a constructor in this file notices
 * the variable before main() runs, speaks the text it reads on stdin, writes
 * the samples and word marks on stdout and exits.  Every program that links
 * the emulator library (cartesia-emulator, the test suites, the benchmarks)
 * can therefore be its own helper, built and installed with nothing else. */
#include "emu-espeak.h"

#include <gio/gio.h>
#include <string.h>

#define HELPER_ENV "CARTESIA_EMULATOR_ESPEAK_HELPER"
/* "voice rate volume", for the helper */
#define STYLE_ENV "CARTESIA_EMULATOR_ESPEAK_STYLE"
#define WIRE_MAGIC "EMUESPK1"
#define CACHE_SIZE 16

/* What the helper writes: a header, the message (status != 0) or the
 * samples, then the marks.  Both ends are the same binary, so host byte
 * order and layout are fine. */
typedef struct
{
  gchar magic[8];
  gint32 status;                /* 0: spoke */
  guint32 rate;
  guint64 n_samples;
  guint32 n_marks;
  guint32 message_size;
} WireHeader;

typedef struct
{
  guint32 type;
  guint32 text_offset;
  guint32 length;
  guint32 reserved;
  guint64 sample;
} WireMark;

G_STATIC_ASSERT (sizeof (WireMark) == 24);

#ifdef HAVE_ESPEAK

#include <espeak-ng/espeak_ng.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define VOICE_NAME "en-us"
#define VOICE_RATE 175          /* words per minute, espeak's default */

/* ---- the helper: plain libc, it lives only for one text ---- */

static struct
{
  gint16 *samples;
  size_t n_samples, samples_cap;
  WireMark *marks;
  size_t n_marks, marks_cap;
  int rate;
  gboolean out_of_memory;
} helper;

static gboolean
helper_grow (void **data, size_t * cap, size_t need, size_t item)
{
  size_t cap2 = *cap ? *cap : 4096;
  void *p;

  if (need <= *cap)
    return TRUE;
  while (cap2 < need)
    cap2 *= 2;
  p = realloc (*data, cap2 * item);
  if (p == NULL)
    return FALSE;
  *data = p;
  *cap = cap2;
  return TRUE;
}

static void
helper_add_mark (guint32 type, const espeak_EVENT * event)
{
  WireMark *m;

  if (!helper_grow ((void **) &helper.marks, &helper.marks_cap,
          helper.n_marks + 1, sizeof (WireMark))) {
    helper.out_of_memory = TRUE;
    return;
  }
  m = &helper.marks[helper.n_marks++];
  memset (m, 0, sizeof (*m));
  m->type = type;
  /* espeak counts characters from 1 */
  m->text_offset = event->text_position > 0 ? event->text_position - 1 : 0;
  m->length = event->length > 0 ? event->length : 0;
  m->sample = (guint64) MAX (event->audio_position, 0) * helper.rate / 1000;
}

static int
helper_synth_cb (short *wav, int n, espeak_EVENT * events)
{
  if (wav != NULL && n > 0) {
    if (!helper_grow ((void **) &helper.samples, &helper.samples_cap,
            helper.n_samples + n, sizeof (gint16))) {
      helper.out_of_memory = TRUE;
      return 1;
    }
    memcpy (helper.samples + helper.n_samples, wav, n * sizeof (gint16));
    helper.n_samples += n;
  }
  for (; events && events->type != espeakEVENT_LIST_TERMINATED; events++) {
    if (events->type == espeakEVENT_WORD)
      helper_add_mark (EMU_ESPEAK_MARK_WORD, events);
    else if (events->type == espeakEVENT_END
        || events->type == espeakEVENT_MSG_TERMINATED)
      helper_add_mark (EMU_ESPEAK_MARK_END, events);
  }
  return 0;
}

static gboolean
helper_write (const void *data, size_t size)
{
  const char *p = data;

  while (size > 0) {
    ssize_t n = write (STDOUT_FILENO, p, size);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    p += n;
    size -= n;
  }
  return TRUE;
}

static char *
helper_read_stdin (size_t * size)
{
  char *text = NULL;
  size_t cap = 0, len = 0;

  for (;;) {
    ssize_t n;

    if (!helper_grow ((void **) &text, &cap, len + 4097, 1))
      return NULL;
    n = read (STDIN_FILENO, text + len, 4096);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return NULL;
    if (n == 0)
      break;
    len += n;
  }
  text[len] = '\0';
  *size = len;
  return text;
}

static espeak_ng_STATUS
helper_speak (const char *text, size_t size)
{
  espeak_ng_ERROR_CONTEXT context = NULL;
  espeak_ng_STATUS status;
  const char *style = getenv (STYLE_ENV);
  char voice[64] = VOICE_NAME;
  int rate = VOICE_RATE, volume = 100;

  if (style)
    sscanf (style, "%63s %d %d", voice, &rate, &volume);

  espeak_ng_InitializePath (NULL);
  status = espeak_ng_Initialize (&context);
  if (context)
    espeak_ng_ClearErrorContext (&context);
  if (status != ENS_OK)
    return status;
  status = espeak_ng_InitializeOutput (ENOUTPUT_MODE_SYNCHRONOUS, 0, NULL);
  if (status != ENS_OK)
    return status;
  helper.rate = espeak_ng_GetSampleRate ();
  espeak_SetSynthCallback (helper_synth_cb);
  status = espeak_ng_SetVoiceByName (voice);
  if (status != ENS_OK)
    return status;
  status = espeak_ng_SetParameter (espeakRATE, rate, 0);
  if (status != ENS_OK)
    return status;
  status = espeak_ng_SetParameter (espeakVOLUME, volume, 0);
  if (status != ENS_OK)
    return status;
  /* not plain text markup: a transcript is spoken as written */
  return espeak_ng_Synthesize (text, size + 1, 0, POS_CHARACTER, 0,
      espeakCHARS_UTF8, NULL, NULL);
}

static void
helper_main (void)
{
  WireHeader header = { {0}, 0, };
  char message[256] = "";
  espeak_ng_STATUS status = ENS_OK;
  size_t size = 0;
  char *text;

  /* espeak may use rand(); a fresh process starts from the same seed
   * anyway, this only makes it explicit */
  srand (1);
  memcpy (header.magic, WIRE_MAGIC, sizeof (header.magic));
  text = helper_read_stdin (&size);
  if (text == NULL)
    snprintf (message, sizeof (message), "cannot read the text");
  else if ((status = helper_speak (text, size)) != ENS_OK)
    espeak_ng_GetStatusCodeMessage (status, message, sizeof (message));
  else if (helper.out_of_memory)
    snprintf (message, sizeof (message), "out of memory");

  header.status = message[0] ? 1 : 0;
  header.rate = helper.rate;
  if (header.status == 0) {
    header.n_samples = helper.n_samples;
    header.n_marks = helper.n_marks;
  } else {
    header.message_size = strlen (message);
  }
  if (!helper_write (&header, sizeof (header))
      || !helper_write (message, header.message_size)
      || !helper_write (helper.samples, header.n_samples * sizeof (gint16))
      || !helper_write (helper.marks, header.n_marks * sizeof (WireMark)))
    _exit (2);
  /* no atexit handlers, no leak report: this process did one job */
  _exit (0);
}

/* Runs before main(): in a helper process, nothing else must happen. */
__attribute__((constructor))
static void
helper_check (void)
{
  const char *v = getenv (HELPER_ENV);

  if (v != NULL && strcmp (v, "1") == 0) {
    unsetenv (HELPER_ENV);
    helper_main ();
  }
}

#endif /* HAVE_ESPEAK */

/* ---- the parent ---- */

typedef struct
{
  EmuEspeakSpeech pub;
  gint ref;
  gint16 *samples;
  EmuEspeakMark *marks;
} Speech;

EmuEspeakSpeech *
emu_espeak_speech_ref (EmuEspeakSpeech * speech)
{
  g_atomic_int_inc (&((Speech *) speech)->ref);
  return speech;
}

void
emu_espeak_speech_unref (EmuEspeakSpeech * speech)
{
  Speech *s = (Speech *) speech;

  if (s == NULL || !g_atomic_int_dec_and_test (&s->ref))
    return;
  g_free (s->samples);
  g_free (s->marks);
  g_free (s);
}

#ifdef HAVE_ESPEAK

typedef struct
{
  gchar *text;
  EmuEspeakSpeech *speech;
} CacheEntry;

static GMutex speak_lock;       /* one synthesis at a time; the cache */
static GQueue cache = G_QUEUE_INIT;     /* CacheEntry, most recent first */
static gint check_state;        /* 0 unknown, 1 speaks, 2 cannot */
static gchar *check_message;

static void
cache_entry_free (CacheEntry * entry)
{
  g_free (entry->text);
  emu_espeak_speech_unref (entry->speech);
  g_free (entry);
}

static gboolean
parse_failed (GError ** error, const gchar * what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
      "espeak-ng helper: %s", what);
  return FALSE;
}

static EmuEspeakSpeech *
speech_from_wire (GBytes * output, GError ** error)
{
  gsize size, need;
  const guint8 *data = g_bytes_get_data (output, &size);
  WireHeader header;
  const guint8 *p;
  Speech *s;
  guint i;

  if (data == NULL || size < sizeof (header)) {
    parse_failed (error, "no answer");
    return NULL;
  }
  memcpy (&header, data, sizeof (header));
  p = data + sizeof (header);
  if (memcmp (header.magic, WIRE_MAGIC, sizeof (header.magic)) != 0) {
    parse_failed (error, "not a helper answer");
    return NULL;
  }
  if (header.status != 0) {
    gsize n = MIN (header.message_size, size - sizeof (header));

    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "libespeak-ng cannot speak: %.*s", (int) n, (const gchar *) p);
    return NULL;
  }
  need = sizeof (header) + header.n_samples * sizeof (gint16)
      + (gsize) header.n_marks * sizeof (WireMark);
  if (header.n_samples > G_MAXSIZE / 4 || need != size || header.rate == 0) {
    parse_failed (error, "truncated answer");
    return NULL;
  }

  s = g_new0 (Speech, 1);
  s->ref = 1;
  s->samples = g_memdup2 (p, header.n_samples * sizeof (gint16));
  p += header.n_samples * sizeof (gint16);
  s->marks = g_new0 (EmuEspeakMark, MAX (header.n_marks, 1));
  for (i = 0; i < header.n_marks; i++, p += sizeof (WireMark)) {
    WireMark m;

    memcpy (&m, p, sizeof (m));
    s->marks[i].type = m.type == EMU_ESPEAK_MARK_WORD ? EMU_ESPEAK_MARK_WORD
        : EMU_ESPEAK_MARK_END;
    s->marks[i].text_offset = m.text_offset;
    s->marks[i].length = m.length;
    s->marks[i].sample = MIN (m.sample, header.n_samples);
  }
  s->pub.rate = header.rate;
  s->pub.n_samples = header.n_samples;
  s->pub.samples = s->samples;
  s->pub.n_marks = header.n_marks;
  s->pub.marks = s->marks;
  return &s->pub;
}

static EmuEspeakSpeech *
synthesize (const gchar * text, const gchar * style, GError ** error)
{
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
      G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GSubprocess) helper_proc = NULL;
  g_autoptr (GBytes) input = g_bytes_new (text, strlen (text));
  g_autoptr (GBytes) output = NULL;

  g_subprocess_launcher_setenv (launcher, HELPER_ENV, "1", TRUE);
  g_subprocess_launcher_setenv (launcher, STYLE_ENV, style, TRUE);
  helper_proc = g_subprocess_launcher_spawn (launcher, error,
      "/proc/self/exe", NULL);
  if (helper_proc == NULL)
    return NULL;
  if (!g_subprocess_communicate (helper_proc, input, NULL, &output, NULL,
          error))
    return NULL;
  if (!g_subprocess_get_if_exited (helper_proc)
      || g_subprocess_get_exit_status (helper_proc) != 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "the espeak-ng helper process failed");
    return NULL;
  }
  return speech_from_wire (output, error);
}

/* Called with speak_lock held. */
static EmuEspeakSpeech *
speak_locked (const gchar * text, const EmuEspeakStyle * style,
    GError ** error)
{
  g_autofree gchar *style_text = g_strdup_printf ("%s %u %u",
      style && style->voice ? style->voice : VOICE_NAME,
      style && style->rate ? style->rate : VOICE_RATE,
      style && style->volume ? style->volume : 100);
  g_autofree gchar *key = g_strconcat (style_text, "\n", text, NULL);
  EmuEspeakSpeech *speech;
  CacheEntry *entry;
  GList *l;

  for (l = cache.head; l; l = l->next) {
    entry = l->data;
    if (g_str_equal (entry->text, key)) {
      g_queue_unlink (&cache, l);
      g_queue_push_head_link (&cache, l);
      return emu_espeak_speech_ref (entry->speech);
    }
  }

  speech = synthesize (text, style_text, error);
  if (speech == NULL)
    return NULL;
  entry = g_new0 (CacheEntry, 1);
  entry->text = g_steal_pointer (&key);
  entry->speech = emu_espeak_speech_ref (speech);
  g_queue_push_head (&cache, entry);
  while (cache.length > CACHE_SIZE)
    cache_entry_free (g_queue_pop_tail (&cache));
  return speech;
}

gboolean
emu_espeak_check (GError ** error)
{
  gboolean ok;

  g_mutex_lock (&speak_lock);
  if (check_state == 0) {
    g_autoptr (GError) probe_error = NULL;
    g_autoptr (EmuEspeakSpeech) speech = speak_locked ("", NULL,
        &probe_error);

    check_state = speech ? 1 : 2;
    if (speech == NULL)
      check_message = g_strdup (probe_error->message);
  }
  ok = check_state == 1;
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
        "voice 'espeak' is not available: %s", check_message);
  g_mutex_unlock (&speak_lock);
  return ok;
}

EmuEspeakSpeech *
emu_espeak_speak_styled (const gchar * text, const EmuEspeakStyle * style,
    GError ** error)
{
  EmuEspeakSpeech *speech;

  g_return_val_if_fail (text != NULL, NULL);

  g_mutex_lock (&speak_lock);
  speech = speak_locked (text, style, error);
  g_mutex_unlock (&speak_lock);
  return speech;
}

EmuEspeakSpeech *
emu_espeak_speak (const gchar * text, GError ** error)
{
  return emu_espeak_speak_styled (text, NULL, error);
}

#else /* !HAVE_ESPEAK */

static gboolean
not_built (GError ** error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
      "voice 'espeak' is not available: cartesia-emulator was built without "
      "libespeak-ng (install libespeak-ng-dev and reconfigure)");
  return FALSE;
}

gboolean
emu_espeak_check (GError ** error)
{
  return not_built (error);
}

EmuEspeakSpeech *
emu_espeak_speak (const gchar * text, GError ** error)
{
  not_built (error);
  return NULL;
}

EmuEspeakSpeech *
emu_espeak_speak_styled (const gchar * text, const EmuEspeakStyle * style,
    GError ** error)
{
  not_built (error);
  return NULL;
}

#endif /* HAVE_ESPEAK */
