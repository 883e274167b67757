/* kiosk-server-db.h: PostgreSQL through libpq for the server: connections, queries with
 * errors a person can read, and the schema's forward-only migrations. */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

#define KIOSK_DB_ERROR (kiosk_db_error_quark ())

typedef enum
{
  KIOSK_DB_ERROR_CONNECTION,  /* the database cannot be reached now: try again later */
  KIOSK_DB_ERROR_QUERY,       /* the statement failed */
  KIOSK_DB_ERROR_SCHEMA,      /* the database holds a schema newer than this program */
  KIOSK_DB_ERROR_CONFLICT,    /* a unique key is taken (SQLSTATE 23505) */
} KioskDbError;

GQuark    kiosk_db_error_quark     (void);

PGconn   *kiosk_db_connect         (const char          *conninfo,
                                    GError             **error);

/* Runs @sql with text parameters; returns the result when it succeeded (tuples or command),
 * else NULL and @error (KIOSK_DB_ERROR_CONNECTION when the connection broke). */
PGresult *kiosk_db_exec            (PGconn              *conn,
                                    const char          *sql,
                                    int                  n_params,
                                    const char * const  *params,
                                    GError             **error);
gboolean  kiosk_db_run             (PGconn              *conn,
                                    const char          *sql,
                                    GError             **error);
/* @result as kiosk_db_exec() would return it (taking it, and clearing it on failure): for the
 * results of PQsendQuery() read by PQgetResult(). */
PGresult *kiosk_db_check           (PGconn              *conn,
                                    PGresult            *result,
                                    GError             **error);

/* Applies every migration newer than the database's schema, each in its own transaction, under
 * an advisory lock so that several servers starting at once apply each exactly once. */
gboolean  kiosk_db_migrate         (PGconn              *conn,
                                    guint               *out_version,
                                    guint               *out_applied,
                                    GError             **error);
guint     kiosk_db_latest_version  (void);

/* One connection per thread, opened on first use and again after it broke. */
void      kiosk_db_set_conninfo    (const char          *conninfo);
PGconn   *kiosk_db_thread_conn     (GError             **error);
void      kiosk_db_thread_conn_broken (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)

G_END_DECLS
