/* kiosk-dash-pages.h: the dashboard's pages, one file each. */
#pragma once

#include "kiosk-dash.h"

G_BEGIN_DECLS

/* kiosk-dash-login.c */
KioskDashPage kiosk_dash_login_form, kiosk_dash_login_submit, kiosk_dash_logout, kiosk_dash_static;

/* kiosk-dash-overview.c: every site the user may see */
KioskDashPage kiosk_dash_overview, kiosk_dash_overview_csv;

/* kiosk-dash-site.c: one site; the CSV routes take the table's name as the second "*" */
KioskDashPage kiosk_dash_site, kiosk_dash_site_csv;

/* kiosk-dash-compare.c: sites and groups ranked, beside their type's and country's average */
KioskDashPage kiosk_dash_compare, kiosk_dash_compare_csv;

/* kiosk-dash-fleet.c: every kiosk's health */
KioskDashPage kiosk_dash_fleet, kiosk_dash_fleet_csv;

/* kiosk-dash-alerts.c: the open episodes and the history, acknowledging one */
KioskDashPage kiosk_dash_alerts, kiosk_dash_alerts_csv, kiosk_dash_alerts_acknowledge;

/* kiosk-dash-rules.c: the alert rules (admins), added, changed and removed through forms */
KioskDashPage kiosk_dash_rules, kiosk_dash_rules_save, kiosk_dash_rules_remove;

/* kiosk-dash-reports.c: a report's PDF for a site or group; the schedules (admins) */
KioskDashPage kiosk_dash_reports, kiosk_dash_reports_download, kiosk_dash_schedules_add,
              kiosk_dash_schedules_remove;

G_END_DECLS
