/* test-heartbeat.c: the heartbeat document: what the kiosk writes reads back the same, and each
 * way a document can break the contract is refused with a message naming the member. */
#define G_LOG_DOMAIN "test-heartbeat"

#include "config.h"

#include <string.h>

#include "kiosk-heartbeat.h"

#define MEMBERS \
  "{\"version\": \"0.1.0\", \"uptime_s\": 86400, \"queue_depth\": 3, " \
  "\"oldest_pending_age_s\": 420, \"dead_letter_count\": 0, " \
  "\"last_upload_ok_at\": \"2026-03-14T15:02:11.120Z\", " \
  "\"last_error\": \"uploading: the server answered HTTP 503: Maintenance\", " \
  "\"clock_synced\": true, \"survey_id\": \"demo\", \"survey_version\": 1, \"last_seq\": 1234"
/* What a kiosk of before the optional members sends. */
#define VALID MEMBERS "}"
/* The contract's example, with the optional members. */
#define VALID_HEALTH MEMBERS ", " \
  "\"storage\": {\"state\": \"ok\", \"database_bytes\": 2097152, " \
  "\"free_bytes\": 5368709120}, \"buttons\": {\"configured\": 2, \"connected\": 1}}"

static KioskHeartbeat *
parse (const char  *text,
       GError     **error)
{
  return kiosk_heartbeat_parse (text, strlen (text), error);
}

static void
test_round_trip (void)
{
  g_autoptr(KioskHeartbeat) sent = kiosk_heartbeat_new ();
  g_autoptr(KioskHeartbeat) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  sent->version = g_strdup ("0.1.0");
  sent->uptime_s = 86400;
  sent->queue_depth = 3;
  sent->oldest_pending_age_s = 420;
  sent->dead_letter_count = 2;
  sent->last_upload_ok_at = g_strdup ("2026-03-14T15:02:11.120Z");
  sent->last_error = g_strdup ("uploading: the server answered HTTP 503: «Wartung»");
  sent->clock_synced = TRUE;
  sent->survey_id = g_strdup ("demo");
  sent->survey_version = 7;
  sent->last_seq = G_GINT64_CONSTANT (9007199254740993);
  sent->storage_state = g_strdup (KIOSK_HEARTBEAT_STORAGE_FAILING);
  sent->storage_database_bytes = G_GINT64_CONSTANT (5000000000);
  sent->storage_free_bytes = 0;
  sent->buttons_configured = 3;
  sent->buttons_connected = 2;

  json = kiosk_heartbeat_to_json (sent);
  g_assert_cmpuint (strlen (json), <=, KIOSK_HEARTBEAT_MAX_BYTES);
  got = parse (json, &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);

  g_assert_cmpstr (got->version, ==, sent->version);
  g_assert_cmpint (got->uptime_s, ==, sent->uptime_s);
  g_assert_cmpint (got->queue_depth, ==, sent->queue_depth);
  g_assert_cmpint (got->oldest_pending_age_s, ==, sent->oldest_pending_age_s);
  g_assert_cmpint (got->dead_letter_count, ==, sent->dead_letter_count);
  g_assert_cmpstr (got->last_upload_ok_at, ==, sent->last_upload_ok_at);
  g_assert_cmpstr (got->last_error, ==, sent->last_error);
  g_assert_true (got->clock_synced);
  g_assert_cmpstr (got->survey_id, ==, sent->survey_id);
  g_assert_cmpint (got->survey_version, ==, sent->survey_version);
  g_assert_cmpint (got->last_seq, ==, sent->last_seq);
  g_assert_cmpstr (got->storage_state, ==, "failing");
  g_assert_cmpint (got->storage_database_bytes, ==, G_GINT64_CONSTANT (5000000000));
  g_assert_cmpint (got->storage_free_bytes, ==, 0);
  g_assert_cmpint (got->buttons_configured, ==, 3);
  g_assert_cmpint (got->buttons_connected, ==, 2);
}

/* What a kiosk that never uploaded, without a survey id, sends: the texts as null. */
static void
test_round_trip_nulls (void)
{
  g_autoptr(KioskHeartbeat) sent = kiosk_heartbeat_new ();
  g_autoptr(KioskHeartbeat) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  sent->version = g_strdup ("0.1.0");
  json = kiosk_heartbeat_to_json (sent);
  g_assert_nonnull (strstr (json, "\"last_upload_ok_at\":null"));
  g_assert_nonnull (strstr (json, "\"last_error\":null"));
  g_assert_nonnull (strstr (json, "\"survey_id\":null"));
  g_assert_nonnull (strstr (json, "\"clock_synced\":false"));

  got = parse (json, &error);
  g_assert_no_error (error);
  g_assert_null (got->last_upload_ok_at);
  g_assert_null (got->last_error);
  g_assert_null (got->survey_id);
  g_assert_false (got->clock_synced);
  g_assert_cmpint (got->queue_depth, ==, 0);

  /* Storage and buttons not known: left out, as an older kiosk does. */
  g_assert_null (strstr (json, "storage"));
  g_assert_null (strstr (json, "buttons"));
  g_assert_null (got->storage_state);
  g_assert_cmpint (got->storage_database_bytes, ==, -1);
  g_assert_cmpint (got->storage_free_bytes, ==, -1);
  g_assert_cmpint (got->buttons_configured, ==, -1);
  g_assert_cmpint (got->buttons_connected, ==, -1);
}

/* A state known but sizes that could not be measured go out as null; no buttons configured is
 * 0 of 0, not unknown; more connected than configured is never sent. */
static void
test_round_trip_health_unmeasured (void)
{
  g_autoptr(KioskHeartbeat) sent = kiosk_heartbeat_new ();
  g_autoptr(KioskHeartbeat) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  sent->version = g_strdup ("0.1.0");
  sent->storage_state = g_strdup (KIOSK_HEARTBEAT_STORAGE_RECOVERED);
  sent->buttons_configured = 0;
  sent->buttons_connected = 4;
  json = kiosk_heartbeat_to_json (sent);
  g_assert_nonnull (strstr (json, "\"storage\":{\"state\":\"recovered\",\"database_bytes\":null,"
                                  "\"free_bytes\":null}"));
  g_assert_nonnull (strstr (json, "\"buttons\":{\"configured\":0,\"connected\":0}"));

  got = parse (json, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->storage_state, ==, "recovered");
  g_assert_cmpint (got->storage_database_bytes, ==, -1);
  g_assert_cmpint (got->storage_free_bytes, ==, -1);
  g_assert_cmpint (got->buttons_configured, ==, 0);
  g_assert_cmpint (got->buttons_connected, ==, 0);
}

/* The contract's own example parses, and members it does not define are ignored. */
static void
test_example_and_unknown_members (void)
{
  g_autoptr(KioskHeartbeat) example = NULL;
  g_autoptr(KioskHeartbeat) extended = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strconcat ("{\"cpu_temperature\": 51.5, \"extra\": {\"a\": [1]}, ",
                                       VALID + 1, NULL);

  example = parse (VALID, &error);
  g_assert_no_error (error);
  g_assert_cmpint (example->last_seq, ==, 1234);
  g_assert_cmpstr (example->survey_id, ==, "demo");

  extended = parse (text, &error);
  g_assert_no_error (error);
  g_assert_cmpint (extended->queue_depth, ==, 3);
  g_assert_null (extended->storage_state);
  g_assert_cmpint (extended->buttons_configured, ==, -1);
}

/* The example with the optional members; a storage state a later kiosk may add is kept as it
 * is, and unknown members inside the objects are ignored too. */
static void
test_example_with_health (void)
{
  g_autoptr(KioskHeartbeat) heartbeat = NULL;
  g_autoptr(GString) later = g_string_new (VALID_HEALTH);
  g_autoptr(GError) error = NULL;

  heartbeat = parse (VALID_HEALTH, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (heartbeat->storage_state, ==, "ok");
  g_assert_cmpint (heartbeat->storage_database_bytes, ==, 2097152);
  g_assert_cmpint (heartbeat->storage_free_bytes, ==, G_GINT64_CONSTANT (5368709120));
  g_assert_cmpint (heartbeat->buttons_configured, ==, 2);
  g_assert_cmpint (heartbeat->buttons_connected, ==, 1);
  g_clear_pointer (&heartbeat, kiosk_heartbeat_free);

  g_string_replace (later, "\"state\": \"ok\"", "\"state\": \"read-only\", \"wear\": 3", 1);
  g_string_replace (later, "\"connected\": 1", "\"connected\": 1, \"names\": []", 1);
  heartbeat = parse (later->str, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (heartbeat->storage_state, ==, "read-only");
  g_assert_cmpint (heartbeat->buttons_connected, ==, 1);
}

typedef struct
{
  const char *name;
  const char *from;      /* replaced in VALID_HEALTH … */
  const char *to;        /* … by this; NULL: the whole document is @from */
  const char *message;
} BadCase;

static const BadCase bad_cases[] = {
  { "missing", "\"queue_depth\": 3, ", "", "“queue_depth”: missing" },
  { "string-count", "\"queue_depth\": 3", "\"queue_depth\": \"3\"",
    "“queue_depth”: expected an integer ≥ 0, got a string" },
  { "negative-count", "\"dead_letter_count\": 0", "\"dead_letter_count\": -1",
    "“dead_letter_count”: expected an integer ≥ 0, got -1" },
  { "fraction", "\"uptime_s\": 86400", "\"uptime_s\": 86400.5",
    "“uptime_s”: expected an integer ≥ 0, got a number with a fraction or exponent" },
  { "null-count", "\"last_seq\": 1234", "\"last_seq\": null",
    "“last_seq”: expected an integer ≥ 0, got null" },
  { "bool-count", "\"survey_version\": 1", "\"survey_version\": true",
    "“survey_version”: expected an integer ≥ 0, got a boolean" },
  { "object-count", "\"oldest_pending_age_s\": 420", "\"oldest_pending_age_s\": {}",
    "“oldest_pending_age_s”: expected an integer ≥ 0, got an object" },
  { "null-version", "\"version\": \"0.1.0\"", "\"version\": null",
    "“version”: expected a string, got null" },
  { "number-text", "\"last_error\": \"uploading: the server answered HTTP 503: Maintenance\"",
    "\"last_error\": 503", "“last_error”: expected a string or null, got an integer" },
  { "array-text", "\"survey_id\": \"demo\"", "\"survey_id\": [\"demo\"]",
    "“survey_id”: expected a string or null, got an array" },
  { "string-bool", "\"clock_synced\": true", "\"clock_synced\": \"true\"",
    "“clock_synced”: expected a boolean, got a string" },
  { "missing-bool", "\"clock_synced\": true, ", "", "“clock_synced”: missing" },
  { "not-json", "{\"version\": ", NULL, "the heartbeat is not JSON: " },
  { "array", "[1, 2]", NULL, "the heartbeat is an array, not a JSON object" },
  { "empty", "", NULL, "the heartbeat is empty or not UTF-8 text" },
  { "latin1", "{\"version\": \"caf\xe9\"}", NULL, "the heartbeat is empty or not UTF-8 text" },
  /* The optional members: absent is fine, present must be right. */
  { "null-storage", "\"storage\": {\"state\": \"ok\", \"database_bytes\": 2097152, "
    "\"free_bytes\": 5368709120}", "\"storage\": null",
    "“storage”: expected an object, got null" },
  { "string-storage", "\"storage\": {\"state\": \"ok\", \"database_bytes\": 2097152, "
    "\"free_bytes\": 5368709120}", "\"storage\": \"ok\"",
    "“storage”: expected an object, got a string" },
  { "missing-state", "\"state\": \"ok\", ", "", "“storage.state”: missing" },
  { "number-state", "\"state\": \"ok\"", "\"state\": 0",
    "“storage.state”: expected a string, got an integer" },
  { "sentence-state", "\"state\": \"ok\"", "\"state\": \"Failing: held in memory\"",
    "“storage.state”: expected a word of at most 32 lowercase letters and hyphens (“ok”, "
    "“recovered”, “failing”)" },
  { "empty-state", "\"state\": \"ok\"", "\"state\": \"\"",
    "“storage.state”: expected a word of at most 32 lowercase letters and hyphens (“ok”, "
    "“recovered”, “failing”)" },
  { "missing-database-bytes", "\"database_bytes\": 2097152, ", "",
    "“storage.database_bytes”: missing" },
  { "negative-free-bytes", "\"free_bytes\": 5368709120", "\"free_bytes\": -4096",
    "“storage.free_bytes”: expected an integer ≥ 0 or null, got -4096" },
  { "string-free-bytes", "\"free_bytes\": 5368709120", "\"free_bytes\": \"5 GB\"",
    "“storage.free_bytes”: expected an integer ≥ 0 or null, got a string" },
  { "array-buttons", "\"buttons\": {\"configured\": 2, \"connected\": 1}", "\"buttons\": [2, 1]",
    "“buttons”: expected an object, got an array" },
  { "missing-configured", "\"configured\": 2, ", "", "“buttons.configured”: missing" },
  { "null-connected", "\"connected\": 1", "\"connected\": null",
    "“buttons.connected”: expected an integer ≥ 0, got null" },
  { "bool-connected", "\"connected\": 1", "\"connected\": true",
    "“buttons.connected”: expected an integer ≥ 0, got a boolean" },
  { "more-connected", "\"connected\": 1", "\"connected\": 3",
    "“buttons.connected”: 3 is more than the 2 configured" },
};

static void
test_bad (gconstpointer data)
{
  const BadCase *c = data;
  g_autoptr(KioskHeartbeat) heartbeat = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (c->to == NULL)
    text = g_strdup (c->from);
  else
    {
      g_autoptr(GString) s = g_string_new (VALID_HEALTH);

      g_assert_nonnull (strstr (VALID_HEALTH, c->from));
      g_string_replace (s, c->from, c->to, 1);
      text = g_strdup (s->str);
    }

  heartbeat = parse (text, &error);
  g_assert_null (heartbeat);
  g_assert_error (error, KIOSK_HEARTBEAT_ERROR, KIOSK_HEARTBEAT_ERROR_INVALID);
  if (!g_str_has_prefix (error->message, c->message))
    g_error ("expected “%s”, got “%s”", c->message, error->message);
  if (c->message[strlen (c->message) - 1] != ' ')
    g_assert_cmpstr (error->message, ==, c->message);
}

static void
test_text_too_long (void)
{
  g_autoptr(GString) s = g_string_new (VALID);
  g_autoptr(GString) long_text = g_string_new ("\"");
  g_autoptr(KioskHeartbeat) heartbeat = NULL;
  g_autoptr(GError) error = NULL;

  /* 1000 characters pass (2-byte ones: characters are counted, not bytes), 1001 do not. */
  for (guint i = 0; i < 1000; i++)
    g_string_append (long_text, "é");
  g_string_append_c (long_text, '"');
  g_string_replace (s, "\"demo\"", long_text->str, 1);
  heartbeat = kiosk_heartbeat_parse (s->str, s->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_utf8_strlen (heartbeat->survey_id, -1), ==, 1000);
  g_clear_pointer (&heartbeat, kiosk_heartbeat_free);

  g_string_replace (s, "\"é", "\"éé", 1);
  heartbeat = kiosk_heartbeat_parse (s->str, s->len, &error);
  g_assert_null (heartbeat);
  g_assert_error (error, KIOSK_HEARTBEAT_ERROR, KIOSK_HEARTBEAT_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "“survey_id”: longer than 1000 characters");
}

static void
test_body_too_large (void)
{
  g_autoptr(GString) s = g_string_new ("{\"padding\": \"");
  g_autoptr(KioskHeartbeat) heartbeat = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  /* Over the limit, even as a valid document with an unknown member. */
  while (s->len < KIOSK_HEARTBEAT_MAX_BYTES)
    g_string_append_c (s, 'x');
  g_string_append (s, "\", ");
  g_string_append (s, VALID + 1);

  heartbeat = kiosk_heartbeat_parse (s->str, s->len, &error);
  g_assert_null (heartbeat);
  g_assert_error (error, KIOSK_HEARTBEAT_ERROR, KIOSK_HEARTBEAT_ERROR_INVALID);
  expected = g_strdup_printf ("the heartbeat is %" G_GSIZE_FORMAT " bytes, more than the %d "
                              "allowed", s->len, KIOSK_HEARTBEAT_MAX_BYTES);
  g_assert_cmpstr (error->message, ==, expected);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heartbeat/round-trip", test_round_trip);
  g_test_add_func ("/heartbeat/round-trip-nulls", test_round_trip_nulls);
  g_test_add_func ("/heartbeat/round-trip-health-unmeasured", test_round_trip_health_unmeasured);
  g_test_add_func ("/heartbeat/example-and-unknown-members", test_example_and_unknown_members);
  g_test_add_func ("/heartbeat/example-with-health", test_example_with_health);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/heartbeat/bad/%s", bad_cases[i].name);

      g_test_add_data_func (path, &bad_cases[i], test_bad);
    }
  g_test_add_func ("/heartbeat/text-too-long", test_text_too_long);
  g_test_add_func ("/heartbeat/body-too-large", test_body_too_large);

  return g_test_run ();
}
