/* test-store.c: the durable response store: every field round-trips, sequence numbers, WAL and
 * synchronous=FULL, schema migrations, quarantine of a damaged file, CSV export, counting, and
 * reopening after the process died without closing it. */
#define G_LOG_DOMAIN "test-store"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "kiosk-export.h"
#include "kiosk-store.h"
#include "kiosk-test-util.h"
#include "kiosk-test-vfs.h"

/* 2026-03-14T15:09:26.535897Z: a fixed instant, so nothing depends on today's date. */
#define T0 G_GINT64_CONSTANT (1773500966535897)
#define SECONDS(s) ((gint64) (s) * G_USEC_PER_SEC)

#define BOOT_ID "4b3f7c1e-9a2d-4e61-8c0f-2d5e6a7b8c9d"

/* Exactly migrations[0] of kiosk-store-open.c: the schema the first release wrote. */
static const char v1_schema[] =
  "CREATE TABLE responses ("
  "  seq             INTEGER PRIMARY KEY,"
  "  uuid            TEXT    NOT NULL UNIQUE,"
  "  face            INTEGER NOT NULL,"
  "  scale           INTEGER NOT NULL,"
  "  survey_id       TEXT    NOT NULL,"
  "  survey_version  INTEGER NOT NULL,"
  "  language        TEXT    NOT NULL,"
  "  input           TEXT    NOT NULL,"
  "  wall_us         INTEGER NOT NULL,"
  "  utc_offset_s    INTEGER NOT NULL,"
  "  monotonic_us    INTEGER NOT NULL,"
  "  boot_id         TEXT    NOT NULL,"
  "  clock_synced    INTEGER NOT NULL,"
  "  clock_corrected INTEGER NOT NULL DEFAULT 0,"
  "  misuse          INTEGER NOT NULL DEFAULT 0,"
  "  misuse_rule     TEXT,"
  "  visit_ended     INTEGER NOT NULL DEFAULT 1,"
  "  delivered_us    INTEGER"
  ");"
  "CREATE INDEX responses_wall ON responses (wall_us);";

/* Helpers */

static char *
uuid_for (guint n)
{
  return g_strdup_printf ("00000000-0000-4000-8000-%012u", n);
}

static KioskResponse *
make_response (guint  n,
               int    face,
               gint64 wall_us)
{
  KioskResponse *r = kiosk_response_new ();

  r->uuid = uuid_for (n);
  r->face = face;
  r->scale = 4;
  r->survey_id = g_strdup ("demo");
  r->survey_version = 1;
  r->language = g_strdup ("en");
  r->input = KIOSK_INPUT_TOUCH;
  r->time.wall_us = wall_us;
  r->time.utc_offset_s = 0;
  r->time.monotonic_us = SECONDS (1000) + n;
  r->time.synced = TRUE;
  r->boot_id = g_strdup (BOOT_ID);

  return r;
}

static void
record_ok (KioskStore    *store,
           KioskResponse *r)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = kiosk_store_record (store, r, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
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

static void
assert_response_equal (const KioskResponse *a,
                       const KioskResponse *b)
{
  g_assert_cmpstr (a->uuid, ==, b->uuid);
  g_assert_cmpint (a->seq, ==, b->seq);
  g_assert_cmpint (a->face, ==, b->face);
  g_assert_cmpint (a->scale, ==, b->scale);
  g_assert_cmpstr (a->survey_id, ==, b->survey_id);
  g_assert_cmpint (a->survey_version, ==, b->survey_version);
  g_assert_cmpstr (a->language, ==, b->language);
  g_assert_cmpint (a->input, ==, b->input);
  g_assert_cmpint (a->time.wall_us, ==, b->time.wall_us);
  g_assert_cmpint (a->time.utc_offset_s, ==, b->time.utc_offset_s);
  g_assert_cmpint (a->time.monotonic_us, ==, b->time.monotonic_us);
  g_assert_cmpint (!!a->time.synced, ==, !!b->time.synced);
  g_assert_cmpstr (a->boot_id, ==, b->boot_id);
  g_assert_cmpint (!!a->clock_corrected, ==, !!b->clock_corrected);
  g_assert_cmpint (!!a->misuse, ==, !!b->misuse);
  g_assert_cmpstr (a->misuse_rule, ==, b->misuse_rule);
}

/* A connection of our own, through the plain "unix" VFS, to look at the file as SQLite sees it. */
static sqlite3 *
raw_open (const char *path,
          int         flags)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2 (path, &db, flags, "unix");

  if (rc != SQLITE_OK)
    g_error ("Cannot open %s: %s", path, sqlite3_errstr (rc));
  sqlite3_extended_result_codes (db, 1);
  return db;
}

static void
raw_exec (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

/* The first column of every row, joined with "|". */
static char *
raw_query (sqlite3    *db,
           const char *sql)
{
  g_autoptr(GString) out = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 0);

      g_string_append_printf (out, "%s%s", out->len ? "|" : "", text ? text : "NULL");
    }
  if (rc != SQLITE_DONE)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  sqlite3_finalize (stmt);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gint64
raw_query_int (sqlite3    *db,
               const char *sql)
{
  g_autofree char *text = raw_query (db, sql);

  return g_ascii_strtoll (text, NULL, 10);
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

static void
assert_same_bytes (GBytes     *expected,
                   const char *path)
{
  g_autoptr(GBytes) actual = read_bytes (path);
  g_autofree char *difference = NULL;
  gsize size = g_bytes_get_size (expected);

  if (g_bytes_get_size (actual) != size)
    {
      difference = g_strdup_printf ("%s: size changed from %" G_GSIZE_FORMAT " to %" G_GSIZE_FORMAT,
                                    path, size, g_bytes_get_size (actual));
    }
  else
    {
      const guint8 *a = g_bytes_get_data (expected, NULL);
      const guint8 *b = g_bytes_get_data (actual, NULL);

      for (gsize i = 0; i < size && difference == NULL; i++)
        if (a[i] != b[i])
          difference = g_strdup_printf ("%s: byte %" G_GSIZE_FORMAT " changed from %u to %u",
                                        path, i, a[i], b[i]);
    }

  g_assert_cmpstr (difference, ==, NULL);
}

static void
write_random (const char *path,
              goffset     from,
              gsize       length)
{
  g_autofree guint8 *garbage = g_malloc (length);
  FILE *file;

  for (gsize i = 0; i < length; i++)
    garbage[i] = g_test_rand_int_range (0, 256);

  file = g_fopen (path, "r+b");
  g_assert_nonnull (file);
  g_assert_cmpint (fseeko (file, from, SEEK_SET), ==, 0);
  g_assert_cmpuint (fwrite (garbage, 1, length, file), ==, length);
  g_assert_cmpint (fclose (file), ==, 0);
}

static goffset
file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_size;
}

static gboolean
strv_contains_substring (GPtrArray  *lines,
                         const char *needle)
{
  for (guint i = 0; i < lines->len; i++)
    if (strstr (g_ptr_array_index (lines, i), needle) != NULL)
      return TRUE;

  return FALSE;
}

/* Writes @n responses through a store that is closed again; returns the last sequence number. */
static gint64
fill_store (const char *path,
            guint       n)
{
  g_autoptr(KioskStore) store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
  gint64 last;

  for (guint i = 1; i <= n; i++)
    {
      g_autoptr(KioskResponse) r = make_response (i, i % 4, T0 + SECONDS (i));

      record_ok (store, r);
    }

  last = kiosk_store_get_last_seq (store);
  g_assert_finalize_object (g_steal_pointer (&store));
  return last;
}

/* Tests */

static void
test_store_insert (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *inputs = NULL;
  KioskResponse *r;
  sqlite3 *db;

  expected = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_response_free);

  store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_OK);
  g_assert_null (kiosk_store_get_health_message (store));
  g_assert_null (kiosk_store_get_quarantined_path (store));
  g_assert_cmpuint (kiosk_store_get_unwritten (store), ==, 0);
  g_assert_cmpint (kiosk_store_get_last_seq (store), ==, 0);
  g_assert_cmpstr (kiosk_store_get_path (store), ==, path);

  /* Every field away from its default, so a column that is not stored shows up. */
  r = make_response (1, 3, T0);
  g_free (r->survey_id);
  r->survey_id = g_strdup ("shop-north");
  r->survey_version = 7;
  g_free (r->language);
  r->language = g_strdup ("de-CH");
  r->input = KIOSK_INPUT_BUTTON;
  r->time.utc_offset_s = 3600;
  r->time.monotonic_us = G_GINT64_CONSTANT (987654321012);
  r->time.synced = TRUE;
  r->clock_corrected = TRUE;
  r->misuse = TRUE;
  r->misuse_rule = g_strdup ("response-interval");
  g_ptr_array_add (expected, r);

  r = make_response (2, 0, T0 + 1500000);
  g_free (r->language);
  r->language = g_strdup ("fr");
  g_free (r->boot_id);
  r->boot_id = g_strdup ("0f0e0d0c-0b0a-4908-8706-050403020100");
  r->input = KIOSK_INPUT_KEYBOARD;
  r->time.utc_offset_s = -16200;
  r->time.synced = FALSE;
  g_ptr_array_add (expected, r);

  r = make_response (3, 9, -SECONDS (86400));   /* an unsynchronised clock can be before 1970 */
  r->scale = 10;
  r->input = KIOSK_INPUT_TOUCH;
  r->time.utc_offset_s = 45 * 60 + 12 * 3600;
  r->time.monotonic_us = 0;
  g_ptr_array_add (expected, r);

  for (guint i = 0; i < expected->len; i++)
    {
      r = g_ptr_array_index (expected, i);
      r->seq = -1;
      record_ok (store, r);
      g_assert_cmpint (r->seq, ==, i + 1);
    }
  g_assert_cmpint (kiosk_store_get_last_seq (store), ==, 3);
  g_assert_cmpuint (kiosk_store_get_unwritten (store), ==, 0);

  listed = kiosk_store_list_responses (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, expected->len);
  for (guint i = 0; i < listed->len; i++)
    assert_response_equal (g_ptr_array_index (listed, i), g_ptr_array_index (expected, i));
  g_clear_pointer (&listed, g_ptr_array_unref);

  /* Read back from the file itself, not from anything the store kept in memory. */
  g_assert_finalize_object (g_steal_pointer (&store));
  store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
  listed = kiosk_store_list_responses (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, expected->len);
  for (guint i = 0; i < listed->len; i++)
    assert_response_equal (g_ptr_array_index (listed, i), g_ptr_array_index (expected, i));
  g_assert_finalize_object (g_steal_pointer (&store));

  /* The columns hold what the cloud API calls them, not enum numbers. */
  db = raw_open (path, SQLITE_OPEN_READONLY);
  inputs = raw_query (db, "SELECT input FROM responses ORDER BY seq");
  g_assert_cmpstr (inputs, ==, "button|keyboard|touch");
  g_clear_pointer (&db, sqlite3_close);

  kiosk_test_rm_rf (dir);
}

static void
test_store_sequence (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(KioskResponse) next = NULL;
  g_autofree char *seqs = NULL;
  sqlite3 *db;

  store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
  for (guint i = 1; i <= 10; i++)
    {
      g_autoptr(KioskResponse) r = make_response (i, i % 4, T0 + SECONDS (i));

      record_ok (store, r);
      g_assert_cmpint (r->seq, ==, i);
      g_assert_cmpint (kiosk_store_get_last_seq (store), ==, i);
    }
  g_assert_finalize_object (g_steal_pointer (&store));

  /* The next process continues where the last one stopped. */
  store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
  g_assert_cmpint (kiosk_store_get_last_seq (store), ==, 10);
  next = make_response (11, 2, T0 + SECONDS (11));
  record_ok (store, next);
  g_assert_cmpint (next->seq, ==, 11);
  g_assert_finalize_object (g_steal_pointer (&store));

  store = open_ok (path, KIOSK_STORE_OPEN_READ_ONLY);
  g_assert_cmpint (kiosk_store_get_last_seq (store), ==, 11);
  g_assert_finalize_object (g_steal_pointer (&store));

  db = raw_open (path, SQLITE_OPEN_READONLY);
  seqs = raw_query (db, "SELECT seq FROM responses ORDER BY seq");
  g_assert_cmpstr (seqs, ==, "1|2|3|4|5|6|7|8|9|10|11");
  g_assert_cmpint (raw_query_int (db, "SELECT count(DISTINCT uuid) FROM responses"), ==, 11);
  g_clear_pointer (&db, sqlite3_close);

  kiosk_test_rm_rf (dir);
}

static void
test_store_wal_synchronous (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autofree char *wal_path = g_strconcat (path, "-wal", NULL);
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(KioskResponse) first = make_response (1, 3, T0);
  g_autoptr(GBytes) header = NULL;
  g_autofree char *mode = NULL;
  const guint8 *bytes;
  guint syncs;
  sqlite3 *db;

  /* The pass-through VFS counts xSync calls; no fault is armed. */
  kiosk_test_vfs_install ();

  store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
  record_ok (store, first);
  g_assert_true (g_file_test (wal_path, G_FILE_TEST_EXISTS));

  /* journal_mode=WAL is a property of the file: a second connection sees it... */
  db = raw_open (path, SQLITE_OPEN_READONLY);
  mode = raw_query (db, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_clear_pointer (&db, sqlite3_close);

  /* ...and so does the header: file format versions 2/2 at offsets 18 and 19 mean WAL. */
  header = read_bytes (path);
  g_assert_cmpuint (g_bytes_get_size (header), >=, 100);
  bytes = g_bytes_get_data (header, NULL);
  g_assert_cmpmem (bytes, 16, "SQLite format 3", 16);
  g_assert_cmpint (bytes[18], ==, 2);
  g_assert_cmpint (bytes[19], ==, 2);

  /* synchronous is per connection and cannot be read from outside. Its effect can: in WAL mode
   * synchronous=NORMAL syncs only at checkpoints, FULL syncs the log at every commit. */
  kiosk_test_vfs_reset ();
  for (guint i = 2; i <= 6; i++)
    {
      g_autoptr(KioskResponse) r = make_response (i, 2, T0 + SECONDS (i));

      record_ok (store, r);
    }
  syncs = kiosk_test_vfs_get_calls (KIOSK_TEST_VFS_SYNC);
  g_test_message ("5 commits made %u xSync calls", syncs);
  g_assert_cmpuint (syncs, >=, 5);
  g_assert_cmpuint (kiosk_test_vfs_get_calls (KIOSK_TEST_VFS_WRITE), >=, 5);

  g_assert_finalize_object (g_steal_pointer (&store));
  kiosk_test_vfs_uninstall ();

  kiosk_test_rm_rf (dir);
}

static void
create_v1_database (const char *path)
{
  sqlite3 *db = raw_open (path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);

  raw_exec (db, v1_schema);
  raw_exec (db,
            "INSERT INTO responses (seq, uuid, face, scale, survey_id, survey_version, language,"
            " input, wall_us, utc_offset_s, monotonic_us, boot_id, clock_synced, clock_corrected,"
            " misuse, misuse_rule, visit_ended, delivered_us) VALUES"
            " (1, '00000000-0000-4000-8000-000000000001', 3, 4, 'demo', 1, 'en', 'touch',"
            "  1773500966535897, 3600, 1000000001, '" BOOT_ID "', 1, 0, 0, NULL, 1, NULL),"
            " (2, '00000000-0000-4000-8000-000000000002', 1, 4, 'demo', 1, 'de', 'button',"
            "  1773500967535897, 3600, 1000000002, '" BOOT_ID "', 0, 1, 1, 'response-interval', 1,"
            "  1773500999000000),"
            " (3, '00000000-0000-4000-8000-000000000003', 0, 4, 'demo', 2, 'fr', 'keyboard',"
            "  1773500968535897, -16200, 1000000003, '" BOOT_ID "', 1, 0, 0, NULL, 1, NULL)");
  raw_exec (db, "PRAGMA user_version = 1");
  sqlite3_close (db);
}

static void
test_store_migrate_v1 (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(KioskResponse) next = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *tables = NULL;
  KioskResponse *r;
  sqlite3 *db;

  create_v1_database (path);

  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_MESSAGE,
                         "*: schema upgraded from version 1 to 4");
  store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
  g_test_assert_expected_messages ();

  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_OK);
  g_assert_cmpint (kiosk_store_get_last_seq (store), ==, 3);

  listed = kiosk_store_list_responses (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 3);

  r = g_ptr_array_index (listed, 0);
  g_assert_cmpint (r->seq, ==, 1);
  g_assert_cmpstr (r->uuid, ==, "00000000-0000-4000-8000-000000000001");
  g_assert_cmpint (r->face, ==, 3);
  g_assert_cmpint (r->time.wall_us, ==, T0);
  g_assert_cmpint (r->time.utc_offset_s, ==, 3600);
  g_assert_true (r->time.synced);
  g_assert_false (r->misuse);
  g_assert_null (r->misuse_rule);

  r = g_ptr_array_index (listed, 1);
  g_assert_cmpint (r->seq, ==, 2);
  g_assert_cmpint (r->face, ==, 1);
  g_assert_cmpstr (r->language, ==, "de");
  g_assert_cmpint (r->input, ==, KIOSK_INPUT_BUTTON);
  g_assert_false (r->time.synced);
  g_assert_true (r->clock_corrected);
  g_assert_true (r->misuse);
  g_assert_cmpstr (r->misuse_rule, ==, "response-interval");

  r = g_ptr_array_index (listed, 2);
  g_assert_cmpint (r->seq, ==, 3);
  g_assert_cmpint (r->survey_version, ==, 2);
  g_assert_cmpint (r->input, ==, KIOSK_INPUT_KEYBOARD);
  g_assert_cmpint (r->time.utc_offset_s, ==, -16200);
  g_assert_cmpint (r->time.monotonic_us, ==, 1000000003);

  incidents = kiosk_store_list_incidents (store, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (incidents->len, ==, 0);

  next = make_response (4, 2, T0 + SECONDS (60));
  record_ok (store, next);
  g_assert_cmpint (next->seq, ==, 4);
  g_assert_finalize_object (g_steal_pointer (&store));

  db = raw_open (path, SQLITE_OPEN_READONLY);
  g_assert_cmpint (raw_query_int (db, "PRAGMA user_version"), ==, KIOSK_STORE_SCHEMA_VERSION);
  mode = raw_query (db, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  tables = raw_query (db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  g_assert_cmpstr (tables, ==, "dead_letters|incidents|responses|sync_state");
  /* Columns the store does not read yet were kept too. */
  g_assert_cmpint (raw_query_int (db, "SELECT delivered_us FROM responses WHERE seq = 2"), ==,
                   G_GINT64_CONSTANT (1773500999000000));
  g_clear_pointer (&db, sqlite3_close);

  kiosk_test_rm_rf (dir);
}

static void
test_store_migrate_read_only_refused (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autofree char *expected = NULL;
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GError) error = NULL;

  create_v1_database (path);
  before = read_bytes (path);

  /* Tools (--stats, --export-csv) never upgrade: they say what to do instead. */
  store = kiosk_store_open (path, KIOSK_STORE_OPEN_READ_ONLY, &error);
  g_assert_null (store);
  g_assert_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_SCHEMA);
  expected = g_strdup_printf ("%s: the database has schema version 1 (expected %d); start the "
                              "kiosk once to upgrade it", path, KIOSK_STORE_SCHEMA_VERSION);
  g_assert_cmpstr (error->message, ==, expected);

  assert_same_bytes (before, path);

  kiosk_test_rm_rf (dir);
}

static void
check_newer_schema_refused (const char *journal_mode)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autofree char *wal_path = g_strconcat (path, "-wal", NULL);
  g_autofree char *pragma = g_strdup_printf ("PRAGMA journal_mode = %s", journal_mode);
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  db = raw_open (path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  raw_exec (db, pragma);
  raw_exec (db, v1_schema);
  raw_exec (db, "CREATE TABLE something_new (x TEXT)");
  raw_exec (db, "INSERT INTO something_new VALUES ('from the future')");
  raw_exec (db, "PRAGMA user_version = 99");
  sqlite3_close (db);
  before = read_bytes (path);

  store = kiosk_store_open (path, KIOSK_STORE_OPEN_DEFAULT, &error);
  g_assert_null (store);
  g_assert_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_SCHEMA);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, "newer version"));
  g_assert_nonnull (strstr (error->message, "schema version 99"));
  g_clear_error (&error);

  /* Not even the kiosk's keep-going mode may write into a newer program's database. */
  store = kiosk_store_open (path, KIOSK_STORE_OPEN_KEEP_GOING, &error);
  g_assert_null (store);
  g_assert_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_SCHEMA);
  g_assert_nonnull (strstr (error->message, "newer version"));

  assert_same_bytes (before, path);
  g_assert_false (g_file_test (wal_path, G_FILE_TEST_EXISTS));

  kiosk_test_rm_rf (dir);
}

/* A newer kiosk writes WAL databases like this one. */
static void
test_store_schema_newer_wal (void)
{
  check_newer_schema_refused ("wal");
}

/* The file must stay as it is even when opening it would switch its journal mode. */
static void
test_store_schema_newer_rollback_journal (void)
{
  check_newer_schema_refused ("delete");
}

static void
check_quarantined (const char *dir,
                   const char *path,
                   GBytes     *damaged,
                   gint64      last_seq_before)
{
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(KioskResponse) fresh = make_response (1000001, 2, T0 + SECONDS (3600));
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) name_regex = NULL;
  g_autofree char *quarantined = NULL;
  g_autofree char *qdir = NULL;
  g_autofree char *qname = NULL;
  g_autofree char *check = NULL;
  const char *message;
  sqlite3 *db;

  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_WARNING,
                         "*the database was damaged*it was moved to*a new one was created");
  store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
  g_test_assert_expected_messages ();

  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_RECOVERED);
  quarantined = g_strdup (kiosk_store_get_quarantined_path (store));
  g_assert_nonnull (quarantined);

  /* Next to the database, with the time it happened in its name. */
  qdir = g_path_get_dirname (quarantined);
  qname = g_path_get_basename (quarantined);
  g_assert_cmpstr (qdir, ==, dir);
  name_regex = g_regex_new ("^responses\\.db\\.corrupt-[0-9]{8}T[0-9]{6}Z$", 0, 0, NULL);
  g_assert_true (g_regex_match (name_regex, qname, 0, NULL));

  /* Never deleted: the damaged bytes are all there for someone to look at. */
  assert_same_bytes (damaged, quarantined);

  message = kiosk_store_get_health_message (store);
  g_assert_nonnull (message);
  g_assert_true (g_str_has_prefix (message, "The database was damaged ("));
  g_assert_nonnull (strstr (message, quarantined));
  g_assert_nonnull (strstr (message, "a new database was started"));

  /* A fresh, working database; numbers already handed out are never handed out again. */
  listed = kiosk_store_list_responses (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 0);

  record_ok (store, fresh);
  g_assert_cmpint (fresh->seq, >, last_seq_before);
  g_assert_cmpint (fresh->seq, >=, 1);

  incidents = kiosk_store_list_incidents (store, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (incidents->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (incidents, 0),
                           "quarantined: The database was damaged"));
  g_assert_nonnull (strstr (g_ptr_array_index (incidents, 0), quarantined));
  g_clear_pointer (&incidents, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&store));

  db = raw_open (path, SQLITE_OPEN_READONLY);
  check = raw_query (db, "PRAGMA integrity_check");
  g_assert_cmpstr (check, ==, "ok");
  g_clear_pointer (&db, sqlite3_close);

  /* The next start finds a healthy file; the incident is still on record. */
  store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_OK);
  g_assert_cmpint (kiosk_store_get_last_seq (store), ==, fresh->seq);
  incidents = kiosk_store_list_incidents (store, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (incidents->len, ==, 1);
  g_assert_true (strv_contains_substring (incidents, quarantined));
  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
test_store_corrupt_pages (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(GBytes) damaged = NULL;
  gint64 last;
  goffset size;

  last = fill_store (path, 20);
  g_assert_cmpint (last, ==, 20);

  /* The header survives, so SQLite opens the file and finds out only when it reads the pages. */
  size = file_size (path);
  g_assert_cmpint (size, >=, 2 * 4096);
  write_random (path, 4096, size - 4096);
  damaged = read_bytes (path);

  check_quarantined (dir, path, damaged, last);

  kiosk_test_rm_rf (dir);
}

static void
test_store_corrupt_random (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(GBytes) damaged = NULL;
  gint64 last;

  last = fill_store (path, 5);
  write_random (path, 0, file_size (path));
  damaged = read_bytes (path);

  check_quarantined (dir, path, damaged, last);

  kiosk_test_rm_rf (dir);
}

static void
test_store_corrupt_text (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = NULL;
  g_autoptr(GBytes) damaged = NULL;

  /* Someone copied the wrong file into place. */
  path = kiosk_test_write_file (dir, "responses.db",
                                "[kiosk]\ndevice-id = shop-north-1\nthank-you-seconds = 3\n"
                                "# This is a configuration file, not a database.\n");
  damaged = read_bytes (path);

  check_quarantined (dir, path, damaged, 0);

  kiosk_test_rm_rf (dir);
}

static void
test_store_read_only_missing (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_autofree char *path = g_build_filename (state, "responses.db", NULL);
  g_autofree char *expected = NULL;
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = kiosk_store_open (path, KIOSK_STORE_OPEN_READ_ONLY, &error);
  g_assert_null (store);
  g_assert_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_OPEN);
  expected = g_strdup_printf ("%s: no database yet (nothing has been recorded)", path);
  g_assert_cmpstr (error->message, ==, expected);

  /* Looking must not create anything. */
  g_assert_false (g_file_test (state, G_FILE_TEST_EXISTS));

  kiosk_test_rm_rf (dir);
}

static void
test_store_read_only_reads (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  KioskFaceCounts counts;
  gboolean ok;

  fill_store (path, 8);

  store = open_ok (path, KIOSK_STORE_OPEN_READ_ONLY);
  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_OK);
  listed = kiosk_store_list_responses (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 8);
  ok = kiosk_store_count_faces (store, G_MININT64, G_MAXINT64, &counts, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (kiosk_face_counts_total (&counts), ==, 8);
  g_assert_finalize_object (g_steal_pointer (&store));

  kiosk_test_rm_rf (dir);
}

static char *
export_csv (KioskStore *store,
            guint64    *out_rows)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = kiosk_export_csv_write (store, stream, out_rows, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  /* NUL-terminate what was written. */
  g_output_stream_write_all (stream, "", 1, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (stream, NULL, &error);
  g_assert_no_error (error);

  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (stream));
}

#define CSV_HEADER \
  "id,seq,time,local_time,survey_id,survey_version,scale,face,input,language,misuse," \
  "misuse_rule,clock_synced,clock_corrected,clock_boot_id,clock_monotonic_ms,follow_up_id," \
  "follow_up_selected,follow_up_outcome,comment,contact_name,contact_email,contact_phone\r\n"

static void
test_store_export_csv (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(KioskResponse) r1 = NULL;
  g_autoptr(KioskResponse) r2 = NULL;
  g_autoptr(KioskResponse) r3 = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 rows = 99;

  store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);

  empty = export_csv (store, &rows);
  g_assert_cmpstr (empty, ==, CSV_HEADER);
  g_assert_cmpuint (rows, ==, 0);

  r1 = make_response (1, 3, T0);
  r1->time.utc_offset_s = 3600;
  r1->time.monotonic_us = 5000000;
  g_free (r1->boot_id);
  r1->boot_id = g_strdup ("boot-a");
  record_ok (store, r1);

  /* A comma and quotes: the field is quoted and the quotes doubled. */
  r2 = make_response (2, 0, T0 + SECONDS (2));
  g_free (r2->survey_id);
  r2->survey_id = g_strdup ("north, \"main\" entrance");
  g_free (r2->language);
  r2->language = g_strdup ("de");
  r2->input = KIOSK_INPUT_BUTTON;
  r2->misuse = TRUE;
  r2->misuse_rule = g_strdup ("response-interval");
  r2->time.synced = FALSE;
  r2->time.monotonic_us = 5001999;
  g_free (r2->boot_id);
  r2->boot_id = g_strdup ("boot-a");
  record_ok (store, r2);

  /* A line break inside a field stays inside its quotes. */
  r3 = make_response (3, 2, T0 + SECONDS (60));
  r3->survey_version = 2;
  g_free (r3->language);
  r3->language = g_strdup ("pt-BR");
  r3->input = KIOSK_INPUT_KEYBOARD;
  r3->time.utc_offset_s = -16200;
  r3->time.monotonic_us = 7000000;
  r3->clock_corrected = TRUE;
  g_free (r3->boot_id);
  r3->boot_id = g_strdup ("boot\nb");
  record_ok (store, r3);

  csv = export_csv (store, &rows);
  g_assert_cmpuint (rows, ==, 3);

  lines = g_strsplit (csv, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 5);   /* header, 3 rows, "" after the last CRLF */
  g_assert_cmpstr (lines[0], ==,
                   "id,seq,time,local_time,survey_id,survey_version,scale,face,input,language,"
                   "misuse,misuse_rule,clock_synced,clock_corrected,clock_boot_id,"
                   "clock_monotonic_ms,follow_up_id,follow_up_selected,follow_up_outcome,comment,"
                   "contact_name,contact_email,contact_phone");
  g_assert_cmpstr (lines[1], ==,
                   "00000000-0000-4000-8000-000000000001,1,2026-03-14T15:09:26.535Z,"
                   "2026-03-14T16:09:26.535+01:00,demo,1,4,3,touch,en,false,,true,false,"
                   "boot-a,5000,,,,,,,");
  g_assert_cmpstr (lines[2], ==,
                   "00000000-0000-4000-8000-000000000002,2,2026-03-14T15:09:28.535Z,"
                   "2026-03-14T15:09:28.535Z,\"north, \"\"main\"\" entrance\",1,4,0,button,de,"
                   "true,response-interval,false,false,boot-a,5001,,,,,,,");
  g_assert_cmpstr (lines[3], ==,
                   "00000000-0000-4000-8000-000000000003,3,2026-03-14T15:10:26.535Z,"
                   "2026-03-14T10:40:26.535-04:30,demo,2,4,2,keyboard,pt-BR,false,,true,true,"
                   "\"boot\nb\",7000,,,,,,,");
  g_assert_cmpstr (lines[4], ==, "");

  g_assert_finalize_object (g_steal_pointer (&store));
  kiosk_test_rm_rf (dir);
}

static void
test_store_count_faces (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GError) error = NULL;
  KioskFaceCounts counts;
  gboolean ok;
  static const struct {
    int      face;
    gint64   offset_us;
    gboolean misuse;
  } votes[] = {
    { 3, -1, FALSE },                     /* just before the window */
    { 3, 0, FALSE },                      /* the window's start is inside */
    { 2, SECONDS (10), FALSE },
    { 2, SECONDS (20), FALSE },
    { 0, SECONDS (30), TRUE },            /* flagged: counted apart, not as a face */
    { 3, SECONDS (31), TRUE },
    { 1, SECONDS (60) - 1, FALSE },
    { 0, SECONDS (60), FALSE },           /* the window's end is outside */
  };

  store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
  for (guint i = 0; i < G_N_ELEMENTS (votes); i++)
    {
      g_autoptr(KioskResponse) r = make_response (i + 1, votes[i].face, T0 + votes[i].offset_us);

      if (votes[i].misuse)
        {
          r->misuse = TRUE;
          r->misuse_rule = g_strdup ("response-interval");
        }
      record_ok (store, r);
    }

  ok = kiosk_store_count_faces (store, T0, T0 + SECONDS (60), &counts, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpint (counts.scale, ==, 4);
  g_assert_cmpuint (counts.faces[0], ==, 0);
  g_assert_cmpuint (counts.faces[1], ==, 1);
  g_assert_cmpuint (counts.faces[2], ==, 2);
  g_assert_cmpuint (counts.faces[3], ==, 1);
  g_assert_cmpuint (counts.misuse, ==, 2);
  g_assert_cmpuint (kiosk_face_counts_total (&counts), ==, 4);

  ok = kiosk_store_count_faces (store, G_MININT64, G_MAXINT64, &counts, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (counts.faces[0], ==, 1);
  g_assert_cmpuint (counts.faces[1], ==, 1);
  g_assert_cmpuint (counts.faces[2], ==, 2);
  g_assert_cmpuint (counts.faces[3], ==, 2);
  g_assert_cmpuint (counts.misuse, ==, 2);

  ok = kiosk_store_count_faces (store, T0 + SECONDS (100), T0 + SECONDS (200), &counts,
                                &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpint (counts.scale, ==, 4);
  for (guint i = 0; i < KIOSK_MAX_SCALE; i++)
    g_assert_cmpuint (counts.faces[i], ==, 0);
  g_assert_cmpuint (counts.misuse, ==, 0);

  g_assert_finalize_object (g_steal_pointer (&store));
  kiosk_test_rm_rf (dir);
}

#define CRASH_RESPONSES 300

static void
test_store_reopen_after_crash (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *wal_path = NULL;
  g_autofree char *check = NULL;
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(KioskResponse) next = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  if (g_test_subprocess ())
    {
      /* The child records and dies without closing anything: no checkpoint, no cleanup. */
      KioskStore *doomed = open_ok (g_getenv ("KIOSK_TEST_CRASH_DB"), KIOSK_STORE_OPEN_DEFAULT);

      for (guint i = 1; i <= CRASH_RESPONSES; i++)
        {
          g_autoptr(KioskResponse) r = make_response (i, i % 4, T0 + SECONDS (i));

          record_ok (doomed, r);
        }
      _exit (0);
    }

  dir = kiosk_test_make_tmpdir ();
  path = g_build_filename (dir, "responses.db", NULL);
  wal_path = g_strconcat (path, "-wal", NULL);

  g_setenv ("KIOSK_TEST_CRASH_DB", path, TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("KIOSK_TEST_CRASH_DB");
  g_test_trap_assert_passed ();

  /* What the dead process left: everything still in the write-ahead log. */
  g_assert_true (g_file_test (wal_path, G_FILE_TEST_EXISTS));

  store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_OK);
  g_assert_cmpint (kiosk_store_get_last_seq (store), ==, CRASH_RESPONSES);

  listed = kiosk_store_list_responses (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, CRASH_RESPONSES);
  for (guint i = 1; i <= CRASH_RESPONSES; i++)
    {
      g_autoptr(KioskResponse) expected = make_response (i, i % 4, T0 + SECONDS (i));

      expected->seq = i;
      assert_response_equal (g_ptr_array_index (listed, i - 1), expected);
    }

  next = make_response (CRASH_RESPONSES + 1, 1, T0 + SECONDS (CRASH_RESPONSES + 1));
  record_ok (store, next);
  g_assert_cmpint (next->seq, ==, CRASH_RESPONSES + 1);
  g_assert_finalize_object (g_steal_pointer (&store));

  db = raw_open (path, SQLITE_OPEN_READONLY);
  check = raw_query (db, "PRAGMA integrity_check");
  g_assert_cmpstr (check, ==, "ok");
  g_assert_cmpint (raw_query_int (db, "SELECT count(*) FROM responses"), ==, CRASH_RESPONSES + 1);
  g_clear_pointer (&db, sqlite3_close);

  kiosk_test_rm_rf (dir);
}

/* Another connection holding the write lock longer than a tap may wait (the uploader committing a
 * large batch on a slow card) is contention, not a storage fault: the response is held, written
 * again within moments, and the kiosk never says "failing" for it. Only a lock held for seconds
 * becomes a fault, and is cleared like one. */
static gboolean
nothing_held (gpointer user_data)
{
  return kiosk_store_get_unwritten (user_data) == 0;
}

static gboolean
store_failing (gpointer user_data)
{
  return kiosk_store_get_health (user_data) == KIOSK_STORAGE_FAILING;
}

static void
test_store_lock_contention (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(KioskStore) store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);
  g_autoptr(KioskResponse) first = make_response (1, 0, T0);
  g_autoptr(KioskResponse) second = make_response (2, 1, T0 + SECONDS (1));
  g_autoptr(KioskResponse) third = make_response (3, 2, T0 + SECONDS (2));
  g_autoptr(GError) error = NULL;
  sqlite3 *other = raw_open (path, SQLITE_OPEN_READWRITE);
  g_autofree char *seqs = NULL;
  gint64 held_at;

  record_ok (store, first);
  g_assert_cmpint (kiosk_store_get_lock_wait_us (store), ==, 0);

  /* A short hold: quietly written once the lock is free. The tap waited its 10 ms for it. */
  raw_exec (other, "BEGIN IMMEDIATE");
  g_assert_false (kiosk_store_record (store, second, &error));
  g_assert_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_cmpint (kiosk_store_get_lock_wait_us (store), >=, 10 * 1000);
  g_assert_cmpint (kiosk_store_get_lock_wait_us (store), <, G_USEC_PER_SEC);
  g_assert_cmpuint (kiosk_store_get_unwritten (store), ==, 1);
  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_OK);
  g_assert_null (kiosk_store_get_health_message (store));
  raw_exec (other, "COMMIT");
  g_assert_true (kiosk_test_wait_for (nothing_held, store, 2000));
  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_OK);
  g_assert_cmpint (raw_query_int (other, "SELECT count(*) FROM responses"), ==, 2);
  g_assert_cmpint (raw_query_int (other, "SELECT count(*) FROM incidents"), ==, 0);

  /* A lock held for seconds is a fault, said as such, and cleared once the lock is free. */
  raw_exec (other, "BEGIN IMMEDIATE");
  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_WARNING,
                         "Storage failing: *: the database is locked by another connection *");
  held_at = g_get_monotonic_time ();
  g_assert_false (kiosk_store_record (store, third, &error));
  g_clear_error (&error);
  g_assert_true (kiosk_test_wait_for (store_failing, store, 10000));
  g_assert_cmpint (g_get_monotonic_time () - held_at, >=, 2 * G_USEC_PER_SEC);
  g_assert_nonnull (strstr (kiosk_store_get_health_message (store),
                            "the database is locked by another connection"));
  g_test_assert_expected_messages ();
  raw_exec (other, "COMMIT");
  g_assert_true (kiosk_test_wait_for (nothing_held, store, 15000));
  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_OK);
  seqs = raw_query (other, "SELECT seq FROM responses ORDER BY seq");
  g_assert_cmpstr (seqs, ==, "1|2|3");
  g_assert_cmpint (raw_query_int (other, "SELECT count(*) FROM incidents "
                                         "WHERE kind = 'write-failure'"), ==, 1);

  sqlite3_close (other);
  g_assert_finalize_object (g_steal_pointer (&store));
  kiosk_test_rm_rf (dir);
}

/* A caller that does not want the reason passes no GError: the store still keeps the response,
 * says why it is failing, and writes it once it can. */
static void
test_store_error_may_be_null (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(KioskResponse) first = make_response (1, 0, T0);
  g_autoptr(KioskResponse) second = make_response (2, 1, T0 + SECONDS (1));

  kiosk_test_vfs_install ();
  store = open_ok (path, KIOSK_STORE_OPEN_DEFAULT);

  kiosk_test_vfs_fail (KIOSK_TEST_VFS_WRITE, SQLITE_FULL, KIOSK_TEST_VFS_FOREVER);
  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_WARNING,
                         "Storage failing: *the disk is full*");
  g_assert_false (kiosk_store_record (store, first, NULL));
  g_test_assert_expected_messages ();
  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_FAILING);
  g_assert_nonnull (strstr (kiosk_store_get_health_message (store), "the disk is full"));

  /* Held, then completed while held; and a second one behind it. */
  first->visit_open = FALSE;
  first->follow_up_outcome = KIOSK_OUTCOME_SKIPPED;
  g_assert_false (kiosk_store_complete_visit (store, first, NULL));
  g_assert_false (kiosk_store_record (store, second, NULL));
  second->comment = g_strdup ("Quick");
  g_assert_false (kiosk_store_complete_visit (store, second, NULL));
  g_assert_cmpuint (kiosk_store_get_unwritten (store), ==, 2);

  kiosk_test_vfs_fail (KIOSK_TEST_VFS_WRITE, SQLITE_OK, 0);
  g_assert_true (kiosk_store_flush (store, NULL));
  g_assert_cmpuint (kiosk_store_get_unwritten (store), ==, 0);
  g_assert_cmpint (kiosk_store_get_health (store), ==, KIOSK_STORAGE_OK);

  g_assert_finalize_object (g_steal_pointer (&store));
  kiosk_test_vfs_uninstall ();
  kiosk_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/insert", test_store_insert);
  g_test_add_func ("/store/sequence", test_store_sequence);
  g_test_add_func ("/store/wal-synchronous-full", test_store_wal_synchronous);
  g_test_add_func ("/store/export-csv", test_store_export_csv);
  g_test_add_func ("/store/count-faces", test_store_count_faces);
  g_test_add_func ("/store/reopen-after-crash", test_store_reopen_after_crash);
  g_test_add_func ("/store/lock-contention", test_store_lock_contention);
  g_test_add_func ("/store/error-may-be-null", test_store_error_may_be_null);
  g_test_add_func ("/store/migrate/from-v1", test_store_migrate_v1);
  g_test_add_func ("/store/migrate/read-only-refused", test_store_migrate_read_only_refused);
  g_test_add_func ("/store/corrupt/garbage-pages", test_store_corrupt_pages);
  g_test_add_func ("/store/corrupt/random-file", test_store_corrupt_random);
  g_test_add_func ("/store/corrupt/plain-text", test_store_corrupt_text);
  g_test_add_func ("/store/read-only/missing", test_store_read_only_missing);
  g_test_add_func ("/store/read-only/reads", test_store_read_only_reads);
  g_test_add_func ("/store/schema/newer-wal", test_store_schema_newer_wal);
  g_test_add_func ("/store/schema/newer-rollback-journal",
                   test_store_schema_newer_rollback_journal);

  return g_test_run ();
}
