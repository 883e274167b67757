/* bench-util.c: process handling, /proc readers and statistics shared by the benchmarks.
 * Everything is measured, never estimated: when /proc lacks a figure, the caller is told. */
#define G_LOG_DOMAIN "kiosk-bench"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "bench-util.h"

typedef struct
{
  char   *text;
  gint64  seen_us;         /* when this process read it */
} BenchLine;

struct _BenchChild
{
  GSubprocess      *process;
  GDataInputStream *lines;
  GCancellable     *cancellable;
  GPtrArray        *seen;  /* BenchLine */
  GString          *log;
  char             *renderer;

  GPid              pid;
  gint64            spawn_us;
  gint64            first_frame_us;
  gboolean          eof;
  gboolean          exited;
};

typedef gboolean (*BenchCondition) (gpointer data);

static void
bench_line_free (gpointer data)
{
  BenchLine *line = data;

  g_free (line->text);
  g_free (line);
}

static gboolean
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;

  return G_SOURCE_REMOVE;
}

/* Iterates the default main context until @condition holds or @timeout_ms passed. */
static gboolean
wait_for (BenchCondition condition,
          gpointer       data,
          guint          timeout_ms)
{
  gboolean timed_out = FALSE;
  guint timeout_id;

  if (condition != NULL && condition (data))
    return TRUE;

  timeout_id = g_timeout_add (timeout_ms, set_flag_cb, &timed_out);
  while (!timed_out && (condition == NULL || !condition (data)))
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);

  return condition != NULL && condition (data);
}

void
bench_sleep_ms (guint ms)
{
  wait_for (NULL, NULL, ms);
}

static void
bench_child_clear (gpointer data)
{
  BenchChild *child = data;

  g_clear_object (&child->process);
  g_clear_object (&child->lines);
  g_clear_object (&child->cancellable);
  g_clear_pointer (&child->seen, g_ptr_array_unref);
  if (child->log != NULL)
    g_string_free (child->log, TRUE);
  g_clear_pointer (&child->renderer, g_free);
}

static void
bench_child_release (BenchChild *child)
{
  g_rc_box_release_full (child, bench_child_clear);
}

static void
note_line (BenchChild *child,
           const char *text)
{
  BenchLine *line = g_new0 (BenchLine, 1);
  const char *found;

  line->seen_us = g_get_monotonic_time ();
  line->text = g_strdup (text);
  g_ptr_array_add (child->seen, line);

  /* Keep the log bounded: it is only there to explain a failure. */
  if (child->log->len < 64 * 1024)
    g_string_append_printf (child->log, "    %s\n", text);

  found = strstr (text, "first-frame ");
  if (found != NULL && child->first_frame_us == 0)
    child->first_frame_us = g_ascii_strtoll (found + strlen ("first-frame "), NULL, 10);

  found = strstr (text, ": renderer ");
  if (found != NULL && child->renderer == NULL)
    child->renderer = g_strdup (found + strlen (": renderer "));
}

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  BenchChild *child = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  text = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, NULL,
                                               &error);
  if (text == NULL)
    {
      child->eof = TRUE;
      bench_child_release (child);
      return;
    }

  note_line (child, text);

  /* The reference travels on with the next read. */
  g_data_input_stream_read_line_async (child->lines, G_PRIORITY_DEFAULT, child->cancellable,
                                       read_line_cb, child);
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  BenchChild *child = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  child->exited = TRUE;
  bench_child_release (child);
}

/**
 * bench_child_spawn:
 *
 * Starts @argv with stdout silenced and stderr read line by line on the default main context.
 * The spawn timestamp is taken immediately before the spawn call.
 */
BenchChild *
bench_child_spawn (const char * const  *argv,
                   const char * const  *env,
                   GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  BenchChild *child;
  const char *identifier;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, pair[0], pair[1] ? pair[1] : "", TRUE);
    }

  child = g_rc_box_new0 (BenchChild);
  child->seen = g_ptr_array_new_with_free_func (bench_line_free);
  child->log = g_string_new (NULL);
  child->cancellable = g_cancellable_new ();

  child->spawn_us = g_get_monotonic_time ();
  child->process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (child->process == NULL)
    {
      bench_child_release (child);
      return NULL;
    }

  identifier = g_subprocess_get_identifier (child->process);
  child->pid = identifier ? (GPid) g_ascii_strtoll (identifier, NULL, 10) : 0;

  child->lines = g_data_input_stream_new (g_subprocess_get_stderr_pipe (child->process));
  g_data_input_stream_read_line_async (child->lines, G_PRIORITY_DEFAULT, child->cancellable,
                                       read_line_cb, g_rc_box_acquire (child));
  g_subprocess_wait_async (child->process, NULL, wait_cb, g_rc_box_acquire (child));

  return child;
}

static gboolean
first_frame_or_eof (gpointer data)
{
  BenchChild *child = data;

  return child->first_frame_us != 0 || child->eof;
}

gboolean
bench_child_wait_first_frame (BenchChild  *child,
                              guint        timeout_ms,
                              GError     **error)
{
  wait_for (first_frame_or_eof, child, timeout_ms);

  if (child->first_frame_us != 0)
    return TRUE;

  g_set_error (error, G_IO_ERROR, child->eof ? G_IO_ERROR_FAILED : G_IO_ERROR_TIMED_OUT,
               "%s before reporting a first frame; its stderr:\n%s",
               child->eof ? "it exited or closed stderr" : "no first frame within the timeout",
               child->log->str);
  return FALSE;
}

typedef struct
{
  BenchChild *child;
  const char *needle;
  gint64      seen_us;
} LineSearch;

static gboolean
line_seen_or_eof (gpointer data)
{
  LineSearch *search = data;

  for (guint i = 0; i < search->child->seen->len; i++)
    {
      BenchLine *line = g_ptr_array_index (search->child->seen, i);

      if (strstr (line->text, search->needle) != NULL)
        {
          search->seen_us = line->seen_us;
          return TRUE;
        }
    }

  return search->child->eof;
}

/* For programs that cannot stamp their own frame: when did a line containing @needle arrive. */
gboolean
bench_child_wait_line (BenchChild *child,
                       const char *needle,
                       guint       timeout_ms,
                       gint64     *out_seen_us)
{
  LineSearch search = { child, needle, 0 };

  wait_for (line_seen_or_eof, &search, timeout_ms);
  if (out_seen_us != NULL)
    *out_seen_us = search.seen_us;

  return search.seen_us != 0;
}

GPid
bench_child_get_pid (BenchChild *child)
{
  return child->pid;
}

gint64
bench_child_get_spawn_us (BenchChild *child)
{
  return child->spawn_us;
}

gint64
bench_child_get_first_frame_us (BenchChild *child)
{
  return child->first_frame_us;
}

const char *
bench_child_get_renderer (BenchChild *child)
{
  return child->renderer;
}

const char *
bench_child_get_log (BenchChild *child)
{
  return child->log->str;
}

gboolean
bench_child_is_running (BenchChild *child)
{
  return !child->exited;
}

static gboolean
child_exited (gpointer data)
{
  return ((BenchChild *) data)->exited;
}

/* SIGTERM, then SIGKILL after 5 s; returns once the child is reaped. */
void
bench_child_terminate (BenchChild *child)
{
  if (child->exited)
    return;

  g_subprocess_send_signal (child->process, SIGTERM);
  if (wait_for (child_exited, child, 5000))
    return;

  g_printerr ("bench: pid %d ignored SIGTERM for 5 s, killing it\n", (int) child->pid);
  g_subprocess_force_exit (child->process);
  wait_for (child_exited, child, 5000);
}

void
bench_child_free (BenchChild *child)
{
  if (child == NULL)
    return;

  bench_child_terminate (child);
  g_cancellable_cancel (child->cancellable);
  bench_child_release (child);
}

/* Sums every "Key:  N kB" line: works for smaps_rollup (one of each) and smaps (one per map). */
gboolean
bench_read_memory (GPid          pid,
                   BenchMemory  *out,
                   GError      **error)
{
  g_autofree char *rollup = g_strdup_printf ("/proc/%d/smaps_rollup", (int) pid);
  g_autofree char *smaps = g_strdup_printf ("/proc/%d/smaps", (int) pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 rss = 0, pss = 0, private_kib = 0;

  if (!g_file_get_contents (rollup, &contents, NULL, NULL) &&
      !g_file_get_contents (smaps, &contents, NULL, error))
    return FALSE;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *value = strchr (line, ':');
      guint64 kib;

      if (value == NULL)
        continue;
      kib = g_ascii_strtoull (value + 1, NULL, 10);

      if (g_str_has_prefix (line, "Rss:"))
        rss += kib;
      else if (g_str_has_prefix (line, "Pss:"))
        pss += kib;
      else if (g_str_has_prefix (line, "Private_Clean:") ||
               g_str_has_prefix (line, "Private_Dirty:"))
        private_kib += kib;
    }

  out->rss_mib = rss / 1024.0;
  out->pss_mib = pss / 1024.0;
  out->private_mib = private_kib / 1024.0;

  return TRUE;
}

static guint64
status_value (const char *status,
              const char *key)
{
  const char *found = strstr (status, key);

  if (found == NULL)
    return 0;

  return g_ascii_strtoull (found + strlen (key), NULL, 10);
}

gboolean
bench_read_cpu (GPid       pid,
                BenchCpu  *out,
                GError   **error)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *task_path = g_strdup_printf ("/proc/%d/task", (int) pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  g_autoptr(GDir) tasks = NULL;
  const char *after_comm;
  const char *tid;

  memset (out, 0, sizeof *out);
  out->threads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (!g_file_get_contents (stat_path, &stat, NULL, error))
    return FALSE;

  /* The command name may contain spaces and parentheses; the fields start after the last ')'.
   * Field 3 (state) is the first one there, utime and stime are fields 14 and 15. */
  after_comm = strrchr (stat, ')');
  if (after_comm == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: unexpected format", stat_path);
      return FALSE;
    }
  fields = g_strsplit (after_comm + 2, " ", -1);
  if (g_strv_length (fields) < 13)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: too few fields", stat_path);
      return FALSE;
    }
  out->ticks = g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);

  tasks = g_dir_open (task_path, 0, error);
  if (tasks == NULL)
    return FALSE;

  while ((tid = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *status_path = g_build_filename (task_path, tid, "status", NULL);
      g_autofree char *sched_path = g_build_filename (task_path, tid, "schedstat", NULL);
      g_autofree char *comm_path = g_build_filename (task_path, tid, "comm", NULL);
      g_autofree char *status = NULL;
      g_autofree char *sched = NULL;
      g_autofree char *comm = NULL;
      BenchThread *thread;

      /* A thread may end between listing and reading: then it is not there. */
      if (!g_file_get_contents (status_path, &status, NULL, NULL))
        continue;

      thread = g_new0 (BenchThread, 1);
      thread->switches = status_value (status, "voluntary_ctxt_switches:") +
                         status_value (status, "nonvoluntary_ctxt_switches:");
      if (g_file_get_contents (sched_path, &sched, NULL, NULL))
        thread->run_ns = g_ascii_strtoull (sched, NULL, 10);
      if (g_file_get_contents (comm_path, &comm, NULL, NULL))
        g_strchomp (comm);

      g_hash_table_insert (out->threads, g_strdup_printf ("%s %s", tid, comm ? comm : "?"),
                           thread);
    }

  return TRUE;
}

void
bench_cpu_clear (BenchCpu *cpu)
{
  g_clear_pointer (&cpu->threads, g_hash_table_unref);
}

void
bench_cpu_delta (BenchCpu      *before,
                 BenchCpu      *after,
                 BenchCpuDelta *out)
{
  GString *text = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;

  memset (out, 0, sizeof *out);

  g_hash_table_iter_init (&iter, after->threads);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      BenchThread *now = value;
      BenchThread *was = g_hash_table_lookup (before->threads, key);
      guint64 switches = now->switches - (was ? was->switches : 0);

      out->switches += switches;
      out->run_ns += now->run_ns - (was ? was->run_ns : 0);
      if (switches > 0)
        g_string_append_printf (text, "%s%s%s: %" G_GUINT64_FORMAT, text->len ? ", " : "",
                                (const char *) key, was ? "" : " (new)", switches);
    }

  g_hash_table_iter_init (&iter, before->threads);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (after->threads, key))
      {
        out->ended++;
        g_string_append_printf (text, "%s%s: exited", text->len ? ", " : "", (const char *) key);
      }

  if (text->len == 0)
    g_string_append (text, "none");
  out->threads = g_string_free (text, FALSE);
}

static GPid
parent_of (const char *pid)
{
  g_autofree char *path = g_build_filename ("/proc", pid, "stat", NULL);
  g_autofree char *stat = NULL;
  const char *after_comm;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return 0;

  after_comm = strrchr (stat, ')');
  if (after_comm == NULL || strlen (after_comm) < 4)
    return 0;

  /* ") S PPID ..." */
  return (GPid) g_ascii_strtoll (after_comm + 4, NULL, 10);
}

/* @pid and every process below it, as they are now. */
GArray *
bench_list_descendants (GPid pid)
{
  GArray *tree = g_array_new (FALSE, FALSE, sizeof (GPid));
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (GPid) * 2);
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  gboolean grew = TRUE;

  g_array_append_val (tree, pid);
  if (proc == NULL)
    return tree;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      GPid pair[2];

      if (!g_ascii_isdigit (name[0]))
        continue;
      pair[0] = (GPid) g_ascii_strtoll (name, NULL, 10);
      pair[1] = parent_of (name);
      g_array_append_vals (all, pair, 1);
    }

  while (grew)
    {
      grew = FALSE;
      for (guint i = 0; i < all->len; i++)
        {
          GPid *pair = &((GPid *) all->data)[i * 2];
          gboolean parent_in = FALSE, self_in = FALSE;

          for (guint j = 0; j < tree->len; j++)
            {
              GPid member = g_array_index (tree, GPid, j);

              parent_in |= member == pair[1];
              self_in |= member == pair[0];
            }

          if (parent_in && !self_in)
            {
              g_array_append_val (tree, pair[0]);
              grew = TRUE;
            }
        }
    }

  return tree;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample with at least @fraction of the samples at or below it. */
double
bench_percentile (GArray *values,
                  double  fraction)
{
  gint64 rank;

  if (values->len == 0)
    return NAN;

  g_array_sort (values, compare_doubles);
  rank = (gint64) ceil (fraction * values->len) - 1;
  rank = CLAMP (rank, 0, (gint64) values->len - 1);

  return g_array_index (values, double, rank);
}

double
bench_median (GArray *values)
{
  guint n = values->len;

  if (n == 0)
    return NAN;

  g_array_sort (values, compare_doubles);
  if (n % 2 == 1)
    return g_array_index (values, double, n / 2);

  return (g_array_index (values, double, n / 2 - 1) + g_array_index (values, double, n / 2)) / 2;
}

double
bench_max (GArray *values)
{
  return bench_percentile (values, 1.0);
}

/* statfs(2) magic numbers of the file systems one meets on a development machine or a Pi. */
char *
bench_describe_filesystem (const char *path,
                           gboolean   *out_is_tmpfs)
{
  static const struct { unsigned long magic; const char *name; } known[] = {
    { 0xEF53, "ext2/3/4" },
    { 0x01021994, "tmpfs" },
    { 0x58465342, "xfs" },
    { 0x9123683E, "btrfs" },
    { 0xF2F52010, "f2fs" },
    { 0x794C7630, "overlayfs" },
    { 0x4D44, "vfat" },
    { 0x6969, "nfs" },
    { 0x65735546, "fuse" },
    { 0x858458F6, "ramfs" },
  };
  struct statfs info;

  if (out_is_tmpfs != NULL)
    *out_is_tmpfs = FALSE;

  if (statfs (path, &info) != 0)
    return g_strdup_printf ("unknown (statfs: %s)", g_strerror (errno));

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if ((unsigned long) info.f_type == known[i].magic)
      {
        if (out_is_tmpfs != NULL)
          *out_is_tmpfs = known[i].magic == 0x01021994 || known[i].magic == 0x858458F6;
        return g_strdup_printf ("%s (f_type 0x%lx)", known[i].name, (unsigned long) info.f_type);
      }

  return g_strdup_printf ("f_type 0x%lx", (unsigned long) info.f_type);
}

char *
bench_make_temp_dir (const char  *parent,
                     const char  *tmpl,
                     GError     **error)
{
  g_autofree char *path = NULL;

  if (parent == NULL)
    return g_dir_make_tmp (tmpl, error);

  if (g_mkdir_with_parents (parent, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Cannot create %s: %s",
                   parent, g_strerror (saved));
      return NULL;
    }

  path = g_build_filename (parent, tmpl, NULL);
  if (g_mkdtemp (path) == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Cannot create %s: %s",
                   path, g_strerror (saved));
      return NULL;
    }

  return g_steal_pointer (&path);
}

void
bench_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_remove (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      bench_remove_tree (child);
    }

  g_rmdir (path);
}

const char *
bench_verdict (gboolean pass)
{
  return pass ? "PASS" : "MISS";
}

static void
drop_message (const char     *domain,
              GLogLevelFlags  level,
              const char     *message,
              gpointer        user_data)
{
}

void
bench_ignore_proxy (void)
{
  g_unsetenv ("http_proxy");
  g_unsetenv ("all_proxy");
  g_unsetenv ("ALL_PROXY");
}

void
bench_quiet_uploader (void)
{
  g_log_set_handler ("kiosk-uploader", G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG,
                     drop_message, NULL);
}
