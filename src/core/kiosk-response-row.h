/* kiosk-response-row.h: a response as one row of the `responses` table, read and written the same
 * way by the store (the kiosk's connection) and the outbox (the uploader's).
 *
 * Two things in a row can be beyond what this version writes: a follow-up outcome it does not
 * know, and an option id that is not a string (a hand-edited or damaged database; this program
 * writes neither). Both are read so that a response never claims more than the row says:
 *
 * - An unknown outcome of a follow-up that was shown, in an ended visit, reads as
 *   %KIOSK_OUTCOME_INTERRUPTED: the visitor saw the question and we cannot say how it ended, so
 *   neither "answered" nor "no follow-up" would be true. Without a follow-up id it reads as
 *   %KIOSK_OUTCOME_NONE, as a missing outcome does. A visit still open is
 *   %KIOSK_OUTCOME_PENDING, whatever the column says.
 * - An option id that is not a string names no option (a survey's option ids are strings): it
 *   is left out and the options that are strings are kept, in their order.
 *
 * Either case logs a warning naming the response's seq. */
#pragma once

#include <sqlite3.h>

#include "kiosk-response.h"

G_BEGIN_DECLS

/* In the order kiosk_response_row_bind() binds and kiosk_response_from_row() reads them. */
#define KIOSK_RESPONSE_ROW_COLUMNS \
  "seq, uuid, face, scale, survey_id, survey_version, language, input, wall_us, utc_offset_s, " \
  "monotonic_us, boot_id, clock_synced, clock_corrected, misuse, misuse_rule, visit_ended, " \
  "follow_up_id, follow_up_selected, follow_up_outcome, comment, contact"
#define KIOSK_RESPONSE_ROW_N_COLUMNS 22

void           kiosk_response_row_bind             (sqlite3_stmt        *stmt,
                                                    const KioskResponse *r);
KioskResponse *kiosk_response_from_row             (sqlite3_stmt        *stmt);
char          *kiosk_response_row_dup_text         (sqlite3_stmt        *stmt,
                                                    int                  column);

G_END_DECLS
