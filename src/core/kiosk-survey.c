/* kiosk-survey.c: the survey shown to visitors. The built-in demo survey needs no file. */
#define G_LOG_DOMAIN "kiosk-survey"

#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-survey.h"

struct _KioskSurvey
{
  GObject parent_instance;

  /* owned */
  char   *id;
  int     version;
  int     scale;
  char   *question;   /* untranslated msgid; translated when asked for */
};

G_DEFINE_FINAL_TYPE (KioskSurvey, kiosk_survey, G_TYPE_OBJECT)

static void
kiosk_survey_finalize (GObject *object)
{
  KioskSurvey *self = KIOSK_SURVEY (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->question, g_free);

  G_OBJECT_CLASS (kiosk_survey_parent_class)->finalize (object);
}

static void
kiosk_survey_class_init (KioskSurveyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiosk_survey_finalize;
}

static void
kiosk_survey_init (KioskSurvey *self)
{
}

KioskSurvey *
kiosk_survey_new_demo (void)
{
  KioskSurvey *self = g_object_new (KIOSK_TYPE_SURVEY, NULL);

  self->id = g_strdup ("demo");
  self->version = 1;
  self->scale = 4;
  /* Translators: the question of the built-in demo survey, shown above the four faces */
  self->question = g_strdup (N_("How was your visit today?"));

  return self;
}

const char *
kiosk_survey_get_id (KioskSurvey *self)
{
  g_return_val_if_fail (KIOSK_IS_SURVEY (self), NULL);

  return self->id;
}

int
kiosk_survey_get_version (KioskSurvey *self)
{
  g_return_val_if_fail (KIOSK_IS_SURVEY (self), 0);

  return self->version;
}

int
kiosk_survey_get_scale (KioskSurvey *self)
{
  g_return_val_if_fail (KIOSK_IS_SURVEY (self), 0);

  return self->scale;
}

const char *
kiosk_survey_get_question (KioskSurvey *self)
{
  g_return_val_if_fail (KIOSK_IS_SURVEY (self), NULL);

  return _(self->question);
}
