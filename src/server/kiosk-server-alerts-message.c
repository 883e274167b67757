/* kiosk-server-alerts-message.c: what an episode's opening and closing say, by mail and by
 * webhook, in the rule's language: the figure that made the rule hold, the rule itself, the
 * times on the site's clock, the top reasons and the latest comments. The webhook's "json"
 * format is the event as docs/alerts.md describes it; the chat formats carry the mail's text. */
#define G_LOG_DOMAIN "kiosk-server-alerts"

#include <json-glib/json-glib.h>
#include <math.h>

#include "kiosk-dash-server.h"
#include "kiosk-server-alerts-private.h"
#include "kiosk-server-delivery.h"

char *
_kiosk_alerts_describe (const KioskAlertRuleRow *rule,
                        const char              *language,
                        const char              *device_id,
                        double                   value,
                        guint                    responses)
{
  int rounded = isnan (value) ? 0 : (int) lround (value);

  switch (rule->kind)
    {
    case KIOSK_ALERT_UNHAPPY_SHARE:
      /* Translators: %d%% the share of unhappy responses, then minutes and the number of
       * responses, e.g. "62% unhappy within 15 min (n = 8)" */
      return g_strdup_printf (L_(language, "%d%% unhappy within %u min (n = %u)"), rounded,
                              rule->window_minutes, responses);
    case KIOSK_ALERT_VERY_UNHAPPY_COUNT:
      return g_strdup_printf (L_(language, "%d very unhappy within %u min (n = %u)"), rounded,
                              rule->window_minutes, responses);
    case KIOSK_ALERT_HAPPY_INDEX:
      return g_strdup_printf (L_(language, "Happy Index %d today (n = %u)"), rounded, responses);
    case KIOSK_ALERT_SILENT_KIOSK:
    case KIOSK_ALERT_N_KINDS:
    default:
      /* Translators: %s a kiosk's id, %d minutes */
      return g_strdup_printf (L_(language, "Kiosk %s silent for %d min of opening time"),
                              device_id, rounded);
    }
}

/* The rule in words, e.g. "at least 50% unhappy of at least 4 responses within 15 min". */
static char *
explain_rule (const KioskAlertRuleRow *rule)
{
  const char *language = rule->language;
  int threshold = (int) lround (rule->threshold);

  switch (rule->kind)
    {
    case KIOSK_ALERT_UNHAPPY_SHARE:
      return g_strdup_printf (L_(language, "at least %d%% unhappy of at least %u responses "
                                           "within %u min"),
                              threshold, rule->min_responses, rule->window_minutes);
    case KIOSK_ALERT_VERY_UNHAPPY_COUNT:
      return g_strdup_printf (L_(language, "at least %d very unhappy within %u min"), threshold,
                              rule->window_minutes);
    case KIOSK_ALERT_HAPPY_INDEX:
      return g_strdup_printf (L_(language, "Happy Index of the day below %d, with at least %u "
                                           "responses"), threshold, rule->min_responses);
    case KIOSK_ALERT_SILENT_KIOSK:
    case KIOSK_ALERT_N_KINDS:
    default:
      return g_strdup_printf (L_(language, "a kiosk silent for %u min of opening time"),
                              rule->window_minutes);
    }
}

/* "2026-12-05 11:42" on the site's clock. */
static char *
site_time (const KioskDashSite *site,
           gint64               unix_us)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (site->time_zone);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("");
  local = g_date_time_to_timezone (utc, zone ? zone : g_time_zone_new_utc ());
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static JsonNode *
parse_or_empty (const char *json)
{
  JsonNode *node = json ? json_from_string (json, NULL) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_clear_pointer (&node, json_node_unref);
      node = json_node_init_array (json_node_alloc (), json_array_new ());
    }
  return node;
}

static void
append_details (GString                 *text,
                const KioskAlertEvent   *event,
                JsonArray               *reasons,
                JsonArray               *comments)
{
  const char *language = event->rule->language;

  if (json_array_get_length (reasons) > 0)
    {
      g_string_append_printf (text, "\n%s\n", L_(language, "Top reasons:"));
      for (guint i = 0; i < json_array_get_length (reasons); i++)
        {
          JsonObject *reason = json_array_get_object_element (reasons, i);

          if (reason == NULL)
            continue;
          g_string_append_printf (text, "  - %s (%" G_GINT64_FORMAT ")\n",
                                  json_object_get_string_member_with_default (reason, "label", ""),
                                  json_object_get_int_member_with_default (reason, "n", 0));
        }
    }
  if (json_array_get_length (comments) > 0)
    {
      g_string_append_printf (text, "\n%s\n", L_(language, "Latest comments:"));
      for (guint i = 0; i < json_array_get_length (comments); i++)
        {
          JsonObject *comment = json_array_get_object_element (comments, i);
          g_autofree char *face = NULL;

          if (comment == NULL)
            continue;
          face = kiosk_dash_language_face_name (
                   language, (int) json_object_get_int_member_with_default (comment, "face", 0),
                   (int) json_object_get_int_member_with_default (comment, "scale", 4));
          g_string_append_printf (text, "  - %s, %s: “%s”\n",
                                  json_object_get_string_member_with_default (comment,
                                                                              "local_time", ""),
                                  face,
                                  json_object_get_string_member_with_default (comment, "text", ""));
        }
    }
}

static char *
event_json (const KioskAlertEvent *event,
            JsonNode              *reasons,
            JsonNode              *comments,
            const char            *summary,
            const char            *link)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) opened = g_date_time_new_from_unix_utc (event->opened_us / G_USEC_PER_SEC);
  g_autofree char *opened_text = opened ? g_date_time_format_iso8601 (opened) : NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, event->closed_us ? "alert.closed" : "alert.opened");
  json_builder_set_member_name (builder, "alert");
  json_builder_add_int_value (builder, event->episode_id);
  json_builder_set_member_name (builder, "rule");
  json_builder_add_string_value (builder, event->rule->name);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kiosk_alert_kind_to_string (event->rule->kind));
  json_builder_set_member_name (builder, "threshold");
  json_builder_add_double_value (builder, event->rule->threshold);
  json_builder_set_member_name (builder, "window_minutes");
  json_builder_add_int_value (builder, event->rule->window_minutes);
  json_builder_set_member_name (builder, "site");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, event->site->name);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, event->site->title);
  json_builder_set_member_name (builder, "time_zone");
  json_builder_add_string_value (builder, event->site->time_zone);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "kiosk");
  if (event->device_id != NULL && event->device_id[0] != '\0')
    json_builder_add_string_value (builder, event->device_id);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "opened_at");
  json_builder_add_string_value (builder, opened_text);
  json_builder_set_member_name (builder, "closed_at");
  if (event->closed_us != 0)
    {
      g_autoptr(GDateTime) closed = g_date_time_new_from_unix_utc (event->closed_us /
                                                                   G_USEC_PER_SEC);
      g_autofree char *closed_text = g_date_time_format_iso8601 (closed);

      json_builder_add_string_value (builder, closed_text);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "value");
  if (isnan (event->value))
    json_builder_add_null_value (builder);
  else
    json_builder_add_double_value (builder, event->value);
  json_builder_set_member_name (builder, "responses");
  json_builder_add_int_value (builder, event->responses);
  json_builder_set_member_name (builder, "summary");
  json_builder_add_string_value (builder, summary);
  json_builder_set_member_name (builder, "reasons");
  json_builder_add_value (builder, json_node_copy (reasons));
  json_builder_set_member_name (builder, "comments");
  json_builder_add_value (builder, json_node_copy (comments));
  json_builder_set_member_name (builder, "link");
  if (link != NULL)
    json_builder_add_string_value (builder, link);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

gboolean
_kiosk_alerts_queue_messages (PGconn                  *conn,
                              const KioskServerConfig *config,
                              const KioskAlertEvent   *event,
                              GError                 **error)
{
  const KioskAlertRuleRow *rule = event->rule;
  const char *language = rule->language;
  g_autoptr(JsonNode) reasons = parse_or_empty (event->reasons_json);
  g_autoptr(JsonNode) comments = parse_or_empty (event->comments_json);
  g_autofree char *summary = _kiosk_alerts_describe (rule, language, event->device_id,
                                                     event->value, event->responses);
  g_autofree char *explained = explain_rule (rule);
  g_autofree char *opened = site_time (event->site, event->opened_us);
  g_autofree char *subject = NULL;
  g_autofree char *link = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  if (config->dashboard_public_url != NULL && config->dashboard_public_url[0] != '\0')
    link = g_strdup_printf ("%s%salerts", config->dashboard_public_url,
                            g_str_has_suffix (config->dashboard_public_url, "/") ? "" : "/");

  if (event->closed_us == 0)
    {
      /* Translators: a mail's subject: the site's title, then what happened */
      subject = g_strdup_printf (L_(language, "Alert at %s: %s"), event->site->title, summary);
      g_string_append_printf (text, "%s\n\n", subject);
      g_string_append_printf (text, L_(language, "Since %s on the site's clock (%s)."), opened,
                              event->site->time_zone);
      g_string_append_c (text, '\n');
    }
  else
    {
      g_autofree char *closed = site_time (event->site, event->closed_us);
      gint64 minutes = (event->closed_us - event->opened_us) / G_TIME_SPAN_MINUTE;

      /* Translators: a mail's subject: the site's title, then the alert rule's name */
      subject = g_strdup_printf (L_(language, "Resolved at %s: %s"), event->site->title,
                                 rule->name);
      g_string_append_printf (text, "%s\n\n", subject);
      /* Translators: the times it opened and closed, the site's time zone, how many minutes
       * it lasted, and the figure at its worst */
      g_string_append_printf (text, L_(language, "From %s to %s on the site's clock (%s), "
                                                 "%d min. At its worst: %s."),
                              opened, closed, event->site->time_zone, (int) minutes, summary);
      g_string_append_c (text, '\n');
      g_string_append_printf (text, L_(language, "The rule has not held for %u min."),
                              rule->window_minutes);
      g_string_append_c (text, '\n');
    }
  g_string_append_printf (text, "%s: %s (%s)\n", L_(language, "Rule"), rule->name, explained);
  if (event->closed_us == 0)
    append_details (text, event, json_node_get_array (reasons), json_node_get_array (comments));

  if (rule->emails != NULL && rule->emails->len > 0)
    {
      g_autoptr(GPtrArray) to = g_ptr_array_new ();
      /* A mail ends with the link; the chat formats carry it beside the text. */
      g_autofree char *mail = link ? g_strdup_printf ("%s\n%s\n", text->str, link)
                                   : g_strdup (text->str);

      for (guint i = 0; i < rule->emails->len; i++)
        g_ptr_array_add (to, g_ptr_array_index (rule->emails, i));
      g_ptr_array_add (to, NULL);
      if (!kiosk_delivery_queue_mail (conn, config, (const char * const *) to->pdata, subject,
                                      mail, NULL, 0, event->episode_id, 0, error))
        return FALSE;
    }
  if (rule->webhook_url != NULL)
    {
      g_autofree char *json = event_json (event, reasons, comments, summary, link);
      g_autofree char *body = kiosk_delivery_webhook_body (rule->webhook_format, subject,
                                                           text->str, link, json);

      if (!kiosk_delivery_queue_webhook (conn, rule->webhook_url, subject, "application/json",
                                         body, event->episode_id, error))
        return FALSE;
    }
  return TRUE;
}
