/* kiosk-transport.h: one HTTP exchange with the cloud API (docs/cloud-api.md, "Common to every
 * request"): the bearer token, TLS and pinning, timeouts, and a reply read up to 1 MiB. */
#pragma once

#include <curl/curl.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  long        status;
  GByteArray *body;
  gboolean    too_large;
  char       *retry_after;
  char       *date;
  char       *etag;
  char       *location;
  CURLcode    code;
  char        error[CURL_ERROR_SIZE];
  guint64     bytes_sent;        /* request headers and body, as libcurl counts them */
  guint64     bytes_received;    /* reply headers and body */
} KioskReply;

typedef struct _KioskTransport KioskTransport;

KioskTransport *kiosk_transport_new          (const char          *token_file,
                                              const char          *ca_file,
                                              const char          *pinned_public_key,
                                              gboolean             allow_http);
void            kiosk_transport_free         (KioskTransport      *self);
void            kiosk_transport_set_timeouts (KioskTransport      *self,
                                              guint                connect_timeout_ms,
                                              guint                low_speed_time_s,
                                              guint                total_timeout_ms);
gboolean        kiosk_transport_perform      (KioskTransport      *self,
                                              const char          *method,
                                              const char          *url,
                                              const char * const  *extra,
                                              const void          *body,
                                              gsize                body_length,
                                              KioskReply          *reply,
                                              GError             **error);
typedef void  (*KioskTransportObserver)      (const KioskReply    *reply,
                                              gpointer             user_data);
void            kiosk_transport_set_observer (KioskTransport      *self,
                                              KioskTransportObserver observer,
                                              gpointer             user_data);
void            kiosk_transport_cancel       (KioskTransport      *self);
void            kiosk_transport_close        (KioskTransport      *self);

void            kiosk_reply_clear            (KioskReply          *reply);
char           *kiosk_reply_describe_failure (const KioskReply    *reply);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskTransport, kiosk_transport_free)

G_END_DECLS
