/* kiosk-heartbeat.c: the heartbeat document (docs/cloud-api.md, section 3): written by the
 * uploader, read by the server, strictly: a wrong member is named in the error. */
#define G_LOG_DOMAIN "kiosk-heartbeat"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "kiosk-cloudevents.h"
#include "kiosk-heartbeat.h"

#define MAX_TEXT_CHARS 1000
/* A storage state is a word; a later kiosk may add one, which a server shows as it is. */
#define MAX_STATE_CHARS 32

G_DEFINE_QUARK (kiosk-heartbeat-error-quark, kiosk_heartbeat_error)

KioskHeartbeat *
kiosk_heartbeat_new (void)
{
  KioskHeartbeat *self = g_new0 (KioskHeartbeat, 1);

  self->storage_database_bytes = -1;
  self->storage_free_bytes = -1;
  self->buttons_configured = -1;
  self->buttons_connected = -1;
  return self;
}

void
kiosk_heartbeat_free (KioskHeartbeat *self)
{
  if (self == NULL)
    return;

  g_free (self->version);
  g_free (self->last_upload_ok_at);
  g_free (self->last_error);
  g_free (self->survey_id);
  g_free (self->storage_state);
  g_free (self);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_text (JsonBuilder *builder,
          const char  *name,
          const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_size (JsonBuilder *builder,
          const char  *name,
          gint64       value)
{
  json_builder_set_member_name (builder, name);
  if (value >= 0)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/**
 * kiosk_heartbeat_to_json:
 *
 * Returns: the document, compact; every member of the contract is present, a missing text as
 *   null (a count below zero is sent as 0: the contract has no negative counts); "storage" only
 *   with a state, "buttons" only with a count configured ≥ 0
 */
char *
kiosk_heartbeat_to_json (const KioskHeartbeat *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (builder);
  /* The version is the one text the contract does not allow to be null. */
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, self->version ? self->version : "");
  add_int (builder, "uptime_s", MAX (self->uptime_s, 0));
  add_int (builder, "queue_depth", MAX (self->queue_depth, 0));
  add_int (builder, "oldest_pending_age_s", MAX (self->oldest_pending_age_s, 0));
  add_int (builder, "dead_letter_count", MAX (self->dead_letter_count, 0));
  add_text (builder, "last_upload_ok_at", self->last_upload_ok_at);
  add_text (builder, "last_error", self->last_error);
  json_builder_set_member_name (builder, "clock_synced");
  json_builder_add_boolean_value (builder, self->clock_synced);
  add_text (builder, "survey_id", self->survey_id);
  add_int (builder, "survey_version", MAX (self->survey_version, 0));
  add_int (builder, "last_seq", MAX (self->last_seq, 0));
  if (self->storage_state != NULL)
    {
      json_builder_set_member_name (builder, "storage");
      json_builder_begin_object (builder);
      add_text (builder, "state", self->storage_state);
      add_size (builder, "database_bytes", self->storage_database_bytes);
      add_size (builder, "free_bytes", self->storage_free_bytes);
      json_builder_end_object (builder);
    }
  if (self->buttons_configured >= 0)
    {
      json_builder_set_member_name (builder, "buttons");
      json_builder_begin_object (builder);
      add_int (builder, "configured", self->buttons_configured);
      add_int (builder, "connected", CLAMP (self->buttons_connected, 0, self->buttons_configured));
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* Parsing */

static const char *
describe_node (JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "a string";
    case G_TYPE_BOOLEAN:
      return "a boolean";
    case G_TYPE_INT64:
      return "an integer";
    case G_TYPE_DOUBLE:
      return "a number with a fraction or exponent";
    default:
      return "something else";
    }
}

static gboolean
invalid (GError     **error,
         const char  *member,
         const char  *expected,
         JsonNode    *node)
{
  if (node == NULL)
    g_set_error (error, KIOSK_HEARTBEAT_ERROR, KIOSK_HEARTBEAT_ERROR_INVALID,
                 "“%s”: missing", member);
  else
    g_set_error (error, KIOSK_HEARTBEAT_ERROR, KIOSK_HEARTBEAT_ERROR_INVALID,
                 "“%s”: expected %s, got %s", member, expected, describe_node (node));
  return FALSE;
}

/* @shown: the member as the error names it ("storage.free_bytes" inside an object). A
 * @nullable count reads null as -1. */
static gboolean
read_count_full (JsonObject  *object,
                 const char  *member,
                 const char  *shown,
                 gboolean     nullable,
                 gint64      *out,
                 GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *expected = nullable ? "an integer ≥ 0 or null" : "an integer ≥ 0";
  gint64 value;

  if (node != NULL && nullable && JSON_NODE_HOLDS_NULL (node))
    {
      *out = -1;
      return TRUE;
    }

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return invalid (error, shown, expected, node);

  value = json_node_get_int (node);
  if (value < 0)
    {
      g_set_error (error, KIOSK_HEARTBEAT_ERROR, KIOSK_HEARTBEAT_ERROR_INVALID,
                   "“%s”: expected %s, got %" G_GINT64_FORMAT, shown, expected, value);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

static gboolean
read_count (JsonObject  *object,
            const char  *member,
            gint64      *out,
            GError     **error)
{
  return read_count_full (object, member, member, FALSE, out, error);
}

static gboolean
read_text (JsonObject  *object,
           const char  *member,
           gboolean     nullable,
           char       **out,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *text;

  if (node != NULL && nullable && JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid (error, member, nullable ? "a string or null" : "a string", node);

  /* The whole body was checked to be UTF-8 before parsing, and escapes decode to UTF-8. */
  text = json_node_get_string (node);
  if (g_utf8_strlen (text, -1) > MAX_TEXT_CHARS)
    {
      g_set_error (error, KIOSK_HEARTBEAT_ERROR, KIOSK_HEARTBEAT_ERROR_INVALID,
                   "“%s”: longer than %d characters", member, MAX_TEXT_CHARS);
      return FALSE;
    }

  *out = g_strdup (text);
  return TRUE;
}

/* An optional member: absent is fine (NULL in @out), anything but an object is not. */
static gboolean
read_optional_object (JsonObject  *object,
                      const char  *member,
                      JsonObject **out,
                      GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, member, "an object", node);

  *out = json_node_get_object (node);
  return TRUE;
}

static gboolean
read_storage (JsonObject      *object,
              KioskHeartbeat  *self,
              GError         **error)
{
  JsonObject *storage;
  JsonNode *node;
  const char *state;

  if (!read_optional_object (object, "storage", &storage, error))
    return FALSE;
  if (storage == NULL)
    return TRUE;

  node = json_object_get_member (storage, "state");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid (error, "storage.state", "a string", node);

  /* A word, so that a state this version does not know can still be shown as it is. */
  state = json_node_get_string (node);
  if (*state == '\0' || strlen (state) > MAX_STATE_CHARS ||
      strspn (state, "abcdefghijklmnopqrstuvwxyz-") != strlen (state))
    {
      g_set_error (error, KIOSK_HEARTBEAT_ERROR, KIOSK_HEARTBEAT_ERROR_INVALID,
                   "“storage.state”: expected a word of at most %d lowercase letters and hyphens "
                   "(“ok”, “recovered”, “failing”)", MAX_STATE_CHARS);
      return FALSE;
    }

  if (!read_count_full (storage, "database_bytes", "storage.database_bytes", TRUE,
                        &self->storage_database_bytes, error) ||
      !read_count_full (storage, "free_bytes", "storage.free_bytes", TRUE,
                        &self->storage_free_bytes, error))
    return FALSE;

  self->storage_state = g_strdup (state);
  return TRUE;
}

static gboolean
read_buttons (JsonObject      *object,
              KioskHeartbeat  *self,
              GError         **error)
{
  JsonObject *buttons;
  gint64 configured, connected;

  if (!read_optional_object (object, "buttons", &buttons, error))
    return FALSE;
  if (buttons == NULL)
    return TRUE;

  if (!read_count_full (buttons, "configured", "buttons.configured", FALSE, &configured,
                        error) ||
      !read_count_full (buttons, "connected", "buttons.connected", FALSE, &connected, error))
    return FALSE;

  if (connected > configured)
    {
      g_set_error (error, KIOSK_HEARTBEAT_ERROR, KIOSK_HEARTBEAT_ERROR_INVALID,
                   "“buttons.connected”: %" G_GINT64_FORMAT " is more than the %" G_GINT64_FORMAT
                   " configured", connected, configured);
      return FALSE;
    }

  self->buttons_configured = configured;
  self->buttons_connected = connected;
  return TRUE;
}

/**
 * kiosk_heartbeat_parse:
 * @body: the request's body, not necessarily NUL-terminated
 * @length: its size in bytes
 *
 * Returns: (transfer full): the heartbeat, or %NULL with @error saying which member is wrong
 */
KioskHeartbeat *
kiosk_heartbeat_parse (const char  *body,
                       gsize        length,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(KioskHeartbeat) self = kiosk_heartbeat_new ();
  g_autoptr(GError) json_error = NULL;
  JsonObject *object;
  JsonNode *root;
  JsonNode *synced;

  g_return_val_if_fail (body != NULL || length == 0, NULL);

  if (length > KIOSK_HEARTBEAT_MAX_BYTES)
    {
      g_set_error (error, KIOSK_HEARTBEAT_ERROR, KIOSK_HEARTBEAT_ERROR_INVALID,
                   "the heartbeat is %" G_GSIZE_FORMAT " bytes, more than the %d allowed",
                   length, KIOSK_HEARTBEAT_MAX_BYTES);
      return NULL;
    }

  if (length == 0 || memchr (body, '\0', length) != NULL ||
      !g_utf8_validate_len (body, length, NULL))
    {
      g_set_error_literal (error, KIOSK_HEARTBEAT_ERROR, KIOSK_HEARTBEAT_ERROR_INVALID,
                           "the heartbeat is empty or not UTF-8 text");
      return NULL;
    }

  if (!json_parser_load_from_data (parser, body, length, &json_error))
    {
      /* json-glib quotes the offending text, which may hold a line break of the body's: the
       * message is the one line of the server's 400. */
      g_autofree char *why = kiosk_printable_excerpt (json_error->message, -1, 200);

      g_set_error (error, KIOSK_HEARTBEAT_ERROR, KIOSK_HEARTBEAT_ERROR_INVALID,
                   "the heartbeat is not JSON: %s", why);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, KIOSK_HEARTBEAT_ERROR, KIOSK_HEARTBEAT_ERROR_INVALID,
                   "the heartbeat is %s, not a JSON object",
                   root ? describe_node (root) : "nothing");
      return NULL;
    }
  object = json_node_get_object (root);

  /* In the order of the contract, so the first wrong member is the one reported. */
  if (!read_text (object, "version", FALSE, &self->version, error) ||
      !read_count (object, "uptime_s", &self->uptime_s, error) ||
      !read_count (object, "queue_depth", &self->queue_depth, error) ||
      !read_count (object, "oldest_pending_age_s", &self->oldest_pending_age_s, error) ||
      !read_count (object, "dead_letter_count", &self->dead_letter_count, error) ||
      !read_text (object, "last_upload_ok_at", TRUE, &self->last_upload_ok_at, error) ||
      !read_text (object, "last_error", TRUE, &self->last_error, error))
    return NULL;

  synced = json_object_get_member (object, "clock_synced");
  if (synced == NULL || !JSON_NODE_HOLDS_VALUE (synced) ||
      json_node_get_value_type (synced) != G_TYPE_BOOLEAN)
    {
      invalid (error, "clock_synced", "a boolean", synced);
      return NULL;
    }
  self->clock_synced = json_node_get_boolean (synced);

  if (!read_text (object, "survey_id", TRUE, &self->survey_id, error) ||
      !read_count (object, "survey_version", &self->survey_version, error) ||
      !read_count (object, "last_seq", &self->last_seq, error) ||
      !read_storage (object, self, error) ||
      !read_buttons (object, self, error))
    return NULL;

  return g_steal_pointer (&self);
}
