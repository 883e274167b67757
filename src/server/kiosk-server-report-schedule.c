/* kiosk-server-report-schedule.c: the daily and weekly reports, mailed once the last site of a
 * schedule has closed for the period's last day, each site on its own clock and opening hours.
 *
 * A daily report covers the local day that has just ended for the sites: it goes out at the
 * end of the last opening range of that day (a site open around the clock, or without hours,
 * closes at local midnight, so its report goes just after the day ends). A day on which every
 * site of the schedule is closed is not reported. A weekly report covers Monday to Sunday and
 * goes after the closing of the last day of that week on which a site was open.
 *
 * Each period is sent once: its report_runs row is inserted (ON CONFLICT DO NOTHING) in the
 * transaction that queues the mails, so two servers ticking at once, or a tick after a crash,
 * send nothing twice. A period whose sending time is more than KIOSK_REPORT_CATCH_UP_US ago is
 * never sent: a server that was down for a month sends the last day or two, not thirty
 * reports at once. */
#define G_LOG_DOMAIN "kiosk-server-report"

#include <string.h>

#include "kiosk-dash-data.h"
#include "kiosk-dash-server.h"
#include "kiosk-server-db.h"
#include "kiosk-server-delivery.h"
#include "kiosk-server-report.h"

/* Translation in the schedule's language (xgettext keyword R_). */
#define R_(msgid) kiosk_dash_translate (schedule->language, (msgid))

typedef struct
{
  gint64      id;
  const char *name;
  gboolean    weekly;
  gint64      site_id;
  gint64      group_id;
  const char *scope_name;   /* the site's or the group's */
  GStrv       emails;
  const char *language;
  GPtrArray  *sites;        /* KioskDashSite, borrowed */
} Schedule;

static GDateTime *
local_midnight (const KioskDashSite *site,
                const GDate         *date)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (site->time_zone);

  if (zone == NULL)
    zone = g_time_zone_new_utc ();
  return g_date_time_new (zone, g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date), 0, 0, 0);
}

gint64
kiosk_report_site_closing (const KioskDashSite *site,
                           const GDate         *date)
{
  GDate next = *date;
  g_autoptr(GDateTime) start = local_midnight (site, date);
  g_autoptr(GDateTime) end = NULL;
  gint64 start_us, end_us, t, closing = 0;
  gboolean open;

  g_date_add_days (&next, 1);
  end = local_midnight (site, &next);
  start_us = g_date_time_to_unix (start) * G_USEC_PER_SEC;
  end_us = g_date_time_to_unix (end) * G_USEC_PER_SEC;
  if (!kiosk_hours_is_limited (site->hours))
    return end_us;

  /* From change to change of the day; open at midnight means open until the day ends. */
  t = start_us;
  open = kiosk_hours_is_open (site->hours, t);
  for (;;)
    {
      gint64 change = kiosk_hours_next_change (site->hours, t);

      if (open)
        {
          if (change >= end_us)
            return end_us;
          closing = change;
        }
      else if (change >= end_us)
        return closing;
      open = !open;
      t = change;
    }
}

/* When the period @from … @to of @schedule is over: the latest closing, over its sites, of
 * each one's last open day of the period; 0 when every site was closed throughout. */
static gint64
period_due (const Schedule *schedule,
            const GDate    *from,
            const GDate    *to)
{
  gint64 due = 0;

  for (guint s = 0; s < schedule->sites->len; s++)
    {
      const KioskDashSite *site = g_ptr_array_index (schedule->sites, s);
      GDate day = *to;

      while (g_date_compare (&day, from) >= 0)
        {
          gint64 closing = kiosk_report_site_closing (site, &day);

          if (closing > 0)
            {
              due = MAX (due, closing);
              break;
            }
          g_date_subtract_days (&day, 1);
        }
    }
  return due;
}

static char *
mail_text (const Schedule          *schedule,
           const KioskServerConfig *config,
           const char              *title,
           const GDate             *from,
           const GDate             *to)
{
  g_autoptr(GString) text = g_string_new (NULL);
  char first[16], last[16];

  g_date_strftime (first, sizeof first, "%Y-%m-%d", from);
  g_date_strftime (last, sizeof last, "%Y-%m-%d", to);
  g_string_append_printf (text, schedule->weekly
                          /* Translators: the first line of a report's mail; %s: "Site — dates" */
                          ? R_("The weekly report of %s is attached as a PDF.")
                          : R_("The daily report of %s is attached as a PDF."), title);
  g_string_append (text, "\n\n");
  if (config->dashboard_public_url != NULL)
    {
      g_autofree char *base = g_strdup (config->dashboard_public_url);
      g_autofree char *name = g_uri_escape_string (schedule->scope_name, NULL, FALSE);

      while (g_str_has_suffix (base, "/"))
        base[strlen (base) - 1] = '\0';
      g_string_append (text, R_("The same period on the dashboard:"));
      g_string_append_c (text, '\n');
      if (schedule->group_id == 0)
        g_string_append_printf (text, "%s/sites/%s?from=%s&to=%s\n\n", base, name, first, last);
      else
        g_string_append_printf (text, "%s/compare?from=%s&to=%s\n\n", base, first, last);
    }
  /* Translators: the end of a report's mail; %s is the schedule's name */
  g_string_append_printf (text, R_("You receive this report because you are on the report "
                                   "schedule “%s” of smiley-kiosk-server. An administrator "
                                   "can end it with: smiley-kiosk-server report remove %s"),
                          schedule->name, schedule->name);
  g_string_append_c (text, '\n');
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Records the run of @from … @to and queues its mails, in one transaction; FALSE with
 * @error when the database failed; *@out_sent tells whether this call sent it. */
static gboolean
send_period (PGconn                  *conn,
             const KioskServerConfig *config,
             const Schedule          *schedule,
             const GDate             *from,
             const GDate             *to,
             gboolean                *out_sent,
             GError                 **error)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, schedule->id);
  char first[16], last[16];
  const char *params[] = { id, first, last };
  KioskReportRequest request = {
    .site_id = schedule->site_id,
    .group_id = schedule->group_id,
    .from = *from,
    .to = *to,
    .language = schedule->language,
  };
  g_autoptr(PGresult) run = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;
  g_autofree char *file_name = NULL;
  KioskMailAttachment attachment = { NULL, "application/pdf", NULL };

  *out_sent = FALSE;
  g_date_strftime (first, sizeof first, "%Y-%m-%d", from);
  g_date_strftime (last, sizeof last, "%Y-%m-%d", to);
  if (!kiosk_db_run (conn, "BEGIN", error))
    return FALSE;
  /* The row decides: another server, or this one before a crash, may have sent it. */
  run = kiosk_db_exec (conn,
                       "INSERT INTO report_runs (schedule_id, period_start, period_end) "
                       "VALUES ($1::bigint, $2::date, $3::date) "
                       "ON CONFLICT DO NOTHING RETURNING 1",
                       G_N_ELEMENTS (params), params, error);
  if (run == NULL)
    goto fail;
  if (PQntuples (run) == 0)
    return kiosk_db_run (conn, "ROLLBACK", error);

  pdf = kiosk_report_render_pdf (conn, &request, &title, error);
  if (pdf == NULL)
    goto fail;
  text = mail_text (schedule, config, title, from, to);
  file_name = g_strdup_printf ("report-%s-%s.pdf", schedule->name, first);
  attachment.file_name = file_name;
  attachment.data = pdf;
  if (!kiosk_delivery_queue_mail (conn, config, (const char * const *) schedule->emails, title,
                                  text, &attachment, 1, 0, schedule->id, error) ||
      !kiosk_db_run (conn, "COMMIT", error))
    goto fail;
  *out_sent = TRUE;
  return TRUE;

fail:
  PQclear (PQexec (conn, "ROLLBACK"));
  return FALSE;
}

/* The periods that may be due at @now_us, oldest first: with the catch-up limit and time zones
 * from UTC−12 to UTC+14, the local days from three before UTC's today to its tomorrow, and the
 * weeks that hold them. */
static GArray *
candidate_periods (const Schedule *schedule,
                   gint64          now_us)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (now_us / G_USEC_PER_SEC);
  GArray *periods = g_array_new (FALSE, TRUE, sizeof (GDate));
  GDate today;

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, (GDateDay) g_date_time_get_day_of_month (now),
                  (GDateMonth) g_date_time_get_month (now),
                  (GDateYear) g_date_time_get_year (now));
  if (!schedule->weekly)
    for (int offset = -3; offset <= 1; offset++)
      {
        GDate day = today;

        if (offset < 0)
          g_date_subtract_days (&day, (guint) -offset);
        else
          g_date_add_days (&day, (guint) offset);
        g_array_append_val (periods, day);
        g_array_append_val (periods, day);
      }
  else
    {
      GDate monday = today;

      /* Mondays of the week of UTC's tomorrow and of the two weeks before it. */
      g_date_add_days (&monday, 1);
      g_date_subtract_days (&monday, g_date_get_weekday (&monday) - G_DATE_MONDAY);
      g_date_subtract_days (&monday, 14);
      for (guint w = 0; w < 3; w++)
        {
          GDate sunday = monday;

          g_date_add_days (&sunday, 6);
          g_array_append_val (periods, monday);
          g_array_append_val (periods, sunday);
          g_date_add_days (&monday, 7);
        }
    }
  return periods;
}

static gboolean
tick_schedule (PGconn                  *conn,
               const KioskServerConfig *config,
               const Schedule          *schedule,
               gint64                   now_us,
               guint                   *queued,
               GError                 **error)
{
  g_autoptr(GArray) periods = candidate_periods (schedule, now_us);

  for (guint p = 0; p + 1 < periods->len; p += 2)
    {
      const GDate *from = &g_array_index (periods, GDate, p);
      const GDate *to = &g_array_index (periods, GDate, p + 1);
      gint64 due = period_due (schedule, from, to);
      gboolean sent = FALSE;

      if (due == 0 || due > now_us || now_us - due > KIOSK_REPORT_CATCH_UP_US)
        continue;
      if (!send_period (conn, config, schedule, from, to, &sent, error))
        return FALSE;
      if (sent)
        {
          char first[16];

          g_date_strftime (first, sizeof first, "%Y-%m-%d", from);
          g_message ("report %s: queued the %s report of %s to %u address%s", schedule->name,
                     schedule->weekly ? "weekly" : "daily", first,
                     g_strv_length (schedule->emails),
                     g_strv_length (schedule->emails) == 1 ? "" : "es");
          (*queued)++;
        }
    }
  return TRUE;
}

/* "{a@example.org,\"b c\"@example.org}" → its elements. Addresses were checked when the
 * schedule was added: none holds a quote or a comma. */
static GStrv
parse_text_array (const char *literal)
{
  g_autofree char *inner = NULL;
  GStrv items;
  gsize length = strlen (literal);

  if (length < 2)
    return g_new0 (char *, 1);
  inner = g_strndup (literal + 1, length - 2);
  items = g_strsplit (inner, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = items[i];
      gsize n = strlen (item);

      if (n >= 2 && item[0] == '"' && item[n - 1] == '"')
        {
          memmove (item, item + 1, n - 2);
          item[n - 2] = '\0';
        }
    }
  return items;
}

gboolean
kiosk_report_schedule_tick (PGconn                   *conn,
                            const KioskServerConfig  *config,
                            gint64                    now_us,
                            guint                    *out_queued,
                            GError                  **error)
{
  KioskDashUser admin = { 0, (char *) "report", TRUE, NULL, NULL };
  g_autoptr(PGresult) schedules = NULL;
  g_autoptr(GPtrArray) sites = NULL;
  g_autoptr(GError) first_error = NULL;
  guint queued = 0;

  schedules = kiosk_db_exec (conn,
                             "SELECT r.id, r.name, r.period, coalesce (r.site_id, 0),"
                             " coalesce (r.group_id, 0), coalesce (s.name, g.name),"
                             " r.emails::text, r.language "
                             "FROM report_schedules r LEFT JOIN sites s ON s.id = r.site_id"
                             " LEFT JOIN site_groups g ON g.id = r.group_id "
                             "WHERE r.enabled ORDER BY r.id",
                             0, NULL, error);
  if (schedules == NULL)
    return FALSE;
  if (PQntuples (schedules) > 0)
    sites = kiosk_dash_data_sites (conn, &admin, error);
  if (PQntuples (schedules) > 0 && sites == NULL)
    return FALSE;

  for (int r = 0; r < PQntuples (schedules); r++)
    {
      g_auto(GStrv) emails = parse_text_array (PQgetvalue (schedules, r, 6));
      g_autoptr(GPtrArray) scope = g_ptr_array_new ();
      g_autoptr(GError) local_error = NULL;
      Schedule schedule = {
        .id = g_ascii_strtoll (PQgetvalue (schedules, r, 0), NULL, 10),
        .name = PQgetvalue (schedules, r, 1),
        .weekly = strcmp (PQgetvalue (schedules, r, 2), "weekly") == 0,
        .site_id = g_ascii_strtoll (PQgetvalue (schedules, r, 3), NULL, 10),
        .group_id = g_ascii_strtoll (PQgetvalue (schedules, r, 4), NULL, 10),
        .scope_name = PQgetvalue (schedules, r, 5),
        .emails = emails,
        .language = kiosk_dash_language_lookup (PQgetvalue (schedules, r, 7)),
        .sites = scope,
      };

      if (schedule.language == NULL)
        schedule.language = "en";
      for (guint s = 0; s < sites->len; s++)
        {
          KioskDashSite *site = g_ptr_array_index (sites, s);

          if ((schedule.site_id != 0 && site->id == schedule.site_id) ||
              (schedule.group_id != 0 && site->group_id == schedule.group_id))
            g_ptr_array_add (scope, site);
        }
      /* One schedule's failure (a report that cannot be drawn) does not hold up the others;
       * the first error is returned after all were tried. */
      if (!tick_schedule (conn, config, &schedule, now_us, &queued, &local_error))
        {
          g_warning ("report %s: %s", schedule.name, local_error->message);
          if (first_error == NULL)
            first_error = g_steal_pointer (&local_error);
        }
    }
  if (out_queued != NULL)
    *out_queued = queued;
  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  return TRUE;
}

/* Adding and removing schedules: the dashboard's form and `report add` */

G_DEFINE_QUARK (kiosk-report-error-quark, kiosk_report_error)

gboolean
kiosk_report_schedule_check (const KioskReportSchedule *schedule,
                             GError                   **error)
{
  g_autoptr(GString) problems = g_string_new (NULL);

  if (!kiosk_server_name_is_valid (schedule->name))
    kiosk_server_add_problem (problems,
                              "name: “%s” is not a valid report name (1 to 64 letters, digits, "
                              "“.”, “_” or “-”, starting with a letter or digit)",
                              schedule->name ? schedule->name : "");
  if ((schedule->site == NULL || schedule->site[0] == '\0')
      == (schedule->group == NULL || schedule->group[0] == '\0'))
    kiosk_server_add_problem (problems,
                              "site, group: a report is of one site or one group: give exactly "
                              "one");
  if (g_strcmp0 (schedule->period, "daily") != 0 && g_strcmp0 (schedule->period, "weekly") != 0)
    kiosk_server_add_problem (problems,
                              "period: “%s” is not daily or weekly",
                              schedule->period ? schedule->period : "");
  if (schedule->emails == NULL || schedule->emails->len == 0)
    kiosk_server_add_problem (problems,
                              "email: give at least one address");
  for (guint i = 0; schedule->emails != NULL && i < schedule->emails->len; i++)
    {
      const char *address = g_ptr_array_index (schedule->emails, i);

      if (!kiosk_server_email_is_valid (address))
        kiosk_server_add_problem (problems,
                                  "email: “%s” is not an e-mail address (local@domain, without a "
                                  "name or angle brackets)", address);
    }
  if (kiosk_dash_language_lookup (schedule->language) == NULL)
    kiosk_server_add_problem (problems,
                              "language: “%s” is not a language of the reports (en or one of "
                              "po/LINGUAS: %s)",
                              schedule->language ? schedule->language : "", KIOSK_DASH_LINGUAS);

  if (problems->len > 0)
    {
      g_set_error_literal (error, KIOSK_REPORT_ERROR, KIOSK_REPORT_ERROR_INVALID, problems->str);
      return FALSE;
    }
  return TRUE;
}

gboolean
kiosk_report_schedule_save (PGconn                    *conn,
                            const KioskReportSchedule *schedule,
                            GError                   **error)
{
  g_autoptr(GString) emails = g_string_new ("{");
  g_autoptr(PGresult) scope = NULL;
  g_autoptr(PGresult) result = NULL;
  const char *scope_name = schedule->site ? schedule->site : schedule->group;
  const char *params[7];

  if (!kiosk_report_schedule_check (schedule, error))
    return FALSE;
  scope = kiosk_db_exec (conn, schedule->site ? "SELECT id FROM sites WHERE name = $1"
                                              : "SELECT id FROM site_groups WHERE name = $1",
                         1, &scope_name, error);
  if (scope == NULL)
    return FALSE;
  if (PQntuples (scope) == 0)
    {
      g_set_error (error, KIOSK_REPORT_ERROR, KIOSK_REPORT_ERROR_UNKNOWN,
                   schedule->site ? "site: there is no site “%s” (see: site list)"
                                  : "group: there is no group “%s” (see: group list)",
                   scope_name);
      return FALSE;
    }

  /* Checked addresses hold no quote, backslash, comma or brace: a plain array literal. */
  for (guint i = 0; i < schedule->emails->len; i++)
    g_string_append_printf (emails, "%s\"%s\"", i > 0 ? "," : "",
                            (const char *) g_ptr_array_index (schedule->emails, i));
  g_string_append_c (emails, '}');
  params[0] = schedule->name;
  params[1] = schedule->period;
  params[2] = schedule->site ? PQgetvalue (scope, 0, 0) : NULL;
  params[3] = schedule->group ? PQgetvalue (scope, 0, 0) : NULL;
  params[4] = emails->str;
  params[5] = kiosk_dash_language_lookup (schedule->language);
  params[6] = schedule->enabled ? "true" : "false";
  /* A name taken already inserts nothing: the caller is told so rather than of a database
   * error. */
  result = kiosk_db_exec (conn,
                          "INSERT INTO report_schedules (name, period, site_id, group_id, emails,"
                          " language, enabled) "
                          "VALUES ($1, $2, $3::bigint, $4::bigint, $5::text[], $6, $7::boolean) "
                          "ON CONFLICT (name) DO NOTHING RETURNING id",
                          G_N_ELEMENTS (params), params, error);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) == 0)
    {
      g_set_error (error, KIOSK_REPORT_ERROR, KIOSK_REPORT_ERROR_EXISTS,
                   "name: there is a report “%s” already (see: report list)", schedule->name);
      return FALSE;
    }
  return TRUE;
}

gboolean
kiosk_report_schedule_remove (PGconn      *conn,
                              const char  *name,
                              GError     **error)
{
  g_autoptr(PGresult) result = kiosk_db_exec (conn, "DELETE FROM report_schedules WHERE name = $1",
                                              1, &name, error);

  if (result == NULL)
    return FALSE;
  if (strcmp (PQcmdTuples (result), "0") == 0)
    {
      g_set_error (error, KIOSK_REPORT_ERROR, KIOSK_REPORT_ERROR_UNKNOWN,
                   "there is no report “%s” (see: report list)", name);
      return FALSE;
    }
  return TRUE;
}
