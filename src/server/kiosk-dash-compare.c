/* kiosk-dash-compare.c: the page "/compare": sites and groups ranked by Happy Index over the
 * filter's period, each site beside the average of its site type and of its country, so that a
 * country that rates lower does not read as worse service. */
#define G_LOG_DOMAIN "kiosk-dash"

#include <math.h>

#include "kiosk-dash-data.h"
#include "kiosk-dash-pages.h"
#include "kiosk-html.h"

static void
compare_page (KioskDashComparison *comparison,
              GString             *out,
              KioskDashRequest    *request,
              const char          *query)
{
  kiosk_html (out, "<p class=\"note\">");
  kiosk_html_txt (out, D_("People rate differently from country to country and from one kind "
                          "of place to another: read a site beside the average of its type "
                          "and of its country (of the sites you may see)."));
  kiosk_html (out, "</p>\n");

  kiosk_dash_table_begin (out, "compare", D_("Sites ranked by Happy Index"), D_("Rank"), D_("Site"),
                          D_("Happy Index"), D_("Site type"), D_("Average of the type"),
                          D_("Country"), D_("Average of the country"), NULL);
  for (guint i = 0; i < comparison->sites->len; i++)
    {
      KioskDashCompareRow *row = g_ptr_array_index (comparison->sites, i);

      kiosk_html (out, "<tr><td class=\"num\">");
      kiosk_html_txtf (out, "%u", i + 1);
      kiosk_html (out, "</td><th scope=\"row\">");
      kiosk_dash_site_link (out, row->site->name, row->site->title, query);
      kiosk_html (out, "</th><td>");
      kiosk_dash_html_index (out, request, &row->counts);
      kiosk_html (out, "</td><td>");
      kiosk_html_txt (out, row->site->site_type);
      kiosk_html (out, "</td><td>");
      kiosk_dash_html_index (out, request, &row->type->counts);
      kiosk_html (out, "</td><td>");
      kiosk_html_txt (out, row->site->country ? row->site->country : "–");
      kiosk_html (out, "</td><td>");
      if (row->country != NULL)
        kiosk_dash_html_index (out, request, &row->country->counts);
      kiosk_html (out, "</td></tr>\n");
    }
  kiosk_html (out, "</tbody></table>\n");

  if (comparison->groups->len > 0)
    {
      kiosk_dash_table_begin (out, "groups", D_("Groups ranked by Happy Index"), D_("Rank"),
                              D_("Group"), D_("Happy Index"), D_("Sites"), NULL);
      for (guint i = 0; i < comparison->groups->len; i++)
        {
          KioskDashAggregate *group = g_ptr_array_index (comparison->groups, i);
          g_autofree char *sites = kiosk_dash_format_count (request, group->sites);

          kiosk_html (out, "<tr><td class=\"num\">");
          kiosk_html_txtf (out, "%u", i + 1);
          kiosk_html (out, "</td><th scope=\"row\">");
          kiosk_html_txt (out, group->title);
          kiosk_html (out, "</th><td>");
          kiosk_dash_html_index (out, request, &group->counts);
          kiosk_html (out, "</td><td class=\"num\">");
          kiosk_html_txt (out, sites);
          kiosk_html (out, "</td></tr>\n");
        }
      kiosk_html (out, "</tbody></table>\n");
    }
}

static void
compare_csv (KioskDashComparison *comparison,
             GString             *out)
{
  kiosk_dash_csv_row (out, 12, "kind", "rank", "name", "title", "happy_index",
                      "responses", "site_type", "type_index", "type_responses", "country",
                      "country_index", "country_responses");
  for (guint i = 0; i < comparison->sites->len; i++)
    {
      KioskDashCompareRow *row = g_ptr_array_index (comparison->sites, i);
      g_autofree char *rank = kiosk_dash_uint_csv (i + 1);
      g_autofree char *index = kiosk_dash_counts_index_csv (&row->counts);
      g_autofree char *n = kiosk_dash_uint_csv (row->counts.n);
      g_autofree char *type_index = kiosk_dash_counts_index_csv (&row->type->counts);
      g_autofree char *type_n = kiosk_dash_uint_csv (row->type->counts.n);
      g_autofree char *country_index = row->country ? kiosk_dash_counts_index_csv (&row->country->counts) : NULL;
      g_autofree char *country_n = row->country ? kiosk_dash_uint_csv (row->country->counts.n) : NULL;

      kiosk_dash_csv_row (out, 12, "site", rank, row->site->name, row->site->title,
                          index, n, row->site->site_type, type_index, type_n,
                          row->site->country, country_index, country_n);
    }
  for (guint i = 0; i < comparison->groups->len; i++)
    {
      KioskDashAggregate *group = g_ptr_array_index (comparison->groups, i);
      g_autofree char *rank = kiosk_dash_uint_csv (i + 1);
      g_autofree char *index = kiosk_dash_counts_index_csv (&group->counts);
      g_autofree char *n = kiosk_dash_uint_csv (group->counts.n);

      kiosk_dash_csv_row (out, 12, "group", rank, group->key, group->title, index, n,
                          NULL, NULL, NULL, NULL, NULL, NULL);
    }
}

static const KioskDashFilteredPage compare = {
  (KioskDashFilteredQuery) kiosk_dash_data_compare, (GDestroyNotify) kiosk_dash_comparison_free,
  "compare", DN_("Compare"), FALSE, (KioskDashFilteredWrite) compare_page,
  (KioskDashFilteredCsv) compare_csv,
};

KIOSK_DASH_DEFINE_FILTERED_PAGE (kiosk_dash_compare, compare)
