/* kiosk-dash-data.h: the dashboard's figures, read from the rollups (migration 003) and from
 * responses, each query restricted to the sites the user may see and to the page's filter. */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

#include "kiosk-chart.h"
#include "kiosk-dash.h"
#include "kiosk-hours.h"
#include "kiosk-response.h"

G_BEGIN_DECLS

/* A kiosk is silent after this much opening time without a heartbeat. */
#define KIOSK_DASH_SILENT_US (15 * G_TIME_SPAN_MINUTE)

/* Responses by scale and face. */
typedef struct
{
  guint64 faces[KIOSK_MAX_SCALE + 1][KIOSK_MAX_SCALE];  /* [scale][face], as the filter counts */
  guint64 n;        /* responses counted: misuse only when the filter includes it */
  guint64 misuse;   /* responses flagged as misuse, counted or not */
  guint64 all;      /* every response, misuse included */
} KioskDashCounts;

void     kiosk_dash_counts_add    (KioskDashCounts       *counts,
                                   int                    scale,
                                   int                    face,
                                   gboolean               misuse,
                                   gboolean               include_misuse,
                                   guint64                n);
void     kiosk_dash_counts_merge  (KioskDashCounts       *into,
                                   const KioskDashCounts *from);
/* HappyOrNot's Happy Index over every scale (each response weighted alike); NaN when n is 0. */
double   kiosk_dash_counts_index  (const KioskDashCounts *counts);
/* The same for a CSV cell: "78.2", or empty when n is 0. */
char    *kiosk_dash_counts_index_csv (const KioskDashCounts *counts);
/* A count for a CSV cell. */
char    *kiosk_dash_uint_csv      (guint64                value);
/* An instant (in µs) for a CSV cell, in UTC (ISO 8601). */
char    *kiosk_dash_csv_time      (gint64                 unix_us);
/* A number for a CSV cell; NULL (empty) when not @known. */
char    *kiosk_dash_int_csv       (gboolean               known,
                                   gint64                 value);
/* The scale most responses were given on (4 when there are none). */
guint    kiosk_dash_counts_scale  (const KioskDashCounts *counts);

typedef struct
{
  gint64      id;
  char       *name;
  char       *title;
  char       *time_zone;
  char       *site_type;
  char       *country;       /* NULL when unknown */
  gint64      group_id;      /* 0: none */
  char       *group_name;
  char       *group_title;
  KioskHours *hours;         /* in the site's zone; not limited: open around the clock */
} KioskDashSite;

void           kiosk_dash_site_free   (KioskDashSite *site);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskDashSite, kiosk_dash_site_free)

/* Every site @user may see, by name. */
GPtrArray     *kiosk_dash_data_sites  (PGconn               *conn,
                                       const KioskDashUser  *user,
                                       GError              **error);
/* The site called @name; NULL without @error when it is unknown or @user may not see it. */
KioskDashSite *kiosk_dash_data_site   (PGconn               *conn,
                                       const KioskDashUser  *user,
                                       const char           *name,
                                       GError              **error);

/* Whether a kiosk last heard at @last_us (0: never, then @since_us, when it was registered) has
 * been silent for KIOSK_DASH_SILENT_US of @hours's opening time by @now_us. */
gboolean       kiosk_dash_is_silent   (KioskHours           *hours,
                                       gint64                last_us,
                                       gint64                now_us);
/* The opening time of @hours (NULL or not limited: all of it) between @from_us and @to_us, in
 * microseconds; the count stops at @cap_us. */
gint64         kiosk_dash_open_us     (KioskHours           *hours,
                                       gint64                from_us,
                                       gint64                to_us,
                                       gint64                cap_us);

/* Overview: the site's local today, the last 7 and the last 30 days (today included), each
 * beside the period before it. */
typedef enum
{
  KIOSK_DASH_TODAY,
  KIOSK_DASH_WEEK,
  KIOSK_DASH_MONTH,
  KIOSK_DASH_N_PERIODS
} KioskDashPeriod;

typedef struct
{
  KioskDashSite  *site;
  KioskDashCounts current[KIOSK_DASH_N_PERIODS];
  KioskDashCounts previous[KIOSK_DASH_N_PERIODS];
  guint           kiosks;
  guint           silent;
} KioskDashOverviewRow;

/* The filter's survey and misuse switch apply; its dates do not (the periods are fixed). */
GPtrArray     *kiosk_dash_data_overview (PGconn                *conn,
                                         const KioskDashUser   *user,
                                         const KioskDashFilter *filter,
                                         gint64                 now_us,
                                         GError               **error);

/* One site */
typedef struct
{
  GDate           date;
  KioskDashCounts counts;
} KioskDashDay;

/* Every day of the filter (days without responses too), oldest first. */
GArray        *kiosk_dash_data_days   (PGconn                *conn,
                                       const KioskDashSite   *site,
                                       const KioskDashFilter *filter,
                                       GError               **error);

/* [weekday: 0 = Monday][local hour] */
typedef struct
{
  KioskDashCounts cells[7][24];
} KioskDashWeekHours;

/* The charts the site's page and its report share, each with a KioskChartDrawFunc; @style is
 * the page's or the paper's. */
typedef struct
{
  KioskChartDay  *days;
  guint           n_days;
  const char     *index_title;
  const char     *count_title;
  KioskChartStyle style;
  GPtrArray      *labels;        /* owned: the days' "04.12." */
} KioskDashTrend;

/* Fills @chart with @days (KioskDashDay), the style kiosk_chart_style_init's; clear it with
 * kiosk_dash_trend_clear. */
void     kiosk_dash_trend_fill    (KioskDashTrend           *chart,
                                   GArray                   *days,
                                   const char               *index_title,
                                   const char               *count_title);
void     kiosk_dash_trend_clear   (KioskDashTrend           *chart);

void     kiosk_dash_trend_draw    (cairo_t                  *cr,
                                   double                    width,
                                   double                    height,
                                   gpointer                  chart);

typedef struct
{
  const guint64     *counts;
  guint              scale;
  const char *const *labels;
  const char *const *values;     /* NULL: none beside the bars */
  KioskChartStyle    style;
} KioskDashFaces;

void     kiosk_dash_faces_draw    (cairo_t                  *cr,
                                   double                    width,
                                   double                    height,
                                   gpointer                  chart);

/* The Happy Index by weekday and hour as a heat map, on the site's page and in its report. An
 * hour with fewer responses than KIOSK_DASH_HEATMAP_MIN_COUNT is hatched; a closed one blank. */
#define KIOSK_DASH_HEATMAP_MIN_COUNT 5

typedef struct
{
  double          index[7][24];
  guint64         counts[7][24];
  gboolean        open[7][24];
  const char     *weekdays[7];
  KioskChartStyle style;
} KioskDashHeatmap;

/* Fills @chart from @hours, with weekdays named in @language; an hour is open when @open says
 * so or when it has responses. The style is kiosk_chart_style_init's. */
void     kiosk_dash_heatmap_fill  (KioskDashHeatmap         *chart,
                                   const KioskDashWeekHours *hours,
                                   const gboolean            open[7][24],
                                   const char               *language);
/* A KioskChartDrawFunc of a KioskDashHeatmap. */
void     kiosk_dash_heatmap_draw  (cairo_t                  *cr,
                                   double                    width,
                                   double                    height,
                                   gpointer                  chart);

KioskDashWeekHours *kiosk_dash_data_hours (PGconn                *conn,
                                           const KioskDashSite   *site,
                                           const KioskDashFilter *filter,
                                           GError               **error);
/* Whether @site is open at some time of @hour on @weekday (0 = Monday). */
gboolean       kiosk_dash_site_open_hour (const KioskDashSite *site,
                                          guint                weekday,
                                          guint                hour);

typedef enum
{
  KIOSK_DASH_UNHAPPY,
  KIOSK_DASH_HAPPY,
} KioskDashMood;

typedef struct
{
  char   *follow_up_id;
  char   *option_id;
  guint64 n;          /* answers that selected this option */
  guint64 answered;   /* answers of this mood to this follow-up that selected anything */
} KioskDashReason;

void           kiosk_dash_reason_free (KioskDashReason *reason);
/* Ranked by n (then by option), for the faces below (unhappy) or above (happy) the middle. */
GPtrArray     *kiosk_dash_data_reasons (PGconn                *conn,
                                        const KioskDashSite   *site,
                                        const KioskDashFilter *filter,
                                        KioskDashMood          mood,
                                        GError               **error);
/* KioskSurvey: every published version of the surveys @site's reasons of @filter's days were
 * given to, newest first, for kiosk_dash_reason_label(). */
GPtrArray     *kiosk_dash_data_surveys (PGconn                *conn,
                                        const KioskDashSite   *site,
                                        const KioskDashFilter *filter,
                                        GError               **error);
/* The option's text as the visitors saw it, in @language (else the survey's default language);
 * NULL when none of @surveys has it. */
const char    *kiosk_dash_reason_label (GPtrArray             *surveys,
                                        const KioskDashReason *reason,
                                        const char            *language);
/* A face's name on @scale in @language (kiosk_dash_face_name() in a request's). */
char          *kiosk_dash_language_face_name (const char      *language,
                                              int              face,
                                              int              scale);

typedef struct
{
  gint64   time_us;
  char    *local_time;   /* "YYYY-MM-DD HH:MM" on the site's clock */
  int      face;
  int      scale;
  gboolean misuse;
  char    *comment;
  char    *device_id;
  char    *language;
} KioskDashComment;

void           kiosk_dash_comment_free (KioskDashComment *comment);
/* Comments of the filter's days and survey, newest first; misuse is shown (flagged), whatever
 * the misuse switch says. @limit 0: all. */
GPtrArray     *kiosk_dash_data_comments (PGconn                *conn,
                                         const KioskDashSite   *site,
                                         const KioskDashFilter *filter,
                                         guint                  offset,
                                         guint                  limit,
                                         guint64               *out_total,
                                         GError               **error);

/* Compare */
typedef struct
{
  char           *key;       /* the site type, the country code, the group name */
  char           *title;
  KioskDashCounts counts;    /* every site of it the user may see, pooled */
  guint           sites;
} KioskDashAggregate;

typedef struct
{
  KioskDashSite      *site;
  KioskDashCounts     counts;
  KioskDashAggregate *type;     /* borrowed from the comparison */
  KioskDashAggregate *country;  /* NULL when the site has none */
} KioskDashCompareRow;

typedef struct
{
  GPtrArray  *sites;      /* KioskDashCompareRow, best Happy Index first, no responses last */
  GPtrArray  *groups;     /* KioskDashAggregate, likewise */
  GHashTable *types;      /* key → KioskDashAggregate */
  GHashTable *countries;
} KioskDashComparison;

KioskDashComparison *kiosk_dash_data_compare (PGconn                *conn,
                                              const KioskDashUser   *user,
                                              const KioskDashFilter *filter,
                                              GError               **error);
void           kiosk_dash_comparison_free (KioskDashComparison *comparison);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskDashComparison, kiosk_dash_comparison_free)

/* Fleet: each kiosk's latest heartbeat (device_health) */
typedef struct
{
  char    *device_id;
  gint64   site_id;
  char    *site_name;
  char    *site_title;
  char    *time_zone;
  gboolean heard;              /* FALSE: no heartbeat yet; the fields below are empty */
  gint64   last_heartbeat_us;
  char    *version;
  gint64   uptime_s;
  char    *survey_id;
  gint64   survey_version;
  gint64   queue_depth;
  gint64   oldest_pending_age_s;
  gint64   dead_letter_count;
  gboolean clock_synced;
  char    *last_upload_ok_at;
  char    *last_error;
  gint64   last_seen_us;       /* its last batch of responses; 0: none */
  gboolean silent;
  /* The heartbeat's optional members: NULL / -1 when not reported */
  char    *storage_state;      /* "ok", "recovered", "failing", or a later kiosk's word */
  gint64   storage_database_bytes;
  gint64   storage_free_bytes;
  gint64   buttons_configured; /* 0: touch only */
  gint64   buttons_connected;
} KioskDashKiosk;

void           kiosk_dash_kiosk_free  (KioskDashKiosk *kiosk);
/* Every kiosk (not retired) of the sites @user may see, by site and id. */
GPtrArray     *kiosk_dash_data_fleet  (PGconn               *conn,
                                       const KioskDashUser  *user,
                                       gint64                now_us,
                                       GError              **error);

G_END_DECLS

G_BEGIN_DECLS

/* Pieces the pages share */

/* "78 (n = 219)": the Happy Index, never without the number of responses beside it. */
void        kiosk_dash_html_index  (GString               *out,
                                    KioskDashRequest      *request,
                                    const KioskDashCounts *counts);
/* ▲ / ▼ / ▶ with a text alternative, when both periods have an index. */
void        kiosk_dash_html_trend  (GString               *out,
                                    KioskDashRequest      *request,
                                    const KioskDashCounts *current,
                                    const KioskDashCounts *previous);
/* A face's name on @scale (four faces named, other scales numbered); free with g_free. */
char       *kiosk_dash_face_name   (KioskDashRequest      *request,
                                    int                    face,
                                    int                    scale);
/* An alert rule's kind ("unhappy-share" …, alert_rules.kind) in words. */
const char *kiosk_dash_alert_kind_name (KioskDashRequest  *request,
                                        const char        *kind);
/* Appends one CSV row of @n_fields const char * (NULL: an empty field) and "\r\n" to @out. */
void        kiosk_dash_csv_row     (GString               *out,
                                    guint                  n_fields,
                                    ...);

G_END_DECLS

G_BEGIN_DECLS

/* Alerts (migration 006): episodes, for the Alerts page and the navigation's badge */

/* How many episodes are open on the sites @user may see; -1 with @error. */
gint64         kiosk_dash_data_open_alerts (PGconn              *conn,
                                            const KioskDashUser *user,
                                            GError             **error);

typedef struct
{
  char   *label;        /* the option's label when the episode opened, else its id */
  guint64 n;
} KioskDashEpisodeReason;

typedef struct
{
  gint64     id;
  char      *rule_name;
  char      *kind;            /* alert_rules.kind: "unhappy-share" … */
  guint      window_minutes;
  gint64     site_id;
  char      *site_name;
  char      *site_title;
  char      *time_zone;
  char      *device_id;       /* the silent kiosk; NULL for a site's responses */
  gint64     opened_us;
  gint64     closed_us;       /* 0: open */
  double     value;           /* the figure when it opened; NaN: none */
  guint64    responses;
  GPtrArray *reasons;         /* KioskDashEpisodeReason, at most three, most chosen first */
  GPtrArray *comments;        /* KioskDashComment: the latest, newest first; no misuse, no
                               * device, no language (the episode does not keep them) */
  gint64     acknowledged_us; /* 0: not acknowledged */
  char      *acknowledged_by;
  char      *ack_comment;
} KioskDashEpisode;

void           kiosk_dash_episode_free (KioskDashEpisode *episode);

/* The open episodes (@open) of the sites @user may see, oldest first; or the closed ones that
 * opened on @filter's days (each site's local days), newest first, @limit (0: all) from @offset
 * with @out_total (may be NULL) how many there are. */
GPtrArray     *kiosk_dash_data_episodes (PGconn                *conn,
                                         const KioskDashUser   *user,
                                         gboolean               open,
                                         const KioskDashFilter *filter,
                                         guint                  offset,
                                         guint                  limit,
                                         guint64               *out_total,
                                         GError               **error);
/* The site of episode @episode_id when @user may see it, else 0 (also for no such episode). */
gint64         kiosk_dash_data_episode_site (PGconn              *conn,
                                             const KioskDashUser *user,
                                             gint64               episode_id,
                                             GError             **error);

/* Site groups, for the forms that choose a site or a group */
typedef struct
{
  gint64 id;
  char  *name;
  char  *title;
} KioskDashGroup;

void           kiosk_dash_group_free  (KioskDashGroup *group);
/* The groups with sites of which @user may see every one, by name. */
GPtrArray     *kiosk_dash_data_groups (PGconn               *conn,
                                       const KioskDashUser  *user,
                                       GError              **error);

/* <option value=@value lang=@lang (NULL: none)>@label</option>, selected when @value is
 * @selected. */
void           kiosk_dash_option       (GString          *out,
                                        const char       *value,
                                        const char       *label,
                                        const char       *selected,
                                        const char       *lang);
/* A <select> of @sites (KioskDashSite) and @groups (KioskDashGroup), in two <optgroup>s; the
 * values are "site:NAME" and "group:NAME", @selected one of them (may be NULL). */
void           kiosk_dash_scope_select (GString          *out,
                                        KioskDashRequest *request,
                                        const char       *id,
                                        const char       *name,
                                        GPtrArray        *sites,
                                        GPtrArray        *groups,
                                        const char       *selected);
/* Splits such a value: the site's or the group's name into @out_site or @out_group (the other
 * NULL); FALSE when @value is neither. */
gboolean       kiosk_dash_scope_parse  (const char       *value,
                                        char            **out_site,
                                        char            **out_group);
/* A <select> of the dashboard's languages, each by its own name. */
void           kiosk_dash_language_select (GString          *out,
                                           KioskDashRequest *request,
                                           const char       *id,
                                           const char       *name,
                                           const char       *selected);

/* Report schedules (report_schedules, report_runs) */
typedef struct
{
  gint64  id;
  char   *name;
  char   *period;           /* "daily" or "weekly" */
  char   *scope_name;       /* the site's or the group's name */
  char   *scope_title;
  gboolean group;           /* the scope is a group */
  char  **emails;
  char   *language;
  gboolean enabled;
  char   *last_start;       /* the last run's period, "YYYY-MM-DD"; NULL: never run */
  char   *last_end;
  gint64  last_run_us;
} KioskDashSchedule;

void           kiosk_dash_schedule_free (KioskDashSchedule *schedule);
/* Every schedule, by name. */
GPtrArray     *kiosk_dash_data_schedules (PGconn               *conn,
                                          GError              **error);

G_END_DECLS
