/* kiosk-survey-page.h: the first screen: the question, the four faces and the language bar. */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-page.h"

G_BEGIN_DECLS

#define KIOSK_TYPE_SURVEY_PAGE (kiosk_survey_page_get_type ())
G_DECLARE_FINAL_TYPE (KioskSurveyPage, kiosk_survey_page, KIOSK, SURVEY_PAGE, GtkWidget)


G_END_DECLS
