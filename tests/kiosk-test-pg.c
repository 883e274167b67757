/* kiosk-test-pg.c: a private PostgreSQL cluster in a temporary directory, for the server's tests.
 *
 * The postmaster is our own child rather than pg_ctl's: we hold its pid, so a postmaster that dies
 * while starting is an error at once (with its log) instead of a timeout, and stopping it is the
 * signal pg_ctl would send (SIGINT fast, SIGQUIT immediate) without pg_ctl's 100 ms polling and
 * its refusal to run as root. PostgreSQL refuses root, so as root initdb and the postmaster run as
 * nobody. fsync stays on: the tests that kill PostgreSQL are there to test durability. */
#define G_LOG_DOMAIN "kiosk-test-pg"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kiosk-test-pg.h"

#define PG_PORT           "5432"
#define PG_SOCKET_NAME    "/.s.PGSQL." PG_PORT
#define READY_TIMEOUT_S   60
#define STOP_TIMEOUT_S    60
#define POLL_US           (5 * 1000)
#define LOG_TAIL_BYTES    2000

/* Where PostgreSQL is and whom it runs as: the same for the whole process. */
typedef struct
{
  char     *bindir;
  char     *skip_reason;
  gboolean  drop_root;
  uid_t     uid;
  gid_t     gid;
  pid_t     parent;
} PgInstall;

struct _KioskTestPg
{
  const PgInstall *install;
  char            *dir;
  char            *data_dir;
  char            *log_path;
  char            *conninfo;
  char            *admin_conninfo;       /* the "postgres" database, there before ours */
  GPid             pid;                  /* the postmaster, 0 while stopped */
  goffset          log_start;            /* where its part of the log begins */
};

static char *
pg_config_bindir (void)
{
  const char *argv[] = { "pg_config", "--bindir", NULL };
  g_autofree char *out = NULL;
  int wait_status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &out, NULL, &wait_status, NULL)
      || !g_spawn_check_wait_status (wait_status, NULL))
    return NULL;

  return g_strdup (g_strstrip (out));
}

static gboolean
has_server (const char *bindir)
{
  g_autofree char *initdb = g_build_filename (bindir, "initdb", NULL);
  g_autofree char *postgres = g_build_filename (bindir, "postgres", NULL);

  return g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE)
         && g_file_test (postgres, G_FILE_TEST_IS_EXECUTABLE);
}

static char *
find_bindir (char **skip_reason)
{
  const char *env = g_getenv ("SMILEY_KIOSK_PG_BINDIR");
  g_autofree char *from_pg_config = NULL;
  g_autofree char *debian_initdb = NULL;
  const char *debian = "/usr/lib/postgresql/15/bin";

  if (env != NULL && *env != '\0')
    {
      g_autofree char *initdb = g_build_filename (env, "initdb", NULL);

      if (has_server (env))
        return g_strdup (env);
      *skip_reason = g_strdup_printf ("PostgreSQL is not installed: %s or postgres next to it "
                                      "not found (SMILEY_KIOSK_PG_BINDIR=%s)", initdb, env);
      return NULL;
    }

  from_pg_config = pg_config_bindir ();
  if (from_pg_config != NULL && has_server (from_pg_config))
    return g_steal_pointer (&from_pg_config);
  if (has_server (debian))
    return g_strdup (debian);

  debian_initdb = g_build_filename (debian, "initdb", NULL);
  if (from_pg_config != NULL && g_strcmp0 (from_pg_config, debian) != 0)
    *skip_reason = g_strdup_printf ("PostgreSQL is not installed: neither %s/initdb nor %s found "
                                    "(apt-get install postgresql, or set SMILEY_KIOSK_PG_BINDIR)",
                                    from_pg_config, debian_initdb);
  else
    *skip_reason = g_strdup_printf ("PostgreSQL is not installed: %s not found "
                                    "(apt-get install postgresql)", debian_initdb);
  return NULL;
}

static const PgInstall *
pg_install (void)
{
  static PgInstall *install;

  if (g_once_init_enter (&install))
    {
      PgInstall *found = g_new0 (PgInstall, 1);

      found->parent = getpid ();
      found->bindir = find_bindir (&found->skip_reason);
      if (found->bindir != NULL && geteuid () == 0)
        {
          struct passwd *pw = getpwnam ("nobody");

          if (pw == NULL)
            found->skip_reason = g_strdup ("PostgreSQL refuses to run as root, and there is no "
                                           "user nobody to run it as");
          else
            {
              found->drop_root = TRUE;
              found->uid = pw->pw_uid;
              found->gid = pw->pw_gid;
            }
        }
      g_once_init_leave (&install, found);
    }

  return install;
}

/**
 * kiosk_test_pg_skip_reason:
 *
 * Returns: %NULL when a cluster can be started here, or why not, for g_test_skip().
 */
const char *
kiosk_test_pg_skip_reason (void)
{
  return pg_install ()->skip_reason;
}

/* In the child between fork and exec: only async-signal-safe calls. */
static void
drop_root (gpointer user_data)
{
  const PgInstall *install = user_data;
  static const char message[] = "kiosk-test-pg: could not switch to user nobody\n";

  if (!install->drop_root)
    return;

  if (setgroups (0, NULL) != 0 || setgid (install->gid) != 0 || setuid (install->uid) != 0)
    {
      G_GNUC_UNUSED ssize_t written = write (STDERR_FILENO, message, sizeof message - 1);
      _exit (126);
    }
}

/* A test that fails an assertion aborts without freeing its cluster: the postmaster gets the
 * SIGQUIT of an immediate shutdown then, instead of running on. Set after the switch of user,
 * which clears it. */
static void
postmaster_setup (gpointer user_data)
{
  const PgInstall *install = user_data;

  drop_root (user_data);
  prctl (PR_SET_PDEATHSIG, SIGQUIT);
  if (getppid () != install->parent)
    _exit (0);
}

static char **
child_environ (void)
{
  char **envp = g_get_environ ();

  /* English messages in errors and logs, whatever the caller's locale. */
  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
  envp = g_environ_unsetenv (envp, "PGDATA");
  return g_environ_unsetenv (envp, "PGPORT");
}

static char *
conninfo_value (const char *value)
{
  GString *quoted;

  if (*value != '\0' && strpbrk (value, " \t\n'\\") == NULL)
    return g_strdup (value);

  quoted = g_string_new ("'");
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (quoted, '\\');
      g_string_append_c (quoted, *p);
    }
  g_string_append_c (quoted, '\'');
  return g_string_free (quoted, FALSE);
}

static char *
log_tail (KioskTestPg *pg)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  const char *tail;

  /* What the last postmaster said, not the ones before it. */
  if (!g_file_get_contents (pg->log_path, &contents, &length, NULL)
      || (goffset) length <= pg->log_start)
    return g_strdup_printf ("(nothing in %s)", pg->log_path);

  tail = contents + pg->log_start;
  if (contents + length - tail > LOG_TAIL_BYTES)
    {
      tail = contents + length - LOG_TAIL_BYTES;
      tail = strchr (tail, '\n') ? strchr (tail, '\n') + 1 : tail;
    }
  return g_strstrip (g_strdup (tail));
}

static gboolean
run_tool (KioskTestPg        *pg,
          const char * const *argv,
          GError            **error)
{
  g_auto(GStrv) envp = child_environ ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) local_error = NULL;
  int wait_status = 0;

  if (!g_spawn_sync (pg->dir, (char **) argv, envp, G_SPAWN_STDIN_FROM_DEV_NULL,
                     drop_root, (gpointer) pg->install, &out, &err, &wait_status, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not run %s: %s",
                   argv[0], local_error->message);
      return FALSE;
    }

  if (!g_spawn_check_wait_status (wait_status, &local_error))
    {
      g_strstrip (err);
      g_strstrip (out);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed (%s): %s",
                   argv[0], local_error->message, *err != '\0' ? err : out);
      return FALSE;
    }

  return TRUE;
}

static gboolean
spawn_postmaster (KioskTestPg *pg,
                  GError     **error)
{
  g_autofree char *postgres = g_build_filename (pg->install->bindir, "postgres", NULL);
  const char *argv[] = {
    postgres, "-D", pg->data_dir, "-p", PG_PORT,
    "-k", pg->dir, "-c", "listen_addresses=",
    "-c", "max_connections=300",
    "-c", "fsync=on", "-c", "synchronous_commit=on",
    NULL
  };
  g_auto(GStrv) envp = child_environ ();
  g_autoptr(GError) local_error = NULL;
  int log_fd;
  gboolean spawned;

  log_fd = open (pg->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not open %s: %s", pg->log_path, g_strerror (saved_errno));
      return FALSE;
    }

  pg->log_start = lseek (log_fd, 0, SEEK_END);
  spawned = g_spawn_async_with_fds (pg->dir, (char **) argv, envp,
                                    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL,
                                    postmaster_setup, (gpointer) pg->install, &pg->pid,
                                    -1, log_fd, log_fd, &local_error);
  close (log_fd);
  if (!spawned)
    {
      pg->pid = 0;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not run %s: %s",
                   postgres, local_error->message);
      return FALSE;
    }

  return TRUE;
}

/* Reaps the postmaster if it has exited; describes how in @how. */
static gboolean
postmaster_exited (KioskTestPg *pg,
                   char       **how)
{
  g_autoptr(GError) status_error = NULL;
  int status = 0;

  if (pg->pid == 0)
    return TRUE;
  if (waitpid (pg->pid, &status, WNOHANG) != pg->pid)
    return FALSE;

  pg->pid = 0;
  if (how != NULL)
    *how = g_spawn_check_wait_status (status, &status_error)
           ? g_strdup ("exited with status 0") : g_strdup (status_error->message);
  return TRUE;
}

static gboolean
wait_until_ready (KioskTestPg *pg,
                  GError     **error)
{
  gint64 deadline = g_get_monotonic_time () + READY_TIMEOUT_S * G_USEC_PER_SEC;

  for (;;)
    {
      g_autofree char *how = NULL;

      if (PQping (pg->admin_conninfo) == PQPING_OK)
        return TRUE;

      if (postmaster_exited (pg, &how))
        {
          g_autofree char *tail = log_tail (pg);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "PostgreSQL stopped while starting (%s): %s", how, tail);
          return FALSE;
        }

      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *tail = log_tail (pg);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "PostgreSQL did not accept connections on %s within %d s: %s",
                       pg->dir, READY_TIMEOUT_S, tail);
          return FALSE;
        }

      g_usleep (POLL_US);
    }
}

static void
notice_to_debug (void       *user_data,
                 const char *message)
{
  g_debug ("%s", message);
}

static PGresult *
run_sql (const char *conninfo,
         const char *sql,
         GError    **error)
{
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *result;
  ExecStatusType status;

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (PQerrorMessage (conn)));

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                   "Could not connect to PostgreSQL (%s): %s", conninfo, message);
      PQfinish (conn);
      return NULL;
    }

  PQsetNoticeProcessor (conn, notice_to_debug, NULL);
  result = PQexec (conn, sql);
  status = PQresultStatus (result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY)
    {
      g_autofree char *message = g_strstrip (g_strdup (result != NULL
                                                       ? PQresultErrorMessage (result)
                                                       : PQerrorMessage (conn)));

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "SQL failed: %s (in: %s)",
                   message, sql);
      PQclear (result);
      PQfinish (conn);
      return NULL;
    }

  PQfinish (conn);
  return result;
}

/**
 * kiosk_test_pg_start:
 *
 * Makes a temporary directory, a cluster in it (user postgres, trust authentication, UTF-8),
 * starts PostgreSQL on a Unix socket in that directory only and creates the database
 * smiley_kiosk. About a second.
 *
 * Start it from the thread that frees it (the main thread): the postmaster is stopped when the
 * thread that started it ends, so an aborted test leaves no server behind.
 *
 * Returns: (transfer full): the running cluster, or %NULL with @error set
 */
KioskTestPg *
kiosk_test_pg_start (GError **error)
{
  const PgInstall *install = pg_install ();
  g_autoptr(KioskTestPg) pg = NULL;
  g_autofree char *initdb = NULL;
  g_autofree char *host = NULL;
  PGresult *result;

  if (install->skip_reason != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, install->skip_reason);
      return NULL;
    }

  pg = g_new0 (KioskTestPg, 1);
  pg->install = install;
  pg->dir = g_dir_make_tmp ("smiley-kiosk-pg-XXXXXX", error);
  if (pg->dir == NULL)
    return NULL;
  pg->data_dir = g_build_filename (pg->dir, "data", NULL);
  pg->log_path = g_build_filename (pg->dir, "postgres.log", NULL);
  host = conninfo_value (pg->dir);
  pg->conninfo = g_strdup_printf ("host=%s port=" PG_PORT " user=postgres dbname="
                                  KIOSK_TEST_PG_DATABASE, host);
  pg->admin_conninfo = g_strdup_printf ("host=%s port=" PG_PORT " user=postgres dbname=postgres",
                                        host);

  if (strlen (pg->dir) + strlen (PG_SOCKET_NAME) >= sizeof ((struct sockaddr_un *) 0)->sun_path)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                   "The socket path %s%s is too long for a Unix socket; "
                   "set TMPDIR to a shorter directory", pg->dir, PG_SOCKET_NAME);
      return NULL;
    }

  if (install->drop_root && chown (pg->dir, install->uid, install->gid) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not give %s to user nobody for PostgreSQL: %s",
                   pg->dir, g_strerror (saved_errno));
      return NULL;
    }

  initdb = g_build_filename (install->bindir, "initdb", NULL);
  {
    const char *argv[] = {
      initdb, "-D", pg->data_dir, "-U", "postgres", "--auth=trust", "-E", "UTF8",
      "--locale=C.UTF-8", "--no-sync", "--no-instructions", NULL
    };

    if (!run_tool (pg, argv, error))
      return NULL;
  }

  if (!kiosk_test_pg_start_again (pg, error))
    return NULL;

  /* The database is not there yet: create it through the one that is. */
  result = run_sql (pg->admin_conninfo, "CREATE DATABASE " KIOSK_TEST_PG_DATABASE " OWNER postgres",
                    error);
  if (result == NULL)
    return NULL;
  PQclear (result);

  return g_steal_pointer (&pg);
}

/**
 * kiosk_test_pg_stop:
 * @immediate: %TRUE for a crash (SIGQUIT: no checkpoint, recovery at the next start), %FALSE
 *   for a fast shutdown (SIGINT: sessions ended, a checkpoint written)
 *
 * Stops PostgreSQL and waits until the postmaster and all its processes are gone. Stopping a
 * stopped cluster does nothing.
 */
gboolean
kiosk_test_pg_stop (KioskTestPg *pg,
                    gboolean     immediate,
                    GError     **error)
{
  gint64 deadline = g_get_monotonic_time () + STOP_TIMEOUT_S * G_USEC_PER_SEC;
  g_autofree char *how = NULL;

  g_return_val_if_fail (pg != NULL, FALSE);

  if (pg->pid == 0)
    return TRUE;

  kill (pg->pid, immediate ? SIGQUIT : SIGINT);

  /* The postmaster exits only after its last child. */
  while (!postmaster_exited (pg, &how))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *tail = log_tail (pg);

          kill (pg->pid, SIGKILL);
          waitpid (pg->pid, NULL, 0);
          pg->pid = 0;
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "PostgreSQL did not stop within %d s and was killed: %s",
                       STOP_TIMEOUT_S, tail);
          return FALSE;
        }
      g_usleep (POLL_US);
    }

  if (!immediate && g_strcmp0 (how, "exited with status 0") != 0)
    {
      g_autofree char *tail = log_tail (pg);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "PostgreSQL did not shut down cleanly (%s): %s", how, tail);
      return FALSE;
    }

  return TRUE;
}

/**
 * kiosk_test_pg_start_again:
 *
 * Starts a stopped cluster and waits until it accepts connections (after a crash, until it has
 * recovered). Starting a running cluster does nothing.
 */
gboolean
kiosk_test_pg_start_again (KioskTestPg *pg,
                           GError     **error)
{
  g_return_val_if_fail (pg != NULL, FALSE);

  if (pg->pid != 0)
    return TRUE;

  return spawn_postmaster (pg, error) && wait_until_ready (pg, error);
}

/**
 * kiosk_test_pg_restart:
 *
 * What `pg_ctl restart -m fast` does: ends every session, writes a checkpoint, starts again.
 */
gboolean
kiosk_test_pg_restart (KioskTestPg *pg,
                       GError     **error)
{
  return kiosk_test_pg_stop (pg, FALSE, error) && kiosk_test_pg_start_again (pg, error);
}

gboolean
kiosk_test_pg_is_running (KioskTestPg *pg)
{
  g_return_val_if_fail (pg != NULL, FALSE);

  return !postmaster_exited (pg, NULL);
}

/* The cluster's files are nobody's when we are root: rm -rf, not a trash. */
static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  GStatBuf st;
  const char *name;

  if (g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode))
    {
      dir = g_dir_open (path, 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
    }

  if (g_remove (path) != 0 && errno != ENOENT)
    g_warning ("Could not remove %s: %s", path, g_strerror (errno));
}

/**
 * kiosk_test_pg_free:
 *
 * Kills PostgreSQL (an immediate shutdown: nothing left to keep) and removes the directory.
 */
void
kiosk_test_pg_free (KioskTestPg *pg)
{
  g_autoptr(GError) error = NULL;

  if (pg == NULL)
    return;

  if (!kiosk_test_pg_stop (pg, TRUE, &error))
    g_warning ("%s", error->message);
  if (pg->dir != NULL)
    remove_tree (pg->dir);

  g_free (pg->dir);
  g_free (pg->data_dir);
  g_free (pg->log_path);
  g_free (pg->conninfo);
  g_free (pg->admin_conninfo);
  g_free (pg);
}

/**
 * kiosk_test_pg_get_conninfo:
 *
 * Returns: a libpq connection string for the database smiley_kiosk as user postgres:
 *   "host=DIR port=5432 user=postgres dbname=smiley_kiosk"
 */
const char *
kiosk_test_pg_get_conninfo (KioskTestPg *pg)
{
  g_return_val_if_fail (pg != NULL, NULL);

  return pg->conninfo;
}

/* The temporary directory: the socket is in it, the cluster in DIR/data, the log in
 * DIR/postgres.log. */
const char *
kiosk_test_pg_get_dir (KioskTestPg *pg)
{
  g_return_val_if_fail (pg != NULL, NULL);

  return pg->dir;
}

const char *
kiosk_test_pg_get_log_path (KioskTestPg *pg)
{
  g_return_val_if_fail (pg != NULL, NULL);

  return pg->log_path;
}

/**
 * kiosk_test_pg_exec:
 * @sql: one or more statements, separated by semicolons, run in one transaction unless they
 *   say otherwise
 *
 * Runs @sql on a connection of its own to smiley_kiosk.
 */
gboolean
kiosk_test_pg_exec (KioskTestPg *pg,
                    const char  *sql,
                    GError     **error)
{
  PGresult *result;

  g_return_val_if_fail (pg != NULL, FALSE);

  result = run_sql (pg->conninfo, sql, error);
  PQclear (result);
  return result != NULL;
}

/**
 * kiosk_test_pg_query_value:
 *
 * Runs @sql, for assertions.
 *
 * Returns: (transfer full) (nullable): the first column of the first row of the last
 *   statement's result, as text; %NULL without an error when there is no row or the value is
 *   NULL; %NULL with @error set when the query failed
 */
char *
kiosk_test_pg_query_value (KioskTestPg *pg,
                           const char  *sql,
                           GError     **error)
{
  PGresult *result;
  char *value = NULL;

  g_return_val_if_fail (pg != NULL, NULL);

  result = run_sql (pg->conninfo, sql, error);
  if (result == NULL)
    return NULL;

  if (PQntuples (result) > 0 && PQnfields (result) > 0 && !PQgetisnull (result, 0, 0))
    value = g_strdup (PQgetvalue (result, 0, 0));
  PQclear (result);
  return value;
}
