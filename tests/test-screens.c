/* test-screens.c: what the kiosk shows when nobody is voting, under a real display (Xvfb): the
 * dim closed screen outside opening hours (nothing recorded, presses counted), the attract
 * screen after a long idle time (the first touch wakes it without a vote), burn-in care (the
 * picture moves a few pixels), and no label anywhere that can be selected or copied. */
#define G_LOG_DOMAIN "test-screens"

#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "kiosk-closed-page.h"
#include "kiosk-pin.h"
#include "kiosk-shift-bin.h"
#include "kiosk-test-ui.h"
#include "kiosk-test-util.h"
#include "kiosk-window.h"

typedef struct
{
  KioskTestKiosk kiosk;
} Fixture;

static char *pin_hash;

static void
make_window (Fixture    *f,
             const char *conf,
             int         width,
             int         height)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf ("device-id = shop-042\nthank-you-seconds = 0.5\nmisuse-interval = 0\n"
                          "%s[admin]\npin-hash = %s\n", conf ? conf : "", pin_hash);
  kiosk_test_kiosk_open_store (&f->kiosk, text, NULL);
  kiosk_test_kiosk_show (&f->kiosk, NULL, FALSE, width, height);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  make_window (f, data, 1280, 800);
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
        int         width,
        int         height)
{
  fixture_teardown (f, NULL);
  memset (f, 0, sizeof *f);
  make_window (f, conf, width, height);
}

static KioskPageId
page (Fixture *f)
{
  return kiosk_window_get_page (f->kiosk.window);
}

static gboolean
page_is (Fixture     *f,
         KioskPageId  id)
{
  return page (f) == id;
}

static gboolean
on_attract (gpointer user_data)
{
  return page_is (user_data, KIOSK_PAGE_ATTRACT);
}

static gboolean
on_survey (gpointer user_data)
{
  return page_is (user_data, KIOSK_PAGE_SURVEY);
}

static void
vote (Fixture    *f,
      int         face,
      const char *input)
{
  kiosk_test_activate (GTK_WIDGET (f->kiosk.window), "survey.vote", "(is)", face, input);
}

static GtkWidget *
face_button (Fixture *f,
             int      face)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  g_autofree char *css = g_strdup_printf ("face-%d", face);

  kiosk_test_collect (kiosk_window_get_page_widget (f->kiosk.window), GTK_TYPE_BUTTON, TRUE,
                      buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (gtk_widget_has_css_class (g_ptr_array_index (buttons, i), css))
      return g_ptr_array_index (buttons, i);

  g_error ("no face %d on page %s", face, kiosk_page_id_get_name (page (f)));
}

/* --- Closed ------------------------------------------------------------------------------- */

static void
test_reopens_text (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  /* Monday 5 January 2026, 20:00 UTC */
  gint64 monday_evening = G_GINT64_CONSTANT (1767643200) * G_USEC_PER_SEC;
  gint64 hour = G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC;
  g_autofree char *tomorrow = kiosk_format_reopens (monday_evening + 12 * hour, monday_evening,
                                                    utc);
  g_autofree char *weekend = kiosk_format_reopens (monday_evening + 108 * hour, monday_evening,
                                                   utc);
  g_autofree char *never = kiosk_format_reopens (G_MAXINT64, monday_evening, utc);

  /* Less than a day away: the time alone stays right after midnight. */
  g_assert_cmpstr (tomorrow, ==, "Open again at 08:00");
  g_assert_cmpstr (weekend, ==, "Open again on Saturday at 08:00");
  g_assert_null (never);
}

static gboolean
ignored_is_three (gpointer user_data)
{
  return kiosk_flow_get_ignored (((Fixture *) user_data)->kiosk.flow) == 3;
}

/* Outside the hours: a dim screen that says when it opens, nothing recorded, every press
 * counted as ignored; the staff corner still works. */
static void
test_closed (Fixture       *f,
             gconstpointer  data)
{
  const int sizes[][2] = { { 1280, 800 }, { 800, 480 }, { 480, 800 } };
  g_autofree char *xid = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GTimeZone) utc = NULL;
  KioskClosedPage *closed;
  KioskHours *hours;

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autofree char *name = g_strdup_printf ("closed-%dx%d.png", sizes[s][0], sizes[s][1]);
      g_autofree char *what = g_strdup_printf ("closed at %dx%d", sizes[s][0], sizes[s][1]);

      remake (f, data, sizes[s][0], sizes[s][1]);
      kiosk_flow_set_open (f->kiosk.flow, FALSE);
      g_assert_cmpint (page (f), ==, KIOSK_PAGE_CLOSED);
      kiosk_test_check_page_layout (f->kiosk.window, what);
      kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), name);
    }

  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->kiosk.window), "dim"));
  g_assert_true (kiosk_test_shows_text (GTK_WIDGET (f->kiosk.window), "Closed"));
  hours = kiosk_config_get_hours (f->kiosk.config);
  utc = g_time_zone_new_utc ();
  expected = kiosk_format_reopens (kiosk_hours_next_change (hours, g_get_real_time ()),
                                   g_get_real_time (), utc);
  g_assert_nonnull (expected);
  closed = KIOSK_CLOSED_PAGE (kiosk_window_get_page_widget (f->kiosk.window));
  g_assert_cmpstr (kiosk_closed_page_get_reopens_text (closed), ==, expected);

  /* A physical button and a tap: refused, counted, nothing on disk. */
  vote (f, 3, "button");
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_CLOSED);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "closed.tap", NULL));
  g_assert_cmpuint (kiosk_flow_get_ignored (f->kiosk.flow), ==, 2);
  g_assert_cmpint (kiosk_store_get_last_seq (f->kiosk.store), ==, 0);

  /* A real tap in the middle of the screen. */
  xid = kiosk_test_window_xid (GTK_WIDGET (f->kiosk.window));
  if (xid != NULL)
    {
      g_assert_true (kiosk_test_xdotool ("mousemove", "--window", xid, "240", "400", "click", "1",
                                         NULL));
      g_assert_true (kiosk_test_wait_for (ignored_is_three, f, 5000));
    }

  /* Staff can still reach the admin screen at night. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "admin.request", NULL));
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_PIN);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "pin.cancel", NULL));
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_CLOSED);

  kiosk_flow_set_open (f->kiosk.flow, TRUE);
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_SURVEY);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (f->kiosk.window), "dim"));
  vote (f, 3, "button");
  g_assert_cmpint (kiosk_store_get_last_seq (f->kiosk.store), ==, 1);
}

/* --- Attract ------------------------------------------------------------------------------ */

/* After the idle time the attract screen; a tap where a face was wakes the survey and votes
 * for nothing; a physical button votes from the attract screen. */
static void
test_attract (Fixture       *f,
              gconstpointer  data)
{
  KioskWindowTimings timings = { .attract_after_ms = 300, .shift_every_ms = 0 };
  g_autofree char *xid = kiosk_test_window_xid (GTK_WIDGET (f->kiosk.window));
  g_autofree char *x = NULL, *y = NULL;
  graphene_rect_t face;

  g_assert_true (gtk_widget_compute_bounds (face_button (f, 0), GTK_WIDGET (f->kiosk.window),
                                            &face));
  x = g_strdup_printf ("%.0f", face.origin.x + face.size.width / 2);
  y = g_strdup_printf ("%.0f", face.origin.y + face.size.height / 2);

  kiosk_window_set_timings (f->kiosk.window, &timings);
  g_assert_true (kiosk_test_wait_for (on_attract, f, 5000));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->kiosk.window), "dim"));
  kiosk_test_check_page_layout (f->kiosk.window, "attract at 1280x800");
  kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), "attract-1280x800.png");

  if (xid != NULL)
    {
      g_assert_true (kiosk_test_xdotool ("mousemove", "--window", xid, x, y, "click", "1", NULL));
      g_assert_true (kiosk_test_wait_for (on_survey, f, 5000));
      kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
      g_assert_cmpint (kiosk_store_get_last_seq (f->kiosk.store), ==, 0);
      g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (f->kiosk.window), "dim"));
    }
  else
    {
      kiosk_test_activate (GTK_WIDGET (f->kiosk.window), "attract.wake", NULL);
      g_assert_cmpint (page (f), ==, KIOSK_PAGE_SURVEY);
    }

  /* It comes back after the same wait, and a button votes from it. */
  g_assert_true (kiosk_test_wait_for (on_attract, f, 5000));
  vote (f, 2, "button");
  g_assert_cmpint (kiosk_store_get_last_seq (f->kiosk.store), ==, 1);
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_FOLLOW_UP);
}

/* attract-after-minutes = 0 (the default): the survey stays, no timer waits. */
static void
test_attract_off (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_cmpuint (kiosk_config_get_attract_after_minutes (f->kiosk.config), ==, 0);
  kiosk_test_hold (300);
  kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_SURVEY);
}

/* --- Burn-in care ------------------------------------------------------------------------- */

typedef struct
{
  Fixture *f;
  int      x, y;
} Offset;

static gboolean
offset_changed (gpointer user_data)
{
  Offset *o = user_data;
  KioskShiftBin *bin = KIOSK_SHIFT_BIN (kiosk_test_find_mapped (GTK_WIDGET (o->f->kiosk.window),
                                                                KIOSK_TYPE_SHIFT_BIN));
  int x, y;

  kiosk_shift_bin_get_offset (bin, &x, &y);
  return x != o->x || y != o->y;
}

static void
test_shift (Fixture       *f,
            gconstpointer  data)
{
  KioskWindowTimings timings = { .shift_every_ms = 100 };
  KioskShiftBin *bin = KIOSK_SHIFT_BIN (kiosk_test_find_mapped (GTK_WIDGET (f->kiosk.window),
                                                                KIOSK_TYPE_SHIFT_BIN));
  GtkWidget *question = NULL;
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  graphene_rect_t before, after;
  Offset o = { f, 0, 0 };

  g_assert_nonnull (bin);
  kiosk_shift_bin_get_offset (bin, &o.x, &o.y);
  g_assert_cmpint (o.x, ==, 0);
  g_assert_cmpint (o.y, ==, 0);

  kiosk_test_collect (kiosk_window_get_page_widget (f->kiosk.window), GTK_TYPE_LABEL, TRUE, labels);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_has_css_class (g_ptr_array_index (labels, i), "question"))
      question = g_ptr_array_index (labels, i);
  g_assert_nonnull (question);
  g_assert_true (gtk_widget_compute_bounds (question, GTK_WIDGET (f->kiosk.window), &before));

  kiosk_window_set_timings (f->kiosk.window, &timings);
  /* Nine positions, looked at after each move; a slow build (the sanitizers') may look only
   * after two moves, so the walk is followed for up to four rounds until all nine were seen. */
  for (int step = 0; step < 36 && g_hash_table_size (seen) < 9; step++)
    {
      g_assert_true (kiosk_test_wait_for (offset_changed, &o, 5000));
      kiosk_shift_bin_get_offset (bin, &o.x, &o.y);
      g_assert_cmpint (ABS (o.x), <=, 4);
      g_assert_cmpint (ABS (o.y), <=, 4);
      g_hash_table_add (seen, GINT_TO_POINTER ((o.x + 8) * 100 + (o.y + 8)));

      /* The page moves as a whole, by the offset, without changing size. */
      kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
      g_assert_true (gtk_widget_compute_bounds (question, GTK_WIDGET (f->kiosk.window), &after));
      kiosk_shift_bin_get_offset (bin, &o.x, &o.y);
      g_assert_cmpfloat (after.origin.x - before.origin.x, ==, o.x);
      g_assert_cmpfloat (after.origin.y - before.origin.y, ==, o.y);
      g_assert_cmpfloat (after.size.width, ==, before.size.width);
    }

  /* It walks around the centre: every position of the 3 x 3 grid. */
  g_assert_cmpuint (g_hash_table_size (seen), ==, 9);
  kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), "survey-shifted-1280x800.png");
}

/* --- No selection ------------------------------------------------------------------------- */

static void
assert_no_selectable_label (Fixture    *f,
                            const char *where)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
  kiosk_test_collect (GTK_WIDGET (f->kiosk.window), GTK_TYPE_LABEL, TRUE, labels);
  g_assert_cmpuint (labels->len, >, 0);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_label_get_selectable (g_ptr_array_index (labels, i)))
      g_error ("%s: “%s” can be selected", where,
               gtk_label_get_text (g_ptr_array_index (labels, i)));
}

/* Every screen a visitor or staff member can see: no label takes a selection (or a copy). */
static void
test_no_selectable_labels (Fixture       *f,
                           gconstpointer  data)
{
  KioskWindowTimings timings = { .attract_after_ms = 200 };

  assert_no_selectable_label (f, "survey");
  vote (f, 0, "touch");
  assert_no_selectable_label (f, "follow-up");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "follow-up.next", NULL));
  assert_no_selectable_label (f, "comment");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "comment.send", NULL));
  assert_no_selectable_label (f, "consent");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "contact.accept", NULL));
  assert_no_selectable_label (f, "contact");
  kiosk_test_activate (GTK_WIDGET (f->kiosk.window), "contact.decline", NULL);
  assert_no_selectable_label (f, "thanks");
  g_assert_true (kiosk_test_wait_for (on_survey, f, 5000));

  kiosk_flow_set_open (f->kiosk.flow, FALSE);
  assert_no_selectable_label (f, "closed");
  kiosk_flow_set_open (f->kiosk.flow, TRUE);

  kiosk_window_set_timings (f->kiosk.window, &timings);
  g_assert_true (kiosk_test_wait_for (on_attract, f, 5000));
  assert_no_selectable_label (f, "attract");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "attract.wake", NULL));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "admin.request", NULL));
  assert_no_selectable_label (f, "PIN pad");
  for (const char *p = "2468"; *p; p++)
    {
      char digit[2] = { *p, '\0' };

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "pin.digit", "s",
                                                 digit));
    }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "pin.submit", NULL));
  g_assert_cmpint (page (f), ==, KIOSK_PAGE_ADMIN);
  assert_no_selectable_label (f, "admin");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  kiosk_test_ui_init (&argc, &argv);

  pin_hash = kiosk_pin_hash ("2468", &error);
  g_assert_no_error (error);

  g_test_add_func ("/screens/closed/reopens-text", test_reopens_text);
  g_test_add ("/screens/closed", Fixture,
              "[hours]\ntimezone = UTC\nmonday = 08:00-18:00\ntuesday = 08:00-18:00\n"
              "wednesday = 08:00-18:00\nthursday = 08:00-18:00\nfriday = 08:00-18:00\n",
              fixture_setup, test_closed, fixture_teardown);
  g_test_add ("/screens/attract", Fixture, NULL, fixture_setup, test_attract, fixture_teardown);
  g_test_add ("/screens/attract/off", Fixture, NULL, fixture_setup, test_attract_off,
              fixture_teardown);
  g_test_add ("/screens/shift", Fixture, NULL, fixture_setup, test_shift, fixture_teardown);
  g_test_add ("/screens/no-selectable-labels", Fixture, NULL, fixture_setup,
              test_no_selectable_labels, fixture_teardown);

  return g_test_run ();
}
