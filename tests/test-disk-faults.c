/* test-disk-faults.c: the whole kiosk window under a real display (Xvfb) while its storage cannot
 * write: visitors go through their whole visit and are thanked, the survey page shows staff a
 * quiet status line, the admin screen names the fault, and once writing works again the status
 * goes away and every response is in the database, once, in order. A slow card stalls no
 * frame. The fault comes from the injecting SQLite VFS; the store underneath takes the paths it
 * takes on a real card. */
#define G_LOG_DOMAIN "test-disk-faults"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <gtk/gtk.h>
#include <sqlite3.h>

#include "kiosk-admin-page.h"
#include "kiosk-pin.h"
#include "kiosk-test-ui.h"
#include "kiosk-test-util.h"
#include "kiosk-test-vfs.h"
#include "kiosk-window.h"

#define PIN "2468"

/* KIOSK_STORE_RETRY_SECONDS is 5; g_timeout_add_seconds() may add up to a second. */
#define RETRY_WAIT_MS 15000

#define VISITS 4

typedef struct
{
  KioskTestKiosk kiosk;
  char          *db;
} Fixture;

static char *pin_hash;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf ("device-id = shop-042\nthank-you-seconds = 0.5\nmisuse-interval = 0\n"
                          "[admin]\npin-hash = %s\n", pin_hash);

  /* Every connection from here on goes through the injecting VFS, the store's included. */
  kiosk_test_vfs_install ();
  kiosk_test_kiosk_open_store (&f->kiosk, text, NULL);
  f->db = g_strdup (kiosk_store_get_path (f->kiosk.store));
  kiosk_test_kiosk_show (&f->kiosk, NULL, FALSE, 1280, 800);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  kiosk_test_kiosk_close (&f->kiosk);
  kiosk_test_vfs_uninstall ();
  g_free (f->db);
}

#define activate(f, ...) kiosk_test_activate (GTK_WIDGET ((f)->kiosk.window), __VA_ARGS__)

static KioskPageId
page (Fixture *f)
{
  return kiosk_window_get_page (f->kiosk.window);
}

static gboolean
on_survey_page (gpointer user_data)
{
  return page (user_data) == KIOSK_PAGE_SURVEY;
}

static gboolean
all_written (gpointer user_data)
{
  return kiosk_store_get_unwritten (KIOSK_STORE (user_data)) == 0;
}

/* The survey page's status line for staff, visible or not. */
static GtkLabel *
status_label (Fixture *f)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  g_assert_cmpint (page (f), ==, KIOSK_PAGE_SURVEY);
  kiosk_test_collect (kiosk_window_get_page_widget (f->kiosk.window), GTK_TYPE_LABEL, FALSE,
                      labels);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_has_css_class (g_ptr_array_index (labels, i), "status"))
      return g_ptr_array_index (labels, i);

  g_error ("the survey page has no status line");
}

static KioskAdminPage *
admin_page (Fixture *f)
{
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_ADMIN);
  return KIOSK_ADMIN_PAGE (kiosk_window_get_page_widget (f->kiosk.window));
}

/* A whole visit as a visitor makes it: a face, the follow-up, no comment, no contact, thanks. */
static void
visit (Fixture *f,
       int      face)
{
  g_autofree char *texts = NULL;

  g_assert_true (kiosk_test_wait_for (on_survey_page, f, 5000));
  activate (f, "survey.vote", "(is)", face, "touch");
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_FOLLOW_UP);
  activate (f, "follow-up.toggle", "s", face < 2 ? "staff" : "speed");
  activate (f, "follow-up.next", NULL);
  if (page (f) == KIOSK_PAGE_COMMENT)
    activate (f, "comment.skip", NULL);
  if (page (f) == KIOSK_PAGE_CONTACT)
    activate (f, "contact.decline", NULL);
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_THANKS);

  /* The visitor reads thanks, not a fault. */
  kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
  texts = kiosk_test_dup_texts (kiosk_window_get_page_widget (f->kiosk.window));
  g_test_message ("thanks page: %s", texts);
  g_assert_cmpstr (texts, !=, "");
  g_assert_null (strstr (texts, "torage"));
  g_assert_null (strstr (texts, "disk"));
}

/* The file's view through a connection of our own on the plain "unix" VFS: every visit once, in
 * order, completed, and a sound file. */
static void
assert_on_disk (const char *path,
                guint       expected)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 last_seq = 0;
  guint rows = 0;
  int rc;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, "unix");
  g_assert_cmpint (rc, ==, SQLITE_OK);

  rc = sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);

  rc = sqlite3_prepare_v2 (db, "SELECT seq, COUNT(*) OVER (PARTITION BY uuid) FROM responses "
                           "ORDER BY seq", -1, &stmt, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, last_seq + 1);
      g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 1);
      last_seq = sqlite3_column_int64 (stmt, 0);
      rows++;
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  g_assert_cmpuint (rows, ==, expected);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
check_fault (Fixture    *f,
             int         sqlite_rc,
             const char *why,
             const char *shot_prefix)
{
  g_autoptr(GPtrArray) responses = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *survey_shot = g_strdup_printf ("%s-survey.png", shot_prefix);
  g_autofree char *admin_shot = g_strdup_printf ("%s-admin.png", shot_prefix);
  g_autofree char *pattern = g_strdup_printf ("Storage failing: *%s*", why);
  GtkLabel *status;
  const char *storage;
  gint64 start;

  /* Writing works: no status line. */
  g_assert_true (kiosk_test_wait_for (on_survey_page, f, 5000));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (status_label (f))));

  kiosk_test_vfs_fail (KIOSK_TEST_VFS_WRITE, sqlite_rc, KIOSK_TEST_VFS_FOREVER);

  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_WARNING, pattern);
  for (guint i = 0; i < VISITS; i++)
    visit (f, i % 2 == 0 ? 0 : 3);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (kiosk_store_get_unwritten (f->kiosk.store), ==, VISITS);
  g_assert_cmpint (kiosk_store_get_health (f->kiosk.store), ==, KIOSK_STORAGE_FAILING);

  /* Back on the survey page: the quiet line for staff, the reason in its tooltip. */
  g_assert_true (kiosk_test_wait_for (on_survey_page, f, 5000));
  status = status_label (f);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (status)));
  g_test_message ("survey status: %s (tooltip: %s)", gtk_label_get_label (status),
                  gtk_widget_get_tooltip_text (GTK_WIDGET (status)));
  g_assert_cmpstr (gtk_label_get_label (status), ==,
                   "For staff: responses are kept in memory for now — details in Kiosk status");
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (GTK_WIDGET (status)), why));
  kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), survey_shot);

  /* The admin screen names the fault, and the figures count the held visits. */
  kiosk_test_unlock_admin (f->kiosk.window, PIN);
  storage = kiosk_admin_page_get_value (admin_page (f), "storage");
  g_test_message ("admin storage: %s", storage);
  g_assert_true (g_str_has_prefix (storage, "Failing: responses are held in memory — "));
  g_assert_nonnull (strstr (storage, why));
  g_assert_true (g_str_has_suffix (storage, f->db));
  g_assert_true (strstr (storage, why) < strstr (storage, f->db));
  kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), admin_shot);

  /* Writing works again: the store's own retry writes everything, and the screen says so. */
  kiosk_test_vfs_fail (KIOSK_TEST_VFS_WRITE, SQLITE_OK, 0);
  start = g_get_monotonic_time ();
  g_assert_true (kiosk_test_wait_for (all_written, f->kiosk.store, RETRY_WAIT_MS));
  g_test_message ("%u held visits written %.1f s after writing worked again", VISITS,
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  g_assert_cmpint (kiosk_store_get_health (f->kiosk.store), ==, KIOSK_STORAGE_OK);
  g_assert_cmpstr (kiosk_admin_page_get_value (admin_page (f), "storage"), ==, "OK");

  activate (f, "admin.leave", NULL);
  g_assert_true (kiosk_test_wait_for (on_survey_page, f, 5000));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (status_label (f))));

  /* Every visit, completed, with what the visitor chose. */
  responses = kiosk_store_list_responses (f->kiosk.store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (responses->len, ==, VISITS);
  for (guint i = 0; i < responses->len; i++)
    {
      KioskResponse *r = g_ptr_array_index (responses, i);

      g_assert_cmpint (r->seq, ==, i + 1);
      g_assert_cmpint (r->face, ==, i % 2 == 0 ? 0 : 3);
      g_assert_false (r->visit_open);
      g_assert_nonnull (r->follow_up_selected);
      g_assert_cmpstr (r->follow_up_selected[0], ==, i % 2 == 0 ? "staff" : "speed");
    }
  assert_on_disk (f->db, VISITS);
}

static void
test_disk_full (Fixture       *f,
                gconstpointer  data)
{
  check_fault (f, SQLITE_FULL, "the disk is full", "disk-full");
}

static void
test_io_error (Fixture       *f,
               gconstpointer  data)
{
  check_fault (f, SQLITE_IOERR_WRITE, "the storage reported an I/O error", "disk-io-error");
}

typedef struct
{
  gint64 last_us;
  gint64 longest_gap_us;
  guint  ticks;
} Ticks;

static gboolean
tick_cb (gpointer user_data)
{
  Ticks *ticks = user_data;
  gint64 now = g_get_monotonic_time ();

  ticks->longest_gap_us = MAX (ticks->longest_gap_us, now - ticks->last_us);
  ticks->last_us = now;
  ticks->ticks++;

  return G_SOURCE_CONTINUE;
}

static gboolean
figures_read (gpointer user_data)
{
  return !kiosk_admin_page_get_reading (user_data);
}

/* A slow card (every read 50 ms late) never stalls a frame: the admin screen opens with the
 * figures still to come, the main loop keeps turning while they are read on a worker thread,
 * and then they are there. Read on the main thread, the whole reading would be one gap. */
static void
test_slow_reads (Fixture       *f,
                 gconstpointer  data)
{
  Ticks ticks = { 0 };
  KioskAdminPage *admin;
  gint64 start, reading_us;
  guint source;

  for (guint i = 0; i < VISITS; i++)
    visit (f, i % 2 == 0 ? 0 : 3);
  g_assert_true (kiosk_test_wait_for (on_survey_page, f, 5000));

  kiosk_test_vfs_set_read_delay (50 * 1000);
  activate (f, "admin.request", NULL);
  for (const char *p = PIN; *p; p++)
    {
      char digit[2] = { *p, '\0' };

      activate (f, "pin.digit", "s", digit);
    }
  activate (f, "pin.submit", NULL);
  admin = admin_page (f);
  g_assert_true (kiosk_admin_page_get_reading (admin));
  g_assert_cmpstr (kiosk_admin_page_get_value (admin, "face-0"), ==, "—");
  g_assert_cmpstr (kiosk_admin_page_get_value (admin, "queue"), ==, "—");

  start = ticks.last_us = g_get_monotonic_time ();
  source = g_timeout_add (5, tick_cb, &ticks);
  g_assert_true (kiosk_test_wait_for (figures_read, admin, 30000));
  reading_us = g_get_monotonic_time () - start;
  g_source_remove (source);
  kiosk_test_vfs_set_read_delay (0);

  g_test_message ("figures read in %.0f ms; the main loop turned %u times, its longest gap "
                  "%.0f ms", reading_us / 1000.0, ticks.ticks, ticks.longest_gap_us / 1000.0);
  /* The reads were slow, and the main loop did not wait for them. */
  g_assert_cmpint (reading_us, >=, 250 * 1000);
  g_assert_cmpint (ticks.longest_gap_us, <, reading_us / 2);
  g_assert_cmpstr (kiosk_admin_page_get_value (admin, "face-0"), ==, "2");
  g_assert_cmpstr (kiosk_admin_page_get_value (admin, "face-3"), ==, "2");
  g_assert_cmpstr (kiosk_admin_page_get_value (admin, "queue"), ==, "4");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  kiosk_test_ui_init (&argc, &argv);

  pin_hash = kiosk_pin_hash (PIN, &error);
  g_assert_no_error (error);

  g_test_add ("/disk-faults/full", Fixture, NULL, fixture_setup, test_disk_full,
              fixture_teardown);
  g_test_add ("/disk-faults/io-error", Fixture, NULL, fixture_setup, test_io_error,
              fixture_teardown);
  g_test_add ("/disk-faults/slow-reads", Fixture, NULL, fixture_setup, test_slow_reads,
              fixture_teardown);

  return g_test_run ();
}
