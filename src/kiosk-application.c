/* kiosk-application.c: the kiosk process: opens the store, builds the flow and shows the window.
 * Non-unique on purpose: a kiosk needs no session bus and must start without one. */
#define G_LOG_DOMAIN "kiosk-application"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <stdio.h>

#include "kiosk-application.h"
#include "kiosk-buttons.h"
#include "kiosk-notify.h"
#include "kiosk-schedule.h"
#include "kiosk-style.h"
#include "kiosk-uploader.h"
#include "kiosk-window.h"

/* Written by the packaging's first-boot import when the configuration on the boot partition
 * was refused; staff see it on screen. */
#define FIRST_BOOT_ERROR_FILE "/run/smiley-kiosk/first-boot-error"

struct _KioskApplication
{
  GtkApplication  parent_instance;

  /* owned */
  KioskConfig    *config;
  KioskFlow      *flow;
  KioskUploader  *uploader;           /* NULL when sync is off */
  KioskButtons   *buttons;            /* NULL without [buttons] devices */
  KioskSchedule  *schedule;           /* opening hours: the flow's "open" follows it */
  KioskNotify    *notify;             /* NULL unless started by systemd with Type=notify */
  char           *first_boot_error;

  gboolean        windowed;
  gboolean        report_first_frame;
  guint           sigterm_source;
  guint           sigint_source;
};

G_DEFINE_FINAL_TYPE (KioskApplication, kiosk_application, GTK_TYPE_APPLICATION)

const char *
kiosk_localedir (void)
{
  const char *dir = g_getenv ("SMILEY_KIOSK_LOCALEDIR");

  return dir && *dir ? dir : LOCALEDIR;
}

/* The first candidate we really have a translation for, as a BCP 47 tag: the language a
 * visitor actually sees, which is what a response records. English is the source language. */
char *
kiosk_pick_language (const char * const *candidates,
                     const char         *localedir)
{
  for (guint i = 0; candidates && candidates[i]; i++)
    {
      const char *name = candidates[i];
      g_autofree char *mo = NULL;

      if (g_str_equal (name, "C") || g_str_equal (name, "POSIX") || g_str_has_prefix (name, "C."))
        break;
      if (g_str_has_prefix (name, "en"))
        return kiosk_language_from_locale (name);

      mo = g_build_filename (localedir, name, "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
      if (g_file_test (mo, G_FILE_TEST_EXISTS))
        return kiosk_language_from_locale (name);
    }

  return g_strdup ("en");
}

static gboolean
quit_signal_cb (gpointer user_data)
{
  g_message ("Stopping on signal");
  g_application_quit (G_APPLICATION (user_data));

  return G_SOURCE_CONTINUE;
}

static void
after_first_paint_cb (GdkFrameClock    *clock,
                      KioskApplication *self)
{
  /* Read by tests/bench: the same clock as the benchmark's exec timestamp. */
  if (self->report_first_frame)
    {
      fprintf (stderr, "smiley-kiosk: first-frame %" G_GINT64_FORMAT "\n",
               g_get_monotonic_time ());
      fflush (stderr);
    }

  /* The survey is on screen: systemd may count the kiosk as started. */
  if (self->notify != NULL)
    kiosk_notify_ready (self->notify);

  g_signal_handlers_disconnect_by_func (clock, after_first_paint_cb, self);
}

static void
window_mapped_cb (GtkWidget        *widget,
                  KioskApplication *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  if (clock != NULL)
    g_signal_connect (clock, "after-paint", G_CALLBACK (after_first_paint_cb), self);
}

/* The one input path: a physical button is the same vote as a touch, so the screen (if there
 * is one) thanks the visitor as well. */
static void
button_pressed_cb (KioskButtons     *buttons,
                   int               face,
                   KioskApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL ||
      !gtk_widget_activate_action (GTK_WIDGET (window), "survey.vote", "(is)", face, "button"))
    g_warning ("A button press for face %d found no window to vote in", face);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
kiosk_application_startup (GApplication *application)
{
  KioskApplication *self = KIOSK_APPLICATION (application);

  G_APPLICATION_CLASS (kiosk_application_parent_class)->startup (application);

  kiosk_style_apply (gdk_display_get_default (), kiosk_config_get_high_contrast (self->config),
                     kiosk_config_get_text_scale (self->config));

  /* The kiosk runs without a window for a moment between windows; it must not exit then. */
  g_application_hold (application);

  self->sigterm_source = g_unix_signal_add (SIGTERM, quit_signal_cb, self);
  self->sigint_source = g_unix_signal_add (SIGINT, quit_signal_cb, self);

  /* "Quit app" on the admin screen; no key is bound to it. */
  {
    static const GActionEntry actions[] = { { "quit", quit_activated, NULL, NULL, NULL } };

    g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  }

  if (self->notify != NULL)
    kiosk_notify_start_watchdog (self->notify);

  if (self->uploader != NULL)
    {
      g_autoptr(GError) error = NULL;

      /* Offline is a supported way to run: the responses wait in the store. */
      if (!kiosk_uploader_start (self->uploader, &error))
        g_warning ("Sync off: %s", error->message);
    }
}

static void
kiosk_application_activate (GApplication *application)
{
  KioskApplication *self = KIOSK_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      window = GTK_WINDOW (kiosk_window_new (GTK_APPLICATION (self), self->flow, !self->windowed));
      kiosk_window_set_uploader (KIOSK_WINDOW (window), self->uploader);
      kiosk_window_set_buttons (KIOSK_WINDOW (window), self->buttons);
      kiosk_window_set_first_boot_error (KIOSK_WINDOW (window), self->first_boot_error);
      g_signal_connect (window, "map", G_CALLBACK (window_mapped_cb), self);
    }

  /* From now on a press has a window to vote in. */
  if (self->buttons != NULL)
    kiosk_buttons_start (self->buttons);

  gtk_window_present (window);
}

static void
kiosk_application_shutdown (GApplication *application)
{
  KioskApplication *self = KIOSK_APPLICATION (application);

  g_clear_handle_id (&self->sigterm_source, g_source_remove);
  g_clear_handle_id (&self->sigint_source, g_source_remove);

  if (self->notify != NULL)
    {
      kiosk_notify_stop_watchdog (self->notify);
      kiosk_notify_send (self->notify, "STOPPING=1", NULL);
    }

  /* Bounded (2 s): a request in flight is aborted; nothing unacknowledged is lost. */
  if (self->uploader != NULL)
    kiosk_uploader_stop (self->uploader);

  /* The window holds the flow. Without it, the flow goes when the application does and ends a
   * visit still on screen as "interrupted" then, instead of at the next start. */
  for (GList *windows; (windows = gtk_application_get_windows (GTK_APPLICATION (self)));)
    gtk_window_destroy (windows->data);

  G_APPLICATION_CLASS (kiosk_application_parent_class)->shutdown (application);
}

static void
kiosk_application_dispose (GObject *object)
{
  KioskApplication *self = KIOSK_APPLICATION (object);

  g_clear_object (&self->uploader);
  g_clear_object (&self->buttons);
  g_clear_object (&self->schedule);
  g_clear_object (&self->notify);
  g_clear_object (&self->flow);
  g_clear_object (&self->config);
  g_clear_pointer (&self->first_boot_error, g_free);

  G_OBJECT_CLASS (kiosk_application_parent_class)->dispose (object);
}

static void
kiosk_application_class_init (KioskApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = kiosk_application_dispose;
  app_class->startup = kiosk_application_startup;
  app_class->activate = kiosk_application_activate;
  app_class->shutdown = kiosk_application_shutdown;
}

static void
kiosk_application_init (KioskApplication *self)
{
  self->report_first_frame = g_getenv ("SMILEY_KIOSK_REPORT_FIRST_FRAME") != NULL;
}

/* Hook for the survey pulled from the cloud (issue 3 + 4): the integrator connects this to
 * kiosk_survey_new_from_data() and kiosk_flow_set_survey() (a swap takes effect when the flow is
 * idle), and sets the same parsing as the uploader's validator. Until then it only logs. */
static void
kiosk_application_survey_updated_cb (KioskUploader    *uploader,
                                     const char       *path,
                                     KioskApplication *self)
{
  g_autoptr(KioskSurvey) survey = NULL;
  g_autoptr(GError) error = NULL;

  survey = kiosk_survey_new_from_file (path, &error);
  if (survey == NULL)
    {
      g_warning ("The survey from the server cannot be used: %s", error->message);
      return;
    }

  g_message ("New survey “%s” version %d from the server; it is shown from the next idle "
             "moment", kiosk_survey_get_id (survey), kiosk_survey_get_version (survey));
  kiosk_flow_set_survey (self->flow, survey);
  kiosk_uploader_set_survey_info (uploader, kiosk_survey_get_id (survey),
                                  kiosk_survey_get_version (survey));
}

/* Runs on the uploader's thread: parses only, touches nothing else. A survey that fails here
 * is never saved, and the status says why. */
static gboolean
validate_survey_cb (GBytes    *data,
                    gpointer   user_data,
                    GError   **error)
{
  g_autoptr(KioskSurvey) survey = NULL;
  gsize length = 0;
  const char *text = g_bytes_get_data (data, &length);

  survey = kiosk_survey_new_from_data (text, length, "survey from the server", error);
  return survey != NULL;
}

/* The heartbeat reports the storage's health and the buttons; the uploader's thread cannot ask
 * the store or the buttons, which belong to this one, so it is told whenever they change. */
static void
storage_health_cb (KioskStore    *store,
                   GParamSpec    *pspec,
                   KioskUploader *uploader)
{
  kiosk_uploader_set_storage_health (uploader, kiosk_store_get_health (store));
}

static void
buttons_connected_cb (KioskButtons     *buttons,
                      GParamSpec       *pspec,
                      KioskApplication *self)
{
  const char * const *devices = kiosk_config_get_button_devices (self->config);

  if (self->uploader == NULL)   /* shutting down */
    return;
  kiosk_uploader_set_buttons (self->uploader, g_strv_length ((char **) devices),
                              kiosk_buttons_get_connected (buttons));
}

/* Sync is on when the configuration has a [cloud] url; the thread starts with the application. */
static void
kiosk_application_set_up_sync (KioskApplication *self,
                               KioskStore       *store,
                               KioskSurvey      *survey,
                               const char       *db_path)
{
  g_autoptr(GError) error = NULL;

  if (kiosk_config_get_cloud_url (self->config) == NULL)
    {
      g_message ("Sync off: no [cloud] url in the configuration");
      return;
    }

  self->uploader = kiosk_uploader_new (self->config, db_path, &error);
  if (self->uploader == NULL)
    {
      g_warning ("Sync off: %s", error->message);
      return;
    }

  kiosk_uploader_set_survey_info (self->uploader, kiosk_survey_get_id (survey),
                                  kiosk_survey_get_version (survey));
  kiosk_uploader_set_survey_validator (self->uploader, validate_survey_cb, NULL, NULL);
  g_signal_connect (self->uploader, "survey-updated",
                    G_CALLBACK (kiosk_application_survey_updated_cb), self);
  /* A committed response whose visit ended wakes the uploader (it debounces bursts). */
  g_signal_connect_object (store, "eligible-written", G_CALLBACK (kiosk_uploader_wake),
                           self->uploader, G_CONNECT_SWAPPED);
  storage_health_cb (store, NULL, self->uploader);
  g_signal_connect_object (store, "notify::health", G_CALLBACK (storage_health_cb),
                           self->uploader, 0);
  /* No [buttons] devices: 0 of 0, until kiosk_application_set_up_buttons() finds some. */
  kiosk_uploader_set_buttons (self->uploader, 0, 0);
}

/* Physical buttons, when [buttons] names devices: a missing device is logged, not fatal. */
static void
kiosk_application_set_up_buttons (KioskApplication *self)
{
  const char * const *devices = kiosk_config_get_button_devices (self->config);

  if (devices == NULL || devices[0] == NULL)
    return;

  self->buttons = kiosk_buttons_new (self->config);
  g_signal_connect (self->buttons, "pressed", G_CALLBACK (button_pressed_cb), self);
  if (self->uploader != NULL)
    {
      buttons_connected_cb (self->buttons, NULL, self);
      g_signal_connect (self->buttons, "notify::connected", G_CALLBACK (buttons_connected_cb),
                        self);
    }
}

static char *
read_first_boot_error (void)
{
  g_autofree char *text = NULL;
  g_autofree char *valid = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  if (!g_file_get_contents (FIRST_BOOT_ERROR_FILE, &text, &length, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_warning ("%s", error->message);
      return NULL;
    }

  /* For a screen: valid UTF-8, not endless. */
  if (length > 4096)
    text[4096] = '\0';
  valid = g_utf8_make_valid (g_strstrip (text), -1);
  if (*valid == '\0')
    return NULL;

  g_warning ("The configuration on the boot partition was not installed: %s", valid);
  return g_steal_pointer (&valid);
}

/**
 * kiosk_application_new:
 * @survey: the survey to show (validated: see kiosk_survey_new_for_config())
 *
 * Opens the response store of @config. Returns %NULL (after printing why) only when the store
 * must not be touched (a database from a newer version); a full or read-only disk does not
 * stop the kiosk.
 */
KioskApplication *
kiosk_application_new (KioskConfig *config,
                       KioskSurvey *survey,
                       gboolean     windowed)
{
  g_autoptr(KioskApplication) self = NULL;
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(KioskClock) clock = kiosk_clock_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = kiosk_config_dup_database_path (config);

  store = kiosk_store_open (db_path, KIOSK_STORE_OPEN_KEEP_GOING, &error);
  if (store == NULL)
    {
      g_printerr ("smiley-kiosk: %s\n", error->message);
      return NULL;
    }

  self = g_object_new (KIOSK_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       NULL);
  self->config = g_object_ref (config);
  self->windowed = windowed;
  self->flow = kiosk_flow_new (config, store, clock, survey);
  kiosk_application_set_up_sync (self, store, survey, db_path);
  kiosk_application_set_up_buttons (self);

  /* Outside opening hours the flow records nothing; one timer waits for the next change. */
  self->schedule = kiosk_schedule_new (kiosk_config_get_hours (config), clock);
  g_object_bind_property (self->schedule, "open", self->flow, "open", G_BINDING_SYNC_CREATE);

  self->notify = kiosk_notify_new_from_environment ();
  self->first_boot_error = read_first_boot_error ();

  /* The survey's default language, or the configured one when the survey offers it. */
  g_message ("Recording to %s as device %s, survey %s version %d, language %s", db_path,
             kiosk_config_get_device_id (config), kiosk_survey_get_id (survey),
             kiosk_survey_get_version (survey), kiosk_flow_get_default_language (self->flow));

  return g_steal_pointer (&self);
}

KioskFlow *
kiosk_application_get_flow (KioskApplication *self)
{
  g_return_val_if_fail (KIOSK_IS_APPLICATION (self), NULL);

  return self->flow;
}

/* For the status screen: kiosk_uploader_dup_status() and "status-changed". NULL when sync is
 * off. */
KioskUploader *
kiosk_application_get_uploader (KioskApplication *self)
{
  g_return_val_if_fail (KIOSK_IS_APPLICATION (self), NULL);

  return self->uploader;
}

/* The physical buttons (NULL when none are configured). */
KioskButtons *
kiosk_application_get_buttons (KioskApplication *self)
{
  g_return_val_if_fail (KIOSK_IS_APPLICATION (self), NULL);

  return self->buttons;
}
