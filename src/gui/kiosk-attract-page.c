/* kiosk-attract-page.c: after attract-after-minutes without a touch the survey gives way to this
 * dim, still screen (the panel is spared, nothing animates, so the CPU sleeps too). The first
 * touch anywhere brings the survey back and votes for nothing ("attract.wake"): the faces were
 * not under the finger. */
#define G_LOG_DOMAIN "kiosk-attract-page"

#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-attract-page.h"
#include "kiosk-face-view.h"
#include "kiosk-page-layout.h"

struct _KioskAttractPage
{
  GtkWidget  parent_instance;

  /* template widgets */
  GtkLabel  *question_label;
};

G_DEFINE_FINAL_TYPE (KioskAttractPage, kiosk_attract_page, GTK_TYPE_WIDGET)

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

static void
kiosk_attract_page_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), KIOSK_TYPE_ATTRACT_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (kiosk_attract_page_parent_class)->dispose (object);
}

static void
kiosk_attract_page_class_init (KioskAttractPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = kiosk_attract_page_dispose;

  g_type_ensure (KIOSK_TYPE_FACE_VIEW);

  gtk_widget_class_set_layout_manager_type (widget_class, KIOSK_TYPE_PAGE_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/kiosk-attract-page.ui");
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

/* In the kiosk's default language: it shows when nobody is there. */
GtkWidget *
kiosk_attract_page_new (KioskFlow *flow)
{
  KioskAttractPage *self;
  KioskSurvey *survey;

  g_return_val_if_fail (KIOSK_IS_FLOW (flow), NULL);

  self = g_object_new (KIOSK_TYPE_ATTRACT_PAGE, NULL);
  survey = kiosk_flow_get_survey (flow);
  gtk_label_set_label (self->question_label,
                       kiosk_survey_get_question (survey, kiosk_flow_get_language (flow)));

  return GTK_WIDGET (self);
}
