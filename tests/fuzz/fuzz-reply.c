/* fuzz-reply.c: the server's per-event reply to a batch (kiosk_cloudevents_parse_reply). The first
 * byte of the input says how many events the batch had (1 to 8, ids from the list below), the
 * rest is the body as the server sent it. */
#include "config.h"

#include "kiosk-cloudevents.h"
#include "fuzz-common.h"

#define FUZZ_MAX_INPUT (KIOSK_CLOUD_MAX_REPLY_BYTES + 2)

static const char * const ids[] = {
  "4d93df9a-838e-4467-aea1-40210384948d",
  "9293c876-a7b9-486d-8d89-0d4c450b1799",
  "0f8e2a34-8d4c-4c55-9a55-3a1b2c3d4e5f",
  "a",
  "",
  "é",
  "11111111-1111-4111-8111-111111111111",
  "ffffffff-ffff-4fff-bfff-ffffffffffff",
};

/* Server text that reaches a log line or the status screen: one line, nothing invisible. */
static void
check_printable (const char *text)
{
  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!(g_unichar_isprint (c) || c == ' '))
        g_error ("U+%04X in “%s”", c, text);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  KioskEventResult results[G_N_ELEMENTS (ids)];
  g_autofree char *body = NULL;
  g_autoptr(GError) error = NULL;
  guint n_ids;

  fuzz_setup ();
  if (size < 1 || size > FUZZ_MAX_INPUT)
    return 0;

  n_ids = data[0] % G_N_ELEMENTS (ids) + 1;
  body = fuzz_exact_copy (data + 1, size - 1);

  if (kiosk_cloudevents_parse_reply (body, size - 1, ids, n_ids, results, &error))
    {
      g_assert_no_error (error);
      for (guint i = 0; i < n_ids; i++)
        {
          g_assert_cmpint (results[i].status, >=, KIOSK_EVENT_ACCEPTED);
          g_assert_cmpint (results[i].status, <=, KIOSK_EVENT_REJECTED);
          if (results[i].reason != NULL)
            {
              check_printable (results[i].reason);
              g_assert_cmpuint (g_utf8_strlen (results[i].reason, -1), <=, 501);
            }
        }
      kiosk_event_results_clear (results, n_ids);
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == KIOSK_CLOUDEVENTS_ERROR);
      fuzz_check_message (error->message);
      check_printable (error->message);
      /* Nothing is left to free (or to be marked) after a reply that is not understood. */
      for (guint i = 0; i < n_ids; i++)
        g_assert_null (results[i].reason);
    }

  return 0;
}
