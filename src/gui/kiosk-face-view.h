/* kiosk-face-view.h: draws a face's SVG artwork crisply at whatever size it is given. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define KIOSK_TYPE_FACE_VIEW (kiosk_face_view_get_type ())
G_DECLARE_FINAL_TYPE (KioskFaceView, kiosk_face_view, KIOSK, FACE_VIEW, GtkWidget)

GtkWidget  *kiosk_face_view_new          (const char    *resource);
const char *kiosk_face_view_get_resource (KioskFaceView *self);
void        kiosk_face_view_set_resource (KioskFaceView *self,
                                          const char    *resource);

G_END_DECLS
