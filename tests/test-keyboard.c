/* test-keyboard.c: the on-screen keyboard types what its keys say, in every layout, into an
 * entry or a text view, with shift and backspace, and never past the maximum length. */
#define G_LOG_DOMAIN "test-keyboard"

#include "config.h"

#include <gtk/gtk.h>

#include "kiosk-keyboard.h"

typedef struct
{
  GtkWidget     *window;
  GtkWidget     *box;
  KioskKeyboard *keyboard;
  GtkWidget     *entry;
  GtkWidget     *view;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->window = gtk_window_new ();
  g_object_ref_sink (f->window);
  f->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  f->entry = gtk_entry_new ();
  f->view = gtk_text_view_new ();
  f->keyboard = KIOSK_KEYBOARD (kiosk_keyboard_new ());
  gtk_box_append (GTK_BOX (f->box), f->entry);
  gtk_box_append (GTK_BOX (f->box), f->view);
  gtk_box_append (GTK_BOX (f->box), GTK_WIDGET (f->keyboard));
  gtk_window_set_child (GTK_WINDOW (f->window), f->box);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 800, 480);
  kiosk_keyboard_set_target (f->keyboard, data ? f->view : f->entry);
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_assert_finalize_object (g_steal_pointer (&f->window));
}

static char *
target_text (Fixture *f)
{
  GtkWidget *target = kiosk_keyboard_get_target (f->keyboard);

  if (GTK_IS_TEXT_VIEW (target))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (target));
      GtkTextIter start, end;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    }

  return g_strdup (gtk_editable_get_text (GTK_EDITABLE (target)));
}

static void
type (Fixture    *f,
      const char *key)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->keyboard), "keyboard.type", "s", key));
}

static void
collect_keys (GtkWidget *widget,
              GPtrArray *keys)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_has_css_class (widget, "key"))
    g_ptr_array_add (keys, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    collect_keys (child, keys);
}

/* The key a finger would press: found by what it shows. */
static GtkWidget *
find_key (Fixture    *f,
          const char *label)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();

  collect_keys (GTK_WIDGET (f->keyboard), keys);
  for (guint i = 0; i < keys->len; i++)
    {
      GtkWidget *key = g_ptr_array_index (keys, i);

      if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (key)), label) == 0)
        return key;
    }

  return NULL;
}

static void
press (Fixture    *f,
       const char *label)
{
  GtkWidget *key = find_key (f, label);

  if (key == NULL)
    g_error ("layout %s has no key “%s”", kiosk_keyboard_get_layout (f->keyboard), label);
  g_signal_emit_by_name (key, "clicked");
}

typedef struct
{
  const char *language;
  const char *layout;
  const char *first_row;      /* the letters of the top letter row, in order */
  const char *keys;           /* pressed one by one, by their label */
  const char *expected;
  const char *absent;         /* a key this layout must not have */
} LayoutCase;

static const LayoutCase layout_cases[] = {
  { "en", "en", "qwertyuiop", "h e l l o", "hello", "ß" },
  { "de-AT", "de", "qwertzuiopü", "G r ü ß e", "grüße", "é" },
  { "fr", "fr", "azertyuiopé", "ç a é t é à è ù", "çaétéàèù", "ß" },
  { "fi", "fi", "qwertyuiopå", "h y v ä ä ö å", "hyvääöå", "ñ" },
  { "sv-SE", "fi", "qwertyuiopå", "s m å", "små", "ñ" },
  { "es", "es", "qwertyuiopáé", "a ñ o ¿ í ó ú ü ¡", "año¿íóúü¡", "ß" },
  { "ja", "en", "qwertyuiop", "a b c", "abc", "ä" },
};

static char *
first_letter_row (Fixture *f)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GString *row = g_string_new (NULL);

  collect_keys (GTK_WIDGET (f->keyboard), keys);
  for (guint i = 0; i < keys->len; i++)
    {
      GtkWidget *key = g_ptr_array_index (keys, i);
      const char *label = gtk_button_get_label (GTK_BUTTON (key));
      int column, y, width, height;

      gtk_grid_query_child (GTK_GRID (gtk_widget_get_parent (key)), key, &column, &y, &width,
                            &height);
      /* Digits first, then the letters. */
      if (y == 1)
        g_string_append (row, label);
    }

  return g_string_free (row, FALSE);
}

static void
test_layouts (Fixture       *f,
              gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (layout_cases); i++)
    {
      const LayoutCase *c = &layout_cases[i];
      g_auto(GStrv) keys = g_strsplit (c->keys, " ", -1);
      g_autofree char *text = NULL;
      g_autofree char *row = NULL;

      g_test_message ("layout for %s", c->language);
      gtk_editable_set_text (GTK_EDITABLE (f->entry), "");
      kiosk_keyboard_set_layout (f->keyboard, c->language);
      g_assert_cmpstr (kiosk_keyboard_get_layout (f->keyboard), ==, c->layout);

      row = first_letter_row (f);
      g_assert_cmpstr (row, ==, c->first_row);
      g_assert_null (find_key (f, c->absent));

      /* Pressed as a finger does: the button's own action, and the shift key first. */
      press (f, "⇧");
      for (guint k = 0; keys[k]; k++)
        {
          /* Under shift the first key shows its capital. */
          g_autofree char *label = k == 0 ? g_utf8_strup (keys[k], -1) : g_strdup (keys[k]);

          press (f, label);
        }

      text = target_text (f);
      {
        g_autofree char *expected = NULL;
        gunichar first = g_utf8_get_char (c->expected);
        char buf[8] = { 0 };

        /* Shift applied to the first key only. */
        g_unichar_to_utf8 (g_unichar_toupper (first), buf);
        expected = g_strconcat (buf, g_utf8_next_char (c->expected), NULL);
        g_assert_cmpstr (text, ==, expected);
      }
    }
}

static void
test_every_key_types (Fixture       *f,
                      gconstpointer  data)
{
  for (const char * const *id = kiosk_keyboard_list_layouts (); *id; id++)
    {
      g_autoptr(GPtrArray) keys = g_ptr_array_new ();
      guint typed = 0;

      kiosk_keyboard_set_layout (f->keyboard, *id);
      collect_keys (GTK_WIDGET (f->keyboard), keys);
      g_assert_cmpuint (keys->len, >=, 40);

      for (guint i = 0; i < keys->len; i++)
        {
          GtkWidget *key = g_ptr_array_index (keys, i);
          const char *action = gtk_actionable_get_action_name (GTK_ACTIONABLE (key));
          g_autofree char *before = NULL;
          g_autofree char *after = NULL;

          g_assert_nonnull (action);
          if (!g_str_equal (action, "keyboard.type"))
            continue;

          before = target_text (f);
          g_signal_emit_by_name (key, "clicked");
          after = target_text (f);
          g_assert_true (g_str_has_prefix (after, before));
          g_assert_cmpstr (after + strlen (before), ==, gtk_button_get_label (GTK_BUTTON (key)));
          typed++;
        }
      g_assert_cmpuint (typed, >=, 36);
    }
}

static void
test_shift (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *text = NULL;

  kiosk_keyboard_set_layout (f->keyboard, "de");
  g_assert_nonnull (find_key (f, "q"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->keyboard), "keyboard.shift", NULL));
  g_assert_true (kiosk_keyboard_get_shifted (f->keyboard));
  /* The keys show what they will type. */
  g_assert_nonnull (find_key (f, "Q"));
  g_assert_nonnull (find_key (f, "Ü"));
  g_assert_null (find_key (f, "q"));
  /* ß has no one-letter capital in everyday German: the key stays ß. */
  g_assert_nonnull (find_key (f, "ß"));

  type (f, "ü");
  g_assert_false (kiosk_keyboard_get_shifted (f->keyboard));
  g_assert_nonnull (find_key (f, "q"));
  type (f, "b");
  type (f, "e");
  type (f, "r");

  /* Shift on and off again types small letters. */
  gtk_widget_activate_action (GTK_WIDGET (f->keyboard), "keyboard.shift", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->keyboard), "keyboard.shift", NULL);
  g_assert_false (kiosk_keyboard_get_shifted (f->keyboard));
  gtk_widget_activate_action (GTK_WIDGET (f->keyboard), "keyboard.space", NULL);

  /* Shift does nothing to digits and punctuation, and does not stay on after them. */
  gtk_widget_activate_action (GTK_WIDGET (f->keyboard), "keyboard.shift", NULL);
  type (f, "4");
  type (f, "ß");
  type (f, "!");

  text = target_text (f);
  g_assert_cmpstr (text, ==, "Über 4ß!");
}

static void
test_backspace (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *text = NULL;

  kiosk_keyboard_set_layout (f->keyboard, "fr");
  type (f, "c");
  type (f, "a");
  type (f, "f");
  type (f, "é");
  /* One press removes one character, even a two-byte one. */
  press (f, "⌫");
  text = target_text (f);
  g_assert_cmpstr (text, ==, "caf");
  g_clear_pointer (&text, g_free);

  for (int i = 0; i < 10; i++)
    gtk_widget_activate_action (GTK_WIDGET (f->keyboard), "keyboard.backspace", NULL);
  text = target_text (f);
  g_assert_cmpstr (text, ==, "");
  g_clear_pointer (&text, g_free);

  type (f, "é");
  type (f, "t");
  type (f, "é");
  text = target_text (f);
  g_assert_cmpstr (text, ==, "été");
}

static GtkWidget *
find_counter (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "counter"))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_counter (child);

      if (found)
        return found;
    }

  return NULL;
}

static void
test_max_length (Fixture       *f,
                 gconstpointer  data)
{
  GtkWidget *counter = find_counter (GTK_WIDGET (f->keyboard));
  g_autofree char *text = NULL;

  g_assert_nonnull (counter);
  g_assert_false (gtk_widget_get_visible (counter));

  kiosk_keyboard_set_max_length (f->keyboard, 5);
  g_assert_true (gtk_widget_get_visible (counter));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (counter)), ==, "0 / 5");

  kiosk_keyboard_set_layout (f->keyboard, "fi");
  for (const char *k = "äöå"; *k; k = g_utf8_next_char (k))
    {
      char key[8] = { 0 };

      g_unichar_to_utf8 (g_utf8_get_char (k), key);
      type (f, key);
    }
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (counter)), ==, "3 / 5");
  g_assert_false (gtk_widget_has_css_class (counter, "at-limit"));

  gtk_widget_activate_action (GTK_WIDGET (f->keyboard), "keyboard.space", NULL);
  type (f, "x");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (counter)), ==, "5 / 5");
  g_assert_true (gtk_widget_has_css_class (counter, "at-limit"));

  /* Full: further keys type nothing, and the count stays. */
  type (f, "y");
  gtk_widget_activate_action (GTK_WIDGET (f->keyboard), "keyboard.space", NULL);
  press (f, "z");
  text = target_text (f);
  g_assert_cmpstr (text, ==, "äöå x");
  g_assert_cmpint (kiosk_keyboard_get_length (f->keyboard), ==, 5);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (counter)), ==, "5 / 5");

  /* Backspace makes room again. */
  gtk_widget_activate_action (GTK_WIDGET (f->keyboard), "keyboard.backspace", NULL);
  type (f, "z");
  g_clear_pointer (&text, g_free);
  text = target_text (f);
  g_assert_cmpstr (text, ==, "äöå z");

  /* Text arriving another way (a paste, a physical keyboard) is held to the limit too. */
  if (GTK_IS_TEXT_VIEW (kiosk_keyboard_get_target (f->keyboard)))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (f->view));

      gtk_text_buffer_set_text (buffer, "", -1);
      gtk_text_buffer_insert_at_cursor (buffer, "abcdefghij", -1);
    }
  else
    {
      gtk_editable_set_text (GTK_EDITABLE (f->entry), "abcdefghij");
      gtk_editable_set_position (GTK_EDITABLE (f->entry), -1);
    }
  g_clear_pointer (&text, g_free);
  text = target_text (f);
  g_assert_cmpstr (text, ==, "abcde");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (counter)), ==, "5 / 5");

  /* Lowering the limit never cuts what a visitor typed; it only stops more. */
  kiosk_keyboard_set_max_length (f->keyboard, 0);
  g_assert_false (gtk_widget_get_visible (counter));
  type (f, "k");
  g_clear_pointer (&text, g_free);
  text = target_text (f);
  g_assert_cmpstr (text, ==, "abcdek");
}

/* Typing replaces a selection, as on any keyboard. */
static void
test_replaces_selection (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *text = NULL;

  gtk_editable_set_text (GTK_EDITABLE (f->entry), "hello");
  gtk_editable_select_region (GTK_EDITABLE (f->entry), 1, 4);
  type (f, "a");
  text = target_text (f);
  g_assert_cmpstr (text, ==, "hao");
}

static void
test_target_follows (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  GtkWidget *other = gtk_text_new ();

  gtk_box_append (GTK_BOX (f->box), other);
  type (f, "a");
  kiosk_keyboard_set_target (f->keyboard, other);
  type (f, "b");
  a = g_strdup (gtk_editable_get_text (GTK_EDITABLE (f->entry)));
  b = g_strdup (gtk_editable_get_text (GTK_EDITABLE (other)));
  g_assert_cmpstr (a, ==, "a");
  g_assert_cmpstr (b, ==, "b");

  /* A target that goes away leaves a keyboard that types nowhere, harmlessly. */
  gtk_box_remove (GTK_BOX (f->box), other);
  g_assert_null (kiosk_keyboard_get_target (f->keyboard));
  type (f, "c");
}

static gboolean
keyboard_width_is (gpointer user_data)
{
  Fixture *f = user_data;
  int width, height;

  GtkWidget *key = find_key (f, "1");

  gtk_window_get_default_size (GTK_WINDOW (f->window), &width, &height);
  return gtk_widget_get_width (GTK_WIDGET (f->keyboard)) == width &&
         key != NULL && gtk_widget_get_height (key) > 0;
}

static gboolean
wait_for (gboolean (*condition) (gpointer),
          gpointer   user_data)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!condition (user_data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);

  return condition (user_data);
}

/* Big enough for a finger on the Pi's 800x480 display, every layout inside the width. */
static void
test_key_sizes (Fixture       *f,
                gconstpointer  data)
{
  const int widths[] = { 800, 480, 1280 };

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    for (const char * const *id = kiosk_keyboard_list_layouts (); *id; id++)
      {
        g_autoptr(GPtrArray) keys = g_ptr_array_new ();
        int min_width = 0;

        kiosk_keyboard_set_layout (f->keyboard, *id);
        gtk_widget_measure (GTK_WIDGET (f->keyboard), GTK_ORIENTATION_HORIZONTAL, -1,
                            &min_width, NULL, NULL, NULL);
        g_assert_cmpint (min_width, <=, widths[w]);

        gtk_window_set_default_size (GTK_WINDOW (f->window), widths[w], 800);
        g_assert_true (wait_for (keyboard_width_is, f));

        collect_keys (GTK_WIDGET (f->keyboard), keys);
        for (guint i = 0; i < keys->len; i++)
          {
            GtkWidget *key = g_ptr_array_index (keys, i);

            /* 40 px is 7.8 mm on the official 7" Raspberry Pi display. */
            g_assert_cmpint (gtk_widget_get_height (key), >=, 40);
            if (widths[w] >= 800)
              g_assert_cmpint (gtk_widget_get_width (key), >=, 50);
            else
              g_assert_cmpint (gtk_widget_get_width (key), >=, 32);
          }
      }
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

static void
wait_for_paint (Fixture *f)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (f->window);
  guint paints = 0;
  gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &paints);

  gtk_widget_queue_draw (f->window);
  g_assert_true (wait_for (painted, &paints));
  g_signal_handler_disconnect (clock, id);
}

/* Each layout at the Pi display's width, shifted and not, for people to look at. */
static void
test_screenshots (Fixture       *f,
                  gconstpointer  data)
{
  gtk_widget_add_css_class (f->window, "small");
  gtk_widget_set_visible (f->entry, FALSE);
  gtk_widget_set_visible (f->view, FALSE);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 800, 300);
  kiosk_keyboard_set_max_length (f->keyboard, 200);

  for (const char * const *id = kiosk_keyboard_list_layouts (); *id; id++)
    for (int shifted = 0; shifted <= 1; shifted++)
      {
        g_autofree char *name = g_strdup_printf ("keyboard-%s%s.png", *id,
                                                 shifted ? "-shift" : "");

        kiosk_keyboard_set_layout (f->keyboard, *id);
        kiosk_keyboard_set_shifted (f->keyboard, shifted);
        g_assert_true (wait_for (keyboard_width_is, f));
        wait_for_paint (f);
        save_screenshot (GTK_WIDGET (f->keyboard), name);
      }
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

  g_test_add ("/keyboard/layouts", Fixture, NULL, fixture_setup, test_layouts, fixture_teardown);
  g_test_add ("/keyboard/every-key", Fixture, NULL, fixture_setup, test_every_key_types,
              fixture_teardown);
  g_test_add ("/keyboard/shift", Fixture, NULL, fixture_setup, test_shift, fixture_teardown);
  g_test_add ("/keyboard/backspace/entry", Fixture, NULL, fixture_setup, test_backspace,
              fixture_teardown);
  g_test_add ("/keyboard/backspace/text-view", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_backspace, fixture_teardown);
  g_test_add ("/keyboard/max-length/entry", Fixture, NULL, fixture_setup, test_max_length,
              fixture_teardown);
  g_test_add ("/keyboard/max-length/text-view", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_max_length, fixture_teardown);
  g_test_add ("/keyboard/replaces-selection", Fixture, NULL, fixture_setup,
              test_replaces_selection, fixture_teardown);
  g_test_add ("/keyboard/target-follows", Fixture, NULL, fixture_setup, test_target_follows,
              fixture_teardown);
  g_test_add ("/keyboard/screenshots", Fixture, NULL, fixture_setup, test_screenshots,
              fixture_teardown);
  g_test_add ("/keyboard/key-sizes", Fixture, NULL, fixture_setup, test_key_sizes,
              fixture_teardown);

  return g_test_run ();
}
