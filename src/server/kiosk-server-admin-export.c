/* kiosk-server-admin-export.c: `export`, a site's responses as CSV, streamed row by row. */
#define G_LOG_DOMAIN "kiosk-server-admin"

#include <stdio.h>
#include <string.h>

#include "kiosk-csv.h"
#include "kiosk-server-admin-private.h"
#include "kiosk-server-db.h"

int
kiosk_server_admin_export (PGconn *conn,
                           int     argc,
                           char  **argv)
{
  static const char * const options[] = { "site", "from", "to", NULL };
  static const char * const columns[] = {
    "device", "seq", "id", "time_utc", "local_time", "survey_id", "survey_version", "face",
    "scale", "input", "language", "misuse", "misuse_rule", "follow_up", "selected", "outcome",
    "comment", "contact_name", "contact_email", "contact_phone", "clock_synced",
    "clock_corrected", "clock_repaired", "received_at", NULL
  };
  g_auto(Args) args = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(PGresult) site = NULL;
  const char *from, *to, *site_name;
  PGresult *row;
  guint64 rows = 0;
  gboolean ok = TRUE;

  if (!_kiosk_admin_parse_args (argc, argv, options, NULL, &args) || args.positional->len != 0)
    goto usage;
  site_name = _kiosk_admin_arg (&args, "site");
  from = _kiosk_admin_arg (&args, "from");
  to = _kiosk_admin_arg (&args, "to");
  if (site_name == NULL)
    goto usage;
  if ((from && !_kiosk_admin_parse_date (from, NULL)) ||
      (to && !_kiosk_admin_parse_date (to, NULL)))
    {
      g_printerr ("smiley-kiosk-server: export: --from and --to are days as YYYY-MM-DD, in the "
                  "site's time zone (both included)\n");
      return EXIT_USAGE;
    }

  {
    const char *params[] = { site_name };

    site = kiosk_db_exec (conn, "SELECT id FROM sites WHERE name = $1", 1, params, &error);
  }
  if (site == NULL)
    return _kiosk_admin_fail (error);
  if (PQntuples (site) == 0)
    {
      g_printerr ("smiley-kiosk-server: there is no site “%s” (see: site list)\n", site_name);
      return 1;
    }

  {
    const char *params[] = { PQgetvalue (site, 0, 0), from, to };

    /* One row at a time: a year of a busy site does not have to fit in memory. */
    if (!PQsendQueryParams (conn,
                            "SELECT device_id, seq, event_id, "
                            " to_char (time, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
                            " to_char (local_time, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS'), "
                            " survey_id, survey_version, face, scale, input, language, misuse, "
                            " misuse_rule, follow_up_id, "
                            " (SELECT string_agg (o, ' ') FROM jsonb_array_elements_text "
                            "   (follow_up_selected) AS o), "
                            " follow_up_outcome, comment, contact_name, contact_email, "
                            " contact_phone, clock_synced, clock_corrected, clock_repaired, "
                            " to_char (received_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
                            "FROM responses WHERE site_id = $1 "
                            " AND ($2::date IS NULL OR local_time >= $2::date) "
                            " AND ($3::date IS NULL OR local_time < $3::date + 1) "
                            "ORDER BY local_time, device_id, seq",
                            3, NULL, params, NULL, NULL, 0) ||
        !PQsetSingleRowMode (conn))
      {
        g_printerr ("smiley-kiosk-server: export failed: %s", PQerrorMessage (conn));
        return 1;
      }
  }

  for (guint i = 0; columns[i]; i++)
    kiosk_csv_field (line, columns[i]);
  g_print ("%s\r\n", line->str);

  while ((row = PQgetResult (conn)) != NULL)
    {
      ExecStatusType status = PQresultStatus (row);

      if (status == PGRES_SINGLE_TUPLE)
        {
          g_string_truncate (line, 0);
          for (int c = 0; c < PQnfields (row); c++)
            {
              const char *value = PQgetisnull (row, 0, c) ? NULL : PQgetvalue (row, 0, c);

              if (value != NULL && PQftype (row, c) == 16 /* bool */)
                value = strcmp (value, "t") == 0 ? "true" : "false";
              /* The first field may be empty, so a lone NULL must still count as a field. */
              if (c == 0 && value == NULL)
                value = "";
              kiosk_csv_field (line, value);
            }
          g_print ("%s\r\n", line->str);
          rows++;
        }
      else if (status != PGRES_TUPLES_OK)
        {
          g_printerr ("smiley-kiosk-server: export failed after %" G_GUINT64_FORMAT " rows: %s",
                      rows, PQresultErrorMessage (row));
          ok = FALSE;
        }
      PQclear (row);
    }
  if (fflush (stdout) != 0)
    {
      g_printerr ("smiley-kiosk-server: export: cannot write the output\n");
      return 1;
    }
  g_printerr ("smiley-kiosk-server: exported %" G_GUINT64_FORMAT " responses of site %s\n", rows,
              site_name);
  return ok ? 0 : 1;

usage:
  g_printerr ("usage: smiley-kiosk-server export --site SITE [--from YYYY-MM-DD] "
              "[--to YYYY-MM-DD] > responses.csv\n");
  return EXIT_USAGE;
}

