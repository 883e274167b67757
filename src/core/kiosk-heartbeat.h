/* kiosk-heartbeat.h: the kiosk's health report (docs/cloud-api.md, section 3), written by the
 * uploader and read by the server: one struct, one encoder, one strict decoder. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KIOSK_HEARTBEAT_ERROR (kiosk_heartbeat_error_quark ())

typedef enum
{
  KIOSK_HEARTBEAT_ERROR_INVALID,   /* not a heartbeat document: the message says which member */
} KioskHeartbeatError;

#define KIOSK_HEARTBEAT_MAX_BYTES (16 * 1024)

typedef struct
{
  char    *version;               /* the kiosk's version */
  gint64   uptime_s;
  gint64   queue_depth;
  gint64   oldest_pending_age_s;  /* 0 when nothing is pending */
  gint64   dead_letter_count;
  char    *last_upload_ok_at;     /* RFC 3339, NULL when there was none */
  char    *last_error;            /* NULL when there was none */
  gboolean clock_synced;
  char    *survey_id;             /* NULL when unknown */
  gint64   survey_version;
  gint64   last_seq;

  /* Optional members (an older kiosk sends neither): NULL or -1 when not reported. */
  char    *storage_state;           /* "ok", "recovered", "failing", or a later version's word */
  gint64   storage_database_bytes;  /* -1: reported as null, the kiosk could not measure it */
  gint64   storage_free_bytes;      /* likewise */
  gint64   buttons_configured;      /* -1: not reported; 0: no [buttons] devices */
  gint64   buttons_connected;       /* ≤ buttons_configured */
} KioskHeartbeat;

/* The storage states a kiosk sends: KioskStorageHealth (kiosk-store.h) as words. */
#define KIOSK_HEARTBEAT_STORAGE_OK        "ok"
#define KIOSK_HEARTBEAT_STORAGE_RECOVERED "recovered"
#define KIOSK_HEARTBEAT_STORAGE_FAILING   "failing"

GQuark          kiosk_heartbeat_error_quark (void);

KioskHeartbeat *kiosk_heartbeat_new         (void);
void            kiosk_heartbeat_free        (KioskHeartbeat *self);

char           *kiosk_heartbeat_to_json     (const KioskHeartbeat *self);

/* Strict: every member of the contract present with its type, counts ≥ 0, texts valid UTF-8 and
 * at most 1 000 characters; the optional "storage" and "buttons" may be absent, but when present
 * are checked the same way; members the contract does not define are ignored. */
KioskHeartbeat *kiosk_heartbeat_parse       (const char     *body,
                                             gsize           length,
                                             GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskHeartbeat, kiosk_heartbeat_free)

G_END_DECLS
