/* kiosk-contact-page.h: asks for consent first, then for contact details on the kiosk keyboard. */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-page.h"

G_BEGIN_DECLS

#define KIOSK_TYPE_CONTACT_PAGE (kiosk_contact_page_get_type ())
G_DECLARE_FINAL_TYPE (KioskContactPage, kiosk_contact_page, KIOSK, CONTACT_PAGE, GtkWidget)

void        kiosk_contact_page_show_form  (KioskContactPage *self);
gboolean    kiosk_contact_page_get_form_shown (KioskContactPage *self);
const char *kiosk_contact_page_get_name   (KioskContactPage *self);
const char *kiosk_contact_page_get_email  (KioskContactPage *self);
const char *kiosk_contact_page_get_phone  (KioskContactPage *self);
void        kiosk_contact_page_show_error (KioskContactPage *self,
                                           const char       *message);

G_END_DECLS
