/* kiosk-test-pg.h: a private PostgreSQL cluster in a temporary directory, for the server's tests
 * and benchmarks: a real server on a Unix socket only, started, restarted and killed at will. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _KioskTestPg KioskTestPg;

#define KIOSK_TEST_PG_DATABASE "smiley_kiosk"

const char  *kiosk_test_pg_skip_reason    (void);

KioskTestPg *kiosk_test_pg_start          (GError     **error);
gboolean     kiosk_test_pg_stop           (KioskTestPg *pg,
                                           gboolean     immediate,
                                           GError     **error);
gboolean     kiosk_test_pg_start_again    (KioskTestPg *pg,
                                           GError     **error);
gboolean     kiosk_test_pg_restart        (KioskTestPg *pg,
                                           GError     **error);
gboolean     kiosk_test_pg_is_running     (KioskTestPg *pg);
void         kiosk_test_pg_free           (KioskTestPg *pg);

const char  *kiosk_test_pg_get_conninfo   (KioskTestPg *pg);
const char  *kiosk_test_pg_get_dir        (KioskTestPg *pg);
const char  *kiosk_test_pg_get_log_path   (KioskTestPg *pg);

gboolean     kiosk_test_pg_exec           (KioskTestPg *pg,
                                           const char  *sql,
                                           GError     **error);
char        *kiosk_test_pg_query_value    (KioskTestPg *pg,
                                           const char  *sql,
                                           GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskTestPg, kiosk_test_pg_free)

G_END_DECLS
