/* kiosk-server-surveys.c: surveys on the server. A survey is validated by the same code as the
 * kiosk's --check-survey, stored byte for byte with an ETag, and never changed once published: a
 * new text needs a new version. */
#define G_LOG_DOMAIN "kiosk-server-surveys"

#include <json-glib/json-glib.h>
#include <string.h>

#include "kiosk-dash-server.h"
#include "kiosk-server-db.h"
#include "kiosk-server-surveys.h"

G_DEFINE_QUARK (kiosk-server-survey-error-quark, kiosk_server_survey_error)

static GMutex cache_lock;
static GHashTable *cache;   /* "id\nversion" → KioskSurvey */

static char *
cache_key (const char *survey_id,
           int         version)
{
  return g_strdup_printf ("%s\n%d", survey_id, version);
}

static void
cache_put (const char  *survey_id,
           int          version,
           KioskSurvey *survey)
{
  g_mutex_lock (&cache_lock);
  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_hash_table_replace (cache, cache_key (survey_id, version), g_object_ref (survey));
  g_mutex_unlock (&cache_lock);
}

static KioskSurvey *
cache_get (const char *survey_id,
           int         version)
{
  g_autofree char *key = cache_key (survey_id, version);
  KioskSurvey *survey = NULL;

  g_mutex_lock (&cache_lock);
  if (cache != NULL && (survey = g_hash_table_lookup (cache, key)) != NULL)
    g_object_ref (survey);
  g_mutex_unlock (&cache_lock);
  return survey;
}

static char *
make_etag (const char *survey_id,
           int         version,
           const char *body,
           gsize       length)
{
  g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) body,
                                                      length);

  /* The version first, readable in logs; the hash keeps two texts from sharing a tag. */
  return g_strdup_printf ("\"%s-v%d-%.12s\"", survey_id, version, sum);
}

static gboolean
store (PGconn      *conn,
       KioskSurvey *survey,
       const char  *body,
       GError     **error)
{
  const char *id = kiosk_survey_get_id (survey);
  int version = kiosk_survey_get_version (survey);
  g_autofree char *version_text = g_strdup_printf ("%d", version);
  g_autofree char *scale_text = g_strdup_printf ("%d", kiosk_survey_get_scale (survey));
  g_autofree char *etag = make_etag (id, version, body, strlen (body));
  const char *params[] = { id, version_text, body, etag, scale_text };
  g_autoptr(PGresult) inserted = NULL;
  g_autoptr(PGresult) existing = NULL;

  inserted = kiosk_db_exec (conn,
                            "INSERT INTO surveys (survey_id, version, body, etag, scale) "
                            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                            5, params, error);
  if (inserted == NULL)
    return FALSE;
  if (atoi (PQcmdTuples (inserted)) == 1)
    return TRUE;

  existing = kiosk_db_exec (conn, "SELECT body FROM surveys WHERE survey_id = $1 AND version = $2",
                            2, params, error);
  if (existing == NULL)
    return FALSE;
  if (PQntuples (existing) == 1 && strcmp (PQgetvalue (existing, 0, 0), body) != 0)
    {
      g_set_error (error, KIOSK_SERVER_SURVEY_ERROR, KIOSK_SERVER_SURVEY_ERROR_CONFLICT,
                   "version %d of survey “%s” was published before with other text; kiosks "
                   "may already show it, so give the new text a new \"version\"", version, id);
      return FALSE;
    }
  return TRUE;
}

/* The demo's text @english in @language, from the server's catalogues (context "demo
 * survey", the context of the kiosk's marks for them), or NULL when the catalogue lacks it. */
static const char *
demo_text (const char *language,
           const char *english)
{
  g_autofree char *key = g_strconcat ("demo survey\004", english, NULL);
  const char *translated = kiosk_dash_translate (language, key);

  return translated == key ? NULL : translated;
}

/* Adds @language to every text of @node (an object of language → text) and below. */
static void
add_demo_language (JsonNode   *node,
                   const char *language)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        add_demo_language (json_array_get_element (array, i), language);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      const char *english = json_object_has_member (object, "en")
                            ? json_object_get_string_member (object, "en") : NULL;
      g_autoptr(GList) members = json_object_get_members (object);

      if (english != NULL)
        json_object_set_string_member (object, language, demo_text (language, english));
      else
        for (GList *l = members; l != NULL; l = l->next)
          add_demo_language (json_object_get_member (object, l->data), language);
    }
}

/* The demo survey as kiosks get it from the server: its English texts with every language whose
 * catalogue translates all of them, as the kiosk builds its own demo (kiosk-survey-demo.c). */
static char *
demo_body (GBytes *data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  const char * const *languages = kiosk_dash_languages ();
  JsonObject *root;
  JsonArray *offered;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (data, NULL),
                                   g_bytes_get_size (data), &error))
    g_error ("The built-in demo survey does not parse: %s", error->message);
  root = json_node_get_object (json_parser_get_root (parser));
  offered = json_object_get_array_member (root, "languages");
  for (guint i = 0; languages[i] != NULL; i++)
    {
      gboolean complete = strcmp (languages[i], "en") != 0;

      for (guint t = 0; complete && kiosk_demo_texts[t] != NULL; t++)
        complete = demo_text (languages[i], kiosk_demo_texts[t]) != NULL;
      if (!complete)
        continue;
      json_array_add_string_element (offered, languages[i]);
      add_demo_language (json_parser_get_root (parser), languages[i]);
    }
  return json_to_string (json_parser_get_root (parser), TRUE);
}

KioskSurvey *
kiosk_server_survey_publish (PGconn           *conn,
                             const char       *body,
                             gsize             length,
                             const char       *file_name,
                             KioskSurveyScope  scope,
                             const char       *target,
                             GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(KioskSurvey) survey = NULL;
  g_autofree char *text = NULL;
  g_autofree char *version_text = NULL;
  g_autoptr(PGresult) assigned = NULL;
  const char *sql;

  {
    g_autoptr(GBytes) demo = kiosk_survey_get_demo_data ();

    /* data/demo-survey.json is the built-in demo: published, it is the demo with its
     * translations, as kiosks show it and as the server keeps it (ensure_demo). */
    if (length == g_bytes_get_size (demo) &&
        memcmp (body, g_bytes_get_data (demo, NULL), length) == 0)
      text = demo_body (demo);
    else
      text = g_strndup (body, length);
  }
  survey = kiosk_survey_new_from_data (text, -1, file_name, &local_error);
  if (survey == NULL)
    {
      g_set_error_literal (error, KIOSK_SERVER_SURVEY_ERROR, KIOSK_SERVER_SURVEY_ERROR_INVALID,
                           local_error->message);
      return NULL;
    }
  version_text = g_strdup_printf ("%d", kiosk_survey_get_version (survey));

  if (!kiosk_db_run (conn, "BEGIN", error))
    return NULL;
  if (!store (conn, survey, text, error))
    goto fail;

  switch (scope)
    {
    case KIOSK_SURVEY_SCOPE_DEFAULT:
      sql = "INSERT INTO survey_assignments (scope, survey_id, version) "
            "SELECT 'default', $1, $2 WHERE $3::text IS NULL "
            "ON CONFLICT ((true)) WHERE scope = 'default' "
            "DO UPDATE SET survey_id = $1, version = $2, assigned_at = now() RETURNING 1";
      break;
    case KIOSK_SURVEY_SCOPE_SITE:
      sql = "INSERT INTO survey_assignments (scope, site_id, survey_id, version) "
            "SELECT 'site', id, $1, $2 FROM sites WHERE name = $3 "
            "ON CONFLICT (site_id) WHERE scope = 'site' "
            "DO UPDATE SET survey_id = $1, version = $2, assigned_at = now() RETURNING 1";
      break;
    case KIOSK_SURVEY_SCOPE_DEVICE:
    default:
      sql = "INSERT INTO survey_assignments (scope, device_id, survey_id, version) "
            "SELECT 'device', id, $1, $2 FROM devices WHERE id = $3 "
            "ON CONFLICT (device_id) WHERE scope = 'device' "
            "DO UPDATE SET survey_id = $1, version = $2, assigned_at = now() RETURNING 1";
      break;
    }

  {
    const char *params[] = { kiosk_survey_get_id (survey), version_text, target };

    assigned = kiosk_db_exec (conn, sql, 3, params, error);
  }
  if (assigned == NULL)
    goto fail;
  if (PQntuples (assigned) != 1)
    {
      g_set_error (error, KIOSK_SERVER_SURVEY_ERROR, KIOSK_SERVER_SURVEY_ERROR_NOT_FOUND,
                   scope == KIOSK_SURVEY_SCOPE_SITE ? "there is no site “%s” (see: site list)"
                                                    : "there is no device “%s” (see: device list)",
                   target);
      goto fail;
    }
  if (!kiosk_db_run (conn, "COMMIT", error))
    return NULL;

  cache_put (kiosk_survey_get_id (survey), kiosk_survey_get_version (survey), survey);
  return g_steal_pointer (&survey);

fail:
  PQclear (PQexec (conn, "ROLLBACK"));
  return NULL;
}

gboolean
kiosk_server_survey_ensure_demo (PGconn  *conn,
                                 GError **error)
{
  g_autoptr(GBytes) data = kiosk_survey_get_demo_data ();
  g_autofree char *body = demo_body (data);
  g_autoptr(KioskSurvey) demo = kiosk_survey_new_from_data (body, -1, "demo", error);

  if (demo == NULL)
    return FALSE;

  /* A later version of the program may change the demo's text but not its version: then the
   * stored text stays, which is what kiosks of that version showed. */
  if (!store (conn, demo, body, error))
    {
      if (!g_error_matches (*error, KIOSK_SERVER_SURVEY_ERROR, KIOSK_SERVER_SURVEY_ERROR_CONFLICT))
        return FALSE;
      g_clear_error (error);
    }
  return TRUE;
}

KioskSurvey *
kiosk_server_survey_lookup (PGconn     *conn,
                            const char *survey_id,
                            int         version,
                            GError    **error)
{
  g_autofree char *version_text = g_strdup_printf ("%d", version);
  const char *params[] = { survey_id, version_text };
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  KioskSurvey *survey;

  if ((survey = cache_get (survey_id, version)) != NULL)
    return survey;

  result = kiosk_db_exec (conn, "SELECT body FROM surveys WHERE survey_id = $1 AND version = $2",
                          2, params, error);
  if (result == NULL || PQntuples (result) == 0)
    return NULL;

  survey = kiosk_survey_new_from_data (PQgetvalue (result, 0, 0), -1, survey_id, &local_error);
  if (survey == NULL)
    {
      /* Stored surveys passed validation; a newer validator may be stricter. */
      g_warning ("survey %s version %d no longer passes validation: %s", survey_id, version,
                 local_error->message);
      return NULL;
    }
  cache_put (survey_id, version, survey);
  return survey;
}

gboolean
kiosk_server_survey_for_device (PGconn      *conn,
                                const char  *device_id,
                                char       **out_body,
                                char       **out_etag,
                                GError     **error)
{
  const char *params[] = { device_id };
  g_autoptr(PGresult) result =
    kiosk_db_exec (conn,
                   "SELECT s.body, s.etag FROM survey_assignments a "
                   "JOIN surveys s USING (survey_id, version) "
                   "WHERE (a.scope = 'device' AND a.device_id = $1) "
                   "   OR (a.scope = 'site' AND a.site_id = (SELECT site_id FROM devices "
                   "                                         WHERE id = $1)) "
                   "   OR a.scope = 'default' "
                   "ORDER BY CASE a.scope WHEN 'device' THEN 0 WHEN 'site' THEN 1 ELSE 2 END "
                   "LIMIT 1",
                   1, params, error);

  if (result == NULL || PQntuples (result) == 0)
    return FALSE;
  *out_body = g_strdup (PQgetvalue (result, 0, 0));
  *out_etag = g_strdup (PQgetvalue (result, 0, 1));
  return TRUE;
}

char *
kiosk_server_survey_check_response (KioskSurvey         *survey,
                                    const KioskResponse *r)
{
  KioskFollowUp *follow_up;
  guint n_selected;

  if (r->scale != kiosk_survey_get_scale (survey))
    return g_strdup_printf ("data.scale: %d faces, but version %d of survey %s has %d", r->scale,
                            r->survey_version, r->survey_id, kiosk_survey_get_scale (survey));

  if (r->follow_up_id == NULL)
    {
      if (r->comment != NULL)
        return g_strdup ("data.comment: a comment without a follow-up question");
      if (r->contact_consent)
        return g_strdup ("data.contact: contact details without a follow-up question");
      return NULL;
    }

  follow_up = kiosk_survey_get_follow_up_for_face (survey, r->face);
  if (follow_up == NULL || strcmp (kiosk_follow_up_get_id (follow_up), r->follow_up_id) != 0)
    return g_strdup_printf ("data.follow_up.id: “%s” is not the follow-up of face %d in version "
                            "%d of survey %s", r->follow_up_id, r->face, r->survey_version,
                            r->survey_id);

  n_selected = r->follow_up_selected ? g_strv_length (r->follow_up_selected) : 0;
  for (guint i = 0; i < n_selected; i++)
    if (kiosk_follow_up_find_option (follow_up, r->follow_up_selected[i]) < 0)
      return g_strdup_printf ("data.follow_up.selected: “%s” is not an option of follow-up %s",
                              r->follow_up_selected[i], r->follow_up_id);

  if (r->comment != NULL)
    {
      glong chars = g_utf8_strlen (r->comment, -1);

      if (!kiosk_follow_up_has_comment (follow_up))
        return g_strdup_printf ("data.comment: follow-up %s asks for no comment",
                                r->follow_up_id);
      if (chars > (glong) kiosk_follow_up_get_comment_max_length (follow_up))
        return g_strdup_printf ("data.comment: %ld characters (follow-up %s allows %u)", chars,
                                r->follow_up_id,
                                kiosk_follow_up_get_comment_max_length (follow_up));
    }
  if (r->contact_consent && !kiosk_follow_up_has_contact (follow_up))
    return g_strdup_printf ("data.contact: follow-up %s asks for no contact details",
                            r->follow_up_id);
  return NULL;
}
