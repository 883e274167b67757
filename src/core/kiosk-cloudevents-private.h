/* kiosk-cloudevents-private.h: the names of the protocol, shared by the kiosk's writer
 * (kiosk-cloudevents.c) and the server's reader (kiosk-cloudevents-decode.c), so a member cannot
 * be spelt one way on one side and another way on the other. */
#pragma once

#include "kiosk-cloudevents.h"

G_BEGIN_DECLS

/* CloudEvents attributes */
#define KIOSK_CE_SPECVERSION        "specversion"
#define KIOSK_CE_SPECVERSION_VALUE  "1.0"
#define KIOSK_CE_ID                 "id"
#define KIOSK_CE_SOURCE             "source"
#define KIOSK_CE_TYPE               "type"
#define KIOSK_CE_TIME               "time"
#define KIOSK_CE_SUBJECT            "subject"
#define KIOSK_CE_DATACONTENTTYPE    "datacontenttype"
#define KIOSK_CE_DATA               "data"

/* data */
#define KIOSK_CE_SEQ                "seq"
#define KIOSK_CE_SURVEY_ID          "survey_id"
#define KIOSK_CE_SURVEY_VERSION     "survey_version"
#define KIOSK_CE_SCALE              "scale"
#define KIOSK_CE_FACE               "face"
#define KIOSK_CE_INPUT              "input"
#define KIOSK_CE_LANGUAGE           "language"
#define KIOSK_CE_MISUSE             "misuse"
#define KIOSK_CE_MISUSE_RULE        "misuse_rule"
#define KIOSK_CE_FOLLOW_UP          "follow_up"
#define KIOSK_CE_COMMENT            "comment"
#define KIOSK_CE_CONTACT            "contact"
#define KIOSK_CE_LOCAL_TIME         "local_time"
#define KIOSK_CE_CLOCK              "clock"

/* data.follow_up */
#define KIOSK_CE_FOLLOW_UP_ID       "id"
#define KIOSK_CE_SELECTED           "selected"
#define KIOSK_CE_OUTCOME            "outcome"

/* data.contact */
#define KIOSK_CE_CONSENT            "consent"
#define KIOSK_CE_NAME               "name"
#define KIOSK_CE_EMAIL              "email"
#define KIOSK_CE_PHONE              "phone"

/* data.clock */
#define KIOSK_CE_SYNCED             "synced"
#define KIOSK_CE_CORRECTED          "corrected"
#define KIOSK_CE_BOOT_ID            "boot_id"
#define KIOSK_CE_MONOTONIC_MS       "monotonic_ms"

/* The reply */
#define KIOSK_CE_RESULTS            "results"
#define KIOSK_CE_RESULT_ID          "id"
#define KIOSK_CE_STATUS             "status"
#define KIOSK_CE_REASON             "reason"

/* Deeper than any honest batch or reply (a batch's deepest is data.follow_up.selected, 5 levels);
 * json-glib recurses, so hostile input must not get that far. */
#define KIOSK_CE_MAX_DEPTH          16

gboolean _kiosk_json_depth_is_sane       (const char       *body,
                                          gsize             length,
                                          int               max_depth);
gboolean _kiosk_event_status_from_string (const char       *text,
                                          KioskEventStatus *out);

/* kiosk-cloudevents-decode.c: sets @error in KIOSK_CLOUDEVENTS_ERROR and returns NULL. */
gpointer _kiosk_ce_refuse (GError    **error,
                           int         code,
                           const char *format,
                           ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS
