/* kiosk-countdown.c: shows the follow-up's remaining seconds in a ring that empties. It redraws
 * when the flow says a second has passed and at no other time, so an idle kiosk never wakes. */
#define G_LOG_DOMAIN "kiosk-countdown"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "kiosk-countdown.h"

struct _KioskCountdown
{
  GtkWidget  parent_instance;

  /* children */
  GtkWidget *label;

  /* owned */
  KioskFlow *flow;

  guint      remaining;
  guint      total;
};

enum {
  PROP_0,
  PROP_FLOW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KioskCountdown, kiosk_countdown, GTK_TYPE_WIDGET)

#define RING_WIDTH 5.0

static void
update (KioskCountdown *self)
{
  g_autofree char *text = NULL;
  g_autofree char *description = NULL;

  if (self->flow != NULL)
    {
      self->remaining = kiosk_flow_get_remaining_seconds (self->flow);
      self->total = kiosk_survey_get_follow_up_timeout_s (kiosk_flow_get_survey (self->flow));
    }
  else
    {
      self->remaining = self->total = 0;
    }

  text = g_strdup_printf ("%u", self->remaining);
  gtk_label_set_label (GTK_LABEL (self->label), text);

  /* Translators: for screen readers, the countdown before the follow-up closes by itself */
  description = g_strdup_printf (ngettext ("%u second left to answer",
                                           "%u seconds left to answer", self->remaining),
                                 self->remaining);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  description, -1);

  if (self->remaining > 0 && self->remaining <= 5)
    gtk_widget_add_css_class (GTK_WIDGET (self), "ending");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "ending");

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
kiosk_countdown_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  KioskCountdown *self = KIOSK_COUNTDOWN (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double side = MIN (width, height);
  double radius = side / 2.0 - RING_WIDTH / 2.0;
  double fraction = self->total > 0 ? CLAMP ((double) self->remaining / self->total, 0, 1) : 0;
  GdkRGBA color;
  cairo_t *cr;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (radius > 0)
    {
      cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
      cairo_set_line_width (cr, RING_WIDTH);

      /* The track, then what is left of the time, clockwise from the top. */
      cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha * 0.15);
      cairo_arc (cr, width / 2.0, height / 2.0, radius, 0, 2 * G_PI);
      cairo_stroke (cr);

      if (fraction > 0)
        {
          gdk_cairo_set_source_rgba (cr, &color);
          cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
          cairo_arc (cr, width / 2.0, height / 2.0, radius, -G_PI / 2,
                     -G_PI / 2 + 2 * G_PI * fraction);
          cairo_stroke (cr);
        }
      cairo_destroy (cr);
    }

  gtk_widget_snapshot_child (widget, self->label, snapshot);
}

static void
kiosk_countdown_dispose (GObject *object)
{
  KioskCountdown *self = KIOSK_COUNTDOWN (object);

  if (self->flow != NULL)
    g_signal_handlers_disconnect_by_data (self->flow, self);
  g_clear_object (&self->flow);
  g_clear_pointer (&self->label, gtk_widget_unparent);

  G_OBJECT_CLASS (kiosk_countdown_parent_class)->dispose (object);
}

static void
kiosk_countdown_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  KioskCountdown *self = KIOSK_COUNTDOWN (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      g_value_set_object (value, self->flow);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiosk_countdown_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  KioskCountdown *self = KIOSK_COUNTDOWN (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      kiosk_countdown_set_flow (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiosk_countdown_class_init (KioskCountdownClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiosk_countdown_dispose;
  object_class->get_property = kiosk_countdown_get_property;
  object_class->set_property = kiosk_countdown_set_property;

  widget_class->snapshot = kiosk_countdown_snapshot;

  properties[PROP_FLOW] =
    g_param_spec_object ("flow", NULL, NULL, KIOSK_TYPE_FLOW,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "countdown");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_TIMER);
}

static void
kiosk_countdown_init (KioskCountdown *self)
{
  self->label = gtk_label_new ("0");
  gtk_widget_add_css_class (self->label, "numeric");
  gtk_widget_set_halign (self->label, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (self->label, GTK_ALIGN_CENTER);
  gtk_widget_set_parent (self->label, GTK_WIDGET (self));
}

GtkWidget *
kiosk_countdown_new (void)
{
  return g_object_new (KIOSK_TYPE_COUNTDOWN, NULL);
}

KioskFlow *
kiosk_countdown_get_flow (KioskCountdown *self)
{
  g_return_val_if_fail (KIOSK_IS_COUNTDOWN (self), NULL);

  return self->flow;
}

void
kiosk_countdown_set_flow (KioskCountdown *self,
                          KioskFlow      *flow)
{
  g_return_if_fail (KIOSK_IS_COUNTDOWN (self));
  g_return_if_fail (flow == NULL || KIOSK_IS_FLOW (flow));

  if (self->flow == flow)
    return;

  if (self->flow != NULL)
    g_signal_handlers_disconnect_by_data (self->flow, self);
  g_set_object (&self->flow, flow);
  if (flow != NULL)
    {
      g_signal_connect_swapped (flow, "notify::remaining-seconds", G_CALLBACK (update), self);
      g_signal_connect_swapped (flow, "notify::survey", G_CALLBACK (update), self);
    }

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLOW]);
}

/* The seconds as shown, for tests. */
const char *
kiosk_countdown_get_text (KioskCountdown *self)
{
  g_return_val_if_fail (KIOSK_IS_COUNTDOWN (self), NULL);

  return gtk_label_get_label (GTK_LABEL (self->label));
}
