/* kiosk-server-delivery.h: the durable outbox of alerts and reports (table deliveries,
 * migration 006). Rows are queued in the caller's transaction, so that what opened an episode
 * or recorded a report's run and what tells people about it commit together; a thread of the
 * server then sends each row, by e-mail through the [mail] relay (libcurl's SMTP) or as a
 * webhook POST, retrying with backoff until it is sent or given up. */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

#include "kiosk-server-config.h"

G_BEGIN_DECLS

typedef struct
{
  const char *file_name;      /* "report-2026-12-04.pdf" */
  const char *content_type;   /* "application/pdf" */
  GBytes     *data;
} KioskMailAttachment;

/* Composes one message per address of @to (NULL-terminated) and queues them on @conn, in the
 * caller's transaction if one is open. @text is the plain-text body (UTF-8); @attachments may
 * be NULL when @n_attachments is 0. @episode_id / @schedule_id (0: none) tie the rows to what
 * they tell of. Fails (KIOSK_DB_ERROR_*) only on the database; an address that is not one is
 * refused earlier, where rules and schedules are checked. */
gboolean  kiosk_delivery_queue_mail    (PGconn                    *conn,
                                        const KioskServerConfig   *config,
                                        const char * const        *to,
                                        const char                *subject,
                                        const char                *text,
                                        const KioskMailAttachment *attachments,
                                        guint                      n_attachments,
                                        gint64                     episode_id,
                                        gint64                     schedule_id,
                                        GError                   **error);

/* Queues one POST of @body (@content_type) to @url. */
gboolean  kiosk_delivery_queue_webhook (PGconn                    *conn,
                                        const char                *url,
                                        const char                *subject,
                                        const char                *content_type,
                                        const char                *body,
                                        gint64                     episode_id,
                                        GError                   **error);

/* The body of a webhook in @format ("json", "slack", "mattermost", "discord", "teams",
 * "google-chat"): "json" is @event (a JSON object, as docs/alerts.md describes) as it is;
 * the chat formats carry @title, @text and @link (may be NULL) in the message shape each tool
 * takes. */
char     *kiosk_delivery_webhook_body  (const char                *format,
                                        const char                *title,
                                        const char                *text,
                                        const char                *link,
                                        const char                *event);
/* Whether @format is one of the above. */
gboolean  kiosk_delivery_format_is_valid (const char              *format);

typedef struct _KioskDelivery KioskDelivery;

/* Starts the sending thread (its own database connection). Mail rows wait, and are logged
 * once, while [mail] relay is not set. */
KioskDelivery *kiosk_delivery_start    (const KioskServerConfig   *config);
/* Something was queued: look now instead of at the next due time. Thread-safe. */
void      kiosk_delivery_poke          (KioskDelivery             *self);
/* Finishes the row being sent (a row is marked sent in the transaction that claimed it, so a
 * row interrupted here is sent again after the restart) and stops. */
void      kiosk_delivery_stop          (KioskDelivery             *self);

G_END_DECLS
