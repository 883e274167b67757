/* kiosk-sync-status.c: the uploader's KioskSyncStatus: kept up to date by the worker, saved in
 * the database for --status, read back and formatted for people; and the sync state's changes. */
#define G_LOG_DOMAIN "kiosk-uploader"

#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-uploader-private.h"

void
_kiosk_sync_status_clear (KioskSyncStatus *status)
{
  g_clear_pointer (&status->url, g_free);
  g_clear_pointer (&status->last_success, g_free);
  g_clear_pointer (&status->last_error, g_free);
  g_clear_pointer (&status->next_retry, g_free);
  g_clear_pointer (&status->survey_status, g_free);
}

KioskSyncStatus *
kiosk_sync_status_copy (const KioskSyncStatus *status)
{
  KioskSyncStatus *copy;

  g_return_val_if_fail (status != NULL, NULL);

  copy = g_memdup2 (status, sizeof *status);
  copy->url = g_strdup (status->url);
  copy->last_success = g_strdup (status->last_success);
  copy->last_error = g_strdup (status->last_error);
  copy->next_retry = g_strdup (status->next_retry);
  copy->survey_status = g_strdup (status->survey_status);
  return copy;
}

void
kiosk_sync_status_free (KioskSyncStatus *status)
{
  if (status == NULL)
    return;

  _kiosk_sync_status_clear (status);
  g_free (status);
}

KioskSyncStatus *
kiosk_uploader_dup_status (KioskUploader *self)
{
  KioskSyncStatus *copy;

  g_return_val_if_fail (KIOSK_IS_UPLOADER (self), NULL);

  g_mutex_lock (&self->lock);
  copy = kiosk_sync_status_copy (&self->status);
  g_mutex_unlock (&self->lock);

  return copy;
}

/* Keeping it up to date, on the worker thread */

/* Returns whether the state was saved for --status: on every change, except to "sending", which
 * passes too quickly to be worth a write. */
gboolean
_kiosk_uploader_set_mode (KioskUploader  *self,
                          KioskSyncState  mode)
{
  self->mode = mode;
  g_mutex_lock (&self->lock);
  self->status.state = mode;
  g_mutex_unlock (&self->lock);
  _kiosk_uploader_status_changed (self);

  if (mode == KIOSK_SYNC_SENDING || mode == self->persisted_mode || self->outbox == NULL)
    return FALSE;

  _kiosk_uploader_persist_state (self);
  return TRUE;
}

/* The sync state survives in the database, so --status (another process) can show it. */
void
_kiosk_uploader_persist_state (KioskUploader *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *last_error = NULL;
  g_autofree char *next_retry = NULL;

  if (self->outbox == NULL)
    return;

  g_mutex_lock (&self->lock);
  last_error = g_strdup (self->status.last_error);
  next_retry = g_strdup (self->status.next_retry);
  g_mutex_unlock (&self->lock);

  self->persisted_mode = self->mode;
  {
    const char * const keys[] = { KIOSK_SYNC_KEY_STATE, KIOSK_SYNC_KEY_LAST_ERROR,
                                  KIOSK_SYNC_KEY_NEXT_RETRY };
    const char * const values[] = { kiosk_sync_state_to_string (self->mode), last_error,
                                    next_retry };

    if (!kiosk_outbox_set_states (self->outbox, keys, values, G_N_ELEMENTS (keys), &error))
      g_debug ("Could not save the sync state: %s", error->message);
  }
}

void
_kiosk_uploader_set_error_message (KioskUploader *self,
                                   const char    *message)
{
  g_mutex_lock (&self->lock);
  if (g_strcmp0 (self->status.last_error, message) != 0)
    {
      g_free (self->status.last_error);
      self->status.last_error = g_strdup (message);
    }
  g_mutex_unlock (&self->lock);
}

void
_kiosk_uploader_set_next_retry (KioskUploader *self,
                                gint64         delay_ms,
                                gint64         retry_after_s)
{
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->status.next_retry, g_free);
  self->status.next_retry_in_ms = delay_ms;
  self->status.retry_after_s = retry_after_s;
  if (delay_ms >= 0)
    self->status.next_retry = kiosk_format_rfc3339 (g_get_real_time () + delay_ms * 1000, 0);
  g_mutex_unlock (&self->lock);
}

void
_kiosk_uploader_refresh_stats (KioskUploader *self,
                               gboolean       force)
{
  g_autoptr(GError) error = NULL;
  KioskQueueStats stats;
  KioskClockStats clock_stats = { 0 };
  KioskTimestamp now;
  gint64 mono = g_get_monotonic_time ();

  if (self->outbox == NULL)
    return;
  if (!force && mono - self->stats_refreshed_us < (gint64) self->timings.stats_interval_ms * 1000)
    return;

  if (!kiosk_outbox_get_stats (self->outbox, &stats, &error) ||
      (force && !kiosk_outbox_get_clock_stats (self->outbox, &clock_stats, &error)))
    {
      g_debug ("Could not read the queue figures: %s", error->message);
      return;
    }

  self->stats_refreshed_us = mono;
  kiosk_clock_now (self->clock, &now);

  g_mutex_lock (&self->lock);
  self->status.queue_depth = stats.depth;
  self->status.open_visits = stats.open_visits;
  self->status.dead_letters = stats.dead_letters;
  self->status.dropped = stats.dropped;
  self->status.last_seq = stats.last_seq;
  self->status.oldest_pending_age_s = stats.depth > 0
    ? MAX (0, (now.wall_us - stats.oldest_pending_wall_us) / G_USEC_PER_SEC) : -1;
  self->status.clock_synced = now.synced;
  if (force)
    {
      self->status.clock_unsynced = clock_stats.unsynced;
      self->status.clock_corrected = clock_stats.corrected;
    }
  self->status.batch_ceiling = self->ceiling;
  g_mutex_unlock (&self->lock);

  _kiosk_uploader_status_changed (self);
}

/* The state's changes after a failure */

void
_kiosk_uploader_enter_retry (KioskUploader *self,
                             KioskVerdict       *verdict)
{
  gint64 delay;

  self->failures++;

  if (verdict->retry_after_ms >= 0)
    {
      delay = kiosk_retry_after_spread_ms (self->rand, verdict->retry_after_ms,
                                           self->timings.retry_after_max_ms);
      self->retry_after_active = TRUE;
    }
  else
    {
      delay = kiosk_backoff_delay_ms (self->rand, self->failures, self->timings.backoff_base_ms,
                                      self->timings.backoff_cap_ms);
      self->retry_after_active = FALSE;
    }

  g_message ("%s; retry %u in %" G_GINT64_FORMAT " ms", verdict->message, self->failures, delay);
  _kiosk_uploader_set_error_message (self, verdict->message);
  _kiosk_uploader_set_next_retry (self, delay,
                                  verdict->retry_after_ms >= 0 ? verdict->retry_after_s : 0);
  _kiosk_uploader_schedule_upload (self, delay, FALSE);
  if (!_kiosk_uploader_set_mode (self, KIOSK_SYNC_BACKOFF))
    _kiosk_uploader_persist_state (self);
}

void
_kiosk_uploader_enter_pause (KioskUploader *self,
                             const char    *message)
{
  g_warning ("%s", message);
  self->retry_after_active = FALSE;
  _kiosk_uploader_set_error_message (self, message);
  _kiosk_uploader_set_next_retry (self, self->timings.pause_ms, 0);
  _kiosk_uploader_schedule_upload (self, self->timings.pause_ms, FALSE);
  if (!_kiosk_uploader_set_mode (self, KIOSK_SYNC_PAUSED))
    _kiosk_uploader_persist_state (self);
}

void
_kiosk_uploader_enter_retired (KioskUploader *self,
                               const char    *message)
{
  g_autoptr(GError) error = NULL;

  g_warning ("%s", message);
  _kiosk_uploader_set_error_message (self, message);
  _kiosk_uploader_set_next_retry (self, -1, 0);
  if (self->upload_source != NULL)
    {
      g_source_destroy (self->upload_source);
      g_clear_pointer (&self->upload_source, g_source_unref);
    }
  if (self->outbox != NULL &&
      !kiosk_outbox_set_state (self->outbox, KIOSK_SYNC_KEY_RETIRED_FOR, self->identity, &error))
    g_warning ("Could not save that the device is retired: %s", error->message);
  if (!_kiosk_uploader_set_mode (self, KIOSK_SYNC_RETIRED))
    _kiosk_uploader_persist_state (self);
}

/* Status for people */

const char *
kiosk_sync_state_to_string (KioskSyncState state)
{
  static const char * const names[] = {
    [KIOSK_SYNC_OFF] = "off",
    [KIOSK_SYNC_STARTING] = "starting",
    [KIOSK_SYNC_IDLE] = "idle",
    [KIOSK_SYNC_SENDING] = "sending",
    [KIOSK_SYNC_BACKOFF] = "backoff",
    [KIOSK_SYNC_PAUSED] = "paused",
    [KIOSK_SYNC_RETIRED] = "retired",
    [KIOSK_SYNC_STOPPED] = "stopped",
  };

  g_return_val_if_fail (state <= KIOSK_SYNC_STOPPED, "off");

  return names[state];
}

static KioskSyncState
sync_state_from_string (const char *text)
{
  for (KioskSyncState s = KIOSK_SYNC_OFF; s <= KIOSK_SYNC_STOPPED; s++)
    if (g_strcmp0 (text, kiosk_sync_state_to_string (s)) == 0)
      return s;

  return KIOSK_SYNC_STOPPED;
}

/**
 * kiosk_sync_status_load:
 *
 * What a running kiosk last recorded, read without writing anything: safe while it runs.
 */
KioskSyncStatus *
kiosk_sync_status_load (KioskConfig  *config,
                        GError      **error)
{
  g_autoptr(KioskSyncStatus) status = g_new0 (KioskSyncStatus, 1);
  g_autoptr(KioskOutbox) outbox = NULL;
  g_autofree char *db = NULL;
  g_autofree char *state = NULL;
  KioskQueueStats stats;
  KioskClockStats clock_stats;

  g_return_val_if_fail (KIOSK_IS_CONFIG (config), NULL);

  db = kiosk_config_dup_database_path (config);
  status->url = g_strdup (kiosk_config_get_cloud_url (config));
  status->oldest_pending_age_s = -1;
  status->next_retry_in_ms = -1;
  status->clock_synced = kiosk_system_clock_synced ();
  status->batch_ceiling = kiosk_config_get_batch_size (config);

  /* Nothing recorded yet is a state worth reporting, not an error. */
  if (!g_file_test (db, G_FILE_TEST_EXISTS))
    {
      status->state = status->url ? KIOSK_SYNC_STOPPED : KIOSK_SYNC_OFF;
      return g_steal_pointer (&status);
    }

  outbox = kiosk_outbox_open (db, KIOSK_OUTBOX_OPEN_READ_ONLY, error);
  if (outbox == NULL ||
      !kiosk_outbox_get_stats (outbox, &stats, error) ||
      !kiosk_outbox_get_clock_stats (outbox, &clock_stats, error))
    return NULL;

  status->queue_depth = stats.depth;
  status->open_visits = stats.open_visits;
  status->dead_letters = stats.dead_letters;
  status->dropped = stats.dropped;
  status->last_seq = stats.last_seq;
  if (stats.depth > 0)
    status->oldest_pending_age_s = MAX (0, (g_get_real_time () - stats.oldest_pending_wall_us) /
                                           G_USEC_PER_SEC);
  status->clock_unsynced = clock_stats.unsynced;
  status->clock_corrected = clock_stats.corrected;

  if (status->url == NULL)
    status->state = KIOSK_SYNC_OFF;
  else
    {
      g_autofree char *retired_for = kiosk_outbox_get_state (outbox, KIOSK_SYNC_KEY_RETIRED_FOR);
      g_autofree char *identity = g_strconcat (status->url, " ",
                                               kiosk_config_get_device_id (config), NULL);

      state = kiosk_outbox_get_state (outbox, KIOSK_SYNC_KEY_STATE);
      status->state = sync_state_from_string (state);
      if (g_strcmp0 (retired_for, identity) == 0)
        status->state = KIOSK_SYNC_RETIRED;
      status->last_error = kiosk_outbox_get_state (outbox, KIOSK_SYNC_KEY_LAST_ERROR);
      status->next_retry = kiosk_outbox_get_state (outbox, KIOSK_SYNC_KEY_NEXT_RETRY);
      status->survey_status = kiosk_outbox_get_state (outbox, KIOSK_SYNC_KEY_SURVEY_STATUS);
    }
  status->last_success = kiosk_outbox_get_state (outbox, KIOSK_SYNC_KEY_LAST_UPLOAD_OK_AT);

  return g_steal_pointer (&status);
}

static const char *
describe_state (KioskSyncState state)
{
  switch (state)
    {
    case KIOSK_SYNC_OFF:
      /* Translators: sync state in the status output */
      return _("off (no [cloud] url in the configuration)");
    case KIOSK_SYNC_STARTING:
      /* Translators: sync state in the status output */
      return _("starting");
    case KIOSK_SYNC_IDLE:
      /* Translators: sync state in the status output */
      return _("up to date");
    case KIOSK_SYNC_SENDING:
      /* Translators: sync state in the status output */
      return _("sending");
    case KIOSK_SYNC_BACKOFF:
      /* Translators: sync state in the status output */
      return _("waiting to retry after a failure");
    case KIOSK_SYNC_PAUSED:
      /* Translators: sync state in the status output */
      return _("paused: configuration problem");
    case KIOSK_SYNC_RETIRED:
      /* Translators: sync state in the status output */
      return _("stopped: the server retired this device");
    case KIOSK_SYNC_STOPPED:
    default:
      /* Translators: sync state in the status output: the kiosk is not running */
      return _("not running");
    }
}

static char *
format_age (gint64 seconds)
{
  if (seconds < 120)
    /* Translators: an age in seconds */
    return g_strdup_printf (_("%lld s"), (long long) seconds);
  if (seconds < 2 * 3600)
    /* Translators: an age in minutes */
    return g_strdup_printf (_("%lld min"), (long long) seconds / 60);
  if (seconds < 2 * 86400)
    /* Translators: an age in hours */
    return g_strdup_printf (_("%lld h"), (long long) seconds / 3600);
  {
    gulong days = (gulong) (seconds / 86400);

    /* Translators: an age in days */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu day", "%lu days", days), days);
  }
}

static void
add_line (GString    *out,
          const char *label,
          const char *value)
{
  /* Labels are translated: pad by characters, not bytes. */
  glong width = g_utf8_strlen (label, -1);

  g_string_append_printf (out, "  %s", label);
  for (glong i = width; i < 20; i++)
    g_string_append_c (out, ' ');
  g_string_append_printf (out, " %s\n", value);
}

/**
 * kiosk_sync_status_format:
 *
 * Returns: the status as lines for people (translated), as --status prints it
 */
char *
kiosk_sync_status_format (const KioskSyncStatus *s)
{
  GString *out = g_string_new (NULL);
  g_autofree char *depth = NULL;
  g_autofree char *oldest = NULL;
  g_autofree char *dead = NULL;
  g_autofree char *clock = NULL;

  g_return_val_if_fail (s != NULL, NULL);

  if (s->url == NULL)
    /* Translators: first line of --status when no cloud url is configured */
    g_string_append_printf (out, "%s\n", _("Sync off: no [cloud] url in the configuration; "
                                          "responses stay on this device"));
  else
    /* Translators: %s is the cloud url */
    g_string_append_printf (out, _("Sync on: %s\n"), s->url);

  add_line (out, _("State"), describe_state (s->state));

  depth = g_strdup_printf ("%" G_GINT64_FORMAT, s->queue_depth);
  if (s->open_visits > 0)
    {
      g_autofree char *with = g_strdup_printf (
        /* Translators: %s is the queue depth, %ld the number of visits still being answered */
        g_dngettext (GETTEXT_PACKAGE, "%s (and %ld visit still in progress)",
                     "%s (and %ld visits still in progress)", (gulong) s->open_visits),
        depth, (long) s->open_visits);

      g_free (depth);
      depth = g_steal_pointer (&with);
    }
  add_line (out, _("Queue depth"), depth);

  oldest = s->oldest_pending_age_s >= 0 ? format_age (s->oldest_pending_age_s)
                                        /* Translators: no pending response */
                                        : g_strdup (_("none"));
  add_line (out, _("Oldest pending"), oldest);

  dead = g_strdup_printf ("%" G_GINT64_FORMAT, s->dead_letters);
  add_line (out, _("Dead letters"), dead);

  if (s->dropped > 0)
    {
      g_autofree char *dropped = g_strdup_printf (
        /* Translators: responses deleted before delivery because the queue was full */
        _("%lld, never delivered ([storage] queue bounds)"), (long long) s->dropped);

      add_line (out, _("Dropped"), dropped);
    }

  add_line (out, _("Last success"), s->last_success ? s->last_success
                                    /* Translators: no successful upload yet */
                                    : _("never"));
  add_line (out, _("Last error"), s->last_error ? s->last_error
                                  /* Translators: no error */
                                  : _("none"));
  add_line (out, _("Next retry"), s->next_retry ? s->next_retry
                                  /* Translators: no retry scheduled */
                                  : _("none planned"));

  clock = g_strdup_printf (
    /* Translators: clock state; the numbers count responses not yet delivered */
    _("%s; %lld pending recorded before synchronisation, %lld corrected"),
    s->clock_synced ? _("synchronised") : _("not synchronised"),
    (long long) s->clock_unsynced, (long long) s->clock_corrected);
  add_line (out, _("Clock"), clock);

  if (s->survey_status != NULL)
    add_line (out, _("Survey"), s->survey_status);

  return g_string_free (out, FALSE);
}
