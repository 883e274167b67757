/* kiosk-server-http.h: the cloud API's three endpoints (docs/cloud-api.md) on libmicrohttpd. */
#pragma once

#include <glib.h>
#include <microhttpd.h>
#include <sys/socket.h>

G_BEGIN_DECLS

typedef struct _KioskServerHttp KioskServerHttp;

/* Where and how a libmicrohttpd listener serves: the kiosks' API and the dashboard each have
 * one. */
typedef struct
{
  const char *listen;           /* "127.0.0.1:8080", "[::]:443"; port 0 picks a free one */
  guint       threads;          /* libmicrohttpd's thread pool; each thread has its own
                                 * database connection */
  guint       max_connections;
  guint       connection_timeout_s;
  gboolean    reuse_port;       /* SO_REUSEPORT: several processes on one port */
} KioskServerListenOptions;

typedef struct
{
  KioskServerListenOptions listener;
  const char              *tls_certificate;  /* PEM files; both or neither */
  const char              *tls_key;
} KioskServerHttpOptions;

KioskServerHttp *kiosk_server_http_start    (const KioskServerHttpOptions *options,
                                             GError                      **error);
guint16          kiosk_server_http_get_port (KioskServerHttp              *self);
void             kiosk_server_http_stop     (KioskServerHttp              *self);
/* "ADDRESS:PORT" ("127.0.0.1:8080", "[::]:443", ":8080", "localhost:0") as a socket address:
 * also the dashboard's listener's. @out_mhd_flags gets the libmicrohttpd flags the address needs:
 * MHD_USE_IPv6 for an IPv6 address, MHD_USE_DUAL_STACK for "[::]" (any address, IPv4 too). */
gboolean         kiosk_server_parse_listen  (const char                   *listen,
                                             struct sockaddr_storage      *out,
                                             gsize                        *out_length,
                                             unsigned int                 *out_mhd_flags,
                                             GError                      **error);

/* A libmicrohttpd daemon as @options says, with the server's common settings (a thread pool on
 * epoll, its own logger); @extra_options, ended by MHD_OPTION_END, adds the listener's own.
 * @what names it in messages ("dashboard"; "" for the kiosks' API). */
struct MHD_Daemon *kiosk_server_listen      (const KioskServerListenOptions *options,
                                             const char                     *what,
                                             unsigned int                    extra_flags,
                                             MHD_AccessHandlerCallback       handler,
                                             void                           *handler_data,
                                             MHD_RequestCompletedCallback    completed,
                                             struct MHD_OptionItem          *extra_options,
                                             guint16                        *out_port,
                                             GError                        **error);

/* Request parsing that needs no network: routes and limits, shared with the fuzz harness. */
typedef enum
{
  KIOSK_ROUTE_NONE,
  KIOSK_ROUTE_EVENTS,
  KIOSK_ROUTE_SURVEY,
  KIOSK_ROUTE_HEARTBEAT,
  KIOSK_ROUTE_HEALTH,
} KioskRoute;

/* The route of @path; for the device routes @out_device_id gets the unescaped, valid device id
 * (else the route is KIOSK_ROUTE_NONE). */
KioskRoute       kiosk_server_route         (const char                   *path,
                                             char                        **out_device_id);
/* Whether @value is the media type @expected, parameters (";charset=utf-8") allowed. */
gboolean         kiosk_media_type_is        (const char                   *value,
                                             const char                   *expected);
/* Whether an If-None-Match header names @etag ("*", lists, weak tags). */
gboolean         kiosk_etag_matches         (const char                   *if_none_match,
                                             const char                   *etag);

G_END_DECLS
