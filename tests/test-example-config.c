/* test-example-config.c: the commented example kiosk.conf shipped for IT staff must parse, both
 * as shipped (all defaults) and with every documented key uncommented. */
#define G_LOG_DOMAIN "test-example-config"

#include "config.h"

#include <glib/gstdio.h>

#include "kiosk-config.h"
#include "kiosk-test-util.h"

static const char *example_path;

static void
test_as_shipped (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = kiosk_config_new_from_file (example_path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (kiosk_config_get_thank_you_ms (config), ==, 3000);
  g_assert_cmpuint (kiosk_config_get_misuse_interval_ms (config), ==, 5000);
}

/* "#key = value" lines are the documented settings; uncomment them all. */
static void
test_every_key_uncommented (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GString) uncommented = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  guint keys = 0;
  g_autoptr(GRegex) setting = g_regex_new ("^#\\s*([a-z-]+\\s*=.*)$", 0, 0, NULL);
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *token = kiosk_test_write_file (dir, "token", "t\n");
  g_autofree char *other = kiosk_test_write_file (dir, "other", "{}\n");

  g_assert_cmpint (g_chmod (token, 0600), ==, 0);

  g_assert_true (g_file_get_contents (example_path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;

      if (g_regex_match (setting, lines[i], 0, &match))
        {
          g_autofree char *kv = g_match_info_fetch (match, 1);

          /* Files the example names exist on a kiosk, not here: point them at real ones. */
          if (g_str_has_prefix (kv, "token-file="))
            g_string_append_printf (uncommented, "token-file=%s\n", token);
          else if (g_str_has_prefix (kv, "ca-file=") || g_str_has_prefix (kv, "file="))
            g_string_append_printf (uncommented, "%.*s=%s\n", (int) strcspn (kv, "="), kv, other);
          else
            g_string_append_printf (uncommented, "%s\n", kv);
          keys++;
        }
      else
        g_string_append_printf (uncommented, "%s\n", lines[i]);
    }

  g_test_message ("%u settings uncommented", keys);
  g_assert_cmpuint (keys, >=, 20);

  config = kiosk_config_new_from_data (uncommented->str, -1, example_path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (kiosk_config_get_cloud_url (config));

  kiosk_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  example_path = argc > 1 ? argv[1] : NULL;
  if (example_path == NULL)
    g_error ("usage: %s [--tap] PATH-TO-kiosk.conf", argv[0]);

  g_test_add_func ("/example-config/as-shipped", test_as_shipped);
  g_test_add_func ("/example-config/every-key-uncommented", test_every_key_uncommented);

  return g_test_run ();
}
