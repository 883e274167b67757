/* bench-tap-frame.c: tap to thank-you frame: from activating "survey.vote" on the real KioskWindow
 * to the end ("after-paint") of the first frame that shows the thank-you page. With --drain N,
 * the taps are the ones made while the real uploader delivers a backlog of N responses from the
 * same database to the tests' server (a child process, as in bench-drain). */
#define G_LOG_DOMAIN "bench-tap-frame"

#include "config.h"
#include "bench-config.h"

#include <gtk/gtk.h>
#include <locale.h>

#include "bench-server.h"
#include "bench-util.h"
#include "kiosk-test-sync.h"
#include "kiosk-uploader.h"
#include "kiosk-window.h"

/* A survey without follow-ups: every tap is one visit, so each vote is exactly one commit and
 * goes straight to the thank-you screen. */
#define BENCH_SURVEY \
  "{\"id\": \"bench\", \"version\": 1, \"default_language\": \"en\", \"languages\": [\"en\"]," \
  " \"question\": {\"en\": \"How was it?\"}, \"faces\": {\"negative\": [0, 1]," \
  " \"positive\": [2, 3]}, \"thank_you\": {\"en\": \"Thank you!\"}}"

static int opt_taps = 200;
static char *opt_renderer;
static char *opt_dir;
static int opt_timeout_s = 120;
static int opt_drain;
static gboolean opt_serve;

static const GOptionEntry entries[] = {
  { "taps", 't', 0, G_OPTION_ARG_INT, &opt_taps, "Taps to measure (200)", "N" },
  { "renderer", 'r', 0, G_OPTION_ARG_STRING, &opt_renderer,
    "GSK_RENDERER: cairo or gl (default: the environment's, else GTK's choice)", "NAME" },
  { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_dir,
    "Where to create the database (the build directory)", "DIR" },
  { "timeout", 0, 0, G_OPTION_ARG_INT, &opt_timeout_s, "Give up after this long (120)", "S" },
  { "drain", 0, 0, G_OPTION_ARG_INT, &opt_drain,
    "Measure the taps made while a backlog of N responses is delivered (--taps is then the most)",
    "N" },
  { "serve", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_serve, NULL, NULL },
  { NULL }
};

typedef enum
{
  WAIT_FIRST_PAINT,
  WAIT_TAP,
  WAIT_THANKS,
  WAIT_SURVEY,
} Phase;

typedef struct
{
  KioskWindow   *window;
  KioskFlow     *flow;
  GdkFrameClock *clock;

  Phase          phase;
  int            taps_done;
  gint64         tap_us;
  gint64         commit_us;
  gint64         tap_frame;

  GArray        *total_ms;   /* tap to the thank-you frame's after-paint */
  GArray        *commit_ms;  /* inside the action: vote, commit, page switch */
  GArray        *frames;     /* frame counter at the thank-you frame minus at the tap */
  KioskUploader *uploader;   /* --drain */
  GArray        *floor_total_ms, *floor_commit_ms;  /* --drain: the taps before it */
  gint64         drain_start_us, drain_end_us;  /* 0: not yet */
  gboolean       done;
  gboolean       timed_out;
} TapBench;

/* --drain: the same taps before the uploader starts, in the same run: the floor. */
#define FLOOR_TAPS 100

/* --drain: whether the taps before the drain are all made. The last one starts the uploader. */
static gboolean
floor_done (TapBench *bench,
            double    total_ms,
            double    commit_ms)
{
  g_autoptr(GError) error = NULL;

  if (bench->uploader == NULL || bench->drain_start_us != 0)
    return TRUE;
  g_array_append_val (bench->floor_total_ms, total_ms);
  g_array_append_val (bench->floor_commit_ms, commit_ms);
  if (bench->floor_total_ms->len == FLOOR_TAPS)
    {
      bench->drain_start_us = g_get_monotonic_time ();
      if (!kiosk_uploader_start (bench->uploader, &error))
        g_error ("bench-tap-frame: %s", error->message);
    }
  return FALSE;
}

/* --drain: whether the uploader has delivered the whole backlog (seen at the next tap). */
static gboolean
drain_finished (TapBench *bench)
{
  g_autoptr(KioskSyncStatus) status = NULL;

  if (bench->uploader == NULL || bench->drain_start_us == 0 || bench->drain_end_us != 0)
    return bench->drain_end_us != 0;
  status = kiosk_uploader_dup_status (bench->uploader);
  if (status->delivered < (guint64) opt_drain)
    return FALSE;
  bench->drain_end_us = g_get_monotonic_time ();
  return TRUE;
}

static gboolean
tap_cb (gpointer user_data)
{
  TapBench *bench = user_data;

  /* Only taps that start before the backlog is delivered count. */
  if (drain_finished (bench))
    {
      bench->done = TRUE;
      return G_SOURCE_REMOVE;
    }

  bench->phase = WAIT_THANKS;
  bench->tap_frame = gdk_frame_clock_get_frame_counter (bench->clock);
  bench->tap_us = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (bench->window), "survey.vote", "(is)",
                              bench->taps_done % 4, "touch");
  bench->commit_us = g_get_monotonic_time ();

  return G_SOURCE_REMOVE;
}

/* A visitor's tap lands anywhere between two frames, not just after one: a random pause. */
static void
schedule_tap (TapBench *bench)
{
  bench->phase = WAIT_TAP;
  g_timeout_add (g_random_int_range (20, 54), tap_cb, bench);
}

static gboolean
back_to_survey_cb (gpointer user_data)
{
  TapBench *bench = user_data;

  kiosk_flow_return_to_survey (bench->flow);

  return G_SOURCE_REMOVE;
}

static void
after_paint_cb (GdkFrameClock *clock,
                TapBench      *bench)
{
  KioskPageId page = kiosk_window_get_page (bench->window);
  gint64 now = g_get_monotonic_time ();

  switch (bench->phase)
    {
    case WAIT_FIRST_PAINT:
    case WAIT_SURVEY:
      if (page == KIOSK_PAGE_SURVEY)
        schedule_tap (bench);
      break;

    case WAIT_THANKS:
      if (page == KIOSK_PAGE_THANKS)
        {
          double total = (now - bench->tap_us) / 1000.0;
          double commit = (bench->commit_us - bench->tap_us) / 1000.0;
          double frames = gdk_frame_clock_get_frame_counter (clock) - bench->tap_frame;

          if (!floor_done (bench, total, commit))
            {
              bench->phase = WAIT_SURVEY;
              g_idle_add (back_to_survey_cb, bench);
              break;
            }
          g_array_append_val (bench->total_ms, total);
          g_array_append_val (bench->commit_ms, commit);
          g_array_append_val (bench->frames, frames);

          if (++bench->taps_done == opt_taps)
            bench->done = TRUE;
          else
            {
              bench->phase = WAIT_SURVEY;
              g_idle_add (back_to_survey_cb, bench);
            }
        }
      break;

    case WAIT_TAP:
    default:
      break;
    }
}

static void
window_mapped_cb (GtkWidget *widget,
                  TapBench  *bench)
{
  bench->clock = gtk_widget_get_frame_clock (widget);
  g_signal_connect (bench->clock, "after-paint", G_CALLBACK (after_paint_cb), bench);
}

static gboolean
timeout_cb (gpointer user_data)
{
  ((TapBench *) user_data)->timed_out = TRUE;

  return G_SOURCE_REMOVE;
}

static void
print_stats (const char *what,
             GArray     *values)
{
  g_print ("  %-34s %8.2f %8.2f %8.2f %8.2f\n", what, bench_percentile (values, 0.5),
           bench_percentile (values, 0.9), bench_percentile (values, 0.99), bench_max (values));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskClock) clock = NULL;
  g_autoptr(KioskSurvey) survey = NULL;
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GtkCssProvider) css = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *filesystem = NULL;
  g_autofree char *self = NULL;
  g_autoptr(KioskConfig) sync_config = NULL;
  BenchServer server = { 0 };
  KioskUploaderTimings timings;
  TapBench bench = { 0 };
  GskRenderer *renderer;
  guint next_frame = 0, later = 0, watchdog;
  double worst_frames = 0;

  setlocale (LC_ALL, "");

  context = g_option_context_new ("- tap to thank-you frame on the real window");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-tap-frame: %s\n", error->message);
      return 2;
    }
  opt_taps = MAX (opt_taps, 1);
  if (opt_serve)
    return bench_server_serve ();
  if (opt_drain > 0)
    opt_taps = MAX (opt_taps, 1000000);
  bench_ignore_proxy ();

  /* Read when the window's renderer is made, so it has to be set before GTK starts. */
  if (opt_renderer != NULL)
    g_setenv ("GSK_RENDERER", opt_renderer, TRUE);
  g_setenv ("GTK_A11Y", "none", FALSE);

  if (!gtk_init_check ())
    {
      g_printerr ("bench-tap-frame: cannot open a display; run it under xvfb-run "
                  "(see run-benchmarks.sh)\n");
      return 2;
    }

  self = g_canonicalize_filename (argv[0], NULL);
  {
    /* The kiosk's configuration takes absolute paths only. */
    g_autofree char *parent = g_canonicalize_filename (opt_dir ? opt_dir : BENCH_BUILD_DIR, NULL);

    dir = bench_make_temp_dir (parent, "bench-tap-frame-XXXXXX", &error);
  }
  if (dir == NULL)
    {
      g_printerr ("bench-tap-frame: %s\n", error->message);
      return 1;
    }
  db = g_build_filename (dir, "responses.db", NULL);
  filesystem = bench_describe_filesystem (dir, NULL);

  if (opt_drain > 0)
    {
      /* The server is another machine for a kiosk: here it shares the kiosk's cores, and gets
       * them after the kiosk's own threads (nice 10, as bench-drain's default). */
      kiosk_test_fill_queue (db, opt_drain, 11);
      bench_quiet_uploader ();
      if (!bench_server_start (&server, self, 10, &error))
        {
          g_printerr ("bench-tap-frame: %s\n", error->message);
          bench_remove_tree (dir);
          return 1;
        }
      sync_config = kiosk_test_sync_config (dir, server.url, 500, NULL);
      bench.uploader = kiosk_uploader_new (sync_config, db, &error);
      if (bench.uploader == NULL)
        {
          g_printerr ("bench-tap-frame: %s\n", error->message);
          bench_server_stop (&server);
          bench_remove_tree (dir);
          return 1;
        }
      kiosk_uploader_timings_init (&timings);
      timings.start_delay_max_ms = 0;
      timings.use_network_monitor = FALSE;
      kiosk_uploader_set_timings (bench.uploader, &timings);
    }

  store = kiosk_store_open (db, KIOSK_STORE_OPEN_DEFAULT, &error);
  if (store == NULL)
    {
      g_printerr ("bench-tap-frame: %s\n", error->message);
      bench_remove_tree (dir);
      return 1;
    }
  config = kiosk_config_new_default ();
  clock = kiosk_clock_new ();
  survey = kiosk_survey_new_from_data (BENCH_SURVEY, -1, "bench", NULL);
  bench.flow = kiosk_flow_new (config, store, clock, survey);
  if (bench.uploader != NULL)
    g_signal_connect_swapped (store, "eligible-written", G_CALLBACK (kiosk_uploader_wake),
                              bench.uploader);

  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, RESOURCE_PATH "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  bench.total_ms = g_array_new (FALSE, FALSE, sizeof (double));
  bench.commit_ms = g_array_new (FALSE, FALSE, sizeof (double));
  bench.frames = g_array_new (FALSE, FALSE, sizeof (double));
  bench.floor_total_ms = g_array_new (FALSE, FALSE, sizeof (double));
  bench.floor_commit_ms = g_array_new (FALSE, FALSE, sizeof (double));

  bench.window = g_object_new (KIOSK_TYPE_WINDOW, "flow", bench.flow, "kiosk-mode", FALSE, NULL);
  g_signal_connect (bench.window, "map", G_CALLBACK (window_mapped_cb), &bench);
  gtk_window_present (GTK_WINDOW (bench.window));

  watchdog = g_timeout_add_seconds (opt_timeout_s, timeout_cb, &bench);
  while (!bench.done && !bench.timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!bench.timed_out)
    g_source_remove (watchdog);

  renderer = gtk_native_get_renderer (GTK_NATIVE (bench.window));
  g_print ("bench-tap-frame: %d taps on the real KioskWindow (1280x800, windowed), "
           "GSK_RENDERER=%s, renderer in use: %s\n", bench.taps_done,
           g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "(unset)",
           renderer ? G_OBJECT_TYPE_NAME (renderer) : "(none)");
  g_print ("  database on %s; each tap 20-53 ms after the survey was painted again\n",
           filesystem);
  g_print ("  a frame ends at the frame clock's after-paint (drawn and handed to the X server, "
           "which Xvfb shows at once)\n");
  if (bench.uploader != NULL)
    g_print ("  during a drain: the uploader delivered a backlog of %d responses from the same "
             "database\n  to the tests' server (a child process at nice 10) in %.2f s; only the "
             "taps begun before it was done count; %u taps before it, on the same database, are "
             "the floor\n", opt_drain,
             bench.drain_end_us ? (bench.drain_end_us - bench.drain_start_us) / 1e6 : 0.0,
             bench.floor_total_ms->len);
  g_print ("\n");

  if (bench.timed_out)
    g_print ("  TIMED OUT after %d s with %d of %d taps measured\n", opt_timeout_s,
             bench.taps_done, opt_taps);

  if (bench.taps_done > 0)
    {
      for (guint i = 0; i < bench.frames->len; i++)
        {
          double frames = g_array_index (bench.frames, double, i);

          if (frames <= 1)
            next_frame++;
          else
            later++;
          worst_frames = MAX (worst_frames, frames);
        }

      g_print ("  %-34s %8s %8s %8s %8s\n", "", "p50 ms", "p90 ms", "p99 ms", "max ms");
      print_stats ("tap to thank-you frame", bench.total_ms);
      print_stats ("  of which vote + commit + switch", bench.commit_ms);
      if (bench.floor_total_ms->len > 0)
        {
          print_stats ("the floor: tap to thank-you frame", bench.floor_total_ms);
          print_stats ("  of which vote + commit + switch", bench.floor_commit_ms);
        }
      g_print ("\n  thank-you in the next frame after the tap: %u of %d (later: %u, at worst "
               "%.0f frames)   target: next frame: %s\n", next_frame, bench.taps_done, later,
               worst_frames, bench_verdict (later == 0 && !bench.timed_out));
    }

  if (bench.uploader != NULL)
    kiosk_uploader_stop (bench.uploader);
  g_clear_object (&bench.uploader);
  bench_server_stop (&server);
  gtk_window_destroy (GTK_WINDOW (bench.window));
  g_clear_object (&bench.flow);
  g_clear_object (&store);
  g_array_unref (bench.total_ms);
  g_array_unref (bench.commit_ms);
  g_array_unref (bench.frames);
  g_array_unref (bench.floor_total_ms);
  g_array_unref (bench.floor_commit_ms);
  bench_remove_tree (dir);

  return bench.timed_out ? 1 : 0;
}
