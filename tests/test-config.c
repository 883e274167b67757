/* test-config.c: kiosk.conf parsing; every kind of bad value gives its exact message. */
#define G_LOG_DOMAIN "test-config"

#include "config.h"

#include <glib/gstdio.h>

#include "kiosk-config.h"
#include "kiosk-test-util.h"

static void
test_defaults (void)
{
  g_autoptr(KioskConfig) config = kiosk_config_new_default ();
  g_autofree char *expected_dir = g_build_filename (g_get_user_state_dir (), "smiley-kiosk", NULL);
  g_autofree char *db = kiosk_config_dup_database_path (config);

  g_assert_cmpuint (kiosk_config_get_thank_you_ms (config), ==, 3000);
  g_assert_cmpuint (kiosk_config_get_misuse_interval_ms (config), ==, 5000);
  g_assert_cmpuint (kiosk_config_get_attract_after_minutes (config), ==, 0);
  g_assert_cmpstr (kiosk_config_get_state_directory (config), ==, expected_dir);
  g_assert_null (kiosk_config_get_language (config));
  g_assert_null (kiosk_config_get_path (config));
  g_assert_true (g_str_has_prefix (kiosk_config_get_device_id (config), "kiosk-"));
  g_assert_true (g_str_has_suffix (db, "/smiley-kiosk/responses.db"));

  g_assert_finalize_object (g_steal_pointer (&config));
}

static void
test_valid (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;
  const char *text =
    "# a comment\n"
    "\n"
    "[kiosk]\n"
    "device-id = store-042.exit_B\n"
    "thank-you-seconds = 1.5\n"
    "misuse-interval=0\n"
    "attract-after-minutes = 30\n"
    "  state-directory = /var/lib/smiley-kiosk  \n"
    "language = fr-CH\n";

  config = kiosk_config_new_from_data (text, -1, "kiosk.conf", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kiosk_config_get_device_id (config), ==, "store-042.exit_B");
  g_assert_cmpuint (kiosk_config_get_thank_you_ms (config), ==, 1500);
  g_assert_cmpuint (kiosk_config_get_misuse_interval_ms (config), ==, 0);
  g_assert_cmpuint (kiosk_config_get_attract_after_minutes (config), ==, 30);
  g_assert_cmpstr (kiosk_config_get_state_directory (config), ==, "/var/lib/smiley-kiosk");
  g_assert_cmpstr (kiosk_config_get_language (config), ==, "fr-CH");
  g_assert_cmpstr (kiosk_config_get_path (config), ==, "kiosk.conf");
}

static void
test_empty_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = kiosk_config_new_from_data ("", 0, "empty.conf", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (kiosk_config_get_thank_you_ms (config), ==, 3000);
}

typedef struct
{
  const char *text;
  const char *message;
} BadCase;

static const BadCase bad_cases[] = {
  /* values */
  { "[kiosk]\nthank-you-seconds = abc\n",
    "k.conf:2: [kiosk] thank-you-seconds: “abc” is not a number of seconds (expected 0.5 to 60)" },
  { "[kiosk]\nthank-you-seconds = 3s\n",
    "k.conf:2: [kiosk] thank-you-seconds: “3s” is not a number of seconds (expected 0.5 to 60)" },
  { "[kiosk]\n\nthank-you-seconds = 0.1\n",
    "k.conf:3: [kiosk] thank-you-seconds: 0.1 is out of range (expected 0.5 to 60 seconds)" },
  { "[kiosk]\nthank-you-seconds = 61\n",
    "k.conf:2: [kiosk] thank-you-seconds: 61 is out of range (expected 0.5 to 60 seconds)" },
  { "[kiosk]\nthank-you-seconds = nan\n",
    "k.conf:2: [kiosk] thank-you-seconds: “nan” is not a number of seconds (expected 0.5 to 60)" },
  { "[kiosk]\nmisuse-interval = -1\n",
    "k.conf:2: [kiosk] misuse-interval: -1 is out of range (expected 0 to 3600 seconds)" },
  { "[kiosk]\nmisuse-interval = 5,5\n",
    "k.conf:2: [kiosk] misuse-interval: “5,5” is not a number of seconds (expected 0 to 3600)" },
  { "[kiosk]\nattract-after-minutes = 1441\n",
    "k.conf:2: [kiosk] attract-after-minutes: 1441 is out of range (expected 0 to 1440 minutes)" },
  { "[kiosk]\nattract-after-minutes = 2.5\n",
    "k.conf:2: [kiosk] attract-after-minutes: “2.5” is not a whole number of minutes (expected 0 "
    "to 1440)" },
  { "[kiosk]\ndevice-id = shop 1\n",
    "k.conf:2: [kiosk] device-id: “shop 1” is not a valid device id (expected 1 to 64 characters "
    "of A–Z, a–z, 0–9, “.”, “_” and “-”)" },
  { "[kiosk]\ndevice-id = ../../etc\n",
    "k.conf:2: [kiosk] device-id: “../../etc” is not a valid device id (expected 1 to 64 characters "
    "of A–Z, a–z, 0–9, “.”, “_” and “-”)" },
  { "[kiosk]\nstate-directory = var/lib/kiosk\n",
    "k.conf:2: [kiosk] state-directory: “var/lib/kiosk” is not an absolute path" },
  { "[kiosk]\nlanguage = german\n",
    "k.conf:2: [kiosk] language: “german” is not a language tag (expected a BCP 47 tag such as "
    "“de” or “fr-CH”)" },
  { "[kiosk]\nlanguage = de_DE\n",
    "k.conf:2: [kiosk] language: “de_DE” is not a language tag (expected a BCP 47 tag such as "
    "“de” or “fr-CH”)" },
  { "[kiosk]\nlanguage =\n",
    "k.conf:2: [kiosk] language: empty value (remove the line to use the default)" },
  /* structure */
  { "[kiosk]\nmisuse-intervall = 5\n",
    "k.conf:2: [kiosk] misuse-intervall: unknown key (did you mean “misuse-interval”?)" },
  { "[kiosk]\ncolour = blue\n",
    "k.conf:2: [kiosk] colour: unknown key" },
  { "[kiosk]\n[kiosks]\n",
    "k.conf:2: [kiosks]: unknown group (known groups: [kiosk], [survey], [cloud], [storage], "
    "[buttons], [hours], [admin], [display])" },
  { "device-id = a\n",
    "k.conf:1: device-id: key outside of any [group]" },
  { "[kiosk]\njust some words\n",
    "k.conf:2: “just some words” is not a “key = value” line, a [group] header or a # comment" },
  { "[kiosk\n",
    "k.conf:1: “[kiosk” is not a valid [group] header" },
  { "[kiosk]\n= 5\n",
    "k.conf:2: a value without a key" },
  { "[kiosk]\ndevice-id = a\ndevice-id = b\n",
    "k.conf:3: [kiosk] device-id: set twice (first on line 2)" },
  { "[kiosk]\n[kiosk]\n",
    "k.conf:2: [kiosk]: group appears twice (first on line 1)" },
  { "[kiosk]\ndevice-id = \xff\xfe\n",
    "k.conf: not a text file in UTF-8" },
};

static void
test_bad_values (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskConfig) config = NULL;

      config = kiosk_config_new_from_data (bad_cases[i].text, -1, "k.conf", &error);
      g_assert_null (config);
      g_assert_error (error, KIOSK_CONFIG_ERROR, KIOSK_CONFIG_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, bad_cases[i].message);
    }
}

/* Found by fuzz-config: a value may hold a line break (\n in the file) or a control character;
 * the message shows it as written and stays one line per problem, which is how IT staff and
 * smiley-kiosk-first-boot read it. */
static void
test_control_characters_in_values (void)
{
  static const struct
  {
    const char *text;
    const char *message;
  } cases[] = {
    { "[kiosk]\ndevice-id=a\\nb\n",
      "k.conf:2: [kiosk] device-id: “a\\nb” is not a valid device id (expected 1 to 64 characters "
      "of A–Z, a–z, 0–9, “.”, “_” and “-”)" },
    { "[kiosk]\nlanguage=de\\r\\tAT\n",
      "k.conf:2: [kiosk] language: “de\\r\\tAT” is not a language tag (expected a BCP 47 tag "
      "such as “de” or “fr-CH”)" },
    { "[kiosk]\nthank-you-seconds=3\001\n",
      "k.conf:2: [kiosk] thank-you-seconds: “3\\x01” is not a number of seconds (expected 0.5 "
      "to 60)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskConfig) config = NULL;

      config = kiosk_config_new_from_data (cases[i].text, -1, "k.conf", &error);
      g_assert_null (config);
      g_assert_error (error, KIOSK_CONFIG_ERROR, KIOSK_CONFIG_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_all_problems_at_once (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;
  const char *text =
    "[kiosk]\n"
    "thank-you-seconds = 0\n"
    "misuse-interval = x\n"
    "wifi = on\n";

  config = kiosk_config_new_from_data (text, -1, "/etc/smiley-kiosk/kiosk.conf", &error);
  g_assert_null (config);
  /* The structure pass reports first; values are checked once the structure is sound. */
  g_assert_cmpstr (error->message, ==,
                   "/etc/smiley-kiosk/kiosk.conf:4: [kiosk] wifi: unknown key");

  g_clear_error (&error);
  config = kiosk_config_new_from_data ("[kiosk]\nthank-you-seconds = 0\nmisuse-interval = x\n",
                                       -1, "/etc/smiley-kiosk/kiosk.conf", &error);
  g_assert_null (config);
  g_assert_cmpstr (error->message, ==,
                   "/etc/smiley-kiosk/kiosk.conf:2: [kiosk] thank-you-seconds: 0 is out of range "
                   "(expected 0.5 to 60 seconds)\n"
                   "/etc/smiley-kiosk/kiosk.conf:3: [kiosk] misuse-interval: “x” is not a number "
                   "of seconds (expected 0 to 3600)");
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;

  config = kiosk_config_new_from_file ("/nonexistent/kiosk.conf", &error);
  g_assert_null (config);
  g_assert_error (error, KIOSK_CONFIG_ERROR, KIOSK_CONFIG_ERROR_IO);
  g_assert_cmpstr (error->message, ==,
                   "/nonexistent/kiosk.conf: cannot read the configuration: No such file or directory");
}

static void
test_language_tags (void)
{
  const char *good[] = { "en", "de", "fr-CH", "zh-Hant-TW", "fil", "es-419" };
  const char *bad[] = { "", "e", "english", "de_DE", "de-", "1a", "de-toolongsubtag" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (kiosk_language_tag_is_valid (good[i]));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (kiosk_language_tag_is_valid (bad[i]));
}

static void
test_language_from_locale (void)
{
  struct { const char *locale, *tag; } cases[] = {
    { "de_DE.UTF-8", "de-DE" },
    { "fr_CH@euro", "fr-CH" },
    { "fi", "fi" },
    { "C", "en" },
    { "C.UTF-8", "en" },
    { "POSIX", "en" },
    { "", "en" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *tag = kiosk_language_from_locale (cases[i].locale);

      g_assert_cmpstr (tag, ==, cases[i].tag);
    }
}

static void
expect_invalid (const char *text,
                const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = kiosk_config_new_from_data (text, -1, "k.conf", &error);

  g_assert_null (config);
  g_assert_error (error, KIOSK_CONFIG_ERROR, KIOSK_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_cloud (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *token = kiosk_test_write_file (dir, "token", "s3cret-token\n");
  g_autofree char *open_token = kiosk_test_write_file (dir, "open-token", "s3cret-token\n");
  g_autofree char *ca = kiosk_test_write_file (dir, "ca.pem", "not checked here\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autofree char *text = NULL;
  g_autofree char *message = NULL;
  /* 32 bytes of zeros, base64 */
  const char *pin = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

  g_assert_cmpint (g_chmod (token, 0600), ==, 0);
  g_assert_cmpint (g_chmod (open_token, 0644), ==, 0);

  /* No url: sync is off. */
  config = kiosk_config_new_default ();
  g_assert_null (kiosk_config_get_cloud_url (config));
  g_assert_cmpuint (kiosk_config_get_batch_size (config), ==, 500);
  g_assert_cmpuint (kiosk_config_get_survey_poll_seconds (config), ==, 300);
  g_assert_cmpuint (kiosk_config_get_heartbeat_seconds (config), ==, 300);
  g_clear_object (&config);

  text = g_strdup_printf ("[cloud]\nurl = https://feedback.example.com/api/\ntoken-file = %s\n"
                          "ca-file = %s\npinned-public-key = %s;%s\nbatch-size = 100\n"
                          "survey-poll-interval = 60\nheartbeat-interval = 120\n",
                          token, ca, pin, pin);
  config = kiosk_config_new_from_data (text, -1, "k.conf", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kiosk_config_get_cloud_url (config), ==, "https://feedback.example.com/api");
  g_assert_cmpstr (kiosk_config_get_token_file (config), ==, token);
  g_assert_cmpstr (kiosk_config_get_ca_file (config), ==, ca);
  g_assert_cmpuint (kiosk_config_get_batch_size (config), ==, 100);
  g_assert_cmpuint (kiosk_config_get_survey_poll_seconds (config), ==, 60);
  g_assert_cmpuint (kiosk_config_get_heartbeat_seconds (config), ==, 120);
  g_assert_false (kiosk_config_get_allow_insecure_http (config));
  g_clear_object (&config);
  g_clear_pointer (&text, g_free);

  /* http to loopback is fine for tests and demos. */
  text = g_strdup_printf ("[cloud]\nurl = http://127.0.0.1:8080\ntoken-file = %s\n", token);
  config = kiosk_config_new_from_data (text, -1, "k.conf", &error);
  g_assert_no_error (error);
  g_clear_object (&config);
  g_clear_pointer (&text, g_free);

  text = g_strdup_printf ("[cloud]\nurl = http://feedback.example.com\ntoken-file = %s\n", token);
  expect_invalid (text, "k.conf:2: [cloud] url: http:// is accepted only for loopback addresses; "
                        "use https:// or set allow-insecure-http=true");
  g_clear_pointer (&text, g_free);

  text = g_strdup_printf ("[cloud]\nurl = http://feedback.example.com\ntoken-file = %s\n"
                          "allow-insecure-http = true\n", token);
  config = kiosk_config_new_from_data (text, -1, "k.conf", &error);
  g_assert_no_error (error);
  g_assert_true (kiosk_config_get_allow_insecure_http (config));
  g_clear_object (&config);
  g_clear_pointer (&text, g_free);

  /* The token's file must be private; the message names the file, never the token. */
  text = g_strdup_printf ("[cloud]\nurl = https://x.example\ntoken-file = %s\n", open_token);
  message = g_strdup_printf ("k.conf:3: [cloud] token-file: %s is readable or writable by group "
                             "or others (mode 0644); run: chmod 600 %s", open_token, open_token);
  expect_invalid (text, message);
  g_assert_null (strstr (message, "s3cret"));
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&message, g_free);

  expect_invalid ("[cloud]\nurl = https://x.example\n",
                  "k.conf:2: [cloud] url: needs [cloud] token-file (a file holding the bearer "
                  "token)");
  expect_invalid ("[cloud]\nurl = https://x.example\ntoken-file = /nonexistent/token\n",
                  "k.conf:3: [cloud] token-file: /nonexistent/token: No such file or directory");
  expect_invalid ("[cloud]\nurl = feedback.example.com\n",
                  "k.conf:2: [cloud] url: “feedback.example.com” is not a URL (expected e.g. "
                  "https://feedback.example.com)");
  expect_invalid ("[cloud]\nurl = ftp://x.example\n",
                  "k.conf:2: [cloud] url: “ftp://x.example”: the scheme must be https:// (or "
                  "http:// for loopback addresses)");
  expect_invalid ("[cloud]\nurl = https://user:pw@x.example\n",
                  "k.conf:2: [cloud] url: “https://user:pw@x.example”: a base URL has no user, "
                  "query or fragment (the token goes in token-file)");
  expect_invalid ("[cloud]\npinned-public-key = md5//abc\n",
                  "k.conf:2: [cloud] pinned-public-key: “md5//abc” is not a pin (expected "
                  "sha256//BASE64, several separated by “;”)");
  expect_invalid ("[cloud]\npinned-public-key = sha256//AAAA\n",
                  "k.conf:2: [cloud] pinned-public-key: “sha256//AAAA”: a sha256 pin is the "
                  "base64 of 32 bytes");
  expect_invalid ("[cloud]\nbatch-size = 501\n",
                  "k.conf:2: [cloud] batch-size: 501 is out of range (expected 1 to 500 events)");
  expect_invalid ("[cloud]\nbatch-size = lots\n",
                  "k.conf:2: [cloud] batch-size: “lots” is not a whole number of events (expected "
                  "1 to 500)");
  expect_invalid ("[cloud]\nheartbeat-interval = 5\n",
                  "k.conf:2: [cloud] heartbeat-interval: 5 is out of range (expected 10 to 86400 "
                  "seconds)");
  expect_invalid ("[cloud]\nallow-insecure-http = yes\n",
                  "k.conf:2: [cloud] allow-insecure-http: “yes” is not true or false");
  expect_invalid ("[cloud]\nallow-insecure-http = true\n",
                  "k.conf:2: [cloud] allow-insecure-http: has no effect without [cloud] url "
                  "(sync is off)");
  expect_invalid ("[survey]\nfile = survey.json\n",
                  "k.conf:2: [survey] file: “survey.json” is not an absolute path");
  expect_invalid ("[survey]\nfile = /nonexistent/survey.json\n",
                  "k.conf:2: [survey] file: /nonexistent/survey.json does not exist or is not a "
                  "file");

  kiosk_test_rm_rf (dir);
}

static void
test_accessibility (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = kiosk_config_new_default ();

  g_assert_false (kiosk_config_get_high_contrast (config));
  g_assert_cmpfloat (kiosk_config_get_text_scale (config), ==, 1.0);
  g_clear_object (&config);

  config = kiosk_config_new_from_data ("[kiosk]\nhigh-contrast = true\ntext-scale = 1.5\n", -1,
                                       "k.conf", &error);
  g_assert_no_error (error);
  g_assert_true (kiosk_config_get_high_contrast (config));
  g_assert_cmpfloat (kiosk_config_get_text_scale (config), ==, 1.5);

  expect_invalid ("[kiosk]\nhigh-contrast = on\n",
                  "k.conf:2: [kiosk] high-contrast: “on” is not true or false");
  expect_invalid ("[kiosk]\ntext-scale = 150%\n",
                  "k.conf:2: [kiosk] text-scale: “150%” is not a number (expected a factor from "
                  "0.75 to 2, e.g. 1.25)");
  expect_invalid ("[kiosk]\ntext-scale = 3\n",
                  "k.conf:2: [kiosk] text-scale: 3 is out of range (expected 0.75 to 2)");
}

/* [display] rotation: read by the session for the compositor; checked here with its line. */
static void
test_rotation (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = kiosk_config_new_default ();
  static const char *const wrong[] = { "45", "360", "-90", "left", "90 degrees", "" };

  g_assert_cmpuint (kiosk_config_get_rotation (config), ==, 0);
  g_clear_object (&config);

  for (guint degrees = 0; degrees < 360; degrees += 90)
    {
      g_autofree char *data = g_strdup_printf ("[display]\nrotation = %u\n", degrees);

      config = kiosk_config_new_from_data (data, -1, "k.conf", &error);
      g_assert_no_error (error);
      g_assert_cmpuint (kiosk_config_get_rotation (config), ==, degrees);
      g_clear_object (&config);
    }

  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_autofree char *data = g_strdup_printf ("[kiosk]\ndevice-id = a\n[display]\nrotation = %s\n",
                                               wrong[i]);
      g_autofree char *expected = NULL;

      if (*wrong[i] == '\0')
        expected = g_strdup ("k.conf:4: [display] rotation: empty value (remove the line to use "
                             "the default)");
      else
        expected = g_strdup_printf ("k.conf:4: [display] rotation: “%s” is not a rotation "
                                    "(expected 0, 90, 180 or 270: degrees clockwise)", wrong[i]);
      expect_invalid (data, expected);
    }
}

static void
test_storage (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) defaults = kiosk_config_new_default ();
  g_autoptr(KioskConfig) config = NULL;

  /* Generous: a busy kiosk offline for weeks drops nothing. */
  g_assert_cmpuint (kiosk_config_get_retention_days (defaults), ==, 30);
  g_assert_cmpuint (kiosk_config_get_max_queue_responses (defaults), ==, 1000000);
  g_assert_cmpuint (kiosk_config_get_max_database_megabytes (defaults), ==, 1024);

  config = kiosk_config_new_from_data ("[storage]\nretention-days = 7\n"
                                       "max-queue-responses = 5000\n"
                                       "max-database-megabytes = 64\n", -1, "k.conf", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kiosk_config_get_retention_days (config), ==, 7);
  g_assert_cmpuint (kiosk_config_get_max_queue_responses (config), ==, 5000);
  g_assert_cmpuint (kiosk_config_get_max_database_megabytes (config), ==, 64);

  expect_invalid ("[storage]\nretention-days = 0\n",
                  "k.conf:2: [storage] retention-days: 0 is out of range (expected 1 to 3650 "
                  "days)");
  expect_invalid ("[storage]\nretention-days = 3651\n",
                  "k.conf:2: [storage] retention-days: 3651 is out of range (expected 1 to 3650 "
                  "days)");
  expect_invalid ("[storage]\nretention-days = 1w\n",
                  "k.conf:2: [storage] retention-days: “1w” is not a whole number of days "
                  "(expected 1 to 3650)");
  expect_invalid ("[storage]\nmax-queue-responses = 999\n",
                  "k.conf:2: [storage] max-queue-responses: 999 is out of range (expected 1000 to "
                  "100000000 responses)");
  expect_invalid ("[storage]\nmax-queue-responses = -5\n",
                  "k.conf:2: [storage] max-queue-responses: “-5” is not a whole number of "
                  "responses (expected 1000 to 100000000)");
  expect_invalid ("[storage]\nmax-database-megabytes = 15\n",
                  "k.conf:2: [storage] max-database-megabytes: 15 is out of range (expected 16 to "
                  "1048576 megabytes)");
  expect_invalid ("[storage]\nmax-database-megabytes = 1.5\n",
                  "k.conf:2: [storage] max-database-megabytes: “1.5” is not a whole number of "
                  "megabytes (expected 16 to 1048576)");
  expect_invalid ("[storage]\nretention-day = 7\n",
                  "k.conf:2: [storage] retention-day: unknown key (did you mean “retention-days”?)");
}

static void
test_buttons (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = kiosk_config_new_default ();
  const char *text =
    "[buttons]\n"
    "devices = /dev/input/by-id/usb-arcade-event-kbd; name:Zero Delay\n"
    "very-happy = KEY_A, BTN_SOUTH\n"
    "debounce-ms = 80\n";

  /* Defaults: number keys, keypad and a USB arcade encoder's first buttons. */
  g_assert_cmpstr (kiosk_config_get_button_devices (config)[0], ==, NULL);
  g_assert_cmpint (kiosk_config_get_face_for_key (config, kiosk_key_code_from_name ("KEY_1")), ==, 3);
  g_assert_cmpint (kiosk_config_get_face_for_key (config, kiosk_key_code_from_name ("KEY_KP4")), ==, 0);
  g_assert_cmpint (kiosk_config_get_face_for_key (config, kiosk_key_code_from_name ("BTN_THUMB")), ==, 2);
  g_assert_cmpint (kiosk_config_get_face_for_key (config, kiosk_key_code_from_name ("KEY_Q")), ==, -1);
  g_assert_cmpuint (kiosk_config_get_button_debounce_ms (config), ==, 50);
  g_clear_object (&config);

  config = kiosk_config_new_from_data (text, -1, "k.conf", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kiosk_config_get_button_devices (config)[0], ==,
                   "/dev/input/by-id/usb-arcade-event-kbd");
  g_assert_cmpstr (kiosk_config_get_button_devices (config)[1], ==, "name:Zero Delay");
  g_assert_cmpint (kiosk_config_get_face_for_key (config, kiosk_key_code_from_name ("KEY_A")), ==, 3);
  g_assert_cmpint (kiosk_config_get_face_for_key (config, kiosk_key_code_from_name ("BTN_SOUTH")), ==, 3);
  /* Configured keys replace the defaults for that face only. */
  g_assert_cmpint (kiosk_config_get_face_for_key (config, kiosk_key_code_from_name ("KEY_1")), ==, -1);
  g_assert_cmpint (kiosk_config_get_face_for_key (config, kiosk_key_code_from_name ("KEY_2")), ==, 2);
  g_assert_cmpuint (kiosk_config_get_button_debounce_ms (config), ==, 80);

  expect_invalid ("[buttons]\ndevices = event3\n",
                  "k.conf:2: [buttons] devices: “event3” is not a device (expected a path under "
                  "/dev/input/ or name:PART-OF-NAME)");
  expect_invalid ("[buttons]\ndevices = name:\n",
                  "k.conf:2: [buttons] devices: “name:” needs part of a device name after it");
  expect_invalid ("[buttons]\nhappy = KEY_SMILE\n",
                  "k.conf:2: [buttons] happy: “KEY_SMILE” is not a key name (expected names from "
                  "linux/input-event-codes.h such as KEY_1 or BTN_TRIGGER)");
  expect_invalid ("[buttons]\nhappy = ,\n", "k.conf:2: [buttons] happy: no key given");
  expect_invalid ("[buttons]\ndebounce-ms = 5000\n",
                  "k.conf:2: [buttons] debounce-ms: 5000 is out of range (expected 0 to 1000 "
                  "milliseconds)");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/config/defaults", test_defaults);
  g_test_add_func ("/config/valid", test_valid);
  g_test_add_func ("/config/empty-file", test_empty_file);
  g_test_add_func ("/config/bad-values", test_bad_values);
  g_test_add_func ("/config/all-problems-at-once", test_all_problems_at_once);
  g_test_add_func ("/config/control-characters-in-values", test_control_characters_in_values);
  g_test_add_func ("/config/missing-file", test_missing_file);
  g_test_add_func ("/config/cloud", test_cloud);
  g_test_add_func ("/config/storage", test_storage);
  g_test_add_func ("/config/buttons", test_buttons);
  g_test_add_func ("/config/accessibility", test_accessibility);
  g_test_add_func ("/config/rotation", test_rotation);
  g_test_add_func ("/config/language-tags", test_language_tags);
  g_test_add_func ("/config/language-from-locale", test_language_from_locale);

  return g_test_run ();
}
