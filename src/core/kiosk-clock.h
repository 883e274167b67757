/* kiosk-clock.h: wall time, monotonic time, boot id and clock synchronisation of one instant.
 * A fake clock lets tests control time without sleeping. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct
{
  gint64   wall_us;       /* microseconds since the Unix epoch (UTC) */
  gint32   utc_offset_s;  /* local offset from UTC at that instant */
  gint64   monotonic_us;  /* CLOCK_MONOTONIC, as g_get_monotonic_time() */
  gboolean synced;        /* was the wall clock synchronised at that instant */
} KioskTimestamp;

#define KIOSK_TYPE_CLOCK (kiosk_clock_get_type ())
G_DECLARE_FINAL_TYPE (KioskClock, kiosk_clock, KIOSK, CLOCK, GObject)

KioskClock *kiosk_clock_new          (void);
KioskClock *kiosk_clock_new_fake     (gint64          wall_us,
                                      gint64          monotonic_us,
                                      const char     *boot_id);
void        kiosk_clock_now          (KioskClock     *self,
                                      KioskTimestamp *out);
const char *kiosk_clock_get_boot_id  (KioskClock     *self);
gboolean    kiosk_clock_is_fake      (KioskClock     *self);

/* Fake clocks only. */
void        kiosk_clock_advance      (KioskClock     *self,
                                      gint64          microseconds);
void        kiosk_clock_set_synced   (KioskClock     *self,
                                      gboolean        synced);
void        kiosk_clock_set_wall     (KioskClock     *self,
                                      gint64          wall_us);
void        kiosk_clock_set_offset   (KioskClock     *self,
                                      gint32          utc_offset_s);

char       *kiosk_format_rfc3339     (gint64          wall_us,
                                      gint32          utc_offset_s);
gboolean    kiosk_system_clock_synced (void);
char       *kiosk_read_boot_id       (void);

G_END_DECLS
