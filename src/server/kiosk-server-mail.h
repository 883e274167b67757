/* kiosk-server-mail.h: the RFC 5322 / MIME messages the outbox sends (kiosk-server-delivery.c):
 * composed once, when the row is queued, so that every attempt sends the same bytes. */
#pragma once

#include <glib.h>

#include "kiosk-server-delivery.h"

G_BEGIN_DECLS

/* The addr-spec of @mailbox ("Name <local@domain>" or "local@domain"), for MAIL FROM. */
char   *kiosk_mail_addr_spec       (const char                *mailbox);

/* @subject as it goes in a header and in deliveries.subject: line breaks and other control
 * characters become spaces (they would end the header and start another), at most 250
 * characters. */
char   *kiosk_mail_clean_subject   (const char                *subject);

/* The whole message from @from (a mailbox, as [mail] from) to @to (an addr-spec), CRLF line
 * ends, no line longer than 998 bytes: the text quoted-printable, each attachment base64 in a
 * multipart/mixed. @message_id is the Message-ID's content, without the angle brackets;
 * @date_us the Date (UTC). */
GBytes *kiosk_mail_compose         (const char                *from,
                                    const char                *to,
                                    const char                *subject,
                                    const char                *text,
                                    const KioskMailAttachment *attachments,
                                    guint                      n_attachments,
                                    const char                *message_id,
                                    gint64                     date_us);

G_END_DECLS
