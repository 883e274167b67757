/* kiosk-window.h: the kiosk's one window: the pages of a visit, locked down in kiosk mode. */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-flow.h"

G_BEGIN_DECLS

#define KIOSK_TYPE_WINDOW (kiosk_window_get_type ())
G_DECLARE_FINAL_TYPE (KioskWindow, kiosk_window, KIOSK, WINDOW, GtkApplicationWindow)

KioskWindow *kiosk_window_new            (GtkApplication *application,
                                          KioskFlow      *flow,
                                          gboolean        kiosk_mode);
KioskFlow   *kiosk_window_get_flow       (KioskWindow    *self);
gboolean     kiosk_window_get_kiosk_mode (KioskWindow    *self);
const char  *kiosk_window_get_page       (KioskWindow    *self);
GtkWidget   *kiosk_window_get_page_widget (KioskWindow   *self);

G_END_DECLS
