/* fuzz-batch.c: a batch as the server receives it (kiosk_gunzip, kiosk_cloudevents_parse_batch,
 * kiosk_cloudevents_results_to_json). An input that starts with gzip's magic bytes (1f 8b) is a
 * body sent with Content-Encoding: gzip and is inflated first; any other input is the body. */
#include "config.h"

#include "kiosk-cloudevents.h"
#include "fuzz-common.h"

#define FUZZ_MAX_INPUT (KIOSK_CLOUDEVENTS_MAX_BYTES + 1)

/* A reason travels in the reply, which the kiosk reads up to 500 characters. */
#define MAX_REASON_CHARS 500

/* Messages and reasons reach log lines, the reply and the kiosk's status: one line, nothing
 * invisible, UTF-8. */
static void
check_printable (const char *text)
{
  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!(g_unichar_isprint (c) || c == ' '))
        g_error ("U+%04X in “%s”", c, text);
    }
}

static void
check_error (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == KIOSK_CLOUDEVENTS_ERROR);
  g_assert_true (error->code == KIOSK_CLOUDEVENTS_ERROR_BAD_BATCH ||
                 error->code == KIOSK_CLOUDEVENTS_ERROR_TOO_LARGE);
  fuzz_check_message (error->message);
  check_printable (error->message);
}

/* A valid event's response goes out again as the kiosk would write it, and reads back the same:
 * what the server stores can be written and read without loss. */
static void
check_reencodes (const KioskDecodedEvent *event)
{
  g_autofree char *once = kiosk_cloudevent_to_json (event->response, event->source);
  g_autofree char *batch = g_strdup_printf ("[%s]", once);
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *twice = NULL;
  KioskDecodedEvent *back;

  again = kiosk_cloudevents_parse_batch (batch, strlen (batch), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 1);
  back = g_ptr_array_index (again, 0);
  if (back->reason != NULL)
    g_error ("a valid event re-encoded is refused: %s\n%s", back->reason, once);
  g_assert_cmpstr (back->id, ==, event->id);
  g_assert_cmpstr (back->device_id, ==, event->device_id);

  twice = kiosk_cloudevent_to_json (back->response, back->source);
  g_assert_cmpstr (twice, ==, once);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *copy = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GBytes) inflated = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree const char **ids = NULL;
  g_autofree KioskEventResult *results = NULL;
  g_autofree KioskEventResult *read = NULL;
  g_autofree char *reply = NULL;
  gsize length = size;

  fuzz_setup ();
  if (size > FUZZ_MAX_INPUT)
    return 0;

  copy = fuzz_exact_copy (data, size);
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
    {
      inflated = kiosk_gunzip (copy, size, KIOSK_CLOUDEVENTS_MAX_BYTES, &error);
      if (inflated == NULL)
        {
          check_error (error);
          return 0;
        }
      g_assert_cmpuint (g_bytes_get_size (inflated), <=, KIOSK_CLOUDEVENTS_MAX_BYTES);
      body = fuzz_exact_copy (g_bytes_get_data (inflated, &length), g_bytes_get_size (inflated));
    }
  else
    body = g_steal_pointer (&copy);

  events = kiosk_cloudevents_parse_batch (body, length, &error);
  if (events == NULL)
    {
      check_error (error);
      return 0;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, >=, 1);
  g_assert_cmpuint (events->len, <=, KIOSK_CLOUDEVENTS_MAX_EVENTS);

  seen = g_hash_table_new (g_str_hash, g_str_equal);
  ids = g_new0 (const char *, events->len);
  results = g_new0 (KioskEventResult, events->len);
  read = g_new0 (KioskEventResult, events->len);

  for (guint i = 0; i < events->len; i++)
    {
      KioskDecodedEvent *event = g_ptr_array_index (events, i);

      /* Every event has an id the reply can name, once. */
      g_assert_nonnull (event->id);
      g_assert_true (g_utf8_validate (event->id, -1, NULL));
      g_assert_true (g_hash_table_add (seen, event->id));
      ids[i] = event->id;
      g_assert_true (event->source == NULL || g_utf8_validate (event->source, -1, NULL));

      /* Valid, or refused with a reason: never both, never neither. */
      g_assert_true ((event->reason == NULL) != (event->response == NULL));
      if (event->reason != NULL)
        {
          check_printable (event->reason);
          g_assert_cmpuint (g_utf8_strlen (event->reason, -1), <=, MAX_REASON_CHARS);
          g_assert_null (event->device_id);
          results[i].status = KIOSK_EVENT_REJECTED;
          results[i].reason = event->reason;
          continue;
        }

      g_assert_true (kiosk_device_id_is_valid (event->device_id));
      g_assert_true (g_str_has_prefix (event->source, KIOSK_CLOUDEVENT_SOURCE_PREFIX));
      g_assert_cmpstr (event->source + strlen (KIOSK_CLOUDEVENT_SOURCE_PREFIX), ==,
                       event->device_id);
      g_assert_cmpstr (event->response->uuid, ==, event->id);
      g_assert_true (g_uuid_string_is_valid (event->id));
      g_assert_cmpint (event->response->face, >=, 0);
      g_assert_cmpint (event->response->face, <, event->response->scale);
      g_assert_false (event->response->visit_open);
      check_reencodes (event);
      results[i].status = KIOSK_EVENT_ACCEPTED;
    }

  /* The server's reply is one the kiosk reads, with every reason intact. */
  reply = kiosk_cloudevents_results_to_json (ids, results, events->len);
  if (!kiosk_cloudevents_parse_reply (reply, strlen (reply), ids, events->len, read, &error))
    g_error ("the reply to a decoded batch is refused: %s", error->message);
  for (guint i = 0; i < events->len; i++)
    {
      g_assert_cmpint (read[i].status, ==, results[i].status);
      g_assert_cmpstr (read[i].reason, ==, results[i].reason);
    }
  kiosk_event_results_clear (read, events->len);

  return 0;
}
