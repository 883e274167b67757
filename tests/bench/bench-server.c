/* bench-server.c: the tests' cloud server in a child process, for the benchmarks that deliver to
 * it (bench-drain, bench-soak). */
#define G_LOG_DOMAIN "bench-server"

#include "bench-config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>

#include "bench-server.h"
#include "kiosk-test-server.h"
#include "kiosk-test-sync.h"

/* Prints the URL, then obeys one command a line until stdin closes. */
int
bench_server_serve (void)
{
  g_autoptr(KioskTestServer) server = kiosk_test_server_new (KIOSK_TEST_SERVER_KEEP_NO_EVENTS,
                                                             NULL);
  gboolean down = FALSE;
  guint stalled_at = G_MAXUINT;
  char line[256];

  kiosk_test_server_set_token (server, KIOSK_TEST_TOKEN);
  printf ("URL %s\n", kiosk_test_server_get_url (server));
  fflush (stdout);

  while (fgets (line, sizeof line, stdin) != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (g_str_has_prefix (line, "DOWN"))
        {
          kiosk_test_server_set_down (server, TRUE);
          down = TRUE;
        }
      else if (g_str_has_prefix (line, "REFUSE"))
        kiosk_test_server_set_status (server, "/v1/events", 503, "Retry-After: 1\r\n",
                                      "Maintenance");
      else if (g_str_has_prefix (line, "STALL"))
        {
          guint requests = kiosk_test_server_count_requests (server, "/v1/events");

          /* One stalled request at a time: outages come faster than a hang times out. */
          if (requests != stalled_at)
            kiosk_test_server_push_fault (server, "/v1/events", KIOSK_FAULT_HANG, 0, NULL, NULL);
          stalled_at = requests;
        }
      else if (g_str_has_prefix (line, "UP"))
        {
          if (down)
            kiosk_test_server_set_down (server, FALSE);
          down = FALSE;
          kiosk_test_server_set_status (server, "/v1/events", 0, NULL, NULL);
        }
      else if (g_str_has_prefix (line, "CHECK "))
        {
          gint64 expected = g_ascii_strtoll (line + 6, NULL, 10);

          if (kiosk_test_server_check_exactly_once (server, KIOSK_TEST_SOURCE, expected, &error) &&
              kiosk_test_server_count_violations (server) == 0)
            printf ("OK %u accepted, %u duplicates, %u requests\n",
                    kiosk_test_server_count_accepted (server),
                    kiosk_test_server_count_duplicates (server),
                    kiosk_test_server_count_requests (server, "/v1/events"));
          else
            {
              g_autofree char *violations = kiosk_test_server_dup_violations (server);

              printf ("FAIL %s %s\n", error ? error->message : "contract violations:",
                      violations ? g_strdelimit (violations, "\n", ' ') : "");
            }
          fflush (stdout);
        }
    }

  return 0;
}

/* In the child before exec: every thread the server starts inherits the nice value. (Set on
 * its pid from outside, it would reach the main thread only: Linux keeps one per thread.) */
static void
lower_priority (gpointer data)
{
  int nice_value = GPOINTER_TO_INT (data);

  static const char message[] = "bench-server: cannot set the test server's nice value\n";

  /* Only async-signal-safe calls here, between fork and exec. */
  if (nice_value != 0 && setpriority (PRIO_PROCESS, 0, nice_value) != 0)
    {
      if (write (STDERR_FILENO, message, sizeof message - 1) < 0)
        _exit (127);
      _exit (126);
    }
}

gboolean
bench_server_start (BenchServer  *server,
                    const char   *self,
                    int           nice_value,
                    GError      **error)
{
  const char *argv[] = { self, "--serve", NULL };
  char line[256];
  int in_fd, out_fd;

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                 lower_priority, GINT_TO_POINTER (nice_value), &server->pid,
                                 &in_fd, &out_fd, NULL, error))
    return FALSE;

  server->in = fdopen (in_fd, "w");
  server->out = fdopen (out_fd, "r");
  if (fgets (line, sizeof line, server->out) == NULL || !g_str_has_prefix (line, "URL "))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the test server did not start");
      return FALSE;
    }
  server->url = g_strstrip (g_strdup (line + 4));
  return TRUE;
}

void
bench_server_send (BenchServer *server,
                   const char  *command)
{
  fprintf (server->in, "%s\n", command);
  fflush (server->in);
}

char *
bench_server_check (BenchServer *server,
                    gint64       expected)
{
  char line[4096];

  fprintf (server->in, "CHECK %" G_GINT64_FORMAT "\n", expected);
  fflush (server->in);
  if (fgets (line, sizeof line, server->out) == NULL)
    return g_strdup ("FAIL the test server died");
  return g_strstrip (g_strdup (line));
}

void
bench_server_stop (BenchServer *server)
{
  int status;

  if (server->in != NULL)
    fclose (server->in);
  if (server->out != NULL)
    fclose (server->out);
  if (server->pid > 0)
    {
      waitpid (server->pid, &status, 0);
      g_spawn_close_pid (server->pid);
    }
  g_free (server->url);
  memset (server, 0, sizeof *server);
}
