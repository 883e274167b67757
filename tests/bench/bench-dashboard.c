/* bench-dashboard.c: every page of the managers' dashboard over a year of a fleet's responses.
 *
 * The data: a private PostgreSQL (packaging/pg-cluster.sh) with the server's own migrations
 * ("migrate"), 200 sites (7 site types with their opening hours, 8 countries in 9 time zones,
 * 8 groups), 2 to 5 kiosks each, and --responses (10 000 000) responses over the last 365 local
 * days of each site: busy and quiet sites (one busiest), weekdays and seasons, hours of the day
 * within opening hours (peaking mid-day), faces by site quality with a lunch-time dip, follow-up
 * reasons on about 45 % of unhappy and 20 % of very happy answers, comments on 3 %, misuse on 2 %.
 * They are generated in SQL (INSERT … SELECT from generate_series, a few days of every site per
 * statement, --jobs connections at once) through the real responses table, so its statement
 * triggers (migration 003) fill rollup_hours, rollup_days and rollup_reasons as ingest does. The
 * responses table's indexes are dropped for the load and built again after it (the same
 * definitions, read back from the catalogue), then VACUUM ANALYZE. --data-dir keeps the cluster:
 * a later run with the same --responses reuses it (the days stay those of the day it was made).
 *
 * The measure: smiley-kiosk-server serves the dashboard on loopback; this program signs in as an
 * admin and as a viewer of 10 sites (libcurl, one keep-alive connection) and requests every
 * page --requests times after two unmeasured ones: latency from the request to its last byte
 * (p50, p95, max), and from pg_stat_statements (reset before each page) the PostgreSQL execution
 * time per request and the statement that took most of it. The target: p95 <= 100 ms. */
#define G_LOG_DOMAIN "bench-dashboard"

#include "bench-config.h"

#include <curl/curl.h>
#include <libpq-fe.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <glib/gstdio.h>

#include "bench-util.h"

#define GOAL_P95_MS       100.0
#define N_SITES           200
#define DAYS              365
#define CHUNK_DAYS        7
#define ADMIN_PASSWORD    "bench admin long password"
#define VIEWER_PASSWORD   "bench viewer long password"
#define START_TIMEOUT_S   60

static gint64 opt_responses = 10000000;
static int opt_requests = 50;
static int opt_jobs = 2;
static gboolean opt_quick;
static gboolean opt_regenerate;
static gboolean opt_generate_only;
static char *opt_data_dir;
static char *opt_server = NULL;
static char *opt_pg_cluster = NULL;
static char *opt_pages = NULL;

static GOptionEntry entries[] = {
  { "responses", 'n', 0, G_OPTION_ARG_INT64, &opt_responses,
    "Responses to generate (default 10 000 000)", "N" },
  { "requests", 'r', 0, G_OPTION_ARG_INT, &opt_requests,
    "Measured requests per page (default 50)", "N" },
  { "quick", 0, 0, G_OPTION_ARG_NONE, &opt_quick,
    "For CI: 100 000 responses, 20 requests per page", NULL },
  { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_data_dir,
    "Keep the cluster in DIR and reuse it when it holds the same data (default: a temporary "
    "directory, removed)", "DIR" },
  { "regenerate", 0, 0, G_OPTION_ARG_NONE, &opt_regenerate,
    "Generate the data again even when --data-dir holds it", NULL },
  { "generate-only", 0, 0, G_OPTION_ARG_NONE, &opt_generate_only,
    "Generate (or check) the data, measure nothing", NULL },
  { "jobs", 'j', 0, G_OPTION_ARG_INT, &opt_jobs,
    "Connections generating at once (default 2)", "N" },
  { "pages", 0, 0, G_OPTION_ARG_STRING, &opt_pages,
    "Only the pages whose label contains one of these words (comma-separated)", "WORDS" },
  { "server", 0, 0, G_OPTION_ARG_FILENAME, &opt_server,
    "smiley-kiosk-server to run (default: the build's)", "PATH" },
  { "pg-cluster", 0, 0, G_OPTION_ARG_FILENAME, &opt_pg_cluster,
    "pg-cluster.sh to run (default: the source tree's)", "PATH" },
  { NULL }
};

/* The fleet: sites, groups, surveys, kiosks with their latest heartbeat, and how many responses
 * each site gets on each of its local days (bench.site_days). :total and :days are replaced. */
static const char setup_sql[] =
  "SELECT setseed (0.2026);\n"
  "CREATE SCHEMA bench;\n"
  "CREATE TABLE bench.types (k int PRIMARY KEY, type text, open_h int, close_h int,\n"
  "                          closed int[], rate float8);\n"
  "INSERT INTO bench.types VALUES\n"
  "  (0, 'supermarket', 8, 22, '{}', 1.5), (1, 'restaurant', 11, 23, '{1}', 0.8),\n"
  "  (2, 'hospital', 0, 24, '{}', 0.9), (3, 'airport-gate', 5, 24, '{}', 1.3),\n"
  "  (4, 'museum', 10, 18, '{1}', 0.6), (5, 'office', 7, 19, '{6,7}', 0.5),\n"
  "  (6, 'pharmacy', 9, 20, '{7}', 0.7);\n"
  "CREATE TABLE bench.places (k int PRIMARY KEY, country text, tz text, lang text, city text);\n"
  "INSERT INTO bench.places VALUES\n"
  "  (0, 'FI', 'Europe/Helsinki', 'fi', 'helsinki'), (1, 'DE', 'Europe/Berlin', 'de', 'berlin'),\n"
  "  (2, 'FR', 'Europe/Paris', 'fr', 'paris'), (3, 'ES', 'Europe/Madrid', 'es', 'madrid'),\n"
  "  (4, 'GB', 'Europe/London', 'en', 'london'), (5, 'US', 'America/New_York', 'en', 'newyork'),\n"
  "  (6, 'US', 'America/Los_Angeles', 'en', 'losangeles'),\n"
  "  (7, 'SE', 'Europe/Stockholm', 'en', 'stockholm'), (8, 'DE', 'Europe/Berlin', 'de', 'munich'),\n"
  "  (9, 'FI', 'Europe/Helsinki', 'fi', 'tampere');\n"
  "INSERT INTO site_groups (name, title)\n"
  "  SELECT DISTINCT 'region-' || lower (country), 'Region ' || country FROM bench.places;\n"
  "INSERT INTO surveys (survey_id, version, body, etag, scale) VALUES\n"
  "  ('default', 1, '{}', 'default-1', 4), ('dining', 1, '{}', 'dining-1', 5);\n"
  "CREATE TABLE bench.sites AS\n"
  "  SELECT i, format ('%s-%s-%s', t.type, p.city, lpad (i::text, 3, '0')) AS name,\n"
  "         t.type, t.open_h, t.close_h, t.closed, p.country, p.tz, p.lang,\n"
  "         CASE WHEN i = 1 THEN 10.0 ELSE exp (random () * 1.6 - 0.8) * t.rate END AS weight,\n"
  "         random () * 1.2 - 0.6 AS quality, 2 + i % 4 AS ndev,\n"
  "         CASE WHEN t.type = 'restaurant' THEN 'dining' ELSE 'default' END AS survey\n"
  "  FROM generate_series (1, 200) AS i\n"
  "  JOIN bench.types t ON t.k = i % 7 JOIN bench.places p ON p.k = (i * 3) % 10;\n"
  "INSERT INTO sites (id, name, title, time_zone, site_type, country, opening_hours, group_id,\n"
  "                   created_at)\n"
  "  SELECT s.i, s.name, initcap (replace (s.name, '-', ' ')), s.tz, s.type, s.country,\n"
  "         CASE WHEN s.type = 'hospital' THEN NULL ELSE\n"
  "           (SELECT jsonb_object_agg (day, CASE WHEN dow = ANY (s.closed) THEN 'closed'\n"
  "                     ELSE format ('%s:00-%s:00', lpad (s.open_h::text, 2, '0'), s.close_h) END)\n"
  "            FROM unnest (ARRAY['monday', 'tuesday', 'wednesday', 'thursday', 'friday',\n"
  "                               'saturday', 'sunday']) WITH ORDINALITY AS w (day, dow)) END,\n"
  "         CASE WHEN s.i % 10 = 0 THEN NULL ELSE g.id END, now () - interval '400 days'\n"
  "  FROM bench.sites s LEFT JOIN site_groups g ON g.name = 'region-' || lower (s.country);\n"
  "SELECT setval ('sites_id_seq', 200);\n"
  "CREATE TABLE bench.devices AS\n"
  "  SELECT s.i AS site_id, d, format ('k%s-%s', lpad (s.i::text, 3, '0'), d) AS id\n"
  "  FROM bench.sites s, generate_series (0, s.ndev - 1) AS d;\n"
  "INSERT INTO devices (id, site_id, token_hash, created_at, last_seen_at)\n"
  "  SELECT id, site_id, sha256 (convert_to (id, 'UTF8')), now () - interval '400 days',\n"
  "         now () - random () * interval '10 minutes'\n"
  "  FROM bench.devices;\n"
  "INSERT INTO device_health (device_id, received_at, version, uptime_s, queue_depth,\n"
  "                           oldest_pending_age_s, dead_letter_count, last_upload_ok_at,\n"
  "                           last_error, clock_synced, survey_id, survey_version, last_seq)\n"
  "  SELECT d.id, now () - CASE WHEN random () < 0.03 THEN interval '3 hours'\n"
  "                             ELSE random () * interval '5 minutes' END,\n"
  "         '1.0.0', 86400 * 3, 0, 0, 0, to_char (now (), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), NULL,\n"
  "         true, s.survey, 1, 0\n"
  "  FROM bench.devices d JOIN bench.sites s ON s.i = d.site_id;\n"
  "-- Responses per site and local day (0: a year ago, DAYS - 1: today): busy days, closed days.\n"
  "CREATE TABLE bench.site_days AS\n"
  "  SELECT s.i AS site_id, d, (now () AT TIME ZONE s.tz)::date - (:days - 1 - d) AS day,\n"
  "         CASE WHEN extract (isodow FROM (now () AT TIME ZONE s.tz)::date - (:days - 1 - d))::int\n"
  "                     = ANY (s.closed) THEN 0\n"
  "              ELSE s.weight * (0.75 + 0.5 * random ())\n"
  "                   * (1 + 0.2 * sin (2 * pi () * d / 365.0))\n"
  "                   * CASE extract (isodow FROM (now () AT TIME ZONE s.tz)::date - (:days - 1 - d))\n"
  "                       WHEN 6 THEN 1.3 WHEN 7 THEN 0.9 ELSE 1 END END AS raw\n"
  "  FROM bench.sites s, generate_series (0, :days - 1) AS d;\n"
  "ALTER TABLE bench.site_days ADD COLUMN n int;\n"
  "UPDATE bench.site_days SET n = floor (raw * :total / (SELECT sum (raw) FROM bench.site_days)\n"
  "                                      + random ());\n"
  "CREATE INDEX ON bench.site_days (d);\n"
  "ANALYZE bench.site_days;\n";

/* One chunk of days ($1 to $2 of bench.site_days) of every site. The seq of a response is
 * day * 100000 + its number that day, so it is unique per kiosk; event_id follows it. */
static const char chunk_sql[] =
  "INSERT INTO responses (device_id, event_id, seq, site_id, survey_id, survey_version, scale, face,\n"
  "                       input, language, time, local_time, utc_offset_s, misuse, misuse_rule,\n"
  "                       follow_up_id, follow_up_selected, follow_up_outcome, comment, boot_id,\n"
  "                       monotonic_ms, clock_synced, clock_corrected, received_at)\n"
  "SELECT dev, (substr (md5 (dev), 1, 16) || lpad (to_hex (seq), 16, '0'))::uuid, seq, site_id,\n"
  "       survey, 1, scale, face, 'touch', lang, lt AT TIME ZONE tz, lt,\n"
  "       extract (epoch FROM lt - ((lt AT TIME ZONE tz) AT TIME ZONE 'UTC'))::int,\n"
  "       r_misuse < 0.02, CASE WHEN r_misuse < 0.02 THEN 'response-interval' END,\n"
  "       fu, CASE WHEN fu IS NULL THEN NULL WHEN r_fu < 0.1 THEN '[]'::jsonb\n"
  "                WHEN r_two < 0.3 THEN jsonb_build_array (opts[o1 + 1], opts[(o1 + 1 + o2) % 5 + 1])\n"
  "                ELSE jsonb_build_array (opts[o1 + 1]) END,\n"
  "       CASE WHEN fu IS NULL THEN NULL WHEN r_fu < 0.1 THEN 'skipped' ELSE 'answered' END,\n"
  "       CASE WHEN r_comment < 0.03 THEN (ARRAY['Great service, thank you!',\n"
  "         'Waited far too long at the counter.', 'The toilets were not clean.',\n"
  "         'Friendly staff.', 'Too expensive for what you get.', 'Could not find what I needed.',\n"
  "         'Very quick today, well done.', 'The music was too loud.'])[1 + (seq % 8)::int] END,\n"
  "       dev || '-b' || (seq / 1400000), (seq % 100000) * 60000, true, false,\n"
  "       (lt AT TIME ZONE tz) + interval '5 seconds'\n"
  "FROM (\n"
  "  SELECT *, CASE WHEN face * 2 < scale - 1 AND r_fu < 0.45 THEN 'why-unhappy'\n"
  "                 WHEN face = scale - 1 AND r_fu < 0.2 THEN 'why-happy' END AS fu,\n"
  "            CASE WHEN face * 2 < scale - 1 THEN ARRAY['waiting', 'staff', 'cleanliness', 'price', 'choice']\n"
  "                 ELSE ARRAY['staff', 'speed', 'cleanliness', 'friendly', 'choice'] END AS opts\n"
  "  FROM (\n"
  "    SELECT *, CASE WHEN scale = 5 THEN\n"
  "                CASE WHEN r_face < 0.05 - 0.03 * q THEN 0 WHEN r_face < 0.13 - 0.07 * q THEN 1\n"
  "                     WHEN r_face < 0.30 - 0.1 * q THEN 2 WHEN r_face < 0.62 - 0.1 * q THEN 3 ELSE 4 END\n"
  "              ELSE\n"
  "                CASE WHEN r_face < 0.07 - 0.05 * q + rush THEN 0\n"
  "                     WHEN r_face < 0.20 - 0.11 * q + 2 * rush THEN 1\n"
  "                     WHEN r_face < 0.58 - 0.1 * q THEN 2 ELSE 3 END END AS face\n"
  "    FROM (SELECT *, CASE WHEN extract (hour FROM lt) IN (12, 17) THEN 0.03 ELSE 0 END AS rush FROM (\n"
  "      SELECT s.i AS site_id, s.tz, s.lang, s.survey, s.quality AS q,\n"
  "             CASE WHEN s.survey = 'dining' THEN 5 ELSE 4 END AS scale,\n"
  "             format ('k%s-%s', lpad (s.i::text, 3, '0'), g.j % s.ndev) AS dev,\n"
  "             sd.d::bigint * 100000 + g.j AS seq,\n"
  "             sd.day + (s.open_h * 3600 + (s.close_h - s.open_h) * 3600\n"
  "                       * (random () + random ()) / 2) * interval '1 second' AS lt,\n"
  "             random () AS r_face, random () AS r_fu, random () AS r_two, random () AS r_misuse,\n"
  "             random () AS r_comment, floor (power (random (), 1.6) * 5)::int AS o1,\n"
  "             floor (random () * 3)::int AS o2\n"
  "      FROM bench.site_days sd JOIN bench.sites s ON s.i = sd.site_id,\n"
  "           generate_series (1, sd.n) AS g (j)\n"
  "      WHERE sd.d BETWEEN $1::int AND $2::int) a0) a\n"
  "    WHERE lt <= now () AT TIME ZONE tz) b) c;\n";

static volatile sig_atomic_t interrupted;

static void
on_signal (int sig)
{
  interrupted = 1;
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static double
seconds_since (gint64 start_us)
{
  return (g_get_monotonic_time () - start_us) / 1e6;
}

/* "10 000 000" */
static char *
thousands (gint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0 && digits[i - 1] != '-')
        g_string_append_c (out, ' ');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* Runs @argv with @input on stdin; its stdout in @out. */
static gboolean
run (const char * const *argv,
     const char         *input,
     char              **out,
     GError            **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               error);
  if (process == NULL ||
      !g_subprocess_communicate_utf8 (process, input ? input : "", NULL, &stdout_text,
                                      &stderr_text, error))
    return FALSE;
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s failed: %s%s", argv[0],
                   argv[1], stderr_text, stdout_text);
      return FALSE;
    }
  if (out)
    *out = g_steal_pointer (&stdout_text);
  return TRUE;
}

/* The cluster */

static char *
cluster (const char  *action,
         const char  *dir,
         GError     **error)
{
  const char *argv[] = { opt_pg_cluster, action, dir, NULL };
  g_autofree char *out = NULL;
  char *last;

  if (!run (argv, NULL, &out, error))
    return NULL;
  g_strchomp (out);
  last = strrchr (out, '\n');
  return g_strdup (last ? last + 1 : out);
}

static void
ignore_notice (void       *arg,
               const char *message)
{
}

static PGconn *
connect_db (const char  *conninfo,
            GError     **error)
{
  PGconn *conn = PQconnectdb (conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "connecting to %s: %s", conninfo,
                   PQerrorMessage (conn));
      PQfinish (conn);
      return NULL;
    }
  PQsetNoticeProcessor (conn, ignore_notice, NULL);
  return conn;
}

static gboolean
exec (PGconn      *conn,
      const char  *sql,
      GError     **error)
{
  PGresult *result = PQexec (conn, sql);
  ExecStatusType status = PQresultStatus (result);

  PQclear (result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s\nin: %.300s",
                   PQerrorMessage (conn), sql);
      return FALSE;
    }
  return TRUE;
}

/* The first value of the first row; NULL on an error or without a row. */
static char *
query_value (PGconn     *conn,
             const char *sql)
{
  PGresult *result = PQexec (conn, sql);
  char *value = NULL;

  if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) > 0 &&
      !PQgetisnull (result, 0, 0))
    value = g_strdup (PQgetvalue (result, 0, 0));
  PQclear (result);
  return value;
}

/* Settings for a server of this size (the defaults are for a small machine), and
 * pg_stat_statements, which needs a restart. Returns the conninfo of the running cluster. */
static char *
start_cluster (const char  *dir,
               GError     **error)
{
  g_autofree char *conninfo = cluster ("start", dir, error);
  PGconn *conn;
  g_autofree char *preload = NULL;

  if (conninfo == NULL)
    return NULL;
  conn = connect_db (conninfo, error);
  if (conn == NULL)
    return NULL;
  preload = query_value (conn, "SHOW shared_preload_libraries");
  if (preload == NULL || strstr (preload, "pg_stat_statements") == NULL)
    {
      gboolean ok = exec (conn, "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'",
                          error) &&
                    exec (conn, "ALTER SYSTEM SET shared_buffers = '512MB'", error) &&
                    exec (conn, "ALTER SYSTEM SET max_wal_size = '8GB'", error) &&
                    exec (conn, "ALTER SYSTEM SET checkpoint_timeout = '30min'", error);

      PQfinish (conn);
      if (!ok)
        return NULL;
      g_free (cluster ("stop", dir, NULL));
      g_free (conninfo);
      conninfo = cluster ("start", dir, error);
      if (conninfo == NULL)
        return NULL;
      conn = connect_db (conninfo, error);
      if (conn == NULL)
        return NULL;
    }
  if (!exec (conn, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements", error))
    {
      PQfinish (conn);
      return NULL;
    }
  PQfinish (conn);
  return g_steal_pointer (&conninfo);
}

/* Generation */

typedef struct
{
  const char *conninfo;
  int         n_chunks;
  gint        next;        /* atomic */
  GError     *error;       /* the first, under lock */
  GMutex      lock;
} Chunks;

static gpointer
chunk_worker (gpointer data)
{
  Chunks *chunks = data;
  g_autoptr(GError) error = NULL;
  PGconn *conn = connect_db (chunks->conninfo, &error);
  int i;

  if (conn != NULL)
    PQsetNoticeProcessor (conn, ignore_notice, NULL);
  if (conn != NULL && !exec (conn, "SET jit = off", &error))
    g_clear_pointer (&conn, PQfinish);
  while (conn != NULL && !interrupted &&
         (i = g_atomic_int_add (&chunks->next, 1)) < chunks->n_chunks)
    {
      g_autofree char *d0 = g_strdup_printf ("%d", i * CHUNK_DAYS);
      g_autofree char *d1 = g_strdup_printf ("%d", MIN (DAYS, (i + 1) * CHUNK_DAYS) - 1);
      g_autofree char *seed = g_strdup_printf ("SELECT setseed (%f)",
                                               (double) (i + 1) / (chunks->n_chunks + 1));
      const char *params[] = { d0, d1 };
      PGresult *result;

      if (!exec (conn, seed, &error))
        break;
      result = PQexecParams (conn, chunk_sql, 2, NULL, params, NULL, NULL, 0);
      if (PQresultStatus (result) != PGRES_COMMAND_OK)
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "days %s to %s: %s", d0, d1,
                     PQerrorMessage (conn));
      PQclear (result);
      if (error != NULL)
        break;
    }
  if (conn != NULL)
    PQfinish (conn);
  if (error != NULL)
    {
      g_mutex_lock (&chunks->lock);
      if (chunks->error == NULL)
        chunks->error = g_steal_pointer (&error);
      g_mutex_unlock (&chunks->lock);
    }
  return NULL;
}

typedef struct
{
  double setup_s;
  double insert_s;
  double index_s;
  double vacuum_s;
  double total_s;
  gint64 responses;
} Generation;

static gboolean
migrate_and_users (const char  *conninfo,
                   PGconn      *conn,
                   GError     **error)
{
  const char *migrate[] = { opt_server, "--database", conninfo, "migrate", NULL };
  const char *admin[] = { opt_server, "--database", conninfo, "user", "add", "bench-admin",
                          "--admin", NULL };
  g_autofree char *sites = NULL;
  const char *viewer[] = { opt_server, "--database", conninfo, "user", "add", "bench-viewer",
                           "--viewer", "--sites", NULL, NULL };

  if (conn == NULL)
    return run (migrate, NULL, NULL, error);
  if (!run (admin, ADMIN_PASSWORD "\n", NULL, error))
    return FALSE;
  /* Without @conn: the migrations; with it, the users: an admin, and a viewer of the busiest
   * site and nine others of several types and countries. */
  sites = query_value (conn, "SELECT string_agg (name, ',' ORDER BY id) FROM sites "
                             "WHERE id IN (1, 12, 23, 34, 45, 56, 67, 78, 89, 100)");
  viewer[8] = sites;
  return run (viewer, VIEWER_PASSWORD "\n", NULL, error);
}

static gboolean
generate (const char  *conninfo,
          Generation  *gen,
          GError     **error)
{
  PGconn *conn = connect_db (conninfo, error);
  g_autoptr(GString) sql = g_string_new (setup_sql);
  g_autofree char *total = g_strdup_printf ("%" G_GINT64_FORMAT, opt_responses);
  g_autofree char *days = g_strdup_printf ("%d", DAYS);
  g_autoptr(GPtrArray) workers = g_ptr_array_new ();
  g_auto(GStrv) create = NULL;
  g_autofree char *count = NULL;
  PGresult *result;
  Chunks chunks = { conninfo, (DAYS + CHUNK_DAYS - 1) / CHUNK_DAYS, 0, NULL };
  gint64 start = g_get_monotonic_time (), t;

  if (conn == NULL)
    return FALSE;
  PQsetNoticeProcessor (conn, ignore_notice, NULL);
  g_string_replace (sql, ":total", total, 0);
  g_string_replace (sql, ":days", days, 0);
  if (!migrate_and_users (conninfo, NULL, error) || !exec (conn, "SET jit = off", error) ||
      !exec (conn, "BEGIN", error) || !exec (conn, sql->str, error) ||
      !exec (conn, "COMMIT", error) || !migrate_and_users (conninfo, conn, error))
    goto fail;
  gen->setup_s = seconds_since (start);

  /* The indexes and constraints of responses, as the migrations made them. */
  result = PQexec (conn,
                   "SELECT CASE WHEN c.conname IS NOT NULL"
                   "  THEN format ('ALTER TABLE responses ADD CONSTRAINT %I %s', c.conname,"
                   "               pg_get_constraintdef (c.oid))"
                   "  ELSE replace (pg_get_indexdef (i.indexrelid), ' ON ONLY ', ' ON ') END,"
                   " CASE WHEN c.conname IS NOT NULL"
                   "  THEN format ('ALTER TABLE responses DROP CONSTRAINT %I', c.conname)"
                   "  ELSE format ('DROP INDEX %I', i.indexrelid::regclass::text) END "
                   "FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid"
                   " AND c.conrelid = i.indrelid "
                   "WHERE i.indrelid = 'responses'::regclass ORDER BY 1");
  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", PQerrorMessage (conn));
      PQclear (result);
      goto fail;
    }
  create = g_new0 (char *, PQntuples (result) + 1);
  for (int r = 0; r < PQntuples (result); r++)
    {
      create[r] = g_strdup (PQgetvalue (result, r, 0));
      if (!exec (conn, PQgetvalue (result, r, 1), error))
        {
          PQclear (result);
          goto fail;
        }
    }
  PQclear (result);

  t = g_get_monotonic_time ();
  g_mutex_init (&chunks.lock);
  for (int j = 0; j < MAX (1, opt_jobs); j++)
    g_ptr_array_add (workers, g_thread_new ("chunks", chunk_worker, &chunks));
  for (guint j = 0; j < workers->len; j++)
    g_thread_join (g_ptr_array_index (workers, j));
  g_mutex_clear (&chunks.lock);
  if (chunks.error != NULL)
    {
      g_propagate_error (error, chunks.error);
      goto fail;
    }
  if (interrupted)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "interrupted");
      goto fail;
    }
  gen->insert_s = seconds_since (t);

  t = g_get_monotonic_time ();
  if (!exec (conn, "SET maintenance_work_mem = '512MB'", error))
    goto fail;
  for (guint r = 0; create[r] != NULL; r++)
    if (!exec (conn, create[r], error))
      goto fail;
  gen->index_s = seconds_since (t);
  t = g_get_monotonic_time ();
  if (!exec (conn, "VACUUM (ANALYZE)", error))
    goto fail;
  gen->vacuum_s = seconds_since (t);
  count = query_value (conn, "SELECT count (*) FROM responses");
  gen->responses = count ? g_ascii_strtoll (count, NULL, 10) : 0;
  gen->total_s = seconds_since (start);
  g_string_printf (sql, "CREATE TABLE bench.meta AS SELECT %" G_GINT64_FORMAT "::bigint AS target,"
                   " %" G_GINT64_FORMAT "::bigint AS responses, now () AS generated_at,"
                   " %.1f AS setup_s, %.1f AS insert_s, %.1f AS index_s, %.1f AS vacuum_s,"
                   " %.1f AS total_s, %d AS jobs", opt_responses, gen->responses, gen->setup_s,
                   gen->insert_s, gen->index_s, gen->vacuum_s, gen->total_s, opt_jobs);
  if (!exec (conn, sql->str, error))
    goto fail;
  PQfinish (conn);
  return TRUE;

fail:
  PQfinish (conn);
  return FALSE;
}

/* The data in the cluster: reused when it was made for the same number of responses. */
static gboolean
ensure_data (const char  *conninfo,
             Generation  *gen,
             gboolean    *out_reused,
             GError     **error)
{
  PGconn *conn = connect_db (conninfo, error);
  g_autofree char *target = NULL;
  g_autofree char *tables = NULL;
  PGresult *result;

  if (conn == NULL)
    return FALSE;
  PQsetNoticeProcessor (conn, ignore_notice, NULL);
  target = query_value (conn, "SELECT target FROM bench.meta");
  tables = query_value (conn, "SELECT count (*) FROM pg_tables WHERE schemaname = 'public'");
  *out_reused = FALSE;
  if (target != NULL && !opt_regenerate && g_ascii_strtoll (target, NULL, 10) == opt_responses)
    {
      result = PQexec (conn, "SELECT responses, setup_s, insert_s, index_s, vacuum_s, total_s,"
                             " to_char (generated_at, 'YYYY-MM-DD') FROM bench.meta");
      if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1)
        {
          gen->responses = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
          gen->setup_s = g_ascii_strtod (PQgetvalue (result, 0, 1), NULL);
          gen->insert_s = g_ascii_strtod (PQgetvalue (result, 0, 2), NULL);
          gen->index_s = g_ascii_strtod (PQgetvalue (result, 0, 3), NULL);
          gen->vacuum_s = g_ascii_strtod (PQgetvalue (result, 0, 4), NULL);
          gen->total_s = g_ascii_strtod (PQgetvalue (result, 0, 5), NULL);
          g_print ("  data       reused from %s (made on %s)\n", opt_data_dir,
                   PQgetvalue (result, 0, 6));
          *out_reused = TRUE;
        }
      PQclear (result);
      PQfinish (conn);
      /* Migrations added since are applied to the kept data too. */
      if (*out_reused)
        {
          const char *migrate[] = { opt_server, "--database", conninfo, "migrate", NULL };

          return run (migrate, NULL, NULL, error);
        }
      conn = connect_db (conninfo, error);
      if (conn == NULL)
        return FALSE;
    }
  if (tables != NULL && g_ascii_strtoll (tables, NULL, 10) > 0)
    {
      /* Another size, or --regenerate: a new database in the same cluster. */
      g_print ("  data       generating again in %s\n", opt_data_dir);
      if (!exec (conn, "SELECT 1", error))
        goto fail;
      PQfinish (conn);
      {
        g_autofree char *admin_info = g_strconcat (conninfo, " dbname=postgres", NULL);

        conn = connect_db (admin_info, error);
        if (conn == NULL)
          return FALSE;
        if (!exec (conn, "DROP DATABASE smiley_kiosk WITH (FORCE)", error) ||
            !exec (conn, "CREATE DATABASE smiley_kiosk", error))
          goto fail;
        PQfinish (conn);
        conn = connect_db (conninfo, error);
        if (conn == NULL || !exec (conn, "CREATE EXTENSION pg_stat_statements", error))
          goto fail;
      }
    }
  PQfinish (conn);
  g_print ("  data       generating %s responses with %d connections …\n",
           thousands (opt_responses), opt_jobs);
  return generate (conninfo, gen, error);

fail:
  if (conn)
    PQfinish (conn);
  return FALSE;
}

/* The server and HTTP */

typedef struct
{
  GSubprocess *process;
  char        *url;
} Server;

static gboolean
serve (const char  *conninfo,
       Server      *server,
       GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  const char *argv[] = { opt_server, "--database", conninfo, "serve", "--listen", "127.0.0.1:0",
                         "--dashboard-listen", "127.0.0.1:0", NULL };
  g_autoptr(GDataInputStream) lines = NULL;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (server->process == NULL)
    return FALSE;
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  while (server->url == NULL)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, error);
      const char *mark;

      if (line == NULL)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                         "smiley-kiosk-server ended before it listened (its stderr is above)");
          return FALSE;
        }
      mark = strstr (line, ": dashboard on ");
      if (mark != NULL)
        server->url = g_strdup (mark + strlen (": dashboard on "));
    }
  return TRUE;
}

typedef struct
{
  long     status;
  GString *body;
  GString *cookies;   /* "a=1; b=2" from Set-Cookie */
} Reply;

static size_t
body_cb (char *data, size_t size, size_t n, void *user_data)
{
  g_string_append_len (user_data, data, size * n);
  return size * n;
}

static size_t
header_cb (char *data, size_t size, size_t n, void *user_data)
{
  Reply *reply = user_data;

  if (size * n > 11 && g_ascii_strncasecmp (data, "Set-Cookie:", 11) == 0)
    {
      const char *value = data + 11;
      size_t len;

      while (*value == ' ')
        value++;
      len = strcspn (value, ";\r\n");
      if (reply->cookies->len > 0)
        g_string_append (reply->cookies, "; ");
      g_string_append_len (reply->cookies, value, (gssize) len);
    }
  return size * n;
}

/* @method @path with Cookie @cookie; the time from sending to the last byte in @out_ms. */
static gboolean
http (CURL        *curl,
      const char  *base,
      const char  *method,
      const char  *path,
      const char  *cookie,
      const char  *body,
      Reply       *reply,
      double      *out_ms)
{
  g_autofree char *url = g_strconcat (base, path, NULL);
  CURLcode rc;
  gint64 start;

  g_string_truncate (reply->body, 0);
  g_string_truncate (reply->cookies, 0);
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_COOKIE, cookie);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, body_cb);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, reply->body);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, reply);
  curl_easy_setopt (curl, CURLOPT_ACCEPT_ENCODING, NULL);
  if (g_str_equal (method, "POST"))
    curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
  else
    curl_easy_setopt (curl, CURLOPT_HTTPGET, 1L);
  start = g_get_monotonic_time ();
  rc = curl_easy_perform (curl);
  if (out_ms)
    *out_ms = (g_get_monotonic_time () - start) / 1000.0;
  if (rc != CURLE_OK)
    {
      g_printerr ("%s %s: %s\n", method, path, curl_easy_strerror (rc));
      return FALSE;
    }
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &reply->status);
  return TRUE;
}

/* GET /login, then POST it; the session's "sk_session=…". */
static char *
login (CURL       *curl,
       const char *base,
       const char *name,
       const char *password)
{
  Reply reply = { 0, g_string_new (NULL), g_string_new (NULL) };
  g_autofree char *login_cookie = NULL;
  g_autofree char *csrf = NULL;
  g_autofree char *body = NULL;
  g_autofree char *escaped = g_uri_escape_string (password, NULL, FALSE);
  char *session = NULL;
  const char *mark;

  if (http (curl, base, "GET", "/login", NULL, NULL, &reply, NULL) && reply.status == 200 &&
      (mark = strstr (reply.body->str, "name=\"csrf\" value=\"")) != NULL)
    {
      mark += strlen ("name=\"csrf\" value=\"");
      csrf = g_strndup (mark, strcspn (mark, "\""));
      login_cookie = g_strdup (reply.cookies->str);
      body = g_strdup_printf ("csrf=%s&name=%s&password=%s&next=%%2F", csrf, name, escaped);
      if (http (curl, base, "POST", "/login", login_cookie, body, &reply, NULL) &&
          reply.status == 303 && strstr (reply.cookies->str, "sk_session=") != NULL)
        {
          const char *s = strstr (reply.cookies->str, "sk_session=");

          session = g_strndup (s, strcspn (s, ";"));
        }
    }
  g_string_free (reply.body, TRUE);
  g_string_free (reply.cookies, TRUE);
  return session;
}

/* The measure */

typedef struct
{
  const char *label;
  const char *user;       /* "admin" or "viewer" */
  char       *path;
} Page;

typedef struct
{
  double  p50, p95, max;
  double  pg_ms;          /* PostgreSQL execution per request (pg_stat_statements) */
  double  top_ms;         /* of it, the statement that took most: mean per call */
  double  top_max_ms;
  double  top_calls;      /* calls per request */
  char   *top_query;
  gsize   bytes;
  int     failed;
} PageResult;

static void
pg_figures (PGconn     *conn,
            int         requests,
            PageResult *out)
{
  PGresult *result = PQexec (conn,
                             "SELECT sum (total_exec_time) FROM pg_stat_statements "
                             "WHERE query NOT LIKE '%pg_stat_statements%'");

  if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1)
    out->pg_ms = g_ascii_strtod (PQgetvalue (result, 0, 0), NULL) / requests;
  PQclear (result);
  result = PQexec (conn,
                   "SELECT mean_exec_time, max_exec_time, calls,"
                   " regexp_replace (query, '\\s+', ' ', 'g') FROM pg_stat_statements "
                   "WHERE query NOT LIKE '%pg_stat_statements%' "
                   "ORDER BY total_exec_time DESC LIMIT 1");
  if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1)
    {
      out->top_ms = g_ascii_strtod (PQgetvalue (result, 0, 0), NULL);
      out->top_max_ms = g_ascii_strtod (PQgetvalue (result, 0, 1), NULL);
      out->top_calls = g_ascii_strtod (PQgetvalue (result, 0, 2), NULL) / requests;
      out->top_query = g_strdup (PQgetvalue (result, 0, 3));
    }
  PQclear (result);
}

static gboolean
page_selected (const Page *page)
{
  g_auto(GStrv) words = NULL;

  if (opt_pages == NULL)
    return TRUE;
  words = g_strsplit (opt_pages, ",", -1);
  for (guint i = 0; words[i]; i++)
    if (*words[i] && strstr (page->label, words[i]) != NULL)
      return TRUE;
  return FALSE;
}

/* Something the statement does, in a few words, for the table. */
static char *
statement_name (const char *query)
{
  static const struct { const char *needle; const char *name; } names[] = {
    { "FROM rollup_days d JOIN sites s", "rollup_days × sites" },
    { "FROM rollup_days", "rollup_days (site)" },
    { "FROM rollup_hours", "rollup_hours (site)" },
    { "FROM rollup_reasons", "rollup_reasons (site)" },
    { "count (*) OVER ()", "comments (responses)" },
    { "FROM surveys", "surveys of the filter" },
    { "FROM devices d JOIN sites s", "devices × device_health" },
    { "UPDATE sessions", "session" },
    { "FROM sites s LEFT JOIN", "sites" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strstr (query, names[i].needle) != NULL)
      return g_strdup (names[i].name);
  return g_strndup (query, 40);
}

static int
measure (const char *conninfo,
         const char *url,
         const char *busy,
         GPtrArray  *pages,
         GError    **error)
{
  CURL *curl = curl_easy_init ();
  PGconn *conn = connect_db (conninfo, error);
  g_autofree char *admin = NULL;
  g_autofree char *viewer = NULL;
  g_autoptr(GPtrArray) queries = g_ptr_array_new_with_free_func (g_free);
  Reply reply = { 0, g_string_new (NULL), g_string_new (NULL) };
  int missed = 0, failed = 0;

  if (conn == NULL)
    return -1;
  admin = login (curl, url, "bench-admin", ADMIN_PASSWORD);
  viewer = login (curl, url, "bench-viewer", VIEWER_PASSWORD);
  if (admin == NULL || viewer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "could not sign in as %s",
                   admin == NULL ? "bench-admin" : "bench-viewer");
      PQfinish (conn);
      curl_easy_cleanup (curl);
      return -1;
    }

  g_print ("\n| page | user | requests | p50 | p95 | max | PostgreSQL per request | "
           "slowest statement: mean (max), calls per request | size | p95 ≤ %.0f ms |\n"
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n", GOAL_P95_MS);
  for (guint p = 0; p < pages->len && !interrupted; p++)
    {
      Page *page = g_ptr_array_index (pages, p);
      const char *cookie = g_str_equal (page->user, "admin") ? admin : viewer;
      g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
      PageResult r = { 0 };
      g_autofree char *name = NULL;
      gboolean pass;

      if (!page_selected (page))
        continue;
      for (int w = 0; w < 2; w++)
        http (curl, url, "GET", page->path, cookie, NULL, &reply, NULL);
      if (reply.status != 200)
        {
          g_printerr ("GET %s as %s: HTTP %ld\n%.500s\n", page->path, page->user, reply.status,
                      reply.body->str);
          failed++;
          continue;
        }
      g_free (query_value (conn, "SELECT pg_stat_statements_reset ()"));
      for (int i = 0; i < opt_requests && !interrupted; i++)
        {
          double t;

          if (!http (curl, url, "GET", page->path, cookie, NULL, &reply, &t) ||
              reply.status != 200)
            r.failed++;
          g_array_append_val (ms, t);
          r.bytes = reply.body->len;
        }
      pg_figures (conn, opt_requests, &r);
      r.p50 = bench_percentile (ms, 0.5);
      r.p95 = bench_percentile (ms, 0.95);
      r.max = bench_max (ms);
      pass = r.p95 <= GOAL_P95_MS && r.failed == 0;
      missed += !pass;
      failed += r.failed > 0;
      name = r.top_query ? statement_name (r.top_query) : g_strdup ("—");
      g_print ("| %s | %s | %d%s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %s: %.1f ms (%.1f), "
               "%.0f | %.0f KiB | %s |\n", page->label, page->user, opt_requests,
               r.failed ? " (some failed)" : "", r.p50, r.p95, r.max, r.pg_ms, name, r.top_ms,
               r.top_max_ms, r.top_calls, r.bytes / 1024.0, pass ? "✔" : "✘");
      if (r.top_query)
        g_ptr_array_add (queries, g_strdup_printf ("%s: %s", page->label, r.top_query));
      g_free (r.top_query);
    }
  g_print ("\nThe slowest statement of each page (pg_stat_statements):\n");
  for (guint i = 0; i < queries->len; i++)
    g_print ("  %.400s\n", (char *) g_ptr_array_index (queries, i));
  (void) busy;
  g_string_free (reply.body, TRUE);
  g_string_free (reply.cookies, TRUE);
  PQfinish (conn);
  curl_easy_cleanup (curl);
  return failed > 0 ? -1 : missed;
}

static void
add_page (GPtrArray  *pages,
          const char *label,
          const char *user,
          char       *path)
{
  Page *page = g_new0 (Page, 1);

  page->label = label;
  page->user = user;
  page->path = path;
  g_ptr_array_add (pages, page);
}

static void
page_free (Page *page)
{
  g_free (page->path);
  g_free (page);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— the dashboard's pages over a "
                                                            "year of 200 sites");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *busy = NULL;
  g_autofree char *n_text = NULL;
  g_autofree char *command = NULL;
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify) page_free);
  gboolean temporary = FALSE, reused = FALSE;
  Generation gen = { 0 };
  Server server = { 0 };
  PGconn *conn;
  int status = 0, missed;
  struct sigaction sa = { 0 };
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) year_ago = g_date_time_add_days (now, -(DAYS - 1));
  g_autofree char *today = g_date_time_format (now, "%F");
  g_autofree char *from = g_date_time_format (year_ago, "%F");
  g_autofree char *load = NULL;

  setlocale (LC_ALL, "");
  command = g_strjoinv (" ", argv);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (opt_quick)
    {
      opt_responses = 100000;
      opt_requests = MIN (opt_requests, 20);
    }
  if (opt_server == NULL)
    opt_server = g_strdup (BENCH_SERVER_BINARY);
  if (opt_pg_cluster == NULL)
    opt_pg_cluster = g_strdup (BENCH_PG_CLUSTER);
  if (opt_responses < 1000 || opt_requests < 1)
    {
      g_printerr ("--responses must be at least 1000 and --requests at least 1\n");
      return 2;
    }
  sa.sa_handler = on_signal;
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  curl_global_init (CURL_GLOBAL_DEFAULT);

  if (opt_data_dir == NULL)
    {
      /* As root, PostgreSQL runs as nobody: a directory it can reach. */
      dir = bench_make_temp_dir (g_get_tmp_dir (), "smiley-bench-dashboard-XXXXXX", &error);
      if (dir == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      opt_data_dir = g_strdup (dir);
      temporary = TRUE;
    }
  dir = g_canonicalize_filename (opt_data_dir, NULL);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_printerr ("could not make %s\n", dir);
      return 1;
    }
  g_file_get_contents ("/proc/loadavg", &load, NULL, NULL);

  g_print ("== The dashboard over %s responses of %d sites, %s\n", n_text = thousands (opt_responses),
           N_SITES, today);
  g_print ("  build      %s, %s\n", BENCH_BUILD_TYPE, opt_server);
  g_print ("  machine    %d cores, load %.14s (1/5/15 min) at the start\n",
           g_get_num_processors (), load ? load : "?");
  g_print ("  command    %s\n", command);

  conninfo = start_cluster (dir, &error);
  if (conninfo == NULL || !ensure_data (conninfo, &gen, &reused, &error))
    {
      g_printerr ("bench-dashboard: %s\n", error->message);
      status = 1;
      goto out;
    }
  {
    g_autofree char *r = thousands (gen.responses);

    g_print ("  data       %s responses%s: generated in %.0f s (set-up %.0f s, INSERT … SELECT "
             "through the rollup triggers %.0f s = %.0f responses/s, indexes %.0f s, VACUUM "
             "ANALYZE %.0f s)\n", r, reused ? " (cached)" : "", gen.total_s, gen.setup_s,
             gen.insert_s, gen.responses / MAX (gen.insert_s, 0.001), gen.index_s, gen.vacuum_s);
  }
  if (opt_generate_only)
    goto out;

  conn = connect_db (conninfo, &error);
  if (conn == NULL)
    {
      g_printerr ("bench-dashboard: %s\n", error->message);
      status = 1;
      goto out;
    }
  {
    g_autofree char *sizes = query_value (conn,
      "SELECT format ('responses %s, rollup_hours %s rows, rollup_days %s, rollup_reasons %s;"
      " database %s', (SELECT to_char (count (*), 'FM999G999G999') FROM responses),"
      " (SELECT to_char (count (*), 'FM999G999G999') FROM rollup_hours),"
      " (SELECT to_char (count (*), 'FM999G999G999') FROM rollup_days),"
      " (SELECT to_char (count (*), 'FM999G999G999') FROM rollup_reasons),"
      " pg_size_pretty (pg_database_size (current_database ())))");
    g_autofree char *busy_n = NULL;

    busy = query_value (conn, "SELECT name FROM sites WHERE id = 1");
    busy_n = query_value (conn, "SELECT to_char (sum (n), 'FM999G999G999') FROM rollup_days "
                                "WHERE site_id = 1");
    g_print ("  tables     %s\n", sizes);
    g_print ("  busiest    %s: %s responses in the year\n", busy, busy_n);
  }
  PQfinish (conn);

  add_page (pages, "overview", "admin", g_strdup ("/"));
  add_page (pages, "overview.csv", "admin", g_strdup ("/overview.csv"));
  add_page (pages, "site, 30 days", "admin", g_strdup_printf ("/sites/%s", busy));
  add_page (pages, "site, 1 year", "admin",
            g_strdup_printf ("/sites/%s?from=%s&to=%s", busy, from, today));
  add_page (pages, "site, 1 year, comments page 10", "admin",
            g_strdup_printf ("/sites/%s?from=%s&to=%s&page=10", busy, from, today));
  add_page (pages, "daily.csv, 1 year", "admin",
            g_strdup_printf ("/sites/%s/daily.csv?from=%s&to=%s", busy, from, today));
  add_page (pages, "hours.csv, 1 year", "admin",
            g_strdup_printf ("/sites/%s/hours.csv?from=%s&to=%s", busy, from, today));
  add_page (pages, "faces.csv, 1 year", "admin",
            g_strdup_printf ("/sites/%s/faces.csv?from=%s&to=%s", busy, from, today));
  add_page (pages, "reasons.csv, 1 year", "admin",
            g_strdup_printf ("/sites/%s/reasons.csv?from=%s&to=%s", busy, from, today));
  add_page (pages, "comments.csv, 30 days", "admin", g_strdup_printf ("/sites/%s/comments.csv", busy));
  add_page (pages, "comments.csv, 1 year", "admin",
            g_strdup_printf ("/sites/%s/comments.csv?from=%s&to=%s", busy, from, today));
  add_page (pages, "compare, 30 days", "admin", g_strdup ("/compare"));
  add_page (pages, "compare, 1 year", "admin", g_strdup_printf ("/compare?from=%s&to=%s", from, today));
  add_page (pages, "compare.csv, 30 days", "admin", g_strdup ("/compare.csv"));
  add_page (pages, "fleet", "admin", g_strdup ("/fleet"));
  add_page (pages, "fleet.csv", "admin", g_strdup ("/fleet.csv"));
  add_page (pages, "overview", "viewer", g_strdup ("/"));
  add_page (pages, "overview.csv", "viewer", g_strdup ("/overview.csv"));
  add_page (pages, "site, 30 days", "viewer", g_strdup_printf ("/sites/%s", busy));
  add_page (pages, "site, 1 year", "viewer",
            g_strdup_printf ("/sites/%s?from=%s&to=%s", busy, from, today));
  add_page (pages, "compare, 30 days", "viewer", g_strdup ("/compare"));
  add_page (pages, "compare.csv, 30 days", "viewer", g_strdup ("/compare.csv"));

  if (!serve (conninfo, &server, &error))
    {
      g_printerr ("bench-dashboard: %s\n", error->message);
      status = 1;
      goto out;
    }
  missed = measure (conninfo, server.url, busy, pages, &error);
  if (missed < 0)
    {
      g_printerr ("bench-dashboard: %s\n", error ? error->message : "a page failed");
      status = 1;
    }
  else
    g_print ("\n== %d of %u pages miss p95 ≤ %.0f ms\n", missed, pages->len, GOAL_P95_MS);
  g_free (load);
  load = NULL;
  g_file_get_contents ("/proc/loadavg", &load, NULL, NULL);
  g_print ("  load       %.14s (1/5/15 min) at the end\n", load ? load : "?");

out:
  if (server.process != NULL)
    {
      g_subprocess_send_signal (server.process, SIGTERM);
      g_subprocess_wait (server.process, NULL, NULL);
      g_clear_object (&server.process);
    }
  g_free (server.url);
  if (conninfo != NULL || g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GError) stop_error = NULL;
      g_autofree char *stopped = cluster ("stop", dir, &stop_error);

      if (stop_error != NULL)
        g_printerr ("bench-dashboard: %s\n", stop_error->message);
    }
  if (temporary)
    bench_remove_tree (dir);
  curl_global_cleanup ();
  return status;
}
