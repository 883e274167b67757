/* fuzz-http.c: what the uploader reads from a server's reply besides its body, and the token file:
 * the Retry-After and Date headers (kiosk_retry_after_ms, delay-seconds or an HTTP date), the
 * survey's ETag (kiosk_etag_is_sane, sent back in If-None-Match), the token file's contents
 * (kiosk_read_token, also what smiley-kiosk-first-boot installs), server text made printable for
 * messages (kiosk_printable_excerpt) and a [cloud] url (kiosk_cloud_url_check).
 *
 * The input is lines: Retry-After, Date, ETag, url; the whole input is also the token file's
 * contents and the server text. */
#include "config.h"

#include "kiosk-cloudevents.h"
#include "kiosk-uploader.h"
#include "fuzz-common.h"

#define FUZZ_MAX_INPUT (16 * 1024)
#define MIN_MS    1000
#define MAX_MS    (24 * 3600 * 1000)

static char *token_path;

static void
check_token (const char *data,
             gsize       size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  /* No fsync: thousands of these a second. */
  g_assert_true (g_file_set_contents_full (token_path, data, size, G_FILE_SET_CONTENTS_NONE,
                                           0600, NULL));
  token = kiosk_read_token (token_path, &error);
  if (token == NULL)
    {
      g_assert_nonnull (error);
      fuzz_check_message (error->message);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_cmpuint (strlen (token), >, 0);
      /* It goes into a header line. */
      for (const char *p = token; *p; p++)
        g_assert_true ((guchar) *p >= 0x21 && (guchar) *p <= 0x7e);
    }
}

static void
check_excerpt (const char *data,
               gsize       size)
{
  g_autofree char *excerpt = kiosk_printable_excerpt (data, size, 60);

  g_assert_true (g_utf8_validate (excerpt, -1, NULL));
  g_assert_cmpuint (g_utf8_strlen (excerpt, -1), <=, 61);
  for (const char *p = excerpt; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert_true (g_unichar_isprint (c) || c == ' ');
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *copy = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  const char *retry_after, *date, *etag, *url;
  gint64 now = G_GINT64_CONSTANT (1767225600) * G_USEC_PER_SEC;
  gint64 delay;

  fuzz_setup ();
  if (size > FUZZ_MAX_INPUT)
    return 0;
  if (token_path == NULL)
    token_path = fuzz_tmp_file ("token", "", 0600);

  copy = fuzz_exact_copy (data, size);
  check_excerpt (copy, size);
  check_token (copy, size);

  /* Header values are text up to the line end (libcurl hands them over line by line). */
  text = g_strndup (copy, size);
  lines = g_strsplit (text, "\n", 5);
  retry_after = lines[0];
  date = retry_after ? lines[1] : NULL;
  etag = date ? lines[2] : NULL;
  url = etag ? lines[3] : NULL;

  delay = kiosk_retry_after_ms (retry_after, date, now, MIN_MS, MAX_MS);
  g_assert_true (delay == -1 || (delay >= MIN_MS && delay <= MAX_MS));
  delay = kiosk_retry_after_ms (retry_after, NULL, now, MIN_MS, MAX_MS);
  g_assert_true (delay == -1 || (delay >= MIN_MS && delay <= MAX_MS));

  if (kiosk_etag_is_sane (etag))
    {
      g_assert_cmpuint (strlen (etag), <=, 256);
      for (const char *p = etag; *p; p++)
        g_assert_true ((guchar) *p >= 0x20 && (guchar) *p <= 0x7e);
    }

  /* The url comes from kiosk.conf, which is UTF-8 or refused. */
  if (url != NULL && g_utf8_validate (url, -1, NULL))
    {
      for (int insecure = 0; insecure < 2; insecure++)
        {
          g_autoptr(GError) error = NULL;

          if (!kiosk_cloud_url_check (url, insecure, &error))
            {
              g_assert_nonnull (error);
              fuzz_check_message (error->message);
            }
        }
    }

  return 0;
}
