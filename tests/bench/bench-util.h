/* bench-util.h: what the benchmarks share: starting a program and waiting for its first frame,
 * reading its memory and CPU figures from /proc, and summarising samples. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  double rss_mib;
  double pss_mib;
  double private_mib;       /* Private_Clean + Private_Dirty */
} BenchMemory;

typedef struct
{
  guint64 switches;         /* voluntary + nonvoluntary context switches */
  guint64 run_ns;           /* first field of schedstat; 0 when unavailable */
} BenchThread;

typedef struct
{
  guint64 ticks;            /* utime + stime of /proc/PID/stat (dead threads included) */
  GHashTable *threads;      /* "TID comm" -> BenchThread, the threads alive at that moment */
} BenchCpu;

/* Between two readings, per thread: a thread that ended took its counters with it, so only
 * the threads alive at both ends (or born in between) are counted exactly. */
typedef struct
{
  guint64 switches;
  guint64 run_ns;
  guint   ended;            /* threads that exited in between (each woke at least once) */
  char   *threads;          /* "TID comm: n, ..." for every thread that was switched */
} BenchCpuDelta;

typedef struct _BenchChild BenchChild;

/* Starting programs. @env is a NULL-terminated list of "NAME=VALUE" added to the environment. */
BenchChild *bench_child_spawn            (const char * const *argv,
                                          const char * const *env,
                                          GError            **error);
gboolean    bench_child_wait_first_frame (BenchChild         *child,
                                          guint               timeout_ms,
                                          GError            **error);
gboolean    bench_child_wait_line        (BenchChild         *child,
                                          const char         *needle,
                                          guint               timeout_ms,
                                          gint64             *out_seen_us);
GPid        bench_child_get_pid          (BenchChild         *child);
gint64      bench_child_get_spawn_us     (BenchChild         *child);
gint64      bench_child_get_first_frame_us (BenchChild       *child);
const char *bench_child_get_renderer     (BenchChild         *child);
const char *bench_child_get_log          (BenchChild         *child);
gboolean    bench_child_is_running       (BenchChild         *child);
void        bench_child_terminate        (BenchChild         *child);
void        bench_child_free             (BenchChild         *child);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchChild, bench_child_free)

/* Runs the default main context (so children's stderr keeps draining) for @ms. */
void        bench_sleep_ms               (guint               ms);

/* /proc */
gboolean    bench_read_memory            (GPid                pid,
                                          BenchMemory        *out,
                                          GError            **error);
gboolean    bench_read_cpu               (GPid                pid,
                                          BenchCpu           *out,
                                          GError            **error);
void        bench_cpu_clear              (BenchCpu           *cpu);
void        bench_cpu_delta              (BenchCpu           *before,
                                          BenchCpu           *after,
                                          BenchCpuDelta      *out);
GArray     *bench_list_descendants       (GPid                pid);

/* Statistics over a GArray of double; the array is sorted in place. */
double      bench_percentile             (GArray             *values,
                                          double              fraction);
double      bench_median                 (GArray             *values);
double      bench_max                    (GArray             *values);

/* Environment */
char       *bench_describe_filesystem    (const char         *path,
                                          gboolean           *out_is_tmpfs);
char       *bench_make_temp_dir          (const char         *parent,
                                          const char         *tmpl,
                                          GError            **error);
void        bench_remove_tree            (const char         *path);
const char *bench_verdict                (gboolean            pass);
/* Drops the uploader's messages, infos and debug output, which would drown a report. */
void        bench_quiet_uploader         (void);
/* The tests' server is on loopback: a proxy from the environment must not sit between the
 * uploader and it. Call before any thread starts (it changes the environment). */
void        bench_ignore_proxy           (void);

G_END_DECLS
