/* kiosk-window-staff.c: the way to the admin screen. A hidden corner (five quick taps, or a hold)
 * asks for it, the PIN pad guards it, wrong PINs lock the pad out for a growing wait, and both
 * screens close by themselves when nobody touches them. The admin screen's own actions (sync,
 * export, leave, quit) are here too. */
#define G_LOG_DOMAIN "kiosk-window"

#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-admin-page.h"
#include "kiosk-pin-page.h"
#include "kiosk-window-private.h"

/* The admin hotspot: five taps, each within this of the one before, or a hold this long. */
#define HOTSPOT_TAPS          5
#define HOTSPOT_TAP_GAP_US    (700 * 1000)
#define HOTSPOT_HOLD_MS       5000
#define HOTSPOT_SLOP_PX       32

#define PIN_PAGE(self)   KIOSK_PIN_PAGE ((self)->pages[KIOSK_PAGE_PIN])
#define ADMIN_PAGE(self) KIOSK_ADMIN_PAGE ((self)->pages[KIOSK_PAGE_ADMIN])

static void
leave_staff_pages (KioskWindow *self,
                   const char  *why)
{
  if (!self->pin_shown && !self->admin_shown)
    return;

  if (self->admin_shown)
    g_message ("Admin screen closed: %s", why);
  self->pin_shown = FALSE;
  self->admin_shown = FALSE;
  _kiosk_window_refresh_screen (self);
}

static gboolean
admin_idle_cb (gpointer user_data)
{
  KioskWindow *self = user_data;

  self->admin_idle_source = 0;

  /* An export to a stick takes its time; the screen stays until it says how it went. */
  if (self->pages[KIOSK_PAGE_ADMIN] != NULL && kiosk_admin_page_get_exporting (ADMIN_PAGE (self)))
    {
      self->admin_idle_source = g_timeout_add (self->timings.admin_idle_ms, admin_idle_cb, self);
      return G_SOURCE_REMOVE;
    }

  leave_staff_pages (self, "nobody touched it");
  return G_SOURCE_REMOVE;
}

void
_kiosk_window_update_admin_idle_timer (KioskWindow *self,
                                       gboolean     restart)
{
  gboolean waiting = self->pin_shown || self->admin_shown;

  if (!waiting || restart)
    g_clear_handle_id (&self->admin_idle_source, g_source_remove);

  if (waiting && self->admin_idle_source == 0)
    self->admin_idle_source = g_timeout_add (self->timings.admin_idle_ms, admin_idle_cb, self);
}

/* --- The PIN pad and its lock-out --------------------------------------------------------- */

static void
lockout_message (KioskWindow *self,
                 guint        wait_s)
{
  g_autofree char *text = NULL;

  if (wait_s > 90)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         /* Translators: on the PIN pad after wrong PINs */
                                         "Too many wrong PINs. Try again in %u minute.",
                                         "Too many wrong PINs. Try again in %u minutes.",
                                         (wait_s + 59) / 60),
                            (wait_s + 59) / 60);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         /* Translators: on the PIN pad after wrong PINs */
                                         "Too many wrong PINs. Try again in %u second.",
                                         "Too many wrong PINs. Try again in %u seconds.",
                                         wait_s),
                            wait_s);

  kiosk_pin_page_set_message (PIN_PAGE (self), text);
}

/* While locked out the PIN pad counts down, once a second, and only then. */
static gboolean
lockout_tick_cb (gpointer user_data)
{
  KioskWindow *self = user_data;
  gint64 left_us = self->pin_guard.locked_until_us - g_get_monotonic_time ();

  if (self->pages[KIOSK_PAGE_PIN] == NULL)
    {
      self->lockout_source = 0;
      return G_SOURCE_REMOVE;
    }

  if (left_us <= 0)
    {
      self->lockout_source = 0;
      kiosk_pin_page_set_locked (PIN_PAGE (self), FALSE);
      kiosk_pin_page_set_message (PIN_PAGE (self), NULL);
      return G_SOURCE_REMOVE;
    }

  lockout_message (self, (guint) ((left_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC));
  return G_SOURCE_CONTINUE;
}

static void
show_lockout (KioskWindow *self)
{
  gint64 left_us = self->pin_guard.locked_until_us - g_get_monotonic_time ();

  if (left_us <= 0 || self->pages[KIOSK_PAGE_PIN] == NULL)
    return;

  kiosk_pin_page_set_locked (PIN_PAGE (self), TRUE);
  lockout_message (self, (guint) ((left_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC));
  if (self->lockout_source == 0)
    self->lockout_source = g_timeout_add_seconds (1, lockout_tick_cb, self);
}

static const char *
pin_hash (KioskWindow *self)
{
  return kiosk_config_get_pin_hash (kiosk_flow_get_config (self->flow));
}

/* The hidden gesture (or a test) asks for the admin screen: the PIN pad comes first. */
static void
admin_request_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);

  if (self->pin_shown || self->admin_shown)
    return;

  if (!kiosk_pin_hash_is_valid (pin_hash (self)))
    {
      g_message ("The admin screen was asked for, but it stays closed: [admin] pin-hash is not "
                 "set (make one with smiley-kiosk --hash-pin)");
      return;
    }

  /* Staff read the screen in the kiosk's own language, whatever the last visitor chose. */
  if (g_strcmp0 (kiosk_flow_get_language (self->flow),
                 kiosk_flow_get_default_language (self->flow)) != 0 ||
      kiosk_flow_get_state (self->flow) != KIOSK_FLOW_SURVEY)
    kiosk_flow_return_to_survey (self->flow);

  self->pin_shown = TRUE;
  _kiosk_window_refresh_screen (self);
  show_lockout (self);
}

static void
pin_digit_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);
  const char *digit = g_variant_get_string (parameter, NULL);

  if (self->lockout_source != 0 || !g_ascii_isdigit (digit[0]) || digit[1] != '\0')
    return;

  kiosk_pin_page_set_message (PIN_PAGE (self), NULL);
  kiosk_pin_page_add_digit (PIN_PAGE (self), digit);
}

static void
pin_delete_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  kiosk_pin_page_delete (PIN_PAGE (KIOSK_WINDOW (widget)));
}

/* Cancel on the PIN pad, Leave on the admin screen. */
static void
leave_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  leave_staff_pages (KIOSK_WINDOW (widget),
                     g_str_equal (action_name, "pin.cancel") ? "cancelled" : "left");
}

/* The PIN is checked against its hash (the guard makes every wrong one after the third cost a
 * growing wait) and forgotten at once. */
static void
pin_submit_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);
  KioskPinPage *page = PIN_PAGE (self);
  KioskPinResult result;
  guint wait_s = 0;

  if (*kiosk_pin_page_get_pin (page) == '\0' || self->lockout_source != 0)
    return;

  result = kiosk_pin_guard_check (&self->pin_guard, pin_hash (self), kiosk_pin_page_get_pin (page),
                                  g_get_monotonic_time (), &wait_s);
  kiosk_pin_page_clear (page);

  switch (result)
    {
    case KIOSK_PIN_OK:
      g_message ("Admin screen opened");
      self->pin_shown = FALSE;
      self->admin_shown = TRUE;
      _kiosk_window_refresh_screen (self);
      break;
    case KIOSK_PIN_WRONG:
      g_message ("Admin screen: wrong PIN (%u in a row)", self->pin_guard.failures);
      if (wait_s > 0)
        show_lockout (self);
      else
        /* Translators: on the PIN pad */
        kiosk_pin_page_set_message (page, _("Wrong PIN. Please try again."));
      break;
    case KIOSK_PIN_LOCKED:
      show_lockout (self);
      break;
    case KIOSK_PIN_NOT_SET:
    default:
      leave_staff_pages (self, "no PIN is configured");
      break;
    }
}

/* --- The admin screen --------------------------------------------------------------------- */

static gboolean
is_portrait (KioskWindow *self)
{
  int width = 0, height = 0;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  return height > width;
}

GtkWidget *
_kiosk_window_new_admin_page (KioskWindow *self)
{
  GtkWidget *page = kiosk_admin_page_new (self->flow, self->uploader, self->buttons,
                                          self->first_boot_error);

  kiosk_admin_page_set_portrait (KIOSK_ADMIN_PAGE (page), is_portrait (self));
  g_signal_connect_object (page, "notify::exporting",
                           G_CALLBACK (_kiosk_window_update_actions), self, G_CONNECT_SWAPPED);

  return page;
}

static void
admin_sync_now_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);

  g_message ("Admin screen: sync now");
  kiosk_uploader_sync_now (self->uploader);
  kiosk_admin_page_refresh (ADMIN_PAGE (self));
}

static void
admin_export_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);

  kiosk_admin_page_export (ADMIN_PAGE (self), (const char * const *) self->export_dirs);
}

static void
admin_quit_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  kiosk_admin_page_set_quit_confirmation (ADMIN_PAGE (KIOSK_WINDOW (widget)), TRUE);
}

static void
admin_quit_cancel_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  kiosk_admin_page_set_quit_confirmation (ADMIN_PAGE (KIOSK_WINDOW (widget)), FALSE);
}

/* The application's "quit": the kiosk stops as on SIGTERM, the open visit ends as interrupted. */
static void
admin_quit_confirm_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  g_message ("Quit from the admin screen");
  if (!gtk_widget_activate_action (widget, "app.quit", NULL))
    g_warning ("Quit from the admin screen: the application has no quit action");
}

/* --- The hidden corner -------------------------------------------------------------------- */

/* The hotspot: a hold of five seconds … */
static gboolean
hotspot_held_cb (gpointer user_data)
{
  KioskWindow *self = user_data;

  self->hotspot_hold_source = 0;
  self->hotspot_taps = 0;
  gtk_widget_activate_action (GTK_WIDGET (self), "admin.request", NULL);

  return G_SOURCE_REMOVE;
}

/* … or five quick taps. One drag gesture sees both: every press begins one. */
static void
hotspot_begin_cb (GtkGestureDrag *gesture,
                  double          x,
                  double          y,
                  KioskWindow    *self)
{
  gint64 now = g_get_monotonic_time ();

  if (now - self->hotspot_last_tap_us > HOTSPOT_TAP_GAP_US)
    self->hotspot_taps = 0;
  self->hotspot_last_tap_us = now;

  if (++self->hotspot_taps >= HOTSPOT_TAPS)
    {
      self->hotspot_taps = 0;
      gtk_widget_activate_action (GTK_WIDGET (self), "admin.request", NULL);
      return;
    }

  g_clear_handle_id (&self->hotspot_hold_source, g_source_remove);
  self->hotspot_hold_source = g_timeout_add (HOTSPOT_HOLD_MS, hotspot_held_cb, self);
}

/* A finger that slides away is not holding the corner. */
static void
hotspot_update_cb (GtkGestureDrag *gesture,
                   double          dx,
                   double          dy,
                   KioskWindow    *self)
{
  if (dx * dx + dy * dy > HOTSPOT_SLOP_PX * HOTSPOT_SLOP_PX)
    g_clear_handle_id (&self->hotspot_hold_source, g_source_remove);
}

static void
hotspot_end_cb (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                KioskWindow    *self)
{
  g_clear_handle_id (&self->hotspot_hold_source, g_source_remove);
}

static void
hotspot_cancel_cb (GtkGesture       *gesture,
                   GdkEventSequence *sequence,
                   KioskWindow      *self)
{
  g_clear_handle_id (&self->hotspot_hold_source, g_source_remove);
}

void
_kiosk_window_staff_init (KioskWindow *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();

  g_signal_connect (drag, "drag-begin", G_CALLBACK (hotspot_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (hotspot_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (hotspot_end_cb), self);
  g_signal_connect (drag, "cancel", G_CALLBACK (hotspot_cancel_cb), self);
  gtk_widget_add_controller (self->admin_hotspot, GTK_EVENT_CONTROLLER (drag));
}

void
_kiosk_window_class_staff_init (KioskWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /* The hidden gesture asks for the admin screen, the PIN pad guards it. */
  gtk_widget_class_install_action (widget_class, "admin.request", NULL, admin_request_action);
  gtk_widget_class_install_action (widget_class, "pin.digit", "s", pin_digit_action);
  gtk_widget_class_install_action (widget_class, "pin.delete", NULL, pin_delete_action);
  gtk_widget_class_install_action (widget_class, "pin.submit", NULL, pin_submit_action);
  gtk_widget_class_install_action (widget_class, "pin.cancel", NULL, leave_action);
  gtk_widget_class_install_action (widget_class, "admin.leave", NULL, leave_action);
  gtk_widget_class_install_action (widget_class, "admin.sync-now", NULL, admin_sync_now_action);
  gtk_widget_class_install_action (widget_class, "admin.export", NULL, admin_export_action);
  gtk_widget_class_install_action (widget_class, "admin.quit", NULL, admin_quit_action);
  gtk_widget_class_install_action (widget_class, "admin.quit-confirm", NULL,
                                   admin_quit_confirm_action);
  gtk_widget_class_install_action (widget_class, "admin.quit-cancel", NULL,
                                   admin_quit_cancel_action);
}
