/* test-dashboard-auth.c: the dashboard's framework and who may see what, against the real
 * smiley-kiosk-server (a child process, $SMILEY_KIOSK_SERVER_BINARY) on a private PostgreSQL:
 * signing in and out, throttling, cookies, CSRF, every route without a session, viewers, the
 * security headers and the reader's language; and the parts that need no network. */
#define G_LOG_DOMAIN "test-dashboard-auth"

#include "config.h"

#include <curl/curl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "kiosk-csv.h"
#include "kiosk-dash-auth.h"
#include "kiosk-dash-server.h"
#include "kiosk-html.h"
#include "kiosk-test-pg.h"

#define PASSWORD       "correct horse battery"
#define VIEWER_PASS    "viewer's long password"
#define START_TIMEOUT_S 30

typedef struct
{
  KioskTestPg *pg;
  GSubprocess *process;
  char        *dash_url;       /* http://127.0.0.1:PORT */
} Server;

static Server server;

/* The server's commands */

static int
admin (const char  *input,
       char       **out,
       char       **err,
       ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) g_getenv ("SMILEY_KIOSK_SERVER_BINARY"));
  g_ptr_array_add (argv, (gpointer) "--database");
  g_ptr_array_add (argv, (gpointer) kiosk_test_pg_get_conninfo (server.pg));
  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input ? input : "", NULL, &stdout_text, &stderr_text,
                                 &error);
  g_assert_no_error (error);
  if (out)
    *out = g_steal_pointer (&stdout_text);
  if (err)
    *err = g_steal_pointer (&stderr_text);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* `serve` on port 0 for both listeners; the dashboard's URL from its second line:
 * "smiley-kiosk-server VERSION: dashboard on http://127.0.0.1:PORT". */
static GSubprocess *
serve (const char  *config_path,
       char       **out_url)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *process;
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_S * G_USEC_PER_SEC;

  g_ptr_array_add (argv, (gpointer) g_getenv ("SMILEY_KIOSK_SERVER_BINARY"));
  if (config_path)
    {
      g_ptr_array_add (argv, (gpointer) "--config");
      g_ptr_array_add (argv, (gpointer) config_path);
    }
  g_ptr_array_add (argv, (gpointer) "--database");
  g_ptr_array_add (argv, (gpointer) kiosk_test_pg_get_conninfo (server.pg));
  g_ptr_array_add (argv, (gpointer) "serve");
  g_ptr_array_add (argv, (gpointer) "--listen");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1:0");
  g_ptr_array_add (argv, (gpointer) "--dashboard-listen");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1:0");
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  /* Blocking reads: the server prints both lines within a second or dies (EOF). */
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  *out_url = NULL;
  while (*out_url == NULL && g_get_monotonic_time () < deadline)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
      const char *mark;

      g_assert_no_error (error);
      g_assert_nonnull (line);   /* the server ended before it listened: see its stderr */
      mark = strstr (line, ": dashboard on ");
      if (mark != NULL)
        *out_url = g_strdup (mark + strlen (": dashboard on "));
    }
  g_assert_nonnull (*out_url);
  g_assert_true (g_str_has_prefix (*out_url, "http://127.0.0.1:"));
  return process;
}

/* HTTP */

typedef struct
{
  long        status;
  GString    *body;
  GHashTable *headers;   /* lower-case name → last value */
  GPtrArray  *cookies;   /* every Set-Cookie */
} Reply;

static void
reply_free (Reply *reply)
{
  g_string_free (reply->body, TRUE);
  g_hash_table_unref (reply->headers);
  g_ptr_array_unref (reply->cookies);
  g_free (reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static size_t
body_cb (char *data, size_t size, size_t n, void *user_data)
{
  g_string_append_len (user_data, data, size * n);
  return size * n;
}

static size_t
header_cb (char *data, size_t size, size_t n, void *user_data)
{
  Reply *reply = user_data;
  g_autofree char *line = g_strndup (data, size * n);
  char *colon = strchr (line, ':');

  if (colon != NULL)
    {
      g_autofree char *name = NULL;

      *colon = '\0';
      name = g_ascii_strdown (g_strstrip (line), -1);
      if (strcmp (name, "set-cookie") == 0)
        g_ptr_array_add (reply->cookies, g_strdup (g_strstrip (colon + 1)));
      g_hash_table_replace (reply->headers, g_steal_pointer (&name),
                            g_strdup (g_strstrip (colon + 1)));
    }
  return size * n;
}

/* @method @path on the dashboard from @source (an address of 127/8, NULL: 127.0.0.1), with
 * Cookie @cookie and extra header lines. */
static Reply *
http (const char  *method,
      const char  *path,
      const char  *cookie,
      const char  *body,
      const char  *source,
      const char  *header,
      const char  *base_url)
{
  Reply *reply = g_new0 (Reply, 1);
  g_autofree char *url = g_strconcat (base_url ? base_url : server.dash_url, path, NULL);
  g_autofree char *cookie_line = cookie ? g_strconcat ("Cookie: ", cookie, NULL) : NULL;
  struct curl_slist *list = NULL;
  CURL *curl = curl_easy_init ();
  CURLcode rc;

  reply->body = g_string_new (NULL);
  reply->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  reply->cookies = g_ptr_array_new_with_free_func (g_free);
  if (cookie_line)
    list = curl_slist_append (list, cookie_line);
  if (header)
    list = curl_slist_append (list, header);
  list = curl_slist_append (list, "Expect:");
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
  if (source)
    curl_easy_setopt (curl, CURLOPT_INTERFACE, source);
  if (body)
    {
      curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen (body));
    }
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, body_cb);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, reply->body);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, reply);
  rc = curl_easy_perform (curl);
  g_assert_cmpstr (curl_easy_strerror (rc), ==, curl_easy_strerror (CURLE_OK));
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &reply->status);
  curl_slist_free_all (list);
  curl_easy_cleanup (curl);
  return reply;
}

static Reply *
get (const char *path,
     const char *cookie)
{
  return http ("GET", path, cookie, NULL, NULL, NULL, NULL);
}

static const char *
header (Reply      *reply,
        const char *name)
{
  return g_hash_table_lookup (reply->headers, name);
}

/* The Set-Cookie of @name, or NULL. */
static const char *
set_cookie (Reply      *reply,
            const char *name)
{
  g_autofree char *prefix = g_strconcat (name, "=", NULL);

  for (guint i = 0; i < reply->cookies->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (reply->cookies, i), prefix))
      return g_ptr_array_index (reply->cookies, i);
  return NULL;
}

/* "name=value" of a Set-Cookie line. */
static char *
cookie_pair (const char *line)
{
  return g_strndup (line, strcspn (line, ";"));
}

/* The value of the hidden csrf field of a page. */
static char *
csrf_of_page (const char *html)
{
  const char *mark = strstr (html, "name=\"csrf\" value=\"");

  if (mark == NULL)
    return NULL;
  mark += strlen ("name=\"csrf\" value=\"");
  return g_strndup (mark, strcspn (mark, "\""));
}

static char *
form_escape (const char *value)
{
  return g_uri_escape_string (value, NULL, FALSE);
}

/* The whole sign-in: GET /login for the pre-session cookie and token, then POST. */
static Reply *
login_from (const char *name,
            const char *password,
            const char *source)
{
  g_autoptr(Reply) form = http ("GET", "/login", NULL, NULL, source, NULL, NULL);
  g_autofree char *pair = NULL;
  g_autofree char *csrf = NULL;
  g_autofree char *body = NULL;
  g_autofree char *n = form_escape (name);
  g_autofree char *p = form_escape (password);

  g_assert_cmpint (form->status, ==, 200);
  g_assert_nonnull (set_cookie (form, KIOSK_DASH_LOGIN_COOKIE));
  pair = cookie_pair (set_cookie (form, KIOSK_DASH_LOGIN_COOKIE));
  csrf = csrf_of_page (form->body->str);
  g_assert_nonnull (csrf);
  body = g_strdup_printf ("csrf=%s&name=%s&password=%s&next=%%2F", csrf, n, p);
  return http ("POST", "/login", pair, body, source, NULL, NULL);
}

/* Signs in; returns "sk_session=…" for the Cookie header. */
static char *
login (const char *name,
       const char *password)
{
  g_autoptr(Reply) reply = login_from (name, password, NULL);

  g_assert_cmpint (reply->status, ==, 303);
  g_assert_nonnull (set_cookie (reply, KIOSK_DASH_SESSION_COOKIE));
  return cookie_pair (set_cookie (reply, KIOSK_DASH_SESSION_COOKIE));
}

static void
reset_attempts (void)
{
  g_autoptr(GError) error = NULL;

  kiosk_test_pg_exec (server.pg, "DELETE FROM login_attempts", &error);
  g_assert_no_error (error);
}

static void
assert_security_headers (Reply *reply)
{
  const char *csp = header (reply, "content-security-policy");

  g_assert_nonnull (csp);
  g_assert_nonnull (strstr (csp, "default-src 'self'"));
  g_assert_nonnull (strstr (csp, "frame-ancestors 'none'"));
  g_assert_nonnull (strstr (csp, "form-action 'self'"));
  g_assert_nonnull (strstr (csp, "script-src 'self'"));
  g_assert_cmpstr (header (reply, "x-content-type-options"), ==, "nosniff");
  g_assert_cmpstr (header (reply, "referrer-policy"), ==, "same-origin");
  g_assert_nonnull (header (reply, "cache-control"));
}

/* Tests without the network */

static void
test_html_escaping (void)
{
  g_autoptr(GString) out = g_string_new (NULL);

  kiosk_html_txt (out, "<b>\"Tom\" & 'Jerry'</b>");
  g_assert_cmpstr (out->str, ==, "&lt;b&gt;\"Tom\" &amp; 'Jerry'&lt;/b&gt;");
  g_string_truncate (out, 0);
  kiosk_html_attr (out, "\"><script>'");
  g_assert_cmpstr (out->str, ==, "&quot;&gt;&lt;script&gt;&#39;");
  g_string_truncate (out, 0);
  kiosk_html_url_param (out, "a b&c=d/é\"");
  g_assert_cmpstr (out->str, ==, "a%20b%26c%3Dd%2F%C3%A9%22");
  g_string_truncate (out, 0);
  kiosk_html_txtf (out, "%d <%s>", 3, "x");
  g_assert_cmpstr (out->str, ==, "3 &lt;x&gt;");

  /* The element writer: its own markup as it is, each value escaped for where it stands. */
  g_string_truncate (out, 0);
  kiosk_html_format (out, "<a href=\"%a\" title='%a'>%t</a> 100%%",
                     "/site?id=1&x=\"", "it's", "<Tom & Jerry>");
  g_assert_cmpstr (out->str, ==, "<a href=\"/site?id=1&amp;x=&quot;\" title='it&#39;s'>"
                                 "&lt;Tom &amp; Jerry&gt;</a> 100%");
}

static void
test_route_match (void)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GString) allow = g_string_new (NULL);
  const KioskDashRoute *route;

  route = kiosk_dash_route_match (kiosk_dash_routes, "GET", "/sites/Berlin%20Mitte", &args, NULL);
  g_assert_nonnull (route);
  g_assert_cmpstr (route->pattern, ==, "/sites/*");
  g_assert_cmpuint (args->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (args, 0), ==, "Berlin Mitte");
  g_clear_pointer (&args, g_ptr_array_unref);

  route = kiosk_dash_route_match (kiosk_dash_routes, "GET", "/sites/a/daily.csv", &args, NULL);
  g_assert_nonnull (route);
  g_assert_cmpstr (route->pattern, ==, "/sites/*/*");
  g_assert_cmpstr (g_ptr_array_index (args, 1), ==, "daily.csv");
  g_clear_pointer (&args, g_ptr_array_unref);

  /* An escaped "/", a NUL, bytes that are not UTF-8, an empty segment: no route. */
  g_assert_null (kiosk_dash_route_match (kiosk_dash_routes, "GET", "/sites/a%2Fb", &args, NULL));
  g_assert_null (kiosk_dash_route_match (kiosk_dash_routes, "GET", "/sites/a%00", &args, NULL));
  g_assert_null (kiosk_dash_route_match (kiosk_dash_routes, "GET", "/sites/%FF%FE", &args, NULL));
  g_assert_null (kiosk_dash_route_match (kiosk_dash_routes, "GET", "/sites/", &args, NULL));
  g_assert_null (kiosk_dash_route_match (kiosk_dash_routes, "GET", "/nowhere", &args, allow));
  g_assert_cmpstr (allow->str, ==, "");
  g_assert_null (kiosk_dash_route_match (kiosk_dash_routes, "GET", "/logout", &args, allow));
  g_assert_cmpstr (allow->str, ==, "POST");
  g_assert_nonnull (kiosk_dash_route_match (kiosk_dash_routes, "HEAD", "/login", &args, NULL));
  g_clear_pointer (&args, g_ptr_array_unref);
}

static void
test_forms (void)
{
  g_autoptr(GHashTable) form =
    kiosk_dash_parse_urlencoded ("a=1&b=x+y%21&a=2&bad=%zz&empty=&novalue&u=%C3%A9&nul=%00", 56);

  g_assert_cmpstr (g_hash_table_lookup (form, "a"), ==, "2");
  g_assert_cmpstr (g_hash_table_lookup (form, "b"), ==, "x y!");
  g_assert_cmpstr (g_hash_table_lookup (form, "u"), ==, "é");
  g_assert_cmpstr (g_hash_table_lookup (form, "empty"), ==, "");
  g_assert_cmpstr (g_hash_table_lookup (form, "novalue"), ==, "");
  g_assert_null (g_hash_table_lookup (form, "bad"));
  g_assert_null (g_hash_table_lookup (form, "nul"));
  g_clear_pointer (&form, g_hash_table_unref);
  /* A POST without a body: its GByteArray's data is NULL. */
  form = kiosk_dash_parse_urlencoded (NULL, 0);
  g_assert_cmpuint (g_hash_table_size (form), ==, 0);

  g_assert_true (kiosk_dash_next_is_local ("/sites/x?from=2026-01-01"));
  g_assert_false (kiosk_dash_next_is_local ("//evil.example/"));
  g_assert_false (kiosk_dash_next_is_local ("/\\evil.example/"));
  g_assert_false (kiosk_dash_next_is_local ("https://evil.example/"));
  g_assert_false (kiosk_dash_next_is_local ("/a\r\nSet-Cookie: x=y"));
  g_assert_false (kiosk_dash_next_is_local (NULL));
}

static void
test_language_negotiation (void)
{
  g_assert_cmpstr (kiosk_dash_negotiate_language (NULL), ==, "en");
  g_assert_cmpstr (kiosk_dash_negotiate_language ("de-AT,de;q=0.9,en;q=0.8"), ==, "de");
  g_assert_cmpstr (kiosk_dash_negotiate_language ("fr;q=0.5, fi;q=0.7"), ==, "fi");
  g_assert_cmpstr (kiosk_dash_negotiate_language ("ja, en;q=0.1"), ==, "en");
  g_assert_cmpstr (kiosk_dash_negotiate_language ("ja, zh"), ==, "en");
  g_assert_cmpstr (kiosk_dash_negotiate_language ("es;q=0, fr;q=0.2"), ==, "fr");
  g_assert_cmpstr (kiosk_dash_negotiate_language ("*"), ==, "en");
  /* Empty ranges: a header of nothing, a trailing comma, two in a row. */
  g_assert_cmpstr (kiosk_dash_negotiate_language (""), ==, "en");
  g_assert_cmpstr (kiosk_dash_negotiate_language ("fr,"), ==, "fr");
  g_assert_cmpstr (kiosk_dash_negotiate_language (",,de;q=0.5,,"), ==, "de");
  g_assert_cmpstr (kiosk_dash_negotiate_language ("de;q=bogus, es"), ==, "es");
  g_assert_cmpstr (kiosk_dash_language_lookup ("DE"), ==, "de");
  g_assert_null (kiosk_dash_language_lookup ("xx"));
}

static void
test_mo_reader (void)
{
  g_autoptr(GBytes) junk = g_bytes_new_static ("\x95\x04\x12\xde not a catalogue at all", 30);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) strings = NULL;

  g_assert_null (kiosk_dash_mo_parse (empty, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_null (kiosk_dash_mo_parse (junk, &error));
  g_assert_nonnull (error);

  /* The build's own catalogues (SMILEY_KIOSK_LOCALEDIR = the build's po/). */
  g_assert_cmpstr (kiosk_dash_translate ("de", "Overview"), ==, "Übersicht");
  g_assert_cmpstr (kiosk_dash_translate ("fr", "Sign out"), ==, "Se déconnecter");
  g_assert_cmpstr (kiosk_dash_translate ("fi", "Compare"), ==, "Vertailu");
  g_assert_cmpstr (kiosk_dash_translate ("es", "Fleet"), ==, "Flota");
  g_assert_cmpstr (kiosk_dash_translate ("en", "Overview"), ==, "Overview");
  g_assert_cmpstr (kiosk_dash_translate ("de", "no such msgid"), ==, "no such msgid");
}

static void
test_formatting (void)
{
  KioskDashRequest request = { 0 };
  struct { const char *language, *count, *percent, *date, *weekday; } cases[] = {
    { "en", "12,345", "12%", "2026-03-01", "Sunday" },
    { "de", "12.345", "12\u00a0%", "01.03.2026", "Sonntag" },
    { "fr", "12\u00a0345", "12\u00a0%", "01/03/2026", "dimanche" },
    { "fi", "12\u00a0345", "12\u00a0%", "1.3.2026", "sunnuntai" },
  };
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, 1, G_DATE_MARCH, 2026);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *count = NULL;
      g_autofree char *percent = NULL;
      g_autofree char *day = NULL;
      g_autofree char *small = NULL;

      request.language = cases[i].language;
      count = kiosk_dash_format_count (&request, 12345);
      percent = kiosk_dash_format_percent (&request, 0.1234);
      day = kiosk_dash_format_date (&request, &date);
      small = kiosk_dash_format_count (&request, 999);
      g_assert_cmpstr (count, ==, cases[i].count);
      g_assert_cmpstr (percent, ==, cases[i].percent);
      g_assert_cmpstr (day, ==, cases[i].date);
      g_assert_cmpstr (small, ==, "999");
      g_assert_cmpstr (kiosk_dash_weekday_name (&request, G_DATE_SUNDAY, FALSE), ==,
                       cases[i].weekday);
    }
  {
    g_autofree char *nan = kiosk_dash_format_index (&request, NAN);
    g_autofree char *index = kiosk_dash_format_index (&request, 77.6);

    g_assert_cmpstr (nan, ==, "–");
    g_assert_cmpstr (index, ==, "78");
  }
}

static void
test_site_access_rule (void)
{
  KioskDashUser admin = { .id = 1, .name = (char *) "a", .admin = TRUE };
  KioskDashUser viewer = { .id = 2, .name = (char *) "v" };
  KioskDashUser nobody = { .id = 3, .name = (char *) "n" };
  gint64 ids[] = { 7, 11 };
  g_autofree char *admin_sql = kiosk_dash_site_condition (&admin, "s.id");
  g_autofree char *viewer_sql = NULL;
  g_autofree char *nobody_sql = NULL;

  viewer.site_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_vals (viewer.site_ids, ids, 2);
  nobody.site_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  viewer_sql = kiosk_dash_site_condition (&viewer, "s.id");
  nobody_sql = kiosk_dash_site_condition (&nobody, "s.id");

  g_assert_true (kiosk_dash_user_may_see_site (&admin, 99));
  g_assert_true (kiosk_dash_user_may_see_site (&viewer, 11));
  g_assert_false (kiosk_dash_user_may_see_site (&viewer, 8));
  g_assert_false (kiosk_dash_user_may_see_site (&nobody, 7));
  g_assert_false (kiosk_dash_user_may_see_site (NULL, 7));
  g_assert_cmpstr (admin_sql, ==, "true");
  g_assert_cmpstr (viewer_sql, ==, "s.id IN (7,11)");
  g_assert_cmpstr (nobody_sql, ==, "false");
  g_array_unref (viewer.site_ids);
  g_array_unref (nobody.site_ids);
}

/* A visitor's comment reaches the managers' spreadsheets: no field may start a formula, even
 * one whose sign is followed by a digit; plain numbers stay numbers. */
static void
test_csv_formula_guard (void)
{
  static const struct { const char *value, *field; } cases[] = {
    { "=1+HYPERLINK(\"http://evil/\",\"x\")", "\"'=1+HYPERLINK(\"\"http://evil/\"\",\"\"x\"\")\"" },
    { "-1+cmd|' /C calc'!A0", "\"'-1+cmd|' /C calc'!A0\"" },
    { "+1+2", "\"'+1+2\"" },
    { "@SUM(A1)", "\"'@SUM(A1)\"" },
    { "=cmd", "\"'=cmd\"" },
    { "-5", "-5" },
    { "+2.5", "+2.5" },
    { "-1", "-1" },
    { "nice", "nice" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) line = g_string_new (NULL);

      kiosk_csv_field (line, cases[i].value);
      g_assert_cmpstr (line->str, ==, cases[i].field);
    }
}

/* A period of millions of days would be held in memory, drawn and tabled by one request. */
static void
test_filter_period_bounded (void)
{
  g_autoptr(GHashTable) query = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) problem = g_string_new (NULL);
  KioskDashRequest request = { .method = "GET", .path = "/sites/north", .query = query };
  KioskDashFilter filter;
  GDate end;

  g_hash_table_insert (query, (char *) "from", (char *) "1900-01-01");
  g_hash_table_insert (query, (char *) "to", (char *) "9999-12-31");
  kiosk_dash_filter_parse (&request, &filter, problem);
  g_date_clear (&end, 1);
  g_date_set_dmy (&end, 31, G_DATE_DECEMBER, 9999);
  g_assert_cmpint (g_date_compare (&filter.to, &end), ==, 0);
  g_assert_cmpint (g_date_days_between (&filter.from, &filter.to) + 1, ==, KIOSK_DASH_MAX_DAYS);
  g_assert_cmpuint (problem->len, >, 0);
  kiosk_dash_filter_clear (&filter);

  /* A long period within the bound is kept as asked. */
  g_string_truncate (problem, 0);
  g_hash_table_insert (query, (char *) "from", (char *) "2022-01-01");
  g_hash_table_insert (query, (char *) "to", (char *) "2026-12-31");
  kiosk_dash_filter_parse (&request, &filter, problem);
  g_assert_cmpint (g_date_get_year (&filter.from), ==, 2022);
  g_assert_cmpuint (problem->len, ==, 0);
  kiosk_dash_filter_clear (&filter);
}

/* The command line */

static void
test_cli_users (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (admin ("short\n", NULL, &err, "user", "add", "shorty", "--admin", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "at least 10 characters"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (admin (PASSWORD "\n", NULL, &err, "user", "add", "v2", "--viewer",
                          "--sites", "north,atlantis", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "there is no site “atlantis”"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (admin (PASSWORD "\n", NULL, &err, "user", "add", "v2", "--viewer",
                          "--groups", "nowhere", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "there is no group “nowhere”"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (admin (PASSWORD "\n", NULL, &err, "user", "add", "boss", "--admin", NULL),
                   ==, 1);
  g_assert_nonnull (strstr (err, "a user named “boss” exists already"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (admin (PASSWORD "\n", NULL, &err, "user", "add", "both", "--admin",
                          "--viewer", NULL), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (admin (PASSWORD "\n", NULL, &err, "user", "add", "lang", "--admin",
                          "--language", "xx", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--language xx"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (admin ("", NULL, &err, "user", "list", NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (admin ("", &out, &err, "user", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "boss"));
  g_assert_nonnull (strstr (out, "north"));
  g_assert_null (strstr (out, "$y$"));   /* no hash is shown */
}

/* Signing in */

static void
test_login_ok (void)
{
  g_autoptr(Reply) reply = NULL;
  g_autoptr(Reply) page = NULL;
  g_autofree char *session = NULL;
  const char *cookie;

  reset_attempts ();
  reply = login_from ("boss", PASSWORD, NULL);
  g_assert_cmpint (reply->status, ==, 303);
  g_assert_cmpstr (header (reply, "location"), ==, "/");
  cookie = set_cookie (reply, KIOSK_DASH_SESSION_COOKIE);
  g_assert_nonnull (cookie);
  g_assert_nonnull (strstr (cookie, "; HttpOnly"));
  g_assert_nonnull (strstr (cookie, "; SameSite=Strict"));
  g_assert_nonnull (strstr (cookie, "; Path=/"));
  g_assert_nonnull (strstr (cookie, "; Secure"));   /* secure-cookies defaults to true */
  assert_security_headers (reply);

  /* The database keeps the cookie's hash, never its value. */
  session = cookie_pair (cookie);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM sessions WHERE "
                                            "position ('%s' IN encode (token_hash, 'escape')) > 0 "
                                            "OR csrf_token = '%s'",
                                            session + strlen ("sk_session="),
                                            session + strlen ("sk_session="));
    g_autofree char *count = kiosk_test_pg_query_value (server.pg, sql, NULL);

    g_assert_cmpstr (count, ==, "0");
  }

  page = get ("/", session);
  g_assert_cmpint (page->status, ==, 200);
  g_assert_nonnull (strstr (page->body->str, "boss"));
  g_assert_nonnull (strstr (page->body->str, "action=\"/logout\""));
  g_assert_nonnull (strstr (page->body->str, "href=\"/fleet\""));   /* an admin's nav */
  g_assert_cmpstr (header (page, "cache-control"), ==, "no-store");
  assert_security_headers (page);
}

static void
test_login_wrong (void)
{
  g_autoptr(Reply) wrong = NULL;
  g_autoptr(Reply) unknown = NULL;

  reset_attempts ();
  wrong = login_from ("boss", "not the password", NULL);
  unknown = login_from ("nobody-at-all", "not the password", NULL);
  g_assert_cmpint (wrong->status, ==, 401);
  g_assert_cmpint (unknown->status, ==, 401);
  g_assert_null (set_cookie (wrong, KIOSK_DASH_SESSION_COOKIE));
  g_assert_null (set_cookie (unknown, KIOSK_DASH_SESSION_COOKIE));
  g_assert_nonnull (strstr (wrong->body->str, "role=\"alert\""));
  g_assert_nonnull (strstr (wrong->body->str, "The name or the password is wrong."));
  g_assert_nonnull (strstr (unknown->body->str, "The name or the password is wrong."));
  /* The name typed stays in the form, escaped. */
  g_assert_nonnull (strstr (unknown->body->str, "value=\"nobody-at-all\""));
}

static void
test_login_csrf (void)
{
  g_autoptr(Reply) no_cookie = NULL;
  g_autoptr(Reply) form = get ("/login", NULL);
  g_autofree char *body = g_strdup_printf ("csrf=%s&name=boss&password=%s",
                                           "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                           "correct%20horse%20battery");
  g_autofree char *pair = cookie_pair (set_cookie (form, KIOSK_DASH_LOGIN_COOKIE));
  g_autoptr(Reply) forged = NULL;

  reset_attempts ();
  g_assert_nonnull (strstr (set_cookie (form, KIOSK_DASH_LOGIN_COOKIE), "; HttpOnly"));
  g_assert_nonnull (strstr (set_cookie (form, KIOSK_DASH_LOGIN_COOKIE), "; SameSite=Strict"));
  /* A right password, but no pre-session cookie, or a token that does not match it. */
  no_cookie = http ("POST", "/login", NULL, body, NULL, NULL, NULL);
  g_assert_cmpint (no_cookie->status, ==, 403);
  g_assert_nonnull (strstr (no_cookie->body->str, "The form expired; reload the page."));
  forged = http ("POST", "/login", pair, body, NULL, NULL, NULL);
  g_assert_cmpint (forged->status, ==, 403);
  g_assert_null (set_cookie (forged, KIOSK_DASH_SESSION_COOKIE));
}

static void
test_throttle_per_user (void)
{
  g_autoptr(Reply) refused = NULL;
  g_autoptr(Reply) other = NULL;

  reset_attempts ();
  for (guint i = 0; i < KIOSK_DASH_LOGIN_FREE_FAILURES; i++)
    {
      g_autoptr(Reply) wrong = login_from ("boss", "guess guess guess", NULL);

      g_assert_cmpint (wrong->status, ==, 401);
    }
  /* The right password, from another address: the name is throttled. */
  refused = login_from ("boss", PASSWORD, "127.0.0.3");
  g_assert_cmpint (refused->status, ==, 429);
  g_assert_null (set_cookie (refused, KIOSK_DASH_SESSION_COOKIE));
  g_assert_cmpstr (header (refused, "retry-after"), ==, "30");
  g_assert_nonnull (strstr (refused->body->str, "Try again in 0:30"));
  g_assert_nonnull (strstr (refused->body->str, "role=\"alert\""));
  /* Another user from yet another address is not. */
  other = login_from ("viewer", VIEWER_PASS, "127.0.0.4");
  g_assert_cmpint (other->status, ==, 303);
  reset_attempts ();
}

static void
test_throttle_per_address (void)
{
  g_autoptr(Reply) refused = NULL;
  g_autoptr(Reply) elsewhere = NULL;

  reset_attempts ();
  for (guint i = 0; i < KIOSK_DASH_LOGIN_FREE_FAILURES; i++)
    {
      g_autofree char *name = g_strdup_printf ("guess%u", i);
      g_autoptr(Reply) wrong = login_from (name, "guess guess guess", "127.0.0.2");

      g_assert_cmpint (wrong->status, ==, 401);
    }
  refused = login_from ("boss", PASSWORD, "127.0.0.2");
  g_assert_cmpint (refused->status, ==, 429);
  elsewhere = login_from ("boss", PASSWORD, "127.0.0.1");
  g_assert_cmpint (elsewhere->status, ==, 303);
  reset_attempts ();
}

/* Guesses sent side by side, each from its own address: together they get no more tries than
 * one after the other. */
static gpointer
guess_thread (gpointer data)
{
  g_autoptr(Reply) reply = login_from ("boss", "guess guess guess", data);

  return GINT_TO_POINTER ((int) reply->status);
}

static void
test_throttle_concurrent (void)
{
  GThread *threads[12];
  char *sources[G_N_ELEMENTS (threads)];
  guint wrong = 0, refused = 0;

  reset_attempts ();
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      sources[i] = g_strdup_printf ("127.0.0.%u", 20 + i);
      threads[i] = g_thread_new ("guess", guess_thread, sources[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      int status = GPOINTER_TO_INT (g_thread_join (threads[i]));

      wrong += status == 401;
      refused += status == 429;
      g_free (sources[i]);
    }
  g_assert_cmpuint (wrong + refused, ==, G_N_ELEMENTS (threads));
  g_assert_cmpuint (wrong, <=, KIOSK_DASH_LOGIN_FREE_FAILURES);
  reset_attempts ();
}

/* Sessions */

static void
test_logout_csrf_and_reuse (void)
{
  g_autofree char *mine = NULL;
  g_autofree char *other = NULL;
  g_autofree char *my_csrf = NULL;
  g_autofree char *other_csrf = NULL;
  g_autofree char *body = NULL;

  reset_attempts ();
  mine = login ("boss", PASSWORD);
  other = login ("viewer", VIEWER_PASS);
  {
    g_autoptr(Reply) a = get ("/", mine);
    g_autoptr(Reply) b = get ("/", other);

    my_csrf = csrf_of_page (a->body->str);
    other_csrf = csrf_of_page (b->body->str);
    g_assert_nonnull (my_csrf);
    g_assert_nonnull (other_csrf);
    g_assert_cmpstr (my_csrf, !=, other_csrf);
  }

  /* Missing, forged, and replayed from another session: 403, still signed in. */
  {
    g_autoptr(Reply) missing = http ("POST", "/logout", mine, "", NULL, NULL, NULL);
    g_autoptr(Reply) forged = http ("POST", "/logout", mine,
                                    "csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL,
                                    NULL, NULL);
    g_autofree char *replay_body = g_strconcat ("csrf=", other_csrf, NULL);
    g_autoptr(Reply) replayed = http ("POST", "/logout", mine, replay_body, NULL, NULL, NULL);
    g_autoptr(Reply) still = get ("/", mine);

    g_assert_cmpint (missing->status, ==, 403);
    g_assert_nonnull (strstr (missing->body->str, "The form expired; reload the page."));
    g_assert_cmpint (forged->status, ==, 403);
    g_assert_cmpint (replayed->status, ==, 403);
    g_assert_cmpint (still->status, ==, 200);
  }

  body = g_strconcat ("csrf=", my_csrf, NULL);
  {
    g_autoptr(Reply) out = http ("POST", "/logout", mine, body, NULL, NULL, NULL);
    const char *cleared = set_cookie (out, KIOSK_DASH_SESSION_COOKIE);

    g_assert_cmpint (out->status, ==, 303);
    g_assert_cmpstr (header (out, "location"), ==, "/login");
    g_assert_nonnull (cleared);
    g_assert_true (g_str_has_prefix (cleared, "sk_session=;"));
    g_assert_nonnull (strstr (cleared, "Max-Age=0"));
  }
  /* The old cookie, kept by someone: refused. The other session lives on. */
  {
    g_autoptr(Reply) page = get ("/", mine);
    g_autoptr(Reply) csv = get ("/overview.csv", mine);
    g_autoptr(Reply) others = get ("/", other);

    g_assert_cmpint (page->status, ==, 303);
    g_assert_cmpstr (header (page, "location"), ==, "/login?next=%2F");
    g_assert_cmpint (csv->status, ==, 401);
    g_assert_cmpint (others->status, ==, 200);
  }
}

static void
test_forged_session (void)
{
  g_autoptr(Reply) random = get ("/", "sk_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  g_autoptr(Reply) junk = get ("/compare", "sk_session=' OR 1=1 --");
  g_autoptr(Reply) csv = get ("/compare.csv", "sk_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

  g_assert_cmpint (random->status, ==, 303);
  g_assert_cmpint (junk->status, ==, 303);
  g_assert_cmpint (csv->status, ==, 401);
}

static void
test_expired_session (void)
{
  g_autofree char *session = NULL;
  g_autoptr(GError) error = NULL;

  reset_attempts ();
  session = login ("viewer", VIEWER_PASS);
  /* Idle for more than 8 hours. */
  kiosk_test_pg_exec (server.pg, "UPDATE sessions SET last_seen = now () - interval '9 hours'",
                      &error);
  g_assert_no_error (error);
  {
    g_autoptr(Reply) page = get ("/", session);

    g_assert_cmpint (page->status, ==, 303);
  }
}

/* Every route without a session: a page sends to /login, a CSV or a POST says 401. */
static void
test_every_route_as_nobody (void)
{
  for (const KioskDashRoute *route = kiosk_dash_routes; route->pattern; route++)
    {
      g_autofree char *path = NULL;
      g_auto(GStrv) parts = g_strsplit (route->pattern, "*", -1);
      g_autoptr(Reply) reply = NULL;

      path = g_strjoinv ("north", parts);
      if (g_str_has_suffix (route->pattern, "/*/*"))
        {
          g_free (path);
          path = g_strdup ("/sites/north/daily.csv");
        }
      if (g_str_has_prefix (route->pattern, "/static/"))
        {
          g_free (path);
          path = g_strdup ("/static/style.css");
        }
      reply = http (route->method, path, NULL, strcmp (route->method, "POST") == 0 ? "" : NULL,
                    NULL, NULL, NULL);
      g_test_message ("%s %s: %ld", route->method, path, reply->status);
      assert_security_headers (reply);
      if (route->flags & KIOSK_DASH_ROUTE_PUBLIC)
        {
          g_assert_cmpint (reply->status, !=, 401);
          g_assert_cmpint (reply->status, !=, 303);
        }
      else if (strcmp (route->method, "GET") == 0 && !g_str_has_suffix (path, ".csv"))
        {
          g_autofree char *next = g_uri_escape_string (path, NULL, FALSE);
          g_autofree char *location = g_strconcat ("/login?next=", next, NULL);

          g_assert_cmpint (reply->status, ==, 303);
          g_assert_cmpstr (header (reply, "location"), ==, location);
        }
      else
        g_assert_cmpint (reply->status, ==, 401);
    }
}

static void
test_viewer_on_admin_routes (void)
{
  g_autofree char *session = NULL;

  reset_attempts ();
  session = login ("viewer", VIEWER_PASS);
  for (const KioskDashRoute *route = kiosk_dash_routes; route->pattern; route++)
    {
      g_autoptr(Reply) reply = NULL;

      if (!(route->flags & KIOSK_DASH_ROUTE_ADMIN))
        continue;
      reply = http (route->method, route->pattern, session, NULL, NULL, NULL, NULL);
      g_assert_cmpint (reply->status, ==, 403);
      assert_security_headers (reply);
    }
  {
    g_autoptr(Reply) page = get ("/compare", session);

    /* A viewer's navigation has no Fleet. */
    g_assert_cmpint (page->status, ==, 200);
    g_assert_null (strstr (page->body->str, "href=\"/fleet\""));
  }
}

/* A viewer sees its own site; another site "does not exist" for it: 404, not 403. */
static void
test_viewer_on_other_site (void)
{
  g_autofree char *session = NULL;
  g_autoptr(Reply) own = NULL;
  g_autoptr(Reply) other = NULL;
  g_autoptr(Reply) other_csv = NULL;
  g_autoptr(Reply) missing = NULL;

  reset_attempts ();
  session = login ("viewer", VIEWER_PASS);
  own = get ("/sites/north", session);
  other = get ("/sites/south", session);
  other_csv = get ("/sites/south/daily.csv", session);
  missing = get ("/sites/atlantis", session);
  g_assert_cmpint (own->status, ==, 200);
  g_assert_cmpint (other->status, ==, 404);
  g_assert_cmpint (other_csv->status, ==, 404);
  g_assert_cmpint (missing->status, ==, 404);
}

/* Alerts and reports: a viewer sees, acknowledges and downloads only what is of its sites; a
 * site it may not see is as unknown as one that does not exist, whatever the form or the
 * address says. */
static void
test_viewer_alerts_and_reports (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *session = NULL;
  g_autofree char *csrf = NULL;
  g_autofree char *south_episode = NULL;
  g_autofree char *north_episode = NULL;
  g_autofree char *form = NULL;
  g_autoptr(Reply) alerts = NULL;

  /* Held a minute ago, with an hour's window: open whatever the server's evaluation finds. */
  kiosk_test_pg_exec (server.pg,
                      "INSERT INTO alert_rules (name, kind, site_id, threshold, window_minutes)"
                      " SELECT 'north-rule', 'unhappy-share', id, 50, 60 FROM sites"
                      "  WHERE name = 'north'"
                      " UNION ALL SELECT 'south-rule', 'unhappy-share', id, 50, 60 FROM sites"
                      "  WHERE name = 'south';"
                      "INSERT INTO alert_episodes (rule_id, site_id, opened_at, last_held_at,"
                      " value, responses)"
                      " SELECT r.id, r.site_id, now () - interval '1 minute',"
                      "  now () - interval '1 minute', 75, 8 FROM alert_rules r"
                      "  WHERE r.name IN ('north-rule', 'south-rule')", &error);
  g_assert_no_error (error);
  south_episode = kiosk_test_pg_query_value (server.pg,
                                             "SELECT e.id FROM alert_episodes e JOIN sites s"
                                             " ON s.id = e.site_id WHERE s.name = 'south'",
                                             &error);
  north_episode = kiosk_test_pg_query_value (server.pg,
                                             "SELECT e.id FROM alert_episodes e JOIN sites s"
                                             " ON s.id = e.site_id WHERE s.name = 'north'",
                                             &error);
  g_assert_no_error (error);

  reset_attempts ();
  session = login ("viewer", VIEWER_PASS);
  alerts = get ("/alerts", session);
  g_assert_cmpint (alerts->status, ==, 200);
  assert_security_headers (alerts);
  g_assert_nonnull (strstr (alerts->body->str, "north-rule"));
  g_assert_null (strstr (alerts->body->str, "south-rule"));
  g_assert_nonnull (strstr (alerts->body->str, "<span class=\"badge\">1<"));
  csrf = csrf_of_page (alerts->body->str);
  g_assert_nonnull (csrf);

  /* The other site's episode, with the viewer's own valid token. */
  form = g_strdup_printf ("csrf=%s&episode=%s&comment=mine", csrf, south_episode);
  {
    g_autoptr(Reply) reply = http ("POST", "/alerts/acknowledge", session, form, NULL, NULL,
                                   NULL);
    g_autofree char *by = kiosk_test_pg_query_value (server.pg,
                                                     "SELECT count (*) FROM alert_episodes"
                                                     " WHERE acknowledged_at IS NOT NULL",
                                                     &error);

    g_assert_cmpint (reply->status, ==, 404);
    g_assert_cmpstr (by, ==, "0");
  }
  /* Without the token the router refuses before the page runs. */
  g_free (form);
  form = g_strdup_printf ("csrf=forged&episode=%s", north_episode);
  {
    g_autoptr(Reply) reply = http ("POST", "/alerts/acknowledge", session, form, NULL, NULL,
                                   NULL);

    g_assert_cmpint (reply->status, ==, 403);
  }
  g_free (form);
  form = g_strdup_printf ("csrf=%s&episode=%s&comment=on+it", csrf, north_episode);
  {
    g_autoptr(Reply) reply = http ("POST", "/alerts/acknowledge", session, form, NULL, NULL,
                                   NULL);
    g_autofree char *location = g_strdup_printf ("/alerts?result=acknowledged#episode-%s",
                                                 north_episode);
    g_autoptr(Reply) page = NULL;

    g_assert_cmpint (reply->status, ==, 303);
    g_assert_cmpstr (header (reply, "location"), ==, location);
    page = get (location, session);
    g_assert_nonnull (strstr (page->body->str, "Acknowledged by viewer on "));
    g_assert_nonnull (strstr (page->body->str, "<q>on it</q>"));
  }

  /* Reports: its own site as a PDF; the other site, or a group with it, not at all. */
  {
    g_autoptr(Reply) own = get ("/reports/download?site=north&period=day&date=2026-03-10",
                                session);
    g_autoptr(Reply) other = get ("/reports/download?site=south&period=day&date=2026-03-10",
                                  session);
    g_autoptr(Reply) group = get ("/reports/download?scope=group%3Aeast&period=week"
                                  "&date=2026-03-10", session);
    g_autoptr(Reply) schedules = http ("POST", "/reports/schedules", session, form, NULL,
                                       NULL, NULL);

    g_assert_cmpint (own->status, ==, 200);
    g_assert_cmpstr (header (own, "content-type"), ==, "application/pdf");
    g_assert_cmpstr (header (own, "content-disposition"), ==,
                     "attachment; filename=\"report-north-2026-03-10.pdf\"");
    g_assert_true (g_str_has_prefix (own->body->str, "%PDF-"));
    assert_security_headers (own);
    g_assert_cmpint (other->status, ==, 404);
    g_assert_null (header (other, "content-disposition"));
    g_assert_cmpint (group->status, ==, 404);
    g_assert_cmpint (schedules->status, ==, 403);
  }
  kiosk_test_pg_exec (server.pg, "DELETE FROM alert_rules", &error);
  g_assert_no_error (error);
}

static void
test_errors (void)
{
  g_autoptr(Reply) missing = get ("/no/such/page", NULL);
  g_autoptr(Reply) method = get ("/logout", NULL);
  g_autofree char *big = g_strnfill (KIOSK_DASH_MAX_FORM_BYTES + 10, 'a');
  g_autoptr(Reply) large = http ("POST", "/login", NULL, big, NULL, NULL, NULL);
  g_autoptr(Reply) style = get ("/static/style.css", NULL);
  g_autoptr(Reply) script = get ("/static/dash.js", NULL);
  g_autoptr(Reply) escape = get ("/static/..%2Fmigrations%2F001-initial.sql", NULL);

  g_assert_cmpint (missing->status, ==, 404);
  g_assert_nonnull (strstr (missing->body->str, "<h1>"));
  assert_security_headers (missing);
  g_assert_cmpint (method->status, ==, 405);
  g_assert_cmpstr (header (method, "allow"), ==, "POST");
  g_assert_cmpint (large->status, ==, 413);
  g_assert_cmpint (style->status, ==, 200);
  g_assert_cmpstr (header (style, "content-type"), ==, "text/css; charset=utf-8");
  g_assert_cmpint (script->status, ==, 200);
  g_assert_cmpint (escape->status, ==, 404);
}

/* The reader's language: the user's setting, else Accept-Language. */
static void
test_languages (void)
{
  g_autoptr(Reply) login_de = http ("GET", "/login", NULL, NULL, NULL,
                                    "Accept-Language: fr;q=0.5, de-AT;q=0.9", NULL);
  g_autoptr(Reply) login_en = http ("GET", "/login", NULL, NULL, NULL,
                                    "Accept-Language: ja", NULL);
  g_autofree char *session = NULL;

  g_assert_nonnull (strstr (login_de->body->str, "<html lang=\"de\">"));
  g_assert_nonnull (strstr (login_de->body->str, ">Anmelden<"));
  g_assert_nonnull (strstr (login_de->body->str, ">Passwort<"));
  g_assert_nonnull (strstr (login_en->body->str, "<html lang=\"en\">"));
  g_assert_nonnull (strstr (login_en->body->str, ">Sign in<"));

  /* Hans chose German: his pages are German whatever his browser says. */
  reset_attempts ();
  session = login ("hans", PASSWORD);
  {
    g_autoptr(Reply) page = http ("GET", "/compare", session, NULL, NULL,
                                  "Accept-Language: fr", NULL);

    g_assert_cmpint (page->status, ==, 200);
    g_assert_nonnull (strstr (page->body->str, "<html lang=\"de\">"));
    g_assert_nonnull (strstr (page->body->str, ">Übersicht<"));
    g_assert_nonnull (strstr (page->body->str, ">Vergleich<"));
    g_assert_nonnull (strstr (page->body->str, ">Abmelden<"));
  }
}

static void
test_insecure_cookies_config (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dash-auth-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "server.conf", NULL);
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) process = NULL;

  g_assert_true (g_file_set_contents (path, "[dashboard]\nsecure-cookies=false\n", -1, NULL));
  process = serve (path, &url);
  {
    g_autoptr(Reply) form = http ("GET", "/login", NULL, NULL, NULL, NULL, url);
    const char *cookie = set_cookie (form, KIOSK_DASH_LOGIN_COOKIE);

    g_assert_nonnull (cookie);
    g_assert_null (strstr (cookie, "Secure"));
    g_assert_nonnull (strstr (cookie, "HttpOnly"));
  }
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  curl_global_init (CURL_GLOBAL_DEFAULT);

  g_test_add_func ("/dashboard/html-escaping", test_html_escaping);
  g_test_add_func ("/dashboard/route-match", test_route_match);
  g_test_add_func ("/dashboard/forms", test_forms);
  g_test_add_func ("/dashboard/language-negotiation", test_language_negotiation);
  g_test_add_func ("/dashboard/mo-reader", test_mo_reader);
  g_test_add_func ("/dashboard/formatting", test_formatting);
  g_test_add_func ("/dashboard/site-access-rule", test_site_access_rule);
  g_test_add_func ("/dashboard/filter-period-bounded", test_filter_period_bounded);
  g_test_add_func ("/dashboard/csv-formula-guard", test_csv_formula_guard);

  if (kiosk_test_pg_skip_reason () != NULL)
    {
      g_test_message ("server tests skipped: %s", kiosk_test_pg_skip_reason ());
      return g_test_run ();
    }
  server.pg = kiosk_test_pg_start (&error);
  g_assert_no_error (error);
  g_assert_cmpint (admin (NULL, NULL, NULL, "migrate", NULL), ==, 0);
  g_assert_cmpint (admin (NULL, NULL, NULL, "group", "add", "east", NULL), ==, 0);
  g_assert_cmpint (admin (NULL, NULL, NULL, "site", "add", "north", "--time-zone", "UTC", NULL),
                   ==, 0);
  g_assert_cmpint (admin (NULL, NULL, NULL, "site", "add", "south", "--time-zone", "UTC",
                          "--group", "east", NULL), ==, 0);
  g_assert_cmpint (admin (PASSWORD "\n", NULL, NULL, "user", "add", "boss", "--admin", NULL),
                   ==, 0);
  g_assert_cmpint (admin (VIEWER_PASS "\n", NULL, NULL, "user", "add", "viewer", "--viewer",
                          "--sites", "north", NULL), ==, 0);
  g_assert_cmpint (admin (PASSWORD "\n", NULL, NULL, "user", "add", "hans", "--viewer",
                          "--groups", "east", "--language", "de", NULL), ==, 0);
  server.process = serve (NULL, &server.dash_url);

  g_test_add_func ("/dashboard/cli-users", test_cli_users);
  g_test_add_func ("/dashboard/login-ok", test_login_ok);
  g_test_add_func ("/dashboard/login-wrong", test_login_wrong);
  g_test_add_func ("/dashboard/login-csrf", test_login_csrf);
  g_test_add_func ("/dashboard/throttle-per-user", test_throttle_per_user);
  g_test_add_func ("/dashboard/throttle-per-address", test_throttle_per_address);
  g_test_add_func ("/dashboard/throttle-concurrent", test_throttle_concurrent);
  g_test_add_func ("/dashboard/logout-csrf-and-reuse", test_logout_csrf_and_reuse);
  g_test_add_func ("/dashboard/forged-session", test_forged_session);
  g_test_add_func ("/dashboard/expired-session", test_expired_session);
  g_test_add_func ("/dashboard/every-route-as-nobody", test_every_route_as_nobody);
  g_test_add_func ("/dashboard/viewer-on-admin-routes", test_viewer_on_admin_routes);
  g_test_add_func ("/dashboard/viewer-on-other-site", test_viewer_on_other_site);
  g_test_add_func ("/dashboard/viewer-alerts-and-reports", test_viewer_alerts_and_reports);
  g_test_add_func ("/dashboard/errors", test_errors);
  g_test_add_func ("/dashboard/languages", test_languages);
  g_test_add_func ("/dashboard/insecure-cookies-config", test_insecure_cookies_config);
  status = g_test_run ();

  g_subprocess_force_exit (server.process);
  g_subprocess_wait (server.process, NULL, NULL);
  g_clear_object (&server.process);
  g_free (server.dash_url);
  kiosk_test_pg_free (server.pg);
  curl_global_cleanup ();
  return status;
}
