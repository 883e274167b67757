/* kiosk-uploader.h: background sync with the cloud API (docs/cloud-api.md): delivers the queue of
 * responses, pulls the survey and sends heartbeats, on a thread of its own. */
#pragma once

#include <gio/gio.h>

#include "kiosk-clock.h"
#include "kiosk-config.h"
#include "kiosk-store.h"

G_BEGIN_DECLS

#define KIOSK_UPLOADER_ERROR (kiosk_uploader_error_quark ())

typedef enum
{
  KIOSK_UPLOADER_ERROR_CONFIG,     /* no url, or a url the uploader will not use */
  KIOSK_UPLOADER_ERROR_INSECURE,   /* http:// to a host that is not loopback */
  KIOSK_UPLOADER_ERROR_TOKEN,      /* the token file is missing, unsafe or malformed */
  KIOSK_UPLOADER_ERROR_SURVEY,     /* a pulled survey was not usable */
} KioskUploaderError;

typedef enum
{
  KIOSK_SYNC_OFF,        /* no [cloud] url: the kiosk works offline */
  KIOSK_SYNC_STARTING,   /* waiting out the random delay after start (or the network's return) */
  KIOSK_SYNC_IDLE,       /* everything delivered, or about to send what just arrived */
  KIOSK_SYNC_SENDING,
  KIOSK_SYNC_BACKOFF,    /* a failure that will pass: waiting to retry */
  KIOSK_SYNC_PAUSED,     /* a configuration problem (401, 403, 404, token file): retried slowly */
  KIOSK_SYNC_RETIRED,    /* the server answered 410: nothing is sent until the config changes */
  KIOSK_SYNC_STOPPED,
} KioskSyncState;

/* One moment's facts, for the status screen, --status and the heartbeat. */
typedef struct
{
  KioskSyncState state;
  char          *url;                   /* NULL when sync is off */
  gint64         queue_depth;
  gint64         oldest_pending_age_s;  /* -1 when nothing is pending */
  gint64         open_visits;
  gint64         dead_letters;
  gint64         dropped;               /* undelivered responses dropped by a queue bound, ever */
  gint64         last_seq;
  char          *last_success;          /* RFC 3339; NULL when never */
  char          *last_error;            /* NULL when the last exchange went well */
  char          *next_retry;            /* RFC 3339 (wall clock, for people); NULL when none */
  gint64         next_retry_in_ms;      /* -1 when none planned */
  gint64         retry_after_s;         /* the server's Retry-After as honoured, 0 when none */
  gboolean       clock_synced;
  gint64         clock_unsynced;        /* pending, recorded before the clock was synchronised */
  gint64         clock_corrected;       /* pending, corrected once it was */
  guint          batch_ceiling;
  char          *survey_status;         /* NULL until a survey was pulled */

  /* Since this uploader started */
  guint64        requests;
  guint64        bytes_sent;            /* request headers and bodies, as libcurl counts them */
  guint64        bytes_received;
  guint64        delivered;
  guint64        dead_lettered;
} KioskSyncStatus;

/* Every delay the uploader uses, so that tests run in milliseconds what takes minutes. */
typedef struct
{
  guint    debounce_ms;          /* taps arriving together travel together: 1 s */
  guint    start_delay_max_ms;   /* after start and after the network returns: 0-10 s */
  guint    backoff_base_ms;      /* the first retry comes within this: 2 s */
  guint    backoff_cap_ms;       /* 10 min */
  guint    pause_ms;             /* retry after a configuration problem: 15 min */
  guint    retry_after_min_ms;   /* Retry-After clamped to 1 s … */
  guint    retry_after_max_ms;   /* … 24 h */
  guint    survey_poll_ms;       /* from the config; ± 20 % jitter */
  guint    heartbeat_ms;         /* from the config; ± 20 % jitter */
  guint    connect_timeout_ms;   /* 10 s */
  guint    low_speed_time_s;     /* abort under 1 byte/s for this long: 30 s */
  guint    total_timeout_ms;     /* 120 s */
  guint    stats_interval_ms;    /* queue figures are refreshed at most this often while busy */
  guint64  seed;                 /* 0: a random seed mixed with the device id */
  gboolean use_network_monitor;
} KioskUploaderTimings;

/**
 * KioskSurveyValidator:
 * @data: the survey JSON as the server sent it (valid UTF-8, a JSON object, NUL-terminated
 *   beyond its size so it can be read as a string)
 * @error: why it cannot be used, in words for the status screen
 *
 * Called on the uploader's thread: it must not touch GTK or the flow.
 */
typedef gboolean (*KioskSurveyValidator) (GBytes   *data,
                                          gpointer  user_data,
                                          GError  **error);

#define KIOSK_TYPE_UPLOADER (kiosk_uploader_get_type ())
G_DECLARE_FINAL_TYPE (KioskUploader, kiosk_uploader, KIOSK, UPLOADER, GObject)

GQuark           kiosk_uploader_error_quark            (void);

void             kiosk_uploader_timings_init           (KioskUploaderTimings       *timings);

KioskUploader   *kiosk_uploader_new                    (KioskConfig                *config,
                                                        const char                 *database_path,
                                                        GError                    **error);
void             kiosk_uploader_set_timings            (KioskUploader              *self,
                                                        const KioskUploaderTimings *timings);
void             kiosk_uploader_set_clock              (KioskUploader              *self,
                                                        KioskClock                 *clock);
void             kiosk_uploader_set_survey_validator   (KioskUploader              *self,
                                                        KioskSurveyValidator        validator,
                                                        gpointer                    user_data,
                                                        GDestroyNotify              destroy);
void             kiosk_uploader_set_survey_info        (KioskUploader              *self,
                                                        const char                 *survey_id,
                                                        int                         survey_version);
void             kiosk_uploader_set_storage_health     (KioskUploader              *self,
                                                        KioskStorageHealth          health);
void             kiosk_uploader_set_buttons            (KioskUploader              *self,
                                                        guint                       configured,
                                                        guint                       connected);
const char      *kiosk_uploader_get_survey_path        (KioskUploader              *self);

gboolean         kiosk_uploader_start                  (KioskUploader              *self,
                                                        GError                    **error);
void             kiosk_uploader_stop                   (KioskUploader              *self);

void             kiosk_uploader_wake                   (KioskUploader              *self);
void             kiosk_uploader_sync_now               (KioskUploader              *self);
void             kiosk_uploader_network_changed        (KioskUploader              *self,
                                                        gboolean                    available);

KioskSyncStatus *kiosk_uploader_dup_status             (KioskUploader              *self);

/* Status without a running uploader: read from the database (for --status). */
KioskSyncStatus *kiosk_sync_status_load                (KioskConfig                *config,
                                                        GError                    **error);
char            *kiosk_sync_status_format              (const KioskSyncStatus      *status);
const char      *kiosk_sync_state_to_string            (KioskSyncState              state);
KioskSyncStatus *kiosk_sync_status_copy                (const KioskSyncStatus      *status);
void             kiosk_sync_status_free                (KioskSyncStatus            *status);

/* The pieces of policy, exposed for tests and the fleet simulation. */
gint64           kiosk_backoff_delay_ms                (GRand                      *rand,
                                                        guint                       failures,
                                                        guint                       base_ms,
                                                        guint                       cap_ms);
gint64           kiosk_retry_after_ms                  (const char                 *value,
                                                        const char                 *date_header,
                                                        gint64                      now_wall_us,
                                                        guint                       min_ms,
                                                        guint                       max_ms);
gboolean         kiosk_cloud_url_check                 (const char                 *url,
                                                        gboolean                    allow_insecure,
                                                        GError                    **error);
char            *kiosk_read_token                      (const char                 *path,
                                                        GError                    **error);
gboolean         kiosk_etag_is_sane                    (const char                 *etag);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskSyncStatus, kiosk_sync_status_free)

G_END_DECLS
