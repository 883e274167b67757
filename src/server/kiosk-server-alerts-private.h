/* kiosk-server-alerts-private.h: what the alerts' files share. */
#pragma once

#include "kiosk-dash-data.h"
#include "kiosk-server-alerts.h"

G_BEGIN_DECLS

/* How many comments an episode carries. */
#define KIOSK_ALERT_COMMENTS 5

/* A rule as the evaluation reads it. */
typedef struct
{
  gint64          id;
  char           *name;
  KioskAlertKind  kind;
  gint64          site_id;       /* 0: a group's rule */
  gint64          group_id;
  double          threshold;
  guint           window_minutes;
  guint           min_responses;
  GPtrArray      *emails;
  char           *webhook_url;
  char           *webhook_format;
  char           *language;
} KioskAlertRuleRow;

/* What opened or closed, for its messages. */
typedef struct
{
  const KioskAlertRuleRow *rule;
  const KioskDashSite     *site;
  const char              *device_id;     /* "" unless a silent kiosk */
  gint64                   episode_id;
  gint64                   opened_us;
  gint64                   closed_us;     /* 0: it opened now */
  double                   value;
  guint                    responses;
  const char              *reasons_json;  /* the episode's jsonb */
  const char              *comments_json;
} KioskAlertEvent;

char      *_kiosk_alerts_text_array        (GPtrArray               *items);
GPtrArray *_kiosk_alerts_parse_text_array  (const char              *text);

/* Queues the mails and the webhook of @event on @conn, in the caller's transaction. */
gboolean   _kiosk_alerts_queue_messages    (PGconn                  *conn,
                                            const KioskServerConfig *config,
                                            const KioskAlertEvent   *event,
                                            GError                 **error);
/* The figure of @event in words, in @language: "62 % unhappy of 8 responses in 15 minutes". */
char      *_kiosk_alerts_describe          (const KioskAlertRuleRow *rule,
                                            const char              *language,
                                            const char              *device_id,
                                            double                   value,
                                            guint                    responses);

/* Translation in a given language (xgettext keyword L_:2). */
#define L_(language, msgid) kiosk_dash_translate ((language), (msgid))

G_END_DECLS
