/* kiosk-survey.h: the survey a kiosk shows: its identity, its scale and its question. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define KIOSK_TYPE_SURVEY (kiosk_survey_get_type ())
G_DECLARE_FINAL_TYPE (KioskSurvey, kiosk_survey, KIOSK, SURVEY, GObject)

KioskSurvey *kiosk_survey_new_demo        (void);
const char  *kiosk_survey_get_id          (KioskSurvey *self);
int          kiosk_survey_get_version     (KioskSurvey *self);
int          kiosk_survey_get_scale       (KioskSurvey *self);
const char  *kiosk_survey_get_question    (KioskSurvey *self);

G_END_DECLS
