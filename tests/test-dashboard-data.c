/* test-dashboard-data: the dashboard's figures against a hand-computed data set in a real
 * PostgreSQL, inserted through the real INSERT path so the rollup triggers run; the rollups
 * against a GROUP BY over responses after an insert, a clock repair and a delete; a Berlin site
 * across the night the clocks go back; what a viewer may see; and the pages' HTML and CSV. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "kiosk-dash-data.h"
#include "kiosk-dash-pages.h"
#include "kiosk-dash-server.h"
#include "kiosk-server-db.h"
#include "kiosk-server-surveys.h"
#include "kiosk-test-pg.h"
#include "kiosk-test-seed.h"

static KioskTestPg *pg;
static guint db_counter;

typedef struct
{
  PGconn *conn;
  gint64  alpha, beta, gamma, delta;
} Fixture;

static void
run (PGconn     *conn,
     const char *sql)
{
  g_autoptr(GError) error = NULL;

  if (!kiosk_db_run (conn, sql, &error))
    g_error ("%s\n%s", sql, error->message);
}

static gint64
query_int (PGconn     *conn,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) result = kiosk_db_exec (conn, sql, 0, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (PQntuples (result), ==, 1);
  return g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
}

/* The data set, computed by hand below each block. Alpha and beta are retail sites of group
 * "north" in Berlin, alpha in DE and beta in FI; gamma is an airport in Helsinki (FI) open on
 * Wednesdays 08:00–13:00. 2026-03-10 is a Tuesday, Berlin is UTC+1 (CET). */
static void
load_data (Fixture *f)
{
  run (f->conn,
       "INSERT INTO site_groups (name, title) VALUES ('north', 'North <i>group</i>');"
       "INSERT INTO sites (name, title, time_zone, site_type, country, group_id, opening_hours)"
       " VALUES ('alpha', 'Alpha <script>x()</script> & Co', 'Europe/Berlin', 'retail', 'DE',"
       "         1, NULL),"
       "        ('beta', 'Beta', 'Europe/Berlin', 'retail', 'FI', 1, NULL),"
       "        ('gamma', 'Gamma', 'Europe/Helsinki', 'airport', 'FI', NULL,"
       "         '{\"wednesday\": \"08:00-13:00\"}'),"
       "        ('delta', 'Delta', 'Europe/Berlin', 'other', NULL, NULL, NULL);"
       "INSERT INTO devices (id, site_id, token_hash, created_at) VALUES"
       " ('dA', 1, decode (repeat ('01', 32), 'hex'), '2026-01-01Z'),"
       " ('dB', 2, decode (repeat ('02', 32), 'hex'), '2026-01-01Z'),"
       " ('dC', 3, decode (repeat ('03', 32), 'hex'), '2026-01-01Z'),"
       " ('dD', 4, decode (repeat ('04', 32), 'hex'), '2026-01-01Z');");
  f->alpha = 1;
  f->beta = 2;
  f->gamma = 3;
  f->delta = 4;

  /* Alpha, Tuesday 2026-03-10: HappyOrNot's own example, 126 / 60 / 16 / 17 → 78.
   * 09:00 local: 126 very happy, 30 of them gave "fast" to follow-up "like".
   * 10:00: 60 happy, 20 of them "friendly".
   * 11:00: 16 unhappy (10 "slow", 6 "slow" + "dirty"), 17 very unhappy (5 "rude", 12 skipped).
   * 12:00: 5 very unhappy flagged as misuse, each "rude".
   * Happy Index without misuse: (126·100 + 60·66.67 + 16·33.33) / 219 = 78.23, n = 219;
   * with misuse 17133.33 / 224 = 76.49, n = 224. */
  kiosk_test_seed_responses (f->conn, "dA", "2026-03-10 08:00Z", 30, 3, FALSE, "like",
                             "[\"fast\"]", NULL);
  kiosk_test_seed_responses (f->conn, "dA", "2026-03-10 08:30Z", 96, 3, FALSE, NULL, NULL, NULL);
  kiosk_test_seed_responses (f->conn, "dA", "2026-03-10 09:00Z", 20, 2, FALSE, "why",
                             "[\"friendly\"]", NULL);
  kiosk_test_seed_responses (f->conn, "dA", "2026-03-10 09:20Z", 40, 2, FALSE, NULL, NULL, NULL);
  kiosk_test_seed_responses (f->conn, "dA", "2026-03-10 10:00Z", 10, 1, FALSE, "why",
                             "[\"slow\"]", NULL);
  kiosk_test_seed_responses (f->conn, "dA", "2026-03-10 10:10Z", 6, 1, FALSE, "why",
                             "[\"slow\", \"dirty\"]", NULL);
  kiosk_test_seed_responses (f->conn, "dA", "2026-03-10 10:20Z", 5, 0, FALSE, "why", "[\"rude\"]",
                             NULL);
  kiosk_test_seed_responses (f->conn, "dA", "2026-03-10 10:25Z", 11, 0, FALSE, "why", "[]", NULL);
  kiosk_test_seed_responses (f->conn, "dA", "2026-03-10 10:40Z", 1, 0, FALSE, "why", "[]",
                             "<script>alert(1)</script> & \"quotes\"");
  kiosk_test_seed_responses (f->conn, "dA", "2026-03-10 11:00Z", 4, 0, TRUE, "why", "[\"rude\"]",
                             NULL);
  kiosk_test_seed_responses (f->conn, "dA", "2026-03-10 11:10Z", 1, 0, TRUE, "why", "[\"rude\"]",
                             "spam spam");
  /* A comment with a very happy face: 126 → 127 very happy would change the example, so the
   * comment rides on one of the 96 above instead. */
  run (f->conn, "UPDATE responses SET comment = 'Great & fast' "
                "WHERE device_id = 'dA' AND seq = 31");
  /* Alpha, Wednesday 2026-03-11 16:00 local: 10 very unhappy → 0. Both days: 17133.33 / 229
   * = 74.82, n = 229. */
  kiosk_test_seed_responses (f->conn, "dA", "2026-03-11 15:00Z", 10, 0, FALSE, NULL, NULL, NULL);

  /* Beta, 2026-03-10: 10 very happy, 10 very unhappy → 50, n = 20. */
  kiosk_test_seed_responses (f->conn, "dB", "2026-03-10 12:00Z", 10, 3, FALSE, NULL, NULL, NULL);
  kiosk_test_seed_responses (f->conn, "dB", "2026-03-10 12:30Z", 10, 0, FALSE, NULL, NULL, NULL);
  /* Gamma, 2026-03-11 09:00 Helsinki: 4 happy → 66.67, n = 4. */
  kiosk_test_seed_responses (f->conn, "dC", "2026-03-11 07:00Z", 4, 2, FALSE, NULL, NULL, NULL);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  /* Without a cluster each test skips itself (SKIP_WITHOUT_PG) before touching f->conn. */
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *conninfo = NULL;

  if (pg == NULL)
    return;
  name = g_strdup_printf ("dash_%u", ++db_counter);
  sql = g_strdup_printf ("CREATE DATABASE %s", name);
  g_assert_true (kiosk_test_pg_exec (pg, sql, &error));
  g_assert_no_error (error);
  conninfo = g_strdup_printf ("%s dbname=%s", kiosk_test_pg_get_conninfo (pg), name);
  f->conn = kiosk_db_connect (conninfo, &error);
  g_assert_no_error (error);
  g_assert_true (kiosk_db_migrate (f->conn, NULL, NULL, &error));
  g_assert_no_error (error);
  load_data (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->conn, PQfinish);
}

#define SKIP_WITHOUT_PG() \
  G_STMT_START { if (pg == NULL) { g_test_skip (kiosk_test_pg_skip_reason () \
                                                ? kiosk_test_pg_skip_reason () \
                                                : "PostgreSQL did not start"); return; } \
  } G_STMT_END

static KioskDashUser admin = { 1, (char *) "admin", TRUE, NULL, NULL };

static void
filter_init (KioskDashFilter *filter,
             const char      *from,
             const char      *to,
             gboolean         include_misuse)
{
  memset (filter, 0, sizeof *filter);
  g_date_set_parse (&filter->from, from);
  g_date_set_parse (&filter->to, to);
  g_assert_true (g_date_valid (&filter->from) && g_date_valid (&filter->to));
  filter->include_misuse = include_misuse;
}

#define assert_index(counts, expected) \
  g_assert_cmpfloat_with_epsilon (kiosk_dash_counts_index (counts), (expected), 0.01)

static gint64
utc_us (const char *iso)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (time);
  return g_date_time_to_unix (time) * G_USEC_PER_SEC;
}

/* The rollups equal a GROUP BY over responses, row for row (zero counts left aside). */
static void
assert_rollups_match (PGconn *conn)
{
  static const char *const checks[] = {
    "SELECT count (*) FROM ("
    " (SELECT site_id, local_date, local_hour, survey_id, scale, face, misuse, n"
    "  FROM rollup_hours WHERE n <> 0"
    "  EXCEPT SELECT site_id, local_time::date, extract (hour FROM local_time)::smallint,"
    "  survey_id, scale, face, misuse, count (*) FROM responses GROUP BY 1, 2, 3, 4, 5, 6, 7)"
    " UNION ALL"
    " (SELECT site_id, local_time::date, extract (hour FROM local_time)::smallint,"
    "  survey_id, scale, face, misuse, count (*) FROM responses GROUP BY 1, 2, 3, 4, 5, 6, 7"
    "  EXCEPT SELECT site_id, local_date, local_hour, survey_id, scale, face, misuse, n"
    "  FROM rollup_hours WHERE n <> 0)) x",
    "SELECT count (*) FROM ("
    " (SELECT site_id, local_date, survey_id, scale, face, misuse, n"
    "  FROM rollup_days WHERE n <> 0"
    "  EXCEPT SELECT site_id, local_time::date, survey_id, scale, face, misuse, count (*)"
    "  FROM responses GROUP BY 1, 2, 3, 4, 5, 6)"
    " UNION ALL"
    " (SELECT site_id, local_time::date, survey_id, scale, face, misuse, count (*)"
    "  FROM responses GROUP BY 1, 2, 3, 4, 5, 6"
    "  EXCEPT SELECT site_id, local_date, survey_id, scale, face, misuse, n"
    "  FROM rollup_days WHERE n <> 0)) x",
    "SELECT count (*) FROM ("
    " (SELECT site_id, local_date, survey_id, scale, face, follow_up_id, option_id, misuse, n"
    "  FROM rollup_reasons WHERE n <> 0"
    "  EXCEPT SELECT site_id, local_time::date, survey_id, scale, face, follow_up_id, o, misuse,"
    "  count (*) FROM responses, jsonb_array_elements_text (follow_up_selected) o"
    "  WHERE follow_up_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
    "  EXCEPT SELECT site_id, local_time::date, survey_id, scale, face, follow_up_id, '',"
    "  misuse, count (*) FROM responses WHERE follow_up_id IS NOT NULL"
    "  AND jsonb_array_length (follow_up_selected) > 0 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8)"
    " UNION ALL"
    " (SELECT site_id, local_time::date, survey_id, scale, face, follow_up_id, o, misuse,"
    "  count (*) FROM responses, jsonb_array_elements_text (follow_up_selected) o"
    "  WHERE follow_up_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
    "  EXCEPT SELECT site_id, local_date, survey_id, scale, face, follow_up_id, option_id,"
    "  misuse, n FROM rollup_reasons WHERE n <> 0)) x",
  };

  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    g_assert_cmpint (query_int (conn, checks[i]), ==, 0);
  /* rollup_months (migration 005). */
  g_assert_cmpint (query_int (conn,
    "SELECT count (*) FROM ("
    " (SELECT site_id, month, survey_id, scale, face, misuse, n FROM rollup_months WHERE n <> 0"
    "  EXCEPT SELECT site_id, date_trunc ('month', local_time)::date, survey_id, scale, face,"
    "  misuse, count (*) FROM responses GROUP BY 1, 2, 3, 4, 5, 6)"
    " UNION ALL"
    " (SELECT site_id, date_trunc ('month', local_time)::date, survey_id, scale, face, misuse,"
    "  count (*) FROM responses GROUP BY 1, 2, 3, 4, 5, 6"
    "  EXCEPT SELECT site_id, month, survey_id, scale, face, misuse, n FROM rollup_months"
    "  WHERE n <> 0)) x"), ==, 0);
  g_assert_cmpint (query_int (conn, "SELECT coalesce (sum (n), 0) FROM rollup_months"), ==,
                   query_int (conn, "SELECT count (*) FROM responses"));
  g_assert_cmpint (query_int (conn, "SELECT sum (n) FROM rollup_hours"), ==,
                   query_int (conn, "SELECT count (*) FROM responses"));
  g_assert_cmpint (query_int (conn, "SELECT sum (n) FROM rollup_days"), ==,
                   query_int (conn, "SELECT count (*) FROM responses"));
}

static void
test_happy_index_example (void)
{
  KioskDashCounts counts = { 0 };

  /* HappyOrNot: 126 very happy, 60 happy, 16 unhappy, 17 very unhappy → 78. */
  kiosk_dash_counts_add (&counts, 4, 3, FALSE, FALSE, 126);
  kiosk_dash_counts_add (&counts, 4, 2, FALSE, FALSE, 60);
  kiosk_dash_counts_add (&counts, 4, 1, FALSE, FALSE, 16);
  kiosk_dash_counts_add (&counts, 4, 0, FALSE, FALSE, 17);
  kiosk_dash_counts_add (&counts, 4, 0, TRUE, FALSE, 5);
  g_assert_cmpuint (counts.n, ==, 219);
  g_assert_cmpuint (counts.misuse, ==, 5);
  g_assert_cmpuint (counts.all, ==, 224);
  assert_index (&counts, 78.23);
  g_assert_cmpint ((int) round (kiosk_dash_counts_index (&counts)), ==, 78);

  memset (&counts, 0, sizeof counts);
  g_assert_true (isnan (kiosk_dash_counts_index (&counts)));
}

static void
test_days (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskDashSite) site = NULL;
  g_autoptr(GArray) days = NULL;
  KioskDashFilter filter;
  KioskDashCounts total = { 0 };

  SKIP_WITHOUT_PG ();
  site = kiosk_dash_data_site (f->conn, &admin, "alpha", &error);
  g_assert_no_error (error);
  g_assert_nonnull (site);

  filter_init (&filter, "2026-03-09", "2026-03-11", FALSE);
  days = kiosk_dash_data_days (f->conn, site, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (days->len, ==, 3);
  g_assert_cmpuint (g_array_index (days, KioskDashDay, 0).counts.n, ==, 0);
  g_assert_true (isnan (kiosk_dash_counts_index (&g_array_index (days, KioskDashDay, 0).counts)));
  g_assert_cmpuint (g_array_index (days, KioskDashDay, 1).counts.n, ==, 219);
  g_assert_cmpuint (g_array_index (days, KioskDashDay, 1).counts.misuse, ==, 5);
  assert_index (&g_array_index (days, KioskDashDay, 1).counts, 78.23);
  g_assert_cmpuint (g_array_index (days, KioskDashDay, 2).counts.n, ==, 10);
  assert_index (&g_array_index (days, KioskDashDay, 2).counts, 0);
  for (guint i = 0; i < days->len; i++)
    kiosk_dash_counts_merge (&total, &g_array_index (days, KioskDashDay, i).counts);
  g_assert_cmpuint (total.n, ==, 229);
  assert_index (&total, 74.82);
  g_clear_pointer (&days, g_array_unref);

  /* Misuse included. */
  filter.include_misuse = TRUE;
  days = kiosk_dash_data_days (f->conn, site, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_array_index (days, KioskDashDay, 1).counts.n, ==, 224);
  assert_index (&g_array_index (days, KioskDashDay, 1).counts, 76.49);
  g_clear_pointer (&days, g_array_unref);

  /* Another survey: nothing. */
  filter.survey_id = (char *) "other";
  days = kiosk_dash_data_days (f->conn, site, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_array_index (days, KioskDashDay, 1).counts.all, ==, 0);
}

static void
test_hours (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskDashSite) site = NULL;
  g_autofree KioskDashWeekHours *hours = NULL;
  KioskDashFilter filter;

  SKIP_WITHOUT_PG ();
  site = kiosk_dash_data_site (f->conn, &admin, "alpha", &error);
  filter_init (&filter, "2026-03-10", "2026-03-11", FALSE);
  hours = kiosk_dash_data_hours (f->conn, site, &filter, &error);
  g_assert_no_error (error);
  /* Tuesday (1), Berlin wall clock: 09:00 126 → 100; 10:00 60 → 66.67; 11:00 33 → 16.16
   * (16 · 33.33 / 33); 12:00 only misuse. Wednesday 16:00: 10 → 0. */
  g_assert_cmpuint (hours->cells[1][9].n, ==, 126);
  assert_index (&hours->cells[1][9], 100);
  g_assert_cmpuint (hours->cells[1][10].n, ==, 60);
  assert_index (&hours->cells[1][10], 66.67);
  g_assert_cmpuint (hours->cells[1][11].n, ==, 33);
  assert_index (&hours->cells[1][11], 16.16);
  g_assert_cmpuint (hours->cells[1][12].n, ==, 0);
  g_assert_cmpuint (hours->cells[1][12].misuse, ==, 5);
  g_assert_cmpuint (hours->cells[2][16].n, ==, 10);
  g_assert_cmpuint (hours->cells[1][8].all, ==, 0);

  /* Opening hours: alpha is open around the clock, gamma only on Wednesdays 08–13. */
  g_assert_true (kiosk_dash_site_open_hour (site, 6, 3));
  {
    g_autoptr(KioskDashSite) gamma = kiosk_dash_data_site (f->conn, &admin, "gamma", &error);

    g_assert_true (kiosk_dash_site_open_hour (gamma, 2, 8));
    g_assert_true (kiosk_dash_site_open_hour (gamma, 2, 12));
    g_assert_false (kiosk_dash_site_open_hour (gamma, 2, 13));
    g_assert_false (kiosk_dash_site_open_hour (gamma, 1, 10));
  }
}

static void
test_dst (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskDashSite) site = NULL;
  g_autofree KioskDashWeekHours *hours = NULL;
  KioskDashFilter filter;

  SKIP_WITHOUT_PG ();
  /* Berlin, Sunday 2026-10-25: at 03:00 CEST (01:00 UTC) the clocks go back to 02:00 CET, so
   * 02:00–03:00 local happens twice. 23:59Z on the 24th is 01:59 CEST; 00:30Z is 02:30 CEST;
   * 01:30Z and 01:59Z are 02:30 and 02:59 CET; 02:00Z is 03:00 CET. */
  kiosk_test_seed_responses (f->conn, "dD", "2026-10-24 23:59Z", 1, 3, FALSE, NULL, NULL, NULL);
  kiosk_test_seed_responses (f->conn, "dD", "2026-10-25 00:30Z", 1, 3, FALSE, NULL, NULL, NULL);
  kiosk_test_seed_responses (f->conn, "dD", "2026-10-25 01:30Z", 1, 0, FALSE, NULL, NULL, NULL);
  kiosk_test_seed_responses (f->conn, "dD", "2026-10-25 01:59Z", 1, 0, FALSE, NULL, NULL, NULL);
  kiosk_test_seed_responses (f->conn, "dD", "2026-10-25 02:00Z", 1, 3, FALSE, NULL, NULL, NULL);
  g_assert_cmpint (query_int (f->conn, "SELECT count (DISTINCT utc_offset_s) FROM responses "
                                       "WHERE device_id = 'dD'"), ==, 2);

  site = kiosk_dash_data_site (f->conn, &admin, "delta", &error);
  g_assert_no_error (error);
  filter_init (&filter, "2026-10-24", "2026-10-25", FALSE);
  hours = kiosk_dash_data_hours (f->conn, site, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hours->cells[6][1].n, ==, 1);
  g_assert_cmpuint (hours->cells[6][2].n, ==, 3);
  assert_index (&hours->cells[6][2], 33.33);
  g_assert_cmpuint (hours->cells[6][3].n, ==, 1);
  g_assert_cmpuint (hours->cells[5][23].n + hours->cells[6][0].n, ==, 0);
  assert_rollups_match (f->conn);
}

static void
test_reasons (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskDashSite) site = NULL;
  g_autoptr(GPtrArray) unhappy = NULL;
  g_autoptr(GPtrArray) happy = NULL;
  KioskDashFilter filter;
  KioskDashReason *r;

  SKIP_WITHOUT_PG ();
  site = kiosk_dash_data_site (f->conn, &admin, "alpha", &error);
  filter_init (&filter, "2026-03-10", "2026-03-11", FALSE);
  /* Unhappy answers with a reason: 16 (slow) + 5 (rude) = 21; slow 16, dirty 6, rude 5. */
  unhappy = kiosk_dash_data_reasons (f->conn, site, &filter, KIOSK_DASH_UNHAPPY, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (unhappy->len, ==, 3);
  r = g_ptr_array_index (unhappy, 0);
  g_assert_cmpstr (r->option_id, ==, "slow");
  g_assert_cmpuint (r->n, ==, 16);
  g_assert_cmpuint (r->answered, ==, 21);
  r = g_ptr_array_index (unhappy, 1);
  g_assert_cmpstr (r->option_id, ==, "dirty");
  g_assert_cmpuint (r->n, ==, 6);
  r = g_ptr_array_index (unhappy, 2);
  g_assert_cmpstr (r->option_id, ==, "rude");
  g_assert_cmpuint (r->n, ==, 5);
  g_assert_cmpuint (r->answered, ==, 21);

  /* Happy: fast 30 of 30 ("like"), friendly 20 of 20 ("why"). */
  happy = kiosk_dash_data_reasons (f->conn, site, &filter, KIOSK_DASH_HAPPY, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (happy->len, ==, 2);
  r = g_ptr_array_index (happy, 0);
  g_assert_cmpstr (r->option_id, ==, "fast");
  g_assert_cmpstr (r->follow_up_id, ==, "like");
  g_assert_cmpuint (r->n, ==, 30);
  g_assert_cmpuint (r->answered, ==, 30);
  r = g_ptr_array_index (happy, 1);
  g_assert_cmpstr (r->option_id, ==, "friendly");
  g_assert_cmpuint (r->answered, ==, 20);
  g_clear_pointer (&unhappy, g_ptr_array_unref);

  /* With misuse: rude 10, and 26 answered; slow still first. */
  filter.include_misuse = TRUE;
  unhappy = kiosk_dash_data_reasons (f->conn, site, &filter, KIOSK_DASH_UNHAPPY, &error);
  g_assert_no_error (error);
  r = g_ptr_array_index (unhappy, 0);
  g_assert_cmpstr (r->option_id, ==, "slow");
  g_assert_cmpuint (r->answered, ==, 26);
  r = g_ptr_array_index (unhappy, 1);
  g_assert_cmpstr (r->option_id, ==, "rude");
  g_assert_cmpuint (r->n, ==, 10);
}

static void
test_comments (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskDashSite) site = NULL;
  g_autoptr(GPtrArray) comments = NULL;
  KioskDashFilter filter;
  KioskDashComment *c;
  guint64 total = 0;

  SKIP_WITHOUT_PG ();
  site = kiosk_dash_data_site (f->conn, &admin, "alpha", &error);
  filter_init (&filter, "2026-03-10", "2026-03-11", FALSE);
  /* Newest first, misuse shown and flagged: 12:10 spam (misuse), 11:40 <script>, 09:30 great. */
  comments = kiosk_dash_data_comments (f->conn, site, &filter, 0, 2, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 3);
  g_assert_cmpuint (comments->len, ==, 2);
  c = g_ptr_array_index (comments, 0);
  g_assert_cmpstr (c->comment, ==, "spam spam");
  g_assert_true (c->misuse);
  g_assert_cmpstr (c->local_time, ==, "2026-03-10 12:10");
  c = g_ptr_array_index (comments, 1);
  g_assert_cmpstr (c->local_time, ==, "2026-03-10 11:40");
  g_assert_cmpint (c->face, ==, 0);
  g_assert_false (c->misuse);
  g_clear_pointer (&comments, g_ptr_array_unref);

  comments = kiosk_dash_data_comments (f->conn, site, &filter, 2, 2, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (comments->len, ==, 1);
  c = g_ptr_array_index (comments, 0);
  g_assert_cmpstr (c->comment, ==, "Great & fast");
  g_assert_cmpstr (c->local_time, ==, "2026-03-10 09:30");
  g_assert_cmpint (c->face, ==, 3);
}

static void
test_compare (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskDashComparison) cmp = NULL;
  KioskDashFilter filter;
  KioskDashCompareRow *row;
  KioskDashAggregate *a;

  SKIP_WITHOUT_PG ();
  filter_init (&filter, "2026-03-10", "2026-03-11", FALSE);
  cmp = kiosk_dash_data_compare (f->conn, &admin, &filter, &error);
  g_assert_no_error (error);
  /* alpha 74.82 (229), gamma 66.67 (4), beta 50 (20), delta none. */
  g_assert_cmpuint (cmp->sites->len, ==, 4);
  row = g_ptr_array_index (cmp->sites, 0);
  g_assert_cmpstr (row->site->name, ==, "alpha");
  assert_index (&row->counts, 74.82);
  /* Retail: alpha + beta, (17133.33 + 1000) / 249 = 72.82; DE: alpha alone. */
  assert_index (&row->type->counts, 72.82);
  g_assert_cmpuint (row->type->counts.n, ==, 249);
  g_assert_cmpuint (row->type->sites, ==, 2);
  assert_index (&row->country->counts, 74.82);
  row = g_ptr_array_index (cmp->sites, 1);
  g_assert_cmpstr (row->site->name, ==, "gamma");
  assert_index (&row->counts, 66.67);
  g_assert_cmpuint (row->counts.n, ==, 4);
  /* FI: beta + gamma, (1000 + 266.67) / 24 = 52.78. */
  assert_index (&row->country->counts, 52.78);
  g_assert_cmpuint (row->country->counts.n, ==, 24);
  assert_index (&row->type->counts, 66.67);
  row = g_ptr_array_index (cmp->sites, 2);
  g_assert_cmpstr (row->site->name, ==, "beta");
  assert_index (&row->counts, 50);
  row = g_ptr_array_index (cmp->sites, 3);
  g_assert_cmpstr (row->site->name, ==, "delta");
  g_assert_null (row->country);
  g_assert_cmpuint (row->counts.n, ==, 0);

  g_assert_cmpuint (cmp->groups->len, ==, 1);
  a = g_ptr_array_index (cmp->groups, 0);
  g_assert_cmpstr (a->key, ==, "north");
  assert_index (&a->counts, 72.82);
  g_assert_cmpuint (a->sites, ==, 2);

  /* Whole months come from rollup_months, the days at the ends from rollup_days: March whole,
   * within a longer range, alone, and cut at the 10th (alpha's 10 of the 11th left out). */
  {
    static const struct { const char *from, *to; guint64 alpha_n; } ranges[] = {
      { "2026-02-15", "2026-04-10", 229 }, { "2026-03-01", "2026-03-31", 229 },
      { "2025-12-01", "2026-03-10", 219 }, { "2026-03-11", "2026-05-31", 10 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
      {
        g_autoptr(KioskDashComparison) months = NULL;

        filter_init (&filter, ranges[i].from, ranges[i].to, FALSE);
        months = kiosk_dash_data_compare (f->conn, &admin, &filter, &error);
        g_assert_no_error (error);
        for (guint s = 0; s < months->sites->len; s++)
          {
            row = g_ptr_array_index (months->sites, s);
            if (g_str_equal (row->site->name, "alpha"))
              g_assert_cmpuint (row->counts.n, ==, ranges[i].alpha_n);
            if (g_str_equal (row->site->name, "beta") && ranges[i].alpha_n == 229)
              assert_index (&row->counts, 50);
          }
      }
  }
}

static void
test_overview_and_fleet (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) fleet = NULL;
  KioskDashFilter filter;
  KioskDashOverviewRow *row;
  gint64 now = utc_us ("2026-03-11T12:00:00Z");

  SKIP_WITHOUT_PG ();
  /* dA heard 10 min ago; dB an hour ago (beta is always open: silent); dC at 10:50Z = 12:50
   * in Helsinki, and gamma closed at 13:00: 10 minutes of opening time, not silent; dD never,
   * registered long ago, always open: silent. */
  run (f->conn,
       "INSERT INTO device_health (device_id, received_at, version, uptime_s, queue_depth,"
       " oldest_pending_age_s, dead_letter_count, clock_synced, survey_id, survey_version,"
       " last_seq) VALUES"
       " ('dA', '2026-03-11 11:50Z', '1.2.0', 100, 3, 120, 1, true, 'default', 1, 300),"
       " ('dB', '2026-03-11 11:00Z', '1.2.0', 100, 0, 0, 0, false, 'default', 1, 20),"
       " ('dC', '2026-03-11 10:50Z', '1.1.0', 100, 0, 0, 0, true, 'default', 1, 4)");
  fleet = kiosk_dash_data_fleet (f->conn, &admin, now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fleet->len, ==, 4);
  g_assert_false (((KioskDashKiosk *) fleet->pdata[0])->silent);   /* alpha dA */
  g_assert_cmpint (((KioskDashKiosk *) fleet->pdata[0])->queue_depth, ==, 3);
  g_assert_true (((KioskDashKiosk *) fleet->pdata[1])->silent);    /* beta dB */
  g_assert_true (((KioskDashKiosk *) fleet->pdata[2])->silent);    /* delta dD, never */
  g_assert_false (((KioskDashKiosk *) fleet->pdata[2])->heard);
  g_assert_false (((KioskDashKiosk *) fleet->pdata[3])->silent);   /* gamma dC */
  g_assert_cmpstr (((KioskDashKiosk *) fleet->pdata[3])->device_id, ==, "dC");
  /* Gamma an hour later is still not silent (closed); the next Wednesday at 08:20 it is. */
  {
    g_autoptr(KioskDashSite) gamma = kiosk_dash_data_site (f->conn, &admin, "gamma", &error);
    gint64 last = utc_us ("2026-03-11T10:50:00Z");

    g_assert_false (kiosk_dash_is_silent (gamma->hours, last, utc_us ("2026-03-11T18:00:00Z")));
    g_assert_false (kiosk_dash_is_silent (gamma->hours, last, utc_us ("2026-03-18T06:04:00Z")));
    g_assert_true (kiosk_dash_is_silent (gamma->hours, last, utc_us ("2026-03-18T06:06:00Z")));
  }

  filter_init (&filter, "2026-03-10", "2026-03-11", FALSE);
  rows = kiosk_dash_data_overview (f->conn, &admin, &filter, now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 4);
  row = g_ptr_array_index (rows, 0);
  g_assert_cmpstr (row->site->name, ==, "alpha");
  /* Today (Wednesday) 10 → 0; yesterday 219 → 78.23; 7 and 30 days 229 → 74.82. */
  g_assert_cmpuint (row->current[KIOSK_DASH_TODAY].n, ==, 10);
  assert_index (&row->current[KIOSK_DASH_TODAY], 0);
  g_assert_cmpuint (row->previous[KIOSK_DASH_TODAY].n, ==, 219);
  assert_index (&row->previous[KIOSK_DASH_TODAY], 78.23);
  g_assert_cmpuint (row->current[KIOSK_DASH_WEEK].n, ==, 229);
  g_assert_cmpuint (row->previous[KIOSK_DASH_WEEK].n, ==, 0);
  assert_index (&row->current[KIOSK_DASH_MONTH], 74.82);
  g_assert_cmpuint (row->current[KIOSK_DASH_MONTH].misuse, ==, 5);
  g_assert_cmpuint (row->current[KIOSK_DASH_MONTH].all, ==, 234);
  g_assert_cmpuint (row->kiosks, ==, 1);
  g_assert_cmpuint (row->silent, ==, 0);
  row = g_ptr_array_index (rows, 1);
  g_assert_cmpstr (row->site->name, ==, "beta");
  g_assert_cmpuint (row->silent, ==, 1);
}

static void
test_viewer (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  KioskDashUser viewer = { 2, (char *) "viewer", FALSE, NULL, ids };
  g_autoptr(GPtrArray) sites = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) fleet = NULL;
  g_autoptr(KioskDashComparison) cmp = NULL;
  g_autoptr(KioskDashSite) alpha = NULL;
  KioskDashCompareRow *row;
  KioskDashFilter filter;

  SKIP_WITHOUT_PG ();
  g_array_append_val (ids, f->beta);
  filter_init (&filter, "2026-03-10", "2026-03-11", FALSE);

  alpha = kiosk_dash_data_site (f->conn, &viewer, "alpha", &error);
  g_assert_no_error (error);
  g_assert_null (alpha);
  sites = kiosk_dash_data_sites (f->conn, &viewer, &error);
  g_assert_cmpuint (sites->len, ==, 1);
  g_assert_cmpstr (((KioskDashSite *) sites->pdata[0])->name, ==, "beta");

  rows = kiosk_dash_data_overview (f->conn, &viewer, &filter, utc_us ("2026-03-11T12:00:00Z"),
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  fleet = kiosk_dash_data_fleet (f->conn, &viewer, utc_us ("2026-03-11T12:00:00Z"), &error);
  g_assert_cmpuint (fleet->len, ==, 1);
  g_assert_cmpstr (((KioskDashKiosk *) fleet->pdata[0])->device_id, ==, "dB");

  /* The averages pool only what the viewer may see: retail and FI are beta alone. */
  cmp = kiosk_dash_data_compare (f->conn, &viewer, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cmp->sites->len, ==, 1);
  row = g_ptr_array_index (cmp->sites, 0);
  g_assert_cmpuint (row->type->counts.n, ==, 20);
  g_assert_cmpuint (row->country->counts.n, ==, 20);
  g_assert_cmpuint (cmp->groups->len, ==, 1);
  g_assert_cmpuint (((KioskDashAggregate *) cmp->groups->pdata[0])->counts.n, ==, 20);

  /* A viewer without sites sees nothing at all. */
  g_array_set_size (ids, 0);
  g_clear_pointer (&sites, g_ptr_array_unref);
  sites = kiosk_dash_data_sites (f->conn, &viewer, &error);
  g_assert_cmpuint (sites->len, ==, 0);
}

static void
test_rollups_follow_changes (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskDashSite) beta = NULL;
  g_autofree KioskDashWeekHours *hours = NULL;
  KioskDashFilter filter;

  SKIP_WITHOUT_PG ();
  assert_rollups_match (f->conn);

  /* The server's clock repair: beta's 20 responses were 3 hours late. */
  run (f->conn, "UPDATE responses SET time = time + interval '3 hours',"
                " local_time = local_time + interval '3 hours', clock_repaired = true "
                "WHERE device_id = 'dB'");
  assert_rollups_match (f->conn);
  beta = kiosk_dash_data_site (f->conn, &admin, "beta", &error);
  filter_init (&filter, "2026-03-10", "2026-03-10", FALSE);
  hours = kiosk_dash_data_hours (f->conn, beta, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hours->cells[1][13].n, ==, 0);
  g_assert_cmpuint (hours->cells[1][16].n, ==, 20);
  assert_index (&hours->cells[1][16], 50);

  /* A move across midnight changes the day too. */
  run (f->conn, "UPDATE responses SET local_time = local_time + interval '10 hours' "
                "WHERE device_id = 'dB' AND face = 0");
  assert_rollups_match (f->conn);

  /* A move across the end of a month changes the month too. */
  run (f->conn, "UPDATE responses SET local_time = local_time - interval '10 days' "
                "WHERE device_id = 'dB' AND face = 0");
  assert_rollups_match (f->conn);

  run (f->conn, "DELETE FROM responses WHERE device_id = 'dC'");
  assert_rollups_match (f->conn);
  g_assert_cmpint (query_int (f->conn, "SELECT coalesce (sum (n), 0) FROM rollup_days "
                                       "WHERE site_id = 3"), ==, 0);

  /* A duplicate batch (ON CONFLICT DO NOTHING, as ingest does) adds nothing. */
  run (f->conn, "INSERT INTO responses SELECT * FROM responses WHERE device_id = 'dA' "
                "ON CONFLICT DO NOTHING");
  assert_rollups_match (f->conn);
}

/* Pages */

typedef struct
{
  KioskDashRequest request;
  KioskDashReply   reply;
  GPtrArray       *args;
  GHashTable      *query;
  GHashTable      *form;
} Page;

static void
page_open (Page                *page,
           const KioskDashUser *user,
           const char          *path,
           const char          *arg0,
           const char          *arg1,
           const char          *query)
{
  memset (page, 0, sizeof *page);
  page->args = g_ptr_array_new ();
  if (arg0)
    g_ptr_array_add (page->args, (char *) arg0);
  if (arg1)
    g_ptr_array_add (page->args, (char *) arg1);
  page->query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (query != NULL)
    {
      g_auto(GStrv) pairs = g_strsplit (query, "&", -1);

      for (guint i = 0; pairs[i]; i++)
        {
          g_auto(GStrv) kv = g_strsplit (pairs[i], "=", 2);

          g_hash_table_insert (page->query, g_strdup (kv[0]), g_strdup (kv[1] ? kv[1] : ""));
        }
    }
  page->request.method = "GET";
  page->request.path = path;
  page->request.path_args = page->args;
  page->request.query = page->query;
  page->request.user = (KioskDashUser *) user;
  page->request.csrf_token = "csrf";
  page->request.language = "en";
  page->request.remote_address = "127.0.0.1";
  page->reply.body = g_string_new (NULL);
  page->reply.headers = g_ptr_array_new_with_free_func (g_free);
}

/* Makes the page a POST of the urlencoded @form (the router checked its CSRF token). */
static void
page_post (Page       *page,
           const char *form)
{
  page->request.method = "POST";
  page->form = kiosk_dash_parse_urlencoded (form, strlen (form));
  page->request.form = page->form;
}

static void
page_close (Page *page)
{
  g_ptr_array_unref (page->args);
  g_hash_table_unref (page->query);
  g_clear_pointer (&page->form, g_hash_table_unref);
  g_string_free (page->reply.body, TRUE);
  g_ptr_array_unref (page->reply.headers);
  g_free (page->reply.content_type);
}

static guint
status (const Page *page)
{
  return page->reply.status ? page->reply.status : 200;
}

/* One page rendered for one reader: what it must show and what it must not. */
typedef struct
{
  gboolean    viewer;     /* the viewer of site beta, else the admin */
  const char *path;
  const char *arg0;
  const char *arg1;
  gboolean    period;     /* from=2026-03-10&to=2026-03-11, else no query */
  void      (*render) (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);
  guint       status;     /* 0: not checked */
  const char *has[6];
  const char *lacks[3];
  const char *either[2];  /* one of the two, when given */
} PageCase;

static const PageCase page_cases[] = {
  /* Figures, escaped user text, no raw markup from the data set. */
  { FALSE, "/sites/alpha", "alpha", NULL, TRUE, kiosk_dash_site, 200,
    { "<svg", "Alpha &lt;script&gt;x()&lt;/script&gt; &amp; Co", "slow", "spam spam", "229" },
    { "<script>alert", "<script>x()" },
    { "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;",
      "&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"quotes\"" } },
  /* No survey "default" was published here: no labels. */
  { FALSE, "/sites/alpha/reasons.csv", "alpha", "reasons.csv", TRUE, kiosk_dash_site_csv, 200,
    { "unhappy,1,why,slow,,16,21\r\n", "happy,1,like,fast,,30,30\r\n" } },
  { FALSE, "/sites/alpha/daily.csv", "alpha", "daily.csv", TRUE, kiosk_dash_site_csv, 0,
    { "2026-03-10,78.2,219,5,224\r\n", "2026-03-11,0.0,10,0,10\r\n" } },
  { FALSE, "/sites/alpha/comments.csv", "alpha", "comments.csv", TRUE, kiosk_dash_site_csv, 0,
    { "2026-03-10 12:10," } },
  { FALSE, "/sites/alpha/nope.csv", "alpha", "nope.csv", TRUE, kiosk_dash_site_csv, 404 },
  /* A viewer: another site is 404 like an unknown one. */
  { TRUE, "/sites/alpha", "alpha", NULL, TRUE, kiosk_dash_site, 404, { NULL }, { "Alpha" } },
  { TRUE, "/sites/nowhere", "nowhere", NULL, TRUE, kiosk_dash_site, 404 },
  { TRUE, "/", NULL, NULL, TRUE, kiosk_dash_overview, 200, { "Beta" }, { "Alpha" } },
  { FALSE, "/", NULL, NULL, TRUE, kiosk_dash_overview, 200, { "Alpha &lt;script&gt;" },
    { "<script>x()" } },
  { FALSE, "/compare", NULL, NULL, TRUE, kiosk_dash_compare, 200,
    { "North &lt;i&gt;group&lt;/i&gt;", "249" } },
  { FALSE, "/compare.csv", NULL, NULL, TRUE, kiosk_dash_compare_csv, 0,
    { ",alpha,", "74.8,229,retail,72.8,249,DE,74.8,229\r\n" } },
  { FALSE, "/fleet", NULL, NULL, FALSE, kiosk_dash_fleet, 200, { "dD" } },
};

static void
test_pages (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  KioskDashUser viewer = { 2, (char *) "viewer", FALSE, NULL, ids };

  SKIP_WITHOUT_PG ();
  g_array_append_val (ids, f->beta);

  for (guint i = 0; i < G_N_ELEMENTS (page_cases); i++)
    {
      const PageCase *c = &page_cases[i];
      Page page;
      const char *body;

      g_test_message ("%s as %s", c->path, c->viewer ? "viewer" : "admin");
      page_open (&page, c->viewer ? &viewer : &admin, c->path, c->arg0, c->arg1,
                 c->period ? "from=2026-03-10&to=2026-03-11" : NULL);
      c->render (&page.request, f->conn, &page.reply);
      body = page.reply.body->str;
      if (c->status != 0)
        g_assert_cmpuint (status (&page), ==, c->status);
      for (guint j = 0; j < G_N_ELEMENTS (c->has) && c->has[j]; j++)
        g_assert_nonnull (strstr (body, c->has[j]));
      for (guint j = 0; j < G_N_ELEMENTS (c->lacks) && c->lacks[j]; j++)
        g_assert_null (strstr (body, c->lacks[j]));
      if (c->either[0] != NULL)
        g_assert_true (strstr (body, c->either[0]) || strstr (body, c->either[1]));
      page_close (&page);
    }
}

/* The survey the data set's reasons were given to, published with the visitors' texts in two
 * languages; "friendly" is in none of its follow-ups. */
static const char reasons_survey[] =
  "{\"id\": \"default\", \"version\": 1, \"default_language\": \"en\","
  " \"languages\": [\"en\", \"de\"],"
  " \"question\": {\"en\": \"How was it?\", \"de\": \"Wie war es?\"},"
  " \"faces\": {\"negative\": [0, 1], \"positive\": [2, 3]},"
  " \"follow_up\": {"
  "  \"negative\": {\"id\": \"why\", \"question\": {\"en\": \"Why?\", \"de\": \"Warum?\"},"
  "   \"choice\": \"multiple\", \"options\": ["
  "    {\"id\": \"slow\", \"label\": {\"en\": \"Slow service\", \"de\": \"Langsame Bedienung\"}},"
  "    {\"id\": \"dirty\", \"label\": {\"en\": \"Dirty\", \"de\": \"Schmutzig\"}},"
  "    {\"id\": \"rude\", \"label\": {\"en\": \"Rude <staff>\", \"de\": \"Unhöflich\"}}]},"
  "  \"positive\": {\"id\": \"like\", \"question\": {\"en\": \"What was good?\","
  "   \"de\": \"Was war gut?\"}, \"options\": ["
  "    {\"id\": \"fast\", \"label\": {\"en\": \"Fast\", \"de\": \"Schnell\"}}]}},"
  " \"thank_you\": {\"en\": \"Thanks!\", \"de\": \"Danke!\"}}";

/* The reasons as the visitors read them: the option's label from the published survey in the
 * reader's language, else the survey's default one; the id where no survey has the option; the
 * CSV with both. */
static void
test_reason_labels (Fixture       *f,
                    gconstpointer  data)
{
  const char *period = "from=2026-03-10&to=2026-03-11";
  g_autoptr(KioskSurvey) survey = NULL;
  g_autoptr(GError) error = NULL;
  Page page;
  const char *html;

  SKIP_WITHOUT_PG ();
  survey = kiosk_server_survey_publish (f->conn, reasons_survey, strlen (reasons_survey),
                                        "reasons.json", KIOSK_SURVEY_SCOPE_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (survey);

  page_open (&page, &admin, "/sites/alpha", "alpha", NULL, period);
  page.request.language = "de";
  kiosk_dash_site (&page.request, f->conn, &page.reply);
  g_assert_cmpuint (status (&page), ==, 200);
  html = page.reply.body->str;
  g_assert_nonnull (strstr (html, "<th scope=\"row\">Langsame Bedienung <span class=\"follow-up\">"
                                  "(why)</span></th>"));
  g_assert_nonnull (strstr (html, "<th scope=\"row\">Unhöflich <span"));
  g_assert_nonnull (strstr (html, "<th scope=\"row\">Schnell <span"));
  g_assert_nonnull (strstr (html, "<th scope=\"row\">friendly <span"));
  g_assert_null (strstr (html, "<th scope=\"row\">slow <span"));
  page_close (&page);

  /* Finnish: the survey has none, so its default, English; escaped like any text. */
  page_open (&page, &admin, "/sites/alpha", "alpha", NULL, period);
  page.request.language = "fi";
  kiosk_dash_site (&page.request, f->conn, &page.reply);
  g_assert_cmpuint (status (&page), ==, 200);
  html = page.reply.body->str;
  g_assert_nonnull (strstr (html, "<th scope=\"row\">Slow service <span"));
  g_assert_nonnull (strstr (html, "<th scope=\"row\">Rude &lt;staff&gt; <span"));
  page_close (&page);

  page_open (&page, &admin, "/sites/alpha/reasons.csv", "alpha", "reasons.csv", period);
  page.request.language = "de";
  kiosk_dash_site_csv (&page.request, f->conn, &page.reply);
  g_assert_cmpuint (status (&page), ==, 200);
  g_assert_true (g_str_has_prefix (page.reply.body->str, "mood,rank,follow_up,option,option_label,"
                                                         "answers,answers_with_a_reason\r\n"));
  g_assert_nonnull (strstr (page.reply.body->str,
                            "unhappy,1,why,slow,Langsame Bedienung,16,21\r\n"));
  g_assert_nonnull (strstr (page.reply.body->str, "happy,1,like,fast,Schnell,30,30\r\n"));
  g_assert_nonnull (strstr (page.reply.body->str, "happy,2,why,friendly,,20,20\r\n"));
  page_close (&page);
}

/* The heartbeat's optional storage and buttons: shown, in red when storage fails or a button
 * device is missing, and "–" for a kiosk that does not report them; the CSV has them raw. */
static void
test_fleet_health (Fixture       *f,
                   gconstpointer  data)
{
  Page page;
  const char *html;
  const char *row;

  SKIP_WITHOUT_PG ();
  run (f->conn,
       "INSERT INTO device_health (device_id, received_at, version, uptime_s, queue_depth,"
       " oldest_pending_age_s, dead_letter_count, clock_synced, survey_id, survey_version,"
       " last_seq, storage_state, storage_database_bytes, storage_free_bytes,"
       " buttons_configured, buttons_connected) VALUES"
       " ('dA', '2026-03-11 11:50Z', '1.3.0', 100, 3, 120, 1, true, 'default', 1, 300,"
       "  'failing', 2097152, 5368709120, 2, 1),"
       " ('dB', '2026-03-11 11:00Z', '1.3.0', 100, 0, 0, 0, true, 'default', 1, 20,"
       "  'recovered', NULL, NULL, 0, 0),"
       " ('dC', '2026-03-11 10:50Z', '1.1.0', 100, 0, 0, 0, true, 'default', 1, 4,"
       "  NULL, NULL, NULL, NULL, NULL)");

  page_open (&page, &admin, "/fleet", NULL, NULL, NULL);
  kiosk_dash_fleet (&page.request, f->conn, &page.reply);
  g_assert_cmpuint (status (&page), ==, 200);
  html = page.reply.body->str;
  g_assert_nonnull (strstr (html, "<th scope=\"col\">Storage</th>"
                                  "<th scope=\"col\">Buttons</th>"));
  /* dA: failing storage and a missing button device, both in red; sizes as g_format_size()
   * writes them, with a no-break space. */
  row = strstr (html, "<th scope=\"row\">dA</th>");
  g_assert_nonnull (row);
  g_assert_nonnull (strstr (row, "<td class=\"storage\"><strong class=\"alert\">failing</strong>"
                                 "<br>2.1\u00a0MB used<br>5.4\u00a0GB free</td>"
                                 "<td class=\"buttons\"><strong class=\"alert\">1 of 2 connected"
                                 "</strong></td>"));
  /* dB: recovered is not an alarm; sizes it could not measure are left out; touch only. */
  row = strstr (html, "<th scope=\"row\">dB</th>");
  g_assert_nonnull (strstr (row, "<td class=\"storage\">recovered</td>"
                                 "<td class=\"buttons\">touch only</td>"));
  /* dC: an older kiosk, neither reported. */
  row = strstr (html, "<th scope=\"row\">dC</th>");
  g_assert_nonnull (strstr (row, "<td class=\"storage\">–</td><td class=\"buttons\">–</td>"));
  page_close (&page);

  page_open (&page, &admin, "/fleet.csv", NULL, NULL, NULL);
  kiosk_dash_fleet_csv (&page.request, f->conn, &page.reply);
  g_assert_cmpuint (status (&page), ==, 200);
  g_assert_true (g_str_has_prefix (page.reply.body->str,
                                   "kiosk,site,last_heartbeat,version,uptime_s,survey,"
                                   "survey_version,queue_depth,oldest_pending_age_s,"
                                   "dead_letters,clock_synced,last_upload_ok_at,last_error,"
                                   "silent,storage_state,database_bytes,free_bytes,"
                                   "buttons_configured,buttons_connected\r\n"));
  g_assert_nonnull (strstr (page.reply.body->str, ",failing,2097152,5368709120,2,1\r\n"));
  g_assert_nonnull (strstr (page.reply.body->str, ",recovered,,,0,0\r\n"));
  row = strstr (page.reply.body->str, "\r\ndC,");
  g_assert_nonnull (row);
  g_assert_true (g_str_has_prefix (strstr (row + 2, "\r\n") - 5, ",,,,,\r\n"));
  page_close (&page);
}

/* Alerts, rules and reports */

/* Three rules and three episodes: an open unhappy share at alpha with the reasons and a
 * comment it kept, an open silent kiosk at beta (rule of group north), and a closed,
 * acknowledged Happy Index episode at alpha. Berlin is UTC+1: 10:05Z is 11:05 there. */
static void
load_alerts (Fixture *f)
{
  run (f->conn,
       "INSERT INTO alert_rules (name, kind, site_id, group_id, threshold, window_minutes,"
       " min_responses) VALUES"
       " ('lunch-rush', 'unhappy-share', 1, NULL, 50, 15, 4),"
       " ('quiet', 'silent-kiosk', NULL, 1, 0, 15, 1),"
       " ('day-index', 'happy-index', 1, NULL, 70, 60, 20);"
       "INSERT INTO alert_episodes (rule_id, site_id, device_id, opened_at, last_held_at,"
       " closed_at, value, responses, reasons, comments, acknowledged_at, acknowledged_by,"
       " ack_comment) VALUES"
       " (1, 1, '', '2026-03-10 10:05Z', '2026-03-10 10:20Z', NULL, 62, 8,"
       "  '[{\"follow_up\": \"why\", \"option\": \"slow\", \"label\": \"Slow <service>\","
       "     \"n\": 5}, {\"follow_up\": \"why\", \"option\": \"rude\", \"n\": 2}]',"
       "  '[{\"time\": \"2026-03-10T10:04:00Z\", \"local_time\": \"2026-03-10 11:04\","
       "     \"face\": 0, \"scale\": 4, \"text\": \"<b>Cold</b> coffee\"}]', NULL, NULL, NULL),"
       " (2, 2, 'dB', '2026-03-11 09:00Z', '2026-03-11 09:22Z', NULL, 22, 0, '[]', '[]',"
       "  NULL, NULL, NULL),"
       " (3, 1, '', '2026-03-10 16:00Z', '2026-03-10 17:00Z', '2026-03-10 18:00Z', 64.2, 31,"
       "  '[]', '[]', '2026-03-10 16:30Z', 'anna', 'Spoke to the team <3');");
}

static const char *
reply_header (const Page *page,
              const char *name)
{
  for (guint i = 0; i < page->reply.headers->len; i++)
    {
      const char *line = g_ptr_array_index (page->reply.headers, i);

      if (g_str_has_prefix (line, name) && line[strlen (name)] == ':')
        return line + strlen (name) + 2;
    }
  return NULL;
}

/* The open episodes in words, then the history of the filter's days, each only for who may
 * see its site; the navigation's count; the CSV. */
static void
test_alerts (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  KioskDashUser viewer = { 2, (char *) "viewer", FALSE, NULL, ids };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) open = NULL;
  KioskDashEpisode *e;
  Page page;
  const char *html;

  SKIP_WITHOUT_PG ();
  g_array_append_val (ids, f->beta);
  load_alerts (f);

  g_assert_cmpint (kiosk_dash_data_open_alerts (f->conn, &admin, &error), ==, 2);
  g_assert_cmpint (kiosk_dash_data_open_alerts (f->conn, &viewer, &error), ==, 1);
  g_assert_no_error (error);
  open = kiosk_dash_data_episodes (f->conn, &admin, TRUE, NULL, 0, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 2);
  e = g_ptr_array_index (open, 0);
  g_assert_cmpstr (e->rule_name, ==, "lunch-rush");
  g_assert_cmpuint (e->reasons->len, ==, 2);
  /* A reason stored without its label shows its option's id. */
  g_assert_cmpstr (((KioskDashEpisodeReason *) g_ptr_array_index (e->reasons, 1))->label, ==,
                   "rude");
  g_assert_cmpuint (e->comments->len, ==, 1);
  /* 2026-03-10T10:04:00Z */
  g_assert_cmpint (((KioskDashComment *) g_ptr_array_index (e->comments, 0))->time_us, ==,
                   G_GINT64_CONSTANT (1773137040) * G_USEC_PER_SEC);

  page_open (&page, &admin, "/alerts", NULL, NULL, "from=2026-03-10&to=2026-03-11");
  page.request.conn = f->conn;
  kiosk_dash_alerts (&page.request, f->conn, &page.reply);
  g_assert_cmpuint (status (&page), ==, 200);
  html = page.reply.body->str;
  g_assert_nonnull (strstr (html, ">Alerts <span class=\"badge\">2<span class=\"visually-hidden\">"
                                  " open</span></span></a>"));
  g_assert_nonnull (strstr (html, "<h3>lunch-rush <span class=\"kind\">(Share of unhappy "
                                  "responses)</span></h3>"));
  g_assert_nonnull (strstr (html, "<dd>2026-03-10 11:05</dd>"));
  g_assert_nonnull (strstr (html, "62% unhappy of 8 responses in 15 minutes"));
  g_assert_nonnull (strstr (html, "<li>Slow &lt;service&gt; <span class=\"n\">(5)</span></li>"));
  g_assert_nonnull (strstr (html, "2026-03-10 11:04 · Very unhappy</span> &lt;b&gt;Cold&lt;/b&gt; "
                                  "coffee"));
  g_assert_nonnull (strstr (html, "Kiosk dB silent for 22 minutes"));
  g_assert_nonnull (strstr (html, "Happy Index 64 (n = 31) today"));
  g_assert_nonnull (strstr (html, "Acknowledged by anna on 2026-03-10 17:30: <q>Spoke to the "
                                  "team &lt;3</q>"));
  g_assert_nonnull (strstr (html, "<input type=\"hidden\" name=\"episode\" value=\"1\">"));
  g_assert_nonnull (strstr (html, "href=\"/alerts/rules\""));
  /* The history's filter has dates only. */
  g_assert_nonnull (strstr (html, "id=\"f-from\""));
  g_assert_null (strstr (html, "id=\"f-survey\""));
  g_assert_null (strstr (html, "<b>"));
  page_close (&page);

  /* The viewer of beta: its silent kiosk only, and no link to the rules. */
  page_open (&page, &viewer, "/alerts", NULL, NULL, "from=2026-03-10&to=2026-03-11");
  page.request.conn = f->conn;
  kiosk_dash_alerts (&page.request, f->conn, &page.reply);
  g_assert_cmpuint (status (&page), ==, 200);
  html = page.reply.body->str;
  g_assert_nonnull (strstr (html, "<span class=\"badge\">1<"));
  g_assert_nonnull (strstr (html, "Kiosk dB silent for 22 minutes"));
  g_assert_null (strstr (html, "lunch-rush"));
  g_assert_null (strstr (html, "day-index"));
  g_assert_null (strstr (html, "href=\"/alerts/rules\""));
  g_assert_nonnull (strstr (html, "No alert closed in this period."));
  page_close (&page);

  /* Days without a closed episode. */
  page_open (&page, &admin, "/alerts", NULL, NULL, "from=2026-03-11&to=2026-03-12");
  kiosk_dash_alerts (&page.request, f->conn, &page.reply);
  g_assert_nonnull (strstr (page.reply.body->str, "No alert closed in this period."));
  g_assert_null (strstr (page.reply.body->str, "class=\"badge\""));
  page_close (&page);

  page_open (&page, &admin, "/alerts.csv", NULL, NULL, "from=2026-03-10&to=2026-03-11");
  kiosk_dash_alerts_csv (&page.request, f->conn, &page.reply);
  g_assert_cmpuint (status (&page), ==, 200);
  g_assert_cmpstr (page.reply.body->str, ==,
                   "rule,kind,site,kiosk,opened_at,closed_at,value,responses,window_minutes,"
                   "acknowledged_at,acknowledged_by,ack_comment,figure\r\n"
                   "day-index,happy-index,alpha,,2026-03-10T16:00:00Z,2026-03-10T18:00:00Z,"
                   "64.2,31,60,2026-03-10T16:30:00Z,anna,Spoke to the team <3,"
                   "Happy Index 64 (n = 31) today\r\n");
  g_assert_cmpstr (reply_header (&page, "Content-Disposition"), ==,
                   "attachment; filename=\"alerts.csv\"");
  page_close (&page);

  /* 30 more closed ones: the history's second page holds the oldest six. */
  run (f->conn, "INSERT INTO alert_episodes (rule_id, site_id, opened_at, closed_at, value)"
                " SELECT 3, 1, '2026-03-11 08:00Z'::timestamptz + g * interval '1 minute',"
                "  '2026-03-11 12:00Z', 60 FROM generate_series (1, 30) g");
  page_open (&page, &admin, "/alerts", NULL, NULL, "from=2026-03-10&to=2026-03-11&page=2");
  kiosk_dash_alerts (&page.request, f->conn, &page.reply);
  html = page.reply.body->str;
  g_assert_nonnull (strstr (html, "<span>page 2 of 2</span>"));
  g_assert_nonnull (strstr (html, "<a href=\"/alerts?from=2026-03-10&amp;to=2026-03-11&amp;"
                                  "page=1#history\">Newer</a>"));
  g_assert_null (strstr (html, ">Older</a>"));
  g_assert_nonnull (strstr (html, "Spoke to the team"));
  g_assert_nonnull (strstr (html, "<tr id=\"episode-4\">"));
  g_assert_null (strstr (html, "<tr id=\"episode-10\">"));
  page_close (&page);
}

static char *
query_text (PGconn     *conn,
            const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) result = kiosk_db_exec (conn, sql, 0, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (PQntuples (result), ==, 1);
  return PQgetisnull (result, 0, 0) ? NULL : g_strdup (PQgetvalue (result, 0, 0));
}

/* A POST acknowledges through the alerts module and sends back to the page, which says what
 * happened; the episode's site decides who may. */
static void
test_alerts_acknowledge (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  KioskDashUser viewer = { 2, (char *) "viewer", FALSE, NULL, ids };
  g_autofree char *long_comment = g_strnfill (1001, 'x');
  g_autofree char *long_form = g_strconcat ("episode=1&comment=", long_comment, NULL);
  g_autofree char *by = NULL;
  g_autofree char *comment = NULL;
  static const struct
  {
    gboolean    viewer;
    const char *form;
    guint       status;
    const char *location;
  } cases[] = {
    /* Alpha's episode is not the viewer's: as unknown as one that does not exist. */
    { TRUE, "episode=1&comment=mine", 404, NULL },
    { FALSE, "episode=999", 404, NULL },
    { FALSE, "episode=abc", 400, NULL },
    { FALSE, "comment=none", 400, NULL },
    { FALSE, "episode=1&comment=Checked+the+tills", 303,
      "/alerts?result=acknowledged#episode-1" },
    { FALSE, "episode=1&comment=again", 303, "/alerts?result=exists#episode-1" },
    { TRUE, "episode=2", 303, "/alerts?result=acknowledged#episode-2" },
  };
  Page page;

  SKIP_WITHOUT_PG ();
  g_array_append_val (ids, f->beta);
  load_alerts (f);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s: %s", cases[i].viewer ? "viewer" : "admin", cases[i].form);
      page_open (&page, cases[i].viewer ? &viewer : &admin, "/alerts/acknowledge", NULL, NULL,
                 NULL);
      page_post (&page, cases[i].form);
      kiosk_dash_alerts_acknowledge (&page.request, f->conn, &page.reply);
      g_assert_cmpuint (status (&page), ==, cases[i].status);
      g_assert_cmpstr (reply_header (&page, "Location"), ==, cases[i].location);
      page_close (&page);
    }
  by = query_text (f->conn, "SELECT acknowledged_by FROM alert_episodes WHERE id = 1");
  comment = query_text (f->conn, "SELECT ack_comment FROM alert_episodes WHERE id = 1");
  g_assert_cmpstr (by, ==, "admin");
  g_assert_cmpstr (comment, ==, "Checked the tills");
  g_clear_pointer (&by, g_free);
  by = query_text (f->conn, "SELECT acknowledged_by FROM alert_episodes WHERE id = 2");
  g_assert_cmpstr (by, ==, "viewer");

  /* Too long a comment acknowledges nothing. */
  run (f->conn, "UPDATE alert_episodes SET acknowledged_at = NULL, acknowledged_by = NULL");
  page_open (&page, &admin, "/alerts/acknowledge", NULL, NULL, NULL);
  page_post (&page, long_form);
  kiosk_dash_alerts_acknowledge (&page.request, f->conn, &page.reply);
  g_assert_cmpstr (reply_header (&page, "Location"), ==, "/alerts?result=too-long#episode-1");
  page_close (&page);
  g_assert_cmpint (query_int (f->conn, "SELECT count (*) FROM alert_episodes "
                                       "WHERE acknowledged_at IS NOT NULL"), ==, 0);

  /* What the redirect shows. */
  page_open (&page, &admin, "/alerts", NULL, NULL, "result=exists");
  kiosk_dash_alerts (&page.request, f->conn, &page.reply);
  g_assert_nonnull (strstr (page.reply.body->str,
                            "<p class=\"problem\" role=\"alert\">Someone acknowledged this alert "
                            "already; their acknowledgement is kept.</p>"));
  page_close (&page);
}

#define RULE_FORM "kind=unhappy-share&scope=site%3Aalpha&window=15&min_responses=4" \
                  "&emails=a%40example.org%0D%0Ab%40example.org&webhook_url=" \
                  "&webhook_format=slack&language=de&enabled=1"

static void
post_rule (Fixture    *f,
           const char *form,
           void      (*handler) (KioskDashRequest *, PGconn *, KioskDashReply *),
           guint       want_status,
           const char *want_location,
           const char *has[])
{
  Page page;

  g_test_message ("%s", form);
  page_open (&page, &admin, "/alerts/rules", NULL, NULL, NULL);
  page_post (&page, form);
  handler (&page.request, f->conn, &page.reply);
  g_assert_cmpuint (status (&page), ==, want_status);
  g_assert_cmpstr (reply_header (&page, "Location"), ==, want_location);
  for (guint i = 0; has != NULL && has[i]; i++)
    {
      if (strstr (page.reply.body->str, has[i]) == NULL)
        g_test_message ("no “%s” in:\n%s", has[i], page.reply.body->str);
      g_assert_nonnull (strstr (page.reply.body->str, has[i]));
    }
  page_close (&page);
}

/* The rules' form: what is refused comes back with every problem and what was typed; what is
 * accepted is stored, listed in words, changed and removed. */
static void
test_alert_rules (Fixture       *f,
                  gconstpointer  data)
{
  const char *too_high[] = {
    "<div class=\"problem\" role=\"alert\" id=\"rule-problems\"><p>The rule was not saved:</p>"
    "<ul><li>threshold: 150 is not a percentage of unhappy responses (above 0, at most 100)"
    "</li></ul></div>",
    "name=\"name\" required maxlength=\"64\"", "value=\"too-high\"", "value=\"150\"",
    "a@example.org\r\nb@example.org</textarea>",
    "<option value=\"de\" lang=\"de\" selected>Deutsch</option>",
    "<option value=\"slack\" selected>", "<option value=\"site:alpha\" selected>", NULL,
  };
  const char *not_number[] = { "<li>Threshold: “abc” is not a number.</li>",
                               "<li>Window: “soon” is not a whole number of minutes.</li>",
                               "value=\"abc\"", NULL };
  const char *no_site[] = { "<li>site: no site is called “atlantis” (see: site list)</li>",
                            NULL };
  const char *no_scope[] = { "<li>Site or group: choose one of the list.</li>", NULL };
  const char *exists[] = { "<li>name: a rule called “tills” exists already</li>", NULL };
  const char *confirm[] = { "Remove the rule “tills”? Its alerts, open and closed, are "
                            "removed with it.", "name=\"confirm\" value=\"1\"", NULL };
  Page page;
  const char *html;

  SKIP_WITHOUT_PG ();
  post_rule (f, "name=too-high&threshold=150&" RULE_FORM, kiosk_dash_rules_save, 400, NULL,
             too_high);
  post_rule (f, "name=x&threshold=abc&kind=unhappy-share&scope=site%3Aalpha&window=soon",
             kiosk_dash_rules_save, 400, NULL, not_number);
  post_rule (f, "name=x&kind=unhappy-share&scope=site%3Aatlantis", kiosk_dash_rules_save, 400,
             NULL, no_site);
  post_rule (f, "name=x&kind=unhappy-share&scope=alpha", kiosk_dash_rules_save, 400, NULL,
             no_scope);
  g_assert_cmpint (query_int (f->conn, "SELECT count (*) FROM alert_rules"), ==, 0);

  post_rule (f, "name=tills&threshold=50&" RULE_FORM, kiosk_dash_rules_save, 303,
             "/alerts/rules?saved=tills", NULL);
  post_rule (f, "name=tills&threshold=50&" RULE_FORM, kiosk_dash_rules_save, 400, NULL, exists);
  g_assert_cmpint (query_int (f->conn, "SELECT count (*) FROM alert_rules WHERE name = 'tills'"
                                       " AND language = 'de' AND webhook_format = 'slack'"
                                       " AND emails = '{a@example.org,b@example.org}'"
                                       " AND site_id = 1 AND enabled"), ==, 1);

  page_open (&page, &admin, "/alerts/rules", NULL, NULL, "saved=tills");
  kiosk_dash_rules (&page.request, f->conn, &page.reply);
  g_assert_cmpuint (status (&page), ==, 200);
  html = page.reply.body->str;
  g_assert_nonnull (strstr (html, "The rule “tills” is saved."));
  g_assert_nonnull (strstr (html, "<tr><th scope=\"row\">tills</th><td>Share of unhappy "
                                  "responses</td><td>Alpha &lt;script&gt;x()&lt;/script&gt; &amp; Co</td><td>At least 50% unhappy of at "
                                  "least 4 responses within 15 minutes</td><td>a@example.org<br>"
                                  "b@example.org</td><td>–</td><td>yes</td>"));
  g_assert_nonnull (strstr (html, "href=\"/alerts/rules?edit=tills#rule-form\""));
  /* A new rule's form starts from HappyOrNot's recommendation. */
  g_assert_nonnull (strstr (html, "name=\"threshold\" type=\"number\" min=\"0\" max=\"100000\" "
                                  "step=\"any\" aria-describedby=\"r-threshold-hint\" "
                                  "value=\"50\""));
  page_close (&page);

  page_open (&page, &admin, "/alerts/rules", NULL, NULL, "edit=tills");
  kiosk_dash_rules (&page.request, f->conn, &page.reply);
  g_assert_cmpuint (status (&page), ==, 200);
  html = page.reply.body->str;
  g_assert_nonnull (strstr (html, "<input type=\"hidden\" name=\"replace\" value=\"1\">"));
  g_assert_nonnull (strstr (html, "name=\"name\" required readonly"));
  g_assert_nonnull (strstr (html, "<option value=\"slack\" selected>"));
  page_close (&page);

  page_open (&page, &admin, "/alerts/rules", NULL, NULL, "edit=nope");
  kiosk_dash_rules (&page.request, f->conn, &page.reply);
  g_assert_cmpuint (status (&page), ==, 404);
  page_close (&page);

  post_rule (f, "name=tills&replace=1&threshold=60%2C5&" RULE_FORM, kiosk_dash_rules_save, 303,
             "/alerts/rules?saved=tills", NULL);
  /* A silent kiosk's rule has no threshold: what the field still holds is not its. */
  post_rule (f, "name=lobby&kind=silent-kiosk&scope=group%3Anorth&threshold=50&window=20"
                "&language=en&webhook_format=json&webhook_url=https%3A%2F%2Fchat.example.org%2Fhook",
             kiosk_dash_rules_save, 303, "/alerts/rules?saved=lobby", NULL);
  g_assert_cmpint (query_int (f->conn, "SELECT count (*) FROM alert_rules WHERE name = 'lobby'"
                                       " AND threshold = 0 AND window_minutes = 20"
                                       " AND group_id = 1 AND NOT enabled"), ==, 1);
  run (f->conn, "DELETE FROM alert_rules WHERE name = 'lobby'");
  g_assert_cmpint (query_int (f->conn, "SELECT count (*) FROM alert_rules "
                                       "WHERE threshold = 60.5"), ==, 1);

  post_rule (f, "name=tills", kiosk_dash_rules_remove, 200, NULL, confirm);
  g_assert_cmpint (query_int (f->conn, "SELECT count (*) FROM alert_rules"), ==, 1);
  post_rule (f, "name=tills&confirm=1", kiosk_dash_rules_remove, 303,
             "/alerts/rules?removed=tills", NULL);
  g_assert_cmpint (query_int (f->conn, "SELECT count (*) FROM alert_rules"), ==, 0);
  post_rule (f, "name=tills&confirm=1", kiosk_dash_rules_remove, 404, NULL, NULL);
}

/* A report's PDF for what the user may see; anything else is unknown or refused. */
static void
test_reports (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  KioskDashUser viewer = { 2, (char *) "viewer", FALSE, NULL, ids };
  static const struct
  {
    gboolean    viewer;
    const char *query;
    guint       status;
    const char *file;
  } cases[] = {
    { FALSE, "scope=site:alpha&period=range&from=2026-03-10&to=2026-03-11", 200,
      "report-alpha-2026-03-10-2026-03-11.pdf" },
    { FALSE, "site=alpha&from=2026-03-10&to=2026-03-10", 200, "report-alpha-2026-03-10.pdf" },
    { FALSE, "site=alpha&period=week&date=2026-03-11", 200,
      "report-alpha-2026-03-09-2026-03-15.pdf" },
    { FALSE, "scope=group:north&period=day&date=2026-03-10", 200,
      "report-north-2026-03-10.pdf" },
    { TRUE, "site=beta&period=day&date=2026-03-10", 200, "report-beta-2026-03-10.pdf" },
    /* Another site, and a group with a site the viewer may not see. */
    { TRUE, "site=alpha&period=day&date=2026-03-10", 404, NULL },
    { TRUE, "scope=group:north&period=day&date=2026-03-10", 404, NULL },
    { FALSE, "site=atlantis&period=day&date=2026-03-10", 404, NULL },
    { FALSE, "site=alpha&from=2026-03-11&to=2026-03-10", 400, NULL },
    { FALSE, "site=alpha&from=2025-01-01&to=2026-03-10", 400, NULL },
    { FALSE, "site=alpha&period=day&date=10.3.2026", 400, NULL },
    { FALSE, "site=alpha&period=month&date=2026-03-10", 400, NULL },
    { FALSE, "period=day&date=2026-03-10", 400, NULL },
    { FALSE, "site=alpha&group=north&period=day&date=2026-03-10", 400, NULL },
  };
  Page page;
  const char *html;

  SKIP_WITHOUT_PG ();
  g_array_append_val (ids, f->beta);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s: %s", cases[i].viewer ? "viewer" : "admin", cases[i].query);
      page_open (&page, cases[i].viewer ? &viewer : &admin, "/reports/download", NULL, NULL,
                 cases[i].query);
      kiosk_dash_reports_download (&page.request, f->conn, &page.reply);
      g_assert_cmpuint (status (&page), ==, cases[i].status);
      if (cases[i].file != NULL)
        {
          g_autofree char *disposition = g_strdup_printf ("attachment; filename=\"%s\"",
                                                          cases[i].file);

          g_assert_cmpstr (page.reply.content_type, ==, "application/pdf");
          g_assert_cmpstr (reply_header (&page, "Content-Disposition"), ==, disposition);
          g_assert_true (g_str_has_prefix (page.reply.body->str, "%PDF-"));
          g_assert_cmpuint (page.reply.body->len, >, 1000);
        }
      else
        g_assert_null (reply_header (&page, "Content-Disposition"));
      page_close (&page);
    }

  /* The form offers what the user may see; the schedules are the admins'. */
  page_open (&page, &viewer, "/reports", NULL, NULL, NULL);
  kiosk_dash_reports (&page.request, f->conn, &page.reply);
  g_assert_cmpuint (status (&page), ==, 200);
  html = page.reply.body->str;
  g_assert_nonnull (strstr (html, "<option value=\"site:beta\">Beta</option>"));
  g_assert_null (strstr (html, "site:alpha"));
  g_assert_null (strstr (html, "group:north"));
  g_assert_null (strstr (html, "Scheduled reports"));
  page_close (&page);

  page_open (&page, &admin, "/reports", NULL, NULL, NULL);
  kiosk_dash_reports (&page.request, f->conn, &page.reply);
  html = page.reply.body->str;
  g_assert_nonnull (strstr (html, "<option value=\"group:north\">North &lt;i&gt;group&lt;/i&gt; "
                                  "(group)</option>"));
  g_assert_nonnull (strstr (html, "Scheduled reports"));
  g_assert_nonnull (strstr (html, "No schedule yet."));
  page_close (&page);
}

/* Schedules: the addresses and the language checked, what was typed kept, removal confirmed. */
static void
test_report_schedules (Fixture       *f,
                       gconstpointer  data)
{
  /* The form shows every problem kiosk_report_schedule_check() finds, a line each. */
  const char *bad[] = {
    "<li>name: “x y” is not a valid report name (1 to 64 letters, digits, “.”, “_” or “-”, "
    "starting with a letter or digit)</li>",
    "<li>period: “monthly” is not daily or weekly</li>",
    "<li>email: “not-an-address” is not an e-mail address",
    "<li>language: “xx” is not a language of the reports",
    "value=\"x y\"", "not-an-address\nok@example.org</textarea>", NULL,
  };
  const char *no_address[] = { "<li>email: give at least one address</li>", NULL };
  const char *unknown[] = { "<li>site: there is no site “atlantis” (see: site list)</li>", NULL };
  const char *exists[] = { "<li>name: there is a report “north-weekly” already (see: report "
                           "list)</li>", NULL };
  const char *unconfirmed[] = { "Tick “Yes, remove” beside the schedule to remove it.", NULL };
  Page page;
  const char *html;

  SKIP_WITHOUT_PG ();
  post_rule (f, "name=x+y&scope=site%3Aalpha&period=monthly&emails=not-an-address%0Aok%40"
                "example.org&language=xx", kiosk_dash_schedules_add, 400, NULL, bad);
  post_rule (f, "name=x&scope=site%3Aalpha&period=daily&emails=&language=en",
             kiosk_dash_schedules_add, 400, NULL, no_address);
  post_rule (f, "name=x&scope=site%3Aatlantis&period=daily&emails=a%40example.org&language=en",
             kiosk_dash_schedules_add, 400, NULL, unknown);
  g_assert_cmpint (query_int (f->conn, "SELECT count (*) FROM report_schedules"), ==, 0);

  post_rule (f, "name=north-weekly&scope=group%3Anorth&period=weekly&emails=a%40example.org%0D%0A"
                "b%40example.org&language=fi&enabled=1", kiosk_dash_schedules_add, 303,
             "/reports?added=north-weekly#schedules", NULL);
  post_rule (f, "name=north-weekly&scope=site%3Aalpha&period=daily&emails=a%40example.org"
                "&language=en", kiosk_dash_schedules_add, 400, NULL, exists);
  g_assert_cmpint (query_int (f->conn, "SELECT count (*) FROM report_schedules WHERE"
                                       " name = 'north-weekly' AND group_id = 1"
                                       " AND site_id IS NULL AND period = 'weekly'"
                                       " AND emails = '{a@example.org,b@example.org}'"
                                       " AND language = 'fi' AND enabled"), ==, 1);
  run (f->conn, "INSERT INTO report_runs (schedule_id, period_start, period_end, created_at)"
                " VALUES (1, '2026-03-02', '2026-03-08', '2026-03-08 23:05Z')");

  page_open (&page, &admin, "/reports", NULL, NULL, "added=north-weekly");
  kiosk_dash_reports (&page.request, f->conn, &page.reply);
  html = page.reply.body->str;
  g_assert_nonnull (strstr (html, "The schedule “north-weekly” is added."));
  g_assert_nonnull (strstr (html, "<tr><th scope=\"row\">north-weekly</th><td>North &lt;i&gt;"
                                  "group&lt;/i&gt; (group)</td><td>weekly</td><td>a@example.org"
                                  "<br>b@example.org</td><td>Suomi</td><td>yes</td><td>"
                                  "2026-03-02 – 2026-03-08 <span class=\"muted\">(sent "
                                  "2026-03-08 23:05 UTC)</span></td>"));
  page_close (&page);

  post_rule (f, "name=north-weekly", kiosk_dash_schedules_remove, 400, NULL, unconfirmed);
  post_rule (f, "name=north-weekly&confirm=1", kiosk_dash_schedules_remove, 303,
             "/reports?removed=north-weekly#schedules", NULL);
  g_assert_cmpint (query_int (f->conn, "SELECT count (*) FROM report_schedules"), ==, 0);
  post_rule (f, "name=north-weekly&confirm=1", kiosk_dash_schedules_remove, 404, NULL, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (kiosk_test_pg_skip_reason () == NULL)
    {
      pg = kiosk_test_pg_start (&error);
      if (pg == NULL)
        g_printerr ("# PostgreSQL did not start: %s\n", error->message);
    }

  g_test_add_func ("/dashboard/happy-index-example", test_happy_index_example);
#define ADD(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)
  ADD ("/dashboard/days", test_days);
  ADD ("/dashboard/hours", test_hours);
  ADD ("/dashboard/dst", test_dst);
  ADD ("/dashboard/reasons", test_reasons);
  ADD ("/dashboard/comments", test_comments);
  ADD ("/dashboard/compare", test_compare);
  ADD ("/dashboard/overview-fleet", test_overview_and_fleet);
  ADD ("/dashboard/viewer", test_viewer);
  ADD ("/dashboard/rollups-follow-changes", test_rollups_follow_changes);
  ADD ("/dashboard/pages", test_pages);
  ADD ("/dashboard/fleet-health", test_fleet_health);
  ADD ("/dashboard/reason-labels", test_reason_labels);
  ADD ("/dashboard/alerts", test_alerts);
  ADD ("/dashboard/alerts-acknowledge", test_alerts_acknowledge);
  ADD ("/dashboard/alert-rules", test_alert_rules);
  ADD ("/dashboard/reports", test_reports);
  ADD ("/dashboard/report-schedules", test_report_schedules);
#undef ADD

  status = g_test_run ();
  g_clear_pointer (&pg, kiosk_test_pg_free);
  return status;
}
