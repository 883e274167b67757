/* kiosk-response-row.c: the one codec between a KioskResponse and its row in SQLite, for the
 * store and the outbox; kiosk-response-row.h says how a row beyond this version is read. */
#define G_LOG_DOMAIN "kiosk-response-row"

#include "config.h"

#include <json-glib/json-glib.h>

#include "kiosk-response-row.h"

static char *
selected_to_json (const char * const *selected)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (selected == NULL)
    return NULL;

  builder = json_builder_new ();
  json_builder_begin_array (builder);
  for (guint i = 0; selected[i]; i++)
    json_builder_add_string_value (builder, selected[i]);
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* @seq: the response's, for the warning about an element that is not a string */
static GStrv
selected_from_json (const char *text,
                                       gint64      seq)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;

  if (text == NULL || (root = json_from_string (text, NULL)) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (root))
    return NULL;

  builder = g_strv_builder_new ();
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (json_node_get_value_type (element) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (element));
      else
        g_warning ("Response seq %" G_GINT64_FORMAT ": follow_up_selected[%u] is not an option "
                   "id (a string); left out", seq, i);
    }

  return g_strv_builder_end (builder);
}

/* Contact details only ever exist with the visitor's explicit consent. */
static char *
contact_to_json (const KioskResponse *r)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (!r->contact_consent)
    return NULL;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "consent");
  json_builder_add_boolean_value (builder, TRUE);
  if (r->contact_name)
    {
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, r->contact_name);
    }
  if (r->contact_email)
    {
      json_builder_set_member_name (builder, "email");
      json_builder_add_string_value (builder, r->contact_email);
    }
  if (r->contact_phone)
    {
      json_builder_set_member_name (builder, "phone");
      json_builder_add_string_value (builder, r->contact_phone);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static void
contact_from_json (KioskResponse *r,
                                      const char    *text)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;

  if (text == NULL || (root = json_from_string (text, NULL)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    return;

  object = json_node_get_object (root);
  r->contact_consent = json_object_get_boolean_member_with_default (object, "consent", FALSE);
  r->contact_name = g_strdup (json_object_get_string_member_with_default (object, "name", NULL));
  r->contact_email = g_strdup (json_object_get_string_member_with_default (object, "email", NULL));
  r->contact_phone = g_strdup (json_object_get_string_member_with_default (object, "phone", NULL));
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text,
                   gboolean      transient)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, transient ? SQLITE_TRANSIENT : SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

/* Binds @r to parameters 1 … KIOSK_RESPONSE_ROW_N_COLUMNS of @stmt, in the order of
 * KIOSK_RESPONSE_ROW_COLUMNS. @r's texts are bound without a copy: step and reset @stmt while
 * @r lives. */
void
kiosk_response_row_bind (sqlite3_stmt        *stmt,
                         const KioskResponse *r)
{
  g_autofree char *selected =
    selected_to_json ((const char * const *) r->follow_up_selected);
  g_autofree char *contact = contact_to_json (r);

  sqlite3_bind_int64 (stmt, 1, r->seq);
  sqlite3_bind_text (stmt, 2, r->uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, r->face);
  sqlite3_bind_int (stmt, 4, r->scale);
  sqlite3_bind_text (stmt, 5, r->survey_id, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 6, r->survey_version);
  sqlite3_bind_text (stmt, 7, r->language, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, kiosk_input_to_string (r->input), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 9, r->time.wall_us);
  sqlite3_bind_int (stmt, 10, r->time.utc_offset_s);
  sqlite3_bind_int64 (stmt, 11, r->time.monotonic_us);
  sqlite3_bind_text (stmt, 12, r->boot_id, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 13, r->time.synced);
  sqlite3_bind_int (stmt, 14, r->clock_corrected);
  sqlite3_bind_int (stmt, 15, r->misuse);
  bind_text_or_null (stmt, 16, r->misuse_rule, FALSE);
  sqlite3_bind_int (stmt, 17, !r->visit_open);
  bind_text_or_null (stmt, 18, r->follow_up_id, FALSE);
  bind_text_or_null (stmt, 19, selected, TRUE);
  bind_text_or_null (stmt, 20, kiosk_outcome_to_string (r->follow_up_outcome), FALSE);
  bind_text_or_null (stmt, 21, r->comment, FALSE);
  bind_text_or_null (stmt, 22, contact, TRUE);
}

/* A text column as a new string; %NULL for SQL NULL. */
char *
kiosk_response_row_dup_text (sqlite3_stmt *stmt,
                             int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* The outcome as kiosk-response-row.h explains it. */
static KioskOutcome
outcome_from_row (const KioskResponse *r,
                  const char          *text)
{
  KioskOutcome outcome;

  if (r->visit_open && r->follow_up_id != NULL)
    return KIOSK_OUTCOME_PENDING;

  if (kiosk_outcome_from_string (text, &outcome))
    return outcome;

  if (r->follow_up_id == NULL)
    return KIOSK_OUTCOME_NONE;

  g_warning ("Response seq %" G_GINT64_FORMAT ": follow-up outcome “%s” is unknown; read as "
             "interrupted", r->seq, text);
  return KIOSK_OUTCOME_INTERRUPTED;
}

/* A row selected with KIOSK_RESPONSE_ROW_COLUMNS, as a new response. */
KioskResponse *
kiosk_response_from_row (sqlite3_stmt *stmt)
{
  KioskResponse *r = kiosk_response_new ();

  r->seq = sqlite3_column_int64 (stmt, 0);
  r->uuid = kiosk_response_row_dup_text (stmt, 1);
  r->face = sqlite3_column_int (stmt, 2);
  r->scale = sqlite3_column_int (stmt, 3);
  r->survey_id = kiosk_response_row_dup_text (stmt, 4);
  r->survey_version = sqlite3_column_int (stmt, 5);
  r->language = kiosk_response_row_dup_text (stmt, 6);
  if (!kiosk_input_from_string ((const char *) sqlite3_column_text (stmt, 7), &r->input))
    r->input = KIOSK_INPUT_TOUCH;
  r->time.wall_us = sqlite3_column_int64 (stmt, 8);
  r->time.utc_offset_s = sqlite3_column_int (stmt, 9);
  r->time.monotonic_us = sqlite3_column_int64 (stmt, 10);
  r->boot_id = kiosk_response_row_dup_text (stmt, 11);
  r->time.synced = sqlite3_column_int (stmt, 12);
  r->clock_corrected = sqlite3_column_int (stmt, 13);
  r->misuse = sqlite3_column_int (stmt, 14);
  r->misuse_rule = kiosk_response_row_dup_text (stmt, 15);
  r->visit_open = !sqlite3_column_int (stmt, 16);
  r->follow_up_id = kiosk_response_row_dup_text (stmt, 17);
  r->follow_up_selected =
    selected_from_json ((const char *) sqlite3_column_text (stmt, 18), r->seq);
  r->follow_up_outcome = outcome_from_row (r, (const char *) sqlite3_column_text (stmt, 19));
  r->comment = kiosk_response_row_dup_text (stmt, 20);
  contact_from_json (r, (const char *) sqlite3_column_text (stmt, 21));

  return r;
}
