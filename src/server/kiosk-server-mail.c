/* kiosk-server-mail.c: composes the outbox's e-mails. Every text that reaches a header is
 * cleaned of line breaks first, so that no subject, name or file name can add a header. */
#define G_LOG_DOMAIN "kiosk-server-mail"

#include "config.h"

#include <string.h>

#include "kiosk-server-mail.h"

#define SUBJECT_MAX_CHARS 250
/* RFC 2045 § 6.7 and 6.8: encoded lines of at most 76 characters. */
#define LINE_MAX_CHARS 76
/* RFC 2047 § 2: an encoded-word is at most 75 characters, and a line that holds one at most
 * 76: 39 bytes make 52 of base64, plus the 12 of "=?UTF-8?B?" and "?=", after "Subject: ". */
#define WORD_MAX_BYTES 39

char *
kiosk_mail_addr_spec (const char *mailbox)
{
  const char *open = strrchr (mailbox, '<');
  g_autofree char *address = open ? g_strndup (open + 1, strcspn (open + 1, ">"))
                                  : g_strdup (mailbox);

  return g_strdup (g_strstrip (address));
}

static gboolean
is_printable_ascii (const char *text)
{
  for (const char *p = text; *p; p++)
    if ((guchar) *p < 0x20 || (guchar) *p > 0x7e)
      return FALSE;
  return TRUE;
}

/* Control characters (CR and LF above all) become spaces; invalid UTF-8 becomes U+FFFD. */
static char *
clean_header_text (const char *text,
                   glong       max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  GString *out = g_string_new (NULL);
  glong n = 0;

  for (const char *p = valid; *p && n < max_chars; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029)
        g_string_append_c (out, ' ');
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  return g_strstrip (g_string_free (out, FALSE));
}

char *
kiosk_mail_clean_subject (const char *subject)
{
  return clean_header_text (subject, SUBJECT_MAX_CHARS);
}

/* RFC 2047 encoded-words for @text (UTF-8, no control characters), folded between words. */
static void
append_encoded_words (GString    *out,
                      const char *text)
{
  const char *p = text;

  while (*p)
    {
      const char *end = p;
      g_autofree char *encoded = NULL;

      /* Whole characters only: a word must decode to valid UTF-8 on its own. */
      while (*end)
        {
          const char *next = g_utf8_next_char (end);

          if (next - p > WORD_MAX_BYTES)
            break;
          end = next;
        }
      encoded = g_base64_encode ((const guchar *) p, end - p);
      if (p != text)
        g_string_append (out, "\r\n ");
      g_string_append_printf (out, "=?UTF-8?B?%s?=", encoded);
      p = end;
    }
}

/* A header's unstructured text (Subject): as it is when it is plain ASCII, else encoded. A
 * plain text that holds "=?" would be read as an encoded-word: it is encoded too. */
static void
append_unstructured (GString    *out,
                     const char *text)
{
  if (is_printable_ascii (text) && strstr (text, "=?") == NULL)
    g_string_append (out, text);
  else
    append_encoded_words (out, text);
}

/* From: the display name quoted (ASCII) or encoded, then the address. */
static void
append_mailbox (GString    *out,
                const char *mailbox)
{
  g_autofree char *address = kiosk_mail_addr_spec (mailbox);
  const char *open = strrchr (mailbox, '<');
  g_autofree char *raw_name = open ? g_strndup (mailbox, open - mailbox) : g_strdup ("");
  g_autofree char *name = NULL;
  gsize length;

  g_strstrip (raw_name);
  length = strlen (raw_name);
  if (length >= 2 && raw_name[0] == '"' && raw_name[length - 1] == '"')
    {
      raw_name[length - 1] = '\0';
      memmove (raw_name, raw_name + 1, length - 1);
    }
  name = clean_header_text (raw_name, 200);
  if (name[0] == '\0')
    {
      g_string_append (out, address);
      return;
    }
  if (is_printable_ascii (name) && strstr (name, "=?") == NULL)
    {
      g_string_append_c (out, '"');
      for (const char *p = name; *p; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    append_encoded_words (out, name);
  g_string_append_printf (out, " <%s>", address);
}

/* A MIME parameter (RFC 2045 quoted-string, or RFC 2231 for UTF-8): file names. */
static void
append_parameter (GString    *out,
                  const char *name,
                  const char *value)
{
  g_autofree char *clean = clean_header_text (value, 200);

  if (is_printable_ascii (clean))
    {
      g_string_append_printf (out, ";\r\n %s=\"", name);
      for (const char *p = clean; *p; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    {
      g_string_append_printf (out, ";\r\n %s*=UTF-8''", name);
      for (const guchar *p = (const guchar *) clean; *p; p++)
        {
          if (g_ascii_isalnum (*p) || strchr ("!#$&+-.^_`|~", *p) != NULL)
            g_string_append_c (out, *p);
          else
            g_string_append_printf (out, "%%%02X", *p);
        }
    }
}

static gboolean
is_media_type (const char *text)
{
  const char *slash = text ? strchr (text, '/') : NULL;

  if (slash == NULL || slash == text || slash[1] == '\0')
    return FALSE;
  for (const char *p = text; *p; p++)
    if (p != slash && !g_ascii_isalnum (*p) && strchr ("!#$&^_.+-", *p) == NULL)
      return FALSE;
  return TRUE;
}

/* RFC 2045 § 6.7, with CRLF line ends whatever @text used. */
static void
append_quoted_printable (GString    *out,
                         const char *text)
{
  gsize column = 0;

  for (const guchar *p = (const guchar *) text; *p; p++)
    {
      gboolean line_end;
      char token[4];

      if (*p == '\r' || *p == '\n')
        {
          if (*p == '\r' && p[1] == '\n')
            p++;
          g_string_append (out, "\r\n");
          column = 0;
          continue;
        }

      /* Space and tab are encoded only at the end of a line, where relays strip them. */
      line_end = p[1] == '\0' || p[1] == '\r' || p[1] == '\n';
      if ((*p >= 33 && *p <= 126 && *p != '=') || ((*p == ' ' || *p == '\t') && !line_end))
        {
          token[0] = *p;
          token[1] = '\0';
        }
      else
        g_snprintf (token, sizeof token, "=%02X", *p);

      /* A soft line break (=) keeps each line within 76 characters. */
      if (column + strlen (token) > LINE_MAX_CHARS - (line_end ? 0 : 1))
        {
          g_string_append (out, "=\r\n");
          column = 0;
        }
      g_string_append (out, token);
      column += strlen (token);
    }
  if (column > 0)
    g_string_append (out, "\r\n");
}

static void
append_base64 (GString      *out,
               const guchar *data,
               gsize         length)
{
  g_autofree char *encoded = g_base64_encode (data, length);
  gsize total = strlen (encoded);

  for (gsize i = 0; i < total; i += LINE_MAX_CHARS)
    {
      g_string_append_len (out, encoded + i, MIN (LINE_MAX_CHARS, total - i));
      g_string_append (out, "\r\n");
    }
}

static void
append_date (GString *out,
             gint64   date_us)
{
  /* English names whatever the locale: RFC 5322 § 3.3. */
  static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (date_us / G_USEC_PER_SEC);

  g_string_append_printf (out, "%s, %02d %s %04d %02d:%02d:%02d +0000",
                          days[g_date_time_get_day_of_week (date) - 1],
                          g_date_time_get_day_of_month (date),
                          months[g_date_time_get_month (date) - 1],
                          g_date_time_get_year (date), g_date_time_get_hour (date),
                          g_date_time_get_minute (date), g_date_time_get_second (date));
}

GBytes *
kiosk_mail_compose (const char                *from,
                    const char                *to,
                    const char                *subject,
                    const char                *text,
                    const KioskMailAttachment *attachments,
                    guint                      n_attachments,
                    const char                *message_id,
                    gint64                     date_us)
{
  GString *out = g_string_new (NULL);
  g_autofree char *clean_subject = kiosk_mail_clean_subject (subject);
  g_autofree char *clean_to = clean_header_text (to, 254);
  g_autofree char *boundary = NULL;

  g_string_append (out, "From: ");
  append_mailbox (out, from);
  g_string_append_printf (out, "\r\nTo: %s\r\nSubject: ", clean_to);
  append_unstructured (out, clean_subject);
  g_string_append (out, "\r\nDate: ");
  append_date (out, date_us);
  g_string_append_printf (out, "\r\nMessage-ID: <%s>\r\n", message_id);
  /* RFC 3834: out-of-office replies and the like are not sent back to a machine. */
  g_string_append (out, "Auto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n");

  if (n_attachments > 0)
    {
      /* "=_" cannot occur in quoted-printable or base64 text: the boundary cannot either. */
      boundary = g_strdup_printf ("=_smiley-kiosk-%08x%08x", g_random_int (), g_random_int ());
      g_string_append_printf (out, "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n"
                              "This is a MIME message.\r\n\r\n--%s\r\n", boundary, boundary);
    }
  g_string_append (out, "Content-Type: text/plain; charset=utf-8\r\n"
                        "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
  {
    g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);

    append_quoted_printable (out, valid);
  }

  for (guint i = 0; i < n_attachments; i++)
    {
      const KioskMailAttachment *attachment = &attachments[i];
      gsize length = 0;
      const guchar *data = attachment->data ? g_bytes_get_data (attachment->data, &length)
                                            : NULL;
      const char *file_name = attachment->file_name ? attachment->file_name : "attachment";

      g_string_append_printf (out, "\r\n--%s\r\nContent-Type: %s", boundary,
                              is_media_type (attachment->content_type)
                              ? attachment->content_type : "application/octet-stream");
      append_parameter (out, "name", file_name);
      g_string_append (out, "\r\nContent-Disposition: attachment");
      append_parameter (out, "filename", file_name);
      g_string_append (out, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
      append_base64 (out, data ? data : (const guchar *) "", length);
    }
  if (boundary != NULL)
    g_string_append_printf (out, "\r\n--%s--\r\n", boundary);

  return g_string_free_to_bytes (out);
}
