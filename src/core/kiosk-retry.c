/* kiosk-retry.c: the retry policy: exponential backoff with full jitter, Retry-After read and
 * clamped, and what each kind of reply means for the queue (docs/cloud-api.md, "Retries"). */
#define G_LOG_DOMAIN "kiosk-uploader"

#include "config.h"

#include <curl/curl.h>
#include <string.h>

#include "kiosk-cloudevents.h"
#include "kiosk-retry.h"

/* Waiting */

/**
 * kiosk_backoff_delay_ms:
 * @failures: consecutive failures so far, at least 1
 *
 * Exponential backoff with full jitter: uniformly random below an envelope that doubles with
 * every failure from @base_ms up to @cap_ms. The randomness is what spreads a fleet that failed
 * together; a small floor keeps a client from retrying in a tight loop.
 */
gint64
kiosk_backoff_delay_ms (GRand *rand,
                        guint  failures,
                        guint  base_ms,
                        guint  cap_ms)
{
  guint64 envelope = MAX (base_ms, 1);
  guint64 floor_ms;

  for (guint i = 1; i < failures && envelope < cap_ms; i++)
    envelope *= 2;
  envelope = MIN (envelope, MAX (cap_ms, 1));

  floor_ms = MIN (envelope, MAX (base_ms / 20, 1));
  return floor_ms + (gint64) (g_rand_double (rand) * (envelope - floor_ms));
}

static gboolean
all_digits (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

/**
 * kiosk_retry_after_ms:
 * @value: the Retry-After header: delay-seconds or an HTTP date
 * @date_header: the reply's Date header, or %NULL
 *
 * An HTTP date is measured against the server's own Date when it sent one, so a kiosk whose
 * clock is wrong (no RTC, no NTP yet) still waits as long as the server meant.
 *
 * Returns: the delay clamped to [@min_ms, @max_ms], or -1 when @value is absent or unreadable
 */
gint64
kiosk_retry_after_ms (const char *value,
                      const char *date_header,
                      gint64      now_wall_us,
                      guint       min_ms,
                      guint       max_ms)
{
  g_autofree char *text = NULL;
  gint64 delay_ms;

  if (value == NULL)
    return -1;

  text = g_strstrip (g_strdup (value));

  if (all_digits (text))
    {
      guint64 seconds = 0;

      /* Too many digits is simply "very long". */
      if (strlen (text) > 12 || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &seconds,
                                                             NULL))
        seconds = G_MAXINT64 / 1000 / 1000;
      delay_ms = (gint64) MIN (seconds, (guint64) G_MAXINT64 / 1000 / 1000) * 1000;
    }
  else
    {
      time_t when, reference = -1;
      gboolean has_letter = FALSE;

      for (const char *p = text; *p; p++)
        has_letter |= g_ascii_isalpha (*p);
      if (!has_letter)
        return -1;

      when = curl_getdate (text, NULL);
      if (when == -1)
        return -1;
      if (date_header != NULL)
        reference = curl_getdate (date_header, NULL);
      if (reference == -1)
        reference = now_wall_us / G_USEC_PER_SEC;
      /* A date in the year 999999999 is simply "very long" too: no overflow on the way. */
      delay_ms = CLAMP ((gint64) when - (gint64) reference, -(gint64) G_MAXUINT,
                        (gint64) G_MAXUINT) * 1000;
    }

  return CLAMP (delay_ms, (gint64) min_ms, (gint64) max_ms);
}

void
kiosk_verdict_clear (KioskVerdict *verdict)
{
  g_clear_pointer (&verdict->message, g_free);
}

/**
 * kiosk_retry_after_spread_ms:
 * @retry_after_ms: the server's Retry-After, already clamped (kiosk_retry_after_ms())
 *
 * Honoured for the whole queue; a little jitter on top (up to 10 %) keeps a fleet from
 * returning in the same second, never earlier than asked and never past @max_ms.
 */
gint64
kiosk_retry_after_spread_ms (GRand  *rand,
                             gint64  retry_after_ms,
                             guint   max_ms)
{
  gint64 delay = retry_after_ms + (gint64) (g_rand_double (rand) * retry_after_ms / 10);

  return MIN (delay, (gint64) max_ms);
}

/* What a reply means */

static char *
format_duration (gint64 ms)
{
  if (ms < 2000)
    return g_strdup_printf ("%" G_GINT64_FORMAT " ms", ms);
  if (ms < 120 * 1000)
    return g_strdup_printf ("%" G_GINT64_FORMAT " s", ms / 1000);
  if (ms < 2 * 3600 * 1000)
    return g_strdup_printf ("%" G_GINT64_FORMAT " min", ms / 60000);
  return g_strdup_printf ("%" G_GINT64_FORMAT " h", ms / 3600000);
}

gboolean
kiosk_status_splits (long status)
{
  return status == 400 || status == 413 || status == 415 || status == 422;
}

static gboolean
status_pauses (long status)
{
  return status == 401 || status == 403 || status == 404;
}

void
kiosk_verdict_set (KioskVerdict *verdict,
                   KioskAttemptOutcome  outcome,
                   char         *message)
{
  verdict->outcome = outcome;
  g_free (verdict->message);
  verdict->message = message;
}

static char *
pause_message (guint pause_ms,
               long  status)
{
  g_autofree char *every = format_duration (pause_ms);

  switch (status)
    {
    case 401:
      return g_strdup_printf ("the server refused the token (HTTP 401): check [cloud] token-file; "
                              "uploads paused, retrying every %s", every);
    case 403:
      return g_strdup_printf ("the server refused this device (HTTP 403): check the token and "
                              "device-id; uploads paused, retrying every %s", every);
    default:
      return g_strdup_printf ("the server has no such endpoint or device (HTTP 404): check "
                              "[cloud] url and device-id; uploads paused, retrying every %s",
                              every);
    }
}

/**
 * kiosk_retry_judge_failure:
 * @what: what was being done ("uploading"), the message's first words
 * @stopping: whether the uploader is shutting down (a transfer it aborted is no failure)
 *
 * Classifies every reply except a 2xx and the statuses that split a batch.
 */
void
kiosk_retry_judge_failure (const KioskReply           *reply,
                           const char                 *what,
                           gboolean                    stopping,
                           const KioskUploaderTimings *timings,
                           KioskVerdict               *verdict)
{
  long status = reply->status;

  if (reply->code != CURLE_OK)
    {
      g_autofree char *why = kiosk_reply_describe_failure (reply);

      if (stopping)
        kiosk_verdict_set (verdict, KIOSK_ATTEMPT_STOPPED, g_strdup ("stopped"));
      else
        kiosk_verdict_set (verdict, KIOSK_ATTEMPT_RETRY, g_strdup_printf ("%s: %s", what, why));
      return;
    }

  if (status_pauses (status))
    {
      g_autofree char *message = pause_message (timings->pause_ms, status);

      kiosk_verdict_set (verdict, KIOSK_ATTEMPT_PAUSE, g_strdup_printf ("%s: %s", what, message));
      return;
    }

  if (status == 410)
    {
      kiosk_verdict_set (verdict, KIOSK_ATTEMPT_RETIRED,
                         g_strdup_printf ("%s: the server retired this device (HTTP 410): "
                                          "nothing is sent until the configuration changes; "
                                          "no data was deleted", what));
      return;
    }

  if (status >= 300 && status < 400)
    {
      g_autofree char *where = kiosk_printable_excerpt (reply->location, -1, 120);

      kiosk_verdict_set (verdict, KIOSK_ATTEMPT_RETRY,
                         g_strdup_printf ("%s: the server answered HTTP %ld%s%s; redirects are "
                                          "never followed: check [cloud] url", what, status,
                                          reply->location ? " to " : "",
                                          reply->location ? where : ""));
    }
  else
    {
      g_autofree char *excerpt = kiosk_printable_excerpt ((const char *) reply->body->data,
                                                          reply->body->len, 120);

      kiosk_verdict_set (verdict, KIOSK_ATTEMPT_RETRY,
                         g_strdup_printf ("%s: the server answered HTTP %ld%s%s", what, status,
                                          excerpt[0] ? ": " : "", excerpt));
    }

  /* 408, 429, 5xx and anything unexpected: the server may say when to come back. */
  verdict->retry_after_ms = kiosk_retry_after_ms (reply->retry_after, reply->date,
                                                  g_get_real_time (),
                                                  timings->retry_after_min_ms,
                                                  timings->retry_after_max_ms);
  if (verdict->retry_after_ms >= 0)
    verdict->retry_after_s = verdict->retry_after_ms / 1000;
}
