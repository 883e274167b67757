/* kiosk-dash-fleet.c: the page "/fleet" (admins): every kiosk's latest heartbeat as
 * device_health holds it, red when it has been silent for 15 minutes of its site's opening
 * time, when its storage is failing or when a configured button device is not connected. A
 * kiosk older than the heartbeat's storage and buttons shows them as unknown ("–"). */
#define G_LOG_DOMAIN "kiosk-dash"

#include "kiosk-dash-data.h"
#include "kiosk-dash-pages.h"
#include "kiosk-html.h"

static GPtrArray *
load (KioskDashRequest *request,
      PGconn           *conn,
      KioskDashReply   *reply)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *kiosks = kiosk_dash_data_fleet (conn, request->user, g_get_real_time (), &error);

  if (kiosks == NULL)
    {
      kiosk_dash_reply_database_error (reply, request, FALSE, error, "fleet");
    }
  return kiosks;
}

static void
td_count (GString          *out,
          KioskDashRequest *request,
          gint64            value)
{
  g_autofree char *text = kiosk_dash_format_count (request, (guint64) MAX (value, 0));

  kiosk_html (out, "<td class=\"num\">");
  kiosk_html_txt (out, text);
  kiosk_html (out, "</td>");
}

static void
alert (GString    *out,
       const char *text)
{
  kiosk_html (out, "<strong class=\"alert\">");
  kiosk_html_txt (out, text);
  kiosk_html (out, "</strong>");
}

/* "ok" and "recovered" (a damaged database was set aside, and the new one works) are fine;
 * "failing" is not, nor is a state a later kiosk may send that this server does not know. */
static gboolean
storage_in_trouble (const KioskDashKiosk *k)
{
  return k->storage_state != NULL && !g_str_equal (k->storage_state, "ok") &&
         !g_str_equal (k->storage_state, "recovered");
}

static gboolean
buttons_in_trouble (const KioskDashKiosk *k)
{
  return k->buttons_configured > 0 && k->buttons_connected < k->buttons_configured;
}

static void
td_storage (GString              *out,
            KioskDashRequest     *request,
            const KioskDashKiosk *k)
{
  const char *state;

  kiosk_html (out, "<td class=\"storage\">");
  if (k->storage_state == NULL)
    {
      kiosk_html_txt (out, "–");
      kiosk_html (out, "</td>");
      return;
    }

  if (g_str_equal (k->storage_state, "ok"))
    /* Translators: fleet page, a kiosk's storage */
    state = D_("OK");
  else if (g_str_equal (k->storage_state, "recovered"))
    /* Translators: fleet page, a kiosk's storage: a damaged database was set aside */
    state = D_("recovered");
  else if (g_str_equal (k->storage_state, "failing"))
    /* Translators: fleet page, a kiosk's storage: writing fails, responses are held in memory */
    state = D_("failing");
  else
    state = k->storage_state;
  if (storage_in_trouble (k))
    alert (out, state);
  else
    kiosk_html_txt (out, state);

  if (k->storage_database_bytes >= 0)
    {
      g_autofree char *size = g_format_size ((guint64) k->storage_database_bytes);

      kiosk_html (out, "<br>");
      /* Translators: fleet page, the size of a kiosk's response database, e.g. "2.1 MB used" */
      kiosk_html_txtf (out, D_("%s used"), size);
    }
  if (k->storage_free_bytes >= 0)
    {
      g_autofree char *size = g_format_size ((guint64) k->storage_free_bytes);

      kiosk_html (out, "<br>");
      /* Translators: fleet page, the free space on a kiosk's disk, e.g. "5.4 GB free" */
      kiosk_html_txtf (out, D_("%s free"), size);
    }
  kiosk_html (out, "</td>");
}

static void
td_buttons (GString              *out,
            KioskDashRequest     *request,
            const KioskDashKiosk *k)
{
  kiosk_html (out, "<td class=\"buttons\">");
  if (k->buttons_configured < 0)
    kiosk_html_txt (out, "–");
  else if (k->buttons_configured == 0)
    /* Translators: fleet page: a kiosk without physical buttons */
    kiosk_html_txt (out, D_("touch only"));
  else
    {
      g_autofree char *connected = kiosk_dash_format_count (request,
                                                            (guint64) k->buttons_connected);
      g_autofree char *configured = kiosk_dash_format_count (request,
                                                             (guint64) k->buttons_configured);
      /* Translators: fleet page: button devices connected of those configured, "1 of 2" */
      g_autofree char *text = g_strdup_printf (D_("%s of %s connected"), connected, configured);

      if (buttons_in_trouble (k))
        alert (out, text);
      else
        kiosk_html_txt (out, text);
    }
  kiosk_html (out, "</td>");
}

void
kiosk_dash_fleet (KioskDashRequest *request,
                  PGconn           *conn,
                  KioskDashReply   *reply)
{
  g_autoptr(GPtrArray) kiosks = load (request, conn, reply);
  GString *out = reply->body;
  guint silent = 0;

  if (kiosks == NULL)
    return;

  kiosk_dash_page_begin (reply, request, D_("Fleet"), "fleet");
  kiosk_dash_heading (out, 1, NULL, D_("Fleet"));
  for (guint i = 0; i < kiosks->len; i++)
    silent += ((KioskDashKiosk *) g_ptr_array_index (kiosks, i))->silent ? 1 : 0;
  kiosk_html (out, "<p>");
  kiosk_html_txtf (out, D_("%u kiosks, %u silent for 15 minutes or more of opening time."),
                   kiosks->len, silent);
  kiosk_html (out, "</p>\n");
  kiosk_dash_table_begin (out, "fleet", NULL, D_("Kiosk"), D_("Site"), D_("Last heartbeat"),
                          D_("Version"), D_("Survey"), D_("Queue"), D_("Oldest pending"),
                          D_("Dead letters"), D_("Storage"), D_("Buttons"), D_("Clock"),
                          D_("Last error"), NULL);
  for (guint i = 0; i < kiosks->len; i++)
    {
      KioskDashKiosk *k = g_ptr_array_index (kiosks, i);

      kiosk_html (out, k->silent ? "<tr class=\"silent\">" : "<tr>");
      kiosk_html (out, "<th scope=\"row\">");
      kiosk_html_txt (out, k->device_id);
      kiosk_html (out, "</th><td>");
      kiosk_dash_site_link (out, k->site_name, k->site_title, NULL);
      kiosk_html (out, "</td><td>");
      if (k->heard)
        {
          g_autofree char *time = kiosk_dash_format_time (request, k->last_heartbeat_us,
                                                          k->time_zone);
          kiosk_html_txt (out, time);
        }
      else
        kiosk_html_txt (out, D_("never"));
      if (k->silent)
        {
          kiosk_html (out, " ");
          alert (out, D_("silent"));
        }
      kiosk_html (out, "</td>");
      if (!k->heard)
        {
          kiosk_html (out, "<td colspan=\"9\"></td></tr>\n");
          continue;
        }
      kiosk_html (out, "<td>");
      kiosk_html_txt (out, k->version);
      kiosk_html (out, "</td><td>");
      if (k->survey_id != NULL)
        kiosk_html_txtf (out, "%s v%" G_GINT64_FORMAT, k->survey_id, k->survey_version);
      kiosk_html (out, "</td>");
      td_count (out, request, k->queue_depth);
      kiosk_html (out, "<td class=\"num\">");
      if (k->queue_depth > 0)
        {
          g_autofree char *minutes = kiosk_dash_format_count (request,
                                                              
                                                              (guint64) MAX (k->oldest_pending_age_s, 0) / 60);

          /* Translators: the age of the oldest response waiting on a kiosk, in minutes */
          kiosk_html_txtf (out, D_("%s min"), minutes);
        }
      kiosk_html (out, "</td>");
      td_count (out, request, k->dead_letter_count);
      td_storage (out, request, k);
      td_buttons (out, request, k);
      kiosk_html (out, "<td>");
      kiosk_html_txt (out, k->clock_synced ? D_("synchronised") : D_("not synchronised"));
      kiosk_html (out, "</td><td>");
      kiosk_html_txt (out, k->last_error);
      kiosk_html (out, "</td></tr>\n");
    }
  kiosk_html (out, "</tbody></table>\n");
  kiosk_dash_download_link (out, request, "/fleet.csv", NULL);
  kiosk_dash_page_end (reply, request);
}

void
kiosk_dash_fleet_csv (KioskDashRequest *request,
                      PGconn           *conn,
                      KioskDashReply   *reply)
{
  g_autoptr(GPtrArray) kiosks = load (request, conn, reply);

  if (kiosks == NULL)
    return;
  kiosk_dash_reply_csv (reply, "fleet.csv");
  /* The optional heartbeat members last, so a reader of the older file finds its columns. */
  kiosk_dash_csv_row (reply->body, 19, "kiosk", "site", "last_heartbeat", "version",
                      "uptime_s", "survey", "survey_version", "queue_depth",
                      "oldest_pending_age_s", "dead_letters", "clock_synced",
                      "last_upload_ok_at", "last_error", "silent", "storage_state",
                      "database_bytes", "free_bytes", "buttons_configured",
                      "buttons_connected");
  for (guint i = 0; i < kiosks->len; i++)
    {
      KioskDashKiosk *k = g_ptr_array_index (kiosks, i);
      g_autofree char *heartbeat = k->heard ? kiosk_dash_csv_time (k->last_heartbeat_us) : NULL;
      g_autofree char *uptime = kiosk_dash_int_csv (k->heard, k->uptime_s);
      g_autofree char *version = kiosk_dash_int_csv (k->heard, k->survey_version);
      g_autofree char *queue = kiosk_dash_int_csv (k->heard, k->queue_depth);
      g_autofree char *oldest = kiosk_dash_int_csv (k->heard, k->oldest_pending_age_s);
      g_autofree char *dead = kiosk_dash_int_csv (k->heard, k->dead_letter_count);
      /* Empty when not reported, as in the heartbeat. */
      g_autofree char *database = kiosk_dash_int_csv (k->storage_database_bytes >= 0,
                                                      k->storage_database_bytes);
      g_autofree char *free_space = kiosk_dash_int_csv (k->storage_free_bytes >= 0,
                                                        k->storage_free_bytes);
      g_autofree char *configured = kiosk_dash_int_csv (k->buttons_configured >= 0,
                                                        k->buttons_configured);
      g_autofree char *connected = kiosk_dash_int_csv (k->buttons_configured >= 0,
                                                       k->buttons_connected);
      kiosk_dash_csv_row (reply->body, 19, k->device_id, k->site_name, heartbeat, k->version,
                          uptime, k->survey_id, version, queue, oldest, dead,
                          k->heard ? (k->clock_synced ? "yes" : "no") : NULL,
                          k->last_upload_ok_at, k->last_error, k->silent ? "yes" : "no",
                          k->storage_state, database, free_space, configured, connected);
    }
}
