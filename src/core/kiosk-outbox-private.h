/* kiosk-outbox-private.h: the outbox's instance and the SQLite helpers shared by its files
 * (kiosk-outbox.c: the connection and the queue; -results.c: the server's answers; -prune.c). */
#pragma once

#include <sqlite3.h>

#include "kiosk-outbox.h"

G_BEGIN_DECLS

/* Ended visits neither delivered nor rejected: the queue. */
#define PENDING "delivered_us IS NULL AND rejected = 0 AND visit_ended = 1"

struct _KioskOutbox
{
  GObject               parent_instance;

  /* owned */
  char                 *path;
  sqlite3              *db;
  sqlite3_stmt         *batch_stmt;
  sqlite3_stmt         *delivered_many_stmt;
  sqlite3_stmt         *state_get_stmt;
  sqlite3_stmt         *state_set_stmt;

  /* The connection hit an error it does not recover from by itself (an I/O error, a file
   * system turned read-only); its owner opens a new one. */
  gboolean              broken;

  KioskOutboxOpenFlags  flags;
};

gboolean  _kiosk_outbox_set_error   (KioskOutbox   *self,
                                     GError       **error,
                                     int            rc,
                                     const char    *doing);
int       _kiosk_outbox_prepare     (KioskOutbox   *self,
                                     sqlite3_stmt **stmt,
                                     const char    *sql);
gboolean  _kiosk_outbox_query_param (KioskOutbox   *self,
                                     const char    *sql,
                                     gint64         param,
                                     const char    *doing,
                                     gint64        *out,
                                     GError       **error);
gboolean  _kiosk_outbox_query       (KioskOutbox   *self,
                                     const char    *sql,
                                     gint64        *out,
                                     GError       **error);
gboolean  _kiosk_outbox_exec        (KioskOutbox   *self,
                                     const char    *sql,
                                     const char    *doing,
                                     GError       **error,
                                     void         (*bind) (sqlite3_stmt *stmt, gpointer data),
                                     gpointer       data);

G_END_DECLS
