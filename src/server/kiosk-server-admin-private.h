/* kiosk-server-admin-private.h: what the administration commands share: their argument
 * parser, their error and table output. */
#pragma once

#include <libpq-fe.h>

#include "kiosk-server-admin.h"

G_BEGIN_DECLS

#define EXIT_USAGE 2

/* Options of one command: "--name VALUE" or "--name=VALUE"; the rest are positional. */
typedef struct
{
  GHashTable *values;      /* name → GPtrArray of values */
  GPtrArray  *positional;
} Args;

void        _kiosk_admin_args_clear     (Args               *args);
gboolean    _kiosk_admin_parse_args     (int                 argc,
                                         char              **argv,
                                         const char * const *allowed,
                                         const char * const *flags,
                                         Args               *args);
/* The last value of option @name, or NULL. */
const char *_kiosk_admin_arg            (Args               *args,
                                         const char         *name);
/* Prints @error's message and returns exit status 1. */
int         _kiosk_admin_fail           (GError             *error);
/* Whether @text is a day as YYYY-MM-DD; @out_date (may be NULL) gets it. */
gboolean    _kiosk_admin_parse_date     (const char         *text,
                                         GDate              *out_date);
void        _kiosk_admin_print_table    (PGresult           *result);
/* Runs @sql and prints its rows as a table; returns the exit status. */
int         _kiosk_admin_list           (PGconn             *conn,
                                         const char         *sql,
                                         int                 n_params,
                                         const char        **params);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Args, _kiosk_admin_args_clear)

G_END_DECLS
