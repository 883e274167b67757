/* kiosk-dash.c: the dashboard's listener. A request is parsed, routed through
 * kiosk_dash_routes, refused early when it has no session, the wrong role or a bad CSRF token,
 * and only then handed to its page; every reply leaves with the same security headers. */
#define G_LOG_DOMAIN "kiosk-dash"

#include "config.h"

#include <gio/gio.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <string.h>

#include "kiosk-dash-auth.h"
#include "kiosk-dash-pages.h"
#include "kiosk-dash-server.h"
#include "kiosk-server-db.h"
#include "kiosk-server-http.h"

#define CSP "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " \
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

struct _KioskDashServer
{
  struct MHD_Daemon *daemon;
  guint16            port;
  gboolean           secure_cookies;
};

typedef struct
{
  GByteArray *body;
  gboolean    too_large;
  gboolean    started;
} Connection;

static void
connection_free (Connection *c)
{
  if (c->body)
    g_byte_array_unref (c->body);
  g_free (c);
}

/* Pure request parsing */

/* %XX (and, in a form, "+") decoded; NULL when an escape is broken, the result holds a NUL or
 * is not UTF-8. */
static char *
form_decode (const char *text,
             gsize       length)
{
  g_autoptr(GString) out = g_string_sized_new (length);

  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '+')
        g_string_append_c (out, ' ');
      else if (text[i] == '%')
        {
          int hi = i + 2 < length ? g_ascii_xdigit_value (text[i + 1]) : -1;
          int lo = i + 2 < length ? g_ascii_xdigit_value (text[i + 2]) : -1;

          if (hi < 0 || lo < 0)
            return NULL;
          g_string_append_c (out, (char) (hi << 4 | lo));
          i += 2;
        }
      else
        g_string_append_c (out, text[i]);
    }
  if (memchr (out->str, '\0', out->len) != NULL || !g_utf8_validate (out->str, out->len, NULL))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

GHashTable *
kiosk_dash_parse_urlencoded (const char *data,
                             gsize       length)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *end, *p;

  /* An empty body's GByteArray has no data at all: NULL + 0 is undefined. */
  if (data == NULL)
    return table;
  end = data + length;
  p = data;
  while (p < end)
    {
      const char *amp = memchr (p, '&', end - p);
      const char *pair_end = amp ? amp : end;
      const char *equals = memchr (p, '=', pair_end - p);
      g_autofree char *name = form_decode (p, (equals ? equals : pair_end) - p);
      g_autofree char *value = equals ? form_decode (equals + 1, pair_end - equals - 1)
                                      : g_strdup ("");

      if (name != NULL && value != NULL && *name != '\0')
        g_hash_table_replace (table, g_steal_pointer (&name), g_steal_pointer (&value));
      p = pair_end + 1;
    }
  return table;
}

const KioskDashRoute *
kiosk_dash_route_match (const KioskDashRoute *routes,
                        const char           *method,
                        const char           *path,
                        GPtrArray           **out_args,
                        GString              *allow)
{
  g_auto(GStrv) segments = NULL;
  guint n_segments;

  *out_args = NULL;
  if (path == NULL || path[0] != '/')
    return NULL;
  segments = g_strsplit (path + 1, "/", -1);
  n_segments = g_strv_length (segments);

  for (const KioskDashRoute *route = routes; route->pattern != NULL; route++)
    {
      g_auto(GStrv) pattern = g_strsplit (route->pattern + 1, "/", -1);
      g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
      gboolean matches = g_strv_length (pattern) == n_segments;

      for (guint i = 0; matches && i < n_segments; i++)
        {
          if (strcmp (pattern[i], "*") == 0)
            {
              /* One whole segment: an escaped "/" or NUL, or bytes that are not UTF-8, make
               * the path match nothing rather than something unexpected. */
              char *arg = *segments[i] ? g_uri_unescape_string (segments[i], "/") : NULL;

              if (arg == NULL || !g_utf8_validate (arg, -1, NULL))
                {
                  g_free (arg);
                  matches = FALSE;
                }
              else
                g_ptr_array_add (args, arg);
            }
          else
            matches = strcmp (pattern[i], segments[i]) == 0;
        }
      if (!matches)
        continue;
      if (strcmp (route->method, method) == 0 ||
          (strcmp (method, "HEAD") == 0 && strcmp (route->method, "GET") == 0))
        {
          *out_args = g_steal_pointer (&args);
          return route;
        }
      if (allow != NULL && strstr (allow->str, route->method) == NULL)
        g_string_append_printf (allow, "%s%s", allow->len ? ", " : "", route->method);
    }
  return NULL;
}

gboolean
kiosk_dash_next_is_local (const char *next)
{
  if (next == NULL || next[0] != '/' || next[1] == '/' || next[1] == '\\' ||
      strlen (next) > 2048)
    return FALSE;
  for (const char *p = next; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f || *p == '\\')
      return FALSE;
  return g_utf8_validate (next, -1, NULL);
}

/* Replies */

static gboolean
is_csv_path (const char *path)
{
  return g_str_has_suffix (path, ".csv");
}

static enum MHD_Result
send_reply (struct MHD_Connection *connection,
            KioskDashReply        *reply,
            gboolean               static_file)
{
  struct MHD_Response *response;
  gboolean cache_control = FALSE;
  enum MHD_Result ret;

  response = MHD_create_response_from_buffer (reply->body->len, reply->body->str,
                                              MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE,
                           reply->content_type ? reply->content_type
                                               : "text/html; charset=utf-8");
  for (guint i = 0; i < reply->headers->len; i++)
    {
      const char *line = g_ptr_array_index (reply->headers, i);
      const char *colon = strchr (line, ':');
      g_autofree char *name = g_strndup (line, colon - line);

      cache_control |= g_ascii_strcasecmp (name, "Cache-Control") == 0;
      MHD_add_response_header (response, name, colon + 2);
    }
  if (!cache_control)
    MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL,
                             static_file ? "max-age=3600" : "no-store");
  MHD_add_response_header (response, "Content-Security-Policy", CSP);
  MHD_add_response_header (response, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header (response, "X-Frame-Options", "DENY");
  MHD_add_response_header (response, "Referrer-Policy", "same-origin");
  ret = MHD_queue_response (connection, reply->status ? reply->status : MHD_HTTP_OK, response);
  MHD_destroy_response (response);
  return ret;
}

static enum MHD_Result
query_cb (void              *cls,
          enum MHD_ValueKind kind,
          const char        *key,
          const char        *value)
{
  g_autofree char *name = form_decode (key, strlen (key));
  g_autofree char *text = value ? form_decode (value, strlen (value)) : g_strdup ("");

  if (name != NULL && text != NULL && *name != '\0')
    g_hash_table_replace (cls, g_steal_pointer (&name), g_steal_pointer (&text));
  return MHD_YES;
}

static char *
client_address (struct MHD_Connection *connection)
{
  const union MHD_ConnectionInfo *info =
    MHD_get_connection_info (connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  g_autoptr(GSocketAddress) address = NULL;
  gsize size;

  if (info == NULL || info->client_addr == NULL)
    return g_strdup ("unknown");
  size = info->client_addr->sa_family == AF_INET6 ? sizeof (struct sockaddr_in6)
                                                  : sizeof (struct sockaddr_in);
  address = g_socket_address_new_from_native (info->client_addr, size);
  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("unknown");
  return g_inet_address_to_string (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
}

/* The path and query to come back to after signing in. */
static char *
next_location (KioskDashRequest *request)
{
  g_autoptr(GString) next = g_string_new (request->path);
  g_autoptr(GString) location = g_string_new ("/login?next=");
  GHashTableIter iter;
  gpointer name, value;
  char separator = '?';

  g_hash_table_iter_init (&iter, request->query);
  while (g_hash_table_iter_next (&iter, &name, &value))
    {
      g_string_append_c (next, separator);
      g_string_append_uri_escaped (next, name, NULL, FALSE);
      g_string_append_c (next, '=');
      g_string_append_uri_escaped (next, value, NULL, FALSE);
      separator = '&';
    }
  g_string_append_uri_escaped (location, next->str, NULL, FALSE);
  return g_string_free (g_steal_pointer (&location), FALSE);
}

static void
reply_db_error (KioskDashReply   *reply,
                KioskDashRequest *request,
                GError           *error)
{
  g_warning ("dashboard %s %s: %s", request->method, request->path, error->message);
  if (g_error_matches (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONNECTION))
    {
      kiosk_db_thread_conn_broken ();
      kiosk_dash_reply_error (reply, request, MHD_HTTP_SERVICE_UNAVAILABLE,
                              D_("The database is not available. Try again in a minute."));
      return;
    }
  kiosk_dash_reply_error (reply, request, MHD_HTTP_INTERNAL_SERVER_ERROR,
                          D_("Something went wrong on the server. Try again later."));
}

static enum MHD_Result
handle (KioskDashServer       *self,
        struct MHD_Connection *connection,
        const char            *url,
        const char            *method,
        Connection            *state)
{
  g_autoptr(GHashTable) query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) allow = g_string_new (NULL);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(KioskDashUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = client_address (connection);
  g_autofree char *session_csrf = NULL;
  g_autofree char *content_type = NULL;
  const char *cookie = MHD_lookup_connection_value (connection, MHD_COOKIE_KIND,
                                                    KIOSK_DASH_SESSION_COOKIE);
  const char *login_cookie = MHD_lookup_connection_value (connection, MHD_COOKIE_KIND,
                                                          KIOSK_DASH_LOGIN_COOKIE);
  const char *form_type = MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                       MHD_HTTP_HEADER_CONTENT_TYPE);
  const KioskDashRoute *route;
  KioskDashRequest req = { 0 }, *request = &req;
  KioskDashReply reply = { 0 };
  PGconn *conn = NULL;
  gboolean static_file = FALSE;
  enum MHD_Result ret;

  MHD_get_connection_values (connection, MHD_GET_ARGUMENT_KIND, query_cb, query);
  request->method = method;
  request->path = url;
  request->query = query;
  request->remote_address = address;
  request->secure = self->secure_cookies;
  request->language = kiosk_dash_negotiate_language (
    MHD_lookup_connection_value (connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
  reply.status = MHD_HTTP_OK;
  reply.body = body;
  reply.headers = headers;

  route = kiosk_dash_route_match (kiosk_dash_routes, method, url, &args, allow);
  request->path_args = args;
  if (state->too_large)
    {
      kiosk_dash_reply_error (&reply, request, MHD_HTTP_CONTENT_TOO_LARGE,
                              D_("The form is too large."));
      goto send;
    }
  if (route == NULL)
    {
      if (allow->len > 0)
        {
          kiosk_dash_reply_add_header (&reply, "Allow", allow->str);
          kiosk_dash_reply_error (&reply, request, MHD_HTTP_METHOD_NOT_ALLOWED,
                                  D_("This page cannot be opened that way."));
        }
      else
        kiosk_dash_reply_error (&reply, request, MHD_HTTP_NOT_FOUND,
                                D_("There is no such page."));
      goto send;
    }

  if (strcmp (route->method, "POST") == 0 && state->body != NULL &&
      kiosk_media_type_is (form_type, "application/x-www-form-urlencoded"))
    form = kiosk_dash_parse_urlencoded ((const char *) state->body->data, state->body->len);
  else
    form = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  request->form = form;

  static_file = route->handler == kiosk_dash_static;
  if (!static_file)
    {
      conn = kiosk_db_thread_conn (&error);
      if (conn == NULL)
        {
          reply_db_error (&reply, request, error);
          goto send;
        }
      if (cookie != NULL)
        {
          user = kiosk_dash_session_lookup (conn, cookie, &session_csrf, &error);
          if (error != NULL)
            {
              reply_db_error (&reply, request, error);
              goto send;
            }
        }
    }
  request->user = user;
  request->conn = conn;
  if (user != NULL && kiosk_dash_language_lookup (user->language) != NULL)
    request->language = kiosk_dash_language_lookup (user->language);

  /* Public routes (the login form) use the pre-session token of the double-submit cookie;
   * every other route the session's. */
  if (route->flags & KIOSK_DASH_ROUTE_PUBLIC)
    request->csrf_token = kiosk_dash_token_is_wellformed (login_cookie) ? login_cookie : NULL;
  else
    request->csrf_token = session_csrf;

  if (!(route->flags & KIOSK_DASH_ROUTE_PUBLIC) && user == NULL)
    {
      if (is_csv_path (url) || strcmp (route->method, "GET") != 0)
        kiosk_dash_reply_error (&reply, request, MHD_HTTP_UNAUTHORIZED,
                                D_("Sign in first."));
      else
        {
          g_autofree char *location = next_location (request);

          kiosk_dash_redirect (&reply, location);
        }
      goto send;
    }
  if ((route->flags & KIOSK_DASH_ROUTE_ADMIN) && !user->admin)
    {
      kiosk_dash_reply_error (&reply, request, MHD_HTTP_FORBIDDEN,
                              D_("Only administrators may open this page."));
      goto send;
    }
  if (strcmp (route->method, "POST") == 0 &&
      !kiosk_dash_token_equal (g_hash_table_lookup (form, "csrf"), request->csrf_token))
    {
      kiosk_dash_reply_error (&reply, request, MHD_HTTP_FORBIDDEN,
                              D_("The form expired; reload the page."));
      goto send;
    }

  route->handler (request, conn, &reply);

send:
  ret = send_reply (connection, &reply, static_file && reply.status == MHD_HTTP_OK);
  g_free (reply.content_type);
  return ret;
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
  Connection *state = *con_cls;

  if (state == NULL)
    {
      const char *length = MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                        MHD_HTTP_HEADER_CONTENT_LENGTH);

      state = g_new0 (Connection, 1);
      *con_cls = state;
      state->body = g_byte_array_new ();
      /* Refused before a byte of the body is read. */
      if (length != NULL && g_ascii_strtoull (length, NULL, 10) > KIOSK_DASH_MAX_FORM_BYTES)
        state->too_large = TRUE;
      return MHD_YES;
    }

  if (*upload_data_size > 0)
    {
      if (!state->too_large && state->body->len + *upload_data_size <= KIOSK_DASH_MAX_FORM_BYTES)
        g_byte_array_append (state->body, (const guint8 *) upload_data, *upload_data_size);
      else
        state->too_large = TRUE;
      *upload_data_size = 0;
      return MHD_YES;
    }

  if (state->started)
    return MHD_YES;
  state->started = TRUE;
  return handle (cls, connection, url, method, state);
}

static void
completed_cb (void                            *cls,
              struct MHD_Connection           *connection,
              void                           **con_cls,
              enum MHD_RequestTerminationCode  toe)
{
  g_clear_pointer ((Connection **) con_cls, connection_free);
}

/* Paths and query values are decoded here, segment by segment and value by value, so that an
 * escaped "/" stays inside its segment: libmicrohttpd's own decoding is turned off. */
static size_t
unescape_cb (void                  *cls,
             struct MHD_Connection *connection,
             char                  *text)
{
  return strlen (text);
}

KioskDashServer *
kiosk_dash_server_start (const KioskDashServerOptions  *options,
                         GError                       **error)
{
  g_autofree KioskDashServer *self = g_new0 (KioskDashServer, 1);
  struct MHD_OptionItem unescape[] = {
    { MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t) unescape_cb, NULL },
    { MHD_OPTION_END, 0, NULL },
  };

  self->secure_cookies = options->secure_cookies;
  self->daemon = kiosk_server_listen (&options->listener, "dashboard", 0, access_cb, self,
                                      completed_cb, unescape, &self->port, error);
  if (self->daemon == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

guint16
kiosk_dash_server_get_port (KioskDashServer *self)
{
  return self->port;
}

void
kiosk_dash_server_stop (KioskDashServer *self)
{
  if (self == NULL)
    return;
  MHD_stop_daemon (self->daemon);
  g_free (self);
}
