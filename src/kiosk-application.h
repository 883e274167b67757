/* kiosk-application.h: wires config, clock, store, flow and window together. */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-buttons.h"
#include "kiosk-config.h"
#include "kiosk-flow.h"
#include "kiosk-uploader.h"

G_BEGIN_DECLS

#define KIOSK_TYPE_APPLICATION (kiosk_application_get_type ())
G_DECLARE_FINAL_TYPE (KioskApplication, kiosk_application, KIOSK, APPLICATION, GtkApplication)

KioskApplication *kiosk_application_new      (KioskConfig      *config,
                                              KioskSurvey      *survey,
                                              gboolean          windowed);
KioskFlow        *kiosk_application_get_flow (KioskApplication *self);
KioskUploader    *kiosk_application_get_uploader (KioskApplication *self);
KioskButtons     *kiosk_application_get_buttons (KioskApplication *self);

const char       *kiosk_localedir            (void);
char             *kiosk_pick_language        (const char * const *candidates,
                                              const char         *localedir);

G_END_DECLS
