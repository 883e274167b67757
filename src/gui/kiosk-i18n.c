/* kiosk-i18n.c: the visitor picks a language on the survey screen and every string changes at
 * once, without a restart. gettext reads LANGUAGE on each call but caches what it found; glibc
 * drops that cache when _nl_msg_cat_cntr changes. Widgets built earlier keep their text, so the
 * window rebuilds its pages after calling this. */
#define G_LOG_DOMAIN "kiosk-i18n"

#include "config.h"

#include <gtk/gtk.h>
#include <locale.h>
#include <string.h>

#include "kiosk-i18n.h"
#include "kiosk-survey.h"

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
 * kiosk_i18n_set_language:
 * @language: a BCP 47 tag
 *
 * Makes gettext translate into @language from now on and sets the default text direction
 * (Arabic, Hebrew and Persian mirror the layout). English is the source language: without a
 * catalogue, gettext returns the English text.
 */
void
kiosk_i18n_set_language (const char *language)
{
  g_autofree char *list = NULL;
  const char *messages;

  g_return_if_fail (language != NULL);

  list = language_list (language);

  /* Under the plain C locale glibc ignores LANGUAGE. GTK sets the locale from the environment
   * at start, which is "C" on a system service without LANG. */
  messages = setlocale (LC_MESSAGES, NULL);
  if (messages == NULL || g_str_equal (messages, "C") || g_str_equal (messages, "POSIX"))
    setlocale (LC_MESSAGES, "C.UTF-8");

  if (g_strcmp0 (g_getenv ("LANGUAGE"), list) != 0)
    {
      g_setenv ("LANGUAGE", list, TRUE);
#ifdef __GLIBC__
      ++_nl_msg_cat_cntr;
#endif
    }

  gtk_widget_set_default_direction (kiosk_language_is_rtl (language) ? GTK_TEXT_DIR_RTL
                                                                     : GTK_TEXT_DIR_LTR);
  g_debug ("Visitor language %s (LANGUAGE=%s)", language, list);
}
