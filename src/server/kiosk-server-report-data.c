/* kiosk-server-report-data.c: a report's figures, through the dashboard's queries
 * (kiosk-dash-data.c) site by site; a group's sites are added up here. */
#define G_LOG_DOMAIN "kiosk-server-report"

#include <math.h>
#include <string.h>

#include "kiosk-dash-server.h"
#include "kiosk-server-db.h"
#include "kiosk-server-report-private.h"

/* Read per site: enough left after misuse is set aside, when it is. */
#define COMMENTS_READ 40

static void
reason_free (Reason *reason)
{
  g_free (reason->reason.follow_up_id);
  g_free (reason->reason.option_id);
  g_free (reason->label);
  g_free (reason);
}

void
_kiosk_report_clear (Report *report)
{
  g_clear_pointer (&report->title, g_free);
  g_clear_pointer (&report->sites, g_ptr_array_unref);
  kiosk_dash_filter_clear (&report->filter);
  g_clear_pointer (&report->days, g_array_unref);
  g_clear_pointer (&report->reasons[0], g_ptr_array_unref);
  g_clear_pointer (&report->reasons[1], g_ptr_array_unref);
  g_clear_pointer (&report->comments, g_ptr_array_unref);
  g_clear_pointer (&report->comment_rows, g_ptr_array_unref);
  g_clear_pointer (&report->site_rows, g_array_unref);
  g_clear_pointer (&report->zones, g_free);
}

/* Reading */

static gboolean
load_sites (PGconn                   *conn,
            const KioskReportRequest *request,
            Report                   *report,
            GError                  **error)
{
  /* Every site: the report is the server's, not a dashboard user's. */
  KioskDashUser admin = { 0, (char *) "report", TRUE, NULL, NULL };
  g_autoptr(GPtrArray) all = kiosk_dash_data_sites (conn, &admin, error);

  if (all == NULL)
    return FALSE;
  report->sites = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_dash_site_free);
  for (guint i = 0; i < all->len; i++)
    {
      KioskDashSite *site = g_ptr_array_index (all, i);

      if ((request->site_id != 0 && site->id == request->site_id) ||
          (request->group_id != 0 && site->group_id == request->group_id))
        {
          if (report->title == NULL)
            report->title = g_strdup (request->group_id != 0 ? site->group_title : site->title);
          g_ptr_array_add (report->sites, g_ptr_array_steal_index (all, i--));
        }
    }
  if (report->sites->len == 0 && request->group_id != 0)
    {
      /* A group without sites still has a title and a (short) report. */
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, request->group_id);
      const char *params[] = { id };
      g_autoptr(PGresult) result = kiosk_db_exec (conn, "SELECT title FROM site_groups "
                                                  "WHERE id = $1::bigint", 1, params, error);

      if (result == NULL)
        return FALSE;
      if (PQntuples (result) == 1)
        report->title = g_strdup (PQgetvalue (result, 0, 0));
    }
  if (report->title == NULL)
    {
      g_set_error (error, KIOSK_DB_ERROR, KIOSK_DB_ERROR_QUERY,
                   "report: there is no %s with id %" G_GINT64_FORMAT,
                   request->group_id != 0 ? "group" : "site",
                   request->group_id != 0 ? request->group_id : request->site_id);
      return FALSE;
    }
  return TRUE;
}

static void
merge_reasons (GPtrArray  *into,
               GHashTable *index,
               GPtrArray  *reasons,
               GPtrArray  *surveys,
               const char *language)
{
  for (guint i = 0; i < reasons->len; i++)
    {
      KioskDashReason *reason = g_ptr_array_index (reasons, i);
      g_autofree char *key = g_strconcat (reason->follow_up_id, "\n", reason->option_id, NULL);
      Reason *merged = g_hash_table_lookup (index, key);

      if (merged == NULL)
        {
          const char *label = kiosk_dash_reason_label (surveys, reason, language);

          merged = g_new0 (Reason, 1);
          merged->reason.follow_up_id = g_strdup (reason->follow_up_id);
          merged->reason.option_id = g_strdup (reason->option_id);
          /* The id only when no published survey knows the option. */
          merged->label = g_strdup (label != NULL ? label : reason->option_id);
          g_ptr_array_add (into, merged);
          g_hash_table_insert (index, g_steal_pointer (&key), merged);
        }
      merged->reason.n += reason->n;
      merged->reason.answered += reason->answered;
    }
}

static int
compare_reasons (gconstpointer a,
                 gconstpointer b)
{
  const Reason *x = *(const Reason * const *) a;
  const Reason *y = *(const Reason * const *) b;

  if (x->reason.n != y->reason.n)
    return x->reason.n > y->reason.n ? -1 : 1;
  return g_strcmp0 (x->label, y->label);
}

static int
compare_comments (gconstpointer a,
                  gconstpointer b)
{
  const Comment *x = *(const Comment * const *) a;
  const Comment *y = *(const Comment * const *) b;

  return x->comment->time_us > y->comment->time_us ? -1
         : x->comment->time_us < y->comment->time_us ? 1 : 0;
}

static int
compare_site_rows (gconstpointer a,
                   gconstpointer b)
{
  const SiteRow *x = a;
  const SiteRow *y = b;
  double i = kiosk_dash_counts_index (&x->counts);
  double j = kiosk_dash_counts_index (&y->counts);

  /* Best first; a site without responses last, by name. */
  if (isnan (i) != isnan (j))
    return isnan (i) ? 1 : -1;
  if (!isnan (i) && i != j)
    return i > j ? -1 : 1;
  return g_strcmp0 (x->site->title, y->site->title);
}

static void
add_days (GArray       *into,
          const GArray *days)
{
  if (into->len == 0)
    {
      g_array_append_vals (into, days->data, days->len);
      return;
    }
  /* The same filter: the same days in the same order. */
  for (guint d = 0; d < days->len && d < into->len; d++)
    kiosk_dash_counts_merge (&g_array_index (into, KioskDashDay, d).counts,
                             &g_array_index (days, KioskDashDay, d).counts);
}

gboolean
_kiosk_report_load (PGconn                   *conn,
                    const KioskReportRequest *request,
                    Report                   *report,
                    GError                  **error)
{
  g_autoptr(GHashTable) unhappy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) happy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTable *index[2] = { unhappy, happy };
  g_autoptr(GString) zones = g_string_new (NULL);
  KioskDashFilter previous = { 0 };

  report->language = kiosk_dash_language_lookup (request->language);
  if (report->language == NULL)
    report->language = "en";
  report->include_misuse = request->include_misuse;
  report->group = request->group_id != 0;
  report->filter.from = request->from;
  report->filter.to = request->to;
  report->filter.include_misuse = request->include_misuse;
  report->n_days = g_date_days_between (&request->from, &request->to) + 1;
  report->days = g_array_new (FALSE, TRUE, sizeof (KioskDashDay));
  report->reasons[0] = g_ptr_array_new_with_free_func ((GDestroyNotify) reason_free);
  report->reasons[1] = g_ptr_array_new_with_free_func ((GDestroyNotify) reason_free);
  report->comments = g_ptr_array_new_with_free_func (g_free);
  report->comment_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  report->site_rows = g_array_new (FALSE, TRUE, sizeof (SiteRow));

  /* The period before, as long as this one: a week beside the week before. */
  previous.to = request->from;
  g_date_subtract_days (&previous.to, 1);
  previous.from = previous.to;
  g_date_subtract_days (&previous.from, report->n_days - 1);
  previous.include_misuse = request->include_misuse;
  report->previous_from = previous.from;
  report->previous_to = previous.to;

  if (!load_sites (conn, request, report, error))
    return FALSE;

  for (guint s = 0; s < report->sites->len; s++)
    {
      KioskDashSite *site = g_ptr_array_index (report->sites, s);
      g_autoptr(GArray) days = kiosk_dash_data_days (conn, site, &report->filter, error);
      g_autoptr(GArray) previous_days = NULL;
      g_autofree KioskDashWeekHours *hours = NULL;
      g_autoptr(GPtrArray) surveys = NULL;
      g_autoptr(GPtrArray) comments = NULL;
      SiteRow row = { site, { { { 0 } } } };

      if (days == NULL)
        return FALSE;
      add_days (report->days, days);
      for (guint d = 0; d < days->len; d++)
        kiosk_dash_counts_merge (&row.counts, &g_array_index (days, KioskDashDay, d).counts);
      kiosk_dash_counts_merge (&report->total, &row.counts);
      g_array_append_val (report->site_rows, row);

      previous_days = kiosk_dash_data_days (conn, site, &previous, error);
      if (previous_days == NULL)
        return FALSE;
      for (guint d = 0; d < previous_days->len; d++)
        kiosk_dash_counts_merge (&report->previous,
                                 &g_array_index (previous_days, KioskDashDay, d).counts);

      hours = kiosk_dash_data_hours (conn, site, &report->filter, error);
      if (hours == NULL)
        return FALSE;
      for (guint d = 0; d < 7; d++)
        for (guint h = 0; h < 24; h++)
          {
            kiosk_dash_counts_merge (&report->hours.cells[d][h], &hours->cells[d][h]);
            report->open[d][h] |= kiosk_dash_site_open_hour (site, d, h);
          }

      surveys = kiosk_dash_data_surveys (conn, site, &report->filter, error);
      if (surveys == NULL)
        return FALSE;
      for (guint m = 0; m < 2; m++)
        {
          g_autoptr(GPtrArray) reasons = kiosk_dash_data_reasons (conn, site, &report->filter,
                                                                 (KioskDashMood) m, error);

          if (reasons == NULL)
            return FALSE;
          merge_reasons (report->reasons[m], index[m], reasons, surveys, report->language);
        }

      comments = kiosk_dash_data_comments (conn, site, &report->filter, 0, COMMENTS_READ, NULL,
                                           error);
      if (comments == NULL)
        return FALSE;
      for (guint c = 0; c < comments->len; c++)
        {
          KioskDashComment *comment = g_ptr_array_index (comments, c);
          Comment *entry;

          /* The dashboard lists misuse flagged; a report that leaves misuse out of its
           * figures leaves it out of its comments too. */
          if (comment->misuse && !request->include_misuse)
            continue;
          entry = g_new0 (Comment, 1);
          entry->comment = comment;
          entry->site_title = site->title;
          g_ptr_array_add (report->comments, entry);
        }
      g_ptr_array_add (report->comment_rows, g_steal_pointer (&comments));

      if (strstr (zones->str, site->time_zone) == NULL)
        g_string_append_printf (zones, "%s%s", zones->len > 0 ? ", " : "", site->time_zone);
    }

  for (guint m = 0; m < 2; m++)
    g_ptr_array_sort (report->reasons[m], compare_reasons);
  g_ptr_array_sort (report->comments, compare_comments);
  if (report->comments->len > KIOSK_REPORT_COMMENTS)
    g_ptr_array_set_size (report->comments, KIOSK_REPORT_COMMENTS);
  g_array_sort (report->site_rows, compare_site_rows);
  report->zones = g_string_free (g_steal_pointer (&zones), FALSE);
  return TRUE;
}

