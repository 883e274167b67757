/* kiosk-shift-bin.h: moves its child a few pixels without resizing it, against burn-in. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define KIOSK_TYPE_SHIFT_BIN (kiosk_shift_bin_get_type ())
G_DECLARE_FINAL_TYPE (KioskShiftBin, kiosk_shift_bin, KIOSK, SHIFT_BIN, GtkWidget)

GtkWidget *kiosk_shift_bin_new        (void);
void       kiosk_shift_bin_set_child  (KioskShiftBin *self,
                                       GtkWidget     *child);
void       kiosk_shift_bin_set_offset (KioskShiftBin *self,
                                       int            x,
                                       int            y);
void       kiosk_shift_bin_get_offset (KioskShiftBin *self,
                                       int           *x,
                                       int           *y);

G_END_DECLS
