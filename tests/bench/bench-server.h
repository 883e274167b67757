/* bench-server.h: the tests' cloud server in a child process of its own, so that its work is not
 * counted in the benchmark's own CPU and memory, driven one command a line over pipes. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  GPid  pid;
  FILE *in;
  FILE *out;
  char *url;
} BenchServer;

/* The child's side: call from main() when the program runs with --serve. */
int       bench_server_serve (void);

/* Starts @self --serve with @nice_value (0: the caller's) and reads the server's URL. */
gboolean  bench_server_start (BenchServer  *server,
                              const char   *self,
                              int           nice_value,
                              GError      **error);
/* "DOWN", "REFUSE" (503), "STALL" (one request hangs), "UP". */
void      bench_server_send  (BenchServer  *server,
                              const char   *command);
/* "OK <n> accepted, <n> duplicates, <n> requests" when the server holds responses 1..@expected
 * exactly once and saw no contract violation, else "FAIL ..." saying what is wrong. */
char     *bench_server_check (BenchServer  *server,
                              gint64        expected);
void      bench_server_stop  (BenchServer  *server);

G_END_DECLS
