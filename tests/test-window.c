/* test-window.c: the kiosk window under a real display (Xvfb): votes through the action, the
 * pages, the layout at the screen sizes kiosks have, and the escape routes that must stay shut. */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "kiosk-countdown.h"
#include "kiosk-keyboard.h"
#include "kiosk-test-ui.h"
#include "kiosk-test-util.h"
#include "kiosk-window.h"

typedef struct
{
  KioskTestKiosk kiosk;
  guint          paints;
} Fixture;

/* A survey with no follow-up at all: a vote goes straight to the thank-you page. */
static const char survey_without_follow_up[] =
  "{ \"id\": \"plain\", \"version\": 3, \"default_language\": \"en\", \"languages\": [\"en\"],"
  "  \"question\": { \"en\": \"How was it?\" },"
  "  \"faces\": { \"negative\": [0, 1], \"positive\": [2, 3] },"
  "  \"thank_you\": { \"en\": \"Thanks!\" } }";

/* A right-to-left language, to see the layout mirror. */
static const char survey_arabic[] =
  "{ \"id\": \"rtl\", \"version\": 1, \"default_language\": \"en\", \"languages\": [\"en\", \"ar\"],"
  "  \"question\": { \"en\": \"How was it?\", \"ar\": \"كيف كانت زيارتك؟\" },"
  "  \"faces\": { \"negative\": [0, 1], \"positive\": [2, 3] },"
  "  \"thank_you\": { \"en\": \"Thanks!\", \"ar\": \"شكرا!\" } }";

static KioskSurvey *
make_survey (const char *json)
{
  g_autoptr(GError) error = NULL;
  KioskSurvey *survey;

  if (json == NULL)
    return kiosk_survey_new_demo ();

  /* The demo with a shorter timeout (demo_with_timeout()) still speaks every catalogue's
   * language, as the demo does. */
  if (strstr (json, "\"id\": \"demo\"") != NULL)
    survey = kiosk_survey_new_demo_from_data (json, -1, &error);
  else
    survey = kiosk_survey_new_from_data (json, -1, "test-survey.json", &error);
  g_assert_no_error (error);
  return survey;
}

/* The demo survey with a follow-up timeout of @seconds, so a timeout test takes seconds. */
static char *
demo_with_timeout (guint seconds)
{
  g_autoptr(GBytes) demo = kiosk_survey_get_demo_data ();
  g_autofree char *json = g_strndup (g_bytes_get_data (demo, NULL), g_bytes_get_size (demo));
  g_autofree char *value = g_strdup_printf ("\"timeout_seconds\": %u", seconds);
  g_auto(GStrv) parts = g_strsplit (json, "\"timeout_seconds\": 20", 2);

  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  return g_strjoin (value, parts[0], parts[1], NULL);
}

static void
after_paint_cb (GdkFrameClock *clock,
                Fixture       *f)
{
  f->paints++;
}

static gboolean
window_painted (gpointer user_data)
{
  Fixture *f = user_data;

  return f->paints > 0;
}

static void
make_window_full (Fixture    *f,
                  gboolean    kiosk_mode,
                  const char *db_path,
                  const char *survey_json,
                  int         width,
                  int         height)
{
  g_autoptr(KioskSurvey) survey = make_survey (survey_json);

  kiosk_test_kiosk_open_store (&f->kiosk, "thank-you-seconds = 0.5\nmisuse-interval = 0\n",
                               db_path);
  kiosk_test_kiosk_show (&f->kiosk, survey, kiosk_mode, width, height);
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (f->kiosk.window)), "after-paint",
                    G_CALLBACK (after_paint_cb), f);
}

static void
make_window_sized (Fixture    *f,
                   gboolean    kiosk_mode,
                   const char *db_path,
                   int         width,
                   int         height)
{
  make_window_full (f, kiosk_mode, db_path, NULL, width, height);
}

static void
make_window (Fixture    *f,
             gboolean    kiosk_mode,
             const char *db_path)
{
  make_window_sized (f, kiosk_mode, db_path, -1, -1);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  make_window (f, GPOINTER_TO_INT (data), NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->kiosk.window));

  if (clock != NULL)
    g_signal_handlers_disconnect_by_func (clock, after_paint_cb, f);
  kiosk_test_kiosk_close (&f->kiosk);
}

/* Replaces the fixture's window with one on another survey or at another size. */
static void
remake_window (Fixture    *f,
               const char *survey_json,
               int         width,
               int         height)
{
  fixture_teardown (f, NULL);
  memset (f, 0, sizeof *f);
  make_window_full (f, FALSE, NULL, survey_json, width, height);
}

#define activate(f, ...) kiosk_test_activate (GTK_WIDGET ((f)->kiosk.window), __VA_ARGS__)

static gboolean
page_is (Fixture     *f,
         KioskPageId  id)
{
  return kiosk_window_get_page (f->kiosk.window) == id;
}

static GtkWidget *
visible_page (Fixture *f)
{
  return kiosk_window_get_page_widget (f->kiosk.window);
}

/* The last response in the database, as stored. */
static KioskResponse *
last_stored (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = kiosk_store_list_responses (f->kiosk.store, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, >, 0);
  return kiosk_response_copy (g_ptr_array_index (rows, rows->len - 1));
}

/* The button a visitor sees for @action (and @target, when given). */
static GtkWidget *
find_button (Fixture    *f,
             const char *action,
             const char *target)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  kiosk_test_collect (visible_page (f), GTK_TYPE_BUTTON, TRUE, buttons);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);
      GVariant *value = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (button));

      if (g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), action) != 0)
        continue;
      if (target == NULL ||
          (value && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) &&
           g_str_equal (g_variant_get_string (value, NULL), target)))
        return button;
    }

  return NULL;
}

/* The texts a visitor can read on the page now. */
static GPtrArray *
visible_texts (Fixture *f)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  kiosk_test_collect (visible_page (f), GTK_TYPE_LABEL, TRUE, labels);
  for (guint i = 0; i < labels->len; i++)
    {
      const char *text = gtk_label_get_text (g_ptr_array_index (labels, i));

      if (text && *text)
        g_ptr_array_add (texts, g_strdup (text));
    }

  return texts;
}

#define assert_shows(f, text) kiosk_test_assert_shows ((f)->kiosk.window, text)

static void
type_on_keyboard (Fixture    *f,
                  const char *text)
{
  GtkWidget *keyboard = kiosk_test_find_mapped (visible_page (f), KIOSK_TYPE_KEYBOARD);

  g_assert_nonnull (keyboard);
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      char key[8] = { 0 };

      g_unichar_to_utf8 (g_utf8_get_char (p), key);
      if (g_str_equal (key, " "))
        g_assert_true (gtk_widget_activate_action (keyboard, "keyboard.space", NULL));
      else
        g_assert_true (gtk_widget_activate_action (keyboard, "keyboard.type", "s", key));
    }
}

static const char *
countdown_text (Fixture *f)
{
  GtkWidget *countdown = kiosk_test_find_mapped (visible_page (f), KIOSK_TYPE_COUNTDOWN);

  g_assert_nonnull (countdown);
  return kiosk_countdown_get_text (KIOSK_COUNTDOWN (countdown));
}

static gboolean
on_survey_page (gpointer user_data)
{
  Fixture *f = user_data;

  return kiosk_window_get_page (f->kiosk.window) == KIOSK_PAGE_SURVEY;
}

static void
test_vote_shows_thanks_and_returns (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  KioskResponse *r;

  /* A survey without follow-up questions: the thank-you page comes straight after the tap. */
  remake_window (f, survey_without_follow_up, -1, -1);
  g_assert_cmpint (kiosk_window_get_page (f->kiosk.window), ==, KIOSK_PAGE_SURVEY);
  assert_shows (f, "How was it?");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "survey.vote", "(is)",
                                             2, "touch"));

  /* The commit returned before the page changed: the row is there as the thanks page shows. */
  g_assert_cmpint (kiosk_window_get_page (f->kiosk.window), ==, KIOSK_PAGE_THANKS);
  rows = kiosk_store_list_responses (f->kiosk.store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  r = g_ptr_array_index (rows, 0);
  g_assert_cmpint (r->face, ==, 2);
  g_assert_cmpint (r->input, ==, KIOSK_INPUT_TOUCH);
  g_assert_cmpint (r->seq, ==, 1);
  g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_NONE);
  assert_shows (f, "Thanks!");

  g_assert_true (kiosk_test_wait_for (on_survey_page, f, 5000));

  /* A physical button uses the same action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "survey.vote", "(is)",
                                             0, "button"));
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = kiosk_store_list_responses (f->kiosk.store, &error);
  g_assert_cmpuint (rows->len, ==, 2);
  r = g_ptr_array_index (rows, 1);
  g_assert_cmpint (r->face, ==, 0);
  g_assert_cmpint (r->input, ==, KIOSK_INPUT_BUTTON);
}

static void
test_bad_vote_ignored (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = NULL;

  g_test_expect_message ("kiosk-window", G_LOG_LEVEL_WARNING,
                         "survey.vote: Face 7 does not exist (this survey has faces 0 to 3)");
  gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "survey.vote", "(is)", 7, "touch");
  g_test_expect_message ("kiosk-window", G_LOG_LEVEL_WARNING,
                         "survey.vote: unknown input kind “telepathy”");
  gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "survey.vote", "(is)", 1, "telepathy");
  g_test_assert_expected_messages ();

  g_assert_cmpint (kiosk_window_get_page (f->kiosk.window), ==, KIOSK_PAGE_SURVEY);
  rows = kiosk_store_list_responses (f->kiosk.store, NULL);
  g_assert_cmpuint (rows->len, ==, 0);
}

static guint
count_toplevels (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  return g_list_model_get_n_items (toplevels);
}

static void
test_close_blocked_in_kiosk_mode (Fixture       *f,
                                  gconstpointer  data)
{
  gboolean handled = FALSE;
  guint before = count_toplevels ();
  GdkCursor *cursor;

  gtk_window_close (GTK_WINDOW (f->kiosk.window));
  g_main_context_iteration (NULL, FALSE);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->kiosk.window)));

  /* The inspector binding (Ctrl+Shift+I/D) ends in this signal; nothing may open. */
  g_signal_emit_by_name (f->kiosk.window, "enable-debugging", (gboolean) TRUE, &handled);
  g_assert_true (handled);
  g_signal_emit_by_name (f->kiosk.window, "enable-debugging", (gboolean) FALSE, &handled);
  g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (count_toplevels (), ==, before);

  g_assert_true (gtk_window_get_decorated (GTK_WINDOW (f->kiosk.window)) == FALSE);
  cursor = gtk_widget_get_cursor (GTK_WIDGET (f->kiosk.window));
  g_assert_cmpstr (cursor ? gdk_cursor_get_name (cursor) : NULL, ==, "none");
}

static gboolean
window_hidden (gpointer user_data)
{
  return !gtk_widget_get_visible (user_data);
}

static void
test_close_allowed_windowed (Fixture       *f,
                             gconstpointer  data)
{
  gtk_window_close (GTK_WINDOW (f->kiosk.window));
  g_assert_true (kiosk_test_wait_for (window_hidden, f->kiosk.window, 2000));
}

static gboolean
sentinel_key_cb (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 gboolean              *seen)
{
  if (keyval == GDK_KEY_a)
    *seen = TRUE;

  return GDK_EVENT_PROPAGATE;
}

static gboolean
flag_set (gpointer user_data)
{
  return *(gboolean *) user_data;
}

/* Real key presses through the X server, as a visitor with a keyboard would type them. */
static void
test_escape_keys_do_nothing (Fixture       *f,
                             gconstpointer  data)
{
  const char *combos[] = {
    "Escape", "F11", "alt+F4", "ctrl+q", "ctrl+w", "alt+Tab", "ctrl+shift+i", "ctrl+shift+d",
    "super", "ctrl+alt+BackSpace", "Menu", "shift+F10", "shift+Menu", "ctrl+a", "ctrl+c",
  };
  g_autofree char *xid = kiosk_test_window_xid (GTK_WIDGET (f->kiosk.window));
  guint before = count_toplevels ();
  GtkEventController *sentinel;
  gboolean seen = FALSE;

  if (xid == NULL)
    {
      g_test_skip ("needs xdotool and an X11 display");
      return;
    }

  g_assert_true (kiosk_test_xdotool ("windowfocus", "--sync", xid, NULL));

  /* X delivers keys in order: once a plain "a" typed after the combination arrived, the
   * combination has been handled. */
  sentinel = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (sentinel, GTK_PHASE_CAPTURE);
  g_signal_connect (sentinel, "key-pressed", G_CALLBACK (sentinel_key_cb), &seen);
  gtk_widget_add_controller (GTK_WIDGET (f->kiosk.window), sentinel);

  for (guint i = 0; i < G_N_ELEMENTS (combos); i++)
    {
      seen = FALSE;
      g_assert_true (kiosk_test_xdotool ("key", "--clearmodifiers", combos[i], "a", NULL));
      g_assert_true (kiosk_test_wait_for (flag_set, &seen, 5000));

      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->kiosk.window)));
      g_assert_cmpuint (count_toplevels (), ==, before);
      g_assert_cmpint (kiosk_window_get_page (f->kiosk.window), ==, KIOSK_PAGE_SURVEY);
    }

  /* The keys really reached the window: Enter on a focused face would be a vote, but no face
   * takes focus from a click, so nothing was recorded either. */
  g_assert_cmpint (kiosk_store_get_last_seq (f->kiosk.store), ==, 0);
}

static gboolean
no_popover (Fixture *f)
{
  g_autoptr(GPtrArray) popovers = g_ptr_array_new ();

  kiosk_test_collect (GTK_WIDGET (f->kiosk.window), GTK_TYPE_POPOVER, TRUE, popovers);
  return popovers->len == 0;
}

/* Where @widget's middle is, in window coordinates, for xdotool. */
static void
center_of (Fixture    *f,
           GtkWidget  *widget,
           char      **x,
           char      **y)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (widget, GTK_WIDGET (f->kiosk.window), &bounds));
  *x = g_strdup_printf ("%.0f", bounds.origin.x + bounds.size.width / 2);
  *y = g_strdup_printf ("%.0f", bounds.origin.y + bounds.size.height / 2);
}

static GtkWidget *
face_button (Fixture *f,
             int      face)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  g_autofree char *css = g_strdup_printf ("face-%d", face);

  kiosk_test_collect (visible_page (f), GTK_TYPE_BUTTON, TRUE, buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (gtk_widget_has_css_class (g_ptr_array_index (buttons, i), css))
      return g_ptr_array_index (buttons, i);

  return NULL;
}

static void
settle (Fixture *f)
{
  f->paints = 0;
  gtk_widget_queue_draw (GTK_WIDGET (f->kiosk.window));
  g_assert_true (kiosk_test_wait_for (window_painted, f, 5000));
}

/* The pointer, as a finger or a mouse would use it in kiosk mode: right and middle clicks, long
 * presses and drags vote for nothing, open no menu and paste nothing; the context-menu keys do
 * nothing in a text field either. */
static void
test_pointer_does_nothing (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *xid = kiosk_test_window_xid (GTK_WIDGET (f->kiosk.window));
  g_autofree char *fx = NULL, *fy = NULL, *tx = NULL, *ty = NULL;
  g_autofree char *qx = NULL, *qy = NULL;
  GtkWidget *question = NULL;
  GtkWidget *text_view;
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  guint before = count_toplevels ();

  if (xid == NULL)
    {
      g_test_skip ("needs xdotool and an X11 display");
      return;
    }

  g_assert_true (kiosk_window_get_kiosk_mode (f->kiosk.window));
  g_assert_true (kiosk_test_xdotool ("windowfocus", "--sync", xid, NULL));
  center_of (f, face_button (f, 0), &fx, &fy);
  center_of (f, face_button (f, 3), &tx, &ty);
  kiosk_test_collect (visible_page (f), GTK_TYPE_LABEL, TRUE, labels);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_has_css_class (g_ptr_array_index (labels, i), "question"))
      question = g_ptr_array_index (labels, i);
  center_of (f, question, &qx, &qy);

  /* Right and middle click on a face: no vote. */
  g_assert_true (kiosk_test_xdotool ("mousemove", "--window", xid, fx, fy, "click", "3", NULL));
  g_assert_true (kiosk_test_xdotool ("click", "2", NULL));
  settle (f);
  g_assert_cmpint (kiosk_store_get_last_seq (f->kiosk.store), ==, 0);
  g_assert_true (page_is (f, KIOSK_PAGE_SURVEY));

  /* A long press on the question, held the way a curious finger would: nothing. */
  g_assert_true (kiosk_test_xdotool ("mousemove", "--window", xid, qx, qy, "mousedown", "1", NULL));
  kiosk_test_hold (1500);
  g_assert_true (kiosk_test_xdotool ("mouseup", "1", NULL));
  settle (f);
  g_assert_cmpint (kiosk_store_get_last_seq (f->kiosk.store), ==, 0);
  g_assert_true (no_popover (f));

  /* A drag from one face to another: neither votes. */
  g_assert_true (kiosk_test_xdotool ("mousemove", "--window", xid, fx, fy, "mousedown", "1", NULL));
  g_assert_true (kiosk_test_xdotool ("mousemove", "--window", xid, qx, qy, NULL));
  g_assert_true (kiosk_test_xdotool ("mousemove", "--window", xid, tx, ty, "mouseup", "1", NULL));
  settle (f);
  g_assert_cmpint (kiosk_store_get_last_seq (f->kiosk.store), ==, 0);
  g_assert_true (page_is (f, KIOSK_PAGE_SURVEY));
  g_assert_true (no_popover (f));

  /* A long press on a face is a press like any other: one vote, nothing more. */
  g_assert_true (kiosk_test_xdotool ("mousemove", "--window", xid, fx, fy, "mousedown", "1", NULL));
  kiosk_test_hold (1500);
  g_assert_true (kiosk_test_xdotool ("mouseup", "1", NULL));
  settle (f);
  g_assert_cmpint (kiosk_store_get_last_seq (f->kiosk.store), ==, 1);
  g_assert_true (page_is (f, KIOSK_PAGE_FOLLOW_UP));
  g_assert_true (no_popover (f));

  /* In the comment field: no context menu by right click, long press or key; no paste. */
  activate (f, "follow-up.next", NULL);
  g_assert_true (page_is (f, KIOSK_PAGE_COMMENT));
  type_on_keyboard (f, "abc");
  settle (f);
  text_view = kiosk_test_find_mapped (visible_page (f), GTK_TYPE_TEXT_VIEW);
  g_assert_nonnull (text_view);
  g_clear_pointer (&tx, g_free);
  g_clear_pointer (&ty, g_free);
  center_of (f, text_view, &tx, &ty);

  g_assert_true (kiosk_test_xdotool ("mousemove", "--window", xid, tx, ty, "click", "3", NULL));
  settle (f);
  g_assert_true (no_popover (f));
  g_assert_true (kiosk_test_xdotool ("click", "2", NULL));
  g_assert_true (kiosk_test_xdotool ("mousedown", "1", NULL));
  kiosk_test_hold (1500);
  g_assert_true (kiosk_test_xdotool ("mouseup", "1", NULL));
  g_assert_true (kiosk_test_xdotool ("key", "--clearmodifiers", "Menu", "shift+F10", "ctrl+v",
                                     NULL));
  settle (f);
  settle (f);
  g_assert_true (no_popover (f));
  g_assert_cmpstr (kiosk_flow_get_comment (f->kiosk.flow), ==, "Abc");
  g_assert_true (page_is (f, KIOSK_PAGE_COMMENT));
  g_assert_cmpuint (count_toplevels (), ==, before);
}

typedef struct
{
  int width;
  int height;
} Size;

static gboolean
allocated_at (gpointer user_data)
{
  Fixture *f = user_data;
  int w = gtk_widget_get_width (GTK_WIDGET (f->kiosk.window));
  int h = gtk_widget_get_height (GTK_WIDGET (f->kiosk.window));
  int dw, dh;

  gtk_window_get_default_size (GTK_WINDOW (f->kiosk.window), &dw, &dh);
  return w == dw && h == dh;
}

static void
collect_buttons (GtkWidget *widget,
                 GPtrArray *buttons)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_has_css_class (widget, "face"))
    g_ptr_array_add (buttons, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    collect_buttons (child, buttons);
}

/* Each face at least 20 % of the width in landscape, all four in the lower part of the screen,
 * every word fully shown, at the sizes kiosks really have. */
static void
test_layout_sizes (Fixture       *f,
                   gconstpointer  data)
{
  const Size sizes[] = {
    { 1280, 800 }, { 800, 480 }, { 1920, 1080 }, { 1024, 600 }, { 480, 800 }, { 1080, 1920 },
  };
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      int w = sizes[s].width, h = sizes[s].height;
      gboolean landscape = w > h;
      g_autofree char *name = g_strdup_printf ("screenshot-%dx%d.png", w, h);
      g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

      /* As a kiosk starts: at its monitor's size from the first frame. */
      fixture_teardown (f, NULL);
      memset (f, 0, sizeof *f);
      make_window_sized (f, FALSE, NULL, w, h);
      g_assert_true (kiosk_test_wait_for (allocated_at, f, 5000));
      f->paints = 0;
      g_assert_true (kiosk_test_wait_for (window_painted, f, 5000));

      collect_buttons (GTK_WIDGET (f->kiosk.window), buttons);
      g_assert_cmpuint (buttons->len, ==, 4);

      for (guint i = 0; i < buttons->len; i++)
        {
          GtkWidget *button = g_ptr_array_index (buttons, i);
          GtkWidget *face = gtk_widget_get_first_child (gtk_button_get_child (GTK_BUTTON (button)));
          GtkWidget *word = gtk_widget_get_next_sibling (face);
          graphene_rect_t face_bounds, word_bounds;
          int text_width, text_height;
          double side;

          g_assert_true (gtk_widget_compute_bounds (face, GTK_WIDGET (f->kiosk.window),
                                                    &face_bounds));
          g_assert_true (gtk_widget_compute_bounds (word, GTK_WIDGET (f->kiosk.window),
                                                    &word_bounds));
          side = MIN (face_bounds.size.width, face_bounds.size.height);
          g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->kiosk.window)), ==, w);

          if (landscape)
            g_assert_cmpfloat (side, >=, 0.20 * w);
          else
            g_assert_cmpfloat (side, >=, 0.18 * w);

          /* Reach height: the faces sit in the lower part of the screen. */
          g_assert_cmpfloat (face_bounds.origin.y + face_bounds.size.height / 2, >, 0.5 * h);
          g_assert_cmpfloat (word_bounds.origin.y + word_bounds.size.height, <=, h);

          /* The word's text, as laid out, fits in what the label was given. */
          pango_layout_get_pixel_size (gtk_label_get_layout (GTK_LABEL (word)), &text_width,
                                       &text_height);
          g_assert_cmpfloat (word_bounds.size.height, >=, text_height);
          g_assert_cmpfloat (word_bounds.size.width, >=, text_width);
        }

      kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), name);
    }
}


/* A negative face on the demo survey: options (several may be chosen), a comment typed on the
 * kiosk keyboard, then the contact step declined. One response holds all of it. */
static void
test_follow_up_answered (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(KioskResponse) r = NULL;
  GtkWidget *next;

  activate (f, "survey.vote", "(is)", 0, "touch");
  g_assert_true (page_is (f, KIOSK_PAGE_FOLLOW_UP));
  assert_shows (f, "What could we do better?");
  assert_shows (f, "Waiting time");
  assert_shows (f, "Choose as many as you like");
  g_assert_cmpstr (countdown_text (f), ==, "20");

  /* The face is on disk before the follow-up shows; the visit is still open. */
  r = last_stored (f);
  g_assert_cmpint (r->face, ==, 0);
  g_assert_true (r->visit_open);
  g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_PENDING);
  g_clear_pointer (&r, kiosk_response_free);

  /* Next leads to the comment: it needs no selection. */
  next = find_button (f, "follow-up.next", NULL);
  g_assert_nonnull (next);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (next)), ==, "Next");

  activate (f, "follow-up.toggle", "s", "prices");
  activate (f, "follow-up.toggle", "s", "waiting-time");
  activate (f, "follow-up.toggle", "s", "staff");
  activate (f, "follow-up.toggle", "s", "staff");
  g_assert_true (gtk_widget_has_css_class (find_button (f, "follow-up.toggle", "prices"),
                                           "selected"));
  g_assert_false (gtk_widget_has_css_class (find_button (f, "follow-up.toggle", "staff"),
                                            "selected"));
  /* The option buttons are real buttons with the option's label as their name. */
  g_assert_nonnull (find_button (f, "follow-up.toggle", "other"));

  activate (f, "follow-up.next", NULL);
  g_assert_true (page_is (f, KIOSK_PAGE_COMMENT));
  assert_shows (f, "Tell us more (optional)");
  assert_shows (f, "0 / 200");
  g_assert_cmpstr (countdown_text (f), ==, "20");

  /* The keyboard starts shifted for the first letter. */
  type_on_keyboard (f, "too slow at 5 pm");
  assert_shows (f, "16 / 200");
  g_assert_cmpstr (kiosk_flow_get_comment (f->kiosk.flow), ==, "Too slow at 5 pm");
  activate (f, "comment.send", NULL);

  g_assert_true (page_is (f, KIOSK_PAGE_CONTACT));
  assert_shows (f, "May we contact you about your feedback?");
  assert_shows (f, "Yes, you may contact me about my feedback. My details are used for this only.");
  /* No field before consent. */
  g_assert_null (kiosk_test_find_mapped (visible_page (f), GTK_TYPE_ENTRY));
  g_assert_null (find_button (f, "contact.send", NULL));
  activate (f, "contact.decline", NULL);

  g_assert_true (page_is (f, KIOSK_PAGE_THANKS));
  assert_shows (f, "Thank you for your feedback!");

  r = last_stored (f);
  g_assert_false (r->visit_open);
  g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_ANSWERED);
  g_assert_cmpstr (r->follow_up_id, ==, "improve");
  g_assert_cmpuint (g_strv_length (r->follow_up_selected), ==, 2);
  /* In the follow-up's order, not the order tapped. */
  g_assert_cmpstr (r->follow_up_selected[0], ==, "waiting-time");
  g_assert_cmpstr (r->follow_up_selected[1], ==, "prices");
  g_assert_cmpstr (r->comment, ==, "Too slow at 5 pm");
  g_assert_false (r->contact_consent);
  g_assert_null (r->contact_email);

  g_assert_true (kiosk_test_wait_for (on_survey_page, f, 5000));
}

/* A positive face: one answer only, and "Done" needs it. */
static void
test_follow_up_single_choice (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(KioskResponse) r = NULL;
  GtkWidget *done;

  activate (f, "survey.vote", "(is)", 3, "touch");
  g_assert_true (page_is (f, KIOSK_PAGE_FOLLOW_UP));
  assert_shows (f, "What did you like most?");
  assert_shows (f, "Choose one");

  done = find_button (f, "follow-up.next", NULL);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (done)), ==, "Done");
  g_assert_false (gtk_widget_get_sensitive (done));
  /* A disabled action does nothing, whoever activates it. */
  gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "follow-up.next", NULL);
  g_assert_true (page_is (f, KIOSK_PAGE_FOLLOW_UP));

  activate (f, "follow-up.toggle", "s", "staff");
  activate (f, "follow-up.toggle", "s", "speed");
  g_assert_true (gtk_widget_get_sensitive (done));
  g_assert_false (gtk_widget_has_css_class (find_button (f, "follow-up.toggle", "staff"),
                                            "selected"));
  activate (f, "follow-up.next", NULL);
  g_assert_true (page_is (f, KIOSK_PAGE_THANKS));

  r = last_stored (f);
  g_assert_cmpint (r->face, ==, 3);
  g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_ANSWERED);
  g_assert_cmpstr (r->follow_up_id, ==, "liked");
  g_assert_cmpuint (g_strv_length (r->follow_up_selected), ==, 1);
  g_assert_cmpstr (r->follow_up_selected[0], ==, "speed");
}

static void
test_follow_up_skipped (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(KioskResponse) r = NULL;

  activate (f, "survey.vote", "(is)", 1, "touch");
  g_assert_true (page_is (f, KIOSK_PAGE_FOLLOW_UP));
  assert_shows (f, "Skip");
  activate (f, "follow-up.toggle", "s", "cleanliness");
  activate (f, "follow-up.skip", NULL);
  g_assert_true (page_is (f, KIOSK_PAGE_THANKS));

  r = last_stored (f);
  g_assert_cmpint (r->face, ==, 1);
  g_assert_false (r->visit_open);
  g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_SKIPPED);
  /* Skipped keeps nothing of the follow-up. */
  g_assert_true (r->follow_up_selected == NULL || r->follow_up_selected[0] == NULL);

  /* Actions of a page that is not shown do nothing. */
  g_assert_true (kiosk_test_wait_for (on_survey_page, f, 5000));
  gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "follow-up.skip", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "comment.send", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "contact.send", NULL);
  g_assert_true (page_is (f, KIOSK_PAGE_SURVEY));
  g_assert_cmpint (kiosk_store_get_last_seq (f->kiosk.store), ==, 1);
}

static gboolean
countdown_below_start (gpointer user_data)
{
  Fixture *f = user_data;

  return kiosk_flow_get_remaining_seconds (f->kiosk.flow) <
         kiosk_survey_get_follow_up_timeout_s (kiosk_flow_get_survey (f->kiosk.flow));
}

static gboolean
countdown_is_full (gpointer user_data)
{
  Fixture *f = user_data;

  return g_strcmp0 (countdown_text (f), "5") == 0;
}

static gboolean
left_follow_up (gpointer user_data)
{
  Fixture *f = user_data;

  return !page_is (f, KIOSK_PAGE_FOLLOW_UP) && !page_is (f, KIOSK_PAGE_COMMENT) &&
         !page_is (f, KIOSK_PAGE_CONTACT);
}

/* The countdown shows on every follow-up step; walking away ends the visit as "timeout",
 * keeping what was chosen. */
static void
test_follow_up_timeout (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *json = demo_with_timeout (3);
  g_autoptr(KioskResponse) r = NULL;
  GtkWidget *countdown;

  remake_window (f, json, -1, -1);
  activate (f, "survey.vote", "(is)", 0, "touch");
  g_assert_cmpstr (countdown_text (f), ==, "3");
  kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
  countdown = kiosk_test_find_mapped (visible_page (f), KIOSK_TYPE_COUNTDOWN);
  g_assert_true (gtk_widget_get_mapped (countdown));
  g_assert_cmpint (gtk_widget_get_width (countdown), >=, 40);

  activate (f, "follow-up.toggle", "s", "staff");
  g_assert_true (kiosk_test_wait_for (countdown_below_start, f, 5000));
  g_assert_cmpstr (countdown_text (f), ==, "2");

  g_assert_true (kiosk_test_wait_for (left_follow_up, f, 10000));
  g_assert_true (page_is (f, KIOSK_PAGE_THANKS));
  r = last_stored (f);
  g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_TIMEOUT);
  g_assert_cmpuint (g_strv_length (r->follow_up_selected), ==, 1);
  g_assert_cmpstr (r->follow_up_selected[0], ==, "staff");
  g_assert_false (r->visit_open);
}

/* A touch anywhere, even where there is no button, restarts the countdown: through the
 * window's capture-phase gesture, with a real click from the X server. */
static void
test_countdown_restarts_on_touch (Fixture       *f,
                                  gconstpointer  data)
{
  g_autofree char *json = demo_with_timeout (5);
  g_autofree char *xid = NULL;

  remake_window (f, json, 800, 480);
  xid = kiosk_test_window_xid (GTK_WIDGET (f->kiosk.window));
  if (xid == NULL)
    {
      g_test_skip ("needs xdotool and an X11 display");
      return;
    }

  for (guint step = 0; step < 2; step++)
    {
      if (step == 0)
        {
          activate (f, "survey.vote", "(is)", 0, "touch");
          g_assert_true (page_is (f, KIOSK_PAGE_FOLLOW_UP));
        }
      else
        {
          activate (f, "follow-up.next", NULL);
          g_assert_true (page_is (f, KIOSK_PAGE_COMMENT));
        }

      g_assert_cmpstr (countdown_text (f), ==, "5");
      g_assert_true (kiosk_test_wait_for (countdown_below_start, f, 5000));
      g_assert_cmpstr (countdown_text (f), !=, "5");

      /* Near the top left corner: page padding, no button. */
      g_assert_true (kiosk_test_xdotool ("mousemove", "--window", xid, "6", "6", "click", "1",
                                         NULL));
      g_assert_true (kiosk_test_wait_for (countdown_is_full, f, 5000));
      g_assert_cmpstr (countdown_text (f), ==, "5");
    }
}

/* Consent first, then the fields, typed on the keyboard; a wrong address is caught with a
 * message for the visitor; details are stored with the consent and never logged. */
static void
test_contact_with_consent (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(KioskResponse) r = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();
  GtkWidget *keyboard;
  GtkWidget *error_label = NULL;
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  kiosk_test_log_clear ();
  activate (f, "survey.vote", "(is)", 0, "touch");
  activate (f, "follow-up.toggle", "s", "other");
  activate (f, "follow-up.next", NULL);
  activate (f, "comment.skip", NULL);
  g_assert_true (page_is (f, KIOSK_PAGE_CONTACT));
  g_assert_cmpstr (countdown_text (f), ==, "20");
  assert_shows (f, "Yes, contact me");
  assert_shows (f, "No, thanks");

  activate (f, "contact.accept", NULL);
  assert_shows (f, "How can we reach you?");
  assert_shows (f, "Name");
  assert_shows (f, "E-mail");
  assert_shows (f, "Phone");
  g_assert_cmpstr (countdown_text (f), ==, "20");
  kiosk_test_collect (visible_page (f), GTK_TYPE_ENTRY, TRUE, entries);
  g_assert_cmpuint (entries->len, ==, 3);
  keyboard = kiosk_test_find_mapped (visible_page (f), KIOSK_TYPE_KEYBOARD);
  g_assert_true (kiosk_keyboard_get_target (KIOSK_KEYBOARD (keyboard)) ==
                 g_ptr_array_index (entries, 0));

  type_on_keyboard (f, "mia");
  g_assert_cmpstr (gtk_editable_get_text (g_ptr_array_index (entries, 0)), ==, "Mia");

  /* The keyboard types where the visitor touched. */
  gtk_widget_grab_focus (g_ptr_array_index (entries, 1));
  g_assert_true (kiosk_keyboard_get_target (KIOSK_KEYBOARD (keyboard)) ==
                 g_ptr_array_index (entries, 1));
  type_on_keyboard (f, "mia@example");
  activate (f, "contact.send", NULL);
  g_assert_true (page_is (f, KIOSK_PAGE_CONTACT));

  kiosk_test_collect (visible_page (f), GTK_TYPE_LABEL, TRUE, labels);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_has_css_class (g_ptr_array_index (labels, i), "field-error"))
      error_label = g_ptr_array_index (labels, i);
  g_assert_nonnull (error_label);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==,
                   "Please check the e-mail address.");

  type_on_keyboard (f, ".fi");
  activate (f, "contact.send", NULL);
  g_assert_true (page_is (f, KIOSK_PAGE_THANKS));

  r = last_stored (f);
  g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_ANSWERED);
  g_assert_true (r->contact_consent);
  g_assert_cmpstr (r->contact_name, ==, "Mia");
  g_assert_cmpstr (r->contact_email, ==, "mia@example.fi");
  g_assert_null (r->contact_phone);
  g_assert_null (r->comment);

  g_assert_false (kiosk_test_log_contains ("mia@example"));
  g_assert_false (kiosk_test_log_contains ("Mia"));
}

static gboolean
language_is_default (gpointer user_data)
{
  Fixture *f = user_data;

  return g_strcmp0 (kiosk_flow_get_language (f->kiosk.flow), "en") == 0;
}

/* Every string the visitor reads changes at once: gettext strings, face words and the
 * survey's own texts; after the visit the kiosk speaks its default language again. */
static void
test_language_switch (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) english = NULL;
  g_autoptr(GPtrArray) german = NULL;
  g_autoptr(KioskResponse) stored = NULL;
  const char * const languages[] = { "English", "Deutsch", "Français", "Suomi" };
  GtkWidget *keyboard;

  g_assert_true (page_is (f, KIOSK_PAGE_SURVEY));
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    assert_shows (f, languages[i]);
  g_assert_true (gtk_widget_has_css_class (find_button (f, "survey.language", "en"), "current"));

  english = visible_texts (f);
  assert_shows (f, "How was your visit today?");
  assert_shows (f, "Very happy");

  activate (f, "survey.language", "s", "de");
  g_assert_cmpstr (kiosk_flow_get_language (f->kiosk.flow), ==, "de");
  german = visible_texts (f);
  assert_shows (f, "Wie war Ihr Besuch heute?");
  assert_shows (f, "Sehr zufrieden");
  assert_shows (f, "Zufrieden");
  assert_shows (f, "Unzufrieden");
  assert_shows (f, "Sehr unzufrieden");
  g_assert_true (gtk_widget_has_css_class (find_button (f, "survey.language", "de"), "current"));

  /* Nothing stayed English except the language names, which are each in their own language. */
  for (guint i = 0; i < english->len; i++)
    {
      const char *text = g_ptr_array_index (english, i);
      KioskSurvey *survey = kiosk_flow_get_survey (f->kiosk.flow);
      gboolean is_language_name = FALSE;

      for (const char * const *tag = kiosk_survey_get_languages (survey); *tag; tag++)
        is_language_name |= g_str_equal (text, kiosk_survey_get_language_name (survey, *tag));
      if (!is_language_name && g_ptr_array_find_with_equal_func (german, text, g_str_equal, NULL))
        g_error ("“%s” is still shown after switching to German", text);
    }

  activate (f, "survey.vote", "(is)", 0, "touch");
  assert_shows (f, "Was können wir besser machen?");
  assert_shows (f, "Wartezeit");
  assert_shows (f, "Überspringen");
  assert_shows (f, "Weiter");
  activate (f, "follow-up.next", NULL);
  assert_shows (f, "Erzählen Sie uns mehr (freiwillig)");
  assert_shows (f, "Senden");
  keyboard = kiosk_test_find_mapped (visible_page (f), KIOSK_TYPE_KEYBOARD);
  g_assert_cmpstr (kiosk_keyboard_get_layout (KIOSK_KEYBOARD (keyboard)), ==, "de");
  activate (f, "comment.skip", NULL);
  assert_shows (f, "Dürfen wir Sie zu Ihrer Rückmeldung kontaktieren?");
  assert_shows (f, "Ja, kontaktieren Sie mich");
  assert_shows (f, "Nein, danke");
  activate (f, "contact.decline", NULL);
  assert_shows (f, "Vielen Dank für Ihre Rückmeldung!");
  assert_shows (f, "Ihr Feedback hilft uns, besser zu werden.");
  stored = last_stored (f);
  g_assert_cmpstr (stored->language, ==, "de");

  /* The next visitor is greeted in the default language. */
  g_assert_true (kiosk_test_wait_for (on_survey_page, f, 5000));
  g_assert_true (kiosk_test_wait_for (language_is_default, f, 5000));
  assert_shows (f, "How was your visit today?");
  assert_shows (f, "Very happy");
  assert_shows (f, "Happy");
  g_assert_true (gtk_widget_has_css_class (find_button (f, "survey.language", "en"), "current"));

  /* French and Finnish too, through the button a visitor taps. */
  g_signal_emit_by_name (find_button (f, "survey.language", "fr"), "clicked");
  assert_shows (f, kiosk_survey_get_question (kiosk_flow_get_survey (f->kiosk.flow), "fr"));
  assert_shows (f, "Très satisfait");
  g_signal_emit_by_name (find_button (f, "survey.language", "fi"), "clicked");
  assert_shows (f, "Millainen käyntisi oli tänään?");
  assert_shows (f, "Erittäin tyytyväinen");
}

/* A visitor who picks a language and walks away leaves the kiosk in the default language. */
static void
test_language_returns_when_idle (Fixture       *f,
                                 gconstpointer  data)
{
  g_autofree char *json = demo_with_timeout (1);

  remake_window (f, json, -1, -1);
  activate (f, "survey.language", "s", "fi");
  assert_shows (f, "Millainen käyntisi oli tänään?");
  g_assert_true (kiosk_test_wait_for (language_is_default, f, 5000));
  assert_shows (f, "How was your visit today?");
}

static void
test_right_to_left (Fixture       *f,
                    gconstpointer  data)
{
  GtkWidget *happy, *unhappy;
  graphene_rect_t a, b;

  remake_window (f, survey_arabic, 1280, 800);
  assert_shows (f, "العربية");
  activate (f, "survey.language", "s", "ar");
  assert_shows (f, "كيف كانت زيارتك؟");
  g_assert_cmpint (gtk_widget_get_default_direction (), ==, GTK_TEXT_DIR_RTL);

  f->paints = 0;
  g_assert_true (kiosk_test_wait_for (window_painted, f, 5000));
  happy = find_button (f, "survey.vote", NULL);
  g_assert_nonnull (happy);
  {
    g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

    kiosk_test_collect (visible_page (f), GTK_TYPE_BUTTON, TRUE, buttons);
    happy = unhappy = NULL;
    for (guint i = 0; i < buttons->len; i++)
      {
        GtkWidget *button = g_ptr_array_index (buttons, i);

        if (gtk_widget_has_css_class (button, "face-3"))
          happy = button;
        if (gtk_widget_has_css_class (button, "face-0"))
          unhappy = button;
      }
  }
  g_assert_true (gtk_widget_compute_bounds (happy, GTK_WIDGET (f->kiosk.window), &a));
  g_assert_true (gtk_widget_compute_bounds (unhappy, GTK_WIDGET (f->kiosk.window), &b));
  /* Mirrored: the first face of the row is on the right. */
  g_assert_cmpfloat (a.origin.x, >, b.origin.x);
  kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), "page-survey-1280x800-ar.png");

  activate (f, "survey.language", "s", "en");
  g_assert_cmpint (gtk_widget_get_default_direction (), ==, GTK_TEXT_DIR_LTR);
}


/* Everything on the page inside the screen, every text fully shown, every button big enough
 * for a finger: 44 px (the keyboard's keys 40 px tall, 7.8 mm on the Pi's 7" display). */
static void
check_page_layout (Fixture    *f,
                   int         w,
                   int         h,
                   const char *what)
{
  kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
  g_test_message ("layout of %s", what);
  /* A page that needs more than the screen makes the window grow past it. */
  if (gtk_widget_get_width (GTK_WIDGET (f->kiosk.window)) != w ||
      gtk_widget_get_height (GTK_WIDGET (f->kiosk.window)) != h)
    {
      kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), "layout-failure.png");
      g_error ("%s: the window grew to %dx%d", what,
               gtk_widget_get_width (GTK_WIDGET (f->kiosk.window)),
               gtk_widget_get_height (GTK_WIDGET (f->kiosk.window)));
    }

  kiosk_test_check_layout (GTK_WIDGET (f->kiosk.window), visible_page (f), what);
}

static void
page_screenshot (Fixture    *f,
                 const char *page,
                 int         w,
                 int         h,
                 const char *language)
{
  g_autofree char *name = g_strdup_printf ("page-%s-%dx%d-%s.png", page, w, h, language);
  g_autofree char *what = g_strdup_printf ("%s at %dx%d in %s", page, w, h, language);

  check_page_layout (f, w, h, what);
  kiosk_test_screenshot (GTK_WIDGET (f->kiosk.window), name);
}

/* Every page of a visit, in English and German (long words) at the sizes kiosks have, and in
 * Finnish and French on the smallest screens. */
static void
test_page_layouts (Fixture       *f,
                   gconstpointer  data)
{
  const Size sizes[] = { { 800, 480 }, { 1280, 800 }, { 1920, 1080 }, { 480, 800 } };
  const char * const languages[] = { "en", "de", "fi", "fr" };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint l = 0; l < G_N_ELEMENTS (languages); l++)
      {
        int w = sizes[s].width, h = sizes[s].height;
        const char *language = languages[l];

        /* Finnish and French only on the smallest screens, where long words are the risk. */
        if (l >= 2 && MIN (w, h) > 480)
          continue;

        remake_window (f, NULL, w, h);
        g_assert_true (kiosk_test_wait_for (allocated_at, f, 5000));
        activate (f, "survey.language", "s", language);
        page_screenshot (f, "survey", w, h, language);

        activate (f, "survey.vote", "(is)", 0, "touch");
        activate (f, "follow-up.toggle", "s", "staff");
        activate (f, "follow-up.toggle", "s", "prices");
        page_screenshot (f, "follow-up", w, h, language);

        activate (f, "follow-up.next", NULL);
        type_on_keyboard (f, g_str_equal (language, "de") ? "die kasse war zu" : "the till was");
        page_screenshot (f, "comment", w, h, language);

        activate (f, "comment.send", NULL);
        page_screenshot (f, "consent", w, h, language);

        activate (f, "contact.accept", NULL);
        type_on_keyboard (f, "mia");
        page_screenshot (f, "contact", w, h, language);

        activate (f, "contact.decline", NULL);
        page_screenshot (f, "thanks", w, h, language);

        /* The positive follow-up has four options: two rows of two. */
        g_assert_true (kiosk_test_wait_for (on_survey_page, f, 5000));
        activate (f, "survey.language", "s", language);
        activate (f, "survey.vote", "(is)", 3, "touch");
        activate (f, "follow-up.toggle", "s", "speed");
        page_screenshot (f, "follow-up-single", w, h, language);
      }
}

/* Keyboards of other scripts: Arabic and Hebrew right to left, Russian Cyrillic. */
static const char survey_scripts[] =
  "{ \"id\": \"scripts\", \"version\": 1, \"default_language\": \"en\","
  "  \"languages\": [\"en\", \"ar\", \"ru\", \"he\"],"
  "  \"question\": { \"en\": \"How was it?\", \"ar\": \"كيف كانت زيارتك؟\","
  "                  \"ru\": \"Как вам у нас?\", \"he\": \"איך היה?\" },"
  "  \"faces\": { \"negative\": [0, 1], \"positive\": [2, 3] },"
  "  \"follow_up\": { \"negative\": { \"id\": \"why-not\","
  "    \"question\": { \"en\": \"What went wrong?\", \"ar\": \"ما الذي لم يعجبك؟\","
  "                    \"ru\": \"Что пошло не так?\", \"he\": \"מה השתבש?\" },"
  "    \"options\": [ { \"id\": \"queue\", \"label\": { \"en\": \"Queue\", \"ar\": \"الانتظار\","
  "                   \"ru\": \"Очередь\", \"he\": \"התור\" } } ],"
  "    \"comment\": { \"max_length\": 200, \"prompt\": { \"en\": \"Tell us more\","
  "      \"ar\": \"أخبرنا المزيد\", \"ru\": \"Расскажите подробнее\", \"he\": \"ספרו לנו עוד\" } } } },"
  "  \"thank_you\": { \"en\": \"Thanks!\", \"ar\": \"شكرا!\", \"ru\": \"Спасибо!\","
  "                   \"he\": \"תודה!\" } }";

/* The comment page with the Arabic, Russian and Hebrew keyboards, every key on the screen and
 * big enough for a finger, the typed text right to left in Arabic and Hebrew. The 1280x800
 * pictures are the README's (tests/keyboard-screenshots.sh copies them to docs/keyboards). */
static void
test_keyboard_pages (Fixture       *f,
                     gconstpointer  data)
{
  const Size sizes[] = { { 1280, 800 }, { 800, 480 } };
  const struct { const char *language, *layout, *typed; } cases[] = {
    { "ar", "ara", "شكرا لكم" },
    { "ru", "ru", "спасибо за всё" },
    { "he", "il", "תודה רבה" },
  };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
      {
        int w = sizes[s].width, h = sizes[s].height;
        GtkWidget *keyboard, *text_view;

        remake_window (f, survey_scripts, w, h);
        g_assert_true (kiosk_test_wait_for (allocated_at, f, 5000));
        activate (f, "survey.language", "s", cases[c].language);
        activate (f, "survey.vote", "(is)", 0, "touch");
        activate (f, "follow-up.toggle", "s", "queue");
        activate (f, "follow-up.next", NULL);
        type_on_keyboard (f, cases[c].typed);

        keyboard = kiosk_test_find_mapped (visible_page (f), KIOSK_TYPE_KEYBOARD);
        text_view = kiosk_test_find_mapped (visible_page (f), GTK_TYPE_TEXT_VIEW);
        g_assert_cmpstr (kiosk_keyboard_get_layout (KIOSK_KEYBOARD (keyboard)), ==,
                         cases[c].layout);
        g_assert_cmpint (gtk_widget_get_direction (text_view), ==,
                         kiosk_language_is_rtl (cases[c].language) ? GTK_TEXT_DIR_RTL
                                                                    : GTK_TEXT_DIR_LTR);
        /* Russian starts with a capital; Arabic and Hebrew have none. */
        {
          gunichar first = g_utf8_get_char (cases[c].typed);
          char capital[8] = { 0 };
          g_autofree char *expected = NULL;

          g_unichar_to_utf8 (g_unichar_toupper (first), capital);
          expected = g_strconcat (capital, g_utf8_next_char (cases[c].typed), NULL);
          g_assert_cmpstr (kiosk_flow_get_comment (f->kiosk.flow), ==, expected);
        }
        page_screenshot (f, "keyboard-comment", w, h, cases[c].language);
      }
}

/* A kiosk shut down in the middle of a visit lets go of everything (teardown checks it), after
 * a whole visit in another language built every page twice and the comment page had the focus. */
static void
test_destroyed_mid_visit (Fixture       *f,
                          gconstpointer  data)
{
  activate (f, "survey.language", "s", "de");
  activate (f, "survey.vote", "(is)", 0, "touch");
  activate (f, "follow-up.next", NULL);
  type_on_keyboard (f, "abc");
  activate (f, "comment.send", NULL);
  activate (f, "contact.accept", NULL);
  type_on_keyboard (f, "mia");
  activate (f, "contact.decline", NULL);
  g_assert_true (kiosk_test_wait_for (on_survey_page, f, 5000));

  activate (f, "survey.language", "s", "de");
  activate (f, "survey.vote", "(is)", 3, "touch");
  activate (f, "follow-up.toggle", "s", "speed");
  g_assert_true (page_is (f, KIOSK_PAGE_FOLLOW_UP));
  kiosk_test_repaint (GTK_WIDGET (f->kiosk.window));
}

static void
test_storage_failing_is_shown (void)
{
  Fixture fixture = { 0 }, *f = &fixture;
  const char *status;

  /* A state directory that cannot exist: the kiosk starts anyway and says so. */
  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_WARNING, "*held in memory*");
  make_window_full (f, FALSE, "/proc/smiley-kiosk-test/responses.db", survey_without_follow_up,
                    -1, -1);
  g_test_assert_expected_messages ();

  g_assert_cmpint (kiosk_store_get_health (f->kiosk.store), ==, KIOSK_STORAGE_FAILING);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->kiosk.window), "survey.vote", "(is)",
                                             3, "touch"));
  g_assert_cmpint (kiosk_window_get_page (f->kiosk.window), ==, KIOSK_PAGE_THANKS);
  g_assert_cmpuint (kiosk_store_get_unwritten (f->kiosk.store), ==, 1);

  kiosk_flow_return_to_survey (f->kiosk.flow);
  {
    g_autoptr(GPtrArray) found = g_ptr_array_new ();
    GtkWidget *label = NULL;

    kiosk_test_collect (visible_page (f), GTK_TYPE_LABEL, FALSE, found);
    for (guint i = 0; i < found->len; i++)
      if (gtk_widget_has_css_class (g_ptr_array_index (found, i), "status"))
        label = g_ptr_array_index (found, i);

    g_assert_nonnull (label);
    g_assert_true (gtk_widget_get_visible (label));
    status = gtk_label_get_label (GTK_LABEL (label));
    g_assert_cmpstr (status, ==,
                     "For staff: responses are kept in memory for now — details in Kiosk status");
  }

  /* Teardown would warn about the held response: that warning is the point. */
  g_test_expect_message ("kiosk-store", G_LOG_LEVEL_WARNING, "1 responses could not be written*");
  fixture_teardown (f, NULL);
  g_test_assert_expected_messages ();
}

int
main (int   argc,
      char *argv[])
{
  /* Every message of a test run is recorded, to prove what never appears in the log (contact
   * details); debug messages are emitted too, and contact details must not be in them either. */
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  kiosk_test_ui_init (&argc, &argv);
  kiosk_test_log_record_start (NULL);

  g_test_add ("/window/vote", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_vote_shows_thanks_and_returns, fixture_teardown);
  g_test_add ("/window/bad-vote", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_bad_vote_ignored, fixture_teardown);
  g_test_add ("/window/kiosk/close-and-inspector", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_close_blocked_in_kiosk_mode, fixture_teardown);
  g_test_add ("/window/kiosk/escape-keys", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_escape_keys_do_nothing, fixture_teardown);
  g_test_add ("/window/kiosk/pointer", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_pointer_does_nothing, fixture_teardown);
  g_test_add ("/window/windowed/close", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_close_allowed_windowed, fixture_teardown);
  g_test_add ("/window/layout", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_layout_sizes, fixture_teardown);
  g_test_add_func ("/window/storage-failing", test_storage_failing_is_shown);
  g_test_add ("/window/follow-up/answered", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_follow_up_answered, fixture_teardown);
  g_test_add ("/window/follow-up/single-choice", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_follow_up_single_choice, fixture_teardown);
  g_test_add ("/window/follow-up/skipped", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_follow_up_skipped, fixture_teardown);
  g_test_add ("/window/follow-up/timeout", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_follow_up_timeout, fixture_teardown);
  g_test_add ("/window/follow-up/countdown-restarts-on-touch", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_countdown_restarts_on_touch, fixture_teardown);
  g_test_add ("/window/follow-up/contact", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_contact_with_consent, fixture_teardown);
  g_test_add ("/window/language/switch", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_language_switch, fixture_teardown);
  g_test_add ("/window/language/idle", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_language_returns_when_idle, fixture_teardown);
  g_test_add ("/window/language/right-to-left", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_right_to_left, fixture_teardown);
  g_test_add ("/window/follow-up/destroyed-mid-visit", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_destroyed_mid_visit, fixture_teardown);
  g_test_add ("/window/layout/keyboards", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_keyboard_pages, fixture_teardown);
  g_test_add ("/window/layout/pages", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_page_layouts, fixture_teardown);

  return g_test_run ();
}
