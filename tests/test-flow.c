/* test-flow.c: one visit through the core, without a display: a vote is stamped, recorded,
 * followed up, thanked, and the flow returns to the survey; the misuse rule flags without
 * dropping; the follow-up's outcome, answers, countdown, language and survey swaps. */
#define G_LOG_DOMAIN "test-flow"

#include "config.h"

#include <signal.h>
#include <unistd.h>

#include "kiosk-enums.h"
#include "kiosk-flow.h"
#include "kiosk-keyboard-table.h"
#include "kiosk-test-util.h"

#define START_WALL_US (G_GINT64_CONSTANT (1795000000) * G_USEC_PER_SEC)

typedef struct
{
  char        *dir;
  KioskStore  *store;
  KioskClock  *clock;
  KioskFlow   *flow;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *conf = data ? data : "[kiosk]\nthank-you-seconds = 0.5\ndevice-id = test-1\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskSurvey) survey = kiosk_survey_new_demo ();
  g_autofree char *db = NULL;

  f->dir = kiosk_test_make_tmpdir ();
  db = g_build_filename (f->dir, "responses.db", NULL);

  config = kiosk_config_new_from_data (conf, -1, "test.conf", &error);
  g_assert_no_error (error);
  f->store = kiosk_store_open (db, KIOSK_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  f->clock = kiosk_clock_new_fake (START_WALL_US, 1000 * G_USEC_PER_SEC, "boot-1");
  kiosk_clock_set_offset (f->clock, 3600);
  f->flow = kiosk_flow_new (config, f->store, f->clock, survey);
  kiosk_flow_set_language (f->flow, "de");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (g_steal_pointer (&f->flow));
  g_assert_finalize_object (g_steal_pointer (&f->store));
  g_assert_finalize_object (g_steal_pointer (&f->clock));
  kiosk_test_rm_rf (f->dir);
  g_free (f->dir);
}

static gboolean
back_to_survey (gpointer user_data)
{
  return kiosk_flow_get_state (user_data) == KIOSK_FLOW_SURVEY;
}

static void
test_vote_records_everything (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  const KioskResponse *r;
  KioskResponse *stored;

  g_assert_cmpint (kiosk_flow_get_state (f->flow), ==, KIOSK_FLOW_SURVEY);

  r = kiosk_flow_vote (f->flow, 3, KIOSK_INPUT_TOUCH, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  /* The demo survey asks a follow-up for every face. */
  g_assert_cmpint (kiosk_flow_get_state (f->flow), ==, KIOSK_FLOW_FOLLOW_UP);

  g_assert_true (g_uuid_string_is_valid (r->uuid));
  g_assert_cmpint (r->seq, ==, 1);

  /* Durable before the thank-you state: it is in the database now. */
  rows = kiosk_store_list_responses (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  stored = g_ptr_array_index (rows, 0);
  g_assert_cmpstr (stored->uuid, ==, r->uuid);
  g_assert_cmpint (stored->face, ==, 3);
  g_assert_cmpint (stored->scale, ==, 4);
  g_assert_cmpstr (stored->survey_id, ==, "demo");
  g_assert_cmpint (stored->survey_version, ==, 1);
  g_assert_cmpstr (stored->language, ==, "de");
  g_assert_cmpint (stored->input, ==, KIOSK_INPUT_TOUCH);
  g_assert_cmpint (stored->time.wall_us, ==, START_WALL_US);
  g_assert_cmpint (stored->time.utc_offset_s, ==, 3600);
  g_assert_cmpint (stored->time.monotonic_us, ==, 1000 * G_USEC_PER_SEC);
  g_assert_cmpstr (stored->boot_id, ==, "boot-1");
  g_assert_true (stored->time.synced);
  g_assert_false (stored->misuse);
  g_assert_null (stored->misuse_rule);

  g_assert_true (kiosk_flow_skip (f->flow));
  g_assert_cmpint (kiosk_flow_get_state (f->flow), ==, KIOSK_FLOW_THANKS);

  /* The thank-you screen gives way to the survey after thank-you-seconds. */
  g_assert_true (kiosk_test_wait_for (back_to_survey, f->flow, 5000));
}

static void
test_sequence_and_uuids (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GHashTable) uuids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < 50; i++)
    {
      const KioskResponse *r = kiosk_flow_vote (f->flow, i % 4, KIOSK_INPUT_BUTTON, NULL);

      g_assert_cmpint (r->seq, ==, i + 1);
      g_assert_true (g_hash_table_add (uuids, g_strdup (r->uuid)));
      kiosk_clock_advance (f->clock, 10 * G_USEC_PER_SEC);
    }
  g_assert_cmpint (kiosk_store_get_last_seq (f->store), ==, 50);
}

static void
test_misuse_interval (Fixture       *f,
                      gconstpointer  data)
{
  const KioskResponse *r;

  r = kiosk_flow_vote (f->flow, 0, KIOSK_INPUT_TOUCH, NULL);
  g_assert_false (r->misuse);

  kiosk_clock_advance (f->clock, 4999 * 1000);
  r = kiosk_flow_vote (f->flow, 0, KIOSK_INPUT_TOUCH, NULL);
  g_assert_true (r->misuse);
  g_assert_cmpstr (r->misuse_rule, ==, KIOSK_MISUSE_RULE_RESPONSE_INTERVAL);

  /* Measured from the previous press, flagged or not. */
  kiosk_clock_advance (f->clock, 4999 * 1000);
  r = kiosk_flow_vote (f->flow, 1, KIOSK_INPUT_TOUCH, NULL);
  g_assert_true (r->misuse);

  kiosk_clock_advance (f->clock, 5000 * 1000);
  r = kiosk_flow_vote (f->flow, 2, KIOSK_INPUT_TOUCH, NULL);
  g_assert_false (r->misuse);
  g_assert_null (r->misuse_rule);

  /* Flagged responses are recorded, not dropped. */
  {
    KioskFaceCounts counts;

    g_assert_true (kiosk_store_count_faces (f->store, G_MININT64, G_MAXINT64, &counts, NULL));
    g_assert_cmpuint (counts.misuse, ==, 2);
    g_assert_cmpuint (kiosk_face_counts_total (&counts), ==, 2);
  }
}

static void
test_misuse_rule_off (Fixture       *f,
                      gconstpointer  data)
{
  for (int i = 0; i < 3; i++)
    g_assert_false (kiosk_flow_vote (f->flow, 1, KIOSK_INPUT_TOUCH, NULL)->misuse);
}

/* The rule uses monotonic time: a wall clock jumping back (NTP) changes nothing. */
static void
test_misuse_ignores_wall_clock (Fixture       *f,
                                gconstpointer  data)
{
  kiosk_flow_vote (f->flow, 1, KIOSK_INPUT_TOUCH, NULL);

  /* Six seconds pass while the wall clock is set back an hour: not misuse. */
  kiosk_clock_advance (f->clock, 6 * G_USEC_PER_SEC);
  kiosk_clock_set_wall (f->clock, START_WALL_US - G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  g_assert_false (kiosk_flow_vote (f->flow, 1, KIOSK_INPUT_TOUCH, NULL)->misuse);

  /* One second passes while the wall clock jumps a day ahead: misuse. */
  kiosk_clock_advance (f->clock, 1 * G_USEC_PER_SEC);
  kiosk_clock_set_wall (f->clock, START_WALL_US + G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC);
  g_assert_true (kiosk_flow_vote (f->flow, 1, KIOSK_INPUT_TOUCH, NULL)->misuse);
}

/* "state" and the store's "health" are enum properties: a binding, the inspector and a log
 * name the value instead of printing a number. */
static void
test_state_by_name (Fixture       *f,
                    gconstpointer  data)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (f->flow), "state");
  KioskFlowState state = -1;

  g_assert_nonnull (pspec);
  g_assert_true (G_IS_PARAM_SPEC_ENUM (pspec));
  g_assert_true (pspec->value_type == KIOSK_TYPE_FLOW_STATE);
  g_object_get (f->flow, "state", &state, NULL);
  g_assert_cmpint (state, ==, KIOSK_FLOW_SURVEY);
  g_assert_cmpstr (kiosk_enum_nick (KIOSK_TYPE_FLOW_STATE, KIOSK_FLOW_FOLLOW_UP), ==,
                   "follow-up");
  g_assert_cmpstr (kiosk_enum_nick (KIOSK_TYPE_FLOW_STATE, 99), ==, "unknown");

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (f->store), "health");
  g_assert_true (pspec->value_type == KIOSK_TYPE_STORAGE_HEALTH);
  g_assert_cmpstr (kiosk_enum_nick (KIOSK_TYPE_STORAGE_HEALTH, KIOSK_STORAGE_FAILING), ==,
                   "failing");
}

static void
test_bad_face (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (kiosk_flow_vote (f->flow, 4, KIOSK_INPUT_TOUCH, &error));
  g_assert_error (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_NO_SUCH_FACE);
  g_assert_cmpstr (error->message, ==, "Face 4 does not exist (this survey has faces 0 to 3)");
  g_clear_error (&error);

  g_assert_null (kiosk_flow_vote (f->flow, -1, KIOSK_INPUT_TOUCH, &error));
  g_assert_error (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_NO_SUCH_FACE);
  g_assert_cmpstr (error->message, ==, "Face -1 does not exist (this survey has faces 0 to 3)");

  g_assert_cmpint (kiosk_flow_get_state (f->flow), ==, KIOSK_FLOW_SURVEY);
  g_assert_cmpint (kiosk_store_get_last_seq (f->store), ==, 0);
}

/* A second vote during the thank-you screen (a physical button, say) is recorded too, and the
 * thank-you time starts again. */
static void
test_vote_during_thanks (Fixture       *f,
                         gconstpointer  data)
{
  kiosk_flow_vote (f->flow, 3, KIOSK_INPUT_BUTTON, NULL);
  kiosk_flow_skip (f->flow);
  g_assert_cmpint (kiosk_flow_get_state (f->flow), ==, KIOSK_FLOW_THANKS);
  kiosk_flow_vote (f->flow, 2, KIOSK_INPUT_BUTTON, NULL);
  g_assert_cmpint (kiosk_store_get_last_seq (f->store), ==, 2);
  g_assert_cmpint (kiosk_flow_get_state (f->flow), ==, KIOSK_FLOW_FOLLOW_UP);

  kiosk_flow_return_to_survey (f->flow);
  g_assert_cmpint (kiosk_flow_get_state (f->flow), ==, KIOSK_FLOW_SURVEY);
}

/* --- Visits with a follow-up (tests/data/survey-small.json) ------------------------------ */

/* The small survey, with its follow-up timeout set to @timeout_s (0: as in the file, 10 s). */
static KioskSurvey *
small_survey (guint timeout_s)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "survey-small.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  KioskSurvey *survey;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  if (timeout_s > 0)
    {
      g_autofree char *value = g_strdup_printf ("\"timeout_seconds\": %u", timeout_s);
      g_autoptr(GString) edited = g_string_new (text);

      g_assert_cmpuint (g_string_replace (edited, "\"timeout_seconds\": 10", value, 1), ==, 1);
      g_free (text);
      text = g_string_free (g_steal_pointer (&edited), FALSE);
    }

  survey = kiosk_survey_new_from_data (text, -1, "survey-small.json", &error);
  g_assert_no_error (error);
  return survey;
}

typedef struct
{
  char        *dir;
  char        *db;
  KioskConfig *config;
  KioskStore  *store;
  KioskClock  *clock;
  KioskFlow   *flow;
  GPtrArray   *remaining;     /* every remaining-seconds value notified, as GUINT_TO_POINTER */
  guint        visits_ended;
} Visit;

static void
remaining_cb (KioskFlow  *flow,
              GParamSpec *pspec,
              Visit      *v)
{
  g_ptr_array_add (v->remaining, GUINT_TO_POINTER (kiosk_flow_get_remaining_seconds (flow)));
}

static void
visit_ended_cb (KioskFlow           *flow,
                const KioskResponse *response,
                gboolean             durable,
                Visit               *v)
{
  g_assert_false (response->visit_open);
  g_assert_true (durable);
  v->visits_ended++;
}

static void
visit_setup (Visit         *v,
             gconstpointer  data)
{
  guint timeout_s = GPOINTER_TO_UINT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskSurvey) survey = small_survey (timeout_s);

  v->dir = kiosk_test_make_tmpdir ();
  v->db = g_build_filename (v->dir, "responses.db", NULL);
  v->config = kiosk_config_new_from_data ("[kiosk]\nthank-you-seconds = 0.5\n"
                                          "device-id = test-1\nmisuse-interval = 0\n",
                                          -1, "test.conf", &error);
  g_assert_no_error (error);
  v->store = kiosk_store_open (v->db, KIOSK_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  v->clock = kiosk_clock_new_fake (START_WALL_US, 1000 * G_USEC_PER_SEC, "boot-1");
  v->flow = kiosk_flow_new (v->config, v->store, v->clock, survey);
  v->remaining = g_ptr_array_new ();
  g_signal_connect (v->flow, "notify::remaining-seconds", G_CALLBACK (remaining_cb), v);
  g_signal_connect (v->flow, "visit-ended", G_CALLBACK (visit_ended_cb), v);
}

static void
visit_teardown (Visit         *v,
                gconstpointer  data)
{
  g_assert_finalize_object (g_steal_pointer (&v->flow));
  g_assert_finalize_object (g_steal_pointer (&v->store));
  g_assert_finalize_object (g_steal_pointer (&v->clock));
  g_assert_finalize_object (g_steal_pointer (&v->config));
  g_ptr_array_unref (v->remaining);
  kiosk_test_rm_rf (v->dir);
  g_free (v->dir);
  g_free (v->db);
}

/* Returns: (transfer full): response @seq as it is in the database now */
static KioskResponse *
stored (KioskStore *store,
        gint64      seq)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = kiosk_store_list_responses (store, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      KioskResponse *r = g_ptr_array_index (rows, i);

      if (r->seq == seq)
        return kiosk_response_copy (r);
    }

  g_assert_not_reached ();
}

static void
assert_strv (const char * const *actual,
             const char         *first,
             ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) expected = NULL;
  va_list args;

  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *))
    g_strv_builder_add (builder, s);
  va_end (args);
  expected = g_strv_builder_end (builder);

  if (actual == NULL)
    {
      g_assert_cmpuint (g_strv_length (expected), ==, 0);
      return;
    }
  g_assert_cmpstrv (actual, expected);
}

static gboolean
state_is_thanks (gpointer user_data)
{
  return kiosk_flow_get_state (user_data) == KIOSK_FLOW_THANKS;
}

/* Called when the follow-up appears: the face must already be on disk. */
static void
follow_up_shown_cb (KioskFlow  *flow,
                    GParamSpec *pspec,
                    gboolean   *checked)
{
  g_autoptr(KioskResponse) r = NULL;

  if (kiosk_flow_get_state (flow) != KIOSK_FLOW_FOLLOW_UP)
    return;

  r = stored (kiosk_flow_get_store (flow), kiosk_flow_get_last_response (flow)->seq);
  g_assert_true (r->visit_open);
  g_assert_cmpint (r->face, ==, kiosk_flow_get_last_response (flow)->face);
  g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_PENDING);
  *checked = TRUE;
}

static void
eligible_cb (KioskStore *store,
             guint      *count)
{
  (*count)++;
}

static void
test_answered (Visit         *v,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskResponse) r = NULL;
  gboolean checked = FALSE;
  guint eligible = 0;
  const KioskResponse *voted;

  g_signal_connect (v->flow, "notify::state", G_CALLBACK (follow_up_shown_cb), &checked);
  g_signal_connect (v->store, "eligible-written", G_CALLBACK (eligible_cb), &eligible);
  g_assert_true (kiosk_flow_set_language (v->flow, "de"));

  voted = kiosk_flow_vote (v->flow, 1, KIOSK_INPUT_TOUCH, &error);
  g_assert_no_error (error);
  g_assert_true (checked);
  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_FOLLOW_UP);
  g_assert_cmpstr (kiosk_follow_up_get_id (kiosk_flow_get_follow_up (v->flow)), ==, "why-not");
  g_assert_cmpuint (kiosk_flow_get_remaining_seconds (v->flow), ==, 10);
  g_assert_cmpint (kiosk_flow_get_deadline_us (v->flow), >, g_get_monotonic_time ());
  /* Recorded, but not eligible for upload while the visit is open. */
  g_assert_cmpuint (eligible, ==, 0);

  g_assert_true (kiosk_flow_toggle_option (v->flow, "staff"));
  g_assert_true (kiosk_flow_toggle_option (v->flow, "queue"));
  assert_strv (kiosk_flow_get_selection (v->flow), "queue", "staff", NULL);
  g_assert_true (kiosk_flow_submit (v->flow));

  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_COMMENT);
  g_assert_cmpuint (kiosk_flow_get_comment_max_length (v->flow), ==, 10);
  g_assert_true (kiosk_flow_set_comment (v->flow, "Zu langsam"));
  g_assert_true (kiosk_flow_submit (v->flow));

  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_CONTACT);
  g_assert_false (kiosk_flow_submit (v->flow));
  g_assert_true (kiosk_flow_submit_contact (v->flow, TRUE, " Ann ", "ignored", "+49 30 1234567",
                                            &error));
  g_assert_no_error (error);

  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_THANKS);
  g_assert_cmpuint (v->visits_ended, ==, 1);
  g_assert_cmpuint (eligible, ==, 1);
  g_assert_null (kiosk_flow_get_follow_up (v->flow));
  g_assert_cmpuint (kiosk_flow_get_remaining_seconds (v->flow), ==, 0);
  g_assert_cmpint (kiosk_flow_get_deadline_us (v->flow), ==, 0);
  assert_strv (kiosk_flow_get_selection (v->flow), NULL);
  g_assert_cmpstr (kiosk_flow_get_comment (v->flow), ==, "");

  /* The same response (seq and uuid), completed. */
  r = stored (v->store, voted->seq);
  g_assert_cmpint (r->seq, ==, 1);
  g_assert_cmpstr (r->uuid, ==, voted->uuid);
  g_assert_false (r->visit_open);
  g_assert_cmpint (r->face, ==, 1);
  g_assert_cmpstr (r->language, ==, "de");
  g_assert_cmpstr (r->survey_id, ==, "small-shop");
  g_assert_cmpint (r->survey_version, ==, 3);
  g_assert_cmpstr (r->follow_up_id, ==, "why-not");
  g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_ANSWERED);
  assert_strv ((const char * const *) r->follow_up_selected, "queue", "staff", NULL);
  g_assert_cmpstr (r->comment, ==, "Zu langsam");
  g_assert_true (r->contact_consent);
  g_assert_cmpstr (r->contact_name, ==, "Ann");
  g_assert_null (r->contact_email);   /* this survey does not ask for one */
  g_assert_cmpstr (r->contact_phone, ==, "+49 30 1234567");
  g_assert_cmpint (kiosk_store_get_last_seq (v->store), ==, 1);

  /* After the thank-you screen: the survey, in the default language again. */
  g_assert_true (kiosk_test_wait_for (back_to_survey, v->flow, 5000));
  g_assert_cmpstr (kiosk_flow_get_language (v->flow), ==, "en");
}

static void
test_skipped (Visit         *v,
              gconstpointer  data)
{
  g_autoptr(KioskResponse) r = NULL;
  const KioskResponse *voted;

  g_assert_false (kiosk_flow_skip (v->flow));

  voted = kiosk_flow_vote (v->flow, 0, KIOSK_INPUT_BUTTON, NULL);
  g_assert_true (kiosk_flow_toggle_option (v->flow, "price"));
  g_assert_true (kiosk_flow_skip (v->flow));
  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_THANKS);
  g_assert_cmpuint (v->visits_ended, ==, 1);

  /* Declined: the follow-up was shown, nothing of it is kept. */
  r = stored (v->store, voted->seq);
  g_assert_false (r->visit_open);
  g_assert_cmpstr (r->follow_up_id, ==, "why-not");
  g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_SKIPPED);
  assert_strv ((const char * const *) r->follow_up_selected, NULL);
  g_assert_null (r->comment);
  g_assert_false (r->contact_consent);
}

/* Skipping the comment or the contact leaves out that step only. */
static void
test_skip_later_steps (Visit         *v,
                       gconstpointer  data)
{
  g_autoptr(KioskResponse) r = NULL;
  const KioskResponse *voted;

  voted = kiosk_flow_vote (v->flow, 0, KIOSK_INPUT_TOUCH, NULL);
  kiosk_flow_toggle_option (v->flow, "other");
  kiosk_flow_submit (v->flow);
  kiosk_flow_set_comment (v->flow, "typed");
  g_assert_true (kiosk_flow_skip (v->flow));
  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_CONTACT);
  g_assert_cmpstr (kiosk_flow_get_comment (v->flow), ==, "");
  g_assert_true (kiosk_flow_skip (v->flow));
  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_THANKS);

  r = stored (v->store, voted->seq);
  g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_ANSWERED);
  assert_strv ((const char * const *) r->follow_up_selected, "other", NULL);
  g_assert_null (r->comment);
  g_assert_false (r->contact_consent);
}

static void
test_timeout (Visit         *v,
              gconstpointer  data)
{
  g_autoptr(KioskResponse) r = NULL;
  const KioskResponse *voted;
  gint64 start = g_get_monotonic_time ();

  voted = kiosk_flow_vote (v->flow, 0, KIOSK_INPUT_TOUCH, NULL);
  kiosk_flow_toggle_option (v->flow, "queue");
  g_assert_cmpuint (kiosk_flow_get_remaining_seconds (v->flow), ==, 2);

  g_assert_true (kiosk_test_wait_for (state_is_thanks, v->flow, 5000));
  /* Not before the deadline. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (v->visits_ended, ==, 1);

  /* The countdown was notified once per second, down to 0, and not after. */
  g_assert_cmpuint (v->remaining->len, ==, 3);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_ptr_array_index (v->remaining, 0)), ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_ptr_array_index (v->remaining, 1)), ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_ptr_array_index (v->remaining, 2)), ==, 0);

  /* The visitor walked away: what they had tapped is kept. */
  r = stored (v->store, voted->seq);
  g_assert_false (r->visit_open);
  g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_TIMEOUT);
  assert_strv ((const char * const *) r->follow_up_selected, "queue", NULL);

  g_assert_true (kiosk_test_wait_for (back_to_survey, v->flow, 5000));
  g_assert_cmpuint (v->remaining->len, ==, 3);
}

typedef struct
{
  KioskFlow *flow;
  guint      remaining;
  gint64     after_us;
} WaitData;

static gboolean
remaining_is (gpointer user_data)
{
  WaitData *w = user_data;

  return kiosk_flow_get_remaining_seconds (w->flow) == w->remaining;
}

static gboolean
monotonic_after (gpointer user_data)
{
  WaitData *w = user_data;

  return g_get_monotonic_time () > w->after_us;
}

static gboolean
wake_up_cb (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until @w->after_us; a timer wakes it then, in case nothing else does. */
static gboolean
wait_until (WaitData *w)
{
  gint64 delay_us = w->after_us - g_get_monotonic_time ();

  if (delay_us > 0)
    g_timeout_add (delay_us / 1000 + 1, wake_up_cb, NULL);

  return kiosk_test_wait_for (monotonic_after, w, 5000);
}

static void
test_touch_restarts_countdown (Visit         *v,
                               gconstpointer  data)
{
  WaitData w = { v->flow, 1, 0 };
  gint64 first_deadline;

  kiosk_flow_vote (v->flow, 3, KIOSK_INPUT_TOUCH, NULL);
  first_deadline = kiosk_flow_get_deadline_us (v->flow);
  g_assert_cmpuint (kiosk_flow_get_remaining_seconds (v->flow), ==, 2);

  /* A second later, a touch: the full time again. */
  g_assert_true (kiosk_test_wait_for (remaining_is, &w, 5000));
  kiosk_flow_touch (v->flow);
  g_assert_cmpuint (kiosk_flow_get_remaining_seconds (v->flow), ==, 2);
  g_assert_cmpint (kiosk_flow_get_deadline_us (v->flow), >=, first_deadline + G_USEC_PER_SEC / 2);

  /* The first deadline passes without ending the visit. */
  w.after_us = first_deadline + G_USEC_PER_SEC / 5;
  g_assert_true (wait_until (&w));
  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_FOLLOW_UP);

  g_assert_true (kiosk_test_wait_for (state_is_thanks, v->flow, 5000));
  g_assert_cmpint (kiosk_flow_get_last_response (v->flow)->follow_up_outcome, ==,
                   KIOSK_OUTCOME_TIMEOUT);
}

static void
test_multiple_choice (Visit         *v,
                      gconstpointer  data)
{
  kiosk_flow_vote (v->flow, 0, KIOSK_INPUT_TOUCH, NULL);
  g_assert_cmpint (kiosk_follow_up_get_choice (kiosk_flow_get_follow_up (v->flow)), ==,
                   KIOSK_CHOICE_MULTIPLE);

  g_assert_true (kiosk_flow_toggle_option (v->flow, "other"));
  g_assert_true (kiosk_flow_toggle_option (v->flow, "queue"));
  g_assert_true (kiosk_flow_toggle_option (v->flow, "price"));
  /* In the follow-up's order, not the order of the taps. */
  assert_strv (kiosk_flow_get_selection (v->flow), "queue", "price", "other", NULL);
  g_assert_true (kiosk_flow_is_option_selected (v->flow, "price"));
  g_assert_true (kiosk_flow_toggle_option (v->flow, "price"));
  g_assert_false (kiosk_flow_is_option_selected (v->flow, "price"));
  assert_strv (kiosk_flow_get_selection (v->flow), "queue", "other", NULL);

  /* An option of the other side's follow-up, or none at all. */
  g_assert_false (kiosk_flow_toggle_option (v->flow, "speed"));
  g_assert_false (kiosk_flow_toggle_option (v->flow, ""));
  assert_strv (kiosk_flow_get_selection (v->flow), "queue", "other", NULL);
}

static void
test_single_choice (Visit         *v,
                    gconstpointer  data)
{
  g_autoptr(KioskResponse) first = NULL;
  g_autoptr(KioskResponse) second = NULL;
  gint64 seq;

  g_assert_false (kiosk_flow_toggle_option (v->flow, "staff"));

  seq = kiosk_flow_vote (v->flow, 2, KIOSK_INPUT_TOUCH, NULL)->seq;
  g_assert_cmpint (kiosk_follow_up_get_choice (kiosk_flow_get_follow_up (v->flow)), ==,
                   KIOSK_CHOICE_SINGLE);
  g_assert_true (kiosk_flow_toggle_option (v->flow, "staff"));
  assert_strv (kiosk_flow_get_selection (v->flow), "staff", NULL);
  /* Selecting another replaces it; selecting it again clears it. */
  g_assert_true (kiosk_flow_toggle_option (v->flow, "speed"));
  assert_strv (kiosk_flow_get_selection (v->flow), "speed", NULL);
  g_assert_true (kiosk_flow_toggle_option (v->flow, "speed"));
  assert_strv (kiosk_flow_get_selection (v->flow), NULL);

  /* This follow-up has no comment and no contact: submitting ends it. With nothing chosen, the
   * visitor gave nothing: skipped. */
  g_assert_true (kiosk_flow_submit (v->flow));
  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_THANKS);
  first = stored (v->store, seq);
  g_assert_cmpint (first->follow_up_outcome, ==, KIOSK_OUTCOME_SKIPPED);

  seq = kiosk_flow_vote (v->flow, 3, KIOSK_INPUT_TOUCH, NULL)->seq;
  kiosk_flow_toggle_option (v->flow, "speed");
  kiosk_flow_submit (v->flow);
  second = stored (v->store, seq);
  g_assert_cmpstr (second->follow_up_id, ==, "why");
  g_assert_cmpint (second->follow_up_outcome, ==, KIOSK_OUTCOME_ANSWERED);
  assert_strv ((const char * const *) second->follow_up_selected, "speed", NULL);
}

static void
test_comment_limit (Visit         *v,
                    gconstpointer  data)
{
  g_autoptr(KioskResponse) r = NULL;
  gint64 seq;

  seq = kiosk_flow_vote (v->flow, 0, KIOSK_INPUT_TOUCH, NULL)->seq;
  /* Only on the comment step. */
  g_assert_false (kiosk_flow_set_comment (v->flow, "early"));
  g_assert_cmpstr (kiosk_flow_get_comment (v->flow), ==, "");
  kiosk_flow_submit (v->flow);
  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_COMMENT);

  g_assert_true (kiosk_flow_set_comment (v->flow, "0123456789"));
  g_assert_cmpstr (kiosk_flow_get_comment (v->flow), ==, "0123456789");
  g_assert_false (kiosk_flow_set_comment (v->flow, "0123456789X"));
  g_assert_cmpstr (kiosk_flow_get_comment (v->flow), ==, "0123456789");

  /* Characters, not bytes: ten umlauts fit, the eleventh does not. */
  g_assert_false (kiosk_flow_set_comment (v->flow, "ääääääääääö"));
  g_assert_cmpstr (kiosk_flow_get_comment (v->flow), ==, "ääääääääää");

  g_object_set (v->flow, "comment", "Schön", NULL);
  g_assert_cmpstr (kiosk_flow_get_comment (v->flow), ==, "Schön");

  kiosk_flow_submit (v->flow);
  kiosk_flow_skip (v->flow);
  r = stored (v->store, seq);
  /* Nothing selected, but a comment given: answered. */
  g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_ANSWERED);
  g_assert_cmpstr (r->comment, ==, "Schön");
}

static void
test_contact_needs_consent (Visit         *v,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskResponse) declined = NULL;
  g_autoptr(KioskResponse) given = NULL;
  g_autoptr(KioskSurvey) demo = kiosk_survey_new_demo ();
  gint64 seq;

  kiosk_test_log_clear ();
  g_assert_false (kiosk_flow_submit_contact (v->flow, TRUE, "Ann", NULL, NULL, &error));
  g_assert_error (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_WRONG_STATE);
  g_clear_error (&error);

  seq = kiosk_flow_vote (v->flow, 0, KIOSK_INPUT_TOUCH, NULL)->seq;
  kiosk_flow_toggle_option (v->flow, "staff");
  kiosk_flow_submit (v->flow);
  kiosk_flow_submit (v->flow);
  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_CONTACT);

  /* Details without consent are refused, and nothing is kept. */
  g_assert_false (kiosk_flow_submit_contact (v->flow, FALSE, "Ann Example", NULL, "0301234567",
                                             &error));
  g_assert_error (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_NO_CONSENT);
  g_assert_cmpstr (error->message, ==,
                   "Please confirm that we may contact you, or clear your details.");
  g_clear_error (&error);
  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_CONTACT);

  /* Consent without a way to reach the visitor, or with one that cannot be right. */
  g_assert_false (kiosk_flow_submit_contact (v->flow, TRUE, "  ", NULL, "", &error));
  g_assert_error (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_INVALID_CONTACT);
  g_assert_cmpstr (error->message, ==, "Please tell us how we can reach you.");
  g_clear_error (&error);
  g_assert_false (kiosk_flow_submit_contact (v->flow, TRUE, NULL, NULL, "call me", &error));
  g_assert_error (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_INVALID_CONTACT);
  g_assert_cmpstr (error->message, ==, "Please check the phone number.");
  g_clear_error (&error);

  /* No consent, no details: the visitor declines; the visit ends without a contact. */
  g_assert_true (kiosk_flow_submit_contact (v->flow, FALSE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  declined = stored (v->store, seq);
  g_assert_cmpint (declined->follow_up_outcome, ==, KIOSK_OUTCOME_ANSWERED);
  g_assert_false (declined->contact_consent);
  g_assert_null (declined->contact_name);
  g_assert_null (declined->contact_phone);

  /* With consent: kept, and never in any log. */
  seq = kiosk_flow_vote (v->flow, 1, KIOSK_INPUT_TOUCH, NULL)->seq;
  kiosk_flow_submit (v->flow);
  kiosk_flow_submit (v->flow);
  g_assert_true (kiosk_flow_submit_contact (v->flow, TRUE, "Ann Example", NULL, "030 1234567",
                                            &error));
  g_assert_no_error (error);
  given = stored (v->store, seq);
  g_assert_true (given->contact_consent);
  g_assert_cmpstr (given->contact_name, ==, "Ann Example");
  g_assert_cmpstr (given->contact_phone, ==, "030 1234567");

  /* The capture works: debug messages of the flow do arrive here. */
  kiosk_flow_return_to_survey (v->flow);
  kiosk_flow_set_survey (v->flow, demo);
  g_assert_true (kiosk_test_log_contains ("Now showing survey demo"));
  g_assert_false (kiosk_test_log_contains ("Ann"));
  g_assert_false (kiosk_test_log_contains ("1234567"));
}

static void
test_contact_email (void)
{
  g_autoptr(KioskSurvey) survey = kiosk_survey_new_demo ();
  g_autoptr(KioskConfig) config = kiosk_config_new_default ();
  g_autoptr(KioskClock) clock = kiosk_clock_new_fake (START_WALL_US, G_USEC_PER_SEC, "b");
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "r.db", NULL);
  g_autoptr(KioskStore) store = kiosk_store_open (db, KIOSK_STORE_OPEN_DEFAULT, NULL);
  g_autoptr(KioskFlow) flow = kiosk_flow_new (config, store, clock, survey);
  const char *bad[] = { "ann", "@example.org", "ann@", "ann@example", "ann@.org", "a b@x.org",
                        "ann@example.org.", "a@b@c.org", NULL };
  g_autoptr(GError) error = NULL;

  kiosk_flow_vote (flow, 0, KIOSK_INPUT_TOUCH, NULL);
  kiosk_flow_submit (flow);
  kiosk_flow_submit (flow);
  g_assert_cmpint (kiosk_flow_get_state (flow), ==, KIOSK_FLOW_CONTACT);

  for (guint i = 0; bad[i]; i++)
    {
      g_assert_false (kiosk_flow_submit_contact (flow, TRUE, NULL, bad[i], NULL, &error));
      g_assert_error (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_INVALID_CONTACT);
      g_assert_cmpstr (error->message, ==, "Please check the e-mail address.");
      g_clear_error (&error);
    }

  g_assert_true (kiosk_flow_submit_contact (flow, TRUE, NULL, "ann@example.org", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (kiosk_flow_get_last_response (flow)->contact_email, ==, "ann@example.org");
  kiosk_test_rm_rf (dir);
}

/* A face pressed while a follow-up is open (a physical button): the open visit's visitor has
 * gone, it ends as a timeout with what it had, and the new visit starts. */
static void
test_vote_during_follow_up (Visit         *v,
                            gconstpointer  data)
{
  g_autoptr(KioskResponse) first = NULL;
  gint64 seq;

  seq = kiosk_flow_vote (v->flow, 0, KIOSK_INPUT_TOUCH, NULL)->seq;
  kiosk_flow_toggle_option (v->flow, "queue");
  kiosk_flow_vote (v->flow, 3, KIOSK_INPUT_BUTTON, NULL);
  g_assert_cmpuint (v->visits_ended, ==, 1);

  first = stored (v->store, seq);
  g_assert_false (first->visit_open);
  g_assert_cmpint (first->follow_up_outcome, ==, KIOSK_OUTCOME_TIMEOUT);
  assert_strv ((const char * const *) first->follow_up_selected, "queue", NULL);

  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_FOLLOW_UP);
  g_assert_cmpstr (kiosk_follow_up_get_id (kiosk_flow_get_follow_up (v->flow)), ==, "why");
  assert_strv (kiosk_flow_get_selection (v->flow), NULL);
  g_assert_true (kiosk_flow_get_last_response (v->flow)->visit_open);
}

static void
notify_count_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

/* Outside opening hours nothing is recorded: a vote is refused with its own error and counted
 * as ignored, as is a tap on the closed screen; opening again records as before. */
static void
test_closed_records_nothing (Visit         *v,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint open_notified = 0, ignored_notified = 0;

  g_assert_true (kiosk_flow_get_open (v->flow));
  g_signal_connect (v->flow, "notify::open", G_CALLBACK (notify_count_cb), &open_notified);
  g_signal_connect (v->flow, "notify::ignored", G_CALLBACK (notify_count_cb), &ignored_notified);

  /* A tap on the closed screen while open is no ignored press. */
  kiosk_flow_ignore_press (v->flow);
  g_assert_cmpuint (kiosk_flow_get_ignored (v->flow), ==, 0);

  kiosk_flow_set_open (v->flow, FALSE);
  kiosk_flow_set_open (v->flow, FALSE);
  g_assert_false (kiosk_flow_get_open (v->flow));
  g_assert_cmpuint (open_notified, ==, 1);

  g_assert_null (kiosk_flow_vote (v->flow, 0, KIOSK_INPUT_TOUCH, &error));
  g_assert_error (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_CLOSED);
  g_assert_cmpstr (error->message, ==, "Closed: outside opening hours nothing is recorded");
  g_clear_error (&error);
  g_assert_null (kiosk_flow_vote (v->flow, 3, KIOSK_INPUT_BUTTON, NULL));
  kiosk_flow_ignore_press (v->flow);

  /* A face that does not exist is a mistake, not a press. */
  g_assert_null (kiosk_flow_vote (v->flow, 9, KIOSK_INPUT_BUTTON, &error));
  g_assert_error (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_NO_SUCH_FACE);
  g_clear_error (&error);

  g_assert_cmpuint (kiosk_flow_get_ignored (v->flow), ==, 3);
  g_assert_cmpuint (ignored_notified, ==, 3);
  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_SURVEY);
  g_assert_cmpint (kiosk_store_get_last_seq (v->store), ==, 0);
  g_assert_null (kiosk_flow_get_last_response (v->flow));

  g_object_set (v->flow, "open", TRUE, NULL);
  g_assert_true (kiosk_flow_get_open (v->flow));
  g_assert_nonnull (kiosk_flow_vote (v->flow, 3, KIOSK_INPUT_BUTTON, &error));
  g_assert_no_error (error);
  g_assert_cmpint (kiosk_store_get_last_seq (v->store), ==, 1);
  /* The count is kept for the status screen. */
  g_assert_cmpuint (kiosk_flow_get_ignored (v->flow), ==, 3);
}

/* Closing time in the middle of a visit: it ends as if the visitor had walked away (keeping
 * what they chose) and the survey shows at once, without a thank-you. */
static void
test_closed_mid_visit (Visit         *v,
                       gconstpointer  data)
{
  g_autoptr(KioskResponse) r = NULL;
  gint64 seq;

  seq = kiosk_flow_vote (v->flow, 0, KIOSK_INPUT_TOUCH, NULL)->seq;
  kiosk_flow_set_language (v->flow, "de");
  kiosk_flow_toggle_option (v->flow, "queue");
  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_FOLLOW_UP);

  kiosk_flow_set_open (v->flow, FALSE);
  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_SURVEY);
  g_assert_cmpuint (v->visits_ended, ==, 1);
  g_assert_null (kiosk_flow_get_follow_up (v->flow));
  g_assert_cmpuint (kiosk_flow_get_remaining_seconds (v->flow), ==, 0);
  g_assert_cmpstr (kiosk_flow_get_language (v->flow), ==, kiosk_flow_get_default_language (v->flow));

  r = stored (v->store, seq);
  g_assert_false (r->visit_open);
  g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_TIMEOUT);
  assert_strv ((const char * const *) r->follow_up_selected, "queue", NULL);

  /* The thank-you screen of a vote just before closing ends too. */
  kiosk_flow_set_open (v->flow, TRUE);
  kiosk_flow_vote (v->flow, 3, KIOSK_INPUT_TOUCH, NULL);
  kiosk_flow_skip (v->flow);
  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_THANKS);
  kiosk_flow_set_open (v->flow, FALSE);
  g_assert_cmpint (kiosk_flow_get_state (v->flow), ==, KIOSK_FLOW_SURVEY);
}

/* A face without a follow-up: a closed visit at once, eligible for upload. */
static void
test_no_follow_up (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "survey-minimal.json",
                                                 NULL);
  g_autoptr(KioskSurvey) survey = kiosk_survey_new_from_file (path, NULL);
  g_autoptr(KioskConfig) config = kiosk_config_new_default ();
  g_autoptr(KioskClock) clock = kiosk_clock_new_fake (START_WALL_US, G_USEC_PER_SEC, "b");
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "r.db", NULL);
  g_autoptr(KioskStore) store = kiosk_store_open (db, KIOSK_STORE_OPEN_DEFAULT, NULL);
  g_autoptr(KioskFlow) flow = kiosk_flow_new (config, store, clock, survey);
  g_autoptr(KioskResponse) r = NULL;
  guint eligible = 0;

  g_signal_connect (store, "eligible-written", G_CALLBACK (eligible_cb), &eligible);
  kiosk_flow_vote (flow, 0, KIOSK_INPUT_TOUCH, NULL);
  g_assert_cmpint (kiosk_flow_get_state (flow), ==, KIOSK_FLOW_THANKS);
  g_assert_cmpuint (eligible, ==, 1);
  g_assert_null (kiosk_flow_get_follow_up (flow));
  g_assert_cmpuint (kiosk_flow_get_remaining_seconds (flow), ==, 0);

  r = stored (store, 1);
  g_assert_false (r->visit_open);
  g_assert_null (r->follow_up_id);
  g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_NONE);
  kiosk_test_rm_rf (dir);
}

/* The kiosk dies mid-visit (killed, power cut): the face is kept, and the next start ends the
 * visit as interrupted. */
static void
test_crash_mid_visit (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  KioskResponse *r;

  if (g_test_subprocess ())
    {
      g_autoptr(KioskSurvey) survey = small_survey (0);
      g_autoptr(KioskConfig) config = kiosk_config_new_default ();
      g_autoptr(KioskClock) clock = kiosk_clock_new_fake (START_WALL_US, G_USEC_PER_SEC, "b");
      g_autoptr(KioskFlow) flow = NULL;

      store = kiosk_store_open (g_getenv ("TEST_FLOW_DB"), KIOSK_STORE_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      flow = kiosk_flow_new (config, store, clock, survey);
      kiosk_flow_vote (flow, 0, KIOSK_INPUT_TOUCH, NULL);
      kiosk_flow_toggle_option (flow, "queue");
      g_assert_cmpint (kiosk_flow_get_state (flow), ==, KIOSK_FLOW_FOLLOW_UP);

      /* No cleanup of any kind, as in a crash. */
      kill (getpid (), SIGKILL);
      g_assert_not_reached ();
    }

  dir = kiosk_test_make_tmpdir ();
  db = g_build_filename (dir, "responses.db", NULL);
  g_setenv ("TEST_FLOW_DB", db, TRUE);
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_unsetenv ("TEST_FLOW_DB");

  store = kiosk_store_open (db, KIOSK_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  rows = kiosk_store_list_responses (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  r = g_ptr_array_index (rows, 0);
  g_assert_cmpint (r->face, ==, 0);
  g_assert_false (r->visit_open);
  g_assert_cmpstr (r->follow_up_id, ==, "why-not");
  g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_INTERRUPTED);

  g_clear_object (&store);
  kiosk_test_rm_rf (dir);
}

/* A clean shutdown mid-visit ends the visit at once, with what the visitor had chosen. */
static void
test_shutdown_mid_visit (Visit         *v,
                         gconstpointer  data)
{
  g_autoptr(KioskResponse) r = NULL;
  gint64 seq;

  seq = kiosk_flow_vote (v->flow, 0, KIOSK_INPUT_TOUCH, NULL)->seq;
  kiosk_flow_toggle_option (v->flow, "price");
  g_assert_finalize_object (g_steal_pointer (&v->flow));

  r = stored (v->store, seq);
  g_assert_false (r->visit_open);
  g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_INTERRUPTED);
  assert_strv ((const char * const *) r->follow_up_selected, "price", NULL);

  /* For the teardown. */
  {
    g_autoptr(KioskSurvey) survey = small_survey (0);

    v->flow = kiosk_flow_new (v->config, v->store, v->clock, survey);
  }
}

static void
survey_notified_cb (KioskFlow  *flow,
                    GParamSpec *pspec,
                    guint      *count)
{
  (*count)++;
}

static void
test_survey_swap_waits_for_idle (Visit         *v,
                                 gconstpointer  data)
{
  g_autoptr(KioskSurvey) original = g_object_ref (kiosk_flow_get_survey (v->flow));
  g_autoptr(KioskSurvey) demo = kiosk_survey_new_demo ();
  g_autoptr(KioskSurvey) minimal = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "survey-minimal.json",
                                                 NULL);
  guint notified = 0;
  gint64 seq;

  g_signal_connect (v->flow, "notify::survey", G_CALLBACK (survey_notified_cb), &notified);

  /* Idle: at once. */
  kiosk_flow_set_survey (v->flow, demo);
  g_assert_true (kiosk_flow_get_survey (v->flow) == demo);
  g_assert_cmpuint (notified, ==, 1);

  /* Mid-visit: the visit keeps its survey, the next visitor gets the new one. */
  seq = kiosk_flow_vote (v->flow, 0, KIOSK_INPUT_TOUCH, NULL)->seq;
  kiosk_flow_set_survey (v->flow, original);
  g_assert_true (kiosk_flow_get_survey (v->flow) == demo);
  g_assert_cmpstr (kiosk_follow_up_get_id (kiosk_flow_get_follow_up (v->flow)), ==, "improve");
  g_assert_true (kiosk_flow_toggle_option (v->flow, "prices"));
  kiosk_flow_skip (v->flow);
  g_assert_true (kiosk_flow_get_survey (v->flow) == demo);   /* still thanking */
  g_assert_true (kiosk_test_wait_for (back_to_survey, v->flow, 5000));
  g_assert_true (kiosk_flow_get_survey (v->flow) == original);
  g_assert_cmpuint (notified, ==, 2);
  {
    g_autoptr(KioskResponse) r = stored (v->store, seq);

    g_assert_cmpstr (r->survey_id, ==, "demo");
  }
  g_assert_cmpstr (kiosk_flow_get_last_response (v->flow)->survey_id, ==, "demo");

  /* A visitor who chose a language is someone at the kiosk: wait for them too. */
  minimal = kiosk_survey_new_from_file (path, NULL);
  g_assert_true (kiosk_flow_set_language (v->flow, "de"));
  kiosk_flow_set_survey (v->flow, minimal);
  g_assert_true (kiosk_flow_get_survey (v->flow) == original);
  kiosk_flow_return_to_survey (v->flow);
  g_assert_true (kiosk_flow_get_survey (v->flow) == minimal);
  /* The new survey offers English only. */
  g_assert_cmpstr (kiosk_flow_get_language (v->flow), ==, "en");
  g_assert_false (kiosk_flow_set_language (v->flow, "de"));
  g_assert_cmpuint (notified, ==, 3);

  /* The next vote records the new survey. */
  g_assert_cmpstr (kiosk_flow_vote (v->flow, 2, KIOSK_INPUT_TOUCH, NULL)->survey_id, ==,
                   "minimal");
}

static gboolean
language_is_default (gpointer user_data)
{
  KioskFlow *flow = user_data;

  return g_strcmp0 (kiosk_flow_get_language (flow), kiosk_flow_get_default_language (flow)) == 0;
}

static void
language_notified_cb (KioskFlow  *flow,
                      GParamSpec *pspec,
                      guint      *count)
{
  (*count)++;
}

static void
test_language (Visit         *v,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  WaitData w = { v->flow, 0, 0 };
  guint notified = 0;
  gint64 chosen;

  g_signal_connect (v->flow, "notify::language", G_CALLBACK (language_notified_cb), &notified);
  g_assert_cmpstr (kiosk_flow_get_default_language (v->flow), ==, "en");
  g_assert_cmpstr (kiosk_flow_get_language (v->flow), ==, "en");

  /* Only what the survey offers; a regional variant finds its language. */
  g_assert_false (kiosk_flow_set_language (v->flow, "fr"));
  g_assert_cmpuint (notified, ==, 0);
  g_assert_true (kiosk_flow_set_language (v->flow, "de-AT"));
  g_assert_cmpstr (kiosk_flow_get_language (v->flow), ==, "de");
  g_assert_cmpuint (notified, ==, 1);

  /* The response records the language the visitor saw. */
  g_assert_cmpstr (kiosk_flow_vote (v->flow, 3, KIOSK_INPUT_TOUCH, NULL)->language, ==, "de");
  g_assert_cmpstr (kiosk_flow_get_language (v->flow), ==, "de");
  kiosk_flow_skip (v->flow);
  g_assert_true (kiosk_test_wait_for (back_to_survey, v->flow, 5000));
  g_assert_cmpstr (kiosk_flow_get_language (v->flow), ==, "en");

  /* A visitor chooses a language and walks away: back to the default after the timeout (2 s
   * here); a touch restarts the wait. */
  chosen = g_get_monotonic_time ();
  g_object_set (v->flow, "language", "de", NULL);
  g_assert_cmpstr (kiosk_flow_get_language (v->flow), ==, "de");
  w.after_us = chosen + G_USEC_PER_SEC;
  g_assert_true (wait_until (&w));
  kiosk_flow_touch (v->flow);
  w.after_us = chosen + 2 * G_USEC_PER_SEC + G_USEC_PER_SEC / 5;
  g_assert_true (wait_until (&w));
  g_assert_cmpstr (kiosk_flow_get_language (v->flow), ==, "de");
  g_assert_true (kiosk_test_wait_for (language_is_default, v->flow, 5000));
  g_assert_cmpint (g_get_monotonic_time () - chosen, >=, 3 * G_USEC_PER_SEC);
  g_assert_cmpstr (kiosk_flow_get_language (v->flow), ==, "en");
}

/* Japanese (like Chinese and Korean) is typed through an input method, which the kiosk does not
 * have: its visitors skip the comment step and go on to the contact request; in English the
 * same survey asks for the comment. The survey checker says so. */
static void
test_input_method_language_skips_comment (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "survey-japanese.json",
                                                 NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskSurvey) survey = kiosk_survey_new_from_file (path, &error);
  g_autoptr(KioskConfig) config = kiosk_config_new_from_data ("[kiosk]\nthank-you-seconds = 0.5\n"
                                                              "misuse-interval = 0\n", -1,
                                                              "test.conf", NULL);
  g_autoptr(KioskClock) clock = kiosk_clock_new_fake (START_WALL_US, G_USEC_PER_SEC, "b");
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "r.db", NULL);
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(KioskFlow) flow = NULL;
  g_autoptr(KioskSurvey) small = small_survey (0);
  g_auto(GStrv) warnings = NULL;

  g_assert_no_error (error);
  store = kiosk_store_open (db, KIOSK_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  flow = kiosk_flow_new (config, store, clock, survey);

  g_assert_true (kiosk_language_needs_input_method ("ja"));
  g_assert_true (kiosk_language_needs_input_method ("zh-Hant"));
  g_assert_true (kiosk_language_needs_input_method ("ko-KR"));
  g_assert_false (kiosk_language_needs_input_method ("ar"));
  g_assert_false (kiosk_language_needs_input_method ("xx"));

  g_assert_true (kiosk_flow_set_language (flow, "ja"));
  g_assert_false (kiosk_flow_can_comment (flow));
  kiosk_flow_vote (flow, 0, KIOSK_INPUT_TOUCH, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kiosk_flow_get_state (flow), ==, KIOSK_FLOW_FOLLOW_UP);
  g_assert_true (kiosk_flow_toggle_option (flow, "queue"));
  g_assert_true (kiosk_flow_submit (flow));
  g_assert_cmpint (kiosk_flow_get_state (flow), ==, KIOSK_FLOW_CONTACT);
  /* Nothing can be typed as a comment now. */
  g_assert_false (kiosk_flow_set_comment (flow, "x"));
  kiosk_flow_skip (flow);
  g_assert_true (kiosk_test_wait_for (back_to_survey, flow, 5000));

  g_assert_true (kiosk_flow_set_language (flow, "en"));
  g_assert_true (kiosk_flow_can_comment (flow));
  kiosk_flow_vote (flow, 0, KIOSK_INPUT_TOUCH, &error);
  g_assert_no_error (error);
  g_assert_true (kiosk_flow_submit (flow));
  g_assert_cmpint (kiosk_flow_get_state (flow), ==, KIOSK_FLOW_COMMENT);
  g_assert_true (kiosk_flow_skip (flow));
  g_assert_cmpint (kiosk_flow_get_state (flow), ==, KIOSK_FLOW_CONTACT);
  g_assert_true (kiosk_flow_skip (flow));
  g_assert_true (kiosk_test_wait_for (back_to_survey, flow, 5000));

  warnings = kiosk_survey_dup_warnings (survey);
  g_assert_cmpuint (g_strv_length (warnings), ==, 1);
  g_assert_cmpstr (warnings[0], ==, "follow-up “why-not” asks for a comment, but ja (日本語) is "
                   "typed through an input method, which the kiosk does not have: visitors in ja "
                   "skip the comment");
  /* A survey in German and English asks for its comment in both: nothing to say. */
  g_clear_pointer (&warnings, g_strfreev);
  warnings = kiosk_survey_dup_warnings (small);
  g_assert_cmpuint (g_strv_length (warnings), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&flow));
  g_assert_finalize_object (g_steal_pointer (&store));
  kiosk_test_rm_rf (dir);
}

/* [kiosk] language sets the default when the survey offers it. */
static void
test_configured_language (void)
{
  g_autoptr(KioskSurvey) survey = small_survey (0);
  g_autoptr(KioskClock) clock = kiosk_clock_new_fake (START_WALL_US, G_USEC_PER_SEC, "b");
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "r.db", NULL);
  g_autoptr(KioskStore) store = kiosk_store_open (db, KIOSK_STORE_OPEN_DEFAULT, NULL);
  const struct { const char *configured; const char *expected; } cases[] = {
    { "de", "de" }, { "de-CH", "de" }, { "en-GB", "en" }, { "sv", "en" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("[kiosk]\nlanguage = %s\n", cases[i].configured);
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskConfig) config = kiosk_config_new_from_data (text, -1, "t.conf", &error);
      g_autoptr(KioskFlow) flow = NULL;

      g_assert_no_error (error);
      flow = kiosk_flow_new (config, store, clock, survey);
      g_assert_cmpstr (kiosk_flow_get_default_language (flow), ==, cases[i].expected);
      g_assert_cmpstr (kiosk_flow_get_language (flow), ==, cases[i].expected);
    }
  kiosk_test_rm_rf (dir);
}

static void
test_rfc3339 (void)
{
  g_autofree char *utc = kiosk_format_rfc3339 (G_GINT64_CONSTANT (1795000000120000), 0);
  g_autofree char *cet = kiosk_format_rfc3339 (G_GINT64_CONSTANT (1795000000120000), 3600);
  g_autofree char *nst = kiosk_format_rfc3339 (G_GINT64_CONSTANT (1795000000999999), -12600);

  g_assert_cmpstr (utc, ==, "2026-11-18T11:06:40.120Z");
  g_assert_cmpstr (cet, ==, "2026-11-18T12:06:40.120+01:00");
  g_assert_cmpstr (nst, ==, "2026-11-18T07:36:40.999-03:30");
}

static void
test_real_clock (void)
{
  g_autoptr(KioskClock) clock = kiosk_clock_new ();
  KioskTimestamp a, b;

  kiosk_clock_now (clock, &a);
  kiosk_clock_now (clock, &b);
  g_assert_cmpint (b.monotonic_us, >=, a.monotonic_us);
  g_assert_cmpint (ABS (a.utc_offset_s), <=, 14 * 3600);
  g_assert_nonnull (kiosk_clock_get_boot_id (clock));
  g_assert_cmpuint (strlen (kiosk_clock_get_boot_id (clock)), ==, 36);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* The demo survey offers the languages of the build's catalogues. */
  kiosk_test_bind_catalogues ();

  /* Everything logged, whatever the level, so a test can prove what never appears in a log. */
  g_log_set_debug_enabled (TRUE);
  kiosk_test_log_record_start (NULL);

  g_test_add ("/flow/vote-records-everything", Fixture, NULL,
              fixture_setup, test_vote_records_everything, fixture_teardown);
  g_test_add ("/flow/sequence-and-uuids", Fixture, NULL,
              fixture_setup, test_sequence_and_uuids, fixture_teardown);
  g_test_add ("/flow/misuse/interval", Fixture, NULL,
              fixture_setup, test_misuse_interval, fixture_teardown);
  g_test_add ("/flow/misuse/off", Fixture, "[kiosk]\nmisuse-interval = 0\n",
              fixture_setup, test_misuse_rule_off, fixture_teardown);
  g_test_add ("/flow/misuse/monotonic", Fixture, NULL,
              fixture_setup, test_misuse_ignores_wall_clock, fixture_teardown);
  g_test_add ("/flow/state-by-name", Fixture, NULL,
              fixture_setup, test_state_by_name, fixture_teardown);
  g_test_add ("/flow/bad-face", Fixture, NULL,
              fixture_setup, test_bad_face, fixture_teardown);
  g_test_add ("/flow/vote-during-thanks", Fixture, NULL,
              fixture_setup, test_vote_during_thanks, fixture_teardown);
  g_test_add ("/flow/follow-up/answered", Visit, NULL,
              visit_setup, test_answered, visit_teardown);
  g_test_add ("/flow/follow-up/skipped", Visit, NULL,
              visit_setup, test_skipped, visit_teardown);
  g_test_add ("/flow/follow-up/skip-later-steps", Visit, NULL,
              visit_setup, test_skip_later_steps, visit_teardown);
  g_test_add ("/flow/follow-up/timeout", Visit, GUINT_TO_POINTER (2),
              visit_setup, test_timeout, visit_teardown);
  g_test_add ("/flow/follow-up/touch-restarts-countdown", Visit, GUINT_TO_POINTER (2),
              visit_setup, test_touch_restarts_countdown, visit_teardown);
  g_test_add ("/flow/follow-up/multiple-choice", Visit, NULL,
              visit_setup, test_multiple_choice, visit_teardown);
  g_test_add ("/flow/follow-up/single-choice", Visit, NULL,
              visit_setup, test_single_choice, visit_teardown);
  g_test_add ("/flow/follow-up/vote-during-follow-up", Visit, NULL,
              visit_setup, test_vote_during_follow_up, visit_teardown);
  g_test_add_func ("/flow/follow-up/none", test_no_follow_up);
  g_test_add ("/flow/closed/records-nothing", Visit, NULL,
              visit_setup, test_closed_records_nothing, visit_teardown);
  g_test_add ("/flow/closed/mid-visit", Visit, NULL,
              visit_setup, test_closed_mid_visit, visit_teardown);
  g_test_add ("/flow/comment/limit", Visit, NULL,
              visit_setup, test_comment_limit, visit_teardown);
  g_test_add ("/flow/contact/needs-consent", Visit, NULL,
              visit_setup, test_contact_needs_consent, visit_teardown);
  g_test_add_func ("/flow/contact/email", test_contact_email);
  g_test_add_func ("/flow/interrupted/crash", test_crash_mid_visit);
  g_test_add ("/flow/interrupted/shutdown", Visit, NULL,
              visit_setup, test_shutdown_mid_visit, visit_teardown);
  g_test_add ("/flow/survey-swap-waits-for-idle", Visit, NULL,
              visit_setup, test_survey_swap_waits_for_idle, visit_teardown);
  g_test_add ("/flow/language/returns-to-default", Visit, GUINT_TO_POINTER (2),
              visit_setup, test_language, visit_teardown);
  g_test_add_func ("/flow/language/configured", test_configured_language);
  g_test_add_func ("/flow/language/input-method-skips-comment",
                   test_input_method_language_skips_comment);
  g_test_add_func ("/clock/rfc3339", test_rfc3339);
  g_test_add_func ("/clock/real", test_real_clock);

  return g_test_run ();
}
