/* kiosk-test-ui.c: shared helpers of the display tests. */
#include "config.h"

#include <gtk/gtk.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "kiosk-admin-page.h"
#include "kiosk-test-ui.h"
#include "kiosk-test-util.h"

void
kiosk_test_collect (GtkWidget *root,
                    GType      type,
                    gboolean   mapped_only,
                    GPtrArray *found)
{
  if (mapped_only && !gtk_widget_get_mapped (root))
    return;

  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    g_ptr_array_add (found, root);

  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    kiosk_test_collect (child, type, mapped_only, found);
}

GtkWidget *
kiosk_test_find_mapped (GtkWidget *root,
                        GType      type)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  kiosk_test_collect (root, type, TRUE, found);
  return found->len > 0 ? g_ptr_array_index (found, 0) : NULL;
}

static gboolean
figures_shown (gpointer user_data)
{
  return !kiosk_admin_page_get_reading (user_data);
}

/* The admin screen on @window reads its figures on a worker thread: they show a moment after
 * the screen does. */
void
kiosk_test_wait_for_figures (KioskWindow *window)
{
  g_assert_cmpint (kiosk_window_get_page (window), ==, KIOSK_PAGE_ADMIN);
  g_assert_true (kiosk_test_wait_for (figures_shown, kiosk_window_get_page_widget (window), 5000));
}

/* As staff do: the hidden gesture's action, @pin on the PIN pad, OK; then the figures. */
void
kiosk_test_unlock_admin (KioskWindow *window,
                         const char  *pin)
{
  kiosk_test_activate (GTK_WIDGET (window), "admin.request", NULL);
  for (const char *p = pin; *p; p++)
    {
      char digit[2] = { *p, '\0' };

      kiosk_test_activate (GTK_WIDGET (window), "pin.digit", "s", digit);
    }
  kiosk_test_activate (GTK_WIDGET (window), "pin.submit", NULL);
  kiosk_test_wait_for_figures (window);
}

/* Every text a person can read under @root, " | " between them. */
char *
kiosk_test_dup_texts (GtkWidget *root)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  g_autoptr(GString) all = g_string_new (NULL);

  kiosk_test_collect (root, GTK_TYPE_LABEL, TRUE, labels);
  for (guint i = 0; i < labels->len; i++)
    {
      const char *text = gtk_label_get_text (g_ptr_array_index (labels, i));

      if (text && *text)
        g_string_append_printf (all, "%s%s", all->len ? " | " : "", text);
    }

  return g_string_free (g_steal_pointer (&all), FALSE);
}

gboolean
kiosk_test_shows_text (GtkWidget  *root,
                       const char *text)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  kiosk_test_collect (root, GTK_TYPE_LABEL, TRUE, labels);
  for (guint i = 0; i < labels->len; i++)
    if (g_strcmp0 (gtk_label_get_text (g_ptr_array_index (labels, i)), text) == 0)
      return TRUE;

  return FALSE;
}

static void
after_paint_cb (GdkFrameClock *clock,
                guint         *paints)
{
  (*paints)++;
}

static gboolean
painted (gpointer user_data)
{
  return *(guint *) user_data > 0;
}

/* Two frames: the first may still carry the previous page's allocation. */
void
kiosk_test_repaint (GtkWidget *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  guint paints = 0;
  gulong id;

  g_assert_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &paints);
  for (guint i = 0; i < 2; i++)
    {
      paints = 0;
      gtk_widget_queue_draw (window);
      g_assert_true (kiosk_test_wait_for (painted, &paints, 5000));
    }
  g_signal_handler_disconnect (clock, id);
}

void
kiosk_test_screenshot (GtkWidget  *widget,
                       const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ?: ".", name, NULL);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int w, h;

  /* What is on screen now, laid out. */
  kiosk_test_repaint (GTK_WIDGET (gtk_widget_get_root (widget)));
  w = gtk_widget_get_width (widget);
  h = gtk_widget_get_height (widget);
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* Everything on @page inside the window, every text fully shown (or ellipsized on purpose),
 * every button big enough for a finger (44 px, a keyboard key 40 px), no label that can be
 * selected. */
void
kiosk_test_check_layout (GtkWidget  *window,
                         GtkWidget  *page,
                         const char *what)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();
  int w, h;

  gtk_window_get_default_size (GTK_WINDOW (window), &w, &h);
  kiosk_test_repaint (window);
  if (gtk_widget_get_width (window) != w || gtk_widget_get_height (window) != h)
    {
      kiosk_test_screenshot (window, "layout-failure.png");
      g_error ("%s: the window grew to %dx%d", what, gtk_widget_get_width (window),
               gtk_widget_get_height (window));
    }

  kiosk_test_collect (page, GTK_TYPE_WIDGET, TRUE, widgets);
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);
      graphene_rect_t bounds;

      if (GTK_IS_LABEL (widget))
        g_assert_false (gtk_label_get_selectable (GTK_LABEL (widget)));

      if (!gtk_widget_compute_bounds (widget, window, &bounds) ||
          bounds.size.width <= 0 || bounds.size.height <= 0)
        continue;

      /* Inside the scrolled comment field, text may scroll. */
      if (gtk_widget_get_ancestor (widget, GTK_TYPE_TEXT_VIEW) != NULL)
        continue;

      if (bounds.origin.x < -0.5 || bounds.origin.y < -0.5 ||
          bounds.origin.x + bounds.size.width > w + 0.5 ||
          bounds.origin.y + bounds.size.height > h + 0.5)
        {
          kiosk_test_screenshot (window, "layout-failure.png");
          g_error ("%s: a %s at %.0f,%.0f %.0fx%.0f is outside %dx%d", what,
                   G_OBJECT_TYPE_NAME (widget), bounds.origin.x, bounds.origin.y,
                   bounds.size.width, bounds.size.height, w, h);
        }

      if (GTK_IS_BUTTON (widget))
        {
          gboolean key = gtk_widget_has_css_class (widget, "key");
          /* The keyboard's keys: 40 px tall (7.8 mm on the Pi's 7" display); twelve across a
           * 480 px portrait screen leave 36 px each. */
          int least_height = key ? 40 : 44, least_width = key ? 34 : 44;

          if (bounds.size.height < least_height || bounds.size.width < least_width)
            {
              kiosk_test_screenshot (window, "layout-failure.png");
              g_error ("%s: button “%s” is %.0fx%.0f, less than %dx%d px", what,
                       gtk_button_get_label (GTK_BUTTON (widget)) ?: "", bounds.size.width,
                       bounds.size.height, least_width, least_height);
            }
        }

      if (GTK_IS_LABEL (widget) && gtk_label_get_ellipsize (GTK_LABEL (widget)) ==
                                   PANGO_ELLIPSIZE_NONE)
        {
          int text_width, text_height;

          pango_layout_get_pixel_size (gtk_label_get_layout (GTK_LABEL (widget)), &text_width,
                                       &text_height);
          if (text_width > bounds.size.width + 0.5 || text_height > bounds.size.height + 0.5)
            {
              kiosk_test_screenshot (window, "layout-failure.png");
              g_error ("%s: “%s” needs %dx%d but has %.0fx%.0f", what,
                       gtk_label_get_text (GTK_LABEL (widget)), text_width, text_height,
                       bounds.size.width, bounds.size.height);
            }
        }
    }
}

/* NULL without xdotool or an X11 display: the test skips then. */
char *
kiosk_test_window_xid (GtkWidget *window)
{
#ifdef GDK_WINDOWING_X11
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  if (xdotool != NULL && GDK_IS_X11_SURFACE (surface))
    return g_strdup_printf ("%lu", (unsigned long) gdk_x11_surface_get_xid (surface));
#endif
  return NULL;
}

gboolean
kiosk_test_xdotool (const char *first_arg,
                    ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  int status = -1;
  va_list args;

  g_ptr_array_add (argv, (char *) "xdotool");
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH |
                     G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, NULL))
    return FALSE;

  return g_spawn_check_wait_status (status, NULL);
}

/* Activates @action on @widget, with a parameter built from @format and the arguments (none
 * when @format is %NULL), and asserts that the action exists. */
void
kiosk_test_activate (GtkWidget  *widget,
                     const char *action,
                     const char *format,
                     ...)
{
  g_autoptr(GVariant) parameter = NULL;
  va_list args;

  /* Sunk here: GTK does not consume a floating parameter of a widget-class action. */
  if (format != NULL)
    {
      va_start (args, format);
      parameter = g_variant_ref_sink (g_variant_new_va (format, NULL, &args));
      va_end (args);
    }

  g_assert_true (gtk_widget_activate_action_variant (widget, action, parameter));
}
