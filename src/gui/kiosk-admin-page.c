/* kiosk-admin-page.c: what staff need to see that a kiosk is healthy, without a laptop: the
 * device, storage, sync and clock, the buttons, today's figures and a chart of responses per hour;
 * and what they need to do: sync now, export CSV to a USB stick, leave, quit. Every figure is read
 * when the page opens, on every change the core reports, and every few seconds while shown. */
#define G_LOG_DOMAIN "kiosk-admin-page"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "kiosk-admin-page.h"
#include "kiosk-day-figures.h"
#include "kiosk-export.h"
#include "kiosk-hour-chart.h"
#include "kiosk-page-layout.h"

#define REFRESH_SECONDS 5

struct _KioskAdminPage
{
  GtkWidget       parent_instance;

  /* template widgets */
  GtkLabel       *first_boot_label;
  GtkBox         *columns;
  GtkGrid        *device_grid;
  GtkGrid        *sync_grid;
  GtkGrid        *today_grid;
  KioskHourChart *chart;
  GtkWidget      *export_box;
  GtkLabel       *export_label;
  GtkProgressBar *export_progress;
  GtkWidget      *actions;
  GtkWidget      *quit_confirm;

  /* owned */
  KioskUploader  *uploader;         /* NULL when sync is off */
  KioskButtons   *buttons;          /* NULL when no buttons are configured */
  GHashTable     *values;           /* row id -> GtkLabel (borrowed) */
  GCancellable   *reading;          /* the figures being read; NULL when none */
  guint           refresh_source;

  gboolean        read_again;

  gboolean        exporting;
};

enum {
  PROP_EXPORTING = KIOSK_PAGE_PROP_FLOW + 1,
  PROP_READING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE_WITH_CODE (KioskAdminPage, kiosk_admin_page, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (KIOSK_TYPE_PAGE, NULL))

/* --- Rows ------------------------------------------------------------------------------- */

static void
add_title (GtkGrid    *grid,
           const char *title)
{
  GtkWidget *label = gtk_label_new (title);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "admin-section-title");
  gtk_grid_attach (grid, label, 0, 0, 2, 1);
}

/* A key and its value; @swatch_face >= 0 puts the face's colour before the key. */
static void
add_row (KioskAdminPage *self,
         GtkGrid        *grid,
         const char     *id,
         const char     *key,
         int             swatch_face,
         int             lines)
{
  GtkWidget *key_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *key_label = gtk_label_new (key);
  /* Until the first reading is there. */
  GtkWidget *value = gtk_label_new ("—");
  int row = 1;

  /* Under the section's title, after the rows already there. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (grid)); child;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_row;

      gtk_grid_query_child (grid, child, NULL, &child_row, NULL, NULL);
      row = MAX (row, child_row + 1);
    }

  if (swatch_face >= 0)
    {
      GtkWidget *swatch = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      g_autofree char *face_class = g_strdup_printf ("face-%d", swatch_face);

      gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (swatch, "swatch");
      gtk_widget_add_css_class (swatch, face_class);
      gtk_box_append (GTK_BOX (key_box), swatch);
    }

  gtk_label_set_xalign (GTK_LABEL (key_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (key_label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (key_label, "admin-key");
  gtk_box_append (GTK_BOX (key_box), key_label);
  gtk_widget_set_valign (key_box, GTK_ALIGN_START);
  gtk_grid_attach (grid, key_box, 0, row, 1, 1);

  gtk_label_set_xalign (GTK_LABEL (value), 0);
  gtk_label_set_wrap (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (value), lines);
  gtk_label_set_ellipsize (GTK_LABEL (value), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (value, TRUE);
  gtk_widget_add_css_class (value, "admin-value");
  gtk_grid_attach (grid, value, 1, row, 1, 1);

  g_hash_table_insert (self->values, (gpointer) id, value);
}

static void
set_value (KioskAdminPage *self,
           const char     *id,
           const char     *text)
{
  GtkLabel *label = g_hash_table_lookup (self->values, id);

  g_return_if_fail (label != NULL);
  gtk_label_set_label (label, text);
}

static void
set_value_warning (KioskAdminPage *self,
                   const char     *id,
                   gboolean        warning)
{
  GtkWidget *label = g_hash_table_lookup (self->values, id);

  if (warning)
    gtk_widget_add_css_class (label, "warning");
  else
    gtk_widget_remove_css_class (label, "warning");
}

static void
build_rows (KioskAdminPage *self)
{
  add_title (self->device_grid, C_("admin section", "Device"));
  /* Translators: admin screen, the kiosk's device id */
  add_row (self, self->device_grid, "device", _("Device id"), -1, 1);
  /* Translators: admin screen, the program's version */
  add_row (self, self->device_grid, "version", _("Version"), -1, 1);
  /* Translators: admin screen, the survey on screen: its id and version */
  add_row (self, self->device_grid, "survey", _("Survey"), -1, 1);
  /* Translators: admin screen, the health of the response database */
  add_row (self, self->device_grid, "storage", _("Storage"), -1, 2);
  /* Translators: admin screen, whether the system clock is synchronised */
  add_row (self, self->device_grid, "clock", _("Clock"), -1, 1);
  /* Translators: admin screen, the physical buttons, one line per device */
  add_row (self, self->device_grid, "buttons", _("Buttons"), -1, 3);

  add_title (self->sync_grid, C_("admin section", "Sync"));
  /* Translators: admin screen, what background sync is doing */
  add_row (self, self->sync_grid, "sync", _("State"), -1, 2);
  /* Translators: admin screen, responses waiting to be sent */
  add_row (self, self->sync_grid, "queue", _("Queue"), -1, 1);
  /* Translators: admin screen, the age of the oldest response waiting to be sent */
  add_row (self, self->sync_grid, "oldest", _("Oldest pending"), -1, 1);
  /* Translators: admin screen, responses the server refused, kept aside */
  add_row (self, self->sync_grid, "dead-letters", _("Dead letters"), -1, 1);
  /* Translators: admin screen, when responses were last delivered */
  add_row (self, self->sync_grid, "last-upload", _("Last upload"), -1, 1);
  /* Translators: admin screen, the last sync error */
  add_row (self, self->sync_grid, "last-error", _("Last error"), -1, 2);
  /* Translators: admin screen, when sync tries again */
  add_row (self, self->sync_grid, "next-retry", _("Next retry"), -1, 1);

  add_title (self->today_grid, C_("admin section", "Today"));
  add_row (self, self->today_grid, "face-3", C_("face", "Very happy"), 3, 1);
  add_row (self, self->today_grid, "face-2", C_("face", "Happy"), 2, 1);
  add_row (self, self->today_grid, "face-1", C_("face", "Unhappy"), 1, 1);
  add_row (self, self->today_grid, "face-0", C_("face", "Very unhappy"), 0, 1);
  /* Translators: admin screen, today's responses flagged as misuse (presses in quick
   * succession) */
  add_row (self, self->today_grid, "misuse", _("Misuse"), -1, 1);
  add_row (self, self->today_grid, "happy-index", _("Happy Index"), -1, 1);
  /* Translators: admin screen, presses outside opening hours since the kiosk started */
  add_row (self, self->today_grid, "ignored", _("Ignored while closed"), -1, 1);
}

/* --- Formatting --------------------------------------------------------------------------- */

static char *
format_duration (gint64 seconds)
{
  if (seconds < 60)
    /* Translators: a duration in seconds, on the admin screen */
    return g_strdup_printf (_("%d s"), (int) seconds);
  if (seconds < 3600)
    /* Translators: a duration in minutes, on the admin screen */
    return g_strdup_printf (_("%d min"), (int) (seconds / 60));
  if (seconds < 86400)
    /* Translators: a duration in hours and minutes, on the admin screen */
    return g_strdup_printf (_("%d h %d min"), (int) (seconds / 3600),
                            (int) (seconds % 3600 / 60));
  /* Translators: a duration in days and hours, on the admin screen */
  return g_strdup_printf (_("%d d %d h"), (int) (seconds / 86400), (int) (seconds % 86400 / 3600));
}

/* RFC 3339 -> local time; the date only when it is not today. */
static char *
format_timestamp (const char *rfc3339)
{
  g_autoptr(GDateTime) parsed = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (rfc3339 == NULL)
    return NULL;

  parsed = g_date_time_new_from_iso8601 (rfc3339, NULL);
  if (parsed == NULL)
    return g_strdup (rfc3339);

  local = g_date_time_to_local (parsed);
  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    return g_date_time_format (local, "%H:%M:%S");

  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static const char *
sync_state_text (KioskSyncState state)
{
  switch (state)
    {
    case KIOSK_SYNC_OFF:
      /* Translators: admin screen, sync state: no [cloud] url is configured */
      return _("Off (no cloud configured)");
    case KIOSK_SYNC_STARTING:
      /* Translators: admin screen, sync state */
      return _("Starting");
    case KIOSK_SYNC_IDLE:
      /* Translators: admin screen, sync state: nothing to send */
      return _("Up to date");
    case KIOSK_SYNC_SENDING:
      /* Translators: admin screen, sync state */
      return _("Sending");
    case KIOSK_SYNC_BACKOFF:
      /* Translators: admin screen, sync state: a failure that will pass */
      return _("Waiting to retry");
    case KIOSK_SYNC_PAUSED:
      /* Translators: admin screen, sync state: 401/403/404 or a bad token file */
      return _("Paused: check the configuration");
    case KIOSK_SYNC_RETIRED:
      /* Translators: admin screen, sync state: the server answered 410 Gone */
      return _("Retired by the server");
    case KIOSK_SYNC_STOPPED:
    default:
      /* Translators: admin screen, sync state */
      return _("Stopped");
    }
}

/* --- Refresh ------------------------------------------------------------------------------ */

static void
refresh_device (KioskAdminPage *self)
{
  KioskConfig *config = kiosk_flow_get_config (KIOSK_PAGE_FLOW (self));
  KioskSurvey *survey = kiosk_flow_get_survey (KIOSK_PAGE_FLOW (self));
  KioskStore *store = kiosk_flow_get_store (KIOSK_PAGE_FLOW (self));
  const char *message = kiosk_store_get_health_message (store);
  g_autofree char *survey_text = NULL;
  g_autofree char *storage = NULL;
  const char *health;

  set_value (self, "device", kiosk_config_get_device_id (config));
  set_value (self, "version", PACKAGE_VERSION);
  /* Translators: admin screen: a survey's id and its version number */
  survey_text = g_strdup_printf (_("%s, version %d"), kiosk_survey_get_id (survey),
                                 kiosk_survey_get_version (survey));
  set_value (self, "survey", survey_text);

  switch (kiosk_store_get_health (store))
    {
    case KIOSK_STORAGE_FAILING:
      /* Translators: admin screen, storage health */
      health = _("Failing: responses are held in memory");
      break;
    case KIOSK_STORAGE_RECOVERED:
      /* Translators: admin screen, storage health */
      health = _("Recovered: a damaged database was set aside");
      break;
    case KIOSK_STORAGE_OK:
    default:
      /* Translators: admin screen, storage health */
      health = _("OK");
      break;
    }
  if (message != NULL)
    {
      const char *path = kiosk_store_get_path (store);
      gsize length = strlen (path);

      /* The reason first: the database's path, the same on every kiosk, is what the row's
       * two lines may cut off. */
      if (g_str_has_prefix (message, path) && g_str_has_prefix (message + length, ": "))
        storage = g_strdup_printf ("%s — %s — %s", health, message + length + 2, path);
      else
        storage = g_strdup_printf ("%s — %s", health, message);
    }
  else
    storage = g_strdup (health);
  set_value (self, "storage", storage);
  set_value_warning (self, "storage", kiosk_store_get_health (store) != KIOSK_STORAGE_OK);

  if (self->buttons != NULL)
    {
      g_auto(GStrv) lines = kiosk_buttons_dup_status (self->buttons);
      g_autofree char *text = g_strjoinv ("\n", lines);

      set_value (self, "buttons", text);
      set_value_warning (self, "buttons",
                         kiosk_buttons_get_connected (self->buttons) < g_strv_length (lines));
    }
  else
    /* Translators: admin screen: no [buttons] devices in the configuration */
    set_value (self, "buttons", _("None configured"));
}

static void
show_sync (KioskAdminPage        *self,
           const KioskSyncStatus *status,
           const GError          *error)
{
  g_autofree char *queue = NULL;
  g_autofree char *oldest = NULL;
  g_autofree char *dead = NULL;
  g_autofree char *last_upload = NULL;
  g_autofree char *next_retry = NULL;
  gboolean clock_synced;

  if (status == NULL)
    {
      set_value (self, "sync", error ? error->message : "");
      set_value_warning (self, "sync", TRUE);
      clock_synced = kiosk_system_clock_synced ();
    }
  else
    {
      set_value (self, "sync", sync_state_text (status->state));
      set_value_warning (self, "sync", status->state == KIOSK_SYNC_PAUSED ||
                                       status->state == KIOSK_SYNC_RETIRED ||
                                       status->state == KIOSK_SYNC_BACKOFF);
      queue = g_strdup_printf ("%" G_GINT64_FORMAT, status->queue_depth);
      oldest = status->oldest_pending_age_s >= 0 ? format_duration (status->oldest_pending_age_s)
                                                 : g_strdup ("—");
      dead = status->dropped > 0
        /* Translators: admin screen: dead letters, then responses dropped unsent because the
         * queue reached its bound */
        ? g_strdup_printf (_("%lld (and %lld dropped: queue full)"),
                           (long long) status->dead_letters, (long long) status->dropped)
        : g_strdup_printf ("%" G_GINT64_FORMAT, status->dead_letters);
      last_upload = format_timestamp (status->last_success);
      if (status->next_retry_in_ms >= 0)
        {
          g_autofree char *in = format_duration ((status->next_retry_in_ms + 999) / 1000);

          /* Translators: admin screen: when sync tries again; %s is a duration such as 2 min */
          next_retry = g_strdup_printf (_("in %s"), in);
        }
      clock_synced = status->clock_synced;
    }

  set_value (self, "queue", queue ? queue : "—");
  set_value (self, "oldest", oldest ? oldest : "—");
  set_value (self, "dead-letters", dead ? dead : "—");
  set_value_warning (self, "dead-letters",
                     status && (status->dead_letters > 0 || status->dropped > 0));
  /* Translators: admin screen: responses were never delivered */
  set_value (self, "last-upload", last_upload ? last_upload : C_("last upload", "Never"));
  /* Translators: admin screen: no sync error */
  set_value (self, "last-error", status && status->last_error ? status->last_error
                                                             : C_("last error", "None"));
  set_value_warning (self, "last-error", status && status->last_error);
  set_value (self, "next-retry", next_retry ? next_retry : "—");

  set_value (self, "clock", clock_synced ? _("Synchronised")
                                         /* Translators: admin screen: times recorded now are
                                          * corrected once the clock is synchronised */
                                         : _("Not synchronised yet"));
  set_value_warning (self, "clock", !clock_synced);
}

/* With sync on the uploader knows its status (in memory); with sync off the outbox is read with
 * the day's figures, off the main thread. */
static void
refresh_sync (KioskAdminPage *self)
{
  g_autoptr(KioskSyncStatus) status = NULL;

  if (self->uploader == NULL)
    return;

  status = kiosk_uploader_dup_status (self->uploader);
  show_sync (self, status, NULL);
}

static void
show_today (KioskAdminPage        *self,
            const KioskDayFigures *figures)
{
  guint64 hours[24][KIOSK_HOUR_CHART_FACES] = { { 0 } };
  g_autofree char *misuse = NULL;
  g_autofree char *ignored = NULL;
  g_autofree char *happy = NULL;
  double index;

  if (!figures->counted)
    {
      g_warning ("Admin screen: %s", figures->count_error->message);
      return;
    }

  for (int hour = 0; hour < 24; hour++)
    for (int face = 0; face < KIOSK_HOUR_CHART_FACES; face++)
      hours[hour][face] = figures->hours[hour][face];
  kiosk_hour_chart_set_counts (self->chart, (const guint64 (*)[KIOSK_HOUR_CHART_FACES]) hours);

  for (int face = 0; face < KIOSK_HOUR_CHART_FACES; face++)
    {
      g_autofree char *id = g_strdup_printf ("face-%d", face);
      g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, figures->day.faces[face]);

      set_value (self, id, text);
    }

  misuse = g_strdup_printf ("%" G_GUINT64_FORMAT, figures->day.misuse);
  ignored = g_strdup_printf ("%" G_GUINT64_FORMAT,
                             kiosk_flow_get_ignored (KIOSK_PAGE_FLOW (self)));
  if (kiosk_happy_index (&figures->day, &index))
    happy = g_strdup_printf ("%.0f", index);

  set_value (self, "misuse", misuse);
  set_value (self, "happy-index", happy ? happy : "—");
  set_value (self, "ignored", ignored);
}

static void
set_reading (KioskAdminPage *self,
             GCancellable   *reading)
{
  if (g_set_object (&self->reading, reading))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READING]);
}

static void read_figures (KioskAdminPage *self);

static void
figures_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(KioskDayFigures) figures = NULL;
  g_autoptr(GError) error = NULL;
  KioskAdminPage *self;

  /* Cancelled when the page was disposed: @user_data may be gone. */
  figures = kiosk_day_figures_read_finish (result, &error);
  if (figures == NULL)
    return;

  self = KIOSK_ADMIN_PAGE (user_data);
  if (self->uploader == NULL)
    show_sync (self, figures->sync_status, figures->sync_error);
  /* Not counted here while storage failed: see read_figures(). */
  if (figures->counted || figures->count_error != NULL)
    show_today (self, figures);
  set_reading (self, NULL);

  if (self->read_again)
    {
      self->read_again = FALSE;
      read_figures (self);
    }
}

/* Today's figures, and the outbox's status while sync is off, read on a worker thread: the page
 * shows what it showed before until they are there. One reading at a time; a change meanwhile
 * asks for one more. */
static void
read_figures (KioskAdminPage *self)
{
  KioskStore *store = kiosk_flow_get_store (KIOSK_PAGE_FLOW (self));
  g_autoptr(GCancellable) reading = NULL;
  gboolean holding = kiosk_store_get_unwritten (store) > 0;

  if (self->reading != NULL)
    {
      self->read_again = TRUE;
      return;
    }

  /* While storage fails, the responses held in memory count too, and only the kiosk's own store
   * has them; its database is then mostly out of reach anyway. */
  if (holding)
    {
      g_autoptr(KioskDayFigures) held = g_new0 (KioskDayFigures, 1);

      kiosk_day_figures_count (held, store, &held->count_error);
      show_today (self, held);
    }

  reading = g_cancellable_new ();
  set_reading (self, reading);
  kiosk_day_figures_read_async (holding ? NULL : kiosk_store_get_path (store),
                                self->uploader ? NULL
                                               : kiosk_flow_get_config (KIOSK_PAGE_FLOW (self)),
                                reading, figures_read_cb, self);
}

void
kiosk_admin_page_refresh (KioskAdminPage *self)
{
  g_return_if_fail (KIOSK_IS_ADMIN_PAGE (self));

  refresh_device (self);
  refresh_sync (self);
  read_figures (self);
}

static gboolean
refresh_cb (gpointer user_data)
{
  kiosk_admin_page_refresh (user_data);
  return G_SOURCE_CONTINUE;
}

/* Returns: %TRUE while the figures are being read (for tests) */
gboolean
kiosk_admin_page_get_reading (KioskAdminPage *self)
{
  g_return_val_if_fail (KIOSK_IS_ADMIN_PAGE (self), FALSE);

  return self->reading != NULL;
}

/* --- Export ------------------------------------------------------------------------------- */

static void
set_exporting (KioskAdminPage *self,
               gboolean        exporting)
{
  if (self->exporting == exporting)
    return;

  self->exporting = exporting;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORTING]);
}

static void
show_export_text (KioskAdminPage *self,
                  const char     *text,
                  gboolean        error)
{
  gtk_label_set_label (self->export_label, text);
  gtk_widget_set_visible (self->export_box, TRUE);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->export_label), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->export_label), "warning");
}

static void
export_progress_cb (guint64  rows,
                    guint64  total,
                    gpointer user_data)
{
  KioskAdminPage *self = user_data;

  if (total > 0)
    gtk_progress_bar_set_fraction (self->export_progress,
                                   MIN (1.0, (double) rows / (double) total));
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(KioskAdminPage) self = user_data;
  g_autoptr(GError) error = NULL;
  const char *path = g_object_get_data (G_OBJECT (self), "kiosk-export-path");
  g_autofree char *text = NULL;
  guint64 rows = 0;

  gtk_widget_set_visible (GTK_WIDGET (self->export_progress), FALSE);
  set_exporting (self, FALSE);

  if (!kiosk_export_csv_finish (result, &rows, &error))
    {
      g_warning ("Export to %s failed: %s", path, error->message);
      /* Translators: admin screen; %s says why, e.g. "No space left on device" */
      text = g_strdup_printf (_("Export failed: %s"), error->message);
      show_export_text (self, text, TRUE);
      return;
    }

  g_message ("Exported %" G_GUINT64_FORMAT " responses to %s", rows, path);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       /* Translators: admin screen; %lu is a number of
                                        * responses, %s the file on the USB stick */
                                       "Exported %lu response to %s. You can remove the stick.",
                                       "Exported %lu responses to %s. You can remove the stick.",
                                       (gulong) rows),
                          (gulong) rows, path);
  show_export_text (self, text, FALSE);
}

/**
 * kiosk_admin_page_export:
 * @dirs: (nullable): where to write; %NULL to look for a mounted USB stick
 *
 * Writes smiley-kiosk-<device>-<date>.csv to the first of @dirs, on a worker thread, showing
 * progress and then the path and the number of rows, or the error.
 */
void
kiosk_admin_page_export (KioskAdminPage     *self,
                         const char * const *dirs)
{
  KioskFlow *flow = KIOSK_PAGE_FLOW (self);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (KIOSK_IS_ADMIN_PAGE (self));

  if (self->exporting)
    return;

  path = kiosk_export_stick_path (dirs, kiosk_config_get_device_id (kiosk_flow_get_config (flow)),
                                  now, &error);
  if (path == NULL)
    {
      g_message ("Export: %s", error->message);
      show_export_text (self,
                        /* Translators: admin screen, after Export CSV */
                        _("No USB stick found. Plug one in, wait a moment and try again."),
                        TRUE);
      return;
    }

  set_exporting (self, TRUE);
  /* Translators: admin screen, while the CSV file is written; %s is its path */
  text = g_strdup_printf (_("Exporting to %s…"), path);
  show_export_text (self, text, FALSE);
  gtk_progress_bar_set_fraction (self->export_progress, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->export_progress), TRUE);

  /* The page stays alive until the export is done, even when staff leave the screen. */
  g_object_set_data_full (G_OBJECT (self), "kiosk-export-path", g_strdup (path), g_free);
  kiosk_export_csv_async (kiosk_store_get_path (kiosk_flow_get_store (flow)), path,
                          export_progress_cb, g_object_ref (self), g_object_unref, NULL,
                          export_done_cb, g_object_ref (self));
}

gboolean
kiosk_admin_page_get_exporting (KioskAdminPage *self)
{
  g_return_val_if_fail (KIOSK_IS_ADMIN_PAGE (self), FALSE);

  return self->exporting;
}

void
kiosk_admin_page_set_quit_confirmation (KioskAdminPage *self,
                                        gboolean        shown)
{
  g_return_if_fail (KIOSK_IS_ADMIN_PAGE (self));

  gtk_widget_set_visible (self->quit_confirm, shown);
  gtk_widget_set_visible (self->actions, !shown);
}

/* --- Object ------------------------------------------------------------------------------- */

static void
kiosk_admin_page_map (GtkWidget *widget)
{
  KioskAdminPage *self = KIOSK_ADMIN_PAGE (widget);

  GTK_WIDGET_CLASS (kiosk_admin_page_parent_class)->map (widget);

  /* The age of the oldest response and the next retry move on by themselves. */
  if (self->refresh_source == 0)
    self->refresh_source = g_timeout_add_seconds (REFRESH_SECONDS, refresh_cb, self);
}

static void
kiosk_admin_page_unmap (GtkWidget *widget)
{
  KioskAdminPage *self = KIOSK_ADMIN_PAGE (widget);

  g_clear_handle_id (&self->refresh_source, g_source_remove);

  GTK_WIDGET_CLASS (kiosk_admin_page_parent_class)->unmap (widget);
}

static void
kiosk_admin_page_dispose (GObject *object)
{
  KioskAdminPage *self = KIOSK_ADMIN_PAGE (object);

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_cancellable_cancel (self->reading);
  g_clear_object (&self->reading);
  kiosk_page_dispose (KIOSK_PAGE (self), KIOSK_TYPE_ADMIN_PAGE);
  g_clear_pointer (&self->values, g_hash_table_unref);
  g_clear_object (&self->uploader);
  g_clear_object (&self->buttons);

  G_OBJECT_CLASS (kiosk_admin_page_parent_class)->dispose (object);
}

static void
kiosk_admin_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  KioskAdminPage *self = KIOSK_ADMIN_PAGE (object);

  switch (prop_id)
    {
    case PROP_EXPORTING:
      g_value_set_boolean (value, self->exporting);
      break;
    case PROP_READING:
      g_value_set_boolean (value, self->reading != NULL);
      break;
    default:
      kiosk_page_get_property (object, prop_id, value, pspec);
    }
}

static void
kiosk_admin_page_class_init (KioskAdminPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  kiosk_page_class_set_template (widget_class, "kiosk-admin-page.ui");
  object_class->dispose = kiosk_admin_page_dispose;
  object_class->get_property = kiosk_admin_page_get_property;
  widget_class->map = kiosk_admin_page_map;
  widget_class->unmap = kiosk_admin_page_unmap;

  properties[PROP_EXPORTING] =
    g_param_spec_boolean ("exporting", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_READING] =
    g_param_spec_boolean ("reading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_property (object_class, PROP_EXPORTING, properties[PROP_EXPORTING]);
  g_object_class_install_property (object_class, PROP_READING, properties[PROP_READING]);

  g_type_ensure (KIOSK_TYPE_HOUR_CHART);

  gtk_widget_class_bind_template_child (widget_class, KioskAdminPage, first_boot_label);
  gtk_widget_class_bind_template_child (widget_class, KioskAdminPage, columns);
  gtk_widget_class_bind_template_child (widget_class, KioskAdminPage, device_grid);
  gtk_widget_class_bind_template_child (widget_class, KioskAdminPage, sync_grid);
  gtk_widget_class_bind_template_child (widget_class, KioskAdminPage, today_grid);
  gtk_widget_class_bind_template_child (widget_class, KioskAdminPage, chart);
  gtk_widget_class_bind_template_child (widget_class, KioskAdminPage, export_box);
  gtk_widget_class_bind_template_child (widget_class, KioskAdminPage, export_label);
  gtk_widget_class_bind_template_child (widget_class, KioskAdminPage, export_progress);
  gtk_widget_class_bind_template_child (widget_class, KioskAdminPage, actions);
  gtk_widget_class_bind_template_child (widget_class, KioskAdminPage, quit_confirm);
}

static void
kiosk_admin_page_init (KioskAdminPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* A long translation ("Jetzt synchronisieren") takes two lines on a narrow portrait screen
   * instead of widening the page. */
  kiosk_page_wrap_button_labels (self->actions, "admin-button");
  kiosk_page_wrap_button_labels (self->quit_confirm, "admin-button");

  self->values = g_hash_table_new (g_str_hash, g_str_equal);
  build_rows (self);
}

/**
 * kiosk_admin_page_new:
 * @uploader: (nullable): background sync; %NULL when it is off
 * @buttons: (nullable): the physical buttons; %NULL when none are configured
 * @first_boot_error: (nullable): why the configuration on the boot partition was not installed
 */
GtkWidget *
kiosk_admin_page_new (KioskFlow     *flow,
                      KioskUploader *uploader,
                      KioskButtons  *buttons,
                      const char    *first_boot_error)
{
  KioskAdminPage *self;

  g_return_val_if_fail (KIOSK_IS_FLOW (flow), NULL);

  self = g_object_new (KIOSK_TYPE_ADMIN_PAGE, "flow", flow, NULL);
  self->uploader = uploader ? g_object_ref (uploader) : NULL;
  self->buttons = buttons ? g_object_ref (buttons) : NULL;

  if (first_boot_error != NULL && *first_boot_error)
    {
      g_autofree char *text =
        /* Translators: admin screen, in red at the top; %s is the first-boot import's own
         * message, naming the file, line and key */
        g_strdup_printf (_("The configuration on the boot partition was not installed:\n%s"),
                         first_boot_error);

      gtk_label_set_label (self->first_boot_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->first_boot_label), TRUE);
    }

  g_signal_connect_object (flow, "recorded", G_CALLBACK (read_figures), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (flow, "notify::ignored", G_CALLBACK (read_figures), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (kiosk_flow_get_store (flow), "notify::health",
                           G_CALLBACK (refresh_device), self, G_CONNECT_SWAPPED);
  if (uploader != NULL)
    g_signal_connect_object (uploader, "status-changed", G_CALLBACK (refresh_sync), self,
                             G_CONNECT_SWAPPED);
  if (buttons != NULL)
    g_signal_connect_object (buttons, "notify::connected", G_CALLBACK (refresh_device), self,
                             G_CONNECT_SWAPPED);

  kiosk_admin_page_refresh (self);

  return GTK_WIDGET (self);
}

/* Side by side on a landscape screen, one above the other in portrait. */
void
kiosk_admin_page_set_portrait (KioskAdminPage *self,
                               gboolean        portrait)
{
  g_return_if_fail (KIOSK_IS_ADMIN_PAGE (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->columns),
                                  portrait ? GTK_ORIENTATION_VERTICAL
                                           : GTK_ORIENTATION_HORIZONTAL);
}

const char *
kiosk_admin_page_get_value (KioskAdminPage *self,
                            const char     *row_id)
{
  GtkLabel *label;

  g_return_val_if_fail (KIOSK_IS_ADMIN_PAGE (self), NULL);

  label = g_hash_table_lookup (self->values, row_id);
  return label ? gtk_label_get_label (label) : NULL;
}

const char *
kiosk_admin_page_get_export_text (KioskAdminPage *self)
{
  g_return_val_if_fail (KIOSK_IS_ADMIN_PAGE (self), NULL);

  return gtk_widget_get_visible (self->export_box) ? gtk_label_get_label (self->export_label)
                                                   : NULL;
}
