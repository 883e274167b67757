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
  char    *dashboard_public_url;      /* [dashboard] public-url: links in mails; NULL: none */
  guint    alerts_interval_s;         /* [alerts] interval */
  guint    alerts_retry_s;            /* [alerts] retry: the first retry's delay, then doubled */
  guint    alerts_give_up_h;          /* [alerts] give-up-after */
  char    *mail_relay;                /* [mail] relay: smtp://HOST[:PORT] or smtps://…; NULL: off */
  char    *mail_from;                 /* [mail] from */
  gboolean mail_starttls;             /* [mail] starttls: FALSE only for a relay on loopback */
  char    *mail_username;             /* [mail] username */
  char    *mail_password;             /* read from [mail] password-file */
} KioskServerConfig;

/* Whether @host (of a URL) names this machine: 127.0.0.0/8, ::1 or localhost. */
gboolean           kiosk_server_host_is_loopback   (const char  *host);
/* Whether @address is a plain addr-spec (local@domain) a relay takes in RCPT TO. */
gboolean           kiosk_server_email_is_valid     (const char  *address);
/* Whether @name is a name for a site, group, rule or schedule: 1 to 64 letters, digits, ".",
 * "_" or "-", starting with a letter or a digit. */
gboolean           kiosk_server_name_is_valid      (const char  *name);
/* Adds a line to @problems, the message of a definition's check (an alert rule's, a report
 * schedule's): one problem a line, naming its field first ("email: …"). */
void               kiosk_server_add_problem        (GString     *problems,
                                                    const char  *format,
                                                    ...) G_GNUC_PRINTF (2, 3);

GQuark             kiosk_server_config_error_quark (void);

KioskServerConfig *kiosk_server_config_new_default (void);
/* Reads @path; every problem of the file in one error, each with its line. */
KioskServerConfig *kiosk_server_config_load        (const char  *path,
                                                    GError     **error);
void               kiosk_server_config_free        (KioskServerConfig *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskServerConfig, kiosk_server_config_free)

G_END_DECLS
