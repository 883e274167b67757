/* fuzz-replay.c: runs a harness without libFuzzer, for the normal test suite: every file of the
 * directories (or the files) given on the command line goes once through LLVMFuzzerTestOneInput.
 * So the seed corpus and every input that ever crashed a harness are replayed on every run.
 * A directory that does not exist counts as empty. Output is TAP, one test per file. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
collect (const char *path,
         GPtrArray  *files)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;

  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.' && !g_str_has_suffix (name, ".md"))
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_paths);

  for (guint i = 0; i < names->len; i++)
    if (g_file_test (g_ptr_array_index (names, i), G_FILE_TEST_IS_REGULAR))
      g_ptr_array_add (files, g_strdup (g_ptr_array_index (names, i)));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  for (int i = 1; i < argc; i++)
    if (!g_str_has_prefix (argv[i], "--"))   /* --tap and the like: TAP is all it speaks */
      collect (argv[i], files);

  printf ("TAP version 13\n");
  if (files->len == 0)
    {
      printf ("1..0 # SKIP no inputs\n");
      return 0;
    }

  printf ("1..%u\n", files->len);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize length = 0;

      if (!g_file_get_contents (path, &contents, &length, &error))
        {
          printf ("not ok %u - %s: %s\n", i + 1, path, error->message);
          continue;
        }

      fflush (stdout);
      /* A harness that finds a bug aborts: the file being run is the last line printed. */
      fprintf (stderr, "# %s\n", path);
      LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
      printf ("ok %u - %s\n", i + 1, path);
    }

  return 0;
}
