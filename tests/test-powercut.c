/* test-powercut.c: simulated power cuts at every sync point, while recording and uploading. */
#define G_LOG_DOMAIN "test-powercut"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "kiosk-flow.h"
#include "kiosk-outbox.h"
#include "kiosk-test-powercut.h"
#include "kiosk-test-util.h"

#define DEFAULT_ITERATIONS 1200
#define VOTES_PER_CUT      4
#define FULL_CHECK_EVERY   100

#define T0 G_GINT64_CONSTANT (1773500966535897)

typedef struct
{
  char                   *dir;
  char                   *path;
  KioskConfig            *config;
  KioskClock             *clock;
  KioskSurvey            *survey;
  GHashTable             *acks;       /* uuid -> seq (gint64 *): the visitor was thanked */
  GPtrArray              *new_acks;   /* uuids acknowledged since the last cut */
  GHashTable             *attempted;  /* seqs ever passed to kiosk_outbox_mark_delivered_many */
  GArray                 *new_marks;  /* seqs whose delivered mark was committed since the cut */
  KioskTestPowercutStats  stats;
  guint                   unacknowledged;
  guint                   marks_committed;
  guint                   marks_lost;
  guint                   delivered_seen;
} Run;

static guint
iteration_count (void)
{
  const char *env = g_getenv ("KIOSK_POWERCUT_ITERATIONS");
  guint64 n = DEFAULT_ITERATIONS;

  if (env != NULL && !g_ascii_string_to_unsigned (env, 10, 1, G_MAXUINT, &n, NULL))
    g_error ("KIOSK_POWERCUT_ITERATIONS=%s: not a positive number", env);

  return n;
}

static Run *
run_new (void)
{
  g_autofree char *survey_path = NULL;
  g_autoptr(GError) error = NULL;
  Run *run = g_new0 (Run, 1);

  run->dir = kiosk_test_make_tmpdir ();
  run->path = g_build_filename (run->dir, "responses.db", NULL);
  run->config = kiosk_config_new_default ();
  run->clock = kiosk_clock_new_fake (T0, G_USEC_PER_SEC, NULL);
  survey_path = g_test_build_filename (G_TEST_DIST, "data", "survey-minimal.json", NULL);
  run->survey = kiosk_survey_new_from_file (survey_path, &error);
  g_assert_no_error (error);
  run->acks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  run->new_acks = g_ptr_array_new ();
  run->attempted = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  run->new_marks = g_array_new (FALSE, FALSE, sizeof (gint64));

  return run;
}

static void
run_free (Run *run)
{
  kiosk_test_rm_rf (run->dir);
  g_free (run->dir);
  g_free (run->path);
  g_object_unref (run->config);
  g_object_unref (run->clock);
  g_object_unref (run->survey);
  g_hash_table_unref (run->acks);
  g_ptr_array_unref (run->new_acks);
  g_hash_table_unref (run->attempted);
  g_array_unref (run->new_marks);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static void
recorded_cb (KioskFlow     *flow,
             KioskResponse *response,
             gboolean       durable,
             gpointer       user_data)
{
  *(gboolean *) user_data = durable;
}

static void
arm_random (guint max_syncs,
            guint max_writes)
{
  if (g_test_rand_bit ())
    kiosk_test_powercut_arm (KIOSK_TEST_POWERCUT_AT_SYNC, g_test_rand_int_range (1, max_syncs + 1));
  else
    kiosk_test_powercut_arm (KIOSK_TEST_POWERCUT_AT_WRITE,
                             g_test_rand_int_range (1, max_writes + 1));
}

static void
acknowledge (Run                 *run,
             const KioskResponse *response)
{
  gint64 *seq = g_new (gint64, 1);
  char *uuid = g_strdup (response->uuid);

  *seq = response->seq;
  g_assert_false (g_hash_table_contains (run->acks, uuid));
  g_hash_table_insert (run->acks, uuid, seq);
  g_ptr_array_add (run->new_acks, uuid);
}

/* Marks the oldest pending responses delivered, as the uploader does after the server's 2xx. */
static void
deliver_batch (Run         *run,
               KioskOutbox *outbox)
{
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean ok;

  batch = kiosk_outbox_next_batch (outbox, 8, &error);
  g_assert_no_error (error);
  if (batch->len == 0)
    return;

  for (guint i = 0; i < batch->len; i++)
    {
      const KioskResponse *response = g_ptr_array_index (batch, i);
      gint64 *key = g_new (gint64, 1);

      *key = response->seq;
      g_array_append_val (seqs, response->seq);
      g_hash_table_add (run->attempted, key);
    }

  ok = kiosk_outbox_begin (outbox, &error)
       && kiosk_outbox_mark_delivered_many (outbox, (const gint64 *) seqs->data, seqs->len,
                                            g_get_real_time (), &error)
       && kiosk_outbox_commit (outbox, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  if (!kiosk_test_powercut_has_cut ())
    {
      g_array_append_vals (run->new_marks, seqs->data, seqs->len);
      run->marks_committed += seqs->len;
    }
}

/* The kiosk (and, with @upload, the uploader) run until the power goes. */
static void
live_until_cut (Run      *run,
                gboolean  upload)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(KioskFlow) flow = NULL;
  g_autoptr(KioskOutbox) outbox = NULL;
  gboolean durable = FALSE;

  arm_random (upload ? 9 : 6, upload ? 30 : 20);

  store = kiosk_store_open (run->path, KIOSK_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  flow = kiosk_flow_new (run->config, store, run->clock, run->survey);
  g_signal_connect (flow, "recorded", G_CALLBACK (recorded_cb), &durable);
  if (upload)
    {
      outbox = kiosk_outbox_open (run->path, KIOSK_OUTBOX_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
    }

  for (guint v = 0; v < VOTES_PER_CUT && !kiosk_test_powercut_has_cut (); v++)
    {
      const KioskResponse *response;

      durable = FALSE;
      response = kiosk_flow_vote (flow, g_test_rand_int_range (0, 4), KIOSK_INPUT_TOUCH, &error);
      g_assert_no_error (error);
      g_assert_nonnull (response);

      /* The thank-you screen counts only if the process was still alive to show it. */
      if (durable && !kiosk_test_powercut_has_cut ())
        acknowledge (run, response);
      else
        run->unacknowledged++;

      kiosk_flow_return_to_survey (flow);
      kiosk_clock_advance (run->clock, G_USEC_PER_SEC);

      if (upload && v % 2 == 1 && !kiosk_test_powercut_has_cut ())
        deliver_batch (run, outbox);
    }

  /* Process and OS die: every handle goes; the page cache does not reach the disk. */
  kiosk_test_powercut_cut_now ();
  g_clear_object (&outbox);
  g_clear_object (&flow);
  g_clear_object (&store);
}

static char *
query_text (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  if (rc == SQLITE_ROW && sqlite3_step (stmt) == SQLITE_ROW)
    g_error ("%s: more than one row: %s, %s", sql, text, sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return text;
}

static sqlite3 *
open_real (const char *path,
           gboolean    keep_log)
{
  sqlite3 *db = NULL;
  int rc;

  /* The real VFS, as after a reboot. The log usually stays for the kiosk's own recovery; now and
   * then closing checkpoints it, as a clean shutdown would, so it does not grow without end. */
  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, "unix");
  if (rc != SQLITE_OK)
    g_error ("%s does not open after a power cut: %s", path, sqlite3_errmsg (db));
  sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, keep_log, NULL);

  return db;
}

static void
check_ack (Run          *run,
           sqlite3_stmt *stmt,
           const char   *uuid)
{
  gint64 seq = *(gint64 *) g_hash_table_lookup (run->acks, uuid);

  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  if (sqlite3_column_int64 (stmt, 0) != 1 || sqlite3_column_int64 (stmt, 1) != seq)
    g_error ("Acknowledged response %" G_GINT64_FORMAT " %s: found %" G_GINT64_FORMAT
             " times, seq %" G_GINT64_FORMAT " after %u cuts", seq, uuid,
             (gint64) sqlite3_column_int64 (stmt, 0), (gint64) sqlite3_column_int64 (stmt, 1),
             run->stats.cuts);
  sqlite3_reset (stmt);
}

static void
verify (Run      *run,
        gboolean  check_all)
{
  g_autofree char *check = NULL;
  g_autofree char *has_table = NULL;
  g_autoptr(GHashTable) delivered = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) delivered_seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  gint64 rows;

  db = open_real (run->path, !check_all);
  check = query_text (db, "PRAGMA integrity_check");
  if (g_strcmp0 (check, "ok") != 0)
    g_error ("integrity_check after %u cuts: %s", run->stats.cuts, check);

  has_table = query_text (db, "SELECT name FROM sqlite_master WHERE name = 'responses'");
  if (has_table == NULL)
    {
      g_assert_cmpuint (g_hash_table_size (run->acks), ==, 0);
      goto out;
    }

  /* Numbers and ids are unique, and nothing acknowledged is missing. */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*), count(DISTINCT seq), "
                                       "count(DISTINCT uuid) FROM responses", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  rows = sqlite3_column_int64 (stmt, 0);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 1), ==, rows);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 2), ==, rows);
  g_assert_cmpint (rows, >=, g_hash_table_size (run->acks));
  sqlite3_finalize (stmt);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*), min(seq) FROM responses "
                                       "WHERE uuid = ?", -1, &stmt, NULL), ==, SQLITE_OK);
  if (check_all)
    {
      GHashTableIter iter;
      const char *uuid;

      g_hash_table_iter_init (&iter, run->acks);
      while (g_hash_table_iter_next (&iter, (gpointer *) &uuid, NULL))
        check_ack (run, stmt, uuid);
    }
  else
    {
      for (guint i = 0; i < run->new_acks->len; i++)
        check_ack (run, stmt, g_ptr_array_index (run->new_acks, i));
    }
  sqlite3_finalize (stmt);

  /* A delivered mark may be lost (the batch is sent again), never invented. */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT seq FROM responses "
                                       "WHERE delivered_us IS NOT NULL", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);

      if (!g_hash_table_contains (run->attempted, &seq))
        g_error ("Response %" G_GINT64_FORMAT " is marked delivered but never was, after %u cuts",
                 seq, run->stats.cuts);
      g_array_append_val (delivered_seqs, seq);
    }
  sqlite3_finalize (stmt);
  for (guint i = 0; i < delivered_seqs->len; i++)
    g_hash_table_add (delivered, &g_array_index (delivered_seqs, gint64, i));
  run->delivered_seen = delivered_seqs->len;
  for (guint i = 0; i < run->new_marks->len; i++)
    if (!g_hash_table_contains (delivered, &g_array_index (run->new_marks, gint64, i)))
      run->marks_lost++;

out:
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  g_ptr_array_set_size (run->new_acks, 0);
  g_array_set_size (run->new_marks, 0);
}

static void
report (Run        *run,
        const char *what,
        gint64      start)
{
  KioskTestPowercutStats *s = &run->stats;

  g_test_message ("%s: %u cuts (%u at a sync, %u at a write, %u after the work), policies "
                  "keep %u / drop %u / garble %u; %" G_GUINT64_FORMAT " unsynced writes, sectors "
                  "kept %" G_GUINT64_FORMAT " dropped %" G_GUINT64_FORMAT " zeroed %"
                  G_GUINT64_FORMAT " noise %" G_GUINT64_FORMAT ", truncations kept %"
                  G_GUINT64_FORMAT " dropped %" G_GUINT64_FORMAT, what, s->cuts, s->cuts_at_sync,
                  s->cuts_at_write, s->cuts_idle, s->policies[KIOSK_TEST_POWERCUT_KEEP],
                  s->policies[KIOSK_TEST_POWERCUT_DROP], s->policies[KIOSK_TEST_POWERCUT_GARBLE],
                  s->unsynced_writes, s->sectors_kept, s->sectors_dropped, s->sectors_zeroed,
                  s->sectors_noise, s->truncates_kept, s->truncates_dropped);
  g_test_message ("%s: %u responses acknowledged, all present once; %u votes cut short; "
                  "%u delivered marks committed, %u lost, none invented (%u rows delivered); "
                  "%.1f s", what, g_hash_table_size (run->acks), run->unacknowledged,
                  run->marks_committed, run->marks_lost, run->delivered_seen,
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
}

static void
run_cuts (gboolean    upload,
          const char *what)
{
  g_autoptr(Run) run = run_new ();
  guint iterations = iteration_count ();
  gint64 start = g_get_monotonic_time ();

  kiosk_test_powercut_install ();

  for (guint i = 0; i < iterations; i++)
    {
      live_until_cut (run, upload);
      kiosk_test_powercut_apply (g_test_rand_int_range (0, KIOSK_TEST_POWERCUT_N_POLICIES),
                                 &run->stats);
      verify (run, (i + 1) % FULL_CHECK_EVERY == 0 || i + 1 == iterations);
    }

  kiosk_test_powercut_uninstall ();
  report (run, what, start);

  g_assert_cmpuint (run->stats.cuts, ==, iterations);
  g_assert_cmpuint (g_hash_table_size (run->acks), >, 0);
  g_assert_cmpuint (run->stats.cuts_at_sync, >, 0);
  g_assert_cmpuint (run->stats.cuts_at_write, >, 0);
  if (upload)
    g_assert_cmpuint (run->marks_committed, >, 0);
}

static void
test_powercut_recording (void)
{
  run_cuts (FALSE, "recording");
}

static void
test_powercut_upload (void)
{
  run_cuts (TRUE, "recording and upload");
}

/* The same cuts against a connection with synchronous=OFF must lose acknowledged rows: proof that
 * the test can see a loss when there is one. */
static void
test_powercut_control (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "control.db", NULL);
  g_autoptr(GHashTable) acks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  KioskTestPowercutStats stats = { 0 };
  guint iterations = MAX (iteration_count () / 3, 50);
  guint lost = 0, corrupt = 0, acknowledged = 0;
  gint64 start = g_get_monotonic_time ();

  kiosk_test_powercut_install ();

  for (guint i = 0; i < iterations; i++)
    {
      g_autofree char *check = NULL;
      GHashTableIter iter;
      const char *uuid;
      sqlite3_stmt *stmt = NULL;
      sqlite3 *db = NULL;
      int rc;

      kiosk_test_powercut_arm (KIOSK_TEST_POWERCUT_AT_WRITE, g_test_rand_int_range (1, 25));
      g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
      rc = sqlite3_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;"
                         "CREATE TABLE IF NOT EXISTS responses (seq INTEGER PRIMARY KEY,"
                         " uuid TEXT NOT NULL UNIQUE)", NULL, NULL, NULL);
      g_assert_cmpint (rc, ==, SQLITE_OK);
      rc = sqlite3_prepare_v2 (db, "INSERT INTO responses (seq, uuid) VALUES "
                               "((SELECT coalesce(max(seq), 0) + 1 FROM responses), ?)",
                               -1, &stmt, NULL);
      g_assert_cmpint (rc, ==, SQLITE_OK);
      for (guint v = 0; v < VOTES_PER_CUT && !kiosk_test_powercut_has_cut (); v++)
        {
          char *id = g_uuid_string_random ();

          sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
          g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
          sqlite3_reset (stmt);
          if (!kiosk_test_powercut_has_cut ())
            {
              g_hash_table_add (acks, id);
              acknowledged++;
            }
          else
            g_free (id);
        }
      sqlite3_finalize (stmt);
      kiosk_test_powercut_cut_now ();
      sqlite3_close (db);

      kiosk_test_powercut_apply (g_test_rand_int_range (0, KIOSK_TEST_POWERCUT_N_POLICIES),
                                 &stats);

      /* Count what is gone, then carry on from what is left. */
      db = NULL;
      rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, "unix");
      if (rc == SQLITE_OK)
        {
          sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
          rc = sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL);
        }
      if (rc == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
        check = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      g_clear_pointer (&stmt, sqlite3_finalize);
      if (g_strcmp0 (check, "ok") != 0)
        {
          corrupt++;
          lost += g_hash_table_size (acks);
          g_hash_table_remove_all (acks);
          sqlite3_close (db);
          kiosk_test_rm_rf (dir);
          g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
          continue;
        }

      rc = sqlite3_prepare_v2 (db, "SELECT count(*) FROM responses WHERE uuid = ?", -1, &stmt,
                               NULL);
      g_hash_table_iter_init (&iter, acks);
      while (rc == SQLITE_OK && g_hash_table_iter_next (&iter, (gpointer *) &uuid, NULL))
        {
          sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
          if (sqlite3_step (stmt) != SQLITE_ROW || sqlite3_column_int64 (stmt, 0) != 1)
            {
              lost++;
              g_hash_table_iter_remove (&iter);
            }
          sqlite3_reset (stmt);
        }
      if (rc != SQLITE_OK)
        {
          lost += g_hash_table_size (acks);
          g_hash_table_remove_all (acks);
        }
      sqlite3_finalize (stmt);
      sqlite3_close (db);
    }

  kiosk_test_powercut_uninstall ();

  g_test_message ("control (synchronous=OFF): %u cuts (keep %u / drop %u / garble %u), %u rows "
                  "acknowledged, %u lost, %u cuts left the file unreadable; %.1f s", stats.cuts,
                  stats.policies[KIOSK_TEST_POWERCUT_KEEP],
                  stats.policies[KIOSK_TEST_POWERCUT_DROP],
                  stats.policies[KIOSK_TEST_POWERCUT_GARBLE], acknowledged, lost, corrupt,
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  g_assert_cmpuint (lost, >, 0);

  kiosk_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/powercut/recording", test_powercut_recording);
  g_test_add_func ("/powercut/upload", test_powercut_upload);
  g_test_add_func ("/powercut/control", test_powercut_control);

  return g_test_run ();
}
