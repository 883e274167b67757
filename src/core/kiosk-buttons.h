/* kiosk-buttons.h: physical buttons (USB keypads, arcade encoders, gpio-keys) read with libevdev
 * in the GLib main loop. A press becomes the same vote as a touch. */
#pragma once

#include <glib-object.h>

#include "kiosk-config.h"

G_BEGIN_DECLS

#define KIOSK_TYPE_BUTTONS (kiosk_buttons_get_type ())
G_DECLARE_FINAL_TYPE (KioskButtons, kiosk_buttons, KIOSK, BUTTONS, GObject)

KioskButtons *kiosk_buttons_new            (KioskConfig  *config);
void          kiosk_buttons_start          (KioskButtons *self);
guint         kiosk_buttons_get_connected  (KioskButtons *self);
guint64       kiosk_buttons_get_resyncs    (KioskButtons *self);
GStrv         kiosk_buttons_dup_status     (KioskButtons *self);

G_END_DECLS
