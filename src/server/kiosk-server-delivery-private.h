/* kiosk-server-delivery-private.h: the outbox's thread (kiosk-server-delivery.c) and its
 * senders (kiosk-server-delivery-send.c). */
#pragma once

#include "kiosk-server-delivery.h"

G_BEGIN_DECLS

struct _KioskDelivery
{
  /* borrowed: the configuration outlives the thread */
  const KioskServerConfig *config;

  /* owned */
  char    *from_address;
  GThread *thread;
  int      wake[2];     /* a pipe: poke and stop write a byte, the thread polls the other end */
  gint     stopping;    /* atomic */
};

/* How sending a row went. */
typedef struct
{
  gboolean  sent;
  gboolean  permanent;  /* no retry can succeed: given up at once */
  char     *error;
} KioskDeliveryOutcome;

/* A webhook's URL with its secret left out, for logs and last_error. */
char *_kiosk_delivery_redact_url   (const char           *url);
/* Sends @payload (a whole message) to @target by SMTP through the [mail] relay. */
void  _kiosk_delivery_send_mail    (KioskDelivery        *self,
                                    const char           *target,
                                    const char           *payload,
                                    gsize                 length,
                                    KioskDeliveryOutcome *outcome);
/* POSTs @payload to @url with the row's @id as its Idempotency-Key. */
void  _kiosk_delivery_send_webhook (const char           *id,
                                    const char           *url,
                                    const char           *content_type,
                                    const char           *payload,
                                    gsize                 length,
                                    KioskDeliveryOutcome *outcome);

G_END_DECLS
