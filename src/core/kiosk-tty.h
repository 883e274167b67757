/* kiosk-tty.h: a secret (an admin PIN, a dashboard password) read from standard input, without
 * echo when a person types it at a terminal. Shared by smiley-kiosk and smiley-kiosk-server. */
#pragma once

#include <stdio.h>

#include <glib.h>

G_BEGIN_DECLS

char *kiosk_tty_read_line     (FILE       *stream);
char *kiosk_tty_prompt_hidden (const char *prompt);

G_END_DECLS
