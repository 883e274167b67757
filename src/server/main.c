/* main.c: smiley-kiosk-server, the other end of the kiosk's cloud API. One binary: the HTTP
 * receiver (serve) and the operator's commands, all reading the same configuration file. */
#define G_LOG_DOMAIN "smiley-kiosk-server"

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "kiosk-dash-server.h"
#include "kiosk-server-admin.h"
#include "kiosk-server-alerts.h"
#include "kiosk-server-config.h"
#include "kiosk-server-db.h"
#include "kiosk-server-delivery.h"
#include "kiosk-server-http.h"
#include "kiosk-server-report.h"
#include "kiosk-server-surveys.h"

#define EXIT_USAGE 2
#define PRUNE_INTERVAL_S 3600

static const char usage_text[] =
  "usage: smiley-kiosk-server [--config FILE] [--database CONNINFO] COMMAND [ARGUMENTS]\n"
  "\n"
  "Commands:\n"
  "  serve [--listen ADDRESS:PORT] [--dashboard-listen ADDRESS:PORT]\n"
  "                                  receive kiosks' responses, surveys and heartbeats, and\n"
  "                                  serve the managers' dashboard\n"
  "  migrate                         bring the database's schema up to date\n"
  "  check-config                    check the configuration file and say what is wrong\n"
  "  group add NAME [--title TEXT] | group list\n"
  "  site add NAME --time-zone ZONE [--title TEXT] [--type TYPE] [--country CC]\n"
  "           [--group GROUP] [--hours DAY=HH:MM-HH:MM]… | site list\n"
  "  device add ID --site SITE | device list [--site SITE] | device retire ID\n"
  "  survey publish FILE --site SITE|--device ID|--default | survey list\n"
  "  export --site SITE [--from YYYY-MM-DD] [--to YYYY-MM-DD]   CSV on standard output\n"
  "  user add NAME --admin|--viewer [--sites A,B] [--groups G1,G2] [--language LL]\n"
  "  user sites NAME [--sites A,B] [--groups G1,G2] | user passwd NAME | user remove NAME\n"
  "  user list                       dashboard users; passwords are read from standard input\n"
  "  alert add NAME --kind KIND --site SITE|--group GROUP [--threshold N] [--window MIN]\n"
  "            [--min-responses N] [--email ADDRESS]… [--webhook URL [--webhook-format F]]\n"
  "  alert set NAME [options] | alert list | alert remove NAME | alert evaluate\n"
  "  alert history [--site SITE] [--open] | alert acknowledge ID [--comment TEXT]\n"
  "  report add NAME --site SITE|--group GROUP --daily|--weekly --email ADDRESS…\n"
  "           [--language LL] | report list | report remove NAME\n"
  "  report render --site SITE|--group GROUP --from YYYY-MM-DD [--to YYYY-MM-DD]\n"
  "           [--language LL] [--misuse] --output FILE.pdf|-   a report as PDF\n"
  "\n"
  "The configuration is " SYSCONF_SERVER_CONFIG_FILE " unless --config names another;\n"
  "see smiley-kiosk-server(8).\n";

typedef struct
{
  GMainLoop *loop;
  int        signal;
} ServeState;

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

static gboolean
prune_cb (gpointer data)
{
  KioskServerConfig *config = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *days = g_strdup_printf ("%u", config->heartbeat_days);
  const char *params[] = { days };
  PGconn *conn = kiosk_db_thread_conn (&error);
  g_autoptr(PGresult) result = NULL;

  /* The latest state of each device stays in device_health; only the history ages out. */
  if (conn != NULL)
    result = kiosk_db_exec (conn,
                            "DELETE FROM heartbeats "
                            "WHERE received_at < now() - make_interval (days => $1::int)",
                            1, params, &error);
  if (result == NULL)
    g_warning ("pruning old heartbeats: %s", error->message);
  return G_SOURCE_CONTINUE;
}

static PGconn *
connect_and_migrate (KioskServerConfig *config,
                     gboolean           verbose)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = kiosk_db_connect (config->conninfo, &error);
  guint version = 0, applied = 0;

  if (conn == NULL)
    {
      g_printerr ("smiley-kiosk-server: %s\n", error->message);
      return NULL;
    }
  if (!kiosk_db_migrate (conn, &version, &applied, &error) ||
      !kiosk_server_survey_ensure_demo (conn, &error))
    {
      g_printerr ("smiley-kiosk-server: %s\n", error->message);
      return NULL;
    }
  if (verbose)
    g_print ("Database schema at version %u (%u migration%s applied now).\n", version, applied,
             applied == 1 ? "" : "s");
  return g_steal_pointer (&conn);
}

static int
serve (KioskServerConfig *config,
       const char        *listen,
       const char        *dashboard_listen)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  KioskServerHttpOptions options = {
    .listener = {
      .listen = listen ? listen : config->listen,
      .threads = config->threads,
      .max_connections = config->max_connections,
      .connection_timeout_s = config->connection_timeout_s,
      .reuse_port = TRUE,
    },
    .tls_certificate = config->tls_certificate,
    .tls_key = config->tls_key,
  };
  /* SO_REUSEPORT for the dashboard too: several server processes on one host (a rolling
   * restart, a second one for load) share the configured port. Sessions and sign-in throttling
   * live in the database, so any process may answer. */
  KioskDashServerOptions dash_options = {
    .listener = {
      .listen = dashboard_listen ? dashboard_listen : config->dashboard_listen,
      .threads = config->dashboard_threads,
      .max_connections = 256,
      .connection_timeout_s = config->connection_timeout_s,
      .reuse_port = TRUE,
    },
    .secure_cookies = config->dashboard_secure_cookies,
  };
  KioskServerHttp *http;
  KioskDashServer *dash;
  KioskDelivery *delivery;
  KioskAlerts *alerts;
  guint prune_id;

  /* A closed standard output (a supervisor that stopped reading after the "listening on" line)
   * must not end the server: its threads log from their first moment on. */
  signal (SIGPIPE, SIG_IGN);

  conn = connect_and_migrate (config, FALSE);
  if (conn == NULL)
    return 1;
  g_clear_pointer (&conn, PQfinish);

  kiosk_db_set_conninfo (config->conninfo);
  http = kiosk_server_http_start (&options, &error);
  if (http == NULL)
    {
      g_printerr ("smiley-kiosk-server: %s\n", error->message);
      return 1;
    }

  dash = kiosk_dash_server_start (&dash_options, &error);
  if (dash == NULL)
    {
      g_printerr ("smiley-kiosk-server: %s\n", error->message);
      kiosk_server_http_stop (http);
      return 1;
    }

  /* Only once both listen: tests and scripts read the ports from these lines when they asked
   * for port 0, and a server that printed them is serving. */
  {
    const char *api_listen = options.listener.listen;
    const char *dash_listen = dash_options.listener.listen;
    g_autofree char *host = g_strndup (api_listen, strrchr (api_listen, ':') - api_listen);
    g_autofree char *dash_host = g_strndup (dash_listen, strrchr (dash_listen, ':') - dash_listen);

    g_print ("smiley-kiosk-server %s: listening on %s://%s:%u with %u threads\n",
             PACKAGE_VERSION, config->tls_certificate ? "https" : "http", host,
             kiosk_server_http_get_port (http), options.listener.threads);
    g_print ("smiley-kiosk-server %s: dashboard on http://%s:%u\n", PACKAGE_VERSION, dash_host,
             kiosk_dash_server_get_port (dash));
  }
  fflush (stdout);

  /* The outbox of alerts and reports: its own thread and database connection. */
  delivery = kiosk_delivery_start (config);
  /* The alert rules, evaluated as batches arrive and every [alerts] interval. */
  alerts = kiosk_alerts_start (config, delivery);

  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  prune_id = g_timeout_add_seconds (PRUNE_INTERVAL_S, prune_cb, config);
  prune_cb (config);
  g_main_loop_run (loop);

  /* Requests in flight finish (their transactions commit or roll back) before the exit. */
  g_message ("stopping");
  g_source_remove (prune_id);
  kiosk_alerts_stop (alerts);
  kiosk_delivery_stop (delivery);
  kiosk_dash_server_stop (dash);
  kiosk_server_http_stop (http);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(KioskServerConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = NULL;
  const char *config_path = NULL;
  const char *database = NULL;
  const char *listen = NULL;
  const char *dashboard_listen = NULL;
  const char *command;
  int i = 1;

  setlocale (LC_ALL, "");

  for (; i < argc && g_str_has_prefix (argv[i], "--"); i++)
    {
      if (strcmp (argv[i], "--help") == 0)
        {
          g_print ("%s", usage_text);
          return 0;
        }
      if (strcmp (argv[i], "--version") == 0)
        {
          g_print ("smiley-kiosk-server %s\n", PACKAGE_VERSION);
          return 0;
        }
      if ((strcmp (argv[i], "--config") == 0 || strcmp (argv[i], "--database") == 0) &&
          i + 1 < argc)
        {
          if (strcmp (argv[i], "--config") == 0)
            config_path = argv[++i];
          else
            database = argv[++i];
          continue;
        }
      g_printerr ("smiley-kiosk-server: unknown option %s\n\n%s", argv[i], usage_text);
      return EXIT_USAGE;
    }
  if (i >= argc)
    {
      g_printerr ("%s", usage_text);
      return EXIT_USAGE;
    }
  command = argv[i++];

  if (config_path == NULL && g_file_test (SYSCONF_SERVER_CONFIG_FILE, G_FILE_TEST_EXISTS))
    config_path = SYSCONF_SERVER_CONFIG_FILE;
  if (config_path != NULL)
    {
      config = kiosk_server_config_load (config_path, &error);
      if (config == NULL)
        {
          g_printerr ("%s\n", error->message);
          return EXIT_USAGE;
        }
    }
  else
    config = kiosk_server_config_new_default ();
  if (database != NULL)
    {
      g_free (config->conninfo);
      config->conninfo = g_strdup (database);
    }

  if (strcmp (command, "check-config") == 0)
    {
      g_print ("%s: the configuration is valid\n", config_path ? config_path : "(defaults)");
      return 0;
    }
  if (strcmp (command, "serve") == 0)
    {
      for (; i < argc; i++)
        {
          if (strcmp (argv[i], "--listen") == 0 && i + 1 < argc)
            listen = argv[++i];
          else if (g_str_has_prefix (argv[i], "--listen="))
            listen = argv[i] + strlen ("--listen=");
          else if (strcmp (argv[i], "--dashboard-listen") == 0 && i + 1 < argc)
            dashboard_listen = argv[++i];
          else if (g_str_has_prefix (argv[i], "--dashboard-listen="))
            dashboard_listen = argv[i] + strlen ("--dashboard-listen=");
          else
            {
              g_printerr ("usage: smiley-kiosk-server serve [--listen ADDRESS:PORT] "
                          "[--dashboard-listen ADDRESS:PORT]\n");
              return EXIT_USAGE;
            }
        }
      return serve (config, listen, dashboard_listen);
    }

  if (strcmp (command, "migrate") != 0 && strcmp (command, "group") != 0 &&
      strcmp (command, "site") != 0 && strcmp (command, "device") != 0 &&
      strcmp (command, "survey") != 0 && strcmp (command, "export") != 0 &&
      strcmp (command, "user") != 0 && strcmp (command, "report") != 0 &&
      strcmp (command, "alert") != 0)
    {
      g_printerr ("smiley-kiosk-server: unknown command “%s”\n\n%s", command, usage_text);
      return EXIT_USAGE;
    }

  conn = connect_and_migrate (config, strcmp (command, "migrate") == 0);
  if (conn == NULL)
    return 1;
  if (strcmp (command, "migrate") == 0)
    return 0;
  if (strcmp (command, "group") == 0)
    return kiosk_server_admin_group (conn, argc - i, argv + i);
  if (strcmp (command, "site") == 0)
    return kiosk_server_admin_site (conn, argc - i, argv + i);
  if (strcmp (command, "device") == 0)
    return kiosk_server_admin_device (conn, argc - i, argv + i);
  if (strcmp (command, "survey") == 0)
    return kiosk_server_admin_survey (conn, argc - i, argv + i);
  if (strcmp (command, "user") == 0)
    return kiosk_server_admin_user (conn, argc - i, argv + i);
  if (strcmp (command, "report") == 0)
    return kiosk_server_admin_report (conn, argc - i, argv + i);
  if (strcmp (command, "alert") == 0)
    return kiosk_server_admin_alert (conn, config, argc - i, argv + i);
  return kiosk_server_admin_export (conn, argc - i, argv + i);
}
