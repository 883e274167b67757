/* ref-circles.c: the floor any GTK 4 kiosk stands on: one monitor-sized window with four coloured
 * circles, no resources and no CSS. bench-startup measures smiley-kiosk against it. */
#define G_LOG_DOMAIN "ref-circles"

#include <gtk/gtk.h>
#include <stdio.h>

/* Red, orange, yellow-green, green: the four faces without their features. */
static const double colours[4][3] = {
  { 0.88, 0.11, 0.14 },
  { 0.96, 0.47, 0.00 },
  { 0.76, 0.78, 0.12 },
  { 0.18, 0.76, 0.49 },
};

static void
draw_circles (GtkDrawingArea *area,
              cairo_t        *cr,
              int             width,
              int             height,
              gpointer        user_data)
{
  double cell = width / 4.0;
  double radius = MIN (cell, (double) height) * 0.38;

  cairo_set_source_rgb (cr, 0.97, 0.96, 0.95);
  cairo_paint (cr);

  for (guint i = 0; i < G_N_ELEMENTS (colours); i++)
    {
      cairo_set_source_rgb (cr, colours[i][0], colours[i][1], colours[i][2]);
      cairo_arc (cr, cell * (i + 0.5), height / 2.0, radius, 0, 2 * G_PI);
      cairo_fill (cr);
    }
}

static void
after_first_paint_cb (GdkFrameClock *clock,
                      GtkWidget     *widget)
{
  gint64 now = g_get_monotonic_time ();
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  /* Same line and same clock as smiley-kiosk, so bench-startup reads both alike. */
  fprintf (stderr, "ref-circles: first-frame %" G_GINT64_FORMAT "\n", now);
  fprintf (stderr, "ref-circles: renderer %s\n",
           renderer ? G_OBJECT_TYPE_NAME (renderer) : "(none)");
  fflush (stderr);
  g_signal_handlers_disconnect_by_func (clock, after_first_paint_cb, widget);
}

static void
window_mapped_cb (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  if (clock != NULL)
    g_signal_connect (clock, "after-paint", G_CALLBACK (after_first_paint_cb), widget);
}

/* Like the kiosk: without a window manager (Xvfb) fullscreen is not honoured, so the window
 * asks for the first monitor's size itself. */
static void
size_to_monitor (GtkWindow *window)
{
  GListModel *monitors = gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (window)));
  g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, 0);
  GdkRectangle geometry;

  if (monitor == NULL)
    return;

  gdk_monitor_get_geometry (monitor, &geometry);
  gtk_window_set_default_size (window, geometry.width, geometry.height);
}

static void
activate_cb (GtkApplication *app)
{
  GtkWidget *window = gtk_application_window_new (app);
  GtkWidget *area = gtk_drawing_area_new ();

  gtk_window_set_title (GTK_WINDOW (window), "Four circles");
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_circles, NULL, NULL);
  gtk_window_set_child (GTK_WINDOW (window), area);

  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  size_to_monitor (GTK_WINDOW (window));
  gtk_window_fullscreen (GTK_WINDOW (window));

  g_signal_connect (window, "map", G_CALLBACK (window_mapped_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) app = NULL;

  app = gtk_application_new ("org.smileykiosk.RefCircles", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
