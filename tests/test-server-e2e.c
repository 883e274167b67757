/* test-server-e2e.c: the kiosk's real uploader (thread, libcurl, its own SQLite queue) delivering
 * a backlog through the real smiley-kiosk-server into a real PostgreSQL, while the server is
 * SIGKILLed at random moments and restarted, and PostgreSQL restarts and crashes under it; then
 * two servers sharing one port and one database, one of them killed for good mid-drain.
 *
 * Each case ends the same way: PostgreSQL holds every response exactly once with seq 1 … N and
 * the content the kiosk recorded, everything the kiosk marked delivered is in PostgreSQL, nothing
 * is pending and nothing was dead-lettered. */
#define G_LOG_DOMAIN "test-server-e2e"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "kiosk-test-pg.h"
#include "kiosk-test-sync.h"
#include "kiosk-test-util.h"
#include "kiosk-uploader.h"

#define SITE               "e2e"
#define SECOND_DEVICE_ID   "test-kiosk-2"
#define READY_MS           20000
#define PROGRESS_MS        30000
#define DRAIN_MS           120000

/* Waiting: the condition changes on other threads and in other processes, so it is polled every
 * few ms while the main context runs (the uploader's notifications arrive there). */

static gboolean
poll_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_until (gboolean (*condition) (gpointer data),
            gpointer   data,
            guint      timeout_ms)
{
  guint poll = g_timeout_add (2, poll_cb, NULL);
  gboolean ok = kiosk_test_wait_for (condition, data, timeout_ms);

  g_source_remove (poll);
  return ok;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* Lets the uploader run for a while: the random moment before a kill. */
static void
run_for (guint ms)
{
  if (ms > 0)
    wait_until (never, NULL, ms);
}

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *value = g_getenv (name);

  return value != NULL ? (guint) g_ascii_strtoull (value, NULL, 10) : fallback;
}

static char *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    g_error ("%s", error->message);
  return g_steal_pointer (&text);
}

static char *
pg_value (KioskTestPg *pg,
          const char  *sql)
{
  g_autoptr(GError) error = NULL;
  char *value = kiosk_test_pg_query_value (pg, sql, &error);

  g_assert_no_error (error);
  return value;
}

/* The server, a child of ours */

typedef struct
{
  KioskTestPg *pg;
  char        *config_path;
  char        *log_path;      /* its stdout and stderr, appended to across restarts */
  GPid         pid;           /* 0 while it is not running */
  guint16      port;          /* 0 until the first start picked one */
  guint16      dashboard_port;
  goffset      log_start;     /* where the current run's output begins */
  guint        starts;
  gint64       starting_us;   /* spent waiting for it to listen, all starts together */
} Server;

static const char *
server_binary (void)
{
  const char *binary = g_getenv ("SMILEY_KIOSK_SERVER_BINARY");

  g_assert_nonnull (binary);
  return binary;
}

static void
server_init (Server      *s,
             KioskTestPg *pg,
             const char  *dir,
             const char  *name)
{
  g_autofree char *config_name = g_strdup_printf ("server-%s.conf", name);
  g_autofree char *log_name = g_strdup_printf ("server-%s.log", name);
  g_autofree char *config = g_strdup_printf ("[database]\nconninfo=%s\n",
                                             kiosk_test_pg_get_conninfo (pg));

  s->pg = pg;
  /* A configuration of our own, so that none installed on this machine is read. */
  s->config_path = kiosk_test_write_file (dir, config_name, config);
  s->log_path = g_build_filename (dir, log_name, NULL);
}

/* Runs an operator's command; returns its standard output. */
static char *
server_admin (Server      *s,
              const char  *first,
              ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int wait_status = 0;
  va_list args;

  g_ptr_array_add (argv, (char *) server_binary ());
  g_ptr_array_add (argv, "--config");
  g_ptr_array_add (argv, s->config_path);
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                &wait_status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (wait_status, NULL))
    g_error ("smiley-kiosk-server %s failed: %s%s", first, out, err);
  return out;
}

/* A device on the server; returns the token "device add" printed for it. */
static char *
server_add_device (Server     *s,
                   const char *device_id)
{
  g_autofree char *out = server_admin (s, "device", "add", device_id, "--site", SITE, NULL);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  /* The token is the fourth line. */
  g_assert_cmpuint (g_strv_length (lines), >=, 4);
  g_assert_cmpuint (strlen (lines[3]), >=, 40);
  return g_strdup (lines[3]);
}

/* In the child between fork and exec: a test that aborts takes its servers along. */
static void
server_child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* The port in the complete line of @log that contains @marker ("…: listening on
 * http://127.0.0.1:"), 0 while there is none. */
static guint16
port_after (const char *log,
            const char *marker)
{
  const char *line = strstr (log, marker);

  if (line == NULL || strchr (line, '\n') == NULL)
    return 0;
  return (guint16) g_ascii_strtoull (line + strlen (marker), NULL, 10);
}

static gboolean
server_ready (gpointer data)
{
  Server *s = data;
  g_autofree char *log = read_text (s->log_path);
  int wait_status;

  if (waitpid (s->pid, &wait_status, WNOHANG) == s->pid)
    g_error ("the server exited while starting: %s", log + s->log_start);

  s->port = port_after (log + s->log_start, ": listening on http://127.0.0.1:");
  if (s->port == 0)
    return FALSE;
  /* The dashboard's line comes last, once the server is up: the API's alone is printed (and
   * flushed by the exit) by a server that then fails to start its dashboard. */
  s->dashboard_port = port_after (log + s->log_start, ": dashboard on http://127.0.0.1:");
  return s->dashboard_port != 0;
}

/* Starts the server on its port (any free one the first time) and waits until it listens. */
static void
server_start (Server *s)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", s->port);
  /* Not the default 8081: the other server tests run alongside. Two servers sharing the API's
   * port share the dashboard's too, as two on one host with one configuration would. */
  g_autofree char *dashboard = g_strdup_printf ("127.0.0.1:%u", s->dashboard_port);
  const char *argv[] = { server_binary (), "--config", s->config_path, "serve",
                         "--listen", listen, "--dashboard-listen", dashboard, NULL };
  /* Each batch's accepted and duplicate counts: the figures of the test. */
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "G_MESSAGES_DEBUG",
                                         "kiosk-server-http", TRUE);
  gint64 spawned = g_get_monotonic_time ();
  int out_fd, err_fd;
  struct stat st;

  g_assert_cmpint (s->pid, ==, 0);
  out_fd = open (s->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  err_fd = open (s->log_path, O_WRONLY | O_APPEND | O_CLOEXEC);
  g_assert_cmpint (out_fd, >=, 0);
  g_assert_cmpint (err_fd, >=, 0);
  g_assert_cmpint (fstat (out_fd, &st), ==, 0);
  s->log_start = st.st_size;

  g_spawn_async_with_fds (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD,
                          server_child_setup, NULL, &s->pid, -1, out_fd, err_fd, &error);
  g_assert_no_error (error);
  close (out_fd);
  close (err_fd);

  if (!wait_until (server_ready, s, READY_MS))
    g_error ("the server did not listen within %d ms", READY_MS);
  s->starts++;
  s->starting_us += g_get_monotonic_time () - spawned;
}

/* SIGKILL: no reply finished, no transaction rolled back by the server itself. It must have been
 * running until then: a server that died on its own is a crash. */
static void
server_assert_running (Server *s)
{
  int wait_status = 0;

  g_assert_cmpint (s->pid, !=, 0);
  if (waitpid (s->pid, &wait_status, WNOHANG) == s->pid)
    {
      g_autofree char *log = read_text (s->log_path);

      g_error ("the server died on its own (status %d): %s", wait_status, log + s->log_start);
    }
}

static void
server_kill (Server *s)
{
  int wait_status = 0;

  server_assert_running (s);
  g_assert_cmpint (kill (s->pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (s->pid, &wait_status, 0), ==, s->pid);
  g_assert_true (WIFSIGNALED (wait_status));
  g_spawn_close_pid (s->pid);
  s->pid = 0;
}

/* SIGTERM: the requests in flight finish and the server exits 0. */
static void
server_stop (Server *s)
{
  int wait_status = 0;

  if (s->pid == 0)
    return;
  g_assert_cmpint (kill (s->pid, SIGTERM), ==, 0);
  g_assert_cmpint (waitpid (s->pid, &wait_status, 0), ==, s->pid);
  g_spawn_close_pid (s->pid);
  s->pid = 0;
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 0);
}

static void
server_clear (Server *s)
{
  if (s->pid != 0)
    {
      kill (s->pid, SIGKILL);
      waitpid (s->pid, NULL, 0);
      g_spawn_close_pid (s->pid);
      s->pid = 0;
    }
  g_clear_pointer (&s->config_path, g_free);
  g_clear_pointer (&s->log_path, g_free);
}

static char *
server_url (Server *s)
{
  return g_strdup_printf ("http://127.0.0.1:%u", s->port);
}

/* What the server logged of each batch ("device D: n events, a accepted, d duplicates"). */
typedef struct
{
  guint requests;
  guint events;
  guint accepted;
  guint duplicates;
  guint requests_with_duplicates;   /* resends of a batch whose reply died with a server */
  guint database_unavailable;       /* answered 503 while PostgreSQL was away */
  guint other_warnings;
} ServerFigures;

static void
server_add_figures (Server        *s,
                    ServerFigures *figures)
{
  g_autofree char *log = read_text (s->log_path);
  g_auto(GStrv) lines = g_strsplit (log, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *batch = strstr (lines[i], ": device ");
      guint events, accepted, duplicates;

      if (strstr (lines[i], "the database connection failed") != NULL ||
          strstr (lines[i], "cannot connect to the database") != NULL)
        figures->database_unavailable++;
      else if (*lines[i] != '\0' && strstr (lines[i], "-DEBUG: ") == NULL &&
               strstr (lines[i], ": listening on http://") == NULL &&
               strstr (lines[i], ": dashboard on http://") == NULL &&
               strstr (lines[i], "-Message: ") == NULL)
        {
          /* Shown, not failed: a warning the test does not expect is worth a look. */
          if (figures->other_warnings++ < 5)
            g_test_message ("server: %s", lines[i]);
        }

      if (batch == NULL ||
          sscanf (batch, ": device %*s %u events, %u accepted, %u duplicates", &events,
                  &accepted, &duplicates) != 3)
        continue;
      figures->requests++;
      figures->events += events;
      figures->accepted += accepted;
      figures->duplicates += duplicates;
      if (duplicates > 0)
        figures->requests_with_duplicates++;
    }
}

static guint
server_count_batches (Server *s)
{
  ServerFigures figures = { 0 };

  server_add_figures (s, &figures);
  return figures.requests;
}

/* A fresh database with a site, and the device that kiosk_test_fill_queue's responses name. */
static void
server_prepare (Server *s)
{
  g_free (server_admin (s, "migrate", NULL));
  g_free (server_admin (s, "site", "add", SITE, "--time-zone", "Europe/Berlin", NULL));
}

/* The kiosk */

typedef struct
{
  char          *dir;
  char          *db;
  char          *device_id;
  char          *token;
  char          *url;
  guint          count;
  KioskUploader *uploader;
  guint64        requests;    /* those of uploaders stopped already */
} Kiosk;

static void
e2e_timings (KioskUploaderTimings *t,
             guint64               seed)
{
  /* test-uploader.c's fast timings: every retry within 200 ms. The server's Retry-After (5 s
   * while the database is away) is honoured, clamped to this test's scale. */
  kiosk_uploader_timings_init (t);
  t->debounce_ms = 10;
  t->start_delay_max_ms = 0;
  t->backoff_base_ms = 40;
  t->backoff_cap_ms = 200;
  t->pause_ms = 200;
  t->retry_after_min_ms = 20;
  t->retry_after_max_ms = 200;
  t->survey_poll_ms = 3600 * 1000;
  t->heartbeat_ms = 3600 * 1000;
  t->connect_timeout_ms = 2000;
  /* A batch of 500 waits for its transaction without a byte flowing: more than a second on a
   * busy machine. */
  t->low_speed_time_s = 10;
  t->total_timeout_ms = 30000;
  t->stats_interval_ms = 0;
  t->seed = seed;
  t->use_network_monitor = FALSE;
}

static void
sqlite_exec (const char *db_path,
             const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static gint64
sqlite_int (const char *db_path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* Each row of @sql's first column, for comparing sets. */
static GPtrArray *
sqlite_strings (const char *db_path,
                const char *sql)
{
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (values, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return values;
}

static void
kiosk_init (Kiosk      *k,
            const char *device_id,
            const char *token,
            guint       count,
            guint32     seed)
{
  k->dir = kiosk_test_make_tmpdir ();
  k->db = g_build_filename (k->dir, "responses.db", NULL);
  k->device_id = g_strdup (device_id);
  k->count = count;
  g_free (kiosk_test_write_token (k->dir, token, 0600));

  kiosk_test_fill_queue (k->db, count, seed);
  /* kiosk_test_fill_queue answers the follow-up "improve" with options the test server takes,
   * after any face; the demo survey (which this server knows) asks it after the negative faces
   * 0 and 1 only, and offers "waiting-time" and "staff". The real server checks each response
   * against the survey, so the queue is made to fit it. */
  sqlite_exec (k->db,
               "UPDATE responses SET face = face % 2,"
               " follow_up_selected = '[\"waiting-time\",\"staff\"]'"
               " WHERE follow_up_id IS NOT NULL");
}

static void
kiosk_start (Kiosk      *k,
             const char *url,
             guint       batch_size,
             guint64     seed)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token_path = g_build_filename (k->dir, "token", NULL);
  g_autofree char *text = NULL;
  g_autoptr(KioskConfig) config = NULL;
  KioskUploaderTimings timings;

  g_assert_null (k->uploader);
  text = g_strdup_printf ("[kiosk]\n"
                          "device-id=%s\n"
                          "state-directory=%s\n"
                          "[cloud]\n"
                          "url=%s\n"
                          "token-file=%s\n"
                          "batch-size=%u\n",
                          k->device_id, k->dir, url, token_path, batch_size);
  config = kiosk_config_new_from_data (text, -1, "e2e.conf", &error);
  g_assert_no_error (error);

  e2e_timings (&timings, seed);
  k->uploader = kiosk_uploader_new (config, k->db, &error);
  g_assert_no_error (error);
  kiosk_uploader_set_timings (k->uploader, &timings);
  g_assert_true (kiosk_uploader_start (k->uploader, &error));
  g_assert_no_error (error);
}

static void
kiosk_stop (Kiosk *k)
{
  g_autoptr(KioskSyncStatus) status = NULL;

  if (k->uploader == NULL)
    return;
  status = kiosk_uploader_dup_status (k->uploader);
  k->requests += status->requests;
  kiosk_uploader_stop (k->uploader);
  g_clear_object (&k->uploader);
}

static void
kiosk_clear (Kiosk *k)
{
  kiosk_stop (k);
  if (k->dir != NULL)
    kiosk_test_rm_rf (k->dir);
  g_clear_pointer (&k->dir, g_free);
  g_clear_pointer (&k->db, g_free);
  g_clear_pointer (&k->device_id, g_free);
}

static gint64
kiosk_delivered (Kiosk *k)
{
  return sqlite_int (k->db, "SELECT count(*) FROM responses WHERE delivered_us IS NOT NULL");
}

static gboolean
kiosk_is_sending (Kiosk *k)
{
  g_autoptr(KioskSyncStatus) status = kiosk_uploader_dup_status (k->uploader);

  return status->state == KIOSK_SYNC_SENDING;
}

/* Nothing the kiosk marked delivered is missing from PostgreSQL. Valid at any moment: the
 * server replies only after COMMIT, and the kiosk marks only after the reply. Returns how many
 * the kiosk has marked. */
static guint
assert_delivered_are_stored (KioskTestPg *pg,
                             Kiosk       *k)
{
  g_autoptr(GPtrArray) delivered = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *stored_text = NULL;
  g_auto(GStrv) stored = NULL;
  g_autoptr(GHashTable) set = g_hash_table_new (g_str_hash, g_str_equal);

  /* The kiosk first: whatever it marked by then, PostgreSQL holds by the time it is asked. */
  delivered = sqlite_strings (k->db, "SELECT uuid FROM responses WHERE delivered_us IS NOT NULL");
  sql = g_strdup_printf ("SELECT string_agg (event_id::text, ' ') FROM responses "
                         "WHERE device_id = '%s'", k->device_id);
  stored_text = pg_value (pg, sql);
  stored = g_strsplit (stored_text ? stored_text : "", " ", -1);
  for (guint i = 0; stored[i] != NULL; i++)
    g_hash_table_add (set, stored[i]);

  for (guint i = 0; i < delivered->len; i++)
    if (!g_hash_table_contains (set, g_ptr_array_index (delivered, i)))
      g_error ("%s: response %s is marked delivered on the kiosk but PostgreSQL does not hold "
               "it", k->device_id, (const char *) g_ptr_array_index (delivered, i));
  return delivered->len;
}

/* The end of every case. */
static void
assert_exactly_once (KioskTestPg *pg,
                     Kiosk       *k)
{
  g_autofree char *sql = NULL;
  g_autofree char *figures = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *stored_digest = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GChecksum) digest = g_checksum_new (G_CHECKSUM_MD5);

  g_assert_cmpint (kiosk_test_count_pending (k->db), ==, 0);
  g_assert_cmpint (sqlite_int (k->db, "SELECT count(*) FROM dead_letters"), ==, 0);
  g_assert_cmpint (sqlite_int (k->db, "SELECT count(*) FROM responses WHERE rejected != 0"), ==,
                   0);
  g_assert_cmpuint (assert_delivered_are_stored (pg, k), ==, k->count);

  /* Each response once, none missing: seq contiguous 1 … N. */
  sql = g_strdup_printf ("SELECT count(*) || ' ' || count (DISTINCT event_id) || ' ' || "
                         " count (DISTINCT seq) || ' ' || min (seq) || ' ' || max (seq) "
                         "FROM responses WHERE device_id = '%s'", k->device_id);
  figures = pg_value (pg, sql);
  expected = g_strdup_printf ("%u %u %u 1 %u", k->count, k->count, k->count, k->count);
  g_assert_cmpstr (figures, ==, expected);

  /* … and each with the id, seq and face the kiosk recorded. */
  rows = sqlite_strings (k->db, "SELECT uuid || ':' || seq || ':' || face FROM responses"
                                " ORDER BY seq");
  for (guint i = 0; i < rows->len; i++)
    {
      if (i > 0)
        g_checksum_update (digest, (const guchar *) ",", 1);
      g_checksum_update (digest, g_ptr_array_index (rows, i), -1);
    }
  g_free (sql);
  sql = g_strdup_printf ("SELECT md5 (string_agg (event_id::text || ':' || seq || ':' || face,"
                         " ',' ORDER BY seq)) FROM responses WHERE device_id = '%s'",
                         k->device_id);
  stored_digest = pg_value (pg, sql);
  g_assert_cmpstr (stored_digest, ==, g_checksum_get_string (digest));
}

static gboolean
kiosk_drained (gpointer data)
{
  Kiosk *k = data;

  return kiosk_test_count_pending (k->db) == 0;
}

static KioskTestPg *
start_or_skip (void)
{
  g_autoptr(GError) error = NULL;
  KioskTestPg *pg;

  if (kiosk_test_pg_skip_reason () != NULL)
    {
      g_test_skip (kiosk_test_pg_skip_reason ());
      return NULL;
    }
  pg = kiosk_test_pg_start (&error);
  g_assert_no_error (error);
  return pg;
}

/* 1. A backlog through a server killed 50 times, PostgreSQL restarted and crashed under it */

typedef struct
{
  Kiosk  *kiosk;
  gint64  target;
} Progress;

static gboolean
progress_reached (gpointer data)
{
  Progress *p = data;

  return kiosk_delivered (p->kiosk) >= p->target;
}

static void
test_sigkill_drain (void)
{
  guint n = env_uint ("KIOSK_E2E_RESPONSES", 20000);
  guint kills = env_uint ("KIOSK_E2E_KILLS", 50);
  g_autoptr(KioskTestPg) pg = start_or_skip ();
  g_autoptr(GRand) rand = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *token = NULL;
  g_autofree char *url = NULL;
  Server server = { 0 };
  Kiosk kiosk = { 0 };
  ServerFigures figures = { 0 };
  guint32 seed = g_test_rand_int ();
  guint killed = 0, killed_sending = 0, killed_small = 0;
  guint batch_size = 500;
  gint64 started = g_get_monotonic_time ();

  if (pg == NULL)
    return;

  g_test_message ("seed %u", seed);
  rand = g_rand_new_with_seed (seed);
  dir = kiosk_test_make_tmpdir ();
  server_init (&server, pg, dir, "a");
  server_prepare (&server);
  token = server_add_device (&server, KIOSK_TEST_DEVICE_ID);
  kiosk_init (&kiosk, KIOSK_TEST_DEVICE_ID, token, n, seed);
  server_start (&server);
  url = server_url (&server);
  kiosk_start (&kiosk, url, batch_size, seed);

  /* Kills spread over the drain: each after a random share of what is left (at least one
   * response, so each restarted server delivered something), then a random few ms more so it
   * lands anywhere in a request: connecting, sending, inside the transaction, replying, or
   * between two. Two of the events are PostgreSQL's instead: a fast restart, then a crash. */
  for (guint event = 0; event < kills + 2; event++)
    {
      gboolean pg_fast_restart = event == (kills + 2) / 3;
      gboolean pg_crash = event == 2 * (kills + 2) / 3;
      gint64 delivered = kiosk_delivered (&kiosk);
      gint64 left = n - delivered;
      Progress progress = { &kiosk, 0 };

      progress.target = delivered + 1 +
                        g_rand_int_range (rand, 0, MAX (1, 2 * left / (kills + 2 - event + 1)));
      progress.target = MIN (progress.target, n - 1);
      if (!wait_until (progress_reached, &progress, PROGRESS_MS))
        g_error ("no progress within %d ms: %" G_GINT64_FORMAT " of %u delivered", PROGRESS_MS,
                 kiosk_delivered (&kiosk), n);

      /* Halfway, the kiosk restarts with small batches: many more requests to kill. */
      if (batch_size == 500 && kiosk_delivered (&kiosk) >= n / 2)
        {
          kiosk_stop (&kiosk);
          batch_size = 20;
          kiosk_start (&kiosk, url, batch_size, seed + 1);
        }

      run_for (g_rand_int_range (rand, 0, 25));

      if (pg_fast_restart || pg_crash)
        {
          if (pg_fast_restart)
            g_assert_true (kiosk_test_pg_restart (pg, &error));
          else
            g_assert_true (kiosk_test_pg_stop (pg, TRUE, &error) &&
                           kiosk_test_pg_start_again (pg, &error));
          g_assert_no_error (error);
          g_test_message ("PostgreSQL %s at %" G_GINT64_FORMAT " of %u delivered",
                          pg_fast_restart ? "restarted" : "crashed and started again",
                          kiosk_delivered (&kiosk), n);
          continue;
        }

      if (kiosk_is_sending (&kiosk))
        killed_sending++;
      server_kill (&server);
      killed++;
      if (batch_size < 500)
        killed_small++;
      assert_delivered_are_stored (pg, &kiosk);
      server_start (&server);
    }

  if (!wait_until (kiosk_drained, &kiosk, DRAIN_MS))
    g_error ("not drained within %d ms: %" G_GINT64_FORMAT " pending", DRAIN_MS,
             kiosk_test_count_pending (kiosk.db));
  kiosk_stop (&kiosk);
  server_stop (&server);

  assert_exactly_once (pg, &kiosk);

  server_add_figures (&server, &figures);
  g_test_message ("%u responses in %.1f s: %u kills of the server (%u with batches of 20), "
                  "%u of them while the kiosk had a request in flight; %u server starts "
                  "(%.1f s in all); the kiosk made %" G_GUINT64_FORMAT " requests, the servers "
                  "logged %u batches of %u events, %u accepted, %u duplicates in %u batches "
                  "(resends of a batch whose reply died with the server), %u database failures "
                  "answered 503, %u other warnings",
                  n, (g_get_monotonic_time () - started) / 1e6, killed, killed_small,
                  killed_sending, server.starts, server.starting_us / 1e6, kiosk.requests,
                  figures.requests, figures.events, figures.accepted, figures.duplicates,
                  figures.requests_with_duplicates, figures.database_unavailable,
                  figures.other_warnings);
  g_assert_cmpuint (killed, ==, kills);

  server_clear (&server);
  kiosk_clear (&kiosk);
  kiosk_test_rm_rf (dir);
}

/* 2. Two servers on one port (SO_REUSEPORT) and one database, one killed for good */

typedef struct
{
  Kiosk *kiosks;
  guint  n_kiosks;
  gint64 each;
} AllProgress;

static gboolean
all_reached (gpointer data)
{
  AllProgress *p = data;

  for (guint i = 0; i < p->n_kiosks; i++)
    if (kiosk_delivered (&p->kiosks[i]) < p->each)
      return FALSE;
  return TRUE;
}

static gboolean
all_drained (gpointer data)
{
  AllProgress *p = data;

  for (guint i = 0; i < p->n_kiosks; i++)
    if (!kiosk_drained (&p->kiosks[i]))
      return FALSE;
  return TRUE;
}

static void
test_shared_port_survivor (void)
{
  guint n = env_uint ("KIOSK_E2E_SHARED_RESPONSES", 3000);
  g_autoptr(KioskTestPg) pg = start_or_skip ();
  g_autoptr(GRand) rand = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *url = NULL;
  const char *device_ids[] = { KIOSK_TEST_DEVICE_ID, SECOND_DEVICE_ID };
  Server servers[2] = { { 0 } };
  Kiosk kiosks[2] = { { 0 } };
  AllProgress progress = { kiosks, G_N_ELEMENTS (kiosks), 0 };
  guint32 seed = g_test_rand_int ();
  guint before[2], after[2];
  Server *victim, *survivor;

  if (pg == NULL)
    return;

  g_test_message ("seed %u", seed);
  rand = g_rand_new_with_seed (seed);
  dir = kiosk_test_make_tmpdir ();
  server_init (&servers[0], pg, dir, "a");
  server_init (&servers[1], pg, dir, "b");
  server_prepare (&servers[0]);
  for (guint i = 0; i < G_N_ELEMENTS (kiosks); i++)
    {
      g_autofree char *token = server_add_device (&servers[0], device_ids[i]);

      kiosk_init (&kiosks[i], device_ids[i], token, n, seed + i);
    }

  /* The second server binds the ports the first one picked (the API's and the dashboard's): the
   * kernel spreads the connections over both. */
  server_start (&servers[0]);
  servers[1].port = servers[0].port;
  servers[1].dashboard_port = servers[0].dashboard_port;
  server_start (&servers[1]);
  url = server_url (&servers[0]);
  for (guint i = 0; i < G_N_ELEMENTS (kiosks); i++)
    kiosk_start (&kiosks[i], url, 20, seed + i);

  progress.each = g_rand_int_range (rand, n / 5, n / 2);
  g_assert_true (wait_until (all_reached, &progress, PROGRESS_MS));
  run_for (g_rand_int_range (rand, 0, 25));

  /* The server that has been busier dies, and stays dead. */
  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    before[i] = server_count_batches (&servers[i]);
  victim = before[0] >= before[1] ? &servers[0] : &servers[1];
  survivor = victim == &servers[0] ? &servers[1] : &servers[0];
  g_assert_cmpuint (MAX (before[0], before[1]), >, 0);
  server_assert_running (survivor);
  server_kill (victim);

  if (!wait_until (all_drained, &progress, DRAIN_MS))
    g_error ("not drained within %d ms", DRAIN_MS);
  for (guint i = 0; i < G_N_ELEMENTS (kiosks); i++)
    kiosk_stop (&kiosks[i]);
  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    after[i] = server_count_batches (&servers[i]);

  /* The survivor took over what was left. */
  g_assert_cmpuint (after[survivor - servers], >, before[survivor - servers]);
  server_stop (survivor);

  for (guint i = 0; i < G_N_ELEMENTS (kiosks); i++)
    assert_exactly_once (pg, &kiosks[i]);

  {
    ServerFigures figures = { 0 };

    for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
      server_add_figures (&servers[i], &figures);
    g_test_message ("2 x %u responses; batches before the kill: a %u, b %u; server %s killed; "
                    "after: a %u, b %u; %u duplicates in %u batches", n, before[0], before[1],
                    victim == &servers[0] ? "a" : "b", after[0], after[1], figures.duplicates,
                    figures.requests_with_duplicates);
  }

  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    server_clear (&servers[i]);
  for (guint i = 0; i < G_N_ELEMENTS (kiosks); i++)
    kiosk_clear (&kiosks[i]);
  kiosk_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* The uploader warns about every failed request, which is what this test causes on purpose. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

  /* Loopback only: a proxy from the environment would intercept the server. */
  g_unsetenv ("http_proxy");
  g_unsetenv ("https_proxy");
  g_unsetenv ("HTTPS_PROXY");
  g_unsetenv ("ALL_PROXY");
  g_unsetenv ("all_proxy");

  g_test_add_func ("/server/e2e/sigkill-drain", test_sigkill_drain);
  g_test_add_func ("/server/e2e/shared-port-survivor", test_shared_port_survivor);

  return g_test_run ();
}
