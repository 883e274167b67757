/* kiosk-dash-figures.c: how the pages show the figures: a Happy Index and its trend in HTML,
 * the charts' data and drawing, and CSV cells and rows. */
#define G_LOG_DOMAIN "kiosk-dash"

#include <math.h>

#include "kiosk-chart.h"
#include "kiosk-csv.h"
#include "kiosk-dash-data.h"
#include "kiosk-dash-server.h"
#include "kiosk-html.h"

/* CSV cells */

char *
kiosk_dash_counts_index_csv (const KioskDashCounts *counts)
{
  double index = kiosk_dash_counts_index (counts);

  return isnan (index) ? g_strdup ("") : g_strdup_printf ("%.1f", index);
}

char *
kiosk_dash_uint_csv (guint64 value)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, value);
}

char *
kiosk_dash_csv_time (gint64 unix_us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_us / G_USEC_PER_SEC);

  return time ? g_date_time_format_iso8601 (time) : NULL;
}

char *
kiosk_dash_int_csv (gboolean known,
                    gint64   value)
{
  return known ? g_strdup_printf ("%" G_GINT64_FORMAT, value) : NULL;
}

/* Pieces the pages share */

void
kiosk_dash_html_index (GString               *out,
                       KioskDashRequest      *request,
                       const KioskDashCounts *counts)
{
  g_autofree char *index = kiosk_dash_format_index (request, kiosk_dash_counts_index (counts));
  g_autofree char *n = kiosk_dash_format_count (request, counts->n);
  /* Translators: the number of responses beside a Happy Index, as in "78 (n = 219)" */
  const char *n_equals = D_("n =");

  kiosk_html_format (out, "<span class=\"index\">%t</span> <span class=\"n\">(%t&#160;%t)</span>",
                     index, n_equals, n);
}

void
kiosk_dash_trend_fill (KioskDashTrend *chart,
                       GArray         *days,
                       const char     *index_title,
                       const char     *count_title)
{
  chart->days = g_new0 (KioskChartDay, days->len + 1);
  chart->n_days = days->len;
  chart->index_title = index_title;
  chart->count_title = count_title;
  chart->labels = g_ptr_array_new_with_free_func (g_free);
  kiosk_chart_style_init (&chart->style);
  for (guint i = 0; i < days->len; i++)
    {
      const KioskDashDay *day = &g_array_index (days, KioskDashDay, i);
      char label[16];

      g_date_strftime (label, sizeof label, "%d.%m.", &day->date);
      g_ptr_array_add (chart->labels, g_strdup (label));
      chart->days[i].index = kiosk_dash_counts_index (&day->counts);
      chart->days[i].responses = day->counts.n;
      chart->days[i].label = g_ptr_array_index (chart->labels, i);
    }
}

void
kiosk_dash_trend_clear (KioskDashTrend *chart)
{
  g_clear_pointer (&chart->days, g_free);
  g_clear_pointer (&chart->labels, g_ptr_array_unref);
}

void
kiosk_dash_trend_draw (cairo_t *cr,
                       double   width,
                       double   height,
                       gpointer user_data)
{
  KioskDashTrend *chart = user_data;

  kiosk_chart_draw_trend (cr, width, height, chart->days, chart->n_days, chart->index_title,
                          chart->count_title, &chart->style);
}

void
kiosk_dash_faces_draw (cairo_t *cr,
                       double   width,
                       double   height,
                       gpointer user_data)
{
  KioskDashFaces *chart = user_data;

  kiosk_chart_draw_faces (cr, width, height, chart->counts, chart->scale,
                          KIOSK_CHART_FACES_BARS, chart->labels, chart->values, &chart->style);
}

void
kiosk_dash_heatmap_fill (KioskDashHeatmap         *chart,
                         const KioskDashWeekHours *hours,
                         const gboolean            open[7][24],
                         const char               *language)
{
  kiosk_chart_style_init (&chart->style);
  for (guint d = 0; d < 7; d++)
    {
      chart->weekdays[d] = kiosk_dash_language_weekday_name (language, (GDateWeekday) (d + 1),
                                                             TRUE);
      for (guint h = 0; h < 24; h++)
        {
          chart->index[d][h] = kiosk_dash_counts_index (&hours->cells[d][h]);
          chart->counts[d][h] = hours->cells[d][h].n;
          chart->open[d][h] = open[d][h] || chart->counts[d][h] > 0;
        }
    }
}

void
kiosk_dash_heatmap_draw (cairo_t *cr,
                         double   width,
                         double   height,
                         gpointer user_data)
{
  KioskDashHeatmap *chart = user_data;

  kiosk_chart_draw_heatmap (cr, width, height, (const double (*)[24]) chart->index,
                            (const guint64 (*)[24]) chart->counts,
                            (const gboolean (*)[24]) chart->open, KIOSK_DASH_HEATMAP_MIN_COUNT,
                            TRUE, chart->weekdays, &chart->style);
}

void
kiosk_dash_html_trend (GString               *out,
                       KioskDashRequest      *request,
                       const KioskDashCounts *current,
                       const KioskDashCounts *previous)
{
  double now = kiosk_dash_counts_index (current);
  double before = kiosk_dash_counts_index (previous);
  g_autofree char *before_text = NULL;
  g_autofree char *label = NULL;
  const char *arrow, *class;

  if (isnan (now) || isnan (before))
    return;
  before_text = kiosk_dash_format_index (request, before);
  if (now - before >= 0.5)
    {
      arrow = "▲";
      class = "up";
      /* Translators: a trend arrow's text, %s is the previous period's Happy Index */
      label = g_strdup_printf (D_("up from %s"), before_text);
    }
  else if (before - now >= 0.5)
    {
      arrow = "▼";
      class = "down";
      label = g_strdup_printf (D_("down from %s"), before_text);
    }
  else
    {
      arrow = "▶";
      class = "same";
      label = g_strdup_printf (D_("as before (%s)"), before_text);
    }
  kiosk_html (out, " <span class=\"trend ");
  kiosk_html (out, class);
  kiosk_html (out, "\" title=\"");
  kiosk_html_attr (out, label);
  kiosk_html (out, "\"><span aria-hidden=\"true\">");
  kiosk_html (out, arrow);
  kiosk_html (out, "</span><span class=\"visually-hidden\">");
  kiosk_html_txt (out, label);
  kiosk_html (out, "</span></span>");
}

void
kiosk_dash_csv_row (GString *out,
                    guint    n_fields,
                    ...)
{
  va_list args;

  va_start (args, n_fields);
  for (guint i = 0; i < n_fields; i++)
    {
      g_autoptr(GString) field = g_string_new (NULL);

      /* One field at a time: kiosk_csv_field puts its comma after a non-empty line only. */
      kiosk_csv_field (field, va_arg (args, const char *));
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_len (out, field->str, field->len);
    }
  va_end (args);
  g_string_append (out, "\r\n");
}
