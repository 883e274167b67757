/* fuzz-survey.c: the survey loader (kiosk_survey_new_from_data), which reads the operator's survey
 * file and every survey the server sends (the uploader's validator hands it the body as is), then
 * everything a valid survey offers the screens: texts in every language, faces, follow-ups. */
#include "config.h"

#include "kiosk-survey.h"
#include "fuzz-common.h"

#define FUZZ_MAX_INPUT (256 * 1024)

static void
check_text (const char *text)
{
  g_assert_nonnull (text);
  g_assert_true (g_utf8_validate (text, -1, NULL));
}

static void
exercise_follow_up (KioskFollowUp *follow_up,
                    const char    *language)
{
  guint n = kiosk_follow_up_get_n_options (follow_up);

  g_assert_nonnull (kiosk_follow_up_get_id (follow_up));
  check_text (kiosk_follow_up_get_question (follow_up, language));
  g_assert_cmpuint (n, <=, KIOSK_SURVEY_MAX_OPTIONS);
  for (guint i = 0; i < n; i++)
    {
      const char *id = kiosk_follow_up_get_option_id (follow_up, i);

      check_text (kiosk_follow_up_get_option_label (follow_up, i, language));
      g_assert_cmpint (kiosk_follow_up_find_option (follow_up, id), ==, (int) i);
    }
  (void) kiosk_follow_up_get_choice (follow_up);
  g_assert_cmpuint (kiosk_follow_up_get_comment_max_length (follow_up), <=,
                    KIOSK_SURVEY_MAX_COMMENT_LENGTH);
  if (kiosk_follow_up_has_comment (follow_up))
    check_text (kiosk_follow_up_get_comment_prompt (follow_up, language));
  if (kiosk_follow_up_has_contact (follow_up))
    {
      check_text (kiosk_follow_up_get_contact_consent (follow_up, language));
      g_assert_cmpint (kiosk_follow_up_get_contact_fields (follow_up), !=, 0);
    }
}

static void
exercise (KioskSurvey *survey)
{
  const char * const *languages = kiosk_survey_get_languages (survey);
  /* Languages a kiosk may ask for that the survey may not offer: the fallback must hold. */
  const char *others[] = { "de-AT", "fr", "en-GB", "zz", "" };
  g_autofree char *description = kiosk_survey_describe (survey);

  check_text (description);
  g_assert_nonnull (kiosk_survey_get_id (survey));
  g_assert_cmpint (kiosk_survey_get_scale (survey), ==, KIOSK_SURVEY_SCALE);
  (void) kiosk_survey_get_version (survey);
  g_assert_nonnull (languages);
  g_assert_nonnull (languages[0]);
  g_assert_cmpstr (languages[0], ==, kiosk_survey_get_default_language (survey));
  g_assert_cmpuint (kiosk_survey_get_follow_up_timeout_s (survey), >=, KIOSK_SURVEY_MIN_TIMEOUT_S);
  g_assert_cmpuint (kiosk_survey_get_follow_up_timeout_s (survey), <=, KIOSK_SURVEY_MAX_TIMEOUT_S);

  for (guint round = 0; round < 2; round++)
    {
      guint n = g_strv_length ((char **) languages);

      for (guint l = 0; l < (round == 0 ? n : G_N_ELEMENTS (others)); l++)
        {
          const char *language = round == 0 ? languages[l] : others[l];

          if (round == 0)
            g_assert_true (kiosk_survey_has_language (survey, language));
          check_text (kiosk_survey_match_language (survey, language));
          check_text (kiosk_survey_get_language_name (survey, language));
          check_text (kiosk_survey_get_question (survey, language));
          check_text (kiosk_survey_get_thank_you (survey, language));
          (void) kiosk_language_get_native_name (language);
          (void) kiosk_language_is_rtl (language);

          for (int face = 0; face < KIOSK_SURVEY_SCALE; face++)
            {
              KioskFollowUp *follow_up = kiosk_survey_get_follow_up_for_face (survey, face);

              (void) kiosk_survey_get_face_side (survey, face);
              if (follow_up != NULL)
                exercise_follow_up (follow_up, language);
            }
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *copy = NULL;
  g_autoptr(KioskSurvey) survey = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_setup ();
  if (size > FUZZ_MAX_INPUT)
    return 0;

  copy = fuzz_exact_copy (data, size);
  survey = kiosk_survey_new_from_data (copy, size, "survey from the server", &error);
  if (survey == NULL)
    {
      g_assert_nonnull (error);
      g_auto(GStrv) lines = NULL;

      g_assert_true (error->domain == KIOSK_SURVEY_ERROR);
      fuzz_check_message (error->message);
      /* One problem per line, each naming the survey. */
      lines = g_strsplit (error->message, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        if (!g_str_has_prefix (lines[i], "survey from the server:"))
          g_error ("line %u of the message does not name the survey: %s", i + 1, lines[i]);
    }
  else
    {
      g_assert_no_error (error);
      exercise (survey);
    }

  return 0;
}
