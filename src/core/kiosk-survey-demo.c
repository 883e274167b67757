/* kiosk-survey-demo.c: the built-in demo survey, in every language whose catalogue translates
 * all of its texts. */
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

#define DEMO_RESOURCE "/org/smileykiosk/SmileyKiosk/core/demo-survey.json"
#define DEMO_NAME     "demo-survey.json"
#define DEMO_CONTEXT  "demo survey"

GBytes *
kiosk_survey_get_demo_data (void)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  bytes = g_resource_lookup_data (kiosk_core_get_resource (), DEMO_RESOURCE,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes == NULL)
    g_error ("The built-in demo survey is missing: %s", error->message);

  return bytes;
}

/* The translation of @msgid with @context in the language gettext is set to, or NULL when the
 * catalogue has none. dgettext() returns its argument itself for a text it does not know, which
 * tells an untranslated text from one translated to the same words. */
static const char *
catalogue_text (const char *context,
                const char *msgid)
{
  g_autofree char *key = g_strconcat (context, "\004", msgid, NULL);
  const char *translated = dgettext (GETTEXT_PACKAGE, key);

  return translated == key ? NULL : translated;
}

static void
add_translation (GHashTable *texts,
                 const char *language)
{
  const char *english;

  if (texts == NULL)
    return;

  english = g_hash_table_lookup (texts, "en");
  g_hash_table_insert (texts, g_strdup (language),
                       g_strdup (catalogue_text (DEMO_CONTEXT, english) ?: english));
}

/* A half-translated demo would mix languages on one screen: a catalogue that misses one of the
 * demo's texts does not add its language. */
static gboolean
catalogue_translates_demo (void)
{
  for (guint i = 0; kiosk_demo_texts[i] != NULL; i++)
    if (catalogue_text (DEMO_CONTEXT, kiosk_demo_texts[i]) == NULL)
      return FALSE;

  return TRUE;
}

static void
add_demo_language (KioskSurvey *self,
                   const char  *language)
{
  const char *name;

  add_translation (self->question, language);
  add_translation (self->thank_you, language);
  for (guint s = 0; s < G_N_ELEMENTS (self->follow_ups); s++)
    {
      KioskFollowUp *follow_up = self->follow_ups[s];

      if (follow_up == NULL)
        continue;
      add_translation (follow_up->question, language);
      for (guint i = 0; i < follow_up->option_labels->len; i++)
        add_translation (g_ptr_array_index (follow_up->option_labels, i), language);
      add_translation (follow_up->comment_prompt, language);
      add_translation (follow_up->contact_consent, language);
    }

  /* Translators: the name of YOUR language in your language, as the kiosk's language bar shows
   * it to a visitor who reads it: "Deutsch", "Français", "Suomi" (not "German") */
  name = catalogue_text ("language name", NC_ ("language name", "English"));
  if (name != NULL)
    g_hash_table_insert (self->language_names, g_strdup (language), g_strdup (name));
}

/* The demo's texts are English in data/demo-survey.json; every catalogue of the program that
 * translates them adds its language, named as the catalogue names it. A survey from a file or
 * the server never comes here: it keeps its own texts. */
static void
translate_demo (KioskSurvey *self)
{
  g_auto(GStrv) catalogues = kiosk_gettext_list_languages ();
  g_autofree char *saved = NULL;
  g_autoptr(GPtrArray) offered = g_ptr_array_new_with_free_func (g_free);

  if (catalogues[0] == NULL)
    return;

  /* Set back afterwards: the kiosk may already be speaking its configured language. */
  saved = kiosk_gettext_dup_language_list ();
  self->language_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_ptr_array_add (offered, g_strdup ("en"));
  for (guint i = 0; catalogues[i] != NULL; i++)
    {
      kiosk_gettext_set_language (catalogues[i]);
      if (!catalogue_translates_demo ())
        {
          g_debug ("The catalogue of “%s” does not translate the demo survey: not offered",
                   catalogues[i]);
          continue;
        }
      add_demo_language (self, catalogues[i]);
      g_ptr_array_add (offered, g_strdup (catalogues[i]));
    }
  kiosk_gettext_set_language_list (saved);

  /* Nothing else holds the list yet: the follow-ups share it and see the new languages. */
  g_ptr_array_add (offered, NULL);
  g_strfreev (self->languages->languages);
  self->languages->languages = (GStrv) g_ptr_array_free (g_steal_pointer (&offered), FALSE);
}

/**
 * kiosk_survey_new_demo_from_data:
 * @data: a survey in English alone, as data/demo-survey.json is (or a test's variant of it)
 * @length: length of @data, or -1 when it ends with a NUL
 *
 * Returns: (transfer full): the survey in English and in every language the program's
 * catalogues translate its texts into (see translate_demo()), or %NULL with the problems in
 * @error
 */
KioskSurvey *
kiosk_survey_new_demo_from_data (const char  *data,
                                 gssize       length,
                                 GError     **error)
{
  KioskSurvey *self = kiosk_survey_new_from_data (data, length, DEMO_NAME, error);

  if (self != NULL)
    translate_demo (self);

  return self;
}

/**
 * kiosk_survey_new_demo:
 *
 * The survey used when the configuration names none, with every feature (follow-ups on both
 * sides, single and multiple choice, comment, contact), in English and every language the
 * program's catalogues translate it into.
 */
KioskSurvey *
kiosk_survey_new_demo (void)
{
  g_autoptr(GBytes) bytes = kiosk_survey_get_demo_data ();
  g_autoptr(GError) error = NULL;
  KioskSurvey *self;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  self = kiosk_survey_new_demo_from_data (data, len, &error);
  /* tests/test-survey.c validates the same file: this cannot fail in a build that passed. */
  if (self == NULL)
    g_error ("The built-in demo survey is invalid:\n%s", error->message);

  return self;
}

/**
 * kiosk_survey_new_for_config:
 *
 * Returns: (transfer full): the survey of @config's [survey] file, the demo when it names none,
 * or %NULL with the problems in @error
 */
KioskSurvey *
kiosk_survey_new_for_config (KioskConfig  *config,
                             GError      **error)
{
  const char *path;

  g_return_val_if_fail (KIOSK_IS_CONFIG (config), NULL);

  path = kiosk_config_get_survey_file (config);
  if (path == NULL)
    return kiosk_survey_new_demo ();

  return kiosk_survey_new_from_file (path, error);
}

