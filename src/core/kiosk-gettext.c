/* kiosk-gettext.c: gettext into a language chosen at run time. gettext reads LANGUAGE on each
 * call but caches what it found; glibc drops that cache when _nl_msg_cat_cntr changes. Which
 * languages there are is what the catalogue directory holds, so a translator's new po/LANG.po
 * shows up without a list to edit. */
#define G_LOG_DOMAIN "kiosk-gettext"

#include "config.h"

#include <libintl.h>
#include <locale.h>
#include <string.h>

#include "kiosk-config.h"
#include "kiosk-gettext.h"

#ifdef __GLIBC__
extern int _nl_msg_cat_cntr;
#endif

/**
 * kiosk_gettext_language_list_for:
 * @tag: a BCP 47 tag ("pt-BR"), or a POSIX one ("pt_BR")
 *
 * The value of LANGUAGE that makes gettext translate into @tag: the catalogue names glibc
 * looks for, most specific first, down to the bare language. A region makes "ll_RR" ("pt-BR"
 * -> "pt_BR:pt"); a script becomes what catalogues are named by: Chinese by region ("zh-Hant"
 * is "zh_TW", "zh-Hans" "zh_CN"), others as a modifier ("sr-Latn" -> "sr@latin:sr"). Variants
 * and extensions are left out.
 *
 * Returns: (transfer full): the list, ':' between names
 */
char *
kiosk_gettext_language_list_for (const char *tag)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *language = NULL;
  g_autoptr(GString) list = g_string_new (NULL);
  const char *script = NULL;
  const char *region = NULL;
  const char *modifier = NULL;

  g_return_val_if_fail (tag != NULL, NULL);

  parts = g_strsplit_set (tag, "-_", -1);
  language = g_ascii_strdown (parts[0], -1);
  for (guint i = 1; parts[i] != NULL; i++)
    {
      gsize length = strlen (parts[i]);

      if (i == 1 && length == 4 && g_ascii_isalpha (parts[i][0]))
        script = parts[i];
      else if (region == NULL && (length == 2 || (length == 3 && g_ascii_isdigit (parts[i][0]))))
        region = parts[i];
      else
        break;
    }

  if (script != NULL && g_str_equal (language, "zh") && region == NULL)
    region = g_ascii_strcasecmp (script, "Hant") == 0 ? "TW" : "CN";
  else if (script != NULL && g_ascii_strcasecmp (script, "Latn") == 0)
    modifier = "latin";
  else if (script != NULL && g_ascii_strcasecmp (script, "Cyrl") == 0)
    modifier = "cyrillic";

  if (region != NULL)
    {
      g_autofree char *upper = g_ascii_strup (region, -1);

      g_string_append_printf (list, "%s_%s%s%s:", language, upper, modifier ? "@" : "",
                              modifier ? modifier : "");
    }
  if (modifier != NULL)
    g_string_append_printf (list, "%s@%s:", language, modifier);
  g_string_append (list, language);

  return g_string_free (g_steal_pointer (&list), FALSE);
}

/**
 * kiosk_gettext_set_language_list:
 * @list: a value for LANGUAGE ("fr_CH:fr"); empty for the locale's own language
 *
 * Makes gettext translate by @list from now on.
 */
void
kiosk_gettext_set_language_list (const char *list)
{
  const char *messages;

  g_return_if_fail (list != NULL);

  /* Under the plain C locale glibc ignores LANGUAGE. GTK sets the locale from the environment
   * at start, which is "C" on a system service without LANG. */
  messages = setlocale (LC_MESSAGES, NULL);
  if (messages == NULL || g_str_equal (messages, "C") || g_str_equal (messages, "POSIX"))
    setlocale (LC_MESSAGES, "C.UTF-8");

  /* Changing a variable that exists is safe once threads run; main.c creates it at start. */
  if (g_strcmp0 (g_getenv ("LANGUAGE"), list) != 0)
    {
      g_setenv ("LANGUAGE", list, TRUE);
#ifdef __GLIBC__
      ++_nl_msg_cat_cntr;
#endif
    }
}

/**
 * kiosk_gettext_set_language:
 * @language: a BCP 47 tag
 *
 * Makes gettext translate into @language from now on. English is the source language: without
 * a catalogue, gettext returns the English text.
 */
void
kiosk_gettext_set_language (const char *language)
{
  g_autofree char *list = NULL;

  g_return_if_fail (language != NULL);

  list = kiosk_gettext_language_list_for (language);
  kiosk_gettext_set_language_list (list);
}

/* Returns: (transfer full): LANGUAGE as it is now ("" when unset), to set back afterwards */
char *
kiosk_gettext_dup_language_list (void)
{
  return g_strdup (g_getenv ("LANGUAGE") ? g_getenv ("LANGUAGE") : "");
}

static int
compare_tags (gconstpointer a,
              gconstpointer b)
{
  return g_ascii_strcasecmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * kiosk_gettext_list_languages:
 *
 * The languages the program has a catalogue for in the directory gettext reads
 * (bindtextdomain()): LANG/LC_MESSAGES/smiley-kiosk.mo, "pt_BR" as "pt-BR". A directory name
 * that is not a plain language (sr@latin, de_DE.UTF-8) is left out: a visitor's language is a
 * BCP 47 tag.
 *
 * Returns: (transfer full): the languages as BCP 47 tags, sorted; English (the source) is not
 * one of them
 */
GStrv
kiosk_gettext_list_languages (void)
{
  const char *localedir = bindtextdomain (GETTEXT_PACKAGE, NULL);
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (localedir != NULL)
    dir = g_dir_open (localedir, 0, NULL);

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *mo = g_build_filename (localedir, name, "LC_MESSAGES",
                                              GETTEXT_PACKAGE ".mo", NULL);
      g_autofree char *tag = NULL;

      if (strpbrk (name, ".@") != NULL || !g_file_test (mo, G_FILE_TEST_IS_REGULAR))
        continue;
      tag = g_strdelimit (g_strdup (name), "_", '-');
      if (kiosk_language_tag_is_valid (tag) && !g_str_equal (tag, "en"))
        g_ptr_array_add (tags, g_steal_pointer (&tag));
    }

  g_ptr_array_sort (tags, compare_tags);
  g_ptr_array_add (tags, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&tags), FALSE);
}
