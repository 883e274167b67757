/* test-admin.c: the staff side of the kiosk under a real display (Xvfb): the hidden way in (five
 * taps or a five-second hold in the corner, through the X server), the PIN pad and its lock-out,
 * the admin screen's figures, chart, sync, export and quit, its idle timeout, the first-boot
 * banner, and screenshots at the sizes kiosks have. */
#define G_LOG_DOMAIN "test-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <unistd.h>

#include "kiosk-admin-page.h"
#include "kiosk-hour-chart.h"
#include "kiosk-pin.h"
#include "kiosk-pin-page.h"
#include "kiosk-test-ui.h"
#include "kiosk-test-util.h"
#include "kiosk-window.h"

#define PIN "2468"

typedef struct
{
  KioskTestKiosk kiosk;
  guint          quits;
} Fixture;

static char *pin_hash;

/* Today's figures, by local hour and face: hours 8 to 19, a pattern a chart shows. */
static guint
expected_count (int hour,
                int face)
{
  if (hour < 8 || hour > 19)
    return 0;

  switch (face)
    {
    case 3:
      return 2 + hour % 5;
    case 2:
      return 1 + hour % 3;
    case 1:
      return hour % 2;
    default:
      return hour == 12 || hour == 17 ? 2 : 0;
    }
}

static void
record_today (Fixture *f)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (now),
                                                         g_date_time_get_month (now),
                                                         g_date_time_get_day_of_month (now),
                                                         0, 0, 0);
  g_autoptr(KioskClock) clock = kiosk_clock_new_fake (g_date_time_to_unix (midnight) *
                                                      G_USEC_PER_SEC, G_USEC_PER_SEC, "boot-a");
  g_autoptr(KioskSurvey) survey = kiosk_survey_new_demo ();
  g_autoptr(KioskFlow) flow = kiosk_flow_new (f->kiosk.config, f->kiosk.store, clock, survey);

  kiosk_clock_set_offset (clock, g_date_time_get_utc_offset (midnight) / G_USEC_PER_SEC);
  for (int hour = 0; hour < 24; hour++)
    {
      kiosk_clock_set_wall (clock, (g_date_time_to_unix (midnight) + hour * 3600 + 60) *
                                   G_USEC_PER_SEC);
      for (int face = 3; face >= 0; face--)
        for (guint i = 0; i < expected_count (hour, face); i++)
          {
            kiosk_clock_advance (clock, 60 * G_USEC_PER_SEC);
            g_assert_nonnull (kiosk_flow_vote (flow, face, KIOSK_INPUT_TOUCH, NULL));
          }
    }

  /* Two presses a second apart at 18:30: the second is misuse (not a face count). */
  kiosk_clock_set_wall (clock, (g_date_time_to_unix (midnight) + 18 * 3600 + 1800) *
                               G_USEC_PER_SEC);
  kiosk_clock_advance (clock, 60 * G_USEC_PER_SEC);
  kiosk_flow_vote (flow, 3, KIOSK_INPUT_BUTTON, NULL);
  kiosk_clock_advance (clock, G_USEC_PER_SEC);
  kiosk_flow_vote (flow, 3, KIOSK_INPUT_BUTTON, NULL);
}

static void
make_window (Fixture    *f,
             const char *conf,
             gboolean    record,
             int         width,
             int         height)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf ("device-id = shop-042\nthank-you-seconds = 0.5\nmisuse-interval = 2\n%s",
                          conf ? conf : "");
  /* Every kiosk here has the PIN, unless the test brings its own [admin] group. */
  if (conf == NULL || strstr (conf, "[admin]") == NULL)
    {
      g_autofree char *with_pin = g_strdup_printf ("%s[admin]\npin-hash = %s\n", text, pin_hash);

      g_free (text);
      text = g_steal_pointer (&with_pin);
    }

  kiosk_test_kiosk_open_store (&f->kiosk, text, NULL);
  if (record)
    record_today (f);
  kiosk_test_kiosk_show (&f->kiosk, NULL, FALSE, width > 0 ? width : 1280,
                         height > 0 ? height : 800);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  make_window (f, NULL, TRUE, 1280, 800);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  kiosk_test_kiosk_close (&f->kiosk);
}

static void
remake (Fixture    *f,
        const char *conf,
        gboolean    record,
        int         width,
        int         height)
{
  fixture_teardown (f, NULL);
  memset (f, 0, sizeof *f);
  make_window (f, conf, record, width, height);
}

#define activate(f, ...) kiosk_test_activate (GTK_WIDGET ((f)->kiosk.window), __VA_ARGS__)

static KioskPageId
page (Fixture *f)
{
  return kiosk_window_get_page (f->kiosk.window);
}

static gboolean
page_is_pin (gpointer user_data)
{
  return page (user_data) == KIOSK_PAGE_PIN;
}

static gboolean
page_is_survey (gpointer user_data)
{
  return page (user_data) == KIOSK_PAGE_SURVEY;
}

static KioskPinPage *
pin_page (Fixture *f)
{
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_PIN);
  return KIOSK_PIN_PAGE (kiosk_window_get_page_widget (f->kiosk.window));
}

static KioskAdminPage *
admin_page (Fixture *f)
{
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_ADMIN);
  return KIOSK_ADMIN_PAGE (kiosk_window_get_page_widget (f->kiosk.window));
}

static void
type_pin (Fixture    *f,
          const char *pin)
{
  for (const char *p = pin; *p; p++)
    {
      char digit[2] = { *p, '\0' };

      activate (f, "pin.digit", "s", digit);
    }
  activate (f, "pin.submit", NULL);
}

static void
unlock (Fixture *f)
{
  kiosk_test_unlock_admin (f->kiosk.window, PIN);
}

static GtkWidget *
find_button (Fixture    *f,
             const char *action)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  kiosk_test_collect (kiosk_window_get_page_widget (f->kiosk.window), GTK_TYPE_BUTTON, TRUE,
                      buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_actionable_get_action_name (g_ptr_array_index (buttons, i)), action) == 0)
      return g_ptr_array_index (buttons, i);

  g_error ("no button for %s on page %s", action, kiosk_page_id_get_name (page (f)));
}

static void
assert_value (Fixture    *f,
              const char *row,
              const char *expected)
{
  g_assert_cmpstr (kiosk_admin_page_get_value (admin_page (f), row), ==, expected);
}

static void
assert_shows (Fixture    *f,
              const char *text)
{
  GtkWidget *root = kiosk_window_get_page_widget (f->kiosk.window);

  if (!kiosk_test_shows_text (root, text))
    {
      g_autofree char *all = kiosk_test_dup_texts (root);

      g_error ("page %s does not show “%s”; it shows: %s", kiosk_page_id_get_name (page (f)),
               text, all);
    }
}

/* --- The way in --------------------------------------------------------------------------- */

/* Without a pin-hash there is no admin screen at all, and the log says why. */
static void
test_no_pin_configured (Fixture       *f,
                        gconstpointer  data)
{
  remake (f, "[admin]\n", FALSE, 1280, 800);
  g_assert_null (kiosk_config_get_pin_hash (f->kiosk.config));

  g_test_expect_message ("kiosk-window", G_LOG_LEVEL_MESSAGE,
                         "The admin screen was asked for, but it stays closed: [admin] pin-hash "
                         "is not set (make one with smiley-kiosk --hash-pin)");
  activate (f, "admin.request", NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_SURVEY);
}

/* Wrong PINs: a message, then after the third a lock-out the pad counts down, which survives
 * leaving and coming back. The right PIN is never accepted while locked. */
static void
test_pin_pad (Fixture       *f,
              gconstpointer  data)
{
  activate (f, "admin.request", NULL);
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_PIN);
  assert_shows (f, "Staff only: enter the PIN");
  kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), "pin-1280x800.png");

  /* Dots, never digits; delete takes the last one back. */
  activate (f, "pin.digit", "s", "1");
  activate (f, "pin.digit", "s", "2");
  assert_shows (f, "● ●");
  activate (f, "pin.delete", NULL);
  assert_shows (f, "●");
  g_assert_cmpstr (kiosk_pin_page_get_pin (pin_page (f)), ==, "1");
  activate (f, "pin.digit", "s", "1");
  activate (f, "pin.digit", "s", "1");
  activate (f, "pin.digit", "s", "1");
  activate (f, "pin.submit", NULL);
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_PIN);
  assert_shows (f, "Wrong PIN. Please try again.");
  g_assert_cmpstr (kiosk_pin_page_get_pin (pin_page (f)), ==, "");

  type_pin (f, "0000");
  type_pin (f, "9999");
  g_assert_cmpstr (kiosk_pin_page_get_message (pin_page (f)), ==,
                   "Too many wrong PINs. Try again in 30 seconds.");
  kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), "pin-locked-1280x800.png");

  /* Locked: the right PIN does nothing now. */
  type_pin (f, PIN);
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_PIN);
  g_assert_cmpstr (kiosk_pin_page_get_pin (pin_page (f)), ==, "");

  activate (f, "pin.cancel", NULL);
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_SURVEY);
  activate (f, "admin.request", NULL);
  g_assert_true (g_str_has_prefix (kiosk_pin_page_get_message (pin_page (f)),
                                   "Too many wrong PINs. Try again in "));
}

/* Five quick taps in the top left corner, as the X server delivers them. */
static void
test_hotspot_taps (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *xid = kiosk_test_window_xid (GTK_WIDGET (f->kiosk.window));
  gint64 seq = kiosk_store_get_last_seq (f->kiosk.store);

  if (xid == NULL)
    {
      g_test_skip ("needs xdotool and an X11 display");
      return;
    }

  /* Four taps are not enough, and a pause starts the count again. */
  g_assert_true (kiosk_test_xdotool ("mousemove", "--window", xid, "10", "10", "click",
                                     "--repeat", "4", "--delay", "120", "1", NULL));
  kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_SURVEY);
  kiosk_test_hold (900);
  g_assert_true (kiosk_test_xdotool ("click", "--repeat", "4", "--delay", "120", "1", NULL));
  kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_SURVEY);

  g_assert_true (kiosk_test_xdotool ("click", "1", NULL));
  g_assert_true (kiosk_test_wait_for (page_is_pin, f, 5000));

  /* Nothing was voted, no language chosen on the way. */
  g_assert_cmpint (kiosk_store_get_last_seq (f->kiosk.store), ==, seq);
  g_assert_null (kiosk_flow_get_last_response (f->kiosk.flow));
  g_assert_cmpstr (kiosk_flow_get_language (f->kiosk.flow), ==, "en");
}

/* A hold of five seconds; the PIN pad does not come before. */
static void
test_hotspot_hold (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *xid = kiosk_test_window_xid (GTK_WIDGET (f->kiosk.window));
  gint64 start;

  if (xid == NULL)
    {
      g_test_skip ("needs xdotool and an X11 display");
      return;
    }

  g_assert_true (kiosk_test_xdotool ("mousemove", "--window", xid, "12", "12", "mousedown", "1",
                                     NULL));
  start = g_get_monotonic_time ();
  g_assert_true (kiosk_test_wait_for (page_is_pin, f, 8000));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 4500 * 1000);
  g_assert_true (kiosk_test_xdotool ("mouseup", "1", NULL));

  /* A shorter hold does nothing. */
  activate (f, "pin.cancel", NULL);
  g_assert_true (kiosk_test_xdotool ("mousedown", "1", NULL));
  kiosk_test_hold (1500);
  g_assert_true (kiosk_test_xdotool ("mouseup", "1", NULL));
  kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_SURVEY);
}

/* The corner is clear of the language bar and the faces at every size and language. */
static void
test_hotspot_is_clear (Fixture       *f,
                       gconstpointer  data)
{
  const int sizes[][2] = { { 800, 480 }, { 1280, 800 }, { 480, 800 }, { 1024, 600 } };
  const char * const languages[] = { "en", "de", "fr", "fi" };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      remake (f, NULL, FALSE, sizes[s][0], sizes[s][1]);

      for (guint l = 0; l < G_N_ELEMENTS (languages); l++)
        {
          g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
          GtkWidget *hotspot = NULL;
          g_autoptr(GPtrArray) boxes = g_ptr_array_new ();
          graphene_rect_t spot;

          activate (f, "survey.language", "s", languages[l]);
          kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));

          kiosk_test_collect (GTK_WIDGET (f->kiosk.window), GTK_TYPE_BOX, TRUE, boxes);
          for (guint i = 0; i < boxes->len; i++)
            if (gtk_widget_has_css_class (g_ptr_array_index (boxes, i), "admin-hotspot"))
              hotspot = g_ptr_array_index (boxes, i);
          g_assert_nonnull (hotspot);
          g_assert_true (gtk_widget_compute_bounds (hotspot, GTK_WIDGET (f->kiosk.window), &spot));
          g_assert_cmpfloat (spot.origin.x, ==, 0);
          g_assert_cmpfloat (spot.origin.y, ==, 0);
          g_assert_cmpfloat (spot.size.width, >=, 40);
          g_assert_cmpfloat (spot.size.height, >=, 40);

          kiosk_test_collect (kiosk_window_get_page_widget (f->kiosk.window), GTK_TYPE_BUTTON, TRUE,
                              buttons);
          g_assert_cmpuint (buttons->len, >=, 4);
          for (guint i = 0; i < buttons->len; i++)
            {
              graphene_rect_t b;

              g_assert_true (gtk_widget_compute_bounds (g_ptr_array_index (buttons, i),
                                                        GTK_WIDGET (f->kiosk.window), &b));
              if (graphene_rect_intersection (&spot, &b, NULL))
                g_error ("At %dx%d in %s the hotspot covers a button at %.0f,%.0f", sizes[s][0],
                         sizes[s][1], languages[l], b.origin.x, b.origin.y);
            }
        }
    }
}

/* --- The admin screen --------------------------------------------------------------------- */

static void
test_admin_figures (Fixture       *f,
                    gconstpointer  data)
{
  KioskHourChart *chart;
  guint faces[4] = { 0 };
  g_autofree char *expected = NULL;

  unlock (f);
  assert_shows (f, "Kiosk status");

  assert_value (f, "device", "shop-042");
  assert_value (f, "version", PACKAGE_VERSION);
  assert_value (f, "survey", "demo, version 1");
  assert_value (f, "storage", "OK");
  assert_value (f, "buttons", "None configured");
  assert_value (f, "sync", "Off (no cloud configured)");
  assert_value (f, "dead-letters", "0");
  assert_value (f, "last-upload", "Never");
  assert_value (f, "last-error", "None");
  assert_value (f, "next-retry", "—");
  assert_value (f, "ignored", "0");

  for (int hour = 0; hour < 24; hour++)
    for (int face = 0; face < 4; face++)
      faces[face] += expected_count (hour, face);
  /* The first of the two quick presses is a face count, the second misuse. */
  faces[3] += 1;

  for (int face = 0; face < 4; face++)
    {
      g_autofree char *id = g_strdup_printf ("face-%d", face);
      g_autofree char *count = g_strdup_printf ("%u", faces[face]);

      assert_value (f, id, count);
    }
  assert_value (f, "misuse", "1");
  {
    double total = faces[0] + faces[1] + faces[2] + faces[3];
    double index = 100.0 * (faces[1] + 2.0 * faces[2] + 3.0 * faces[3]) / (3.0 * total);

    expected = g_strdup_printf ("%.0f", index);
    assert_value (f, "happy-index", expected);
  }

  /* Every response is waiting: sync is off, so the queue is what the database holds. */
  {
    g_autofree char *queue = g_strdup_printf ("%u", faces[0] + faces[1] + faces[2] + faces[3] + 1);

    assert_value (f, "queue", queue);
  }

  chart = KIOSK_HOUR_CHART (kiosk_test_find_mapped (GTK_WIDGET (admin_page (f)),
                                                    KIOSK_TYPE_HOUR_CHART));
  g_assert_nonnull (chart);
  for (int hour = 0; hour < 24; hour++)
    for (int face = 0; face < 4; face++)
      g_assert_cmpuint (kiosk_hour_chart_get_count (chart, hour, face), ==,
                        expected_count (hour, face) + (hour == 18 && face == 3 ? 1 : 0));
  g_assert_cmpuint (kiosk_hour_chart_get_scale (chart), ==, 10);

  /* A vote while the screen is open (a physical button) shows at once; the screen stays. */
  activate (f, "survey.vote", "(is)", 0, "button");
  kiosk_test_wait_for_figures (f->kiosk.window);
  {
    g_autofree char *count = g_strdup_printf ("%u", faces[0] + 1);

    assert_value (f, "face-0", count);
  }

  /* Leaving shows what the flow is at: that visitor's follow-up. */
  activate (f, "admin.leave", NULL);
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_FOLLOW_UP);
}

/* The screen at the sizes kiosks have: everything inside, every text readable, big buttons. */
static void
test_admin_layout (Fixture       *f,
                   gconstpointer  data)
{
  const int sizes[][2] = { { 1280, 800 }, { 800, 480 }, { 480, 800 }, { 1920, 1080 } };
  const char * const languages[] = { "en", "de", "fr", "fi", "es" };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint l = 0; l < G_N_ELEMENTS (languages); l++)
      {
        g_autofree char *conf = g_strdup_printf ("language = %s\n", languages[l]);
        g_autofree char *what = NULL;
        g_autofree char *name = NULL;

        /* Other languages only on the smallest screens, where long words are the risk. */
        if (l > 1 && MIN (sizes[s][0], sizes[s][1]) > 480)
          continue;

        remake (f, conf, TRUE, sizes[s][0], sizes[s][1]);
        kiosk_window_set_first_boot_error (f->kiosk.window, NULL);

        activate (f, "admin.request", NULL);
        what = g_strdup_printf ("PIN pad at %dx%d in %s", sizes[s][0], sizes[s][1], languages[l]);
        kiosk_test_check_page_layout (f->kiosk.window, what);
        name = g_strdup_printf ("pin-%dx%d-%s.png", sizes[s][0], sizes[s][1], languages[l]);
        kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), name);

        type_pin (f, PIN);
        kiosk_test_wait_for_figures (f->kiosk.window);
        g_free (what);
        what = g_strdup_printf ("admin at %dx%d in %s", sizes[s][0], sizes[s][1], languages[l]);
        kiosk_test_check_page_layout (f->kiosk.window, what);
        g_free (name);
        name = g_strdup_printf ("admin-%dx%d-%s.png", sizes[s][0], sizes[s][1], languages[l]);
        kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), name);
      }
}

static gboolean
not_exporting (gpointer user_data)
{
  Fixture *f = user_data;

  return !kiosk_admin_page_get_exporting (admin_page (f));
}

/* To the "USB stick": progress, then the path and the count; the file holds every row. */
static void
test_admin_export (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *stick = g_build_filename (f->kiosk.dir, "STICK", NULL);
  const char *dirs[] = { stick, NULL };
  const char *none[] = { NULL };
  g_autoptr(GDateTime) today = g_date_time_new_now_local ();
  g_autofree char *day = g_date_time_format (today, "%Y-%m-%d");
  g_autofree char *name = g_strdup_printf ("smiley-kiosk-shop-042-%s.csv", day);
  g_autofree char *path = g_build_filename (stick, name, NULL);
  g_autofree char *expected = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 rows = kiosk_store_get_last_seq (f->kiosk.store);

  g_assert_cmpint (g_mkdir (stick, 0700), ==, 0);
  unlock (f);

  /* No stick: said so. */
  kiosk_window_set_export_dirs (f->kiosk.window, none);
  activate (f, "admin.export", NULL);
  g_assert_cmpstr (kiosk_admin_page_get_export_text (admin_page (f)), ==,
                   "No USB stick found. Plug one in, wait a moment and try again.");

  kiosk_window_set_export_dirs (f->kiosk.window, dirs);
  activate (f, "admin.export", NULL);
  g_assert_true (kiosk_admin_page_get_exporting (admin_page (f)));
  /* One export at a time: the button says so. */
  g_assert_false (gtk_widget_get_sensitive (find_button (f, "admin.export")));
  g_assert_true (kiosk_test_wait_for (not_exporting, f, 20000));

  expected = g_strdup_printf ("Exported %" G_GINT64_FORMAT " responses to %s. You can remove the "
                              "stick.", rows, path);
  g_assert_cmpstr (kiosk_admin_page_get_export_text (admin_page (f)), ==, expected);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, rows + 2);
  kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), "admin-exported-1280x800.png");

  /* A stick that cannot be written: the error, in words. */
  g_assert_cmpint (g_chmod (stick, 0500), ==, 0);
  g_remove (path);
  if (access (stick, W_OK) != 0)
    {
      g_test_expect_message ("kiosk-admin-page", G_LOG_LEVEL_WARNING, "Export to * failed: *");
      activate (f, "admin.export", NULL);
      g_assert_true (kiosk_test_wait_for (not_exporting, f, 20000));
      g_test_assert_expected_messages ();
      g_assert_true (g_str_has_prefix (kiosk_admin_page_get_export_text (admin_page (f)),
                                       "Export failed: "));
      g_test_message ("%s", kiosk_admin_page_get_export_text (admin_page (f)));
    }
  g_chmod (stick, 0700);
}

static gboolean
last_error_shown (gpointer user_data)
{
  Fixture *f = user_data;

  return g_strcmp0 (kiosk_admin_page_get_value (admin_page (f), "last-error"), "None") != 0;
}

/* With sync on: "Sync now" reaches the uploader, and its status (here: nobody listens) shows. */
static void
test_admin_sync (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskUploader) uploader = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetSocketAddress) address = NULL;
  g_autofree char *token_dir = NULL;
  g_autofree char *token = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *db = NULL;
  KioskUploaderTimings timings;
  guint16 port;

  /* A port that was free a moment ago: connections are refused. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  address = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new_from_string ("127.0.0.1", 0));
  g_assert_true (g_socket_bind (socket, G_SOCKET_ADDRESS (address), TRUE, &error));
  g_clear_object (&address);
  address = G_INET_SOCKET_ADDRESS (g_socket_get_local_address (socket, &error));
  port = g_inet_socket_address_get_port (address);
  g_socket_close (socket, NULL);

  fixture_teardown (f, NULL);
  memset (f, 0, sizeof *f);
  token_dir = kiosk_test_make_tmpdir ();
  token = kiosk_test_write_file (token_dir, "token", "t0ken\n");
  g_assert_cmpint (g_chmod (token, 0600), ==, 0);
  conf = g_strdup_printf ("[cloud]\nurl = http://127.0.0.1:%u\ntoken-file = %s\n", port, token);
  make_window (f, conf, TRUE, 1280, 800);

  db = kiosk_config_dup_database_path (f->kiosk.config);
  uploader = kiosk_uploader_new (f->kiosk.config, db, &error);
  g_assert_no_error (error);
  kiosk_uploader_timings_init (&timings);
  timings.start_delay_max_ms = 60 * 1000;
  timings.use_network_monitor = FALSE;
  kiosk_uploader_set_timings (uploader, &timings);
  g_assert_true (kiosk_uploader_start (uploader, &error));
  kiosk_window_set_uploader (f->kiosk.window, uploader);

  unlock (f);
  g_assert_cmpstr (kiosk_admin_page_get_value (admin_page (f), "last-error"), ==, "None");
  activate (f, "admin.sync-now", NULL);
  g_assert_true (kiosk_test_wait_for (last_error_shown, f, 20000));
  g_test_message ("last error: %s", kiosk_admin_page_get_value (admin_page (f), "last-error"));
  g_assert_cmpstr (kiosk_admin_page_get_value (admin_page (f), "sync"), ==, "Waiting to retry");
  g_assert_cmpstr (kiosk_admin_page_get_value (admin_page (f), "next-retry"), !=, "—");
  kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), "admin-sync-error-1280x800.png");

  activate (f, "admin.leave", NULL);
  kiosk_window_set_uploader (f->kiosk.window, NULL);
  kiosk_uploader_stop (uploader);
  kiosk_test_rm_rf (token_dir);
}

static void
quit_cb (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  ((Fixture *) user_data)->quits++;
}

/* Quit asks first; only the confirmation reaches the application's "quit". */
static void
test_admin_quit (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GSimpleActionGroup) app = g_simple_action_group_new ();
  static const GActionEntry entries[] = { { "quit", quit_cb, NULL, NULL, NULL } };

  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), f);
  gtk_widget_insert_action_group (GTK_WIDGET (f->kiosk.window), "app", G_ACTION_GROUP (app));

  unlock (f);
  activate (f, "admin.quit", NULL);
  assert_shows (f, "Quit the kiosk? Visitors cannot give feedback until it is started again.");
  kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), "admin-quit-1280x800.png");
  activate (f, "admin.quit-cancel", NULL);
  g_assert_cmpuint (f->quits, ==, 0);
  g_assert_false (kiosk_test_shows_text (kiosk_window_get_page_widget (f->kiosk.window),
                                         "Quit the kiosk? Visitors cannot give feedback until it "
                                         "is started again."));

  activate (f, "admin.quit", NULL);
  g_test_expect_message ("kiosk-window", G_LOG_LEVEL_MESSAGE, "Quit from the admin screen");
  activate (f, "admin.quit-confirm", NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (f->quits, ==, 1);

  gtk_widget_insert_action_group (GTK_WIDGET (f->kiosk.window), "app", NULL);
}

/* Untouched for a while, the admin screen (and the PIN pad) close by themselves; a touch
 * restarts the wait. */
static void
test_admin_idle (Fixture       *f,
                 gconstpointer  data)
{
  KioskWindowTimings timings = { .shift_every_ms = 0, .admin_idle_ms = 1500 };
  g_autofree char *xid = kiosk_test_window_xid (GTK_WIDGET (f->kiosk.window));
  gint64 start;

  kiosk_window_set_timings (f->kiosk.window, &timings);

  activate (f, "admin.request", NULL);
  g_assert_true (kiosk_test_wait_for (page_is_survey, f, 5000));

  unlock (f);
  start = g_get_monotonic_time ();
  if (xid != NULL)
    {
      /* Touches on the screen (its chart, no button) keep it open: 3.2 s of them, longer than
       * the idle time, each in time with over a second to spare for a loaded machine (a
       * sanitizer build beside other jobs needs it). */
      for (int i = 0; i < 8; i++)
        {
          kiosk_test_hold (400);
          g_assert_true (kiosk_test_xdotool ("mousemove", "--window", xid, "640", "600", "click",
                                             "1", NULL));
          kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
          g_assert_cmpint (page (f), ==, KIOSK_PAGE_ADMIN);
        }
    }
  g_test_expect_message ("kiosk-window", G_LOG_LEVEL_MESSAGE,
                         "Admin screen closed: nobody touched it");
  g_assert_true (kiosk_test_wait_for (page_is_survey, f, 5000));
  g_test_assert_expected_messages ();
  if (xid != NULL)
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 1000 * 1000);
}

/* The first-boot import's error: a banner on the survey for staff, in full on the admin screen. */
static void
test_first_boot_error (Fixture       *f,
                       gconstpointer  data)
{
  const char *error = "smiley-kiosk.conf:2: [kiosk] misuse-intervall: unknown key (did you mean "
                      "“misuse-interval”?)";
  g_autofree char *full = g_strdup_printf ("The configuration on the boot partition was not "
                                           "installed:\n%s", error);

  g_autofree char *two = g_strdup_printf ("%s\n%s", error,
                                          "smiley-kiosk.conf:7: [display] rotation: 45 is not "
                                          "0, 90, 180 or 270");
  g_autofree char *banner = g_strdup_printf ("Setup problem: the configuration on the boot "
                                             "partition was not installed. Staff: see the admin "
                                             "screen.\n%s", error);

  /* The banner names the first mistake with its file and line; the admin screen has them all. */
  kiosk_window_set_first_boot_error (f->kiosk.window, two);
  kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
  g_assert_true (kiosk_test_shows_text (GTK_WIDGET (f->kiosk.window), banner));
  kiosk_window_set_first_boot_error (f->kiosk.window, error);
  kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
  g_assert_true (kiosk_test_shows_text (GTK_WIDGET (f->kiosk.window), banner));
  kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), "survey-first-boot-error-1280x800.png");

  /* The import's whole file (packaging/first-boot/smiley-kiosk-first-boot): a heading, then the
   * problems; the banner shows the first problem, not the heading. */
  {
    g_autofree char *file = g_strdup_printf ("The configuration on the boot partition "
                                             "(smiley-kiosk.conf) was not installed.\n"
                                             "The kiosk keeps its previous configuration.\n\n"
                                             "%s\n\nFix the file on a PC: it is now "
                                             "smiley-kiosk.conf.rejected on the boot partition.\n",
                                             two);
    g_autofree char *unlocated = g_strdup_printf ("Setup problem: the configuration on the boot "
                                                  "partition was not installed. Staff: see the "
                                                  "admin screen.\n%s",
                                                  "smiley-kiosk.token: not readable");

    kiosk_window_set_first_boot_error (f->kiosk.window, file);
    kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
    g_assert_true (kiosk_test_shows_text (GTK_WIDGET (f->kiosk.window), banner));

    kiosk_window_set_first_boot_error (f->kiosk.window,
                                       "The configuration on the boot partition "
                                       "(smiley-kiosk.conf) was not installed.\n\n"
                                       "smiley-kiosk.token: not readable\n");
    kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
    g_assert_true (kiosk_test_shows_text (GTK_WIDGET (f->kiosk.window), unlocated));
  }
  /* An endless line (the file can hold anything) is cut short. */
  {
    g_autoptr(GString) endless = g_string_new ("smiley-kiosk.conf:9: ");
    g_autofree char *cut = NULL;

    while (endless->len < 2000)
      g_string_append (endless, "ä");
    cut = g_strdup_printf ("Setup problem: the configuration on the boot partition was not "
                           "installed. Staff: see the admin screen.\n%.*s…",
                           (int) strlen ("smiley-kiosk.conf:9: ") + 2 * (159 - 21),
                           endless->str);
    kiosk_window_set_first_boot_error (f->kiosk.window, endless->str);
    kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
    g_assert_true (kiosk_test_shows_text (GTK_WIDGET (f->kiosk.window), cut));
  }
  kiosk_window_set_first_boot_error (f->kiosk.window, error);
  kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));

  /* Not on a visitor's follow-up. */
  activate (f, "survey.vote", "(is)", 3, "touch");
  kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
  g_assert_false (kiosk_test_shows_text (GTK_WIDGET (f->kiosk.window), banner));
  activate (f, "follow-up.skip", NULL);
  g_assert_true (kiosk_test_wait_for (page_is_survey, f, 5000));

  unlock (f);
  assert_shows (f, full);
  kiosk_test_check_page_layout (f->kiosk.window, "admin with a first-boot error");
  kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), "admin-first-boot-error-1280x800.png");

  /* On the small screens the banner's two lines wrap, and the faces still fit below them. */
  for (guint s = 0; s < 2; s++)
    {
      int width = s == 0 ? 800 : 480, height = s == 0 ? 480 : 800;
      g_autofree char *what = g_strdup_printf ("survey with the setup banner at %dx%d", width,
                                               height);
      g_autofree char *name = g_strdup_printf ("survey-first-boot-error-%dx%d.png", width,
                                               height);

      remake (f, NULL, FALSE, width, height);
      kiosk_window_set_first_boot_error (f->kiosk.window, error);
      kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
      g_assert_true (kiosk_test_shows_text (GTK_WIDGET (f->kiosk.window), banner));
      kiosk_test_check_page_layout (f->kiosk.window, what);
      kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), name);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  kiosk_test_ui_init (&argc, &argv);

  pin_hash = kiosk_pin_hash (PIN, &error);
  g_assert_no_error (error);

  g_test_add ("/admin/no-pin", Fixture, NULL, fixture_setup, test_no_pin_configured,
              fixture_teardown);
  g_test_add ("/admin/pin-pad", Fixture, NULL, fixture_setup, test_pin_pad, fixture_teardown);
  g_test_add ("/admin/hotspot/taps", Fixture, NULL, fixture_setup, test_hotspot_taps,
              fixture_teardown);
  g_test_add ("/admin/hotspot/hold", Fixture, NULL, fixture_setup, test_hotspot_hold,
              fixture_teardown);
  g_test_add ("/admin/hotspot/clear", Fixture, NULL, fixture_setup, test_hotspot_is_clear,
              fixture_teardown);
  g_test_add ("/admin/figures", Fixture, NULL, fixture_setup, test_admin_figures,
              fixture_teardown);
  g_test_add ("/admin/layout", Fixture, NULL, fixture_setup, test_admin_layout, fixture_teardown);
  g_test_add ("/admin/export", Fixture, NULL, fixture_setup, test_admin_export, fixture_teardown);
  g_test_add ("/admin/sync", Fixture, NULL, fixture_setup, test_admin_sync, fixture_teardown);
  g_test_add ("/admin/quit", Fixture, NULL, fixture_setup, test_admin_quit, fixture_teardown);
  g_test_add ("/admin/idle", Fixture, NULL, fixture_setup, test_admin_idle, fixture_teardown);
  g_test_add ("/admin/first-boot-error", Fixture, NULL, fixture_setup, test_first_boot_error,
              fixture_teardown);

  return g_test_run ();
}
