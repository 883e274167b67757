/* kiosk-test-util.c: shared test helpers. Tests never sleep to wait; they iterate the main
 * context until a condition holds, with a bound. */
#include "config.h"

#include <glib/gstdio.h>
#include <libintl.h>

#include "kiosk-test-util.h"

char *
kiosk_test_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("smiley-kiosk-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
kiosk_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (path == NULL)
    return;

  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            kiosk_test_rm_rf (child);
          else
            g_unlink (child);
        }
    }

  g_rmdir (path);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
kiosk_test_wait_for (gboolean (*condition) (gpointer user_data),
                     gpointer   user_data,
                     guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!condition (user_data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (source);

  return condition (user_data);
}

char *
kiosk_test_write_file (const char *dir,
                       const char *name,
                       const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* gettext reads the build's catalogues (SMILEY_KIOSK_LOCALEDIR, set by tests/meson.build), as
 * the kiosk does after bindtextdomain(); the demo survey's languages come from them too. */
void
kiosk_test_bind_catalogues (void)
{
  const char *localedir = g_getenv ("SMILEY_KIOSK_LOCALEDIR");

  bindtextdomain (GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
