/* kiosk-server-admin.c: what an operator types. Arguments are checked before the database is
 * touched, and every refusal says what to type instead. */
#define G_LOG_DOMAIN "kiosk-server-admin"

#include <stdio.h>
#include <string.h>

#include "kiosk-cloudevents.h"
#include "kiosk-hours.h"
#include "kiosk-server-admin-private.h"
#include "kiosk-server-auth.h"
#include "kiosk-server-config.h"
#include "kiosk-server-db.h"
#include "kiosk-server-surveys.h"

static const char * const weekdays[] = {
  "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", NULL
};

void
_kiosk_admin_args_clear (Args *args)
{
  g_clear_pointer (&args->values, g_hash_table_unref);
  g_clear_pointer (&args->positional, g_ptr_array_unref);
}

gboolean
_kiosk_admin_parse_date (const char *text,
                         GDate      *out_date)
{
  g_autofree char *iso = g_strconcat (text, "T00:00:00Z", NULL);
  g_autoptr(GDateTime) parsed = NULL;

  if (strlen (text) != 10)
    return FALSE;
  parsed = g_date_time_new_from_iso8601 (iso, NULL);
  if (parsed == NULL)
    return FALSE;
  if (out_date != NULL)
    g_date_set_dmy (out_date, (GDateDay) g_date_time_get_day_of_month (parsed),
                    (GDateMonth) g_date_time_get_month (parsed),
                    (GDateYear) g_date_time_get_year (parsed));
  return TRUE;
}

gboolean
_kiosk_admin_parse_args (int                 argc,
            char              **argv,
            const char * const *allowed,
            const char * const *flags,
            Args               *args)
{
  args->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_ptr_array_unref);
  args->positional = g_ptr_array_new ();

  for (int i = 0; i < argc; i++)
    {
      const char *arg = argv[i];
      g_autofree char *name = NULL;
      const char *value;
      GPtrArray *list;

      if (!g_str_has_prefix (arg, "--"))
        {
          g_ptr_array_add (args->positional, (gpointer) arg);
          continue;
        }
      if (strchr (arg, '=') != NULL)
        {
          name = g_strndup (arg + 2, strchr (arg, '=') - arg - 2);
          value = strchr (arg, '=') + 1;
        }
      else
        {
          name = g_strdup (arg + 2);
          if (flags != NULL && g_strv_contains (flags, name))
            value = "true";
          else if (i + 1 < argc)
            value = argv[++i];
          else
            {
              g_printerr ("smiley-kiosk-server: %s needs a value\n", arg);
              return FALSE;
            }
        }
      if (!g_strv_contains (allowed, name) && !(flags && g_strv_contains (flags, name)))
        {
          g_printerr ("smiley-kiosk-server: unknown option --%s\n", name);
          return FALSE;
        }
      list = g_hash_table_lookup (args->values, name);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (args->values, g_strdup (name), list);
        }
      g_ptr_array_add (list, (gpointer) value);
    }
  return TRUE;
}

const char *
_kiosk_admin_arg (Args       *args,
     const char *name)
{
  GPtrArray *list = g_hash_table_lookup (args->values, name);

  return list ? g_ptr_array_index (list, list->len - 1) : NULL;
}

int
_kiosk_admin_fail (GError *error)
{
  g_printerr ("smiley-kiosk-server: %s\n", error->message);
  return 1;
}

void
_kiosk_admin_print_table (PGresult *result)
{
  int columns = PQnfields (result);
  g_autofree int *widths = g_new0 (int, columns);

  for (int c = 0; c < columns; c++)
    {
      widths[c] = g_utf8_strlen (PQfname (result, c), -1);
      for (int row = 0; row < PQntuples (result); row++)
        widths[c] = MAX (widths[c], (int) g_utf8_strlen (PQgetvalue (result, row, c), -1));
    }
  for (int row = -1; row < PQntuples (result); row++)
    {
      g_autoptr(GString) line = g_string_new (NULL);

      for (int c = 0; c < columns; c++)
        {
          const char *text = row < 0 ? PQfname (result, c) : PQgetvalue (result, row, c);
          int pad = widths[c] - (int) g_utf8_strlen (text, -1);

          g_string_append (line, text);
          if (c + 1 < columns)
            g_string_append_printf (line, "%*s  ", pad, "");
        }
      g_print ("%s\n", line->str);
    }
}

int
_kiosk_admin_list (PGconn     *conn,
      const char *sql,
      int         n_params,
      const char **params)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) result = kiosk_db_exec (conn, sql, n_params, params, &error);

  if (result == NULL)
    return _kiosk_admin_fail (error);
  _kiosk_admin_print_table (result);
  return 0;
}

/* group */

int
kiosk_server_admin_group (PGconn *conn,
                          int     argc,
                          char  **argv)
{
  static const char * const options[] = { "title", NULL };
  g_auto(Args) args = { 0 };
  g_autoptr(GError) error = NULL;

  if (argc < 1 || !_kiosk_admin_parse_args (argc - 1, argv + 1, options, NULL, &args))
    goto usage;

  if (strcmp (argv[0], "list") == 0 && args.positional->len == 0)
    return _kiosk_admin_list (conn,
                 "SELECT g.name, g.title, count (s.id) AS sites FROM site_groups g "
                 "LEFT JOIN sites s ON s.group_id = g.id GROUP BY g.id ORDER BY g.name",
                 0, NULL);

  if (strcmp (argv[0], "add") == 0 && args.positional->len == 1)
    {
      const char *name = g_ptr_array_index (args.positional, 0);
      const char *title = _kiosk_admin_arg (&args, "title") ? _kiosk_admin_arg (&args, "title") : name;
      const char *params[] = { name, title };
      g_autoptr(PGresult) result = NULL;

      if (!kiosk_server_name_is_valid (name))
        {
          g_printerr ("smiley-kiosk-server: “%s” is not a valid group name (1 to 64 letters, "
                      "digits, “.”, “_” or “-”, starting with a letter or digit)\n", name);
          return EXIT_USAGE;
        }
      result = kiosk_db_exec (conn, "INSERT INTO site_groups (name, title) VALUES ($1, $2)",
                              2, params, &error);
      if (result == NULL)
        {
          if (g_error_matches (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONFLICT))
            {
              g_printerr ("smiley-kiosk-server: a group named “%s” exists already\n", name);
              return 1;
            }
          return _kiosk_admin_fail (error);
        }
      g_print ("Group %s added.\n", name);
      return 0;
    }

usage:
  g_printerr ("usage: smiley-kiosk-server group add NAME [--title TEXT]\n"
              "       smiley-kiosk-server group list\n");
  return EXIT_USAGE;
}

/* site */

static char *
hours_json (GPtrArray *specs,
            GString   *problems)
{
  g_autoptr(GString) json = g_string_new ("{");
  gboolean first = TRUE;

  for (guint i = 0; specs && i < specs->len; i++)
    {
      const char *spec = g_ptr_array_index (specs, i);
      const char *equals = strchr (spec, '=');
      g_autofree char *day = equals ? g_strndup (spec, equals - spec) : NULL;
      g_autoptr(GArray) ranges = NULL;
      g_autoptr(GString) problem = g_string_new (NULL);
      g_autofree char *ranges_text = NULL;
      guint first_day = 0, last_day = 0;

      if (day == NULL)
        {
          g_string_append_printf (problems, "--hours %s: expected DAY=HH:MM-HH:MM (e.g. "
                                  "monday=08:00-20:00, daily=09:00-18:00, sunday=closed)\n", spec);
          continue;
        }
      if (strcmp (day, "daily") == 0)
        last_day = 6;
      else if (strcmp (day, "weekdays") == 0)
        last_day = 4;
      else
        {
          for (first_day = 0; weekdays[first_day]; first_day++)
            if (strcmp (weekdays[first_day], day) == 0)
              break;
          if (weekdays[first_day] == NULL)
            {
              g_string_append_printf (problems, "--hours %s: “%s” is not a day (monday … "
                                      "sunday, weekdays or daily)\n", spec, day);
              continue;
            }
          last_day = first_day;
        }

      ranges_text = g_strstrip (g_strdup (equals + 1));
      ranges = kiosk_hours_parse_ranges (ranges_text, problem);
      if (ranges == NULL)
        {
          g_string_append_printf (problems, "--hours %s: %s\n", spec, problem->str);
          continue;
        }
      for (guint d = first_day; d <= last_day; d++)
        {
          g_string_append_printf (json, "%s\"%s\":\"%s\"", first ? "" : ",", weekdays[d],
                                  ranges_text);
          first = FALSE;
        }
    }
  g_string_append_c (json, '}');
  return first ? NULL : g_string_free (g_steal_pointer (&json), FALSE);
}

static int
site_add (PGconn *conn,
          Args   *args)
{
  const char *name = g_ptr_array_index (args->positional, 0);
  const char *time_zone = _kiosk_admin_arg (args, "time-zone");
  const char *type = _kiosk_admin_arg (args, "type") ? _kiosk_admin_arg (args, "type") : "other";
  const char *country = _kiosk_admin_arg (args, "country");
  const char *group = _kiosk_admin_arg (args, "group");
  const char *title = _kiosk_admin_arg (args, "title") ? _kiosk_admin_arg (args, "title") : name;
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autofree char *hours = hours_json (g_hash_table_lookup (args->values, "hours"), problems);
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) result = NULL;

  if (!kiosk_server_name_is_valid (name))
    g_string_append_printf (problems, "“%s” is not a valid site name (1 to 64 letters, digits, "
                            "“.”, “_” or “-”, starting with a letter or digit)\n", name);
  if (time_zone == NULL)
    g_string_append (problems, "--time-zone is required: the zone of the site's clocks, e.g. "
                               "Europe/Berlin (see /usr/share/zoneinfo)\n");
  else if ((zone = g_time_zone_new_identifier (time_zone)) == NULL)
    g_string_append_printf (problems, "--time-zone %s: not a time zone of /usr/share/zoneinfo "
                            "(e.g. Europe/Berlin, America/New_York, UTC)\n", time_zone);
  if (country != NULL && (strlen (country) != 2 || !g_ascii_isupper (country[0]) ||
                          !g_ascii_isupper (country[1])))
    g_string_append_printf (problems, "--country %s: expected a two-letter ISO 3166 code in "
                            "capitals, e.g. DE\n", country);
  if (!kiosk_server_name_is_valid (type))
    g_string_append_printf (problems, "--type %s: expected a short word such as supermarket, "
                            "airport-gate or pharmacy\n", type);
  if (problems->len > 0)
    {
      g_printerr ("smiley-kiosk-server: site add: %s", problems->str);
      return EXIT_USAGE;
    }

  {
    const char *params[] = { name, title, time_zone, type, country, hours, group };

    result = kiosk_db_exec (conn,
                            "INSERT INTO sites (name, title, time_zone, site_type, country, "
                            " opening_hours, group_id) "
                            "SELECT $1, $2, $3, $4, $5, $6::jsonb, g.id "
                            "FROM (SELECT NULL) AS dummy "
                            "LEFT JOIN site_groups g ON g.name = $7 "
                            "WHERE $7::text IS NULL OR g.id IS NOT NULL "
                            "RETURNING id",
                            G_N_ELEMENTS (params), params, &error);
  }
  if (result == NULL)
    {
      if (g_error_matches (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONFLICT))
        {
          g_printerr ("smiley-kiosk-server: a site named “%s” exists already\n", name);
          return 1;
        }
      return _kiosk_admin_fail (error);
    }
  if (PQntuples (result) == 0)
    {
      g_printerr ("smiley-kiosk-server: there is no group “%s” (add it with: group add %s)\n",
                  group, group);
      return 1;
    }
  g_print ("Site %s added (%s).\n", name, time_zone);
  return 0;
}

int
kiosk_server_admin_site (PGconn *conn,
                         int     argc,
                         char  **argv)
{
  static const char * const options[] = { "time-zone", "type", "country", "group", "title",
                                          "hours", NULL };
  g_auto(Args) args = { 0 };

  if (argc < 1 || !_kiosk_admin_parse_args (argc - 1, argv + 1, options, NULL, &args))
    goto usage;
  if (strcmp (argv[0], "list") == 0 && args.positional->len == 0)
    return _kiosk_admin_list (conn,
                 "SELECT s.name, s.title, s.time_zone, s.site_type AS type, "
                 " coalesce (s.country, '') AS country, coalesce (g.name, '') AS \"group\", "
                 " (SELECT count (*) FROM devices d WHERE d.site_id = s.id "
                 "  AND d.retired_at IS NULL) AS devices "
                 "FROM sites s LEFT JOIN site_groups g ON g.id = s.group_id ORDER BY s.name",
                 0, NULL);
  if (strcmp (argv[0], "add") == 0 && args.positional->len == 1)
    return site_add (conn, &args);

usage:
  g_printerr ("usage: smiley-kiosk-server site add NAME --time-zone ZONE [--title TEXT] "
              "[--type TYPE]\n"
              "                                   [--country CC] [--group GROUP] "
              "[--hours DAY=HH:MM-HH:MM]…\n"
              "       smiley-kiosk-server site list\n");
  return EXIT_USAGE;
}

/* device */

static int
device_add (PGconn     *conn,
            const char *id,
            const char *site)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(PGresult) result = NULL;

  if (!kiosk_device_id_is_valid (id))
    {
      g_printerr ("smiley-kiosk-server: “%s” is not a valid device id (1 to 64 letters, digits, "
                  "“.”, “_” or “-”, as [kiosk] device-id in the kiosk's configuration)\n", id);
      return EXIT_USAGE;
    }
  if (site == NULL)
    {
      g_printerr ("smiley-kiosk-server: device add: --site is required (see: site list)\n");
      return EXIT_USAGE;
    }

  token = kiosk_token_new (&error);
  if (token == NULL)
    return _kiosk_admin_fail (error);
  hash = kiosk_token_hash_hex (token);
  {
    const char *params[] = { id, site, hash };

    result = kiosk_db_exec (conn,
                            "INSERT INTO devices (id, site_id, token_hash) "
                            "SELECT $1, id, $3::bytea FROM sites WHERE name = $2 RETURNING id",
                            3, params, &error);
  }
  if (result == NULL)
    {
      if (g_error_matches (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONFLICT))
        {
          g_printerr ("smiley-kiosk-server: a device “%s” exists already (a retired id is not "
                      "given out again)\n", id);
          return 1;
        }
      return _kiosk_admin_fail (error);
    }
  if (PQntuples (result) == 0)
    {
      g_printerr ("smiley-kiosk-server: there is no site “%s” (see: site list)\n", site);
      return 1;
    }

  g_print ("Device %s added to site %s.\n"
           "Its token, shown this once (the server keeps only a hash of it):\n\n"
           "%s\n\n"
           "On the kiosk, put the token alone in the token file (chmod 600) and set in "
           "kiosk.conf:\n"
           "  [kiosk]\n  device-id=%s\n  [cloud]\n  url=https://…\n"
           "  token-file=/etc/smiley-kiosk/token\n", id, site, token, id);
  explicit_bzero (token, strlen (token));
  return 0;
}

int
kiosk_server_admin_device (PGconn *conn,
                           int     argc,
                           char  **argv)
{
  static const char * const options[] = { "site", NULL };
  g_auto(Args) args = { 0 };

  if (argc < 1 || !_kiosk_admin_parse_args (argc - 1, argv + 1, options, NULL, &args))
    goto usage;

  if (strcmp (argv[0], "add") == 0 && args.positional->len == 1)
    return device_add (conn, g_ptr_array_index (args.positional, 0), _kiosk_admin_arg (&args, "site"));

  if (strcmp (argv[0], "list") == 0 && args.positional->len == 0)
    {
      const char *params[] = { _kiosk_admin_arg (&args, "site") };

      return _kiosk_admin_list (conn,
                   "SELECT d.id, s.name AS site, "
                   " CASE WHEN d.retired_at IS NOT NULL THEN 'retired' ELSE 'active' END "
                   "  AS state, "
                   " coalesce (to_char (d.last_seen_at, 'YYYY-MM-DD HH24:MI:SS\"Z\"'), 'never')"
                   "  AS last_seen, "
                   " coalesce (h.version, '') AS version, "
                   " coalesce (h.queue_depth::text, '') AS queue "
                   "FROM devices d JOIN sites s ON s.id = d.site_id "
                   "LEFT JOIN device_health h ON h.device_id = d.id "
                   "WHERE $1::text IS NULL OR s.name = $1 ORDER BY d.id",
                   1, params);
    }

  if (strcmp (argv[0], "retire") == 0 && args.positional->len == 1)
    {
      const char *params[] = { g_ptr_array_index (args.positional, 0) };
      g_autoptr(GError) error = NULL;
      g_autoptr(PGresult) result =
        kiosk_db_exec (conn,
                       "UPDATE devices SET retired_at = coalesce (retired_at, now()) "
                       "WHERE id = $1 RETURNING id",
                       1, params, &error);

      if (result == NULL)
        return _kiosk_admin_fail (error);
      if (PQntuples (result) == 0)
        {
          g_printerr ("smiley-kiosk-server: there is no device “%s” (see: device list)\n",
                      params[0]);
          return 1;
        }
      g_print ("Device %s retired: it is answered 410 from now on; its responses stay.\n",
               params[0]);
      return 0;
    }

usage:
  g_printerr ("usage: smiley-kiosk-server device add ID --site SITE\n"
              "       smiley-kiosk-server device list [--site SITE]\n"
              "       smiley-kiosk-server device retire ID\n");
  return EXIT_USAGE;
}

/* survey */

int
kiosk_server_admin_survey (PGconn *conn,
                           int     argc,
                           char  **argv)
{
  static const char * const options[] = { "site", "device", NULL };
  static const char * const flags[] = { "default", NULL };
  g_auto(Args) args = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskSurvey) survey = NULL;
  g_autofree char *contents = NULL;
  KioskSurveyScope scope;
  const char *target, *path;
  gsize length;
  guint n_scopes;

  if (argc < 1 || !_kiosk_admin_parse_args (argc - 1, argv + 1, options, flags, &args))
    goto usage;

  if (strcmp (argv[0], "list") == 0 && args.positional->len == 0)
    return _kiosk_admin_list (conn,
                 "SELECT s.survey_id AS survey, s.version, s.etag, "
                 " to_char (s.published_at, 'YYYY-MM-DD HH24:MI:SS\"Z\"') AS published, "
                 " coalesce (string_agg (CASE a.scope WHEN 'default' THEN 'default' "
                 "   WHEN 'site' THEN 'site ' || si.name ELSE 'device ' || a.device_id END, "
                 "   ', ' ORDER BY a.scope), '') AS assigned_to "
                 "FROM surveys s LEFT JOIN survey_assignments a USING (survey_id, version) "
                 "LEFT JOIN sites si ON si.id = a.site_id "
                 "GROUP BY s.survey_id, s.version, s.etag, s.published_at "
                 "ORDER BY s.survey_id, s.version",
                 0, NULL);

  if (strcmp (argv[0], "publish") != 0 || args.positional->len != 1)
    goto usage;

  path = g_ptr_array_index (args.positional, 0);
  n_scopes = (_kiosk_admin_arg (&args, "site") != NULL) + (_kiosk_admin_arg (&args, "device") != NULL) +
             (_kiosk_admin_arg (&args, "default") != NULL);
  if (n_scopes != 1)
    {
      g_printerr ("smiley-kiosk-server: survey publish: say for whom: --site SITE, --device ID "
                  "or --default (exactly one)\n");
      return EXIT_USAGE;
    }
  if (_kiosk_admin_arg (&args, "site"))
    scope = KIOSK_SURVEY_SCOPE_SITE, target = _kiosk_admin_arg (&args, "site");
  else if (_kiosk_admin_arg (&args, "device"))
    scope = KIOSK_SURVEY_SCOPE_DEVICE, target = _kiosk_admin_arg (&args, "device");
  else
    scope = KIOSK_SURVEY_SCOPE_DEFAULT, target = NULL;

  if (!g_file_get_contents (path, &contents, &length, &error))
    return _kiosk_admin_fail (error);
  survey = kiosk_server_survey_publish (conn, contents, length, path, scope, target, &error);
  if (survey == NULL)
    {
      g_printerr ("smiley-kiosk-server: %s\n", error->message);
      return g_error_matches (error, KIOSK_SERVER_SURVEY_ERROR, KIOSK_SERVER_SURVEY_ERROR_INVALID)
             ? EXIT_USAGE : 1;
    }
  g_print ("Survey %s version %d published for %s%s%s; kiosks fetch it at their next poll.\n",
           kiosk_survey_get_id (survey), kiosk_survey_get_version (survey),
           scope == KIOSK_SURVEY_SCOPE_DEFAULT ? "every device without its own"
           : scope == KIOSK_SURVEY_SCOPE_SITE ? "site " : "device ",
           target ? target : "", "");
  return 0;

usage:
  g_printerr ("usage: smiley-kiosk-server survey publish FILE --site SITE|--device ID|--default\n"
              "       smiley-kiosk-server survey list\n");
  return EXIT_USAGE;
}

