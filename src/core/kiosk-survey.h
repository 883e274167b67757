/* kiosk-survey.h: the survey a kiosk shows, read from a JSON definition (or the built-in demo) and
 * validated completely before use: question, faces, follow-ups and thank-you text per language. */
#pragma once

#include <glib-object.h>

#include "kiosk-config.h"

G_BEGIN_DECLS

#define KIOSK_SURVEY_ERROR (kiosk_survey_error_quark ())

typedef enum
{
  KIOSK_SURVEY_ERROR_IO,        /* the file could not be read */
  KIOSK_SURVEY_ERROR_SYNTAX,    /* not JSON: the message says line:column */
  KIOSK_SURVEY_ERROR_INVALID,   /* JSON, but not a valid survey: one problem per line */
} KioskSurveyError;

/* The kiosk shows four faces: 0 = most negative … 3 = most positive. */
#define KIOSK_SURVEY_SCALE                  4
#define KIOSK_SURVEY_MAX_OPTIONS            6
#define KIOSK_SURVEY_DEFAULT_TIMEOUT_S      20
#define KIOSK_SURVEY_MIN_TIMEOUT_S          1
#define KIOSK_SURVEY_MAX_TIMEOUT_S          600
#define KIOSK_SURVEY_MAX_COMMENT_LENGTH     2000
#define KIOSK_SURVEY_DEFAULT_COMMENT_LENGTH 200

typedef enum
{
  KIOSK_FACE_NEGATIVE,
  KIOSK_FACE_POSITIVE,
} KioskFaceSide;

typedef enum
{
  KIOSK_CHOICE_SINGLE,      /* selecting an option replaces the previous one */
  KIOSK_CHOICE_MULTIPLE,
} KioskChoice;

typedef enum
{
  KIOSK_CONTACT_NAME  = 1 << 0,
  KIOSK_CONTACT_EMAIL = 1 << 1,
  KIOSK_CONTACT_PHONE = 1 << 2,
} KioskContactFields;

/**
 * KioskFollowUp:
 *
 * The follow-up question of one side (negative or positive faces): immutable, reference counted,
 * valid as long as a reference is held (a survey swap does not invalidate it).
 */
typedef struct _KioskFollowUp KioskFollowUp;

#define KIOSK_TYPE_FOLLOW_UP (kiosk_follow_up_get_type ())
GType               kiosk_follow_up_get_type              (void) G_GNUC_CONST;
KioskFollowUp      *kiosk_follow_up_ref                   (KioskFollowUp       *self);
void                kiosk_follow_up_unref                 (KioskFollowUp       *self);

const char         *kiosk_follow_up_get_id                (const KioskFollowUp *self);
KioskFaceSide       kiosk_follow_up_get_side              (const KioskFollowUp *self);
const char         *kiosk_follow_up_get_question          (const KioskFollowUp *self,
                                                           const char          *language);
KioskChoice         kiosk_follow_up_get_choice            (const KioskFollowUp *self);
guint               kiosk_follow_up_get_n_options         (const KioskFollowUp *self);
const char         *kiosk_follow_up_get_option_id         (const KioskFollowUp *self,
                                                           guint                index);
const char         *kiosk_follow_up_get_option_label      (const KioskFollowUp *self,
                                                           guint                index,
                                                           const char          *language);
int                 kiosk_follow_up_find_option           (const KioskFollowUp *self,
                                                           const char          *option_id);
/* 0 when the follow-up asks for no comment. */
guint               kiosk_follow_up_get_comment_max_length (const KioskFollowUp *self);
gboolean            kiosk_follow_up_has_comment           (const KioskFollowUp *self);
const char         *kiosk_follow_up_get_comment_prompt    (const KioskFollowUp *self,
                                                           const char          *language);
gboolean            kiosk_follow_up_has_contact           (const KioskFollowUp *self);
const char         *kiosk_follow_up_get_contact_consent   (const KioskFollowUp *self,
                                                           const char          *language);
/* Which fields the contact request asks for; 0 when there is no contact request. */
KioskContactFields  kiosk_follow_up_get_contact_fields    (const KioskFollowUp *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskFollowUp, kiosk_follow_up_unref)

#define KIOSK_TYPE_SURVEY (kiosk_survey_get_type ())
G_DECLARE_FINAL_TYPE (KioskSurvey, kiosk_survey, KIOSK, SURVEY, GObject)

GQuark              kiosk_survey_error_quark              (void);

KioskSurvey        *kiosk_survey_new_from_file            (const char   *path,
                                                           GError      **error);
KioskSurvey        *kiosk_survey_new_from_data            (const char   *data,
                                                           gssize        length,
                                                           const char   *display_name,
                                                           GError      **error);
KioskSurvey        *kiosk_survey_new_demo                 (void);
KioskSurvey        *kiosk_survey_new_demo_from_data       (const char   *data,
                                                           gssize        length,
                                                           GError      **error);
KioskSurvey        *kiosk_survey_new_for_config           (KioskConfig  *config,
                                                           GError      **error);
GBytes             *kiosk_survey_get_demo_data            (void);

/* The file it was read from, or "demo-survey.json" for the built-in demo. */
const char         *kiosk_survey_get_source               (KioskSurvey  *self);
const char         *kiosk_survey_get_id                   (KioskSurvey  *self);
int                 kiosk_survey_get_version              (KioskSurvey  *self);
int                 kiosk_survey_get_scale                (KioskSurvey  *self);

/* Languages: BCP 47 tags, the default one first. A text asked for in a language the survey does
 * not offer falls back to the offered language with the same primary subtag ("de-AT" -> "de"),
 * then to the default language: every getter below returns a text, never NULL. */
const char         *kiosk_survey_get_default_language     (KioskSurvey  *self);
const char * const *kiosk_survey_get_languages            (KioskSurvey  *self);
gboolean            kiosk_survey_has_language             (KioskSurvey  *self,
                                                           const char   *language);
const char         *kiosk_survey_match_language           (KioskSurvey  *self,
                                                           const char   *language);
const char         *kiosk_survey_get_language_name        (KioskSurvey  *self,
                                                           const char   *language);

const char         *kiosk_survey_get_question             (KioskSurvey  *self,
                                                           const char   *language);
const char         *kiosk_survey_get_thank_you            (KioskSurvey  *self,
                                                           const char   *language);
KioskFaceSide       kiosk_survey_get_face_side            (KioskSurvey  *self,
                                                           int           face);
/* NULL when that side has no follow-up. Transfer none: owned by the survey. */
KioskFollowUp      *kiosk_survey_get_follow_up            (KioskSurvey  *self,
                                                           KioskFaceSide side);
KioskFollowUp      *kiosk_survey_get_follow_up_for_face   (KioskSurvey  *self,
                                                           int           face);
guint               kiosk_survey_get_follow_up_timeout_s  (KioskSurvey  *self);

/* A few lines for IT staff (smiley-kiosk --check-survey): languages, faces, follow-ups. */
char               *kiosk_survey_describe                 (KioskSurvey  *self);
/* Sentences for IT staff about a valid survey: a comment asked for in a language the kiosk
 * cannot type (Chinese, Japanese, Korean need an input method). */
GStrv               kiosk_survey_dup_warnings             (KioskSurvey  *self);

/* The demo survey's English texts as xgettext reads them (kiosk-demo-texts.c, written from
 * data/demo-survey.json), NULL-terminated. */
extern const char * const kiosk_demo_texts[];

/* The language's name in that language ("Deutsch", "Suomi"), for a language bar; NULL when the
 * built-in table does not know it. */
const char         *kiosk_language_get_native_name        (const char   *language);
gboolean            kiosk_language_is_rtl                 (const char   *language);

G_END_DECLS
