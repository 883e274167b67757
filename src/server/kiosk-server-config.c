/* kiosk-server-config.c: the server's configuration file. GKeyFile knows no line numbers, so
 * the lines are scanned once to find each key's line; every message then says
 * "file:line: key: what is wrong", as the kiosk's configuration does. */
#define G_LOG_DOMAIN "kiosk-server-config"

#include <gio/gio.h>
#include <libpq-fe.h>
#include <string.h>

#include "kiosk-server-config.h"

G_DEFINE_QUARK (kiosk-server-config-error-quark, kiosk_server_config_error)

typedef struct
{
  const char *group;
  const char *key;
} Known;

static const Known known_keys[] = {
  { "database", "conninfo" },
  { "http", "listen" },
  { "http", "threads" },
  { "http", "max-connections" },
  { "http", "connection-timeout" },
  { "http", "tls-certificate" },
  { "http", "tls-key" },
  { "retention", "heartbeat-days" },
  { "dashboard", "listen" },
  { "dashboard", "threads" },
  { "dashboard", "secure-cookies" },
};

KioskServerConfig *
kiosk_server_config_new_default (void)
{
  KioskServerConfig *self = g_new0 (KioskServerConfig, 1);

  self->conninfo = g_strdup ("dbname=smiley_kiosk");
  self->listen = g_strdup ("127.0.0.1:8080");
  self->threads = 4;
  self->max_connections = 4096;
  self->connection_timeout_s = 60;
  self->heartbeat_days = 90;
  self->dashboard_listen = g_strdup ("127.0.0.1:8081");
  self->dashboard_threads = 2;
  self->dashboard_secure_cookies = TRUE;
  return self;
}

void
kiosk_server_config_free (KioskServerConfig *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  g_free (self->conninfo);
  g_free (self->listen);
  g_free (self->tls_certificate);
  g_free (self->tls_key);
  g_free (self->dashboard_listen);
  g_free (self);
}

/* The line of "key=" in [group], or of the group header, or 0. */
static guint
line_of (char      **lines,
         const char *group,
         const char *key)
{
  gboolean in_group = FALSE;
  guint group_line = 0;

  for (guint i = 0; lines[i]; i++)
    {
      const char *line = lines[i];

      while (*line == ' ' || *line == '\t')
        line++;
      if (*line == '[')
        {
          g_autofree char *name = g_strndup (line + 1, strcspn (line + 1, "]"));

          in_group = strcmp (name, group) == 0;
          if (in_group && group_line == 0)
            group_line = i + 1;
          continue;
        }
      if (in_group && key != NULL && g_str_has_prefix (line, key))
        {
          const char *rest = line + strlen (key);

          while (*rest == ' ' || *rest == '\t')
            rest++;
          if (*rest == '=')
            return i + 1;
        }
    }
  return group_line;
}

static void
problem (GString    *problems,
         const char *path,
         char      **lines,
         const char *group,
         const char *key,
         const char *format,
         ...) G_GNUC_PRINTF (6, 7);

static void
problem (GString    *problems,
         const char *path,
         char      **lines,
         const char *group,
         const char *key,
         const char *format,
         ...)
{
  va_list args;
  guint line = line_of (lines, group, key);

  if (problems->len > 0)
    g_string_append_c (problems, '\n');
  if (line > 0)
    g_string_append_printf (problems, "%s:%u: ", path, line);
  else
    g_string_append_printf (problems, "%s: ", path);
  g_string_append_printf (problems, "[%s] %s: ", group, key);
  va_start (args, format);
  g_string_append_vprintf (problems, format, args);
  va_end (args);
}

static void
read_string (GKeyFile   *file,
             const char *group,
             const char *key,
             char      **value)
{
  g_autofree char *text = g_key_file_get_string (file, group, key, NULL);

  if (text != NULL)
    {
      g_free (*value);
      *value = g_strstrip (g_steal_pointer (&text));
    }
}

static void
read_uint (GKeyFile   *file,
           const char *path,
           char      **lines,
           GString    *problems,
           const char *group,
           const char *key,
           guint       min,
           guint       max,
           guint      *value)
{
  g_autofree char *text = g_key_file_get_string (file, group, key, NULL);
  guint64 number;

  if (text == NULL)
    return;
  g_strstrip (text);
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &number, NULL))
    {
      problem (problems, path, lines, group, key, "“%s” is not a whole number from %u to %u",
               text, min, max);
      return;
    }
  *value = (guint) number;
}

KioskServerConfig *
kiosk_server_config_load (const char  *path,
                          GError     **error)
{
  g_autoptr(KioskServerConfig) self = kiosk_server_config_new_default ();
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) groups = NULL;
  gsize length;

  self->path = g_strdup (path);
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, KIOSK_SERVER_CONFIG_ERROR, KIOSK_SERVER_CONFIG_ERROR_INVALID,
                   "%s: cannot read the configuration: %s", path, local_error->message);
      return NULL;
    }
  if (!g_utf8_validate (contents, length, NULL))
    {
      g_set_error (error, KIOSK_SERVER_CONFIG_ERROR, KIOSK_SERVER_CONFIG_ERROR_INVALID,
                   "%s: the file is not UTF-8 text", path);
      return NULL;
    }
  lines = g_strsplit (contents, "\n", -1);
  if (!g_key_file_load_from_data (file, contents, length, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, KIOSK_SERVER_CONFIG_ERROR, KIOSK_SERVER_CONFIG_ERROR_INVALID,
                   "%s: %s", path, local_error->message);
      return NULL;
    }

  /* A misspelt key would otherwise be a silent no-op. */
  groups = g_key_file_get_groups (file, NULL);
  for (guint g = 0; groups[g]; g++)
    {
      g_auto(GStrv) keys = g_key_file_get_keys (file, groups[g], NULL, NULL);
      gboolean group_known = FALSE;

      for (guint k = 0; k < G_N_ELEMENTS (known_keys); k++)
        group_known |= strcmp (known_keys[k].group, groups[g]) == 0;
      if (!group_known)
        {
          problem (problems, path, lines, groups[g], "*",
                   "unknown group (expected [database], [http], [retention] or [dashboard])");
          continue;
        }
      for (guint i = 0; keys && keys[i]; i++)
        {
          gboolean found = FALSE;

          for (guint k = 0; k < G_N_ELEMENTS (known_keys); k++)
            found |= strcmp (known_keys[k].group, groups[g]) == 0 &&
                     strcmp (known_keys[k].key, keys[i]) == 0;
          if (!found)
            problem (problems, path, lines, groups[g], keys[i], "unknown key");
        }
    }

  read_string (file, "database", "conninfo", &self->conninfo);
  read_string (file, "http", "listen", &self->listen);
  read_uint (file, path, lines, problems, "http", "threads", 1, 256, &self->threads);
  read_uint (file, path, lines, problems, "http", "max-connections", 1, 100000,
             &self->max_connections);
  read_uint (file, path, lines, problems, "http", "connection-timeout", 1, 3600,
             &self->connection_timeout_s);
  read_string (file, "http", "tls-certificate", &self->tls_certificate);
  read_string (file, "http", "tls-key", &self->tls_key);
  read_uint (file, path, lines, problems, "retention", "heartbeat-days", 1, 3650,
             &self->heartbeat_days);
  read_string (file, "dashboard", "listen", &self->dashboard_listen);
  read_uint (file, path, lines, problems, "dashboard", "threads", 1, 256,
             &self->dashboard_threads);
  {
    g_autofree char *text = g_key_file_get_string (file, "dashboard", "secure-cookies", NULL);

    if (text != NULL)
      {
        g_strstrip (text);
        if (strcmp (text, "true") == 0)
          self->dashboard_secure_cookies = TRUE;
        else if (strcmp (text, "false") == 0)
          self->dashboard_secure_cookies = FALSE;
        else
          problem (problems, path, lines, "dashboard", "secure-cookies",
                   "“%s” is not true or false", text);
      }
  }

  if (self->conninfo[0] == '\0')
    problem (problems, path, lines, "database", "conninfo", "empty (expected a libpq connection "
             "string such as “host=/run/postgresql dbname=smiley_kiosk”)");
  else
    {
      char *message = NULL;
      PQconninfoOption *parsed = PQconninfoParse (self->conninfo, &message);

      if (parsed == NULL)
        {
          g_autofree char *text = g_strdup (message ? message : "not a connection string");

          problem (problems, path, lines, "database", "conninfo", "%s", g_strchomp (text));
        }
      PQconninfoFree (parsed);
      PQfreemem (message);
    }
  if (self->listen[0] == '\0' || strchr (self->listen, ':') == NULL)
    problem (problems, path, lines, "http", "listen",
             "“%s” is not ADDRESS:PORT (e.g. 127.0.0.1:8080 or [::]:443)", self->listen);
  if (self->dashboard_listen[0] == '\0' || strchr (self->dashboard_listen, ':') == NULL)
    problem (problems, path, lines, "dashboard", "listen",
             "“%s” is not ADDRESS:PORT (e.g. 127.0.0.1:8081 or [::]:8081)",
             self->dashboard_listen);
  if ((self->tls_certificate == NULL) != (self->tls_key == NULL))
    problem (problems, path, lines, "http",
             self->tls_certificate ? "tls-certificate" : "tls-key",
             "tls-certificate and tls-key go together: set both or neither");
  for (guint i = 0; i < 2; i++)
    {
      const char *file_path = i == 0 ? self->tls_certificate : self->tls_key;

      if (file_path != NULL && !g_file_test (file_path, G_FILE_TEST_IS_REGULAR))
        problem (problems, path, lines, "http", i == 0 ? "tls-certificate" : "tls-key",
                 "%s is not a readable file", file_path);
    }

  if (problems->len > 0)
    {
      g_set_error_literal (error, KIOSK_SERVER_CONFIG_ERROR, KIOSK_SERVER_CONFIG_ERROR_INVALID,
                           problems->str);
      return NULL;
    }
  return g_steal_pointer (&self);
}
