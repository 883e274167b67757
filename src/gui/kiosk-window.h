/* kiosk-window.h: the kiosk's one window: the pages of a visit, locked down in kiosk mode.
 *
 * Properties:
 *   "page"   KioskPageId, read-only: the page on screen
 */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-buttons.h"
#include "kiosk-flow.h"
#include "kiosk-page.h"
#include "kiosk-uploader.h"

G_BEGIN_DECLS

/* How long the window waits for the things it does by itself; tests shorten them. */
typedef struct
{
  guint attract_after_ms;   /* the dimmed attract screen; 0: attract-after-minutes */
  guint shift_every_ms;     /* burn-in care: the content moves a few pixels (3 min) */
  guint admin_idle_ms;      /* the PIN pad and the admin screen close untouched (60 s) */
} KioskWindowTimings;

#define KIOSK_TYPE_WINDOW (kiosk_window_get_type ())
G_DECLARE_FINAL_TYPE (KioskWindow, kiosk_window, KIOSK, WINDOW, GtkApplicationWindow)

KioskWindow *kiosk_window_new            (GtkApplication *application,
                                          KioskFlow      *flow,
                                          gboolean        kiosk_mode);
KioskFlow   *kiosk_window_get_flow       (KioskWindow    *self);
gboolean     kiosk_window_get_kiosk_mode (KioskWindow    *self);
KioskPageId  kiosk_window_get_page       (KioskWindow    *self);
GtkWidget   *kiosk_window_get_page_widget (KioskWindow   *self);

void         kiosk_window_set_uploader   (KioskWindow    *self,
                                          KioskUploader  *uploader);
void         kiosk_window_set_buttons    (KioskWindow    *self,
                                          KioskButtons   *buttons);
void         kiosk_window_set_first_boot_error (KioskWindow *self,
                                          const char     *text);
void         kiosk_window_set_export_dirs (KioskWindow   *self,
                                          const char * const *dirs);
void         kiosk_window_set_timings    (KioskWindow    *self,
                                          const KioskWindowTimings *timings);

G_END_DECLS
