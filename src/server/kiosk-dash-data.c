/* kiosk-dash-data.c: the dashboard's counts, its sites and the overview's query. Counts come
 * from the rollups kept at ingest (migration 003), comments from responses; every query joins
 * sites and holds kiosk_dash_site_condition(), so a viewer's query never returns another site's
 * rows. */
#define G_LOG_DOMAIN "kiosk-dash"

#include <math.h>

#include "kiosk-chart.h"
#include "kiosk-dash-data-private.h"
#include "kiosk-dash-server.h"
#include "kiosk-server-db.h"

/* Counts */

void
kiosk_dash_counts_add (KioskDashCounts *counts,
                       int              scale,
                       int              face,
                       gboolean         misuse,
                       gboolean         include_misuse,
                       guint64          n)
{
  counts->all += n;
  if (misuse)
    counts->misuse += n;
  if (misuse && !include_misuse)
    return;
  if (scale < 2 || scale > KIOSK_MAX_SCALE || face < 0 || face >= scale)
    return;
  counts->faces[scale][face] += n;
  counts->n += n;
}

void
kiosk_dash_counts_merge (KioskDashCounts       *into,
                         const KioskDashCounts *from)
{
  for (guint s = 0; s <= KIOSK_MAX_SCALE; s++)
    for (guint f = 0; f < KIOSK_MAX_SCALE; f++)
      into->faces[s][f] += from->faces[s][f];
  into->n += from->n;
  into->misuse += from->misuse;
  into->all += from->all;
}

/* The responses counted on @scale. */
static guint64
counts_on_scale (const KioskDashCounts *counts,
                 guint                  scale)
{
  guint64 n = 0;

  for (guint f = 0; f < scale; f++)
    n += counts->faces[scale][f];
  return n;
}

double
kiosk_dash_counts_index (const KioskDashCounts *counts)
{
  double weighted = 0;
  guint64 total = 0;

  /* Each scale's index by the shared definition, then weighted by its responses: a survey on
   * five faces and one on four pool as if every response had been scored 0–100. */
  for (guint s = 2; s <= KIOSK_MAX_SCALE; s++)
    {
      guint64 n = counts_on_scale (counts, s);

      if (n == 0)
        continue;
      weighted += kiosk_chart_happy_index (counts->faces[s], s) * (double) n;
      total += n;
    }
  return total > 0 ? weighted / (double) total : NAN;
}

guint
kiosk_dash_counts_scale (const KioskDashCounts *counts)
{
  guint best = 4;
  guint64 best_n = 0;

  for (guint s = 2; s <= KIOSK_MAX_SCALE; s++)
    {
      guint64 n = counts_on_scale (counts, s);

      if (n > best_n)
        {
          best = s;
          best_n = n;
        }
    }
  return best;
}

/* Sites */

void
kiosk_dash_site_free (KioskDashSite *site)
{
  if (site == NULL)
    return;
  g_free (site->name);
  g_free (site->title);
  g_free (site->time_zone);
  g_free (site->site_type);
  g_free (site->country);
  g_free (site->group_name);
  g_free (site->group_title);
  g_clear_pointer (&site->hours, kiosk_hours_unref);
  g_free (site);
}

static const char *const day_keys[7] = {
  "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
};

#define SITE_COLUMNS \
  "s.id, s.name, s.title, s.time_zone, s.site_type, s.country, coalesce (s.group_id, 0), " \
  "g.name, g.title, s.opening_hours IS NOT NULL, s.opening_hours->>'monday', " \
  "s.opening_hours->>'tuesday', s.opening_hours->>'wednesday', " \
  "s.opening_hours->>'thursday', s.opening_hours->>'friday', " \
  "s.opening_hours->>'saturday', s.opening_hours->>'sunday'"
#define SITE_FROM "sites s LEFT JOIN site_groups g ON g.id = s.group_id"
#define N_SITE_COLUMNS 17

static gpointer
site_from_row (PGresult *result,
               int       row,
               gpointer  user_data)
{
  KioskDashSite *site = g_new0 (KioskDashSite, 1);

  site->id = _kiosk_dash_value_int (result, row, 0);
  site->name = _kiosk_dash_value_or_null (result, row, 1);
  site->title = _kiosk_dash_value_or_null (result, row, 2);
  site->time_zone = _kiosk_dash_value_or_null (result, row, 3);
  site->site_type = _kiosk_dash_value_or_null (result, row, 4);
  site->country = _kiosk_dash_value_or_null (result, row, 5);
  site->group_id = _kiosk_dash_value_int (result, row, 6);
  site->group_name = _kiosk_dash_value_or_null (result, row, 7);
  site->group_title = _kiosk_dash_value_or_null (result, row, 8);

  site->hours = kiosk_hours_new ();
  if (!kiosk_hours_set_timezone (site->hours, site->time_zone))
    g_warning ("site %s: unknown time zone %s, opening hours read in UTC", site->name,
               site->time_zone);
  if (_kiosk_dash_value_bool (result, row, 9))
    {
      /* Limited: a day the JSON does not name is closed, as in the kiosk's own config. */
      for (guint d = 0; d < 7; d++)
        {
          g_autoptr(GString) problem = g_string_new (NULL);
          g_autoptr(GArray) ranges = NULL;

          if (PQgetisnull (result, row, 10 + d))
            ranges = g_array_new (FALSE, FALSE, sizeof (KioskTimeRange));
          else
            ranges = kiosk_hours_parse_ranges (PQgetvalue (result, row, 10 + d), problem);
          if (ranges == NULL)
            {
              g_warning ("site %s: opening hours on %s: %s; taken as open all day", site->name,
                         day_keys[d], problem->str);
              ranges = g_array_new (FALSE, FALSE, sizeof (KioskTimeRange));
              g_array_append_val (ranges, ((KioskTimeRange) { 0, 1440 }));
            }
          kiosk_hours_set_day (site->hours, (GDateWeekday) (d + 1), ranges);
        }
    }
  return site;
}

GPtrArray *
kiosk_dash_data_sites (PGconn              *conn,
                       const KioskDashUser *user,
                       GError             **error)
{
  g_autofree char *cond = _kiosk_dash_condition (user);
  g_autofree char *sql = g_strdup_printf ("SELECT " SITE_COLUMNS " FROM " SITE_FROM
                                          " WHERE %s ORDER BY s.name", cond);
  g_autoptr(PGresult) result = kiosk_db_exec (conn, sql, 0, NULL, error);

  return _kiosk_dash_rows (result, site_from_row, NULL, (GDestroyNotify) kiosk_dash_site_free);
}

KioskDashSite *
kiosk_dash_data_site (PGconn              *conn,
                      const KioskDashUser *user,
                      const char          *name,
                      GError             **error)
{
  g_autofree char *cond = _kiosk_dash_condition (user);
  g_autofree char *sql = g_strdup_printf ("SELECT " SITE_COLUMNS " FROM " SITE_FROM
                                          " WHERE s.name = $1 AND %s", cond);
  const char *params[] = { name };
  g_autoptr(PGresult) result = kiosk_db_exec (conn, sql, 1, params, error);

  if (result == NULL || PQntuples (result) == 0)
    return NULL;
  return site_from_row (result, 0, NULL);
}

gboolean
kiosk_dash_site_open_hour (const KioskDashSite *site,
                           guint                weekday,
                           guint                hour)
{
  GTimeZone *tz;
  GDateTime *start;
  gint64 from_us;
  gboolean open = FALSE;

  if (!kiosk_hours_is_limited (site->hours))
    return TRUE;
  /* Ask the site's own rules at each quarter of that hour in a plain week (2026-01-05 is a
   * Monday, far from any DST change). */
  tz = g_time_zone_new_identifier (site->time_zone);
  if (tz == NULL)
    tz = g_time_zone_new_utc ();
  start = g_date_time_new (tz, 2026, 1, 5 + (int) weekday, (int) hour, 0, 0);
  from_us = g_date_time_to_unix (start) * G_USEC_PER_SEC;
  for (guint q = 0; q < 4 && !open; q++)
    open = kiosk_hours_is_open (site->hours, from_us + q * 15 * G_TIME_SPAN_MINUTE);
  g_date_time_unref (start);
  g_time_zone_unref (tz);
  return open;
}

gint64
kiosk_dash_open_us (KioskHours *hours,
                    gint64      from_us,
                    gint64      to_us,
                    gint64      cap_us)
{
  gint64 open_us = 0;
  gint64 t = from_us;

  if (to_us <= from_us)
    return 0;
  if (hours == NULL || !kiosk_hours_is_limited (hours))
    return MIN (to_us - from_us, cap_us);
  /* Opening time between the two instants, change by change. */
  while (t < to_us && open_us < cap_us)
    {
      gint64 next = kiosk_hours_next_change (hours, t);
      gboolean open = kiosk_hours_is_open (hours, t);

      if (next <= t || next > to_us)
        next = to_us;
      if (open)
        open_us += next - t;
      t = next;
    }
  return MIN (open_us, cap_us);
}

gboolean
kiosk_dash_is_silent (KioskHours *hours,
                      gint64      last_us,
                      gint64      now_us)
{
  return kiosk_dash_open_us (hours, last_us, now_us, KIOSK_DASH_SILENT_US) >= KIOSK_DASH_SILENT_US;
}

/* Overview */

static void
overview_row_free (KioskDashOverviewRow *row)
{
  kiosk_dash_site_free (row->site);
  g_free (row);
}

GPtrArray *
kiosk_dash_data_overview (PGconn                *conn,
                          const KioskDashUser   *user,
                          const KioskDashFilter *filter,
                          gint64                 now_us,
                          GError               **error)
{
  static const int days[KIOSK_DASH_N_PERIODS] = { 1, 7, 30 };
  g_autoptr(GPtrArray) sites = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GPtrArray) kiosks = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autofree char *cond = _kiosk_dash_condition (user);
  g_autofree char *sql = NULL;
  g_autofree char *now_text = g_strdup_printf ("%.6f", now_us / 1e6);
  const char *params[] = { now_text, _kiosk_dash_survey_param (filter) };

  sites = kiosk_dash_data_sites (conn, user, error);
  if (sites == NULL)
    return NULL;
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) overview_row_free);
  for (guint i = 0; i < sites->len; i++)
    {
      KioskDashOverviewRow *row = g_new0 (KioskDashOverviewRow, 1);

      row->site = g_ptr_array_steal_index (sites, i--);
      g_ptr_array_add (rows, row);
      g_hash_table_insert (by_id, &row->site->id, row);
    }

  /* Age in days before the site's local today: 0 is today, 59 the start of the previous 30.
   * Each site's today is computed once (OFFSET 0 keeps the subquery), and the grouped LATERAL
   * reads only that site's 60 days from rollup_days_pkey: joined on the zone's expression the
   * planner scanned the whole of rollup_days and converted the time zone for every row. The
   * ages are summed into the periods' buckets (0, 1, 2–6, 7–13, 14–29, 30–59), each given as
   * its first age, which falls in the same periods. */
  sql = g_strdup_printf ("SELECT t.id, a.age, a.scale, a.face, a.misuse, a.n "
                         "FROM (SELECT s.id, (to_timestamp ($1::double precision)"
                         "        AT TIME ZONE s.time_zone)::date AS today"
                         "      FROM sites s WHERE %s OFFSET 0) t "
                         "CROSS JOIN LATERAL ("
                         " SELECT CASE WHEN t.today - d.local_date < 2 THEN t.today - d.local_date"
                         "   WHEN t.today - d.local_date < 7 THEN 2"
                         "   WHEN t.today - d.local_date < 14 THEN 7"
                         "   WHEN t.today - d.local_date < 30 THEN 14 ELSE 30 END AS age,"
                         "  d.scale, d.face, d.misuse, sum (d.n) AS n "
                         " FROM rollup_days d "
                         " WHERE d.site_id = t.id AND d.local_date BETWEEN t.today - 59 AND t.today"
                         "  AND ($2::text IS NULL OR d.survey_id = $2) "
                         " GROUP BY 1, 2, 3, 4) a", cond);
  result = kiosk_db_exec (conn, sql, 2, params, error);
  if (result == NULL)
    return NULL;
  for (int r = 0; r < PQntuples (result); r++)
    {
      gint64 site_id = _kiosk_dash_value_int (result, r, 0);
      gint64 age = _kiosk_dash_value_int (result, r, 1);
      KioskDashOverviewRow *row = g_hash_table_lookup (by_id, &site_id);

      for (guint p = 0; row != NULL && p < KIOSK_DASH_N_PERIODS; p++)
        {
          KioskDashCounts *into = age < days[p] ? &row->current[p]
                                  : age < 2 * days[p] ? &row->previous[p] : NULL;

          if (into != NULL)
            _kiosk_dash_counts_add_row (into, result, r, 2, filter->include_misuse);
        }
    }

  kiosks = kiosk_dash_data_fleet (conn, user, now_us, error);
  if (kiosks == NULL)
    return NULL;
  for (guint i = 0; i < kiosks->len; i++)
    {
      KioskDashKiosk *kiosk = g_ptr_array_index (kiosks, i);
      KioskDashOverviewRow *row = g_hash_table_lookup (by_id, &kiosk->site_id);

      if (row == NULL)
        continue;
      row->kiosks++;
      if (kiosk->silent)
        row->silent++;
    }
  return g_steal_pointer (&rows);
}
