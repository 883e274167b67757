/* test-server-cli.c: smiley-kiosk-server's commands against a real PostgreSQL: each command's
 * happy path, and each mistake an operator can make with the exact words and exit status the
 * server answers (0 ok, 1 failure, 2 bad arguments). */
#define G_LOG_DOMAIN "test-server-cli"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "kiosk-test-server-process.h"

static KioskTestServerProcess *srv;

#define SKIP_WITHOUT_SERVER() KIOSK_TEST_SERVER_SKIP_WITHOUT (srv)
#define query(sql)            kiosk_test_server_query (srv, "%s", (sql))
#define exec_sql(sql)         kiosk_test_server_exec (srv, (sql))

/* Runs the command and checks its exit status, its stdout (NULL: not checked) and its stderr
 * (NULL: not checked). */
static void
assert_command (int         status,
                const char *out,
                const char *err,
                ...) G_GNUC_NULL_TERMINATED;

static void
assert_command (int         status,
                const char *out,
                const char *err,
                ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *got_out = NULL;
  g_autofree char *got_err = NULL;
  const char *arg;
  va_list ap;
  int got;

  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  got = kiosk_test_server_adminv (srv, (const char * const *) args->pdata, &got_out, &got_err);
  g_test_message ("%s …: exit %d\nstdout: %s\nstderr: %s", (char *) args->pdata[0], got,
                  got_out, got_err);
  if (out != NULL)
    g_assert_cmpstr (got_out, ==, out);
  if (err != NULL)
    g_assert_cmpstr (got_err, ==, err);
  g_assert_cmpint (got, ==, status);
}

static void
test_help (void)
{
  g_autofree char *out = NULL;

  SKIP_WITHOUT_SERVER ();
  g_assert_cmpint (kiosk_test_server_admin (srv, &out, NULL, "--help", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "usage: smiley-kiosk-server [--config FILE] "
                                        "[--database CONNINFO] COMMAND [ARGUMENTS]\n"));
  g_assert_nonnull (strstr (out, "  export --site SITE [--from YYYY-MM-DD] [--to YYYY-MM-DD]"));
  assert_command (2, "", NULL, "frobnicate", NULL);
}

static void
test_migrate_twice (void)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *err = NULL;

  SKIP_WITHOUT_SERVER ();
  /* The helper migrated once already: nothing is left to apply, however many migrations the
   * schema has by now. */
  g_assert_cmpint (kiosk_test_server_admin (srv, &first, &err, "migrate", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_true (g_str_has_prefix (first, "Database schema at version "));
  g_assert_true (g_str_has_suffix (first, " (0 migrations applied now).\n"));
  g_assert_cmpint (kiosk_test_server_admin (srv, &second, NULL, "migrate", NULL), ==, 0);
  g_assert_cmpstr (second, ==, first);
}

static void
test_group (void)
{
  g_autofree char *out = NULL;

  SKIP_WITHOUT_SERVER ();
  assert_command (0, "Group north added.\n", "", "group", "add", "north", "--title",
                  "Northern shops", NULL);
  assert_command (1, "", "smiley-kiosk-server: a group named “north” exists already\n", "group",
                  "add", "north", NULL);
  assert_command (2, "", "smiley-kiosk-server: “no rth” is not a valid group name (1 to 64 "
                  "letters, digits, “.”, “_” or “-”, starting with a letter or digit)\n",
                  "group", "add", "no rth", NULL);
  g_assert_cmpint (kiosk_test_server_admin (srv, &out, NULL, "group", "list", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "name "));
  g_assert_nonnull (strstr (out, "\nnorth  Northern shops  "));
}

static void
test_site (void)
{
  g_autofree char *out = NULL;
  g_autofree char *hours = NULL;

  SKIP_WITHOUT_SERVER ();
  assert_command (0, "Group west added.\n", "", "group", "add", "west", NULL);
  assert_command (0, "Site berlin-1 added (Europe/Berlin).\n", "", "site", "add", "berlin-1",
                  "--time-zone", "Europe/Berlin", "--type", "supermarket", "--country", "DE",
                  "--group", "west", "--hours", "weekdays=08:00-20:00", "--hours",
                  "sunday=closed", NULL);
  hours = query ("SELECT opening_hours->>'friday' || ' ' || (opening_hours->>'sunday') || ' ' || "
                 "country || ' ' || site_type FROM sites WHERE name = 'berlin-1'");
  g_assert_cmpstr (hours, ==, "08:00-20:00 closed DE supermarket");

  assert_command (1, "", "smiley-kiosk-server: a site named “berlin-1” exists already\n", "site",
                  "add", "berlin-1", "--time-zone", "Europe/Berlin", NULL);
  assert_command (2, "", "smiley-kiosk-server: site add: --time-zone Mars/Olympus_Mons: not a "
                  "time zone of /usr/share/zoneinfo (e.g. Europe/Berlin, America/New_York, "
                  "UTC)\n", "site", "add", "mars-1", "--time-zone", "Mars/Olympus_Mons", NULL);
  assert_command (2, "", "smiley-kiosk-server: site add: --time-zone is required: the zone of "
                  "the site's clocks, e.g. Europe/Berlin (see /usr/share/zoneinfo)\n", "site",
                  "add", "nowhere-1", NULL);
  assert_command (2, "", "smiley-kiosk-server: site add: --country de: expected a two-letter "
                  "ISO 3166 code in capitals, e.g. DE\n", "site", "add", "berlin-2",
                  "--time-zone", "Europe/Berlin", "--country", "de", NULL);
  assert_command (2, "", "smiley-kiosk-server: site add: “Berlin Mitte” is not a valid site name "
                  "(1 to 64 letters, digits, “.”, “_” or “-”, starting with a letter or digit)\n",
                  "site", "add", "Berlin Mitte", "--time-zone", "Europe/Berlin", NULL);
  assert_command (1, "", "smiley-kiosk-server: there is no group “east” (add it with: group add "
                  "east)\n", "site", "add", "berlin-3", "--time-zone", "Europe/Berlin",
                  "--group", "east", NULL);
  assert_command (2, "", "smiley-kiosk-server: site add: --hours funday=08:00-20:00: “funday” is "
                  "not a day (monday … sunday, weekdays or daily)\n", "site", "add", "berlin-4",
                  "--time-zone", "Europe/Berlin", "--hours", "funday=08:00-20:00", NULL);
  assert_command (2, "", "smiley-kiosk-server: unknown option --colour\n"
                  "usage: smiley-kiosk-server site add NAME --time-zone ZONE [--title TEXT] "
                  "[--type TYPE]\n"
                  "                                   [--country CC] [--group GROUP] "
                  "[--hours DAY=HH:MM-HH:MM]…\n"
                  "       smiley-kiosk-server site list\n",
                  "site", "add", "berlin-5", "--colour", "red", NULL);
  /* Nothing of the refused ones was stored. */
  g_free (hours);
  hours = query ("SELECT string_agg (name, ' ' ORDER BY name) FROM sites "
                 "WHERE name LIKE 'berlin-%' OR name IN ('mars-1', 'nowhere-1')");
  g_assert_cmpstr (hours, ==, "berlin-1");

  g_assert_cmpint (kiosk_test_server_admin (srv, &out, NULL, "site", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\nberlin-1  berlin-1  Europe/Berlin  supermarket  DE       "
                                 "west   "));
}

static void
test_device (void)
{
  g_autofree char *token = NULL;
  g_autofree char *out = NULL;
  g_autofree char *retired = NULL;

  SKIP_WITHOUT_SERVER ();
  token = kiosk_test_server_add_device (srv, "device-site", "kiosk-a");
  for (const char *p = token; *p; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');

  assert_command (1, "", "smiley-kiosk-server: a device “kiosk-a” exists already (a retired id "
                  "is not given out again)\n", "device", "add", "kiosk-a", "--site",
                  "device-site", NULL);
  assert_command (1, "", "smiley-kiosk-server: there is no site “atlantis” (see: site list)\n",
                  "device", "add", "kiosk-b", "--site", "atlantis", NULL);
  assert_command (2, "", "smiley-kiosk-server: “kiosk/b” is not a valid device id (1 to 64 "
                  "letters, digits, “.”, “_” or “-”, as [kiosk] device-id in the kiosk's "
                  "configuration)\n", "device", "add", "kiosk/b", "--site", "device-site", NULL);
  assert_command (2, "", "smiley-kiosk-server: device add: --site is required (see: site list)\n",
                  "device", "add", "kiosk-c", NULL);
  assert_command (1, "", "smiley-kiosk-server: there is no device “ghost” (see: device list)\n",
                  "device", "retire", "ghost", NULL);
  g_free (out);
  out = query ("SELECT count(*) FROM devices WHERE id IN ('kiosk-b', 'kiosk/b', 'kiosk-c')");
  g_assert_cmpstr (out, ==, "0");

  assert_command (0, "Device kiosk-a retired: it is answered 410 from now on; its responses "
                  "stay.\n", "", "device", "retire", "kiosk-a", NULL);
  retired = query ("SELECT retired_at IS NOT NULL FROM devices WHERE id = 'kiosk-a'");
  g_assert_cmpstr (retired, ==, "t");
  assert_command (1, "", NULL, "device", "add", "kiosk-a", "--site", "device-site", NULL);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (kiosk_test_server_admin (srv, &out, NULL, "device", "list", "--site",
                                            "device-site", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "id       site         state    last_seen  version  queue\n"
                            "kiosk-a  device-site  retired  never               \n");
}

static char *
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static void
test_survey_publish (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-server-cli-XXXXXX", &error);
  g_autofree char *small = g_test_build_filename (G_TEST_DIST, "data", "survey-small.json", NULL);
  g_autofree char *text = NULL;
  g_autofree char *changed_path = NULL;
  g_autofree char *invalid_path = NULL;
  g_autofree char *token = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(GString) changed = NULL;

  SKIP_WITHOUT_SERVER ();
  g_assert_no_error (error);
  token = kiosk_test_server_add_device (srv, "survey-site", "survey-kiosk");

  assert_command (0, "Survey small-shop version 3 published for site survey-site; kiosks fetch "
                  "it at their next poll.\n", "", "survey", "publish", small, "--site",
                  "survey-site", NULL);
  assert_command (0, "Survey small-shop version 3 published for device survey-kiosk; kiosks "
                  "fetch it at their next poll.\n", "", "survey", "publish", small, "--device",
                  "survey-kiosk", NULL);

  /* The same id and version with other text. */
  g_assert_true (g_file_get_contents (small, &text, NULL, NULL));
  changed = g_string_new (text);
  g_assert_cmpuint (g_string_replace (changed, "How did we do?", "How was it?", 1), ==, 1);
  changed_path = write_file (dir, "changed.json", changed->str);
  assert_command (1, "", "smiley-kiosk-server: version 3 of survey “small-shop” was published "
                  "before with other text; kiosks may already show it, so give the new text a "
                  "new \"version\"\n", "survey", "publish", changed_path, "--default", NULL);

  /* Invalid: the message names the JSON path of what is wrong. */
  g_string_replace (changed, "\"timeout_seconds\": 10", "\"timeout_seconds\": \"ten\"", 1);
  invalid_path = write_file (dir, "invalid.json", changed->str);
  g_assert_cmpint (kiosk_test_server_admin (srv, &out, &err, "survey", "publish", invalid_path,
                                            "--default", NULL), ==, 2);
  g_test_message ("%s", err);
  g_assert_true (g_str_has_prefix (err, "smiley-kiosk-server: "));
  g_assert_nonnull (strstr (err, "follow_up.timeout_seconds"));
  g_assert_cmpstr (out, ==, "");

  assert_command (2, "", "smiley-kiosk-server: survey publish: say for whom: --site SITE, "
                  "--device ID or --default (exactly one)\n", "survey", "publish", small, NULL);
  assert_command (2, "", "smiley-kiosk-server: survey publish: say for whom: --site SITE, "
                  "--device ID or --default (exactly one)\n", "survey", "publish", small,
                  "--default", "--site", "survey-site", NULL);
  assert_command (1, "", "smiley-kiosk-server: there is no site “atlantis” (see: site list)\n",
                  "survey", "publish", small, "--site", "atlantis", NULL);
  assert_command (1, "", "smiley-kiosk-server: there is no device “ghost” (see: device list)\n",
                  "survey", "publish", small, "--device", "ghost", NULL);

  stored = query ("SELECT string_agg (scope || ':' || survey_id, ' ' ORDER BY scope) "
                  "FROM survey_assignments a LEFT JOIN sites s ON s.id = a.site_id "
                  "WHERE s.name = 'survey-site' OR a.device_id = 'survey-kiosk' "
                  "OR a.scope = 'default'");
  g_assert_cmpstr (stored, ==, "device:small-shop site:small-shop");

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (kiosk_test_server_admin (srv, &out, NULL, "survey", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "site survey-site"));
  g_assert_nonnull (strstr (out, "device survey-kiosk"));

  g_remove (changed_path);
  g_remove (invalid_path);
  g_rmdir (dir);
}

static void
test_export_bad_dates (void)
{
  static const char text[] = "smiley-kiosk-server: export: --from and --to are days as "
                             "YYYY-MM-DD, in the site's time zone (both included)\n";

  SKIP_WITHOUT_SERVER ();
  assert_command (2, "", text, "export", "--site", "x", "--from", "2026-13-01", NULL);
  assert_command (2, "", text, "export", "--site", "x", "--to", "2026-02-30", NULL);
  assert_command (2, "", text, "export", "--site", "x", "--from", "14.03.2026", NULL);
  assert_command (2, "", text, "export", "--site", "x", "--from", "2026-3-14", NULL);
  assert_command (2, "", "usage: smiley-kiosk-server export --site SITE [--from YYYY-MM-DD] "
                  "[--to YYYY-MM-DD] > responses.csv\n", "export", NULL);
  assert_command (1, "", "smiley-kiosk-server: there is no site “atlantis” (see: site list)\n",
                  "export", "--site", "atlantis", NULL);
}

#define EXPORT_HEADER "device,seq,id,time_utc,local_time,survey_id,survey_version,face,scale," \
  "input,language,misuse,misuse_rule,follow_up,selected,outcome,comment,contact_name," \
  "contact_email,contact_phone,clock_synced,clock_corrected,clock_repaired,received_at\r\n"
#define ROW1 "export-kiosk,1,00000000-0000-4000-8000-000000000001,2026-03-14T15:10:52.583Z," \
  "2026-03-14T16:10:52.583,small-shop,3,3,4,touch,en,false,,,,,,,,,true,false,false," \
  "2026-03-14T15:11:00.000Z\r\n"
#define ROW2 "export-kiosk,2,00000000-0000-4000-8000-000000000002,2026-07-01T10:00:00.000Z," \
  "2026-07-01T12:00:00.000,small-shop,3,0,4,button,de,true,response-interval,why-not," \
  "queue price,answered,\"slow, \"\"very\"\"\nslow\",Ann Example,," \
  "\"'+49 30 1234567\",false,false,true,2026-07-01T10:00:05.000Z\r\n"
#define ROW3 "export-kiosk,3,00000000-0000-4000-8000-000000000003,2026-07-02T21:30:00.000Z," \
  "2026-07-02T23:30:00.000,small-shop,3,1,4,keyboard,en,false,,why-not,,skipped," \
  "\"'=HYPERLINK(\"\"http://x\"\")\",,,,true,true,false,2026-07-02T21:30:01.000Z\r\n"

static void
test_export (void)
{
  g_autofree char *token = NULL;
  g_autofree char *out = NULL;

  SKIP_WITHOUT_SERVER ();
  assert_command (0, NULL, "", "site", "add", "export-site", "--time-zone", "Europe/Berlin", NULL);
  token = kiosk_test_server_add_device (srv, "export-site", "export-kiosk");
  exec_sql ("INSERT INTO responses (device_id, event_id, seq, site_id, survey_id, survey_version,"
            " scale, face, input, language, time, local_time, utc_offset_s, misuse, misuse_rule,"
            " follow_up_id, follow_up_selected, follow_up_outcome, comment, contact_name,"
            " contact_email, contact_phone, boot_id, monotonic_ms, clock_synced, clock_corrected,"
            " clock_repaired, received_at) "
            "SELECT 'export-kiosk', v.id::uuid, v.seq, s.id, 'small-shop', 3, 4, v.face, v.input,"
            " v.lang, v.t::timestamptz, v.t::timestamptz AT TIME ZONE 'Europe/Berlin', 0, v.misuse,"
            " v.rule, v.fid, v.sel::jsonb, v.outcome, v.comment, v.name, NULL, v.phone, 'boot',"
            " 1000, v.synced, v.corrected, v.repaired, v.received::timestamptz "
            "FROM sites s, (VALUES "
            " ('00000000-0000-4000-8000-000000000001', 1, 3, 'touch', 'en',"
            "  '2026-03-14 15:10:52.583+00', false, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
            "  true, false, false, '2026-03-14 15:11:00+00'),"
            " ('00000000-0000-4000-8000-000000000002', 2, 0, 'button', 'de',"
            "  '2026-07-01 10:00:00+00', true, 'response-interval', 'why-not',"
            "  '[\"queue\", \"price\"]', 'answered', E'slow, \"very\"\\nslow', 'Ann Example',"
            "  '+49 30 1234567', false, false, true, '2026-07-01 10:00:05+00'),"
            " ('00000000-0000-4000-8000-000000000003', 3, 1, 'keyboard', 'en',"
            "  '2026-07-02 21:30:00+00', false, NULL, 'why-not', '[]', 'skipped',"
            "  '=HYPERLINK(\"http://x\")', NULL, NULL, true, true, false,"
            "  '2026-07-02 21:30:01+00')"
            ") AS v (id, seq, face, input, lang, t, misuse, rule, fid, sel, outcome, comment, name,"
            "        phone, synced, corrected, repaired, received) "
            "WHERE s.name = 'export-site'");

  assert_command (0, EXPORT_HEADER ROW1 ROW2 ROW3,
                  "smiley-kiosk-server: exported 3 responses of site export-site\n",
                  "export", "--site", "export-site", NULL);
  /* Days in the site's zone, both included: 23:30 in Berlin on 2 July is still 2 July. */
  assert_command (0, EXPORT_HEADER ROW2 ROW3,
                  "smiley-kiosk-server: exported 2 responses of site export-site\n",
                  "export", "--site", "export-site", "--from", "2026-07-01", "--to", "2026-07-02",
                  NULL);
  assert_command (0, EXPORT_HEADER ROW1,
                  "smiley-kiosk-server: exported 1 responses of site export-site\n",
                  "export", "--site", "export-site", "--to", "2026-06-30", NULL);
  assert_command (0, EXPORT_HEADER,
                  "smiley-kiosk-server: exported 0 responses of site export-site\n",
                  "export", "--site", "export-site", "--from", "2026-07-03", NULL);
}

static void
test_check_config (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-server-cli-XXXXXX", &error);
  g_autofree char *bad = NULL;
  g_autofree char *good = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *valid = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  SKIP_WITHOUT_SERVER ();
  g_assert_no_error (error);
  bad = write_file (dir, "bad.conf",
                    "# a server configuration with three mistakes\n"
                    "[http]\n"
                    "threads=many\n"
                    "listen=localhost\n"
                    "colour=blue\n"
                    "[database]\n"
                    "conninfo=dbname=smiley_kiosk\n");
  expected = g_strdup_printf ("%s:5: [http] colour: unknown key\n"
                              "%s:3: [http] threads: “many” is not a whole number from 1 to 256\n"
                              "%s:4: [http] listen: “localhost” is not ADDRESS:PORT (e.g. "
                              "127.0.0.1:8080 or [::]:443)\n", bad, bad, bad);
  g_assert_cmpint (kiosk_test_server_admin (srv, &out, &err, "--config", bad, "check-config",
                                            NULL), ==, 2);
  g_assert_cmpstr (err, ==, expected);
  g_assert_cmpstr (out, ==, "");

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&expected, g_free);
  good = write_file (dir, "good.conf", "[http]\nlisten=127.0.0.1:8080\nthreads=8\n"
                                       "[retention]\nheartbeat-days=30\n");
  valid = g_strdup_printf ("%s: the configuration is valid\n", good);
  g_assert_cmpint (kiosk_test_server_admin (srv, &out, &err, "--config", good, "check-config",
                                            NULL), ==, 0);
  g_assert_cmpstr (out, ==, valid);
  g_assert_cmpstr (err, ==, "");

  g_remove (bad);
  g_remove (good);
  g_rmdir (dir);
}

/* [mail]: each mistake that would lose alerts, or send them in clear text, named with its
 * line before the server starts. */
static void
test_check_config_mail (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-server-cli-XXXXXX", &error);
  g_autofree char *bad = NULL;
  g_autofree char *clear = NULL;
  g_autofree char *lonely = NULL;
  g_autofree char *good = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  SKIP_WITHOUT_SERVER ();
  g_assert_no_error (error);
  bad = write_file (dir, "bad.conf",
                    "[mail]\n"
                    "relay=smtp://mail.example.com:587/path\n"
                    "from=not an address\n"
                    "starttls=maybe\n"
                    "username=kiosk\n"
                    "[alerts]\n"
                    "retry=0\n");
  expected = g_strdup_printf ("%s:7: [alerts] retry: “0” is not a whole number from 1 to 3600\n"
                              "%s:4: [mail] starttls: “maybe” is not true or false\n"
                              "%s:2: [mail] relay: “smtp://mail.example.com:587/path” is not "
                              "smtp://HOST[:PORT] or smtps://HOST[:PORT] (user and password go "
                              "in username and password-file)\n"
                              "%s:3: [mail] from: “not an address” is not an e-mail address "
                              "(e.g. kiosk@example.com or Smiley Kiosk <kiosk@example.com>)\n"
                              "%s:5: [mail] username: needs password-file too (a file that "
                              "holds the password, readable by the server only)\n",
                              bad, bad, bad, bad, bad);
  g_assert_cmpint (kiosk_test_server_admin (srv, &out, &err, "--config", bad, "check-config",
                                            NULL), ==, 2);
  g_assert_cmpstr (err, ==, expected);
  g_assert_cmpstr (out, ==, "");

  /* Clear text only to this machine. */
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&expected, g_free);
  clear = write_file (dir, "clear.conf",
                      "[mail]\n"
                      "relay=smtp://mail.example.com:25\n"
                      "starttls=false\n"
                      "from=Kiosk <kiosk@example.com>\n");
  expected = g_strdup_printf ("%s:3: [mail] starttls: false is allowed only for a relay on this "
                              "machine (127.0.0.1, ::1 or localhost), not mail.example.com: mail "
                              "to another host would cross the network in clear text\n", clear);
  g_assert_cmpint (kiosk_test_server_admin (srv, &out, &err, "--config", clear, "check-config",
                                            NULL), ==, 2);
  g_assert_cmpstr (err, ==, expected);

  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&expected, g_free);
  lonely = write_file (dir, "lonely.conf", "[mail]\nfrom=kiosk@example.com\n");
  expected = g_strdup_printf ("%s:1: [mail] relay: missing: the other [mail] keys need the relay "
                              "they are for (e.g. relay=smtp://mail.example.com:587)\n", lonely);
  g_assert_cmpint (kiosk_test_server_admin (srv, &out, &err, "--config", lonely, "check-config",
                                            NULL), ==, 2);
  g_assert_cmpstr (err, ==, expected);

  /* On loopback, clear text is allowed. */
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  good = write_file (dir, "good.conf",
                     "[mail]\n"
                     "relay=smtp://127.0.0.1:25\n"
                     "starttls=false\n"
                     "from=Smiley Kiosk <kiosk@example.com>\n"
                     "[alerts]\n"
                     "retry=30\n"
                     "give-up-after=48\n");
  g_assert_cmpint (kiosk_test_server_admin (srv, &out, &err, "--config", good, "check-config",
                                            NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");

  g_remove (bad);
  g_remove (clear);
  g_remove (lonely);
  g_remove (good);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  srv = kiosk_test_server_process_start_or_skip (FALSE);

  g_test_add_func ("/server-cli/help", test_help);
  g_test_add_func ("/server-cli/migrate-twice", test_migrate_twice);
  g_test_add_func ("/server-cli/group", test_group);
  g_test_add_func ("/server-cli/site", test_site);
  g_test_add_func ("/server-cli/device", test_device);
  g_test_add_func ("/server-cli/survey-publish", test_survey_publish);
  g_test_add_func ("/server-cli/export-bad-dates", test_export_bad_dates);
  g_test_add_func ("/server-cli/export", test_export);
  g_test_add_func ("/server-cli/check-config", test_check_config);
  g_test_add_func ("/server-cli/check-config/mail", test_check_config_mail);

  status = g_test_run ();
  g_clear_pointer (&srv, kiosk_test_server_process_free);
  return status;
}
