/* kiosk-hour-chart.c: the admin screen's chart of today's responses, drawn with GTK's snapshot
 * API: one stacked bar per hour (very happy at the bottom, very unhappy on top) in the faces'
 * own colours, a scale rounded to 1, 2 or 5 times a power of ten, and the hours underneath. */
#define G_LOG_DOMAIN "kiosk-hour-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kiosk-hour-chart.h"

struct _KioskHourChart
{
  GtkWidget parent_instance;

  guint64   counts[24][KIOSK_HOUR_CHART_FACES];
  guint64   scale;       /* the top of the axis; 0 when nothing was recorded */
};

G_DEFINE_FINAL_TYPE (KioskHourChart, kiosk_hour_chart, GTK_TYPE_WIDGET)

/* The artwork's colours, face 0 (very unhappy) to 3 (very happy): the same as on the survey. */
static const GdkRGBA face_colors[KIOSK_HOUR_CHART_FACES] = {
  { 0xb3 / 255., 0x26 / 255., 0x1e / 255., 1 },
  { 0xf2 / 255., 0x8b / 255., 0x82 / 255., 1 },
  { 0x8b / 255., 0xc3 / 255., 0x4a / 255., 1 },
  { 0x1e / 255., 0x7b / 255., 0x34 / 255., 1 },
};

#define HOUR_LABEL_EVERY 3
#define GAP              4.0

static guint64
nice_scale (guint64 highest)
{
  guint64 power = 1;

  if (highest == 0)
    return 0;

  for (;;)
    {
      if (highest <= power)
        return power;
      if (highest <= 2 * power)
        return 2 * power;
      if (highest <= 5 * power)
        return 5 * power;
      power *= 10;
    }
}

static void
get_text_color (GtkWidget *widget,
                GdkRGBA   *color)
{
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
}

static void
append_text (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             const GdkRGBA *color,
             double         x,
             double         y)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
kiosk_hour_chart_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  KioskHourChart *self = KIOSK_HOUR_CHART (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  g_autofree char *top = g_strdup_printf ("%" G_GUINT64_FORMAT, self->scale);
  GdkRGBA text, faint;
  int text_w, text_h, top_w;
  double left, bottom, plot_w, plot_h, slot;

  get_text_color (widget, &text);
  faint = text;
  faint.alpha *= 0.25;

  pango_layout_set_text (layout, top, -1);
  pango_layout_get_pixel_size (layout, &top_w, &text_h);
  left = top_w + 2 * GAP;
  bottom = text_h + GAP;
  plot_w = width - left;
  plot_h = height - bottom - text_h / 2.0;
  if (plot_w <= 24 || plot_h <= 8)
    return;
  slot = plot_w / 24.0;

  /* The axis: a line at the bottom, a faint one at the top with its value. */
  gtk_snapshot_append_color (snapshot, &faint,
                             &GRAPHENE_RECT_INIT (left, text_h / 2.0, plot_w, 1));
  gtk_snapshot_append_color (snapshot, &text,
                             &GRAPHENE_RECT_INIT (left, text_h / 2.0 + plot_h, plot_w, 1));
  append_text (snapshot, layout, &text, left - GAP - top_w, 0);

  for (guint hour = 0; hour < 24; hour++)
    {
      double x = left + hour * slot + slot * 0.15;
      double y = text_h / 2.0 + plot_h;

      /* Very happy at the bottom, very unhappy on top. */
      for (int face = KIOSK_HOUR_CHART_FACES - 1; face >= 0 && self->scale > 0; face--)
        {
          double h = plot_h * (double) self->counts[hour][face] / (double) self->scale;

          if (h <= 0)
            continue;
          y -= h;
          gtk_snapshot_append_color (snapshot, &face_colors[face],
                                     &GRAPHENE_RECT_INIT (x, y, slot * 0.7, h));
        }

      if (hour % HOUR_LABEL_EVERY == 0)
        {
          g_autofree char *label = g_strdup_printf ("%02u", hour);

          pango_layout_set_text (layout, label, -1);
          pango_layout_get_pixel_size (layout, &text_w, NULL);
          append_text (snapshot, layout, &text, left + hour * slot + (slot - text_w) / 2.0,
                       height - text_h);
        }
    }

  if (self->scale == 0)
    {
      /* Translators: in the admin screen's chart of responses per hour */
      pango_layout_set_text (layout, _("No responses yet today"), -1);
      pango_layout_get_pixel_size (layout, &text_w, NULL);
      append_text (snapshot, layout, &text, left + (plot_w - text_w) / 2.0,
                   text_h / 2.0 + (plot_h - text_h) / 2.0);
    }
}

static void
kiosk_hour_chart_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 720;
    }
  else
    {
      *minimum = 80;
      *natural = 200;
    }
}

static void
kiosk_hour_chart_class_init (KioskHourChartClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = kiosk_hour_chart_snapshot;
  widget_class->measure = kiosk_hour_chart_measure;

  gtk_widget_class_set_css_name (widget_class, "hourchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
kiosk_hour_chart_init (KioskHourChart *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  /* Translators: for screen readers: the admin screen's chart */
                                  _("Responses per hour today"), -1);
}

GtkWidget *
kiosk_hour_chart_new (void)
{
  return g_object_new (KIOSK_TYPE_HOUR_CHART, NULL);
}

/**
 * kiosk_hour_chart_set_counts:
 * @counts: responses per local hour (0 to 23) and face (0 = very unhappy)
 */
void
kiosk_hour_chart_set_counts (KioskHourChart *self,
                             const guint64   counts[24][KIOSK_HOUR_CHART_FACES])
{
  guint64 highest = 0;

  g_return_if_fail (KIOSK_IS_HOUR_CHART (self));

  if (memcmp (self->counts, counts, sizeof self->counts) == 0)
    return;

  memcpy (self->counts, counts, sizeof self->counts);
  for (guint hour = 0; hour < 24; hour++)
    {
      guint64 total = 0;

      for (guint face = 0; face < KIOSK_HOUR_CHART_FACES; face++)
        total += counts[hour][face];
      highest = MAX (highest, total);
    }

  self->scale = nice_scale (highest);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint64
kiosk_hour_chart_get_count (KioskHourChart *self,
                            guint           hour,
                            guint           face)
{
  g_return_val_if_fail (KIOSK_IS_HOUR_CHART (self), 0);
  g_return_val_if_fail (hour < 24 && face < KIOSK_HOUR_CHART_FACES, 0);

  return self->counts[hour][face];
}

/* Returns: the value at the top of the axis (1, 2 or 5 times a power of ten); 0 when empty */
guint64
kiosk_hour_chart_get_scale (KioskHourChart *self)
{
  g_return_val_if_fail (KIOSK_IS_HOUR_CHART (self), 0);

  return self->scale;
}
