/* A main() for the fuzz harnesses without libFuzzer: runs each file named on
 * the command line (or each file in each directory named) through
 * LLVMFuzzerTestOneInput() once.  This is how every build, with gcc and any
 * sanitizer, replays the seed corpus and past crashes as plain tests.
 */
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static void
replay_file (const gchar * path)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *contents = NULL;
  g_autofree guint8 *copy = NULL;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, &error))
    g_error ("%s", error->message);
  g_print ("%s (%" G_GSIZE_FORMAT " bytes)\n", path, len);
  /* An exact-size copy, as libFuzzer passes it, so reads past the end show
   * (and never NULL, even when empty, as with libFuzzer). */
  copy = g_malloc (MAX (len, 1));
  memcpy (copy, contents, len);
  LLVMFuzzerTestOneInput (copy, len);
}

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

static guint
replay (const gchar * path)
{
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) names = NULL;
  const gchar *name;
  guint i, n = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR)) {
    replay_file (path);
    return 1;
  }
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    g_error ("cannot open %s", path);
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  /* In a stable order, so that a failure is easy to find again. */
  g_ptr_array_sort (names, compare_paths);
  for (i = 0; i < names->len; i++)
    n += replay (g_ptr_array_index (names, i));
  return n;
}

int
main (int argc, char **argv)
{
  guint n = 0;
  int i;

  LLVMFuzzerInitialize (&argc, &argv);
  for (i = 1; i < argc; i++)
    n += replay (argv[i]);
  if (n == 0)
    g_error ("no input to replay");
  g_print ("replayed %u inputs\n", n);
  return EXIT_SUCCESS;
}
