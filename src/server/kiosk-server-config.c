/* kiosk-server-config.c: the server's configuration file. GKeyFile knows no line numbers, so
 * the lines are scanned once to find each key's line; every message then says
 * "file:line: key: what is wrong", as the kiosk's configuration does. */
#define G_LOG_DOMAIN "kiosk-server-config"

#include <gio/gio.h>
#include <libpq-fe.h>
#include <string.h>

#include "kiosk-server-config.h"

G_DEFINE_QUARK (kiosk-server-config-error-quark, kiosk_server_config_error)

typedef enum
{
  VALUE_STRING,
  VALUE_UINT,
  VALUE_BOOLEAN,
  VALUE_OTHER,    /* read where it is checked */
} ValueKind;

/* Every key the file may hold, in the order they are read, and where each goes. */
typedef struct
{
  const char *group;
  const char *key;
  ValueKind   kind;
  gsize       offset;   /* in KioskServerConfig */
  guint       min, max;
} Known;

#define FIELD(name) G_STRUCT_OFFSET (KioskServerConfig, name)

static const Known known_keys[] = {
  { "database", "conninfo", VALUE_STRING, FIELD (conninfo) },
  { "http", "listen", VALUE_STRING, FIELD (listen) },
  { "http", "threads", VALUE_UINT, FIELD (threads), 1, 256 },
  { "http", "max-connections", VALUE_UINT, FIELD (max_connections), 1, 100000 },
  { "http", "connection-timeout", VALUE_UINT, FIELD (connection_timeout_s), 1, 3600 },
  { "http", "tls-certificate", VALUE_STRING, FIELD (tls_certificate) },
  { "http", "tls-key", VALUE_STRING, FIELD (tls_key) },
  { "retention", "heartbeat-days", VALUE_UINT, FIELD (heartbeat_days), 1, 3650 },
  { "dashboard", "listen", VALUE_STRING, FIELD (dashboard_listen) },
  { "dashboard", "threads", VALUE_UINT, FIELD (dashboard_threads), 1, 256 },
  { "dashboard", "secure-cookies", VALUE_BOOLEAN, FIELD (dashboard_secure_cookies) },
  { "dashboard", "public-url", VALUE_STRING, FIELD (dashboard_public_url) },
  { "alerts", "interval", VALUE_UINT, FIELD (alerts_interval_s), 1, 3600 },
  { "alerts", "retry", VALUE_UINT, FIELD (alerts_retry_s), 1, 3600 },
  { "alerts", "give-up-after", VALUE_UINT, FIELD (alerts_give_up_h), 1, 24 * 30 },
  { "mail", "relay", VALUE_STRING, FIELD (mail_relay) },
  { "mail", "from", VALUE_STRING, FIELD (mail_from) },
  { "mail", "starttls", VALUE_BOOLEAN, FIELD (mail_starttls) },
  { "mail", "username", VALUE_STRING, FIELD (mail_username) },
  { "mail", "password-file", VALUE_OTHER },
};

/* The file being read and what is wrong with it so far. */
typedef struct
{
  GKeyFile   *file;
  const char *path;
  char      **lines;
  GString    *problems;
} Reader;

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
  self->alerts_interval_s = 60;
  self->alerts_retry_s = 30;
  self->alerts_give_up_h = 48;
  self->mail_starttls = TRUE;
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
  g_free (self->dashboard_public_url);
  g_free (self->mail_relay);
  g_free (self->mail_from);
  g_free (self->mail_username);
  if (self->mail_password != NULL)
    memset (self->mail_password, 0, strlen (self->mail_password));
  g_free (self->mail_password);
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

static void G_GNUC_PRINTF (4, 5)
problem (const Reader *reader,
         const char   *group,
         const char   *key,
         const char   *format,
         ...)
{
  va_list args;
  guint line = line_of (reader->lines, group, key);
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (line > 0)
    kiosk_server_add_problem (reader->problems, "%s:%u: [%s] %s: %s", reader->path, line, group,
                              key, message);
  else
    kiosk_server_add_problem (reader->problems, "%s: [%s] %s: %s", reader->path, group, key,
                              message);
}

/* The value of @key in [@group] without surrounding spaces, or NULL. */
static char *
read_text (const Reader *reader,
           const char   *group,
           const char   *key)
{
  char *text = g_key_file_get_string (reader->file, group, key, NULL);

  return text ? g_strstrip (text) : NULL;
}

/* Sets the field of @known in @self from the file, when the file has the key. */
static void
read_value (const Reader      *reader,
            const Known       *known,
            KioskServerConfig *self)
{
  g_autofree char *text = NULL;
  gpointer field = G_STRUCT_MEMBER_P (self, known->offset);
  guint64 number;

  if (known->kind == VALUE_OTHER || (text = read_text (reader, known->group, known->key)) == NULL)
    return;
  switch (known->kind)
    {
    case VALUE_STRING:
      g_free (*(char **) field);
      *(char **) field = g_steal_pointer (&text);
      break;
    case VALUE_UINT:
      if (g_ascii_string_to_unsigned (text, 10, known->min, known->max, &number, NULL))
        *(guint *) field = (guint) number;
      else
        problem (reader, known->group, known->key, "“%s” is not a whole number from %u to %u",
                 text, known->min, known->max);
      break;
    case VALUE_BOOLEAN:
      if (strcmp (text, "true") == 0 || strcmp (text, "false") == 0)
        *(gboolean *) field = strcmp (text, "true") == 0;
      else
        problem (reader, known->group, known->key, "“%s” is not true or false", text);
      break;
    case VALUE_OTHER:
    default:
      break;
    }
}

gboolean
kiosk_server_host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *bare = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  bare = host[0] == '[' ? g_strndup (host + 1, strcspn (host + 1, "]")) : g_strdup (host);
  address = g_inet_address_new_from_string (bare);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* [mail]: the relay alerts and reports go through. Checked here, so that a relay that would
 * send in clear text, or an address that is not one, stops the server at start instead of
 * failing at the first alert. */
static void
check_mail (KioskServerConfig *self,
            const Reader      *reader)
{
  g_autofree char *password_file = read_text (reader, "mail", "password-file");

  if (self->mail_relay != NULL && self->mail_relay[0] == '\0')
    g_clear_pointer (&self->mail_relay, g_free);
  if (self->mail_relay == NULL)
    {
      if (g_key_file_has_group (reader->file, "mail") &&
          (self->mail_from || self->mail_username || password_file))
        problem (reader, "mail", "relay", "missing: the other [mail] keys need "
                 "the relay they are for (e.g. relay=smtp://mail.example.com:587)");
      return;
    }

  {
    g_autoptr(GUri) uri = g_uri_parse (self->mail_relay, G_URI_FLAGS_NONE, NULL);
    const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;

    if (uri == NULL || scheme == NULL ||
        (g_ascii_strcasecmp (scheme, "smtp") != 0 && g_ascii_strcasecmp (scheme, "smtps") != 0) ||
        g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0' ||
        (g_uri_get_path (uri)[0] != '\0' && strcmp (g_uri_get_path (uri), "/") != 0) ||
        g_uri_get_userinfo (uri) != NULL)
      problem (reader, "mail", "relay", "“%s” is not smtp://HOST[:PORT] or "
               "smtps://HOST[:PORT] (user and password go in username and password-file)",
               self->mail_relay);
    else if (!self->mail_starttls && g_ascii_strcasecmp (scheme, "smtp") == 0 &&
             !kiosk_server_host_is_loopback (g_uri_get_host (uri)))
      problem (reader, "mail", "starttls", "false is allowed only for a relay "
               "on this machine (127.0.0.1, ::1 or localhost), not %s: mail to another host "
               "would cross the network in clear text", g_uri_get_host (uri));
  }

  if (self->mail_from == NULL || self->mail_from[0] == '\0')
    problem (reader, "mail", "from", "missing: the sender's address is required "
             "with a relay (e.g. from=Smiley Kiosk <kiosk@example.com>)");
  else
    {
      const char *open = strrchr (self->mail_from, '<');
      g_autofree char *address = open ? g_strndup (open + 1, strcspn (open + 1, ">"))
                                      : g_strdup (self->mail_from);

      if (!kiosk_server_email_is_valid (address) || strpbrk (self->mail_from, "\r\n") != NULL)
        problem (reader, "mail", "from", "“%s” is not an e-mail address (e.g. "
                 "kiosk@example.com or Smiley Kiosk <kiosk@example.com>)", self->mail_from);
    }

  if (password_file != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *text = NULL;

      if (self->mail_username == NULL)
        problem (reader, "mail", "password-file", "needs username too");
      if (!g_file_get_contents (password_file, &text, NULL, &local_error))
        problem (reader, "mail", "password-file", "%s", local_error->message);
      else
        {
          g_free (self->mail_password);
          self->mail_password = g_strdup (g_strchomp (text));
          memset (text, 0, strlen (text));
        }
    }
  else if (self->mail_username != NULL)
    problem (reader, "mail", "username", "needs password-file too (a file that "
             "holds the password, readable by the server only)");
}

void
kiosk_server_add_problem (GString    *problems,
                          const char *format,
                          ...)
{
  va_list args;

  if (problems->len > 0)
    g_string_append_c (problems, '\n');
  va_start (args, format);
  g_string_append_vprintf (problems, format, args);
  va_end (args);
}

gboolean
kiosk_server_name_is_valid (const char *name)
{
  gsize n = name ? strlen (name) : 0;

  if (n == 0 || n > 64 || !g_ascii_isalnum (name[0]))
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

gboolean
kiosk_server_email_is_valid (const char *address)
{
  const char *at;

  /* What a relay takes in MAIL FROM / RCPT TO: local@domain, printable ASCII or UTF-8, no
   * spaces, angle brackets, commas or line breaks that would change the SMTP command. */
  if (address == NULL || !g_utf8_validate (address, -1, NULL) || strlen (address) > 254)
    return FALSE;
  at = strrchr (address, '@');
  if (at == NULL || at == address || at[1] == '\0' || strchr (at + 1, '.') == NULL ||
      at[strlen (at) - 1] == '.')
    return FALSE;
  for (const char *p = address; *p; p++)
    if ((guchar) *p <= ' ' || strchr ("<>,;:\"()[]\\", *p) != NULL)
      return FALSE;
  return TRUE;
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
  Reader reader = { file, path, NULL, problems };

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
  reader.lines = lines;
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
          problem (&reader, groups[g], "*",
                   "unknown group (expected [database], [http], [retention], [dashboard], "
                   "[alerts] or [mail])");
          continue;
        }
      for (guint i = 0; keys && keys[i]; i++)
        {
          gboolean found = FALSE;

          for (guint k = 0; k < G_N_ELEMENTS (known_keys); k++)
            found |= strcmp (known_keys[k].group, groups[g]) == 0 &&
                     strcmp (known_keys[k].key, keys[i]) == 0;
          if (!found)
            problem (&reader, groups[g], keys[i], "unknown key");
        }
    }

  for (guint k = 0; k < G_N_ELEMENTS (known_keys); k++)
    read_value (&reader, &known_keys[k], self);
  check_mail (self, &reader);

  if (self->conninfo[0] == '\0')
    problem (&reader, "database", "conninfo", "empty (expected a libpq connection "
             "string such as “host=/run/postgresql dbname=smiley_kiosk”)");
  else
    {
      char *message = NULL;
      PQconninfoOption *parsed = PQconninfoParse (self->conninfo, &message);

      if (parsed == NULL)
        {
          g_autofree char *text = g_strdup (message ? message : "not a connection string");

          problem (&reader, "database", "conninfo", "%s", g_strchomp (text));
        }
      PQconninfoFree (parsed);
      PQfreemem (message);
    }
  if (self->listen[0] == '\0' || strchr (self->listen, ':') == NULL)
    problem (&reader, "http", "listen",
             "“%s” is not ADDRESS:PORT (e.g. 127.0.0.1:8080 or [::]:443)", self->listen);
  if (self->dashboard_listen[0] == '\0' || strchr (self->dashboard_listen, ':') == NULL)
    problem (&reader, "dashboard", "listen",
             "“%s” is not ADDRESS:PORT (e.g. 127.0.0.1:8081 or [::]:8081)",
             self->dashboard_listen);
  if ((self->tls_certificate == NULL) != (self->tls_key == NULL))
    problem (&reader, "http",
             self->tls_certificate ? "tls-certificate" : "tls-key",
             "tls-certificate and tls-key go together: set both or neither");
  for (guint i = 0; i < 2; i++)
    {
      const char *file_path = i == 0 ? self->tls_certificate : self->tls_key;

      if (file_path != NULL && !g_file_test (file_path, G_FILE_TEST_IS_REGULAR))
        problem (&reader, "http", i == 0 ? "tls-certificate" : "tls-key",
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
