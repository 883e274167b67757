/* test-server-alerts: alert rules against a real PostgreSQL. Responses are written at chosen
 * instants and the rules evaluated at chosen instants, so each case walks an episode's life:
 * it opens exactly once when its rule starts to hold (never once per response), carries the
 * window's reasons and comments, stays open while the rule holds, closes once it has not held
 * for the window, and queues its messages in the outbox once at each end. A silent kiosk alerts
 * only for silence inside opening hours; misuse is left out; two evaluators at once open one
 * episode; bad definitions get an error naming the field, from the library and the command. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "kiosk-server-alerts.h"
#include "kiosk-server-db.h"
#include "kiosk-test-seed.h"
#include "kiosk-test-server-process.h"

static KioskTestServerProcess *srv;
static guint db_counter;

typedef struct
{
  PGconn            *conn;
  char              *conninfo;
  KioskServerConfig *config;
} Fixture;

static void
run (PGconn     *conn,
     const char *sql)
{
  g_autoptr(GError) error = NULL;

  if (!kiosk_db_run (conn, sql, &error))
    g_error ("%s\n%s", sql, error->message);
}

static char *
query (PGconn     *conn,
       const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) result = kiosk_db_exec (conn, sql, 0, NULL, &error);

  g_assert_no_error (error);
  if (PQntuples (result) == 0 || PQgetisnull (result, 0, 0))
    return NULL;
  return g_strdup (PQgetvalue (result, 0, 0));
}

/* Asserts that the first value of @sql is @expected. */
static void
assert_query (PGconn     *conn,
              const char *sql,
              const char *expected)
{
  g_autofree char *value = query (conn, sql);

  g_assert_cmpstr (value, ==, expected);
}

static gint64
query_int (PGconn     *conn,
           const char *sql)
{
  g_autofree char *value = query (conn, sql);

  g_assert_nonnull (value);
  return g_ascii_strtoll (value, NULL, 10);
}

static gint64
utc_us (const char *iso)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (time);
  return g_date_time_to_unix (time) * G_USEC_PER_SEC;
}

/* Evaluates every rule at @iso and returns how many episodes opened or closed. */
static guint
evaluate_at (Fixture    *f,
             gint64      site_id,
             const char *iso)
{
  g_autoptr(GError) error = NULL;
  guint changed = 0;

  g_assert_true (kiosk_alerts_evaluate (f->conn, f->config, site_id, utc_us (iso), &changed,
                                        &error));
  g_assert_no_error (error);
  return changed;
}

/* Plaza and Dock are open around the clock, in group "north"; Lobby is open 09:00–17:00 every
 * day. All three are in Helsinki: UTC+2 in December. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;

  if (srv == NULL)
    return;
  name = g_strdup_printf ("alerts_%u", ++db_counter);
  sql = g_strdup_printf ("CREATE DATABASE %s", name);
  g_assert_true (kiosk_test_pg_exec (kiosk_test_server_process_get_pg (srv), sql, &error));
  g_assert_no_error (error);
  f->conninfo = g_strdup_printf ("%s dbname=%s",
                                 kiosk_test_pg_get_conninfo (kiosk_test_server_process_get_pg (srv)),
                                 name);
  f->conn = kiosk_db_connect (f->conninfo, &error);
  g_assert_no_error (error);
  g_assert_true (kiosk_db_migrate (f->conn, NULL, NULL, &error));
  g_assert_no_error (error);
  f->config = kiosk_server_config_new_default ();
  f->config->mail_from = g_strdup ("Smiley Kiosk <kiosk@example.com>");
  f->config->dashboard_public_url = g_strdup ("https://dash.example.com/");
  run (f->conn,
       "INSERT INTO site_groups (name, title) VALUES ('north', 'North');"
       "INSERT INTO sites (name, title, time_zone, group_id, opening_hours) VALUES"
       " ('plaza', 'Plaza', 'Europe/Helsinki', 1, NULL),"
       " ('dock', 'Dock', 'Europe/Helsinki', 1, NULL),"
       " ('lobby', 'Lobby', 'Europe/Helsinki', NULL,"
       "  '{\"monday\": \"09:00-17:00\", \"tuesday\": \"09:00-17:00\","
       "    \"wednesday\": \"09:00-17:00\", \"thursday\": \"09:00-17:00\","
       "    \"friday\": \"09:00-17:00\", \"saturday\": \"09:00-17:00\","
       "    \"sunday\": \"09:00-17:00\"}');"
       "INSERT INTO devices (id, site_id, token_hash, created_at) VALUES"
       " ('dP', 1, decode (repeat ('01', 32), 'hex'), '2026-01-01Z'),"
       " ('dD', 2, decode (repeat ('02', 32), 'hex'), '2026-01-01Z'),"
       " ('dL', 3, decode (repeat ('03', 32), 'hex'), '2026-12-01 14:50Z');");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->conn, PQfinish);
  g_clear_pointer (&f->config, kiosk_server_config_free);
  g_clear_pointer (&f->conninfo, g_free);
}

static void
add_rule (Fixture        *f,
          KioskAlertRule *rule)
{
  g_autoptr(GError) error = NULL;

  if (!kiosk_alert_rule_save (f->conn, rule, FALSE, &error))
    g_error ("%s", error->message);
}

static KioskAlertRule *
rule_for_site (KioskAlertKind kind,
               const char    *name,
               const char    *site)
{
  KioskAlertRule *rule = kiosk_alert_rule_new (kind);

  rule->name = g_strdup (name);
  rule->site = g_strdup (site);
  return rule;
}

/* The library's checks: every problem of a definition at once, each naming its field. */
static void
test_rule_check (void)
{
  g_autoptr(KioskAlertRule) rule = kiosk_alert_rule_new (KIOSK_ALERT_UNHAPPY_SHARE);
  g_autoptr(GError) error = NULL;

  g_assert_cmpfloat (rule->threshold, ==, 50);
  g_assert_cmpuint (rule->window_minutes, ==, 15);
  g_assert_cmpuint (rule->min_responses, ==, 4);

  rule->name = g_strdup ("bad name!");
  rule->site = g_strdup ("plaza");
  rule->group = g_strdup ("north");
  rule->threshold = 150;
  rule->window_minutes = 0;
  g_ptr_array_add (rule->emails, g_strdup ("not an address"));
  rule->webhook_url = g_strdup ("http://chat.example.com/hook");
  g_free (rule->webhook_format);
  rule->webhook_format = g_strdup ("irc");
  g_free (rule->language);
  rule->language = g_strdup ("xx");
  g_assert_false (kiosk_alert_rule_check (rule, &error));
  g_assert_error (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_INVALID);
  g_test_message ("%s", error->message);
  for (guint i = 0; i < 8; i++)
    {
      static const char * const expected[] = {
        "name: “bad name!”", "site, group: a rule watches one site or one group",
        "threshold: 150 is not a percentage", "window: 0 minutes",
        "email: “not an address” is not an e-mail address",
        "webhook: “http://chat.example.com/hook” would cross the network in clear text",
        "webhook-format: “irc”", "language: “xx”",
      };

      g_assert_nonnull (strstr (error->message, expected[i]));
    }
  {
    g_auto(GStrv) lines = g_strsplit (error->message, "\n", -1);

    g_assert_cmpuint (g_strv_length (lines), ==, 8);
  }

  /* Fixed: valid. A webhook on this machine may be plain http. */
  g_clear_error (&error);
  g_free (rule->name);
  rule->name = g_strdup ("lunch-queue");
  g_clear_pointer (&rule->group, g_free);
  rule->threshold = 60;
  rule->window_minutes = 10;
  g_ptr_array_set_size (rule->emails, 0);
  g_ptr_array_add (rule->emails, g_strdup ("manager@example.com"));
  g_free (rule->webhook_url);
  rule->webhook_url = g_strdup ("http://127.0.0.1:9/hook");
  g_free (rule->webhook_format);
  rule->webhook_format = g_strdup ("slack");
  g_free (rule->language);
  rule->language = g_strdup ("de");
  g_assert_true (kiosk_alert_rule_check (rule, &error));
  g_assert_no_error (error);

  /* Each kind's threshold has its own meaning. */
  rule->kind = KIOSK_ALERT_VERY_UNHAPPY_COUNT;
  rule->threshold = 2.5;
  g_assert_false (kiosk_alert_rule_check (rule, &error));
  g_assert_nonnull (strstr (error->message, "threshold: 2.5 is not a count"));
  g_clear_error (&error);
  rule->kind = KIOSK_ALERT_SILENT_KIOSK;
  rule->threshold = 10;
  g_assert_false (kiosk_alert_rule_check (rule, &error));
  g_assert_nonnull (strstr (error->message, "threshold: a silent-kiosk rule has none"));
}

/* Storage: unknown scopes, duplicate names, changing and removing. */
static void
test_rule_storage (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(KioskAlertRule) rule = NULL;
  g_autoptr(KioskAlertRule) loaded = NULL;
  g_autoptr(GError) error = NULL;

  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  rule = rule_for_site (KIOSK_ALERT_UNHAPPY_SHARE, "queue", "nowhere");
  g_assert_false (kiosk_alert_rule_save (f->conn, rule, FALSE, &error));
  g_assert_error (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_UNKNOWN);
  g_assert_nonnull (strstr (error->message, "no site is called “nowhere”"));
  g_clear_error (&error);

  g_free (rule->site);
  rule->site = g_strdup ("plaza");
  g_ptr_array_add (rule->emails, g_strdup ("a@example.com"));
  g_ptr_array_add (rule->emails, g_strdup ("b@example.com"));
  add_rule (f, rule);
  g_assert_false (kiosk_alert_rule_save (f->conn, rule, FALSE, &error));
  g_assert_error (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_EXISTS);
  g_clear_error (&error);

  /* Changed: one address fewer, another threshold. */
  g_ptr_array_set_size (rule->emails, 1);
  rule->threshold = 75;
  g_assert_true (kiosk_alert_rule_save (f->conn, rule, TRUE, &error));
  g_assert_no_error (error);
  loaded = kiosk_alert_rule_load (f->conn, "queue", &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (loaded->threshold, ==, 75);
  g_assert_cmpstr (loaded->site, ==, "plaza");
  g_assert_null (loaded->group);
  g_assert_cmpuint (loaded->emails->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (loaded->emails, 0), ==, "a@example.com");

  g_free (rule->name);
  rule->name = g_strdup ("missing");
  g_assert_false (kiosk_alert_rule_save (f->conn, rule, TRUE, &error));
  g_assert_error (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_UNKNOWN);
  g_clear_error (&error);
  g_assert_true (kiosk_alert_rule_remove (f->conn, "queue", &error));
  g_assert_false (kiosk_alert_rule_remove (f->conn, "queue", &error));
  g_assert_error (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_UNKNOWN);
}

#define EPISODES(f) query_int ((f)->conn, "SELECT count (*) FROM alert_episodes")
#define OPEN_EPISODES(f) \
  query_int ((f)->conn, "SELECT count (*) FROM alert_episodes WHERE closed_at IS NULL")
#define DELIVERIES(f) query_int ((f)->conn, "SELECT count (*) FROM deliveries")

/* HappyOrNot's rule: ≥ 50 % unhappy of ≥ 4 responses within 15 minutes. */
static void
test_unhappy_share (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(KioskAlertRule) rule = NULL;
  g_autofree char *reasons = NULL;
  g_autofree char *comments = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *webhook = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  rule = rule_for_site (KIOSK_ALERT_UNHAPPY_SHARE, "queue", "plaza");
  g_ptr_array_add (rule->emails, g_strdup ("manager@example.com"));
  g_ptr_array_add (rule->emails, g_strdup ("desk@example.com"));
  rule->webhook_url = g_strdup ("http://127.0.0.1:9/hook");
  g_free (rule->webhook_format);
  rule->webhook_format = g_strdup ("json");
  add_rule (f, rule);

  /* Three unhappy within the window: below the four responses the rule needs. */
  kiosk_test_seed_responses (f->conn, "dP", "2026-12-01 10:00:00Z", 2, 1, FALSE, "why",
                             "[\"slow\"]", NULL);
  kiosk_test_seed_responses (f->conn, "dP", "2026-12-01 10:00:20Z", 1, 0, FALSE, "why",
                             "[\"slow\", \"rude\"]", "Waited for ages");
  /* Misuse is left out: four more very unhappy presses count for nothing. */
  kiosk_test_seed_responses (f->conn, "dP", "2026-12-01 10:00:25Z", 4, 0, TRUE, NULL, NULL,
                             NULL);
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-01T10:01:00Z"), ==, 0);
  g_assert_cmpint (EPISODES (f), ==, 0);

  /* The fourth: 4 of 4 unhappy. One episode, one message per address and the webhook. */
  kiosk_test_seed_responses (f->conn, "dP", "2026-12-01 10:00:40Z", 1, 1, FALSE, "why",
                             "[\"dirty\"]", "Sticky tables");
  g_assert_cmpuint (evaluate_at (f, 1, "2026-12-01T10:01:00Z"), ==, 1);
  g_assert_cmpint (EPISODES (f), ==, 1);
  g_assert_cmpint (DELIVERIES (f), ==, 3);
  g_assert_cmpint (query_int (f->conn, "SELECT count (*) FROM deliveries WHERE "
                              "channel = 'email'"), ==, 2);
  g_assert_cmpint (query_int (f->conn, "SELECT round (value) FROM alert_episodes"), ==, 100);
  g_assert_cmpint (query_int (f->conn, "SELECT responses FROM alert_episodes"), ==, 4);
  subject = query (f->conn, "SELECT subject FROM deliveries WHERE channel = 'email' LIMIT 1");
  g_assert_cmpstr (subject, ==, "Alert at Plaza: 100% unhappy within 15 min (n = 4)");

  /* The top reasons (slow 3, then dirty and rude 1 each, by name) and the latest comments. */
  reasons = query (f->conn, "SELECT reasons::text FROM alert_episodes");
  node = json_from_string (reasons, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_node_get_array (node), 0), "option"),
                   ==, "slow");
  g_assert_cmpint (json_object_get_int_member (
                     json_array_get_object_element (json_node_get_array (node), 0), "n"),
                   ==, 3);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_node_get_array (node), 1), "option"),
                   ==, "dirty");
  comments = query (f->conn, "SELECT comments->0->>'text' || ' / ' || (comments->0->>'local_time')"
                             " || ' / ' || (comments->1->>'text') FROM alert_episodes");
  g_assert_cmpstr (comments, ==, "Sticky tables / 2026-12-01 12:00 / Waited for ages");

  /* The webhook's event, in the json format. */
  webhook = query (f->conn, "SELECT convert_from (payload, 'UTF8') FROM deliveries "
                            "WHERE channel = 'webhook'");
  g_clear_pointer (&node, json_node_unref);
  node = json_from_string (webhook, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "type"), ==,
                   "alert.opened");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "rule"), ==,
                   "queue");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (json_node_get_object (node), "site"), "name"),
                   ==, "plaza");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "link"), ==,
                   "https://dash.example.com/alerts");

  /* More unhappy presses while it holds: the same episode, no new message. */
  kiosk_test_seed_responses (f->conn, "dP", "2026-12-01 10:01:30Z", 6, 0, FALSE, NULL, NULL,
                             NULL);
  g_assert_cmpuint (evaluate_at (f, 1, "2026-12-01T10:02:30Z"), ==, 0);
  g_assert_cmpint (EPISODES (f), ==, 1);
  g_assert_cmpint (DELIVERIES (f), ==, 3);

  /* Recovery: happy responses bring the share below half; the episode stays open until the
   * rule has not held for 15 minutes (it last held at 10:02:30). */
  kiosk_test_seed_responses (f->conn, "dP", "2026-12-01 10:03:00Z", 30, 3, FALSE, NULL, NULL,
                             NULL);
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-01T10:10:00Z"), ==, 0);
  g_assert_cmpint (OPEN_EPISODES (f), ==, 1);
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-01T10:17:00Z"), ==, 0);
  g_assert_cmpint (OPEN_EPISODES (f), ==, 1);
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-01T10:17:30Z"), ==, 1);
  g_assert_cmpint (OPEN_EPISODES (f), ==, 0);
  g_assert_cmpint (DELIVERIES (f), ==, 6);
  g_assert_cmpint (query_int (f->conn, "SELECT count (*) FROM deliveries "
                              "WHERE subject = 'Resolved at Plaza: queue'"), ==, 3);
  /* Closed stays closed, and in the history. */
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-01T10:30:00Z"), ==, 0);
  g_assert_cmpint (DELIVERIES (f), ==, 6);

  /* A second wave is a second episode. */
  kiosk_test_seed_responses (f->conn, "dP", "2026-12-01 11:00:00Z", 5, 0, FALSE, NULL, NULL,
                             NULL);
  g_assert_cmpuint (evaluate_at (f, 1, "2026-12-01T11:01:00Z"), ==, 1);
  g_assert_cmpint (EPISODES (f), ==, 2);
  g_assert_cmpint (OPEN_EPISODES (f), ==, 1);
  g_assert_cmpint (DELIVERIES (f), ==, 9);
}

/* A count of very unhappy; a group's rule watches each of its sites on its own. */
static void
test_very_unhappy_group (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(KioskAlertRule) rule = kiosk_alert_rule_new (KIOSK_ALERT_VERY_UNHAPPY_COUNT);

  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  rule->name = g_strdup ("angry");
  rule->group = g_strdup ("north");
  g_ptr_array_add (rule->emails, g_strdup ("north@example.com"));
  add_rule (f, rule);

  kiosk_test_seed_responses (f->conn, "dP", "2026-12-01 10:00:00Z", 2, 0, FALSE, NULL, NULL,
                             NULL);
  kiosk_test_seed_responses (f->conn, "dP", "2026-12-01 10:00:30Z", 5, 1, FALSE, NULL, NULL,
                             NULL);
  kiosk_test_seed_responses (f->conn, "dD", "2026-12-01 10:00:00Z", 3, 0, FALSE, NULL, NULL,
                             NULL);
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-01T10:02:00Z"), ==, 1);
  g_assert_cmpint (query_int (f->conn, "SELECT site_id FROM alert_episodes"), ==, 2);
  kiosk_test_seed_responses (f->conn, "dP", "2026-12-01 10:02:30Z", 1, 0, FALSE, NULL, NULL,
                             NULL);
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-01T10:03:00Z"), ==, 1);
  g_assert_cmpint (OPEN_EPISODES (f), ==, 2);
  g_assert_cmpint (DELIVERIES (f), ==, 2);
  g_assert_cmpint (query_int (f->conn, "SELECT count (DISTINCT site_id) FROM alert_episodes"),
                   ==, 2);
}

/* The Happy Index of the site's local day, with enough responses. */
static void
test_happy_index (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(KioskAlertRule) rule = rule_for_site (KIOSK_ALERT_HAPPY_INDEX, "day", "plaza");

  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  add_rule (f, rule);
  /* 21:30 UTC on 1 December is 23:30 in Helsinki. 12 very happy and 7 very unhappy: 19
   * responses, fewer than the rule's 20. */
  kiosk_test_seed_responses (f->conn, "dP", "2026-12-01 21:30:00Z", 12, 3, FALSE, NULL, NULL,
                             NULL);
  kiosk_test_seed_responses (f->conn, "dP", "2026-12-01 21:35:00Z", 7, 0, FALSE, NULL, NULL,
                             NULL);
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-01T21:40:00Z"), ==, 0);
  /* The 20th: 1200 / 20 = 60, below 70. */
  kiosk_test_seed_responses (f->conn, "dP", "2026-12-01 21:40:00Z", 1, 0, FALSE, NULL, NULL,
                             NULL);
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-01T21:41:00Z"), ==, 1);
  g_assert_cmpint (query_int (f->conn, "SELECT round (value) FROM alert_episodes"), ==, 60);
  g_assert_cmpint (query_int (f->conn, "SELECT responses FROM alert_episodes"), ==, 20);
  /* Worse: 1200 / 21 = 57; the peak follows, the episode is the same. */
  kiosk_test_seed_responses (f->conn, "dP", "2026-12-01 21:42:00Z", 1, 0, FALSE, NULL, NULL,
                             NULL);
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-01T21:43:00Z"), ==, 0);
  g_assert_cmpint (query_int (f->conn, "SELECT round (peak_value) FROM alert_episodes"), ==, 57);
  /* Past local midnight the new day has no responses: it no longer holds, and an hour after
   * it last held (the rule's window) the episode closes. */
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-01T22:30:00Z"), ==, 0);
  g_assert_cmpint (OPEN_EPISODES (f), ==, 1);
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-01T22:44:00Z"), ==, 1);
  g_assert_cmpint (OPEN_EPISODES (f), ==, 0);
}

static void
heartbeat (Fixture    *f,
           const char *device,
           const char *utc)
{
  g_autofree char *sql =
    g_strdup_printf ("INSERT INTO device_health (device_id, received_at, version, uptime_s,"
                     " queue_depth, oldest_pending_age_s, dead_letter_count, clock_synced,"
                     " survey_version, last_seq) VALUES ('%s', '%s', '1.0', 1, 0, 0, 0, true,"
                     " 1, 0) ON CONFLICT (device_id) DO UPDATE SET received_at = '%s'",
                     device, utc, utc);

  run (f->conn, sql);
}

/* Lobby is open 09:00–17:00 Helsinki time (07:00–15:00 UTC); its kiosk was last heard at
 * 16:50 local. Silence counts only inside opening hours: 10 minutes before closing, then the
 * next morning's minutes from 09:00. */
static void
test_silent_kiosk (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(KioskAlertRule) rule = rule_for_site (KIOSK_ALERT_SILENT_KIOSK, "silent", "lobby");

  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  rule->webhook_url = g_strdup ("http://127.0.0.1:9/hook");
  g_free (rule->webhook_format);
  rule->webhook_format = g_strdup ("slack");
  add_rule (f, rule);

  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-01T15:30:00Z"), ==, 0);   /* 17:30, closed */
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-02T01:00:00Z"), ==, 0);   /* 03:00 */
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-02T07:04:00Z"), ==, 0);   /* 09:04: 14 min */
  g_assert_cmpint (EPISODES (f), ==, 0);
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-02T07:06:00Z"), ==, 1);   /* 09:06: 16 min */
  assert_query (f->conn, "SELECT device_id FROM alert_episodes", "dL");
  g_assert_cmpint (query_int (f->conn, "SELECT value FROM alert_episodes"), ==, 16);
  g_assert_cmpint (DELIVERIES (f), ==, 1);
  {
    g_autofree char *payload = query (f->conn, "SELECT convert_from (payload, 'UTF8') "
                                               "FROM deliveries");

    g_assert_nonnull (strstr (payload, "Kiosk dL silent for 16 min of opening time"));
  }

  /* Heard again at 09:10: no longer silent; closed 15 minutes after it last held (09:06). */
  heartbeat (f, "dL", "2026-12-02 07:10:00Z");
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-02T07:12:00Z"), ==, 0);
  g_assert_cmpint (OPEN_EPISODES (f), ==, 1);
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-02T07:20:59Z"), ==, 0);
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-02T07:21:00Z"), ==, 1);
  g_assert_cmpint (OPEN_EPISODES (f), ==, 0);

  /* A kiosk on a site open around the clock is silent after 15 minutes, whatever the hour. */
  {
    g_autoptr(KioskAlertRule) plaza = rule_for_site (KIOSK_ALERT_SILENT_KIOSK, "silent-plaza",
                                                     "plaza");

    add_rule (f, plaza);
    heartbeat (f, "dP", "2026-12-02 01:00:00Z");
    g_assert_cmpuint (evaluate_at (f, 0, "2026-12-02T01:14:00Z"), ==, 0);
    g_assert_cmpuint (evaluate_at (f, 0, "2026-12-02T01:16:00Z"), ==, 1);
  }
}

typedef struct
{
  const char        *conninfo;
  KioskServerConfig *config;
  gint64             now_us;
  GMutex             lock;
  GCond              go;
  gboolean           started;
  guint              changed;
} Race;

static gpointer
race_thread (gpointer data)
{
  Race *race = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = kiosk_db_connect (race->conninfo, &error);
  guint changed = 0;

  g_assert_no_error (error);
  g_mutex_lock (&race->lock);
  while (!race->started)
    g_cond_wait (&race->go, &race->lock);
  g_mutex_unlock (&race->lock);
  g_assert_true (kiosk_alerts_evaluate (conn, race->config, 0, race->now_us, &changed, &error));
  g_assert_no_error (error);
  g_mutex_lock (&race->lock);
  race->changed += changed;
  g_mutex_unlock (&race->lock);
  return NULL;
}

/* Two servers sharing the database evaluate at the same moment: one episode, one message. */
static void
test_two_evaluators (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(KioskAlertRule) rule = rule_for_site (KIOSK_ALERT_UNHAPPY_SHARE, "queue", "plaza");

  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  g_ptr_array_add (rule->emails, g_strdup ("manager@example.com"));
  add_rule (f, rule);

  for (guint round = 0; round < 10; round++)
    {
      g_autofree char *at = g_strdup_printf ("2026-12-01 %02u:00:00Z", 10 + round);
      g_autofree char *before = g_strdup_printf ("2026-12-01T%02u:00:00Z", 10 + round);
      g_autofree char *iso = g_strdup_printf ("2026-12-01T%02u:01:00Z", 10 + round);
      Race race = { .conninfo = f->conninfo, .config = f->config, .now_us = utc_us (iso) };
      GThread *threads[4];

      /* The last round's episode has not held for an hour: it closes first. */
      g_assert_cmpuint (evaluate_at (f, 0, before), ==, round == 0 ? 0 : 1);
      g_mutex_init (&race.lock);
      g_cond_init (&race.go);
      kiosk_test_seed_responses (f->conn, "dP", at, 4, 0, FALSE, NULL, NULL, NULL);
      for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
        threads[t] = g_thread_new ("race", race_thread, &race);
      g_usleep (50000);
      g_mutex_lock (&race.lock);
      race.started = TRUE;
      g_cond_broadcast (&race.go);
      g_mutex_unlock (&race.lock);
      for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
        g_thread_join (threads[t]);
      g_assert_cmpuint (race.changed, ==, 1);
      g_mutex_clear (&race.lock);
      g_cond_clear (&race.go);
    }
  g_assert_cmpint (EPISODES (f), ==, 10);
  g_assert_cmpint (OPEN_EPISODES (f), ==, 1);
  g_assert_cmpint (DELIVERIES (f), ==, 19);
}

/* Acknowledgement, once; a disabled rule's open episode ends without a message. */
static void
test_acknowledge_and_disable (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(KioskAlertRule) rule = rule_for_site (KIOSK_ALERT_UNHAPPY_SHARE, "queue", "plaza");
  g_autoptr(GError) error = NULL;
  gint64 id;

  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  g_ptr_array_add (rule->emails, g_strdup ("manager@example.com"));
  add_rule (f, rule);
  kiosk_test_seed_responses (f->conn, "dP", "2026-12-01 10:00:00Z", 4, 1, FALSE, NULL, NULL,
                             NULL);
  g_assert_cmpuint (evaluate_at (f, 1, "2026-12-01T10:01:00Z"), ==, 1);
  id = query_int (f->conn, "SELECT id FROM alert_episodes");

  g_assert_true (kiosk_alert_acknowledge (f->conn, id, "anna", "Opened a second till", &error));
  g_assert_no_error (error);
  assert_query (f->conn, "SELECT acknowledged_by || ': ' || ack_comment FROM alert_episodes",
                "anna: Opened a second till");
  g_assert_false (kiosk_alert_acknowledge (f->conn, id, "ben", "", &error));
  g_assert_error (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "by anna"));
  g_clear_error (&error);
  g_assert_false (kiosk_alert_acknowledge (f->conn, id + 100, "ben", NULL, &error));
  g_assert_error (error, KIOSK_ALERT_ERROR, KIOSK_ALERT_ERROR_UNKNOWN);
  g_clear_error (&error);

  rule->enabled = FALSE;
  g_assert_true (kiosk_alert_rule_save (f->conn, rule, TRUE, &error));
  g_assert_cmpuint (evaluate_at (f, 0, "2026-12-01T10:02:00Z"), ==, 0);
  g_assert_cmpint (OPEN_EPISODES (f), ==, 0);
  g_assert_cmpint (DELIVERIES (f), ==, 1);
}

/* The command line: the same checks, with their messages and exit status 2. */
static void
test_command (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  g_assert_cmpint (kiosk_test_server_admin (srv, NULL, NULL, "site", "add", "cli-site",
                                            "--time-zone", "Europe/Paris", NULL), ==, 0);
  g_assert_cmpint (kiosk_test_server_admin (srv, NULL, &err, "alert", "add", "r1", "--site",
                                            "cli-site", "--kind", "unhappy-share",
                                            "--threshold", "0", "--email", "x@", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "alert add: threshold: 0 is not a percentage"));
  g_assert_nonnull (strstr (err, "alert add: email: “x@” is not an e-mail address"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (kiosk_test_server_admin (srv, NULL, &err, "alert", "add", "r1", "--site",
                                            "cli-site", "--kind", "loud", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--kind: “loud” is not"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (kiosk_test_server_admin (srv, NULL, &err, "alert", "add", "r1", "--site",
                                            "cli-site", "--kind", "unhappy-share", "--window",
                                            "soon", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--window: “soon” is not a whole number"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (kiosk_test_server_admin (srv, &out, NULL, "alert", "add", "r1", "--site",
                                            "cli-site", "--kind", "unhappy-share", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "dashboard only"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (kiosk_test_server_admin (srv, NULL, NULL, "alert", "set", "r1", "--threshold",
                                            "65", "--email", "boss@example.com", NULL), ==, 0);
  g_assert_cmpint (kiosk_test_server_admin (srv, &out, NULL, "alert", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "r1"));
  g_assert_nonnull (strstr (out, "65"));
  g_assert_nonnull (strstr (out, "boss@example.com"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (kiosk_test_server_admin (srv, NULL, &err, "alert", "add", "r1", "--site",
                                            "cli-site", "--kind", "silent-kiosk", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "exists already"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (kiosk_test_server_admin (srv, NULL, &err, "alert", "acknowledge", "abc",
                                            NULL), ==, 2);
  g_assert_nonnull (strstr (err, "“abc” is not an alert's number"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (kiosk_test_server_admin (srv, &out, NULL, "alert", "evaluate", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "0 alerts opened or closed"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (kiosk_test_server_admin (srv, NULL, NULL, "alert", "remove", "r1", NULL),
                   ==, 0);
  g_assert_cmpint (kiosk_test_server_admin (srv, NULL, &err, "alert", "remove", "r1", NULL),
                   ==, 1);
  g_assert_nonnull (strstr (err, "no rule is called “r1”"));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  srv = kiosk_test_server_process_start_or_skip (FALSE);

  g_test_add_func ("/alerts/rule-check", test_rule_check);
  g_test_add ("/alerts/rule-storage", Fixture, NULL, fixture_set_up, test_rule_storage,
              fixture_tear_down);
  g_test_add ("/alerts/unhappy-share", Fixture, NULL, fixture_set_up, test_unhappy_share,
              fixture_tear_down);
  g_test_add ("/alerts/very-unhappy-group", Fixture, NULL, fixture_set_up,
              test_very_unhappy_group, fixture_tear_down);
  g_test_add ("/alerts/happy-index", Fixture, NULL, fixture_set_up, test_happy_index,
              fixture_tear_down);
  g_test_add ("/alerts/silent-kiosk", Fixture, NULL, fixture_set_up, test_silent_kiosk,
              fixture_tear_down);
  g_test_add ("/alerts/two-evaluators", Fixture, NULL, fixture_set_up, test_two_evaluators,
              fixture_tear_down);
  g_test_add ("/alerts/acknowledge-and-disable", Fixture, NULL, fixture_set_up,
              test_acknowledge_and_disable, fixture_tear_down);
  g_test_add_func ("/alerts/command", test_command);

  status = g_test_run ();
  g_clear_pointer (&srv, kiosk_test_server_process_free);
  return status;
}
