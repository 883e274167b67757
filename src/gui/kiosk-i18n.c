/* kiosk-i18n.c: the visitor picks a language on the survey screen and every string changes at
 * once, without a restart (kiosk-gettext.c switches gettext). Widgets built earlier keep their
 * text, so the window rebuilds its pages after calling this. */
#define G_LOG_DOMAIN "kiosk-i18n"

#include "config.h"

#include <gtk/gtk.h>

#include "kiosk-gettext.h"
#include "kiosk-i18n.h"
#include "kiosk-survey.h"

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
  g_return_if_fail (language != NULL);

  kiosk_gettext_set_language (language);
  gtk_widget_set_default_direction (kiosk_language_is_rtl (language) ? GTK_TEXT_DIR_RTL
                                                                     : GTK_TEXT_DIR_LTR);
  g_debug ("Visitor language %s (LANGUAGE=%s)", language, g_getenv ("LANGUAGE"));
}
