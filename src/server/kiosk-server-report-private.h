/* kiosk-server-report-private.h: a report's figures, read once (kiosk-server-report-data.c)
 * and drawn (kiosk-server-report.c). */
#pragma once

#include "kiosk-dash-data.h"
#include "kiosk-server-report.h"

G_BEGIN_DECLS

/* The latest comments a report shows. */
#define KIOSK_REPORT_COMMENTS 12

typedef struct
{
  KioskDashReason reason;   /* owned strings */
  char           *label;    /* the option's text in the report's language, else its id */
} Reason;

typedef struct
{
  KioskDashComment *comment;
  const char       *site_title;   /* borrowed from the report's sites */
} Comment;

typedef struct
{
  const KioskDashSite *site;
  KioskDashCounts      counts;
} SiteRow;

typedef struct
{
  const char        *language;
  gboolean           include_misuse;
  gboolean           group;
  char              *title;
  GPtrArray         *sites;          /* KioskDashSite */
  KioskDashFilter    filter;
  guint              n_days;
  GArray            *days;           /* KioskDashDay, the sites' days added up */
  KioskDashCounts    total;
  KioskDashCounts    previous;       /* the same number of days just before */
  GDate              previous_from;
  GDate              previous_to;
  KioskDashWeekHours hours;
  gboolean           open[7][24];
  GPtrArray         *reasons[2];     /* Reason, by KioskDashMood, most given first */
  GPtrArray         *comments;       /* Comment, newest first */
  GPtrArray         *comment_rows;   /* GPtrArray of KioskDashComment, per site: owns them */
  GArray            *site_rows;      /* SiteRow, best Happy Index first */
  char              *zones;          /* the sites' time zones, ", " between */
  gint64             generated_us;
} Report;

/* Reads everything @request's report shows; FALSE with @error when the database failed or the
 * site or group does not exist. Clear @report with _kiosk_report_clear() in either case. */
gboolean _kiosk_report_load  (PGconn                   *conn,
                              const KioskReportRequest *request,
                              Report                   *report,
                              GError                  **error);
void     _kiosk_report_clear (Report                   *report);

G_END_DECLS
