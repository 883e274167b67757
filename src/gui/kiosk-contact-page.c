/* kiosk-contact-page.c: a visitor is asked whether they want to be contacted at all; only after
 * "Yes, contact me" do the fields appear. The details go to the flow once, on "Send", and this
 * page never logs or keeps them: they leave with the page when the visit ends. */
#define G_LOG_DOMAIN "kiosk-contact-page"

#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-contact-page.h"
#include "kiosk-countdown.h"
#include "kiosk-keyboard.h"
#include "kiosk-keyboard-layout.h"
#include "kiosk-page-layout.h"

struct _KioskContactPage
{
  GtkWidget  parent_instance;

  /* template widgets */
  GtkStack  *stack;
  GtkWidget *consent_countdown;
  GtkLabel  *consent_label;
  GtkWidget *form_countdown;
  GtkWidget *name_box;
  GtkWidget *name_entry;
  GtkWidget *email_box;
  GtkWidget *email_entry;
  GtkWidget *phone_box;
  GtkWidget *phone_entry;
  GtkLabel  *error_label;
  GtkWidget *keyboard;
};

static void kiosk_contact_page_iface_init (KioskPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KioskContactPage, kiosk_contact_page, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (KIOSK_TYPE_PAGE,
                                                      kiosk_contact_page_iface_init))

static void
clear_entry (GtkWidget *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

/* Fields flow two or three to a line, whatever the screen holds; a field the survey does not
 * ask for leaves no gap. */
static void
show_field (GtkWidget *box,
            gboolean   visible)
{
  GtkWidget *slot = gtk_widget_get_parent (box);

  gtk_widget_set_visible (box, visible);
  if (GTK_IS_FLOW_BOX_CHILD (slot))
    {
      gtk_widget_set_visible (slot, visible);
      gtk_widget_set_focusable (slot, FALSE);
    }
}

static GtkWidget *
first_visible_entry (KioskContactPage *self)
{
  if (gtk_widget_get_visible (self->name_box))
    return self->name_entry;
  if (gtk_widget_get_visible (self->email_box))
    return self->email_entry;

  return self->phone_entry;
}

/* The keyboard types into @entry in the visitor's language; an e-mail address is Latin
 * letters, so a visitor whose keyboard has none (Arabic, Russian, and Chinese, Japanese or
 * Korean, which have no keyboard of their own) types it on the Latin one. */
static void
set_keyboard_target (KioskContactPage *self,
                     GtkWidget        *entry)
{
  KioskKeyboard *keyboard = KIOSK_KEYBOARD (self->keyboard);
  const char *language = kiosk_flow_get_language (KIOSK_PAGE_FLOW (self));

  if (entry == self->email_entry && !kiosk_keyboard_layout_get (language)->latin)
    language = "en";

  kiosk_keyboard_set_target (keyboard, entry);
  kiosk_keyboard_set_layout (keyboard, language);
}

/* The keyboard types where the visitor last touched. */
static void
entry_focus_enter_cb (GtkEventControllerFocus *controller,
                      KioskContactPage        *self)
{
  GtkWidget *entry = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  KioskKeyboard *keyboard = KIOSK_KEYBOARD (self->keyboard);

  set_keyboard_target (self, entry);
  /* A name starts with a capital; an address or a number does not. */
  kiosk_keyboard_set_shifted (keyboard, entry == self->name_entry &&
                              *gtk_editable_get_text (GTK_EDITABLE (entry)) == '\0' &&
                              kiosk_keyboard_has_capitals (keyboard));
}

static void
track_focus (KioskContactPage *self,
             GtkWidget        *entry)
{
  GtkEventController *focus = gtk_event_controller_focus_new ();

  g_signal_connect (focus, "enter", G_CALLBACK (entry_focus_enter_cb), self);
  gtk_widget_add_controller (entry, focus);
}

/* Back to the consent question, with empty fields, for the visit now on screen. */
static void
kiosk_contact_page_prepare (KioskPage *page)
{
  KioskContactPage *self = KIOSK_CONTACT_PAGE (page);
  KioskFollowUp *follow_up = kiosk_flow_get_follow_up (kiosk_page_get_flow (page));
  const char *language = kiosk_flow_get_language (kiosk_page_get_flow (page));
  KioskContactFields fields = 0;

  if (follow_up != NULL && kiosk_follow_up_has_contact (follow_up))
    {
      gtk_label_set_label (self->consent_label,
                           kiosk_follow_up_get_contact_consent (follow_up, language));
      fields = kiosk_follow_up_get_contact_fields (follow_up);
    }

  show_field (self->name_box, (fields & KIOSK_CONTACT_NAME) != 0);
  show_field (self->email_box, (fields & KIOSK_CONTACT_EMAIL) != 0);
  show_field (self->phone_box, (fields & KIOSK_CONTACT_PHONE) != 0);
  clear_entry (self->name_entry);
  clear_entry (self->email_entry);
  clear_entry (self->phone_entry);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);

  set_keyboard_target (self, first_visible_entry (self));
  gtk_stack_set_visible_child_name (self->stack, "consent");
}

/* After "Yes, contact me". */
void
kiosk_contact_page_show_form (KioskContactPage *self)
{
  GtkWidget *entry;

  g_return_if_fail (KIOSK_IS_CONTACT_PAGE (self));

  gtk_stack_set_visible_child_name (self->stack, "form");
  entry = first_visible_entry (self);
  set_keyboard_target (self, entry);
  gtk_widget_grab_focus (entry);
}

gboolean
kiosk_contact_page_get_form_shown (KioskContactPage *self)
{
  g_return_val_if_fail (KIOSK_IS_CONTACT_PAGE (self), FALSE);

  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "form") == 0;
}

static const char *
field_text (GtkWidget *box,
            GtkWidget *entry)
{
  if (!gtk_widget_get_visible (box))
    return NULL;

  return gtk_editable_get_text (GTK_EDITABLE (entry));
}

const char *
kiosk_contact_page_get_name (KioskContactPage *self)
{
  g_return_val_if_fail (KIOSK_IS_CONTACT_PAGE (self), NULL);

  return field_text (self->name_box, self->name_entry);
}

const char *
kiosk_contact_page_get_email (KioskContactPage *self)
{
  g_return_val_if_fail (KIOSK_IS_CONTACT_PAGE (self), NULL);

  return field_text (self->email_box, self->email_entry);
}

const char *
kiosk_contact_page_get_phone (KioskContactPage *self)
{
  g_return_val_if_fail (KIOSK_IS_CONTACT_PAGE (self), NULL);

  return field_text (self->phone_box, self->phone_entry);
}

void
kiosk_contact_page_show_error (KioskContactPage *self,
                               const char       *message)
{
  g_return_if_fail (KIOSK_IS_CONTACT_PAGE (self));

  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
kiosk_contact_page_constructed (GObject *object)
{
  KioskContactPage *self = KIOSK_CONTACT_PAGE (object);

  G_OBJECT_CLASS (kiosk_contact_page_parent_class)->constructed (object);

  kiosk_page_wrap_button_labels (GTK_WIDGET (self), "step-button");
  kiosk_countdown_set_flow (KIOSK_COUNTDOWN (self->consent_countdown), KIOSK_PAGE_FLOW (self));
  kiosk_countdown_set_flow (KIOSK_COUNTDOWN (self->form_countdown), KIOSK_PAGE_FLOW (self));
  kiosk_contact_page_prepare (KIOSK_PAGE (self));
}

static void
kiosk_contact_page_iface_init (KioskPageInterface *iface)
{
  iface->prepare = kiosk_contact_page_prepare;
}

static void
kiosk_contact_page_class_init (KioskContactPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  kiosk_page_class_set_template (widget_class, "kiosk-contact-page.ui");
  object_class->constructed = kiosk_contact_page_constructed;

  g_type_ensure (KIOSK_TYPE_COUNTDOWN);
  g_type_ensure (KIOSK_TYPE_KEYBOARD);

  gtk_widget_class_bind_template_child (widget_class, KioskContactPage, stack);
  gtk_widget_class_bind_template_child (widget_class, KioskContactPage, consent_countdown);
  gtk_widget_class_bind_template_child (widget_class, KioskContactPage, consent_label);
  gtk_widget_class_bind_template_child (widget_class, KioskContactPage, form_countdown);
  gtk_widget_class_bind_template_child (widget_class, KioskContactPage, name_box);
  gtk_widget_class_bind_template_child (widget_class, KioskContactPage, name_entry);
  gtk_widget_class_bind_template_child (widget_class, KioskContactPage, email_box);
  gtk_widget_class_bind_template_child (widget_class, KioskContactPage, email_entry);
  gtk_widget_class_bind_template_child (widget_class, KioskContactPage, phone_box);
  gtk_widget_class_bind_template_child (widget_class, KioskContactPage, phone_entry);
  gtk_widget_class_bind_template_child (widget_class, KioskContactPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, KioskContactPage, keyboard);
}

static void
kiosk_contact_page_init (KioskContactPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  track_focus (self, self->name_entry);
  track_focus (self, self->email_entry);
  track_focus (self, self->phone_entry);
}
