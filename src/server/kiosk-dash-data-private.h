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
/* How a column of a row is kept in a record's field. */
typedef enum
{
  KIOSK_DASH_TEXT,        /* char *, NULL when NULL; freed with the record */
  KIOSK_DASH_LINES,       /* char **, the text split at "\n"; freed with the record */
  KIOSK_DASH_INT64,       /* gint64 */
  KIOSK_DASH_INT64_OR_0,  /* gint64, 0 when NULL */
  KIOSK_DASH_UINT64,      /* guint64 */
  KIOSK_DASH_INT,         /* int */
  KIOSK_DASH_UINT,        /* guint */
  KIOSK_DASH_BOOL,        /* gboolean, TRUE for "t" */
  KIOSK_DASH_DOUBLE,      /* double, NaN when NULL */
} KioskDashFieldType;

/* Column @column of a row into the field at @offset of a record. */
typedef struct
{
  int                column;
  KioskDashFieldType type;
  gsize              offset;
} KioskDashField;

#define KIOSK_DASH_FIELD(column, type, Struct, member) \
  { (column), KIOSK_DASH_##type, G_STRUCT_OFFSET (Struct, member) }

/* A struct read from a query's row: its size and its fields, one list that says both how a row
 * is read and what freeing the struct frees, so the two cannot drift apart. */
typedef struct
{
  gsize                 size;
  const KioskDashField *fields;
  guint                 n_fields;
} KioskDashRecord;

#define KIOSK_DASH_RECORD(Struct, fields) { sizeof (Struct), (fields), G_N_ELEMENTS (fields) }

/* Fills @record's fields of @fields from @row. */
void     _kiosk_dash_record_read   (gpointer                  record,
                                    const KioskDashField     *fields,
                                    guint                     n_fields,
                                    PGresult                 *result,
                                    int                       row);
/* A new record of @user_data (a KioskDashRecord) read from @row: a KioskDashRowFunc. */
gpointer _kiosk_dash_record_new    (PGresult                 *result,
                                    int                       row,
                                    gpointer                  user_data);
/* Every row of @result as a record of @type: _kiosk_dash_rows() through
 * _kiosk_dash_record_new(). */
GPtrArray *_kiosk_dash_records     (PGresult                 *result,
                                    const KioskDashRecord    *type,
                                    GDestroyNotify            free_func);
/* Frees the texts and lines of @record's fields, then @record; NULL does nothing. */
void     _kiosk_dash_record_free   (const KioskDashRecord    *type,
                                    gpointer                  record);

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
