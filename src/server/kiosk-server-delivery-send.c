/* kiosk-server-delivery-send.c: sending one row of the outbox, by SMTP through the [mail] relay
 * or as a webhook POST, both with libcurl; what went wrong is said as the row's last_error. */
#define G_LOG_DOMAIN "kiosk-server-delivery"

#include "config.h"

#include <curl/curl.h>
#include <string.h>

#include "kiosk-server-delivery-private.h"

#define CONNECT_TIMEOUT_S  10L
#define TRANSFER_TIMEOUT_S 60L
#define USER_AGENT         "smiley-kiosk-server/" PACKAGE_VERSION

/* A webhook's URL often holds its secret (Slack's and Discord's do, in the path): logs and
 * last_error show its scheme, host and port only. */
char *
_kiosk_delivery_redact_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *host = uri ? g_uri_get_host (uri) : NULL;
  g_autofree char *shown_host = NULL;

  if (host == NULL)
    return g_strdup ("(not a URL)");
  /* An IPv6 address goes back in its brackets. */
  shown_host = strchr (host, ':') ? g_strdup_printf ("[%s]", host) : g_strdup (host);
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s://%s:%d/…", g_uri_get_scheme (uri), shown_host,
                            g_uri_get_port (uri));
  return g_strdup_printf ("%s://%s/…", g_uri_get_scheme (uri), shown_host);
}

/* A peer's text on one line, at most @max_bytes of it, valid UTF-8. */
static char *
excerpt (const char *text,
         gsize       max_bytes)
{
  g_autofree char *valid = g_utf8_make_valid (text, MIN (strlen (text), max_bytes));

  for (char *p = valid; *p; p++)
    if (*p == '\r' || *p == '\n' || *p == '\t')
      *p = ' ';
  return g_strdup (g_strstrip (valid));
}

/* "@peer: what went wrong": the system's words when the connection failed ("connection
 * refused"), else libcurl's. */
static char *
transport_error (const char *peer,
                 CURL       *curl,
                 CURLcode    rc,
                 const char *error_text)
{
  long os_errno = 0;

  curl_easy_getinfo (curl, CURLINFO_OS_ERRNO, &os_errno);
  if (rc == CURLE_COULDNT_CONNECT && os_errno != 0)
    {
      g_autofree char *reason = g_strdup (g_strerror (os_errno));

      reason[0] = g_ascii_tolower (reason[0]);
      return g_strdup_printf ("%s: %s", peer, reason);
    }
  return g_strdup_printf ("%s: %s", peer, error_text[0] ? error_text : curl_easy_strerror (rc));
}

typedef struct
{
  const char *data;
  gsize       length;
  gsize       offset;
} Upload;

static size_t
upload_read_cb (char   *buffer,
                size_t  size,
                size_t  n,
                void   *user_data)
{
  Upload *upload = user_data;
  gsize count = MIN (size * n, upload->length - upload->offset);

  memcpy (buffer, upload->data + upload->offset, count);
  upload->offset += count;
  return count;
}

typedef struct
{
  char *command;        /* the verb of the last command sent: "RCPT", "MAIL", "DATA"… */
  char *failed_command; /* the command of the first reply 4xx or 5xx, and that reply */
  char *failed_reply;
} SmtpDialogue;

/* libcurl reports the relay's replies only as numbers; its debug stream has their text, so
 * that last_error says what the relay said. */
static int
smtp_debug_cb (CURL          *curl,
               curl_infotype  type,
               char          *data,
               size_t         size,
               void          *user_data)
{
  SmtpDialogue *dialogue = user_data;
  g_autofree char *line = NULL;

  if (type != CURLINFO_HEADER_OUT && type != CURLINFO_HEADER_IN)
    return 0;
  line = g_strndup (data, size);
  if (type == CURLINFO_HEADER_OUT)
    {
      /* Only the verb: AUTH's line carries the credentials. */
      g_free (dialogue->command);
      dialogue->command = g_strndup (line, strcspn (line, " \r\n"));
    }
  else if ((line[0] == '4' || line[0] == '5') && dialogue->failed_reply == NULL)
    {
      dialogue->failed_command = g_strdup (dialogue->command ? dialogue->command : "");
      dialogue->failed_reply = excerpt (line, 300);
    }
  return 0;
}

void
_kiosk_delivery_send_mail (KioskDelivery        *self,
                           const char           *target,
                           const char           *payload,
                           gsize                 length,
                           KioskDeliveryOutcome *outcome)
{
  const KioskServerConfig *config = self->config;
  g_autofree char *from = g_strdup_printf ("<%s>", self->from_address);
  g_autofree char *rcpt = g_strdup_printf ("<%s>", target);
  char error_text[CURL_ERROR_SIZE] = "";
  Upload upload = { payload, length, 0 };
  SmtpDialogue dialogue = { NULL, NULL, NULL };
  struct curl_slist *recipients = curl_slist_append (NULL, rcpt);
  CURL *curl = curl_easy_init ();
  CURLcode rc;

  curl_easy_setopt (curl, CURLOPT_URL, config->mail_relay);
  curl_easy_setopt (curl, CURLOPT_MAIL_FROM, from);
  curl_easy_setopt (curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (curl, CURLOPT_READFUNCTION, upload_read_cb);
  curl_easy_setopt (curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt (curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t) length);
  /* STARTTLS or nothing: a relay that does not offer it (or a man in the middle that strips
   * it) gets no mail in clear text; the row waits and is retried. */
  if (config->mail_starttls)
    curl_easy_setopt (curl, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);
  if (config->mail_username != NULL)
    curl_easy_setopt (curl, CURLOPT_USERNAME, config->mail_username);
  if (config->mail_password != NULL)
    curl_easy_setopt (curl, CURLOPT_PASSWORD, config->mail_password);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, TRANSFER_TIMEOUT_S);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt (curl, CURLOPT_DEBUGFUNCTION, smtp_debug_cb);
  curl_easy_setopt (curl, CURLOPT_DEBUGDATA, &dialogue);
  curl_easy_setopt (curl, CURLOPT_VERBOSE, 1L);

  rc = curl_easy_perform (curl);

  if (rc == CURLE_OK)
    outcome->sent = TRUE;
  else if (dialogue.failed_reply != NULL)
    {
      /* RFC 5321 § 4.2.1: 5yz is permanent. Given up at once only for the recipient: a 5xx
       * to MAIL or AUTH is the relay's configuration, which the operator can mend. */
      outcome->permanent = strcmp (dialogue.failed_command, "RCPT") == 0 &&
                           dialogue.failed_reply[0] == '5';
      outcome->error = g_strdup_printf ("%s: the relay refused %s: %s", config->mail_relay,
                                        dialogue.failed_command, dialogue.failed_reply);
    }
  else if (rc == CURLE_USE_SSL_FAILED)
    outcome->error = g_strdup_printf ("%s: the relay does not offer STARTTLS, which [mail] "
                                      "starttls requires: nothing was sent in clear text",
                                      config->mail_relay);
  else
    outcome->error = transport_error (config->mail_relay, curl, rc, error_text);

  curl_slist_free_all (recipients);
  curl_easy_cleanup (curl);
  g_free (dialogue.command);
  g_free (dialogue.failed_command);
  g_free (dialogue.failed_reply);
}

static size_t
reply_cb (char   *data,
          size_t  size,
          size_t  n,
          void   *user_data)
{
  GString *reply = user_data;

  /* The start of the reply is enough for last_error. */
  if (reply->len < 1024)
    g_string_append_len (reply, data, MIN (size * n, 1024 - reply->len));
  return size * n;
}

void
_kiosk_delivery_send_webhook (const char           *id,
                              const char           *url,
                              const char           *content_type,
                              const char           *payload,
                              gsize                 length,
                              KioskDeliveryOutcome *outcome)
{
  g_autofree char *shown = _kiosk_delivery_redact_url (url);
  g_autofree char *type_header = g_strdup_printf ("Content-Type: %s", content_type);
  g_autofree char *key_header = g_strdup_printf ("Idempotency-Key: %s", id);
  g_autoptr(GString) reply = g_string_new (NULL);
  char error_text[CURL_ERROR_SIZE] = "";
  struct curl_slist *headers = NULL;
  CURL *curl = curl_easy_init ();
  CURLcode rc;
  long status = 0;

  headers = curl_slist_append (headers, type_header);
  /* The row's id: a receiver that saw it already (a resend after a crash) can tell. */
  headers = curl_slist_append (headers, key_header);
  headers = curl_slist_append (headers, "Expect:");

  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (curl, CURLOPT_POST, 1L);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDS, payload);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) length);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_USERAGENT, USER_AGENT);
  /* A redirect is not followed: a POST does not go where the rule's URL does not say. */
  curl_easy_setopt (curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, TRANSFER_TIMEOUT_S);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, reply_cb);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, reply);

  rc = curl_easy_perform (curl);
  if (rc == CURLE_OK)
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);

  if (rc != CURLE_OK)
    outcome->error = transport_error (shown, curl, rc, error_text);
  else if (status >= 200 && status < 300)
    outcome->sent = TRUE;
  else
    {
      g_autofree char *said = excerpt (reply->str, 200);

      /* A 4xx says that this request will not do, and no retry changes it; except a timeout
       * (408), too early (425) and too many requests (429). */
      outcome->permanent = status >= 400 && status < 500 &&
                           status != 408 && status != 425 && status != 429;
      if (status >= 300 && status < 400)
        outcome->error = g_strdup_printf ("%s: HTTP %ld, a redirect, not followed", shown,
                                          status);
      else
        outcome->error = g_strdup_printf ("%s: HTTP %ld%s%s", shown, status,
                                          *said ? ": " : "", said);
    }

  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);
}
