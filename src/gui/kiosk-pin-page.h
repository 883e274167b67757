/* kiosk-pin-page.h: the PIN pad in front of the admin screen. */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-page.h"

G_BEGIN_DECLS

#define KIOSK_PIN_MAX_DIGITS 12

#define KIOSK_TYPE_PIN_PAGE (kiosk_pin_page_get_type ())
G_DECLARE_FINAL_TYPE (KioskPinPage, kiosk_pin_page, KIOSK, PIN_PAGE, GtkWidget)

gboolean   kiosk_pin_page_add_digit   (KioskPinPage *self,
                                       const char   *digit);
void       kiosk_pin_page_delete      (KioskPinPage *self);
void       kiosk_pin_page_clear       (KioskPinPage *self);
const char *kiosk_pin_page_get_pin    (KioskPinPage *self);
void       kiosk_pin_page_set_message (KioskPinPage *self,
                                       const char   *message);
const char *kiosk_pin_page_get_message (KioskPinPage *self);
void       kiosk_pin_page_set_locked  (KioskPinPage *self,
                                       gboolean      locked);

G_END_DECLS
