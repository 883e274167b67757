/* kiosk-survey.c: the survey definition (JSON), validated completely before anything is used, so
 * an invalid file never half-loads and IT staff see every problem at once, each with its path.
 * This file is the model (KioskSurvey, KioskFollowUp, their languages); reading and validating
 * a definition is in kiosk-survey-read.c and kiosk-survey-check.c, the demo in -demo.c. */
#define G_LOG_DOMAIN "kiosk-survey"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libintl.h>
#include <stdio.h>
#include <string.h>

#include "kiosk-config.h"
#include "kiosk-core-resources.h"
#include "kiosk-keyboard-table.h"
#include "kiosk-gettext.h"
#include "kiosk-response.h"
#include "kiosk-survey-private.h"


/* Languages as shown on the language bar: each in its own language. */
static const struct
{
  const char *tag;
  const char *name;
} native_names[] = {
  { "ar", "العربية" },
  { "bg", "Български" },
  { "ca", "Català" },
  { "cs", "Čeština" },
  { "cy", "Cymraeg" },
  { "da", "Dansk" },
  { "de", "Deutsch" },
  { "el", "Ελληνικά" },
  { "en", "English" },
  { "es", "Español" },
  { "et", "Eesti" },
  { "eu", "Euskara" },
  { "fa", "فارسی" },
  { "fi", "Suomi" },
  { "fr", "Français" },
  { "ga", "Gaeilge" },
  { "he", "עברית" },
  { "hi", "हिन्दी" },
  { "hr", "Hrvatski" },
  { "hu", "Magyar" },
  { "is", "Íslenska" },
  { "it", "Italiano" },
  { "ja", "日本語" },
  { "ko", "한국어" },
  { "lt", "Lietuvių" },
  { "lv", "Latviešu" },
  { "nb", "Norsk bokmål" },
  { "nl", "Nederlands" },
  { "nn", "Norsk nynorsk" },
  { "no", "Norsk" },
  { "pl", "Polski" },
  { "pt", "Português" },
  { "pt-BR", "Português (Brasil)" },
  { "ro", "Română" },
  { "ru", "Русский" },
  { "se", "Davvisámegiella" },
  { "sk", "Slovenčina" },
  { "sl", "Slovenščina" },
  { "sq", "Shqip" },
  { "sr", "Српски" },
  { "sv", "Svenska" },
  { "th", "ไทย" },
  { "tr", "Türkçe" },
  { "uk", "Українська" },
  { "ur", "اردو" },
  { "vi", "Tiếng Việt" },
  { "zh", "中文" },
  { "zh-Hans", "简体中文" },
  { "zh-Hant", "繁體中文" },
};

static const char * const rtl_languages[] = { "ar", "dv", "fa", "he", "ks", "ku", "ps", "sd", "ug",
                                              "ur", "yi", NULL };

/* What every text lookup needs: the offered languages, default first. Shared by a survey and its
 * follow-ups, so a follow-up outlives a survey swap on its own. */

G_DEFINE_QUARK (kiosk-survey-error-quark, kiosk_survey_error)
G_DEFINE_FINAL_TYPE (KioskSurvey, kiosk_survey, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (KioskFollowUp, kiosk_follow_up, kiosk_follow_up_ref, kiosk_follow_up_unref)

static Languages *
languages_ref (Languages *l)
{
  g_ref_count_inc (&l->ref);
  return l;
}

void
_kiosk_survey_languages_unref (Languages *l)
{
  if (l != NULL && g_ref_count_dec (&l->ref))
    {
      g_strfreev (l->languages);
      g_free (l);
    }
}

static gboolean
same_primary_subtag (const char *a,
                     const char *b)
{
  size_t la = strcspn (a, "-");
  size_t lb = strcspn (b, "-");

  return la == lb && g_ascii_strncasecmp (a, b, la) == 0;
}

/* Exact tag, then a language with the same primary subtag, then the default. */
static const char *
languages_match (const Languages *l,
                 const char      *language)
{
  if (language == NULL)
    return l->languages[0];

  for (guint i = 0; l->languages[i]; i++)
    if (g_ascii_strcasecmp (l->languages[i], language) == 0)
      return l->languages[i];

  /* "de-AT" finds "de" before "de-CH"; "de" finds the first "de-…" otherwise. */
  for (guint i = 0; l->languages[i]; i++)
    if (strchr (l->languages[i], '-') == NULL && same_primary_subtag (l->languages[i], language))
      return l->languages[i];
  for (guint i = 0; l->languages[i]; i++)
    if (same_primary_subtag (l->languages[i], language))
      return l->languages[i];

  return l->languages[0];
}

static const char *
languages_text (const Languages *l,
                GHashTable      *texts,
                const char      *language)
{
  if (texts == NULL || l == NULL)
    return NULL;

  return g_hash_table_lookup (texts, languages_match (l, language));
}

/* --- KioskFollowUp ----------------------------------------------------------------------- */

KioskFollowUp *
_kiosk_follow_up_new (Languages *languages)
{
  KioskFollowUp *self = g_new0 (KioskFollowUp, 1);

  g_ref_count_init (&self->ref);
  self->languages = languages ? languages_ref (languages) : NULL;
  self->option_ids = g_ptr_array_new_with_free_func (g_free);
  self->option_labels = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);

  return self;
}

KioskFollowUp *
kiosk_follow_up_ref (KioskFollowUp *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_ref_count_inc (&self->ref);
  return self;
}

void
kiosk_follow_up_unref (KioskFollowUp *self)
{
  g_return_if_fail (self != NULL);

  if (!g_ref_count_dec (&self->ref))
    return;

  _kiosk_survey_languages_unref (self->languages);
  g_free (self->id);
  g_clear_pointer (&self->question, g_hash_table_unref);
  g_ptr_array_unref (self->option_ids);
  g_ptr_array_unref (self->option_labels);
  g_clear_pointer (&self->comment_prompt, g_hash_table_unref);
  g_clear_pointer (&self->contact_consent, g_hash_table_unref);
  g_free (self);
}

const char *
kiosk_follow_up_get_id (const KioskFollowUp *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->id;
}

KioskFaceSide
kiosk_follow_up_get_side (const KioskFollowUp *self)
{
  g_return_val_if_fail (self != NULL, KIOSK_FACE_NEGATIVE);

  return self->side;
}

const char *
kiosk_follow_up_get_question (const KioskFollowUp *self,
                              const char          *language)
{
  g_return_val_if_fail (self != NULL, NULL);

  return languages_text (self->languages, self->question, language);
}

KioskChoice
kiosk_follow_up_get_choice (const KioskFollowUp *self)
{
  g_return_val_if_fail (self != NULL, KIOSK_CHOICE_SINGLE);

  return self->choice;
}

guint
kiosk_follow_up_get_n_options (const KioskFollowUp *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->option_ids->len;
}

const char *
kiosk_follow_up_get_option_id (const KioskFollowUp *self,
                               guint                index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->option_ids->len, NULL);

  return g_ptr_array_index (self->option_ids, index);
}

const char *
kiosk_follow_up_get_option_label (const KioskFollowUp *self,
                                  guint                index,
                                  const char          *language)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->option_labels->len, NULL);

  return languages_text (self->languages, g_ptr_array_index (self->option_labels, index),
                         language);
}

/* Returns: the option's index, or -1 when this follow-up has no such option. */
int
kiosk_follow_up_find_option (const KioskFollowUp *self,
                             const char          *option_id)
{
  g_return_val_if_fail (self != NULL, -1);

  if (option_id == NULL)
    return -1;

  for (guint i = 0; i < self->option_ids->len; i++)
    if (g_str_equal (g_ptr_array_index (self->option_ids, i), option_id))
      return i;

  return -1;
}

guint
kiosk_follow_up_get_comment_max_length (const KioskFollowUp *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->comment_max_length;
}

gboolean
kiosk_follow_up_has_comment (const KioskFollowUp *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->comment_prompt != NULL;
}

/* Returns: the prompt above the comment field, or NULL when no comment is asked for. */
const char *
kiosk_follow_up_get_comment_prompt (const KioskFollowUp *self,
                                    const char          *language)
{
  g_return_val_if_fail (self != NULL, NULL);

  return languages_text (self->languages, self->comment_prompt, language);
}

gboolean
kiosk_follow_up_has_contact (const KioskFollowUp *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->contact_consent != NULL;
}

/* Returns: what the visitor consents to, or NULL when no contact is asked for. */
const char *
kiosk_follow_up_get_contact_consent (const KioskFollowUp *self,
                                     const char          *language)
{
  g_return_val_if_fail (self != NULL, NULL);

  return languages_text (self->languages, self->contact_consent, language);
}

KioskContactFields
kiosk_follow_up_get_contact_fields (const KioskFollowUp *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->contact_fields;
}

/* --- KioskSurvey --------------------------------------------------------------------------- */

static void
kiosk_survey_finalize (GObject *object)
{
  KioskSurvey *self = KIOSK_SURVEY (object);

  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->languages, _kiosk_survey_languages_unref);
  g_clear_pointer (&self->language_names, g_hash_table_unref);
  g_clear_pointer (&self->question, g_hash_table_unref);
  g_clear_pointer (&self->thank_you, g_hash_table_unref);
  g_clear_pointer (&self->follow_ups[0], kiosk_follow_up_unref);
  g_clear_pointer (&self->follow_ups[1], kiosk_follow_up_unref);

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

const char *
kiosk_survey_get_source (KioskSurvey *self)
{
  g_return_val_if_fail (KIOSK_IS_SURVEY (self), NULL);

  return self->source;
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

  return KIOSK_SURVEY_SCALE;
}

const char *
kiosk_survey_get_default_language (KioskSurvey *self)
{
  g_return_val_if_fail (KIOSK_IS_SURVEY (self), NULL);

  return self->languages->languages[0];
}

/* Returns: (transfer none): the offered languages, the default one first */
const char * const *
kiosk_survey_get_languages (KioskSurvey *self)
{
  g_return_val_if_fail (KIOSK_IS_SURVEY (self), NULL);

  return (const char * const *) self->languages->languages;
}

gboolean
kiosk_survey_has_language (KioskSurvey *self,
                           const char  *language)
{
  g_return_val_if_fail (KIOSK_IS_SURVEY (self), FALSE);

  return language != NULL &&
         g_strv_contains ((const char * const *) self->languages->languages, language);
}

/**
 * kiosk_survey_match_language:
 * @language: (nullable): a BCP 47 tag, e.g. the visitor's choice or the configured language
 *
 * Returns: the offered language to show for @language: the same tag, else one with the same
 * primary subtag, else the default language
 */
const char *
kiosk_survey_match_language (KioskSurvey *self,
                             const char  *language)
{
  g_return_val_if_fail (KIOSK_IS_SURVEY (self), NULL);

  return languages_match (self->languages, language);
}

/* Returns: the name of @language in itself: the survey's own, the built-in table's, or the tag. */
const char *
kiosk_survey_get_language_name (KioskSurvey *self,
                                const char  *language)
{
  const char *name;

  g_return_val_if_fail (KIOSK_IS_SURVEY (self), NULL);
  g_return_val_if_fail (language != NULL, NULL);

  if (self->language_names != NULL &&
      (name = g_hash_table_lookup (self->language_names, language)) != NULL)
    return name;
  if ((name = kiosk_language_get_native_name (language)) != NULL)
    return name;

  return language;
}

const char *
kiosk_survey_get_question (KioskSurvey *self,
                           const char  *language)
{
  g_return_val_if_fail (KIOSK_IS_SURVEY (self), NULL);

  return languages_text (self->languages, self->question, language);
}

const char *
kiosk_survey_get_thank_you (KioskSurvey *self,
                            const char  *language)
{
  g_return_val_if_fail (KIOSK_IS_SURVEY (self), NULL);

  return languages_text (self->languages, self->thank_you, language);
}

KioskFaceSide
kiosk_survey_get_face_side (KioskSurvey *self,
                            int          face)
{
  g_return_val_if_fail (KIOSK_IS_SURVEY (self), KIOSK_FACE_NEGATIVE);
  g_return_val_if_fail (face >= 0 && face < KIOSK_SURVEY_SCALE, KIOSK_FACE_NEGATIVE);

  return self->sides[face];
}

KioskFollowUp *
kiosk_survey_get_follow_up (KioskSurvey   *self,
                            KioskFaceSide  side)
{
  g_return_val_if_fail (KIOSK_IS_SURVEY (self), NULL);
  g_return_val_if_fail (side == KIOSK_FACE_NEGATIVE || side == KIOSK_FACE_POSITIVE, NULL);

  return self->follow_ups[side];
}

KioskFollowUp *
kiosk_survey_get_follow_up_for_face (KioskSurvey *self,
                                     int          face)
{
  g_return_val_if_fail (KIOSK_IS_SURVEY (self), NULL);
  g_return_val_if_fail (face >= 0 && face < KIOSK_SURVEY_SCALE, NULL);

  return self->follow_ups[self->sides[face]];
}

guint
kiosk_survey_get_follow_up_timeout_s (KioskSurvey *self)
{
  g_return_val_if_fail (KIOSK_IS_SURVEY (self), KIOSK_SURVEY_DEFAULT_TIMEOUT_S);

  return self->timeout_s;
}

#define DESCRIBE_INDENT "                       "

static void
describe_follow_up (GString       *out,
                    KioskSurvey   *self,
                    KioskFaceSide  side)
{
  static const char * const side_names[] = { "negative faces", "positive faces" };
  static const char * const field_names[] = { "name", "email", "phone" };
  KioskFollowUp *follow_up = self->follow_ups[side];
  g_autoptr(GString) faces = g_string_new (NULL);

  for (int face = 0; face < KIOSK_SURVEY_SCALE; face++)
    if (self->sides[face] == side)
      g_string_append_printf (faces, "%s%d", faces->len ? ", " : "", face);

  g_string_append_printf (out, "  %-20s %s", side_names[side], faces->str);
  if (follow_up == NULL)
    {
      g_string_append (out, ", no follow-up\n");
      return;
    }

  g_string_append_printf (out, ", follow-up “%s”\n" DESCRIBE_INDENT "%s choice:", follow_up->id,
                          follow_up->choice == KIOSK_CHOICE_MULTIPLE ? "multiple" : "single");
  for (guint i = 0; i < follow_up->option_ids->len; i++)
    g_string_append_printf (out, "%s %s", i ? "," : "",
                            (const char *) g_ptr_array_index (follow_up->option_ids, i));
  g_string_append_c (out, '\n');

  if (follow_up->comment_prompt != NULL)
    g_string_append_printf (out, DESCRIBE_INDENT "comment of up to %u characters\n",
                            follow_up->comment_max_length);
  if (follow_up->contact_consent != NULL)
    {
      g_string_append (out, DESCRIBE_INDENT "contact request, with consent:");
      for (guint f = 0; f < G_N_ELEMENTS (field_names); f++)
        if (follow_up->contact_fields & (1 << f))
          g_string_append_printf (out, " %s", field_names[f]);
      g_string_append_c (out, '\n');
    }
}

/* Returns: (transfer full): a summary, one item per line, each line indented by two spaces */
char *
kiosk_survey_describe (KioskSurvey *self)
{
  GString *out;

  g_return_val_if_fail (KIOSK_IS_SURVEY (self), NULL);

  out = g_string_new (NULL);
  g_string_append_printf (out, "  %-20s %s\n", "id", self->id);
  g_string_append_printf (out, "  %-20s %d\n", "version", self->version);
  g_string_append_printf (out, "  %-20s", "languages");
  for (guint i = 0; self->languages->languages[i]; i++)
    {
      const char *tag = self->languages->languages[i];

      g_string_append_printf (out, "%s %s (%s%s)", i ? "," : "", tag,
                              kiosk_survey_get_language_name (self, tag),
                              i == 0 ? ", default" : "");
    }
  g_string_append_c (out, '\n');
  describe_follow_up (out, self, KIOSK_FACE_NEGATIVE);
  describe_follow_up (out, self, KIOSK_FACE_POSITIVE);
  g_string_append_printf (out, "  %-20s %u s\n", "follow-up timeout", self->timeout_s);

  return g_string_free (out, FALSE);
}

/**
 * kiosk_survey_dup_warnings:
 *
 * What IT staff should know about a valid survey (smiley-kiosk --check-survey): a comment asked
 * for in a language the kiosk cannot type (it needs an input method) is never asked.
 *
 * Returns: (transfer full): one sentence per _kiosk_survey_problem, empty when there is none
 */
GStrv
kiosk_survey_dup_warnings (KioskSurvey *self)
{
  g_autoptr(GStrvBuilder) warnings = g_strv_builder_new ();

  g_return_val_if_fail (KIOSK_IS_SURVEY (self), NULL);

  for (guint i = 0; self->languages->languages[i]; i++)
    {
      const char *tag = self->languages->languages[i];

      if (!kiosk_language_needs_input_method (tag))
        continue;

      for (guint side = 0; side < G_N_ELEMENTS (self->follow_ups); side++)
        {
          KioskFollowUp *follow_up = self->follow_ups[side];
          g_autofree char *warning = NULL;

          if (follow_up == NULL || follow_up->comment_prompt == NULL)
            continue;

          warning = g_strdup_printf ("follow-up “%s” asks for a comment, but %s (%s) is typed "
                                     "through an input method, which the kiosk does not have: "
                                     "visitors in %s skip the comment", follow_up->id, tag,
                                     kiosk_survey_get_language_name (self, tag), tag);
          g_strv_builder_add (warnings, warning);
        }
    }

  return g_strv_builder_end (warnings);
}

const char *
kiosk_language_get_native_name (const char *language)
{
  g_return_val_if_fail (language != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (native_names); i++)
    if (g_ascii_strcasecmp (native_names[i].tag, language) == 0)
      return native_names[i].name;

  /* "de-AT" is still "Deutsch" when the table has no entry of its own for it. */
  for (guint i = 0; i < G_N_ELEMENTS (native_names); i++)
    if (strchr (native_names[i].tag, '-') == NULL && same_primary_subtag (native_names[i].tag,
                                                                          language))
      return native_names[i].name;

  return NULL;
}

gboolean
kiosk_language_is_rtl (const char *language)
{
  g_autofree char *primary = NULL;

  g_return_val_if_fail (language != NULL, FALSE);

  primary = g_ascii_strdown (language, strcspn (language, "-_"));
  return g_strv_contains (rtl_languages, primary);
}
