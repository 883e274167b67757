/* kiosk-test-vfs.c: a fault-injecting SQLite VFS for tests.
 *
 * It wraps whatever VFS was the default (on Linux "unix") and passes every call through, except
 * that a test can make the next N, or all, xWrite / xSync / xTruncate calls fail with an SQLite
 * result code of its choice (SQLITE_FULL, SQLITE_IOERR_WRITE, SQLITE_IOERR_FSYNC, ...). That is
 * what SQLite itself sees when the disk fills up or the storage reports an error, so the code
 * under test takes exactly the paths it takes on a real device.
 *
 * A fault can be limited to one kind of file (the WAL, say), and every call is counted, so a
 * test can prove that a commit really reached xSync. Reads can be made slow, as on a worn SD
 * card. The pass-through is kiosk-test-vfs-shim.c. */
#define G_LOG_DOMAIN "kiosk-test-vfs"

#include "config.h"

#include <string.h>
#include <sqlite3.h>

#include "kiosk-test-vfs.h"
#include "kiosk-test-vfs-shim.h"

typedef struct
{
  KioskTestShimFile shim;   /* shim.base.pMethods = &fault_io_methods */
  int               flags;  /* SQLITE_OPEN_MAIN_DB, SQLITE_OPEN_WAL, ... from xOpen */
} FaultFile;

typedef struct
{
  int   rc;         /* what to return instead of calling through */
  int   remaining;  /* calls still to fail; KIOSK_TEST_VFS_FOREVER for all */
  int   only;       /* fail only on files opened with one of these SQLITE_OPEN_ flags; 0: all */
  guint calls;
  guint injected;
} FaultRule;

/* Shared by every connection; the uploader thread may use the VFS too. */
static GMutex        rules_lock;
static FaultRule     rules[KIOSK_TEST_VFS_N_OPS];
static sqlite3_vfs  *real_vfs;        /* the wrapped VFS */
static sqlite3_vfs  *previous_default;
static sqlite3_vfs   fault_vfs;
static gboolean      installed;
static guint         read_delay_us;   /* atomic */

#define REAL_FILE(f)  KIOSK_TEST_SHIM_REAL (f)
#define FILE_FLAGS(f) (((FaultFile *) (f))->flags)

/* Counts the call and returns the injected result code, or SQLITE_OK to call through. */
static int
take_fault (KioskTestVfsOp op,
            int            file_flags)
{
  FaultRule *rule = &rules[op];
  int rc = SQLITE_OK;

  g_mutex_lock (&rules_lock);
  rule->calls++;
  if (rule->remaining != 0 && rule->rc != SQLITE_OK &&
      (rule->only == 0 || (rule->only & file_flags) != 0))
    {
      rc = rule->rc;
      rule->injected++;
      if (rule->remaining > 0)
        rule->remaining--;
    }
  g_mutex_unlock (&rules_lock);

  return rc;
}

/* sqlite3_io_methods: the shim's pass-through, except the three operations that can fail on
 * purpose. */

static sqlite3_io_methods fault_io_methods;

static int
fault_write (sqlite3_file *file,
             const void   *buf,
             int           amount,
             sqlite3_int64 offset)
{
  int rc = take_fault (KIOSK_TEST_VFS_WRITE, FILE_FLAGS (file));

  if (rc != SQLITE_OK)
    return rc;

  return REAL_FILE (file)->pMethods->xWrite (REAL_FILE (file), buf, amount, offset);
}

/* A slow card answers every read late, on whatever thread asked. */
static int
fault_read (sqlite3_file *file,
            void         *buf,
            int           amount,
            sqlite3_int64 offset)
{
  guint delay_us = g_atomic_int_get (&read_delay_us);

  if (delay_us > 0)
    g_usleep (delay_us);

  return REAL_FILE (file)->pMethods->xRead (REAL_FILE (file), buf, amount, offset);
}

static int
fault_truncate (sqlite3_file *file,
                sqlite3_int64 size)
{
  int rc = take_fault (KIOSK_TEST_VFS_TRUNCATE, FILE_FLAGS (file));

  if (rc != SQLITE_OK)
    return rc;

  return REAL_FILE (file)->pMethods->xTruncate (REAL_FILE (file), size);
}

static int
fault_sync (sqlite3_file *file,
            int           flags)
{
  int rc = take_fault (KIOSK_TEST_VFS_SYNC, FILE_FLAGS (file));

  if (rc != SQLITE_OK)
    return rc;

  return REAL_FILE (file)->pMethods->xSync (REAL_FILE (file), flags);
}

/* sqlite3_vfs: xOpen wraps the file; everything else goes straight to the real VFS. */

static int
fault_open (sqlite3_vfs  *vfs,
            const char   *name,
            sqlite3_file *file,
            int           flags,
            int          *out_flags)
{
  ((FaultFile *) file)->flags = flags;

  return kiosk_test_shim_open_real (vfs, name, file, sizeof (FaultFile), flags, out_flags,
                                    &fault_io_methods);
}

/**
 * kiosk_test_vfs_install:
 *
 * Registers "kiosk-test-faults" and makes it the default VFS, so every connection opened from
 * now on (the store's included) goes through it. No faults are armed. Connections opened before
 * keep their VFS.
 */
void
kiosk_test_vfs_install (void)
{
  int rc;

  if (installed)
    return;

  previous_default = sqlite3_vfs_find (NULL);
  g_assert_nonnull (previous_default);
  g_assert_cmpint (previous_default->iVersion, >=, 3);

  /* Wrap the real VFS even if an earlier install left ours registered. */
  real_vfs = sqlite3_vfs_find ("unix");
  if (real_vfs == NULL)
    real_vfs = previous_default;

  kiosk_test_shim_init_vfs (&fault_vfs, 3, real_vfs, KIOSK_TEST_VFS_NAME, sizeof (FaultFile),
                            fault_open);
  kiosk_test_shim_init_io_methods (&fault_io_methods);
  fault_io_methods.xRead = fault_read;
  fault_io_methods.xWrite = fault_write;
  fault_io_methods.xTruncate = fault_truncate;
  fault_io_methods.xSync = fault_sync;

  kiosk_test_vfs_reset ();

  rc = sqlite3_vfs_register (&fault_vfs, 1);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  installed = TRUE;
}

/**
 * kiosk_test_vfs_uninstall:
 *
 * Makes the previous default VFS the default again and unregisters ours. Close every connection
 * opened through it first.
 */
void
kiosk_test_vfs_uninstall (void)
{
  if (!installed)
    return;

  kiosk_test_vfs_reset ();
  sqlite3_vfs_register (previous_default, 1);
  sqlite3_vfs_unregister (&fault_vfs);
  previous_default = NULL;
  installed = FALSE;
}

/* Disarms every fault, makes reads quick again and zeroes the counters. */
void
kiosk_test_vfs_reset (void)
{
  g_mutex_lock (&rules_lock);
  memset (rules, 0, sizeof rules);
  g_mutex_unlock (&rules_lock);
  g_atomic_int_set (&read_delay_us, 0);
}

/**
 * kiosk_test_vfs_set_read_delay:
 * @microseconds: how long every xRead takes more from now on, on every file and thread; 0 for
 *   none
 */
void
kiosk_test_vfs_set_read_delay (guint microseconds)
{
  g_atomic_int_set (&read_delay_us, microseconds);
}

/**
 * kiosk_test_vfs_fail:
 * @op: which operation fails
 * @sqlite_rc: what it returns instead, e.g. %SQLITE_FULL or %SQLITE_IOERR_FSYNC; %SQLITE_OK
 *   disarms @op
 * @count: how many of the next calls fail, or %KIOSK_TEST_VFS_FOREVER
 *
 * Arms a fault on every file opened through this VFS (database, WAL and journal alike).
 */
void
kiosk_test_vfs_fail (KioskTestVfsOp op,
                     int            sqlite_rc,
                     int            count)
{
  kiosk_test_vfs_fail_only (op, 0, sqlite_rc, count);
}

/**
 * kiosk_test_vfs_fail_only:
 * @files: %SQLITE_OPEN_WAL, %SQLITE_OPEN_MAIN_DB, ... (or several of them): which files fail;
 *   0 for all
 *
 * Like kiosk_test_vfs_fail(), on the chosen files only: e.g. the WAL, where a commit's frames
 * are written and synced. Calls on other files are counted but not failed (nor counted in
 * @count).
 */
void
kiosk_test_vfs_fail_only (KioskTestVfsOp op,
                          int            files,
                          int            sqlite_rc,
                          int            count)
{
  g_return_if_fail (op < KIOSK_TEST_VFS_N_OPS);
  g_return_if_fail (count >= KIOSK_TEST_VFS_FOREVER);

  g_mutex_lock (&rules_lock);
  rules[op].rc = sqlite_rc;
  rules[op].remaining = sqlite_rc == SQLITE_OK ? 0 : count;
  rules[op].only = files;
  g_mutex_unlock (&rules_lock);
}

/* How often @op was called since the last reset, failed calls included. */
guint
kiosk_test_vfs_get_calls (KioskTestVfsOp op)
{
  guint calls;

  g_return_val_if_fail (op < KIOSK_TEST_VFS_N_OPS, 0);

  g_mutex_lock (&rules_lock);
  calls = rules[op].calls;
  g_mutex_unlock (&rules_lock);

  return calls;
}

/* How many calls of @op were failed on purpose since the last reset. */
guint
kiosk_test_vfs_get_injected (KioskTestVfsOp op)
{
  guint injected;

  g_return_val_if_fail (op < KIOSK_TEST_VFS_N_OPS, 0);

  g_mutex_lock (&rules_lock);
  injected = rules[op].injected;
  g_mutex_unlock (&rules_lock);

  return injected;
}
