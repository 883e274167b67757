/* kiosk-keyboard-keys.c: the keys of the on-screen keyboard. Builds the grid of a layout's rows
 * (shift, backspace and a space bar that names the layout), relabels the letters under shift,
 * and shows a held key's accented letters in a popover. */
#define G_LOG_DOMAIN "kiosk-keyboard"

#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-keyboard-private.h"

/* Widths are in half keys: a letter is 2, shift and backspace 3 (2 when the bottom row is
 * long, as in Arabic), and the space bar takes what is left of the widest row, so every row ends
 * flush and shorter rows are centred. */
#define KEY_UNITS       2
#define WIDE_KEY_UNITS  3
#define ROW_UNITS       24

/* The shifted form of a key, when it is one character: "ß" stays "ß" rather than "SS". */
char *
_kiosk_keyboard_shift_text (const char *text)
{
  g_autofree char *upper = g_utf8_strup (text, -1);

  if (g_utf8_strlen (upper, -1) != g_utf8_strlen (text, -1))
    return g_strdup (text);

  return g_steal_pointer (&upper);
}

void
_kiosk_keyboard_hide_variants (KioskKeyboard *self)
{
  if (self->variants != NULL && gtk_widget_get_visible (self->variants))
    gtk_popover_popdown (GTK_POPOVER (self->variants));
}

static GtkWidget *
make_key (const char *label,
          const char *action_name,
          GVariant   *target)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  if (target != NULL)
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);
  /* The text field keeps the focus (and its cursor) while keys are pressed. */
  gtk_widget_set_focus_on_click (button, FALSE);
  gtk_widget_add_css_class (button, "key");

  return button;
}

/* A vowel mark alone (Arabic fatha on the shift level) is drawn on a dotted circle, as
 * keyboards and character maps show it; the key types the mark alone. */
static char *
key_label (const char *text)
{
  GUnicodeType type = g_unichar_type (g_utf8_get_char (text));

  if (type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_SPACING_MARK ||
      type == G_UNICODE_ENCLOSING_MARK)
    return g_strconcat ("◌", text, NULL);

  return g_strdup (text);
}

static const KioskKey *
button_key (GtkWidget *button)
{
  return g_object_get_data (G_OBJECT (button), "kiosk-key");
}

void
_kiosk_keyboard_update_letter_labels (KioskKeyboard *self)
{
  for (guint i = 0; i < self->key_buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (self->key_buttons, i);
      const KioskKey *key = button_key (button);
      g_autofree char *label = key_label (self->shifted ? key->shifted : key->text);

      gtk_button_set_label (GTK_BUTTON (button), label);
    }

  if (self->shift_button != NULL)
    {
      if (self->shifted)
        gtk_widget_add_css_class (self->shift_button, "shifted");
      else
        gtk_widget_remove_css_class (self->shift_button, "shifted");
    }
}

static GtkWidget *
find_key_button (KioskKeyboard *self,
                 const char    *text)
{
  for (guint i = 0; i < self->key_buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (self->key_buttons, i);

      if (g_str_equal (button_key (button)->text, text))
        return button;
    }

  return NULL;
}

/* A held key shows its accented letters above it, phone-style; touching one types it. */
void
_kiosk_keyboard_variants_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  KioskKeyboard *self = KIOSK_KEYBOARD (widget);
  GtkWidget *button = find_key_button (self, g_variant_get_string (parameter, NULL));
  const KioskKey *key = button ? button_key (button) : NULL;
  GtkWidget *child;
  graphene_rect_t bounds;

  if (key == NULL || key->variants == NULL)
    return;

  if (self->variants == NULL)
    {
      self->variants = gtk_popover_new ();
      gtk_popover_set_has_arrow (GTK_POPOVER (self->variants), FALSE);
      gtk_popover_set_position (GTK_POPOVER (self->variants), GTK_POS_TOP);
      gtk_widget_add_css_class (self->variants, "key-variants");
      self->variants_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      gtk_widget_set_direction (self->variants_box, GTK_TEXT_DIR_LTR);
      gtk_popover_set_child (GTK_POPOVER (self->variants), self->variants_box);
      gtk_widget_set_parent (self->variants, GTK_WIDGET (self));
    }

  while ((child = gtk_widget_get_first_child (self->variants_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->variants_box), child);

  for (guint i = 0; key->variants[i]; i++)
    {
      g_autofree char *shown = self->shifted ? _kiosk_keyboard_shift_text (key->variants[i])
                                             : g_strdup (key->variants[i]);
      g_autofree char *label = key_label (shown);
      GtkWidget *variant = make_key (label, "keyboard.type",
                                     g_variant_new_string (key->variants[i]));

      gtk_widget_add_css_class (variant, "key-variant");
      gtk_box_append (GTK_BOX (self->variants_box), variant);
    }

  if (gtk_widget_compute_bounds (button, GTK_WIDGET (self), &bounds))
    gtk_popover_set_pointing_to (GTK_POPOVER (self->variants),
                                 &(GdkRectangle) { bounds.origin.x, bounds.origin.y,
                                                   bounds.size.width, bounds.size.height });
  gtk_popover_popup (GTK_POPOVER (self->variants));
}

static void
key_long_pressed_cb (GtkGestureLongPress *gesture,
                     double               x,
                     double               y,
                     KioskKeyboard       *self)
{
  GtkWidget *button = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));

  /* Claimed, the touch is no click any more: the held key types nothing by itself. */
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  gtk_widget_activate_action (GTK_WIDGET (self), "keyboard.variants", "s",
                              button_key (button)->text);
}

static GtkWidget *
make_letter_key (KioskKeyboard  *self,
                 const KioskKey *key)
{
  GtkWidget *button = make_key (key->text, "keyboard.type", g_variant_new_string (key->text));

  g_object_set_data (G_OBJECT (button), "kiosk-key", (gpointer) key);
  g_ptr_array_add (self->key_buttons, button);

  if (key->variants != NULL)
    {
      GtkGesture *hold = gtk_gesture_long_press_new ();

      /* A small mark says that holding the key shows more. */
      gtk_widget_add_css_class (button, "has-variants");
      gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (hold), FALSE);
      gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (hold),
                                                  GTK_PHASE_CAPTURE);
      g_signal_connect (hold, "pressed", G_CALLBACK (key_long_pressed_cb), self);
      gtk_widget_add_controller (button, GTK_EVENT_CONTROLLER (hold));
    }

  return button;
}

static GtkWidget *
make_special_key (const char *label,
                  const char *action_name,
                  const char *accessible_label)
{
  GtkWidget *button = make_key (label, action_name, NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible_label, -1);
  gtk_widget_add_css_class (button, "key-special");

  return button;
}

static int
attach_keys (KioskKeyboard *self,
             GPtrArray     *keys,
             guint          from,
             guint          to,
             int            column,
             int            row)
{
  for (guint k = from; k < to; k++)
    {
      gtk_grid_attach (GTK_GRID (self->grid), make_letter_key (self, g_ptr_array_index (keys, k)),
                       column, row, KEY_UNITS, 1);
      column += KEY_UNITS;
    }

  return column;
}

void
_kiosk_keyboard_build_keys (KioskKeyboard *self)
{
  const KioskKeyboardLayout *layout = self->layout;
  GPtrArray *bottom = layout->rows[3];
  GPtrArray *punctuation = layout->rows[KIOSK_KEYBOARD_ROW_PUNCTUATION];
  GtkWidget *child;
  GtkWidget *button;
  int width = ROW_UNITS;
  int wide, bottom_units, column;
  guint before_space;

  _kiosk_keyboard_hide_variants (self);
  while ((child = gtk_widget_get_first_child (self->grid)) != NULL)
    gtk_grid_remove (GTK_GRID (self->grid), child);
  g_ptr_array_set_size (self->key_buttons, 0);
  self->shift_button = NULL;

  /* Shift and backspace give up room to a long bottom row; a layout where shift changes
   * nothing (Hebrew) has no shift key. */
  wide = bottom->len > MAX (0, (ROW_UNITS - 2 * WIDE_KEY_UNITS) / KEY_UNITS) ? KEY_UNITS
                                                                             : WIDE_KEY_UNITS;
  bottom_units = bottom->len * KEY_UNITS + wide * (layout->has_shift ? 2 : 1);
  for (guint r = 0; r < 3; r++)
    width = MAX (width, (int) layout->rows[r]->len * KEY_UNITS);
  width = MAX (width, bottom_units);
  width = MAX (width, (int) punctuation->len * KEY_UNITS + 2 * KEY_UNITS);

  for (guint r = 0; r < 3; r++)
    attach_keys (self, layout->rows[r], 0, layout->rows[r]->len,
                 (width - (int) layout->rows[r]->len * KEY_UNITS) / 2, r);

  column = (width - bottom_units) / 2;
  if (layout->has_shift)
    {
      /* Translators: the Shift key, for screen readers */
      button = make_special_key ("⇧", "keyboard.shift", _("Shift"));
      gtk_grid_attach (GTK_GRID (self->grid), button, column, 3, wide, 1);
      self->shift_button = button;
      column += wide;
    }
  column = attach_keys (self, bottom, 0, bottom->len, column, 3);
  /* Translators: the key that deletes backwards */
  button = make_special_key ("⌫", "keyboard.backspace", _("Backspace"));
  gtk_grid_attach (GTK_GRID (self->grid), button, column, 3, wide, 1);

  /* The space bar names the layout, as phone keyboards do, between the punctuation keys. */
  before_space = punctuation->len / 2;
  column = attach_keys (self, punctuation, 0, before_space, 0, 4);
  button = make_key (layout->name, "keyboard.space", NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  /* Translators: the space bar, for screen readers */
                                  _("Space"), -1);
  gtk_widget_add_css_class (button, "key-space");
  gtk_grid_attach (GTK_GRID (self->grid), button, column, 4,
                   width - (int) punctuation->len * KEY_UNITS, 1);
  column += width - (int) punctuation->len * KEY_UNITS;
  attach_keys (self, punctuation, before_space, punctuation->len, column, 4);

  _kiosk_keyboard_update_letter_labels (self);
}
