/* test-keyboard.c: the on-screen keyboard types what its keys say, in every layout, into an
 * entry or a text view, with shift and backspace, and never past the maximum length. Each
 * shipped language's whole alphabet is typed key by key (held keys for accented letters) and
 * compared with the alphabet written out below, independently of the keyboard data. */
#define G_LOG_DOMAIN "test-keyboard"

#include "config.h"

#include <gtk/gtk.h>

#include "kiosk-keyboard.h"
#include "kiosk-keyboard-layout.h"
#include "kiosk-test-ui.h"
#include "kiosk-test-util.h"

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

/* The keys of the keyboard itself, not those a held key shows. */
static void
collect_keys (GtkWidget *widget,
              GPtrArray *keys)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  kiosk_test_collect (widget, GTK_TYPE_BUTTON, FALSE, buttons);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (gtk_widget_has_css_class (button, "key") &&
          !gtk_widget_has_css_class (button, "key-variant"))
        g_ptr_array_add (keys, button);
    }
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
  { "en", "us", "qwertyuiop", "h e l l o", "hello", "ß" },
  { "de-AT", "de", "qwertzuiopü", "G r ü ß e", "grüße", "é" },
  { "fr", "fr", "azertyuiop", "ç a é t é à è ù", "çaétéàèù", "ß" },
  { "fi", "fi", "qwertyuiopå", "h y v ä ä ö å", "hyvääöå", "ñ" },
  { "sv-SE", "se", "qwertyuiopå", "s m å", "små", "ñ" },
  { "es", "es", "qwertyuiop", "a ñ o ç", "añoç", "ß" },
  { "it", "it", "qwertyuiopè", "p e r ò ì", "peròì", "ß" },
  { "tr", "tr", "qwertyuıopğü", "ı ş ı k", "ışık", "ß" },
  { "ru", "ru", "йцукенгшщзхъ", "п р и в е т ё", "приветё", "q" },
  { "he", "il", "קראטוןםפ", "ש ל ו ם", "שלום", "q" },
  { "ar", "ara", "ضصثقفغعهخحجد", "س ل ا م", "سلام", "q" },
  /* Japanese needs an input method: the Latin keyboard, for an e-mail address, say. */
  { "ja", "us", "qwertyuiop", "a b c", "abc", "ä" },
  /* Not in the table: the XKB layout of the language's own code, else "us". */
  { "lt", "lt", "qwertyuiop", "a b c", "abc", "ä" },
  { "xx", "us", "qwertyuiop", "a b c", "abc", "ä" },
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
      gboolean cased;

      g_test_message ("layout for %s", c->language);
      gtk_editable_set_text (GTK_EDITABLE (f->entry), "");
      kiosk_keyboard_set_layout (f->keyboard, c->language);
      g_assert_cmpstr (kiosk_keyboard_get_layout (f->keyboard), ==, c->layout);

      row = first_letter_row (f);
      g_assert_cmpstr (row, ==, c->first_row);
      g_assert_null (find_key (f, c->absent));

      /* Pressed as a finger does: the button's own action, and the shift key first when the
       * script has capitals. */
      cased = g_unichar_toupper (g_utf8_get_char (c->expected)) != g_utf8_get_char (c->expected);
      if (cased)
        press (f, "⇧");
      for (guint k = 0; keys[k]; k++)
        {
          /* Under shift the first key shows its capital. */
          g_autofree char *label = k == 0 && cased ? g_utf8_strup (keys[k], -1)
                                                   : g_strdup (keys[k]);

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

/* Each shipped language's letters, written out here rather than read from any keyboard data,
 * and the XKB layout its keyboard comes from. */
static const struct
{
  const char *language;
  const char *layout;
  const char *alphabet;
} alphabets[] = {
  { "en", "us", "abcdefghijklmnopqrstuvwxyz" },
  { "de", "de", "abcdefghijklmnopqrstuvwxyzäöüß" },
  { "es", "es", "abcdefghijklmnñopqrstuvwxyzáéíóúü" },
  { "fi", "fi", "abcdefghijklmnopqrstuvwxyzåäöšž" },
  { "fr", "fr", "abcdefghijklmnopqrstuvwxyzàâæçéèêëîïôœùûüÿ" },
  { "sv", "se", "abcdefghijklmnopqrstuvwxyzåäöé" },
  { "nl", "us", "abcdefghijklmnopqrstuvwxyzáéëèïíóöúü" },
  { "it", "it", "abcdefghijklmnopqrstuvwxyzàèéìíòóùú" },
  { "pl", "pl", "aąbcćdeęfghijklłmnńoóprsśtuwyzźżqvx" },
  { "tr", "tr", "abcçdefgğhıijklmnoöprsştuüvyzâîôûqwx" },
  { "ru", "ru", "абвгдеёжзийклмнопрстуфхцчшщъыьэюя" },
  { "ar", "ara", "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى" },
  { "he", "il", "אבגדהוזחטיכךלמםנןסעפףצץקרשת" },
};

static GtkWidget *
find_variant (Fixture    *f,
              const char *label)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  kiosk_test_collect (GTK_WIDGET (f->keyboard), GTK_TYPE_BUTTON, FALSE, buttons);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (gtk_widget_has_css_class (button, "key-variant") &&
          g_strcmp0 (gtk_button_get_label (GTK_BUTTON (button)), label) == 0)
        return button;
    }

  return NULL;
}

/* Types @letter as a finger would: its key, else the key that shows it when held. */
static void
type_letter (Fixture    *f,
             const char *letter)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GtkWidget *key = find_key (f, letter);

  if (key != NULL)
    {
      g_signal_emit_by_name (key, "clicked");
      return;
    }

  collect_keys (GTK_WIDGET (f->keyboard), keys);
  for (guint i = 0; i < keys->len; i++)
    {
      GtkWidget *held = g_ptr_array_index (keys, i);
      GtkWidget *variant;

      if (!gtk_widget_has_css_class (held, "has-variants"))
        continue;

      kiosk_test_activate (GTK_WIDGET (f->keyboard), "keyboard.variants", "s",
                           gtk_button_get_label (GTK_BUTTON (held)));
      variant = find_variant (f, letter);
      if (variant != NULL)
        {
          g_signal_emit_by_name (variant, "clicked");
          return;
        }
    }

  g_error ("the %s keyboard cannot type “%s”", kiosk_keyboard_get_layout (f->keyboard), letter);
}

static void
test_alphabets (Fixture       *f,
                gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (alphabets); i++)
    {
      g_autofree char *text = NULL;

      g_test_message ("alphabet of %s", alphabets[i].language);
      gtk_editable_set_text (GTK_EDITABLE (f->entry), "");
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (f->view)), "", -1);
      kiosk_keyboard_set_layout (f->keyboard, alphabets[i].language);
      g_assert_cmpstr (kiosk_keyboard_get_layout (f->keyboard), ==, alphabets[i].layout);

      for (const char *p = alphabets[i].alphabet; *p; p = g_utf8_next_char (p))
        {
          g_autofree char *letter = g_strndup (p, g_utf8_next_char (p) - p);

          type_letter (f, letter);
        }

      text = target_text (f);
      g_assert_cmpstr (text, ==, alphabets[i].alphabet);
    }

  /* Every language the keyboard table has a layout for builds a keyboard with letters. */
  for (const char * const *l = kiosk_keyboard_list_languages (); *l; l++)
    {
      kiosk_keyboard_set_layout (f->keyboard, *l);
      g_assert_nonnull (find_key (f, "1"));
      g_assert_null (find_key (f, "{space}"));
    }
}

/* What shift makes of a key, language by language: capitals from the layout (Turkish i is İ),
 * Arabic's vowel marks and alef forms, nothing in Hebrew (no shift key there at all). */
static const struct
{
  const char *language;
  const char *key;
  const char *label;     /* what the key shows under shift */
  const char *typed;
} shift_cases[] = {
  { "en", "q", "Q", "Q" },
  { "de", "ü", "Ü", "Ü" },
  { "de", "ß", "ß", "ß" },
  { "fr", "é", "É", "É" },
  { "es", "ñ", "Ñ", "Ñ" },
  { "fi", "å", "Å", "Å" },
  { "sv", "ö", "Ö", "Ö" },
  { "nl", "j", "J", "J" },
  { "it", "è", "È", "È" },
  { "pl", "z", "Z", "Z" },
  { "tr", "i", "İ", "İ" },
  { "tr", "ı", "I", "I" },
  { "ru", "ё", "Ё", "Ё" },
  { "ar", "ا", "أ", "أ" },
  { "ar", "ض", "◌َ", "َ" },
  { "he", "ש", NULL, "ש" },
};

static void
test_shift_languages (Fixture       *f,
                      gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (shift_cases); i++)
    {
      g_autofree char *text = NULL;
      GtkWidget *key;

      g_test_message ("shift in %s: %s", shift_cases[i].language, shift_cases[i].key);
      gtk_editable_set_text (GTK_EDITABLE (f->entry), "");
      kiosk_keyboard_set_layout (f->keyboard, shift_cases[i].language);
      key = find_key (f, shift_cases[i].key);
      g_assert_nonnull (key);

      if (shift_cases[i].label == NULL)
        g_assert_null (find_key (f, "⇧"));
      else
        {
          press (f, "⇧");
          g_assert_true (kiosk_keyboard_get_shifted (f->keyboard));
          g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (key)), ==, shift_cases[i].label);
        }

      g_signal_emit_by_name (key, "clicked");
      text = target_text (f);
      g_assert_cmpstr (text, ==, shift_cases[i].typed);
      /* For one character, as on a phone. */
      g_assert_false (kiosk_keyboard_get_shifted (f->keyboard));
      g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (key)), ==, shift_cases[i].key);
    }
}

/* Polish keeps its letters on the AltGr level: a held key shows them, in capitals under shift. */
static void
test_held_keys (Fixture       *f,
                gconstpointer  data)
{
  const struct { const char *language, *key, *variant; } cases[] = {
    { "pl", "a", "ą" }, { "pl", "c", "ć" }, { "pl", "e", "ę" }, { "pl", "l", "ł" },
    { "pl", "n", "ń" }, { "pl", "o", "ó" }, { "pl", "s", "ś" }, { "pl", "x", "ź" },
    { "pl", "z", "ż" }, { "pl", "z", "ź" }, { "fr", "e", "é" }, { "fr", "e", "è" },
    { "fr", "a", "à" }, { "fr", "c", "ç" }, { "fr", "o", "œ" }, { "es", "?", "¿" },
    { "it", "è", "é" }, { "ar", "ا", "إ" },
  };
  g_autofree char *text = NULL;
  GtkWidget *variant;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *typed = NULL;

      gtk_editable_set_text (GTK_EDITABLE (f->entry), "");
      kiosk_keyboard_set_layout (f->keyboard, cases[i].language);
      g_assert_true (gtk_widget_has_css_class (find_key (f, cases[i].key), "has-variants"));
      kiosk_test_activate (GTK_WIDGET (f->keyboard), "keyboard.variants", "s", cases[i].key);
      variant = find_variant (f, cases[i].variant);
      g_assert_nonnull (variant);
      g_signal_emit_by_name (variant, "clicked");
      typed = target_text (f);
      g_assert_cmpstr (typed, ==, cases[i].variant);
    }

  /* Under shift a held key shows and types capitals. */
  gtk_editable_set_text (GTK_EDITABLE (f->entry), "");
  kiosk_keyboard_set_layout (f->keyboard, "pl");
  kiosk_keyboard_set_shifted (f->keyboard, TRUE);
  kiosk_test_activate (GTK_WIDGET (f->keyboard), "keyboard.variants", "s", "a");
  g_assert_null (find_variant (f, "ą"));
  variant = find_variant (f, "Ą");
  g_assert_nonnull (variant);
  g_signal_emit_by_name (variant, "clicked");
  g_assert_false (kiosk_keyboard_get_shifted (f->keyboard));
  text = target_text (f);
  g_assert_cmpstr (text, ==, "Ą");

  /* A key without more letters shows nothing when held. */
  g_assert_false (gtk_widget_has_css_class (find_key (f, "q"), "has-variants"));
}

static gboolean keyboard_width_is (gpointer user_data);

static gboolean
variants_shown (gpointer user_data)
{
  Fixture *f = user_data;
  GtkWidget *variant = find_variant (f, "ą");

  return variant != NULL && gtk_widget_get_mapped (variant);
}

static gboolean
variants_hidden (gpointer user_data)
{
  return !variants_shown (user_data);
}

/* The pointer over @widget's middle, in the coordinates of its own surface: a held key's
 * letters are in a popover, a surface of its own. */
static void
pointer_to (GtkWidget *widget)
{
  GtkWidget *native = GTK_WIDGET (gtk_widget_get_native (widget));
  g_autofree char *xid = kiosk_test_window_xid (native);
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;
  graphene_rect_t bounds;

  g_assert_nonnull (xid);
  g_assert_true (gtk_widget_compute_bounds (widget, native, &bounds));
  x = g_strdup_printf ("%.0f", bounds.origin.x + bounds.size.width / 2);
  y = g_strdup_printf ("%.0f", bounds.origin.y + bounds.size.height / 2);
  g_assert_true (kiosk_test_xdotool ("mousemove", "--window", xid, x, y, NULL));
}

static gboolean
target_is_a_ogonek (gpointer user_data)
{
  g_autofree char *text = target_text (user_data);

  return g_str_equal (text, "ą");
}

static gboolean
target_is_a_ogonek_a (gpointer user_data)
{
  g_autofree char *text = target_text (user_data);

  return g_str_equal (text, "ąa");
}

/* Held down through the X server, as a finger holds it: the key types nothing by itself and
 * shows its letters; touching one types it and closes them. */
static void
test_long_press (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *xid = kiosk_test_window_xid (f->window);
  g_autofree char *text = NULL;
  GtkWidget *key;

  if (xid == NULL)
    {
      g_test_skip ("needs xdotool and an X11 display");
      return;
    }

  kiosk_keyboard_set_layout (f->keyboard, "pl");
  g_assert_true (kiosk_test_wait_for (keyboard_width_is, f, 5000));
  kiosk_test_repaint (f->window);
  key = find_key (f, "a");

  pointer_to (key);
  g_assert_true (kiosk_test_xdotool ("mousedown", "1", NULL));
  g_assert_true (kiosk_test_wait_for (variants_shown, f, 5000));
  g_assert_true (kiosk_test_xdotool ("mouseup", "1", NULL));
  kiosk_test_repaint (f->window);
  text = target_text (f);
  g_assert_cmpstr (text, ==, "");
  g_assert_true (variants_shown (f));

  pointer_to (find_variant (f, "ą"));
  g_assert_true (kiosk_test_xdotool ("click", "1", NULL));
  g_assert_true (kiosk_test_wait_for (target_is_a_ogonek, f, 5000));
  g_assert_true (kiosk_test_wait_for (variants_hidden, f, 5000));

  /* A short press of the same key types its own letter. */
  pointer_to (key);
  g_assert_true (kiosk_test_xdotool ("click", "1", NULL));
  g_assert_true (kiosk_test_wait_for (target_is_a_ogonek_a, f, 5000));
  g_assert_false (variants_shown (f));
}

/* One press of backspace removes what a person sees as one character, however many code
 * points it is: a decomposed é, an Arabic letter with its vowel mark, an emoji with its skin
 * tone, a flag. */
static void
test_backspace_graphemes (Fixture       *f,
                          gconstpointer  data)
{
  const char * const clusters[] = { "e\xcc\x81", "بِ", "👍🏽", "🇫🇮", "ﻻ", "ש" };

  for (guint i = 0; i < G_N_ELEMENTS (clusters); i++)
    {
      g_autofree char *text = NULL;
      g_autofree char *typed = g_strconcat ("ab", clusters[i], NULL);

      if (GTK_IS_TEXT_VIEW (kiosk_keyboard_get_target (f->keyboard)))
        gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (f->view)), "", -1);
      else
        gtk_editable_set_text (GTK_EDITABLE (f->entry), "");
      type (f, typed);
      g_clear_pointer (&text, g_free);
      text = target_text (f);
      g_assert_cmpstr (text, ==, typed);

      kiosk_test_activate (GTK_WIDGET (f->keyboard), "keyboard.backspace", NULL);
      g_clear_pointer (&text, g_free);
      text = target_text (f);
      g_assert_cmpstr (text, ==, "ab");
    }
}

static double
x_of_offset (GtkWidget *view,
             int        offset)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GdkRectangle location;
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_offset (buffer, &iter, offset);
  gtk_text_view_get_iter_location (GTK_TEXT_VIEW (view), &iter, &location);

  return location.x;
}

static gboolean
view_laid_out (gpointer user_data)
{
  Fixture *f = user_data;

  return gtk_widget_get_width (f->view) > 0 && x_of_offset (f->view, 0) != x_of_offset (f->view, 3);
}

/* Arabic and Hebrew read right to left in the comment field: the first letter typed is right of
 * the last, and the field itself is right to left, so a space or a digit does not flip it. */
static void
test_right_to_left (Fixture       *f,
                    gconstpointer  data)
{
  const struct { const char *language; const char *word; } cases[] = {
    { "ar", "سلام" }, { "he", "שלום" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (f->view)), "", -1);
      kiosk_keyboard_set_layout (f->keyboard, cases[i].language);
      g_assert_cmpint (gtk_widget_get_direction (f->view), ==, GTK_TEXT_DIR_RTL);

      for (const char *p = cases[i].word; *p; p = g_utf8_next_char (p))
        {
          g_autofree char *letter = g_strndup (p, g_utf8_next_char (p) - p);

          press (f, letter);
        }
      gtk_widget_activate_action (GTK_WIDGET (f->keyboard), "keyboard.space", NULL);
      press (f, "1");

      g_assert_true (kiosk_test_wait_for (view_laid_out, f, 5000));
      g_assert_cmpfloat (x_of_offset (f->view, 0), >, x_of_offset (f->view, 3));
    }

  kiosk_keyboard_set_layout (f->keyboard, "ru");
  g_assert_cmpint (gtk_widget_get_direction (f->view), ==, GTK_TEXT_DIR_LTR);
}

/* A keyboard is read from the system's keyboard data once per language ("de-AT" is "de"), and
 * kept; after that, switching is only building buttons. The times go to the test log. */
static void
test_layout_cache (Fixture       *f,
                   gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (alphabets); i++)
    {
      const KioskKeyboardLayout *layout = kiosk_keyboard_layout_get (alphabets[i].language);
      g_autofree char *regional = g_strconcat (alphabets[i].language, "-CH", NULL);
      gint64 start = g_get_monotonic_time ();

      kiosk_keyboard_set_layout (f->keyboard, alphabets[i].language);
      g_test_message ("keyboard %s: read from XKB in %.1f ms, shown in %.1f ms",
                      alphabets[i].language, layout->build_ms,
                      (g_get_monotonic_time () - start) / 1000.0);
      g_assert_cmpfloat (layout->build_ms, >, 0);
      g_assert_true (kiosk_keyboard_layout_get (alphabets[i].language) == layout);
      g_assert_true (kiosk_keyboard_layout_get (regional) == layout);
    }
}

static void
test_every_key_types (Fixture       *f,
                      gconstpointer  data)
{
  for (const char * const *id = kiosk_keyboard_list_languages (); *id; id++)
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

/* Big enough for a finger on the Pi's 800x480 display, every layout inside the width. */
static void
test_key_sizes (Fixture       *f,
                gconstpointer  data)
{
  const int widths[] = { 800, 480, 1280 };

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    for (const char * const *id = kiosk_keyboard_list_languages (); *id; id++)
      {
        g_autoptr(GPtrArray) keys = g_ptr_array_new ();
        int min_width = 0;

        kiosk_keyboard_set_layout (f->keyboard, *id);
        gtk_widget_measure (GTK_WIDGET (f->keyboard), GTK_ORIENTATION_HORIZONTAL, -1,
                            &min_width, NULL, NULL, NULL);
        if (min_width > widths[w])
          g_error ("the %s keyboard needs %d px, more than %d", *id, min_width, widths[w]);

        gtk_window_set_default_size (GTK_WINDOW (f->window), widths[w], 800);
        g_assert_true (kiosk_test_wait_for (keyboard_width_is, f, 5000));

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

  for (const char * const *id = kiosk_keyboard_list_languages (); *id; id++)
    for (int shifted = 0; shifted <= 1; shifted++)
      {
        g_autofree char *name = g_strdup_printf ("keyboard-%s%s.png", *id,
                                                 shifted ? "-shift" : "");

        kiosk_keyboard_set_layout (f->keyboard, *id);
        kiosk_keyboard_set_shifted (f->keyboard, shifted);
        g_assert_true (kiosk_test_wait_for (keyboard_width_is, f, 5000));
        kiosk_test_screenshot (GTK_WIDGET (f->keyboard), name);
      }
}

int
main (int   argc,
      char *argv[])
{
  kiosk_test_ui_init (&argc, &argv);

  g_test_add ("/keyboard/layouts", Fixture, NULL, fixture_setup, test_layouts, fixture_teardown);
  g_test_add ("/keyboard/every-key", Fixture, NULL, fixture_setup, test_every_key_types,
              fixture_teardown);
  g_test_add ("/keyboard/shift", Fixture, NULL, fixture_setup, test_shift, fixture_teardown);
  g_test_add ("/keyboard/alphabets", Fixture, NULL, fixture_setup, test_alphabets,
              fixture_teardown);
  g_test_add ("/keyboard/shift/languages", Fixture, NULL, fixture_setup, test_shift_languages,
              fixture_teardown);
  g_test_add ("/keyboard/held-keys", Fixture, NULL, fixture_setup, test_held_keys,
              fixture_teardown);
  g_test_add ("/keyboard/held-keys/long-press", Fixture, NULL, fixture_setup, test_long_press,
              fixture_teardown);
  g_test_add ("/keyboard/backspace/graphemes/entry", Fixture, NULL, fixture_setup,
              test_backspace_graphemes, fixture_teardown);
  g_test_add ("/keyboard/backspace/graphemes/text-view", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_backspace_graphemes, fixture_teardown);
  g_test_add ("/keyboard/right-to-left", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_right_to_left, fixture_teardown);
  g_test_add ("/keyboard/layout-cache", Fixture, NULL, fixture_setup, test_layout_cache,
              fixture_teardown);
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
