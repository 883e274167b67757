/* test-cli.c: the command line IT staff use, run as a real process: --check-config, --stats,
 * --export-csv, exit statuses and the exact error text. */
#define G_LOG_DOMAIN "test-cli"

#include "config.h"

#include <gio/gio.h>

#include "kiosk-flow.h"
#include "kiosk-pin.h"
#include "kiosk-test-util.h"

typedef struct
{
  char *dir;
  char *conf;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *text = NULL;

  f->dir = kiosk_test_make_tmpdir ();
  text = g_strdup_printf ("[kiosk]\ndevice-id = cli-test\nstate-directory = %s/state\n", f->dir);
  f->conf = kiosk_test_write_file (f->dir, "kiosk.conf", text);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  kiosk_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->conf);
}

/* Runs smiley-kiosk with the given arguments; returns its exit status. */
static int
run_kiosk (char       **out_stdout,
           char       **out_stderr,
           const char  *first_arg,
           ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  const char *binary = g_getenv ("SMILEY_KIOSK_BINARY");
  va_list args;

  g_assert_nonnull (binary);
  g_ptr_array_add (argv, (char *) binary);

  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* No display for the tools: they must not need one. */
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8 (proc, NULL, NULL, out_stdout, out_stderr, &error);
  g_assert_no_error (error);

  return g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
}

static void
test_version (void)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_kiosk (&out, &err, "--version", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "smiley-kiosk " PACKAGE_VERSION "\n");
}

static void
test_check_config_valid (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *expected = g_strdup_printf ("%s: the configuration is valid\n", f->conf);

  g_assert_cmpint (run_kiosk (&out, &err, "--config", f->conf, "--check-config", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, expected));
  g_assert_nonnull (strstr (out, "device-id          cli-test\n"));
  g_assert_nonnull (strstr (out, "thank-you-seconds  3\n"));
}

static void
test_check_config_invalid (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *bad = kiosk_test_write_file (f->dir, "bad.conf",
                                                "# shop 12\n[kiosk]\nthank-you-seconds = forever\n"
                                                "screensaver = off\n");
  g_autofree char *expected = g_strdup_printf ("%s:4: [kiosk] screensaver: unknown key\n", bad);

  g_assert_cmpint (run_kiosk (&out, &err, "--config", bad, "--check-config", NULL), ==, 2);
  g_assert_cmpstr (err, ==, expected);
  g_assert_cmpstr (out, ==, "");

  /* Starting the kiosk with it stops the same way, before any window. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_kiosk (&out, &err, "--config", bad, NULL), ==, 2);
  g_assert_cmpstr (err, ==, expected);
}

static void
test_missing_config (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "nope.conf", NULL);
  g_autofree char *expected =
    g_strdup_printf ("%s: cannot read the configuration: No such file or directory\n", missing);

  g_assert_cmpint (run_kiosk (&out, &err, "--config", missing, "--check-config", NULL), ==, 2);
  g_assert_cmpstr (err, ==, expected);
}

static void
test_check_survey_valid (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "survey-small.json", NULL);
  g_autofree char *expected = g_strdup_printf (
    "%s: the survey is valid\n"
    "  id                   small-shop\n"
    "  version              3\n"
    "  languages            en (English, default), de (Deutsch)\n"
    "  negative faces       0, 1, follow-up “why-not”\n"
    "                       multiple choice: queue, price, staff, other\n"
    "                       comment of up to 10 characters\n"
    "                       contact request, with consent: name phone\n"
    "  positive faces       2, 3, follow-up “why”\n"
    "                       single choice: staff, speed\n"
    "  follow-up timeout    10 s\n", path);

  /* No configuration needed, and none read. */
  g_assert_cmpint (run_kiosk (&out, &err, "--config", "/nonexistent/kiosk.conf",
                              "--check-survey", path, NULL), ==, 0);
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpstr (err, ==, "");
}

/* A survey that asks Japanese visitors for a comment is valid, but the kiosk cannot type
 * Japanese (it has no input method) and skips that step: the checker warns, and still says 0. */
static void
test_check_survey_input_method (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "survey-japanese.json",
                                                 NULL);
  g_autofree char *valid = g_strdup_printf ("%s: the survey is valid\n", path);
  g_autofree char *expected = g_strdup_printf (
    "%s: warning: follow-up “why-not” asks for a comment, but ja (日本語) is typed through an "
    "input method, which the kiosk does not have: visitors in ja skip the comment\n", path);

  g_assert_cmpint (run_kiosk (&out, &err, "--config", "/nonexistent/kiosk.conf",
                              "--check-survey", path, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, valid));
  g_assert_cmpstr (err, ==, expected);
}

static void
test_check_survey_invalid (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "survey-invalid.json",
                                                 NULL);
  g_autofree char *malformed = g_test_build_filename (G_TEST_DIST, "data",
                                                      "survey-malformed.json", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "none.json", NULL);
  g_autofree char *expected = g_strdup_printf (
    "%s: id: “Summer Survey” is not a valid id (expected 1 to 64 lower-case letters, digits, "
    "“-” or “_”, starting with a letter or digit)\n"
    "%s: follow_up.negative.options[3].label.de: missing translation\n", path, path);
  g_autofree char *conf = NULL;
  g_autofree char *text = NULL;

  g_assert_cmpint (run_kiosk (&out, &err, "--check-survey", path, NULL), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, expected);

  /* The kiosk with it in its configuration stops the same way, before any window. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  text = g_strdup_printf ("[kiosk]\nstate-directory = %s/state\n[survey]\nfile = %s\n",
                          f->dir, path);
  conf = kiosk_test_write_file (f->dir, "with-survey.conf", text);
  g_assert_cmpint (run_kiosk (&out, &err, "--config", conf, NULL), ==, 2);
  g_assert_cmpstr (err, ==, expected);

  /* Not JSON: line and column. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%s:4:21: a comma is missing after this\n", malformed);
  g_assert_cmpint (run_kiosk (&out, &err, "--check-survey", malformed, NULL), ==, 2);
  g_assert_cmpstr (err, ==, expected);

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("Failed to open file “%s”: No such file or directory\n", missing);
  g_assert_cmpint (run_kiosk (&out, &err, "--check-survey", missing, NULL), ==, 2);
  g_assert_cmpstr (err, ==, expected);
}

static void
test_unknown_option (void)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_kiosk (&out, &err, "--frobnicate", NULL), ==, 2);
  g_assert_cmpstr (err, ==, "smiley-kiosk: Unknown option --frobnicate\n");
}

/* HappyOrNot's published example, plus misuse and a quoted field, recorded through the flow. */
static void
record_example (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = kiosk_config_new_from_file (f->conf, &error);
  g_autofree char *db = NULL;
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(KioskClock) clock = NULL;
  g_autoptr(KioskSurvey) survey = kiosk_survey_new_demo ();
  g_autoptr(KioskFlow) flow = NULL;
  const int counts[] = { 17, 16, 60, 126 };

  g_assert_no_error (error);
  db = kiosk_config_dup_database_path (config);
  store = kiosk_store_open (db, KIOSK_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  clock = kiosk_clock_new_fake (g_get_real_time (), G_USEC_PER_SEC, "boot-cli");
  flow = kiosk_flow_new (config, store, clock, survey);
  kiosk_flow_set_language (flow, "de");

  for (int face = 0; face < 4; face++)
    for (int i = 0; i < counts[face]; i++)
      {
        kiosk_clock_advance (clock, 10 * G_USEC_PER_SEC);
        g_assert_nonnull (kiosk_flow_vote (flow, face, KIOSK_INPUT_TOUCH, &error));
      }

  /* Two quick presses: the second is misuse. */
  kiosk_clock_advance (clock, 10 * G_USEC_PER_SEC);
  kiosk_flow_vote (flow, 0, KIOSK_INPUT_BUTTON, NULL);
  kiosk_clock_advance (clock, G_USEC_PER_SEC);
  kiosk_flow_vote (flow, 0, KIOSK_INPUT_BUTTON, NULL);
}

static void
test_stats (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *out = NULL, *err = NULL;

  record_example (f);

  g_assert_cmpint (run_kiosk (&out, &err, "--config", f->conf, "--stats", NULL), ==, 0);
  g_assert_nonnull (strstr (out,
                            "All time\n"
                            "  Very happy          126\n"
                            "  Happy                60\n"
                            "  Unhappy              16\n"
                            "  Very unhappy         18\n"
                            "  Total               220\n"
                            "  Misuse                1\n"
                            "  Happy Index          78\n"));
  g_assert_true (g_str_has_prefix (out, "Today\n"));
}

/* A kiosk that has recorded nothing yet has no database: zeros, not an error. */
static void
test_stats_nothing_recorded (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *db = g_build_filename (f->dir, "state", "responses.db", NULL);
  static const char zeros[] =
    "  Very happy            0\n"
    "  Happy                 0\n"
    "  Unhappy               0\n"
    "  Very unhappy          0\n"
    "  Total                 0\n"
    "  Misuse                0\n"
    "  Happy Index        none\n";
  g_autofree char *expected = g_strdup_printf ("Today\n%s\nAll time\n%s", zeros, zeros);

  g_assert_cmpint (run_kiosk (&out, &err, "--config", f->conf, "--stats", NULL), ==, 0);
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpstr (err, ==, "");
  /* Only read: asking for figures does not create the database. */
  g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
}

static void
test_export_csv (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *csv_path = g_build_filename (f->dir, "export.csv", NULL);
  g_autofree char *csv = NULL;
  g_autofree char *expected_err = g_strdup_printf ("Wrote 221 responses to %s\n", csv_path);
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) last = NULL;

  record_example (f);

  g_assert_cmpint (run_kiosk (&out, &err, "--config", f->conf, "--export-csv", csv_path, NULL),
                   ==, 0);
  g_assert_cmpstr (err, ==, expected_err);

  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  lines = g_strsplit (csv, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 221 + 1);
  g_assert_cmpstr (lines[0], ==,
                   "id,seq,time,local_time,survey_id,survey_version,scale,face,input,language,"
                   "misuse,misuse_rule,clock_synced,clock_corrected,clock_boot_id,"
                   "clock_monotonic_ms,follow_up_id,follow_up_selected,follow_up_outcome,comment,"
                   "contact_name,contact_email,contact_phone");
  g_assert_cmpstr (lines[222], ==, "");

  last = g_strsplit (lines[221], ",", -1);
  g_assert_cmpuint (g_strv_length (last), ==, 23);
  g_assert_true (g_uuid_string_is_valid (last[0]));
  g_assert_cmpstr (last[1], ==, "221");
  g_assert_true (g_str_has_suffix (last[2], "Z"));
  g_assert_cmpstr (last[4], ==, "demo");
  g_assert_cmpstr (last[7], ==, "0");
  g_assert_cmpstr (last[8], ==, "button");
  g_assert_cmpstr (last[9], ==, "de");
  g_assert_cmpstr (last[10], ==, "true");
  g_assert_cmpstr (last[11], ==, "response-interval");
  g_assert_cmpstr (last[14], ==, "boot-cli");

  /* And to standard output. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_kiosk (&out, &err, "--config", f->conf, "--export-csv", "-", NULL), ==, 0);
  g_assert_cmpstr (out, ==, csv);
}

static void
test_export_unwritable (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *out = NULL, *err = NULL;

  record_example (f);
  g_assert_cmpint (run_kiosk (&out, &err, "--config", f->conf, "--export-csv",
                              "/nonexistent-dir/export.csv", NULL), ==, 1);
  g_assert_true (g_str_has_prefix (err, "smiley-kiosk: /nonexistent-dir/export.csv: "));
  g_assert_nonnull (strstr (err, "No such file or directory"));
}

/* smiley-kiosk --hash-pin with @input on its standard input (a pipe, not a terminal). */
static int
hash_pin (const char  *input,
          char       **out_stdout,
          char       **out_stderr)
{
  const char *argv[] = { g_getenv ("SMILEY_KIOSK_BINARY"), "--hash-pin", NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (argv[0]);
  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, input, NULL, out_stdout, out_stderr, &error);
  g_assert_no_error (error);

  return g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
}

/* The line to paste under [admin]; the hash checks against the PIN; bad PINs say why. */
static void
test_hash_pin (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *hash = NULL;
  KioskPinGuard guard = { 0 };

  g_assert_cmpint (hash_pin ("2468\n", &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_true (g_str_has_prefix (out, "pin-hash=$"));
  g_assert_true (g_str_has_suffix (out, "\n"));
  hash = g_strndup (out + strlen ("pin-hash="), strlen (out) - strlen ("pin-hash=") - 1);
  g_assert_true (kiosk_pin_hash_is_valid (hash));
  g_assert_cmpint (kiosk_pin_guard_check (&guard, hash, "2468", 0, NULL), ==, KIOSK_PIN_OK);
  g_assert_cmpint (kiosk_pin_guard_check (&guard, hash, "2469", 0, NULL), ==, KIOSK_PIN_WRONG);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (hash_pin ("12a4\n", &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==,
                   "smiley-kiosk: a PIN has digits only (it is typed on the kiosk's PIN pad)\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (hash_pin ("123\n", &out, &err), ==, 1);
  g_assert_cmpstr (err, ==, "smiley-kiosk: a PIN has 4 to 12 digits\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (hash_pin ("", &out, &err), ==, 1);
  g_assert_cmpstr (err, ==, "smiley-kiosk: no PIN was given\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* The demo survey offers the languages of the build's catalogues. */
  kiosk_test_bind_catalogues ();

  g_test_add_func ("/cli/version", test_version);
  g_test_add_func ("/cli/unknown-option", test_unknown_option);
  g_test_add_func ("/cli/check-survey/valid", test_check_survey_valid);
  g_test_add_func ("/cli/check-survey/input-method", test_check_survey_input_method);
  g_test_add ("/cli/check-survey/invalid", Fixture, NULL,
              fixture_setup, test_check_survey_invalid, fixture_teardown);
  g_test_add ("/cli/check-config/valid", Fixture, NULL,
              fixture_setup, test_check_config_valid, fixture_teardown);
  g_test_add ("/cli/check-config/invalid", Fixture, NULL,
              fixture_setup, test_check_config_invalid, fixture_teardown);
  g_test_add ("/cli/check-config/missing", Fixture, NULL,
              fixture_setup, test_missing_config, fixture_teardown);
  g_test_add ("/cli/stats", Fixture, NULL, fixture_setup, test_stats, fixture_teardown);
  g_test_add ("/cli/stats/nothing-recorded", Fixture, NULL,
              fixture_setup, test_stats_nothing_recorded, fixture_teardown);
  g_test_add ("/cli/export-csv", Fixture, NULL, fixture_setup, test_export_csv, fixture_teardown);
  g_test_add ("/cli/export-csv/unwritable", Fixture, NULL,
              fixture_setup, test_export_unwritable, fixture_teardown);
  g_test_add_func ("/cli/hash-pin", test_hash_pin);

  return g_test_run ();
}
