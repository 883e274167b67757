/* kiosk-cloudevents.c: writes responses as a CloudEvents batch and reads the server's reply.
 *
 * The batch is written by hand rather than through JsonBuilder: a drain of a large backlog
 * serialises hundreds of thousands of events, and the attribute order is chosen so that gzip
 * finds the constant parts as long matches (the bytes per response on the wire matter on
 * metered links). The reply comes from outside and is read defensively. */
#define G_LOG_DOMAIN "kiosk-cloudevents"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "kiosk-cloudevents.h"
#include "kiosk-cloudevents-private.h"

G_DEFINE_QUARK (kiosk-cloudevents-error-quark, kiosk_cloudevents_error)

char *
kiosk_cloudevents_source (const char *device_id)
{
  g_return_val_if_fail (device_id != NULL, NULL);

  return g_strconcat (KIOSK_CLOUDEVENT_SOURCE_PREFIX, device_id, NULL);
}

gboolean
kiosk_device_id_is_valid (const char *id)
{
  gsize length;

  if (id == NULL)
    return FALSE;

  length = strlen (id);
  if (length == 0 || length > KIOSK_DEVICE_ID_MAX_CHARS)
    return FALSE;

  for (const char *p = id; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;

  return TRUE;
}

static void
append_json_string (GString    *out,
                    const char *text)
{
  g_autofree char *valid = NULL;
  const char *p;

  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  /* The store only holds UTF-8, but a damaged row must still give valid JSON. */
  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);

  g_string_append_c (out, '"');
  for (p = text; *p; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, c);
        }
    }
  g_string_append_c (out, '"');
}

static void
append_member (GString    *out,
               const char *name)
{
  /* Member names are constants of the contract: no escaping needed. */
  g_string_append_c (out, '"');
  g_string_append (out, name);
  g_string_append (out, "\":");
}

static void
append_string_member (GString    *out,
                      const char *name,
                      const char *value)
{
  append_member (out, name);
  append_json_string (out, value);
  g_string_append_c (out, ',');
}

static void
append_int_member (GString    *out,
                   const char *name,
                   gint64      value)
{
  append_member (out, name);
  g_string_append_printf (out, "%" G_GINT64_FORMAT ",", value);
}

static void
append_bool_member (GString    *out,
                    const char *name,
                    gboolean    value)
{
  append_member (out, name);
  g_string_append (out, value ? "true," : "false,");
}

static void
append_follow_up (GString             *out,
                  const KioskResponse *r)
{
  const char *outcome = kiosk_outcome_to_string (r->follow_up_outcome);

  append_member (out, KIOSK_CE_FOLLOW_UP);
  if (r->follow_up_id == NULL)
    {
      g_string_append (out, "null,");
      return;
    }

  g_string_append_c (out, '{');
  append_string_member (out, KIOSK_CE_FOLLOW_UP_ID, r->follow_up_id);
  append_member (out, KIOSK_CE_SELECTED);
  g_string_append_c (out, '[');
  for (guint i = 0; r->follow_up_selected && r->follow_up_selected[i]; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_json_string (out, r->follow_up_selected[i]);
    }
  g_string_append (out, "],");
  /* An eligible response always has an ended visit; "interrupted" is the honest fallback. */
  append_member (out, KIOSK_CE_OUTCOME);
  append_json_string (out, outcome ? outcome : "interrupted");
  g_string_append (out, "},");
}

static void
append_contact (GString             *out,
                const KioskResponse *r)
{
  append_member (out, KIOSK_CE_CONTACT);

  /* Contact details leave the device only with the visitor's explicit consent. */
  if (!r->contact_consent)
    {
      g_string_append (out, "null,");
      return;
    }

  g_string_append (out, "{\"" KIOSK_CE_CONSENT "\":true");
  if (r->contact_name != NULL)
    {
      g_string_append (out, ",\"" KIOSK_CE_NAME "\":");
      append_json_string (out, r->contact_name);
    }
  if (r->contact_email != NULL)
    {
      g_string_append (out, ",\"" KIOSK_CE_EMAIL "\":");
      append_json_string (out, r->contact_email);
    }
  if (r->contact_phone != NULL)
    {
      g_string_append (out, ",\"" KIOSK_CE_PHONE "\":");
      append_json_string (out, r->contact_phone);
    }
  g_string_append (out, "},");
}

/**
 * kiosk_cloudevent_append:
 * @source: from kiosk_cloudevents_source()
 *
 * Appends one response as a CloudEvent. The members come in an order that suits compression:
 * everything constant from one response to the next first, then what changes, with `time` right
 * after `local_time` (they share most of their characters) and the random `id` last.
 */
void
kiosk_cloudevent_append (GString             *out,
                         const KioskResponse *r,
                         const char          *source)
{
  g_autofree char *utc = kiosk_format_rfc3339 (r->time.wall_us, 0);
  g_autofree char *local = kiosk_format_rfc3339 (r->time.wall_us, r->time.utc_offset_s);

  g_return_if_fail (out != NULL && r != NULL && source != NULL);

  g_string_append (out, "{\"" KIOSK_CE_SPECVERSION "\":\"" KIOSK_CE_SPECVERSION_VALUE "\","
                        "\"" KIOSK_CE_TYPE "\":\"" KIOSK_CLOUDEVENT_TYPE "\",");
  append_string_member (out, KIOSK_CE_SOURCE, source);
  append_string_member (out, KIOSK_CE_SUBJECT, r->survey_id);
  g_string_append (out, "\"" KIOSK_CE_DATACONTENTTYPE "\":\"" KIOSK_CLOUDEVENT_DATA_TYPE "\","
                        "\"" KIOSK_CE_DATA "\":{");

  append_string_member (out, KIOSK_CE_SURVEY_ID, r->survey_id);
  append_int_member (out, KIOSK_CE_SURVEY_VERSION, r->survey_version);
  append_int_member (out, KIOSK_CE_SCALE, r->scale);
  append_string_member (out, KIOSK_CE_INPUT, kiosk_input_to_string (r->input));
  append_string_member (out, KIOSK_CE_LANGUAGE, r->language);
  append_bool_member (out, KIOSK_CE_MISUSE, r->misuse);
  append_string_member (out, KIOSK_CE_MISUSE_RULE, r->misuse_rule);
  append_follow_up (out, r);
  append_string_member (out, KIOSK_CE_COMMENT, r->comment);
  append_contact (out, r);

  g_string_append (out, "\"" KIOSK_CE_CLOCK "\":{");
  append_bool_member (out, KIOSK_CE_SYNCED, r->time.synced);
  append_bool_member (out, KIOSK_CE_CORRECTED, r->clock_corrected);
  append_string_member (out, KIOSK_CE_BOOT_ID, r->boot_id);
  append_member (out, KIOSK_CE_MONOTONIC_MS);
  g_string_append_printf (out, "%" G_GINT64_FORMAT "},", r->time.monotonic_us / 1000);

  append_int_member (out, KIOSK_CE_FACE, r->face);
  append_int_member (out, KIOSK_CE_SEQ, r->seq);
  append_member (out, KIOSK_CE_LOCAL_TIME);
  append_json_string (out, local);
  g_string_append (out, "},");

  append_string_member (out, KIOSK_CE_TIME, utc);
  append_member (out, KIOSK_CE_ID);
  append_json_string (out, r->uuid);
  g_string_append_c (out, '}');
}

char *
kiosk_cloudevent_to_json (const KioskResponse *response,
                          const char          *source)
{
  GString *out = g_string_sized_new (768);

  kiosk_cloudevent_append (out, response, source);
  return g_string_free (out, FALSE);
}

/**
 * kiosk_cloudevents_build_batch:
 * @responses: KioskResponse*, in the order they are to be sent
 * @max_bytes: the batch stops before it would exceed this; one event is always included
 * @out_count: how many of @responses are in the batch
 *
 * Returns: the JSON array
 */
GString *
kiosk_cloudevents_build_batch (GPtrArray  *responses,
                               const char *source,
                               gsize       max_bytes,
                               guint      *out_count)
{
  GString *out;
  guint count = 0;

  g_return_val_if_fail (responses != NULL && responses->len > 0, NULL);
  g_return_val_if_fail (out_count != NULL, NULL);

  out = g_string_sized_new (MIN (responses->len * 700 + 2, max_bytes + 1024));
  g_string_append_c (out, '[');

  for (guint i = 0; i < responses->len && i < KIOSK_CLOUDEVENTS_MAX_EVENTS; i++)
    {
      gsize before = out->len;

      if (i > 0)
        g_string_append_c (out, ',');
      kiosk_cloudevent_append (out, g_ptr_array_index (responses, i), source);

      /* +1 for the closing bracket */
      if (i > 0 && out->len + 1 > max_bytes)
        {
          g_string_truncate (out, before);
          break;
        }
      count++;
    }

  g_string_append_c (out, ']');
  *out_count = count;
  return out;
}

/* Server text in our messages: printable, short, never able to forge log lines. */
char *
kiosk_printable_excerpt (const char *text,
                         gssize      length,
                         gsize       max_chars)
{
  GString *out;
  g_autofree char *valid = NULL;
  const char *p, *end;
  gsize chars = 0;

  if (text == NULL)
    return g_strdup ("");

  if (length < 0)
    length = strlen (text);

  valid = g_utf8_make_valid (text, length);
  out = g_string_new (NULL);
  end = valid + strlen (valid);

  for (p = valid; p < end && chars < max_chars; p = g_utf8_next_char (p), chars++)
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isprint (c) || c == ' ')
        g_string_append_unichar (out, c);
      else if (c == '\n' || c == '\r' || c == '\t')
        g_string_append_c (out, ' ');
      else
        g_string_append_c (out, '?');
    }

  if (p < end)
    g_string_append (out, "…");

  return g_string_free (out, FALSE);
}

/* Every refusal of a reply has this code; kiosk_cloudevents_parse_reply() says once what it
 * means and clears what was read before. */
#define reply_error(error, ...) \
  (_kiosk_ce_refuse ((error), KIOSK_CLOUDEVENTS_ERROR_INVALID_REPLY, __VA_ARGS__), FALSE)

/* Counts bracket nesting outside strings; no allocation, so it cannot be made to fail badly. */
gboolean
_kiosk_json_depth_is_sane (const char *body,
                           gsize       length,
                           int         max_depth)
{
  gboolean in_string = FALSE;
  int depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = body[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            return FALSE;
        }
      else if (c == ']' || c == '}')
        depth--;
    }

  return TRUE;
}

static const char * const status_names[] = {
  [KIOSK_EVENT_ACCEPTED] = "accepted",
  [KIOSK_EVENT_DUPLICATE] = "duplicate",
  [KIOSK_EVENT_REJECTED] = "rejected",
};

const char *
kiosk_event_status_to_string (KioskEventStatus status)
{
  g_return_val_if_fail (status <= KIOSK_EVENT_REJECTED, NULL);

  return status_names[status];
}

gboolean
_kiosk_event_status_from_string (const char       *text,
                                 KioskEventStatus *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_strcmp0 (text, status_names[i]) == 0)
      {
        *out = (KioskEventStatus) i;
        return TRUE;
      }

  return FALSE;
}

/**
 * kiosk_cloudevents_results_to_json:
 * @ids: the event ids of the batch
 * @results: one per id; a reason is written when there is one
 *
 * Returns: the reply document, as kiosk_cloudevents_parse_reply() reads it
 */
char *
kiosk_cloudevents_results_to_json (const char * const     *ids,
                                   const KioskEventResult *results,
                                   guint                   n)
{
  GString *out = g_string_sized_new (32 + n * 72);

  g_return_val_if_fail (n == 0 || (ids != NULL && results != NULL), NULL);

  g_string_append (out, "{\"" KIOSK_CE_RESULTS "\":[");
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, "{\"" KIOSK_CE_RESULT_ID "\":");
      append_json_string (out, ids[i]);
      g_string_append (out, ",\"" KIOSK_CE_STATUS "\":");
      append_json_string (out, kiosk_event_status_to_string (results[i].status));
      if (results[i].reason != NULL)
        {
          g_string_append (out, ",\"" KIOSK_CE_REASON "\":");
          append_json_string (out, results[i].reason);
        }
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}");

  return g_string_free (out, FALSE);
}

static gboolean
read_reply (const char          *body,
            gsize                length,
            const char * const  *ids,
            guint                n_ids,
            KioskEventResult    *results,
            GError             **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GHashTable) index = NULL;
  g_autoptr(GError) json_error = NULL;
  g_autofree gboolean *named = NULL;
  JsonNode *root;
  JsonNode *results_node;
  JsonArray *array;
  guint n_results;
  guint missing = 0;

  if (body == NULL || length == 0)
    return reply_error (error, "the body is empty");
  if (length > KIOSK_CLOUD_MAX_REPLY_BYTES)
    return reply_error (error, "the body is larger than 1 MiB");
  if (memchr (body, '\0', length) != NULL)
    return reply_error (error, "the body contains a NUL byte");
  if (!g_utf8_validate_len (body, length, NULL))
    return reply_error (error, "the body is not UTF-8");
  if (!_kiosk_json_depth_is_sane (body, length, KIOSK_CE_MAX_DEPTH))
    return reply_error (error, "the JSON is nested deeper than %d levels", KIOSK_CE_MAX_DEPTH);

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, body, length, &json_error))
    {
      g_autofree char *excerpt = kiosk_printable_excerpt (body, length, 60);
      /* json-glib quotes the offending text, which may hold a line break of the body's. */
      g_autofree char *why = kiosk_printable_excerpt (json_error->message, -1, 200);

      return reply_error (error, "not JSON (%s); it starts with “%s”", why, excerpt);
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return reply_error (error, "the top level is not an object");

  results_node = json_object_get_member (json_node_get_object (root), KIOSK_CE_RESULTS);
  if (results_node == NULL)
    return reply_error (error, "there is no “" KIOSK_CE_RESULTS "” member");
  if (!JSON_NODE_HOLDS_ARRAY (results_node))
    return reply_error (error, "“" KIOSK_CE_RESULTS "” is not an array");

  index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < n_ids; i++)
    g_hash_table_insert (index, (gpointer) ids[i], GUINT_TO_POINTER (i + 1));
  named = g_new0 (gboolean, n_ids);

  array = json_node_get_array (results_node);
  n_results = json_array_get_length (array);

  for (guint i = 0; i < n_results; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *object;
      JsonNode *id_node, *status_node, *reason_node;
      const char *id, *status_text;
      KioskEventStatus status;
      guint position;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return reply_error (error, KIOSK_CE_RESULTS "[%u] is not an object", i);
      object = json_node_get_object (element);

      id_node = json_object_get_member (object, KIOSK_CE_RESULT_ID);
      if (id_node == NULL || json_node_get_value_type (id_node) != G_TYPE_STRING)
        return reply_error (error, KIOSK_CE_RESULTS "[%u] has no string “" KIOSK_CE_RESULT_ID "”",
                            i);
      id = json_node_get_string (id_node);

      position = GPOINTER_TO_UINT (g_hash_table_lookup (index, id));
      if (position == 0)
        {
          g_autofree char *excerpt = kiosk_printable_excerpt (id, -1, 40);

          return reply_error (error, KIOSK_CE_RESULTS "[%u] names “%s”, which is not in the batch",
                              i, excerpt);
        }
      if (named[position - 1])
        return reply_error (error, KIOSK_CE_RESULTS "[%u] names “%s” a second time", i, id);

      status_node = json_object_get_member (object, KIOSK_CE_STATUS);
      status_text = status_node && json_node_get_value_type (status_node) == G_TYPE_STRING
                    ? json_node_get_string (status_node) : NULL;
      if (!_kiosk_event_status_from_string (status_text, &status))
        {
          g_autofree char *excerpt = kiosk_printable_excerpt (status_text, -1, 40);

          return reply_error (error, KIOSK_CE_RESULTS "[%u]: “" KIOSK_CE_STATUS "” is %s%s%s "
                              "(expected %s, %s or %s)", i,
                              status_text ? "“" : "", status_text ? excerpt : "missing",
                              status_text ? "”" : "", status_names[KIOSK_EVENT_ACCEPTED],
                              status_names[KIOSK_EVENT_DUPLICATE],
                              status_names[KIOSK_EVENT_REJECTED]);
        }

      reason_node = json_object_get_member (object, KIOSK_CE_REASON);
      if (reason_node != NULL && !JSON_NODE_HOLDS_NULL (reason_node) &&
          json_node_get_value_type (reason_node) != G_TYPE_STRING)
        return reply_error (error, KIOSK_CE_RESULTS "[%u]: “" KIOSK_CE_REASON "” is not a string",
                            i);

      named[position - 1] = TRUE;
      results[position - 1].status = status;
      if (reason_node != NULL && !JSON_NODE_HOLDS_NULL (reason_node))
        results[position - 1].reason = kiosk_printable_excerpt (json_node_get_string (reason_node),
                                                                -1, 500);
    }

  for (guint i = 0; i < n_ids; i++)
    if (!named[i])
      missing++;

  for (guint i = 0; i < n_ids; i++)
    if (!named[i])
      return reply_error (error, "%u of the %u events are not named (the first is “%s”)",
                          missing, n_ids, ids[i]);

  return TRUE;
}

/**
 * kiosk_cloudevents_parse_reply:
 * @body: the reply's body (not necessarily NUL-terminated)
 * @ids: the event ids of the batch, in the order they were sent
 * @results: (out caller-allocates): @n_ids results, in the order of @ids
 *
 * Reads `{"results": [{"id", "status", "reason"?}, …]}`. The reply must name every event of the
 * batch exactly once and nothing else; otherwise nothing can be concluded from it and the whole
 * batch is to be sent again. Members the contract does not define are ignored, so a server may
 * add some.
 */
gboolean
kiosk_cloudevents_parse_reply (const char          *body,
                               gsize                length,
                               const char * const  *ids,
                               guint                n_ids,
                               KioskEventResult    *results,
                               GError             **error)
{
  g_return_val_if_fail (ids != NULL && results != NULL && n_ids > 0, FALSE);

  memset (results, 0, sizeof *results * n_ids);
  if (read_reply (body, length, ids, n_ids, results, error))
    return TRUE;

  kiosk_event_results_clear (results, n_ids);
  g_prefix_error (error, "the server's reply is not a results document for this batch: ");
  return FALSE;
}

void
kiosk_event_results_clear (KioskEventResult *results,
                           guint             n)
{
  for (guint i = 0; i < n; i++)
    g_clear_pointer (&results[i].reason, g_free);
}
