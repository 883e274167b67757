/* fuzz-common.h: what every harness of tests/fuzz shares: quiet logging (a critical is a finding,
 * chatter is not), an input copied to a buffer of exactly its size (so a read past the end is
 * caught), and a private temporary directory removed at exit. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  /* A critical or an error is a broken precondition: a bug, whatever the input. */
  if (log_level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    {
      g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
      abort ();
    }

  return G_LOG_WRITER_HANDLED;
}

static char *fuzz_tmpdir;
static GPtrArray *fuzz_tmp_files;

G_GNUC_UNUSED static void
fuzz_cleanup (void)
{
  if (fuzz_tmp_files != NULL)
    {
      for (guint i = fuzz_tmp_files->len; i > 0; i--)
        g_remove (g_ptr_array_index (fuzz_tmp_files, i - 1));
      g_ptr_array_unref (fuzz_tmp_files);
      fuzz_tmp_files = NULL;
    }
  if (fuzz_tmpdir != NULL)
    {
      g_rmdir (fuzz_tmpdir);
      g_clear_pointer (&fuzz_tmpdir, g_free);
    }
}

/* Once per process: the log writer. */
G_GNUC_UNUSED static void
fuzz_setup (void)
{
  static gboolean done;

  if (!done)
    {
      g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
      done = TRUE;
    }
}

/* A private temporary directory, made on first use; it and its files are removed at exit (not
 * after a crash: look for smiley-kiosk-fuzz-* in /tmp then). */
G_GNUC_UNUSED static const char *
fuzz_get_tmpdir (void)
{
  if (fuzz_tmpdir == NULL)
    {
      g_autoptr(GError) error = NULL;

      fuzz_tmpdir = g_dir_make_tmp ("smiley-kiosk-fuzz-XXXXXX", &error);
      g_assert_no_error (error);
      fuzz_tmp_files = g_ptr_array_new_with_free_func (g_free);
      atexit (fuzz_cleanup);
    }

  return fuzz_tmpdir;
}

/* A file in the temporary directory, removed at exit; @name may be a sub-directory ending in /. */
G_GNUC_UNUSED static char *
fuzz_tmp_file (const char *name,
               const char *contents,
               int         mode)
{
  char *path = g_build_filename (fuzz_get_tmpdir (), name, NULL);

  if (g_str_has_suffix (name, "/"))
    g_assert_cmpint (g_mkdir (path, mode), ==, 0);
  else
    {
      g_assert_true (g_file_set_contents (path, contents, -1, NULL));
      g_assert_cmpint (g_chmod (path, mode), ==, 0);
    }
  g_ptr_array_add (fuzz_tmp_files, g_strdup (path));
  return path;
}

/* A copy of @data in a buffer of exactly @size bytes (malloc'ed, not NUL-terminated). */
G_GNUC_UNUSED static char *
fuzz_exact_copy (const void *data,
                 size_t      size)
{
  char *copy = g_malloc (MAX (size, 1));

  if (size > 0)
    memcpy (copy, data, size);
  return copy;
}

/* Checks what every parser promises of its error: a message in UTF-8 that says something. */
G_GNUC_UNUSED static void
fuzz_check_message (const char *message)
{
  g_assert_nonnull (message);
  g_assert_true (g_utf8_validate (message, -1, NULL));
  g_assert_cmpuint (strlen (message), >, 0);
}
