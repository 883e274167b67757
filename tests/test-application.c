/* test-application.c: the whole kiosk process in one, under a real display (Xvfb) and with a USB
 * keypad emulated by umockdev: a physical button votes through the window's action (so the
 * screen follows the visitor), systemd hears READY once the survey is on screen, watchdog pings
 * while the main loop runs and STOPPING at the end, and opening hours reach the flow. */
#define G_LOG_DOMAIN "test-application"

#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <umockdev.h>

#include "kiosk-application.h"
#include "kiosk-test-util.h"
#include "kiosk-window.h"

#define KEYPAD_NODE "/dev/input/event7"

typedef struct
{
  UMockdevTestbed  *testbed;
  char             *dir;
  KioskApplication *app;
  GSocket          *listener;
  GPtrArray        *messages;     /* from NOTIFY_SOCKET, in order */
  guint             step;
  gint64            deadline_us;
  char             *failure;
  KioskPageId       page_after_press;
} Fixture;

static void
drain (Fixture *f)
{
  char buffer[256];
  gssize n;

  while ((n = g_socket_receive (f->listener, buffer, sizeof buffer - 1, NULL, NULL)) > 0)
    g_ptr_array_add (f->messages, g_strndup (buffer, n));
}

static guint
count_of (Fixture    *f,
          const char *message)
{
  guint n = 0;

  for (guint i = 0; i < f->messages->len; i++)
    if (g_str_equal (g_ptr_array_index (f->messages, i), message))
      n++;

  return n;
}

static KioskApplication *
make_app (Fixture    *f,
          const char *extra_conf)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskSurvey) survey = kiosk_survey_new_demo ();
  g_autofree char *text = g_strdup_printf ("[kiosk]\ndevice-id = app-test\nstate-directory = %s\n"
                                           "thank-you-seconds = 0.5\n%s", f->dir,
                                           extra_conf ? extra_conf : "");

  config = kiosk_config_new_from_data (text, -1, "app.conf", &error);
  g_assert_no_error (error);
  return kiosk_application_new (config, survey, TRUE);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = kiosk_test_make_tmpdir ();
  f->messages = g_ptr_array_new_with_free_func (g_free);
  f->testbed = umockdev_testbed_new ();

  path = g_build_filename (f->dir, "notify.sock", NULL);
  address = g_unix_socket_address_new (path);
  f->listener = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
                              G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (f->listener, FALSE);
  g_assert_true (g_socket_bind (f->listener, address, FALSE, &error));

  /* As systemd starts it: Type=notify, WatchdogSec=0.4. */
  g_setenv ("NOTIFY_SOCKET", path, TRUE);
  g_setenv ("WATCHDOG_USEC", "400000", TRUE);
  g_unsetenv ("WATCHDOG_PID");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_unsetenv ("NOTIFY_SOCKET");
  g_unsetenv ("WATCHDOG_USEC");
  if (f->app != NULL)
    g_assert_finalize_object (g_steal_pointer (&f->app));
  g_clear_object (&f->listener);
  g_clear_object (&f->testbed);
  g_ptr_array_unref (f->messages);
  kiosk_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->failure);
}

/* The recorded USB keypad of test-buttons: keys 1, 2, 3, 4 (very happy … very unhappy), then Q. */
static void
plug_in_keypad (Fixture *f)
{
  g_autofree char *description_path = g_test_build_filename (G_TEST_DIST, "data",
                                                              "keypad.umockdev", NULL);
  g_autofree char *ioctls = g_test_build_filename (G_TEST_DIST, "data", "keypad.ioctl", NULL);
  g_autofree char *events = g_test_build_filename (G_TEST_DIST, "data", "presses.evemu", NULL);
  g_autofree char *description = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (description_path, &description, NULL, &error));
  g_assert_true (umockdev_testbed_add_from_string (f->testbed, description, &error));
  g_assert_no_error (error);
  g_assert_true (umockdev_testbed_load_ioctl (f->testbed, KEYPAD_NODE, ioctls, &error));
  g_assert_no_error (error);
  g_assert_true (umockdev_testbed_load_evemu_events (f->testbed, KEYPAD_NODE, events, &error));
  g_assert_no_error (error);
}

static KioskWindow *
active_window (Fixture *f)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (f->app));

  return window ? KIOSK_WINDOW (window) : NULL;
}

static void
fail (Fixture    *f,
      const char *why)
{
  f->failure = g_strdup (why);
  g_application_quit (G_APPLICATION (f->app));
}

/* Runs inside the application's main loop, a step at a time, each bounded in time. */
static gboolean
drive_cb (gpointer user_data)
{
  Fixture *f = user_data;
  KioskWindow *window = active_window (f);

  drain (f);
  if (g_get_monotonic_time () > f->deadline_us)
    {
      g_autofree char *why = g_strdup_printf ("step %u did not happen in time", f->step);

      fail (f, why);
      return G_SOURCE_REMOVE;
    }

  switch (f->step)
    {
    case 0:
      /* READY once the window was painted, not before. */
      if (count_of (f, "READY=1") == 0)
        return G_SOURCE_CONTINUE;
      if (window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)))
        {
          fail (f, "READY=1 came before the window was on screen");
          return G_SOURCE_REMOVE;
        }

      /* The four presses on the keypad: each recorded, the screen following the last. */
      if (kiosk_store_get_last_seq (kiosk_flow_get_store (kiosk_application_get_flow (f->app))) < 4)
        return G_SOURCE_CONTINUE;
      f->page_after_press = kiosk_window_get_page (window);
      f->step++;
      f->deadline_us = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
      return G_SOURCE_CONTINUE;

    case 1:
      /* The main loop runs: systemd hears from it at half the interval. */
      if (count_of (f, "WATCHDOG=1") < 3)
        return G_SOURCE_CONTINUE;
      g_application_quit (G_APPLICATION (f->app));
      return G_SOURCE_REMOVE;

    default:
      return G_SOURCE_REMOVE;
    }
}

static void
startup_cb (GApplication *app,
            Fixture      *f)
{
  f->deadline_us = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_timeout_add (20, drive_cb, f);
}

static void
test_buttons_and_notify (Fixture       *f,
                         gconstpointer  data)
{
  char *argv[] = { (char *) "smiley-kiosk", NULL };
  g_autofree char *db = g_build_filename (f->dir, "responses.db", NULL);
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  KioskResponse *r;

  plug_in_keypad (f);
  f->app = make_app (f, "[buttons]\ndevices = " KEYPAD_NODE "\n");
  g_assert_nonnull (kiosk_application_get_buttons (f->app));
  g_signal_connect (f->app, "startup", G_CALLBACK (startup_cb), f);

  g_assert_cmpint (g_application_run (G_APPLICATION (f->app), 1, argv), ==, 0);
  drain (f);
  if (f->failure)
    g_error ("%s", f->failure);

  /* A press is the same vote as a touch: the screen went on to the last visitor's follow-up. */
  g_assert_cmpint (f->page_after_press, ==, KIOSK_PAGE_FOLLOW_UP);
  g_assert_finalize_object (g_steal_pointer (&f->app));
  store = kiosk_store_open (db, KIOSK_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  rows = kiosk_store_list_responses (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 4);
  for (guint i = 0; i < rows->len; i++)
    {
      r = g_ptr_array_index (rows, i);
      g_assert_cmpint (r->face, ==, 3 - (int) i);
      g_assert_cmpint (r->input, ==, KIOSK_INPUT_BUTTON);
      /* The last one was stopped mid-visit: it ended as interrupted, not left open. */
      g_assert_false (r->visit_open);
    }

  g_assert_cmpuint (count_of (f, "READY=1"), ==, 1);
  g_assert_cmpuint (count_of (f, "WATCHDOG=1"), >=, 3);
  g_assert_cmpstr (g_ptr_array_index (f->messages, f->messages->len - 1), ==, "STOPPING=1");
}

static gboolean
check_closed_cb (gpointer user_data)
{
  Fixture *f = user_data;
  KioskWindow *window = active_window (f);

  if (g_get_monotonic_time () > f->deadline_us)
    {
      fail (f, "the window never showed up");
      return G_SOURCE_REMOVE;
    }
  if (window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)))
    return G_SOURCE_CONTINUE;

  if (kiosk_flow_get_ignored (kiosk_application_get_flow (f->app)) < 4)
    return G_SOURCE_CONTINUE;

  f->page_after_press = kiosk_window_get_page (window);
  g_application_quit (G_APPLICATION (f->app));
  return G_SOURCE_REMOVE;
}

static void
closed_startup_cb (GApplication *app,
                   Fixture      *f)
{
  f->deadline_us = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_timeout_add (20, check_closed_cb, f);
}

/* Opening hours that never open: the closed screen from the start, a button press ignored. */
static void
test_closed_hours (Fixture       *f,
                   gconstpointer  data)
{
  char *argv[] = { (char *) "smiley-kiosk", NULL };
  g_autofree char *db = g_build_filename (f->dir, "responses.db", NULL);
  g_autoptr(KioskStore) store = NULL;

  g_unsetenv ("NOTIFY_SOCKET");
  plug_in_keypad (f);
  f->app = make_app (f, "[buttons]\ndevices = " KEYPAD_NODE "\n[hours]\nmonday = closed\n");
  g_assert_false (kiosk_flow_get_open (kiosk_application_get_flow (f->app)));
  g_signal_connect (f->app, "startup", G_CALLBACK (closed_startup_cb), f);

  g_assert_cmpint (g_application_run (G_APPLICATION (f->app), 1, argv), ==, 0);
  if (f->failure)
    g_error ("%s", f->failure);

  /* Four presses, all ignored and counted; nothing recorded. */
  g_assert_cmpint (f->page_after_press, ==, KIOSK_PAGE_CLOSED);
  g_assert_cmpuint (kiosk_flow_get_ignored (kiosk_application_get_flow (f->app)), ==, 4);
  store = kiosk_store_open (db, KIOSK_STORE_OPEN_READ_ONLY, NULL);
  g_assert_true (store == NULL || kiosk_store_get_last_seq (store) == 0);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add ("/application/buttons-and-notify", Fixture, NULL, fixture_setup,
              test_buttons_and_notify, fixture_teardown);
  g_test_add ("/application/closed-hours", Fixture, NULL, fixture_setup, test_closed_hours,
              fixture_teardown);

  return g_test_run ();
}
