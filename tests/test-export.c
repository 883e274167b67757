/* test-export.c: the admin screen's CSV export: which mounts count as a USB stick, the file's
 * name, every row written off the main thread with progress, and the errors staff see. */
#define G_LOG_DOMAIN "test-export"

#include "config.h"

#include <glib/gstdio.h>

#include "kiosk-export.h"
#include "kiosk-flow.h"
#include "kiosk-test-util.h"

typedef struct
{
  char        *dir;
  char        *db;
  GPtrArray   *progress;     /* rows reported, as GUINT_TO_POINTER */
  gboolean     done;
  gboolean     ok;
  guint64      rows;
  GError      *error;
  GThread     *main_thread;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = kiosk_test_make_tmpdir ();
  f->db = g_build_filename (f->dir, "responses.db", NULL);
  f->progress = g_ptr_array_new ();
  f->main_thread = g_thread_self ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  kiosk_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->db);
  g_ptr_array_unref (f->progress);
  g_clear_error (&f->error);
}

static void
record (Fixture *f,
        guint    count)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config =
    kiosk_config_new_from_data ("[kiosk]\ndevice-id = shop-7\nmisuse-interval = 0\n", -1, "e.conf",
                                &error);
  g_autoptr(KioskStore) store = kiosk_store_open (f->db, KIOSK_STORE_OPEN_DEFAULT, &error);
  g_autoptr(KioskClock) clock = kiosk_clock_new_fake (G_GINT64_CONSTANT (1767600000) *
                                                      G_USEC_PER_SEC, G_USEC_PER_SEC, "b");
  g_autoptr(KioskSurvey) survey = kiosk_survey_new_demo ();
  g_autoptr(KioskFlow) flow = kiosk_flow_new (config, store, clock, survey);

  g_assert_no_error (error);
  for (guint i = 0; i < count; i++)
    {
      kiosk_clock_advance (clock, 10 * G_USEC_PER_SEC);
      g_assert_nonnull (kiosk_flow_vote (flow, i % 4, KIOSK_INPUT_TOUCH, &error));
    }
}

static void
progress_cb (guint64  rows,
             guint64  total,
             gpointer user_data)
{
  Fixture *f = user_data;

  /* Reported where the export was started, never on the worker thread; the total is known
   * from the start. */
  g_assert_true (g_thread_self () == f->main_thread);
  g_assert_cmpuint (total, ==, 800);
  g_ptr_array_add (f->progress, GUINT_TO_POINTER ((guint) rows));
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *f = user_data;

  f->ok = kiosk_export_csv_finish (result, &f->rows, &f->error);
  f->done = TRUE;
}

static gboolean
is_done (gpointer user_data)
{
  return ((Fixture *) user_data)->done;
}

static void
test_export_rows (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "smiley-kiosk-shop-7-2026-01-05.csv", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint files = 0;

  record (f, 800);
  /* A previous export of the same day is replaced. */
  g_assert_true (g_file_set_contents (path, "old\n", -1, NULL));

  kiosk_export_csv_async (f->db, path, progress_cb, f, NULL, NULL, done_cb, f);
  g_assert_true (kiosk_test_wait_for (is_done, f, 20000));
  g_assert_no_error (f->error);
  g_assert_true (f->ok);
  g_assert_cmpuint (f->rows, ==, 800);

  /* Progress came in steps, rising, before the end. */
  g_assert_cmpuint (f->progress->len, >=, 2);
  for (guint i = 1; i < f->progress->len; i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (g_ptr_array_index (f->progress, i)), >,
                      GPOINTER_TO_UINT (g_ptr_array_index (f->progress, i - 1)));
  g_assert_cmpuint (GPOINTER_TO_UINT (g_ptr_array_index (f->progress, f->progress->len - 1)), <=,
                    800);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 800 + 1);
  g_assert_true (g_str_has_prefix (lines[0], "id,seq,"));
  g_assert_nonnull (strstr (lines[1], ",1,"));
  g_assert_cmpstr (lines[801], ==, "");

  /* Nothing but the export and the database is left behind. */
  dir = g_dir_open (f->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (!g_str_has_prefix (name, "responses.db"))
      files++;
  g_assert_cmpuint (files, ==, 1);
}

static void
test_export_errors (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "gone", "export.csv", NULL);
  g_autofree char *missing_db = g_build_filename (f->dir, "nothing.db", NULL);

  record (f, 3);
  kiosk_export_csv_async (f->db, path, NULL, NULL, NULL, NULL, done_cb, f);
  g_assert_true (kiosk_test_wait_for (is_done, f, 10000));
  g_assert_false (f->ok);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (f->error->message, "No such file or directory"));

  /* No database yet: said so, nothing written. */
  g_clear_error (&f->error);
  f->done = FALSE;
  g_clear_pointer (&path, g_free);
  path = g_build_filename (f->dir, "export.csv", NULL);
  kiosk_export_csv_async (missing_db, path, NULL, NULL, NULL, NULL, done_cb, f);
  g_assert_true (kiosk_test_wait_for (is_done, f, 10000));
  g_assert_false (f->ok);
  g_assert_nonnull (f->error);
  g_test_message ("without a database: %s", f->error->message);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_find_usb_dirs (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *media = g_build_filename (f->dir, "media", NULL);
  g_autofree char *stick = g_build_filename (media, "kiosk", "STICK", NULL);
  g_autofree char *second = g_build_filename (media, "kiosk", "A B", NULL);
  g_autofree char *locked = g_build_filename (media, "locked", NULL);
  g_autofree char *prefix = g_strconcat (media, "/", NULL);
  const char *prefixes[] = { prefix, NULL };
  g_autofree char *table = NULL;
  g_autofree char *mounts = NULL;
  g_auto(GStrv) dirs = NULL;
  g_auto(GStrv) real = NULL;

  g_assert_cmpint (g_mkdir_with_parents (stick, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (second, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (locked, 0500), ==, 0);

  /* As /proc/self/mounts has them: a space is \040. */
  table = g_strdup_printf ("/dev/vda1 / ext4 rw,relatime 0 0\n"
                           "/dev/sdb1 %s vfat rw,nosuid,nodev 0 0\n"
                           "/dev/sdc1 %s/kiosk/A\\040B exfat rw 0 0\n"
                           "/dev/sdd1 %s/kiosk/RO vfat ro,nosuid 0 0\n"
                           "/dev/sde1 %s vfat rw 0 0\n"
                           "/dev/sdf1 %s/kiosk/GONE vfat rw 0 0\n"
                           "tmpfs /run/user/1000 tmpfs rw 0 0\n",
                           stick, media, media, locked, media);
  mounts = kiosk_test_write_file (f->dir, "mounts", table);

  dirs = kiosk_export_find_usb_dirs (mounts, prefixes);
  g_assert_cmpuint (g_strv_length (dirs), ==, getuid () == 0 ? 3 : 2);
  g_assert_cmpstr (dirs[0], ==, second);
  g_assert_cmpstr (dirs[1], ==, stick);

  /* The real table, with the real places: whatever is there, it works. */
  real = kiosk_export_find_usb_dirs (NULL, NULL);
  g_assert_nonnull (real);
}

static void
test_file_name (void)
{
  g_autoptr(GDateTime) date = g_date_time_new_utc (2026, 1, 5, 23, 59, 0);
  g_autofree char *name = kiosk_export_file_name ("shop-7.exit_B", date);

  g_assert_cmpstr (name, ==, "smiley-kiosk-shop-7.exit_B-2026-01-05.csv");
}

/* "Export CSV" writes into the first place it is given, under the kiosk's own file name; with no
 * place at all it says so. */
static void
test_stick_path (void)
{
  g_autoptr(GDateTime) date = g_date_time_new_utc (2026, 1, 5, 12, 0, 0);
  const char * const dirs[] = { "/media/kiosk/STICK", "/media/kiosk/OTHER", NULL };
  const char * const none[] = { NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = kiosk_export_stick_path (dirs, "shop-7", date, &error);
  g_autofree char *nowhere = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, "/media/kiosk/STICK/smiley-kiosk-shop-7-2026-01-05.csv");

  nowhere = kiosk_export_stick_path (none, "shop-7", date, &error);
  g_assert_null (nowhere);
  g_assert_error (error, KIOSK_EXPORT_ERROR, KIOSK_EXPORT_ERROR_NO_STICK);
  g_assert_cmpstr (error->message, ==, "No directory to export to was given");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/export/rows", Fixture, NULL, fixture_setup, test_export_rows, fixture_teardown);
  g_test_add ("/export/errors", Fixture, NULL, fixture_setup, test_export_errors,
              fixture_teardown);
  g_test_add ("/export/find-usb-dirs", Fixture, NULL, fixture_setup, test_find_usb_dirs,
              fixture_teardown);
  g_test_add_func ("/export/file-name", test_file_name);
  g_test_add_func ("/export/stick-path", test_stick_path);

  return g_test_run ();
}
