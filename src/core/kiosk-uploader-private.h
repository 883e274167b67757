/* kiosk-uploader-private.h: the uploader's instance and the functions its files share
 * (kiosk-uploader.c and kiosk-uploader-*.c, kiosk-sync-status.c); not for the rest of the app. */
#pragma once

#include "kiosk-outbox.h"
#include "kiosk-retry.h"
#include "kiosk-transport.h"
#include "kiosk-uploader.h"

G_BEGIN_DECLS

/* A pruning step deletes at most this many rows in one transaction (a few milliseconds), then
 * gives the kiosk's taps the lock for a while. */
#define KIOSK_UPLOADER_PRUNE_STEP_ROWS        128
#define KIOSK_UPLOADER_PRUNE_PAUSE_MS         5

struct _KioskUploader
{
  GObject               parent_instance;

  /* configuration: fixed once created */
  char                 *url;
  char                 *events_url;
  char                 *survey_url;
  char                 *heartbeat_url;
  char                 *token_file;
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
  int                   storage_health;      /* KioskStorageHealth; -1 until the app says */
  int                   buttons_configured;  /* -1 until the app says */
  guint                 buttons_connected;

  /* threads */
  GMainContext         *main_context;        /* where signals are emitted */
  GMainContext         *worker_context;
  GThread              *thread;
  KioskTransport       *transport;           /* the worker's; cancelled from the main thread */
  GNetworkMonitor      *monitor;
  gulong                monitor_handler;
  gint                  stopping;            /* atomic */
  gint                  wake_pending;        /* atomic */
  gint                  notify_pending;      /* atomic */
  gint64                started_us;

  /* worker thread only */
  KioskOutbox          *outbox;
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

/* kiosk-uploader.c: the thread, its main context and its timers */
gboolean  _kiosk_uploader_ensure_outbox          (KioskUploader  *self,
                                                  GError        **error);
void      _kiosk_uploader_schedule_upload        (KioskUploader  *self,
                                                  gint64          delay_ms,
                                                  gboolean        only_if_earlier);
void      _kiosk_uploader_reschedule             (KioskUploader  *self,
                                                  GSource       **slot,
                                                  gint64          delay_ms,
                                                  GSourceFunc     callback,
                                                  const char     *name);
gint64    _kiosk_uploader_jittered               (KioskUploader  *self,
                                                  guint           interval_ms);
void      _kiosk_uploader_status_changed         (KioskUploader  *self);
void      _kiosk_uploader_survey_updated         (KioskUploader  *self,
                                                  const char     *path);

/* kiosk-sync-status.c: the status snapshot and the sync state's transitions */
void      _kiosk_sync_status_clear               (KioskSyncStatus *status);
gboolean  _kiosk_uploader_set_mode               (KioskUploader  *self,
                                                  KioskSyncState  mode);
void      _kiosk_uploader_persist_state          (KioskUploader  *self);
void      _kiosk_uploader_set_error_message      (KioskUploader  *self,
                                                  const char     *message);
void      _kiosk_uploader_set_next_retry         (KioskUploader  *self,
                                                  gint64          delay_ms,
                                                  gint64          retry_after_s);
void      _kiosk_uploader_refresh_stats          (KioskUploader  *self,
                                                  gboolean        force);
void      _kiosk_uploader_enter_retry            (KioskUploader  *self,
                                                  KioskVerdict   *verdict);
void      _kiosk_uploader_enter_pause            (KioskUploader  *self,
                                                  const char     *message);
void      _kiosk_uploader_enter_retired          (KioskUploader  *self,
                                                  const char     *message);

void      _kiosk_uploader_schedule_prune         (KioskUploader  *self,
                                                  guint           delay_ms);

/* kiosk-uploader-batch.c, kiosk-uploader-survey.c, kiosk-uploader-heartbeat.c: the timers'
 * callbacks, on the worker thread */
gboolean  _kiosk_uploader_upload_tick            (gpointer        user_data);
gboolean  _kiosk_uploader_survey_tick            (gpointer        user_data);
gboolean  _kiosk_uploader_heartbeat_tick         (gpointer        user_data);

G_END_DECLS
