/* kiosk-pin-page.c: a PIN pad for staff: digits, delete, OK and cancel, each an action on the
 * window ("pin.digit", "pin.delete", "pin.submit", "pin.cancel"), which checks the PIN. The page
 * shows a dot per digit, never the digits. */
#define G_LOG_DOMAIN "kiosk-pin-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kiosk-pin-page.h"

struct _KioskPinPage
{
  GtkWidget  parent_instance;

  /* template widgets */
  GtkLabel  *dots_label;
  GtkLabel  *message_label;
  GtkGrid   *keypad;

  char       pin[KIOSK_PIN_MAX_DIGITS + 1];
  guint      length;
};

/* A page like the others (it is shown by the window in the same way), with nothing to prepare:
 * the window drops it when it is left, digits and all. */
G_DEFINE_FINAL_TYPE_WITH_CODE (KioskPinPage, kiosk_pin_page, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (KIOSK_TYPE_PAGE, NULL))

static void
update_dots (KioskPinPage *self)
{
  g_autoptr(GString) dots = g_string_new (NULL);

  for (guint i = 0; i < self->length; i++)
    g_string_append (dots, i == 0 ? "●" : " ●");

  /* The line keeps its height when empty, so nothing below moves. */
  gtk_label_set_label (self->dots_label, self->length > 0 ? dots->str : " ");
}

static GtkWidget *
add_key (KioskPinPage *self,
         const char   *label,
         const char   *action,
         const char   *digit,
         int           column,
         int           row)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  if (digit != NULL)
    gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", digit);
  gtk_widget_set_focus_on_click (button, FALSE);
  gtk_widget_add_css_class (button, "pin-key");
  gtk_grid_attach (self->keypad, button, column, row, 1, 1);

  return button;
}

static void
kiosk_pin_page_dispose (GObject *object)
{
  KioskPinPage *self = KIOSK_PIN_PAGE (object);

  kiosk_pin_page_clear (self);
  kiosk_page_dispose (KIOSK_PAGE (self), KIOSK_TYPE_PIN_PAGE);

  G_OBJECT_CLASS (kiosk_pin_page_parent_class)->dispose (object);
}

static void
kiosk_pin_page_class_init (KioskPinPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  kiosk_page_class_set_template (widget_class, "kiosk-pin-page.ui");
  object_class->dispose = kiosk_pin_page_dispose;

  gtk_widget_class_bind_template_child (widget_class, KioskPinPage, dots_label);
  gtk_widget_class_bind_template_child (widget_class, KioskPinPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, KioskPinPage, keypad);
}

static void
kiosk_pin_page_init (KioskPinPage *self)
{
  static const char * const digits[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9" };
  GtkWidget *button;

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (digits); i++)
    add_key (self, digits[i], "pin.digit", digits[i], i % 3, i / 3);

  button = add_key (self, "⌫", "pin.delete", NULL, 0, 3);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  /* Translators: for screen readers: the PIN pad's key that
                                   * deletes the last digit */
                                  _("Delete"), -1);
  add_key (self, "0", "pin.digit", "0", 1, 3);
  /* Translators: confirms the PIN typed on the PIN pad */
  button = add_key (self, C_("PIN pad", "OK"), "pin.submit", NULL, 2, 3);
  gtk_widget_add_css_class (button, "suggested-action");

  update_dots (self);
  gtk_label_set_label (self->message_label, " ");
}

/* Returns: %FALSE when the PIN is already as long as a PIN can be */
gboolean
kiosk_pin_page_add_digit (KioskPinPage *self,
                          const char   *digit)
{
  g_return_val_if_fail (KIOSK_IS_PIN_PAGE (self), FALSE);
  g_return_val_if_fail (digit != NULL && g_ascii_isdigit (digit[0]) && digit[1] == '\0', FALSE);

  if (self->length >= KIOSK_PIN_MAX_DIGITS)
    return FALSE;

  self->pin[self->length++] = digit[0];
  self->pin[self->length] = '\0';
  update_dots (self);

  return TRUE;
}

void
kiosk_pin_page_delete (KioskPinPage *self)
{
  g_return_if_fail (KIOSK_IS_PIN_PAGE (self));

  if (self->length == 0)
    return;

  self->pin[--self->length] = '\0';
  update_dots (self);
}

/* Forgets the digits; nothing of the PIN stays in memory. */
void
kiosk_pin_page_clear (KioskPinPage *self)
{
  g_return_if_fail (KIOSK_IS_PIN_PAGE (self));

  explicit_bzero (self->pin, sizeof self->pin);
  self->length = 0;
  if (self->dots_label != NULL)
    update_dots (self);
}

/* Returns: the digits typed so far */
const char *
kiosk_pin_page_get_pin (KioskPinPage *self)
{
  g_return_val_if_fail (KIOSK_IS_PIN_PAGE (self), NULL);

  return self->pin;
}

void
kiosk_pin_page_set_message (KioskPinPage *self,
                            const char   *message)
{
  g_return_if_fail (KIOSK_IS_PIN_PAGE (self));

  gtk_label_set_label (self->message_label, message && *message ? message : " ");
}

const char *
kiosk_pin_page_get_message (KioskPinPage *self)
{
  g_return_val_if_fail (KIOSK_IS_PIN_PAGE (self), NULL);

  return gtk_label_get_label (self->message_label);
}

/* While locked out, the keys do nothing; Cancel still works. */
void
kiosk_pin_page_set_locked (KioskPinPage *self,
                           gboolean      locked)
{
  g_return_if_fail (KIOSK_IS_PIN_PAGE (self));

  gtk_widget_set_sensitive (GTK_WIDGET (self->keypad), !locked);
  if (locked)
    kiosk_pin_page_clear (self);
}
