/* kiosk-flow.h: the state machine of one visit (survey -> thank-you -> survey), the misuse rule
 * and the one place where a vote enters the system. */
#pragma once

#include <glib-object.h>

#include "kiosk-clock.h"
#include "kiosk-config.h"
#include "kiosk-response.h"
#include "kiosk-store.h"
#include "kiosk-survey.h"

G_BEGIN_DECLS

typedef enum
{
  KIOSK_FLOW_SURVEY,
  KIOSK_FLOW_THANKS,
} KioskFlowState;

#define KIOSK_MISUSE_RULE_RESPONSE_INTERVAL "response-interval"

#define KIOSK_TYPE_FLOW (kiosk_flow_get_type ())
G_DECLARE_FINAL_TYPE (KioskFlow, kiosk_flow, KIOSK, FLOW, GObject)

KioskFlow           *kiosk_flow_new                  (KioskConfig  *config,
                                                      KioskStore   *store,
                                                      KioskClock   *clock,
                                                      KioskSurvey  *survey);

const KioskResponse *kiosk_flow_vote                 (KioskFlow    *self,
                                                      int           face,
                                                      KioskInput    input,
                                                      GError      **error);
void                 kiosk_flow_return_to_survey     (KioskFlow    *self);

KioskFlowState       kiosk_flow_get_state            (KioskFlow    *self);
const char          *kiosk_flow_get_language         (KioskFlow    *self);
void                 kiosk_flow_set_language         (KioskFlow    *self,
                                                      const char   *language);
KioskStore          *kiosk_flow_get_store            (KioskFlow    *self);
KioskSurvey         *kiosk_flow_get_survey           (KioskFlow    *self);
const KioskResponse *kiosk_flow_get_last_response    (KioskFlow    *self);
guint                kiosk_flow_get_thank_you_ms     (KioskFlow    *self);

G_END_DECLS
