/* kiosk-server-admin-users.c: `user`, the dashboard's users: passwords read without echo, roles
 * and the sites and groups a viewer may see. */
#define G_LOG_DOMAIN "kiosk-server-admin"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kiosk-dash-auth.h"
#include "kiosk-dash-server.h"
#include "kiosk-pin.h"
#include "kiosk-server-admin-private.h"
#include "kiosk-server-db.h"
#include "kiosk-tty.h"

/* From a terminal: asked twice, without echo. From a pipe: the first line. */
static char *
read_new_password (const char *name)
{
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autoptr(GString) problem = g_string_new (NULL);

  if (isatty (STDIN_FILENO))
    {
      g_autofree char *prompt = g_strdup_printf ("New password for %s: ", name);

      first = kiosk_tty_prompt_hidden (prompt);
      if (first == NULL)
        goto none;
      if (!kiosk_dash_password_is_acceptable (first, problem))
        goto bad;
      again = kiosk_tty_prompt_hidden ("The same password again: ");
      if (again == NULL || strcmp (first, again) != 0)
        {
          g_printerr ("smiley-kiosk-server: the two passwords differ; nothing was changed\n");
          if (again != NULL)
            explicit_bzero (again, strlen (again));
          explicit_bzero (first, strlen (first));
          return NULL;
        }
      explicit_bzero (again, strlen (again));
      return g_steal_pointer (&first);
    }

  first = kiosk_tty_read_line (stdin);
  if (first == NULL)
    goto none;
  if (!kiosk_dash_password_is_acceptable (first, problem))
    goto bad;
  return g_steal_pointer (&first);

none:
  g_printerr ("smiley-kiosk-server: no password on standard input (type it, or pipe one line: "
              "printf '%%s\\n' \"$PASSWORD\" | smiley-kiosk-server user …)\n");
  return NULL;

bad:
  explicit_bzero (first, strlen (first));
  g_printerr ("smiley-kiosk-server: %s; nothing was changed\n", problem->str);
  return NULL;
}

/* The hash of a new password for @name, the password itself wiped from memory once hashed;
 * NULL without @error when none was given (the reason printed), with @error when hashing
 * failed. */
static char *
new_password_hash (const char  *name,
                   GError     **error)
{
  g_autofree char *password = read_new_password (name);
  char *hash;

  if (password == NULL)
    return NULL;
  hash = kiosk_password_hash (password, error);
  explicit_bzero (password, strlen (password));
  return hash;
}

/* The ids of the comma-separated @names in @table ("sites", "site_groups"); NULL and a message
 * when one is unknown. */
static GPtrArray *
resolve_names (PGconn     *conn,
               const char *table,
               const char *what,
               const char *names)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) list = g_strsplit (names ? names : "", ",", -1);

  for (guint i = 0; list[i]; i++)
    {
      const char *name = g_strstrip (list[i]);
      const char *params[] = { name };
      g_autofree char *sql = g_strdup_printf ("SELECT id FROM %s WHERE name = $1", table);
      g_autoptr(GError) error = NULL;
      g_autoptr(PGresult) result = NULL;

      if (*name == '\0')
        continue;
      result = kiosk_db_exec (conn, sql, 1, params, &error);
      if (result == NULL)
        {
          _kiosk_admin_fail (error);
          return NULL;
        }
      if (PQntuples (result) == 0)
        {
          g_printerr ("smiley-kiosk-server: there is no %s “%s” (see: %s list); nothing was "
                      "changed\n", what, name, what);
          return NULL;
        }
      g_ptr_array_add (ids, g_strdup (PQgetvalue (result, 0, 0)));
    }
  return g_steal_pointer (&ids);
}

static gboolean
set_user_lists (PGconn     *conn,
                const char *user_id,
                GPtrArray  *site_ids,
                GPtrArray  *group_ids,
                GError    **error)
{
  for (guint pass = 0; pass < 2; pass++)
    {
      GPtrArray *ids = pass == 0 ? site_ids : group_ids;
      const char *table = pass == 0 ? "user_sites" : "user_groups";
      const char *column = pass == 0 ? "site_id" : "group_id";
      g_autofree char *clear = g_strdup_printf ("DELETE FROM %s WHERE user_id = $1", table);
      g_autofree char *insert = g_strdup_printf ("INSERT INTO %s (user_id, %s) VALUES ($1, $2) "
                                                 "ON CONFLICT DO NOTHING", table, column);
      const char *params[] = { user_id, NULL };
      g_autoptr(PGresult) cleared = NULL;

      if (ids == NULL)
        continue;
      cleared = kiosk_db_exec (conn, clear, 1, params, error);
      if (cleared == NULL)
        return FALSE;
      for (guint i = 0; i < ids->len; i++)
        {
          g_autoptr(PGresult) inserted = NULL;

          params[1] = g_ptr_array_index (ids, i);
          inserted = kiosk_db_exec (conn, insert, 2, params, error);
          if (inserted == NULL)
            return FALSE;
        }
    }
  return TRUE;
}

static int
user_add (PGconn *conn,
          Args   *args)
{
  const char *name = g_ptr_array_index (args->positional, 0);
  gboolean admin = _kiosk_admin_arg (args, "admin") != NULL;
  gboolean viewer = _kiosk_admin_arg (args, "viewer") != NULL;
  const char *language = _kiosk_admin_arg (args, "language");
  g_autoptr(GPtrArray) site_ids = NULL;
  g_autoptr(GPtrArray) group_ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autofree char *hash = NULL;

  if (!kiosk_dash_user_name_is_valid (name))
    {
      g_printerr ("smiley-kiosk-server: “%s” is not a valid user name (1 to 64 letters, digits, "
                  "“.”, “_”, “-” or “@”, starting with a letter or digit)\n", name);
      return EXIT_USAGE;
    }
  if (admin == viewer)
    {
      g_printerr ("smiley-kiosk-server: user add: say --admin (sees everything, the fleet "
                  "too) or --viewer (sees its --sites and --groups), one of them\n");
      return EXIT_USAGE;
    }
  if (admin && (_kiosk_admin_arg (args, "sites") || _kiosk_admin_arg (args, "groups")))
    {
      g_printerr ("smiley-kiosk-server: user add: an admin sees every site; --sites and "
                  "--groups are for a --viewer\n");
      return EXIT_USAGE;
    }
  if (language != NULL && kiosk_dash_language_lookup (language) == NULL)
    {
      g_printerr ("smiley-kiosk-server: user add: --language %s: the dashboard speaks en and "
                  "%s\n", language, KIOSK_DASH_LINGUAS);
      return EXIT_USAGE;
    }

  if (viewer)
    {
      site_ids = resolve_names (conn, "sites", "site", _kiosk_admin_arg (args, "sites"));
      if (site_ids == NULL)
        return 1;
      group_ids = resolve_names (conn, "site_groups", "group", _kiosk_admin_arg (args, "groups"));
      if (group_ids == NULL)
        return 1;
    }
  {
    const char *params[] = { name };

    result = kiosk_db_exec (conn, "SELECT 1 FROM users WHERE name = $1", 1, params, &error);
    if (result == NULL)
      return _kiosk_admin_fail (error);
    if (PQntuples (result) > 0)
      {
        g_printerr ("smiley-kiosk-server: a user named “%s” exists already (user passwd %s "
                    "changes the password)\n", name, name);
        return 1;
      }
    g_clear_pointer (&result, PQclear);
  }

  hash = new_password_hash (name, &error);
  if (hash == NULL)
    return error != NULL ? _kiosk_admin_fail (error) : 1;

  if (!kiosk_db_run (conn, "BEGIN", &error))
    return _kiosk_admin_fail (error);
  {
    const char *params[] = { name, hash, admin ? "admin" : "viewer",
                             language ? kiosk_dash_language_lookup (language) : NULL };

    result = kiosk_db_exec (conn,
                            "INSERT INTO users (name, password_hash, role, language) "
                            "VALUES ($1, $2, $3, $4) RETURNING id",
                            4, params, &error);
  }
  if (result == NULL || !set_user_lists (conn, PQgetvalue (result, 0, 0), site_ids, group_ids,
                                         &error) ||
      !kiosk_db_run (conn, "COMMIT", &error))
    {
      PQclear (PQexec (conn, "ROLLBACK"));
      if (g_error_matches (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONFLICT))
        {
          g_printerr ("smiley-kiosk-server: a user named “%s” exists already\n", name);
          return 1;
        }
      return _kiosk_admin_fail (error);
    }
  g_print ("User %s added (%s%s%s%s%s).\n", name, admin ? "admin" : "viewer",
           viewer ? ", " : "", viewer ? (site_ids->len + group_ids->len > 0
                                           ? "sees its sites and groups"
                                           : "sees no site yet: see user sites") : "",
           language ? ", language " : "", language ? language : "");
  return 0;
}

static int
user_sites (PGconn *conn,
            Args   *args)
{
  const char *name = g_ptr_array_index (args->positional, 0);
  const char *params[] = { name };
  g_autoptr(GPtrArray) site_ids = NULL;
  g_autoptr(GPtrArray) group_ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) user = NULL;

  if (_kiosk_admin_arg (args, "sites") == NULL && _kiosk_admin_arg (args, "groups") == NULL)
    {
      g_printerr ("smiley-kiosk-server: user sites: give --sites A,B and/or --groups G1,G2 (an "
                  "empty list, --sites '', removes them all)\n");
      return EXIT_USAGE;
    }
  user = kiosk_db_exec (conn, "SELECT id, role FROM users WHERE name = $1", 1, params, &error);
  if (user == NULL)
    return _kiosk_admin_fail (error);
  if (PQntuples (user) == 0)
    {
      g_printerr ("smiley-kiosk-server: there is no user “%s” (see: user list)\n", name);
      return 1;
    }
  if (strcmp (PQgetvalue (user, 0, 1), "admin") == 0)
    {
      g_printerr ("smiley-kiosk-server: %s is an admin and sees every site already\n", name);
      return 1;
    }
  if (_kiosk_admin_arg (args, "sites") && (site_ids = resolve_names (conn, "sites", "site",
                                                        _kiosk_admin_arg (args, "sites"))) == NULL)
    return 1;
  if (_kiosk_admin_arg (args, "groups") && (group_ids = resolve_names (conn, "site_groups", "group",
                                                          _kiosk_admin_arg (args, "groups"))) == NULL)
    return 1;
  if (!kiosk_db_run (conn, "BEGIN", &error) ||
      !set_user_lists (conn, PQgetvalue (user, 0, 0), site_ids, group_ids, &error) ||
      !kiosk_db_run (conn, "COMMIT", &error))
    {
      PQclear (PQexec (conn, "ROLLBACK"));
      return _kiosk_admin_fail (error);
    }
  g_print ("User %s now sees%s%s%s%s.\n", name,
           site_ids ? " sites: " : "", site_ids ? _kiosk_admin_arg (args, "sites") : "",
           group_ids ? (site_ids ? "; groups: " : " groups: ") : "",
           group_ids ? _kiosk_admin_arg (args, "groups") : "");
  return 0;
}

static int
user_passwd (PGconn     *conn,
             const char *name)
{
  const char *params[2] = { name, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) user = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autofree char *hash = NULL;

  user = kiosk_db_exec (conn, "SELECT id FROM users WHERE name = $1", 1, params, &error);
  if (user == NULL)
    return _kiosk_admin_fail (error);
  if (PQntuples (user) == 0)
    {
      g_printerr ("smiley-kiosk-server: there is no user “%s” (see: user list)\n", name);
      return 1;
    }
  hash = new_password_hash (name, &error);
  if (hash == NULL)
    return error != NULL ? _kiosk_admin_fail (error) : 1;
  params[1] = hash;
  /* A new password signs the user out everywhere: whoever knew the old one is out too. */
  result = kiosk_db_exec (conn,
                          "WITH u AS (UPDATE users SET password_hash = $2 WHERE name = $1 "
                          " RETURNING id) "
                          "DELETE FROM sessions WHERE user_id IN (SELECT id FROM u)",
                          2, params, &error);
  if (result == NULL)
    return _kiosk_admin_fail (error);
  g_print ("Password of %s changed; its sessions are closed.\n", name);
  return 0;
}

int
kiosk_server_admin_user (PGconn *conn,
                         int     argc,
                         char  **argv)
{
  static const char * const options[] = { "sites", "groups", "language", NULL };
  static const char * const flags[] = { "admin", "viewer", NULL };
  g_auto(Args) args = { 0 };

  if (argc < 1 || !_kiosk_admin_parse_args (argc - 1, argv + 1, options, flags, &args))
    goto usage;

  if (strcmp (argv[0], "list") == 0 && args.positional->len == 0)
    return _kiosk_admin_list (conn,
                 "SELECT u.name, u.role, coalesce (u.language, '') AS language, "
                 " coalesce ((SELECT string_agg (s.name, ',' ORDER BY s.name) FROM user_sites us "
                 "  JOIN sites s ON s.id = us.site_id WHERE us.user_id = u.id), '') AS sites, "
                 " coalesce ((SELECT string_agg (g.name, ',' ORDER BY g.name) FROM user_groups ug "
                 "  JOIN site_groups g ON g.id = ug.group_id WHERE ug.user_id = u.id), '') "
                 "  AS groups, "
                 " (SELECT count (*) FROM sessions se WHERE se.user_id = u.id "
                 "  AND se.expires_at > now ()) AS sessions, "
                 " CASE WHEN u.disabled THEN 'disabled' ELSE 'active' END AS state "
                 "FROM users u ORDER BY u.name",
                 0, NULL);
  if (strcmp (argv[0], "add") == 0 && args.positional->len == 1)
    return user_add (conn, &args);
  if (strcmp (argv[0], "sites") == 0 && args.positional->len == 1)
    return user_sites (conn, &args);
  if (strcmp (argv[0], "passwd") == 0 && args.positional->len == 1 &&
      g_hash_table_size (args.values) == 0)
    return user_passwd (conn, g_ptr_array_index (args.positional, 0));
  if (strcmp (argv[0], "remove") == 0 && args.positional->len == 1 &&
      g_hash_table_size (args.values) == 0)
    {
      const char *params[] = { g_ptr_array_index (args.positional, 0) };
      g_autoptr(GError) error = NULL;
      g_autoptr(PGresult) result =
        kiosk_db_exec (conn, "DELETE FROM users WHERE name = $1 RETURNING id", 1, params,
                       &error);

      if (result == NULL)
        return _kiosk_admin_fail (error);
      if (PQntuples (result) == 0)
        {
          g_printerr ("smiley-kiosk-server: there is no user “%s” (see: user list)\n",
                      params[0]);
          return 1;
        }
      g_print ("User %s removed; its sessions are closed.\n", params[0]);
      return 0;
    }

usage:
  g_printerr ("usage: smiley-kiosk-server user add NAME --admin|--viewer [--sites A,B] "
              "[--groups G1,G2] [--language LL]\n"
              "       smiley-kiosk-server user sites NAME [--sites A,B] [--groups G1,G2]\n"
              "       smiley-kiosk-server user passwd NAME\n"
              "       smiley-kiosk-server user remove NAME\n"
              "       smiley-kiosk-server user list\n"
              "The password is read from standard input: asked twice on a terminal, else the "
              "first line.\n");
  return EXIT_USAGE;
}
