/* kiosk-survey-read.c: a survey definition read and validated as a whole: languages, faces,
 * follow-ups with their options, comment and contact; every problem reported at once. */
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

#define MAX_FILE_SIZE (1024 * 1024)

/* @node as an object whose keys are all @keys (NULL-terminated); NULL when it is no object. */
static JsonObject *
read_object (Validator          *v,
             const char         *path,
             JsonNode           *node,
             const char * const *keys)
{
  JsonObject *object = _kiosk_survey_expect_object (v, path, node);

  if (object != NULL)
    _kiosk_survey_check_keys (v, path, object, keys);
  return object;
}

/* The required member @key of @object: a text in every language. */
static GHashTable *
read_texts (Validator  *v,
            const char *path,
            JsonObject *object,
            const char *key)
{
  g_autofree char *p = _kiosk_survey_member_path (path, key);

  return _kiosk_survey_expect_texts (v, p, _kiosk_survey_get_member (v, path, object, key, TRUE),
                                     TRUE);
}

/* "languages" and "default_language" first: every text is checked against them. The default
 * goes first in the list the survey keeps. */
static Languages *
read_languages (Validator  *v,
                JsonObject *root)
{
  JsonNode *list_node = _kiosk_survey_get_member (v, NULL, root, "languages", TRUE);
  JsonNode *default_node = _kiosk_survey_get_member (v, NULL, root, "default_language", TRUE);
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
  const char *default_language = _kiosk_survey_expect_string (v, "default_language", default_node);
  JsonArray *list = _kiosk_survey_expect_array (v, "languages", list_node);
  gsize before = v->problems->len;
  gboolean usable = list != NULL;
  Languages *languages;

  if (default_language != NULL && !kiosk_language_tag_is_valid (default_language))
    {
      _kiosk_survey_problem (v, "default_language",
                             "“%s” is not a BCP 47 language tag (like “en” or “pt-BR”)",
                             default_language);
      default_language = NULL;
    }

  if (list != NULL && json_array_get_length (list) == 0)
    {
      _kiosk_survey_problem (v, "languages", "no languages (at least one is needed)");
      usable = FALSE;
    }

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      g_autofree char *p = _kiosk_survey_element_path ("languages", i);
      const char *tag = _kiosk_survey_expect_string (v, p, json_array_get_element (list, i));

      if (tag == NULL)
        usable = FALSE;
      else if (!kiosk_language_tag_is_valid (tag))
        {
          _kiosk_survey_problem (v, p, "“%s” is not a BCP 47 language tag (like “en” or “pt-BR”)",
                                 tag);
          usable = FALSE;
        }
      else if (g_ptr_array_find_with_equal_func (tags, tag, g_str_equal, NULL))
        _kiosk_survey_problem (v, p, "“%s” is listed twice", tag);
      else
        g_ptr_array_add (tags, g_strdup (tag));
    }

  if (list != NULL && default_language != NULL && usable &&
      !g_ptr_array_find_with_equal_func (tags, default_language, g_str_equal, NULL))
    {
      g_autofree char *offered = NULL;

      g_ptr_array_add (tags, NULL);
      offered = g_strjoinv (", ", (char **) tags->pdata);
      g_ptr_array_remove_index (tags, tags->len - 1);
      _kiosk_survey_problem (v, "default_language", "“%s” is not one of “languages” (%s)",
                             default_language,
                             offered);
    }

  /* A list with a bad tag in it would only add "unknown language" noise to every text. */
  if (!usable || default_language == NULL || v->problems->len != before)
    return NULL;

  languages = g_new0 (Languages, 1);
  g_ref_count_init (&languages->ref);
  languages->languages = g_new0 (char *, tags->len + 1);
  languages->languages[0] = g_strdup (default_language);
  for (guint i = 0, j = 1; i < tags->len; i++)
    if (!g_str_equal (g_ptr_array_index (tags, i), default_language))
      languages->languages[j++] = g_strdup (g_ptr_array_index (tags, i));

  return languages;
}

/* Every face is either negative or positive: a face without a side would have no follow-up rule,
 * which is a mistake, not a choice. */
static gboolean
read_faces (Validator     *v,
            JsonNode      *node,
            KioskFaceSide  sides[KIOSK_SURVEY_SCALE])
{
  static const char * const keys[] = { "negative", "positive", NULL };
  static const char * const side_names[] = { "negative", "positive" };
  gboolean seen[KIOSK_SURVEY_SCALE] = { FALSE, };
  gsize before = v->problems->len;
  JsonObject *object = read_object (v, "faces", node, keys);

  if (object == NULL)
    return FALSE;

  for (guint side = 0; side < G_N_ELEMENTS (side_names); side++)
    {
      g_autofree char *path = _kiosk_survey_member_path ("faces", side_names[side]);
      JsonArray *list = _kiosk_survey_expect_array (v, path,
                                                    _kiosk_survey_get_member (v, "faces", object,
                                                                              side_names[side],
                                                                              TRUE));

      for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
        {
          g_autofree char *p = _kiosk_survey_element_path (path, i);
          JsonNode *element = json_array_get_element (list, i);
          gint64 face;

          if (!_kiosk_survey_holds (element, G_TYPE_INT64))
            {
              _kiosk_survey_problem (v, p, "expected an integer, got %s",
                                     _kiosk_survey_type_name (element));
              continue;
            }

          face = json_node_get_int (element);
          if (face < 0 || face >= KIOSK_SURVEY_SCALE)
            _kiosk_survey_problem (v, p, "face %" G_GINT64_FORMAT " is outside the scale (0 to %d)",
                                   face,
                                   KIOSK_SURVEY_SCALE - 1);
          else if (seen[face] && sides[face] == (KioskFaceSide) side)
            _kiosk_survey_problem (v, p, "face %" G_GINT64_FORMAT " is listed twice", face);
          else if (seen[face])
            _kiosk_survey_problem (v, p, "face %" G_GINT64_FORMAT " is already %s", face,
                                   side_names[sides[face]]);
          else
            {
              seen[face] = TRUE;
              sides[face] = side;
            }
        }
    }

  if (v->problems->len == before)
    for (int face = 0; face < KIOSK_SURVEY_SCALE; face++)
      if (!seen[face])
        _kiosk_survey_problem (v, "faces",
                               "face %d is neither negative nor positive (every face from 0 to %d "
                               "needs a side)", face, KIOSK_SURVEY_SCALE - 1);

  return v->problems->len == before;
}

/* The optional parts of a follow-up, each an object: the keys it may hold, and its reader. */
static const char * const comment_keys[] = { "max_length", "prompt", NULL };
static const char * const contact_keys[] = { "consent", "fields", NULL };

static void
read_comment (Validator     *v,
              const char    *path,
              JsonObject    *object,
              KioskFollowUp *follow_up)
{
  JsonNode *max_node;
  gint64 max_length = KIOSK_SURVEY_DEFAULT_COMMENT_LENGTH;

  max_node = _kiosk_survey_get_member (v, path, object, "max_length", FALSE);
  if (max_node != NULL)
    {
      g_autofree char *p = _kiosk_survey_member_path (path, "max_length");

      _kiosk_survey_expect_integer (v, p, max_node, 1, KIOSK_SURVEY_MAX_COMMENT_LENGTH,
                                    "characters",
                                    &max_length);
    }

  follow_up->comment_prompt = read_texts (v, path, object, "prompt");
  follow_up->comment_max_length = max_length;
}

static void
read_contact (Validator     *v,
              const char    *path,
              JsonObject    *object,
              KioskFollowUp *follow_up)
{
  static const char * const field_names[] = { "name", "email", "phone", NULL };
  JsonNode *fields_node;

  follow_up->contact_consent = read_texts (v, path, object, "consent");

  fields_node = _kiosk_survey_get_member (v, path, object, "fields", FALSE);
  if (fields_node == NULL)
    follow_up->contact_fields = KIOSK_CONTACT_NAME | KIOSK_CONTACT_EMAIL | KIOSK_CONTACT_PHONE;
  else
    {
      g_autofree char *fields_path = _kiosk_survey_member_path (path, "fields");
      JsonArray *list = _kiosk_survey_expect_array (v, fields_path, fields_node);

      if (list != NULL && json_array_get_length (list) == 0)
        _kiosk_survey_problem (v, fields_path,
                               "no fields (expected one or more of name, email, phone)");

      for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
        {
          g_autofree char *p = _kiosk_survey_element_path (fields_path, i);
          const char *name = _kiosk_survey_expect_string (v, p, json_array_get_element (list, i));
          KioskContactFields field = 0;

          if (name == NULL)
            continue;
          for (guint f = 0; field_names[f]; f++)
            if (g_str_equal (name, field_names[f]))
              field = 1 << f;

          if (field == 0)
            _kiosk_survey_problem (v, p,
                                   "“%s” is not a contact field (expected name, email or phone)",
                                   name);
          else if (follow_up->contact_fields & field)
            _kiosk_survey_problem (v, p, "“%s” is listed twice", name);
          else
            follow_up->contact_fields |= field;
        }
    }
}

/* Each read only when its object is there, and only as far as it is an object. */
static const struct
{
  const char         *key;
  const char * const *keys;
  void              (*read) (Validator     *v,
                             const char    *path,
                             JsonObject    *object,
                             KioskFollowUp *follow_up);
} follow_up_parts[] = {
  { "comment", comment_keys, read_comment },
  { "contact", contact_keys, read_contact },
};

static gboolean
read_option (Validator     *v,
             const char    *path,
             JsonNode      *node,
             guint          index,
             KioskFollowUp *follow_up)
{
  static const char * const keys[] = { "id", "label", NULL };
  JsonObject *object = read_object (v, path, node, keys);
  g_autofree char *id_path = _kiosk_survey_member_path (path, "id");
  const char *id;
  GHashTable *label;
  int existing;

  if (object == NULL)
    return FALSE;

  id = _kiosk_survey_expect_id (v, id_path, _kiosk_survey_get_member (v, path, object, "id", TRUE));
  label = read_texts (v, path, object, "label");

  /* Option ids are what the server counts: two options with one id would merge two reasons. */
  existing = id ? kiosk_follow_up_find_option (follow_up, id) : -1;
  if (existing >= 0)
    _kiosk_survey_problem (v, id_path, "“%s” is already the id of options[%d]", id, existing);

  g_ptr_array_add (follow_up->option_ids, g_strdup (id ? id : ""));
  g_ptr_array_add (follow_up->option_labels,
                   label ? label : g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free));

  return id != NULL && label != NULL && existing < 0;
}

static KioskFollowUp *
read_follow_up (Validator     *v,
                const char    *path,
                JsonNode      *node,
                KioskFaceSide  side)
{
  static const char * const keys[] = { "id", "question", "choice", "options", "comment",
                                       "contact", NULL };
  g_autoptr(KioskFollowUp) follow_up = NULL;
  gsize before = v->problems->len;
  JsonObject *object = read_object (v, path, node, keys);
  JsonNode *choice_node;
  JsonArray *options;
  const char *id;

  if (object == NULL)
    return NULL;

  /* Without usable languages (already reported), the follow-up is still checked, then dropped. */
  follow_up = _kiosk_follow_up_new (v->languages);
  follow_up->side = side;

  {
    g_autofree char *p = _kiosk_survey_member_path (path, "id");

    id = _kiosk_survey_expect_id (v, p, _kiosk_survey_get_member (v, path, object, "id", TRUE));
    follow_up->id = g_strdup (id);
  }

  follow_up->question = read_texts (v, path, object, "question");

  follow_up->choice = KIOSK_CHOICE_SINGLE;
  choice_node = _kiosk_survey_get_member (v, path, object, "choice", FALSE);
  if (choice_node != NULL)
    {
      g_autofree char *p = _kiosk_survey_member_path (path, "choice");
      const char *choice = _kiosk_survey_expect_string (v, p, choice_node);

      if (g_strcmp0 (choice, "multiple") == 0)
        follow_up->choice = KIOSK_CHOICE_MULTIPLE;
      else if (choice != NULL && !g_str_equal (choice, "single"))
        _kiosk_survey_problem (v, p, "“%s” is not a choice (expected “single” or “multiple”)",
                               choice);
    }

  {
    g_autofree char *p = _kiosk_survey_member_path (path, "options");

    options = _kiosk_survey_expect_array (v, p, _kiosk_survey_get_member (v, path, object,
                                                                          "options", TRUE));
    if (options != NULL)
      {
        guint n = json_array_get_length (options);

        if (n == 0 || n > KIOSK_SURVEY_MAX_OPTIONS)
          _kiosk_survey_problem (v, p, "%u options (expected 1 to %d)", n,
                                 KIOSK_SURVEY_MAX_OPTIONS);

        for (guint i = 0; i < n; i++)
          {
            g_autofree char *op = _kiosk_survey_element_path (p, i);

            read_option (v, op, json_array_get_element (options, i), i, follow_up);
          }
      }
  }

  for (guint i = 0; i < G_N_ELEMENTS (follow_up_parts); i++)
    {
      JsonNode *child = _kiosk_survey_get_member (v, path, object, follow_up_parts[i].key, FALSE);
      g_autofree char *p = NULL;
      JsonObject *part;

      if (child == NULL)
        continue;
      p = _kiosk_survey_member_path (path, follow_up_parts[i].key);
      part = read_object (v, p, child, follow_up_parts[i].keys);
      if (part != NULL)
        follow_up_parts[i].read (v, p, part, follow_up);
    }

  return v->problems->len == before ? g_steal_pointer (&follow_up) : NULL;
}

static void
read_follow_ups (Validator   *v,
                 JsonNode    *node,
                 KioskSurvey *self)
{
  static const char * const keys[] = { "timeout_seconds", "negative", "positive", NULL };
  static const char * const side_names[] = { "negative", "positive" };
  JsonObject *object = read_object (v, "follow_up", node, keys);
  JsonNode *timeout_node;

  if (object == NULL)
    return;

  timeout_node = _kiosk_survey_get_member (v, "follow_up", object, "timeout_seconds", FALSE);
  if (timeout_node != NULL)
    {
      gint64 seconds;

      if (_kiosk_survey_expect_integer (v, "follow_up.timeout_seconds", timeout_node,
                                        KIOSK_SURVEY_MIN_TIMEOUT_S, KIOSK_SURVEY_MAX_TIMEOUT_S,
                                        "seconds",
                                        &seconds))
        self->timeout_s = seconds;
    }

  for (guint side = 0; side < G_N_ELEMENTS (side_names); side++)
    {
      g_autofree char *p = _kiosk_survey_member_path ("follow_up", side_names[side]);
      JsonNode *child = _kiosk_survey_get_member (v, "follow_up", object, side_names[side], FALSE);

      if (child == NULL)
        continue;

      self->follow_ups[side] = read_follow_up (v, p, child, side);
    }

  /* The server tells the two follow-ups apart by their ids. */
  if (self->follow_ups[0] != NULL && self->follow_ups[1] != NULL &&
      g_str_equal (self->follow_ups[0]->id, self->follow_ups[1]->id))
    _kiosk_survey_problem (v, "follow_up.positive.id",
                           "“%s” is already the id of follow_up.negative",
                           self->follow_ups[1]->id);
}

/* Removes json-glib's "<data>:" and "Parse error: " so the message reads
 * "survey.json:3:7: unexpected character…", the form editors jump to. */
static char *
syntax_message (const char   *display_name,
                const GError *error)
{
  const char *message = error->message;
  const char *rest = message;
  const char *colon;
  int line, column;

  if (g_str_has_prefix (rest, "<data>:"))
    rest += strlen ("<data>:");

  if (sscanf (rest, "%d:%d:", &line, &column) == 2 && (colon = strchr (rest, ':')) != NULL &&
      (colon = strchr (colon + 1, ':')) != NULL)
    {
      const char *text = colon + 1;

      while (*text == ' ')
        text++;
      if (g_str_has_prefix (text, "Parse error: "))
        text += strlen ("Parse error: ");

      /* json-glib's own words for these name the wrong character; say what is wrong instead. */
      if (error->domain == JSON_PARSER_ERROR)
        switch (error->code)
          {
          case JSON_PARSER_ERROR_TRAILING_COMMA:
            text = "a comma after the last item";
            break;
          case JSON_PARSER_ERROR_MISSING_COMMA:
            text = "a comma is missing after this";
            break;
          case JSON_PARSER_ERROR_MISSING_COLON:
            text = "a colon is missing after the key";
            break;
          case JSON_PARSER_ERROR_INVALID_BAREWORD:
            {
              const char *word = strstr (text, "unexpected identifier `");

              if (word != NULL)
                {
                  word += strlen ("unexpected identifier `");
                  return g_strdup_printf ("%s:%d:%d: “%.*s” is not a value (text needs "
                                          "\"double quotes\"; the words are true, false and null)",
                                          display_name, line, column,
                                          (int) strcspn (word, "'"), word);
                }
              /* A key without quotes: json-glib only knows the object it is in. */
              text = "in this object, a key without \"double quotes\"";
            }
            break;
          case JSON_PARSER_ERROR_EMPTY_MEMBER_NAME:
            text = "an empty key";
            break;
          default:
            break;
          }

      return g_strdup_printf ("%s:%d:%d: %s", display_name, line, column, text);
    }

  return g_strdup_printf ("%s: %s", display_name, message);
}

static void
validator_clear (Validator *v)
{
  g_string_free (v->problems, TRUE);
  g_clear_pointer (&v->duplicates, g_hash_table_unref);
  g_clear_pointer (&v->sizes, g_hash_table_unref);
  g_clear_pointer (&v->languages, _kiosk_survey_languages_unref);
}

/**
 * kiosk_survey_new_from_data:
 * @data: the survey definition, JSON
 * @length: length of @data, or -1 when it ends with a NUL
 * @display_name: the name problems are reported under, usually the file's path
 *
 * Returns: (transfer full): the survey, or %NULL with every problem in @error, one per line as
 * "FILE: PATH: what is wrong" (or "FILE:LINE:COLUMN: …" when it is not JSON at all)
 */
KioskSurvey *
kiosk_survey_new_from_data (const char  *data,
                            gssize       length,
                            const char  *display_name,
                            GError     **error)
{
  static const char * const keys[] = { "$schema", "$comment", "id", "version",
                                       "default_language", "languages", "language_names",
                                       "question", "faces", "follow_up", "thank_you", NULL };
  g_autoptr(KioskSurvey) self = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) parse_error = NULL;
  Validator v = { 0, };
  JsonNode *root;
  JsonObject *object;
  JsonNode *node;
  gsize len;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = length < 0 ? strlen (data) : (gsize) length;
  if (!g_utf8_validate (data, len, NULL))
    {
      g_set_error (error, KIOSK_SURVEY_ERROR, KIOSK_SURVEY_ERROR_SYNTAX,
                   "%s: not a text file in UTF-8", display_name);
      return NULL;
    }

  v.display_name = display_name;
  v.problems = g_string_new (NULL);
  v.duplicates = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  v.sizes = g_hash_table_new (NULL, NULL);

  parser = json_parser_new ();
  g_signal_connect (parser, "object-member", G_CALLBACK (_kiosk_survey_object_member_cb), &v);
  if (!json_parser_load_from_data (parser, data, len, &parse_error))
    {
      g_autofree char *message = syntax_message (display_name, parse_error);
      g_autoptr(GString) line = g_string_new (NULL);

      _kiosk_survey_append_one_line (line, message);
      g_set_error_literal (error, KIOSK_SURVEY_ERROR, KIOSK_SURVEY_ERROR_SYNTAX, line->str);
      validator_clear (&v);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error (error, KIOSK_SURVEY_ERROR, KIOSK_SURVEY_ERROR_SYNTAX,
                   "%s: empty file (expected a JSON object)", display_name);
      validator_clear (&v);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, KIOSK_SURVEY_ERROR, KIOSK_SURVEY_ERROR_INVALID,
                   "%s: expected a JSON object, got %s", display_name,
                   _kiosk_survey_type_name (root));
      validator_clear (&v);
      return NULL;
    }
  object = json_node_get_object (root);

  self = g_object_new (KIOSK_TYPE_SURVEY, NULL);
  self->source = g_strdup (display_name);
  self->timeout_s = KIOSK_SURVEY_DEFAULT_TIMEOUT_S;

  _kiosk_survey_check_keys (&v, NULL, object, keys);

  {
    const char *id = _kiosk_survey_expect_id (&v, "id", _kiosk_survey_get_member (&v, NULL, object,
                                                                                  "id", TRUE));
    gint64 version = 0;

    self->id = g_strdup (id);
    if (_kiosk_survey_expect_integer (&v, "version", _kiosk_survey_get_member (&v, NULL, object,
                                                                               "version", TRUE), 1,
                                      G_MAXINT, NULL, &version))
      self->version = version;
  }

  v.languages = read_languages (&v, object);

  node = _kiosk_survey_get_member (&v, NULL, object, "language_names", FALSE);
  if (node != NULL)
    self->language_names = _kiosk_survey_expect_texts (&v, "language_names", node, FALSE);

  self->question = read_texts (&v, NULL, object, "question");
  read_faces (&v, _kiosk_survey_get_member (&v, NULL, object, "faces", TRUE), self->sides);

  node = _kiosk_survey_get_member (&v, NULL, object, "follow_up", FALSE);
  if (node != NULL)
    read_follow_ups (&v, node, self);

  self->thank_you = read_texts (&v, NULL, object, "thank_you");

  if (v.problems->len > 0)
    {
      g_set_error_literal (error, KIOSK_SURVEY_ERROR, KIOSK_SURVEY_ERROR_INVALID,
                           v.problems->str);
      validator_clear (&v);
      return NULL;
    }

  self->languages = g_steal_pointer (&v.languages);
  validator_clear (&v);

  return g_steal_pointer (&self);
}

/**
 * kiosk_survey_new_from_file:
 * @path: a survey definition; problems are reported under this name
 *
 * Returns: (transfer full): the survey, or %NULL with the problems in @error
 */
KioskSurvey *
kiosk_survey_new_from_file (const char  *path,
                            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error_literal (error, KIOSK_SURVEY_ERROR, KIOSK_SURVEY_ERROR_IO,
                           local_error->message);
      return NULL;
    }

  /* A survey is a few kilobytes; anything this large is the wrong file. */
  if (length > MAX_FILE_SIZE)
    {
      g_set_error (error, KIOSK_SURVEY_ERROR, KIOSK_SURVEY_ERROR_IO,
                   "%s: too large for a survey (%" G_GSIZE_FORMAT " bytes, at most %d)", path,
                   length, MAX_FILE_SIZE);
      return NULL;
    }

  return kiosk_survey_new_from_data (data, length, path, error);
}

/**
 * kiosk_survey_get_demo_data:
 *
 * Returns: (transfer full): the JSON of the built-in demo survey (data/demo-survey.json)
 */
