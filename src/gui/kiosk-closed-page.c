/* kiosk-closed-page.c: outside opening hours the kiosk records nothing and says so, calmly and
 * dimly: "Closed" and when it opens again. A tap here is an ignored press ("closed.tap"). */
#define G_LOG_DOMAIN "kiosk-closed-page"

#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-closed-page.h"

struct _KioskClosedPage
{
  GtkWidget  parent_instance;

  /* template widgets */
  GtkLabel  *reopens_label;
};

static void kiosk_closed_page_iface_init (KioskPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KioskClosedPage, kiosk_closed_page, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (KIOSK_TYPE_PAGE,
                                                      kiosk_closed_page_iface_init))

/**
 * kiosk_format_reopens:
 * @reopens_wall_us: when the kiosk opens again; G_MAXINT64 when not known
 * @timezone: (nullable): the opening hours' time zone; %NULL for local time
 *
 * The time alone while it is less than a day away (still right after midnight), the weekday
 * too when it is further.
 *
 * Returns: (nullable): %NULL when the kiosk does not open again by its hours
 */
char *
kiosk_format_reopens (gint64     reopens_wall_us,
                      gint64     now_wall_us,
                      GTimeZone *timezone)
{
  g_autoptr(GTimeZone) local = timezone ? g_time_zone_ref (timezone) : g_time_zone_new_local ();
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *time = NULL;

  if (reopens_wall_us == G_MAXINT64)
    return NULL;

  utc = g_date_time_new_from_unix_utc (reopens_wall_us / G_USEC_PER_SEC);
  when = g_date_time_to_timezone (utc, local);
  time = g_date_time_format (when, "%H:%M");

  if (reopens_wall_us - now_wall_us < 24 * G_TIME_SPAN_HOUR)
    /* Translators: on the closed screen; %s is a time such as 08:00, less than a day away */
    return g_strdup_printf (_("Open again at %s"), time);

  /* Whole sentences, so each language can put the day in its own form. */
  switch (g_date_time_get_day_of_week (when))
    {
    case G_DATE_MONDAY:
      /* Translators: on the closed screen; %s is a time such as 08:00 */
      return g_strdup_printf (_("Open again on Monday at %s"), time);
    case G_DATE_TUESDAY:
      /* Translators: on the closed screen; %s is a time such as 08:00 */
      return g_strdup_printf (_("Open again on Tuesday at %s"), time);
    case G_DATE_WEDNESDAY:
      /* Translators: on the closed screen; %s is a time such as 08:00 */
      return g_strdup_printf (_("Open again on Wednesday at %s"), time);
    case G_DATE_THURSDAY:
      /* Translators: on the closed screen; %s is a time such as 08:00 */
      return g_strdup_printf (_("Open again on Thursday at %s"), time);
    case G_DATE_FRIDAY:
      /* Translators: on the closed screen; %s is a time such as 08:00 */
      return g_strdup_printf (_("Open again on Friday at %s"), time);
    case G_DATE_SATURDAY:
      /* Translators: on the closed screen; %s is a time such as 08:00 */
      return g_strdup_printf (_("Open again on Saturday at %s"), time);
    case G_DATE_SUNDAY:
    default:
      /* Translators: on the closed screen; %s is a time such as 08:00 */
      return g_strdup_printf (_("Open again on Sunday at %s"), time);
    }
}

static void
released_cb (GtkGestureClick *gesture,
             int              n_press,
             double           x,
             double           y,
             KioskClosedPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "closed.tap", NULL);
}

/* When the kiosk opens again, by its opening hours and in their time zone. */
static void
kiosk_closed_page_prepare (KioskPage *page)
{
  KioskHours *hours = kiosk_config_get_hours (kiosk_flow_get_config (kiosk_page_get_flow (page)));
  const char *tz_name = kiosk_hours_get_timezone (hours);
  g_autoptr(GTimeZone) tz = tz_name ? g_time_zone_new_identifier (tz_name) : NULL;
  gint64 now = g_get_real_time ();

  kiosk_closed_page_set_reopens (KIOSK_CLOSED_PAGE (page), kiosk_hours_next_change (hours, now),
                                 now, tz);
}

static void
kiosk_closed_page_iface_init (KioskPageInterface *iface)
{
  iface->prepare = kiosk_closed_page_prepare;
}

static void
kiosk_closed_page_class_init (KioskClosedPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  kiosk_page_class_set_template (widget_class, "kiosk-closed-page.ui");

  gtk_widget_class_bind_template_child (widget_class, KioskClosedPage, reopens_label);
}

static void
kiosk_closed_page_init (KioskClosedPage *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (click, "released", G_CALLBACK (released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

void
kiosk_closed_page_set_reopens (KioskClosedPage *self,
                               gint64           reopens_wall_us,
                               gint64           now_wall_us,
                               GTimeZone       *timezone)
{
  g_autofree char *text = NULL;

  g_return_if_fail (KIOSK_IS_CLOSED_PAGE (self));

  text = kiosk_format_reopens (reopens_wall_us, now_wall_us, timezone);
  gtk_label_set_label (self->reopens_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->reopens_label), text != NULL);
}

/* Returns: what the screen says about opening again; "" when nothing */
const char *
kiosk_closed_page_get_reopens_text (KioskClosedPage *self)
{
  g_return_val_if_fail (KIOSK_IS_CLOSED_PAGE (self), NULL);

  return gtk_label_get_label (self->reopens_label);
}
