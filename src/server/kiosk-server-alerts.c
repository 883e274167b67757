/* kiosk-server-alerts.c: alert rules, their checks and storage, and acknowledgements. The
 * evaluation that opens and closes episodes is in kiosk-server-alerts-evaluate.c, the thread that
 * runs it in kiosk-server-alerts-thread.c, the messages in kiosk-server-alerts-message.c. */
#define G_LOG_DOMAIN "kiosk-server-alerts"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk-dash-server.h"
#include "kiosk-server-alerts-private.h"
#include "kiosk-server-db.h"
#include "kiosk-server-delivery.h"

G_DEFINE_QUARK (kiosk-alert-error-quark, kiosk_alert_error)

static const char * const kind_names[KIOSK_ALERT_N_KINDS] = {
  [KIOSK_ALERT_UNHAPPY_SHARE] = "unhappy-share",
  [KIOSK_ALERT_HAPPY_INDEX] = "happy-index",
  [KIOSK_ALERT_VERY_UNHAPPY_COUNT] = "very-unhappy-count",
  [KIOSK_ALERT_SILENT_KIOSK] = "silent-kiosk",
};

const char *
kiosk_alert_kind_to_string (KioskAlertKind kind)
{
  return (guint) kind < KIOSK_ALERT_N_KINDS ? kind_names[kind] : NULL;
}

gboolean
kiosk_alert_kind_from_string (const char     *text,
                              KioskAlertKind *out_kind)
{
  for (guint k = 0; k < KIOSK_ALERT_N_KINDS; k++)
    if (g_strcmp0 (text, kind_names[k]) == 0)
      {
        *out_kind = k;
        return TRUE;
      }
  return FALSE;
}

KioskAlertRule *
kiosk_alert_rule_new (KioskAlertKind kind)
{
  KioskAlertRule *rule = g_new0 (KioskAlertRule, 1);

  rule->kind = kind;
  rule->emails = g_ptr_array_new_with_free_func (g_free);
  rule->webhook_format = g_strdup ("json");
  rule->language = g_strdup ("en");
  rule->enabled = TRUE;
  rule->min_responses = 4;
  rule->window_minutes = 15;
  switch (kind)
    {
    case KIOSK_ALERT_UNHAPPY_SHARE:
      /* HappyOrNot's recommended alert: half of at least four responses within 15 minutes. */
      rule->threshold = 50;
      break;
    case KIOSK_ALERT_VERY_UNHAPPY_COUNT:
      rule->threshold = 3;
      break;
    case KIOSK_ALERT_HAPPY_INDEX:
      rule->threshold = 70;
      rule->min_responses = 20;
      rule->window_minutes = 60;
      break;
    case KIOSK_ALERT_SILENT_KIOSK:
    case KIOSK_ALERT_N_KINDS:
    default:
      rule->threshold = 0;
      rule->min_responses = 1;
      break;
    }
  return rule;
}

void
kiosk_alert_rule_free (KioskAlertRule *rule)
{
  if (rule == NULL)
    return;
  g_free (rule->name);
  g_free (rule->site);
  g_free (rule->group);
  g_clear_pointer (&rule->emails, g_ptr_array_unref);
  g_free (rule->webhook_url);
  g_free (rule->webhook_format);
  g_free (rule->language);
  g_free (rule);
}

/* A webhook goes over TLS unless it stays on this machine, as mail does ([mail] starttls). */
static void
check_webhook (const char *url,
               GString    *problems)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;

  if (uri == NULL || scheme == NULL || g_uri_get_host (uri) == NULL ||
      g_uri_get_host (uri)[0] == '\0' ||
      (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0))
    kiosk_server_add_problem (problems,
                              "webhook: “%s” is not an http:// or https:// URL", url);
  else if (g_ascii_strcasecmp (scheme, "http") == 0 &&
           !kiosk_server_host_is_loopback (g_uri_get_host (uri)))
    kiosk_server_add_problem (problems,
                              "webhook: “%s” would cross the network in clear text: use https:// "
                              "(http:// only for a receiver on this machine)", url);
}

gboolean
kiosk_alert_rule_check (const KioskAlertRule *rule,
                        GError              **error)
{
  g_autoptr(GString) problems = g_string_new (NULL);

  if (!kiosk_server_name_is_valid (rule->name))
    kiosk_server_add_problem (problems,
                              "name: “%s” is not 1 to 64 letters, digits, “.”, “_” or “-”, "
                              "starting with a letter or digit", rule->name ? rule->name : "");
  if ((guint) rule->kind >= KIOSK_ALERT_N_KINDS)
    kiosk_server_add_problem (problems,
                              "kind: not one of unhappy-share, happy-index, very-unhappy-count, "
                              "silent-kiosk");
  if ((rule->site == NULL || rule->site[0] == '\0') == (rule->group == NULL || rule->group[0] == '\0'))
    kiosk_server_add_problem (problems,
                              "site, group: a rule watches one site or one group: give exactly "
                              "one");

  if (isnan (rule->threshold))
    kiosk_server_add_problem (problems, "threshold: not a number");
  else
    switch (rule->kind)
      {
      case KIOSK_ALERT_UNHAPPY_SHARE:
        if (rule->threshold <= 0 || rule->threshold > 100)
          kiosk_server_add_problem (problems,
                                    "threshold: %g is not a percentage of unhappy responses (above "
                                    "0, at most 100)", rule->threshold);
        break;
      case KIOSK_ALERT_HAPPY_INDEX:
        if (rule->threshold <= 0 || rule->threshold > 100)
          kiosk_server_add_problem (problems,
                                    "threshold: %g is not a Happy Index to stay above (above 0, at "
                                    "most 100)", rule->threshold);
        break;
      case KIOSK_ALERT_VERY_UNHAPPY_COUNT:
        if (rule->threshold < 1 || rule->threshold > 100000 ||
            rule->threshold != floor (rule->threshold))
          kiosk_server_add_problem (problems,
                                    "threshold: %g is not a count of very unhappy responses (a "
                                    "whole number from 1 to 100000)", rule->threshold);
        break;
      case KIOSK_ALERT_SILENT_KIOSK:
        if (rule->threshold != 0)
          kiosk_server_add_problem (problems,
                                    "threshold: a silent-kiosk rule has none (its window is the "
                                    "silence that alerts)");
        break;
      case KIOSK_ALERT_N_KINDS:
      default:
        break;
      }
  if (rule->window_minutes < 1 || rule->window_minutes > 1440)
    kiosk_server_add_problem (problems,
                              "window: %u minutes is not from 1 to 1440 (a day)",
                              rule->window_minutes);
  if (rule->min_responses < 1 || rule->min_responses > 100000)
    kiosk_server_add_problem (problems,
                              "min-responses: %u is not from 1 to 100000", rule->min_responses);

  for (guint i = 0; rule->emails != NULL && i < rule->emails->len; i++)
    {
      const char *address = g_ptr_array_index (rule->emails, i);

      if (!kiosk_server_email_is_valid (address))
        kiosk_server_add_problem (problems,
                                  "email: “%s” is not an e-mail address", address);
    }
  if (rule->webhook_url != NULL && rule->webhook_url[0] != '\0')
    check_webhook (rule->webhook_url, problems);
  if (!kiosk_delivery_format_is_valid (rule->webhook_format))
    kiosk_server_add_problem (problems,
                              "webhook-format: “%s” is not one of json, slack, mattermost, "
                              "discord, teams, google-chat",
                              rule->webhook_format ? rule->webhook_format : "");
  if (kiosk_dash_language_lookup (rule->language) == NULL)
    kiosk_server_add_problem (problems,
                              "language: “%s” is not a language of the messages (en or one of "
                              "po/LINGUAS: %s)",
                              rule->language ? rule->language : "", KIOSK_DASH_LINGUAS);

  if (problems->len > 0)
    {
      g_set_error_literal (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_INVALID, problems->str);
      return FALSE;
    }
  return TRUE;
}

/* "{a,b}" with each element quoted for a text[] parameter. */
char *
_kiosk_alerts_text_array (GPtrArray *items)
{
  g_autoptr(GString) out = g_string_new ("{");

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      const char *item = g_ptr_array_index (items, i);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, '"');
      for (const char *p = item; *p; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  g_string_append_c (out, '}');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Parses a text[] value as PostgreSQL prints it ({a,"b c"}). */
GPtrArray *
_kiosk_alerts_parse_text_array (const char *text)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_free);
  const char *p = text;

  if (p == NULL || *p != '{')
    return items;
  p++;
  while (*p && *p != '}')
    {
      g_autoptr(GString) item = g_string_new (NULL);

      if (*p == '"')
        {
          for (p++; *p && *p != '"'; p++)
            {
              if (*p == '\\' && p[1])
                p++;
              g_string_append_c (item, *p);
            }
          if (*p == '"')
            p++;
        }
      else
        while (*p && *p != ',' && *p != '}')
          g_string_append_c (item, *p++);
      g_ptr_array_add (items, g_string_free (g_steal_pointer (&item), FALSE));
      if (*p == ',')
        p++;
    }
  return items;
}

gboolean
kiosk_alert_rule_save (PGconn               *conn,
                       const KioskAlertRule *rule,
                       gboolean              replace,
                       GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PGresult) scope = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autofree char *threshold = NULL;
  g_autofree char *window = g_strdup_printf ("%u", rule->window_minutes);
  g_autofree char *min = g_strdup_printf ("%u", rule->min_responses);
  g_autofree char *emails = NULL;
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  const char *scope_name = rule->site ? rule->site : rule->group;
  const char *params[13];

  if (!kiosk_alert_rule_check (rule, error))
    return FALSE;

  scope = kiosk_db_exec (conn, rule->site ? "SELECT id FROM sites WHERE name = $1"
                                          : "SELECT id FROM site_groups WHERE name = $1",
                         1, &scope_name, error);
  if (scope == NULL)
    return FALSE;
  if (PQntuples (scope) == 0)
    {
      g_set_error (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_UNKNOWN,
                   rule->site ? "site: no site is called “%s” (see: site list)"
                              : "group: no group is called “%s” (see: group list)", scope_name);
      return FALSE;
    }

  threshold = g_strdup (g_ascii_dtostr (buffer, sizeof buffer, rule->threshold));
  emails = _kiosk_alerts_text_array (rule->emails);
  params[0] = rule->name;
  params[1] = kiosk_alert_kind_to_string (rule->kind);
  params[2] = rule->site ? PQgetvalue (scope, 0, 0) : NULL;
  params[3] = rule->group ? PQgetvalue (scope, 0, 0) : NULL;
  params[4] = threshold;
  params[5] = window;
  params[6] = min;
  params[7] = emails;
  params[8] = rule->webhook_url && rule->webhook_url[0] ? rule->webhook_url : NULL;
  params[9] = rule->webhook_format;
  params[10] = kiosk_dash_language_lookup (rule->language);
  params[11] = rule->enabled ? "true" : "false";
  result = kiosk_db_exec (conn, replace
                          ? "UPDATE alert_rules SET kind = $2, site_id = $3::bigint, "
                            " group_id = $4::bigint, threshold = $5::float8, "
                            " window_minutes = $6::int, min_responses = $7::int, "
                            " emails = $8::text[], webhook_url = $9, webhook_format = $10, "
                            " language = $11, enabled = $12::boolean WHERE name = $1"
                          : "INSERT INTO alert_rules (name, kind, site_id, group_id, threshold, "
                            " window_minutes, min_responses, emails, webhook_url, "
                            " webhook_format, language, enabled) "
                            "VALUES ($1, $2, $3::bigint, $4::bigint, $5::float8, $6::int, "
                            " $7::int, $8::text[], $9, $10, $11, $12::boolean)",
                          12, params, &local_error);
  if (result == NULL)
    {
      if (g_error_matches (local_error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONFLICT))
        g_set_error (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_EXISTS,
                     "name: a rule called “%s” exists already", rule->name);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (replace && g_strcmp0 (PQcmdTuples (result), "0") == 0)
    {
      g_set_error (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_UNKNOWN,
                   "name: no rule is called “%s” (see: alert list)", rule->name);
      return FALSE;
    }
  return TRUE;
}

KioskAlertRule *
kiosk_alert_rule_load (PGconn      *conn,
                       const char  *name,
                       GError     **error)
{
  g_autoptr(PGresult) result =
    kiosk_db_exec (conn, "SELECT r.kind, s.name, g.name, r.threshold, r.window_minutes, "
                   " r.min_responses, r.emails, r.webhook_url, r.webhook_format, r.language, "
                   " r.enabled "
                   "FROM alert_rules r LEFT JOIN sites s ON s.id = r.site_id "
                   "LEFT JOIN site_groups g ON g.id = r.group_id WHERE r.name = $1",
                   1, &name, error);
  KioskAlertRule *rule;
  KioskAlertKind kind;

  if (result == NULL)
    return NULL;
  if (PQntuples (result) == 0 || !kiosk_alert_kind_from_string (PQgetvalue (result, 0, 0), &kind))
    {
      g_set_error (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_UNKNOWN,
                   "no rule is called “%s” (see: alert list)", name);
      return NULL;
    }
  rule = kiosk_alert_rule_new (kind);
  rule->name = g_strdup (name);
  rule->site = PQgetisnull (result, 0, 1) ? NULL : g_strdup (PQgetvalue (result, 0, 1));
  rule->group = PQgetisnull (result, 0, 2) ? NULL : g_strdup (PQgetvalue (result, 0, 2));
  rule->threshold = g_ascii_strtod (PQgetvalue (result, 0, 3), NULL);
  rule->window_minutes = (guint) atoi (PQgetvalue (result, 0, 4));
  rule->min_responses = (guint) atoi (PQgetvalue (result, 0, 5));
  g_ptr_array_unref (rule->emails);
  rule->emails = _kiosk_alerts_parse_text_array (PQgetvalue (result, 0, 6));
  rule->webhook_url = PQgetisnull (result, 0, 7) ? NULL : g_strdup (PQgetvalue (result, 0, 7));
  g_free (rule->webhook_format);
  rule->webhook_format = g_strdup (PQgetvalue (result, 0, 8));
  g_free (rule->language);
  rule->language = g_strdup (PQgetvalue (result, 0, 9));
  rule->enabled = g_str_equal (PQgetvalue (result, 0, 10), "t");
  return rule;
}

gboolean
kiosk_alert_rule_remove (PGconn      *conn,
                         const char  *name,
                         GError     **error)
{
  g_autoptr(PGresult) result =
    kiosk_db_exec (conn, "DELETE FROM alert_rules WHERE name = $1", 1, &name, error);

  if (result == NULL)
    return FALSE;
  if (g_strcmp0 (PQcmdTuples (result), "0") == 0)
    {
      g_set_error (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_UNKNOWN,
                   "no rule is called “%s” (see: alert list)", name);
      return FALSE;
    }
  return TRUE;
}

gboolean
kiosk_alert_acknowledge (PGconn      *conn,
                         gint64       episode_id,
                         const char  *user_name,
                         const char  *comment,
                         GError     **error)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, episode_id);
  const char *params[] = { id, user_name, comment ? comment : "" };
  g_autoptr(PGresult) result = NULL;
  g_autoptr(PGresult) exists = NULL;

  if (comment != NULL && (!g_utf8_validate (comment, -1, NULL) ||
                          g_utf8_strlen (comment, -1) > KIOSK_ALERT_ACK_MAX_CHARS))
    {
      g_set_error (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_INVALID,
                   "comment: longer than %d characters", KIOSK_ALERT_ACK_MAX_CHARS);
      return FALSE;
    }
  result = kiosk_db_exec (conn,
                          "UPDATE alert_episodes SET acknowledged_at = now(), "
                          " acknowledged_by = $2, ack_comment = nullif ($3, '') "
                          "WHERE id = $1::bigint AND acknowledged_at IS NULL",
                          G_N_ELEMENTS (params), params, error);
  if (result == NULL)
    return FALSE;
  if (g_strcmp0 (PQcmdTuples (result), "1") == 0)
    return TRUE;
  exists = kiosk_db_exec (conn, "SELECT acknowledged_by FROM alert_episodes WHERE id = $1::bigint",
                          1, params, error);
  if (exists == NULL)
    return FALSE;
  if (PQntuples (exists) == 0)
    g_set_error (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_UNKNOWN,
                 "no alert %" G_GINT64_FORMAT, episode_id);
  else
    g_set_error (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_EXISTS,
                 "alert %" G_GINT64_FORMAT " was acknowledged already by %s", episode_id,
                 PQgetvalue (exists, 0, 0));
  return FALSE;
}
