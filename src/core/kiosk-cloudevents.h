/* kiosk-cloudevents.h: responses as CloudEvents 1.0 in batched mode (docs/cloud-api.md), and
 * the strict reading of the server's per-event reply. */
#pragma once

#include <glib.h>

#include "kiosk-response.h"

G_BEGIN_DECLS

#define KIOSK_CLOUDEVENTS_ERROR (kiosk_cloudevents_error_quark ())

typedef enum
{
  KIOSK_CLOUDEVENTS_ERROR_INVALID_REPLY,   /* the reply is not a results document for the batch */
  KIOSK_CLOUDEVENTS_ERROR_COMPRESS,
} KioskCloudEventsError;

#define KIOSK_CLOUDEVENT_TYPE        "org.smileykiosk.response.v1"
#define KIOSK_CLOUDEVENTS_MEDIA_TYPE "application/cloudevents-batch+json"
#define KIOSK_CLOUDEVENTS_MAX_EVENTS 500
#define KIOSK_CLOUDEVENTS_MAX_BYTES  (512 * 1024)  /* of one batch, before compression */
#define KIOSK_CLOUD_MAX_REPLY_BYTES  (1024 * 1024)

typedef enum
{
  KIOSK_EVENT_ACCEPTED,
  KIOSK_EVENT_DUPLICATE,
  KIOSK_EVENT_REJECTED,
} KioskEventStatus;

typedef struct
{
  KioskEventStatus status;
  char            *reason;   /* the server's words, made printable; NULL when it gave none */
} KioskEventResult;

GQuark   kiosk_cloudevents_error_quark   (void);

char    *kiosk_cloudevents_source        (const char           *device_id);
void     kiosk_cloudevent_append         (GString              *out,
                                          const KioskResponse  *response,
                                          const char           *source);
char    *kiosk_cloudevent_to_json        (const KioskResponse  *response,
                                          const char           *source);
GString *kiosk_cloudevents_build_batch   (GPtrArray            *responses,
                                          const char           *source,
                                          gsize                 max_bytes,
                                          guint                *out_count);

gboolean kiosk_cloudevents_parse_reply   (const char           *body,
                                          gsize                 length,
                                          const char * const   *ids,
                                          guint                 n_ids,
                                          KioskEventResult     *results,
                                          GError              **error);
void     kiosk_event_results_clear       (KioskEventResult     *results,
                                          guint                 n);

GBytes  *kiosk_gzip                      (const void           *data,
                                          gsize                 length,
                                          int                   level,
                                          GError              **error);
char    *kiosk_printable_excerpt         (const char           *text,
                                          gssize                length,
                                          gsize                 max_chars);

G_END_DECLS
