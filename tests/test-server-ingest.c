/* test-server-ingest: kiosk_server_ingest_batch against a real PostgreSQL. A batch of new events
 * goes by COPY straight into responses with local_time computed in C, so local_time is checked
 * against PostgreSQL's own "time AT TIME ZONE" around every change of offset of a few zones;
 * retries take the staging path, and the answers, the clock repair and the rollups must be what
 * they were. */
#include "config.h"

#include <string.h>

#include "kiosk-cloudevents.h"
#include "kiosk-server-db.h"
#include "kiosk-server-ingest.h"
#include "kiosk-server-surveys.h"
#include "kiosk-test-pg.h"
#include "kiosk-test-sync.h"

static KioskTestPg *pg;
static PGconn *conn;
static guint device_counter;

static char *
query_value (const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) result = kiosk_db_exec (conn, sql, 0, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (PQntuples (result), ==, 1);
  return g_strdup (PQgetvalue (result, 0, 0));
}

static void
run (const char *sql)
{
  g_autoptr(GError) error = NULL;

  if (!kiosk_db_run (conn, sql, &error))
    g_error ("%s\n%s", sql, error->message);
}

/* A new device on a new site in @zone. */
static void
device_new (KioskServerDevice *device,
            const char        *zone)
{
  g_autofree char *id = g_strdup_printf ("ingest-%u", ++device_counter);
  g_autofree char *sql = NULL;
  g_autofree char *site = NULL;
  char *literal = PQescapeLiteral (conn, zone, strlen (zone));

  sql = g_strdup_printf ("INSERT INTO sites (name, title, time_zone) VALUES ('%s', 'Site', %s) "
                         "RETURNING id", id, literal);
  PQfreemem (literal);
  site = query_value (sql);
  g_free (sql);
  sql = g_strdup_printf ("INSERT INTO devices (id, site_id, token_hash) "
                         "VALUES ('%s', %s, sha256 ('%s'::bytea))", id, site, id);
  run (sql);
  device->device_id = g_steal_pointer (&id);
  device->site_id = g_ascii_strtoll (site, NULL, 10);
  device->time_zone = g_strdup (zone);
}

/* @responses through the server's ingest; the status of each, as "a" / "d" / "r" letters. */
static char *
ingest (const KioskServerDevice *device,
        GPtrArray               *responses)
{
  g_autofree char *source = kiosk_cloudevents_source (device->device_id);
  g_autoptr(GString) json = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = NULL;
  g_autoptr(GString) letters = g_string_new (NULL);
  KioskIngestCounts counts;
  guint count = 0;
  const char *p;

  json = kiosk_cloudevents_build_batch (responses, source, KIOSK_CLOUDEVENTS_MAX_BYTES, &count);
  g_assert_cmpuint (count, ==, responses->len);
  events = kiosk_cloudevents_parse_batch (json->str, json->len, &error);
  g_assert_no_error (error);
  reply = kiosk_server_ingest_batch (conn, device, events, &counts, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_assert_cmpint (PQtransactionStatus (conn), ==, PQTRANS_IDLE);
  for (p = reply; (p = strstr (p, "\"status\":\"")) != NULL; p += strlen ("\"status\":\""))
    g_string_append_c (letters, p[strlen ("\"status\":\"")]);
  g_assert_cmpuint (letters->len, ==, responses->len);
  return g_string_free (g_steal_pointer (&letters), FALSE);
}

static KioskResponse *
response_at (gint64 seq,
             gint64 wall_us)
{
  return kiosk_test_make_response (seq, wall_us, seq * G_USEC_PER_SEC, (int) (seq % 4));
}

/* Whether this session has used the staging table: the batch took the staging path. */
static gboolean
staging_used (void)
{
  g_autofree char *value = query_value ("SELECT to_regclass ('pg_temp.staging') IS NOT NULL");

  return g_str_equal (value, "t");
}

/* A fresh session (no staging table yet) on the test cluster, started by the first test; FALSE
 * when the test is skipped for want of PostgreSQL. */
static gboolean
reconnect (void)
{
  g_autoptr(GError) error = NULL;

  if (kiosk_test_pg_skip_reason () != NULL)
    {
      g_test_skip (kiosk_test_pg_skip_reason ());
      return FALSE;
    }
  if (pg == NULL)
    {
      pg = kiosk_test_pg_start (&error);
      g_assert_no_error (error);
      conn = kiosk_db_connect (kiosk_test_pg_get_conninfo (pg), &error);
      g_assert_no_error (error);
      g_assert_true (kiosk_db_migrate (conn, NULL, NULL, &error));
      g_assert_true (kiosk_server_survey_ensure_demo (conn, &error));
      g_assert_no_error (error);
    }
  g_clear_pointer (&conn, PQfinish);
  conn = kiosk_db_connect (kiosk_test_pg_get_conninfo (pg), &error);
  g_assert_no_error (error);
  return TRUE;
}

static void
assert_local_times_exact (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) wrong = kiosk_db_exec (
    conn,
    "SELECT s.time_zone, r.time, r.local_time, r.time AT TIME ZONE s.time_zone "
    "FROM responses r JOIN sites s ON s.id = r.site_id "
    "WHERE r.local_time IS DISTINCT FROM r.time AT TIME ZONE s.time_zone", 0, NULL, &error);

  g_assert_no_error (error);
  for (int row = 0; row < PQntuples (wrong); row++)
    g_test_message ("%s: %s stored as %s, PostgreSQL says %s", PQgetvalue (wrong, row, 0),
                    PQgetvalue (wrong, row, 1), PQgetvalue (wrong, row, 2),
                    PQgetvalue (wrong, row, 3));
  g_assert_cmpint (PQntuples (wrong), ==, 0);
}

/* Rollups equal to a GROUP BY over responses, by every key. */
static void
assert_rollups_exact (void)
{
  g_autofree char *hours = query_value (
    "SELECT count (*) FROM ("
    " SELECT site_id, local_time::date AS d, extract (hour FROM local_time)::smallint AS h,"
    "  survey_id, scale, face, misuse, count (*) AS n FROM responses GROUP BY 1, 2, 3, 4, 5, 6, 7"
    ") g FULL JOIN (SELECT * FROM rollup_hours WHERE n <> 0) r"
    " ON (g.site_id, g.d, g.h, g.survey_id, g.scale, g.face, g.misuse) ="
    "    (r.site_id, r.local_date, r.local_hour, r.survey_id, r.scale, r.face, r.misuse)"
    " WHERE g.n IS DISTINCT FROM r.n");
  g_autofree char *days = query_value (
    "SELECT count (*) FROM ("
    " SELECT site_id, local_time::date AS d, survey_id, scale, face, misuse, count (*) AS n"
    " FROM responses GROUP BY 1, 2, 3, 4, 5, 6"
    ") g FULL JOIN (SELECT * FROM rollup_days WHERE n <> 0) r"
    " ON (g.site_id, g.d, g.survey_id, g.scale, g.face, g.misuse) ="
    "    (r.site_id, r.local_date, r.survey_id, r.scale, r.face, r.misuse)"
    " WHERE g.n IS DISTINCT FROM r.n");

  g_assert_cmpstr (hours, ==, "0");
  g_assert_cmpstr (days, ==, "0");
}

/* Around every change of @zone's offset in a few years (found with GLib to the second, which
 * is what is tested against PostgreSQL); far instants go by the staging path. */
static void
test_local_time (gconstpointer data)
{
  const char *zone_name = data;
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (zone_name);
  g_autoptr(GPtrArray) responses = g_ptr_array_new_with_free_func (
    (GDestroyNotify) kiosk_response_free);
  const int years[][2] = { { 1985, 1987 }, { 1996, 1998 }, { 2010, 2013 }, { 2024, 2028 },
                           { 2035, 2038 } };
  /* 1900, 2038-03-28T01:00Z, 2100, 2500: by the staging path */
  const gint64 far[] = { G_GINT64_CONSTANT (-2208988800), G_GINT64_CONSTANT (2153350800),
                         G_GINT64_CONSTANT (4102444800), G_GINT64_CONSTANT (16725225600) };
  g_autoptr(GPtrArray) far_responses = g_ptr_array_new_with_free_func (
    (GDestroyNotify) kiosk_response_free);
  KioskServerDevice device = { 0 };
  g_autofree char *statuses = NULL;
  g_autofree char *all_accepted = NULL;
  gint64 seq = 1;

  g_assert_nonnull (zone);
  for (guint y = 0; y < G_N_ELEMENTS (years); y++)
    {
      g_autoptr(GDateTime) start = g_date_time_new_utc (years[y][0], 1, 1, 0, 0, 0);
      g_autoptr(GDateTime) end = g_date_time_new_utc (years[y][1], 1, 1, 0, 0, 0);
      gint64 t = g_date_time_to_unix (start);
      int offset = g_time_zone_get_offset (zone, g_time_zone_find_interval (
                                             zone, G_TIME_TYPE_UNIVERSAL, t));

      for (; t < g_date_time_to_unix (end); t += 3600)
        {
          int next = g_time_zone_get_offset (zone, g_time_zone_find_interval (
                                               zone, G_TIME_TYPE_UNIVERSAL, t + 3600));
          gint64 lo = t, hi = t + 3600;

          if (next == offset)
            continue;
          /* The first second of the new offset: in (lo, hi]. */
          while (hi - lo > 1)
            {
              gint64 mid = lo + (hi - lo) / 2;

              if (g_time_zone_get_offset (zone, g_time_zone_find_interval (
                                            zone, G_TIME_TYPE_UNIVERSAL, mid)) == offset)
                lo = mid;
              else
                hi = mid;
            }
          g_ptr_array_add (responses, response_at (seq++, hi * G_USEC_PER_SEC - 1000));
          g_ptr_array_add (responses, response_at (seq++, hi * G_USEC_PER_SEC));
          g_ptr_array_add (responses, response_at (seq++, hi * G_USEC_PER_SEC + 999000));
          g_ptr_array_add (responses, response_at (seq++, (hi + 1800) * G_USEC_PER_SEC));
          offset = next;
        }
    }
  g_ptr_array_add (responses, response_at (seq++, 123000));   /* 1970 */
  g_assert_cmpuint (responses->len, <=, KIOSK_CLOUDEVENTS_MAX_EVENTS);
  g_test_message ("%s: %u instants", zone_name, responses->len);

  if (!reconnect ())
    return;
  device_new (&device, zone_name);
  statuses = ingest (&device, responses);
  all_accepted = g_strnfill (responses->len, 'a');
  g_assert_cmpstr (statuses, ==, all_accepted);
  /* A tz database name goes by COPY, with local_time from GLib. */
  g_assert_false (staging_used ());
  assert_local_times_exact ();

  for (guint i = 0; i < G_N_ELEMENTS (far); i++)
    g_ptr_array_add (far_responses, response_at (seq++, far[i] * G_USEC_PER_SEC + 123000));
  g_free (statuses);
  statuses = ingest (&device, far_responses);
  g_assert_cmpstr (statuses, ==, "aaaa");
  g_assert_true (staging_used ());
  assert_local_times_exact ();
  assert_rollups_exact ();
  kiosk_server_device_clear (&device);
}

/* A zone PostgreSQL reads otherwise than GLib ("CET" is an abbreviation for it, +01:00 all year)
 * takes the staging path, where PostgreSQL computes local_time as it always did. */
static void
test_local_time_abbreviation (void)
{
  g_autoptr(GPtrArray) responses = g_ptr_array_new_with_free_func (
    (GDestroyNotify) kiosk_response_free);
  KioskServerDevice device = { 0 };
  g_autofree char *statuses = NULL;
  g_autofree char *local = NULL;
  g_autofree char *sql = NULL;

  if (!reconnect ())
    return;
  device_new (&device, "CET");
  g_ptr_array_add (responses,
                   response_at (1, KIOSK_TEST_T0 + (gint64) 120 * 86400 * G_USEC_PER_SEC));
  statuses = ingest (&device, responses);
  g_assert_cmpstr (statuses, ==, "a");
  g_assert_true (staging_used ());
  assert_local_times_exact ();
  /* 2026-07-12T15:09:26.535Z */
  sql = g_strdup_printf ("SELECT to_char (local_time, 'HH24:MI') FROM responses "
                         "WHERE device_id = '%s'", device.device_id);
  local = query_value (sql);
  g_assert_cmpstr (local, ==, "16:09");
  kiosk_server_device_clear (&device);
}

/* A retry (the whole batch, or half of it with new events) and a reused seq: the COPY meets the
 * keys, the staging path answers event by event, nothing is stored twice. */
static void
test_retry (void)
{
  g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func (
    (GDestroyNotify) kiosk_response_free);
  g_autoptr(GPtrArray) again = g_ptr_array_new ();
  g_autoptr(GPtrArray) mixed = g_ptr_array_new_with_free_func (
    (GDestroyNotify) kiosk_response_free);
  KioskServerDevice device = { 0 };
  g_autofree char *statuses = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *sql = NULL;

  if (!reconnect ())
    return;
  device_new (&device, "Europe/Berlin");
  for (int i = 1; i <= 10; i++)
    g_ptr_array_add (first, response_at (i, KIOSK_TEST_T0 + i * 7 * G_USEC_PER_SEC));
  statuses = ingest (&device, first);
  g_assert_cmpstr (statuses, ==, "aaaaaaaaaa");
  g_assert_false (staging_used ());

  for (guint i = 0; i < first->len; i++)
    g_ptr_array_add (again, g_ptr_array_index (first, i));
  g_free (statuses);
  statuses = ingest (&device, again);
  g_assert_cmpstr (statuses, ==, "dddddddddd");
  g_assert_true (staging_used ());

  /* 6 … 10 again, 11 … 12 new, and a new event that claims seq 3. */
  for (int i = 6; i <= 10; i++)
    {
      KioskResponse *r = response_at (i, 0);

      g_free (r->uuid);
      r->uuid = g_strdup (((KioskResponse *) g_ptr_array_index (first, i - 1))->uuid);
      r->time = ((KioskResponse *) g_ptr_array_index (first, i - 1))->time;
      g_ptr_array_add (mixed, r);
    }
  for (int i = 11; i <= 12; i++)
    g_ptr_array_add (mixed, response_at (i, KIOSK_TEST_T0 + i * 7 * G_USEC_PER_SEC));
  g_ptr_array_add (mixed, response_at (3, KIOSK_TEST_T0));
  g_assert_true (reconnect ());
  g_free (statuses);
  statuses = ingest (&device, mixed);
  g_assert_cmpstr (statuses, ==, "dddddaar");
  g_assert_true (staging_used ());

  sql = g_strdup_printf ("SELECT count (*) FROM responses WHERE device_id = '%s'",
                         device.device_id);
  stored = query_value (sql);
  g_assert_cmpstr (stored, ==, "12");
  assert_local_times_exact ();
  assert_rollups_exact ();
  kiosk_server_device_clear (&device);
}

/* The clock repair on the COPY path: a boot learnt from a synchronised batch repairs the
 * unsynchronised responses of later batches, and a boot first seen unsynchronised is repaired
 * by the batch that teaches its offset; the rollups follow the repaired hours. */
static void
test_clock_repair (void)
{
  g_autoptr(GPtrArray) synced = g_ptr_array_new_with_free_func (
    (GDestroyNotify) kiosk_response_free);
  g_autoptr(GPtrArray) unsynced = g_ptr_array_new_with_free_func (
    (GDestroyNotify) kiosk_response_free);
  g_autoptr(GPtrArray) late = g_ptr_array_new_with_free_func (
    (GDestroyNotify) kiosk_response_free);
  KioskServerDevice device = { 0 };
  g_autofree char *statuses = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *wrong = NULL;
  const gint64 offset_us = KIOSK_TEST_T0 - 5 * G_USEC_PER_SEC;
  KioskResponse *r;

  if (!reconnect ())
    return;
  device_new (&device, "Europe/Berlin");

  /* Boot A: synchronised first (seq 1-2), then three unsynchronised, 1970 on the wall. */
  for (int i = 1; i <= 2; i++)
    g_ptr_array_add (synced,
                     kiosk_test_make_response (i, offset_us + (gint64) i * 3600 * G_USEC_PER_SEC,
                                               (gint64) i * 3600 * G_USEC_PER_SEC, 1));
  statuses = ingest (&device, synced);
  g_assert_cmpstr (statuses, ==, "aa");
  for (int i = 3; i <= 5; i++)
    {
      r = kiosk_test_make_response (i, i * G_USEC_PER_SEC, (gint64) i * 3600 * G_USEC_PER_SEC, 2);
      r->time.synced = FALSE;
      g_ptr_array_add (unsynced, r);
    }
  /* Boot B: unsynchronised, then taught by a later synchronised response. */
  r = kiosk_test_make_response (6, 42 * G_USEC_PER_SEC, (gint64) 7200 * G_USEC_PER_SEC, 3);
  r->time.synced = FALSE;
  g_free (r->boot_id);
  r->boot_id = g_strdup ("boot-b");
  g_ptr_array_add (unsynced, r);
  g_free (statuses);
  statuses = ingest (&device, unsynced);
  g_assert_cmpstr (statuses, ==, "aaaa");

  r = kiosk_test_make_response (7, offset_us + (gint64) 10800 * G_USEC_PER_SEC + 1000,
                                (gint64) 10800 * G_USEC_PER_SEC, 0);
  g_free (r->boot_id);
  r->boot_id = g_strdup ("boot-b");
  g_ptr_array_add (late, r);
  g_free (statuses);
  statuses = ingest (&device, late);
  g_assert_cmpstr (statuses, ==, "a");

  /* Every response on the synchronised clock of its boot: wall = monotonic + offset. */
  sql = g_strdup_printf ("SELECT count (*) FROM responses r JOIN device_boots b USING "
                         "(device_id, boot_id) WHERE device_id = '%s' AND ("
                         " (extract (epoch FROM time) * 1000000)::bigint"
                         "  <> b.offset_us + monotonic_ms * 1000"
                         " OR clock_repaired <> NOT clock_synced)", device.device_id);
  wrong = query_value (sql);
  g_assert_cmpstr (wrong, ==, "0");
  g_free (sql);
  sql = g_strdup_printf ("SELECT count (*) FROM responses WHERE device_id = '%s'",
                         device.device_id);
  g_free (wrong);
  wrong = query_value (sql);
  g_assert_cmpstr (wrong, ==, "7");
  assert_local_times_exact ();
  assert_rollups_exact ();
  kiosk_server_device_clear (&device);
}

int
main (int   argc,
      char *argv[])
{
  const char *zones[] = { "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                          "Asia/Kathmandu", "America/Sao_Paulo", "Pacific/Apia",
                          "Europe/Dublin", "Africa/Casablanca", "Pacific/Chatham", "UTC" };
  int status;

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (zones); i++)
    {
      g_autofree char *path = g_strconcat ("/server-ingest/local-time/", zones[i], NULL);

      g_test_add_data_func (path, zones[i], test_local_time);
    }
  g_test_add_func ("/server-ingest/local-time/abbreviation", test_local_time_abbreviation);
  g_test_add_func ("/server-ingest/retry", test_retry);
  g_test_add_func ("/server-ingest/clock-repair", test_clock_repair);

  status = g_test_run ();
  g_clear_pointer (&conn, PQfinish);
  g_clear_pointer (&pg, kiosk_test_pg_free);
  return status;
}
