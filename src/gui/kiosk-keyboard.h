/* kiosk-keyboard.h: the kiosk's own on-screen keyboard, in the layout of the visitor's language. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define KIOSK_TYPE_KEYBOARD (kiosk_keyboard_get_type ())
G_DECLARE_FINAL_TYPE (KioskKeyboard, kiosk_keyboard, KIOSK, KEYBOARD, GtkWidget)

GtkWidget          *kiosk_keyboard_new            (void);

GtkWidget          *kiosk_keyboard_get_target     (KioskKeyboard *self);
void                kiosk_keyboard_set_target     (KioskKeyboard *self,
                                                   GtkWidget     *target);
const char         *kiosk_keyboard_get_layout     (KioskKeyboard *self);
void                kiosk_keyboard_set_layout     (KioskKeyboard *self,
                                                   const char    *language);
int                 kiosk_keyboard_get_max_length (KioskKeyboard *self);
void                kiosk_keyboard_set_max_length (KioskKeyboard *self,
                                                   int            max_length);
gboolean            kiosk_keyboard_get_shifted    (KioskKeyboard *self);
void                kiosk_keyboard_set_shifted    (KioskKeyboard *self,
                                                   gboolean       shifted);
int                 kiosk_keyboard_get_length     (KioskKeyboard *self);
gboolean            kiosk_keyboard_has_capitals   (KioskKeyboard *self);

const char * const *kiosk_keyboard_list_languages (void);

G_END_DECLS
