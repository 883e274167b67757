/* kiosk-server-admin.h: the administration commands of smiley-kiosk-server (groups, sites,
 * devices, surveys, export, dashboard users). Each returns an exit status: 0 done, 1 failed, 2 bad arguments. */
#pragma once

#include <libpq-fe.h>

G_BEGIN_DECLS

int kiosk_server_admin_group  (PGconn *conn, int argc, char **argv);
int kiosk_server_admin_site   (PGconn *conn, int argc, char **argv);
int kiosk_server_admin_device (PGconn *conn, int argc, char **argv);
int kiosk_server_admin_survey (PGconn *conn, int argc, char **argv);
int kiosk_server_admin_export (PGconn *conn, int argc, char **argv);
int kiosk_server_admin_user   (PGconn *conn, int argc, char **argv);

G_END_DECLS
