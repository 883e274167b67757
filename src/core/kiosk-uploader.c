/* kiosk-uploader.c: delivers the queue of responses to the cloud API, pulls the survey and sends
 * heartbeats, on a worker thread with its own GMainContext, SQLite connection and libcurl handle.
 *
 * Nothing is marked delivered until the server named it in a valid reply, so a crash, a kill or
 * a lost reply only ever causes a resend, which the server de-duplicates on the event id. The
 * thread never calls GTK: it reports to the main context with g_main_context_invoke(). */
#define G_LOG_DOMAIN "kiosk-uploader"

#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kiosk-cloudevents.h"
#include "kiosk-outbox.h"
#include "kiosk-uploader.h"

#define USER_AGENT          "smiley-kiosk/" PACKAGE_VERSION
#define GZIP_THRESHOLD      1024
#define GZIP_LEVEL          6
#define MAX_TOKEN_BYTES     4096
#define MAX_ETAG_CHARS      256
#define POLL_JITTER         0.2
#define OUTBOX_RETRY_MS     5000
#define STOP_TIMEOUT_US     (2 * G_USEC_PER_SEC)
/* A pruning step deletes at most this many rows in one transaction (a few milliseconds), then
 * gives the kiosk's taps the lock for a while. */
#define PRUNE_STEP_ROWS        128
#define PRUNE_PAUSE_MS         5
#define PRUNE_WAKE_INTERVAL_US (60 * G_USEC_PER_SEC)
#define MAX_INCIDENTS          1000

typedef enum
{
  OUTCOME_DONE,        /* every event of the batch has a final answer */
  OUTCOME_RETRY,       /* a failure that passes: back off */
  OUTCOME_PAUSE,       /* a configuration problem */
  OUTCOME_RETIRED,     /* 410 */
  OUTCOME_STOPPED,     /* shutting down */
} Outcome;

typedef struct
{
  Outcome  outcome;
  char    *message;
  gint64   retry_after_ms;   /* -1 when the server did not say */
  gint64   retry_after_s;    /* as the server said it, clamped */
} Verdict;

typedef struct
{
  long        status;
  GByteArray *body;
  gboolean    too_large;
  char       *retry_after;
  char       *date;
  char       *etag;
  char       *location;
  CURLcode    code;
  char        error[CURL_ERROR_SIZE];
} Reply;

struct _KioskUploader
{
  GObject               parent_instance;

  /* configuration: fixed once created */
  char                 *url;
  char                 *events_url;
  char                 *survey_url;
  char                 *heartbeat_url;
  char                 *token_file;
  char                 *ca_file;
  char                 *pinned_public_key;
  gboolean              allow_http;
  char                 *device_id;
  char                 *source;
  char                 *identity;            /* url + device id: what a 410 retires */
  char                 *database_path;
  char                 *survey_path;
  guint                 batch_size;
  KioskRetentionPolicy  retention;
  KioskUploaderTimings  timings;
  KioskClock           *clock;
  KioskSurveyValidator  validator;
  gpointer              validator_data;
  GDestroyNotify        validator_destroy;

  /* shared with the worker, under lock */
  GMutex                lock;
  GCond                 finished_cond;
  gboolean              finished;

  /* A weak reference to this object, made on the main thread and shared (atomic refcounted box)
   * with every notification the worker posts: the worker must never make a weak reference
   * itself, as it may do so while the object is being finalised. */
  GWeakRef             *weak_self;
  gboolean              abandoned;
  KioskSyncStatus       status;
  char                 *survey_id;
  int                   survey_version;

  /* threads */
  GMainContext         *main_context;        /* where signals are emitted */
  GMainContext         *worker_context;
  GThread              *thread;
  CURLM                *multi;
  GNetworkMonitor      *monitor;
  gulong                monitor_handler;
  gint                  stopping;            /* atomic */
  gint                  wake_pending;        /* atomic */
  gint                  notify_pending;      /* atomic */
  gint64                started_us;

  /* worker thread only */
  KioskOutbox          *outbox;
  CURL                 *easy;
  GRand                *rand;
  GSource              *upload_source;
  gint64                upload_due_us;
  GSource              *survey_source;
  GSource              *heartbeat_source;
  GSource              *prune_source;
  gint64                prune_woken_us;
  GFileMonitor         *token_monitor;
  KioskSyncState        mode;
  KioskSyncState        persisted_mode;      /* what sync_state says, for --status */
  guint                 failures;
  guint                 ceiling;
  gboolean              network_available;
  gboolean              retry_after_active;
  gboolean              clock_checked;
  gint64                stats_refreshed_us;
};

enum {
  STATUS_CHANGED,
  SURVEY_UPDATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KioskUploader, kiosk_uploader, G_TYPE_OBJECT)

G_DEFINE_QUARK (kiosk-uploader-error-quark, kiosk_uploader_error)

static void schedule_upload (KioskUploader *self,
                             gint64         delay_ms,
                             gboolean       only_if_earlier);

/* Status and notifications */

static void
status_clear (KioskSyncStatus *status)
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

  status_clear (status);
  g_free (status);
}

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

static void
status_changed (KioskUploader *self)
{
  if (self->main_context != NULL)
    notify_main (self, STATUS_CHANGED, NULL);
}

static void persist_state (KioskUploader *self);

/* Returns whether the state was saved for --status: on every change, except to "sending", which
 * passes too quickly to be worth a write. */
static gboolean
set_mode (KioskUploader  *self,
          KioskSyncState  mode)
{
  self->mode = mode;
  g_mutex_lock (&self->lock);
  self->status.state = mode;
  g_mutex_unlock (&self->lock);
  status_changed (self);

  if (mode == KIOSK_SYNC_SENDING || mode == self->persisted_mode || self->outbox == NULL)
    return FALSE;

  persist_state (self);
  return TRUE;
}

static char *
format_duration (gint64 ms)
{
  if (ms < 2000)
    return g_strdup_printf ("%" G_GINT64_FORMAT " ms", ms);
  if (ms < 120 * 1000)
    return g_strdup_printf ("%" G_GINT64_FORMAT " s", ms / 1000);
  if (ms < 2 * 3600 * 1000)
    return g_strdup_printf ("%" G_GINT64_FORMAT " min", ms / 60000);
  return g_strdup_printf ("%" G_GINT64_FORMAT " h", ms / 3600000);
}

/* The sync state survives in the database, so --status (another process) can show it. */
static void
persist_state (KioskUploader *self)
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
  if (!kiosk_outbox_begin (self->outbox, &error) ||
      !kiosk_outbox_set_state (self->outbox, KIOSK_SYNC_KEY_STATE,
                               kiosk_sync_state_to_string (self->mode), &error) ||
      !kiosk_outbox_set_state (self->outbox, KIOSK_SYNC_KEY_LAST_ERROR, last_error, &error) ||
      !kiosk_outbox_set_state (self->outbox, KIOSK_SYNC_KEY_NEXT_RETRY, next_retry, &error) ||
      !kiosk_outbox_commit (self->outbox, &error))
    {
      kiosk_outbox_rollback (self->outbox);
      g_debug ("Could not save the sync state: %s", error->message);
    }
}

static void
set_error_message (KioskUploader *self,
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

static void
set_next_retry (KioskUploader *self,
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

static void
refresh_stats (KioskUploader *self,
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

  status_changed (self);
}

/* Policy pieces */

/**
 * kiosk_backoff_delay_ms:
 * @failures: consecutive failures so far, at least 1
 *
 * Exponential backoff with full jitter: uniformly random below an envelope that doubles with
 * every failure from @base_ms up to @cap_ms. The randomness is what spreads a fleet that failed
 * together; a small floor keeps a client from retrying in a tight loop.
 */
gint64
kiosk_backoff_delay_ms (GRand *rand,
                        guint  failures,
                        guint  base_ms,
                        guint  cap_ms)
{
  guint64 envelope = MAX (base_ms, 1);
  guint64 floor_ms;

  for (guint i = 1; i < failures && envelope < cap_ms; i++)
    envelope *= 2;
  envelope = MIN (envelope, MAX (cap_ms, 1));

  floor_ms = MIN (envelope, MAX (base_ms / 20, 1));
  return floor_ms + (gint64) (g_rand_double (rand) * (envelope - floor_ms));
}

static gboolean
all_digits (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

/**
 * kiosk_retry_after_ms:
 * @value: the Retry-After header: delay-seconds or an HTTP date
 * @date_header: the reply's Date header, or %NULL
 *
 * An HTTP date is measured against the server's own Date when it sent one, so a kiosk whose
 * clock is wrong (no RTC, no NTP yet) still waits as long as the server meant.
 *
 * Returns: the delay clamped to [@min_ms, @max_ms], or -1 when @value is absent or unreadable
 */
gint64
kiosk_retry_after_ms (const char *value,
                      const char *date_header,
                      gint64      now_wall_us,
                      guint       min_ms,
                      guint       max_ms)
{
  g_autofree char *text = NULL;
  gint64 delay_ms;

  if (value == NULL)
    return -1;

  text = g_strstrip (g_strdup (value));

  if (all_digits (text))
    {
      guint64 seconds = 0;

      /* Too many digits is simply "very long". */
      if (strlen (text) > 12 || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &seconds,
                                                             NULL))
        seconds = G_MAXINT64 / 1000 / 1000;
      delay_ms = (gint64) MIN (seconds, (guint64) G_MAXINT64 / 1000 / 1000) * 1000;
    }
  else
    {
      time_t when, reference = -1;
      gboolean has_letter = FALSE;

      for (const char *p = text; *p; p++)
        has_letter |= g_ascii_isalpha (*p);
      if (!has_letter)
        return -1;

      when = curl_getdate (text, NULL);
      if (when == -1)
        return -1;
      if (date_header != NULL)
        reference = curl_getdate (date_header, NULL);
      if (reference == -1)
        reference = now_wall_us / G_USEC_PER_SEC;
      /* A date in the year 999999999 is simply "very long" too: no overflow on the way. */
      delay_ms = CLAMP ((gint64) when - (gint64) reference, -(gint64) G_MAXUINT,
                        (gint64) G_MAXUINT) * 1000;
    }

  return CLAMP (delay_ms, (gint64) min_ms, (gint64) max_ms);
}

/**
 * kiosk_cloud_url_check:
 *
 * The same rule as the configuration's, checked again where the connection is made: https://, or
 * http:// to a loopback address, or http:// anywhere only when the operator allowed it.
 */
gboolean
kiosk_cloud_url_check (const char  *url,
                       gboolean     allow_insecure,
                       GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (url == NULL || (uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL)) == NULL ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_CONFIG,
                   "[cloud] url: “%s” is not a URL", url ? url : "");
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;

  if (g_ascii_strcasecmp (scheme, "http") != 0)
    {
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_CONFIG,
                   "[cloud] url: the scheme must be https:// (was %s://)", scheme);
      return FALSE;
    }

  if (!allow_insecure && !kiosk_host_is_loopback (g_uri_get_host (uri)))
    {
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_INSECURE,
                   "[cloud] url: http:// is refused for %s, which is not a loopback address: "
                   "the token and the responses would travel unencrypted; use https:// or set "
                   "allow-insecure-http=true", g_uri_get_host (uri));
      return FALSE;
    }

  return TRUE;
}

/**
 * kiosk_read_token:
 *
 * Reads the bearer token. Refused when the file is readable by group or others, like ssh does
 * with keys. No message ever contains the token itself.
 */
char *
kiosk_read_token (const char  *path,
                  GError     **error)
{
  g_autofree char *token = NULL;
  char buffer[MAX_TOKEN_BYTES + 1];
  struct stat st;
  ssize_t n;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  /* Check the file that is read, not the name: no window for a swap in between. */
  /* Non-blocking: a FIFO in its place must not hang the uploader. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_TOKEN,
                   "[cloud] token-file %s: %s", path, g_strerror (saved_errno));
      return NULL;
    }

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_TOKEN,
                   "[cloud] token-file %s is not a file", path);
      close (fd);
      return NULL;
    }

  if ((st.st_mode & 0077) != 0)
    {
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_TOKEN,
                   "[cloud] token-file %s is readable or writable by group or others (mode %04o); "
                   "the token is not used until you run: chmod 600 %s",
                   path, (unsigned) (st.st_mode & 07777), path);
      close (fd);
      return NULL;
    }

  do
    n = read (fd, buffer, sizeof buffer);
  while (n < 0 && errno == EINTR);
  close (fd);

  if (n < 0)
    {
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_TOKEN,
                   "[cloud] token-file %s cannot be read", path);
      return NULL;
    }
  if (n > MAX_TOKEN_BYTES)
    {
      explicit_bzero (buffer, sizeof buffer);
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_TOKEN,
                   "[cloud] token-file %s is larger than %d bytes; it should hold one token",
                   path, MAX_TOKEN_BYTES);
      return NULL;
    }

  token = g_strstrip (g_strndup (buffer, n));
  explicit_bzero (buffer, sizeof buffer);

  if (*token == '\0')
    {
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_TOKEN,
                   "[cloud] token-file %s is empty", path);
      return NULL;
    }

  /* It goes into a header line: one word of visible ASCII, or it could forge headers. */
  for (const char *p = token; *p; p++)
    if ((guchar) *p < 0x21 || (guchar) *p > 0x7e)
      {
        explicit_bzero (token, strlen (token));
        g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_TOKEN,
                     "[cloud] token-file %s holds more than one word or characters that are not "
                     "visible ASCII; it should hold the token alone", path);
        return NULL;
      }

  return g_steal_pointer (&token);
}

static void
token_free (char *token)
{
  if (token != NULL)
    explicit_bzero (token, strlen (token));
  g_free (token);
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

  g_clear_pointer (&self->multi, curl_multi_cleanup);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_clear_pointer (&self->worker_context, g_main_context_unref);
  g_clear_object (&self->clock);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->events_url, g_free);
  g_clear_pointer (&self->survey_url, g_free);
  g_clear_pointer (&self->heartbeat_url, g_free);
  g_clear_pointer (&self->token_file, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->pinned_public_key, g_free);
  g_clear_pointer (&self->device_id, g_free);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->identity, g_free);
  g_clear_pointer (&self->database_path, g_free);
  g_clear_pointer (&self->survey_path, g_free);
  g_clear_pointer (&self->survey_id, g_free);
  status_clear (&self->status);
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

static char *
normalise_pins (const char *value)
{
  g_auto(GStrv) pins = NULL;
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;

  if (value == NULL)
    return NULL;

  pins = g_strsplit (value, ";", -1);
  for (guint i = 0; pins[i]; i++)
    if (*g_strstrip (pins[i]) != '\0')
      g_strv_builder_add (kept, pins[i]);

  list = g_strv_builder_end (kept);
  return g_strjoinv (";", list);
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
  self->ca_file = g_strdup (kiosk_config_get_ca_file (config));
  self->pinned_public_key = normalise_pins (kiosk_config_get_pinned_public_key (config));
  self->allow_http = g_ascii_strncasecmp (self->url, "http:", 5) == 0;
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

  if (self->allow_http && kiosk_config_get_allow_insecure_http (config))
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

void
kiosk_uploader_set_survey_validator (KioskUploader        *self,
                                     KioskSurveyValidator  validator,
                                     gpointer              user_data,
                                     GDestroyNotify        destroy)
{
  g_return_if_fail (KIOSK_IS_UPLOADER (self));
  g_return_if_fail (self->thread == NULL);

  if (self->validator_destroy)
    self->validator_destroy (self->validator_data);

  self->validator = validator;
  self->validator_data = user_data;
  self->validator_destroy = destroy;
}

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

const char *
kiosk_uploader_get_survey_path (KioskUploader *self)
{
  g_return_val_if_fail (KIOSK_IS_UPLOADER (self), NULL);

  return self->survey_path;
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

/* HTTP */

static void
reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->body, g_byte_array_unref);
  g_clear_pointer (&reply->retry_after, g_free);
  g_clear_pointer (&reply->date, g_free);
  g_clear_pointer (&reply->etag, g_free);
  g_clear_pointer (&reply->location, g_free);
}

static size_t
write_cb (char   *data,
          size_t  size,
          size_t  nmemb,
          void   *user_data)
{
  Reply *reply = user_data;
  size_t n = size * nmemb;

  /* The contract caps replies at 1 MiB; more is an error, not something to buffer. */
  if (reply->body->len + n > KIOSK_CLOUD_MAX_REPLY_BYTES)
    {
      reply->too_large = TRUE;
      return 0;
    }

  g_byte_array_append (reply->body, (const guint8 *) data, n);
  return n;
}

static void
keep_header (char       **slot,
             const char  *value,
             gsize        length)
{
  g_free (*slot);
  *slot = g_strstrip (g_strndup (value, MIN (length, 1024)));
}

static size_t
header_cb (char   *buffer,
           size_t  size,
           size_t  nitems,
           void   *user_data)
{
  Reply *reply = user_data;
  size_t n = size * nitems;
  const char *colon;
  gsize name_length;

  /* A new status line (after a 100 Continue, say) starts a new set of headers. */
  if (n >= 5 && g_ascii_strncasecmp (buffer, "HTTP/", 5) == 0)
    {
      g_clear_pointer (&reply->retry_after, g_free);
      g_clear_pointer (&reply->date, g_free);
      g_clear_pointer (&reply->etag, g_free);
      g_clear_pointer (&reply->location, g_free);
      return n;
    }

  colon = memchr (buffer, ':', n);
  if (colon == NULL)
    return n;

  name_length = colon - buffer;
  colon++;

#define HEADER_IS(name) \
  (name_length == strlen (name) && g_ascii_strncasecmp (buffer, name, name_length) == 0)
  if (HEADER_IS ("Retry-After"))
    keep_header (&reply->retry_after, colon, buffer + n - colon);
  else if (HEADER_IS ("Date"))
    keep_header (&reply->date, colon, buffer + n - colon);
  else if (HEADER_IS ("ETag"))
    keep_header (&reply->etag, colon, buffer + n - colon);
  else if (HEADER_IS ("Location"))
    keep_header (&reply->location, colon, buffer + n - colon);
#undef HEADER_IS

  return n;
}

/* Called by libcurl while a transfer runs, at least about once a second even when the server is
 * silent: the way to abort a request that hangs when the kiosk shuts down. */
static int
progress_cb (void       *user_data,
             curl_off_t  dltotal,
             curl_off_t  dlnow,
             curl_off_t  ultotal,
             curl_off_t  ulnow)
{
  KioskUploader *self = user_data;

  return g_atomic_int_get (&self->stopping) ? 1 : 0;
}

static void
forget_headers (struct curl_slist *headers)
{
  /* The token lived in one of these strings. */
  for (struct curl_slist *l = headers; l != NULL; l = l->next)
    explicit_bzero (l->data, strlen (l->data));
  curl_slist_free_all (headers);
}

/**
 * perform:
 * @extra: more header lines ("Name: value")
 *
 * One request on the worker's handle. Returns %FALSE only when the token could not be read
 * (@error set); every transport failure is in @reply->code.
 */
static gboolean
perform (KioskUploader       *self,
         const char          *method,
         const char          *url,
         const char * const  *extra,
         const void          *body,
         gsize                body_length,
         Reply               *reply,
         GError             **error)
{
  struct curl_slist *headers = NULL;
  char *token;
  CURL *easy = self->easy;
  CURLMsg *message;
  int running = 1;
  int left = 0;
  gboolean finished = FALSE;

  memset (reply, 0, sizeof *reply);
  reply->body = g_byte_array_new ();
  reply->code = CURLE_OK;

  /* Read every time: a fixed token file takes effect without a restart. */
  token = kiosk_read_token (self->token_file, error);
  if (token == NULL)
    return FALSE;

  {
    char *line = g_strconcat ("Authorization: Bearer ", token, NULL);

    headers = curl_slist_append (headers, line);
    token_free (line);
    token_free (token);
  }
  /* A body over 1 KiB would otherwise wait for a "100 Continue" the server may never send. */
  headers = curl_slist_append (headers, "Expect:");
  for (guint i = 0; extra && extra[i]; i++)
    headers = curl_slist_append (headers, extra[i]);

  curl_easy_reset (easy);
  curl_easy_setopt (easy, CURLOPT_URL, url);
  curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, self->allow_http ? "http,https" : "https");
  curl_easy_setopt (easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (easy, CURLOPT_USERAGENT, USER_AGENT);
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (self->ca_file != NULL)
    curl_easy_setopt (easy, CURLOPT_CAINFO, self->ca_file);
  if (self->pinned_public_key != NULL)
    curl_easy_setopt (easy, CURLOPT_PINNEDPUBLICKEY, self->pinned_public_key);
  curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT_MS, (long) self->timings.connect_timeout_ms);
  curl_easy_setopt (easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (easy, CURLOPT_LOW_SPEED_TIME, (long) self->timings.low_speed_time_s);
  curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, (long) self->timings.total_timeout_ms);
  curl_easy_setopt (easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) KIOSK_CLOUD_MAX_REPLY_BYTES);
  curl_easy_setopt (easy, CURLOPT_TCP_KEEPALIVE, 1L);
  /* A reply naming 500 events compresses well; the 1 MiB cap applies to the decoded body. */
  curl_easy_setopt (easy, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, reply);
  curl_easy_setopt (easy, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (easy, CURLOPT_HEADERDATA, reply);
  curl_easy_setopt (easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (easy, CURLOPT_XFERINFOFUNCTION, progress_cb);
  curl_easy_setopt (easy, CURLOPT_XFERINFODATA, self);
  curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, reply->error);
  if (g_str_equal (method, "POST"))
    {
      curl_easy_setopt (easy, CURLOPT_POST, 1L);
      curl_easy_setopt (easy, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt (easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) body_length);
    }
  else
    curl_easy_setopt (easy, CURLOPT_HTTPGET, 1L);

  /* The multi interface, so that kiosk_uploader_stop() can interrupt a wait at once. */
  curl_multi_add_handle (self->multi, easy);
  while (running && !g_atomic_int_get (&self->stopping))
    {
      CURLMcode mc = curl_multi_perform (self->multi, &running);

      if (mc == CURLM_OK && running)
        mc = curl_multi_poll (self->multi, NULL, 0, 1000, NULL);
      if (mc != CURLM_OK)
        {
          g_strlcpy (reply->error, curl_multi_strerror (mc), sizeof reply->error);
          reply->code = CURLE_FAILED_INIT;
          break;
        }
    }

  while ((message = curl_multi_info_read (self->multi, &left)) != NULL)
    if (message->msg == CURLMSG_DONE && message->easy_handle == easy)
      {
        reply->code = message->data.result;
        finished = TRUE;
      }
  if (!finished && reply->code == CURLE_OK)
    reply->code = CURLE_ABORTED_BY_CALLBACK;

  curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &reply->status);

  {
    long request_size = 0, header_size = 0;
    curl_off_t down = 0;

    /* The request's size counts its body too; the reply's headers and body come apart. */
    curl_easy_getinfo (easy, CURLINFO_REQUEST_SIZE, &request_size);
    curl_easy_getinfo (easy, CURLINFO_HEADER_SIZE, &header_size);
    curl_easy_getinfo (easy, CURLINFO_SIZE_DOWNLOAD_T, &down);
    g_mutex_lock (&self->lock);
    self->status.requests++;
    self->status.bytes_sent += request_size;
    self->status.bytes_received += header_size + down;
    g_mutex_unlock (&self->lock);
  }

  curl_multi_remove_handle (self->multi, easy);
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, NULL);
  forget_headers (headers);

  return TRUE;
}

static char *
describe_transport_failure (const Reply *reply)
{
  const char *detail = reply->error[0] ? reply->error : curl_easy_strerror (reply->code);

  if (reply->too_large || reply->code == CURLE_FILESIZE_EXCEEDED)
    return g_strdup ("the server's reply was larger than 1 MiB");

  switch (reply->code)
    {
    case CURLE_OPERATION_TIMEDOUT:
      return g_strdup_printf ("the server did not answer in time (%s)", detail);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return g_strdup_printf ("the server's name cannot be resolved (%s)", detail);
    case CURLE_COULDNT_CONNECT:
      return g_strdup_printf ("cannot connect to the server (%s)", detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return g_strdup_printf ("the server's TLS certificate was not accepted (%s); check "
                              "[cloud] url, ca-file and pinned-public-key", detail);
    case CURLE_UNSUPPORTED_PROTOCOL:
      return g_strdup_printf ("the URL's protocol is not allowed (%s)", detail);
    default:
      return g_strdup_printf ("the exchange with the server failed (%s)", detail);
    }
}

static gboolean
status_splits (long status)
{
  return status == 400 || status == 413 || status == 415 || status == 422;
}

static gboolean
status_pauses (long status)
{
  return status == 401 || status == 403 || status == 404;
}

static void
verdict_set (Verdict    *verdict,
             Outcome     outcome,
             char       *message)
{
  verdict->outcome = outcome;
  g_free (verdict->message);
  verdict->message = message;
}

static char *
pause_message (KioskUploader *self,
               long           status)
{
  g_autofree char *every = format_duration (self->timings.pause_ms);

  switch (status)
    {
    case 401:
      return g_strdup_printf ("the server refused the token (HTTP 401): check [cloud] token-file; "
                              "uploads paused, retrying every %s", every);
    case 403:
      return g_strdup_printf ("the server refused this device (HTTP 403): check the token and "
                              "device-id; uploads paused, retrying every %s", every);
    default:
      return g_strdup_printf ("the server has no such endpoint or device (HTTP 404): check "
                              "[cloud] url and device-id; uploads paused, retrying every %s",
                              every);
    }
}

/* Classifies everything except a 2xx and the statuses that split. */
static void
judge_failure (KioskUploader *self,
               const char    *what,
               const Reply   *reply,
               Verdict       *verdict)
{
  long status = reply->status;

  if (reply->code != CURLE_OK)
    {
      g_autofree char *why = describe_transport_failure (reply);

      if (g_atomic_int_get (&self->stopping))
        verdict_set (verdict, OUTCOME_STOPPED, g_strdup ("stopped"));
      else
        verdict_set (verdict, OUTCOME_RETRY, g_strdup_printf ("%s: %s", what, why));
      return;
    }

  if (status_pauses (status))
    {
      g_autofree char *message = pause_message (self, status);

      verdict_set (verdict, OUTCOME_PAUSE, g_strdup_printf ("%s: %s", what, message));
      return;
    }

  if (status == 410)
    {
      verdict_set (verdict, OUTCOME_RETIRED,
                   g_strdup_printf ("%s: the server retired this device (HTTP 410): nothing is "
                                    "sent until the configuration changes; no data was deleted",
                                    what));
      return;
    }

  if (status >= 300 && status < 400)
    {
      g_autofree char *where = kiosk_printable_excerpt (reply->location, -1, 120);

      verdict_set (verdict, OUTCOME_RETRY,
                   g_strdup_printf ("%s: the server answered HTTP %ld%s%s; redirects are never "
                                    "followed: check [cloud] url", what, status,
                                    reply->location ? " to " : "",
                                    reply->location ? where : ""));
    }
  else
    {
      g_autofree char *excerpt = kiosk_printable_excerpt ((const char *) reply->body->data,
                                                          reply->body->len, 120);

      verdict_set (verdict, OUTCOME_RETRY,
                   g_strdup_printf ("%s: the server answered HTTP %ld%s%s", what, status,
                                    excerpt[0] ? ": " : "", excerpt));
    }

  /* 408, 429, 5xx and anything unexpected: the server may say when to come back. */
  verdict->retry_after_ms = kiosk_retry_after_ms (reply->retry_after, reply->date,
                                                  g_get_real_time (),
                                                  self->timings.retry_after_min_ms,
                                                  self->timings.retry_after_max_ms);
  if (verdict->retry_after_ms >= 0)
    verdict->retry_after_s = verdict->retry_after_ms / 1000;
}

/* Upload */

static gboolean
ensure_outbox (KioskUploader  *self,
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

static gboolean
apply_results (KioskUploader    *self,
               GPtrArray        *batch,
               guint             start,
               guint             count,
               KioskEventResult *results,
               GError          **error)
{
  KioskTimestamp stamp;
  gint64 now;
  g_autofree char *now_text = NULL;
  guint delivered = 0, rejected = 0;

  g_autofree gint64 *seqs = g_new (gint64, count);
  guint n_seqs = 0;

  /* Retention counts from the delivery time: the uploader's clock, which tests control. */
  kiosk_clock_now (self->clock, &stamp);
  now = stamp.wall_us;
  now_text = kiosk_format_rfc3339 (now, 0);

  if (!kiosk_outbox_begin (self->outbox, error))
    return FALSE;

  for (guint i = 0; i < count; i++)
    {
      KioskResponse *r = g_ptr_array_index (batch, start + i);
      gboolean ok = TRUE;

      if (results[i].status == KIOSK_EVENT_REJECTED)
        {
          g_autofree char *event = kiosk_cloudevent_to_json (r, self->source);

          ok = kiosk_outbox_dead_letter (self->outbox, r->seq, r->uuid, now, 200,
                                         results[i].reason, event, error);
          rejected++;
          g_warning ("The server rejected response %" G_GINT64_FORMAT " (%s): %s; it was moved "
                     "to the dead letters", r->seq, r->uuid,
                     results[i].reason ? results[i].reason : "no reason given");
        }
      else
        {
          seqs[n_seqs++] = r->seq;
          delivered++;
        }

      if (!ok)
        {
          kiosk_outbox_rollback (self->outbox);
          return FALSE;
        }
    }

  if (!kiosk_outbox_mark_delivered_many (self->outbox, seqs, n_seqs, now, error))
    {
      kiosk_outbox_rollback (self->outbox);
      return FALSE;
    }

  if (!kiosk_outbox_set_state (self->outbox, KIOSK_SYNC_KEY_LAST_UPLOAD_OK_AT, now_text, error) ||
      !kiosk_outbox_commit (self->outbox, error))
    {
      kiosk_outbox_rollback (self->outbox);
      return FALSE;
    }

  g_mutex_lock (&self->lock);
  self->status.delivered += delivered;
  self->status.dead_lettered += rejected;
  g_free (self->status.last_success);
  self->status.last_success = g_steal_pointer (&now_text);
  g_mutex_unlock (&self->lock);

  return TRUE;
}

static gboolean
dead_letter_one (KioskUploader  *self,
                 KioskResponse  *r,
                 const Reply    *reply,
                 GError        **error)
{
  g_autofree char *event = kiosk_cloudevent_to_json (r, self->source);
  g_autofree char *excerpt = kiosk_printable_excerpt ((const char *) reply->body->data,
                                                      reply->body->len, 300);
  g_autofree char *reason = g_strdup_printf ("HTTP %ld%s%s", reply->status,
                                             excerpt[0] ? ": " : "", excerpt);

  g_warning ("The server refused response %" G_GINT64_FORMAT " (%s) on its own (%s); it was "
             "moved to the dead letters", r->seq, r->uuid, reason);

  if (!kiosk_outbox_begin (self->outbox, error))
    return FALSE;
  if (!kiosk_outbox_dead_letter (self->outbox, r->seq, r->uuid, g_get_real_time (),
                                 (int) reply->status, reason, event, error) ||
      !kiosk_outbox_commit (self->outbox, error))
    {
      kiosk_outbox_rollback (self->outbox);
      return FALSE;
    }

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
         Verdict       *verdict)
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
  Reply reply;

  /* A 413 earlier in this batch lowered the ceiling: the rest goes in pieces that fit. */
  if (count > self->ceiling)
    {
      guint first = self->ceiling;

      deliver (self, batch, start, first, verdict);
      if (verdict->outcome == OUTCOME_DONE)
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
          verdict_set (verdict, OUTCOME_RETRY, g_strdup (error->message));
          return;
        }
      body = g_bytes_get_data (gzipped, &body_length);
    }

  if (!perform (self, "POST", self->events_url, gzipped ? gzip_headers : headers,
                body, body_length, &reply, &error))
    {
      verdict_set (verdict, OUTCOME_PAUSE, g_strdup (error->message));
      reply_clear (&reply);
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
          verdict_set (verdict, OUTCOME_RETRY,
                       g_strdup_printf ("uploading: HTTP %ld, but %s", reply.status,
                                        error ? error->message
                                              : "only 200 carries the per-event results"));
        }
      else if (!apply_results (self, batch, start, count, results, &error))
        verdict_set (verdict, OUTCOME_RETRY,
                     g_strdup_printf ("uploading: the server took the batch but the result "
                                      "could not be saved (it will be sent again): %s",
                                      error->message));
      else
        verdict_set (verdict, OUTCOME_DONE, NULL);

      kiosk_event_results_clear (results, count);
    }
  else if (reply.code == CURLE_OK && status_splits (reply.status))
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

          reply_clear (&reply);
          deliver (self, batch, start, half, verdict);
          if (verdict->outcome == OUTCOME_DONE)
            deliver (self, batch, start + half, count - half, verdict);
          return;
        }

      if (!dead_letter_one (self, g_ptr_array_index (batch, start), &reply, &error))
        verdict_set (verdict, OUTCOME_RETRY,
                     g_strdup_printf ("uploading: could not record a dead letter: %s",
                                      error->message));
      else
        verdict_set (verdict, OUTCOME_DONE, NULL);
    }
  else
    judge_failure (self, "uploading", &reply, verdict);

  reply_clear (&reply);
}

static void
count_failed_attempt (KioskUploader *self,
                      GPtrArray     *batch)
{
  g_autoptr(GError) error = NULL;

  if (!kiosk_outbox_begin (self->outbox, &error))
    return;

  for (guint i = 0; i < batch->len; i++)
    if (!kiosk_outbox_count_attempt (self->outbox,
                                     ((KioskResponse *) g_ptr_array_index (batch, i))->seq,
                                     &error))
      {
        kiosk_outbox_rollback (self->outbox);
        return;
      }

  if (!kiosk_outbox_commit (self->outbox, &error))
    g_debug ("Could not count a delivery attempt: %s", error->message);
}

static void
enter_retry (KioskUploader *self,
             Verdict       *verdict)
{
  gint64 delay;

  self->failures++;

  if (verdict->retry_after_ms >= 0)
    {
      /* Honoured for the whole queue; a little jitter on top keeps a fleet from returning in
       * the same second, never earlier than asked. */
      delay = verdict->retry_after_ms +
              (gint64) (g_rand_double (self->rand) * verdict->retry_after_ms / 10);
      delay = MIN (delay, (gint64) self->timings.retry_after_max_ms);
      self->retry_after_active = TRUE;
    }
  else
    {
      delay = kiosk_backoff_delay_ms (self->rand, self->failures, self->timings.backoff_base_ms,
                                      self->timings.backoff_cap_ms);
      self->retry_after_active = FALSE;
    }

  g_message ("%s; retry %u in %" G_GINT64_FORMAT " ms", verdict->message, self->failures, delay);
  set_error_message (self, verdict->message);
  set_next_retry (self, delay, verdict->retry_after_ms >= 0 ? verdict->retry_after_s : 0);
  schedule_upload (self, delay, FALSE);
  if (!set_mode (self, KIOSK_SYNC_BACKOFF))
    persist_state (self);
}

static void
enter_pause (KioskUploader *self,
             const char    *message)
{
  g_warning ("%s", message);
  self->retry_after_active = FALSE;
  set_error_message (self, message);
  set_next_retry (self, self->timings.pause_ms, 0);
  schedule_upload (self, self->timings.pause_ms, FALSE);
  if (!set_mode (self, KIOSK_SYNC_PAUSED))
    persist_state (self);
}

static void
enter_retired (KioskUploader *self,
               const char    *message)
{
  g_autoptr(GError) error = NULL;

  g_warning ("%s", message);
  set_error_message (self, message);
  set_next_retry (self, -1, 0);
  if (self->upload_source != NULL)
    {
      g_source_destroy (self->upload_source);
      g_clear_pointer (&self->upload_source, g_source_unref);
    }
  if (self->outbox != NULL &&
      !kiosk_outbox_set_state (self->outbox, KIOSK_SYNC_KEY_RETIRED_FOR, self->identity, &error))
    g_warning ("Could not save that the device is retired: %s", error->message);
  if (!set_mode (self, KIOSK_SYNC_RETIRED))
    persist_state (self);
}

/* Pruning: retention and the queue bounds (kiosk_outbox_prune_step()). It runs only after
 * something happened (start, a delivered batch, a failed attempt, a tap), in steps of a few
 * hundred rows with a pause between them so a tap always finds the lock free soon, and stops
 * when there is nothing left to do: an idle kiosk never wakes up for it. */

static gboolean prune_tick_cb (gpointer user_data);

static void
schedule_prune (KioskUploader *self,
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

  if (g_atomic_int_get (&self->stopping) || !ensure_outbox (self, &error))
    return G_SOURCE_REMOVE;

  kiosk_clock_now (self->clock, &now);
  if (!kiosk_outbox_prune_step (self->outbox, &self->retention, now.wall_us, PRUNE_STEP_ROWS,
                                &result, &error))
    {
      /* Advisory: the next delivery tries again. */
      g_debug ("Could not prune the database: %s", error->message);
      return G_SOURCE_REMOVE;
    }

  if (result.dropped > 0)
    refresh_stats (self, TRUE);

  if (result.expired + result.evicted + result.dropped + result.incidents > 0)
    schedule_prune (self, PRUNE_PAUSE_MS);

  return G_SOURCE_REMOVE;
}

static gboolean
upload_tick_cb (gpointer user_data)
{
  KioskUploader *self = user_data;
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GError) error = NULL;
  Verdict verdict = { OUTCOME_DONE, NULL, -1, 0 };
  gboolean corrected = FALSE;
  gboolean was_failing;

  g_clear_pointer (&self->upload_source, g_source_unref);

  if (g_atomic_int_get (&self->stopping) || self->mode == KIOSK_SYNC_RETIRED)
    return G_SOURCE_REMOVE;

  if (!ensure_outbox (self, &error))
    {
      g_autofree char *message = g_strdup_printf ("cannot read the queue: %s", error->message);

      verdict_set (&verdict, OUTCOME_RETRY, g_steal_pointer (&message));
      enter_retry (self, &verdict);
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
      verdict_set (&verdict, OUTCOME_RETRY,
                   g_strdup_printf ("cannot read the queue: %s", error->message));
      enter_retry (self, &verdict);
      g_free (verdict.message);
      return G_SOURCE_REMOVE;
    }

  was_failing = self->failures > 0 || self->mode == KIOSK_SYNC_PAUSED;

  if (batch->len == 0)
    {
      self->failures = 0;
      self->retry_after_active = FALSE;
      set_next_retry (self, -1, 0);
      if (was_failing)
        set_error_message (self, NULL);
      if (!set_mode (self, KIOSK_SYNC_IDLE) && was_failing)
        persist_state (self);
      refresh_stats (self, TRUE);
      return G_SOURCE_REMOVE;
    }

  set_mode (self, KIOSK_SYNC_SENDING);
  deliver (self, batch, 0, batch->len, &verdict);

  switch (verdict.outcome)
    {
    case OUTCOME_DONE:
      /* Still "sending" until a look at the queue finds it empty. */
      self->failures = 0;
      self->retry_after_active = FALSE;
      set_error_message (self, NULL);
      set_next_retry (self, -1, 0);
      if (was_failing)
        persist_state (self);
      refresh_stats (self, FALSE);
      /* More may be waiting: the next batch goes at once, through the main loop so timers and
       * a shutdown get their turn. */
      schedule_upload (self, 0, TRUE);
      schedule_prune (self, PRUNE_PAUSE_MS);
      break;

    case OUTCOME_RETRY:
      count_failed_attempt (self, batch);
      enter_retry (self, &verdict);
      refresh_stats (self, TRUE);
      /* Offline, the queue grows: its bounds are checked at each attempt. */
      schedule_prune (self, PRUNE_PAUSE_MS);
      break;

    case OUTCOME_PAUSE:
      enter_pause (self, verdict.message);
      refresh_stats (self, TRUE);
      break;

    case OUTCOME_RETIRED:
      enter_retired (self, verdict.message);
      refresh_stats (self, TRUE);
      break;

    case OUTCOME_STOPPED:
      break;
    }

  g_free (verdict.message);
  return G_SOURCE_REMOVE;
}

static void
schedule_upload (KioskUploader *self,
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
  g_source_set_callback (self->upload_source, upload_tick_cb, self, NULL);
  g_source_attach (self->upload_source, self->worker_context);
  self->upload_due_us = due;
}

static gint64
jittered (KioskUploader *self,
          guint          interval_ms)
{
  return (gint64) (interval_ms * g_rand_double_range (self->rand, 1 - POLL_JITTER,
                                                      1 + POLL_JITTER));
}

static void
reschedule (KioskUploader *self,
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

/* Survey pull */

static void
set_survey_status (KioskUploader *self,
                   const char    *message)
{
  g_autoptr(GError) error = NULL;

  g_mutex_lock (&self->lock);
  g_free (self->status.survey_status);
  self->status.survey_status = g_strdup (message);
  g_mutex_unlock (&self->lock);
  status_changed (self);

  if (self->outbox != NULL &&
      !kiosk_outbox_set_state (self->outbox, KIOSK_SYNC_KEY_SURVEY_STATUS, message, &error))
    g_debug ("Could not save the survey status: %s", error->message);
}

/* Temp file, fsync, rename, fsync of the directory: the survey on disk is always whole. */
static gboolean
write_atomically (const char  *path,
                  const void  *data,
                  gsize        length,
                  GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *tmp = g_strconcat (path, ".XXXXXX", NULL);
  const guint8 *p = data;
  gsize done = 0;
  int saved_errno;
  int fd, dir_fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    goto fail_errno_no_fd;

  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    goto fail_errno_no_fd;

  while (done < length)
    {
      ssize_t n = write (fd, p + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        goto fail_errno;
      done += n;
    }

  if (fsync (fd) != 0)
    goto fail_errno;
  if (close (fd) != 0)
    {
      fd = -1;
      goto fail_errno;
    }
  fd = -1;

  if (g_rename (tmp, path) != 0)
    goto fail_errno;

  dir_fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dir_fd >= 0)
    {
      fsync (dir_fd);
      close (dir_fd);
    }
  return TRUE;

fail_errno:
  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  g_unlink (tmp);
  errno = saved_errno;
fail_errno_no_fd:
  saved_errno = errno;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               "%s: cannot write the survey: %s", path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
validate_survey (KioskUploader  *self,
                 GBytes         *data,
                 GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) json_error = NULL;
  gsize length;
  const char *text = g_bytes_get_data (data, &length);
  JsonNode *root;

  if (length == 0 || memchr (text, '\0', length) != NULL || !g_utf8_validate_len (text, length,
                                                                                  NULL))
    {
      g_set_error_literal (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_SURVEY,
                           "it is empty or not UTF-8 text");
      return FALSE;
    }

  if (!json_parser_load_from_data (parser, text, length, &json_error))
    {
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_SURVEY,
                   "it is not JSON: %s", json_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_SURVEY,
                           "its top level is not a JSON object");
      return FALSE;
    }

  if (self->validator != NULL)
    return self->validator (data, self->validator_data, error);

  return TRUE;
}

static gboolean
same_contents (const char *path,
               const void *data,
               gsize       length)
{
  g_autofree char *current = NULL;
  gsize current_length = 0;

  return g_file_get_contents (path, &current, &current_length, NULL) &&
         current_length == length && memcmp (current, data, length) == 0;
}

/**
 * kiosk_etag_is_sane:
 * @etag: the survey's ETag header as the server sent it, or %NULL
 *
 * It is stored and sent back in an If-None-Match header line: short visible ASCII only, or it
 * could forge headers.
 */
gboolean
kiosk_etag_is_sane (const char *etag)
{
  if (etag == NULL || *etag == '\0' || strlen (etag) > MAX_ETAG_CHARS)
    return FALSE;

  for (const char *p = etag; *p; p++)
    if ((guchar) *p < 0x20 || (guchar) *p > 0x7e)
      return FALSE;

  return TRUE;
}

static void
pull_survey (KioskUploader *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *if_none_match = NULL;
  const char *headers[3] = { "Accept: application/json", NULL, NULL };
  Reply reply;

  if (!ensure_outbox (self, &error))
    return;

  /* Without the file, its ETag means nothing: ask for the whole survey again. */
  etag = kiosk_outbox_get_state (self->outbox, KIOSK_SYNC_KEY_SURVEY_ETAG);
  if (etag != NULL && kiosk_etag_is_sane (etag) &&
      g_file_test (self->survey_path, G_FILE_TEST_IS_REGULAR))
    {
      if_none_match = g_strconcat ("If-None-Match: ", etag, NULL);
      headers[1] = if_none_match;
    }

  if (!perform (self, "GET", self->survey_url, headers, NULL, 0, &reply, &error))
    {
      g_autofree char *message = g_strdup_printf ("survey not checked: %s", error->message);

      set_survey_status (self, message);
      reply_clear (&reply);
      return;
    }

  if (reply.code != CURLE_OK)
    {
      g_autofree char *why = describe_transport_failure (&reply);
      g_autofree char *message = g_strdup_printf ("survey not checked: %s", why);

      if (!g_atomic_int_get (&self->stopping))
        set_survey_status (self, message);
    }
  else if (reply.status == 200)
    {
      g_autoptr(GBytes) data = NULL;
      g_autoptr(GError) invalid = NULL;
      char *copy = g_malloc (reply.body->len + 1);

      /* NUL-terminated beyond its size, so a validator may read it as a string. */
      memcpy (copy, reply.body->data, reply.body->len);
      copy[reply.body->len] = '\0';
      data = g_bytes_new_take (copy, reply.body->len);

      if (!validate_survey (self, data, &invalid))
        {
          g_autofree char *message =
            g_strdup_printf ("the survey from the server was not used (the current one stays): "
                             "%s", invalid->message);

          g_warning ("%s", message);
          set_survey_status (self, message);
        }
      else if (same_contents (self->survey_path, reply.body->data, reply.body->len))
        {
          /* A server without ETags sends the same survey again: nothing to switch to. */
          if (!kiosk_outbox_set_state (self->outbox, KIOSK_SYNC_KEY_SURVEY_ETAG,
                                       kiosk_etag_is_sane (reply.etag) ? reply.etag : NULL,
                                       &error))
            g_debug ("Could not save the survey's ETag: %s", error->message);
          set_survey_status (self, "survey unchanged on the server");
        }
      else if (!write_atomically (self->survey_path, reply.body->data, reply.body->len, &error))
        {
          g_warning ("%s", error->message);
          set_survey_status (self, error->message);
        }
      else
        {
          g_autofree char *now = kiosk_format_rfc3339 (g_get_real_time (), 0);
          g_autofree char *message = g_strdup_printf ("survey updated from the server at %s",
                                                      now);
          g_autoptr(GError) state_error = NULL;

          if (!kiosk_outbox_set_state (self->outbox, KIOSK_SYNC_KEY_SURVEY_ETAG,
                                       kiosk_etag_is_sane (reply.etag) ? reply.etag : NULL,
                                       &state_error))
            g_debug ("Could not save the survey's ETag: %s", state_error->message);

          g_message ("New survey from the server written to %s", self->survey_path);
          set_survey_status (self, message);
          notify_main (self, SURVEY_UPDATED, self->survey_path);
        }
    }
  else if (reply.status == 304)
    set_survey_status (self, "survey unchanged on the server");
  else if (reply.status == 404)
    set_survey_status (self, "no survey assigned on the server (HTTP 404); the local one is used");
  else if (reply.status == 410)
    enter_retired (self, "survey: the server retired this device (HTTP 410): nothing is sent "
                         "until the configuration changes; no data was deleted");
  else
    {
      g_autofree char *message =
        g_strdup_printf ("survey not checked: the server answered HTTP %ld", reply.status);

      set_survey_status (self, message);
    }

  reply_clear (&reply);
}

static gboolean
survey_tick_cb (gpointer user_data)
{
  KioskUploader *self = user_data;

  g_clear_pointer (&self->survey_source, g_source_unref);
  if (g_atomic_int_get (&self->stopping) || self->mode == KIOSK_SYNC_RETIRED)
    return G_SOURCE_REMOVE;

  pull_survey (self);

  if (self->mode != KIOSK_SYNC_RETIRED && !g_atomic_int_get (&self->stopping))
    reschedule (self, &self->survey_source, jittered (self, self->timings.survey_poll_ms),
                survey_tick_cb, "[kiosk-uploader] survey");
  return G_SOURCE_REMOVE;
}

/* Heartbeat */

static char *
heartbeat_json (KioskUploader *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  KioskSyncStatus *s = &self->status;

  g_mutex_lock (&self->lock);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "uptime_s");
  json_builder_add_int_value (builder,
                              (g_get_monotonic_time () - self->started_us) / G_USEC_PER_SEC);
  json_builder_set_member_name (builder, "queue_depth");
  json_builder_add_int_value (builder, s->queue_depth);
  json_builder_set_member_name (builder, "oldest_pending_age_s");
  json_builder_add_int_value (builder, MAX (s->oldest_pending_age_s, 0));
  json_builder_set_member_name (builder, "dead_letter_count");
  json_builder_add_int_value (builder, s->dead_letters);
  json_builder_set_member_name (builder, "last_upload_ok_at");
  if (s->last_success)
    json_builder_add_string_value (builder, s->last_success);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "last_error");
  if (s->last_error)
    json_builder_add_string_value (builder, s->last_error);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "clock_synced");
  json_builder_add_boolean_value (builder, s->clock_synced);
  json_builder_set_member_name (builder, "survey_id");
  if (self->survey_id)
    json_builder_add_string_value (builder, self->survey_id);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "survey_version");
  json_builder_add_int_value (builder, self->survey_version);
  json_builder_set_member_name (builder, "last_seq");
  json_builder_add_int_value (builder, s->last_seq);
  json_builder_end_object (builder);
  g_mutex_unlock (&self->lock);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static void
send_heartbeat (KioskUploader *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  const char *headers[] = { "Content-Type: application/json", NULL };
  Reply reply;

  if (ensure_outbox (self, NULL))
    refresh_stats (self, TRUE);

  body = heartbeat_json (self);
  if (!perform (self, "POST", self->heartbeat_url, headers, body, strlen (body), &reply, &error))
    {
      g_debug ("Heartbeat not sent: %s", error->message);
      reply_clear (&reply);
      return;
    }

  if (reply.code == CURLE_OK && reply.status >= 200 && reply.status < 300)
    g_debug ("Heartbeat delivered");
  else if (reply.code == CURLE_OK && reply.status == 410)
    enter_retired (self, "heartbeat: the server retired this device (HTTP 410): nothing is sent "
                         "until the configuration changes; no data was deleted");
  else if (!g_atomic_int_get (&self->stopping))
    {
      g_autofree char *why = reply.code != CURLE_OK ? describe_transport_failure (&reply)
                                                    : g_strdup_printf ("HTTP %ld", reply.status);

      g_debug ("Heartbeat failed: %s", why);
    }

  reply_clear (&reply);
}

static gboolean
heartbeat_tick_cb (gpointer user_data)
{
  KioskUploader *self = user_data;

  g_clear_pointer (&self->heartbeat_source, g_source_unref);
  if (g_atomic_int_get (&self->stopping) || self->mode == KIOSK_SYNC_RETIRED)
    return G_SOURCE_REMOVE;

  send_heartbeat (self);

  if (self->mode != KIOSK_SYNC_RETIRED && !g_atomic_int_get (&self->stopping))
    reschedule (self, &self->heartbeat_source, jittered (self, self->timings.heartbeat_ms),
                heartbeat_tick_cb, "[kiosk-uploader] heartbeat");
  return G_SOURCE_REMOVE;
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
      schedule_prune (self, PRUNE_PAUSE_MS);
    }

  /* Backoff, pause, start delay and retirement all have their own timer or none: a tap does not
   * shorten them. */
  if (self->mode == KIOSK_SYNC_IDLE && self->upload_source == NULL)
    schedule_upload (self, self->timings.debounce_ms, TRUE);

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
  set_mode (self, KIOSK_SYNC_IDLE);
  schedule_upload (self, 0, FALSE);
  reschedule (self, &self->survey_source, 0, survey_tick_cb, "[kiosk-uploader] survey");

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
      set_next_retry (self, delay, 0);
      schedule_upload (self, delay, TRUE);
      status_changed (self);
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
      set_next_retry (self, -1, 0);
      set_mode (self, KIOSK_SYNC_STOPPED);
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
  g_clear_pointer (&self->easy, curl_easy_cleanup);
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
  set_next_retry (self, self->timings.debounce_ms, 0);
  schedule_upload (self, self->timings.debounce_ms, TRUE);
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

static gpointer
worker_main (gpointer data)
{
  KioskUploader *self = data;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (self->worker_context);

  self->rand = make_rand (self);
  self->easy = curl_easy_init ();

  /* inotify, in this thread's context: no polling, no wake-ups while nothing changes. */
  {
    g_autoptr(GFile) token = g_file_new_for_path (self->token_file);

    self->token_monitor = g_file_monitor_file (token, G_FILE_MONITOR_NONE, NULL, NULL);
    if (self->token_monitor != NULL)
      g_signal_connect (self->token_monitor, "changed", G_CALLBACK (token_changed_cb), self);
  }

  if (ensure_outbox (self, &error))
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
          set_error_message (self, "the server retired this device (HTTP 410): nothing is sent "
                                   "until the configuration changes; no data was deleted");
          set_mode (self, KIOSK_SYNC_RETIRED);
        }
      else if (retired_for != NULL)
        kiosk_outbox_set_state (self->outbox, KIOSK_SYNC_KEY_RETIRED_FOR, NULL, NULL);

      refresh_stats (self, TRUE);
      schedule_prune (self, 0);
    }
  else
    g_debug ("The queue cannot be read yet: %s", error->message);

  if (self->mode != KIOSK_SYNC_RETIRED)
    {
      gint64 delay = start_delay (self);

      set_next_retry (self, delay, 0);
      set_mode (self, KIOSK_SYNC_STARTING);
      schedule_upload (self, delay, FALSE);
      reschedule (self, &self->survey_source, start_delay (self), survey_tick_cb,
                  "[kiosk-uploader] survey");
      reschedule (self, &self->heartbeat_source, start_delay (self), heartbeat_tick_cb,
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
  self->multi = curl_multi_init ();
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
  curl_multi_wakeup (self->multi);
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
