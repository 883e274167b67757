/* kiosk-test-sync.c: realistic queues and configurations for the sync tests and benchmarks.
 * The queue is written in one transaction straight into the store's schema: a drain test needs
 * 10 000 or 100 000 responses, and recording each through a committed tap would take minutes. */
#define G_LOG_DOMAIN "kiosk-test-sync"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "kiosk-store.h"
#include "kiosk-test-sync.h"
#include "kiosk-test-util.h"

KioskResponse *
kiosk_test_make_response (gint64 seq,
                          gint64 wall_us,
                          gint64 monotonic_us,
                          int    face)
{
  KioskResponse *r = kiosk_response_new ();

  r->uuid = g_uuid_string_random ();
  r->seq = seq;
  r->face = face;
  r->scale = 4;
  r->survey_id = g_strdup ("demo");
  r->survey_version = 1;
  r->language = g_strdup ("en");
  r->input = KIOSK_INPUT_TOUCH;
  r->time.wall_us = wall_us;
  r->time.utc_offset_s = 3600;
  r->time.monotonic_us = monotonic_us;
  r->time.synced = TRUE;
  r->boot_id = g_strdup (KIOSK_TEST_BOOT_ID);
  r->follow_up_outcome = KIOSK_OUTCOME_NONE;

  return r;
}

/**
 * kiosk_test_fill_queue:
 * @count: responses 1 … @count, all with their visit ended
 *
 * Taps a few seconds to a couple of minutes apart, as at a shop's exit; one in ten with a
 * follow-up answer, one in fifty flagged as misuse.
 */
void
kiosk_test_fill_queue (const char *db_path,
                       guint       count,
                       guint32     seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 wall = KIOSK_TEST_T0;
  gint64 mono = 5 * G_USEC_PER_SEC;
  gint64 first = 1;

  /* The store creates the file with its schema. */
  store = kiosk_store_open (db_path, KIOSK_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  first = kiosk_store_get_last_seq (store) + 1;
  g_clear_object (&store);

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  /* An uploader may be writing its state meanwhile. */
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA journal_mode = WAL; BEGIN IMMEDIATE", NULL, NULL,
                                 NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO responses (seq, uuid, face, scale, survey_id,"
                                       " survey_version, language, input, wall_us, utc_offset_s,"
                                       " monotonic_us, boot_id, clock_synced, misuse, misuse_rule,"
                                       " visit_ended, follow_up_id, follow_up_selected,"
                                       " follow_up_outcome)"
                                       " VALUES (?,?,?,4,'demo',1,'en','touch',?,3600,?,?,1,?,?,1,"
                                       "?,?,?)", -1, &stmt, NULL), ==, SQLITE_OK);

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *uuid = g_uuid_string_random ();
      gint64 step = g_rand_int_range (rand, 5, 120) * G_USEC_PER_SEC +
                    g_rand_int_range (rand, 0, 1000) * 1000;
      gboolean follow_up = g_rand_int_range (rand, 0, 10) == 0;
      gboolean misuse = g_rand_int_range (rand, 0, 50) == 0;

      wall += step;
      mono += step;

      sqlite3_bind_int64 (stmt, 1, first + i);
      sqlite3_bind_text (stmt, 2, uuid, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 3, g_rand_int_range (rand, 0, 4));
      sqlite3_bind_int64 (stmt, 4, wall);
      sqlite3_bind_int64 (stmt, 5, mono);
      sqlite3_bind_text (stmt, 6, KIOSK_TEST_BOOT_ID, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 7, misuse);
      if (misuse)
        sqlite3_bind_text (stmt, 8, "response-interval", -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (stmt, 8);
      if (follow_up)
        {
          sqlite3_bind_text (stmt, 9, "improve", -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 10, "[\"speed\",\"staff\"]", -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 11, "answered", -1, SQLITE_STATIC);
        }
      else
        {
          sqlite3_bind_null (stmt, 9);
          sqlite3_bind_null (stmt, 10);
          sqlite3_bind_null (stmt, 11);
        }

      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
    }

  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

char *
kiosk_test_write_token (const char *dir,
                        const char *token,
                        int         mode)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "token", NULL);
  g_autofree char *contents = g_strconcat (token, "\n", NULL);

  g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
  return path;
}

/**
 * kiosk_test_sync_config:
 * @extra_cloud_keys: (nullable): more "key=value\n" lines for [cloud]
 *
 * A configuration with its state directory in @dir and the token file written there (0600);
 * also written to @dir/kiosk.conf.
 */
KioskConfig *
kiosk_test_sync_config (const char *dir,
                        const char *url,
                        guint       batch_size,
                        const char *extra_cloud_keys)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token_path = g_build_filename (dir, "token", NULL);
  g_autofree char *text = NULL;
  KioskConfig *config;

  if (!g_file_test (token_path, G_FILE_TEST_EXISTS))
    g_free (kiosk_test_write_token (dir, KIOSK_TEST_TOKEN, 0600));

  text = g_strdup_printf ("[kiosk]\n"
                          "device-id=" KIOSK_TEST_DEVICE_ID "\n"
                          "state-directory=%s\n"
                          "[cloud]\n"
                          "url=%s\n"
                          "token-file=%s\n"
                          "batch-size=%u\n"
                          "%s",
                          dir, url, token_path, batch_size,
                          extra_cloud_keys ? extra_cloud_keys : "");
  config = kiosk_config_new_from_data (text, -1, "test.conf", &error);
  g_assert_no_error (error);

  /* The same on disk, for tests that run the smiley-kiosk program. */
  g_free (kiosk_test_write_file (dir, "kiosk.conf", text));
  return config;
}

/* Responses whose visit ended that are neither delivered nor dead-lettered. */
gint64
kiosk_test_count_pending (const char *db_path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT count(*) FROM responses WHERE delivered_us IS NULL"
                                       " AND rejected = 0 AND visit_ended = 1", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return n;
}
