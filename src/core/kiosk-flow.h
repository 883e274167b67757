/* kiosk-flow.h: the state machine of one visit (survey -> follow-up -> comment -> contact ->
 * thank-you -> survey), its countdown, the misuse rule, the visitor's language, and the one place
 * where a vote enters the system. */
#pragma once

#include <glib-object.h>

#include "kiosk-clock.h"
#include "kiosk-config.h"
#include "kiosk-response.h"
#include "kiosk-store.h"
#include "kiosk-survey.h"

G_BEGIN_DECLS

/* The order of a visit is SURVEY -> FOLLOW_UP -> COMMENT -> CONTACT -> THANKS -> SURVEY; the
 * follow-up steps appear only when the survey asks for them. The values are stable. */
typedef enum
{
  KIOSK_FLOW_SURVEY,
  KIOSK_FLOW_THANKS,
  KIOSK_FLOW_FOLLOW_UP,     /* the follow-up question and its options */
  KIOSK_FLOW_COMMENT,       /* free text, when the follow-up asks for it */
  KIOSK_FLOW_CONTACT,       /* consent and contact details, when the follow-up asks for them */
} KioskFlowState;

#define KIOSK_MISUSE_RULE_RESPONSE_INTERVAL "response-interval"

#define KIOSK_FLOW_ERROR (kiosk_flow_error_quark ())

typedef enum
{
  KIOSK_FLOW_ERROR_WRONG_STATE,     /* the action does not apply to what is on screen now */
  KIOSK_FLOW_ERROR_NO_CONSENT,      /* contact details offered without consent */
  KIOSK_FLOW_ERROR_INVALID_CONTACT, /* an e-mail address or phone number that cannot be right */
  KIOSK_FLOW_ERROR_CLOSED,          /* outside opening hours: nothing is recorded */
  KIOSK_FLOW_ERROR_NO_SUCH_FACE,    /* a face outside the survey's scale: a caller's mistake */
} KioskFlowError;

#define KIOSK_TYPE_FLOW (kiosk_flow_get_type ())
G_DECLARE_FINAL_TYPE (KioskFlow, kiosk_flow, KIOSK, FLOW, GObject)

/*
 * Properties (all notify only when the value changes):
 *   "state"              int (KioskFlowState)
 *   "language"           string, read-write: the language the visitor sees now
 *   "default-language"   string: the language the kiosk returns to after a visit or when idle
 *   "survey"             KioskSurvey: the survey shown now; a swap takes effect when idle
 *   "follow-up"          KioskFollowUp (boxed): the follow-up of the current visit, or NULL
 *   "selection"          GStrv: the selected option ids, in the follow-up's order
 *   "comment"            string, read-write: the comment typed so far ("" when none)
 *   "remaining-seconds"  uint: countdown of the follow-up; 0 when none is shown. Notified once
 *                        per second while a follow-up step is on screen, never otherwise.
 *   "deadline-us"        int64: monotonic time (g_get_monotonic_time) when the follow-up times
 *                        out; 0 when none is shown
 *   "open"               boolean, read-write: within opening hours; when FALSE nothing is
 *                        recorded
 *   "ignored"            uint64: presses refused outside opening hours since the flow started
 *
 * Signals:
 *   "recorded" (const KioskResponse *response, gboolean durable): a face was recorded at the tap
 *   "visit-ended" (const KioskResponse *response, gboolean durable): a follow-up ended (answered,
 *                 skipped, timeout) and its response is complete and eligible for upload
 */

GQuark               kiosk_flow_error_quark          (void);

KioskFlow           *kiosk_flow_new                  (KioskConfig  *config,
                                                      KioskStore   *store,
                                                      KioskClock   *clock,
                                                      KioskSurvey  *survey);

/* The visit. */
const KioskResponse *kiosk_flow_vote                 (KioskFlow    *self,
                                                      int           face,
                                                      KioskInput    input,
                                                      GError      **error);
void                 kiosk_flow_touch                (KioskFlow    *self);
gboolean             kiosk_flow_toggle_option        (KioskFlow    *self,
                                                      const char   *option_id);
gboolean             kiosk_flow_is_option_selected   (KioskFlow    *self,
                                                      const char   *option_id);
const char * const  *kiosk_flow_get_selection        (KioskFlow    *self);
gboolean             kiosk_flow_set_comment          (KioskFlow    *self,
                                                      const char   *text);
const char          *kiosk_flow_get_comment          (KioskFlow    *self);
guint                kiosk_flow_get_comment_max_length (KioskFlow  *self);
gboolean             kiosk_flow_can_comment          (KioskFlow    *self);
gboolean             kiosk_flow_submit               (KioskFlow    *self);
gboolean             kiosk_flow_submit_contact       (KioskFlow    *self,
                                                      gboolean      consent,
                                                      const char   *name,
                                                      const char   *email,
                                                      const char   *phone,
                                                      GError      **error);
gboolean             kiosk_flow_skip                 (KioskFlow    *self);
void                 kiosk_flow_return_to_survey     (KioskFlow    *self);

KioskFlowState       kiosk_flow_get_state            (KioskFlow    *self);
KioskFollowUp       *kiosk_flow_get_follow_up        (KioskFlow    *self);
guint                kiosk_flow_get_remaining_seconds (KioskFlow   *self);
gint64               kiosk_flow_get_deadline_us      (KioskFlow    *self);

/* Languages. */
const char          *kiosk_flow_get_language         (KioskFlow    *self);
gboolean             kiosk_flow_set_language         (KioskFlow    *self,
                                                      const char   *language);
const char          *kiosk_flow_get_default_language (KioskFlow    *self);

/* The survey. */
KioskSurvey         *kiosk_flow_get_survey           (KioskFlow    *self);
void                 kiosk_flow_set_survey           (KioskFlow    *self,
                                                      KioskSurvey  *survey);

KioskStore          *kiosk_flow_get_store            (KioskFlow    *self);
const KioskResponse *kiosk_flow_get_last_response    (KioskFlow    *self);
guint                kiosk_flow_get_thank_you_ms     (KioskFlow    *self);
KioskConfig         *kiosk_flow_get_config           (KioskFlow    *self);

/* Opening hours (set by a KioskSchedule): outside them votes are refused and counted. */
void                 kiosk_flow_set_open             (KioskFlow    *self,
                                                      gboolean      open);
gboolean             kiosk_flow_get_open             (KioskFlow    *self);
void                 kiosk_flow_ignore_press         (KioskFlow    *self);
guint64              kiosk_flow_get_ignored          (KioskFlow    *self);

G_END_DECLS
