/* bench-idle.c: CPU time and wake-ups of an idle smiley-kiosk (kiosk mode, survey on screen, no
 * input) over a fixed window, read from /proc. */
#define G_LOG_DOMAIN "bench-idle"

#include "bench-config.h"

#include <locale.h>
#include <unistd.h>

#include "bench-util.h"

#define TARGET_CPU_PERCENT 0.1

static int opt_runs = 3;
static int opt_seconds = 60;
static char *opt_renderer;
static char *opt_kiosk;
static int opt_settle_ms = 2000;
static int opt_timeout_ms = 30000;

static const GOptionEntry entries[] = {
  { "runs", 'n', 0, G_OPTION_ARG_INT, &opt_runs, "Kiosk starts to measure (3)", "N" },
  { "seconds", 's', 0, G_OPTION_ARG_INT, &opt_seconds, "Length of each idle window (60)", "S" },
  { "renderer", 'r', 0, G_OPTION_ARG_STRING, &opt_renderer,
    "GSK_RENDERER: cairo or gl (cairo)", "NAME" },
  { "kiosk", 0, 0, G_OPTION_ARG_FILENAME, &opt_kiosk, "smiley-kiosk to measure", "PATH" },
  { "settle-ms", 0, 0, G_OPTION_ARG_INT, &opt_settle_ms,
    "Wait after the first frame before the window starts (2000)", "MS" },
  { "timeout-ms", 0, 0, G_OPTION_ARG_INT, &opt_timeout_ms,
    "Give up on a start after this long (30000)", "MS" },
  { NULL }
};

/* One reading a second: a thread that is switched in several separate seconds wakes up
 * periodically; one that is switched once (a pool thread retiring) does not. */
#define PERIODIC_SECONDS 3

static void
bump (GHashTable *seconds_per_thread,
      const char *thread)
{
  guint seconds = GPOINTER_TO_UINT (g_hash_table_lookup (seconds_per_thread, thread));

  g_hash_table_insert (seconds_per_thread, g_strdup (thread), GUINT_TO_POINTER (seconds + 1));
}

/* Counts this second for every thread that was switched, was born or exited in it. */
static void
count_active (GHashTable *seconds_per_thread,
              BenchCpu   *before,
              BenchCpu   *after)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, after->threads);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      BenchThread *was = g_hash_table_lookup (before->threads, key);

      if (was == NULL || ((BenchThread *) value)->switches != was->switches)
        bump (seconds_per_thread, key);
    }

  g_hash_table_iter_init (&iter, before->threads);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (after->threads, key))
      bump (seconds_per_thread, key);
}

static guint64
cumulative_run_ns (BenchCpu *cpu)
{
  GHashTableIter iter;
  gpointer value;
  guint64 sum = 0;

  g_hash_table_iter_init (&iter, cpu->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    sum += ((BenchThread *) value)->run_ns;

  return sum;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) cpu_stat = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cpu_sched = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) switch_rate = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) active_seconds = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *state_dir = NULL;
  g_autofree char *xdg_state = NULL;
  g_autofree char *gsk_renderer = NULL;
  const char *display = g_getenv ("DISPLAY");
  long ticks_per_second = sysconf (_SC_CLK_TCK);
  gboolean have_sched = TRUE;
  guint periodic_threads = 0;
  double cpu, wakeups;

  setlocale (LC_ALL, "");

  context = g_option_context_new ("- idle CPU and wake-ups of the kiosk");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-idle: %s\n", error->message);
      return 2;
    }

  if (opt_renderer == NULL)
    opt_renderer = g_strdup ("cairo");
  if (opt_kiosk == NULL)
    opt_kiosk = g_strdup (BENCH_KIOSK_BINARY);
  opt_runs = MAX (opt_runs, 1);
  opt_seconds = MAX (opt_seconds, 1);

  if (display == NULL || *display == '\0')
    {
      g_printerr ("bench-idle: no DISPLAY; run it under xvfb-run (see run-benchmarks.sh)\n");
      return 2;
    }

  state_dir = bench_make_temp_dir (NULL, "bench-idle-XXXXXX", &error);
  if (state_dir == NULL)
    {
      g_printerr ("bench-idle: %s\n", error->message);
      return 1;
    }
  xdg_state = g_strdup_printf ("XDG_STATE_HOME=%s", state_dir);
  gsk_renderer = g_strdup_printf ("GSK_RENDERER=%s", opt_renderer);

  g_print ("bench-idle: %d × %d s, smiley-kiosk in kiosk mode under DISPLAY=%s, "
           "GSK_RENDERER=%s\n", opt_runs, opt_seconds, display, opt_renderer);
  g_print ("  the window starts %d ms after the first frame and is read once a second\n",
           opt_settle_ms);
  g_print ("  CPU: utime+stime of /proc/PID/stat (%ld ticks/s); sched: the threads' schedstat "
           "run time (ns)\n", ticks_per_second);
  g_print ("  switches: voluntary + nonvoluntary context switches of every thread "
           "(/proc/PID/task/*/status);\n"
           "  active s: seconds in which any thread was switched or exited; periodic: threads "
           "switched in %d or more separate seconds\n\n", PERIODIC_SECONDS);
  g_print ("  %-4s %9s %10s %9s %7s %7s %9s  %s\n", "run", "CPU %", "sched %", "switches",
           "per s", "exited", "active s", "periodic");

  for (int run = 1; run <= opt_runs; run++)
    {
      const char *env[] = {
        xdg_state, gsk_renderer, "GTK_A11Y=none", "NO_AT_BRIDGE=1",
        "SMILEY_KIOSK_REPORT_FIRST_FRAME=1", NULL
      };
      const char *kiosk_argv[] = { opt_kiosk, NULL };
      g_autoptr(BenchChild) child = NULL;
      g_autoptr(GHashTable) seconds_per_thread = NULL;
      g_autoptr(GString) periodic = g_string_new (NULL);
      BenchCpu before, readings[2];
      BenchCpu *previous = &before;
      BenchCpuDelta total;
      GHashTableIter iter;
      gpointer key, value;
      gint64 start_us, end_us;
      double seconds, stat_percent, sched_percent, rate, active = 0;
      GPid pid;

      child = bench_child_spawn (kiosk_argv, env, &error);
      if (child == NULL || !bench_child_wait_first_frame (child, opt_timeout_ms, &error))
        {
          g_printerr ("bench-idle: %s\n", error->message);
          bench_remove_tree (state_dir);
          return 1;
        }
      pid = bench_child_get_pid (child);
      bench_sleep_ms (opt_settle_ms);

      seconds_per_thread = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      start_us = g_get_monotonic_time ();
      if (!bench_read_cpu (pid, &before, &error))
        {
          g_printerr ("bench-idle: %s\n", error->message);
          return 1;
        }

      for (int second = 1; second <= opt_seconds; second++)
        {
          BenchCpu *now = &readings[second % 2];
          gint64 left = start_us + second * G_USEC_PER_SEC - g_get_monotonic_time ();
          BenchCpuDelta step;

          if (left > 0)
            bench_sleep_ms (left / 1000);

          if (!bench_child_is_running (child) || !bench_read_cpu (pid, now, &error))
            {
              g_printerr ("bench-idle: the kiosk exited during the window; stderr:\n%s",
                          bench_child_get_log (child));
              return 1;
            }

          bench_cpu_delta (previous, now, &step);
          if (step.switches > 0 || step.ended > 0)
            active++;
          g_free (step.threads);
          count_active (seconds_per_thread, previous, now);

          if (previous != &before)
            bench_cpu_clear (previous);
          previous = now;
        }
      end_us = g_get_monotonic_time ();
      bench_child_terminate (child);

      bench_cpu_delta (&before, previous, &total);
      seconds = (end_us - start_us) / 1e6;
      stat_percent = 100.0 * (previous->ticks - before.ticks) / ticks_per_second / seconds;
      sched_percent = 100.0 * total.run_ns / 1e9 / seconds;
      rate = total.switches / seconds;
      have_sched &= cumulative_run_ns (previous) > 0;

      g_hash_table_iter_init (&iter, seconds_per_thread);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (GPOINTER_TO_UINT (value) >= PERIODIC_SECONDS)
          {
            g_string_append_printf (periodic, "%s%s (%u s)", periodic->len ? ", " : "",
                                    (const char *) key, GPOINTER_TO_UINT (value));
            periodic_threads++;
          }

      g_array_append_val (cpu_stat, stat_percent);
      g_array_append_val (cpu_sched, sched_percent);
      g_array_append_val (switch_rate, rate);
      g_array_append_val (active_seconds, active);

      g_print ("  %-4d %9.3f %10.4f %9" G_GUINT64_FORMAT " %7.2f %7u %9.0f  %s\n", run,
               stat_percent, sched_percent, total.switches, rate, total.ended, active,
               periodic->len ? periodic->str : "none");
      g_print ("       threads switched: %s\n", total.threads);

      g_free (total.threads);
      bench_cpu_clear (&before);
      bench_cpu_clear (previous);
    }

  cpu = bench_median (cpu_stat);
  wakeups = bench_median (switch_rate);
  g_print ("  %-4s %9.3f %10.4f %9s %7.2f %7s %9.0f\n", "med", cpu, bench_median (cpu_sched), "",
           wakeups, "", bench_median (active_seconds));
  if (!have_sched)
    g_print ("  (no schedstat on this kernel: the sched column is not a measurement)\n");

  g_print ("\n  idle CPU (median of %d × %d s): %.3f %% of one core   target ≤ %.1f %%: %s\n",
           opt_runs, opt_seconds, cpu, TARGET_CPU_PERCENT,
           bench_verdict (cpu <= TARGET_CPU_PERCENT));
  g_print ("  wake-ups while idle (median): %.2f context switches/s; threads waking "
           "periodically: %u   target: none periodic: %s\n", wakeups, periodic_threads,
           bench_verdict (periodic_threads == 0));

  bench_remove_tree (state_dir);

  return 0;
}
