/* kiosk-thanks-page.h: the last screen of a visit, with the survey's thank-you text. */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-page.h"

G_BEGIN_DECLS

#define KIOSK_TYPE_THANKS_PAGE (kiosk_thanks_page_get_type ())
G_DECLARE_FINAL_TYPE (KioskThanksPage, kiosk_thanks_page, KIOSK, THANKS_PAGE, GtkWidget)


G_END_DECLS
