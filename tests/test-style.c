/* test-style.c: what the configuration changes in the look: high contrast, text scale; and that
 * the survey screen is usable without touch: accessible names and roles, keyboard focus. */
#define G_LOG_DOMAIN "test-style"

#include "config.h"

#include <gtk/gtk.h>

#include "kiosk-style.h"
#include "kiosk-test-util.h"
#include "kiosk-window.h"

typedef struct
{
  char        *dir;
  KioskStore  *store;
  KioskFlow   *flow;
  KioskWindow *window;
} Fixture;

static gboolean
mapped (gpointer user_data)
{
  return gtk_widget_get_mapped (user_data);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = kiosk_config_new_default ();
  g_autoptr(KioskClock) clock = kiosk_clock_new ();
  g_autoptr(KioskSurvey) survey = kiosk_survey_new_demo ();
  g_autofree char *db = NULL;

  f->dir = kiosk_test_make_tmpdir ();
  db = g_build_filename (f->dir, "responses.db", NULL);
  f->store = kiosk_store_open (db, KIOSK_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  f->flow = kiosk_flow_new (config, f->store, clock, survey);
  f->window = g_object_ref_sink (kiosk_window_new (NULL, f->flow, FALSE));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (kiosk_test_wait_for (mapped, f->window, 5000));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  g_clear_object (&f->flow);
  g_clear_object (&f->store);
  kiosk_test_rm_rf (f->dir);
  g_free (f->dir);
  kiosk_style_apply (gdk_display_get_default (), FALSE, 1.0);
}

static void
find_widgets (GtkWidget  *widget,
              GType       type,
              const char *css_class,
              GPtrArray  *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (css_class == NULL || gtk_widget_has_css_class (widget, css_class)))
    g_ptr_array_add (found, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    find_widgets (child, type, css_class, found);
}

static GtkWidget *
question_label (Fixture *f)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  find_widgets (GTK_WIDGET (f->window), GTK_TYPE_LABEL, "question", labels);
  g_assert_cmpuint (labels->len, >=, 1);
  return g_ptr_array_index (labels, 0);
}

static void
label_colour (GtkWidget *label,
              GdkRGBA   *colour)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (label), colour);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
test_high_contrast (Fixture       *f,
                    gconstpointer  data)
{
  GtkWidget *label = question_label (f);
  GdkRGBA normal, contrast;

  kiosk_style_apply (gdk_display_get_default (), FALSE, 1.0);
  label_colour (label, &normal);

  kiosk_style_apply (gdk_display_get_default (), TRUE, 1.0);
  label_colour (label, &contrast);
  g_assert_cmpfloat (contrast.red, ==, 0);
  g_assert_cmpfloat (contrast.green, ==, 0);
  g_assert_cmpfloat (contrast.blue, ==, 0);

  /* And back: nothing of it stays behind. */
  kiosk_style_apply (gdk_display_get_default (), FALSE, 1.0);
  label_colour (label, &contrast);
  g_assert_true (gdk_rgba_equal (&normal, &contrast));
}

static int
natural_height (GtkWidget *widget)
{
  int natural = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, -1, NULL, &natural, NULL, NULL);
  return natural;
}

static GtkWidget *scaled_label;
static double target;

static gboolean
label_grew (gpointer user_data)
{
  return natural_height (scaled_label) >= target;
}

static void
test_text_scale (Fixture       *f,
                 gconstpointer  data)
{
  GtkWidget *label = question_label (f);
  int normal, scaled;

  kiosk_style_apply (gdk_display_get_default (), FALSE, 1.0);
  normal = natural_height (label);

  kiosk_style_apply (gdk_display_get_default (), FALSE, 1.5);

  /* The new style applies at the next frame's style update. */
  target = normal * 1.35;
  scaled_label = label;
  kiosk_test_wait_for (label_grew, NULL, 3000);
  scaled = natural_height (label);

  g_test_message ("question label height: %d px at 1.0, %d px at 1.5", normal, scaled);
  g_assert_cmpfloat (scaled, >=, normal * 1.35);
}

/* Every face is a button with a name an assistive technology can read, and Tab reaches all
 * four faces, so the survey also works from a keyboard. */
static void
test_faces_accessible (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) faces = g_ptr_array_new ();
  g_autoptr(GHashTable) reached = g_hash_table_new (NULL, NULL);

  find_widgets (GTK_WIDGET (f->window), GTK_TYPE_BUTTON, "face", faces);
  g_assert_cmpuint (faces->len, ==, 4);

  for (guint i = 0; i < faces->len; i++)
    {
      GtkAccessible *face = g_ptr_array_index (faces, i);

      gtk_test_accessible_assert_role (face, GTK_ACCESSIBLE_ROLE_BUTTON);
      /* Named by its word ("Very happy"…), a label it is labelled by. */
      g_assert_true (gtk_test_accessible_has_property (face, GTK_ACCESSIBLE_PROPERTY_LABEL) ||
                     gtk_test_accessible_has_relation (face, GTK_ACCESSIBLE_RELATION_LABELLED_BY));
      g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (face)));
    }

  for (guint i = 0; i < 40 && g_hash_table_size (reached) < faces->len; i++)
    {
      GtkWidget *focus;

      gtk_widget_child_focus (GTK_WIDGET (f->window), GTK_DIR_TAB_FORWARD);
      focus = gtk_root_get_focus (GTK_ROOT (f->window));
      if (focus != NULL && g_ptr_array_find (faces, focus, NULL))
        g_hash_table_add (reached, focus);
    }
  g_assert_cmpuint (g_hash_table_size (reached), ==, 4);
}

int
main (int   argc,
      char *argv[])
{
  /* The test backend records accessible roles and properties for the assertions above. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_test_init (&argc, &argv, NULL);

  kiosk_style_apply (gdk_display_get_default (), FALSE, 1.0);

  g_test_add ("/style/high-contrast", Fixture, NULL, fixture_setup, test_high_contrast,
              fixture_teardown);
  g_test_add ("/style/text-scale", Fixture, NULL, fixture_setup, test_text_scale,
              fixture_teardown);
  g_test_add ("/style/faces-accessible", Fixture, NULL, fixture_setup, test_faces_accessible,
              fixture_teardown);

  return g_test_run ();
}
