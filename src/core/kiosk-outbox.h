/* kiosk-outbox.h: the uploader's view of the response database: its own SQLite connection to the
 * store's file, the pending queue, delivery marks, dead letters and the sync state. */
#pragma once

#include <glib-object.h>

#include "kiosk-response.h"

G_BEGIN_DECLS

#define KIOSK_OUTBOX_ERROR (kiosk_outbox_error_quark ())

typedef enum
{
  KIOSK_OUTBOX_ERROR_OPEN,      /* no database, or it cannot be opened */
  KIOSK_OUTBOX_ERROR_SCHEMA,    /* not the schema this program knows */
  KIOSK_OUTBOX_ERROR_BUSY,      /* the kiosk held the lock too long; try again */
  KIOSK_OUTBOX_ERROR_FAILED,
} KioskOutboxError;

typedef enum
{
  KIOSK_OUTBOX_OPEN_DEFAULT   = 0,
  /* For --status while the kiosk runs: reads, never writes. */
  KIOSK_OUTBOX_OPEN_READ_ONLY = 1 << 0,
} KioskOutboxOpenFlags;

typedef struct
{
  gint64 depth;                  /* ended visits neither delivered nor rejected */
  gint64 oldest_pending_wall_us; /* wall time of the oldest of them (0 when none) */
  gint64 open_visits;            /* still being answered: not eligible yet */
  gint64 dead_letters;
  gint64 last_seq;               /* the highest sequence number recorded */
  gint64 dropped;                /* undelivered responses dropped by the queue bounds, ever */
} KioskQueueStats;

/* What the database keeps (docs in data/kiosk.conf, [storage]). */
typedef struct
{
  gint64 retention_us;           /* delivered rows are deleted this long after delivery */
  gint64 max_queue_responses;    /* undelivered ended visits, rejected ones included */
  gint64 max_database_bytes;     /* pages in use, free pages not counted */
  gint64 max_incidents;          /* the newest are kept */
} KioskRetentionPolicy;

/* What one pruning step did; all zero when there was nothing to do. */
typedef struct
{
  gint64 expired;                /* delivered rows past their retention */
  gint64 evicted;                /* delivered rows deleted early: the database was too big */
  gint64 dropped;                /* undelivered rows dropped by a queue bound (counted) */
  gint64 incidents;              /* old incident records */
} KioskPruneResult;

typedef struct
{
  gint64 unsynced;               /* pending, recorded before the clock was synchronised */
  gint64 corrected;              /* pending, corrected after the clock was synchronised */
} KioskClockStats;

typedef struct
{
  gint64  seq;
  char   *uuid;
  gint64  wall_us;               /* when it was rejected */
  int     http_status;           /* 0 when none */
  char   *reason;
  char   *event;                 /* the CloudEvent as it was sent */
} KioskDeadLetter;

/* What the server said about one response it was sent (kiosk_outbox_apply_results()). */
typedef struct
{
  gint64      seq;
  const char *uuid;
  gboolean    rejected;          /* the server will never take it: a dead letter */
  const char *reason;            /* why, when rejected; NULL when the server gave none */
  const char *event;             /* when rejected: the CloudEvent exactly as it was sent */
} KioskDeliveryResult;

#define KIOSK_TYPE_OUTBOX (kiosk_outbox_get_type ())
G_DECLARE_FINAL_TYPE (KioskOutbox, kiosk_outbox, KIOSK, OUTBOX, GObject)

GQuark       kiosk_outbox_error_quark       (void);

KioskOutbox *kiosk_outbox_open              (const char            *path,
                                             KioskOutboxOpenFlags   flags,
                                             GError               **error);

GPtrArray   *kiosk_outbox_next_batch        (KioskOutbox           *self,
                                             guint                  limit,
                                             GError               **error);

gboolean     kiosk_outbox_begin             (KioskOutbox           *self,
                                             GError               **error);
gboolean     kiosk_outbox_needs_reopen      (KioskOutbox           *self);
gboolean     kiosk_outbox_commit            (KioskOutbox           *self,
                                             GError               **error);
void         kiosk_outbox_rollback          (KioskOutbox           *self);

gboolean     kiosk_outbox_mark_delivered    (KioskOutbox           *self,
                                             gint64                 seq,
                                             gint64                 delivered_wall_us,
                                             GError               **error);
gboolean     kiosk_outbox_mark_delivered_many (KioskOutbox         *self,
                                             const gint64          *seqs,
                                             guint                  n,
                                             gint64                 delivered_wall_us,
                                             GError               **error);
gboolean     kiosk_outbox_dead_letter       (KioskOutbox           *self,
                                             gint64                 seq,
                                             const char            *uuid,
                                             gint64                 rejected_wall_us,
                                             int                    http_status,
                                             const char            *reason,
                                             const char            *event,
                                             GError               **error);
gboolean     kiosk_outbox_count_attempt     (KioskOutbox           *self,
                                             gint64                 seq,
                                             GError               **error);

/* The uploader's writes, each one transaction. */
gboolean     kiosk_outbox_apply_results     (KioskOutbox               *self,
                                             const KioskDeliveryResult *results,
                                             guint                      n,
                                             int                        http_status,
                                             gint64                     now_wall_us,
                                             GError                   **error);
gboolean     kiosk_outbox_count_attempts    (KioskOutbox           *self,
                                             const gint64          *seqs,
                                             guint                  n,
                                             GError               **error);
gboolean     kiosk_outbox_set_states        (KioskOutbox           *self,
                                             const char * const    *keys,
                                             const char * const    *values,
                                             guint                  n,
                                             GError               **error);

gboolean     kiosk_outbox_get_stats         (KioskOutbox           *self,
                                             KioskQueueStats       *out,
                                             GError               **error);
gboolean     kiosk_outbox_get_clock_stats   (KioskOutbox           *self,
                                             KioskClockStats       *out,
                                             GError               **error);
GPtrArray   *kiosk_outbox_list_dead_letters (KioskOutbox           *self,
                                             GError               **error);

char        *kiosk_outbox_get_state         (KioskOutbox           *self,
                                             const char            *key);
gboolean     kiosk_outbox_set_state         (KioskOutbox           *self,
                                             const char            *key,
                                             const char            *value,
                                             GError               **error);

gint64       kiosk_outbox_correct_clock     (KioskOutbox           *self,
                                             const char            *boot_id,
                                             gint64                 now_wall_us,
                                             gint64                 now_monotonic_us,
                                             GError               **error);

gboolean     kiosk_outbox_prune_step        (KioskOutbox                *self,
                                             const KioskRetentionPolicy *policy,
                                             gint64                      now_wall_us,
                                             guint                       max_rows,
                                             KioskPruneResult           *out,
                                             GError                    **error);
gboolean     kiosk_outbox_get_used_bytes    (KioskOutbox           *self,
                                             gint64                *out,
                                             GError               **error);

void         kiosk_dead_letter_free         (KioskDeadLetter       *letter);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskDeadLetter, kiosk_dead_letter_free)

/* Keys of the sync_state table. */
#define KIOSK_SYNC_KEY_LAST_UPLOAD_OK_AT "last_upload_ok_at"
#define KIOSK_SYNC_KEY_LAST_ERROR        "last_error"
#define KIOSK_SYNC_KEY_LAST_ERROR_AT     "last_error_at"
#define KIOSK_SYNC_KEY_NEXT_RETRY        "next_retry"
#define KIOSK_SYNC_KEY_STATE             "state"
#define KIOSK_SYNC_KEY_SURVEY_ETAG       "survey_etag"
#define KIOSK_SYNC_KEY_SURVEY_STATUS     "survey_status"
#define KIOSK_SYNC_KEY_RETIRED_FOR       "retired_for"
#define KIOSK_SYNC_KEY_BATCH_CEILING     "batch_ceiling"
#define KIOSK_SYNC_KEY_DROPPED           "dropped_responses"

G_END_DECLS
