/* kiosk-dash-data.c: the dashboard's queries. Counts come from the rollups kept at ingest
 * (migration 003), comments from responses; every query joins sites and holds
 * kiosk_dash_site_condition(), so a viewer's query never returns another site's rows. */
#define G_LOG_DOMAIN "kiosk-dash"

#include <math.h>
#include <string.h>

#include "kiosk-chart.h"
#include "kiosk-csv.h"
#include "kiosk-dash-data.h"
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

double
kiosk_dash_counts_index (const KioskDashCounts *counts)
{
  double weighted = 0;
  guint64 total = 0;

  /* Each scale's index by the shared definition, then weighted by its responses: a survey on
   * five faces and one on four pool as if every response had been scored 0–100. */
  for (guint s = 2; s <= KIOSK_MAX_SCALE; s++)
    {
      guint64 n = 0;

      for (guint f = 0; f < s; f++)
        n += counts->faces[s][f];
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

guint
kiosk_dash_counts_scale (const KioskDashCounts *counts)
{
  guint best = 4;
  guint64 best_n = 0;

  for (guint s = 2; s <= KIOSK_MAX_SCALE; s++)
    {
      guint64 n = 0;

      for (guint f = 0; f < s; f++)
        n += counts->faces[s][f];
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

static char *
value_or_null (PGresult *result,
               int       row,
               int       column)
{
  return PQgetisnull (result, row, column) ? NULL
                                           : g_strdup (PQgetvalue (result, row, column));
}

static gint64
value_int (PGresult *result,
           int       row,
           int       column)
{
  return g_ascii_strtoll (PQgetvalue (result, row, column), NULL, 10);
}

static KioskDashSite *
site_from_row (PGresult *result,
               int       row)
{
  KioskDashSite *site = g_new0 (KioskDashSite, 1);

  site->id = value_int (result, row, 0);
  site->name = value_or_null (result, row, 1);
  site->title = value_or_null (result, row, 2);
  site->time_zone = value_or_null (result, row, 3);
  site->site_type = value_or_null (result, row, 4);
  site->country = value_or_null (result, row, 5);
  site->group_id = value_int (result, row, 6);
  site->group_name = value_or_null (result, row, 7);
  site->group_title = value_or_null (result, row, 8);

  site->hours = kiosk_hours_new ();
  if (!kiosk_hours_set_timezone (site->hours, site->time_zone))
    g_warning ("site %s: unknown time zone %s, opening hours read in UTC", site->name,
               site->time_zone);
  if (g_str_equal (PQgetvalue (result, row, 9), "t"))
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

static char *
condition (const KioskDashUser *user)
{
  return kiosk_dash_site_condition (user, "s.id");
}

GPtrArray *
kiosk_dash_data_sites (PGconn              *conn,
                       const KioskDashUser *user,
                       GError             **error)
{
  g_autofree char *cond = condition (user);
  g_autofree char *sql = g_strdup_printf ("SELECT " SITE_COLUMNS " FROM " SITE_FROM
                                          " WHERE %s ORDER BY s.name", cond);
  g_autoptr(PGresult) result = kiosk_db_exec (conn, sql, 0, NULL, error);
  GPtrArray *sites;

  if (result == NULL)
    return NULL;
  sites = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_dash_site_free);
  for (int row = 0; row < PQntuples (result); row++)
    g_ptr_array_add (sites, site_from_row (result, row));
  return sites;
}

KioskDashSite *
kiosk_dash_data_site (PGconn              *conn,
                      const KioskDashUser *user,
                      const char          *name,
                      GError             **error)
{
  g_autofree char *cond = condition (user);
  g_autofree char *sql = g_strdup_printf ("SELECT " SITE_COLUMNS " FROM " SITE_FROM
                                          " WHERE s.name = $1 AND %s", cond);
  const char *params[] = { name };
  g_autoptr(PGresult) result = kiosk_db_exec (conn, sql, 1, params, error);

  if (result == NULL || PQntuples (result) == 0)
    return NULL;
  return site_from_row (result, 0);
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

/* The filter as query parameters: $1 from, $2 to, $3 survey (NULL: all). */
typedef struct
{
  char from[16];
  char to[16];
} FilterParams;

/* A site's query: $1 from, $2 to, $3 survey, $4 the site; the query's own from $5 on. */
typedef struct
{
  FilterParams fp;
  char         site_id[24];
  const char  *v[8];
} SiteParams;

static void
filter_params (const KioskDashFilter *filter,
               FilterParams          *p)
{
  g_date_strftime (p->from, sizeof p->from, "%Y-%m-%d", &filter->from);
  g_date_strftime (p->to, sizeof p->to, "%Y-%m-%d", &filter->to);
}

static const char *survey_param (const KioskDashFilter *filter);

static void
site_params (const KioskDashFilter *filter,
             const KioskDashSite   *site,
             SiteParams            *sp)
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
               FilterParams          *p)
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
  g_autofree char *cond = condition (user);
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
      gint64 site_id = value_int (result, r, 0);
      gint64 age = value_int (result, r, 1);
      int scale = (int) value_int (result, r, 2);
      int face = (int) value_int (result, r, 3);
      gboolean misuse = g_str_equal (PQgetvalue (result, r, 4), "t");
      guint64 n = (guint64) value_int (result, r, 5);
      KioskDashOverviewRow *row = g_hash_table_lookup (by_id, &site_id);

      if (row == NULL)
        continue;
      for (guint p = 0; p < KIOSK_DASH_N_PERIODS; p++)
        {
          if (age < days[p])
            kiosk_dash_counts_add (&row->current[p], scale, face, misuse,
                                   filter->include_misuse, n);
          else if (age < 2 * days[p])
            kiosk_dash_counts_add (&row->previous[p], scale, face, misuse,
                                   filter->include_misuse, n);
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

/* One site */

GArray *
kiosk_dash_data_days (PGconn                *conn,
                      const KioskDashSite   *site,
                      const KioskDashFilter *filter,
                      GError               **error)
{
  SiteParams sp;
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GArray) days = g_array_new (FALSE, TRUE, sizeof (KioskDashDay));
  guint n_days;

  site_params (filter, site, &sp);

  if (g_date_compare (&filter->from, &filter->to) > 0)
    return g_steal_pointer (&days);
  n_days = (guint) (g_date_days_between (&filter->from, &filter->to) + 1);
  g_array_set_size (days, n_days);
  for (guint i = 0; i < n_days; i++)
    {
      KioskDashDay *day = &g_array_index (days, KioskDashDay, i);

      day->date = filter->from;
      g_date_add_days (&day->date, i);
    }

  result = kiosk_db_exec (conn,
                          "SELECT local_date - $1::date, scale, face, misuse, sum (n) "
                          "FROM rollup_days "
                          "WHERE site_id = $4::bigint AND local_date BETWEEN $1 AND $2 "
                          " AND ($3::text IS NULL OR survey_id = $3) "
                          "GROUP BY 1, 2, 3, 4",
                          4, sp.v, error);
  if (result == NULL)
    return NULL;
  for (int r = 0; r < PQntuples (result); r++)
    {
      gint64 i = value_int (result, r, 0);

      if (i < 0 || i >= n_days)
        continue;
      kiosk_dash_counts_add (&g_array_index (days, KioskDashDay, i).counts,
                             (int) value_int (result, r, 1), (int) value_int (result, r, 2),
                             g_str_equal (PQgetvalue (result, r, 3), "t"),
                             filter->include_misuse, (guint64) value_int (result, r, 4));
    }
  return g_steal_pointer (&days);
}

KioskDashWeekHours *
kiosk_dash_data_hours (PGconn                *conn,
                       const KioskDashSite   *site,
                       const KioskDashFilter *filter,
                       GError               **error)
{
  SiteParams sp;
  g_autoptr(PGresult) result = NULL;
  KioskDashWeekHours *hours;

  site_params (filter, site, &sp);

  /* local_hour is the site's wall clock: in the night the clocks go back, 02:00–03:00 happens
   * twice and both count in hour 2, as a manager reading the site's clock expects. */
  result = kiosk_db_exec (conn,
                          "SELECT extract (isodow FROM local_date)::int - 1, local_hour, scale,"
                          " face, misuse, sum (n) "
                          "FROM rollup_hours "
                          "WHERE site_id = $4::bigint AND local_date BETWEEN $1 AND $2 "
                          " AND ($3::text IS NULL OR survey_id = $3) "
                          "GROUP BY 1, 2, 3, 4, 5",
                          4, sp.v, error);
  if (result == NULL)
    return NULL;
  hours = g_new0 (KioskDashWeekHours, 1);
  for (int r = 0; r < PQntuples (result); r++)
    {
      gint64 weekday = value_int (result, r, 0);
      gint64 hour = value_int (result, r, 1);

      if (weekday < 0 || weekday > 6 || hour < 0 || hour > 23)
        continue;
      kiosk_dash_counts_add (&hours->cells[weekday][hour], (int) value_int (result, r, 2),
                             (int) value_int (result, r, 3),
                             g_str_equal (PQgetvalue (result, r, 4), "t"),
                             filter->include_misuse, (guint64) value_int (result, r, 5));
    }
  return hours;
}

void
kiosk_dash_reason_free (KioskDashReason *reason)
{
  if (reason == NULL)
    return;
  g_free (reason->follow_up_id);
  g_free (reason->option_id);
  g_free (reason);
}

GPtrArray *
kiosk_dash_data_reasons (PGconn                *conn,
                         const KioskDashSite   *site,
                         const KioskDashFilter *filter,
                         KioskDashMood          mood,
                         GError               **error)
{
  SiteParams sp;
  g_autoptr(PGresult) result = NULL;
  GPtrArray *reasons;

  site_params (filter, site, &sp);
  sp.v[4] = filter->include_misuse ? "t" : "f";

  /* Unhappy: below the middle of the scale (faces 0 and 1 of four); happy: above it. The ''
   * option counts the answers that selected anything: the denominator of each share. */
  result = kiosk_db_exec (conn,
                          mood == KIOSK_DASH_UNHAPPY
                          ? "WITH r AS ("
                            " SELECT follow_up_id, option_id, sum (n) AS n FROM rollup_reasons"
                            " WHERE site_id = $4::bigint AND local_date BETWEEN $1 AND $2"
                            "  AND ($3::text IS NULL OR survey_id = $3)"
                            "  AND ($5::boolean OR NOT misuse) AND 2 * face < scale - 1"
                            " GROUP BY 1, 2) "
                            "SELECT r.follow_up_id, r.option_id, r.n, a.n FROM r "
                            "JOIN r a ON a.follow_up_id = r.follow_up_id AND a.option_id = '' "
                            "WHERE r.option_id <> '' AND r.n > 0 "
                            "ORDER BY r.n DESC, r.follow_up_id, r.option_id"
                          : "WITH r AS ("
                            " SELECT follow_up_id, option_id, sum (n) AS n FROM rollup_reasons"
                            " WHERE site_id = $4::bigint AND local_date BETWEEN $1 AND $2"
                            "  AND ($3::text IS NULL OR survey_id = $3)"
                            "  AND ($5::boolean OR NOT misuse) AND 2 * face > scale - 1"
                            " GROUP BY 1, 2) "
                            "SELECT r.follow_up_id, r.option_id, r.n, a.n FROM r "
                            "JOIN r a ON a.follow_up_id = r.follow_up_id AND a.option_id = '' "
                            "WHERE r.option_id <> '' AND r.n > 0 "
                            "ORDER BY r.n DESC, r.follow_up_id, r.option_id",
                          5, sp.v, error);
  if (result == NULL)
    return NULL;
  reasons = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_dash_reason_free);
  for (int r = 0; r < PQntuples (result); r++)
    {
      KioskDashReason *reason = g_new0 (KioskDashReason, 1);

      reason->follow_up_id = value_or_null (result, r, 0);
      reason->option_id = value_or_null (result, r, 1);
      reason->n = (guint64) value_int (result, r, 2);
      reason->answered = (guint64) value_int (result, r, 3);
      g_ptr_array_add (reasons, reason);
    }
  return reasons;
}

void
kiosk_dash_comment_free (KioskDashComment *comment)
{
  if (comment == NULL)
    return;
  g_free (comment->local_time);
  g_free (comment->comment);
  g_free (comment->device_id);
  g_free (comment->language);
  g_free (comment);
}

GPtrArray *
kiosk_dash_data_comments (PGconn                *conn,
                          const KioskDashSite   *site,
                          const KioskDashFilter *filter,
                          guint                  offset,
                          guint                  limit,
                          guint64               *out_total,
                          GError               **error)
{
  g_autofree char *offset_text = g_strdup_printf ("%u", offset);
  g_autofree char *limit_text = limit > 0 ? g_strdup_printf ("%u", limit) : NULL;
  SiteParams sp;
  g_autoptr(PGresult) result = NULL;
  GPtrArray *comments;

  site_params (filter, site, &sp);
  sp.v[4] = offset_text;
  sp.v[5] = limit_text;

  /* Uses responses_site_comments (migration 003); local_time < the day after "to" keeps the
   * index usable. A page reads its rows in the index's order and stops (an incremental sort
   * for the ties): with count (*) OVER () it read, then sorted, all of them (13 000 in a year
   * of the busiest site); the total is counted apart, from the index alone. */
  result = kiosk_db_exec (conn,
                          "SELECT (extract (epoch FROM time) * 1000000)::bigint,"
                          " to_char (local_time, 'YYYY-MM-DD HH24:MI'), face, scale, misuse,"
                          " comment, device_id, language "
                          "FROM responses "
                          "WHERE site_id = $4::bigint AND comment IS NOT NULL"
                          " AND local_time >= $1::date AND local_time < $2::date + 1"
                          " AND ($3::text IS NULL OR survey_id = $3) "
                          "ORDER BY local_time DESC, time DESC, device_id, seq DESC "
                          "OFFSET $5::bigint LIMIT $6::bigint",
                          6, sp.v, error);
  if (result == NULL)
    return NULL;
  comments = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_dash_comment_free);
  for (int r = 0; r < PQntuples (result); r++)
    {
      KioskDashComment *c = g_new0 (KioskDashComment, 1);

      c->time_us = value_int (result, r, 0);
      c->local_time = value_or_null (result, r, 1);
      c->face = (int) value_int (result, r, 2);
      c->scale = (int) value_int (result, r, 3);
      c->misuse = g_str_equal (PQgetvalue (result, r, 4), "t");
      c->comment = value_or_null (result, r, 5);
      c->device_id = value_or_null (result, r, 6);
      c->language = value_or_null (result, r, 7);
      g_ptr_array_add (comments, c);
    }
  if (out_total != NULL)
    {
      /* A first page that is not full holds them all. */
      *out_total = (guint64) PQntuples (result);
      if (offset > 0 || limit == 0 || (guint) PQntuples (result) >= limit)
        {
          /* Also paged past the end: the total still says how many there are. */
          g_autoptr(PGresult) count = kiosk_db_exec (conn,
                                                     "SELECT count (*) FROM responses "
                                                     "WHERE site_id = $4::bigint"
                                                     " AND comment IS NOT NULL"
                                                     " AND local_time >= $1::date"
                                                     " AND local_time < $2::date + 1"
                                                     " AND ($3::text IS NULL"
                                                     "      OR survey_id = $3)",
                                                     4, sp.v, error);
          if (count == NULL)
            {
              g_ptr_array_unref (comments);
              return NULL;
            }
          *out_total = (guint64) value_int (count, 0, 0);
        }
    }
  return comments;
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
  g_autofree char *cond = condition (user);
  g_autofree char *sql = NULL;
  FilterParams fp, mp;
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
      gint64 site_id = value_int (result, r, 0);
      KioskDashCompareRow *row = g_hash_table_lookup (by_id, &site_id);

      if (row != NULL)
        kiosk_dash_counts_add (&row->counts, (int) value_int (result, r, 1),
                               (int) value_int (result, r, 2),
                               g_str_equal (PQgetvalue (result, r, 3), "t"),
                               filter->include_misuse, (guint64) value_int (result, r, 4));
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

/* Fleet */

void
kiosk_dash_kiosk_free (KioskDashKiosk *kiosk)
{
  if (kiosk == NULL)
    return;
  g_free (kiosk->device_id);
  g_free (kiosk->site_name);
  g_free (kiosk->site_title);
  g_free (kiosk->time_zone);
  g_free (kiosk->version);
  g_free (kiosk->survey_id);
  g_free (kiosk->last_upload_ok_at);
  g_free (kiosk->last_error);
  g_free (kiosk->storage_state);
  g_free (kiosk);
}

GPtrArray *
kiosk_dash_data_fleet (PGconn              *conn,
                       const KioskDashUser *user,
                       gint64               now_us,
                       GError             **error)
{
  g_autoptr(GPtrArray) sites = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(PGresult) result = NULL;
  g_autofree char *cond = condition (user);
  g_autofree char *sql = NULL;
  GPtrArray *kiosks;

  sites = kiosk_dash_data_sites (conn, user, error);
  if (sites == NULL)
    return NULL;
  for (guint i = 0; i < sites->len; i++)
    {
      KioskDashSite *site = g_ptr_array_index (sites, i);

      g_hash_table_insert (by_id, &site->id, site);
    }

  sql = g_strdup_printf ("SELECT d.id, s.id, "
                         " (extract (epoch FROM h.received_at) * 1000000)::bigint, h.version,"
                         " h.uptime_s, h.survey_id, h.survey_version, h.queue_depth,"
                         " h.oldest_pending_age_s, h.dead_letter_count, h.clock_synced,"
                         " h.last_upload_ok_at, h.last_error,"
                         " (extract (epoch FROM d.last_seen_at) * 1000000)::bigint,"
                         " (extract (epoch FROM d.created_at) * 1000000)::bigint,"
                         " h.storage_state, h.storage_database_bytes, h.storage_free_bytes,"
                         " h.buttons_configured, h.buttons_connected "
                         "FROM devices d JOIN sites s ON s.id = d.site_id "
                         "LEFT JOIN device_health h ON h.device_id = d.id "
                         "WHERE %s AND d.retired_at IS NULL "
                         "ORDER BY s.name, d.id", cond);
  result = kiosk_db_exec (conn, sql, 0, NULL, error);
  if (result == NULL)
    return NULL;
  kiosks = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_dash_kiosk_free);
  for (int r = 0; r < PQntuples (result); r++)
    {
      KioskDashKiosk *k = g_new0 (KioskDashKiosk, 1);
      KioskDashSite *site;

      k->device_id = value_or_null (result, r, 0);
      k->site_id = value_int (result, r, 1);
      site = g_hash_table_lookup (by_id, &k->site_id);
      if (site != NULL)
        {
          k->site_name = g_strdup (site->name);
          k->site_title = g_strdup (site->title);
          k->time_zone = g_strdup (site->time_zone);
        }
      k->heard = !PQgetisnull (result, r, 2);
      if (k->heard)
        {
          k->last_heartbeat_us = value_int (result, r, 2);
          k->version = value_or_null (result, r, 3);
          k->uptime_s = value_int (result, r, 4);
          k->survey_id = value_or_null (result, r, 5);
          k->survey_version = value_int (result, r, 6);
          k->queue_depth = value_int (result, r, 7);
          k->oldest_pending_age_s = value_int (result, r, 8);
          k->dead_letter_count = value_int (result, r, 9);
          k->clock_synced = g_str_equal (PQgetvalue (result, r, 10), "t");
          k->last_upload_ok_at = value_or_null (result, r, 11);
          k->last_error = value_or_null (result, r, 12);
        }
      /* NULL when not reported (an older kiosk, or none heard): -1. */
      k->storage_state = value_or_null (result, r, 15);
      k->storage_database_bytes = PQgetisnull (result, r, 16) ? -1 : value_int (result, r, 16);
      k->storage_free_bytes = PQgetisnull (result, r, 17) ? -1 : value_int (result, r, 17);
      k->buttons_configured = PQgetisnull (result, r, 18) ? -1 : value_int (result, r, 18);
      k->buttons_connected = PQgetisnull (result, r, 19) ? -1 : value_int (result, r, 19);
      k->last_seen_us = PQgetisnull (result, r, 13) ? 0 : value_int (result, r, 13);
      k->silent = kiosk_dash_is_silent (site ? site->hours : NULL,
                                        k->heard ? k->last_heartbeat_us
                                                 : value_int (result, r, 14),
                                        now_us);
      g_ptr_array_add (kiosks, k);
    }
  return kiosks;
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

/* Every published version of the surveys the site's reasons of the filter's days were given to:
 * rollup_reasons keeps the survey's id, not its version, and a label is looked up in the newest
 * version that has the option. A survey that no longer parses is left out (its ids are shown). */
GPtrArray *
kiosk_dash_data_surveys (PGconn                *conn,
                         const KioskDashSite   *site,
                         const KioskDashFilter *filter,
                         GError               **error)
{
  g_autofree char *site_id = g_strdup_printf ("%" G_GINT64_FORMAT, site->id);
  char from[16], to[16];
  const char *params[4];
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GPtrArray) surveys = g_ptr_array_new_with_free_func (g_object_unref);

  g_date_strftime (from, sizeof from, "%Y-%m-%d", &filter->from);
  g_date_strftime (to, sizeof to, "%Y-%m-%d", &filter->to);
  params[0] = site_id;
  params[1] = from;
  params[2] = to;
  params[3] = filter->survey_id;
  result = kiosk_db_exec (conn,
                          "SELECT survey_id, version FROM surveys WHERE survey_id IN ("
                          " SELECT DISTINCT survey_id FROM rollup_reasons"
                          " WHERE site_id = $1::bigint AND local_date BETWEEN $2::date AND $3::date"
                          "  AND ($4::text IS NULL OR survey_id = $4)) "
                          "ORDER BY published_at DESC, version DESC",
                          G_N_ELEMENTS (params), params, error);
  if (result == NULL)
    return NULL;
  for (int r = 0; r < PQntuples (result); r++)
    {
      g_autoptr(GError) local_error = NULL;
      KioskSurvey *survey = kiosk_server_survey_lookup (conn, PQgetvalue (result, r, 0),
                                                        atoi (PQgetvalue (result, r, 1)),
                                                        &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (survey != NULL)
        g_ptr_array_add (surveys, survey);
    }
  return g_steal_pointer (&surveys);
}

/* The option's text as the visitors saw it, in @language (else the survey's default language);
 * NULL when no published survey of the reasons has it. */
const char *
kiosk_dash_reason_label (GPtrArray             *surveys,
                         const KioskDashReason *reason,
                         const char            *language)
{
  for (guint i = 0; surveys != NULL && i < surveys->len; i++)
    {
      KioskSurvey *survey = g_ptr_array_index (surveys, i);
      KioskFaceSide sides[] = { KIOSK_FACE_NEGATIVE, KIOSK_FACE_POSITIVE };

      for (guint s = 0; s < G_N_ELEMENTS (sides); s++)
        {
          KioskFollowUp *follow_up = kiosk_survey_get_follow_up (survey, sides[s]);
          int index;

          if (follow_up == NULL ||
              g_strcmp0 (kiosk_follow_up_get_id (follow_up), reason->follow_up_id) != 0)
            continue;
          index = kiosk_follow_up_find_option (follow_up, reason->option_id);
          if (index >= 0)
            return kiosk_follow_up_get_option_label (follow_up, index, language);
        }
    }
  return NULL;
}

char *
kiosk_dash_language_face_name (const char *language,
                               int         face,
                               int         scale)
{
  static const char *const four[4] = {
    DN_("Very unhappy"), DN_("Unhappy"), DN_("Happy"), DN_("Very happy"),
  };

  if (scale == 4 && face >= 0 && face < 4)
    return g_strdup (kiosk_dash_translate (language, four[face]));
  /* Translators: a face on a scale other than four faces, %d its number (0 the most negative) */
  return g_strdup_printf (kiosk_dash_translate (language, DN_("Face %d")), face);
}

char *
kiosk_dash_face_name (KioskDashRequest *request,
                      int               face,
                      int               scale)
{
  return kiosk_dash_language_face_name (request->language, face, scale);
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

/* Alerts */

gint64
kiosk_dash_data_open_alerts (PGconn              *conn,
                             const KioskDashUser *user,
                             GError             **error)
{
  g_autofree char *cond = kiosk_dash_site_condition (user, "site_id");
  g_autofree char *sql = NULL;
  g_autoptr(PGresult) result = NULL;

  /* closed_at IS NULL is alert_episodes_open's own condition: an index-only scan of the open
   * episodes, however long the history. */
  sql = g_strdup_printf ("SELECT count (*) FROM alert_episodes WHERE closed_at IS NULL AND %s",
                         cond);
  result = kiosk_db_exec (conn, sql, 0, NULL, error);
  if (result == NULL)
    return -1;
  return value_int (result, 0, 0);
}

static void
episode_reason_free (KioskDashEpisodeReason *reason)
{
  g_free (reason->label);
  g_free (reason);
}

void
kiosk_dash_episode_free (KioskDashEpisode *episode)
{
  if (episode == NULL)
    return;
  g_free (episode->rule_name);
  g_free (episode->kind);
  g_free (episode->site_name);
  g_free (episode->site_title);
  g_free (episode->time_zone);
  g_free (episode->device_id);
  g_clear_pointer (&episode->reasons, g_ptr_array_unref);
  g_clear_pointer (&episode->comments, g_ptr_array_unref);
  g_free (episode->acknowledged_by);
  g_free (episode->ack_comment);
  g_free (episode);
}

#define EPISODE_COLUMNS \
  "e.id, r.name, r.kind, r.window_minutes, s.id, s.name, s.title, s.time_zone," \
  " nullif (e.device_id, ''), (extract (epoch FROM e.opened_at) * 1000000)::bigint," \
  " (extract (epoch FROM e.closed_at) * 1000000)::bigint, e.value, e.responses," \
  " (extract (epoch FROM e.acknowledged_at) * 1000000)::bigint, e.acknowledged_by," \
  " e.ack_comment"
#define EPISODE_FROM \
  "alert_episodes e JOIN alert_rules r ON r.id = e.rule_id JOIN sites s ON s.id = e.site_id"

static KioskDashEpisode *
episode_from_row (PGresult *result,
                  int       row)
{
  KioskDashEpisode *e = g_new0 (KioskDashEpisode, 1);

  e->id = value_int (result, row, 0);
  e->rule_name = value_or_null (result, row, 1);
  e->kind = value_or_null (result, row, 2);
  e->window_minutes = (guint) value_int (result, row, 3);
  e->site_id = value_int (result, row, 4);
  e->site_name = value_or_null (result, row, 5);
  e->site_title = value_or_null (result, row, 6);
  e->time_zone = value_or_null (result, row, 7);
  e->device_id = value_or_null (result, row, 8);
  e->opened_us = value_int (result, row, 9);
  e->closed_us = PQgetisnull (result, row, 10) ? 0 : value_int (result, row, 10);
  e->value = PQgetisnull (result, row, 11) ? NAN
                                           : g_ascii_strtod (PQgetvalue (result, row, 11), NULL);
  e->responses = (guint64) value_int (result, row, 12);
  e->acknowledged_us = PQgetisnull (result, row, 13) ? 0 : value_int (result, row, 13);
  e->acknowledged_by = value_or_null (result, row, 14);
  e->ack_comment = value_or_null (result, row, 15);
  e->reasons = g_ptr_array_new_with_free_func ((GDestroyNotify) episode_reason_free);
  e->comments = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_dash_comment_free);
  return e;
}

#define EPISODE_COMMENTS 5

/* The reasons and comments each episode kept in its jsonb, for every episode of @episodes in
 * one query. */
static gboolean
episodes_details (PGconn     *conn,
                  GPtrArray  *episodes,
                  GError    **error)
{
  g_autoptr(GString) ids = g_string_new ("{");
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(PGresult) result = NULL;
  g_autofree char *max_comments = g_strdup_printf ("%d", EPISODE_COMMENTS);
  const char *params[2];

  if (episodes->len == 0)
    return TRUE;
  for (guint i = 0; i < episodes->len; i++)
    {
      KioskDashEpisode *e = g_ptr_array_index (episodes, i);

      g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, i ? "," : "", e->id);
      g_hash_table_insert (by_id, &e->id, e);
    }
  g_string_append_c (ids, '}');
  params[0] = ids->str;
  params[1] = max_comments;
  /* The evaluation stores the top three reasons and the latest comments; a value of another
   * shape (a later server's) is skipped rather than failing the page. */
  result = kiosk_db_exec (conn,
                          "SELECT e.id, 'r', x.ord, coalesce (x.v->>'label', x.v->>'option'),"
                          " x.v->>'n', NULL, NULL, NULL "
                          "FROM alert_episodes e, jsonb_array_elements (CASE jsonb_typeof"
                          " (e.reasons) WHEN 'array' THEN e.reasons ELSE '[]' END)"
                          " WITH ORDINALITY x (v, ord) "
                          "WHERE e.id = ANY ($1::bigint[]) AND x.ord <= 3"
                          " AND jsonb_typeof (x.v) = 'object' "
                          "UNION ALL "
                          "SELECT e.id, 'c', x.ord, x.v->>'text', x.v->>'face', x.v->>'scale',"
                          " x.v->>'local_time', x.v->>'time' "
                          "FROM alert_episodes e, jsonb_array_elements (CASE jsonb_typeof"
                          " (e.comments) WHEN 'array' THEN e.comments ELSE '[]' END)"
                          " WITH ORDINALITY x (v, ord) "
                          "WHERE e.id = ANY ($1::bigint[]) AND x.ord <= $2::int"
                          " AND jsonb_typeof (x.v) = 'object' "
                          "ORDER BY 1, 2, 3",
                          2, params, error);
  if (result == NULL)
    return FALSE;
  for (int row = 0; row < PQntuples (result); row++)
    {
      gint64 id = value_int (result, row, 0);
      KioskDashEpisode *e = g_hash_table_lookup (by_id, &id);

      if (e == NULL || PQgetisnull (result, row, 3))
        continue;
      if (g_str_equal (PQgetvalue (result, row, 1), "r"))
        {
          KioskDashEpisodeReason *reason = g_new0 (KioskDashEpisodeReason, 1);

          reason->label = value_or_null (result, row, 3);
          reason->n = (guint64) MAX (value_int (result, row, 4), 0);
          g_ptr_array_add (e->reasons, reason);
        }
      else
        {
          KioskDashComment *c = g_new0 (KioskDashComment, 1);
          g_autoptr(GDateTime) time = NULL;

          c->comment = value_or_null (result, row, 3);
          c->face = (int) value_int (result, row, 4);
          c->scale = (int) value_int (result, row, 5);
          c->local_time = value_or_null (result, row, 6);
          if (!PQgetisnull (result, row, 7))
            time = g_date_time_new_from_iso8601 (PQgetvalue (result, row, 7), NULL);
          c->time_us = time ? g_date_time_to_unix (time) * G_USEC_PER_SEC
                              + g_date_time_get_microsecond (time) : 0;
          g_ptr_array_add (e->comments, c);
        }
    }
  return TRUE;
}

GPtrArray *
kiosk_dash_data_episodes (PGconn                *conn,
                          const KioskDashUser   *user,
                          gboolean               open,
                          const KioskDashFilter *filter,
                          guint                  offset,
                          guint                  limit,
                          guint64               *out_total,
                          GError               **error)
{
  g_autofree char *cond = condition (user);
  g_autofree char *sql = NULL;
  g_autofree char *offset_text = g_strdup_printf ("%u", offset);
  g_autofree char *limit_text = limit > 0 ? g_strdup_printf ("%u", limit) : NULL;
  char from[16] = "", to[16] = "";
  const char *params[4] = { from, to, offset_text, limit_text };
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GPtrArray) episodes = NULL;

  if (open)
    sql = g_strdup_printf ("SELECT " EPISODE_COLUMNS ", 0 FROM " EPISODE_FROM
                           " WHERE e.closed_at IS NULL AND %s"
                           " ORDER BY e.opened_at, e.id", cond);
  else
    {
      g_date_strftime (from, sizeof from, "%Y-%m-%d", &filter->from);
      g_date_strftime (to, sizeof to, "%Y-%m-%d", &filter->to);
      /* The site's local day of the opening, as the page's dates are meant. */
      sql = g_strdup_printf ("SELECT " EPISODE_COLUMNS ", count (*) OVER () FROM " EPISODE_FROM
                             " WHERE e.closed_at IS NOT NULL AND %s"
                             " AND (e.opened_at AT TIME ZONE s.time_zone)::date"
                             "     BETWEEN $1::date AND $2::date"
                             " ORDER BY e.opened_at DESC, e.id DESC"
                             " OFFSET $3::bigint LIMIT $4::bigint", cond);
    }
  result = kiosk_db_exec (conn, sql, open ? 0 : 4, open ? NULL : params, error);
  if (result == NULL)
    return NULL;
  episodes = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_dash_episode_free);
  for (int row = 0; row < PQntuples (result); row++)
    g_ptr_array_add (episodes, episode_from_row (result, row));
  if (out_total != NULL)
    *out_total = open || PQntuples (result) == 0 ? (guint64) PQntuples (result)
                                                 : (guint64) value_int (result, 0, 16);
  if (!open && out_total != NULL && PQntuples (result) == 0 && offset > 0)
    {
      /* Paged past the end (count (*) OVER () saw no row): the total still says how many
       * there are. */
      g_autofree char *count_sql =
        g_strdup_printf ("SELECT count (*) FROM " EPISODE_FROM
                         " WHERE e.closed_at IS NOT NULL AND %s"
                         " AND (e.opened_at AT TIME ZONE s.time_zone)::date"
                         "     BETWEEN $1::date AND $2::date", cond);
      g_autoptr(PGresult) count = kiosk_db_exec (conn, count_sql, 2, params, error);

      if (count == NULL)
        return NULL;
      *out_total = (guint64) value_int (count, 0, 0);
    }
  if (!episodes_details (conn, episodes, error))
    return NULL;
  return g_steal_pointer (&episodes);
}

gint64
kiosk_dash_data_episode_site (PGconn              *conn,
                              const KioskDashUser *user,
                              gint64               episode_id,
                              GError             **error)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, episode_id);
  const char *params[] = { id };
  g_autoptr(PGresult) result = kiosk_db_exec (conn,
                                              "SELECT site_id FROM alert_episodes "
                                              "WHERE id = $1::bigint",
                                              1, params, error);

  if (result == NULL || PQntuples (result) == 0)
    return 0;
  if (!kiosk_dash_user_may_see_site (user, value_int (result, 0, 0)))
    return 0;
  return value_int (result, 0, 0);
}

/* Report schedules */

void
kiosk_dash_schedule_free (KioskDashSchedule *schedule)
{
  if (schedule == NULL)
    return;
  g_free (schedule->name);
  g_free (schedule->period);
  g_free (schedule->scope_name);
  g_free (schedule->scope_title);
  g_strfreev (schedule->emails);
  g_free (schedule->language);
  g_free (schedule->last_start);
  g_free (schedule->last_end);
  g_free (schedule);
}

GPtrArray *
kiosk_dash_data_schedules (PGconn  *conn,
                           GError **error)
{
  /* The addresses one a line: none holds a line break (kiosk_server_email_is_valid). */
  g_autoptr(PGresult) result =
    kiosk_db_exec (conn,
                   "SELECT c.id, c.name, c.period, coalesce (s.name, g.name),"
                   " coalesce (s.title, g.title), c.group_id IS NOT NULL,"
                   " array_to_string (c.emails, E'\\n'), c.language, c.enabled,"
                   " to_char (run.period_start, 'YYYY-MM-DD'),"
                   " to_char (run.period_end, 'YYYY-MM-DD'),"
                   " (extract (epoch FROM run.created_at) * 1000000)::bigint "
                   "FROM report_schedules c LEFT JOIN sites s ON s.id = c.site_id"
                   " LEFT JOIN site_groups g ON g.id = c.group_id"
                   " LEFT JOIN LATERAL (SELECT * FROM report_runs u WHERE u.schedule_id = c.id"
                   "  ORDER BY u.period_start DESC LIMIT 1) run ON true "
                   "ORDER BY c.name",
                   0, NULL, error);
  GPtrArray *schedules;

  if (result == NULL)
    return NULL;
  schedules = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_dash_schedule_free);
  for (int row = 0; row < PQntuples (result); row++)
    {
      KioskDashSchedule *c = g_new0 (KioskDashSchedule, 1);

      c->id = value_int (result, row, 0);
      c->name = value_or_null (result, row, 1);
      c->period = value_or_null (result, row, 2);
      c->scope_name = value_or_null (result, row, 3);
      c->scope_title = value_or_null (result, row, 4);
      c->group = g_str_equal (PQgetvalue (result, row, 5), "t");
      c->emails = g_strsplit (PQgetvalue (result, row, 6), "\n", -1);
      c->language = value_or_null (result, row, 7);
      c->enabled = g_str_equal (PQgetvalue (result, row, 8), "t");
      c->last_start = value_or_null (result, row, 9);
      c->last_end = value_or_null (result, row, 10);
      c->last_run_us = PQgetisnull (result, row, 11) ? 0 : value_int (result, row, 11);
      g_ptr_array_add (schedules, c);
    }
  return schedules;
}

/* Groups */

void
kiosk_dash_group_free (KioskDashGroup *group)
{
  if (group == NULL)
    return;
  g_free (group->name);
  g_free (group->title);
  g_free (group);
}

GPtrArray *
kiosk_dash_data_groups (PGconn              *conn,
                        const KioskDashUser *user,
                        GError             **error)
{
  g_autofree char *cond = condition (user);
  /* A group's report covers all its sites: a viewer who may see only some of them does not
   * get the others' figures through it. */
  g_autofree char *sql = g_strdup_printf ("SELECT g.id, g.name, g.title FROM site_groups g "
                                          "WHERE EXISTS (SELECT 1 FROM sites s"
                                          "  WHERE s.group_id = g.id)"
                                          " AND NOT EXISTS (SELECT 1 FROM sites s"
                                          "  WHERE s.group_id = g.id AND NOT (%s)) "
                                          "ORDER BY g.name", cond);
  g_autoptr(PGresult) result = kiosk_db_exec (conn, sql, 0, NULL, error);
  GPtrArray *groups;

  if (result == NULL)
    return NULL;
  groups = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_dash_group_free);
  for (int row = 0; row < PQntuples (result); row++)
    {
      KioskDashGroup *group = g_new0 (KioskDashGroup, 1);

      group->id = value_int (result, row, 0);
      group->name = value_or_null (result, row, 1);
      group->title = value_or_null (result, row, 2);
      g_ptr_array_add (groups, group);
    }
  return groups;
}

static void
option (GString    *out,
        const char *value,
        const char *label,
        const char *selected,
        const char *lang)
{
  kiosk_html (out, "<option value=\"");
  kiosk_html_attr (out, value);
  kiosk_html (out, "\"");
  if (lang != NULL)
    {
      kiosk_html (out, " lang=\"");
      kiosk_html_attr (out, lang);
      kiosk_html (out, "\"");
    }
  if (g_strcmp0 (value, selected) == 0)
    kiosk_html (out, " selected");
  kiosk_html (out, ">");
  kiosk_html_txt (out, label);
  kiosk_html (out, "</option>");
}

void
kiosk_dash_scope_select (GString          *out,
                         KioskDashRequest *request,
                         const char       *id,
                         const char       *name,
                         GPtrArray        *sites,
                         GPtrArray        *groups,
                         const char       *selected)
{
  kiosk_html (out, "<select id=\"");
  kiosk_html_attr (out, id);
  kiosk_html (out, "\" name=\"");
  kiosk_html_attr (out, name);
  kiosk_html (out, "\" required><optgroup label=\"");
  kiosk_html_attr (out, D_("Sites"));
  kiosk_html (out, "\">");
  for (guint i = 0; sites && i < sites->len; i++)
    {
      KioskDashSite *site = g_ptr_array_index (sites, i);
      g_autofree char *value = g_strconcat ("site:", site->name, NULL);

      option (out, value, site->title, selected, NULL);
    }
  kiosk_html (out, "</optgroup>");
  if (groups != NULL && groups->len > 0)
    {
      kiosk_html (out, "<optgroup label=\"");
      kiosk_html_attr (out, D_("Groups"));
      kiosk_html (out, "\">");
      for (guint i = 0; i < groups->len; i++)
        {
          KioskDashGroup *group = g_ptr_array_index (groups, i);
          g_autofree char *value = g_strconcat ("group:", group->name, NULL);
          /* Translators: a site group in a list of sites and groups, "North (group)" */
          g_autofree char *label = g_strdup_printf (D_("%s (group)"), group->title);

          option (out, value, label, selected, NULL);
        }
      kiosk_html (out, "</optgroup>");
    }
  kiosk_html (out, "</select>");
}

gboolean
kiosk_dash_scope_parse (const char  *value,
                        char       **out_site,
                        char       **out_group)
{
  *out_site = NULL;
  *out_group = NULL;
  if (value != NULL && g_str_has_prefix (value, "site:") && value[5] != '\0')
    *out_site = g_strdup (value + 5);
  else if (value != NULL && g_str_has_prefix (value, "group:") && value[6] != '\0')
    *out_group = g_strdup (value + 6);
  else
    return FALSE;
  return TRUE;
}

void
kiosk_dash_language_select (GString          *out,
                            KioskDashRequest *request,
                            const char       *id,
                            const char       *name,
                            const char       *selected)
{
  const char * const *languages = kiosk_dash_languages ();

  kiosk_html (out, "<select id=\"");
  kiosk_html_attr (out, id);
  kiosk_html (out, "\" name=\"");
  kiosk_html_attr (out, name);
  kiosk_html (out, "\">");
  for (guint i = 0; languages[i]; i++)
    {
      const char *native = kiosk_language_get_native_name (languages[i]);

      option (out, languages[i], native ? native : languages[i], selected, languages[i]);
    }
  kiosk_html (out, "</select>");
}

const char *
kiosk_dash_alert_kind_name (KioskDashRequest *request,
                            const char       *kind)
{
  if (g_strcmp0 (kind, "unhappy-share") == 0)
    /* Translators: the kind of an alert rule */
    return D_("Share of unhappy responses");
  if (g_strcmp0 (kind, "happy-index") == 0)
    /* Translators: the kind of an alert rule */
    return D_("Happy Index of the day");
  if (g_strcmp0 (kind, "very-unhappy-count") == 0)
    /* Translators: the kind of an alert rule */
    return D_("Very unhappy responses");
  if (g_strcmp0 (kind, "silent-kiosk") == 0)
    /* Translators: the kind of an alert rule */
    return D_("Silent kiosk");
  return kind;
}
