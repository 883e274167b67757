/* kiosk-server-report.h: the PDF report of a site or a group for a period (a day or a week,
 * or any span of days from the dashboard), drawn with cairo through the chart module the
 * dashboard uses (src/core/kiosk-chart.c); and the daily and weekly schedules that mail it
 * after the site's closing time in its own time zone. */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

#include "kiosk-dash-data.h"
#include "kiosk-server-config.h"

G_BEGIN_DECLS

typedef struct
{
  gint64      site_id;     /* one of site_id and group_id, the other 0 */
  gint64      group_id;
  GDate       from;        /* local days of each site, both included */
  GDate       to;
  const char *language;    /* a po/LINGUAS code or "en" */
  gboolean    include_misuse;
} KioskReportRequest;

/* The report as a PDF; @out_title (may be NULL) gets "Site title — 1–7 Dec 2026" in
 * @request's language, for a mail's subject and a file name. */
GBytes   *kiosk_report_render_pdf      (PGconn                    *conn,
                                        const KioskReportRequest  *request,
                                        char                     **out_title,
                                        GError                   **error);

#define KIOSK_REPORT_ERROR (kiosk_report_error_quark ())
GQuark    kiosk_report_error_quark     (void);

typedef enum
{
  KIOSK_REPORT_ERROR_INVALID,   /* the schedule's definition: one line per problem, naming the
                                 * field */
  KIOSK_REPORT_ERROR_UNKNOWN,   /* no such schedule, site or group */
  KIOSK_REPORT_ERROR_EXISTS,    /* a schedule of that name exists already */
} KioskReportError;

/* A schedule as the dashboard's form and `report add` give it. */
typedef struct
{
  const char  *name;
  const char  *period;      /* "daily" or "weekly" */
  const char  *site;        /* one of site and group, the other NULL */
  const char  *group;
  GPtrArray   *emails;      /* char* */
  const char  *language;    /* a po/LINGUAS code or "en" */
  gboolean     enabled;
} KioskReportSchedule;

/* Every problem of @schedule, as KIOSK_REPORT_ERROR_INVALID, a line each, e.g. "period:
 * “monthly” is not daily or weekly". */
gboolean  kiosk_report_schedule_check  (const KioskReportSchedule *schedule,
                                        GError                   **error);
/* Checks @schedule and adds it: KIOSK_REPORT_ERROR_UNKNOWN when its site or group does not
 * exist, _EXISTS when its name is taken. */
gboolean  kiosk_report_schedule_save   (PGconn                    *conn,
                                        const KioskReportSchedule *schedule,
                                        GError                   **error);
/* Removes the schedule called @name (mails already queued are still sent):
 * KIOSK_REPORT_ERROR_UNKNOWN when there is none. */
gboolean  kiosk_report_schedule_remove (PGconn                    *conn,
                                        const char                *name,
                                        GError                   **error);

/* For every enabled schedule whose period has ended and whose sites have all closed for its
 * last day (each on its own clock and opening hours), and that was not sent yet: records the
 * run, renders the PDF and queues the mails, in one transaction per schedule. @out_queued
 * (may be NULL) gets the number of runs recorded. */
gboolean  kiosk_report_schedule_tick   (PGconn                    *conn,
                                        const KioskServerConfig   *config,
                                        gint64                     now_us,
                                        guint                     *out_queued,
                                        GError                   **error);

/* A period whose sending time lies further back than this is never sent (a server that was
 * down for a month does not send thirty daily reports at once). */
#define KIOSK_REPORT_CATCH_UP_US (2 * G_TIME_SPAN_DAY)

/* When @site closes on its local day @date (µs since the epoch): the end of the day's last
 * opening range; the local midnight that ends the day when the site is open around the clock
 * (or has no hours) or still open then; 0 when it is closed all day. */
gint64    kiosk_report_site_closing    (const KioskDashSite       *site,
                                        const GDate               *date);

/* smiley-kiosk-server report add|list|remove|render … */
int       kiosk_server_admin_report    (PGconn                    *conn,
                                        int                        argc,
                                        char                     **argv);

G_END_DECLS
