/* kiosk-test-seed.h: responses written straight into the server's database for tests of what
 * reads them (dashboard, alerts, reports): one INSERT statement per call, so the rollups'
 * statement triggers run as they do at ingest. */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/* @n responses of @device on a four-face scale, one every 10 seconds from @utc (any timestamptz
 * text), with @face, @misuse, and optionally a follow-up's id, its selected options (a JSON
 * array) and a comment. Asserts that all @n were stored. */
void kiosk_test_seed_responses (PGconn     *conn,
                                const char *device,
                                const char *utc,
                                guint       n,
                                int         face,
                                gboolean    misuse,
                                const char *follow_up_id,
                                const char *selected,
                                const char *comment);

G_END_DECLS
