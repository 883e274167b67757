/* kiosk-test-powercut.h: an SQLite VFS for tests that simulates power cuts at sync points. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KIOSK_TEST_POWERCUT_VFS_NAME "kiosk-test-powercut"

typedef enum
{
  KIOSK_TEST_POWERCUT_AT_SYNC,   /* the Nth xSync never completes */
  KIOSK_TEST_POWERCUT_AT_WRITE,  /* the Nth xWrite is the last one that may reach the disk */
} KioskTestPowercutTrigger;

typedef enum
{
  KIOSK_TEST_POWERCUT_KEEP,      /* every unsynced write reached the disk */
  KIOSK_TEST_POWERCUT_DROP,      /* none did */
  KIOSK_TEST_POWERCUT_GARBLE,    /* each sector on its own: kept, dropped, zeroed or noise */
  KIOSK_TEST_POWERCUT_N_POLICIES
} KioskTestPowercutPolicy;

typedef struct
{
  guint   cuts;
  guint   cuts_at_sync;
  guint   cuts_at_write;
  guint   cuts_idle;        /* the workload ended before the trigger: cut afterwards */
  guint   policies[KIOSK_TEST_POWERCUT_N_POLICIES];
  guint64 unsynced_writes;  /* writes not made durable by a sync when the power went */
  guint64 sectors_kept;
  guint64 sectors_dropped;
  guint64 sectors_zeroed;
  guint64 sectors_noise;
  guint64 truncates_kept;
  guint64 truncates_dropped;
} KioskTestPowercutStats;

void     kiosk_test_powercut_install   (void);
void     kiosk_test_powercut_uninstall (void);
void     kiosk_test_powercut_arm       (KioskTestPowercutTrigger  trigger,
                                        guint                     n);
gboolean kiosk_test_powercut_has_cut   (void);
void     kiosk_test_powercut_cut_now   (void);
void     kiosk_test_powercut_apply     (KioskTestPowercutPolicy   policy,
                                        KioskTestPowercutStats   *stats);
guint    kiosk_test_powercut_get_syncs (void);
guint    kiosk_test_powercut_get_writes (void);

G_END_DECLS
