/* kiosk-test-ui.h: what the display tests share: a kiosk put together as main.c does, finding
 * widgets, real input through the X server (xdotool), screenshots, and the layout rules every
 * screen keeps. */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-window.h"

G_BEGIN_DECLS

/* One kiosk under test: a state directory of its own, the configuration, the store, the flow
 * and the window. */
typedef struct
{
  char        *dir;
  KioskConfig *config;
  KioskStore  *store;
  KioskFlow   *flow;
  KioskWindow *window;
} KioskTestKiosk;

void       kiosk_test_ui_init      (int         *argc,
                                    char      ***argv);
void       kiosk_test_kiosk_open_store (KioskTestKiosk *kiosk,
                                    const char  *config,
                                    const char  *database_path);
void       kiosk_test_kiosk_show   (KioskTestKiosk *kiosk,
                                    KioskSurvey *survey,
                                    gboolean     kiosk_mode,
                                    int          width,
                                    int          height);
void       kiosk_test_kiosk_close  (KioskTestKiosk *kiosk);

void       kiosk_test_collect      (GtkWidget   *root,
                                    GType        type,
                                    gboolean     mapped_only,
                                    GPtrArray   *found);
GtkWidget *kiosk_test_find_mapped  (GtkWidget   *root,
                                    GType        type);
gboolean   kiosk_test_shows_text   (GtkWidget   *root,
                                    const char  *text);
void       kiosk_test_assert_shows (KioskWindow *window,
                                    const char  *text);
char      *kiosk_test_dup_texts    (GtkWidget   *root);
void       kiosk_test_activate     (GtkWidget   *widget,
                                    const char  *action,
                                    const char  *format,
                                    ...);
void       kiosk_test_repaint      (GtkWidget   *window);
void       kiosk_test_hold         (guint        ms);
void       kiosk_test_screenshot   (GtkWidget   *widget,
                                    const char  *name);
void       kiosk_test_check_layout (GtkWidget   *window,
                                    GtkWidget   *page,
                                    const char  *what);
void       kiosk_test_check_page_layout (KioskWindow *window,
                                    const char  *what);

void       kiosk_test_wait_for_figures (KioskWindow *window);
void       kiosk_test_unlock_admin (KioskWindow *window,
                                    const char  *pin);

char      *kiosk_test_window_xid   (GtkWidget   *window);
gboolean   kiosk_test_xdotool      (const char  *first_arg,
                                    ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
