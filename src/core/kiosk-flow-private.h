/* kiosk-flow-private.h: the flow's instance and what its files share (kiosk-flow.c: the object,
 * its properties, languages and survey; -timers.c: idle, thank-you and countdown timers;
 * -visit.c: the steps of a visit). */
#pragma once

#include "kiosk-flow.h"

G_BEGIN_DECLS

struct _KioskFlow
{
  GObject         parent_instance;

  /* owned */
  KioskConfig    *config;
  KioskStore     *store;
  KioskClock     *clock;
  KioskSurvey    *survey;
  KioskSurvey    *pending_survey;  /* takes over at the next idle moment */
  KioskResponse  *last_response;
  char           *language;
  char           *default_language;

  /* The open visit: last_response while visit_open, with these answers so far. */
  gboolean        visit_open;
  KioskFollowUp  *follow_up;
  gboolean        selected[KIOSK_SURVEY_MAX_OPTIONS];
  GStrv           selection;       /* never NULL */
  char           *comment;         /* never NULL */
  gboolean        comment_submitted;
  gboolean        contact_consent;
  char           *contact_name;
  char           *contact_email;
  char           *contact_phone;

  guint           thanks_source;
  guint           tick_source;     /* the follow-up countdown */
  guint           idle_source;     /* back to the default language when nobody votes */
  gint64          deadline_us;     /* monotonic; 0 when no follow-up is shown */
  guint           remaining_s;

  KioskFlowState  state;
  gboolean        have_previous_press;
  gint64          previous_press_us;   /* monotonic */

  gboolean        closed;          /* outside opening hours */
  guint64         ignored;         /* presses refused while closed */
};

typedef enum
{
  PROP_0,
  PROP_STATE,
  PROP_LANGUAGE,
  PROP_DEFAULT_LANGUAGE,
  PROP_SURVEY,
  PROP_FOLLOW_UP,
  PROP_SELECTION,
  PROP_COMMENT,
  PROP_REMAINING_SECONDS,
  PROP_DEADLINE_US,
  PROP_OPEN,
  PROP_IGNORED,
  N_PROPS
} KioskFlowProp;

/* kiosk-flow.c */
void _kiosk_flow_clear_contact         (KioskFlow *self);
void _kiosk_flow_set_state             (KioskFlow      *self,
                                        KioskFlowState  state);
void _kiosk_flow_set_language_internal (KioskFlow  *self,
                                        const char *language);
void _kiosk_flow_apply_pending_survey  (KioskFlow *self);
void _kiosk_flow_notify                (KioskFlow     *self,
                                        KioskFlowProp  prop);
void _kiosk_flow_emit_recorded         (KioskFlow           *self,
                                        const KioskResponse *response,
                                        gboolean             durable);
void _kiosk_flow_emit_visit_ended      (KioskFlow           *self,
                                        const KioskResponse *response,
                                        gboolean             durable);

/* kiosk-flow-timers.c */
void _kiosk_flow_become_idle           (KioskFlow *self);
void _kiosk_flow_restart_idle_timer    (KioskFlow *self);
void _kiosk_flow_show_thanks           (KioskFlow *self);
void _kiosk_flow_restart_countdown     (KioskFlow *self);
void _kiosk_flow_stop_countdown        (KioskFlow *self);

/* kiosk-flow-visit.c */
void _kiosk_flow_clear_answers         (KioskFlow *self);
void _kiosk_flow_end_visit             (KioskFlow    *self,
                                        KioskOutcome  outcome);
void _kiosk_flow_forget_visit          (KioskFlow *self);
void _kiosk_flow_finish_visit          (KioskFlow    *self,
                                        KioskOutcome  outcome);

G_END_DECLS
