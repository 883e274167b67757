/* fuzz-config.c: the kiosk.conf loader (kiosk_config_new_from_data), as the kiosk reads
 * /etc/smiley-kiosk/kiosk.conf and as smiley-kiosk-first-boot has it checked: that script strips a
 * UTF-8 BOM and the CR of CRLF line ends, then runs `smiley-kiosk --config FILE --check-config`,
 * which is kiosk_config_new_from_file(), that is g_file_get_contents() and this same function.
 *
 * "@DIR@" in the input stands for a private temporary directory holding a token file of mode 0600
 * ("token"), one readable by others ("token-open"), a survey file and a sub-directory, so paths
 * reach kiosk_check_token_file() and the existing-file checks with every outcome. */
#include "config.h"

#include "kiosk-config.h"
#include "fuzz-common.h"

#define FUZZ_MAX_INPUT (64 * 1024)

static void
setup_files (void)
{
  static gboolean done;

  if (done)
    return;
  done = TRUE;
  g_free (fuzz_tmp_file ("token", "s3cr3t-token\n", 0600));
  g_free (fuzz_tmp_file ("token-open", "s3cr3t-token\n", 0644));
  g_free (fuzz_tmp_file ("survey.json", "{}\n", 0644));
  g_free (fuzz_tmp_file ("ca.pem", "not a certificate\n", 0644));
  g_free (fuzz_tmp_file ("sub/", NULL, 0700));
}

/* Every line of the message names the file, as IT staff read it: "FILE:LINE: …", "FILE: …". */
static void
check_error (const GError *error,
             const char   *display_name)
{
  g_auto(GStrv) lines = NULL;
  g_autofree char *prefix = g_strconcat (display_name, ":", NULL);

  g_assert_nonnull (error);
  g_assert_true (error->domain == KIOSK_CONFIG_ERROR);
  fuzz_check_message (error->message);

  lines = g_strsplit (error->message, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (!g_str_has_prefix (lines[i], prefix))
      g_error ("line %u of the message does not name the file: %s", i + 1, lines[i]);
}

static void
exercise (KioskConfig *config)
{
  g_autofree char *database = kiosk_config_dup_database_path (config);
  const char * const *devices = kiosk_config_get_button_devices (config);
  KioskHours *hours = kiosk_config_get_hours (config);
  gint64 t = G_GINT64_CONSTANT (1767225600) * G_USEC_PER_SEC;   /* 2026-01-01 00:00 UTC */
  gint64 next;

  g_assert_nonnull (kiosk_config_get_device_id (config));
  g_assert_nonnull (kiosk_config_get_state_directory (config));
  g_assert_nonnull (database);
  (void) kiosk_config_get_path (config);
  (void) kiosk_config_get_thank_you_ms (config);
  (void) kiosk_config_get_misuse_interval_ms (config);
  (void) kiosk_config_get_attract_after_minutes (config);
  (void) kiosk_config_get_language (config);
  (void) kiosk_config_get_high_contrast (config);
  (void) kiosk_config_get_text_scale (config);
  (void) kiosk_config_get_survey_file (config);
  (void) kiosk_config_get_cloud_url (config);
  (void) kiosk_config_get_token_file (config);
  (void) kiosk_config_get_ca_file (config);
  (void) kiosk_config_get_pinned_public_key (config);
  (void) kiosk_config_get_allow_insecure_http (config);
  (void) kiosk_config_get_batch_size (config);
  (void) kiosk_config_get_survey_poll_seconds (config);
  (void) kiosk_config_get_heartbeat_seconds (config);
  (void) kiosk_config_get_button_debounce_ms (config);
  (void) kiosk_config_get_pin_hash (config);

  for (guint i = 0; devices != NULL && devices[i] != NULL; i++)
    g_assert_true (g_utf8_validate (devices[i], -1, NULL));

  for (guint code = 0; code < 0x300; code++)
    {
      int face = kiosk_config_get_face_for_key (config, code);

      g_assert_cmpint (face, >=, -1);
      g_assert_cmpint (face, <, KIOSK_BUTTON_FACES);
    }

  /* A week of opening hours, and where they change next (a minute-by-minute search: once). */
  g_assert_nonnull (hours);
  for (int i = 0; i < 8; i++)
    (void) kiosk_hours_is_open (hours, t + i * (G_GINT64_CONSTANT (86400) + 37 * 60) *
                                G_USEC_PER_SEC);
  next = kiosk_hours_next_change (hours, t);
  g_assert_true (next > t);
}

static void
load (const char *data,
      gsize       length,
      const char *display_name)
{
  g_autofree char *copy = fuzz_exact_copy (data, length);
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = kiosk_config_new_from_data (copy, length, display_name, &error);
  if (config == NULL)
    check_error (error, display_name);
  else
    {
      g_assert_no_error (error);
      exercise (config);
    }
}

/* What smiley-kiosk-first-boot does before it runs --check-config: sed -e '1s/^\xef\xbb\xbf//'
 * -e 's/\r$//'. */
static GString *
first_boot_normalise (const char *data,
                      gsize       length)
{
  GString *out = g_string_sized_new (length);
  gsize start = 0;

  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    start = 3;

  for (gsize i = start; i < length; i++)
    {
      if (data[i] == '\r' && (i + 1 == length || data[i + 1] == '\n'))
        continue;
      g_string_append_c (out, data[i]);
    }

  return out;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GString) text = NULL;
  g_autoptr(GString) normalised = NULL;
  const char *dir;

  fuzz_setup ();
  if (size > FUZZ_MAX_INPUT)
    return 0;
  setup_files ();
  dir = fuzz_get_tmpdir ();

  text = g_string_new_len ((const char *) data, size);
  g_string_replace (text, "@DIR@", dir, 0);

  load (text->str, text->len, "kiosk.conf");

  normalised = first_boot_normalise (text->str, text->len);
  if (normalised->len != text->len)
    load (normalised->str, normalised->len, "/run/smiley-kiosk/first-boot/check.conf");

  return 0;
}
