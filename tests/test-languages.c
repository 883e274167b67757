/* test-languages.c: every page of the kiosk in every language its catalogues offer (the demo
 * survey offers them all), on the Pi's 800x480 and a 1280x800 panel, under a real display
 * (Xvfb): everything inside the screen, every text whole, and the language's own texts on it.
 * Each language is the kiosk's configured language here, so the staff pages speak it too. */
#define G_LOG_DOMAIN "test-languages"

#include "config.h"

#include <gtk/gtk.h>

#include "kiosk-pin.h"
#include "kiosk-test-ui.h"
#include "kiosk-test-util.h"
#include "kiosk-window.h"

typedef struct
{
  const char  *language;
  int          width;
  int          height;

  KioskTestKiosk kiosk;
} Run;

/* English texts of each page that every other language translates (none of them is a word
 * some language writes the same, like "OK" or "E-mail"). */
static const struct
{
  const char *page;
  const char *english[3];
} english_texts[] = {
  { "survey",           { "How was your visit today?", "Very happy", "Very unhappy" } },
  { "follow-up",        { "What could we do better?", "Skip", "Next" } },
  { "comment",          { "Tell us more (optional)", "Send" } },
  { "consent",          { "May we contact you about your feedback?", "Yes, contact me" } },
  { "contact",          { "How can we reach you?", "Phone" } },
  { "thanks",           { "Thank you for your feedback!", "Your feedback helps us get better." } },
  { "follow-up-single", { "What did you like most?", "Quick service", "Done" } },
  { "closed",           { "Closed" } },
  { "attract",          { "Touch the screen to tell us how we did" } },
  { "pin",              { "Staff only: enter the PIN" } },
  { "admin",            { "Kiosk status", "Leave", "Sync now" } },
};

static char *pin_hash;

/* tests/test-new-language.sh: "TAG NAME", a language a translator just added by the steps of
 * CONTRIBUTING.md, whose every text is "⟦English text⟧". */
static char *new_tag, *new_name;

static void
run_open (Run *r)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf ("device-id = shop-042\nthank-you-seconds = 0.5\nmisuse-interval = 0\n"
                          "language = %s\n[admin]\npin-hash = %s\n", r->language, pin_hash);
  kiosk_test_kiosk_open_store (&r->kiosk, text, NULL);
  kiosk_test_kiosk_show (&r->kiosk, NULL, FALSE, r->width, r->height);
  g_assert_cmpstr (kiosk_flow_get_language (r->kiosk.flow), ==, r->language);
}

static void
run_close (Run *r)
{
  kiosk_test_kiosk_close (&r->kiosk);
}

static gboolean
page_is (Run         *r,
         KioskPageId  id)
{
  return kiosk_window_get_page (r->kiosk.window) == id;
}

static gboolean
on_survey (gpointer user_data)
{
  return page_is (user_data, KIOSK_PAGE_SURVEY);
}

static gboolean
on_attract (gpointer user_data)
{
  return page_is (user_data, KIOSK_PAGE_ATTRACT);
}

static void
activate (Run        *r,
          const char *action)
{
  kiosk_test_activate (GTK_WIDGET (r->kiosk.window), action, NULL);
}

/* The page fits and speaks the language: no English text of it is left (in English, all of
 * them are there), and @own, the survey's text in this language, is shown. */
static void
check_page (Run        *r,
            const char *page,
            const char *own)
{
  GtkWidget *window = GTK_WIDGET (r->kiosk.window);
  g_autofree char *what = g_strdup_printf ("%s at %dx%d in %s", page, r->width, r->height,
                                           r->language);
  gboolean english = g_str_equal (r->language, "en");

  kiosk_test_check_page_layout (r->kiosk.window, what);

  for (guint i = 0; i < G_N_ELEMENTS (english_texts); i++)
    if (g_str_equal (english_texts[i].page, page))
      for (guint t = 0; t < G_N_ELEMENTS (english_texts[i].english); t++)
        {
          const char *text = english_texts[i].english[t];

          g_autofree char *wrapped = NULL;

          if (text == NULL)
            continue;
          if (g_strcmp0 (r->language, new_tag) == 0 &&
              !kiosk_test_shows_text (window, (wrapped = g_strdup_printf ("⟦%s⟧", text))))
            {
              g_autofree char *shown = kiosk_test_dup_texts (window);

              g_error ("%s: the new language's “%s” is not shown (%s)", what, wrapped, shown);
            }
          if (kiosk_test_shows_text (window, text) != english)
            {
              g_autofree char *shown = kiosk_test_dup_texts (window);

              kiosk_test_screenshot (window, "languages-failure.png");
              g_error ("%s: “%s” is %s (%s)", what, text, english ? "missing" : "still English",
                       shown);
            }
        }

  if (own != NULL && !kiosk_test_shows_text (window, own))
    g_error ("%s: “%s” is not shown", what, own);

  /* The pictures docs/languages/ shows: right to left, and Cyrillic. */
  if (r->width == 800 && (g_str_equal (r->language, "ar") || g_str_equal (r->language, "ru")))
    {
      g_autofree char *name = g_strdup_printf ("language-%s-800x480-%s.png", page,
                                               r->language);

      kiosk_test_screenshot (window, name);
    }
}

static void
test_pages (gconstpointer data)
{
  const Run *template = data;
  Run run = *template, *r = &run;
  KioskWindowTimings timings = { .attract_after_ms = 200 };
  KioskSurvey *survey;
  KioskFollowUp *negative, *positive;
  const char *l = r->language;

  run_open (r);
  survey = kiosk_flow_get_survey (r->kiosk.flow);
  negative = kiosk_survey_get_follow_up (survey, KIOSK_FACE_NEGATIVE);
  positive = kiosk_survey_get_follow_up (survey, KIOSK_FACE_POSITIVE);
  g_assert_cmpint (gtk_widget_get_default_direction (), ==,
                   kiosk_language_is_rtl (l) ? GTK_TEXT_DIR_RTL : GTK_TEXT_DIR_LTR);

  if (g_strcmp0 (l, new_tag) == 0)
    g_assert_cmpstr (kiosk_survey_get_language_name (survey, l), ==, new_name);
  check_page (r, "survey", kiosk_survey_get_question (survey, l));
  /* Every language on the bar by its own name. */
  for (const char * const *tag = kiosk_survey_get_languages (survey); *tag; tag++)
    g_assert_true (kiosk_test_shows_text (GTK_WIDGET (r->kiosk.window),
                                          kiosk_survey_get_language_name (survey, *tag)));

  kiosk_test_activate (GTK_WIDGET (r->kiosk.window), "survey.vote", "(is)", 0, "touch");
  kiosk_test_activate (GTK_WIDGET (r->kiosk.window), "follow-up.toggle", "s", "staff");
  kiosk_test_activate (GTK_WIDGET (r->kiosk.window), "follow-up.toggle", "s", "availability");
  check_page (r, "follow-up", kiosk_follow_up_get_option_label (negative, 3, l));

  activate (r, "follow-up.next");
  check_page (r, "comment", kiosk_follow_up_get_comment_prompt (negative, l));

  activate (r, "comment.send");
  check_page (r, "consent", kiosk_follow_up_get_contact_consent (negative, l));

  activate (r, "contact.accept");
  check_page (r, "contact", NULL);

  activate (r, "contact.decline");
  check_page (r, "thanks", kiosk_survey_get_thank_you (survey, l));
  g_assert_true (kiosk_test_wait_for (on_survey, r, 5000));

  kiosk_test_activate (GTK_WIDGET (r->kiosk.window), "survey.vote", "(is)", 3, "touch");
  kiosk_test_activate (GTK_WIDGET (r->kiosk.window), "follow-up.toggle", "s", "atmosphere");
  check_page (r, "follow-up-single", kiosk_follow_up_get_question (positive, l));
  activate (r, "follow-up.skip");
  g_assert_true (kiosk_test_wait_for (on_survey, r, 5000));

  kiosk_flow_set_open (r->kiosk.flow, FALSE);
  check_page (r, "closed", NULL);
  kiosk_flow_set_open (r->kiosk.flow, TRUE);

  kiosk_window_set_timings (r->kiosk.window, &timings);
  g_assert_true (kiosk_test_wait_for (on_attract, r, 5000));
  check_page (r, "attract", kiosk_survey_get_question (survey, l));
  activate (r, "attract.wake");
  timings.attract_after_ms = 0;
  kiosk_window_set_timings (r->kiosk.window, &timings);

  activate (r, "admin.request");
  check_page (r, "pin", NULL);
  for (const char *p = "2468"; *p; p++)
    {
      char digit[2] = { *p, '\0' };

      kiosk_test_activate (GTK_WIDGET (r->kiosk.window), "pin.digit", "s", digit);
    }
  activate (r, "pin.submit");
  g_assert_true (page_is (r, KIOSK_PAGE_ADMIN));
  check_page (r, "admin", NULL);

  run_close (r);
}

int
main (int   argc,
      char *argv[])
{
  static const int sizes[][2] = { { 800, 480 }, { 1280, 800 } };
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskSurvey) demo = NULL;
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_free);

  kiosk_test_ui_init (&argc, &argv);

  pin_hash = kiosk_pin_hash ("2468", &error);
  g_assert_no_error (error);

  /* The languages are the catalogues': a new po/LANG.po is tested without a line here. */
  demo = kiosk_survey_new_demo ();
  for (const char * const *tag = kiosk_survey_get_languages (demo); *tag; tag++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        Run *r = g_new0 (Run, 1);
        g_autofree char *path = g_strdup_printf ("/languages/%s/%dx%d", *tag, sizes[s][0],
                                                 sizes[s][1]);

        r->language = g_intern_string (*tag);
        r->width = sizes[s][0];
        r->height = sizes[s][1];
        g_ptr_array_add (runs, r);
        g_test_add_data_func (path, r, test_pages);
      }

  if (g_getenv ("SMILEY_KIOSK_NEW_LANGUAGE") != NULL)
    {
      g_auto(GStrv) words = g_strsplit (g_getenv ("SMILEY_KIOSK_NEW_LANGUAGE"), " ", 2);

      g_assert_cmpuint (g_strv_length (words), ==, 2);
      new_tag = g_strdup (words[0]);
      new_name = g_strdup (words[1]);
      /* Else "-p /languages/TAG" would find nothing to run, and pass. */
      if (!kiosk_survey_has_language (demo, new_tag))
        g_error ("the demo survey does not offer the new language “%s” (catalogues in %s)",
                 new_tag, g_getenv ("SMILEY_KIOSK_LOCALEDIR"));
    }

  return g_test_run ();
}
