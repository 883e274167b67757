/* kiosk-comment-page.h: a free-text comment typed on the kiosk's own keyboard. */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-flow.h"

G_BEGIN_DECLS

#define KIOSK_TYPE_COMMENT_PAGE (kiosk_comment_page_get_type ())
G_DECLARE_FINAL_TYPE (KioskCommentPage, kiosk_comment_page, KIOSK, COMMENT_PAGE, GtkWidget)

GtkWidget *kiosk_comment_page_new     (KioskFlow        *flow);
void       kiosk_comment_page_prepare (KioskCommentPage *self);
char      *kiosk_comment_page_dup_text (KioskCommentPage *self);

G_END_DECLS
