/* kiosk-outbox.c: the uploader's own connection to the response database.
 *
 * The store (main thread) writes responses; this connection, used by the uploader's thread
 * only, reads the pending ones and records what the server said about them. Both connections
 * run in WAL mode, so reads never block the kiosk; writes here are short transactions, because
 * the kiosk's connection waits only a few milliseconds for the lock before it holds a tap in
 * memory instead. */
#define G_LOG_DOMAIN "kiosk-outbox"

#include "config.h"

#include "kiosk-outbox-private.h"
#include "kiosk-response-row.h"
#include "kiosk-store.h"

G_DEFINE_FINAL_TYPE (KioskOutbox, kiosk_outbox, G_TYPE_OBJECT)

G_DEFINE_QUARK (kiosk-outbox-error-quark, kiosk_outbox_error)

/* The kiosk's own transactions are a single row: waiting for them is always short. */
#define BUSY_TIMEOUT_MS 5000

static void
kiosk_outbox_finalize (GObject *object)
{
  KioskOutbox *self = KIOSK_OUTBOX (object);

  g_clear_pointer (&self->batch_stmt, sqlite3_finalize);
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

gboolean
_kiosk_outbox_set_error (KioskOutbox  *self,
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

int
_kiosk_outbox_prepare (KioskOutbox   *self,
                       sqlite3_stmt **stmt,
                       const char    *sql)
{
  if (*stmt != NULL)
    return SQLITE_OK;

  return sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);
}

/* The first column of the first row of @sql (0 when there is none); @param is bound to its
 * parameter when it has one. */
gboolean
_kiosk_outbox_query_param (KioskOutbox *self,
                           const char  *sql,
                           gint64       param,
                           const char  *doing,
                           gint64      *out,
                           GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  *out = 0;
  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      if (sqlite3_bind_parameter_count (stmt) > 0)
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
    return _kiosk_outbox_set_error (self, error, rc, doing);

  return TRUE;
}

gboolean
_kiosk_outbox_query (KioskOutbox *self,
                     const char  *sql,
                     gint64      *out,
                     GError     **error)
{
  return _kiosk_outbox_query_param (self, sql, 0, "reading the queue", out, error);
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

  if (!_kiosk_outbox_query (self, "PRAGMA user_version", &version, error))
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
      /* The store already chose WAL; what this connection writes is synced at each commit like a
       * tap, except the server's results (kiosk_outbox_apply_results()). Checkpoints happen
       * here, after the uploader's commits, often enough that the WAL never grows to the 1000
       * pages at which a tap's own commit would have to checkpoint it. Marking 100 responses
       * delivered needs a statement journal of about 64 KiB, where SQLite moves it to a
       * temporary file on disk (about one statement in four did); kept in memory it costs no
       * write, and the statement's p90 fell from 0.38-0.48 ms to 0.22-0.33 ms in bench-drain,
       * time in which a tap may be waiting for the lock. */
      rc = sqlite3_exec (self->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                         "PRAGMA temp_store = MEMORY;"
                         "PRAGMA wal_autocheckpoint = 100; PRAGMA journal_size_limit = "
                         G_STRINGIFY (KIOSK_STORE_WAL_SIZE_LIMIT) "; PRAGMA cache_size = -"
                         G_STRINGIFY (KIOSK_STORE_CACHE_KIB), NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        {
          _kiosk_outbox_set_error (self, error, rc, "configuring the connection");
          return NULL;
        }
    }

  return g_steal_pointer (&self);
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

  rc = _kiosk_outbox_prepare (self, &self->batch_stmt,
                              "SELECT " KIOSK_RESPONSE_ROW_COLUMNS " FROM responses WHERE " PENDING
                              " ORDER BY seq LIMIT ?");
  if (rc != SQLITE_OK)
    {
      _kiosk_outbox_set_error (self, error, rc, "reading the queue");
      return NULL;
    }

  batch = g_ptr_array_new_full (limit, (GDestroyNotify) kiosk_response_free);
  sqlite3_bind_int (self->batch_stmt, 1, limit);
  while ((rc = sqlite3_step (self->batch_stmt)) == SQLITE_ROW)
    g_ptr_array_add (batch, kiosk_response_from_row (self->batch_stmt));
  sqlite3_reset (self->batch_stmt);

  if (rc != SQLITE_DONE)
    {
      _kiosk_outbox_set_error (self, error, rc, "reading the queue");
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
    return _kiosk_outbox_set_error (self, error, rc, "starting a transaction");

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
      _kiosk_outbox_set_error (self, error, rc, "committing");
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

gboolean
_kiosk_outbox_exec (KioskOutbox  *self,
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
    return _kiosk_outbox_set_error (self, error, rc, doing);

  return TRUE;
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
    return _kiosk_outbox_set_error (self, error, sqlite3_errcode (self->db), "reading the queue");

  if (!_kiosk_outbox_query (self,
                            "SELECT count(*) FROM responses WHERE " PENDING, &out->depth, error) ||
      !_kiosk_outbox_query (self,
                            "SELECT wall_us FROM responses WHERE " PENDING " ORDER BY seq LIMIT 1",
                            &out->oldest_pending_wall_us, error) ||
      !_kiosk_outbox_query (self, "SELECT count(*) FROM responses WHERE visit_ended = 0",
                            &out->open_visits, error) ||
      !_kiosk_outbox_query (self, "SELECT count(*) FROM dead_letters", &out->dead_letters,
                            error) ||
      !_kiosk_outbox_query (self, "SELECT coalesce(max(seq), 0) FROM responses",
                            &out->last_seq, error) ||
      !_kiosk_outbox_query (self, "SELECT coalesce(CAST(value AS INTEGER), 0) FROM sync_state"
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

  return _kiosk_outbox_query (self,
                              "SELECT count(*) FROM responses WHERE " PENDING
                              " AND clock_synced = 0 AND clock_corrected = 0",
                              &out->unsynced, error) &&
         _kiosk_outbox_query (self,
                              "SELECT count(*) FROM responses WHERE " PENDING
                              " AND clock_corrected = 1",
                              &out->corrected, error);
}
/* NULL when the key is not set (or cannot be read: the state is advisory). */
char *
kiosk_outbox_get_state (KioskOutbox *self,
                        const char  *key)
{
  char *value = NULL;
  int rc;

  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), NULL);

  rc = _kiosk_outbox_prepare (self, &self->state_get_stmt,
                              "SELECT value FROM sync_state WHERE key = ?");
  if (rc != SQLITE_OK)
    return NULL;

  sqlite3_bind_text (self->state_get_stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (self->state_get_stmt) == SQLITE_ROW)
    value = kiosk_response_row_dup_text (self->state_get_stmt, 0);
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
      rc = _kiosk_outbox_prepare (self, &self->state_set_stmt,
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
    return _kiosk_outbox_set_error (self, error, rc, "saving the sync state");

  return TRUE;
}

/**
 * kiosk_outbox_set_states:
 * @keys: (array length=n): keys of the sync_state table
 * @values: (array length=n): their values; %NULL removes a key
 *
 * Like kiosk_outbox_set_state() for several keys in one transaction, so --status never reads
 * half of a change.
 */
gboolean
kiosk_outbox_set_states (KioskOutbox        *self,
                         const char * const *keys,
                         const char * const *values,
                         guint               n,
                         GError            **error)
{
  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);

  if (!kiosk_outbox_begin (self, error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    if (!kiosk_outbox_set_state (self, keys[i], values[i], error))
      {
        kiosk_outbox_rollback (self);
        return FALSE;
      }

  return kiosk_outbox_commit (self, error);
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

  if (!_kiosk_outbox_exec (self,
                           "UPDATE responses"
                           " SET wall_us = ?1 - (?2 - monotonic_us), clock_corrected = 1"
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
