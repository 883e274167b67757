/* fuzz-server-request.c: what smiley-kiosk-server reads of a request before it touches the
 * database, without a network. The kiosks' API: the route and its device id
 * (kiosk_server_route), the media type (kiosk_media_type_is), If-None-Match
 * (kiosk_etag_matches), the bearer token (kiosk_bearer_token) and a heartbeat
 * (kiosk_heartbeat_parse, read back through kiosk_heartbeat_to_json). The dashboard: the path
 * among its routes (kiosk_dash_route_match), the query string and a form
 * (kiosk_dash_parse_urlencoded), the filters of the query (kiosk_dash_filter_parse), a "next"
 * to return to (kiosk_dash_next_is_local), Accept-Language (kiosk_dash_negotiate_language) and
 * its cookie and CSRF tokens (kiosk_dash_token_is_wellformed, kiosk_dash_token_equal).
 *
 * The input is lines, as a request's parts: target (path, "?", query), method, Content-Type,
 * If-None-Match, ETag, Authorization, Accept-Language, a cookie; everything after the eighth
 * line break is the body, bytes as they are (a heartbeat, a form), empty when nothing follows
 * that line break. A line that is not there is a header that was not sent. The whole input is
 * also read as a heartbeat, so a bare JSON document is one too. */
#include "config.h"

#include "kiosk-cloudevents.h"
#include "kiosk-dash-auth.h"
#include "kiosk-dash-server.h"
#include "kiosk-heartbeat.h"
#include "kiosk-server-auth.h"
#include "kiosk-server-http.h"
#include "fuzz-common.h"

#define FUZZ_MAX_INPUT (KIOSK_HEARTBEAT_MAX_BYTES + 4096)

enum
{
  FIELD_TARGET,
  FIELD_METHOD,
  FIELD_CONTENT_TYPE,
  FIELD_IF_NONE_MATCH,
  FIELD_ETAG,
  FIELD_AUTHORIZATION,
  FIELD_ACCEPT_LANGUAGE,
  FIELD_COOKIE,
  N_FIELDS
};

#define MAX_TOKEN_CHARS 256        /* kiosk-server-auth.c */
#define MAX_TEXT_CHARS 1000        /* kiosk-heartbeat.c */
#define MAX_SURVEY_ID_CHARS 128    /* kiosk-dash-page.c */

/* Text that goes back to the client or into a log: UTF-8 on one line. */
static void
check_one_line (const char *text)
{
  fuzz_check_message (text);
  if (strpbrk (text, "\r\n") != NULL)
    g_error ("a line break in “%s”", text);
}

/* The kiosks' API */

static void
check_route (const char *path)
{
  char *device_id = (char *) 0x1;   /* must be reset, whatever the route */
  KioskRoute route = kiosk_server_route (path, &device_id);

  switch (route)
    {
    case KIOSK_ROUTE_SURVEY:
    case KIOSK_ROUTE_HEARTBEAT:
      {
        g_autofree char *escaped = NULL;
        g_autofree char *again = NULL;
        char *id_again = NULL;

        g_assert_nonnull (device_id);
        g_assert_true (kiosk_device_id_is_valid (device_id));
        g_assert_true (g_str_has_prefix (path, "/v1/devices/"));
        g_assert_true (g_str_has_suffix (path, route == KIOSK_ROUTE_SURVEY ? "/survey"
                                                                           : "/heartbeat"));
        /* The kiosk's own spelling of the same path reaches the same device. */
        escaped = g_uri_escape_string (device_id, NULL, FALSE);
        again = g_strdup_printf ("/v1/devices/%s/%s", escaped,
                                 route == KIOSK_ROUTE_SURVEY ? "survey" : "heartbeat");
        g_assert_cmpint (kiosk_server_route (again, &id_again), ==, route);
        g_assert_cmpstr (id_again, ==, device_id);
        g_free (id_again);
        break;
      }
    case KIOSK_ROUTE_EVENTS:
      g_assert_cmpstr (path, ==, "/v1/events");
      g_assert_null (device_id);
      break;
    case KIOSK_ROUTE_HEALTH:
      g_assert_cmpstr (path, ==, "/healthz");
      g_assert_null (device_id);
      break;
    case KIOSK_ROUTE_NONE:
      g_assert_null (device_id);
      break;
    default:
      g_assert_not_reached ();
    }
  g_free (device_id);
}

static void
check_media_type (const char *value)
{
  static const char * const types[] = {
    "application/json", KIOSK_CLOUDEVENTS_MEDIA_TYPE, "application/x-www-form-urlencoded",
  };
  guint matches = 0;

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      const char *p = value;

      g_assert_true (kiosk_media_type_is (types[i], types[i]));
      if (!kiosk_media_type_is (value, types[i]))
        continue;
      /* A match is the type, case aside, after spaces; then nothing or its parameters. */
      matches++;
      while (*p == ' ')
        p++;
      g_assert_cmpint (g_ascii_strncasecmp (p, types[i], strlen (types[i])), ==, 0);
    }
  /* One value is never two types. */
  g_assert_cmpuint (matches, <=, 1);
}

static void
check_etag (const char *if_none_match,
            const char *etag)
{
  gboolean matches = kiosk_etag_matches (if_none_match, etag);

  if (if_none_match == NULL || etag == NULL)
    {
      g_assert_false (matches);
      return;
    }
  /* A match is "*" or the tag itself somewhere in the list. */
  if (matches)
    g_assert_true (strchr (if_none_match, '*') != NULL || strstr (if_none_match, etag) != NULL);
  /* The header that is exactly one of the server's tags (no comma, no white space at its ends,
   * not weak) always matches it, alone or in a list, weak or not. */
  if (*etag != '\0' && strchr (etag, ',') == NULL && !g_ascii_isspace (etag[0]) &&
      !g_ascii_isspace (etag[strlen (etag) - 1]) && !g_str_has_prefix (etag, "W/"))
    {
      g_autofree char *list = g_strdup_printf ("\"other\", W/%s", etag);

      g_assert_true (kiosk_etag_matches (etag, etag));
      g_assert_true (kiosk_etag_matches (list, etag));
    }
}

static gboolean
is_token (const char *text)
{
  gsize length = strlen (text);

  if (length == 0 || length > MAX_TOKEN_CHARS)
    return FALSE;
  for (const char *p = text; *p; p++)
    if ((guchar) *p < 0x21 || (guchar) *p > 0x7e)
      return FALSE;
  return TRUE;
}

static void
check_token (const char *header)
{
  g_autofree char *token = kiosk_bearer_token (header);

  if (header != NULL && is_token (header))
    {
      /* A token the kiosk sends is the token the server reads. */
      g_autofree char *sent = g_strdup_printf ("Bearer %s", header);
      g_autofree char *read = kiosk_bearer_token (sent);

      g_assert_cmpstr (read, ==, header);
    }
  if (token == NULL)
    return;
  /* 1 to 256 visible ASCII characters, never a space, and what the header said. */
  g_assert_nonnull (header);
  g_assert_cmpint (g_ascii_strncasecmp (header, "Bearer ", 7), ==, 0);
  g_assert_true (is_token (token));
  g_assert_nonnull (strstr (header + 7, token));
}

static void
check_heartbeat_values (const KioskHeartbeat *h)
{
  const char *texts[] = { h->version, h->last_upload_ok_at, h->last_error, h->survey_id,
                          h->storage_state };

  /* What the server stores: counts ≥ 0, texts in UTF-8 and at most 1 000 characters. */
  g_assert_cmpint (h->uptime_s, >=, 0);
  g_assert_cmpint (h->queue_depth, >=, 0);
  g_assert_cmpint (h->oldest_pending_age_s, >=, 0);
  g_assert_cmpint (h->dead_letter_count, >=, 0);
  g_assert_cmpint (h->survey_version, >=, 0);
  g_assert_cmpint (h->last_seq, >=, 0);
  g_assert_nonnull (h->version);
  g_assert_true (h->clock_synced == TRUE || h->clock_synced == FALSE);
  /* The optional members: a size is unmeasured (-1) or ≥ 0; connected buttons ≤ configured. */
  g_assert_cmpint (h->storage_database_bytes, >=, -1);
  g_assert_cmpint (h->storage_free_bytes, >=, -1);
  if (h->buttons_configured >= 0)
    {
      g_assert_cmpint (h->buttons_connected, >=, 0);
      g_assert_cmpint (h->buttons_connected, <=, h->buttons_configured);
    }
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    if (texts[i] != NULL)
      {
        g_assert_true (g_utf8_validate (texts[i], -1, NULL));
        g_assert_cmpint (g_utf8_strlen (texts[i], -1), <=, MAX_TEXT_CHARS);
      }
}

static void
check_heartbeat (const char *data,
                 gsize       size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskHeartbeat) h = kiosk_heartbeat_parse (data, size, &error);
  g_autoptr(KioskHeartbeat) back = NULL;
  g_autofree char *once = NULL;
  g_autofree char *twice = NULL;

  if (h == NULL)
    {
      /* The server answers 400 with the message as its one line of text. */
      g_assert_nonnull (error);
      g_assert_true (error->domain == KIOSK_HEARTBEAT_ERROR);
      check_one_line (error->message);
      return;
    }
  g_assert_no_error (error);
  check_heartbeat_values (h);

  /* It travels back out as the kiosk writes it and reads back the same. */
  once = kiosk_heartbeat_to_json (h);
  back = kiosk_heartbeat_parse (once, strlen (once), &error);
  if (back == NULL)
    g_error ("a heartbeat re-encoded is refused: %s\n%s", error->message, once);
  g_assert_cmpstr (back->version, ==, h->version);
  g_assert_cmpint (back->uptime_s, ==, h->uptime_s);
  g_assert_cmpint (back->queue_depth, ==, h->queue_depth);
  g_assert_cmpint (back->oldest_pending_age_s, ==, h->oldest_pending_age_s);
  g_assert_cmpint (back->dead_letter_count, ==, h->dead_letter_count);
  g_assert_cmpstr (back->last_upload_ok_at, ==, h->last_upload_ok_at);
  g_assert_cmpstr (back->last_error, ==, h->last_error);
  g_assert_cmpint (back->clock_synced, ==, h->clock_synced);
  g_assert_cmpstr (back->survey_id, ==, h->survey_id);
  g_assert_cmpint (back->survey_version, ==, h->survey_version);
  g_assert_cmpint (back->last_seq, ==, h->last_seq);
  g_assert_cmpstr (back->storage_state, ==, h->storage_state);
  if (h->storage_state != NULL)
    {
      g_assert_cmpint (back->storage_database_bytes, ==, h->storage_database_bytes);
      g_assert_cmpint (back->storage_free_bytes, ==, h->storage_free_bytes);
    }
  g_assert_cmpint (back->buttons_configured, ==, h->buttons_configured);
  if (h->buttons_configured >= 0)
    g_assert_cmpint (back->buttons_connected, ==, h->buttons_connected);
  twice = kiosk_heartbeat_to_json (back);
  g_assert_cmpstr (twice, ==, once);
}

/* The dashboard */

static guint
count_stars (const char *pattern)
{
  guint n = 0;

  for (const char *p = pattern; (p = strchr (p, '*')) != NULL; p++)
    n++;
  return n;
}

static void
check_dash_route (const char *method,
                  const char *path)
{
  g_autoptr(GString) allow = g_string_new (NULL);
  g_autoptr(GPtrArray) args = (GPtrArray *) 0x1;   /* must be reset, whatever the route */
  const KioskDashRoute *route = kiosk_dash_route_match (kiosk_dash_routes, method, path, &args,
                                                        allow);
  g_autoptr(GString) again = NULL;
  g_autoptr(GPtrArray) args_again = NULL;
  guint arg = 0;

  if (route == NULL)
    {
      g_auto(GStrv) methods = NULL;

      g_assert_null (args);
      /* 405's Allow: the methods of the routes, each once. */
      if (allow->len == 0)
        return;
      methods = g_strsplit (allow->str, ", ", -1);
      for (guint i = 0; methods[i]; i++)
        {
          g_assert_true (g_str_equal (methods[i], "GET") || g_str_equal (methods[i], "POST"));
          g_assert_cmpstr (methods[i], !=, method);
          for (guint j = 0; j < i; j++)
            g_assert_cmpstr (methods[j], !=, methods[i]);
        }
      return;
    }

  g_assert_nonnull (path);
  g_assert_nonnull (args);
  g_assert_true (g_str_equal (route->method, method) ||
                 (g_str_equal (method, "HEAD") && g_str_equal (route->method, "GET")));
  g_assert_cmpuint (args->len, ==, count_stars (route->pattern));
  for (guint i = 0; i < args->len; i++)
    {
      const char *value = g_ptr_array_index (args, i);

      /* One whole segment, decoded: not empty, UTF-8, no "/". */
      g_assert_cmpuint (strlen (value), >, 0);
      g_assert_true (g_utf8_validate (value, -1, NULL));
      g_assert_null (strchr (value, '/'));
    }

  /* The path the pages write for those arguments reaches the same route with the same ones. */
  again = g_string_new (NULL);
  for (const char *p = route->pattern; *p; p++)
    if (*p == '*')
      g_string_append_uri_escaped (again, g_ptr_array_index (args, arg++), NULL, FALSE);
    else
      g_string_append_c (again, *p);
  g_assert_true (kiosk_dash_route_match (kiosk_dash_routes, method, again->str, &args_again,
                                         NULL) == route);
  g_assert_cmpuint (args_again->len, ==, args->len);
  for (guint i = 0; i < args->len; i++)
    g_assert_cmpstr (g_ptr_array_index (args_again, i), ==, g_ptr_array_index (args, i));
}

/* Every name and value of a parsed form or query: UTF-8, names not empty; written out again
 * (as a browser would) it reads back the same. */
static void
check_form (GHashTable *form)
{
  g_autoptr(GString) encoded = g_string_new (NULL);
  g_autoptr(GHashTable) again = NULL;
  GHashTableIter iter;
  gpointer name, value;

  g_assert_nonnull (form);
  g_hash_table_iter_init (&iter, form);
  while (g_hash_table_iter_next (&iter, &name, &value))
    {
      g_assert_cmpuint (strlen (name), >, 0);
      g_assert_true (g_utf8_validate (name, -1, NULL));
      g_assert_nonnull (value);
      g_assert_true (g_utf8_validate (value, -1, NULL));
      if (encoded->len > 0)
        g_string_append_c (encoded, '&');
      g_string_append_uri_escaped (encoded, name, NULL, FALSE);
      g_string_append_c (encoded, '=');
      g_string_append_uri_escaped (encoded, value, NULL, FALSE);
    }

  again = kiosk_dash_parse_urlencoded (encoded->str, encoded->len);
  g_assert_cmpuint (g_hash_table_size (again), ==, g_hash_table_size (form));
  g_hash_table_iter_init (&iter, form);
  while (g_hash_table_iter_next (&iter, &name, &value))
    g_assert_cmpstr (g_hash_table_lookup (again, name), ==, value);
}

static void
check_next (const char *next)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *resolved = NULL;
  g_autoptr(GUri) uri = NULL;

  if (!kiosk_dash_next_is_local (next))
    return;
  /* Only a path of this site: the sign-in page redirects there. */
  g_assert_true (next[0] == '/' && next[1] != '/' && next[1] != '\\');
  g_assert_true (g_utf8_validate (next, -1, NULL));
  for (const char *p = next; *p; p++)
    g_assert_true ((guchar) *p >= 0x20 && *p != 0x7f && *p != '\\');
  resolved = g_uri_resolve_relative ("https://dash.example/sites/1", next,
                                     G_URI_FLAGS_PARSE_RELAXED, NULL);
  if (resolved == NULL)
    return;
  uri = g_uri_parse (resolved, G_URI_FLAGS_PARSE_RELAXED, &error);
  if (uri != NULL)
    {
      g_assert_cmpstr (g_uri_get_scheme (uri), ==, "https");
      g_assert_cmpstr (g_uri_get_host (uri), ==, "dash.example");
    }
}

static void
check_filter (GHashTable *query)
{
  KioskDashRequest request = { .method = "GET", .path = "/", .query = query, .language = "en" };
  g_autoptr(GString) problem = g_string_new (NULL);
  KioskDashFilter filter;

  kiosk_dash_filter_parse (&request, &filter, problem);
  g_assert_true (g_date_valid (&filter.from));
  g_assert_true (g_date_valid (&filter.to));
  g_assert_cmpint (g_date_compare (&filter.from, &filter.to), <=, 0);
  if (filter.survey_id != NULL)
    {
      g_assert_cmpuint (strlen (filter.survey_id), >, 0);
      g_assert_cmpint (g_utf8_strlen (filter.survey_id, -1), <=, MAX_SURVEY_ID_CHARS);
    }
  g_assert_true (filter.include_misuse == (g_strcmp0 (g_hash_table_lookup (query, "misuse"),
                                                      "1") == 0));
  check_one_line (problem->len ? problem->str : "-");
  kiosk_dash_filter_clear (&filter);
}

static void
check_language (const char *accept_language)
{
  const char *language = kiosk_dash_negotiate_language (accept_language);
  const char *known = kiosk_dash_language_lookup (accept_language);

  /* One the dashboard speaks, always. */
  g_assert_nonnull (language);
  g_assert_cmpstr (kiosk_dash_language_lookup (language), ==, language);
  if (known != NULL && strcspn (known, "-_") == strlen (known))
    {
      g_assert_cmpint (g_ascii_strcasecmp (known, accept_language), ==, 0);
      /* A language it speaks, asked for alone, is the one it answers in. */
      g_assert_cmpstr (kiosk_dash_negotiate_language (accept_language), ==, known);
    }
}

static void
check_cookie (const char *cookie,
              const char *csrf)
{
  gboolean wellformed = kiosk_dash_token_is_wellformed (cookie);

  if (wellformed)
    for (const char *p = cookie; *p; p++)
      g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
  g_assert_true (kiosk_dash_token_equal (cookie, cookie) == (cookie != NULL && *cookie != '\0'));
  g_assert_true (kiosk_dash_token_equal (cookie, csrf) == kiosk_dash_token_equal (csrf, cookie));
  if (kiosk_dash_token_equal (cookie, csrf))
    g_assert_cmpstr (cookie, ==, csrf);
  else if (cookie != NULL && csrf != NULL && *cookie != '\0')
    g_assert_cmpstr (cookie, !=, csrf);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *copy = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(GHashTable) form = NULL;
  char *fields[N_FIELDS] = { NULL };
  const char *p = (const char *) data;
  const char *end = p + size;
  const char *question;
  gsize body_size = 0;
  gboolean has_body = FALSE;
  guint n = 0;

  fuzz_setup ();
  if (size > FUZZ_MAX_INPUT)
    return 0;

  copy = fuzz_exact_copy (data, size);
  check_heartbeat (copy, size);

  /* libmicrohttpd hands over the path and header values as C strings: a NUL ends them. */
  while (n < N_FIELDS && p < end)
    {
      const char *newline = memchr (p, '\n', end - p);

      if (newline == NULL)
        {
          fields[n++] = g_strndup (p, end - p);
          p = end;
          break;
        }
      fields[n++] = g_strndup (p, newline - p);
      p = newline + 1;
    }
  /* A body after the eighth line break, maybe empty: then, as the server's GByteArray, NULL. */
  if (n == N_FIELDS && p > (const char *) data && p[-1] == '\n')
    {
      has_body = TRUE;
      body_size = end - p;
      body = body_size ? fuzz_exact_copy (p, body_size) : NULL;
    }

  /* The target: "/path?query". */
  if (fields[FIELD_TARGET] != NULL)
    {
      question = strchr (fields[FIELD_TARGET], '?');
      path = question ? g_strndup (fields[FIELD_TARGET], question - fields[FIELD_TARGET])
                      : g_strdup (fields[FIELD_TARGET]);
      query = kiosk_dash_parse_urlencoded (question ? question + 1 : "",
                                           question ? strlen (question + 1) : 0);
    }
  else
    query = kiosk_dash_parse_urlencoded (NULL, 0);

  check_route (path);
  check_dash_route (fields[FIELD_METHOD] ? fields[FIELD_METHOD] : "GET", path);
  check_form (query);
  check_filter (query);
  check_next (g_hash_table_lookup (query, "next"));
  check_next (path);
  check_media_type (fields[FIELD_CONTENT_TYPE]);
  check_etag (fields[FIELD_IF_NONE_MATCH], fields[FIELD_ETAG]);
  check_token (fields[FIELD_AUTHORIZATION]);
  check_language (fields[FIELD_ACCEPT_LANGUAGE]);
  check_cookie (fields[FIELD_COOKIE], g_hash_table_lookup (query, "csrf"));

  /* The body: a heartbeat, and a form as a POST carries it. */
  if (has_body)
    {
      check_heartbeat (body, body_size);
      form = kiosk_dash_parse_urlencoded (body, body_size);
      check_form (form);
      check_cookie (fields[FIELD_COOKIE], g_hash_table_lookup (form, "csrf"));
    }

  for (guint i = 0; i < N_FIELDS; i++)
    g_free (fields[i]);
  return 0;
}
