/* kiosk-keyboard.c: an on-screen keyboard that is part of the kiosk, because Wayland kiosk
 * compositors (cage) offer none. It types into the GtkEditable or GtkTextView it is attached to,
 * in the layout of the visitor's language, and never lets the text grow past a maximum length. */
#define G_LOG_DOMAIN "kiosk-keyboard"

#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-keyboard-private.h"
#include "kiosk-keyboard-table.h"

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

  return _kiosk_keyboard_shift_text (text);
}

static void
type_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  KioskKeyboard *self = KIOSK_KEYBOARD (widget);
  const char *text = g_variant_get_string (parameter, NULL);
  g_autofree char *typed = typed_text (self, text);

  _kiosk_keyboard_hide_variants (self);
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
  gtk_widget_class_install_action (widget_class, "keyboard.variants", "s",
                                   _kiosk_keyboard_variants_action);
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

  _kiosk_keyboard_build_keys (self);
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
  _kiosk_keyboard_build_keys (self);
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
  _kiosk_keyboard_update_letter_labels (self);
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
