/* kiosk-day-figures.h: today's figures for the admin screen (faces per local hour, and what the
 * outbox says while sync is off), read on a worker thread through connections of its own, so a
 * slow SD card never stalls a frame. */
#pragma once

#include <gio/gio.h>

#include "kiosk-config.h"
#include "kiosk-stats.h"
#include "kiosk-store.h"
#include "kiosk-uploader.h"

G_BEGIN_DECLS

typedef struct
{
  guint64          hours[24][KIOSK_MAX_SCALE];  /* by the local hour each one starts at */
  KioskFaceCounts  day;
  gboolean         counted;                     /* FALSE: @count_error says why */
  GError          *count_error;
  KioskSyncStatus *sync_status;                 /* NULL when not asked for, or @sync_error */
  GError          *sync_error;
} KioskDayFigures;

void             kiosk_day_figures_free        (KioskDayFigures     *figures);
gboolean         kiosk_day_figures_count       (KioskDayFigures     *figures,
                                                KioskStore          *store,
                                                GError             **error);

void             kiosk_day_figures_read_async  (const char          *database_path,
                                                KioskConfig         *sync_config,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
KioskDayFigures *kiosk_day_figures_read_finish (GAsyncResult        *result,
                                                GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskDayFigures, kiosk_day_figures_free)

G_END_DECLS
