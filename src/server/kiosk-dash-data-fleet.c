/* kiosk-dash-data-fleet.c: every kiosk's latest heartbeat, for the fleet page. */
#define G_LOG_DOMAIN "kiosk-dash"

#include "kiosk-dash-data-private.h"
#include "kiosk-server-db.h"

/* Fleet */

void
kiosk_dash_kiosk_free (KioskDashKiosk *kiosk)
{
  if (kiosk == NULL)
    return;
  g_free (kiosk->device_id);
  g_free (kiosk->site_name);
  g_free (kiosk->site_title);
  g_free (kiosk->time_zone);
  g_free (kiosk->version);
  g_free (kiosk->survey_id);
  g_free (kiosk->last_upload_ok_at);
  g_free (kiosk->last_error);
  g_free (kiosk->storage_state);
  g_free (kiosk);
}

typedef struct
{
  GHashTable *sites;   /* id → KioskDashSite */
  gint64      now_us;
} FleetRows;

static gpointer
kiosk_from_row (PGresult *result,
                int       row,
                gpointer  user_data)
{
  FleetRows *fleet = user_data;
  KioskDashKiosk *k = g_new0 (KioskDashKiosk, 1);
  KioskDashSite *site;

  k->device_id = _kiosk_dash_value_or_null (result, row, 0);
  k->site_id = _kiosk_dash_value_int (result, row, 1);
  site = g_hash_table_lookup (fleet->sites, &k->site_id);
  if (site != NULL)
    {
      k->site_name = g_strdup (site->name);
      k->site_title = g_strdup (site->title);
      k->time_zone = g_strdup (site->time_zone);
    }
  k->heard = !PQgetisnull (result, row, 2);
  if (k->heard)
    {
      k->last_heartbeat_us = _kiosk_dash_value_int (result, row, 2);
      k->version = _kiosk_dash_value_or_null (result, row, 3);
      k->uptime_s = _kiosk_dash_value_int (result, row, 4);
      k->survey_id = _kiosk_dash_value_or_null (result, row, 5);
      k->survey_version = _kiosk_dash_value_int (result, row, 6);
      k->queue_depth = _kiosk_dash_value_int (result, row, 7);
      k->oldest_pending_age_s = _kiosk_dash_value_int (result, row, 8);
      k->dead_letter_count = _kiosk_dash_value_int (result, row, 9);
      k->clock_synced = _kiosk_dash_value_bool (result, row, 10);
      k->last_upload_ok_at = _kiosk_dash_value_or_null (result, row, 11);
      k->last_error = _kiosk_dash_value_or_null (result, row, 12);
    }
  /* NULL when not reported (an older kiosk, or none heard): -1. */
  k->storage_state = _kiosk_dash_value_or_null (result, row, 15);
  k->storage_database_bytes = _kiosk_dash_value_int_or (result, row, 16, -1);
  k->storage_free_bytes = _kiosk_dash_value_int_or (result, row, 17, -1);
  k->buttons_configured = _kiosk_dash_value_int_or (result, row, 18, -1);
  k->buttons_connected = _kiosk_dash_value_int_or (result, row, 19, -1);
  k->last_seen_us = _kiosk_dash_value_int_or (result, row, 13, 0);
  k->silent = kiosk_dash_is_silent (site ? site->hours : NULL,
                                    k->heard ? k->last_heartbeat_us
                                             : _kiosk_dash_value_int (result, row, 14),
                                    fleet->now_us);
  return k;
}

GPtrArray *
kiosk_dash_data_fleet (PGconn              *conn,
                       const KioskDashUser *user,
                       gint64               now_us,
                       GError             **error)
{
  g_autoptr(GPtrArray) sites = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(PGresult) result = NULL;
  g_autofree char *cond = _kiosk_dash_condition (user);
  g_autofree char *sql = NULL;
  FleetRows fleet = { by_id, now_us };

  sites = kiosk_dash_data_sites (conn, user, error);
  if (sites == NULL)
    return NULL;
  for (guint i = 0; i < sites->len; i++)
    {
      KioskDashSite *site = g_ptr_array_index (sites, i);

      g_hash_table_insert (by_id, &site->id, site);
    }

  sql = g_strdup_printf ("SELECT d.id, s.id, "
                         " (extract (epoch FROM h.received_at) * 1000000)::bigint, h.version,"
                         " h.uptime_s, h.survey_id, h.survey_version, h.queue_depth,"
                         " h.oldest_pending_age_s, h.dead_letter_count, h.clock_synced,"
                         " h.last_upload_ok_at, h.last_error,"
                         " (extract (epoch FROM d.last_seen_at) * 1000000)::bigint,"
                         " (extract (epoch FROM d.created_at) * 1000000)::bigint,"
                         " h.storage_state, h.storage_database_bytes, h.storage_free_bytes,"
                         " h.buttons_configured, h.buttons_connected "
                         "FROM devices d JOIN sites s ON s.id = d.site_id "
                         "LEFT JOIN device_health h ON h.device_id = d.id "
                         "WHERE %s AND d.retired_at IS NULL "
                         "ORDER BY s.name, d.id", cond);
  result = kiosk_db_exec (conn, sql, 0, NULL, error);
  return _kiosk_dash_rows (result, kiosk_from_row, &fleet,
                           (GDestroyNotify) kiosk_dash_kiosk_free);
}
