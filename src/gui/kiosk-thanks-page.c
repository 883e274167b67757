/* kiosk-thanks-page.c: thanks the visitor in their language, in the survey's own words. */
#define G_LOG_DOMAIN "kiosk-thanks-page"

#include "config.h"

#include "kiosk-face-view.h"
#include "kiosk-thanks-page.h"

struct _KioskThanksPage
{
  GtkWidget  parent_instance;

  /* template widgets */
  GtkLabel  *thanks_label;
};

static void kiosk_thanks_page_iface_init (KioskPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KioskThanksPage, kiosk_thanks_page, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (KIOSK_TYPE_PAGE,
                                                      kiosk_thanks_page_iface_init))

static void
kiosk_thanks_page_prepare (KioskPage *page)
{
  KioskThanksPage *self = KIOSK_THANKS_PAGE (page);
  KioskFlow *flow = kiosk_page_get_flow (page);

  gtk_label_set_label (self->thanks_label,
                       kiosk_survey_get_thank_you (kiosk_flow_get_survey (flow),
                                                   kiosk_flow_get_language (flow)));
}

static void
kiosk_thanks_page_iface_init (KioskPageInterface *iface)
{
  iface->prepare = kiosk_thanks_page_prepare;
}

static void
kiosk_thanks_page_class_init (KioskThanksPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  kiosk_page_class_set_template (widget_class, "kiosk-thanks-page.ui");

  g_type_ensure (KIOSK_TYPE_FACE_VIEW);

  gtk_widget_class_bind_template_child (widget_class, KioskThanksPage, thanks_label);
}

static void
kiosk_thanks_page_init (KioskThanksPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
