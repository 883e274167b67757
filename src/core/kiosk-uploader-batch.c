/* kiosk-uploader-batch.c: delivering the queue: a batch built and sent, split in halves on
 * 400/413/415/422 to corner a poison event, the server's answer recorded in the outbox, and the
 * database pruned in short steps after. */
#define G_LOG_DOMAIN "kiosk-uploader"

#include "config.h"

#include "kiosk-cloudevents.h"
#include "kiosk-uploader-private.h"

#define GZIP_THRESHOLD      1024
#define GZIP_LEVEL          6

/* Once the clock is synchronised, this boot's earlier unsent taps get their true wall time. */
static void
maybe_correct_clock (KioskUploader *self,
                     GPtrArray     *batch,
                     gboolean      *out_changed)
{
  g_autoptr(GError) error = NULL;
  const char *boot_id = kiosk_clock_get_boot_id (self->clock);
  KioskTimestamp now;
  gboolean needed = !self->clock_checked;
  gint64 corrected;

  *out_changed = FALSE;
  kiosk_clock_now (self->clock, &now);
  if (!now.synced)
    return;

  /* A response held in memory by a failing disk may arrive later, still uncorrected. */
  for (guint i = 0; batch && i < batch->len && !needed; i++)
    {
      KioskResponse *r = g_ptr_array_index (batch, i);

      needed = !r->time.synced && !r->clock_corrected && g_strcmp0 (r->boot_id, boot_id) == 0;
    }
  if (!needed)
    return;

  corrected = kiosk_outbox_correct_clock (self->outbox, boot_id, now.wall_us, now.monotonic_us,
                                          &error);
  if (corrected < 0)
    {
      g_warning ("%s", error->message);
      return;
    }

  self->clock_checked = TRUE;
  if (corrected > 0)
    {
      g_message ("The clock is synchronised: corrected the time of %" G_GINT64_FORMAT
                 " earlier responses of this boot", corrected);
      *out_changed = TRUE;
    }
}

/* The server answered 200 with a result per event: one transaction records them all. */
static gboolean
apply_results (KioskUploader    *self,
               GPtrArray        *batch,
               guint             start,
               guint             count,
               KioskEventResult *results,
               GError          **error)
{
  g_autofree KioskDeliveryResult *items = g_new0 (KioskDeliveryResult, count);
  g_auto(GStrv) events = g_new0 (char *, count + 1);
  KioskTimestamp stamp;
  guint rejected = 0;

  /* Retention counts from the delivery time: the uploader's clock, which tests control. */
  kiosk_clock_now (self->clock, &stamp);

  for (guint i = 0; i < count; i++)
    {
      KioskResponse *r = g_ptr_array_index (batch, start + i);

      items[i].seq = r->seq;
      items[i].uuid = r->uuid;
      if (results[i].status == KIOSK_EVENT_REJECTED)
        {
          /* Kept exactly as it was sent, for the operator to export. */
          events[rejected] = kiosk_cloudevent_to_json (r, self->source);
          items[i].rejected = TRUE;
          items[i].reason = results[i].reason;
          items[i].event = events[rejected++];
        }
    }

  if (!kiosk_outbox_apply_results (self->outbox, items, count, 200, stamp.wall_us, error))
    return FALSE;

  for (guint i = 0; i < count; i++)
    if (items[i].rejected)
      g_warning ("The server rejected response %" G_GINT64_FORMAT " (%s): %s; it was moved "
                 "to the dead letters", items[i].seq, items[i].uuid,
                 items[i].reason ? items[i].reason : "no reason given");

  g_mutex_lock (&self->lock);
  self->status.delivered += count - rejected;
  self->status.dead_lettered += rejected;
  g_free (self->status.last_success);
  self->status.last_success = kiosk_format_rfc3339 (stamp.wall_us, 0);
  g_mutex_unlock (&self->lock);

  return TRUE;
}

/* A lone event the server refused on its own (400, 413, 415, 422): a dead letter. */
static gboolean
dead_letter_one (KioskUploader     *self,
                 KioskResponse     *r,
                 const KioskReply  *reply,
                 GError           **error)
{
  g_autofree char *event = kiosk_cloudevent_to_json (r, self->source);
  g_autofree char *excerpt = kiosk_printable_excerpt ((const char *) reply->body->data,
                                                      reply->body->len, 300);
  g_autofree char *reason = g_strdup_printf ("HTTP %ld%s%s", reply->status,
                                             excerpt[0] ? ": " : "", excerpt);
  KioskDeliveryResult item = { r->seq, r->uuid, TRUE, reason, event };

  g_warning ("The server refused response %" G_GINT64_FORMAT " (%s) on its own (%s); it was "
             "moved to the dead letters", r->seq, r->uuid, reason);

  if (!kiosk_outbox_apply_results (self->outbox, &item, 1, (int) reply->status,
                                   g_get_real_time (), error))
    return FALSE;

  g_mutex_lock (&self->lock);
  self->status.dead_lettered++;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/**
 * deliver:
 * @start, @count: the part of @batch to send
 *
 * Sends part of a batch and records the server's answer. A 400/413/415/422 for several events
 * splits them in halves, to corner a poison event; a lone event so refused is dead-lettered.
 */
static void
deliver (KioskUploader *self,
         GPtrArray     *batch,
         guint          start,
         guint          count,
         KioskVerdict       *verdict)
{
  g_autoptr(GPtrArray) part = g_ptr_array_new ();
  g_autoptr(GString) json = NULL;
  g_autoptr(GBytes) gzipped = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree const char **ids = NULL;
  g_autofree KioskEventResult *results = NULL;
  const char *headers[3] = { "Content-Type: " KIOSK_CLOUDEVENTS_MEDIA_TYPE,
                             "Accept: application/json", NULL };
  const char *gzip_headers[4] = { "Content-Type: " KIOSK_CLOUDEVENTS_MEDIA_TYPE,
                                  "Accept: application/json", "Content-Encoding: gzip", NULL };
  const void *body;
  gsize body_length;
  guint sent = 0;
  KioskReply reply;

  /* A 413 earlier in this batch lowered the ceiling: the rest goes in pieces that fit. */
  if (count > self->ceiling)
    {
      guint first = self->ceiling;

      deliver (self, batch, start, first, verdict);
      if (verdict->outcome == KIOSK_ATTEMPT_DONE)
        deliver (self, batch, start + first, count - first, verdict);
      return;
    }

  for (guint i = 0; i < count; i++)
    g_ptr_array_add (part, g_ptr_array_index (batch, start + i));

  json = kiosk_cloudevents_build_batch (part, self->source, KIOSK_CLOUDEVENTS_MAX_BYTES, &sent);
  /* Whatever did not fit under 512 KiB waits for the next batch. */
  count = sent;

  body = json->str;
  body_length = json->len;
  if (json->len > GZIP_THRESHOLD)
    {
      gzipped = kiosk_gzip (json->str, json->len, GZIP_LEVEL, &error);
      if (gzipped == NULL)
        {
          kiosk_verdict_set (verdict, KIOSK_ATTEMPT_RETRY, g_strdup (error->message));
          return;
        }
      body = g_bytes_get_data (gzipped, &body_length);
    }

  if (!kiosk_transport_perform (self->transport, "POST", self->events_url,
                                gzipped ? gzip_headers : headers, body, body_length, &reply,
                                &error))
    {
      kiosk_verdict_set (verdict, KIOSK_ATTEMPT_PAUSE, g_strdup (error->message));
      kiosk_reply_clear (&reply);
      return;
    }

  if (reply.code == CURLE_OK && reply.status >= 200 && reply.status < 300)
    {
      ids = g_new (const char *, count);
      for (guint i = 0; i < count; i++)
        ids[i] = ((KioskResponse *) g_ptr_array_index (batch, start + i))->uuid;
      results = g_new0 (KioskEventResult, count);

      if (reply.status != 200 ||
          !kiosk_cloudevents_parse_reply ((const char *) reply.body->data, reply.body->len,
                                          ids, count, results, &error))
        {
          /* A captive portal's page, a proxy's error: nothing is known, everything is resent. */
          kiosk_verdict_set (verdict, KIOSK_ATTEMPT_RETRY,
                             g_strdup_printf ("uploading: HTTP %ld, but %s", reply.status,
                                              error ? error->message
                                                    : "only 200 carries the per-event results"));
        }
      else if (!apply_results (self, batch, start, count, results, &error))
        kiosk_verdict_set (verdict, KIOSK_ATTEMPT_RETRY,
                           g_strdup_printf ("uploading: the server took the batch but the result "
                                            "could not be saved (it will be sent again): %s",
                                            error->message));
      else
        kiosk_verdict_set (verdict, KIOSK_ATTEMPT_DONE, NULL);

      kiosk_event_results_clear (results, count);
    }
  else if (reply.code == CURLE_OK && kiosk_status_splits (reply.status))
    {
      if (count > 1)
        {
          guint half = count / 2;

          if (reply.status == 413 && half < self->ceiling)
            {
              g_message ("The server found a batch of %u events too large (HTTP 413): batches "
                         "now hold at most %u", count, half);
              self->ceiling = half;
            }

          kiosk_reply_clear (&reply);
          deliver (self, batch, start, half, verdict);
          if (verdict->outcome == KIOSK_ATTEMPT_DONE)
            deliver (self, batch, start + half, count - half, verdict);
          return;
        }

      if (!dead_letter_one (self, g_ptr_array_index (batch, start), &reply, &error))
        kiosk_verdict_set (verdict, KIOSK_ATTEMPT_RETRY,
                           g_strdup_printf ("uploading: could not record a dead letter: %s",
                                            error->message));
      else
        kiosk_verdict_set (verdict, KIOSK_ATTEMPT_DONE, NULL);
    }
  else
    kiosk_retry_judge_failure (&reply, "uploading", g_atomic_int_get (&self->stopping),
                               &self->timings, verdict);

  kiosk_reply_clear (&reply);
}

static void
count_failed_attempt (KioskUploader *self,
                      GPtrArray     *batch)
{
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *seqs = g_new (gint64, MAX (batch->len, 1));

  for (guint i = 0; i < batch->len; i++)
    seqs[i] = ((KioskResponse *) g_ptr_array_index (batch, i))->seq;

  if (!kiosk_outbox_count_attempts (self->outbox, seqs, batch->len, &error))
    g_debug ("Could not count a delivery attempt: %s", error->message);
}

/* Pruning: retention and the queue bounds (kiosk_outbox_prune_step()). It runs only after
 * something happened (start, a delivered batch, a failed attempt, a tap), in steps of a few
 * hundred rows with a pause between them so a tap always finds the lock free soon, and stops
 * when there is nothing left to do: an idle kiosk never wakes up for it. */

static gboolean prune_tick_cb (gpointer user_data);

void
_kiosk_uploader_schedule_prune (KioskUploader *self,
                                guint          delay_ms)
{
  if (self->prune_source != NULL)
    return;

  self->prune_source = g_timeout_source_new (delay_ms);
  g_source_set_name (self->prune_source, "[kiosk-uploader] prune");
  g_source_set_callback (self->prune_source, prune_tick_cb, self, NULL);
  g_source_attach (self->prune_source, self->worker_context);
}

static gboolean
prune_tick_cb (gpointer user_data)
{
  KioskUploader *self = user_data;
  g_autoptr(GError) error = NULL;
  KioskPruneResult result;
  KioskTimestamp now;

  g_clear_pointer (&self->prune_source, g_source_unref);

  if (g_atomic_int_get (&self->stopping) || !_kiosk_uploader_ensure_outbox (self, &error))
    return G_SOURCE_REMOVE;

  kiosk_clock_now (self->clock, &now);
  if (!kiosk_outbox_prune_step (self->outbox, &self->retention, now.wall_us,
                                KIOSK_UPLOADER_PRUNE_STEP_ROWS,
                                &result, &error))
    {
      /* Advisory: the next delivery tries again. */
      g_debug ("Could not prune the database: %s", error->message);
      return G_SOURCE_REMOVE;
    }

  if (result.dropped > 0)
    _kiosk_uploader_refresh_stats (self, TRUE);

  if (result.expired + result.evicted + result.dropped + result.incidents > 0)
    _kiosk_uploader_schedule_prune (self, KIOSK_UPLOADER_PRUNE_PAUSE_MS);

  return G_SOURCE_REMOVE;
}

/* The upload timer: one batch, then what its outcome calls for. */
gboolean
_kiosk_uploader_upload_tick (gpointer user_data)
{
  KioskUploader *self = user_data;
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GError) error = NULL;
  KioskVerdict verdict = KIOSK_VERDICT_INIT;
  gboolean corrected = FALSE;
  gboolean was_failing;

  g_clear_pointer (&self->upload_source, g_source_unref);

  if (g_atomic_int_get (&self->stopping) || self->mode == KIOSK_SYNC_RETIRED)
    return G_SOURCE_REMOVE;

  if (!_kiosk_uploader_ensure_outbox (self, &error))
    {
      g_autofree char *message = g_strdup_printf ("cannot read the queue: %s", error->message);

      kiosk_verdict_set (&verdict, KIOSK_ATTEMPT_RETRY, g_steal_pointer (&message));
      _kiosk_uploader_enter_retry (self, &verdict);
      g_free (verdict.message);
      return G_SOURCE_REMOVE;
    }

  batch = kiosk_outbox_next_batch (self->outbox, self->ceiling, &error);
  if (batch != NULL)
    {
      maybe_correct_clock (self, batch, &corrected);
      if (corrected)
        {
          g_clear_pointer (&batch, g_ptr_array_unref);
          batch = kiosk_outbox_next_batch (self->outbox, self->ceiling, &error);
        }
    }

  if (batch == NULL)
    {
      kiosk_verdict_set (&verdict, KIOSK_ATTEMPT_RETRY,
                         g_strdup_printf ("cannot read the queue: %s", error->message));
      _kiosk_uploader_enter_retry (self, &verdict);
      g_free (verdict.message);
      return G_SOURCE_REMOVE;
    }

  was_failing = self->failures > 0 || self->mode == KIOSK_SYNC_PAUSED;

  if (batch->len == 0)
    {
      self->failures = 0;
      self->retry_after_active = FALSE;
      _kiosk_uploader_set_next_retry (self, -1, 0);
      if (was_failing)
        _kiosk_uploader_set_error_message (self, NULL);
      if (!_kiosk_uploader_set_mode (self, KIOSK_SYNC_IDLE) && was_failing)
        _kiosk_uploader_persist_state (self);
      _kiosk_uploader_refresh_stats (self, TRUE);
      return G_SOURCE_REMOVE;
    }

  _kiosk_uploader_set_mode (self, KIOSK_SYNC_SENDING);
  deliver (self, batch, 0, batch->len, &verdict);

  switch (verdict.outcome)
    {
    case KIOSK_ATTEMPT_DONE:
      /* Still "sending" until a look at the queue finds it empty. */
      self->failures = 0;
      self->retry_after_active = FALSE;
      _kiosk_uploader_set_error_message (self, NULL);
      _kiosk_uploader_set_next_retry (self, -1, 0);
      if (was_failing)
        _kiosk_uploader_persist_state (self);
      _kiosk_uploader_refresh_stats (self, FALSE);
      /* More may be waiting: the next batch goes at once, through the main loop so timers and
       * a shutdown get their turn. */
      _kiosk_uploader_schedule_upload (self, 0, TRUE);
      _kiosk_uploader_schedule_prune (self, KIOSK_UPLOADER_PRUNE_PAUSE_MS);
      break;

    case KIOSK_ATTEMPT_RETRY:
      count_failed_attempt (self, batch);
      _kiosk_uploader_enter_retry (self, &verdict);
      _kiosk_uploader_refresh_stats (self, TRUE);
      /* Offline, the queue grows: its bounds are checked at each attempt. */
      _kiosk_uploader_schedule_prune (self, KIOSK_UPLOADER_PRUNE_PAUSE_MS);
      break;

    case KIOSK_ATTEMPT_PAUSE:
      _kiosk_uploader_enter_pause (self, verdict.message);
      _kiosk_uploader_refresh_stats (self, TRUE);
      break;

    case KIOSK_ATTEMPT_RETIRED:
      _kiosk_uploader_enter_retired (self, verdict.message);
      _kiosk_uploader_refresh_stats (self, TRUE);
      break;

    case KIOSK_ATTEMPT_STOPPED:
      break;
    }

  g_free (verdict.message);
  return G_SOURCE_REMOVE;
}
