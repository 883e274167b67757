/* kiosk-hour-chart.c: the admin screen's chart of today's responses: the core's
 * kiosk_chart_draw_hours() (the same drawing the dashboard serves) in the theme's colour and font.
 * The widget keeps the counts and the scale so tests and screen readers can ask for them. */
#define G_LOG_DOMAIN "kiosk-hour-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "kiosk-chart.h"
#include "kiosk-hour-chart.h"

struct _KioskHourChart
{
  GtkWidget parent_instance;

  guint64   counts[24][KIOSK_HOUR_CHART_FACES];
  guint64   scale;       /* the top of the axis; 0 when nothing was recorded */
};

G_DEFINE_FINAL_TYPE (KioskHourChart, kiosk_hour_chart, GTK_TYPE_WIDGET)

G_STATIC_ASSERT (KIOSK_HOUR_CHART_FACES == KIOSK_CHART_FACES);

static void
get_text_color (GtkWidget *widget,
                GdkRGBA   *color)
{
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
}

/* The widget's font in pixels, as its own Pango layouts would size it. */
static double
get_font_size (PangoContext               *context,
               const PangoFontDescription *desc)
{
  double size = (double) pango_font_description_get_size (desc) / PANGO_SCALE;
  double dpi;

  if (pango_font_description_get_size_is_absolute (desc))
    return size;

  dpi = pango_cairo_context_get_resolution (context);
  return size * (dpi > 0 ? dpi : 96) / 72.0;
}

static void
kiosk_hour_chart_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  KioskHourChart *self = KIOSK_HOUR_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  PangoContext *context = gtk_widget_get_pango_context (widget);
  const PangoFontDescription *desc = pango_context_get_font_description (context);
  KioskChartStyle style;
  GdkRGBA text;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  /* The theme's text colour and font on a transparent ground, so it sits in the page. */
  kiosk_chart_style_init (&style);
  get_text_color (widget, &text);
  style.text = (KioskRgba) { text.red, text.green, text.blue, text.alpha };
  style.grid = style.text;
  style.grid.a *= 0.25;
  style.background.a = 0;
  style.font_family = pango_font_description_get_family (desc);
  style.font_size = get_font_size (context, desc);
  style.font_options = pango_cairo_context_get_font_options (context);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  kiosk_chart_draw_hours (cr, width, height, (const guint64 (*)[KIOSK_CHART_FACES]) self->counts,
                          NULL,
                          /* Translators: in the admin screen's chart of responses per hour */
                          _("No responses yet today"), &style);
  cairo_destroy (cr);
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
  g_return_if_fail (KIOSK_IS_HOUR_CHART (self));

  if (memcmp (self->counts, counts, sizeof self->counts) == 0)
    return;

  memcpy (self->counts, counts, sizeof self->counts);
  self->scale = kiosk_chart_hours_scale ((const guint64 (*)[KIOSK_CHART_FACES]) self->counts);
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
