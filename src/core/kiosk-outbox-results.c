/* kiosk-outbox-results.c: what the server said about each response, recorded in the outbox:
 * delivery marks, attempts, dead letters. Each public write here is one short transaction. */
#define G_LOG_DOMAIN "kiosk-outbox"

#include "config.h"

#include "kiosk-clock.h"
#include "kiosk-outbox-private.h"
#include "kiosk-response-row.h"

/* Only a row still pending is marked: a second mark never moves the first delivery time. */
gboolean
kiosk_outbox_mark_delivered (KioskOutbox  *self,
                             gint64        seq,
                             gint64        delivered_wall_us,
                             GError      **error)
{
  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);

  return kiosk_outbox_mark_delivered_many (self, &seq, 1, delivered_wall_us, error);
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

  rc = _kiosk_outbox_prepare (self, &self->delivered_many_stmt,
                              "UPDATE responses SET delivered_us = ?, attempts = attempts + 1"
                              " WHERE seq IN (SELECT value FROM json_each (?))"
                              " AND delivered_us IS NULL");
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (self->delivered_many_stmt, 1, delivered_wall_us);
      sqlite3_bind_text (self->delivered_many_stmt, 2, list->str, list->len, SQLITE_STATIC);
      rc = sqlite3_step (self->delivered_many_stmt);
      sqlite3_reset (self->delivered_many_stmt);
    }

  if (rc != SQLITE_DONE)
    return _kiosk_outbox_set_error (self, error, rc, "marking responses delivered");

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

  return _kiosk_outbox_exec (self,
                             "INSERT OR REPLACE INTO dead_letters"
                             " (seq, uuid, wall_us, http_status, reason, event)"
                             " VALUES (?,?,?,?,?,?)",
                             "recording a dead letter", error, bind_dead_letter, &args) &&
         _kiosk_outbox_exec (self,
                             "UPDATE responses SET rejected = 1, attempts = attempts + 1"
                             " WHERE seq = ?",
                             "flagging a rejected response", error, bind_seq, &seq);
}

gboolean
kiosk_outbox_count_attempt (KioskOutbox  *self,
                            gint64        seq,
                            GError      **error)
{
  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);

  return _kiosk_outbox_exec (self,
                             "UPDATE responses SET attempts = attempts + 1 WHERE seq = ?",
                             "counting a delivery attempt", error, bind_seq, &seq);
}

static gboolean
set_synchronous (KioskOutbox  *self,
                 const char   *sql,
                 GError      **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return _kiosk_outbox_set_error (self, error, rc, "setting how commits are synced");

  return TRUE;
}

/* A tap waits for the write lock while a transaction here holds it: at most this many rows
 * are marked in one, then the lock is free again. */
#define RESULTS_PER_COMMIT 100

/* The results' commits leave their log pages unsynced; whoever syncs the log next pays for
 * writing them. Syncing it here, after the lock is released, keeps that off the next tap. The
 * log is synced through SQLite's own handle of it: another descriptor of a file SQLite has open
 * is never opened and closed in the process. */
static void
sync_log (KioskOutbox *self)
{
  sqlite3_file *log = NULL;
  int rc;

  if (sqlite3_file_control (self->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &log) != SQLITE_OK ||
      log == NULL || log->pMethods == NULL)
    return;

  rc = log->pMethods->xSync (log, SQLITE_SYNC_NORMAL);
  if (rc != SQLITE_OK)
    g_debug ("Cannot sync the log ahead of the next tap: %s", sqlite3_errstr (rc));
}

static gboolean
apply_results_in_transaction (KioskOutbox               *self,
                              const KioskDeliveryResult *results,
                              guint                      n,
                              int                        http_status,
                              gboolean                   last,
                              gint64                     now_wall_us,
                              GError                   **error)
{
  g_autofree gint64 *delivered = g_new (gint64, MAX (n, 1));
  guint n_delivered = 0;

  if (!kiosk_outbox_begin (self, error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      if (!results[i].rejected)
        delivered[n_delivered++] = results[i].seq;
      else if (!kiosk_outbox_dead_letter (self, results[i].seq, results[i].uuid, now_wall_us,
                                          http_status, results[i].reason, results[i].event,
                                          error))
        goto fail;
    }

  if (!kiosk_outbox_mark_delivered_many (self, delivered, n_delivered, now_wall_us, error))
    goto fail;

  if (last && http_status >= 200 && http_status < 300)
    {
      g_autofree char *now_text = kiosk_format_rfc3339 (now_wall_us, 0);

      if (!kiosk_outbox_set_state (self, KIOSK_SYNC_KEY_LAST_UPLOAD_OK_AT, now_text, error))
        goto fail;
    }

  return kiosk_outbox_commit (self, error);

fail:
  kiosk_outbox_rollback (self);
  return FALSE;
}

/**
 * kiosk_outbox_apply_results:
 * @results: (array length=n): what the server said about each response it was sent
 * @http_status: the reply's status: 200 for a reply with a result per event; 400, 413, 415 or
 *   422 for one event the server refused on its own
 * @now_wall_us: the delivery (or rejection) time; retention counts from it
 *
 * Records one reply: rejected responses become dead letters (the row stays, flagged, and the
 * dead-letter table says why), the others are marked delivered. A 2xx reply is also the last
 * successful upload, for --status and the heartbeat.
 *
 * The server holds these results already, so these commits are not synced by themselves
 * (synchronous=NORMAL: the next tap's commit or a checkpoint syncs them), and they mark at
 * most RESULTS_PER_COMMIT rows each: a tap that waits for the write lock meanwhile never waits
 * through an fsync or a whole batch. Results lost to a power cut or an error leave their
 * responses pending: they are sent again, the server answers "duplicate", and that marks them
 * delivered; nothing is counted twice.
 */
gboolean
kiosk_outbox_apply_results (KioskOutbox               *self,
                            const KioskDeliveryResult *results,
                            guint                      n,
                            int                        http_status,
                            gint64                     now_wall_us,
                            GError                   **error)
{
  g_autoptr(GError) local_error = NULL;
  guint start = 0;

  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (results != NULL || n == 0, FALSE);

  if (!set_synchronous (self, "PRAGMA synchronous = NORMAL", error))
    return FALSE;

  /* One transaction for an empty reply too: a 2xx is still the last successful upload. */
  do
    {
      guint count = MIN (RESULTS_PER_COMMIT, n - start);

      if (!apply_results_in_transaction (self, results + start, count, http_status,
                                         start + count >= n, now_wall_us, &local_error))
        break;
      sync_log (self);
      start += count;
    }
  while (start < n);

  /* Every other write of this connection is synced at its commit, like a tap. */
  if (!set_synchronous (self, "PRAGMA synchronous = FULL", local_error ? NULL : &local_error) ||
      local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

/**
 * kiosk_outbox_count_attempts:
 * @seqs: (array length=n): the responses of a batch that failed as a whole
 *
 * One more attempt for each, in one transaction.
 */
gboolean
kiosk_outbox_count_attempts (KioskOutbox   *self,
                             const gint64  *seqs,
                             guint          n,
                             GError       **error)
{
  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);

  if (!kiosk_outbox_begin (self, error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    if (!kiosk_outbox_count_attempt (self, seqs[i], error))
      {
        kiosk_outbox_rollback (self);
        return FALSE;
      }

  return kiosk_outbox_commit (self, error);
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
        letter->uuid = kiosk_response_row_dup_text (stmt, 1);
        letter->wall_us = sqlite3_column_int64 (stmt, 2);
        letter->http_status = sqlite3_column_int (stmt, 3);
        letter->reason = kiosk_response_row_dup_text (stmt, 4);
        letter->event = kiosk_response_row_dup_text (stmt, 5);
        g_ptr_array_add (list, letter);
      }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      _kiosk_outbox_set_error (self, error, rc, "reading the dead letters");
      return NULL;
    }

  return g_steal_pointer (&list);
}
