/* kiosk-day-figures.c: today's responses per local hour and the outbox's status, for the admin
 * screen. The reading runs on a GTask thread with its own read-only connections (a KioskStore and
 * the outbox's), never the kiosk's own: an SQLite handle and its statements belong to one thread,
 * and WAL lets a reader work beside the writer. */
#define G_LOG_DOMAIN "kiosk-day-figures"

#include "config.h"

#include <string.h>

#include "kiosk-day-figures.h"

typedef struct
{
  char        *database_path;
  KioskConfig *sync_config;
} ReadData;

static void
read_data_free (ReadData *data)
{
  g_free (data->database_path);
  g_clear_object (&data->sync_config);
  g_free (data);
}

void
kiosk_day_figures_free (KioskDayFigures *figures)
{
  if (figures == NULL)
    return;

  g_clear_error (&figures->count_error);
  g_clear_pointer (&figures->sync_status, kiosk_sync_status_free);
  g_clear_error (&figures->sync_error);
  g_free (figures);
}

/**
 * kiosk_day_figures_count:
 * @store: where to count; any thread that owns it
 *
 * Counts today's responses in @store, an hour at a time (24 indexed range queries) by the local
 * hour each one starts at, so a day with a clock change still fills the right hours.
 *
 * Returns: %FALSE with @error set when @store could not be read; @figures' counts are then zero
 */
gboolean
kiosk_day_figures_count (KioskDayFigures  *figures,
                         KioskStore       *store,
                         GError          **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) midnight = NULL;

  g_return_val_if_fail (figures != NULL, FALSE);
  g_return_val_if_fail (KIOSK_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (figures->hours, 0, sizeof figures->hours);
  memset (&figures->day, 0, sizeof figures->day);
  figures->counted = FALSE;

  midnight = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                    g_date_time_get_day_of_month (now), 0, 0, 0);
  for (int h = 0; h < 25; h++)
    {
      g_autoptr(GDateTime) start = g_date_time_add_hours (midnight, h);
      g_autoptr(GDateTime) end = g_date_time_add_hours (midnight, h + 1);
      KioskFaceCounts counts;
      int hour;

      if (g_date_time_get_day_of_month (start) != g_date_time_get_day_of_month (midnight))
        break;

      if (!kiosk_store_count_faces (store, g_date_time_to_unix (start) * G_USEC_PER_SEC,
                                    g_date_time_to_unix (end) * G_USEC_PER_SEC, &counts, error))
        {
          memset (figures->hours, 0, sizeof figures->hours);
          memset (&figures->day, 0, sizeof figures->day);
          return FALSE;
        }

      hour = g_date_time_get_hour (start);
      figures->day.scale = counts.scale;
      figures->day.misuse += counts.misuse;
      for (int face = 0; face < KIOSK_MAX_SCALE; face++)
        {
          figures->hours[hour][face] += counts.faces[face];
          figures->day.faces[face] += counts.faces[face];
        }
    }

  figures->counted = TRUE;
  return TRUE;
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ReadData *data = task_data;
  g_autoptr(KioskDayFigures) figures = g_new0 (KioskDayFigures, 1);
  g_autoptr(KioskStore) store = NULL;

  if (data->database_path != NULL)
    {
      store = kiosk_store_open (data->database_path, KIOSK_STORE_OPEN_READ_ONLY,
                                &figures->count_error);
      if (store != NULL)
        kiosk_day_figures_count (figures, store, &figures->count_error);
    }

  if (data->sync_config != NULL)
    figures->sync_status = kiosk_sync_status_load (data->sync_config, &figures->sync_error);

  g_task_return_pointer (task, g_steal_pointer (&figures),
                         (GDestroyNotify) kiosk_day_figures_free);
}

/**
 * kiosk_day_figures_read_async:
 * @database_path: (nullable): the database to count today's responses in; %NULL to leave the
 *   counts out
 * @sync_config: (nullable): the configuration whose outbox's status to read too (while sync is
 *   off); %NULL to leave it out
 *
 * Reads on a worker thread; @callback runs on the caller's thread-default main context. Each
 * part fails on its own: the figures carry an error per part.
 */
void
kiosk_day_figures_read_async (const char          *database_path,
                              KioskConfig         *sync_config,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  ReadData *data = g_new0 (ReadData, 1);

  g_return_if_fail (sync_config == NULL || KIOSK_IS_CONFIG (sync_config));

  data->database_path = g_strdup (database_path);
  data->sync_config = sync_config ? g_object_ref (sync_config) : NULL;
  g_task_set_source_tag (task, kiosk_day_figures_read_async);
  g_task_set_name (task, "kiosk-day-figures");
  g_task_set_task_data (task, data, (GDestroyNotify) read_data_free);
  g_task_run_in_thread (task, read_thread);
}

/* Returns: (transfer full): the figures; %NULL only when cancelled */
KioskDayFigures *
kiosk_day_figures_read_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kiosk_day_figures_read_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
