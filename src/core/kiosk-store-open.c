/* kiosk-store-open.c: opening the store's database: the schema and its forward-only
 * migrations, the integrity check and the quarantine of a corrupt file, the lock patience, and
 * the sequence numbers reserved beside the database. */
#define G_LOG_DOMAIN "kiosk-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>

#include "kiosk-store-private.h"

/* Sequence numbers are reserved in blocks in a small side file, so that a database lost to
 * corruption never makes the device hand out a sequence number twice. */
#define SEQ_RESERVE_BLOCK 1000

/* The main thread must never wait long for the uploader's connection. */
#define BUSY_TIMEOUT_MS      10
#define TOOL_BUSY_TIMEOUT_MS 5000

/* Forward-only. Index i brings the schema from version i to i + 1. */
static const char * const migrations[] = {
  /* 0 -> 1: the responses queue */
  "CREATE TABLE responses ("
  "  seq             INTEGER PRIMARY KEY,"
  "  uuid            TEXT    NOT NULL UNIQUE,"
  "  face            INTEGER NOT NULL,"
  "  scale           INTEGER NOT NULL,"
  "  survey_id       TEXT    NOT NULL,"
  "  survey_version  INTEGER NOT NULL,"
  "  language        TEXT    NOT NULL,"
  "  input           TEXT    NOT NULL,"
  "  wall_us         INTEGER NOT NULL,"
  "  utc_offset_s    INTEGER NOT NULL,"
  "  monotonic_us    INTEGER NOT NULL,"
  "  boot_id         TEXT    NOT NULL,"
  "  clock_synced    INTEGER NOT NULL,"
  "  clock_corrected INTEGER NOT NULL DEFAULT 0,"
  "  misuse          INTEGER NOT NULL DEFAULT 0,"
  "  misuse_rule     TEXT,"
  "  visit_ended     INTEGER NOT NULL DEFAULT 1,"
  "  delivered_us    INTEGER"
  ");"
  "CREATE INDEX responses_wall ON responses (wall_us);",

  /* 1 -> 2: storage incidents (quarantined files, write failures) survive a restart */
  "CREATE TABLE incidents ("
  "  id      INTEGER PRIMARY KEY,"
  "  wall_us INTEGER NOT NULL,"
  "  kind    TEXT    NOT NULL,"
  "  detail  TEXT    NOT NULL"
  ");",

  /* 2 -> 3: follow-up answers complete a response; delivery to the cloud and its dead letters */
  "ALTER TABLE responses ADD COLUMN follow_up_id TEXT;"
  "ALTER TABLE responses ADD COLUMN follow_up_selected TEXT;"  /* JSON array of option ids */
  "ALTER TABLE responses ADD COLUMN follow_up_outcome TEXT;"
  "ALTER TABLE responses ADD COLUMN comment TEXT;"
  "ALTER TABLE responses ADD COLUMN contact TEXT;"             /* JSON object, with consent only */
  "ALTER TABLE responses ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE responses ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
  "CREATE INDEX responses_pending ON responses (seq)"
  "  WHERE delivered_us IS NULL AND rejected = 0 AND visit_ended = 1;"
  "CREATE TABLE dead_letters ("
  "  seq         INTEGER PRIMARY KEY,"
  "  uuid        TEXT    NOT NULL,"
  "  wall_us     INTEGER NOT NULL,"                           /* when it was rejected */
  "  http_status INTEGER,"
  "  reason      TEXT    NOT NULL,"
  "  event       TEXT    NOT NULL"                            /* the CloudEvent as sent */
  ");"
  "CREATE TABLE sync_state ("
  "  key   TEXT PRIMARY KEY,"
  "  value TEXT"
  ");",

  /* 3 -> 4: retention finds the oldest deliveries without reading the whole table. Partial, so a
   * tap (delivered_us still NULL) never touches it. */
  "CREATE INDEX responses_delivered ON responses (delivered_us)"
  "  WHERE delivered_us IS NOT NULL;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == KIOSK_STORE_SCHEMA_VERSION);

/* SQLite's own busy timeout sleeps in steps of 1, 2, 5 ms and more; the uploader holds its lock
 * for about 2 ms per batch, so a tap would often sleep longer than the lock lasts. Poll in
 * 100 µs steps instead, up to the limit. */
#define BUSY_POLL_US 100

static int
busy_cb (void *user_data,
         int   count)
{
  KioskStore *self = user_data;
  gint64 now = g_get_monotonic_time ();

  if (count == 0)
    self->busy_since_us = self->busy_last_us = now;

  /* All of the wait: the sleeps, and SQLite's tries between them. */
  self->lock_wait_us += now - self->busy_last_us;

  if (now - self->busy_since_us >= self->busy_limit_us)
    return 0;

  g_usleep (BUSY_POLL_US);
  self->busy_last_us = g_get_monotonic_time ();
  self->lock_wait_us += self->busy_last_us - now;
  return 1;
}

static void
set_busy_limit (KioskStore *self,
                guint       limit_ms)
{
  self->busy_limit_us = (gint64) limit_ms * 1000;
  sqlite3_busy_handler (self->db, busy_cb, self);
}


static gboolean
exec_sql (KioskStore  *self,
          const char  *sql,
          const char  *doing,
          GError     **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return _kiosk_store_set_error (error, self->db, rc, self->path, doing);

  return TRUE;
}

static gboolean
query_int64 (KioskStore  *self,
             const char  *sql,
             gint64      *out,
             int         *out_rc)
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
          rc = SQLITE_OK;
        }
      else if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);

  if (out_rc)
    *out_rc = rc;
  return rc == SQLITE_OK;
}

static gint64
read_seq_reservation (KioskStore *self)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (self->seq_path, &contents, NULL, NULL))
    return 0;

  return g_ascii_strtoll (contents, NULL, 10);
}

static gboolean
write_seq_reservation (KioskStore  *self,
                       gint64       upto,
                       GError     **error)
{
  g_autofree char *contents = g_strdup_printf ("%" G_GINT64_FORMAT "\n", upto);

  /* g_file_set_contents_full with DURABLE does write, fsync and rename. */
  if (!g_file_set_contents_full (self->seq_path, contents, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, error))
    return FALSE;

  self->reserved_upto = upto;
  return TRUE;
}

void
_kiosk_store_record_incident (KioskStore *self,
                              const char *kind,
                              const char *detail)
{
  sqlite3_stmt *stmt = NULL;

  if (self->db == NULL)
    return;

  if (sqlite3_prepare_v2 (self->db,
                          "INSERT INTO incidents (wall_us, kind, detail) VALUES (?, ?, ?)",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
      sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, detail, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        g_warning ("Could not record a storage incident (%s): %s", kind, detail);
    }
  sqlite3_finalize (stmt);
}

/* Never deletes: the damaged file and its WAL move aside under a timestamped name. */
static gboolean
quarantine (KioskStore  *self,
            const char  *reason,
            GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *target = NULL;
  static const char * const suffixes[] = { "-wal", "-shm", "-journal" };

  _kiosk_store_close_db (self);

  for (guint n = 0; target == NULL || g_file_test (target, G_FILE_TEST_EXISTS); n++)
    {
      g_free (target);
      target = n == 0 ? g_strdup_printf ("%s.corrupt-%s", self->path, stamp)
                      : g_strdup_printf ("%s.corrupt-%s-%u", self->path, stamp, n);
    }

  if (g_rename (self->path, target) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_OPEN,
                   "%s: the database is damaged (%s) and cannot be moved aside to %s: %s",
                   self->path, reason, target, g_strerror (saved_errno));
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (self->path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (target, suffixes[i], NULL);

      if (g_file_test (from, G_FILE_TEST_EXISTS) && g_rename (from, to) != 0)
        g_warning ("Could not move %s aside to %s: %s", from, to, g_strerror (errno));
    }

  g_warning ("%s: the database was damaged (%s); it was moved to %s and a new one was created",
             self->path, reason, target);

  g_free (self->quarantined_path);
  self->quarantined_path = g_steal_pointer (&target);
  g_free (self->health_message);
  self->health_message = g_strdup_printf ("The database was damaged (%s). It was kept as %s; "
                                          "a new database was started.",
                                          reason, self->quarantined_path);
  return TRUE;
}

/* NULL when the file passes quick_check, otherwise why it does not. */
static char *
check_integrity (KioskStore *self,
                 int        *out_rc)
{
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  int rc;

  *out_rc = SQLITE_OK;

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA quick_check", -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *row = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (row, "ok") != 0 && problems->len < 400)
        g_string_append_printf (problems, "%s%s", problems->len ? "; " : "", row);
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_OK)
    {
      *out_rc = rc;
      if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
        return g_strdup (sqlite3_errstr (rc));
      return NULL;
    }

  return problems->len ? g_strdup (problems->str) : NULL;
}

/* %FALSE (and @error) when a newer smiley-kiosk wrote the database: this one leaves it alone. */
static gboolean
check_version_known (KioskStore  *self,
                     gint64       version,
                     GError     **error)
{
  if (version <= KIOSK_STORE_SCHEMA_VERSION)
    return TRUE;

  g_set_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_SCHEMA,
               "%s: the database has schema version %" G_GINT64_FORMAT ", written by a newer "
               "version of smiley-kiosk (this one knows up to %d); it was left untouched",
               self->path, version, KIOSK_STORE_SCHEMA_VERSION);
  return FALSE;
}

static gboolean
migrate (KioskStore  *self,
         GError     **error)
{
  gint64 version = 0;
  int rc;

  if (!query_int64 (self, "PRAGMA user_version", &version, &rc))
    return _kiosk_store_set_error (error, self->db, rc, self->path, "reading the schema version");

  if (!check_version_known (self, version, error))
    return FALSE;

  if (self->flags & KIOSK_STORE_OPEN_READ_ONLY)
    {
      if (version != KIOSK_STORE_SCHEMA_VERSION)
        {
          g_set_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_SCHEMA,
                       "%s: the database has schema version %" G_GINT64_FORMAT " (expected %d); "
                       "start the kiosk once to upgrade it", self->path, version,
                       KIOSK_STORE_SCHEMA_VERSION);
          return FALSE;
        }
      return TRUE;
    }

  for (gint64 v = version; v < KIOSK_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %" G_GINT64_FORMAT, v + 1);
      g_autofree char *doing = g_strdup_printf ("upgrading the schema to version %" G_GINT64_FORMAT,
                                                v + 1);

      if (!exec_sql (self, "BEGIN IMMEDIATE", doing, error))
        return FALSE;

      if (!exec_sql (self, migrations[v], doing, error) ||
          !exec_sql (self, bump, doing, error) ||
          !exec_sql (self, "COMMIT", doing, error))
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }

    }

  if (version > 0 && version < KIOSK_STORE_SCHEMA_VERSION)
    g_message ("%s: schema upgraded from version %" G_GINT64_FORMAT " to %d", self->path, version,
               KIOSK_STORE_SCHEMA_VERSION);

  return TRUE;
}

static gboolean
open_connection (KioskStore  *self,
                 int         *out_rc,
                 GError     **error)
{
  gboolean read_only = (self->flags & KIOSK_STORE_OPEN_READ_ONLY) != 0;
  int open_flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc;

  *out_rc = SQLITE_OK;

  if (read_only && !g_file_test (self->path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_OPEN,
                   "%s: no database yet (nothing has been recorded)", self->path);
      return FALSE;
    }

  rc = sqlite3_open_v2 (self->path, &self->db, open_flags | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      *out_rc = rc;
      _kiosk_store_set_error (error, self->db, rc, self->path, "opening the database");
      _kiosk_store_close_db (self);
      return FALSE;
    }

  sqlite3_extended_result_codes (self->db, 1);
  set_busy_limit (self, read_only ? TOOL_BUSY_TIMEOUT_MS : BUSY_TIMEOUT_MS);
  /* Before the check at start reads every page: a small page cache (KIOSK_STORE_CACHE_KIB). */
  sqlite3_exec (self->db, "PRAGMA cache_size = -" G_STRINGIFY (KIOSK_STORE_CACHE_KIB), NULL, NULL,
                NULL);

  /* SQLite quietly falls back to read-only when it may not write the file (or its -shm after a
   * crash on a read-only disk). Such a connection would never record anything. */
  if (!read_only && sqlite3_db_readonly (self->db, "main") == 1)
    {
      *out_rc = SQLITE_READONLY;
      g_set_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_READONLY,
                   "%s: %s while opening the database", self->path,
                   _kiosk_store_explain_sqlite (SQLITE_READONLY));
      _kiosk_store_close_db (self);
      return FALSE;
    }

  return TRUE;
}

static gboolean
configure_connection (KioskStore  *self,
                      int         *out_rc,
                      GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean wal = FALSE;
  int rc;

  /* Opening may wait for the uploader; a moment longer is fine at start, not on a tap. */
  set_busy_limit (self, TOOL_BUSY_TIMEOUT_MS);

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      wal = g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "wal") == 0;
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_OK)
    {
      *out_rc = rc;
      return _kiosk_store_set_error (error, self->db, rc, self->path, "switching to WAL mode");
    }

  if (!wal)
    {
      g_set_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_OPEN,
                   "%s: the file system does not support SQLite's write-ahead log", self->path);
      return FALSE;
    }

  /* A burst of writes (a backlog being marked delivered while taps come in)
   * leaves the log at its high-water mark; truncating it when it restarts keeps the files
   * within the retention bound. */
  rc = sqlite3_exec (self->db, "PRAGMA synchronous = FULL; "
                     "PRAGMA journal_size_limit = " G_STRINGIFY (KIOSK_STORE_WAL_SIZE_LIMIT),
                     NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      *out_rc = rc;
      return _kiosk_store_set_error (error, self->db, rc, self->path, "setting synchronous=FULL");
    }

  return TRUE;
}

static gboolean
prepare_sequence (KioskStore  *self,
                  gboolean     database_is_new,
                  GError     **error)
{
  gint64 last = 0;
  int rc;

  if (!query_int64 (self, "SELECT max(seq) FROM responses", &last, &rc))
    return _kiosk_store_set_error (error, self->db, rc, self->path,
                                   "reading the last sequence number");

  self->reserved_upto = read_seq_reservation (self);

  /* A fresh database after a lost one continues after everything that may have been handed
   * out; the gap on the server then honestly shows the loss. */
  if (database_is_new)
    last = MAX (last, self->reserved_upto);

  /* Responses held in memory already carry their numbers. */
  if (self->unwritten.length > 0)
    last = MAX (last, ((KioskResponse *) g_queue_peek_tail (&self->unwritten))->seq);

  self->next_seq = MAX (self->next_seq, last + 1);
  return TRUE;
}

/* A visit cut by a crash or restart ends now, with what it had: the response is kept and
 * becomes eligible for upload. */
static void
end_interrupted_visits (KioskStore *self)
{
  int rc = sqlite3_exec (self->db,
                         "UPDATE responses SET visit_ended = 1, follow_up_outcome = 'interrupted'"
                         " WHERE visit_ended = 0", NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    g_warning ("%s: could not end interrupted visits: %s", self->path, sqlite3_errmsg (self->db));
  else if (sqlite3_changes (self->db) > 0)
    g_message ("%s: %d visits interrupted by a restart were ended", self->path,
               sqlite3_changes (self->db));
}

static gboolean
ensure_directory (KioskStore  *self,
                  GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  int saved_errno;

  if (g_mkdir_with_parents (dir, 0700) == 0)
    return TRUE;

  saved_errno = errno;
  g_set_error (error, KIOSK_STORE_ERROR,
               saved_errno == ENOSPC ? KIOSK_STORE_ERROR_FULL :
               saved_errno == EROFS ? KIOSK_STORE_ERROR_READONLY : KIOSK_STORE_ERROR_OPEN,
               "%s: cannot create the state directory: %s", dir, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
check_schema_not_newer (KioskStore  *self,
                        GError     **error)
{
  gint64 version = 0;
  int rc;

  /* An unreadable file is judged later, by the integrity check. */
  if (!query_int64 (self, "PRAGMA user_version", &version, &rc))
    return TRUE;

  return check_version_known (self, version, error);
}

/* Opens, checks, quarantines if need be, and migrates. Leaves self->db NULL on failure. */
gboolean
_kiosk_store_open_database (KioskStore  *self,
                            GError     **error)
{
  gboolean read_only = (self->flags & KIOSK_STORE_OPEN_READ_ONLY) != 0;
  gboolean existed = g_file_test (self->path, G_FILE_TEST_EXISTS);
  g_autofree char *damage = NULL;
  int rc = SQLITE_OK;

  if (!read_only && !ensure_directory (self, error))
    return FALSE;

  if (!open_connection (self, &rc, error))
    return FALSE;

  /* Before anything may write (even switching the journal mode): a newer version's file is
   * left exactly as it is. */
  if (!check_schema_not_newer (self, error))
    {
      _kiosk_store_close_db (self);
      return FALSE;
    }

  if (!read_only)
    {
      damage = check_integrity (self, &rc);
      if (damage == NULL && rc != SQLITE_OK)
        {
          _kiosk_store_set_error (error, self->db, rc, self->path, "checking the database");
          _kiosk_store_close_db (self);
          return FALSE;
        }

      if (damage == NULL && !configure_connection (self, &rc, error))
        {
          int primary = rc & 0xff;

          if (primary != SQLITE_CORRUPT && primary != SQLITE_NOTADB)
            {
              _kiosk_store_close_db (self);
              return FALSE;
            }
          damage = g_strdup (sqlite3_errstr (rc));
          g_clear_error (error);
        }

      if (damage != NULL)
        {
          if (!quarantine (self, damage, error) ||
              !open_connection (self, &rc, error) ||
              !configure_connection (self, &rc, error))
            {
              _kiosk_store_close_db (self);
              return FALSE;
            }
          existed = FALSE;
        }
    }

  if (!migrate (self, error) || !prepare_sequence (self, !existed, error))
    {
      _kiosk_store_close_db (self);
      return FALSE;
    }

  if (self->quarantined_path && !read_only)
    _kiosk_store_record_incident (self, "quarantined", self->health_message);

  if (!read_only)
    end_interrupted_visits (self);

  set_busy_limit (self, read_only ? TOOL_BUSY_TIMEOUT_MS : BUSY_TIMEOUT_MS);
  return TRUE;
}

KioskStore *
kiosk_store_open (const char           *path,
                  KioskStoreOpenFlags   flags,
                  GError              **error)
{
  g_autoptr(KioskStore) self = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (!((flags & KIOSK_STORE_OPEN_READ_ONLY) &&
                          (flags & KIOSK_STORE_OPEN_KEEP_GOING)), NULL);

  self = g_object_new (KIOSK_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->seq_path = g_strconcat (path, ".seq", NULL);
  self->flags = flags;

  _kiosk_store_open_database (self, &local_error);

  if (local_error != NULL)
    {
      if (!(flags & KIOSK_STORE_OPEN_KEEP_GOING) ||
          g_error_matches (local_error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_SCHEMA))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      /* The kiosk still thanks every visitor; what it cannot write yet waits in memory. */
      g_warning ("%s; responses will be held in memory until it works", local_error->message);
      g_free (self->health_message);
      self->health_message = g_strdup (local_error->message);
      self->failing_since = kiosk_format_rfc3339 (g_get_real_time (), 0);
      self->next_seq = MAX (self->next_seq, read_seq_reservation (self) + 1);
    }

  return g_steal_pointer (&self);
}


void
_kiosk_store_reserve_sequence (KioskStore *self,
                               gint64      seq)
{
  g_autoptr(GError) error = NULL;

  if (seq <= self->reserved_upto)
    return;

  /* Failing here costs nothing but the protection against reuse after a lost database. */
  if (!write_seq_reservation (self, seq + SEQ_RESERVE_BLOCK - 1, &error))
    g_debug ("Could not reserve sequence numbers: %s", error->message);
}

