/* test-config.c: kiosk.conf parsing; every kind of bad value gives its exact message. */
#define G_LOG_DOMAIN "test-config"

#include "config.h"

#include "kiosk-config.h"

static void
test_defaults (void)
{
  g_autoptr(KioskConfig) config = kiosk_config_new_default ();
  g_autofree char *expected_dir = g_build_filename (g_get_user_state_dir (), "smiley-kiosk", NULL);
  g_autofree char *db = kiosk_config_dup_database_path (config);

  g_assert_cmpuint (kiosk_config_get_thank_you_ms (config), ==, 3000);
  g_assert_cmpuint (kiosk_config_get_misuse_interval_ms (config), ==, 5000);
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
    "  state-directory = /var/lib/smiley-kiosk  \n"
    "language = fr-CH\n";

  config = kiosk_config_new_from_data (text, -1, "kiosk.conf", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kiosk_config_get_device_id (config), ==, "store-042.exit_B");
  g_assert_cmpuint (kiosk_config_get_thank_you_ms (config), ==, 1500);
  g_assert_cmpuint (kiosk_config_get_misuse_interval_ms (config), ==, 0);
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
    "k.conf:2: [kiosks]: unknown group (known groups: [kiosk])" },
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
  g_test_add_func ("/config/missing-file", test_missing_file);
  g_test_add_func ("/config/language-tags", test_language_tags);
  g_test_add_func ("/config/language-from-locale", test_language_from_locale);

  return g_test_run ();
}
