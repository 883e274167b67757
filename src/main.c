/* main.c: command line of smiley-kiosk. The tools for IT staff (--check-config, --stats,
 * --export-csv) need no display; only the kiosk itself starts GTK. */
#define G_LOG_DOMAIN "smiley-kiosk"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gunixoutputstream.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "kiosk-application.h"
#include "kiosk-config.h"
#include "kiosk-export.h"
#include "kiosk-gettext.h"
#include "kiosk-pin.h"
#include "kiosk-stats.h"
#include "kiosk-store.h"
#include "kiosk-survey.h"
#include "kiosk-tty.h"
#include "kiosk-uploader.h"

#define EXIT_CONFIG 2

static char *opt_config;
static gboolean opt_check_config;
static char *opt_check_survey;
static gboolean opt_windowed;
static gboolean opt_stats;
static gboolean opt_status;
static char *opt_export_csv;
static gboolean opt_hash_pin;
static gboolean opt_version;

static const GOptionEntry entries[] = {
  { "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config,
    N_("Read the configuration from FILE instead of the system-wide one"), N_("FILE") },
  { "check-config", 0, 0, G_OPTION_ARG_NONE, &opt_check_config,
    N_("Check the configuration and exit"), NULL },
  { "check-survey", 0, 0, G_OPTION_ARG_FILENAME, &opt_check_survey,
    N_("Check the survey definition FILE and exit"), N_("FILE") },
  { "windowed", 'w', 0, G_OPTION_ARG_NONE, &opt_windowed,
    N_("Run in a normal window instead of the locked-down fullscreen kiosk"), NULL },
  { "stats", 0, 0, G_OPTION_ARG_NONE, &opt_stats,
    N_("Print today’s and all-time figures and exit"), NULL },
  { "status", 0, 0, G_OPTION_ARG_NONE, &opt_status,
    N_("Print the state of background sync (queue, errors, next retry) and exit"), NULL },
  { "export-csv", 0, 0, G_OPTION_ARG_FILENAME, &opt_export_csv,
    N_("Write every response to FILE as CSV (“-” for standard output) and exit"), N_("FILE") },
  { "hash-pin", 0, 0, G_OPTION_ARG_NONE, &opt_hash_pin,
    N_("Read an admin PIN and print the pin-hash line for [admin] in the configuration"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version,
    N_("Print the version and exit"), NULL },
  { NULL }
};

static void
setup_i18n (void)
{
  const char *locale = setlocale (LC_ALL, "");

  /* LANGUAGE is ignored under the plain C locale; C.UTF-8 honours it. */
  if (locale == NULL || g_str_equal (locale, "C") || g_str_equal (locale, "POSIX"))
    setlocale (LC_ALL, "C.UTF-8");

  /* GTK would set the locale again from the environment (back to plain C when LANG is unset,
   * where LANGUAGE stops working): the locale chosen here stands. */
  gtk_disable_setlocale ();

  /* The visitor's language is switched at run time by changing LANGUAGE. Changing the value of
   * a variable that exists is safe once threads run; adding one is not, so it exists from the
   * start (empty means unset to gettext). */
  g_setenv ("LANGUAGE", g_getenv ("LANGUAGE") ? g_getenv ("LANGUAGE") : "", FALSE);

  bindtextdomain (GETTEXT_PACKAGE, kiosk_localedir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/* The configured language, before anything is translated. */
static void
apply_configured_language (KioskConfig *config)
{
  const char *tag = kiosk_config_get_language (config);

  if (tag != NULL)
    kiosk_gettext_set_language (tag);
}

static KioskConfig *
load_config (GError **error)
{
  if (opt_config != NULL)
    return kiosk_config_new_from_file (opt_config, error);

  if (g_file_test (SYSCONF_CONFIG_FILE, G_FILE_TEST_EXISTS))
    return kiosk_config_new_from_file (SYSCONF_CONFIG_FILE, error);

  return kiosk_config_new_default ();
}

static int
check_config (KioskConfig *config)
{
  g_autofree char *db = kiosk_config_dup_database_path (config);
  const char *path = kiosk_config_get_path (config);

  if (path != NULL)
    g_print (_("%s: the configuration is valid\n"), path);
  else
    g_print (_("No configuration file (%s): built-in defaults are used\n"), SYSCONF_CONFIG_FILE);

  g_print ("  device-id          %s\n", kiosk_config_get_device_id (config));
  g_print ("  thank-you-seconds  %g\n", kiosk_config_get_thank_you_ms (config) / 1000.0);
  g_print ("  misuse-interval    %g\n", kiosk_config_get_misuse_interval_ms (config) / 1000.0);
  g_print ("  state-directory    %s\n", kiosk_config_get_state_directory (config));
  g_print ("  language           %s\n",
           kiosk_config_get_language (config) ? kiosk_config_get_language (config)
                                              /* Translators: no language configured */
                                              : _("(from the system locale)"));
  g_print ("  database           %s\n", db);

  return EXIT_SUCCESS;
}

/* Needs no configuration: IT staff check a survey before they install it. */
static int
check_survey (const char *path)
{
  g_autoptr(KioskSurvey) survey = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  g_auto(GStrv) warnings = NULL;

  survey = kiosk_survey_new_from_file (path, &error);
  if (survey == NULL)
    {
      g_printerr ("%s\n", error->message);
      return EXIT_CONFIG;
    }

  summary = kiosk_survey_describe (survey);
  g_print (_("%s: the survey is valid\n"), path);
  g_print ("%s", summary);
  warnings = kiosk_survey_dup_warnings (survey);
  for (guint i = 0; warnings[i]; i++)
    /* Translators: the first %s is the survey file, the second what is wrong with it */
    g_printerr (_("%s: warning: %s\n"), path, warnings[i]);

  return EXIT_SUCCESS;
}

static void
local_day_bounds (gint64 *start_us,
                  gint64 *end_us)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (now),
                                                         g_date_time_get_month (now),
                                                         g_date_time_get_day_of_month (now),
                                                         0, 0, 0);
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (midnight, 1);

  *start_us = g_date_time_to_unix (midnight) * G_USEC_PER_SEC;
  *end_us = g_date_time_to_unix (tomorrow) * G_USEC_PER_SEC;
}

static int
print_stats (KioskConfig *config)
{
  g_autofree char *db = kiosk_config_dup_database_path (config);
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) incidents = NULL;
  KioskFaceCounts today, all;
  gint64 start, end;

  kiosk_face_counts_clear (&today);
  kiosk_face_counts_clear (&all);

  /* A kiosk that has recorded nothing yet has no database: its figures are zeros, as --status
   * reports an empty queue. */
  if (g_file_test (db, G_FILE_TEST_EXISTS))
    {
      store = kiosk_store_open (db, KIOSK_STORE_OPEN_READ_ONLY, &error);
      if (store == NULL)
        {
          g_printerr ("smiley-kiosk: %s\n", error->message);
          return EXIT_FAILURE;
        }

      local_day_bounds (&start, &end);
      if (!kiosk_store_count_faces (store, start, end, &today, &error) ||
          !kiosk_store_count_faces (store, G_MININT64, G_MAXINT64, &all, &error))
        {
          g_printerr ("smiley-kiosk: %s\n", error->message);
          return EXIT_FAILURE;
        }
    }

  {
    g_autofree char *t = kiosk_face_counts_format (&today, _("Today"));
    g_autofree char *a = kiosk_face_counts_format (&all, _("All time"));

    g_print ("%s\n%s", t, a);
  }

  if (store != NULL)
    incidents = kiosk_store_list_incidents (store, 5, NULL);
  if (incidents != NULL && incidents->len > 0)
    {
      g_print ("\n%s\n", _("Storage incidents (newest first)"));
      for (guint i = 0; i < incidents->len; i++)
        g_print ("  %s\n", (const char *) g_ptr_array_index (incidents, i));
    }

  return EXIT_SUCCESS;
}

static int
export_csv (KioskConfig *config,
            const char  *target)
{
  g_autofree char *db = kiosk_config_dup_database_path (config);
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) stream = NULL;
  g_autoptr(GFile) file = NULL;
  guint64 rows = 0;

  store = kiosk_store_open (db, KIOSK_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    {
      g_printerr ("smiley-kiosk: %s\n", error->message);
      return EXIT_FAILURE;
    }

  if (g_str_equal (target, "-"))
    stream = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  else
    {
      file = g_file_new_for_commandline_arg (target);
      /* Replaced atomically: a half-written export never stands under the final name. */
      stream = G_OUTPUT_STREAM (g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL,
                                                &error));
    }

  if (stream == NULL ||
      !kiosk_export_csv_write (store, stream, &rows, &error) ||
      !g_output_stream_close (stream, NULL, &error))
    {
      g_printerr ("smiley-kiosk: %s: %s\n", target, error->message);
      return EXIT_FAILURE;
    }

  if (file != NULL)
    g_printerr (g_dngettext (GETTEXT_PACKAGE, "Wrote %lu response to %s\n",
                             "Wrote %lu responses to %s\n", (gulong) rows),
                (gulong) rows, target);

  return EXIT_SUCCESS;
}

/* Read-only, from the database and its sync state: safe while the kiosk runs, no display. */
static int
print_status (KioskConfig *config)
{
  g_autoptr(KioskSyncStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  status = kiosk_sync_status_load (config, &error);
  if (status == NULL)
    {
      g_printerr ("smiley-kiosk: %s\n", error->message);
      return EXIT_FAILURE;
    }

  text = kiosk_sync_status_format (status);
  g_print ("%s", text);
  return EXIT_SUCCESS;
}

/* Twice from a terminal; once from a pipe ("echo 2468 | smiley-kiosk --hash-pin"). */
static int
hash_pin (void)
{
  g_autoptr(GString) problem = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *hash = NULL;

  if (isatty (STDIN_FILENO))
    {
      g_autofree char *again = NULL;

      pin = kiosk_tty_prompt_hidden (_("Admin PIN (4 to 12 digits): "));
      if (pin != NULL && kiosk_pin_is_acceptable (pin, problem))
        {
          again = kiosk_tty_prompt_hidden (_("The same PIN again: "));
          if (g_strcmp0 (pin, again) != 0)
            {
              g_printerr (_("smiley-kiosk: the two PINs differ; nothing was changed\n"));
              return EXIT_FAILURE;
            }
        }
    }
  else
    pin = kiosk_tty_read_line (stdin);

  if (pin == NULL)
    {
      g_printerr (_("smiley-kiosk: no PIN was given\n"));
      return EXIT_FAILURE;
    }

  /* From a terminal it was checked before asking again. The text is the core's own, as in the
   * configuration's messages. */
  if (problem->len == 0)
    kiosk_pin_is_acceptable (pin, problem);
  if (problem->len > 0)
    {
      g_printerr ("smiley-kiosk: %s\n", problem->str);
      return EXIT_FAILURE;
    }

  hash = kiosk_pin_hash (pin, &error);
  if (hash == NULL)
    {
      g_printerr ("smiley-kiosk: %s\n", error->message);
      return EXIT_FAILURE;
    }

  /* Ready to paste under [admin] in kiosk.conf. */
  g_print ("pin-hash=%s\n", hash);
  return EXIT_SUCCESS;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskSurvey) survey = NULL;
  g_autoptr(KioskApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  char *app_argv[] = { argv[0], NULL };

  setup_i18n ();

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("A four-face customer feedback kiosk."));
  {
    g_autofree char *description =
      /* Translators: %s is the path of the system-wide configuration file */
      g_strdup_printf (_("Without --config, the configuration is read from %s if it exists; "
                         "otherwise built-in defaults are used."), SYSCONF_CONFIG_FILE);

    g_option_context_set_description (context, description);
  }
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("smiley-kiosk: %s\n", error->message);
      return EXIT_CONFIG;
    }

  if (opt_version)
    {
      g_print ("smiley-kiosk %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if (opt_check_survey != NULL)
    return check_survey (opt_check_survey);

  /* Needs no configuration either: the line goes into one. */
  if (opt_hash_pin)
    return hash_pin ();

  config = load_config (&error);
  if (config == NULL)
    {
      g_printerr ("%s\n", error->message);
      return EXIT_CONFIG;
    }

  if (opt_check_config)
    return check_config (config);
  if (opt_stats)
    return print_stats (config);
  if (opt_status)
    return print_status (config);
  if (opt_export_csv != NULL)
    return export_csv (config, opt_export_csv);

  apply_configured_language (config);

  /* No inspector in a kiosk, whatever the environment asks for. */
  if (!opt_windowed)
    g_unsetenv ("GTK_DEBUG");

  /* Drawn with cairo, the kiosk needs no OpenGL; GDK would still load Mesa to probe for it and
   * keep it mapped: tens of MiB (26 to 44 MiB of PSS with llvmpipe here) for nothing. */
  if (g_strcmp0 (g_getenv ("GSK_RENDERER"), "cairo") == 0)
    {
      const char *debug = g_getenv ("GDK_DEBUG");
      g_autofree char *value = NULL;

      value = debug != NULL && *debug != '\0' ? g_strconcat (debug, ",gl-disable", NULL)
                                              : g_strdup ("gl-disable");
      g_setenv ("GDK_DEBUG", value, TRUE);
    }

  /* An invalid survey stops the kiosk like an invalid configuration: fix it, then start. */
  survey = kiosk_survey_new_for_config (config, &error);
  if (survey == NULL)
    {
      g_printerr ("%s\n", error->message);
      return EXIT_CONFIG;
    }

  /* With sync on, the survey the server assigned (saved by the uploader after validation)
   * is the one to show, also after a restart. */
  if (kiosk_config_get_cloud_url (config) != NULL)
    {
      g_autofree char *pulled = g_build_filename (kiosk_config_get_state_directory (config),
                                                  "survey.json", NULL);
      g_autoptr(GError) pulled_error = NULL;
      g_autoptr(KioskSurvey) from_server = NULL;

      if (g_file_test (pulled, G_FILE_TEST_EXISTS))
        {
          from_server = kiosk_survey_new_from_file (pulled, &pulled_error);
          if (from_server != NULL)
            g_set_object (&survey, from_server);
          else
            g_warning ("The saved survey from the server is not used: %s", pulled_error->message);
        }
    }

  app = kiosk_application_new (config, survey, opt_windowed);
  if (app == NULL)
    return EXIT_FAILURE;

  return g_application_run (G_APPLICATION (app), 1, app_argv);
}
