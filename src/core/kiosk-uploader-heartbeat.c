/* kiosk-uploader-heartbeat.c: the heartbeat: the kiosk's health, from the status snapshot,
 * posted every few minutes (docs/cloud-api.md, section 3; the document is kiosk-heartbeat.c's). */
#define G_LOG_DOMAIN "kiosk-uploader"

#include "config.h"

#include <string.h>

#include "kiosk-heartbeat.h"
#include "kiosk-uploader-private.h"

/* The survey on screen, for the heartbeat. Any thread. */
void
kiosk_uploader_set_survey_info (KioskUploader *self,
                                const char    *survey_id,
                                int            survey_version)
{
  g_return_if_fail (KIOSK_IS_UPLOADER (self));

  g_mutex_lock (&self->lock);
  g_free (self->survey_id);
  self->survey_id = g_strdup (survey_id);
  self->survey_version = survey_version;
  g_mutex_unlock (&self->lock);
}

/* The store's health (kiosk_store_get_health()), for the heartbeat. Any thread; the kiosk calls
 * it from the main thread, where the store lives, whenever "health" changes. */
void
kiosk_uploader_set_storage_health (KioskUploader      *self,
                                   KioskStorageHealth  health)
{
  g_return_if_fail (KIOSK_IS_UPLOADER (self));

  g_mutex_lock (&self->lock);
  self->storage_health = health;
  g_mutex_unlock (&self->lock);
}

/* How many [buttons] devices are configured and how many are open (0, 0: none configured), for
 * the heartbeat. Any thread; the kiosk calls it from the main thread, where the buttons live. */
void
kiosk_uploader_set_buttons (KioskUploader *self,
                            guint          configured,
                            guint          connected)
{
  g_return_if_fail (KIOSK_IS_UPLOADER (self));

  g_mutex_lock (&self->lock);
  self->buttons_configured = (int) MIN (configured, G_MAXINT);
  self->buttons_connected = MIN (connected, configured);
  g_mutex_unlock (&self->lock);
}

static const char *
storage_state (int health)
{
  switch (health)
    {
    case KIOSK_STORAGE_OK:
      return KIOSK_HEARTBEAT_STORAGE_OK;
    case KIOSK_STORAGE_RECOVERED:
      return KIOSK_HEARTBEAT_STORAGE_RECOVERED;
    case KIOSK_STORAGE_FAILING:
      return KIOSK_HEARTBEAT_STORAGE_FAILING;
    default:
      return NULL;
    }
}

/* Free space on the database's file system: the first thing that runs out on a kiosk. */
static gint64
free_bytes (KioskUploader *self)
{
  g_autoptr(GFile) file = g_file_new_for_path (self->database_path);
  g_autoptr(GFile) dir = g_file_get_parent (file);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = g_file_query_filesystem_info (dir ? dir : file, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL,
                                       &error);
  if (info == NULL || !g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
    {
      g_debug ("Free space unknown: %s", error ? error->message : "not reported");
      return -1;
    }
  return (gint64) MIN (g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE),
                       (guint64) G_MAXINT64);
}

/* @database_bytes: what the uploader's connection measured, -1 when it could not. */
static char *
heartbeat_json (KioskUploader *self,
                gint64         database_bytes)
{
  g_autoptr(KioskHeartbeat) heartbeat = kiosk_heartbeat_new ();
  KioskSyncStatus *s = &self->status;

  heartbeat->version = g_strdup (PACKAGE_VERSION);
  heartbeat->uptime_s = (g_get_monotonic_time () - self->started_us) / G_USEC_PER_SEC;

  g_mutex_lock (&self->lock);
  heartbeat->queue_depth = s->queue_depth;
  heartbeat->oldest_pending_age_s = MAX (s->oldest_pending_age_s, 0);
  heartbeat->dead_letter_count = s->dead_letters;
  heartbeat->last_upload_ok_at = g_strdup (s->last_success);
  heartbeat->last_error = g_strdup (s->last_error);
  heartbeat->clock_synced = s->clock_synced;
  heartbeat->survey_id = g_strdup (self->survey_id);
  heartbeat->survey_version = self->survey_version;
  heartbeat->last_seq = s->last_seq;
  heartbeat->storage_state = g_strdup (storage_state (self->storage_health));
  heartbeat->buttons_configured = self->buttons_configured;
  heartbeat->buttons_connected = self->buttons_connected;
  g_mutex_unlock (&self->lock);

  /* Sizes only beside a state: a kiosk that does not say how its storage is says nothing. */
  if (heartbeat->storage_state != NULL)
    {
      heartbeat->storage_database_bytes = database_bytes;
      heartbeat->storage_free_bytes = free_bytes (self);
    }

  return kiosk_heartbeat_to_json (heartbeat);
}

static void
send_heartbeat (KioskUploader *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  const char *headers[] = { "Content-Type: application/json", NULL };
  KioskReply reply;
  gint64 database_bytes = -1;

  if (_kiosk_uploader_ensure_outbox (self, NULL))
    {
      g_autoptr(GError) size_error = NULL;

      _kiosk_uploader_refresh_stats (self, TRUE);
      if (!kiosk_outbox_get_used_bytes (self->outbox, &database_bytes, &size_error))
        {
          g_debug ("Database size unknown: %s", size_error->message);
          database_bytes = -1;
        }
    }

  body = heartbeat_json (self, database_bytes);
  if (!kiosk_transport_perform (self->transport, "POST", self->heartbeat_url, headers, body,
                                strlen (body), &reply, &error))
    {
      g_debug ("Heartbeat not sent: %s", error->message);
      kiosk_reply_clear (&reply);
      return;
    }

  if (reply.code == CURLE_OK && reply.status >= 200 && reply.status < 300)
    g_debug ("Heartbeat delivered");
  else if (reply.code == CURLE_OK && reply.status == 410)
    _kiosk_uploader_enter_retired (self, "heartbeat: the server retired this device (HTTP 410): "
                                         "nothing is sent until the configuration changes; no "
                                         "data was deleted");
  else if (!g_atomic_int_get (&self->stopping))
    {
      g_autofree char *why = reply.code != CURLE_OK ? kiosk_reply_describe_failure (&reply)
                                                    : g_strdup_printf ("HTTP %ld", reply.status);

      g_debug ("Heartbeat failed: %s", why);
    }

  kiosk_reply_clear (&reply);
}

gboolean
_kiosk_uploader_heartbeat_tick (gpointer user_data)
{
  KioskUploader *self = user_data;

  g_clear_pointer (&self->heartbeat_source, g_source_unref);
  if (g_atomic_int_get (&self->stopping) || self->mode == KIOSK_SYNC_RETIRED)
    return G_SOURCE_REMOVE;

  send_heartbeat (self);

  if (self->mode != KIOSK_SYNC_RETIRED && !g_atomic_int_get (&self->stopping))
    _kiosk_uploader_reschedule (self, &self->heartbeat_source,
                                _kiosk_uploader_jittered (self, self->timings.heartbeat_ms),
                                _kiosk_uploader_heartbeat_tick, "[kiosk-uploader] heartbeat");
  return G_SOURCE_REMOVE;
}
