/* test-survey.c: survey definitions: the demo and the fixtures load with every feature, and
 * each kind of bad input is refused with the exact text IT staff read (file, path, problem). */
#define G_LOG_DOMAIN "test-survey"

#include "config.h"

#include <json-glib/json-glib.h>
#include <libintl.h>

#include "kiosk-survey.h"
#include "kiosk-test-util.h"

static char *
fixture_text (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", name, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);

  return text;
}

/* Walks "a.b[2].c" to the node holding the last segment; returns the container and the last key
 * (or index) through the out arguments. */
static JsonNode *
walk (JsonNode    *root,
      const char  *path,
      char       **out_key,
      int         *out_index)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = root;
  guint n = g_strv_length (parts);

  *out_key = NULL;
  *out_index = -1;

  for (guint i = 0; i < n; i++)
    {
      g_auto(GStrv) pieces = g_strsplit (parts[i], "[", -1);
      gboolean last = i == n - 1;

      for (guint j = 0; pieces[j]; j++)
        {
          gboolean final = last && pieces[j + 1] == NULL;

          if (j == 0)
            {
              if (final)
                {
                  *out_key = g_strdup (pieces[0]);
                  return node;
                }
              node = json_object_get_member (json_node_get_object (node), pieces[0]);
            }
          else
            {
              int index = atoi (pieces[j]);

              if (final)
                {
                  *out_index = index;
                  return node;
                }
              node = json_array_get_element (json_node_get_array (node), index);
            }
          g_assert_nonnull (node);
        }
    }

  g_assert_not_reached ();
}

/* The small fixture with the member at @path set to @value (JSON), or removed when @value is
 * NULL. */
static char *
mutate (const char *base_name,
        const char *path,
        const char *value)
{
  g_autofree char *base = fixture_text (base_name);
  g_autoptr(JsonNode) root = json_from_string (base, NULL);
  g_autofree char *key = NULL;
  JsonNode *container;
  int index;

  container = walk (root, path, &key, &index);
  if (key != NULL)
    {
      JsonObject *object = json_node_get_object (container);

      if (value == NULL)
        json_object_remove_member (object, key);
      else
        json_object_set_member (object, key, json_from_string (value, NULL));
    }
  else
    {
      JsonArray *array = json_node_get_array (container);

      if (value == NULL)
        json_array_remove_element (array, index);
      else if ((guint) index == json_array_get_length (array))
        json_array_add_element (array, json_from_string (value, NULL));
      else
        {
          /* JsonArray has no "replace": rebuild it. */
          g_autoptr(JsonArray) copy = json_array_new ();

          for (guint i = 0; i < json_array_get_length (array); i++)
            json_array_add_element (copy, (int) i == index
                                          ? json_from_string (value, NULL)
                                          : json_node_copy (json_array_get_element (array, i)));
          json_node_set_array (container, copy);
        }
    }

  return json_to_string (root, TRUE);
}

static void
assert_invalid_data (const char *data,
                     gssize      length,
                     int         code,
                     const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskSurvey) survey = NULL;

  survey = kiosk_survey_new_from_data (data, length, "survey.json", &error);
  g_assert_null (survey);
  g_assert_error (error, KIOSK_SURVEY_ERROR, code);
  g_assert_cmpstr (error->message, ==, expected);
}

/* Sets @path of the small fixture to @value and checks the whole error text. */
static void
assert_mutation (const char *path,
                 const char *value,
                 const char *expected)
{
  g_autofree char *data = mutate ("survey-small.json", path, value);

  assert_invalid_data (data, -1, KIOSK_SURVEY_ERROR_INVALID, expected);
}

static KioskSurvey *
load_fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", name, NULL);
  g_autoptr(GError) error = NULL;
  KioskSurvey *survey = kiosk_survey_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (survey);
  return survey;
}

static int
compare_tags (gconstpointer a,
              gconstpointer b)
{
  return g_ascii_strcasecmp (*(const char * const *) a, *(const char * const *) b);
}

/* The catalogues the build made: po/LINGUAS, in the order the demo offers them. */
static GStrv
linguas (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "po", "LINGUAS", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  words = g_strsplit_set (text, " \n", -1);
  for (guint i = 0; words[i]; i++)
    if (*words[i] != '\0' && *words[i] != '#')
      g_ptr_array_add (tags, g_strdelimit (g_strdup (words[i]), "_", '-'));
  g_ptr_array_sort (tags, compare_tags);
  g_ptr_array_add (tags, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&tags), FALSE);
}

static void
test_demo (void)
{
  g_autoptr(KioskSurvey) survey = kiosk_survey_new_demo ();
  g_auto(GStrv) expected_languages = linguas ();
  const char * const *languages = kiosk_survey_get_languages (survey);
  KioskFollowUp *negative, *positive;

  /* English first (the default), then every catalogue's language. */
  g_assert_cmpuint (g_strv_length ((char **) languages), ==, g_strv_length (expected_languages) + 1);
  g_assert_cmpstr (languages[0], ==, "en");
  for (guint i = 0; expected_languages[i]; i++)
    g_assert_cmpstr (languages[i + 1], ==, expected_languages[i]);

  g_assert_cmpstr (kiosk_survey_get_id (survey), ==, "demo");
  g_assert_cmpint (kiosk_survey_get_version (survey), ==, 1);
  g_assert_cmpint (kiosk_survey_get_scale (survey), ==, 4);
  g_assert_cmpstr (kiosk_survey_get_source (survey), ==, "demo-survey.json");
  g_assert_cmpstr (kiosk_survey_get_default_language (survey), ==, "en");

  g_assert_cmpstr (kiosk_survey_get_question (survey, "en"), ==, "How was your visit today?");
  g_assert_cmpstr (kiosk_survey_get_question (survey, "de"), ==, "Wie war Ihr Besuch heute?");
  g_assert_cmpstr (kiosk_survey_get_thank_you (survey, "fi"), ==, "Kiitos palautteestasi!");
  g_assert_cmpuint (kiosk_survey_get_follow_up_timeout_s (survey), ==, 20);

  g_assert_cmpint (kiosk_survey_get_face_side (survey, 0), ==, KIOSK_FACE_NEGATIVE);
  g_assert_cmpint (kiosk_survey_get_face_side (survey, 1), ==, KIOSK_FACE_NEGATIVE);
  g_assert_cmpint (kiosk_survey_get_face_side (survey, 2), ==, KIOSK_FACE_POSITIVE);
  g_assert_cmpint (kiosk_survey_get_face_side (survey, 3), ==, KIOSK_FACE_POSITIVE);

  /* Every feature: follow-ups on both sides, both kinds of choice, a comment, a contact. */
  negative = kiosk_survey_get_follow_up (survey, KIOSK_FACE_NEGATIVE);
  positive = kiosk_survey_get_follow_up (survey, KIOSK_FACE_POSITIVE);
  g_assert_nonnull (negative);
  g_assert_nonnull (positive);
  g_assert_true (kiosk_survey_get_follow_up_for_face (survey, 1) == negative);
  g_assert_true (kiosk_survey_get_follow_up_for_face (survey, 2) == positive);
  g_assert_cmpstr (kiosk_follow_up_get_id (negative), ==, "improve");
  g_assert_cmpint (kiosk_follow_up_get_side (negative), ==, KIOSK_FACE_NEGATIVE);
  g_assert_cmpint (kiosk_follow_up_get_choice (negative), ==, KIOSK_CHOICE_MULTIPLE);
  g_assert_cmpint (kiosk_follow_up_get_choice (positive), ==, KIOSK_CHOICE_SINGLE);
  g_assert_cmpuint (kiosk_follow_up_get_n_options (negative), ==, 6);
  g_assert_cmpstr (kiosk_follow_up_get_option_id (negative, 0), ==, "waiting-time");
  g_assert_cmpstr (kiosk_follow_up_get_option_label (negative, 0, "de"), ==, "Wartezeit");
  g_assert_cmpstr (kiosk_follow_up_get_question (negative, "fr"), ==,
                   "Que pourrions-nous améliorer\u00a0?");
  g_assert_true (kiosk_follow_up_has_comment (negative));
  g_assert_cmpuint (kiosk_follow_up_get_comment_max_length (negative), ==, 200);
  g_assert_nonnull (kiosk_follow_up_get_comment_prompt (negative, "fi"));
  g_assert_true (kiosk_follow_up_has_contact (negative));
  g_assert_cmpint (kiosk_follow_up_get_contact_fields (negative), ==,
                   KIOSK_CONTACT_NAME | KIOSK_CONTACT_EMAIL | KIOSK_CONTACT_PHONE);
  g_assert_false (kiosk_follow_up_has_comment (positive));
  g_assert_false (kiosk_follow_up_has_contact (positive));
  g_assert_null (kiosk_follow_up_get_comment_prompt (positive, "en"));
  g_assert_cmpuint (kiosk_follow_up_get_comment_max_length (positive), ==, 0);
  g_assert_cmpint (kiosk_follow_up_get_contact_fields (positive), ==, 0);

  /* Every text exists in every language. */
  for (guint i = 0; languages[i]; i++)
    for (guint o = 0; o < kiosk_follow_up_get_n_options (negative); o++)
      g_assert_nonnull (kiosk_follow_up_get_option_label (negative, o, languages[i]));
}

/* Every language is the catalogue's: its texts, and its name in itself (the catalogue's
 * "language name" text agrees with the built-in table for the languages the table knows). */
static void
test_demo_catalogues (void)
{
  g_autoptr(KioskSurvey) survey = kiosk_survey_new_demo ();
  const char * const *languages = kiosk_survey_get_languages (survey);
  KioskFollowUp *negative = kiosk_survey_get_follow_up (survey, KIOSK_FACE_NEGATIVE);
  const char *english = kiosk_survey_get_question (survey, "en");

  g_assert_cmpuint (g_strv_length ((char **) languages), >=, 13);
  for (guint i = 1; languages[i]; i++)
    {
      const char *tag = languages[i];
      const char *native = kiosk_language_get_native_name (tag);

      g_test_message ("%s: %s", tag, kiosk_survey_get_question (survey, tag));
      g_assert_cmpstr (kiosk_survey_get_question (survey, tag), !=, english);
      g_assert_cmpstr (kiosk_survey_get_thank_you (survey, tag), !=,
                       kiosk_survey_get_thank_you (survey, "en"));
      g_assert_cmpstr (kiosk_follow_up_get_comment_prompt (negative, tag), !=,
                       kiosk_follow_up_get_comment_prompt (negative, "en"));
      g_assert_cmpstr (kiosk_survey_get_language_name (survey, tag), !=, tag);
      if (native != NULL)
        g_assert_cmpstr (kiosk_survey_get_language_name (survey, tag), ==, native);
    }

  g_assert_cmpstr (kiosk_survey_get_language_name (survey, "en"), ==, "English");
  g_assert_cmpstr (kiosk_survey_get_question (survey, "sv"), ==, "Hur var ditt besök i dag?");
  g_assert_cmpstr (kiosk_survey_get_question (survey, "ar"), ==, "كيف كانت زيارتكم اليوم؟");
  g_assert_cmpstr (kiosk_follow_up_get_option_label (negative, 4, "ru"), ==, "Цены");
  g_assert_cmpstr (kiosk_survey_get_language_name (survey, "he"), ==, "עברית");
  /* The kiosk's own language stays what it was. */
  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "");
}

/* The demo's English texts are the ones xgettext found (kiosk-demo-texts.c), all of them. */
static void
test_demo_texts_marked (void)
{
  g_autoptr(KioskSurvey) survey = kiosk_survey_new_demo ();
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();
  guint n_marked = g_strv_length ((char **) kiosk_demo_texts);

  g_ptr_array_add (shown, (gpointer) kiosk_survey_get_question (survey, "en"));
  g_ptr_array_add (shown, (gpointer) kiosk_survey_get_thank_you (survey, "en"));
  for (int side = KIOSK_FACE_NEGATIVE; side <= KIOSK_FACE_POSITIVE; side++)
    {
      KioskFollowUp *follow_up = kiosk_survey_get_follow_up (survey, side);

      g_ptr_array_add (shown, (gpointer) kiosk_follow_up_get_question (follow_up, "en"));
      for (guint o = 0; o < kiosk_follow_up_get_n_options (follow_up); o++)
        g_ptr_array_add (shown, (gpointer) kiosk_follow_up_get_option_label (follow_up, o, "en"));
      if (kiosk_follow_up_has_comment (follow_up))
        g_ptr_array_add (shown, (gpointer) kiosk_follow_up_get_comment_prompt (follow_up, "en"));
      if (kiosk_follow_up_has_contact (follow_up))
        g_ptr_array_add (shown, (gpointer) kiosk_follow_up_get_contact_consent (follow_up, "en"));
    }

  for (guint i = 0; i < shown->len; i++)
    if (!g_strv_contains (kiosk_demo_texts, g_ptr_array_index (shown, i)))
      g_error ("the demo's “%s” is not in kiosk-demo-texts.c: run data/demo-survey-texts.py",
               (const char *) g_ptr_array_index (shown, i));
  g_assert_cmpuint (shown->len, ==, n_marked);
}

/* A survey file keeps its own texts and languages, even for a text the demo shares. */
static void
test_file_keeps_own_texts (void)
{
  static const char json[] =
    "{ \"id\": \"mine\", \"version\": 1, \"default_language\": \"en\","
    "  \"languages\": [\"en\", \"de\"],"
    "  \"question\": { \"en\": \"How was your visit today?\", \"de\": \"Na, wie war’s?\" },"
    "  \"faces\": { \"negative\": [0, 1], \"positive\": [2, 3] },"
    "  \"thank_you\": { \"en\": \"Thank you for your feedback!\", \"de\": \"Danke!\" } }";
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskSurvey) survey = kiosk_survey_new_from_data (json, -1, "mine.json", &error);
  g_autoptr(KioskSurvey) small = load_fixture ("survey-small.json");
  const char * const *languages;

  g_assert_no_error (error);
  languages = kiosk_survey_get_languages (survey);
  g_assert_cmpuint (g_strv_length ((char **) languages), ==, 2);
  g_assert_cmpstr (kiosk_survey_get_question (survey, "de"), ==, "Na, wie war’s?");
  g_assert_cmpstr (kiosk_survey_get_thank_you (survey, "de"), ==, "Danke!");
  /* Swedish has a catalogue, but this survey does not offer it. */
  g_assert_false (kiosk_survey_has_language (survey, "sv"));
  g_assert_cmpstr (kiosk_survey_get_question (survey, "sv"), ==, "How was your visit today?");

  g_assert_cmpuint (g_strv_length ((char **) kiosk_survey_get_languages (small)), ==, 2);
  g_assert_cmpstr (kiosk_survey_get_question (small, "de"), ==, "Wie war es?");
}

static char *
po_string (const char *text)
{
  g_autoptr(GString) out = g_string_new ("\"");

  for (const char *p = text; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A catalogue for @tag in @localedir that translates the first @n_texts of the demo's texts
 * (all of them when -1) as "⟦text⟧", and names its language @name (none when NULL). */
static void
write_catalogue (const char *localedir,
                 const char *tag,
                 int         n_texts,
                 const char *name)
{
  g_autoptr(GString) po = g_string_new ("msgid \"\"\nmsgstr \"Content-Type: text/plain; "
                                        "charset=UTF-8\\n\"\n\n");
  g_autofree char *dir = g_build_filename (localedir, tag, "LC_MESSAGES", NULL);
  g_autofree char *po_path = g_build_filename (localedir, "in.po", NULL);
  g_autofree char *mo_path = g_build_filename (dir, GETTEXT_PACKAGE ".mo", NULL);
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "msgfmt", "-o", mo_path, po_path, NULL };
  int status;

  for (int i = 0; kiosk_demo_texts[i] && (n_texts < 0 || i < n_texts); i++)
    {
      g_autofree char *msgid = po_string (kiosk_demo_texts[i]);
      g_autofree char *inner = g_strdup_printf ("⟦%s⟧", kiosk_demo_texts[i]);
      g_autofree char *msgstr = po_string (inner);

      g_string_append_printf (po, "msgctxt \"demo survey\"\nmsgid %s\nmsgstr %s\n\n", msgid,
                              msgstr);
    }
  if (name != NULL)
    g_string_append_printf (po, "msgctxt \"language name\"\nmsgid \"English\"\n"
                                "msgstr \"%s\"\n", name);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (po_path, po->str, -1, NULL));
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* A language is offered when its catalogue translates every text of the demo; a catalogue
 * half done adds nothing, and a name missing from a catalogue falls back to the table. */
static void
test_demo_offers_complete_catalogues (void)
{
  g_autofree char *localedir = kiosk_test_make_tmpdir ();
  g_autofree char *bound = g_strdup (bindtextdomain (GETTEXT_PACKAGE, NULL));
  g_autoptr(KioskSurvey) survey = NULL;
  const char * const *languages;
  KioskFollowUp *positive;

  write_catalogue (localedir, "qtz", -1, "Qetzal");
  write_catalogue (localedir, "qaa", 3, "Half");
  write_catalogue (localedir, "sv", -1, NULL);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  survey = kiosk_survey_new_demo ();
  bindtextdomain (GETTEXT_PACKAGE, bound);

  languages = kiosk_survey_get_languages (survey);
  g_assert_cmpuint (g_strv_length ((char **) languages), ==, 3);
  g_assert_cmpstr (languages[0], ==, "en");
  g_assert_cmpstr (languages[1], ==, "qtz");
  g_assert_cmpstr (languages[2], ==, "sv");
  g_assert_cmpstr (kiosk_survey_get_language_name (survey, "qtz"), ==, "Qetzal");
  g_assert_cmpstr (kiosk_survey_get_language_name (survey, "sv"), ==, "Svenska");
  g_assert_cmpstr (kiosk_survey_get_question (survey, "qtz"), ==, "⟦How was your visit today?⟧");
  positive = kiosk_survey_get_follow_up (survey, KIOSK_FACE_POSITIVE);
  g_assert_cmpstr (kiosk_follow_up_get_option_label (positive, 3, "qtz"), ==,
                   "⟦Pleasant atmosphere⟧");
  g_assert_cmpstr (kiosk_survey_get_question (survey, "en"), ==, "How was your visit today?");
  g_assert_false (kiosk_survey_has_language (survey, "qaa"));

  kiosk_test_rm_rf (localedir);
}

/* The demo is the same file as data/demo-survey.json, which IT staff copy from. */
static void
test_demo_matches_file (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "demo-survey.json",
                                                 NULL);
  g_autoptr(GBytes) builtin = kiosk_survey_get_demo_data ();
  g_autofree char *text = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &text, &length, NULL));
  g_assert_cmpmem (text, length, g_bytes_get_data (builtin, NULL), g_bytes_get_size (builtin));
}

static void
test_fixture (void)
{
  g_autoptr(KioskSurvey) survey = load_fixture ("survey-small.json");
  const char * const *languages = kiosk_survey_get_languages (survey);
  KioskFollowUp *negative = kiosk_survey_get_follow_up (survey, KIOSK_FACE_NEGATIVE);

  g_assert_true (g_str_has_suffix (kiosk_survey_get_source (survey), "survey-small.json"));
  g_assert_cmpstr (kiosk_survey_get_id (survey), ==, "small-shop");
  g_assert_cmpint (kiosk_survey_get_version (survey), ==, 3);
  g_assert_cmpuint (kiosk_survey_get_follow_up_timeout_s (survey), ==, 10);

  /* The default language comes first, whatever the file's order. */
  g_assert_cmpstr (languages[0], ==, "en");
  g_assert_cmpstr (languages[1], ==, "de");
  g_assert_null (languages[2]);
  g_assert_true (kiosk_survey_has_language (survey, "de"));
  g_assert_false (kiosk_survey_has_language (survey, "fr"));

  g_assert_cmpuint (kiosk_follow_up_get_comment_max_length (negative), ==, 10);
  g_assert_cmpint (kiosk_follow_up_get_contact_fields (negative), ==,
                   KIOSK_CONTACT_NAME | KIOSK_CONTACT_PHONE);
  g_assert_cmpint (kiosk_follow_up_find_option (negative, "staff"), ==, 2);
  g_assert_cmpint (kiosk_follow_up_find_option (negative, "speed"), ==, -1);
  g_assert_cmpstr (kiosk_follow_up_get_contact_consent (negative, "de"), ==,
                   "Sie dürfen mich anrufen.");

  /* "choice" defaults to single. */
  g_assert_cmpint (kiosk_follow_up_get_choice (kiosk_survey_get_follow_up (survey,
                                                                           KIOSK_FACE_POSITIVE)),
                   ==, KIOSK_CHOICE_SINGLE);
}

static void
test_minimal (void)
{
  g_autoptr(KioskSurvey) survey = load_fixture ("survey-minimal.json");

  g_assert_null (kiosk_survey_get_follow_up (survey, KIOSK_FACE_NEGATIVE));
  g_assert_null (kiosk_survey_get_follow_up (survey, KIOSK_FACE_POSITIVE));
  g_assert_null (kiosk_survey_get_follow_up_for_face (survey, 0));
  g_assert_cmpuint (kiosk_survey_get_follow_up_timeout_s (survey), ==, 20);
}

/* A text is never missing: another variant of the language, then the default language. */
static void
test_language_fallback (void)
{
  g_autoptr(KioskSurvey) survey = load_fixture ("survey-small.json");
  KioskFollowUp *negative = kiosk_survey_get_follow_up (survey, KIOSK_FACE_NEGATIVE);

  g_assert_cmpstr (kiosk_survey_match_language (survey, "de"), ==, "de");
  g_assert_cmpstr (kiosk_survey_match_language (survey, "de-AT"), ==, "de");
  g_assert_cmpstr (kiosk_survey_match_language (survey, "DE"), ==, "de");
  g_assert_cmpstr (kiosk_survey_match_language (survey, "sv"), ==, "en");
  g_assert_cmpstr (kiosk_survey_match_language (survey, NULL), ==, "en");
  g_assert_cmpstr (kiosk_survey_get_question (survey, "de-CH"), ==, "Wie war es?");
  g_assert_cmpstr (kiosk_survey_get_question (survey, "fi"), ==, "How did we do?");
  g_assert_cmpstr (kiosk_follow_up_get_option_label (negative, 1, "es"), ==, "Price");
}

static void
test_language_names (void)
{
  g_autoptr(KioskSurvey) demo = kiosk_survey_new_demo ();
  g_autoptr(KioskSurvey) named = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (kiosk_language_get_native_name ("de"), ==, "Deutsch");
  g_assert_cmpstr (kiosk_language_get_native_name ("fr"), ==, "Français");
  g_assert_cmpstr (kiosk_language_get_native_name ("fi"), ==, "Suomi");
  g_assert_cmpstr (kiosk_language_get_native_name ("en"), ==, "English");
  g_assert_cmpstr (kiosk_language_get_native_name ("es"), ==, "Español");
  g_assert_cmpstr (kiosk_language_get_native_name ("de-AT"), ==, "Deutsch");
  g_assert_cmpstr (kiosk_language_get_native_name ("pt-BR"), ==, "Português (Brasil)");
  g_assert_null (kiosk_language_get_native_name ("tlh"));
  g_assert_cmpstr (kiosk_survey_get_language_name (demo, "fi"), ==, "Suomi");
  g_assert_cmpstr (kiosk_survey_get_language_name (demo, "tlh"), ==, "tlh");

  g_assert_true (kiosk_language_is_rtl ("ar"));
  g_assert_true (kiosk_language_is_rtl ("he-IL"));
  g_assert_false (kiosk_language_is_rtl ("de"));

  /* A survey may name a language the table does not know, or name one differently. */
  data = mutate ("survey-small.json", "language_names", "{\"de\": \"Deutsch (Schweiz)\"}");
  named = kiosk_survey_new_from_data (data, -1, "survey.json", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kiosk_survey_get_language_name (named, "de"), ==, "Deutsch (Schweiz)");
  g_assert_cmpstr (kiosk_survey_get_language_name (named, "en"), ==, "English");
}

static void
test_describe (void)
{
  g_autoptr(KioskSurvey) survey = load_fixture ("survey-small.json");
  g_autofree char *text = kiosk_survey_describe (survey);

  g_assert_cmpstr (text, ==,
                   "  id                   small-shop\n"
                   "  version              3\n"
                   "  languages            en (English, default), de (Deutsch)\n"
                   "  negative faces       0, 1, follow-up “why-not”\n"
                   "                       multiple choice: queue, price, staff, other\n"
                   "                       comment of up to 10 characters\n"
                   "                       contact request, with consent: name phone\n"
                   "  positive faces       2, 3, follow-up “why”\n"
                   "                       single choice: staff, speed\n"
                   "  follow-up timeout    10 s\n");
}

static void
test_file_errors (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *missing = g_build_filename (dir, "none.json", NULL);
  g_autofree char *big = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *huge = g_strnfill (1024 * 1024 + 1, ' ');

  g_assert_null (kiosk_survey_new_from_file (missing, &error));
  g_assert_error (error, KIOSK_SURVEY_ERROR, KIOSK_SURVEY_ERROR_IO);
  expected = g_strdup_printf ("Failed to open file “%s”: No such file or directory", missing);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  big = kiosk_test_write_file (dir, "big.json", huge);
  g_assert_null (kiosk_survey_new_from_file (big, &error));
  g_assert_error (error, KIOSK_SURVEY_ERROR, KIOSK_SURVEY_ERROR_IO);
  expected = g_strdup_printf ("%s: too large for a survey (1048577 bytes, at most 1048576)", big);
  g_assert_cmpstr (error->message, ==, expected);

  kiosk_test_rm_rf (dir);
}

static void
test_missing_fields (void)
{
  assert_mutation ("id", NULL, "survey.json: id: required key is missing");
  assert_mutation ("version", NULL, "survey.json: version: required key is missing");
  assert_mutation ("thank_you", NULL, "survey.json: thank_you: required key is missing");
  assert_mutation ("faces.positive", NULL, "survey.json: faces.positive: required key is missing");
  assert_mutation ("follow_up.negative.options[1].id", NULL,
                   "survey.json: follow_up.negative.options[1].id: required key is missing");
  assert_mutation ("follow_up.negative.comment.prompt", NULL,
                   "survey.json: follow_up.negative.comment.prompt: required key is missing");
  assert_mutation ("follow_up.negative.contact.consent", NULL,
                   "survey.json: follow_up.negative.contact.consent: required key is missing");

  /* Without its languages, a survey's texts cannot be checked for translations: one problem. */
  assert_mutation ("languages", NULL, "survey.json: languages: required key is missing");

  /* Optional: no follow-ups, no timeout, no choice, no comment length, no contact fields. */
  {
    const char *optional[] = { "follow_up", "follow_up.timeout_seconds", "follow_up.negative",
                               "follow_up.negative.choice", "follow_up.negative.comment.max_length",
                               "follow_up.negative.contact.fields", NULL };

    for (guint i = 0; optional[i]; i++)
      {
        g_autofree char *data = mutate ("survey-small.json", optional[i], NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(KioskSurvey) survey = kiosk_survey_new_from_data (data, -1, "s.json", &error);

        g_assert_no_error (error);
      }
  }
}

static void
test_wrong_types (void)
{
  assert_mutation ("version", "\"3\"", "survey.json: version: expected an integer, got a string");
  assert_mutation ("version", "3.5",
                   "survey.json: version: expected an integer, got a number with a fraction");
  assert_mutation ("version", "0", "survey.json: version: 0 is out of range (expected 1 or more)");
  assert_mutation ("id", "7", "survey.json: id: expected a string, got an integer");
  assert_mutation ("question", "\"How did we do?\"",
                   "survey.json: question: expected an object, got a string");
  assert_mutation ("question.de", "null",
                   "survey.json: question.de: expected a string, got null");
  assert_mutation ("question.de", "\"  \"", "survey.json: question.de: empty text");
  assert_mutation ("languages", "\"en\"",
                   "survey.json: languages: expected an array, got a string");
  assert_mutation ("faces.negative[1]", "\"1\"",
                   "survey.json: faces.negative[1]: expected an integer, got a string");
  assert_mutation ("follow_up", "true",
                   "survey.json: follow_up: expected an object, got true or false");
  assert_mutation ("follow_up.negative.options", "{}",
                   "survey.json: follow_up.negative.options: expected an array, got an object");
  assert_mutation ("follow_up.negative.options[0]", "\"queue\"",
                   "survey.json: follow_up.negative.options[0]: expected an object, got a string");
  assert_mutation ("follow_up.negative.choice", "\"several\"",
                   "survey.json: follow_up.negative.choice: “several” is not a choice "
                   "(expected “single” or “multiple”)");
  assert_mutation ("follow_up.negative.comment", "true",
                   "survey.json: follow_up.negative.comment: expected an object, "
                   "got true or false");
  assert_mutation ("follow_up.negative.comment.max_length", "0",
                   "survey.json: follow_up.negative.comment.max_length: 0 is out of range "
                   "(expected 1 to 2000 characters)");
  assert_mutation ("follow_up.negative.contact.fields", "[\"name\", \"address\", \"name\"]",
                   "survey.json: follow_up.negative.contact.fields[1]: “address” is not a contact "
                   "field (expected name, email or phone)\n"
                   "survey.json: follow_up.negative.contact.fields[2]: “name” is listed twice");
  assert_mutation ("follow_up.negative.contact.fields", "[]",
                   "survey.json: follow_up.negative.contact.fields: no fields "
                   "(expected one or more of name, email, phone)");
}

static void
test_bad_ids (void)
{
  assert_mutation ("id", "\"Small Shop\"",
                   "survey.json: id: “Small Shop” is not a valid id (expected 1 to 64 lower-case "
                   "letters, digits, “-” or “_”, starting with a letter or digit)");
  assert_mutation ("id", "\"\"",
                   "survey.json: id: “” is not a valid id (expected 1 to 64 lower-case "
                   "letters, digits, “-” or “_”, starting with a letter or digit)");
  assert_mutation ("id", "\"-shop\"",
                   "survey.json: id: “-shop” is not a valid id (expected 1 to 64 lower-case "
                   "letters, digits, “-” or “_”, starting with a letter or digit)");
  assert_mutation ("follow_up.negative.options[2].id", "\"staff!\"",
                   "survey.json: follow_up.negative.options[2].id: “staff!” is not a valid id "
                   "(expected 1 to 64 lower-case letters, digits, “-” or “_”, starting with a "
                   "letter or digit)");
  assert_mutation ("follow_up.positive.id", "\"why-not\"",
                   "survey.json: follow_up.positive.id: “why-not” is already the id of "
                   "follow_up.negative");

  {
    g_autofree char *long_id = g_strnfill (65, 'a');
    g_autofree char *value = g_strdup_printf ("\"%s\"", long_id);
    g_autofree char *expected =
      g_strdup_printf ("survey.json: id: “%s” is not a valid id (expected 1 to 64 lower-case "
                       "letters, digits, “-” or “_”, starting with a letter or digit)", long_id);

    assert_mutation ("id", value, expected);
  }
}

static void
test_duplicate_option_ids (void)
{
  assert_mutation ("follow_up.negative.options[3].id", "\"queue\"",
                   "survey.json: follow_up.negative.options[3].id: “queue” is already the id of "
                   "options[0]");
}

static void
test_option_count (void)
{
  const char *option = "{\"id\": \"x%d\", \"label\": {\"en\": \"X\", \"de\": \"X\"}}";
  g_autofree char *data = NULL;

  assert_mutation ("follow_up.positive.options", "[]",
                   "survey.json: follow_up.positive.options: 0 options (expected 1 to 6)");

  /* Six is the most; seven is one too many. */
  {
    g_autoptr(GString) six = g_string_new ("[");

    for (int i = 0; i < 6; i++)
      {
        g_autofree char *one = g_strdup_printf (option, i);

        g_string_append_printf (six, "%s%s", i ? ", " : "", one);
      }
    g_string_append (six, "]");
    data = mutate ("survey-small.json", "follow_up.positive.options", six->str);
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskSurvey) survey = kiosk_survey_new_from_data (data, -1, "s.json", &error);

      g_assert_no_error (error);
      g_assert_cmpuint (kiosk_follow_up_get_n_options (
                          kiosk_survey_get_follow_up (survey, KIOSK_FACE_POSITIVE)), ==, 6);
    }

    g_string_truncate (six, six->len - 1);
    g_string_append (six, ", {\"id\": \"x6\", \"label\": {\"en\": \"X\", \"de\": \"X\"}}]");
    assert_mutation ("follow_up.positive.options", six->str,
                     "survey.json: follow_up.positive.options: 7 options (expected 1 to 6)");
  }
}

static void
test_missing_translation (void)
{
  assert_mutation ("follow_up.negative.options[3].label.de", NULL,
                   "survey.json: follow_up.negative.options[3].label.de: missing translation");
  assert_mutation ("thank_you.en", NULL, "survey.json: thank_you.en: missing translation");
  assert_mutation ("follow_up.negative.contact.consent", "{\"en\": \"Call me\"}",
                   "survey.json: follow_up.negative.contact.consent.de: missing translation");
}

static void
test_unknown_language (void)
{
  assert_mutation ("question.es", "\"¿Qué tal?\"",
                   "survey.json: question.es: unknown language (not one of “languages”)");
  assert_mutation ("default_language", "\"fr\"",
                   "survey.json: default_language: “fr” is not one of “languages” (de, en)");
  assert_mutation ("default_language", "\"french\"",
                   "survey.json: default_language: “french” is not a BCP 47 language tag (like "
                   "“en” or “pt-BR”)");
  assert_mutation ("languages[2]", "\"de_DE\"",
                   "survey.json: languages[2]: “de_DE” is not a BCP 47 language tag (like “en” "
                   "or “pt-BR”)");
  assert_mutation ("languages[2]", "\"de\"", "survey.json: languages[2]: “de” is listed twice");
  assert_mutation ("languages", "[]",
                   "survey.json: languages: no languages (at least one is needed)");
  assert_mutation ("language_names", "{\"sv\": \"Svenska\"}",
                   "survey.json: language_names.sv: unknown language (not one of “languages”)");

  /* A new language needs every text: each missing one is named. */
  {
    g_autofree char *data = mutate ("survey-minimal.json", "languages[1]", "\"fi\"");

    assert_invalid_data (data, -1, KIOSK_SURVEY_ERROR_INVALID,
                         "survey.json: question.fi: missing translation\n"
                         "survey.json: thank_you.fi: missing translation");
  }
}

static void
test_faces (void)
{
  assert_mutation ("faces.positive", "[3]",
                   "survey.json: faces: face 2 is neither negative nor positive (every face from "
                   "0 to 3 needs a side)");
  assert_mutation ("faces.positive", "[2, 3, 4]",
                   "survey.json: faces.positive[2]: face 4 is outside the scale (0 to 3)");
  assert_mutation ("faces.positive", "[1, 2, 3]",
                   "survey.json: faces.positive[0]: face 1 is already negative");
  assert_mutation ("faces.negative", "[0, 1, 1]",
                   "survey.json: faces.negative[2]: face 1 is listed twice");
  assert_mutation ("faces.negative", "[-1, 0, 1]",
                   "survey.json: faces.negative[0]: face -1 is outside the scale (0 to 3)");
  assert_mutation ("faces.neutral", "[]",
                   "survey.json: faces.neutral: unknown key (expected negative, positive)");
}

static void
test_timeout (void)
{
  assert_mutation ("follow_up.timeout_seconds", "0",
                   "survey.json: follow_up.timeout_seconds: 0 is out of range (expected 1 to 600 "
                   "seconds)");
  assert_mutation ("follow_up.timeout_seconds", "601",
                   "survey.json: follow_up.timeout_seconds: 601 is out of range (expected 1 to "
                   "600 seconds)");
  assert_mutation ("follow_up.timeout_seconds", "-5",
                   "survey.json: follow_up.timeout_seconds: -5 is out of range (expected 1 to 600 "
                   "seconds)");
  assert_mutation ("follow_up.timeout_seconds", "2.5",
                   "survey.json: follow_up.timeout_seconds: expected an integer, got a number "
                   "with a fraction");
  assert_mutation ("follow_up.timeout_seconds", "\"20\"",
                   "survey.json: follow_up.timeout_seconds: expected an integer, got a string");
}

/* Found by fuzz-survey: json-glib lets a malformed \u escape through as bytes that are not UTF-8,
 * and a key or a syntax error may hold a line break or a control character. A text is refused
 * with its path; every message stays one line per problem, in UTF-8. */
static void
test_not_text (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskSurvey) survey = NULL;

  assert_invalid_data ("{\n"
                       "  \"id\": \"minimal\",\n"
                       "  \"version\": 1,\n"
                       "  \"default_language\": \"en\",\n"
                       "  \"languages\": [\"en\"],\n"
                       "  \"question\": { \"en\": \"How was it? \\ude\"}\" },\n"
                       "  \"faces\": { \"negative\": [0, 1], \"positive\": [2, 3] },\n"
                       "  \"thank_you\": { \"en\": \"Thank you!\" }\n"
                       "}", -1, KIOSK_SURVEY_ERROR_INVALID,
                       "survey.json: question.en: not valid text: a \\u escape names half of a "
                       "surrogate pair (\\uD800 to \\uDFFF) without the other half");

  survey = kiosk_survey_new_from_data ("{\"id\":\"\\ude\"}\"}", -1, "survey.json", &error);
  g_assert_null (survey);
  g_assert_error (error, KIOSK_SURVEY_ERROR, KIOSK_SURVEY_ERROR_INVALID);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_true (g_str_has_prefix (error->message, "survey.json: id: not valid text"));
  g_clear_error (&error);

  survey = kiosk_survey_new_from_data ("{\"id\": \"x\", \"a\\nb\\u0001\": 1}", -1, "survey.json",
                                       &error);
  g_assert_null (survey);
  g_assert_nonnull (strstr (error->message,
                            "survey.json: [\"a\\nb\\x01\"]: unknown key (expected "));
  g_assert_null (strchr (error->message, '\001'));
  for (const char *p = error->message; (p = strchr (p, '\n')) != NULL; p++)
    g_assert_true (g_str_has_prefix (p + 1, "survey.json: "));
  g_clear_error (&error);

  /* json-glib's own words quote what it stumbled on. */
  for (guint i = 0; i < 3; i++)
    {
      static const char * const syntax[] = { "{\"\001\"", "{\"id\": \"a\nb", "[1, \"\033[2J\n" };

      survey = kiosk_survey_new_from_data (syntax[i], -1, "survey.json", &error);
      g_assert_null (survey);
      g_assert_error (error, KIOSK_SURVEY_ERROR, KIOSK_SURVEY_ERROR_SYNTAX);
      g_assert_true (g_str_has_prefix (error->message, "survey.json:"));
      for (const char *p = error->message; *p; p++)
        g_assert_false (g_ascii_iscntrl (*p));
      g_clear_error (&error);
    }
}

static void
test_malformed (void)
{
  g_autofree char *malformed = fixture_text ("survey-malformed.json");

  assert_invalid_data (malformed, -1, KIOSK_SURVEY_ERROR_SYNTAX,
                       "survey.json:4:21: a comma is missing after this");
  assert_invalid_data ("{\n  \"id\": \"x\",\n}", -1, KIOSK_SURVEY_ERROR_SYNTAX,
                       "survey.json:2:12: a comma after the last item");
  assert_invalid_data ("{\"id\" \"x\"}", -1, KIOSK_SURVEY_ERROR_SYNTAX,
                       "survey.json:1:5: a colon is missing after the key");
  assert_invalid_data ("{\n  id: 1\n}", -1, KIOSK_SURVEY_ERROR_SYNTAX,
                       "survey.json:1:1: in this object, a key without \"double quotes\"");
  assert_invalid_data ("{\n  \"id\": demo\n}", -1, KIOSK_SURVEY_ERROR_SYNTAX,
                       "survey.json:2:12: “demo” is not a value (text needs \"double quotes\"; "
                       "the words are true, false and null)");
  assert_invalid_data ("{\n  \"version\": }", -1, KIOSK_SURVEY_ERROR_SYNTAX,
                       "survey.json:2:14: unexpected character `}', expected character `}'");
  assert_invalid_data ("", 0, KIOSK_SURVEY_ERROR_SYNTAX,
                       "survey.json: empty file (expected a JSON object)");
  assert_invalid_data ("  \n", -1, KIOSK_SURVEY_ERROR_SYNTAX,
                       "survey.json: empty file (expected a JSON object)");
  assert_invalid_data ("[1, 2]", -1, KIOSK_SURVEY_ERROR_INVALID,
                       "survey.json: expected a JSON object, got an array");
  assert_invalid_data ("{\"id\": \"caf\xe9\"}", -1, KIOSK_SURVEY_ERROR_SYNTAX,
                       "survey.json: not a text file in UTF-8");
}

static void
test_unknown_keys (void)
{
  assert_mutation ("titel", "\"Shop\"",
                   "survey.json: titel: unknown key (expected $schema, $comment, id, version, "
                   "default_language, languages, language_names, question, faces, follow_up, "
                   "thank_you)");
  assert_mutation ("follow_up.negative.options[0].lable", "{}",
                   "survey.json: follow_up.negative.options[0].lable: unknown key (expected id, "
                   "label)");
  assert_mutation ("follow_up.timeout", "20",
                   "survey.json: follow_up.timeout: unknown key (expected timeout_seconds, "
                   "negative, positive)");
  assert_mutation ("follow_up.negative.comment.max", "20",
                   "survey.json: follow_up.negative.comment.max: unknown key (expected "
                   "max_length, prompt)");
  assert_mutation ("thank_you.de DE", "\"Danke\"",
                   "survey.json: thank_you[\"de DE\"]: unknown language (not one of “languages”)");

  /* A key written twice: json-glib keeps the last, the operator meant one of them. */
  assert_invalid_data ("{\"id\": \"a\", \"id\": \"b\", \"version\": 1, \"languages\": [\"en\"], "
                       "\"default_language\": \"en\", \"question\": {\"en\": \"Q\"}, "
                       "\"faces\": {\"negative\": [0, 1], \"positive\": [2, 3]}, "
                       "\"thank_you\": {\"en\": \"T\", \"en\": \"U\"}}", -1,
                       KIOSK_SURVEY_ERROR_INVALID,
                       "survey.json: id: key appears more than once\n"
                       "survey.json: thank_you.en: key appears more than once");
}

/* Every problem at once, one per line, in the file's order; nothing is half-loaded. */
static void
test_all_at_once (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "survey-invalid.json",
                                                 NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  g_assert_null (kiosk_survey_new_from_file (path, &error));
  g_assert_error (error, KIOSK_SURVEY_ERROR, KIOSK_SURVEY_ERROR_INVALID);
  expected = g_strdup_printf ("%s: id: “Summer Survey” is not a valid id (expected 1 to 64 "
                              "lower-case letters, digits, “-” or “_”, starting with a letter or "
                              "digit)\n"
                              "%s: follow_up.negative.options[3].label.de: missing translation",
                              path, path);
  g_assert_cmpstr (error->message, ==, expected);
}

/* Bytes cut anywhere never crash the parser and never give a survey. */
static void
test_truncated (void)
{
  g_autoptr(GBytes) demo = kiosk_survey_get_demo_data ();
  gsize length;
  const char *data = g_bytes_get_data (demo, &length);

  /* The final newline may go; everything before the closing brace is needed. */
  for (gsize cut = 0; cut < length - 2; cut += 7)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskSurvey) survey = NULL;

      survey = kiosk_survey_new_from_data (data, cut, "survey.json", &error);
      g_assert_null (survey);
      g_assert_nonnull (error);
      g_assert_true (g_str_has_prefix (error->message, "survey.json"));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  kiosk_test_bind_catalogues ();

  g_test_add_func ("/survey/demo", test_demo);
  g_test_add_func ("/survey/demo/catalogues", test_demo_catalogues);
  g_test_add_func ("/survey/demo/texts-marked", test_demo_texts_marked);
  g_test_add_func ("/survey/demo/complete-catalogues", test_demo_offers_complete_catalogues);
  g_test_add_func ("/survey/file-keeps-own-texts", test_file_keeps_own_texts);
  g_test_add_func ("/survey/demo/matches-file", test_demo_matches_file);
  g_test_add_func ("/survey/fixture", test_fixture);
  g_test_add_func ("/survey/minimal", test_minimal);
  g_test_add_func ("/survey/language/fallback", test_language_fallback);
  g_test_add_func ("/survey/language/names", test_language_names);
  g_test_add_func ("/survey/describe", test_describe);
  g_test_add_func ("/survey/invalid/file", test_file_errors);
  g_test_add_func ("/survey/invalid/missing-fields", test_missing_fields);
  g_test_add_func ("/survey/invalid/wrong-types", test_wrong_types);
  g_test_add_func ("/survey/invalid/bad-ids", test_bad_ids);
  g_test_add_func ("/survey/invalid/duplicate-option-ids", test_duplicate_option_ids);
  g_test_add_func ("/survey/invalid/option-count", test_option_count);
  g_test_add_func ("/survey/invalid/missing-translation", test_missing_translation);
  g_test_add_func ("/survey/invalid/unknown-language", test_unknown_language);
  g_test_add_func ("/survey/invalid/faces", test_faces);
  g_test_add_func ("/survey/invalid/timeout", test_timeout);
  g_test_add_func ("/survey/invalid/malformed", test_malformed);
  g_test_add_func ("/survey/invalid/not-text", test_not_text);
  g_test_add_func ("/survey/invalid/unknown-keys", test_unknown_keys);
  g_test_add_func ("/survey/invalid/all-at-once", test_all_at_once);
  g_test_add_func ("/survey/invalid/truncated", test_truncated);

  return g_test_run ();
}
