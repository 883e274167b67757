/* kiosk-uploader.c: delivers the queue of responses to the cloud API, pulls the survey and sends
 * heartbeats, on a worker thread with its own GMainContext, SQLite connection and libcurl handle.
 *
 * Nothing is marked delivered until the server named it in a valid reply, so a crash, a kill or
 * a lost reply only ever causes a resend, which the server de-duplicates on the event id. The
 * thread never calls GTK: it reports to the main context with g_main_context_invoke().
 *
 * This file holds the object, its thread and timers; the rest is by concern: kiosk-transport.c
 * (HTTP), kiosk-retry.c (backoff), kiosk-uploader-batch.c, -survey.c, -heartbeat.c and
 * kiosk-sync-status.c. */
#define G_LOG_DOMAIN "kiosk-uploader"

#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kiosk-cloudevents.h"
#include "kiosk-uploader-private.h"

#define POLL_JITTER         0.2
#define STOP_TIMEOUT_US     (2 * G_USEC_PER_SEC)
#define PRUNE_WAKE_INTERVAL_US (60 * G_USEC_PER_SEC)
#define MAX_INCIDENTS          1000
#define WORKER_NICE            10

enum {
  STATUS_CHANGED,
  SURVEY_UPDATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KioskUploader, kiosk_uploader, G_TYPE_OBJECT)

G_DEFINE_QUARK (kiosk-uploader-error-quark, kiosk_uploader_error)

typedef struct
{
  GWeakRef *uploader;
  guint     signal;
  char     *path;
} Notification;

static void
notification_free (gpointer data)
{
  Notification *n = data;

  g_atomic_rc_box_release_full (n->uploader, (GDestroyNotify) g_weak_ref_clear);
  g_free (n->path);
  g_free (n);
}

/* On the main context. A weak reference: a notification may outlive a stopped uploader. */
static gboolean
notification_cb (gpointer data)
{
  Notification *n = data;
  g_autoptr(KioskUploader) self = g_weak_ref_get (n->uploader);

  if (self == NULL)
    return G_SOURCE_REMOVE;

  if (n->signal == STATUS_CHANGED)
    {
      g_atomic_int_set (&self->notify_pending, 0);
      g_signal_emit (self, signals[STATUS_CHANGED], 0);
    }
  else
    g_signal_emit (self, signals[SURVEY_UPDATED], 0, n->path);

  return G_SOURCE_REMOVE;
}

static void
notify_main (KioskUploader *self,
             guint          signal,
             const char    *path)
{
  Notification *n;

  /* A drain changes the status hundreds of times a second; one pending notification is enough. */
  if (signal == STATUS_CHANGED && !g_atomic_int_compare_and_exchange (&self->notify_pending, 0, 1))
    return;

  n = g_new0 (Notification, 1);
  n->uploader = g_atomic_rc_box_acquire (self->weak_self);
  n->signal = signal;
  n->path = g_strdup (path);
  g_main_context_invoke_full (self->main_context, G_PRIORITY_DEFAULT, notification_cb, n,
                              notification_free);
}

void
_kiosk_uploader_status_changed (KioskUploader *self)
{
  if (self->main_context != NULL)
    notify_main (self, STATUS_CHANGED, NULL);
}

void
_kiosk_uploader_survey_updated (KioskUploader *self,
                                const char    *path)
{
  notify_main (self, SURVEY_UPDATED, path);
}

/* GObject */

static void
kiosk_uploader_finalize (GObject *object)
{
  KioskUploader *self = KIOSK_UPLOADER (object);

  kiosk_uploader_stop (self);
  /* A thread left behind by a stop still posts through it. */
  if (!self->abandoned)
    g_atomic_rc_box_release_full (self->weak_self, (GDestroyNotify) g_weak_ref_clear);

  if (self->validator_destroy)
    self->validator_destroy (self->validator_data);

  g_clear_pointer (&self->transport, kiosk_transport_free);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_clear_pointer (&self->worker_context, g_main_context_unref);
  g_clear_object (&self->clock);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->events_url, g_free);
  g_clear_pointer (&self->survey_url, g_free);
  g_clear_pointer (&self->heartbeat_url, g_free);
  g_clear_pointer (&self->token_file, g_free);
  g_clear_pointer (&self->device_id, g_free);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->identity, g_free);
  g_clear_pointer (&self->database_path, g_free);
  g_clear_pointer (&self->survey_path, g_free);
  g_clear_pointer (&self->survey_id, g_free);
  _kiosk_sync_status_clear (&self->status);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->finished_cond);

  G_OBJECT_CLASS (kiosk_uploader_parent_class)->finalize (object);
}

static void
kiosk_uploader_class_init (KioskUploaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kiosk_uploader_finalize;

  /* Once per process, before any thread may use libcurl. */
  curl_global_init (CURL_GLOBAL_DEFAULT);

  /**
   * KioskUploader::status-changed:
   *
   * Emitted on the main context when the status snapshot changed (coalesced while busy).
   */
  signals[STATUS_CHANGED] =
    g_signal_new ("status-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * KioskUploader::survey-updated:
   * @path: the survey file, already validated and written atomically
   *
   * Emitted on the main context. Switch to it at the next idle moment, never during a visit.
   */
  signals[SURVEY_UPDATED] =
    g_signal_new ("survey-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
kiosk_uploader_init (KioskUploader *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->finished_cond);
  self->weak_self = g_atomic_rc_box_new0 (GWeakRef);
  g_weak_ref_init (self->weak_self, self);
  kiosk_uploader_timings_init (&self->timings);
  self->status.oldest_pending_age_s = -1;
  self->status.next_retry_in_ms = -1;
  self->storage_health = -1;
  self->buttons_configured = -1;
  self->network_available = TRUE;
}

void
kiosk_uploader_timings_init (KioskUploaderTimings *t)
{
  g_return_if_fail (t != NULL);

  *t = (KioskUploaderTimings) {
    .debounce_ms = 1000,
    .start_delay_max_ms = 10 * 1000,
    .backoff_base_ms = 2 * 1000,
    .backoff_cap_ms = 10 * 60 * 1000,
    .pause_ms = 15 * 60 * 1000,
    .retry_after_min_ms = 1000,
    .retry_after_max_ms = 24 * 3600 * 1000,
    .survey_poll_ms = 5 * 60 * 1000,
    .heartbeat_ms = 5 * 60 * 1000,
    .connect_timeout_ms = 10 * 1000,
    .low_speed_time_s = 30,
    .total_timeout_ms = 120 * 1000,
    .stats_interval_ms = 1000,
    .seed = 0,
    .use_network_monitor = TRUE,
  };
}

/* Every request the transport makes, so the status counts them all. */
static void
count_request (const KioskReply *reply,
               gpointer          user_data)
{
  KioskUploader *self = user_data;

  g_mutex_lock (&self->lock);
  self->status.requests++;
  self->status.bytes_sent += reply->bytes_sent;
  self->status.bytes_received += reply->bytes_received;
  g_mutex_unlock (&self->lock);
}

/**
 * kiosk_uploader_new:
 * @config: with a [cloud] url
 * @database_path: the store's database
 *
 * Nothing runs until kiosk_uploader_start().
 */
KioskUploader *
kiosk_uploader_new (KioskConfig  *config,
                    const char   *database_path,
                    GError      **error)
{
  g_autoptr(KioskUploader) self = NULL;
  g_autofree char *escaped_id = NULL;
  const char *url;

  g_return_val_if_fail (KIOSK_IS_CONFIG (config), NULL);
  g_return_val_if_fail (database_path != NULL, NULL);

  url = kiosk_config_get_cloud_url (config);
  if (url == NULL)
    {
      g_set_error_literal (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_CONFIG,
                           "sync is off: the configuration has no [cloud] url");
      return NULL;
    }
  if (!kiosk_cloud_url_check (url, kiosk_config_get_allow_insecure_http (config), error))
    return NULL;
  if (kiosk_config_get_token_file (config) == NULL)
    {
      g_set_error_literal (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_CONFIG,
                           "[cloud] url: needs [cloud] token-file "
                           "(a file holding the bearer token)");
      return NULL;
    }

  self = g_object_new (KIOSK_TYPE_UPLOADER, NULL);
  self->url = g_strdup (url);
  while (g_str_has_suffix (self->url, "/"))
    self->url[strlen (self->url) - 1] = '\0';
  self->device_id = g_strdup (kiosk_config_get_device_id (config));
  escaped_id = g_uri_escape_string (self->device_id, NULL, FALSE);
  self->events_url = g_strconcat (self->url, "/v1/events", NULL);
  self->survey_url = g_strconcat (self->url, "/v1/devices/", escaped_id, "/survey", NULL);
  self->heartbeat_url = g_strconcat (self->url, "/v1/devices/", escaped_id, "/heartbeat", NULL);
  self->token_file = g_strdup (kiosk_config_get_token_file (config));
  self->transport = kiosk_transport_new (self->token_file, kiosk_config_get_ca_file (config),
                                         kiosk_config_get_pinned_public_key (config),
                                         g_ascii_strncasecmp (self->url, "http:", 5) == 0);
  kiosk_transport_set_observer (self->transport, count_request, self);
  self->source = kiosk_cloudevents_source (self->device_id);
  self->identity = g_strconcat (self->url, " ", self->device_id, NULL);
  self->database_path = g_strdup (database_path);
  self->survey_path = g_build_filename (kiosk_config_get_state_directory (config), "survey.json",
                                        NULL);
  self->batch_size = CLAMP (kiosk_config_get_batch_size (config), 1, KIOSK_CLOUDEVENTS_MAX_EVENTS);
  self->ceiling = self->batch_size;
  self->timings.survey_poll_ms = kiosk_config_get_survey_poll_seconds (config) * 1000;
  self->timings.heartbeat_ms = kiosk_config_get_heartbeat_seconds (config) * 1000;
  self->retention.retention_us = (gint64) kiosk_config_get_retention_days (config) * 24 * 3600 *
                                 G_USEC_PER_SEC;
  self->retention.max_queue_responses = kiosk_config_get_max_queue_responses (config);
  self->retention.max_database_bytes = (gint64) kiosk_config_get_max_database_megabytes (config)
                                       << 20;
  self->retention.max_incidents = MAX_INCIDENTS;
  self->clock = kiosk_clock_new ();
  self->status.state = KIOSK_SYNC_STOPPED;
  self->status.url = g_strdup (self->url);
  self->status.batch_ceiling = self->ceiling;

  if (g_ascii_strncasecmp (self->url, "http:", 5) == 0 &&
      kiosk_config_get_allow_insecure_http (config))
    {
      g_autoptr(GUri) uri = g_uri_parse (self->url, G_URI_FLAGS_NONE, NULL);

      if (!kiosk_host_is_loopback (g_uri_get_host (uri)))
        g_warning ("[cloud] url %s: http:// to a host that is not loopback (allow-insecure-http "
                   "is set): the token and the responses travel unencrypted", self->url);
    }

  return g_steal_pointer (&self);
}

void
kiosk_uploader_set_timings (KioskUploader              *self,
                            const KioskUploaderTimings *timings)
{
  g_return_if_fail (KIOSK_IS_UPLOADER (self));
  g_return_if_fail (timings != NULL);
  g_return_if_fail (self->thread == NULL);

  self->timings = *timings;
}

/* A fake clock lets tests make the clock synchronise without waiting for NTP. */
void
kiosk_uploader_set_clock (KioskUploader *self,
                          KioskClock    *clock)
{
  g_return_if_fail (KIOSK_IS_UPLOADER (self));
  g_return_if_fail (KIOSK_IS_CLOCK (clock));
  g_return_if_fail (self->thread == NULL);

  g_set_object (&self->clock, clock);
}

/* The worker's database connection */

gboolean
_kiosk_uploader_ensure_outbox (KioskUploader  *self,
                               GError        **error)
{
  if (self->outbox != NULL && kiosk_outbox_needs_reopen (self->outbox))
    {
      g_message ("%s: closing the database connection after an error; it is opened again "
                 "for the next attempt", self->database_path);
      g_clear_object (&self->outbox);
    }

  if (self->outbox != NULL)
    return TRUE;

  /* Marking deliveries needs a writable file system. Tried with a file of its own before
   * opening (access(2) misses a file system the kernel aborted), because a connection, even a
   * reading one, keeps a read-only file system from being unmounted, checked and mounted
   * again, and sending batches that cannot be marked only makes duplicates. */
  {
    g_autofree char *probe = g_strconcat (self->database_path, "-uploader-probe", NULL);
    int fd = g_open (probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (fd < 0)
      {
        int saved_errno = errno;

        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                     "%s: %s; waiting until it can be written", self->database_path,
                     g_strerror (saved_errno));
        return FALSE;
      }
    close (fd);
    g_unlink (probe);
  }

  self->outbox = kiosk_outbox_open (self->database_path, KIOSK_OUTBOX_OPEN_DEFAULT, error);
  return self->outbox != NULL;
}

/* Timers */

void
_kiosk_uploader_schedule_upload (KioskUploader *self,
                                 gint64         delay_ms,
                                 gboolean       only_if_earlier)
{
  gint64 due = g_get_monotonic_time () + delay_ms * 1000;

  if (self->upload_source != NULL)
    {
      if (only_if_earlier && self->upload_due_us <= due)
        return;
      g_source_destroy (self->upload_source);
      g_clear_pointer (&self->upload_source, g_source_unref);
    }

  /* GLib's timeouts run on the monotonic clock: a clock step by NTP changes nothing here. */
  self->upload_source = g_timeout_source_new ((guint) CLAMP (delay_ms, 0, G_MAXUINT));
  g_source_set_name (self->upload_source, "[kiosk-uploader] upload");
  g_source_set_callback (self->upload_source, _kiosk_uploader_upload_tick, self, NULL);
  g_source_attach (self->upload_source, self->worker_context);
  self->upload_due_us = due;
}

gint64
_kiosk_uploader_jittered (KioskUploader *self,
                          guint          interval_ms)
{
  return (gint64) (interval_ms * g_rand_double_range (self->rand, 1 - POLL_JITTER,
                                                      1 + POLL_JITTER));
}

void
_kiosk_uploader_reschedule (KioskUploader *self,
                            GSource      **slot,
                            gint64         delay_ms,
                            GSourceFunc    callback,
                            const char    *name)
{
  if (*slot != NULL)
    {
      g_source_destroy (*slot);
      g_clear_pointer (slot, g_source_unref);
    }

  *slot = g_timeout_source_new ((guint) CLAMP (delay_ms, 0, G_MAXUINT));
  g_source_set_name (*slot, name);
  g_source_set_callback (*slot, callback, self, NULL);
  g_source_attach (*slot, self->worker_context);
}

/* The worker */

static gint64
start_delay (KioskUploader *self)
{
  return (gint64) (g_rand_double (self->rand) * self->timings.start_delay_max_ms);
}

static gboolean
wake_cb (gpointer user_data)
{
  KioskUploader *self = user_data;

  g_atomic_int_set (&self->wake_pending, 0);

  /* A kiosk offline for months may never retry (a paused or retired uploader): taps are what
   * make its queue grow, so they are when its bounds are checked, at most once a minute. */
  if (g_get_monotonic_time () - self->prune_woken_us >= PRUNE_WAKE_INTERVAL_US)
    {
      self->prune_woken_us = g_get_monotonic_time ();
      _kiosk_uploader_schedule_prune (self, KIOSK_UPLOADER_PRUNE_PAUSE_MS);
    }

  /* Backoff, pause, start delay and retirement all have their own timer or none: a tap does not
   * shorten them. */
  if (self->mode == KIOSK_SYNC_IDLE && self->upload_source == NULL)
    _kiosk_uploader_schedule_upload (self, self->timings.debounce_ms, TRUE);

  return G_SOURCE_REMOVE;
}

static gboolean
sync_now_cb (gpointer user_data)
{
  KioskUploader *self = user_data;

  if (self->mode == KIOSK_SYNC_RETIRED)
    return G_SOURCE_REMOVE;

  self->failures = 0;
  self->retry_after_active = FALSE;
  _kiosk_uploader_set_mode (self, KIOSK_SYNC_IDLE);
  _kiosk_uploader_schedule_upload (self, 0, FALSE);
  _kiosk_uploader_reschedule (self, &self->survey_source, 0, _kiosk_uploader_survey_tick,
                              "[kiosk-uploader] survey");

  return G_SOURCE_REMOVE;
}

typedef struct
{
  KioskUploader *self;
  gboolean       available;
} NetworkChange;

static gboolean
network_changed_cb (gpointer user_data)
{
  NetworkChange *change = user_data;
  KioskUploader *self = change->self;
  gboolean returned = change->available && !self->network_available;

  self->network_available = change->available;

  /* A hint only: while "down" the retries go on as planned (the monitor can be wrong). When it
   * returns, a failing queue is retried soon, after a random moment so a fleet does not arrive
   * at once; a server's Retry-After still wins. */
  if (returned && self->mode == KIOSK_SYNC_BACKOFF && !self->retry_after_active)
    {
      gint64 delay = start_delay (self);

      g_message ("The network is back: retrying in %" G_GINT64_FORMAT " ms", delay);
      self->failures = 0;
      _kiosk_uploader_set_next_retry (self, delay, 0);
      _kiosk_uploader_schedule_upload (self, delay, TRUE);
      _kiosk_uploader_status_changed (self);
    }

  return G_SOURCE_REMOVE;
}

static void
finish_worker (KioskUploader *self)
{
  GSource **sources[] = { &self->upload_source, &self->survey_source, &self->heartbeat_source,
                          &self->prune_source };

  /* A clean stop says so in the database; a retirement stays a retirement. */
  if (self->mode != KIOSK_SYNC_RETIRED)
    {
      _kiosk_uploader_set_next_retry (self, -1, 0);
      _kiosk_uploader_set_mode (self, KIOSK_SYNC_STOPPED);
    }

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    if (*sources[i] != NULL)
      {
        g_source_destroy (*sources[i]);
        g_clear_pointer (sources[i], g_source_unref);
      }

  if (self->token_monitor != NULL)
    {
      g_file_monitor_cancel (self->token_monitor);
      g_clear_object (&self->token_monitor);
    }
  kiosk_transport_close (self->transport);
  g_clear_object (&self->outbox);
  g_clear_pointer (&self->rand, g_rand_free);
}

/* The operator fixed the token file (or its mode): a pause for a configuration problem ends now
 * rather than at the next 15-minute retry. */
static void
token_changed_cb (GFileMonitor      *monitor,
                  GFile             *file,
                  GFile             *other,
                  GFileMonitorEvent  event,
                  gpointer           user_data)
{
  KioskUploader *self = user_data;

  if (self->mode != KIOSK_SYNC_PAUSED || event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT)
    return;

  g_message ("The token file changed: retrying");
  _kiosk_uploader_set_next_retry (self, self->timings.debounce_ms, 0);
  _kiosk_uploader_schedule_upload (self, self->timings.debounce_ms, TRUE);
}

static GRand *
make_rand (KioskUploader *self)
{
  guint32 seed[4];

  if (self->timings.seed != 0)
    {
      seed[0] = (guint32) self->timings.seed;
      seed[1] = (guint32) (self->timings.seed >> 32);
      return g_rand_new_with_seed_array (seed, 2);
    }

  /* Per device and per start: two kiosks, or one kiosk restarting, never share a schedule. */
  seed[0] = g_str_hash (self->device_id);
  seed[1] = g_random_int ();
  seed[2] = (guint32) g_get_real_time ();
  seed[3] = (guint32) getpid ();
  return g_rand_new_with_seed_array (seed, G_N_ELEMENTS (seed));
}

/* The queue can wait a moment, a visitor cannot: this thread yields the CPU and the disk to
 * the main thread, whose taps commit while a backlog drains. On Linux a thread has a nice value
 * and an I/O priority of its own; only this thread's change. */
static void
lower_worker_priority (void)
{
#ifdef __linux__
  pid_t tid = (pid_t) syscall (SYS_gettid);
  const int ioprio_who_process = 1;
  const int ioprio_best_effort_lowest = (2 << 13) | 7;

  if (setpriority (PRIO_PROCESS, (id_t) tid, WORKER_NICE) != 0)
    g_debug ("The uploader keeps its CPU priority: %s", g_strerror (errno));
  if (syscall (SYS_ioprio_set, ioprio_who_process, tid, ioprio_best_effort_lowest) != 0)
    g_debug ("The uploader keeps its I/O priority: %s", g_strerror (errno));
#endif
}

static gpointer
worker_main (gpointer data)
{
  KioskUploader *self = data;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (self->worker_context);
  lower_worker_priority ();

  self->rand = make_rand (self);

  /* inotify, in this thread's context: no polling, no wake-ups while nothing changes. */
  {
    g_autoptr(GFile) token = g_file_new_for_path (self->token_file);

    self->token_monitor = g_file_monitor_file (token, G_FILE_MONITOR_NONE, NULL, NULL);
    if (self->token_monitor != NULL)
      g_signal_connect (self->token_monitor, "changed", G_CALLBACK (token_changed_cb), self);
  }

  if (_kiosk_uploader_ensure_outbox (self, &error))
    {
      g_autofree char *retired_for = kiosk_outbox_get_state (self->outbox,
                                                             KIOSK_SYNC_KEY_RETIRED_FOR);
      g_autofree char *last_ok = kiosk_outbox_get_state (self->outbox,
                                                         KIOSK_SYNC_KEY_LAST_UPLOAD_OK_AT);

      g_mutex_lock (&self->lock);
      g_free (self->status.last_success);
      self->status.last_success = g_steal_pointer (&last_ok);
      g_mutex_unlock (&self->lock);

      /* Retired by a 410 for this very url and device: only a configuration change revives. */
      if (g_strcmp0 (retired_for, self->identity) == 0)
        {
          _kiosk_uploader_set_error_message (self, "the server retired this device (HTTP 410): "
                                                   "nothing is sent until the configuration "
                                                   "changes; no data was deleted");
          _kiosk_uploader_set_mode (self, KIOSK_SYNC_RETIRED);
        }
      else if (retired_for != NULL)
        kiosk_outbox_set_state (self->outbox, KIOSK_SYNC_KEY_RETIRED_FOR, NULL, NULL);

      _kiosk_uploader_refresh_stats (self, TRUE);
      _kiosk_uploader_schedule_prune (self, 0);
    }
  else
    g_debug ("The queue cannot be read yet: %s", error->message);

  if (self->mode != KIOSK_SYNC_RETIRED)
    {
      gint64 delay = start_delay (self);

      _kiosk_uploader_set_next_retry (self, delay, 0);
      _kiosk_uploader_set_mode (self, KIOSK_SYNC_STARTING);
      _kiosk_uploader_schedule_upload (self, delay, FALSE);
      _kiosk_uploader_reschedule (self, &self->survey_source, start_delay (self),
                                  _kiosk_uploader_survey_tick,
                                  "[kiosk-uploader] survey");
      _kiosk_uploader_reschedule (self, &self->heartbeat_source, start_delay (self),
                                  _kiosk_uploader_heartbeat_tick,
                                  "[kiosk-uploader] heartbeat");
    }

  while (!g_atomic_int_get (&self->stopping))
    g_main_context_iteration (self->worker_context, TRUE);

  finish_worker (self);
  g_main_context_pop_thread_default (self->worker_context);

  g_mutex_lock (&self->lock);
  self->finished = TRUE;
  g_cond_signal (&self->finished_cond);
  g_mutex_unlock (&self->lock);

  return NULL;
}

static void
monitor_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  kiosk_uploader_network_changed (KIOSK_UPLOADER (user_data), available);
}

/**
 * kiosk_uploader_start:
 *
 * Starts the thread. Signals are emitted on the thread-default main context of the caller.
 */
gboolean
kiosk_uploader_start (KioskUploader  *self,
                      GError        **error)
{
  g_autoptr(GError) thread_error = NULL;

  g_return_val_if_fail (KIOSK_IS_UPLOADER (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);
  g_return_val_if_fail (!self->finished, FALSE);

  self->main_context = g_main_context_ref_thread_default ();
  self->worker_context = g_main_context_new ();
  kiosk_transport_set_timeouts (self->transport, self->timings.connect_timeout_ms,
                                self->timings.low_speed_time_s, self->timings.total_timeout_ms);
  self->started_us = g_get_monotonic_time ();

  self->thread = g_thread_try_new ("kiosk-uploader", worker_main, self, &thread_error);
  if (self->thread == NULL)
    {
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_CONFIG,
                   "cannot start the uploader thread: %s", thread_error->message);
      return FALSE;
    }

  if (self->timings.use_network_monitor)
    {
      self->monitor = g_object_ref (g_network_monitor_get_default ());
      self->monitor_handler = g_signal_connect (self->monitor, "network-changed",
                                                G_CALLBACK (monitor_changed_cb), self);
    }

  g_message ("Sync on: delivering to %s", self->url);
  return TRUE;
}

/**
 * kiosk_uploader_stop:
 *
 * Aborts a request in flight and joins the thread, within 2 s. Nothing is lost: what was not
 * acknowledged by the server stays pending and goes next time.
 */
void
kiosk_uploader_stop (KioskUploader *self)
{
  gint64 deadline = g_get_monotonic_time () + STOP_TIMEOUT_US;
  gboolean finished;

  g_return_if_fail (KIOSK_IS_UPLOADER (self));

  if (self->thread == NULL)
    return;

  if (self->monitor != NULL)
    {
      g_clear_signal_handler (&self->monitor_handler, self->monitor);
      g_clear_object (&self->monitor);
    }

  g_atomic_int_set (&self->stopping, 1);
  kiosk_transport_cancel (self->transport);
  g_main_context_wakeup (self->worker_context);

  g_mutex_lock (&self->lock);
  while (!self->finished)
    if (!g_cond_wait_until (&self->finished_cond, &self->lock, deadline))
      break;
  finished = self->finished;
  g_mutex_unlock (&self->lock);

  if (finished)
    g_thread_join (self->thread);
  else
    {
      /* It still uses this object; keep both alive rather than free under its feet. */
      g_critical ("The uploader thread did not stop within 2 s; leaving it behind");
      g_object_ref (self);
      g_thread_unref (self->thread);
      self->abandoned = TRUE;
    }
  self->thread = NULL;

  g_mutex_lock (&self->lock);
  self->status.state = KIOSK_SYNC_STOPPED;
  g_mutex_unlock (&self->lock);
}

/* From any thread; typically the store's "eligible-written" on the main thread. */
void
kiosk_uploader_wake (KioskUploader *self)
{
  g_return_if_fail (KIOSK_IS_UPLOADER (self));

  if (self->thread == NULL || g_atomic_int_get (&self->stopping))
    return;

  /* A burst of taps costs one message to the worker. No reference is taken: the worker's
   * context, and any message still in it, never outlives this object. */
  if (g_atomic_int_compare_and_exchange (&self->wake_pending, 0, 1))
    g_main_context_invoke_full (self->worker_context, G_PRIORITY_DEFAULT, wake_cb, self, NULL);
}

/* The admin's "sync now": skips a backoff or a pause (not a retirement). */
void
kiosk_uploader_sync_now (KioskUploader *self)
{
  g_return_if_fail (KIOSK_IS_UPLOADER (self));

  if (self->thread == NULL || g_atomic_int_get (&self->stopping))
    return;

  g_main_context_invoke_full (self->worker_context, G_PRIORITY_DEFAULT, sync_now_cb, self, NULL);
}

void
kiosk_uploader_network_changed (KioskUploader *self,
                                gboolean       available)
{
  NetworkChange *change;

  g_return_if_fail (KIOSK_IS_UPLOADER (self));

  if (self->thread == NULL || g_atomic_int_get (&self->stopping))
    return;

  change = g_new0 (NetworkChange, 1);
  change->self = self;
  change->available = available;
  g_main_context_invoke_full (self->worker_context, G_PRIORITY_DEFAULT, network_changed_cb,
                              change, g_free);
}
