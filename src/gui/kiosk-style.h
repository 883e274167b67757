/* kiosk-style.h: the kiosk's look on a display: its style sheet, high contrast and text scale. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void kiosk_style_apply (GdkDisplay *display,
                        gboolean    high_contrast,
                        double      text_scale);

G_END_DECLS
