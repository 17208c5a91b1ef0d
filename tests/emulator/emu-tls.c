/* Throwaway TLS certificates for the emulator: a CA of its own and a server
 * certificate it signs, made with the openssl program (Debian: openssl). */
#include <glib.h>
#include <gio/gio.h>
#include <string.h>

#include "cartesia-emulator.h"

static gboolean
run_openssl (const gchar * dir, const gchar * const *args, GError ** error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autofree gchar *program = g_find_program_in_path ("openssl");
  gint status;
  guint i;

  if (program == NULL) {
    g_set_error_literal (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT,
        "the openssl program is needed to make a test certificate "
        "(Debian package: openssl)");
    return FALSE;
  }
  g_ptr_array_add (argv, program);
  for (i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (dir, (gchar **) argv->pdata, NULL, G_SPAWN_DEFAULT,
          NULL, NULL, &out, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL)) {
    g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
        "openssl %s failed: %s", args[0], err ? g_strstrip (err) : "");
    return FALSE;
  }
  return TRUE;
}

/* "DNS:localhost,IP:127.0.0.1,..." */
static gchar *
subject_alt_names (const gchar * const *hosts)
{
  GString *s = g_string_new ("subjectAltName=");
  guint i;

  for (i = 0; hosts[i]; i++) {
    g_autoptr (GInetAddress) addr = g_inet_address_new_from_string (hosts[i]);

    g_string_append_printf (s, "%s%s:%s", i ? "," : "", addr ? "IP" : "DNS",
        hosts[i]);
  }
  return g_string_free (s, FALSE);
}

gboolean
cartesia_emulator_make_certificate (const gchar * dir,
    const gchar * const *hosts, GError ** error)
{
  static const gchar *const default_hosts[] = { "localhost", "127.0.0.1",
    "::1", NULL
  };
  g_autofree gchar *ext_path = g_build_filename (dir, "server.ext", NULL);
  g_autofree gchar *sans = NULL;
  g_autofree gchar *ext = NULL;
  g_autofree gchar *serial = g_strdup_printf ("%u", g_random_int ());
  const gchar *const ca[] = { "req", "-x509", "-newkey", "ec", "-pkeyopt",
    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key", "-out",
    "ca.pem", "-days", "30", "-subj", "/CN=cartesia-emulator throwaway CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
    "keyUsage=critical,keyCertSign,cRLSign", NULL
  };
  const gchar *const request[] = { "req", "-newkey", "ec", "-pkeyopt",
    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "key.pem", "-out",
    "server.csr", "-subj", "/CN=cartesia-emulator", NULL
  };
  const gchar *const sign[] = { "x509", "-req", "-in", "server.csr", "-CA",
    "ca.pem", "-CAkey", "ca.key", "-set_serial", serial, "-days", "30",
    "-out", "cert.pem", "-extfile", "server.ext", NULL
  };

  if (hosts == NULL || hosts[0] == NULL)
    hosts = default_hosts;
  sans = subject_alt_names (hosts);
  ext = g_strdup_printf ("%s\nbasicConstraints=CA:FALSE\n"
      "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
      sans);
  if (g_mkdir_with_parents (dir, 0700) != 0) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
        "could not create %s", dir);
    return FALSE;
  }
  return g_file_set_contents (ext_path, ext, -1, error)
      && run_openssl (dir, ca, error) && run_openssl (dir, request, error)
      && run_openssl (dir, sign, error);
}
