/* kiosk-survey.c: the survey definition (JSON), validated completely before anything is used, so
 * an invalid file never half-loads and IT staff see every problem at once, each with its path. */
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
#include "kiosk-survey.h"

#define DEMO_RESOURCE "/org/smileykiosk/SmileyKiosk/core/demo-survey.json"
#define DEMO_NAME     "demo-survey.json"
#define DEMO_CONTEXT  "demo survey"
#define MAX_FILE_SIZE (1024 * 1024)

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

G_DEFINE_QUARK (kiosk-survey-error-quark, kiosk_survey_error)
G_DEFINE_FINAL_TYPE (KioskSurvey, kiosk_survey, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (KioskFollowUp, kiosk_follow_up, kiosk_follow_up_ref, kiosk_follow_up_unref)

static Languages *
languages_ref (Languages *l)
{
  g_ref_count_inc (&l->ref);
  return l;
}

static void
languages_unref (Languages *l)
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

static KioskFollowUp *
kiosk_follow_up_new (Languages *languages)
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

  languages_unref (self->languages);
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

/* --- Validation ---------------------------------------------------------------------------- */

typedef struct
{
  const char  *display_name;
  GString     *problems;
  Languages   *languages;        /* NULL until "languages" was read, or when it is unusable */
  GHashTable  *duplicates;       /* JsonObject * -> GPtrArray of member names seen twice */
  GHashTable  *sizes;            /* JsonObject * -> size after its last member, while parsing */
} Validator;

/* One problem per line, in UTF-8: a key or text holding a line break, a control character or a
 * lone surrogate (json-glib turns "\udc00" into bytes that are not UTF-8) is shown, not obeyed. */
static void
append_one_line (GString    *out,
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

static void
problem (Validator  *v,
         const char *path,
         const char *format,
         ...) G_GNUC_PRINTF (3, 4);

static void
problem (Validator  *v,
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

  append_one_line (v->problems, message);
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
static char *
member_path (const char *path,
             const char *key)
{
  if (!key_is_plain (key))
    return g_strdup_printf ("%s[\"%s\"]", path ? path : "", key);

  return path && *path ? g_strdup_printf ("%s.%s", path, key) : g_strdup (key);
}

static char *
element_path (const char *path,
              guint       index)
{
  return g_strdup_printf ("%s[%u]", path, index);
}

static const char *
type_name (JsonNode *node)
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

static gboolean
holds (JsonNode *node,
       GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* The parser keeps only the last of two members with the same name; an operator who wrote a key
 * twice meant something by each, so that is a problem, reported with its path like the others. */
static void
object_member_cb (JsonParser *parser,
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
      g_autofree char *p = member_path (path, g_ptr_array_index (duplicates, i));

      problem (v, p, "key appears more than once");
    }
}

/* Reports duplicate and unknown keys of @object. @known ends with NULL. */
static void
check_keys (Validator          *v,
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

      p = member_path (path, l->data);
      list = g_strjoinv (", ", (char **) known);
      problem (v, p, "unknown key (expected %s)", list);
    }
}

/* Returns: the member, or NULL (reported when @required). */
static JsonNode *
get_member (Validator  *v,
            const char *path,
            JsonObject *object,
            const char *key,
            gboolean    required)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL && required)
    {
      g_autofree char *p = member_path (path, key);

      problem (v, p, "required key is missing");
    }

  return node;
}

static JsonObject *
expect_object (Validator  *v,
               const char *path,
               JsonNode   *node)
{
  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      problem (v, path, "expected an object, got %s", type_name (node));
      return NULL;
    }
  return json_node_get_object (node);
}

static JsonArray *
expect_array (Validator  *v,
              const char *path,
              JsonNode   *node)
{
  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      problem (v, path, "expected an array, got %s", type_name (node));
      return NULL;
    }
  return json_node_get_array (node);
}

static const char *
expect_string (Validator  *v,
               const char *path,
               JsonNode   *node)
{
  if (node == NULL)
    return NULL;
  if (!holds (node, G_TYPE_STRING))
    {
      problem (v, path, "expected a string, got %s", type_name (node));
      return NULL;
    }
  if (!g_utf8_validate (json_node_get_string (node), -1, NULL))
    {
      problem (v, path, "not valid text: a \\u escape names half of a surrogate pair "
               "(\\uD800 to \\uDFFF) without the other half");
      return NULL;
    }
  return json_node_get_string (node);
}

/* Returns: FALSE when @node is missing or not an integer in [@min, @max]. */
static gboolean
expect_integer (Validator  *v,
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
  if (!holds (node, G_TYPE_INT64))
    {
      problem (v, path, "expected an integer, got %s", type_name (node));
      return FALSE;
    }

  value = json_node_get_int (node);
  if (value < min || value > max)
    {
      if (max >= G_MAXINT)
        problem (v, path, "%" G_GINT64_FORMAT " is out of range (expected %" G_GINT64_FORMAT
                 " or more%s%s)", value, min, unit ? " " : "", unit ? unit : "");
      else
        problem (v, path, "%" G_GINT64_FORMAT " is out of range (expected %" G_GINT64_FORMAT
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

static const char *
expect_id (Validator  *v,
           const char *path,
           JsonNode   *node)
{
  const char *id = expect_string (v, path, node);

  if (id != NULL && !id_is_valid (id))
    {
      problem (v, path, "“%s” is not a valid id (expected 1 to %d lower-case letters, digits, "
               "“-” or “_”, starting with a letter or digit)", id, KIOSK_ID_MAX_CHARS);
      return NULL;
    }
  return id;
}

/* A text per language: {"en": "…", "de": "…"}. Every offered language needs one; a language that
 * is not offered is most often a typo, so it is reported too. Returns NULL after a problem. */
static GHashTable *
expect_texts (Validator  *v,
              const char *path,
              JsonNode   *node,
              gboolean    complete)
{
  g_autoptr(GHashTable) texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GList) members = NULL;
  JsonObject *object;
  gsize before = v->problems->len;

  object = expect_object (v, path, node);
  if (object == NULL)
    return NULL;

  check_duplicate_keys (v, path, object);

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *language = l->data;
      g_autofree char *p = member_path (path, language);
      const char *text;

      if (v->languages != NULL && !g_strv_contains ((const char * const *) v->languages->languages,
                                                    language))
        {
          problem (v, p, "unknown language (not one of “languages”)");
          continue;
        }

      text = expect_string (v, p, json_object_get_member (object, language));
      if (text == NULL)
        continue;
      if (text_is_blank (text))
        {
          problem (v, p, "empty text");
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
            g_autofree char *p = member_path (path, language);

            problem (v, p, "missing translation");
          }
      }

  return v->problems->len == before ? g_steal_pointer (&texts) : NULL;
}

/* "languages" and "default_language" first: every text is checked against them. The default
 * goes first in the list the survey keeps. */
static Languages *
read_languages (Validator  *v,
                JsonObject *root)
{
  JsonNode *list_node = get_member (v, NULL, root, "languages", TRUE);
  JsonNode *default_node = get_member (v, NULL, root, "default_language", TRUE);
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
  const char *default_language = expect_string (v, "default_language", default_node);
  JsonArray *list = expect_array (v, "languages", list_node);
  gsize before = v->problems->len;
  gboolean usable = list != NULL;
  Languages *languages;

  if (default_language != NULL && !kiosk_language_tag_is_valid (default_language))
    {
      problem (v, "default_language", "“%s” is not a BCP 47 language tag (like “en” or “pt-BR”)",
               default_language);
      default_language = NULL;
    }

  if (list != NULL && json_array_get_length (list) == 0)
    {
      problem (v, "languages", "no languages (at least one is needed)");
      usable = FALSE;
    }

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      g_autofree char *p = element_path ("languages", i);
      const char *tag = expect_string (v, p, json_array_get_element (list, i));

      if (tag == NULL)
        usable = FALSE;
      else if (!kiosk_language_tag_is_valid (tag))
        {
          problem (v, p, "“%s” is not a BCP 47 language tag (like “en” or “pt-BR”)", tag);
          usable = FALSE;
        }
      else if (g_ptr_array_find_with_equal_func (tags, tag, g_str_equal, NULL))
        problem (v, p, "“%s” is listed twice", tag);
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
      problem (v, "default_language", "“%s” is not one of “languages” (%s)", default_language,
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
  JsonObject *object = expect_object (v, "faces", node);
  gsize before = v->problems->len;

  if (object == NULL)
    return FALSE;

  check_keys (v, "faces", object, keys);

  for (guint side = 0; side < G_N_ELEMENTS (side_names); side++)
    {
      g_autofree char *path = member_path ("faces", side_names[side]);
      JsonArray *list = expect_array (v, path,
                                      get_member (v, "faces", object, side_names[side], TRUE));

      for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
        {
          g_autofree char *p = element_path (path, i);
          JsonNode *element = json_array_get_element (list, i);
          gint64 face;

          if (!holds (element, G_TYPE_INT64))
            {
              problem (v, p, "expected an integer, got %s", type_name (element));
              continue;
            }

          face = json_node_get_int (element);
          if (face < 0 || face >= KIOSK_SURVEY_SCALE)
            problem (v, p, "face %" G_GINT64_FORMAT " is outside the scale (0 to %d)", face,
                     KIOSK_SURVEY_SCALE - 1);
          else if (seen[face] && sides[face] == (KioskFaceSide) side)
            problem (v, p, "face %" G_GINT64_FORMAT " is listed twice", face);
          else if (seen[face])
            problem (v, p, "face %" G_GINT64_FORMAT " is already %s", face,
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
        problem (v, "faces", "face %d is neither negative nor positive (every face from 0 to %d "
                 "needs a side)", face, KIOSK_SURVEY_SCALE - 1);

  return v->problems->len == before;
}

static gboolean
read_comment (Validator     *v,
              const char    *path,
              JsonNode      *node,
              KioskFollowUp *follow_up)
{
  static const char * const keys[] = { "max_length", "prompt", NULL };
  JsonObject *object = expect_object (v, path, node);
  JsonNode *max_node;
  gint64 max_length = KIOSK_SURVEY_DEFAULT_COMMENT_LENGTH;
  gsize before = v->problems->len;

  if (object == NULL)
    return FALSE;

  check_keys (v, path, object, keys);

  max_node = get_member (v, path, object, "max_length", FALSE);
  if (max_node != NULL)
    {
      g_autofree char *p = member_path (path, "max_length");

      expect_integer (v, p, max_node, 1, KIOSK_SURVEY_MAX_COMMENT_LENGTH, "characters",
                      &max_length);
    }

  {
    g_autofree char *p = member_path (path, "prompt");

    follow_up->comment_prompt = expect_texts (v, p, get_member (v, path, object, "prompt", TRUE),
                                              TRUE);
  }
  follow_up->comment_max_length = max_length;

  return v->problems->len == before;
}

static gboolean
read_contact (Validator     *v,
              const char    *path,
              JsonNode      *node,
              KioskFollowUp *follow_up)
{
  static const char * const keys[] = { "consent", "fields", NULL };
  static const char * const field_names[] = { "name", "email", "phone", NULL };
  JsonObject *object = expect_object (v, path, node);
  JsonNode *fields_node;
  gsize before = v->problems->len;

  if (object == NULL)
    return FALSE;

  check_keys (v, path, object, keys);

  {
    g_autofree char *p = member_path (path, "consent");

    follow_up->contact_consent = expect_texts (v, p,
                                               get_member (v, path, object, "consent", TRUE),
                                               TRUE);
  }

  fields_node = get_member (v, path, object, "fields", FALSE);
  if (fields_node == NULL)
    follow_up->contact_fields = KIOSK_CONTACT_NAME | KIOSK_CONTACT_EMAIL | KIOSK_CONTACT_PHONE;
  else
    {
      g_autofree char *fields_path = member_path (path, "fields");
      JsonArray *list = expect_array (v, fields_path, fields_node);

      if (list != NULL && json_array_get_length (list) == 0)
        problem (v, fields_path, "no fields (expected one or more of name, email, phone)");

      for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
        {
          g_autofree char *p = element_path (fields_path, i);
          const char *name = expect_string (v, p, json_array_get_element (list, i));
          KioskContactFields field = 0;

          if (name == NULL)
            continue;
          for (guint f = 0; field_names[f]; f++)
            if (g_str_equal (name, field_names[f]))
              field = 1 << f;

          if (field == 0)
            problem (v, p, "“%s” is not a contact field (expected name, email or phone)", name);
          else if (follow_up->contact_fields & field)
            problem (v, p, "“%s” is listed twice", name);
          else
            follow_up->contact_fields |= field;
        }
    }

  return v->problems->len == before;
}

static gboolean
read_option (Validator     *v,
             const char    *path,
             JsonNode      *node,
             guint          index,
             KioskFollowUp *follow_up)
{
  static const char * const keys[] = { "id", "label", NULL };
  JsonObject *object = expect_object (v, path, node);
  g_autofree char *id_path = member_path (path, "id");
  g_autofree char *label_path = member_path (path, "label");
  const char *id;
  GHashTable *label;
  int existing;

  if (object == NULL)
    return FALSE;

  check_keys (v, path, object, keys);

  id = expect_id (v, id_path, get_member (v, path, object, "id", TRUE));
  label = expect_texts (v, label_path, get_member (v, path, object, "label", TRUE), TRUE);

  /* Option ids are what the server counts: two options with one id would merge two reasons. */
  existing = id ? kiosk_follow_up_find_option (follow_up, id) : -1;
  if (existing >= 0)
    problem (v, id_path, "“%s” is already the id of options[%d]", id, existing);

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
  JsonObject *object = expect_object (v, path, node);
  JsonNode *choice_node;
  JsonNode *child;
  JsonArray *options;
  const char *id;
  gsize before = v->problems->len;

  if (object == NULL)
    return NULL;

  /* Without usable languages (already reported), the follow-up is still checked, then dropped. */
  follow_up = kiosk_follow_up_new (v->languages);
  follow_up->side = side;

  check_keys (v, path, object, keys);

  {
    g_autofree char *p = member_path (path, "id");

    id = expect_id (v, p, get_member (v, path, object, "id", TRUE));
    follow_up->id = g_strdup (id);
  }

  {
    g_autofree char *p = member_path (path, "question");

    follow_up->question = expect_texts (v, p, get_member (v, path, object, "question", TRUE),
                                        TRUE);
  }

  follow_up->choice = KIOSK_CHOICE_SINGLE;
  choice_node = get_member (v, path, object, "choice", FALSE);
  if (choice_node != NULL)
    {
      g_autofree char *p = member_path (path, "choice");
      const char *choice = expect_string (v, p, choice_node);

      if (g_strcmp0 (choice, "multiple") == 0)
        follow_up->choice = KIOSK_CHOICE_MULTIPLE;
      else if (choice != NULL && !g_str_equal (choice, "single"))
        problem (v, p, "“%s” is not a choice (expected “single” or “multiple”)", choice);
    }

  {
    g_autofree char *p = member_path (path, "options");

    options = expect_array (v, p, get_member (v, path, object, "options", TRUE));
    if (options != NULL)
      {
        guint n = json_array_get_length (options);

        if (n == 0 || n > KIOSK_SURVEY_MAX_OPTIONS)
          problem (v, p, "%u options (expected 1 to %d)", n, KIOSK_SURVEY_MAX_OPTIONS);

        for (guint i = 0; i < n; i++)
          {
            g_autofree char *op = element_path (p, i);

            read_option (v, op, json_array_get_element (options, i), i, follow_up);
          }
      }
  }

  child = get_member (v, path, object, "comment", FALSE);
  if (child != NULL)
    {
      g_autofree char *p = member_path (path, "comment");

      read_comment (v, p, child, follow_up);
    }

  child = get_member (v, path, object, "contact", FALSE);
  if (child != NULL)
    {
      g_autofree char *p = member_path (path, "contact");

      read_contact (v, p, child, follow_up);
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
  JsonObject *object = expect_object (v, "follow_up", node);
  JsonNode *timeout_node;

  if (object == NULL)
    return;

  check_keys (v, "follow_up", object, keys);

  timeout_node = get_member (v, "follow_up", object, "timeout_seconds", FALSE);
  if (timeout_node != NULL)
    {
      gint64 seconds;

      if (expect_integer (v, "follow_up.timeout_seconds", timeout_node,
                          KIOSK_SURVEY_MIN_TIMEOUT_S, KIOSK_SURVEY_MAX_TIMEOUT_S, "seconds",
                          &seconds))
        self->timeout_s = seconds;
    }

  for (guint side = 0; side < G_N_ELEMENTS (side_names); side++)
    {
      g_autofree char *p = member_path ("follow_up", side_names[side]);
      JsonNode *child = get_member (v, "follow_up", object, side_names[side], FALSE);

      if (child == NULL)
        continue;

      self->follow_ups[side] = read_follow_up (v, p, child, side);
    }

  /* The server tells the two follow-ups apart by their ids. */
  if (self->follow_ups[0] != NULL && self->follow_ups[1] != NULL &&
      g_str_equal (self->follow_ups[0]->id, self->follow_ups[1]->id))
    problem (v, "follow_up.positive.id", "“%s” is already the id of follow_up.negative",
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
  g_clear_pointer (&v->languages, languages_unref);
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
  g_signal_connect (parser, "object-member", G_CALLBACK (object_member_cb), &v);
  if (!json_parser_load_from_data (parser, data, len, &parse_error))
    {
      g_autofree char *message = syntax_message (display_name, parse_error);
      g_autoptr(GString) line = g_string_new (NULL);

      append_one_line (line, message);
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
                   "%s: expected a JSON object, got %s", display_name, type_name (root));
      validator_clear (&v);
      return NULL;
    }
  object = json_node_get_object (root);

  self = g_object_new (KIOSK_TYPE_SURVEY, NULL);
  self->source = g_strdup (display_name);
  self->timeout_s = KIOSK_SURVEY_DEFAULT_TIMEOUT_S;

  check_keys (&v, NULL, object, keys);

  {
    const char *id = expect_id (&v, "id", get_member (&v, NULL, object, "id", TRUE));
    gint64 version = 0;

    self->id = g_strdup (id);
    if (expect_integer (&v, "version", get_member (&v, NULL, object, "version", TRUE), 1,
                        G_MAXINT, NULL, &version))
      self->version = version;
  }

  v.languages = read_languages (&v, object);

  node = get_member (&v, NULL, object, "language_names", FALSE);
  if (node != NULL)
    self->language_names = expect_texts (&v, "language_names", node, FALSE);

  self->question = expect_texts (&v, "question", get_member (&v, NULL, object, "question", TRUE),
                                 TRUE);
  read_faces (&v, get_member (&v, NULL, object, "faces", TRUE), self->sides);

  node = get_member (&v, NULL, object, "follow_up", FALSE);
  if (node != NULL)
    read_follow_ups (&v, node, self);

  self->thank_you = expect_texts (&v, "thank_you",
                                  get_member (&v, NULL, object, "thank_you", TRUE), TRUE);

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

/* --- KioskSurvey --------------------------------------------------------------------------- */

static void
kiosk_survey_finalize (GObject *object)
{
  KioskSurvey *self = KIOSK_SURVEY (object);

  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->languages, languages_unref);
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
 * Returns: (transfer full): one sentence per problem, empty when there is none
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
