/* kiosk-cloudevents.h: responses as CloudEvents 1.0 in batched mode (docs/cloud-api.md), and
 * the strict reading of the server's per-event reply. */
#pragma once

#include <glib.h>

#include "kiosk-response.h"
#include "kiosk-survey.h"

G_BEGIN_DECLS

#define KIOSK_CLOUDEVENTS_ERROR (kiosk_cloudevents_error_quark ())

typedef enum
{
  KIOSK_CLOUDEVENTS_ERROR_INVALID_REPLY,   /* the reply is not a results document for the batch */
  KIOSK_CLOUDEVENTS_ERROR_COMPRESS,
  /* The server's side: a whole batch that cannot be read (HTTP 400) … */
  KIOSK_CLOUDEVENTS_ERROR_BAD_BATCH,
  /* … or that is over a limit: events, bytes, or bytes after decompression (HTTP 413). */
  KIOSK_CLOUDEVENTS_ERROR_TOO_LARGE,
} KioskCloudEventsError;

#define KIOSK_CLOUDEVENT_TYPE        "org.smileykiosk.response.v1"
#define KIOSK_CLOUDEVENTS_MEDIA_TYPE "application/cloudevents-batch+json"
#define KIOSK_CLOUDEVENTS_MAX_EVENTS 500
#define KIOSK_CLOUDEVENTS_MAX_BYTES  (512 * 1024)  /* of one batch, before compression */
#define KIOSK_CLOUD_MAX_REPLY_BYTES  (1024 * 1024)
#define KIOSK_CLOUDEVENT_SOURCE_PREFIX "urn:smiley-kiosk:"
#define KIOSK_CLOUDEVENT_DATA_TYPE   "application/json"
/* Longest text members of an event's data, in characters. */
#define KIOSK_EVENT_MAX_COMMENT_CHARS  KIOSK_SURVEY_MAX_COMMENT_LENGTH
/* The longest of the kiosk's contact fields: an e-mail address (RFC 5321: 254). */
#define KIOSK_EVENT_MAX_CONTACT_CHARS  KIOSK_CONTACT_MAX_EMAIL_CHARS  /* the longest of the three */
#define KIOSK_EVENT_MAX_ID_CHARS       KIOSK_ID_MAX_CHARS   /* survey, follow-up and option ids, misuse rule */
#define KIOSK_EVENT_MAX_LANGUAGE_CHARS 35
#define KIOSK_DEVICE_ID_MAX_CHARS      64

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

/* The server's side of the protocol. */

/* One event of a batch as the server reads it. @id is NULL only when the event had no string
 * id; then the batch as a whole is refused (a result must name every event). When the event
 * breaks the contract, @reason says what is wrong in words a person can act on ("data.face: 7
 * is outside the scale of 4 faces") and @response is NULL; otherwise @response holds the whole
 * response (time.synced, boot_id, clock_corrected and time.monotonic_us = monotonic_ms × 1000
 * included) and @device_id is the source without its "urn:smiley-kiosk:" prefix. */
typedef struct
{
  char          *id;
  char          *source;
  char          *device_id;
  KioskResponse *response;
  char          *reason;
} KioskDecodedEvent;

void     kiosk_decoded_event_free        (KioskDecodedEvent    *event);

/* Reads a batch body (already decompressed) strictly. Whole-batch problems set
 * KIOSK_CLOUDEVENTS_ERROR_BAD_BATCH (not UTF-8, a NUL byte, not JSON, nested deeper than 16, not
 * an array, empty, an element that is not an object or has no string id, an id longer than
 * KIOSK_EVENT_MAX_ID_CHARS or not UTF-8, an id named twice) or _TOO_LARGE (more than
 * KIOSK_CLOUDEVENTS_MAX_EVENTS events, more than KIOSK_CLOUDEVENTS_MAX_BYTES bytes), with a
 * message that says where ("event 3 has no string “id”"; events and bytes count from 1).
 * Otherwise returns the events in order (element type KioskDecodedEvent), each valid or with its
 * reason. */
GPtrArray *kiosk_cloudevents_parse_batch (const char           *body,
                                          gsize                 length,
                                          GError              **error);

/* The reply document: {"results":[{"id":…,"status":…,"reason"?:…}]}. */
char    *kiosk_cloudevents_results_to_json (const char * const *ids,
                                          const KioskEventResult *results,
                                          guint                 n);
const char *kiosk_event_status_to_string (KioskEventStatus      status);

/* Inflates a gzip body, refusing (KIOSK_CLOUDEVENTS_ERROR_TOO_LARGE) as soon as the output
 * would pass @max_out bytes, so a gzip bomb costs at most @max_out bytes of memory; a body that
 * is not gzip is KIOSK_CLOUDEVENTS_ERROR_BAD_BATCH. */
GBytes  *kiosk_gunzip                    (const void           *data,
                                          gsize                 length,
                                          gsize                 max_out,
                                          GError              **error);

/* 1 to 64 characters of letters, digits, ".", "_" and "-": the one rule for a device id, used by
 * the kiosk's configuration and the server's device registry. */
gboolean kiosk_device_id_is_valid        (const char           *id);

GBytes  *kiosk_gzip                      (const void           *data,
                                          gsize                 length,
                                          int                   level,
                                          GError              **error);
char    *kiosk_printable_excerpt         (const char           *text,
                                          gssize                length,
                                          gsize                 max_chars);

G_END_DECLS
