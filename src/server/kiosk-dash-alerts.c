/* kiosk-dash-alerts.c: the page "/alerts": the open episodes of the sites the user may see,
 * each with the figure that made its rule hold, the reasons and comments it kept and its
 * acknowledgement; then the history of closed ones for the filter's days, and as CSV
 * ("/alerts.csv"). An episode is acknowledged through a POST to "/alerts/acknowledge". */
#define G_LOG_DOMAIN "kiosk-dash"

#include <math.h>

#include "kiosk-dash-data.h"
#include "kiosk-dash-pages.h"
#include "kiosk-html.h"
#include "kiosk-server-alerts.h"

#define EPISODES_PER_PAGE 25
/* An acknowledgement's comment is a sentence or two, not a report. */

/* What made the rule hold when the episode opened: "62 % unhappy of 8 responses in 15
 * minutes", "Happy Index 64 (n = 31) today", "5 very unhappy in 15 minutes", "Kiosk lobby-1
 * silent for 22 minutes". */
static char *
episode_figure (KioskDashRequest       *request,
                const KioskDashEpisode *e)
{
  g_autofree char *n = kiosk_dash_format_count (request, e->responses);

  if (isnan (e->value))
    return g_strdup ("–");
  if (g_strcmp0 (e->kind, "unhappy-share") == 0)
    {
      /* The share is stored as a percentage, as the rule's threshold is. */
      g_autofree char *share = kiosk_dash_format_percent (request, e->value / 100);

      /* Translators: an alert's figure, "62 % unhappy of 8 responses in 15 minutes" */
      return g_strdup_printf (D_("%s unhappy of %s responses in %u minutes"), share, n,
                              e->window_minutes);
    }
  if (g_strcmp0 (e->kind, "happy-index") == 0)
    {
      g_autofree char *index = kiosk_dash_format_index (request, e->value);

      /* Translators: an alert's figure, "Happy Index 64 (n = 31) today" */
      return g_strdup_printf (D_("Happy Index %s (n = %s) today"), index, n);
    }
  if (g_strcmp0 (e->kind, "very-unhappy-count") == 0)
    {
      g_autofree char *count = kiosk_dash_format_count (request, (guint64) MAX (e->value, 0));

      /* Translators: an alert's figure, "5 very unhappy in 15 minutes" */
      return g_strdup_printf (D_("%s very unhappy in %u minutes"), count, e->window_minutes);
    }
  if (g_strcmp0 (e->kind, "silent-kiosk") == 0)
    {
      g_autofree char *minutes = kiosk_dash_format_count (request,
                                                          (guint64) MAX (e->value, 0));

      /* Translators: an alert's figure, "Kiosk lobby-1 silent for 22 minutes" */
      return g_strdup_printf (D_("Kiosk %s silent for %s minutes"),
                              e->device_id ? e->device_id : "–", minutes);
    }
  return g_strdup_printf ("%g", e->value);
}

static void
acknowledgement (GString                *out,
                 KioskDashRequest       *request,
                 const KioskDashEpisode *e)
{
  g_autofree char *when = NULL;

  if (e->acknowledged_us == 0)
    {
      kiosk_html (out, "<p class=\"ack none\">");
      kiosk_html_txt (out, D_("Not acknowledged yet."));
      kiosk_html (out, "</p>\n");
      return;
    }
  when = kiosk_dash_format_time (request, e->acknowledged_us, e->time_zone);
  kiosk_html (out, "<p class=\"ack\">");
  /* Translators: "Acknowledged by anna on 2026-12-04 10:15" (the site's clock) */
  kiosk_html_txtf (out, D_("Acknowledged by %s on %s"),
                   e->acknowledged_by ? e->acknowledged_by : "–", when);
  if (e->ack_comment != NULL && *e->ack_comment)
    {
      kiosk_html (out, ": <q>");
      kiosk_html_txt (out, e->ack_comment);
      kiosk_html (out, "</q>");
    }
  kiosk_html (out, "</p>\n");
}

static void
acknowledge_form (GString                *out,
                  KioskDashRequest       *request,
                  const KioskDashEpisode *e)
{
  g_autofree char *id = g_strdup_printf ("ack-%" G_GINT64_FORMAT, e->id);
  g_autofree char *episode_id = g_strdup_printf ("%" G_GINT64_FORMAT, e->id);

  kiosk_html (out, "<form class=\"acknowledge\" method=\"post\" action=\"/alerts/acknowledge\">");
  kiosk_dash_csrf_field (out, request);
  kiosk_dash_hidden_field (out, "episode", episode_id);
  kiosk_html (out, "<div class=\"field\"><label for=\"");
  kiosk_html_attr (out, id);
  kiosk_html (out, "\">");
  kiosk_html_txt (out, D_("Comment (optional)"));
  kiosk_html (out, "</label><input type=\"text\" id=\"");
  kiosk_html_attr (out, id);
  kiosk_html (out, "\" name=\"comment\" maxlength=\"");
  kiosk_html_txtf (out, "%d", KIOSK_ALERT_ACK_MAX_CHARS);
  kiosk_html (out, "\"></div><button type=\"submit\">");
  kiosk_html_txt (out, D_("Acknowledge"));
  kiosk_html (out, "</button></form>\n");
}

/* How a card or a row of an episode starts: <@element id="episode-N"><@heading>rule (kind);
 * the caller closes the heading. */
static void
episode_title (GString                *out,
               KioskDashRequest       *request,
               const KioskDashEpisode *e,
               const char             *element,
               const char             *heading)
{
  kiosk_html (out, "<");
  kiosk_html (out, element);
  kiosk_html (out, " id=\"episode-");
  kiosk_html_txtf (out, "%" G_GINT64_FORMAT, e->id);
  kiosk_html (out, "\"><");
  kiosk_html (out, heading);
  kiosk_html (out, ">");
  kiosk_html_txt (out, e->rule_name);
  kiosk_html (out, " <span class=\"kind\">(");
  kiosk_html_txt (out, kiosk_dash_alert_kind_name (request, e->kind));
  kiosk_html (out, ")</span>");
}

typedef void (*ItemFunc) (GString          *out,
                          KioskDashRequest *request,
                          gconstpointer     item);

/* Nothing when @items is empty; else @open, @title, @between, each item in an <li>, @close
 * (program markup all but @title). */
static void
titled_list (GString          *out,
             KioskDashRequest *request,
             const char       *open,
             const char       *title,
             const char       *between,
             GPtrArray        *items,
             ItemFunc          item,
             const char       *close)
{
  if (items->len == 0)
    return;
  kiosk_html (out, open);
  kiosk_html_txt (out, title);
  kiosk_html (out, between);
  for (guint i = 0; i < items->len; i++)
    {
      kiosk_html (out, "<li>");
      item (out, request, g_ptr_array_index (items, i));
      kiosk_html (out, "</li>");
    }
  kiosk_html (out, close);
}

static void
reason_item (GString          *out,
             KioskDashRequest *request,
             gconstpointer     item)
{
  const KioskDashEpisodeReason *reason = item;
  g_autofree char *n = kiosk_dash_format_count (request, reason->n);

  kiosk_html_txt (out, reason->label);
  kiosk_html (out, " <span class=\"n\">(");
  kiosk_html_txt (out, n);
  kiosk_html (out, ")</span>");
}

static void
comment_item (GString          *out,
              KioskDashRequest *request,
              gconstpointer     item)
{
  const KioskDashComment *c = item;
  g_autofree char *face = kiosk_dash_face_name (request, c->face, c->scale);

  kiosk_html (out, "<span class=\"muted\">");
  kiosk_html_txtf (out, "%s · %s", c->local_time ? c->local_time : "", face);
  kiosk_html (out, "</span> ");
  kiosk_html_txt (out, c->comment);
}

static void
episode_card (GString                *out,
              KioskDashRequest       *request,
              const KioskDashEpisode *e)
{
  g_autofree char *since = kiosk_dash_format_time (request, e->opened_us, e->time_zone);
  g_autofree char *figure = episode_figure (request, e);

  episode_title (out, request, e, "li class=\"card episode\"", "h3");
  kiosk_html_format (out, "</h3>\n<dl><dt>%t</dt><dd>", D_("Site"));
  kiosk_dash_site_link (out, e->site_name, e->site_title, NULL);
  kiosk_html_format (out, "</dd><dt>%t</dt><dd>%t</dd><dt>%t</dt><dd class=\"figure\">%t</dd>",
                     D_("Since"), since, D_("Figure"), figure);
  titled_list (out, request, "<dt>", D_("Top reasons"), "</dt><dd><ol class=\"reasons\">",
               e->reasons, reason_item, "</ol></dd>");
  kiosk_html (out, "</dl>\n");
  titled_list (out, request, "<h4>", D_("Latest comments"), "</h4><ul class=\"comments\">",
               e->comments, comment_item, "</ul>\n");
  acknowledgement (out, request, e);
  if (e->acknowledged_us == 0)
    acknowledge_form (out, request, e);
  kiosk_html (out, "</li>\n");
}

/* The history: closed episodes as a table, with an acknowledge form in the row of any that
 * was not acknowledged. */
static void
history_table (GString          *out,
               KioskDashRequest *request,
               GPtrArray        *closed)
{
  kiosk_dash_table_begin (out, "history", NULL, D_("Rule"), D_("Site"), D_("Opened"), D_("Closed"),
                          D_("Figure"), D_("Acknowledged"), NULL);
  for (guint i = 0; i < closed->len; i++)
    {
      KioskDashEpisode *e = g_ptr_array_index (closed, i);
      g_autofree char *opened = kiosk_dash_format_time (request, e->opened_us, e->time_zone);
      g_autofree char *closed_at = kiosk_dash_format_time (request, e->closed_us, e->time_zone);
      g_autofree char *figure = episode_figure (request, e);

      episode_title (out, request, e, "tr", "th scope=\"row\"");
      kiosk_html (out, "</th><td>");
      kiosk_dash_site_link (out, e->site_name, e->site_title, NULL);
      kiosk_html (out, "</td><td>");
      kiosk_html_txt (out, opened);
      kiosk_html (out, "</td><td>");
      kiosk_html_txt (out, closed_at);
      kiosk_html (out, "</td><td>");
      kiosk_html_txt (out, figure);
      kiosk_html (out, "</td><td>");
      if (e->acknowledged_us != 0)
        acknowledgement (out, request, e);
      else
        acknowledge_form (out, request, e);
      kiosk_html (out, "</td></tr>\n");
    }
  kiosk_html (out, "</tbody></table>\n");
}

/* What the last acknowledgement did, from the redirect's query. */
static void
result_message (GString          *out,
                KioskDashRequest *request)
{
  const char *result = g_hash_table_lookup (request->query, "result");
  const char *text = NULL;
  gboolean ok = FALSE;

  if (g_strcmp0 (result, "acknowledged") == 0)
    {
      text = D_("The alert is acknowledged.");
      ok = TRUE;
    }
  else if (g_strcmp0 (result, "exists") == 0)
    text = D_("Someone acknowledged this alert already; their acknowledgement is kept.");
  else if (g_strcmp0 (result, "unknown") == 0)
    text = D_("There is no such alert.");
  else if (g_strcmp0 (result, "too-long") == 0)
    text = D_("The comment is too long (at most 1000 characters); the alert was not "
              "acknowledged.");
  if (text == NULL)
    return;
  if (ok)
    kiosk_dash_done (out, text);
  else
    kiosk_dash_problem (out, text);
}

void
kiosk_dash_alerts (KioskDashRequest *request,
                   PGconn           *conn,
                   KioskDashReply   *reply)
{
  g_autoptr(GString) problem = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GPtrArray) closed = NULL;
  g_autofree char *query = NULL;
  KioskDashFilter filter;
  guint page = kiosk_dash_page_number (request);
  guint64 total = 0;
  guint pages = 0;
  GString *out = reply->body;

  kiosk_dash_filter_parse (request, &filter, problem);
  filter.dates_only = TRUE;
  open = kiosk_dash_data_episodes (conn, request->user, TRUE, NULL, 0, 0, NULL, &error);
  if (open != NULL)
    closed = kiosk_dash_data_episodes (conn, request->user, FALSE, &filter,
                                       (page - 1) * EPISODES_PER_PAGE, EPISODES_PER_PAGE,
                                       &total, &error);
  if (closed == NULL)
    {
      kiosk_dash_reply_database_error (reply, request, FALSE, error, "alerts");
      kiosk_dash_filter_clear (&filter);
      return;
    }

  kiosk_dash_page_begin (reply, request, D_("Alerts"), "alerts");
  kiosk_dash_heading (out, 1, NULL, D_("Alerts"));
  result_message (out, request);
  if (request->user->admin)
    {
      kiosk_html (out, "<p><a href=\"/alerts/rules\">");
      kiosk_html_txt (out, D_("Alert rules"));
      kiosk_html (out, "</a></p>\n");
    }

  kiosk_dash_heading (out, 2, "open", D_("Open"));
  if (open->len == 0)
    kiosk_dash_paragraph (out, D_("No alert is open."));
  else
    {
      kiosk_html (out, "<ul class=\"cards episodes\">\n");
      for (guint i = 0; i < open->len; i++)
        episode_card (out, request, g_ptr_array_index (open, i));
      kiosk_html (out, "</ul>\n");
    }

  kiosk_dash_heading (out, 2, "history", D_("History"));
  kiosk_dash_problem (out, problem->str);
  kiosk_dash_filter_form (out, request, &filter, conn);
  query = kiosk_dash_filter_query (&filter);
  if (total == 0)
    kiosk_dash_paragraph (out, D_("No alert closed in this period."));
  else
    {
      history_table (out, request, closed);
      pages = (guint) ((total + EPISODES_PER_PAGE - 1) / EPISODES_PER_PAGE);
    }
  if (pages > 1)
    kiosk_dash_pages_nav (out, request, D_("Pages of the history"), "/alerts", query, "history",
                          page, pages);
  kiosk_dash_download_link (out, request, "/alerts.csv", query);
  kiosk_dash_page_end (reply, request);
  kiosk_dash_filter_clear (&filter);
}

/* An instant for the CSV; NULL (an empty field) for 0, none. */
static char *
iso_time (gint64 unix_us)
{
  return unix_us != 0 ? kiosk_dash_csv_time (unix_us) : NULL;
}

void
kiosk_dash_alerts_csv (KioskDashRequest *request,
                       PGconn           *conn,
                       KioskDashReply   *reply)
{
  g_autoptr(GString) problem = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) closed = NULL;
  KioskDashFilter filter;

  kiosk_dash_filter_parse (request, &filter, problem);
  closed = kiosk_dash_data_episodes (conn, request->user, FALSE, &filter, 0, 0, NULL, &error);
  kiosk_dash_filter_clear (&filter);
  if (closed == NULL)
    {
      kiosk_dash_reply_database_error (reply, request, FALSE, error, "alerts");
      return;
    }
  kiosk_dash_reply_csv (reply, "alerts.csv");
  kiosk_dash_csv_row (reply->body, 13, "rule", "kind", "site", "kiosk", "opened_at",
                      "closed_at", "value", "responses", "window_minutes", "acknowledged_at",
                      "acknowledged_by", "ack_comment", "figure");
  for (guint i = 0; i < closed->len; i++)
    {
      KioskDashEpisode *e = g_ptr_array_index (closed, i);
      g_autofree char *opened = iso_time (e->opened_us);
      g_autofree char *closed_at = iso_time (e->closed_us);
      g_autofree char *acknowledged = iso_time (e->acknowledged_us);
      g_autofree char *value = isnan (e->value) ? NULL : g_strdup_printf ("%.1f", e->value);
      g_autofree char *responses = kiosk_dash_uint_csv (e->responses);
      g_autofree char *window = kiosk_dash_uint_csv (e->window_minutes);
      g_autofree char *figure = episode_figure (request, e);

      kiosk_dash_csv_row (reply->body, 13, e->rule_name, e->kind, e->site_name, e->device_id,
                          opened, closed_at, value, responses, window, acknowledged,
                          e->acknowledged_by, e->ack_comment, figure);
    }
}

void
kiosk_dash_alerts_acknowledge (KioskDashRequest *request,
                               PGconn           *conn,
                               KioskDashReply   *reply)
{
  const char *episode = g_hash_table_lookup (request->form, "episode");
  const char *comment = g_hash_table_lookup (request->form, "comment");
  g_autoptr(GError) error = NULL;
  g_autofree char *location = NULL;
  const char *result = "acknowledged";
  guint64 id = 0;
  gint64 site_id = 0;

  if (episode == NULL || !g_ascii_string_to_unsigned (episode, 10, 1, G_MAXINT64, &id, NULL))
    {
      kiosk_dash_reply_error (reply, request, 400, D_("The form names no alert."));
      return;
    }
  /* The episode's own site decides, never anything the form says. An episode of a site the
   * user may not see is as unknown as one that does not exist. */
  site_id = kiosk_dash_data_episode_site (conn, request->user, (gint64) id, &error);
  if (error != NULL)
    {
      kiosk_dash_reply_database_error (reply, request, FALSE, error, "alerts");
      return;
    }
  if (site_id == 0)
    {
      kiosk_dash_reply_error (reply, request, 404, D_("There is no such alert."));
      return;
    }
  comment = comment ? comment : "";
  if (g_utf8_strlen (comment, -1) > KIOSK_ALERT_ACK_MAX_CHARS)
    result = "too-long";
  else if (!kiosk_alert_acknowledge (conn, (gint64) id, request->user->name, comment, &error))
    {
      if (g_error_matches (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_EXISTS))
        result = "exists";
      else if (g_error_matches (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_UNKNOWN))
        result = "unknown";
      else if (g_error_matches (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_INVALID))
        result = "too-long";
      else
        {
          kiosk_dash_reply_database_error (reply, request, FALSE, error, "alerts");
          return;
        }
    }
  location = g_strdup_printf ("/alerts?result=%s#episode-%" G_GUINT64_FORMAT, result, id);
  kiosk_dash_redirect (reply, location);
}
