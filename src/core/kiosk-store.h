/* kiosk-store.h: the durable queue of responses in SQLite.
 *
 * A response is committed (WAL, synchronous=FULL) before the visitor is thanked. When the disk is
 * full or failing, the response is held in memory and written, in order, as soon as writing works
 * again; nothing that was accepted is dropped. */
#pragma once

#include <gio/gio.h>

#include "kiosk-response.h"
#include "kiosk-stats.h"

G_BEGIN_DECLS

#define KIOSK_STORE_ERROR (kiosk_store_error_quark ())

typedef enum
{
  KIOSK_STORE_ERROR_OPEN,        /* the file or its directory could not be opened or created */
  KIOSK_STORE_ERROR_SCHEMA,      /* written by a newer version of this program */
  KIOSK_STORE_ERROR_FULL,        /* disk or quota full */
  KIOSK_STORE_ERROR_READONLY,    /* the file system refuses writes */
  KIOSK_STORE_ERROR_IO,          /* I/O error or corruption while writing */
  KIOSK_STORE_ERROR_BUSY,        /* another connection held the lock too long */
  KIOSK_STORE_ERROR_FAILED,
} KioskStoreError;

typedef enum
{
  KIOSK_STORAGE_OK,
  KIOSK_STORAGE_RECOVERED,       /* a corrupt database was quarantined at start */
  KIOSK_STORAGE_FAILING,         /* responses are held in memory until writing works again */
} KioskStorageHealth;

typedef enum
{
  KIOSK_STORE_OPEN_DEFAULT    = 0,
  /* Start even when the database cannot be opened now (full or read-only disk): responses are
   * held in memory and the store keeps trying. The kiosk uses this; tools do not. */
  KIOSK_STORE_OPEN_KEEP_GOING = 1 << 0,
  /* Read without changing anything: no check, no quarantine, no migration (--stats, export). */
  KIOSK_STORE_OPEN_READ_ONLY  = 1 << 1,
} KioskStoreOpenFlags;

#define KIOSK_STORE_SCHEMA_VERSION 4
#define KIOSK_STORE_RETRY_SECONDS  5
/* Bytes the write-ahead log is cut back to when it restarts (PRAGMA journal_size_limit). */
#define KIOSK_STORE_WAL_SIZE_LIMIT 4194304
/* Each connection's page cache, in KiB (PRAGMA cache_size). A tap touches a few dozen pages and
 * the operating system caches the file anyway; SQLite's default of 2000 KiB stays on the heap
 * for the kiosk's lifetime once the check at start has read the whole database. */
#define KIOSK_STORE_CACHE_KIB 256

#define KIOSK_TYPE_STORE (kiosk_store_get_type ())
G_DECLARE_FINAL_TYPE (KioskStore, kiosk_store, KIOSK, STORE, GObject)

GQuark              kiosk_store_error_quark          (void);

KioskStore         *kiosk_store_open                 (const char       *path,
                                                      KioskStoreOpenFlags flags,
                                                      GError          **error);
const char         *kiosk_store_get_path             (KioskStore       *self);

gboolean            kiosk_store_record               (KioskStore       *self,
                                                      KioskResponse    *response,
                                                      GError          **error);
gboolean            kiosk_store_complete_visit       (KioskStore       *self,
                                                      const KioskResponse *response,
                                                      GError          **error);
gboolean            kiosk_store_flush                (KioskStore       *self,
                                                      GError          **error);
guint               kiosk_store_get_unwritten        (KioskStore       *self);
gint64              kiosk_store_get_last_seq         (KioskStore       *self);
gint64              kiosk_store_get_lock_wait_us     (KioskStore       *self);

KioskStorageHealth  kiosk_store_get_health           (KioskStore       *self);
const char         *kiosk_store_get_health_message   (KioskStore       *self);
const char         *kiosk_store_get_quarantined_path (KioskStore       *self);

gboolean            kiosk_store_count_faces          (KioskStore       *self,
                                                      gint64            since_wall_us,
                                                      gint64            until_wall_us,
                                                      KioskFaceCounts  *out,
                                                      GError          **error);
GPtrArray          *kiosk_store_list_responses       (KioskStore       *self,
                                                      GError          **error);
GPtrArray          *kiosk_store_list_incidents       (KioskStore       *self,
                                                      guint             limit,
                                                      GError          **error);

G_END_DECLS
