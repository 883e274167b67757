/* kiosk-follow-up-page.h: the follow-up question with its 1–6 options, Skip and Done. */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-page.h"

G_BEGIN_DECLS

#define KIOSK_TYPE_FOLLOW_UP_PAGE (kiosk_follow_up_page_get_type ())
G_DECLARE_FINAL_TYPE (KioskFollowUpPage, kiosk_follow_up_page, KIOSK, FOLLOW_UP_PAGE, GtkWidget)


G_END_DECLS
