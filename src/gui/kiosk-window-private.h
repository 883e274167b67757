/* kiosk-window-private.h: the window's instance and what its files share. kiosk-window.c keeps
 * the pages and the screen, kiosk-window-actions.c the visit's actions and which action is
 * enabled when, kiosk-window-staff.c the way to the admin screen, kiosk-window-lockdown.c what a
 * kiosk keeps shut. */
#pragma once

#include "kiosk-page.h"
#include "kiosk-pin.h"
#include "kiosk-shift-bin.h"
#include "kiosk-window.h"

G_BEGIN_DECLS

struct _KioskWindow
{
  GtkApplicationWindow  parent_instance;

  /* template widgets */
  GtkLabel             *staff_banner;
  KioskShiftBin        *shift_bin;
  GtkStack             *stack;
  GtkWidget            *admin_hotspot;

  /* children of @stack by id, NULL until built: the visit's pages are built again when the
   * language changes; closed, attract, PIN and admin only while shown */
  GtkWidget            *pages[KIOSK_N_PAGES];

  /* owned */
  KioskFlow            *flow;
  KioskUploader        *uploader;         /* NULL when sync is off */
  KioskButtons         *buttons;          /* NULL without physical buttons */
  char                 *pages_language;   /* the language the pages were built in */
  char                 *first_boot_error;
  GStrv                 export_dirs;      /* NULL: look for a USB stick */
  KioskWindowTimings    timings;
  KioskPinGuard         pin_guard;
  guint                 admin_idle_source;
  guint                 attract_source;
  guint                 shift_source;
  guint                 lockout_source;
  guint                 hotspot_hold_source;

  KioskPageId           shown;
  gint64                hotspot_last_tap_us;
  guint                 hotspot_taps;
  guint                 shift_step;
  gboolean              kiosk_mode;
  gboolean              pin_shown;
  gboolean              admin_shown;
  gboolean              attract_shown;
};

/* kiosk-window.c */
void       _kiosk_window_refresh_screen         (KioskWindow      *self);
void       _kiosk_window_touched                (KioskWindow      *self);
void       _kiosk_window_update_attract_timer   (KioskWindow      *self,
                                                 gboolean          restart);

/* kiosk-window-actions.c */
void       _kiosk_window_class_actions_init     (KioskWindowClass *klass);
void       _kiosk_window_update_actions         (KioskWindow      *self);

/* kiosk-window-staff.c */
void       _kiosk_window_class_staff_init       (KioskWindowClass *klass);
void       _kiosk_window_staff_init             (KioskWindow      *self);
GtkWidget *_kiosk_window_new_admin_page         (KioskWindow      *self);
void       _kiosk_window_update_admin_idle_timer (KioskWindow     *self,
                                                 gboolean          restart);

/* kiosk-window-lockdown.c */
void       _kiosk_window_class_lockdown_init    (KioskWindowClass *klass);
void       _kiosk_window_lockdown_init          (KioskWindow      *self);
void       _kiosk_window_forget_clipboard       (KioskWindow      *self);

G_END_DECLS
