/* kiosk-attract-page.h: the dimmed screen after a long time without visitors. */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-page.h"

G_BEGIN_DECLS

#define KIOSK_TYPE_ATTRACT_PAGE (kiosk_attract_page_get_type ())
G_DECLARE_FINAL_TYPE (KioskAttractPage, kiosk_attract_page, KIOSK, ATTRACT_PAGE, GtkWidget)

G_END_DECLS
