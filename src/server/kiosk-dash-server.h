/* kiosk-dash-server.h: the dashboard's own libmicrohttpd listener, beside the kiosks' API; and
 * the parts of a request's handling that need no network, for the tests. */
#pragma once

#include <glib.h>

#include "kiosk-dash.h"
#include "kiosk-server-http.h"

G_BEGIN_DECLS

typedef struct _KioskDashServer KioskDashServer;

typedef struct
{
  KioskServerListenOptions listener;  /* port 0 picks a free one; each thread has its own
                                       * database connection */
  gboolean                 secure_cookies;  /* cookies get Secure ([dashboard] secure-cookies) */
} KioskDashServerOptions;

/* The largest form a POST may carry: 413 beyond. */
#define KIOSK_DASH_MAX_FORM_BYTES (64 * 1024)

KioskDashServer      *kiosk_dash_server_start    (const KioskDashServerOptions *options,
                                                  GError                      **error);
guint16               kiosk_dash_server_get_port (KioskDashServer              *self);
void                  kiosk_dash_server_stop     (KioskDashServer              *self);

/* The route of @routes for @method and @path; @out_args gets the percent-decoded "*" segments.
 * NULL when none: then @allow (may be NULL) gets the methods the path has, if any (405). */
const KioskDashRoute *kiosk_dash_route_match     (const KioskDashRoute *routes,
                                                  const char           *method,
                                                  const char           *path,
                                                  GPtrArray           **out_args,
                                                  GString              *allow);
/* name → value (the last of each), "+" and %XX decoded; pairs that are not UTF-8 are dropped. */
GHashTable           *kiosk_dash_parse_urlencoded (const char          *data,
                                                  gsize                length);
/* Whether @next is a path of this site (no scheme, no host, no "//", no backslash). */
gboolean              kiosk_dash_next_is_local   (const char           *next);

/* Languages (kiosk-dash-i18n.c) */
/* The best of po/LINGUAS and "en" for an Accept-Language header; "en" when none fits. */
const char           *kiosk_dash_negotiate_language (const char        *accept_language);
/* The canonical (static) code of @language when it is one the dashboard speaks, else NULL. */
const char           *kiosk_dash_language_lookup (const char           *language);
/* Every language the dashboard speaks: "en" first, then po/LINGUAS; NULL-terminated, static. */
const char * const   *kiosk_dash_languages       (void);
const char           *kiosk_dash_translate       (const char           *language,
                                                  const char           *msgid);
/* Numbers and dates in @language (NULL: English), for what has no request: a report and its
 * mail. kiosk-dash.h's kiosk_dash_format_* are these in the request's language. */
char                 *kiosk_dash_language_format_count   (const char   *language,
                                                          guint64       count);
char                 *kiosk_dash_language_format_index   (const char   *language,
                                                          double        happy_index);
char                 *kiosk_dash_language_format_percent (const char   *language,
                                                          double        fraction);
char                 *kiosk_dash_language_format_date    (const char   *language,
                                                          const GDate  *date);
char                 *kiosk_dash_language_format_time    (const char   *language,
                                                          gint64        unix_us,
                                                          const char   *time_zone);
const char           *kiosk_dash_language_weekday_name   (const char   *language,
                                                          GDateWeekday  weekday,
                                                          gboolean      abbreviated);
/* A compiled GNU gettext catalogue: msgid → msgstr, pointing into @data (keep it alive). */
GHashTable           *kiosk_dash_mo_parse        (GBytes               *data,
                                                  GError              **error);

G_END_DECLS
