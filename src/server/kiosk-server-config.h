/* kiosk-server-config.h: /etc/smiley-kiosk/server.conf, one file for the whole server. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KIOSK_SERVER_CONFIG_ERROR (kiosk_server_config_error_quark ())

typedef enum
{
  KIOSK_SERVER_CONFIG_ERROR_INVALID,   /* one line per problem: "file:line: key: what is wrong" */
} KioskServerConfigError;

typedef struct
{
  char  *path;                  /* NULL: built-in defaults */
  char  *conninfo;              /* [database] conninfo, a libpq connection string */
  char  *listen;                /* [http] listen */
  guint  threads;               /* [http] threads */
  guint  max_connections;       /* [http] max-connections */
  guint  connection_timeout_s;  /* [http] connection-timeout */
  char  *tls_certificate;       /* [http] tls-certificate */
  char  *tls_key;               /* [http] tls-key */
  guint  heartbeat_days;        /* [retention] heartbeat-days */
  char    *dashboard_listen;          /* [dashboard] listen */
  guint    dashboard_threads;         /* [dashboard] threads */
  gboolean dashboard_secure_cookies;  /* [dashboard] secure-cookies */
} KioskServerConfig;

GQuark             kiosk_server_config_error_quark (void);

KioskServerConfig *kiosk_server_config_new_default (void);
/* Reads @path; every problem of the file in one error, each with its line. */
KioskServerConfig *kiosk_server_config_load        (const char  *path,
                                                    GError     **error);
void               kiosk_server_config_free        (KioskServerConfig *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskServerConfig, kiosk_server_config_free)

G_END_DECLS
