/* kiosk-dash-data-alerts.c: the alerts' and the reports' queries (episodes, schedules, groups),
 * and the site-or-group and language selects their forms share. */
#define G_LOG_DOMAIN "kiosk-dash"

#include "kiosk-dash-data-private.h"
#include "kiosk-dash-server.h"
#include "kiosk-html.h"
#include "kiosk-server-db.h"
#include "kiosk-survey.h"

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
  return _kiosk_dash_value_int (result, 0, 0);
}

static void
episode_reason_free (KioskDashEpisodeReason *reason)
{
  g_free (reason->label);
  g_free (reason);
}

#define EPISODE_COLUMNS \
  "e.id, r.name, r.kind, r.window_minutes, s.id, s.name, s.title, s.time_zone," \
  " nullif (e.device_id, ''), (extract (epoch FROM e.opened_at) * 1000000)::bigint," \
  " (extract (epoch FROM e.closed_at) * 1000000)::bigint, e.value, e.responses," \
  " (extract (epoch FROM e.acknowledged_at) * 1000000)::bigint, e.acknowledged_by," \
  " e.ack_comment"
#define EPISODE_FROM \
  "alert_episodes e JOIN alert_rules r ON r.id = e.rule_id JOIN sites s ON s.id = e.site_id"

static const KioskDashField episode_fields[] = {
  KIOSK_DASH_FIELD (0, INT64, KioskDashEpisode, id),
  KIOSK_DASH_FIELD (1, TEXT, KioskDashEpisode, rule_name),
  KIOSK_DASH_FIELD (2, TEXT, KioskDashEpisode, kind),
  KIOSK_DASH_FIELD (3, UINT, KioskDashEpisode, window_minutes),
  KIOSK_DASH_FIELD (4, INT64, KioskDashEpisode, site_id),
  KIOSK_DASH_FIELD (5, TEXT, KioskDashEpisode, site_name),
  KIOSK_DASH_FIELD (6, TEXT, KioskDashEpisode, site_title),
  KIOSK_DASH_FIELD (7, TEXT, KioskDashEpisode, time_zone),
  KIOSK_DASH_FIELD (8, TEXT, KioskDashEpisode, device_id),
  KIOSK_DASH_FIELD (9, INT64, KioskDashEpisode, opened_us),
  KIOSK_DASH_FIELD (10, INT64_OR_0, KioskDashEpisode, closed_us),
  KIOSK_DASH_FIELD (11, DOUBLE, KioskDashEpisode, value),
  KIOSK_DASH_FIELD (12, UINT64, KioskDashEpisode, responses),
  KIOSK_DASH_FIELD (13, INT64_OR_0, KioskDashEpisode, acknowledged_us),
  KIOSK_DASH_FIELD (14, TEXT, KioskDashEpisode, acknowledged_by),
  KIOSK_DASH_FIELD (15, TEXT, KioskDashEpisode, ack_comment),
};
static const KioskDashRecord episode_record = KIOSK_DASH_RECORD (KioskDashEpisode,
                                                                 episode_fields);

void
kiosk_dash_episode_free (KioskDashEpisode *episode)
{
  if (episode == NULL)
    return;
  g_clear_pointer (&episode->reasons, g_ptr_array_unref);
  g_clear_pointer (&episode->comments, g_ptr_array_unref);
  _kiosk_dash_record_free (&episode_record, episode);
}

static gpointer
episode_from_row (PGresult *result,
                  int       row,
                  gpointer  user_data)
{
  KioskDashEpisode *e = _kiosk_dash_record_new (result, row, (gpointer) &episode_record);

  e->reasons = g_ptr_array_new_with_free_func ((GDestroyNotify) episode_reason_free);
  e->comments = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_dash_comment_free);
  return e;
}

#define EPISODE_COMMENTS 5

/* A comment the episode kept, as episodes_details() selects it. */
static const KioskDashField episode_comment_fields[] = {
  KIOSK_DASH_FIELD (3, TEXT, KioskDashComment, comment),
  KIOSK_DASH_FIELD (4, INT, KioskDashComment, face),
  KIOSK_DASH_FIELD (5, INT, KioskDashComment, scale),
  KIOSK_DASH_FIELD (6, TEXT, KioskDashComment, local_time),
};

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
      gint64 id = _kiosk_dash_value_int (result, row, 0);
      KioskDashEpisode *e = g_hash_table_lookup (by_id, &id);

      if (e == NULL || PQgetisnull (result, row, 3))
        continue;
      if (g_str_equal (PQgetvalue (result, row, 1), "r"))
        {
          KioskDashEpisodeReason *reason = g_new0 (KioskDashEpisodeReason, 1);

          reason->label = _kiosk_dash_value_or_null (result, row, 3);
          reason->n = (guint64) MAX (_kiosk_dash_value_int (result, row, 4), 0);
          g_ptr_array_add (e->reasons, reason);
        }
      else
        {
          KioskDashComment *c = g_new0 (KioskDashComment, 1);
          g_autoptr(GDateTime) time = NULL;

          _kiosk_dash_record_read (c, episode_comment_fields, G_N_ELEMENTS (episode_comment_fields),
                                   result, row);
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
  g_autofree char *cond = _kiosk_dash_condition (user);
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
  episodes = _kiosk_dash_rows (result, episode_from_row, NULL,
                               (GDestroyNotify) kiosk_dash_episode_free);
  if (episodes == NULL)
    return NULL;
  if (out_total != NULL)
    *out_total = open || PQntuples (result) == 0 ? (guint64) PQntuples (result)
                                                 : (guint64) _kiosk_dash_value_int (result, 0, 16);
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
      *out_total = (guint64) _kiosk_dash_value_int (count, 0, 0);
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
  if (!kiosk_dash_user_may_see_site (user, _kiosk_dash_value_int (result, 0, 0)))
    return 0;
  return _kiosk_dash_value_int (result, 0, 0);
}

/* Report schedules */

static const KioskDashField schedule_fields[] = {
  KIOSK_DASH_FIELD (0, INT64, KioskDashSchedule, id),
  KIOSK_DASH_FIELD (1, TEXT, KioskDashSchedule, name),
  KIOSK_DASH_FIELD (2, TEXT, KioskDashSchedule, period),
  KIOSK_DASH_FIELD (3, TEXT, KioskDashSchedule, scope_name),
  KIOSK_DASH_FIELD (4, TEXT, KioskDashSchedule, scope_title),
  KIOSK_DASH_FIELD (5, BOOL, KioskDashSchedule, group),
  KIOSK_DASH_FIELD (6, LINES, KioskDashSchedule, emails),
  KIOSK_DASH_FIELD (7, TEXT, KioskDashSchedule, language),
  KIOSK_DASH_FIELD (8, BOOL, KioskDashSchedule, enabled),
  KIOSK_DASH_FIELD (9, TEXT, KioskDashSchedule, last_start),
  KIOSK_DASH_FIELD (10, TEXT, KioskDashSchedule, last_end),
  KIOSK_DASH_FIELD (11, INT64_OR_0, KioskDashSchedule, last_run_us),
};
static const KioskDashRecord schedule_record = KIOSK_DASH_RECORD (KioskDashSchedule,
                                                                  schedule_fields);

void
kiosk_dash_schedule_free (KioskDashSchedule *schedule)
{
  _kiosk_dash_record_free (&schedule_record, schedule);
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

  return _kiosk_dash_records (result, &schedule_record,
                              (GDestroyNotify) kiosk_dash_schedule_free);
}

/* Groups */

static const KioskDashField group_fields[] = {
  KIOSK_DASH_FIELD (0, INT64, KioskDashGroup, id),
  KIOSK_DASH_FIELD (1, TEXT, KioskDashGroup, name),
  KIOSK_DASH_FIELD (2, TEXT, KioskDashGroup, title),
};
static const KioskDashRecord group_record = KIOSK_DASH_RECORD (KioskDashGroup, group_fields);

void
kiosk_dash_group_free (KioskDashGroup *group)
{
  _kiosk_dash_record_free (&group_record, group);
}

GPtrArray *
kiosk_dash_data_groups (PGconn              *conn,
                        const KioskDashUser *user,
                        GError             **error)
{
  g_autofree char *cond = _kiosk_dash_condition (user);
  /* A group's report covers all its sites: a viewer who may see only some of them does not
   * get the others' figures through it. */
  g_autofree char *sql = g_strdup_printf ("SELECT g.id, g.name, g.title FROM site_groups g "
                                          "WHERE EXISTS (SELECT 1 FROM sites s"
                                          "  WHERE s.group_id = g.id)"
                                          " AND NOT EXISTS (SELECT 1 FROM sites s"
                                          "  WHERE s.group_id = g.id AND NOT (%s)) "
                                          "ORDER BY g.name", cond);
  g_autoptr(PGresult) result = kiosk_db_exec (conn, sql, 0, NULL, error);

  return _kiosk_dash_records (result, &group_record, (GDestroyNotify) kiosk_dash_group_free);
}

void
kiosk_dash_option (GString    *out,
                   const char *value,
                   const char *label,
                   const char *selected,
                   const char *lang)
{
  kiosk_html_format (out, "<option value=\"%a\"", value);
  if (lang != NULL)
    kiosk_html_format (out, " lang=\"%a\"", lang);
  if (g_strcmp0 (value, selected) == 0)
    kiosk_html (out, " selected");
  kiosk_html_format (out, ">%t</option>", label);
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
  kiosk_html_format (out, "<select id=\"%a\" name=\"%a\" required><optgroup label=\"%a\">", id,
                     name, D_("Sites"));
  for (guint i = 0; sites && i < sites->len; i++)
    {
      KioskDashSite *site = g_ptr_array_index (sites, i);
      g_autofree char *value = g_strconcat ("site:", site->name, NULL);

      kiosk_dash_option (out, value, site->title, selected, NULL);
    }
  kiosk_html (out, "</optgroup>");
  if (groups != NULL && groups->len > 0)
    {
      kiosk_html_format (out, "<optgroup label=\"%a\">", D_("Groups"));
      for (guint i = 0; i < groups->len; i++)
        {
          KioskDashGroup *group = g_ptr_array_index (groups, i);
          g_autofree char *value = g_strconcat ("group:", group->name, NULL);
          /* Translators: a site group in a list of sites and groups, "North (group)" */
          g_autofree char *label = g_strdup_printf (D_("%s (group)"), group->title);

          kiosk_dash_option (out, value, label, selected, NULL);
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

  kiosk_html_format (out, "<select id=\"%a\" name=\"%a\">", id, name);
  for (guint i = 0; languages[i]; i++)
    {
      const char *native = kiosk_language_get_native_name (languages[i]);

      kiosk_dash_option (out, languages[i], native ? native : languages[i], selected,
                         languages[i]);
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
