/* test-store-faults.c: a full or nearly full disk, an I/O error at commit, a failing fsync and a
 * state directory that is or turns read-only while the kiosk records: nobody's tap is lost,
 * reordered or doubled, the visitor is still thanked, and everything held is written as soon as
 * writing works again. Faults come from the injecting VFS and, when running as root, from a real
 * tiny tmpfs and a real ext4 image that the kernel turns read-only. */
#define G_LOG_DOMAIN "test-store-faults"
/* unshare() and CLONE_NEWNS */
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "kiosk-flow.h"
#include "kiosk-store.h"
#include "kiosk-test-server.h"
#include "kiosk-test-sync.h"
#include "kiosk-test-util.h"
#include "kiosk-uploader.h"
#include "kiosk-test-vfs.h"

/* 2026-03-14T15:09:26.535897Z: a fixed instant, so nothing depends on today's date. */
#define T0 G_GINT64_CONSTANT (1773500966535897)
#define SECONDS(s) ((gint64) (s) * G_USEC_PER_SEC)

/* KIOSK_STORE_RETRY_SECONDS is 5; g_timeout_add_seconds() may add up to a second. */
#define RETRY_WAIT_MS 15000

#define ENV_DIR     "KIOSK_TEST_FAULTS_DIR"
#define ENV_MOUNTED "KIOSK_TEST_FAULTS_MOUNTED"

/* The store's messages are recorded (kiosk-test-util.h): where the kiosk warns once for many held
 * taps, the test claims that one warning, and any other would fail it. */
static const char *const recorded_domains[] = { "kiosk-store", NULL };

/* Helpers */

static KioskResponse *
make_response (guint n,
               int   face)
{
  KioskResponse *r = kiosk_response_new ();

  r->uuid = g_strdup_printf ("00000000-0000-4000-8000-%012u", n);
  r->face = face;
  r->scale = 4;
  r->survey_id = g_strdup ("demo");
  r->survey_version = 1;
  r->language = g_strdup ("en");
  r->input = KIOSK_INPUT_TOUCH;
  r->time.wall_us = T0 + SECONDS (n);
  r->time.monotonic_us = SECONDS (1000 + n);
  r->time.synced = TRUE;
  r->boot_id = g_strdup ("4b3f7c1e-9a2d-4e61-8c0f-2d5e6a7b8c9d");

  return r;
}

static KioskStore *
open_ok (const char          *path,
         KioskStoreOpenFlags  flags)
{
  g_autoptr(GError) error = NULL;
  KioskStore *store = kiosk_store_open (path, flags, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* What the store accepted, as the visitor was told: KioskResponse copies in order. */
static GPtrArray *
new_accepted (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_response_free);
}

static gint64
last_accepted_seq (GPtrArray *accepted)
{
  if (accepted->len == 0)
    return 0;

  return ((KioskResponse *) g_ptr_array_index (accepted, accepted->len - 1))->seq;
}

/* Records the next response and expects it on disk with the next number. */
static void
record_durable (KioskStore *store,
                GPtrArray  *accepted,
                int         face)
{
  g_autoptr(KioskResponse) r = make_response (accepted->len + 1, face);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = kiosk_store_record (store, r, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpint (r->seq, ==, last_accepted_seq (accepted) + 1);
  g_ptr_array_add (accepted, kiosk_response_copy (r));
}

/* Records the next response while writing fails: accepted, numbered, held, and the error says
 * why in words. */
static void
record_held (KioskStore  *store,
             GPtrArray   *accepted,
             int          face,
             int          expected_code,
             const char  *expected_text)
{
  g_autoptr(KioskResponse) r = make_response (accepted->len + 1, face);
  g_autoptr(GError) error = NULL;
  guint unwritten = kiosk_store_get_unwritten (store);
  gint64 expected_seq = last_accepted_seq (accepted) + 1;

  g_assert_false (kiosk_store_record (store, r, &error));
  g_assert_error (error, KIOSK_STORE_ERROR, expected_code);
  g_test_message ("held: %s", error->message);
  g_assert_true (g_str_has_prefix (error->message, kiosk_store_get_path (store)));
  g_assert_nonnull (strstr (error->message, expected_text));

  g_assert_cmpint (r->seq, ==, expected_seq);
  g_assert_cmpint (kiosk_store_get_last_seq (store), ==, r->seq);
  g_assert_cmpuint (kiosk_store_get_unwritten (store), ==, unwritten + 1);
  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_FAILING);
  g_assert_nonnull (strstr (kiosk_store_get_health_message (store), expected_text));
  g_ptr_array_add (accepted, kiosk_response_copy (r));
}

/* The store's own view: every accepted response, written or held, in sequence order. */
static void
assert_listed (KioskStore *store,
               GPtrArray  *accepted)
{
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;

  listed = kiosk_store_list_responses (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, accepted->len);
  for (guint i = 0; i < listed->len; i++)
    {
      KioskResponse *r = g_ptr_array_index (listed, i);
      KioskResponse *expected = g_ptr_array_index (accepted, i);

      g_assert_cmpint (r->seq, ==, expected->seq);
      g_assert_cmpstr (r->uuid, ==, expected->uuid);
      g_assert_cmpint (r->face, ==, expected->face);
    }
}

/* The file's view, through a connection of our own on the plain "unix" VFS: exactly the first
 * @n accepted responses, each once, with their numbers, in order, and a sound file. */
static void
assert_first_on_disk (const char *path,
                      GPtrArray  *accepted,
                      guint       n)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint rows = 0;
  int rc;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, "unix");
  g_assert_cmpint (rc, ==, SQLITE_OK);

  rc = sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);

  rc = sqlite3_prepare_v2 (db, "SELECT seq, uuid FROM responses ORDER BY seq", -1, &stmt, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      KioskResponse *expected;

      g_assert_cmpuint (rows, <, n);
      expected = g_ptr_array_index (accepted, rows);
      g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, expected->seq);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, expected->uuid);
      rows++;
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  g_assert_cmpuint (rows, ==, n);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
assert_on_disk (const char *path,
                GPtrArray  *accepted)
{
  assert_first_on_disk (path, accepted, accepted->len);
}

static void
assert_write_failure_incident (KioskStore *store,
                               guint       written,
                               const char *why)
{
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *count = g_strdup_printf ("; %u held responses were written afterwards", written);
  const char *line;

  incidents = kiosk_store_list_incidents (store, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (incidents->len, >=, 1);

  line = g_ptr_array_index (incidents, 0);
  g_test_message ("incident: %s", line);
  g_assert_nonnull (strstr (line, " write-failure: Writing failed from "));
  g_assert_nonnull (strstr (line, why));
  g_assert_true (g_str_has_suffix (line, count));
}

static void
assert_recovered (KioskStore *store)
{
  g_assert_cmpuint (kiosk_store_get_unwritten (store), ==, 0);
  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_OK);
  g_assert_null (kiosk_store_get_health_message (store));
}

static gboolean
all_written (gpointer user_data)
{
  return kiosk_store_get_unwritten (KIOSK_STORE (user_data)) == 0;
}

/* The store's own retry timer, on the main loop, with a bound. */
static void
wait_for_retry (KioskStore *store)
{
  gint64 start = g_get_monotonic_time ();

  if (!kiosk_test_wait_for (all_written, store, RETRY_WAIT_MS))
    {
      g_printerr ("%u responses still held after %d ms; health %d: %s\n",
                  kiosk_store_get_unwritten (store), RETRY_WAIT_MS,
                  kiosk_store_get_health (store), kiosk_store_get_health_message (store));
      g_assert_cmpuint (kiosk_store_get_unwritten (store), ==, 0);
    }
  g_test_message ("the retry timer wrote everything after %.1f s",
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* A measured figure: on stderr, which a test's subprocess shares with the test log. */
static void G_GNUC_PRINTF (1, 2)
report_figure (const char *format,
               ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("# %s\n", text);
}

/* Tests with the fault-injecting VFS */

typedef enum
{
  RECOVER_BY_FLUSH,
  RECOVER_BY_TIMER,
} Recovery;

static void
check_write_fault (KioskTestVfsOp  op,
                   int             sqlite_rc,
                   int             expected_code,
                   const char     *expected_text,
                   Recovery        recovery)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autofree char *pattern = g_strdup_printf ("Storage failing: *%s*", expected_text);
  g_autoptr(GPtrArray) accepted = new_accepted ();
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GError) error = NULL;
  KioskFaceCounts counts;
  guint health_notifies = 0;
  gboolean ok;

  kiosk_test_vfs_install ();
  store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
  g_signal_connect (store, "notify::health", G_CALLBACK (count_notify), &health_notifies);

  record_durable (store, accepted, 3);
  record_durable (store, accepted, 3);

  kiosk_test_vfs_fail (op, sqlite_rc, KIOSK_TEST_VFS_FOREVER);

  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_WARNING, pattern);
  record_held (store, accepted, 0, expected_code, expected_text);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (kiosk_test_vfs_get_injected (op), >, 0);
  g_assert_cmpuint (health_notifies, >, 0);

  /* Later visitors are accepted in order behind the held ones. */
  record_held (store, accepted, 1, expected_code, expected_text);
  record_held (store, accepted, 2, expected_code, expected_text);
  g_assert_cmpuint (kiosk_store_get_unwritten (store), ==, 3);

  /* Today's figures and the list already include what is held. */
  ok = kiosk_store_count_faces (store, G_MININT64, G_MAXINT64, &counts, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (counts.faces[0], ==, 1);
  g_assert_cmpuint (counts.faces[1], ==, 1);
  g_assert_cmpuint (counts.faces[2], ==, 1);
  g_assert_cmpuint (counts.faces[3], ==, 2);
  assert_listed (store, accepted);

  /* Flushing while the fault lasts fails the same way and keeps everything. */
  g_assert_false (kiosk_store_flush (store, &error));
  g_assert_error (error, KIOSK_STORE_ERROR, expected_code);
  g_assert_nonnull (strstr (error->message, expected_text));
  g_clear_error (&error);
  g_assert_cmpuint (kiosk_store_get_unwritten (store), ==, 3);

  /* The disk works again. */
  kiosk_test_vfs_fail (op, SQLITE_OK, 0);
  health_notifies = 0;

  if (recovery == RECOVER_BY_FLUSH)
    {
      ok = kiosk_store_flush (store, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      wait_for_retry (store);
    }

  assert_recovered (store);
  g_assert_cmpuint (health_notifies, >, 0);
  assert_write_failure_incident (store, 3, expected_text);
  assert_listed (store, accepted);

  /* Nothing is held any more: the next tap goes straight to disk with the next number. */
  record_durable (store, accepted, 2);
  assert_on_disk (path, accepted);

  g_assert_finalize_object (g_steal_pointer (&store));
  kiosk_test_vfs_uninstall ();
  assert_on_disk (path, accepted);
  kiosk_test_rm_rf (dir);
}

static void
test_disk_full_flush (void)
{
  check_write_fault (KIOSK_TEST_VFS_WRITE, SQLITE_FULL, KIOSK_STORE_ERROR_FULL,
                     "the disk is full", RECOVER_BY_FLUSH);
}

static void
test_disk_full_retry (void)
{
  check_write_fault (KIOSK_TEST_VFS_WRITE, SQLITE_FULL, KIOSK_STORE_ERROR_FULL,
                     "the disk is full", RECOVER_BY_TIMER);
}

static void
test_write_error_flush (void)
{
  check_write_fault (KIOSK_TEST_VFS_WRITE, SQLITE_IOERR_WRITE, KIOSK_STORE_ERROR_IO,
                     "the storage reported an I/O error", RECOVER_BY_FLUSH);
}

/* The commit's frames reach the log but fsync fails: the commit did not happen, and the retry
 * must not store anything twice. */
static void
test_fsync_error_flush (void)
{
  check_write_fault (KIOSK_TEST_VFS_SYNC, SQLITE_IOERR_FSYNC, KIOSK_STORE_ERROR_IO,
                     "the storage reported an I/O error", RECOVER_BY_FLUSH);
}

static void
test_fsync_error_retry (void)
{
  check_write_fault (KIOSK_TEST_VFS_SYNC, SQLITE_IOERR_FSYNC, KIOSK_STORE_ERROR_IO,
                     "the storage reported an I/O error", RECOVER_BY_TIMER);
}

/* A single failed fsync, then the disk works: only the response in that commit is held. */
static void
test_fsync_error_once (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(GPtrArray) accepted = new_accepted ();
  g_autoptr(KioskStore) store = NULL;

  kiosk_test_vfs_install ();
  store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
  record_durable (store, accepted, 3);

  kiosk_test_vfs_fail (KIOSK_TEST_VFS_SYNC, SQLITE_IOERR_FSYNC, 1);
  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_WARNING, "Storage failing: *I/O error*");
  record_held (store, accepted, 0, KIOSK_STORE_ERROR_IO, "the storage reported an I/O error");
  g_test_assert_expected_messages ();
  g_assert_cmpuint (kiosk_test_vfs_get_injected (KIOSK_TEST_VFS_SYNC), ==, 1);

  /* The next tap writes the held one first, then itself, in one transaction. */
  record_durable (store, accepted, 1);
  assert_recovered (store);
  assert_write_failure_incident (store, 2, "the storage reported an I/O error");
  assert_on_disk (path, accepted);

  g_assert_finalize_object (g_steal_pointer (&store));
  kiosk_test_vfs_uninstall ();
  assert_on_disk (path, accepted);
  kiosk_test_rm_rf (dir);
}

/* An I/O error at COMMIT, on the write-ahead log only: the commit's frames cannot be written, or
 * they are written and the fsync that makes them durable fails. Either way the commit did not
 * happen; another connection does not see it, the same connection goes on working, and the next
 * tap writes the held responses and itself exactly once. */
typedef struct
{
  KioskTestVfsOp op;
  int            sqlite_rc;
  guint          commits;  /* consecutive commits that fail */
} CommitFault;

static const CommitFault wal_write_once = { KIOSK_TEST_VFS_WRITE, SQLITE_IOERR_WRITE, 1 };
static const CommitFault wal_write_three = { KIOSK_TEST_VFS_WRITE, SQLITE_IOERR_WRITE, 3 };
static const CommitFault wal_fsync_once = { KIOSK_TEST_VFS_SYNC, SQLITE_IOERR_FSYNC, 1 };
static const CommitFault wal_fsync_three = { KIOSK_TEST_VFS_SYNC, SQLITE_IOERR_FSYNC, 3 };

static void
test_commit_fault (gconstpointer data)
{
  const CommitFault *fault = data;
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(GPtrArray) accepted = new_accepted ();
  g_autoptr(KioskStore) store = NULL;
  guint durable, calls;

  kiosk_test_vfs_install ();
  store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
  for (guint i = 0; i < 3; i++)
    record_durable (store, accepted, 3);
  durable = accepted->len;

  /* Each commit in WAL mode writes its frames to the log and, synchronous=FULL, syncs it. */
  calls = kiosk_test_vfs_get_calls (fault->op);
  record_durable (store, accepted, 2);
  g_assert_cmpuint (kiosk_test_vfs_get_calls (fault->op), >, calls);
  durable = accepted->len;

  kiosk_test_vfs_fail_only (fault->op, SQLITE_OPEN_WAL, fault->sqlite_rc, fault->commits);
  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_WARNING, "Storage failing: *I/O error*");
  for (guint i = 0; i < fault->commits; i++)
    record_held (store, accepted, i % 4, KIOSK_STORE_ERROR_IO, "the storage reported an I/O error");
  g_test_assert_expected_messages ();
  g_assert_cmpuint (kiosk_test_vfs_get_injected (fault->op), ==, fault->commits);
  report_figure ("%u commits failed at the WAL's %s; %u responses held", fault->commits,
                  fault->op == KIOSK_TEST_VFS_SYNC ? "fsync" : "write",
                  kiosk_store_get_unwritten (store));

  /* Nobody else sees a commit that failed, and the file is sound. */
  assert_first_on_disk (path, accepted, durable);
  assert_listed (store, accepted);

  /* The fault has passed (it was for @commits calls only): the same store, without a reopen or
   * a flush, writes the held ones and the new tap together. */
  record_durable (store, accepted, 1);
  assert_recovered (store);
  assert_write_failure_incident (store, fault->commits + 1, "the storage reported an I/O error");
  record_durable (store, accepted, 0);
  assert_on_disk (path, accepted);

  g_assert_finalize_object (g_steal_pointer (&store));
  kiosk_test_vfs_uninstall ();

  /* Reopened: a failed commit's frames that reached the log are not replayed as a second copy. */
  assert_on_disk (path, accepted);
  store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
  assert_listed (store, accepted);
  g_assert_finalize_object (g_steal_pointer (&store));
  assert_on_disk (path, accepted);
  kiosk_test_rm_rf (dir);
}

static void
test_full_at_open (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(GPtrArray) accepted = new_accepted ();
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  kiosk_test_vfs_install ();
  kiosk_test_vfs_fail (KIOSK_TEST_VFS_WRITE, SQLITE_FULL, KIOSK_TEST_VFS_FOREVER);

  /* A tool gives up with the reason... */
  store = kiosk_store_open (path, KIOSK_STORE_OPEN_DEFAULT, &error);
  g_assert_null (store);
  g_assert_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_FULL);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, ": the disk is full while "));
  g_clear_error (&error);

  /* ...the kiosk starts anyway and holds what it is given. */
  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_WARNING,
                         "*the disk is full*; responses will be held in memory until it works");
  store = open_ok (path, KIOSK_STORE_OPEN_KEEP_GOING);
  g_test_assert_expected_messages ();
  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_FAILING);
  g_assert_nonnull (strstr (kiosk_store_get_health_message (store), "the disk is full"));

  record_held (store, accepted, 3, KIOSK_STORE_ERROR_FULL, "the disk is full");
  record_held (store, accepted, 0, KIOSK_STORE_ERROR_FULL, "the disk is full");

  kiosk_test_vfs_fail (KIOSK_TEST_VFS_WRITE, SQLITE_OK, 0);
  ok = kiosk_store_flush (store, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  assert_recovered (store);
  assert_write_failure_incident (store, 2, "the disk is full");
  assert_listed (store, accepted);

  record_durable (store, accepted, 1);
  g_assert_finalize_object (g_steal_pointer (&store));
  kiosk_test_vfs_uninstall ();
  assert_on_disk (path, accepted);
  kiosk_test_rm_rf (dir);
}

static void
recorded_cb (KioskFlow     *flow,
             KioskResponse *response,
             gboolean       durable,
             gpointer       user_data)
{
  int *last_durable = user_data;

  *last_durable = durable;
}

/* The visitor is thanked whatever the disk does. */
static void
test_flow_thanks_while_failing (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(GPtrArray) accepted = new_accepted ();
  g_autoptr(KioskConfig) config = kiosk_config_new_default ();
  g_autoptr(KioskClock) clock = kiosk_clock_new_fake (T0, SECONDS (1000), NULL);
  g_autofree char *survey_path = g_test_build_filename (G_TEST_DIST, "data", "survey-minimal.json",
                                                        NULL);
  /* No follow-up: the tap goes straight to the thank-you state. */
  g_autoptr(KioskSurvey) survey = kiosk_survey_new_from_file (survey_path, NULL);
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(KioskFlow) flow = NULL;
  g_autoptr(GError) error = NULL;
  const KioskResponse *response;
  int durable = -1;

  kiosk_test_vfs_install ();
  store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
  flow = kiosk_flow_new (config, store, clock, survey);
  g_signal_connect (flow, "recorded", G_CALLBACK (recorded_cb), &durable);

  kiosk_test_vfs_fail (KIOSK_TEST_VFS_WRITE, SQLITE_FULL, KIOSK_TEST_VFS_FOREVER);

  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_WARNING, "Storage failing: *the disk is full*");
  response = kiosk_flow_vote (flow, 3, KIOSK_INPUT_TOUCH, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_nonnull (response);
  g_assert_cmpint (kiosk_flow_get_state (flow), ==, KIOSK_FLOW_THANKS);
  g_assert_true (kiosk_flow_get_last_response (flow) == response);
  g_assert_cmpint (response->seq, ==, 1);
  g_assert_cmpint (response->face, ==, 3);
  g_assert_nonnull (response->uuid);
  g_assert_false (durable);
  g_assert_cmpuint (kiosk_store_get_unwritten (store), ==, 1);
  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_FAILING);
  g_ptr_array_add (accepted, kiosk_response_copy (response));

  /* The next visitor, well after the misuse interval. */
  kiosk_flow_return_to_survey (flow);
  kiosk_clock_advance (clock, SECONDS (60));
  response = kiosk_flow_vote (flow, 0, KIOSK_INPUT_BUTTON, &error);
  g_assert_no_error (error);
  g_assert_nonnull (response);
  g_assert_cmpint (kiosk_flow_get_state (flow), ==, KIOSK_FLOW_THANKS);
  g_assert_cmpint (response->seq, ==, 2);
  g_assert_false (response->misuse);
  g_assert_false (durable);
  g_assert_cmpuint (kiosk_store_get_unwritten (store), ==, 2);
  g_ptr_array_add (accepted, kiosk_response_copy (response));

  /* The disk works again: the next vote writes the held ones first, then itself. */
  kiosk_test_vfs_fail (KIOSK_TEST_VFS_WRITE, SQLITE_OK, 0);
  kiosk_flow_return_to_survey (flow);
  kiosk_clock_advance (clock, SECONDS (60));
  response = kiosk_flow_vote (flow, 1, KIOSK_INPUT_TOUCH, &error);
  g_assert_no_error (error);
  g_assert_nonnull (response);
  g_assert_cmpint (response->seq, ==, 3);
  g_assert_true (durable);
  g_ptr_array_add (accepted, kiosk_response_copy (response));
  assert_recovered (store);

  g_assert_finalize_object (g_steal_pointer (&flow));
  g_assert_finalize_object (g_steal_pointer (&store));
  kiosk_test_vfs_uninstall ();
  assert_on_disk (path, accepted);
  kiosk_test_rm_rf (dir);
}

/* Tests in a subprocess
 *
 * The body runs in a subprocess so that the parent can always unmount, whatever the body did, and
 * a failure is reported without stopping the tests after it. As root the directory can be a
 * fresh tmpfs (which can be filled or remounted read-only); otherwise read-only is a chmod. */

typedef void (*IsolatedBody) (const char *dir,
                              gboolean    mounted);

typedef enum
{
  ISOLATED_PLAIN,      /* an ordinary temporary directory */
  ISOLATED_TMPFS,      /* a tiny tmpfs of its own: skipped unless it can be mounted */
  ISOLATED_READ_ONLY,  /* can be made read-only: a tmpfs as root, chmod otherwise */
} IsolatedDir;

#define TMPFS_OPTIONS "size=512k,mode=0700"

static void
run_isolated (IsolatedBody body,
              IsolatedDir  kind)
{
  g_autofree char *dir = NULL;
  g_autofree char *skip = NULL;
  gboolean mounted = FALSE;

  if (g_test_subprocess ())
    {
      body (g_getenv (ENV_DIR), g_strcmp0 (g_getenv (ENV_MOUNTED), "1") == 0);
      return;
    }

  dir = kiosk_test_make_tmpdir ();

  if (kind != ISOLATED_PLAIN)
    {
      if (geteuid () != 0)
        skip = g_strdup ("needs root to mount a tmpfs");
      else if (mount ("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, TMPFS_OPTIONS) != 0)
        skip = g_strdup_printf ("cannot mount a tmpfs (%s): %s", TMPFS_OPTIONS,
                                g_strerror (errno));
      else
        mounted = TRUE;

      /* As root, chmod stops nobody: without a tmpfs there is no read-only directory either. */
      if (!mounted && (kind == ISOLATED_TMPFS || geteuid () == 0))
        {
          g_test_skip (skip);
          kiosk_test_rm_rf (dir);
          return;
        }
    }

  g_setenv (ENV_DIR, dir, TRUE);
  g_setenv (ENV_MOUNTED, mounted ? "1" : "0", TRUE);
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv (ENV_DIR);
  g_unsetenv (ENV_MOUNTED);

  if (mounted && umount2 (dir, MNT_DETACH) != 0)
    g_warning ("Cannot unmount %s: %s", dir, g_strerror (errno));
  g_chmod (dir, 0700);
  kiosk_test_rm_rf (dir);

  /* Fail this test and go on with the next; the child's own message is on stderr above. */
  if (!g_test_trap_has_passed ())
    g_test_fail_printf ("the test's subprocess failed; its message is above");
}

static void
set_writable (const char *dir,
              gboolean    mounted,
              gboolean    writable)
{
  if (mounted)
    {
      unsigned long flags = MS_REMOUNT | MS_NOSUID | MS_NODEV | (writable ? 0 : MS_RDONLY);

      if (mount ("tmpfs", dir, NULL, flags, NULL) != 0)
        g_error ("Cannot remount %s %s: %s", dir, writable ? "rw" : "ro", g_strerror (errno));
    }
  else
    {
      /* Without root, the files too: a read-only directory alone still lets SQLite write into
       * the files that are already there. */
      g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
      const char *name;

      g_assert_nonnull (entries);
      while ((name = g_dir_read_name (entries)) != NULL)
        {
          g_autofree char *file = g_build_filename (dir, name, NULL);

          if (g_file_test (file, G_FILE_TEST_IS_REGULAR))
            g_assert_cmpint (g_chmod (file, writable ? 0600 : 0400), ==, 0);
        }
      g_assert_cmpint (g_chmod (dir, writable ? 0700 : 0500), ==, 0);
    }
}

/* Fills the file system to the last byte. */
static void
fill_file_system (const char *dir)
{
  g_autofree char *filler = g_build_filename (dir, "filler", NULL);
  static const gsize sizes[] = { 65536, 4096, 512, 1 };
  char block[65536] = { 0 };
  guint64 total = 0;
  int saved_errno = 0;
  int fd;

  fd = g_open (filler, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      ssize_t n;

      while ((n = write (fd, block, sizes[i])) > 0)
        total += n;
      saved_errno = errno;
      g_assert_cmpint (n, <, 0);
    }

  g_assert_cmpint (saved_errno, ==, ENOSPC);
  g_assert_cmpint (close (fd), ==, 0);
  g_test_message ("filled %s with %" G_GUINT64_FORMAT " bytes", dir, total);
}

#define TMPFS_HELD 5

static void
tmpfs_full_body (const char *dir,
                 gboolean    mounted)
{
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autofree char *filler = g_build_filename (dir, "filler", NULL);
  g_autoptr(GPtrArray) accepted = new_accepted ();
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GError) error = NULL;
  KioskFaceCounts counts;
  gboolean ok;

  g_assert_true (mounted);

  store = open_ok (path, KIOSK_STORE_OPEN_KEEP_GOING);
  for (guint i = 0; i < 3; i++)
    record_durable (store, accepted, 3);

  fill_file_system (dir);

  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_WARNING, "Storage failing: *the disk is full*");
  record_held (store, accepted, 0, KIOSK_STORE_ERROR_FULL, "the disk is full");
  g_test_assert_expected_messages ();
  for (guint i = 1; i < TMPFS_HELD; i++)
    record_held (store, accepted, i % 4, KIOSK_STORE_ERROR_FULL, "the disk is full");

  g_assert_cmpuint (kiosk_store_get_unwritten (store), ==, TMPFS_HELD);
  assert_listed (store, accepted);
  ok = kiosk_store_count_faces (store, G_MININT64, G_MAXINT64, &counts, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (kiosk_face_counts_total (&counts), ==, 3 + TMPFS_HELD);

  /* Someone frees space; the store notices by itself. */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  wait_for_retry (store);

  assert_recovered (store);
  assert_write_failure_incident (store, TMPFS_HELD, "the disk is full");
  record_durable (store, accepted, 2);
  assert_listed (store, accepted);
  assert_on_disk (path, accepted);

  g_assert_finalize_object (g_steal_pointer (&store));
  assert_on_disk (path, accepted);
}

static void
test_tmpfs_full (void)
{
  run_isolated (tmpfs_full_body, ISOLATED_TMPFS);
}

/* Nearly full: only a few KiB left, so the write-ahead log grows into the end of the disk in the
 * middle of a commit, after some taps were written. */
#define NEARLY_FULL_LEFT 16384
#define NEARLY_FULL_TAPS 120

static void
tmpfs_nearly_full_body (const char *dir,
                        gboolean    mounted)
{
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autofree char *filler = g_build_filename (dir, "filler", NULL);
  g_autoptr(GPtrArray) accepted = new_accepted ();
  g_autoptr(KioskStore) store = NULL;
  struct statvfs fs;
  GStatBuf st;
  guint written = 0, held = 0;
  gint64 start;

  g_assert_true (mounted);

  store = open_ok (path, KIOSK_STORE_OPEN_KEEP_GOING);
  for (guint i = 0; i < 3; i++)
    record_durable (store, accepted, 3);

  fill_file_system (dir);
  g_assert_cmpint (g_stat (filler, &st), ==, 0);
  g_assert_cmpint (truncate (filler, st.st_size - NEARLY_FULL_LEFT), ==, 0);
  g_assert_cmpint (statvfs (dir, &fs), ==, 0);
  g_assert_cmpuint ((guint64) fs.f_bavail * fs.f_frsize, >, 0);
  g_test_message ("%" G_GUINT64_FORMAT " bytes left on %s",
                  (guint64) fs.f_bavail * fs.f_frsize, dir);

  kiosk_test_log_defer_warnings ();
  for (guint i = 0; i < NEARLY_FULL_TAPS; i++)
    {
      g_autoptr(KioskResponse) r = make_response (accepted->len + 1, i % 4);
      g_autoptr(GError) error = NULL;

      if (kiosk_store_record (store, r, &error))
        {
          g_assert_no_error (error);
          /* Once a tap is held, no later one overtakes it. */
          g_assert_cmpuint (held, ==, 0);
          written++;
        }
      else
        {
          g_assert_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_FULL);
          if (held == 0)
            g_test_message ("tap %u held: %s", i + 1, error->message);
          held++;
        }
      g_assert_cmpint (r->seq, ==, last_accepted_seq (accepted) + 1);
      g_ptr_array_add (accepted, kiosk_response_copy (r));
    }
  /* One warning when the first tap is held, none for the later ones. */
  kiosk_test_assert_logged ("WARNING *held in memory*");
  kiosk_test_log_check_unclaimed ();

  report_figure ("disk nearly full (%u bytes left): %u taps, %u written, %u held",
                 NEARLY_FULL_LEFT, NEARLY_FULL_TAPS, written, held);
  g_assert_cmpuint (written, >, 0);
  g_assert_cmpuint (held, >, 0);
  g_assert_cmpuint (kiosk_store_get_unwritten (store), ==, held);
  g_assert_nonnull (strstr (kiosk_store_get_health_message (store), "the disk is full"));
  assert_listed (store, accepted);
  assert_first_on_disk (path, accepted, 3 + written);

  /* Space is freed; the store notices by itself. */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  start = g_get_monotonic_time ();
  wait_for_retry (store);
  report_figure ("nearly full: %u held responses written %.1f s after space was freed", held,
                 (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);

  assert_recovered (store);
  assert_write_failure_incident (store, held, "the disk is full");
  record_durable (store, accepted, 2);
  assert_listed (store, accepted);
  assert_on_disk (path, accepted);

  g_assert_finalize_object (g_steal_pointer (&store));
  assert_on_disk (path, accepted);
}

static void
test_tmpfs_nearly_full (void)
{
  run_isolated (tmpfs_nearly_full_body, ISOLATED_TMPFS);
}

/* Starts with the directory read-only and no database in it yet. */
static void
read_only_new_body (const char *dir,
                    gboolean    mounted)
{
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(GPtrArray) accepted = new_accepted ();
  g_autoptr(KioskStore) store = NULL;
  const char *message;

  set_writable (dir, mounted, FALSE);

  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_WARNING,
                         "*; responses will be held in memory until it works");
  store = open_ok (path, KIOSK_STORE_OPEN_KEEP_GOING);
  g_test_assert_expected_messages ();

  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_FAILING);
  message = kiosk_store_get_health_message (store);
  g_test_message ("health: %s", message);
  g_assert_nonnull (message);
  g_assert_true (g_str_has_prefix (message, path));
  g_assert_nonnull (strstr (message, "the file cannot be opened while opening the database"));

  for (guint i = 0; i < 3; i++)
    record_held (store, accepted, i, KIOSK_STORE_ERROR_OPEN, "the file cannot be opened");
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  set_writable (dir, mounted, TRUE);
  wait_for_retry (store);

  assert_recovered (store);
  assert_write_failure_incident (store, 3, "the file cannot be opened");
  record_durable (store, accepted, 3);
  assert_on_disk (path, accepted);

  g_assert_finalize_object (g_steal_pointer (&store));
  assert_on_disk (path, accepted);
}

static void
test_read_only_new (void)
{
  run_isolated (read_only_new_body, ISOLATED_READ_ONLY);
}

/* Records as a visitor would: accepted, numbered, held, with a reason. */
static void
record_held_any (KioskStore *store,
                 GPtrArray  *accepted,
                 const char *path)
{
  g_autoptr(KioskResponse) r = make_response (accepted->len + 1, accepted->len % 4);
  g_autoptr(GError) error = NULL;

  g_assert_false (kiosk_store_record (store, r, &error));
  g_assert_nonnull (error);
  g_test_message ("held as %" G_GINT64_FORMAT ": %s", r->seq, error->message);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_cmpint (r->seq, >, last_accepted_seq (accepted));
  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_FAILING);
  g_ptr_array_add (accepted, kiosk_response_copy (r));
}

/* Yesterday's database in a directory that is read-only today. @crashed: yesterday's process
 * died, leaving its -wal and -shm files behind. */
static void
check_read_only_existing (const char *dir,
                          gboolean    mounted,
                          gboolean    crashed)
{
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autofree char *shm_path = g_strconcat (path, "-shm", NULL);
  g_autoptr(GPtrArray) accepted = new_accepted ();
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (crashed)
    {
      pid_t pid = fork ();
      int status = 0;

      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          KioskStore *doomed = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);

          record_durable (doomed, accepted, 3);
          record_durable (doomed, accepted, 2);
          _exit (0);
        }
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
      g_assert_true (g_file_test (shm_path, G_FILE_TEST_EXISTS));
      for (guint i = 1; i <= 2; i++)
        {
          KioskResponse *r = make_response (i, 4 - i);

          r->seq = i;
          g_ptr_array_add (accepted, r);
        }
    }
  else
    {
      store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
      record_durable (store, accepted, 3);
      record_durable (store, accepted, 2);
      g_assert_finalize_object (g_steal_pointer (&store));
      g_assert_false (g_file_test (shm_path, G_FILE_TEST_EXISTS));
    }

  /* Where a read-only directory is noticed (opening, checking or the first write) is up to
   * SQLite; the kiosk must hold the responses and say why in any case, once. */
  set_writable (dir, mounted, FALSE);
  kiosk_test_log_defer_warnings ();

  store = kiosk_store_open (path, KIOSK_STORE_OPEN_KEEP_GOING, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_test_message ("opened on a read-only directory: health %d, %s",
                  kiosk_store_get_health (store), kiosk_store_get_health_message (store));

  for (guint i = 0; i < 3; i++)
    record_held_any (store, accepted, path);
  g_assert_cmpuint (kiosk_store_get_unwritten (store), ==, 3);
  kiosk_test_assert_logged ("WARNING *held in memory*");
  g_assert_nonnull (kiosk_store_get_health_message (store));

  set_writable (dir, mounted, TRUE);
  wait_for_retry (store);

  assert_recovered (store);
  record_durable (store, accepted, 1);
  assert_on_disk (path, accepted);

  g_assert_finalize_object (g_steal_pointer (&store));
  assert_on_disk (path, accepted);
  kiosk_test_log_check_unclaimed ();
}

static void
read_only_existing_body (const char *dir,
                         gboolean    mounted)
{
  check_read_only_existing (dir, mounted, FALSE);
}

static void
test_read_only_existing (void)
{
  run_isolated (read_only_existing_body, ISOLATED_READ_ONLY);
}

static void
read_only_after_crash_body (const char *dir,
                            gboolean    mounted)
{
  check_read_only_existing (dir, mounted, TRUE);
}

static void
test_read_only_after_crash (void)
{
  run_isolated (read_only_after_crash_body, ISOLATED_READ_ONLY);
}

/* The kernel makes the file system read-only under the open database
 *
 * `mount -o remount,ro` is refused ("mount point is busy") while the kiosk has its database open
 * for writing, so that is not how a kiosk's storage turns read-only. What does happen is ext4's
 * errors=remount-ro: after an error on the card the kernel makes the mounted file system
 * read-only underneath every open file. The test makes that happen for real on an ext4 image
 * ("abort" runs the kernel's own error handling) in a mount namespace of its own, then mounts the
 * image again, as a technician or a reboot would. */

#define ENV_IMAGE      "KIOSK_TEST_FAULTS_IMAGE"
#define EXT4_MOUNT     "loop,errors=remount-ro"
#define KERNEL_RO_HELD 5

static gboolean
run_program (GError     **error,
             const char  *first,
             ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  int status = -1;
  va_list args;

  g_ptr_array_add (argv, (char *) first);
  va_start (args, first);
  for (const char *arg = va_arg (args, const char *); arg; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                     &status, error))
    return FALSE;

  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_SPAWN_EXIT_ERROR, 1, "%s failed: %s", first, g_strstrip (err));
      return FALSE;
    }

  return TRUE;
}

static void
mount_image (const char *image,
             const char *dir)
{
  g_autoptr(GError) error = NULL;

  run_program (&error, "mount", "-t", "ext4", "-o", EXT4_MOUNT, image, dir, NULL);
  g_assert_no_error (error);
}

static void
kernel_read_only_body (const char *dir,
                       const char *image)
{
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autofree char *probe = g_build_filename (dir, "probe", NULL);
  g_autoptr(GPtrArray) accepted = new_accepted ();
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *message;
  gint64 start;
  int fd;

  /* Every mount made here goes with this process. */
  g_assert_cmpint (unshare (CLONE_NEWNS), ==, 0);
  g_assert_cmpint (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), ==, 0);
  mount_image (image, dir);

  store = open_ok (path, KIOSK_STORE_OPEN_KEEP_GOING);
  for (guint i = 0; i < 3; i++)
    record_durable (store, accepted, 3);

  /* What an administrator would type is refused while the database is open for writing. */
  g_assert_cmpint (mount (NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL), ==, -1);
  g_assert_cmpint (errno, ==, EBUSY);

  /* The kernel's own remount after an error: read-only under the open files. */
  run_program (&error, "mount", "-o", "remount,abort", dir, NULL);
  g_assert_no_error (error);
  fd = g_open (probe, O_WRONLY | O_CREAT, 0600);
  g_assert_cmpint (fd, ==, -1);
  g_assert_cmpint (errno, ==, EROFS);

  kiosk_test_log_defer_warnings ();
  for (guint i = 0; i < KERNEL_RO_HELD; i++)
    record_held (store, accepted, i % 4, KIOSK_STORE_ERROR_READONLY,
                 "the file system refuses writes (read-only or no permission)");
  kiosk_test_assert_logged ("WARNING *held in memory*");
  kiosk_test_log_check_unclaimed ();

  message = kiosk_store_get_health_message (store);
  report_figure ("read-only under the open database: %u taps held: %s", KERNEL_RO_HELD, message);
  g_assert_nonnull (strstr (message, "the file system refuses writes"));

  /* The store let go of the dead file system: it can be unmounted and mounted again. */
  g_assert_cmpint (umount (dir), ==, 0);
  mount_image (image, dir);
  assert_first_on_disk (path, accepted, 3);

  start = g_get_monotonic_time ();
  wait_for_retry (store);
  report_figure ("read-only: %u held responses written %.1f s after the file system was mounted "
                 "again", KERNEL_RO_HELD,
                 (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);

  assert_recovered (store);
  assert_write_failure_incident (store, KERNEL_RO_HELD, "read-only");
  record_durable (store, accepted, 2);
  assert_listed (store, accepted);
  assert_on_disk (path, accepted);

  g_assert_finalize_object (g_steal_pointer (&store));
  assert_on_disk (path, accepted);
  g_assert_cmpint (umount (dir), ==, 0);
}


/* The same, while the uploader delivers a backlog and marks what the server acknowledged: the
 * marks that fail are not invented, the uploader lets go of the dead file system (so it can be
 * checked and mounted again) and, without a restart, once the file system is back every response
 * ends up on the server exactly once and marked delivered. */
#define BACKLOG        3000
#define BACKLOG_BATCH  50

static gboolean
server_accepted_some (gpointer user_data)
{
  return kiosk_test_server_count_accepted (user_data) >= BACKLOG / 10;
}

static gboolean
uploader_failing (gpointer user_data)
{
  g_autoptr(KioskSyncStatus) s = kiosk_uploader_dup_status (user_data);

  return s->last_error != NULL;
}

typedef struct
{
  KioskTestServer *server;
  const char      *path;
} Delivery;

typedef struct
{
  const char *dir;
  gboolean    done;
} Unmount;

/* kiosk_test_wait_for() asks once more after the wait: only the first success unmounts. */
static gboolean
unmounted (gpointer user_data)
{
  Unmount *u = user_data;

  if (!u->done)
    u->done = umount (u->dir) == 0;
  return u->done;
}

static gboolean
backlog_delivered (gpointer user_data)
{
  Delivery *d = user_data;

  return kiosk_test_server_count_accepted (d->server) >= BACKLOG &&
         kiosk_test_count_pending (d->path) == 0;
}

static KioskUploader *
start_backlog_uploader (KioskConfig *config,
                        const char  *path)
{
  g_autoptr(GError) error = NULL;
  KioskUploaderTimings timings;
  KioskUploader *uploader;

  kiosk_uploader_timings_init (&timings);
  timings.debounce_ms = 10;
  timings.start_delay_max_ms = 0;
  timings.backoff_base_ms = 40;
  timings.backoff_cap_ms = 200;
  timings.pause_ms = 200;
  timings.survey_poll_ms = 3600 * 1000;
  timings.heartbeat_ms = 3600 * 1000;
  timings.stats_interval_ms = 0;
  timings.seed = 42;
  timings.use_network_monitor = FALSE;

  uploader = kiosk_uploader_new (config, path, &error);
  g_assert_no_error (error);
  kiosk_uploader_set_timings (uploader, &timings);
  g_assert_true (kiosk_uploader_start (uploader, &error));
  g_assert_no_error (error);
  return uploader;
}

/* Rows marked delivered on disk, each one held by the server. */
static guint
count_marked_delivered (const char      *path,
                        KioskTestServer *server)
{
  g_autoptr(GArray) seqs = kiosk_test_server_dup_seqs (server, KIOSK_TEST_SOURCE);
  g_autoptr(GHashTable) held = g_hash_table_new (g_int64_hash, g_int64_equal);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint marked = 0;
  int rc;

  for (guint i = 0; i < seqs->len; i++)
    g_hash_table_add (held, &g_array_index (seqs, gint64, i));

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, "unix"), ==, SQLITE_OK);
  /* The kiosk that just stopped may still hold the database for a moment (its last checkpoint):
   * wait for it as the kiosk itself would, instead of failing with SQLITE_BUSY. */
  sqlite3_busy_timeout (db, 5000);
  rc = sqlite3_prepare_v2 (db, "SELECT seq FROM responses WHERE delivered_us IS NOT NULL", -1,
                           &stmt, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);

      if (!g_hash_table_contains (held, &seq))
        g_error ("response %" G_GINT64_FORMAT " is marked delivered but the server does not "
                 "hold it", seq);
      marked++;
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return marked;
}

static void
kernel_read_only_delivering_body (const char *dir,
                                  const char *image)
{
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(KioskTestServer) server = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskUploader) uploader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *violations = NULL;
  KioskSyncStatus *s;
  Delivery delivery;
  guint at_abort, before_mount, marked;
  gint64 start;

  g_assert_cmpint (unshare (CLONE_NEWNS), ==, 0);
  g_assert_cmpint (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), ==, 0);
  mount_image (image, dir);

  kiosk_test_fill_queue (path, BACKLOG, 7);
  server = kiosk_test_server_new (KIOSK_TEST_SERVER_DEFAULT, NULL);
  kiosk_test_server_set_token (server, KIOSK_TEST_TOKEN);
  config = kiosk_test_sync_config (dir, kiosk_test_server_get_url (server), BACKLOG_BATCH, NULL);

  uploader = start_backlog_uploader (config, path);
  g_assert_true (kiosk_test_wait_for (server_accepted_some, server, 20000));

  run_program (&error, "mount", "-o", "remount,abort", dir, NULL);
  g_assert_no_error (error);
  at_abort = kiosk_test_server_count_accepted (server);
  g_assert_cmpuint (at_abort, <, BACKLOG);

  /* The next batch's marks fail, and the uploader says so. */
  g_assert_true (kiosk_test_wait_for (uploader_failing, uploader, 20000));
  s = kiosk_uploader_dup_status (uploader);
  report_figure ("uploader on the read-only file system: %s: %s",
                 kiosk_sync_state_to_string (s->state), s->last_error);
  kiosk_sync_status_free (s);

  /* Its connection goes with the error, so the dead file system can be unmounted while the
   * uploader keeps running; it is mounted again as after a check. */
  start = g_get_monotonic_time ();
  g_assert_true (kiosk_test_wait_for (unmounted, &(Unmount) { dir, FALSE }, 20000));
  before_mount = kiosk_test_server_count_accepted (server);
  report_figure ("the uploader let go of the read-only file system within %.1f s",
                 (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  mount_image (image, dir);

  marked = count_marked_delivered (path, server);
  report_figure ("backlog %u: the server held %u when the file system turned read-only and %u "
                 "when it was unmounted; %u were marked delivered on disk", BACKLOG, at_abort,
                 before_mount, marked);
  g_assert_cmpuint (marked, <=, before_mount);

  start = g_get_monotonic_time ();
  delivery = (Delivery) { server, path };
  g_assert_true (kiosk_test_wait_for (backlog_delivered, &delivery, 60000));
  report_figure ("after mounting again: the rest delivered in %.1f s by the same uploader; %u "
                 "sent twice and de-duplicated by the server",
                 (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC,
                 kiosk_test_server_count_duplicates (server));
  kiosk_uploader_stop (uploader);
  g_clear_object (&uploader);

  kiosk_test_server_check_exactly_once (server, KIOSK_TEST_SOURCE, BACKLOG, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_marked_delivered (path, server), ==, BACKLOG);
  g_assert_cmpint (kiosk_test_count_pending (path), ==, 0);
  violations = kiosk_test_server_dup_violations (server);
  g_assert_cmpstr (violations, ==, "");
  g_assert_cmpint (umount (dir), ==, 0);
}

typedef void (*KernelBody) (const char *dir,
                            const char *image);

static void
run_on_ext4 (KernelBody body)
{
  g_autofree char *top = NULL;
  g_autofree char *image = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *mkfs = g_find_program_in_path ("mkfs.ext4");
  g_autofree char *script = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  if (g_test_subprocess ())
    {
      body (g_getenv (ENV_DIR), g_getenv (ENV_IMAGE));
      return;
    }

  if (geteuid () != 0)
    {
      g_test_skip ("needs root to mount an ext4 image in a mount namespace of its own");
      return;
    }
  if (mkfs == NULL)
    {
      g_test_skip ("needs mkfs.ext4 (e2fsprogs) to make an ext4 image");
      return;
    }

  top = kiosk_test_make_tmpdir ();
  image = g_build_filename (top, "state.ext4", NULL);
  dir = g_build_filename (top, "state", NULL);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  fd = g_open (image, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 16 * 1024 * 1024), ==, 0);
  g_assert_cmpint (close (fd), ==, 0);
  run_program (&error, mkfs, "-q", "-F", image, NULL);
  g_assert_no_error (error);

  /* Loop devices are not everywhere (some containers): try, in a namespace that goes away. */
  script = g_strdup_printf ("mount -t ext4 -o %s '%s' '%s' && umount '%s'", EXT4_MOUNT, image,
                            dir, dir);
  if (!run_program (&error, "unshare", "--mount", "sh", "-c", script, NULL))
    {
      g_autofree char *skip = g_strdup_printf ("cannot mount an ext4 image: %s", error->message);

      g_test_skip (skip);
      kiosk_test_rm_rf (top);
      return;
    }

  g_setenv (ENV_DIR, dir, TRUE);
  g_setenv (ENV_IMAGE, image, TRUE);
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv (ENV_DIR);
  g_unsetenv (ENV_IMAGE);
  kiosk_test_rm_rf (top);

  if (!g_test_trap_has_passed ())
    g_test_fail_printf ("the test's subprocess failed; its message is above");
}

static void
test_kernel_read_only (void)
{
  run_on_ext4 (kernel_read_only_body);
}

static void
test_kernel_read_only_delivering (void)
{
  run_on_ext4 (kernel_read_only_delivering_body);
}

/* The state directory itself cannot be created at start (read-only parent). */
static void
read_only_missing_state_dir_body (const char *dir,
                                  gboolean    mounted)
{
  g_autofree char *state = g_build_filename (dir, "smiley-kiosk", NULL);
  g_autofree char *path = g_build_filename (state, "responses.db", NULL);
  g_autoptr(GPtrArray) accepted = new_accepted ();
  g_autoptr(KioskStore) store = NULL;
  const char *message;

  set_writable (dir, mounted, FALSE);

  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_WARNING,
                         "*cannot create the state directory*; responses will be held in memory "
                         "until it works");
  store = open_ok (path, KIOSK_STORE_OPEN_KEEP_GOING);
  g_test_assert_expected_messages ();

  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_FAILING);
  message = kiosk_store_get_health_message (store);
  g_test_message ("health: %s", message);
  g_assert_true (g_str_has_prefix (message, state));
  g_assert_nonnull (strstr (message, ": cannot create the state directory: "));

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(KioskResponse) r = make_response (accepted->len + 1, i);
      g_autoptr(GError) error = NULL;

      g_assert_false (kiosk_store_record (store, r, &error));
      g_assert_nonnull (error);
      g_test_message ("held as %" G_GINT64_FORMAT ": %s", r->seq, error->message);
      g_assert_cmpint (r->seq, >, last_accepted_seq (accepted));
      g_ptr_array_add (accepted, kiosk_response_copy (r));
    }

  set_writable (dir, mounted, TRUE);
  wait_for_retry (store);

  assert_recovered (store);
  assert_on_disk (path, accepted);
  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
test_read_only_missing_state_dir (void)
{
  run_isolated (read_only_missing_state_dir_body, ISOLATED_READ_ONLY);
}

/* While the database cannot even be opened, the status screen's figures and the list still
 * show what was accepted. */
static void
not_open_lists_held_body (const char *dir,
                          gboolean    mounted)
{
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(GPtrArray) accepted = new_accepted ();
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GError) error = NULL;
  KioskFaceCounts counts;
  gboolean ok;

  kiosk_test_vfs_install ();
  kiosk_test_vfs_fail (KIOSK_TEST_VFS_WRITE, SQLITE_FULL, KIOSK_TEST_VFS_FOREVER);

  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_WARNING,
                         "*the disk is full*; responses will be held in memory until it works");
  store = open_ok (path, KIOSK_STORE_OPEN_KEEP_GOING);
  g_test_assert_expected_messages ();

  record_held (store, accepted, 3, KIOSK_STORE_ERROR_FULL, "the disk is full");
  record_held (store, accepted, 0, KIOSK_STORE_ERROR_FULL, "the disk is full");

  ok = kiosk_store_count_faces (store, G_MININT64, G_MAXINT64, &counts, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (counts.faces[0], ==, 1);
  g_assert_cmpuint (counts.faces[3], ==, 1);
  g_assert_cmpuint (kiosk_face_counts_total (&counts), ==, 2);
  assert_listed (store, accepted);

  kiosk_test_vfs_fail (KIOSK_TEST_VFS_WRITE, SQLITE_OK, 0);
  ok = kiosk_store_flush (store, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_finalize_object (g_steal_pointer (&store));
  kiosk_test_vfs_uninstall ();
  assert_on_disk (path, accepted);
}

static void
test_not_open_lists_held (void)
{
  run_isolated (not_open_lists_held_body, ISOLATED_PLAIN);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  kiosk_test_log_record_start (recorded_domains);

  g_test_add_func ("/store-faults/disk-full/flush", test_disk_full_flush);
  g_test_add_func ("/store-faults/disk-full/retry-timer", test_disk_full_retry);
  g_test_add_func ("/store-faults/disk-full/at-open", test_full_at_open);
  g_test_add_func ("/store-faults/write-error/flush", test_write_error_flush);
  g_test_add_func ("/store-faults/fsync-error/flush", test_fsync_error_flush);
  g_test_add_func ("/store-faults/fsync-error/retry-timer", test_fsync_error_retry);
  g_test_add_func ("/store-faults/fsync-error/once", test_fsync_error_once);
  g_test_add_data_func ("/store-faults/commit/wal-write-error/once", &wal_write_once,
                        test_commit_fault);
  g_test_add_data_func ("/store-faults/commit/wal-write-error/three", &wal_write_three,
                        test_commit_fault);
  g_test_add_data_func ("/store-faults/commit/wal-fsync-error/once", &wal_fsync_once,
                        test_commit_fault);
  g_test_add_data_func ("/store-faults/commit/wal-fsync-error/three", &wal_fsync_three,
                        test_commit_fault);
  g_test_add_func ("/store-faults/flow/thanks-while-failing", test_flow_thanks_while_failing);
  g_test_add_func ("/store-faults/tmpfs/full", test_tmpfs_full);
  g_test_add_func ("/store-faults/tmpfs/nearly-full", test_tmpfs_nearly_full);
  g_test_add_func ("/store-faults/read-only/new-database", test_read_only_new);
  g_test_add_func ("/store-faults/read-only/existing-database", test_read_only_existing);
  g_test_add_func ("/store-faults/read-only/existing-after-crash", test_read_only_after_crash);
  g_test_add_func ("/store-faults/read-only/kernel-remount", test_kernel_read_only);
  g_test_add_func ("/store-faults/read-only/kernel-remount-delivering",
                   test_kernel_read_only_delivering);
  g_test_add_func ("/store-faults/read-only/missing-state-directory",
                   test_read_only_missing_state_dir);
  g_test_add_func ("/store-faults/not-open/lists-held", test_not_open_lists_held);

  return g_test_run ();
}
