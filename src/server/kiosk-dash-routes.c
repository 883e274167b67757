/* kiosk-dash-routes.c: every URL of the dashboard, in one table, with who may open it. */
#define G_LOG_DOMAIN "kiosk-dash"

#include "kiosk-dash-pages.h"

const KioskDashRoute kiosk_dash_routes[] = {
  { "GET",  "/login",              kiosk_dash_login_form,   KIOSK_DASH_ROUTE_PUBLIC },
  { "POST", "/login",              kiosk_dash_login_submit, KIOSK_DASH_ROUTE_PUBLIC },
  { "POST", "/logout",             kiosk_dash_logout,       KIOSK_DASH_ROUTE_SESSION },
  { "GET",  "/static/*",           kiosk_dash_static,       KIOSK_DASH_ROUTE_PUBLIC },
  { "GET",  "/",                   kiosk_dash_overview,     KIOSK_DASH_ROUTE_SESSION },
  { "GET",  "/overview.csv",       kiosk_dash_overview_csv, KIOSK_DASH_ROUTE_SESSION },
  { "GET",  "/sites/*",            kiosk_dash_site,         KIOSK_DASH_ROUTE_SESSION },
  { "GET",  "/sites/*/*",          kiosk_dash_site_csv,     KIOSK_DASH_ROUTE_SESSION },
  { "GET",  "/compare",            kiosk_dash_compare,      KIOSK_DASH_ROUTE_SESSION },
  { "GET",  "/compare.csv",        kiosk_dash_compare_csv,  KIOSK_DASH_ROUTE_SESSION },
  { "GET",  "/fleet",              kiosk_dash_fleet,        KIOSK_DASH_ROUTE_ADMIN },
  { "GET",  "/fleet.csv",          kiosk_dash_fleet_csv,    KIOSK_DASH_ROUTE_ADMIN },
  { "GET",  "/alerts",             kiosk_dash_alerts,       KIOSK_DASH_ROUTE_SESSION },
  { "GET",  "/alerts.csv",         kiosk_dash_alerts_csv,   KIOSK_DASH_ROUTE_SESSION },
  { "POST", "/alerts/acknowledge", kiosk_dash_alerts_acknowledge, KIOSK_DASH_ROUTE_SESSION },
  { "GET",  "/alerts/rules",       kiosk_dash_rules,        KIOSK_DASH_ROUTE_ADMIN },
  { "POST", "/alerts/rules",       kiosk_dash_rules_save,   KIOSK_DASH_ROUTE_ADMIN },
  { "POST", "/alerts/rules/remove", kiosk_dash_rules_remove, KIOSK_DASH_ROUTE_ADMIN },
  { "GET",  "/reports",            kiosk_dash_reports,      KIOSK_DASH_ROUTE_SESSION },
  { "GET",  "/reports/download",   kiosk_dash_reports_download, KIOSK_DASH_ROUTE_SESSION },
  { "POST", "/reports/schedules",  kiosk_dash_schedules_add, KIOSK_DASH_ROUTE_ADMIN },
  { "POST", "/reports/schedules/remove", kiosk_dash_schedules_remove, KIOSK_DASH_ROUTE_ADMIN },
  { NULL, NULL, NULL, 0 },
};
