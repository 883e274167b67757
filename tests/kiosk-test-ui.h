/* kiosk-test-ui.h: what the display tests share: finding widgets, real input through the X
 * server (xdotool), screenshots, and the layout rules every screen keeps. */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-window.h"

G_BEGIN_DECLS

void       kiosk_test_collect      (GtkWidget   *root,
                                    GType        type,
                                    gboolean     mapped_only,
                                    GPtrArray   *found);
GtkWidget *kiosk_test_find_mapped  (GtkWidget   *root,
                                    GType        type);
gboolean   kiosk_test_shows_text   (GtkWidget   *root,
                                    const char  *text);
char      *kiosk_test_dup_texts    (GtkWidget   *root);
void       kiosk_test_activate     (GtkWidget   *widget,
                                    const char  *action,
                                    const char  *format,
                                    ...);
void       kiosk_test_repaint      (GtkWidget   *window);
void       kiosk_test_screenshot   (GtkWidget   *widget,
                                    const char  *name);
void       kiosk_test_check_layout (GtkWidget   *window,
                                    GtkWidget   *page,
                                    const char  *what);

void       kiosk_test_wait_for_figures (KioskWindow *window);
void       kiosk_test_unlock_admin (KioskWindow *window,
                                    const char  *pin);

char      *kiosk_test_window_xid   (GtkWidget   *window);
gboolean   kiosk_test_xdotool      (const char  *first_arg,
                                    ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
