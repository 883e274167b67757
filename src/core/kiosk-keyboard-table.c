/* kiosk-keyboard-table.c: reads data/keyboard-layouts.txt, the table of which keyboard each
 * visitor language gets. The keys come from the system's keyboard data (the GUI reads them
 * through libxkbcommon); this table only names the layout and what a phone keyboard adds. */
#define G_LOG_DOMAIN "kiosk-keyboard-table"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "kiosk-core-resources.h"
#include "kiosk-keyboard-table.h"

#define TABLE_RESOURCE "/org/smileykiosk/SmileyKiosk/core/keyboard-layouts.txt"
#define DEFAULT_PUNCTUATION "@ - ' , . ? !"

typedef struct
{
  KioskKeyboardEntry  public;
  char               *language;
  char               *layout;
  char               *variant;
  char               *altgr;
  char               *punctuation;
  GHashTable         *accents;   /* base letter -> the letters a held key shows */
} Entry;

struct _KioskKeyboardTable
{
  GHashTable *entries;           /* primary subtag -> Entry */
  GStrv       languages;         /* sorted */
};

static void
entry_free (gpointer data)
{
  Entry *e = data;

  g_free (e->language);
  g_free (e->layout);
  g_free (e->variant);
  g_free (e->altgr);
  g_free (e->punctuation);
  g_hash_table_unref (e->accents);
  g_free (e);
}

static gboolean
is_primary_subtag (const char *text)
{
  size_t n = strlen (text);

  if (n < 2 || n > 3)
    return FALSE;
  for (size_t i = 0; i < n; i++)
    if (!g_ascii_islower (text[i]))
      return FALSE;

  return TRUE;
}

/* XKB names: "ara", "ir", "de", variants such as "nodeadkeys" or "phonetic_winkeys". */
static gboolean
is_xkb_name (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      return FALSE;

  return TRUE;
}

/**
 * kiosk_keyboard_char_is_mark:
 *
 * Whether @c is a combining mark (an accent, a vowel sign), which only ever follows a letter.
 */
gboolean
kiosk_keyboard_char_is_mark (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  return type == G_UNICODE_SPACING_MARK || type == G_UNICODE_NON_SPACING_MARK ||
         type == G_UNICODE_ENCLOSING_MARK;
}

/**
 * kiosk_keyboard_text_is_letters:
 *
 * Whether @text is one or more letters and marks, nothing else: what a key of the on-screen
 * keyboard may type. %NULL and "" are not.
 */
gboolean
kiosk_keyboard_text_is_letters (const char *text)
{
  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isalpha (c) && !kiosk_keyboard_char_is_mark (c))
        return FALSE;
    }

  return TRUE;
}

static gboolean
fail (GError    **error,
      const char *display_name,
      const char *group,
      const char *format,
      ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (GError    **error,
      const char *display_name,
      const char *group,
      const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, format, args));
  va_end (args);
  g_prefix_error (error, "%s: [%s] ", display_name, group);
  return FALSE;
}

/* "e éèêë; a àâ": a held "e" shows é è ê ë. A base may be punctuation ("? ¿" in Spanish); what
 * it shows is one or more characters, each typed as it is. */
static gboolean
read_accents (Entry       *e,
              const char  *value,
              const char  *display_name,
              GError     **error)
{
  g_auto(GStrv) items = g_strsplit (value, ";", -1);

  for (guint i = 0; items[i]; i++)
    {
      g_auto(GStrv) parts = NULL;
      char *item = g_strstrip (items[i]);

      if (*item == '\0')
        continue;

      parts = g_strsplit_set (item, " \t", -1);
      if (g_strv_length (parts) != 2 || g_utf8_strlen (parts[0], -1) != 1 || *parts[1] == '\0')
        return fail (error, display_name, e->language,
                     "accents: “%s” is not a letter, a space and the letters it shows", item);
      if (g_hash_table_contains (e->accents, parts[0]))
        return fail (error, display_name, e->language, "accents: “%s” is listed twice",
                     parts[0]);
      for (const char *p = parts[1]; *p; p = g_utf8_next_char (p))
        if (g_unichar_isspace (g_utf8_get_char (p)) || g_unichar_iscntrl (g_utf8_get_char (p)))
          return fail (error, display_name, e->language, "accents: “%s” holds a space",
                       item);

      g_hash_table_insert (e->accents, g_strdup (parts[0]), g_strdup (parts[1]));
    }

  return TRUE;
}

static Entry *
read_entry (GKeyFile    *file,
            const char  *group,
            const char  *display_name,
            GError     **error)
{
  static const char * const known[] = { "layout", "variant", "input-method", "altgr", "accents",
                                         "punctuation", NULL };
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) keys = NULL;
  g_autofree char *accents = NULL;
  Entry *e = g_new0 (Entry, 1);

  e->language = g_strdup (group);
  e->accents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (!is_primary_subtag (group))
    {
      fail (error, display_name, group,
            "is not a language's primary subtag (two or three small letters: “pt”, not “pt-BR”)");
      goto out;
    }

  keys = g_key_file_get_keys (file, group, NULL, NULL);
  for (guint i = 0; keys[i]; i++)
    if (!g_strv_contains (known, keys[i]))
      {
        fail (error, display_name, group, "unknown key “%s” (known: layout, variant, "
              "input-method, altgr, accents, punctuation)", keys[i]);
        goto out;
      }

  if (g_key_file_has_key (file, group, "input-method", NULL))
    {
      e->public.input_method = g_key_file_get_boolean (file, group, "input-method", &local_error);
      if (local_error != NULL)
        {
          g_autofree char *value = g_key_file_get_value (file, group, "input-method", NULL);

          fail (error, display_name, group, "input-method: “true” or “false”, not “%s”", value);
          goto out;
        }
    }

  e->layout = g_key_file_get_string (file, group, "layout", NULL);
  e->variant = g_key_file_get_string (file, group, "variant", NULL);
  if (e->public.input_method && (e->layout != NULL || e->variant != NULL))
    {
      fail (error, display_name, group, "a language typed through an input method has no layout");
      goto out;
    }
  if (!e->public.input_method && e->layout == NULL)
    {
      fail (error, display_name, group, "no layout (or input-method = true)");
      goto out;
    }
  if (e->layout != NULL && !is_xkb_name (e->layout))
    {
      fail (error, display_name, group, "layout: “%s” is not an XKB layout name", e->layout);
      goto out;
    }
  if (e->variant != NULL && !is_xkb_name (e->variant))
    {
      fail (error, display_name, group, "variant: “%s” is not an XKB variant name", e->variant);
      goto out;
    }

  e->altgr = g_key_file_get_string (file, group, "altgr", NULL);
  if (e->altgr != NULL && !kiosk_keyboard_text_is_letters (e->altgr))
    {
      fail (error, display_name, group, "altgr: “%s” holds something that is not a letter",
            e->altgr);
      goto out;
    }

  accents = g_key_file_get_string (file, group, "accents", NULL);
  if (accents != NULL && !read_accents (e, accents, display_name, error))
    goto out;

  e->punctuation = g_key_file_get_string (file, group, "punctuation", NULL);
  if (e->punctuation != NULL)
    {
      g_auto(GStrv) marks = g_strsplit (g_strstrip (e->punctuation), " ", -1);

      for (guint i = 0; marks[i]; i++)
        if (g_utf8_strlen (marks[i], -1) != 1)
          {
            fail (error, display_name, group,
                  "punctuation: “%s” is not one character (keys are separated by one space)",
                  marks[i]);
            goto out;
          }
    }

  if (e->variant == NULL)
    e->variant = g_strdup ("");
  if (e->altgr == NULL)
    e->altgr = g_strdup ("");
  if (e->punctuation == NULL)
    e->punctuation = g_strdup (DEFAULT_PUNCTUATION);

  e->public.language = e->language;
  e->public.layout = e->layout;
  e->public.variant = e->variant;
  e->public.altgr = e->altgr;
  e->public.punctuation = e->punctuation;
  return e;

out:
  entry_free (e);
  return NULL;
}

/**
 * kiosk_keyboard_table_new_from_data:
 * @display_name: the file's name in error messages
 *
 * Returns: (transfer full): the table, or %NULL with @error naming the group and key at fault
 */
KioskKeyboardTable *
kiosk_keyboard_table_new_from_data (const char  *data,
                                    gssize       length,
                                    const char  *display_name,
                                    GError     **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(KioskKeyboardTable) self = g_new0 (KioskKeyboardTable, 1);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) groups = NULL;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);

  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, entry_free);

  if (!g_key_file_load_from_data (file, data, length < 0 ? strlen (data) : (gsize) length,
                                  G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", display_name,
                   local_error->message);
      return NULL;
    }

  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i]; i++)
    {
      Entry *e = read_entry (file, groups[i], display_name, error);

      if (e == NULL)
        return NULL;
      g_hash_table_insert (self->entries, e->language, e);
    }

  /* In the file's order, which a person keeps alphabetical. */
  self->languages = g_strdupv (groups);

  return g_steal_pointer (&self);
}

void
kiosk_keyboard_table_free (KioskKeyboardTable *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_strfreev (self->languages);
  g_free (self);
}

/* "pt-BR", "zh_Hant" and "PT" all look up [pt] or [zh]. */
static Entry *
find_entry (KioskKeyboardTable *self,
            const char         *language)
{
  g_autofree char *primary = NULL;

  if (language == NULL)
    return NULL;

  primary = g_ascii_strdown (language, strcspn (language, "-_"));
  return g_hash_table_lookup (self->entries, primary);
}

/**
 * kiosk_keyboard_table_lookup:
 * @language: a BCP 47 tag
 *
 * Returns: (nullable): the entry of @language's primary subtag, %NULL when the table has none
 */
const KioskKeyboardEntry *
kiosk_keyboard_table_lookup (KioskKeyboardTable *self,
                             const char         *language)
{
  Entry *e;

  g_return_val_if_fail (self != NULL, NULL);

  e = find_entry (self, language);
  return e ? &e->public : NULL;
}

/**
 * kiosk_keyboard_table_get_accents:
 * @base: one character, as a key types it
 *
 * Returns: (nullable): what a held @base key shows in @language, %NULL for nothing
 */
const char *
kiosk_keyboard_table_get_accents (KioskKeyboardTable *self,
                                  const char         *language,
                                  const char         *base)
{
  Entry *e;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (base != NULL, NULL);

  e = find_entry (self, language);
  return e ? g_hash_table_lookup (e->accents, base) : NULL;
}

/* The languages the table names, in the file's order. */
const char * const *
kiosk_keyboard_table_get_languages (KioskKeyboardTable *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return (const char * const *) self->languages;
}

KioskKeyboardTable *
kiosk_keyboard_table_get_default (void)
{
  static KioskKeyboardTable *table;

  if (g_once_init_enter (&table))
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      KioskKeyboardTable *read;

      bytes = g_resource_lookup_data (kiosk_core_get_resource (), TABLE_RESOURCE,
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      if (bytes == NULL)
        g_error ("The built-in keyboard table is missing: %s", error->message);
      read = kiosk_keyboard_table_new_from_data (g_bytes_get_data (bytes, NULL),
                                                 g_bytes_get_size (bytes),
                                                 "keyboard-layouts.txt", &error);
      /* Checked by the tests: a broken table is a broken build. */
      if (read == NULL)
        g_error ("%s", error->message);

      g_once_init_leave (&table, read);
    }

  return table;
}

/**
 * kiosk_language_needs_input_method:
 * @language: a BCP 47 tag
 *
 * Chinese, Japanese and Korean are typed through an input method, which the kiosk does not
 * have: no comment can be typed in them.
 */
gboolean
kiosk_language_needs_input_method (const char *language)
{
  const KioskKeyboardEntry *e;

  g_return_val_if_fail (language != NULL, FALSE);

  e = kiosk_keyboard_table_lookup (kiosk_keyboard_table_get_default (), language);
  return e != NULL && e->input_method;
}
