/* kiosk-test-vfs.c: a fault-injecting SQLite VFS for tests.
 *
 * It wraps whatever VFS was the default (on Linux "unix") and passes every call through, except
 * that a test can make the next N, or all, xWrite / xSync / xTruncate calls fail with an SQLite
 * result code of its choice (SQLITE_FULL, SQLITE_IOERR_WRITE, SQLITE_IOERR_FSYNC, ...). That is
 * what SQLite itself sees when the disk fills up or the storage reports an error, so the code
 * under test takes exactly the paths it takes on a real device.
 *
 * Every call is also counted, so a test can prove that a commit really reached xSync.
 * Later: power-cut simulation (drop what was written after the last xSync). */
#define G_LOG_DOMAIN "kiosk-test-vfs"

#include "config.h"

#include <string.h>
#include <sqlite3.h>

#include "kiosk-test-vfs.h"

typedef struct
{
  sqlite3_file  base;   /* base.pMethods = &fault_io_methods */
  sqlite3_file *real;   /* the wrapped VFS's file, allocated right after this struct */
  int           flags;  /* SQLITE_OPEN_MAIN_DB, SQLITE_OPEN_WAL, ... from xOpen */
} FaultFile;

typedef struct
{
  int   rc;         /* what to return instead of calling through */
  int   remaining;  /* calls still to fail; KIOSK_TEST_VFS_FOREVER for all */
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

#define REAL_FILE(f) (((FaultFile *) (f))->real)

/* Counts the call and returns the injected result code, or SQLITE_OK to call through. */
static int
take_fault (KioskTestVfsOp op)
{
  FaultRule *rule = &rules[op];
  int rc = SQLITE_OK;

  g_mutex_lock (&rules_lock);
  rule->calls++;
  if (rule->remaining != 0 && rule->rc != SQLITE_OK)
    {
      rc = rule->rc;
      rule->injected++;
      if (rule->remaining > 0)
        rule->remaining--;
    }
  g_mutex_unlock (&rules_lock);

  return rc;
}

/* sqlite3_io_methods: pass through, except the three operations that can fail on purpose. */

static int
fault_close (sqlite3_file *file)
{
  return REAL_FILE (file)->pMethods->xClose (REAL_FILE (file));
}

static int
fault_read (sqlite3_file *file,
            void         *buf,
            int           amount,
            sqlite3_int64 offset)
{
  return REAL_FILE (file)->pMethods->xRead (REAL_FILE (file), buf, amount, offset);
}

static int
fault_write (sqlite3_file *file,
             const void   *buf,
             int           amount,
             sqlite3_int64 offset)
{
  int rc = take_fault (KIOSK_TEST_VFS_WRITE);

  if (rc != SQLITE_OK)
    return rc;

  return REAL_FILE (file)->pMethods->xWrite (REAL_FILE (file), buf, amount, offset);
}

static int
fault_truncate (sqlite3_file *file,
                sqlite3_int64 size)
{
  int rc = take_fault (KIOSK_TEST_VFS_TRUNCATE);

  if (rc != SQLITE_OK)
    return rc;

  return REAL_FILE (file)->pMethods->xTruncate (REAL_FILE (file), size);
}

static int
fault_sync (sqlite3_file *file,
            int           flags)
{
  int rc = take_fault (KIOSK_TEST_VFS_SYNC);

  if (rc != SQLITE_OK)
    return rc;

  return REAL_FILE (file)->pMethods->xSync (REAL_FILE (file), flags);
}

static int
fault_file_size (sqlite3_file  *file,
                 sqlite3_int64 *size)
{
  return REAL_FILE (file)->pMethods->xFileSize (REAL_FILE (file), size);
}

static int
fault_lock (sqlite3_file *file,
            int           lock)
{
  return REAL_FILE (file)->pMethods->xLock (REAL_FILE (file), lock);
}

static int
fault_unlock (sqlite3_file *file,
              int           lock)
{
  return REAL_FILE (file)->pMethods->xUnlock (REAL_FILE (file), lock);
}

static int
fault_check_reserved_lock (sqlite3_file *file,
                           int          *out)
{
  return REAL_FILE (file)->pMethods->xCheckReservedLock (REAL_FILE (file), out);
}

static int
fault_file_control (sqlite3_file *file,
                    int           op,
                    void         *arg)
{
  return REAL_FILE (file)->pMethods->xFileControl (REAL_FILE (file), op, arg);
}

static int
fault_sector_size (sqlite3_file *file)
{
  return REAL_FILE (file)->pMethods->xSectorSize (REAL_FILE (file));
}

static int
fault_device_characteristics (sqlite3_file *file)
{
  return REAL_FILE (file)->pMethods->xDeviceCharacteristics (REAL_FILE (file));
}

/* The wal-index (-shm) is shared memory, not file writes: it is passed through untouched. */
static int
fault_shm_map (sqlite3_file   *file,
               int             page,
               int             page_size,
               int             extend,
               void volatile **out)
{
  return REAL_FILE (file)->pMethods->xShmMap (REAL_FILE (file), page, page_size, extend, out);
}

static int
fault_shm_lock (sqlite3_file *file,
                int           offset,
                int           n,
                int           flags)
{
  return REAL_FILE (file)->pMethods->xShmLock (REAL_FILE (file), offset, n, flags);
}

static void
fault_shm_barrier (sqlite3_file *file)
{
  REAL_FILE (file)->pMethods->xShmBarrier (REAL_FILE (file));
}

static int
fault_shm_unmap (sqlite3_file *file,
                 int           delete_flag)
{
  return REAL_FILE (file)->pMethods->xShmUnmap (REAL_FILE (file), delete_flag);
}

static int
fault_fetch (sqlite3_file  *file,
             sqlite3_int64  offset,
             int            amount,
             void         **out)
{
  return REAL_FILE (file)->pMethods->xFetch (REAL_FILE (file), offset, amount, out);
}

static int
fault_unfetch (sqlite3_file  *file,
               sqlite3_int64  offset,
               void          *page)
{
  return REAL_FILE (file)->pMethods->xUnfetch (REAL_FILE (file), offset, page);
}

static const sqlite3_io_methods fault_io_methods = {
  .iVersion = 3,
  .xClose = fault_close,
  .xRead = fault_read,
  .xWrite = fault_write,
  .xTruncate = fault_truncate,
  .xSync = fault_sync,
  .xFileSize = fault_file_size,
  .xLock = fault_lock,
  .xUnlock = fault_unlock,
  .xCheckReservedLock = fault_check_reserved_lock,
  .xFileControl = fault_file_control,
  .xSectorSize = fault_sector_size,
  .xDeviceCharacteristics = fault_device_characteristics,
  .xShmMap = fault_shm_map,
  .xShmLock = fault_shm_lock,
  .xShmBarrier = fault_shm_barrier,
  .xShmUnmap = fault_shm_unmap,
  .xFetch = fault_fetch,
  .xUnfetch = fault_unfetch,
};

/* sqlite3_vfs: xOpen wraps the file; everything else goes straight to the real VFS. */

static int
fault_open (sqlite3_vfs  *vfs,
            const char   *name,
            sqlite3_file *file,
            int           flags,
            int          *out_flags)
{
  FaultFile *ff = (FaultFile *) file;
  int rc;

  ff->real = (sqlite3_file *) (ff + 1);
  ff->flags = flags;
  rc = real_vfs->xOpen (real_vfs, name, ff->real, flags, out_flags);

  /* SQLite calls xClose only when pMethods is set, so set it only when the real file is open. */
  ff->base.pMethods = ff->real->pMethods != NULL ? &fault_io_methods : NULL;

  return rc;
}

static int
fault_delete (sqlite3_vfs *vfs,
              const char  *name,
              int          sync_dir)
{
  return real_vfs->xDelete (real_vfs, name, sync_dir);
}

static int
fault_access (sqlite3_vfs *vfs,
              const char  *name,
              int          flags,
              int         *out)
{
  return real_vfs->xAccess (real_vfs, name, flags, out);
}

static int
fault_full_pathname (sqlite3_vfs *vfs,
                     const char  *name,
                     int          n_out,
                     char        *out)
{
  return real_vfs->xFullPathname (real_vfs, name, n_out, out);
}

static void *
fault_dl_open (sqlite3_vfs *vfs,
               const char  *filename)
{
  return real_vfs->xDlOpen (real_vfs, filename);
}

static void
fault_dl_error (sqlite3_vfs *vfs,
                int          n,
                char        *out)
{
  real_vfs->xDlError (real_vfs, n, out);
}

static void (*
fault_dl_sym (sqlite3_vfs *vfs,
              void        *handle,
              const char  *symbol)) (void)
{
  return real_vfs->xDlSym (real_vfs, handle, symbol);
}

static void
fault_dl_close (sqlite3_vfs *vfs,
                void        *handle)
{
  real_vfs->xDlClose (real_vfs, handle);
}

static int
fault_randomness (sqlite3_vfs *vfs,
                  int          n,
                  char        *out)
{
  return real_vfs->xRandomness (real_vfs, n, out);
}

static int
fault_sleep (sqlite3_vfs *vfs,
             int          microseconds)
{
  return real_vfs->xSleep (real_vfs, microseconds);
}

static int
fault_current_time (sqlite3_vfs *vfs,
                    double      *out)
{
  return real_vfs->xCurrentTime (real_vfs, out);
}

static int
fault_get_last_error (sqlite3_vfs *vfs,
                      int          n,
                      char        *out)
{
  return real_vfs->xGetLastError ? real_vfs->xGetLastError (real_vfs, n, out) : 0;
}

static int
fault_current_time_int64 (sqlite3_vfs   *vfs,
                          sqlite3_int64 *out)
{
  return real_vfs->xCurrentTimeInt64 (real_vfs, out);
}

static int
fault_set_system_call (sqlite3_vfs         *vfs,
                       const char          *name,
                       sqlite3_syscall_ptr  call)
{
  return real_vfs->xSetSystemCall (real_vfs, name, call);
}

static sqlite3_syscall_ptr
fault_get_system_call (sqlite3_vfs *vfs,
                       const char  *name)
{
  return real_vfs->xGetSystemCall (real_vfs, name);
}

static const char *
fault_next_system_call (sqlite3_vfs *vfs,
                        const char  *name)
{
  return real_vfs->xNextSystemCall (real_vfs, name);
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

  fault_vfs = (sqlite3_vfs) {
    .iVersion = 3,
    .szOsFile = sizeof (FaultFile) + real_vfs->szOsFile,
    .mxPathname = real_vfs->mxPathname,
    .zName = KIOSK_TEST_VFS_NAME,
    .xOpen = fault_open,
    .xDelete = fault_delete,
    .xAccess = fault_access,
    .xFullPathname = fault_full_pathname,
    .xDlOpen = fault_dl_open,
    .xDlError = fault_dl_error,
    .xDlSym = fault_dl_sym,
    .xDlClose = fault_dl_close,
    .xRandomness = fault_randomness,
    .xSleep = fault_sleep,
    .xCurrentTime = fault_current_time,
    .xGetLastError = fault_get_last_error,
    .xCurrentTimeInt64 = fault_current_time_int64,
    .xSetSystemCall = fault_set_system_call,
    .xGetSystemCall = fault_get_system_call,
    .xNextSystemCall = fault_next_system_call,
  };

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

/* Disarms every fault and zeroes the counters. */
void
kiosk_test_vfs_reset (void)
{
  g_mutex_lock (&rules_lock);
  memset (rules, 0, sizeof rules);
  g_mutex_unlock (&rules_lock);
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
  g_return_if_fail (op < KIOSK_TEST_VFS_N_OPS);
  g_return_if_fail (count >= KIOSK_TEST_VFS_FOREVER);

  g_mutex_lock (&rules_lock);
  rules[op].rc = sqlite_rc;
  rules[op].remaining = sqlite_rc == SQLITE_OK ? 0 : count;
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
