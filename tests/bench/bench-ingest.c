/* bench-ingest.c: a fleet of kiosks drains its backlog into smiley-kiosk-server on loopback, and
 * the same rows go straight into PostgreSQL by COPY (the floor), in the same run.
 *
 * Sections (--sections, all by default):
 *   threads  [http] threads = 2, 4, 8 at 100 kiosks, batches of 500: which pool size is best
 *   ingest   1, 100 and 1 000 kiosks, batches of 500 and 50: events/s, batch latency p50/p99,
 *            server RSS start/peak/end, beside COPY on one connection and on as many connections
 *            as the server has threads; at 1 000 kiosks also a paced run at half the capacity
 *   http     libmicrohttpd against libsoup 3 without the database: two minimal receivers in this
 *            program (--serve-mhd, --serve-soup) doing the same work for POST /v1/events
 *   alerts   100 kiosks on the one site, batches of 50, responses up to now: the server without
 *            alert rules, then with four on the site (every batch pokes their evaluation, and
 *            the unhappy share holds, so an episode opens and its mail is queued), run after
 *            run; events/s, p99, CPU, and the time from the batch's transaction to the episode
 *
 * Set-up: a private PostgreSQL (tests/kiosk-test-pg.c, fsync on, on the disk of TMPDIR), the
 * schema by the server's own migrations ("site add"), then the devices inserted directly with
 * SQL, token_hash = kiosk_token_hash_hex (token): the server's own function (kiosk-server-auth.c,
 * unsalted SHA-256), so every request authenticates as the server would for a "device add".
 * Every run starts on an empty responses table (TRUNCATE, CHECKPOINT) and a fresh server
 * process; every event must come back "accepted" and be counted in the table, or the run fails.
 *
 * The kiosks are one libcurl multi handle in this process (one easy handle, one keep-alive
 * connection, one request in flight per kiosk, as the uploader does); the server, its PostgreSQL
 * and this client share the machine's cores. */
#define G_LOG_DOMAIN "bench-ingest"

#include "bench-config.h"

#include <curl/curl.h>
#include <errno.h>
#include <libpq-fe.h>
#include <locale.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#ifdef BENCH_HAVE_SOUP
#include <libsoup/soup.h>
#endif

#include "bench-util.h"
#include "kiosk-clock.h"
#include "kiosk-cloudevents.h"
#include "kiosk-server-auth.h"
#include "kiosk-test-pg.h"
#include "kiosk-test-sync.h"

#define GOAL_RATIO      0.5
#define GOAL_P99_MS     100.0
#define SITE_ZONE       "Europe/Berlin"
#define GZIP_LEVEL      6       /* the uploader's */

#define COPY_COLUMNS \
  "device_id, site_id, local_time, " \
  "event_id, seq, survey_id, survey_version, scale, face, input, language, time, " \
  "utc_offset_s, misuse, misuse_rule, follow_up_id, follow_up_selected, follow_up_outcome, " \
  "comment, contact_name, contact_email, contact_phone, boot_id, monotonic_ms, clock_synced, " \
  "clock_corrected"

static int opt_runs = 3;
static int opt_events = 100000;
static int opt_min_batches = 1;
static char *opt_kiosks = NULL;
static char *opt_batches = NULL;
static char *opt_threads = NULL;
static char *opt_sections = NULL;
static char *opt_server = NULL;
static int opt_server_threads = 0;
static int opt_sweep_kiosks = 100;
static double opt_paced = 0.5;
static gboolean opt_quick;
static char *opt_pg_log = NULL;
static char *command_line;
static gboolean opt_serve_mhd;
static gboolean opt_serve_soup;
static int opt_serve_threads = 2;

static const GOptionEntry entries[] = {
  { "runs", 'n', 0, G_OPTION_ARG_INT, &opt_runs, "Runs of each case; medians are reported (3)",
    "N" },
  { "events", 'e', 0, G_OPTION_ARG_INT, &opt_events,
    "Events per run, shared by the kiosks (100000)", "N" },
  { "min-batches", 0, 0, G_OPTION_ARG_INT, &opt_min_batches,
    "Batches per kiosk at least (1)", "N" },
  { "kiosks", 'k', 0, G_OPTION_ARG_STRING, &opt_kiosks, "Kiosk counts (1,100,1000)", "LIST" },
  { "batches", 'b', 0, G_OPTION_ARG_STRING, &opt_batches, "Batch sizes (500,50)", "LIST" },
  { "threads", 't', 0, G_OPTION_ARG_STRING, &opt_threads, "[http] threads to try (2,4,8)",
    "LIST" },
  { "server-threads", 0, 0, G_OPTION_ARG_INT, &opt_server_threads,
    "[http] threads for the ingest section (the best of the threads section, else 4)", "N" },
  { "sweep-kiosks", 0, 0, G_OPTION_ARG_INT, &opt_sweep_kiosks,
    "Kiosks in the threads section (100)", "N" },
  { "paced", 0, 0, G_OPTION_ARG_DOUBLE, &opt_paced,
    "At the largest kiosk count, also offer this fraction of the measured capacity (0.5; 0: no)",
    "F" },
  { "sections", 's', 0, G_OPTION_ARG_STRING, &opt_sections,
    "Sections to run (threads,ingest,http,alerts)", "LIST" },
  { "server", 0, 0, G_OPTION_ARG_FILENAME, &opt_server, "smiley-kiosk-server to run", "PATH" },
  { "pg-log", 0, 0, G_OPTION_ARG_FILENAME, &opt_pg_log,
    "Log every statement with its duration, and copy PostgreSQL's log to FILE at the end "
    "(to see where the server's time goes; slows it down)", "FILE" },
  { "quick", 'q', 0, G_OPTION_ARG_NONE, &opt_quick,
    "A few seconds, for CI: 1 run, small fleets, fewer events", NULL },
  { "serve-mhd", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_serve_mhd, NULL, NULL },
  { "serve-soup", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_serve_soup, NULL, NULL },
  { "serve-threads", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &opt_serve_threads, NULL, NULL },
  { NULL }
};

/* ------------------------------------------------------------------------------------------ */
/* The receivers without a database: the server's work for POST /v1/events up to the reply.  */

/* Gunzip, strict parse, and a reply with every event accepted; NULL and @status on failure. */
static char *
receive_batch (const char   *body,
               gsize         length,
               gboolean      gzipped,
               unsigned int *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) inflated = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree const char **ids = NULL;
  g_autofree KioskEventResult *results = NULL;
  char *reply;

  if (gzipped)
    {
      inflated = kiosk_gunzip (body, length, KIOSK_CLOUDEVENTS_MAX_BYTES, &error);
      if (inflated == NULL)
        {
          *status = 400;
          return NULL;
        }
      body = g_bytes_get_data (inflated, &length);
    }
  events = kiosk_cloudevents_parse_batch (body, length, &error);
  if (events == NULL)
    {
      *status = 400;
      return NULL;
    }
  ids = g_new0 (const char *, events->len + 1);
  results = g_new0 (KioskEventResult, events->len);
  for (guint i = 0; i < events->len; i++)
    {
      KioskDecodedEvent *e = g_ptr_array_index (events, i);

      ids[i] = e->id;
      results[i].status = e->reason ? KIOSK_EVENT_REJECTED : KIOSK_EVENT_ACCEPTED;
    }
  reply = kiosk_cloudevents_results_to_json (ids, results, events->len);
  *status = 200;
  return reply;
}

typedef struct
{
  GByteArray *body;
  gboolean    gzipped;
  gboolean    answered;
} MhdRequest;

static enum MHD_Result
mhd_reply (struct MHD_Connection *connection,
           unsigned int           status,
           char                  *body)
{
  struct MHD_Response *response;
  enum MHD_Result ret;

  response = MHD_create_response_from_buffer (body ? strlen (body) : 0, body ? body : "",
                                              body ? MHD_RESPMEM_MUST_FREE
                                                   : MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
  MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  ret = MHD_queue_response (connection, status, response);
  MHD_destroy_response (response);
  return ret;
}

static enum MHD_Result
mhd_access_cb (void                  *cls,
               struct MHD_Connection *connection,
               const char            *url,
               const char            *method,
               const char            *version,
               const char            *upload_data,
               size_t                *upload_data_size,
               void                 **con_cls)
{
  MhdRequest *r = *con_cls;
  unsigned int status = 0;
  char *reply;

  if (r == NULL)
    {
      const char *encoding = MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                          MHD_HTTP_HEADER_CONTENT_ENCODING);

      r = g_new0 (MhdRequest, 1);
      *con_cls = r;
      if (strcmp (url, "/v1/events") != 0 || strcmp (method, "POST") != 0)
        {
          r->answered = TRUE;
          return mhd_reply (connection, 404, NULL);
        }
      r->gzipped = encoding != NULL && g_ascii_strcasecmp (encoding, "gzip") == 0;
      r->body = g_byte_array_new ();
      return MHD_YES;
    }
  if (r->answered)
    {
      *upload_data_size = 0;
      return MHD_YES;
    }
  if (*upload_data_size > 0)
    {
      g_byte_array_append (r->body, (const guint8 *) upload_data, *upload_data_size);
      *upload_data_size = 0;
      return MHD_YES;
    }
  r->answered = TRUE;
  reply = receive_batch ((const char *) r->body->data, r->body->len, r->gzipped, &status);
  return mhd_reply (connection, status, reply);
}

static void
mhd_completed_cb (void                            *cls,
                  struct MHD_Connection           *connection,
                  void                           **con_cls,
                  enum MHD_RequestTerminationCode  toe)
{
  MhdRequest *r = *con_cls;

  if (r == NULL)
    return;
  if (r->body)
    g_byte_array_unref (r->body);
  g_free (r);
  *con_cls = NULL;
}

static gboolean
quit_cb (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

/* The server's daemon flags and options (kiosk-server-http.c), without TLS. */
static int
serve_mhd (int threads)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  struct sockaddr_in address = { .sin_family = AF_INET,
                                 .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  struct MHD_Daemon *daemon;
  const union MHD_DaemonInfo *info;

  daemon = MHD_start_daemon (MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG,
                             0, NULL, NULL, mhd_access_cb, NULL,
                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &address,
                             MHD_OPTION_THREAD_POOL_SIZE, (unsigned int) threads,
                             MHD_OPTION_CONNECTION_LIMIT, 4096u,
                             MHD_OPTION_CONNECTION_TIMEOUT, 60u,
                             MHD_OPTION_NOTIFY_COMPLETED, mhd_completed_cb, NULL,
                             MHD_OPTION_END);
  if (daemon == NULL)
    {
      g_printerr ("bench-ingest: cannot start libmicrohttpd\n");
      return 1;
    }
  info = MHD_get_daemon_info (daemon, MHD_DAEMON_INFO_BIND_PORT);
  g_print ("listening on http://127.0.0.1:%u with %d threads\n", info->port, threads);
  fflush (stdout);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);
  MHD_stop_daemon (daemon);
  return 0;
}

#ifdef BENCH_HAVE_SOUP
/* libsoup's server runs on one main context; with workers the work goes to a thread pool while
 * the message is paused, and the reply is set back on the main context. */
typedef struct
{
  SoupServerMessage *msg;
  GBytes            *body;
  gboolean           gzipped;
  char              *reply;
  unsigned int       status;
} SoupJob;

static void
soup_finish (SoupJob *job)
{
  if (job->reply)
    soup_server_message_set_response (job->msg, "application/json", SOUP_MEMORY_TAKE,
                                      g_steal_pointer (&job->reply), strlen (job->reply));
  soup_server_message_set_status (job->msg, job->status, NULL);
}

static gboolean
soup_resume_cb (gpointer data)
{
  SoupJob *job = data;

  soup_finish (job);
  soup_server_message_unpause (job->msg);
  g_object_unref (job->msg);
  g_bytes_unref (job->body);
  g_free (job);
  return G_SOURCE_REMOVE;
}

static void
soup_work (SoupJob *job)
{
  gsize length;
  const char *data = g_bytes_get_data (job->body, &length);

  job->reply = receive_batch (data, length, job->gzipped, &job->status);
}

static void
soup_worker (gpointer data,
             gpointer pool_data)
{
  soup_work (data);
  g_main_context_invoke (NULL, soup_resume_cb, data);
}

static void
soup_events_cb (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           data)
{
  GThreadPool *pool = data;
  const char *encoding;
  SoupJob *job;

  if (strcmp (soup_server_message_get_method (msg), "POST") != 0)
    {
      soup_server_message_set_status (msg, 405, NULL);
      return;
    }
  encoding = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                           "Content-Encoding");
  job = g_new0 (SoupJob, 1);
  job->msg = g_object_ref (msg);
  job->body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  job->gzipped = encoding != NULL && g_ascii_strcasecmp (encoding, "gzip") == 0;
  if (pool == NULL)
    {
      soup_work (job);
      soup_finish (job);
      g_object_unref (job->msg);
      g_bytes_unref (job->body);
      g_free (job);
      return;
    }
  soup_server_message_pause (msg);
  g_thread_pool_push (pool, job, NULL);
}

static int
serve_soup (int workers)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  GThreadPool *pool = NULL;
  GSList *uris;

  if (workers > 0)
    pool = g_thread_pool_new (soup_worker, NULL, workers, TRUE, NULL);
  soup_server_add_handler (server, "/v1/events", soup_events_cb, pool, NULL);
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);

  /* Our own socket: soup_server_listen_local () listens with GLib's backlog of 10, which drops
   * connections when 100 or 1 000 kiosks connect at once; libmicrohttpd uses SOMAXCONN. */
  listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                           &error);
  if (listener != NULL)
    {
      g_socket_set_listen_backlog (listener, SOMAXCONN);
      if (!g_socket_bind (listener, address, TRUE, &error) || !g_socket_listen (listener, &error))
        g_clear_object (&listener);
    }
  if (listener == NULL || !soup_server_listen_socket (server, listener, 0, &error))
    {
      g_printerr ("bench-ingest: libsoup: %s\n", error->message);
      return 1;
    }
  uris = soup_server_get_uris (server);
  g_print ("listening on http://127.0.0.1:%d with %d workers\n", g_uri_get_port (uris->data),
           workers);
  fflush (stdout);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);
  return 0;
}
#endif

/* ------------------------------------------------------------------------------------------ */
/* The fleet and its backlog                                                                   */

typedef struct
{
  GBytes  *gz;          /* the request body */
  GString *copy;        /* the same rows in COPY text format, for the floor */
  guint    n;
} Batch;

typedef struct
{
  char      *id;
  char      *auth;      /* "Authorization: Bearer …" */
  GPtrArray *batches;   /* Batch */
} Kiosk;

typedef struct
{
  guint      n_kiosks;
  guint      batch;
  guint      per_kiosk; /* batches */
  Kiosk     *kiosks;
  guint64    events;
  guint64    bytes;     /* gzip bodies */
} Fleet;

static char *site_id_text;
static GTimeZone *site_zone;
static char **tokens;   /* one per device, the same for every fleet */
static guint n_devices;

static void
batch_free (gpointer data)
{
  Batch *b = data;

  g_bytes_unref (b->gz);
  g_string_free (b->copy, TRUE);
  g_free (b);
}

static void
fleet_free (Fleet *fleet)
{
  for (guint i = 0; i < fleet->n_kiosks; i++)
    {
      g_free (fleet->kiosks[i].id);
      g_free (fleet->kiosks[i].auth);
      g_ptr_array_unref (fleet->kiosks[i].batches);
    }
  g_free (fleet->kiosks);
  g_free (fleet);
}

static void
copy_text (GString    *out,
           const char *value)
{
  if (value == NULL)
    {
      g_string_append (out, "\\N\t");
      return;
    }
  for (const char *p = value; *p; p++)
    {
      switch (*p)
        {
        case '\\': g_string_append (out, "\\\\"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        default: g_string_append_c (out, *p);
        }
    }
  g_string_append_c (out, '\t');
}

/* The row the server stores for @r (kiosk-server-ingest.c): local_time as PostgreSQL's
 * "time AT TIME ZONE" gives it, received_at and clock_repaired by their defaults. */
static void
copy_row (GString             *out,
          const char          *device_id,
          const KioskResponse *r)
{
  g_autofree char *time = kiosk_format_rfc3339 (r->time.wall_us, 0);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (r->time.wall_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) exact = g_date_time_add (utc, r->time.wall_us % G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (exact, site_zone);
  g_autofree char *local_text = g_date_time_format (local, "%Y-%m-%d %H:%M:%S.%f");

  copy_text (out, device_id);
  copy_text (out, site_id_text);
  copy_text (out, local_text);
  copy_text (out, r->uuid);
  g_string_append_printf (out, "%" G_GINT64_FORMAT "\t", r->seq);
  copy_text (out, r->survey_id);
  g_string_append_printf (out, "%d\t%d\t%d\t", r->survey_version, r->scale, r->face);
  copy_text (out, kiosk_input_to_string (r->input));
  copy_text (out, r->language);
  copy_text (out, time);
  g_string_append_printf (out, "%d\t", r->time.utc_offset_s);
  g_string_append (out, r->misuse ? "t\t" : "f\t");
  copy_text (out, r->misuse_rule);
  copy_text (out, r->follow_up_id);
  copy_text (out, r->follow_up_id ? "[\"waiting-time\",\"staff\"]" : NULL);
  copy_text (out, r->follow_up_id ? kiosk_outcome_to_string (r->follow_up_outcome) : NULL);
  copy_text (out, r->comment);
  copy_text (out, NULL);
  copy_text (out, NULL);
  copy_text (out, NULL);
  copy_text (out, r->boot_id);
  g_string_append_printf (out, "%" G_GINT64_FORMAT "\t", r->time.monotonic_us / 1000);
  g_string_append (out, r->time.synced ? "t\t" : "f\t");
  g_string_append (out, r->clock_corrected ? "t\n" : "f\n");
}

/* A kiosk's backlog as kiosk_test_fill_queue makes it: taps 5 s to 2 min apart, one in ten with
 * a follow-up answer (a negative face), one in fifty flagged as misuse. */
/* Responses from @wall0 on, 5 to 120 s apart (62.5 s on average). */
static Fleet *
fleet_new_from (guint  n_kiosks,
                guint  batch,
                gint64 wall0)
{
  Fleet *fleet = g_new0 (Fleet, 1);
  guint per_kiosk = (guint) ((opt_events + (guint64) n_kiosks * batch - 1) /
                             ((guint64) n_kiosks * batch));
  g_autoptr(GRand) rand = g_rand_new_with_seed (n_kiosks * 1000 + batch);

  fleet->n_kiosks = n_kiosks;
  fleet->batch = batch;
  fleet->per_kiosk = per_kiosk = MAX (per_kiosk, (guint) opt_min_batches);
  fleet->kiosks = g_new0 (Kiosk, n_kiosks);
  for (guint k = 0; k < n_kiosks; k++)
    {
      Kiosk *kiosk = &fleet->kiosks[k];
      g_autofree char *source = NULL;
      gint64 wall = wall0, mono = 5 * G_USEC_PER_SEC;
      gint64 seq = 1;

      kiosk->id = g_strdup_printf ("bench-%04u", k);
      kiosk->auth = g_strdup_printf ("Authorization: Bearer %s", tokens[k]);
      kiosk->batches = g_ptr_array_new_with_free_func (batch_free);
      source = kiosk_cloudevents_source (kiosk->id);
      for (guint b = 0; b < per_kiosk; b++)
        {
          g_autoptr(GPtrArray) responses = g_ptr_array_new_with_free_func (
            (GDestroyNotify) kiosk_response_free);
          g_autoptr(GString) json = NULL;
          g_autoptr(GError) error = NULL;
          Batch *out = g_new0 (Batch, 1);
          guint count = 0;

          out->copy = g_string_sized_new (batch * 330);
          for (guint i = 0; i < batch; i++)
            {
              gint64 step = g_rand_int_range (rand, 5, 120) * G_USEC_PER_SEC +
                            g_rand_int_range (rand, 0, 1000) * 1000;
              KioskResponse *r;

              wall += step;
              mono += step;
              r = kiosk_test_make_response (seq++, wall, mono, g_rand_int_range (rand, 0, 4));
              if (g_rand_int_range (rand, 0, 10) == 0)
                {
                  const char *selected[] = { "waiting-time", "staff", NULL };

                  r->face = g_rand_int_range (rand, 0, 2);
                  r->follow_up_id = g_strdup ("improve");
                  r->follow_up_selected = g_strdupv ((char **) selected);
                  r->follow_up_outcome = KIOSK_OUTCOME_ANSWERED;
                }
              if (g_rand_int_range (rand, 0, 50) == 0)
                {
                  r->misuse = TRUE;
                  r->misuse_rule = g_strdup ("response-interval");
                }
              copy_row (out->copy, kiosk->id, r);
              g_ptr_array_add (responses, r);
            }
          json = kiosk_cloudevents_build_batch (responses, source, KIOSK_CLOUDEVENTS_MAX_BYTES,
                                                &count);
          g_assert_cmpuint (count, ==, batch);
          out->gz = kiosk_gzip (json->str, json->len, GZIP_LEVEL, &error);
          g_assert_no_error (error);
          out->n = count;
          fleet->events += count;
          fleet->bytes += g_bytes_get_size (out->gz);
          g_ptr_array_add (kiosk->batches, out);
        }
    }
  return fleet;
}

static Fleet *
fleet_new (guint n_kiosks,
           guint batch)
{
  return fleet_new_from (n_kiosks, batch, KIOSK_TEST_T0);
}

/* ------------------------------------------------------------------------------------------ */
/* Memory of the receiver, once a second                                                       */

static double
vm_rss_mib (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *found;

  if (!g_file_get_contents (path, &status, NULL, NULL) ||
      (found = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return g_ascii_strtoull (found + strlen ("VmRSS:"), NULL, 10) / 1024.0;
}

/* ------------------------------------------------------------------------------------------ */
/* The kiosks: one libcurl multi handle                                                        */

typedef struct
{
  double   events_s;
  double   requests_s;
  double   p50_ms, p99_ms, max_ms;
  double   rss_start, rss_peak, rss_end;
  guint64  accepted;
  guint64  failed;      /* requests that were not 200 with every event accepted */
  double   seconds;
  /* CPU time per 1 000 events, ms: what the machine's load does not change much */
  double   cpu_receiver, cpu_pg, cpu_client;
  /* The alerts section's */
  double   episodes, alert_ms;
} RunResult;

typedef struct
{
  Kiosk             *kiosk;
  CURL              *easy;
  struct curl_slist *headers;
  GString           *reply;
  guint              next;      /* batch */
  gint64             sent_us;
  gint64             due_us;    /* paced: when the next batch goes */
  gboolean           waiting;
  guint              last_n;
} Conn;

static size_t
write_cb (char   *data,
          size_t  size,
          size_t  n,
          void   *user_data)
{
  g_string_append_len (user_data, data, size * n);
  return size * n;
}

static guint
count_accepted (const GString *reply)
{
  static const char needle[] = "\"status\":\"accepted\"";
  guint n = 0;

  for (const char *p = reply->str; (p = strstr (p, needle)) != NULL; p += sizeof needle - 1)
    n++;
  return n;
}

static void
conn_send (Conn *c,
           CURLM *multi)
{
  Batch *b = g_ptr_array_index (c->kiosk->batches, c->next++);
  gsize size;
  const void *data = g_bytes_get_data (b->gz, &size);

  g_string_truncate (c->reply, 0);
  curl_easy_setopt (c->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) size);
  curl_easy_setopt (c->easy, CURLOPT_POSTFIELDS, data);
  c->last_n = b->n;
  c->sent_us = g_get_monotonic_time ();
  curl_multi_add_handle (multi, c->easy);
}

/* Every kiosk sends its batches one after the other on its own connection. With @rate > 0 the
 * fleet is paced to @rate events/s: kiosk k sends its batch j at j * period + k * period / n. */
static gboolean
deliver (Fleet      *fleet,
         const char *url,
         GPid        receiver,
         double      rate,
         RunResult  *result,
         GError    **error)
{
  CURLM *multi = curl_multi_init ();
  Conn *conns = g_new0 (Conn, fleet->n_kiosks);
  g_autoptr(GArray) latency = g_array_new (FALSE, FALSE, sizeof (double));
  guint running_kiosks = fleet->n_kiosks;
  gint64 t0, next_sample, period_us = 0;
  guint64 requests = 0;

  curl_multi_setopt (multi, CURLMOPT_MAXCONNECTS, (long) fleet->n_kiosks + 16);
  curl_multi_setopt (multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
  curl_multi_setopt (multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L);
  if (rate > 0)
    period_us = (gint64) (1e6 * fleet->n_kiosks * fleet->batch / rate);

  result->rss_start = result->rss_peak = vm_rss_mib (receiver);
  t0 = g_get_monotonic_time ();
  next_sample = t0 + G_USEC_PER_SEC;
  for (guint k = 0; k < fleet->n_kiosks; k++)
    {
      Conn *c = &conns[k];

      c->kiosk = &fleet->kiosks[k];
      c->easy = curl_easy_init ();
      c->reply = g_string_new (NULL);
      c->headers = curl_slist_append (NULL, "Content-Type: " KIOSK_CLOUDEVENTS_MEDIA_TYPE);
      c->headers = curl_slist_append (c->headers, "Content-Encoding: gzip");
      c->headers = curl_slist_append (c->headers, "Expect:");
      c->headers = curl_slist_append (c->headers, c->kiosk->auth);
      curl_easy_setopt (c->easy, CURLOPT_URL, url);
      curl_easy_setopt (c->easy, CURLOPT_HTTPHEADER, c->headers);
      curl_easy_setopt (c->easy, CURLOPT_WRITEFUNCTION, write_cb);
      curl_easy_setopt (c->easy, CURLOPT_WRITEDATA, c->reply);
      curl_easy_setopt (c->easy, CURLOPT_PRIVATE, c);
      curl_easy_setopt (c->easy, CURLOPT_TIMEOUT, 300L);
      curl_easy_setopt (c->easy, CURLOPT_CONNECTTIMEOUT, 60L);
      curl_easy_setopt (c->easy, CURLOPT_TCP_NODELAY, 1L);
      curl_easy_setopt (c->easy, CURLOPT_NOSIGNAL, 1L);
      if (period_us > 0)
        {
          c->due_us = t0 + k * period_us / fleet->n_kiosks;
          c->waiting = TRUE;
        }
      else
        conn_send (c, multi);
    }

  while (running_kiosks > 0)
    {
      int still, queued, timeout_ms = 100;
      CURLMsg *msg;
      gint64 now;

      curl_multi_perform (multi, &still);
      while ((msg = curl_multi_info_read (multi, &queued)) != NULL)
        {
          Conn *c = NULL;
          long code = 0;
          double ms;

          if (msg->msg != CURLMSG_DONE)
            continue;
          curl_easy_getinfo (msg->easy_handle, CURLINFO_PRIVATE, (char **) &c);
          curl_easy_getinfo (msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
          ms = (g_get_monotonic_time () - c->sent_us) / 1000.0;
          g_array_append_val (latency, ms);
          requests++;
          if (msg->data.result == CURLE_OK && code == 200 &&
              count_accepted (c->reply) == c->last_n)
            result->accepted += c->last_n;
          else
            {
              if (result->failed++ < 3)
                {
                  const char *other = strstr (c->reply->str, "\"status\":\"d");
                  const char *rejected = strstr (c->reply->str, "\"status\":\"r");

                  g_printerr ("bench-ingest: %s batch %u: %s, HTTP %ld, %u of %u accepted: "
                              "%.300s\n", c->kiosk->id, c->next,
                              curl_easy_strerror (msg->data.result), code,
                              count_accepted (c->reply), c->last_n,
                              rejected ? rejected : other ? other : c->reply->str);
                }
            }
          curl_multi_remove_handle (multi, c->easy);
          if (c->next >= c->kiosk->batches->len)
            running_kiosks--;
          else if (period_us > 0)
            {
              c->due_us += period_us;
              c->waiting = TRUE;
            }
          else
            conn_send (c, multi);
        }

      now = g_get_monotonic_time ();
      if (period_us > 0)
        for (guint k = 0; k < fleet->n_kiosks; k++)
          {
            Conn *c = &conns[k];

            if (!c->waiting)
              continue;
            if (c->due_us <= now)
              {
                c->waiting = FALSE;
                conn_send (c, multi);
              }
            else
              timeout_ms = MIN (timeout_ms, (int) ((c->due_us - now) / 1000) + 1);
          }
      if (now >= next_sample)
        {
          result->rss_peak = MAX (result->rss_peak, vm_rss_mib (receiver));
          next_sample += G_USEC_PER_SEC;
        }
      if (running_kiosks > 0)
        curl_multi_poll (multi, NULL, 0, timeout_ms, NULL);
    }

  result->seconds = (g_get_monotonic_time () - t0) / 1e6;
  result->rss_end = vm_rss_mib (receiver);
  result->rss_peak = MAX (result->rss_peak, result->rss_end);
  result->events_s = result->accepted / result->seconds;
  result->requests_s = requests / result->seconds;
  result->p50_ms = bench_percentile (latency, 0.50);
  result->p99_ms = bench_percentile (latency, 0.99);
  result->max_ms = bench_max (latency);

  for (guint k = 0; k < fleet->n_kiosks; k++)
    {
      curl_easy_cleanup (conns[k].easy);
      curl_slist_free_all (conns[k].headers);
      g_string_free (conns[k].reply, TRUE);
    }
  g_free (conns);
  curl_multi_cleanup (multi);

  if (result->failed > 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%" G_GUINT64_FORMAT " requests failed or had events not accepted",
                   result->failed);
      return FALSE;
    }
  return TRUE;
}

/* utime + stime of a process (all its threads), with its reaped children's when asked, in s. */
static double
proc_cpu_s (GPid     pid,
            gboolean children)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_comm;
  guint64 ticks;

  if (!g_file_get_contents (path, &stat, NULL, NULL) ||
      (after_comm = strrchr (stat, ')')) == NULL)
    return 0;
  fields = g_strsplit (after_comm + 2, " ", -1);
  if (g_strv_length (fields) < 15)
    return 0;
  /* Fields 14-17 of stat: utime, stime, cutime, cstime; fields[0] is field 3. */
  ticks = g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
  if (children)
    ticks += g_ascii_strtoull (fields[13], NULL, 10) + g_ascii_strtoull (fields[14], NULL, 10);
  return (double) ticks / sysconf (_SC_CLK_TCK);
}

static double
thread_cpu_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------------------------ */
/* Receivers: the real server, or this program's minimal ones                                 */

typedef struct
{
  GSubprocess *process;
  GPid         pid;
  char        *url;
} Receiver;

static void
receiver_stop (Receiver *r)
{
  if (r->process == NULL)
    return;
  g_subprocess_send_signal (r->process, SIGTERM);
  g_subprocess_wait (r->process, NULL, NULL);
  g_clear_object (&r->process);
  g_clear_pointer (&r->url, g_free);
}

static gboolean
receiver_start (Receiver            *r,
                const char * const  *argv,
                const char          *log_path,
                GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  const char *found;

  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  r->process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (r->process == NULL)
    return FALSE;
  r->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (r->process), NULL, 10);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (r->process));
  while ((line = g_data_input_stream_read_line (lines, NULL, NULL, NULL)) != NULL)
    {
      if ((found = strstr (line, "listening on http://")) != NULL)
        {
          const char *port = strrchr (found, ':') + 1;

          r->url = g_strdup_printf ("http://127.0.0.1:%d/v1/events", atoi (port));
          return TRUE;
        }
      g_clear_pointer (&line, g_free);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s exited before listening; see %s",
               argv[0], log_path);
  receiver_stop (r);
  return FALSE;
}

typedef struct
{
  KioskTestPg *pg;
  PGconn      *conn;
  char        *dir;
  char        *server;
  char        *self;
} Bench;

static gboolean
start_server (Bench     *bench,
              int        threads,
              Receiver  *r,
              GError   **error)
{
  g_autofree char *config = g_build_filename (bench->dir, "server.conf", NULL);
  g_autofree char *log = g_build_filename (bench->dir, "server.log", NULL);
  g_autofree char *text = g_strdup_printf ("[database]\nconninfo=%s\n[http]\n"
                                           "listen=127.0.0.1:0\nthreads=%d\n"
                                           "max-connections=4096\nconnection-timeout=60\n",
                                           kiosk_test_pg_get_conninfo (bench->pg), threads);
  const char *argv[] = { bench->server, "--config", config, "serve", NULL };

  if (!g_file_set_contents (config, text, -1, error))
    return FALSE;
  return receiver_start (r, argv, log, error);
}

/* All of PostgreSQL: the postmaster with the backends that ended (reaped: in its cutime), and
 * every process still below it (checkpointer, WAL writer, backends alive). */
static double
pg_cpu_s (Bench *bench)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", PQbackendPID (bench->conn));
  g_autofree char *status = NULL;
  g_autoptr(GArray) tree = NULL;
  const char *found;
  GPid postmaster;
  double total;

  if (!g_file_get_contents (path, &status, NULL, NULL) ||
      (found = strstr (status, "PPid:")) == NULL)
    return 0;
  postmaster = (GPid) g_ascii_strtoll (found + strlen ("PPid:"), NULL, 10);
  total = proc_cpu_s (postmaster, TRUE);
  tree = bench_list_descendants (postmaster);
  for (guint i = 1; i < tree->len; i++)
    total += proc_cpu_s (g_array_index (tree, GPid, i), FALSE);
  return total;
}

static gboolean
sql (Bench       *bench,
     const char  *statement,
     GError     **error)
{
  PGresult *result = PQexec (bench->conn, statement);
  ExecStatusType status = PQresultStatus (result);

  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", statement,
                   PQresultErrorMessage (result));
      PQclear (result);
      return FALSE;
    }
  PQclear (result);
  return TRUE;
}

/* The first column of the first row of @statement, or NULL. */
static char *
query_text (Bench      *bench,
            const char *statement)
{
  PGresult *result = PQexec (bench->conn, statement);
  char *value = NULL;

  if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) > 0 &&
      !PQgetisnull (result, 0, 0))
    value = g_strdup (PQgetvalue (result, 0, 0));
  PQclear (result);
  return value;
}

static gint64
count_rows (Bench *bench)
{
  PGresult *result = PQexec (bench->conn, "SELECT count(*) FROM responses");
  gint64 n = -1;

  if (PQresultStatus (result) == PGRES_TUPLES_OK)
    n = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  PQclear (result);
  return n;
}

static gboolean
empty_tables (Bench   *bench,
              GError **error)
{
  return sql (bench, "TRUNCATE responses, device_boots", error) &&
         sql (bench, "CHECKPOINT", error);
}

static gboolean
check_rows (Bench   *bench,
            Fleet   *fleet,
            GError **error)
{
  gint64 n = count_rows (bench);

  if (n != (gint64) fleet->events)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%" G_GINT64_FORMAT " rows in responses, expected %" G_GUINT64_FORMAT, n,
                   fleet->events);
      return FALSE;
    }
  return TRUE;
}

/* One run of the server: empty tables, a fresh server, the fleet delivers. */
static gboolean
run_server (Bench     *bench,
            Fleet     *fleet,
            int        threads,
            double     rate,
            RunResult *result,
            GError   **error)
{
  Receiver r = { 0 };
  gboolean ok;
  double pg0, client0, server_cpu;

  memset (result, 0, sizeof *result);
  if (!empty_tables (bench, error) || !start_server (bench, threads, &r, error))
    return FALSE;
  pg0 = pg_cpu_s (bench);
  client0 = thread_cpu_s ();
  ok = deliver (fleet, r.url, r.pid, rate, result, error);
  result->cpu_client = (thread_cpu_s () - client0) * 1e6 / fleet->events;
  server_cpu = proc_cpu_s (r.pid, FALSE);
  receiver_stop (&r);
  g_usleep (200 * 1000);    /* the server's backends end and are reaped */
  result->cpu_pg = (pg_cpu_s (bench) - pg0) * 1e6 / fleet->events;
  result->cpu_receiver = server_cpu * 1e6 / fleet->events;
  return ok && check_rows (bench, fleet, error);
}

/* ------------------------------------------------------------------------------------------ */
/* The floor: the same rows by COPY                                                             */

typedef struct
{
  const char  *conninfo;
  GPtrArray   *order;     /* Batch, round-robin over the kiosks */
  gint         next;
  GMutex       lock;
  GArray      *latency;
  char        *error;
} Floor;

static gpointer
floor_thread (gpointer data)
{
  Floor *floor = data;
  PGconn *conn = PQconnectdb (floor->conninfo);
  g_autoptr(GArray) latency = g_array_new (FALSE, FALSE, sizeof (double));
  char *failure = NULL;

  if (PQstatus (conn) != CONNECTION_OK)
    failure = g_strdup (PQerrorMessage (conn));
  PQclear (PQexec (conn, "SET TIME ZONE 'UTC'"));
  while (failure == NULL)
    {
      guint i = (guint) g_atomic_int_add (&floor->next, 1);
      Batch *b;
      PGresult *result;
      gint64 t0;
      double ms;

      if (i >= floor->order->len)
        break;
      b = g_ptr_array_index (floor->order, i);
      t0 = g_get_monotonic_time ();
      result = PQexec (conn, "COPY responses (" COPY_COLUMNS ") FROM STDIN");
      if (PQresultStatus (result) != PGRES_COPY_IN)
        failure = g_strdup (PQresultErrorMessage (result));
      PQclear (result);
      if (failure == NULL &&
          (PQputCopyData (conn, b->copy->str, b->copy->len) != 1 ||
           PQputCopyEnd (conn, NULL) != 1))
        failure = g_strdup (PQerrorMessage (conn));
      while (failure == NULL && (result = PQgetResult (conn)) != NULL)
        {
          if (PQresultStatus (result) != PGRES_COMMAND_OK)
            failure = g_strdup (PQresultErrorMessage (result));
          PQclear (result);
        }
      ms = (g_get_monotonic_time () - t0) / 1000.0;
      g_array_append_val (latency, ms);
    }
  PQfinish (conn);

  g_mutex_lock (&floor->lock);
  g_array_append_vals (floor->latency, latency->data, latency->len);
  if (failure != NULL && floor->error == NULL)
    floor->error = g_steal_pointer (&failure);
  g_mutex_unlock (&floor->lock);
  g_free (failure);
  return NULL;
}

static gboolean
run_floor (Bench     *bench,
           Fleet     *fleet,
           int        connections,
           RunResult *result,
           GError   **error)
{
  Floor floor = { 0 };
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  gint64 t0;
  double pg0;

  memset (result, 0, sizeof *result);
  if (!empty_tables (bench, error))
    return FALSE;
  floor.conninfo = kiosk_test_pg_get_conninfo (bench->pg);
  floor.order = g_ptr_array_new ();
  floor.latency = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint b = 0; b < fleet->per_kiosk; b++)
    for (guint k = 0; k < fleet->n_kiosks; k++)
      g_ptr_array_add (floor.order, g_ptr_array_index (fleet->kiosks[k].batches, b));
  g_mutex_init (&floor.lock);

  pg0 = pg_cpu_s (bench);
  t0 = g_get_monotonic_time ();
  for (int i = 0; i < connections; i++)
    g_ptr_array_add (threads, g_thread_new ("floor", floor_thread, &floor));
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
  result->seconds = (g_get_monotonic_time () - t0) / 1e6;
  g_usleep (200 * 1000);    /* the COPY backends end and are reaped */
  result->cpu_pg = (pg_cpu_s (bench) - pg0) * 1e6 / fleet->events;
  result->accepted = fleet->events;
  result->events_s = fleet->events / result->seconds;
  result->requests_s = floor.order->len / result->seconds;
  result->p50_ms = bench_percentile (floor.latency, 0.50);
  result->p99_ms = bench_percentile (floor.latency, 0.99);
  result->max_ms = bench_max (floor.latency);

  g_ptr_array_unref (floor.order);
  g_array_unref (floor.latency);
  g_mutex_clear (&floor.lock);
  if (floor.error != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "COPY: %s", floor.error);
      g_free (floor.error);
      return FALSE;
    }
  return check_rows (bench, fleet, error);
}

/* ------------------------------------------------------------------------------------------ */
/* Medians                                                                                      */

typedef struct
{
  GArray *v[14];  /* events_s, requests_s, p50, p99, max, rss start, peak, end, seconds, CPU,
                   * episodes, alert ms */
} Runs;

static void
runs_init (Runs *runs)
{
  for (guint i = 0; i < G_N_ELEMENTS (runs->v); i++)
    runs->v[i] = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
runs_clear (Runs *runs)
{
  for (guint i = 0; i < G_N_ELEMENTS (runs->v); i++)
    g_array_unref (runs->v[i]);
}

static void
runs_add (Runs            *runs,
          const RunResult *r)
{
  double values[] = { r->events_s, r->requests_s, r->p50_ms, r->p99_ms, r->max_ms, r->rss_start,
                      r->rss_peak, r->rss_end, r->seconds, r->cpu_receiver, r->cpu_pg,
                      r->cpu_client, r->episodes, r->alert_ms };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_array_append_val (runs->v[i], values[i]);
}

static RunResult
runs_median (Runs *runs)
{
  RunResult m = { 0 };

  m.events_s = bench_median (runs->v[0]);
  m.requests_s = bench_median (runs->v[1]);
  m.p50_ms = bench_median (runs->v[2]);
  m.p99_ms = bench_median (runs->v[3]);
  m.max_ms = bench_median (runs->v[4]);
  m.rss_start = bench_median (runs->v[5]);
  m.rss_peak = bench_median (runs->v[6]);
  m.rss_end = bench_median (runs->v[7]);
  m.seconds = bench_median (runs->v[8]);
  m.cpu_receiver = bench_median (runs->v[9]);
  m.cpu_pg = bench_median (runs->v[10]);
  m.cpu_client = bench_median (runs->v[11]);
  m.episodes = bench_median (runs->v[12]);
  m.alert_ms = bench_median (runs->v[13]);
  return m;
}

static void print_load (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
print_load (const char *format,
            ...)
{
  g_autofree char *load = NULL;
  g_autofree char *when = NULL;
  va_list args;

  va_start (args, format);
  when = g_strdup_vprintf (format, args);
  va_end (args);
  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    {
      g_auto(GStrv) fields = g_strsplit (load, " ", 4);

      g_printerr ("bench-ingest: load %s %s %s %s\n", fields[0], fields[1], fields[2], when);
    }
}

/* One case: @opt_runs times the server and, in the same iteration, the two floors. */
typedef struct
{
  RunResult server, copy1, copyn, paced;
  gboolean  has_paced;
} Case;

static gboolean
run_case (Bench   *bench,
          Fleet   *fleet,
          int      threads,
          gboolean paced,
          Case    *out,
          GError **error)
{
  Runs server, copy1, copyn, pace;
  gboolean ok = TRUE;

  runs_init (&server);
  runs_init (&copy1);
  runs_init (&copyn);
  runs_init (&pace);
  for (int run = 0; ok && run < opt_runs; run++)
    {
      RunResult r;

      print_load ("(%u kiosks, batch %u, %d threads, run %d)", fleet->n_kiosks, fleet->batch,
                  threads, run + 1);
      ok = run_server (bench, fleet, threads, 0, &r, error);
      if (!ok)
        break;
      runs_add (&server, &r);
      g_printerr ("  server  %8.0f events/s  p50 %7.1f ms  p99 %7.1f ms  RSS %.1f/%.1f/%.1f MiB"
                  "  (%.1f s)  CPU ms/1000 events: server %.0f, PostgreSQL %.0f, client %.0f\n",
                  r.events_s, r.p50_ms, r.p99_ms, r.rss_start, r.rss_peak, r.rss_end, r.seconds,
                  r.cpu_receiver, r.cpu_pg, r.cpu_client);
      ok = run_floor (bench, fleet, 1, &r, error);
      if (!ok)
        break;
      runs_add (&copy1, &r);
      g_printerr ("  COPY x1 %8.0f events/s  p50 %7.1f ms  p99 %7.1f ms  CPU ms/1000 events: "
                  "PostgreSQL %.0f\n", r.events_s, r.p50_ms, r.p99_ms, r.cpu_pg);
      ok = run_floor (bench, fleet, threads, &r, error);
      if (!ok)
        break;
      runs_add (&copyn, &r);
      g_printerr ("  COPY x%d %8.0f events/s  p50 %7.1f ms  p99 %7.1f ms  CPU ms/1000 events: "
                  "PostgreSQL %.0f\n", threads, r.events_s, r.p50_ms, r.p99_ms, r.cpu_pg);
      if (paced)
        {
          double rate = opt_paced * bench_median (server.v[0]);

          ok = run_server (bench, fleet, threads, rate, &r, error);
          if (!ok)
            break;
          runs_add (&pace, &r);
          g_printerr ("  paced   %8.0f events/s  p50 %7.1f ms  p99 %7.1f ms\n", r.events_s,
                      r.p50_ms, r.p99_ms);
        }
    }
  if (ok)
    {
      out->server = runs_median (&server);
      out->copy1 = runs_median (&copy1);
      out->copyn = runs_median (&copyn);
      out->has_paced = paced;
      if (paced)
        out->paced = runs_median (&pace);
    }
  runs_clear (&server);
  runs_clear (&copy1);
  runs_clear (&copyn);
  runs_clear (&pace);
  return ok;
}

/* ------------------------------------------------------------------------------------------ */

static GArray *
parse_list (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = 0; parts[i]; i++)
    {
      int v = atoi (parts[i]);

      if (v > 0)
        g_array_append_val (out, v);
    }
  return out;
}

static gboolean
has_section (const char *name)
{
  g_auto(GStrv) parts = g_strsplit (opt_sections, ",", -1);

  return g_strv_contains ((const char * const *) parts, name);
}

static void
raise_nofile (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

static gboolean
setup (Bench   *bench,
       guint    devices,
       GError **error)
{
  g_autofree char *log = NULL;
  g_autoptr(GString) copy = g_string_new (NULL);
  g_autofree char *site = NULL;
  g_autofree char *admin_out = NULL;
  g_autofree char *admin_err = NULL;
  int wait_status = 0;
  PGresult *result;
  gint64 t0 = g_get_monotonic_time ();
  const char *argv[] = { bench->server, "--database", NULL, "site", "add", "bench",
                         "--time-zone", SITE_ZONE, NULL };

  bench->pg = kiosk_test_pg_start (error);
  if (bench->pg == NULL)
    return FALSE;
  bench->dir = g_strdup (kiosk_test_pg_get_dir (bench->pg));

  /* The schema and the demo survey by the server's own migrations; the site by its admin. */
  argv[2] = kiosk_test_pg_get_conninfo (bench->pg);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &admin_out,
                     &admin_err, &wait_status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (wait_status, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "site add: %s", admin_err);
      return FALSE;
    }

  bench->conn = PQconnectdb (kiosk_test_pg_get_conninfo (bench->pg));
  if (PQstatus (bench->conn) != CONNECTION_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", PQerrorMessage (bench->conn));
      return FALSE;
    }
  result = PQexec (bench->conn, "SELECT id FROM sites WHERE name = 'bench'");
  if (PQresultStatus (result) != PGRES_TUPLES_OK || PQntuples (result) != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no site: %s",
                   PQresultErrorMessage (result));
      PQclear (result);
      return FALSE;
    }
  site_id_text = g_strdup (PQgetvalue (result, 0, 0));
  PQclear (result);

  /* The devices straight into the table: token_hash is what "device add" stores,
   * kiosk_token_hash_hex () of the token (SHA-256, as bytea hex). */
  n_devices = devices;
  tokens = g_new0 (char *, devices + 1);
  for (guint i = 0; i < devices; i++)
    {
      g_autofree char *hash = NULL;

      tokens[i] = kiosk_token_new (error);
      if (tokens[i] == NULL)
        return FALSE;
      hash = kiosk_token_hash_hex (tokens[i]);
      g_string_append_printf (copy, "bench-%04u\t%s\t\\%s\n", i, site_id_text, hash);
    }
  result = PQexec (bench->conn, "COPY devices (id, site_id, token_hash) FROM STDIN");
  PQclear (result);
  if (PQputCopyData (bench->conn, copy->str, copy->len) != 1 ||
      PQputCopyEnd (bench->conn, NULL) != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", PQerrorMessage (bench->conn));
      return FALSE;
    }
  while ((result = PQgetResult (bench->conn)) != NULL)
    {
      if (PQresultStatus (result) != PGRES_COMMAND_OK)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "devices: %s",
                       PQresultErrorMessage (result));
          PQclear (result);
          return FALSE;
        }
      PQclear (result);
    }
  if (opt_pg_log != NULL &&
      (!sql (bench, "ALTER SYSTEM SET log_min_duration_statement = 0", error) ||
       !sql (bench, "SELECT pg_reload_conf ()", error)))
    return FALSE;
  g_printerr ("bench-ingest: PostgreSQL in %s, %u devices registered in %.1f s\n", bench->dir,
              devices, (g_get_monotonic_time () - t0) / 1e6);
  return TRUE;
}

static void
print_header (void)
{
  g_autofree char *fs = bench_describe_filesystem (g_get_tmp_dir (), NULL);
  g_autofree char *load = NULL;

  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    {
      char *space = strchr (load, ' ');

      /* "1.00 0.50 0.25": the first three fields */
      for (int i = 0; space != NULL && i < 2; i++)
        space = strchr (space + 1, ' ');
      if (space != NULL)
        *space = '\0';
    }
  g_print ("Build type: %s. Rerun: `meson setup BUILD -Dbuildtype=release && "
           "meson compile -C BUILD smiley-kiosk-server bench-ingest && "
           "BUILD/tests/bench/bench-ingest%s` (or INGEST=full tests/bench/run-benchmarks.sh "
           "BUILD).\n", BENCH_BUILD_TYPE, command_line);
  g_print ("%u runs per case, medians. %d events per run (at least %d batches per kiosk). "
           "PostgreSQL %s, fsync on, in %s (%s). Load at start: %s. Client, server and "
           "PostgreSQL share %u cores.\n\n",
           opt_runs, opt_events, opt_min_batches, PQlibVersion () >= 150000 ? "15" : "?",
           g_get_tmp_dir (), fs, load ? load : "?", g_get_num_processors ());
}

static int
bench_main (Bench *bench)
{
  g_autoptr(GArray) kiosks = parse_list (opt_kiosks);
  g_autoptr(GArray) batches = parse_list (opt_batches);
  g_autoptr(GArray) threads = parse_list (opt_threads);
  g_autoptr(GError) error = NULL;
  guint max_kiosks = MAX ((guint) opt_sweep_kiosks, 1);
  int best_threads = opt_server_threads > 0 ? opt_server_threads : 4;
  gboolean all_pass = TRUE;

  for (guint i = 0; i < kiosks->len; i++)
    max_kiosks = MAX (max_kiosks, (guint) g_array_index (kiosks, int, i));
  site_zone = g_time_zone_new_identifier (SITE_ZONE);
  if (site_zone == NULL)
    {
      g_printerr ("bench-ingest: no time zone %s (tzdata)\n", SITE_ZONE);
      return 1;
    }
  if (!setup (bench, max_kiosks, &error))
    {
      g_printerr ("bench-ingest: %s\n", error->message);
      return 1;
    }
  print_header ();

  if (has_section ("threads") && threads->len > 0)
    {
      Fleet *fleet = fleet_new (opt_sweep_kiosks, 500);
      double best = 0;

      g_print ("### Server threads (%u kiosks, batches of 500, %" G_GUINT64_FORMAT " events)\n\n",
               fleet->n_kiosks, fleet->events);
      g_print ("| [http] threads | server events/s | COPY x1 events/s | COPY xT events/s | "
               "server/COPY xT | batch p50 ms | batch p99 ms | server RSS peak MiB | "
               "CPU ms/1000 events: server + its PostgreSQL + client |\n");
      g_print ("|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
      for (guint i = 0; i < threads->len; i++)
        {
          int t = g_array_index (threads, int, i);
          Case c;

          if (!run_case (bench, fleet, t, FALSE, &c, &error))
            {
              g_printerr ("bench-ingest: %s\n", error->message);
              return 1;
            }
          g_print ("| %d | %.0f | %.0f | %.0f | %.2f | %.1f | %.1f | %.1f | %.0f + %.0f + %.0f |\n",
                   t, c.server.events_s, c.copy1.events_s, c.copyn.events_s,
                   c.server.events_s / c.copyn.events_s, c.server.p50_ms, c.server.p99_ms,
                   c.server.rss_peak, c.server.cpu_receiver, c.server.cpu_pg,
                   c.server.cpu_client);
          if (c.server.events_s > best && opt_server_threads <= 0)
            {
              best = c.server.events_s;
              best_threads = t;
            }
        }
      g_print ("\nBest: %d threads.\n\n", best_threads);
      fleet_free (fleet);
    }

  if (has_section ("ingest"))
    {
      guint largest = 0, smallest_batch = G_MAXUINT;

      for (guint i = 0; i < kiosks->len; i++)
        largest = MAX (largest, (guint) g_array_index (kiosks, int, i));
      for (guint i = 0; i < batches->len; i++)
        smallest_batch = MIN (smallest_batch, (guint) g_array_index (batches, int, i));
      g_print ("### Ingest: server against COPY ([http] threads = %d, COPY xT = %d "
               "connections)\n\n", best_threads, best_threads);
      g_print ("| kiosks | batch | events | server events/s | COPY x1 events/s | "
               "COPY xT events/s | server/COPY x1 | server/COPY xT | batch p50 ms | "
               "batch p99 ms | COPY xT p99 ms | server RSS start/peak/end MiB | "
               "CPU ms/1000 events: server + its PostgreSQL (client) | COPY x1: PostgreSQL |\n");
      g_print ("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|\n");
      for (guint b = 0; b < batches->len; b++)
        for (guint k = 0; k < kiosks->len; k++)
          {
            guint n = g_array_index (kiosks, int, k);
            guint size = g_array_index (batches, int, b);
            Fleet *fleet = fleet_new (n, size);
            /* Paced once: the largest fleet with the smallest batches (the other would take
             * minutes at half the capacity). */
            gboolean paced = opt_paced > 0 && n == largest && n > 1 && size == smallest_batch;
            Case c;

            if (!run_case (bench, fleet, best_threads, paced, &c, &error))
              {
                g_printerr ("bench-ingest: %s\n", error->message);
                return 1;
              }
            g_print ("| %u | %u | %" G_GUINT64_FORMAT " | %.0f | %.0f | %.0f | %.2f | %.2f | "
                     "%.1f | %.1f | %.1f | %.1f / %.1f / %.1f | %.0f + %.0f (%.0f) | %.0f |\n",
                     n, size, fleet->events, c.server.events_s, c.copy1.events_s,
                     c.copyn.events_s, c.server.events_s / c.copy1.events_s,
                     c.server.events_s / c.copyn.events_s, c.server.p50_ms, c.server.p99_ms,
                     c.copyn.p99_ms, c.server.rss_start, c.server.rss_peak, c.server.rss_end,
                     c.server.cpu_receiver, c.server.cpu_pg, c.server.cpu_client,
                     c.copy1.cpu_pg);
            if (paced)
              {
                g_print ("| %u paced | %u | %" G_GUINT64_FORMAT " | %.0f (%.0f %% of capacity "
                         "offered) | | | | | %.1f | %.1f | | %.1f / %.1f / %.1f | | |\n",
                         n, size, fleet->events, c.paced.events_s, opt_paced * 100,
                         c.paced.p50_ms, c.paced.p99_ms, c.paced.rss_start, c.paced.rss_peak,
                         c.paced.rss_end);
                g_printerr ("bench-ingest: p99 at %u kiosks paced: %.1f ms: %s\n", n,
                              c.paced.p99_ms, bench_verdict (c.paced.p99_ms <= GOAL_P99_MS));
              }
            if (size == 500 && n == largest)
              {
                gboolean pass = c.server.events_s / c.copyn.events_s >= GOAL_RATIO;

                all_pass &= pass;
                g_printerr ("bench-ingest: server/COPY at %u kiosks: %.2f (goal >= %.1f): %s\n",
                            n, c.server.events_s / c.copyn.events_s, GOAL_RATIO,
                            bench_verdict (pass));
              }
            fleet_free (fleet);
          }
      g_print ("\n");
    }

  if (has_section ("alerts"))
    {
      guint per_kiosk = (guint) ((opt_events + 100 * 50 - 1) / (100 * 50)) * 50;
      /* The fleet's last responses are now, so the rules' windows hold some. */
      Fleet *fleet = fleet_new_from (100, 50, g_get_real_time () -
                                     (gint64) per_kiosk * 62500 * 1000);
      Runs runs[2];

      g_print ("### Alert rules at ingest (100 kiosks on one site, batches of 50, %"
               G_GUINT64_FORMAT " events, [http] threads = %d)\n\n", fleet->events, best_threads);
      g_print ("| alert rules on the site | server events/s | batch p50 ms | batch p99 ms | "
               "CPU ms/1000 events: server + its PostgreSQL | episodes opened | "
               "batch's transaction → episode ms |\n");
      g_print ("|---|---:|---:|---:|---|---:|---:|\n");
      runs_init (&runs[0]);
      runs_init (&runs[1]);
      for (int run = 0; run < opt_runs; run++)
        for (int with = 0; with < 2; with++)
          {
            RunResult r;
            g_autofree char *episodes = NULL;
            g_autofree char *latency = NULL;

            /* TRUNCATE responses fires no trigger: the rollups of the last run go too, or the
             * day's Happy Index would hold before this run's first batch. */
            if (!sql (bench, "TRUNCATE alert_episodes, alert_rules, deliveries, rollup_hours,"
                      " rollup_days, rollup_reasons, rollup_months CASCADE", &error) ||
                (with && !sql (bench,
                               "INSERT INTO alert_rules (name, kind, site_id, threshold,"
                               " window_minutes, min_responses, emails) "
                               "SELECT k, k, id, t, w, m, '{bench@example.com}' FROM sites, "
                               "(VALUES ('unhappy-share', 50, 15, 4),"
                               " ('very-unhappy-count', 3, 15, 1), ('happy-index', 70, 60, 20),"
                               " ('silent-kiosk', 0, 15, 1)) AS r (k, t, w, m) "
                               "WHERE name = 'bench'", &error)))
              {
                g_printerr ("bench-ingest: %s\n", error->message);
                return 1;
              }
            print_load ("(alerts, %s rules, run %d)", with ? "with" : "without", run + 1);
            if (!run_server (bench, fleet, best_threads, 0, &r, &error))
              {
                g_printerr ("bench-ingest: %s\n", error->message);
                return 1;
              }
            episodes = query_text (bench, "SELECT count (*) FROM alert_episodes");
            latency = query_text (bench,
                                  "SELECT round (extract (epoch FROM e.opened_at - ("
                                  " SELECT max (r.received_at) FROM responses r"
                                  " WHERE r.site_id = e.site_id AND r.received_at <= e.opened_at"
                                  ")) * 1000, 1) FROM alert_episodes e "
                                  "WHERE e.device_id = '' ORDER BY e.id LIMIT 1");
            r.episodes = episodes ? g_ascii_strtod (episodes, NULL) : 0;
            r.alert_ms = latency ? g_ascii_strtod (latency, NULL) : NAN;
            runs_add (&runs[with], &r);
            g_printerr ("  %s rules %8.0f events/s  p99 %7.1f ms  CPU ms/1000 events: server %.0f,"
                        " PostgreSQL %.0f  episodes %.0f  transaction → episode %.1f ms\n",
                        with ? "with   " : "without", r.events_s, r.p99_ms, r.cpu_receiver,
                        r.cpu_pg, r.episodes, r.alert_ms);
          }
      for (int with = 0; with < 2; with++)
        {
          RunResult m = runs_median (&runs[with]);

          if (with)
            g_print ("| 4 (unhappy-share, very-unhappy-count, happy-index, silent-kiosk) | %.0f | "
                     "%.1f | %.1f | %.0f + %.0f | %.0f | %.1f |\n", m.events_s, m.p50_ms,
                     m.p99_ms, m.cpu_receiver, m.cpu_pg, m.episodes, m.alert_ms);
          else
            g_print ("| none | %.0f | %.1f | %.1f | %.0f + %.0f | | |\n", m.events_s, m.p50_ms,
                     m.p99_ms, m.cpu_receiver, m.cpu_pg);
          runs_clear (&runs[with]);
        }
      g_print ("\n");
      fleet_free (fleet);
    }

  if (has_section ("http"))
    {
      const struct { const char *name; const char *flag; int threads; } receivers[] = {
        { "libmicrohttpd, pool of 2 threads", "--serve-mhd", 2 },
        { "libmicrohttpd, pool of 1 thread", "--serve-mhd", 1 },
#ifdef BENCH_HAVE_SOUP
        { "libsoup 3, work on the main loop", "--serve-soup", 0 },
        { "libsoup 3, work in 2 worker threads", "--serve-soup", 2 },
#endif
      };

      g_print ("### HTTP library, no database (batches of 500, gzip; receive, gunzip, parse, "
               "reply)\n\n");
      g_print ("| receiver | connections | requests/s | events/s | p50 ms | p99 ms | "
               "RSS start/peak/end MiB | receiver CPU ms/1000 events |\n");
      g_print ("|---|---:|---:|---:|---:|---:|---|---:|\n");
#ifndef BENCH_HAVE_SOUP
      g_printerr ("bench-ingest: built without libsoup-3.0: only libmicrohttpd is measured\n");
#endif
      for (guint k = 0; k < kiosks->len; k++)
        {
          guint n = g_array_index (kiosks, int, k);
          Fleet *fleet = fleet_new (n, 500);

          for (guint i = 0; i < G_N_ELEMENTS (receivers); i++)
            {
              g_autofree char *threads_text = g_strdup_printf ("%d", receivers[i].threads);
              g_autofree char *log = g_build_filename (bench->dir, "receiver.log", NULL);
              const char *argv[] = { bench->self, receivers[i].flag, "--serve-threads",
                                     threads_text, NULL };
              Runs runs;
              RunResult m;

              runs_init (&runs);
              for (int run = 0; run < opt_runs; run++)
                {
                  Receiver r = { 0 };
                  RunResult result = { 0 };

                  if (!receiver_start (&r, argv, log, &error) ||
                      !deliver (fleet, r.url, r.pid, 0, &result, &error))
                    {
                      g_printerr ("bench-ingest: %s: %s\n", receivers[i].name, error->message);
                      receiver_stop (&r);
                      return 1;
                    }
                  result.cpu_receiver = proc_cpu_s (r.pid, FALSE) * 1e6 / fleet->events;
                  receiver_stop (&r);
                  runs_add (&runs, &result);
                }
              m = runs_median (&runs);
              runs_clear (&runs);
              g_print ("| %s | %u | %.0f | %.0f | %.1f | %.1f | %.1f / %.1f / %.1f | %.0f |\n",
                       receivers[i].name, n, m.requests_s, m.events_s, m.p50_ms, m.p99_ms,
                       m.rss_start, m.rss_peak, m.rss_end, m.cpu_receiver);
            }
          fleet_free (fleet);
        }
      g_print ("\n");
    }

  print_load ("at the end");
  /* A missed goal is a finding, not a failure: it is reported above and on stderr. */
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- kiosks into the server");
  g_autoptr(GError) error = NULL;
  Bench bench = { 0 };
  int status;

  setlocale (LC_ALL, "");
  {
    GString *line = g_string_new (NULL);

    for (int i = 1; i < argc; i++)
      g_string_append_printf (line, " %s", argv[i]);
    command_line = g_string_free (line, FALSE);
  }
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-ingest: %s\n", error->message);
      return 2;
    }
  raise_nofile ();
  signal (SIGPIPE, SIG_IGN);

  if (opt_serve_mhd)
    return serve_mhd (MAX (opt_serve_threads, 1));
  if (opt_serve_soup)
    {
#ifdef BENCH_HAVE_SOUP
      return serve_soup (opt_serve_threads);
#else
      g_printerr ("bench-ingest: built without libsoup-3.0\n");
      return 1;
#endif
    }

  if (opt_quick)
    {
      opt_runs = 1;
      opt_events = 2000;
      opt_min_batches = 1;
      if (opt_kiosks == NULL)
        opt_kiosks = g_strdup ("1,10");
      if (opt_threads == NULL)
        opt_threads = g_strdup ("2");
      opt_sweep_kiosks = 4;
    }
  if (opt_kiosks == NULL)
    opt_kiosks = g_strdup ("1,100,1000");
  if (opt_batches == NULL)
    opt_batches = g_strdup ("500,50");
  if (opt_threads == NULL)
    opt_threads = g_strdup ("2,4,8");
  if (opt_sections == NULL)
    opt_sections = g_strdup ("threads,ingest,http");
  bench.server = g_strdup (opt_server ? opt_server : BENCH_SERVER_BINARY);
  bench.self = g_file_read_link ("/proc/self/exe", NULL);
  if (bench.self == NULL)
    bench.self = g_strdup (argv[0]);

  if (kiosk_test_pg_skip_reason () != NULL)
    {
      g_printerr ("bench-ingest: skipped: %s\n", kiosk_test_pg_skip_reason ());
      return 77;
    }
  if (curl_global_init (CURL_GLOBAL_DEFAULT) != 0)
    return 1;

  status = bench_main (&bench);

  if (bench.conn)
    PQfinish (bench.conn);
  if (bench.pg && opt_pg_log != NULL)
    {
      g_autofree char *log = NULL;
      gsize length = 0;

      if (g_file_get_contents (kiosk_test_pg_get_log_path (bench.pg), &log, &length, NULL))
        g_file_set_contents (opt_pg_log, log, length, NULL);
    }
  if (bench.pg)
    kiosk_test_pg_free (bench.pg);
  g_free (bench.dir);
  curl_global_cleanup ();
  return status;
}
