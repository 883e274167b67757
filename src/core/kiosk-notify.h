/* kiosk-notify.h: the sd_notify(3) protocol for systemd: READY once the survey is on screen,
 * WATCHDOG while the main loop runs. Without NOTIFY_SOCKET it does nothing. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define KIOSK_TYPE_NOTIFY (kiosk_notify_get_type ())
G_DECLARE_FINAL_TYPE (KioskNotify, kiosk_notify, KIOSK, NOTIFY, GObject)

KioskNotify *kiosk_notify_new                  (const char   *notify_socket,
                                                const char   *watchdog_usec,
                                                const char   *watchdog_pid,
                                                GError      **error);
KioskNotify *kiosk_notify_new_from_environment (void);

gboolean     kiosk_notify_send                 (KioskNotify  *self,
                                                const char   *message,
                                                GError      **error);
void         kiosk_notify_ready                (KioskNotify  *self);
guint64      kiosk_notify_get_watchdog_usec    (KioskNotify  *self);
gboolean     kiosk_notify_start_watchdog       (KioskNotify  *self);
void         kiosk_notify_stop_watchdog        (KioskNotify  *self);

G_END_DECLS
