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

static int
report_add (PGconn *conn,
            Args   *args)
{
  const char *name = g_ptr_array_index (args->positional, 1);
  gboolean daily = _kiosk_admin_arg (args, "daily") != NULL;
  gboolean weekly = _kiosk_admin_arg (args, "weekly") != NULL;
  GPtrArray *emails = g_hash_table_lookup (args->values, "email");
  g_autoptr(GString) array = g_string_new ("{");
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) result = NULL;
  const char *language;
  gboolean group = FALSE;
  int status = 1;
  gint64 scope;

  if (!_kiosk_admin_name_is_valid (name))
    {
      g_printerr ("smiley-kiosk-server: “%s” is not a valid report name (1 to 64 letters, "
                  "digits, “.”, “_” or “-”, starting with a letter or digit)\n", name);
      return EXIT_USAGE;
    }
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
  for (guint i = 0; i < emails->len; i++)
    {
      const char *address = g_ptr_array_index (emails, i);

      if (!kiosk_server_email_is_valid (address))
        {
          g_printerr ("smiley-kiosk-server: report add: --email “%s” is not an e-mail address "
                      "(local@domain, without a name or angle brackets)\n", address);
          return EXIT_USAGE;
        }
      /* Addresses hold no quote, backslash, comma or brace: a plain array literal. */
      g_string_append_printf (array, "%s\"%s\"", i > 0 ? "," : "", address);
    }
  g_string_append_c (array, '}');
  language = language_arg (args, "add");
  if (language == NULL)
    return EXIT_USAGE;
  scope = scope_id (conn, args, "add", &group, &status);
  if (scope == 0)
    return status;

  id = g_strdup_printf ("%" G_GINT64_FORMAT, scope);
  {
    const char *params[] = { name, daily ? "daily" : "weekly", group ? NULL : id,
                             group ? id : NULL, array->str, language };

    result = kiosk_db_exec (conn,
                            "INSERT INTO report_schedules (name, period, site_id, group_id, "
                            " emails, language) "
                            "VALUES ($1, $2, $3::bigint, $4::bigint, $5::text[], $6)",
                            G_N_ELEMENTS (params), params, &error);
  }
  if (result == NULL)
    {
      if (g_error_matches (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONFLICT))
        {
          g_printerr ("smiley-kiosk-server: there is a report “%s” already (see: report list)\n",
                      name);
          return 1;
        }
      return _kiosk_admin_fail (error);
    }
  g_print ("Report %s: %s, of %s %s, to %u address%s, in %s; sent after the closing time of "
           "the last site to close.\n", name, daily ? "daily" : "weekly (Monday to Sunday)",
           group ? "group" : "site", _kiosk_admin_arg (args, group ? "group" : "site"),
           emails->len, emails->len == 1 ? "" : "es", language);
  return 0;
}

static int
report_remove (PGconn *conn,
               Args   *args)
{
  const char *params[] = { g_ptr_array_index (args->positional, 1) };
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) result = kiosk_db_exec (conn, "DELETE FROM report_schedules WHERE name = $1",
                                              1, params, &error);

  if (result == NULL)
    return _kiosk_admin_fail (error);
  if (strcmp (PQcmdTuples (result), "1") != 0)
    {
      g_printerr ("smiley-kiosk-server: there is no report “%s” (see: report list)\n",
                  params[0]);
      return 1;
    }
  g_print ("Report %s removed (its mails already queued are still sent).\n", params[0]);
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
