/* kiosk-test-ui.c: shared helpers of the display tests. */
#include "config.h"

#include <string.h>

#include <gtk/gtk.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "kiosk-admin-page.h"
#include "kiosk-test-ui.h"
#include "kiosk-test-util.h"

/**
 * kiosk_test_ui_init:
 *
 * A display test's start: GTK for tests, this build's catalogues (so a test can read German),
 * and the kiosk's style sheet, as the application loads them.
 */
void
kiosk_test_ui_init (int    *argc,
                    char ***argv)
{
  static GtkCssProvider *css;

  gtk_test_init (argc, argv, NULL);
  kiosk_test_bind_catalogues ();

  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, RESOURCE_PATH "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/**
 * kiosk_test_kiosk_open_store:
 * @config: (nullable): the rest of the configuration: more keys of [kiosk], then other groups
 * @database_path: (nullable): the store's file; %NULL for the configuration's own
 *
 * The first half of a kiosk: a new state directory, the configuration that names it, and the
 * store, opened as the kiosk opens it (it starts even when the file cannot be written). What
 * the kiosk should find recorded can be recorded before kiosk_test_kiosk_show().
 */
void
kiosk_test_kiosk_open_store (KioskTestKiosk *kiosk,
                             const char     *config,
                             const char     *database_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *db = NULL;

  memset (kiosk, 0, sizeof *kiosk);
  kiosk->dir = kiosk_test_make_tmpdir ();
  text = g_strdup_printf ("[kiosk]\nstate-directory = %s\n%s", kiosk->dir, config ? config : "");
  kiosk->config = kiosk_config_new_from_data (text, -1, "test.conf", &error);
  g_assert_no_error (error);

  db = database_path ? g_strdup (database_path) : kiosk_config_dup_database_path (kiosk->config);
  kiosk->store = kiosk_store_open (db, KIOSK_STORE_OPEN_KEEP_GOING, &error);
  g_assert_no_error (error);
}

/**
 * kiosk_test_kiosk_show:
 * @survey: (nullable): the survey; %NULL for the demo
 * @width: the window's width, or 0 for the template's (with @height)
 *
 * The second half: the flow on a real clock, and the window, shown and painted.
 */
void
kiosk_test_kiosk_show (KioskTestKiosk *kiosk,
                       KioskSurvey    *survey,
                       gboolean        kiosk_mode,
                       int             width,
                       int             height)
{
  g_autoptr(KioskClock) clock = kiosk_clock_new ();
  g_autoptr(KioskSurvey) demo = survey ? NULL : kiosk_survey_new_demo ();

  kiosk->flow = kiosk_flow_new (kiosk->config, kiosk->store, clock, survey ? survey : demo);
  kiosk->window = g_object_ref_sink (kiosk_window_new (NULL, kiosk->flow, kiosk_mode));
  if (width > 0)
    gtk_window_set_default_size (GTK_WINDOW (kiosk->window), width, height);

  gtk_window_present (GTK_WINDOW (kiosk->window));
  g_assert_true (kiosk_test_wait_for ((gpointer) gtk_widget_get_mapped, kiosk->window, 5000));
  kiosk_test_repaint (GTK_WIDGET (kiosk->window));
}

/* Closes the window and proves that nothing keeps the flow or the store alive. */
void
kiosk_test_kiosk_close (KioskTestKiosk *kiosk)
{
  if (kiosk->window != NULL)
    gtk_window_destroy (GTK_WINDOW (kiosk->window));
  g_clear_object (&kiosk->window);
  if (kiosk->flow != NULL)
    g_assert_finalize_object (g_steal_pointer (&kiosk->flow));
  g_assert_finalize_object (g_steal_pointer (&kiosk->store));
  g_clear_object (&kiosk->config);
  kiosk_test_rm_rf (kiosk->dir);
  g_clear_pointer (&kiosk->dir, g_free);
}

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

/* The page on @window shows @text in a label, or the test fails with what it does show. */
void
kiosk_test_assert_shows (KioskWindow *window,
                         const char  *text)
{
  GtkWidget *page = kiosk_window_get_page_widget (window);
  g_autofree char *all = NULL;

  if (kiosk_test_shows_text (page, text))
    return;

  all = kiosk_test_dup_texts (page);
  g_error ("page %s does not show “%s”; it shows: %s",
           kiosk_page_id_get_name (kiosk_window_get_page (window)), text, all);
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

static gboolean
never (gpointer user_data)
{
  return FALSE;
}

/**
 * kiosk_test_hold:
 *
 * Lets @ms pass with the main loop turning, as a finger held on the screen or a pause between
 * taps takes time: every event is handled when it comes, every timer runs when it is due.
 * (Sleeping instead would hand GTK the press and the release together, afterwards.)
 */
void
kiosk_test_hold (guint ms)
{
  g_assert_false (kiosk_test_wait_for (never, NULL, ms));
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

/* kiosk_test_check_layout() of the page on @window's screen now. */
void
kiosk_test_check_page_layout (KioskWindow *window,
                              const char  *what)
{
  kiosk_test_check_layout (GTK_WIDGET (window), kiosk_window_get_page_widget (window), what);
}
