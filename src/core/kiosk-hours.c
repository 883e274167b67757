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

gboolean
kiosk_hours_is_open (KioskHours *self,
                     gint64      wall_us)
{
  g_autoptr(GDateTime) now = NULL;
  GArray *ranges;
  int minute;

  if (!self->limited)
    return TRUE;

  now = local_time (self, wall_us);
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

/* The wall time (µs) of the next minute at which open/closed changes, G_MAXINT64 for never.
 * Walks minute boundaries of the next eight days, which is cheap and exact across daylight
 * saving changes. */
gint64
kiosk_hours_next_change (KioskHours *self,
                         gint64      wall_us)
{
  gboolean open_now;
  gint64 t;

  if (!self->limited)
    return G_MAXINT64;

  open_now = kiosk_hours_is_open (self, wall_us);
  t = (wall_us / (60 * G_USEC_PER_SEC) + 1) * 60 * G_USEC_PER_SEC;

  for (int i = 0; i < 8 * 24 * 60; i++, t += 60 * G_USEC_PER_SEC)
    if (kiosk_hours_is_open (self, t) != open_now)
      return t;

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
