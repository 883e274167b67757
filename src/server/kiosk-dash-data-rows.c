/* kiosk-dash-data-rows.c: what the dashboard's queries share: a row's columns read as values,
 * a result's rows as records, the filter and the site as query parameters. */
#define G_LOG_DOMAIN "kiosk-dash"

#include <math.h>

#include "kiosk-dash-data-private.h"
#include "kiosk-dash-server.h"

char *
_kiosk_dash_value_or_null (PGresult *result,
                           int       row,
                           int       column)
{
  return PQgetisnull (result, row, column) ? NULL
                                           : g_strdup (PQgetvalue (result, row, column));
}

gint64
_kiosk_dash_value_int (PGresult *result,
                       int       row,
                       int       column)
{
  return g_ascii_strtoll (PQgetvalue (result, row, column), NULL, 10);
}

gint64
_kiosk_dash_value_int_or (PGresult *result,
                          int       row,
                          int       column,
                          gint64    if_null)
{
  return PQgetisnull (result, row, column) ? if_null : _kiosk_dash_value_int (result, row, column);
}

gboolean
_kiosk_dash_value_bool (PGresult *result,
                        int       row,
                        int       column)
{
  return g_str_equal (PQgetvalue (result, row, column), "t");
}

void
_kiosk_dash_counts_add_row (KioskDashCounts *counts,
                            PGresult        *result,
                            int              row,
                            int              column,
                            gboolean         include_misuse)
{
  kiosk_dash_counts_add (counts, (int) _kiosk_dash_value_int (result, row, column),
                         (int) _kiosk_dash_value_int (result, row, column + 1),
                         _kiosk_dash_value_bool (result, row, column + 2), include_misuse,
                         (guint64) _kiosk_dash_value_int (result, row, column + 3));
}

GPtrArray *
_kiosk_dash_rows (PGresult         *result,
                  KioskDashRowFunc  from_row,
                  gpointer          user_data,
                  GDestroyNotify    free_func)
{
  GPtrArray *rows;

  if (result == NULL)
    return NULL;
  rows = g_ptr_array_new_full ((guint) PQntuples (result), free_func);
  for (int row = 0; row < PQntuples (result); row++)
    g_ptr_array_add (rows, from_row (result, row, user_data));
  return rows;
}

char *
_kiosk_dash_condition (const KioskDashUser *user)
{
  return kiosk_dash_site_condition (user, "s.id");
}

void
_kiosk_dash_filter_params (const KioskDashFilter *filter,
                           KioskDashFilterParams *p)
{
  g_date_strftime (p->from, sizeof p->from, "%Y-%m-%d", &filter->from);
  g_date_strftime (p->to, sizeof p->to, "%Y-%m-%d", &filter->to);
}

void
_kiosk_dash_months_params (const KioskDashFilter *filter,
                           KioskDashFilterParams *p)
{
  GDate first = filter->from, end = filter->to;

  if (g_date_get_day (&first) != 1)
    {
      g_date_set_day (&first, 1);
      g_date_add_months (&first, 1);
    }
  g_date_add_days (&end, 1);
  g_date_set_day (&end, 1);
  g_date_strftime (p->from, sizeof p->from, "%Y-%m-%d", &first);
  g_date_strftime (p->to, sizeof p->to, "%Y-%m-%d", &end);
}

const char *
_kiosk_dash_survey_param (const KioskDashFilter *filter)
{
  return filter->survey_id != NULL && *filter->survey_id ? filter->survey_id : NULL;
}

void
_kiosk_dash_site_params (const KioskDashFilter *filter,
                         const KioskDashSite   *site,
                         KioskDashSiteParams   *sp)
{
  _kiosk_dash_filter_params (filter, &sp->fp);
  g_snprintf (sp->site_id, sizeof sp->site_id, "%" G_GINT64_FORMAT, site->id);
  sp->v[0] = sp->fp.from;
  sp->v[1] = sp->fp.to;
  sp->v[2] = _kiosk_dash_survey_param (filter);
  sp->v[3] = sp->site_id;
}

/* Records */

void
_kiosk_dash_record_read (gpointer              record,
                         const KioskDashField *fields,
                         guint                 n_fields,
                         PGresult             *result,
                         int                   row)
{
  for (guint i = 0; i < n_fields; i++)
    {
      gpointer field = G_STRUCT_MEMBER_P (record, fields[i].offset);
      int column = fields[i].column;

      switch (fields[i].type)
        {
        case KIOSK_DASH_TEXT:
          *(char **) field = _kiosk_dash_value_or_null (result, row, column);
          break;
        case KIOSK_DASH_LINES:
          *(char ***) field = g_strsplit (PQgetvalue (result, row, column), "\n", -1);
          break;
        case KIOSK_DASH_INT64:
          *(gint64 *) field = _kiosk_dash_value_int (result, row, column);
          break;
        case KIOSK_DASH_INT64_OR_0:
          *(gint64 *) field = _kiosk_dash_value_int_or (result, row, column, 0);
          break;
        case KIOSK_DASH_UINT64:
          *(guint64 *) field = (guint64) _kiosk_dash_value_int (result, row, column);
          break;
        case KIOSK_DASH_INT:
          *(int *) field = (int) _kiosk_dash_value_int (result, row, column);
          break;
        case KIOSK_DASH_UINT:
          *(guint *) field = (guint) _kiosk_dash_value_int (result, row, column);
          break;
        case KIOSK_DASH_BOOL:
          *(gboolean *) field = _kiosk_dash_value_bool (result, row, column);
          break;
        case KIOSK_DASH_DOUBLE:
          *(double *) field = PQgetisnull (result, row, column)
                              ? NAN : g_ascii_strtod (PQgetvalue (result, row, column), NULL);
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

gpointer
_kiosk_dash_record_new (PGresult *result,
                        int       row,
                        gpointer  user_data)
{
  const KioskDashRecord *type = user_data;
  gpointer record = g_malloc0 (type->size);

  _kiosk_dash_record_read (record, type->fields, type->n_fields, result, row);
  return record;
}

GPtrArray *
_kiosk_dash_records (PGresult              *result,
                     const KioskDashRecord *type,
                     GDestroyNotify         free_func)
{
  return _kiosk_dash_rows (result, _kiosk_dash_record_new, (gpointer) type, free_func);
}

void
_kiosk_dash_record_free (const KioskDashRecord *type,
                         gpointer               record)
{
  if (record == NULL)
    return;
  for (guint i = 0; i < type->n_fields; i++)
    {
      gpointer field = G_STRUCT_MEMBER_P (record, type->fields[i].offset);

      if (type->fields[i].type == KIOSK_DASH_TEXT)
        g_free (*(char **) field);
      else if (type->fields[i].type == KIOSK_DASH_LINES)
        g_strfreev (*(char ***) field);
    }
  g_free (record);
}
