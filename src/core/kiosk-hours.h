/* kiosk-hours.h: opening hours per weekday in a time zone; outside them the kiosk records nothing. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint16 start_min;   /* minutes after local midnight */
  guint16 end_min;     /* exclusive; 1440 = midnight at the end of the day */
} KioskTimeRange;

typedef struct _KioskHours KioskHours;

KioskHours *kiosk_hours_new              (void);
KioskHours *kiosk_hours_ref              (KioskHours  *self);
void        kiosk_hours_unref            (KioskHours  *self);

gboolean    kiosk_hours_set_timezone     (KioskHours  *self,
                                          const char  *identifier);
const char *kiosk_hours_get_timezone     (KioskHours  *self);
void        kiosk_hours_set_day          (KioskHours  *self,
                                          GDateWeekday weekday,
                                          GArray      *ranges);
gboolean    kiosk_hours_is_limited       (KioskHours  *self);

gboolean    kiosk_hours_is_open          (KioskHours  *self,
                                          gint64       wall_us);
gint64      kiosk_hours_next_change      (KioskHours  *self,
                                          gint64       wall_us);

GArray     *kiosk_hours_parse_ranges     (const char  *text,
                                          GString     *problem);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskHours, kiosk_hours_unref)

G_END_DECLS
