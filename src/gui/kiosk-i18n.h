/* kiosk-i18n.h: switches the language of the running kiosk's gettext strings at once. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void kiosk_i18n_set_language (const char *language);

G_END_DECLS
