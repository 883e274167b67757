/* kiosk-server-alerts.h: alert rules (table alert_rules, migration 006), their evaluation as
 * responses arrive and on a timer, and the episodes they open and close.
 *
 * A rule watches one site, or each site of a group. It holds when, on the site's responses of
 * the last window_minutes (misuse left out):
 *   unhappy-share       n ≥ min_responses and the share below the middle face ≥ threshold %
 *   very-unhappy-count  the responses on the lowest face ≥ threshold
 *   happy-index         n ≥ min_responses over the site's local day so far and its Happy
 *                       Index < threshold
 *   silent-kiosk        a kiosk of the site has not been heard for window_minutes of the
 *                       site's opening time
 * An episode opens once when its rule starts to hold (one per site, or per kiosk), and closes
 * when the rule has not held for window_minutes. Opening and closing queue the rule's mails and
 * webhook (kiosk-server-delivery.h) in the same transaction. */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

#include "kiosk-server-config.h"

G_BEGIN_DECLS

#define KIOSK_ALERT_ERROR (kiosk_alert_error_quark ())

typedef enum
{
  KIOSK_ALERT_ERROR_INVALID,   /* the rule's definition: one line per problem, naming the field */
  KIOSK_ALERT_ERROR_UNKNOWN,   /* no such rule, site, group or episode */
  KIOSK_ALERT_ERROR_EXISTS,    /* a rule of that name exists already */
} KioskAlertError;

typedef enum
{
  KIOSK_ALERT_UNHAPPY_SHARE,
  KIOSK_ALERT_HAPPY_INDEX,
  KIOSK_ALERT_VERY_UNHAPPY_COUNT,
  KIOSK_ALERT_SILENT_KIOSK,
  KIOSK_ALERT_N_KINDS
} KioskAlertKind;

typedef struct
{
  char          *name;
  KioskAlertKind kind;
  char          *site;            /* the site's name, or NULL */
  char          *group;           /* the group's name, or NULL: exactly one of the two */
  double         threshold;
  guint          window_minutes;
  guint          min_responses;
  GPtrArray     *emails;          /* char* */
  char          *webhook_url;     /* NULL: none */
  char          *webhook_format;  /* kiosk_delivery_webhook_body()'s formats */
  char          *language;        /* of the messages: a po/LINGUAS code or "en" */
  gboolean       enabled;
} KioskAlertRule;

GQuark          kiosk_alert_error_quark  (void);

/* "unhappy-share" …; NULL when @kind is not one. */
const char     *kiosk_alert_kind_to_string (KioskAlertKind kind);
gboolean        kiosk_alert_kind_from_string (const char    *text,
                                              KioskAlertKind *out_kind);

/* A rule of @kind with the defaults: unhappy-share 50 % of at least 4 responses within 15
 * minutes (HappyOrNot's recommendation); very-unhappy-count 3 within 15 minutes; happy-index
 * below 70 with at least 20 responses, closed after 60 minutes above; silent-kiosk 15 minutes. */
KioskAlertRule *kiosk_alert_rule_new     (KioskAlertKind   kind);
void            kiosk_alert_rule_free    (KioskAlertRule  *rule);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskAlertRule, kiosk_alert_rule_free)

/* Checks what can be checked without the database; every problem in one
 * KIOSK_ALERT_ERROR_INVALID, a line each, e.g. "threshold: 150 is not a percentage (1 to 100)". */
gboolean        kiosk_alert_rule_check   (const KioskAlertRule *rule,
                                          GError              **error);
/* Checks, resolves the site or group (KIOSK_ALERT_ERROR_UNKNOWN) and stores @rule: a new one,
 * or with @replace the rule of that name (its open episodes stay open). */
gboolean        kiosk_alert_rule_save    (PGconn               *conn,
                                          const KioskAlertRule *rule,
                                          gboolean              replace,
                                          GError              **error);
/* The rule called @name, or NULL with KIOSK_ALERT_ERROR_UNKNOWN. */
KioskAlertRule *kiosk_alert_rule_load    (PGconn               *conn,
                                          const char           *name,
                                          GError              **error);
/* Removes the rule and its history (its episodes). */
gboolean        kiosk_alert_rule_remove  (PGconn               *conn,
                                          const char           *name,
                                          GError              **error);

/* The longest acknowledgement comment, in characters. */
#define KIOSK_ALERT_ACK_MAX_CHARS 1000

/* Marks an episode acknowledged by @user_name with @comment (may be empty); an episode
 * acknowledged already keeps the first acknowledgement (FALSE, KIOSK_ALERT_ERROR_EXISTS). */
gboolean        kiosk_alert_acknowledge  (PGconn               *conn,
                                          gint64                episode_id,
                                          const char           *user_name,
                                          const char           *comment,
                                          GError              **error);

/* One evaluation of every enabled rule (@site_id 0) or of the rules that watch one site, at
 * @now_us: opens, updates and closes episodes and queues their messages. @out_changed (may be
 * NULL) gets how many episodes opened or closed. */
gboolean        kiosk_alerts_evaluate    (PGconn                  *conn,
                                          const KioskServerConfig *config,
                                          gint64                   site_id,
                                          gint64                   now_us,
                                          guint                   *out_changed,
                                          GError                 **error);

typedef struct _KioskDelivery KioskDelivery;
typedef struct _KioskAlerts KioskAlerts;

/* The thread that evaluates: for a site as soon as its responses are stored
 * (kiosk_alerts_poke_site), every rule each [alerts] interval, and the report schedules. */
KioskAlerts    *kiosk_alerts_start       (const KioskServerConfig *config,
                                          KioskDelivery           *delivery);
/* Thread-safe; cheap: a site poked many times before the thread wakes is evaluated once. */
void            kiosk_alerts_poke_site   (gint64                   site_id);
void            kiosk_alerts_stop        (KioskAlerts             *self);

/* smiley-kiosk-server alert add|set|list|remove|history|acknowledge … */
int             kiosk_server_admin_alert (PGconn                  *conn,
                                          const KioskServerConfig *config,
                                          int                      argc,
                                          char                   **argv);

G_END_DECLS
