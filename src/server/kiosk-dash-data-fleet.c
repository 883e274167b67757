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
  GPtrArray *kiosks;

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
  if (result == NULL)
    return NULL;
  kiosks = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_dash_kiosk_free);
  for (int r = 0; r < PQntuples (result); r++)
    {
      KioskDashKiosk *k = g_new0 (KioskDashKiosk, 1);
      KioskDashSite *site;

      k->device_id = _kiosk_dash_value_or_null (result, r, 0);
      k->site_id = _kiosk_dash_value_int (result, r, 1);
      site = g_hash_table_lookup (by_id, &k->site_id);
      if (site != NULL)
        {
          k->site_name = g_strdup (site->name);
          k->site_title = g_strdup (site->title);
          k->time_zone = g_strdup (site->time_zone);
        }
      k->heard = !PQgetisnull (result, r, 2);
      if (k->heard)
        {
          k->last_heartbeat_us = _kiosk_dash_value_int (result, r, 2);
          k->version = _kiosk_dash_value_or_null (result, r, 3);
          k->uptime_s = _kiosk_dash_value_int (result, r, 4);
          k->survey_id = _kiosk_dash_value_or_null (result, r, 5);
          k->survey_version = _kiosk_dash_value_int (result, r, 6);
          k->queue_depth = _kiosk_dash_value_int (result, r, 7);
          k->oldest_pending_age_s = _kiosk_dash_value_int (result, r, 8);
          k->dead_letter_count = _kiosk_dash_value_int (result, r, 9);
          k->clock_synced = g_str_equal (PQgetvalue (result, r, 10), "t");
          k->last_upload_ok_at = _kiosk_dash_value_or_null (result, r, 11);
          k->last_error = _kiosk_dash_value_or_null (result, r, 12);
        }
      /* NULL when not reported (an older kiosk, or none heard): -1. */
      k->storage_state = _kiosk_dash_value_or_null (result, r, 15);
      k->storage_database_bytes = PQgetisnull (result, r, 16) ? -1 :
                                  _kiosk_dash_value_int (result, r, 16);
      k->storage_free_bytes = PQgetisnull (result, r, 17) ? -1 :
                              _kiosk_dash_value_int (result, r, 17);
      k->buttons_configured = PQgetisnull (result, r, 18) ? -1 :
                              _kiosk_dash_value_int (result, r, 18);
      k->buttons_connected = PQgetisnull (result, r, 19) ? -1 :
                             _kiosk_dash_value_int (result, r, 19);
      k->last_seen_us = PQgetisnull (result, r, 13) ? 0 : _kiosk_dash_value_int (result, r, 13);
      k->silent = kiosk_dash_is_silent (site ? site->hours : NULL,
                                        k->heard ? k->last_heartbeat_us
                                                 : _kiosk_dash_value_int (result, r, 14),
                                        now_us);
      g_ptr_array_add (kiosks, k);
    }
  return kiosks;
}
