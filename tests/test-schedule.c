/* test-schedule.c: opening hours in time, with a fake clock: the state from the start, one timer
 * for the next change (never a periodic one), the weekend, a clock set by NTP, and the real
 * clock's timerfd. */
#define G_LOG_DOMAIN "test-schedule"

#include "config.h"

#include "kiosk-config.h"
#include "kiosk-schedule.h"
#include "kiosk-test-util.h"

/* Monday 5 January 2026, 00:00 UTC */
#define MONDAY_US    (G_GINT64_CONSTANT (1767571200) * G_USEC_PER_SEC)
#define HOUR_US      (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define MINUTE_US    (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)

static KioskHours *
weekday_hours (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config =
    kiosk_config_new_from_data ("[hours]\ntimezone = UTC\nmonday = 08:00-18:00\n"
                                "tuesday = 08:00-18:00\nwednesday = 08:00-18:00\n"
                                "thursday = 08:00-18:00\nfriday = 08:00-12:00, 13:00-18:00\n",
                                -1, "hours.conf", &error);

  g_assert_no_error (error);
  return kiosk_hours_ref (kiosk_config_get_hours (config));
}

static void
test_always_open (void)
{
  g_autoptr(KioskConfig) config = kiosk_config_new_default ();
  g_autoptr(KioskClock) clock = kiosk_clock_new_fake (MONDAY_US, G_USEC_PER_SEC, "b");
  g_autoptr(KioskSchedule) schedule = kiosk_schedule_new (kiosk_config_get_hours (config), clock);
  gint64 delay = 0;

  /* No [hours]: open, and nothing to wait for, so no timer at all. */
  g_assert_true (kiosk_schedule_get_open (schedule));
  g_assert_cmpint (kiosk_schedule_get_next_change (schedule), ==, G_MAXINT64);
  g_assert_cmpint (kiosk_schedule_get_timer (schedule, &delay), ==, KIOSK_SCHEDULE_TIMER_NONE);
  g_assert_cmpint (delay, ==, -1);
}

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

static gboolean
is_open (gpointer user_data)
{
  return kiosk_schedule_get_open (user_data);
}

/* Closed before eight, one timer for eight o'clock, open when it falls due. */
static void
test_opens_on_time (void)
{
  g_autoptr(KioskHours) hours = weekday_hours ();
  g_autoptr(KioskClock) clock = kiosk_clock_new_fake (MONDAY_US + 8 * HOUR_US - 200 * 1000,
                                                      G_USEC_PER_SEC, "b");
  g_autoptr(KioskSchedule) schedule = kiosk_schedule_new (hours, clock);
  guint opened = 0;
  gint64 delay = 0;

  g_assert_false (kiosk_schedule_get_open (schedule));
  g_assert_cmpint (kiosk_schedule_get_next_change (schedule), ==, MONDAY_US + 8 * HOUR_US);
  g_assert_cmpint (kiosk_schedule_get_timer (schedule, &delay), ==,
                   KIOSK_SCHEDULE_TIMER_MONOTONIC);
  g_assert_cmpint (delay, ==, 200);

  g_signal_connect (schedule, "notify::open", G_CALLBACK (count_cb), &opened);
  /* The fake clock moves on; the timer armed for 200 ms finds it past eight. */
  kiosk_clock_advance (clock, G_USEC_PER_SEC);
  g_assert_true (kiosk_test_wait_for (is_open, schedule, 5000));
  g_assert_cmpuint (opened, ==, 1);

  /* Next: closing at six, ten hours minus the 0.8 s already gone. */
  g_assert_cmpint (kiosk_schedule_get_next_change (schedule), ==, MONDAY_US + 18 * HOUR_US);
  g_assert_cmpint (kiosk_schedule_get_timer (schedule, &delay), ==,
                   KIOSK_SCHEDULE_TIMER_MONOTONIC);
  g_assert_cmpint (delay, ==, 10 * 3600 * 1000 - 800);
}

/* Friday's lunch break, then the weekend: the next change is Monday at eight. */
static void
test_lunch_and_weekend (void)
{
  g_autoptr(KioskHours) hours = weekday_hours ();
  gint64 friday = MONDAY_US + 4 * 24 * HOUR_US;
  g_autoptr(KioskClock) clock = kiosk_clock_new_fake (friday + 12 * HOUR_US + 30 * MINUTE_US,
                                                      G_USEC_PER_SEC, "b");
  g_autoptr(KioskSchedule) schedule = kiosk_schedule_new (hours, clock);

  g_assert_false (kiosk_schedule_get_open (schedule));
  g_assert_cmpint (kiosk_schedule_get_next_change (schedule), ==, friday + 13 * HOUR_US);

  kiosk_clock_set_wall (clock, friday + 17 * HOUR_US);
  kiosk_schedule_recheck (schedule);
  g_assert_true (kiosk_schedule_get_open (schedule));
  g_assert_cmpint (kiosk_schedule_get_next_change (schedule), ==, friday + 18 * HOUR_US);

  kiosk_clock_set_wall (clock, friday + 18 * HOUR_US);
  kiosk_schedule_recheck (schedule);
  g_assert_false (kiosk_schedule_get_open (schedule));
  g_assert_cmpint (kiosk_schedule_get_next_change (schedule), ==,
                   MONDAY_US + 7 * 24 * HOUR_US + 8 * HOUR_US);
}

/* A Pi starts with last night's time and NTP sets the real one: the state follows at once. */
static void
test_clock_set (void)
{
  g_autoptr(KioskHours) hours = weekday_hours ();
  g_autoptr(KioskClock) clock = kiosk_clock_new_fake (MONDAY_US - 2 * HOUR_US, G_USEC_PER_SEC,
                                                      "b");
  g_autoptr(KioskSchedule) schedule = kiosk_schedule_new (hours, clock);
  guint changes = 0;

  g_assert_false (kiosk_schedule_get_open (schedule));
  g_signal_connect (schedule, "notify::open", G_CALLBACK (count_cb), &changes);

  kiosk_clock_set_wall (clock, MONDAY_US + 9 * HOUR_US);
  kiosk_schedule_recheck (schedule);
  g_assert_true (kiosk_schedule_get_open (schedule));
  g_assert_cmpuint (changes, ==, 1);

  /* Checking again without a change notifies nothing. */
  kiosk_schedule_recheck (schedule);
  g_assert_cmpuint (changes, ==, 1);
}

/* Closed every day: nothing ever changes, so nothing waits. */
static void
test_never_open (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config =
    kiosk_config_new_from_data ("[hours]\nmonday = closed\n", -1, "hours.conf", &error);
  g_autoptr(KioskClock) clock = kiosk_clock_new_fake (MONDAY_US, G_USEC_PER_SEC, "b");
  g_autoptr(KioskSchedule) schedule = NULL;

  g_assert_no_error (error);
  schedule = kiosk_schedule_new (kiosk_config_get_hours (config), clock);
  g_assert_false (kiosk_schedule_get_open (schedule));
  g_assert_cmpint (kiosk_schedule_get_next_change (schedule), ==, G_MAXINT64);
  g_assert_cmpint (kiosk_schedule_get_timer (schedule, NULL), ==, KIOSK_SCHEDULE_TIMER_NONE);
}

/* With the real clock the one timer is a timerfd at the wall time of the change. */
static void
test_real_clock (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config =
    kiosk_config_new_from_data ("[hours]\ntimezone = UTC\nmonday = 00:00-12:00\n"
                                "tuesday = 00:00-12:00\nwednesday = 00:00-12:00\n"
                                "thursday = 00:00-12:00\nfriday = 00:00-12:00\n"
                                "saturday = 00:00-12:00\nsunday = 00:00-12:00\n",
                                -1, "hours.conf", &error);
  g_autoptr(KioskClock) clock = kiosk_clock_new ();
  g_autoptr(KioskSchedule) schedule = NULL;
  g_autoptr(GDateTime) now = NULL;
  gint64 delay = 0, before, next;

  g_assert_no_error (error);
  before = g_get_real_time ();
  schedule = kiosk_schedule_new (kiosk_config_get_hours (config), clock);
  now = g_date_time_new_now_utc ();

  g_assert_true (kiosk_schedule_get_open (schedule) == (g_date_time_get_hour (now) < 12));
  next = kiosk_schedule_get_next_change (schedule);
  g_assert_cmpint (next, >, before);
  g_assert_cmpint (next, <=, before + 12 * HOUR_US);
  g_assert_cmpint (next % (12 * HOUR_US), ==, 0);
  g_assert_cmpint (kiosk_schedule_get_timer (schedule, &delay), ==, KIOSK_SCHEDULE_TIMER_WALL);
  g_assert_cmpint (delay, >, 0);
  g_assert_cmpint (delay, <=, 12 * 3600 * 1000);

  g_assert_finalize_object (g_steal_pointer (&schedule));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/schedule/always-open", test_always_open);
  g_test_add_func ("/schedule/opens-on-time", test_opens_on_time);
  g_test_add_func ("/schedule/lunch-and-weekend", test_lunch_and_weekend);
  g_test_add_func ("/schedule/clock-set", test_clock_set);
  g_test_add_func ("/schedule/never-open", test_never_open);
  g_test_add_func ("/schedule/real-clock", test_real_clock);

  return g_test_run ();
}
