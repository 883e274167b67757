/* test-notify.c: the sd_notify protocol against a fake NOTIFY_SOCKET: READY once, watchdog pings
 * at half the interval, only for this process, abstract addresses, and the errors. */
#define G_LOG_DOMAIN "test-notify"

#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <unistd.h>

#include "kiosk-notify.h"
#include "kiosk-test-util.h"

typedef struct
{
  char      *dir;
  char      *path;       /* what NOTIFY_SOCKET says */
  GSocket   *listener;
  GPtrArray *messages;   /* received, in order */
} Fixture;

static void
bind_listener (Fixture    *f,
               const char *notify_socket)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;

  f->path = g_strdup (notify_socket);
  if (notify_socket[0] == '@')
    address = g_unix_socket_address_new_with_type (notify_socket + 1, -1,
                                                   G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  else
    address = g_unix_socket_address_new (notify_socket);

  f->listener = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
                              G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (f->listener, FALSE);
  g_assert_true (g_socket_bind (f->listener, address, FALSE, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = NULL;

  f->dir = kiosk_test_make_tmpdir ();
  f->messages = g_ptr_array_new_with_free_func (g_free);
  path = g_build_filename (f->dir, "notify.sock", NULL);
  bind_listener (f, path);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->listener);
  g_ptr_array_unref (f->messages);
  kiosk_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static void
drain (Fixture *f)
{
  char buffer[256];
  gssize n;

  while ((n = g_socket_receive (f->listener, buffer, sizeof buffer - 1, NULL, NULL)) > 0)
    g_ptr_array_add (f->messages, g_strndup (buffer, n));
}

typedef struct
{
  Fixture *f;
  guint    count;
} Want;

static gboolean
received (gpointer user_data)
{
  Want *want = user_data;

  drain (want->f);
  return want->f->messages->len >= want->count;
}

static void
wait_for_messages (Fixture *f,
                   guint    count)
{
  Want want = { f, count };

  g_assert_true (kiosk_test_wait_for (received, &want, 5000));
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

static void
test_ready_once (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskNotify) notify = kiosk_notify_new (f->path, NULL, NULL, &error);

  g_assert_no_error (error);
  kiosk_notify_ready (notify);
  kiosk_notify_ready (notify);
  wait_for_messages (f, 1);
  g_assert_cmpstr (g_ptr_array_index (f->messages, 0), ==, "READY=1");

  /* No WATCHDOG_USEC: systemd wants no pings. */
  g_assert_cmpuint (kiosk_notify_get_watchdog_usec (notify), ==, 0);
  g_assert_false (kiosk_notify_start_watchdog (notify));

  g_assert_true (kiosk_notify_send (notify, "STATUS=checking", &error));
  wait_for_messages (f, 2);
  g_assert_cmpuint (count_of (f, "READY=1"), ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->messages, 1), ==, "STATUS=checking");
}

/* WATCHDOG_USEC=200 ms: a ping at once and every 100 ms after, while the main loop runs. */
static void
test_watchdog_pings (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskNotify) notify = NULL;
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  gint64 start;

  notify = kiosk_notify_new (f->path, "200000", pid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kiosk_notify_get_watchdog_usec (notify), ==, 200000);

  start = g_get_monotonic_time ();
  g_assert_true (kiosk_notify_start_watchdog (notify));
  wait_for_messages (f, 4);
  g_assert_cmpuint (count_of (f, "WATCHDOG=1"), ==, f->messages->len);
  /* Three intervals of 100 ms at least between the first ping and the fourth. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300 * 1000);

  kiosk_notify_stop_watchdog (notify);
  drain (f);
  {
    /* Over two intervals with the main loop running: a watchdog still armed would ping. */
    Want one_more = { f, f->messages->len + 1 };

    g_assert_false (kiosk_test_wait_for (received, &one_more, 250));
  }
}

/* WATCHDOG_PID names another process (the one systemd started): no pings from this one. */
static void
test_watchdog_other_pid (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(KioskNotify) notify = kiosk_notify_new (f->path, "200000", "1", NULL);

  g_assert_cmpuint (kiosk_notify_get_watchdog_usec (notify), ==, 0);
  g_assert_false (kiosk_notify_start_watchdog (notify));
}

static void
test_abstract_socket (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskNotify) notify = NULL;
  g_autofree char *name = g_strdup_printf ("@smiley-kiosk-test-notify-%d", (int) getpid ());

  g_clear_object (&f->listener);
  g_free (f->path);
  bind_listener (f, name);

  notify = kiosk_notify_new (f->path, NULL, NULL, &error);
  g_assert_no_error (error);
  kiosk_notify_ready (notify);
  wait_for_messages (f, 1);
  g_assert_cmpstr (g_ptr_array_index (f->messages, 0), ==, "READY=1");
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskNotify) notify = NULL;
  g_autofree char *gone = g_build_filename (f->dir, "gone.sock", NULL);
  g_autofree char *prefix = g_strdup_printf ("%s: ", gone);

  notify = kiosk_notify_new ("vsock:2:1234", NULL, NULL, &error);
  g_assert_null (notify);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_cmpstr (error->message, ==,
                   "NOTIFY_SOCKET=vsock:2:1234: only a socket path or an @abstract name is "
                   "supported");
  g_clear_error (&error);

  g_test_expect_message ("kiosk-notify", G_LOG_LEVEL_WARNING,
                         "WATCHDOG_USEC=soon is not a number of microseconds: no watchdog");
  notify = kiosk_notify_new (f->path, "soon", NULL, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpuint (kiosk_notify_get_watchdog_usec (notify), ==, 0);
  g_clear_object (&notify);

  /* Nobody listens: the error names the socket; the kiosk only logs it. */
  notify = kiosk_notify_new (gone, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (kiosk_notify_send (notify, "READY=1", &error));
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_clear_error (&error);

  g_test_expect_message ("kiosk-notify", G_LOG_LEVEL_WARNING, "Could not tell systemd READY=1: *");
  kiosk_notify_ready (notify);
  g_test_assert_expected_messages ();
}

static void
test_environment (void)
{
  g_unsetenv ("NOTIFY_SOCKET");
  g_assert_null (kiosk_notify_new_from_environment ());

  g_setenv ("NOTIFY_SOCKET", "", TRUE);
  g_assert_null (kiosk_notify_new_from_environment ());

  g_setenv ("NOTIFY_SOCKET", "/run/systemd/notify", TRUE);
  g_setenv ("WATCHDOG_USEC", "30000000", TRUE);
  g_unsetenv ("WATCHDOG_PID");
  {
    g_autoptr(KioskNotify) notify = kiosk_notify_new_from_environment ();

    g_assert_nonnull (notify);
    g_assert_cmpuint (kiosk_notify_get_watchdog_usec (notify), ==, 30000000);
  }
  g_unsetenv ("NOTIFY_SOCKET");
  g_unsetenv ("WATCHDOG_USEC");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/notify/ready-once", Fixture, NULL,
              fixture_setup, test_ready_once, fixture_teardown);
  g_test_add ("/notify/watchdog/pings", Fixture, NULL,
              fixture_setup, test_watchdog_pings, fixture_teardown);
  g_test_add ("/notify/watchdog/other-pid", Fixture, NULL,
              fixture_setup, test_watchdog_other_pid, fixture_teardown);
  g_test_add ("/notify/abstract-socket", Fixture, NULL,
              fixture_setup, test_abstract_socket, fixture_teardown);
  g_test_add ("/notify/errors", Fixture, NULL,
              fixture_setup, test_errors, fixture_teardown);
  g_test_add_func ("/notify/environment", test_environment);

  return g_test_run ();
}
