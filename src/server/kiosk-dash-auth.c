/* kiosk-dash-auth.c: who is signed in and what they may see. Sessions are rows, not process
 * memory, so any server process behind the load balancer answers any request; the cookie holds
 * 256 random bits and the table only their SHA-256, so a copy of the table signs nobody in. */
#define G_LOG_DOMAIN "kiosk-dash"

#include <stdlib.h>
#include <string.h>

#include "kiosk-dash-auth.h"
#include "kiosk-pin.h"
#include "kiosk-server-auth.h"
#include "kiosk-server-db.h"

/* kiosk_token_new's base64url of 32 bytes, without padding. */
#define TOKEN_CHARS 43
#define FIRST_WAIT_S 30
#define MAX_WAIT_S   (15 * 60)

void
kiosk_dash_user_free (KioskDashUser *user)
{
  if (user == NULL)
    return;
  g_free (user->name);
  g_free (user->language);
  g_clear_pointer (&user->site_ids, g_array_unref);
  g_free (user);
}

gboolean
kiosk_dash_password_is_acceptable (const char *password,
                                   GString    *problem)
{
  if (!g_utf8_validate (password, -1, NULL))
    {
      g_string_append (problem, "the password is not UTF-8 text");
      return FALSE;
    }
  if (g_utf8_strlen (password, -1) < KIOSK_DASH_PASSWORD_MIN_CHARS)
    {
      g_string_append_printf (problem, "a password has at least %d characters (a few words "
                              "make a good one)", KIOSK_DASH_PASSWORD_MIN_CHARS);
      return FALSE;
    }
  if (strlen (password) > 1024)
    {
      g_string_append (problem, "a password has at most 1024 bytes");
      return FALSE;
    }
  return TRUE;
}

gboolean
kiosk_dash_user_name_is_valid (const char *name)
{
  gsize n = strlen (name);

  if (n == 0 || n > 64 || !g_ascii_isalnum (name[0]))
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-' && *p != '@')
      return FALSE;
  return TRUE;
}

gboolean
kiosk_dash_token_is_wellformed (const char *value)
{
  if (value == NULL || strlen (value) != TOKEN_CHARS)
    return FALSE;
  for (const char *p = value; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

gboolean
kiosk_dash_token_equal (const char *a,
                        const char *b)
{
  volatile guint8 diff = 0;
  gsize n;

  if (a == NULL || b == NULL)
    return FALSE;
  n = strlen (a);
  if (n != strlen (b) || n == 0)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    diff |= (guint8) (a[i] ^ b[i]);
  return diff == 0;
}

/* A hash of nothing anyone knows: an unknown name costs the same crypt(3) as a known one, so
 * the time of the answer does not tell which names exist. */
static const char *
dummy_hash (void)
{
  static char *hash;
  static gsize done;

  if (g_once_init_enter (&done))
    {
      g_autofree char *secret = kiosk_token_new (NULL);

      hash = kiosk_password_hash (secret ? secret : "smiley-kiosk-dummy", NULL);
      g_once_init_leave (&done, 1);
    }
  return hash ? hash : "*";
}

static gboolean
record_attempt (PGconn     *conn,
                const char *name,
                const char *address,
                gboolean    ok,
                GError    **error)
{
  const char *params[] = { name, address, ok ? "t" : "f" };
  g_autoptr(PGresult) result =
    kiosk_db_exec (conn, "INSERT INTO login_attempts (name, address, ok) VALUES ($1, $2, $3)",
                   3, params, error);

  return result != NULL;
}

/* A sign-in attempt: @key is the name as attempts are counted (lower case). */
typedef struct
{
  const char *key;
  const char *name;
  const char *password;
  const char *address;
} Attempt;

/* kiosk_dash_login_check() once the name and the address are locked; the out values are 0. */
static KioskDashLoginResult
login_check_locked (PGconn         *conn,
                    const Attempt  *attempt,
                    gint64         *out_user_id,
                    guint          *out_wait_s,
                    GError        **error)
{
  const char *key = attempt->key, *address = attempt->address;
  g_autofree char *window = g_strdup_printf ("%d", KIOSK_DASH_LOGIN_WINDOW_S);
  g_autofree char *free_failures = g_strdup_printf ("%d", KIOSK_DASH_LOGIN_FREE_FAILURES);
  g_autofree char *first = g_strdup_printf ("%d", FIRST_WAIT_S);
  g_autofree char *max = g_strdup_printf ("%d", MAX_WAIT_S);
  g_autoptr(PGresult) wait = NULL;
  g_autoptr(PGresult) user = NULL;
  const char *hash;
  gboolean ok;
  guint wait_s;

  /* Failures in the window (for a name: since its last success), then a wait that doubles with
   * each further failure, counted from the last one. In the database, so that it holds however
   * many server processes an attacker's requests are spread over. */
  {
    const char *params[] = { key, address, window, free_failures, first, max };

    wait = kiosk_db_exec (conn,
                          "WITH f AS ("
                          " SELECT count (*) AS n, max (at) AS last FROM login_attempts"
                          " WHERE name = $1 AND NOT ok"
                          "  AND at > now () - make_interval (secs => $3::int)"
                          "  AND at > coalesce ((SELECT max (at) FROM login_attempts"
                          "                      WHERE name = $1 AND ok), '-infinity')"
                          " UNION ALL"
                          " SELECT count (*), max (at) FROM login_attempts"
                          " WHERE address = $2 AND NOT ok"
                          "  AND at > now () - make_interval (secs => $3::int)) "
                          "SELECT coalesce (max (ceil (extract (epoch FROM last"
                          " + make_interval (secs => least ($5::float8 * 2 ^ (n - $4::int),"
                          "                                 $6::float8)) - now ()))), 0)::int"
                          " FROM f WHERE n >= $4::int",
                          G_N_ELEMENTS (params), params, error);
  }
  if (wait == NULL)
    return KIOSK_DASH_LOGIN_FAILED;
  wait_s = (guint) MAX (0, atoi (PQgetvalue (wait, 0, 0)));
  if (wait_s > 0)
    {
      *out_wait_s = wait_s;
      return KIOSK_DASH_LOGIN_THROTTLED;
    }

  {
    const char *params[] = { attempt->name };

    user = kiosk_db_exec (conn,
                          "SELECT id, password_hash FROM users WHERE name = $1 AND NOT disabled",
                          1, params, error);
  }
  if (user == NULL)
    return KIOSK_DASH_LOGIN_FAILED;

  hash = PQntuples (user) == 1 ? PQgetvalue (user, 0, 1) : dummy_hash ();
  ok = kiosk_password_verify (hash, attempt->password) && PQntuples (user) == 1;
  if (!record_attempt (conn, key, address, ok, error))
    return KIOSK_DASH_LOGIN_FAILED;
  if (!ok)
    return KIOSK_DASH_LOGIN_WRONG;
  *out_user_id = g_ascii_strtoll (PQgetvalue (user, 0, 0), NULL, 10);
  return KIOSK_DASH_LOGIN_OK;
}

KioskDashLoginResult
kiosk_dash_login_check (PGconn      *conn,
                        const char  *name,
                        const char  *password,
                        const char  *address,
                        gint64      *out_user_id,
                        guint       *out_wait_s,
                        GError     **error)
{
  g_autofree char *key = g_utf8_strdown (name, -1);
  const Attempt attempt = { key, name, password, address };
  const char *params[] = { key, address };
  g_autoptr(PGresult) locked = NULL;
  KioskDashLoginResult result;

  *out_user_id = 0;
  *out_wait_s = 0;

  /* The count of failures, the password check and the record of the attempt, for one name and
   * one address at a time in every server process: otherwise attempts sent side by side all
   * read the count before any of them is recorded, and each gets its guess. Names are locked
   * before addresses, always, so two sign-ins cannot wait for each other. */
  if (!kiosk_db_run (conn, "BEGIN", error))
    return KIOSK_DASH_LOGIN_FAILED;
  locked = kiosk_db_exec (conn,
                          "SELECT pg_advisory_xact_lock (1, hashtext ($1)),"
                          " pg_advisory_xact_lock (2, hashtext ($2))",
                          2, params, error);
  result = locked != NULL
           ? login_check_locked (conn, &attempt, out_user_id, out_wait_s, error)
           : KIOSK_DASH_LOGIN_FAILED;
  if (result == KIOSK_DASH_LOGIN_FAILED || !kiosk_db_run (conn, "COMMIT", error))
    {
      kiosk_db_run (conn, "ROLLBACK", NULL);
      *out_user_id = 0;
      return KIOSK_DASH_LOGIN_FAILED;
    }
  return result;
}

char *
kiosk_dash_session_create (PGconn  *conn,
                           gint64   user_id,
                           GError **error)
{
  g_autofree char *cookie = kiosk_token_new (error);
  g_autofree char *csrf = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, user_id);
  g_autofree char *max = g_strdup_printf ("%d", KIOSK_DASH_SESSION_MAX_S);
  g_autofree char *idle = g_strdup_printf ("%d", KIOSK_DASH_SESSION_IDLE_S);
  g_autoptr(PGresult) result = NULL;
  g_autoptr(PGresult) pruned = NULL;

  if (cookie == NULL || (csrf = kiosk_token_new (error)) == NULL)
    return NULL;
  hash = kiosk_token_hash_hex (cookie);
  {
    const char *params[] = { hash, id, csrf, max };

    result = kiosk_db_exec (conn,
                            "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at) "
                            "VALUES ($1::bytea, $2, $3, now () + make_interval (secs => $4::int))",
                            G_N_ELEMENTS (params), params, error);
  }
  if (result == NULL)
    return NULL;

  /* Housekeeping at the rare moment someone signs in, rather than on a timer. */
  {
    const char *params[] = { idle };

    pruned = kiosk_db_exec (conn,
                            "WITH s AS (DELETE FROM sessions WHERE expires_at < now ()"
                            "  OR last_seen < now () - make_interval (secs => $1::int)) "
                            "DELETE FROM login_attempts WHERE at < now () - interval '1 day'",
                            1, params, NULL);
  }
  return g_steal_pointer (&cookie);
}

KioskDashUser *
kiosk_dash_session_lookup (PGconn      *conn,
                           const char  *cookie,
                           char       **out_csrf_token,
                           GError     **error)
{
  g_autofree char *hash = NULL;
  g_autofree char *idle = g_strdup_printf ("%d", KIOSK_DASH_SESSION_IDLE_S);
  g_autoptr(PGresult) result = NULL;
  g_autoptr(KioskDashUser) user = NULL;

  *out_csrf_token = NULL;
  if (!kiosk_dash_token_is_wellformed (cookie))
    return NULL;
  hash = kiosk_token_hash_hex (cookie);
  {
    const char *params[] = { hash, idle };

    /* An index lookup on the hash of a 256-bit secret: its timing tells nothing of the value. */
    result = kiosk_db_exec (conn,
                            "WITH s AS (UPDATE sessions SET last_seen = now ()"
                            " WHERE token_hash = $1::bytea AND expires_at > now ()"
                            "  AND last_seen > now () - make_interval (secs => $2::int)"
                            " RETURNING user_id, csrf_token) "
                            "SELECT u.id, u.name, u.role = 'admin', u.language, s.csrf_token,"
                            " array_to_string (ARRAY (SELECT site_id FROM user_sites"
                            "   WHERE user_id = u.id"
                            "  UNION SELECT si.id FROM sites si"
                            "   JOIN user_groups ug ON ug.group_id = si.group_id"
                            "   WHERE ug.user_id = u.id ORDER BY 1), ',') "
                            "FROM s JOIN users u ON u.id = s.user_id WHERE NOT u.disabled",
                            2, params, error);
  }
  if (result == NULL || PQntuples (result) != 1)
    return NULL;

  user = g_new0 (KioskDashUser, 1);
  user->id = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  user->name = g_strdup (PQgetvalue (result, 0, 1));
  user->admin = strcmp (PQgetvalue (result, 0, 2), "t") == 0;
  if (!PQgetisnull (result, 0, 3))
    user->language = g_strdup (PQgetvalue (result, 0, 3));
  if (!user->admin)
    {
      g_auto(GStrv) ids = g_strsplit (PQgetvalue (result, 0, 5), ",", -1);

      user->site_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      for (guint i = 0; ids[i]; i++)
        if (*ids[i] != '\0')
          {
            gint64 id = g_ascii_strtoll (ids[i], NULL, 10);

            g_array_append_val (user->site_ids, id);
          }
    }
  *out_csrf_token = g_strdup (PQgetvalue (result, 0, 4));
  return g_steal_pointer (&user);
}

gboolean
kiosk_dash_session_delete (PGconn      *conn,
                           gint64       user_id,
                           const char  *csrf_token,
                           GError     **error)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, user_id);
  const char *params[] = { id, csrf_token };
  g_autoptr(PGresult) result = NULL;

  if (csrf_token == NULL)
    return TRUE;
  result = kiosk_db_exec (conn, "DELETE FROM sessions WHERE user_id = $1 AND csrf_token = $2",
                          2, params, error);
  return result != NULL;
}

/* Who may see what */

gboolean
kiosk_dash_user_may_see_site (const KioskDashUser *user,
                              gint64               site_id)
{
  if (user == NULL)
    return FALSE;
  if (user->admin)
    return TRUE;
  for (guint i = 0; user->site_ids && i < user->site_ids->len; i++)
    if (g_array_index (user->site_ids, gint64, i) == site_id)
      return TRUE;
  return FALSE;
}

char *
kiosk_dash_site_condition (const KioskDashUser *user,
                           const char          *column)
{
  g_autoptr(GString) sql = NULL;

  if (user != NULL && user->admin)
    return g_strdup ("true");
  if (user == NULL || user->site_ids == NULL || user->site_ids->len == 0)
    return g_strdup ("false");

  /* Numbers from the database, never text from a request: safe to write into the SQL. */
  sql = g_string_new (NULL);
  g_string_append_printf (sql, "%s IN (", column);
  for (guint i = 0; i < user->site_ids->len; i++)
    g_string_append_printf (sql, "%s%" G_GINT64_FORMAT, i ? "," : "",
                            g_array_index (user->site_ids, gint64, i));
  g_string_append_c (sql, ')');
  return g_string_free (g_steal_pointer (&sql), FALSE);
}
