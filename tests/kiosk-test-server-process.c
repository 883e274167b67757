/* kiosk-test-server-process.c: smiley-kiosk-server as a child of a test (see the header). */
#define G_LOG_DOMAIN "kiosk-test-server-process"

#include "config.h"

#include <curl/curl.h>
#include <gio/gio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "kiosk-cloudevents.h"
#include "kiosk-test-server-process.h"

#define LISTEN_TIMEOUT_S 30
#define LISTEN_MARK      ": listening on "

struct _KioskTestServerProcess
{
  KioskTestPg *pg;
  char        *binary;
  GSubprocess *process;
  char        *url;
  char        *config;      /* serve --config; NULL: none */
  gboolean     borrows_pg;  /* a sibling's: the first server's cluster */
};

static char *
binary_path (GError **error)
{
  const char *path = g_getenv ("SMILEY_KIOSK_SERVER_BINARY");

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "SMILEY_KIOSK_SERVER_BINARY (%s) is not an executable: run the tests with "
                   "meson test", path ? path : "unset");
      return NULL;
    }
  return g_strdup (path);
}

typedef struct
{
  char     *line;
  GError   *error;
  gboolean  done;
} LineRead;

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  LineRead *read = data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, &read->error);
  read->done = TRUE;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The first stdout line that says "listening on", within LISTEN_TIMEOUT_S. */
static char *
wait_for_listening (GSubprocess *process,
                    GError     **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (LISTEN_TIMEOUT_S);
  gboolean timed_out = FALSE;
  char *url = NULL;

  g_main_context_push_thread_default (context);
  g_source_set_callback (timeout, timeout_cb, &timed_out, NULL);
  g_source_attach (timeout, context);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  /* The server goes on writing (the dashboard's line follows): its stdout stays open. */
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);

  while (url == NULL)
    {
      LineRead read = { NULL, NULL, FALSE };
      const char *mark;

      g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, cancellable, line_read_cb,
                                           &read);
      while (!read.done && !timed_out)
        g_main_context_iteration (context, TRUE);
      if (!read.done)
        {
          g_cancellable_cancel (cancellable);
          while (!read.done)
            g_main_context_iteration (context, TRUE);
          g_clear_error (&read.error);
          g_free (read.line);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "smiley-kiosk-server said nothing about listening within %d s",
                       LISTEN_TIMEOUT_S);
          break;
        }
      if (read.error != NULL)
        {
          g_propagate_error (error, read.error);
          break;
        }
      if (read.line == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "smiley-kiosk-server ended before it listened (its stderr is in "
                               "the test log)");
          break;
        }
      mark = strstr (read.line, LISTEN_MARK);
      if (mark != NULL)
        {
          const char *start = mark + strlen (LISTEN_MARK);
          const char *end = strchr (start, ' ');

          url = end ? g_strndup (start, end - start) : g_strdup (start);
        }
      g_free (read.line);
    }

  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);
  return url;
}

/* A test that fails aborts: the server must not outlive it (and hold meson's pipes open). */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
start_serving (KioskTestServerProcess *srv,
               GError                **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

  g_strv_builder_add (builder, srv->binary);
  if (srv->config != NULL)
    g_strv_builder_addv (builder, (const char *[]) { "--config", srv->config, NULL });
  /* After --config: the cluster's conninfo wins over the file's. */
  g_strv_builder_addv (builder, (const char *[]) { "--database",
                                                   kiosk_test_pg_get_conninfo (srv->pg),
                                                   "serve", "--listen", "127.0.0.1:0",
                                                   "--dashboard-listen", "127.0.0.1:0",
                                                   NULL });
  argv = g_strv_builder_end (builder);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  srv->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, error);
  if (srv->process == NULL)
    return FALSE;
  srv->url = wait_for_listening (srv->process, error);
  if (srv->url == NULL)
    {
      kiosk_test_server_process_kill (srv);
      return FALSE;
    }
  return TRUE;
}

KioskTestServerProcess *
kiosk_test_server_process_start (gboolean serve,
                                 GError **error)
{
  g_autoptr(KioskTestServerProcess) srv = g_new0 (KioskTestServerProcess, 1);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  srv->binary = binary_path (error);
  if (srv->binary == NULL)
    return NULL;
  srv->pg = kiosk_test_pg_start (error);
  if (srv->pg == NULL)
    return NULL;
  if (kiosk_test_server_admin (srv, &out, &err, "migrate", NULL) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "migrate failed: %s", err);
      return NULL;
    }
  if (serve && !start_serving (srv, error))
    return NULL;
  return g_steal_pointer (&srv);
}

KioskTestServerProcess *
kiosk_test_server_process_start_or_skip (gboolean serve)
{
  g_autoptr(GError) error = NULL;
  KioskTestServerProcess *srv;

  if (kiosk_test_pg_skip_reason () != NULL)
    return NULL;
  srv = kiosk_test_server_process_start (serve, &error);
  g_assert_no_error (error);
  return srv;
}

KioskTestServerProcess *
kiosk_test_server_process_start_sibling (KioskTestServerProcess *srv,
                                         GError                **error)
{
  g_autoptr(KioskTestServerProcess) sibling = g_new0 (KioskTestServerProcess, 1);

  sibling->binary = g_strdup (srv->binary);
  sibling->pg = srv->pg;
  sibling->borrows_pg = TRUE;
  sibling->config = g_strdup (srv->config);
  if (!start_serving (sibling, error))
    return NULL;
  return g_steal_pointer (&sibling);
}

void
kiosk_test_server_process_set_config (KioskTestServerProcess *srv,
                                      const char             *path)
{
  g_free (srv->config);
  srv->config = g_strdup (path);
}

void
kiosk_test_server_process_free (KioskTestServerProcess *srv)
{
  if (srv == NULL)
    return;
  kiosk_test_server_process_kill (srv);
  if (!srv->borrows_pg)
    g_clear_pointer (&srv->pg, kiosk_test_pg_free);
  g_free (srv->config);
  g_free (srv->binary);
  g_free (srv);
}

KioskTestPg *
kiosk_test_server_process_get_pg (KioskTestServerProcess *srv)
{
  return srv->pg;
}

const char *
kiosk_test_server_process_get_url (KioskTestServerProcess *srv)
{
  return srv->url;
}

GPid
kiosk_test_server_process_get_pid (KioskTestServerProcess *srv)
{
  const char *id = srv->process ? g_subprocess_get_identifier (srv->process) : NULL;

  return id ? (GPid) g_ascii_strtoll (id, NULL, 10) : 0;
}

void
kiosk_test_server_process_kill (KioskTestServerProcess *srv)
{
  if (srv->process != NULL)
    {
      g_subprocess_force_exit (srv->process);
      g_subprocess_wait (srv->process, NULL, NULL);
      g_clear_object (&srv->process);
    }
  g_clear_pointer (&srv->url, g_free);
}

gboolean
kiosk_test_server_process_restart (KioskTestServerProcess *srv,
                                   GError                **error)
{
  kiosk_test_server_process_kill (srv);
  return start_serving (srv, error);
}

int
kiosk_test_server_adminv (KioskTestServerProcess *srv,
                          const char * const     *args,
                          char                  **out,
                          char                  **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;

  g_ptr_array_add (argv, srv->binary);
  g_ptr_array_add (argv, (gpointer) "--database");
  g_ptr_array_add (argv, (gpointer) kiosk_test_pg_get_conninfo (srv->pg));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  if (process == NULL ||
      !g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error))
    {
      g_test_message ("smiley-kiosk-server %s: %s", args[0], error->message);
      return -1;
    }
  if (out)
    *out = g_steal_pointer (&stdout_text);
  if (err)
    *err = g_steal_pointer (&stderr_text);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

int
kiosk_test_server_admin (KioskTestServerProcess *srv,
                         char                  **out,
                         char                  **err,
                         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return kiosk_test_server_adminv (srv, (const char * const *) args->pdata, out, err);
}

char *
kiosk_test_server_query (KioskTestServerProcess *srv,
                         const char             *format,
                         ...)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  char *value;
  va_list args;

  va_start (args, format);
  sql = g_strdup_vprintf (format, args);
  va_end (args);
  value = kiosk_test_pg_query_value (srv->pg, sql, &error);
  g_assert_no_error (error);
  return value;
}

void
kiosk_test_server_exec (KioskTestServerProcess *srv,
                        const char             *sql)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (kiosk_test_pg_exec (srv->pg, sql, &error));
  g_assert_no_error (error);
}

char *
kiosk_test_server_add_device (KioskTestServerProcess *srv,
                              const char             *site,
                              const char             *device_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sites WHERE name = '%s'", site);
  g_autofree char *known = kiosk_test_pg_query_value (srv->pg, sql, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;

  if (g_strcmp0 (known, "0") == 0)
    {
      g_autofree char *site_err = NULL;

      g_assert_cmpint (kiosk_test_server_admin (srv, NULL, &site_err, "site", "add", site,
                                                "--time-zone", "UTC", NULL), ==, 0);
    }
  g_assert_cmpint (kiosk_test_server_admin (srv, &out, &err, "device", "add", device_id,
                                            "--site", site, NULL), ==, 0);
  /* The token is the fourth line, between blank lines. */
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 5);
  g_assert_cmpstr (lines[2], ==, "");
  g_assert_cmpstr (lines[4], ==, "");
  g_assert_cmpuint (strlen (lines[3]), >=, 40);
  return g_strdup (lines[3]);
}

/* HTTP */

void
kiosk_test_http_reply_free (KioskTestHttpReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->body);
  g_free (reply->error);
  g_clear_pointer (&reply->headers, g_hash_table_unref);
  g_free (reply);
}

const char *
kiosk_test_http_reply_header (KioskTestHttpReply *reply,
                              const char         *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_hash_table_lookup (reply->headers, lower);
}

static size_t
body_cb (char   *data,
         size_t  size,
         size_t  n,
         void   *user_data)
{
  g_string_append_len (user_data, data, size * n);
  return size * n;
}

static size_t
header_cb (char   *data,
           size_t  size,
           size_t  n,
           void   *user_data)
{
  KioskTestHttpReply *reply = user_data;
  g_autofree char *line = g_strndup (data, size * n);
  char *colon = strchr (line, ':');

  if (colon != NULL)
    {
      *colon = '\0';
      g_hash_table_replace (reply->headers, g_ascii_strdown (g_strstrip (line), -1),
                            g_strdup (g_strstrip (colon + 1)));
    }
  else if (g_str_has_prefix (line, "HTTP/"))
    g_hash_table_remove_all (reply->headers);   /* a new response (after 100 Continue) */
  return size * n;
}

KioskTestHttpReply *
kiosk_test_http (KioskTestServerProcess *srv,
                 const char             *method,
                 const char             *path,
                 const char * const     *headers,
                 const char             *body,
                 gssize                  length,
                 gboolean                gzip)
{
  KioskTestHttpReply *reply = g_new0 (KioskTestHttpReply, 1);
  g_autoptr(GString) received = g_string_new (NULL);
  g_autoptr(GBytes) compressed = NULL;
  g_autofree char *url = g_strconcat (srv->url, path, NULL);
  struct curl_slist *list = NULL;
  char error_text[CURL_ERROR_SIZE] = "";
  CURL *curl = curl_easy_init ();
  CURLcode rc;

  g_assert_nonnull (srv->url);
  reply->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (body != NULL && length < 0)
    length = strlen (body);
  if (body != NULL && gzip)
    {
      g_autoptr(GError) error = NULL;

      compressed = kiosk_gzip (body, length, 6, &error);
      g_assert_no_error (error);
      body = g_bytes_get_data (compressed, NULL);
      length = g_bytes_get_size (compressed);
      list = curl_slist_append (list, "Content-Encoding: gzip");
    }
  for (guint i = 0; headers && headers[i]; i++)
    list = curl_slist_append (list, headers[i]);
  /* libcurl adds these unless told not to: the tests say what they send. */
  list = curl_slist_append (list, "Expect:");
  list = curl_slist_append (list, "Accept:");

  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, error_text);
  if (strcmp (method, "HEAD") == 0)
    curl_easy_setopt (curl, CURLOPT_NOBODY, 1L);
  else
    curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
  if (body != NULL)
    {
      curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) length);
    }
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, body_cb);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, received);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, reply);

  rc = curl_easy_perform (curl);
  if (rc == CURLE_OK)
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &reply->status);
  else
    reply->error = g_strdup_printf ("%s: %s", curl_easy_strerror (rc), error_text);
  curl_slist_free_all (list);
  curl_easy_cleanup (curl);

  reply->length = received->len;
  reply->body = g_string_free (g_steal_pointer (&received), FALSE);
  return reply;
}
