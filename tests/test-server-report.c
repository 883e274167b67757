/* test-server-report: the PDF reports, read back with pdftotext, against figures computed here
 * from the seeded responses; the schedules' sending rule (each site's closing time in its own
 * time zone, a closed day, a week, a group's last site, the catch-up limit, never twice) with
 * explicit instants; the mails in the outbox; and the `report` command's refusals. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "kiosk-server-config.h"
#include "kiosk-server-db.h"
#include "kiosk-server-report.h"
#include "kiosk-server-surveys.h"
#include "kiosk-test-seed.h"
#include "kiosk-test-server-process.h"

static KioskTestServerProcess *srv;
static PGconn *conn;

static const char survey_json[] =
  "{\"id\": \"default\", \"version\": 7, \"default_language\": \"en\","
  " \"languages\": [\"en\", \"de\"],"
  " \"question\": {\"en\": \"How was your visit?\", \"de\": \"Wie war Ihr Besuch?\"},"
  " \"faces\": {\"negative\": [0, 1], \"positive\": [2, 3]},"
  " \"follow_up\": {"
  "  \"negative\": {\"id\": \"why\", \"question\": {\"en\": \"What went wrong?\","
  "   \"de\": \"Was lief schief?\"}, \"choice\": \"multiple\", \"options\": ["
  "    {\"id\": \"queue\", \"label\": {\"en\": \"Long queue\", \"de\": \"Lange Schlange\"}},"
  "    {\"id\": \"staff\", \"label\": {\"en\": \"Unfriendly staff\","
  "     \"de\": \"Unfreundliches Personal\"}}]},"
  "  \"positive\": {\"id\": \"like\", \"question\": {\"en\": \"What did you like?\","
  "   \"de\": \"Was hat gefallen?\"}, \"options\": ["
  "    {\"id\": \"clean\", \"label\": {\"en\": \"Clean tables\", \"de\": \"Saubere Tische\"}}]}},"
  " \"thank_you\": {\"en\": \"Thank you!\", \"de\": \"Danke!\"}}";

static void
admin_ok (const char *first,
          ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *err = NULL;
  va_list ap;
  int status;

  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  status = kiosk_test_server_adminv (srv, (const char * const *) args->pdata, NULL, &err);
  if (status != 0)
    g_error ("%s %s: exit %d: %s", first, (char *) g_ptr_array_index (args, 1), status, err);
}

static gint64
query_int (const char *sql)
{
  g_autofree char *value = kiosk_test_server_query (srv, "%s", sql);

  return value ? g_ascii_strtoll (value, NULL, 10) : -1;
}

/* The text of @pdf as pdftotext reads it (-layout off: words in reading order). */
static char *
pdf_text (GBytes *pdf)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("report-XXXXXX", &error);
  g_autofree char *in = NULL;
  g_autofree char *out = NULL;
  char *text = NULL;
  int status = 0;

  g_assert_no_error (error);
  in = g_build_filename (dir, "report.pdf", NULL);
  out = g_build_filename (dir, "report.txt", NULL);
  g_assert_true (g_file_set_contents (in, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf),
                                      &error));
  {
    const char *argv[] = { "pdftotext", "-enc", "UTF-8", in, out, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 NULL, NULL, &status, &error));
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_true (g_file_get_contents (out, &text, NULL, &error));
  g_remove (in);
  g_remove (out);
  g_rmdir (dir);
  return text;
}

static gboolean
have_pdftotext (void)
{
  g_autofree char *path = g_find_program_in_path ("pdftotext");

  if (path == NULL)
    g_test_skip ("pdftotext is not installed (apt-get install poppler-utils)");
  return path != NULL;
}

static gint64
id_of (const char *table,
       const char *name)
{
  g_autofree char *value = kiosk_test_server_query (srv, "SELECT id FROM %s WHERE name = '%s'",
                                                    table, name);

  g_assert_nonnull (value);
  return g_ascii_strtoll (value, NULL, 10);
}

static GBytes *
render (gint64      site_id,
        gint64      group_id,
        const char *from,
        const char *to,
        const char *language,
        char      **out_title)
{
  KioskReportRequest request = { site_id, group_id, { 0 }, { 0 }, language, FALSE };
  g_autoptr(GError) error = NULL;
  GBytes *pdf;

  g_date_set_parse (&request.from, from);
  g_date_set_parse (&request.to, to);
  pdf = kiosk_report_render_pdf (conn, &request, out_title, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pdf);
  g_assert_cmpmem (g_bytes_get_data (pdf, NULL), 5, "%PDF-", 5);
  return pdf;
}

#define assert_has(text, needle) \
  G_STMT_START { if (strstr ((text), (needle)) == NULL) \
    g_error ("“%s” is not in the report:\n%s", (needle), (text)); } G_STMT_END

/* @needle is in @text, spaces aside: pdftotext guesses spaces from the glyphs' gaps. */
static void
assert_has_squeezed (const char *text,
                     const char *needle)
{
  g_autoptr(GString) squeezed_text = g_string_new (NULL);
  g_autoptr(GString) squeezed_needle = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (squeezed_text, *p);
  for (const char *p = needle; *p; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (squeezed_needle, *p);
  if (strstr (squeezed_text->str, squeezed_needle->str) == NULL)
    g_error ("“%s” is not in the report:\n%s", needle, text);
}

/* Every letter of @expected (spaces aside) is in @text, as often as in @expected. */
static void
assert_letters (const char *text,
                const char *expected)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_hash_table_insert (counts, GUINT_TO_POINTER (c),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (
                             counts, GUINT_TO_POINTER (c))) + 1));
    }
  for (const char *p = expected; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      guint left = GPOINTER_TO_UINT (g_hash_table_lookup (counts, GUINT_TO_POINTER (c)));

      if (g_unichar_isspace (c))
        continue;
      if (left == 0)
        g_error ("U+%04X of “%s” is not in the report:\n%s", c, expected, text);
      g_hash_table_insert (counts, GUINT_TO_POINTER (c), GUINT_TO_POINTER (left - 1));
    }
}

/* The harbour, Tuesday 2026-03-10 in Berlin (UTC+1): 40 very happy (12 liked the clean
 * tables), 25 happy, 9 unhappy (6 gave the queue), 6 very unhappy (2 the queue and the staff),
 * 3 very unhappy flagged as misuse; comments in German, Arabic and English. */
static void
seed_harbour (void)
{
  static gsize done;

  if (!g_once_init_enter (&done))
    return;
  admin_ok ("site", "add", "harbour", "--time-zone", "Europe/Berlin", "--title", "Harbour Café",
            NULL);
  admin_ok ("device", "add", "harbour-1", "--site", "harbour", NULL);
  kiosk_test_seed_responses (conn, "harbour-1", "2026-03-10 08:00Z", 12, 3, FALSE, "like",
                             "[\"clean\"]", NULL);
  kiosk_test_seed_responses (conn, "harbour-1", "2026-03-10 09:00Z", 27, 3, FALSE, NULL, NULL,
                             NULL);
  kiosk_test_seed_responses (conn, "harbour-1", "2026-03-10 09:30Z", 1, 3, FALSE, NULL, NULL,
                             "Wunderbarer Kuchen, danke!");
  kiosk_test_seed_responses (conn, "harbour-1", "2026-03-10 10:00Z", 25, 2, FALSE, NULL, NULL,
                             NULL);
  kiosk_test_seed_responses (conn, "harbour-1", "2026-03-10 11:00Z", 6, 1, FALSE, "why",
                             "[\"queue\"]", NULL);
  kiosk_test_seed_responses (conn, "harbour-1", "2026-03-10 11:30Z", 3, 1, FALSE, NULL, NULL,
                             NULL);
  kiosk_test_seed_responses (conn, "harbour-1", "2026-03-10 12:00Z", 2, 0, FALSE, "why",
                             "[\"queue\", \"staff\"]", NULL);
  kiosk_test_seed_responses (conn, "harbour-1", "2026-03-10 12:30Z", 3, 0, FALSE, NULL, NULL,
                             NULL);
  kiosk_test_seed_responses (conn, "harbour-1", "2026-03-10 13:00Z", 1, 0, FALSE, NULL, NULL,
                             "الانتظار كان طويلا جدا");
  kiosk_test_seed_responses (conn, "harbour-1", "2026-03-10 14:00Z", 3, 0, TRUE, NULL, NULL,
                             "spam from a bored child");
  /* The Monday before: 10 happy, the period before of a one-day report. */
  kiosk_test_seed_responses (conn, "harbour-1", "2026-03-09 10:00Z", 10, 2, FALSE, NULL, NULL,
                             NULL);
  g_once_init_leave (&done, 1);
}

/* HappyOrNot's Happy Index: the faces weighted 0, 1/3, 2/3, 1, as a percentage. */
static double
happy_index (guint very_unhappy,
             guint unhappy,
             guint happy,
             guint very_happy)
{
  guint n = very_unhappy + unhappy + happy + very_happy;

  return 100.0 * (unhappy / 3.0 + happy * 2 / 3.0 + very_happy) / n;
}

static void
test_render_site (void)
{
  g_autoptr(GBytes) pdf = NULL;
  g_autofree char *text = NULL;
  g_autofree char *title = NULL;
  g_autofree char *expected_index = NULL;
  g_autofree char *expected_n = NULL;

  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  if (!have_pdftotext ())
    return;
  seed_harbour ();

  pdf = render (id_of ("sites", "harbour"), 0, "2026-03-10", "2026-03-10", "en", &title);
  text = pdf_text (pdf);
  g_assert_cmpstr (title, ==, "Harbour Café — 2026-03-10");
  assert_has (text, "Harbour Café");
  assert_has (text, "Tuesday, 2026-03-10");
  assert_has (text, "Europe/Berlin");
  /* 40 / 25 / 9 / 6 (misuse left out): (9/3 + 25·2/3 + 40) / 80 = 74.58 → 75, n = 80. */
  expected_index = g_strdup_printf ("%.0f", happy_index (6, 9, 25, 40));
  g_assert_cmpstr (expected_index, ==, "75");
  expected_n = g_strdup_printf ("n = %u", 6 + 9 + 25 + 40);
  assert_has (text, expected_index);
  assert_has_squeezed (text, expected_n);
  /* The Monday before: 10 happy, 67; today is higher. */
  assert_has_squeezed (text, "67 (n = 10) ▲");
  assert_has (text, "3 responses flagged as misuse are left out.");
  /* The faces' shares: 40 of 80. */
  assert_has (text, "50% (40)");
  /* Labels from the published survey; queue 8 of the 11 unhappy answers with a reason. */
  assert_has (text, "Long queue");
  assert_has (text, "Unfriendly staff");
  assert_has (text, "Clean tables");
  assert_has (text, "Wunderbarer Kuchen, danke!");
  /* pdftotext reads right-to-left runs in no dependable order: every letter is there. */
  assert_letters (text, "الانتظار كان طويلا جدا");
  g_assert_null (strstr (text, "spam from a bored child"));
  assert_has (text, "page 1 of");
}

static void
test_render_german (void)
{
  g_autoptr(GBytes) pdf = NULL;
  g_autofree char *text = NULL;
  g_autofree char *title = NULL;

  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  if (!have_pdftotext ())
    return;
  seed_harbour ();

  pdf = render (id_of ("sites", "harbour"), 0, "2026-03-09", "2026-03-10", "de", &title);
  text = pdf_text (pdf);
  g_assert_cmpstr (title, ==, "Harbour Café — 09.03.2026 – 10.03.2026");
  assert_has (text, "2 Tage: 09.03.2026 – 10.03.2026");
  assert_has (text, "Antworten nach Gesicht");
  assert_has (text, "Neueste Kommentare");
  assert_has (text, "Sehr zufrieden");
  assert_has (text, "Lange Schlange");
  assert_has (text, "Seite 1 von");
  g_assert_null (strstr (text, "Latest comments"));
}

static void
test_render_group (void)
{
  g_autoptr(GBytes) pdf = NULL;
  g_autofree char *text = NULL;
  const char *first, *second;

  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  if (!have_pdftotext ())
    return;
  admin_ok ("group", "add", "coast", "--title", "The Coast", NULL);
  admin_ok ("site", "add", "pier", "--time-zone", "Europe/Lisbon", "--title", "Pier Kiosk",
            "--group", "coast", NULL);
  admin_ok ("site", "add", "dunes", "--time-zone", "Europe/Madrid", "--title", "Dunes Bar",
            "--group", "coast", NULL);
  admin_ok ("device", "add", "pier-1", "--site", "pier", NULL);
  admin_ok ("device", "add", "dunes-1", "--site", "dunes", NULL);
  /* Pier: 4 very happy → 100, n = 4; dunes: 2 very happy, 2 very unhappy → 50, n = 4. */
  kiosk_test_seed_responses (conn, "pier-1", "2026-04-01 10:00Z", 4, 3, FALSE, NULL, NULL, NULL);
  kiosk_test_seed_responses (conn, "dunes-1", "2026-04-01 10:00Z", 2, 3, FALSE, NULL, NULL,
                             NULL);
  kiosk_test_seed_responses (conn, "dunes-1", "2026-04-01 11:00Z", 2, 0, FALSE, NULL, NULL,
                             "Too windy to sit outside");

  pdf = render (0, id_of ("site_groups", "coast"), "2026-04-01", "2026-04-01", "en", NULL);
  text = pdf_text (pdf);
  assert_has (text, "The Coast");
  assert_has (text, "Europe/Lisbon");
  assert_has (text, "Europe/Madrid");
  assert_has (text, "Sites of the group");
  /* The group: (4 + 2) very happy of 8 → 75. */
  assert_has_squeezed (text, "n = 8");
  first = strstr (text, "Pier Kiosk");
  second = strstr (text, "Dunes Bar");
  g_assert_nonnull (first);
  g_assert_nonnull (second);
  /* In the table, best first (the comment names Dunes Bar before the table). */
  first = strstr (strstr (text, "Sites of the group"), "Pier Kiosk");
  second = strstr (strstr (text, "Sites of the group"), "Dunes Bar");
  g_assert_true (first != NULL && second != NULL && first < second);
  assert_has (text, "Too windy to sit outside");
}

static void
test_render_empty (void)
{
  g_autoptr(GBytes) pdf = NULL;
  g_autofree char *text = NULL;

  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  if (!have_pdftotext ())
    return;
  seed_harbour ();

  pdf = render (id_of ("sites", "harbour"), 0, "2026-02-02", "2026-02-08", "en", NULL);
  text = pdf_text (pdf);
  assert_has (text, "Harbour Café");
  assert_has (text, "Week 6: 2026-02-02 – 2026-02-08");
  assert_has (text, "There were no responses in this period.");
  assert_has_squeezed (text, "n = 0");
  g_assert_null (strstr (text, "Happy Index by day"));
}

/* Schedules */

static KioskServerConfig *
config_new (void)
{
  KioskServerConfig *config = kiosk_server_config_new_default ();

  config->dashboard_public_url = g_strdup ("https://dash.example.org/");
  return config;
}

static guint
tick (const char *utc)
{
  g_autoptr(KioskServerConfig) config = config_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 (utc, NULL);
  guint queued = 99;

  g_assert_nonnull (now);
  g_assert_true (kiosk_report_schedule_tick (conn, config,
                                             g_date_time_to_unix (now) * G_USEC_PER_SEC,
                                             &queued, &error));
  g_assert_no_error (error);
  return queued;
}

/* Only this test's schedules tick: the others' are switched off. */
static void
schedules_off (void)
{
  kiosk_test_server_exec (srv, "UPDATE report_schedules SET enabled = false");
}

/* The PDF attached to the MIME message @payload (the outbox's bytea, as text "\x…"). */
static void
assert_mail_has_pdf (const char *hex)
{
  g_autoptr(GString) message = g_string_new (NULL);
  const char *part, *body, *end;
  g_autofree char *base64 = NULL;
  g_autofree guchar *pdf = NULL;
  gsize length = 0;

  g_assert_true (g_str_has_prefix (hex, "\\x"));
  for (const char *p = hex + 2; p[0] && p[1]; p += 2)
    g_string_append_c (message, (char) (g_ascii_xdigit_value (p[0]) * 16 +
                                        g_ascii_xdigit_value (p[1])));
  g_assert_nonnull (strstr (message->str, "multipart/mixed"));
  assert_has (message->str, "https://dash.example.org/sites/");
  part = strstr (message->str, "Content-Type: application/pdf");
  g_assert_nonnull (part);
  body = strstr (part, "\r\n\r\n");
  g_assert_nonnull (body);
  body += 4;
  end = strstr (body, "\r\n--");
  g_assert_nonnull (end);
  base64 = g_strndup (body, end - body);
  pdf = g_base64_decode (base64, &length);
  g_assert_cmpuint (length, >, 1000);
  g_assert_cmpmem (pdf, 4, "%PDF", 4);
}

/* Auckland (UTC+13 in March), open on Tuesdays 09:00–12:00 and 13:00–17:00 and on Thursdays:
 * Tuesday 2026-03-10 closes at 17:00 local, 04:00 UTC the same day. */
static void
test_schedule_daily (void)
{
  g_autofree char *payload = NULL;
  gint64 schedule;

  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  schedules_off ();
  admin_ok ("site", "add", "quay", "--time-zone", "Pacific/Auckland", "--title", "Quay Street",
            "--hours", "tuesday=09:00-12:00,13:00-17:00", "--hours", "thursday=10:00-16:00",
            NULL);
  admin_ok ("device", "add", "quay-1", "--site", "quay", NULL);
  kiosk_test_seed_responses (conn, "quay-1", "2026-03-09 21:00Z", 5, 3, FALSE, NULL, NULL,
                             NULL);
  admin_ok ("report", "add", "quay-daily", "--site", "quay", "--daily", "--email",
            "ops@example.org", "--email", "manager@example.org", NULL);
  schedule = id_of ("report_schedules", "quay-daily");

  g_assert_cmpuint (tick ("2026-03-10T03:59:00Z"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM report_runs"
                              " WHERE schedule_id = (SELECT id FROM report_schedules"
                              "  WHERE name = 'quay-daily')"), ==, 0);

  g_assert_cmpuint (tick ("2026-03-10T04:01:00Z"), ==, 1);
  g_assert_cmpint (query_int ("SELECT count(*) FROM report_runs r JOIN report_schedules s"
                              " ON s.id = r.schedule_id WHERE s.name = 'quay-daily'"
                              " AND period_start = '2026-03-10' AND period_end = '2026-03-10'"),
                   ==, 1);
  g_assert_cmpint (query_int ("SELECT count(*) FROM deliveries d JOIN report_schedules s"
                              " ON s.id = d.schedule_id WHERE s.name = 'quay-daily'"), ==, 2);
  g_assert_cmpint (query_int ("SELECT count(DISTINCT target) FROM deliveries d"
                              " JOIN report_schedules s ON s.id = d.schedule_id"
                              " WHERE s.name = 'quay-daily' AND channel = 'email'"
                              " AND target IN ('ops@example.org', 'manager@example.org')"), ==, 2);
  payload = kiosk_test_server_query (srv, "SELECT payload FROM deliveries"
                                          " WHERE schedule_id = %" G_GINT64_FORMAT
                                          " ORDER BY id LIMIT 1", schedule);
  assert_mail_has_pdf (payload);

  /* Never twice. */
  g_assert_cmpuint (tick ("2026-03-10T04:02:00Z"), ==, 0);
  g_assert_cmpuint (tick ("2026-03-10T09:00:00Z"), ==, 0);
  /* Wednesday is closed all day: nothing after its end either. */
  g_assert_cmpuint (tick ("2026-03-11T11:30:00Z"), ==, 0);
  /* Thursday closes at 16:00 local, 03:00 UTC. */
  g_assert_cmpuint (tick ("2026-03-12T02:59:00Z"), ==, 0);
  g_assert_cmpuint (tick ("2026-03-12T03:01:00Z"), ==, 1);
  g_assert_cmpint (query_int ("SELECT count(*) FROM deliveries d JOIN report_schedules s"
                              " ON s.id = d.schedule_id WHERE s.name = 'quay-daily'"), ==, 4);
}

/* Los Angeles (UTC−7 from 2026-03-08), no opening hours: the week Monday 2026-03-09 to Sunday
 * 03-15 ends at local midnight, 2026-03-16 07:00 UTC. */
static void
test_schedule_weekly (void)
{
  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  schedules_off ();
  admin_ok ("site", "add", "venice", "--time-zone", "America/Los_Angeles", "--title",
            "Venice Beach", NULL);
  admin_ok ("report", "add", "venice-weekly", "--site", "venice", "--weekly", "--email",
            "la@example.org", "--language", "de", NULL);

  g_assert_cmpuint (tick ("2026-03-16T06:59:00Z"), ==, 0);
  g_assert_cmpuint (tick ("2026-03-16T07:01:00Z"), ==, 1);
  g_assert_cmpint (query_int ("SELECT count(*) FROM report_runs r JOIN report_schedules s"
                              " ON s.id = r.schedule_id WHERE s.name = 'venice-weekly'"
                              " AND period_start = '2026-03-09' AND period_end = '2026-03-15'"),
                   ==, 1);
  /* In the schedule's language. */
  g_assert_cmpint (query_int ("SELECT count(*) FROM deliveries d JOIN report_schedules s"
                              " ON s.id = d.schedule_id WHERE s.name = 'venice-weekly'"
                              " AND subject = 'Venice Beach — 09.03.2026 – 15.03.2026'"), ==, 1);
  g_assert_cmpuint (tick ("2026-03-17T07:01:00Z"), ==, 0);
}

/* A group of Berlin (closes Tuesday 17:00 CET, 16:00 UTC) and New York (17:00 EDT, 21:00 UTC):
 * the day's report waits for New York. */
static void
test_schedule_group (void)
{
  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  schedules_off ();
  admin_ok ("group", "add", "atlantic", "--title", "Both Sides", NULL);
  admin_ok ("site", "add", "spree", "--time-zone", "Europe/Berlin", "--group", "atlantic",
            "--hours", "tuesday=09:00-17:00", NULL);
  admin_ok ("site", "add", "hudson", "--time-zone", "America/New_York", "--group", "atlantic",
            "--hours", "tuesday=09:00-17:00", NULL);
  admin_ok ("report", "add", "atlantic-daily", "--group", "atlantic", "--daily", "--email",
            "both@example.org", NULL);

  g_assert_cmpuint (tick ("2026-03-10T16:01:00Z"), ==, 0);
  g_assert_cmpuint (tick ("2026-03-10T20:59:00Z"), ==, 0);
  g_assert_cmpuint (tick ("2026-03-10T21:01:00Z"), ==, 1);
  g_assert_cmpuint (tick ("2026-03-10T21:02:00Z"), ==, 0);
}

/* A server down for a month sends the periods of the last two days only. */
static void
test_schedule_catch_up (void)
{
  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  schedules_off ();
  admin_ok ("site", "add", "night", "--time-zone", "UTC", NULL);
  admin_ok ("report", "add", "night-daily", "--site", "night", "--daily", "--email",
            "night@example.org", NULL);

  /* 2026-03-20 00:30 UTC: the 19th ended 30 minutes ago, the 18th 24.5 hours ago, the 17th
   * 48.5 hours ago, beyond the limit. */
  g_assert_cmpuint (tick ("2026-03-20T00:30:00Z"), ==, 2);
  g_assert_cmpint (query_int ("SELECT count(*) FROM report_runs r JOIN report_schedules s"
                              " ON s.id = r.schedule_id WHERE s.name = 'night-daily'"
                              " AND period_start IN ('2026-03-18', '2026-03-19')"), ==, 2);
  g_assert_cmpint (query_int ("SELECT count(*) FROM report_runs r JOIN report_schedules s"
                              " ON s.id = r.schedule_id WHERE s.name = 'night-daily'"), ==, 2);
}

/* The command */

static void
assert_refused (int         expected_status,
                const char *expected_error,
                const char *first,
                ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *err = NULL;
  va_list ap;
  int status;

  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  status = kiosk_test_server_adminv (srv, (const char * const *) args->pdata, NULL, &err);
  if (status != expected_status)
    g_error ("%s %s: exit %d instead of %d: %s", first, (char *) g_ptr_array_index (args, 1),
             status, expected_status, err);
  assert_has (err, expected_error);
}

static void
test_cli (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *out = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  seed_harbour ();
  dir = g_dir_make_tmp ("report-cli-XXXXXX", NULL);
  file = g_build_filename (dir, "harbour.pdf", NULL);

  assert_refused (1, "there is no site “atlantis”", "report", "render", "--site", "atlantis",
                  "--from", "2026-03-10", "--output", file, NULL);
  assert_refused (1, "there is no group “nowhere”", "report", "render", "--group", "nowhere",
                  "--from", "2026-03-10", "--output", file, NULL);
  assert_refused (2, "--from “2026-13-01” is not a day as YYYY-MM-DD", "report", "render",
                  "--site", "harbour", "--from", "2026-13-01", "--output", file, NULL);
  assert_refused (2, "--to 2026-03-01 is before --from 2026-03-10", "report", "render",
                  "--site", "harbour", "--from", "2026-03-10", "--to", "2026-03-01", "--output",
                  file, NULL);
  assert_refused (2, "--language xx: reports are written in en and", "report", "render",
                  "--site", "harbour", "--from", "2026-03-10", "--language", "xx", "--output",
                  file, NULL);
  assert_refused (2, "name one --site or one --group", "report", "render", "--from",
                  "2026-03-10", "--output", file, NULL);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));

  admin_ok ("report", "render", "--site", "harbour", "--from", "2026-03-10", "--language", "de",
            "--misuse", "--output", file, NULL);
  g_assert_true (g_file_get_contents (file, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 1000);
  g_assert_cmpmem (contents, 5, "%PDF-", 5);
  g_remove (file);
  g_rmdir (dir);

  assert_refused (2, "email: “not-an-address” is not an e-mail address", "report", "add", "x",
                  "--site", "harbour", "--daily", "--email", "not-an-address", NULL);
  assert_refused (2, "give one of --daily and --weekly", "report", "add", "x", "--site",
                  "harbour", "--daily", "--weekly", "--email", "a@example.org", NULL);
  assert_refused (2, "give at least one --email ADDRESS", "report", "add", "x", "--site",
                  "harbour", "--daily", NULL);
  assert_refused (1, "there is no group “nowhere”", "report", "add", "x", "--group", "nowhere",
                  "--weekly", "--email", "a@example.org", NULL);
  assert_refused (2, "“bad name!” is not a valid report name", "report", "add", "bad name!",
                  "--site", "harbour", "--weekly", "--email", "a@example.org", NULL);
  assert_refused (2, "--language klingon", "report", "add", "x", "--site", "harbour",
                  "--weekly", "--email", "a@example.org", "--language", "klingon", NULL);

  admin_ok ("report", "add", "harbour-weekly", "--site", "harbour", "--weekly", "--email",
            "boss@example.org", "--language", "fr", NULL);
  assert_refused (1, "there is a report “harbour-weekly” already", "report", "add",
                  "harbour-weekly", "--site", "harbour", "--daily", "--email", "a@example.org",
                  NULL);
  g_assert_cmpint (kiosk_test_server_admin (srv, &out, NULL, "report", "list", NULL), ==, 0);
  assert_has (out, "harbour-weekly");
  assert_has (out, "boss@example.org");
  admin_ok ("report", "remove", "harbour-weekly", NULL);
  assert_refused (1, "there is no report “harbour-weekly”", "report", "remove", "harbour-weekly",
                  NULL);
}

/* A realistic fortnight of a busy café (a few thousand responses with reasons and comments):
 * two or more pages, every section there. With SMILEY_KIOSK_REPORT_PDF set, the PDF is also
 * written there (docs/reports/ is made from it). */
static void
test_render_realistic (void)
{
  static const char *const comments[] = {
    "The new espresso machine is great, thank you!",
    "Waited 20 minutes for a sandwich at lunchtime.",
    "Die Toiletten waren leider nicht sauber.",
    "Friendly staff, but the card reader was broken again.",
    "الموظفون لطفاء جدا",
    "Too few seats on Saturday afternoon.",
  };
  g_autoptr(GBytes) pdf = NULL;
  g_autofree char *text = NULL;
  const char *target = g_getenv ("SMILEY_KIOSK_REPORT_PDF");
  guint total = 0;

  KIOSK_TEST_SERVER_SKIP_WITHOUT (srv);
  if (!have_pdftotext ())
    return;
  admin_ok ("site", "add", "market", "--time-zone", "Europe/Berlin", "--title",
            "Market Square Café", "--hours", "weekdays=07:00-19:00", "--hours",
            "saturday=08:00-16:00", NULL);
  admin_ok ("device", "add", "market-1", "--site", "market", NULL);
  for (guint day = 0; day < 14; day++)
    {
      guint weekday = (day + 0) % 7;   /* 2026-03-02 is a Monday */
      guint last_hour = weekday == 5 ? 15 : 18;

      if (weekday == 6)
        continue;
      for (guint hour = weekday == 5 ? 8 : 7; hour < last_hour; hour++)
        {
          /* Busy at lunch, unhappier then; better on quiet afternoons. */
          gboolean lunch = hour >= 12 && hour < 14;
          guint base = lunch ? 24 : 9 + (hour * 7 + day * 3) % 8;
          /* The card reader broke on the second Tuesday and Wednesday. */
          gboolean broken = day == 8 || day == 9;
          guint faces[4] = { (lunch ? 4 : 1 + day % 2) + (broken ? 7 : 0), lunch ? 6 : 2,
                             base / 2, base };
          g_autofree char *utc = g_strdup_printf ("2026-03-%02u %02u:05Z", 2 + day, hour - 1);

          for (guint f = 0; f < 4; f++)
            {
              const char *follow_up = f < 2 ? "why" : "like";
              const char *selected = f < 2 ? (hour % 3 == 0 ? "[\"staff\"]" : "[\"queue\"]")
                                           : "[\"clean\"]";

              /* Half of those asked gave a reason. */
              kiosk_test_seed_responses (conn, "market-1", utc, faces[f] / 2 + 1, (int) f,
                                         FALSE, follow_up, selected, NULL);
              kiosk_test_seed_responses (conn, "market-1", utc, faces[f] / 2, (int) f, FALSE,
                                         NULL, NULL, NULL);
              total += faces[f] / 2 * 2 + 1;
            }
          if ((hour + day) % 4 == 0)
            {
              guint c = (hour * 5 + day) % G_N_ELEMENTS (comments);

              kiosk_test_seed_responses (conn, "market-1", utc, 1,
                                         c == 1 || c == 2 ? 0 : c == 5 ? 1 : c == 3 ? 2 : 3,
                                         FALSE, NULL, NULL, comments[c]);
              total++;
            }
        }
    }
  g_assert_cmpuint (total, >, 2000);

  pdf = render (id_of ("sites", "market"), 0, "2026-03-02", "2026-03-15", "en", NULL);
  text = pdf_text (pdf);
  assert_has (text, "Market Square Café");
  assert_has (text, "14 days: 2026-03-02 – 2026-03-15");
  assert_has (text, "Happy Index by day");
  assert_has (text, "Top reasons");
  assert_has (text, "Latest comments");
  assert_has (text, "page 2 of");
  if (target != NULL)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (g_file_set_contents (target, g_bytes_get_data (pdf, NULL),
                                          g_bytes_get_size (pdf), &error));
      g_assert_no_error (error);
    }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  srv = kiosk_test_server_process_start_or_skip (FALSE);
  if (srv != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskSurvey) survey = NULL;

      conn = kiosk_db_connect (kiosk_test_pg_get_conninfo (kiosk_test_server_process_get_pg (srv)),
                               &error);
      g_assert_no_error (error);
      survey = kiosk_server_survey_publish (conn, survey_json, strlen (survey_json),
                                            "report.json", KIOSK_SURVEY_SCOPE_DEFAULT, NULL,
                                            &error);
      g_assert_no_error (error);
    }

  g_test_add_func ("/server-report/render/site", test_render_site);
  g_test_add_func ("/server-report/render/german", test_render_german);
  g_test_add_func ("/server-report/render/group", test_render_group);
  g_test_add_func ("/server-report/render/empty", test_render_empty);
  g_test_add_func ("/server-report/render/realistic", test_render_realistic);
  g_test_add_func ("/server-report/schedule/daily", test_schedule_daily);
  g_test_add_func ("/server-report/schedule/weekly", test_schedule_weekly);
  g_test_add_func ("/server-report/schedule/group", test_schedule_group);
  g_test_add_func ("/server-report/schedule/catch-up", test_schedule_catch_up);
  g_test_add_func ("/server-report/cli", test_cli);

  status = g_test_run ();
  g_clear_pointer (&conn, PQfinish);
  g_clear_pointer (&srv, kiosk_test_server_process_free);
  return status;
}
