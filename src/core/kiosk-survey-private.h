/* kiosk-survey-private.h: the survey's instance, its follow-ups and the validator, shared by its
 * files (kiosk-survey.c: the model; -check.c: the validator's tools; -read.c: reading a
 * definition; -demo.c: the built-in demo). */
#pragma once

#include <json-glib/json-glib.h>

#include "kiosk-survey.h"

G_BEGIN_DECLS

/* What every text lookup needs: the offered languages, default first. Shared by a survey and its
 * follow-ups, so a follow-up outlives a survey swap on its own. */
typedef struct
{
  grefcount  ref;
  GStrv      languages;
} Languages;

struct _KioskFollowUp
{
  grefcount           ref;

  Languages          *languages;
  char               *id;
  KioskFaceSide       side;
  GHashTable         *question;        /* language -> text */
  KioskChoice         choice;
  GPtrArray          *option_ids;      /* char * */
  GPtrArray          *option_labels;   /* GHashTable *, language -> text */
  guint               comment_max_length;
  GHashTable         *comment_prompt;  /* NULL when no comment is asked for */
  KioskContactFields  contact_fields;
  GHashTable         *contact_consent; /* NULL when no contact is asked for */
};

struct _KioskSurvey
{
  GObject         parent_instance;

  /* owned */
  char           *source;
  char           *id;
  int             version;
  Languages      *languages;
  GHashTable     *language_names;   /* language -> name; NULL when the survey gives none */
  GHashTable     *question;
  GHashTable     *thank_you;
  KioskFaceSide   sides[KIOSK_SURVEY_SCALE];
  KioskFollowUp  *follow_ups[2];    /* indexed by KioskFaceSide */
  guint           timeout_s;
};

typedef struct
{
  const char  *display_name;
  GString     *problems;
  Languages   *languages;        /* NULL until "languages" was read, or when it is unusable */
  GHashTable  *duplicates;       /* JsonObject * -> GPtrArray of member names seen twice */
  GHashTable  *sizes;            /* JsonObject * -> size after its last member, while parsing */
} Validator;

/* kiosk-survey.c */
void            _kiosk_survey_languages_unref  (Languages *l);
KioskFollowUp  *_kiosk_follow_up_new           (Languages *languages);

/* kiosk-survey-check.c */
void            _kiosk_survey_append_one_line  (GString    *out,
                                                const char *text);
void            _kiosk_survey_problem          (Validator  *v,
                                                const char *path,
                                                const char *format,
                                                ...) G_GNUC_PRINTF (3, 4);
char           *_kiosk_survey_member_path      (const char *path,
                                                const char *key);
char           *_kiosk_survey_element_path     (const char *path,
                                                guint       index);
const char     *_kiosk_survey_type_name        (JsonNode *node);
gboolean        _kiosk_survey_holds            (JsonNode *node,
                                                GType     type);
void            _kiosk_survey_object_member_cb (JsonParser *parser,
                                                JsonObject *object,
                                                const char *member_name,
                                                Validator  *v);
void            _kiosk_survey_check_keys       (Validator          *v,
                                                const char         *path,
                                                JsonObject         *object,
                                                const char * const *known);
JsonNode       *_kiosk_survey_get_member       (Validator  *v,
                                                const char *path,
                                                JsonObject *object,
                                                const char *key,
                                                gboolean    required);
JsonObject     *_kiosk_survey_expect_object    (Validator  *v,
                                                const char *path,
                                                JsonNode   *node);
JsonArray      *_kiosk_survey_expect_array     (Validator  *v,
                                                const char *path,
                                                JsonNode   *node);
const char     *_kiosk_survey_expect_string    (Validator  *v,
                                                const char *path,
                                                JsonNode   *node);
gboolean        _kiosk_survey_expect_integer   (Validator  *v,
                                                const char *path,
                                                JsonNode   *node,
                                                gint64      min,
                                                gint64      max,
                                                const char *unit,
                                                gint64     *out);
const char     *_kiosk_survey_expect_id        (Validator  *v,
                                                const char *path,
                                                JsonNode   *node);
GHashTable     *_kiosk_survey_expect_texts     (Validator  *v,
                                                const char *path,
                                                JsonNode   *node,
                                                gboolean    complete);

G_END_DECLS
