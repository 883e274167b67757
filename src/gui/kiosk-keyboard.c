/* kiosk-keyboard.c: an on-screen keyboard that is part of the kiosk, because Wayland kiosk
 * compositors (cage) offer none. It types into the GtkEditable or GtkTextView it is attached to,
 * in the layout of the visitor's language, and never lets the text grow past a maximum length. */
#define G_LOG_DOMAIN "kiosk-keyboard"

#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-keyboard.h"
#include "kiosk-keyboard-layout.h"
#include "kiosk-keyboard-table.h"

/* Widths are in half keys: a letter is 2, shift and backspace 3 (2 when the bottom row is
 * long, as in Arabic), and the space bar takes what is left of the widest row, so every row ends
 * flush and shorter rows are centred. */
#define KEY_UNITS       2
#define WIDE_KEY_UNITS  3
#define ROW_UNITS       24

struct _KioskKeyboard
{
  GtkWidget                  parent_instance;

  /* children */
  GtkWidget                 *counter;
  GtkWidget                 *grid;
  GtkWidget                 *shift_button;
  GtkWidget                 *variants;       /* the popover of a held key */
  GtkWidget                 *variants_box;

  /* borrowed */
  const KioskKeyboardLayout *layout;         /* owned by the layouts' cache */
  GPtrArray                 *key_buttons;    /* every key that types its KioskKey */
  GtkWidget                 *target;         /* weak */
  GtkTextBuffer             *buffer;         /* the target's, when it is a GtkTextView */

  int                        max_length;
  gboolean                   shifted;
  gboolean                   inserting;
};

enum {
  PROP_0,
  PROP_TARGET,
  PROP_LAYOUT,
  PROP_MAX_LENGTH,
  PROP_SHIFTED,
  PROP_LENGTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KioskKeyboard, kiosk_keyboard, GTK_TYPE_WIDGET)

/* The shifted form of a key, when it is one character: "ß" stays "ß" rather than "SS". */
static char *
shift_text (const char *text)
{
  g_autofree char *upper = g_utf8_strup (text, -1);

  if (g_utf8_strlen (upper, -1) != g_utf8_strlen (text, -1))
    return g_strdup (text);

  return g_steal_pointer (&upper);
}

static int
target_length (KioskKeyboard *self)
{
  if (self->buffer != NULL)
    return gtk_text_buffer_get_char_count (self->buffer);
  if (GTK_IS_EDITABLE (self->target))
    return g_utf8_strlen (gtk_editable_get_text (GTK_EDITABLE (self->target)), -1);

  return 0;
}

static int
selected_length (KioskKeyboard *self)
{
  int start = 0, end = 0;

  if (self->buffer != NULL)
    {
      GtkTextIter a, b;

      if (gtk_text_buffer_get_selection_bounds (self->buffer, &a, &b))
        return gtk_text_iter_get_offset (&b) - gtk_text_iter_get_offset (&a);
      return 0;
    }

  if (GTK_IS_EDITABLE (self->target) &&
      gtk_editable_get_selection_bounds (GTK_EDITABLE (self->target), &start, &end))
    return ABS (end - start);

  return 0;
}

static void
update_counter (KioskKeyboard *self)
{
  int length = target_length (self);
  g_autofree char *text = NULL;
  g_autofree char *description = NULL;

  gtk_widget_set_visible (self->counter, self->max_length > 0);
  if (self->max_length <= 0)
    return;

  /* Digits and a slash read the same in every language we offer. */
  text = g_strdup_printf ("%d / %d", length, self->max_length);
  gtk_label_set_label (GTK_LABEL (self->counter), text);

  /* Translators: for screen readers, how many more characters the text field takes */
  description = g_strdup_printf (ngettext ("%d character left", "%d characters left",
                                           self->max_length - length),
                                 self->max_length - length);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->counter),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);

  if (length >= self->max_length)
    gtk_widget_add_css_class (self->counter, "at-limit");
  else
    gtk_widget_remove_css_class (self->counter, "at-limit");
}

static void
target_changed_cb (KioskKeyboard *self)
{
  update_counter (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LENGTH]);
}

/* Text that arrives another way (a physical keyboard, a paste) is held to the same limit. */
static void
buffer_insert_text_cb (GtkTextBuffer *buffer,
                       GtkTextIter   *location,
                       const char    *text,
                       int            len,
                       KioskKeyboard *self)
{
  int room;
  const char *end;

  if (self->max_length <= 0 || self->inserting)
    return;

  room = self->max_length - gtk_text_buffer_get_char_count (buffer);
  if (g_utf8_strlen (text, len) <= room)
    return;

  g_signal_stop_emission_by_name (buffer, "insert-text");
  if (room <= 0)
    return;

  end = g_utf8_offset_to_pointer (text, room);
  self->inserting = TRUE;
  gtk_text_buffer_insert (buffer, location, text, end - text);
  self->inserting = FALSE;
}

static void
apply_max_length_to_target (KioskKeyboard *self)
{
  if (self->target != NULL && GTK_IS_EDITABLE (self->target) &&
      g_object_class_find_property (G_OBJECT_GET_CLASS (self->target), "max-length") != NULL)
    g_object_set (self->target, "max-length", MAX (self->max_length, 0), NULL);
}

/* Typed Arabic or Hebrew starts at the right of the field, and a neutral character (a space, a
 * digit) does not flip it back. */
static void
apply_direction_to_target (KioskKeyboard *self)
{
  if (self->target != NULL)
    gtk_widget_set_direction (self->target, self->layout->rtl ? GTK_TEXT_DIR_RTL
                                                              : GTK_TEXT_DIR_LTR);
}

static void
insert_text (KioskKeyboard *self,
             const char    *text)
{
  int room;
  glong n;
  const char *end;

  if (self->target == NULL || text == NULL)
    return;

  n = g_utf8_strlen (text, -1);
  if (self->max_length > 0)
    {
      room = self->max_length - target_length (self) + selected_length (self);
      if (room <= 0)
        {
          gtk_widget_error_bell (GTK_WIDGET (self));
          return;
        }
      n = MIN (n, room);
    }
  end = g_utf8_offset_to_pointer (text, n);

  self->inserting = TRUE;
  if (self->buffer != NULL)
    {
      GtkTextMark *insert;

      gtk_text_buffer_begin_user_action (self->buffer);
      gtk_text_buffer_delete_selection (self->buffer, TRUE, TRUE);
      gtk_text_buffer_insert_at_cursor (self->buffer, text, end - text);
      gtk_text_buffer_end_user_action (self->buffer);
      insert = gtk_text_buffer_get_insert (self->buffer);
      gtk_text_view_scroll_mark_onscreen (GTK_TEXT_VIEW (self->target), insert);
    }
  else if (GTK_IS_EDITABLE (self->target))
    {
      GtkEditable *editable = GTK_EDITABLE (self->target);
      int position;

      gtk_editable_delete_selection (editable);
      position = gtk_editable_get_position (editable);
      gtk_editable_insert_text (editable, text, end - text, &position);
      gtk_editable_set_position (editable, position);
    }
  self->inserting = FALSE;
}

/* The character offset where the last character a person sees before @offset starts: "é"
 * typed as e and a combining accent, an Arabic letter with its vowel mark, an emoji with its
 * skin tone or a flag are one character to them, and one press of backspace removes it. */
static int
previous_cursor_position (const char *text,
                          int         offset)
{
  int n = g_utf8_strlen (text, -1);
  g_autofree PangoLogAttr *attrs = g_new0 (PangoLogAttr, n + 1);
  int i;

  pango_get_log_attrs (text, -1, -1, pango_language_get_default (), attrs, n + 1);
  for (i = MIN (offset, n) - 1; i > 0 && !attrs[i].is_cursor_position; i--)
    ;

  return MAX (i, 0);
}

static void
delete_backwards (KioskKeyboard *self)
{
  if (self->buffer != NULL)
    {
      GtkTextIter cursor, start;

      if (gtk_text_buffer_delete_selection (self->buffer, TRUE, TRUE))
        return;
      gtk_text_buffer_get_iter_at_mark (self->buffer, &cursor,
                                        gtk_text_buffer_get_insert (self->buffer));
      /* Not gtk_text_buffer_backspace(): it removes only the accent of a decomposed "é". */
      start = cursor;
      if (!gtk_text_iter_backward_cursor_position (&start))
        return;
      gtk_text_buffer_begin_user_action (self->buffer);
      gtk_text_buffer_delete (self->buffer, &start, &cursor);
      gtk_text_buffer_end_user_action (self->buffer);
    }
  else if (GTK_IS_EDITABLE (self->target))
    {
      GtkEditable *editable = GTK_EDITABLE (self->target);
      int start, end, position;

      if (gtk_editable_get_selection_bounds (editable, &start, &end))
        {
          gtk_editable_delete_selection (editable);
          return;
        }

      position = gtk_editable_get_position (editable);
      if (position > 0)
        gtk_editable_delete_text (editable,
                                  previous_cursor_position (gtk_editable_get_text (editable),
                                                            position),
                                  position);
    }
}

static void
hide_variants (KioskKeyboard *self)
{
  if (self->variants != NULL && gtk_widget_get_visible (self->variants))
    gtk_popover_popdown (GTK_POPOVER (self->variants));
}

/* What a key types under shift: the layout says (Turkish i -> İ, Arabic ض -> its vowel
 * mark); a text that is no key of the layout (a held key's accented letter) gets its capital
 * when it has a one-letter one. */
static char *
typed_text (KioskKeyboard *self,
            const char    *text)
{
  const KioskKey *key;

  if (!self->shifted)
    return g_strdup (text);

  key = kiosk_keyboard_layout_lookup (self->layout, text);
  if (key != NULL)
    return g_strdup (key->shifted);

  return shift_text (text);
}

static void
type_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  KioskKeyboard *self = KIOSK_KEYBOARD (widget);
  const char *text = g_variant_get_string (parameter, NULL);
  g_autofree char *typed = typed_text (self, text);

  hide_variants (self);
  insert_text (self, typed);

  /* Shift holds for one character, as on a phone. */
  if (self->shifted)
    kiosk_keyboard_set_shifted (self, FALSE);
}

static void
backspace_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  delete_backwards (KIOSK_KEYBOARD (widget));
}

static void
space_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  insert_text (KIOSK_KEYBOARD (widget), " ");
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

static void
update_letter_labels (KioskKeyboard *self)
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
static void
variants_action (GtkWidget  *widget,
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
      g_autofree char *shown = self->shifted ? shift_text (key->variants[i])
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

static void
build_keys (KioskKeyboard *self)
{
  const KioskKeyboardLayout *layout = self->layout;
  GPtrArray *bottom = layout->rows[3];
  GPtrArray *punctuation = layout->rows[KIOSK_KEYBOARD_ROW_PUNCTUATION];
  GtkWidget *child;
  GtkWidget *button;
  int width = ROW_UNITS;
  int wide, bottom_units, column;
  guint before_space;

  hide_variants (self);
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

  update_letter_labels (self);
}

static void
disconnect_target (KioskKeyboard *self)
{
  if (self->buffer != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->buffer, self);
      g_clear_object (&self->buffer);
    }
  if (self->target != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->target, self);
      g_clear_weak_pointer (&self->target);
    }
}

static void
kiosk_keyboard_dispose (GObject *object)
{
  KioskKeyboard *self = KIOSK_KEYBOARD (object);

  disconnect_target (self);
  g_clear_pointer (&self->counter, gtk_widget_unparent);
  g_clear_pointer (&self->grid, gtk_widget_unparent);
  g_clear_pointer (&self->variants, gtk_widget_unparent);
  self->variants_box = NULL;
  self->shift_button = NULL;
  g_clear_pointer (&self->key_buttons, g_ptr_array_unref);

  G_OBJECT_CLASS (kiosk_keyboard_parent_class)->dispose (object);
}

static void
kiosk_keyboard_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  KioskKeyboard *self = KIOSK_KEYBOARD (object);

  switch (prop_id)
    {
    case PROP_TARGET:
      g_value_set_object (value, self->target);
      break;
    case PROP_LAYOUT:
      g_value_set_string (value, self->layout->xkb);
      break;
    case PROP_MAX_LENGTH:
      g_value_set_int (value, self->max_length);
      break;
    case PROP_SHIFTED:
      g_value_set_boolean (value, self->shifted);
      break;
    case PROP_LENGTH:
      g_value_set_int (value, target_length (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiosk_keyboard_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  KioskKeyboard *self = KIOSK_KEYBOARD (object);

  switch (prop_id)
    {
    case PROP_TARGET:
      kiosk_keyboard_set_target (self, g_value_get_object (value));
      break;
    case PROP_LAYOUT:
      kiosk_keyboard_set_layout (self, g_value_get_string (value));
      break;
    case PROP_MAX_LENGTH:
      kiosk_keyboard_set_max_length (self, g_value_get_int (value));
      break;
    case PROP_SHIFTED:
      kiosk_keyboard_set_shifted (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiosk_keyboard_class_init (KioskKeyboardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiosk_keyboard_dispose;
  object_class->get_property = kiosk_keyboard_get_property;
  object_class->set_property = kiosk_keyboard_set_property;

  properties[PROP_TARGET] =
    g_param_spec_object ("target", NULL, NULL, GTK_TYPE_WIDGET,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAYOUT] =
    g_param_spec_string ("layout", NULL, NULL, "en",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_LENGTH] =
    g_param_spec_int ("max-length", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHIFTED] =
    g_param_spec_boolean ("shifted", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LENGTH] =
    g_param_spec_int ("length", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Every key is an action, so tests type exactly as a finger does. "keyboard.type" takes the
   * key's unshifted text and applies shift itself. */
  gtk_widget_class_install_action (widget_class, "keyboard.type", "s", type_action);
  gtk_widget_class_install_action (widget_class, "keyboard.backspace", NULL, backspace_action);
  gtk_widget_class_install_action (widget_class, "keyboard.space", NULL, space_action);
  /* A held key: the parameter is the key's unshifted text. */
  gtk_widget_class_install_action (widget_class, "keyboard.variants", "s", variants_action);
  gtk_widget_class_install_property_action (widget_class, "keyboard.shift", "shifted");

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "keyboard");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
kiosk_keyboard_init (KioskKeyboard *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);

  self->key_buttons = g_ptr_array_new ();
  self->layout = kiosk_keyboard_layout_get ("en");

  self->counter = gtk_label_new (NULL);
  gtk_widget_set_halign (self->counter, GTK_ALIGN_END);
  gtk_widget_add_css_class (self->counter, "counter");
  gtk_widget_add_css_class (self->counter, "numeric");
  gtk_widget_set_visible (self->counter, FALSE);
  /* "8 / 200" stays left to right, or an Arabic or Hebrew page would show "200 / 8". */
  gtk_widget_set_direction (self->counter, GTK_TEXT_DIR_LTR);
  gtk_widget_set_parent (self->counter, GTK_WIDGET (self));

  self->grid = gtk_grid_new ();
  gtk_grid_set_column_homogeneous (GTK_GRID (self->grid), TRUE);
  gtk_grid_set_row_homogeneous (GTK_GRID (self->grid), TRUE);
  gtk_widget_add_css_class (self->grid, "keys");
  gtk_widget_set_vexpand (self->grid, TRUE);
  /* Keys stay left to right whatever the text direction: a keyboard is not mirrored, an Arabic
   * one neither (ض sits top left, where Q is). */
  gtk_widget_set_direction (self->grid, GTK_TEXT_DIR_LTR);
  gtk_widget_set_parent (self->grid, GTK_WIDGET (self));

  build_keys (self);
}

GtkWidget *
kiosk_keyboard_new (void)
{
  return g_object_new (KIOSK_TYPE_KEYBOARD, NULL);
}

GtkWidget *
kiosk_keyboard_get_target (KioskKeyboard *self)
{
  g_return_val_if_fail (KIOSK_IS_KEYBOARD (self), NULL);

  return self->target;
}

/**
 * kiosk_keyboard_set_target:
 * @target: (nullable): a #GtkEditable (GtkText, GtkEntry) or a #GtkTextView
 *
 * Where the keys type. The keyboard holds no reference: when @target goes away, it types
 * nowhere.
 */
void
kiosk_keyboard_set_target (KioskKeyboard *self,
                           GtkWidget     *target)
{
  g_return_if_fail (KIOSK_IS_KEYBOARD (self));
  g_return_if_fail (target == NULL || GTK_IS_EDITABLE (target) || GTK_IS_TEXT_VIEW (target));

  if (self->target == target)
    return;

  disconnect_target (self);
  g_set_weak_pointer (&self->target, target);

  if (GTK_IS_TEXT_VIEW (target))
    {
      self->buffer = g_object_ref (gtk_text_view_get_buffer (GTK_TEXT_VIEW (target)));
      g_signal_connect_swapped (self->buffer, "changed", G_CALLBACK (target_changed_cb), self);
      g_signal_connect (self->buffer, "insert-text", G_CALLBACK (buffer_insert_text_cb), self);
    }
  else if (target != NULL)
    {
      g_signal_connect_swapped (target, "changed", G_CALLBACK (target_changed_cb), self);
      apply_max_length_to_target (self);
    }
  apply_direction_to_target (self);

  update_counter (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TARGET]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LENGTH]);
}

const char *
kiosk_keyboard_get_layout (KioskKeyboard *self)
{
  g_return_val_if_fail (KIOSK_IS_KEYBOARD (self), NULL);

  return self->layout->xkb;
}

/**
 * kiosk_keyboard_set_layout:
 * @language: a BCP 47 tag ("de", "fr-CH")
 *
 * Shows the keyboard of @language: the keys of its XKB layout (data/keyboard-layouts.txt says
 * which), read from the system's keyboard data; the Latin keyboard for a language typed through
 * an input method. The target's text direction follows (right to left for Arabic, Hebrew,
 * Persian). The "layout" property then reads the XKB layout's name ("de", "ara", "us").
 */
void
kiosk_keyboard_set_layout (KioskKeyboard *self,
                           const char    *language)
{
  const KioskKeyboardLayout *layout;

  g_return_if_fail (KIOSK_IS_KEYBOARD (self));

  layout = kiosk_keyboard_layout_get (language);
  if (layout == self->layout)
    return;

  self->layout = layout;
  build_keys (self);
  apply_direction_to_target (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAYOUT]);
}

int
kiosk_keyboard_get_max_length (KioskKeyboard *self)
{
  g_return_val_if_fail (KIOSK_IS_KEYBOARD (self), 0);

  return self->max_length;
}

/**
 * kiosk_keyboard_set_max_length:
 * @max_length: the most characters the target may hold, 0 for no limit
 *
 * Also shown to the visitor as "42 / 200".
 */
void
kiosk_keyboard_set_max_length (KioskKeyboard *self,
                               int            max_length)
{
  g_return_if_fail (KIOSK_IS_KEYBOARD (self));

  max_length = MAX (max_length, 0);
  if (self->max_length == max_length)
    return;

  self->max_length = max_length;
  apply_max_length_to_target (self);
  update_counter (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_LENGTH]);
}

gboolean
kiosk_keyboard_get_shifted (KioskKeyboard *self)
{
  g_return_val_if_fail (KIOSK_IS_KEYBOARD (self), FALSE);

  return self->shifted;
}

void
kiosk_keyboard_set_shifted (KioskKeyboard *self,
                            gboolean       shifted)
{
  g_return_if_fail (KIOSK_IS_KEYBOARD (self));

  shifted = !!shifted;
  if (self->shifted == shifted)
    return;

  self->shifted = shifted;
  update_letter_labels (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHIFTED]);
}

/* Whether the letters have capitals: a comment or a name starts with one under shift; Arabic's
 * and Hebrew's have none (Arabic's shift level holds vowel marks, no sentence starts with one). */
gboolean
kiosk_keyboard_has_capitals (KioskKeyboard *self)
{
  g_return_val_if_fail (KIOSK_IS_KEYBOARD (self), FALSE);

  return self->layout->capitals;
}

/* Characters in the target now. */
int
kiosk_keyboard_get_length (KioskKeyboard *self)
{
  g_return_val_if_fail (KIOSK_IS_KEYBOARD (self), 0);

  return target_length (self);
}

/* The languages of the keyboard table that have a keyboard (not Chinese, Japanese or Korean),
 * for tests and the documentation. */
const char * const *
kiosk_keyboard_list_languages (void)
{
  static GStrv languages;

  if (g_once_init_enter (&languages))
    {
      KioskKeyboardTable *table = kiosk_keyboard_table_get_default ();
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (const char * const *l = kiosk_keyboard_table_get_languages (table); *l; l++)
        if (!kiosk_keyboard_table_lookup (table, *l)->input_method)
          g_strv_builder_add (builder, *l);

      g_once_init_leave (&languages, g_strv_builder_end (builder));
    }

  return (const char * const *) languages;
}
