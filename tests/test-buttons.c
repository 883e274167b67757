/* test-buttons.c: physical buttons through libevdev against devices emulated by umockdev from the
 * recorded fixtures in tests/data: presses map to faces, bounces and autorepeat are not votes,
 * SYN_DROPPED resynchronises, a removed device comes back, and a mouse is not taken. */
#define G_LOG_DOMAIN "test-buttons"

#include "config.h"

#include <unistd.h>
#include <glib/gstdio.h>
#include <umockdev.h>

#include "kiosk-buttons.h"
#include "kiosk-test-util.h"

#define KEYPAD_SYSFS "/sys/devices/virtual/input/input7/event7"
#define KEYPAD_NODE  "/dev/input/event7"
#define KEYPAD_LINK  "/dev/input/by-id/usb-Smiley_Test_Keypad-event-kbd"

typedef struct
{
  UMockdevTestbed *testbed;
  KioskButtons    *buttons;
  GArray          *faces;      /* int, every "pressed" in order */
} Fixture;

/* umockdev's script threads log while a test runs, so the kiosk's messages are recorded under a
 * lock (kiosk-test-util.h) rather than expected with g_test_expect_message(): each test claims
 * the ones it expects, and a warning no test claimed fails the test in its teardown. */
static const char *const recorded_domains[] = { "kiosk-buttons", NULL };

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", name, NULL);
}

static void
add_device (Fixture    *f,
            const char *base,
            const char *node,
            const char *events)
{
  g_autofree char *description_name = g_strconcat (base, ".umockdev", NULL);
  g_autofree char *ioctls_name = g_strconcat (g_str_has_prefix (base, "keypad") ? "keypad" : base,
                                              ".ioctl", NULL);
  g_autofree char *description = fixture_path (description_name);
  g_autofree char *ioctls = fixture_path (ioctls_name);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (description, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (umockdev_testbed_add_from_string (f->testbed, contents, &error));
  g_assert_no_error (error);
  g_assert_true (umockdev_testbed_load_ioctl (f->testbed, node, ioctls, &error));
  g_assert_no_error (error);

  if (events != NULL)
    {
      g_autofree char *script = fixture_path (events);

      g_assert_true (umockdev_testbed_load_evemu_events (f->testbed, node, script, &error));
      g_assert_no_error (error);
    }
}

static void
pressed_cb (KioskButtons *buttons,
            int           face,
            Fixture      *f)
{
  g_array_append_val (f->faces, face);
}

static void
start_buttons (Fixture    *f,
               const char *conf)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = kiosk_config_new_from_data (conf, -1, "buttons.conf", &error);

  g_assert_no_error (error);
  f->buttons = kiosk_buttons_new (config);
  g_signal_connect (f->buttons, "pressed", G_CALLBACK (pressed_cb), f);
  kiosk_buttons_start (f->buttons);
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main loop until @count presses arrived or @ms passed. */
static void
wait_for_presses (Fixture *f,
                  guint    count,
                  guint    ms)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (ms, timeout_cb, &timed_out);

  while (f->faces->len < count && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (source);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->testbed = umockdev_testbed_new ();
  f->faces = g_array_new (FALSE, FALSE, sizeof (int));
  kiosk_test_log_defer_warnings ();   /* GTest resets it for every test */
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->buttons)
    g_assert_finalize_object (g_steal_pointer (&f->buttons));
  g_clear_object (&f->testbed);
  g_array_unref (f->faces);
  kiosk_test_log_check_unclaimed ();
}

static void
test_presses_map_to_faces (Fixture       *f,
                           gconstpointer  data)
{
  add_device (f, "keypad", KEYPAD_NODE, "presses.evemu");
  start_buttons (f, "[buttons]\ndevices = " KEYPAD_NODE "\n");
  g_assert_cmpuint (kiosk_buttons_get_connected (f->buttons), ==, 1);

  /* Keys 1–4 are very happy … very unhappy; Q is no face and is ignored. */
  wait_for_presses (f, 5, 1500);
  g_assert_cmpuint (f->faces->len, ==, 4);
  g_assert_cmpint (g_array_index (f->faces, int, 0), ==, 3);
  g_assert_cmpint (g_array_index (f->faces, int, 1), ==, 2);
  g_assert_cmpint (g_array_index (f->faces, int, 2), ==, 1);
  g_assert_cmpint (g_array_index (f->faces, int, 3), ==, 0);
}

static void
test_by_name (Fixture       *f,
              gconstpointer  data)
{
  g_auto(GStrv) status = NULL;

  add_device (f, "mouse", "/dev/input/event8", NULL);
  add_device (f, "keypad", KEYPAD_NODE, "presses.evemu");
  start_buttons (f, "[buttons]\ndevices = name:smiley test KEYPAD\n");

  wait_for_presses (f, 4, 1500);
  g_assert_cmpuint (f->faces->len, ==, 4);

  status = kiosk_buttons_dup_status (f->buttons);
  g_assert_cmpstr (status[0], ==,
                   "name:smiley test KEYPAD: connected (" KEYPAD_NODE ", “Smiley Test Keypad”)");
}

static void
test_debounce_and_repeat (Fixture       *f,
                          gconstpointer  data)
{
  add_device (f, "keypad", KEYPAD_NODE, "bounce.evemu");
  start_buttons (f, "[buttons]\ndevices = " KEYPAD_NODE "\ndebounce-ms = 50\n");

  wait_for_presses (f, 3, 1500);
  g_assert_cmpuint (f->faces->len, ==, 2);
  g_assert_cmpint (g_array_index (f->faces, int, 0), ==, 3);
  g_assert_cmpint (g_array_index (f->faces, int, 1), ==, 0);
}

static void
test_syn_dropped (Fixture       *f,
                  gconstpointer  data)
{
  add_device (f, "keypad", KEYPAD_NODE, "dropped.evemu");
  start_buttons (f, "[buttons]\ndevices = " KEYPAD_NODE "\n");

  wait_for_presses (f, 2, 1500);
  kiosk_test_assert_logged ("MESSAGE *SYN_DROPPED*resynchronising");

  /* Key 1 as it came, then key 2, found down after the overflow. */
  g_assert_cmpuint (f->faces->len, ==, 2);
  g_assert_cmpint (g_array_index (f->faces, int, 0), ==, 3);
  g_assert_cmpint (g_array_index (f->faces, int, 1), ==, 2);
  g_assert_cmpuint (kiosk_buttons_get_resyncs (f->buttons), ==, 1);
}

static gboolean
connected_is (Fixture *f,
              guint    wanted,
              guint    ms)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (ms, timeout_cb, &timed_out);

  while (kiosk_buttons_get_connected (f->buttons) != wanted && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (source);

  return kiosk_buttons_get_connected (f->buttons) == wanted;
}

/* Unplugged and plugged back, the kernel gives the keypad a new event node; the kiosk finds it
 * again by name, without a restart. */
static void
test_unplug_and_replug (Fixture       *f,
                        gconstpointer  data)
{
  g_auto(GStrv) status = NULL;

  add_device (f, "keypad", KEYPAD_NODE, "presses.evemu");
  start_buttons (f, "[buttons]\ndevices = name:Smiley Test Keypad\n");
  wait_for_presses (f, 4, 1500);
  g_assert_cmpuint (f->faces->len, ==, 4);

  umockdev_testbed_remove_device (f->testbed, KEYPAD_SYSFS);
  g_assert_true (connected_is (f, 0, 3000));
  kiosk_test_assert_logged ("WARNING Button device name:Smiley Test Keypad (" KEYPAD_NODE ") was "
                            "removed: its device node was removed; waiting for it to come back");

  status = kiosk_buttons_dup_status (f->buttons);
  g_assert_cmpstr (status[0], ==,
                   "name:Smiley Test Keypad: not connected (removed: its device node was removed)");

  add_device (f, "keypad-replugged", "/dev/input/event9", "presses.evemu");
  g_assert_true (connected_is (f, 1, 10000));
  wait_for_presses (f, 8, 1500);
  g_assert_cmpuint (f->faces->len, ==, 8);
}

/* The keypad goes and comes back before the kiosk's main loop has run, as on a loose plug, for
 * @spec; with a @link (a /dev/input/by-id/… path), that link leads to the old node and then to
 * the new one, replaced by a rename as udev does. The kiosk learns of the removal only after the
 * new node is there, and must still find the keypad. */
static void
bounce_keypad (Fixture    *f,
               const char *spec,
               const char *link)
{
  g_autofree char *root = umockdev_testbed_get_root_dir (f->testbed);
  g_autofree char *real_link = link ? g_build_filename (root, link, NULL) : NULL;
  g_autofree char *next = link ? g_strconcat (real_link, ".new", NULL) : NULL;
  g_autofree char *conf = g_strdup_printf ("[buttons]\ndevices = %s\n", spec);
  g_autofree char *logged = g_strdup_printf ("WARNING Button device %s (%s) was removed: *", spec,
                                             link ? link : KEYPAD_NODE);

  add_device (f, "keypad", KEYPAD_NODE, "presses.evemu");
  if (link != NULL)
    {
      g_autofree char *ioctls = fixture_path ("keypad.ioctl");
      g_autofree char *dir = g_path_get_dirname (real_link);
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
      g_assert_cmpint (symlink ("../event7", real_link), ==, 0);
      g_assert_true (umockdev_testbed_load_ioctl (f->testbed, link, ioctls, &error));
      g_assert_no_error (error);
    }

  start_buttons (f, conf);
  wait_for_presses (f, 4, 1500);
  g_assert_cmpuint (f->faces->len, ==, 4);

  umockdev_testbed_remove_device (f->testbed, KEYPAD_SYSFS);
  add_device (f, "keypad-replugged", "/dev/input/event9", "presses.evemu");
  if (link != NULL)
    {
      g_assert_cmpint (symlink ("../event9", next), ==, 0);
      g_assert_cmpint (g_rename (next, real_link), ==, 0);
    }

  /* Connected still counts the old keypad until the kiosk notices: the presses decide. */
  wait_for_presses (f, 8, 20000);
  g_assert_cmpuint (f->faces->len, ==, 8);
  kiosk_test_assert_logged (logged);
}

/* With the last input device gone, /dev/input itself goes and comes back too. Under qemu-user,
 * where events are read late, unplug-and-replug met this now and then: the keypad was never
 * found again. */
static void
test_bounced_plug (Fixture       *f,
                   gconstpointer  data)
{
  bounce_keypad (f, "name:Smiley Test Keypad", NULL);
}

/* Configured by its by-id link, as docs/buttons.md recommends: the link still resolves after the
 * removal, now to the new node, and the old node's descriptor may not have hung up yet
 * (umockdev's never does). That the link leads elsewhere is the removal. umockdev makes no
 * by-id links and emulates ioctls per path, so the link is made here and given the keypad's. */
static void
test_bounced_link (Fixture       *f,
                   gconstpointer  data)
{
  bounce_keypad (f, KEYPAD_LINK, KEYPAD_LINK);
}

static void
test_missing_device (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(GStrv) status = NULL;

  start_buttons (f, "[buttons]\ndevices = /dev/input/by-id/usb-arcade-event-kbd\n");
  kiosk_test_assert_logged ("WARNING Configured button device "
                            "/dev/input/by-id/usb-arcade-event-kbd is missing "
                            "(/dev/input/by-id/usb-arcade-event-kbd: No such file or directory); "
                            "waiting for it to be plugged in");

  g_assert_cmpuint (kiosk_buttons_get_connected (f->buttons), ==, 0);
  status = kiosk_buttons_dup_status (f->buttons);
  g_assert_cmpstr (status[0], ==,
                   "/dev/input/by-id/usb-arcade-event-kbd: not connected "
                   "(/dev/input/by-id/usb-arcade-event-kbd: No such file or directory)");
}

static void
test_not_a_keyboard (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(GStrv) status = NULL;

  add_device (f, "mouse", "/dev/input/event8", NULL);

  start_buttons (f, "[buttons]\ndevices = /dev/input/event8\n");
  kiosk_test_assert_logged ("WARNING Button device /dev/input/event8 (“Smiley Test Mouse”) has "
                            "none of the configured keys; it is not used");

  g_assert_cmpuint (kiosk_buttons_get_connected (f->buttons), ==, 0);
  status = kiosk_buttons_dup_status (f->buttons);
  g_assert_cmpstr (status[0], ==,
                   "/dev/input/event8: not connected (/dev/input/event8 (“Smiley Test Mouse”) has "
                   "none of the configured keys; it is not used)");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  kiosk_test_log_record_start (recorded_domains);

  /* umockdev redirects /dev and /sys only when its library is preloaded. */
  if (g_strrstr (g_getenv ("LD_PRELOAD") ?: "", "libumockdev-preload") == NULL)
    {
      g_printerr ("test-buttons must run under umockdev-wrapper (LD_PRELOAD of umockdev)\n");
      return 1;
    }

  g_test_add ("/buttons/presses-map-to-faces", Fixture, NULL,
              fixture_setup, test_presses_map_to_faces, fixture_teardown);
  g_test_add ("/buttons/by-name", Fixture, NULL, fixture_setup, test_by_name, fixture_teardown);
  g_test_add ("/buttons/debounce-and-repeat", Fixture, NULL,
              fixture_setup, test_debounce_and_repeat, fixture_teardown);
  g_test_add ("/buttons/syn-dropped", Fixture, NULL,
              fixture_setup, test_syn_dropped, fixture_teardown);
  g_test_add ("/buttons/bounced-plug", Fixture, NULL,
              fixture_setup, test_bounced_plug, fixture_teardown);
  g_test_add ("/buttons/bounced-link", Fixture, NULL,
              fixture_setup, test_bounced_link, fixture_teardown);
  g_test_add ("/buttons/unplug-and-replug", Fixture, NULL,
              fixture_setup, test_unplug_and_replug, fixture_teardown);
  g_test_add ("/buttons/missing-device", Fixture, NULL,
              fixture_setup, test_missing_device, fixture_teardown);
  g_test_add ("/buttons/not-a-keyboard", Fixture, NULL,
              fixture_setup, test_not_a_keyboard, fixture_teardown);

  return g_test_run ();
}
