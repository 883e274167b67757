/* kiosk-server-alerts-evaluate.c: one evaluation of the alert rules. Each rule is measured for
 * its sites (or, silent-kiosk, their kiosks) in one query; then, for each site or kiosk:
 *
 *   holds, no open episode   → open one, with its messages, in one transaction
 *   holds, open episode      → it held now: last_held_at, its figures, reasons and comments
 *   does not hold, open      → close it once it has not held for the rule's window, with its
 *                              messages, in one transaction
 *
 * "Once" is the database's: the partial unique index alert_episodes_open admits one open episode
 * per rule, site and kiosk, and a close is an UPDATE … WHERE closed_at IS NULL, so servers that
 * share the database and evaluate at the same moment open and close each episode once. */
#define G_LOG_DOMAIN "kiosk-server-alerts"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk-server-alerts-private.h"
#include "kiosk-server-db.h"
#include "kiosk-server-surveys.h"

/* $2: the evaluation's instant, in microseconds since the epoch, exactly. */
#define NOW_SQL "('epoch'::timestamptz + $2::bigint * interval '1 microsecond')"

/* The responses of a rule's window at site $1: the last $3 minutes, or for happy-index the
 * site's local day so far. local_time narrows the search to the index responses_site_local
 * (with a margin for a change of UTC offset inside the window); time decides. */
#define WINDOW_SQL \
  "r.site_id = $1::bigint AND NOT r.misuse AND r.time <= " NOW_SQL \
  " AND r.local_time <= (" NOW_SQL " AT TIME ZONE $4) + interval '3 hours'" \
  " AND CASE WHEN $3::int > 0" \
  "  THEN r.time > " NOW_SQL " - make_interval (mins => $3::int)" \
  "   AND r.local_time > (" NOW_SQL " AT TIME ZONE $4) - make_interval (mins => $3::int)" \
  "                      - interval '3 hours'" \
  "  ELSE r.local_time >= date_trunc ('day', " NOW_SQL " AT TIME ZONE $4) END"

typedef struct
{
  gint64   site_id;
  char    *device_id;   /* "" for a site's responses */
  gboolean holds;
  double   value;
  guint    responses;
} Observation;

typedef struct
{
  gint64 id;
  gint64 last_held_us;
  gint64 opened_us;
  gboolean seen;
} OpenEpisode;

/* One evaluation: what its measures and every change it makes share. */
typedef struct
{
  PGconn                  *conn;
  const KioskServerConfig *config;
  GPtrArray               *sites;
  GHashTable              *sites_by_id;   /* KioskDashSite by id */
  GHashTable              *open;          /* OpenEpisode by episode_key () */
  gint64                   only_site;     /* 0: a whole pass */
  const char              *now;           /* now_us as text: the queries' NOW_SQL */
  gint64                   now_us;
  guint                    changed;       /* episodes opened and closed */
} Pass;

/* A bigint parameter. */
static char *
id_param (gint64 id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

/* A float8 parameter; NULL for NaN (no figure). */
static char *
float_param (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  return isnan (value) ? NULL : g_strdup (g_ascii_dtostr (buffer, sizeof buffer, value));
}

static void
observation_free (Observation *observation)
{
  g_free (observation->device_id);
  g_free (observation);
}

static void
rule_row_free (KioskAlertRuleRow *rule)
{
  g_free (rule->name);
  g_clear_pointer (&rule->emails, g_ptr_array_unref);
  g_free (rule->webhook_url);
  g_free (rule->webhook_format);
  g_free (rule->language);
  g_free (rule);
}

static char *
episode_key (gint64      rule_id,
             gint64      site_id,
             const char *device_id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT ":%s", rule_id, site_id,
                          device_id);
}

static GPtrArray *
load_rules (PGconn  *conn,
            gint64   site_id,
            GError **error)
{
  g_autofree char *site = id_param (site_id);
  const char *params[] = { site };
  g_autoptr(PGresult) result =
    kiosk_db_exec (conn, "SELECT id, name, kind, coalesce (site_id, 0), coalesce (group_id, 0), "
                   " threshold, window_minutes, min_responses, emails, webhook_url, "
                   " webhook_format, language "
                   "FROM alert_rules WHERE enabled AND ($1::bigint = 0 OR site_id = $1::bigint"
                   " OR group_id = (SELECT group_id FROM sites WHERE id = $1::bigint)) "
                   "ORDER BY id", 1, params, error);
  GPtrArray *rules;

  if (result == NULL)
    return NULL;
  rules = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_row_free);
  for (int r = 0; r < PQntuples (result); r++)
    {
      KioskAlertRuleRow *rule = g_new0 (KioskAlertRuleRow, 1);

      if (!kiosk_alert_kind_from_string (PQgetvalue (result, r, 2), &rule->kind))
        {
          g_free (rule);
          continue;
        }
      rule->id = g_ascii_strtoll (PQgetvalue (result, r, 0), NULL, 10);
      rule->name = g_strdup (PQgetvalue (result, r, 1));
      rule->site_id = g_ascii_strtoll (PQgetvalue (result, r, 3), NULL, 10);
      rule->group_id = g_ascii_strtoll (PQgetvalue (result, r, 4), NULL, 10);
      rule->threshold = g_ascii_strtod (PQgetvalue (result, r, 5), NULL);
      rule->window_minutes = (guint) atoi (PQgetvalue (result, r, 6));
      rule->min_responses = (guint) atoi (PQgetvalue (result, r, 7));
      rule->emails = _kiosk_alerts_parse_text_array (PQgetvalue (result, r, 8));
      rule->webhook_url = PQgetisnull (result, r, 9) ? NULL : g_strdup (PQgetvalue (result, r, 9));
      rule->webhook_format = g_strdup (PQgetvalue (result, r, 10));
      rule->language = g_strdup (PQgetvalue (result, r, 11));
      g_ptr_array_add (rules, rule);
    }
  return rules;
}

/* "{1,2,3}": the sites @rule watches, or only @only_site among them. */
static char *
rule_sites (const KioskAlertRuleRow *rule,
            GPtrArray               *sites,
            gint64                   only_site)
{
  g_autoptr(GString) ids = g_string_new ("{");

  for (guint i = 0; i < sites->len; i++)
    {
      const KioskDashSite *site = g_ptr_array_index (sites, i);

      if (only_site != 0 && site->id != only_site)
        continue;
      if (site->id != rule->site_id && (rule->group_id == 0 || site->group_id != rule->group_id))
        continue;
      if (ids->len > 1)
        g_string_append_c (ids, ',');
      g_string_append_printf (ids, "%" G_GINT64_FORMAT, site->id);
    }
  g_string_append_c (ids, '}');
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static void
add_observation (GPtrArray  *observations,
                 gint64      site_id,
                 const char *device_id,
                 gboolean    holds,
                 double      value,
                 guint       responses)
{
  Observation *observation = g_new0 (Observation, 1);

  observation->site_id = site_id;
  observation->device_id = g_strdup (device_id);
  observation->holds = holds;
  observation->value = value;
  observation->responses = responses;
  g_ptr_array_add (observations, observation);
}

/* unhappy-share and very-unhappy-count: the last window_minutes of each site. */
static gboolean
measure_window (Pass                    *pass,
                const KioskAlertRuleRow *rule,
                const char              *site_ids,
                GPtrArray               *observations,
                GError                 **error)
{
  g_autofree char *window = g_strdup_printf ("%u", rule->window_minutes);
  const char *params[] = { site_ids, pass->now, window };
  g_autoptr(PGresult) result =
    kiosk_db_exec (pass->conn,
                   "SELECT s.id, count (r.face),"
                   " count (r.face) FILTER (WHERE r.face * 2 < r.scale - 1),"
                   " count (r.face) FILTER (WHERE r.face = 0) "
                   "FROM sites s LEFT JOIN LATERAL ("
                   " SELECT r.face, r.scale FROM responses r"
                   " WHERE r.site_id = s.id AND NOT r.misuse AND r.time <= " NOW_SQL
                   "  AND r.time > " NOW_SQL " - make_interval (mins => $3::int)"
                   "  AND r.local_time <= (" NOW_SQL " AT TIME ZONE s.time_zone)"
                   "                      + interval '3 hours'"
                   "  AND r.local_time > (" NOW_SQL " AT TIME ZONE s.time_zone)"
                   "                     - make_interval (mins => $3::int) - interval '3 hours'"
                   ") r ON true WHERE s.id = ANY ($1::bigint[]) GROUP BY s.id",
                   G_N_ELEMENTS (params), params, error);

  if (result == NULL)
    return FALSE;
  for (int r = 0; r < PQntuples (result); r++)
    {
      gint64 site_id = g_ascii_strtoll (PQgetvalue (result, r, 0), NULL, 10);
      guint n = (guint) atoi (PQgetvalue (result, r, 1));
      guint unhappy = (guint) atoi (PQgetvalue (result, r, 2));
      guint very = (guint) atoi (PQgetvalue (result, r, 3));

      if (rule->kind == KIOSK_ALERT_UNHAPPY_SHARE)
        {
          double share = n > 0 ? 100.0 * unhappy / n : 0;

          add_observation (observations, site_id, "",
                           n >= rule->min_responses && share >= rule->threshold, share, n);
        }
      else
        add_observation (observations, site_id, "", very >= rule->threshold, very, n);
    }
  return TRUE;
}

/* happy-index: each site's local day so far, from the day rollups. */
static gboolean
measure_day (Pass                    *pass,
             const KioskAlertRuleRow *rule,
             const char              *site_ids,
             GPtrArray               *observations,
             GError                 **error)
{
  const char *params[] = { site_ids, pass->now };
  g_autoptr(PGresult) result =
    kiosk_db_exec (pass->conn,
                   "SELECT d.site_id, d.scale, d.face, sum (d.n)::bigint FROM sites s "
                   "JOIN rollup_days d ON d.site_id = s.id AND NOT d.misuse"
                   " AND d.local_date = (" NOW_SQL " AT TIME ZONE s.time_zone)::date "
                   "WHERE s.id = ANY ($1::bigint[]) GROUP BY 1, 2, 3",
                   G_N_ELEMENTS (params), params, error);
  g_autoptr(GHashTable) counts = NULL;
  g_auto(GStrv) ids = NULL;

  if (result == NULL)
    return FALSE;
  counts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  for (int r = 0; r < PQntuples (result); r++)
    {
      gint64 site_id = g_ascii_strtoll (PQgetvalue (result, r, 0), NULL, 10);
      KioskDashCounts *site_counts = g_hash_table_lookup (counts, &site_id);

      if (site_counts == NULL)
        {
          site_counts = g_new0 (KioskDashCounts, 1);
          g_hash_table_insert (counts, g_memdup2 (&site_id, sizeof site_id), site_counts);
        }
      kiosk_dash_counts_add (site_counts, atoi (PQgetvalue (result, r, 1)),
                             atoi (PQgetvalue (result, r, 2)), FALSE, FALSE,
                             g_ascii_strtoull (PQgetvalue (result, r, 3), NULL, 10));
    }

  /* Every site of the rule, those without a response today too (they do not hold). */
  ids = g_strsplit_set (site_ids, "{},", -1);
  for (guint i = 0; ids[i]; i++)
    {
      gint64 site_id = g_ascii_strtoll (ids[i], NULL, 10);
      KioskDashCounts *site_counts;
      double index;

      if (site_id == 0)
        continue;
      site_counts = g_hash_table_lookup (counts, &site_id);
      index = site_counts ? kiosk_dash_counts_index (site_counts) : NAN;
      add_observation (observations, site_id, "",
                       site_counts != NULL && site_counts->n >= rule->min_responses &&
                       !isnan (index) && index < rule->threshold,
                       index, site_counts ? (guint) site_counts->n : 0);
    }
  return TRUE;
}

/* silent-kiosk: each kiosk's last heartbeat (else its registration) against the opening time
 * of its site since then. */
static gboolean
measure_silence (Pass                    *pass,
                 const KioskAlertRuleRow *rule,
                 const char              *site_ids,
                 GPtrArray               *observations,
                 GError                 **error)
{
  const char *params[] = { site_ids };
  g_autoptr(PGresult) result =
    kiosk_db_exec (pass->conn,
                   "SELECT d.id, d.site_id,"
                   " (extract (epoch FROM coalesce (h.received_at, d.created_at)) * 1000000)::bigint "
                   "FROM devices d LEFT JOIN device_health h ON h.device_id = d.id "
                   "WHERE d.site_id = ANY ($1::bigint[]) AND d.retired_at IS NULL",
                   G_N_ELEMENTS (params), params, error);
  gint64 window_us = (gint64) rule->window_minutes * G_TIME_SPAN_MINUTE;

  if (result == NULL)
    return FALSE;
  for (int r = 0; r < PQntuples (result); r++)
    {
      gint64 site_id = g_ascii_strtoll (PQgetvalue (result, r, 1), NULL, 10);
      gint64 last_us = g_ascii_strtoll (PQgetvalue (result, r, 2), NULL, 10);
      KioskDashSite *site = g_hash_table_lookup (pass->sites_by_id, &site_id);
      /* Counted up to a week, for the message's "silent for …". */
      gint64 silent_us = kiosk_dash_open_us (site ? site->hours : NULL, last_us, pass->now_us,
                                             7 * G_TIME_SPAN_DAY);

      add_observation (observations, site_id, PQgetvalue (result, r, 0), silent_us >= window_us,
                       (double) (silent_us / G_TIME_SPAN_MINUTE), 0);
    }
  return TRUE;
}

static gboolean
finish (PGconn   *conn,
        gboolean  ok,
        GError  **error)
{
  if (ok)
    return kiosk_db_run (conn, "COMMIT", error);
  kiosk_db_run (conn, "ROLLBACK", NULL);
  return FALSE;
}

/* What an episode keeps of its site's latest answers, as its jsonb: the top three reasons given
 * on the unhappy side in the window, with their labels in the rule's language, and the latest
 * comments; nothing ("[]") for a silent kiosk. */
static gboolean
episode_details (Pass                    *pass,
                 const KioskAlertRuleRow *rule,
                 const KioskDashSite     *site,
                 char                   **out_reasons,
                 char                   **out_comments,
                 GError                 **error)
{
  g_autofree char *site_id = id_param (site->id);
  g_autofree char *window = g_strdup_printf ("%u", rule->kind == KIOSK_ALERT_HAPPY_INDEX
                                                   ? 0 : rule->window_minutes);
  const char *params[] = { site_id, pass->now, window, site->time_zone };
  g_autoptr(PGresult) reasons = NULL;
  g_autoptr(PGresult) comments = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  if (rule->kind == KIOSK_ALERT_SILENT_KIOSK)
    {
      *out_reasons = g_strdup ("[]");
      *out_comments = g_strdup ("[]");
      return TRUE;
    }
  reasons = kiosk_db_exec (pass->conn,
                           "SELECT r.follow_up_id, o, count (*),"
                           " (array_agg (r.survey_id ORDER BY r.time DESC))[1],"
                           " (array_agg (r.survey_version ORDER BY r.time DESC))[1] "
                           "FROM responses r"
                           " CROSS JOIN LATERAL jsonb_array_elements_text ("
                           "  CASE jsonb_typeof (r.follow_up_selected) WHEN 'array'"
                           "  THEN r.follow_up_selected ELSE '[]' END) o "
                           "WHERE " WINDOW_SQL " AND r.face * 2 < r.scale - 1"
                           " AND r.follow_up_id IS NOT NULL "
                           "GROUP BY 1, 2 ORDER BY 3 DESC, 2 LIMIT 3",
                           G_N_ELEMENTS (params), params, error);
  if (reasons == NULL)
    return FALSE;
  comments = kiosk_db_exec (pass->conn,
                            "SELECT coalesce (jsonb_agg (c ORDER BY t DESC), '[]')::text FROM ("
                            " SELECT r.time AS t, jsonb_build_object ("
                            "  'time', to_char (r.time AT TIME ZONE 'UTC',"
                            "                   'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
                            "  'local_time', to_char (r.local_time, 'YYYY-MM-DD HH24:MI'),"
                            "  'face', r.face, 'scale', r.scale, 'text', r.comment) AS c"
                            " FROM responses r WHERE " WINDOW_SQL
                            " AND r.comment IS NOT NULL AND r.comment <> ''"
                            " ORDER BY r.time DESC LIMIT " G_STRINGIFY (KIOSK_ALERT_COMMENTS)
                            ") x",
                            G_N_ELEMENTS (params), params, error);
  if (comments == NULL)
    return FALSE;

  json_builder_begin_array (builder);
  for (int r = 0; r < PQntuples (reasons); r++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GPtrArray) surveys = g_ptr_array_new_with_free_func (g_object_unref);
      KioskSurvey *survey = kiosk_server_survey_lookup (pass->conn, PQgetvalue (reasons, r, 3),
                                                        atoi (PQgetvalue (reasons, r, 4)),
                                                        &local_error);
      KioskDashReason reason = {
        .follow_up_id = PQgetvalue (reasons, r, 0),
        .option_id = PQgetvalue (reasons, r, 1),
      };
      const char *label;

      if (survey != NULL)
        g_ptr_array_add (surveys, survey);
      label = kiosk_dash_reason_label (surveys, &reason, rule->language);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "follow_up");
      json_builder_add_string_value (builder, reason.follow_up_id);
      json_builder_set_member_name (builder, "option");
      json_builder_add_string_value (builder, reason.option_id);
      json_builder_set_member_name (builder, "label");
      json_builder_add_string_value (builder, label ? label : reason.option_id);
      json_builder_set_member_name (builder, "n");
      json_builder_add_int_value (builder, g_ascii_strtoll (PQgetvalue (reasons, r, 2), NULL, 10));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  *out_reasons = json_to_string (root, FALSE);
  *out_comments = g_strdup (PQgetvalue (comments, 0, 0));
  return TRUE;
}


/* Opens a transaction and runs @sql, which changes one episode and returns a row: the row, the
 * transaction open; else NULL, the transaction ended, *@out_ok FALSE on an error and TRUE when
 * another server made the change a moment ago (no row). */
static PGresult *
begin_change (PGconn              *conn,
              const char          *sql,
              int                  n_params,
              const char * const  *params,
              gboolean            *out_ok,
              GError             **error)
{
  g_autoptr(PGresult) result = NULL;

  *out_ok = FALSE;
  if (!kiosk_db_run (conn, "BEGIN", error))
    return NULL;
  result = kiosk_db_exec (conn, sql, n_params, params, error);
  if (result == NULL)
    {
      finish (conn, FALSE, error);
      return NULL;
    }
  if (PQntuples (result) == 0)
    {
      *out_ok = finish (conn, TRUE, error);
      return NULL;
    }
  return g_steal_pointer (&result);
}

/* Queues the messages of @event, of @rule at @site (and @device_id), in the change's
 * transaction and commits both. */
static gboolean
commit_change (Pass                    *pass,
               const KioskAlertRuleRow *rule,
               const KioskDashSite     *site,
               const char              *device_id,
               KioskAlertEvent         *event,
               GError                 **error)
{
  event->rule = rule;
  event->site = site;
  event->device_id = device_id;
  if (!_kiosk_alerts_queue_messages (pass->conn, pass->config, event, error))
    return finish (pass->conn, FALSE, error);
  if (!finish (pass->conn, TRUE, error))
    return FALSE;
  pass->changed++;
  return TRUE;
}

static gboolean
open_episode (Pass                    *pass,
              const KioskAlertRuleRow *rule,
              const KioskDashSite     *site,
              const Observation       *observation,
              GError                 **error)
{
  g_autofree char *rule_id = id_param (rule->id);
  g_autofree char *site_id = id_param (site->id);
  g_autofree char *value = float_param (observation->value);
  g_autofree char *responses = g_strdup_printf ("%u", observation->responses);
  g_autofree char *reasons = NULL;
  g_autofree char *comments = NULL;
  g_autoptr(PGresult) result = NULL;
  const char *params[8];
  KioskAlertEvent event = { 0 };
  gboolean ok;

  if (!episode_details (pass, rule, site, &reasons, &comments, error))
    return FALSE;
  params[0] = rule_id;
  params[1] = pass->now;
  params[2] = site_id;
  params[3] = observation->device_id;
  params[4] = value;
  params[5] = responses;
  params[6] = reasons;
  params[7] = comments;
  result = begin_change (pass->conn,
                         "INSERT INTO alert_episodes (rule_id, site_id, device_id, opened_at,"
                         " last_held_at, value, peak_value, responses, reasons, comments) "
                         "VALUES ($1::bigint, $3::bigint, $4, " NOW_SQL ", " NOW_SQL ","
                         " $5::float8, $5::float8, $6::int, $7::jsonb, $8::jsonb) "
                         "ON CONFLICT (rule_id, site_id, device_id) WHERE closed_at IS NULL "
                         "DO NOTHING RETURNING id",
                         G_N_ELEMENTS (params), params, &ok, error);
  if (result == NULL)
    return ok;

  event.episode_id = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  event.opened_us = pass->now_us;
  event.value = observation->value;
  event.responses = observation->responses;
  event.reasons_json = reasons;
  event.comments_json = comments;
  if (!commit_change (pass, rule, site, observation->device_id, &event, error))
    return FALSE;
  g_message ("alert %" G_GINT64_FORMAT " opened: rule %s, site %s%s%s", event.episode_id,
             rule->name, site->name, observation->device_id[0] ? ", kiosk " : "",
             observation->device_id);
  return TRUE;
}

static gboolean
still_holds (Pass                    *pass,
             const KioskAlertRuleRow *rule,
             const KioskDashSite     *site,
             const Observation       *observation,
             const OpenEpisode       *episode,
             GError                 **error)
{
  g_autofree char *id = id_param (episode->id);
  g_autofree char *value = float_param (observation->value);
  g_autofree char *reasons = NULL;
  g_autofree char *comments = NULL;
  const char *params[6];
  g_autoptr(PGresult) result = NULL;

  /* A silent kiosk's episode keeps "[]", as it was opened with. */
  if (!episode_details (pass, rule, site, &reasons, &comments, error))
    return FALSE;
  params[0] = id;
  params[1] = pass->now;
  params[2] = value;
  params[3] = reasons;
  params[4] = comments;
  params[5] = rule->kind == KIOSK_ALERT_HAPPY_INDEX ? "t" : "f";
  /* The peak is the worst the figure was: the lowest index, else the highest. */
  result = kiosk_db_exec (pass->conn,
                          "UPDATE alert_episodes SET last_held_at = " NOW_SQL ","
                          " peak_value = CASE WHEN $6::boolean"
                          "  THEN least (peak_value, $3::float8)"
                          "  ELSE greatest (peak_value, $3::float8) END,"
                          " reasons = coalesce ($4::jsonb, reasons),"
                          " comments = coalesce ($5::jsonb, comments) "
                          "WHERE id = $1::bigint AND closed_at IS NULL",
                          G_N_ELEMENTS (params), params, error);
  return result != NULL;
}

static gboolean
close_episode (Pass                    *pass,
               const KioskAlertRuleRow *rule,
               const KioskDashSite     *site,
               const char              *device_id,
               const OpenEpisode       *episode,
               GError                 **error)
{
  g_autofree char *id = id_param (episode->id);
  const char *params[] = { id, pass->now };
  g_autoptr(PGresult) result = NULL;
  KioskAlertEvent event = { 0 };
  gboolean ok;

  result = begin_change (pass->conn,
                         "UPDATE alert_episodes SET closed_at = " NOW_SQL " "
                         "WHERE id = $1::bigint AND closed_at IS NULL "
                         "RETURNING coalesce (peak_value, 'NaN'), responses, reasons::text,"
                         " comments::text",
                         G_N_ELEMENTS (params), params, &ok, error);
  if (result == NULL)
    return ok;

  event.episode_id = episode->id;
  event.opened_us = episode->opened_us;
  event.closed_us = pass->now_us;
  event.value = g_ascii_strtod (PQgetvalue (result, 0, 0), NULL);
  event.responses = (guint) atoi (PQgetvalue (result, 0, 1));
  event.reasons_json = PQgetvalue (result, 0, 2);
  event.comments_json = PQgetvalue (result, 0, 3);
  if (!commit_change (pass, rule, site, device_id, &event, error))
    return FALSE;
  g_message ("alert %" G_GINT64_FORMAT " closed: rule %s, site %s", episode->id, rule->name,
             site->name);
  return TRUE;
}

static GHashTable *
load_open_episodes (PGconn  *conn,
                    GError **error)
{
  g_autoptr(PGresult) result =
    kiosk_db_exec (conn, "SELECT rule_id, site_id, device_id, id,"
                   " (extract (epoch FROM last_held_at) * 1000000)::bigint,"
                   " (extract (epoch FROM opened_at) * 1000000)::bigint "
                   "FROM alert_episodes WHERE closed_at IS NULL", 0, NULL, error);
  GHashTable *open;

  if (result == NULL)
    return NULL;
  open = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (int r = 0; r < PQntuples (result); r++)
    {
      OpenEpisode *episode = g_new0 (OpenEpisode, 1);

      episode->id = g_ascii_strtoll (PQgetvalue (result, r, 3), NULL, 10);
      episode->last_held_us = g_ascii_strtoll (PQgetvalue (result, r, 4), NULL, 10);
      episode->opened_us = g_ascii_strtoll (PQgetvalue (result, r, 5), NULL, 10);
      g_hash_table_insert (open,
                           episode_key (g_ascii_strtoll (PQgetvalue (result, r, 0), NULL, 10),
                                        g_ascii_strtoll (PQgetvalue (result, r, 1), NULL, 10),
                                        PQgetvalue (result, r, 2)),
                           episode);
    }
  return open;
}

static gboolean
evaluate_rule (Pass                    *pass,
               const KioskAlertRuleRow *rule,
               GError                 **error)
{
  g_autofree char *site_ids = rule_sites (rule, pass->sites, pass->only_site);
  g_autoptr(GPtrArray) observations =
    g_ptr_array_new_with_free_func ((GDestroyNotify) observation_free);
  gint64 window_us = (gint64) rule->window_minutes * G_TIME_SPAN_MINUTE;
  gboolean ok;

  switch (rule->kind)
    {
    case KIOSK_ALERT_UNHAPPY_SHARE:
    case KIOSK_ALERT_VERY_UNHAPPY_COUNT:
      ok = measure_window (pass, rule, site_ids, observations, error);
      break;
    case KIOSK_ALERT_HAPPY_INDEX:
      ok = measure_day (pass, rule, site_ids, observations, error);
      break;
    case KIOSK_ALERT_SILENT_KIOSK:
    case KIOSK_ALERT_N_KINDS:
    default:
      ok = measure_silence (pass, rule, site_ids, observations, error);
      break;
    }
  if (!ok)
    return FALSE;

  for (guint i = 0; i < observations->len; i++)
    {
      Observation *observation = g_ptr_array_index (observations, i);
      g_autofree char *key = episode_key (rule->id, observation->site_id,
                                          observation->device_id);
      OpenEpisode *episode = g_hash_table_lookup (pass->open, key);
      KioskDashSite *site = g_hash_table_lookup (pass->sites_by_id, &observation->site_id);

      if (site == NULL)
        continue;
      if (episode != NULL)
        episode->seen = TRUE;
      if (observation->holds && episode == NULL)
        ok = open_episode (pass, rule, site, observation, error);
      else if (observation->holds)
        ok = still_holds (pass, rule, site, observation, episode, error);
      else if (episode != NULL && pass->now_us - episode->last_held_us >= window_us)
        ok = close_episode (pass, rule, site, observation->device_id, episode, error);
      if (!ok)
        return FALSE;
    }

  /* A whole pass also closes what the rule no longer watches: a kiosk retired, a site moved
   * out of the group. */
  if (pass->only_site == 0)
    {
      GHashTableIter iter;
      gpointer key, value;
      g_autofree char *prefix = g_strdup_printf ("%" G_GINT64_FORMAT ":", rule->id);

      g_hash_table_iter_init (&iter, pass->open);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          OpenEpisode *episode = value;
          g_auto(GStrv) parts = NULL;
          gint64 site_id;
          KioskDashSite *site;

          if (!g_str_has_prefix (key, prefix) || episode->seen ||
              pass->now_us - episode->last_held_us < window_us)
            continue;
          parts = g_strsplit (key, ":", 3);
          site_id = g_ascii_strtoll (parts[1], NULL, 10);
          site = g_hash_table_lookup (pass->sites_by_id, &site_id);
          if (site != NULL &&
              !close_episode (pass, rule, site, parts[2], episode, error))
            return FALSE;
        }
    }
  return TRUE;
}

gboolean
kiosk_alerts_evaluate (PGconn                  *conn,
                       const KioskServerConfig *config,
                       gint64                   site_id,
                       gint64                   now_us,
                       guint                   *out_changed,
                       GError                 **error)
{
  /* A poke reads its one site (the dashboard's restriction to a user's sites does it), a whole
   * pass every site: many pokes a second must not each parse every site's opening hours. */
  g_autoptr(GArray) only = g_array_new (FALSE, FALSE, sizeof (gint64));
  KioskDashUser reader = { .admin = site_id == 0, .site_ids = site_id != 0 ? only : NULL };
  g_autoptr(GPtrArray) rules = NULL;
  g_autoptr(GPtrArray) sites = NULL;
  g_autoptr(GHashTable) sites_by_id = NULL;
  g_autoptr(GHashTable) open = NULL;
  g_autofree char *now = g_strdup_printf ("%" G_GINT64_FORMAT, now_us);
  Pass pass = { 0 };

  if (out_changed != NULL)
    *out_changed = 0;
  /* A disabled rule's open episodes end quietly: nobody asked to hear of them any more. */
  if (site_id == 0)
    {
      const char *params[] = { now };
      g_autoptr(PGresult) result =
        kiosk_db_exec (conn, "UPDATE alert_episodes e SET closed_at ="
                       " 'epoch'::timestamptz + $1::bigint * interval '1 microsecond' "
                       "FROM alert_rules r WHERE r.id = e.rule_id AND NOT r.enabled"
                       " AND e.closed_at IS NULL", G_N_ELEMENTS (params), params, error);

      if (result == NULL)
        return FALSE;
    }

  rules = load_rules (conn, site_id, error);
  if (rules == NULL)
    return FALSE;
  if (rules->len == 0)
    return TRUE;
  g_array_append_val (only, site_id);
  sites = kiosk_dash_data_sites (conn, &reader, error);
  if (sites == NULL)
    return FALSE;
  sites_by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < sites->len; i++)
    {
      KioskDashSite *site = g_ptr_array_index (sites, i);

      g_hash_table_insert (sites_by_id, &site->id, site);
    }
  open = load_open_episodes (conn, error);
  if (open == NULL)
    return FALSE;

  pass = (Pass) { conn, config, sites, sites_by_id, open, site_id, now, now_us, 0 };
  for (guint i = 0; i < rules->len; i++)
    if (!evaluate_rule (&pass, g_ptr_array_index (rules, i), error))
      return FALSE;

  if (out_changed != NULL)
    *out_changed = pass.changed;
  return TRUE;
}
