/* kiosk-server-admin-report.c: `report`, the scheduled reports (report_schedules, migration
 * 006) and a report rendered on demand into a PDF file. */
#define G_LOG_DOMAIN "kiosk-server-admin"

#include <stdio.h>
#include <string.h>

#include "kiosk-dash-server.h"
#include "kiosk-server-admin-private.h"
#include "kiosk-server-config.h"
#include "kiosk-server-db.h"
#include "kiosk-server-report.h"

static const char usage_text[] =
  "usage: smiley-kiosk-server report add NAME (--site SITE | --group GROUP) "
  "(--daily | --weekly)\n"
  "                                  --email ADDRESS [--email ADDRESS]… [--language LL]\n"
  "       smiley-kiosk-server report list\n"
  "       smiley-kiosk-server report remove NAME\n"
  "       smiley-kiosk-server report render (--site SITE | --group GROUP) --from YYYY-MM-DD\n"
  "                                  [--to YYYY-MM-DD] [--language LL] [--misuse]\n"
  "                                  --output FILE.pdf|-\n";

/* The id of the site or group named by --site or --group (exactly one of them): 0 with the
 * message printed and *@out_status set when it is missing, both (EXIT_USAGE), or unknown (1). */
static gint64
scope_id (PGconn     *conn,
          Args       *args,
          const char *command,
          gboolean   *out_group,
          int        *out_status)
{
  const char *site = _kiosk_admin_arg (args, "site");
  const char *group = _kiosk_admin_arg (args, "group");
  const char *params[1];
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) result = NULL;

  if ((site == NULL) == (group == NULL))
    {
      g_printerr ("smiley-kiosk-server: report %s: name one --site or one --group\n", command);
      *out_status = EXIT_USAGE;
      return 0;
    }
  params[0] = site ? site : group;
  result = kiosk_db_exec (conn, site ? "SELECT id FROM sites WHERE name = $1"
                                     : "SELECT id FROM site_groups WHERE name = $1",
                          1, params, &error);
  *out_status = 1;
  if (result == NULL)
    {
      g_printerr ("smiley-kiosk-server: %s\n", error->message);
      return 0;
    }
  if (PQntuples (result) == 0)
    {
      g_printerr (site ? "smiley-kiosk-server: there is no site “%s” (see: site list)\n"
                       : "smiley-kiosk-server: there is no group “%s” (see: group list)\n",
                  params[0]);
      return 0;
    }
  *out_group = group != NULL;
  return g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
}

/* The canonical code of --language, "en" without it; NULL with the message printed. */
static const char *
language_arg (Args       *args,
              const char *command)
{
  const char *language = _kiosk_admin_arg (args, "language");

  if (language == NULL)
    return "en";
  if (kiosk_dash_language_lookup (language) == NULL)
    {
      g_printerr ("smiley-kiosk-server: report %s: --language %s: reports are written in en and "
                  "%s\n", command, language, KIOSK_DASH_LINGUAS);
      return NULL;
    }
  return kiosk_dash_language_lookup (language);
}

/* What went wrong in kiosk_report_schedule_save and _remove: the definition is a usage error,
 * anything else fails the command. */
static int
schedule_fail (const char *command,
               GError     *error)
{
  if (error->domain != KIOSK_REPORT_ERROR)
    return _kiosk_admin_fail (error);
  if (error->code == KIOSK_REPORT_ERROR_INVALID)
    {
      g_auto(GStrv) lines = g_strsplit (error->message, "\n", -1);

      for (guint i = 0; lines[i]; i++)
        g_printerr ("smiley-kiosk-server: report %s: %s\n", command, lines[i]);
      return EXIT_USAGE;
    }
  g_printerr ("smiley-kiosk-server: report %s: %s\n", command, error->message);
  return 1;
}

static int
report_add (PGconn *conn,
            Args   *args)
{
  gboolean daily = _kiosk_admin_arg (args, "daily") != NULL;
  gboolean weekly = _kiosk_admin_arg (args, "weekly") != NULL;
  GPtrArray *emails = g_hash_table_lookup (args->values, "email");
  g_autoptr(GError) error = NULL;
  KioskReportSchedule schedule = {
    .name = g_ptr_array_index (args->positional, 1),
    .period = daily ? "daily" : "weekly",
    .site = _kiosk_admin_arg (args, "site"),
    .group = _kiosk_admin_arg (args, "group"),
    .emails = emails,
    .enabled = TRUE,
  };

  if (daily == weekly)
    {
      g_printerr ("smiley-kiosk-server: report add: give one of --daily and --weekly\n");
      return EXIT_USAGE;
    }
  if (emails == NULL)
    {
      g_printerr ("smiley-kiosk-server: report add: give at least one --email ADDRESS\n");
      return EXIT_USAGE;
    }
  schedule.language = language_arg (args, "add");
  if (schedule.language == NULL)
    return EXIT_USAGE;
  if (!kiosk_report_schedule_save (conn, &schedule, &error))
    return schedule_fail ("add", error);
  g_print ("Report %s: %s, of %s %s, to %u address%s, in %s; sent after the closing time of "
           "the last site to close.\n", schedule.name,
           daily ? "daily" : "weekly (Monday to Sunday)", schedule.group ? "group" : "site",
           schedule.group ? schedule.group : schedule.site, emails->len,
           emails->len == 1 ? "" : "es", schedule.language);
  return 0;
}

static int
report_remove (PGconn *conn,
               Args   *args)
{
  const char *name = g_ptr_array_index (args->positional, 1);
  g_autoptr(GError) error = NULL;

  if (!kiosk_report_schedule_remove (conn, name, &error))
    return schedule_fail ("remove", error);
  g_print ("Report %s removed (its mails already queued are still sent).\n", name);
  return 0;
}

static gboolean
write_all (FILE         *file,
           GBytes       *bytes)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  return fwrite (data, 1, size, file) == size && fflush (file) == 0;
}

static int
report_render (PGconn *conn,
               Args   *args)
{
  const char *from = _kiosk_admin_arg (args, "from");
  const char *to = _kiosk_admin_arg (args, "to");
  const char *output = _kiosk_admin_arg (args, "output");
  KioskReportRequest request = { 0 };
  g_autoptr(GBytes) pdf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  gboolean group = FALSE;
  int status = 1;
  gint64 scope;

  if (from == NULL || output == NULL)
    {
      g_printerr ("smiley-kiosk-server: report render: --from and --output are needed\n");
      return EXIT_USAGE;
    }
  if (!_kiosk_admin_parse_date (from, &request.from))
    {
      g_printerr ("smiley-kiosk-server: report render: --from “%s” is not a day as YYYY-MM-DD\n",
                  from);
      return EXIT_USAGE;
    }
  request.to = request.from;
  if (to != NULL && !_kiosk_admin_parse_date (to, &request.to))
    {
      g_printerr ("smiley-kiosk-server: report render: --to “%s” is not a day as YYYY-MM-DD\n",
                  to);
      return EXIT_USAGE;
    }
  if (g_date_compare (&request.to, &request.from) < 0)
    {
      g_printerr ("smiley-kiosk-server: report render: --to %s is before --from %s\n", to, from);
      return EXIT_USAGE;
    }
  if (g_date_days_between (&request.from, &request.to) >= KIOSK_DASH_MAX_DAYS)
    {
      g_printerr ("smiley-kiosk-server: report render: %s to %s is longer than %d days\n", from,
                  to, KIOSK_DASH_MAX_DAYS);
      return EXIT_USAGE;
    }
  request.language = language_arg (args, "render");
  if (request.language == NULL)
    return EXIT_USAGE;
  request.include_misuse = _kiosk_admin_arg (args, "misuse") != NULL;
  scope = scope_id (conn, args, "render", &group, &status);
  if (scope == 0)
    return status;
  if (group)
    request.group_id = scope;
  else
    request.site_id = scope;

  pdf = kiosk_report_render_pdf (conn, &request, &title, &error);
  if (pdf == NULL)
    return _kiosk_admin_fail (error);
  if (strcmp (output, "-") == 0)
    {
      if (!write_all (stdout, pdf))
        {
          g_printerr ("smiley-kiosk-server: report render: cannot write to standard output\n");
          return 1;
        }
    }
  else if (!g_file_set_contents (output, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf),
                                 &error))
    {
      g_printerr ("smiley-kiosk-server: report render: %s\n", error->message);
      return 1;
    }
  g_printerr ("smiley-kiosk-server: %s: %s (%zu bytes)\n",
              strcmp (output, "-") == 0 ? "standard output" : output, title,
              g_bytes_get_size (pdf));
  return 0;
}

int
kiosk_server_admin_report (PGconn *conn,
                           int     argc,
                           char  **argv)
{
  static const char * const options[] = {
    "site", "group", "email", "language", "from", "to", "output", NULL
  };
  static const char * const flags[] = { "daily", "weekly", "misuse", NULL };
  g_auto(Args) args = { 0 };
  const char *sub;

  if (!_kiosk_admin_parse_args (argc, argv, options, flags, &args) || args.positional->len == 0)
    goto usage;
  sub = g_ptr_array_index (args.positional, 0);
  if (strcmp (sub, "add") == 0 && args.positional->len == 2)
    return report_add (conn, &args);
  if (strcmp (sub, "remove") == 0 && args.positional->len == 2)
    return report_remove (conn, &args);
  if (strcmp (sub, "render") == 0 && args.positional->len == 1)
    return report_render (conn, &args);
  if (strcmp (sub, "list") == 0 && args.positional->len == 1)
    return _kiosk_admin_list (conn,
                              "SELECT r.name, r.period, coalesce (s.name, g.name) AS scope, "
                              " CASE WHEN s.id IS NULL THEN 'group' ELSE 'site' END AS kind, "
                              " array_to_string (r.emails, ' ') AS emails, r.language, "
                              " CASE WHEN r.enabled THEN 'yes' ELSE 'no' END AS enabled, "
                              " (SELECT max (period_end)::text FROM report_runs "
                              "  WHERE schedule_id = r.id) AS last_sent "
                              "FROM report_schedules r LEFT JOIN sites s ON s.id = r.site_id "
                              " LEFT JOIN site_groups g ON g.id = r.group_id ORDER BY r.name",
                              0, NULL);

usage:
  g_printerr ("%s", usage_text);
  return EXIT_USAGE;
}
