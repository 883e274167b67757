/* kiosk-outbox.c: the uploader's own connection to the response database.
 *
 * The store (main thread) writes responses; this connection, used by the uploader's thread
 * only, reads the pending ones and records what the server said about them. Both connections
 * run in WAL mode, so reads never block the kiosk; writes here are short transactions, because
 * the kiosk's connection waits only a few milliseconds for the lock before it holds a tap in
 * memory instead. */
#define G_LOG_DOMAIN "kiosk-outbox"

#include "config.h"

#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "kiosk-outbox.h"
#include "kiosk-store.h"

struct _KioskOutbox
{
  GObject               parent_instance;

  /* owned */
  char                 *path;
  sqlite3              *db;
  sqlite3_stmt         *batch_stmt;
  sqlite3_stmt         *delivered_stmt;
  sqlite3_stmt         *delivered_many_stmt;
  sqlite3_stmt         *state_get_stmt;
  sqlite3_stmt         *state_set_stmt;

  /* The connection hit an error it does not recover from by itself (an I/O error, a file
   * system turned read-only); its owner opens a new one. */
  gboolean              broken;

  KioskOutboxOpenFlags  flags;
};

G_DEFINE_FINAL_TYPE (KioskOutbox, kiosk_outbox, G_TYPE_OBJECT)

G_DEFINE_QUARK (kiosk-outbox-error-quark, kiosk_outbox_error)

/* The kiosk's own transactions are a single row: waiting for them is always short. */
#define BUSY_TIMEOUT_MS 5000

#define PENDING "delivered_us IS NULL AND rejected = 0 AND visit_ended = 1"

#define RESPONSE_COLUMNS \
  "seq, uuid, face, scale, survey_id, survey_version, language, input, wall_us, utc_offset_s, " \
  "monotonic_us, boot_id, clock_synced, clock_corrected, misuse, misuse_rule, visit_ended, " \
  "follow_up_id, follow_up_selected, follow_up_outcome, comment, contact"

static void
kiosk_outbox_finalize (GObject *object)
{
  KioskOutbox *self = KIOSK_OUTBOX (object);

  g_clear_pointer (&self->batch_stmt, sqlite3_finalize);
  g_clear_pointer (&self->delivered_stmt, sqlite3_finalize);
  g_clear_pointer (&self->delivered_many_stmt, sqlite3_finalize);
  g_clear_pointer (&self->state_get_stmt, sqlite3_finalize);
  g_clear_pointer (&self->state_set_stmt, sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (kiosk_outbox_parent_class)->finalize (object);
}

static void
kiosk_outbox_class_init (KioskOutboxClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiosk_outbox_finalize;
}

static void
kiosk_outbox_init (KioskOutbox *self)
{
}

static gboolean
set_error (KioskOutbox  *self,
           GError      **error,
           int           rc,
           const char   *doing)
{
  int primary = rc & 0xff;

  if (primary == SQLITE_IOERR || primary == SQLITE_READONLY || primary == SQLITE_CORRUPT ||
      primary == SQLITE_NOTADB || primary == SQLITE_CANTOPEN)
    self->broken = TRUE;

  g_set_error (error, KIOSK_OUTBOX_ERROR,
               primary == SQLITE_BUSY || primary == SQLITE_LOCKED ? KIOSK_OUTBOX_ERROR_BUSY
                                                                  : KIOSK_OUTBOX_ERROR_FAILED,
               "%s: %s while %s", self->path,
               self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc), doing);
  return FALSE;
}

static int
prepare_cached (KioskOutbox   *self,
                sqlite3_stmt **stmt,
                const char    *sql)
{
  if (*stmt != NULL)
    return SQLITE_OK;

  return sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);
}

static gboolean
query_int64 (KioskOutbox *self,
             const char  *sql,
             gint64      *out,
             GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  *out = 0;
  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *out = sqlite3_column_int64 (stmt, 0);
          rc = SQLITE_DONE;
        }
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    return set_error (self, error, rc, "reading the queue");

  return TRUE;
}

/**
 * kiosk_outbox_open:
 *
 * Opens a second connection to the database the store created. Nothing is created here: the
 * store owns the file and its schema.
 */
KioskOutbox *
kiosk_outbox_open (const char            *path,
                   KioskOutboxOpenFlags   flags,
                   GError               **error)
{
  g_autoptr(KioskOutbox) self = NULL;
  gboolean read_only = (flags & KIOSK_OUTBOX_OPEN_READ_ONLY) != 0;
  gint64 version = 0;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (KIOSK_TYPE_OUTBOX, NULL);
  self->path = g_strdup (path);
  self->flags = flags;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, KIOSK_OUTBOX_ERROR, KIOSK_OUTBOX_ERROR_OPEN,
                   "%s: no database yet (nothing has been recorded)", path);
      return NULL;
    }

  rc = sqlite3_open_v2 (path, &self->db,
                        (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                        SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, KIOSK_OUTBOX_ERROR, KIOSK_OUTBOX_ERROR_OPEN,
                   "%s: cannot open the database: %s", path,
                   self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  if (!query_int64 (self, "PRAGMA user_version", &version, error))
    return NULL;

  if (version != KIOSK_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, KIOSK_OUTBOX_ERROR, KIOSK_OUTBOX_ERROR_SCHEMA,
                   "%s: the database has schema version %" G_GINT64_FORMAT " (this program "
                   "delivers from version %d); %s", path, version, KIOSK_STORE_SCHEMA_VERSION,
                   version < KIOSK_STORE_SCHEMA_VERSION ? "start the kiosk once to upgrade it"
                                                        : "it was written by a newer version");
      return NULL;
    }

  if (!read_only)
    {
      /* The store already chose WAL; a delivery mark must survive a power cut just like a tap.
       * Checkpoints happen here, after the uploader's commits, often enough that the WAL never
       * grows to the 1000 pages at which a tap's own commit would have to checkpoint it. */
      rc = sqlite3_exec (self->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                         "PRAGMA wal_autocheckpoint = 100; PRAGMA journal_size_limit = "
                         G_STRINGIFY (KIOSK_STORE_WAL_SIZE_LIMIT), NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        {
          set_error (self, error, rc, "configuring the connection");
          return NULL;
        }
    }

  return g_steal_pointer (&self);
}

static GStrv
selected_from_json (const char *text)
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
    }

  return g_strv_builder_end (builder);
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

static char *
dup_column (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static KioskResponse *
response_from_row (sqlite3_stmt *stmt)
{
  KioskResponse *r = kiosk_response_new ();

  r->seq = sqlite3_column_int64 (stmt, 0);
  r->uuid = dup_column (stmt, 1);
  r->face = sqlite3_column_int (stmt, 2);
  r->scale = sqlite3_column_int (stmt, 3);
  r->survey_id = dup_column (stmt, 4);
  r->survey_version = sqlite3_column_int (stmt, 5);
  r->language = dup_column (stmt, 6);
  if (!kiosk_input_from_string ((const char *) sqlite3_column_text (stmt, 7), &r->input))
    r->input = KIOSK_INPUT_TOUCH;
  r->time.wall_us = sqlite3_column_int64 (stmt, 8);
  r->time.utc_offset_s = sqlite3_column_int (stmt, 9);
  r->time.monotonic_us = sqlite3_column_int64 (stmt, 10);
  r->boot_id = dup_column (stmt, 11);
  r->time.synced = sqlite3_column_int (stmt, 12);
  r->clock_corrected = sqlite3_column_int (stmt, 13);
  r->misuse = sqlite3_column_int (stmt, 14);
  r->misuse_rule = dup_column (stmt, 15);
  r->visit_open = !sqlite3_column_int (stmt, 16);
  r->follow_up_id = dup_column (stmt, 17);
  r->follow_up_selected = selected_from_json ((const char *) sqlite3_column_text (stmt, 18));
  if (!kiosk_outcome_from_string ((const char *) sqlite3_column_text (stmt, 19),
                                  &r->follow_up_outcome))
    r->follow_up_outcome = KIOSK_OUTCOME_INTERRUPTED;
  r->comment = dup_column (stmt, 20);
  contact_from_json (r, (const char *) sqlite3_column_text (stmt, 21));

  return r;
}

/**
 * kiosk_outbox_next_batch:
 * @limit: at most this many
 *
 * Returns: (element-type KioskResponse): the oldest pending responses in sequence order; empty
 *   when there is nothing to deliver
 */
GPtrArray *
kiosk_outbox_next_batch (KioskOutbox  *self,
                         guint         limit,
                         GError      **error)
{
  g_autoptr(GPtrArray) batch = NULL;
  int rc;

  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), NULL);

  rc = prepare_cached (self, &self->batch_stmt,
                       "SELECT " RESPONSE_COLUMNS " FROM responses WHERE " PENDING
                       " ORDER BY seq LIMIT ?");
  if (rc != SQLITE_OK)
    {
      set_error (self, error, rc, "reading the queue");
      return NULL;
    }

  batch = g_ptr_array_new_full (limit, (GDestroyNotify) kiosk_response_free);
  sqlite3_bind_int (self->batch_stmt, 1, limit);
  while ((rc = sqlite3_step (self->batch_stmt)) == SQLITE_ROW)
    g_ptr_array_add (batch, response_from_row (self->batch_stmt));
  sqlite3_reset (self->batch_stmt);

  if (rc != SQLITE_DONE)
    {
      set_error (self, error, rc, "reading the queue");
      return NULL;
    }

  return g_steal_pointer (&batch);
}

gboolean
kiosk_outbox_begin (KioskOutbox  *self,
                    GError      **error)
{
  int rc;

  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);

  /* IMMEDIATE: take the write lock now, so the transaction never fails halfway for a lock. */
  rc = sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return set_error (self, error, rc, "starting a transaction");

  return TRUE;
}

gboolean
kiosk_outbox_commit (KioskOutbox  *self,
                     GError      **error)
{
  int rc;

  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);

  rc = sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      set_error (self, error, rc, "committing");
      kiosk_outbox_rollback (self);
      return FALSE;
    }

  return TRUE;
}

void
kiosk_outbox_rollback (KioskOutbox *self)
{
  g_return_if_fail (KIOSK_IS_OUTBOX (self));

  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Only a row still pending is marked: a second mark never moves the first delivery time. */
gboolean
kiosk_outbox_mark_delivered (KioskOutbox  *self,
                             gint64        seq,
                             gint64        delivered_wall_us,
                             GError      **error)
{
  int rc;

  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);

  rc = prepare_cached (self, &self->delivered_stmt,
                       "UPDATE responses SET delivered_us = ?, attempts = attempts + 1"
                       " WHERE seq = ? AND delivered_us IS NULL");
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (self->delivered_stmt, 1, delivered_wall_us);
      sqlite3_bind_int64 (self->delivered_stmt, 2, seq);
      rc = sqlite3_step (self->delivered_stmt);
      sqlite3_reset (self->delivered_stmt);
    }

  if (rc != SQLITE_DONE)
    return set_error (self, error, rc, "marking a response delivered");

  return TRUE;
}

/**
 * kiosk_outbox_mark_delivered_many:
 * @seqs: sequence numbers
 *
 * Like kiosk_outbox_mark_delivered() for a whole batch in one statement: the write lock, which the
 * kiosk's taps wait for, is held for less time.
 */
gboolean
kiosk_outbox_mark_delivered_many (KioskOutbox  *self,
                                  const gint64 *seqs,
                                  guint         n,
                                  gint64        delivered_wall_us,
                                  GError      **error)
{
  g_autoptr(GString) list = g_string_sized_new (n * 8 + 2);
  int rc;

  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);

  if (n == 0)
    return TRUE;

  g_string_append_c (list, '[');
  for (guint i = 0; i < n; i++)
    g_string_append_printf (list, "%s%" G_GINT64_FORMAT, i ? "," : "", seqs[i]);
  g_string_append_c (list, ']');

  rc = prepare_cached (self, &self->delivered_many_stmt,
                       "UPDATE responses SET delivered_us = ?, attempts = attempts + 1"
                       " WHERE seq IN (SELECT value FROM json_each (?)) AND delivered_us IS NULL");
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (self->delivered_many_stmt, 1, delivered_wall_us);
      sqlite3_bind_text (self->delivered_many_stmt, 2, list->str, list->len, SQLITE_STATIC);
      rc = sqlite3_step (self->delivered_many_stmt);
      sqlite3_reset (self->delivered_many_stmt);
    }

  if (rc != SQLITE_DONE)
    return set_error (self, error, rc, "marking responses delivered");

  return TRUE;
}

static gboolean
exec_bound (KioskOutbox  *self,
            const char   *sql,
            const char   *doing,
            GError      **error,
            void        (*bind) (sqlite3_stmt *stmt, gpointer data),
            gpointer      data)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      bind (stmt, data);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    return set_error (self, error, rc, doing);

  return TRUE;
}

typedef struct
{
  gint64      seq;
  const char *uuid;
  gint64      wall_us;
  int         http_status;
  const char *reason;
  const char *event;
} DeadLetterArgs;

static void
bind_dead_letter (sqlite3_stmt *stmt,
                  gpointer      data)
{
  DeadLetterArgs *args = data;

  sqlite3_bind_int64 (stmt, 1, args->seq);
  sqlite3_bind_text (stmt, 2, args->uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, args->wall_us);
  if (args->http_status > 0)
    sqlite3_bind_int (stmt, 4, args->http_status);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_text (stmt, 5, args->reason, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, args->event, -1, SQLITE_STATIC);
}

static void
bind_seq (sqlite3_stmt *stmt,
          gpointer      data)
{
  sqlite3_bind_int64 (stmt, 1, *(gint64 *) data);
}

/**
 * kiosk_outbox_dead_letter:
 * @http_status: the status that condemned it (200 for a per-event rejection), 0 for none
 * @event: the CloudEvent as it was sent
 *
 * The server will never accept this response. It is kept, twice: the response row stays (and
 * counts in the figures), flagged rejected, and the dead-letter table says why.
 */
gboolean
kiosk_outbox_dead_letter (KioskOutbox  *self,
                          gint64        seq,
                          const char   *uuid,
                          gint64        rejected_wall_us,
                          int           http_status,
                          const char   *reason,
                          const char   *event,
                          GError      **error)
{
  DeadLetterArgs args = { seq, uuid, rejected_wall_us, http_status,
                          reason ? reason : "rejected without a reason", event ? event : "" };

  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (uuid != NULL, FALSE);

  return exec_bound (self,
                     "INSERT OR REPLACE INTO dead_letters"
                     " (seq, uuid, wall_us, http_status, reason, event) VALUES (?,?,?,?,?,?)",
                     "recording a dead letter", error, bind_dead_letter, &args) &&
         exec_bound (self,
                     "UPDATE responses SET rejected = 1, attempts = attempts + 1 WHERE seq = ?",
                     "flagging a rejected response", error, bind_seq, &seq);
}

gboolean
kiosk_outbox_count_attempt (KioskOutbox  *self,
                            gint64        seq,
                            GError      **error)
{
  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);

  return exec_bound (self, "UPDATE responses SET attempts = attempts + 1 WHERE seq = ?",
                     "counting a delivery attempt", error, bind_seq, &seq);
}

gboolean
kiosk_outbox_get_stats (KioskOutbox      *self,
                        KioskQueueStats  *out,
                        GError          **error)
{
  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);

  /* All in one read transaction, so the figures agree with each other. */
  if (sqlite3_exec (self->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    return set_error (self, error, sqlite3_errcode (self->db), "reading the queue");

  if (!query_int64 (self, "SELECT count(*) FROM responses WHERE " PENDING, &out->depth, error) ||
      !query_int64 (self, "SELECT wall_us FROM responses WHERE " PENDING " ORDER BY seq LIMIT 1",
                    &out->oldest_pending_wall_us, error) ||
      !query_int64 (self, "SELECT count(*) FROM responses WHERE visit_ended = 0",
                    &out->open_visits, error) ||
      !query_int64 (self, "SELECT count(*) FROM dead_letters", &out->dead_letters, error) ||
      !query_int64 (self, "SELECT coalesce(max(seq), 0) FROM responses", &out->last_seq, error) ||
      !query_int64 (self, "SELECT coalesce(CAST(value AS INTEGER), 0) FROM sync_state"
                    " WHERE key = '" KIOSK_SYNC_KEY_DROPPED "'", &out->dropped, error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
  return TRUE;
}

gboolean
kiosk_outbox_get_clock_stats (KioskOutbox      *self,
                              KioskClockStats  *out,
                              GError          **error)
{
  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);

  return query_int64 (self,
                      "SELECT count(*) FROM responses WHERE " PENDING
                      " AND clock_synced = 0 AND clock_corrected = 0", &out->unsynced, error) &&
         query_int64 (self,
                      "SELECT count(*) FROM responses WHERE " PENDING " AND clock_corrected = 1",
                      &out->corrected, error);
}

/* Pruning. Every step is one short transaction of at most a few hundred rows: the kiosk's taps
 * wait only milliseconds for the write lock. */

static gboolean
query_int64_bound (KioskOutbox  *self,
                   const char   *sql,
                   gint64        param,
                   gint64       *out,
                   GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  *out = 0;
  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, param);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *out = sqlite3_column_int64 (stmt, 0);
          rc = SQLITE_DONE;
        }
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    return set_error (self, error, rc, "pruning the database");

  return TRUE;
}

/* Pages in use, free pages (which SQLite reuses) not counted. */
gboolean
kiosk_outbox_get_used_bytes (KioskOutbox  *self,
                             gint64       *out,
                             GError      **error)
{
  gint64 pages, free_pages, page_size;

  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);

  if (!query_int64 (self, "PRAGMA page_count", &pages, error) ||
      !query_int64 (self, "PRAGMA freelist_count", &free_pages, error) ||
      !query_int64 (self, "PRAGMA page_size", &page_size, error))
    return FALSE;

  *out = (pages - free_pages) * page_size;
  return TRUE;
}

/* How many undelivered responses are over @max. Cheap when under: an upper bound from the
 * sequence numbers comes first, the exact count only when that bound is over. */
static gboolean
queue_excess (KioskOutbox  *self,
              gint64        max,
              gint64       *out,
              GError      **error)
{
  gint64 first = 0, last = 0, dead = 0, pending = 0;

  *out = 0;
  if (!query_int64 (self, "SELECT coalesce(min(seq), 0) FROM responses WHERE " PENDING, &first,
                    error) ||
      !query_int64 (self, "SELECT coalesce(max(seq), 0) FROM responses", &last, error) ||
      !query_int64 (self, "SELECT count(*) FROM dead_letters", &dead, error))
    return FALSE;

  if ((first > 0 ? last - first + 1 : 0) + dead <= max)
    return TRUE;

  if (!query_int64 (self, "SELECT count(*) FROM responses WHERE " PENDING, &pending, error))
    return FALSE;

  *out = MAX (0, pending + dead - max);
  return TRUE;
}

/* Drops the @n oldest undelivered responses (pending or rejected), counts them and says so in
 * the incidents: the loss is never silent. Visits still being answered are never dropped. */
static gboolean
drop_oldest (KioskOutbox  *self,
             gint64        n,
             gint64        now_wall_us,
             const char   *why,
             gint64       *out_dropped,
             GError      **error)
{
  g_autoptr(GString) list = g_string_new ("[");
  g_autofree char *detail = NULL;
  g_autofree char *count_text = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 first = 0, last = 0, dropped = 0;
  int rc;

  *out_dropped = 0;
  if (!kiosk_outbox_begin (self, error))
    return FALSE;

  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT seq FROM (SELECT seq FROM responses WHERE " PENDING
                           "                 ORDER BY seq LIMIT ?1)"
                           " UNION ALL"
                           " SELECT seq FROM (SELECT seq FROM dead_letters ORDER BY seq LIMIT ?1)"
                           " ORDER BY seq LIMIT ?1", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, n);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 seq = sqlite3_column_int64 (stmt, 0);

          g_string_append_printf (list, "%s%" G_GINT64_FORMAT, dropped ? "," : "", seq);
          if (dropped++ == 0)
            first = seq;
          last = seq;
        }
    }
  sqlite3_finalize (stmt);
  g_string_append_c (list, ']');

  if (rc != SQLITE_DONE)
    {
      set_error (self, error, rc, "choosing responses to drop");
      kiosk_outbox_rollback (self);
      return FALSE;
    }

  if (dropped == 0)
    {
      kiosk_outbox_rollback (self);
      return TRUE;
    }

  detail = g_strdup_printf ("%" G_GINT64_FORMAT " undelivered responses were dropped (seq %"
                            G_GINT64_FORMAT " to %" G_GINT64_FORMAT "): %s", dropped, first, last,
                            why);
  count_text = g_strdup_printf ("%" G_GINT64_FORMAT, dropped);

  rc = sqlite3_prepare_v2 (self->db,
                           "DELETE FROM responses WHERE seq IN (SELECT value FROM json_each (?1));"
                           , -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, list->str, list->len, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);

  if (rc == SQLITE_DONE)
    {
      rc = sqlite3_prepare_v2 (self->db,
                               "DELETE FROM dead_letters WHERE seq IN"
                               " (SELECT value FROM json_each (?1))", -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_text (stmt, 1, list->str, list->len, SQLITE_STATIC);
          rc = sqlite3_step (stmt);
        }
      sqlite3_finalize (stmt);
    }

  if (rc == SQLITE_DONE)
    {
      rc = sqlite3_prepare_v2 (self->db,
                               "INSERT INTO sync_state (key, value) VALUES ('"
                               KIOSK_SYNC_KEY_DROPPED "', ?1) ON CONFLICT (key) DO UPDATE SET"
                               " value = coalesce(CAST(value AS INTEGER), 0) + excluded.value",
                               -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_int64 (stmt, 1, dropped);
          rc = sqlite3_step (stmt);
        }
      sqlite3_finalize (stmt);
    }

  if (rc == SQLITE_DONE)
    {
      rc = sqlite3_prepare_v2 (self->db,
                               "INSERT INTO incidents (wall_us, kind, detail)"
                               " VALUES (?1, 'queue-dropped', ?2)", -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_int64 (stmt, 1, now_wall_us);
          sqlite3_bind_text (stmt, 2, detail, -1, SQLITE_STATIC);
          rc = sqlite3_step (stmt);
        }
      sqlite3_finalize (stmt);
    }

  if (rc != SQLITE_DONE)
    {
      set_error (self, error, rc, "dropping responses over the queue bound");
      kiosk_outbox_rollback (self);
      return FALSE;
    }

  if (!kiosk_outbox_commit (self, error))
    return FALSE;

  g_warning ("%s", detail);
  *out_dropped = dropped;
  return TRUE;
}

/* Deletes up to @n delivered rows delivered before @cutoff_us, oldest delivery first. */
static gboolean
delete_delivered (KioskOutbox  *self,
                  gint64        cutoff_us,
                  gint64        n,
                  gint64       *out_deleted,
                  GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  *out_deleted = 0;
  rc = sqlite3_prepare_v2 (self->db,
                           "DELETE FROM responses WHERE seq IN (SELECT seq FROM responses"
                           " WHERE delivered_us < ?1 ORDER BY delivered_us LIMIT ?2)",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, cutoff_us);
      sqlite3_bind_int64 (stmt, 2, n);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    return set_error (self, error, rc, "deleting delivered responses");

  *out_deleted = sqlite3_changes (self->db);
  return TRUE;
}

/**
 * kiosk_outbox_prune_step:
 * @now_wall_us: the time retention counts from (an injected clock in tests)
 * @max_rows: the most rows this step deletes, in one short transaction
 *
 * Does one small piece of what @policy asks, in this order: drop the oldest undelivered
 * responses over the count bound; delete delivered responses past their retention; when the
 * database uses more than its byte bound, delete delivered responses early, and only when none
 * is left, drop the oldest undelivered ones; trim old incidents. Undelivered responses are
 * dropped only by a bound, and every one is counted (%KIOSK_SYNC_KEY_DROPPED) and recorded as
 * an incident.
 *
 * Call again while @out reports work done.
 */
gboolean
kiosk_outbox_prune_step (KioskOutbox                *self,
                         const KioskRetentionPolicy *policy,
                         gint64                      now_wall_us,
                         guint                       max_rows,
                         KioskPruneResult           *out,
                         GError                    **error)
{
  gint64 excess = 0, used = 0, cutoff_id = 0;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (policy != NULL && out != NULL, FALSE);
  g_return_val_if_fail (max_rows > 0, FALSE);
  g_return_val_if_fail (!(self->flags & KIOSK_OUTBOX_OPEN_READ_ONLY), FALSE);

  memset (out, 0, sizeof *out);

  if (!queue_excess (self, policy->max_queue_responses, &excess, error))
    return FALSE;
  if (excess > 0)
    {
      g_autofree char *why = g_strdup_printf ("more than %" G_GINT64_FORMAT " were waiting "
                                              "([storage] max-queue-responses)",
                                              policy->max_queue_responses);

      return drop_oldest (self, MIN (excess, (gint64) max_rows), now_wall_us, why, &out->dropped,
                          error);
    }

  if (!delete_delivered (self, now_wall_us - policy->retention_us, max_rows, &out->expired, error))
    return FALSE;
  if (out->expired > 0)
    return TRUE;

  if (!kiosk_outbox_get_used_bytes (self, &used, error))
    return FALSE;
  if (used > policy->max_database_bytes)
    {
      g_autofree char *why = NULL;

      if (!delete_delivered (self, G_MAXINT64, max_rows, &out->evicted, error))
        return FALSE;
      if (out->evicted > 0)
        return TRUE;

      why = g_strdup_printf ("the database used %" G_GINT64_FORMAT " MB, more than its %"
                             G_GINT64_FORMAT " MB ([storage] max-database-megabytes)",
                             used >> 20, policy->max_database_bytes >> 20);
      return drop_oldest (self, max_rows, now_wall_us, why, &out->dropped, error);
    }

  if (!query_int64_bound (self, "SELECT coalesce((SELECT id FROM incidents ORDER BY id DESC"
                          " LIMIT 1 OFFSET ?1), 0)", policy->max_incidents, &cutoff_id, error))
    return FALSE;
  if (cutoff_id == 0)
    return TRUE;

  rc = sqlite3_prepare_v2 (self->db,
                           "DELETE FROM incidents WHERE id IN (SELECT id FROM incidents"
                           " WHERE id <= ?1 ORDER BY id LIMIT ?2)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, cutoff_id);
      sqlite3_bind_int64 (stmt, 2, max_rows);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    return set_error (self, error, rc, "trimming old incidents");

  out->incidents = sqlite3_changes (self->db);
  return TRUE;
}

void
kiosk_dead_letter_free (KioskDeadLetter *letter)
{
  if (letter == NULL)
    return;

  g_free (letter->uuid);
  g_free (letter->reason);
  g_free (letter->event);
  g_free (letter);
}

GPtrArray *
kiosk_outbox_list_dead_letters (KioskOutbox  *self,
                                GError      **error)
{
  g_autoptr(GPtrArray) list = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), NULL);

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_dead_letter_free);
  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT seq, uuid, wall_us, http_status, reason, event"
                           " FROM dead_letters ORDER BY seq", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        KioskDeadLetter *letter = g_new0 (KioskDeadLetter, 1);

        letter->seq = sqlite3_column_int64 (stmt, 0);
        letter->uuid = dup_column (stmt, 1);
        letter->wall_us = sqlite3_column_int64 (stmt, 2);
        letter->http_status = sqlite3_column_int (stmt, 3);
        letter->reason = dup_column (stmt, 4);
        letter->event = dup_column (stmt, 5);
        g_ptr_array_add (list, letter);
      }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      set_error (self, error, rc, "reading the dead letters");
      return NULL;
    }

  return g_steal_pointer (&list);
}

/* NULL when the key is not set (or cannot be read: the state is advisory). */
char *
kiosk_outbox_get_state (KioskOutbox *self,
                        const char  *key)
{
  char *value = NULL;
  int rc;

  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), NULL);

  rc = prepare_cached (self, &self->state_get_stmt, "SELECT value FROM sync_state WHERE key = ?");
  if (rc != SQLITE_OK)
    return NULL;

  sqlite3_bind_text (self->state_get_stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (self->state_get_stmt) == SQLITE_ROW)
    value = dup_column (self->state_get_stmt, 0);
  sqlite3_reset (self->state_get_stmt);

  return value;
}

/* A NULL @value removes the key. */
gboolean
kiosk_outbox_set_state (KioskOutbox  *self,
                        const char   *key,
                        const char   *value,
                        GError      **error)
{
  int rc;

  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (value == NULL)
    {
      sqlite3_stmt *stmt = NULL;

      rc = sqlite3_prepare_v2 (self->db, "DELETE FROM sync_state WHERE key = ?", -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
          rc = sqlite3_step (stmt);
        }
      sqlite3_finalize (stmt);
    }
  else
    {
      rc = prepare_cached (self, &self->state_set_stmt,
                           "INSERT INTO sync_state (key, value) VALUES (?, ?)"
                           " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_text (self->state_set_stmt, 1, key, -1, SQLITE_STATIC);
          sqlite3_bind_text (self->state_set_stmt, 2, value, -1, SQLITE_STATIC);
          rc = sqlite3_step (self->state_set_stmt);
          sqlite3_reset (self->state_set_stmt);
        }
    }

  if (rc != SQLITE_DONE)
    return set_error (self, error, rc, "saving the sync state");

  return TRUE;
}

typedef struct
{
  const char *boot_id;
  gint64      now_wall_us;
  gint64      now_monotonic_us;
} CorrectArgs;

static void
bind_correct (sqlite3_stmt *stmt,
              gpointer      data)
{
  CorrectArgs *args = data;

  sqlite3_bind_int64 (stmt, 1, args->now_wall_us);
  sqlite3_bind_int64 (stmt, 2, args->now_monotonic_us);
  sqlite3_bind_text (stmt, 3, args->boot_id, -1, SQLITE_STATIC);
}

/**
 * kiosk_outbox_correct_clock:
 * @boot_id: the current boot: monotonic time only compares within one boot
 * @now_wall_us: the synchronised wall clock, read together with @now_monotonic_us
 *
 * A Raspberry Pi starts with whatever time it had at power-off. Once NTP has set the clock, the
 * wall time of a tap earlier in this boot is now minus the monotonic time elapsed since it. Only
 * responses not yet delivered are touched; what the server already has stays as it was sent.
 *
 * Returns: how many responses were corrected, -1 on error
 */
gint64
kiosk_outbox_correct_clock (KioskOutbox  *self,
                            const char   *boot_id,
                            gint64        now_wall_us,
                            gint64        now_monotonic_us,
                            GError      **error)
{
  CorrectArgs args = { boot_id, now_wall_us, now_monotonic_us };

  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), -1);
  g_return_val_if_fail (boot_id != NULL, -1);

  if (!exec_bound (self,
                   "UPDATE responses SET wall_us = ?1 - (?2 - monotonic_us), clock_corrected = 1"
                   " WHERE boot_id = ?3 AND clock_synced = 0 AND clock_corrected = 0"
                   " AND delivered_us IS NULL AND rejected = 0 AND monotonic_us <= ?2",
                   "correcting the time of earlier responses", error, bind_correct, &args))
    return -1;

  return sqlite3_changes (self->db);
}

/* Whether an error left the connection unusable: a file system that failed or turned read-only
 * under it keeps failing on this connection (and stays busy, so it cannot be unmounted), while a
 * new one works as soon as the file system does. */
gboolean
kiosk_outbox_needs_reopen (KioskOutbox *self)
{
  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);

  return self->broken;
}
