/* kiosk-gettext.h: the program's gettext catalogues as languages: which ones are installed, and
 * translating into one of them from now on (the kiosk's visitor language, the demo survey). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char  *kiosk_gettext_language_list_for (const char *tag);
void   kiosk_gettext_set_language      (const char *language);
char  *kiosk_gettext_dup_language_list (void);
void   kiosk_gettext_set_language_list (const char *list);
GStrv  kiosk_gettext_list_languages    (void);

G_END_DECLS
