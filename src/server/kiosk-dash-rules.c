/* kiosk-dash-rules.c: the page "/alerts/rules" (admins): every alert rule in words, a form to
 * add one or change one ("?edit=NAME"), and removing one after a confirmation. Every value is
 * checked on the server by the alerts module (kiosk_alert_rule_check and _save); a refused
 * form comes back with each problem beside it and with what was typed. */
#define G_LOG_DOMAIN "kiosk-dash"

#include <string.h>

#include "kiosk-dash-data.h"
#include "kiosk-dash-pages.h"
#include "kiosk-html.h"
#include "kiosk-server-alerts.h"
#include "kiosk-server-db.h"

/* What the form holds, as typed: a refused form is shown again exactly so. */
typedef struct
{
  char    *name;
  char    *kind;
  char    *scope;            /* "site:NAME" or "group:NAME" */
  char    *threshold;
  char    *window;
  char    *min_responses;
  char    *emails;           /* one a line */
  char    *webhook_url;
  char    *webhook_format;
  char    *language;
  gboolean enabled;
  gboolean replace;          /* changes the rule called name */
} RuleForm;

static const char *const webhook_formats[] = {
  "json", "slack", "mattermost", "discord", "teams", "google-chat",
};

static void
rule_form_clear (RuleForm *form)
{
  g_free (form->name);
  g_free (form->kind);
  g_free (form->scope);
  g_free (form->threshold);
  g_free (form->window);
  g_free (form->min_responses);
  g_free (form->emails);
  g_free (form->webhook_url);
  g_free (form->webhook_format);
  g_free (form->language);
}

static char *
number_text (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%g", value));
}

static void
rule_form_from_rule (RuleForm             *form,
                     const KioskAlertRule *rule)
{
  g_autoptr(GString) emails = g_string_new (NULL);

  for (guint i = 0; rule->emails && i < rule->emails->len; i++)
    g_string_append_printf (emails, "%s%s", i ? "\n" : "",
                            (const char *) g_ptr_array_index (rule->emails, i));
  form->name = g_strdup (rule->name);
  form->kind = g_strdup (kiosk_alert_kind_to_string (rule->kind));
  form->scope = rule->site ? g_strconcat ("site:", rule->site, NULL)
                           : rule->group ? g_strconcat ("group:", rule->group, NULL) : NULL;
  form->threshold = number_text (rule->threshold);
  form->window = g_strdup_printf ("%u", rule->window_minutes);
  form->min_responses = g_strdup_printf ("%u", rule->min_responses);
  form->emails = g_string_free (g_steal_pointer (&emails), FALSE);
  form->webhook_url = g_strdup (rule->webhook_url);
  form->webhook_format = g_strdup (rule->webhook_format);
  form->language = g_strdup (rule->language);
  form->enabled = rule->enabled;
}

static void
rule_form_from_request (RuleForm         *form,
                        KioskDashRequest *request)
{
  form->name = kiosk_dash_form_value (request, "name");
  form->kind = kiosk_dash_form_value (request, "kind");
  form->scope = kiosk_dash_form_value (request, "scope");
  form->threshold = kiosk_dash_form_value (request, "threshold");
  form->window = kiosk_dash_form_value (request, "window");
  form->min_responses = kiosk_dash_form_value (request, "min_responses");
  form->emails = kiosk_dash_form_value (request, "emails");
  form->webhook_url = kiosk_dash_form_value (request, "webhook_url");
  form->webhook_format = kiosk_dash_form_value (request, "webhook_format");
  form->language = kiosk_dash_form_value (request, "language");
  form->enabled = g_strcmp0 (g_hash_table_lookup (request->form, "enabled"), "1") == 0;
  form->replace = g_strcmp0 (g_hash_table_lookup (request->form, "replace"), "1") == 0;
}

static void
add_problem (GString    *problems,
             const char *line)
{
  g_string_append (problems, line);
  g_string_append_c (problems, '\n');
}

/* A whole number typed in a field into @out; nothing when the field is empty. @problem (its
 * "%s" the text) goes to @problems when the text is not one. */
static void
read_count (const char *text,
            guint      *out,
            GString    *problems,
            const char *problem)
{
  guint64 number;
  g_autofree char *line = NULL;

  if (*text == '\0')
    return;
  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &number, NULL))
    {
      *out = (guint) number;
      return;
    }
  line = g_strdup_printf (problem, text);
  add_problem (problems, line);
}

/* The rule the form describes; what cannot even be read (a number that is not one) goes to
 * @problems, a line each, and the rest is left to kiosk_alert_rule_check(). */
static KioskAlertRule *
rule_from_form (KioskDashRequest *request,
                const RuleForm   *form,
                GString          *problems)
{
  KioskAlertKind kind = KIOSK_ALERT_UNHAPPY_SHARE;
  g_autoptr(KioskAlertRule) rule = NULL;
  g_auto(GStrv) lines = NULL;

  if (!kiosk_alert_kind_from_string (form->kind, &kind))
    add_problem (problems, D_("Kind: choose one of the list."));
  rule = kiosk_alert_rule_new (kind);
  g_free (rule->name);
  rule->name = g_strdup (form->name);
  g_clear_pointer (&rule->site, g_free);
  g_clear_pointer (&rule->group, g_free);
  if (!kiosk_dash_scope_parse (form->scope, &rule->site, &rule->group))
    add_problem (problems, D_("Site or group: choose one of the list."));
  /* The form's threshold field is there for every kind; a silent kiosk's rule has none, as
   * its hint says, whatever was left in it. */
  if (*form->threshold && kind != KIOSK_ALERT_SILENT_KIOSK)
    {
      g_autofree char *text = g_strdelimit (g_strdup (form->threshold), ",", '.');
      char *end = NULL;
      double value = g_ascii_strtod (text, &end);

      if (end == text || *end != '\0')
        {
          g_autofree char *line = g_strdup_printf (D_("Threshold: “%s” is not a number."),
                                                   form->threshold);

          add_problem (problems, line);
        }
      else
        rule->threshold = value;
    }
  read_count (form->window, &rule->window_minutes, problems,
              D_("Window: “%s” is not a whole number of minutes."));
  read_count (form->min_responses, &rule->min_responses, problems,
              D_("Minimum responses: “%s” is not a whole number."));
  /* One a line, as the form asks; commas and spaces between addresses are taken too. */
  g_clear_pointer (&rule->emails, g_ptr_array_unref);
  rule->emails = g_ptr_array_new_with_free_func (g_free);
  lines = g_strsplit_set (form->emails, "\r\n,; \t", -1);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i])
      g_ptr_array_add (rule->emails, g_strdup (lines[i]));
  g_free (rule->webhook_url);
  rule->webhook_url = *form->webhook_url ? g_strdup (form->webhook_url) : NULL;
  if (*form->webhook_format)
    {
      g_free (rule->webhook_format);
      rule->webhook_format = g_strdup (form->webhook_format);
    }
  if (*form->language)
    {
      g_free (rule->language);
      rule->language = g_strdup (form->language);
    }
  rule->enabled = form->enabled;
  return g_steal_pointer (&rule);
}

/* Words */

static const char *
kind_name (KioskDashRequest *request,
           KioskAlertKind    kind)
{
  return kiosk_dash_alert_kind_name (request, kiosk_alert_kind_to_string (kind));
}

/* When the rule holds, in a sentence. */
static char *
rule_condition (KioskDashRequest     *request,
                const KioskAlertRule *rule)
{
  g_autofree char *threshold = number_text (rule->threshold);

  switch (rule->kind)
    {
    case KIOSK_ALERT_UNHAPPY_SHARE:
      {
        g_autofree char *share = kiosk_dash_format_percent (request, rule->threshold / 100);

        /* Translators: an alert rule, "At least 50 % unhappy of at least 4 responses within
         * 15 minutes" */
        return g_strdup_printf (D_("At least %s unhappy of at least %u responses within %u "
                                   "minutes"), share, rule->min_responses,
                                rule->window_minutes);
      }
    case KIOSK_ALERT_HAPPY_INDEX:
      return g_strdup_printf (D_("Happy Index below %s with at least %u responses today; "
                                 "closes after %u minutes above"), threshold,
                              rule->min_responses, rule->window_minutes);
    case KIOSK_ALERT_VERY_UNHAPPY_COUNT:
      return g_strdup_printf (D_("At least %s very unhappy responses within %u minutes"),
                              threshold, rule->window_minutes);
    case KIOSK_ALERT_SILENT_KIOSK:
      return g_strdup_printf (D_("A kiosk silent for %u minutes of opening time"),
                              rule->window_minutes);
    case KIOSK_ALERT_N_KINDS:
    default:
      return g_strdup ("");
    }
}

/* The title of the site or group called @name, as the forms show it; the name when unknown. */
static const char *
scope_title (const KioskAlertRule *rule,
             GPtrArray            *sites,
             GPtrArray            *groups)
{
  for (guint i = 0; rule->site != NULL && i < sites->len; i++)
    if (g_str_equal (((KioskDashSite *) g_ptr_array_index (sites, i))->name, rule->site))
      return ((KioskDashSite *) g_ptr_array_index (sites, i))->title;
  for (guint i = 0; rule->group != NULL && i < groups->len; i++)
    if (g_str_equal (((KioskDashGroup *) g_ptr_array_index (groups, i))->name, rule->group))
      return ((KioskDashGroup *) g_ptr_array_index (groups, i))->title;
  return rule->site ? rule->site : rule->group;
}

/* " @name" for a screen reader, after a button's or a link's verb ("Edit", "Remove…"). */
static void
hidden_name (GString    *out,
             const char *name)
{
  kiosk_html (out, "<span class=\"visually-hidden\"> ");
  kiosk_html_txt (out, name);
  kiosk_html (out, "</span>");
}

static void
rules_table (GString          *out,
             KioskDashRequest *request,
             GPtrArray        *rules,
             GPtrArray        *sites,
             GPtrArray        *groups)
{
  kiosk_dash_table_begin (out, "rules", NULL, D_("Name"), D_("Kind"), D_("Site or group"),
                          D_("Holds when"), D_("Recipients"), D_("Webhook"), D_("Enabled"),
                          D_("Actions"), NULL);
  for (guint i = 0; i < rules->len; i++)
    {
      KioskAlertRule *rule = g_ptr_array_index (rules, i);
      g_autofree char *condition = rule_condition (request, rule);

      kiosk_html (out, "<tr><th scope=\"row\">");
      kiosk_html_txt (out, rule->name);
      kiosk_html (out, "</th><td>");
      kiosk_html_txt (out, kind_name (request, rule->kind));
      kiosk_html (out, "</td><td>");
      if (rule->site != NULL)
        kiosk_html_txt (out, scope_title (rule, sites, groups));
      else
        kiosk_html_txtf (out, D_("%s (group)"), scope_title (rule, sites, groups));
      kiosk_html (out, "</td><td>");
      kiosk_html_txt (out, condition);
      kiosk_html (out, "</td><td>");
      for (guint e = 0; rule->emails && e < rule->emails->len; e++)
        {
          if (e > 0)
            kiosk_html (out, "<br>");
          kiosk_html_txt (out, g_ptr_array_index (rule->emails, e));
        }
      kiosk_html (out, "</td><td>");
      if (rule->webhook_url != NULL)
        {
          kiosk_html (out, "<span class=\"url\">");
          kiosk_html_txt (out, rule->webhook_url);
          kiosk_html (out, "</span> (");
          kiosk_html_txt (out, rule->webhook_format);
          kiosk_html (out, ")");
        }
      else
        kiosk_html_txt (out, "–");
      kiosk_html (out, "</td><td>");
      kiosk_html_txt (out, rule->enabled ? D_("yes") : D_("no"));
      kiosk_html (out, "</td><td class=\"actions\"><a href=\"/alerts/rules?edit=");
      kiosk_html_url_param (out, rule->name);
      kiosk_html (out, "#rule-form\">");
      kiosk_html_txt (out, D_("Edit"));
      hidden_name (out, rule->name);
      kiosk_html (out, "</a> <form method=\"post\" action=\"/alerts/rules/remove\">");
      kiosk_dash_csrf_field (out, request);
      kiosk_dash_hidden_field (out, "name", rule->name);
      kiosk_html (out, "<button type=\"submit\" class=\"secondary\">");
      kiosk_html_txt (out, D_("Remove…"));
      hidden_name (out, rule->name);
      kiosk_html (out, "</button></form></td></tr>\n");
    }
  kiosk_html (out, "</tbody></table>\n");
}

/* Form fields */

static void
hint (GString    *out,
      const char *id,
      const char *text)
{
  kiosk_html_format (out, "<span class=\"hint\" id=\"%a\">%t</span>", id, text);
}

/* A field of @label with an <input> of @attributes (program markup) and the typed @value, and
 * the @hint_text (or NULL) its "@id-hint" is. */
static void
input_field (GString    *out,
             const char *id,
             const char *name,
             const char *label,
             const char *attributes,
             const char *value,
             const char *hint_text)
{
  kiosk_dash_field_begin (out, id, label);
  kiosk_html_format (out, "<input id=\"%a\" name=\"%a\" ", id, name);
  kiosk_html (out, attributes);
  kiosk_html_format (out, " value=\"%a\">", value);
  if (hint_text != NULL)
    {
      g_autofree char *hint_id = g_strconcat (id, "-hint", NULL);

      hint (out, hint_id, hint_text);
    }
  kiosk_html (out, "</div>\n");
}

static void
rule_form (GString          *out,
           KioskDashRequest *request,
           const RuleForm   *form,
           GPtrArray        *sites,
           GPtrArray        *groups,
           const char       *problems)
{
  static const KioskAlertKind kinds[] = {
    KIOSK_ALERT_UNHAPPY_SHARE, KIOSK_ALERT_VERY_UNHAPPY_COUNT, KIOSK_ALERT_HAPPY_INDEX,
    KIOSK_ALERT_SILENT_KIOSK,
  };

  kiosk_dash_heading (out, 2, "rule-form",
                      form->replace ? D_("Change the rule") : D_("Add a rule"));
  kiosk_dash_problem_list (out, "rule-problems", D_("The rule was not saved:"), problems);
  kiosk_html (out, "<form class=\"rule\" method=\"post\" action=\"/alerts/rules\">\n");
  kiosk_dash_csrf_field (out, request);
  if (form->replace)
    kiosk_dash_hidden_field (out, "replace", "1");

  input_field (out, "r-name", "name", D_("Name"),
               form->replace ? "required readonly aria-describedby=\"r-name-hint\""
                             : "required maxlength=\"64\" pattern=\"[A-Za-z0-9][A-Za-z0-9._\\-]*\" "
                               "autocapitalize=\"none\" spellcheck=\"false\" "
                               "aria-describedby=\"r-name-hint\"",
               form->name, D_("Letters, digits, “.”, “_” and “-”, at most 64."));

  kiosk_dash_field_begin (out, "r-kind", D_("Kind"));
  kiosk_html (out, "<select id=\"r-kind\" name=\"kind\">");
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    kiosk_dash_option (out, kiosk_alert_kind_to_string (kinds[i]), kind_name (request, kinds[i]),
                       form->kind, NULL);
  kiosk_html (out, "</select></div>\n");

  kiosk_dash_field_begin (out, "r-scope", D_("Site or group"));
  kiosk_dash_scope_select (out, request, "r-scope", "scope", sites, groups, form->scope);
  kiosk_html (out, "</div>\n");

  input_field (out, "r-threshold", "threshold", D_("Threshold"),
               "type=\"number\" min=\"0\" max=\"100000\" step=\"any\" "
               "aria-describedby=\"r-threshold-hint\"", form->threshold,
               D_("Unhappy share: a percentage; Happy Index: the index below which it holds; "
                  "very unhappy: how many. Not used for a silent kiosk."));
  input_field (out, "r-window", "window", D_("Window (minutes)"),
               "type=\"number\" min=\"1\" max=\"1440\" step=\"1\" required", form->window, NULL);
  input_field (out, "r-min", "min_responses", D_("Minimum responses"),
               "type=\"number\" min=\"1\" max=\"100000\" step=\"1\"", form->min_responses, NULL);

  kiosk_dash_field_begin (out, "r-emails", D_("E-mail addresses, one a line"));
  kiosk_html (out, "<textarea id=\"r-emails\" name=\"emails\" rows=\"3\" "
                   "autocapitalize=\"none\" spellcheck=\"false\">");
  kiosk_html_txt (out, form->emails);
  kiosk_html (out, "</textarea></div>\n");

  input_field (out, "r-webhook", "webhook_url", D_("Webhook URL (optional)"),
               "type=\"url\" placeholder=\"https://…\"", form->webhook_url, NULL);

  kiosk_dash_field_begin (out, "r-format", D_("Webhook format"));
  kiosk_html (out, "<select id=\"r-format\" name=\"webhook_format\">");
  for (guint i = 0; i < G_N_ELEMENTS (webhook_formats); i++)
    kiosk_dash_option (out, webhook_formats[i], webhook_formats[i], form->webhook_format, NULL);
  kiosk_html (out, "</select></div>\n");

  kiosk_dash_field_begin (out, "r-language", D_("Language of the messages"));
  kiosk_dash_language_select (out, request, "r-language", "language", form->language);
  kiosk_html (out, "</div>\n<div class=\"field check\"><input type=\"checkbox\" id=\"r-enabled\" "
                   "name=\"enabled\" value=\"1\"");
  if (form->enabled)
    kiosk_html (out, " checked");
  kiosk_html (out, "><label for=\"r-enabled\">");
  kiosk_html_txt (out, D_("Enabled"));
  kiosk_html (out, "</label></div>\n<div class=\"buttons\"><button type=\"submit\">");
  kiosk_html_txt (out, form->replace ? D_("Save the rule") : D_("Add the rule"));
  kiosk_html (out, "</button>");
  if (form->replace)
    {
      kiosk_html (out, " <a href=\"/alerts/rules\">");
      kiosk_html_txt (out, D_("Cancel"));
      kiosk_html (out, "</a>");
    }
  kiosk_html (out, "</div>\n</form>\n");
}

/* The whole page: the rules, a message, and the form (@form; NULL: a new rule). */
static void
rules_page (KioskDashRequest *request,
            PGconn           *conn,
            KioskDashReply   *reply,
            guint             status,
            const RuleForm   *form,
            const char       *problems,
            const char       *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) names = kiosk_db_exec (conn, "SELECT name FROM alert_rules ORDER BY name",
                                             0, NULL, &error);
  g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func (
    (GDestroyNotify) kiosk_alert_rule_free);
  g_autoptr(GPtrArray) sites = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(KioskAlertRule) defaults = kiosk_alert_rule_new (KIOSK_ALERT_UNHAPPY_SHARE);
  RuleForm fresh = { 0 };
  GString *out = reply->body;

  /* Rule by rule through the alerts module, which owns their shape: a few dozen at most. */
  for (int row = 0; names != NULL && row < PQntuples (names); row++)
    {
      KioskAlertRule *rule = kiosk_alert_rule_load (conn, PQgetvalue (names, row, 0), &error);

      if (rule == NULL)
        break;
      g_ptr_array_add (rules, rule);
    }
  if (error == NULL)
    sites = kiosk_dash_data_sites (conn, request->user, &error);
  if (error == NULL)
    groups = kiosk_dash_data_groups (conn, request->user, &error);
  if (error != NULL)
    {
      kiosk_dash_reply_database_error (reply, request, FALSE, error, "alert rules");
      return;
    }
  if (form == NULL)
    {
      rule_form_from_rule (&fresh, defaults);
      g_clear_pointer (&fresh.name, g_free);
      g_clear_pointer (&fresh.scope, g_free);
      fresh.enabled = TRUE;
      form = &fresh;
    }

  reply->status = status;
  kiosk_dash_page_begin (reply, request, D_("Alert rules"), "alerts");
  kiosk_html (out, "<p class=\"breadcrumb\"><a href=\"/alerts\">");
  kiosk_html_txt (out, D_("Alerts"));
  kiosk_html (out, "</a></p>\n");
  kiosk_dash_heading (out, 1, NULL, D_("Alert rules"));
  kiosk_dash_done (out, message);
  if (rules->len == 0)
    kiosk_dash_paragraph (out, D_("No rule yet."));
  else
    rules_table (out, request, rules, sites, groups);
  rule_form (out, request, form, sites, groups, problems);
  kiosk_dash_page_end (reply, request);
  rule_form_clear (&fresh);
}

void
kiosk_dash_rules (KioskDashRequest *request,
                  PGconn           *conn,
                  KioskDashReply   *reply)
{
  const char *edit = g_hash_table_lookup (request->query, "edit");
  const char *saved = g_hash_table_lookup (request->query, "saved");
  const char *removed = g_hash_table_lookup (request->query, "removed");
  g_autofree char *message = NULL;
  RuleForm form = { 0 };

  if (saved != NULL)
    /* Translators: %s is an alert rule's name */
    message = g_strdup_printf (D_("The rule “%s” is saved."), saved);
  else if (removed != NULL)
    message = g_strdup_printf (D_("The rule “%s” and its history are removed."), removed);

  if (edit != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskAlertRule) rule = kiosk_alert_rule_load (conn, edit, &error);

      if (rule == NULL)
        {
          if (g_error_matches (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_UNKNOWN))
            kiosk_dash_reply_error (reply, request, 404, D_("There is no such rule."));
          else
            kiosk_dash_reply_database_error (reply, request, FALSE, error, "alert rule %s",
                                             edit);
          return;
        }
      rule_form_from_rule (&form, rule);
      form.replace = TRUE;
      rules_page (request, conn, reply, 200, &form, NULL, message);
      rule_form_clear (&form);
      return;
    }
  rules_page (request, conn, reply, 200, NULL, NULL, message);
}

void
kiosk_dash_rules_save (KioskDashRequest *request,
                       PGconn           *conn,
                       KioskDashReply   *reply)
{
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(KioskAlertRule) rule = NULL;
  g_autoptr(GError) error = NULL;
  RuleForm form = { 0 };

  rule_form_from_request (&form, request);
  rule = rule_from_form (request, &form, problems);
  if (problems->len == 0 && !kiosk_alert_rule_check (rule, &error))
    add_problem (problems, error->message);
  else if (problems->len == 0 && !kiosk_alert_rule_save (conn, rule, form.replace, &error))
    {
      if (error->domain != KIOSK_ALERT_ERROR)
        {
          kiosk_dash_reply_database_error (reply, request, TRUE, error,
                                           "saving alert rule %s", form.name);
          rule_form_clear (&form);
          return;
        }
      add_problem (problems, error->message);
    }
  if (problems->len > 0)
    {
      rules_page (request, conn, reply, 400, &form, problems->str, NULL);
      rule_form_clear (&form);
      return;
    }
  {
    g_autoptr(GString) location = g_string_new ("/alerts/rules?saved=");

    g_string_append_uri_escaped (location, rule->name, NULL, FALSE);
    kiosk_dash_redirect (reply, location->str);
  }
  rule_form_clear (&form);
}

/* Asks first: a rule's removal takes its history with it. */
static void
confirm_page (KioskDashRequest *request,
              PGconn           *conn,
              KioskDashReply   *reply,
              const char       *name)
{
  GString *out = reply->body;

  kiosk_dash_page_begin (reply, request, D_("Remove the rule"), "alerts");
  kiosk_dash_heading (out, 1, NULL, D_("Remove the rule"));
  kiosk_html (out, "<p>");
  /* Translators: %s is an alert rule's name */
  kiosk_html_txtf (out, D_("Remove the rule “%s”? Its alerts, open and closed, are removed "
                           "with it."), name);
  kiosk_html (out, "</p>\n<form method=\"post\" action=\"/alerts/rules/remove\">");
  kiosk_dash_csrf_field (out, request);
  kiosk_dash_hidden_field (out, "name", name);
  kiosk_dash_hidden_field (out, "confirm", "1");
  kiosk_html (out, "<div class=\"buttons\"><button type=\"submit\" class=\"danger\">");
  kiosk_html_txt (out, D_("Remove"));
  kiosk_html (out, "</button> <a href=\"/alerts/rules\">");
  kiosk_html_txt (out, D_("Cancel"));
  kiosk_html (out, "</a></div></form>\n");
  kiosk_dash_page_end (reply, request);
}

void
kiosk_dash_rules_remove (KioskDashRequest *request,
                         PGconn           *conn,
                         KioskDashReply   *reply)
{
  static const KioskDashRemoval removal = {
    .remove = kiosk_alert_rule_remove,
    .error_quark = kiosk_alert_error_quark,
    .unknown_code = KIOSK_ALERT_ERROR_UNKNOWN,
    .unconfirmed = confirm_page,
    .no_name = DN_("The form names no rule."),
    .no_such = DN_("There is no such rule."),
    .what = "alert rule",
    .location = "/alerts/rules?removed=",
    .fragment = "",
  };

  kiosk_dash_remove (request, conn, reply, &removal);
}
