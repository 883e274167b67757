/* bench-soak.c: a busy kiosk's week at accelerated speed. Visitors tap and answer (or skip, or
 * walk away from) the follow-up as the app records them, the real uploader delivers to the tests'
 * server in the background, the network goes away and comes back every few simulated minutes
 * (server down, refusing, stalling), and a fake clock moves the week on so retention prunes.
 * Reports memory at start, peak and end, the database's size against the bound retention
 * implies, what the server received (every response exactly once), and the wall time. Exits 1
 * when a response is lost or doubled, memory grows past its goal or the database past its bound:
 * the short version runs as a test (suite "soak"). The server runs in a child process so its
 * bookkeeping does not count in the kiosk's memory. */
#define G_LOG_DOMAIN "bench-soak"

#include "bench-config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "bench-server.h"
#include "bench-util.h"
#include "kiosk-clock.h"
#include "kiosk-outbox.h"
#include "kiosk-store.h"
#include "kiosk-test-server.h"
#include "kiosk-test-sync.h"
#include "kiosk-uploader.h"

#define DAY_US        (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)
#define MINUTE_US     (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define TAP_BUCKET_US 10
#define TAP_BUCKETS   10000                  /* 10 µs steps up to 100 ms */
/* The uploader's delays are real time (backoff cap, timeouts below): responses recorded within
 * this much real time of the end may wait for delivery, and so for retention. */
#define LAG_US        (2 * G_USEC_PER_SEC)

static int opt_responses = 1000000;
static double opt_days = 7;
static int opt_retention_days = 1;
static int opt_outage_every = 5;
static int opt_outage_minutes = 2;
static int opt_batch = 500;
static int opt_rate = 2000;
static double opt_rss_goal = 2.0;
static int opt_timeout = 1800;
static char *opt_dir;
static gboolean opt_keep;
static gboolean opt_serve;

static const GOptionEntry entries[] = {
  { "responses", 'n', 0, G_OPTION_ARG_INT, &opt_responses, "Responses in the week (1000000)", "N" },
  { "days", 0, 0, G_OPTION_ARG_DOUBLE, &opt_days, "Simulated days (7)", "D" },
  { "retention-days", 0, 0, G_OPTION_ARG_INT, &opt_retention_days,
    "[storage] retention-days (1, so that a week prunes six of its days)", "D" },
  { "outage-every", 0, 0, G_OPTION_ARG_INT, &opt_outage_every,
    "An outage starts every this many simulated minutes (5; at 2000 responses a second that is "
    "0.25 s of real time, in which the uploader's real-time backoff must find a window); 0 for "
    "none", "MIN" },
  { "outage-minutes", 0, 0, G_OPTION_ARG_INT, &opt_outage_minutes,
    "Simulated minutes each outage lasts (2)", "MIN" },
  { "batch", 'b', 0, G_OPTION_ARG_INT, &opt_batch, "[cloud] batch-size (500)", "N" },
  { "rate", 0, 0, G_OPTION_ARG_INT, &opt_rate, "At most this many responses a second of real "
    "time (2000; 0: as fast as they can be written)", "N" },
  { "rss-goal", 0, 0, G_OPTION_ARG_DOUBLE, &opt_rss_goal, "Most RSS growth, MiB (2)", "MIB" },
  { "timeout", 0, 0, G_OPTION_ARG_INT, &opt_timeout, "Give up after this many seconds (1800)",
    "S" },
  { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_dir, "Where to create the database (/dev/shm, "
    "else the build directory)", "DIR" },
  { "keep", 0, 0, G_OPTION_ARG_NONE, &opt_keep, "Keep the database", NULL },
  { "serve", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_serve, NULL, NULL },
  { NULL }
};

static double
rss_mib (void)
{
  BenchMemory memory = { 0 };

  bench_read_memory (getpid (), &memory, NULL);
  return memory.rss_mib;
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : 0;
}

/* A reader of its own, as --status would be: never in the kiosk's way. */
static gint64
query (const char *db_path,
       const char *sql,
       gint64      param)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
    {
      sqlite3_busy_timeout (db, 1000);
      if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK)
        {
          sqlite3_bind_int64 (stmt, 1, param);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            value = sqlite3_column_int64 (stmt, 0);
        }
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
  return value;
}

static void
drain_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static double
histogram_percentile (const guint64 *histogram,
                      guint64        total,
                      double         p)
{
  guint64 seen = 0, wanted = (guint64) (p * total);

  for (guint i = 0; i < TAP_BUCKETS; i++)
    {
      seen += histogram[i];
      if (seen > wanted)
        return (i + 1) * TAP_BUCKET_US / 1000.0;
    }
  return TAP_BUCKETS * TAP_BUCKET_US / 1000.0;
}

/* A write that waited too long for the lock is held in memory and written with the next one. */
static void
note_held (guint   *held,
           GError **error)
{
  if ((*held)++ == 0)
    g_printerr ("First write held in memory: %s\n", (*error)->message);
  g_clear_error (error);
}

typedef enum
{
  OUTAGE_DOWN,       /* nothing listens: connection refused */
  OUTAGE_REFUSING,   /* 503 with Retry-After */
  OUTAGE_STALLING,   /* a request is read and never answered */
  N_OUTAGES
} Outage;

static const char * const outage_commands[] = { "DOWN", "REFUSE", "STALL" };

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskClock) clock = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(KioskUploader) uploader = NULL;
  g_autoptr(KioskSyncStatus) status = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *extra = NULL;
  g_autofree char *check = NULL;
  g_autofree char *filesystem = NULL;
  g_autofree guint64 *histogram = g_new0 (guint64, TAP_BUCKETS);
  const char *parent;
  KioskUploaderTimings timings;
  BenchServer server = { 0 };
  gint64 step_us, t_start, deadline, now_wall = KIOSK_TEST_T0, next_outage_us, outage_end_us = 0;
  gint64 warmup, rows_per_retention, outage_rows, bound_rows, bound_bytes, rows_end, db_bytes;
  gint64 lag_rows, wal_bytes, used_rows_at_sample = 0, bytes_at_sample = 0, sample_at;
  double tap_s, rss_start = 0, rss_peak = 0, rss_end, wall_s, bytes_per_row = 0, tap_max_ms = 0;
  guint outages[N_OUTAGES] = { 0 }, n_outages = 0, taps_held = 0;
  gboolean in_outage = FALSE, lost_or_doubled, rss_ok, db_ok;
  guint64 taps = 0;

  setlocale (LC_ALL, "");
  signal (SIGPIPE, SIG_IGN);

  context = g_option_context_new ("- a simulated week of a busy kiosk");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (opt_serve)
    return bench_server_serve ();
  bench_ignore_proxy ();

  if (opt_responses < 1000 || opt_days <= 0 || opt_retention_days < 1 || opt_batch < 1)
    {
      g_printerr ("--responses must be at least 1000, --days and --retention-days positive\n");
      return 2;
    }

  /* The soak measures memory, size and delivery, not the disk: by default a tmpfs spares it two
   * million fsyncs. */
  parent = opt_dir ? opt_dir
                   : g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) &&
                     g_access ("/dev/shm", W_OK) == 0 ? "/dev/shm" : BENCH_BUILD_DIR;
  dir = bench_make_temp_dir (parent, "smiley-soak-XXXXXX", &error);
  if (dir == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  db = g_build_filename (dir, "responses.db", NULL);
  wal = g_strconcat (db, "-wal", NULL);
  filesystem = bench_describe_filesystem (parent, NULL);

  if (!bench_server_start (&server, argv[0], 0, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  /* The week starts at a fixed instant; the clock is synchronised throughout. */
  clock = kiosk_clock_new_fake (KIOSK_TEST_T0, G_USEC_PER_SEC, KIOSK_TEST_BOOT_ID);
  extra = g_strdup_printf ("[storage]\nretention-days=%d\n", opt_retention_days);
  config = kiosk_test_sync_config (dir, server.url, opt_batch, extra);
  store = kiosk_store_open (db, KIOSK_STORE_OPEN_DEFAULT, &error);
  if (store != NULL)
    uploader = kiosk_uploader_new (config, db, &error);
  if (uploader == NULL)
    {
      g_printerr ("%s\n", error->message);
      bench_server_stop (&server);
      return 2;
    }

  /* Real-time delays shrink with simulated time: a simulated minute lasts milliseconds. */
  kiosk_uploader_timings_init (&timings);
  timings.debounce_ms = 5;
  timings.start_delay_max_ms = 0;
  timings.backoff_base_ms = 10;
  timings.backoff_cap_ms = 100;
  timings.retry_after_min_ms = 10;
  timings.retry_after_max_ms = 100;
  timings.connect_timeout_ms = 200;
  timings.low_speed_time_s = 1;
  timings.total_timeout_ms = 200;
  timings.survey_poll_ms = 3600 * 1000;
  timings.heartbeat_ms = 3600 * 1000;
  timings.stats_interval_ms = 100;
  timings.seed = 7;
  timings.use_network_monitor = FALSE;
  kiosk_uploader_set_timings (uploader, &timings);
  kiosk_uploader_set_clock (uploader, clock);
  g_signal_connect_swapped (store, "eligible-written", G_CALLBACK (kiosk_uploader_wake), uploader);

  if (!kiosk_uploader_start (uploader, &error))
    {
      g_printerr ("%s\n", error->message);
      bench_server_stop (&server);
      return 2;
    }

  step_us = (gint64) (opt_days * DAY_US / opt_responses);
  /* Memory is measured from here: SQLite's page caches (2 MiB a connection) fill first. */
  warmup = MIN (MAX (10000, opt_responses / 20), opt_responses / 2);
  next_outage_us = opt_outage_every > 0 ? KIOSK_TEST_T0 + opt_outage_every * MINUTE_US
                                        : G_MAXINT64;
  sample_at = (gint64) (opt_responses * MIN (0.9 * opt_retention_days / opt_days, 0.9));

  g_print ("Soak: %d responses over %.1f simulated days (one every %.2f s), retention %d days, "
           "an outage of %d min every %d min, database on %s\n", opt_responses, opt_days,
           step_us / 1e6, opt_retention_days, opt_outage_minutes, opt_outage_every, filesystem);

  t_start = g_get_monotonic_time ();
  for (gint64 i = 0; i < opt_responses; i++)
    {
      g_autoptr(KioskResponse) r = NULL;
      KioskTimestamp now;
      gint64 t0, t1, us;

      kiosk_clock_advance (clock, step_us);
      kiosk_clock_now (clock, &now);
      now_wall = now.wall_us;

      if (!in_outage && now_wall >= next_outage_us)
        {
          Outage kind = n_outages++ % N_OUTAGES;

          bench_server_send (&server, outage_commands[kind]);
          outages[kind]++;
          in_outage = TRUE;
          outage_end_us = now_wall + opt_outage_minutes * MINUTE_US;
          next_outage_us += opt_outage_every * MINUTE_US;
        }
      else if (in_outage && now_wall >= outage_end_us)
        {
          bench_server_send (&server, "UP");
          in_outage = FALSE;
        }

      /* The app: the face is durable at once, the visit's answers complete the same row. */
      r = kiosk_test_make_response (0, now.wall_us, now.monotonic_us, i % 4);
      r->visit_open = TRUE;
      r->follow_up_id = g_strdup ("improve");
      r->follow_up_outcome = KIOSK_OUTCOME_PENDING;

      t0 = g_get_monotonic_time ();
      if (!kiosk_store_record (store, r, &error))
        note_held (&taps_held, &error);
      t1 = g_get_monotonic_time ();

      r->visit_open = FALSE;
      switch (i % 10)
        {
        case 0: case 1: case 2: case 3: case 4:
          r->follow_up_outcome = KIOSK_OUTCOME_ANSWERED;
          r->follow_up_selected = g_strsplit (i % 3 ? "speed" : "speed,staff", ",", -1);
          break;
        case 5: case 6: case 7:
          r->follow_up_outcome = KIOSK_OUTCOME_SKIPPED;
          break;
        default:
          r->follow_up_outcome = KIOSK_OUTCOME_TIMEOUT;
          break;
        }
      if (!kiosk_store_complete_visit (store, r, &error))
        note_held (&taps_held, &error);

      us = t1 - t0;
      histogram[MIN (us / TAP_BUCKET_US, TAP_BUCKETS - 1)]++;
      tap_max_ms = MAX (tap_max_ms, us / 1000.0);
      taps++;

      if (i % 64 == 0)
        {
          drain_main_context ();
          /* Paced: sleep (in the main loop) until this response's moment of real time. */
          if (opt_rate > 0)
            {
              gint64 due = t_start + i * G_USEC_PER_SEC / opt_rate;
              gint64 ahead = due - g_get_monotonic_time ();

              if (ahead > 1000)
                bench_sleep_ms (ahead / 1000);
            }
        }

      if (i == warmup)
        rss_start = rss_peak = rss_mib ();
      else if (i > warmup && i % 1000 == 0)
        rss_peak = MAX (rss_peak, rss_mib ());

      /* Before retention deletes anything: what a row costs on disk, indexes included. */
      if (i == sample_at)
        {
          used_rows_at_sample = query (db, "SELECT count(*) FROM responses", 0);
          bytes_at_sample = query (db, "SELECT (SELECT page_count FROM pragma_page_count())"
                                       " * (SELECT page_size FROM pragma_page_size())", 0);
          bytes_per_row = used_rows_at_sample > 0
                          ? (double) bytes_at_sample / used_rows_at_sample : 0;
        }
    }

  tap_s = (g_get_monotonic_time () - t_start) / 1e6;
  if (in_outage)
    bench_server_send (&server, "UP");

  /* Everything delivered, then retention done with what the week left behind. */
  kiosk_uploader_sync_now (uploader);
  deadline = t_start + (gint64) opt_timeout * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      g_clear_pointer (&status, kiosk_sync_status_free);
      status = kiosk_uploader_dup_status (uploader);
      if (status->delivered >= (guint64) opt_responses && status->queue_depth == 0)
        break;
      bench_sleep_ms (20);
    }
  while (g_get_monotonic_time () < deadline &&
         query (db, "SELECT count(*) FROM responses WHERE delivered_us < ?",
                now_wall - (gint64) opt_retention_days * DAY_US) != 0)
    bench_sleep_ms (20);
  drain_main_context ();

  wall_s = (g_get_monotonic_time () - t_start) / 1e6;
  rss_end = rss_mib ();
  rss_peak = MAX (rss_peak, rss_end);

  g_clear_pointer (&status, kiosk_sync_status_free);
  status = kiosk_uploader_dup_status (uploader);
  kiosk_uploader_stop (uploader);

  check = bench_server_check (&server, opt_responses);
  bench_server_stop (&server);

  rows_end = query (db, "SELECT count(*) FROM responses", 0);
  db_bytes = file_size (db);
  wal_bytes = file_size (wal);

  /* What retention allows: the responses delivered within the last retention period, plus what
   * an outage holds back and a batch in flight, at what a row cost before pruning began; half
   * as much again for pages SQLite keeps free for reuse. */
  rows_per_retention = (gint64) (opt_responses * MIN (opt_retention_days / opt_days, 1.0));
  outage_rows = opt_outage_minutes * MINUTE_US / MAX (step_us, 1);
  lag_rows = (gint64) (opt_responses / tap_s * LAG_US / G_USEC_PER_SEC);
  bound_rows = rows_per_retention + outage_rows + lag_rows + 2 * opt_batch;
  bound_bytes = (gint64) (1.5 * bytes_per_row * bound_rows);

  lost_or_doubled = !g_str_has_prefix (check, "OK") ||
                    status->delivered != (guint64) opt_responses || status->dropped != 0;
  rss_ok = rss_end - rss_start < opt_rss_goal;
  db_ok = bytes_per_row > 0 && db_bytes <= bound_bytes && rows_end <= bound_rows;

  g_print ("Wall time:           %.1f s (taps %.1f s: %.0f responses/s, recorded and "
           "completed)\n", wall_s, tap_s, opt_responses / tap_s);
  g_print ("Taps (record):       p50 %.2f ms, p99 %.2f ms, max %.2f ms; %u writes held in "
           "memory\n", histogram_percentile (histogram, taps, 0.50),
           histogram_percentile (histogram, taps, 0.99), tap_max_ms, taps_held);
  g_print ("Outages:             %u (%u down, %u refusing, %u stalling)\n", n_outages,
           outages[OUTAGE_DOWN], outages[OUTAGE_REFUSING], outages[OUTAGE_STALLING]);
  g_print ("Delivered:           %" G_GUINT64_FORMAT " of %d in %" G_GUINT64_FORMAT
           " requests; dropped %" G_GINT64_FORMAT ", dead letters %" G_GINT64_FORMAT "\n",
           status->delivered, opt_responses, status->requests, status->dropped,
           status->dead_letters);
  g_print ("Server:              %s\n", check);
  g_print ("RSS:                 %.1f MiB after %" G_GINT64_FORMAT " responses, peak %.1f, end "
           "%.1f: growth %.2f MiB (goal < %.1f) %s\n", rss_start, warmup, rss_peak, rss_end,
           rss_end - rss_start, opt_rss_goal, bench_verdict (rss_ok));
  g_print ("Database:            %" G_GINT64_FORMAT " rows, %.1f MiB (+ WAL %.1f MiB); a row cost "
           "%.0f bytes at %" G_GINT64_FORMAT " rows\n", rows_end, db_bytes / 1048576.0,
           wal_bytes / 1048576.0, bytes_per_row, used_rows_at_sample);
  g_print ("Bound:               %" G_GINT64_FORMAT " rows (%" G_GINT64_FORMAT " per retention "
           "period + %" G_GINT64_FORMAT " per outage + %" G_GINT64_FORMAT " in %.0f s of uploader "
           "lag + 2 batches), %.1f MiB (x 1.5 for free pages; the WAL apart) %s\n", bound_rows,
           rows_per_retention, outage_rows, lag_rows, LAG_US / 1e6, bound_bytes / 1048576.0,
           bench_verdict (db_ok));
  g_print ("Every response exactly once: %s\n", bench_verdict (!lost_or_doubled));

  if (!opt_keep)
    bench_remove_tree (dir);
  else
    g_print ("Kept %s\n", dir);

  return !lost_or_doubled && rss_ok && db_ok ? 0 : 1;
}
