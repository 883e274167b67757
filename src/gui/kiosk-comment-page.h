/* kiosk-comment-page.h: a free-text comment typed on the kiosk's own keyboard. */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-page.h"

G_BEGIN_DECLS

#define KIOSK_TYPE_COMMENT_PAGE (kiosk_comment_page_get_type ())
G_DECLARE_FINAL_TYPE (KioskCommentPage, kiosk_comment_page, KIOSK, COMMENT_PAGE, GtkWidget)

char      *kiosk_comment_page_dup_text (KioskCommentPage *self);

G_END_DECLS
