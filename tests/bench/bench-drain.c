/* bench-drain.c: a kiosk that was offline for a long time drains its backlog (100 000 responses by
 * default) to the local test server through the real uploader, while visitors keep tapping.
 * Reports the drain time, memory at start and end, bytes on the wire per response, requests made,
 * and what a tap costs meanwhile (the tap path must not slow down), beside the same taps before the
 * drain and, with --probe, beside what a bare write of a tap's size costs on the disk then. The
 * server runs in a child process so its bookkeeping does not count in the kiosk's memory. */
#define G_LOG_DOMAIN "bench-drain"

#include "bench-config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "bench-server.h"
#include "bench-util.h"
#include "kiosk-store.h"
#include "kiosk-test-server.h"
#include "kiosk-test-sync.h"
#include "kiosk-uploader.h"

#define TARGET_SECONDS       10.0
#define TARGET_BYTES         48.0
#define TARGET_TAP_P99_MS    2.0
#define TAP_INTERVAL_MS      10
#define SAMPLE_INTERVAL_MS   100
/* Taps before the uploader starts, in the same run: the floor the drain's taps are read against. */
#define FLOOR_TAPS           150
/* --probe: what a tap's log write (7 pages of 4 KiB and their 24-byte frame headers) and its sync
 * cost on this disk with nothing of SQLite's around it, at the same moments as the taps, in a
 * file of its own overwritten in a ring as SQLite's log is after a checkpoint. */
#define PROBE_BYTES          (7 * (4096 + 24))
#define PROBE_FILE_BYTES     (4 * 1024 * 1024)

static int opt_count = 100000;
static int opt_runs = 3;
static int opt_batch = 500;
static char *opt_dir;
static gboolean opt_keep;
static gboolean opt_serve;
static gboolean opt_probe;
static int opt_server_nice = 10;

/* Every tap of every run, for one p99 over them all: a run's own p99 is its third slowest tap. */
static GArray *all_taps_ms;
/* The same for the taps before each drain, and for --probe's bare writes before and during it. */
static GArray *all_floor_ms;
static GArray *all_probe_floor_ms;
static GArray *all_probe_ms;

static const GOptionEntry entries[] = {
  { "count", 'c', 0, G_OPTION_ARG_INT, &opt_count, "Responses in the backlog (100000)", "N" },
  { "runs", 'n', 0, G_OPTION_ARG_INT, &opt_runs, "Runs, each on a new database (3)", "N" },
  { "batch", 'b', 0, G_OPTION_ARG_INT, &opt_batch, "[cloud] batch-size (500)", "N" },
  { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_dir,
    "Where to create the databases: a real disk, not tmpfs (the build directory)", "DIR" },
  { "keep", 0, 0, G_OPTION_ARG_NONE, &opt_keep, "Keep the databases", NULL },
  { "probe", 0, 0, G_OPTION_ARG_NONE, &opt_probe,
    "Every other tap is a bare write of a tap's size and its fdatasync() instead: what the disk "
    "itself gives meanwhile", NULL },
  { "server-nice", 0, 0, G_OPTION_ARG_INT, &opt_server_nice,
    "Nice value of the test server's process (10): it stands in for a machine elsewhere", "N" },
  { "serve", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_serve, NULL, NULL },
  { NULL }
};

typedef struct
{
  double  fill_s;
  double  drain_s;
  double  rss_start, rss_max, rss_end;
  double  rss_quarter[3];                /* at 25, 50 and 75 % of the backlog delivered */
  double  up_bytes, down_bytes;          /* per response */
  guint64 requests;
  guint   taps;
  double  tap_p50, tap_p99, tap_max;
  double  floor_p99;                     /* the taps before the drain */
  double  probe_floor_p99, probe_p99;    /* --probe: bare writes before and during the drain */
  guint   taps_held;
  guint   taps_slow;                 /* over the target; of those, half of it or more waiting */
  guint   taps_slow_cpu, taps_slow_lock; /* for a CPU, or for the uploader's write lock */
  char   *check;
} RunResult;

typedef struct
{
  KioskStore    *store;
  KioskUploader *uploader;
  GArray        *tap_ms;
  GArray        *floor_ms;               /* the taps before the drain */
  GArray        *probe_floor_ms, *probe_ms;
  int            probe_fd;
  goffset        probe_offset;
  guint          ticks;
  guint          taps_held;
  guint          taps_slow, taps_slow_cpu, taps_slow_lock;
  gint64         next_seq_wall;
  gboolean       tapping;
  double         rss_max;
} Run;

static double
rss_mib (void)
{
  BenchMemory memory = { 0 };

  bench_read_memory (getpid (), &memory, NULL);
  return memory.rss_mib;
}

/* How long this thread has waited for a CPU while ready to run, in µs (the kernel's schedstat):
 * it tells a tap slowed by the other processes on the cores from one that waited for the disk
 * or the lock. */
static gint64
cpu_wait_us (void)
{
  char text[128];
  unsigned long long run_ns = 0, wait_ns = 0;
  FILE *f = fopen ("/proc/thread-self/schedstat", "re");

  if (f == NULL)
    return 0;
  if (fgets (text, sizeof text, f) == NULL || sscanf (text, "%llu %llu", &run_ns, &wait_ns) != 2)
    wait_ns = 0;
  fclose (f);
  return (gint64) (wait_ns / 1000);
}

/* The first FLOOR_TAPS taps come before the uploader starts. */
static gboolean
in_floor (Run *run)
{
  return run->floor_ms->len < FLOOR_TAPS;
}

/* --probe: a tap's log write and its sync, bare. */
static void
probe_write (Run *run)
{
  static char block[PROBE_BYTES];
  gint64 t0;
  double ms;

  if (run->probe_offset + PROBE_BYTES > PROBE_FILE_BYTES)
    run->probe_offset = 0;
  t0 = g_get_monotonic_time ();
  if (pwrite (run->probe_fd, block, sizeof block, run->probe_offset) != (ssize_t) sizeof block ||
      fdatasync (run->probe_fd) != 0)
    g_error ("bench-drain: the probe's write failed: %s", g_strerror (errno));
  ms = (g_get_monotonic_time () - t0) / 1000.0;
  run->probe_offset += PROBE_BYTES;
  g_array_append_val (in_floor (run) ? run->probe_floor_ms : run->probe_ms, ms);
}

/* The file --probe writes in, its blocks allocated and synced, so that a write there changes no
 * metadata, as an overwrite of SQLite's log does not. */
static int
probe_open (const char  *dir,
            GError     **error)
{
  g_autofree char *path = g_build_filename (dir, "probe", NULL);
  static const char zeros[64 * 1024];
  int fd = g_open (path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  gsize written = 0;

  errno = 0;
  while (fd >= 0 && written < PROBE_FILE_BYTES &&
         write (fd, zeros, sizeof zeros) == (ssize_t) sizeof zeros)
    written += sizeof zeros;
  if (fd < 0 || written < PROBE_FILE_BYTES || fsync (fd) != 0)
    {
      int saved = errno != 0 ? errno : ENOSPC;   /* a short write sets none */

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                   g_strerror (saved));
      if (fd >= 0)
        close (fd);
      return -1;
    }
  return fd;
}

/* A visitor taps: the real commit path, on the main thread, while the uploader drains. */
static gboolean
tap_cb (gpointer data)
{
  Run *run = data;
  g_autoptr(KioskResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0, t1, wait0, lock0;
  double ms;

  if (!run->tapping)
    return G_SOURCE_REMOVE;
  if (opt_probe && (run->ticks++ & 1) != 0)
    {
      probe_write (run);
      return G_SOURCE_CONTINUE;
    }

  run->next_seq_wall += G_USEC_PER_SEC;
  r = kiosk_test_make_response (0, run->next_seq_wall, g_get_monotonic_time (),
                                (run->tap_ms->len + run->floor_ms->len) % 4);
  wait0 = cpu_wait_us ();
  lock0 = kiosk_store_get_lock_wait_us (run->store);
  t0 = g_get_monotonic_time ();
  if (!kiosk_store_record (run->store, r, &error))
    run->taps_held++;
  t1 = g_get_monotonic_time ();

  ms = (t1 - t0) / 1000.0;
  if (in_floor (run))
    {
      g_array_append_val (run->floor_ms, ms);
      return G_SOURCE_CONTINUE;
    }
  if (ms > TARGET_TAP_P99_MS)
    {
      run->taps_slow++;
      if (cpu_wait_us () - wait0 >= (t1 - t0) / 2)
        run->taps_slow_cpu++;
      else if (kiosk_store_get_lock_wait_us (run->store) - lock0 >= (t1 - t0) / 2)
        run->taps_slow_lock++;
    }
  g_array_append_val (run->tap_ms, ms);
  return G_SOURCE_CONTINUE;
}

static gboolean
sample_cb (gpointer data)
{
  Run *run = data;

  run->rss_max = MAX (run->rss_max, rss_mib ());
  return G_SOURCE_CONTINUE;
}

static gboolean
run_once (const char  *self,
          const char  *dir,
          RunResult   *result,
          GError     **error)
{
  g_autofree char *db = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskSyncStatus) status = NULL;
  KioskUploaderTimings timings;
  BenchServer server = { 0 };
  Run run = { .probe_fd = -1 };
  guint tap_source, sample_source;
  gint64 t0, deadline;
  gboolean ok = FALSE;

  t0 = g_get_monotonic_time ();
  kiosk_test_fill_queue (db, opt_count, 11);
  result->fill_s = (g_get_monotonic_time () - t0) / 1e6;

  /* The server is another machine for a kiosk: here it shares the kiosk's cores, and gets them
   * after the kiosk's own threads. */
  if (!bench_server_start (&server, self, opt_server_nice, error))
    goto out;

  config = kiosk_test_sync_config (dir, server.url, opt_batch, NULL);
  run.store = kiosk_store_open (db, KIOSK_STORE_OPEN_DEFAULT, error);
  if (run.store == NULL)
    goto out;
  run.tap_ms = g_array_new (FALSE, FALSE, sizeof (double));
  run.floor_ms = g_array_new (FALSE, FALSE, sizeof (double));
  run.probe_floor_ms = g_array_new (FALSE, FALSE, sizeof (double));
  run.probe_ms = g_array_new (FALSE, FALSE, sizeof (double));
  if (opt_probe && (run.probe_fd = probe_open (dir, error)) < 0)
    goto out;
  run.next_seq_wall = KIOSK_TEST_T0 + G_GINT64_CONSTANT (400) * 86400 * G_USEC_PER_SEC;

  run.uploader = kiosk_uploader_new (config, db, error);
  if (run.uploader == NULL)
    goto out;
  kiosk_uploader_timings_init (&timings);
  timings.start_delay_max_ms = 0;
  timings.use_network_monitor = FALSE;
  kiosk_uploader_set_timings (run.uploader, &timings);
  g_signal_connect_swapped (run.store, "eligible-written", G_CALLBACK (kiosk_uploader_wake),
                            run.uploader);

  result->rss_start = rss_mib ();
  run.rss_max = result->rss_start;
  run.tapping = TRUE;
  tap_source = g_timeout_add (TAP_INTERVAL_MS, tap_cb, &run);
  sample_source = g_timeout_add (SAMPLE_INTERVAL_MS, sample_cb, &run);

  /* The floor: the same taps on the same database, the uploader not started yet. */
  while (in_floor (&run))
    g_main_context_iteration (NULL, TRUE);

  t0 = g_get_monotonic_time ();
  if (!kiosk_uploader_start (run.uploader, error))
    goto out;

  /* The backlog is drained when the uploader has delivered that many. */
  deadline = t0 + 300 * G_USEC_PER_SEC;
  for (guint quarter = 0;;)
    {
      g_clear_pointer (&status, kiosk_sync_status_free);
      status = kiosk_uploader_dup_status (run.uploader);
      while (quarter < 3 && status->delivered >= (guint64) opt_count * (quarter + 1) / 4)
        result->rss_quarter[quarter++] = rss_mib ();
      if (status->delivered >= (guint64) opt_count || g_get_monotonic_time () > deadline)
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  result->drain_s = (g_get_monotonic_time () - t0) / 1e6;
  result->rss_end = rss_mib ();
  run.tapping = FALSE;
  g_source_remove (tap_source);
  g_source_remove (sample_source);
  result->rss_max = MAX (run.rss_max, result->rss_end);

  if (status->delivered < (guint64) opt_count)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "only %" G_GUINT64_FORMAT " of %d delivered after 300 s: %s",
                   status->delivered, opt_count, status->last_error ? status->last_error : "");
      goto out;
    }

  /* The taps made during the drain go too (after the debounce); then everything is checked. */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (kiosk_test_count_pending (db) > 0 && g_get_monotonic_time () < deadline)
    {
      g_usleep (20 * 1000);
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
    }

  kiosk_uploader_stop (run.uploader);
  g_clear_pointer (&status, kiosk_sync_status_free);
  status = kiosk_uploader_dup_status (run.uploader);

  result->requests = status->requests;
  result->up_bytes = (double) status->bytes_sent / status->delivered;
  result->down_bytes = (double) status->bytes_received / status->delivered;
  result->taps = run.tap_ms->len;
  result->taps_held = run.taps_held;
  result->taps_slow = run.taps_slow;
  result->taps_slow_cpu = run.taps_slow_cpu;
  result->taps_slow_lock = run.taps_slow_lock;
  result->tap_p50 = bench_percentile (run.tap_ms, 0.50);
  result->tap_p99 = bench_percentile (run.tap_ms, 0.99);
  result->tap_max = bench_max (run.tap_ms);
  g_array_append_vals (all_taps_ms, run.tap_ms->data, run.tap_ms->len);
  result->floor_p99 = bench_percentile (run.floor_ms, 0.99);
  g_array_append_vals (all_floor_ms, run.floor_ms->data, run.floor_ms->len);
  if (opt_probe)
    {
      result->probe_floor_p99 = bench_percentile (run.probe_floor_ms, 0.99);
      result->probe_p99 = bench_percentile (run.probe_ms, 0.99);
      g_array_append_vals (all_probe_floor_ms, run.probe_floor_ms->data, run.probe_floor_ms->len);
      g_array_append_vals (all_probe_ms, run.probe_ms->data, run.probe_ms->len);
    }
  result->check = bench_server_check (&server, opt_count + run.floor_ms->len + run.tap_ms->len);
  ok = TRUE;

out:
  if (run.uploader != NULL)
    kiosk_uploader_stop (run.uploader);
  g_clear_object (&run.uploader);
  g_clear_object (&run.store);
  g_clear_pointer (&run.tap_ms, g_array_unref);
  g_clear_pointer (&run.floor_ms, g_array_unref);
  g_clear_pointer (&run.probe_floor_ms, g_array_unref);
  g_clear_pointer (&run.probe_ms, g_array_unref);
  if (run.probe_fd >= 0)
    close (run.probe_fd);
  bench_server_stop (&server);
  return ok;
}

static void
add (GArray *array,
     double  value)
{
  g_array_append_val (array, value);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *filesystem = NULL;
  g_autofree char *self = NULL;
  g_autoptr(GArray) drain = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rss_start = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rss_max = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rss_end = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) up = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) down = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) requests = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) tap_p99 = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) tap_max = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) floor_p99 = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) probe_floor_p99 = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) probe_p99 = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *parent = NULL;
  gboolean all_checked = TRUE;
  guint taps = 0, taps_slow = 0, taps_slow_cpu = 0, taps_slow_lock = 0;

  all_taps_ms = g_array_new (FALSE, FALSE, sizeof (double));
  all_floor_ms = g_array_new (FALSE, FALSE, sizeof (double));
  all_probe_floor_ms = g_array_new (FALSE, FALSE, sizeof (double));
  all_probe_ms = g_array_new (FALSE, FALSE, sizeof (double));
  double median_drain, median_up, median_growth, median_tap;

  setlocale (LC_ALL, "");
  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-drain: %s\n", error->message);
      return 2;
    }

  if (opt_serve)
    return bench_server_serve ();
  /* Lowering a priority never needs privileges; raising one would, and is not what this is for. */
  if (opt_server_nice < 0 || opt_server_nice > 19)
    {
      g_printerr ("bench-drain: --server-nice=%d: the test server's nice value must be 0 to 19\n",
                  opt_server_nice);
      return 2;
    }

  bench_ignore_proxy ();
  /* Warnings still show. */
  bench_quiet_uploader ();

  self = g_canonicalize_filename (argv[0], NULL);
  /* The kiosk's configuration takes absolute paths only. */
  parent = opt_dir ? g_canonicalize_filename (opt_dir, NULL) : g_strdup (BENCH_BUILD_DIR);
  filesystem = bench_describe_filesystem (parent, NULL);

  g_print ("bench-drain: %d × a backlog of %d responses to the local test server (another "
           "process, nice %d), batches of %d, gzip; a tap every %d ms meanwhile, and %d taps "
           "before it (the floor)%s\n", opt_runs, opt_count, opt_server_nice, opt_batch,
           TAP_INTERVAL_MS, FLOOR_TAPS,
           opt_probe ? "; every other tap a bare write of a tap's size and its sync (--probe)" : "");
  g_print ("  database under %s: %s\n", parent, filesystem);
  g_print ("  %-4s %7s %7s %8s %9s %9s %9s %8s %8s %6s %8s %8s %5s %9s\n", "run", "fill s",
           "drain s", "resp/s", "RSS0 MiB", "RSSmax", "RSSend", "up B/r", "down B/r", "reqs",
           "tap p99", "tap max", "held", "floor p99");

  for (int i = 1; i <= opt_runs; i++)
    {
      g_autofree char *dir = bench_make_temp_dir (parent, "smiley-drain-XXXXXX", &error);
      RunResult r = { 0 };

      if (dir == NULL || !run_once (self, dir, &r, &error))
        {
          g_printerr ("bench-drain: %s\n", error->message);
          return 1;
        }

      g_print ("  %-4d %7.2f %7.2f %8.0f %9.1f %9.1f %9.1f %8.1f %8.1f %6" G_GUINT64_FORMAT
               " %8.2f %8.2f %5u %9.2f\n", i, r.fill_s, r.drain_s, opt_count / r.drain_s,
               r.rss_start, r.rss_max, r.rss_end, r.up_bytes, r.down_bytes, r.requests, r.tap_p99,
               r.tap_max, r.taps_held, r.floor_p99);
      g_print ("       RSS at 25/50/75 %% delivered: %.1f / %.1f / %.1f MiB\n", r.rss_quarter[0],
               r.rss_quarter[1], r.rss_quarter[2]);
      g_print ("       server: %s (%u taps made during the drain, delivered too)\n", r.check,
               r.taps);
      g_print ("       taps over %.0f ms: %u of %u; half that time or more waiting for a CPU: %u, "
               "for the lock: %u\n", TARGET_TAP_P99_MS, r.taps_slow, r.taps, r.taps_slow_cpu,
               r.taps_slow_lock);
      if (opt_probe)
        g_print ("       bare write of a tap's size and its sync, p99: %.2f ms during the drain, "
                 "%.2f ms before it\n", r.probe_p99, r.probe_floor_p99);
      all_checked &= g_str_has_prefix (r.check, "OK");
      taps += r.taps;
      taps_slow += r.taps_slow;
      taps_slow_cpu += r.taps_slow_cpu;
      taps_slow_lock += r.taps_slow_lock;

      add (drain, r.drain_s);
      add (rss_start, r.rss_start);
      add (rss_max, r.rss_max);
      add (rss_end, r.rss_end);
      add (up, r.up_bytes);
      add (down, r.down_bytes);
      add (requests, r.requests);
      add (tap_p99, r.tap_p99);
      add (tap_max, r.tap_max);
      add (floor_p99, r.floor_p99);
      add (probe_floor_p99, r.probe_floor_p99);
      add (probe_p99, r.probe_p99);
      g_free (r.check);

      if (opt_keep)
        g_print ("       kept %s\n", dir);
      else
        bench_remove_tree (dir);
    }

  median_drain = bench_median (drain);
  median_up = bench_median (up);
  median_tap = bench_median (tap_p99);
  median_growth = bench_median (rss_end) - bench_median (rss_start);
  g_print ("  %-4s %7s %7.2f %8.0f %9.1f %9.1f %9.1f %8.1f %8.1f %6.0f %8.2f %8.2f %5s %9.2f\n",
           "med", "", median_drain, opt_count / median_drain, bench_median (rss_start),
           bench_median (rss_max), bench_median (rss_end), median_up, bench_median (down),
           bench_median (requests), median_tap, bench_median (tap_max), "",
           bench_median (floor_p99));

  g_print ("\n  drain %d responses (median of %d): %.2f s   target ≤ %.0f s: %s\n", opt_count,
           opt_runs, median_drain, TARGET_SECONDS, bench_verdict (median_drain <= TARGET_SECONDS));
  g_print ("  memory: RSS %.1f MiB at start, %.1f MiB at the end (%+.1f MiB), peak %.1f MiB\n",
           bench_median (rss_start), bench_median (rss_end), median_growth, bench_median (rss_max));
  g_print ("  bytes on the wire per response, kiosk to server (request line, headers, gzip'd "
           "body): %.1f   target ≤ %.0f: %s\n", median_up, TARGET_BYTES,
           bench_verdict (median_up <= TARGET_BYTES));
  g_print ("  and server to kiosk (the per-event results, gzip'd): %.1f\n", bench_median (down));
  g_print ("  tap to durable commit during the drain, p99: %.2f ms   target ≤ %.0f ms: %s\n",
           median_tap, TARGET_TAP_P99_MS, bench_verdict (median_tap <= TARGET_TAP_P99_MS));
  g_print ("  all %u taps of the %d runs together: p99 %.2f ms; over %.0f ms: %u (%.2f %%), of "
           "which half that time or more %u waited for a CPU (the other threads and processes on "
           "the cores), %u for the uploader's write lock, and %u neither (the disk: the log's "
           "write and sync)\n", taps, opt_runs, bench_percentile (all_taps_ms, 0.99),
           TARGET_TAP_P99_MS, taps_slow, taps ? 100.0 * taps_slow / taps : 0.0, taps_slow_cpu,
           taps_slow_lock, taps_slow - taps_slow_cpu - taps_slow_lock);
  g_print ("  the floor, %u taps before the drains on the same databases: p99 %.2f ms (median of "
           "the runs' %.2f ms)\n", all_floor_ms->len, bench_percentile (all_floor_ms, 0.99),
           bench_median (floor_p99));
  if (opt_probe)
    g_print ("  the disk itself, a bare write of a tap's size (%d bytes) and its fdatasync() at the "
             "taps' moments: p99 %.2f ms during the drains (median of the runs' %.2f ms), %.2f ms "
             "before them\n", PROBE_BYTES, bench_percentile (all_probe_ms, 0.99),
             bench_median (probe_p99), bench_percentile (all_probe_floor_ms, 0.99));
  g_print ("  every response on the server exactly once, contiguous seq: %s\n",
           bench_verdict (all_checked));

  g_clear_pointer (&all_taps_ms, g_array_unref);
  g_clear_pointer (&all_floor_ms, g_array_unref);
  g_clear_pointer (&all_probe_floor_ms, g_array_unref);
  g_clear_pointer (&all_probe_ms, g_array_unref);
  return all_checked ? 0 : 1;
}
