/* kiosk-admin-page.h: the status screen for staff, behind the hidden gesture and the PIN. */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-buttons.h"
#include "kiosk-flow.h"
#include "kiosk-page.h"
#include "kiosk-uploader.h"

G_BEGIN_DECLS

#define KIOSK_TYPE_ADMIN_PAGE (kiosk_admin_page_get_type ())
G_DECLARE_FINAL_TYPE (KioskAdminPage, kiosk_admin_page, KIOSK, ADMIN_PAGE, GtkWidget)

/*
 * Properties:
 *   "exporting"   boolean: a CSV export is running
 *   "reading"     boolean: today's figures are being read, on a worker thread
 */

GtkWidget  *kiosk_admin_page_new               (KioskFlow          *flow,
                                                KioskUploader      *uploader,
                                                KioskButtons       *buttons,
                                                const char         *first_boot_error);
void        kiosk_admin_page_set_portrait      (KioskAdminPage     *self,
                                                gboolean            portrait);
void        kiosk_admin_page_refresh           (KioskAdminPage     *self);
void        kiosk_admin_page_export            (KioskAdminPage     *self,
                                                const char * const *dirs);
gboolean    kiosk_admin_page_get_exporting     (KioskAdminPage     *self);
gboolean    kiosk_admin_page_get_reading       (KioskAdminPage     *self);
void        kiosk_admin_page_set_quit_confirmation (KioskAdminPage *self,
                                                gboolean            shown);

/* What the screen shows, for tests: the value of a row by its id ("device", "queue", …) and the
 * export's result line. */
const char *kiosk_admin_page_get_value         (KioskAdminPage     *self,
                                                const char         *row_id);
const char *kiosk_admin_page_get_export_text   (KioskAdminPage     *self);

G_END_DECLS
