/* kiosk-server-http.c: the receiver. One handler per endpoint, as systemd-journal-remote does:
 * the route, the method, the media type, the token and the declared length are checked before
 * a byte of the body is kept; the body is capped while it arrives and again while it inflates;
 * the reply to a batch is sent only after its transaction committed. */
#define G_LOG_DOMAIN "kiosk-server-http"

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <microhttpd.h>
#include <string.h>

#include "kiosk-cloudevents.h"
#include "kiosk-heartbeat.h"
#include "kiosk-server-alerts.h"
#include "kiosk-server-auth.h"
#include "kiosk-server-db.h"
#include "kiosk-server-http.h"
#include "kiosk-server-ingest.h"
#include "kiosk-server-surveys.h"

/* gzip may make a batch of random text slightly larger than the text: leave room for that. */
#define MAX_EVENTS_WIRE_BYTES (KIOSK_CLOUDEVENTS_MAX_BYTES + 64 * 1024)
#define RETRY_AFTER_S         "5"

struct _KioskServerHttp
{
  struct MHD_Daemon *daemon;
  guint16            port;
  char              *certificate;
  char              *key;
};

typedef struct
{
  KioskRoute  route;
  char       *device_id;      /* from the path */
  GByteArray *body;
  gsize       limit;
  gboolean    too_large;
  gboolean    answered;       /* a reply was queued before the body arrived */
  KioskServerDevice device;   /* the authenticated device */
} Request;

static void
request_free (Request *r)
{
  g_free (r->device_id);
  if (r->body)
    g_byte_array_unref (r->body);
  kiosk_server_device_clear (&r->device);
  g_free (r);
}

/* Pure request parsing */

KioskRoute
kiosk_server_route (const char  *path,
                    char       **out_device_id)
{
  static const char prefix[] = "/v1/devices/";
  const char *rest, *slash;
  g_autofree char *escaped = NULL;
  g_autofree char *id = NULL;
  KioskRoute route;

  *out_device_id = NULL;
  if (path == NULL)
    return KIOSK_ROUTE_NONE;
  if (strcmp (path, "/v1/events") == 0)
    return KIOSK_ROUTE_EVENTS;
  if (strcmp (path, "/healthz") == 0)
    return KIOSK_ROUTE_HEALTH;
  if (!g_str_has_prefix (path, prefix))
    return KIOSK_ROUTE_NONE;

  rest = path + strlen (prefix);
  slash = strchr (rest, '/');
  if (slash == NULL || slash == rest)
    return KIOSK_ROUTE_NONE;
  if (strcmp (slash, "/survey") == 0)
    route = KIOSK_ROUTE_SURVEY;
  else if (strcmp (slash, "/heartbeat") == 0)
    route = KIOSK_ROUTE_HEARTBEAT;
  else
    return KIOSK_ROUTE_NONE;

  escaped = g_strndup (rest, slash - rest);
  id = g_uri_unescape_string (escaped, "/");
  if (id == NULL || !kiosk_device_id_is_valid (id))
    return KIOSK_ROUTE_NONE;
  *out_device_id = g_steal_pointer (&id);
  return route;
}

gboolean
kiosk_media_type_is (const char *value,
                     const char *expected)
{
  gsize n = strlen (expected);

  if (value == NULL)
    return FALSE;
  while (*value == ' ')
    value++;
  if (g_ascii_strncasecmp (value, expected, n) != 0)
    return FALSE;
  value += n;
  while (*value == ' ')
    value++;
  return *value == '\0' || *value == ';';
}

gboolean
kiosk_etag_matches (const char *if_none_match,
                    const char *etag)
{
  g_auto(GStrv) tags = NULL;

  if (if_none_match == NULL || etag == NULL)
    return FALSE;
  tags = g_strsplit (if_none_match, ",", -1);
  for (guint i = 0; tags[i]; i++)
    {
      const char *tag = g_strstrip (tags[i]);

      if (g_str_has_prefix (tag, "W/"))
        tag += 2;
      if (strcmp (tag, "*") == 0 || strcmp (tag, etag) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Replies */

static enum MHD_Result
reply (struct MHD_Connection *connection,
       unsigned int           status,
       const char            *content_type,
       const char            *body,
       const char            *etag,
       const char            *retry_after)
{
  struct MHD_Response *response;
  enum MHD_Result ret;

  response = MHD_create_response_from_buffer (body ? strlen (body) : 0, (void *) (body ? body : ""),
                                              MHD_RESPMEM_MUST_COPY);
  if (content_type)
    MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  if (etag)
    MHD_add_response_header (response, MHD_HTTP_HEADER_ETAG, etag);
  if (retry_after)
    MHD_add_response_header (response, MHD_HTTP_HEADER_RETRY_AFTER, retry_after);
  MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header (response, "X-Content-Type-Options", "nosniff");
  ret = MHD_queue_response (connection, status, response);
  MHD_destroy_response (response);
  return ret;
}

/* One line of plain text: what a person reads in the kiosk's dead letters ("HTTP 413: …"). */
static enum MHD_Result
reply_text (struct MHD_Connection *connection,
            unsigned int           status,
            const char            *format,
            ...) G_GNUC_PRINTF (3, 4);

static enum MHD_Result
reply_text (struct MHD_Connection *connection,
            unsigned int           status,
            const char            *format,
            ...)
{
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strconcat (message, "\n", NULL);

  return reply (connection, status, "text/plain; charset=utf-8", line, NULL,
                status == MHD_HTTP_SERVICE_UNAVAILABLE ? RETRY_AFTER_S : NULL);
}

static enum MHD_Result
reply_db_error (struct MHD_Connection *connection,
                const char            *what,
                GError                *error)
{
  if (g_error_matches (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONNECTION))
    {
      kiosk_db_thread_conn_broken ();
      g_warning ("%s: %s", what, error->message);
      return reply_text (connection, MHD_HTTP_SERVICE_UNAVAILABLE,
                         "the database is not available; nothing was stored, try again later");
    }
  g_warning ("%s: %s", what, error->message);
  return reply_text (connection, MHD_HTTP_INTERNAL_SERVER_ERROR,
                     "the server failed to store this request; nothing was stored");
}

/* Authentication */

typedef enum
{
  AUTH_OK,
  AUTH_NO_TOKEN,      /* 401 */
  AUTH_BAD_TOKEN,     /* 401 */
  AUTH_OTHER_DEVICE,  /* 403 */
  AUTH_NO_DEVICE,     /* 404 */
  AUTH_RETIRED,       /* 410 */
  AUTH_FAILED,        /* the database failed: @error */
} AuthResult;

/* The device, its site's time zone, whether it is retired and its token's stored hash. */
#define DEVICE_SQL \
  "SELECT d.id, d.site_id, s.time_zone, d.retired_at IS NOT NULL, d.token_hash " \
  "FROM devices d JOIN sites s ON s.id = d.site_id WHERE "

/* The device that @sql (DEVICE_SQL and a condition on $1) finds for @value, into @device:
 * AUTH_OK, AUTH_RETIRED, AUTH_NO_DEVICE or AUTH_FAILED. @out_hash_hex (may be NULL) gets the
 * stored hash of its token. */
static AuthResult
find_device (PGconn            *conn,
             const char        *sql,
             const char        *value,
             KioskServerDevice *device,
             char             **out_hash_hex,
             GError           **error)
{
  const char *params[] = { value };
  g_autoptr(PGresult) result = kiosk_db_exec (conn, sql, 1, params, error);

  if (result == NULL)
    return AUTH_FAILED;
  if (PQntuples (result) == 0)
    return AUTH_NO_DEVICE;
  device->device_id = g_strdup (PQgetvalue (result, 0, 0));
  device->site_id = g_ascii_strtoll (PQgetvalue (result, 0, 1), NULL, 10);
  device->time_zone = g_strdup (PQgetvalue (result, 0, 2));
  if (out_hash_hex != NULL)
    *out_hash_hex = g_strdup (PQgetvalue (result, 0, 4));
  return strcmp (PQgetvalue (result, 0, 3), "t") == 0 ? AUTH_RETIRED : AUTH_OK;
}

/* By token alone (POST /v1/events): the token names the device. */
static AuthResult
auth_by_token (PGconn            *conn,
               const char        *token,
               KioskServerDevice *device,
               GError           **error)
{
  g_autofree char *hash = NULL;
  AuthResult found;

  if (token == NULL)
    return AUTH_NO_TOKEN;
  hash = kiosk_token_hash_hex (token);
  /* An index lookup on the hash of a 256-bit secret: its timing tells nothing of the token. */
  found = find_device (conn, DEVICE_SQL "d.token_hash = $1::bytea", hash, device, NULL, error);
  return found == AUTH_NO_DEVICE ? AUTH_BAD_TOKEN : found;
}

/* By the device in the path, whose stored hash is compared with the token's in constant time. */
static AuthResult
auth_device (PGconn            *conn,
             const char        *device_id,
             const char        *token,
             KioskServerDevice *device,
             GError           **error)
{
  g_autofree char *stored_hex = NULL;
  guint8 stored[KIOSK_TOKEN_HASH_BYTES], presented[KIOSK_TOKEN_HASH_BYTES];
  AuthResult found = find_device (conn, DEVICE_SQL "d.id = $1", device_id, device, &stored_hex,
                                  error);

  if (found == AUTH_FAILED)
    return AUTH_FAILED;
  if (token == NULL)
    return AUTH_NO_TOKEN;
  if (found == AUTH_NO_DEVICE)
    return AUTH_NO_DEVICE;
  if (!kiosk_hex_to_hash (stored_hex, stored))
    return AUTH_BAD_TOKEN;
  kiosk_token_hash (token, presented);
  if (!kiosk_token_hash_equal (stored, presented))
    {
      KioskServerDevice other = { 0 };
      AuthResult by_token = auth_by_token (conn, token, &other, error);

      kiosk_server_device_clear (&other);
      if (by_token == AUTH_FAILED)
        return AUTH_FAILED;
      return by_token == AUTH_BAD_TOKEN ? AUTH_BAD_TOKEN : AUTH_OTHER_DEVICE;
    }
  return found;
}

static enum MHD_Result
reply_auth (struct MHD_Connection *connection,
            AuthResult             auth,
            const char            *device_id,
            GError                *error)
{
  switch (auth)
    {
    case AUTH_NO_TOKEN:
      return reply_text (connection, MHD_HTTP_UNAUTHORIZED,
                         "no bearer token: send “Authorization: Bearer <token>” with the token "
                         "that “device add” printed");
    case AUTH_BAD_TOKEN:
      return reply_text (connection, MHD_HTTP_UNAUTHORIZED,
                         "the bearer token is not valid: check the kiosk's token-file");
    case AUTH_OTHER_DEVICE:
      return reply_text (connection, MHD_HTTP_FORBIDDEN,
                         "the bearer token belongs to another device, not to %s: check the "
                         "kiosk's device-id and token-file", device_id);
    case AUTH_NO_DEVICE:
      return reply_text (connection, MHD_HTTP_NOT_FOUND,
                         "there is no device %s on this server: check the kiosk's device-id",
                         device_id);
    case AUTH_RETIRED:
      return reply_text (connection, MHD_HTTP_GONE,
                         "device %s is retired: it may send nothing more", device_id);
    case AUTH_FAILED:
      return reply_db_error (connection, "authenticating", error);
    case AUTH_OK:
    default:
      g_assert_not_reached ();
    }
}

/* Endpoints */

static enum MHD_Result
handle_events (struct MHD_Connection *connection,
               Request               *r,
               PGconn                *conn)
{
  const char *encoding = MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                      MHD_HTTP_HEADER_CONTENT_ENCODING);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) inflated = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *results = NULL;
  KioskIngestCounts counts;
  const char *body;
  gsize length;

  if (r->too_large)
    return reply_text (connection, MHD_HTTP_CONTENT_TOO_LARGE,
                       "a body of more than %d bytes (a batch is at most %d bytes before "
                       "compression)", MAX_EVENTS_WIRE_BYTES, KIOSK_CLOUDEVENTS_MAX_BYTES);

  body = (const char *) r->body->data;
  length = r->body->len;
  if (encoding != NULL && g_ascii_strcasecmp (encoding, "gzip") == 0)
    {
      inflated = kiosk_gunzip (body, length, KIOSK_CLOUDEVENTS_MAX_BYTES, &error);
      if (inflated == NULL)
        return reply_text (connection,
                           g_error_matches (error, KIOSK_CLOUDEVENTS_ERROR,
                                            KIOSK_CLOUDEVENTS_ERROR_TOO_LARGE)
                             ? MHD_HTTP_CONTENT_TOO_LARGE : MHD_HTTP_BAD_REQUEST,
                           "%s", error->message);
      body = g_bytes_get_data (inflated, &length);
    }

  events = kiosk_cloudevents_parse_batch (body, length, &error);
  if (events == NULL)
    {
      unsigned int status = MHD_HTTP_BAD_REQUEST;

      if (g_error_matches (error, KIOSK_CLOUDEVENTS_ERROR, KIOSK_CLOUDEVENTS_ERROR_TOO_LARGE))
        status = MHD_HTTP_CONTENT_TOO_LARGE;
      else
        {
          /* JSON that is an array, yet not a batch one can answer event by event: 422. */
          g_autoptr(JsonParser) parser = json_parser_new ();

          if (json_parser_load_from_data (parser, body, length, NULL) &&
              JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)) &&
              json_array_get_length (json_node_get_array (json_parser_get_root (parser))) > 0)
            status = MHD_HTTP_UNPROCESSABLE_CONTENT;
        }
      return reply_text (connection, status, "%s", error->message);
    }

  results = kiosk_server_ingest_batch (conn, &r->device, events, &counts, &error);
  if (results == NULL)
    return reply_db_error (connection, "storing a batch", error);
  /* Committed: the alert rules of the site look at it now, on their own thread. */
  if (counts.accepted > 0)
    kiosk_alerts_poke_site (r->device.site_id);

  if (counts.rejected > 0)
    g_message ("device %s: %u events, %u accepted, %u duplicates, %u rejected",
               r->device.device_id, events->len, counts.accepted, counts.duplicates,
               counts.rejected);
  else
    g_debug ("device %s: %u events, %u accepted, %u duplicates", r->device.device_id,
             events->len, counts.accepted, counts.duplicates);
  return reply (connection, MHD_HTTP_OK, "application/json", results, NULL, NULL);
}

static enum MHD_Result
handle_survey (struct MHD_Connection *connection,
               Request               *r,
               PGconn                *conn)
{
  const char *if_none_match = MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                           MHD_HTTP_HEADER_IF_NONE_MATCH);
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *etag = NULL;

  if (!kiosk_server_survey_for_device (conn, r->device_id, &body, &etag, &error))
    {
      if (error != NULL)
        return reply_db_error (connection, "reading a survey", error);
      return reply_text (connection, MHD_HTTP_NOT_FOUND,
                         "no survey is assigned to device %s, its site or the fleet",
                         r->device_id);
    }
  if (kiosk_etag_matches (if_none_match, etag))
    return reply (connection, MHD_HTTP_NOT_MODIFIED, NULL, NULL, etag, NULL);
  return reply (connection, MHD_HTTP_OK, "application/json", body, etag, NULL);
}

static enum MHD_Result
handle_heartbeat (struct MHD_Connection *connection,
                  Request               *r,
                  PGconn                *conn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskHeartbeat) h = NULL;
  g_autoptr(PGresult) stored = NULL;
  g_autoptr(GPtrArray) counts = g_ptr_array_new_with_free_func (g_free);

  if (r->too_large)
    return reply_text (connection, MHD_HTTP_CONTENT_TOO_LARGE,
                       "a heartbeat of more than %d bytes", KIOSK_HEARTBEAT_MAX_BYTES);
  h = kiosk_heartbeat_parse ((const char *) r->body->data, r->body->len, &error);
  if (h == NULL)
    return reply_text (connection, MHD_HTTP_BAD_REQUEST, "%s", error->message);

  /* The counts as parameters. A parsed count is never negative, except an optional member's:
   * -1, stored as NULL (not reported), when it is absent or, for the sizes, null. */
  {
    const gint64 values[] = { h->uptime_s, h->queue_depth, h->oldest_pending_age_s,
                              h->dead_letter_count, h->survey_version, h->last_seq,
                              h->storage_database_bytes, h->storage_free_bytes,
                              h->buttons_configured, h->buttons_connected };

    for (guint i = 0; i < G_N_ELEMENTS (values); i++)
      g_ptr_array_add (counts, values[i] >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, values[i])
                                              : NULL);
  }
  {
    char **n = (char **) counts->pdata;
    const char *params[] = { r->device_id, h->version, n[0], n[1], n[2], n[3],
                             h->last_upload_ok_at, h->last_error,
                             h->clock_synced ? "t" : "f", h->survey_id, n[4], n[5],
                             h->storage_state, n[6], n[7], n[8], n[9] };

    /* The history and the latest state in one statement, so they never disagree. */
    stored = kiosk_db_exec (conn,
                            "WITH h AS (INSERT INTO heartbeats (device_id, version, uptime_s,"
                            "  queue_depth, oldest_pending_age_s, dead_letter_count,"
                            "  last_upload_ok_at, last_error, clock_synced, survey_id,"
                            "  survey_version, last_seq, storage_state, storage_database_bytes,"
                            "  storage_free_bytes, buttons_configured, buttons_connected)"
                            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
                            "  $14, $15, $16, $17)"
                            " RETURNING *), "
                            "d AS (UPDATE devices SET last_seen_at = now() WHERE id = $1) "
                            "INSERT INTO device_health (device_id, received_at, version,"
                            " uptime_s, queue_depth, oldest_pending_age_s, dead_letter_count,"
                            " last_upload_ok_at, last_error, clock_synced, survey_id,"
                            " survey_version, last_seq, storage_state, storage_database_bytes,"
                            " storage_free_bytes, buttons_configured, buttons_connected) "
                            "SELECT device_id, received_at, version,"
                            " uptime_s, queue_depth, oldest_pending_age_s, dead_letter_count,"
                            " last_upload_ok_at, last_error, clock_synced, survey_id,"
                            " survey_version, last_seq, storage_state, storage_database_bytes,"
                            " storage_free_bytes, buttons_configured, buttons_connected FROM h "
                            "ON CONFLICT (device_id) DO UPDATE SET"
                            " received_at = EXCLUDED.received_at, version = EXCLUDED.version,"
                            " uptime_s = EXCLUDED.uptime_s, queue_depth = EXCLUDED.queue_depth,"
                            " oldest_pending_age_s = EXCLUDED.oldest_pending_age_s,"
                            " dead_letter_count = EXCLUDED.dead_letter_count,"
                            " last_upload_ok_at = EXCLUDED.last_upload_ok_at,"
                            " last_error = EXCLUDED.last_error,"
                            " clock_synced = EXCLUDED.clock_synced,"
                            " survey_id = EXCLUDED.survey_id,"
                            " survey_version = EXCLUDED.survey_version,"
                            " last_seq = EXCLUDED.last_seq,"
                            /* An older kiosk's heartbeat (after a downgrade) clears them: the
                             * latest state is what the latest heartbeat said. */
                            " storage_state = EXCLUDED.storage_state,"
                            " storage_database_bytes = EXCLUDED.storage_database_bytes,"
                            " storage_free_bytes = EXCLUDED.storage_free_bytes,"
                            " buttons_configured = EXCLUDED.buttons_configured,"
                            " buttons_connected = EXCLUDED.buttons_connected",
                            G_N_ELEMENTS (params), params, &error);
  }
  if (stored == NULL)
    return reply_db_error (connection, "storing a heartbeat", error);
  return reply (connection, MHD_HTTP_NO_CONTENT, NULL, NULL, NULL, NULL);
}

static enum MHD_Result
handle_health (struct MHD_Connection *connection)
{
  g_autoptr(GError) error = NULL;
  PGconn *conn = kiosk_db_thread_conn (&error);

  if (conn == NULL || !kiosk_db_run (conn, "SELECT 1", &error))
    return reply_db_error (connection, "health check", error);
  return reply_text (connection, MHD_HTTP_OK, "ok");
}

/* The first call for a request: everything that can be refused before its body. */
static enum MHD_Result
begin_request (struct MHD_Connection *connection,
               Request               *r,
               const char            *method)
{
  const char *content_type = MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                          MHD_HTTP_HEADER_CONTENT_TYPE);
  const char *encoding = MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                      MHD_HTTP_HEADER_CONTENT_ENCODING);
  const char *length_text = MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_CONTENT_LENGTH);
  const char *authorization = MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                           MHD_HTTP_HEADER_AUTHORIZATION);
  g_autofree char *token = kiosk_bearer_token (authorization);
  const char *expected_method = r->route == KIOSK_ROUTE_EVENTS ||
                                r->route == KIOSK_ROUTE_HEARTBEAT ? "POST" : "GET";
  g_autoptr(GError) error = NULL;
  PGconn *conn;
  AuthResult auth;

  r->answered = TRUE;
  if (r->route == KIOSK_ROUTE_NONE)
    return reply_text (connection, MHD_HTTP_NOT_FOUND,
                       "no such endpoint: the cloud API has POST /v1/events, "
                       "GET /v1/devices/{id}/survey and POST /v1/devices/{id}/heartbeat");
  if (strcmp (method, expected_method) != 0 &&
      !(strcmp (method, "HEAD") == 0 && strcmp (expected_method, "GET") == 0))
    {
      struct MHD_Response *response =
        MHD_create_response_from_buffer (0, (void *) "", MHD_RESPMEM_PERSISTENT);
      enum MHD_Result ret;

      MHD_add_response_header (response, MHD_HTTP_HEADER_ALLOW, expected_method);
      ret = MHD_queue_response (connection, MHD_HTTP_METHOD_NOT_ALLOWED, response);
      MHD_destroy_response (response);
      return ret;
    }
  if (r->route == KIOSK_ROUTE_HEALTH)
    return handle_health (connection);

  if (r->route == KIOSK_ROUTE_EVENTS)
    {
      if (!kiosk_media_type_is (content_type, KIOSK_CLOUDEVENTS_MEDIA_TYPE))
        return reply_text (connection, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                           "Content-Type must be " KIOSK_CLOUDEVENTS_MEDIA_TYPE ", not %s",
                           content_type ? content_type : "(none)");
      if (encoding != NULL && g_ascii_strcasecmp (encoding, "gzip") != 0 &&
          g_ascii_strcasecmp (encoding, "identity") != 0)
        return reply_text (connection, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                           "Content-Encoding must be gzip or none, not %s", encoding);
      r->limit = MAX_EVENTS_WIRE_BYTES;
    }
  else if (r->route == KIOSK_ROUTE_HEARTBEAT)
    {
      if (!kiosk_media_type_is (content_type, "application/json"))
        return reply_text (connection, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                           "Content-Type must be application/json, not %s",
                           content_type ? content_type : "(none)");
      if (encoding != NULL && g_ascii_strcasecmp (encoding, "identity") != 0)
        return reply_text (connection, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                           "a heartbeat is sent without Content-Encoding, not %s", encoding);
      r->limit = KIOSK_HEARTBEAT_MAX_BYTES;
    }

  if (r->limit > 0 && length_text != NULL &&
      g_ascii_strtoull (length_text, NULL, 10) > r->limit)
    return reply_text (connection, MHD_HTTP_CONTENT_TOO_LARGE,
                       "a body of %s bytes (at most %zu)", length_text, r->limit);

  conn = kiosk_db_thread_conn (&error);
  if (conn == NULL)
    return reply_db_error (connection, "connecting", error);

  if (r->route == KIOSK_ROUTE_EVENTS)
    auth = auth_by_token (conn, token, &r->device, &error);
  else
    auth = auth_device (conn, r->device_id, token, &r->device, &error);
  if (auth != AUTH_OK)
    return reply_auth (connection, auth,
                       r->device_id ? r->device_id
                                    : r->device.device_id ? r->device.device_id : "?",
                       error);

  if (r->route == KIOSK_ROUTE_SURVEY)
    return handle_survey (connection, r, conn);

  r->answered = FALSE;
  r->body = g_byte_array_new ();
  return MHD_YES;
}

static enum MHD_Result
access_cb (void                  *cls,
           struct MHD_Connection *connection,
           const char            *url,
           const char            *method,
           const char            *version,
           const char            *upload_data,
           size_t                *upload_data_size,
           void                 **con_cls)
{
  Request *r = *con_cls;
  g_autoptr(GError) error = NULL;
  PGconn *conn;

  if (r == NULL)
    {
      r = g_new0 (Request, 1);
      r->route = kiosk_server_route (url, &r->device_id);
      *con_cls = r;
      return begin_request (connection, r, method);
    }

  if (r->answered)
    {
      /* Refused before the body: let it pass unread. */
      *upload_data_size = 0;
      return MHD_YES;
    }

  if (*upload_data_size > 0)
    {
      if (r->body->len + *upload_data_size > r->limit)
        r->too_large = TRUE;
      else
        g_byte_array_append (r->body, (const guint8 *) upload_data, *upload_data_size);
      *upload_data_size = 0;
      return MHD_YES;
    }

  r->answered = TRUE;
  conn = kiosk_db_thread_conn (&error);
  if (conn == NULL)
    return reply_db_error (connection, "connecting", error);
  if (r->route == KIOSK_ROUTE_EVENTS)
    return handle_events (connection, r, conn);
  return handle_heartbeat (connection, r, conn);
}

static void
completed_cb (void                            *cls,
              struct MHD_Connection           *connection,
              void                           **con_cls,
              enum MHD_RequestTerminationCode  toe)
{
  g_clear_pointer ((Request **) con_cls, request_free);
}

static void
log_cb (void       *cls,
        const char *format,
        va_list     args)
{
  const char *what = cls;
  g_autofree char *message = g_strdup_vprintf (format, args);

  g_message ("libmicrohttpd%s%s: %s", *what ? " " : "", what, g_strchomp (message));
}

gboolean
kiosk_server_parse_listen (const char               *listen,
                           struct sockaddr_storage  *out,
                           gsize                    *out_length,
                           unsigned int             *out_mhd_flags,
                           GError                  **error)
{
  g_autofree char *host = NULL;
  const char *port_text;
  guint64 port;
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;

  if (listen[0] == '[')
    {
      const char *end = strchr (listen, ']');

      if (end == NULL || end[1] != ':')
        goto bad;
      host = g_strndup (listen + 1, end - listen - 1);
      port_text = end + 2;
    }
  else
    {
      const char *colon = strrchr (listen, ':');

      if (colon == NULL)
        goto bad;
      host = g_strndup (listen, colon - listen);
      port_text = colon + 1;
    }

  if (!g_ascii_string_to_unsigned (port_text, 10, 0, 65535, &port, NULL))
    goto bad;
  if (g_strcmp0 (host, "localhost") == 0)
    address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else if (*host == '\0' || g_strcmp0 (host, "*") == 0)
    address = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
  else
    address = g_inet_address_new_from_string (host);
  if (address == NULL)
    goto bad;

  socket_address = g_inet_socket_address_new (address, (guint16) port);
  *out_length = g_socket_address_get_native_size (socket_address);
  *out_mhd_flags = 0;
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    /* "[::]" means every address, as it does to nginx: IPv4 as well. */
    *out_mhd_flags = g_inet_address_get_is_any (address) ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
  return g_socket_address_to_native (socket_address, out, sizeof *out, error);

bad:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "“%s” is not an address to listen on (expected ADDRESS:PORT, e.g. "
               "127.0.0.1:8080 or [::]:443)", listen);
  return FALSE;
}

struct MHD_Daemon *
kiosk_server_listen (const KioskServerListenOptions  *options,
                     const char                      *what,
                     unsigned int                     extra_flags,
                     MHD_AccessHandlerCallback        handler,
                     void                            *handler_data,
                     MHD_RequestCompletedCallback     completed,
                     struct MHD_OptionItem           *extra_options,
                     guint16                         *out_port,
                     GError                         **error)
{
  struct sockaddr_storage address;
  gsize address_length;
  unsigned int address_flags;
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
  struct MHD_OptionItem none[] = { { MHD_OPTION_END, 0, NULL } };
  const union MHD_DaemonInfo *info;
  struct MHD_Daemon *daemon;

  if (!kiosk_server_parse_listen (options->listen, &address, &address_length, &address_flags,
                                  error))
    return NULL;
  flags |= address_flags | extra_flags;

  daemon = MHD_start_daemon (flags, 0, NULL, NULL, handler, handler_data,
                             MHD_OPTION_EXTERNAL_LOGGER, log_cb, (void *) what,
                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &address,
                             MHD_OPTION_THREAD_POOL_SIZE,
                             (unsigned int) MAX (options->threads, 1),
                             MHD_OPTION_CONNECTION_LIMIT,
                             (unsigned int) MAX (options->max_connections, 1),
                             MHD_OPTION_CONNECTION_TIMEOUT,
                             (unsigned int) options->connection_timeout_s,
                             MHD_OPTION_LISTENING_ADDRESS_REUSE,
                             (unsigned int) (options->reuse_port ? 1 : 0),
                             MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                             MHD_OPTION_ARRAY, extra_options ? extra_options : none,
                             MHD_OPTION_END);
  if (daemon == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot listen on %s%s%s (is the address in use, or the port privileged?)",
                   options->listen, *what ? " for the " : "", what);
      return NULL;
    }
  info = MHD_get_daemon_info (daemon, MHD_DAEMON_INFO_BIND_PORT);
  *out_port = info ? info->port : 0;
  return daemon;
}

KioskServerHttp *
kiosk_server_http_start (const KioskServerHttpOptions  *options,
                         GError                       **error)
{
  g_autofree KioskServerHttp *self = g_new0 (KioskServerHttp, 1);
  unsigned int flags = 0;
  struct MHD_OptionItem tls_options[3] = { { MHD_OPTION_END, 0, NULL } };

  if ((options->tls_certificate == NULL) != (options->tls_key == NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "tls-certificate and tls-key go together: set both or neither");
      return NULL;
    }
  if (options->tls_certificate != NULL)
    {
      if (MHD_is_feature_supported (MHD_FEATURE_TLS) != MHD_YES)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "this libmicrohttpd has no TLS: use a reverse proxy "
                               "(docs/server.md)");
          return NULL;
        }
      if (!g_file_get_contents (options->tls_certificate, &self->certificate, NULL, error))
        return NULL;
      if (!g_file_get_contents (options->tls_key, &self->key, NULL, error))
        return NULL;
      flags |= MHD_USE_TLS;
      tls_options[0] = (struct MHD_OptionItem) { MHD_OPTION_HTTPS_MEM_CERT, 0, self->certificate };
      tls_options[1] = (struct MHD_OptionItem) { MHD_OPTION_HTTPS_MEM_KEY, 0, self->key };
    }

  self->daemon = kiosk_server_listen (&options->listener, "", flags, access_cb, self,
                                      completed_cb, tls_options, &self->port, error);
  if (self->daemon == NULL)
    {
      g_free (self->certificate);
      g_free (self->key);
      return NULL;
    }
  return g_steal_pointer (&self);
}

guint16
kiosk_server_http_get_port (KioskServerHttp *self)
{
  return self->port;
}

void
kiosk_server_http_stop (KioskServerHttp *self)
{
  if (self == NULL)
    return;
  MHD_stop_daemon (self->daemon);
  g_free (self->certificate);
  g_free (self->key);
  g_free (self);
}
