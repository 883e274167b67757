/* kiosk-tty.c: a secret (an admin PIN, a dashboard password) read from standard input, without
 * echo when a person types it at a terminal. Shared by smiley-kiosk and smiley-kiosk-server. */
#define G_LOG_DOMAIN "kiosk-tty"

#include "config.h"

#include <termios.h>
#include <unistd.h>

#include "kiosk-tty.h"

/**
 * kiosk_tty_read_line:
 *
 * Returns: (nullable): one line from @stream without its line end ("\n" or "\r\n"); NULL at the
 *   end of input
 */
char *
kiosk_tty_read_line (FILE *stream)
{
  g_autoptr(GString) line = g_string_new (NULL);
  int c;

  while ((c = fgetc (stream)) != EOF && c != '\n')
    g_string_append_c (line, (char) c);

  if (c == EOF && line->len == 0)
    return NULL;
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);

  return g_string_free (g_steal_pointer (&line), FALSE);
}

/**
 * kiosk_tty_prompt_hidden:
 * @prompt: what to ask, written to standard error so that standard output holds only what the
 *   command prints
 *
 * A line from standard input; from a terminal, typed without echo. A pipe is read as it is.
 *
 * Returns: (nullable): the line, NULL at the end of input
 */
char *
kiosk_tty_prompt_hidden (const char *prompt)
{
  struct termios saved, quiet;
  char *line;

  g_printerr ("%s", prompt);
  if (tcgetattr (STDIN_FILENO, &saved) != 0)
    return kiosk_tty_read_line (stdin);

  quiet = saved;
  quiet.c_lflag &= ~(tcflag_t) ECHO;
  quiet.c_lflag |= ECHONL;
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  line = kiosk_tty_read_line (stdin);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);

  return line;
}
