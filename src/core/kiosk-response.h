/* kiosk-response.h: one visitor's response as it is recorded and later delivered. */
#pragma once

#include <glib.h>

#include "kiosk-clock.h"

G_BEGIN_DECLS

#define KIOSK_MAX_SCALE 10

/* The longest texts a response holds: the kiosk enforces them when it records, the server when it
 * receives. */
#define KIOSK_ID_MAX_CHARS            64   /* survey, follow-up and option ids */
#define KIOSK_CONTACT_MAX_NAME_CHARS  100
#define KIOSK_CONTACT_MAX_EMAIL_CHARS 254
#define KIOSK_CONTACT_MAX_PHONE_CHARS 32

typedef enum
{
  KIOSK_INPUT_TOUCH,
  KIOSK_INPUT_BUTTON,
  KIOSK_INPUT_KEYBOARD,
} KioskInput;

typedef enum
{
  KIOSK_OUTCOME_NONE,             /* no follow-up was shown */
  KIOSK_OUTCOME_PENDING,          /* the visitor is answering now */
  KIOSK_OUTCOME_ANSWERED,
  KIOSK_OUTCOME_SKIPPED,
  KIOSK_OUTCOME_TIMEOUT,
  KIOSK_OUTCOME_INTERRUPTED,      /* the visit was cut by a crash or restart */
} KioskOutcome;

typedef struct
{
  char          *uuid;            /* created at tap time, never changes */
  gint64         seq;             /* per-device sequence, assigned by the store at tap time */
  int            face;            /* 0 = most negative … scale - 1 = most positive */
  int            scale;
  char          *survey_id;
  int            survey_version;
  char          *language;        /* BCP 47 */
  KioskInput     input;
  KioskTimestamp time;
  char          *boot_id;
  gboolean       clock_corrected;
  gboolean       misuse;
  char          *misuse_rule;     /* NULL when no rule matched */

  /* The visit: a response is eligible for upload once its visit has ended. */
  gboolean       visit_open;
  char          *follow_up_id;        /* NULL when no follow-up was shown */
  GStrv          follow_up_selected;  /* option ids, NULL or empty when none */
  KioskOutcome   follow_up_outcome;
  char          *comment;             /* free text, NULL unless the survey asks for it */
  gboolean       contact_consent;     /* contact fields are kept only with consent */
  char          *contact_name;
  char          *contact_email;
  char          *contact_phone;
} KioskResponse;

KioskResponse *kiosk_response_new           (void);
KioskResponse *kiosk_response_copy          (const KioskResponse *self);
void           kiosk_response_free          (KioskResponse       *self);

const char    *kiosk_input_to_string        (KioskInput           input);
const char    *kiosk_outcome_to_string      (KioskOutcome         outcome);
gboolean       kiosk_outcome_from_string    (const char          *string,
                                             KioskOutcome        *out);
gboolean       kiosk_input_from_string      (const char          *string,
                                             KioskInput          *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskResponse, kiosk_response_free)

G_END_DECLS
