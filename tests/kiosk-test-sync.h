/* kiosk-test-sync.h: what the sync tests and the drain benchmark share: a queue full of
 * realistic responses, a token file and a configuration pointing at the test server. */
#pragma once

#include "kiosk-config.h"
#include "kiosk-response.h"

G_BEGIN_DECLS

#define KIOSK_TEST_DEVICE_ID "test-kiosk-1"
#define KIOSK_TEST_SOURCE    "urn:smiley-kiosk:" KIOSK_TEST_DEVICE_ID
#define KIOSK_TEST_TOKEN     "s3cret-t0ken-that-must-never-be-logged"
#define KIOSK_TEST_BOOT_ID   "4b3f7c1e-9a2d-4e61-8c0f-2d5e6a7b8c9d"

/* 2026-03-14T15:09:26.535897Z: a fixed instant, so nothing depends on today's date. */
#define KIOSK_TEST_T0        G_GINT64_CONSTANT (1773500966535897)

KioskResponse *kiosk_test_make_response   (gint64       seq,
                                           gint64       wall_us,
                                           gint64       monotonic_us,
                                           int          face);
void           kiosk_test_fill_queue      (const char  *db_path,
                                           guint        count,
                                           guint32      seed);
char          *kiosk_test_write_token     (const char  *dir,
                                           const char  *token,
                                           int          mode);
KioskConfig   *kiosk_test_sync_config     (const char  *dir,
                                           const char  *url,
                                           guint        batch_size,
                                           const char  *extra_cloud_keys);
gint64         kiosk_test_count_pending   (const char  *db_path);

G_END_DECLS
