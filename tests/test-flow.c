/* test-flow.c: one visit through the core, without a display: a vote is stamped, recorded,
 * thanked, and the flow returns to the survey; the misuse rule flags without dropping. */
#define G_LOG_DOMAIN "test-flow"

#include "config.h"

#include "kiosk-flow.h"
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

static void
test_bad_face (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (kiosk_flow_vote (f->flow, 4, KIOSK_INPUT_TOUCH, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "Face 4 does not exist (this survey has faces 0 to 3)");
  g_clear_error (&error);

  g_assert_null (kiosk_flow_vote (f->flow, -1, KIOSK_INPUT_TOUCH, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

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
  g_test_add ("/flow/bad-face", Fixture, NULL,
              fixture_setup, test_bad_face, fixture_teardown);
  g_test_add ("/flow/vote-during-thanks", Fixture, NULL,
              fixture_setup, test_vote_during_thanks, fixture_teardown);
  g_test_add_func ("/clock/rfc3339", test_rfc3339);
  g_test_add_func ("/clock/real", test_real_clock);

  return g_test_run ();
}
