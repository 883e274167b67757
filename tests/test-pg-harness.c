/* test-pg-harness.c: the private PostgreSQL cluster the server's tests run against: that it
 * starts, keeps what was committed across a restart and a crash, and says what went wrong. */
#define G_LOG_DOMAIN "test-pg-harness"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kiosk-test-pg.h"

#define ENV_DIR_FILE "KIOSK_TEST_PG_DIR_FILE"

static KioskTestPg *
start_or_skip (void)
{
  g_autoptr(GError) error = NULL;
  KioskTestPg *pg;
  gint64 started;

  if (kiosk_test_pg_skip_reason () != NULL)
    {
      g_test_skip (kiosk_test_pg_skip_reason ());
      return NULL;
    }

  started = g_get_monotonic_time ();
  pg = kiosk_test_pg_start (&error);
  g_assert_no_error (error);
  g_test_message ("cluster started in %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - started) / 1000);
  return pg;
}

static char *
query (KioskTestPg *pg,
       const char  *sql)
{
  g_autoptr(GError) error = NULL;
  char *value = kiosk_test_pg_query_value (pg, sql, &error);

  g_assert_no_error (error);
  return value;
}

static void
exec_ok (KioskTestPg *pg,
         const char  *sql)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (kiosk_test_pg_exec (pg, sql, &error));
  g_assert_no_error (error);
}

static void
assert_query (KioskTestPg *pg,
              const char  *sql,
              const char  *expected)
{
  g_autofree char *value = query (pg, sql);

  g_assert_cmpstr (value, ==, expected);
}

static void
test_start (void)
{
  g_autoptr(KioskTestPg) pg = start_or_skip ();
  g_autofree char *expected = NULL;
  g_autofree char *socket = NULL;
  g_autofree char *data = NULL;
  struct stat st;

  if (pg == NULL)
    return;

  expected = g_strdup_printf ("host=%s port=5432 user=postgres dbname=smiley_kiosk",
                              kiosk_test_pg_get_dir (pg));
  g_assert_cmpstr (kiosk_test_pg_get_conninfo (pg), ==, expected);
  g_assert_true (kiosk_test_pg_is_running (pg));

  assert_query (pg, "SELECT current_database()", "smiley_kiosk");
  assert_query (pg, "SELECT current_user", "postgres");
  assert_query (pg, "SELECT pg_get_userbyid (datdba) FROM pg_database "
                    "WHERE datname = current_database()", "postgres");
  assert_query (pg, "SHOW server_encoding", "UTF8");
  assert_query (pg, "SHOW max_connections", "300");
  /* The tests that kill PostgreSQL are there for durability: nothing may be faked. */
  assert_query (pg, "SHOW fsync", "on");
  assert_query (pg, "SHOW synchronous_commit", "on");
  /* A Unix socket in the test's directory and no TCP port: tests may run side by side. */
  assert_query (pg, "SHOW listen_addresses", "");
  socket = g_build_filename (kiosk_test_pg_get_dir (pg), ".s.PGSQL.5432", NULL);
  g_assert_true (g_file_test (socket, G_FILE_TEST_EXISTS));

  /* PostgreSQL refuses root: as root it runs as nobody. */
  data = g_build_filename (kiosk_test_pg_get_dir (pg), "data", NULL);
  g_assert_cmpint (g_stat (data, &st), ==, 0);
  if (geteuid () == 0)
    g_assert_cmpuint (st.st_uid, !=, 0);
  else
    g_assert_cmpuint (st.st_uid, ==, geteuid ());
}

static void
test_durable_across_restart (void)
{
  g_autoptr(KioskTestPg) pg = start_or_skip ();
  g_autoptr(GError) error = NULL;

  if (pg == NULL)
    return;

  exec_ok (pg, "CREATE TABLE responses (seq bigint PRIMARY KEY, face int NOT NULL);"
               "INSERT INTO responses SELECT g, g % 5 FROM generate_series (1, 1000) g");

  /* A fast restart: sessions ended, a checkpoint written. */
  g_assert_true (kiosk_test_pg_restart (pg, &error));
  g_assert_no_error (error);
  assert_query (pg, "SELECT count(*) FROM responses", "1000");
  assert_query (pg, "SELECT sum(face) FROM responses", "2000");

  /* A crash right after a commit: the commit was on disk when it returned. */
  exec_ok (pg, "INSERT INTO responses VALUES (1001, 4)");
  g_assert_true (kiosk_test_pg_stop (pg, TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (kiosk_test_pg_is_running (pg));
  g_assert_true (kiosk_test_pg_start_again (pg, &error));
  g_assert_no_error (error);
  assert_query (pg, "SELECT face FROM responses WHERE seq = 1001", "4");
  assert_query (pg, "SELECT count(*) FROM responses", "1001");

  /* Stopping or starting twice is harmless. */
  g_assert_true (kiosk_test_pg_start_again (pg, &error));
  g_assert_no_error (error);
  g_assert_true (kiosk_test_pg_stop (pg, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (kiosk_test_pg_stop (pg, FALSE, &error));
  g_assert_no_error (error);
}

static void
test_sql_errors (void)
{
  g_autoptr(KioskTestPg) pg = start_or_skip ();
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  if (pg == NULL)
    return;

  /* No row and a NULL value are not errors. */
  value = query (pg, "SELECT 1 WHERE false");
  g_assert_null (value);
  value = query (pg, "SELECT NULL");
  g_assert_null (value);

  g_assert_false (kiosk_test_pg_exec (pg, "SELEKT 1", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "syntax error at or near \"SELEKT\""));
  g_assert_nonnull (strstr (error->message, "(in: SELEKT 1)"));
  g_clear_error (&error);

  value = kiosk_test_pg_query_value (pg, "SELECT * FROM missing", &error);
  g_assert_null (value);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "relation \"missing\" does not exist"));
  g_clear_error (&error);

  /* A stopped server: the error says where it was looked for. */
  g_assert_true (kiosk_test_pg_stop (pg, TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (kiosk_test_pg_exec (pg, "SELECT 1", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (error->message, "Could not connect to PostgreSQL"));
  g_assert_nonnull (strstr (error->message, kiosk_test_pg_get_dir (pg)));
}

/* A postmaster that cannot start is reported at once, with its log, not after a timeout. */
static void
test_start_failure (void)
{
  g_autoptr(KioskTestPg) pg = start_or_skip ();
  g_autoptr(GError) error = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *contents = NULL;
  gint64 started;

  if (pg == NULL)
    return;

  g_assert_true (kiosk_test_pg_stop (pg, FALSE, &error));
  g_assert_no_error (error);

  conf = g_build_filename (kiosk_test_pg_get_dir (pg), "data", "postgresql.conf", NULL);
  g_assert_true (g_file_get_contents (conf, &contents, NULL, NULL));
  g_assert_true (g_file_set_contents (conf, "shared_buffers = banana\n", -1, NULL));

  started = g_get_monotonic_time ();
  g_assert_false (kiosk_test_pg_start_again (pg, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 30 * G_USEC_PER_SEC);
  g_assert_true (g_str_has_prefix (error->message, "PostgreSQL stopped while starting ("));
  g_assert_nonnull (strstr (error->message, "shared_buffers"));
  g_assert_nonnull (strstr (error->message, "banana"));
  g_assert_false (kiosk_test_pg_is_running (pg));
  g_clear_error (&error);

  /* Fixed, it starts again with the data it had. */
  g_assert_true (g_file_set_contents (conf, contents, -1, NULL));
  g_assert_true (kiosk_test_pg_start_again (pg, &error));
  g_assert_no_error (error);
  assert_query (pg, "SELECT current_database()", "smiley_kiosk");
}

static void
test_free_removes_everything (void)
{
  KioskTestPg *pg = start_or_skip ();
  g_autofree char *dir = NULL;

  if (pg == NULL)
    return;

  dir = g_strdup (kiosk_test_pg_get_dir (pg));
  kiosk_test_pg_free (pg);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

/* A test that aborts cannot free its cluster: the postmaster must not outlive it. */
static void
test_abort_stops_postgres (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *dir_file = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *pid_file = NULL;
  g_autofree char *admin = NULL;
  gint64 deadline;

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      KioskTestPg *pg = kiosk_test_pg_start (&error);

      g_assert_no_error (error);
      g_assert_true (g_file_set_contents (g_getenv (ENV_DIR_FILE), kiosk_test_pg_get_dir (pg),
                                          -1, NULL));
      abort ();
    }

  if (kiosk_test_pg_skip_reason () != NULL)
    {
      g_test_skip (kiosk_test_pg_skip_reason ());
      return;
    }

  tmp = g_dir_make_tmp ("test-pg-harness-XXXXXX", NULL);
  g_assert_nonnull (tmp);
  dir_file = g_build_filename (tmp, "dir", NULL);
  g_setenv (ENV_DIR_FILE, dir_file, TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv (ENV_DIR_FILE);
  g_test_trap_assert_failed ();

  g_assert_true (g_file_get_contents (dir_file, &dir, NULL, NULL));
  g_unlink (dir_file);
  g_rmdir (tmp);

  /* The postmaster removes its pid file last thing when it exits. */
  pid_file = g_build_filename (dir, "data", "postmaster.pid", NULL);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (g_file_test (pid_file, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
    g_usleep (5 * 1000);
  g_assert_false (g_file_test (pid_file, G_FILE_TEST_EXISTS));

  admin = g_strdup_printf ("host=%s port=5432 user=postgres dbname=postgres", dir);
  g_assert_cmpint (PQping (admin), ==, PQPING_NO_RESPONSE);

  {
    const char *rm[] = { "rm", "-rf", dir, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 NULL, NULL, NULL, NULL));
  }
}

/* Without PostgreSQL the tests skip, saying what to install; starting says the same. */
static void
test_skip_reason (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *empty = g_dir_make_tmp ("test-pg-harness-XXXXXX", NULL);
      g_autofree char *expected = NULL;
      g_autoptr(GError) error = NULL;
      KioskTestPg *pg;

      g_setenv ("SMILEY_KIOSK_PG_BINDIR", empty, TRUE);
      expected = g_strdup_printf ("PostgreSQL is not installed: %s/initdb or postgres next to it "
                                  "not found (SMILEY_KIOSK_PG_BINDIR=%s)", empty, empty);
      g_assert_cmpstr (kiosk_test_pg_skip_reason (), ==, expected);

      pg = kiosk_test_pg_start (&error);
      g_assert_null (pg);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      g_assert_cmpstr (error->message, ==, expected);

      g_rmdir (empty);
      return;
    }

  /* Here, with PostgreSQL installed where it is looked for, nothing is skipped. */
  if (g_file_test ("/usr/lib/postgresql/15/bin/initdb", G_FILE_TEST_IS_EXECUTABLE)
      && g_getenv ("SMILEY_KIOSK_PG_BINDIR") == NULL)
    g_assert_null (kiosk_test_pg_skip_reason ());

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pg-harness/start", test_start);
  g_test_add_func ("/pg-harness/durable-across-restart", test_durable_across_restart);
  g_test_add_func ("/pg-harness/sql-errors", test_sql_errors);
  g_test_add_func ("/pg-harness/start-failure", test_start_failure);
  g_test_add_func ("/pg-harness/free-removes-everything", test_free_removes_everything);
  g_test_add_func ("/pg-harness/abort-stops-postgres", test_abort_stops_postgres);
  g_test_add_func ("/pg-harness/skip-reason", test_skip_reason);

  return g_test_run ();
}
