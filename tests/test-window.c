/* test-window.c: the kiosk window under a real display (Xvfb): votes through the action, the
 * pages, the layout at the screen sizes kiosks have, and the escape routes that must stay shut. */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <gtk/gtk.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "kiosk-test-util.h"
#include "kiosk-window.h"

typedef struct
{
  char        *dir;
  KioskStore  *store;
  KioskFlow   *flow;
  KioskWindow *window;
  guint        paints;
} Fixture;

static void
after_paint_cb (GdkFrameClock *clock,
                Fixture       *f)
{
  f->paints++;
}

static gboolean
window_painted (gpointer user_data)
{
  Fixture *f = user_data;

  return f->paints > 0;
}

static void
make_window_sized (Fixture    *f,
                   gboolean    kiosk_mode,
                   const char *db_path,
                   int         width,
                   int         height)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskClock) clock = kiosk_clock_new ();
  g_autoptr(KioskSurvey) survey = kiosk_survey_new_demo ();
  g_autofree char *db = NULL;

  f->dir = kiosk_test_make_tmpdir ();
  db = db_path ? g_strdup (db_path) : g_build_filename (f->dir, "responses.db", NULL);
  config = kiosk_config_new_from_data ("[kiosk]\nthank-you-seconds = 0.5\n", -1, "t.conf", &error);
  g_assert_no_error (error);
  f->store = kiosk_store_open (db, KIOSK_STORE_OPEN_KEEP_GOING, &error);
  g_assert_no_error (error);
  f->flow = kiosk_flow_new (config, f->store, clock, survey);
  f->window = kiosk_window_new (NULL, f->flow, kiosk_mode);
  g_object_ref_sink (f->window);
  if (width > 0)
    gtk_window_set_default_size (GTK_WINDOW (f->window), width, height);

  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (kiosk_test_wait_for ((gpointer) gtk_widget_get_mapped, f->window, 5000));
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (f->window)), "after-paint",
                    G_CALLBACK (after_paint_cb), f);
  gtk_widget_queue_draw (GTK_WIDGET (f->window));
  g_assert_true (kiosk_test_wait_for (window_painted, f, 5000));
}

static void
make_window (Fixture    *f,
             gboolean    kiosk_mode,
             const char *db_path)
{
  make_window_sized (f, kiosk_mode, db_path, -1, -1);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  make_window (f, GPOINTER_TO_INT (data), NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->window));

  if (clock != NULL)
    g_signal_handlers_disconnect_by_func (clock, after_paint_cb, f);
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  g_assert_finalize_object (g_steal_pointer (&f->flow));
  g_assert_finalize_object (g_steal_pointer (&f->store));
  kiosk_test_rm_rf (f->dir);
  g_free (f->dir);
}

static gboolean
on_survey_page (gpointer user_data)
{
  Fixture *f = user_data;

  return g_strcmp0 (kiosk_window_get_page (f->window), "survey") == 0;
}

static void
test_vote_shows_thanks_and_returns (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  KioskResponse *r;

  g_assert_cmpstr (kiosk_window_get_page (f->window), ==, "survey");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "survey.vote", "(is)",
                                             2, "touch"));

  /* The commit returned before the page changed: the row is there as the thanks page shows. */
  g_assert_cmpstr (kiosk_window_get_page (f->window), ==, "thanks");
  rows = kiosk_store_list_responses (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  r = g_ptr_array_index (rows, 0);
  g_assert_cmpint (r->face, ==, 2);
  g_assert_cmpint (r->input, ==, KIOSK_INPUT_TOUCH);
  g_assert_cmpint (r->seq, ==, 1);

  g_assert_true (kiosk_test_wait_for (on_survey_page, f, 5000));

  /* A physical button uses the same action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "survey.vote", "(is)",
                                             0, "button"));
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = kiosk_store_list_responses (f->store, &error);
  g_assert_cmpuint (rows->len, ==, 2);
  r = g_ptr_array_index (rows, 1);
  g_assert_cmpint (r->face, ==, 0);
  g_assert_cmpint (r->input, ==, KIOSK_INPUT_BUTTON);
}

static void
test_bad_vote_ignored (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = NULL;

  g_test_expect_message ("kiosk-window", G_LOG_LEVEL_WARNING,
                         "survey.vote: Face 7 does not exist (this survey has faces 0 to 3)");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "survey.vote", "(is)", 7, "touch");
  g_test_expect_message ("kiosk-window", G_LOG_LEVEL_WARNING,
                         "survey.vote: unknown input kind “telepathy”");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "survey.vote", "(is)", 1, "telepathy");
  g_test_assert_expected_messages ();

  g_assert_cmpstr (kiosk_window_get_page (f->window), ==, "survey");
  rows = kiosk_store_list_responses (f->store, NULL);
  g_assert_cmpuint (rows->len, ==, 0);
}

static guint
count_toplevels (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  return g_list_model_get_n_items (toplevels);
}

static void
test_close_blocked_in_kiosk_mode (Fixture       *f,
                                  gconstpointer  data)
{
  gboolean handled = FALSE;
  guint before = count_toplevels ();

  gtk_window_close (GTK_WINDOW (f->window));
  g_main_context_iteration (NULL, FALSE);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window)));

  /* The inspector binding (Ctrl+Shift+I/D) ends in this signal; nothing may open. */
  g_signal_emit_by_name (f->window, "enable-debugging", (gboolean) TRUE, &handled);
  g_assert_true (handled);
  g_signal_emit_by_name (f->window, "enable-debugging", (gboolean) FALSE, &handled);
  g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (count_toplevels (), ==, before);

  g_assert_true (gtk_window_get_decorated (GTK_WINDOW (f->window)) == FALSE);
  g_assert_cmpstr (gtk_widget_get_cursor (GTK_WIDGET (f->window)) ?
                   gdk_cursor_get_name (gtk_widget_get_cursor (GTK_WIDGET (f->window))) : NULL,
                   ==, "none");
}

static gboolean
window_hidden (gpointer user_data)
{
  return !gtk_widget_get_visible (user_data);
}

static void
test_close_allowed_windowed (Fixture       *f,
                             gconstpointer  data)
{
  gtk_window_close (GTK_WINDOW (f->window));
  g_assert_true (kiosk_test_wait_for (window_hidden, f->window, 2000));
}

static gboolean
run_xdotool (const char *first_arg,
             ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
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
                     NULL, NULL, NULL, NULL, &status, &error))
    return FALSE;

  return g_spawn_check_wait_status (status, NULL);
}

static gboolean
sentinel_key_cb (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 gboolean              *seen)
{
  if (keyval == GDK_KEY_a)
    *seen = TRUE;

  return GDK_EVENT_PROPAGATE;
}

static gboolean
flag_set (gpointer user_data)
{
  return *(gboolean *) user_data;
}

/* Real key presses through the X server, as a visitor with a keyboard would type them. */
static void
test_escape_keys_do_nothing (Fixture       *f,
                             gconstpointer  data)
{
  const char *combos[] = {
    "Escape", "F11", "alt+F4", "ctrl+q", "ctrl+w", "alt+Tab", "ctrl+shift+i", "ctrl+shift+d",
    "super", "ctrl+alt+BackSpace",
  };
  g_autofree char *xid = NULL;
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (f->window));
  guint before = count_toplevels ();
  GtkEventController *sentinel;
  gboolean seen = FALSE;

#ifdef GDK_WINDOWING_X11
  if (xdotool != NULL && GDK_IS_X11_SURFACE (surface))
    xid = g_strdup_printf ("%lu", (unsigned long) gdk_x11_surface_get_xid (surface));
#endif
  if (xid == NULL)
    {
      g_test_skip ("needs xdotool and an X11 display");
      return;
    }

  g_assert_true (run_xdotool ("windowfocus", "--sync", xid, NULL));

  /* X delivers keys in order: once a plain "a" typed after the combination arrived, the
   * combination has been handled. */
  sentinel = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (sentinel, GTK_PHASE_CAPTURE);
  g_signal_connect (sentinel, "key-pressed", G_CALLBACK (sentinel_key_cb), &seen);
  gtk_widget_add_controller (GTK_WIDGET (f->window), sentinel);

  for (guint i = 0; i < G_N_ELEMENTS (combos); i++)
    {
      seen = FALSE;
      g_assert_true (run_xdotool ("key", "--clearmodifiers", combos[i], "a", NULL));
      g_assert_true (kiosk_test_wait_for (flag_set, &seen, 5000));

      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window)));
      g_assert_cmpuint (count_toplevels (), ==, before);
      g_assert_cmpstr (kiosk_window_get_page (f->window), ==, "survey");
    }

  /* The keys really reached the window: Enter on a focused face would be a vote, but no face
   * takes focus from a click, so nothing was recorded either. */
  g_assert_cmpint (kiosk_store_get_last_seq (f->store), ==, 0);
}

typedef struct
{
  int width;
  int height;
} Size;

static gboolean
allocated_at (gpointer user_data)
{
  Fixture *f = user_data;
  int w = gtk_widget_get_width (GTK_WIDGET (f->window));
  int h = gtk_widget_get_height (GTK_WIDGET (f->window));
  int dw, dh;

  gtk_window_get_default_size (GTK_WINDOW (f->window), &dw, &dh);
  return w == dw && h == dh;
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ?: ".", name, NULL);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static void
collect_buttons (GtkWidget *widget,
                 GPtrArray *buttons)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_has_css_class (widget, "face"))
    g_ptr_array_add (buttons, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    collect_buttons (child, buttons);
}

/* Each face at least 20 % of the width in landscape, all four in the lower part of the screen,
 * every word fully shown, at the sizes kiosks really have. */
static void
test_layout_sizes (Fixture       *f,
                   gconstpointer  data)
{
  const Size sizes[] = {
    { 1280, 800 }, { 800, 480 }, { 1920, 1080 }, { 1024, 600 }, { 480, 800 }, { 1080, 1920 },
  };
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      int w = sizes[s].width, h = sizes[s].height;
      gboolean landscape = w > h;
      g_autofree char *name = g_strdup_printf ("screenshot-%dx%d.png", w, h);
      g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

      /* As a kiosk starts: at its monitor's size from the first frame. */
      fixture_teardown (f, NULL);
      memset (f, 0, sizeof *f);
      make_window_sized (f, FALSE, NULL, w, h);
      g_assert_true (kiosk_test_wait_for (allocated_at, f, 5000));
      f->paints = 0;
      g_assert_true (kiosk_test_wait_for (window_painted, f, 5000));

      collect_buttons (GTK_WIDGET (f->window), buttons);
      g_assert_cmpuint (buttons->len, ==, 4);

      for (guint i = 0; i < buttons->len; i++)
        {
          GtkWidget *button = g_ptr_array_index (buttons, i);
          GtkWidget *face = gtk_widget_get_first_child (gtk_button_get_child (GTK_BUTTON (button)));
          GtkWidget *word = gtk_widget_get_next_sibling (face);
          graphene_rect_t face_bounds, word_bounds;
          int text_width, text_height;
          double side;

          g_assert_true (gtk_widget_compute_bounds (face, GTK_WIDGET (f->window), &face_bounds));
          g_assert_true (gtk_widget_compute_bounds (word, GTK_WIDGET (f->window), &word_bounds));
          side = MIN (face_bounds.size.width, face_bounds.size.height);
          g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->window)), ==, w);

          if (landscape)
            g_assert_cmpfloat (side, >=, 0.20 * w);
          else
            g_assert_cmpfloat (side, >=, 0.18 * w);

          /* Reach height: the faces sit in the lower part of the screen. */
          g_assert_cmpfloat (face_bounds.origin.y + face_bounds.size.height / 2, >, 0.5 * h);
          g_assert_cmpfloat (word_bounds.origin.y + word_bounds.size.height, <=, h);

          /* The word's text, as laid out, fits in what the label was given. */
          pango_layout_get_pixel_size (gtk_label_get_layout (GTK_LABEL (word)), &text_width,
                                       &text_height);
          g_assert_cmpfloat (word_bounds.size.height, >=, text_height);
          g_assert_cmpfloat (word_bounds.size.width, >=, text_width);
        }

      save_screenshot (GTK_WIDGET (f->window), name);
    }
}

static void
test_storage_failing_is_shown (void)
{
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  const char *status;

  /* A state directory that cannot exist: the kiosk starts anyway and says so. */
  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_WARNING, "*held in memory*");
  make_window (f, FALSE, "/proc/smiley-kiosk-test/responses.db");
  g_test_assert_expected_messages ();

  g_assert_cmpint (kiosk_store_get_health (f->store), ==, KIOSK_STORAGE_FAILING);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "survey.vote", "(is)",
                                             3, "touch"));
  g_assert_cmpstr (kiosk_window_get_page (f->window), ==, "thanks");
  g_assert_cmpuint (kiosk_store_get_unwritten (f->store), ==, 1);

  kiosk_flow_return_to_survey (f->flow);
  {
    GtkWidget *page = gtk_stack_get_visible_child (
      GTK_STACK (gtk_window_get_child (GTK_WINDOW (f->window))));
    GtkWidget *label = gtk_widget_get_last_child (page);

    g_assert_true (GTK_IS_LABEL (label));
    g_assert_true (gtk_widget_get_visible (label));
    status = gtk_label_get_label (GTK_LABEL (label));
    g_assert_cmpstr (status, ==,
                     "Storage failing: responses are kept in memory until it works again");
  }

  /* Teardown would warn about the held response: that warning is the point. */
  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_WARNING, "1 responses could not be written*");
  fixture_teardown (f, NULL);
  g_test_assert_expected_messages ();
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) css = NULL;

  gtk_test_init (&argc, &argv, NULL);

  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, RESOURCE_PATH "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_test_add ("/window/vote", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_vote_shows_thanks_and_returns, fixture_teardown);
  g_test_add ("/window/bad-vote", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_bad_vote_ignored, fixture_teardown);
  g_test_add ("/window/kiosk/close-and-inspector", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_close_blocked_in_kiosk_mode, fixture_teardown);
  g_test_add ("/window/kiosk/escape-keys", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_escape_keys_do_nothing, fixture_teardown);
  g_test_add ("/window/windowed/close", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_close_allowed_windowed, fixture_teardown);
  g_test_add ("/window/layout", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_layout_sizes, fixture_teardown);
  g_test_add_func ("/window/storage-failing", test_storage_failing_is_shown);

  return g_test_run ();
}
