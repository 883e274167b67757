/* kiosk-server-db.c: libpq for the server. Every failure becomes a GError that names what failed;
 * a broken connection is told apart from a failed statement, because the first is worth a retry
 * (HTTP 503) and the second is not. */
#define G_LOG_DOMAIN "kiosk-server-db"

#include "config.h"

#include <gio/gio.h>
#include <poll.h>
#include <string.h>

#include "kiosk-server-db.h"
#include "kiosk-server-resources.h"

#define MIGRATIONS_PATH "/org/smileykiosk/Server/migrations"
/* Any constant: the advisory lock that serialises migrations between server processes. */
#define MIGRATION_LOCK_KEY "7314159265"

G_DEFINE_QUARK (kiosk-db-error-quark, kiosk_db_error)

static char *conninfo_global;
static GPrivate thread_conn = G_PRIVATE_INIT ((GDestroyNotify) PQfinish);

static char *
one_line (const char *message)
{
  g_autofree char *copy = g_strdup (message ? message : "");

  g_strstrip (copy);
  /* libpq's messages may run over several lines (DETAIL, HINT): keep them, on one line. */
  for (char *p = copy; *p; p++)
    if (*p == '\n' || *p == '\r' || *p == '\t')
      *p = ' ';
  return g_steal_pointer (&copy);
}

static void
ignore_notice (void       *data,
               const char *message)
{
}

PGconn *
kiosk_db_connect (const char  *conninfo,
                  GError     **error)
{
  PGconn *conn = PQconnectdb (conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *message = one_line (PQerrorMessage (conn));

      g_set_error (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONNECTION,
                   "cannot connect to the database: %s", message);
      PQfinish (conn);
      return NULL;
    }

  /* NOTICEs ("relation … already exists, skipping") are not news to an operator. */
  PQsetNoticeProcessor (conn, ignore_notice, NULL);
  /* Every timestamp the server reads or writes is UTC unless a query names a site's zone. */
  PQclear (PQexec (conn, "SET TIME ZONE 'UTC'"));
  return conn;
}

PGresult *
kiosk_db_check (PGconn    *conn,
                PGresult  *result,
                GError   **error)
{
  ExecStatusType status = PQresultStatus (result);
  const char *sqlstate;
  g_autofree char *message = NULL;

  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK || status == PGRES_COPY_IN)
    return result;

  message = one_line (PQresultErrorMessage (result));
  if (*message == '\0')
    {
      g_free (message);
      message = one_line (PQerrorMessage (conn));
    }
  sqlstate = PQresultErrorField (result, PG_DIAG_SQLSTATE);

  /* No result, or an error without SQLSTATE, is libpq's own: the connection is gone even when
   * PQstatus() has not noticed yet ("server closed the connection unexpectedly" after the
   * postmaster was stopped), so the request is answered 503, not 500. */
  if (PQstatus (conn) != CONNECTION_OK || result == NULL ||
      (status == PGRES_FATAL_ERROR && sqlstate == NULL) ||
      (sqlstate && (g_str_has_prefix (sqlstate, "08") || g_str_has_prefix (sqlstate, "57P"))))
    g_set_error (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONNECTION,
                 "the database connection failed: %s", message);
  else if (g_strcmp0 (sqlstate, "23505") == 0)
    g_set_error_literal (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONFLICT, message);
  else
    g_set_error_literal (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_QUERY, message);

  PQclear (result);
  return NULL;
}

PGresult *
kiosk_db_exec (PGconn             *conn,
               const char         *sql,
               int                 n_params,
               const char * const *params,
               GError            **error)
{
  return kiosk_db_check (conn, PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL, 0),
                         error);
}

gboolean
kiosk_db_run (PGconn      *conn,
              const char  *sql,
              GError     **error)
{
  /* PQexec, not PQexecParams: a migration holds several statements. */
  PGresult *result = kiosk_db_check (conn, PQexec (conn, sql), error);

  if (result == NULL)
    return FALSE;
  PQclear (result);
  return TRUE;
}

/* Migrations */

/* g_ptr_array_sort() hands the comparison pointers to the elements, not the elements. */
static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static GPtrArray *
list_migrations (void)
{
  g_auto(GStrv) names = g_resources_enumerate_children (MIGRATIONS_PATH, 0, NULL);
  GPtrArray *sorted = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; names && names[i]; i++)
    if (g_str_has_suffix (names[i], ".sql"))
      g_ptr_array_add (sorted, g_strdup (names[i]));
  g_ptr_array_sort (sorted, compare_names);
  return sorted;
}

guint
kiosk_db_latest_version (void)
{
  g_autoptr(GPtrArray) names = (g_resources_register (kiosk_server_get_resource ()),
                                list_migrations ());
  guint latest = 0;

  for (guint i = 0; i < names->len; i++)
    latest = MAX (latest, (guint) g_ascii_strtoull (g_ptr_array_index (names, i), NULL, 10));
  return latest;
}

static gboolean
current_version (PGconn  *conn,
                 guint   *out,
                 GError **error)
{
  g_autoptr(PGresult) result =
    kiosk_db_exec (conn, "SELECT coalesce (max (version), 0) FROM schema_migrations",
                   0, NULL, error);

  if (result == NULL)
    return FALSE;
  *out = (guint) g_ascii_strtoull (PQgetvalue (result, 0, 0), NULL, 10);
  return TRUE;
}

gboolean
kiosk_db_migrate (PGconn  *conn,
                  guint   *out_version,
                  guint   *out_applied,
                  GError **error)
{
  g_autoptr(GPtrArray) names = NULL;
  guint version = 0, applied = 0, latest;

  g_resources_register (kiosk_server_get_resource ());
  names = list_migrations ();
  latest = kiosk_db_latest_version ();

  if (!kiosk_db_run (conn,
                     "CREATE TABLE IF NOT EXISTS schema_migrations ("
                     " version integer PRIMARY KEY,"
                     " name text NOT NULL,"
                     " applied_at timestamptz NOT NULL DEFAULT now())", error))
    {
      /* Two servers creating the table at once: one of them loses the race, harmlessly. */
      if (!g_error_matches (*error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONFLICT))
        return FALSE;
      g_clear_error (error);
    }

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      guint number = (guint) g_ascii_strtoull (name, NULL, 10);
      g_autofree char *path = g_build_path ("/", MIGRATIONS_PATH, name, NULL);
      g_autoptr(GBytes) sql = NULL;
      g_autofree char *text = NULL;
      g_autofree char *number_text = g_strdup_printf ("%u", number);
      const char *params[] = { number_text, name };
      g_autoptr(PGresult) done = NULL;

      if (!kiosk_db_run (conn, "BEGIN", error) ||
          !kiosk_db_run (conn, "SELECT pg_advisory_xact_lock (" MIGRATION_LOCK_KEY ")", error) ||
          !current_version (conn, &version, error))
        goto fail;

      if (version >= number)
        {
          if (!kiosk_db_run (conn, "COMMIT", error))
            goto fail;
          continue;
        }

      sql = g_resources_lookup_data (path, 0, NULL);
      text = g_strndup (g_bytes_get_data (sql, NULL), g_bytes_get_size (sql));
      if (!kiosk_db_run (conn, text, error))
        {
          g_prefix_error (error, "migration %s: ", name);
          goto fail;
        }
      done = kiosk_db_exec (conn, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                            2, params, error);
      if (done == NULL || !kiosk_db_run (conn, "COMMIT", error))
        goto fail;
      applied++;
      g_message ("applied migration %s", name);
    }

  if (!current_version (conn, &version, error))
    return FALSE;
  if (version > latest)
    {
      g_set_error (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_SCHEMA,
                   "the database's schema is version %u, newer than this program knows (%u): "
                   "update smiley-kiosk-server", version, latest);
      return FALSE;
    }

  if (out_version)
    *out_version = version;
  if (out_applied)
    *out_applied = applied;
  return TRUE;

fail:
  PQclear (PQexec (conn, "ROLLBACK"));
  return FALSE;
}

/* Per-thread connections */

void
kiosk_db_set_conninfo (const char *conninfo)
{
  g_free (conninfo_global);
  conninfo_global = g_strdup (conninfo);
}

PGconn *
kiosk_db_thread_conn (GError **error)
{
  PGconn *conn = g_private_get (&thread_conn);

  if (conn != NULL && PQstatus (conn) == CONNECTION_OK &&
      PQtransactionStatus (conn) == PQTRANS_IDLE)
    {
      /* Idle between requests, the socket has nothing to say unless PostgreSQL is closing it
       * (a restart sends FATAL 57P01, then the end of the stream, which PQconsumeInput() may
       * not see in one read): then this request reconnects instead of failing with 503. */
      struct pollfd fd = { .fd = PQsocket (conn), .events = POLLIN };

      if (poll (&fd, 1, 0) == 0)
        return conn;
    }

  /* Broken, or left inside a transaction by a failure: start afresh. */
  g_private_replace (&thread_conn, NULL);
  conn = kiosk_db_connect (conninfo_global, error);
  if (conn != NULL)
    g_private_set (&thread_conn, conn);
  return conn;
}

void
kiosk_db_thread_conn_broken (void)
{
  g_private_replace (&thread_conn, NULL);
}
