/* kiosk-dash-data.c: the dashboard's queries. Counts come from the rollups kept at ingest
 * (migration 003), comments from responses; every query joins sites and holds
 * kiosk_dash_site_condition(), so a viewer's query never returns another site's rows. */
#define G_LOG_DOMAIN "kiosk-dash"

#include <math.h>
#include <string.h>

#include "kiosk-chart.h"
#include "kiosk-csv.h"
#include "kiosk-dash-data-private.h"
#include "kiosk-dash-server.h"
#include "kiosk-html.h"
#include "kiosk-server-db.h"
#include "kiosk-server-surveys.h"
#include "kiosk-survey.h"

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

char *
kiosk_dash_counts_index_csv (const KioskDashCounts *counts)
{
  double index = kiosk_dash_counts_index (counts);

  return isnan (index) ? g_strdup ("") : g_strdup_printf ("%.1f", index);
}

char *
kiosk_dash_uint_csv (guint64 value)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, value);
}

char *
kiosk_dash_csv_time (gint64 unix_us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_us / G_USEC_PER_SEC);

  return time ? g_date_time_format_iso8601 (time) : NULL;
}

char *
kiosk_dash_int_csv (gboolean known,
                    gint64   value)
{
  return known ? g_strdup_printf ("%" G_GINT64_FORMAT, value) : NULL;
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

char *
_kiosk_dash_condition (const KioskDashUser *user)
{
  return kiosk_dash_site_condition (user, "s.id");
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

static void
filter_params (const KioskDashFilter *filter,
               KioskDashFilterParams          *p)
{
  g_date_strftime (p->from, sizeof p->from, "%Y-%m-%d", &filter->from);
  g_date_strftime (p->to, sizeof p->to, "%Y-%m-%d", &filter->to);
}

static const char *survey_param (const KioskDashFilter *filter);

void
_kiosk_dash_site_params (const KioskDashFilter *filter,
                         const KioskDashSite   *site,
                         KioskDashSiteParams   *sp)
{
  filter_params (filter, &sp->fp);
  g_snprintf (sp->site_id, sizeof sp->site_id, "%" G_GINT64_FORMAT, site->id);
  sp->v[0] = sp->fp.from;
  sp->v[1] = sp->fp.to;
  sp->v[2] = survey_param (filter);
  sp->v[3] = sp->site_id;
}

/* The whole months within the filter's days: the first one's first day and the day after the
 * last one (from >= to when there is none). */
static void
months_params (const KioskDashFilter *filter,
               KioskDashFilterParams          *p)
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

static const char *
survey_param (const KioskDashFilter *filter)
{
  return filter->survey_id != NULL && *filter->survey_id ? filter->survey_id : NULL;
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
  const char *params[] = { now_text, survey_param (filter) };

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

/* Compare */

static void
aggregate_free (KioskDashAggregate *aggregate)
{
  g_free (aggregate->key);
  g_free (aggregate->title);
  g_free (aggregate);
}

static void
compare_row_free (KioskDashCompareRow *row)
{
  kiosk_dash_site_free (row->site);
  g_free (row);
}

void
kiosk_dash_comparison_free (KioskDashComparison *comparison)
{
  if (comparison == NULL)
    return;
  g_clear_pointer (&comparison->sites, g_ptr_array_unref);
  g_clear_pointer (&comparison->groups, g_ptr_array_unref);
  g_clear_pointer (&comparison->types, g_hash_table_unref);
  g_clear_pointer (&comparison->countries, g_hash_table_unref);
  g_free (comparison);
}

static KioskDashAggregate *
aggregate_get (GHashTable *table,
               const char *key,
               const char *title)
{
  KioskDashAggregate *aggregate = g_hash_table_lookup (table, key);

  if (aggregate == NULL)
    {
      aggregate = g_new0 (KioskDashAggregate, 1);
      aggregate->key = g_strdup (key);
      aggregate->title = g_strdup (title ? title : key);
      g_hash_table_insert (table, aggregate->key, aggregate);
    }
  return aggregate;
}

/* Best first; no responses last; equal indices by more responses, then by name. */
static int
compare_index (double      a,
               guint64     na,
               double      b,
               guint64     nb,
               const char *name_a,
               const char *name_b)
{
  if (isnan (a) != isnan (b))
    return isnan (a) ? 1 : -1;
  if (!isnan (a) && a != b)
    return a > b ? -1 : 1;
  if (na != nb)
    return na > nb ? -1 : 1;
  return g_strcmp0 (name_a, name_b);
}

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  const KioskDashCompareRow *ra = *(KioskDashCompareRow * const *) a;
  const KioskDashCompareRow *rb = *(KioskDashCompareRow * const *) b;

  return compare_index (kiosk_dash_counts_index (&ra->counts), ra->counts.n,
                        kiosk_dash_counts_index (&rb->counts), rb->counts.n,
                        ra->site->name, rb->site->name);
}

static int
compare_aggregates (gconstpointer a,
                    gconstpointer b)
{
  const KioskDashAggregate *ga = *(KioskDashAggregate * const *) a;
  const KioskDashAggregate *gb = *(KioskDashAggregate * const *) b;

  return compare_index (kiosk_dash_counts_index (&ga->counts), ga->counts.n,
                        kiosk_dash_counts_index (&gb->counts), gb->counts.n,
                        ga->key, gb->key);
}

KioskDashComparison *
kiosk_dash_data_compare (PGconn                *conn,
                         const KioskDashUser   *user,
                         const KioskDashFilter *filter,
                         GError               **error)
{
  g_autoptr(KioskDashComparison) comparison = g_new0 (KioskDashComparison, 1);
  g_autoptr(GPtrArray) sites = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        (GDestroyNotify) aggregate_free);
  g_autoptr(PGresult) result = NULL;
  g_autofree char *cond = _kiosk_dash_condition (user);
  g_autofree char *sql = NULL;
  KioskDashFilterParams fp, mp;
  const char *params[5];
  GHashTableIter iter;
  gpointer value;

  sites = kiosk_dash_data_sites (conn, user, error);
  if (sites == NULL)
    return NULL;

  comparison->sites = g_ptr_array_new_with_free_func ((GDestroyNotify) compare_row_free);
  comparison->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) aggregate_free);
  comparison->types = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify) aggregate_free);
  comparison->countries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                 (GDestroyNotify) aggregate_free);
  for (guint i = 0; i < sites->len; i++)
    {
      KioskDashCompareRow *row = g_new0 (KioskDashCompareRow, 1);

      row->site = g_ptr_array_steal_index (sites, i--);
      g_ptr_array_add (comparison->sites, row);
      g_hash_table_insert (by_id, &row->site->id, row);
    }

  /* The whole months of the range from rollup_months ($4 the first, $5 the day after the
   * last: none when $4 >= $5), its other days from rollup_days by local_date (migration 005):
   * rollup_days alone was read whole for any range, 180-400 ms with 10 000 000 responses. */
  filter_params (filter, &fp);
  months_params (filter, &mp);
  params[0] = fp.from;
  params[1] = fp.to;
  params[2] = survey_param (filter);
  params[3] = mp.from;
  params[4] = mp.to;
  sql = g_strdup_printf ("SELECT d.site_id, d.scale, d.face, d.misuse, sum (d.n) "
                         "FROM (SELECT site_id, scale, face, misuse, n FROM rollup_days"
                         "      WHERE local_date BETWEEN $1 AND $2"
                         "       AND (local_date < $4::date OR local_date >= $5::date)"
                         "       AND ($3::text IS NULL OR survey_id = $3)"
                         "      UNION ALL"
                         "      SELECT site_id, scale, face, misuse, n FROM rollup_months"
                         "      WHERE $4::date < $5::date AND month >= $4::date AND month < $5::date"
                         "       AND ($3::text IS NULL OR survey_id = $3)) d "
                         "JOIN sites s ON s.id = d.site_id "
                         "WHERE %s "
                         "GROUP BY 1, 2, 3, 4", cond);
  result = kiosk_db_exec (conn, sql, 5, params, error);
  if (result == NULL)
    return NULL;
  for (int r = 0; r < PQntuples (result); r++)
    {
      gint64 site_id = _kiosk_dash_value_int (result, r, 0);
      KioskDashCompareRow *row = g_hash_table_lookup (by_id, &site_id);

      if (row != NULL)
        _kiosk_dash_counts_add_row (&row->counts, result, r, 1, filter->include_misuse);
    }

  /* The averages pool the responses of the sites this user may see: a viewer's page says
   * nothing about sites it may not see. */
  for (guint i = 0; i < comparison->sites->len; i++)
    {
      KioskDashCompareRow *row = g_ptr_array_index (comparison->sites, i);

      row->type = aggregate_get (comparison->types, row->site->site_type, NULL);
      kiosk_dash_counts_merge (&row->type->counts, &row->counts);
      row->type->sites++;
      if (row->site->country != NULL)
        {
          row->country = aggregate_get (comparison->countries, row->site->country, NULL);
          kiosk_dash_counts_merge (&row->country->counts, &row->counts);
          row->country->sites++;
        }
      if (row->site->group_name != NULL)
        {
          KioskDashAggregate *group = aggregate_get (groups, row->site->group_name,
                                                     row->site->group_title);

          kiosk_dash_counts_merge (&group->counts, &row->counts);
          group->sites++;
        }
    }
  g_ptr_array_sort (comparison->sites, compare_rows);
  g_hash_table_iter_init (&iter, groups);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_ptr_array_add (comparison->groups, value);
      g_hash_table_iter_steal (&iter);
    }
  g_ptr_array_sort (comparison->groups, compare_aggregates);
  return g_steal_pointer (&comparison);
}

/* Pieces the pages share */

void
kiosk_dash_html_index (GString               *out,
                       KioskDashRequest      *request,
                       const KioskDashCounts *counts)
{
  g_autofree char *index = kiosk_dash_format_index (request, kiosk_dash_counts_index (counts));
  g_autofree char *n = kiosk_dash_format_count (request, counts->n);

  kiosk_html (out, "<span class=\"index\">");
  kiosk_html_txt (out, index);
  kiosk_html (out, "</span> <span class=\"n\">(");
  /* Translators: the number of responses beside a Happy Index, as in "78 (n = 219)" */
  kiosk_html_txt (out, D_("n ="));
  kiosk_html (out, "&#160;");
  kiosk_html_txt (out, n);
  kiosk_html (out, ")</span>");
}

void
kiosk_dash_trend_fill (KioskDashTrend *chart,
                       GArray         *days,
                       const char     *index_title,
                       const char     *count_title)
{
  chart->days = g_new0 (KioskChartDay, days->len + 1);
  chart->n_days = days->len;
  chart->index_title = index_title;
  chart->count_title = count_title;
  chart->labels = g_ptr_array_new_with_free_func (g_free);
  kiosk_chart_style_init (&chart->style);
  for (guint i = 0; i < days->len; i++)
    {
      const KioskDashDay *day = &g_array_index (days, KioskDashDay, i);
      char label[16];

      g_date_strftime (label, sizeof label, "%d.%m.", &day->date);
      g_ptr_array_add (chart->labels, g_strdup (label));
      chart->days[i].index = kiosk_dash_counts_index (&day->counts);
      chart->days[i].responses = day->counts.n;
      chart->days[i].label = g_ptr_array_index (chart->labels, i);
    }
}

void
kiosk_dash_trend_clear (KioskDashTrend *chart)
{
  g_clear_pointer (&chart->days, g_free);
  g_clear_pointer (&chart->labels, g_ptr_array_unref);
}

void
kiosk_dash_trend_draw (cairo_t *cr,
                       double   width,
                       double   height,
                       gpointer user_data)
{
  KioskDashTrend *chart = user_data;

  kiosk_chart_draw_trend (cr, width, height, chart->days, chart->n_days, chart->index_title,
                          chart->count_title, &chart->style);
}

void
kiosk_dash_faces_draw (cairo_t *cr,
                       double   width,
                       double   height,
                       gpointer user_data)
{
  KioskDashFaces *chart = user_data;

  kiosk_chart_draw_faces (cr, width, height, chart->counts, chart->scale,
                          KIOSK_CHART_FACES_BARS, chart->labels, chart->values, &chart->style);
}

void
kiosk_dash_heatmap_fill (KioskDashHeatmap         *chart,
                         const KioskDashWeekHours *hours,
                         const gboolean            open[7][24],
                         const char               *language)
{
  kiosk_chart_style_init (&chart->style);
  for (guint d = 0; d < 7; d++)
    {
      chart->weekdays[d] = kiosk_dash_language_weekday_name (language, (GDateWeekday) (d + 1),
                                                             TRUE);
      for (guint h = 0; h < 24; h++)
        {
          chart->index[d][h] = kiosk_dash_counts_index (&hours->cells[d][h]);
          chart->counts[d][h] = hours->cells[d][h].n;
          chart->open[d][h] = open[d][h] || chart->counts[d][h] > 0;
        }
    }
}

void
kiosk_dash_heatmap_draw (cairo_t *cr,
                         double   width,
                         double   height,
                         gpointer user_data)
{
  KioskDashHeatmap *chart = user_data;

  kiosk_chart_draw_heatmap (cr, width, height, (const double (*)[24]) chart->index,
                            (const guint64 (*)[24]) chart->counts,
                            (const gboolean (*)[24]) chart->open, KIOSK_DASH_HEATMAP_MIN_COUNT,
                            TRUE, chart->weekdays, &chart->style);
}

void
kiosk_dash_html_trend (GString               *out,
                       KioskDashRequest      *request,
                       const KioskDashCounts *current,
                       const KioskDashCounts *previous)
{
  double now = kiosk_dash_counts_index (current);
  double before = kiosk_dash_counts_index (previous);
  g_autofree char *before_text = NULL;
  g_autofree char *label = NULL;
  const char *arrow, *class;

  if (isnan (now) || isnan (before))
    return;
  before_text = kiosk_dash_format_index (request, before);
  if (now - before >= 0.5)
    {
      arrow = "▲";
      class = "up";
      /* Translators: a trend arrow's text, %s is the previous period's Happy Index */
      label = g_strdup_printf (D_("up from %s"), before_text);
    }
  else if (before - now >= 0.5)
    {
      arrow = "▼";
      class = "down";
      label = g_strdup_printf (D_("down from %s"), before_text);
    }
  else
    {
      arrow = "▶";
      class = "same";
      label = g_strdup_printf (D_("as before (%s)"), before_text);
    }
  kiosk_html (out, " <span class=\"trend ");
  kiosk_html (out, class);
  kiosk_html (out, "\" title=\"");
  kiosk_html_attr (out, label);
  kiosk_html (out, "\"><span aria-hidden=\"true\">");
  kiosk_html (out, arrow);
  kiosk_html (out, "</span><span class=\"visually-hidden\">");
  kiosk_html_txt (out, label);
  kiosk_html (out, "</span></span>");
}

void
kiosk_dash_csv_row (GString *out,
                    guint    n_fields,
                    ...)
{
  va_list args;

  va_start (args, n_fields);
  for (guint i = 0; i < n_fields; i++)
    {
      g_autoptr(GString) field = g_string_new (NULL);

      /* One field at a time: kiosk_csv_field puts its comma after a non-empty line only. */
      kiosk_csv_field (field, va_arg (args, const char *));
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_len (out, field->str, field->len);
    }
  va_end (args);
  g_string_append (out, "\r\n");
}
