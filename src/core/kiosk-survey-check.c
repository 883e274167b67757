/* kiosk-survey-check.c: the survey validator's tools: a problem named by its JSON path, on one
 * line; the type of each member checked; keys, ids and texts in every offered language. */
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

/* One problem per line, in UTF-8: a key or text holding a line break, a control character or a
 * lone surrogate (json-glib turns "\udc00" into bytes that are not UTF-8) is shown, not obeyed. */
void
_kiosk_survey_append_one_line (GString    *out,
                               const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  for (const char *p = valid; *p; p++)
    {
      if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '\r')
        g_string_append (out, "\\r");
      else if (*p == '\t')
        g_string_append (out, "\\t");
      else if ((guchar) *p < 0x20 || *p == 0x7f)
        g_string_append_printf (out, "\\x%02x", (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
}


void
_kiosk_survey_problem (Validator  *v,
                       const char *path,
                       const char *format,
                       ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (v->problems->len > 0)
    g_string_append_c (v->problems, '\n');

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_string_append_printf (v->problems, "%s: ", v->display_name);
  if (path != NULL && *path != '\0')
    {
      g_autofree char *bare = g_steal_pointer (&message);

      message = g_strdup_printf ("%s: %s", path, bare);
    }

  _kiosk_survey_append_one_line (v->problems, message);
}

static gboolean
key_is_plain (const char *key)
{
  if (*key == '\0')
    return FALSE;
  for (const char *p = key; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("_-$", *p))
      return FALSE;

  return TRUE;
}

/* "follow_up.negative.options[3].label.de"; a key that would not read as one ("", "de DE") is
 * quoted: question["de DE"]. */
char *
_kiosk_survey_member_path (const char *path,
                           const char *key)
{
  if (!key_is_plain (key))
    return g_strdup_printf ("%s[\"%s\"]", path ? path : "", key);

  return path && *path ? g_strdup_printf ("%s.%s", path, key) : g_strdup (key);
}

char *
_kiosk_survey_element_path (const char *path,
                            guint       index)
{
  return g_strdup_printf ("%s[%u]", path, index);
}

const char *
_kiosk_survey_type_name (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "a string";
    case G_TYPE_INT64:
      return "an integer";
    case G_TYPE_DOUBLE:
      return "a number with a fraction";
    case G_TYPE_BOOLEAN:
      return "true or false";
    default:
      return "something else";
    }
}

gboolean
_kiosk_survey_holds (JsonNode *node,
                     GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* The parser keeps only the last of two members with the same name; an operator who wrote a key
 * twice meant something by each, so that is a problem, reported with its path like the others. */
void
_kiosk_survey_object_member_cb (JsonParser *parser,
                                JsonObject *object,
                                const char *member_name,
                                Validator  *v)
{
  guint size = json_object_get_size (object);
  guint before = GPOINTER_TO_UINT (g_hash_table_lookup (v->sizes, object));

  if (size == before)
    {
      GPtrArray *names = g_hash_table_lookup (v->duplicates, object);

      if (names == NULL)
        {
          names = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (v->duplicates, object, names);
        }
      g_ptr_array_add (names, g_strdup (member_name));
    }
  g_hash_table_insert (v->sizes, object, GUINT_TO_POINTER (size));
}

static void
check_duplicate_keys (Validator  *v,
                      const char *path,
                      JsonObject *object)
{
  GPtrArray *duplicates = g_hash_table_lookup (v->duplicates, object);

  for (guint i = 0; duplicates && i < duplicates->len; i++)
    {
      g_autofree char *p = _kiosk_survey_member_path (path, g_ptr_array_index (duplicates, i));

      _kiosk_survey_problem (v, p, "key appears more than once");
    }
}

/* Reports duplicate and unknown keys of @object. @known ends with NULL. */
void
_kiosk_survey_check_keys (Validator          *v,
                          const char         *path,
                          JsonObject         *object,
                          const char * const *known)
{
  g_autoptr(GList) members = json_object_get_members (object);

  check_duplicate_keys (v, path, object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      g_autofree char *p = NULL;
      g_autofree char *list = NULL;

      if (g_strv_contains (known, l->data))
        continue;

      p = _kiosk_survey_member_path (path, l->data);
      list = g_strjoinv (", ", (char **) known);
      _kiosk_survey_problem (v, p, "unknown key (expected %s)", list);
    }
}

/* Returns: the member, or NULL (reported when @required). */
JsonNode *
_kiosk_survey_get_member (Validator  *v,
                          const char *path,
                          JsonObject *object,
                          const char *key,
                          gboolean    required)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL && required)
    {
      g_autofree char *p = _kiosk_survey_member_path (path, key);

      _kiosk_survey_problem (v, p, "required key is missing");
    }

  return node;
}

JsonObject *
_kiosk_survey_expect_object (Validator  *v,
                             const char *path,
                             JsonNode   *node)
{
  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      _kiosk_survey_problem (v, path, "expected an object, got %s", _kiosk_survey_type_name (node));
      return NULL;
    }
  return json_node_get_object (node);
}

JsonArray *
_kiosk_survey_expect_array (Validator  *v,
                            const char *path,
                            JsonNode   *node)
{
  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      _kiosk_survey_problem (v, path, "expected an array, got %s", _kiosk_survey_type_name (node));
      return NULL;
    }
  return json_node_get_array (node);
}

const char *
_kiosk_survey_expect_string (Validator  *v,
                             const char *path,
                             JsonNode   *node)
{
  if (node == NULL)
    return NULL;
  if (!_kiosk_survey_holds (node, G_TYPE_STRING))
    {
      _kiosk_survey_problem (v, path, "expected a string, got %s", _kiosk_survey_type_name (node));
      return NULL;
    }
  if (!g_utf8_validate (json_node_get_string (node), -1, NULL))
    {
      _kiosk_survey_problem (v, path, "not valid text: a \\u escape names half of a surrogate pair "
                             "(\\uD800 to \\uDFFF) without the other half");
      return NULL;
    }
  return json_node_get_string (node);
}

/* Returns: FALSE when @node is missing or not an integer in [@min, @max]. */
gboolean
_kiosk_survey_expect_integer (Validator  *v,
                              const char *path,
                              JsonNode   *node,
                              gint64      min,
                              gint64      max,
                              const char *unit,
                              gint64     *out)
{
  gint64 value;

  if (node == NULL)
    return FALSE;
  if (!_kiosk_survey_holds (node, G_TYPE_INT64))
    {
      _kiosk_survey_problem (v, path, "expected an integer, got %s",
                             _kiosk_survey_type_name (node));
      return FALSE;
    }

  value = json_node_get_int (node);
  if (value < min || value > max)
    {
      if (max >= G_MAXINT)
        _kiosk_survey_problem (v, path,
                               "%" G_GINT64_FORMAT " is out of range (expected %" G_GINT64_FORMAT
                               " or more%s%s)", value, min, unit ? " " : "", unit ? unit : "");
      else
        _kiosk_survey_problem (v, path,
                               "%" G_GINT64_FORMAT " is out of range (expected %" G_GINT64_FORMAT
                               " to %" G_GINT64_FORMAT "%s%s)", value, min, max, unit ? " " : "",
                               unit ? unit : "");
      return FALSE;
    }

  *out = value;
  return TRUE;
}

static gboolean
text_is_blank (const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;

  return TRUE;
}

static gboolean
id_is_valid (const char *id)
{
  size_t len = strlen (id);

  if (len < 1 || len > KIOSK_ID_MAX_CHARS)
    return FALSE;
  if (!g_ascii_islower (id[0]) && !g_ascii_isdigit (id[0]))
    return FALSE;
  for (const char *p = id; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-' && *p != '_')
      return FALSE;

  return TRUE;
}

const char *
_kiosk_survey_expect_id (Validator  *v,
                         const char *path,
                         JsonNode   *node)
{
  const char *id = _kiosk_survey_expect_string (v, path, node);

  if (id != NULL && !id_is_valid (id))
    {
      _kiosk_survey_problem (v, path,
                             "“%s” is not a valid id (expected 1 to %d lower-case letters, digits, "
                             "“-” or “_”, starting with a letter or digit)", id,
                             KIOSK_ID_MAX_CHARS);
      return NULL;
    }
  return id;
}

/* A text per language: {"en": "…", "de": "…"}. Every offered language needs one; a language that
 * is not offered is most often a typo, so it is reported too. Returns NULL after a problem. */
GHashTable *
_kiosk_survey_expect_texts (Validator  *v,
                            const char *path,
                            JsonNode   *node,
                            gboolean    complete)
{
  g_autoptr(GHashTable) texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GList) members = NULL;
  JsonObject *object;
  gsize before = v->problems->len;

  object = _kiosk_survey_expect_object (v, path, node);
  if (object == NULL)
    return NULL;

  check_duplicate_keys (v, path, object);

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *language = l->data;
      g_autofree char *p = _kiosk_survey_member_path (path, language);
      const char *text;

      if (v->languages != NULL && !g_strv_contains ((const char * const *) v->languages->languages,
                                                    language))
        {
          _kiosk_survey_problem (v, p, "unknown language (not one of “languages”)");
          continue;
        }

      text = _kiosk_survey_expect_string (v, p, json_object_get_member (object, language));
      if (text == NULL)
        continue;
      if (text_is_blank (text))
        {
          _kiosk_survey_problem (v, p, "empty text");
          continue;
        }
      g_hash_table_insert (texts, g_strdup (language), g_strdup (text));
    }

  if (complete && v->languages != NULL)
    for (guint i = 0; v->languages->languages[i]; i++)
      {
        const char *language = v->languages->languages[i];

        if (!json_object_has_member (object, language))
          {
            g_autofree char *p = _kiosk_survey_member_path (path, language);

            _kiosk_survey_problem (v, p, "missing translation");
          }
      }

  return v->problems->len == before ? g_steal_pointer (&texts) : NULL;
}
