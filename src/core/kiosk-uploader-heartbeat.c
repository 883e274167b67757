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

static char *
heartbeat_json (KioskUploader *self)
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
  g_mutex_unlock (&self->lock);

  return kiosk_heartbeat_to_json (heartbeat);
}

static void
send_heartbeat (KioskUploader *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  const char *headers[] = { "Content-Type: application/json", NULL };
  KioskReply reply;

  if (_kiosk_uploader_ensure_outbox (self, NULL))
    _kiosk_uploader_refresh_stats (self, TRUE);

  body = heartbeat_json (self);
  if (!_kiosk_uploader_request (self, "POST", self->heartbeat_url, headers, body, strlen (body),
                                &reply, &error))
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
