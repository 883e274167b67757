/* kiosk-test-server-process.h: smiley-kiosk-server as a child process of a test, against a
 * private PostgreSQL cluster (kiosk-test-pg.h): started once per test program, killed and
 * restarted at will; its admin commands run with their output and exit status captured; and a
 * small libcurl client for its HTTP API. The binary is $SMILEY_KIOSK_SERVER_BINARY. */
#pragma once

#include <glib.h>

#include "kiosk-test-pg.h"

G_BEGIN_DECLS

typedef struct _KioskTestServerProcess KioskTestServerProcess;

/* In a test: skips it, saying why, when @srv is NULL (no PostgreSQL server installed). */
#define KIOSK_TEST_SERVER_SKIP_WITHOUT(srv) \
  G_STMT_START { \
    if ((srv) == NULL) \
      { \
        g_test_skip (kiosk_test_pg_skip_reason ()); \
        return; \
      } \
  } G_STMT_END

/* A private cluster, migrated; with @serve also `serve --listen 127.0.0.1:0`, waited for until
 * its "listening on" line (at most 30 s). */
KioskTestServerProcess *kiosk_test_server_process_start    (gboolean                 serve,
                                                            GError                 **error);
/* The same, asserting that it starts; NULL when PostgreSQL is not installed (the tests skip). */
KioskTestServerProcess *kiosk_test_server_process_start_or_skip (gboolean            serve);
void                    kiosk_test_server_process_free     (KioskTestServerProcess  *srv);
/* Another `serve` on @srv's cluster (and configuration), waited for like the first; freeing
 * it leaves the cluster to @srv. */
KioskTestServerProcess *kiosk_test_server_process_start_sibling (KioskTestServerProcess *srv,
                                                            GError                 **error);
/* `serve --config @path` from the next (re)start on; NULL: no file. */
void                    kiosk_test_server_process_set_config (KioskTestServerProcess *srv,
                                                            const char             *path);

KioskTestPg            *kiosk_test_server_process_get_pg   (KioskTestServerProcess  *srv);
/* "http://127.0.0.1:PORT", without a trailing slash; NULL when not serving. */
const char             *kiosk_test_server_process_get_url  (KioskTestServerProcess  *srv);
GPid                    kiosk_test_server_process_get_pid  (KioskTestServerProcess  *srv);

/* SIGKILL, then waits for the process to be gone. */
void                    kiosk_test_server_process_kill     (KioskTestServerProcess  *srv);
/* Kills the server when it runs and starts it again (on a new port). */
gboolean                kiosk_test_server_process_restart  (KioskTestServerProcess  *srv,
                                                            GError                 **error);

/* `smiley-kiosk-server --database CONNINFO ARGS…`; returns the exit status (-1 when it could
 * not run or died of a signal). @out and @err may be NULL. */
int                     kiosk_test_server_admin            (KioskTestServerProcess  *srv,
                                                            char                   **out,
                                                            char                   **err,
                                                            ...) G_GNUC_NULL_TERMINATED;
int                     kiosk_test_server_adminv           (KioskTestServerProcess  *srv,
                                                            const char * const      *args,
                                                            char                   **out,
                                                            char                   **err);

/* The first column of the first row of the SQL @format (NULL: none); asserts that it ran. */
char                   *kiosk_test_server_query            (KioskTestServerProcess  *srv,
                                                            const char              *format,
                                                            ...) G_GNUC_PRINTF (2, 3);
/* Runs @sql, asserting that it worked. */
void                    kiosk_test_server_exec             (KioskTestServerProcess  *srv,
                                                            const char              *sql);

/* Adds site @site (UTC) unless it exists and device @device_id to it; returns the token.
 * Asserts that both commands worked. */
char                   *kiosk_test_server_add_device       (KioskTestServerProcess  *srv,
                                                            const char              *site,
                                                            const char              *device_id);

typedef struct
{
  long        status;       /* 0 when the request failed in transport */
  char       *body;         /* NUL-terminated */
  gsize       length;
  GHashTable *headers;      /* lower-case name → value (the last one) */
  char       *error;        /* libcurl's message when status is 0 */
} KioskTestHttpReply;

void                    kiosk_test_http_reply_free         (KioskTestHttpReply      *reply);
const char             *kiosk_test_http_reply_header       (KioskTestHttpReply      *reply,
                                                            const char              *name);

/* @method @srv's URL + @path with the header lines @headers (NULL-terminated, may be NULL) and
 * @body (@length bytes, -1: strlen; NULL: none); with @gzip the body is compressed and
 * "Content-Encoding: gzip" added. */
KioskTestHttpReply     *kiosk_test_http                    (KioskTestServerProcess  *srv,
                                                            const char              *method,
                                                            const char              *path,
                                                            const char * const      *headers,
                                                            const char              *body,
                                                            gssize                   length,
                                                            gboolean                 gzip);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskTestServerProcess, kiosk_test_server_process_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskTestHttpReply, kiosk_test_http_reply_free)

G_END_DECLS
