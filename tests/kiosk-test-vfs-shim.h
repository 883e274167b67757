/* kiosk-test-vfs-shim.h: the pass-through half of the tests' wrapping SQLite VFSes, so that each
 * one (fault injection, power cuts) only writes the calls it changes. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* The start of every wrapping VFS's file: the wrapped VFS's file is allocated right after the
 * whole wrapper struct, which xOpen points @real at. */
typedef struct
{
  sqlite3_file  base;
  sqlite3_file *real;
} KioskTestShimFile;

#define KIOSK_TEST_SHIM_REAL(f) (((KioskTestShimFile *) (f))->real)

void kiosk_test_shim_init_io_methods (sqlite3_io_methods *methods);
void kiosk_test_shim_init_vfs        (sqlite3_vfs        *vfs,
                                      int                 version,
                                      sqlite3_vfs        *real,
                                      const char         *name,
                                      int                 file_struct_size,
                                      int               (*open) (sqlite3_vfs  *vfs,
                                                                 const char   *name,
                                                                 sqlite3_file *file,
                                                                 int           flags,
                                                                 int          *out_flags));
int  kiosk_test_shim_open_real       (sqlite3_vfs        *vfs,
                                      const char         *name,
                                      sqlite3_file       *file,
                                      int                 file_struct_size,
                                      int                 flags,
                                      int                *out_flags,
                                      const sqlite3_io_methods *methods);

G_END_DECLS
