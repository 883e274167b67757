/* kiosk-server-admin.c: what an operator types. Arguments are checked before the database is
 * touched, and every refusal says what to type instead. */
#define G_LOG_DOMAIN "kiosk-server-admin"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "kiosk-cloudevents.h"
#include "kiosk-csv.h"
#include "kiosk-dash-auth.h"
#include "kiosk-dash-server.h"
#include "kiosk-hours.h"
#include "kiosk-pin.h"
#include "kiosk-server-admin.h"
#include "kiosk-server-auth.h"
#include "kiosk-server-db.h"
#include "kiosk-server-surveys.h"

#define EXIT_USAGE 2

static const char * const weekdays[] = {
  "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", NULL
};

/* Options of one command: "--name VALUE" or "--name=VALUE"; the rest are positional. */
typedef struct
{
  GHashTable *values;      /* name → GPtrArray of values */
  GPtrArray  *positional;
} Args;

static void
args_clear (Args *args)
{
  g_clear_pointer (&args->values, g_hash_table_unref);
  g_clear_pointer (&args->positional, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Args, args_clear)

static gboolean
parse_args (int                 argc,
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

static const char *
arg (Args       *args,
     const char *name)
{
  GPtrArray *list = g_hash_table_lookup (args->values, name);

  return list ? g_ptr_array_index (list, list->len - 1) : NULL;
}

static int
fail (GError *error)
{
  g_printerr ("smiley-kiosk-server: %s\n", error->message);
  return 1;
}

static gboolean
name_is_valid (const char *name)
{
  gsize n = strlen (name);

  if (n == 0 || n > 64 || !g_ascii_isalnum (name[0]))
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static void
print_table (PGresult *result)
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

static int
list (PGconn     *conn,
      const char *sql,
      int         n_params,
      const char **params)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) result = kiosk_db_exec (conn, sql, n_params, params, &error);

  if (result == NULL)
    return fail (error);
  print_table (result);
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

  if (argc < 1 || !parse_args (argc - 1, argv + 1, options, NULL, &args))
    goto usage;

  if (strcmp (argv[0], "list") == 0 && args.positional->len == 0)
    return list (conn,
                 "SELECT g.name, g.title, count (s.id) AS sites FROM site_groups g "
                 "LEFT JOIN sites s ON s.group_id = g.id GROUP BY g.id ORDER BY g.name",
                 0, NULL);

  if (strcmp (argv[0], "add") == 0 && args.positional->len == 1)
    {
      const char *name = g_ptr_array_index (args.positional, 0);
      const char *title = arg (&args, "title") ? arg (&args, "title") : name;
      const char *params[] = { name, title };
      g_autoptr(PGresult) result = NULL;

      if (!name_is_valid (name))
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
          return fail (error);
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
  const char *time_zone = arg (args, "time-zone");
  const char *type = arg (args, "type") ? arg (args, "type") : "other";
  const char *country = arg (args, "country");
  const char *group = arg (args, "group");
  const char *title = arg (args, "title") ? arg (args, "title") : name;
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autofree char *hours = hours_json (g_hash_table_lookup (args->values, "hours"), problems);
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) result = NULL;

  if (!name_is_valid (name))
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
  if (!name_is_valid (type))
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
      return fail (error);
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

  if (argc < 1 || !parse_args (argc - 1, argv + 1, options, NULL, &args))
    goto usage;
  if (strcmp (argv[0], "list") == 0 && args.positional->len == 0)
    return list (conn,
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
    return fail (error);
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
      return fail (error);
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

  if (argc < 1 || !parse_args (argc - 1, argv + 1, options, NULL, &args))
    goto usage;

  if (strcmp (argv[0], "add") == 0 && args.positional->len == 1)
    return device_add (conn, g_ptr_array_index (args.positional, 0), arg (&args, "site"));

  if (strcmp (argv[0], "list") == 0 && args.positional->len == 0)
    {
      const char *params[] = { arg (&args, "site") };

      return list (conn,
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
        return fail (error);
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

  if (argc < 1 || !parse_args (argc - 1, argv + 1, options, flags, &args))
    goto usage;

  if (strcmp (argv[0], "list") == 0 && args.positional->len == 0)
    return list (conn,
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
  n_scopes = (arg (&args, "site") != NULL) + (arg (&args, "device") != NULL) +
             (arg (&args, "default") != NULL);
  if (n_scopes != 1)
    {
      g_printerr ("smiley-kiosk-server: survey publish: say for whom: --site SITE, --device ID "
                  "or --default (exactly one)\n");
      return EXIT_USAGE;
    }
  if (arg (&args, "site"))
    scope = KIOSK_SURVEY_SCOPE_SITE, target = arg (&args, "site");
  else if (arg (&args, "device"))
    scope = KIOSK_SURVEY_SCOPE_DEVICE, target = arg (&args, "device");
  else
    scope = KIOSK_SURVEY_SCOPE_DEFAULT, target = NULL;

  if (!g_file_get_contents (path, &contents, &length, &error))
    return fail (error);
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

/* export */

static gboolean
date_is_valid (const char *text)
{
  g_autofree char *iso = g_strconcat (text, "T00:00:00Z", NULL);
  g_autoptr(GDateTime) parsed = NULL;

  if (strlen (text) != 10)
    return FALSE;
  parsed = g_date_time_new_from_iso8601 (iso, NULL);
  return parsed != NULL;
}

int
kiosk_server_admin_export (PGconn *conn,
                           int     argc,
                           char  **argv)
{
  static const char * const options[] = { "site", "from", "to", NULL };
  static const char * const columns[] = {
    "device", "seq", "id", "time_utc", "local_time", "survey_id", "survey_version", "face",
    "scale", "input", "language", "misuse", "misuse_rule", "follow_up", "selected", "outcome",
    "comment", "contact_name", "contact_email", "contact_phone", "clock_synced",
    "clock_corrected", "clock_repaired", "received_at", NULL
  };
  g_auto(Args) args = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(PGresult) site = NULL;
  const char *from, *to, *site_name;
  PGresult *row;
  guint64 rows = 0;
  gboolean ok = TRUE;

  if (!parse_args (argc, argv, options, NULL, &args) || args.positional->len != 0)
    goto usage;
  site_name = arg (&args, "site");
  from = arg (&args, "from");
  to = arg (&args, "to");
  if (site_name == NULL)
    goto usage;
  if ((from && !date_is_valid (from)) || (to && !date_is_valid (to)))
    {
      g_printerr ("smiley-kiosk-server: export: --from and --to are days as YYYY-MM-DD, in the "
                  "site's time zone (both included)\n");
      return EXIT_USAGE;
    }

  {
    const char *params[] = { site_name };

    site = kiosk_db_exec (conn, "SELECT id FROM sites WHERE name = $1", 1, params, &error);
  }
  if (site == NULL)
    return fail (error);
  if (PQntuples (site) == 0)
    {
      g_printerr ("smiley-kiosk-server: there is no site “%s” (see: site list)\n", site_name);
      return 1;
    }

  {
    const char *params[] = { PQgetvalue (site, 0, 0), from, to };

    /* One row at a time: a year of a busy site does not have to fit in memory. */
    if (!PQsendQueryParams (conn,
                            "SELECT device_id, seq, event_id, "
                            " to_char (time, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
                            " to_char (local_time, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS'), "
                            " survey_id, survey_version, face, scale, input, language, misuse, "
                            " misuse_rule, follow_up_id, "
                            " (SELECT string_agg (o, ' ') FROM jsonb_array_elements_text "
                            "   (follow_up_selected) AS o), "
                            " follow_up_outcome, comment, contact_name, contact_email, "
                            " contact_phone, clock_synced, clock_corrected, clock_repaired, "
                            " to_char (received_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
                            "FROM responses WHERE site_id = $1 "
                            " AND ($2::date IS NULL OR local_time >= $2::date) "
                            " AND ($3::date IS NULL OR local_time < $3::date + 1) "
                            "ORDER BY local_time, device_id, seq",
                            3, NULL, params, NULL, NULL, 0) ||
        !PQsetSingleRowMode (conn))
      {
        g_printerr ("smiley-kiosk-server: export failed: %s", PQerrorMessage (conn));
        return 1;
      }
  }

  for (guint i = 0; columns[i]; i++)
    kiosk_csv_field (line, columns[i]);
  g_print ("%s\r\n", line->str);

  while ((row = PQgetResult (conn)) != NULL)
    {
      ExecStatusType status = PQresultStatus (row);

      if (status == PGRES_SINGLE_TUPLE)
        {
          g_string_truncate (line, 0);
          for (int c = 0; c < PQnfields (row); c++)
            {
              const char *value = PQgetisnull (row, 0, c) ? NULL : PQgetvalue (row, 0, c);

              if (value != NULL && PQftype (row, c) == 16 /* bool */)
                value = strcmp (value, "t") == 0 ? "true" : "false";
              /* The first field may be empty, so a lone NULL must still count as a field. */
              if (c == 0 && value == NULL)
                value = "";
              kiosk_csv_field (line, value);
            }
          g_print ("%s\r\n", line->str);
          rows++;
        }
      else if (status != PGRES_TUPLES_OK)
        {
          g_printerr ("smiley-kiosk-server: export failed after %" G_GUINT64_FORMAT " rows: %s",
                      rows, PQresultErrorMessage (row));
          ok = FALSE;
        }
      PQclear (row);
    }
  if (fflush (stdout) != 0)
    {
      g_printerr ("smiley-kiosk-server: export: cannot write the output\n");
      return 1;
    }
  g_printerr ("smiley-kiosk-server: exported %" G_GUINT64_FORMAT " responses of site %s\n", rows,
              site_name);
  return ok ? 0 : 1;

usage:
  g_printerr ("usage: smiley-kiosk-server export --site SITE [--from YYYY-MM-DD] "
              "[--to YYYY-MM-DD] > responses.csv\n");
  return EXIT_USAGE;
}

/* user */

static char *
read_line (FILE *in)
{
  g_autoptr(GString) line = g_string_new (NULL);
  int c;

  while ((c = getc (in)) != EOF && c != '\n')
    g_string_append_c (line, (char) c);
  if (c == EOF && line->len == 0)
    return NULL;
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);
  return g_string_free (g_steal_pointer (&line), FALSE);
}

static char *
prompt_hidden (const char *prompt)
{
  struct termios saved, quiet;
  char *line;

  g_printerr ("%s", prompt);
  if (tcgetattr (STDIN_FILENO, &saved) != 0)
    return read_line (stdin);
  quiet = saved;
  quiet.c_lflag &= ~(ECHO);
  quiet.c_lflag |= ECHONL;
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  line = read_line (stdin);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
  return line;
}

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

      first = prompt_hidden (prompt);
      if (first == NULL)
        goto none;
      if (!kiosk_dash_password_is_acceptable (first, problem))
        goto bad;
      again = prompt_hidden ("The same password again: ");
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

  first = read_line (stdin);
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
          fail (error);
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
  gboolean admin = arg (args, "admin") != NULL;
  gboolean viewer = arg (args, "viewer") != NULL;
  const char *language = arg (args, "language");
  g_autoptr(GPtrArray) site_ids = NULL;
  g_autoptr(GPtrArray) group_ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autofree char *password = NULL;
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
  if (admin && (arg (args, "sites") || arg (args, "groups")))
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
      site_ids = resolve_names (conn, "sites", "site", arg (args, "sites"));
      if (site_ids == NULL)
        return 1;
      group_ids = resolve_names (conn, "site_groups", "group", arg (args, "groups"));
      if (group_ids == NULL)
        return 1;
    }
  {
    const char *params[] = { name };

    result = kiosk_db_exec (conn, "SELECT 1 FROM users WHERE name = $1", 1, params, &error);
    if (result == NULL)
      return fail (error);
    if (PQntuples (result) > 0)
      {
        g_printerr ("smiley-kiosk-server: a user named “%s” exists already (user passwd %s "
                    "changes the password)\n", name, name);
        return 1;
      }
    g_clear_pointer (&result, PQclear);
  }

  password = read_new_password (name);
  if (password == NULL)
    return 1;
  hash = kiosk_password_hash (password, &error);
  explicit_bzero (password, strlen (password));
  if (hash == NULL)
    return fail (error);

  if (!kiosk_db_run (conn, "BEGIN", &error))
    return fail (error);
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
      return fail (error);
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

  if (arg (args, "sites") == NULL && arg (args, "groups") == NULL)
    {
      g_printerr ("smiley-kiosk-server: user sites: give --sites A,B and/or --groups G1,G2 (an "
                  "empty list, --sites '', removes them all)\n");
      return EXIT_USAGE;
    }
  user = kiosk_db_exec (conn, "SELECT id, role FROM users WHERE name = $1", 1, params, &error);
  if (user == NULL)
    return fail (error);
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
  if (arg (args, "sites") && (site_ids = resolve_names (conn, "sites", "site",
                                                        arg (args, "sites"))) == NULL)
    return 1;
  if (arg (args, "groups") && (group_ids = resolve_names (conn, "site_groups", "group",
                                                          arg (args, "groups"))) == NULL)
    return 1;
  if (!kiosk_db_run (conn, "BEGIN", &error) ||
      !set_user_lists (conn, PQgetvalue (user, 0, 0), site_ids, group_ids, &error) ||
      !kiosk_db_run (conn, "COMMIT", &error))
    {
      PQclear (PQexec (conn, "ROLLBACK"));
      return fail (error);
    }
  g_print ("User %s now sees%s%s%s%s.\n", name,
           site_ids ? " sites: " : "", site_ids ? arg (args, "sites") : "",
           group_ids ? (site_ids ? "; groups: " : " groups: ") : "",
           group_ids ? arg (args, "groups") : "");
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
  g_autofree char *password = NULL;
  g_autofree char *hash = NULL;

  user = kiosk_db_exec (conn, "SELECT id FROM users WHERE name = $1", 1, params, &error);
  if (user == NULL)
    return fail (error);
  if (PQntuples (user) == 0)
    {
      g_printerr ("smiley-kiosk-server: there is no user “%s” (see: user list)\n", name);
      return 1;
    }
  password = read_new_password (name);
  if (password == NULL)
    return 1;
  hash = kiosk_password_hash (password, &error);
  explicit_bzero (password, strlen (password));
  if (hash == NULL)
    return fail (error);
  params[1] = hash;
  /* A new password signs the user out everywhere: whoever knew the old one is out too. */
  result = kiosk_db_exec (conn,
                          "WITH u AS (UPDATE users SET password_hash = $2 WHERE name = $1 "
                          " RETURNING id) "
                          "DELETE FROM sessions WHERE user_id IN (SELECT id FROM u)",
                          2, params, &error);
  if (result == NULL)
    return fail (error);
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

  if (argc < 1 || !parse_args (argc - 1, argv + 1, options, flags, &args))
    goto usage;

  if (strcmp (argv[0], "list") == 0 && args.positional->len == 0)
    return list (conn,
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
        return fail (error);
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
