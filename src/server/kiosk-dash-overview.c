/* kiosk-dash-overview.c: the page "/": every site the user may see, its Happy Index today, over
 * 7 and over 30 days beside the period before, its responses, misuse and silent kiosks. */
#define G_LOG_DOMAIN "kiosk-dash"

#include <math.h>

#include "kiosk-dash-data.h"
#include "kiosk-dash-pages.h"
#include "kiosk-html.h"

/* The overview's periods end now. */
static gpointer
overview_now (PGconn                *conn,
              const KioskDashUser   *user,
              const KioskDashFilter *filter,
              GError               **error)
{
  return kiosk_dash_data_overview (conn, user, filter, g_get_real_time (), error);
}

static void
overview_page (GPtrArray        *rows,
               GString          *out,
               KioskDashRequest *request,
               const char       *query)
{
  if (rows->len == 0)
    {
      kiosk_dash_paragraph (out, D_("There is no site you may see. "
                                    "An administrator can give you access."));
    }
  else
    {
      kiosk_html (out, "<table class=\"overview\">\n<caption>");
      kiosk_html_txt (out, D_("Happy Index by site, each beside its number of responses; "
                                 "the arrow compares with the period before"));
      kiosk_html (out, "</caption>\n<thead><tr>");
      kiosk_dash_th (out, D_("Site"));
      kiosk_dash_th (out, D_("Today"));
      kiosk_dash_th (out, D_("7 days"));
      kiosk_dash_th (out, D_("30 days"));
      kiosk_dash_th (out, D_("Responses (30 days)"));
      kiosk_dash_th (out, D_("Misuse (30 days)"));
      kiosk_dash_th (out, D_("Kiosks"));
      kiosk_html (out, "</tr></thead>\n<tbody>\n");

      for (guint i = 0; i < rows->len; i++)
        {
          KioskDashOverviewRow *row = g_ptr_array_index (rows, i);
          const KioskDashCounts *month = &row->current[KIOSK_DASH_MONTH];
          g_autofree char *all = kiosk_dash_format_count (request, month->all);
          g_autofree char *misuse = kiosk_dash_format_share (request, month->misuse, month->all);
          g_autofree char *kiosks = kiosk_dash_format_count (request, row->kiosks);

          kiosk_html (out, row->silent > 0 ? "<tr class=\"silent\">" : "<tr>");
          kiosk_html (out, "<th scope=\"row\">");
          kiosk_dash_site_link (out, row->site->name, row->site->title, query);
          kiosk_html (out, "</th>");
          for (guint p = 0; p < KIOSK_DASH_N_PERIODS; p++)
            {
              kiosk_html (out, "<td>");
              kiosk_dash_html_index (out, request, &row->current[p]);
              kiosk_dash_html_trend (out, request, &row->current[p], &row->previous[p]);
              kiosk_html (out, "</td>");
            }
          kiosk_html (out, "<td class=\"num\">");
          kiosk_html_txt (out, all);
          kiosk_html (out, "</td><td class=\"num\">");
          kiosk_html_txt (out, misuse);
          kiosk_html (out, "</td><td>");
          kiosk_html_txt (out, kiosks);
          if (row->silent > 0)
            {
              g_autofree char *silent = kiosk_dash_format_count (request, row->silent);

              kiosk_html (out, " <strong class=\"alert\">");
              /* Translators: %s is a number of kiosks without a heartbeat for 15 minutes of
               * opening time */
              kiosk_html_txtf (out, D_("%s silent"), silent);
              kiosk_html (out, "</strong>");
            }
          kiosk_html (out, "</td></tr>\n");
        }
      kiosk_html (out, "</tbody>\n</table>\n");
    }
}

static void
overview_csv (GPtrArray *rows,
              GString   *out)
{
  kiosk_dash_csv_row (out, 17, "site", "title",
                      "index_today", "n_today", "index_previous_day", "n_previous_day",
                      "index_7_days", "n_7_days", "index_previous_7_days", "n_previous_7_days",
                      "index_30_days", "n_30_days", "index_previous_30_days",
                      "n_previous_30_days", "responses_30_days", "misuse_30_days",
                      "kiosks_silent");
  for (guint i = 0; i < rows->len; i++)
    {
      KioskDashOverviewRow *row = g_ptr_array_index (rows, i);
      char *v[15] = { NULL };

      for (guint p = 0; p < KIOSK_DASH_N_PERIODS; p++)
        {
          v[4 * p] = kiosk_dash_counts_index_csv (&row->current[p]);
          v[4 * p + 1] = kiosk_dash_uint_csv (row->current[p].n);
          v[4 * p + 2] = kiosk_dash_counts_index_csv (&row->previous[p]);
          v[4 * p + 3] = kiosk_dash_uint_csv (row->previous[p].n);
        }
      v[12] = kiosk_dash_uint_csv (row->current[KIOSK_DASH_MONTH].all);
      v[13] = kiosk_dash_uint_csv (row->current[KIOSK_DASH_MONTH].misuse);
      v[14] = kiosk_dash_uint_csv (row->silent);
      kiosk_dash_csv_row (out, 17, row->site->name, row->site->title,
                          v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10],
                          v[11], v[12], v[13], v[14]);
      for (guint k = 0; k < G_N_ELEMENTS (v); k++)
        g_free (v[k]);
    }
}

/* Today, 7 and 30 days are the overview's periods: a date range would change nothing. */
static const KioskDashFilteredPage overview = {
  overview_now, (GDestroyNotify) g_ptr_array_unref, "overview", DN_("Overview"), TRUE,
  (KioskDashFilteredWrite) overview_page, (KioskDashFilteredCsv) overview_csv,
};

KIOSK_DASH_DEFINE_FILTERED_PAGE (kiosk_dash_overview, overview)
