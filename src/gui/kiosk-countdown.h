/* kiosk-countdown.h: the time left to answer a follow-up, as a ring around the seconds. */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-flow.h"

G_BEGIN_DECLS

#define KIOSK_TYPE_COUNTDOWN (kiosk_countdown_get_type ())
G_DECLARE_FINAL_TYPE (KioskCountdown, kiosk_countdown, KIOSK, COUNTDOWN, GtkWidget)

GtkWidget  *kiosk_countdown_new       (void);
KioskFlow  *kiosk_countdown_get_flow  (KioskCountdown *self);
void        kiosk_countdown_set_flow  (KioskCountdown *self,
                                       KioskFlow      *flow);
const char *kiosk_countdown_get_text  (KioskCountdown *self);

G_END_DECLS
