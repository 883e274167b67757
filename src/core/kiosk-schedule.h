/* kiosk-schedule.h: whether the kiosk is within its opening hours now, with one timer for the
 * next change. */
#pragma once

#include <glib-object.h>

#include "kiosk-clock.h"
#include "kiosk-hours.h"

G_BEGIN_DECLS

#define KIOSK_TYPE_SCHEDULE (kiosk_schedule_get_type ())
G_DECLARE_FINAL_TYPE (KioskSchedule, kiosk_schedule, KIOSK, SCHEDULE, GObject)

/*
 * Properties (notify only when the value changes):
 *   "open"          boolean: within the opening hours now
 *   "next-change"   int64: wall time (µs since the epoch) of the next change; G_MAXINT64 for never
 */

KioskSchedule *kiosk_schedule_new             (KioskHours    *hours,
                                               KioskClock    *clock);
gboolean       kiosk_schedule_get_open        (KioskSchedule *self);
gint64         kiosk_schedule_get_next_change (KioskSchedule *self);
void           kiosk_schedule_recheck         (KioskSchedule *self);

/* For tests: how the one timer is armed. */
typedef enum
{
  KIOSK_SCHEDULE_TIMER_NONE,       /* open around the clock, or no change ahead */
  KIOSK_SCHEDULE_TIMER_WALL,       /* a timerfd on the wall clock, woken when the clock is set */
  KIOSK_SCHEDULE_TIMER_MONOTONIC,  /* a plain timeout (a fake clock, or no timerfd) */
} KioskScheduleTimer;

KioskScheduleTimer kiosk_schedule_get_timer   (KioskSchedule *self,
                                               gint64        *out_delay_ms);

G_END_DECLS
