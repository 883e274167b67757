/* kiosk-dash-login.c: signing in and out, and the static files every page links.
 *
 * The login form is protected against cross-site request forgery (an attacker signing a
 * manager into the attacker's account) by a double-submit token: GET /login sets the random
 * cookie sk_login (HttpOnly, SameSite=Strict, Path=/login) and puts the same value in the
 * form; kiosk-dash.c refuses a POST whose csrf field differs from the cookie. A foreign site
 * can neither read the cookie nor make the browser send it (SameSite=Strict), so it cannot
 * forge a matching pair. Checking Origin alone was not chosen: browsers omit it in some
 * same-origin cases, and a missing header would have to be let through. */
#define G_LOG_DOMAIN "kiosk-dash"

#include <gio/gio.h>
#include <string.h>

#include "kiosk-dash-auth.h"
#include "kiosk-dash-pages.h"
#include "kiosk-dash-server.h"
#include "kiosk-html.h"
#include "kiosk-server-auth.h"
#include "kiosk-server-db.h"

#define STATIC_PATH "/org/smileykiosk/Server/static/"

static char *
cookie_header (KioskDashRequest *request,
               const char       *name,
               const char       *value,
               const char       *path,
               gboolean          clear)
{
  return g_strdup_printf ("%s=%s; Path=%s; HttpOnly; SameSite=Strict%s%s", name, value, path,
                          request->secure ? "; Secure" : "", clear ? "; Max-Age=0" : "");
}

static const char *
next_or_home (KioskDashRequest *request,
              GHashTable       *values)
{
  const char *next = g_hash_table_lookup (values, "next");

  return kiosk_dash_next_is_local (next) ? next : "/";
}

static void
login_page (KioskDashRequest *request,
            KioskDashReply   *reply,
            guint             status,
            const char       *next,
            const char       *name,
            const char       *alert)
{
  GString *out = reply->body;

  reply->status = status;
  kiosk_dash_page_begin (reply, request, D_("Sign in"), NULL);
  kiosk_html (out, "<div class=\"login\">\n<h1>");
  kiosk_html_txt (out, D_("Sign in"));
  kiosk_html (out, "</h1>\n");
  if (alert != NULL)
    {
      kiosk_html (out, "<p class=\"alert\" role=\"alert\">");
      kiosk_html_txt (out, alert);
      kiosk_html (out, "</p>\n");
    }
  kiosk_html (out, "<form method=\"post\" action=\"/login\">\n");
  kiosk_dash_csrf_field (out, request);
  kiosk_dash_hidden_field (out, "next", next);
  kiosk_html (out, "\n<div class=\"field\"><label for=\"login-name\">");
  kiosk_html_txt (out, D_("Name"));
  kiosk_html (out, "</label><input id=\"login-name\" name=\"name\" autocomplete=\"username\" "
                   "autocapitalize=\"none\" spellcheck=\"false\" required value=\"");
  kiosk_html_attr (out, name);
  kiosk_html (out, "\"></div>\n<div class=\"field\"><label for=\"login-password\">");
  kiosk_html_txt (out, D_("Password"));
  kiosk_html (out, "</label><input id=\"login-password\" name=\"password\" type=\"password\" "
                   "autocomplete=\"current-password\" required></div>\n"
                   "<button type=\"submit\">");
  kiosk_html_txt (out, D_("Sign in"));
  kiosk_html (out, "</button>\n</form>\n</div>\n");
  kiosk_dash_page_end (reply, request);
}

void
kiosk_dash_login_form (KioskDashRequest *request,
                       PGconn           *conn,
                       KioskDashReply   *reply)
{
  g_autofree char *token = NULL;
  const char *next = next_or_home (request, request->query);

  if (request->user != NULL)
    {
      kiosk_dash_redirect (reply, next);
      return;
    }
  if (request->csrf_token == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *cookie = NULL;

      token = kiosk_token_new (&error);
      if (token == NULL)
        {
          g_warning ("login form: %s", error->message);
          kiosk_dash_reply_error (reply, request, 500,
                                  D_("Something went wrong on the server. Try again later."));
          return;
        }
      cookie = cookie_header (request, KIOSK_DASH_LOGIN_COOKIE, token, "/login", FALSE);
      kiosk_dash_reply_add_header (reply, "Set-Cookie", cookie);
      request->csrf_token = token;
    }
  login_page (request, reply, 200, next, NULL, NULL);
  if (token != NULL)
    request->csrf_token = NULL;
}

void
kiosk_dash_login_submit (KioskDashRequest *request,
                         PGconn           *conn,
                         KioskDashReply   *reply)
{
  const char *name = g_hash_table_lookup (request->form, "name");
  const char *password = g_hash_table_lookup (request->form, "password");
  const char *next = next_or_home (request, request->form);
  g_autoptr(GError) error = NULL;
  g_autofree char *session = NULL;
  g_autofree char *cookie = NULL;
  g_autofree char *clear = NULL;
  gint64 user_id;
  guint wait_s;

  if (name == NULL || *name == '\0' || password == NULL || *password == '\0')
    {
      login_page (request, reply, 400, next, name, D_("Enter your name and your password."));
      return;
    }

  switch (kiosk_dash_login_check (conn, name, password, request->remote_address, &user_id,
                                  &wait_s, &error))
    {
    case KIOSK_DASH_LOGIN_OK:
      break;
    case KIOSK_DASH_LOGIN_WRONG:
      /* One message for an unknown name and a wrong password: it tells no one which names
       * exist. */
      login_page (request, reply, 401, next, name, D_("The name or the password is wrong."));
      return;
    case KIOSK_DASH_LOGIN_THROTTLED:
      {
        g_autofree char *retry = g_strdup_printf ("%u", wait_s);
        g_autofree char *wait = g_strdup_printf ("%u:%02u", wait_s / 60, wait_s % 60);
        g_autofree char *message = NULL;

        /* TRANSLATORS: %s is a wait such as 2:30, in minutes and seconds. */
        message = g_strdup_printf (D_("Too many failed sign-ins for this name or from this "
                                      "address. Try again in %s (minutes:seconds)."), wait);
        kiosk_dash_reply_add_header (reply, "Retry-After", retry);
        login_page (request, reply, 429, next, name, message);
        return;
      }
    case KIOSK_DASH_LOGIN_FAILED:
    default:
      g_warning ("signing in: %s", error ? error->message : "?");
      if (g_error_matches (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONNECTION))
        kiosk_db_thread_conn_broken ();
      kiosk_dash_reply_error (reply, request, 503,
                              D_("The database is not available. Try again in a minute."));
      return;
    }

  session = kiosk_dash_session_create (conn, user_id, &error);
  if (session == NULL)
    {
      g_warning ("creating a session: %s", error->message);
      kiosk_dash_reply_error (reply, request, 503,
                              D_("The database is not available. Try again in a minute."));
      return;
    }
  /* No Max-Age: the cookie ends with the browser; the server ends the session after 8 idle
   * hours or 7 days in any case. */
  cookie = cookie_header (request, KIOSK_DASH_SESSION_COOKIE, session, "/", FALSE);
  clear = cookie_header (request, KIOSK_DASH_LOGIN_COOKIE, "", "/login", TRUE);
  kiosk_dash_reply_add_header (reply, "Set-Cookie", cookie);
  kiosk_dash_reply_add_header (reply, "Set-Cookie", clear);
  explicit_bzero (session, strlen (session));
  kiosk_dash_redirect (reply, next);
}

void
kiosk_dash_logout (KioskDashRequest *request,
                   PGconn           *conn,
                   KioskDashReply   *reply)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *clear = cookie_header (request, KIOSK_DASH_SESSION_COOKIE, "", "/", TRUE);

  if (!kiosk_dash_session_delete (conn, request->user->id, request->csrf_token, &error))
    {
      g_warning ("signing out: %s", error->message);
      kiosk_dash_reply_error (reply, request, 503,
                              D_("The database is not available. Try again in a minute."));
      return;
    }
  kiosk_dash_reply_add_header (reply, "Set-Cookie", clear);
  kiosk_dash_redirect (reply, "/login");
}

void
kiosk_dash_static (KioskDashRequest *request,
                   PGconn           *conn,
                   KioskDashReply   *reply)
{
  const char *name = request->path_args->len > 0 ? g_ptr_array_index (request->path_args, 0)
                                                  : "";
  g_autofree char *path = NULL;
  g_autoptr(GBytes) data = NULL;
  const char *type = NULL;
  gsize size;
  const char *bytes;

  if (g_str_has_suffix (name, ".css"))
    type = "text/css; charset=utf-8";
  else if (g_str_has_suffix (name, ".js"))
    type = "text/javascript; charset=utf-8";
  else if (g_str_has_suffix (name, ".svg"))
    type = "image/svg+xml";
  else if (g_str_has_suffix (name, ".png"))
    type = "image/png";
  for (const char *p = name; type != NULL && *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      type = NULL;

  if (type != NULL && name[0] != '.')
    {
      path = g_strconcat (STATIC_PATH, name, NULL);
      data = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
    }
  if (data == NULL)
    {
      kiosk_dash_reply_error (reply, request, 404, D_("There is no such page."));
      return;
    }
  bytes = g_bytes_get_data (data, &size);
  g_string_append_len (reply->body, bytes, size);
  g_free (reply->content_type);
  reply->content_type = g_strdup (type);
}
