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
} KioskHeartbeat;

GQuark          kiosk_heartbeat_error_quark (void);

KioskHeartbeat *kiosk_heartbeat_new         (void);
void            kiosk_heartbeat_free        (KioskHeartbeat *self);

char           *kiosk_heartbeat_to_json     (const KioskHeartbeat *self);

/* Strict: every member of the contract present with its type, counts ≥ 0, texts valid UTF-8 and
 * at most 1 000 characters; members the contract does not define are ignored. */
KioskHeartbeat *kiosk_heartbeat_parse       (const char     *body,
                                             gsize           length,
                                             GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskHeartbeat, kiosk_heartbeat_free)

G_END_DECLS
