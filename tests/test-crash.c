/* test-crash.c: crash durability for real. A child process records votes through the real path
 * (KioskFlow -> KioskStore -> SQLite) as fast as it can and reports each one the moment the
 * visitor would be thanked; the parent kills it with SIGKILL at a random moment, over and over,
 * and proves that every acknowledged response is in the database exactly once and that the file
 * stays sound. */
#define G_LOG_DOMAIN "test-crash"

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "kiosk-flow.h"
#include "kiosk-test-util.h"

#define DEFAULT_ITERATIONS 200
#define DEFAULT_MAX_KILL_DELAY_MS 50

/* The child's first line, written before it opens the database; the kill delay counts from it,
 * so a slow start (an emulated CPU, a loaded machine) does not make every kill land early. */
#define STARTED_LINE       "STARTED\n"
#define START_TIMEOUT_US   (60 * G_USEC_PER_SEC)

/* A child that outlives its parent stops by itself. */
#define CHILD_LIFETIME_S   30

#define T0 G_GINT64_CONSTANT (1773500966535897)

/* The child */

static void
write_line (const char *line)
{
  gsize length = strlen (line);
  gsize done = 0;

  /* One short write(2) per line to a pipe is atomic: the parent sees whole lines only. */
  while (done < length)
    {
      ssize_t n = write (STDOUT_FILENO, line + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        _exit (3);
      done += n;
    }
}

static void
recorded_cb (KioskFlow     *flow,
             KioskResponse *response,
             gboolean       durable,
             gpointer       user_data)
{
  *(gboolean *) user_data = durable;
}

static int
run_child (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskClock) clock = NULL;
  g_autoptr(KioskSurvey) survey = NULL;
  g_autoptr(KioskFlow) flow = NULL;
  gboolean durable = FALSE;

  alarm (CHILD_LIFETIME_S);
  write_line (STARTED_LINE);

  store = kiosk_store_open (path, KIOSK_STORE_OPEN_DEFAULT, &error);
  if (store == NULL)
    {
      g_autofree char *line = g_strdup_printf ("ERROR %s\n", error->message);

      write_line (line);
      return 1;
    }

  config = kiosk_config_new_default ();
  clock = kiosk_clock_new_fake (T0, G_USEC_PER_SEC, NULL);
  survey = kiosk_survey_new_demo ();
  flow = kiosk_flow_new (config, store, clock, survey);
  g_signal_connect (flow, "recorded", G_CALLBACK (recorded_cb), &durable);

  for (guint i = 0; ; i++)
    {
      const KioskResponse *response;
      g_autofree char *line = NULL;

      durable = FALSE;
      response = kiosk_flow_vote (flow, i % 4, KIOSK_INPUT_TOUCH, &error);
      if (response == NULL || !durable)
        {
          line = g_strdup_printf ("ERROR vote %u was not committed: %s\n", i,
                                  error ? error->message : kiosk_store_get_health_message (store));
          write_line (line);
          return 1;
        }

      /* kiosk_flow_vote() returned: this is when the visitor sees the thank-you screen. */
      line = g_strdup_printf ("ACK %" G_GINT64_FORMAT " %s\n", response->seq, response->uuid);
      write_line (line);

      kiosk_flow_return_to_survey (flow);
      kiosk_clock_advance (clock, G_USEC_PER_SEC);
    }
}

/* The parent */

typedef struct
{
  gint64  seq;
  char   *uuid;
} Ack;

static void
ack_free (Ack *ack)
{
  g_free (ack->uuid);
  g_free (ack);
}

/* KIOSK_CRASH_ITERATIONS and KIOSK_CRASH_MAX_DELAY_MS make longer local runs, and give an
 * emulated CPU (tens of times slower) time to reach the recording loop. */
static guint
env_count (const char *name,
           guint       fallback)
{
  const char *env = g_getenv (name);
  guint64 n = fallback;

  if (env != NULL && !g_ascii_string_to_unsigned (env, 10, 1, G_MAXUINT, &n, NULL))
    g_error ("%s=%s: not a positive number", name, env);

  return n;
}

/* Appends what the child has written so far; returns FALSE at end of file. */
static gboolean
read_some (int      fd,
           GString *out)
{
  char buf[4096];
  ssize_t n;

  do
    n = read (fd, buf, sizeof buf);
  while (n < 0 && errno == EINTR);

  g_assert_cmpint (n, >=, 0);
  g_string_append_len (out, buf, n);
  return n > 0;
}

/* Runs one child, kills it @delay_us after it started, and returns everything it wrote after its
 * STARTED line. */
static char *
run_and_kill (const char *self,
              const char *path,
              gint64      delay_us,
              gboolean   *out_killed)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  const char *argv[] = { self, "--child", path, NULL };
  gboolean eof = FALSE;
  gint64 deadline;
  GPid pid;
  int status = 0;
  int fd = -1;

  g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                            G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_CLOEXEC_PIPES,
                            NULL, NULL, &pid, NULL, &fd, NULL, &error);
  g_assert_no_error (error);

  /* The line is shorter than PIPE_BUF, so it arrives whole. */
  deadline = g_get_monotonic_time () + START_TIMEOUT_US;
  while (!eof && !g_str_has_prefix (out->str, STARTED_LINE))
    {
      gint64 now = g_get_monotonic_time ();
      struct pollfd pfd = { .fd = fd, .events = POLLIN };

      if (now >= deadline)
        g_error ("The recording child did not start within %d s",
                 (int) (START_TIMEOUT_US / G_USEC_PER_SEC));
      if (poll (&pfd, 1, (deadline - now + 999) / 1000) > 0)
        eof = !read_some (fd, out);
    }
  if (eof)
    g_error ("The recording child ended before it started: %s", out->str);
  g_string_erase (out, 0, strlen (STARTED_LINE));
  deadline = g_get_monotonic_time () + delay_us;

  /* Keep the pipe drained until the moment of the kill, so the child never blocks on it. */
  while (!eof)
    {
      gint64 now = g_get_monotonic_time ();
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      int ready;

      if (now >= deadline)
        break;

      ready = poll (&pfd, 1, (deadline - now + 999) / 1000);
      g_assert_true (ready >= 0 || errno == EINTR);
      if (ready > 0)
        eof = !read_some (fd, out);
    }

  *out_killed = !eof;
  if (!eof)
    g_assert_cmpint (kill (pid, SIGKILL), ==, 0);

  /* Whatever it acknowledged before it died is still in the pipe. */
  while (!eof)
    eof = !read_some (fd, out);
  close (fd);

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);

  if (!*out_killed || !WIFSIGNALED (status) || WTERMSIG (status) != SIGKILL)
    g_error ("The recording child ended by itself (status 0x%x) and wrote:\n%s", status, out->str);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
parse_acks (const char *output,
            GPtrArray  *acks)
{
  g_auto(GStrv) lines = NULL;
  guint n;

  if (*output == '\0')
    return;

  /* Complete lines only: the text after the last newline must be empty. */
  lines = g_strsplit (output, "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpstr (lines[n - 1], ==, "");

  for (guint i = 0; i + 1 < n; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 3);
      Ack *ack;

      if (g_strv_length (fields) != 3 || g_strcmp0 (fields[0], "ACK") != 0)
        g_error ("Unexpected line from the recording child: %s", lines[i]);

      ack = g_new0 (Ack, 1);
      ack->seq = g_ascii_strtoll (fields[1], NULL, 10);
      ack->uuid = g_strdup (fields[2]);
      g_assert_cmpint (ack->seq, >, 0);
      g_assert_true (g_uuid_string_is_valid (ack->uuid));
      g_ptr_array_add (acks, ack);
    }
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

  /* integrity_check says "ok" in exactly one row when all is well. */
  if (rc == SQLITE_ROW && sqlite3_step (stmt) == SQLITE_ROW)
    g_error ("%s: more than one row: %s, %s", sql, text, sqlite3_column_text (stmt, 0));

  sqlite3_finalize (stmt);
  return text;
}

/* Checks @acks against the file, with a connection of our own. Returns the number of rows. */
static gint64
verify_database (const char *path,
                 GPtrArray  *acks)
{
  g_autofree char *check = NULL;
  g_autofree char *has_table = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  gint64 rows, distinct_seq, distinct_uuid, max_seq;
  int rc;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      /* Killed before the database was even created: nothing can have been acknowledged. */
      g_assert_cmpuint (acks->len, ==, 0);
      return 0;
    }

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  /* Leave the write-ahead log as the dead child left it, for the next child to recover. */
  sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  sqlite3_busy_timeout (db, 5000);

  check = query_text (db, "PRAGMA integrity_check");
  g_assert_cmpstr (check, ==, "ok");

  has_table = query_text (db, "SELECT name FROM sqlite_master WHERE name = 'responses'");
  if (has_table == NULL)
    {
      g_assert_cmpuint (acks->len, ==, 0);
      sqlite3_close (db);
      return 0;
    }

  /* Every acknowledged response is there, exactly once, under the number the visitor got. */
  rc = sqlite3_prepare_v2 (db, "SELECT count(*), min(seq) FROM responses WHERE uuid = ?",
                           -1, &stmt, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  for (guint i = 0; i < acks->len; i++)
    {
      Ack *ack = g_ptr_array_index (acks, i);

      sqlite3_bind_text (stmt, 1, ack->uuid, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      if (sqlite3_column_int64 (stmt, 0) != 1 || sqlite3_column_int64 (stmt, 1) != ack->seq)
        g_error ("Acknowledged response %" G_GINT64_FORMAT " %s: found %" G_GINT64_FORMAT
                 " times, seq %" G_GINT64_FORMAT, ack->seq, ack->uuid,
                 (gint64) sqlite3_column_int64 (stmt, 0), (gint64) sqlite3_column_int64 (stmt, 1));
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);

  /* Numbers and ids are unique, and numbers have no holes. */
  rc = sqlite3_prepare_v2 (db, "SELECT count(*), count(DISTINCT seq), count(DISTINCT uuid), "
                           "coalesce(max(seq), 0) FROM responses", -1, &stmt, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  rows = sqlite3_column_int64 (stmt, 0);
  distinct_seq = sqlite3_column_int64 (stmt, 1);
  distinct_uuid = sqlite3_column_int64 (stmt, 2);
  max_seq = sqlite3_column_int64 (stmt, 3);
  sqlite3_finalize (stmt);

  g_assert_cmpint (distinct_seq, ==, rows);
  g_assert_cmpint (distinct_uuid, ==, rows);
  g_assert_cmpint (max_seq, ==, rows);

  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  return rows;
}

static void
test_crash_kill_while_recording (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "responses.db", NULL);
  g_autofree char *self = NULL;
  g_autoptr(GPtrArray) all_acks = g_ptr_array_new_with_free_func ((GDestroyNotify) ack_free);
  g_autoptr(GError) error = NULL;
  guint iterations = env_count ("KIOSK_CRASH_ITERATIONS", DEFAULT_ITERATIONS);
  gint64 max_delay_us = (gint64) env_count ("KIOSK_CRASH_MAX_DELAY_MS",
                                            DEFAULT_MAX_KILL_DELAY_MS) * 1000;
  guint kills = 0;
  guint kills_while_recording = 0;
  gint64 rows = 0;
  gint64 start = g_get_monotonic_time ();

  self = g_file_read_link ("/proc/self/exe", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < iterations; i++)
    {
      g_autoptr(GPtrArray) acks = g_ptr_array_new_with_free_func ((GDestroyNotify) ack_free);
      g_autofree char *output = NULL;
      gint64 delay_us = g_test_rand_int_range (0, max_delay_us + 1);
      gint64 previous_rows = rows;
      gboolean killed = FALSE;

      output = run_and_kill (self, path, delay_us, &killed);
      kills++;

      parse_acks (output, acks);
      if (acks->len > 0)
        {
          kills_while_recording++;
          /* Each child continues where the last one stopped. */
          g_assert_cmpint (((Ack *) g_ptr_array_index (acks, 0))->seq, ==, previous_rows + 1);
        }

      rows = verify_database (path, acks);

      /* At most one response per child was committed but never acknowledged (killed between
       * the commit and the thank-you). */
      g_assert_cmpint (rows, >=, previous_rows + acks->len);
      g_assert_cmpint (rows, <=, previous_rows + acks->len + 1);

      g_ptr_array_extend_and_steal (all_acks, g_steal_pointer (&acks));
    }

  /* Nothing acknowledged in an early round went missing in a later one. */
  g_assert_cmpint (verify_database (path, all_acks), ==, rows);

  g_test_message ("%u kills (%u while recording), %u responses acknowledged, %" G_GINT64_FORMAT
                  " rows in the database, %.1f s", kills, kills_while_recording, all_acks->len,
                  rows, (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  g_assert_cmpuint (kills_while_recording, >, 0);

  kiosk_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_strcmp0 (argv[1], "--child") == 0)
    return run_child (argv[2]);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/crash/kill-while-recording", test_crash_kill_while_recording);

  return g_test_run ();
}
