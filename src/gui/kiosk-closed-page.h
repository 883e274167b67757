/* kiosk-closed-page.h: the dim screen outside opening hours, with the time the kiosk opens. */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-page.h"

G_BEGIN_DECLS

#define KIOSK_TYPE_CLOSED_PAGE (kiosk_closed_page_get_type ())
G_DECLARE_FINAL_TYPE (KioskClosedPage, kiosk_closed_page, KIOSK, CLOSED_PAGE, GtkWidget)

void        kiosk_closed_page_set_reopens  (KioskClosedPage *self,
                                            gint64           reopens_wall_us,
                                            gint64           now_wall_us,
                                            GTimeZone       *timezone);
const char *kiosk_closed_page_get_reopens_text (KioskClosedPage *self);

char       *kiosk_format_reopens           (gint64           reopens_wall_us,
                                            gint64           now_wall_us,
                                            GTimeZone       *timezone);

G_END_DECLS
