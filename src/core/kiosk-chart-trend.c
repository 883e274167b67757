/* kiosk-chart-trend.c: the dashboard's charts over days: the trend of the Happy Index with its
 * responses, and the heat map of weekdays by hours. */
#define G_LOG_DOMAIN "kiosk-chart"

#include "config.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "kiosk-chart-private.h"
#include "kiosk-stats.h"

/* The trend */

/* The bars of responses take the lower part of the plot, beneath the line. */
#define TREND_BARS_SHARE 0.4
#define DOT_RADIUS       3.5

static void
legend_swatch_line (cairo_t         *cr,
                    const KioskRgba *color,
                    double           x,
                    double           y,
                    double           size)
{
  _kiosk_chart_set_color (cr, color);
  cairo_set_line_width (cr, 2);
  cairo_move_to (cr, x, y + size / 2);
  cairo_line_to (cr, x + size * 1.5, y + size / 2);
  cairo_stroke (cr);
  cairo_arc (cr, x + size * 0.75, y + size / 2, DOT_RADIUS, 0, 2 * G_PI);
  cairo_fill (cr);
}

void
kiosk_chart_draw_trend (cairo_t               *cr,
                        double                 width,
                        double                 height,
                        const KioskChartDay   *days,
                        guint                  n_days,
                        const char            *index_title,
                        const char            *count_title,
                        const KioskChartStyle *style)
{
  g_autoptr(PangoLayout) layout = NULL;
  g_autofree char *count_top = NULL;
  guint64 highest = 0, scale;
  int text_w, text_h, index_w, count_w, label_w = 0;
  double legend_h = 0, left, right, top, plot_w, plot_h, slot, base;
  KioskRgba bar = _kiosk_chart_faded (&style->text, 0.13);
  KioskRgba line = _kiosk_chart_faded (&style->text, 0.75);
  guint step = 1;
  gboolean drawing;

  g_return_if_fail (cr != NULL && style != NULL && (days != NULL || n_days == 0));

  for (guint i = 0; i < n_days; i++)
    highest = MAX (highest, days[i].responses);
  scale = kiosk_chart_nice_scale (highest);
  count_top = g_strdup_printf ("%" G_GUINT64_FORMAT, scale);

  cairo_save (cr);
  _kiosk_chart_paint_background (cr, width, height, style);
  layout = _kiosk_chart_create_layout (cr, style);

  _kiosk_chart_measure (layout, "100", &index_w, &text_h);
  _kiosk_chart_measure (layout, count_top, &count_w, NULL);

  /* A legend that names the line and the bars. */
  if (index_title || count_title)
    {
      double x = 0;

      legend_h = text_h + 2 * GAP;
      if (index_title)
        {
          legend_swatch_line (cr, &line, x, 0, text_h);
          x += text_h * 1.5 + GAP;
          _kiosk_chart_measure (layout, index_title, &text_w, NULL);
          _kiosk_chart_show_text (cr, layout, &style->text, index_title, x, 0);
          x += text_w + 4 * GAP;
        }
      if (count_title)
        {
          _kiosk_chart_fill_rect (cr, &bar, x, 0, text_h, text_h);
          x += text_h + GAP;
          _kiosk_chart_show_text (cr, layout, &style->text, count_title, x, 0);
        }
    }

  left = index_w + 2 * GAP;
  right = count_w + 2 * GAP;
  top = legend_h + text_h / 2.0;
  plot_w = width - left - right;
  plot_h = height - top - text_h - GAP;
  if (n_days == 0 || plot_w <= n_days || plot_h <= 16)
    goto out;
  slot = plot_w / n_days;
  base = top + plot_h;

  /* The index axis at the left, 0 to 100 in quarters. */
  for (int q = 0; q <= 4; q++)
    {
      g_autofree char *value = g_strdup_printf ("%d", q * 25);
      double y = base - plot_h * q / 4.0;

      _kiosk_chart_fill_rect (cr, q == 0 ? &style->text : &style->grid, left, y, plot_w, 1);
      _kiosk_chart_measure (layout, value, &text_w, NULL);
      _kiosk_chart_show_text (cr, layout, &style->text, value, left - GAP - text_w,
                              y - text_h / 2.0);
    }

  /* The count axis at the right: its top, where the bars' share of the plot ends. */
  if (scale > 0)
    {
      double y = base - plot_h * TREND_BARS_SHARE;

      _kiosk_chart_fill_rect (cr, &style->grid, left + plot_w, y, GAP, 1);
      _kiosk_chart_show_text (cr, layout, &style->text, count_top, left + plot_w + GAP * 1.5,
                              y - text_h / 2.0);
      _kiosk_chart_show_text (cr, layout, &style->text, "0", left + plot_w + GAP * 1.5,
                              base - text_h / 2.0);
    }

  for (guint i = 0; i < n_days; i++)
    {
      double h;

      if (scale == 0 || days[i].responses == 0)
        continue;
      h = plot_h * TREND_BARS_SHARE * (double) days[i].responses / (double) scale;
      _kiosk_chart_fill_rect (cr, &bar, left + i * slot + slot * 0.2, base - h, slot * 0.6, h);
    }

  /* The line, broken where a day has no index. */
  _kiosk_chart_set_color (cr, &line);
  cairo_set_line_width (cr, 2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  drawing = FALSE;
  for (guint i = 0; i < n_days; i++)
    {
      double x = left + (i + 0.5) * slot;

      if (isnan (days[i].index))
        {
          drawing = FALSE;
          continue;
        }
      if (drawing)
        cairo_line_to (cr, x, base - plot_h * CLAMP (days[i].index, 0, 100) / 100.0);
      else
        cairo_move_to (cr, x, base - plot_h * CLAMP (days[i].index, 0, 100) / 100.0);
      drawing = TRUE;
    }
  cairo_stroke (cr);

  /* Dots in the index's own colour, so a bad day stands out. */
  for (guint i = 0; i < n_days; i++)
    {
      KioskRgba color;
      double x = left + (i + 0.5) * slot;

      if (isnan (days[i].index))
        continue;
      color = kiosk_chart_index_color (days[i].index);
      cairo_arc (cr, x, base - plot_h * CLAMP (days[i].index, 0, 100) / 100.0, DOT_RADIUS, 0,
                 2 * G_PI);
      _kiosk_chart_set_color (cr, &color);
      cairo_fill_preserve (cr);
      _kiosk_chart_set_color (cr, &line);
      cairo_set_line_width (cr, 1);
      cairo_stroke (cr);
    }

  /* Day labels, thinned out so none overlaps the next. */
  for (guint i = 0; i < n_days; i++)
    if (days[i].label)
      {
        _kiosk_chart_measure (layout, days[i].label, &text_w, NULL);
        label_w = MAX (label_w, text_w);
      }
  step = MAX (1, (guint) ceil ((label_w + 2 * GAP) / slot));
  for (guint i = 0; i < n_days; i += step)
    {
      if (!days[i].label)
        continue;
      _kiosk_chart_measure (layout, days[i].label, &text_w, NULL);
      _kiosk_chart_show_text (cr, layout, &style->text, days[i].label,
                              CLAMP (left + (i + 0.5) * slot - text_w / 2.0, 0, width - text_w),
                              base + GAP);
    }

out:
  cairo_restore (cr);
}

/* The heat map */

#define HEATMAP_LEGEND_BAR 10.0

static void
hatch (cairo_t         *cr,
       const KioskRgba *color,
       double           x,
       double           y,
       double           w,
       double           h)
{
  cairo_save (cr);
  cairo_rectangle (cr, x, y, w, h);
  cairo_clip (cr);
  _kiosk_chart_set_color (cr, color);
  cairo_set_line_width (cr, 1);
  for (double d = -h; d < w; d += 6)
    {
      cairo_move_to (cr, x + d, y + h);
      cairo_line_to (cr, x + d + h, y);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

void
kiosk_chart_draw_heatmap (cairo_t               *cr,
                          double                 width,
                          double                 height,
                          const double           index[7][24],
                          const guint64          counts[7][24],
                          const gboolean         open[7][24],
                          guint                  min_count,
                          gboolean               show_counts,
                          const char *const      weekday_labels[7],
                          const KioskChartStyle *style)
{
  g_autoptr(PangoLayout) layout = NULL;
  int text_w, text_h, hour_w, label_w = 0;
  double left, top, plot_w, plot_h, cell_w, cell_h, legend_y;
  KioskRgba pale = _kiosk_chart_faded (&style->grid, 0.3);
  guint every = 1;
  cairo_pattern_t *ramp;

  g_return_if_fail (cr != NULL && index != NULL && counts != NULL && style != NULL);

  cairo_save (cr);
  _kiosk_chart_paint_background (cr, width, height, style);
  layout = _kiosk_chart_create_layout (cr, style);

  _kiosk_chart_measure (layout, "00", &hour_w, &text_h);
  for (guint day = 0; day < 7 && weekday_labels; day++)
    if (weekday_labels[day])
      {
        _kiosk_chart_measure (layout, weekday_labels[day], &text_w, NULL);
        label_w = MAX (label_w, text_w);
      }

  left = label_w + 2 * GAP;
  top = text_h + GAP;
  plot_w = width - left;
  /* Below the grid: the colour scale, 0 to 100. */
  plot_h = height - top - (GAP * 2 + HEATMAP_LEGEND_BAR + text_h);
  if (plot_w <= 48 || plot_h <= 14)
    goto out;
  cell_w = plot_w / 24;
  cell_h = plot_h / 7;

  while (every < 24 && hour_w + GAP > cell_w * every)
    every = every < 3 ? every + 1 : every * 2;
  for (guint hour = 0; hour < 24; hour += every)
    {
      g_autofree char *label = g_strdup_printf ("%02u", hour);

      _kiosk_chart_show_text (cr, layout, &style->text, label,
                              left + hour * cell_w + (cell_w - hour_w) / 2.0, 0);
    }

  for (guint day = 0; day < 7; day++)
    {
      double y = top + day * cell_h;

      if (weekday_labels && weekday_labels[day])
        {
          _kiosk_chart_measure (layout, weekday_labels[day], &text_w, NULL);
          _kiosk_chart_show_text (cr, layout, &style->text, weekday_labels[day],
                                  left - GAP - text_w,
                                  y + (cell_h - text_h) / 2.0);
        }

      for (guint hour = 0; hour < 24; hour++)
        {
          double x = left + hour * cell_w + 1;
          double w = cell_w - 2, h = cell_h - 2;
          KioskRgba fill, ink;
          g_autofree char *count = NULL;

          if (open && !open[day][hour])
            continue;

          if (counts[day][hour] < MAX (min_count, 1) || isnan (index[day][hour]))
            {
              /* Too few to say anything: no colour, so nobody reads a mood into it. */
              _kiosk_chart_fill_rect (cr, &pale, x, y + 1, w, h);
              hatch (cr, &style->grid, x, y + 1, w, h);
              ink = style->text;
            }
          else
            {
              fill = kiosk_chart_index_color (index[day][hour]);
              _kiosk_chart_fill_rect (cr, &fill, x, y + 1, w, h);
              ink = _kiosk_chart_text_on (&fill);
            }

          if (!show_counts || counts[day][hour] == 0)
            continue;
          count = g_strdup_printf ("%" G_GUINT64_FORMAT, counts[day][hour]);
          _kiosk_chart_measure (layout, count, &text_w, NULL);
          if (text_w + 2 > w || text_h > h)
            continue;
          _kiosk_chart_show_text (cr, layout, &ink, count, x + (w - text_w) / 2.0,
                                  y + 1 + (h - text_h) / 2.0);
        }
    }

  /* The colour scale: the same stops as the cells, labelled at its ends and middle. */
  legend_y = top + plot_h + GAP;
  ramp = cairo_pattern_create_linear (left, 0, left + plot_w / 3, 0);
  for (guint i = 0; i < G_N_ELEMENTS (_kiosk_chart_index_stops); i++)
    cairo_pattern_add_color_stop_rgba (ramp, _kiosk_chart_index_stops[i].at / 100,
                                       _kiosk_chart_index_stops[i].color.r,
                                       _kiosk_chart_index_stops[i].color.g,
                                       _kiosk_chart_index_stops[i].color.b,
                                       _kiosk_chart_index_stops[i].color.a);
  cairo_set_source (cr, ramp);
  cairo_rectangle (cr, left, legend_y, plot_w / 3, HEATMAP_LEGEND_BAR);
  cairo_fill (cr);
  cairo_pattern_destroy (ramp);
  for (int i = 0; i <= 2; i++)
    {
      g_autofree char *value = g_strdup_printf ("%d", i * 50);

      _kiosk_chart_measure (layout, value, &text_w, NULL);
      _kiosk_chart_show_text (cr, layout, &style->text, value,
                              CLAMP (left + plot_w / 6 * i - text_w / 2.0, left, width - text_w),
                              legend_y + HEATMAP_LEGEND_BAR + GAP / 2);
    }

out:
  cairo_restore (cr);
}
