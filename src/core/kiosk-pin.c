/* kiosk-pin.c: checks the admin PIN against its crypt(3) hash (yescrypt by default on Debian 12)
 * and locks out guessing: after three wrong PINs each further one doubles the wait, from 30 s up
 * to an hour. */
#define G_LOG_DOMAIN "kiosk-pin"

#include "config.h"

#include <crypt.h>
#include <gio/gio.h>
#include <string.h>

#include "kiosk-pin.h"

#define FIRST_LOCKOUT_S 30
#define MAX_LOCKOUT_S   3600

gboolean
kiosk_pin_hash_is_valid (const char *hash)
{
  return hash != NULL && crypt_checksalt (hash) == CRYPT_SALT_OK;
}

/* 4 to 12 digits: typed on the kiosk's PIN pad. */
gboolean
kiosk_pin_is_acceptable (const char *pin,
                         GString    *problem)
{
  size_t len = strlen (pin);

  for (const char *p = pin; *p; p++)
    if (!g_ascii_isdigit (*p))
      {
        g_string_append (problem, "a PIN has digits only (it is typed on the kiosk's PIN pad)");
        return FALSE;
      }

  if (len < 4 || len > 12)
    {
      g_string_append (problem, "a PIN has 4 to 12 digits");
      return FALSE;
    }

  return TRUE;
}

char *
kiosk_password_hash (const char  *secret,
                     GError     **error)
{
  struct crypt_data data = { 0 };
  char *setting;
  char *hashed;
  char *result;

  /* NULL prefix: the system's preferred method (yescrypt on Debian 12), random salt. */
  setting = crypt_gensalt_rn (NULL, 0, NULL, 0, data.setting, sizeof data.setting);
  hashed = setting ? crypt_r (secret, setting, &data) : NULL;
  if (hashed == NULL || hashed[0] == '*')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "crypt(3) could not hash the secret");
      return NULL;
    }

  result = g_strdup (hashed);
  explicit_bzero (&data, sizeof data);
  return result;
}

char *
kiosk_pin_hash (const char  *pin,
                GError     **error)
{
  g_autoptr(GString) problem = g_string_new (NULL);

  if (!kiosk_pin_is_acceptable (pin, problem))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, problem->str);
      return NULL;
    }

  return kiosk_password_hash (pin, error);
}

/* Compares without leaking through timing where the strings first differ. */
static gboolean
equal_in_constant_time (const char *a,
                        const char *b)
{
  size_t len = strlen (a);
  unsigned char diff = 0;

  if (len != strlen (b))
    return FALSE;

  for (size_t i = 0; i < len; i++)
    diff |= (unsigned char) (a[i] ^ b[i]);

  return diff == 0;
}

gboolean
kiosk_password_verify (const char *hash,
                       const char *secret)
{
  struct crypt_data data = { 0 };
  const char *computed;
  gboolean ok;

  if (hash == NULL || secret == NULL)
    return FALSE;
  computed = crypt_r (secret, hash, &data);
  ok = computed != NULL && computed[0] != '*' && equal_in_constant_time (computed, hash);
  explicit_bzero (&data, sizeof data);
  return ok;
}

KioskPinResult
kiosk_pin_guard_check (KioskPinGuard *guard,
                       const char    *hash,
                       const char    *pin,
                       gint64         now_us,
                       guint         *out_wait_s)
{
  gboolean ok;

  if (out_wait_s)
    *out_wait_s = 0;

  if (!kiosk_pin_hash_is_valid (hash))
    return KIOSK_PIN_NOT_SET;

  if (now_us < guard->locked_until_us)
    {
      if (out_wait_s)
        *out_wait_s = (guint) ((guard->locked_until_us - now_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
      return KIOSK_PIN_LOCKED;
    }

  ok = kiosk_password_verify (hash, pin);

  if (ok)
    {
      guard->failures = 0;
      guard->locked_until_us = 0;
      return KIOSK_PIN_OK;
    }

  guard->failures++;
  if (guard->failures >= KIOSK_PIN_FREE_ATTEMPTS)
    {
      guint shift = MIN (guard->failures - KIOSK_PIN_FREE_ATTEMPTS, 7);
      guint wait = MIN ((guint) FIRST_LOCKOUT_S << shift, MAX_LOCKOUT_S);

      guard->locked_until_us = now_us + (gint64) wait * G_USEC_PER_SEC;
      if (out_wait_s)
        *out_wait_s = wait;
    }

  return KIOSK_PIN_WRONG;
}
