/* kiosk-outbox-prune.c: the database's bounds: retention of delivered rows, the queue's size and
 * the file's size, enforced in short steps (kiosk_outbox_prune_step()). */
#define G_LOG_DOMAIN "kiosk-outbox"

#include "config.h"

#include "kiosk-outbox-private.h"

/* Pruning. Every step is one short transaction of at most a few hundred rows: the kiosk's taps
 * wait only milliseconds for the write lock. */

/* Prepares @sql, binds its parameters and steps it once. @types names them in order: 'i' for
 * the next of @a and @b, 't' for @text. Returns SQLite's code: SQLITE_DONE when it ran. */
static int
step_once (KioskOutbox *self,
           const char  *sql,
           const char  *types,
           gint64       a,
           gint64       b,
           const char  *text)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      const gint64 numbers[] = { a, b };
      guint next_number = 0;

      for (int i = 0; types[i] != '\0'; i++)
        {
          if (types[i] == 't')
            sqlite3_bind_text (stmt, i + 1, text, -1, SQLITE_STATIC);
          else
            sqlite3_bind_int64 (stmt, i + 1, numbers[next_number++]);
        }
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);

  return rc;
}

/* Pages in use, free pages (which SQLite reuses) not counted. */
gboolean
kiosk_outbox_get_used_bytes (KioskOutbox  *self,
                             gint64       *out,
                             GError      **error)
{
  gint64 pages, free_pages, page_size;

  g_return_val_if_fail (KIOSK_IS_OUTBOX (self), FALSE);

  if (!_kiosk_outbox_query (self, "PRAGMA page_count", &pages, error) ||
      !_kiosk_outbox_query (self, "PRAGMA freelist_count", &free_pages, error) ||
      !_kiosk_outbox_query (self, "PRAGMA page_size", &page_size, error))
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
  if (!_kiosk_outbox_query (self,
                            "SELECT coalesce(min(seq), 0) FROM responses WHERE " PENDING, &first,
                            error) ||
      !_kiosk_outbox_query (self, "SELECT coalesce(max(seq), 0) FROM responses", &last,
                            error) ||
      !_kiosk_outbox_query (self, "SELECT count(*) FROM dead_letters", &dead, error))
    return FALSE;

  if ((first > 0 ? last - first + 1 : 0) + dead <= max)
    return TRUE;

  if (!_kiosk_outbox_query (self,
                            "SELECT count(*) FROM responses WHERE " PENDING, &pending, error))
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
      _kiosk_outbox_set_error (self, error, rc, "choosing responses to drop");
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

  rc = step_once (self, "DELETE FROM responses WHERE seq IN (SELECT value FROM json_each (?1))",
                  "t", 0, 0, list->str);
  if (rc == SQLITE_DONE)
    rc = step_once (self, "DELETE FROM dead_letters WHERE seq IN"
                    " (SELECT value FROM json_each (?1))", "t", 0, 0, list->str);
  if (rc == SQLITE_DONE)
    rc = step_once (self, "INSERT INTO sync_state (key, value) VALUES ('" KIOSK_SYNC_KEY_DROPPED
                    "', ?1) ON CONFLICT (key) DO UPDATE SET"
                    " value = coalesce(CAST(value AS INTEGER), 0) + excluded.value",
                    "i", dropped, 0, NULL);
  if (rc == SQLITE_DONE)
    rc = step_once (self, "INSERT INTO incidents (wall_us, kind, detail)"
                    " VALUES (?1, 'queue-dropped', ?2)", "it", now_wall_us, 0, detail);

  if (rc != SQLITE_DONE)
    {
      _kiosk_outbox_set_error (self, error, rc, "dropping responses over the queue bound");
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
  int rc;

  *out_deleted = 0;
  rc = step_once (self, "DELETE FROM responses WHERE seq IN (SELECT seq FROM responses"
                  " WHERE delivered_us < ?1 ORDER BY delivered_us LIMIT ?2)",
                  "ii", cutoff_us, n, NULL);

  if (rc != SQLITE_DONE)
    return _kiosk_outbox_set_error (self, error, rc, "deleting delivered responses");

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

  if (!_kiosk_outbox_query_param (self, "SELECT coalesce((SELECT id FROM incidents ORDER BY id"
                                  " DESC LIMIT 1 OFFSET ?1), 0)", policy->max_incidents,
                                  "pruning the database", &cutoff_id, error))
    return FALSE;
  if (cutoff_id == 0)
    return TRUE;

  rc = step_once (self, "DELETE FROM incidents WHERE id IN (SELECT id FROM incidents"
                  " WHERE id <= ?1 ORDER BY id LIMIT ?2)", "ii", cutoff_id, max_rows, NULL);

  if (rc != SQLITE_DONE)
    return _kiosk_outbox_set_error (self, error, rc, "trimming old incidents");

  out->incidents = sqlite3_changes (self->db);
  return TRUE;
}
