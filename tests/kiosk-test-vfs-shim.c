/* kiosk-test-vfs-shim.c: calls straight through to a wrapped SQLite VFS and its files.
 *
 * A wrapping VFS fills its sqlite3_io_methods and sqlite3_vfs from here, then overrides the few
 * calls it changes. The wrapped VFS is the wrapper's pAppData; each file starts with a
 * KioskTestShimFile whose @real is the wrapped VFS's file. */
#define G_LOG_DOMAIN "kiosk-test-vfs-shim"

#include "config.h"

#include "kiosk-test-vfs-shim.h"

#define REAL_FILE(f) KIOSK_TEST_SHIM_REAL (f)
#define REAL_VFS(v)  ((sqlite3_vfs *) (v)->pAppData)

/* sqlite3_io_methods */

static int
shim_close (sqlite3_file *file)
{
  return REAL_FILE (file)->pMethods->xClose (REAL_FILE (file));
}

static int
shim_read (sqlite3_file *file,
           void         *buf,
           int           amount,
           sqlite3_int64 offset)
{
  return REAL_FILE (file)->pMethods->xRead (REAL_FILE (file), buf, amount, offset);
}

static int
shim_write (sqlite3_file *file,
            const void   *buf,
            int           amount,
            sqlite3_int64 offset)
{
  return REAL_FILE (file)->pMethods->xWrite (REAL_FILE (file), buf, amount, offset);
}

static int
shim_truncate (sqlite3_file *file,
               sqlite3_int64 size)
{
  return REAL_FILE (file)->pMethods->xTruncate (REAL_FILE (file), size);
}

static int
shim_sync (sqlite3_file *file,
           int           flags)
{
  return REAL_FILE (file)->pMethods->xSync (REAL_FILE (file), flags);
}

static int
shim_file_size (sqlite3_file  *file,
                sqlite3_int64 *size)
{
  return REAL_FILE (file)->pMethods->xFileSize (REAL_FILE (file), size);
}

static int
shim_lock (sqlite3_file *file,
           int           level)
{
  return REAL_FILE (file)->pMethods->xLock (REAL_FILE (file), level);
}

static int
shim_unlock (sqlite3_file *file,
             int           level)
{
  return REAL_FILE (file)->pMethods->xUnlock (REAL_FILE (file), level);
}

static int
shim_check_reserved_lock (sqlite3_file *file,
                          int          *out)
{
  return REAL_FILE (file)->pMethods->xCheckReservedLock (REAL_FILE (file), out);
}

static int
shim_file_control (sqlite3_file *file,
                   int           op,
                   void         *arg)
{
  return REAL_FILE (file)->pMethods->xFileControl (REAL_FILE (file), op, arg);
}

static int
shim_sector_size (sqlite3_file *file)
{
  return REAL_FILE (file)->pMethods->xSectorSize (REAL_FILE (file));
}

static int
shim_device_characteristics (sqlite3_file *file)
{
  return REAL_FILE (file)->pMethods->xDeviceCharacteristics (REAL_FILE (file));
}

/* The wal-index (-shm) is shared memory, not file writes. */
static int
shim_shm_map (sqlite3_file   *file,
              int             page,
              int             page_size,
              int             extend,
              void volatile **out)
{
  return REAL_FILE (file)->pMethods->xShmMap (REAL_FILE (file), page, page_size, extend, out);
}

static int
shim_shm_lock (sqlite3_file *file,
               int           offset,
               int           n,
               int           flags)
{
  return REAL_FILE (file)->pMethods->xShmLock (REAL_FILE (file), offset, n, flags);
}

static void
shim_shm_barrier (sqlite3_file *file)
{
  REAL_FILE (file)->pMethods->xShmBarrier (REAL_FILE (file));
}

static int
shim_shm_unmap (sqlite3_file *file,
                int           delete_flag)
{
  return REAL_FILE (file)->pMethods->xShmUnmap (REAL_FILE (file), delete_flag);
}

static int
shim_fetch (sqlite3_file  *file,
            sqlite3_int64  offset,
            int            amount,
            void         **out)
{
  return REAL_FILE (file)->pMethods->xFetch (REAL_FILE (file), offset, amount, out);
}

static int
shim_unfetch (sqlite3_file  *file,
              sqlite3_int64  offset,
              void          *page)
{
  return REAL_FILE (file)->pMethods->xUnfetch (REAL_FILE (file), offset, page);
}

/* Version 3 methods that call through; the wrapper overrides what it changes. */
void
kiosk_test_shim_init_io_methods (sqlite3_io_methods *methods)
{
  *methods = (sqlite3_io_methods) {
    .iVersion = 3,
    .xClose = shim_close,
    .xRead = shim_read,
    .xWrite = shim_write,
    .xTruncate = shim_truncate,
    .xSync = shim_sync,
    .xFileSize = shim_file_size,
    .xLock = shim_lock,
    .xUnlock = shim_unlock,
    .xCheckReservedLock = shim_check_reserved_lock,
    .xFileControl = shim_file_control,
    .xSectorSize = shim_sector_size,
    .xDeviceCharacteristics = shim_device_characteristics,
    .xShmMap = shim_shm_map,
    .xShmLock = shim_shm_lock,
    .xShmBarrier = shim_shm_barrier,
    .xShmUnmap = shim_shm_unmap,
    .xFetch = shim_fetch,
    .xUnfetch = shim_unfetch,
  };
}

/* sqlite3_vfs */

static int
shim_delete (sqlite3_vfs *vfs,
             const char  *name,
             int          sync_dir)
{
  return REAL_VFS (vfs)->xDelete (REAL_VFS (vfs), name, sync_dir);
}

static int
shim_access (sqlite3_vfs *vfs,
             const char  *name,
             int          flags,
             int         *out)
{
  return REAL_VFS (vfs)->xAccess (REAL_VFS (vfs), name, flags, out);
}

static int
shim_full_pathname (sqlite3_vfs *vfs,
                    const char  *name,
                    int          n_out,
                    char        *out)
{
  return REAL_VFS (vfs)->xFullPathname (REAL_VFS (vfs), name, n_out, out);
}

static void *
shim_dl_open (sqlite3_vfs *vfs,
              const char  *filename)
{
  return REAL_VFS (vfs)->xDlOpen (REAL_VFS (vfs), filename);
}

static void
shim_dl_error (sqlite3_vfs *vfs,
               int          n,
               char        *out)
{
  REAL_VFS (vfs)->xDlError (REAL_VFS (vfs), n, out);
}

static void (*
shim_dl_sym (sqlite3_vfs *vfs,
             void        *handle,
             const char  *symbol)) (void)
{
  return REAL_VFS (vfs)->xDlSym (REAL_VFS (vfs), handle, symbol);
}

static void
shim_dl_close (sqlite3_vfs *vfs,
               void        *handle)
{
  REAL_VFS (vfs)->xDlClose (REAL_VFS (vfs), handle);
}

static int
shim_randomness (sqlite3_vfs *vfs,
                 int          n,
                 char        *out)
{
  return REAL_VFS (vfs)->xRandomness (REAL_VFS (vfs), n, out);
}

static int
shim_sleep (sqlite3_vfs *vfs,
            int          microseconds)
{
  return REAL_VFS (vfs)->xSleep (REAL_VFS (vfs), microseconds);
}

static int
shim_current_time (sqlite3_vfs *vfs,
                   double      *out)
{
  return REAL_VFS (vfs)->xCurrentTime (REAL_VFS (vfs), out);
}

static int
shim_get_last_error (sqlite3_vfs *vfs,
                     int          n,
                     char        *out)
{
  return REAL_VFS (vfs)->xGetLastError ? REAL_VFS (vfs)->xGetLastError (REAL_VFS (vfs), n, out)
                                       : 0;
}

static int
shim_current_time_int64 (sqlite3_vfs   *vfs,
                         sqlite3_int64 *out)
{
  return REAL_VFS (vfs)->xCurrentTimeInt64 (REAL_VFS (vfs), out);
}

static int
shim_set_system_call (sqlite3_vfs         *vfs,
                      const char          *name,
                      sqlite3_syscall_ptr  call)
{
  return REAL_VFS (vfs)->xSetSystemCall (REAL_VFS (vfs), name, call);
}

static sqlite3_syscall_ptr
shim_get_system_call (sqlite3_vfs *vfs,
                      const char  *name)
{
  return REAL_VFS (vfs)->xGetSystemCall (REAL_VFS (vfs), name);
}

static const char *
shim_next_system_call (sqlite3_vfs *vfs,
                       const char  *name)
{
  return REAL_VFS (vfs)->xNextSystemCall (REAL_VFS (vfs), name);
}

/**
 * kiosk_test_shim_init_vfs:
 * @version: 2, or 3 to pass the system-call overrides through as well
 * @real: the wrapped VFS, kept as @vfs's pAppData
 * @file_struct_size: the size of the wrapper's file struct (which starts with a
 *   #KioskTestShimFile); the wrapped file follows it
 * @open: the wrapper's xOpen, which calls kiosk_test_shim_open_real()
 *
 * Fills @vfs so that every call but xOpen goes straight to @real. Register it afterwards.
 */
void
kiosk_test_shim_init_vfs (sqlite3_vfs  *vfs,
                          int           version,
                          sqlite3_vfs  *real,
                          const char   *name,
                          int           file_struct_size,
                          int         (*open) (sqlite3_vfs  *vfs,
                                               const char   *name,
                                               sqlite3_file *file,
                                               int           flags,
                                               int          *out_flags))
{
  g_assert_cmpint (version, >=, 2);
  g_assert_cmpint (real->iVersion, >=, version);
  g_assert_cmpint (file_struct_size, >=, sizeof (KioskTestShimFile));

  *vfs = (sqlite3_vfs) {
    .iVersion = version,
    .szOsFile = file_struct_size + real->szOsFile,
    .mxPathname = real->mxPathname,
    .zName = name,
    .pAppData = real,
    .xOpen = open,
    .xDelete = shim_delete,
    .xAccess = shim_access,
    .xFullPathname = shim_full_pathname,
    .xDlOpen = shim_dl_open,
    .xDlError = shim_dl_error,
    .xDlSym = shim_dl_sym,
    .xDlClose = shim_dl_close,
    .xRandomness = shim_randomness,
    .xSleep = shim_sleep,
    .xCurrentTime = shim_current_time,
    .xGetLastError = shim_get_last_error,
    .xCurrentTimeInt64 = shim_current_time_int64,
  };

  if (version >= 3)
    {
      vfs->xSetSystemCall = shim_set_system_call;
      vfs->xGetSystemCall = shim_get_system_call;
      vfs->xNextSystemCall = shim_next_system_call;
    }
}

/**
 * kiosk_test_shim_open_real:
 * @methods: the wrapper's methods, set on @file when the wrapped file opened
 *
 * Opens the wrapped file right after the wrapper's struct. SQLite calls xClose only when
 * pMethods is set, so it is set only when the wrapped file is open.
 */
int
kiosk_test_shim_open_real (sqlite3_vfs              *vfs,
                           const char               *name,
                           sqlite3_file             *file,
                           int                       file_struct_size,
                           int                       flags,
                           int                      *out_flags,
                           const sqlite3_io_methods *methods)
{
  KioskTestShimFile *shim = (KioskTestShimFile *) file;
  int rc;

  shim->real = (sqlite3_file *) ((char *) file + file_struct_size);
  rc = REAL_VFS (vfs)->xOpen (REAL_VFS (vfs), name, shim->real, flags, out_flags);
  shim->base.pMethods = shim->real->pMethods != NULL ? methods : NULL;

  return rc;
}
