/* kiosk-clock.c: reads the instant of a tap in every form the server needs to trust it.
 * A Raspberry Pi has no real-time clock, so wall time alone is not enough. */
#define G_LOG_DOMAIN "kiosk-clock"

#include "config.h"

#include <sys/timex.h>

#include "kiosk-clock.h"

struct _KioskClock
{
  GObject    parent_instance;

  /* owned */
  char      *boot_id;
  GTimeZone *local_tz;

  /* fake clocks only */
  gboolean   fake;
  gint64     fake_wall_us;
  gint64     fake_monotonic_us;
  gint32     fake_offset_s;
  gboolean   fake_synced;
};

G_DEFINE_FINAL_TYPE (KioskClock, kiosk_clock, G_TYPE_OBJECT)

static void
kiosk_clock_finalize (GObject *object)
{
  KioskClock *self = KIOSK_CLOCK (object);

  g_clear_pointer (&self->boot_id, g_free);
  g_clear_pointer (&self->local_tz, g_time_zone_unref);

  G_OBJECT_CLASS (kiosk_clock_parent_class)->finalize (object);
}

static void
kiosk_clock_class_init (KioskClockClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiosk_clock_finalize;
}

static void
kiosk_clock_init (KioskClock *self)
{
}

char *
kiosk_read_boot_id (void)
{
  g_autofree char *contents = NULL;

  if (g_file_get_contents ("/proc/sys/kernel/random/boot_id", &contents, NULL, NULL))
    return g_strstrip (g_steal_pointer (&contents));

  /* Not Linux, or /proc is hidden: one id per process is still honest about what we know. */
  return g_uuid_string_random ();
}

gboolean
kiosk_system_clock_synced (void)
{
  struct timex tx = { 0 };
  int state;

  /* systemd-timesyncd touches this file once the clock was synchronised in this boot. */
  if (g_file_test ("/run/systemd/timesync/synchronized", G_FILE_TEST_EXISTS))
    return TRUE;

  /* Any other NTP daemon (chrony, ntpd) clears STA_UNSYNC in the kernel. */
  state = adjtimex (&tx);
  if (state == -1 || state == TIME_ERROR)
    return FALSE;

  return (tx.status & STA_UNSYNC) == 0;
}

KioskClock *
kiosk_clock_new (void)
{
  KioskClock *self = g_object_new (KIOSK_TYPE_CLOCK, NULL);

  self->boot_id = kiosk_read_boot_id ();
  self->local_tz = g_time_zone_new_local ();

  return self;
}

KioskClock *
kiosk_clock_new_fake (gint64      wall_us,
                      gint64      monotonic_us,
                      const char *boot_id)
{
  KioskClock *self = g_object_new (KIOSK_TYPE_CLOCK, NULL);

  self->fake = TRUE;
  self->boot_id = g_strdup (boot_id ? boot_id : "00000000-0000-4000-8000-000000000000");
  self->fake_wall_us = wall_us;
  self->fake_monotonic_us = monotonic_us;
  self->fake_synced = TRUE;

  return self;
}

void
kiosk_clock_now (KioskClock     *self,
                 KioskTimestamp *out)
{
  g_return_if_fail (KIOSK_IS_CLOCK (self));
  g_return_if_fail (out != NULL);

  if (self->fake)
    {
      out->wall_us = self->fake_wall_us;
      out->monotonic_us = self->fake_monotonic_us;
      out->utc_offset_s = self->fake_offset_s;
      out->synced = self->fake_synced;
      return;
    }

  out->monotonic_us = g_get_monotonic_time ();
  out->wall_us = g_get_real_time ();
  out->synced = kiosk_system_clock_synced ();
  out->utc_offset_s = g_time_zone_get_offset (self->local_tz,
                                              g_time_zone_find_interval (self->local_tz,
                                                                         G_TIME_TYPE_UNIVERSAL,
                                                                         out->wall_us / G_USEC_PER_SEC));
}

const char *
kiosk_clock_get_boot_id (KioskClock *self)
{
  g_return_val_if_fail (KIOSK_IS_CLOCK (self), NULL);

  return self->boot_id;
}

gboolean
kiosk_clock_is_fake (KioskClock *self)
{
  g_return_val_if_fail (KIOSK_IS_CLOCK (self), FALSE);

  return self->fake;
}

void
kiosk_clock_advance (KioskClock *self,
                     gint64      microseconds)
{
  g_return_if_fail (KIOSK_IS_CLOCK (self));
  g_return_if_fail (self->fake);

  self->fake_wall_us += microseconds;
  self->fake_monotonic_us += microseconds;
}

void
kiosk_clock_set_synced (KioskClock *self,
                        gboolean    synced)
{
  g_return_if_fail (KIOSK_IS_CLOCK (self));
  g_return_if_fail (self->fake);

  self->fake_synced = !!synced;
}

/* Steps the wall clock alone, as NTP or an operator would. */
void
kiosk_clock_set_wall (KioskClock *self,
                      gint64      wall_us)
{
  g_return_if_fail (KIOSK_IS_CLOCK (self));
  g_return_if_fail (self->fake);

  self->fake_wall_us = wall_us;
}

void
kiosk_clock_set_offset (KioskClock *self,
                        gint32      utc_offset_s)
{
  g_return_if_fail (KIOSK_IS_CLOCK (self));
  g_return_if_fail (self->fake);

  self->fake_offset_s = utc_offset_s;
}

/* RFC 3339 with milliseconds and the local offset, e.g. 2026-11-22T14:03:07.120+01:00. */
char *
kiosk_format_rfc3339 (gint64 wall_us,
                      gint32 utc_offset_s)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *base = NULL;
  gint64 seconds = wall_us / G_USEC_PER_SEC;
  gint64 rest_us = wall_us % G_USEC_PER_SEC;
  int offset_abs = ABS (utc_offset_s);

  if (rest_us < 0)
    {
      seconds -= 1;
      rest_us += G_USEC_PER_SEC;
    }

  utc = g_date_time_new_from_unix_utc (seconds + utc_offset_s);
  if (utc == NULL)
    return g_strdup ("1970-01-01T00:00:00.000Z");
  base = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S");

  if (utc_offset_s == 0)
    return g_strdup_printf ("%s.%03dZ", base, (int) (rest_us / 1000));

  return g_strdup_printf ("%s.%03d%c%02d:%02d", base, (int) (rest_us / 1000),
                          utc_offset_s < 0 ? '-' : '+',
                          offset_abs / 3600, (offset_abs % 3600) / 60);
}
