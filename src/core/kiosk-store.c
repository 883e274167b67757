/* kiosk-store.c: the durable queue of responses in SQLite: the object, its errors and its
 * figures. Opening (schema, migrations, quarantine, sequence numbers) is in kiosk-store-open.c,
 * writing (a tap, a visit's answers, holding them while the disk fails) in kiosk-store-write.c.
 *
 * One connection, owned by the main thread. A tap is one INSERT in autocommit mode, which in WAL
 * mode with synchronous=FULL is durable when sqlite3_step() returns. A failed write never loses the
 * response: it waits in memory, in order, and a timer retries while (and only while) something
 * waits. */
#define G_LOG_DOMAIN "kiosk-store"

#include "config.h"

#include "kiosk-store-private.h"
#include "kiosk-enums.h"
#include "kiosk-response-row.h"

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

void
_kiosk_store_close_db (KioskStore *self)
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
  _kiosk_store_close_db (self);
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

const char *
_kiosk_store_explain_sqlite (int rc)
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

gboolean
_kiosk_store_set_error (GError     **error,
                        sqlite3     *db,
                        int          rc,
                        const char  *path,
                        const char  *doing)
{
  g_set_error (error, KIOSK_STORE_ERROR, error_code_from_sqlite (rc),
               "%s: %s while %s (%s)", path, _kiosk_store_explain_sqlite (rc), doing,
               db ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  return FALSE;
}

const char *
kiosk_store_get_path (KioskStore *self)
{
  g_return_val_if_fail (KIOSK_IS_STORE (self), NULL);

  return self->path;
}


void
_kiosk_store_notify_health (KioskStore *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH]);
  _kiosk_store_notify_health_message (self);
  _kiosk_store_notify_unwritten (self);
}

void
_kiosk_store_notify_health_message (KioskStore *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH_MESSAGE]);
}

void
_kiosk_store_notify_unwritten (KioskStore *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNWRITTEN]);
}

void
_kiosk_store_emit_eligible_written (KioskStore *self)
{
  g_signal_emit (self, signals[ELIGIBLE_WRITTEN], 0);
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

/**
 * kiosk_store_get_lock_wait_us:
 *
 * How long, in all, this store's writes have waited for another connection (the uploader's) to
 * release the database's write lock, in µs: what of a tap's time was the lock's.
 */
gint64
kiosk_store_get_lock_wait_us (KioskStore *self)
{
  g_return_val_if_fail (KIOSK_IS_STORE (self), 0);

  return self->lock_wait_us;
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
        return _kiosk_store_set_error (error, self->db, rc, self->path, "counting responses");
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
          _kiosk_store_set_error (error, self->db, rc, self->path, "reading responses");
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
      _kiosk_store_set_error (error, self->db, rc, self->path, "reading incidents");
      return NULL;
    }

  return g_steal_pointer (&list);
}
