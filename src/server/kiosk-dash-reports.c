/* kiosk-dash-reports.c: the page "/reports": a report's PDF for a site or a group the user may
 * see, for a day, a week or any span of days, in the reader's language
 * ("/reports/download?site=NAME&from=…&to=…", drawn by kiosk-server-report.c); and, for
 * admins, the schedules that mail it daily or weekly, added and removed through forms. */
#define G_LOG_DOMAIN "kiosk-dash"

#include <string.h>

#include "kiosk-dash-data.h"
#include "kiosk-dash-pages.h"
#include "kiosk-dash-server.h"
#include "kiosk-html.h"
#include "kiosk-server-config.h"
#include "kiosk-server-db.h"
#include "kiosk-server-report.h"
#include "kiosk-survey.h"

/* A report is read on paper: a year of days is the most it sensibly holds. */
#define MAX_REPORT_DAYS 366

static void
date_input (GString     *out,
            const char  *id,
            const char  *name,
            const GDate *value)
{
  g_autofree char *text = kiosk_dash_iso_day (value);

  kiosk_html (out, "<input type=\"date\" id=\"");
  kiosk_html_attr (out, id);
  kiosk_html (out, "\" name=\"");
  kiosk_html_attr (out, name);
  kiosk_html (out, "\" value=\"");
  kiosk_html_attr (out, text);
  kiosk_html (out, "\">");
}

/* The download form: GET, so a report's address can be bookmarked and shared. */
static void
download_form (GString          *out,
               KioskDashRequest *request,
               GPtrArray        *sites,
               GPtrArray        *groups)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GDate today, week_ago;
  static const char *const periods[] = { "day", "week", "range" };
  const char *period_names[] = {
    /* Translators: a report's period: the day chosen */
    D_("The day"),
    /* Translators: a report's period: Monday to Sunday around the day chosen */
    D_("Its week (Monday to Sunday)"),
    /* Translators: a report's period: from one date to another */
    D_("From … to …"),
  };

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  week_ago = today;
  g_date_subtract_days (&week_ago, 6);

  kiosk_dash_heading (out, 2, "download", D_("Download a report"));
  kiosk_html (out, "<form class=\"report\" method=\"get\" action=\"/reports/download\">\n");
  kiosk_dash_field_begin (out, "d-scope", D_("Site or group"));
  kiosk_dash_scope_select (out, request, "d-scope", "scope", sites, groups, NULL);
  kiosk_html (out, "</div>\n<fieldset><legend>");
  kiosk_html_txt (out, D_("Period"));
  kiosk_html (out, "</legend>");
  for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
    {
      kiosk_html (out, "<div class=\"field check\"><input type=\"radio\" name=\"period\" id=\"d-");
      kiosk_html (out, periods[i]);
      kiosk_html (out, "\" value=\"");
      kiosk_html (out, periods[i]);
      kiosk_html (out, i == 0 ? "\" checked><label for=\"d-" : "\"><label for=\"d-");
      kiosk_html (out, periods[i]);
      kiosk_html (out, "\">");
      kiosk_html_txt (out, period_names[i]);
      kiosk_html (out, "</label></div>");
    }
  kiosk_html (out, "<div class=\"dates\">");
  kiosk_dash_field_begin (out, "d-date", D_("Day"));
  date_input (out, "d-date", "date", &today);
  kiosk_html (out, "</div>");
  kiosk_dash_field_begin (out, "d-from", D_("From"));
  date_input (out, "d-from", "from", &week_ago);
  kiosk_html (out, "</div>");
  kiosk_dash_field_begin (out, "d-to", D_("To"));
  date_input (out, "d-to", "to", &today);
  kiosk_html (out, "</div></div></fieldset>\n<div class=\"field check\"><input type=\"checkbox\" "
                   "id=\"d-misuse\" name=\"misuse\" value=\"1\"><label for=\"d-misuse\">");
  kiosk_html_txt (out, D_("Include misuse"));
  kiosk_html (out, "</label></div>\n<div class=\"buttons\"><button type=\"submit\">");
  kiosk_html_txt (out, D_("Download the PDF"));
  kiosk_html (out, "</button></div>\n</form>\n");
}

/* Schedules */

typedef struct
{
  char    *name;
  char    *scope;
  char    *period;
  char    *emails;
  char    *language;
  gboolean enabled;
} ScheduleForm;

static void
schedule_form_clear (ScheduleForm *form)
{
  g_free (form->name);
  g_free (form->scope);
  g_free (form->period);
  g_free (form->emails);
  g_free (form->language);
}

static void
schedules_table (GString          *out,
                 KioskDashRequest *request,
                 GPtrArray        *schedules)
{
  kiosk_dash_table_begin (out, "schedules", NULL, D_("Name"), D_("Site or group"), D_("Sent"),
                          D_("Recipients"), D_("Language"), D_("Enabled"), D_("Last sent"),
                          D_("Remove"), NULL);
  for (guint i = 0; i < schedules->len; i++)
    {
      KioskDashSchedule *c = g_ptr_array_index (schedules, i);
      const char *native = kiosk_language_get_native_name (c->language);
      g_autofree char *confirm_id = g_strdup_printf ("s-confirm-%" G_GINT64_FORMAT, c->id);

      kiosk_html (out, "<tr><th scope=\"row\">");
      kiosk_html_txt (out, c->name);
      kiosk_html (out, "</th><td>");
      if (c->group)
        kiosk_html_txtf (out, D_("%s (group)"), c->scope_title);
      else
        kiosk_html_txt (out, c->scope_title);
      kiosk_html (out, "</td><td>");
      kiosk_html_txt (out, g_strcmp0 (c->period, "weekly") == 0
                           /* Translators: a report schedule: sent every week */
                           ? D_("weekly")
                           /* Translators: a report schedule: sent every day */
                           : D_("daily"));
      kiosk_html (out, "</td><td>");
      for (guint e = 0; c->emails[e]; e++)
        {
          if (e > 0)
            kiosk_html (out, "<br>");
          kiosk_html_txt (out, c->emails[e]);
        }
      kiosk_html (out, "</td><td>");
      kiosk_html_txt (out, native ? native : c->language);
      kiosk_html (out, "</td><td>");
      kiosk_html_txt (out, c->enabled ? D_("yes") : D_("no"));
      kiosk_html (out, "</td><td>");
      if (c->last_start == NULL)
        kiosk_html_txt (out, D_("never"));
      else
        {
          GDate start, end;
          g_autofree char *start_text = NULL, *end_text = NULL, *sent = NULL;

          g_date_clear (&start, 1);
          g_date_clear (&end, 1);
          kiosk_dash_parse_day (c->last_start, &start);
          kiosk_dash_parse_day (c->last_end, &end);
          start_text = kiosk_dash_format_date (request, &start);
          end_text = kiosk_dash_format_date (request, &end);
          sent = kiosk_dash_format_time (request, c->last_run_us, NULL);
          if (g_date_compare (&start, &end) == 0)
            kiosk_html_txt (out, start_text);
          else
            kiosk_html_txtf (out, "%s – %s", start_text, end_text);
          kiosk_html (out, " <span class=\"muted\">(");
          /* Translators: when a scheduled report was queued, "sent 2026-12-04 22:05 UTC" */
          kiosk_html_txtf (out, D_("sent %s UTC"), sent);
          kiosk_html (out, ")</span>");
        }
      kiosk_html (out, "</td><td class=\"actions\"><form method=\"post\" "
                       "action=\"/reports/schedules/remove\">");
      kiosk_dash_csrf_field (out, request);
      kiosk_dash_hidden_field (out, "name", c->name);
      kiosk_html (out, "<div class=\"field check\"><input type=\"checkbox\" name=\"confirm\" "
                       "value=\"1\" required id=\"");
      kiosk_html_attr (out, confirm_id);
      kiosk_html (out, "\"><label for=\"");
      kiosk_html_attr (out, confirm_id);
      kiosk_html (out, "\">");
      kiosk_html_txt (out, D_("Yes, remove"));
      kiosk_html (out, "</label></div><button type=\"submit\" class=\"secondary\">");
      kiosk_html_txt (out, D_("Remove"));
      kiosk_html (out, "<span class=\"visually-hidden\"> ");
      kiosk_html_txt (out, c->name);
      kiosk_html (out, "</span></button></form></td></tr>\n");
    }
  kiosk_html (out, "</tbody></table>\n");
}

static void
schedule_form (GString            *out,
               KioskDashRequest   *request,
               const ScheduleForm *form,
               GPtrArray          *sites,
               GPtrArray          *groups,
               const char         *problems)
{
  const char *period;

  kiosk_dash_heading (out, 3, "schedule-form", D_("Add a schedule"));
  kiosk_dash_problem_list (out, NULL, D_("The schedule was not added:"), problems);
  kiosk_html (out, "<form class=\"schedule\" method=\"post\" action=\"/reports/schedules\">\n");
  kiosk_dash_csrf_field (out, request);
  kiosk_dash_field_begin (out, "s-name", D_("Name"));
  kiosk_html (out, "<input id=\"s-name\" name=\"name\" required maxlength=\"64\" "
                   "pattern=\"[A-Za-z0-9][A-Za-z0-9._\\-]*\" autocapitalize=\"none\" "
                   "spellcheck=\"false\" value=\"");
  kiosk_html_attr (out, form->name);
  kiosk_html (out, "\"></div>\n");
  kiosk_dash_field_begin (out, "s-scope", D_("Site or group"));
  kiosk_dash_scope_select (out, request, "s-scope", "scope", sites, groups, form->scope);
  kiosk_html (out, "</div>\n");
  kiosk_dash_field_begin (out, "s-period", D_("Sent"));
  kiosk_html (out, "<select id=\"s-period\" name=\"period\">");
  period = g_strcmp0 (form->period, "weekly") == 0 ? "weekly" : "daily";
  kiosk_dash_option (out, "daily", D_("daily"), period, NULL);
  kiosk_dash_option (out, "weekly", D_("weekly"), period, NULL);
  kiosk_html (out, "</select></div>\n");
  kiosk_dash_field_begin (out, "s-emails", D_("E-mail addresses, one a line"));
  kiosk_html (out, "<textarea id=\"s-emails\" name=\"emails\" rows=\"3\" required "
                   "autocapitalize=\"none\" spellcheck=\"false\">");
  kiosk_html_txt (out, form->emails);
  kiosk_html (out, "</textarea></div>\n");
  kiosk_dash_field_begin (out, "s-language", D_("Language of the report"));
  kiosk_dash_language_select (out, request, "s-language", "language", form->language);
  kiosk_html (out, "</div>\n<div class=\"field check\"><input type=\"checkbox\" id=\"s-enabled\" "
                   "name=\"enabled\" value=\"1\"");
  if (form->enabled)
    kiosk_html (out, " checked");
  kiosk_html (out, "><label for=\"s-enabled\">");
  kiosk_html_txt (out, D_("Enabled"));
  kiosk_html (out, "</label></div>\n<div class=\"buttons\"><button type=\"submit\">");
  kiosk_html_txt (out, D_("Add the schedule"));
  kiosk_html (out, "</button></div>\n</form>\n");
}

/* The whole page; @form (NULL: an empty one) and @problems for a refused schedule, @problem
 * for a refused removal, @message for what was done. */
static void
reports_page (KioskDashRequest   *request,
              PGconn             *conn,
              KioskDashReply     *reply,
              guint               status,
              const ScheduleForm *form,
              const char         *problems,
              const char         *problem,
              const char         *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sites = kiosk_dash_data_sites (conn, request->user, &error);
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GPtrArray) schedules = NULL;
  ScheduleForm empty = { NULL, NULL, NULL, NULL, (char *) request->language, TRUE };
  GString *out = reply->body;

  if (error == NULL)
    groups = kiosk_dash_data_groups (conn, request->user, &error);
  if (error == NULL && request->user->admin)
    schedules = kiosk_dash_data_schedules (conn, &error);
  if (error != NULL)
    {
      kiosk_dash_reply_database_error (reply, request, FALSE, error, "reports");
      return;
    }

  reply->status = status;
  kiosk_dash_page_begin (reply, request, D_("Reports"), "reports");
  kiosk_dash_heading (out, 1, NULL, D_("Reports"));
  kiosk_dash_done (out, message);
  kiosk_dash_problem (out, problem);
  download_form (out, request, sites, groups);
  if (schedules != NULL)
    {
      kiosk_dash_heading (out, 2, "schedules", D_("Scheduled reports"));
      kiosk_html (out, "<p class=\"note\">");
      kiosk_html_txt (out, D_("A daily report is mailed once the sites have closed for the day, "
                              "a weekly one after the last day of the week, each on the site's "
                              "own clock."));
      kiosk_html (out, "</p>\n");
      if (schedules->len == 0)
        kiosk_dash_paragraph (out, D_("No schedule yet."));
      else
        schedules_table (out, request, schedules);
      schedule_form (out, request, form ? form : &empty, sites, groups, problems);
    }
  kiosk_dash_page_end (reply, request);
}

void
kiosk_dash_reports (KioskDashRequest *request,
                    PGconn           *conn,
                    KioskDashReply   *reply)
{
  const char *added = g_hash_table_lookup (request->query, "added");
  const char *removed = g_hash_table_lookup (request->query, "removed");
  g_autofree char *message = NULL;

  if (added != NULL)
    /* Translators: %s is a report schedule's name */
    message = g_strdup_printf (D_("The schedule “%s” is added."), added);
  else if (removed != NULL)
    message = g_strdup_printf (D_("The schedule “%s” is removed."), removed);
  reports_page (request, conn, reply, 200, NULL, NULL, NULL, message);
}

/* The download */

/* The period the query asks for: period=day|week with date=, or from= and to= (period=range,
 * or no period at all). FALSE with @problem set when it is not one. */
static gboolean
report_period (KioskDashRequest *request,
               GDate            *from,
               GDate            *to,
               const char      **problem)
{
  const char *period = g_hash_table_lookup (request->query, "period");

  g_date_clear (from, 1);
  g_date_clear (to, 1);
  if (g_strcmp0 (period, "day") == 0 || g_strcmp0 (period, "week") == 0)
    {
      if (!kiosk_dash_parse_day (g_hash_table_lookup (request->query, "date"), from))
        {
          *problem = D_("The day is not a date (YYYY-MM-DD).");
          return FALSE;
        }
      if (g_str_equal (period, "week"))
        g_date_subtract_days (from, g_date_get_weekday (from) - G_DATE_MONDAY);
      *to = *from;
      if (g_str_equal (period, "week"))
        g_date_add_days (to, 6);
      return TRUE;
    }
  if (period != NULL && !g_str_equal (period, "range"))
    {
      *problem = D_("The period is not one of the list.");
      return FALSE;
    }
  if (!kiosk_dash_parse_day (g_hash_table_lookup (request->query, "from"), from))
    {
      *problem = D_("The start date is not a date (YYYY-MM-DD).");
      return FALSE;
    }
  if (!kiosk_dash_parse_day (g_hash_table_lookup (request->query, "to"), to))
    {
      *problem = D_("The end date is not a date (YYYY-MM-DD).");
      return FALSE;
    }
  if (g_date_compare (from, to) > 0)
    {
      *problem = D_("The start date is after the end date.");
      return FALSE;
    }
  if (g_date_days_between (from, to) >= MAX_REPORT_DAYS)
    {
      *problem = D_("A report covers at most a year (366 days).");
      return FALSE;
    }
  return TRUE;
}

void
kiosk_dash_reports_download (KioskDashRequest *request,
                             PGconn           *conn,
                             KioskDashReply   *reply)
{
  const char *scope = g_hash_table_lookup (request->query, "scope");
  const char *problem = NULL;
  g_autofree char *site_name = g_strdup (g_hash_table_lookup (request->query, "site"));
  g_autofree char *group_name = g_strdup (g_hash_table_lookup (request->query, "group"));
  g_autofree char *from_text = NULL, *to_text = NULL, *file_name = NULL;
  g_autoptr(KioskDashSite) site = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pdf = NULL;
  KioskReportRequest report = { 0 };
  const char *scope_name = NULL;
  gconstpointer data;
  gsize size;

  if (scope != NULL)
    {
      g_clear_pointer (&site_name, g_free);
      g_clear_pointer (&group_name, g_free);
      kiosk_dash_scope_parse (scope, &site_name, &group_name);
    }
  if ((site_name == NULL) == (group_name == NULL))
    {
      kiosk_dash_reply_error (reply, request, 400, D_("Choose one site or one group."));
      return;
    }
  if (!report_period (request, &report.from, &report.to, &problem))
    {
      kiosk_dash_reply_error (reply, request, 400, problem);
      return;
    }

  /* Only what the user may see: another site is as unknown as one that does not exist. */
  if (site_name != NULL)
    {
      site = kiosk_dash_data_site (conn, request->user, site_name, &error);
      if (site != NULL)
        {
          report.site_id = site->id;
          scope_name = site->name;
        }
    }
  else
    {
      groups = kiosk_dash_data_groups (conn, request->user, &error);
      for (guint i = 0; groups != NULL && i < groups->len; i++)
        {
          KioskDashGroup *group = g_ptr_array_index (groups, i);

          if (g_str_equal (group->name, group_name))
            {
              report.group_id = group->id;
              scope_name = group->name;
            }
        }
    }
  if (error == NULL && scope_name == NULL)
    {
      kiosk_dash_reply_error (reply, request, 404,
                              site_name ? D_("There is no such site.")
                                        : D_("There is no such group."));
      return;
    }

  report.language = request->language ? request->language : "en";
  report.include_misuse = g_strcmp0 (g_hash_table_lookup (request->query, "misuse"), "1") == 0;
  if (error == NULL)
    pdf = kiosk_report_render_pdf (conn, &report, NULL, &error);
  if (pdf == NULL)
    {
      g_warning ("report %s: %s", site_name ? site_name : group_name, error->message);
      kiosk_dash_reply_error (reply, request, 503,
                              D_("The report cannot be made now. Try again in a minute."));
      return;
    }

  from_text = kiosk_dash_iso_day (&report.from);
  to_text = kiosk_dash_iso_day (&report.to);
  file_name = g_date_compare (&report.from, &report.to) == 0
              ? g_strdup_printf ("report-%s-%s.pdf", scope_name, from_text)
              : g_strdup_printf ("report-%s-%s-%s.pdf", scope_name, from_text, to_text);
  kiosk_dash_reply_attachment (reply, "application/pdf", file_name);
  data = g_bytes_get_data (pdf, &size);
  g_string_append_len (reply->body, data, (gssize) size);
}

/* Adding and removing schedules: kiosk-server-report-schedule.c checks and writes them, as
 * for `report add`. */

void
kiosk_dash_schedules_add (KioskDashRequest *request,
                          PGconn           *conn,
                          KioskDashReply   *reply)
{
  ScheduleForm form = { 0 };
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(GPtrArray) emails = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *site_name = NULL, *group_name = NULL;
  g_auto(GStrv) lines = NULL;
  KioskReportSchedule schedule = { 0 };

  form.name = kiosk_dash_form_value (request, "name");
  form.scope = kiosk_dash_form_value (request, "scope");
  form.period = kiosk_dash_form_value (request, "period");
  form.emails = kiosk_dash_form_value (request, "emails");
  form.language = kiosk_dash_form_value (request, "language");
  form.enabled = g_strcmp0 (g_hash_table_lookup (request->form, "enabled"), "1") == 0;

  if (!kiosk_dash_scope_parse (form.scope, &site_name, &group_name))
    g_string_append_printf (problems, "%s\n", D_("Site or group: choose one of the list."));
  /* One a line, as the form asks; commas and spaces between addresses are taken too. */
  lines = g_strsplit_set (form.emails, "\r\n,; \t", -1);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i])
      g_ptr_array_add (emails, g_strdup (lines[i]));
  schedule.name = form.name;
  schedule.period = form.period;
  schedule.site = site_name;
  schedule.group = group_name;
  schedule.emails = emails;
  schedule.language = form.language;
  schedule.enabled = form.enabled;
  if (problems->len == 0 && !kiosk_report_schedule_save (conn, &schedule, &error))
    {
      if (error->domain != KIOSK_REPORT_ERROR)
        {
          kiosk_dash_reply_database_error (reply, request, TRUE, error,
                                           "adding report schedule %s", form.name);
          schedule_form_clear (&form);
          return;
        }
      g_string_append (problems, error->message);
    }
  if (problems->len > 0)
    reports_page (request, conn, reply, 400, &form, problems->str, NULL, NULL);
  else
    {
      g_autoptr(GString) location = g_string_new ("/reports?added=");

      g_string_append_uri_escaped (location, form.name, NULL, FALSE);
      g_string_append (location, "#schedules");
      kiosk_dash_redirect (reply, location->str);
    }
  schedule_form_clear (&form);
}

/* A schedule's row has its own "Yes, remove" box: the page again, saying to tick it. */
static void
removal_unconfirmed (KioskDashRequest *request,
                     PGconn           *conn,
                     KioskDashReply   *reply,
                     const char       *name)
{
  reports_page (request, conn, reply, 400, NULL, NULL,
                D_("Tick “Yes, remove” beside the schedule to remove it."), NULL);
}

void
kiosk_dash_schedules_remove (KioskDashRequest *request,
                             PGconn           *conn,
                             KioskDashReply   *reply)
{
  static const KioskDashRemoval removal = {
    .remove = kiosk_report_schedule_remove,
    .error_quark = kiosk_report_error_quark,
    .unknown_code = KIOSK_REPORT_ERROR_UNKNOWN,
    .unconfirmed = removal_unconfirmed,
    .no_name = DN_("The form names no schedule."),
    .no_such = DN_("There is no such schedule."),
    .what = "report schedule",
    .location = "/reports?removed=",
    .fragment = "#schedules",
  };

  kiosk_dash_remove (request, conn, reply, &removal);
}
