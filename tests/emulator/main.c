/* cartesia-emulator: run the emulator as a program.
 *
 *   cartesia-emulator [--host H] [--port N] [--api-key KEY]
 *       [--tls | --tls-cert FILE --tls-key FILE] [--OPTION=VALUE...]
 *   cartesia-emulator --render TEXT [--encoding E] [--sample-rate R] [--voice V]
 *
 * Prints the base URL as the first line on stdout (with --tls, the path of
 * the CA file to trust as the second), logs to stderr and runs until SIGINT
 * or SIGTERM.  Speaks through libespeak-ng when built with it
 * (--voice=synthetic for the library's tones). */
#include <glib.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

#include "cartesia-emulator.h"
#include "emu-options.h"
#include "emu-synth.h"

typedef struct
{
  GPtrArray *names;
  GPtrArray *values;
  EmuOptions check;             /* validates values while parsing */
} OptionList;

static OptionList pending;

static gboolean
collect_option (const gchar * option_name, const gchar * value,
    gpointer data, GError ** error)
{
  const gchar *name = option_name;

  while (*name == '-')
    name++;
  if (!emu_options_set (&pending.check, name, value, error))
    return FALSE;
  g_ptr_array_add (pending.names, g_strdup (name));
  g_ptr_array_add (pending.values, g_strdup (value));
  return TRUE;
}

/* One GOptionEntry per emulator option, so that --help lists them all. */
static GOptionEntry *
make_option_entries (void)
{
  guint n, i;
  const EmuOptionInfo *infos = emu_options_list (&n);
  GOptionEntry *entries = g_new0 (GOptionEntry, n + 1);

  for (i = 0; i < n; i++) {
    entries[i].long_name = infos[i].name;
    entries[i].arg = G_OPTION_ARG_CALLBACK;
    entries[i].arg_data = (gpointer) collect_option;
    entries[i].description = infos[i].help;
    entries[i].arg_description = infos[i].arg;
  }
  return entries;
}

static gboolean
voice_was_given (void)
{
  guint i;

  for (i = 0; i < pending.names->len; i++) {
    if (g_str_equal (g_ptr_array_index (pending.names, i), "voice"))
      return TRUE;
  }
  return FALSE;
}

/* The program speaks real words when it can: --voice, else espeak when it
 * works here, else the synthetic tones.  Returns why espeak is not used when
 * it was not asked for and cannot be, else NULL. */
static gchar *
choose_voice (void)
{
  g_autoptr (GError) error = NULL;
  EmuVoice voice = EMU_VOICE_ESPEAK;

  if (voice_was_given ())
    voice = pending.check.voice;        /* validated while parsing */
  else if (!emu_voice_check (EMU_VOICE_ESPEAK, &error))
    voice = EMU_VOICE_SYNTHETIC;
  /* the emulator's options and --render start from the default */
  emu_synth_set_default_voice (voice);
  return error ? g_strdup (error->message) : NULL;
}

static gboolean
write_all (const guint8 * data, gsize size)
{
  return fwrite (data, 1, size, stdout) == size && fflush (stdout) == 0;
}

/* @style: what a request would ask of the voice (voice id, speed,
 * volume), as a generation renders it. */
static int
render (const gchar * text, const gchar * encoding, gint sample_rate,
    const EmuStyle * style)
{
  g_autoptr (GBytes) audio = NULL;
  EmuEncoding enc;

  if (!emu_encoding_from_string (encoding, &enc) || sample_rate <= 0
      || !emu_sample_rate_is_valid (sample_rate)) {
    g_printerr ("cartesia-emulator: unsupported encoding %s or sample rate "
        "%d\n", encoding, sample_rate);
    return 2;
  }
  audio = emu_synth_render_styled (emu_synth_get_default_voice (), text, enc,
      sample_rate, style);
  return write_all (g_bytes_get_data (audio, NULL),
      g_bytes_get_size (audio)) ? 0 : 1;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  gchar *host;
  gboolean tls;
  gchar *tls_cert;
  gchar *tls_key;
  gchar *tls_dir;               /* --tls: the throwaway certificate's */
} ListenOptions;

static ListenOptions listen_options;

/* The certificate to serve, or NULL for plain http; FALSE on error. */
static gboolean
load_certificate (GTlsCertificate ** cert, gchar ** ca_file, GError ** error)
{
  g_autofree gchar *cert_file = NULL;
  g_autofree gchar *key_file = NULL;
  ListenOptions *o = &listen_options;

  *cert = NULL;
  *ca_file = NULL;
  if ((o->tls_cert == NULL) != (o->tls_key == NULL)) {
    g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--tls-cert and --tls-key go together");
    return FALSE;
  }
  if (o->tls_cert) {
    cert_file = g_strdup (o->tls_cert);
    key_file = g_strdup (o->tls_key);
  } else if (o->tls) {
    /* The machine's own name too: a client behind a proxy cannot name a
     * loopback address (it would connect directly). */
    const gchar *hosts[] = { "localhost", "127.0.0.1", "::1",
      g_get_host_name (), o->host, NULL
    };

    o->tls_dir = g_dir_make_tmp ("cartesia-emulator-XXXXXX", error);
    if (o->tls_dir == NULL
        || !cartesia_emulator_make_certificate (o->tls_dir, hosts, error))
      return FALSE;
    cert_file = g_build_filename (o->tls_dir, "cert.pem", NULL);
    key_file = g_build_filename (o->tls_dir, "key.pem", NULL);
    *ca_file = g_build_filename (o->tls_dir, "ca.pem", NULL);
  } else {
    return TRUE;
  }
  *cert = g_tls_certificate_new_from_files (cert_file, key_file, error);
  return *cert != NULL;
}

static void
remove_throwaway_certificate (void)
{
  static const gchar *const files[] = { "ca.pem", "ca.key", "cert.pem",
    "key.pem", "server.csr", "server.ext"
  };
  guint i;

  if (listen_options.tls_dir == NULL)
    return;
  for (i = 0; i < G_N_ELEMENTS (files); i++) {
    g_autofree gchar *path = g_build_filename (listen_options.tls_dir,
        files[i], NULL);

    g_remove (path);
  }
  g_rmdir (listen_options.tls_dir);
  g_clear_pointer (&listen_options.tls_dir, g_free);
}

static int
serve (const gchar * api_key, gint port, const gchar * voice_note)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GTlsCertificate) cert = NULL;
  g_autofree gchar *ca_file = NULL;
  CartesiaEmulatorListen listen = { listen_options.host, NULL };
  CartesiaEmulator *emu;
  guint i, sigint, sigterm;

  if (!load_certificate (&cert, &ca_file, &error)) {
    g_printerr ("cartesia-emulator: %s\n", error->message);
    remove_throwaway_certificate ();
    return 1;
  }
  listen.tls_certificate = cert;
  emu = cartesia_emulator_new_full (api_key, port, &listen, &error);
  if (emu == NULL) {
    g_printerr ("cartesia-emulator: %s\n", error->message);
    remove_throwaway_certificate ();
    return 1;
  }
  cartesia_emulator_set_logging (emu, TRUE);
  for (i = 0; i < pending.names->len; i++) {
    /* already validated while parsing */
    cartesia_emulator_set_option (emu, g_ptr_array_index (pending.names, i),
        g_ptr_array_index (pending.values, i), NULL);
  }

  /* Before the URL is announced: whoever reads it may stop us at once. */
  sigint = g_unix_signal_add (SIGINT, quit_cb, loop);
  sigterm = g_unix_signal_add (SIGTERM, quit_cb, loop);

  printf ("%s\n", cartesia_emulator_get_base_url (emu));
  if (ca_file)
    printf ("%s\n", ca_file);
  fflush (stdout);
  if (ca_file)
    g_printerr ("cartesia-emulator: TLS with a throwaway certificate; trust "
        "its CA with ssl-ca-file=%s (NODE_EXTRA_CA_CERTS=%s for Node)\n",
        ca_file, ca_file);
  g_printerr ("cartesia-emulator: listening on %s (%s, voice %s)\n",
      cartesia_emulator_get_base_url (emu),
      api_key ? "one API key accepted" : "any API key accepted",
      emu_voice_to_string (emu_synth_get_default_voice ()));
  if (voice_note)
    g_printerr ("cartesia-emulator: %s\n", voice_note);

  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  g_printerr ("cartesia-emulator: shutting down\n");
  cartesia_emulator_free (emu);
  remove_throwaway_certificate ();
  return 0;
}

int
main (int argc, char **argv)
{
  gint port = 0, sample_rate = 44100;
  g_autofree gchar *api_key = NULL;
  g_autofree gchar *render_text = NULL;
  g_autofree gchar *encoding = NULL;
  g_autofree gchar *voice_note = NULL;
  g_autofree gchar *voice_id = NULL;
  gdouble speed = 0.0, volume = 0.0;
  g_autofree GOptionEntry *emu_entries = make_option_entries ();
  GOptionEntry main_entries[] = {
    {"port", 'p', 0, G_OPTION_ARG_INT, &port,
        "Port to listen on (default 0: a free port)", "N"},
    {"host", 0, 0, G_OPTION_ARG_STRING, &listen_options.host,
          "Loopback address to listen on: 127.0.0.1 (default), ::1 or "
          "localhost", "HOST"},
    {"tls", 0, 0, G_OPTION_ARG_NONE, &listen_options.tls,
          "Serve https and wss with a throwaway certificate; its CA file's "
          "path is the second line on stdout (needs the openssl program)",
        NULL},
    {"tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &listen_options.tls_cert,
        "Serve https and wss with this PEM certificate (with --tls-key)", "FILE"},
    {"tls-key", 0, 0, G_OPTION_ARG_FILENAME, &listen_options.tls_key,
        "The PEM private key of --tls-cert", "FILE"},
    {"api-key", 'k', 0, G_OPTION_ARG_STRING, &api_key,
          "The only API key accepted (default: $CARTESIA_EMULATOR_API_KEY, "
          "else any non-empty key)", "KEY"},
    {"render", 0, 0, G_OPTION_ARG_STRING, &render_text,
          "Write the audio the emulator speaks for TEXT (with --voice) to "
          "stdout and exit", "TEXT"},
    {"encoding", 0, 0, G_OPTION_ARG_STRING, &encoding,
        "Encoding for --render (default pcm_s16le)", "E"},
    {"sample-rate", 0, 0, G_OPTION_ARG_INT, &sample_rate,
        "Sample rate for --render (default 44100)", "R"},
    {"voice-id", 0, 0, G_OPTION_ARG_STRING, &voice_id,
          "For --render: the request's voice id (the espeak voice gives a "
          "UUID one of four voices)", "ID"},
    {"speed", 0, 0, G_OPTION_ARG_DOUBLE, &speed,
        "For --render: the request's generation_config.speed", "S"},
    {"volume", 0, 0, G_OPTION_ARG_DOUBLE, &volume,
        "For --render: the request's generation_config.volume", "V"},
    {NULL}
  };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  int ret;

  pending.names = g_ptr_array_new_with_free_func (g_free);
  pending.values = g_ptr_array_new_with_free_func (g_free);
  emu_options_init (&pending.check);

  context = g_option_context_new ("- a local emulator of the Cartesia TTS "
      "API");
  g_option_context_set_summary (context,
      "Serves GET /tts/websocket, POST /tts/sse, POST /tts/bytes and GET / "
      "on 127.0.0.1\n(or --host), over TLS with --tls.  Prints the base URL as the first line on stdout, logs "
      "one line per request\nor connection on stderr, and runs until SIGINT "
      "or SIGTERM.");
  /* every emulator option shows up in plain --help */
  g_option_context_add_main_entries (context, main_entries, NULL);
  g_option_context_add_main_entries (context, emu_entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("cartesia-emulator: %s\n", error->message);
    return 2;
  }
  if (port < 0 || port > 65535) {
    g_printerr ("cartesia-emulator: invalid port %d\n", port);
    return 2;
  }

  voice_note = choose_voice ();
  if (render_text) {
    EmuStyle style = { voice_id, speed, volume };

    ret = render (render_text, encoding ? encoding : "pcm_s16le",
        sample_rate, &style);
  } else
    ret = serve (api_key ? api_key : g_getenv ("CARTESIA_EMULATOR_API_KEY"),
        port, voice_note);

  emu_options_clear (&pending.check);
  g_free (listen_options.host);
  g_free (listen_options.tls_cert);
  g_free (listen_options.tls_key);
  g_ptr_array_unref (pending.names);
  g_ptr_array_unref (pending.values);
  return ret;
}
