/* kiosk-transport.c: one HTTP exchange with the cloud API on a libcurl handle: the token file
 * (read on every request), TLS verification and pinning, timeouts, a reply capped at 1 MiB. */
#define G_LOG_DOMAIN "kiosk-uploader"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kiosk-cloudevents.h"
#include "kiosk-config.h"
#include "kiosk-transport.h"
#include "kiosk-uploader.h"

#define USER_AGENT          "smiley-kiosk/" PACKAGE_VERSION
#define MAX_TOKEN_BYTES     4096

struct _KioskTransport
{
  /* fixed once created */
  char    *token_file;
  char    *ca_file;
  char    *pinned_public_key;
  gboolean allow_http;
  guint    connect_timeout_ms;
  guint    low_speed_time_s;
  guint    total_timeout_ms;

  /* The multi handle is made with the transport, so that kiosk_transport_cancel() (another
   * thread) can wake it at any time; the easy handle belongs to the thread that performs. */
  CURLM   *multi;
  CURL    *easy;
  gint     cancelled;           /* atomic */

  KioskTransportObserver observer;
  gpointer               observer_data;
};

/**
 * kiosk_cloud_url_check:
 *
 * The same rule as the configuration's, checked again where the connection is made: https://, or
 * http:// to a loopback address, or http:// anywhere only when the operator allowed it.
 */
gboolean
kiosk_cloud_url_check (const char  *url,
                       gboolean     allow_insecure,
                       GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (url == NULL || (uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL)) == NULL ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_CONFIG,
                   "[cloud] url: “%s” is not a URL", url ? url : "");
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;

  if (g_ascii_strcasecmp (scheme, "http") != 0)
    {
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_CONFIG,
                   "[cloud] url: the scheme must be https:// (was %s://)", scheme);
      return FALSE;
    }

  if (!allow_insecure && !kiosk_host_is_loopback (g_uri_get_host (uri)))
    {
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_INSECURE,
                   "[cloud] url: http:// is refused for %s, which is not a loopback address: "
                   "the token and the responses would travel unencrypted; use https:// or set "
                   "allow-insecure-http=true", g_uri_get_host (uri));
      return FALSE;
    }

  return TRUE;
}

/**
 * kiosk_read_token:
 *
 * Reads the bearer token. Refused when the file is readable by group or others, like ssh does

 * with keys. No message ever contains the token itself.
 */
char *
kiosk_read_token (const char  *path,
                  GError     **error)
{
  g_autofree char *token = NULL;
  char buffer[MAX_TOKEN_BYTES + 1];
  struct stat st;
  ssize_t n;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  /* Check the file that is read, not the name: no window for a swap in between. */
  /* Non-blocking: a FIFO in its place must not hang the uploader. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_TOKEN,
                   "[cloud] token-file %s: %s", path, g_strerror (saved_errno));
      return NULL;
    }

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_TOKEN,
                   "[cloud] token-file %s is not a file", path);
      close (fd);
      return NULL;
    }

  if ((st.st_mode & 0077) != 0)
    {
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_TOKEN,
                   "[cloud] token-file %s is readable or writable by group or others (mode %04o); "
                   "the token is not used until you run: chmod 600 %s",
                   path, (unsigned) (st.st_mode & 07777), path);
      close (fd);
      return NULL;
    }

  do
    n = read (fd, buffer, sizeof buffer);
  while (n < 0 && errno == EINTR);
  close (fd);

  if (n < 0)
    {
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_TOKEN,
                   "[cloud] token-file %s cannot be read", path);
      return NULL;
    }
  if (n > MAX_TOKEN_BYTES)
    {
      explicit_bzero (buffer, sizeof buffer);
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_TOKEN,
                   "[cloud] token-file %s is larger than %d bytes; it should hold one token",
                   path, MAX_TOKEN_BYTES);
      return NULL;
    }

  token = g_strstrip (g_strndup (buffer, n));
  explicit_bzero (buffer, sizeof buffer);

  if (*token == '\0')
    {
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_TOKEN,
                   "[cloud] token-file %s is empty", path);
      return NULL;
    }

  /* It goes into a header line: one word of visible ASCII, or it could forge headers. */
  for (const char *p = token; *p; p++)
    if ((guchar) *p < 0x21 || (guchar) *p > 0x7e)
      {
        explicit_bzero (token, strlen (token));
        g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_TOKEN,
                     "[cloud] token-file %s holds more than one word or characters that are not "
                     "visible ASCII; it should hold the token alone", path);
        return NULL;
      }

  return g_steal_pointer (&token);
}

static void
token_free (char *token)
{
  if (token != NULL)
    explicit_bzero (token, strlen (token));
  g_free (token);
}

/* Transports */

static char *
normalise_pins (const char *value)
{
  g_auto(GStrv) pins = NULL;
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;

  if (value == NULL)
    return NULL;

  pins = g_strsplit (value, ";", -1);
  for (guint i = 0; pins[i]; i++)
    if (*g_strstrip (pins[i]) != '\0')
      g_strv_builder_add (kept, pins[i]);

  list = g_strv_builder_end (kept);
  return g_strjoinv (";", list);
}


KioskTransport *
kiosk_transport_new (const char *token_file,
                     const char *ca_file,
                     const char *pinned_public_key,
                     gboolean    allow_http)
{
  KioskTransport *self = g_new0 (KioskTransport, 1);

  g_return_val_if_fail (token_file != NULL, NULL);

  self->token_file = g_strdup (token_file);
  self->ca_file = g_strdup (ca_file);
  self->pinned_public_key = normalise_pins (pinned_public_key);
  self->allow_http = allow_http;
  self->connect_timeout_ms = 10 * 1000;
  self->low_speed_time_s = 30;
  self->total_timeout_ms = 120 * 1000;
  /* curl_global_init() was called once per process by the uploader's class. */
  self->multi = curl_multi_init ();
  return self;
}

void
kiosk_transport_free (KioskTransport *self)
{
  if (self == NULL)
    return;

  kiosk_transport_close (self);
  g_clear_pointer (&self->multi, curl_multi_cleanup);
  g_free (self->token_file);
  g_free (self->ca_file);
  g_free (self->pinned_public_key);
  g_free (self);
}

void
kiosk_transport_set_timeouts (KioskTransport *self,
                              guint           connect_timeout_ms,
                              guint           low_speed_time_s,
                              guint           total_timeout_ms)
{
  g_return_if_fail (self != NULL);

  self->connect_timeout_ms = connect_timeout_ms;
  self->low_speed_time_s = low_speed_time_s;
  self->total_timeout_ms = total_timeout_ms;
}

/* From any thread: a request in flight returns at once, and so does every later one. */
void
kiosk_transport_cancel (KioskTransport *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_int_set (&self->cancelled, 1);
  curl_multi_wakeup (self->multi);
}

/* On the thread that performs: drops the handle and the connections it kept open. */
void
kiosk_transport_close (KioskTransport *self)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->easy, curl_easy_cleanup);
}

/* Replies */

void
kiosk_reply_clear (KioskReply *reply)
{
  g_clear_pointer (&reply->body, g_byte_array_unref);
  g_clear_pointer (&reply->retry_after, g_free);
  g_clear_pointer (&reply->date, g_free);
  g_clear_pointer (&reply->etag, g_free);
  g_clear_pointer (&reply->location, g_free);
}

static size_t
write_cb (char   *data,
          size_t  size,
          size_t  nmemb,
          void   *user_data)
{
  KioskReply *reply = user_data;
  size_t n = size * nmemb;

  /* The contract caps replies at 1 MiB; more is an error, not something to buffer. */
  if (reply->body->len + n > KIOSK_CLOUD_MAX_REPLY_BYTES)
    {
      reply->too_large = TRUE;
      return 0;
    }

  g_byte_array_append (reply->body, (const guint8 *) data, n);
  return n;
}

static void
keep_header (char       **slot,
             const char  *value,
             gsize        length)
{
  g_free (*slot);
  *slot = g_strstrip (g_strndup (value, MIN (length, 1024)));
}

static size_t
header_cb (char   *buffer,
           size_t  size,
           size_t  nitems,
           void   *user_data)
{
  KioskReply *reply = user_data;
  size_t n = size * nitems;
  const char *colon;
  gsize name_length;

  /* A new status line (after a 100 Continue, say) starts a new set of headers. */
  if (n >= 5 && g_ascii_strncasecmp (buffer, "HTTP/", 5) == 0)
    {
      g_clear_pointer (&reply->retry_after, g_free);
      g_clear_pointer (&reply->date, g_free);
      g_clear_pointer (&reply->etag, g_free);
      g_clear_pointer (&reply->location, g_free);
      return n;
    }

  colon = memchr (buffer, ':', n);
  if (colon == NULL)
    return n;

  name_length = colon - buffer;
  colon++;

#define HEADER_IS(name) \
  (name_length == strlen (name) && g_ascii_strncasecmp (buffer, name, name_length) == 0)
  if (HEADER_IS ("Retry-After"))
    keep_header (&reply->retry_after, colon, buffer + n - colon);
  else if (HEADER_IS ("Date"))
    keep_header (&reply->date, colon, buffer + n - colon);
  else if (HEADER_IS ("ETag"))
    keep_header (&reply->etag, colon, buffer + n - colon);
  else if (HEADER_IS ("Location"))
    keep_header (&reply->location, colon, buffer + n - colon);
#undef HEADER_IS

  return n;
}

/* Called by libcurl while a transfer runs, at least about once a second even when the server is
 * silent: the way to abort a request that hangs when the kiosk shuts down. */
static int
progress_cb (void       *user_data,
             curl_off_t  dltotal,
             curl_off_t  dlnow,
             curl_off_t  ultotal,
             curl_off_t  ulnow)
{
  KioskTransport *self = user_data;

  return g_atomic_int_get (&self->cancelled) ? 1 : 0;
}

static void
forget_headers (struct curl_slist *headers)
{
  /* The token lived in one of these strings. */
  for (struct curl_slist *l = headers; l != NULL; l = l->next)
    explicit_bzero (l->data, strlen (l->data));
  curl_slist_free_all (headers);
}

/**
 * kiosk_transport_perform:
 * @extra: more header lines ("Name: value")
 *
 * One request, on the calling thread. Returns %FALSE only when the token could not be read
 * (@error set); every transport failure is in @reply->code. Clear @reply in both cases.
 */
gboolean
kiosk_transport_perform (KioskTransport      *self,
                         const char          *method,
                         const char          *url,
                         const char * const  *extra,
                         const void          *body,
                         gsize                body_length,
                         KioskReply          *reply,
                         GError             **error)
{
  struct curl_slist *headers = NULL;
  char *token;
  CURL *easy;
  CURLMsg *message;
  int running = 1;
  int left = 0;
  gboolean finished = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);

  memset (reply, 0, sizeof *reply);
  reply->body = g_byte_array_new ();
  reply->code = CURLE_OK;

  /* Read every time: a fixed token file takes effect without a restart. */
  token = kiosk_read_token (self->token_file, error);
  if (token == NULL)
    return FALSE;

  {
    char *line = g_strconcat ("Authorization: Bearer ", token, NULL);

    headers = curl_slist_append (headers, line);
    token_free (line);
    token_free (token);
  }
  /* A body over 1 KiB would otherwise wait for a "100 Continue" the server may never send. */
  headers = curl_slist_append (headers, "Expect:");
  for (guint i = 0; extra && extra[i]; i++)
    headers = curl_slist_append (headers, extra[i]);

  if (self->easy == NULL)
    self->easy = curl_easy_init ();
  easy = self->easy;
  curl_easy_reset (easy);
  curl_easy_setopt (easy, CURLOPT_URL, url);
  curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, self->allow_http ? "http,https" : "https");
  curl_easy_setopt (easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (easy, CURLOPT_USERAGENT, USER_AGENT);
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (self->ca_file != NULL)
    curl_easy_setopt (easy, CURLOPT_CAINFO, self->ca_file);
  if (self->pinned_public_key != NULL)
    curl_easy_setopt (easy, CURLOPT_PINNEDPUBLICKEY, self->pinned_public_key);
  curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT_MS, (long) self->connect_timeout_ms);
  curl_easy_setopt (easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (easy, CURLOPT_LOW_SPEED_TIME, (long) self->low_speed_time_s);
  curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, (long) self->total_timeout_ms);
  curl_easy_setopt (easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) KIOSK_CLOUD_MAX_REPLY_BYTES);
  curl_easy_setopt (easy, CURLOPT_TCP_KEEPALIVE, 1L);
  /* A reply naming 500 events compresses well; the 1 MiB cap applies to the decoded body. */
  curl_easy_setopt (easy, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, reply);
  curl_easy_setopt (easy, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (easy, CURLOPT_HEADERDATA, reply);
  curl_easy_setopt (easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (easy, CURLOPT_XFERINFOFUNCTION, progress_cb);
  curl_easy_setopt (easy, CURLOPT_XFERINFODATA, self);
  curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, reply->error);
  if (g_str_equal (method, "POST"))
    {
      curl_easy_setopt (easy, CURLOPT_POST, 1L);
      curl_easy_setopt (easy, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt (easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) body_length);
    }
  else
    curl_easy_setopt (easy, CURLOPT_HTTPGET, 1L);

  /* The multi interface, so that kiosk_uploader_stop() can interrupt a wait at once. */
  curl_multi_add_handle (self->multi, easy);
  while (running && !g_atomic_int_get (&self->cancelled))
    {
      CURLMcode mc = curl_multi_perform (self->multi, &running);

      if (mc == CURLM_OK && running)
        mc = curl_multi_poll (self->multi, NULL, 0, 1000, NULL);
      if (mc != CURLM_OK)
        {
          g_strlcpy (reply->error, curl_multi_strerror (mc), sizeof reply->error);
          reply->code = CURLE_FAILED_INIT;
          break;
        }
    }

  while ((message = curl_multi_info_read (self->multi, &left)) != NULL)
    if (message->msg == CURLMSG_DONE && message->easy_handle == easy)
      {
        reply->code = message->data.result;
        finished = TRUE;
      }
  if (!finished && reply->code == CURLE_OK)
    reply->code = CURLE_ABORTED_BY_CALLBACK;

  curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &reply->status);

  {
    long request_size = 0, header_size = 0;
    curl_off_t down = 0;

    /* The request's size counts its body too; the reply's headers and body come apart. */
    curl_easy_getinfo (easy, CURLINFO_REQUEST_SIZE, &request_size);
    curl_easy_getinfo (easy, CURLINFO_HEADER_SIZE, &header_size);
    curl_easy_getinfo (easy, CURLINFO_SIZE_DOWNLOAD_T, &down);
    reply->bytes_sent = request_size;
    reply->bytes_received = header_size + down;
  }

  curl_multi_remove_handle (self->multi, easy);
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, NULL);
  forget_headers (headers);

  if (self->observer != NULL)
    self->observer (reply, self->observer_data);

  return TRUE;
}

/**
 * kiosk_transport_set_observer:
 * @observer: (nullable): called on the performing thread after each request that was made
 *
 * Lets the owner count every request and its bytes in one place.
 */
void
kiosk_transport_set_observer (KioskTransport         *self,
                              KioskTransportObserver  observer,
                              gpointer                user_data)
{
  g_return_if_fail (self != NULL);

  self->observer = observer;
  self->observer_data = user_data;
}


char *
kiosk_reply_describe_failure (const KioskReply *reply)
{
  const char *detail = reply->error[0] ? reply->error : curl_easy_strerror (reply->code);

  if (reply->too_large || reply->code == CURLE_FILESIZE_EXCEEDED)
    return g_strdup ("the server's reply was larger than 1 MiB");

  switch (reply->code)
    {
    case CURLE_OPERATION_TIMEDOUT:
      return g_strdup_printf ("the server did not answer in time (%s)", detail);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return g_strdup_printf ("the server's name cannot be resolved (%s)", detail);
    case CURLE_COULDNT_CONNECT:
      return g_strdup_printf ("cannot connect to the server (%s)", detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return g_strdup_printf ("the server's TLS certificate was not accepted (%s); check "
                              "[cloud] url, ca-file and pinned-public-key", detail);
    case CURLE_UNSUPPORTED_PROTOCOL:
      return g_strdup_printf ("the URL's protocol is not allowed (%s)", detail);
    default:
      return g_strdup_printf ("the exchange with the server failed (%s)", detail);
    }
}

