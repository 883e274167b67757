/* kiosk-dash-data-site.c: the queries of one site's page: its days, hours, reasons and
 * comments over the filter's period, and the survey versions that name its reasons. */
#define G_LOG_DOMAIN "kiosk-dash"

#include "kiosk-dash-data-private.h"
#include "kiosk-dash-server.h"
#include "kiosk-server-db.h"
#include "kiosk-server-surveys.h"
#include "kiosk-survey.h"

/* One site */

GArray *
kiosk_dash_data_days (PGconn                *conn,
                      const KioskDashSite   *site,
                      const KioskDashFilter *filter,
                      GError               **error)
{
  KioskDashSiteParams sp;
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GArray) days = g_array_new (FALSE, TRUE, sizeof (KioskDashDay));
  guint n_days;

  _kiosk_dash_site_params (filter, site, &sp);

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
      gint64 i = _kiosk_dash_value_int (result, r, 0);

      if (i >= 0 && i < n_days)
        _kiosk_dash_counts_add_row (&g_array_index (days, KioskDashDay, i).counts, result, r, 1,
                                    filter->include_misuse);
    }
  return g_steal_pointer (&days);
}

KioskDashWeekHours *
kiosk_dash_data_hours (PGconn                *conn,
                       const KioskDashSite   *site,
                       const KioskDashFilter *filter,
                       GError               **error)
{
  KioskDashSiteParams sp;
  g_autoptr(PGresult) result = NULL;
  KioskDashWeekHours *hours;

  _kiosk_dash_site_params (filter, site, &sp);

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
      gint64 weekday = _kiosk_dash_value_int (result, r, 0);
      gint64 hour = _kiosk_dash_value_int (result, r, 1);

      if (weekday >= 0 && weekday <= 6 && hour >= 0 && hour <= 23)
        _kiosk_dash_counts_add_row (&hours->cells[weekday][hour], result, r, 2,
                                    filter->include_misuse);
    }
  return hours;
}

static const KioskDashField reason_fields[] = {
  KIOSK_DASH_FIELD (0, TEXT, KioskDashReason, follow_up_id),
  KIOSK_DASH_FIELD (1, TEXT, KioskDashReason, option_id),
  KIOSK_DASH_FIELD (2, UINT64, KioskDashReason, n),
  KIOSK_DASH_FIELD (3, UINT64, KioskDashReason, answered),
};
static const KioskDashRecord reason_record = KIOSK_DASH_RECORD (KioskDashReason, reason_fields);

void
kiosk_dash_reason_free (KioskDashReason *reason)
{
  _kiosk_dash_record_free (&reason_record, reason);
}

/* Unhappy (@side "<"): below the middle of the scale (faces 0 and 1 of four); happy (">"):
 * above it. The '' option counts the answers that selected anything: the denominator of each
 * share. */
#define REASONS_SQL(side) \
  "WITH r AS (" \
  " SELECT follow_up_id, option_id, sum (n) AS n FROM rollup_reasons" \
  " WHERE site_id = $4::bigint AND local_date BETWEEN $1 AND $2" \
  "  AND ($3::text IS NULL OR survey_id = $3)" \
  "  AND ($5::boolean OR NOT misuse) AND 2 * face " side " scale - 1" \
  " GROUP BY 1, 2) " \
  "SELECT r.follow_up_id, r.option_id, r.n, a.n FROM r " \
  "JOIN r a ON a.follow_up_id = r.follow_up_id AND a.option_id = '' " \
  "WHERE r.option_id <> '' AND r.n > 0 " \
  "ORDER BY r.n DESC, r.follow_up_id, r.option_id"

GPtrArray *
kiosk_dash_data_reasons (PGconn                *conn,
                         const KioskDashSite   *site,
                         const KioskDashFilter *filter,
                         KioskDashMood          mood,
                         GError               **error)
{
  KioskDashSiteParams sp;
  g_autoptr(PGresult) result = NULL;

  _kiosk_dash_site_params (filter, site, &sp);
  sp.v[4] = filter->include_misuse ? "t" : "f";

  result = kiosk_db_exec (conn,
                          mood == KIOSK_DASH_UNHAPPY ? REASONS_SQL ("<") : REASONS_SQL (">"),
                          5, sp.v, error);
  return _kiosk_dash_records (result, &reason_record, (GDestroyNotify) kiosk_dash_reason_free);
}

/* Every text of a comment is a column: freeing them is freeing the record. */
static const KioskDashField comment_fields[] = {
  KIOSK_DASH_FIELD (0, INT64, KioskDashComment, time_us),
  KIOSK_DASH_FIELD (1, TEXT, KioskDashComment, local_time),
  KIOSK_DASH_FIELD (2, INT, KioskDashComment, face),
  KIOSK_DASH_FIELD (3, INT, KioskDashComment, scale),
  KIOSK_DASH_FIELD (4, BOOL, KioskDashComment, misuse),
  KIOSK_DASH_FIELD (5, TEXT, KioskDashComment, comment),
  KIOSK_DASH_FIELD (6, TEXT, KioskDashComment, device_id),
  KIOSK_DASH_FIELD (7, TEXT, KioskDashComment, language),
};
static const KioskDashRecord comment_record = KIOSK_DASH_RECORD (KioskDashComment, comment_fields);

void
kiosk_dash_comment_free (KioskDashComment *comment)
{
  _kiosk_dash_record_free (&comment_record, comment);
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
  KioskDashSiteParams sp;
  g_autoptr(PGresult) result = NULL;
  GPtrArray *comments;

  _kiosk_dash_site_params (filter, site, &sp);
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
  comments = _kiosk_dash_records (result, &comment_record,
                                  (GDestroyNotify) kiosk_dash_comment_free);
  if (comments == NULL)
    return NULL;
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
          *out_total = (guint64) _kiosk_dash_value_int (count, 0, 0);
        }
    }
  return comments;
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
