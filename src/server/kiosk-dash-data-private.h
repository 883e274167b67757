/* kiosk-dash-data-private.h: what the dashboard's queries (kiosk-dash-data*.c) share. */
#pragma once

#include "kiosk-dash-data.h"

G_BEGIN_DECLS

/* The filter as query parameters: $1 from, $2 to, $3 survey (NULL: all). */
typedef struct
{
  char from[16];
  char to[16];
} KioskDashFilterParams;

/* A site's query: $1 from, $2 to, $3 survey, $4 the site; the query's own from $5 on. */
typedef struct
{
  KioskDashFilterParams fp;
  char                  site_id[24];
  const char           *v[8];
} KioskDashSiteParams;

/* A column's text (NULL when NULL) and number. */
char   *_kiosk_dash_value_or_null (PGresult                 *result,
                                   int                       row,
                                   int                       column);
gint64  _kiosk_dash_value_int     (PGresult                 *result,
                                   int                       row,
                                   int                       column);
/* A column's boolean ("t"), and its number or @if_null when it is NULL. */
gboolean _kiosk_dash_value_bool   (PGresult                 *result,
                                   int                       row,
                                   int                       column);
gint64  _kiosk_dash_value_int_or  (PGresult                 *result,
                                   int                       row,
                                   int                       column,
                                   gint64                    if_null);
/* Adds the row's scale, face, misuse and count, four columns from @column, to @counts. */
void    _kiosk_dash_counts_add_row (KioskDashCounts         *counts,
                                   PGresult                 *result,
                                   int                       row,
                                   int                       column,
                                   gboolean                  include_misuse);

/* What a row of a query's result becomes; @user_data is the query's own. */
typedef gpointer (*KioskDashRowFunc) (PGresult *result,
                                      int       row,
                                      gpointer  user_data);
/* Every row of @result through @from_row, in an array that frees them with @free_func; NULL
 * when @result is NULL (the query failed). */
GPtrArray *_kiosk_dash_rows       (PGresult                 *result,
                                   KioskDashRowFunc          from_row,
                                   gpointer                  user_data,
                                   GDestroyNotify            free_func);
/* The SQL condition on s.id for the sites @user may see. */
char   *_kiosk_dash_condition     (const KioskDashUser      *user);
/* The filter's days as $1 and $2. */
void    _kiosk_dash_filter_params (const KioskDashFilter    *filter,
                                   KioskDashFilterParams    *p);
/* The whole months within the filter's days: the first one's first day and the day after the
 * last one (from >= to when there is none). */
void    _kiosk_dash_months_params (const KioskDashFilter    *filter,
                                   KioskDashFilterParams    *p);
/* The filter's survey as $3, NULL for all. */
const char *_kiosk_dash_survey_param (const KioskDashFilter *filter);
void    _kiosk_dash_site_params   (const KioskDashFilter    *filter,
                                   const KioskDashSite      *site,
                                   KioskDashSiteParams      *sp);

G_END_DECLS
