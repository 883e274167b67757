/* test-server-api.c: smiley-kiosk-server's HTTP API (docs/cloud-api.md) against a real
 * PostgreSQL: every answer of the status table a server gives, every bad input with its exact
 * error text, what was stored (and that nothing else was), and that the server still takes a good
 * batch after each refusal. Each test has its own site and device, so no test depends on another. */
#define G_LOG_DOMAIN "test-server-api"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "kiosk-cloudevents.h"
#include "kiosk-survey.h"
#include "kiosk-test-server-process.h"

#define T0_US     G_GINT64_CONSTANT (1773501052583000)  /* 2026-03-14T15:10:52.583Z */
#define MB        (1024 * 1024)

static KioskTestServerProcess *srv;

typedef struct
{
  char   *site;
  char   *device;
  char   *token;
  char   *auth;        /* "Authorization: Bearer …" */
  char   *boot_id;
  gint64  seq;
} Dev;

static void
dev_free (Dev *d)
{
  g_free (d->site);
  g_free (d->device);
  g_free (d->token);
  g_free (d->auth);
  g_free (d->boot_id);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Dev, dev_free)

#define SKIP_WITHOUT_SERVER() KIOSK_TEST_SERVER_SKIP_WITHOUT (srv)

/* SQL */

#define query(...) kiosk_test_server_query (srv, __VA_ARGS__)

static void
exec_sql (const char *sql)
{
  kiosk_test_server_exec (srv, sql);
}

/* The SQL @format's value is @expected. */
#define assert_query(expected, ...) \
  G_STMT_START { \
    g_autofree char *value_ = query (__VA_ARGS__); \
    g_assert_cmpstr (value_, ==, (expected)); \
  } G_STMT_END

static gint64
count_event (const char *id)
{
  g_autofree char *n = query ("SELECT count(*) FROM responses WHERE event_id = '%s'", id);

  return g_ascii_strtoll (n, NULL, 10);
}

static gint64
count_device_rows (Dev *d)
{
  g_autofree char *n = query ("SELECT count(*) FROM responses WHERE device_id = '%s'", d->device);

  return g_ascii_strtoll (n, NULL, 10);
}

/* A device of its own, on a site of its own, with survey-small (published once, by the command)
 * assigned to it. The site and the assignment are written with SQL: one command per device
 * keeps the tests fast. */
static Dev *
dev_new (void)
{
  static guint counter;
  Dev *d = g_new0 (Dev, 1);
  g_autofree char *survey = g_test_build_filename (G_TEST_DIST, "data", "survey-small.json", NULL);
  g_autofree char *err = NULL;
  g_autofree char *sql = NULL;

  counter++;
  d->site = g_strdup_printf ("api-site-%u", counter);
  d->device = g_strdup_printf ("api-kiosk-%u", counter);
  sql = g_strdup_printf ("INSERT INTO sites (name, title, time_zone) VALUES ('%s', '%s', 'UTC')",
                         d->site, d->site);
  exec_sql (sql);
  d->token = kiosk_test_server_add_device (srv, d->site, d->device);
  d->auth = g_strconcat ("Authorization: Bearer ", d->token, NULL);
  d->boot_id = g_uuid_string_random ();
  if (counter == 1)
    g_assert_cmpint (kiosk_test_server_admin (srv, NULL, &err, "survey", "publish", survey,
                                              "--device", d->device, NULL), ==, 0);
  else
    {
      g_free (sql);
      sql = g_strdup_printf ("INSERT INTO survey_assignments (scope, device_id, survey_id, "
                             " version) VALUES ('device', '%s', 'small-shop', 3)", d->device);
      exec_sql (sql);
    }
  return d;
}

/* Events */

static char *
rfc3339 (gint64 wall_us,
         gboolean utc_z)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (wall_us / G_USEC_PER_SEC);
  g_autofree char *base = g_date_time_format (t, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03d%s", base, (int) (wall_us % G_USEC_PER_SEC / 1000),
                          utc_z ? "Z" : "+00:00");
}

static void
set_time (JsonObject *e,
          gint64      wall_us)
{
  g_autofree char *time = rfc3339 (wall_us, TRUE);
  g_autofree char *local = rfc3339 (wall_us, FALSE);

  json_object_set_string_member (e, "time", time);
  json_object_set_string_member (json_object_get_object_member (e, "data"), "local_time", local);
}

/* The next response of @d, valid for survey-small (id small-shop, version 3, 4 faces), face 2,
 * no follow-up, tapped seq seconds after T0 on a synchronised clock. */
static JsonObject *
event_new (Dev *d)
{
  JsonObject *e = json_object_new ();
  JsonObject *data = json_object_new ();
  JsonObject *clock = json_object_new ();
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *source = g_strconcat ("urn:smiley-kiosk:", d->device, NULL);
  gint64 seq = ++d->seq;

  json_object_set_string_member (e, "specversion", "1.0");
  json_object_set_string_member (e, "type", KIOSK_CLOUDEVENT_TYPE);
  json_object_set_string_member (e, "source", source);
  json_object_set_string_member (e, "id", id);
  json_object_set_string_member (e, "subject", "small-shop");
  json_object_set_string_member (e, "datacontenttype", "application/json");
  json_object_set_int_member (data, "seq", seq);
  json_object_set_string_member (data, "survey_id", "small-shop");
  json_object_set_int_member (data, "survey_version", 3);
  json_object_set_int_member (data, "scale", 4);
  json_object_set_int_member (data, "face", 2);
  json_object_set_string_member (data, "input", "touch");
  json_object_set_string_member (data, "language", "en");
  json_object_set_boolean_member (data, "misuse", FALSE);
  json_object_set_null_member (data, "misuse_rule");
  json_object_set_null_member (data, "follow_up");
  json_object_set_null_member (data, "comment");
  json_object_set_null_member (data, "contact");
  json_object_set_boolean_member (clock, "synced", TRUE);
  json_object_set_boolean_member (clock, "corrected", FALSE);
  json_object_set_string_member (clock, "boot_id", d->boot_id);
  json_object_set_int_member (clock, "monotonic_ms", 1000 * seq);
  json_object_set_object_member (data, "clock", clock);
  json_object_set_object_member (e, "data", data);
  set_time (e, T0_US + seq * G_USEC_PER_SEC);
  return e;
}

static JsonObject *
data_of (JsonObject *e)
{
  return json_object_get_object_member (e, "data");
}

static const char *
id_of (JsonObject *e)
{
  return json_object_get_string_member (e, "id");
}

static void
set_follow_up (JsonObject *e,
               const char *id,
               const char *option)
{
  JsonObject *f = json_object_new ();
  JsonArray *selected = json_array_new ();

  json_object_set_string_member (f, "id", id);
  json_array_add_string_element (selected, option);
  json_object_set_array_member (f, "selected", selected);
  json_object_set_string_member (f, "outcome", "answered");
  json_object_set_object_member (data_of (e), "follow_up", f);
}

/* "[e1,e2,…]"; the objects are consumed. */
static char *
batch_take (JsonObject *first,
            ...)
{
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
  JsonObject *e;
  va_list args;

  va_start (args, first);
  for (e = first; e != NULL; e = va_arg (args, JsonObject *))
    json_array_add_object_element (array, e);
  va_end (args);
  json_node_set_array (root, array);
  return json_to_string (root, FALSE);
}

/* "[e]"; @e is consumed, its id copied to @out_id. */
static char *
batch_of (JsonObject  *e,
          char       **out_id)
{
  *out_id = g_strdup (id_of (e));
  return batch_take (e, NULL);
}

/* HTTP */

static KioskTestHttpReply *
post_events_full (Dev        *d,
                  const char *content_type,
                  const char *body,
                  gssize      length,
                  gboolean    gzip)
{
  g_autofree char *type = g_strconcat ("Content-Type: ", content_type, NULL);
  const char *headers[] = { type, d ? d->auth : NULL, NULL };

  return kiosk_test_http (srv, "POST", "/v1/events", headers, body, length, gzip);
}

static KioskTestHttpReply *
post_events (Dev        *d,
             const char *body)
{
  return post_events_full (d, KIOSK_CLOUDEVENTS_MEDIA_TYPE, body, -1, FALSE);
}

/* With the header line @encoding ("Content-Encoding: …") as it is: not compressed here. */
static KioskTestHttpReply *
post_events_encoded (Dev        *d,
                     const char *encoding,
                     const char *body,
                     gssize      length)
{
  const char *headers[] = { "Content-Type: " KIOSK_CLOUDEVENTS_MEDIA_TYPE, encoding, d->auth,
                            NULL };

  return kiosk_test_http (srv, "POST", "/v1/events", headers, body, length, FALSE);
}

static KioskTestHttpReply *
device_request (Dev        *d,
                const char *method,
                const char *device_id,
                const char *what,
                const char *extra_header,
                const char *body)
{
  g_autofree char *path = g_strdup_printf ("/v1/devices/%s/%s", device_id, what);
  const char *headers[] = { d ? d->auth : extra_header, d ? extra_header : NULL, NULL };

  return kiosk_test_http (srv, method, path, headers, body, -1, FALSE);
}

static void
assert_text_reply (KioskTestHttpReply *reply,
                   long                status,
                   const char         *text)
{
  g_assert_null (reply->error);
  g_assert_cmpint (reply->status, ==, status);
  g_assert_cmpstr (kiosk_test_http_reply_header (reply, "Content-Type"), ==,
                   "text/plain; charset=utf-8");
  g_assert_true (g_str_has_suffix (reply->body, "\n"));
  reply->body[reply->length - 1] = '\0';
  g_assert_cmpstr (reply->body, ==, text);
}

/* Result @i of a 200 reply: its id, status and reason (NULL: none). */
static void
assert_result (KioskTestHttpReply *reply,
               guint               i,
               const char         *id,
               const char         *status,
               const char         *reason)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *results;
  JsonObject *result;

  g_assert_null (reply->error);
  g_assert_cmpint (reply->status, ==, 200);
  g_assert_cmpstr (kiosk_test_http_reply_header (reply, "Content-Type"), ==, "application/json");
  g_assert_true (json_parser_load_from_data (parser, reply->body, reply->length, &error));
  g_assert_no_error (error);
  results = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "results");
  g_assert_cmpuint (i, <, json_array_get_length (results));
  result = json_array_get_object_element (results, i);
  g_assert_cmpstr (json_object_get_string_member (result, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, status);
  g_assert_cmpstr (json_object_get_string_member_with_default (result, "reason", NULL), ==,
                   reason);
}

static guint
n_results (KioskTestHttpReply *reply)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_null (reply->error);
  if (reply->status != 200)
    g_test_message ("HTTP %ld: %s", reply->status, reply->body);
  g_assert_cmpint (reply->status, ==, 200);
  g_assert_true (json_parser_load_from_data (parser, reply->body, reply->length, NULL));
  return json_array_get_length (
    json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                  "results"));
}

/* The server takes a good batch from @d (after whatever was refused before). */
static void
assert_still_serves (Dev *d)
{
  g_autofree char *id = NULL;
  g_autofree char *body = batch_of (event_new (d), &id);
  g_autoptr(KioskTestHttpReply) reply = post_events (d, body);

  assert_result (reply, 0, id, "accepted", NULL);
  g_assert_cmpint (count_event (id), ==, 1);
}

/* 200: accepted, duplicate */

static void
test_accepted (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id1 = NULL;
  g_autofree char *id2 = NULL;
  g_autofree char *expected = NULL;
  JsonObject *e1, *e2;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  e1 = event_new (d);
  e2 = event_new (d);
  json_object_set_int_member (data_of (e2), "face", 0);
  set_follow_up (e2, "why-not", "queue");
  json_object_set_string_member (data_of (e2), "comment", "too slow");
  id1 = g_strdup (id_of (e1));
  id2 = g_strdup (id_of (e2));
  body = batch_take (e1, e2, NULL);

  reply = post_events (d, body);
  g_assert_cmpuint (n_results (reply), ==, 2);
  assert_result (reply, 0, id1, "accepted", NULL);
  assert_result (reply, 1, id2, "accepted", NULL);
  g_assert_cmpint (count_device_rows (d), ==, 2);

  expected = g_strdup_printf ("2|small-shop|3|4|0|touch|en|2026-03-14 15:10:54.583|"
                              "2026-03-14 15:10:54.583|why-not|[\"queue\"]|answered|too slow|t|f|%s",
                              d->site);
  assert_query (expected,
                "SELECT concat_ws ('|', seq, survey_id, survey_version, scale, face, input, "
                " language, to_char (time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS'), "
                " to_char (local_time, 'YYYY-MM-DD HH24:MI:SS.MS'), follow_up_id, "
                " follow_up_selected::text, follow_up_outcome, comment, clock_synced, "
                " clock_repaired, s.name) "
                "FROM responses r JOIN sites s ON s.id = r.site_id WHERE event_id = '%s'", id2);
  assert_query ("t", "SELECT last_seen_at IS NOT NULL FROM devices WHERE id = '%s'", d->device);
}

static void
test_duplicate (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) first = NULL;
  g_autoptr(KioskTestHttpReply) second = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  body = batch_of (event_new (d), &id);

  first = post_events (d, body);
  assert_result (first, 0, id, "accepted", NULL);
  second = post_events (d, body);
  assert_result (second, 0, id, "duplicate", NULL);
  g_assert_cmpint (count_event (id), ==, 1);
  g_assert_cmpint (count_device_rows (d), ==, 1);
  assert_still_serves (d);
}

/* A server killed with SIGKILL and started again keeps what it acknowledged. */
static void
test_restart (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskTestHttpReply) first = NULL;
  g_autoptr(KioskTestHttpReply) again = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  body = batch_of (event_new (d), &id);
  first = post_events (d, body);
  assert_result (first, 0, id, "accepted", NULL);

  g_assert_true (kiosk_test_server_process_restart (srv, &error));
  g_assert_no_error (error);
  again = post_events (d, body);
  assert_result (again, 0, id, "duplicate", NULL);
  g_assert_cmpint (count_event (id), ==, 1);
  assert_still_serves (d);
}

static void
test_seq_reused (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) first = NULL;
  g_autoptr(KioskTestHttpReply) second = NULL;
  g_autofree char *body1 = NULL;
  g_autofree char *body2 = NULL;
  g_autofree char *id1 = NULL;
  g_autofree char *id2 = NULL;
  JsonObject *e2;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  body1 = batch_of (event_new (d), &id1);
  e2 = event_new (d);
  json_object_set_int_member (data_of (e2), "seq", 1);
  set_time (e2, T0_US + G_USEC_PER_SEC);
  body2 = batch_of (e2, &id2);

  first = post_events (d, body1);
  assert_result (first, 0, id1, "accepted", NULL);
  second = post_events (d, body2);
  assert_result (second, 0, id2, "rejected",
                 "data.seq: 1 of this device belongs to another event already");
  g_assert_cmpint (count_event (id2), ==, 0);
  g_assert_cmpint (count_device_rows (d), ==, 1);
  assert_still_serves (d);
}

/* 200 with an event rejected: one test per reason. The bad event travels after a good one, which
 * must be stored while the bad one is not. */

typedef struct
{
  const char *name;
  void      (*spoil) (JsonObject *e);
  const char *reason;       /* "%s": the device id */
  const char *placeholder;  /* replaced by "\ud800" in the JSON text */
} Rejection;

static void
spoil_unknown_survey (JsonObject *e)
{
  json_object_set_string_member (e, "subject", "nope");
  json_object_set_string_member (data_of (e), "survey_id", "nope");
}

static void
spoil_unknown_version (JsonObject *e)
{
  json_object_set_int_member (data_of (e), "survey_version", 99);
}

static void
spoil_face (JsonObject *e)
{
  json_object_set_int_member (data_of (e), "face", 4);
}

static void
spoil_scale (JsonObject *e)
{
  json_object_set_int_member (data_of (e), "scale", 5);
}

static void
spoil_no_seq (JsonObject *e)
{
  json_object_remove_member (data_of (e), "seq");
}

static void
spoil_type_of_face (JsonObject *e)
{
  json_object_set_string_member (data_of (e), "face", "1");
}

static void
spoil_long_comment (JsonObject *e)
{
  json_object_set_int_member (data_of (e), "face", 0);
  set_follow_up (e, "why-not", "price");
  json_object_set_string_member (data_of (e), "comment", "abcdefghijk");
}

static void
spoil_huge_comment (JsonObject *e)
{
  g_autofree char *comment = g_strnfill (KIOSK_SURVEY_MAX_COMMENT_LENGTH + 1, 'x');

  json_object_set_int_member (data_of (e), "face", 0);
  set_follow_up (e, "why-not", "price");
  json_object_set_string_member (data_of (e), "comment", comment);
}

static void
spoil_surrogate (JsonObject *e)
{
  json_object_set_int_member (data_of (e), "face", 0);
  set_follow_up (e, "why-not", "price");
  json_object_set_string_member (data_of (e), "comment", "SURROGATE");
}

static void
spoil_source (JsonObject *e)
{
  json_object_set_string_member (e, "source", "urn:smiley-kiosk:someone-else");
}

static void
spoil_type (JsonObject *e)
{
  json_object_set_string_member (e, "type", "com.example.order.created");
}

static void
spoil_option (JsonObject *e)
{
  json_object_set_int_member (data_of (e), "face", 1);
  set_follow_up (e, "why-not", "parking");
}

static void
spoil_follow_up_of_other_face (JsonObject *e)
{
  json_object_set_int_member (data_of (e), "face", 3);
  set_follow_up (e, "why-not", "queue");
}

/* Ann Example's contact details, with her phone number unless @phone is NULL. */
static void
set_contact (JsonObject *e,
             gboolean    consent,
             const char *phone)
{
  JsonObject *contact = json_object_new ();

  json_object_set_boolean_member (contact, "consent", consent);
  json_object_set_string_member (contact, "name", "Ann Example");
  if (phone != NULL)
    json_object_set_string_member (contact, "phone", phone);
  json_object_set_object_member (data_of (e), "contact", contact);
}

static void
spoil_contact_without_consent (JsonObject *e)
{
  json_object_set_int_member (data_of (e), "face", 0);
  set_follow_up (e, "why-not", "staff");
  set_contact (e, FALSE, "+49 30 1234567");
}

static void
spoil_contact_not_asked (JsonObject *e)
{
  json_object_set_int_member (data_of (e), "face", 3);
  set_follow_up (e, "why", "speed");
  set_contact (e, TRUE, NULL);
}

static void
spoil_bad_time (JsonObject *e)
{
  json_object_set_string_member (e, "time", "2026-03-14 15:10:52");
}

static const Rejection rejections[] = {
  { "unknown-survey", spoil_unknown_survey,
    "survey version 3 of nope is unknown to the server (publish it with smiley-kiosk-server "
    "survey publish)", NULL },
  { "unknown-survey-version", spoil_unknown_version,
    "survey version 99 of small-shop is unknown to the server (publish it with "
    "smiley-kiosk-server survey publish)", NULL },
  { "face-out-of-range", spoil_face, "data.face: 4 is outside the scale of 4 faces", NULL },
  { "scale-mismatch", spoil_scale, "data.scale: 5 faces, but version 3 of survey small-shop has 4",
    NULL },
  { "missing-seq", spoil_no_seq, "data.seq is missing", NULL },
  { "wrong-type", spoil_type_of_face, "data.face: expected an integer, got a string", NULL },
  { "comment-over-survey-limit", spoil_long_comment,
    "data.comment: 11 characters (follow-up why-not allows 10)", NULL },
  { "comment-over-protocol-limit", spoil_huge_comment,
    "data.comment: 2001 characters (at most 2000)", NULL },
  { "other-source", spoil_source,
    "source urn:smiley-kiosk:someone-else is not this device: the token belongs to %s", NULL },
  { "other-type", spoil_type,
    "type “com.example.order.created” is not org.smileykiosk.response.v1", NULL },
  { "option-not-in-survey", spoil_option,
    "data.follow_up.selected: “parking” is not an option of follow-up why-not", NULL },
  { "follow-up-of-other-face", spoil_follow_up_of_other_face,
    "data.follow_up.id: “why-not” is not the follow-up of face 3 in version 3 of survey "
    "small-shop", NULL },
  { "contact-without-consent", spoil_contact_without_consent,
    "data.contact.consent is false: contact details travel only with the visitor's consent "
    "(send null instead)", NULL },
  { "contact-not-asked-for", spoil_contact_not_asked,
    "data.contact: follow-up why asks for no contact details", NULL },
  { "time-not-rfc3339", spoil_bad_time,
    "time “2026-03-14 15:10:52” is not an RFC 3339 time with milliseconds "
    "(like 2026-03-14T15:10:52.583Z)", NULL },
};

static void
test_rejected (gconstpointer data)
{
  const Rejection *r = data;
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autoptr(GString) body = NULL;
  g_autofree char *good_id = NULL;
  g_autofree char *bad_id = NULL;
  g_autofree char *reason = NULL;
  JsonObject *good, *bad;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  good = event_new (d);
  bad = event_new (d);
  r->spoil (bad);
  good_id = g_strdup (id_of (good));
  bad_id = g_strdup (id_of (bad));
  {
    g_autofree char *text = batch_take (good, bad, NULL);

    body = g_string_new (text);
  }
  if (r->placeholder != NULL)
    g_assert_cmpuint (g_string_replace (body, r->placeholder, "\\ud800", 0), ==, 1);
  reason = strstr (r->reason, "%s") ? g_strdup_printf (r->reason, d->device)
                                     : g_strdup (r->reason);

  reply = post_events (d, body->str);
  g_assert_cmpuint (n_results (reply), ==, 2);
  assert_result (reply, 0, good_id, "accepted", NULL);
  assert_result (reply, 1, bad_id, "rejected", reason);
  g_assert_cmpint (count_event (good_id), ==, 1);
  g_assert_cmpint (count_event (bad_id), ==, 0);
  g_assert_cmpint (count_device_rows (d), ==, 1);
  assert_still_serves (d);
}

/* "\ud800" is a JSON escape of no character. json-glib 1.6 turns it into bytes that are not
 * UTF-8, which the decoder rejects for that event alone; json-glib 1.8 refuses the whole text,
 * which the server answers 400 (the kiosk then splits the batch until the event stands alone). In
 * both cases nothing of the bad event is stored. */
static void
test_lone_surrogate (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autoptr(KioskTestHttpReply) alone = NULL;
  g_autoptr(GString) body = NULL;
  g_autofree char *bad_id = NULL;
  g_autofree char *text = NULL;
  JsonObject *bad;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  bad = event_new (d);
  spoil_surrogate (bad);
  bad_id = g_strdup (id_of (bad));
  text = batch_take (bad, NULL);
  body = g_string_new (text);
  g_assert_cmpuint (g_string_replace (body, "SURROGATE", "x\\ud800y", 0), ==, 1);

  reply = post_events (d, body->str);
  g_assert_null (reply->error);
  if (reply->status == 200)
    assert_result (reply, 0, bad_id, "rejected", "data.comment is not valid UTF-8");
  else
    {
      g_assert_cmpint (reply->status, ==, 400);
      g_assert_true (g_str_has_prefix (reply->body, "the body is not JSON: <data>:1:"));
      g_assert_nonnull (strstr (reply->body, "invalid string constant"));
    }
  g_assert_cmpint (count_event (bad_id), ==, 0);
  g_assert_cmpint (count_device_rows (d), ==, 0);
  assert_still_serves (d);
}

/* Contact details with consent are kept; without a follow-up that asks, or consent, they are not
 * (test_rejected). */
static void
test_contact_with_consent (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;
  JsonObject *e;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  e = event_new (d);
  json_object_set_int_member (data_of (e), "face", 0);
  set_follow_up (e, "why-not", "staff");
  set_contact (e, TRUE, "+49 30 1234567");
  body = batch_of (e, &id);

  reply = post_events (d, body);
  assert_result (reply, 0, id, "accepted", NULL);
  assert_query ("Ann Example|-|+49 30 1234567",
                "SELECT concat_ws ('|', contact_name, coalesce (contact_email, '-'), "
                "contact_phone) FROM responses WHERE event_id = '%s'", id);
}

/* Whole-batch refusals: nothing of the batch is stored. */

static void
assert_refused (Dev                *d,
                KioskTestHttpReply *reply,
                long                status,
                const char         *text,
                const char         *good_id)
{
  assert_text_reply (reply, status, text);
  if (good_id != NULL)
    g_assert_cmpint (count_event (good_id), ==, 0);
  g_assert_cmpint (count_device_rows (d), ==, 0);
  assert_still_serves (d);
}

static void
test_400_not_json (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  reply = post_events (d, "this is not JSON");
  g_assert_cmpint (reply->status, ==, 400);
  g_assert_true (g_str_has_prefix (reply->body, "the body is not JSON: "));
  g_assert_cmpint (count_device_rows (d), ==, 0);
  assert_still_serves (d);
}

static void
test_400_duplicate_id_in_batch (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autofree char *body = NULL;
  g_autofree char *expected = NULL;
  JsonObject *e1, *e2;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  e1 = event_new (d);
  e2 = event_new (d);
  json_object_set_string_member (e2, "id", id_of (e1));
  expected = g_strdup_printf ("event id “%s” appears twice (events 1 and 2)", id_of (e1));
  body = batch_take (e1, e2, NULL);
  reply = post_events (d, body);
  assert_refused (d, reply, 422, expected, NULL);
}

static void
test_422_not_an_object (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autofree char *good = NULL;
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  good = batch_of (event_new (d), &id);
  /* "[{…}]" → "[{…},5]" */
  good[strlen (good) - 1] = '\0';
  body = g_strconcat (good, ",5]", NULL);
  reply = post_events (d, body);
  assert_refused (d, reply, 422, "event 2 is not an object (it is an integer)", id);
}

static void
test_413_too_many_events (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
  g_autofree char *body = NULL;
  g_autofree char *first_id = NULL;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  for (guint i = 0; i < KIOSK_CLOUDEVENTS_MAX_EVENTS + 1; i++)
    {
      JsonObject *e = event_new (d);

      if (i == 0)
        first_id = g_strdup (id_of (e));
      json_array_add_object_element (array, e);
    }
  json_node_set_array (root, array);   /* takes its own reference */
  body = json_to_string (root, FALSE);
  g_assert_cmpuint (strlen (body), <, KIOSK_CLOUDEVENTS_MAX_BYTES);
  reply = post_events (d, body);
  assert_refused (d, reply, 413, "501 events (at most 500)", first_id);
}

/* A batch of @size bytes: one valid event padded with white space, which JSON allows between
 * tokens. */
static char *
padded_batch (Dev   *d,
              gsize  size,
              char **out_id)
{
  JsonObject *e = event_new (d);
  g_autofree char *batch = NULL;
  GString *body;

  *out_id = g_strdup (id_of (e));
  batch = batch_take (e, NULL);
  g_assert_cmpuint (strlen (batch), <, size);
  body = g_string_sized_new (size + 1);
  g_string_append_c (body, '[');
  while (body->len < size - (strlen (batch) - 1))
    g_string_append_c (body, ' ');
  g_string_append (body, batch + 1);
  g_assert_cmpuint (body->len, ==, size);
  return g_string_free (body, FALSE);
}

/* Refusals of a whole batch that differ only in what is sent. */
typedef struct
{
  const char *path;
  const char *body;       /* NULL: one good event (padded to @padded_to bytes unless 0) */
  gsize       padded_to;
  const char *encoding;   /* a Content-Encoding header line sent as it is, or NULL */
  gboolean    gzip;       /* the body gzipped, with "Content-Encoding: gzip" */
  long        status;
  const char *text;
} Refusal;

static const Refusal refusals[] = {
  { "/server-api/400/not-utf8", "[{\"id\": \"caf\xe9\"}]", 0, NULL, FALSE, 400,
    "the body is not valid UTF-8 (byte 13)" },
  { "/server-api/400/not-an-array", "{\"results\": []}", 0, NULL, FALSE, 400,
    "the body is not a JSON array (it is an object)" },
  { "/server-api/400/empty-batch", "[]", 0, NULL, FALSE, 400, "the batch is empty" },
  { "/server-api/400/not-gzip", "[1, 2, 3]", 0, "Content-Encoding: gzip", FALSE, 400,
    "the body is not gzip (it does not start with 1f 8b)" },
  { "/server-api/422/no-id", "[{\"specversion\": \"1.0\"}]", 0, NULL, FALSE, 422,
    "event 1 has no string “id”" },
  /* More than the wire limit (512 KiB + 64 KiB for gzip's overhead): refused by
   * Content-Length. */
  { "/server-api/413/over-wire-limit", NULL, 600 * 1024, NULL, FALSE, 413,
    "a body of 614400 bytes (at most 589824)" },
  /* Between 512 KiB and the wire limit, uncompressed: the batch itself is too large. */
  { "/server-api/413/over-512k", NULL, KIOSK_CLOUDEVENTS_MAX_BYTES + 1, NULL, FALSE, 413,
    "a batch of 524289 bytes (at most 524288)" },
  /* The same, but gzipped: small on the wire, over 512 KiB inflated. */
  { "/server-api/413/gzip-over-512k", NULL, KIOSK_CLOUDEVENTS_MAX_BYTES + 1, NULL, TRUE, 413,
    "the body inflates beyond 524288 bytes" },
  { "/server-api/415/content-encoding", NULL, 0, "Content-Encoding: br", FALSE, 415,
    "Content-Encoding must be gzip or none, not br" },
};

static void
test_refused (gconstpointer data)
{
  const Refusal *r = data;
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autofree char *id = NULL;
  g_autofree char *good = NULL;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  if (r->body == NULL)
    good = r->padded_to ? padded_batch (d, r->padded_to, &id) : batch_of (event_new (d), &id);
  if (r->encoding != NULL)
    reply = post_events_encoded (d, r->encoding, r->body ? r->body : good, -1);
  else
    reply = post_events_full (d, KIOSK_CLOUDEVENTS_MEDIA_TYPE, r->body ? r->body : good, -1,
                              r->gzip);
  assert_refused (d, reply, r->status, r->text, id);
}

static gint64
vm_hwm_kb (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, "VmHWM:");
  g_assert_nonnull (line);
  return g_ascii_strtoll (line + strlen ("VmHWM:"), NULL, 10);
}

/* 100 MB of zeros, about 100 KB gzipped: refused at once, without the server's memory growing. */
static void
test_413_gzip_bomb (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autoptr(GBytes) bomb = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *zeros = NULL;
  GPid pid;
  gint64 before_kb, after_kb, started;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  assert_still_serves (d);   /* every thread's buffers are warm */
  zeros = g_malloc0 (100 * MB);
  bomb = kiosk_gzip (zeros, 100 * MB, 9, &error);
  g_assert_no_error (error);
  g_clear_pointer (&zeros, g_free);
  g_test_message ("100 MB of zeros gzip to %zu bytes", g_bytes_get_size (bomb));
  g_assert_cmpuint (g_bytes_get_size (bomb), <, 512 * 1024);

  pid = kiosk_test_server_process_get_pid (srv);
  before_kb = vm_hwm_kb (pid);
  started = g_get_monotonic_time ();
  reply = post_events_encoded (d, "Content-Encoding: gzip", g_bytes_get_data (bomb, NULL),
                               g_bytes_get_size (bomb));
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  after_kb = vm_hwm_kb (pid);
  g_test_message ("server VmHWM %" G_GINT64_FORMAT " kB before, %" G_GINT64_FORMAT " kB after",
                  before_kb, after_kb);
  g_assert_cmpint (after_kb - before_kb, <, 50 * 1024);
  assert_text_reply (reply, 413, "the body inflates beyond 524288 bytes");
  g_assert_cmpint (count_device_rows (d), ==, 1);
  assert_still_serves (d);
}

static void
test_415_content_type (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autoptr(KioskTestHttpReply) none = NULL;
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  body = batch_of (event_new (d), &id);
  reply = post_events_full (d, "application/json", body, -1, FALSE);
  assert_text_reply (reply, 415, "Content-Type must be application/cloudevents-batch+json, not "
                     "application/json");
  /* "Content-Type:" with nothing after it makes libcurl send none at all. */
  none = post_events_full (d, "", body, -1, FALSE);
  assert_refused (d, none, 415, "Content-Type must be application/cloudevents-batch+json, not "
                  "(none)", id);
}

static void
test_gzip_accepted (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  body = batch_of (event_new (d), &id);
  reply = post_events_full (d, KIOSK_CLOUDEVENTS_MEDIA_TYPE "; charset=utf-8", body, -1, TRUE);
  assert_result (reply, 0, id, "accepted", NULL);
  g_assert_cmpint (count_event (id), ==, 1);
}

/* Written by hand from the CloudEvents 1.0 spec, not by the kiosk's encoder: members in another
 * order, optional attributes (dataschema) and extension attributes it never sends. */
static void
test_interoperability (void)
{
  static const char format[] =
    "[\n"
    "  {\n"
    "    \"id\" : \"0b7c7f9e-3a6d-4f0e-9d55-1f2a3b4c5d6e\",\n"
    "    \"data\" : {\"face\": 3, \"seq\": 1, \"scale\": 4, \"survey_version\": 3,\n"
    "              \"survey_id\": \"small-shop\", \"language\": \"de\", \"input\": \"button\",\n"
    "              \"local_time\": \"2026-03-14T16:10:52.583+01:00\",\n"
    "              \"follow_up\": {\"outcome\": \"answered\", \"selected\": [\"speed\", \"staff\"],\n"
    "                            \"id\": \"why\"},\n"
    "              \"clock\": {\"monotonic_ms\": 91048, \"boot_id\": \"boot-interop\",\n"
    "                        \"corrected\": false, \"synced\": true},\n"
    "              \"misuse_rule\": null, \"misuse\": false, \"comment\": null,\n"
    "              \"contact\": null, \"future_member\": {\"nested\": [1, 2]}},\n"
    "    \"time\" : \"2026-03-14T15:10:52.583Z\",\n"
    "    \"dataschema\" : \"https://example.com/schemas/response-v1.json\",\n"
    "    \"traceparent\" : \"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\",\n"
    "    \"partitionkey\" : \"%s\",\n"
    "    \"subject\" : \"small-shop\",\n"
    "    \"datacontenttype\" : \"application/json\",\n"
    "    \"source\" : \"urn:smiley-kiosk:%s\",\n"
    "    \"type\" : \"org.smileykiosk.response.v1\",\n"
    "    \"specversion\" : \"1.0\"\n"
    "  }\n"
    "]\n";
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autofree char *body = NULL;
  g_autofree char *row = NULL;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  d->seq = 1;
  body = g_strdup_printf (format, d->device, d->device);
  reply = post_events (d, body);
  assert_result (reply, 0, "0b7c7f9e-3a6d-4f0e-9d55-1f2a3b4c5d6e", "accepted", NULL);
  row = query ("SELECT concat_ws ('|', face, language, input, follow_up_selected::text, "
               " utc_offset_s) FROM responses WHERE device_id = '%s'", d->device);
  g_assert_cmpstr (row, ==, "3|de|button|[\"speed\", \"staff\"]|3600");
  assert_still_serves (d);
}

/* 401, 403, 404, 405, 410 */

static void
test_401_no_token (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autoptr(KioskTestHttpReply) basic = NULL;
  g_autoptr(KioskTestHttpReply) survey = NULL;
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;
  const char *headers[] = { "Content-Type: " KIOSK_CLOUDEVENTS_MEDIA_TYPE,
                            "Authorization: Basic dXNlcjpwYXNz", NULL };
  static const char text[] = "no bearer token: send “Authorization: Bearer <token>” with the "
                             "token that “device add” printed";

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  body = batch_of (event_new (d), &id);
  reply = post_events (NULL, body);
  assert_text_reply (reply, 401, text);
  basic = kiosk_test_http (srv, "POST", "/v1/events", headers, body, -1, FALSE);
  assert_text_reply (basic, 401, text);
  survey = device_request (NULL, "GET", d->device, "survey", NULL, NULL);
  assert_refused (d, survey, 401, text, id);
}

static void
test_401_wrong_token (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autoptr(KioskTestHttpReply) heartbeat = NULL;
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;
  const char *headers[] = { "Content-Type: " KIOSK_CLOUDEVENTS_MEDIA_TYPE,
                            "Authorization: Bearer not-the-token", NULL };
  static const char text[] = "the bearer token is not valid: check the kiosk's token-file";

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  body = batch_of (event_new (d), &id);
  reply = kiosk_test_http (srv, "POST", "/v1/events", headers, body, -1, FALSE);
  assert_text_reply (reply, 401, text);
  heartbeat = device_request (NULL, "GET", d->device, "survey", "Authorization: Bearer nope",
                              NULL);
  assert_refused (d, heartbeat, 401, text, id);
}

static void
test_403_other_device (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(Dev) other = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autofree char *text = NULL;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  other = dev_new ();
  reply = device_request (d, "GET", other->device, "survey", NULL, NULL);
  text = g_strdup_printf ("the bearer token belongs to another device, not to %s: check the "
                          "kiosk's device-id and token-file", other->device);
  assert_refused (d, reply, 403, text, NULL);
}

static void
test_404_unknown_device (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  reply = device_request (d, "GET", "nobody-here", "survey", NULL, NULL);
  assert_refused (d, reply, 404,
                  "there is no device nobody-here on this server: check the kiosk's device-id",
                  NULL);
}

static void
test_404_unknown_path (void)
{
  static const char * const paths[] = {
    "/", "/v1/event", "/v1/events/", "/v2/events", "/v1/devices//survey",
    "/v1/devices/a%2Fb/survey", "/v1/devices/kiosk/settings", "/v1/devices/kiosk",
  };
  g_autoptr(Dev) d = NULL;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      const char *headers[] = { d->auth, NULL };
      g_autoptr(KioskTestHttpReply) reply = kiosk_test_http (srv, "GET", paths[i], headers, NULL,
                                                             -1, FALSE);

      g_test_message ("GET %s", paths[i]);
      assert_text_reply (reply, 404, "no such endpoint: the cloud API has POST /v1/events, "
                         "GET /v1/devices/{id}/survey and POST /v1/devices/{id}/heartbeat");
    }
  assert_still_serves (d);
}

static void
test_405 (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) get = NULL;
  g_autoptr(KioskTestHttpReply) put = NULL;
  g_autoptr(KioskTestHttpReply) heartbeat = NULL;
  const char *headers[] = { NULL, NULL };

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  headers[0] = d->auth;
  get = kiosk_test_http (srv, "GET", "/v1/events", headers, NULL, -1, FALSE);
  g_assert_cmpint (get->status, ==, 405);
  g_assert_cmpstr (kiosk_test_http_reply_header (get, "Allow"), ==, "POST");
  put = device_request (d, "PUT", d->device, "survey", NULL, "{}");
  g_assert_cmpint (put->status, ==, 405);
  g_assert_cmpstr (kiosk_test_http_reply_header (put, "Allow"), ==, "GET");
  heartbeat = device_request (d, "GET", d->device, "heartbeat", NULL, NULL);
  g_assert_cmpint (heartbeat->status, ==, 405);
  g_assert_cmpstr (kiosk_test_http_reply_header (heartbeat, "Allow"), ==, "POST");
  assert_still_serves (d);
}

static const char heartbeat_json[] =
  "{\"version\": \"0.1.0\", \"uptime_s\": 86400, \"queue_depth\": 3, "
  "\"oldest_pending_age_s\": 420, \"dead_letter_count\": 0, "
  "\"last_upload_ok_at\": \"2026-03-14T15:02:11.120Z\", "
  "\"last_error\": \"uploading: the server answered HTTP 503: Maintenance\", "
  "\"clock_synced\": true, \"survey_id\": \"small-shop\", \"survey_version\": 3, "
  "\"last_seq\": 1234}";

static void
test_410_retired (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) events = NULL;
  g_autoptr(KioskTestHttpReply) survey = NULL;
  g_autoptr(KioskTestHttpReply) heartbeat = NULL;
  g_autofree char *first_id = NULL;
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  assert_still_serves (d);
  g_assert_cmpint (kiosk_test_server_admin (srv, NULL, &err, "device", "retire", d->device, NULL),
                   ==, 0);
  text = g_strdup_printf ("device %s is retired: it may send nothing more", d->device);
  body = batch_of (event_new (d), &id);
  events = post_events (d, body);
  assert_text_reply (events, 410, text);
  survey = device_request (d, "GET", d->device, "survey", NULL, NULL);
  assert_text_reply (survey, 410, text);
  heartbeat = device_request (d, "POST", d->device, "heartbeat",
                              "Content-Type: application/json", heartbeat_json);
  assert_text_reply (heartbeat, 410, text);
  g_assert_cmpint (count_event (id), ==, 0);
  g_assert_cmpint (count_device_rows (d), ==, 1);   /* its responses stay */
  assert_query ("0", "SELECT count(*) FROM heartbeats WHERE device_id = '%s'", d->device);
}

/* 503 while PostgreSQL is down, with Retry-After; the same batch is accepted (not a duplicate:
 * nothing was stored) once it is back. */
static void
test_503_database_down (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskTestHttpReply) events = NULL;
  g_autoptr(KioskTestHttpReply) heartbeat = NULL;
  g_autoptr(KioskTestHttpReply) survey = NULL;
  g_autoptr(KioskTestHttpReply) after = NULL;
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;
  KioskTestPg *pg;
  gint64 deadline;
  static const char text[] = "the database is not available; nothing was stored, try again later";

  SKIP_WITHOUT_SERVER ();
  pg = kiosk_test_server_process_get_pg (srv);
  d = dev_new ();
  assert_still_serves (d);
  body = batch_of (event_new (d), &id);

  g_assert_true (kiosk_test_pg_stop (pg, TRUE, &error));
  g_assert_no_error (error);
  events = post_events (d, body);
  assert_text_reply (events, 503, text);
  g_assert_cmpstr (kiosk_test_http_reply_header (events, "Retry-After"), ==, "5");
  heartbeat = device_request (d, "POST", d->device, "heartbeat",
                              "Content-Type: application/json", heartbeat_json);
  assert_text_reply (heartbeat, 503, text);
  survey = device_request (d, "GET", d->device, "survey", NULL, NULL);
  assert_text_reply (survey, 503, text);
  g_assert_cmpstr (kiosk_test_http_reply_header (survey, "Retry-After"), ==, "5");

  g_assert_true (kiosk_test_pg_start_again (pg, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_event (id), ==, 0);

  /* Each of the server's threads finds its connection broken once, then connects again. */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  for (;;)
    {
      g_clear_pointer (&after, kiosk_test_http_reply_free);
      after = post_events (d, body);
      if (after->status != 503 || g_get_monotonic_time () > deadline)
        break;
      g_usleep (20 * 1000);
    }
  assert_result (after, 0, id, "accepted", NULL);
  g_assert_cmpint (count_event (id), ==, 1);
  g_assert_cmpint (count_device_rows (d), ==, 2);
  assert_still_serves (d);
}

/* Surveys */

static char *
write_survey (const char *dir,
              const char *id,
              int         version)
{
  g_autofree char *text = g_strdup_printf (
    "{\"id\": \"%s\", \"version\": %d, \"default_language\": \"en\", \"languages\": [\"en\"],"
    " \"question\": {\"en\": \"How was it?\"},"
    " \"faces\": {\"negative\": [0, 1], \"positive\": [2, 3]},"
    " \"thank_you\": {\"en\": \"Thank you!\"}}\n", id, version);
  g_autofree char *name = g_strdup_printf ("%s-%d.json", id, version);
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static char *
survey_body (Dev        *d,
             const char *device_id,
             char      **out_etag)
{
  g_autoptr(KioskTestHttpReply) reply = device_request (d, "GET", device_id, "survey", NULL, NULL);

  g_assert_cmpint (reply->status, ==, 200);
  g_assert_cmpstr (kiosk_test_http_reply_header (reply, "Content-Type"), ==, "application/json");
  g_assert_nonnull (kiosk_test_http_reply_header (reply, "ETag"));
  if (out_etag)
    *out_etag = g_strdup (kiosk_test_http_reply_header (reply, "ETag"));
  return g_strdup (reply->body);
}

/* @d is served the survey of @path as it is in the file. */
static void
assert_survey_is (Dev        *d,
                  const char *path)
{
  g_autofree char *expected = NULL;
  g_autofree char *body = survey_body (d, d->device, NULL);

  g_assert_true (g_file_get_contents (path, &expected, NULL, NULL));
  g_assert_cmpstr (body, ==, expected);
}

/* The server's demo survey carries the languages its catalogues translate, as the kiosk's own
 * demo does (po/LANG.po): a kiosk that takes the fleet's default keeps its language bar. */
static void
test_survey_demo_languages (void)
{
  g_autofree char *languages = NULL;
  g_autofree char *german = NULL;

  SKIP_WITHOUT_SERVER ();
  languages = kiosk_test_server_query (srv, "SELECT body::jsonb->>'languages' FROM surveys "
                                            "WHERE survey_id = 'demo' AND version = 1");
  g_assert_nonnull (strstr (languages, "\"en\""));
  g_assert_nonnull (strstr (languages, "\"de\""));
  g_assert_nonnull (strstr (languages, "\"ar\""));
  german = kiosk_test_server_query (srv, "SELECT body::jsonb->'question'->>'de' FROM surveys "
                                         "WHERE survey_id = 'demo' AND version = 1");
  g_assert_cmpstr (german, ==, "Wie war Ihr Besuch heute?");
}

static void
test_survey_precedence (void)
{
  g_autoptr(Dev) a = NULL;
  g_autoptr(Dev) b = NULL;
  g_autoptr(Dev) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *site_file = NULL;
  g_autofree char *default_file = NULL;
  g_autofree char *device_file = g_test_build_filename (G_TEST_DIST, "data", "survey-small.json",
                                                        NULL);
  g_autofree char *minimal = g_test_build_filename (G_TEST_DIST, "data", "survey-minimal.json",
                                                    NULL);
  g_autofree char *token = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  SKIP_WITHOUT_SERVER ();
  dir = g_dir_make_tmp ("test-server-api-XXXXXX", &error);
  g_assert_no_error (error);
  site_file = write_survey (dir, "site-survey", 2);

  a = dev_new ();                 /* survey-small for the device itself */
  b = g_new0 (Dev, 1);            /* same site as a: the site's survey */
  b->device = g_strconcat (a->device, "-b", NULL);
  token = kiosk_test_server_add_device (srv, a->site, b->device);
  b->auth = g_strconcat ("Authorization: Bearer ", token, NULL);
  c = dev_new ();                 /* another site: its own survey removed, so the default */
  exec_sql ("DELETE FROM survey_assignments WHERE scope = 'device' AND device_id LIKE 'api-%'");

  g_assert_cmpint (kiosk_test_server_admin (srv, &out, &err, "survey", "publish", minimal,
                                            "--default", NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (kiosk_test_server_admin (srv, NULL, &err, "survey", "publish", site_file,
                                            "--site", a->site, NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (kiosk_test_server_admin (srv, NULL, &err, "survey", "publish", device_file,
                                            "--device", a->device, NULL), ==, 0);

  /* Byte for byte as published. */
  assert_survey_is (a, device_file);
  assert_survey_is (b, site_file);
  assert_survey_is (c, minimal);

  g_remove (site_file);
  g_rmdir (dir);
}

static void
test_survey_etag (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) same = NULL;
  g_autoptr(KioskTestHttpReply) list = NULL;
  g_autoptr(KioskTestHttpReply) weak = NULL;
  g_autoptr(KioskTestHttpReply) star = NULL;
  g_autoptr(KioskTestHttpReply) other = NULL;
  g_autoptr(KioskTestHttpReply) head = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *body = NULL;
  g_autofree char *header = NULL;
  g_autofree char *list_header = NULL;
  g_autofree char *weak_header = NULL;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  body = survey_body (d, d->device, &etag);
  g_assert_true (g_str_has_prefix (etag, "\"small-shop-v3-"));

  header = g_strconcat ("If-None-Match: ", etag, NULL);
  same = device_request (d, "GET", d->device, "survey", header, NULL);
  g_assert_cmpint (same->status, ==, 304);
  g_assert_cmpuint (same->length, ==, 0);
  g_assert_cmpstr (kiosk_test_http_reply_header (same, "ETag"), ==, etag);

  list_header = g_strdup_printf ("If-None-Match: \"other\", %s", etag);
  list = device_request (d, "GET", d->device, "survey", list_header, NULL);
  g_assert_cmpint (list->status, ==, 304);
  weak_header = g_strdup_printf ("If-None-Match: W/%s", etag);
  weak = device_request (d, "GET", d->device, "survey", weak_header, NULL);
  g_assert_cmpint (weak->status, ==, 304);
  star = device_request (d, "GET", d->device, "survey", "If-None-Match: *", NULL);
  g_assert_cmpint (star->status, ==, 304);

  other = device_request (d, "GET", d->device, "survey", "If-None-Match: \"small-shop-v2-x\"",
                          NULL);
  g_assert_cmpint (other->status, ==, 200);
  g_assert_cmpstr (other->body, ==, body);
  head = device_request (d, "HEAD", d->device, "survey", NULL, NULL);
  g_assert_cmpint (head->status, ==, 200);
  g_assert_cmpstr (kiosk_test_http_reply_header (head, "ETag"), ==, etag);
}

static void
test_survey_none (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autofree char *text = NULL;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  exec_sql ("DELETE FROM survey_assignments WHERE scope = 'default'");
  g_free (query ("DELETE FROM survey_assignments WHERE device_id = '%s' RETURNING 1", d->device));
  reply = device_request (d, "GET", d->device, "survey", NULL, NULL);
  text = g_strdup_printf ("no survey is assigned to device %s, its site or the fleet", d->device);
  assert_text_reply (reply, 404, text);
  assert_still_serves (d);
}

/* Heartbeats */

static void
test_heartbeat (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autoptr(KioskTestHttpReply) second = NULL;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  reply = device_request (d, "POST", d->device, "heartbeat", "Content-Type: application/json",
                          heartbeat_json);
  g_assert_null (reply->error);
  g_assert_cmpint (reply->status, ==, 204);
  g_assert_cmpuint (reply->length, ==, 0);
  second = device_request (d, "POST", d->device, "heartbeat",
                           "Content-Type: application/json; charset=utf-8", heartbeat_json);
  g_assert_cmpint (second->status, ==, 204);

  assert_query ("2", "SELECT count(*) FROM heartbeats WHERE device_id = '%s'", d->device);
  assert_query ("0.1.0|86400|3|420|0|2026-03-14T15:02:11.120Z|uploading: the server answered "
                "HTTP 503: Maintenance|t|small-shop|3|1234",
                "SELECT concat_ws ('|', version, uptime_s, queue_depth, oldest_pending_age_s, "
                " dead_letter_count, last_upload_ok_at, last_error, clock_synced, survey_id, "
                " survey_version, last_seq) FROM device_health WHERE device_id = '%s'",
                d->device);
  assert_query ("t", "SELECT last_seen_at IS NOT NULL FROM devices WHERE id = '%s'", d->device);
}

/* The optional storage and buttons (docs/cloud-api.md, section 3): stored in both tables, and
 * cleared again from the latest state by a heartbeat without them (an older kiosk's). */
static void
test_heartbeat_health (void)
{
  g_autoptr(Dev) d = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autoptr(KioskTestHttpReply) older = NULL;
  g_autoptr(GString) body = g_string_new (heartbeat_json);
  const char *columns = "concat_ws ('|', coalesce (storage_state, 'NULL'),"
                        " coalesce (storage_database_bytes::text, 'NULL'),"
                        " coalesce (storage_free_bytes::text, 'NULL'),"
                        " coalesce (buttons_configured::text, 'NULL'),"
                        " coalesce (buttons_connected::text, 'NULL'))";

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  g_assert_cmpuint (g_string_replace (body, "\"last_seq\": 1234}",
                                      "\"last_seq\": 1234, \"storage\": {\"state\": \"failing\", "
                                      "\"database_bytes\": 2097152, \"free_bytes\": null}, "
                                      "\"buttons\": {\"configured\": 2, \"connected\": 1}}", 1),
                    ==, 1);
  reply = device_request (d, "POST", d->device, "heartbeat", "Content-Type: application/json",
                          body->str);
  g_assert_cmpint (reply->status, ==, 204);

  assert_query ("failing|2097152|NULL|2|1", "SELECT %s FROM heartbeats WHERE device_id = '%s'",
                columns, d->device);
  assert_query ("failing|2097152|NULL|2|1",
                "SELECT %s FROM device_health WHERE device_id = '%s'", columns, d->device);

  older = device_request (d, "POST", d->device, "heartbeat", "Content-Type: application/json",
                          heartbeat_json);
  g_assert_cmpint (older->status, ==, 204);
  assert_query ("NULL|NULL|NULL|NULL|NULL",
                "SELECT %s FROM device_health WHERE device_id = '%s'", columns, d->device);
  assert_query ("failing|2097152|NULL|2|1,NULL|NULL|NULL|NULL|NULL",
                "SELECT string_agg (%s, ',' ORDER BY received_at) FROM heartbeats"
                " WHERE device_id = '%s'", columns, d->device);
}

static void
assert_heartbeat_refused (const char *content_type,
                          const char *body,
                          long        status,
                          const char *text)
{
  g_autoptr(Dev) d = dev_new ();
  g_autoptr(KioskTestHttpReply) reply = NULL;
  g_autoptr(KioskTestHttpReply) good = NULL;
  g_autofree char *header = g_strconcat ("Content-Type: ", content_type, NULL);

  reply = device_request (d, "POST", d->device, "heartbeat", header, body);
  assert_text_reply (reply, status, text);
  assert_query ("0", "SELECT count(*) FROM heartbeats WHERE device_id = '%s'", d->device);
  assert_query ("0", "SELECT count(*) FROM device_health WHERE device_id = '%s'", d->device);

  good = device_request (d, "POST", d->device, "heartbeat", "Content-Type: application/json",
                         heartbeat_json);
  g_assert_cmpint (good->status, ==, 204);
}

/* Refused heartbeats that differ only in what is sent. */
typedef struct
{
  const char *path;
  const char *content_type;
  const char *from;   /* replaced by @to in heartbeat_json; NULL: the body is @to (NULL: */
  const char *to;     /* heartbeat_json) */
  long        status;
  const char *text;
} HeartbeatRefusal;

static const HeartbeatRefusal heartbeat_refusals[] = {
  { "/server-api/heartbeat/missing-member", "application/json", "\"uptime_s\": 86400, ", "",
    400, "“uptime_s”: missing" },
  { "/server-api/heartbeat/wrong-type", "application/json", "\"queue_depth\": 3",
    "\"queue_depth\": \"3\"", 400, "“queue_depth”: expected an integer ≥ 0, got a string" },
  /* Optional, but strict when present: nothing is stored. */
  { "/server-api/heartbeat/bad-health", "application/json", "\"last_seq\": 1234}",
    "\"last_seq\": 1234, \"buttons\": {\"configured\": 1, \"connected\": 2}}", 400,
    "“buttons.connected”: 2 is more than the 1 configured" },
  { "/server-api/heartbeat/not-an-object", "application/json", NULL, "[1, 2]", 400,
    "the heartbeat is an array, not a JSON object" },
  { "/server-api/heartbeat/415", "text/plain", NULL, NULL, 415,
    "Content-Type must be application/json, not text/plain" },
};

static void
test_heartbeat_refused (gconstpointer data)
{
  const HeartbeatRefusal *r = data;
  g_autoptr(GString) body = g_string_new (heartbeat_json);

  SKIP_WITHOUT_SERVER ();
  if (r->from != NULL)
    g_assert_cmpuint (g_string_replace (body, r->from, r->to, 1), ==, 1);
  else if (r->to != NULL)
    g_string_assign (body, r->to);
  assert_heartbeat_refused (r->content_type, body->str, r->status, r->text);
}

/* Clock repair */

static JsonObject *
clock_event (Dev      *d,
             gboolean  synced,
             gint64    wall_us,
             gint64    monotonic_ms)
{
  JsonObject *e = event_new (d);
  JsonObject *clock = json_object_get_object_member (data_of (e), "clock");

  json_object_set_boolean_member (clock, "synced", synced);
  json_object_set_int_member (clock, "monotonic_ms", monotonic_ms);
  set_time (e, wall_us);
  return e;
}

/* The stored time, local time and clock_repaired of event @id are @expected. */
static void
assert_time_of (const char *id,
                const char *expected)
{
  assert_query (expected, "SELECT concat_ws ('|', to_char (time AT TIME ZONE 'UTC', "
                " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS'), to_char (local_time, "
                " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS'), clock_repaired) "
                "FROM responses WHERE event_id = '%s'", id);
}

static void
post_one (Dev        *d,
          JsonObject *e)
{
  g_autofree char *id = NULL;
  g_autofree char *body = batch_of (e, &id);
  g_autoptr(KioskTestHttpReply) reply = post_events (d, body);

  assert_result (reply, 0, id, "accepted", NULL);
}

/* Unsynced at monotonic 1 000 ms with a wall clock in 2001; then a synced response of the same
 * boot at T0 and monotonic 61 000 ms: the first happened at T0 − 60 s. */
static void
test_clock_repair (gconstpointer data)
{
  gboolean synced_first = GPOINTER_TO_INT (data);
  g_autoptr(Dev) d = NULL;
  g_autofree char *unsynced_id = NULL;
  g_autofree char *synced_id = NULL;
  g_autofree char *other_boot_id = NULL;
  JsonObject *unsynced, *synced, *other_boot;

  SKIP_WITHOUT_SERVER ();
  d = dev_new ();
  unsynced = clock_event (d, FALSE, G_GINT64_CONSTANT (978307200000000), 1000);
  synced = clock_event (d, TRUE, T0_US, 61000);
  /* Another boot: nothing learnt about it, so it stays as it was. */
  other_boot = clock_event (d, FALSE, G_GINT64_CONSTANT (978307200000000) + 5 * G_USEC_PER_SEC,
                            2000);
  json_object_set_string_member (json_object_get_object_member (data_of (other_boot), "clock"),
                                 "boot_id", "another-boot");
  unsynced_id = g_strdup (id_of (unsynced));
  synced_id = g_strdup (id_of (synced));
  other_boot_id = g_strdup (id_of (other_boot));

  if (synced_first)
    {
      post_one (d, synced);
      post_one (d, unsynced);
    }
  else
    {
      post_one (d, unsynced);
      assert_time_of (unsynced_id, "2001-01-01T00:00:00.000|2001-01-01T00:00:00.000|f");
      post_one (d, synced);
    }
  post_one (d, other_boot);

  assert_time_of (unsynced_id, "2026-03-14T15:09:52.583|2026-03-14T15:09:52.583|t");
  assert_time_of (synced_id, "2026-03-14T15:10:52.583|2026-03-14T15:10:52.583|f");
  assert_time_of (other_boot_id, "2001-01-01T00:00:05.000|2001-01-01T00:00:05.000|f");
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  srv = kiosk_test_server_process_start_or_skip (TRUE);

  g_test_add_func ("/server-api/accepted", test_accepted);
  g_test_add_func ("/server-api/duplicate", test_duplicate);
  g_test_add_func ("/server-api/killed-and-restarted", test_restart);
  g_test_add_func ("/server-api/seq-reused", test_seq_reused);
  for (guint i = 0; i < G_N_ELEMENTS (rejections); i++)
    {
      g_autofree char *path = g_strconcat ("/server-api/rejected/", rejections[i].name, NULL);

      g_test_add_data_func (path, &rejections[i], test_rejected);
    }
  g_test_add_func ("/server-api/rejected/lone-surrogate", test_lone_surrogate);
  g_test_add_func ("/server-api/contact-with-consent", test_contact_with_consent);
  g_test_add_func ("/server-api/gzip", test_gzip_accepted);
  g_test_add_func ("/server-api/interoperability", test_interoperability);
  g_test_add_func ("/server-api/400/not-json", test_400_not_json);
  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    g_test_add_data_func (refusals[i].path, &refusals[i], test_refused);
  g_test_add_func ("/server-api/422/id-twice", test_400_duplicate_id_in_batch);
  g_test_add_func ("/server-api/422/not-an-object", test_422_not_an_object);
  g_test_add_func ("/server-api/413/501-events", test_413_too_many_events);
  g_test_add_func ("/server-api/413/gzip-bomb", test_413_gzip_bomb);
  g_test_add_func ("/server-api/415/content-type", test_415_content_type);
  g_test_add_func ("/server-api/401/no-token", test_401_no_token);
  g_test_add_func ("/server-api/401/wrong-token", test_401_wrong_token);
  g_test_add_func ("/server-api/403/other-device", test_403_other_device);
  g_test_add_func ("/server-api/404/unknown-device", test_404_unknown_device);
  g_test_add_func ("/server-api/404/unknown-path", test_404_unknown_path);
  g_test_add_func ("/server-api/405/method", test_405);
  g_test_add_func ("/server-api/410/retired", test_410_retired);
  g_test_add_func ("/server-api/503/database-down", test_503_database_down);
  g_test_add_func ("/server-api/survey/demo-languages", test_survey_demo_languages);
  g_test_add_func ("/server-api/survey/precedence", test_survey_precedence);
  g_test_add_func ("/server-api/survey/etag", test_survey_etag);
  g_test_add_func ("/server-api/survey/none", test_survey_none);
  g_test_add_func ("/server-api/heartbeat/stored", test_heartbeat);
  g_test_add_func ("/server-api/heartbeat/health", test_heartbeat_health);
  for (guint i = 0; i < G_N_ELEMENTS (heartbeat_refusals); i++)
    g_test_add_data_func (heartbeat_refusals[i].path, &heartbeat_refusals[i],
                          test_heartbeat_refused);
  g_test_add_data_func ("/server-api/clock-repair/unsynced-first", GINT_TO_POINTER (FALSE),
                        test_clock_repair);
  g_test_add_data_func ("/server-api/clock-repair/synced-first", GINT_TO_POINTER (TRUE),
                        test_clock_repair);

  status = g_test_run ();
  g_clear_pointer (&srv, kiosk_test_server_process_free);
  return status;
}
