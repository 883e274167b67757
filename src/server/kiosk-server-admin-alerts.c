/* kiosk-server-admin-alerts.c: `smiley-kiosk-server alert …`, the alert rules from the command
 * line, as the dashboard's Alert rules page edits them (both go through kiosk_alert_rule_save). */
#define G_LOG_DOMAIN "kiosk-server-admin"

#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk-server-admin-private.h"
#include "kiosk-server-alerts.h"
#include "kiosk-server-db.h"

static const char usage[] =
  "usage: smiley-kiosk-server alert add NAME --kind KIND (--site SITE | --group GROUP)\n"
  "              [--threshold N] [--window MINUTES] [--min-responses N]\n"
  "              [--email ADDRESS]… [--webhook URL] [--webhook-format FORMAT]\n"
  "              [--language CODE] [--disabled]\n"
  "       smiley-kiosk-server alert set NAME [the options of add; --email replaces the list,\n"
  "              --no-email and --no-webhook remove them, --enabled, --disabled]\n"
  "       smiley-kiosk-server alert list\n"
  "       smiley-kiosk-server alert remove NAME\n"
  "       smiley-kiosk-server alert history [--site SITE] [--open]\n"
  "       smiley-kiosk-server alert acknowledge ID [--comment TEXT] [--by NAME]\n"
  "       smiley-kiosk-server alert evaluate\n"
  "KIND: unhappy-share, happy-index, very-unhappy-count or silent-kiosk\n"
  "FORMAT: json, slack, mattermost, discord, teams or google-chat\n";

static gboolean
parse_number (const char *option,
              const char *text,
              double     *out)
{
  char *end = NULL;
  double value;

  if (text == NULL)
    return TRUE;
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (value))
    {
      g_printerr ("smiley-kiosk-server: --%s: “%s” is not a number\n", option, text);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

static gboolean
parse_whole (const char *option,
             const char *text,
             guint      *out)
{
  guint64 value;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &value, NULL))
    {
      g_printerr ("smiley-kiosk-server: --%s: “%s” is not a whole number\n", option, text);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

/* Applies the options of add and set to @rule; FALSE (after a message) on a value that is not
 * even of the right type. The rest is kiosk_alert_rule_check()'s. */
static gboolean
apply_options (KioskAlertRule *rule,
               Args           *args)
{
  GPtrArray *emails = g_hash_table_lookup (args->values, "email");
  double threshold = rule->threshold;
  const char *value;

  if ((value = _kiosk_admin_arg (args, "site")) != NULL)
    {
      g_free (rule->site);
      rule->site = g_strdup (value);
      g_clear_pointer (&rule->group, g_free);
    }
  if ((value = _kiosk_admin_arg (args, "group")) != NULL)
    {
      g_free (rule->group);
      rule->group = g_strdup (value);
      if (_kiosk_admin_arg (args, "site") == NULL)
        g_clear_pointer (&rule->site, g_free);
    }
  if (!parse_number ("threshold", _kiosk_admin_arg (args, "threshold"), &threshold) ||
      !parse_whole ("window", _kiosk_admin_arg (args, "window"), &rule->window_minutes) ||
      !parse_whole ("min-responses", _kiosk_admin_arg (args, "min-responses"),
                    &rule->min_responses))
    return FALSE;
  rule->threshold = threshold;
  if (emails != NULL || _kiosk_admin_arg (args, "no-email") != NULL)
    g_ptr_array_set_size (rule->emails, 0);
  for (guint i = 0; emails != NULL && i < emails->len; i++)
    g_ptr_array_add (rule->emails, g_strdup (g_ptr_array_index (emails, i)));
  if ((value = _kiosk_admin_arg (args, "webhook")) != NULL)
    {
      g_free (rule->webhook_url);
      rule->webhook_url = g_strdup (value);
    }
  if (_kiosk_admin_arg (args, "no-webhook") != NULL)
    g_clear_pointer (&rule->webhook_url, g_free);
  if ((value = _kiosk_admin_arg (args, "webhook-format")) != NULL)
    {
      g_free (rule->webhook_format);
      rule->webhook_format = g_strdup (value);
    }
  if ((value = _kiosk_admin_arg (args, "language")) != NULL)
    {
      g_free (rule->language);
      rule->language = g_strdup (value);
    }
  if (_kiosk_admin_arg (args, "disabled") != NULL)
    rule->enabled = FALSE;
  if (_kiosk_admin_arg (args, "enabled") != NULL)
    rule->enabled = TRUE;
  return TRUE;
}

static int
save (PGconn     *conn,
      const char *name,
      Args       *args,
      gboolean    replace)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskAlertRule) rule = NULL;
  KioskAlertKind kind = KIOSK_ALERT_UNHAPPY_SHARE;
  const char *kind_text = _kiosk_admin_arg (args, "kind");

  if (kind_text != NULL && !kiosk_alert_kind_from_string (kind_text, &kind))
    {
      g_printerr ("smiley-kiosk-server: --kind: “%s” is not unhappy-share, happy-index, "
                  "very-unhappy-count or silent-kiosk\n", kind_text);
      return EXIT_USAGE;
    }
  if (replace)
    {
      rule = kiosk_alert_rule_load (conn, name, &error);
      if (rule == NULL)
        return _kiosk_admin_fail (error);
      if (kind_text != NULL && kind != rule->kind)
        {
          /* Another kind's threshold means something else: start from its defaults. */
          g_autoptr(KioskAlertRule) fresh = kiosk_alert_rule_new (kind);

          rule->kind = kind;
          rule->threshold = fresh->threshold;
          rule->window_minutes = fresh->window_minutes;
          rule->min_responses = fresh->min_responses;
        }
    }
  else
    {
      if (kind_text == NULL)
        {
          g_printerr ("smiley-kiosk-server: alert add: --kind is required (unhappy-share, "
                      "happy-index, very-unhappy-count or silent-kiosk)\n");
          return EXIT_USAGE;
        }
      rule = kiosk_alert_rule_new (kind);
      rule->name = g_strdup (name);
    }
  if (!apply_options (rule, args))
    return EXIT_USAGE;
  if (!kiosk_alert_rule_save (conn, rule, replace, &error))
    {
      g_autofree char *indented = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_error_matches (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_INVALID))
        return _kiosk_admin_fail (error);
      lines = g_strsplit (error->message, "\n", -1);
      for (guint i = 0; lines[i]; i++)
        g_printerr ("smiley-kiosk-server: alert %s: %s\n", replace ? "set" : "add", lines[i]);
      return EXIT_USAGE;
    }
  g_print ("Alert rule %s %s.\n", name, replace ? "changed" : "added");
  if (rule->emails->len == 0 && rule->webhook_url == NULL)
    g_print ("It has no --email and no --webhook: its alerts show on the dashboard only.\n");
  return 0;
}

static int
history (PGconn *conn,
         Args   *args)
{
  const char *params[] = { _kiosk_admin_arg (args, "site"),
                           _kiosk_admin_arg (args, "open") ? "t" : "f" };

  return _kiosk_admin_list (conn,
           "SELECT e.id, r.name AS rule, s.name AS site, e.device_id AS kiosk,"
           " to_char (e.opened_at AT TIME ZONE s.time_zone, 'YYYY-MM-DD HH24:MI') AS opened,"
           " coalesce (to_char (e.closed_at AT TIME ZONE s.time_zone, 'YYYY-MM-DD HH24:MI'), "
           "  'open') AS closed,"
           " coalesce (round (e.value::numeric, 1)::text, '') AS value, e.responses,"
           " coalesce (e.acknowledged_by || ': ' || coalesce (e.ack_comment, ''), '') "
           "  AS acknowledged "
           "FROM alert_episodes e JOIN alert_rules r ON r.id = e.rule_id"
           " JOIN sites s ON s.id = e.site_id "
           "WHERE ($1::text IS NULL OR s.name = $1) AND (NOT $2::boolean OR e.closed_at IS NULL) "
           "ORDER BY e.opened_at DESC, e.id DESC LIMIT 200",
           G_N_ELEMENTS (params), params);
}

int
kiosk_server_admin_alert (PGconn                  *conn,
                          const KioskServerConfig *config,
                          int                      argc,
                          char                   **argv)
{
  static const char * const options[] = { "kind", "site", "group", "threshold", "window",
                                          "min-responses", "email", "webhook", "webhook-format",
                                          "language", "comment", "by", NULL };
  static const char * const flags[] = { "disabled", "enabled", "no-email", "no-webhook", "open",
                                        NULL };
  g_auto(Args) args = { 0 };
  g_autoptr(GError) error = NULL;
  const char *command;

  if (argc < 1 || !_kiosk_admin_parse_args (argc - 1, argv + 1, options, flags, &args))
    goto usage;
  command = argv[0];

  if (strcmp (command, "list") == 0 && args.positional->len == 0)
    return _kiosk_admin_list (conn,
             "SELECT r.name, r.kind, coalesce ('site ' || s.name, 'group ' || g.name) AS watches,"
             " CASE r.kind WHEN 'silent-kiosk' THEN '' ELSE r.threshold::text END AS threshold,"
             " r.window_minutes AS window, r.min_responses,"
             " array_to_string (r.emails, ' ') AS emails,"
             " coalesce (r.webhook_format || ' ' || r.webhook_url, '') AS webhook, r.language,"
             " CASE WHEN r.enabled THEN 'yes' ELSE 'no' END AS enabled,"
             " (SELECT count (*) FROM alert_episodes e WHERE e.rule_id = r.id"
             "  AND e.closed_at IS NULL) AS open "
             "FROM alert_rules r LEFT JOIN sites s ON s.id = r.site_id"
             " LEFT JOIN site_groups g ON g.id = r.group_id ORDER BY r.name",
             0, NULL);
  if ((strcmp (command, "add") == 0 || strcmp (command, "set") == 0) &&
      args.positional->len == 1)
    return save (conn, g_ptr_array_index (args.positional, 0), &args,
                 strcmp (command, "set") == 0);
  if (strcmp (command, "remove") == 0 && args.positional->len == 1)
    {
      const char *name = g_ptr_array_index (args.positional, 0);

      if (!kiosk_alert_rule_remove (conn, name, &error))
        return _kiosk_admin_fail (error);
      g_print ("Alert rule %s and its history removed.\n", name);
      return 0;
    }
  if (strcmp (command, "history") == 0 && args.positional->len == 0)
    return history (conn, &args);
  if (strcmp (command, "acknowledge") == 0 && args.positional->len == 1)
    {
      const char *id = g_ptr_array_index (args.positional, 0);
      const char *by = _kiosk_admin_arg (&args, "by");
      guint64 episode;

      if (!g_ascii_string_to_unsigned (id, 10, 1, G_MAXINT64, &episode, NULL))
        {
          g_printerr ("smiley-kiosk-server: alert acknowledge: “%s” is not an alert's number "
                      "(see: alert history)\n", id);
          return EXIT_USAGE;
        }
      if (!kiosk_alert_acknowledge (conn, (gint64) episode, by ? by : g_get_user_name (),
                                    _kiosk_admin_arg (&args, "comment"), &error))
        return _kiosk_admin_fail (error);
      g_print ("Alert %s acknowledged.\n", id);
      return 0;
    }
  if (strcmp (command, "evaluate") == 0 && args.positional->len == 0)
    {
      guint changed = 0;

      /* Messages are queued; the running server's outbox sends them. */
      if (!kiosk_alerts_evaluate (conn, config, 0, g_get_real_time (), &changed, &error))
        return _kiosk_admin_fail (error);
      g_print ("%u alert%s opened or closed.\n", changed, changed == 1 ? "" : "s");
      return 0;
    }

usage:
  g_printerr ("%s", usage);
  return EXIT_USAGE;
}
