/* kiosk-flow-timers.c: the flow's timers: back to the default language when nobody votes, the
 * thank-you screen's end, and the follow-up's countdown. They run only while something is on
 * screen that ends by itself: an idle kiosk never wakes up. */
#define G_LOG_DOMAIN "kiosk-flow"

#include "config.h"

#include "kiosk-flow-private.h"

static void schedule_tick (KioskFlow *self);

void
_kiosk_flow_become_idle (KioskFlow *self)
{
  g_clear_handle_id (&self->idle_source, g_source_remove);
  _kiosk_flow_apply_pending_survey (self);
  _kiosk_flow_set_language_internal (self, self->default_language);
}

static gboolean
idle_cb (gpointer user_data)
{
  KioskFlow *self = user_data;

  self->idle_source = 0;
  _kiosk_flow_become_idle (self);

  return G_SOURCE_REMOVE;
}

/* A visitor chose a language but has not voted yet: give it back when they walk away. */
void
_kiosk_flow_restart_idle_timer (KioskFlow *self)
{
  g_clear_handle_id (&self->idle_source, g_source_remove);

  if (self->state == KIOSK_FLOW_SURVEY &&
      g_strcmp0 (self->language, self->default_language) != 0)
    self->idle_source = g_timeout_add (kiosk_survey_get_follow_up_timeout_s (self->survey) * 1000,
                                       idle_cb, self);
}

static gboolean
thanks_done_cb (gpointer user_data)
{
  KioskFlow *self = user_data;

  self->thanks_source = 0;
  _kiosk_flow_set_state (self, KIOSK_FLOW_SURVEY);
  _kiosk_flow_become_idle (self);

  return G_SOURCE_REMOVE;
}

void
_kiosk_flow_show_thanks (KioskFlow *self)
{
  g_clear_handle_id (&self->thanks_source, g_source_remove);
  self->thanks_source = g_timeout_add (kiosk_config_get_thank_you_ms (self->config),
                                       thanks_done_cb, self);
  _kiosk_flow_set_state (self, KIOSK_FLOW_THANKS);
}

/* --- The follow-up countdown -------------------------------------------------------------- */

static void
set_remaining (KioskFlow *self,
               guint      remaining_s)
{
  if (self->remaining_s == remaining_s)
    return;

  self->remaining_s = remaining_s;
  _kiosk_flow_notify (self, PROP_REMAINING_SECONDS);
}

static void
set_deadline (KioskFlow *self,
              gint64     deadline_us)
{
  if (self->deadline_us == deadline_us)
    return;

  self->deadline_us = deadline_us;
  _kiosk_flow_notify (self, PROP_DEADLINE_US);
}

static gboolean
tick_cb (gpointer user_data)
{
  KioskFlow *self = user_data;

  self->tick_source = 0;
  schedule_tick (self);

  return G_SOURCE_REMOVE;
}

/* Wakes up when the displayed second changes, not on a fixed period, so the countdown stays
 * exact however late a tick runs, and ends the visit at the deadline. */
static void
schedule_tick (KioskFlow *self)
{
  gint64 remaining_us = self->deadline_us - g_get_monotonic_time ();
  guint remaining_s;
  gint64 next_us;

  g_clear_handle_id (&self->tick_source, g_source_remove);

  if (remaining_us <= 0)
    {
      _kiosk_flow_finish_visit (self, KIOSK_OUTCOME_TIMEOUT);
      return;
    }

  remaining_s = (remaining_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
  set_remaining (self, remaining_s);

  next_us = remaining_us - (gint64) (remaining_s - 1) * G_USEC_PER_SEC;
  self->tick_source = g_timeout_add ((next_us + 999) / 1000, tick_cb, self);
}

void
_kiosk_flow_restart_countdown (KioskFlow *self)
{
  gint64 timeout_us = (gint64) kiosk_survey_get_follow_up_timeout_s (self->survey) *
                      G_USEC_PER_SEC;

  set_deadline (self, g_get_monotonic_time () + timeout_us);
  schedule_tick (self);
}

void
_kiosk_flow_stop_countdown (KioskFlow *self)
{
  g_clear_handle_id (&self->tick_source, g_source_remove);
  set_deadline (self, 0);
  set_remaining (self, 0);
}
