/* kiosk-test-server.c: a hand-written HTTP/1.1 server that plays the cloud of docs/cloud-api.md.
 *
 * Hand-written on GThreadedSocketService rather than libsoup, because the tests need exactly
 * the failures a real network produces: a reset in the middle of a request, a reply that never
 * comes, one that trickles, a batch stored and its reply lost. It runs on its own thread (one
 * more per connection), so it answers while the test's thread waits or blocks. */
#define G_LOG_DOMAIN "kiosk-test-server"

#include "config.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/socket.h>

#include "kiosk-cloudevents.h"
#include "kiosk-test-server.h"

#define MAX_HEAD_BYTES     (16 * 1024)
#define MAX_BODY_BYTES     (16 * 1024 * 1024)
#define POLL_US            (20 * 1000)

typedef struct
{
  char           *path_prefix;
  KioskFaultKind  kind;
  int             status;
  char           *headers;
  char           *body;
} Fault;

struct _KioskTestServer
{
  KioskTestServerFlags  flags;
  GTlsCertificate      *certificate;
  char                 *url;
  guint16               port;

  /* the server's thread */
  GThread              *thread;
  GMainContext         *context;
  GSocketService       *service;
  GCancellable         *cancellable;
  gint                  stopping;

  GMutex                lock;
  GCond                 cond;
  gboolean              ready;
  guint                 active;           /* connections being served */
  gboolean              op_done;

  /* behaviour, under lock */
  char                 *token;
  GQueue                faults;
  Fault                *standing;         /* answers every matching request until cleared */
  char                 *poison;
  char                 *reject_id;
  char                 *reject_reason;
  guint                 max_batch;
  char                 *survey;
  char                 *survey_etag;

  /* records, under lock */
  GHashTable           *accepted;         /* "source\nid" -> Accepted* */
  guint                 duplicates;
  guint                 rejected;
  GPtrArray            *violations;       /* char*: where the kiosk broke the contract */
  GPtrArray            *requests;         /* KioskTestRequest* */
  GPtrArray            *heartbeats;       /* char* */
};

typedef struct
{
  gint64  seq;
  char   *event;                          /* NULL with KEEP_NO_EVENTS */
} Accepted;

typedef struct
{
  char       *method;
  char       *path;
  GHashTable *headers;                    /* lower-case name -> value */
  GBytes     *body;                       /* as received */
} Request;

static void
fault_free (Fault *fault)
{
  if (fault == NULL)
    return;
  g_free (fault->path_prefix);
  g_free (fault->headers);
  g_free (fault->body);
  g_free (fault);
}

static void
accepted_free (Accepted *a)
{
  g_free (a->event);
  g_free (a);
}

void
kiosk_test_request_free (KioskTestRequest *r)
{
  if (r == NULL)
    return;
  g_free (r->method);
  g_free (r->path);
  g_free (r->user_agent);
  g_free (r->content_type);
  g_free (r->if_none_match);
  g_free (r);
}

static void
request_clear (Request *request)
{
  g_clear_pointer (&request->method, g_free);
  g_clear_pointer (&request->path, g_free);
  g_clear_pointer (&request->headers, g_hash_table_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Request, request_clear)

static void
violation (KioskTestServer *server,
           const char      *format,
           ...) G_GNUC_PRINTF (2, 3);

static void
violation (KioskTestServer *server,
           const char      *format,
           ...)
{
  va_list args;
  char *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_message ("contract violation: %s", message);
  g_mutex_lock (&server->lock);
  g_ptr_array_add (server->violations, message);
  g_mutex_unlock (&server->lock);
}

/* Reading and writing */

typedef struct
{
  GIOStream    *stream;
  GSocket      *socket;
  GByteArray   *buffer;                   /* read but not consumed */
  gboolean      gzip_reply;               /* the current request accepts gzip */
} Connection;

static gboolean
fill (KioskTestServer *server,
      Connection      *c)
{
  guint8 chunk[16384];
  gssize n = g_input_stream_read (g_io_stream_get_input_stream (c->stream), chunk, sizeof chunk,
                                  server->cancellable, NULL);

  if (n <= 0)
    return FALSE;
  g_byte_array_append (c->buffer, chunk, n);
  return TRUE;
}

static const guint8 *
find (const GByteArray *buffer,
      const char       *needle)
{
  gsize length = strlen (needle);

  if (buffer->len < length)
    return NULL;
  for (gsize i = 0; i + length <= buffer->len; i++)
    if (memcmp (buffer->data + i, needle, length) == 0)
      return buffer->data + i;
  return NULL;
}

/* Reads one request's head; %FALSE at the end of the connection. */
static gboolean
read_head (KioskTestServer *server,
           Connection      *c,
           Request         *request)
{
  const guint8 *end;
  g_autofree char *head = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) parts = NULL;

  while ((end = find (c->buffer, "\r\n\r\n")) == NULL)
    {
      if (c->buffer->len > MAX_HEAD_BYTES || !fill (server, c))
        return FALSE;
    }

  head = g_strndup ((const char *) c->buffer->data, end - c->buffer->data);
  g_byte_array_remove_range (c->buffer, 0, end - c->buffer->data + 4);

  lines = g_strsplit (head, "\r\n", -1);
  parts = g_strsplit (lines[0], " ", 3);
  if (g_strv_length (parts) != 3)
    return FALSE;

  request->method = g_strdup (parts[0]);
  request->path = g_strdup (parts[1]);
  request->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 1; lines[i]; i++)
    {
      const char *colon = strchr (lines[i], ':');

      if (colon == NULL)
        continue;
      g_hash_table_insert (request->headers,
                           g_ascii_strdown (lines[i], colon - lines[i]),
                           g_strstrip (g_strdup (colon + 1)));
    }

  return TRUE;
}

static gboolean
read_body (KioskTestServer *server,
           Connection      *c,
           Request         *request)
{
  const char *length_text = g_hash_table_lookup (request->headers, "content-length");
  guint64 length = 0;

  if (length_text != NULL &&
      !g_ascii_string_to_unsigned (length_text, 10, 0, MAX_BODY_BYTES, &length, NULL))
    return FALSE;

  while (c->buffer->len < length)
    if (!fill (server, c))
      return FALSE;

  request->body = g_bytes_new (c->buffer->data, length);
  g_byte_array_remove_range (c->buffer, 0, length);
  return TRUE;
}

static gboolean
write_all (KioskTestServer *server,
           Connection      *c,
           const void      *data,
           gsize            length)
{
  return g_output_stream_write_all (g_io_stream_get_output_stream (c->stream), data, length, NULL,
                                    server->cancellable, NULL);
}

static const char *
reason_phrase (int status)
{
  switch (status)
    {
    case 200: return "OK";
    case 204: return "No Content";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Whatever";
    }
}

/* @gzip: the client accepts it; used for bodies over 1 KiB, as a real server would. */
static GString *
format_response (int         status,
                 const char *content_type,
                 const char *headers,
                 const char *body,
                 gboolean    gzip)
{
  GString *out = g_string_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S GMT");
  g_autoptr(GBytes) compressed = NULL;
  const char *data = body;
  gsize length = body ? strlen (body) : 0;

  if (gzip && length > 1024)
    {
      compressed = kiosk_gzip (body, length, 6, NULL);
      data = g_bytes_get_data (compressed, &length);
    }

  g_string_append_printf (out, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status, reason_phrase (status),
                          date);
  if (status != 204 && status != 304)
    g_string_append_printf (out, "Content-Length: %zu\r\n", length);
  if (content_type != NULL && length > 0)
    g_string_append_printf (out, "Content-Type: %s\r\n", content_type);
  if (compressed != NULL)
    g_string_append (out, "Content-Encoding: gzip\r\n");
  if (headers != NULL)
    g_string_append (out, headers);
  g_string_append (out, "\r\n");
  if (data != NULL && status != 204 && status != 304)
    g_string_append_len (out, data, length);

  return out;
}

/* Waits until the client goes away or the server stops. */
static void
hang (KioskTestServer *server,
      Connection      *c)
{
  while (!g_atomic_int_get (&server->stopping))
    {
      guint8 byte;
      gssize n;

      if (!g_socket_condition_timed_wait (c->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, POLL_US,
                                          NULL, NULL))
        continue;

      n = g_socket_receive (c->socket, (char *) &byte, 1, NULL, NULL);
      if (n <= 0)
        return;
    }
}

static void
reset (Connection *c)
{
  struct linger linger = { 1, 0 };

  /* Linger 0: close() sends RST instead of FIN, as a crashed middlebox would. */
  setsockopt (g_socket_get_fd (c->socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
  g_socket_close (c->socket, NULL);
}

static void
trickle (KioskTestServer *server,
         Connection      *c,
         GString         *response,
         guint            ms)
{
  for (gsize i = 0; i < response->len && !g_atomic_int_get (&server->stopping); i++)
    {
      if (!write_all (server, c, response->str + i, 1))
        return;
      g_output_stream_flush (g_io_stream_get_output_stream (c->stream), NULL, NULL);
      g_usleep (ms * 1000);
    }
}

/* The contract, checked: by the decoder the real server uses (kiosk-cloudevents-decode.c). */

static char *
error_body (const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static void
record_request (KioskTestServer   *server,
                KioskTestRequest **record,
                int                status)
{
  (*record)->status = status;
  g_mutex_lock (&server->lock);
  g_ptr_array_add (server->requests, g_steal_pointer (record));
  g_mutex_unlock (&server->lock);
}

static void
handle_events (KioskTestServer  *server,
               Request          *request,
               KioskTestRequest *record,
               int              *status,
               char            **body)
{
  const char *encoding = g_hash_table_lookup (request->headers, "content-encoding");
  g_autoptr(GBytes) json = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree const char **ids = NULL;
  g_autofree KioskEventResult *results = NULL;
  const char *text;
  gsize length;

  if (g_strcmp0 (record->content_type, KIOSK_CLOUDEVENTS_MEDIA_TYPE) != 0)
    {
      *status = 415;
      *body = error_body ("expected " KIOSK_CLOUDEVENTS_MEDIA_TYPE);
      return;
    }

  record->gzip = g_strcmp0 (encoding, "gzip") == 0;
  if (record->gzip)
    {
      const void *data = g_bytes_get_data (request->body, &length);

      json = kiosk_gunzip (data, length, KIOSK_CLOUDEVENTS_MAX_BYTES, &error);
      if (json == NULL)
        {
          *status = g_error_matches (error, KIOSK_CLOUDEVENTS_ERROR,
                                     KIOSK_CLOUDEVENTS_ERROR_TOO_LARGE) ? 413 : 400;
          *body = error_body (error->message);
          return;
        }
      if (g_bytes_get_size (json) <= 1024)
        violation (server, "a body of %zu bytes was gzipped (only over 1 KiB)",
                   g_bytes_get_size (json));
    }
  else
    {
      json = g_bytes_ref (request->body);
      if (g_bytes_get_size (json) > 1024)
        violation (server, "a body of %zu bytes was not gzipped", g_bytes_get_size (json));
    }

  text = g_bytes_get_data (json, &length);
  events = kiosk_cloudevents_parse_batch (text, length, &error);
  if (events == NULL)
    {
      violation (server, "%s", error->message);
      *status = g_error_matches (error, KIOSK_CLOUDEVENTS_ERROR,
                                 KIOSK_CLOUDEVENTS_ERROR_TOO_LARGE) ? 413 : 400;
      *body = error_body (error->message);
      return;
    }

  record->events = events->len;
  ids = g_new0 (const char *, events->len);
  results = g_new0 (KioskEventResult, events->len);
  for (guint i = 0; i < events->len; i++)
    ids[i] = ((KioskDecodedEvent *) g_ptr_array_index (events, i))->id;

  g_mutex_lock (&server->lock);
  if (server->max_batch > 0 && record->events > server->max_batch)
    {
      g_mutex_unlock (&server->lock);
      *status = 413;
      *body = g_strdup_printf ("{\"error\":\"at most %u events\"}", server->max_batch);
      return;
    }
  if (server->poison != NULL)
    for (guint i = 0; i < record->events; i++)
      if (g_strcmp0 (ids[i], server->poison) == 0)
        {
          g_mutex_unlock (&server->lock);
          *status = 422;
          *body = g_strdup ("{\"error\":\"this batch holds an event we cannot process\"}");
          return;
        }

  for (guint i = 0; i < record->events; i++)
    {
      KioskDecodedEvent *e = g_ptr_array_index (events, i);
      g_autofree char *key = NULL;

      if (e->reason != NULL)
        {
          g_ptr_array_add (server->violations, g_strdup_printf ("event %s: %s", e->id, e->reason));
          results[i].status = KIOSK_EVENT_REJECTED;
          results[i].reason = e->reason;
          server->rejected++;
          continue;
        }

      key = g_strconcat (e->source, "\n", e->id, NULL);
      if (g_strcmp0 (e->id, server->reject_id) == 0)
        {
          results[i].status = KIOSK_EVENT_REJECTED;
          results[i].reason = server->reject_reason;
          server->rejected++;
        }
      else if (g_hash_table_contains (server->accepted, key))
        {
          Accepted *a = g_hash_table_lookup (server->accepted, key);

          if (a->seq != e->response->seq)
            g_ptr_array_add (server->violations,
                             g_strdup_printf ("event %s sent again with seq %" G_GINT64_FORMAT
                                              " instead of %" G_GINT64_FORMAT, e->id,
                                              e->response->seq, a->seq));
          results[i].status = KIOSK_EVENT_DUPLICATE;
          server->duplicates++;
        }
      else
        {
          Accepted *a = g_new0 (Accepted, 1);

          a->seq = e->response->seq;
          /* What was stored, as the decoder read it: the same members the kiosk sent. */
          if (!(server->flags & KIOSK_TEST_SERVER_KEEP_NO_EVENTS))
            a->event = kiosk_cloudevent_to_json (e->response, e->source);
          g_hash_table_insert (server->accepted, g_steal_pointer (&key), a);
          results[i].status = KIOSK_EVENT_ACCEPTED;
        }
    }

  *status = 200;
  *body = kiosk_cloudevents_results_to_json (ids, results, record->events);
  g_mutex_unlock (&server->lock);
}

static void
handle_survey (KioskTestServer  *server,
               KioskTestRequest *record,
               int              *status,
               char            **headers,
               char            **body)
{
  g_mutex_lock (&server->lock);
  if (server->survey == NULL)
    *status = 404;
  else if (server->survey_etag != NULL &&
           g_strcmp0 (record->if_none_match, server->survey_etag) == 0)
    {
      *status = 304;
      *headers = g_strdup_printf ("ETag: %s\r\n", server->survey_etag);
    }
  else
    {
      *status = 200;
      *body = g_strdup (server->survey);
      if (server->survey_etag != NULL)
        *headers = g_strdup_printf ("ETag: %s\r\n", server->survey_etag);
    }
  g_mutex_unlock (&server->lock);
}

static Fault *
take_fault (KioskTestServer *server,
            const char      *path)
{
  Fault *found = NULL;

  g_mutex_lock (&server->lock);
  for (GList *l = server->faults.head; l != NULL; l = l->next)
    {
      Fault *fault = l->data;

      if (g_str_has_prefix (path, fault->path_prefix))
        {
          found = fault;
          g_queue_delete_link (&server->faults, l);
          break;
        }
    }

  if (found == NULL && server->standing != NULL &&
      g_str_has_prefix (path, server->standing->path_prefix))
    {
      found = g_new0 (Fault, 1);
      found->path_prefix = g_strdup (server->standing->path_prefix);
      found->kind = KIOSK_FAULT_STATUS;
      found->status = server->standing->status;
      found->headers = g_strdup (server->standing->headers);
      found->body = g_strdup (server->standing->body);
    }
  g_mutex_unlock (&server->lock);

  return found;
}

/* One request; %FALSE when the connection is to be closed. */
static gboolean
serve_one (KioskTestServer *server,
           Connection      *c)
{
  g_auto(Request) request = { 0 };
  g_autoptr(KioskTestRequest) record = g_new0 (KioskTestRequest, 1);
  g_autofree char *headers = NULL;
  g_autofree char *body = NULL;
  g_autofree char *expected_auth = NULL;
  const char *content_type = "application/json";
  Fault *fault;
  const char *auth;
  const char *accept;
  guint trickle_ms = 0;
  int status = 0;

  if (!read_head (server, c, &request))
    return FALSE;

  fault = take_fault (server, request.path);

  if (fault != NULL && fault->kind == KIOSK_FAULT_RESET)
    {
      /* Mid-request: part of the body may still be on its way. */
      record->method = g_strdup (request.method);
      record->path = g_strdup (request.path);
      record->received_us = g_get_monotonic_time ();
      g_mutex_lock (&server->lock);
      g_ptr_array_add (server->requests, g_steal_pointer (&record));
      g_mutex_unlock (&server->lock);
      reset (c);
      fault_free (fault);
      return FALSE;
    }

  if (!read_body (server, c, &request))
    {
      fault_free (fault);
      return FALSE;
    }

  record->method = g_strdup (request.method);
  record->path = g_strdup (request.path);
  record->received_us = g_get_monotonic_time ();
  record->wire_body_bytes = g_bytes_get_size (request.body);
  record->user_agent = g_strdup (g_hash_table_lookup (request.headers, "user-agent"));
  record->content_type = g_strdup (g_hash_table_lookup (request.headers, "content-type"));
  record->if_none_match = g_strdup (g_hash_table_lookup (request.headers, "if-none-match"));

  accept = g_hash_table_lookup (request.headers, "accept-encoding");
  c->gzip_reply = accept != NULL && strstr (accept, "gzip") != NULL;

  auth = g_hash_table_lookup (request.headers, "authorization");
  g_mutex_lock (&server->lock);
  expected_auth = server->token ? g_strconcat ("Bearer ", server->token, NULL) : NULL;
  g_mutex_unlock (&server->lock);
  record->authorized = expected_auth == NULL || g_strcmp0 (auth, expected_auth) == 0;

  if (!g_str_has_prefix (record->user_agent ? record->user_agent : "", "smiley-kiosk/"))
    violation (server, "User-Agent %s", record->user_agent ? record->user_agent : "(none)");

  if (fault != NULL && fault->kind == KIOSK_FAULT_HANG)
    {
      /* Recorded now: a test waits for the request to arrive before it acts. */
      record_request (server, &record, 0);
      hang (server, c);
      fault_free (fault);
      return FALSE;
    }

  /* Decide the answer, record the request, then answer: a client that has its answer finds the
   * request on the books. */
  if (fault != NULL && fault->kind == KIOSK_FAULT_STATUS)
    {
      status = fault->status;
      content_type = "text/html; charset=utf-8";
      body = g_strdup (fault->body);
      headers = g_strdup (fault->headers);
    }
  else if (!record->authorized)
    {
      status = 401;
      body = g_strdup ("{\"error\":\"bad token\"}");
    }
  else if (g_str_equal (request.path, "/v1/events") && g_str_equal (request.method, "POST"))
    {
      handle_events (server, &request, record, &status, &body);
      if (fault != NULL && fault->kind == KIOSK_FAULT_STORE_AND_DROP)
        {
          /* Stored, and the reply is lost on the way back. */
          record_request (server, &record, 0);
          fault_free (fault);
          return FALSE;
        }
      if (fault != NULL && fault->kind == KIOSK_FAULT_TRICKLE)
        trickle_ms = fault->status > 0 ? fault->status : 20;
    }
  else if (g_str_has_prefix (request.path, "/v1/devices/") &&
           g_str_has_suffix (request.path, "/survey") && g_str_equal (request.method, "GET"))
    handle_survey (server, record, &status, &headers, &body);
  else if (g_str_has_prefix (request.path, "/v1/devices/") &&
           g_str_has_suffix (request.path, "/heartbeat") && g_str_equal (request.method, "POST"))
    {
      gsize length;
      const char *data = g_bytes_get_data (request.body, &length);

      if (g_strcmp0 (record->content_type, "application/json") != 0)
        violation (server, "heartbeat with Content-Type %s", record->content_type);
      g_mutex_lock (&server->lock);
      g_ptr_array_add (server->heartbeats, g_strndup (data, length));
      g_mutex_unlock (&server->lock);
      status = 204;
    }
  else
    {
      status = 404;
      body = g_strdup ("{\"error\":\"no such endpoint\"}");
    }

  record_request (server, &record, status);

  {
    g_autoptr(GString) response = format_response (status, content_type, headers, body,
                                                   c->gzip_reply);

    /* For a trickle, the fault's "status" is the pause between two bytes, in ms. */
    if (trickle_ms > 0)
      trickle (server, c, response, trickle_ms);
    else
      write_all (server, c, response->str, response->len);
  }

  fault_free (fault);
  return TRUE;
}

static gboolean
run_cb (GThreadedSocketService *service,
        GSocketConnection      *connection,
        GObject                *source_object,
        gpointer                user_data)
{
  KioskTestServer *server = user_data;
  g_autoptr(GIOStream) stream = NULL;
  Connection c = { 0 };

  g_mutex_lock (&server->lock);
  server->active++;
  g_mutex_unlock (&server->lock);

  if (server->certificate != NULL)
    {
      g_autoptr(GError) error = NULL;

      stream = G_IO_STREAM (g_tls_server_connection_new (G_IO_STREAM (connection),
                                                         server->certificate, &error));
      if (stream == NULL ||
          !g_tls_connection_handshake (G_TLS_CONNECTION (stream), server->cancellable, &error))
        {
          g_debug ("TLS handshake failed: %s", error ? error->message : "?");
          goto done;
        }
    }
  else
    stream = g_object_ref (G_IO_STREAM (connection));

  c.stream = stream;
  c.socket = g_socket_connection_get_socket (connection);
  c.buffer = g_byte_array_new ();

  while (!g_atomic_int_get (&server->stopping) && serve_one (server, &c))
    ;

  g_byte_array_unref (c.buffer);
  g_io_stream_close (stream, NULL, NULL);

done:
  g_mutex_lock (&server->lock);
  server->active--;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);

  return TRUE;
}

static gboolean run_cb (GThreadedSocketService *service,
                        GSocketConnection      *connection,
                        GObject                *source_object,
                        gpointer                user_data);

/* Runs on the server's thread. */
static void
listen_now (KioskTestServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, server->port);
  g_autoptr(GSocketAddress) effective = NULL;

  /* A closed listener cannot listen again: each "up" gets a new service. */
  if (server->service == NULL)
    {
      server->service = g_threaded_socket_service_new (64);
      g_signal_connect (server->service, "run", G_CALLBACK (run_cb), server);
    }

  /* The port may linger in TIME_WAIT from the last time; SO_REUSEADDR (GLib sets it) helps. */
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                      &effective, &error))
    g_error ("test server: cannot listen on 127.0.0.1:%u: %s", server->port, error->message);

  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_socket_service_start (server->service);
}

static gboolean
op_up_cb (gpointer data)
{
  KioskTestServer *server = data;

  listen_now (server);
  g_mutex_lock (&server->lock);
  server->op_done = TRUE;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);
  return G_SOURCE_REMOVE;
}

static gboolean
op_down_cb (gpointer data)
{
  KioskTestServer *server = data;

  /* Closing the listening socket makes new connections fail with "refused", like a server that
   * is not running; stopping the service alone would leave them waiting in the backlog. */
  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  g_clear_object (&server->service);
  g_mutex_lock (&server->lock);
  server->op_done = TRUE;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);
  return G_SOURCE_REMOVE;
}

static void
run_on_server (KioskTestServer *server,
               GSourceFunc      func)
{
  g_mutex_lock (&server->lock);
  server->op_done = FALSE;
  g_mutex_unlock (&server->lock);

  g_main_context_invoke (server->context, func, server);

  g_mutex_lock (&server->lock);
  while (!server->op_done)
    g_cond_wait (&server->cond, &server->lock);
  g_mutex_unlock (&server->lock);
}

static gpointer
server_thread (gpointer data)
{
  KioskTestServer *server = data;

  g_main_context_push_thread_default (server->context);

  listen_now (server);
  if (server->flags & KIOSK_TEST_SERVER_START_DOWN)
    {
      g_socket_service_stop (server->service);
      g_socket_listener_close (G_SOCKET_LISTENER (server->service));
      g_clear_object (&server->service);
    }

  g_mutex_lock (&server->lock);
  server->ready = TRUE;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);

  while (!g_atomic_int_get (&server->stopping))
    g_main_context_iteration (server->context, TRUE);

  if (server->service != NULL)
    {
      g_socket_service_stop (server->service);
      g_socket_listener_close (G_SOCKET_LISTENER (server->service));
    }

  g_main_context_pop_thread_default (server->context);
  return NULL;
}

/**
 * kiosk_test_server_new:
 * @certificate: (nullable): serve HTTPS with it (needs glib-networking)
 */
KioskTestServer *
kiosk_test_server_new (KioskTestServerFlags  flags,
                       GTlsCertificate      *certificate)
{
  KioskTestServer *server = g_new0 (KioskTestServer, 1);

  server->flags = flags;
  server->certificate = certificate ? g_object_ref (certificate) : NULL;
  server->context = g_main_context_new ();
  server->cancellable = g_cancellable_new ();
  g_mutex_init (&server->lock);
  g_cond_init (&server->cond);
  g_queue_init (&server->faults);
  server->accepted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) accepted_free);
  server->violations = g_ptr_array_new_with_free_func (g_free);
  server->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_test_request_free);
  server->heartbeats = g_ptr_array_new_with_free_func (g_free);

  server->thread = g_thread_new ("test-server", server_thread, server);

  g_mutex_lock (&server->lock);
  while (!server->ready)
    g_cond_wait (&server->cond, &server->lock);
  g_mutex_unlock (&server->lock);

  server->url = g_strdup_printf ("%s://127.0.0.1:%u", certificate ? "https" : "http", server->port);
  return server;
}

void
kiosk_test_server_free (KioskTestServer *server)
{
  gint64 deadline;

  if (server == NULL)
    return;

  g_atomic_int_set (&server->stopping, 1);
  g_cancellable_cancel (server->cancellable);
  g_main_context_wakeup (server->context);
  g_thread_join (server->thread);

  /* Connections notice the cancellable or the flag within a poll interval. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_mutex_lock (&server->lock);
  while (server->active > 0)
    if (!g_cond_wait_until (&server->cond, &server->lock, deadline))
      g_error ("test server: %u connections did not finish", server->active);
  g_mutex_unlock (&server->lock);

  g_clear_object (&server->service);
  g_clear_object (&server->cancellable);
  g_clear_object (&server->certificate);
  g_main_context_unref (server->context);
  g_queue_clear_full (&server->faults, (GDestroyNotify) fault_free);
  fault_free (server->standing);
  g_hash_table_unref (server->accepted);
  g_ptr_array_unref (server->violations);
  g_ptr_array_unref (server->requests);
  g_ptr_array_unref (server->heartbeats);
  g_free (server->token);
  g_free (server->poison);
  g_free (server->reject_id);
  g_free (server->reject_reason);
  g_free (server->survey);
  g_free (server->survey_etag);
  g_free (server->url);
  g_mutex_clear (&server->lock);
  g_cond_clear (&server->cond);
  g_free (server);
}

const char *
kiosk_test_server_get_url (KioskTestServer *server)
{
  return server->url;
}

guint16
kiosk_test_server_get_port (KioskTestServer *server)
{
  return server->port;
}

void
kiosk_test_server_set_down (KioskTestServer *server,
                            gboolean         down)
{
  run_on_server (server, down ? op_down_cb : op_up_cb);
}

void
kiosk_test_server_set_token (KioskTestServer *server,
                             const char      *token)
{
  g_mutex_lock (&server->lock);
  g_free (server->token);
  server->token = g_strdup (token);
  g_mutex_unlock (&server->lock);
}

/* One-shot: the next request whose path starts with @path_prefix gets it. Queued in order. */
void
kiosk_test_server_push_fault (KioskTestServer *server,
                              const char      *path_prefix,
                              KioskFaultKind   kind,
                              int              status,
                              const char      *headers,
                              const char      *body)
{
  Fault *fault = g_new0 (Fault, 1);

  fault->path_prefix = g_strdup (path_prefix);
  fault->kind = kind;
  fault->status = status;
  fault->headers = g_strdup (headers);
  fault->body = g_strdup (body);

  g_mutex_lock (&server->lock);
  g_queue_push_tail (&server->faults, fault);
  g_mutex_unlock (&server->lock);
}

/* Every request under @path_prefix gets this answer until called again with status 0. */
void
kiosk_test_server_set_status (KioskTestServer *server,
                              const char      *path_prefix,
                              int              status,
                              const char      *headers,
                              const char      *body)
{
  Fault *fault = NULL;

  if (status != 0)
    {
      fault = g_new0 (Fault, 1);
      fault->path_prefix = g_strdup (path_prefix);
      fault->kind = KIOSK_FAULT_STATUS;
      fault->status = status;
      fault->headers = g_strdup (headers);
      fault->body = g_strdup (body);
    }

  g_mutex_lock (&server->lock);
  fault_free (server->standing);
  server->standing = fault;
  g_mutex_unlock (&server->lock);
}

/* Any batch holding this event is answered 422 as a whole. */
void
kiosk_test_server_set_poison (KioskTestServer *server,
                              const char      *event_id)
{
  g_mutex_lock (&server->lock);
  g_free (server->poison);
  server->poison = g_strdup (event_id);
  g_mutex_unlock (&server->lock);
}

/* This event is answered "rejected" in a 200 reply. */
void
kiosk_test_server_set_reject (KioskTestServer *server,
                              const char      *event_id,
                              const char      *reason)
{
  g_mutex_lock (&server->lock);
  g_free (server->reject_id);
  g_free (server->reject_reason);
  server->reject_id = g_strdup (event_id);
  server->reject_reason = g_strdup (reason);
  g_mutex_unlock (&server->lock);
}

/* Batches of more events are answered 413. */
void
kiosk_test_server_set_max_batch (KioskTestServer *server,
                                 guint            max_events)
{
  g_mutex_lock (&server->lock);
  server->max_batch = max_events;
  g_mutex_unlock (&server->lock);
}

void
kiosk_test_server_set_survey (KioskTestServer *server,
                              const char      *json,
                              const char      *etag)
{
  g_mutex_lock (&server->lock);
  g_free (server->survey);
  g_free (server->survey_etag);
  server->survey = g_strdup (json);
  server->survey_etag = g_strdup (etag);
  g_mutex_unlock (&server->lock);
}

guint
kiosk_test_server_count_accepted (KioskTestServer *server)
{
  guint n;

  g_mutex_lock (&server->lock);
  n = g_hash_table_size (server->accepted);
  g_mutex_unlock (&server->lock);
  return n;
}

guint
kiosk_test_server_count_duplicates (KioskTestServer *server)
{
  guint n;

  g_mutex_lock (&server->lock);
  n = server->duplicates;
  g_mutex_unlock (&server->lock);
  return n;
}

guint
kiosk_test_server_count_rejected (KioskTestServer *server)
{
  guint n;

  g_mutex_lock (&server->lock);
  n = server->rejected;
  g_mutex_unlock (&server->lock);
  return n;
}

guint
kiosk_test_server_count_violations (KioskTestServer *server)
{
  guint n;

  g_mutex_lock (&server->lock);
  n = server->violations->len;
  g_mutex_unlock (&server->lock);
  return n;
}

char *
kiosk_test_server_dup_violations (KioskTestServer *server)
{
  GString *out = g_string_new (NULL);

  g_mutex_lock (&server->lock);
  for (guint i = 0; i < server->violations->len; i++)
    g_string_append_printf (out, "%s\n", (char *) g_ptr_array_index (server->violations, i));
  g_mutex_unlock (&server->lock);
  return g_string_free (out, FALSE);
}

guint
kiosk_test_server_count_requests (KioskTestServer *server,
                                  const char      *path_prefix)
{
  guint n = 0;

  g_mutex_lock (&server->lock);
  for (guint i = 0; i < server->requests->len; i++)
    {
      KioskTestRequest *r = g_ptr_array_index (server->requests, i);

      if (path_prefix == NULL || g_str_has_prefix (r->path, path_prefix))
        n++;
    }
  g_mutex_unlock (&server->lock);
  return n;
}

GPtrArray *
kiosk_test_server_dup_requests (KioskTestServer *server,
                                const char      *path_prefix)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_test_request_free);

  g_mutex_lock (&server->lock);
  for (guint i = 0; i < server->requests->len; i++)
    {
      KioskTestRequest *r = g_ptr_array_index (server->requests, i);
      KioskTestRequest *copy;

      if (path_prefix != NULL && !g_str_has_prefix (r->path, path_prefix))
        continue;
      copy = g_memdup2 (r, sizeof *r);
      copy->method = g_strdup (r->method);
      copy->path = g_strdup (r->path);
      copy->user_agent = g_strdup (r->user_agent);
      copy->content_type = g_strdup (r->content_type);
      copy->if_none_match = g_strdup (r->if_none_match);
      g_ptr_array_add (out, copy);
    }
  g_mutex_unlock (&server->lock);
  return out;
}

static int
compare_seq (gconstpointer a,
             gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The accepted sequence numbers of @source, sorted. */
GArray *
kiosk_test_server_dup_seqs (KioskTestServer *server,
                            const char      *source)
{
  GArray *seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *prefix = g_strconcat (source, "\n", NULL);
  GHashTableIter iter;
  gpointer key, value;

  g_mutex_lock (&server->lock);
  g_hash_table_iter_init (&iter, server->accepted);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_has_prefix (key, prefix))
      g_array_append_val (seqs, ((Accepted *) value)->seq);
  g_mutex_unlock (&server->lock);

  g_array_sort (seqs, compare_seq);
  return seqs;
}

char *
kiosk_test_server_dup_event (KioskTestServer *server,
                             const char      *source,
                             const char      *id)
{
  g_autofree char *key = g_strconcat (source, "\n", id, NULL);
  Accepted *a;
  char *event = NULL;

  g_mutex_lock (&server->lock);
  a = g_hash_table_lookup (server->accepted, key);
  if (a != NULL)
    event = g_strdup (a->event);
  g_mutex_unlock (&server->lock);
  return event;
}

GPtrArray *
kiosk_test_server_dup_heartbeats (KioskTestServer *server)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  g_mutex_lock (&server->lock);
  for (guint i = 0; i < server->heartbeats->len; i++)
    g_ptr_array_add (out, g_strdup (g_ptr_array_index (server->heartbeats, i)));
  g_mutex_unlock (&server->lock);
  return out;
}

/**
 * kiosk_test_server_check_exactly_once:
 * @expected: the sequence numbers must be exactly 1 … @expected
 *
 * What every delivery test ends with: each response once, none missing, none invented.
 */
gboolean
kiosk_test_server_check_exactly_once (KioskTestServer  *server,
                                      const char       *source,
                                      gint64            expected,
                                      GError          **error)
{
  g_autoptr(GArray) seqs = kiosk_test_server_dup_seqs (server, source);

  if ((gint64) seqs->len != expected)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the server holds %u responses of %s, expected %" G_GINT64_FORMAT,
                   seqs->len, source, expected);
      return FALSE;
    }

  for (guint i = 0; i < seqs->len; i++)
    if (g_array_index (seqs, gint64, i) != (gint64) i + 1)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     "the server's sequence of %s is not 1…%" G_GINT64_FORMAT ": position %u "
                     "holds %" G_GINT64_FORMAT, source, expected, i,
                     g_array_index (seqs, gint64, i));
        return FALSE;
      }

  return TRUE;
}
