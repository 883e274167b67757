/* kiosk-survey-page.c: the question in the visitor's language, the faces that vote through
 * "survey.vote", a bar of the survey's languages by their own names (in rows when they are
 * many), and a status line for staff when storage fails. Built again whenever the language
 * changes, so every text is current. */
#define G_LOG_DOMAIN "kiosk-survey-page"

#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-face-view.h"
#include "kiosk-survey-page.h"
#include "kiosk-wrap-box.h"

struct _KioskSurveyPage
{
  GtkWidget  parent_instance;

  /* template widgets */
  GtkWidget *language_bar;
  GtkLabel  *question_label;
  GtkLabel  *status_label;
};

G_DEFINE_FINAL_TYPE_WITH_CODE (KioskSurveyPage, kiosk_survey_page, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (KIOSK_TYPE_PAGE, NULL))

static void
update_status (KioskSurveyPage *self)
{
  KioskStore *store = kiosk_flow_get_store (KIOSK_PAGE_FLOW (self));
  KioskStorageHealth health = kiosk_store_get_health (store);

  switch (health)
    {
    case KIOSK_STORAGE_FAILING:
      gtk_label_set_label (self->status_label,
                           /* Translators: a small status line at the screen's edge, for staff,
                            * worded so that it does not worry a visitor; "Kiosk status" is the
                            * admin screen's title */
                           _("For staff: responses are kept in memory for now — "
                             "details in Kiosk status"));
      break;
    case KIOSK_STORAGE_RECOVERED:
      gtk_label_set_label (self->status_label,
                           /* Translators: a small status line at the screen's edge, for staff,
                            * worded so that it does not worry a visitor */
                           _("For staff: a new database was started — details in Kiosk status"));
      break;
    case KIOSK_STORAGE_OK:
    default:
      break;
    }

  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label),
                               kiosk_store_get_health_message (store));
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), health != KIOSK_STORAGE_OK);
}

static void
build_language_bar (KioskSurveyPage *self)
{
  KioskFlow *flow = KIOSK_PAGE_FLOW (self);
  KioskSurvey *survey = kiosk_flow_get_survey (flow);
  const char * const *languages = kiosk_survey_get_languages (survey);
  const char *current = kiosk_survey_match_language (survey, kiosk_flow_get_language (flow));
  guint n = 0;

  kiosk_wrap_box_remove_all (KIOSK_WRAP_BOX (self->language_bar));

  for (guint i = 0; languages && languages[i]; i++, n++)
    {
      GtkWidget *button = gtk_button_new_with_label (kiosk_survey_get_language_name (survey,
                                                                                   languages[i]));
      GtkWidget *label = gtk_button_get_child (GTK_BUTTON (button));

      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "survey.language");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", languages[i]);
      gtk_widget_set_focus_on_click (button, FALSE);
      gtk_widget_add_css_class (button, "language");
      /* Each name is in its own language: tell a screen reader which one. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, languages[i], -1);
      if (GTK_IS_LABEL (label))
        {
          g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
          PangoLanguage *pango_language = pango_language_from_string (languages[i]);

          pango_attr_list_insert (attrs, pango_attr_language_new (pango_language));
          gtk_label_set_attributes (GTK_LABEL (label), attrs);
        }

      if (g_strcmp0 (languages[i], current) == 0)
        {
          gtk_widget_add_css_class (button, "current");
          gtk_accessible_update_state (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_STATE_PRESSED,
                                       GTK_ACCESSIBLE_TRISTATE_TRUE, -1);
        }
      kiosk_wrap_box_append (KIOSK_WRAP_BOX (self->language_bar), button);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->language_bar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  /* Translators: for screen readers: the language bar */
                                  _("Language"), -1);

  /* One language needs no bar. */
  gtk_widget_set_visible (self->language_bar, n > 1);
}

static void
kiosk_survey_page_constructed (GObject *object)
{
  KioskSurveyPage *self = KIOSK_SURVEY_PAGE (object);
  KioskFlow *flow;

  G_OBJECT_CLASS (kiosk_survey_page_parent_class)->constructed (object);

  flow = KIOSK_PAGE_FLOW (self);
  gtk_label_set_label (self->question_label,
                       kiosk_survey_get_question (kiosk_flow_get_survey (flow),
                                                  kiosk_flow_get_language (flow)));
  build_language_bar (self);

  g_signal_connect_object (kiosk_flow_get_store (flow), "notify::health",
                           G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  update_status (self);
}

static void
kiosk_survey_page_class_init (KioskSurveyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  kiosk_page_class_set_template (widget_class, "kiosk-survey-page.ui");
  object_class->constructed = kiosk_survey_page_constructed;

  g_type_ensure (KIOSK_TYPE_FACE_VIEW);
  g_type_ensure (KIOSK_TYPE_WRAP_BOX);

  gtk_widget_class_bind_template_child (widget_class, KioskSurveyPage, language_bar);
  gtk_widget_class_bind_template_child (widget_class, KioskSurveyPage, question_label);
  gtk_widget_class_bind_template_child (widget_class, KioskSurveyPage, status_label);
}

static void
kiosk_survey_page_init (KioskSurveyPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
