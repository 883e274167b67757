/* kiosk-test-vfs.h: an SQLite VFS for tests that wraps the default one and fails chosen file
 * operations on demand, so a full disk or a failing card can be produced without real hardware. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KIOSK_TEST_VFS_NAME    "kiosk-test-faults"

/* A count for kiosk_test_vfs_fail(): fail every call until told otherwise. */
#define KIOSK_TEST_VFS_FOREVER (-1)

typedef enum
{
  KIOSK_TEST_VFS_WRITE,
  KIOSK_TEST_VFS_SYNC,
  KIOSK_TEST_VFS_TRUNCATE,
  KIOSK_TEST_VFS_N_OPS
} KioskTestVfsOp;

void  kiosk_test_vfs_install      (void);
void  kiosk_test_vfs_uninstall    (void);
void  kiosk_test_vfs_reset        (void);
void  kiosk_test_vfs_fail         (KioskTestVfsOp op,
                                   int            sqlite_rc,
                                   int            count);
void  kiosk_test_vfs_fail_only    (KioskTestVfsOp op,
                                   int            files,
                                   int            sqlite_rc,
                                   int            count);
guint kiosk_test_vfs_get_calls    (KioskTestVfsOp op);
guint kiosk_test_vfs_get_injected (KioskTestVfsOp op);
void  kiosk_test_vfs_set_read_delay (guint         microseconds);

G_END_DECLS
