/* test-outbox.c: the uploader's view of the database: which responses are pending and in which
 * order, delivery marks, dead letters that keep the response, the sync state, the queue figures,
 * clock correction, and a read-only connection for --status while the kiosk writes. */
#define G_LOG_DOMAIN "test-outbox"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "kiosk-cloudevents.h"
#include "kiosk-outbox.h"
#include "kiosk-store.h"
#include "kiosk-test-sync.h"
#include "kiosk-test-util.h"

#define SECONDS(s) ((gint64) (s) * G_USEC_PER_SEC)

typedef struct
{
  char       *dir;
  char       *db;
  KioskStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = kiosk_test_make_tmpdir ();
  f->db = g_build_filename (f->dir, "responses.db", NULL);
  f->store = kiosk_store_open (f->db, KIOSK_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  kiosk_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->db);
}

static KioskResponse *
record (Fixture  *f,
        gint64    wall_us,
        gboolean  visit_open)
{
  g_autoptr(GError) error = NULL;
  KioskResponse *r = kiosk_test_make_response (0, wall_us, wall_us - KIOSK_TEST_T0 + SECONDS (5),
                                               2);

  if (visit_open)
    {
      r->visit_open = TRUE;
      r->follow_up_id = g_strdup ("improve");
      r->follow_up_outcome = KIOSK_OUTCOME_PENDING;
    }
  g_assert_true (kiosk_store_record (f->store, r, &error));
  g_assert_no_error (error);
  return r;
}

static KioskOutbox *
open_outbox (Fixture              *f,
             KioskOutboxOpenFlags  flags)
{
  g_autoptr(GError) error = NULL;
  KioskOutbox *outbox = kiosk_outbox_open (f->db, flags, &error);

  g_assert_no_error (error);
  return outbox;
}

static void
test_pending_order (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(KioskOutbox) outbox = open_outbox (f, KIOSK_OUTBOX_OPEN_DEFAULT);
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskResponse) open = NULL;

  for (int i = 0; i < 5; i++)
    kiosk_response_free (record (f, KIOSK_TEST_T0 + SECONDS (i), FALSE));
  /* A visit still being answered is not eligible yet, however old. */
  open = record (f, KIOSK_TEST_T0 + SECONDS (10), TRUE);
  kiosk_response_free (record (f, KIOSK_TEST_T0 + SECONDS (11), FALSE));

  batch = kiosk_outbox_next_batch (outbox, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (batch->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (((KioskResponse *) g_ptr_array_index (batch, i))->seq, ==, i + 1);
  g_clear_pointer (&batch, g_ptr_array_unref);

  batch = kiosk_outbox_next_batch (outbox, 100, &error);
  g_assert_cmpuint (batch->len, ==, 6);
  g_assert_cmpint (((KioskResponse *) g_ptr_array_index (batch, 5))->seq, ==, 7);
  g_clear_pointer (&batch, g_ptr_array_unref);

  /* The visit ends: now it goes, in its place in the sequence. */
  open->visit_open = FALSE;
  open->follow_up_outcome = KIOSK_OUTCOME_SKIPPED;
  g_assert_true (kiosk_store_complete_visit (f->store, open, &error));
  batch = kiosk_outbox_next_batch (outbox, 100, &error);
  g_assert_cmpuint (batch->len, ==, 7);
  g_assert_cmpint (((KioskResponse *) g_ptr_array_index (batch, 5))->seq, ==, 6);
  g_assert_cmpint (((KioskResponse *) g_ptr_array_index (batch, 5))->follow_up_outcome, ==,
                   KIOSK_OUTCOME_SKIPPED);
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(KioskOutbox) outbox = open_outbox (f, KIOSK_OUTBOX_OPEN_DEFAULT);
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskResponse) r = kiosk_test_make_response (0, KIOSK_TEST_T0, SECONDS (7), 3);
  KioskResponse *back;

  r->misuse = TRUE;
  r->misuse_rule = g_strdup ("response-interval");
  r->follow_up_id = g_strdup ("improve");
  r->follow_up_selected = g_strsplit ("speed,staff", ",", -1);
  r->follow_up_outcome = KIOSK_OUTCOME_ANSWERED;
  r->comment = g_strdup ("Friendly \"staff\"");
  r->contact_consent = TRUE;
  r->contact_email = g_strdup ("a@example.com");
  g_assert_true (kiosk_store_record (f->store, r, &error));

  batch = kiosk_outbox_next_batch (outbox, 10, &error);
  g_assert_cmpuint (batch->len, ==, 1);
  back = g_ptr_array_index (batch, 0);
  g_assert_cmpstr (back->uuid, ==, r->uuid);
  g_assert_cmpint (back->seq, ==, r->seq);
  g_assert_cmpint (back->face, ==, 3);
  g_assert_cmpint (back->time.wall_us, ==, KIOSK_TEST_T0);
  g_assert_cmpint (back->time.utc_offset_s, ==, 3600);
  g_assert_cmpint (back->time.monotonic_us, ==, SECONDS (7));
  g_assert_true (back->time.synced);
  g_assert_cmpstr (back->boot_id, ==, KIOSK_TEST_BOOT_ID);
  g_assert_true (back->misuse);
  g_assert_cmpstr (back->misuse_rule, ==, "response-interval");
  g_assert_cmpstr (back->follow_up_id, ==, "improve");
  g_assert_cmpstrv (back->follow_up_selected, ((const char * const[]) { "speed", "staff", NULL }));
  g_assert_cmpint (back->follow_up_outcome, ==, KIOSK_OUTCOME_ANSWERED);
  g_assert_cmpstr (back->comment, ==, "Friendly \"staff\"");
  g_assert_true (back->contact_consent);
  g_assert_cmpstr (back->contact_email, ==, "a@example.com");
  g_assert_null (back->contact_name);
}

/* A row beyond what this version writes (an outcome it does not know, an option id that is not
 * a string) reads the same through the store and the outbox, and claims no more than it says:
 * a follow-up shown with an unknown end was interrupted; a response without one has none. */
static void
test_unknown_row_values (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(KioskOutbox) outbox = open_outbox (f, KIOSK_OUTBOX_OPEN_DEFAULT);
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskResponse) shown = kiosk_test_make_response (0, KIOSK_TEST_T0, SECONDS (7), 1);
  g_autoptr(KioskResponse) plain = kiosk_test_make_response (0, KIOSK_TEST_T0, SECONDS (8), 3);
  sqlite3 *db;

  shown->follow_up_id = g_strdup ("improve");
  shown->follow_up_selected = g_strsplit ("speed,staff", ",", -1);
  shown->follow_up_outcome = KIOSK_OUTCOME_ANSWERED;
  g_assert_true (kiosk_store_record (f->store, shown, &error));
  g_assert_true (kiosk_store_record (f->store, plain, &error));
  g_assert_no_error (error);

  g_assert_cmpint (sqlite3_open (f->db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE responses SET follow_up_outcome = 'gave-up',"
                                 " follow_up_selected = '[\"speed\",3,null,\"staff\"]'"
                                 " WHERE seq = 1;"
                                 "UPDATE responses SET follow_up_outcome = 'gave-up' WHERE seq = 2",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  for (guint pass = 0; pass < 2; pass++)
    {
      GPtrArray *read;
      KioskResponse *r;

      g_test_expect_message ("kiosk-response-row", G_LOG_LEVEL_WARNING,
                             "Response seq 1: follow_up_selected[1] is not an option id*");
      g_test_expect_message ("kiosk-response-row", G_LOG_LEVEL_WARNING,
                             "Response seq 1: follow_up_selected[2] is not an option id*");
      g_test_expect_message ("kiosk-response-row", G_LOG_LEVEL_WARNING,
                             "Response seq 1: follow-up outcome “gave-up” is unknown; read as "
                             "interrupted");
      if (pass == 0)
        read = listed = kiosk_store_list_responses (f->store, &error);
      else
        read = batch = kiosk_outbox_next_batch (outbox, 10, &error);
      g_test_assert_expected_messages ();
      g_assert_no_error (error);
      g_assert_cmpuint (read->len, ==, 2);

      r = g_ptr_array_index (read, 0);
      g_assert_cmpstr (r->follow_up_id, ==, "improve");
      g_assert_cmpstrv (r->follow_up_selected,
                        ((const char * const[]) { "speed", "staff", NULL }));
      g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_INTERRUPTED);

      r = g_ptr_array_index (read, 1);
      g_assert_null (r->follow_up_id);
      g_assert_cmpint (r->follow_up_outcome, ==, KIOSK_OUTCOME_NONE);
    }
}

static void
test_delivered_and_stats (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(KioskOutbox) outbox = open_outbox (f, KIOSK_OUTBOX_OPEN_DEFAULT);
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskResponse) open = NULL;
  KioskQueueStats stats;

  for (int i = 0; i < 4; i++)
    kiosk_response_free (record (f, KIOSK_TEST_T0 + SECONDS (60 * i), FALSE));
  open = record (f, KIOSK_TEST_T0 + SECONDS (300), TRUE);

  g_assert_true (kiosk_outbox_get_stats (outbox, &stats, &error));
  g_assert_cmpint (stats.depth, ==, 4);
  g_assert_cmpint (stats.oldest_pending_wall_us, ==, KIOSK_TEST_T0);
  g_assert_cmpint (stats.open_visits, ==, 1);
  g_assert_cmpint (stats.dead_letters, ==, 0);
  g_assert_cmpint (stats.last_seq, ==, 5);

  g_assert_true (kiosk_outbox_begin (outbox, &error));
  g_assert_true (kiosk_outbox_mark_delivered (outbox, 1, KIOSK_TEST_T0 + SECONDS (1000), &error));
  g_assert_true (kiosk_outbox_mark_delivered (outbox, 2, KIOSK_TEST_T0 + SECONDS (1000), &error));
  g_assert_true (kiosk_outbox_commit (outbox, &error));
  g_assert_no_error (error);

  /* A second mark (a resend answered "duplicate") keeps the first delivery time. */
  g_assert_true (kiosk_outbox_mark_delivered (outbox, 1, KIOSK_TEST_T0 + SECONDS (2000), &error));
  {
    const gint64 again[] = { 1, 2 };

    g_assert_true (kiosk_outbox_mark_delivered_many (outbox, again, 2, KIOSK_TEST_T0, &error));
  }

  g_assert_true (kiosk_outbox_get_stats (outbox, &stats, &error));
  g_assert_cmpint (stats.depth, ==, 2);
  g_assert_cmpint (stats.oldest_pending_wall_us, ==, KIOSK_TEST_T0 + SECONDS (120));

  batch = kiosk_outbox_next_batch (outbox, 10, &error);
  g_assert_cmpuint (batch->len, ==, 2);
  g_assert_cmpint (((KioskResponse *) g_ptr_array_index (batch, 0))->seq, ==, 3);

  {
    sqlite3 *db;
    sqlite3_stmt *stmt;

    g_assert_cmpint (sqlite3_open (f->db, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT delivered_us, attempts FROM responses"
                                         " WHERE seq = 1", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, KIOSK_TEST_T0 + SECONDS (1000));
    g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 1);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }

  /* A rolled back transaction leaves nothing behind. */
  g_assert_true (kiosk_outbox_begin (outbox, &error));
  g_assert_true (kiosk_outbox_mark_delivered (outbox, 3, KIOSK_TEST_T0, &error));
  kiosk_outbox_rollback (outbox);
  g_assert_cmpint (kiosk_test_count_pending (f->db), ==, 2);

  /* A whole batch at once. */
  {
    const gint64 batch_seqs[] = { 3, 4 };

    g_assert_true (kiosk_outbox_mark_delivered_many (outbox, batch_seqs, 2, KIOSK_TEST_T0, &error));
    g_assert_no_error (error);
    g_assert_true (kiosk_outbox_get_stats (outbox, &stats, &error));
    g_assert_cmpint (stats.depth, ==, 0);
    g_assert_cmpint (stats.open_visits, ==, 1);
  }
}

static void
test_dead_letter (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(KioskOutbox) outbox = open_outbox (f, KIOSK_OUTBOX_OPEN_DEFAULT);
  g_autoptr(KioskResponse) r = record (f, KIOSK_TEST_T0, FALSE);
  g_autoptr(GPtrArray) letters = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *event = kiosk_cloudevent_to_json (r, KIOSK_TEST_SOURCE);
  KioskDeadLetter *letter;
  KioskQueueStats stats;

  kiosk_response_free (record (f, KIOSK_TEST_T0 + 1, FALSE));

  g_assert_true (kiosk_outbox_dead_letter (outbox, r->seq, r->uuid, KIOSK_TEST_T0 + SECONDS (9),
                                           422, "HTTP 422: face out of range", event, &error));
  g_assert_no_error (error);

  g_assert_true (kiosk_outbox_get_stats (outbox, &stats, &error));
  g_assert_cmpint (stats.depth, ==, 1);
  g_assert_cmpint (stats.dead_letters, ==, 1);

  letters = kiosk_outbox_list_dead_letters (outbox, &error);
  g_assert_cmpuint (letters->len, ==, 1);
  letter = g_ptr_array_index (letters, 0);
  g_assert_cmpint (letter->seq, ==, r->seq);
  g_assert_cmpstr (letter->uuid, ==, r->uuid);
  g_assert_cmpint (letter->http_status, ==, 422);
  g_assert_cmpstr (letter->reason, ==, "HTTP 422: face out of range");
  g_assert_cmpstr (letter->event, ==, event);
  g_assert_cmpint (letter->wall_us, ==, KIOSK_TEST_T0 + SECONDS (9));

  /* The response itself is kept: it still counts, it is still exported. */
  all = kiosk_store_list_responses (f->store, &error);
  g_assert_cmpuint (all->len, ==, 2);
}

/* A reply for a whole batch is recorded in several short transactions (a tap waits for the
 * write lock at most one of them), and it all lands: every response marked or dead-lettered,
 * the last successful upload set. */
static void
test_results_of_a_large_batch (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(KioskOutbox) outbox = open_outbox (f, KIOSK_OUTBOX_OPEN_DEFAULT);
  g_autoptr(GPtrArray) responses = NULL;
  g_autoptr(GPtrArray) letters = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree KioskDeliveryResult *results = NULL;
  g_autofree char *last_ok = NULL;
  KioskQueueStats stats;
  const guint n = 250;
  const guint rejected = 150;

  responses = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_response_free);
  results = g_new0 (KioskDeliveryResult, n);
  for (guint i = 0; i < n; i++)
    {
      KioskResponse *r = record (f, KIOSK_TEST_T0 + i, FALSE);

      g_ptr_array_add (responses, r);
      results[i].seq = r->seq;
      results[i].uuid = r->uuid;
    }
  results[rejected].rejected = TRUE;
  results[rejected].reason = "HTTP 200: face out of range";
  results[rejected].event = "{}";

  g_assert_true (kiosk_outbox_apply_results (outbox, results, n, 200, KIOSK_TEST_T0 + SECONDS (60),
                                             &error));
  g_assert_no_error (error);

  g_assert_true (kiosk_outbox_get_stats (outbox, &stats, &error));
  g_assert_cmpint (stats.depth, ==, 0);
  g_assert_cmpint (stats.dead_letters, ==, 1);
  letters = kiosk_outbox_list_dead_letters (outbox, &error);
  g_assert_cmpuint (letters->len, ==, 1);
  g_assert_cmpint (((KioskDeadLetter *) g_ptr_array_index (letters, 0))->seq, ==,
                   results[rejected].seq);
  last_ok = kiosk_outbox_get_state (outbox, KIOSK_SYNC_KEY_LAST_UPLOAD_OK_AT);
  g_assert_nonnull (last_ok);
}

static void
test_state (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(KioskOutbox) outbox = open_outbox (f, KIOSK_OUTBOX_OPEN_DEFAULT);
  g_autoptr(KioskOutbox) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  g_autofree char *again = NULL;

  g_assert_null (kiosk_outbox_get_state (outbox, KIOSK_SYNC_KEY_SURVEY_ETAG));
  g_assert_true (kiosk_outbox_set_state (outbox, KIOSK_SYNC_KEY_SURVEY_ETAG, "\"v1\"", &error));
  g_assert_true (kiosk_outbox_set_state (outbox, KIOSK_SYNC_KEY_SURVEY_ETAG, "\"v2\"", &error));
  value = kiosk_outbox_get_state (outbox, KIOSK_SYNC_KEY_SURVEY_ETAG);
  g_assert_cmpstr (value, ==, "\"v2\"");

  /* Another process (--status) reads it. */
  reader = open_outbox (f, KIOSK_OUTBOX_OPEN_READ_ONLY);
  again = kiosk_outbox_get_state (reader, KIOSK_SYNC_KEY_SURVEY_ETAG);
  g_assert_cmpstr (again, ==, "\"v2\"");
  g_assert_false (kiosk_outbox_set_state (reader, "x", "y", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_true (kiosk_outbox_set_state (outbox, KIOSK_SYNC_KEY_SURVEY_ETAG, NULL, &error));
  g_assert_null (kiosk_outbox_get_state (outbox, KIOSK_SYNC_KEY_SURVEY_ETAG));
}

/* A Raspberry Pi boots in 1970 (or last month); NTP sets the clock later in the same boot. */
static void
test_clock_correction (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(KioskOutbox) outbox = open_outbox (f, KIOSK_OUTBOX_OPEN_DEFAULT);
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GError) error = NULL;
  gint64 wrong = SECONDS (86400 * 365);   /* 1971 */
  gint64 corrected;
  struct { const char *boot; gboolean synced; gint64 mono; gboolean deliver; } rows[] = {
    { KIOSK_TEST_BOOT_ID, FALSE, SECONDS (10), FALSE },   /* corrected */
    { KIOSK_TEST_BOOT_ID, FALSE, SECONDS (70), FALSE },   /* corrected */
    { KIOSK_TEST_BOOT_ID, FALSE, SECONDS (20), TRUE },    /* already delivered: left alone */
    { "another-boot", FALSE, SECONDS (30), FALSE },       /* monotonic means nothing across boots */
    { KIOSK_TEST_BOOT_ID, TRUE, SECONDS (90), FALSE },    /* was synchronised already */
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(KioskResponse) r = kiosk_test_make_response (0, wrong + rows[i].mono,
                                                             rows[i].mono, 1);

      g_free (r->boot_id);
      r->boot_id = g_strdup (rows[i].boot);
      r->time.synced = rows[i].synced;
      g_assert_true (kiosk_store_record (f->store, r, &error));
      if (rows[i].deliver)
        g_assert_true (kiosk_outbox_mark_delivered (outbox, r->seq, KIOSK_TEST_T0, &error));
    }

  /* Now (monotonic 100 s) the true time is T0. */
  corrected = kiosk_outbox_correct_clock (outbox, KIOSK_TEST_BOOT_ID, KIOSK_TEST_T0,
                                          SECONDS (100), &error);
  g_assert_no_error (error);
  g_assert_cmpint (corrected, ==, 2);

  /* Nothing left to correct the second time. */
  g_assert_cmpint (kiosk_outbox_correct_clock (outbox, KIOSK_TEST_BOOT_ID, KIOSK_TEST_T0,
                                               SECONDS (100), &error), ==, 0);

  batch = kiosk_outbox_next_batch (outbox, 10, &error);
  g_assert_cmpuint (batch->len, ==, 4);
  {
    KioskResponse *a = g_ptr_array_index (batch, 0);
    KioskResponse *b = g_ptr_array_index (batch, 1);
    KioskResponse *other = g_ptr_array_index (batch, 2);
    KioskResponse *synced = g_ptr_array_index (batch, 3);
    g_autofree char *json = kiosk_cloudevent_to_json (a, KIOSK_TEST_SOURCE);

    g_assert_cmpint (a->time.wall_us, ==, KIOSK_TEST_T0 - SECONDS (90));
    g_assert_true (a->clock_corrected);
    g_assert_false (a->time.synced);
    g_assert_cmpint (b->time.wall_us, ==, KIOSK_TEST_T0 - SECONDS (30));
    g_assert_true (b->clock_corrected);
    g_assert_cmpint (other->time.wall_us, ==, wrong + SECONDS (30));
    g_assert_false (other->clock_corrected);
    g_assert_cmpint (synced->time.wall_us, ==, wrong + SECONDS (90));
    g_assert_false (synced->clock_corrected);

    /* On the wire: the corrected time, synced false, corrected true. */
    g_assert_nonnull (strstr (json, "\"synced\":false,\"corrected\":true"));
    g_assert_nonnull (strstr (json, "\"time\":\"2026-03-14T15:07:56.535Z\""));
  }

  {
    KioskClockStats clock_stats;

    g_assert_true (kiosk_outbox_get_clock_stats (outbox, &clock_stats, &error));
    g_assert_cmpint (clock_stats.unsynced, ==, 1);
    g_assert_cmpint (clock_stats.corrected, ==, 2);
  }
}

static void
test_open_errors (void)
{
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *missing = g_build_filename (dir, "none.db", NULL);
  g_autofree char *old = g_build_filename (dir, "old.db", NULL);
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  g_assert_null (kiosk_outbox_open (missing, KIOSK_OUTBOX_OPEN_READ_ONLY, &error));
  g_assert_error (error, KIOSK_OUTBOX_ERROR, KIOSK_OUTBOX_ERROR_OPEN);
  g_assert_true (g_str_has_suffix (error->message, "none.db: no database yet (nothing has been "
                                                   "recorded)"));
  g_clear_error (&error);

  g_assert_cmpint (sqlite3_open (old, &db), ==, SQLITE_OK);
  sqlite3_exec (db, "PRAGMA user_version = 2", NULL, NULL, NULL);
  sqlite3_close (db);
  g_assert_null (kiosk_outbox_open (old, KIOSK_OUTBOX_OPEN_DEFAULT, &error));
  g_assert_error (error, KIOSK_OUTBOX_ERROR, KIOSK_OUTBOX_ERROR_SCHEMA);
  g_assert_nonnull (strstr (error->message, "schema version 2 (this program delivers from "
                                            "version 4); start the kiosk once to upgrade it"));
  kiosk_test_rm_rf (dir);
}

/* The kiosk keeps recording (one INSERT per tap, 10 ms lock patience) while the uploader marks
 * batches delivered: neither loses anything, no tap is held back. */
static void
test_concurrent_with_store (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(KioskOutbox) outbox = open_outbox (f, KIOSK_OUTBOX_OPEN_DEFAULT);
  g_autoptr(GError) error = NULL;
  guint delivered = 0;

  for (guint round = 0; round < 50; round++)
    {
      g_autoptr(GPtrArray) batch = NULL;

      for (int i = 0; i < 5; i++)
        {
          g_autoptr(KioskResponse) r = record (f, KIOSK_TEST_T0 + SECONDS (round * 5 + i), FALSE);

          g_assert_cmpuint (kiosk_store_get_unwritten (f->store), ==, 0);
        }

      batch = kiosk_outbox_next_batch (outbox, 3, &error);
      g_assert_true (kiosk_outbox_begin (outbox, &error));
      for (guint i = 0; i < batch->len; i++)
        {
          KioskResponse *r = g_ptr_array_index (batch, i);

          g_assert_true (kiosk_outbox_mark_delivered (outbox, r->seq, KIOSK_TEST_T0, &error));
        }
      g_assert_true (kiosk_outbox_commit (outbox, &error));
      delivered += batch->len;
    }

  g_assert_cmpint (kiosk_test_count_pending (f->db), ==, 250 - delivered);
}

#define DAYS(d) ((gint64) (d) * 24 * 3600 * G_USEC_PER_SEC)

static const KioskRetentionPolicy generous = {
  .retention_us = DAYS (30),
  .max_queue_responses = 1000000,
  .max_database_bytes = G_MAXINT64,
  .max_incidents = 1000,
};

static gint64
prune (KioskOutbox                *outbox,
       const KioskRetentionPolicy *policy,
       gint64                      now_wall_us,
       guint                       max_rows,
       KioskPruneResult           *out)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (kiosk_outbox_prune_step (outbox, policy, now_wall_us, max_rows, out, &error));
  g_assert_no_error (error);
  return out->expired + out->evicted + out->dropped + out->incidents;
}

static gint64
count_rows (Fixture    *f,
            const char *sql)
{
  sqlite3 *db;
  sqlite3_stmt *stmt;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (f->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* Delivered rows go after their retention, in small steps, by delivery time on the given clock;
 * undelivered and rejected rows stay however old they are. */
static void
test_retention (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(KioskOutbox) outbox = open_outbox (f, KIOSK_OUTBOX_OPEN_DEFAULT);
  g_autoptr(GError) error = NULL;
  KioskPruneResult result;

  for (int i = 0; i < 11; i++)
    kiosk_response_free (record (f, KIOSK_TEST_T0 + SECONDS (i), FALSE));
  for (gint64 seq = 1; seq <= 6; seq++)
    g_assert_true (kiosk_outbox_mark_delivered (outbox, seq, KIOSK_TEST_T0 + DAYS (1), &error));
  for (gint64 seq = 7; seq <= 8; seq++)
    g_assert_true (kiosk_outbox_mark_delivered (outbox, seq, KIOSK_TEST_T0 + DAYS (20), &error));
  g_assert_true (kiosk_outbox_dead_letter (outbox, 11, "uuid-11", KIOSK_TEST_T0, 422, "bad", "{}",
                                           &error));
  g_assert_no_error (error);

  /* 30 days after delivery, not before. */
  g_assert_cmpint (prune (outbox, &generous, KIOSK_TEST_T0 + DAYS (31) - 1, 4, &result), ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM responses"), ==, 11);

  g_assert_cmpint (prune (outbox, &generous, KIOSK_TEST_T0 + DAYS (31) + 1, 4, &result), ==, 4);
  g_assert_cmpint (result.expired, ==, 4);
  g_assert_cmpint (prune (outbox, &generous, KIOSK_TEST_T0 + DAYS (31) + 1, 4, &result), ==, 2);
  g_assert_cmpint (result.expired, ==, 2);
  g_assert_cmpint (prune (outbox, &generous, KIOSK_TEST_T0 + DAYS (31) + 1, 4, &result), ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT min(seq) FROM responses"), ==, 7);

  /* Years later: the delivered ones are gone, the rest is all there. */
  while (prune (outbox, &generous, KIOSK_TEST_T0 + DAYS (3000), 4, &result) > 0)
    g_assert_cmpint (result.dropped, ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM responses"), ==, 3);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM responses WHERE seq IN (9, 10, 11)"), ==, 3);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM dead_letters"), ==, 1);
}

/* Over the count bound, the oldest undelivered responses go (dead letters included), each one
 * counted and recorded; a visit still being answered stays. */
static void
test_queue_bound (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(KioskOutbox) outbox = open_outbox (f, KIOSK_OUTBOX_OPEN_DEFAULT);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(KioskResponse) open = NULL;
  KioskRetentionPolicy policy = generous;
  KioskPruneResult result;
  KioskQueueStats stats;

  open = record (f, KIOSK_TEST_T0, TRUE);
  for (int i = 1; i < 9; i++)
    kiosk_response_free (record (f, KIOSK_TEST_T0 + SECONDS (i), FALSE));
  g_assert_true (kiosk_outbox_dead_letter (outbox, 3, "uuid-3", KIOSK_TEST_T0, 422, "bad", "{}",
                                           &error));

  policy.max_queue_responses = 8;
  g_assert_cmpint (prune (outbox, &policy, KIOSK_TEST_T0, 2, &result), ==, 0);

  policy.max_queue_responses = 5;
  g_test_expect_message ("kiosk-outbox", G_LOG_LEVEL_WARNING,
                         "2 undelivered responses were dropped (seq 2 to 3): more than 5 were "
                         "waiting ([storage] max-queue-responses)");
  g_assert_cmpint (prune (outbox, &policy, KIOSK_TEST_T0, 2, &result), ==, 2);
  g_assert_cmpint (result.dropped, ==, 2);
  g_test_expect_message ("kiosk-outbox", G_LOG_LEVEL_WARNING,
                         "1 undelivered responses were dropped (seq 4 to 4): *");
  g_assert_cmpint (prune (outbox, &policy, KIOSK_TEST_T0, 2, &result), ==, 1);
  g_test_assert_expected_messages ();
  g_assert_cmpint (prune (outbox, &policy, KIOSK_TEST_T0, 2, &result), ==, 0);

  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM responses WHERE seq IN (1, 5, 6, 7, 8, 9)"),
                   ==, 6);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM dead_letters"), ==, 0);
  g_assert_true (kiosk_outbox_get_stats (outbox, &stats, &error));
  g_assert_cmpint (stats.dropped, ==, 3);
  g_assert_cmpint (stats.depth, ==, 5);
  g_assert_cmpint (stats.open_visits, ==, 1);

  incidents = kiosk_store_list_incidents (f->store, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (incidents->len, ==, 2);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (incidents, 1),
                                   " queue-dropped: 2 undelivered responses were dropped (seq 2 to "
                                   "3): more than 5 were waiting ([storage] max-queue-responses)"));

  /* Old incidents are trimmed to the newest few. */
  policy.max_incidents = 1;
  g_assert_cmpint (prune (outbox, &policy, KIOSK_TEST_T0, 2, &result), ==, 1);
  g_assert_cmpint (result.incidents, ==, 1);
  g_assert_cmpint (prune (outbox, &policy, KIOSK_TEST_T0, 2, &result), ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM incidents"), ==, 1);
}

/* Over the byte bound, delivered rows go first, early; only then undelivered ones, counted. */
static void
test_byte_bound (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(KioskOutbox) outbox = open_outbox (f, KIOSK_OUTBOX_OPEN_DEFAULT);
  g_autoptr(GError) error = NULL;
  KioskRetentionPolicy policy = generous;
  KioskPruneResult result;
  KioskQueueStats stats;
  gint64 used = 0;

  for (int i = 0; i < 5; i++)
    kiosk_response_free (record (f, KIOSK_TEST_T0 + SECONDS (i), FALSE));
  for (gint64 seq = 1; seq <= 3; seq++)
    g_assert_true (kiosk_outbox_mark_delivered (outbox, seq, KIOSK_TEST_T0, &error));

  g_assert_true (kiosk_outbox_get_used_bytes (outbox, &used, &error));
  g_assert_cmpint (used, >, 0);
  policy.max_database_bytes = used;
  g_assert_cmpint (prune (outbox, &policy, KIOSK_TEST_T0, 10, &result), ==, 0);

  policy.max_database_bytes = 1;
  g_assert_cmpint (prune (outbox, &policy, KIOSK_TEST_T0, 10, &result), ==, 3);
  g_assert_cmpint (result.evicted, ==, 3);
  g_test_expect_message ("kiosk-outbox", G_LOG_LEVEL_WARNING,
                         "2 undelivered responses were dropped (seq 4 to 5): the database used 0 MB, "
                         "more than its 0 MB ([storage] max-database-megabytes)");
  g_assert_cmpint (prune (outbox, &policy, KIOSK_TEST_T0, 10, &result), ==, 2);
  g_test_assert_expected_messages ();
  g_assert_cmpint (result.dropped, ==, 2);
  g_assert_cmpint (prune (outbox, &policy, KIOSK_TEST_T0, 10, &result), ==, 0);
  g_assert_true (kiosk_outbox_get_stats (outbox, &stats, &error));
  g_assert_cmpint (stats.dropped, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/outbox/pending-order", Fixture, NULL, fixture_set_up, test_pending_order,
              fixture_tear_down);
  g_test_add ("/outbox/round-trip", Fixture, NULL, fixture_set_up, test_round_trip,
              fixture_tear_down);
  g_test_add ("/outbox/unknown-row-values", Fixture, NULL, fixture_set_up,
              test_unknown_row_values, fixture_tear_down);
  g_test_add ("/outbox/delivered-and-stats", Fixture, NULL, fixture_set_up,
              test_delivered_and_stats, fixture_tear_down);
  g_test_add ("/outbox/dead-letter", Fixture, NULL, fixture_set_up, test_dead_letter,
              fixture_tear_down);
  g_test_add ("/outbox/results-of-a-large-batch", Fixture, NULL, fixture_set_up,
              test_results_of_a_large_batch, fixture_tear_down);
  g_test_add ("/outbox/state", Fixture, NULL, fixture_set_up, test_state, fixture_tear_down);
  g_test_add ("/outbox/clock-correction", Fixture, NULL, fixture_set_up, test_clock_correction,
              fixture_tear_down);
  g_test_add ("/outbox/concurrent-with-store", Fixture, NULL, fixture_set_up,
              test_concurrent_with_store, fixture_tear_down);
  g_test_add_func ("/outbox/open-errors", test_open_errors);
  g_test_add ("/outbox/retention", Fixture, NULL, fixture_set_up, test_retention,
              fixture_tear_down);
  g_test_add ("/outbox/queue-bound", Fixture, NULL, fixture_set_up, test_queue_bound,
              fixture_tear_down);
  g_test_add ("/outbox/byte-bound", Fixture, NULL, fixture_set_up, test_byte_bound,
              fixture_tear_down);

  return g_test_run ();
}
