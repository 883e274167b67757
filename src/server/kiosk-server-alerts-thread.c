/* kiosk-server-alerts-thread.c: the thread that evaluates the alert rules (and runs the report
 * schedules) beside the request threads. The API's threads poke a site once its batch is
 * committed, so a wave of unhappy presses alerts within moments; every [alerts] interval a
 * whole pass closes what recovered, finds silent kiosks and sends the reports that are due. */
#define G_LOG_DOMAIN "kiosk-server-alerts"

#include "kiosk-server-alerts-private.h"
#include "kiosk-server-db.h"
#include "kiosk-server-delivery.h"
#include "kiosk-server-report.h"

/* Poked sites are evaluated at most once a second, together: under a steady stream of batches
 * a site is evaluated once per second, not once per batch. */
#define POKE_SETTLE_US G_USEC_PER_SEC

struct _KioskAlerts
{
  GThread                 *thread;
  const KioskServerConfig *config;
  KioskDelivery           *delivery;
};

/* The poked sites and the running instance, under one lock: a poke before the thread starts
 * or after it stopped is dropped. */
static GMutex      lock;
static GCond       wake;
static GHashTable *poked;
static gboolean    running;
static gboolean    stopping;

void
kiosk_alerts_poke_site (gint64 site_id)
{
  g_mutex_lock (&lock);
  if (running)
    {
      g_hash_table_add (poked, g_memdup2 (&site_id, sizeof site_id));
      g_cond_signal (&wake);
    }
  g_mutex_unlock (&lock);
}

/* Logs a failure once, not every pass while it lasts (the database away, say). */
static void
report_failure (const char *what,
                GError     *error,
                char      **last)
{
  if (error == NULL)
    {
      if (*last != NULL)
        g_message ("%s works again", what);
      g_clear_pointer (last, g_free);
      return;
    }
  if (g_strcmp0 (*last, error->message) != 0)
    g_warning ("%s: %s", what, error->message);
  g_free (*last);
  *last = g_strdup (error->message);
}

static gpointer
alerts_thread (gpointer data)
{
  KioskAlerts *self = data;
  gint64 interval_us = (gint64) self->config->alerts_interval_s * G_USEC_PER_SEC;
  gint64 next_pass = 0;
  gint64 last_poked_pass = 0;
  g_autofree char *last_evaluation_error = NULL;
  g_autofree char *last_report_error = NULL;

  for (;;)
    {
      g_autoptr(GHashTable) sites = NULL;
      g_autoptr(GError) error = NULL;
      gboolean whole;
      guint changed = 0, queued = 0;
      PGconn *conn;

      g_mutex_lock (&lock);
      for (;;)
        {
          gint64 now = g_get_monotonic_time ();
          gint64 until = next_pass;

          if (stopping || now >= next_pass)
            break;
          if (g_hash_table_size (poked) > 0)
            {
              if (now >= last_poked_pass + POKE_SETTLE_US)
                break;
              until = MIN (until, last_poked_pass + POKE_SETTLE_US);
            }
          g_cond_wait_until (&wake, &lock, until);
        }
      if (stopping)
        {
          g_mutex_unlock (&lock);
          break;
        }
      sites = g_steal_pointer (&poked);
      poked = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      g_mutex_unlock (&lock);

      whole = g_get_monotonic_time () >= next_pass;
      if (whole)
        next_pass = g_get_monotonic_time () + interval_us;
      else
        last_poked_pass = g_get_monotonic_time ();

      conn = kiosk_db_thread_conn (&error);
      if (conn == NULL)
        {
          report_failure ("evaluating alerts", error, &last_evaluation_error);
          /* Poked sites wait for the next whole pass, which evaluates every site anyway. */
          continue;
        }

      if (whole)
        {
          if (kiosk_alerts_evaluate (conn, self->config, 0, g_get_real_time (), &changed, &error))
            report_failure ("evaluating alerts", NULL, &last_evaluation_error);
          else
            {
              report_failure ("evaluating alerts", error, &last_evaluation_error);
              if (g_error_matches (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONNECTION))
                kiosk_db_thread_conn_broken ();
              g_clear_error (&error);
            }
          if (kiosk_report_schedule_tick (conn, self->config, g_get_real_time (), &queued,
                                          &error))
            report_failure ("sending scheduled reports", NULL, &last_report_error);
          else
            {
              report_failure ("sending scheduled reports", error, &last_report_error);
              if (g_error_matches (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONNECTION))
                kiosk_db_thread_conn_broken ();
            }
        }
      else
        {
          GHashTableIter iter;
          gpointer key;

          g_hash_table_iter_init (&iter, sites);
          while (g_hash_table_iter_next (&iter, &key, NULL))
            {
              guint site_changed = 0;

              if (!kiosk_alerts_evaluate (conn, self->config, *(gint64 *) key,
                                          g_get_real_time (), &site_changed, &error))
                {
                  report_failure ("evaluating alerts", error, &last_evaluation_error);
                  if (g_error_matches (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_CONNECTION))
                    kiosk_db_thread_conn_broken ();
                  break;
                }
              changed += site_changed;
            }
        }
      if ((changed > 0 || queued > 0) && self->delivery != NULL)
        kiosk_delivery_poke (self->delivery);
    }
  return NULL;
}

KioskAlerts *
kiosk_alerts_start (const KioskServerConfig *config,
                    KioskDelivery           *delivery)
{
  KioskAlerts *self = g_new0 (KioskAlerts, 1);

  self->config = config;
  self->delivery = delivery;
  g_mutex_lock (&lock);
  g_clear_pointer (&poked, g_hash_table_unref);
  poked = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  running = TRUE;
  stopping = FALSE;
  g_mutex_unlock (&lock);
  self->thread = g_thread_new ("alerts", alerts_thread, self);
  return self;
}

void
kiosk_alerts_stop (KioskAlerts *self)
{
  if (self == NULL)
    return;
  g_mutex_lock (&lock);
  stopping = TRUE;
  running = FALSE;
  g_cond_signal (&wake);
  g_mutex_unlock (&lock);
  g_thread_join (self->thread);
  g_mutex_lock (&lock);
  g_clear_pointer (&poked, g_hash_table_unref);
  g_mutex_unlock (&lock);
  g_free (self);
}
