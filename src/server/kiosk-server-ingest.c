/* kiosk-server-ingest.c: a batch into PostgreSQL. The valid events travel by COPY into a
 * per-connection staging table, then one INSERT … ON CONFLICT DO NOTHING moves them into
 * responses: the primary key (device_id, event_id) is the de-duplication, and it holds in every
 * partition because responses are partitioned by device. Clock repair and the device's
 * last_seen_at happen in the same transaction, and the reply is built only after COMMIT. */
#define G_LOG_DOMAIN "kiosk-server-ingest"

#include <string.h>

#include "kiosk-clock.h"
#include "kiosk-server-db.h"
#include "kiosk-server-ingest.h"
#include "kiosk-server-surveys.h"

#define STAGING_COLUMNS \
  "event_id, seq, survey_id, survey_version, scale, face, input, language, time, " \
  "utc_offset_s, misuse, misuse_rule, follow_up_id, follow_up_selected, follow_up_outcome, " \
  "comment, contact_name, contact_email, contact_phone, boot_id, monotonic_ms, clock_synced, " \
  "clock_corrected"

void
kiosk_server_device_clear (KioskServerDevice *device)
{
  g_clear_pointer (&device->device_id, g_free);
  g_clear_pointer (&device->time_zone, g_free);
}

/* COPY's text format: backslash escapes for the characters that separate fields and rows. */
static void
copy_text (GString    *out,
           const char *value)
{
  if (value == NULL)
    {
      g_string_append (out, "\\N\t");
      return;
    }
  for (const char *p = value; *p; p++)
    {
      switch (*p)
        {
        case '\\': g_string_append (out, "\\\\"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        default: g_string_append_c (out, *p);
        }
    }
  g_string_append_c (out, '\t');
}

static void
copy_int (GString *out,
          gint64   value)
{
  g_string_append_printf (out, "%" G_GINT64_FORMAT "\t", value);
}

static void
copy_bool (GString  *out,
           gboolean  value)
{
  g_string_append (out, value ? "t\t" : "f\t");
}

static char *
selected_json (const KioskResponse *r)
{
  GString *json;

  if (r->follow_up_id == NULL)
    return NULL;
  json = g_string_new ("[");
  for (guint i = 0; r->follow_up_selected && r->follow_up_selected[i]; i++)
    {
      g_autofree char *escaped = g_strescape (r->follow_up_selected[i], NULL);

      if (i > 0)
        g_string_append_c (json, ',');
      /* g_strescape leaves UTF-8 above 0x7f alone only with an exception list; option ids are
       * ASCII by the survey's rules, so its octal escapes never apply to valid data. */
      g_string_append_printf (json, "\"%s\"", escaped);
    }
  g_string_append_c (json, ']');
  return g_string_free (json, FALSE);
}

static void
copy_row (GString             *out,
          const KioskResponse *r)
{
  g_autofree char *time = kiosk_format_rfc3339 (r->time.wall_us, 0);
  g_autofree char *selected = selected_json (r);

  copy_text (out, r->uuid);
  copy_int (out, r->seq);
  copy_text (out, r->survey_id);
  copy_int (out, r->survey_version);
  copy_int (out, r->scale);
  copy_int (out, r->face);
  copy_text (out, kiosk_input_to_string (r->input));
  copy_text (out, r->language);
  copy_text (out, time);
  copy_int (out, r->time.utc_offset_s);
  copy_bool (out, r->misuse);
  copy_text (out, r->misuse_rule);
  copy_text (out, r->follow_up_id);
  copy_text (out, selected);
  copy_text (out, r->follow_up_id ? kiosk_outcome_to_string (r->follow_up_outcome) : NULL);
  copy_text (out, r->comment);
  copy_text (out, r->contact_consent ? r->contact_name : NULL);
  copy_text (out, r->contact_consent ? r->contact_email : NULL);
  copy_text (out, r->contact_consent ? r->contact_phone : NULL);
  copy_text (out, r->boot_id);
  copy_int (out, r->time.monotonic_us / 1000);
  copy_bool (out, r->time.synced);
  copy_bool (out, r->clock_corrected);
  out->str[out->len - 1] = '\n';
}

static gboolean
copy_rows (PGconn  *conn,
           GString *rows,
           GError **error)
{
  g_autoptr(PGresult) start = NULL;
  g_autoptr(PGresult) end = NULL;

  start = kiosk_db_exec (conn, "COPY staging (" STAGING_COLUMNS ") FROM STDIN", 0, NULL, error);
  if (start == NULL)
    return FALSE;

  if (PQputCopyData (conn, rows->str, rows->len) != 1 || PQputCopyEnd (conn, NULL) != 1)
    {
      g_set_error (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONNECTION,
                   "the database connection failed during COPY: %s", PQerrorMessage (conn));
      return FALSE;
    }
  end = PQgetResult (conn);
  if (PQresultStatus (end) != PGRES_COMMAND_OK)
    {
      g_set_error (error, KIOSK_DB_ERROR,
                   PQstatus (conn) == CONNECTION_OK ? KIOSK_DB_ERROR_QUERY
                                                    : KIOSK_DB_ERROR_CONNECTION,
                   "COPY into staging failed: %s", PQresultErrorMessage (end));
      while ((end = PQgetResult (conn)) != NULL)
        PQclear (end);
      return FALSE;
    }
  while (PQgetResult (conn) != NULL)
    ;
  return TRUE;
}

/* Survey checks: the survey must be published, and the response must fit it. */
static char *
check_survey (PGconn              *conn,
              GHashTable          *surveys,
              const KioskResponse *r,
              GError             **error)
{
  g_autofree char *key = g_strdup_printf ("%s\n%d", r->survey_id, r->survey_version);
  KioskSurvey *survey;

  if (!g_hash_table_lookup_extended (surveys, key, NULL, (gpointer *) &survey))
    {
      g_autoptr(GError) local_error = NULL;

      survey = kiosk_server_survey_lookup (conn, r->survey_id, r->survey_version, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_hash_table_insert (surveys, g_steal_pointer (&key), survey);
    }

  if (survey == NULL)
    return g_strdup_printf ("survey version %d of %s is unknown to the server (publish it with "
                            "smiley-kiosk-server survey publish)", r->survey_version,
                            r->survey_id);
  return kiosk_server_survey_check_response (survey, r);
}

static void
survey_unref0 (gpointer survey)
{
  if (survey != NULL)
    g_object_unref (survey);
}

char *
kiosk_server_ingest_batch (PGconn                  *conn,
                           const KioskServerDevice *device,
                           GPtrArray               *events,
                           KioskIngestCounts       *counts,
                           GError                 **error)
{
  g_autoptr(GHashTable) surveys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         survey_unref0);
  g_autofree KioskEventResult *results = g_new0 (KioskEventResult, events->len);
  g_autofree const char **ids = g_new0 (const char *, events->len + 1);
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);  /* id → position */
  g_autoptr(GString) rows = g_string_new (NULL);
  g_autoptr(GString) pending = g_string_new ("{");
  g_autofree char *site_id = g_strdup_printf ("%" G_GINT64_FORMAT, device->site_id);
  KioskIngestCounts c = { 0 };
  guint n_valid = 0;
  char *reply = NULL;

  /* Everything decided without the database first. */
  for (guint i = 0; i < events->len; i++)
    {
      KioskDecodedEvent *e = g_ptr_array_index (events, i);
      g_autofree char *reason = NULL;

      ids[i] = e->id;
      g_hash_table_insert (index, e->id, GUINT_TO_POINTER (i));

      if (e->reason != NULL)
        reason = g_strdup (e->reason);
      else if (g_strcmp0 (e->device_id, device->device_id) != 0)
        reason = g_strdup_printf ("source %s is not this device: the token belongs to %s",
                                  e->source, device->device_id);
      else
        {
          g_autoptr(GError) local_error = NULL;

          reason = check_survey (conn, surveys, e->response, &local_error);
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              goto out;
            }
        }

      if (reason != NULL)
        {
          results[i].status = KIOSK_EVENT_REJECTED;
          results[i].reason = g_steal_pointer (&reason);
          continue;
        }

      /* Counted as a duplicate until the INSERT below says it was new. */
      results[i].status = KIOSK_EVENT_DUPLICATE;
      copy_row (rows, e->response);
      g_string_append_printf (pending, "%s%s", n_valid > 0 ? "," : "", e->id);
      n_valid++;
    }
  g_string_append_c (pending, '}');

  if (n_valid > 0)
    {
      const char *params[] = { device->device_id, site_id, device->time_zone, pending->str };
      g_autoptr(PGresult) inserted = NULL;
      g_autoptr(PGresult) known = NULL;
      g_autoptr(PGresult) learnt = NULL;
      g_autoptr(PGresult) repaired = NULL;
      g_autoptr(PGresult) seen = NULL;

      if (!kiosk_db_run (conn, "BEGIN", error) ||
          !kiosk_db_run (conn,
                         "CREATE TEMP TABLE IF NOT EXISTS staging ("
                         " event_id uuid, seq bigint, survey_id text, survey_version integer,"
                         " scale smallint, face smallint, input text, language text,"
                         " time timestamptz, utc_offset_s integer, misuse boolean,"
                         " misuse_rule text, follow_up_id text, follow_up_selected jsonb,"
                         " follow_up_outcome text, comment text, contact_name text,"
                         " contact_email text, contact_phone text, boot_id text,"
                         " monotonic_ms bigint, clock_synced boolean, clock_corrected boolean)"
                         " ON COMMIT DELETE ROWS", error) ||
          !copy_rows (conn, rows, error))
        goto rollback;

      inserted = kiosk_db_exec (conn,
                                "INSERT INTO responses (device_id, site_id, local_time, "
                                STAGING_COLUMNS ") "
                                "SELECT $1, $2::bigint, time AT TIME ZONE $3, " STAGING_COLUMNS
                                " FROM staging ORDER BY seq "
                                "ON CONFLICT DO NOTHING RETURNING event_id",
                                3, params, error);
      if (inserted == NULL)
        goto rollback;
      for (int row = 0; row < PQntuples (inserted); row++)
        {
          gpointer position;

          if (g_hash_table_lookup_extended (index, PQgetvalue (inserted, row, 0), NULL,
                                            &position))
            results[GPOINTER_TO_UINT (position)].status = KIOSK_EVENT_ACCEPTED;
        }

      /* Not inserted: either the same event again (a duplicate), or another event that claims
       * a sequence number this device has used already. */
      if ((guint) PQntuples (inserted) < n_valid)
        {
          const char *known_params[] = { device->device_id, pending->str };

          known = kiosk_db_exec (conn,
                                 "SELECT event_id FROM responses "
                                 "WHERE device_id = $1 AND event_id = ANY ($2::uuid[])",
                                 2, known_params, error);
          if (known == NULL)
            goto rollback;
          {
            g_autoptr(GHashTable) stored = g_hash_table_new (g_str_hash, g_str_equal);

            for (int row = 0; row < PQntuples (known); row++)
              g_hash_table_add (stored, PQgetvalue (known, row, 0));
            for (guint i = 0; i < events->len; i++)
              {
                KioskDecodedEvent *e = g_ptr_array_index (events, i);

                if (results[i].status == KIOSK_EVENT_DUPLICATE &&
                    !g_hash_table_contains (stored, e->id))
                  {
                    results[i].status = KIOSK_EVENT_REJECTED;
                    results[i].reason =
                      g_strdup_printf ("data.seq: %" G_GINT64_FORMAT " of this device belongs "
                                       "to another event already", e->response->seq);
                  }
              }
          }
        }

      /* Clock repair: a synchronised response teaches the offset of its boot's monotonic
       * clock; the unsynchronised responses of that boot get wall time = monotonic + offset. */
      learnt = kiosk_db_exec (conn,
                              "INSERT INTO device_boots (device_id, boot_id, offset_us) "
                              "SELECT DISTINCT ON (boot_id) $1, boot_id, "
                              " (extract (epoch FROM time) * 1000000)::bigint "
                              "  - monotonic_ms * 1000 "
                              "FROM staging WHERE clock_synced ORDER BY boot_id, seq "
                              "ON CONFLICT DO NOTHING",
                              1, params, error);
      if (learnt == NULL)
        goto rollback;
      {
        const char *repair_params[] = { device->device_id, device->time_zone };

        repaired = kiosk_db_exec (conn,
                                  "UPDATE responses r SET "
                                  " time = to_timestamp ((b.offset_us + r.monotonic_ms * 1000)"
                                  "                      / 1000000.0), "
                                  " local_time = to_timestamp ((b.offset_us "
                                  "   + r.monotonic_ms * 1000) / 1000000.0) AT TIME ZONE $2, "
                                  " clock_repaired = true "
                                  "FROM device_boots b "
                                  "WHERE r.device_id = $1 AND b.device_id = $1 "
                                  " AND r.boot_id = b.boot_id "
                                  " AND r.boot_id IN (SELECT boot_id FROM staging) "
                                  " AND NOT r.clock_synced AND NOT r.clock_corrected "
                                  " AND NOT r.clock_repaired",
                                  2, repair_params, error);
      }
      if (repaired == NULL)
        goto rollback;

      seen = kiosk_db_exec (conn, "UPDATE devices SET last_seen_at = now() WHERE id = $1",
                            1, params, error);
      if (seen == NULL || !kiosk_db_run (conn, "COMMIT", error))
        goto rollback;
    }

  for (guint i = 0; i < events->len; i++)
    {
      if (results[i].status == KIOSK_EVENT_ACCEPTED)
        c.accepted++;
      else if (results[i].status == KIOSK_EVENT_DUPLICATE)
        c.duplicates++;
      else
        c.rejected++;
    }
  if (counts)
    *counts = c;
  reply = kiosk_cloudevents_results_to_json (ids, results, events->len);
  goto out;

rollback:
  PQclear (PQexec (conn, "ROLLBACK"));
out:
  kiosk_event_results_clear (results, events->len);
  return reply;
}
