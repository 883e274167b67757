/* kiosk-attract-page.c: after attract-after-minutes without a touch the survey gives way to this
 * dim, still screen (the panel is spared, nothing animates, so the CPU sleeps too). The first
 * touch anywhere brings the survey back and votes for nothing ("attract.wake"): the faces were
 * not under the finger. */
#define G_LOG_DOMAIN "kiosk-attract-page"

#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-attract-page.h"
#include "kiosk-face-view.h"

struct _KioskAttractPage
{
  GtkWidget  parent_instance;

  /* template widgets */
  GtkLabel  *question_label;
};

static void kiosk_attract_page_iface_init (KioskPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KioskAttractPage, kiosk_attract_page, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (KIOSK_TYPE_PAGE,
                                                      kiosk_attract_page_iface_init))

/* On release: the press that woke the screen ends here, on no button. */
static void
released_cb (GtkGestureClick  *gesture,
             int               n_press,
             double            x,
             double            y,
             KioskAttractPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "attract.wake", NULL);
}

/* In the kiosk's default language: it shows when nobody is there. */
static void
kiosk_attract_page_prepare (KioskPage *page)
{
  KioskAttractPage *self = KIOSK_ATTRACT_PAGE (page);
  KioskFlow *flow = kiosk_page_get_flow (page);

  gtk_label_set_label (self->question_label,
                       kiosk_survey_get_question (kiosk_flow_get_survey (flow),
                                                  kiosk_flow_get_language (flow)));
}

static void
kiosk_attract_page_iface_init (KioskPageInterface *iface)
{
  iface->prepare = kiosk_attract_page_prepare;
}

static void
kiosk_attract_page_class_init (KioskAttractPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  kiosk_page_class_set_template (widget_class, "kiosk-attract-page.ui");

  g_type_ensure (KIOSK_TYPE_FACE_VIEW);

  gtk_widget_class_bind_template_child (widget_class, KioskAttractPage, question_label);
}

static void
kiosk_attract_page_init (KioskAttractPage *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (click, "released", G_CALLBACK (released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}
