/* test-uploader.c: the real uploader (thread, libcurl, SQLite) against the test server, through
 * every failure the issue lists: a server down at start, resets, hangs, trickles, 5xx, 429/503
 * with Retry-After, lost replies, captive portals, redirects, poison events, 413, 401/403/404,
 * 410, unsafe token files, plain http, shutdown in a hung request, the survey pull, heartbeats,
 * clock correction, TLS, a fleet's retry schedule, and a drain killed with SIGKILL over and over.
 *
 * Every delivery test ends the same way: the server holds each response exactly once with a
 * contiguous seq, nothing is left pending, and the server saw no breach of the contract. Tests
 * wait on conditions with a bound; every delay of the uploader is shortened for them. */
#define G_LOG_DOMAIN "test-uploader"

#include "config.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "kiosk-outbox.h"
#include "kiosk-store.h"
#include "kiosk-test-server.h"
#include "kiosk-test-sync.h"
#include "kiosk-test-util.h"
#include "kiosk-uploader.h"

#define EVENTS     "/v1/events"
#define SURVEY     "/v1/devices/" KIOSK_TEST_DEVICE_ID "/survey"
#define HEARTBEAT  "/v1/devices/" KIOSK_TEST_DEVICE_ID "/heartbeat"
#define WAIT_MS    (20000 * time_scale ())

/* Slower runs (tests/run-valgrind.sh) multiply the connect timeout and the bounded waits by
 * KIOSK_TEST_TIME_SCALE: under memcheck a TLS handshake alone takes seconds. The stall and
 * trickle timings stay as they are; they are what those tests are about. */
static guint
time_scale (void)
{
  const char *scale = g_getenv ("KIOSK_TEST_TIME_SCALE");

  return scale != NULL ? CLAMP (g_ascii_strtoull (scale, NULL, 10), 1, 100) : 1;
}

/* Waiting: the condition may change on another thread, so it is polled every few ms while the
 * main context runs (the uploader's notifications arrive there). */

static gboolean
poll_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_until (gboolean (*condition) (gpointer data),
            gpointer   data,
            guint      timeout_ms)
{
  guint poll = g_timeout_add (5, poll_cb, NULL);
  gboolean ok = kiosk_test_wait_for (condition, data, timeout_ms);

  g_source_remove (poll);
  return ok;
}

#define WAIT_FOR(cond, f) G_STMT_START { \
    if (!wait_until (cond, f, WAIT_MS)) \
      g_error ("%s:%d: timed out waiting for %s", __FILE__, __LINE__, #cond); \
  } G_STMT_END

typedef struct
{
  char                 *dir;
  char                 *db;
  KioskTestServer      *server;
  KioskConfig          *config;
  KioskUploader        *uploader;
  KioskUploaderTimings  timings;
  guint                 survey_updates;
  char                 *survey_path;
  guint                 expected;          /* responses the server must end up holding */
  gint                  value;             /* scratch for conditions */
  const char           *text;
} Fixture;

static void
fast_timings (KioskUploaderTimings *t)
{
  kiosk_uploader_timings_init (t);
  t->debounce_ms = 10;
  t->start_delay_max_ms = 0;
  t->backoff_base_ms = 40;
  t->backoff_cap_ms = 200;
  t->pause_ms = 200;
  t->survey_poll_ms = 3600 * 1000;
  t->heartbeat_ms = 3600 * 1000;
  t->connect_timeout_ms = 2000 * time_scale ();
  t->low_speed_time_s = 1;
  t->total_timeout_ms = 20000;
  t->stats_interval_ms = 0;
  t->seed = 42;
  t->use_network_monitor = FALSE;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  KioskTestServerFlags flags = GPOINTER_TO_UINT (data);

  f->dir = kiosk_test_make_tmpdir ();
  f->db = g_build_filename (f->dir, "responses.db", NULL);
  f->server = kiosk_test_server_new (flags, NULL);
  kiosk_test_server_set_token (f->server, KIOSK_TEST_TOKEN);
  f->config = kiosk_test_sync_config (f->dir, kiosk_test_server_get_url (f->server), 100, NULL);
  fast_timings (&f->timings);

  /* The database exists before the kiosk's uploader starts, as in the application. */
  kiosk_test_fill_queue (f->db, 0, 1);
}

static void
stop_uploader (Fixture *f)
{
  if (f->uploader == NULL)
    return;
  kiosk_uploader_stop (f->uploader);
  g_clear_object (&f->uploader);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  stop_uploader (f);
  g_clear_pointer (&f->server, kiosk_test_server_free);
  g_clear_object (&f->config);

  /* Whatever happened, the token was never logged. */
  g_assert_false (kiosk_test_log_contains (KIOSK_TEST_TOKEN));

  kiosk_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->db);
  g_free (f->survey_path);
}

static void
survey_updated_cb (KioskUploader *uploader,
                   const char    *path,
                   Fixture       *f)
{
  f->survey_updates++;
  g_free (f->survey_path);
  f->survey_path = g_strdup (path);
}

static void
start_uploader_with (Fixture     *f,
                     KioskConfig *config)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (f->uploader);
  f->uploader = kiosk_uploader_new (config, f->db, &error);
  g_assert_no_error (error);
  kiosk_uploader_set_timings (f->uploader, &f->timings);
  g_signal_connect (f->uploader, "survey-updated", G_CALLBACK (survey_updated_cb), f);
  g_assert_true (kiosk_uploader_start (f->uploader, &error));
  g_assert_no_error (error);
}

static void
start_uploader (Fixture *f)
{
  start_uploader_with (f, f->config);
}

static KioskSyncStatus *
status (Fixture *f)
{
  return kiosk_uploader_dup_status (f->uploader);
}

static void
fill (Fixture *f,
      guint    n)
{
  kiosk_test_fill_queue (f->db, n, f->expected + 7);
  f->expected += n;
}

static char *
uuid_of (Fixture *f,
         gint64   seq)
{
  sqlite3 *db;
  sqlite3_stmt *stmt;
  char *uuid;

  g_assert_cmpint (sqlite3_open (f->db, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT uuid FROM responses WHERE seq = ?", -1, &stmt,
                                       NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, seq);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return uuid;
}

static gboolean
all_delivered (gpointer data)
{
  Fixture *f = data;

  return kiosk_test_server_count_accepted (f->server) >= f->expected &&
         kiosk_test_count_pending (f->db) == 0;
}

/* The end of every delivery test. */
static void
assert_delivered_exactly_once (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *violations = NULL;

  WAIT_FOR (all_delivered, f);
  kiosk_test_server_check_exactly_once (f->server, KIOSK_TEST_SOURCE, f->expected, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kiosk_test_count_pending (f->db), ==, 0);

  violations = kiosk_test_server_dup_violations (f->server);
  g_assert_cmpstr (violations, ==, "");
}

static gboolean
state_is (gpointer data)
{
  Fixture *f = data;
  g_autoptr(KioskSyncStatus) s = status (f);

  return (gint) s->state == f->value &&
         (f->text == NULL || (s->last_error && strstr (s->last_error, f->text)));
}

static void
wait_state (Fixture        *f,
            KioskSyncState  state,
            const char     *error_text)
{
  f->value = state;
  f->text = error_text;
  if (!wait_until (state_is, f, WAIT_MS))
    {
      g_autoptr(KioskSyncStatus) s = status (f);

      g_error ("timed out waiting for state %s (error “%s”); it is %s (error “%s”)",
               kiosk_sync_state_to_string (state), error_text ? error_text : "",
               kiosk_sync_state_to_string (s->state), s->last_error ? s->last_error : "");
    }
  f->text = NULL;
}

static gboolean
events_requests_at_least (gpointer data)
{
  Fixture *f = data;

  return kiosk_test_server_count_requests (f->server, EVENTS) >= (guint) f->value;
}

/* Only for proving that something does NOT happen: runs the main loop for a while. */
static gboolean
never (gpointer data)
{
  return FALSE;
}

/* The tests */

static void
test_delivers_batches (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(KioskSyncStatus) s = NULL;
  g_autoptr(GPtrArray) heartbeats = NULL;

  fill (f, 250);
  start_uploader (f);
  assert_delivered_exactly_once (f);

  /* 100 + 100 + 50, gzipped, with the contract's headers. */
  requests = kiosk_test_server_dup_requests (f->server, EVENTS);
  g_assert_cmpuint (requests->len, ==, 3);
  for (guint i = 0; i < requests->len; i++)
    {
      KioskTestRequest *r = g_ptr_array_index (requests, i);

      g_assert_cmpuint (r->events, ==, i < 2 ? 100 : 50);
      g_assert_true (r->gzip);
      g_assert_true (r->authorized);
      g_assert_cmpstr (r->user_agent, ==, "smiley-kiosk/" PACKAGE_VERSION);
      g_assert_cmpstr (r->content_type, ==, "application/cloudevents-batch+json");
      g_assert_cmpint (r->status, ==, 200);
    }

  wait_state (f, KIOSK_SYNC_IDLE, NULL);
  s = status (f);
  g_assert_cmpint (s->queue_depth, ==, 0);
  g_assert_cmpint (s->oldest_pending_age_s, ==, -1);
  g_assert_cmpint (s->last_seq, ==, 250);
  g_assert_cmpint (s->delivered, ==, 250);
  g_assert_nonnull (s->last_success);
  g_assert_null (s->last_error);
  g_assert_cmpint (s->next_retry_in_ms, ==, -1);
  g_assert_cmpuint (s->requests, >=, 3);
  g_assert_cmpuint (s->bytes_sent, >, 0);

  /* One survey check and one heartbeat right after start. */
  g_assert_cmpuint (kiosk_test_server_count_requests (f->server, SURVEY), ==, 1);
  heartbeats = kiosk_test_server_dup_heartbeats (f->server);
  g_assert_cmpuint (heartbeats->len, ==, 1);
}

/* Taps arriving together travel together: the debounce collects them into one request. */
static void
test_debounce (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(KioskClock) clock = kiosk_clock_new_fake (KIOSK_TEST_T0, G_USEC_PER_SEC,
                                                      KIOSK_TEST_BOOT_ID);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) requests = NULL;

  f->timings.debounce_ms = 500;
  start_uploader (f);
  wait_state (f, KIOSK_SYNC_IDLE, NULL);

  store = kiosk_store_open (f->db, KIOSK_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_signal_connect_swapped (store, "eligible-written", G_CALLBACK (kiosk_uploader_wake),
                            f->uploader);

  for (int i = 0; i < 5; i++)
    {
      g_autoptr(KioskResponse) r = kiosk_test_make_response (0, KIOSK_TEST_T0 + i, 1000 + i, i % 4);

      /* A tap that meets the uploader's commit for longer than the store waits (slow under
       * emulation) is held and written again 50 ms later, well inside the debounce. */
      if (!kiosk_store_record (store, r, &error))
        {
          g_assert_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_BUSY);
          g_clear_error (&error);
        }
    }
  f->expected = 5;
  assert_delivered_exactly_once (f);

  requests = kiosk_test_server_dup_requests (f->server, EVENTS);
  g_assert_cmpuint (requests->len, ==, 1);
  g_assert_cmpuint (((KioskTestRequest *) g_ptr_array_index (requests, 0))->events, ==, 5);
}

static void
test_start_delay (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(KioskSyncStatus) s = NULL;

  /* The real delay: a random moment in the first 10 s, so a fleet does not arrive at once. */
  f->timings.start_delay_max_ms = 10000;
  f->timings.seed = 0;
  fill (f, 5);
  start_uploader (f);
  wait_state (f, KIOSK_SYNC_STARTING, NULL);
  s = status (f);
  g_assert_cmpint (s->next_retry_in_ms, >=, 0);
  g_assert_cmpint (s->next_retry_in_ms, <=, 10000);

  /* The admin's "sync now" does not wait for it. */
  kiosk_uploader_sync_now (f->uploader);
  assert_delivered_exactly_once (f);
}

static void
test_server_down_at_start (Fixture       *f,
                           gconstpointer  data)
{
  fill (f, 20);
  start_uploader (f);
  wait_state (f, KIOSK_SYNC_BACKOFF, "cannot connect to the server");
  g_assert_cmpuint (kiosk_test_server_count_requests (f->server, NULL), ==, 0);

  kiosk_test_server_set_down (f->server, FALSE);
  assert_delivered_exactly_once (f);
}

/* GNetworkMonitor is a hint: when the network returns, a failing queue goes soon (after a
 * random moment), not at the end of a long backoff. */
static void
test_network_returns (Fixture       *f,
                      gconstpointer  data)
{
  f->timings.backoff_base_ms = 120 * 1000;
  f->timings.backoff_cap_ms = 600 * 1000;
  f->timings.start_delay_max_ms = 200;
  fill (f, 10);
  start_uploader (f);
  wait_state (f, KIOSK_SYNC_BACKOFF, "cannot connect");

  kiosk_test_server_set_down (f->server, FALSE);
  kiosk_uploader_network_changed (f->uploader, FALSE);
  kiosk_uploader_network_changed (f->uploader, TRUE);
  assert_delivered_exactly_once (f);
}

static void
test_connection_reset (Fixture       *f,
                       gconstpointer  data)
{
  fill (f, 50);
  kiosk_test_server_push_fault (f->server, EVENTS, KIOSK_FAULT_RESET, 0, NULL, NULL);
  start_uploader (f);
  assert_delivered_exactly_once (f);
  g_assert_cmpuint (kiosk_test_server_count_requests (f->server, EVENTS), ==, 2);
  g_assert_true (kiosk_test_log_contains ("uploading: the exchange with the server failed"));
}

static void
test_hang (Fixture       *f,
           gconstpointer  data)
{
  fill (f, 10);
  kiosk_test_server_push_fault (f->server, EVENTS, KIOSK_FAULT_HANG, 0, NULL, NULL);
  start_uploader (f);
  assert_delivered_exactly_once (f);
  /* Under 1 byte/s for low_speed_time: aborted, retried. */
  g_assert_true (kiosk_test_log_contains ("uploading: the server did not answer in time"));
}

static void
test_trickle_steady (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) requests = NULL;

  /* Slow (2 ms a byte) but steady: that is a working link, not a failure. */
  fill (f, 3);
  kiosk_test_server_push_fault (f->server, EVENTS, KIOSK_FAULT_TRICKLE, 2, NULL, NULL);
  start_uploader (f);
  assert_delivered_exactly_once (f);
  g_assert_cmpuint (kiosk_test_server_count_requests (f->server, EVENTS), ==, 1);
  g_assert_cmpuint (kiosk_test_server_count_duplicates (f->server), ==, 0);
}

static void
test_trickle_stalls (Fixture       *f,
                     gconstpointer  data)
{
  /* 1.5 s a byte is under 1 byte/s: aborted, sent again; the server had stored it already. */
  fill (f, 3);
  kiosk_test_server_push_fault (f->server, EVENTS, KIOSK_FAULT_TRICKLE, 1500, NULL, NULL);
  start_uploader (f);
  assert_delivered_exactly_once (f);
  /* The stalled request is on the server's books once it gave up writing to the closed socket. */
  f->value = 2;
  WAIT_FOR (events_requests_at_least, f);
  g_assert_cmpuint (kiosk_test_server_count_duplicates (f->server), ==, 3);
  g_assert_true (kiosk_test_log_contains ("the server did not answer in time"));
}

static void
test_500_then_200 (Fixture       *f,
                   gconstpointer  data)
{
  fill (f, 10);
  kiosk_test_server_push_fault (f->server, EVENTS, KIOSK_FAULT_STATUS, 500, NULL,
                                "Internal error");
  start_uploader (f);
  assert_delivered_exactly_once (f);
  g_assert_cmpuint (kiosk_test_server_count_requests (f->server, EVENTS), ==, 2);
  g_assert_true (kiosk_test_log_contains ("uploading: the server answered HTTP 500: "
                                          "Internal error"));
}

static gint64
gap_between_event_requests_ms (Fixture *f)
{
  g_autoptr(GPtrArray) requests = kiosk_test_server_dup_requests (f->server, EVENTS);

  g_assert_cmpuint (requests->len, ==, 2);
  return (((KioskTestRequest *) g_ptr_array_index (requests, 1))->received_us -
          ((KioskTestRequest *) g_ptr_array_index (requests, 0))->received_us) / 1000;
}

static gboolean
waiting_for_retry_after (gpointer data)
{
  Fixture *f = data;
  g_autoptr(KioskSyncStatus) s = status (f);

  return s->state == KIOSK_SYNC_BACKOFF && s->retry_after_s == f->value;
}

static void
test_503_retry_after_seconds (Fixture       *f,
                              gconstpointer  data)
{
  gint64 gap;

  fill (f, 10);
  kiosk_test_server_push_fault (f->server, EVENTS, KIOSK_FAULT_STATUS, 503,
                                "Retry-After: 1\r\n", "Busy");
  start_uploader (f);
  f->value = 1;
  WAIT_FOR (waiting_for_retry_after, f);
  assert_delivered_exactly_once (f);

  /* Not the 40 ms backoff: the server's second. */
  gap = gap_between_event_requests_ms (f);
  g_test_message ("503 Retry-After: 1 -> next request after %" G_GINT64_FORMAT " ms", gap);
  g_assert_cmpint (gap, >=, 1000);
}

static void
test_429_retry_after_date (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 1);
  g_autofree char *date = g_date_time_format (later, "%a, %d %b %Y %H:%M:%S GMT");
  g_autofree char *header = g_strdup_printf ("Retry-After: %s\r\n", date);
  gint64 gap;

  fill (f, 10);
  kiosk_test_server_push_fault (f->server, EVENTS, KIOSK_FAULT_STATUS, 429, header,
                                "Slow down");
  start_uploader (f);
  assert_delivered_exactly_once (f);

  /* An HTTP date one second ahead of the server's Date: at least the 1 s minimum. */
  gap = gap_between_event_requests_ms (f);
  g_test_message ("429 Retry-After: %s -> next request after %" G_GINT64_FORMAT " ms", date, gap);
  g_assert_cmpint (gap, >=, 1000);
  g_assert_cmpint (gap, <, 5000);
}

static void
test_retry_after_clamped (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(KioskSyncStatus) s = NULL;

  fill (f, 10);
  kiosk_test_server_push_fault (f->server, EVENTS, KIOSK_FAULT_STATUS, 503,
                                "Retry-After: 99999999999999\r\n", NULL);
  kiosk_test_server_push_fault (f->server, EVENTS, KIOSK_FAULT_STATUS, 503,
                                "Retry-After: Fri, 31 Dec 2100 23:59:59 GMT\r\n", NULL);
  start_uploader (f);

  /* Three thousand years, then 2100: both wait 24 h, and never longer. */
  f->value = 86400;
  WAIT_FOR (waiting_for_retry_after, f);
  s = status (f);
  g_assert_cmpint (s->next_retry_in_ms, ==, 86400 * 1000);
  g_clear_pointer (&s, kiosk_sync_status_free);

  kiosk_uploader_sync_now (f->uploader);
  f->value = 2;
  WAIT_FOR (events_requests_at_least, f);
  f->value = 86400;
  WAIT_FOR (waiting_for_retry_after, f);
  s = status (f);
  g_assert_cmpint (s->next_retry_in_ms, ==, 86400 * 1000);

  kiosk_uploader_sync_now (f->uploader);
  assert_delivered_exactly_once (f);
}

static void
test_retry_after_parsing (void)
{
  gint64 now = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;  /* Tue, 14 Nov 2023 22:13:20 */
  const guint min = 1000, max = 86400 * 1000;

  g_assert_cmpint (kiosk_retry_after_ms (NULL, NULL, now, min, max), ==, -1);
  g_assert_cmpint (kiosk_retry_after_ms ("5", NULL, now, min, max), ==, 5000);
  g_assert_cmpint (kiosk_retry_after_ms (" 120 ", NULL, now, min, max), ==, 120000);
  g_assert_cmpint (kiosk_retry_after_ms ("0", NULL, now, min, max), ==, 1000);
  g_assert_cmpint (kiosk_retry_after_ms ("999999999999999999999999", NULL, now, min, max), ==, max);
  g_assert_cmpint (kiosk_retry_after_ms ("-5", NULL, now, min, max), ==, -1);
  g_assert_cmpint (kiosk_retry_after_ms ("soon", NULL, now, min, max), ==, -1);
  g_assert_cmpint (kiosk_retry_after_ms ("1.5", NULL, now, min, max), ==, -1);
  /* HTTP date, against our clock... */
  g_assert_cmpint (kiosk_retry_after_ms ("Tue, 14 Nov 2023 22:13:50 GMT", NULL, now, min, max), ==,
                   30000);
  /* ... or against the server's Date, which wins: our clock may be years off. */
  g_assert_cmpint (kiosk_retry_after_ms ("Tue, 14 Nov 2023 22:13:50 GMT",
                                         "Tue, 14 Nov 2023 22:13:40 GMT", 0, min, max), ==, 10000);
  g_assert_cmpint (kiosk_retry_after_ms ("Tue, 14 Nov 2023 22:00:00 GMT", NULL, now, min, max), ==,
                   1000);
  g_assert_cmpint (kiosk_retry_after_ms ("Fri, 31 Dec 9999 23:59:59 GMT", NULL, now, min, max), ==,
                   max);
  /* Years that overflow milliseconds, either way (found by fuzz-http): simply very long, or past. */
  g_assert_cmpint (kiosk_retry_after_ms ("2 Nov 999999999", NULL, now, min, max), ==, max);
  g_assert_cmpint (kiosk_retry_after_ms ("Tue, 14 Nov 2023 22:13:50 GMT", "2 Nov 999999999", now,
                                         min, max), ==, min);
}

/* The server stored the batch, and the reply never arrived: the resend is a duplicate. */
static void
test_reply_lost (Fixture       *f,
                 gconstpointer  data)
{
  fill (f, 30);
  kiosk_test_server_push_fault (f->server, EVENTS, KIOSK_FAULT_STORE_AND_DROP, 0, NULL, NULL);
  start_uploader (f);
  assert_delivered_exactly_once (f);
  g_assert_cmpuint (kiosk_test_server_count_duplicates (f->server), ==, 30);
}

static void
test_captive_portal (Fixture       *f,
                     gconstpointer  data)
{
  fill (f, 10);
  kiosk_test_server_push_fault (f->server, EVENTS, KIOSK_FAULT_STATUS, 200, NULL,
                                "<html><body><h1>Welcome to Shop Wi-Fi</h1>Please log in</html>");
  kiosk_test_server_push_fault (f->server, EVENTS, KIOSK_FAULT_STATUS, 204, NULL, NULL);
  kiosk_test_server_push_fault (f->server, EVENTS, KIOSK_FAULT_STATUS, 200, NULL,
                                "{\"results\":[]}");
  start_uploader (f);
  assert_delivered_exactly_once (f);
  g_assert_cmpuint (kiosk_test_server_count_requests (f->server, EVENTS), ==, 4);
  g_assert_true (kiosk_test_log_contains ("uploading: HTTP 200, but the server's reply is not a "
                                          "results document for this batch: not JSON"));
  g_assert_true (kiosk_test_log_contains ("uploading: HTTP 204, but only 200 carries the per-event "
                                          "results"));
  g_assert_true (kiosk_test_log_contains ("10 of the 10 events are not named"));
}

static void
test_redirect (Fixture       *f,
               gconstpointer  data)
{
  fill (f, 10);
  kiosk_test_server_push_fault (f->server, EVENTS, KIOSK_FAULT_STATUS, 302,
                                "Location: /v1/elsewhere\r\n", NULL);
  start_uploader (f);
  assert_delivered_exactly_once (f);
  g_assert_cmpuint (kiosk_test_server_count_requests (f->server, "/v1/elsewhere"), ==, 0);
  g_assert_true (kiosk_test_log_contains ("the server answered HTTP 302 to /v1/elsewhere; "
                                          "redirects are never followed"));
}

static void
test_reply_too_large (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *huge = g_strnfill (3 * 1024 * 1024 / 2, 'x');

  fill (f, 10);
  kiosk_test_server_push_fault (f->server, EVENTS, KIOSK_FAULT_STATUS, 200, NULL, huge);
  start_uploader (f);
  assert_delivered_exactly_once (f);
  g_assert_true (kiosk_test_log_contains ("the server's reply was larger than 1 MiB"));
}

static GPtrArray *
dead_letters (Fixture *f)
{
  g_autoptr(KioskOutbox) outbox = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *letters;

  outbox = kiosk_outbox_open (f->db, KIOSK_OUTBOX_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  letters = kiosk_outbox_list_dead_letters (outbox, &error);
  g_assert_no_error (error);
  return letters;
}

static gboolean
settled (gpointer data)
{
  Fixture *f = data;

  return kiosk_test_count_pending (f->db) == 0 &&
         kiosk_test_server_count_accepted (f->server) >= (guint) f->value;
}

/* 422 for any batch holding the poison event: halves, quarters... until it stands alone. */
static void
test_poison_event (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *poison = NULL;
  g_autoptr(GPtrArray) letters = NULL;
  g_autoptr(GArray) seqs = NULL;
  g_autoptr(KioskSyncStatus) s = NULL;
  KioskDeadLetter *letter;
  guint requests;

  fill (f, 100);
  poison = uuid_of (f, 37);
  kiosk_test_server_set_poison (f->server, poison);
  start_uploader (f);

  f->value = 99;
  WAIT_FOR (settled, f);

  seqs = kiosk_test_server_dup_seqs (f->server, KIOSK_TEST_SOURCE);
  g_assert_cmpuint (seqs->len, ==, 99);
  for (guint i = 0; i < seqs->len; i++)
    g_assert_cmpint (g_array_index (seqs, gint64, i), ==, i < 36 ? i + 1 : i + 2);

  letters = dead_letters (f);
  g_assert_cmpuint (letters->len, ==, 1);
  letter = g_ptr_array_index (letters, 0);
  g_assert_cmpint (letter->seq, ==, 37);
  g_assert_cmpstr (letter->uuid, ==, poison);
  g_assert_cmpint (letter->http_status, ==, 422);
  g_assert_cmpstr (letter->reason, ==,
                   "HTTP 422: {\"error\":\"this batch holds an event we cannot process\"}");
  g_assert_nonnull (strstr (letter->event, poison));

  /* log2(100) rounds of halving, not a request per event. */
  requests = kiosk_test_server_count_requests (f->server, EVENTS);
  g_test_message ("poison in 100: %u requests", requests);
  g_assert_cmpuint (requests, <=, 20);

  wait_state (f, KIOSK_SYNC_IDLE, NULL);
  s = status (f);
  g_assert_cmpint (s->dead_letters, ==, 1);
  g_assert_cmpint (s->queue_depth, ==, 0);
  g_assert_true (kiosk_test_log_contains ("moved to the dead letters"));
  g_assert_cmpuint (kiosk_test_server_count_violations (f->server), ==, 0);
}

static void
test_rejected_in_reply (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *rejected = NULL;
  g_autoptr(GPtrArray) letters = NULL;
  KioskDeadLetter *letter;

  fill (f, 10);
  rejected = uuid_of (f, 5);
  kiosk_test_server_set_reject (f->server, rejected, "survey version unknown");
  start_uploader (f);

  f->value = 9;
  WAIT_FOR (settled, f);
  g_assert_cmpuint (kiosk_test_server_count_accepted (f->server), ==, 9);
  g_assert_cmpuint (kiosk_test_server_count_requests (f->server, EVENTS), ==, 1);

  letters = dead_letters (f);
  g_assert_cmpuint (letters->len, ==, 1);
  letter = g_ptr_array_index (letters, 0);
  g_assert_cmpint (letter->seq, ==, 5);
  g_assert_cmpint (letter->http_status, ==, 200);
  g_assert_cmpstr (letter->reason, ==, "survey version unknown");
}

static void
test_413_lowers_ceiling (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(KioskSyncStatus) s = NULL;
  gboolean lowered = FALSE;

  kiosk_test_server_set_max_batch (f->server, 30);
  fill (f, 100);
  start_uploader (f);
  assert_delivered_exactly_once (f);

  /* Once lowered, the ceiling stays: after the first 413s, every batch fits. */
  requests = kiosk_test_server_dup_requests (f->server, EVENTS);
  for (guint i = 0; i < requests->len; i++)
    {
      KioskTestRequest *r = g_ptr_array_index (requests, i);

      if (r->status == 200 && !lowered)
        lowered = TRUE;
      else if (lowered)
        g_assert_cmpint (r->status, ==, 200);
    }
  g_assert_true (lowered);

  wait_state (f, KIOSK_SYNC_IDLE, NULL);
  s = status (f);
  g_assert_cmpuint (s->batch_ceiling, ==, 25);
  g_assert_cmpint (s->dead_letters, ==, 0);
  g_assert_true (kiosk_test_log_contains ("batches now hold at most 25"));
}

static void
test_401_pauses (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) letters = NULL;
  g_autoptr(KioskSyncStatus) s = NULL;

  /* The next retry would be in 15 min: only noticing the fixed file can resume it in time. */
  f->timings.pause_ms = 15 * 60 * 1000;
  g_free (kiosk_test_write_token (f->dir, "an-outdated-token", 0600));
  fill (f, 10);
  start_uploader (f);
  wait_state (f, KIOSK_SYNC_PAUSED, "the server refused the token (HTTP 401): check [cloud] "
                                    "token-file; uploads paused, retrying every");
  s = status (f);
  g_assert_nonnull (s->next_retry);
  g_assert_cmpuint (kiosk_test_server_count_accepted (f->server), ==, 0);
  letters = dead_letters (f);
  g_assert_cmpuint (letters->len, ==, 0);
  g_assert_cmpint (kiosk_test_count_pending (f->db), ==, 10);

  /* The operator fixes the token file: noticed at once, no restart. */
  g_free (kiosk_test_write_token (f->dir, KIOSK_TEST_TOKEN, 0600));
  assert_delivered_exactly_once (f);
  wait_state (f, KIOSK_SYNC_IDLE, NULL);
}

static void
test_403_404_pause (Fixture       *f,
                    gconstpointer  data)
{
  static const struct { int status; const char *says; } cases[] = {
    { 403, "the server refused this device (HTTP 403)" },
    { 404, "the server has no such endpoint or device (HTTP 404): check [cloud] url and "
           "device-id" },
  };

  start_uploader (f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) letters = NULL;

      kiosk_test_server_set_status (f->server, EVENTS, cases[i].status, NULL, "No");
      fill (f, 10);
      kiosk_uploader_sync_now (f->uploader);
      wait_state (f, KIOSK_SYNC_PAUSED, cases[i].says);
      letters = dead_letters (f);
      g_assert_cmpuint (letters->len, ==, 0);
      g_assert_cmpint (kiosk_test_count_pending (f->db), ==, 10);

      kiosk_test_server_set_status (f->server, EVENTS, 0, NULL, NULL);
      assert_delivered_exactly_once (f);
    }
}

static void
test_410_retires (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(KioskConfig) moved = NULL;
  g_autofree char *url = NULL;
  guint requests;

  kiosk_test_server_set_status (f->server, EVENTS, 410, NULL, "Gone");
  fill (f, 10);
  start_uploader (f);
  wait_state (f, KIOSK_SYNC_RETIRED, "the server retired this device (HTTP 410)");
  g_assert_cmpint (kiosk_test_count_pending (f->db), ==, 10);
  /* The survey check and heartbeat at start may have gone out before the 410. */
  wait_until (never, NULL, 100);
  requests = kiosk_test_server_count_requests (f->server, NULL);

  /* Neither taps nor "sync now" revive it, nor a restart with the same configuration. */
  kiosk_uploader_wake (f->uploader);
  kiosk_uploader_sync_now (f->uploader);
  wait_until (never, NULL, 300);
  g_assert_cmpuint (kiosk_test_server_count_requests (f->server, NULL), ==, requests);
  stop_uploader (f);

  start_uploader (f);
  wait_state (f, KIOSK_SYNC_RETIRED, "retired");
  wait_until (never, NULL, 300);
  g_assert_cmpuint (kiosk_test_server_count_requests (f->server, NULL), ==, requests);
  stop_uploader (f);
  g_assert_cmpint (kiosk_test_count_pending (f->db), ==, 10);

  /* A new configuration (here another url for the same server) starts afresh. */
  kiosk_test_server_set_status (f->server, EVENTS, 0, NULL, NULL);
  url = g_strdup_printf ("http://localhost:%u", kiosk_test_server_get_port (f->server));
  moved = kiosk_test_sync_config (f->dir, url, 100, NULL);
  start_uploader_with (f, moved);
  assert_delivered_exactly_once (f);
}

static void
test_token_file_permissions (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *token = g_build_filename (f->dir, "token", NULL);
  g_autoptr(KioskSyncStatus) s = NULL;

  f->timings.pause_ms = 15 * 60 * 1000;
  fill (f, 10);
  /* Loosened after the configuration was checked: the uploader checks on every use. */
  g_assert_cmpint (g_chmod (token, 0644), ==, 0);
  start_uploader (f);
  wait_state (f, KIOSK_SYNC_PAUSED, "is readable or writable by group or others (mode 0644); the "
                                    "token is not used until you run: chmod 600");
  s = status (f);
  g_assert_null (strstr (s->last_error, KIOSK_TEST_TOKEN));
  /* Nothing at all was sent with it: no upload, no survey check, no heartbeat. */
  g_assert_cmpuint (kiosk_test_server_count_requests (f->server, NULL), ==, 0);

  g_assert_cmpint (g_chmod (token, 0600), ==, 0);
  assert_delivered_exactly_once (f);
}

static void
test_token_reading (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "token", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autofree char *token = NULL;
  g_autoptr(GError) error = NULL;
  static const struct { const char *contents; int mode; const char *says; } cases[] = {
    { "abc.DEF-123_~+/=\n", 0600, NULL },
    { "  padded-token \r\n", 0400, NULL },
    { "", 0600, "is empty" },
    { "two words", 0600, "holds more than one word" },
    { "line1\nline2", 0600, "holds more than one word" },
    { "ok", 0640, "(mode 0640)" },
    { "ok", 0604, "(mode 0604)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *written = NULL;
      g_autofree char *stripped = g_strstrip (g_strdup (cases[i].contents));

      g_file_set_contents (path, cases[i].contents, -1, NULL);
      g_chmod (path, cases[i].mode);
      written = kiosk_read_token (path, &error);
      if (cases[i].says == NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (written, ==, stripped);
        }
      else
        {
          g_assert_null (written);
          g_assert_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_TOKEN);
          g_assert_nonnull (strstr (error->message, cases[i].says));
          g_assert_true (g_str_has_prefix (error->message, "[cloud] token-file "));
          g_clear_error (&error);
        }
      g_unlink (path);
    }

  token = kiosk_read_token (path, &error);
  g_assert_null (token);
  g_assert_nonnull (strstr (error->message, "No such file or directory"));
  g_clear_error (&error);

  /* A FIFO in its place must not block the uploader. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_null (kiosk_read_token (fifo, &error));
  g_assert_nonnull (strstr (error->message, "is not a file"));

  kiosk_test_rm_rf (dir);
}

static void
test_insecure_http_refused (void)
{
  static const struct { const char *url; gboolean allow; const char *says; } cases[] = {
    { "https://feedback.example.com", FALSE, NULL },
    { "http://127.0.0.1:8080", FALSE, NULL },
    { "http://[::1]:8080", FALSE, NULL },
    { "http://localhost", FALSE, NULL },
    { "http://feedback.example.com", FALSE, "http:// is refused for feedback.example.com, which "
                                            "is not a loopback address" },
    { "http://192.0.2.7", FALSE, "not a loopback address" },
    { "http://192.0.2.7", TRUE, NULL },
    { "ftp://192.0.2.7", TRUE, "the scheme must be https://" },
    { "no url", FALSE, "is not a URL" },
  };
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskUploader) uploader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (dir, "responses.db", NULL);
  g_autofree char *text = NULL;
  g_autofree char *token = kiosk_test_write_token (dir, KIOSK_TEST_TOKEN, 0600);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) check_error = NULL;
      gboolean ok = kiosk_cloud_url_check (cases[i].url, cases[i].allow, &check_error);

      g_assert_true (ok == (cases[i].says == NULL));
      if (!ok)
        g_assert_nonnull (strstr (check_error->message, cases[i].says));
    }

  /* The configuration refuses it with the line to fix... */
  text = g_strdup_printf ("[kiosk]\nstate-directory=%s\n[cloud]\nurl=http://192.0.2.7\n"
                          "token-file=%s\n", dir, token);
  config = kiosk_config_new_from_data (text, -1, "kiosk.conf", &error);
  g_assert_null (config);
  g_assert_nonnull (strstr (error->message, "kiosk.conf:4: [cloud] url: http:// is accepted only "
                                            "for loopback addresses"));
  g_clear_error (&error);
  g_free (text);

  /* ... and the operator can allow it explicitly; the uploader warns. */
  text = g_strdup_printf ("[kiosk]\nstate-directory=%s\n[cloud]\nurl=http://192.0.2.7\n"
                          "token-file=%s\nallow-insecure-http=true\n", dir, token);
  config = kiosk_config_new_from_data (text, -1, "kiosk.conf", &error);
  g_assert_no_error (error);
  uploader = kiosk_uploader_new (config, db, &error);
  g_assert_no_error (error);
  g_assert_true (kiosk_test_log_contains ("http:// to a host that is not loopback"));

  kiosk_test_rm_rf (dir);
}

/* A request that never gets an answer must not hold up the kiosk's exit. */
static void
test_shutdown_during_hang (Fixture       *f,
                           gconstpointer  data)
{
  gint64 start, elapsed_ms;

  f->timings.low_speed_time_s = 30;
  f->timings.total_timeout_ms = 120 * 1000;
  fill (f, 10);
  kiosk_test_server_push_fault (f->server, EVENTS, KIOSK_FAULT_HANG, 0, NULL, NULL);
  start_uploader (f);
  f->value = 1;
  WAIT_FOR (events_requests_at_least, f);

  start = g_get_monotonic_time ();
  stop_uploader (f);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("stopped in %" G_GINT64_FORMAT " ms during a hung request", elapsed_ms);
  g_assert_cmpint (elapsed_ms, <, 2000);

  /* Nothing was acknowledged, so nothing is lost: the next start delivers it. */
  g_assert_cmpint (kiosk_test_count_pending (f->db), ==, 10);
  start_uploader (f);
  assert_delivered_exactly_once (f);
}

static gboolean
validate_survey (GBytes   *data,
                 gpointer  user_data,
                 GError  **error)
{
  gsize length;
  const char *text = g_bytes_get_data (data, &length);
  g_autoptr(JsonNode) root = json_from_string (text, NULL);

  (*(guint *) user_data)++;
  if (root == NULL || !json_object_has_member (json_node_get_object (root), "question"))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "$.question: missing (every survey asks something)");
      return FALSE;
    }
  return TRUE;
}

static gboolean
survey_status_says (gpointer data)
{
  Fixture *f = data;
  g_autoptr(KioskSyncStatus) s = status (f);

  return kiosk_test_server_count_requests (f->server, SURVEY) >= (guint) f->value &&
         s->survey_status != NULL && strstr (s->survey_status, f->text) != NULL;
}

static void
check_survey (Fixture    *f,
              guint       requests,
              const char *says)
{
  f->value = requests;
  f->text = says;
  WAIT_FOR (survey_status_says, f);
  f->text = NULL;
}

static gboolean
survey_updated (gpointer data)
{
  Fixture *f = data;

  return f->survey_updates >= (guint) f->value;
}

static void
test_survey_pull (Fixture       *f,
                  gconstpointer  data)
{
  static const char v1[] = "{\"id\":\"exit\",\"version\":1,\"question\":\"How was it?\"}";
  static const char v4[] = "{\"id\":\"exit\",\"version\":4,\"question\":\"And now?\"}";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected_path = g_build_filename (f->dir, "survey.json", NULL);
  guint validated = 0;

  kiosk_test_server_set_survey (f->server, v1, "\"v1\"");
  f->uploader = kiosk_uploader_new (f->config, f->db, &error);
  kiosk_uploader_set_timings (f->uploader, &f->timings);
  kiosk_uploader_set_survey_validator (f->uploader, validate_survey, &validated, NULL);
  g_signal_connect (f->uploader, "survey-updated", G_CALLBACK (survey_updated_cb), f);
  g_assert_true (kiosk_uploader_start (f->uploader, &error));

  /* 200: validated, written whole, announced on the main context. */
  f->value = 1;
  WAIT_FOR (survey_updated, f);
  g_assert_cmpstr (f->survey_path, ==, expected_path);
  g_assert_true (g_file_get_contents (expected_path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, v1);
  g_clear_pointer (&contents, g_free);
  g_assert_cmpuint (validated, ==, 1);

  /* 304: the ETag was honoured. */
  kiosk_uploader_sync_now (f->uploader);
  check_survey (f, 2, "survey unchanged on the server");
  requests = kiosk_test_server_dup_requests (f->server, SURVEY);
  g_assert_null (((KioskTestRequest *) g_ptr_array_index (requests, 0))->if_none_match);
  g_assert_cmpstr (((KioskTestRequest *) g_ptr_array_index (requests, 1))->if_none_match, ==,
                   "\"v1\"");
  g_assert_cmpint (((KioskTestRequest *) g_ptr_array_index (requests, 1))->status, ==, 304);

  /* 200 with something that is not JSON: kept the old one. */
  kiosk_test_server_set_survey (f->server, "{\"id\": \"exit\", oops", "\"v2\"");
  kiosk_uploader_sync_now (f->uploader);
  check_survey (f, 3, "the survey from the server was not used (the current one stays): it is "
                      "not JSON");

  /* 200 with JSON the application's validator refuses: kept, and the status says why. */
  kiosk_test_server_set_survey (f->server, "{\"id\":\"exit\",\"version\":3}", "\"v3\"");
  kiosk_uploader_sync_now (f->uploader);
  check_survey (f, 4, "the survey from the server was not used (the current one stays): "
                      "$.question: missing");

  /* 404: no survey assigned; the local one stays. */
  kiosk_test_server_set_survey (f->server, NULL, NULL);
  kiosk_uploader_sync_now (f->uploader);
  check_survey (f, 5, "no survey assigned on the server (HTTP 404)");

  g_assert_true (g_file_get_contents (expected_path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, v1);
  g_clear_pointer (&contents, g_free);
  g_assert_cmpuint (f->survey_updates, ==, 1);

  /* A new valid one replaces it. */
  kiosk_test_server_set_survey (f->server, v4, "\"v4\"");
  kiosk_uploader_sync_now (f->uploader);
  f->value = 2;
  WAIT_FOR (survey_updated, f);
  g_assert_true (g_file_get_contents (expected_path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, v4);
  g_assert_cmpuint (validated, ==, 3);

  /* A server without ETags sends it whole every time: the same survey is not announced again. */
  kiosk_test_server_set_survey (f->server, v4, NULL);
  kiosk_uploader_sync_now (f->uploader);
  check_survey (f, 7, "survey unchanged on the server");
  g_assert_cmpuint (f->survey_updates, ==, 2);
}

static gboolean
heartbeat_with_depth (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GPtrArray) heartbeats = kiosk_test_server_dup_heartbeats (f->server);

  for (guint i = 0; i < heartbeats->len; i++)
    if (strstr (g_ptr_array_index (heartbeats, i), "\"queue_depth\":3,") != NULL &&
        strstr (g_ptr_array_index (heartbeats, i), "\"buttons\":") != NULL)
      {
        f->text = g_intern_string (g_ptr_array_index (heartbeats, i));
        return TRUE;
      }
  return FALSE;
}

static void
test_heartbeat (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *o, *storage, *buttons;

  f->timings.heartbeat_ms = 100;
  kiosk_test_server_set_status (f->server, EVENTS, 503, NULL, "Down for maintenance");
  fill (f, 3);
  start_uploader (f);
  kiosk_uploader_set_survey_info (f->uploader, "exit", 7);
  kiosk_uploader_set_storage_health (f->uploader, KIOSK_STORAGE_RECOVERED);
  /* Told last, so the heartbeat that has the buttons has everything told before. */
  kiosk_uploader_set_buttons (f->uploader, 2, 1);
  WAIT_FOR (heartbeat_with_depth, f);

  root = json_from_string (f->text, &error);
  g_assert_no_error (error);
  o = json_node_get_object (root);
  g_assert_cmpuint (json_object_get_size (o), ==, 13);
  g_assert_cmpstr (json_object_get_string_member (o, "version"), ==, PACKAGE_VERSION);
  g_assert_cmpint (json_object_get_int_member (o, "uptime_s"), >=, 0);
  g_assert_cmpint (json_object_get_int_member (o, "queue_depth"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (o, "oldest_pending_age_s"), >, 0);
  g_assert_cmpint (json_object_get_int_member (o, "dead_letter_count"), ==, 0);
  g_assert_true (json_object_get_null_member (o, "last_upload_ok_at"));
  g_assert_nonnull (strstr (json_object_get_string_member (o, "last_error"), "HTTP 503"));
  g_assert_true (JSON_NODE_HOLDS_VALUE (json_object_get_member (o, "clock_synced")));
  g_assert_cmpstr (json_object_get_string_member (o, "survey_id"), ==, "exit");
  g_assert_cmpint (json_object_get_int_member (o, "survey_version"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (o, "last_seq"), ==, 3);
  storage = json_object_get_object_member (o, "storage");
  g_assert_cmpstr (json_object_get_string_member (storage, "state"), ==, "recovered");
  /* The uploader measures these itself: the database holds three responses, and a test's
   * directory is on a file system with some room. */
  g_assert_cmpint (json_object_get_int_member (storage, "database_bytes"), >, 0);
  g_assert_cmpint (json_object_get_int_member (storage, "free_bytes"), >, 0);
  buttons = json_object_get_object_member (o, "buttons");
  g_assert_cmpint (json_object_get_int_member (buttons, "configured"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (buttons, "connected"), ==, 1);
  g_assert_null (strstr (f->text, KIOSK_TEST_TOKEN));

  kiosk_test_server_set_status (f->server, EVENTS, 0, NULL, NULL);
  kiosk_uploader_sync_now (f->uploader);
  assert_delivered_exactly_once (f);
}

/* Taps before NTP synchronised the clock, delivered after it did: their true time goes out. */
static void
test_clock_correction (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(KioskClock) clock = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  gint64 wrong = G_GINT64_CONSTANT (31536000) * G_USEC_PER_SEC;   /* 1971 */

  store = kiosk_store_open (f->db, KIOSK_STORE_OPEN_DEFAULT, &error);
  for (int i = 0; i < 3; i++)
    {
      gint64 mono = (i + 1) * 10 * G_USEC_PER_SEC;
      g_autoptr(KioskResponse) r = kiosk_test_make_response (0, wrong + mono, mono, i);

      r->time.synced = FALSE;
      g_assert_true (kiosk_store_record (store, r, &error));
      g_ptr_array_add (uuids, g_strdup (r->uuid));
    }
  f->expected = 3;

  /* The same boot, 100 s after it started: the clock is now right and synchronised. */
  clock = kiosk_clock_new_fake (KIOSK_TEST_T0, 100 * G_USEC_PER_SEC, KIOSK_TEST_BOOT_ID);
  f->uploader = kiosk_uploader_new (f->config, f->db, &error);
  kiosk_uploader_set_timings (f->uploader, &f->timings);
  kiosk_uploader_set_clock (f->uploader, clock);
  g_assert_true (kiosk_uploader_start (f->uploader, &error));
  assert_delivered_exactly_once (f);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *event = kiosk_test_server_dup_event (f->server, KIOSK_TEST_SOURCE,
                                                            g_ptr_array_index (uuids, i));
      g_autofree char *time = kiosk_format_rfc3339 (KIOSK_TEST_T0 - (90 - 10 * i) * G_USEC_PER_SEC,
                                                    0);
      g_autofree char *expected_time = g_strdup_printf ("\"time\":\"%s\"", time);

      g_assert_nonnull (strstr (event, "\"synced\":false,\"corrected\":true"));
      g_assert_nonnull (strstr (event, expected_time));
    }
  g_assert_true (kiosk_test_log_contains ("corrected the time of 3 earlier responses of this "
                                          "boot"));
}

static char *
run_status (const char *config_path,
            int        *out_status)
{
  const char *binary = g_getenv ("SMILEY_KIOSK_BINARY");
  const char *argv[] = { binary, "--config", config_path, "--status", NULL };
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  /* No display: --status is for a terminal on the kiosk or over ssh. */
  env = g_environ_unsetenv (env, "DISPLAY");
  env = g_environ_unsetenv (env, "WAYLAND_DISPLAY");
  g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                out_status, &error);
  g_assert_no_error (error);
  return out;
}

static gboolean
saved_state_is_backoff (gpointer data)
{
  Fixture *f = data;
  g_autoptr(KioskSyncStatus) loaded = kiosk_sync_status_load (f->config, NULL);

  return loaded != NULL && loaded->state == KIOSK_SYNC_BACKOFF && loaded->next_retry != NULL;
}

/* The status as --status prints it: read from the database alone, while the kiosk runs or not. */
static void
test_status_report (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(KioskSyncStatus) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *config_path = g_build_filename (f->dir, "kiosk.conf", NULL);
  g_autofree char *off_path = NULL;
  g_autofree char *off_text = NULL;
  g_autofree char *out = NULL;
  int exit_status = -1;

  kiosk_test_server_set_status (f->server, EVENTS, 503, "Retry-After: 3600\r\n", "Maintenance");
  fill (f, 4);
  start_uploader (f);
  f->value = 3600;
  WAIT_FOR (waiting_for_retry_after, f);

  /* While it runs (the database follows the thread's state a moment later). */
  WAIT_FOR (saved_state_is_backoff, f);
  loaded = kiosk_sync_status_load (f->config, &error);
  g_assert_no_error (error);
  g_assert_cmpint (loaded->state, ==, KIOSK_SYNC_BACKOFF);
  g_assert_cmpint (loaded->queue_depth, ==, 4);
  g_assert_nonnull (loaded->next_retry);
  text = kiosk_sync_status_format (loaded);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Sync on: http://127.0.0.1:"));
  g_assert_nonnull (strstr (text, "  State                waiting to retry after a failure\n"));
  g_assert_nonnull (strstr (text, "  Queue depth          4\n"));
  g_assert_nonnull (strstr (text, "  Oldest pending       "));
  g_assert_nonnull (strstr (text, "  Dead letters         0\n"));
  g_assert_nonnull (strstr (text, "  Last success         never\n"));
  g_assert_nonnull (strstr (text, "  Last error           uploading: the server answered HTTP 503: "
                                  "Maintenance\n"));
  g_assert_nonnull (strstr (text, "  Next retry           20"));
  g_assert_nonnull (strstr (text, "  Clock                "));
  g_assert_null (strstr (text, KIOSK_TEST_TOKEN));

  /* After a clean stop, from the program itself, without a display. */
  stop_uploader (f);
  out = run_status (config_path, &exit_status);
  g_test_message ("%s", out);
  g_assert_true (g_spawn_check_wait_status (exit_status, NULL));
  g_assert_nonnull (strstr (out, "  State                not running\n"));
  g_assert_nonnull (strstr (out, "  Queue depth          4\n"));
  g_assert_nonnull (strstr (out, "  Last error           uploading: the server answered HTTP 503"));
  g_assert_nonnull (strstr (out, "  Next retry           none planned\n"));
  g_clear_pointer (&out, g_free);

  /* Without a url: sync off, and the queue still counted. */
  off_text = g_strdup_printf ("[kiosk]\nstate-directory=%s\n", f->dir);
  off_path = kiosk_test_write_file (f->dir, "offline.conf", off_text);
  out = run_status (off_path, &exit_status);
  g_assert_true (g_spawn_check_wait_status (exit_status, NULL));
  g_assert_true (g_str_has_prefix (out, "Sync off: no [cloud] url in the configuration"));
  g_assert_nonnull (strstr (out, "  Queue depth          4\n"));

  kiosk_test_server_set_status (f->server, EVENTS, 0, NULL, NULL);
  start_uploader (f);
  kiosk_uploader_sync_now (f->uploader);
  assert_delivered_exactly_once (f);
}

/* TLS: verification always on; a company CA through ca-file; public key pinning. */
static void
test_tls (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *cert = g_test_build_filename (G_TEST_DIST, "data", "tls", "server-cert.pem",
                                                 NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_DIST, "data", "tls", "server-key.pem",
                                                NULL);
  g_autofree char *pin_file = g_test_build_filename (G_TEST_DIST, "data", "tls", "server-pin.txt",
                                                     NULL);
  g_autofree char *pin = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  Fixture fixture = { 0 }, *f = &fixture;
  struct { const char *keys; const char *says; } cases[4];
  g_autofree char *with_ca = NULL;
  g_autofree char *with_wrong_pin = NULL;
  g_autofree char *with_pin = NULL;

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("GIO has no TLS backend for the test server (install glib-networking)");
      return;
    }

  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (pin_file, &pin, NULL, NULL));
  g_strstrip (pin);

  with_ca = g_strdup_printf ("ca-file=%s\n", cert);
  with_wrong_pin = g_strdup_printf ("ca-file=%s\npinned-public-key=sha256//"
                                    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", cert);
  with_pin = g_strdup_printf ("ca-file=%s\npinned-public-key=sha256//"
                              "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;%s\n", cert, pin);
  cases[0].keys = NULL;            /* self-signed, not in the system's store: refused */
  cases[0].says = "the server's TLS certificate was not accepted";
  cases[1].keys = with_wrong_pin;  /* trusted, but not the pinned key: refused */
  cases[1].says = "the server's TLS certificate was not accepted";
  cases[2].keys = with_pin;        /* one of the pins matches */
  cases[2].says = NULL;
  cases[3].keys = with_ca;         /* trusted through ca-file */
  cases[3].says = NULL;

  f->dir = g_steal_pointer (&dir);
  f->db = g_build_filename (f->dir, "responses.db", NULL);
  f->server = kiosk_test_server_new (KIOSK_TEST_SERVER_DEFAULT, certificate);
  kiosk_test_server_set_token (f->server, KIOSK_TEST_TOKEN);
  fast_timings (&f->timings);
  kiosk_test_fill_queue (f->db, 0, 1);
  g_assert_true (g_str_has_prefix (kiosk_test_server_get_url (f->server), "https://127.0.0.1:"));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(KioskConfig) config = kiosk_test_sync_config (f->dir,
                                                              kiosk_test_server_get_url (f->server),
                                                              100, cases[i].keys);

      fill (f, 5);
      start_uploader_with (f, config);
      if (cases[i].says != NULL)
        {
          /* Refused before a single byte of HTTP; these responses go with the next case. */
          wait_state (f, KIOSK_SYNC_BACKOFF, cases[i].says);
          g_assert_cmpuint (kiosk_test_server_count_requests (f->server, NULL), ==, 0);
          stop_uploader (f);
        }
      else
        {
          assert_delivered_exactly_once (f);
          stop_uploader (f);
        }
    }

  g_clear_object (&f->config);
  fixture_tear_down (f, NULL);
}

/* A thousand kiosks fail together (the server is down for 30 minutes) and retry on their own
 * schedules: how evenly do they come back? */
static void
test_fleet_retry_spread (void)
{
  const guint clients = 1000;
  const gint64 outage_ms = 30 * 60 * 1000;
  const gint64 window_ms = outage_ms + 15 * 60 * 1000;
  const guint base_ms = 2000, cap_ms = 600 * 1000;
  g_autofree guint *per_second = g_new0 (guint, window_ms / 1000 + 1);
  guint64 total = 0, after = 0;
  guint peak_outage = 0, peak_after = 0;
  gint64 last_success = 0;
  double mean_outage, mean_after;

  for (guint c = 0; c < clients; c++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (0x5eed0000 + c);
      /* Each kiosk's first failed attempt: whenever its next tap came, in the first minute. */
      gint64 t = g_rand_int_range (rand, 0, 60 * 1000);
      guint failures = 0;

      while (t < window_ms)
        {
          guint64 envelope;
          gint64 delay;

          per_second[t / 1000]++;
          total++;
          if (t >= outage_ms)
            {
              last_success = MAX (last_success, t);
              after++;
              break;
            }

          failures++;
          delay = kiosk_backoff_delay_ms (rand, failures, base_ms, cap_ms);

          /* The contract: the first retry within 2 s, never beyond the 10 min ceiling, and
           * never in a tight loop. */
          envelope = MIN ((guint64) base_ms << MIN (failures - 1, 20), cap_ms);
          g_assert_cmpint (delay, >=, base_ms / 20);
          g_assert_cmpint (delay, <=, (gint64) envelope);
          if (failures == 1)
            g_assert_cmpint (delay, <=, 2000);
          t += delay;
        }
    }

  /* Steady state of the outage (after the envelopes reached the ceiling), and the return. */
  for (gint64 s = 15 * 60; s < outage_ms / 1000; s++)
    peak_outage = MAX (peak_outage, per_second[s]);
  for (gint64 s = outage_ms / 1000; s < window_ms / 1000; s++)
    peak_after = MAX (peak_after, per_second[s]);

  mean_outage = 0;
  for (gint64 s = 15 * 60; s < outage_ms / 1000; s++)
    mean_outage += per_second[s];
  mean_outage /= (outage_ms / 1000 - 15 * 60);
  mean_after = (double) after / ((last_success - outage_ms) / 1000.0 + 1);

  g_test_message ("fleet of %u, 30 min outage: %" G_GUINT64_FORMAT " requests (%.1f per client); "
                  "during the outage %.2f req/s, peak %u (peak/mean %.1f); after it all were "
                  "through in %.0f s at %.2f req/s, peak %u (peak/mean %.1f)",
                  clients, total, (double) total / clients, mean_outage, peak_outage,
                  peak_outage / mean_outage, (last_success - outage_ms) / 1000.0, mean_after,
                  peak_after, peak_after / mean_after);

  g_assert_cmpuint (after, ==, clients);
  /* About 1.7 requests a second from 1000 clients at the ceiling, never a stampede. */
  g_assert_cmpfloat (peak_outage / mean_outage, <, 6);
  g_assert_cmpfloat (peak_after / mean_after, <, 6);
  g_assert_cmpfloat ((double) total / clients, <, 20);
}

/* SIGKILL in the middle of a drain, over and over */

static int
run_drain_child (const char *dir,
                 const char *url)
{
  /* Small batches: many requests per drain, so a kill lands in every phase of one. */
  g_autoptr(KioskConfig) config = kiosk_test_sync_config (dir, url, 25, NULL);
  g_autofree char *db = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(KioskUploader) uploader = NULL;
  g_autoptr(GError) error = NULL;
  KioskUploaderTimings timings;

  alarm (60);
  fast_timings (&timings);
  timings.seed = 0;
  uploader = kiosk_uploader_new (config, db, &error);
  g_assert_no_error (error);
  kiosk_uploader_set_timings (uploader, &timings);
  g_assert_true (kiosk_uploader_start (uploader, &error));

  for (;;)
    {
      g_autoptr(KioskSyncStatus) s = kiosk_uploader_dup_status (uploader);

      if (s->state == KIOSK_SYNC_IDLE && kiosk_test_count_pending (db) == 0)
        break;
      g_main_context_iteration (NULL, TRUE);
    }

  kiosk_uploader_stop (uploader);
  g_print ("DRAINED\n");
  return 0;
}

static void
test_sigkill_drain (Fixture       *f,
                    gconstpointer  data)
{
  const char *iterations_env = g_getenv ("KIOSK_DRAIN_KILLS");
  guint iterations = iterations_env ? atoi (iterations_env) : 40;
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  g_autoptr(GError) error = NULL;
  guint killed_mid_drain = 0;
  guint64 last_accepted = 0;
  sqlite3 *db;
  sqlite3_stmt *stmt;

  fill (f, 10000);

  for (guint i = 0; i <= iterations; i++)
    {
      const char *argv[] = { g_getenv ("KIOSK_TEST_SELF"), "--drain-child", f->dir,
                             kiosk_test_server_get_url (f->server), NULL };
      gboolean last = i == iterations;
      GPid pid;
      int wait_status = 0;
      gint64 deadline;

      g_spawn_async (NULL, (char **) argv, NULL,
                     G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &pid,
                     &error);
      g_assert_no_error (error);

      /* Killed at a random moment of its drain; the last one may finish. */
      deadline = g_get_monotonic_time () +
                 (last ? 60 * G_USEC_PER_SEC : g_rand_int_range (rand, 10, 120) * 1000);
      while (waitpid (pid, &wait_status, WNOHANG) == 0)
        {
          if (g_get_monotonic_time () >= deadline)
            {
              g_assert_false (last);
              kill (pid, SIGKILL);
              g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
              if (kiosk_test_server_count_accepted (f->server) > last_accepted)
                killed_mid_drain++;
              break;
            }
          g_usleep (2000);
        }
      g_spawn_close_pid (pid);
      last_accepted = kiosk_test_server_count_accepted (f->server);

      if (last)
        {
          g_assert_true (WIFEXITED (wait_status));
          g_assert_cmpint (WEXITSTATUS (wait_status), ==, 0);
        }
    }

  g_test_message ("%u kills, %u of them while the drain made progress; the server saw %u "
                  "duplicates (resends of batches whose reply died with the process)",
                  iterations, killed_mid_drain, kiosk_test_server_count_duplicates (f->server));
  assert_delivered_exactly_once (f);

  g_assert_cmpint (sqlite3_open (f->db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *self = NULL;

  if (argc == 4 && g_str_equal (argv[1], "--drain-child"))
    return run_drain_child (argv[2], argv[3]);

  g_test_init (&argc, &argv, NULL);
  /* Everything logged, to prove the token never is. */
  kiosk_test_log_record_start (NULL);
  /* The uploader warns about what an operator must know (a 401, a dead letter); here those are
   * expected, and checked through the captured log instead. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

  /* Loopback only: a proxy from the environment would intercept the test server. */
  g_unsetenv ("http_proxy");
  g_unsetenv ("https_proxy");
  g_unsetenv ("HTTPS_PROXY");
  g_unsetenv ("ALL_PROXY");
  g_unsetenv ("all_proxy");

  self = g_canonicalize_filename (argv[0], NULL);
  g_setenv ("KIOSK_TEST_SELF", self, TRUE);

#define ADD(path, func) \
  g_test_add ("/uploader/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
#define ADD_DOWN(path, func) \
  g_test_add ("/uploader/" path, Fixture, GUINT_TO_POINTER (KIOSK_TEST_SERVER_START_DOWN), \
              fixture_set_up, func, fixture_tear_down)

  ADD ("delivers-batches", test_delivers_batches);
  ADD ("debounce", test_debounce);
  ADD ("start-delay", test_start_delay);
  ADD_DOWN ("server-down-at-start", test_server_down_at_start);
  ADD_DOWN ("network-returns", test_network_returns);
  ADD ("connection-reset", test_connection_reset);
  ADD ("hang", test_hang);
  ADD ("trickle/steady", test_trickle_steady);
  ADD ("trickle/stalls", test_trickle_stalls);
  ADD ("500-then-200", test_500_then_200);
  ADD ("retry-after/503-seconds", test_503_retry_after_seconds);
  ADD ("retry-after/429-http-date", test_429_retry_after_date);
  ADD ("retry-after/clamped", test_retry_after_clamped);
  g_test_add_func ("/uploader/retry-after/parsing", test_retry_after_parsing);
  ADD ("reply-lost", test_reply_lost);
  ADD ("captive-portal", test_captive_portal);
  ADD ("redirect", test_redirect);
  ADD ("reply-too-large", test_reply_too_large);
  ADD ("poison-event", test_poison_event);
  ADD ("rejected-in-reply", test_rejected_in_reply);
  ADD ("413-lowers-ceiling", test_413_lowers_ceiling);
  ADD ("401-pauses", test_401_pauses);
  ADD ("403-404-pause", test_403_404_pause);
  ADD ("410-retires", test_410_retires);
  ADD ("token/file-permissions", test_token_file_permissions);
  g_test_add_func ("/uploader/token/reading", test_token_reading);
  g_test_add_func ("/uploader/insecure-http-refused", test_insecure_http_refused);
  ADD ("shutdown-during-hang", test_shutdown_during_hang);
  ADD ("survey-pull", test_survey_pull);
  ADD ("heartbeat", test_heartbeat);
  ADD ("clock-correction", test_clock_correction);
  ADD ("status-report", test_status_report);
  g_test_add_func ("/uploader/tls", test_tls);
  g_test_add_func ("/uploader/fleet-retry-spread", test_fleet_retry_spread);
  g_test_add ("/uploader/sigkill-drain", Fixture,
              GUINT_TO_POINTER (KIOSK_TEST_SERVER_KEEP_NO_EVENTS), fixture_set_up,
              test_sigkill_drain, fixture_tear_down);

  return g_test_run ();
}
