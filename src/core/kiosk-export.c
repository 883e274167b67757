/* kiosk-export.c: the admin screen's "Export CSV": finds a USB stick the kiosk may write to and
 * writes every response there, as --export-csv does, on a worker thread with its own read-only
 * connection. The file appears under its final name only when complete, and is on the stick
 * (fsync) before the result is reported: staff pull the stick as soon as they read it. */
#define G_LOG_DOMAIN "kiosk-export"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <string.h>
#include <unistd.h>

#include "kiosk-export.h"
#include "kiosk-clock.h"
#include "kiosk-csv.h"
#include "kiosk-store.h"

#define PROGRESS_EVERY_ROWS 250

G_DEFINE_QUARK (kiosk-export-error-quark, kiosk_export_error)

static int
sort_paths (gconstpointer a,
            gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Where desktop automounters (udisks: /media/USER/LABEL, /run/media/USER/LABEL) and usbmount
 * (/media/usb0) put removable media. */
static const char * const default_prefixes[] = { "/media/", "/run/media/", NULL };

/**
 * kiosk_export_find_usb_dirs:
 * @mounts_file: (nullable): a mount table; %NULL for /proc/self/mounts
 * @prefixes: (nullable): where removable media are mounted; %NULL for /media/ and /run/media/
 *
 * Returns: (transfer full): the mounted removable media this process may write to, sorted; empty
 *   when there is none
 */
GStrv
kiosk_export_find_usb_dirs (const char         *mounts_file,
                            const char * const *prefixes)
{
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  struct mntent entry, *m;
  char buffer[4096];
  FILE *table;

  if (prefixes == NULL)
    prefixes = default_prefixes;

  table = setmntent (mounts_file ? mounts_file : "/proc/self/mounts", "r");
  while (table != NULL && (m = getmntent_r (table, &entry, buffer, sizeof buffer)) != NULL)
    {
      gboolean removable = FALSE;

      for (guint i = 0; prefixes[i] && !removable; i++)
        removable = g_str_has_prefix (m->mnt_dir, prefixes[i]);

      if (!removable || hasmntopt (m, "ro") != NULL || access (m->mnt_dir, W_OK) != 0)
        continue;
      if (!g_ptr_array_find_with_equal_func (dirs, m->mnt_dir, g_str_equal, NULL))
        g_ptr_array_add (dirs, g_strdup (m->mnt_dir));
    }
  if (table != NULL)
    endmntent (table);

  g_ptr_array_sort (dirs, (GCompareFunc) sort_paths);
  g_ptr_array_add (dirs, NULL);
  return (GStrv) g_ptr_array_steal (dirs, NULL);
}

/* smiley-kiosk-<device>-<YYYY-MM-DD>.csv: several kiosks can share one stick. */
char *
kiosk_export_file_name (const char *device_id,
                        GDateTime  *date)
{
  g_autofree char *day = g_date_time_format (date, "%Y-%m-%d");

  return g_strdup_printf ("smiley-kiosk-%s-%s.csv", device_id, day);
}

/* --- The CSV -------------------------------------------------------------------------- */

static void
csv_int (GString *line,
         gint64   value)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  kiosk_csv_field (line, buf);
}

/* One row per response, read through @store, written to @stream; column names follow the cloud API (docs/cloud-api.md), with the nested
 * clock object flattened to clock_*. */
gboolean
kiosk_export_csv_write (KioskStore     *store,
                        GOutputStream  *stream,
                        guint64        *out_rows,
                        GError        **error)
{
  g_autoptr(GPtrArray) responses = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  static const char header[] =
    "id,seq,time,local_time,survey_id,survey_version,scale,face,input,language,misuse,"
    "misuse_rule,clock_synced,clock_corrected,clock_boot_id,clock_monotonic_ms,"
    "follow_up_id,follow_up_selected,follow_up_outcome,comment,"
    "contact_name,contact_email,contact_phone\r\n";

  g_return_val_if_fail (KIOSK_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  responses = kiosk_store_list_responses (store, error);
  if (responses == NULL)
    return FALSE;

  if (!g_output_stream_write_all (stream, header, strlen (header), NULL, NULL, error))
    return FALSE;

  for (guint i = 0; i < responses->len; i++)
    {
      KioskResponse *r = g_ptr_array_index (responses, i);
      g_autofree char *utc = kiosk_format_rfc3339 (r->time.wall_us, 0);
      g_autofree char *local = kiosk_format_rfc3339 (r->time.wall_us, r->time.utc_offset_s);

      g_string_truncate (line, 0);
      kiosk_csv_field (line, r->uuid);
      csv_int (line, r->seq);
      kiosk_csv_field (line, utc);
      kiosk_csv_field (line, local);
      kiosk_csv_field (line, r->survey_id);
      csv_int (line, r->survey_version);
      csv_int (line, r->scale);
      csv_int (line, r->face);
      kiosk_csv_field (line, kiosk_input_to_string (r->input));
      kiosk_csv_field (line, r->language);
      kiosk_csv_field (line, r->misuse ? "true" : "false");
      kiosk_csv_field (line, r->misuse_rule);
      kiosk_csv_field (line, r->time.synced ? "true" : "false");
      kiosk_csv_field (line, r->clock_corrected ? "true" : "false");
      kiosk_csv_field (line, r->boot_id);
      csv_int (line, r->time.monotonic_us / 1000);
      kiosk_csv_field (line, r->follow_up_id);
      {
        g_autofree char *selected = r->follow_up_selected
                                    ? g_strjoinv (" ", r->follow_up_selected) : NULL;

        kiosk_csv_field (line, selected);
      }
      kiosk_csv_field (line, r->visit_open ? "pending" : kiosk_outcome_to_string (r->follow_up_outcome));
      kiosk_csv_field (line, r->comment);
      kiosk_csv_field (line, r->contact_consent ? r->contact_name : NULL);
      kiosk_csv_field (line, r->contact_consent ? r->contact_email : NULL);
      kiosk_csv_field (line, r->contact_consent ? r->contact_phone : NULL);
      g_string_append (line, "\r\n");

      if (!g_output_stream_write_all (stream, line->str, line->len, NULL, NULL, error))
        return FALSE;
    }

  if (out_rows)
    *out_rows = responses->len;

  return TRUE;
}

/**
 * kiosk_export_stick_path:
 * @dirs: (nullable): where to write, the first of them; %NULL to look for a mounted USB stick
 * @device_id: the kiosk's, in the file's name
 * @date: in the file's name
 *
 * Where "Export CSV" writes: smiley-kiosk-<device>-<date>.csv on the stick (or in @dirs[0]).
 *
 * Returns: (transfer full): the file's path; %NULL with %KIOSK_EXPORT_ERROR_NO_STICK when there
 *   is nowhere to write
 */
char *
kiosk_export_stick_path (const char * const  *dirs,
                         const char          *device_id,
                         GDateTime           *date,
                         GError             **error)
{
  g_auto(GStrv) found = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (device_id != NULL, NULL);
  g_return_val_if_fail (date != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  found = dirs ? g_strdupv ((char **) dirs) : kiosk_export_find_usb_dirs (NULL, NULL);
  if (found[0] == NULL)
    {
      g_set_error (error, KIOSK_EXPORT_ERROR, KIOSK_EXPORT_ERROR_NO_STICK,
                   dirs ? "No directory to export to was given"
                        : "No writable USB stick under /media or /run/media");
      return NULL;
    }

  name = kiosk_export_file_name (device_id, date);
  return g_build_filename (found[0], name, NULL);
}

/* --- A stream that counts the lines going through it -------------------------------------- */

#define KIOSK_TYPE_COUNTING_STREAM (kiosk_counting_stream_get_type ())
G_DECLARE_FINAL_TYPE (KioskCountingStream, kiosk_counting_stream, KIOSK, COUNTING_STREAM,
                      GFilterOutputStream)

typedef struct _ExportJob ExportJob;

struct _KioskCountingStream
{
  GFilterOutputStream  parent_instance;

  ExportJob           *job;          /* borrowed */
  guint64              lines;
  guint64              reported;
};

G_DEFINE_FINAL_TYPE (KioskCountingStream, kiosk_counting_stream, G_TYPE_FILTER_OUTPUT_STREAM)

struct _ExportJob
{
  char                *database_path;
  char                *path;
  GMainContext        *context;       /* the caller's, where progress is reported */
  KioskExportProgress  progress;
  gpointer             progress_data;
  GDestroyNotify       progress_destroy;
  guint64              total;         /* set on the worker before the first row */
  gatomicrefcount      ref_count;
};

static ExportJob *
export_job_ref (ExportJob *job)
{
  g_atomic_ref_count_inc (&job->ref_count);
  return job;
}

static void
export_job_unref (ExportJob *job)
{
  if (!g_atomic_ref_count_dec (&job->ref_count))
    return;

  if (job->progress_destroy)
    job->progress_destroy (job->progress_data);
  g_main_context_unref (job->context);
  g_free (job->database_path);
  g_free (job->path);
  g_free (job);
}

typedef struct
{
  ExportJob *job;
  guint64    rows;
} ProgressReport;

static gboolean
report_progress_cb (gpointer user_data)
{
  ProgressReport *report = user_data;

  if (report->job->progress)
    report->job->progress (report->rows, report->job->total, report->job->progress_data);

  return G_SOURCE_REMOVE;
}

static void
progress_report_free (gpointer data)
{
  ProgressReport *report = data;

  export_job_unref (report->job);
  g_free (report);
}

static gssize
kiosk_counting_stream_write (GOutputStream  *stream,
                             const void     *buffer,
                             gsize           count,
                             GCancellable   *cancellable,
                             GError        **error)
{
  KioskCountingStream *self = KIOSK_COUNTING_STREAM (stream);
  GOutputStream *base = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (stream));
  gssize written = g_output_stream_write (base, buffer, count, cancellable, error);

  for (gssize i = 0; i < written; i++)
    if (((const char *) buffer)[i] == '\n')
      self->lines++;

  /* The first line is the header. */
  if (self->lines > self->reported + PROGRESS_EVERY_ROWS)
    {
      ProgressReport *report = g_new0 (ProgressReport, 1);

      self->reported = self->lines;
      report->job = export_job_ref (self->job);
      report->rows = self->lines - 1;
      g_main_context_invoke_full (self->job->context, G_PRIORITY_DEFAULT, report_progress_cb,
                                  report, progress_report_free);
    }

  return written;
}

static void
kiosk_counting_stream_class_init (KioskCountingStreamClass *klass)
{
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = kiosk_counting_stream_write;
}

static void
kiosk_counting_stream_init (KioskCountingStream *self)
{
}

/* --- The worker ------------------------------------------------------------------------- */

/* The data and the rename on the stick, not in the page cache. */
static gboolean
sync_to_disk (const char  *path,
              GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  const char *paths[] = { path, dir };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      int fd = open (paths[i], O_RDONLY | O_CLOEXEC);
      int saved;

      if (fd < 0 || fsync (fd) != 0)
        {
          /* Some file systems cannot fsync a directory; the file itself must be synced. */
          saved = errno;
          if (fd >= 0)
            close (fd);
          if (i > 0 && (saved == EINVAL || saved == EBADF))
            continue;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", paths[i],
                       g_strerror (saved));
          return FALSE;
        }
      close (fd);
    }

  return TRUE;
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportJob *job = task_data;
  g_autoptr(KioskStore) store = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (job->path);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(KioskCountingStream) counting = NULL;
  g_autoptr(GError) error = NULL;
  KioskFaceCounts all;
  guint64 rows = 0;

  store = kiosk_store_open (job->database_path, KIOSK_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Counted first, so the progress has an end; a count that fails leaves it open (0). */
  if (kiosk_store_count_faces (store, G_MININT64, G_MAXINT64, &all, NULL))
    job->total = kiosk_face_counts_total (&all) + all.misuse;

  /* Written beside the final name and renamed when closed: never a half file under it. */
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, &error);
  if (out == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  counting = g_object_new (KIOSK_TYPE_COUNTING_STREAM, "base-stream", out,
                           "close-base-stream", TRUE, NULL);
  counting->job = job;

  if (!kiosk_export_csv_write (store, G_OUTPUT_STREAM (counting), &rows, &error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (counting), cancellable, &error) ||
      !sync_to_disk (job->path, &error))
    {
      g_autoptr(GCancellable) abandon = g_cancellable_new ();

      /* A cancelled close leaves the previous file (if any) as it was and removes ours. */
      g_cancellable_cancel (abandon);
      g_output_stream_close (G_OUTPUT_STREAM (out), abandon, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_int (task, (gssize) rows);
}

/**
 * kiosk_export_csv_async:
 * @database_path: the response database (opened read-only on the worker thread)
 * @path: the file to write; replaced when it exists
 * @progress: (nullable): called on the caller's thread-default main context with the rows
 *   written so far and their total, every 250 rows
 */
void
kiosk_export_csv_async (const char          *database_path,
                        const char          *path,
                        KioskExportProgress  progress,
                        gpointer             progress_data,
                        GDestroyNotify       progress_destroy,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ExportJob *job;

  g_return_if_fail (database_path != NULL);
  g_return_if_fail (path != NULL);

  job = g_new0 (ExportJob, 1);
  g_atomic_ref_count_init (&job->ref_count);
  job->database_path = g_strdup (database_path);
  job->path = g_strdup (path);
  job->context = g_main_context_ref_thread_default ();
  job->progress = progress;
  job->progress_data = progress_data;
  job->progress_destroy = progress_destroy;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiosk_export_csv_async);
  g_task_set_task_data (task, job, (GDestroyNotify) export_job_unref);
  g_task_run_in_thread (task, export_thread);
}

/* Returns: %TRUE when every response is in the file, their number in @out_rows */
gboolean
kiosk_export_csv_finish (GAsyncResult  *result,
                         guint64       *out_rows,
                         GError       **error)
{
  gssize rows;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  rows = g_task_propagate_int (G_TASK (result), error);
  if (rows < 0)
    return FALSE;

  if (out_rows)
    *out_rows = (guint64) rows;
  return TRUE;
}
