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

/* BCP 47 "fr-CH" -> LANGUAGE "fr_CH:fr"; "de" -> "de". */
static char *
language_list (const char *tag)
{
  g_autofree char *posix = g_strdelimit (g_strdup (tag), "-", '_');
  g_autofree char *primary = g_strndup (tag, strcspn (tag, "-_"));

  if (g_str_equal (posix, primary))
    return g_steal_pointer (&posix);

  return g_strdup_printf ("%s:%s", posix, primary);
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

  list = language_list (language);
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
