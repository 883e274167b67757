/* kiosk-server-auth.c: device tokens, stored as hashes and compared in constant time. A token
 * carries 256 random bits, so an unsalted SHA-256 is enough: there is nothing to guess. */
#define G_LOG_DOMAIN "kiosk-server-auth"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/random.h>

#include "kiosk-server-auth.h"

#define TOKEN_RANDOM_BYTES 32
#define MAX_TOKEN_CHARS    256

char *
kiosk_token_new (GError **error)
{
  guint8 bytes[TOKEN_RANDOM_BYTES];
  gsize got = 0;
  g_autofree char *text = NULL;

  while (got < sizeof bytes)
    {
      ssize_t n = getrandom (bytes + got, sizeof bytes - got, 0);

      if (n < 0 && errno != EINTR)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "cannot read random bytes for a token: %s", g_strerror (saved));
          return NULL;
        }
      if (n > 0)
        got += n;
    }

  /* base64url without padding: one word of visible ASCII, as a kiosk's token file must hold. */
  text = g_base64_encode (bytes, sizeof bytes);
  for (char *p = text; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        *p = '\0';
    }
  explicit_bzero (bytes, sizeof bytes);
  return g_steal_pointer (&text);
}

void
kiosk_token_hash (const char *token,
                  guint8      out[KIOSK_TOKEN_HASH_BYTES])
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize length = KIOSK_TOKEN_HASH_BYTES;

  g_checksum_update (sum, (const guchar *) token, strlen (token));
  g_checksum_get_digest (sum, out, &length);
}

char *
kiosk_token_hash_hex (const char *token)
{
  guint8 hash[KIOSK_TOKEN_HASH_BYTES];
  GString *out = g_string_new ("\\x");

  kiosk_token_hash (token, hash);
  for (guint i = 0; i < sizeof hash; i++)
    g_string_append_printf (out, "%02x", hash[i]);
  return g_string_free (out, FALSE);
}

gboolean
kiosk_hex_to_hash (const char *text,
                   guint8      out[KIOSK_TOKEN_HASH_BYTES])
{
  if (g_str_has_prefix (text, "\\x"))
    text += 2;
  if (strlen (text) != 2 * KIOSK_TOKEN_HASH_BYTES)
    return FALSE;
  for (guint i = 0; i < KIOSK_TOKEN_HASH_BYTES; i++)
    {
      int hi = g_ascii_xdigit_value (text[2 * i]);
      int lo = g_ascii_xdigit_value (text[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

gboolean
kiosk_token_hash_equal (const guint8 *a,
                        const guint8 *b)
{
  volatile guint8 diff = 0;

  for (guint i = 0; i < KIOSK_TOKEN_HASH_BYTES; i++)
    diff |= a[i] ^ b[i];
  return diff == 0;
}

char *
kiosk_bearer_token (const char *header)
{
  const char *p;
  gsize length;

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    return NULL;

  p = header + 7;
  while (*p == ' ')
    p++;
  length = strlen (p);
  while (length > 0 && p[length - 1] == ' ')
    length--;
  if (length == 0 || length > MAX_TOKEN_CHARS)
    return NULL;
  for (gsize i = 0; i < length; i++)
    if (p[i] <= ' ' || p[i] > '~')
      return NULL;
  return g_strndup (p, length);
}
