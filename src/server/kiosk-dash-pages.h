/* kiosk-dash-pages.h: the dashboard's pages, one file each. */
#pragma once

#include "kiosk-dash.h"

G_BEGIN_DECLS

/* kiosk-dash-login.c */
void kiosk_dash_login_form     (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);
void kiosk_dash_login_submit   (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);
void kiosk_dash_logout         (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);
void kiosk_dash_static         (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);

/* kiosk-dash-overview.c: every site the user may see */
void kiosk_dash_overview       (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);
void kiosk_dash_overview_csv   (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);

/* kiosk-dash-site.c: one site; the CSV routes take the table's name as the second "*" */
void kiosk_dash_site           (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);
void kiosk_dash_site_csv       (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);

/* kiosk-dash-compare.c: sites and groups ranked, beside their type's and country's average */
void kiosk_dash_compare        (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);
void kiosk_dash_compare_csv    (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);

/* kiosk-dash-fleet.c: every kiosk's health */
void kiosk_dash_fleet          (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);
void kiosk_dash_fleet_csv      (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);

/* kiosk-dash-alerts.c: the open episodes and the history, acknowledging one */
void kiosk_dash_alerts         (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);
void kiosk_dash_alerts_csv     (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);
void kiosk_dash_alerts_acknowledge (KioskDashRequest *request, PGconn *conn,
                                    KioskDashReply *reply);

/* kiosk-dash-rules.c: the alert rules (admins), added, changed and removed through forms */
void kiosk_dash_rules          (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);
void kiosk_dash_rules_save     (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);
void kiosk_dash_rules_remove   (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);

/* kiosk-dash-reports.c: a report's PDF for a site or group; the schedules (admins) */
void kiosk_dash_reports        (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);
void kiosk_dash_reports_download (KioskDashRequest *request, PGconn *conn,
                                  KioskDashReply *reply);
void kiosk_dash_schedules_add  (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply);
void kiosk_dash_schedules_remove (KioskDashRequest *request, PGconn *conn,
                                  KioskDashReply *reply);

G_END_DECLS
