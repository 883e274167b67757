/* kiosk-thanks-page.c: thanks the visitor in their language, in the survey's own words. */
#define G_LOG_DOMAIN "kiosk-thanks-page"

#include "config.h"

#include "kiosk-face-view.h"
#include "kiosk-page-layout.h"
#include "kiosk-thanks-page.h"

struct _KioskThanksPage
{
  GtkWidget  parent_instance;

  /* template widgets */
  GtkLabel  *thanks_label;

  /* owned */
  KioskFlow *flow;
};

enum {
  PROP_0,
  PROP_FLOW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KioskThanksPage, kiosk_thanks_page, GTK_TYPE_WIDGET)

void
kiosk_thanks_page_prepare (KioskThanksPage *self)
{
  KioskSurvey *survey;

  g_return_if_fail (KIOSK_IS_THANKS_PAGE (self));

  survey = kiosk_flow_get_survey (self->flow);
  gtk_label_set_label (self->thanks_label,
                       kiosk_survey_get_thank_you (survey, kiosk_flow_get_language (self->flow)));
}

static void
kiosk_thanks_page_constructed (GObject *object)
{
  KioskThanksPage *self = KIOSK_THANKS_PAGE (object);

  G_OBJECT_CLASS (kiosk_thanks_page_parent_class)->constructed (object);

  kiosk_thanks_page_prepare (self);
}

static void
kiosk_thanks_page_dispose (GObject *object)
{
  KioskThanksPage *self = KIOSK_THANKS_PAGE (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), KIOSK_TYPE_THANKS_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->flow);

  G_OBJECT_CLASS (kiosk_thanks_page_parent_class)->dispose (object);
}

static void
kiosk_thanks_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  KioskThanksPage *self = KIOSK_THANKS_PAGE (object);

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
kiosk_thanks_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  KioskThanksPage *self = KIOSK_THANKS_PAGE (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      self->flow = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiosk_thanks_page_class_init (KioskThanksPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = kiosk_thanks_page_constructed;
  object_class->dispose = kiosk_thanks_page_dispose;
  object_class->get_property = kiosk_thanks_page_get_property;
  object_class->set_property = kiosk_thanks_page_set_property;

  properties[PROP_FLOW] =
    g_param_spec_object ("flow", NULL, NULL, KIOSK_TYPE_FLOW,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (KIOSK_TYPE_FACE_VIEW);

  gtk_widget_class_set_layout_manager_type (widget_class, KIOSK_TYPE_PAGE_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/kiosk-thanks-page.ui");
  gtk_widget_class_bind_template_child (widget_class, KioskThanksPage, thanks_label);
}

static void
kiosk_thanks_page_init (KioskThanksPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
kiosk_thanks_page_new (KioskFlow *flow)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (flow), NULL);

  return g_object_new (KIOSK_TYPE_THANKS_PAGE, "flow", flow, NULL);
}
