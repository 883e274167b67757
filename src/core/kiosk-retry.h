/* kiosk-retry.h: the retry policy of docs/cloud-api.md ("Retries" and the status table): what a
 * reply means for the queue, and how long to wait before the next attempt. */
#pragma once

#include <glib.h>

#include "kiosk-transport.h"
#include "kiosk-uploader.h"

G_BEGIN_DECLS

typedef enum
{
  KIOSK_ATTEMPT_DONE,        /* every event of the batch has a final answer */
  KIOSK_ATTEMPT_RETRY,       /* a failure that passes: back off */
  KIOSK_ATTEMPT_PAUSE,       /* a configuration problem */
  KIOSK_ATTEMPT_RETIRED,     /* 410 */
  KIOSK_ATTEMPT_STOPPED,     /* shutting down */
} KioskAttemptOutcome;

typedef struct
{
  KioskAttemptOutcome  outcome;
  char         *message;
  gint64        retry_after_ms;   /* -1 when the server did not say */
  gint64        retry_after_s;    /* as the server said it, clamped */
} KioskVerdict;

#define KIOSK_VERDICT_INIT { KIOSK_ATTEMPT_DONE, NULL, -1, 0 }

void      kiosk_verdict_set              (KioskVerdict               *verdict,
                                          KioskAttemptOutcome                outcome,
                                          char                       *message);
void      kiosk_verdict_clear            (KioskVerdict               *verdict);

gboolean  kiosk_status_splits            (long                        status);
void      kiosk_retry_judge_failure      (const KioskReply           *reply,
                                          const char                 *what,
                                          gboolean                    stopping,
                                          const KioskUploaderTimings *timings,
                                          KioskVerdict               *verdict);
gint64    kiosk_retry_after_spread_ms    (GRand                      *rand,
                                          gint64                      retry_after_ms,
                                          guint                       max_ms);

/* kiosk_backoff_delay_ms() and kiosk_retry_after_ms() are in kiosk-uploader.h, for tests. */

G_END_DECLS
