/* bench-startup.c: exec to first frame and idle memory of smiley-kiosk against ref-circles (the
 * minimal GTK 4 program), started alternately under the current DISPLAY; optionally Chromium. */
#define G_LOG_DOMAIN "bench-startup"

#include "bench-config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-util.h"

#define TARGET_RATIO_REF           1.25
#define TARGET_RATIO_REF_PSS       1.15
#define TARGET_RATIO_CHROMIUM_TIME 0.25
#define TARGET_RATIO_CHROMIUM_PSS  0.20

static int opt_runs = 5;
static char *opt_renderer;
static char *opt_kiosk;
static char *opt_ref;
static int opt_settle_ms = 2000;
static int opt_timeout_ms = 30000;
static gboolean opt_no_warmup;
static gboolean opt_chromium;
static char *opt_chromium_binary;

static const GOptionEntry entries[] = {
  { "runs", 'n', 0, G_OPTION_ARG_INT, &opt_runs, "Measured starts of each program (5)", "N" },
  { "renderer", 'r', 0, G_OPTION_ARG_STRING, &opt_renderer,
    "GSK_RENDERER for both programs: cairo or gl (cairo)", "NAME" },
  { "kiosk", 0, 0, G_OPTION_ARG_FILENAME, &opt_kiosk, "smiley-kiosk to measure", "PATH" },
  { "ref", 0, 0, G_OPTION_ARG_FILENAME, &opt_ref, "ref-circles to measure against", "PATH" },
  { "settle-ms", 0, 0, G_OPTION_ARG_INT, &opt_settle_ms,
    "Wait after the first frame before reading memory (2000)", "MS" },
  { "timeout-ms", 0, 0, G_OPTION_ARG_INT, &opt_timeout_ms,
    "Give up on a start after this long (30000)", "MS" },
  { "no-warmup", 0, 0, G_OPTION_ARG_NONE, &opt_no_warmup,
    "Do not start each program once unmeasured first", NULL },
  { "chromium", 0, 0, G_OPTION_ARG_NONE, &opt_chromium,
    "Also measure Chromium in kiosk mode on a page with the four faces", NULL },
  { "chromium-binary", 0, 0, G_OPTION_ARG_FILENAME, &opt_chromium_binary,
    "Chromium to use (/usr/bin/chromium)", "PATH" },
  { NULL }
};

typedef struct
{
  const char *name;
  GArray     *first_frame_ms;
  GArray     *pss_mib;
  GArray     *private_mib;
  GArray     *rss_mib;
  GArray     *processes;
  char       *renderer;
} Program;

static void
program_init (Program    *program,
              const char *name)
{
  program->name = name;
  program->first_frame_ms = g_array_new (FALSE, FALSE, sizeof (double));
  program->pss_mib = g_array_new (FALSE, FALSE, sizeof (double));
  program->private_mib = g_array_new (FALSE, FALSE, sizeof (double));
  program->rss_mib = g_array_new (FALSE, FALSE, sizeof (double));
  program->processes = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
program_clear (Program *program)
{
  g_array_unref (program->first_frame_ms);
  g_array_unref (program->pss_mib);
  g_array_unref (program->private_mib);
  g_array_unref (program->rss_mib);
  g_array_unref (program->processes);
  g_free (program->renderer);
}

static void
print_row (const char *run,
           const char *name,
           double      ms,
           double      pss,
           double      private_mib,
           double      rss,
           const char *extra)
{
  g_autofree char *ms_text = isnan (ms) ? g_strdup ("-") : g_strdup_printf ("%.1f", ms);

  g_print ("  %-7s %-14s %10s %9.1f %9.1f %9.1f%s%s\n", run, name, ms_text, pss, private_mib, rss,
           extra ? "  " : "", extra ? extra : "");
}

/* One start: spawn, first frame, settle, memory, SIGTERM. */
static gboolean
measure_gtk (Program             *program,
             const char * const  *argv,
             const char * const  *env,
             const char          *run_label,
             gboolean             record,
             GError             **error)
{
  g_autoptr(BenchChild) child = NULL;
  BenchMemory memory;
  double ms;

  child = bench_child_spawn (argv, env, error);
  if (child == NULL)
    return FALSE;

  if (!bench_child_wait_first_frame (child, opt_timeout_ms, error))
    {
      g_prefix_error (error, "%s: ", program->name);
      return FALSE;
    }
  ms = (bench_child_get_first_frame_us (child) - bench_child_get_spawn_us (child)) / 1000.0;

  bench_sleep_ms (opt_settle_ms);
  if (!bench_child_is_running (child))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s exited while settling; stderr:\n%s",
                   program->name, bench_child_get_log (child));
      return FALSE;
    }

  if (!bench_read_memory (bench_child_get_pid (child), &memory, error))
    return FALSE;

  if (program->renderer == NULL && bench_child_get_renderer (child) != NULL)
    program->renderer = g_strdup (bench_child_get_renderer (child));

  bench_child_terminate (child);

  print_row (run_label, program->name, ms, memory.pss_mib, memory.private_mib, memory.rss_mib,
             record ? NULL : "(warm-up, not counted)");
  if (record)
    {
      g_array_append_val (program->first_frame_ms, ms);
      g_array_append_val (program->pss_mib, memory.pss_mib);
      g_array_append_val (program->private_mib, memory.private_mib);
      g_array_append_val (program->rss_mib, memory.rss_mib);
    }

  return TRUE;
}

static const char chromium_page_head[] =
  "<!DOCTYPE html>\n"
  "<html><head><meta charset=\"utf-8\"><title>Smiley Kiosk</title>\n"
  "<style>\n"
  "html, body { margin: 0; height: 100%; background: #f7f6f2; color: #1d1d1b;\n"
  "  font-family: sans-serif; overflow: hidden; }\n"
  "body { display: flex; flex-direction: column; }\n"
  "h1 { flex: 1; display: flex; align-items: center; justify-content: center;\n"
  "  font-size: 44px; margin: 8px 0; }\n"
  ".faces { display: flex; justify-content: space-evenly; margin-bottom: 24px; }\n"
  "button { background: none; border: none; padding: 8px; font-size: 26px; font-weight: 600; }\n"
  "svg { display: block; width: 256px; height: 256px; margin-bottom: 12px; }\n"
  "</style></head><body>\n"
  "<h1>How was your visit today?</h1>\n"
  "<div class=\"faces\">\n";

static const char chromium_page_tail[] =
  "</div>\n"
  "<script>\n"
  "requestAnimationFrame (() => requestAnimationFrame (() => console.log ('first-frame')));\n"
  "</script>\n"
  "</body></html>\n";

static char *
chromium_faces (void)
{
  static const struct { const char *colour, *mouth, *word; } faces[] = {
    { "#2ec27e", "M 30 60 Q 50 80 70 60", "Very happy" },
    { "#c2c81e", "M 32 64 Q 50 72 68 64", "Happy" },
    { "#f57900", "M 32 70 Q 50 62 68 70", "Unhappy" },
    { "#e01b24", "M 30 74 Q 50 54 70 74", "Very unhappy" },
  };
  GString *html = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (faces); i++)
    g_string_append_printf (html,
                            "<button><svg viewBox=\"0 0 100 100\">"
                            "<circle cx=\"50\" cy=\"50\" r=\"46\" fill=\"%s\"/>"
                            "<circle cx=\"35\" cy=\"40\" r=\"6\" fill=\"#1d1d1b\"/>"
                            "<circle cx=\"65\" cy=\"40\" r=\"6\" fill=\"#1d1d1b\"/>"
                            "<path d=\"%s\" stroke=\"#1d1d1b\" stroke-width=\"6\" fill=\"none\" "
                            "stroke-linecap=\"round\"/></svg>%s</button>\n",
                            faces[i].colour, faces[i].mouth, faces[i].word);

  return g_string_free (html, FALSE);
}

/* Every process of one Chromium instance: the browser's descendants, and anything whose command
 * line names our private profile (the crash handler is not a descendant). */
static GArray *
chromium_processes (GPid        browser,
                    const char *profile)
{
  GArray *pids = bench_list_descendants (browser);
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *cmdline = NULL;
      gsize length = 0;
      GPid pid;
      gboolean known = FALSE;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "cmdline", NULL);
      if (!g_file_get_contents (path, &cmdline, &length, NULL) || length == 0)
        continue;
      for (gsize i = 0; i + 1 < length; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, profile) == NULL)
        continue;

      pid = (GPid) g_ascii_strtoll (name, NULL, 10);
      for (guint i = 0; i < pids->len; i++)
        known |= g_array_index (pids, GPid, i) == pid;
      if (!known)
        g_array_append_val (pids, pid);
    }

  return pids;
}

/* One profile for all starts, made by the warm-up: a kiosk browser keeps its profile too. */
static gboolean
measure_chromium (Program             *program,
                  const char          *binary,
                  const char          *work_dir,
                  const char * const  *env,
                  guint                run,
                  gboolean             record,
                  GError             **error)
{
  g_autofree char *profile = g_build_filename (work_dir, "chromium-profile", NULL);
  g_autofree char *page = g_build_filename (work_dir, "faces.html", NULL);
  g_autofree char *url = g_filename_to_uri (page, NULL, error);
  g_autofree char *profile_arg = g_strdup_printf ("--user-data-dir=%s", profile);
  g_autofree char *run_label = record ? g_strdup_printf ("%u", run) : g_strdup ("warm-up");
  g_autoptr(BenchChild) child = NULL;
  g_autoptr(GArray) pids = NULL;
  g_autoptr(GString) note = g_string_new (NULL);
  BenchMemory total = { 0, 0, 0 };
  gint64 seen_us = 0;
  double ms = NAN;
  double count;
  const char *argv[16];
  guint argc = 0;

  if (url == NULL)
    return FALSE;

  argv[argc++] = binary;
  argv[argc++] = "--kiosk";
  argv[argc++] = profile_arg;
  argv[argc++] = "--no-first-run";
  argv[argc++] = "--no-default-browser-check";
  argv[argc++] = "--password-store=basic";
  argv[argc++] = "--window-position=0,0";
  argv[argc++] = "--window-size=1280,800";
  argv[argc++] = "--enable-logging=stderr";
  argv[argc++] = "--log-level=0";
  /* Chromium refuses to start as root without this. */
  if (getuid () == 0)
    argv[argc++] = "--no-sandbox";
  argv[argc++] = url;
  argv[argc] = NULL;

  child = bench_child_spawn (argv, env, error);
  if (child == NULL)
    return FALSE;

  /* Chromium cannot stamp its own frame: the page logs after the second animation frame, and
   * the time is when that console line reaches us. An approximation, at most a frame late. */
  if (bench_child_wait_line (child, "first-frame", opt_timeout_ms, &seen_us))
    ms = (seen_us - bench_child_get_spawn_us (child)) / 1000.0;
  else
    g_string_append (note, "no first-frame console line; ");

  bench_sleep_ms (opt_settle_ms);
  if (!bench_child_is_running (child))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "chromium exited; stderr:\n%s",
                   bench_child_get_log (child));
      return FALSE;
    }

  pids = chromium_processes (bench_child_get_pid (child), profile);
  for (guint i = 0; i < pids->len; i++)
    {
      BenchMemory memory;

      if (!bench_read_memory (g_array_index (pids, GPid, i), &memory, NULL))
        continue;
      total.pss_mib += memory.pss_mib;
      total.private_mib += memory.private_mib;
      total.rss_mib += memory.rss_mib;
    }
  count = pids->len;
  g_string_append_printf (note, "%u processes%s", pids->len, record ? "" : ", not counted");

  bench_child_terminate (child);
  /* Whatever of ours outlived the browser (by pid, nothing else). */
  for (guint i = 1; i < pids->len; i++)
    kill (g_array_index (pids, GPid, i), SIGKILL);

  print_row (run_label, program->name, ms, total.pss_mib, total.private_mib, total.rss_mib,
             note->str);
  if (record)
    {
      if (!isnan (ms))
        g_array_append_val (program->first_frame_ms, ms);
      g_array_append_val (program->pss_mib, total.pss_mib);
      g_array_append_val (program->private_mib, total.private_mib);
      g_array_append_val (program->rss_mib, total.rss_mib);
      g_array_append_val (program->processes, count);
    }

  return TRUE;
}

static void
print_median (Program *program)
{
  g_autofree char *label = g_strdup_printf ("n=%u", program->pss_mib->len);

  print_row ("median", program->name, bench_median (program->first_frame_ms),
             bench_median (program->pss_mib), bench_median (program->private_mib),
             bench_median (program->rss_mib), label);
}

static void
print_ratio (const char *what,
             double      kiosk,
             double      other,
             double      target,
             const char *against)
{
  double ratio = kiosk / other;

  if (isnan (ratio))
    {
      g_print ("  %-28s      -   (target ≤ %.2f × %s: no figure)\n", what, target, against);
      return;
    }

  g_print ("  %-28s %6.2f   target ≤ %.2f × %s: %s\n", what, ratio, target, against,
           bench_verdict (ratio <= target));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *xdg_state = NULL;
  g_autofree char *gsk_renderer = NULL;
  const char *display = g_getenv ("DISPLAY");
  Program kiosk, ref, ref_nogl, chromium;
  gboolean cairo;
  gboolean have_chromium = FALSE;
  gboolean ok = TRUE;

  setlocale (LC_ALL, "");

  context = g_option_context_new ("- exec to first frame and memory, kiosk against references");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-startup: %s\n", error->message);
      return 2;
    }

  if (opt_renderer == NULL)
    opt_renderer = g_strdup ("cairo");
  if (opt_kiosk == NULL)
    opt_kiosk = g_strdup (BENCH_KIOSK_BINARY);
  if (opt_ref == NULL)
    opt_ref = g_strdup (BENCH_REF_BINARY);
  if (opt_chromium_binary == NULL)
    opt_chromium_binary = g_strdup ("/usr/bin/chromium");
  if (opt_runs < 1)
    opt_runs = 1;

  if (display == NULL || *display == '\0')
    {
      g_printerr ("bench-startup: no DISPLAY; run it under xvfb-run (see run-benchmarks.sh)\n");
      return 2;
    }

  state_dir = bench_make_temp_dir (NULL, "bench-startup-XXXXXX", &error);
  if (state_dir == NULL)
    {
      g_printerr ("bench-startup: %s\n", error->message);
      return 1;
    }

  xdg_state = g_strdup_printf ("XDG_STATE_HOME=%s", state_dir);
  gsk_renderer = g_strdup_printf ("GSK_RENDERER=%s", opt_renderer);

  {
    const char *env[] = {
      xdg_state,
      gsk_renderer,
      "GTK_A11Y=none",
      "NO_AT_BRIDGE=1",
      "SMILEY_KIOSK_REPORT_FIRST_FRAME=1",
      NULL
    };
    /* Drawn with cairo, the kiosk turns GDK's OpenGL probe off (src/main.c): the reference is
     * measured both as GTK runs it by default and with the same switch, like for like. */
    const char *env_nogl[] = {
      xdg_state,
      gsk_renderer,
      "GTK_A11Y=none",
      "NO_AT_BRIDGE=1",
      "SMILEY_KIOSK_REPORT_FIRST_FRAME=1",
      "GDK_DEBUG=gl-disable",
      NULL
    };
    const char *kiosk_argv[] = { opt_kiosk, NULL };
    const char *ref_argv[] = { opt_ref, NULL };

    program_init (&kiosk, "smiley-kiosk");
    program_init (&ref, "ref-circles");
    program_init (&ref_nogl, "ref, GL off");
    cairo = g_str_equal (opt_renderer, "cairo");
    program_init (&chromium, "chromium");

    g_print ("bench-startup: %d measured starts of each program, alternating, DISPLAY=%s\n",
             opt_runs, display);
    g_print ("  GSK_RENDERER=%s GTK_A11Y=none, kiosk mode (no --windowed), "
             "XDG_STATE_HOME=%s\n", opt_renderer, state_dir);
    g_print ("  first frame: exec to the first after-paint (both stamp CLOCK_MONOTONIC); memory "
             "%d ms after it, from /proc/PID/smaps_rollup\n\n", opt_settle_ms);
    g_print ("  %-7s %-14s %10s %9s %9s %9s\n", "run", "program", "frame ms", "PSS MiB",
             "priv MiB", "RSS MiB");

    /* The warm-up puts both in the page cache and lets the kiosk create its database, so every
     * measured start is a restart, as on a kiosk that is switched on every morning. */
    if (!opt_no_warmup)
      ok = measure_gtk (&kiosk, kiosk_argv, env, "warm-up", FALSE, &error) &&
           measure_gtk (&ref, ref_argv, env, "warm-up", FALSE, &error) &&
           (!cairo || measure_gtk (&ref_nogl, ref_argv, env_nogl, "warm-up", FALSE, &error));

    for (int run = 1; ok && run <= opt_runs; run++)
      {
        g_autofree char *label = g_strdup_printf ("%d", run);

        /* Alternate who goes first, so neither always inherits the other's cache state. */
        if (run % 2 == 1)
          ok = measure_gtk (&kiosk, kiosk_argv, env, label, TRUE, &error) &&
               measure_gtk (&ref, ref_argv, env, label, TRUE, &error);
        else
          ok = measure_gtk (&ref, ref_argv, env, label, TRUE, &error) &&
               measure_gtk (&kiosk, kiosk_argv, env, label, TRUE, &error);
        if (ok && cairo)
          ok = measure_gtk (&ref_nogl, ref_argv, env_nogl, label, TRUE, &error);
      }

    if (ok && opt_chromium)
      {
        if (!g_file_test (opt_chromium_binary, G_FILE_TEST_IS_EXECUTABLE))
          g_print ("  chromium not installed (%s), skipped\n", opt_chromium_binary);
        else
          {
            g_autofree char *faces = chromium_faces ();
            g_autofree char *html = g_strconcat (chromium_page_head, faces, chromium_page_tail,
                                                  NULL);
            g_autofree char *page = g_build_filename (state_dir, "faces.html", NULL);

            have_chromium = g_file_set_contents (page, html, -1, &error);
            if (have_chromium && !opt_no_warmup)
              have_chromium = measure_chromium (&chromium, opt_chromium_binary, state_dir, env,
                                                0, FALSE, &error);
            for (int run = 1; have_chromium && run <= opt_runs; run++)
              have_chromium = measure_chromium (&chromium, opt_chromium_binary, state_dir, env,
                                                run, TRUE, &error);
            if (!have_chromium)
              {
                g_print ("  chromium failed, left out: %s\n", error->message);
                g_clear_error (&error);
              }
          }
      }
  }

  if (!ok)
    {
      g_printerr ("bench-startup: %s\n", error->message);
      bench_remove_tree (state_dir);
      return 1;
    }

  g_print ("\n");
  print_median (&kiosk);
  print_median (&ref);
  if (cairo)
    print_median (&ref_nogl);
  if (have_chromium)
    print_median (&chromium);

  g_print ("\n  renderer in use (reported by ref-circles): %s\n",
           ref.renderer ? ref.renderer : "(not reported)");
  if (g_str_equal (opt_renderer, "gl") && g_strcmp0 (ref.renderer, "GskGLRenderer") != 0)
    g_print ("  WARNING: gl was asked for but GTK fell back to %s: these are not gl figures\n",
             ref.renderer ? ref.renderer : "another renderer");

  g_print ("\n");
  print_ratio ("kiosk/ref first frame", bench_median (kiosk.first_frame_ms),
               bench_median (ref.first_frame_ms), TARGET_RATIO_REF, "ref-circles");
  print_ratio ("kiosk/ref PSS", bench_median (kiosk.pss_mib), bench_median (ref.pss_mib),
               TARGET_RATIO_REF_PSS, "ref-circles");
  g_print ("  %-28s %6.2f   (no target)\n", "kiosk/ref private",
           bench_median (kiosk.private_mib) / bench_median (ref.private_mib));
  if (cairo)
    {
      print_ratio ("kiosk/ref, GL off, PSS", bench_median (kiosk.pss_mib),
                   bench_median (ref_nogl.pss_mib), TARGET_RATIO_REF_PSS,
                   "ref-circles with GL off too");
      g_print ("  %-28s %6.2f MiB\n", "kiosk - ref, GL off, PSS",
               bench_median (kiosk.pss_mib) - bench_median (ref_nogl.pss_mib));
    }
  if (have_chromium)
    {
      g_print ("  chromium: %.0f processes (median); first frame is approximate (console line "
               "after the second animation frame)\n", bench_median (chromium.processes));
      print_ratio ("kiosk/chromium first frame", bench_median (kiosk.first_frame_ms),
                   bench_median (chromium.first_frame_ms), TARGET_RATIO_CHROMIUM_TIME,
                   "chromium");
      print_ratio ("kiosk/chromium PSS", bench_median (kiosk.pss_mib),
                   bench_median (chromium.pss_mib), TARGET_RATIO_CHROMIUM_PSS, "chromium");
    }

  program_clear (&kiosk);
  program_clear (&ref);
  program_clear (&ref_nogl);
  program_clear (&chromium);
  bench_remove_tree (state_dir);

  return 0;
}
