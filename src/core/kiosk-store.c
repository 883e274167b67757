/* kiosk-store.c: the durable queue of responses in SQLite.
 *
 * One connection, owned by the main thread. A tap is one INSERT in autocommit mode, which in WAL
 * mode with synchronous=FULL is durable when sqlite3_step() returns. A failed write never loses the
 * response: it waits in memory, in order, and a timer retries while (and only while) something
 * waits. */
#define G_LOG_DOMAIN "kiosk-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "kiosk-store.h"
#include "kiosk-enums.h"
#include "kiosk-response-row.h"

struct _KioskStore
{
  GObject             parent_instance;

  /* owned */
  char               *path;
  char               *seq_path;
  sqlite3            *db;
  sqlite3_stmt       *insert_stmt;
  GQueue              unwritten;          /* KioskResponse*, oldest first, seq assigned */
  char               *health_message;
  char               *quarantined_path;
  char               *failing_since;      /* RFC 3339, while failing */
  guint               retry_source;
  gint64              contended_since_us; /* held only because the uploader had the lock */
  guint               contended_source;

  KioskStoreOpenFlags flags;
  gint64              busy_limit_us;      /* how long to wait for another connection's lock */
  gint64              busy_since_us;
  gint64              next_seq;
  gint64              reserved_upto;      /* seq numbers up to here may have been handed out */
};

enum {
  PROP_0,
  PROP_HEALTH,
  PROP_HEALTH_MESSAGE,
  PROP_UNWRITTEN,
  N_PROPS
};

enum {
  ELIGIBLE_WRITTEN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KioskStore, kiosk_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (kiosk-store-error-quark, kiosk_store_error)

/* Sequence numbers are reserved in blocks in a small side file, so that a database lost to
 * corruption never makes the device hand out a sequence number twice. */
#define SEQ_RESERVE_BLOCK 1000

/* The main thread must never wait long for the uploader's connection. */
#define BUSY_TIMEOUT_MS      10

/* A response held because the uploader's commit outlasted BUSY_TIMEOUT_MS is written again soon
 * and quietly: lock contention is not a storage fault, unless it lasts. */
#define CONTENDED_RETRY_MS   50
#define CONTENDED_GRACE_US   (2 * G_USEC_PER_SEC)
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

static gboolean kiosk_store_retry_cb (gpointer user_data);

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
    self->busy_since_us = now;

  if (now - self->busy_since_us >= self->busy_limit_us)
    return 0;

  g_usleep (BUSY_POLL_US);
  return 1;
}

static void
set_busy_limit (KioskStore *self,
                guint       limit_ms)
{
  self->busy_limit_us = (gint64) limit_ms * 1000;
  sqlite3_busy_handler (self->db, busy_cb, self);
}

static void
kiosk_store_close_db (KioskStore *self)
{
  g_clear_pointer (&self->insert_stmt, sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
}

static void
kiosk_store_finalize (GObject *object)
{
  KioskStore *self = KIOSK_STORE (object);

  if (self->unwritten.length > 0)
    g_warning ("%u responses could not be written to %s before shutdown: %s",
               self->unwritten.length, self->path, self->health_message);

  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->contended_source, g_source_remove);
  kiosk_store_close_db (self);
  g_queue_clear_full (&self->unwritten, (GDestroyNotify) kiosk_response_free);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->seq_path, g_free);
  g_clear_pointer (&self->health_message, g_free);
  g_clear_pointer (&self->quarantined_path, g_free);
  g_clear_pointer (&self->failing_since, g_free);

  G_OBJECT_CLASS (kiosk_store_parent_class)->finalize (object);
}

static void
kiosk_store_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  KioskStore *self = KIOSK_STORE (object);

  switch (prop_id)
    {
    case PROP_HEALTH:
      g_value_set_enum (value, kiosk_store_get_health (self));
      break;
    case PROP_HEALTH_MESSAGE:
      g_value_set_string (value, self->health_message);
      break;
    case PROP_UNWRITTEN:
      g_value_set_uint (value, self->unwritten.length);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiosk_store_class_init (KioskStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kiosk_store_finalize;
  object_class->get_property = kiosk_store_get_property;

  properties[PROP_HEALTH] =
    g_param_spec_enum ("health", NULL, NULL, KIOSK_TYPE_STORAGE_HEALTH, KIOSK_STORAGE_OK,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEALTH_MESSAGE] =
    g_param_spec_string ("health-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_UNWRITTEN] =
    g_param_spec_uint ("unwritten", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * KioskStore::eligible-written:
   *
   * Responses whose visit has ended were committed: there is something new to deliver.
   */
  signals[ELIGIBLE_WRITTEN] =
    g_signal_new ("eligible-written", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
kiosk_store_init (KioskStore *self)
{
  g_queue_init (&self->unwritten);
  self->next_seq = 1;
}

static KioskStoreError
error_code_from_sqlite (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      return KIOSK_STORE_ERROR_FULL;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return KIOSK_STORE_ERROR_READONLY;
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return KIOSK_STORE_ERROR_IO;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return KIOSK_STORE_ERROR_BUSY;
    case SQLITE_CANTOPEN:
      return KIOSK_STORE_ERROR_OPEN;
    default:
      return KIOSK_STORE_ERROR_FAILED;
    }
}

static const char *
explain_sqlite (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      return "the disk is full";
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return "the file system refuses writes (read-only or no permission)";
    case SQLITE_IOERR:
      return "the storage reported an I/O error";
    case SQLITE_CANTOPEN:
      return "the file cannot be opened";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "the database is locked by another connection";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return "the database is damaged";
    default:
      return "the database reported an error";
    }
}

static gboolean
set_sqlite_error (GError     **error,
                  sqlite3     *db,
                  int          rc,
                  const char  *path,
                  const char  *doing)
{
  g_set_error (error, KIOSK_STORE_ERROR, error_code_from_sqlite (rc),
               "%s: %s while %s (%s)", path, explain_sqlite (rc), doing,
               db ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  return FALSE;
}

static gboolean
exec_sql (KioskStore  *self,
          const char  *sql,
          const char  *doing,
          GError     **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return set_sqlite_error (error, self->db, rc, self->path, doing);

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

static void
record_incident (KioskStore *self,
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

  kiosk_store_close_db (self);

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

static gboolean
migrate (KioskStore  *self,
         GError     **error)
{
  gint64 version = 0;
  int rc;

  if (!query_int64 (self, "PRAGMA user_version", &version, &rc))
    return set_sqlite_error (error, self->db, rc, self->path, "reading the schema version");

  if (version > KIOSK_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_SCHEMA,
                   "%s: the database has schema version %" G_GINT64_FORMAT ", written by a newer "
                   "version of smiley-kiosk (this one knows up to %d); it was left untouched",
                   self->path, version, KIOSK_STORE_SCHEMA_VERSION);
      return FALSE;
    }

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
      set_sqlite_error (error, self->db, rc, self->path, "opening the database");
      kiosk_store_close_db (self);
      return FALSE;
    }

  sqlite3_extended_result_codes (self->db, 1);
  set_busy_limit (self, read_only ? TOOL_BUSY_TIMEOUT_MS : BUSY_TIMEOUT_MS);

  /* SQLite quietly falls back to read-only when it may not write the file (or its -shm after a
   * crash on a read-only disk). Such a connection would never record anything. */
  if (!read_only && sqlite3_db_readonly (self->db, "main") == 1)
    {
      *out_rc = SQLITE_READONLY;
      g_set_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_READONLY,
                   "%s: %s while opening the database", self->path,
                   explain_sqlite (SQLITE_READONLY));
      kiosk_store_close_db (self);
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
      return set_sqlite_error (error, self->db, rc, self->path, "switching to WAL mode");
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
      return set_sqlite_error (error, self->db, rc, self->path, "setting synchronous=FULL");
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
    return set_sqlite_error (error, self->db, rc, self->path, "reading the last sequence number");

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

  if (version > KIOSK_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_SCHEMA,
                   "%s: the database has schema version %" G_GINT64_FORMAT ", written by a newer "
                   "version of smiley-kiosk (this one knows up to %d); it was left untouched",
                   self->path, version, KIOSK_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  return TRUE;
}

/* Opens, checks, quarantines if need be, and migrates. Leaves self->db NULL on failure. */
static gboolean
open_database (KioskStore  *self,
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
      kiosk_store_close_db (self);
      return FALSE;
    }

  if (!read_only)
    {
      damage = check_integrity (self, &rc);
      if (damage == NULL && rc != SQLITE_OK)
        {
          set_sqlite_error (error, self->db, rc, self->path, "checking the database");
          kiosk_store_close_db (self);
          return FALSE;
        }

      if (damage == NULL && !configure_connection (self, &rc, error))
        {
          int primary = rc & 0xff;

          if (primary != SQLITE_CORRUPT && primary != SQLITE_NOTADB)
            {
              kiosk_store_close_db (self);
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
              kiosk_store_close_db (self);
              return FALSE;
            }
          existed = FALSE;
        }
    }

  if (!migrate (self, error) || !prepare_sequence (self, !existed, error))
    {
      kiosk_store_close_db (self);
      return FALSE;
    }

  if (self->quarantined_path && !read_only)
    record_incident (self, "quarantined", self->health_message);

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

  open_database (self, &local_error);

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

const char *
kiosk_store_get_path (KioskStore *self)
{
  g_return_val_if_fail (KIOSK_IS_STORE (self), NULL);

  return self->path;
}

/* Insert, or complete the same response (same seq and uuid) with its visit's answers. */
static int
upsert_one (KioskStore    *self,
            KioskResponse *r)
{
  sqlite3_stmt *stmt;
  int rc;

  if (self->insert_stmt == NULL)
    {
      rc = sqlite3_prepare_v3 (self->db,
                               "INSERT INTO responses (" KIOSK_RESPONSE_ROW_COLUMNS ")"
                               " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                               " ON CONFLICT (seq) DO UPDATE SET"
                               "  visit_ended = excluded.visit_ended,"
                               "  follow_up_id = excluded.follow_up_id,"
                               "  follow_up_selected = excluded.follow_up_selected,"
                               "  follow_up_outcome = excluded.follow_up_outcome,"
                               "  comment = excluded.comment,"
                               "  contact = excluded.contact"
                               " WHERE uuid = excluded.uuid",
                               -1, SQLITE_PREPARE_PERSISTENT, &self->insert_stmt, NULL);
      if (rc != SQLITE_OK)
        return rc;
    }

  stmt = self->insert_stmt;
  kiosk_response_row_bind (stmt, r);

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (rc != SQLITE_DONE)
    return rc;

  /* No change means another response already holds this number: a bug worth shouting about. */
  if (sqlite3_changes (self->db) == 0)
    g_critical ("Response seq %" G_GINT64_FORMAT " (%s): the number is taken by another response",
                r->seq, r->uuid);

  return SQLITE_OK;
}

static void
notify_health (KioskStore *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH_MESSAGE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNWRITTEN]);
}

static gboolean kiosk_store_contended_cb (gpointer user_data);

static void
enter_failing (KioskStore   *self,
               const GError *error)
{
  gboolean was_failing = self->failing_since != NULL;

  if (!was_failing && g_error_matches (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_BUSY))
    {
      gint64 now = g_get_monotonic_time ();

      if (self->contended_since_us == 0)
        self->contended_since_us = now;
      if (now - self->contended_since_us < CONTENDED_GRACE_US)
        {
          g_debug ("Holding %u responses while another connection has the lock: %s",
                   self->unwritten.length, error->message);
          if (self->contended_source == 0)
            self->contended_source = g_timeout_add (CONTENDED_RETRY_MS,
                                                    kiosk_store_contended_cb, self);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNWRITTEN]);
          return;
        }
    }

  if (!was_failing)
    {
      self->failing_since = kiosk_format_rfc3339 (g_get_real_time (), 0);
      g_warning ("Storage failing: %s; responses are held in memory until writing works again",
                 error->message);
    }

  if (g_strcmp0 (self->health_message, error->message) != 0)
    {
      g_free (self->health_message);
      self->health_message = g_strdup (error->message);
    }

  if (self->retry_source == 0)
    self->retry_source = g_timeout_add_seconds (KIOSK_STORE_RETRY_SECONDS,
                                                kiosk_store_retry_cb, self);
  notify_health (self);
}

static void
leave_failing (KioskStore *self,
               guint       written)
{
  g_autofree char *detail = NULL;

  if (self->failing_since == NULL)
    return;

  detail = g_strdup_printf ("Writing failed from %s (%s); %u held responses were written "
                            "afterwards", self->failing_since, self->health_message, written);
  g_message ("Storage works again: %s", detail);
  record_incident (self, "write-failure", detail);

  g_clear_pointer (&self->failing_since, g_free);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_free (self->health_message);
  self->health_message = self->quarantined_path
    ? g_strdup_printf ("The database was damaged and was kept as %s; a new database was started.",
                       self->quarantined_path)
    : NULL;
  notify_health (self);
}

/* A file system the kernel turned read-only under the open database (ext4's errors=remount-ro)
 * fails SQLite's writes with EROFS, which SQLite reports as a plain I/O error (and does not keep
 * the errno): a file of our own tells. Then it is the read-only case, said as such, and the
 * connection goes so the file system can be mounted again. */
static int
read_only_if_refused (KioskStore *self,
                      int         rc)
{
  g_autofree char *probe = NULL;
  int fd;

  if ((rc & 0xff) != SQLITE_IOERR)
    return rc;

  probe = g_strconcat (self->path, "-probe", NULL);
  fd = g_open (probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return errno == EROFS ? SQLITE_READONLY : rc;

  g_close (fd, NULL);
  g_unlink (probe);
  return rc;
}

/* A connection that met a read-only file system stays read-only even after a remount; the
 * next attempt opens a fresh one. */
static void
drop_readonly_connection (KioskStore *self,
                          int         rc)
{
  if ((rc & 0xff) == SQLITE_READONLY)
    kiosk_store_close_db (self);
}

/* Writes every held response, oldest first, in one transaction. */
static gboolean
write_unwritten (KioskStore  *self,
                 GError     **error)
{
  guint count = self->unwritten.length;
  int rc;

  if (count == 0)
    return TRUE;

  if (self->db == NULL)
    {
      g_autoptr(GError) open_error = NULL;

      if (!open_database (self, &open_error))
        {
          g_propagate_error (error, g_steal_pointer (&open_error));
          return FALSE;
        }
    }

  rc = sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    {
      for (GList *l = self->unwritten.head; l != NULL && rc == SQLITE_OK; l = l->next)
        rc = upsert_one (self, l->data);

      if (rc == SQLITE_OK)
        rc = sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
    }

  if (rc != SQLITE_OK)
    {
      /* The message first: ROLLBACK replaces SQLite's last error. */
      rc = read_only_if_refused (self, rc);
      set_sqlite_error (error, self->db, rc, self->path, "writing a response");
      if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      drop_readonly_connection (self, rc);
      return FALSE;
    }

  g_queue_clear_full (&self->unwritten, (GDestroyNotify) kiosk_response_free);
  self->contended_since_us = 0;
  g_clear_handle_id (&self->contended_source, g_source_remove);
  if (self->failing_since != NULL)
    leave_failing (self, count);
  else
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNWRITTEN]);
  g_signal_emit (self, signals[ELIGIBLE_WRITTEN], 0);
  return TRUE;
}

static gboolean
kiosk_store_retry_cb (gpointer user_data)
{
  KioskStore *self = user_data;
  g_autoptr(GError) error = NULL;

  if (write_unwritten (self, &error))
    {
      self->retry_source = 0;
      return G_SOURCE_REMOVE;
    }

  g_debug ("Still cannot write %u responses: %s", self->unwritten.length, error->message);
  if (g_strcmp0 (self->health_message, error->message) != 0)
    {
      g_free (self->health_message);
      self->health_message = g_strdup (error->message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH_MESSAGE]);
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
kiosk_store_contended_cb (gpointer user_data)
{
  KioskStore *self = user_data;
  g_autoptr(GError) error = NULL;

  self->contended_source = 0;
  if (!write_unwritten (self, &error))
    enter_failing (self, error);

  return G_SOURCE_REMOVE;
}

static void
reserve_sequence (KioskStore *self,
                  gint64      seq)
{
  g_autoptr(GError) error = NULL;

  if (seq <= self->reserved_upto)
    return;

  /* Failing here costs nothing but the protection against reuse after a lost database. */
  if (!write_seq_reservation (self, seq + SEQ_RESERVE_BLOCK - 1, &error))
    g_debug ("Could not reserve sequence numbers: %s", error->message);
}

/**
 * kiosk_store_record:
 * @response: assigned its sequence number here
 *
 * Accepts @response in every case. Returns %TRUE when it was committed to disk; %FALSE (with
 * @error) when it is held in memory and will be written as soon as writing works again.
 */
gboolean
kiosk_store_record (KioskStore     *self,
                    KioskResponse  *response,
                    GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  int rc;

  g_return_val_if_fail (KIOSK_IS_STORE (self), FALSE);
  g_return_val_if_fail (response != NULL && response->uuid != NULL, FALSE);
  g_return_val_if_fail (!(self->flags & KIOSK_STORE_OPEN_READ_ONLY), FALSE);

  response->seq = self->next_seq++;
  reserve_sequence (self, response->seq);

  if (self->unwritten.length == 0 && self->db != NULL)
    {
      rc = upsert_one (self, response);
      if (rc == SQLITE_OK)
        {
          if (!response->visit_open)
            g_signal_emit (self, signals[ELIGIBLE_WRITTEN], 0);
          return TRUE;
        }

      g_queue_push_tail (&self->unwritten, kiosk_response_copy (response));
      rc = read_only_if_refused (self, rc);
      set_sqlite_error (&local_error, self->db, rc, self->path, "writing a response");
      drop_readonly_connection (self, rc);
    }
  else
    {
      /* Keep the order: older held responses go first. */
      g_queue_push_tail (&self->unwritten, kiosk_response_copy (response));
      if (write_unwritten (self, &local_error))
        return TRUE;
    }

  /* The caller may pass no GError: the store needs the reason either way. */
  enter_failing (self, local_error);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/**
 * kiosk_store_complete_visit:
 * @response: a response recorded before (same seq and uuid), now with its visit's answers
 *
 * Like kiosk_store_record(), accepts @response in every case: %FALSE (with @error) means the
 * completed version is held in memory and written as soon as writing works again.
 */
gboolean
kiosk_store_complete_visit (KioskStore           *self,
                            const KioskResponse  *response,
                            GError              **error)
{
  g_autoptr(KioskResponse) copy = NULL;
  g_autoptr(GError) local_error = NULL;
  int rc;

  g_return_val_if_fail (KIOSK_IS_STORE (self), FALSE);
  g_return_val_if_fail (response != NULL && response->seq > 0, FALSE);
  g_return_val_if_fail (!(self->flags & KIOSK_STORE_OPEN_READ_ONLY), FALSE);

  copy = kiosk_response_copy (response);

  /* Still held: the newer version replaces it in place, keeping the order. */
  for (GList *l = self->unwritten.head; l != NULL; l = l->next)
    {
      KioskResponse *held = l->data;

      if (held->seq == response->seq)
        {
          kiosk_response_free (held);
          l->data = g_steal_pointer (&copy);
          if (write_unwritten (self, &local_error))
            return TRUE;
          enter_failing (self, local_error);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  if (self->unwritten.length == 0 && self->db != NULL)
    {
      rc = upsert_one (self, copy);
      if (rc == SQLITE_OK)
        {
          if (!copy->visit_open)
            g_signal_emit (self, signals[ELIGIBLE_WRITTEN], 0);
          return TRUE;
        }

      rc = read_only_if_refused (self, rc);
      set_sqlite_error (&local_error, self->db, rc, self->path, "completing a response");
      drop_readonly_connection (self, rc);
      g_queue_push_tail (&self->unwritten, g_steal_pointer (&copy));
    }
  else
    {
      g_queue_push_tail (&self->unwritten, g_steal_pointer (&copy));
      if (write_unwritten (self, &local_error))
        return TRUE;
    }

  /* The caller may pass no GError: the store needs the reason either way. */
  enter_failing (self, local_error);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
kiosk_store_flush (KioskStore  *self,
                   GError     **error)
{
  g_return_val_if_fail (KIOSK_IS_STORE (self), FALSE);

  return write_unwritten (self, error);
}

guint
kiosk_store_get_unwritten (KioskStore *self)
{
  g_return_val_if_fail (KIOSK_IS_STORE (self), 0);

  return self->unwritten.length;
}

gint64
kiosk_store_get_last_seq (KioskStore *self)
{
  g_return_val_if_fail (KIOSK_IS_STORE (self), 0);

  return self->next_seq - 1;
}

KioskStorageHealth
kiosk_store_get_health (KioskStore *self)
{
  g_return_val_if_fail (KIOSK_IS_STORE (self), KIOSK_STORAGE_FAILING);

  if (self->failing_since != NULL || self->db == NULL)
    return KIOSK_STORAGE_FAILING;
  if (self->quarantined_path != NULL)
    return KIOSK_STORAGE_RECOVERED;
  return KIOSK_STORAGE_OK;
}

const char *
kiosk_store_get_health_message (KioskStore *self)
{
  g_return_val_if_fail (KIOSK_IS_STORE (self), NULL);

  return self->health_message;
}

const char *
kiosk_store_get_quarantined_path (KioskStore *self)
{
  g_return_val_if_fail (KIOSK_IS_STORE (self), NULL);

  return self->quarantined_path;
}

static gboolean
require_db (KioskStore  *self,
            GError     **error)
{
  if (self->db != NULL)
    return TRUE;

  /* The health message already names the file. */
  if (self->health_message != NULL)
    g_set_error_literal (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_OPEN, self->health_message);
  else
    g_set_error (error, KIOSK_STORE_ERROR, KIOSK_STORE_ERROR_OPEN, "%s: the database is not open",
                 self->path);
  return FALSE;
}

static void
count_one (KioskFaceCounts *out,
           int              face,
           int              scale,
           gboolean         misuse,
           guint64          n)
{
  if (scale > out->scale && scale <= KIOSK_MAX_SCALE)
    out->scale = scale;

  if (misuse)
    out->misuse += n;
  else if (face >= 0 && face < KIOSK_MAX_SCALE)
    out->faces[face] += n;
}

/* Counts what was accepted in [since, until) of wall time, held responses included. */
gboolean
kiosk_store_count_faces (KioskStore       *self,
                         gint64            since_wall_us,
                         gint64            until_wall_us,
                         KioskFaceCounts  *out,
                         GError          **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (KIOSK_IS_STORE (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  kiosk_face_counts_clear (out);

  /* While the database cannot be opened, the figures are those of the held responses; the
   * health says why. */
  if (self->db != NULL)
    {
      rc = sqlite3_prepare_v2 (self->db,
                               "SELECT face, scale, misuse, count(*) FROM responses"
                               " WHERE wall_us >= ? AND wall_us < ? GROUP BY face, scale, misuse",
                               -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_int64 (stmt, 1, since_wall_us);
          sqlite3_bind_int64 (stmt, 2, until_wall_us);
          while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
            count_one (out, sqlite3_column_int (stmt, 0), sqlite3_column_int (stmt, 1),
                       sqlite3_column_int (stmt, 2), sqlite3_column_int64 (stmt, 3));
        }
      sqlite3_finalize (stmt);

      if (rc != SQLITE_DONE)
        return set_sqlite_error (error, self->db, rc, self->path, "counting responses");
    }

  for (GList *l = self->unwritten.head; l != NULL; l = l->next)
    {
      KioskResponse *r = l->data;

      if (r->time.wall_us >= since_wall_us && r->time.wall_us < until_wall_us)
        count_one (out, r->face, r->scale, r->misuse, 1);
    }

  return TRUE;
}

/* Every response, written ones from the database then held ones, in sequence order. */
GPtrArray *
kiosk_store_list_responses (KioskStore  *self,
                            GError     **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_response_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (KIOSK_IS_STORE (self), NULL);

  if (self->db != NULL)
    {
      rc = sqlite3_prepare_v2 (self->db,
                               "SELECT " KIOSK_RESPONSE_ROW_COLUMNS " FROM responses ORDER BY seq",
                               -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
          g_ptr_array_add (list, kiosk_response_from_row (stmt));
      sqlite3_finalize (stmt);

      if (rc != SQLITE_DONE)
        {
          set_sqlite_error (error, self->db, rc, self->path, "reading responses");
          return NULL;
        }
    }

  for (GList *l = self->unwritten.head; l != NULL; l = l->next)
    g_ptr_array_add (list, kiosk_response_copy (l->data));

  return g_steal_pointer (&list);
}

GPtrArray *
kiosk_store_list_incidents (KioskStore  *self,
                            guint        limit,
                            GError     **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (KIOSK_IS_STORE (self), NULL);

  if (!require_db (self, error))
    return NULL;

  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT wall_us, kind, detail FROM incidents ORDER BY id DESC LIMIT ?",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int (stmt, 1, limit);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          g_autofree char *when = kiosk_format_rfc3339 (sqlite3_column_int64 (stmt, 0), 0);

          g_ptr_array_add (list, g_strdup_printf ("%s %s: %s", when,
                                                  sqlite3_column_text (stmt, 1),
                                                  sqlite3_column_text (stmt, 2)));
        }
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, self->path, "reading incidents");
      return NULL;
    }

  return g_steal_pointer (&list);
}
