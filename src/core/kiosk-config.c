/* kiosk-config.c: reads kiosk.conf and refuses anything it does not understand.
 *
 * GKeyFile knows no line numbers, so the file is scanned once for its structure (groups, keys,
 * duplicates, stray lines) before GKeyFile parses the values; every message then names the line
 * an operator has to fix. All problems are reported at once. */
#define G_LOG_DOMAIN "kiosk-config"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>

#include <libevdev/libevdev.h>

#include "kiosk-cloudevents.h"
#include "kiosk-config.h"
#include "kiosk-pin.h"

struct _KioskConfig
{
  GObject  parent_instance;

  /* owned */
  char    *path;
  char    *device_id;
  char    *state_directory;
  char    *language;
  guint    thank_you_ms;
  guint    misuse_interval_ms;
  gboolean high_contrast;
  double   text_scale;
  guint    attract_after_min;   /* 0: no attract screen */

  /* [survey] */
  char    *survey_file;

  /* [cloud]; no url means sync is off */
  char    *cloud_url;
  char    *token_file;
  char    *ca_file;
  char    *pinned_public_key;
  gboolean allow_insecure_http;
  guint    batch_size;
  guint    survey_poll_s;
  guint    heartbeat_s;

  /* [storage] */
  guint    retention_days;
  guint    max_queue_responses;
  guint    max_database_mb;

  /* [buttons] */
  GStrv    button_devices;
  GArray  *button_keys[KIOSK_BUTTON_FACES];   /* of guint key codes, per face (0 = very unhappy) */
  guint    button_debounce_ms;

  /* [hours] */
  KioskHours *hours;

  /* [admin] */
  char    *pin_hash;

  /* [display] */
  guint    rotation;   /* degrees clockwise: 0, 90, 180 or 270 */
};

G_DEFINE_FINAL_TYPE (KioskConfig, kiosk_config, G_TYPE_OBJECT)

G_DEFINE_QUARK (kiosk-config-error-quark, kiosk_config_error)

typedef gboolean (*KioskKeyParser) (KioskConfig *self,
                                    const char  *value,
                                    GString     *problem);

typedef struct
{
  const char     *group;
  const char     *key;
  KioskKeyParser  parse;
} KioskKeySpec;

typedef struct
{
  char *group;
  char *key;
  guint line;
} KioskKeyLocation;

#define DEFAULT_THANK_YOU_MS       3000
#define DEFAULT_MISUSE_INTERVAL_MS 5000
#define DEFAULT_BATCH_SIZE         500
#define DEFAULT_POLL_S             300
/* A busy kiosk takes a few thousand responses a day: a million is most of a year offline. */
#define DEFAULT_RETENTION_DAYS     30
#define DEFAULT_MAX_QUEUE          1000000
#define DEFAULT_MAX_DATABASE_MB    1024

static void
kiosk_config_finalize (GObject *object)
{
  KioskConfig *self = KIOSK_CONFIG (object);

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->device_id, g_free);
  g_clear_pointer (&self->state_directory, g_free);
  g_clear_pointer (&self->language, g_free);
  g_clear_pointer (&self->survey_file, g_free);
  g_clear_pointer (&self->cloud_url, g_free);
  g_clear_pointer (&self->token_file, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->pinned_public_key, g_free);
  g_clear_pointer (&self->button_devices, g_strfreev);
  g_clear_pointer (&self->hours, kiosk_hours_unref);
  g_clear_pointer (&self->pin_hash, g_free);
  for (guint i = 0; i < KIOSK_BUTTON_FACES; i++)
    g_clear_pointer (&self->button_keys[i], g_array_unref);

  G_OBJECT_CLASS (kiosk_config_parent_class)->finalize (object);
}

static void
kiosk_config_class_init (KioskConfigClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiosk_config_finalize;
}

static void
kiosk_config_init (KioskConfig *self)
{
  self->thank_you_ms = DEFAULT_THANK_YOU_MS;
  self->misuse_interval_ms = DEFAULT_MISUSE_INTERVAL_MS;
  self->batch_size = DEFAULT_BATCH_SIZE;
  self->text_scale = 1.0;
  self->survey_poll_s = DEFAULT_POLL_S;
  self->heartbeat_s = DEFAULT_POLL_S;
  self->retention_days = DEFAULT_RETENTION_DAYS;
  self->max_queue_responses = DEFAULT_MAX_QUEUE;
  self->max_database_mb = DEFAULT_MAX_DATABASE_MB;
  self->button_debounce_ms = 50;
  self->hours = kiosk_hours_new ();
}

char *
kiosk_default_device_id (void)
{
  g_autofree char *machine_id = NULL;

  if (g_file_get_contents ("/etc/machine-id", &machine_id, NULL, NULL))
    {
      g_strstrip (machine_id);
      if (strlen (machine_id) >= 12)
        return g_strdup_printf ("kiosk-%.12s", machine_id);
    }

  /* A host name may hold characters a device id must not, and may be too long. */
  {
    g_autofree char *host = g_strndup (g_get_host_name (), 58);

    for (char *p = host; *p; p++)
      if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
        *p = '-';
    return g_strdup_printf ("kiosk-%s", host);
  }
}

/* A pragmatic BCP 47 check: a 2–3 letter primary language and 1–8 character subtags. */
gboolean
kiosk_language_tag_is_valid (const char *tag)
{
  g_auto(GStrv) parts = NULL;
  size_t primary;

  if (tag == NULL || *tag == '\0')
    return FALSE;

  parts = g_strsplit (tag, "-", -1);
  primary = strlen (parts[0]);
  if (primary < 2 || primary > 3)
    return FALSE;
  for (const char *p = parts[0]; *p; p++)
    if (!g_ascii_isalpha (*p))
      return FALSE;

  for (guint i = 1; parts[i]; i++)
    {
      size_t len = strlen (parts[i]);

      if (len < 1 || len > 8)
        return FALSE;
      for (const char *p = parts[i]; *p; p++)
        if (!g_ascii_isalnum (*p))
          return FALSE;
    }

  return TRUE;
}

/* "de_DE.UTF-8@euro" -> "de-DE"; "C" or "POSIX" -> "en". */
char *
kiosk_language_from_locale (const char *locale_name)
{
  g_autofree char *copy = NULL;
  char *cut;

  if (locale_name == NULL || *locale_name == '\0' ||
      g_str_equal (locale_name, "C") || g_str_equal (locale_name, "POSIX") ||
      g_str_has_prefix (locale_name, "C."))
    return g_strdup ("en");

  copy = g_strdup (locale_name);
  if ((cut = strpbrk (copy, ".@:")))
    *cut = '\0';
  g_strdelimit (copy, "_", '-');

  if (!kiosk_language_tag_is_valid (copy))
    return g_strdup ("en");

  return g_steal_pointer (&copy);
}

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

static gboolean
parse_button_keys (KioskConfig *self,
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
  return parse_button_keys (self, 0, value, problem);
}

static gboolean
parse_keys_face1 (KioskConfig *self, const char *value, GString *problem)
{
  return parse_button_keys (self, 1, value, problem);
}

static gboolean
parse_keys_face2 (KioskConfig *self, const char *value, GString *problem)
{
  return parse_button_keys (self, 2, value, problem);
}

static gboolean
parse_keys_face3 (KioskConfig *self, const char *value, GString *problem)
{
  return parse_button_keys (self, 3, value, problem);
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

static guint
line_of (GPtrArray  *locations,
         const char *group,
         const char *key)
{
  for (guint i = 0; i < locations->len; i++)
    {
      KioskKeyLocation *loc = g_ptr_array_index (locations, i);

      if (g_str_equal (loc->group, group) && g_str_equal (loc->key, key))
        return loc->line;
    }

  return 0;
}

/* Rules that involve more than one key, reported on the line an operator would change. */
static void
check_combinations (KioskConfig *self,
                    GPtrArray   *locations,
                    const char  *name,
                    GString     *problems);

static const KioskKeySpec *
find_spec (const char *group,
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

static const char *
closest_key (const char *group,
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

static void
key_location_free (gpointer data)
{
  KioskKeyLocation *loc = data;

  g_free (loc->group);
  g_free (loc->key);
  g_free (loc);
}

static void
add_problem (GString    *problems,
             const char *name,
             guint       line,
             const char *format,
             ...) G_GNUC_PRINTF (4, 5);

static void
add_problem (GString    *problems,
             const char *name,
             guint       line,
             const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (problems->len > 0)
    g_string_append_c (problems, '\n');

  if (line > 0)
    g_string_append_printf (problems, "%s:%u: ", name, line);
  else
    g_string_append_printf (problems, "%s: ", name);

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* One problem per line, as IT staff and smiley-kiosk-first-boot read them: a line break in a
   * value (written \n in the file) or another control character is shown, not obeyed. */
  for (const char *p = message; *p; p++)
    {
      if (*p == '\n')
        g_string_append (problems, "\\n");
      else if (*p == '\r')
        g_string_append (problems, "\\r");
      else if (*p == '\t')
        g_string_append (problems, "\\t");
      else if ((guchar) *p < 0x20 || *p == 0x7f)
        g_string_append_printf (problems, "\\x%02x", (guchar) *p);
      else
        g_string_append_c (problems, *p);
    }
}

/* The structure pass: which key stands on which line, and what GKeyFile would silently accept
 * or reject without saying where. */
static GPtrArray *
scan_structure (const char *data,
                gsize       length,
                const char *name,
                GString    *problems)
{
  g_autoptr(GPtrArray) locations = g_ptr_array_new_with_free_func (key_location_free);
  g_autoptr(GHashTable) seen_groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) seen_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *group = NULL;
  g_autofree char *copy = g_strndup (data, length);
  g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint line = i + 1;
      char *text = g_strstrip (lines[i]);
      char *eq;

      if (*text == '\0' || *text == '#')
        continue;

      if (*text == '[')
        {
          size_t len = strlen (text);

          if (text[len - 1] != ']' || len < 3)
            {
              add_problem (problems, name, line, "“%s” is not a valid [group] header", text);
              g_clear_pointer (&group, g_free);
              continue;
            }

          g_free (group);
          group = g_strndup (text + 1, len - 2);

          if (g_hash_table_contains (seen_groups, group))
            add_problem (problems, name, line, "[%s]: group appears twice (first on line %u)",
                         group, GPOINTER_TO_UINT (g_hash_table_lookup (seen_groups, group)));
          else
            g_hash_table_insert (seen_groups, g_strdup (group), GUINT_TO_POINTER (line));

          if (find_spec (group, NULL) == NULL)
            add_problem (problems, name, line,
                         "[%s]: unknown group (known groups: [kiosk], [survey], [cloud], [storage], "
                         "[buttons], [hours], [admin], [display])", group);
          continue;
        }

      eq = strchr (text, '=');
      if (eq == NULL)
        {
          add_problem (problems, name, line,
                       "“%s” is not a “key = value” line, a [group] header or a # comment", text);
          continue;
        }

      *eq = '\0';
      g_strstrip (text);

      if (*text == '\0')
        {
          add_problem (problems, name, line, "a value without a key");
          continue;
        }

      if (group == NULL)
        {
          add_problem (problems, name, line, "%s: key outside of any [group]", text);
          continue;
        }

      if (find_spec (group, NULL) == NULL)
        continue; /* the unknown group was reported once, on its header */

      if (find_spec (group, text) == NULL)
        {
          const char *suggestion = closest_key (group, text);

          if (suggestion)
            add_problem (problems, name, line, "[%s] %s: unknown key (did you mean “%s”?)",
                         group, text, suggestion);
          else
            add_problem (problems, name, line, "[%s] %s: unknown key", group, text);
          continue;
        }

      {
        g_autofree char *full = g_strdup_printf ("%s\n%s", group, text);
        KioskKeyLocation *loc;

        if (g_hash_table_contains (seen_keys, full))
          {
            add_problem (problems, name, line, "[%s] %s: set twice (first on line %u)", group, text,
                         GPOINTER_TO_UINT (g_hash_table_lookup (seen_keys, full)));
            continue;
          }
        g_hash_table_insert (seen_keys, g_steal_pointer (&full), GUINT_TO_POINTER (line));

        loc = g_new0 (KioskKeyLocation, 1);
        loc->group = g_strdup (group);
        loc->key = g_strdup (text);
        loc->line = line;
        g_ptr_array_add (locations, loc);
      }
    }

  return g_steal_pointer (&locations);
}

/* The number keys of a keypad or keyboard, and the first four buttons of a typical USB arcade
 * encoder (a joystick to the kernel), leftmost button = very happy as on the screen. */
static const char * const default_keys[KIOSK_BUTTON_FACES] = {
  "KEY_4,KEY_KP4,BTN_TOP",
  "KEY_3,KEY_KP3,BTN_THUMB2",
  "KEY_2,KEY_KP2,BTN_THUMB",
  "KEY_1,KEY_KP1,BTN_TRIGGER",
};

static void
apply_defaults (KioskConfig *self)
{
  for (guint i = 0; i < KIOSK_BUTTON_FACES; i++)
    if (self->button_keys[i] == NULL)
      {
        g_autoptr(GString) ignored = g_string_new (NULL);

        parse_button_keys (self, i, default_keys[i], ignored);
      }

  if (self->device_id == NULL)
    self->device_id = kiosk_default_device_id ();

  if (self->state_directory == NULL)
    self->state_directory = g_build_filename (g_get_user_state_dir (), "smiley-kiosk", NULL);
}

static void
check_combinations (KioskConfig *self,
                    GPtrArray   *locations,
                    const char  *name,
                    GString     *problems)
{
  guint url_line = line_of (locations, "cloud", "url");

  if (self->cloud_url == NULL)
    {
      static const char *needs_url[] = {
        "token-file", "ca-file", "pinned-public-key", "allow-insecure-http",
      };

      for (guint i = 0; i < G_N_ELEMENTS (needs_url); i++)
        {
          guint line = line_of (locations, "cloud", needs_url[i]);

          if (line > 0)
            add_problem (problems, name, line,
                         "[cloud] %s: has no effect without [cloud] url (sync is off)",
                         needs_url[i]);
        }
      return;
    }

  if (self->token_file == NULL)
    add_problem (problems, name, url_line,
                 "[cloud] url: needs [cloud] token-file (a file holding the bearer token)");

  if (g_ascii_strncasecmp (self->cloud_url, "http:", 5) == 0 && !self->allow_insecure_http)
    {
      g_autoptr(GUri) uri = g_uri_parse (self->cloud_url, G_URI_FLAGS_NONE, NULL);

      if (!kiosk_host_is_loopback (g_uri_get_host (uri)))
        add_problem (problems, name, url_line,
                     "[cloud] url: http:// is accepted only for loopback addresses; use "
                     "https:// or set allow-insecure-http=true");
    }
}

KioskConfig *
kiosk_config_new_default (void)
{
  KioskConfig *self = g_object_new (KIOSK_TYPE_CONFIG, NULL);

  apply_defaults (self);
  return self;
}

KioskConfig *
kiosk_config_new_from_data (const char  *data,
                            gssize       length,
                            const char  *display_name,
                            GError     **error)
{
  g_autoptr(KioskConfig) self = g_object_new (KIOSK_TYPE_CONFIG, NULL);
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(GPtrArray) locations = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = length < 0 ? strlen (data) : (gsize) length;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);

  if (!g_utf8_validate (data, len, NULL))
    {
      g_set_error (error, KIOSK_CONFIG_ERROR, KIOSK_CONFIG_ERROR_INVALID,
                   "%s: not a text file in UTF-8", display_name);
      return NULL;
    }

  locations = scan_structure (data, len, display_name, problems);

  if (problems->len == 0 &&
      !g_key_file_load_from_data (keyfile, data, len, G_KEY_FILE_NONE, &local_error))
    add_problem (problems, display_name, 0, "%s", local_error->message);

  if (problems->len == 0)
    {
      for (guint i = 0; i < locations->len; i++)
        {
          KioskKeyLocation *loc = g_ptr_array_index (locations, i);
          const KioskKeySpec *spec = find_spec (loc->group, loc->key);
          g_autoptr(GString) problem = g_string_new (NULL);
          g_autoptr(GError) value_error = NULL;
          g_autofree char *value = NULL;

          value = g_key_file_get_string (keyfile, loc->group, loc->key, &value_error);
          if (value == NULL)
            {
              add_problem (problems, display_name, loc->line, "[%s] %s: %s", loc->group, loc->key,
                           value_error->message);
              continue;
            }

          g_strstrip (value);
          if (*value == '\0')
            {
              add_problem (problems, display_name, loc->line,
                           "[%s] %s: empty value (remove the line to use the default)",
                           loc->group, loc->key);
              continue;
            }

          if (!spec->parse (self, value, problem))
            add_problem (problems, display_name, loc->line, "[%s] %s: %s", loc->group, loc->key,
                         problem->str);
        }
    }

  if (problems->len == 0)
    check_combinations (self, locations, display_name, problems);

  if (problems->len > 0)
    {
      g_set_error_literal (error, KIOSK_CONFIG_ERROR, KIOSK_CONFIG_ERROR_INVALID, problems->str);
      return NULL;
    }

  apply_defaults (self);
  self->path = g_strdup (display_name);

  return g_steal_pointer (&self);
}

KioskConfig *
kiosk_config_new_from_file (const char  *path,
                            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, KIOSK_CONFIG_ERROR, KIOSK_CONFIG_ERROR_IO,
                   "%s: cannot read the configuration: %s", path,
                   g_strerror (local_error->code == G_FILE_ERROR_NOENT ? ENOENT :
                               local_error->code == G_FILE_ERROR_ACCES ? EACCES : EIO));
      return NULL;
    }

  return kiosk_config_new_from_data (contents, length, path, error);
}

const char *
kiosk_config_get_path (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), NULL);

  return self->path;
}

const char *
kiosk_config_get_device_id (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), NULL);

  return self->device_id;
}

guint
kiosk_config_get_thank_you_ms (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), DEFAULT_THANK_YOU_MS);

  return self->thank_you_ms;
}

guint
kiosk_config_get_misuse_interval_ms (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), DEFAULT_MISUSE_INTERVAL_MS);

  return self->misuse_interval_ms;
}

const char *
kiosk_config_get_state_directory (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), NULL);

  return self->state_directory;
}

/* NULL when the config does not choose: the locale decides. */
const char *
kiosk_config_get_language (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), NULL);

  return self->language;
}

char *
kiosk_config_dup_database_path (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), NULL);

  return g_build_filename (self->state_directory, "responses.db", NULL);
}

/* NULL when the built-in demo survey is used. */
const char *
kiosk_config_get_survey_file (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), NULL);

  return self->survey_file;
}

/* NULL when sync is off. No trailing slash. */
const char *
kiosk_config_get_cloud_url (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), NULL);

  return self->cloud_url;
}

const char *
kiosk_config_get_token_file (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), NULL);

  return self->token_file;
}

const char *
kiosk_config_get_ca_file (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), NULL);

  return self->ca_file;
}

const char *
kiosk_config_get_pinned_public_key (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), NULL);

  return self->pinned_public_key;
}

gboolean
kiosk_config_get_allow_insecure_http (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), FALSE);

  return self->allow_insecure_http;
}

guint
kiosk_config_get_batch_size (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), DEFAULT_BATCH_SIZE);

  return self->batch_size;
}

guint
kiosk_config_get_survey_poll_seconds (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), DEFAULT_POLL_S);

  return self->survey_poll_s;
}

guint
kiosk_config_get_heartbeat_seconds (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), DEFAULT_POLL_S);

  return self->heartbeat_s;
}

int
kiosk_key_code_from_name (const char *name)
{
  int code = libevdev_event_code_from_name (EV_KEY, name);

  return code;
}

/* Empty when no button device is configured. */
guint
kiosk_config_get_retention_days (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), DEFAULT_RETENTION_DAYS);

  return self->retention_days;
}

guint
kiosk_config_get_max_queue_responses (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), DEFAULT_MAX_QUEUE);

  return self->max_queue_responses;
}

guint
kiosk_config_get_max_database_megabytes (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), DEFAULT_MAX_DATABASE_MB);

  return self->max_database_mb;
}

const char * const *
kiosk_config_get_button_devices (KioskConfig *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (KIOSK_IS_CONFIG (self), none);

  return self->button_devices ? (const char * const *) self->button_devices : none;
}

/* The face (0 = very unhappy) a key code stands for, or -1. */
int
kiosk_config_get_face_for_key (KioskConfig *self,
                               guint        code)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), -1);

  for (guint face = 0; face < KIOSK_BUTTON_FACES; face++)
    for (guint i = 0; self->button_keys[face] && i < self->button_keys[face]->len; i++)
      if (g_array_index (self->button_keys[face], guint, i) == code)
        return face;

  return -1;
}

guint
kiosk_config_get_button_debounce_ms (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), 50);

  return self->button_debounce_ms;
}

/* Never NULL; open around the clock unless [hours] limits it. */
KioskHours *
kiosk_config_get_hours (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), NULL);

  return self->hours;
}

/* NULL when no admin PIN is set: the admin screen then cannot be opened. */
const char *
kiosk_config_get_pin_hash (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), NULL);

  return self->pin_hash;
}

/* Returns: minutes without a touch before the dimmed attract screen shows; 0 for never */
guint
kiosk_config_get_attract_after_minutes (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), 0);

  return self->attract_after_min;
}

gboolean
kiosk_config_get_high_contrast (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), FALSE);

  return self->high_contrast;
}

/* 1.0 is the designed size; every text scales with it. */
double
kiosk_config_get_text_scale (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), 1.0);

  return self->text_scale;
}

guint
kiosk_config_get_rotation (KioskConfig *self)
{
  g_return_val_if_fail (KIOSK_IS_CONFIG (self), 0);

  return self->rotation;
}
