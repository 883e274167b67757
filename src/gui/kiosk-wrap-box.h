/* kiosk-wrap-box.h: its children in a row, wrapped into centred rows when they do not fit. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define KIOSK_TYPE_WRAP_BOX (kiosk_wrap_box_get_type ())
G_DECLARE_FINAL_TYPE (KioskWrapBox, kiosk_wrap_box, KIOSK, WRAP_BOX, GtkWidget)

GtkWidget *kiosk_wrap_box_new        (void);
void       kiosk_wrap_box_append     (KioskWrapBox *self,
                                      GtkWidget    *child);
void       kiosk_wrap_box_remove_all (KioskWrapBox *self);

G_END_DECLS
