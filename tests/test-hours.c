/* test-hours.c: opening hours in a time zone, including the days daylight saving time changes. */
#define G_LOG_DOMAIN "test-hours"

#include "config.h"

#include "kiosk-config.h"

static gint64
at (const char *tz_name,
    int         year,
    int         month,
    int         day,
    int         hour,
    int         minute)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (tz_name);
  g_autoptr(GDateTime) dt = g_date_time_new (tz, year, month, day, hour, minute, 0);

  return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
}

static KioskConfig *
load (const char *text)
{
  g_autoptr(GError) error = NULL;
  KioskConfig *config = kiosk_config_new_from_data (text, -1, "hours.conf", &error);

  g_assert_no_error (error);
  return config;
}

static void
test_always_open (void)
{
  g_autoptr(KioskConfig) config = kiosk_config_new_default ();
  KioskHours *hours = kiosk_config_get_hours (config);

  g_assert_false (kiosk_hours_is_limited (hours));
  g_assert_true (kiosk_hours_is_open (hours, at ("UTC", 2026, 11, 22, 3, 0)));
  g_assert_cmpint (kiosk_hours_next_change (hours, 0), ==, G_MAXINT64);
}

static void
test_week (void)
{
  g_autoptr(KioskConfig) config =
    load ("[hours]\ntimezone = Europe/Berlin\n"
          "monday = 08:00-12:00, 13:00-18:30\n"
          "saturday = 10:00-24:00\n"
          "sunday = closed\n");
  KioskHours *hours = kiosk_config_get_hours (config);
  const char *tz = "Europe/Berlin";

  g_assert_true (kiosk_hours_is_limited (hours));
  /* 2026-11-23 is a Monday. */
  g_assert_false (kiosk_hours_is_open (hours, at (tz, 2026, 11, 23, 7, 59)));
  g_assert_true (kiosk_hours_is_open (hours, at (tz, 2026, 11, 23, 8, 0)));
  g_assert_true (kiosk_hours_is_open (hours, at (tz, 2026, 11, 23, 11, 59)));
  g_assert_false (kiosk_hours_is_open (hours, at (tz, 2026, 11, 23, 12, 30)));
  g_assert_true (kiosk_hours_is_open (hours, at (tz, 2026, 11, 23, 18, 29)));
  g_assert_false (kiosk_hours_is_open (hours, at (tz, 2026, 11, 23, 18, 30)));
  /* Tuesday is not listed: closed. */
  g_assert_false (kiosk_hours_is_open (hours, at (tz, 2026, 11, 24, 10, 0)));
  /* Saturday until midnight, Sunday closed. */
  g_assert_true (kiosk_hours_is_open (hours, at (tz, 2026, 11, 28, 23, 59)));
  g_assert_false (kiosk_hours_is_open (hours, at (tz, 2026, 11, 29, 0, 0)));

  /* The next change, exactly: one timer, no polling. */
  g_assert_cmpint (kiosk_hours_next_change (hours, at (tz, 2026, 11, 23, 7, 0)), ==,
                   at (tz, 2026, 11, 23, 8, 0));
  g_assert_cmpint (kiosk_hours_next_change (hours, at (tz, 2026, 11, 23, 8, 0)), ==,
                   at (tz, 2026, 11, 23, 12, 0));
  g_assert_cmpint (kiosk_hours_next_change (hours, at (tz, 2026, 11, 23, 19, 0)), ==,
                   at (tz, 2026, 11, 28, 10, 0));
}

/* The time zone, not the machine's clock setting, decides; also across a DST change. */
static void
test_timezone_and_dst (void)
{
  g_autoptr(KioskConfig) config =
    load ("[hours]\ntimezone = America/New_York\nsunday = 09:00-17:00\n");
  KioskHours *hours = kiosk_config_get_hours (config);

  /* 2026-03-08 is the Sunday clocks go forward in New York; 2026-11-01 back. */
  g_assert_true (kiosk_hours_is_open (hours, at ("America/New_York", 2026, 3, 8, 9, 0)));
  g_assert_false (kiosk_hours_is_open (hours, at ("America/New_York", 2026, 3, 8, 8, 59)));
  g_assert_true (kiosk_hours_is_open (hours, at ("America/New_York", 2026, 11, 1, 16, 59)));
  g_assert_true (kiosk_hours_is_open (hours, at ("UTC", 2026, 11, 1, 21, 59)));
  g_assert_false (kiosk_hours_is_open (hours, at ("UTC", 2026, 11, 1, 22, 0)));
}

/* What kiosk_hours_next_change() answers: the first minute boundary within eight days whose
 * state differs, found a minute at a time. */
static gint64
next_change_by_minutes (KioskHours *hours,
                        gint64      wall_us)
{
  gboolean open_now = kiosk_hours_is_open (hours, wall_us);
  gint64 t = (wall_us / (60 * G_USEC_PER_SEC) + 1) * 60 * G_USEC_PER_SEC;

  for (int i = 0; i < 8 * 24 * 60; i++, t += 60 * G_USEC_PER_SEC)
    if (kiosk_hours_is_open (hours, t) != open_now)
      return t;
  return G_MAXINT64;
}

/* The strides of kiosk_hours_next_change() find what a walk of every minute finds: around the
 * nights the clocks change (a range across the skipped and the repeated hour), on closed days
 * and weeks with nothing open, from instants on and off the minute. */
static void
test_next_change_strides (void)
{
  static const char *const configs[] = {
    "[hours]\ntimezone = Europe/Berlin\nsunday = 01:30-03:30\nmonday = 08:00-12:00, 13:00-18:30\n"
    "saturday = 10:00-24:00\n",
    "[hours]\ntimezone = America/New_York\nsunday = 00:00-02:30, 02:45-24:00\n"
    "wednesday = 09:00-17:00\n",
    "[hours]\ntimezone = Europe/Helsinki\nmonday = closed\n",
    "[hours]\ntimezone = Australia/Lord_Howe\nsunday = 01:45-02:15\nsaturday = 00:00-24:00\n",
    "[hours]\ntimezone = UTC\nfriday = 23:59-24:00\n",
  };
  static const struct { const char *tz; int y, m, d; } nights[] = {
    { "Europe/Berlin", 2026, 3, 27 }, { "Europe/Berlin", 2026, 10, 23 },
    { "America/New_York", 2026, 3, 6 }, { "America/New_York", 2026, 10, 30 },
    { "Australia/Lord_Howe", 2026, 4, 2 }, { "Australia/Lord_Howe", 2026, 10, 1 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (configs); c++)
    {
      g_autoptr(KioskConfig) config = load (configs[c]);
      KioskHours *hours = kiosk_config_get_hours (config);

      for (guint n = 0; n < G_N_ELEMENTS (nights); n++)
        {
          gint64 start = at (nights[n].tz, nights[n].y, nights[n].m, nights[n].d, 0, 0);

          /* Every 71 minutes and 13 seconds over four days. */
          for (gint64 t = start; t < start + 4 * G_TIME_SPAN_DAY;
               t += 71 * G_TIME_SPAN_MINUTE + 13 * G_TIME_SPAN_SECOND)
            g_assert_cmpint (kiosk_hours_next_change (hours, t), ==,
                             next_change_by_minutes (hours, t));
        }
    }
}

static void
test_bad_hours (void)
{
  struct { const char *text, *message; } cases[] = {
    { "[hours]\ntimezone = Mars/Olympus\n",
      "k.conf:2: [hours] timezone: “Mars/Olympus” is not a time zone (expected a name such as "
      "Europe/Berlin, from /usr/share/zoneinfo)" },
    { "[hours]\nmonday = 8-17\n",
      "k.conf:2: [hours] monday: “8-17” is not a time range (expected HH:MM-HH:MM, several "
      "separated by “,”, or closed)" },
    { "[hours]\nfriday = 09:00-17:00, 25:00-26:00\n",
      "k.conf:2: [hours] friday: “25:00-26:00” is not a time range (expected HH:MM-HH:MM, "
      "several separated by “,”, or closed)" },
    { "[hours]\nsaturday = 22:00-02:00\n",
      "k.conf:2: [hours] saturday: “22:00-02:00” ends before it starts (a range ends the same "
      "day; use 24:00 for midnight)" },
    { "[hours]\nfunday = closed\n",
      "k.conf:2: [hours] funday: unknown key (did you mean “sunday”?)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskConfig) config = kiosk_config_new_from_data (cases[i].text, -1, "k.conf",
                                                                  &error);

      g_assert_null (config);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hours/always-open", test_always_open);
  g_test_add_func ("/hours/week", test_week);
  g_test_add_func ("/hours/timezone-and-dst", test_timezone_and_dst);
  g_test_add_func ("/hours/next-change-strides", test_next_change_strides);
  g_test_add_func ("/hours/bad", test_bad_hours);

  return g_test_run ();
}
