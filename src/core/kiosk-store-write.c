/* kiosk-store-write.c: a tap and its visit's answers written to the store, and the responses
 * held in memory, in order, while writing fails (a full or failing disk, a lock held too long by
 * the uploader), written again by a timer while (and only while) something waits. */
#define G_LOG_DOMAIN "kiosk-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>

#include "kiosk-store-private.h"
#include "kiosk-response-row.h"

/* A response held because the uploader's commit outlasted BUSY_TIMEOUT_MS is written again soon
 * and quietly: lock contention is not a storage fault, unless it lasts. */
#define CONTENDED_RETRY_MS   50
#define CONTENDED_GRACE_US   (2 * G_USEC_PER_SEC)

static gboolean kiosk_store_retry_cb (gpointer user_data);

/* Insert, or complete the same response (same seq and uuid) with its visit's answers. */
static int
upsert_one (KioskStore          *self,
            const KioskResponse *r)
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
          _kiosk_store_notify_unwritten (self);
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
  _kiosk_store_notify_health (self);
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
  _kiosk_store_record_incident (self, "write-failure", detail);

  g_clear_pointer (&self->failing_since, g_free);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_free (self->health_message);
  self->health_message = self->quarantined_path
    ? g_strdup_printf ("The database was damaged and was kept as %s; a new database was started.",
                       self->quarantined_path)
    : NULL;
  _kiosk_store_notify_health (self);
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
    _kiosk_store_close_db (self);
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

      if (!_kiosk_store_open_database (self, &open_error))
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
      _kiosk_store_set_error (error, self->db, rc, self->path, "writing a response");
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
    _kiosk_store_notify_unwritten (self);
  _kiosk_store_emit_eligible_written (self);
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
      _kiosk_store_notify_health_message (self);
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

/* The caller may pass no GError: the store needs the reason either way. */
static gboolean
hold_failed (KioskStore  *self,
             GError     **local_error,
             GError     **error)
{
  enter_failing (self, *local_error);
  g_propagate_error (error, g_steal_pointer (local_error));
  return FALSE;
}

/* Writes @r now when nothing is held; otherwise behind what is held, keeping the order. When
 * that fails, a copy of @r is held. */
static gboolean
write_or_hold (KioskStore          *self,
               const KioskResponse *r,
               const char          *doing,
               GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  int rc;

  if (self->unwritten.length == 0 && self->db != NULL)
    {
      rc = upsert_one (self, r);
      if (rc == SQLITE_OK)
        {
          if (!r->visit_open)
            _kiosk_store_emit_eligible_written (self);
          return TRUE;
        }

      g_queue_push_tail (&self->unwritten, kiosk_response_copy (r));
      rc = read_only_if_refused (self, rc);
      _kiosk_store_set_error (&local_error, self->db, rc, self->path, doing);
      drop_readonly_connection (self, rc);
    }
  else
    {
      /* Keep the order: older held responses go first. */
      g_queue_push_tail (&self->unwritten, kiosk_response_copy (r));
      if (write_unwritten (self, &local_error))
        return TRUE;
    }

  return hold_failed (self, &local_error, error);
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
  g_return_val_if_fail (KIOSK_IS_STORE (self), FALSE);
  g_return_val_if_fail (response != NULL && response->uuid != NULL, FALSE);
  g_return_val_if_fail (!(self->flags & KIOSK_STORE_OPEN_READ_ONLY), FALSE);

  response->seq = self->next_seq++;
  _kiosk_store_reserve_sequence (self, response->seq);

  return write_or_hold (self, response, "writing a response", error);
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
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (KIOSK_IS_STORE (self), FALSE);
  g_return_val_if_fail (response != NULL && response->seq > 0, FALSE);
  g_return_val_if_fail (!(self->flags & KIOSK_STORE_OPEN_READ_ONLY), FALSE);

  /* Still held: the newer version replaces it in place, keeping the order. */
  for (GList *l = self->unwritten.head; l != NULL; l = l->next)
    {
      KioskResponse *held = l->data;

      if (held->seq == response->seq)
        {
          kiosk_response_free (held);
          l->data = kiosk_response_copy (response);
          if (write_unwritten (self, &local_error))
            return TRUE;
          return hold_failed (self, &local_error, error);
        }
    }

  return write_or_hold (self, response, "completing a response", error);
}

gboolean
kiosk_store_flush (KioskStore  *self,
                   GError     **error)
{
  g_return_val_if_fail (KIOSK_IS_STORE (self), FALSE);

  return write_unwritten (self, error);
}

