/* kiosk-hours.c: opening hours. The kiosk asks for the next change and sets one timer for it,
 * so nothing wakes up in between. */
#define G_LOG_DOMAIN "kiosk-hours"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "kiosk-hours.h"

struct _KioskHours
{
  gatomicrefcount  ref_count;
  GTimeZone       *tz;
  char            *tz_name;
  gboolean         limited;      /* FALSE: open around the clock */
  GArray          *days[8];      /* indexed by GDateWeekday (1 = Monday); NULL = closed */
};

KioskHours *
kiosk_hours_new (void)
{
  KioskHours *self = g_new0 (KioskHours, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->tz = g_time_zone_new_local ();
  return self;
}

KioskHours *
kiosk_hours_ref (KioskHours *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
kiosk_hours_unref (KioskHours *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (self->days); i++)
    g_clear_pointer (&self->days[i], g_array_unref);
  g_time_zone_unref (self->tz);
  g_free (self->tz_name);
  g_free (self);
}

gboolean
kiosk_hours_set_timezone (KioskHours *self,
                          const char *identifier)
{
  GTimeZone *tz = g_time_zone_new_identifier (identifier);

  if (tz == NULL)
    return FALSE;

  g_time_zone_unref (self->tz);
  self->tz = tz;
  g_free (self->tz_name);
  self->tz_name = g_strdup (identifier);
  return TRUE;
}

/* NULL: the system's local time zone. */
const char *
kiosk_hours_get_timezone (KioskHours *self)
{
  return self->tz_name;
}

/* Setting any day limits the kiosk to the days set; the others are closed. */
void
kiosk_hours_set_day (KioskHours   *self,
                     GDateWeekday  weekday,
                     GArray       *ranges)
{
  g_return_if_fail (weekday >= G_DATE_MONDAY && weekday <= G_DATE_SUNDAY);

  g_clear_pointer (&self->days[weekday], g_array_unref);
  self->days[weekday] = ranges ? g_array_ref (ranges) : NULL;
  self->limited = TRUE;
}

gboolean
kiosk_hours_is_limited (KioskHours *self)
{
  return self->limited;
}

static GDateTime *
local_time (KioskHours *self,
            gint64      wall_us)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (wall_us / G_USEC_PER_SEC);

  return g_date_time_to_timezone (utc, self->tz);
}

static gboolean
is_open_at (KioskHours *self,
            GDateTime  *now)
{
  GArray *ranges;
  int minute;

  ranges = self->days[g_date_time_get_day_of_week (now)];
  minute = g_date_time_get_hour (now) * 60 + g_date_time_get_minute (now);

  for (guint i = 0; ranges && i < ranges->len; i++)
    {
      KioskTimeRange *r = &g_array_index (ranges, KioskTimeRange, i);

      if (minute >= r->start_min && minute < r->end_min)
        return TRUE;
    }

  return FALSE;
}

gboolean
kiosk_hours_is_open (KioskHours *self,
                     gint64      wall_us)
{
  g_autoptr(GDateTime) now = NULL;

  if (!self->limited)
    return TRUE;

  now = local_time (self, wall_us);
  return is_open_at (self, now);
}

/* The minutes from local minute @minute of @weekday to the next minute of that day at which a
 * range starts or ends, or to midnight: the state is the same for all of them. */
static int
minutes_to_boundary (KioskHours *self,
                     int         weekday,
                     int         minute)
{
  GArray *ranges = self->days[weekday];
  int next = 24 * 60;

  for (guint i = 0; ranges && i < ranges->len; i++)
    {
      KioskTimeRange *r = &g_array_index (ranges, KioskTimeRange, i);

      if (r->start_min > minute && r->start_min < next)
        next = r->start_min;
      if (r->end_min > minute && r->end_min < next)
        next = r->end_min;
    }
  return next - minute;
}

/* The wall time (µs) of the next minute at which open/closed changes, G_MAXINT64 for never.
 * The answer of walking the minute boundaries of the next eight days (exact across daylight
 * saving changes), but in strides: from one minute to the day's next range boundary or
 * midnight, when no change of the UTC offset lies between; across one, a minute at a time.
 * A minute at a time took 11 520 time zone conversions to find no change in eight days, and the
 * dashboard's fleet asks for every silent kiosk. */
gint64
kiosk_hours_next_change (KioskHours *self,
                         gint64      wall_us)
{
  const gint64 minute_us = 60 * G_USEC_PER_SEC;
  gboolean open_now;
  gint64 t, end;

  if (!self->limited)
    return G_MAXINT64;

  open_now = kiosk_hours_is_open (self, wall_us);
  t = (wall_us / minute_us + 1) * minute_us;
  end = t + 8 * 24 * 60 * minute_us;   /* the first minute not looked at */

  while (t < end)
    {
      g_autoptr(GDateTime) local = local_time (self, t);
      int minute = g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);
      int stride = minutes_to_boundary (self, g_date_time_get_day_of_week (local), minute);
      gint64 last = t + (stride - 1) * minute_us;   /* the stride's last minute */

      if (is_open_at (self, local) != open_now)
        return t;
      /* The same interval of the zone at both ends: one offset throughout, so local minutes
       * minute … minute + stride - 1 of the same day, all in t's state. */
      if (stride > 1)
        {
          g_autoptr(GDateTime) last_local = local_time (self, last);

          /* A stride is less than a day, and no zone changes its offset twice in a day and
           * back: the same offset at both ends means none in between. */
          if (g_date_time_get_utc_offset (last_local) == g_date_time_get_utc_offset (local))
            {
              t = last + minute_us;
              continue;
            }
        }
      t += minute_us;
    }

  return G_MAXINT64;
}

static gboolean
parse_clock (const char *text,
             int        *out_min)
{
  int h, m;
  char tail;

  if (sscanf (text, "%d:%d%c", &h, &m, &tail) != 2 || strlen (text) != 5)
    return FALSE;
  if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0))
    return FALSE;

  *out_min = h * 60 + m;
  return TRUE;
}

/* "08:00-12:00, 13:00-18:30", or "closed". */
GArray *
kiosk_hours_parse_ranges (const char *text,
                          GString    *problem)
{
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (KioskTimeRange));
  g_auto(GStrv) parts = NULL;

  if (g_ascii_strcasecmp (text, "closed") == 0)
    return g_steal_pointer (&ranges);

  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i]; i++)
    {
      g_auto(GStrv) ends = g_strsplit (g_strstrip (parts[i]), "-", -1);
      KioskTimeRange range;
      int start, end;

      if (g_strv_length (ends) != 2 ||
          !parse_clock (g_strstrip (ends[0]), &start) || !parse_clock (g_strstrip (ends[1]), &end))
        {
          g_string_append_printf (problem, "“%s” is not a time range (expected HH:MM-HH:MM, "
                                  "several separated by “,”, or closed)", g_strstrip (parts[i]));
          return NULL;
        }

      if (end <= start)
        {
          g_string_append_printf (problem, "“%s” ends before it starts (a range ends the same "
                                  "day; use 24:00 for midnight)", g_strstrip (parts[i]));
          return NULL;
        }

      range.start_min = start;
      range.end_min = end;
      g_array_append_val (ranges, range);
    }

  return g_steal_pointer (&ranges);
}
