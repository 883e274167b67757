/* kiosk-dash-site.c: the page "/sites/NAME": one site's daily trend, hour × weekday map in the
 * site's time zone and opening hours, faces, follow-up reasons and comments, and each table as
 * CSV ("/sites/NAME/daily.csv" …). A site the user may not see is as unknown as a missing one. */
#define G_LOG_DOMAIN "kiosk-dash"

#include <math.h>
#include <string.h>

#include "kiosk-chart.h"
#include "kiosk-dash-data.h"
#include "kiosk-dash-pages.h"
#include "kiosk-html.h"
#include "kiosk-server-db.h"
#include "kiosk-server-surveys.h"

#define COMMENTS_PER_PAGE 50
/* A heat map cell with fewer responses claims no colour. */

typedef struct
{
  KioskDashSite      *site;
  KioskDashFilter     filter;
  GArray             *days;
  KioskDashWeekHours *hours;
  KioskDashCounts     total;
  GPtrArray          *reasons[2];   /* by KioskDashMood */
  GPtrArray          *surveys;      /* KioskSurvey: the reasons' surveys, for the options'
                                     * labels; newest first */
} SiteData;

static void
site_data_clear (SiteData *data)
{
  g_clear_pointer (&data->site, kiosk_dash_site_free);
  kiosk_dash_filter_clear (&data->filter);
  g_clear_pointer (&data->days, g_array_unref);
  g_clear_pointer (&data->hours, g_free);
  g_clear_pointer (&data->reasons[0], g_ptr_array_unref);
  g_clear_pointer (&data->reasons[1], g_ptr_array_unref);
  g_clear_pointer (&data->surveys, g_ptr_array_unref);
}

/* Finds the site and reads what @what needs ("page", "daily", "hours", "faces", "reasons",
 * "comments"); FALSE when the reply is written already (404, 503). */
static gboolean
load (KioskDashRequest *request,
      PGconn           *conn,
      KioskDashReply   *reply,
      const char       *what,
      SiteData         *data,
      GString          *problem)
{
  g_autoptr(GError) error = NULL;
  const char *name = request->path_args && request->path_args->len > 0
                     ? g_ptr_array_index (request->path_args, 0) : NULL;
  gboolean all = g_str_equal (what, "page");

  kiosk_dash_filter_parse (request, &data->filter, problem);
  if (name != NULL)
    data->site = kiosk_dash_data_site (conn, request->user, name, &error);
  if (data->site == NULL && error == NULL)
    {
      kiosk_dash_reply_error (reply, request, 404, D_("There is no such site."));
      return FALSE;
    }

  if (error == NULL && (all || g_str_equal (what, "daily") || g_str_equal (what, "faces")))
    {
      data->days = kiosk_dash_data_days (conn, data->site, &data->filter, &error);
      for (guint i = 0; data->days && i < data->days->len; i++)
        kiosk_dash_counts_merge (&data->total,
                                 &g_array_index (data->days, KioskDashDay, i).counts);
    }
  if (error == NULL && (all || g_str_equal (what, "hours")))
    data->hours = kiosk_dash_data_hours (conn, data->site, &data->filter, &error);
  if (error == NULL && (all || g_str_equal (what, "reasons")))
    {
      data->reasons[KIOSK_DASH_UNHAPPY] = kiosk_dash_data_reasons (conn, data->site,
                                                                   &data->filter,
                                                                   KIOSK_DASH_UNHAPPY, &error);
      if (error == NULL)
        data->reasons[KIOSK_DASH_HAPPY] = kiosk_dash_data_reasons (conn, data->site,
                                                                   &data->filter,
                                                                   KIOSK_DASH_HAPPY, &error);
      if (error == NULL)
        data->surveys = kiosk_dash_data_surveys (conn, data->site, &data->filter, &error);
    }
  if (error != NULL)
    {
      kiosk_dash_reply_database_error (reply, request, FALSE, error, "site %s", name);
      return FALSE;
    }
  return TRUE;
}

static void
csv_link (GString          *out,
          KioskDashRequest *request,
          const SiteData   *data,
          const char       *file)
{
  g_autofree char *query = kiosk_dash_filter_query (&data->filter);
  g_autofree char *name = g_uri_escape_string (data->site->name, NULL, FALSE);
  g_autofree char *path = g_strconcat ("/sites/", name, "/", file, NULL);

  kiosk_dash_download_link (out, request, path, query);
}

/* Charts */

/* cairo colours the chart with style="fill:…;stroke:…" attributes, which the dashboard's
 * Content-Security-Policy (style-src 'self') tells the browser to ignore: every shape came out
 * black. The same properties as SVG presentation attributes (fill="…") are not CSS and are
 * drawn. cairo's values hold no quote, so each is copied as it is. */
static void
append_presentation_attributes (GString    *out,
                                const char *svg)
{
  static const char marker[] = " style=\"";
  const char *p = svg;
  const char *style;

  while ((style = strstr (p, marker)) != NULL)
    {
      const char *value = style + strlen (marker);
      const char *end = strchr (value, '"');
      g_autofree char *declarations = NULL;
      g_auto(GStrv) parts = NULL;

      if (end == NULL)
        break;
      g_string_append_len (out, p, style - p);
      declarations = g_strndup (value, end - value);
      parts = g_strsplit (declarations, ";", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          char *colon = strchr (parts[i], ':');

          if (colon == NULL)
            continue;
          *colon = '\0';
          g_string_append_printf (out, " %s=\"%s\"", g_strstrip (parts[i]),
                                  g_strstrip (colon + 1));
        }
      p = end + 1;
    }
  g_string_append (out, p);
}

static void
svg (GString           *out,
     double             width,
     double             height,
     KioskChartDrawFunc draw,
     gpointer           chart,
     const char        *title)
{
  /* kiosk_chart_svg escapes @title and writes only what cairo drew: markup of the program. */
  g_autofree char *markup = kiosk_chart_svg (width, height, draw, chart, title);

  kiosk_html (out, "<figure class=\"chart\">");
  if (markup != NULL)
    append_presentation_attributes (out, markup);
  kiosk_html (out, "</figure>\n");
}

/* Sections */

static void
section_trend (GString          *out,
               KioskDashRequest *request,
               const SiteData   *data)
{
  KioskDashTrend chart = { 0 };

  kiosk_dash_heading (out, 2, "trend", D_("Happy Index by day"));
  kiosk_dash_trend_fill (&chart, data->days, D_("Happy Index"), D_("Responses"));
  svg (out, 720, 260, kiosk_dash_trend_draw, &chart, D_("Happy Index by day"));
  kiosk_dash_trend_clear (&chart);

  /* The chart's figures as a table, for screen readers and for reading exact values. */
  kiosk_html (out, "<details><summary>");
  kiosk_html_txt (out, D_("The figures as a table"));
  kiosk_html (out, "</summary>\n");
  kiosk_dash_table_begin (out, "daily", NULL, D_("Day"), D_("Happy Index"), D_("Responses"), NULL);
  for (guint i = 0; i < data->days->len; i++)
    {
      const KioskDashDay *day = &g_array_index (data->days, KioskDashDay, i);
      g_autofree char *date = kiosk_dash_format_date (request, &day->date);
      g_autofree char *index = kiosk_dash_format_index (request,
                                                        kiosk_dash_counts_index (&day->counts));
      g_autofree char *n = kiosk_dash_format_count (request, day->counts.n);

      kiosk_html (out, "<tr><th scope=\"row\">");
      kiosk_html_txt (out, date);
      kiosk_html (out, "</th><td class=\"num\">");
      kiosk_html_txt (out, index);
      kiosk_html (out, "</td><td class=\"num\">");
      kiosk_html_txt (out, n);
      kiosk_html (out, "</td></tr>\n");
    }
  kiosk_html (out, "</tbody></table></details>\n");
  csv_link (out, request, data, "daily.csv");
}

static void
section_hours (GString          *out,
               KioskDashRequest *request,
               const SiteData   *data)
{
  g_autofree KioskDashHeatmap *chart = g_new0 (KioskDashHeatmap, 1);
  g_autofree char *title = NULL;
  gboolean open[7][24];

  /* Translators: %s is a time zone such as Europe/Berlin */
  title = g_strdup_printf (D_("Happy Index by hour and weekday (%s)"), data->site->time_zone);
  kiosk_dash_heading (out, 2, "hours", title);
  for (guint d = 0; d < 7; d++)
    for (guint h = 0; h < 24; h++)
      open[d][h] = kiosk_dash_site_open_hour (data->site, d, h);
  kiosk_dash_heatmap_fill (chart, data->hours, (const gboolean (*)[24]) open, request->language);
  svg (out, 720, 240, kiosk_dash_heatmap_draw, chart, title);
  kiosk_html (out, "<p class=\"note\">");
  kiosk_html_txtf (out, D_("Hours with fewer than %d responses are hatched; closed hours are "
                           "blank."), KIOSK_DASH_HEATMAP_MIN_COUNT);
  kiosk_html (out, "</p>\n<details><summary>");
  kiosk_html_txt (out, D_("The figures as a table"));
  kiosk_html (out, "</summary>\n<table class=\"hours\"><thead><tr>");
  kiosk_dash_th (out, D_("Hour"));
  for (guint d = 0; d < 7; d++)
    kiosk_dash_th (out, chart->weekdays[d]);
  kiosk_html (out, "</tr></thead><tbody>\n");
  for (guint h = 0; h < 24; h++)
    {
      gboolean any = FALSE;

      for (guint d = 0; d < 7; d++)
        any = any || chart->open[d][h];
      if (!any)
        continue;
      kiosk_html (out, "<tr><th scope=\"row\">");
      kiosk_html_txtf (out, "%02u:00", h);
      kiosk_html (out, "</th>");
      for (guint d = 0; d < 7; d++)
        {
          kiosk_html (out, "<td>");
          if (chart->open[d][h])
            kiosk_dash_html_index (out, request, &data->hours->cells[d][h]);
          kiosk_html (out, "</td>");
        }
      kiosk_html (out, "</tr>\n");
    }
  kiosk_html (out, "</tbody></table></details>\n");
  csv_link (out, request, data, "hours.csv");
}

static void
section_faces (GString          *out,
               KioskDashRequest *request,
               const SiteData   *data)
{
  guint scale = kiosk_dash_counts_scale (&data->total);
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  guint64 n = 0;
  KioskDashFaces chart = { 0 };

  kiosk_dash_heading (out, 2, "faces", D_("Faces"));
  kiosk_html (out, "<p>");
  kiosk_html_txt (out, D_("Happy Index"));
  kiosk_html (out, ": ");
  kiosk_dash_html_index (out, request, &data->total);
  kiosk_html (out, "</p>\n");
  for (guint f = 0; f < scale; f++)
    {
      g_ptr_array_add (labels, kiosk_dash_face_name (request, (int) f, (int) scale));
      n += data->total.faces[scale][f];
    }
  g_ptr_array_add (labels, NULL);
  chart.counts = data->total.faces[scale];
  chart.scale = scale;
  chart.labels = (const char *const *) labels->pdata;
  kiosk_chart_style_init (&chart.style);
  svg (out, 480, 40.0 + 30.0 * scale, kiosk_dash_faces_draw, &chart, D_("Faces"));

  kiosk_dash_table_begin (out, "faces", NULL, D_("Face"), D_("Responses"), D_("Share"), NULL);
  for (guint i = scale; i-- > 0;)
    {
      g_autofree char *count = kiosk_dash_format_count (request, data->total.faces[scale][i]);
      g_autofree char *share = kiosk_dash_format_share (request, data->total.faces[scale][i], n);

      kiosk_html (out, "<tr><th scope=\"row\">");
      kiosk_html_txt (out, g_ptr_array_index (labels, i));
      kiosk_html (out, "</th><td class=\"num\">");
      kiosk_html_txt (out, count);
      kiosk_html (out, "</td><td class=\"num\">");
      kiosk_html_txt (out, share);
      kiosk_html (out, "</td></tr>\n");
    }
  kiosk_html (out, "</tbody></table>\n");
  if (data->total.misuse > 0)
    {
      g_autofree char *misuse = kiosk_dash_format_count (request, data->total.misuse);

      kiosk_html (out, "<p class=\"note\">");
      kiosk_html_txtf (out, data->filter.include_misuse
                       ? D_("%s responses flagged as misuse are included.")
                       : D_("%s responses flagged as misuse are left out."), misuse);
      kiosk_html (out, "</p>\n");
    }
  csv_link (out, request, data, "faces.csv");
}

static void
reasons_table (GString          *out,
               KioskDashRequest *request,
               const SiteData   *data,
               GPtrArray        *reasons,
               const char       *caption)
{
  kiosk_dash_table_begin (out, "reasons", caption, D_("Rank"), D_("Reason"), D_("Answers"),
                          D_("Share"), NULL);
  if (reasons->len == 0)
    {
      kiosk_html (out, "<tr><td colspan=\"4\">");
      kiosk_html_txt (out, D_("No reasons given in this period."));
      kiosk_html (out, "</td></tr>\n");
    }
  for (guint i = 0; i < reasons->len; i++)
    {
      KioskDashReason *reason = g_ptr_array_index (reasons, i);
      const char *label = kiosk_dash_reason_label (data->surveys, reason, request->language);
      g_autofree char *n = kiosk_dash_format_count (request, reason->n);
      g_autofree char *share = kiosk_dash_format_share (request, reason->n, reason->answered);

      kiosk_html (out, "<tr><td class=\"num\">");
      kiosk_html_txtf (out, "%u", i + 1);
      kiosk_html (out, "</td><th scope=\"row\">");
      /* The id only when no published survey knows the option. */
      kiosk_html_txt (out, label != NULL ? label : reason->option_id);
      kiosk_html (out, " <span class=\"follow-up\">(");
      kiosk_html_txt (out, reason->follow_up_id);
      kiosk_html (out, ")</span></th><td class=\"num\">");
      kiosk_html_txt (out, n);
      kiosk_html (out, "</td><td class=\"num\">");
      kiosk_html_txt (out, share);
      kiosk_html (out, "</td></tr>\n");
    }
  kiosk_html (out, "</tbody></table>\n");
}

static void
section_reasons (GString          *out,
                 KioskDashRequest *request,
                 const SiteData   *data)
{
  kiosk_dash_heading (out, 2, "reasons", D_("Reasons"));
  kiosk_html (out, "<p class=\"note\">");
  kiosk_html_txt (out, D_("Share: of the answers of that mood that gave any reason; a visitor "
                          "may give several."));
  kiosk_html (out, "</p>\n");
  reasons_table (out, request, data, data->reasons[KIOSK_DASH_UNHAPPY], D_("Unhappy answers"));
  reasons_table (out, request, data, data->reasons[KIOSK_DASH_HAPPY], D_("Happy answers"));
  csv_link (out, request, data, "reasons.csv");
}

static gboolean
section_comments (GString          *out,
                  KioskDashRequest *request,
                  PGconn           *conn,
                  const SiteData   *data,
                  GError          **error)
{
  guint page = kiosk_dash_page_number (request);
  g_autofree char *name = g_uri_escape_string (data->site->name, NULL, FALSE);
  g_autofree char *query = NULL, *path = NULL;
  guint64 total = 0;
  g_autoptr(GPtrArray) comments = kiosk_dash_data_comments (conn, data->site, &data->filter,
                                                            (page - 1) * COMMENTS_PER_PAGE,
                                                            COMMENTS_PER_PAGE, &total, error);
  guint pages;

  if (comments == NULL)
    return FALSE;
  kiosk_dash_heading (out, 2, "comments", D_("Comments"));
  if (total == 0)
    {
      kiosk_dash_paragraph (out, D_("No comments in this period."));
      return TRUE;
    }
  kiosk_dash_table_begin (out, "comments", NULL, D_("Local time"), D_("Face"), D_("Comment"),
                          D_("Kiosk"), NULL);
  for (guint i = 0; i < comments->len; i++)
    {
      KioskDashComment *c = g_ptr_array_index (comments, i);
      g_autofree char *face = kiosk_dash_face_name (request, c->face, c->scale);

      kiosk_html (out, c->misuse ? "<tr class=\"misuse\">" : "<tr>");
      kiosk_html (out, "<td>");
      kiosk_html_txt (out, c->local_time);
      kiosk_html (out, "</td><td>");
      kiosk_html_txt (out, face);
      kiosk_html (out, "</td><td lang=\"");
      kiosk_html_attr (out, c->language);
      kiosk_html (out, "\">");
      if (c->misuse)
        {
          kiosk_html (out, "<strong class=\"flag\">");
          kiosk_html_txt (out, D_("Misuse"));
          kiosk_html (out, "</strong> ");
        }
      kiosk_html_txt (out, c->comment);
      kiosk_html (out, "</td><td>");
      kiosk_html_txt (out, c->device_id);
      kiosk_html (out, "</td></tr>\n");
    }
  kiosk_html (out, "</tbody></table>\n");

  pages = (guint) ((total + COMMENTS_PER_PAGE - 1) / COMMENTS_PER_PAGE);
  query = kiosk_dash_filter_query (&data->filter);
  path = g_strconcat ("/sites/", name, NULL);
  kiosk_dash_pages_nav (out, request, NULL, path, query, "comments", page, pages);
  csv_link (out, request, data, "comments.csv");
  return TRUE;
}

void
kiosk_dash_site (KioskDashRequest *request,
                 PGconn           *conn,
                 KioskDashReply   *reply)
{
  SiteData data = { 0 };
  g_autoptr(GString) problem = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) body = g_string_new (NULL);

  if (!load (request, conn, reply, "page", &data, problem))
    {
      site_data_clear (&data);
      return;
    }

  /* The sections first, so a failure half-way answers 503 rather than half a page. */
  section_trend (body, request, &data);
  section_hours (body, request, &data);
  section_faces (body, request, &data);
  section_reasons (body, request, &data);
  if (!section_comments (body, request, conn, &data, &error))
    {
      kiosk_dash_reply_database_error (reply, request, FALSE, error, "site %s",
                                       data.site->name);
      site_data_clear (&data);
      return;
    }

  kiosk_dash_filtered_page_begin (reply, request, data.site->title, "sites", problem->str,
                                  &data.filter, conn);
  g_string_append_len (reply->body, body->str, body->len);
  kiosk_dash_page_end (reply, request);
  site_data_clear (&data);
}

static void
csv_daily (GString        *out,
           const SiteData *data)
{
  kiosk_dash_csv_row (out, 5, "date", "happy_index", "responses", "misuse", "all_responses");
  for (guint i = 0; i < data->days->len; i++)
    {
      const KioskDashDay *day = &g_array_index (data->days, KioskDashDay, i);
      g_autofree char *date = kiosk_dash_iso_day (&day->date);
      g_autofree char *index = kiosk_dash_counts_index_csv (&day->counts);
      g_autofree char *n = kiosk_dash_uint_csv (day->counts.n);
      g_autofree char *misuse = kiosk_dash_uint_csv (day->counts.misuse);
      g_autofree char *all = kiosk_dash_uint_csv (day->counts.all);

      kiosk_dash_csv_row (out, 5, date, index, n, misuse, all);
    }
}

static void
csv_hours (GString        *out,
           const SiteData *data)
{
  static const char *const weekdays[7] = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
  };

  kiosk_dash_csv_row (out, 5, "weekday", "hour", "happy_index", "responses", "open");
  for (guint d = 0; d < 7; d++)
    for (guint h = 0; h < 24; h++)
      {
        const KioskDashCounts *cell = &data->hours->cells[d][h];
        g_autofree char *hour = kiosk_dash_uint_csv (h);
        g_autofree char *index = kiosk_dash_counts_index_csv (cell);
        g_autofree char *n = kiosk_dash_uint_csv (cell->n);

        kiosk_dash_csv_row (out, 5, weekdays[d], hour, index, n,
                            kiosk_dash_site_open_hour (data->site, d, h) ? "yes" : "no");
      }
}

static void
csv_faces (GString        *out,
           const SiteData *data)
{
  kiosk_dash_csv_row (out, 3, "scale", "face", "responses");
  for (guint s = 2; s <= KIOSK_MAX_SCALE; s++)
    for (guint f = 0; f < s; f++)
      {
        g_autofree char *scale = NULL, *face = NULL, *n = NULL;

        if (data->total.faces[s][f] == 0 && s != kiosk_dash_counts_scale (&data->total))
          continue;
        scale = kiosk_dash_uint_csv (s);
        face = kiosk_dash_uint_csv (f);
        n = kiosk_dash_uint_csv (data->total.faces[s][f]);
        kiosk_dash_csv_row (out, 3, scale, face, n);
      }
}

static void
csv_reasons (GString          *out,
             KioskDashRequest *request,
             const SiteData   *data)
{
  /* The label in the reader's language beside the id, which stays the same in every one. */
  kiosk_dash_csv_row (out, 7, "mood", "rank", "follow_up", "option", "option_label", "answers",
                      "answers_with_a_reason");
  for (guint m = 0; m < 2; m++)
    for (guint i = 0; i < data->reasons[m]->len; i++)
      {
        KioskDashReason *reason = g_ptr_array_index (data->reasons[m], i);
        g_autofree char *rank = kiosk_dash_uint_csv (i + 1);
        g_autofree char *n = kiosk_dash_uint_csv (reason->n);
        g_autofree char *answered = kiosk_dash_uint_csv (reason->answered);

        kiosk_dash_csv_row (out, 7, m == KIOSK_DASH_UNHAPPY ? "unhappy" : "happy", rank,
                            reason->follow_up_id, reason->option_id,
                            kiosk_dash_reason_label (data->surveys, reason, request->language),
                            n, answered);
      }
}

static gboolean
csv_comments (GString        *out,
              PGconn         *conn,
              const SiteData *data,
              GError        **error)
{
  g_autoptr(GPtrArray) comments = kiosk_dash_data_comments (conn, data->site, &data->filter,
                                                            0, 0, NULL, error);

  if (comments == NULL)
    return FALSE;
  kiosk_dash_csv_row (out, 7, "local_time", "time", "face", "scale", "misuse", "comment",
                      "kiosk");
  for (guint i = 0; i < comments->len; i++)
    {
      KioskDashComment *c = g_ptr_array_index (comments, i);
      g_autofree char *utc = kiosk_dash_csv_time (c->time_us);
      g_autofree char *face = kiosk_dash_uint_csv ((guint64) c->face);
      g_autofree char *scale = kiosk_dash_uint_csv ((guint64) c->scale);

      kiosk_dash_csv_row (out, 7, c->local_time, utc, face, scale, c->misuse ? "yes" : "no",
                          c->comment, c->device_id);
    }
  return TRUE;
}

void
kiosk_dash_site_csv (KioskDashRequest *request,
                     PGconn           *conn,
                     KioskDashReply   *reply)
{
  static const char *const tables[] = { "daily", "hours", "faces", "reasons", "comments" };
  SiteData data = { 0 };
  g_autoptr(GString) problem = g_string_new (NULL);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;
  const char *arg = request->path_args && request->path_args->len > 1
                    ? g_ptr_array_index (request->path_args, 1) : "";
  const char *table = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    if (g_str_has_prefix (arg, tables[i]) && g_str_equal (arg + strlen (tables[i]), ".csv"))
      table = tables[i];
  if (table == NULL)
    {
      kiosk_dash_reply_error (reply, request, 404, D_("There is no such table."));
      return;
    }
  if (!load (request, conn, reply, table, &data, problem))
    {
      site_data_clear (&data);
      return;
    }

  if (g_str_equal (table, "daily"))
    csv_daily (body, &data);
  else if (g_str_equal (table, "hours"))
    csv_hours (body, &data);
  else if (g_str_equal (table, "faces"))
    csv_faces (body, &data);
  else if (g_str_equal (table, "reasons"))
    csv_reasons (body, request, &data);
  else if (!csv_comments (body, conn, &data, &error))
    {
      kiosk_dash_reply_database_error (reply, request, FALSE, error, "site %s",
                                       data.site->name);
      site_data_clear (&data);
      return;
    }

  file = g_strdup_printf ("%s-%s.csv", data.site->name, table);
  kiosk_dash_reply_csv (reply, file);
  g_string_append_len (reply->body, body->str, body->len);
  site_data_clear (&data);
}
