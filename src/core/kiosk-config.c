/* kiosk-config.c: reads kiosk.conf and refuses anything it does not understand. Each key's own
 * reader is in kiosk-config-keys.c.
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
#include "kiosk-config-private.h"
#include "kiosk-pin.h"

G_DEFINE_FINAL_TYPE (KioskConfig, kiosk_config, G_TYPE_OBJECT)

G_DEFINE_QUARK (kiosk-config-error-quark, kiosk_config_error)

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

          if (_kiosk_config_find_spec (group, NULL) == NULL)
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

      if (_kiosk_config_find_spec (group, NULL) == NULL)
        continue; /* the unknown group was reported once, on its header */

      if (_kiosk_config_find_spec (group, text) == NULL)
        {
          const char *suggestion = _kiosk_config_closest_key (group, text);

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

        _kiosk_config_parse_button_keys (self, i, default_keys[i], ignored);
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
          const KioskKeySpec *spec = _kiosk_config_find_spec (loc->group, loc->key);
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
