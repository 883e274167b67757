/* kiosk-page-layout.h: lays out a page's one child at the page's size, never asking for height. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define KIOSK_TYPE_PAGE_LAYOUT (kiosk_page_layout_get_type ())
G_DECLARE_FINAL_TYPE (KioskPageLayout, kiosk_page_layout, KIOSK, PAGE_LAYOUT, GtkLayoutManager)

void kiosk_page_wrap_button_labels (GtkWidget  *root,
                                    const char *css_class);

G_END_DECLS
