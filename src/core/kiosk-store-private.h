/* kiosk-store-private.h: the store's instance and the helpers its files share (kiosk-store.c:
 * the object, errors and figures; -open.c: schema, migrations, quarantine, sequence numbers;
 * -write.c: taps, visits and the responses held while writing fails). */
#pragma once

#include <sqlite3.h>

#include "kiosk-store.h"

G_BEGIN_DECLS

struct _KioskStore
{
  GObject             parent_instance;

  /* owned */
  char               *path;
  char               *seq_path;
  sqlite3            *db;
  sqlite3_stmt       *insert_stmt;
  GQueue              unwritten;          /* KioskResponse*, oldest first, seq assigned */
  char               *health_message;
  char               *quarantined_path;
  char               *failing_since;      /* RFC 3339, while failing */
  guint               retry_source;
  gint64              contended_since_us; /* held only because the uploader had the lock */
  guint               contended_source;

  KioskStoreOpenFlags flags;
  gint64              busy_limit_us;      /* how long to wait for another connection's lock */
  gint64              busy_since_us;
  gint64              busy_last_us;       /* the busy handler's last call */
  gint64              lock_wait_us;       /* in all, waiting for another connection's lock */
  gint64              next_seq;
  gint64              reserved_upto;      /* seq numbers up to here may have been handed out */
};

/* kiosk-store.c */
void         _kiosk_store_close_db              (KioskStore  *self);
const char  *_kiosk_store_explain_sqlite        (int          rc);
gboolean     _kiosk_store_set_error             (GError     **error,
                                                 sqlite3     *db,
                                                 int          rc,
                                                 const char  *path,
                                                 const char  *doing);
void         _kiosk_store_notify_health         (KioskStore  *self);
void         _kiosk_store_notify_health_message (KioskStore  *self);
void         _kiosk_store_notify_unwritten      (KioskStore  *self);
void         _kiosk_store_emit_eligible_written (KioskStore  *self);

/* kiosk-store-open.c */
gboolean     _kiosk_store_open_database         (KioskStore  *self,
                                                 GError     **error);
void         _kiosk_store_record_incident       (KioskStore  *self,
                                                 const char  *kind,
                                                 const char  *detail);
void         _kiosk_store_reserve_sequence      (KioskStore  *self,
                                                 gint64       seq);

G_END_DECLS
