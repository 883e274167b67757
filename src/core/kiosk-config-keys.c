/* kiosk-config-keys.c: one reader per key of kiosk.conf, by group, and the table that names
 * them; each says what is wrong with a value in words an operator can act on. */
#define G_LOG_DOMAIN "kiosk-config"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>

#include <libevdev/libevdev.h>

#include "kiosk-cloudevents.h"
#include "kiosk-config-private.h"
#include "kiosk-pin.h"

static gboolean
parse_seconds (const char *value,
               double      min,
               double      max,
               guint      *out_ms,
               GString    *problem)
{
  char *end = NULL;
  double seconds;

  seconds = g_ascii_strtod (value, &end);
  if (end == value || *end != '\0' || !isfinite (seconds))
    {
      g_string_append_printf (problem, "“%s” is not a number of seconds (expected %g to %g)",
                              value, min, max);
      return FALSE;
    }

  if (seconds < min || seconds > max)
    {
      g_string_append_printf (problem, "%s is out of range (expected %g to %g seconds)",
                              value, min, max);
      return FALSE;
    }

  *out_ms = (guint) llround (seconds * 1000.0);
  return TRUE;
}

static gboolean
parse_device_id (KioskConfig *self,
                 const char  *value,
                 GString     *problem)
{
  if (!kiosk_device_id_is_valid (value))
    {
      g_string_append_printf (problem,
                              "“%s” is not a valid device id (expected 1 to %d characters of "
                              "A–Z, a–z, 0–9, “.”, “_” and “-”)", value,
                              KIOSK_DEVICE_ID_MAX_CHARS);
      return FALSE;
    }

  g_free (self->device_id);
  self->device_id = g_strdup (value);
  return TRUE;
}

static gboolean
parse_thank_you (KioskConfig *self,
                 const char  *value,
                 GString     *problem)
{
  return parse_seconds (value, 0.5, 60, &self->thank_you_ms, problem);
}

static gboolean
parse_misuse_interval (KioskConfig *self,
                       const char  *value,
                       GString     *problem)
{
  return parse_seconds (value, 0, 3600, &self->misuse_interval_ms, problem);
}

static gboolean
parse_state_directory (KioskConfig *self,
                       const char  *value,
                       GString     *problem)
{
  if (!g_path_is_absolute (value))
    {
      g_string_append_printf (problem, "“%s” is not an absolute path", value);
      return FALSE;
    }

  g_free (self->state_directory);
  self->state_directory = g_strdup (value);
  return TRUE;
}

static gboolean
parse_language (KioskConfig *self,
                const char  *value,
                GString     *problem)
{
  if (!kiosk_language_tag_is_valid (value))
    {
      g_string_append_printf (problem,
                              "“%s” is not a language tag (expected a BCP 47 tag such as "
                              "“de” or “fr-CH”)", value);
      return FALSE;
    }

  g_free (self->language);
  self->language = g_strdup (value);
  return TRUE;
}

static gboolean
parse_absolute_path (const char  *value,
                     char       **out,
                     GString     *problem)
{
  if (!g_path_is_absolute (value))
    {
      g_string_append_printf (problem, "“%s” is not an absolute path", value);
      return FALSE;
    }

  g_free (*out);
  *out = g_strdup (value);
  return TRUE;
}

static gboolean
parse_existing_file (const char  *value,
                     char       **out,
                     GString     *problem)
{
  if (!parse_absolute_path (value, out, problem))
    return FALSE;

  if (!g_file_test (value, G_FILE_TEST_IS_REGULAR))
    {
      g_string_append_printf (problem, "%s does not exist or is not a file", value);
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_survey_file (KioskConfig *self,
                   const char  *value,
                   GString     *problem)
{
  return parse_existing_file (value, &self->survey_file, problem);
}

gboolean
kiosk_host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static gboolean
parse_cloud_url (KioskConfig *self,
                 const char  *value,
                 GString     *problem)
{
  g_autoptr(GUri) uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);
  const char *scheme;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_string_append_printf (problem, "“%s” is not a URL (expected e.g. "
                              "https://feedback.example.com)", value);
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
    {
      g_string_append_printf (problem, "“%s”: the scheme must be https:// (or http:// for "
                              "loopback addresses)", value);
      return FALSE;
    }

  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL ||
      g_uri_get_userinfo (uri) != NULL)
    {
      g_string_append_printf (problem, "“%s”: a base URL has no user, query or fragment "
                              "(the token goes in token-file)", value);
      return FALSE;
    }

  g_free (self->cloud_url);
  /* Paths are appended to it: no trailing slash. */
  self->cloud_url = g_strdup (value);
  while (g_str_has_suffix (self->cloud_url, "/"))
    self->cloud_url[strlen (self->cloud_url) - 1] = '\0';
  return TRUE;
}

/* The token never appears in a message: only the file's name and mode do. */
gboolean
kiosk_check_token_file (const char  *path,
                        GString     *problem)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      g_string_append_printf (problem, "%s: %s", path, g_strerror (errno));
      return FALSE;
    }

  if (!S_ISREG (st.st_mode))
    {
      g_string_append_printf (problem, "%s is not a file", path);
      return FALSE;
    }

  if ((st.st_mode & 0077) != 0)
    {
      g_string_append_printf (problem, "%s is readable or writable by group or others (mode %04o); "
                              "run: chmod 600 %s", path, (unsigned) (st.st_mode & 07777), path);
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_token_file (KioskConfig *self,
                  const char  *value,
                  GString     *problem)
{
  return parse_absolute_path (value, &self->token_file, problem) &&
         kiosk_check_token_file (value, problem);
}

static gboolean
parse_ca_file (KioskConfig *self,
               const char  *value,
               GString     *problem)
{
  return parse_existing_file (value, &self->ca_file, problem);
}

/* libcurl's format: one or more sha256//<base64 of 32 bytes>, separated by ";". */
static gboolean
parse_pinned_public_key (KioskConfig *self,
                         const char  *value,
                         GString     *problem)
{
  g_auto(GStrv) pins = g_strsplit (value, ";", -1);

  for (guint i = 0; pins[i]; i++)
    {
      const char *pin = g_strstrip (pins[i]);
      g_autofree guchar *digest = NULL;
      gsize len = 0;

      if (!g_str_has_prefix (pin, "sha256//"))
        {
          g_string_append_printf (problem, "“%s” is not a pin (expected sha256//BASE64, "
                                  "several separated by “;”)", pin);
          return FALSE;
        }

      digest = g_base64_decode (pin + strlen ("sha256//"), &len);
      if (len != 32)
        {
          g_string_append_printf (problem, "“%s”: a sha256 pin is the base64 of 32 bytes", pin);
          return FALSE;
        }
    }

  g_free (self->pinned_public_key);
  self->pinned_public_key = g_strdup (value);
  return TRUE;
}

static gboolean
parse_boolean (const char *value,
               gboolean   *out,
               GString    *problem)
{
  if (g_str_equal (value, "true"))
    *out = TRUE;
  else if (g_str_equal (value, "false"))
    *out = FALSE;
  else
    {
      g_string_append_printf (problem, "“%s” is not true or false", value);
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_allow_insecure_http (KioskConfig *self,
                           const char  *value,
                           GString     *problem)
{
  return parse_boolean (value, &self->allow_insecure_http, problem);
}

static gboolean
parse_count (const char *value,
             guint       min,
             guint       max,
             const char *unit,
             guint      *out,
             GString    *problem)
{
  guint64 n = 0;

  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &n, NULL))
    {
      g_string_append_printf (problem, "“%s” is not a whole number of %s (expected %u to %u)",
                              value, unit, min, max);
      return FALSE;
    }

  if (n < min || n > max)
    {
      g_string_append_printf (problem, "%s is out of range (expected %u to %u %s)",
                              value, min, max, unit);
      return FALSE;
    }

  *out = (guint) n;
  return TRUE;
}

static gboolean
parse_batch_size (KioskConfig *self,
                  const char  *value,
                  GString     *problem)
{
  return parse_count (value, 1, 500, "events", &self->batch_size, problem);
}

static gboolean
parse_survey_poll (KioskConfig *self,
                   const char  *value,
                   GString     *problem)
{
  return parse_count (value, 10, 86400, "seconds", &self->survey_poll_s, problem);
}

static gboolean
parse_heartbeat (KioskConfig *self,
                 const char  *value,
                 GString     *problem)
{
  return parse_count (value, 10, 86400, "seconds", &self->heartbeat_s, problem);
}

static gboolean
parse_retention_days (KioskConfig *self,
                      const char  *value,
                      GString     *problem)
{
  return parse_count (value, 1, 3650, "days", &self->retention_days, problem);
}

static gboolean
parse_max_queue_responses (KioskConfig *self,
                           const char  *value,
                           GString     *problem)
{
  return parse_count (value, 1000, 100000000, "responses", &self->max_queue_responses, problem);
}

static gboolean
parse_max_database_megabytes (KioskConfig *self,
                              const char  *value,
                              GString     *problem)
{
  return parse_count (value, 16, 1048576, "megabytes", &self->max_database_mb, problem);
}

static gboolean
parse_attract_after (KioskConfig *self,
                     const char  *value,
                     GString     *problem)
{
  return parse_count (value, 0, 1440, "minutes", &self->attract_after_min, problem);
}

/* A device by path (/dev/input/event3, /dev/input/by-id/…) or by name ("name:Arcade"). */
static gboolean
parse_button_devices (KioskConfig *self,
                      const char  *value,
                      GString     *problem)
{
  g_auto(GStrv) specs = g_strsplit (value, ";", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; specs[i]; i++)
    {
      const char *spec = g_strstrip (specs[i]);

      if (*spec == '\0')
        continue;

      if (g_str_has_prefix (spec, "name:"))
        {
          if (spec[5] == '\0')
            {
              g_string_append (problem, "“name:” needs part of a device name after it");
              return FALSE;
            }
        }
      else if (!g_str_has_prefix (spec, "/dev/input/"))
        {
          g_string_append_printf (problem, "“%s” is not a device (expected a path under "
                                  "/dev/input/ or name:PART-OF-NAME)", spec);
          return FALSE;
        }

      g_strv_builder_add (builder, spec);
    }

  g_strfreev (self->button_devices);
  self->button_devices = g_strv_builder_end (builder);
  return TRUE;
}

gboolean
_kiosk_config_parse_button_keys (KioskConfig *self,
                                 guint        face,
                                 const char  *value,
                                 GString     *problem)
{
  g_auto(GStrv) names = g_strsplit (value, ",", -1);
  g_autoptr(GArray) codes = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; names[i]; i++)
    {
      const char *name = g_strstrip (names[i]);
      int code;

      if (*name == '\0')
        continue;

      code = kiosk_key_code_from_name (name);
      if (code < 0)
        {
          g_string_append_printf (problem, "“%s” is not a key name (expected names from "
                                  "linux/input-event-codes.h such as KEY_1 or BTN_TRIGGER)", name);
          return FALSE;
        }
      g_array_append_val (codes, code);
    }

  if (codes->len == 0)
    {
      g_string_append (problem, "no key given");
      return FALSE;
    }

  g_clear_pointer (&self->button_keys[face], g_array_unref);
  self->button_keys[face] = g_steal_pointer (&codes);
  return TRUE;
}

static gboolean
parse_keys_face0 (KioskConfig *self, const char *value, GString *problem)
{
  return _kiosk_config_parse_button_keys (self, 0, value, problem);
}

static gboolean
parse_keys_face1 (KioskConfig *self, const char *value, GString *problem)
{
  return _kiosk_config_parse_button_keys (self, 1, value, problem);
}

static gboolean
parse_keys_face2 (KioskConfig *self, const char *value, GString *problem)
{
  return _kiosk_config_parse_button_keys (self, 2, value, problem);
}

static gboolean
parse_keys_face3 (KioskConfig *self, const char *value, GString *problem)
{
  return _kiosk_config_parse_button_keys (self, 3, value, problem);
}

static gboolean
parse_debounce (KioskConfig *self,
                const char  *value,
                GString     *problem)
{
  return parse_count (value, 0, 1000, "milliseconds", &self->button_debounce_ms, problem);
}

static gboolean
parse_timezone (KioskConfig *self,
                const char  *value,
                GString     *problem)
{
  if (!kiosk_hours_set_timezone (self->hours, value))
    {
      g_string_append_printf (problem, "“%s” is not a time zone (expected a name such as "
                              "Europe/Berlin, from /usr/share/zoneinfo)", value);
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_day (KioskConfig  *self,
           GDateWeekday  weekday,
           const char   *value,
           GString      *problem)
{
  g_autoptr(GArray) ranges = kiosk_hours_parse_ranges (value, problem);

  if (ranges == NULL)
    return FALSE;

  kiosk_hours_set_day (self->hours, weekday, ranges);
  return TRUE;
}

#define DAY_PARSER(name, weekday) \
  static gboolean \
  parse_##name (KioskConfig *self, const char *value, GString *problem) \
  { \
    return parse_day (self, weekday, value, problem); \
  }

DAY_PARSER (monday, G_DATE_MONDAY)
DAY_PARSER (tuesday, G_DATE_TUESDAY)
DAY_PARSER (wednesday, G_DATE_WEDNESDAY)
DAY_PARSER (thursday, G_DATE_THURSDAY)
DAY_PARSER (friday, G_DATE_FRIDAY)
DAY_PARSER (saturday, G_DATE_SATURDAY)
DAY_PARSER (sunday, G_DATE_SUNDAY)

static gboolean
parse_pin_hash (KioskConfig *self,
                const char  *value,
                GString     *problem)
{
  if (!kiosk_pin_hash_is_valid (value))
    {
      g_string_append (problem, "not a crypt(3) hash (make one with: smiley-kiosk --hash-pin)");
      return FALSE;
    }

  g_free (self->pin_hash);
  self->pin_hash = g_strdup (value);
  return TRUE;
}

static gboolean
parse_high_contrast (KioskConfig *self,
                     const char  *value,
                     GString     *problem)
{
  return parse_boolean (value, &self->high_contrast, problem);
}

static gboolean
parse_text_scale (KioskConfig *self,
                  const char  *value,
                  GString     *problem)
{
  char *end = NULL;
  double scale = g_ascii_strtod (value, &end);

  if (end == value || *end != '\0' || !isfinite (scale))
    {
      g_string_append_printf (problem, "“%s” is not a number (expected a factor from 0.75 to 2, "
                              "e.g. 1.25)", value);
      return FALSE;
    }

  if (scale < 0.75 || scale > 2.0)
    {
      g_string_append_printf (problem, "%s is out of range (expected 0.75 to 2)", value);
      return FALSE;
    }

  self->text_scale = scale;
  return TRUE;
}

/* The screen's rotation, for a screen mounted sideways or upside down. The kiosk does not rotate
 * anything itself: the session (smiley-kiosk-session) reads the key and has the compositor turn
 * its output, touch included. It is checked here so that --check-config and the first-boot import
 * refuse a wrong value with its line. */
static gboolean
parse_rotation (KioskConfig *self,
                const char  *value,
                GString     *problem)
{
  guint64 degrees = 0;

  if (!g_ascii_string_to_unsigned (value, 10, 0, 270, &degrees, NULL) || degrees % 90 != 0)
    {
      g_string_append_printf (problem, "“%s” is not a rotation (expected 0, 90, 180 or 270: "
                              "degrees clockwise)", value);
      return FALSE;
    }

  self->rotation = (guint) degrees;
  return TRUE;
}

static const KioskKeySpec key_specs[] = {
  { "kiosk", "device-id", parse_device_id },
  { "kiosk", "thank-you-seconds", parse_thank_you },
  { "kiosk", "misuse-interval", parse_misuse_interval },
  { "kiosk", "attract-after-minutes", parse_attract_after },
  { "kiosk", "state-directory", parse_state_directory },
  { "kiosk", "language", parse_language },
  { "kiosk", "high-contrast", parse_high_contrast },
  { "kiosk", "text-scale", parse_text_scale },
  { "survey", "file", parse_survey_file },
  { "cloud", "url", parse_cloud_url },
  { "cloud", "token-file", parse_token_file },
  { "cloud", "ca-file", parse_ca_file },
  { "cloud", "pinned-public-key", parse_pinned_public_key },
  { "cloud", "allow-insecure-http", parse_allow_insecure_http },
  { "cloud", "batch-size", parse_batch_size },
  { "cloud", "survey-poll-interval", parse_survey_poll },
  { "cloud", "heartbeat-interval", parse_heartbeat },
  { "storage", "retention-days", parse_retention_days },
  { "storage", "max-queue-responses", parse_max_queue_responses },
  { "storage", "max-database-megabytes", parse_max_database_megabytes },
  { "buttons", "devices", parse_button_devices },
  { "buttons", "very-unhappy", parse_keys_face0 },
  { "buttons", "unhappy", parse_keys_face1 },
  { "buttons", "happy", parse_keys_face2 },
  { "buttons", "very-happy", parse_keys_face3 },
  { "buttons", "debounce-ms", parse_debounce },
  { "hours", "timezone", parse_timezone },
  { "hours", "monday", parse_monday },
  { "hours", "tuesday", parse_tuesday },
  { "hours", "wednesday", parse_wednesday },
  { "hours", "thursday", parse_thursday },
  { "hours", "friday", parse_friday },
  { "hours", "saturday", parse_saturday },
  { "hours", "sunday", parse_sunday },
  { "admin", "pin-hash", parse_pin_hash },
  { "display", "rotation", parse_rotation },
};


const KioskKeySpec *
_kiosk_config_find_spec (const char *group,
                         const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (key_specs); i++)
    if (g_str_equal (key_specs[i].group, group) &&
        (key == NULL || g_str_equal (key_specs[i].key, key)))
      return &key_specs[i];

  return NULL;
}

static guint
edit_distance (const char *a,
               const char *b)
{
  size_t la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (size_t j = 0; j <= lb; j++)
    row[j] = j;

  for (size_t i = 1; i <= la; i++)
    {
      guint diagonal = row[0];

      row[0] = i;
      for (size_t j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint cost = a[i - 1] == b[j - 1] ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }

  return row[lb];
}

const char *
_kiosk_config_closest_key (const char *group,
                           const char *key)
{
  const char *best = NULL;
  guint best_distance = 4;

  for (guint i = 0; i < G_N_ELEMENTS (key_specs); i++)
    {
      guint d;

      if (!g_str_equal (key_specs[i].group, group))
        continue;
      d = edit_distance (key, key_specs[i].key);
      if (d < best_distance)
        {
          best = key_specs[i].key;
          best_distance = d;
        }
    }

  return best;
}

