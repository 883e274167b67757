/* bench-commit.c: tap to durable commit through the real recording path (KioskFlow and KioskStore
 * on a disk file, WAL with synchronous=FULL), timed per call of kiosk_flow_vote(). */
#define G_LOG_DOMAIN "bench-commit"

#include "bench-config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "bench-util.h"
#include "kiosk-flow.h"

/* A survey without follow-ups: every tap is one visit, so each vote is exactly one commit and
 * goes straight to the thank-you screen. */
#define BENCH_SURVEY \
  "{\"id\": \"bench\", \"version\": 1, \"default_language\": \"en\", \"languages\": [\"en\"]," \
  " \"question\": {\"en\": \"How was it?\"}, \"faces\": {\"negative\": [0, 1]," \
  " \"positive\": [2, 3]}, \"thank_you\": {\"en\": \"Thank you!\"}}"

#define TARGET_P99_MS   5.0
#define STALL_MS        16.0

static int opt_taps = 10000;
static int opt_runs = 1;
static char *opt_dir;
static gboolean opt_keep;

static const GOptionEntry entries[] = {
  { "taps", 't', 0, G_OPTION_ARG_INT, &opt_taps, "Votes per run (10000)", "N" },
  { "runs", 'n', 0, G_OPTION_ARG_INT, &opt_runs, "Runs, each on a new database (1)", "N" },
  { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_dir,
    "Where to create the databases: a real disk, not tmpfs (the build directory)", "DIR" },
  { "keep", 0, 0, G_OPTION_ARG_NONE, &opt_keep, "Keep the databases", NULL },
  { NULL }
};

typedef struct
{
  guint durable;
  guint held;
} Recorded;

static void
recorded_cb (KioskFlow           *flow,
             const KioskResponse *response,
             gboolean             durable,
             Recorded            *recorded)
{
  if (durable)
    recorded->durable++;
  else
    recorded->held++;
}

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* What one durable write costs on this file system at all, so the commit figures can be read:
 * a 4 KiB append and fdatasync(), as a WAL commit does. */
static gboolean
probe_fdatasync (const char  *dir,
                 double      *out_p50,
                 double      *out_p99,
                 GError     **error)
{
  g_autofree char *path = g_build_filename (dir, "fdatasync-probe", NULL);
  g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  char block[4096];
  int fd;

  memset (block, 0x5a, sizeof block);
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }

  for (int i = 0; i < 200; i++)
    {
      gint64 t0 = now_ns ();
      double elapsed;

      if (write (fd, block, sizeof block) != (ssize_t) sizeof block || fdatasync (fd) != 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                       g_strerror (saved));
          close (fd);
          g_remove (path);
          return FALSE;
        }
      elapsed = (now_ns () - t0) / 1e6;
      g_array_append_val (ms, elapsed);
    }

  close (fd);
  g_remove (path);
  *out_p50 = bench_percentile (ms, 0.5);
  *out_p99 = bench_percentile (ms, 0.99);

  return TRUE;
}

typedef struct
{
  double p50, p90, p99, p999, max;
  guint  stalls;
  double seconds;
} RunResult;

static gboolean
run_once (const char  *dir,
          KioskConfig *config,
          RunResult   *result,
          GError     **error)
{
  g_autofree char *db = g_build_filename (dir, "responses.db", NULL);
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(KioskClock) clock = kiosk_clock_new ();
  g_autoptr(KioskSurvey) survey = kiosk_survey_new_from_data (BENCH_SURVEY, -1, "bench", NULL);
  g_autoptr(KioskFlow) flow = NULL;
  g_autoptr(GArray) ms = g_array_sized_new (FALSE, FALSE, sizeof (double), opt_taps);
  Recorded recorded = { 0, 0 };
  gint64 start_ns;

  store = kiosk_store_open (db, KIOSK_STORE_OPEN_DEFAULT, error);
  if (store == NULL)
    return FALSE;

  flow = kiosk_flow_new (config, store, clock, survey);
  g_signal_connect (flow, "recorded", G_CALLBACK (recorded_cb), &recorded);

  start_ns = now_ns ();
  for (int i = 0; i < opt_taps; i++)
    {
      gint64 t0, t1;
      double elapsed;

      /* Each vote replaces the previous thank-you timeout; the main loop never runs, so no
       * state changes behind our back and sources do not pile up. */
      t0 = now_ns ();
      if (kiosk_flow_vote (flow, i % 4, KIOSK_INPUT_TOUCH, error) == NULL)
        return FALSE;
      t1 = now_ns ();

      elapsed = (t1 - t0) / 1e6;
      g_array_append_val (ms, elapsed);
      if (elapsed > STALL_MS)
        result->stalls++;
    }
  result->seconds = (now_ns () - start_ns) / 1e9;

  if (recorded.held > 0 || kiosk_store_get_unwritten (store) > 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%u of %d responses were held in memory (%s): these are not durable commits",
                   recorded.held, opt_taps, kiosk_store_get_health_message (store));
      return FALSE;
    }

  result->p50 = bench_percentile (ms, 0.50);
  result->p90 = bench_percentile (ms, 0.90);
  result->p99 = bench_percentile (ms, 0.99);
  result->p999 = bench_percentile (ms, 0.999);
  result->max = bench_max (ms);

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(GArray) p50 = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) p90 = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) p99 = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) p999 = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) max = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) stalls = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *filesystem = NULL;
  const char *parent;
  gboolean is_tmpfs;
  guint total_stalls = 0;
  double sync_p50, sync_p99;
  double median_p99;

  setlocale (LC_ALL, "");

  context = g_option_context_new ("- tap to durable commit latency");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-commit: %s\n", error->message);
      return 2;
    }
  opt_taps = MAX (opt_taps, 1);
  opt_runs = MAX (opt_runs, 1);
  parent = opt_dir ? opt_dir : BENCH_BUILD_DIR;

  /* The defaults a kiosk ships with; the misuse interval only flags responses, it does not
   * change what is written or how. */
  config = kiosk_config_new_default ();

  filesystem = bench_describe_filesystem (parent, &is_tmpfs);
  g_print ("bench-commit: %d × %d taps through kiosk_flow_vote(), a new database each time\n",
           opt_runs, opt_taps);
  g_print ("  database under %s: %s\n", parent, filesystem);
  if (is_tmpfs)
    g_print ("  WARNING: that is memory, not a disk: fsync costs nothing there and these figures "
             "say nothing about durability; pass --dir on a real disk\n");
  if (probe_fdatasync (parent, &sync_p50, &sync_p99, &error))
    g_print ("  raw cost of a durable write there (4 KiB append + fdatasync, 200×): "
             "p50 %.3f ms, p99 %.3f ms\n", sync_p50, sync_p99);
  else
    {
      g_print ("  raw fdatasync probe failed: %s\n", error->message);
      g_clear_error (&error);
    }
  g_print ("  time per call (CLOCK_MONOTONIC), i.e. tap to the commit having returned; "
           "stalls = calls over %.0f ms\n\n", STALL_MS);
  g_print ("  %-4s %8s %8s %8s %8s %8s %7s %9s\n", "run", "p50 ms", "p90 ms", "p99 ms",
           "p99.9 ms", "max ms", "stalls", "taps/s");

  for (int run = 1; run <= opt_runs; run++)
    {
      g_autofree char *dir = bench_make_temp_dir (parent, "bench-commit-XXXXXX", &error);
      RunResult result = { 0 };
      double count;

      if (dir == NULL || !run_once (dir, config, &result, &error))
        {
          g_printerr ("bench-commit: %s\n", error->message);
          if (dir != NULL && !opt_keep)
            bench_remove_tree (dir);
          return 1;
        }

      g_print ("  %-4d %8.3f %8.3f %8.3f %8.3f %8.3f %7u %9.0f\n", run, result.p50, result.p90,
               result.p99, result.p999, result.max, result.stalls, opt_taps / result.seconds);

      g_array_append_val (p50, result.p50);
      g_array_append_val (p90, result.p90);
      g_array_append_val (p99, result.p99);
      g_array_append_val (p999, result.p999);
      g_array_append_val (max, result.max);
      count = result.stalls;
      g_array_append_val (stalls, count);
      total_stalls += result.stalls;

      if (opt_keep)
        g_print ("       kept %s\n", dir);
      else
        bench_remove_tree (dir);
    }

  median_p99 = bench_median (p99);
  g_print ("  %-4s %8.3f %8.3f %8.3f %8.3f %8.3f %7.0f\n", "med", bench_median (p50),
           bench_median (p90), median_p99, bench_median (p999), bench_median (max),
           bench_median (stalls));
  g_print ("\n  tap to durable commit p99 (median over %d × %d taps): %.3f ms   "
           "target ≤ %.0f ms: %s\n", opt_runs, opt_taps, median_p99, TARGET_P99_MS,
           bench_verdict (median_p99 <= TARGET_P99_MS));
  g_print ("  main thread blocked > %.0f ms: %u of %d taps   target: never: %s\n", STALL_MS,
           total_stalls, opt_runs * opt_taps, bench_verdict (total_stalls == 0));

  return 0;
}
