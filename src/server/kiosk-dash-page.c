/* kiosk-dash-page.c: what every page shares: the chrome around it (landmarks, a skip link, the
 * navigation this user may follow, the sign-out form), error pages, CSV downloads, redirects,
 * the filter form, and the small pieces pages are made of (headings, paragraphs, form fields,
 * download links, pages of a long table). */
#define G_LOG_DOMAIN "kiosk-dash"

#include <string.h>

#include "kiosk-dash-data.h"
#include "kiosk-html.h"
#include "kiosk-server-db.h"

#define DEFAULT_DAYS 30
#define MAX_SURVEY_ID_CHARS 128

static void
nav_item (GString          *out,
          const char       *href,
          const char       *label,
          const char       *id,
          const char       *active_nav)
{
  kiosk_html_format (out, "<li><a href=\"%a\"", href);
  if (g_strcmp0 (id, active_nav) == 0)
    kiosk_html (out, " aria-current=\"page\"");
  kiosk_html_format (out, ">%t</a></li>", label);
}

/* "Alerts" with the number of open episodes this user may see: one probe of the small partial
 * index alert_episodes_open (only open episodes are in it) on every page. A failed count leaves
 * the badge out rather than the page. */
static void
nav_alerts (GString          *out,
            KioskDashRequest *request,
            const char       *active_nav)
{
  g_autoptr(GError) error = NULL;
  gint64 open = request->conn ? kiosk_dash_data_open_alerts (request->conn, request->user, &error)
                              : 0;

  if (error != NULL)
    g_warning ("counting the open alerts: %s", error->message);
  kiosk_html (out, "<li><a href=\"/alerts\"");
  if (g_strcmp0 ("alerts", active_nav) == 0)
    kiosk_html (out, " aria-current=\"page\"");
  kiosk_html_format (out, ">%t", D_("Alerts"));
  if (open > 0)
    {
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, open);
      /* Translators: after the number of open alerts in the navigation, "Alerts 2 open" */
      const char *after = D_("open");

      kiosk_html_format (out,
                         " <span class=\"badge\">%t"
                         "<span class=\"visually-hidden\"> %t</span></span>",
                         count, after);
    }
  kiosk_html (out, "</a></li>");
}

void
kiosk_dash_page_begin (KioskDashReply   *reply,
                       KioskDashRequest *request,
                       const char       *title,
                       const char       *active_nav)
{
  GString *out = reply->body;

  kiosk_html (out, "<!doctype html>\n<html lang=\"");
  kiosk_html_attr (out, request->language ? request->language : "en");
  kiosk_html (out, "\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<title>");
  kiosk_html_txt (out, title);
  kiosk_html (out, " – Smiley Kiosk</title>\n"
                   "<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
                   "<script src=\"/static/dash.js\" defer></script>\n"
                   "</head>\n<body>\n<a class=\"skip\" href=\"#main\">");
  kiosk_html_txt (out, D_("Skip to the content"));
  kiosk_html (out, "</a>\n<header class=\"top\">\n<a class=\"brand\" href=\"/\">Smiley Kiosk</a>\n");

  if (request->user != NULL)
    {
      kiosk_html (out, "<nav class=\"main-nav\" aria-label=\"");
      kiosk_html_attr (out, D_("Main"));
      kiosk_html (out, "\"><ul>");
      nav_item (out, "/", D_("Overview"), "overview", active_nav);
      nav_item (out, "/compare", D_("Compare"), "compare", active_nav);
      nav_alerts (out, request, active_nav);
      nav_item (out, "/reports", D_("Reports"), "reports", active_nav);
      if (request->user->admin)
        nav_item (out, "/fleet", D_("Fleet"), "fleet", active_nav);
      kiosk_html (out, "</ul></nav>\n<div class=\"account\"><span class=\"user\">");
      kiosk_html_txt (out, request->user->name);
      kiosk_html (out, "</span>\n<form method=\"post\" action=\"/logout\">");
      kiosk_dash_csrf_field (out, request);
      kiosk_html (out, "<button type=\"submit\">");
      kiosk_html_txt (out, D_("Sign out"));
      kiosk_html (out, "</button></form></div>\n");
    }
  kiosk_html (out, "</header>\n<main id=\"main\" tabindex=\"-1\">\n");
}

/* Every table scrolls sideways inside a box of its own rather than making the whole page wider
 * than a phone's screen; tabindex lets a keyboard scroll a box that holds no link. Only the
 * program's own markup can hold "<table": every text reaches the page escaped. */
static void
wrap_tables (GString *body)
{
  static const char open[] = "<div class=\"table-wrap\" tabindex=\"0\">";
  static const char close[] = "</div>";
  gsize from = 0;

  for (;;)
    {
      const char *start = strstr (body->str + from, "<table");
      const char *end;
      gsize at;

      if (start == NULL)
        return;
      at = start - body->str;
      g_string_insert (body, at, open);
      end = strstr (body->str + at + strlen (open), "</table>");
      if (end == NULL)
        return;
      at = end - body->str + strlen ("</table>");
      g_string_insert (body, at, close);
      from = at + strlen (close);
    }
}

void
kiosk_dash_filtered_page_begin (KioskDashReply        *reply,
                                KioskDashRequest      *request,
                                const char            *title,
                                const char            *active_nav,
                                const char            *problem,
                                const KioskDashFilter *filter,
                                PGconn                *conn)
{
  kiosk_dash_page_begin (reply, request, title, active_nav);
  kiosk_dash_heading (reply->body, 1, NULL, title);
  kiosk_dash_problem (reply->body, problem);
  kiosk_dash_filter_form (reply->body, request, filter, conn);
}

void
kiosk_dash_page_end (KioskDashReply   *reply,
                     KioskDashRequest *request)
{
  wrap_tables (reply->body);
  kiosk_html (reply->body, "</main>\n<footer class=\"bottom\"><p>Smiley Kiosk</p></footer>\n"
                           "</body>\n</html>\n");
}

void
kiosk_dash_hidden_field (GString    *out,
                         const char *name,
                         const char *value)
{
  kiosk_html_format (out, "<input type=\"hidden\" name=\"%a\" value=\"%a\">", name, value);
}

void
kiosk_dash_csrf_field (GString          *out,
                       KioskDashRequest *request)
{
  kiosk_dash_hidden_field (out, "csrf", request->csrf_token ? request->csrf_token : "");
}

static const char *
status_title (KioskDashRequest *request,
              guint             status)
{
  switch (status)
    {
    case 400: return D_("Bad request");
    case 401: return D_("Not signed in");
    case 403: return D_("Not allowed");
    case 404: return D_("Page not found");
    case 405: return D_("Not allowed");
    case 413: return D_("Too large");
    case 429: return D_("Too many attempts");
    case 503: return D_("Not available");
    default: return D_("Something went wrong");
    }
}

void
kiosk_dash_reply_error (KioskDashReply   *reply,
                        KioskDashRequest *request,
                        guint             status,
                        const char       *message)
{
  /* A page may have begun before it found its error: the error replaces it. */
  g_string_truncate (reply->body, 0);
  g_clear_pointer (&reply->content_type, g_free);
  for (guint i = reply->headers->len; i > 0; i--)
    if (g_str_has_prefix (g_ptr_array_index (reply->headers, i - 1), "Content-Disposition:"))
      g_ptr_array_remove_index (reply->headers, i - 1);
  reply->status = status;

  if (g_str_has_suffix (request->path, ".csv"))
    {
      reply->content_type = g_strdup ("text/plain; charset=utf-8");
      g_string_append_printf (reply->body, "%s\n", message);
      return;
    }
  kiosk_dash_page_begin (reply, request, status_title (request, status), NULL);
  kiosk_html (reply->body, "<h1>");
  kiosk_html_txt (reply->body, status_title (request, status));
  kiosk_html (reply->body, "</h1>\n<p class=\"error-message\">");
  kiosk_html_txt (reply->body, message);
  kiosk_html (reply->body, "</p>\n<p><a href=\"/\">");
  kiosk_html_txt (reply->body, D_("Back to the overview"));
  kiosk_html (reply->body, "</a></p>\n");
  kiosk_dash_page_end (reply, request);
}

void
kiosk_dash_reply_database_error (KioskDashReply   *reply,
                                 KioskDashRequest *request,
                                 gboolean          writing,
                                 const GError     *error,
                                 const char       *format,
                                 ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_warning ("%s: %s", what, error->message);
  kiosk_dash_reply_error (reply, request, 503,
                          writing ? D_("The database cannot be written now. Try again in a "
                                       "minute.")
                                  : D_("The database cannot be read now. Try again in a minute."));
}

void
kiosk_dash_reply_csv (KioskDashReply *reply,
                      const char     *file_name)
{
  kiosk_dash_reply_attachment (reply, "text/csv; charset=utf-8",
                               file_name && *file_name ? file_name : "export.csv");
}

void
kiosk_dash_reply_attachment (KioskDashReply *reply,
                             const char     *content_type,
                             const char     *file_name)
{
  g_autoptr(GString) safe = g_string_new (NULL);
  g_autofree char *value = NULL;

  /* Only letters, digits, ".", "-" and "_" reach the header: no quote, no path, no CRLF. */
  for (const char *p = file_name ? file_name : ""; *p; p++)
    g_string_append_c (safe, g_ascii_isalnum (*p) || *p == '.' || *p == '-' || *p == '_'
                             ? *p : '_');
  while (safe->len > 0 && safe->str[0] == '.')
    g_string_erase (safe, 0, 1);
  if (safe->len == 0)
    g_string_append (safe, "export");
  if (safe->len > 100)
    g_string_erase (safe, 0, safe->len - 100);

  g_free (reply->content_type);
  reply->content_type = g_strdup (content_type);
  value = g_strdup_printf ("attachment; filename=\"%s\"", safe->str);
  kiosk_dash_reply_add_header (reply, "Content-Disposition", value);
}

void
kiosk_dash_redirect (KioskDashReply *reply,
                     const char     *location)
{
  reply->status = 303;
  kiosk_dash_reply_add_header (reply, "Location", location);
}

void
kiosk_dash_remove (KioskDashRequest       *request,
                   PGconn                 *conn,
                   KioskDashReply         *reply,
                   const KioskDashRemoval *removal)
{
  const char *name = g_hash_table_lookup (request->form, "name");
  gboolean confirmed = g_strcmp0 (g_hash_table_lookup (request->form, "confirm"), "1") == 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) location = g_string_new (removal->location);

  if (name == NULL || *name == '\0')
    {
      kiosk_dash_reply_error (reply, request, 400, D_(removal->no_name));
      return;
    }
  if (!confirmed)
    {
      removal->unconfirmed (request, conn, reply, name);
      return;
    }
  if (!removal->remove (conn, name, &error))
    {
      if (g_error_matches (error, removal->error_quark (), removal->unknown_code))
        kiosk_dash_reply_error (reply, request, 404, D_(removal->no_such));
      else
        kiosk_dash_reply_database_error (reply, request, TRUE, error, "removing %s %s",
                                         removal->what, name);
      return;
    }
  g_string_append_uri_escaped (location, name, NULL, FALSE);
  g_string_append (location, removal->fragment);
  kiosk_dash_redirect (reply, location->str);
}

void
kiosk_dash_reply_add_header (KioskDashReply *reply,
                             const char     *name,
                             const char     *value)
{
  g_return_if_fail (strpbrk (name, "\r\n:") == NULL);
  /* A value with a line break would start a header of its own. */
  g_return_if_fail (strpbrk (value, "\r\n") == NULL);
  g_ptr_array_add (reply->headers, g_strdup_printf ("%s: %s", name, value));
}

/* Filters */

gboolean
kiosk_dash_parse_day (const char *text,
                      GDate      *out)
{
  guint64 y, m, d;
  g_auto(GStrv) parts = NULL;

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  parts = g_strsplit (text, "-", 3);
  if (!g_ascii_string_to_unsigned (parts[0], 10, 1900, 9999, &y, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 1, 12, &m, NULL) ||
      !g_ascii_string_to_unsigned (parts[2], 10, 1, 31, &d, NULL) ||
      !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return FALSE;
  g_date_set_dmy (out, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
  return TRUE;
}

static void
add_problem (GString    *problem,
             const char *sentence)
{
  if (problem == NULL)
    return;
  if (problem->len > 0)
    g_string_append_c (problem, ' ');
  g_string_append (problem, sentence);
}

void
kiosk_dash_filter_parse (KioskDashRequest *request,
                         KioskDashFilter  *filter,
                         GString          *problem)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  const char *from = g_hash_table_lookup (request->query, "from");
  const char *to = g_hash_table_lookup (request->query, "to");
  const char *survey = g_hash_table_lookup (request->query, "survey");
  const char *misuse = g_hash_table_lookup (request->query, "misuse");
  GDate from_day, to_day;

  memset (filter, 0, sizeof *filter);
  g_date_clear (&filter->to, 1);
  g_date_clear (&filter->from, 1);
  g_date_set_dmy (&filter->to, g_date_time_get_day_of_month (now),
                  g_date_time_get_month (now), g_date_time_get_year (now));
  g_date_clear (&to_day, 1);
  g_date_clear (&from_day, 1);

  if (to != NULL && *to != '\0')
    {
      if (kiosk_dash_parse_day (to, &to_day))
        filter->to = to_day;
      else
        add_problem (problem, D_("The end date is not a date (YYYY-MM-DD); the last 30 days "
                                 "are shown."));
    }
  filter->from = filter->to;
  g_date_subtract_days (&filter->from, DEFAULT_DAYS - 1);
  if (from != NULL && *from != '\0')
    {
      if (!kiosk_dash_parse_day (from, &from_day))
        add_problem (problem, D_("The start date is not a date (YYYY-MM-DD); the last 30 days "
                                 "are shown."));
      else if (g_date_compare (&from_day, &filter->to) > 0)
        add_problem (problem, D_("The start date is after the end date; the last 30 days are "
                                 "shown."));
      else if (g_date_days_between (&from_day, &filter->to) >= KIOSK_DASH_MAX_DAYS)
        {
          /* from=1900-01-01&to=9999-12-31 would be three million days of a few hundred bytes
           * each, in one request of any signed-in viewer. */
          add_problem (problem, D_("The period is longer than five years; the five years up "
                                   "to the end date are shown."));
          filter->from = filter->to;
          g_date_subtract_days (&filter->from, KIOSK_DASH_MAX_DAYS - 1);
        }
      else
        filter->from = from_day;
    }
  if (survey != NULL && *survey != '\0')
    {
      if (g_utf8_strlen (survey, -1) <= MAX_SURVEY_ID_CHARS)
        filter->survey_id = g_strdup (survey);
      else
        add_problem (problem, D_("The survey is not known; all surveys are shown."));
    }
  filter->include_misuse = g_strcmp0 (misuse, "1") == 0;
}

gpointer
kiosk_dash_filtered_load (KioskDashRequest      *request,
                          PGconn                *conn,
                          KioskDashReply        *reply,
                          KioskDashFilter       *filter,
                          GString               *problem,
                          KioskDashFilteredQuery query,
                          const char            *what)
{
  g_autoptr(GError) error = NULL;
  gpointer data;

  kiosk_dash_filter_parse (request, filter, problem);
  data = query (conn, request->user, filter, &error);
  if (data == NULL)
    {
      kiosk_dash_reply_database_error (reply, request, FALSE, error, "%s", what);
      kiosk_dash_filter_clear (filter);
    }
  return data;
}

void
kiosk_dash_filtered_reply (KioskDashRequest            *request,
                           PGconn                      *conn,
                           KioskDashReply              *reply,
                           const KioskDashFilteredPage *page,
                           gboolean                     csv)
{
  KioskDashFilter filter = { 0 };
  g_autoptr(GString) problem = g_string_new (NULL);
  gpointer data = kiosk_dash_filtered_load (request, conn, reply, &filter, problem, page->query,
                                            page->name);
  g_autofree char *query = NULL;
  g_autofree char *csv_name = g_strconcat (page->name, ".csv", NULL);

  if (data == NULL)
    return;
  if (csv)
    {
      kiosk_dash_reply_csv (reply, csv_name);
      page->csv (data, reply->body);
    }
  else
    {
      g_autofree char *path = g_strconcat ("/", csv_name, NULL);

      query = kiosk_dash_filter_query (&filter);
      filter.fixed_periods = page->fixed_periods;
      kiosk_dash_filtered_page_begin (reply, request, D_(page->title), page->name,
                                      problem->str, &filter, conn);
      page->write (data, reply->body, request, query);
      kiosk_dash_download_link (reply->body, request, path, query);
      kiosk_dash_page_end (reply, request);
    }
  kiosk_dash_filter_clear (&filter);
  page->free_data (data);
}

void
kiosk_dash_filter_clear (KioskDashFilter *filter)
{
  g_clear_pointer (&filter->survey_id, g_free);
}

char *
kiosk_dash_iso_day (const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

char *
kiosk_dash_filter_query (const KioskDashFilter *filter)
{
  g_autofree char *from = kiosk_dash_iso_day (&filter->from);
  g_autofree char *to = kiosk_dash_iso_day (&filter->to);
  GString *query = g_string_new (NULL);

  g_string_append_printf (query, "from=%s&to=%s", from, to);
  if (filter->survey_id != NULL)
    {
      g_string_append (query, "&survey=");
      g_string_append_uri_escaped (query, filter->survey_id, NULL, FALSE);
    }
  if (filter->include_misuse)
    g_string_append (query, "&misuse=1");
  return g_string_free (query, FALSE);
}

/* The surveys this user may filter by: those assigned to every kiosk or to the user's sites,
 * and those the user's sites answered, from rollup_days (a few rows a day per site): over
 * responses, a viewer's every page took 0.5 s with 10 000 000 responses. Site by site, so each
 * is a probe of rollup_days_survey_site (migration 005): with the sites' list in the EXISTS,
 * the planner scanned all of rollup_days for a survey they never answered (85-145 ms). */
static PGresult *
visible_surveys (KioskDashRequest *request,
                 PGconn           *conn)
{
  g_autofree char *in_sites = kiosk_dash_site_condition (request->user, "a.site_id");
  g_autofree char *in_response_sites = kiosk_dash_site_condition (request->user, "si.id");
  g_autofree char *in_device_sites = kiosk_dash_site_condition (request->user, "d.site_id");
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  PGresult *result;

  sql = g_strdup_printf ("SELECT DISTINCT s.survey_id FROM surveys s "
                         "WHERE %s OR EXISTS (SELECT 1 FROM survey_assignments a "
                         "  LEFT JOIN devices d ON d.id = a.device_id "
                         "  WHERE a.survey_id = s.survey_id AND (a.scope = 'default' "
                         "   OR (a.scope = 'site' AND %s) OR (a.scope = 'device' AND %s))) "
                         " OR EXISTS (SELECT 1 FROM sites si CROSS JOIN LATERAL ("
                         "   SELECT 1 FROM rollup_days r WHERE r.survey_id = s.survey_id"
                         "    AND r.site_id = si.id AND r.n > 0 LIMIT 1) r WHERE %s) "
                         "ORDER BY 1",
                         request->user && request->user->admin ? "true" : "false",
                         in_sites, in_device_sites, in_response_sites);
  result = conn ? kiosk_db_exec (conn, sql, 0, NULL, &error) : NULL;
  if (result == NULL && error != NULL)
    g_warning ("listing the surveys for the filter: %s", error->message);
  return result;
}

static void
survey_and_misuse_fields (GString               *out,
                          KioskDashRequest      *request,
                          const KioskDashFilter *filter,
                          PGconn                *conn)
{
  g_autoptr(PGresult) surveys = visible_surveys (request, conn);

  kiosk_html (out, "<div class=\"field\"><label for=\"f-survey\">");
  kiosk_html_txt (out, D_("Survey"));
  kiosk_html (out, "</label><select id=\"f-survey\" name=\"survey\"><option value=\"\">");
  kiosk_html_txt (out, D_("All surveys"));
  kiosk_html (out, "</option>");
  for (int row = 0; surveys && row < PQntuples (surveys); row++)
    {
      const char *id = PQgetvalue (surveys, row, 0);

      kiosk_dash_option (out, id, id, filter->survey_id, NULL);
    }
  kiosk_html (out, "</select></div>\n<div class=\"field check\"><input type=\"checkbox\" "
                   "id=\"f-misuse\" name=\"misuse\" value=\"1\"");
  if (filter->include_misuse)
    kiosk_html (out, " checked");
  kiosk_html (out, "><label for=\"f-misuse\">");
  kiosk_html_txt (out, D_("Include misuse"));
  kiosk_html (out, "</label></div>\n");
}

void
kiosk_dash_filter_form (GString               *out,
                        KioskDashRequest      *request,
                        const KioskDashFilter *filter,
                        PGconn                *conn)
{
  g_autofree char *from = kiosk_dash_iso_day (&filter->from);
  g_autofree char *to = kiosk_dash_iso_day (&filter->to);

  kiosk_html_format (out,
                     "<form class=\"filters\" method=\"get\" action=\"%a\" aria-label=\"%a\">\n",
                     request->path, D_("Filters"));
  if (!filter->fixed_periods)
    kiosk_html_format (out,
                       "<div class=\"field\"><label for=\"f-from\">%t</label>"
                       "<input type=\"date\" id=\"f-from\" name=\"from\" value=\"%a\"></div>\n"
                       "<div class=\"field\"><label for=\"f-to\">%t</label>"
                       "<input type=\"date\" id=\"f-to\" name=\"to\" value=\"%a\"></div>\n",
                       D_("From"), from, D_("To"), to);
  if (!filter->dates_only)
    survey_and_misuse_fields (out, request, filter, conn);
  kiosk_html (out, "<div class=\"field\"><button type=\"submit\">");
  kiosk_html_txt (out, D_("Apply"));
  kiosk_html (out, "</button></div>\n</form>\n");
}

/* Pieces of pages */

void
kiosk_dash_heading (GString    *out,
                    guint       level,
                    const char *id,
                    const char *text)
{
  g_string_append_printf (out, "<h%u", level);
  if (id != NULL)
    {
      kiosk_html (out, " id=\"");
      kiosk_html_attr (out, id);
      kiosk_html (out, "\"");
    }
  kiosk_html (out, ">");
  kiosk_html_txt (out, text);
  g_string_append_printf (out, "</h%u>\n", level);
}

void
kiosk_dash_paragraph (GString    *out,
                      const char *text)
{
  kiosk_html (out, "<p>");
  kiosk_html_txt (out, text);
  kiosk_html (out, "</p>\n");
}

static void
announce (GString    *out,
          const char *start,
          const char *text)
{
  if (text == NULL || *text == '\0')
    return;
  kiosk_html (out, start);
  kiosk_html_txt (out, text);
  kiosk_html (out, "</p>\n");
}

void
kiosk_dash_done (GString    *out,
                 const char *text)
{
  announce (out, "<p class=\"done\" role=\"status\">", text);
}

void
kiosk_dash_problem (GString    *out,
                    const char *text)
{
  announce (out, "<p class=\"problem\" role=\"alert\">", text);
}

void
kiosk_dash_problem_list (GString    *out,
                         const char *id,
                         const char *intro,
                         const char *problems)
{
  g_auto(GStrv) lines = NULL;

  if (problems == NULL || *problems == '\0')
    return;
  lines = g_strsplit (problems, "\n", -1);
  kiosk_html (out, "<div class=\"problem\" role=\"alert\"");
  if (id != NULL)
    {
      kiosk_html (out, " id=\"");
      kiosk_html_attr (out, id);
      kiosk_html (out, "\"");
    }
  kiosk_html (out, "><p>");
  kiosk_html_txt (out, intro);
  kiosk_html (out, "</p><ul>");
  for (guint i = 0; lines[i]; i++)
    if (*lines[i])
      {
        kiosk_html (out, "<li>");
        kiosk_html_txt (out, lines[i]);
        kiosk_html (out, "</li>");
      }
  kiosk_html (out, "</ul></div>\n");
}

void
kiosk_dash_th (GString    *out,
               const char *text)
{
  kiosk_html (out, "<th scope=\"col\">");
  kiosk_html_txt (out, text);
  kiosk_html (out, "</th>");
}

void
kiosk_dash_table_begin (GString    *out,
                        const char *css_class,
                        const char *caption,
                        ...)
{
  va_list args;
  const char *header;

  kiosk_html (out, "<table class=\"");
  kiosk_html_attr (out, css_class);
  kiosk_html (out, "\">");
  if (caption != NULL)
    {
      kiosk_html (out, "<caption>");
      kiosk_html_txt (out, caption);
      kiosk_html (out, "</caption>");
    }
  kiosk_html (out, "<thead><tr>");
  va_start (args, caption);
  while ((header = va_arg (args, const char *)) != NULL)
    kiosk_dash_th (out, header);
  va_end (args);
  kiosk_html (out, "</tr></thead><tbody>\n");
}

void
kiosk_dash_field_begin (GString    *out,
                        const char *id,
                        const char *label)
{
  kiosk_html_format (out, "<div class=\"field\"><label for=\"%a\">%t</label>", id, label);
}

char *
kiosk_dash_form_value (KioskDashRequest *request,
                       const char       *name)
{
  const char *value = g_hash_table_lookup (request->form, name);

  return value ? g_strstrip (g_strdup (value)) : g_strdup ("");
}

/* "?@query", or nothing when @query is NULL or "". */
static void
append_query (GString    *out,
              const char *query)
{
  if (query != NULL && *query)
    {
      kiosk_html (out, "?");
      kiosk_html_attr (out, query);
    }
}

void
kiosk_dash_site_link (GString    *out,
                      const char *name,
                      const char *title,
                      const char *query)
{
  kiosk_html (out, "<a href=\"/sites/");
  kiosk_html_url_param (out, name);
  append_query (out, query);
  kiosk_html_format (out, "\">%t</a>", title);
}

void
kiosk_dash_download_link (GString          *out,
                          KioskDashRequest *request,
                          const char       *path,
                          const char       *query)
{
  kiosk_html (out, "<p class=\"download\"><a href=\"");
  kiosk_html_attr (out, path);
  append_query (out, query);
  kiosk_html_format (out, "\" download>%t</a></p>\n", D_("Download this table (CSV)"));
}

guint
kiosk_dash_page_number (KioskDashRequest *request)
{
  const char *text = request->query ? g_hash_table_lookup (request->query, "page") : NULL;
  guint64 page = 1;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, 100000, &page, NULL))
    page = 1;
  return (guint) page;
}

static void
page_link (GString    *out,
           const char *path,
           const char *query,
           const char *anchor,
           guint       page,
           const char *text)
{
  kiosk_html_format (out, "<a href=\"%a?", path);
  if (query != NULL && *query)
    kiosk_html_format (out, "%a&amp;", query);
  kiosk_html_txtf (out, "page=%u#", page);
  kiosk_html_format (out, "%a\">%t</a>", anchor, text);
}

void
kiosk_dash_pages_nav (GString          *out,
                      KioskDashRequest *request,
                      const char       *label,
                      const char       *path,
                      const char       *query,
                      const char       *anchor,
                      guint             page,
                      guint             pages)
{
  kiosk_html (out, "<nav class=\"pages\"");
  if (label != NULL)
    {
      kiosk_html (out, " aria-label=\"");
      kiosk_html_attr (out, label);
      kiosk_html (out, "\"");
    }
  kiosk_html (out, ">");
  if (page > 1)
    page_link (out, path, query, anchor, page - 1, D_("Newer"));
  kiosk_html (out, " <span>");
  /* Translators: paging through a long table, "page 2 of 7" */
  kiosk_html_txtf (out, D_("page %u of %u"), MIN (page, pages), pages);
  kiosk_html (out, "</span> ");
  if (page < pages)
    page_link (out, path, query, anchor, page + 1, D_("Older"));
  kiosk_html (out, "</nav>\n");
}
