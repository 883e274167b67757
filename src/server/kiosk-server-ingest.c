/* kiosk-server-ingest.c: a batch into PostgreSQL. A batch of new events, the usual case, travels
 * by COPY straight into responses, with the clock repair and the device's last_seen_at in the same
 * query string: two round trips in all. When the COPY meets a unique key, the batch holds a retry
 * (or a reused seq): it is stored again the careful way, by COPY into a per-connection staging
 * table and one INSERT … ON CONFLICT DO NOTHING into responses, whose primary key
 * (device_id, event_id) is the de-duplication in every partition, responses being partitioned by
 * device. Either way it is one transaction, and the reply is built only after COMMIT. */
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
#define RESPONSES_COLUMNS "device_id, site_id, local_time, " STAGING_COLUMNS

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

/* Site zones by identifier, loaded once (GLib reads a file for each new GTimeZone). */
G_LOCK_DEFINE_STATIC (zones);
static GHashTable *zones;

/* The site's zone for local_time computed here, as PostgreSQL's "time AT TIME ZONE" would: NULL
 * when PostgreSQL may read @identifier otherwise than GLib, and the batch takes the staging path.
 * Only a tz database name "Area/Location", or UTC, is safe: both then read the same file.
 * PostgreSQL takes a name without a slash for an abbreviation first ("CET" is +01:00 all year
 * there, a zone with summer time for GLib), and reads "+03:00" with POSIX's sign, GLib with
 * ISO 8601's. */
static GTimeZone *
zone_for_copy (const char *identifier)
{
  GTimeZone *zone = NULL;
  gboolean slash = FALSE;

  if (identifier == NULL || !g_ascii_isalpha (identifier[0]))
    return NULL;
  for (const char *p = identifier; *p; p++)
    {
      if (*p == '/')
        {
          if (p[1] == '/' || p[1] == '\0' || p[1] == '.')
            return NULL;
          slash = TRUE;
        }
      else if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '+')
        return NULL;
    }
  if (!slash && strcmp (identifier, "UTC") != 0)
    return NULL;

  G_LOCK (zones);
  if (zones == NULL)
    zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) g_time_zone_unref);
  if (!g_hash_table_lookup_extended (zones, identifier, NULL, (gpointer *) &zone))
    {
      /* NULL too is remembered: a name GLib cannot load stays on the staging path. */
      zone = g_time_zone_new_identifier (identifier);
      g_hash_table_insert (zones, g_strdup (identifier), zone);
    }
  if (zone != NULL)
    g_time_zone_ref (zone);
  G_UNLOCK (zones);
  return zone;
}

static gint64
floor_div (gint64 a,
           gint64 b)
{
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* local_time of the instant stored for @wall_us (kiosk_format_rfc3339 keeps milliseconds), on
 * @zone's wall clock; FALSE outside 1970 … 2037, left to the staging path. Past 2037 the tz
 * files hold no transitions, only the POSIX rule, which GLib 2.74 reads wrongly when summer
 * time is negative (Europe/Dublin: +02:00 in the winter of 2100); test-server-ingest checks
 * the years in between against PostgreSQL, zone by zone. */
static gboolean
copy_local_time (GString   *out,
                 GTimeZone *zone,
                 gint64     wall_us)
{
  gint64 ms = floor_div (wall_us, 1000);
  gint64 utc_s = floor_div (ms, 1000);
  int interval = g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, utc_s);
  gint64 local_s, days, z, era, doe, yoe, doy, mp, year, month, day, second;

  if (utc_s < 0 || utc_s >= G_GINT64_CONSTANT (2145916800) || interval < 0)
    return FALSE;
  local_s = utc_s + g_time_zone_get_offset (zone, interval);
  days = floor_div (local_s, 86400);
  second = local_s - days * 86400;

  /* Days since 1970-01-01 to the proleptic Gregorian date (Howard Hinnant's civil_from_days). */
  z = days + 719468;
  era = floor_div (z, 146097);
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = yoe + era * 400 + (month <= 2);

  g_string_append_printf (out, "%04d-%02d-%02d %02d:%02d:%02d.%03d\t", (int) year, (int) month,
                          (int) day, (int) (second / 3600), (int) (second / 60 % 60),
                          (int) (second % 60), (int) (ms - utc_s * 1000));
  return TRUE;
}

/* One row of staging, or of responses when @prefix (device_id and site_id, each with its tab)
 * and @zone are given; FALSE when local_time cannot be computed here. */
static gboolean
copy_row (GString             *out,
          const char          *prefix,
          GTimeZone           *zone,
          const KioskResponse *r)
{
  g_autofree char *time = kiosk_format_rfc3339 (r->time.wall_us, 0);
  g_autofree char *selected = selected_json (r);

  if (prefix != NULL)
    {
      g_string_append (out, prefix);
      if (!copy_local_time (out, zone, r->time.wall_us))
        return FALSE;
    }
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
  return TRUE;
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

/* Clock repair: a synchronised response teaches the offset of its boot's monotonic clock
 * (wall_us = monotonic_us + offset_us, from the boot's first synchronised response); the
 * unsynchronised responses of that boot get wall time = monotonic + offset. */

typedef struct
{
  gboolean synced;     /* the batch has a synchronised response of this boot */
  gint64   seq;        /* the first of them */
  gint64   offset_us;  /* what it teaches */
} BootClock;

/* Boots whose offset is in device_boots, committed: "device\nboot". A row there is never
 * deleted, so a boot found here needs no INSERT, and no repair either unless the batch brings
 * unsynchronised responses (a repair leaves none behind for a boot whose offset is known). */
G_LOCK_DEFINE_STATIC (known_boots);
static GHashTable *known_boots;
#define KNOWN_BOOTS_MAX 100000

static gboolean
boot_known (const char *device_id,
            const char *boot_id)
{
  g_autofree char *key = g_strconcat (device_id, "\n", boot_id, NULL);
  gboolean known;

  G_LOCK (known_boots);
  known = known_boots != NULL && g_hash_table_contains (known_boots, key);
  G_UNLOCK (known_boots);
  return known;
}

static void
boots_learnt (const char *device_id,
              GHashTable *boots)
{
  GHashTableIter iter;
  const char *boot_id;
  BootClock *clock;

  G_LOCK (known_boots);
  if (known_boots == NULL || g_hash_table_size (known_boots) > KNOWN_BOOTS_MAX)
    {
      g_clear_pointer (&known_boots, g_hash_table_unref);
      known_boots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }
  g_hash_table_iter_init (&iter, boots);
  while (g_hash_table_iter_next (&iter, (gpointer *) &boot_id, (gpointer *) &clock))
    if (clock->synced)
      g_hash_table_add (known_boots, g_strconcat (device_id, "\n", boot_id, NULL));
  G_UNLOCK (known_boots);
}

static void
boots_add (GHashTable          *boots,
           const KioskResponse *r)
{
  BootClock *clock = g_hash_table_lookup (boots, r->boot_id);

  if (clock == NULL)
    {
      clock = g_new0 (BootClock, 1);
      g_hash_table_insert (boots, r->boot_id, clock);
    }
  /* As the stored columns give it: time to the millisecond, monotonic_ms. */
  if (r->time.synced && (!clock->synced || r->seq < clock->seq))
    {
      clock->synced = TRUE;
      clock->seq = r->seq;
      clock->offset_us = floor_div (r->time.wall_us, 1000) * 1000 -
                         r->time.monotonic_us / 1000 * 1000;
    }
}

static void
append_literal (GString    *sql,
                PGconn     *conn,
                const char *value)
{
  char *literal = PQescapeLiteral (conn, value, strlen (value));

  g_string_append (sql, literal);
  PQfreemem (literal);
}

/* The statements of the clock repair for a batch of @boots, none when they cannot change
 * anything: no boot to learn, and no unsynchronised response in the batch. */
static void
append_clock_repair (GString                 *sql,
                     PGconn                  *conn,
                     const KioskServerDevice *device,
                     GHashTable              *boots,
                     gboolean                 unsynced)
{
  g_autoptr(GList) ids = g_list_sort (g_hash_table_get_keys (boots), (GCompareFunc) strcmp);
  gboolean learn = FALSE;

  for (GList *l = ids; l != NULL; l = l->next)
    {
      BootClock *clock = g_hash_table_lookup (boots, l->data);

      if (!clock->synced || boot_known (device->device_id, l->data))
        continue;
      g_string_append (sql, learn ? ", (" : "INSERT INTO device_boots (device_id, boot_id, "
                                            "offset_us) VALUES (");
      append_literal (sql, conn, device->device_id);
      g_string_append (sql, ", ");
      append_literal (sql, conn, l->data);
      g_string_append_printf (sql, ", %" G_GINT64_FORMAT ")", clock->offset_us);
      learn = TRUE;
    }
  if (learn)
    g_string_append (sql, " ON CONFLICT DO NOTHING;\n");
  if (!learn && !unsynced)
    return;

  g_string_append (sql,
                   "UPDATE responses r SET "
                   " time = to_timestamp ((b.offset_us + r.monotonic_ms * 1000) / 1000000.0), "
                   " local_time = to_timestamp ((b.offset_us + r.monotonic_ms * 1000) "
                   "   / 1000000.0) AT TIME ZONE ");
  append_literal (sql, conn, device->time_zone);
  g_string_append (sql, ", clock_repaired = true FROM device_boots b WHERE r.device_id = ");
  append_literal (sql, conn, device->device_id);
  g_string_append (sql, " AND b.device_id = ");
  append_literal (sql, conn, device->device_id);
  g_string_append (sql, " AND r.boot_id = b.boot_id"
                        " AND NOT r.clock_synced AND NOT r.clock_corrected"
                        " AND NOT r.clock_repaired AND r.boot_id IN (");
  for (GList *l = ids; l != NULL; l = l->next)
    {
      append_literal (sql, conn, l->data);
      g_string_append (sql, l->next ? ", " : ");\n");
    }
}

/* The last statements of the transaction, after the responses are in. */
static char *
finish_sql (PGconn                  *conn,
            const KioskServerDevice *device,
            GHashTable              *boots,
            gboolean                 unsynced)
{
  GString *sql = g_string_new (NULL);

  append_clock_repair (sql, conn, device, boots, unsynced);
  g_string_append (sql, "UPDATE devices SET last_seen_at = now () WHERE id = ");
  append_literal (sql, conn, device->device_id);
  g_string_append (sql, ";\nCOMMIT");
  return g_string_free (sql, FALSE);
}

/* BEGIN, COPY @rows into responses, then @finish: TRUE once committed. On a unique violation
 * the batch holds an event stored before, or a seq taken: rolled back, *conflict set, no error. */
static gboolean
store_by_copy (PGconn      *conn,
               GString     *rows,
               const char  *finish,
               gboolean    *conflict,
               GError     **error)
{
  g_autofree char *sql = g_strconcat ("BEGIN;\nCOPY responses (" RESPONSES_COLUMNS
                                      ") FROM STDIN;\n", finish, NULL);
  g_autoptr(GError) local_error = NULL;
  PGresult *result;

  *conflict = FALSE;
  if (!PQsendQuery (conn, sql))
    {
      g_set_error (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONNECTION,
                   "the database connection failed: %s", PQerrorMessage (conn));
      return FALSE;
    }
  while ((result = PQgetResult (conn)) != NULL)
    {
      if (PQresultStatus (result) == PGRES_COPY_IN)
        {
          PQclear (result);
          if (PQputCopyData (conn, rows->str, rows->len) != 1 ||
              PQputCopyEnd (conn, NULL) != 1)
            {
              g_set_error (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONNECTION,
                           "the database connection failed during COPY: %s",
                           PQerrorMessage (conn));
              return FALSE;
            }
          continue;
        }
      /* After an error the rest of the query string is skipped; only the first one counts. */
      PQclear (kiosk_db_check (conn, result, local_error == NULL ? &local_error : NULL));
    }

  if (local_error == NULL && PQtransactionStatus (conn) == PQTRANS_IDLE)
    return TRUE;
  if (local_error == NULL)
    g_set_error (&local_error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONNECTION,
                 "the database connection failed: %s", PQerrorMessage (conn));
  PQclear (PQexec (conn, "ROLLBACK"));
  if (g_error_matches (local_error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONFLICT))
    {
      *conflict = TRUE;
      return FALSE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
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
  g_autoptr(GHashTable) boots = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GString) rows = g_string_new (NULL);
  g_autoptr(GString) pending = g_string_new ("{");
  g_autoptr(GTimeZone) zone = zone_for_copy (device->time_zone);
  g_autofree char *site_id = g_strdup_printf ("%" G_GINT64_FORMAT, device->site_id);
  g_autofree char *prefix = NULL;
  g_autofree char *finish = NULL;
  KioskIngestCounts c = { 0 };
  gboolean unsynced = FALSE;
  gboolean by_copy = zone != NULL;
  guint n_valid = 0;
  char *reply = NULL;

  {
    g_autoptr(GString) p = g_string_new (NULL);

    copy_text (p, device->device_id);
    copy_text (p, site_id);
    prefix = g_string_free (g_steal_pointer (&p), FALSE);
  }

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
      if (by_copy && !copy_row (rows, prefix, zone, e->response))
        by_copy = FALSE;
      boots_add (boots, e->response);
      unsynced |= !e->response->time.synced && !e->response->clock_corrected;
      g_string_append_printf (pending, "%s%s", n_valid > 0 ? "," : "", e->id);
      n_valid++;
    }
  g_string_append_c (pending, '}');

  if (n_valid == 0)
    goto reply;

  finish = finish_sql (conn, device, boots, unsynced);
  if (by_copy)
    {
      gboolean conflict;

      if (store_by_copy (conn, rows, finish, &conflict, error))
        {
          for (guint i = 0; i < events->len; i++)
            if (results[i].status == KIOSK_EVENT_DUPLICATE)
              results[i].status = KIOSK_EVENT_ACCEPTED;
          goto committed;
        }
      if (!conflict)
        goto out;
    }

  /* The staging path: the events not stored yet are told from the others. */
  g_string_truncate (rows, 0);
  for (guint i = 0; i < events->len; i++)
    if (results[i].status == KIOSK_EVENT_DUPLICATE)
      copy_row (rows, NULL, NULL, ((KioskDecodedEvent *) g_ptr_array_index (events, i))->response);

  {
    const char *params[] = { device->device_id, site_id, device->time_zone, pending->str };
    g_autoptr(PGresult) inserted = NULL;
    g_autoptr(PGresult) known = NULL;

    if (!kiosk_db_run (conn,
                       "BEGIN;\n"
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
                              "INSERT INTO responses (" RESPONSES_COLUMNS ") "
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
        g_autoptr(GHashTable) stored = g_hash_table_new (g_str_hash, g_str_equal);

        known = kiosk_db_exec (conn,
                               "SELECT event_id FROM responses "
                               "WHERE device_id = $1 AND event_id = ANY ($2::uuid[])",
                               2, known_params, error);
        if (known == NULL)
          goto rollback;
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

    if (!kiosk_db_run (conn, finish, error))
      goto rollback;
  }

committed:
  boots_learnt (device->device_id, boots);
reply:
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
