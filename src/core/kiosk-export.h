/* kiosk-export.h: every response as CSV: the writer itself (--export-csv), and onto a USB stick
 * for staff at the kiosk, on a thread of its own so the screen stays responsive. */
#pragma once

#include <gio/gio.h>

#include "kiosk-store.h"

G_BEGIN_DECLS

#define KIOSK_EXPORT_ERROR (kiosk_export_error_quark ())

typedef enum
{
  KIOSK_EXPORT_ERROR_NO_STICK,   /* no USB stick this process may write to is mounted */
} KioskExportError;

/* Called on the caller's main context, now and then, with the rows written so far of @total
 * (counted before the first is written). */
typedef void (*KioskExportProgress) (guint64  rows,
                                     guint64  total,
                                     gpointer user_data);

GQuark   kiosk_export_error_quark   (void);

gboolean kiosk_export_csv_write      (KioskStore           *store,
                                     GOutputStream        *stream,
                                     guint64              *out_rows,
                                     GError              **error);

GStrv    kiosk_export_find_usb_dirs (const char           *mounts_file,
                                     const char * const   *prefixes);
char    *kiosk_export_file_name     (const char           *device_id,
                                     GDateTime            *date);
char    *kiosk_export_stick_path    (const char * const   *dirs,
                                     const char           *device_id,
                                     GDateTime            *date,
                                     GError              **error);

void     kiosk_export_csv_async     (const char           *database_path,
                                     const char           *path,
                                     KioskExportProgress   progress,
                                     gpointer              progress_data,
                                     GDestroyNotify        progress_destroy,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
gboolean kiosk_export_csv_finish    (GAsyncResult         *result,
                                     guint64              *out_rows,
                                     GError              **error);

G_END_DECLS
