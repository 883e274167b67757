/* kiosk-schedule.c: opening hours in time. One timer waits for the next change, nothing polls.
 *
 * A Raspberry Pi has no real-time clock: it may start with last night's time and jump to the real
 * one when NTP answers. A timeout computed from the wrong time would keep the kiosk closed for
 * hours, so with the real clock the timer is a timerfd on CLOCK_REALTIME at the wall time of the
 * change, armed with TFD_TIMER_CANCEL_ON_SET: it also wakes when anyone sets the clock, and the
 * hours are checked again. */
#define G_LOG_DOMAIN "kiosk-schedule"

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "kiosk-schedule.h"

struct _KioskSchedule
{
  GObject             parent_instance;

  /* owned */
  KioskHours         *hours;
  KioskClock         *clock;
  int                 timer_fd;      /* -1 until needed, or when timerfd is not available */
  guint               fd_source;
  guint               timeout_source;

  gboolean            open;
  gint64              next_change;
  gboolean            checked;       /* "open" has been worked out once */
  KioskScheduleTimer  timer;
  gint64              delay_ms;
};

enum {
  PROP_0,
  PROP_OPEN,
  PROP_NEXT_CHANGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KioskSchedule, kiosk_schedule, G_TYPE_OBJECT)

static void
kiosk_schedule_dispose (GObject *object)
{
  KioskSchedule *self = KIOSK_SCHEDULE (object);

  g_clear_handle_id (&self->fd_source, g_source_remove);
  g_clear_handle_id (&self->timeout_source, g_source_remove);
  if (self->timer_fd >= 0)
    {
      close (self->timer_fd);
      self->timer_fd = -1;
    }
  g_clear_pointer (&self->hours, kiosk_hours_unref);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (kiosk_schedule_parent_class)->dispose (object);
}

static void
kiosk_schedule_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  KioskSchedule *self = KIOSK_SCHEDULE (object);

  switch (prop_id)
    {
    case PROP_OPEN:
      g_value_set_boolean (value, self->open);
      break;
    case PROP_NEXT_CHANGE:
      g_value_set_int64 (value, self->next_change);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiosk_schedule_class_init (KioskScheduleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kiosk_schedule_dispose;
  object_class->get_property = kiosk_schedule_get_property;

  properties[PROP_OPEN] =
    g_param_spec_boolean ("open", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NEXT_CHANGE] =
    g_param_spec_int64 ("next-change", NULL, NULL, G_MININT64, G_MAXINT64, G_MAXINT64,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kiosk_schedule_init (KioskSchedule *self)
{
  self->timer_fd = -1;
  self->open = TRUE;
  self->next_change = G_MAXINT64;
}

/* "Mon 08:00" in the hours' time zone, for the log. */
static char *
format_wall (KioskSchedule *self,
             gint64         wall_us)
{
  const char *name = kiosk_hours_get_timezone (self->hours);
  g_autoptr(GTimeZone) tz = name ? g_time_zone_new_identifier (name) : g_time_zone_new_local ();
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (wall_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL || tz == NULL)
    return g_strdup ("?");

  local = g_date_time_to_timezone (utc, tz);
  return g_date_time_format (local, "%a %Y-%m-%d %H:%M %Z");
}

static void update (KioskSchedule *self);

static gboolean
timer_fd_cb (int          fd,
             GIOCondition condition,
             gpointer     user_data)
{
  KioskSchedule *self = user_data;
  guint64 expirations;

  if (read (fd, &expirations, sizeof expirations) < 0)
    {
      if (errno == EAGAIN || errno == EINTR)
        return G_SOURCE_CONTINUE;
      if (errno == ECANCELED)
        g_message ("The clock was set: checking the opening hours again");
    }

  update (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  KioskSchedule *self = user_data;

  self->timeout_source = 0;
  update (self);
  return G_SOURCE_REMOVE;
}

static gboolean
arm_timer_fd (KioskSchedule *self,
              gint64         wall_us)
{
  struct itimerspec spec = { { 0, 0 }, { 0, 0 } };

  if (self->timer_fd < 0)
    {
      self->timer_fd = timerfd_create (CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
      if (self->timer_fd < 0)
        {
          g_debug ("No timerfd (%s): a plain timeout waits for the next change",
                   g_strerror (errno));
          return FALSE;
        }
    }

  spec.it_value.tv_sec = wall_us / G_USEC_PER_SEC;
  spec.it_value.tv_nsec = (wall_us % G_USEC_PER_SEC) * 1000;
  if (timerfd_settime (self->timer_fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec,
                       NULL) < 0)
    {
      g_debug ("timerfd_settime: %s", g_strerror (errno));
      return FALSE;
    }

  if (self->fd_source == 0)
    self->fd_source = g_unix_fd_add (self->timer_fd, G_IO_IN, timer_fd_cb, self);

  return TRUE;
}

static void
disarm (KioskSchedule *self)
{
  g_clear_handle_id (&self->timeout_source, g_source_remove);

  if (self->timer_fd >= 0)
    {
      struct itimerspec off = { { 0, 0 }, { 0, 0 } };

      timerfd_settime (self->timer_fd, 0, &off, NULL);
    }

  self->timer = KIOSK_SCHEDULE_TIMER_NONE;
  self->delay_ms = -1;
}

static void
arm (KioskSchedule *self,
     gint64         now_us,
     gint64         next_us)
{
  disarm (self);

  if (next_us == G_MAXINT64)
    return;

  /* Rounded up: woken a little after the change, never just before it. */
  self->delay_ms = MAX (1, (next_us - now_us + 999) / 1000);

  if (!kiosk_clock_is_fake (self->clock) && arm_timer_fd (self, next_us))
    {
      self->timer = KIOSK_SCHEDULE_TIMER_WALL;
      return;
    }

  self->timeout_source = g_timeout_add (MIN (self->delay_ms, G_MAXUINT), timeout_cb, self);
  self->timer = KIOSK_SCHEDULE_TIMER_MONOTONIC;
}

static void
update (KioskSchedule *self)
{
  KioskTimestamp now;
  gboolean open;
  gint64 next;

  kiosk_clock_now (self->clock, &now);
  open = kiosk_hours_is_open (self->hours, now.wall_us);
  next = kiosk_hours_next_change (self->hours, now.wall_us);
  arm (self, now.wall_us, next);

  if (kiosk_hours_is_limited (self->hours) &&
      (!self->checked || open != self->open || next != self->next_change))
    {
      g_autofree char *when = next == G_MAXINT64 ? g_strdup ("further notice")
                                                 : format_wall (self, next);

      g_message ("Opening hours: %s until %s", open ? "open" : "closed", when);
    }
  self->checked = TRUE;

  if (next != self->next_change)
    {
      self->next_change = next;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_CHANGE]);
    }

  if (open != self->open)
    {
      self->open = open;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN]);
    }
}

/**
 * kiosk_schedule_new:
 * @hours: the opening hours (open around the clock when not limited: no timer at all)
 * @clock: the wall clock to follow; with a fake clock the timer is a plain timeout, so a test
 *   that advances the clock sees the change when it falls due
 *
 * The state is worked out at once: "open" is right from the start.
 */
KioskSchedule *
kiosk_schedule_new (KioskHours *hours,
                    KioskClock *clock)
{
  KioskSchedule *self;

  g_return_val_if_fail (hours != NULL, NULL);
  g_return_val_if_fail (KIOSK_IS_CLOCK (clock), NULL);

  self = g_object_new (KIOSK_TYPE_SCHEDULE, NULL);
  self->hours = kiosk_hours_ref (hours);
  self->clock = g_object_ref (clock);
  update (self);

  return self;
}

gboolean
kiosk_schedule_get_open (KioskSchedule *self)
{
  g_return_val_if_fail (KIOSK_IS_SCHEDULE (self), TRUE);

  return self->open;
}

gint64
kiosk_schedule_get_next_change (KioskSchedule *self)
{
  g_return_val_if_fail (KIOSK_IS_SCHEDULE (self), G_MAXINT64);

  return self->next_change;
}

/**
 * kiosk_schedule_recheck:
 *
 * Works the state out again now and re-arms the timer: for a clock that was changed in a way
 * the timer cannot see (a fake clock in tests).
 */
void
kiosk_schedule_recheck (KioskSchedule *self)
{
  g_return_if_fail (KIOSK_IS_SCHEDULE (self));

  update (self);
}

/**
 * kiosk_schedule_get_timer:
 * @out_delay_ms: (out) (optional): how far ahead the change was when the timer was armed; -1
 *   when none is armed
 */
KioskScheduleTimer
kiosk_schedule_get_timer (KioskSchedule *self,
                          gint64        *out_delay_ms)
{
  g_return_val_if_fail (KIOSK_IS_SCHEDULE (self), KIOSK_SCHEDULE_TIMER_NONE);

  if (out_delay_ms)
    *out_delay_ms = self->delay_ms;

  return self->timer;
}
